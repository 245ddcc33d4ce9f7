// Browser tests of the inbox's grouping and filters, its live updates and the work views, run
// by work_browser_test.cpp (which starts the real hub, the CLI profiles and the `draaischijf ui`
// processes and passes what it set up in the environment).
//
//   UI_URL=http://127.0.0.1:PORT/?t=TOKEN node work.browser.mjs NAME
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessible, listed, openInbox, page, run } from './harness.mjs';

const rows = () => page.locator('#messages tbody tr:not(.group)');
const groupHeads = () => page.locator('#messages tr.group th');
const texts = async (locator) => (await locator.allTextContents()).map((s) => s.trim());

const tests = {
  // The school sends while the CLB's inbox is open: the program hears it on the hub's stream
  // and the page, long-polling the program, shows it within a few seconds, without a reload.
  async live() {
    await openInbox();
    assert.equal(await rows().count(), 0);
    // The program is listening on the hub's stream before the school sends.
    const listening = () => page.evaluate(async () => (await (await fetch('/api/events')).json()).listening);
    for (let i = 0; i < 100 && !(await listening()); ++i) await page.waitForTimeout(200);
    assert.equal(await listening(), true, 'the program follows the hub\'s stream');
    await page.evaluate(() => { window.notReloaded = true; });
    const [program, ...args] = JSON.parse(process.env.SCHOOL_SEND);
    const sent = spawnSync(program, args, { encoding: 'utf8' });
    assert.equal(sent.status, 0, sent.stderr);
    const start = Date.now();
    await rows().first().waitFor({ timeout: 5000 });
    console.log(`shown ${Date.now() - start} ms after the send returned`);
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    assert.match(await page.locator('#unread-count').textContent(), /1 ongelezen/);
    assert.match(await rows().first().textContent(), /school-leerling-7/);
  },

  // The hub stopped (HUB_PID, SIGSTOP: it answers nothing): the page lists the HELD_TOTAL
  // messages the device holds at once, while the program's sync with the hub waits. The hub
  // goes on: the sync answers and its list completes the rows with the pupils, which the
  // program learns by opening the messages at the sync.
  async held() {
    const total = Number(process.env.HELD_TOTAL);
    const hub = Number(process.env.HUB_PID);
    const synced = () => page.evaluate(() =>
      performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname === '/api/inbox' && !e.name.includes('local=1')));
    process.kill(hub, 'SIGSTOP');
    try {
      await openInbox();
      await rows().nth(total - 1).waitFor({ timeout: 10000 });
      assert.equal(await rows().count(), total);
      assert.equal(await synced(), false, 'the rows came before the sync answered');
    } finally {
      process.kill(hub, 'SIGCONT');
    }
    const pupils = page.locator('#messages tbody tr td:nth-child(4)', { hasText: 'school-leerling-' });
    await pupils.first().waitFor({ timeout: 60000 });
    assert.equal(await synced(), true);
    assert.equal(await rows().count(), total);
    assert.equal(await page.locator('#sync-problem').isVisible(), false);
  },

  // Four signalen of the school: two in one thread about leerling 7, one more about leerling 7
  // in a thread of its own, one about leerling 8. Grouped by pupil, by thread, and filtered.
  async grouping() {
    await openInbox();
    await rows().nth(3).waitFor();
    assert.equal(await rows().count(), 4);
    assert.match(await page.locator('#unread-count').textContent(), /4 ongelezen/);
    // The pupil column names the pupil as the school named them, never the pseudonym.
    const pupils = await texts(page.locator('#messages tbody tr td:nth-child(4)'));
    assert.deepEqual([...new Set(pupils)].sort(), ['school-leerling-7', 'school-leerling-8']);

    await page.selectOption('#group-by', 'pupil');
    await listed();
    assert.deepEqual((await texts(groupHeads())).sort(), [
      'Leerling: school-leerling-7 · 3 berichten · 3 ongelezen',
      'Leerling: school-leerling-8 · 1 berichten · 1 ongelezen',
    ]);
    await accessible('inbox grouped by pupil');

    await page.selectOption('#group-by', 'thread');
    await listed();
    const threads = await texts(groupHeads());
    assert.equal(threads.length, 3, threads.join('\n'));
    assert.deepEqual(threads.map((s) => s.match(/· (\d) berichten/)[1]).sort(), ['1', '1', '2']);

    // Reading one lowers its group's unread count.
    await page.selectOption('#group-by', 'pupil');
    await listed();
    const eight = page.locator('#messages tbody', { hasText: 'school-leerling-8' });
    await eight.getByRole('button', { name: /Openen/ }).click();
    await page.locator('#read-view').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Terug naar de inbox' }).click();
    // The inbox is fetched again on the way back: leerling 8's group has nothing unread left.
    await page.locator('#messages tr.group th', { hasText: /leerling-8 · 1 berichten$/ }).waitFor();
    assert.deepEqual((await texts(groupHeads())).sort(), [
      'Leerling: school-leerling-7 · 3 berichten · 3 ongelezen',
      'Leerling: school-leerling-8 · 1 berichten',
    ]);

    // Filters: pupil, unread, kind, state (the case the CLB assigned), overdue.
    await page.selectOption('#group-by', '');
    await listed();
    const eightValue = await page.$eval('#filter-pupil', (s) =>
      [...s.options].find((o) => o.text === 'school-leerling-8').value);
    await page.selectOption('#filter-pupil', eightValue);
    await listed();
    assert.equal(await rows().count(), 1);
    await page.selectOption('#filter-pupil', '');
    await listed();
    await page.getByLabel('Alleen ongelezen').check();
    await listed();
    assert.equal(await rows().count(), 3);
    await page.getByLabel('Alleen ongelezen').uncheck();
    await listed();
    assert.deepEqual(await texts(page.locator('#filter-state option')), ['Alle', 'nieuw', 'toegewezen']);
    await page.selectOption('#filter-state', 'assigned');
    await listed();
    assert.equal(await rows().count(), 1);
    assert.match(await rows().first().textContent(), /school-leerling-8/);
    await page.selectOption('#filter-state', '');
    await listed();
    await page.selectOption('#filter-kind', 'signaal');
    await listed();
    assert.equal(await rows().count(), 4);
    await page.getByLabel('Alleen te laat').check();
    await listed();
    assert.equal(await rows().count(), 0, 'nothing is past its due date yet');
    assert.equal(await page.locator('#empty').isVisible(), true);
    await accessible('inbox filtered');
  },

  // 130 messages of the school (PAGING_TOTAL; seven pupils, every fifth a consultatie, a third
  // read): the newest 100 are in the page, "meer laden" by keyboard shows the rest with the
  // focus on the first new message, and filters and counts cover all 130, not the first page.
  async paging() {
    const total = Number(process.env.PAGING_TOTAL);
    const unread = total - Math.ceil(total / 3);
    await openInbox();
    await rows().nth(99).waitFor();
    assert.equal(await rows().count(), 100);
    // The device filled its inbox before the program started: the first list comes from the
    // device at once, and the pupils with the sync's list, once the program opened each message.
    await page.locator('#filter-pupil option', { hasText: 'school-leerling-0' }).waitFor({ state: 'attached' });
    assert.equal(await page.locator('#inbox-shown').textContent(), `100 van ${total} berichten getoond`);
    assert.match(await page.locator('#unread-count').textContent(), new RegExp(`\\(${unread} ongelezen`));

    // The pupil of messages 0, 7, ..., 126: 19 in all, 14 of them among the newest 100.
    const zero = await page.$eval('#filter-pupil', (s) =>
      [...s.options].find((o) => o.text === 'school-leerling-0').value);
    await page.selectOption('#filter-pupil', zero);
    await listed();
    assert.equal(await rows().count(), 19);
    assert.equal(await page.locator('#inbox-more').isVisible(), false);
    await page.selectOption('#filter-pupil', '');
    await listed();
    await page.selectOption('#filter-kind', 'consultatie');
    await listed();
    assert.equal(await rows().count(), total / 5);
    await page.selectOption('#filter-kind', '');
    await listed();
    await page.getByLabel('Alleen ongelezen').check();
    await listed();
    assert.equal(await rows().count(), unread, 'every unread message, not the first page\'s');
    await page.getByLabel('Alleen ongelezen').uncheck();
    await listed();
    await page.selectOption('#group-by', 'pupil');
    await listed();
    assert.match(await groupHeads().filter({ hasText: 'school-leerling-0' }).textContent(), /· 19 berichten/);
    await page.selectOption('#group-by', '');
    await listed();
    assert.equal(await rows().count(), 100, 'a new filter starts at the first page again');

    await page.locator('#inbox-more').focus();
    assert.equal(await page.locator('#inbox-more').textContent(), 'Meer laden (30)');
    await page.keyboard.press('Enter');
    await listed();
    assert.equal(await rows().count(), total);
    assert.equal(await page.locator('#inbox-more').isVisible(), false);
    assert.equal(await page.evaluate(() =>
      [...document.querySelectorAll('#messages tbody tr:not(.group)')].indexOf(document.activeElement.closest('tr'))), 100);
    await accessible('inbox with a page loaded more');
  },

  // The CLB's triage queue: the urgent signaal first though it came last; "assign to me" and
  // "vraagverheldering" are signed by the program and recorded by the hub (the harness checks
  // with the CLI); a step the hub refuses shows its reason; the director's report.
  async triage() {
    await openInbox();
    await page.getByRole('button', { name: 'Triage' }).click();
    const cases = page.locator('#work-body tbody tr');
    await cases.nth(1).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'work-title');
    assert.match(await cases.nth(0).textContent(), /dringend/);
    assert.match(await cases.nth(1).textContent(), /gewoon/);
    assert.match(await cases.nth(0).locator('td').nth(2).textContent(), /^school-leerling-8$/);
    assert.match(await cases.nth(0).locator('td').first().textContent(),
                 /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    await accessible('triage');

    // A step the hub refuses: vraagverheldering on a case nobody has.
    const step = (row, text) => cases.nth(row).getByRole('combobox').selectOption({ label: text });
    await step(1, 'Vraagverheldering');
    await cases.nth(1).getByRole('button', { name: 'Uitvoeren' }).click();
    await page.locator('#status', { hasText: /vraagverheldering is not allowed/ }).waitFor();
    assert.match(await cases.nth(1).locator('td').nth(3).textContent(), /^nieuw$/);

    // The urgent case: assigned to this device's person, then clarified.
    await step(0, 'Aan mij toewijzen');
    await cases.nth(0).getByRole('button', { name: 'Uitvoeren' }).click();
    await page.locator('#work-body tbody tr td:nth-child(4)', { hasText: /^toegewezen$/ }).waitFor();
    await step(0, 'Vraagverheldering');
    await cases.nth(0).getByRole('button', { name: 'Uitvoeren' }).click();
    await page.locator('#work-body tbody tr td:nth-child(4)', { hasText: /^vraagverheldering$/ })
        .waitFor();

    await page.getByRole('button', { name: 'Rapport' }).click();
    await page.locator('#work-body h3').first().waitFor();
    const report = await page.locator('#work-body').textContent();
    assert.match(report, /Open dossiers/);
    assert.match(report, /vraagverheldering/);
    assert.match(report, /tot eerste contact/);
    await accessible('report');
  },

  // The school's page: its signalen with the three states the hub shows a school, and the
  // triage queue and report refused by the hub, its reason shown in place of the view.
  async school() {
    await openInbox();
    await page.getByRole('button', { name: 'Mijn signalen' }).click();
    const signalen = page.locator('#work-body tbody tr');
    await signalen.nth(1).waitFor();
    assert.deepEqual((await texts(page.locator('#work-body tbody td:nth-child(3)'))).sort(),
                     ['in behandeling', 'ontvangen']);
    await accessible('signalen');
    for (const view of ['Triage', 'Rapport']) {
      await page.getByRole('button', { name: view }).click();
      const problem = page.locator('#work-problem');
      await problem.waitFor({ state: 'visible' });
      assert.match(await problem.textContent(), /^De hub weigert dit — .*clb/i);
      assert.equal(await page.locator('#work-body').textContent(), '');
    }
    await accessible('refused view');
  },

  // The partner's referral board: the CLB's referral with its state and due dates (Belgian
  // format), its history verified; English on request.
  async referrals() {
    await openInbox();
    await page.getByRole('button', { name: 'Verwijzingen' }).click();
    const row = page.locator('#work-body tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const cells = await texts(row.first().locator('td'));
    assert.equal(cells[1], 'doorverwijzing');
    assert.equal(cells[3], 'ontvangen');
    assert.match(cells[4], /^\d{2}\/\d{2}\/\d{4}$/);
    assert.match(cells[5], /^\d{2}\/\d{2}\/\d{4}$/);
    assert.equal(cells[6], '', 'not overdue');
    assert.equal(cells[7], 'Geverifieerd');
    await accessible('referrals');
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('#work-body th', { hasText: 'Answer due' }).waitFor();
    await accessible('referrals (en)');
  },
};

await run(tests);
