// The approvals screen (issue 15 screen 5): the requests for a second approval waiting in this
// device's mailboxes, each with exactly the draft's content as it will leave, and approve or
// decline (with a reason); below, the answers to this team's requests. The program opens,
// verifies and signs; the page shows text only (textContent, never HTML).
import { t, formatDate, label, labels } from './i18n.js';
import { $, el } from './dom.js';

let api = null;
let say = () => {};

function meta(list, term, value) {
  list.append(el('dt', term), el('dd', value));
}

// A recipient by its organisation and the function its mailbox serves, as the program verified
// them; a mailbox it could not verify shows its id, marked as such.
function recipient(r) {
  if (r.org_name === undefined) return `${t('unverified_mailbox')} ${r.mailbox_id}`;
  return `${r.org_name} (${r.function ? label('role', r.function) : t('general_mailbox')})`;
}

function request(p, n) {
  const box = el('article', undefined, 'panel approval');
  const heading = el('h3', `${label('kind', p.kind)} · ${label('purpose', p.purpose)} · ` +
                              `${t('requested_by')} ${label('role', p.requester_role)}`);
  heading.id = `approval-${n}`;
  box.setAttribute('aria-labelledby', heading.id);
  box.append(heading);
  const list = el('dl', undefined, 'meta');
  meta(list, t('received'), formatDate(p.received_at_ms));
  meta(list, t('pupil'), p.pupil);
  meta(list, t('categories'), labels('category', p.categories));
  meta(list, t('approval_recipients'), p.recipient_names.map(recipient).join('; '));
  meta(list, t('approval_message'), p.message_id);
  box.append(list);
  for (const f of p.fragments) {
    const part = el('section', undefined, 'fragment');
    part.append(el('h4', `${label('category', f.category)} · ${f.media_type}`), el('pre', f.text));
    box.append(part);
  }
  if (p.attachments.length > 0) box.append(files(p));
  const reason = el('textarea');
  reason.id = `approval-reason-${n}`;
  reason.rows = 2;
  const reasonLabel = el('label', t('decline_reason'));
  reasonLabel.htmlFor = reason.id;
  const approve = el('button', t('approve'));
  approve.type = 'button';
  approve.className = 'approve';
  approve.addEventListener('click', () => decide(p, 'approve'));
  const decline = el('button', t('decline'));
  decline.type = 'button';
  decline.className = 'decline';
  decline.addEventListener('click', () => {
    if (!reason.value.trim()) {
      say(t('decline_needs_reason'));
      reason.focus();
      return;
    }
    decide(p, 'decline', reason.value.trim());
  });
  const actions = el('div', undefined, 'actions');
  actions.append(approve, decline);
  box.append(reasonLabel, reason, actions);
  return box;
}

function answer(a) {
  const who = `${a.approved ? t('answer_approved') : t('answer_declined')} ${label('role', a.approver_role)}`;
  return el('li', `${formatDate(a.received_at_ms)} · ${t('approval_message')} ${a.message_id} · ${who}` +
                  (a.approved ? '' : `: ${a.reason}`));
}

// The draft's files, each a download the program checks against the hash the approval will
// cover before the browser gets a byte (the request's own attachment, /api/messages/...).
function files(p) {
  const list = el('ul', undefined, 'attachments');
  list.setAttribute('aria-label', t('attachments'));
  for (const a of p.attachments) {
    const item = el('li', `${a.file_name} (${label('category', a.category)}, ${a.media_type}, ` +
                          `${a.size} ${t('bytes')}) `);
    const link = el('a', t('download'));
    link.href = `/api/messages/${p.mailbox_id}/${p.sequence}/attachments/${a.index}`;
    link.setAttribute('download', '');
    link.setAttribute('aria-label', `${t('download')}: ${a.file_name}`);
    item.append(link);
    list.append(item);
  }
  return list;
}

async function decide(p, verb, reason) {
  try {
    await api(`/api/approvals/${p.mailbox_id}/${p.sequence}/${verb}`,
              { method: 'POST', body: verb === 'decline' ? { reason } : {} });
    say(verb === 'approve' ? t('approved_done') : t('declined_done'));
    await openApprovals();
  } catch { /* said already */ }
}

export async function openApprovals() {
  const queue = await api('/api/approvals');
  $('approvals-list').replaceChildren(...queue.pending.map(request));
  $('approvals-empty').hidden = queue.pending.length > 0;
  $('approval-answers').replaceChildren(...queue.answers.map(answer));
  if (queue.answers.length === 0) $('approval-answers').append(el('li', t('no_answers')));
  $('approvals-title').focus();
}

/// `done`: back to the inbox.
export function initApprovals(apiFunction, sayFunction, done) {
  api = apiFunction;
  say = sayFunction;
  $('approvals-back').addEventListener('click', done);
}
