// The watched folders: a section of the settings (each folder with its
// mode, account, tidy-up, subfolders, pause and live counts) and a short
// line at the foot of the rail (watching or paused, with the pause
// button). The folder is chosen in the system dialog by the shell: the
// page never names a path itself.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t } from './i18n.js';
import { errorBlock } from './errors.js';

export function createFolders(app) {
  const view = () => app.state.folders || { paused: false, folders: [] };
  let section = null;
  // The last action's outcome, kept across re-renders: a sentence or an error block.
  let message = null;

  async function act(fn, done) {
    let ok = true;
    try {
      const v = await fn();
      if (v) app.state.folders = v;
      message = done || null;
    } catch (ex) {
      message = errorBlock(ex);
      ok = false;
    }
    // Also after a refusal: the controls show the settings as they are.
    rerender();
    return ok;
  }

  /** Re-renders the section in place (focus kept on the same control) and the rail line. */
  function rerender() {
    renderRail();
    if (!section || !section.isConnected) return;
    const focused = document.activeElement && section.contains(document.activeElement)
      ? document.activeElement.id : null;
    const fresh = build();
    section.replaceWith(fresh);
    section = fresh;
    if (focused) document.getElementById(focused)?.focus();
  }

  function countsText(f) {
    return t('folder_counts', f);
  }

  function accountOptions(f) {
    const others = app.state.accounts.filter((a) => a.name !== 'sandbox');
    const opts = [h('option', { value: '', text: t('default_account') }),
      ...others.map((a) => h('option', { value: a.name, text: a.name }))];
    const sel = h('select', { id: `folder-account-${f.id}`, dataset: { action: 'account' } }, opts);
    sel.value = f.account || '';
    sel.addEventListener('change', () => act(() => ipc.updateFolder(f.id, { account: sel.value })));
    return h('div', { class: 'field' }, h('label', { for: sel.id, text: t('folder_account') }), sel);
  }

  function item(f) {
    const mode = h('select', { id: `folder-mode-${f.id}`, dataset: { action: 'mode' } },
      h('option', { value: 'check', text: t('mode_check') }),
      h('option', { value: 'submit', text: t('mode_submit') }));
    mode.value = f.mode;
    mode.addEventListener('change', () => act(() => ipc.updateFolder(f.id, { mode: mode.value })));
    const check = (key, action, label, value) => {
      const input = h('input', { type: 'checkbox', id: `folder-${action}-${f.id}`, dataset: { action },
        checked: value });
      input.addEventListener('change', () => act(() => ipc.updateFolder(f.id, { [key]: input.checked })));
      return h('label', { class: 'check' }, input, label);
    };
    const pause = h('button', { class: 'btn btn-quiet', type: 'button', id: `folder-pause-${f.id}`,
      dataset: { action: 'pause' }, text: f.paused ? t('folder_resume') : t('folder_pause') });
    pause.addEventListener('click', () => act(() => ipc.updateFolder(f.id, { paused: !f.paused })));
    const remove = h('button', { class: 'btn btn-danger', type: 'button', id: `folder-remove-${f.id}`,
      dataset: { action: 'remove' }, text: t('remove_folder') });
    remove.addEventListener('click', () => {
      if (remove.dataset.confirm !== '1') {
        remove.dataset.confirm = '1';
        remove.textContent = t('confirm_remove_folder');
        return;
      }
      act(() => ipc.removeFolder(f.id), t('folder_removed', f.path));
    });
    const state = f.missing
      ? h('span', { class: 'badge cat-action', title: t('folder_missing_help') }, '⚠ ', t('folder_missing'))
      : f.paused ? h('span', { class: 'badge cat-closed' }, '‖ ', t('folder_paused')) : null;
    return h('li', { dataset: { folder: String(f.id) } },
      h('div', { class: 'top' },
        h('span', { class: 'who' }, h('code', { class: 'path', text: f.path }), state),
        h('span', { class: 'btns' }, pause, remove)),
      f.missing ? h('p', { class: 'help', text: t('folder_missing_help') }) : null,
      h('p', { class: 'counts', role: 'status', text: countsText(f) }),
      h('div', { class: 'opts' },
        h('div', { class: 'field' }, h('label', { for: mode.id, text: t('folder_mode') }), mode),
        f.mode === 'submit' ? accountOptions(f) : null),
      h('div', { class: 'checks' },
        check('tidy', 'tidy', t('folder_tidy'), f.tidy),
        check('recursive', 'recursive', t('folder_recursive'), f.recursive),
        check('make_facturx', 'make-facturx', t('folder_make_facturx'), f.make_facturx)),
      f.tidy ? h('p', { class: 'help', text: t('folder_tidy_help') }) : null,
      f.make_facturx ? h('p', { class: 'help', text: t('folder_make_facturx_help') }) : null);
  }

  function build() {
    const v = view();
    const notice = h('div', { class: 'notice', role: 'status' }, message);
    const add = h('button', { class: 'btn', type: 'button', id: 'add-folder', text: t('add_folder') });
    add.addEventListener('click', () => act(async () => {
      const r = await ipc.chooseFolder();
      return r;
    }));
    const pauseAll = h('button', { class: 'btn btn-quiet', type: 'button', id: 'pause-watching',
      text: v.paused ? t('resume_watching') : t('pause_watching') });
    pauseAll.addEventListener('click', () => act(() => ipc.pauseWatching(!v.paused)));
    return h('section', { id: 'folders-section', 'aria-labelledby': 'h-folders' },
      h('h3', { id: 'h-folders', text: t('folders') }),
      h('p', { class: 'help', text: t('folders_help') }),
      notice,
      v.folders.length
        ? h('ul', { class: 'folders' }, v.folders.map(item))
        : h('p', { class: 'help', text: t('no_folders') }),
      h('div', { class: 'btns' }, add, v.folders.length ? pauseAll : null));
  }

  /** The section for the settings dialog. */
  function render() {
    section = build();
    return section;
  }

  /** The rail's line: what is watched, and the pause button. */
  function renderRail() {
    const el = $('#watching');
    if (!el) return;
    const v = view();
    const active = v.folders.filter((f) => !f.paused && !f.missing).length;
    if (!v.folders.length) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const text = v.paused ? t('watching_paused') : active ? t('watching_on', active) : t('watching_none');
    const btn = h('button', { class: 'btn btn-quiet', type: 'button', id: 'rail-pause',
      text: v.paused ? t('resume_watching') : t('pause_watching') });
    btn.addEventListener('click', () => act(() => ipc.pauseWatching(!v.paused)));
    clear(el,
      h('p', { class: `state ${v.paused ? 'paused' : 'on'}` }, v.paused ? '‖ ' : '● ', text),
      btn);
  }

  /** New counts or settings from the shell: counts change in place, settings re-render. */
  function update(v) {
    const old = view();
    app.state.folders = v;
    const shape = (x) => JSON.stringify([x.paused, x.folders.map((f) =>
      [f.id, f.path, f.mode, f.account, f.tidy, f.recursive, f.paused, f.missing, f.make_facturx])]);
    if (shape(old) !== shape(v)) {
      rerender();
      return;
    }
    if (section && section.isConnected) {
      for (const f of v.folders) {
        const c = section.querySelector(`li[data-folder="${f.id}"] .counts`);
        if (c) c.textContent = countsText(f);
      }
    }
  }

  async function load() {
    try {
      app.state.folders = await ipc.listFolders();
    } catch (ex) {
      app.state.folders = { paused: false, folders: [] };
      throw ex;
    } finally {
      renderRail();
    }
  }

  return { render, renderRail, update, load };
}
