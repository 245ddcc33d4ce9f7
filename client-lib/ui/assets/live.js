// Live updates: the program follows the hub's stream and counts what it hears; this page asks
// GET /api/events?after=N, which answers as soon as the count passes N (or after a while with
// the same count), and calls onChange when it moved. The page never talks to the hub, and
// learns only that something came: the inbox is then fetched from the program as usual.
const RETRY_MS = 2000;
let started = false;

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

export function startLive(onChange) {
  if (started) return;
  started = true;
  (async () => {
    let after = null;
    for (;;) {
      try {
        const response = await fetch(after === null ? '/api/events' : `/api/events?after=${after}`);
        if (!response.ok) throw new Error(String(response.status));
        const { generation } = await response.json();
        if (after !== null && generation !== after) onChange();
        after = generation;
      } catch {
        await wait(RETRY_MS);  // the program stopped or restarts: ask again shortly
      }
    }
  })();
}
