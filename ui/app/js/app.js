// Wires the views together and holds the little state the page has.

import * as ipc from './ipc.js';
import { setLang, applyStatic, t } from './i18n.js';
import { $ } from './dom.js';
import { createList } from './list.js';
import { createDetail } from './detail.js';
import { createSettings } from './settings.js';
import { createBatch } from './drop.js';
import { createFolders } from './folders.js';
import { createDirectory } from './directory.js';
import { createCompany } from './company.js';
import { showError } from './errors.js';

const app = {
  state: {
    settings: null,
    accounts: [],
    folders: null,
    counts: null,
    customers: [],
    selectedId: null,
    filter: { group: 'to_do', customer: null, since: null, until: null, number: null },
  },

  isSimulation(portal) {
    const acc = this.state.accounts.find((a) => a.name === portal);
    return acc ? acc.kind === 'sandbox' : portal === 'sandbox';
  },

  async setFilter(patch) {
    Object.assign(this.state.filter, patch);
    list.renderGroups();
    await list.load();
  },

  async openDetail(id, opts) {
    await detail.open(id, opts);
  },

  closeDetail() {
    detail.close();
    list.focus();
  },

  async chooseFiles() {
    try {
      await ipc.chooseFiles();
    } catch (e) {
      showError(e);
    }
  },

  async loadCounts() {
    try {
      this.state.counts = await ipc.counts();
    } catch (e) {
      showError(e);
    }
    list.renderGroups();
    // What needs the user shows in the title (taskbar, window list).
    const n = this.state.counts ? this.state.counts.to_do : 0;
    document.title = n > 0 ? `(${n}) ${t('app_title')}` : t('app_title');
  },

  async loadAccounts() {
    try {
      this.state.accounts = await ipc.listAccounts();
    } catch (e) {
      showError(e);
    }
  },

  async refreshAll() {
    await this.loadCounts();
    await list.load();
    await detail.refresh();
  },

  async setLanguage(lang) {
    try {
      await ipc.setLanguage(lang);
    } catch (e) {
      showError(e);
      return;
    }
    this.state.settings.language = lang;
    setLang(lang);
    rerender();
    if (settings.isOpen()) {
      settings.render();
      document.querySelector(`#settings input[value="${lang}"]`)?.focus();
    }
  },
};

app.folders = createFolders(app);
app.directory = createDirectory(app);
app.company = createCompany(app);
const list = createList(app);
const detail = createDetail(app);
const settings = createSettings(app);
const batch = createBatch(app);

function rerender() {
  applyStatic();
  list.renderGroups();
  list.renderFilters(app.state.customers);
  list.load();
  detail.refresh();
  batch.render();
  app.folders.renderRail();
}

function wire() {
  let timer = null;
  $('#search').addEventListener('input', (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => app.setFilter({ number: e.target.value.trim() || null }), 200);
  });
  $('#search').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); list.focus(); }
  });
  $('#add-files').addEventListener('click', () => app.chooseFiles());
  $('#open-settings').addEventListener('click', () => settings.open());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !settings.isOpen() && app.state.selectedId != null && !e.defaultPrevented) {
      e.preventDefault();
      app.closeDetail();
    }
  });
}

async function start() {
  setLang('fr');
  applyStatic();
  wire();
  try {
    app.state.settings = await ipc.getSettings();
  } catch (e) {
    app.state.settings = { language: 'fr', data_dir: null, watched_dir: null };
    showError(e);
  }
  setLang(app.state.settings.language);
  applyStatic();
  await app.loadAccounts();
  try {
    await app.folders.load();
  } catch (e) {
    showError(e);
  }
  try {
    app.state.customers = await ipc.listCustomers();
  } catch (e) {
    showError(e);
  }
  list.renderFilters(app.state.customers);
  await app.loadCounts();
  await list.load();
  try {
    await batch.listen();
    await ipc.on('invoice-changed', ({ id }) => {
      clearTimeout(changedTimer);
      changedTimer = setTimeout(() => app.refreshAll(), 150);
      if (id === app.state.selectedId) detail.refresh();
    });
    await ipc.on('counts-changed', () => app.loadCounts());
    // The database changed, whoever changed it: list, counts and detail
    // refresh together.
    await ipc.on('db-changed', () => {
      clearTimeout(changedTimer);
      changedTimer = setTimeout(() => app.refreshAll(), 150);
    });
    await ipc.on('folders-changed', (v) => app.folders.update(v));
    // Files taken from a watched folder: the list shows them.
    await ipc.on('watch-taken', () => {
      clearTimeout(changedTimer);
      changedTimer = setTimeout(() => app.refreshAll(), 300);
    });
    // A watched file the database or the disk could not take: said once
    // (the latest replaces the earlier), tried again by the shell.
    await ipc.on('watch-problem', (p) => {
      document.querySelectorAll('#errors .error[data-code="watch_deferred"]').forEach((b) => b.remove());
      const name = p.path ? p.path.split(/[\\/]/).pop() : null;
      const secs = Math.max(1, Math.round(p.retry_in_ms / 1000));
      const message = t('watch_deferred', name, secs);
      showError({ code: 'watch_deferred', message_fr: message, message_en: message, detail: p.error });
    });
    await ipc.on('submit-step', () => {
      clearTimeout(changedTimer);
      changedTimer = setTimeout(() => app.refreshAll(), 150);
    });
    // Files the app was opened with are checked now that the page listens.
    await ipc.openLaunchFiles();
  } catch (e) {
    showError(e);
  }
  document.body.dataset.ready = '1';
}
let changedTimer = null;

start();
