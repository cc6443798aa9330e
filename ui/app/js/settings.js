// The settings page behind the gear: a list of sections on the left, one
// section shown at a time — Général (language, data folder, learned
// layouts), Mon entreprise, Comptes (portal accounts), Clients (the
// customer directory), Dossiers surveillés, Secours (the e-mail and paper
// fallbacks). ↑/↓ move between sections, Esc closes.
// Secrets are typed into password fields, sent once with add_account, then
// the form is reset: the page never holds or shows them again.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t, pick, getLang, dateOf } from './i18n.js';
import { errorBlock, showError } from './errors.js';

const KINDS = ['mail_deposit', 'chorus_pro', 'sandbox'];
// The sections, in the order of the list.
export const SECTIONS = ['general', 'company', 'accounts', 'customers', 'folders', 'fallbacks'];
// Settings (text) and secrets (password) per kind, as IPC.md add_account.
const FIELDS = {
  mail_deposit: [
    { k: 'portal_address', type: 'email', wide: true },
    { k: 'from', type: 'email', wide: true },
    { k: 'smtp_host' }, { k: 'smtp_port', type: 'number', value: '587' },
    { k: 'smtp_user' }, { k: 'smtp_password', secret: true },
    { k: 'imap_host', optional: true }, { k: 'imap_user', optional: true },
    { k: 'imap_password', secret: true, optional: true },
    { k: 'portal_sender', optional: true, wide: true },
  ],
  chorus_pro: [
    { k: 'environment', choices: ['production', 'sandbox'] },
    { k: 'client_id' }, { k: 'client_secret', secret: true },
    { k: 'login' }, { k: 'technical_password', secret: true },
    { k: 'supplier_id' }, { k: 'password_expires', type: 'date', optional: true },
  ],
  sandbox: [{ k: 'url', type: 'url', optional: true, wide: true }],
};

export function createSettings(app) {
  const dlg = $('#settings');
  let kind = 'mail_deposit';
  let opener = null;
  // The section shown, kept from one opening to the next.
  let current = 'general';

  function fieldEl(f) {
    const id = `acc-${f.k}`;
    let input;
    if (f.choices) {
      input = h('select', { id, name: f.k },
        f.choices.map((c) => h('option', { value: c, text: t(`env_${c}`) })));
    } else {
      input = h('input', { id, name: f.k, type: f.secret ? 'password' : (f.type || 'text'),
        autocomplete: f.secret ? 'new-password' : 'off', spellcheck: 'false', required: !f.optional,
        value: f.value || null, dataset: { secret: f.secret ? '1' : null } });
    }
    return h('div', { class: `field${f.wide ? ' wide' : ''}` },
      h('label', { for: id }, t(`field_${f.k}`), f.optional ? ` ${t('optional')}` : ''), input);
  }

  function addForm() {
    const kindSel = h('select', { id: 'acc-kind', name: 'kind' },
      KINDS.map((k) => h('option', { value: k, text: kindLabel(k) })));
    kindSel.value = kind;
    const fields = h('div', { class: 'grid' }, FIELDS[kind].map(fieldEl));
    const err = h('div', { class: 'form-error' });
    const form = h('form', { class: 'add-account', id: 'add-account', novalidate: true },
      h('h3', { text: t('add_account') }),
      h('div', { class: 'grid' },
        h('div', { class: 'field' },
          h('label', { for: 'acc-name', text: t('account_name') }),
          h('input', { id: 'acc-name', name: 'name', type: 'text', required: true, autocomplete: 'off',
            spellcheck: 'false', pattern: '[A-Za-z0-9._\\-]{1,64}', 'aria-describedby': 'acc-name-help' }),
          h('span', { id: 'acc-name-help', class: 'help', text: t('account_name_help') })),
        h('div', { class: 'field' }, h('label', { for: 'acc-kind', text: t('account_kind') }), kindSel)),
      fields,
      FIELDS[kind].some((f) => f.secret) ? h('p', { class: 'help', text: t('secret_help') }) : null,
      // The answer shows right under the button the owner clicked.
      h('button', { class: 'btn', type: 'submit', text: t('save_account') }),
      err);
    kindSel.addEventListener('change', () => {
      kind = kindSel.value;
      const name = form.elements.name.value;
      const fresh = addForm();
      form.replaceWith(fresh);
      fresh.elements.name.value = name;
      fresh.elements.kind.focus();
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clear(err);
      const name = form.elements.name.value.trim();
      const settings = {};
      const secrets = {};
      for (const f of FIELDS[kind]) {
        const v = form.elements[f.k].value.trim();
        if (!v) continue;
        (f.secret ? secrets : settings)[f.k] = v;
      }
      try {
        await ipc.addAccount(name, kind, settings, secrets);
      } catch (ex) {
        err.append(errorBlock(ex));
        // Secrets never linger in the page after a failure, except when the
        // keyring refused them: the owner unlocks it and clicks again,
        // without typing everything anew.
        if (ex.code !== 'keyring') {
          for (const p of form.querySelectorAll('input[type=password]')) p.value = '';
        }
        err.scrollIntoView({ block: 'nearest' });
        return;
      }
      form.reset();
      for (const p of form.querySelectorAll('input[type=password]')) p.value = '';
      await app.loadAccounts();
      render();
      const n = $('#accounts-notice');
      if (n) n.textContent = t('account_added', name);
    });
    return form;
  }

  function kindLabel(k) {
    return k === 'sandbox' ? `${t('kind_sandbox')} (${t('simulation')})` : t(`kind_${k}`);
  }

  function accountItem(a) {
    const result = h('p', { class: 'result', role: 'status' });
    const removeBtn = h('button', { class: 'btn btn-danger', type: 'button', dataset: { action: 'remove' },
      text: t('remove_account') });
    removeBtn.addEventListener('click', async () => {
      if (removeBtn.dataset.confirm !== '1') {
        removeBtn.dataset.confirm = '1';
        removeBtn.textContent = t('confirm_remove');
        return;
      }
      try {
        await ipc.removeAccount(a.name);
      } catch (ex) {
        clear(result, errorBlock(ex));
        return;
      }
      await app.loadAccounts();
      render();
      const n = $('#accounts-notice');
      if (n) n.textContent = t('account_removed', a.name);
    });
    const testBtn = h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'test' },
      text: t('test_account') });
    testBtn.addEventListener('click', async () => {
      testBtn.disabled = true;
      result.className = 'result';
      result.textContent = t('testing');
      try {
        const r = await ipc.testAccount(a.name);
        result.className = `result ${r.ok ? 'ok' : 'ko'}`;
        clear(result, pick(r, 'message'), r.simulation ? h('span', { class: 'sim', text: t('simulation') }) : null,
          r.detail ? h('details', {}, h('summary', { text: t('details') }), h('pre', { text: r.detail })) : null);
      } catch (ex) {
        clear(result, errorBlock(ex));
      } finally {
        testBtn.disabled = false;
      }
    });
    const rows = [
      ...Object.entries(a.settings).map(([k, v]) => [h('dt', { text: t(`field_${k}`) === `field_${k}` ? k : t(`field_${k}`) }), h('dd', { text: v })]),
      // Only the names of the secrets ever reach the page.
      ...a.secret_fields.map((k) => [h('dt', { text: t(`field_${k}`) === `field_${k}` ? k : t(`field_${k}`) }),
        h('dd', { class: 'secret', text: '••••' })]),
    ];
    return h('li', { dataset: { account: a.name } },
      h('div', { class: 'top' },
        h('span', { class: 'who' },
          h('span', { class: 'name', text: a.name }),
          h('span', { class: 'kind', text: t(`kind_${a.kind}`) }),
          a.kind === 'sandbox' ? h('span', { class: 'sim', text: t('simulation') }) : null),
        h('span', { class: 'btns' }, testBtn, removeBtn)),
      rows.length ? h('dl', {}, rows) : null,
      result);
  }

  function general() {
    const s = app.state.settings || {};
    const lang = getLang();
    const radios = ['fr', 'en'].map((l) => {
      const input = h('input', { type: 'radio', name: 'lang', value: l, checked: l === lang });
      input.addEventListener('change', () => app.setLanguage(l));
      return h('label', {}, input, t(`lang_${l}`));
    });
    return h('section', { id: 'general-section', 'aria-labelledby': 'h-general' },
      h('h3', { id: 'h-general', text: t('section_general') }),
      h('div', { class: 'sub' },
        h('h4', { id: 'h-lang', text: t('language') }),
        h('div', { class: 'langs', role: 'radiogroup', 'aria-labelledby': 'h-lang' }, radios)),
      h('div', { class: 'sub' },
        h('h4', { text: t('data_folder') }),
        h('p', { class: 'path', text: s.data_dir || '—' })),
      layoutsSection());
  }

  function accounts() {
    return h('section', { id: 'accounts-section', 'aria-labelledby': 'h-accounts' },
      h('h3', { id: 'h-accounts', text: t('accounts') }),
      h('p', { class: 'notice', id: 'accounts-notice', role: 'status' }),
      app.state.accounts.length
        ? h('ul', { class: 'accounts' }, app.state.accounts.map(accountItem))
        : h('p', { class: 'help', text: t('no_accounts') }),
      addForm());
  }

  const CONTENT = {
    general,
    company: () => app.company.render(),
    accounts,
    customers: () => app.directory.render(),
    folders: () => app.folders.render(),
    fallbacks: () => app.directory.renderFallbacks(),
  };

  function tab(s) {
    const on = s === current;
    return h('li', { role: 'presentation' },
      h('button', { type: 'button', role: 'tab', id: `settings-tab-${s}`, 'aria-controls': `settings-panel-${s}`,
        'aria-selected': String(on), tabindex: on ? '0' : '-1', dataset: { section: s },
        onclick: () => show(s) },
      h('span', { class: 'label', text: t(`section_${s}`) }),
      s === 'fallbacks' ? h('span', { class: 'sub-label', text: t('section_fallbacks_sub') }) : null));
  }

  /** Shows section `s` (the others stay in the page, hidden: nothing typed is lost). */
  function show(s, focusTab = false) {
    if (!SECTIONS.includes(s)) return;
    current = s;
    for (const b of dlg.querySelectorAll('[role="tab"]')) {
      const on = b.dataset.section === s;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focusTab) b.focus();
    }
    for (const p of dlg.querySelectorAll('[role="tabpanel"]')) p.hidden = p.dataset.section !== s;
    const panels = dlg.querySelector('.panels');
    if (panels) panels.scrollTop = 0;
  }

  function onTabKey(e) {
    const i = SECTIONS.indexOf(current);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: SECTIONS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    show(SECTIONS[(to + SECTIONS.length) % SECTIONS.length], true);
  }

  function render() {
    const tablist = h('ul', { role: 'tablist', 'aria-orientation': 'vertical', 'aria-labelledby': 'settings-title' },
      SECTIONS.map(tab));
    tablist.addEventListener('keydown', onTabKey);
    clear(dlg,
      h('div', { class: 'head' },
        h('h2', { id: 'settings-title', text: t('settings_title') }),
        h('button', { class: 'icon-btn', id: 'settings-close', type: 'button', 'aria-label': t('close'), title: t('close'),
          onclick: () => close() }, '×')),
      h('div', { class: 'settings-main' },
        h('nav', { class: 'settings-nav', 'aria-label': t('settings_sections') }, tablist),
        h('div', { class: 'panels' },
          SECTIONS.map((s) => h('div', { role: 'tabpanel', id: `settings-panel-${s}`, class: 'panel',
            'aria-labelledby': `settings-tab-${s}`, dataset: { section: s }, hidden: s !== current },
          CONTENT[s]())))));
  }

  // The layouts learned from confirmed readings: listed, each removable.
  let layouts = [];
  function layoutsSection() {
    const host = h('div', { class: 'sub', id: 'layouts-section', 'aria-labelledby': 'h-layouts', role: 'group' },
      h('h4', { id: 'h-layouts', text: t('layouts') }),
      h('p', { class: 'help', text: t('layouts_help') }),
      layouts.length
        ? h('ul', { class: 'layouts' }, layouts.map((l) => h('li', { dataset: { layout: l.id } },
          h('span', { class: 'who', text: t('layout_line', l.seller, l.fields, dateOf(l.updated_ms)) }),
          h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'forget' }, text: t('layout_forget'),
            onclick: async () => {
              try {
                await ipc.removeLayout(l.id);
                layouts = await ipc.listLayouts();
                render();
              } catch (e) { showError(e); }
            } }))))
        : h('p', { class: 'help', dataset: { empty: 'layouts' }, text: t('no_layouts') }));
    return host;
  }

  async function loadLayouts() {
    try {
      layouts = await ipc.listLayouts();
    } catch (e) {
      showError(e);
    }
  }

  /** Opens the page, at `section` when given, else where it was left. */
  async function open(section) {
    opener = document.activeElement;
    if (section && SECTIONS.includes(section)) current = section;
    await Promise.all([loadLayouts(), app.company.load()]);
    render();
    if (!dlg.open) dlg.showModal();
    document.getElementById(`settings-tab-${current}`)?.focus();
  }

  function close() {
    if (dlg.open) dlg.close();
  }

  dlg.addEventListener('close', () => { if (opener && opener.focus) opener.focus(); });

  return { open, close, render, show, isOpen: () => dlg.open, current: () => current };
}
