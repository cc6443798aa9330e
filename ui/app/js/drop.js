// Drops and batches: the shell receives the dropped paths and checks them;
// the page only highlights the window and shows ONE progress bar with
// counts and a cancel button.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t, count } from './i18n.js';
import { icon } from './status.js';
import { showError } from './errors.js';

export function createBatch(app) {
  const bar = $('#batch');
  const overlay = $('#drop-overlay');
  let batch = null; // last batch-progress payload (+ batch_id)
  let hideTimer = null;

  function render() {
    if (!batch) { bar.hidden = true; clear(bar); return; }
    const b = batch;
    let text;
    if (!b.done) text = t('batch_running', count(b.checked), count(b.total));
    else if (b.cancelled) text = t('batch_cancelled', count(b.checked), count(b.total));
    else text = t('batch_done', b.checked);
    const progress = h('progress', { max: String(Math.max(1, b.total)), value: String(b.checked),
      'aria-label': text });
    clear(bar,
      h('span', { class: 'label', text }),
      b.done ? null : progress,
      h('span', { class: 'counts' },
        h('span', { class: 'ok' }, icon('success'), t('batch_accepted', b.accepted)),
        h('span', { class: 'ko' }, icon('action'), t('batch_blocked', b.blocked))),
      b.done
        ? h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'close-batch' }, text: t('close'),
          onclick: () => { batch = null; render(); } })
        : h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'cancel-batch' }, text: t('cancel'),
          onclick: cancel }));
    bar.hidden = false;
  }

  async function cancel() {
    if (!batch) return;
    try {
      await ipc.cancelBatch(batch.batch_id);
    } catch (e) {
      showError(e);
    }
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => app.refreshAll(), 250);
  }

  async function listen() {
    await ipc.on('batch-started', (p) => {
      clearTimeout(hideTimer);
      batch = { batch_id: p.batch_id, checked: 0, accepted: 0, blocked: 0, total: p.total, done: false, cancelled: false };
      render();
    });
    await ipc.on('batch-progress', (p) => {
      if (batch && batch.batch_id !== p.batch_id && !batch.done) return; // another batch: keep one bar
      batch = { ...p };
      render();
      refreshSoon();
    });
    await ipc.on('batch-item', () => refreshSoon());
    // Tauri's own drag events: highlight only; the shell handles the drop.
    await ipc.on('tauri://drag-enter', () => { overlay.hidden = false; });
    await ipc.on('tauri://drag-over', () => { overlay.hidden = false; });
    await ipc.on('tauri://drag-leave', () => { overlay.hidden = true; });
    await ipc.on('tauri://drag-drop', () => { overlay.hidden = true; });
  }

  // Re-render in the new language.
  return { listen, render };
}
