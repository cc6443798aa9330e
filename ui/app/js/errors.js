// Errors as a shop owner reads them: a sentence first, the technical detail
// one click away.

import { h } from './dom.js';
import { t, pick } from './i18n.js';
import { icon } from './status.js';

/** An error block for `err` (IpcError or anything thrown). */
export function errorBlock(err, onDismiss) {
  const message = (err && pick(err, 'message')) || t('error_generic');
  const detail = err?.detail || (err && !err.code ? String(err) : null);
  const box = h('div', { class: 'error', role: 'alert', dataset: { code: err?.code || 'internal' } },
    icon('action'),
    h('p', { class: 'msg', text: message }),
    onDismiss ? h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('dismiss'), title: t('dismiss'),
      onclick: onDismiss }, '×') : h('span'),
    detail ? h('details', {}, h('summary', { text: t('details') }), h('pre', { text: `${err.code || ''}\n${detail}`.trim() })) : null,
  );
  return box;
}

/** Shows a dismissable error at the top of the window. */
export function showError(err) {
  if (err && !err.code) console.warn(err); // unexpected: keep it for developers
  const host = document.getElementById('errors');
  const box = errorBlock(err, () => box.remove());
  host.prepend(box);
  while (host.children.length > 3) host.lastElementChild.remove();
  return box;
}
