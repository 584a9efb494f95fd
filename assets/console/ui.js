// Notices and dialogs. Notices float above the page, so showing one never moves the
// content a person is about to click. Dialogs are modal <dialog>s that take focus and
// give it back to whatever opened them.

import { h, newId } from './dom.js';

const MAX_NOTICES = 3;
const MAX_SPOKEN = 3;

/**
 * Says `text` to screen readers through the live regions the page has had since it
 * loaded (a region inserted already filled is often not read): `alert` interrupts,
 * otherwise it waits its turn. The same words twice in a row are said once.
 */
export function announce(text, { alert = false } = {}) {
  const region = document.getElementById(alert ? 'announce-alert' : 'announce-polite');
  if (!region) return;
  if (region.lastElementChild && region.lastElementChild.textContent === text) return;
  region.append(h('p', {}, text));
  while (region.children.length > MAX_SPOKEN) region.firstElementChild.remove();
}

/** Forgets every notice, shown and spoken (the person changed). */
export function clearNotices() {
  for (const id of ['notices', 'announce-polite', 'announce-alert']) {
    const el = document.getElementById(id);
    if (el) el.replaceChildren();
  }
}

/**
 * Forgets the notices about integration `id`: its card changed, so what they said
 * (a simulation waiting for the next check, the last check's answer) is stale.
 */
export function forgetNoticesAbout(id) {
  const stack = document.getElementById('notices');
  if (!stack) return;
  for (const notice of [...stack.children]) {
    if (notice.dataset.about === id) notice.remove();
  }
}

/** Removes `notice` after `ms`, later while the pointer or focus is on it. */
function fadeAfter(notice, ms) {
  setTimeout(() => {
    if (!notice.isConnected) return;
    if (notice.matches(':hover, :focus-within')) fadeAfter(notice, 2000);
    else notice.remove();
  }, ms);
}

/**
 * Shows a notice and announces it. A notice with the same `key` (or, without one, the
 * same words) replaces the earlier one instead of stacking; `about` ties it to an
 * integration, whose next change removes it. Errors stay longer (30 s, more while
 * read); others leave after 8 s.
 */
export function notify(message, { tone = 'info', code, title, key, about } = {}) {
  const stack = document.getElementById('notices');
  const isError = tone === 'error';
  const same = key || `${tone}:${title || ''}:${message}`;
  const before = [...stack.children].find((n) => n.dataset.key === same);
  if (before) before.remove();
  const notice = h(
    'div',
    {
      class: `notice notice-${tone}`,
      'data-testid': 'notice',
      'data-tone': tone,
      'data-code': code,
      'data-key': same,
      'data-about': about,
    },
    h(
      'div',
      { class: 'notice-text' },
      title && h('strong', { class: 'notice-title' }, title),
      h('span', {}, message),
    ),
    h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: () => notice.remove() }, '×'),
  );
  stack.prepend(notice);
  while (stack.children.length > MAX_NOTICES) stack.lastElementChild.remove();
  announce(title ? `${title}: ${message}` : message, { alert: isError });
  fadeAfter(notice, isError ? 30000 : 8000);
  return notice;
}

/** Shows an error from the API: its message, never its JSON. */
export function notifyError(error, title) {
  const message = (error && error.message) || 'Something went wrong.';
  return notify(message, { tone: 'error', code: error && error.code, title });
}

/**
 * Opens a modal dialog and resolves with true once `onConfirm(values)` succeeded, or
 * false when dismissed. `fields` are textareas ({ name, label, required, hint });
 * `body` is extra content placed above them (it may hold its own inputs, read
 * through the same FormData). A failing `onConfirm` keeps the dialog open and shows
 * the error inside it.
 */
export function openDialog({ title, description, body, fields = [], confirm, tone = 'primary', onConfirm, testid }) {
  const opener = document.activeElement;
  // A live update may redraw the opener's card meanwhile: then focus goes to its twin.
  const openerKey = opener && opener.dataset ? opener.dataset.focus : null;
  const openerCard = opener && opener.closest ? opener.closest('[data-integration-id]') : null;
  const cardId = openerCard && openerCard.dataset.integrationId;
  const titleId = newId('dialog-title');
  const descId = newId('dialog-desc');
  const error = h('p', { class: 'dialog-error', role: 'alert', 'data-testid': 'dialog-error' });
  const submit = h('button', { type: 'submit', class: `button ${tone}` }, confirm);
  const cancel = h('button', { type: 'button', class: 'button ghost' }, 'Cancel');
  const inputs = fields.map((field) => {
    const id = newId('field');
    const hintId = field.hint ? newId('hint') : null;
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, field.label, field.required ? '' : h('span', { class: 'optional' }, ' (optional)')),
      hintId && h('p', { id: hintId, class: 'hint' }, field.hint),
      h('textarea', {
        id,
        name: field.name,
        rows: 3,
        maxlength: 2000,
        required: !!field.required,
        'aria-describedby': hintId,
      }),
    );
  });
  const form = h(
    'form',
    { class: 'dialog-form', novalidate: true },
    h('h2', { id: titleId, class: 'dialog-title' }, title),
    description && h('p', { id: descId, class: 'dialog-desc' }, description),
    body,
    inputs,
    error,
    h('div', { class: 'dialog-actions' }, cancel, submit),
  );
  const dialog = h(
    'dialog',
    {
      class: 'dialog',
      'aria-labelledby': titleId,
      'aria-describedby': description ? descId : null,
      'data-testid': testid,
    },
    form,
  );
  document.body.append(dialog);

  return new Promise((resolve) => {
    let busy = false;
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      else (twinOf(cardId, openerKey) || document.getElementById('main')).focus();
      resolve(ok);
    };
    cancel.addEventListener('click', () => !busy && finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      if (!busy) finish(false);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const data = new FormData(form);
      const values = Object.fromEntries([...data.entries()].map(([k, v]) => [k, String(v).trim()]));
      for (const field of fields) {
        if (field.required && !values[field.name]) {
          error.textContent = `${field.label} is required.`;
          form.elements[field.name].focus();
          return;
        }
      }
      busy = true;
      submit.disabled = cancel.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      try {
        await onConfirm(values);
        finish(true);
      } catch (e) {
        error.textContent = (e && e.message) || 'That did not work.';
      } finally {
        busy = false;
        submit.disabled = cancel.disabled = false;
        submit.removeAttribute('aria-busy');
      }
    });
    dialog.showModal();
    const first = form.querySelector('textarea, input:checked, input, select');
    (first || submit).focus();
  });
}

function twinOf(cardId, key) {
  if (!cardId || !key) return null;
  const card = document.querySelector(`[data-integration-id="${CSS.escape(cardId)}"]`);
  return card && card.querySelector(`[data-focus="${CSS.escape(key)}"]`);
}
