// The protocol's codes in words, Dutch and English: organisation types, staff roles, message
// kinds, data categories, purposes, the states of cases and referrals, and the policy's
// outcomes (the vocabularies of protocol/src/vocabulary.cpp, policies/src/vocabulary.cpp and
// docs/WORKFLOW.md). The page shows these labels, never the bare code; a code the table does not
// know yet (a newer hub) is shown with its underscores as spaces.
export const codeTexts = {
  nl: {
    org_type: {
      clb: 'CLB', school: 'school', caw: 'CAW (algemeen welzijnswerk)',
      cgg: 'CGG (geestelijke gezondheidszorg)', jeugdhulp: 'jeugdhulp',
      ocj_vk: 'OCJ / Vertrouwenscentrum Kindermishandeling', mfc: 'MFC (multifunctioneel centrum)',
      eerstelijnspsycholoog: 'eerstelijnspsycholoog', huisarts: 'huisarts', logopedist: 'logopedist',
      huis_van_het_kind: 'Huis van het Kind', vaph: 'VAPH (personen met een handicap)',
      leersteuncentrum: 'leersteuncentrum', gemeente: 'gemeente', agodi: 'AGODI',
      zorg_en_gezondheid: 'Zorg en Gezondheid', justitie: 'justitie',
      hub_operator: 'beheerder van de hub', vrijetijdsorganisatie: 'vrijetijdsorganisatie',
    },
    role: {
      clb_arts: 'CLB-arts', clb_verpleegkundige: 'CLB-verpleegkundige',
      clb_psycholoog: 'CLB-psycholoog', clb_pedagoog: 'CLB-pedagoog',
      clb_maatschappelijk_werker: 'CLB-maatschappelijk werker', clb_paramedicus: 'CLB-paramedicus',
      clb_directeur: 'CLB-directeur', clb_onthaal: 'CLB-onthaal', school_directie: 'schooldirectie',
      school_zorgcoordinator: 'zorgcoördinator van de school', school_leerkracht: 'leerkracht',
      partner_hulpverlener: 'hulpverlener', partner_intake: 'intakemedewerker',
      partner_verantwoordelijke: 'verantwoordelijke', organisation_admin: 'beheerder van de organisatie',
    },
    kind: {
      signaal: 'signaal', consultatie: 'consultatie', doorverwijzing: 'doorverwijzing',
      terugkoppeling: 'terugkoppeling', ontvangstbevestiging: 'ontvangstbevestiging',
      toestemmingsvraag: 'vraag om toestemming', statusantwoord: 'antwoord over de stand',
      akkoordvraag: 'vraag om akkoord', akkoordantwoord: 'antwoord op een vraag om akkoord',
    },
    category: {
      identificatie: 'identificatiegegevens', leerplicht: 'leerplicht', vaccinatie: 'vaccinatie',
      preventieve_gezondheidszorg: 'preventieve gezondheidszorg', profylaxe: 'profylaxe',
      leren_en_studeren: 'leren en studeren', onderwijsloopbaan: 'onderwijsloopbaan',
      psychisch_sociaal: 'psychisch en sociaal functioneren', diagnostiek: 'diagnostiek',
      handelingsgericht_advies: 'handelingsgericht advies', verslag: 'verslag',
      multidisciplinair_overleg: 'multidisciplinair overleg', contact: 'contactgegevens',
      doorverwijzing: 'doorverwijzing', derden: 'gegevens over derden', vertrouwelijk: 'vertrouwelijk',
      gerechtelijk: 'gerechtelijk', kind_en_gezin: 'Kind en Gezin', geaggregeerd: 'geaggregeerde cijfers',
    },
    purpose: {
      begeleiding: 'begeleiding', doorverwijzing: 'doorverwijzing', consultatie: 'consultatie',
      terugkoppeling: 'terugkoppeling', leerplicht: 'leerplicht',
      systematisch_contact: 'systematisch contact', profylaxe: 'profylaxe',
      dossieroverdracht: 'dossieroverdracht', verontrusting: 'verontrusting', datadialoog: 'datadialoog',
    },
    state: {
      // a referral (docs/WORKFLOW.md 2)
      sent: 'verzonden', received: 'ontvangen', accepted: 'aanvaard', declined: 'geweigerd',
      waitlisted: 'op de wachtlijst', intake_planned: 'intake gepland', started: 'hulp gestart',
      closed: 'afgesloten', cancelled: 'ingetrokken',
      // a case (docs/WORKFLOW.md 5)
      new: 'nieuw', assigned: 'toegewezen', vraagverheldering: 'vraagverheldering', traject: 'traject',
    },
    outcome: {
      allow: 'toegestaan', deny: 'niet toegestaan', needs_consent: 'toestemming nodig',
      needs_second_approval: 'tweede akkoord nodig',
    },
    // What the program noticed about a message that verified (docs/PROTOCOL.md 8.1).
    flag: {
      conflict: 'de hub leverde een ander bericht met dezelfde id',
      created_after_receipt: 'ondertekend na ontvangst door de hub (klok van afzender of hub fout)',
      log_fork: 'de hub toont de afzender een andere logboekgeschiedenis (gesplitst beeld)',
      gossip_unverified: 'logboekcontrolepunt van de afzender niet door de hub ondertekend',
      sender_not_in_log: 'toestel van de afzender staat niet in het logboek van de hub',
      thread_gap: 'antwoord op een bericht dat dit toestel nooit zag',
      'out-of-order': 'volgnummer van de afzender buiten volgorde',
      gap: 'berichten van de afzender ontbreken',
    },
  },
  en: {
    org_type: {
      clb: 'CLB (pupil guidance centre)', school: 'school', caw: 'CAW (general welfare work)',
      cgg: 'CGG (mental health centre)', jeugdhulp: 'youth care',
      ocj_vk: 'OCJ / child abuse confidential centre', mfc: 'MFC (multifunctional centre)',
      eerstelijnspsycholoog: 'first-line psychologist', huisarts: 'general practitioner',
      logopedist: 'speech therapist', huis_van_het_kind: 'Huis van het Kind',
      vaph: 'VAPH (disability agency)', leersteuncentrum: 'learning support centre',
      gemeente: 'municipality', agodi: 'AGODI', zorg_en_gezondheid: 'Zorg en Gezondheid',
      justitie: 'justice', hub_operator: 'hub operator', vrijetijdsorganisatie: 'leisure organisation',
    },
    role: {
      clb_arts: 'CLB doctor', clb_verpleegkundige: 'CLB nurse', clb_psycholoog: 'CLB psychologist',
      clb_pedagoog: 'CLB educationalist', clb_maatschappelijk_werker: 'CLB social worker',
      clb_paramedicus: 'CLB paramedic', clb_directeur: 'CLB director', clb_onthaal: 'CLB intake desk',
      school_directie: 'school management', school_zorgcoordinator: 'school care coordinator',
      school_leerkracht: 'teacher', partner_hulpverlener: 'care worker',
      partner_intake: 'intake worker', partner_verantwoordelijke: 'manager',
      organisation_admin: 'organisation administrator',
    },
    kind: {
      signaal: 'signal (signaal)', consultatie: 'consultation', doorverwijzing: 'referral',
      terugkoppeling: 'feedback', ontvangstbevestiging: 'receipt', toestemmingsvraag: 'consent request',
      statusantwoord: 'status answer', akkoordvraag: 'approval request',
      akkoordantwoord: 'answer to an approval request',
    },
    category: {
      identificatie: 'identification', leerplicht: 'compulsory education', vaccinatie: 'vaccination',
      preventieve_gezondheidszorg: 'preventive health care', profylaxe: 'prophylaxis',
      leren_en_studeren: 'learning and studying', onderwijsloopbaan: 'educational career',
      psychisch_sociaal: 'psychological and social functioning', diagnostiek: 'diagnostics',
      handelingsgericht_advies: 'action-oriented advice', verslag: 'report',
      multidisciplinair_overleg: 'multidisciplinary consultation', contact: 'contact details',
      doorverwijzing: 'referral', derden: 'data about third parties', vertrouwelijk: 'confidential',
      gerechtelijk: 'judicial', kind_en_gezin: 'Kind en Gezin', geaggregeerd: 'aggregated figures',
    },
    purpose: {
      begeleiding: 'guidance', doorverwijzing: 'referral', consultatie: 'consultation',
      terugkoppeling: 'feedback', leerplicht: 'compulsory education',
      systematisch_contact: 'systematic contact', profylaxe: 'prophylaxis',
      dossieroverdracht: 'file transfer', verontrusting: 'concern for the child',
      datadialoog: 'data dialogue',
    },
    state: {
      sent: 'sent', received: 'received', accepted: 'accepted', declined: 'declined',
      waitlisted: 'on the waiting list', intake_planned: 'intake planned', started: 'help started',
      closed: 'closed', cancelled: 'cancelled',
      new: 'new', assigned: 'assigned', vraagverheldering: 'clarifying the question', traject: 'on a track',
    },
    outcome: {
      allow: 'allowed', deny: 'not allowed', needs_consent: 'consent needed',
      needs_second_approval: 'second approval needed',
    },
    flag: {
      conflict: 'the hub delivered another message with the same id',
      created_after_receipt: "signed after the hub's receipt (the sender's or the hub's clock is wrong)",
      log_fork: "the hub shows the sender another history of its log (a split view)",
      gossip_unverified: "the sender's log checkpoint is not signed by the hub",
      sender_not_in_log: "the sender's device is not in the hub's directory log",
      thread_gap: 'answers a message this device never saw',
      'out-of-order': "the sender's sequence number is out of order",
      gap: "messages from the sender are missing",
    },
  },
};
