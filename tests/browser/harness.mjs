// What every browser test file shares: Debian's chromium driven by Playwright (nothing is
// downloaded), the CLB's page (UI_URL, passed by the C++ harness), axe-core, and the runner
// that runs the one test named on the command line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
export const url = process.env.UI_URL;
export const origin = new URL(url).origin;

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
export const context = await browser.newContext({ locale: 'nl-BE' });
export const page = await context.newPage();
export const dialogs = [];
page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });

export async function openInbox(on = page, address = url) {
  const response = await on.goto(address);
  await on.locator('#inbox-view').waitFor({ state: 'visible' });
  return response;
}

// After a change of the inbox's controls (a filter, the grouping, "meer laden"): the program
// chooses the rows, so the list is shown once its answer came (the table busy until then).
export async function listed(on = page) {
  await on.locator('#messages[aria-busy="false"]').waitFor({ state: 'attached' });
}

// The protocol's codes the page must show in words (i18n-codes.js): staff roles, categories and
// outcomes with underscores, organisation types in parentheses as the recipient list had them.
const RAW_CODE = new RegExp([
  /\b(?:clb|school|partner|organisation)_[a-z_]+\b/.source,
  /\b(?:leren_en_studeren|psychisch_sociaal|handelingsgericht_advies|multidisciplinair_overleg)\b/.source,
  /\b(?:preventieve_gezondheidszorg|needs_second_approval|needs_consent|intake_planned)\b/.source,
  /\((?:caw|cgg|clb|jeugdhulp|ocj_vk|vaph|mfc)\)/.source,
].join('|'));

/// Fails when the screen shows a protocol code where its label belongs.
export async function noRawCodes(screen, on = page) {
  const shown = await on.locator('body').innerText();
  assert.doesNotMatch(shown, RAW_CODE, `${screen}: a raw code is shown instead of its label`);
}

// axe-core on the screen as it is; fails on a serious or critical violation. Every screen
// checked for accessibility is also checked for raw codes.
export async function accessible(screen, on = page) {
  await noRawCodes(screen, on);
  // The CSP refuses a script tag with axe in it (rightly): the driver evaluates it instead.
  await on.evaluate(readFileSync(AXE, 'utf8'));
  const result = await on.evaluate(() => window.axe.run());
  assert.ok(result.passes.length > 10, `${screen}: axe checked nothing`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${screen}: ${v.id} ${v.help}`), []);
}

/// Runs tests[process.argv[2]], says `ok NAME` or the failure, and closes the browser.
export async function run(tests) {
  const name = process.argv[2];
  try {
    assert.ok(tests[name], `no browser test named ${name}`);
    await tests[name]();
    console.log(`ok ${name}`);
  } catch (error) {
    console.error(error);
    // What the page said last (a problem from the program or the hub), to see why.
    console.error('page status:', await page.locator('#status').textContent().catch(() => '?'));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
