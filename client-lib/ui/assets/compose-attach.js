// Attachments in the compose form. Each chosen file goes to the program as it is (POST
// /api/uploads); the program encrypts it and uploads it to the hub on a worker of its own while
// the page follows the send's progress (GET /api/jobs/ID) and stays usable. The page never
// encrypts and never sees a key; the pre-check counts the files by their category.
import { $ } from './dom.js';
import { t } from './i18n.js';

const POLL_MS = 150;
let maxBytes = Number.MAX_SAFE_INTEGER;

/// The largest file the program takes (GET /api/state's max_attachment_bytes).
export function setAttachmentLimit(bytes) { if (bytes > 0) maxBytes = bytes; }

/// The chosen files as the pre-check needs them: their data category.
export function chosenFiles() {
  const category = $('compose-file-category').value;
  return [...$('compose-files').files].map(() => ({ category }));
}

export function resetAttachments() {
  $('compose-files').value = '';
  $('compose-progress-box').hidden = true;
}

function showProgress(stage, done, total) {
  const percent = total > 0 ? Math.floor((done * 100) / total) : 0;
  $('compose-progress-box').hidden = false;
  $('compose-progress').value = percent;
  $('compose-progress-text').textContent = `${t(stage)}: ${percent}%`;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/// Sends `form` with the chosen files: hands each file to the program, starts the send (or,
/// with `endpoint` /api/compose/request-approval, the request for a second approval, which
/// carries the files too) and follows it until the hub's receipt (the answer) or a refusal
/// (thrown, as api() throws).
export async function sendWithFiles(api, say, form, endpoint = '/api/compose/send') {
  const files = [...$('compose-files').files];
  const category = $('compose-file-category').value;
  const large = files.find((file) => file.size > maxBytes);
  if (large) {
    say(t('attach_too_large') + large.name);
    throw new Error('too large');
  }
  form.attachments = [];
  for (const file of files) {
    showProgress('progress_reading', 0, 0);
    const query = `name=${encodeURIComponent(file.name)}&type=${encodeURIComponent(file.type)}`;
    const received = await api(`/api/uploads?${query}`, { method: 'POST', raw: file });
    form.attachments.push({ upload_id: received.upload_id, category });
  }
  const job = await api(endpoint, { method: 'POST', body: form, refusal: true });
  showProgress('progress_uploading', 0, job.total);
  for (;;) {
    await pause(POLL_MS);
    const now = await api(`/api/jobs/${job.job_id}`, { refusal: true });
    showProgress('progress_uploading', now.done, now.total);
    if (now.state === 'sent') return now;
  }
}
