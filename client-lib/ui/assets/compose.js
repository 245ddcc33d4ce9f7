// The compose screen. The pre-check runs in the program (C++, with the hub's signed rules) as
// the form is filled in, and its outcome, rule ids, reasons and "wat nu" are shown before
// anything is sent; the send runs it again, and the hub decides last. Text from the directory
// and from the rules is set with textContent only.
import { t, currentLanguage, label } from './i18n.js';
import { initConsentPicker, resetConsents } from './compose-consent.js';
import { offerApproval, resetApproval, approvalFields } from './compose-approval.js';
import { chosenFiles, resetAttachments, sendWithFiles } from './compose-attach.js';

const $ = (id) => document.getElementById(id);
const CHECK_DELAY_MS = 400;
let checkTimer = null;
let checkRound = 0;
let replyTo = null;  // {mailbox_id, sequence} of the message answered, or null
let sayText = () => {};
let sendWithApproval = () => {};

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function composition() {
  return {
    kind: $('compose-kind').value,
    purpose: $('compose-purpose').value,
    to: $('compose-to').value ? [$('compose-to').value] : [],
    pupil: $('compose-pupil').value.trim(),
    consent: $('compose-consent').value,
    reply_to: replyTo,
    texts: [{ category: $('compose-category').value, text: $('compose-text').value }],
    attachments: chosenFiles(),
  };
}

// Outcome, rules, reasons and what now, in the person's language.
export function showRefusal(box, refusal, heading) {
  const language = currentLanguage();
  box.className = 'precheck refused';
  box.replaceChildren(el('strong', heading));
  box.append(el('p', `${t('outcome')}: ${label('outcome', refusal.outcome)} · ${t('rules')}: ${refusal.rule_ids.join(', ')}`));
  const reasons = el('ul');
  reasons.className = 'reasons';
  for (const reason of refusal.reasons) {
    reasons.append(el('li', `[${reason.rule_id}] ${language === 'en' ? reason.en : reason.nl}`));
  }
  box.append(el('p', `${t('reasons')}:`), reasons);
  if (refusal.wat_nu.length > 0) {
    const steps = el('ul');
    for (const step of refusal.wat_nu) steps.append(el('li', language === 'en' ? step.en : step.nl));
    box.append(el('p', `${t('wat_nu')}:`), steps);
  }
}

async function precheck(api) {
  const round = ++checkRound;
  const box = $('precheck');
  const form = composition();
  if (form.to.length === 0 || form.texts[0].text === '') {
    box.className = 'precheck';
    box.replaceChildren();
    return;
  }
  try {
    const answer = await api('/api/compose/check', { method: 'POST', body: form });
    if (round !== checkRound) return;  // a newer check is under way
    if (answer.allowed) {
      box.className = 'precheck allowed';
      box.replaceChildren(el('strong', t('precheck_allowed')));
    } else {
      showRefusal(box, answer.refusal, t('precheck_refused'));
      offerApproval(api, sayText, answer.refusal, composition, sendWithApproval);
    }
  } catch { /* said already */ }
}

async function loadRecipients(api) {
  const { recipients } = await api('/api/recipients');
  const select = $('compose-to');
  select.replaceChildren();
  for (const r of recipients) {
    const text = `${r.org_name} — ${r.mailbox_name} (${label('org_type', r.org_type)}${r.suggested ? ', ' + t('suggested') : ''})`;
    select.append(new Option(text, r.mailbox_id));
  }
}

/// `reply`: the opened message to answer in its thread (its sender's mailbox is not known to
/// the page: the person picks the recipient), or undefined for a new message.
export async function openCompose(api, reply) {
  replyTo = reply ? { mailbox_id: reply.mailbox_id, sequence: reply.sequence } : null;
  $('compose-reply').hidden = !reply;
  $('compose-reply').textContent = reply ? `${t('replying_to')}${label('kind', reply.kind)} · ${reply.sender_org_name}` : '';
  $('precheck').replaceChildren();
  $('precheck').className = 'precheck';
  resetConsents();
  resetApproval();
  resetAttachments();
  await loadRecipients(api);
  $('compose-title').focus();
}

export function initCompose(api, say, done) {
  const schedule = () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => precheck(api), CHECK_DELAY_MS);
  };
  initConsentPicker(api, schedule);
  for (const id of ['compose-kind', 'compose-to', 'compose-purpose', 'compose-category', 'compose-consent',
    'compose-files', 'compose-file-category']) {
    $(id).addEventListener('change', schedule);
  }
  for (const id of ['compose-pupil', 'compose-text']) {
    $(id).addEventListener('input', schedule);
  }
  // `extra`: the ids and approval of a draft sent once approved (compose-approval.js).
  const sendForm = async (extra = {}) => {
    clearTimeout(checkTimer);
    try {
      const form = { ...composition(), ...extra };
      const sent = form.attachments.length > 0
        ? await sendWithFiles(api, say, form)
        : await api('/api/compose/send', { method: 'POST', body: form, refusal: true });
      $('compose-text').value = '';
      $('compose-files').value = '';
      $('precheck').replaceChildren();
      resetApproval();
      say(t('sent') + sent.message_id);
      done();
    } catch (error) {
      if (error.refusal) {
        showRefusal($('precheck'), error.refusal, t('not_sent'));
        offerApproval(api, say, error.refusal, composition, sendWithApproval);
      }
    }
  };
  sayText = say;
  sendWithApproval = (approval) => sendForm(approvalFields(approval));
  $('compose-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sendForm();
  });
  $('compose-cancel').addEventListener('click', done);
}
