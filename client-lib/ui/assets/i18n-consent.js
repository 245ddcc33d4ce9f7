// The consent screen's texts in Dutch and English (merged into i18n.js's table). The rule
// follows docs/POLICY.md 2; the program works out the giver with the engine's own derivation.
export const consentTexts = {
  nl: {
    pupil_reference: 'Leerling (dossiernummer van het CLB)',
    consents: 'Toestemmingen', show_consents: 'Tonen', consents_for: 'Toestemmingen voor',
    no_consents: 'Nog geen toestemmingen voor deze leerling.', col_registered: 'Geregistreerd',
    consent_giver: 'Toestemmingsgever', recipients: 'Ontvangers (soort organisatie)',
    categories: 'Categorieën', purposes: 'Doelen', valid: 'Geldig', col_state: 'Stand',
    in_force: 'Geldig', revoked_on: 'Ingetrokken op', open_ended: 'zonder einddatum',
    revoke: 'Intrekken', revoke_title: 'Toestemming intrekken',
    revoke_explain: 'U trekt deze toestemming in vanaf vandaag (niet met terugwerkende kracht):',
    revoke_withdraws: 'Daarna mag niets meer onder deze toestemming vertrekken. Berichten die ' +
        'onder deze toestemming nog bij de hub wachten, worden teruggetrokken; de ontvanger en ' +
        'uw eigen mailboxen krijgen bericht. Wat al is afgeleverd, blijft afgeleverd.',
    revoke_confirm: 'Ja, intrekken', cancel: 'Annuleren',
    revoked_done: 'Ingetrokken. Teruggetrokken berichten: {n}.', message: 'Bericht',
    register_consent: 'Toestemming registreren', birth_date: 'Geboortedatum',
    age_if_unknown: 'Leeftijd (als de geboortedatum onbekend is)',
    competency: 'Bekwaamheid (oordeel van het CLB-team)',
    competency_vermoed: 'volgens de leeftijd (vermoed)', competency_bekwaam: 'bekwaam (team)',
    competency_onbekwaam: 'niet bekwaam (team)', adult_incompetent: 'Onbekwame meerderjarige',
    giver_need_age: 'Geef de geboortedatum of de leeftijd: wie toestemming geeft, hangt ervan af.',
    giver_age_today: 'Leeftijd vandaag: {age} jaar.',
    giver_age_unknown: 'Leeftijd onbekend: dan moeten zowel de ouders als de leerling toestemmen.',
    giver_below: 'Jonger dan 12: de ouders (of de voogd) geven toestemming.',
    giver_presumed: 'Vanaf 12 jaar wordt de leerling bekwaam vermoed (DRM art. 4 §2): de ' +
        'leerling geeft zelf toestemming.',
    giver_team_competent: 'Het CLB-team oordeelde de leerling bekwaam (motivatie in het MDD): ' +
        'de leerling geeft zelf toestemming.',
    giver_team_incompetent: 'Het CLB-team oordeelde de leerling niet bekwaam (motivatie in het ' +
        'MDD): de ouders (of de voogd) geven toestemming.',
    giver_adult: 'Meerderjarig: de leerling beslist zelf; een oordeel van het team van vóór 18 ' +
        'telt niet meer.',
    giver_adult_incompetent: 'Onbekwame meerderjarige: de ouders, voogd of bewindvoerder beslissen.',
    giver_is: 'Toestemming te geven door',
    giver_ouders: 'de ouders of voogd', giver_leerling: 'de leerling', giver_beiden: 'ouders én leerling',
    giver_rule_title: 'Wie geeft toestemming? (regel R32)',
    giver_rule_below: 'Onder 12 jaar: de ouders of de voogd.',
    giver_rule_from: 'Vanaf 12 jaar: de leerling, die bekwaam wordt vermoed.',
    giver_rule_team: 'Het CLB-team kan anders oordelen, in beide richtingen, met een ' +
        'schriftelijke motivatie in het MDD.',
    giver_rule_adult: 'Vanaf 18 jaar opnieuw: de meerderjarige zelf, tenzij onbekwame ' +
        'meerderjarige. De gever wordt op elke beslissingsdatum opnieuw bepaald: een toestemming ' +
        'van de ouders telt niet meer vanaf de 12de verjaardag.',
    giver_rule_elp: 'Uitzondering: voor de eerstelijnspsycholoog (R22) is altijd de toestemming ' +
        'van de ouders nodig, en ook die van de bekwame leerling.',
    capacity: 'Hoedanigheid (moeder, vader, voogd, leerling)',
    competency_basis: 'Motivatie bekwaamheid (indien het team oordeelde)',
    valid_from: 'Gegeven op (geldig vanaf)', valid_until: 'Geldig tot (optioneel)',
    channel: 'Hoe gegeven', channel_schriftelijk: 'schriftelijk', channel_digitaal: 'digitaal',
    channel_mondeling: 'mondeling', register: 'Registreren',
    consent_registered: 'Toestemming geregistreerd.',
    consent_refused: 'De hub weigerde deze toestemming:',
    consent_need_pupil: 'Kies eerst de leerling.',
    consent_need_from: 'Geef de datum waarop de toestemming gegeven werd.',
    consent_pick: 'Toestemming (uit het register, voor deze leerling)', no_consent: '(geen)',
    consents_found: '{n} geldig',
    disclosures: 'Verstrekkingen', disclosures_for: 'Register van verstrekkingen voor leerling',
    disclosures_explain: 'Alles wat via de hub over deze leerling het CLB verliet: wanneer, ' +
        'aan wie, wat, waarom en op welke grond. Zo beantwoordt u een vraag tot inzage.',
    no_disclosures: 'Via de hub is niets over deze leerling verstrekt.',
    col_when: 'Wanneer', col_to: 'Aan', col_by: 'Door (rol · medewerker)', col_basis: 'Grond',
    col_approved: 'Tweede akkoord', basis_consent: 'toestemming', basis_rule: 'regel',
    col_proved: 'Bewezen', proved_yes: 'ja', proved_no: 'nee (auditregel niet meer bewaard)',
    proved_explain: 'Bewezen: het programma vond elke regel terug in het logboek van de hub.',
    print: 'Afdrukken', printed_on: 'Afgedrukt op',
    settings: 'Instellingen', profile: 'Profiel', organisation: 'Organisatie',
    staff_id: 'Medewerker (id)', idle_lock: 'Vergrendelt na', idle_minutes: '{n} minuten zonder gebruik',
    trusted_organisations: 'Vertrouwde organisaties', org_type: 'Soort',
    fingerprint: 'Vingerafdruk van de sleutel', key_state: 'Sleutel',
    key_pinned: 'vastgelegd, klopt met de hub',
    key_not_pinned: 'NIET vertrouwd: niet vastgelegd of anders dan bij de hub',
    fingerprints_explain: 'Vergelijk de vingerafdruk met wat de organisatie u langs een ander ' +
        'kanaal (telefoon, brief) geeft. Alleen naar vertrouwde organisaties kunt u verzenden.',
  },
  en: {
    pupil_reference: 'Pupil (the CLB\'s file number)',
    consents: 'Consents', show_consents: 'Show', consents_for: 'Consents for',
    no_consents: 'No consents for this pupil yet.', col_registered: 'Registered',
    consent_giver: 'Consent giver', recipients: 'Recipients (organisation type)',
    categories: 'Categories', purposes: 'Purposes', valid: 'Valid', col_state: 'State',
    in_force: 'In force', revoked_on: 'Revoked on', open_ended: 'no end date',
    revoke: 'Revoke', revoke_title: 'Revoke consent',
    revoke_explain: 'You revoke this consent from today on (never backwards):',
    revoke_withdraws: 'After that nothing may leave under this consent. Messages sent under it ' +
        'that still wait at the hub are withdrawn; the recipient and your own mailboxes are ' +
        'told. What was delivered stays delivered.',
    revoke_confirm: 'Yes, revoke', cancel: 'Cancel',
    revoked_done: 'Revoked. Messages withdrawn: {n}.', message: 'Message',
    register_consent: 'Register a consent', birth_date: 'Date of birth',
    age_if_unknown: 'Age (when the date of birth is not known)',
    competency: 'Competency (the CLB team\'s assessment)',
    competency_vermoed: 'by age (presumed)', competency_bekwaam: 'competent (team)',
    competency_onbekwaam: 'not competent (team)', adult_incompetent: 'Incompetent adult',
    giver_need_age: 'Give the date of birth or the age: who consents depends on it.',
    giver_age_today: 'Age today: {age}.',
    giver_age_unknown: 'Age unknown: then both the parents and the pupil must consent.',
    giver_below: 'Under 12: the parents (or the guardian) consent.',
    giver_presumed: 'From 12 the pupil is presumed competent (DRM art. 4 §2): the pupil ' +
        'consents.',
    giver_team_competent: 'The CLB team assessed the pupil as competent (motivated in the ' +
        'MDD): the pupil consents.',
    giver_team_incompetent: 'The CLB team assessed the pupil as not competent (motivated in ' +
        'the MDD): the parents (or the guardian) consent.',
    giver_adult: 'Adult: the pupil decides; a team assessment made before 18 no longer counts.',
    giver_adult_incompetent: 'Incompetent adult: the parents, guardian or administrator decide.',
    giver_is: 'Consent to be given by',
    giver_ouders: 'the parents or guardian', giver_leerling: 'the pupil', giver_beiden: 'parents and pupil',
    giver_rule_title: 'Who consents? (rule R32)',
    giver_rule_below: 'Under 12: the parents or the guardian.',
    giver_rule_from: 'From 12: the pupil, who is presumed competent.',
    giver_rule_team: 'The CLB team can assess otherwise, either way, with a written motivation ' +
        'in the MDD.',
    giver_rule_adult: 'From 18 again: the adult, unless an incompetent adult. The giver is ' +
        'worked out on every decision date: a consent of the parents stops counting on the ' +
        '12th birthday.',
    giver_rule_elp: 'Exception: the first-line psychologist (R22) always needs the parents\' ' +
        'consent, and also the competent pupil\'s.',
    capacity: 'Capacity (mother, father, guardian, pupil)',
    competency_basis: 'Competency motivation (when the team assessed)',
    valid_from: 'Given on (valid from)', valid_until: 'Valid until (optional)',
    channel: 'How given', channel_schriftelijk: 'in writing', channel_digitaal: 'digitally',
    channel_mondeling: 'orally', register: 'Register',
    consent_registered: 'Consent registered.',
    consent_refused: 'The hub refused this consent:',
    consent_need_pupil: 'Choose the pupil first.',
    consent_need_from: 'Give the date the consent was given.',
    consent_pick: 'Consent (from the registry, for this pupil)', no_consent: '(none)',
    consents_found: '{n} in force',
    disclosures: 'Disclosures', disclosures_for: 'Register of disclosures for pupil',
    disclosures_explain: 'Everything about this pupil that left the CLB through the hub: when, ' +
        'to whom, what, why and on which basis. This answers a request for access (inzage).',
    no_disclosures: 'Nothing about this pupil was disclosed through the hub.',
    col_when: 'When', col_to: 'To', col_by: 'By (role · staff)', col_basis: 'Basis',
    col_approved: 'Second approval', basis_consent: 'consent', basis_rule: 'rule',
    col_proved: 'Proved', proved_yes: 'yes', proved_no: 'no (audit row no longer kept)',
    proved_explain: "Proved: the program found each line in the hub's record log.",
    print: 'Print', printed_on: 'Printed on',
    settings: 'Settings', profile: 'Profile', organisation: 'Organisation',
    staff_id: 'Staff member (id)', idle_lock: 'Locks after', idle_minutes: '{n} minutes without use',
    trusted_organisations: 'Trusted organisations', org_type: 'Type',
    fingerprint: 'Key fingerprint', key_state: 'Key',
    key_pinned: 'pinned, matches the hub',
    key_not_pinned: 'NOT trusted: not pinned, or different at the hub',
    fingerprints_explain: 'Compare the fingerprint with what the organisation gives you by ' +
        'another channel (phone, letter). You can send only to trusted organisations.',
  },
};
