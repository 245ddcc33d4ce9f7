// The web inbox in Debian's chromium, timed inside the page (ui_inbox_bench starts the hub, fills
// the inbox and starts `draaischijf ui`; this script drives the browser). Per run, a new tab:
//   - navigation to the inbox: first contentful paint (the page's own paint entry), the moment
//     the list's rows are in the DOM (a MutationObserver on the table) and the first frame
//     painted after that (requestAnimationFrame, then a task);
//   - opening a message: from the click on its button until the read view shows its fragments,
//     and until the frame after that is painted;
//   - what the page fetched: /api/inbox's time and size, the rows and the elements in the DOM;
//   - where the time to the rows goes, from the page's own timings: its HTML and its last module
//     received, the modules run, the device's state and the list asked and answered.
// The first navigation uses the one-time address and is reported apart (cold: the program
// opens every message's topic once). Writes the samples as JSON to OUT; with BASELINE (such a
// file of the same run) prints each median's ratio to the baseline's.
//
//   UI_URL=... LABEL=5000 RUNS=11 OUT=f.json [BASELINE=b.json] node ui_inbox.bench.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Playwright is the browser tests' (tests/browser/node_modules): one pinned copy.
const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const url = process.env.UI_URL;
const label = process.env.LABEL ?? '?';
const runs = Number(process.env.RUNS ?? 11);

// Runs in every document before the page's scripts: watches the list for its rows.
function watchInbox() {
  const bench = (window.benchInbox = {});
  const watch = () => {
    const table = document.getElementById('messages');
    if (!table || bench.watching) return;
    bench.watching = true;
    const observer = new MutationObserver(() => {
      const rows = table.querySelectorAll('tbody tr:not(.group)').length;
      if (rows === 0) return;
      observer.disconnect();
      bench.rowsAt = performance.now();
      bench.rows = rows;
      requestAnimationFrame(() => setTimeout(() => { bench.paintedAt = performance.now(); }, 0));
    });
    observer.observe(table, { childList: true, subtree: true });
  };
  document.addEventListener('readystatechange', watch);
}

// Clicks the open button of data row `index` and times the read view.
function openRow(index) {
  const button = document.querySelectorAll('#messages tbody tr:not(.group) button')[index];
  const view = document.getElementById('read-view');
  const fragments = document.getElementById('fragments');
  return new Promise((resolve) => {
    const start = performance.now();
    const observer = new MutationObserver(() => {
      if (view.hidden || fragments.children.length === 0) return;
      observer.disconnect();
      const shown = performance.now() - start;
      const fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/messages/')).pop();
      requestAnimationFrame(() => setTimeout(() => resolve({
        open_shown: shown,
        open_painted: performance.now() - start,
        message_api: fetched ? fetched.responseEnd - fetched.requestStart : null,
      }), 0));
    });
    observer.observe(document.querySelector('main'), { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
    button.click();
  });
}

// One load timed: in a new tab at `address`, or with `tab` a reload of that tab.
async function measure(context, address, run, tab = null) {
  const page = tab ?? await context.newPage();
  if (tab) await page.reload();
  else await page.goto(address);
  await page.waitForFunction(() => window.benchInbox?.paintedAt !== undefined, null, { timeout: 120000 });
  const nav = await page.evaluate(() => {
    const resources = performance.getEntriesByType('resource');
    const api = (path) => resources.find((e) => new URL(e.name).pathname === path);
    // The list the rows were made from: the page's first request for it.
    const inbox = api('/api/inbox');
    const state = api('/api/state');
    const navigation = performance.getEntriesByType('navigation')[0];
    const scripts = resources.filter((e) => new URL(e.name).pathname.endsWith('.js'));
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      // Where the time to the rows goes, each from the navigation's start: the page's HTML
      // received, its last module received, the modules run (DOMContentLoaded), the device's
      // state asked and answered, the list asked and answered.
      html_done: navigation.responseEnd,
      modules_done: scripts.length ? Math.max(...scripts.map((e) => e.responseEnd)) : null,
      modules_run: navigation.domContentLoadedEventStart,
      state_asked: state ? state.startTime : null,
      state_done: state ? state.responseEnd : null,
      list_asked: inbox ? inbox.startTime : null,
      list_done: inbox ? inbox.responseEnd : null,
      fcp: fcp ? fcp.startTime : null,
      rows_in_dom: window.benchInbox.rowsAt,
      rows_painted: window.benchInbox.paintedAt,
      inbox_api: inbox ? inbox.responseEnd - inbox.requestStart : null,
      inbox_json_kib: inbox ? inbox.decodedBodySize / 1024 : null,
      rows: window.benchInbox.rows,
      elements: document.getElementsByTagName('*').length,
    };
  });
  const rows = nav.rows;
  const opened = await page.evaluate(openRow, (run * 7) % rows);
  if (!tab) await page.close();
  return { ...nav, ...opened };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const context = await browser.newContext({ locale: 'nl-BE' });
await context.addInitScript(watchInbox);
const origin = new URL(url).origin;
const cold = await measure(context, url, 0);
const samples = [];
for (let run = 1; run <= runs; ++run) samples.push(await measure(context, `${origin}/`, run));
// The same page reloaded in one tab: a new tab starts a renderer process of its own for the
// page (its opener policy, docs/BENCHMARKS.md), a reload does not.
const tab = await context.newPage();
await tab.goto(`${origin}/`);
await tab.waitForFunction(() => window.benchInbox?.paintedAt !== undefined, null, { timeout: 120000 });
const reloads = [];
for (let run = 1; run <= runs; ++run) reloads.push(await measure(context, null, run, tab));
await browser.close();

const result = { label, runs, cold, samples, reloads };
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(result));

// Median, p90 and worst of one figure over the runs (nearest rank).
function stats(list, key) {
  const values = list.map((s) => s[key]).filter((v) => v !== null).sort((a, b) => a - b);
  const rank = (p) => values[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)];
  return { median: rank(0.5), p90: rank(0.9), worst: values[values.length - 1] };
}
const baseline = process.env.BASELINE ? JSON.parse(readFileSync(process.env.BASELINE, 'utf8')) : null;
const fixed = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
function report(title, list, first, against) {
  console.log(`inbox of ${label} messages, ${title}: ${runs} runs` + (first ? ' (cold first load apart)' : '') +
              (against ? `; ratio = median / median with ${baseline.label} messages` : ''));
  console.log('figure            median     p90   worst' + (first ? '    cold' : '') + (against ? '   ratio' : ''));
  for (const key of ['fcp', 'rows_in_dom', 'rows_painted', 'inbox_api', 'inbox_json_kib',
                     'elements', 'open_shown', 'open_painted', 'message_api', 'html_done',
                     'modules_done', 'modules_run', 'state_asked', 'state_done', 'list_asked',
                     'list_done']) {
    const s = stats(list, key);
    let line = `${key.padEnd(16)} ${fixed(s.median).padStart(7)} ${fixed(s.p90).padStart(7)} ` +
               `${fixed(s.worst).padStart(7)}` + (first ? ` ${fixed(first[key]).padStart(7)}` : '');
    if (against) line += ` ${fixed(s.median / stats(against, key).median, 2).padStart(7)}`;
    console.log(line);
  }
}
report('each load in a new tab', samples, cold, baseline?.samples);
report('reloaded in one tab', reloads, null, baseline?.reloads);
console.log(`rows rendered: ${cold.rows}`);
