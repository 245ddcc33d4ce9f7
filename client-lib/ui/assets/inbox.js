// The inbox list: grouped by thread or by pupil, filtered by kind, unread, pupil, state and
// overdue, with unread counts per group. The program lists every message with what it is about
// (thread and pupil from the signed inner part) and where the work on it stands (the case or
// the referral, as the hub reports it); this module only arranges that data. Every text is set
// with textContent.
//
// Filters, groups and counts always cover every message; only the rows put in the page are
// paged: the newest PAGE_SIZE first, then PAGE_SIZE more per "meer laden". A table of thousands
// of rows takes the browser longer to lay out than the rest of the page together
// (docs/BENCHMARKS.md, "Web inbox").
import { t, formatDate, flagLabels, label, labels } from './i18n.js';
import { moreText, shownText } from './i18n-inbox.js';

const $ = (id) => document.getElementById(id);
export const PAGE_SIZE = 100;
let messages = [];
let openMessage = () => {};
let limit = PAGE_SIZE;  // rows shown: grows with "meer laden", back to a page on a new filter
let shown = false;  // whether a list was rendered (an empty one too)

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

// A select's options from the values present, keeping the choice when it is still offered.
function fillSelect(select, values, describe) {
  const chosen = select.value;
  select.replaceChildren(new Option(t('all_kinds'), ''));
  for (const [value, text] of values) select.append(new Option(describe ? describe(text) : text, value));
  select.value = values.some(([value]) => value === chosen) ? chosen : '';
}

function fillFilters() {
  const unique = (pairs) => [...new Map(pairs).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  fillSelect($('filter-kind'), unique(messages.map((m) => [m.kind, label('kind', m.kind)])));
  fillSelect($('filter-pupil'), unique(messages.filter((m) => m.pupil).map((m) => [m.pupil, pupilText(m)])));
  fillSelect($('filter-state'), unique(messages.filter((m) => m.state).map((m) => [m.state, label('state', m.state)])));
}

function chosen() {
  const kind = $('filter-kind').value;
  const pupil = $('filter-pupil').value;
  const state = $('filter-state').value;
  const unreadOnly = $('filter-unread').checked;
  const overdueOnly = $('filter-overdue').checked;
  return messages.filter((m) => (!kind || m.kind === kind) && (!pupil || m.pupil === pupil) &&
      (!state || m.state === state) && (!unreadOnly || !m.read) && (!overdueOnly || m.overdue));
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

// Groups of the shown messages, newest group first; each group's rows newest first.
function groups(rows, by) {
  if (!by) return [{ key: '', label: '', rows }];
  const map = new Map();
  for (const m of rows) {
    const key = by === 'thread' ? (m.thread_id || `${m.mailbox_id}/${m.sequence}`) : (m.pupil || '');
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(m);
  }
  const out = [...map.entries()].map(([key, list]) => {
    const first = list[list.length - 1];  // the oldest: what started the thread
    const heading = by === 'thread' ? `${t('thread')}: ${label('kind', first.kind)} · ${senderText(first)}`
                                  : `${t('pupil_group')}: ${pupilText(first)}`;
    return { key, label: heading, rows: list };
  });
  return out.sort((a, b) => b.rows[0].received_at_ms - a.rows[0].received_at_ms);
}

// The group's heading row: its label, how many messages it holds and how many are unread
// (all of them, also those not shown yet).
function groupHead(group) {
  const unread = group.rows.filter((m) => !m.read).length;
  const head = document.createElement('tr');
  head.className = 'group';
  const cell = el('th', `${group.label} · ${group.rows.length} ${t('messages_count')}` +
                        (unread > 0 ? ` · ${unread} ${t('unread')}` : ''));
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

export function renderInbox() {
  fillFilters();
  const rows = chosen().sort((a, b) => b.received_at_ms - a.received_at_ms);
  const by = $('group-by').value;
  const table = $('messages');
  for (const body of [...table.tBodies]) body.remove();
  let room = limit;
  for (const group of groups(rows, by)) {
    if (room <= 0) break;
    const body = document.createElement('tbody');
    if (by) {
      body.append(groupHead(group));
      body.dataset.group = group.key;
    }
    for (const m of group.rows.slice(0, room)) body.append(row(m));
    room -= Math.min(room, group.rows.length);
    table.append(body);
  }
  $('empty').hidden = rows.length > 0;
  showPaging(Math.min(limit, rows.length), rows.length);
  const unread = messages.filter((m) => !m.read).length;
  $('unread-count').textContent = unread > 0 ? `(${unread} ${t('unread')})` : '';
}

// The next page, with the keyboard focus on its first message, where reading goes on.
function showMore() {
  const before = limit;
  limit += PAGE_SIZE;
  renderInbox();
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

// Whether two lists hold the same messages with the same fields, in the same order.
function sameMessages(a, b) {
  const same = (x, y) => (Array.isArray(x) ? Array.isArray(y) && x.join(' ') === y.join(' ') : x === y);
  return a.length === b.length &&
      a.every((m, i) => Object.keys(m).every((key) => same(m[key], b[i][key])));
}

/// The messages the program listed (GET /api/inbox), shown at once. The list comes twice when
/// the inbox is shown (from the device, then after the sync with the hub): a list that did not
/// change is not put in the page again, which would take the keyboard focus off its row.
export function setMessages(list) {
  if (shown && sameMessages(list, messages)) return;
  messages = list;
  shown = true;
  renderInbox();
}

export function initInbox(open) {
  openMessage = open;
  addPaging();
  for (const id of ['group-by', 'filter-kind', 'filter-pupil', 'filter-state', 'filter-unread',
                    'filter-overdue']) {
    $(id).addEventListener('change', () => {
      limit = PAGE_SIZE;
      renderInbox();
    });
  }
}
