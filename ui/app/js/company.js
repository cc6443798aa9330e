// « Mon entreprise »: a section of the settings. The seller's data entered
// once (identity, postal address, bank and payment, VAT and operations,
// contact, the mandatory notes), which every Factur-X made from a plain
// PDF takes. Each field is checked by the shell as soon as it is left
// (company_save with check_only) and its problem shown beside it; « Enregistrer »
// keeps the profile and shows it back as the shell normalised it.

import * as ipc from './ipc.js';
import { h, clear } from './dom.js';
import { t, pick, pick2 } from './i18n.js';
import { errorBlock } from './errors.js';

// The form's groups of text fields (the VAT group is built apart).
const GROUPS = [
  ['identity', [
    { k: 'name', wide: true, autocomplete: 'organization' },
    { k: 'siren', inputmode: 'numeric', maxlength: 11 },
    { k: 'siret', inputmode: 'numeric', maxlength: 17 },
    { k: 'vat', maxlength: 20 },
    { k: 'e_address', help: true },
  ]],
  ['address', [
    { k: 'street', wide: true, autocomplete: 'street-address' },
    { k: 'postcode', autocomplete: 'postal-code', maxlength: 10 },
    { k: 'city', autocomplete: 'address-level2' },
    { k: 'country', maxlength: 40, placeholder: 'FR', help: true },
  ]],
  ['payment', [
    { k: 'iban', wide: true, maxlength: 42 },
    { k: 'bic', maxlength: 14 },
    { k: 'payment_means', select: true },
    { k: 'payment_terms', wide: true, placeholder_key: 'co_payment_terms_example' },
    { k: 'payment_days', type: 'number', help: true },
  ]],
  ['vat_ops', null],
  ['contact', [
    { k: 'contact_name', autocomplete: 'name' },
    { k: 'contact_phone', type: 'tel', autocomplete: 'tel' },
    { k: 'contact_email', type: 'email', autocomplete: 'email', wide: true },
  ]],
  ['notes', [
    { k: 'note_pmd', textarea: true, wide: true, def: 'note_pmd' },
    { k: 'note_pmt', textarea: true, wide: true, def: 'note_pmt' },
    { k: 'note_aab', textarea: true, wide: true, def: 'note_aab' },
  ]],
];
const TEXT_FIELDS = GROUPS.flatMap(([, fields]) => (fields || []).map((f) => f.k));
const OPERATIONS = ['goods', 'services', 'both'];
const idOf = (k) => `co-${k.replace(/_/g, '-')}`;

/** The core words problems as clauses: shown alone, each starts with a capital. */
const sentence = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

export function createCompany(app) {
  // What company_get answered: the payment means and the default wordings.
  let view = null;
  let loadError = null;
  // The form's values as typed (kept across re-renders and sections).
  let draft = {};
  // Problems by field, and those naming no field of the form.
  let problems = {};
  let general = [];
  // The fields the owner has left since the last save: live checks show
  // only their problems.
  const touched = new Set();
  let message = null;
  let section = null;
  let checkSeq = 0;
  let checkTimer = null;

  function fromCompany(c) {
    const d = {};
    for (const k of TEXT_FIELDS) d[k] = c && c[k] != null ? String(c[k]) : '';
    d.vat_on_debits = !!(c && c.vat_on_debits);
    d.vat_franchise = !!(c && c.vat_franchise);
    d.operations = (c && c.operations) || '';
    return d;
  }

  async function load() {
    try {
      view = await ipc.companyGet();
      loadError = null;
    } catch (ex) {
      view = null;
      loadError = ex;
    }
    draft = fromCompany(view && view.company);
    problems = {};
    general = [];
    touched.clear();
    message = null;
  }

  /** The profile to send, and the problems found without asking the shell. */
  function collect() {
    const company = {};
    const local = {};
    for (const k of TEXT_FIELDS) {
      const v = (draft[k] || '').trim();
      company[k] = v || null;
    }
    company.name = (draft.name || '').trim();
    if (company.payment_days != null) {
      const n = Number(company.payment_days);
      if (Number.isInteger(n) && n >= 0 && n <= 366) company.payment_days = n;
      else {
        local.payment_days = [t('co_days_invalid')];
        company.payment_days = null;
      }
    }
    company.vat_on_debits = !!draft.vat_on_debits;
    company.vat_franchise = !!draft.vat_franchise;
    company.operations = draft.operations || null;
    return { company, local };
  }

  function byField(list, local, only) {
    const out = {};
    const rest = [];
    for (const p of list) {
      const text = sentence(pick2(p));
      if (p.field && (TEXT_FIELDS.includes(p.field) || ['vat_on_debits', 'vat_franchise', 'operations'].includes(p.field))) {
        if (!only || only.has(p.field)) (out[p.field] ||= []).push(text);
      } else if (!only) rest.push(text);
    }
    for (const [k, v] of Object.entries(local)) if (!only || only.has(k)) (out[k] ||= []).push(...v);
    return { out, rest };
  }

  /** Puts each problem beside its field, in place (focus and caret stay). */
  function showProblems() {
    if (!section) return;
    const all = [...TEXT_FIELDS, 'vat_on_debits', 'vat_franchise', 'operations'];
    for (const k of all) {
      const err = section.querySelector(`#${idOf(k)}-err`);
      const list = problems[k] || [];
      if (err) {
        err.hidden = !list.length;
        err.textContent = list.join(' ');
      }
      const input = section.querySelector(`#${idOf(k)}`) || section.querySelector(`[name="${k}"]`);
      if (input) {
        if (list.length) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      }
    }
    const box = section.querySelector('#company-form .form-error');
    if (box) {
      const n = Object.values(problems).reduce((s, l) => s + l.length, 0) + general.length;
      clear(box, general.length || n
        ? h('div', { class: 'error', role: 'alert' },
          h('p', { class: 'msg', text: t('co_refused', n) }),
          general.length ? h('ul', {}, general.map((g) => h('li', { text: g }))) : null)
        : null);
    }
  }

  /** Asks the shell whether the profile as typed would be kept. */
  async function check() {
    const seq = ++checkSeq;
    const { company, local } = collect();
    let r;
    try {
      r = await ipc.companySave(company, true);
    } catch {
      return; // the save says it, with its details
    }
    if (seq !== checkSeq) return;
    problems = byField(r.problems, local, touched).out;
    general = [];
    showProblems();
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, 120);
  }

  async function save(form) {
    clearTimeout(checkTimer);
    checkSeq++;
    const { company, local } = collect();
    // A value the page itself refuses: checked only, nothing kept.
    const refusedHere = Object.keys(local).length > 0;
    let r;
    try {
      r = await ipc.companySave(company, refusedHere);
    } catch (ex) {
      clear(form.querySelector('.form-error'), errorBlock(ex));
      return;
    }
    if (r.saved) {
      view = Object.assign({}, view, { company: r.company });
      draft = fromCompany(r.company);
      problems = {};
      general = [];
      touched.clear();
      message = t('co_saved');
      rerender('company-save');
      return;
    }
    const split = byField(r.problems, local, null);
    problems = split.out;
    general = split.rest;
    message = null;
    const notice = section.querySelector('.notice');
    if (notice) clear(notice);
    showProblems();
    const first = section.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  function field(f) {
    const id = idOf(f.k);
    const helpId = f.help ? `${id}-help` : null;
    const errId = `${id}-err`;
    const list = problems[f.k] || [];
    const common = { id, name: f.k, 'aria-describedby': [helpId, errId].filter(Boolean).join(' '),
      'aria-invalid': list.length ? 'true' : null };
    let input;
    if (f.select) {
      input = h('select', common,
        h('option', { value: '', text: t('co_means_default') }),
        (view?.payment_means || []).map((m) => h('option', { value: m.code,
          text: `${pick(m, 'label')} (${m.code})` })));
      input.value = draft[f.k] || '';
    } else if (f.textarea) {
      input = h('textarea', Object.assign(common, { rows: 2, spellcheck: 'true',
        placeholder: view?.defaults?.[f.def] || null, text: draft[f.k] || '' }));
    } else {
      input = h('input', Object.assign(common, { type: f.type || 'text', autocomplete: f.autocomplete || 'off',
        spellcheck: 'false', inputmode: f.inputmode || null, maxlength: f.maxlength || null,
        min: f.type === 'number' ? '0' : null, max: f.type === 'number' ? '366' : null,
        step: f.type === 'number' ? '1' : null,
        placeholder: f.placeholder || (f.placeholder_key ? t(f.placeholder_key) : null),
        value: draft[f.k] || null, required: f.k === 'name' }));
    }
    input.addEventListener('input', () => { draft[f.k] = input.value; message = null; });
    input.addEventListener('change', () => { draft[f.k] = input.value; touched.add(f.k); scheduleCheck(); });
    return h('div', { class: `field${f.wide ? ' wide' : ''}`, dataset: { field: f.k } },
      h('label', { for: id, text: t(`co_${f.k}`) }),
      input,
      helpId ? h('span', { class: 'help', id: helpId, text: t(`co_${f.k}_help`) }) : null,
      h('p', { class: 'field-error', id: errId, hidden: !list.length, text: list.join(' ') }));
  }

  function checkbox(k, helpText) {
    const id = idOf(k);
    const input = h('input', { type: 'checkbox', id, name: k, checked: !!draft[k],
      'aria-describedby': `${id}-help ${id}-err`, 'aria-invalid': problems[k] ? 'true' : null });
    input.addEventListener('change', () => { draft[k] = input.checked; touched.add(k); message = null; scheduleCheck(); });
    return h('div', { class: 'choice', dataset: { field: k } },
      h('label', { class: 'check' }, input, t(`co_${k}`)),
      h('p', { class: 'help', id: `${id}-help`, text: helpText }),
      h('p', { class: 'field-error', id: `${id}-err`, hidden: !problems[k], text: (problems[k] || []).join(' ') }));
  }

  function vatGroup() {
    const radios = OPERATIONS.map((o) => {
      const input = h('input', { type: 'radio', name: 'operations', value: o, id: `co-operations-${o}`,
        checked: draft.operations === o });
      input.addEventListener('change', () => { draft.operations = o; touched.add('operations'); message = null; scheduleCheck(); });
      return h('label', { class: 'check', for: input.id }, input, t(`co_operations_${o}`));
    });
    const d = view?.defaults || {};
    return [
      h('fieldset', { class: 'radios', 'aria-describedby': 'co-operations-help co-operations-err' },
        h('legend', { text: t('co_operations') }),
        h('div', { class: 'row-choices' }, radios),
        h('p', { class: 'help', id: 'co-operations-help', text: t('co_operations_help') }),
        h('p', { class: 'field-error', id: 'co-operations-err', hidden: !problems.operations,
          text: (problems.operations || []).join(' ') })),
      checkbox('vat_on_debits', t('co_vat_on_debits_help', d.debits || '')),
      checkbox('vat_franchise', t('co_vat_franchise_help', d.franchise || '')),
    ];
  }

  function build() {
    const groups = GROUPS.map(([g, fields]) => h('fieldset', { class: 'co-group', dataset: { group: g } },
      h('legend', { text: t(`co_group_${g}`) }),
      fields ? h('div', { class: 'grid' }, fields.map(field)) : h('div', { class: 'vat-ops' }, vatGroup()),
      g === 'notes' ? h('p', { class: 'help', text: t('co_notes_help') }) : null));
    const reset = h('button', { class: 'btn btn-quiet', type: 'button', id: 'company-reset', text: t('co_reset') });
    reset.addEventListener('click', () => {
      draft = fromCompany(view && view.company);
      problems = {};
      general = [];
      touched.clear();
      message = null;
      rerender('company-reset');
    });
    const form = h('form', { id: 'company-form', class: 'company-form', novalidate: true },
      groups,
      h('div', { class: 'form-error' }),
      h('div', { class: 'btns' },
        h('button', { class: 'btn', type: 'submit', id: 'company-save', text: t('co_save') }), reset));
    form.addEventListener('submit', (e) => { e.preventDefault(); save(form); });
    return h('section', { id: 'company-section', 'aria-labelledby': 'h-company' },
      h('h3', { id: 'h-company', text: t('section_company') }),
      h('p', { class: 'help', text: t('co_help') }),
      h('div', { class: 'notice', role: 'status' }, message),
      loadError ? errorBlock(loadError) : null,
      view && !view.company && !message ? h('p', { class: 'empty-profile', text: t('co_empty') }) : null,
      form);
  }

  function rerender(focusId) {
    if (!section || !section.isConnected) return;
    const fresh = build();
    section.replaceWith(fresh);
    section = fresh;
    showProblems();
    if (focusId) document.getElementById(focusId)?.focus();
  }

  /** The section for the settings page (the profile is read when the page opens). */
  function render() {
    section = build();
    showProblems();
    return section;
  }

  return { render, load };
}
