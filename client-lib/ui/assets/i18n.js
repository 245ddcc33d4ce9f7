// The page's texts in Dutch (the default) and English. Only these fixed strings are looked up;
// text from messages and from the hub is never put in the page as HTML (see app.js).
import { attachTexts } from './i18n-attach.js';
import { consentTexts } from './i18n-consent.js';
import { approvalTexts } from './i18n-approvals.js';
import { codeTexts } from './i18n-codes.js';
const texts = {
  nl: {
    app_title: 'Draaischijf', switch_language: 'English', lock_now: 'Nu vergrendelen',
    unlock_title: 'Vergrendeld', unlock: 'Ontgrendelen', passphrase: 'Wachtwoordzin',
    unlock_explain: 'De sleutels zijn vergrendeld. Geef uw wachtwoordzin om verder te werken.',
    unlock_key_file: 'Laat leeg om met het sleutelbestand te ontgrendelen.',
    inbox: 'Inbox', filter_kind: 'Soort', filter_unread: 'Alleen ongelezen', all_kinds: 'Alle',
    col_received: 'Ontvangen', col_kind: 'Soort', col_sender: 'Afzender',
    col_categories: 'Categorieën', col_check: 'Controle', col_open: 'Openen', open: 'Openen',
    verified: 'Geverifieerd', not_verified: 'NIET geverifieerd', empty: 'Geen berichten.',
    unread: 'ongelezen', attachments: 'Bijlagen', none: 'Geen.', back: 'Terug naar de inbox',
    sender: 'Afzender', role: 'Rol', device: 'Toestel', received: 'Ontvangen', purpose: 'Doel',
    thread: 'Draad', flags: 'Opmerkingen', sync_failed: 'Ophalen bij de hub mislukt: ',
    refused_message: 'Dit bericht is geweigerd bij de controle: ',
    flagged_message: 'Let op bij dit bericht: ', loading: 'Bezig…', bytes: 'bytes',
    you_are: 'Toestel', role_label: 'rol',
    new_message: 'Nieuw bericht', recipient: 'Ontvanger', pupil: 'Leerling (uw referentie)',
    consent_id: 'Toestemming (id, indien nodig)', category: 'Categorie', text: 'Tekst',
    send: 'Verzenden', precheck_allowed: 'Voorcontrole: toegestaan. De hub controleert opnieuw bij verzenden.',
    precheck_refused: 'Voorcontrole: niet toegestaan', outcome: 'Beslissing', rules: 'Regels',
    reasons: 'Redenen', wat_nu: 'Wat nu', sent: 'Verzonden. Bericht-id: ',
    not_sent: 'Niet verzonden.', suggested: 'eigen CLB',
    reply: 'Antwoorden in deze draad', acknowledge: 'Bevestigen (gelezen)',
    acknowledged: 'Bevestigd.', replying_to: 'Antwoord op: ', download: 'Downloaden',
    // the inbox's grouping and filters (inbox.js)
    group_by: 'Groeperen', group_none: 'Niet groeperen', group_thread: 'Per draad',
    group_pupil: 'Per leerling', filter_pupil: 'Leerling', filter_state: 'Stand',
    filter_overdue: 'Alleen te laat', col_pupil: 'Leerling', col_state: 'Stand',
    no_pupil: '—', pseudonym: 'pseudoniem', overdue: 'te laat', pupil_group: 'Leerling',
    messages_count: 'berichten',
    // the work views (work.js)
    work_triage: 'Triage', work_referrals: 'Verwijzingen', work_signalen: 'Mijn signalen',
    work_report: 'Rapport', work_failed: 'Dit overzicht kon niet geladen worden.',
    priority: 'Prioriteit', urgent: 'dringend', ordinary: 'gewoon', track: 'Traject',
    due: 'Termijn', assignee: 'Toegewezen aan', next_step: 'Volgende stap', do_step: 'Uitvoeren',
    step_done: 'Gedaan:', step_assign: 'Aan mij toewijzen',
    step_vraagverheldering: 'Vraagverheldering', step_track: 'Traject', step_close: 'Afsluiten',
    step_delay: 'Reden van vertraging', code_advice: 'advies', code_diagnosis: 'diagnostiek',
    code_diagnosis_formalised_advice: 'diagnostiek met geformaliseerd advies',
    code_referral: 'doorverwijzing', code_no_further_guidance: 'geen verdere begeleiding',
    code_referred: 'doorverwezen', code_moved_school: 'van school veranderd', code_other: 'andere',
    code_leerbedreigd: 'leerbedreigd', code_partner_pace: 'tempo van de partner',
    code_waiting_list: 'wachtlijst', sent_on: 'Verzonden', partner: 'Andere organisatie',
    received_due: 'Ontvangst uiterlijk', answered_due: 'Antwoord uiterlijk', overdue_col: 'Te laat',
    flagged: 'Geschiedenis klopt NIET', clb: 'CLB', signaal_ontvangen: 'ontvangen',
    signaal_in_behandeling: 'in behandeling', signaal_afgerond: 'afgerond',
    report_open: 'Open dossiers', report_days: 'Werkdagen', report_overdue: 'Te laat',
    report_schools: 'Signalen per school', count: 'Aantal', median: 'Mediaan', figure: 'Meting',
    working_days_to_first_contact: 'tot eerste contact', working_days_to_closure: 'tot afsluiting',
    school: 'School',
  },
  en: {
    app_title: 'Draaischijf', switch_language: 'Nederlands', lock_now: 'Lock now',
    unlock_title: 'Locked', unlock: 'Unlock', passphrase: 'Passphrase',
    unlock_explain: 'The keys are locked. Enter your passphrase to go on.',
    unlock_key_file: 'Leave empty to unlock with the key file.',
    inbox: 'Inbox', filter_kind: 'Kind', filter_unread: 'Unread only', all_kinds: 'All',
    col_received: 'Received', col_kind: 'Kind', col_sender: 'Sender',
    col_categories: 'Categories', col_check: 'Check', col_open: 'Open', open: 'Open',
    verified: 'Verified', not_verified: 'NOT verified', empty: 'No messages.',
    unread: 'unread', attachments: 'Attachments', none: 'None.', back: 'Back to the inbox',
    sender: 'Sender', role: 'Role', device: 'Device', received: 'Received', purpose: 'Purpose',
    thread: 'Thread', flags: 'Notes', sync_failed: 'Fetching from the hub failed: ',
    refused_message: 'This message was refused by the checks: ',
    flagged_message: 'Note about this message: ', loading: 'Loading…', bytes: 'bytes',
    you_are: 'Device', role_label: 'role',
    new_message: 'New message', recipient: 'Recipient', pupil: 'Pupil (your reference)',
    consent_id: 'Consent (id, if needed)', category: 'Category', text: 'Text',
    send: 'Send', precheck_allowed: 'Pre-check: allowed. The hub checks again when you send.',
    precheck_refused: 'Pre-check: not allowed', outcome: 'Outcome', rules: 'Rules',
    reasons: 'Reasons', wat_nu: 'What now', sent: 'Sent. Message id: ',
    not_sent: 'Not sent.', suggested: 'own CLB',
    reply: 'Reply in this thread', acknowledge: 'Acknowledge (read)',
    acknowledged: 'Acknowledged.', replying_to: 'Reply to: ', download: 'Download',
    // the inbox's grouping and filters (inbox.js)
    group_by: 'Group', group_none: 'Do not group', group_thread: 'By thread',
    group_pupil: 'By pupil', filter_pupil: 'Pupil', filter_state: 'State',
    filter_overdue: 'Overdue only', col_pupil: 'Pupil', col_state: 'State',
    no_pupil: '—', pseudonym: 'pseudonym', overdue: 'overdue', pupil_group: 'Pupil',
    messages_count: 'messages',
    // the work views (work.js)
    work_triage: 'Triage', work_referrals: 'Referrals', work_signalen: 'My signalen',
    work_report: 'Report', work_failed: 'This view could not be loaded.',
    priority: 'Priority', urgent: 'urgent', ordinary: 'ordinary', track: 'Track',
    due: 'Due', assignee: 'Assigned to', next_step: 'Next step', do_step: 'Do it',
    step_done: 'Done:', step_assign: 'Assign to me',
    step_vraagverheldering: 'Clarify the question', step_track: 'Track', step_close: 'Close',
    step_delay: 'Reason for delay', code_advice: 'advice', code_diagnosis: 'diagnosis',
    code_diagnosis_formalised_advice: 'diagnosis with formalised advice',
    code_referral: 'referral', code_no_further_guidance: 'no further guidance',
    code_referred: 'referred', code_moved_school: 'moved school', code_other: 'other',
    code_leerbedreigd: 'learning at risk', code_partner_pace: 'partner pace',
    code_waiting_list: 'waiting list', sent_on: 'Sent', partner: 'Other organisation',
    received_due: 'Receipt due', answered_due: 'Answer due', overdue_col: 'Overdue',
    flagged: 'History does NOT check out', clb: 'CLB', signaal_ontvangen: 'received',
    signaal_in_behandeling: 'in progress', signaal_afgerond: 'closed',
    report_open: 'Open cases', report_days: 'Working days', report_overdue: 'Overdue',
    report_schools: 'Signalen per school', count: 'Count', median: 'Median', figure: 'Figure',
    working_days_to_first_contact: 'to first contact', working_days_to_closure: 'to closure',
    school: 'School',
  },
};

for (const language of ['nl', 'en']) {
  Object.assign(texts[language], consentTexts[language], approvalTexts[language], attachTexts[language]);
}

let language = localStorage.getItem('draaischijf-language') === 'en' ? 'en' : 'nl';

export function t(key) { return texts[language][key] ?? key; }
export function currentLanguage() { return language; }

/// A protocol code in words (`group`: org_type, role, kind, category, purpose, state, outcome;
/// i18n-codes.js). An unknown code still reads as words, not as an identifier.
export function label(group, code) {
  if (!code) return '';
  return codeTexts[language][group]?.[code] ?? String(code).replaceAll('_', ' ');
}

/// A list of codes (an array, or the program's comma-separated text) in words.
export function labels(group, codes) {
  const list = Array.isArray(codes) ? codes : String(codes ?? '').split(',').filter(Boolean);
  return list.map((code) => label(group, code)).join(', ');
}
/// A message's flags in words; `gap:N` (N of the sender's messages missing) keeps its count.
export function flagLabels(flags) {
  return flags.map((flag) => {
    const [name, count] = String(flag).split(':');
    return count ? `${label('flag', name)} (${count})` : label('flag', name);
  }).join('; ');
}

export function setLanguage(next) {
  language = next === 'en' ? 'en' : 'nl';
  localStorage.setItem('draaischijf-language', language);
  document.documentElement.lang = language;
}

/// Fills every element marked data-t with its text (textContent: fixed strings only).
export function translatePage() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll('[data-t]')) {
    element.textContent = t(element.dataset.t);
  }
  // Options whose value is a protocol code show its label (the code stays the value sent).
  for (const element of document.querySelectorAll('[data-code]')) {
    element.textContent = label(element.dataset.code, element.value);
  }
}

/// dd/mm/yyyy hh:mm, the Belgian way, in local time.
export function formatDate(ms) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/// A day as the hub gives it (YYYY-MM-DD) the Belgian way: dd/mm/yyyy.
export function formatDay(text) {
  const [year, month, dayOfMonth] = String(text).split('-');
  return dayOfMonth ? `${dayOfMonth}/${month}/${year}` : String(text);
}
