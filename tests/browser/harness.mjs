// What every browser test script of draaischijf ui shares: Debian's chromium driven headless by
// Playwright (nothing downloaded), the page of the program under test (UI_URL, the one-time
// address draaischijf ui printed), axe-core, and the runner that picks one test by name.
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
/// Every alert, confirm or prompt any page opened (markup that ran would open one).
export const dialogs = [];
page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });

export async function openInbox() {
  const response = await page.goto(url);
  await page.locator('#inbox-view').waitFor({ state: 'visible' });
  return response;
}

/// axe-core on the screen as it is; fails on a serious or critical violation.
export async function accessible(screen, on = page) {
  // The CSP refuses a script tag with axe in it (rightly): the driver evaluates it instead.
  await on.evaluate(readFileSync(AXE, 'utf8'));
  const result = await on.evaluate(() => window.axe.run());
  assert.ok(result.passes.length > 10, `${screen}: axe checked nothing`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${screen}: ${v.id} ${v.help}`), []);
}

/// Runs the test named on the command line from `tests`; the exit code says how it went.
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
