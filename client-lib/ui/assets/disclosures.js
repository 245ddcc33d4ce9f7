// The disclosure register for a pupil (docs/POLICY.md 9): every message about the pupil the
// hub let out, when, to which organisation, of which kind, categories and purpose, on which
// basis (a consent or the rules), by whom and with whose second approval, and whether the hub's
// record log proved the line (the client checked it; docs/PROTOCOL.md 13.7). Printable for an
// inzage request (app.css's print rules keep only the register and its heading). Text from
// the hub is set with textContent only.
import { t, formatDate, label, labels } from './i18n.js';
import { $, el } from './dom.js';

// "consent:ID" or "rule:R05,R06" in words.
function basis(text) {
  const [kind, rest] = String(text).split(/:(.*)/s);
  if (kind === 'consent') {
    return `${t('basis_consent')} ${rest.split(',').map((id) => id.slice(0, 8)).join(', ')}`;
  }
  if (kind === 'rule') return `${t('basis_rule')} ${rest}`;
  return text;
}

function row(d) {
  const tr = el('tr');
  const to = d.recipient_org_name ? `${d.recipient_org_name} (${label('org_type', d.recipient_org_type)})`
                                  : d.recipient_org;
  tr.append(el('td', formatDate(d.at_ms)), el('td', label('kind', d.kind)), el('td', label('purpose', d.purpose)),
            el('td', labels('category', d.categories)), el('td', to),
            el('td', `${label('role', d.sender_role)} · ${d.sender_staff.slice(0, 8)}`), el('td', basis(d.legal_basis)),
            el('td', d.rule_ids), el('td', d.approved_by || '—'),
            el('td', t(d.proved ? 'proved_yes' : 'proved_no')));
  return tr;
}

async function show(api, pupil) {
  const register = await api(`/api/disclosures?pupil=${encodeURIComponent(pupil)}`);
  $('disclosures').tBodies[0].replaceChildren(...register.disclosures.map(row));
  $('disclosures').hidden = register.disclosures.length === 0;
  $('disclosures-empty').hidden = register.disclosures.length > 0;
  $('disclosures-heading').textContent = `${t('disclosures_for')} ${register.pupil}`;
  $('disclosures-printed').textContent = `${t('printed_on')} ${formatDate(Date.now())}`;
  $('disclosures-print').hidden = false;
}

export function openDisclosures() {
  $('disclosure-pupil').focus();
}

/// `done`: back to the inbox.
export function initDisclosures(api, done) {
  $('disclosure-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pupil = $('disclosure-pupil').value.trim();
    if (!pupil) return;
    try { await show(api, pupil); } catch { /* said already */ }
  });
  $('disclosures-print').addEventListener('click', () => window.print());
  $('disclosures-back').addEventListener('click', done);
}
