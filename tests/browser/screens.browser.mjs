// The consent, disclosure and settings screens of draaischijf ui in a real browser, run by
// ui_screens_browser_test.cpp (which starts the real hub, the CLI profiles and the CLB's
// `draaischijf ui`, and checks with the CLI what the hub holds afterwards).
//
//   UI_URL=http://127.0.0.1:PORT/?t=TOKEN PUPIL=CLB-2016-0042 node screens.browser.mjs NAME
//   CONSENT=<32 hex>         the consent the harness registered (revoke, compose, disclosures)
//   DIRECTORY=[{...}]        the CLI's `directory --json` (settings)
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { accessible, context, openInbox, origin, page, run } from './harness.mjs';

const pupil = process.env.PUPIL;
// The organisation types of the test directory in words (the settings screen shows no code).
const TYPE_LABELS = { clb: 'CLB', school: 'school', caw: 'CAW (algemeen welzijnswerk)' };

// YYYY-MM-DD of the day `years` years and `days` days before today (local time).
function bornAgo(years, days) {
  const d = new Date();
  d.setFullYear(d.getFullYear() - years);
  d.setDate(d.getDate() - days);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

// The consent screen for the pupil, reached with the keyboard only.
async function consentsOf(reference) {
  await openInbox();
  const nav = page.locator('#nav-consents');
  for (let i = 0; i < 8 && !(await nav.evaluate((b) => b === document.activeElement)); ++i) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await nav.evaluate((b) => b === document.activeElement), true, 'Tab reaches it');
  await page.keyboard.press('Enter');
  await page.locator('#consent-view').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'consent-pupil');
  await page.keyboard.type(reference);
  await page.keyboard.press('Enter');
  await page.locator('#consents-for', { hasText: reference }).waitFor();
}

// A POST to the program as another program (or site) would send it: node's own HTTP client,
// with only the headers given. The status and the problem type.
function post(path, headers) {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, origin), { method: 'POST', headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve([response.statusCode, JSON.parse(body).type]));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const tests = {
  // The giver follows the age as the engine derives it, with the rule in words; a giver the
  // rule does not allow is refused by the hub with its reason; the right one is registered and
  // listed in Belgian dates.
  async register() {
    await consentsOf(pupil);
    assert.equal(await page.locator('#consents-empty').isVisible(), true);
    const rule = page.locator('#consent-giver-rule');
    await page.getByLabel('Geboortedatum', { exact: true }).fill(bornAgo(13, 10));
    await rule.filter({ hasText: 'Leeftijd vandaag: 13 jaar.' }).waitFor();
    assert.match(await rule.textContent(), /Vanaf 12 jaar wordt de leerling bekwaam vermoed/);
    assert.equal(await page.locator('#consent-giver').inputValue(), 'leerling');
    // The team's assessment turns it around, with the reason said.
    await page.getByLabel('Bekwaamheid (oordeel van het CLB-team)').selectOption('onbekwaam');
    await rule.filter({ hasText: 'niet bekwaam' }).waitFor();
    assert.equal(await page.locator('#consent-giver').inputValue(), 'ouders');
    await page.getByLabel('Bekwaamheid (oordeel van het CLB-team)').selectOption('vermoed');
    await rule.filter({ hasText: 'bekwaam vermoed' }).waitFor();
    // The day before the 12th birthday the parents decide; on the birthday itself the pupil.
    await page.getByLabel('Geboortedatum', { exact: true }).fill(bornAgo(12, -1));
    await rule.filter({ hasText: 'Leeftijd vandaag: 11 jaar.' }).waitFor();
    assert.match(await rule.textContent(), /Jonger dan 12: de ouders/);
    assert.equal(await page.locator('#consent-giver').inputValue(), 'ouders');
    await page.getByLabel('Geboortedatum', { exact: true }).fill(bornAgo(13, 10));
    await rule.filter({ hasText: 'Leeftijd vandaag: 13 jaar.' }).waitFor();
    await accessible('consent');

    // The parents of a 13-year-old, against the rule: the hub refuses and says why.
    await page.locator('#consent-giver').selectOption('ouders');
    await page.getByLabel('Hoedanigheid (moeder, vader, voogd, leerling)').fill('moeder');
    await page.locator('#consent-types').getByLabel('CAW (algemeen welzijnswerk)').check();
    await page.locator('#consent-categories').getByLabel('psychisch en sociaal functioneren').check();
    await page.locator('#consent-purposes').getByLabel('doorverwijzing').check();
    await page.getByLabel('Gegeven op (geldig vanaf)').fill(bornAgo(0, 3));
    await page.getByRole('button', { name: 'Registreren' }).click();
    const result = page.locator('#consent-result');
    await result.filter({ hasText: 'De hub weigerde deze toestemming' }).waitFor();
    assert.match(await result.textContent(), /\[R32\]/);
    assert.equal(await page.locator('#consents tbody tr').count(), 0, 'nothing registered');

    // The giver the rule names: registered and listed.
    await page.locator('#consent-giver').selectOption('leerling');
    await page.getByLabel('Hoedanigheid (moeder, vader, voogd, leerling)').fill('leerling');
    await page.getByRole('button', { name: 'Registreren' }).click();
    await result.filter({ hasText: 'Toestemming geregistreerd.' }).waitFor();
    const row = page.locator('#consents tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const cells = await row.first().locator('td').allTextContents();
    assert.match(cells[0], /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    assert.equal(cells[1], 'de leerling (leerling)');
    assert.equal(cells[2], 'CAW (algemeen welzijnswerk)');
    assert.equal(cells[3], 'psychisch en sociaal functioneren');
    assert.match(cells[5], /^\d{2}\/\d{2}\/\d{4} – zonder einddatum$/);
    assert.equal(cells[6], 'Geldig');
    await accessible('consent list');
    // In English too.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('Date of birth', { exact: true }).fill(bornAgo(9, 0));
    await rule.filter({ hasText: 'Under 12: the parents' }).waitFor();
  },

  // Revoking shows what it withdraws first and changes nothing until confirmed; the request
  // without the session cookie, or from another origin, is refused by the program's gate.
  async revoke() {
    const consent = process.env.CONSENT;
    await consentsOf(pupil);
    const row = page.locator('#consents tbody tr');
    await row.first().waitFor();
    await row.first().getByRole('button', { name: /Intrekken/ }).click();
    const panel = page.locator('#revoke-panel');
    await panel.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'revoke-title');
    const scope = await page.locator('#revoke-scope').textContent();
    assert.match(scope, /de ouders of voogd \(moeder\)/);
    assert.match(scope, /CAW \(algemeen welzijnswerk\)/);
    assert.match(scope, /psychisch en sociaal functioneren/);
    assert.match(await panel.textContent(), /nog bij de hub wachten, worden teruggetrokken/);
    await accessible('revoke');
    const before = await page.evaluate(async (id) => (await (await fetch(`/api/consents/${id}`)).json()), consent);
    assert.equal(before.revoked_at_ms, null, 'shown, not yet revoked');

    // The same revocation without the page's cookie, and from another site: refused.
    const path = `/api/consents/${consent}/revoke`;
    assert.deepEqual(await post(path, { Origin: origin }),
                     [401, 'urn:draaischijf:ui-problem:no-session']);
    const [cookie] = await context.cookies(origin);
    const session = `${cookie.name}=${cookie.value}`;
    assert.deepEqual(await post(path, { Cookie: session }),
                     [403, 'urn:draaischijf:ui-problem:bad-origin']);
    assert.deepEqual(await post(path, { Cookie: session, Origin: 'http://evil.example' }),
                     [403, 'urn:draaischijf:ui-problem:bad-origin']);
    const still = await page.evaluate(async (id) => (await (await fetch(`/api/consents/${id}`)).json()), consent);
    assert.equal(still.revoked_at_ms, null, 'the refused requests revoked nothing');

    await page.getByRole('button', { name: 'Ja, intrekken' }).click();
    const result = page.locator('#revoke-result');
    await result.filter({ hasText: 'Ingetrokken. Teruggetrokken berichten: 1.' }).waitFor();
    assert.equal(await result.locator('li').count(), 1);
    await row.first().filter({ hasText: 'Ingetrokken op' }).waitFor();
    assert.equal(await row.first().getByRole('button').count(), 0, 'nothing left to revoke');
  },

  // The CLB refers the pupil to the CAW: without a consent the pre-check refuses (R06); the
  // pupil's consent from the registry, picked in the form, makes it allowed, and it is sent.
  async compose() {
    await openInbox();
    await page.getByRole('button', { name: 'Nieuw bericht' }).click();
    await page.locator('#compose-to option').first().waitFor({ state: 'attached' });
    const caw = await page.$eval('#compose-to',
        (s) => [...s.options].find((o) => o.text.includes('(CAW')).value);
    await page.selectOption('#compose-to', caw);
    await page.selectOption('#compose-kind', 'doorverwijzing');
    await page.selectOption('#compose-purpose', 'doorverwijzing');
    await page.selectOption('#compose-category', 'psychisch_sociaal');
    await page.getByLabel('Tekst').fill('Aanmelding voor begeleiding.');
    await page.getByLabel('Leerling (uw referentie)').fill(pupil);
    const consent = page.locator('#compose-consent');
    await consent.locator(`option[value="${process.env.CONSENT}"]`).waitFor({ state: 'attached' });
    assert.equal(await consent.locator('option').count(), 2, '(geen) and the one consent');
    assert.match(await consent.locator('option').nth(1).textContent(),
                 /^de ouders of voogd → CAW \(algemeen welzijnswerk\) \[psychisch en sociaal functioneren, diagnostiek, contactgegevens\]/);
    await page.locator('#precheck.refused').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#precheck').textContent(), /R06/);
    await consent.selectOption(process.env.CONSENT);
    await page.locator('#precheck.allowed').waitFor({ timeout: 30000 });
    await accessible('compose with consent');
    await page.getByRole('button', { name: 'Verzenden' }).click();
    await page.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 30000 });
  },

  // What left the CLB about the pupil, with the receiving organisation by name and the basis,
  // and printable: the print view keeps the register and its heading, not the page's controls.
  async disclosures() {
    await openInbox();
    await page.getByRole('button', { name: 'Verstrekkingen' }).click();
    const reference = page.getByRole('textbox', { name: 'Leerling (dossiernummer van het CLB)' });
    await reference.fill(pupil);
    await reference.press('Enter');
    const row = page.locator('#disclosures tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const cells = await row.first().locator('td').allTextContents();
    assert.match(cells[0], /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    assert.equal(cells[1], 'doorverwijzing');
    assert.equal(cells[2], 'doorverwijzing');
    assert.match(cells[3], /psychisch en sociaal functioneren/);
    assert.match(cells[4], /\(CAW \(algemeen welzijnswerk\)\)$/);
    assert.equal(cells[6], `toestemming ${process.env.CONSENT.slice(0, 8)}`);
    // The client proved the line against the hub's record log before the page got it.
    assert.equal(cells[9], 'ja');
    assert.match(await page.locator('#disclosures-heading').textContent(),
                 new RegExp(`Register van verstrekkingen voor leerling ${pupil}`));
    await accessible('disclosures');
    await page.emulateMedia({ media: 'print' });
    const shown = async (selector) => page.locator(selector).evaluate(
        (e) => getComputedStyle(e).display !== 'none' && e.offsetParent !== null);
    assert.equal(await shown('#disclosures'), true);
    assert.equal(await shown('#disclosures-printed'), true);
    assert.equal(await shown('#disclosure-form'), false);
    assert.equal(await shown('#lock'), false);
    assert.equal(await shown('#disclosures-print'), false);
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await shown('#disclosures-printed'), false);
  },

  // Who this device is and the trusted organisations, each with the fingerprint the CLI shows
  // for it; "lock now" from here locks the keys.
  async settings() {
    await openInbox();
    await page.getByRole('button', { name: 'Instellingen' }).click();
    const rows = page.locator('#trusted tbody tr');
    await rows.first().waitFor();
    const directory = JSON.parse(process.env.DIRECTORY);
    assert.equal(await rows.count(), directory.length);
    for (const org of directory) {
      const row = rows.filter({ hasText: org.fingerprint });
      assert.equal(await row.count(), 1, `${org.name}: its fingerprint is listed once`);
      const cells = await row.locator('td').allTextContents();
      assert.deepEqual(cells.slice(0, 3), [org.name, TYPE_LABELS[org.type], org.fingerprint]);
      assert.equal(cells[3], org.trusted ? 'vastgelegd, klopt met de hub'
                                         : 'NIET vertrouwd: niet vastgelegd of anders dan bij de hub');
    }
    const profile = await page.locator('#settings-profile').textContent();
    assert.match(profile, /CLB-/);
    assert.match(profile, /\(CLB\)/);
    assert.match(profile, /15 minuten zonder gebruik/);
    await accessible('settings');
    await page.locator('#settings-lock').click();
    await page.locator('#unlock-view').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(async () => (await fetch('/api/settings')).status), 423);
  },
};

await run(tests);
