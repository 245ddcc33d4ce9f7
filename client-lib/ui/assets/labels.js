// The protocol's codes (docs/PROTOCOL.md 4) as people read them, in Dutch and English: message
// kinds, purposes, data categories, organisation types and the states of cases and referrals.
// The page keeps the codes as values (filters, forms, the API) and shows these labels; a code
// without a label is shown as it is, so nothing new is ever hidden.
import { currentLanguage } from './i18n.js';

const nl = {
  kind: {
    signaal: 'Signaal', consultatie: 'Consultatie', doorverwijzing: 'Doorverwijzing',
    terugkoppeling: 'Terugkoppeling', ontvangstbevestiging: 'Ontvangstbevestiging',
    toestemmingsvraag: 'Toestemmingsvraag', statusantwoord: 'Statusantwoord',
  },
  purpose: {
    begeleiding: 'Begeleiding', doorverwijzing: 'Doorverwijzing', consultatie: 'Consultatie',
    terugkoppeling: 'Terugkoppeling', leerplicht: 'Leerplicht',
    systematisch_contact: 'Systematisch contact', profylaxe: 'Profylaxe',
    dossieroverdracht: 'Dossieroverdracht', verontrusting: 'Verontrusting',
    datadialoog: 'Datadialoog',
  },
  category: {
    identificatie: 'Identificatie', leerplicht: 'Leerplicht', vaccinatie: 'Vaccinatie',
    preventieve_gezondheidszorg: 'Preventieve gezondheidszorg', profylaxe: 'Profylaxe',
    leren_en_studeren: 'Leren en studeren', onderwijsloopbaan: 'Onderwijsloopbaan',
    psychisch_sociaal: 'Psychisch en sociaal functioneren', diagnostiek: 'Diagnostiek',
    handelingsgericht_advies: 'Handelingsgericht advies', verslag: 'Verslag',
    multidisciplinair_overleg: 'Multidisciplinair overleg', contact: 'Contactgegevens',
    doorverwijzing: 'Doorverwijzing', derden: 'Gegevens over derden',
    vertrouwelijk: 'Vertrouwelijk', gerechtelijk: 'Gerechtelijk', kind_en_gezin: 'Kind en Gezin',
    geaggregeerd: 'Geaggregeerd',
  },
  org: {
    clb: 'CLB', school: 'school', caw: 'CAW', cgg: 'CGG', jeugdhulp: 'jeugdhulp',
    ocj_vk: 'OCJ / VK', mfc: 'MFC', eerstelijnspsycholoog: 'eerstelijnspsycholoog',
    huisarts: 'huisarts', logopedist: 'logopedist', huis_van_het_kind: 'Huis van het Kind',
    vaph: 'VAPH', leersteuncentrum: 'leersteuncentrum', gemeente: 'gemeente', agodi: 'AGODI',
    zorg_en_gezondheid: 'Zorg en Gezondheid', justitie: 'justitie', hub_operator: 'hubbeheerder',
    vrijetijdsorganisatie: 'vrijetijdsorganisatie',
  },
  state: {
    new: 'nieuw', assigned: 'toegewezen', vraagverheldering: 'vraagverheldering',
    traject: 'traject', closed: 'afgesloten', sent: 'verzonden', received: 'ontvangen',
    accepted: 'aanvaard', declined: 'geweigerd', waitlisted: 'op de wachtlijst',
    intake_planned: 'intake gepland', started: 'gestart', cancelled: 'geannuleerd',
  },
};

const en = {
  kind: {
    signaal: 'Concern (signaal)', consultatie: 'Consultation', doorverwijzing: 'Referral',
    terugkoppeling: 'Feedback', ontvangstbevestiging: 'Acknowledgement of receipt',
    toestemmingsvraag: 'Request for consent', statusantwoord: 'Status answer',
  },
  purpose: {
    begeleiding: 'Guidance', doorverwijzing: 'Referral', consultatie: 'Consultation',
    terugkoppeling: 'Feedback', leerplicht: 'Compulsory education',
    systematisch_contact: 'Systematic contact', profylaxe: 'Prophylaxis',
    dossieroverdracht: 'File transfer', verontrusting: 'Concern for safety',
    datadialoog: 'Data dialogue',
  },
  category: {
    identificatie: 'Identification', leerplicht: 'Compulsory education', vaccinatie: 'Vaccination',
    preventieve_gezondheidszorg: 'Preventive health care', profylaxe: 'Prophylaxis',
    leren_en_studeren: 'Learning and studying', onderwijsloopbaan: 'Educational career',
    psychisch_sociaal: 'Psychological and social functioning', diagnostiek: 'Diagnostics',
    handelingsgericht_advies: 'Action-oriented advice', verslag: 'Report',
    multidisciplinair_overleg: 'Multidisciplinary consultation', contact: 'Contact details',
    doorverwijzing: 'Referral', derden: 'Data about third parties',
    vertrouwelijk: 'Confidential', gerechtelijk: 'Judicial', kind_en_gezin: 'Kind en Gezin',
    geaggregeerd: 'Aggregated',
  },
  org: {
    clb: 'CLB', school: 'school', caw: 'CAW', cgg: 'CGG (mental health centre)',
    jeugdhulp: 'youth care', ocj_vk: 'OCJ / VK', mfc: 'MFC', eerstelijnspsycholoog:
    'first-line psychologist', huisarts: 'GP', logopedist: 'speech therapist',
    huis_van_het_kind: 'Huis van het Kind', vaph: 'VAPH', leersteuncentrum: 'learning support centre',
    gemeente: 'municipality', agodi: 'AGODI', zorg_en_gezondheid: 'Zorg en Gezondheid',
    justitie: 'justice', hub_operator: 'hub operator', vrijetijdsorganisatie: 'leisure organisation',
  },
  state: {
    new: 'new', assigned: 'assigned', vraagverheldering: 'clarifying the question',
    traject: 'track', closed: 'closed', sent: 'sent', received: 'received', accepted: 'accepted',
    declined: 'declined', waitlisted: 'on the waiting list', intake_planned: 'intake planned',
    started: 'started', cancelled: 'cancelled',
  },
};

/// The label of `code` in the table `table` (kind, purpose, category, org, state).
export function label(table, code) {
  const tables = currentLanguage() === 'en' ? en : nl;
  return tables[table]?.[code] ?? String(code ?? '');
}

/// A comma-separated list of codes (the inbox's categories) as labels.
export function labels(table, codes) {
  return String(codes ?? '').split(',').filter(Boolean).map((c) => label(table, c.trim())).join(', ');
}

/// The options of every <select data-labels="TABLE">: the code stays the value, the label is
/// shown (again after a change of language).
export function labelOptions() {
  for (const select of document.querySelectorAll('select[data-labels]')) {
    for (const option of select.options) {
      if (!option.dataset.code) option.dataset.code = option.value;
      option.value = option.dataset.code;
      option.textContent = label(select.dataset.labels, option.dataset.code);
    }
  }
}
