// One browser test of draaischijf ui, run by ui_browser_test.cpp (which starts the real hub,
// the CLI profiles and the `draaischijf ui` process, and passes what it started in the
// environment). Playwright drives Debian's /usr/bin/chromium headless; nothing is downloaded.
//
//   UI_URL=http://127.0.0.1:PORT/?t=TOKEN node ui.browser.mjs NAME
//   SCHOOL_SEND='["/path/draaischijf", "--profile", ...]'  the school's send, for `live`
//   HOSTILE='<script>...'                                    the text the school sent, for `hostile`
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { accessible, browser, context, dialogs, openInbox, origin, page, run, url } from './harness.mjs';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The school's own web inbox, in a context (cookie jar) of its own, on its compose screen.
async function schoolCompose() {
  const school = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  school.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  await school.goto(process.env.SCHOOL_URL);
  await school.locator('#inbox-view').waitFor({ state: 'visible' });
  await school.getByRole('button', { name: 'Nieuw bericht' }).click();
  await school.locator('#compose-to option').first().waitFor({ state: 'attached' });
  return school;
}

const tests = {
  // The one-time address: exchanged for an HttpOnly, SameSite=Strict cookie, then dead.
  async token() {
    await openInbox();
    assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
    const cookies = await context.cookies(origin);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].httpOnly, true);
    assert.equal(cookies[0].sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read it');
    const other = await browser.newContext();
    const second = await (await other.newPage()).goto(url);
    assert.equal(second.status(), 403);
    assert.match(await second.text(), /token-spent/);
    await other.close();
  },

  // The CSP header on the page, no inline script in it, and an injected inline script not run.
  async csp() {
    const response = await openInbox();
    assert.equal(response.headers()['content-security-policy'], CSP);
    assert.equal(response.headers()['cache-control'], 'no-store');
    const inline = await page.$$eval('script', (all) => all.filter((s) => !s.src).length);
    assert.equal(inline, 0);
    await page.addScriptTag({ content: 'window.injected = true;' }).catch(() => {});
    assert.equal(await page.evaluate(() => window.injected), undefined);
  },

  // Markup the school put in its text is shown as text: no dialog, no element made from it.
  async hostile() {
    await openInbox();
    const open = page.getByRole('button', { name: /Openen/ }).first();
    await open.click();
    const text = page.locator('#fragments pre').first();
    await text.waitFor();
    assert.equal(await text.textContent(), process.env.HOSTILE);
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('#fragments img, #fragments script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    await accessible('read');
  },

  // The school sends while the CLB's inbox is open: the message appears without a reload.
  async live() {
    await openInbox();
    assert.equal(await page.locator('#messages tbody tr').count(), 0);
    await page.evaluate(() => { window.notReloaded = true; });
    const [program, ...args] = JSON.parse(process.env.SCHOOL_SEND);
    const sent = spawnSync(program, args, { encoding: 'utf8' });
    assert.equal(sent.status, 0, sent.stderr);
    await page.locator('#messages tbody tr').first().waitFor({ timeout: 30000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    assert.match(await page.locator('#unread-count').textContent(), /1 ongelezen/);
    assert.match(await page.locator('#messages tbody tr td').first().textContent(),
                 /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  },

  // Lock now: the keys go, the API answers 423, the page asks; the key file opens it again.
  async lock() {
    await openInbox();
    await page.getByRole('button', { name: 'Nu vergrendelen' }).click();
    await page.locator('#unlock-view').waitFor({ state: 'visible' });
    const status = await page.evaluate(async () => (await fetch('/api/inbox')).status);
    assert.equal(status, 423);
    await accessible('unlock');
    await page.getByLabel('Wachtwoordzin').press('Enter');
    await page.locator('#inbox-view').waitFor({ state: 'visible' });
  },

  // Keyboard only: Tab reaches the message, Enter opens it, focus goes to its title.
  async keyboard() {
    await openInbox();
    await page.locator('#messages tbody tr').first().waitFor();
    const open = page.locator('#messages tbody button').first();
    for (let i = 0; i < 30 && !(await open.evaluate((b) => b === document.activeElement)); ++i) {
      await page.keyboard.press('Tab');
    }
    assert.equal(await open.evaluate((b) => b === document.activeElement), true);
    await page.keyboard.press('Enter');
    await page.locator('#read-view').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'read-title');
  },

  // The school raises a signaal from its page (its own CLB offered first, the pre-check shown
  // before sending); the CLB's open inbox shows it without a reload.
  async compose() {
    await openInbox();
    await page.evaluate(() => { window.notReloaded = true; });
    const school = await schoolCompose();
    const first = await school.locator('#compose-to option').first().textContent();
    assert.match(first, /eigen CLB/);
    await school.getByLabel('Leerling (uw referentie)').fill('school-leerling-7');
    await school.getByLabel('Tekst').fill('Leest traag, vraagt hulp.');
    await school.locator('#precheck.allowed').waitFor({ timeout: 30000 });
    await accessible('compose', school);
    await school.getByRole('button', { name: 'Verzenden' }).click();
    await school.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 30000 });
    await page.locator('#messages tbody tr').first().waitFor({ timeout: 30000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    assert.match(await page.locator('#messages tbody tr').first().textContent(), /signaal/);
  },

  // A send the policy refuses: the pre-check shows outcome, rules and reasons while the form
  // is filled in, and pressing send anyway sends nothing (the harness checks the CAW's inbox).
  async refused() {
    const school = await schoolCompose();
    const caw = await school.$eval('#compose-to',
        (s) => [...s.options].find((o) => o.text.includes('(CAW')).value);
    await school.selectOption('#compose-to', caw);
    await school.selectOption('#compose-kind', 'doorverwijzing');
    await school.selectOption('#compose-purpose', 'doorverwijzing');
    await school.selectOption('#compose-category', 'psychisch_sociaal');
    await school.getByLabel('Leerling (uw referentie)').fill('school-leerling-7');
    await school.getByLabel('Tekst').fill('Angstklachten.');
    const box = school.locator('#precheck.refused');
    await box.waitFor({ timeout: 30000 });
    assert.match(await box.textContent(), /Voorcontrole: niet toegestaan/);
    assert.match(await box.textContent(), /Regels: R\d+/);
    assert.ok(await box.locator('ul.reasons li').count() > 0, 'the reasons are listed');
    await school.getByRole('button', { name: 'Verzenden' }).click();
    await school.locator('#precheck.refused', { hasText: 'Niet verzonden.' }).waitFor();
    assert.ok(await box.locator('ul.reasons li').count() > 0);
    assert.doesNotMatch(await school.locator('#status').textContent(), /Verzonden\./);
  },

  // The attachment comes as a download, byte for byte, named safely (never shown in the page).
  async download() {
    await openInbox();
    await page.locator('#messages tbody button').first().click();
    const link = page.getByRole('link', { name: /Downloaden/ });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'verslag__1_.pdf');
    const saved = await download.path();
    assert.deepEqual(readFileSync(saved), readFileSync(process.env.EXPECTED_FILE));
    const status = await page.evaluate(async (href) => {
      const response = await fetch(href);
      return [response.status, response.headers.get('content-type'),
              response.headers.get('content-disposition')];
    }, await link.getAttribute('href'));
    assert.deepEqual(status, [200, 'application/octet-stream', 'attachment; filename="verslag__1_.pdf"']);
  },

  // Dutch by default, English on request, and every screen passes axe.
  async language() {
    await openInbox();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
    assert.equal(await page.locator('#lock').textContent(), 'Nu vergrendelen');
    await accessible('inbox');
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.locator('#lock').textContent(), 'Lock now');
    await accessible('inbox (en)');
  },
};

await run(tests);
