// The web inbox's page. It holds no key and decides nothing about trust: the local server
// (draaischijf ui, in C++) opens and verifies every message and hands over data as JSON. Every
// text that comes from a message or from the hub is set with textContent, never as HTML, so a
// "<script>" or "<img onerror>" in a message stays text.
import { setAttachmentLimit } from './compose-attach.js';
import { t, translatePage, setLanguage, currentLanguage, formatDate, flagLabels, label } from './i18n.js';
import { initInbox, listQuery, renderInbox, senderText, setList } from './inbox.js';
import { startLive } from './live.js';
import { initWork, refreshWork } from './work.js';

const $ = (id) => document.getElementById(id);
let current = null;  // the message open in the read view

// A text cell or element: text only.
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function show(view) {
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== view;
}

function say(text) { $('status').textContent = text; }

// fetch with the API's conventions: JSON both ways, the answer as answered() takes it.
async function api(path, options = {}) {
  const init = { method: options.method ?? 'GET', headers: {} };
  // The page's own refresh does not count as use: the keys still lock when nobody works.
  if (options.background) init.headers['X-Draaischijf-Background'] = '1';
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.raw !== undefined) {  // a file the person attaches, as it is
    init.headers['Content-Type'] = 'application/octet-stream';
    init.body = options.raw;
  }
  return answered(await fetch(path, init));
}

// An answer of the API: its JSON; a 423 means locked (the page asks for the passphrase);
// another problem is shown in the person's language with what to do.
async function answered(response) {
  const body = await response.json().catch(() => ({}));
  if (response.status === 423) {
    showUnlock();
    throw new Error('locked');
  }
  if (!response.ok) {
    say(problemLine(body));
    const error = new Error(body.type ?? String(response.status));
    error.refusal = body.refusal;  // a send the policy refused: the compose screen shows it
    error.problem = body;  // the whole document: the work views show it, the consent screen lists its issues
    throw error;
  }
  return body;
}

// A problem document in the person's language: title, detail, what to do.
function problemLine(body) {
  const title = currentLanguage() === 'en' ? body.title : body.title_nl;
  const what = currentLanguage() === 'en' ? body.what_to_do : body.wat_nu;
  return [title, body.detail, what].filter(Boolean).join(' — ');
}

// An attachment, fetched by the page so that a refusal (the program found the bytes altered,
// or the hub failed) is shown beside it instead of being saved as a file; a verified one is
// then saved under the program's safe name, never opened in this page.
async function download(link, item, a) {
  const response = await fetch(link.href);
  if (response.status === 423) {
    showUnlock();
    return;
  }
  if (!response.ok) {
    const why = `${t('download_refused')}${a.file_name} — ${problemLine(await response.json().catch(() => ({})))}`;
    say(why);
    item.querySelector('.refused')?.remove();
    item.append(el('strong', why, 'refused'));
    return;
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const save = document.createElement('a');
  save.href = URL.createObjectURL(await response.blob());
  save.download = /filename="([^"]*)"/.exec(disposition)?.[1] ?? 'bijlage';
  save.click();
  setTimeout(() => URL.revokeObjectURL(save.href), 60000);
}

function showUnlock() {
  show('unlock-view');
  $('passphrase').value = '';
  $('passphrase').focus();
}

// The device's state, from the answer already asked for or asked now.
async function refreshState(asked = fetch('/api/state')) {
  const state = await answered(await asked);
  setAttachmentLimit(state.max_attachment_bytes);
  if (state.key_file) $('passphrase').placeholder = t('unlock_key_file');
  if (state.locked) {
    $('device').textContent = '';
    showUnlock();
    return false;
  }
  $('device').textContent =
      `${t('you_are')} ${state.device.device_id.slice(0, 8)} · ${t('role_label')} ${label('role', state.device.role)}`;
  // The consent registry is the CLB's (the hub refuses every other organisation).
  document.body.dataset.role = state.device.role;
  $('nav-consents').hidden = !state.device.role.startsWith('clb_');
  $('nav-disclosures').hidden = !state.device.role.startsWith('clb_');
  $('nav-approvals').hidden = !state.device.role.startsWith('clb_');
  return true;
}

// An answer of GET /api/inbox for the window `query`: after a sync whether it reached the hub,
// and the rows (none after a sync that brought nothing new: the page keeps those it shows).
function showList(inbox, query) {
  if (inbox.synced) {
    $('sync-problem').hidden = !inbox.sync_problem;
    $('sync-problem').textContent = inbox.sync_problem ? t('sync_failed') + inbox.sync_problem : '';
  }
  if (inbox.messages) setList(inbox, query);
}

// The program syncs with the hub and lists again when that brought news: new messages, where
// the work stands, threads and pupils of messages the device listed without.
async function syncInbox(background = false) {
  const query = listQuery();
  showList(await api(`/api/inbox?news=1${query}`, { background }), query);
}

// The inbox at once as the device holds it (from the answer already asked for or asked now),
// then after the sync with the hub: the list never waits for the hub.
async function showInbox(query = listQuery(), asked = fetch(`/api/inbox?local=1${query}`)) {
  show('inbox-view');
  showList(await answered(await asked), query);
  // New messages show up without a reload: the program relays the hub's stream. What the
  // page fetches on its own does not count as use (the keys still lock when nobody works).
  startLive(() => {
    if (!$('inbox-view').hidden) syncInbox(true).catch(() => {});
  });
  await syncInbox();
}

function meta(list, term, value) {
  list.append(el('dt', term), el('dd', value));
}

async function openMessage(entry) {
  say(t('loading'));
  const m = await api(`/api/messages/${entry.mailbox_id}/${entry.sequence}`);
  current = m;
  say('');
  $('read-title').textContent = `${label('kind', m.kind)} · ${senderText(m)}`;
  const list = $('read-meta');
  list.replaceChildren();
  meta(list, t('sender'), m.sender_org_name || m.sender_org);
  meta(list, t('role'), label('role', m.sender_role));
  meta(list, t('device'), m.sender_device);
  meta(list, t('received'), formatDate(m.received_at_ms));
  meta(list, t('purpose'), label('purpose', m.purpose));
  meta(list, t('thread'), m.thread_id);
  $('read-warning').hidden = m.flags.length === 0;
  $('read-warning').textContent = m.flags.length ? t('flagged_message') + flagLabels(m.flags) : '';
  const fragments = $('fragments');
  fragments.replaceChildren();
  for (const f of m.fragments) {
    const box = el('section', undefined, 'fragment');
    box.append(el('h3', `${label('category', f.category)} · ${f.media_type}`));
    box.append(el('pre', f.text || `${f.size} ${t('bytes')}`));
    fragments.append(box);
  }
  const attachments = $('attachments');
  attachments.replaceChildren();
  m.attachments.forEach((a, n) => {
    const item = el('li', `${a.file_name} (${label('category', a.category)}, ${a.media_type}, ${a.size} ${t('bytes')}) `);
    // Fetched and checked against the sender's signed hash by the program before the browser
    // gets a byte; always saved as a file, never opened in this page.
    const link = el('a', t('download'));
    link.href = `/api/messages/${m.mailbox_id}/${m.sequence}/attachments/${n}`;
    link.setAttribute('download', '');
    link.setAttribute('aria-label', `${t('download')}: ${a.file_name}`);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      download(link, item, a).catch(() => say(t('download_refused') + a.file_name));
    });
    item.append(link);
    attachments.append(item);
  });
  if (m.attachments.length === 0) attachments.append(el('li', t('none')));
  show('read-view');
  $('read-title').focus();
}

// A screen whose module is imported on first use: `load` imports it, `init` sets it up once. An
// import that failed (the program stopped) is tried again at the next use.
function screen(load, init) {
  let loaded = null;
  return () => {
    loaded ??= load().then((module) => { init(module); return module; },
                           (error) => { loaded = null; throw error; });
    return loaded;
  };
}

async function start() {
  translatePage();
  $('lang').addEventListener('click', () => {
    setLanguage(currentLanguage() === 'en' ? 'nl' : 'en');
    translatePage();
    if (!$('inbox-view').hidden) renderInbox();
    refreshWork();
  });
  const lockNow = async () => {
    await api('/api/lock', { method: 'POST' });
    showUnlock();
  };
  $('lock').addEventListener('click', lockNow);
  $('unlock-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('/api/unlock', { method: 'POST', body: { passphrase: $('passphrase').value } });
      $('passphrase').value = '';
      say('');
      if (await refreshState()) await showInbox();
    } catch { /* said already */ }
  });
  const backToInbox = () => { showInbox().catch(() => {}); };
  // The other screens' modules are imported when a screen is first opened, and set up then,
  // once: the first paint waits only for the inbox's.
  const compose = screen(() => import('./compose.js'), (m) => m.initCompose(api, say, backToInbox));
  const consent = screen(() => import('./consent.js'), (m) => m.initConsent(api, say, backToInbox));
  const disclosures = screen(() => import('./disclosures.js'), (m) => m.initDisclosures(api, backToInbox));
  const approvals = screen(() => import('./approvals.js'), (m) => m.initApprovals(api, say, backToInbox));
  const settings = screen(() => import('./settings.js'), (m) => m.initSettings(lockNow, backToInbox));
  // Each screen is shown once its module is there, so it opens (its focus set) as before.
  const open = async (load, view, opening) => {
    let module;
    try { module = await load(); } catch { return; /* the program stopped */ }
    show(view);
    try { await opening(module); } catch { /* said already */ }
  };
  $('new-message').addEventListener('click', () => open(compose, 'compose-view', (m) => m.openCompose(api)));
  initInbox((m) => { openMessage(m).catch(() => {}); }, api);
  initWork({ api, say, show });
  $('inbox-nav').addEventListener('click', backToInbox);
  $('nav-consents').addEventListener('click', () => open(consent, 'consent-view', (m) => m.openConsents()));
  $('nav-disclosures').addEventListener('click',
      () => open(disclosures, 'disclosure-view', (m) => m.openDisclosures()));
  $('nav-approvals').addEventListener('click', () => open(approvals, 'approvals-view', (m) => m.openApprovals()));
  $('nav-settings').addEventListener('click', () => open(settings, 'settings-view', (m) => m.openSettings(api)));
  $('back').addEventListener('click', () => { current = null; showInbox().catch(() => {}); });
  $('reply').addEventListener('click', () => open(compose, 'compose-view', (m) => m.openCompose(api, current)));
  $('acknowledge').addEventListener('click', async () => {
    try {
      await api(`/api/messages/${current.mailbox_id}/${current.sequence}/ack`, { method: 'POST' });
      say(t('acknowledged'));
    } catch { /* said already */ }
  });
  // The state and the list at once (index.html preloads both, so they are on their way
  // already); the list is not used when the keys are locked.
  const state = fetch('/api/state');
  const list = fetch('/api/inbox?local=1');
  list.catch(() => {});
  try {
    if (await refreshState(state)) await showInbox('', list);
  } catch { /* said already */ }
}

start();
