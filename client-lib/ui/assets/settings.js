// The settings screen: who this device is, the idle time after which the keys lock, the
// organisations this device trusts with the fingerprint of each pinned key (to compare with
// what the organisation gives by phone or letter; a key the hub now shows that differs from
// the pinned one is marked), and "lock now". Text from the hub is set with textContent only.
import { t, label } from './i18n.js';
import { $, el } from './dom.js';

function orgRow(org) {
  const row = el('tr');
  const state = org.trusted ? el('span', t('key_pinned'), 'verified') : el('span', t('key_not_pinned'), 'warning');
  const cell = el('td');
  cell.append(state);
  row.append(el('td', org.name), el('td', label('org_type', org.type)), el('td', org.fingerprint, 'fingerprint'), cell);
  return row;
}

export async function openSettings(api) {
  const settings = await api('/api/settings');
  const d = settings.device;
  const list = $('settings-profile');
  list.replaceChildren();
  const add = (term, value) => list.append(el('dt', term), el('dd', value));
  add(t('organisation'), d.org_name ? `${d.org_name} (${label('org_type', d.org_type)})` : d.org_id);
  add(t('role'), label('role', d.role));
  add(t('staff_id'), d.staff_id);
  add(t('device'), d.device_id);
  add(t('idle_lock'), t('idle_minutes').replace('{n}', Math.round(settings.idle_seconds / 60)));
  $('trusted').tBodies[0].replaceChildren(...settings.organisations.map(orgRow));
  $('settings-title').focus();
}

/// `lock`: locks now (the page then asks for the passphrase); `done`: back to the inbox.
export function initSettings(lock, done) {
  $('settings-lock').addEventListener('click', lock);
  $('settings-back').addEventListener('click', done);
}
