// The screenshots of the web inbox's main screens (docs/screenshots/), taken against the real hub
// and the `draaischijf ui` of the CLB, the school, the CAW and the CLB-arts that
// screenshots_browser_test.cpp starts (tools/screenshots.sh runs it). Each screen is reached the
// way a person reaches it, and is shown only once its content is there.
//
//   UI_URL the CLB's page   SCHOOL_URL the school's   CAW_URL the CAW's   ARTS_URL the CLB-arts's
//   SHOTS  the folder the PNGs go to   PUPIL, CONSENT the referral's pupil and consent
//   ATTACH_FILE a file large enough that its upload shows the progress bar
import { join } from 'node:path';
import { browser, noRawCodes, openInbox, page, run } from './harness.mjs';

const { SHOTS: shots, PUPIL: pupil, CONSENT: consent } = process.env;
const VIEWPORT = { width: 1280, height: 860 };

// A PNG of the page as it is, named ui-NAME.png; the page must show no bare protocol code.
async function shoot(name, on = page, fullPage = false) {
  await noRawCodes(name, on);
  await on.evaluate(() => document.activeElement?.blur());
  await on.screenshot({ path: join(shots, `ui-${name}.png`), fullPage });
}

async function pageOf(address) {
  const other = await (await browser.newContext({ locale: 'nl-BE', viewport: VIEWPORT })).newPage();
  await openInbox(other, address);
  return other;
}

// The compose form filled in for a referral to the CAW; `category` is the text's category.
async function referToCaw(on, text, category = 'psychisch_sociaal') {
  await on.getByRole('button', { name: 'Nieuw bericht' }).click();
  await on.locator('#compose-to option').first().waitFor({ state: 'attached' });
  const caw = await on.$eval('#compose-to', (s) => [...s.options].find((o) => o.text.includes('(CAW')).value);
  await on.selectOption('#compose-to', caw);
  await on.selectOption('#compose-kind', 'doorverwijzing');
  await on.selectOption('#compose-purpose', 'doorverwijzing');
  await on.selectOption('#compose-category', category);
  await on.getByLabel('Leerling (uw referentie)').fill(pupil);
  await on.getByLabel('Tekst').fill(text);
}

async function work(view, name) {
  await page.getByRole('button', { name: view }).click();
  await page.locator('#work-body table').first().waitFor();
  await shoot(name, page, true);
}

const tests = {
  async all() {
    await page.setViewportSize(VIEWPORT);
    await openInbox();
    await page.selectOption('#group-by', 'pupil');
    await page.locator('#messages tbody tr.group').first().waitFor();
    await shoot('inbox');
    await page.selectOption('#group-by', '');

    // The CAW reads the CLB's referral, with its attachment.
    const caw = await pageOf(process.env.CAW_URL);
    await caw.locator('#messages tbody button').first().click();
    await caw.getByRole('link', { name: /Downloaden/ }).waitFor();
    await shoot('read', caw);

    // The school's referral straight to a CAW: refused before it is sent, with the reasons.
    const school = await pageOf(process.env.SCHOOL_URL);
    await referToCaw(school, 'Angstklachten, graag hulp.');
    await school.getByLabel('Leerling (uw referentie)').fill('school-leerling-7');
    await school.locator('#precheck.refused').waitFor({ timeout: 30000 });
    await shoot('compose-refused', school, true);

    // The CLB refers with a large attachment: the bar while the program encrypts and uploads.
    await referToCaw(page, 'Zie het verslag in bijlage.');
    const picker = page.locator('#compose-consent');
    await picker.locator(`option[value="${consent}"]`).waitFor({ state: 'attached' });
    await picker.selectOption(consent);
    await page.locator('#compose-files').setInputFiles(process.env.ATTACH_FILE);
    await page.selectOption('#compose-file-category', 'diagnostiek');
    await page.locator('#precheck.allowed').waitFor({ timeout: 30000 });
    await page.getByRole('button', { name: 'Verzenden' }).click();
    await page.locator('#compose-progress-text', { hasText: /Versleutelen en opladen: [1-9]/ })
        .waitFor({ timeout: 60000 });
    await shoot('compose-upload', page, true);
    await page.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 120000 });

    // The pupil's consents.
    await page.locator('#nav-consents').click();
    await page.locator('#consent-pupil').fill(pupil);
    await page.locator('#consent-pupil').press('Enter');
    await page.locator('#consents tbody tr').first().waitFor();
    await page.locator('#consent-born').fill(`${new Date().getFullYear() - 10}-03-01`);
    await page.locator('#consent-giver-rule p', { hasText: 'Toestemming te geven door' }).waitFor();
    await shoot('consent', page, true);

    // The CLB-arts's queue with the social worker's request.
    const arts = await pageOf(process.env.ARTS_URL);
    await arts.locator('#nav-approvals').click();
    await arts.locator('#approvals-list article').first().waitFor();
    await shoot('approvals', arts, true);

    await work('Triage', 'triage');
    await work('Verwijzingen', 'referrals');
    await work('Rapport', 'report');

    await page.locator('#nav-disclosures').click();
    await page.locator('#disclosure-pupil').fill(pupil);
    await page.locator('#disclosure-pupil').press('Enter');
    await page.locator('#disclosures tbody tr').first().waitFor();
    await shoot('disclosures', page, true);

    await page.locator('#nav-settings').click();
    await page.locator('#trusted tbody tr').first().waitFor();
    await shoot('settings', page, true);

    await page.locator('#settings-lock').click();
    await page.locator('#unlock-view').waitFor({ state: 'visible' });
    await shoot('locked');
  },
};

await run(tests);
