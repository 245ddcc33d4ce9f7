// Attachments in the web inbox, run by attach_browser_test.cpp (the real hub, the CLI profiles,
// the CLB's and the CAW's `draaischijf ui`). Playwright drives Debian's chromium headless.
//
//   UI_URL   the CLB's page       CAW_URL  the CAW's page (for `attach`), CAW_PID its program
//   ATTACH_FILE the file the CLB attaches; PUPIL, CONSENT the referral's pupil and consent
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { accessible, browser, openInbox, page, run } from './harness.mjs';

// A process's peak resident memory (VmHWM), in bytes.
function peakMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)[1]) * 1024;
}

const tests = {
  // The CLB refers the pupil to the CAW with a file: the pre-check counts the file's category,
  // the page shows the encryption and upload going up to 100% while it is still answered, and
  // the CAW's page downloads the bytes the CLB attached, streamed by its program from the verified
  // file (its peak memory does not grow by the file's size).
  async attach() {
    await openInbox();
    await page.getByRole('button', { name: 'Nieuw bericht' }).click();
    await page.locator('#compose-to option').first().waitFor({ state: 'attached' });
    const caw = await page.$eval('#compose-to',
        (s) => [...s.options].find((o) => o.text.includes('(CAW')).value);
    await page.selectOption('#compose-to', caw);
    await page.selectOption('#compose-kind', 'doorverwijzing');
    await page.selectOption('#compose-purpose', 'doorverwijzing');
    await page.selectOption('#compose-category', 'psychisch_sociaal');
    await page.getByLabel('Tekst').fill('Zie het verslag in bijlage.');
    await page.getByLabel('Leerling (uw referentie)').fill(process.env.PUPIL);
    const consent = page.locator('#compose-consent');
    await consent.locator(`option[value="${process.env.CONSENT}"]`).waitFor({ state: 'attached' });
    await consent.selectOption(process.env.CONSENT);
    await page.locator('#precheck.allowed').waitFor({ timeout: 30000 });
    // The consent covers diagnostiek, not verslag: a file sent as verslag is refused before
    // anything goes up, as diagnostiek it is allowed.
    await page.locator('#compose-files').setInputFiles(process.env.ATTACH_FILE);
    await page.selectOption('#compose-file-category', 'verslag');
    await page.locator('#precheck.refused').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#precheck').textContent(), /verslag/);
    await page.selectOption('#compose-file-category', 'diagnostiek');
    await page.locator('#precheck.allowed').waitFor({ timeout: 30000 });
    await accessible('compose with an attachment');
    // Every value the bar shows, with when it showed it.
    await page.evaluate(() => {
      window.progressSeen = [];
      const bar = document.getElementById('compose-progress');
      new MutationObserver(() => window.progressSeen.push([performance.now(), bar.value,
        document.getElementById('compose-progress-text').textContent]))
          .observe(document.getElementById('compose-progress-text'), { childList: true });
    });
    await page.getByRole('button', { name: 'Verzenden' }).click();
    await page.locator('#compose-progress-text', { hasText: 'Versleutelen en opladen' })
        .waitFor({ timeout: 60000 });
    // While the program encrypts and uploads, the page is answered: the inbox comes back before
    // the bar reaches 100%.
    const answered = await page.evaluate(async () => {
      const started = performance.now();
      const response = await fetch('/api/inbox', { headers: { 'X-Draaischijf-Background': '1' } });
      return [started, performance.now(), response.status];
    });
    await page.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 120000 });
    assert.equal(answered[2], 200);
    const seen = await page.evaluate(() => window.progressSeen);
    const uploading = seen.filter((s) => s[2].startsWith('Versleutelen en opladen'));
    const full = uploading.find((s) => s[1] === 100);
    assert.ok(full, `the bar reached 100%: ${JSON.stringify(seen.slice(-3))}`);
    assert.equal(await page.locator('#compose-progress').getAttribute('value'), '100');
    assert.match(await page.locator('#compose-progress-text').textContent(), /: 100%$/);
    assert.ok(uploading.some((s) => s[1] > 0 && s[1] < 100), 'progress between 0 and 100% shown');
    assert.ok(answered[1] < full[0], `the inbox answered (${answered[1]}) before 100% (${full[0]})`);

    // The CAW opens its inbox and downloads the file: the bytes the CLB attached.
    const cawPage = await (await browser.newContext({ locale: 'nl-BE', acceptDownloads: true })).newPage();
    await openInbox(cawPage, process.env.CAW_URL);
    await cawPage.locator('#messages tbody button').first().click();
    const link = cawPage.getByRole('link', { name: /Downloaden/ });
    await link.waitFor();
    assert.match(await cawPage.locator('#attachments').textContent(), /verslag\.pdf \(diagnostiek/);
    const before = peakMemory(process.env.CAW_PID);
    const [download] = await Promise.all([cawPage.waitForEvent('download', { timeout: 120000 }),
      link.click()]);
    assert.equal(download.suggestedFilename(), 'verslag.pdf');
    const attached = readFileSync(process.env.ATTACH_FILE);
    assert.ok(readFileSync(await download.path()).equals(attached),
              'the downloaded bytes are the attached ones');
    // The CAW's program streamed the file from its verified copy: its peak memory grew by far
    // less than the file (reading it whole into the answer grows it by the file's size at least).
    const grown = peakMemory(process.env.CAW_PID) - before;
    console.log(`download of ${attached.length} bytes: the program's peak memory grew by ${grown} bytes`);
    assert.ok(grown < attached.length / 2,
              `peak memory grew by ${grown} bytes for a file of ${attached.length}`);
  },

  // The hub altered the blob after it was sent: the program refuses the download (its hash
  // check), and the page says so beside the attachment; nothing is saved.
  async tampered() {
    await openInbox();
    await page.locator('#messages tbody button').first().click();
    const link = page.getByRole('link', { name: /Downloaden/ });
    await link.waitFor();
    let downloads = 0;
    page.on('download', () => { downloads += 1; });
    await link.click();
    const refused = page.locator('#attachments .refused');
    await refused.waitFor({ timeout: 60000 });
    assert.match(await refused.textContent(), /^Download geweigerd: verslag\.pdf — Mislukt — /);
    assert.match(await page.locator('#status').textContent(), /Download geweigerd/);
    const answer = await page.evaluate(async (href) => {
      const response = await fetch(href);
      return [response.status, response.headers.get('content-type')];
    }, await link.getAttribute('href'));
    assert.deepEqual(answer, [502, 'application/problem+json']);
    await page.waitForTimeout(500);
    assert.equal(downloads, 0);
    await accessible('read with a refused download');
  },
};

await run(tests);
