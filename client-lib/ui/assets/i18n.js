// The page's texts in Dutch (the default) and English. Only these fixed strings are looked up;
// text from messages and from the hub is never put in the page as HTML (see app.js).
import { consentTexts } from './i18n-consent.js';
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
  },
};

for (const language of ['nl', 'en']) Object.assign(texts[language], consentTexts[language]);

let language = localStorage.getItem('draaischijf-language') === 'en' ? 'en' : 'nl';

export function t(key) { return texts[language][key] ?? key; }
export function currentLanguage() { return language; }
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
}

/// dd/mm/yyyy hh:mm, the Belgian way, in local time.
export function formatDate(ms) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/// A calendar day "YYYY-MM-DD" as dd/mm/yyyy.
export function formatDay(day) {
  const [year, month, date] = String(day).split('-');
  return `${date}/${month}/${year}`;
}
