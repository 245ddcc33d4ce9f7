// The second-approval queue in the browser (issue 15 screen 5), run by
// approvals_browser_test.cpp, which starts the real hub, enrols a social worker and a CLB-arts
// (each with a mailbox of their role) and their two `draaischijf ui` processes:
//
//   UI_URL=...  the social worker's page       ARTS_URL=...  the CLB-arts's page
//   PUPIL, CONSENT, INTAKE (the CAW intake's mailbox id), TEXT (the medical fragment)
//   REASON      the decline's reason (decline)
//   ATTACH_FILE the draft's file (file)
//
// Keyboard only: every button is reached by focus and pressed with Enter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { accessible, browser, openInbox, page, run } from './harness.mjs';

const { PUPIL: pupil, CONSENT: consent, INTAKE: intake, TEXT: text } = process.env;

async function press(on, selector) {
  await on.locator(selector).focus();
  await on.keyboard.press('Enter');
}

// The social worker composes the medical referral to the CAW (with `file` when given): the
// pre-check says the CLB-arts must approve, and the page offers to ask.
async function composeAndAsk(file) {
  await openInbox();
  await press(page, '#new-message');
  await page.locator(`#compose-to option[value="${intake}"]`).waitFor({ state: 'attached' });
  await page.selectOption('#compose-to', intake);
  await page.selectOption('#compose-kind', 'doorverwijzing');
  await page.selectOption('#compose-purpose', 'doorverwijzing');
  await page.selectOption('#compose-category', 'preventieve_gezondheidszorg');
  await page.getByLabel('Tekst').fill(text);
  await page.getByLabel('Leerling (uw referentie)').fill(pupil);
  const picker = page.locator('#compose-consent');
  await picker.locator(`option[value="${consent}"]`).waitFor({ state: 'attached' });
  await picker.selectOption(consent);
  if (file) {
    await page.locator('#compose-files').setInputFiles(file);
    await page.selectOption('#compose-file-category', 'preventieve_gezondheidszorg');
  }
  const box = page.locator('#approval-box');
  await box.filter({ hasText: 'Tweede akkoord nodig — vraag het aan CLB-arts' })
      .waitFor({ timeout: 30000 });
  assert.match(await page.locator('#precheck').textContent(), /R09/);
  await accessible('compose, second approval needed');
  await press(page, '#approval-ask');
  await page.locator('#approval-check').waitFor({ timeout: 30000 });
  assert.match(await box.textContent(), /Gevraagd aan CLB-arts/);
}

// The arts's queue, in a browser context of its own (its own session with its own program).
async function artsQueue() {
  const context = await browser.newContext({ locale: 'nl-BE', acceptDownloads: true });
  const arts = await context.newPage();
  await openInbox(arts, process.env.ARTS_URL);
  await press(arts, '#nav-approvals');
  await arts.locator('#approvals-view').waitFor({ state: 'visible' });
  const request = arts.locator('#approvals-list article');
  await request.first().waitFor({ timeout: 30000 });
  assert.equal(await request.count(), 1);
  // Exactly the content that will leave, as text.
  assert.deepEqual(await request.locator('pre').allTextContents(), [text]);
  assert.match(await request.locator('h4').textContent(), /^preventieve gezondheidszorg/);
  assert.match(await request.textContent(), /Gevraagd door CLB-maatschappelijk werker/);
  assert.match(await request.textContent(), new RegExp(pupil));
  // The recipients in words: the CAW's intake and the team's own copy, never bare mailbox ids.
  const recipients = await request
      .locator('xpath=.//dt[normalize-space()="Ontvangers"]/following-sibling::dd[1]').textContent();
  assert.match(recipients, /CAW[^;]* \(intakemedewerker\)/);
  assert.doesNotMatch(recipients, /[0-9a-f]{32}/);
  await accessible('approvals', arts);
  return arts;
}

async function answerOnCompose() {
  await press(page, '#approval-check');
  await page.locator('#approval-box .answer').waitFor({ timeout: 30000 });
  return page.locator('#approval-box .answer');
}

const tests = {
  // Asked, approved by the arts who saw exactly the text, then sent by the social worker.
  async approve() {
    await composeAndAsk();
    const arts = await artsQueue();
    await press(arts, '#approvals-list article .approve');
    await arts.locator('#status', { hasText: 'Akkoord gegeven' }).waitFor({ timeout: 30000 });
    await arts.locator('#approvals-empty').waitFor({ state: 'visible' });
    const answer = await answerOnCompose();
    assert.match(await answer.textContent(), /^Goedgekeurd door CLB-arts — /);
    await press(page, '#approval-send');
    await page.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 30000 });
  },

  // A draft with a file: the request carries it, the arts sees it listed and downloads exactly
  // its bytes before approving; the social worker then sends the draft with the same file.
  async file() {
    const file = process.env.ATTACH_FILE;
    await composeAndAsk(file);
    const arts = await artsQueue();
    const listed = arts.locator('#approvals-list article ul.attachments li');
    assert.equal(await listed.count(), 1);
    const line = await listed.textContent();
    assert.ok(line.startsWith(`${basename(file)} (preventieve gezondheidszorg,`), line);
    const link = listed.getByRole('link', { name: `Downloaden: ${basename(file)}` });
    const [download] = await Promise.all([arts.waitForEvent('download'), link.click()]);
    assert.deepEqual(readFileSync(await download.path()), readFileSync(file));
    await press(arts, '#approvals-list article .approve');
    await arts.locator('#status', { hasText: 'Akkoord gegeven' }).waitFor({ timeout: 30000 });
    const answer = await answerOnCompose();
    assert.match(await answer.textContent(), /^Goedgekeurd door CLB-arts — /);
    await press(page, '#approval-send');
    await page.locator('#status', { hasText: 'Verzonden' }).waitFor({ timeout: 60000 });
  },

  // Declined with a reason: the social worker reads it, and nothing can be sent with it.
  async decline() {
    await composeAndAsk();
    const arts = await artsQueue();
    // No reason, no decline.
    await press(arts, '#approvals-list article .decline');
    await arts.locator('#status', { hasText: 'Geef een reden' }).waitFor();
    await arts.getByLabel('Reden van de weigering').fill(process.env.REASON);
    await press(arts, '#approvals-list article .decline');
    await arts.locator('#status', { hasText: 'Geweigerd' }).waitFor({ timeout: 30000 });
    const answer = await answerOnCompose();
    assert.equal(await answer.textContent(), `Geweigerd door CLB-arts: ${process.env.REASON}`);
    assert.equal(await page.locator('#approval-send').count(), 0);
  },
};

await run(tests);
