// The work views (docs/WORKFLOW.md): the CLB's triage queue with its next steps (each one a
// case statement the program signs with this device's key), the referral board, the school's
// signalen and the director's report. Every view is offered to everyone: the hub decides who
// may see it, and its refusal (title, detail, what to do) is shown in place of the view. Every
// text is set with textContent.
import { t, currentLanguage, formatDate, formatDay, label } from './i18n.js';

const $ = (id) => document.getElementById(id);
const VIEWS = { triage: 'cases', referrals: 'referrals', signalen: 'signalen', report: 'report' };
// The next steps offered for a case: the action and its code, as /api/cases/CASE/act takes them.
const STEPS = [
  ['assign', ''], ['vraagverheldering', ''], ['track', 'advice'], ['track', 'diagnosis'],
  ['track', 'diagnosis_formalised_advice'], ['track', 'referral'],
  ['close', 'no_further_guidance'], ['close', 'referred'], ['close', 'moved_school'],
  ['close', 'other'], ['delay', 'leerbedreigd'], ['delay', 'partner_pace'],
  ['delay', 'waiting_list'], ['delay', 'other'],
];
let deps = null;
let shown = null;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// A table with a caption (for screen readers), header cells and the given rows of cells.
function table(caption, heads, rows) {
  const tableEl = el('table');
  tableEl.append(el('caption', caption, 'visually-hidden'));
  const head = el('tr');
  for (const text of heads) {
    const th = el('th', text);
    th.scope = 'col';
    head.append(th);
  }
  tableEl.append(el('thead'));
  tableEl.tHead.append(head);
  const body = el('tbody');
  for (const cells of rows) {
    const tr = el('tr');
    for (const cell of cells) tr.append(cell instanceof Node ? cell : el('td', cell));
    body.append(tr);
  }
  tableEl.append(body);
  return tableEl;
}

function cell(text, className) { return el('td', text, className); }
const short = (id) => (id ? id.slice(0, 8) : '-');
const day = (text) => (text ? formatDay(text) : '-');
const trackText = (code) => (code ? t(`code_${code}`) : '-');

function stepText([action, code]) {
  return code ? `${t(`step_${action}`)}: ${t(`code_${code}`)}` : t(`step_${action}`);
}

async function act(c, select) {
  const [action, code] = STEPS[Number(select.value)];
  try {
    await deps.api(`/api/cases/${c.case_id}/act`, { method: 'POST', body: { action, code } });
    deps.say(`${t('step_done')} ${stepText(STEPS[Number(select.value)])}`);
    await open('triage', false);
  } catch { /* said already */ }
}

function triage(data) {
  const rows = data.cases.map((c) => {
    const select = el('select');
    select.setAttribute('aria-label', `${t('next_step')}: ${c.pupil_label || short(c.pupil)}`);
    STEPS.forEach((step, n) => select.append(new Option(stepText(step), String(n))));
    const go = el('button', t('do_step'));
    go.type = 'button';
    go.addEventListener('click', () => act(c, select));
    const actions = el('td');
    actions.append(select, go);
    const urgent = c.priority === 'urgent';
    return [cell(formatDate(c.received_at_ms)),
            cell(urgent ? t('urgent') : t('ordinary'), urgent ? 'warning' : undefined),
            cell(c.pupil_label || `${t('pseudonym')} ${short(c.pupil)}`), cell(label('state', c.state)),
            cell(trackText(c.track)),
            cell(c.overdue ? `${day(c.due)} · ${t('overdue')}` : day(c.due), c.overdue ? 'warning' : undefined),
            cell(short(c.assignee)), actions];
  });
  return table(t('work_triage'), [t('col_received'), t('priority'), t('col_pupil'), t('col_state'),
                                  t('track'), t('due'), t('assignee'), t('next_step')], rows);
}

function referrals(data) {
  const rows = data.referrals.map((r) => [
    cell(formatDate(r.sent_at_ms)), cell(label('kind', r.kind)), cell(short(r.partner_org)),
    cell(label('state', r.state)),
    cell(day(r.received_due)), cell(day(r.answered_due)),
    cell(r.overdue ? t('overdue') : '', r.overdue ? 'warning' : undefined),
    cell(r.flagged ? t('flagged') : t('verified'), r.flagged ? 'warning' : 'verified'),
  ]);
  return table(t('work_referrals'), [t('sent_on'), t('col_kind'), t('partner'), t('col_state'),
                                     t('received_due'), t('answered_due'), t('overdue_col'),
                                     t('col_check')], rows);
}

function signalen(data) {
  const rows = data.signalen.map((s) => [cell(formatDate(s.received_at_ms)), cell(short(s.clb)),
                                         cell(t(`signaal_${s.status}`))]);
  return table(t('work_signalen'), [t('sent_on'), t('clb'), t('col_state')], rows);
}

function report(data) {
  const box = el('div');
  const open = [];
  for (const [state, tracks] of Object.entries(data.open)) {
    for (const [track, count] of Object.entries(tracks)) {
      open.push([label('state', state), trackText(track === 'none' ? '' : track), String(count)]);
    }
  }
  box.append(el('h3', t('report_open')),
             table(t('report_open'), [t('col_state'), t('track'), t('count')], open));
  const spread = (key) => [t(key), String(data[key].count), String(data[key].median ?? '-'),
                           String(data[key].p90 ?? '-')];
  box.append(el('h3', t('report_days')),
             table(t('report_days'), [t('figure'), t('count'), t('median'), 'p90'],
                   [spread('working_days_to_first_contact'), spread('working_days_to_closure')]));
  box.append(el('h3', t('report_overdue')), el('p', `${t('overdue_col')}: ${data.overdue.count}`));
  box.append(el('h3', t('report_schools')),
             table(t('report_schools'), [t('school'), t('count')],
                   data.signalen_per_school.map((s) => [short(s.school_org), String(s.signalen)])));
  return box;
}

const RENDER = { triage, referrals, signalen, report };

// The hub's refusal (or another problem) in place of the view, in the person's language.
function showProblem(problem) {
  const box = $('work-problem');
  const en = currentLanguage() === 'en';
  box.textContent = problem
    ? [en ? problem.title : problem.title_nl, problem.detail, en ? problem.what_to_do : problem.wat_nu]
        .filter(Boolean).join(' — ')
    : t('work_failed');
  box.hidden = false;
}

async function open(view, focus = true) {
  shown = view;
  deps.show('work-view');
  $('work-title').textContent = t(`work_${view}`);
  $('work-problem').hidden = true;
  $('work-body').replaceChildren();
  if (focus) $('work-title').focus();
  try {
    const data = await deps.api(`/api/${VIEWS[view]}`);
    $('work-body').replaceChildren(RENDER[view](data));
    deps.say('');
  } catch (error) {
    if (error.message !== 'locked') showProblem(error.problem);
  }
}

/// The work menu's buttons; `show(id)` shows one screen, `api` and `say` as app.js has them.
export function initWork(given) {
  deps = given;
  for (const button of document.querySelectorAll('#work-nav button[data-view]')) {
    button.addEventListener('click', () => { open(button.dataset.view).catch(() => {}); });
  }
}

/// Draws the view shown again (after a change of language).
export function refreshWork() {
  if (shown && !$('work-view').hidden) open(shown, false).catch(() => {});
}
