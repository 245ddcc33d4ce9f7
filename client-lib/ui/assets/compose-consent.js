// The compose form's consent: picked from the CLB's registry for the pupil named in the form
// (GET /api/consents?pupil=REF), the consents in force only, each shown with its giver and
// scope so the person sees what it covers. Other organisations send without one (the hub links
// a partner's answer to the CLB's consent itself), so for them the list stays empty.
import { t } from './i18n.js';
import { $ } from './dom.js';
import { describeConsent } from './consent.js';

const LOOKUP_DELAY_MS = 400;
let timer = null;
let round = 0;

function isClb() { return (document.body.dataset.role ?? '').startsWith('clb_'); }

/// Empties the choice (a new form, or a pupil without consents).
export function resetConsents() {
  const select = $('compose-consent');
  select.replaceChildren(new Option(t('no_consent'), ''));
  select.disabled = !isClb();
}

async function lookup(api, changed) {
  const current = ++round;
  const pupil = $('compose-pupil').value.trim();
  resetConsents();
  if (!pupil || !isClb()) return;
  try {
    const { consents } = await api(`/api/consents?pupil=${encodeURIComponent(pupil)}`);
    if (current !== round) return;  // the pupil changed meanwhile
    for (const c of consents.filter((c) => c.revoked_at_ms === null)) {
      $('compose-consent').append(new Option(describeConsent(c), c.consent_id));
    }
    $('compose-consent-count').textContent =
        t('consents_found').replace('{n}', $('compose-consent').options.length - 1);
    changed();
  } catch { /* said already */ }
}

/// Looks the pupil's consents up as the pupil is typed; `changed` runs the pre-check again.
export function initConsentPicker(api, changed) {
  resetConsents();
  $('compose-pupil').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => lookup(api, changed), LOOKUP_DELAY_MS);
  });
}
