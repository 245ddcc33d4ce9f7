// The consent screen (docs/POLICY.md 2): who gives consent for this pupil (worked out by the
// program with the engine's own rule, R32, and explained), the pupil's consents, registering
// one and revoking one after showing what the revocation withdraws. The hub checks every
// registration again and its reasons are shown as they come. Text from the hub is set with
// textContent only.
import { t, currentLanguage, formatDate, formatDay, label, labels } from './i18n.js';
import { $, el } from './dom.js';

const ORG_TYPES = ['caw', 'cgg', 'jeugdhulp', 'eerstelijnspsycholoog', 'huisarts', 'logopedist',
  'vaph', 'mfc', 'ocj_vk', 'school'];
const CATEGORIES = ['identificatie', 'leren_en_studeren', 'onderwijsloopbaan', 'psychisch_sociaal',
  'diagnostiek', 'handelingsgericht_advies', 'verslag', 'multidisciplinair_overleg', 'contact',
  'doorverwijzing', 'preventieve_gezondheidszorg', 'vaccinatie'];
const PURPOSES = ['begeleiding', 'doorverwijzing', 'consultatie', 'terugkoppeling'];
const GIVER_DELAY_MS = 300;

let api = null;
let say = () => {};
let pupil = '';      // the pupil whose consents are listed
let revoking = null;  // the consent shown for revocation
let giverTimer = null;

// A fieldset of checkboxes, one per name; the names are the protocol's (docs/PROTOCOL.md 4).
function checkboxes(id, group, names) {
  const box = $(id);
  box.replaceChildren(box.querySelector('legend'));
  for (const name of names) {
    const input = el('input');
    input.type = 'checkbox';
    input.value = name;
    input.name = id;
    const text = el('label');
    text.append(input, ` ${label(group, name)}`);
    box.append(text);
  }
}

function checked(id) {
  return [...$(id).querySelectorAll('input:checked')].map((input) => input.value);
}

function facts() {
  const born = $('consent-born').value;
  const age = $('consent-age').value;
  return {
    birth_date: born || null,
    age: !born && age !== '' ? Number(age) : null,
    competency: $('consent-competency').value,
    adult_incompetent: $('consent-adult-incompetent').checked,
  };
}

// The rule in words for the pupil as the program derived them on `on` (today in Belgium).
function explainGiver(derived) {
  const lines = [];
  if (derived.age < 0) {
    lines.push(t('giver_age_unknown'));
  } else if (derived.adult) {
    lines.push(t('giver_age_today').replace('{age}', derived.age));
    lines.push(derived.competent ? t('giver_adult') : t('giver_adult_incompetent'));
  } else {
    lines.push(t('giver_age_today').replace('{age}', derived.age));
    const competency = $('consent-competency').value;
    if (competency === 'bekwaam') lines.push(t('giver_team_competent'));
    else if (competency === 'onbekwaam') lines.push(t('giver_team_incompetent'));
    else if (derived.age >= derived.competency_age) lines.push(t('giver_presumed'));
    else lines.push(t('giver_below'));
  }
  lines.push(`${t('giver_is')}: ${t('giver_' + derived.giver)}`);
  return lines;
}

async function deriveGiver() {
  const box = $('consent-giver-rule');
  const form = facts();
  if (!form.birth_date && form.age === null) {
    box.replaceChildren(el('p', t('giver_need_age')));
    return;
  }
  try {
    const derived = await api('/api/consents/giver', { method: 'POST', body: form });
    box.replaceChildren(...explainGiver(derived).map((line) => el('p', line)));
    $('consent-giver').value = derived.giver;
    // The pupil consents in their own name; for the parents the person fills in who signed.
    const capacity = $('consent-capacity');
    if (derived.giver === 'leerling') capacity.value = 'leerling';
    else if (capacity.value === 'leerling') capacity.value = '';
  } catch { /* said already */ }
}

function validity(c) {
  return `${formatDay(c.valid_from)} – ${c.valid_until ? formatDay(c.valid_until) : t('open_ended')}`;
}

function recipientsOf(c) {
  return [...c.scope.organisation_types.map((type) => label('org_type', type)),
    ...c.scope.organisations.map((id) => id.slice(0, 8))];
}

/// One line for a consent: giver, recipients, categories, purposes, validity.
export function describeConsent(c) {
  return `${t('giver_' + c.giver)} → ${recipientsOf(c).join(', ')} [${labels('category', c.categories)}] ` +
      `(${labels('purpose', c.purposes)}) ${validity(c)}`;
}

function consentRow(c) {
  const row = el('tr');
  const valid = validity(c);
  const recipients = recipientsOf(c);
  const state = c.revoked_at_ms !== null ? `${t('revoked_on')} ${formatDate(c.revoked_at_ms)}` : t('in_force');
  row.append(el('td', formatDate(c.registered_at_ms)),
             el('td', `${t('giver_' + c.giver)}${c.capacity ? ` (${c.capacity})` : ''}`),
             el('td', recipients.join(', ')), el('td', labels('category', c.categories)),
             el('td', labels('purpose', c.purposes)), el('td', valid), el('td', state));
  const cell = el('td');
  if (c.revoked_at_ms === null) {
    const button = el('button', t('revoke'));
    button.type = 'button';
    button.setAttribute('aria-label', `${t('revoke')}: ${labels('category', c.categories)} → ${recipients.join(', ')}`);
    button.addEventListener('click', () => showRevoke(c.consent_id));
    cell.append(button);
  }
  row.append(cell);
  return row;
}

async function listConsents() {
  if (!pupil) return;
  const { consents } = await api(`/api/consents?pupil=${encodeURIComponent(pupil)}`);
  $('consents').tBodies[0].replaceChildren(...consents.map(consentRow));
  $('consents-for').textContent = `${t('consents_for')} ${pupil}`;
  $('consents-empty').hidden = consents.length > 0;
  $('consents').hidden = consents.length === 0;
}

function scopeList(list, c) {
  const add = (term, value) => list.append(el('dt', term), el('dd', value));
  add(t('consent_giver'), `${t('giver_' + c.giver)}${c.capacity ? ` (${c.capacity})` : ''}`);
  add(t('recipients'), recipientsOf(c).join(', '));
  add(t('categories'), labels('category', c.categories));
  add(t('purposes'), labels('purpose', c.purposes));
  add(t('valid'), validity(c));
}

// What a revocation withdraws, before anything is revoked.
async function showRevoke(id) {
  const c = await api(`/api/consents/${id}`);
  revoking = c;
  const list = $('revoke-scope');
  list.replaceChildren();
  scopeList(list, c);
  $('revoke-result').replaceChildren();
  $('revoke-actions').hidden = false;
  $('revoke-panel').hidden = false;
  $('revoke-title').focus();
}

async function confirmRevoke() {
  const answer = await api(`/api/consents/${revoking.consent_id}/revoke`, { method: 'POST' });
  const result = $('revoke-result');
  result.replaceChildren(el('p', t('revoked_done').replace('{n}', answer.withdrawn.length)));
  const withdrawn = el('ul');
  for (const w of answer.withdrawn) withdrawn.append(el('li', `${t('message')} ${w.message_id}`));
  if (answer.withdrawn.length > 0) result.append(withdrawn);
  $('revoke-actions').hidden = true;
  revoking = null;
  await listConsents();
  $('revoke-result').focus();
}

function registration() {
  const until = $('consent-until').value;
  return {
    pupil,
    giver: $('consent-giver').value,
    capacity: $('consent-capacity').value.trim(),
    competency_basis: $('consent-basis').value.trim(),
    // The hub's wire form leaves out what is not known (null is not a date or an age).
    pupil_facts: Object.fromEntries(Object.entries(facts()).filter(([, value]) => value !== null)),
    scope: { organisation_types: checked('consent-types') },
    categories: checked('consent-categories'),
    purposes: checked('consent-purposes'),
    valid_from: $('consent-from').value,
    ...(until ? { valid_until: until } : {}),
    channel: $('consent-channel').value,
  };
}

function showIssues(issues) {
  const language = currentLanguage();
  const box = $('consent-result');
  box.className = 'precheck refused';
  box.replaceChildren(el('strong', t('consent_refused')));
  const list = el('ul', undefined, 'reasons');
  for (const issue of issues) {
    list.append(el('li', `${issue.rule_id ? `[${issue.rule_id}] ` : ''}${language === 'en' ? issue.en : issue.nl}`));
  }
  box.append(list);
}

async function register(event) {
  event.preventDefault();
  const box = $('consent-result');
  const form = registration();
  // Nothing half-filled goes to the hub: a pupil to register for, and a day it was given.
  if (!form.pupil || !form.valid_from) {
    box.className = 'precheck refused';
    box.replaceChildren(el('strong', t(form.pupil ? 'consent_need_from' : 'consent_need_pupil')));
    return;
  }
  try {
    const { consent_id } = await api('/api/consents', { method: 'POST', body: form });
    box.className = 'precheck allowed';
    box.replaceChildren(el('strong', t('consent_registered')), el('p', consent_id));
    say(t('consent_registered'));
    await listConsents();
  } catch (error) {
    if (error.problem?.issues) showIssues(error.problem.issues);
  }
}

export async function openConsents() {
  $('consent-pupil').focus();
}

/// `done`: back to the inbox.
export function initConsent(callApi, sayText, done) {
  api = callApi;
  say = sayText;
  $('consent-back').addEventListener('click', done);
  checkboxes('consent-types', 'org_type', ORG_TYPES);
  checkboxes('consent-categories', 'category', CATEGORIES);
  checkboxes('consent-purposes', 'purpose', PURPOSES);
  $('consent-pupil-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    pupil = $('consent-pupil').value.trim();
    $('revoke-panel').hidden = true;
    $('consent-register').hidden = !pupil;
    try { await listConsents(); } catch { /* said already */ }
  });
  const schedule = () => {
    clearTimeout(giverTimer);
    giverTimer = setTimeout(deriveGiver, GIVER_DELAY_MS);
  };
  for (const id of ['consent-born', 'consent-age']) $(id).addEventListener('input', schedule);
  for (const id of ['consent-competency', 'consent-adult-incompetent']) $(id).addEventListener('change', schedule);
  $('consent-form').addEventListener('submit', register);
  $('revoke-confirm').addEventListener('click', () => { confirmRevoke().catch(() => {}); });
  $('revoke-cancel').addEventListener('click', () => {
    revoking = null;
    $('revoke-panel').hidden = true;
    $('consent-pupil').focus();
  });
}
