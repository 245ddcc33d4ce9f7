// The inbox list: grouped by thread or by pupil, filtered by kind, unread, pupil, state and
// overdue, with unread counts per group. The program chooses the rows (client-lib/ui/
// inbox_window.hpp): the page asks it for the window its controls describe and gets that
// page of rows, how they group, the counts over every message and the filters' choices. With
// thousands of messages, sending all of them to the page and filtering them here took most of
// its first paint (docs/BENCHMARKS.md, "Web inbox"). Every text is set with textContent.
import { t, formatDate, flagLabels, label, labels } from './i18n.js';
import { moreText, shownText } from './i18n-inbox.js';

const $ = (id) => document.getElementById(id);
export const PAGE_SIZE = 100;
let view = null;  // the program's last answer for the window shown
let openMessage = () => {};
let ask = async () => ({});  // asks the program (the page's api())
let limit = PAGE_SIZE;  // rows shown: grows with "meer laden", back to a page on a new filter
let asking = 0;  // the newest window asked for: an older answer that comes later is dropped

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

export function senderText(m) {
  return `${m.sender_org_name || m.sender_org.slice(0, 8)} · ${label('role', m.sender_role)}`;
}

// The pupil as the organisation named them (the reference inside the signed message), never
// the pseudonym when a reference is known; a short pseudonym otherwise.
export function pupilText(m) {
  if (!m.pupil) return t('no_pupil');
  return m.pupil_label || `${t('pseudonym')} ${m.pupil.slice(0, 8)}`;
}

function stateText(m) {
  if (!m.state) return '';
  return m.overdue ? `${label('state', m.state)} · ${t('overdue')}` : label('state', m.state);
}

function checkCell(m) {
  const cell = el('td');
  if (!m.verified) {
    cell.append(el('span', `${t('not_verified')}: ${m.problem}`, 'warning'));
  } else if (m.flags.length > 0) {
    cell.append(el('span', `${t('verified')} · ${flagLabels(m.flags)}`, 'warning'));
  } else {
    cell.append(el('span', t('verified'), 'verified'));
  }
  return cell;
}

// A select's options from the values present, sorted by what they show, keeping the choice.
function fillSelect(select, values) {
  const chosen = select.value;
  select.replaceChildren(new Option(t('all_kinds'), ''));
  for (const [value, text] of values.sort((x, y) => x[1].localeCompare(y[1]))) {
    select.append(new Option(text, value));
  }
  select.value = values.some(([value]) => value === chosen) ? chosen : '';
}

function fillFilters() {
  fillSelect($('filter-kind'), view.kinds.map((kind) => [kind, label('kind', kind)]));
  fillSelect($('filter-pupil'), view.pupils.map((p) => [p.pupil, pupilText(p)]));
  fillSelect($('filter-state'), view.states.map((state) => [state, label('state', state)]));
}

/// The window the controls ask for, as the query after "?local=1" (empty for the first page
/// of everything, ungrouped: the address index.html preloads).
export function listQuery() {
  const query = new URLSearchParams();
  const add = (name, value) => { if (value) query.set(name, value); };
  add('by', $('group-by').value);
  add('kind', $('filter-kind').value);
  add('pupil', $('filter-pupil').value);
  add('state', $('filter-state').value);
  add('unread', $('filter-unread').checked ? '1' : '');
  add('overdue', $('filter-overdue').checked ? '1' : '');
  add('limit', limit === PAGE_SIZE ? '' : String(limit));
  const text = query.toString();
  return text ? `&${text}` : '';
}

function row(m) {
  const tr = document.createElement('tr');
  if (!m.read) tr.className = 'unread';
  tr.append(el('td', formatDate(m.received_at_ms)), el('td', label('kind', m.kind)), el('td', senderText(m)),
            el('td', pupilText(m)), el('td', stateText(m), m.overdue ? 'warning' : undefined),
            el('td', labels('category', m.categories)), checkCell(m));
  const open = el('button', t('open'));
  open.type = 'button';
  open.setAttribute('aria-label', `${t('open')}: ${label('kind', m.kind)}, ${senderText(m)}`);
  open.disabled = !m.verified;
  open.addEventListener('click', () => openMessage(m));
  const cell = el('td');
  cell.append(open);
  tr.append(cell);
  return tr;
}

// The group's heading row: what started the thread or the pupil, how many messages it holds
// and how many are unread (all that match, also those not shown yet).
function groupHead(group, by) {
  const first = group.first;
  const heading = by === 'thread' ? `${t('thread')}: ${label('kind', first.kind)} · ${senderText(first)}`
                                : `${t('pupil_group')}: ${pupilText(first)}`;
  const head = document.createElement('tr');
  head.className = 'group';
  const cell = el('th', `${heading} · ${group.count} ${t('messages_count')}` +
                        (group.unread > 0 ? ` · ${group.unread} ${t('unread')}` : ''));
  cell.scope = 'rowgroup';
  cell.colSpan = 8;
  head.append(cell);
  return head;
}

// "n van m getoond" and the button for the next page, hidden when everything is shown.
function showPaging(shown, total) {
  $('inbox-shown').textContent = total > PAGE_SIZE ? shownText(shown, total) : '';
  $('inbox-more').hidden = shown >= total;
  $('inbox-more').textContent = moreText(Math.min(PAGE_SIZE, total - shown));
}

/// The window the program answered, in the page (again after a change of language).
export function renderInbox() {
  if (!view) return;
  fillFilters();
  const table = $('messages');
  for (const body of [...table.tBodies]) body.remove();
  let next = 0;
  for (const group of view.groups) {
    const body = document.createElement('tbody');
    if (group.first) {
      body.append(groupHead(group, $('group-by').value));
      body.dataset.group = group.key;
    }
    for (const m of view.messages.slice(next, next + group.shown)) body.append(row(m));
    next += group.shown;
    table.append(body);
  }
  $('empty').hidden = view.matching > 0;
  showPaging(view.messages.length, view.matching);
  $('unread-count').textContent = view.unread > 0 ? `(${view.unread} ${t('unread')})` : '';
}

/// An answer of GET /api/inbox for the window `query` (listQuery() when it was asked), shown
/// when the controls still ask for that window. The list comes twice when the inbox is shown
/// (from the device, then after the sync with the hub): an unchanged one is not put in the
/// page again, which would take the keyboard focus off its row.
export function setList(answer, query) {
  if (query !== listQuery()) return;
  const { synced, sync_problem: problem, ...shown } = answer;
  if (view && JSON.stringify(shown) === JSON.stringify(view)) return;
  view = shown;
  renderInbox();
}

// Asks the program for the window the controls describe; the table is busy until it is shown.
async function refresh() {
  const asked = ++asking;
  const query = listQuery();
  $('messages').setAttribute('aria-busy', 'true');
  try {
    const answer = await ask(`/api/inbox?local=1${query}`);
    if (asked === asking) setList(answer, query);
  } catch { /* said already */ } finally {
    if (asked === asking) $('messages').setAttribute('aria-busy', 'false');
  }
}

// The next page, with the keyboard focus on its first message, where reading goes on.
async function showMore() {
  const before = view.messages.length;
  limit += PAGE_SIZE;
  await refresh();
  const next = $('messages').querySelectorAll('tbody tr:not(.group)')[before];
  const button = next?.querySelector('button:not(:disabled)');
  if (button) button.focus();
}

// The paging line under the list, made here with the module that fills it.
function addPaging() {
  const line = el('p', undefined, 'paging');
  line.id = 'inbox-paging';
  const shown = el('span');
  shown.id = 'inbox-shown';
  shown.setAttribute('role', 'status');
  const more = el('button');
  more.id = 'inbox-more';
  more.type = 'button';
  more.hidden = true;
  more.addEventListener('click', showMore);
  line.append(shown, ' ', more);
  $('empty').after(line);
}

/// Sets the inbox up: `open` opens a message, `api` asks the program (with the page's
/// conventions: a locked program asks for the passphrase, a problem is said).
export function initInbox(open, api) {
  openMessage = open;
  ask = api;
  addPaging();
  for (const id of ['group-by', 'filter-kind', 'filter-pupil', 'filter-state', 'filter-unread',
                    'filter-overdue']) {
    $(id).addEventListener('change', () => {
      limit = PAGE_SIZE;
      refresh();
    });
  }
}
