// The selected invoice: guidance first (what happened, what to do, at most
// two actions), then the file check, what was read, the status history.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t, t2, pick, pick2, money, date, dateTime, age, getLang, count } from './i18n.js';
import { badge, category, label, isFinal, icon } from './status.js';
import { errorBlock, showError } from './errors.js';
import { createReview } from './review.js';

const AMOUNT_FACTS = new Set(['total_without_tax', 'total_tax', 'total_with_tax', 'amount_due']);
const FACT_ORDER = ['invoice_number', 'issue_date', 'doc_type', 'seller_name', 'seller_siren', 'seller_siret',
  'seller_vat', 'buyer_name', 'buyer_siren', 'buyer_siret', 'buyer_vat', 'buyer_reference', 'order_reference',
  'buyer_customer_number', 'buyer_electronic_address', 'currency', 'total_without_tax', 'total_tax',
  'total_with_tax', 'amount_due', 'iban', 'buyer_iban'];

export function createDetail(app) {
  const el = $('#detail');
  let current = null; // the last invoice_detail answer
  let seq = 0;
  // The answer to the owner's last action on this invoice: kept across the
  // refreshes that follow it (a status change re-renders the detail).
  let said = null;
  let failed = null; // the same for a refusal: { id, error }
  let drawn = null; // what is on screen: language and answer

  async function open(id, { focus = true } = {}) {
    const my = ++seq;
    if (said && said.id !== id) said = null;
    if (failed && failed.id !== id) failed = null;
    app.state.selectedId = id;
    let d;
    try {
      d = await ipc.invoiceDetail(id);
    } catch (e) {
      if (my === seq) showError(e);
      return;
    }
    if (my !== seq) return;
    // A refresh that brings nothing new leaves the detail as it is (the
    // database changes often: a sync's cursor, another invoice).
    const shown = `${getLang()}${JSON.stringify(d)}`;
    if (!focus && current && shown === drawn) return;
    drawn = shown;
    current = d;
    render();
    showReading(id);
    el.hidden = false;
    $('#layout').classList.add('with-detail');
    if (focus) el.focus();
  }

  function close() {
    seq++;
    current = null;
    app.state.selectedId = null;
    el.hidden = true;
    clear(el);
    $('#layout').classList.remove('with-detail');
  }

  async function refresh() {
    // The latest selection, even if its answer is still on the way.
    if (app.state.selectedId != null) await open(app.state.selectedId, { focus: false });
  }

  // ---- « Créer le Factur-X » and « Corriger la lecture » (review.js) ----
  const review = createReview(app, { said: (text) => {
    notice(text);
    // What was read changed (a layout learned): asked again.
    if (current) showReading(current.invoice.id);
  } });

  // A checked plain PDF holding one invoice and no XML: its Factur-X can be made.
  function canMake(d) {
    const r = d.report;
    return !!r && r.pdf && !r.xml && !r.structured?.syntax && d.invoice.status === 'checked'
      && (r.invoice_count ?? 1) === 1 && !!d.invoice.number;
  }

  async function openReview(which) {
    const inv = current?.invoice;
    if (!inv) return;
    const e = await (which === 'make' ? review.openMake(inv) : review.openCorrect(inv));
    if (!e) return;
    failed = { id: inv.id, error: e };
    const host = $('.detail .action-error');
    if (host) clear(host, errorBlock(e));
    else showError(e);
  }

  // Its own short section under the verdict: the PDF is not an e-invoice
  // yet, Facteur can make one from it.
  function makeSection(d) {
    if (!canMake(d)) return null;
    return h('section', { class: 'make-facturx', 'aria-labelledby': 'h-facturx' },
      h('h3', { id: 'h-facturx', text: t('facturx_title') }),
      h('p', { class: 'help', text: t('make_facturx_help') }),
      h('button', { class: 'btn', type: 'button', dataset: { action: 'make_facturx' }, text: t('action_make_facturx'),
        onclick: () => openReview('make') }));
  }

  // Once what was read is known: « Corriger la lecture », and whether a
  // learned layout read it.
  function readingActions(id, r) {
    const host = $('.detail .reading-actions');
    if (!host || !current || current.invoice.id !== id || current.report?.xml) return;
    clear(host, r ? h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'correct_reading' },
      text: t('action_correct_reading'), onclick: () => openReview('correct') }) : null);
    const note = $('.detail .learned-host');
    if (note) clear(note, r && r.some((x) => x.layout != null) ? h('p', { class: 'learned-note', text: t('layout_learned') }) : null);
  }

  function notice(text) {
    said = text && current ? { id: current.invoice.id, text } : null;
    const n = $('.detail .notice');
    if (n) n.textContent = text;
  }

  async function act(fn, okText) {
    const errHost = $('.detail .action-error');
    if (errHost) clear(errHost);
    failed = null;
    try {
      const res = await fn();
      await app.refreshAll();
      notice(typeof okText === 'function' ? okText(res) : okText);
      return res;
    } catch (e) {
      // Said where the owner clicked, and kept there across the refreshes
      // the database's changes bring.
      failed = current ? { id: current.invoice.id, error: e } : null;
      notice('');
      const host = $('.detail .action-error');
      if (host) host.append(errorBlock(e));
      else showError(e);
      return undefined;
    }
  }

  function actionButtons(d) {
    const inv = d.invoice;
    const out = [];
    for (const a of d.guidance.actions.slice(0, 2)) {
      if (a === 'submit') {
        out.push(h('button', { class: 'btn', type: 'button', dataset: { action: a }, text: t('action_submit'),
          onclick: () => act(() => ipc.submitInvoices([inv.id], null),
            (r) => (r && r.queued && r.queued.includes(inv.id) ? t('submitted') : t('submit_refused'))) }));
      } else if (a === 'replay') {
        // On the demonstration portal the mandate is signed from here: the
        // owner can try « Rejouer » without a terminal.
        if (d.simulation) {
          out.push(h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'sign_mandate' },
            text: t('action_sign_mandate'),
            onclick: () => act(() => ipc.signDemoMandate(inv.id), t('mandate_signed')) }));
        }
        out.push(h('button', { class: 'btn', type: 'button', dataset: { action: a }, text: t('action_replay'),
          onclick: () => act(() => ipc.replayInvoice(inv.id), t('replay_sent')) }));
      } else if (a === 'prepare_corrected') {
        out.push(h('button', { class: 'btn', type: 'button', dataset: { action: a }, text: t('action_prepare_corrected'),
          'aria-expanded': 'false', onclick: (e) => toggleCorrection(e.currentTarget, inv) }));
      } else if (a === 'mark_verified') {
        out.push(h('button', { class: 'btn', type: 'button', dataset: { action: 'arrived' }, text: t('action_arrived'),
          onclick: () => act(() => ipc.markVerified(inv.id, true), t('verified_arrived')) }));
        out.push(h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'not_arrived' },
          text: t('action_not_arrived'),
          onclick: () => act(() => ipc.markVerified(inv.id, false), t('verified_not_arrived')) }));
      } else if (a === 'mark_posted') {
        out.push(h('button', { class: 'btn', type: 'button', dataset: { action: a }, text: t('action_posted'),
          onclick: () => act(() => ipc.markPosted(inv.id), t('posted')) }));
      } else if (a === 'show_duplicate' && d.duplicate) {
        out.push(h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: a },
          text: t('action_show_duplicate', d.duplicate.other_number),
          onclick: () => app.openDetail(d.duplicate.other_id, { focus: true }) }));
      }
      // `complete` and `fix_routing` happen on the portal: the text says how.
    }
    return out;
  }

  function toggleCorrection(btn, inv) {
    const host = $('.detail .correction-host');
    if (host.firstChild) {
      clear(host);
      btn.setAttribute('aria-expanded', 'false');
      return;
    }
    btn.setAttribute('aria-expanded', 'true');
    const input = h('input', { id: 'new-number', type: 'text', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'new-number-help' });
    const err = h('p', { class: 'err', role: 'alert' });
    const form = h('form', { class: 'correction', novalidate: true },
      h('label', { for: 'new-number', text: t('correction_label') }),
      h('p', { id: 'new-number-help', class: 'help', text: t('correction_help', inv.number) }),
      h('div', { class: 'row-in' }, input, h('button', { class: 'btn', type: 'submit', text: t('correction_confirm') })),
      err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = input.value.trim();
      err.textContent = '';
      if (!v) { err.textContent = t('correction_empty'); input.focus(); return; }
      if (v.toLowerCase() === inv.number.trim().toLowerCase()) {
        err.textContent = t('correction_same', inv.number);
        input.focus();
        return;
      }
      const res = await act(() => ipc.prepareCorrection(inv.id, v), (r) => t('correction_done', r.new_number));
      if (res) clear(host);
    });
    host.append(form);
    input.focus();
  }

  // « Numéro à saisir »: the owner types the number the reading missed.
  function numberForm(inv) {
    if (inv.number || inv.status !== 'checked') return null;
    const input = h('input', { id: 'typed-number', type: 'text', autocomplete: 'off', spellcheck: 'false',
      maxlength: '64', 'aria-describedby': 'typed-number-help' });
    const err = h('p', { class: 'err', role: 'alert' });
    const form = h('form', { class: 'correction number-form', novalidate: true },
      h('label', { for: 'typed-number', text: t('number_label') }),
      h('p', { id: 'typed-number-help', class: 'help', text: t('number_help') }),
      h('div', { class: 'row-in' }, input, h('button', { class: 'btn', type: 'submit', text: t('number_save') })),
      err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = input.value.trim();
      err.textContent = '';
      if (!v) { err.textContent = t('number_empty'); input.focus(); return; }
      try {
        const row = await ipc.setInvoiceNumber(inv.id, v);
        await app.refreshAll();
        notice(t('number_saved', row.number));
      } catch (ex) {
        // What was typed stays; the reason shows beside the field.
        clear(err);
        err.append(errorBlock(ex));
      }
    });
    return form;
  }

  function correctionLine(d) {
    const c = d.correction;
    if (!c) return null;
    let text;
    if (c.original_id !== d.invoice.id) text = t('correction_of', c.original_number);
    else if (c.corrected_by != null) text = t('correction_sent', c.new_number);
    else text = t('correction_planned', c.new_number);
    return h('p', { class: 'correction-link', text });
  }

  function guidanceBox(d) {
    const inv = d.invoice;
    const cat = category(inv.status, inv.reason_code);
    return h('section', { class: `guidance cat-${cat}`, 'aria-labelledby': 'g-what' },
      h('h3', { id: 'g-what', class: 'visually-hidden', text: t('what_happened') }),
      h('p', { class: 'what', text: pick(d.guidance, 'what') }),
      h('p', { class: 'todo', text: pick(d.guidance, 'todo') }),
      correctionLine(d),
      numberForm(inv),
      h('div', { class: 'actions' }, actionButtons(d)),
      h('div', { class: 'correction-host' }),
      h('div', { class: 'action-error' }, failed && failed.id === inv.id ? errorBlock(failed.error) : null),
      h('p', { class: 'notice', role: 'status', text: said && said.id === inv.id ? said.text : null }));
  }

  // Where routing would send a checked invoice, and why (or why it is held).
  // The lines and VAT breakdown as read on the page (`facteur read`'s
  // terms), asked for after the detail is on screen.
  async function showReading(id) {
    let r;
    try {
      r = await ipc.readInvoice(id);
    } catch {
      return; // what was read is a help, not a requirement
    }
    readingActions(id, r);
    const host = $('.detail .reading-host');
    if (!host || !current || current.invoice.id !== id || !r) return;
    const inv = r[0];
    const lines = inv?.['BG-25'] || [];
    if (!lines.length) return;
    const currency = inv['BT-5']?.value;
    const val = (f, fmt = (x) => x) => (f ? h('span', { class: f.sure ? 'sure' : 'unsure', title: f.sure ? t('sure') : t('unsure') }, fmt(f.value)) : '—');
    const amount = (f) => val(f, (x) => money(x, currency));
    const vat = inv['BG-23'] || [];
    clear(host, h('section', { class: 'reading', 'aria-labelledby': 'h-lines' },
      h('h3', { id: 'h-lines', text: t('lines') }),
      h('p', { class: 'help', text: t('lines_help') }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'lines' },
        h('thead', {}, h('tr', {}, ['col_desc', 'col_qty', 'col_unit_price', 'col_rate', 'col_line_total'].map((k) => h('th', { scope: 'col', text: t(k) })))),
        h('tbody', {}, lines.map((l) => h('tr', {},
          h('td', {}, val(l['BG-31']?.['BT-153'])),
          h('td', { class: 'n' }, val(l['BT-129'])),
          h('td', { class: 'n' }, amount(l['BG-29']?.['BT-146'])),
          h('td', { class: 'n' }, val(l['BG-30']?.['BT-152'], (x) => `${count(Number(x))}${'\u00a0'}%`)),
          h('td', { class: 'n' }, amount(l['BT-131']))))))),
      vat.length ? h('h4', { text: t('vat_breakdown') }) : null,
      vat.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'lines' },
        h('thead', {}, h('tr', {}, ['col_rate', 'col_base', 'col_vat'].map((k) => h('th', { scope: 'col', text: t(k) })))),
        h('tbody', {}, vat.map((v) => h('tr', {},
          h('td', { class: 'n' }, val(v['BT-119'], (x) => `${count(Number(x))}${'\u00a0'}%`)),
          h('td', { class: 'n' }, amount(v['BT-116'])),
          h('td', { class: 'n' }, amount(v['BT-117']))))))) : null));
  }

  // Where it goes is said once, in the verdict above; here only the
  // identifiers routing set aside, and why.
  function routingSection(routing) {
    if (!routing) return null;
    const dec = routing.decision;
    const ignored = routing.candidates.filter((c) => c.ignored);
    if (!ignored.length) return null;
    return h('section', { class: 'routing', 'aria-labelledby': 'h-routing', dataset: { decision: dec.decision } },
      h('h3', { id: 'h-routing', text: t('routing') }),
      h('ul', { class: 'ignored' }, ignored.map((c) => h('li', { text: pick2(c.ignored) }))));
  }

  // HT + TVA = TTC, to the cent: amounts that do not add up are flagged,
  // never shown as plain facts.
  function amountsDisagree(facts) {
    const n = (k) => (facts[k] ? Number(facts[k].value) : NaN);
    const ht = n('total_without_tax'); const tva = n('total_tax'); const ttc = n('total_with_tax');
    if ([ht, tva, ttc].some((x) => Number.isNaN(x))) return false;
    return Math.abs(ht + tva - ttc) > 0.011;
  }

  function findingItem(f) {
    return h('li', { dataset: { code: f.code } },
      h('span', { class: `sev sev-${f.severity}` }, icon(f.severity === 'error' ? 'action' : 'waiting'),
        t(`severity_${f.severity}`)),
      h('p', { class: 'msg', text: pick(f, 'message') }),
      pick(f, 'hint') ? h('p', { class: 'hint' }, h('strong', { text: `${t('fix')} ` }), pick(f, 'hint')) : null,
      f.detail ? h('details', { class: 'tech' }, h('summary', { text: t('technical') }),
        h('p', { class: 'raw', text: f.detail })) : null);
  }

  // The official e-invoice rules have their own section: the file check
  // is about the deposit, the rules about what a plateforme agréée takes.
  const isRule = (f) => f.code === 'einvoice_rule';

  function findingsSection(report) {
    let body;
    const findings = (report?.findings || []).filter((f) => !isRule(f));
    if (!report) body = h('p', { class: 'help', text: t('no_report') });
    else if (!findings.length) {
      body = h('p', { class: 'ok-line' }, icon('success'), t('no_findings'));
    } else {
      body = h('ul', { class: 'findings' }, findings.map(findingItem));
    }
    return h('section', { 'aria-labelledby': 'h-findings' }, h('h3', { id: 'h-findings', text: t('findings') }), body);
  }

  function rulesSection(report) {
    const st = report?.structured;
    if (!st || !st.syntax) return null;
    const rules = report.findings.filter(isRule);
    const fatal = rules.filter((f) => f.severity === 'error').length;
    let head;
    if (st.verdict === 'valid') head = h('p', { class: 'ok-line' }, icon('success'), t('rules_valid'));
    else if (st.verdict === 'invalid') head = h('p', { class: 'warn-line', text: t('rules_invalid', { n: fatal }) });
    else head = h('p', { class: 'help', text: t('rules_absent') });
    return h('section', { class: 'rules', 'aria-labelledby': 'h-rules' },
      h('h3', { id: 'h-rules', text: t('rules_title') }), head,
      rules.length ? h('ul', { class: 'findings' }, rules.map(findingItem)) : null);
  }

  function factsSection(report) {
    const facts = report?.facts || {};
    const keys = Object.keys(facts).sort((a, b) => {
      const ia = FACT_ORDER.indexOf(a); const ib = FACT_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    if (!keys.length) return null;
    const currency = facts.currency?.value;
    const disagree = amountsDisagree(facts);
    return h('section', { 'aria-labelledby': 'h-facts' }, h('h3', { id: 'h-facts', text: t('facts') }),
      disagree ? h('p', { class: 'doubt-note', role: 'note' }, icon('action'), t('amounts_disagree')) : null,
      h('dl', { class: 'facts' }, keys.map((k) => {
        const f = facts[k];
        let v = f.value;
        const doubtful = disagree && AMOUNT_FACTS.has(k) && k !== 'amount_due';
        if (AMOUNT_FACTS.has(k)) v = money(v, currency);
        else if (k === 'issue_date') v = date(v);
        else if (k === 'doc_type') v = t2('doc_type_value', v);
        else if (k === 'type_code') v = t2('type_code_value', v);
        return [h('dt', { text: t2('fact', k) }),
          // Where it was read matters to the curious only: a tooltip.
          h('dd', { dataset: { fact: k }, class: doubtful ? 'doubtful' : null, title: t(`fact_source_${f.source}`) },
            v, doubtful ? h('span', { class: 'doubt', text: ` (${t('doubtful')})` }) : null)];
      })));
  }

  function timelineSection(events) {
    const body = events.length
      ? h('ol', { class: 'timeline' }, events.map((ev) => {
        const cat = ev.status ? category(ev.status, ev.reason_code) : 'closed';
        // Facteur's own steps have no portal wording to compare with.
        const raw = ev.vocabulary === 'local' ? ev.raw_reason
          : [ev.raw_status, ev.raw_reason].filter(Boolean).join(' — ');
        return h('li', { dataset: { status: ev.status || '' } },
          h('span', { class: `dot cat-${cat}`, 'aria-hidden': 'true' }),
          h('div', { class: 'line1' },
            h('span', { class: 'canon', text: ev.status ? label(ev.status, ev.reason_code) : t('informational') }),
            raw ? h('span', { class: 'raw', title: t('portal_said') }, t('quote', raw)) : null,
            ev.mandatory ? h('span', { class: 'mand', text: t('mandatory') }) : null,
            ev.secondary ? h('span', { class: 'mand', text: t('second_deposit') }) : null),
          h('div', { class: 'when', text: `${dateTime(ev.at_ms)} · ${t(`source_${ev.source}`)}` }));
      }))
      : h('p', { class: 'help', text: t('no_events') });
    return h('section', { 'aria-labelledby': 'h-timeline' }, h('h3', { id: 'h-timeline', text: t('timeline') }), body);
  }

  function render() {
    // What the owner was typing survives a refresh, and so does the focus.
    const typed = [...el.querySelectorAll('input[id]')].map((i) => [i.id, i.value, i === document.activeElement]);
    draw();
    for (const [id, value, focused] of typed) {
      const input = el.querySelector(`#${id}`);
      if (!input) continue;
      input.value = value;
      if (focused) input.focus();
    }
  }

  function draw() {
    const d = current;
    const inv = d.invoice;
    const since = isFinal(inv.status) ? '' : t('since', age(inv.status_since_ms));
    const fileName = inv.path.split(/[\\/]/).pop();
    let title;
    if (inv.status === 'blocked' && !inv.number) title = t('blocked_title', fileName);
    else if (!inv.number) title = `${t2('doc_type_value', inv.doc_type)} — ${t('number_missing')}`;
    else if (inv.doc_type === 'credit_note') title = t('credit_title', inv.number);
    else title = t('detail_title', inv.number);
    const facts = d.report?.facts || {};
    const total = amountsDisagree(facts) ? `${money(inv.total_with_tax, inv.currency)} (${t('doubtful')})`
      : money(inv.total_with_tax, inv.currency);
    clear(el,
      h('header', {},
        h('h2', { id: 'detail-title', text: title }),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('close_detail'), title: t('close_detail'),
          onclick: () => app.closeDetail() }, '×')),
      h('p', { class: 'sub' }, h('strong', { text: total }), ' · ',
        inv.customer || t('no_customer'), ' · ', date(inv.issue_date)),
      d.simulation ? h('div', { class: 'sim-banner' }, h('p', { text: t('simulation_banner') }),
        h('p', { text: t('demo_pace') })) : null,
      h('div', { class: 'headline' }, badge(inv.status, inv.reason_code),
        since ? h('span', { class: 'age', text: since }) : null,
        // A standalone XML invoice has no PDF to open.
        d.report && d.report.xml ? null
          : h('button', { class: 'btn btn-quiet', type: 'button', dataset: { action: 'open_pdf' }, text: t('open_pdf'),
            onclick: () => act(() => ipc.openPdf(inv.id), '') }),
        h('span', { class: 'reading-actions' })),
      h('div', { class: 'learned-host' }),
      guidanceBox(d),
      makeSection(d),
      routingSection(d.routing),
      findingsSection(d.report),
      rulesSection(d.report),
      factsSection(d.report),
      h('div', { class: 'reading-host' }),
      timelineSection(d.events),
      h('details', { class: 'tech' }, h('summary', { text: t('technical') }),
        h('dl', {}, h('dt', { text: t('file') }), h('dd', { text: inv.path }),
          h('dt', { text: t('sha256') }), h('dd', { text: inv.sha256 }))));
  }

  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault();
      app.closeDetail();
    }
  });

  return { open, close, refresh, current: () => current };
}
