// Drops and batches: the shell receives the dropped paths and checks them;
// the page only highlights the window and shows ONE progress bar with
// counts and a cancel button.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t, count, pick } from './i18n.js';
import { icon } from './status.js';
import { showError } from './errors.js';

export function createBatch(app) {
  const bar = $('#batch');
  const overlay = $('#drop-overlay');
  let batch = null; // last batch-progress payload (+ batch_id)
  let items = []; // this batch's batch-item payloads, in arrival order
  let hideTimer = null;
  const SHOWN = 200;

  function verdictOf(it) {
    if (it.error) return { cls: 'ko', text: t('item_unreadable') };
    if (it.known) return { cls: 'known', text: t('item_known') };
    if (it.duplicate) return { cls: 'ko', text: t('item_duplicate', it.duplicate.other_number) };
    if (it.verdict === 'accepted') return { cls: 'ok', text: t('item_accepted') };
    return { cls: 'ko', text: it.first_finding ? pick(it.first_finding, 'message') : t('item_unreadable') };
  }

  function itemList() {
    if (!items.length) return null;
    const name = (p) => p.split(/[\\/]/).pop();
    const rows = items.slice(0, SHOWN).map((it) => {
      const v = verdictOf(it);
      const label = h('span', { class: 'file', text: name(it.path), title: it.path });
      return h('li', { class: `item ${v.cls}`, dataset: { verdict: it.known ? 'known' : it.verdict } },
        it.invoice_id != null
          ? h('button', { class: 'link', type: 'button', onclick: () => app.openDetail(it.invoice_id) }, label)
          : label,
        h('span', { class: 'why', text: v.text }));
    });
    if (items.length > SHOWN) rows.push(h('li', { class: 'more', text: t('batch_more', items.length - SHOWN) }));
    return h('ul', { class: 'batch-items', 'aria-label': t('batch_files') }, rows);
  }

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
        h('span', { class: 'ko' }, icon('action'), t('batch_blocked', b.blocked)),
        b.known ? h('span', { class: 'known' }, t('batch_known', b.known)) : null),
      b.done
        ? h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'close-batch' }, text: t('close'),
          onclick: () => { batch = null; items = []; render(); } })
        : h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'cancel-batch' }, text: t('cancel'),
          onclick: cancel }),
      itemList());
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
      batch = { batch_id: p.batch_id, checked: 0, accepted: 0, blocked: 0, known: 0, total: p.total, done: false, cancelled: false };
      items = [];
      render();
    });
    await ipc.on('batch-progress', (p) => {
      if (batch && batch.batch_id !== p.batch_id && !batch.done) return; // another batch: keep one bar
      batch = { ...p };
      render();
      refreshSoon();
    });
    await ipc.on('batch-item', (it) => {
      if (batch && it.batch_id !== batch.batch_id) return;
      items.push(it);
      refreshSoon();
    });
    // Tauri's own drag events: highlight only; the shell handles the drop.
    await ipc.on('tauri://drag-enter', () => { overlay.hidden = false; });
    await ipc.on('tauri://drag-over', () => { overlay.hidden = false; });
    await ipc.on('tauri://drag-leave', () => { overlay.hidden = true; });
    await ipc.on('tauri://drag-drop', () => { overlay.hidden = true; });
  }

  // Re-render in the new language.
  return { listen, render };
}
