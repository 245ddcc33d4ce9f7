// The compose screen's second approval (docs/PROTOCOL.md 7.19): when the policy asks a
// colleague's approval, a button sends the draft to that role's mailbox as a request; the
// answer, once there, offers "approved by X — send now", which sends the same draft with the
// ids the refusal named and the approval. Text from the program is set with textContent only.
import { t, label } from './i18n.js';
import { $, el } from './dom.js';
import { sendWithFiles } from './compose-attach.js';

let asked = null;  // {message_id, thread_id, role} of the draft whose approval was asked

export function resetApproval() {
  asked = null;
  $('approval-box').hidden = true;
  $('approval-box').replaceChildren();
}

/// The ids and approval the send names once approved (spread into the composition).
export function approvalFields(approval) {
  return asked ? { message_id: asked.message_id, thread_id: asked.thread_id, approval } : {};
}

function button(text, id, onClick) {
  const b = el('button', text);
  b.type = 'button';
  b.id = id;
  b.addEventListener('click', onClick);
  return b;
}

async function checkAnswer(api, send) {
  const box = $('approval-box');
  const queue = await api('/api/approvals');
  const answer = queue.answers.find((a) => a.message_id === asked.message_id);
  box.querySelector('.answer')?.remove();
  const line = el('p', undefined, 'answer');
  if (!answer) {
    line.textContent = t('no_answer_yet');
  } else if (answer.approved) {
    line.textContent = `${t('approved_by')} ${label('role', answer.approver_role)} — `;
    line.append(button(t('send_now'), 'approval-send', () => send(answer.approval_id)));
  } else {
    line.textContent = `${t('declined_by')} ${label('role', answer.approver_role)}: ${answer.reason}`;
  }
  box.append(line);
  line.querySelector('button')?.focus();
}

/// Shows the request button for a refusal that asks a second approval; `form` gives the
/// composition as it stands, `send(approvalId)` sends it with the approval.
export function offerApproval(api, say, refusal, form, send) {
  const box = $('approval-box');
  if (asked || !refusal.approval_role || refusal.outcome !== 'needs_second_approval') {
    if (!asked) resetApproval();
    return;
  }
  box.hidden = false;
  box.className = 'precheck';
  const role = label('role', refusal.approval_role);
  box.replaceChildren(el('p', `${t('approval_needed')} ${role}.`));
  box.append(button(`${t('ask_approval')} ${role}`, 'approval-ask', async () => {
    try {
      const body = { ...form(), approval_role: refusal.approval_role,
                     message_id: refusal.message_id, thread_id: refusal.thread_id };
      // The files go with the request, so the approver sees exactly them (PROTOCOL.md 7.19).
      const request = body.attachments.length > 0
        ? await sendWithFiles(api, say, body, '/api/compose/request-approval')
        : await api('/api/compose/request-approval', { method: 'POST', refusal: true, body });
      asked = { message_id: request.message_id, thread_id: request.thread_id, role: refusal.approval_role };
      box.replaceChildren(el('p', `${t('approval_requested')} ${role}. ${t('approval_waiting')}`));
      box.append(button(t('check_answer'), 'approval-check', () => {
        checkAnswer(api, send).catch(() => {});
      }));
      say(`${t('approval_requested')} ${role}.`);
      $('approval-check').focus();
    } catch { /* said already */ }
  }));
}
