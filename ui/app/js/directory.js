// The customer directory: two sections of the settings. « Clients »: each
// customer with its postal address, its identifiers and its channel (an
// account, a direct e-mail of the PDF, or paper); add, edit, remove; CSV
// import (the column mapping and every bad line shown first, « Importer »
// only when no line is bad) and export. « Secours »: the e-mail and paper
// fallbacks. Files are chosen in the system dialogs by the shell: the page
// never names a path.

import * as ipc from './ipc.js';
import { h, clear } from './dom.js';
import { t, pick2 } from './i18n.js';
import { errorBlock } from './errors.js';

const IDS = ['customer_number', 'electronic_address', 'ovt', 'iban', 'gln', 'siren', 'siret', 'vat'];
// The postal address (BG-8) and the electronic address's scheme (BT-49-1).
const ADDRESS = ['street', 'postcode', 'city', 'country'];
const TEXTS = [...IDS, ...ADDRESS, 'electronic_scheme'];
// The CSV fields a column may fill (Field::header in the core).
const CSV_FIELDS = ['id', 'nom', 'numero_client', 'adresse_electronique', 'ovt', 'iban', 'gln', 'siren', 'siret',
  'tva', 'canal', 'email', 'code_service', 'engagement_obligatoire', 'adresse', 'code_postal', 'ville', 'pays',
  'schema_adresse_electronique'];

export function createDirectory(app) {
  let dir = null;
  let section = null;
  let fbSection = null;
  let message = null;
  // The fallbacks' own outcome (a refusal is said in their section).
  let fbMessage = null;
  // The customer being edited: null (form closed), 'new' or its id.
  let editing = null;
  let formError = null;
  // The import preview: the plan and the user's column choices.
  let plan = null;
  let overrides = {};

  async function act(fn, done) {
    try {
      const v = await fn();
      message = done ? done(v) : null;
      return v;
    } catch (ex) {
      message = errorBlock(ex);
      return undefined;
    } finally {
      rerender();
    }
  }

  function rerender() {
    const focused = document.activeElement?.id || null;
    if (section && section.isConnected) {
      const fresh = build();
      section.replaceWith(fresh);
      section = fresh;
    }
    if (fbSection && fbSection.isConnected) {
      const fresh = buildFallbacks();
      fbSection.replaceWith(fresh);
      fbSection = fresh;
    }
    if (focused && !document.getElementById(focused)?.matches(':focus')) document.getElementById(focused)?.focus();
  }

  async function load() {
    try {
      dir = await ipc.listDirectory();
    } catch (ex) {
      message = errorBlock(ex);
    }
    rerender();
  }

  function channelText(r) {
    if (!r) return t('channel_none');
    if (r.channel === 'account') return t('channel_account_to', r.to);
    if (r.channel === 'email') return t('channel_email_to', r.to);
    return t('channel_print');
  }

  function item(c) {
    const edit = h('button', { class: 'btn btn-quiet', type: 'button', id: `customer-edit-${c.id}`,
      dataset: { action: 'edit' }, text: t('edit_customer') });
    edit.addEventListener('click', () => { editing = c.id; formError = null; rerender(); focusForm(); });
    const remove = h('button', { class: 'btn btn-danger', type: 'button', id: `customer-remove-${c.id}`,
      dataset: { action: 'remove' }, text: t('remove_customer') });
    remove.addEventListener('click', async () => {
      if (remove.dataset.confirm !== '1') {
        remove.dataset.confirm = '1';
        remove.textContent = t('confirm_remove_customer');
        return;
      }
      await act(async () => { dir = await ipc.removeCustomer(c.id); }, () => t('customer_removed', c.name));
    });
    const address = addressText(c);
    const ids = [
      address ? [h('dt', { text: t('cust_address') }), h('dd', { class: 'address', text: address })] : null,
      ...IDS.filter((k) => c[k]).map((k) => [h('dt', { text: t(`cust_${k}`) }), h('dd', { text: c[k] })]),
      c.electronic_scheme ? [h('dt', { text: t('cust_electronic_scheme') }), h('dd', { text: c.electronic_scheme })] : null,
    ].filter(Boolean);
    return h('li', { dataset: { customer: String(c.id) } },
      h('div', { class: 'top' },
        h('span', { class: 'who' }, h('span', { class: 'name', text: c.name }),
          h('span', { class: 'kind', text: channelText(c.reach) })),
        h('span', { class: 'btns' }, edit, remove)),
      ids.length ? h('dl', {}, ids) : null);
  }

  /** « 12 rue des Lilas, 75011 Paris, FR » from what is known. */
  function addressText(c) {
    const town = [c.postcode, c.city].filter(Boolean).join(' ');
    return [c.street, town, c.country].filter(Boolean).join(', ');
  }

  function focusForm() {
    document.getElementById('cust-name')?.focus();
  }

  function input(k, value, type = 'text', extra = {}) {
    const id = `cust-${k.replace(/_/g, '-')}`;
    const help = extra.help ? `${id}-help` : null;
    return h('div', { class: `field${extra.wide ? ' wide' : ''}` },
      h('label', { for: id, text: t(`cust_${k}`) }),
      h('input', { id, name: k, type, autocomplete: 'off', spellcheck: 'false', value: value || null,
        maxlength: extra.maxlength || null, placeholder: extra.placeholder || null, 'aria-describedby': help }),
      help ? h('span', { class: 'help', id: help, text: extra.help }) : null);
  }

  function form() {
    const c = editing === 'new' ? { reach: null } : dir.customers.find((x) => x.id === editing);
    if (!c) return null;
    const reach = c.reach || { channel: 'account', to: '' };
    const channel = h('select', { id: 'cust-channel', name: 'channel' },
      ['account', 'email', 'print'].map((k) => h('option', { value: k, text: t(`channel_${k}`) })));
    channel.value = reach.channel;
    const account = h('select', { id: 'cust-account', name: 'account' },
      dir.accounts.map((a) => h('option', { value: a, text: a })));
    if (reach.channel === 'account' && reach.to) account.value = reach.to;
    const accountField = h('div', { class: 'field' }, h('label', { for: 'cust-account', text: t('cust_account') }), account);
    const emailField = input('email', reach.channel === 'email' ? reach.to : '', 'email');
    const show = () => {
      accountField.hidden = channel.value !== 'account';
      emailField.hidden = channel.value !== 'email';
    };
    channel.addEventListener('change', show);
    show();
    const engagement = h('input', { type: 'checkbox', id: 'cust-engagement', name: 'engagement_required',
      checked: !!c.engagement_required });
    const cancel = h('button', { class: 'btn btn-quiet', type: 'button', id: 'cust-cancel', text: t('cancel') });
    cancel.addEventListener('click', () => { editing = null; formError = null; rerender(); });
    const f = h('form', { class: 'customer-form', id: 'customer-form', novalidate: true },
      h('h4', { text: editing === 'new' ? t('add_customer') : t('edit_customer_title', c.name) }),
      h('div', { class: 'grid' },
        h('div', { class: 'field wide' }, h('label', { for: 'cust-name', text: t('cust_name') }),
          h('input', { id: 'cust-name', name: 'name', type: 'text', required: true, autocomplete: 'off', value: c.name || null })),
        h('h5', { class: 'wide', text: t('cust_address') }),
        input('street', c.street, 'text', { wide: true }),
        input('postcode', c.postcode),
        input('city', c.city),
        input('country', c.country, 'text', { placeholder: 'FR', help: t('country_help') }),
        h('h5', { class: 'wide', text: t('cust_identifiers') }),
        // The electronic address beside its scheme, then the other identifiers.
        input('electronic_address', c.electronic_address),
        input('electronic_scheme', c.electronic_scheme, 'text',
          { maxlength: 4, placeholder: '0225', help: t('cust_electronic_scheme_help') }),
        IDS.filter((k) => k !== 'electronic_address').map((k) => input(k, c[k])),
        h('div', { class: 'field' }, h('label', { for: 'cust-channel', text: t('cust_channel') }), channel),
        accountField, emailField,
        input('service_code', c.service_code)),
      h('label', { class: 'check' }, engagement, t('cust_engagement_required')),
      h('div', { class: 'form-error' }, formError),
      h('div', { class: 'btns' }, h('button', { class: 'btn', type: 'submit', id: 'cust-save', text: t('save_customer') }), cancel));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = (k) => f.elements[k].value.trim() || null;
      const data = { name: f.elements.name.value, service_code: v('service_code'),
        engagement_required: engagement.checked };
      for (const k of TEXTS) data[k] = v(k);
      const ch = channel.value;
      data.reach = ch === 'print' ? { channel: 'print' }
        : { channel: ch, to: ch === 'account' ? account.value : (f.elements.email.value.trim()) };
      const id = editing === 'new' ? null : editing;
      try {
        await ipc.saveCustomer(id, data);
      } catch (ex) {
        formError = errorBlock(ex);
        clear(f.querySelector('.form-error'), formError);
        return;
      }
      editing = null;
      formError = null;
      await act(async () => { dir = await ipc.listDirectory(); }, () => t('customer_saved', data.name.trim()));
    });
    return f;
  }

  function preview() {
    if (!plan) return null;
    const rows = plan.headers.map((head, i) => {
      const id = `csv-col-${i}`;
      const sel = h('select', { id, dataset: { header: head } },
        h('option', { value: '-', text: t('csv_ignore') }),
        CSV_FIELDS.map((k) => h('option', { value: k, text: t(`csv_field_${k}`) })));
      sel.value = plan.fields[i] || '-';
      sel.addEventListener('change', async () => {
        overrides[head] = sel.value;
        await replan(false);
      });
      return h('tr', {}, h('th', { scope: 'row' }, h('label', { for: id, text: head })), h('td', {}, sel),
        h('td', { class: 'help', text: plan.described[i] || '' }));
    });
    const bad = plan.lines.filter((l) => l.problems.length);
    const importBtn = h('button', { class: 'btn', type: 'button', id: 'csv-import', text: t('csv_import', plan.lines.length),
      disabled: bad.length > 0 || plan.lines.length === 0 || !!plan.problem });
    importBtn.addEventListener('click', () => replan(true));
    const cancel = h('button', { class: 'btn btn-quiet', type: 'button', id: 'csv-cancel', text: t('cancel') });
    cancel.addEventListener('click', () => { plan = null; overrides = {}; rerender(); });
    return h('div', { class: 'csv-preview', id: 'csv-preview' },
      h('h4', { text: t('csv_preview', plan.file) }),
      h('table', { class: 'mapping' },
        h('caption', { text: t('csv_mapping') }),
        h('tbody', {}, rows)),
      plan.problem ? h('p', { class: 'bad-lines', role: 'alert', text: pick2(plan.problem) }) : null,
      bad.length
        ? h('div', { class: 'bad-lines', role: 'alert' },
          h('p', { text: t('csv_bad', bad.length) }),
          h('ul', {}, bad.map((l) => h('li', { dataset: { line: String(l.line) } },
            h('strong', { text: t('csv_line', l.line) }), ' ',
            l.problems.map((p) => pick2(p)).join(' ; ')))))
        : plan.problem ? null : h('p', { class: 'help', text: t('csv_all_good', plan.lines.length) }),
      h('div', { class: 'btns' }, importBtn, cancel));
  }

  /** The file planned again with the column choices; written only with `apply` and no bad line. */
  async function replan(apply) {
    await act(async () => {
      const r = await ipc.importCustomers(overrides, !apply);
      plan = r.plan;
      if (r.imported) {
        plan = null;
        overrides = {};
        dir = await ipc.listDirectory();
      }
      return r;
    }, (r) => (r && r.imported ? t('csv_imported', r.added, r.replaced) : null));
  }

  /** « Secours »: the accounts of the e-mail and paper fallbacks. */
  function buildFallbacks() {
    const head = [h('h3', { id: 'h-fallbacks', text: t('fallbacks_title') }),
      h('p', { class: 'help', text: t('fallbacks_help') })];
    if (!dir) {
      return h('section', { id: 'fallbacks-section', class: 'fallbacks', 'aria-labelledby': 'h-fallbacks' },
        head, h('p', { class: 'help', text: t('loading') }));
    }
    const sel = (key, list, current) => {
      const s = h('select', { id: `fallback-${key}` },
        h('option', { value: '', text: t('fallback_off') }),
        list.map((a) => h('option', { value: a, text: a })));
      s.value = current || '';
      s.addEventListener('change', async () => {
        const email = key === 'email' ? s.value || null : dir.email_account;
        const print = key === 'print' ? s.value || null : dir.print_account;
        try {
          dir = await ipc.setFallbacks(email, print);
          fbMessage = null;
        } catch (ex) {
          fbMessage = errorBlock(ex);
        }
        rerender();
      });
      return h('div', { class: 'field' }, h('label', { for: s.id, text: t(`fallback_${key}`) }), s,
        list.length ? null : h('span', { class: 'help', text: t(`fallback_${key}_none`) }));
    };
    return h('section', { id: 'fallbacks-section', class: 'fallbacks', 'aria-labelledby': 'h-fallbacks' },
      head,
      h('div', { class: 'notice', role: 'status' }, fbMessage),
      h('div', { class: 'opts' },
        sel('email', dir.email_accounts, dir.email_account),
        sel('print', dir.print_accounts, dir.print_account)));
  }

  function build() {
    const notice = h('div', { class: 'notice', role: 'status' }, message);
    if (!dir) {
      return h('section', { id: 'customers-section', 'aria-labelledby': 'h-customers' },
        h('h3', { id: 'h-customers', text: t('customers') }), notice, h('p', { class: 'help', text: t('loading') }));
    }
    const add = h('button', { class: 'btn', type: 'button', id: 'add-customer', text: t('add_customer') });
    add.addEventListener('click', () => { editing = 'new'; formError = null; rerender(); focusForm(); });
    const imp = h('button', { class: 'btn btn-quiet', type: 'button', id: 'import-customers', text: t('import_csv') });
    imp.addEventListener('click', () => act(async () => {
      const p = await ipc.chooseCustomerCsv();
      if (p) { plan = p; overrides = {}; }
    }));
    const exp = h('button', { class: 'btn btn-quiet', type: 'button', id: 'export-customers', text: t('export_csv') });
    exp.addEventListener('click', () => act(() => ipc.exportCustomers(), (r) => (r ? t('csv_exported', r.count, r.file) : null)));
    return h('section', { id: 'customers-section', 'aria-labelledby': 'h-customers' },
      h('h3', { id: 'h-customers', text: t('customers') }),
      h('p', { class: 'help', text: t('customers_help') }),
      notice,
      dir.customers.length
        ? h('ul', { class: 'customers' }, dir.customers.map(item))
        : h('p', { class: 'help', text: t('no_customers') }),
      editing != null ? form() : null,
      preview(),
      h('div', { class: 'btns' }, add, imp, exp));
  }

  /** The « Clients » section of the settings; the directory is read afresh. */
  function render() {
    section = build();
    load();
    return section;
  }

  /** The « Secours » section of the settings (read with the directory). */
  function renderFallbacks() {
    fbSection = buildFallbacks();
    return fbSection;
  }

  return { render, renderFallbacks, load };
}
