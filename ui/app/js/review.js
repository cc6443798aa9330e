// The review of a Factur-X draft beside its page (« Créer le Factur-X »),
// and « Corriger la lecture », the same editor without the Factur-X parts.
//
// The page is drawn from its text and positions (an SVG of the phrases where
// they sit, no PDF rendering); the draft is `facteur read`'s BT-keyed JSON,
// edited in place: every value keeps where it came from until the owner
// types it (then it is « saisi » and sure). The arithmetic is checked here
// as the owner types, the way the official rules check it; whether the
// invoice may be made is asked of the shell (`facturx_check`, debounced),
// never decided here.

import * as ipc from './ipc.js';
import { h, clear } from './dom.js';
import { t, t2, pick, getLang, money, count } from './i18n.js';
import { errorBlock } from './errors.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const c of children) if (c != null) el.append(c);
  return el;
}

// ---- Exact decimals (as the rules count: to the cent, half away from zero) ----

const SCALE = 10n ** 8n;
const CENT = 10n ** 6n;

/** "1 234,56", "1234.56", "-3" → BigInt in 1e-8 units; null when not a number. */
export function dec(v) {
  if (v == null) return null;
  const x = String(v).replace(/[\s\u00a0\u202f€%]/g, '').replace(',', '.');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(x);
  if (!m || (!m[2] && !m[3])) return null;
  const n = BigInt(m[2] || '0') * SCALE + BigInt((m[3] || '').padEnd(8, '0').slice(0, 8) || '0');
  return m[1] === '-' ? -n : n;
}
function divRound(n, d) {
  const q = n / d;
  const r = n % d;
  const abs = r < 0n ? -r : r;
  return 2n * abs >= d ? q + (n < 0n ? -1n : 1n) : q;
}
const toCents = (a) => divRound(a, CENT) * CENT;
const times = (a, b) => divRound(a * b, SCALE);
const percentOf = (base, rate) => toCents(divRound(base * rate, 100n * SCALE));
const num = (a) => Number(a) / 1e8;
/** A rate as the owner writes it: « 5,5 % » in French, "5.5%" in English. */
const percent = (r) => `${count(num(r))}${getLang() === 'fr' ? '\u00a0%' : '%'}`;

/** The plain decimal the draft keeps ("3.50") from what was typed ("3,50"). */
function plain(v) {
  return String(v).replace(/[\s\u00a0\u202f€%]/g, '').replace(',', '.');
}
/** A plain decimal as the owner reads it in their language ("3,50" in French). */
function local(v) {
  if (v == null) return '';
  return getLang() === 'fr' && /^-?\d*\.?\d*$/.test(v) ? String(v).replace('.', ',') : String(v);
}

// ---- The draft's JSON, by path ("BG-4/BG-5/BT-35", "BG-25[0]/BT-131") ----

function parts(path) {
  return path.split('/').map((p) => {
    const m = /^(.*)\[(\d+)\]$/.exec(p);
    return m ? [m[1], Number(m[2])] : [p, null];
  });
}
export function getAt(root, path) {
  let node = root;
  for (const [k, i] of parts(path)) {
    if (node == null) return undefined;
    node = node[k];
    if (i != null) node = Array.isArray(node) ? node[i] : undefined;
  }
  return node;
}
function setAt(root, path, leaf) {
  const ps = parts(path);
  let node = root;
  ps.forEach(([k, i], n) => {
    const last = n === ps.length - 1;
    if (i != null) {
      if (!Array.isArray(node[k])) node[k] = [];
      while (node[k].length <= i) node[k].push({});
      node = node[k][i];
    } else if (last) {
      if (leaf == null) delete node[k];
      else node[k] = leaf;
    } else {
      if (!node[k] || typeof node[k] !== 'object') node[k] = {};
      node = node[k];
    }
  });
}
const leafValue = (l) => (l == null ? '' : typeof l === 'object' ? (l.value ?? '') : String(l));

/** "page 2 (10, 700, 80, 12)" → { page, x, y, w, h }. */
function pageBox(source) {
  const m = /^page (\d+) \(([-\d.]+), ([-\d.]+), ([-\d.]+), ([-\d.]+)\)$/.exec(source || '');
  return m ? { page: +m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] } : null;
}

/** Where a value came from, in the owner's words. */
function sourceLabel(leaf) {
  if (!leaf || typeof leaf !== 'object') return t('rv_src_user');
  const box = pageBox(leaf.source);
  if (box) return t('rv_src_page', box.page);
  if (leaf.source === 'company') return t('rv_src_company');
  if (leaf.source === 'directory') return t('rv_src_directory');
  return leaf.sure === false ? t('rv_src_offered') : t('rv_src_user');
}

// ---- What the form shows, in the order the invoice reads ----

// kind: text, date, amount, qty, rate, code (short), type, means, country.
// fx: only when making a Factur-X (not when correcting the reading).
const F = (p, kind = 'text', more = {}) => ({ p, kind, ...more });
const party = (g, addr, n) => [
  F(`${g}/${n.name}`, 'text', { wide: true }),
  F(`${g}/${n.siren}`, 'code'), F(`${g}/${n.siret}`, 'code'), F(`${g}/${n.vat}`, 'code'),
  F(`${g}/${addr}/${n.street}`, 'text', { wide: true }),
  F(`${g}/${addr}/${n.postcode}`, 'code'), F(`${g}/${addr}/${n.city}`),
  F(`${g}/${addr}/${n.country}`, 'country'),
  F(`${g}/${n.e}`, 'code', { fx: true }),
];
const GROUPS = [
  { key: 'invoice', fields: [F('BT-1', 'code'), F('BT-2', 'date'), F('BT-3', 'type'), F('BT-5', 'code'),
    F('BT-9', 'date'), F('BG-3/BT-25', 'code', { credit: true }), F('BT-10'), F('BT-13'), F('BT-12')] },
  { key: 'seller', fields: party('BG-4', 'BG-5',
    { name: 'BT-27', siren: 'BT-30', siret: 'BT-29', vat: 'BT-31', street: 'BT-35', postcode: 'BT-38', city: 'BT-37', country: 'BT-40', e: 'BT-34' }) },
  { key: 'buyer', fields: party('BG-7', 'BG-8',
    { name: 'BT-44', siren: 'BT-47', siret: 'BT-46', vat: 'BT-48', street: 'BT-50', postcode: 'BT-53', city: 'BT-52', country: 'BT-55', e: 'BT-49' }) },
  { key: 'delivery', fx: true, fields: [F('BG-13/BT-70', 'text', { wide: true }), F('BG-13/BG-15/BT-75', 'text', { wide: true }),
    F('BG-13/BG-15/BT-78', 'code'), F('BG-13/BG-15/BT-77'), F('BG-13/BG-15/BT-80', 'country'), F('BG-13/BT-72', 'date')] },
  { key: 'lines' },
  { key: 'charges', fx: true },
  { key: 'vat' },
  { key: 'totals', fields: [F('BG-22/BT-106', 'amount'), F('BG-22/BT-107', 'amount', { ac: 'BG-20' }),
    F('BG-22/BT-108', 'amount', { ac: 'BG-21' }), F('BG-22/BT-109', 'amount'), F('BG-22/BT-110', 'amount'),
    F('BG-22/BT-112', 'amount'), F('BG-22/BT-115', 'amount')] },
  { key: 'payment', fields: [F('BG-16/BT-81', 'means', { fx: true }), F('BG-16/BG-17/BT-84', 'code', { wide: true }),
    F('BG-16/BG-17/BT-86', 'code'), F('BT-20', 'text', { wide: true })] },
  { key: 'mentions', fx: true },
];
const LINE = [F('BG-31/BT-153', 'text', { wide: true }), F('BT-129', 'qty'), F('BT-130', 'code'),
  F('BG-29/BT-146', 'amount'), F('BG-30/BT-152', 'rate'), F('BT-131', 'amount')];
const VAT_ROW = [F('BT-119', 'rate'), F('BT-116', 'amount'), F('BT-117', 'amount')];
// A discount (BG-20) or a fee (BG-21) on the whole invoice: amount, base and
// percentage, VAT rate and category, reason and its code.
const AC = {
  'BG-20': { amount: 'BT-92', base: 'BT-93', pct: 'BT-94', cat: 'BT-95', rate: 'BT-96', reason: 'BT-97', code: 'BT-98', total: 'BT-107' },
  'BG-21': { amount: 'BT-99', base: 'BT-100', pct: 'BT-101', cat: 'BT-102', rate: 'BT-103', reason: 'BT-104', code: 'BT-105', total: 'BT-108' },
};
const acRow = (n) => [F(n.reason, 'text', { wide: true }), F(n.amount, 'amount'), F(n.rate, 'rate'),
  F(n.base, 'amount'), F(n.pct, 'rate'), F(n.code, 'code')];
const CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O'];
const NOTES = ['PMT', 'PMD', 'AAB'];
const zeroRate = (v) => { const d = dec(v); return d != null && d === 0n; };
const term = (path) => path.split('/').pop().replace(/\[\d+\]$/, '');

// ---- The arithmetic, as the rules count it ----

/**
 * Every check of the draft's amounts: { key, ok, text, paths }. Lines
 * (quantity × unit price = line total), lines sum = total of lines and
 * total HT, VAT per rate (base and tax), total VAT, HT + TVA = TTC, amount
 * due; each to the cent. A check whose figures are missing is not made.
 */
export function arithmetic(draft) {
  const cur = leafValue(draft['BT-5']) || 'EUR';
  const m = (a) => money(num(a), cur);
  const v = (p) => dec(leafValue(getAt(draft, p)));
  const out = [];
  const lines = draft['BG-25'] || [];
  let sum = 0n;
  let complete = lines.length > 0;
  const perRate = new Map();
  lines.forEach((l, i) => {
    const p = (x) => `BG-25[${i}]/${x}`;
    const q = v(p('BT-129')); const price = v(p('BG-29/BT-146')); const net = v(p('BT-131'));
    if (net == null) complete = false;
    else {
      sum += net;
      const rate = v(p('BG-30/BT-152'));
      const key = rate == null ? null : String(rate);
      if (key != null) perRate.set(key, (perRate.get(key) || 0n) + net);
    }
    if (q != null && price != null && net != null) {
      const want = toCents(times(q, price));
      out.push({ key: `line-${i}`, line: i, ok: want === toCents(net), paths: [p('BT-129'), p('BG-29/BT-146'), p('BT-131')],
        text: want === toCents(net) ? t('rv_arith_line_ok', i + 1, count(num(q)), m(price), m(want))
          : t('rv_arith_line', i + 1, count(num(q)), m(price), m(want), m(net)) });
    }
  });
  const t106 = v('BG-22/BT-106'); const t109 = v('BG-22/BT-109'); const t110 = v('BG-22/BT-110');
  const t112 = v('BG-22/BT-112'); const t115 = v('BG-22/BT-115');
  // Discounts and fees on the whole invoice: their totals, and each one
  // counted against the base of its VAT rate (the lines' only rate when
  // it gives none), as BR-CO-11/12/13 and BR-S-08 count them.
  const lineRates = [...perRate.keys()];
  let acNet = 0n;
  let acComplete = true;
  for (const [g, n] of Object.entries(AC)) {
    const rows = draft[g] || [];
    let total = 0n;
    let known = true;
    rows.forEach((row, i) => {
      const a = v(`${g}[${i}]/${n.amount}`);
      if (a == null) { known = false; return; }
      total += a;
      const r = v(`${g}[${i}]/${n.rate}`);
      const key = r != null ? String(r) : (lineRates.length === 1 ? lineRates[0] : null);
      if (key != null) perRate.set(key, (perRate.get(key) || 0n) + (g === 'BG-20' ? -a : a));
    });
    if (!known) { acComplete = false; continue; }
    acNet += g === 'BG-20' ? -total : total;
    const stated = v(`BG-22/${n.total}`);
    if (rows.length && stated != null) {
      const ok = toCents(total) === toCents(stated);
      const k = g === 'BG-20' ? 'allowances' : 'charges';
      out.push({ key: k, ok, paths: [`BG-22/${n.total}`],
        text: ok ? t(`rv_arith_${k}_ok`, m(total)) : t(`rv_arith_${k}`, m(total), m(stated)) });
    }
  }
  if (complete && t106 != null) {
    const ok = toCents(sum) === toCents(t106);
    out.push({ key: 'lines_sum', ok, paths: ['BG-22/BT-106'],
      text: ok ? t('rv_arith_lines_sum_ok', m(sum)) : t('rv_arith_lines_sum', m(sum), m(t106)) });
  }
  if (complete && acComplete && t109 != null) {
    const want = sum + acNet;
    const ok = toCents(want) === toCents(t109);
    const k = acNet === 0n && !(draft['BG-20'] || []).length && !(draft['BG-21'] || []).length ? 'without_tax' : 'without_tax_ac';
    out.push({ key: 'without_tax', ok, paths: ['BG-22/BT-109'],
      text: ok ? t(`rv_arith_${k}_ok`, m(want)) : t(`rv_arith_${k}`, m(want), m(t109)) });
  }
  const vat = draft['BG-23'] || [];
  let taxSum = 0n;
  let taxComplete = vat.length > 0;
  vat.forEach((row, i) => {
    const p = (x) => `BG-23[${i}]/${x}`;
    const rate = v(p('BT-119')); const base = v(p('BT-116')); const tax = v(p('BT-117'));
    if (tax == null) taxComplete = false; else taxSum += tax;
    if (rate == null) return;
    const pct = percent(rate);
    if (complete && base != null) {
      const want = perRate.get(String(rate)) || 0n;
      const ok = toCents(want) === toCents(base);
      out.push({ key: `base-${i}`, ok, paths: [p('BT-116')],
        text: ok ? t('rv_arith_base_ok', pct, m(base)) : t('rv_arith_base', pct, m(want), m(base)) });
    }
    if (base != null && tax != null) {
      const want = percentOf(base, rate);
      const ok = want === toCents(tax);
      out.push({ key: `tax-${i}`, ok, paths: [p('BT-117')],
        text: ok ? t('rv_arith_tax_ok', pct, m(base), m(want)) : t('rv_arith_tax', pct, m(base), m(want), m(tax)) });
    }
  });
  if (vat.length && complete) {
    const rates = new Set(vat.map((row) => dec(leafValue(row['BT-119']))).filter((x) => x != null).map(String));
    for (const r of perRate.keys()) {
      if (!rates.has(r)) {
        out.push({ key: `rate-${r}`, ok: false, paths: ['BG-23'], text: t('rv_arith_rate_missing', percent(BigInt(r))) });
      }
    }
  }
  if (taxComplete && t110 != null) {
    const ok = toCents(taxSum) === toCents(t110);
    out.push({ key: 'tax_total', ok, paths: ['BG-22/BT-110'], text: ok ? t('rv_arith_tax_total_ok', m(taxSum)) : t('rv_arith_tax_total', m(taxSum), m(t110)) });
  }
  const ht = t109 ?? (complete && acComplete ? sum + acNet : null);
  if (ht != null && t110 != null && t112 != null) {
    const want = toCents(ht + t110);
    const ok = want === toCents(t112);
    out.push({ key: 'with_tax', ok, paths: ['BG-22/BT-109', 'BG-22/BT-110', 'BG-22/BT-112'],
      text: ok ? t('rv_arith_with_tax_ok', m(ht), m(t110), m(want)) : t('rv_arith_with_tax', m(ht), m(t110), m(want), m(t112)) });
  }
  if (t112 != null && t115 != null && toCents(t112) !== toCents(t115)) {
    out.push({ key: 'due', ok: false, paths: ['BG-22/BT-115'], text: t('rv_arith_due', m(t112), m(t115)) });
  }
  return out;
}

// ---- The window ----

export function createReview(app, { said = () => {} } = {}) {
  const dlg = h('dialog', { id: 'review', class: 'review', 'aria-labelledby': 'review-title' });
  document.body.append(dlg);
  let st = null; // { mode, id, number, draft, pages, missing, failures, valid, checked, seq }
  let timer = null;
  let uid = 0;

  const fx = () => st.mode === 'make';

  function close() {
    clearTimeout(timer);
    st = null;
    if (dlg.open) dlg.close();
    clear(dlg);
  }
  dlg.addEventListener('close', () => { clearTimeout(timer); st = null; clear(dlg); });
  // Esc closes the review only, never the detail behind it.
  dlg.addEventListener('keydown', (e) => { if (e.key === 'Escape') e.stopPropagation(); });

  /** « Créer le Factur-X » on invoice `id`. */
  async function openMake(inv) {
    let r;
    try {
      r = await ipc.facturxDraft(inv.id);
    } catch (e) {
      return e;
    }
    st = { mode: 'make', id: inv.id, number: inv.number, draft: r.draft, pages: r.pages || [],
      missing: r.missing || [], failures: [], valid: false, checked: false, seq: 0 };
    show();
    schedule(0);
    return null;
  }

  /** « Corriger la lecture » on invoice `id`. */
  async function openCorrect(inv) {
    let reading; let pages;
    try {
      [reading, pages] = await Promise.all([ipc.readInvoice(inv.id), ipc.invoicePages(inv.id)]);
    } catch (e) {
      return e;
    }
    if (!reading || !reading.length) {
      return { code: 'not_found', message_fr: t('rv_gone'), message_en: t('rv_gone') };
    }
    st = { mode: 'correct', id: inv.id, number: inv.number, draft: reading[0], pages: pages || [],
      missing: [], failures: [], valid: true, checked: true, seq: 0 };
    show();
    return null;
  }

  function show() {
    uid++;
    st.origin = {};
    walkLeaves(st.draft, '', (path, leaf) => { st.origin[path] = leaf.source; });
    const title = fx() ? t('rv_title_make', st.number || '') : t('rv_title_correct', st.number || '');
    clear(dlg,
      h('header', { class: 'rv-head' },
        h('h2', { id: 'review-title', text: title }),
        h('p', { class: 'help', text: fx() ? t('rv_intro_make') : t('rv_intro_correct') }),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('rv_close'), title: t('rv_close'), onclick: close }, '×')),
      h('div', { class: 'rv-body' },
        h('section', { class: 'rv-pages', 'aria-label': t('rv_page_label') }, st.pages.map(pageSvg)),
        h('form', { class: 'rv-draft', novalidate: true, onsubmit: (e) => { e.preventDefault(); } },
          h('div', { class: 'rv-todo', 'aria-live': 'polite' }),
          GROUPS.filter((g) => fx() || !g.fx).map(groupEl))),
      h('footer', { class: 'rv-foot' },
        h('div', { class: 'rv-status', role: 'status', 'aria-live': 'polite' }),
        h('div', { class: 'rv-error' }),
        h('div', { class: 'actions' },
          h('button', { class: 'btn btn-quiet', type: 'button', text: t('rv_cancel'), onclick: close }),
          fx() ? h('button', { class: 'btn', type: 'button', dataset: { action: 'make' }, disabled: true,
            text: t('rv_make'), onclick: make })
            : h('button', { class: 'btn', type: 'button', dataset: { action: 'confirm' }, text: t('rv_confirm'), onclick: confirm }))));
    if (!dlg.open) dlg.showModal();
    refreshDerived();
    dlg.querySelector('.rv-draft input, .rv-draft select')?.focus();
  }

  // ---- The page ----

  function pageSvg(pg) {
    const H = pg.height;
    return h('figure', { class: 'rv-page', dataset: { page: pg.number } },
      s('svg', { viewBox: `0 0 ${pg.width} ${H}`, role: 'img', 'aria-label': t('rv_page_n', pg.number) },
        s('rect', { class: 'paper', x: 0, y: 0, width: pg.width, height: H }),
        ...(pg.rules || []).map((r) => s('line', { class: 'rule', x1: r.x0, y1: H - r.y0, x2: r.x1, y2: H - r.y1 })),
        ...readBoxes(pg.number, H),
        ...pg.words.map((w) => {
          // The text's baseline sits a quarter of its size above the box's foot.
          const size = w.h / 1.2;
          return s('text', { x: w.x, y: H - w.y - size * 0.25, 'font-size': size.toFixed(2),
            textLength: w.w > 0 ? w.w.toFixed(2) : null, lengthAdjust: 'spacingAndGlyphs' }, w.text);
        }),
        s('rect', { class: 'hl', x: 0, y: 0, width: 0, height: 0, rx: 2 })),
      h('figcaption', { text: t('rv_page_n', pg.number) }));
  }

  /** A faint box wherever a value of the draft was read: click to edit it. */
  function readBoxes(number, H) {
    const out = [];
    walkLeaves(st.draft, '', (path, leaf) => {
      const b = pageBox(leaf?.source);
      if (!b || b.page !== number) return;
      out.push(s('rect', { class: 'read', x: b.x, y: H - b.y - b.h, width: b.w, height: b.h, rx: 1.5, 'data-path': path }));
    });
    for (const r of out) {
      r.addEventListener('click', () => {
        const input = dlg.querySelector(`.rv-draft [data-path="${r.getAttribute('data-path')}"] :is(input, select, textarea)`);
        input?.focus();
      });
    }
    return out;
  }

  function walkLeaves(node, prefix, fn) {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (!/^B[GT]-/.test(k)) continue;
      const path = prefix ? `${prefix}/${k}` : k;
      if (Array.isArray(v)) v.forEach((item, i) => walkLeaves(item, `${path}[${i}]`, fn));
      else if (v && typeof v === 'object' && 'value' in v) fn(path, v);
      else if (v && typeof v === 'object') walkLeaves(v, path, fn);
    }
  }

  function highlight(path) {
    for (const r of dlg.querySelectorAll('.rv-page .hl')) r.setAttribute('width', 0);
    // Where the value was read, even once the owner typed over it.
    const b = path && (pageBox(getAt(st.draft, path)?.source) || pageBox(st.origin[path]));
    if (!b) return;
    const fig = dlg.querySelector(`.rv-page[data-page="${b.page}"]`);
    if (!fig) return;
    const H = Number(fig.querySelector('svg').viewBox.baseVal.height);
    const hl = fig.querySelector('.hl');
    const pad = 2;
    hl.setAttribute('x', b.x - pad); hl.setAttribute('y', H - b.y - b.h - pad);
    hl.setAttribute('width', b.w + 2 * pad); hl.setAttribute('height', b.h + 2 * pad);
    // The box comes into view in the page's pane.
    const pane = dlg.querySelector('.rv-pages');
    const svg = fig.querySelector('svg').getBoundingClientRect();
    const scale = svg.height / H;
    const top = svg.top + (H - b.y - b.h) * scale;
    const p = pane.getBoundingClientRect();
    if (top < p.top + 20 || top > p.bottom - 40) pane.scrollTop += top - p.top - p.height / 3;
  }

  // ---- The draft ----

  function groupEl(g) {
    const id = `rv-h-${g.key}`;
    let body;
    if (g.key === 'lines') body = linesEl();
    else if (g.key === 'vat') body = vatEl();
    else if (g.key === 'charges') body = chargesEl();
    else if (g.key === 'mentions') body = mentionsEl();
    else if (g.key === 'delivery') body = deliveryEl(g);
    else body = h('div', { class: 'rv-grid' }, g.fields.filter((f) => (fx() || !f.fx) && shown(f)).map((f) => fieldEl(f.p, f)));
    return h('section', { class: `rv-group rv-g-${g.key}`, 'aria-labelledby': id, dataset: { group: g.key } },
      h('h3', { id, text: t2('rv_group', g.key) }), body,
      g.key === 'totals' ? h('ul', { class: 'rv-arith', 'aria-live': 'polite' }) : null);
  }

  function shown(f) {
    if (f.ac) return (st.draft[f.ac] || []).length > 0 || !!leafValue(getAt(st.draft, f.p));
    if (f.credit) return leafValue(st.draft['BT-3']) === '381' || !!leafValue(getAt(st.draft, f.p));
    return true;
  }

  function fieldEl(path, f, { label = t2('term', term(path)), small = false } = {}) {
    const leaf = getAt(st.draft, path);
    const id = `rv-${uid}-${path.replace(/[^A-Za-z0-9]/g, '_')}`;
    let input;
    const common = { id, name: path, 'aria-describedby': `${id}-src` };
    if (f.kind === 'type') {
      input = h('select', common, ['380', '381'].map((c) => h('option', { value: c, text: t2('rv_type', c) })));
      input.value = leafValue(leaf) || '380';
    } else if (f.kind === 'means') {
      const codes = ['30', '58', '42', '48', '49', '59', '10', '20'];
      const v = leafValue(leaf);
      input = h('select', common, h('option', { value: '', text: '—' }),
        [...codes, ...(v && !codes.includes(v) ? [v] : [])].map((c) => h('option', { value: c, text: t2('rv_means', c) })));
      input.value = v;
    } else if (f.kind === 'category') {
      input = h('select', common, h('option', { value: '', text: t('rv_cat_auto') }),
        CATEGORIES.map((c) => h('option', { value: c, text: t2('rv_cat', c) })));
      input.value = leafValue(leaf);
    } else {
      const numeric = ['amount', 'qty', 'rate'].includes(f.kind);
      input = h('input', { ...common, type: f.kind === 'date' ? 'date' : 'text', autocomplete: 'off', spellcheck: 'false',
        inputmode: numeric ? 'decimal' : null, maxlength: f.kind === 'country' ? '2' : null,
        class: numeric ? 'n' : null });
      input.value = numeric ? local(leafValue(leaf)) : leafValue(leaf);
    }
    input.addEventListener('input', () => edit(path, input.value, f.kind));
    input.addEventListener('change', () => edit(path, input.value, f.kind));
    const wrap = h('div', { class: `rv-field${f.wide ? ' wide' : ''}${small ? ' small' : ''}`, dataset: { path } },
      h('label', { for: id }, h('span', { class: 'name', text: label })),
      input,
      h('span', { id: `${id}-src`, class: 'rv-src' }));
    for (const ev of ['focusin', 'mouseenter']) wrap.addEventListener(ev, () => highlight(path));
    wrap.addEventListener('mouseleave', () => {
      const focused = dlg.querySelector('.rv-field:focus-within');
      highlight(focused ? focused.dataset.path : null);
    });
    markSource(wrap, leaf);
    return wrap;
  }

  function markSource(wrap, leaf) {
    const src = wrap.querySelector('.rv-src');
    const has = leafValue(leaf) !== '';
    const unsure = has && typeof leaf === 'object' && leaf.sure === false;
    wrap.classList.toggle('unsure', unsure);
    // In a line's card the source is said once, in its head; each value's is
    // in its tooltip.
    const input = wrap.querySelector('input, select, textarea');
    if (input) input.title = has ? sourceLabel(leaf) : '';
    const card = wrap.closest('.rv-card[data-line]');
    if (card) cardSource(card);
    clear(src, has ? h('span', { class: 'from', text: sourceLabel(leaf) }) : null,
      unsure ? h('span', { class: 'doubt', text: t('rv_unsure') }) : null);
  }

  /** The owner typed: the value is theirs, sure. */
  function edit(path, raw, kind) {
    const v = ['amount', 'qty', 'rate'].includes(kind) ? plain(raw) : String(raw).trim();
    const old = getAt(st.draft, path);
    const before = JSON.stringify(old ?? null);
    if (v === '') setAt(st.draft, path, null);
    else if (leafValue(old) !== v || old?.sure === false || old?.source !== 'user') {
      setAt(st.draft, path, { value: v, source: 'user', sure: true });
    }
    // The 'change' that follows the typing (when the field is left, e.g.
    // by clicking « Créer ») changes nothing: asking the rules again would
    // turn « Créer » off under the owner's click.
    if (JSON.stringify(getAt(st.draft, path) ?? null) === before) return;
    const wrap = dlg.querySelector(`.rv-field[data-path="${path}"]`);
    if (wrap) {
      markSource(wrap, getAt(st.draft, path));
      const bad = ['amount', 'qty', 'rate'].includes(kind) && v !== '' && dec(v) == null;
      wrap.classList.toggle('not-number', bad);
    }
    if (path === 'BT-3' && leafValue(old) !== v) redrawGroup('invoice');
    // A zero rate asks for its VAT category (exempt, reverse charge…).
    if (/BT-152$|BT-119$|BT-96$|BT-103$/.test(path) && zeroRate(leafValue(old)) !== zeroRate(v)) {
      redrawGroup(path.startsWith('BG-25') ? 'lines' : path.startsWith('BG-2') && !path.startsWith('BG-23') ? 'charges' : 'vat');
    }
    changed();
  }

  function changed() {
    refreshDerived();
    if (fx()) schedule(450);
  }

  let redrawing = false;
  function redrawGroup(key) {
    const old = dlg.querySelector(`.rv-group[data-group="${key}"]`);
    // The focused field's blur while it is replaced must not redraw again.
    if (!old || redrawing) return;
    redrawing = true;
    const focused = document.activeElement?.name;
    const g = GROUPS.find((x) => x.key === key);
    try {
      old.replaceWith(groupEl(g));
    } finally {
      redrawing = false;
    }
    if (focused) dlg.querySelector(`.rv-group[data-group="${key}"] [name="${CSS.escape(focused)}"]`)?.focus();
    refreshDerived();
  }


  // A line read in one place says so once, in its head; a line whose values
  // came from several places says it under each value.
  function cardSource(card) {
    const froms = new Set();
    walkLeaves((st.draft['BG-25'] || [])[Number(card.dataset.line)], '', (_, leaf) => froms.add(sourceLabel(leaf)));
    card.classList.toggle('mixed', froms.size > 1);
    const head = card.querySelector('.card-src');
    if (head) head.textContent = froms.size === 1 ? [...froms][0] : '';
  }

  function linesEl() {
    const lines = st.draft['BG-25'] || [];
    return h('div', { dataset: { path: 'BG-25' }, class: 'rv-lines' },
      h('ol', { class: 'rv-cards' }, lines.map((l, i) => {
        const p = (x) => `BG-25[${i}]/${x}`;
        const cat = p('BG-30/BT-151');
        const needCat = zeroRate(leafValue(getAt(st.draft, p('BG-30/BT-152')))) || leafValue(getAt(st.draft, cat));
        const card = h('li', { class: 'rv-card', dataset: { line: i } },
          h('div', { class: 'rv-card-head' }, h('strong', { text: t('rv_line_n', i + 1) }),
            h('span', { class: 'rv-src card-src' }),
            h('button', { class: 'link-btn', type: 'button', text: t('rv_line_remove'), dataset: { action: 'remove-line' },
              onclick: () => { st.draft['BG-25'].splice(i, 1); redrawGroup('lines'); changed(); } })),
          h('div', { class: 'rv-grid rv-line-grid' },
            LINE.map((f) => fieldEl(p(f.p), f, { small: true })),
            needCat ? fieldEl(cat, { kind: 'category', wide: true }, { small: true }) : null),
          h('p', { class: 'rv-line-arith', dataset: { line: i } }));
        cardSource(card);
        return card;
      })),
      h('button', { class: 'btn btn-quiet', type: 'button', text: t('rv_line_add'), dataset: { action: 'add-line' },
        onclick: () => {
          st.draft['BG-25'] = [...(st.draft['BG-25'] || []), {}];
          redrawGroup('lines');
          const n = st.draft['BG-25'].length - 1;
          dlg.querySelector(`[name="BG-25[${n}]/BG-31/BT-153"]`)?.focus();
          changed();
        } }));
  }

  function vatEl() {
    const rows = st.draft['BG-23'] || [];
    return h('div', { dataset: { path: 'BG-23' }, class: 'rv-vat' },
      rows.length ? h('ol', { class: 'rv-cards' }, rows.map((r, i) => {
        const p = (x) => `BG-23[${i}]/${x}`;
        const zero = zeroRate(leafValue(r['BT-119'])) || leafValue(r['BT-118']) || leafValue(r['BT-120']);
        return h('li', { class: 'rv-card' },
          h('div', { class: 'rv-grid rv-vat-grid' }, VAT_ROW.map((f) => fieldEl(p(f.p), f, { small: true })),
            zero ? fieldEl(p('BT-118'), { kind: 'category' }, { small: true }) : null,
            zero ? fieldEl(p('BT-120'), { kind: 'text', wide: true }, { small: true }) : null),
          rows.length > 1 || !leafValue(r['BT-119']) ? h('button', { class: 'link-btn', type: 'button', text: t('rv_vat_remove'),
            onclick: () => { st.draft['BG-23'].splice(i, 1); redrawGroup('vat'); changed(); } }) : null);
      })) : h('p', { class: 'help', text: t('rv_vat_none') }),
      h('button', { class: 'btn btn-quiet', type: 'button', text: t('rv_vat_add'),
        onclick: () => { st.draft['BG-23'] = [...rows, {}]; redrawGroup('vat'); changed(); } }));
  }

  // Discounts (BG-20) and fees (BG-21) on the whole invoice, as cards;
  // adding or removing one shows or hides its total among the totals.
  function chargesEl() {
    const list = (g) => {
      const n = AC[g];
      const rows = st.draft[g] || [];
      const p = (i, x) => `${g}[${i}]/${x}`;
      const redraw = () => { redrawGroup('charges'); redrawGroup('totals'); changed(); };
      return h('div', { dataset: { path: g }, class: 'rv-ac' },
        h('h4', { text: t2('rv_ac', g) }),
        rows.length ? h('ol', { class: 'rv-cards' }, rows.map((r, i) => {
          const needCat = zeroRate(leafValue(r[n.rate])) || leafValue(r[n.cat]);
          return h('li', { class: 'rv-card', dataset: { ac: `${g}[${i}]` } },
            h('div', { class: 'rv-grid rv-ac-grid' }, acRow(n).map((f) => fieldEl(p(i, f.p), f, { small: true })),
              needCat ? fieldEl(p(i, n.cat), { kind: 'category', wide: true }, { small: true }) : null),
            h('button', { class: 'link-btn', type: 'button', text: t('rv_ac_remove'), dataset: { action: 'remove-ac' },
              onclick: () => {
                st.draft[g].splice(i, 1);
                // The last one gone, so is their total.
                if (!st.draft[g].length) { delete st.draft[g]; setAt(st.draft, `BG-22/${n.total}`, null); }
                redraw();
              } }));
        })) : null,
        h('button', { class: 'btn btn-quiet', type: 'button', text: t2('rv_ac_add', g), dataset: { action: `add-${g}` },
          onclick: () => {
            st.draft[g] = [...rows, {}];
            redraw();
            dlg.querySelector(`[name="${g}[${st.draft[g].length - 1}]/${n.reason}"]`)?.focus();
          } }));
    };
    return h('div', {}, h('p', { class: 'help', text: t('rv_ac_help') }), list('BG-20'), list('BG-21'));
  }

  // Delivered elsewhere than the buyer's address: asked, then its fields.
  function deliveryEl(g) {
    const has = g.fields.some((f) => leafValue(getAt(st.draft, f.p)) !== '');
    const box = h('input', { type: 'checkbox', id: `rv-${uid}-elsewhere`, checked: has || st.elsewhere });
    box.addEventListener('change', () => {
      st.elsewhere = box.checked;
      if (!box.checked) delete st.draft['BG-13'];
      redrawGroup('delivery');
      changed();
    });
    return h('div', {},
      h('label', { class: 'check', for: box.id }, box, t('rv_elsewhere')),
      has || st.elsewhere ? h('div', { class: 'rv-grid' }, g.fields.map((f) => fieldEl(f.p, f))) : null);
  }

  // The French mentions: what is sold, VAT on debits, the legal notes.
  function mentionsEl() {
    const process = leafValue(st.draft['BT-23']);
    const radios = ['B1', 'S1', 'M1'].map((c) => {
      const r = h('input', { type: 'radio', name: 'BT-23', value: c, id: `rv-${uid}-p-${c}`, checked: process === c });
      r.addEventListener('change', () => { if (r.checked) edit('BT-23', c, 'code'); });
      return h('label', { class: 'check', for: r.id }, r, t2('rv_process', c));
    });
    const debits = h('input', { type: 'checkbox', id: `rv-${uid}-debits`, checked: leafValue(st.draft['BT-8']) === '5' });
    debits.addEventListener('change', () => edit('BT-8', debits.checked ? '5' : '', 'code'));
    const notes = st.draft['BG-1'] || [];
    const codes = [...new Set([...NOTES, ...notes.map((n) => n['BT-21']).filter(Boolean)])];
    return h('div', {},
      h('fieldset', { class: 'rv-field rv-process', dataset: { path: 'BT-23' } },
        h('legend', { text: t2('term', 'BT-23') }), h('div', { class: 'checks' }, radios),
        h('span', { class: 'rv-src' })),
      h('div', { class: 'rv-field', dataset: { path: 'BT-8' } },
        h('label', { class: 'check', for: debits.id }, debits, t('rv_debits'))),
      codes.map((code) => noteEl(code)));
  }

  function noteEl(code) {
    const notes = () => st.draft['BG-1'] || [];
    const find = () => notes().findIndex((n) => n['BT-21'] === code);
    const i = find();
    const leaf = i >= 0 ? notes()[i]['BT-22'] : null;
    const id = `rv-${uid}-note-${code}`;
    const area = h('textarea', { id, name: `BG-1/${code}`, rows: '2', 'aria-describedby': `${id}-src` });
    area.value = leafValue(leaf);
    area.addEventListener('input', () => {
      const v = area.value.trim();
      const list = notes();
      const k = find();
      if (!v) { if (k >= 0) list.splice(k, 1); } else if (k >= 0) list[k]['BT-22'] = { value: v, source: 'user', sure: true };
      else list.push({ 'BT-21': code, 'BT-22': { value: v, source: 'user', sure: true } });
      st.draft['BG-1'] = list;
      markSource(wrap, find() >= 0 ? notes()[find()]['BT-22'] : null);
      changed();
    });
    const wrap = h('div', { class: 'rv-field wide', dataset: { path: `BG-1/${code}` } },
      h('label', { for: id }, h('span', { class: 'name', text: t2('rv_note', code) })), area,
      h('span', { id: `${id}-src`, class: 'rv-src' }));
    markSource(wrap, leaf);
    return wrap;
  }

  // ---- What follows each edit: arithmetic, what is missing, the rules ----

  function refreshDerived() {
    if (!st) return;
    const checks = arithmetic(st.draft);
    for (const el of dlg.querySelectorAll('.rv-field.bad')) el.classList.remove('bad');
    for (const c of checks.filter((x) => !x.ok)) {
      for (const p of c.paths) dlg.querySelector(`.rv-field[data-path="${p}"]`)?.classList.add('bad');
    }
    for (const el of dlg.querySelectorAll('.rv-line-arith')) {
      const c = checks.find((x) => x.line === Number(el.dataset.line));
      el.className = `rv-line-arith${c ? (c.ok ? ' ok' : ' ko') : ''}`;
      el.textContent = c ? c.text : '';
    }
    const list = dlg.querySelector('.rv-arith');
    if (list) {
      const totals = checks.filter((x) => x.line == null);
      const bad = checks.filter((x) => !x.ok);
      clear(list, totals.map((c) => h('li', { class: c.ok ? 'ok' : 'ko', dataset: { check: c.key } },
        h('span', { class: 'mark', 'aria-hidden': 'true', text: c.ok ? '✓' : '✗' }), c.text)),
      !checks.length ? h('li', { class: 'help', text: t('rv_arith_none') }) : null);
      list.dataset.bad = String(bad.length);
    }
    // What is missing, flagged where it is typed.
    const missing = new Set(st.missing.map((m) => m.path));
    for (const el of dlg.querySelectorAll('.rv-field[data-path], [data-path="BG-25"], [data-path="BG-23"]')) {
      el.classList.toggle('missing', missing.has(el.dataset.path));
    }
    const todo = dlg.querySelector('.rv-todo');
    if (todo) {
      clear(todo,
        st.missing.length ? h('div', { class: 'rv-missing' },
          h('h3', { text: t('rv_missing_title', st.missing.length) }),
          h('ul', {}, st.missing.map((m) => h('li', {},
            h('button', { class: 'link-btn', type: 'button', dataset: { goto: m.path }, text: pick2m(m),
              onclick: () => goTo(m.path) }))))) : null,
        st.failures.length ? h('div', { class: 'rv-failures' },
          h('h3', { text: t('rv_rules_title', st.failures.filter((f) => f.flag === 'fatal').length) }),
          h('ul', {}, st.failures.map((f) => h('li', { class: f.flag, dataset: { rule: f.id } },
            h('strong', { class: 'rule-id', text: f.id }),
            f.bt ? h('span', { class: 'bt', text: ` (${f.bt}${t2('term', f.bt) !== f.bt ? `, ${t2('term', f.bt)}` : ''})` }) : null,
            f.flag === 'warning' ? h('span', { class: 'flag', text: ` · ${t('rv_warning')}` }) : null,
            h('span', { text: t('rv_rule_says', pick(f, 'plain') || f.message) }))))) : null);
    }
    status(checks.filter((x) => !x.ok).length);
  }

  const pick2m = (m) => (getLang() === 'en' ? m.en : m.fr) || m.fr || m.en || m.path;

  function goTo(path) {
    if (path.startsWith('BG-13') && !dlg.querySelector(`[data-path="${path}"]`)) {
      st.elsewhere = true;
      redrawGroup('delivery');
    }
    const target = dlg.querySelector(`.rv-draft [data-path="${path}"]`) || dlg.querySelector(`.rv-draft [data-path="${path.split('[')[0]}"]`);
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    (target.querySelector('input, select, textarea, button') || target).focus();
  }

  function status(badArith) {
    const el = dlg.querySelector('.rv-status');
    const btn = dlg.querySelector('[data-action="make"]');
    if (!el) return;
    if (!fx()) {
      el.textContent = badArith ? t('rv_status_arith', badArith) : t('rv_status_correct');
      el.className = `rv-status ${badArith ? 'ko' : 'ok'}`;
      return;
    }
    let text; let cls = 'ko';
    if (!st.checked) { text = t('rv_status_checking'); cls = 'wait'; }
    else if (st.missing.length) text = t('rv_status_missing', st.missing.length);
    else if (!st.valid) text = t('rv_status_rules', st.failures.filter((f) => f.flag === 'fatal').length);
    else { text = badArith ? t('rv_status_valid_arith', badArith) : t('rv_status_valid'); cls = 'ok'; }
    el.textContent = text;
    el.className = `rv-status ${cls}`;
    if (btn) btn.disabled = !(st.checked && st.valid && !st.missing.length);
  }

  /** Asks the shell whether the official rules accept the draft, after a pause in typing. */
  function schedule(ms) {
    clearTimeout(timer);
    if (!st) return;
    st.checked = false;
    const my = ++st.seq;
    status(0);
    timer = setTimeout(async () => {
      const me = st;
      let r;
      try {
        r = await ipc.facturxCheck(clone(me.draft));
      } catch (e) {
        if (st !== me || me.seq !== my) return;
        clear(dlg.querySelector('.rv-error'), errorBlock(e));
        return;
      }
      if (st !== me || me.seq !== my) return; // an older answer: the draft changed since
      clear(dlg.querySelector('.rv-error'));
      me.valid = !!r.valid;
      me.missing = r.missing || [];
      me.failures = r.failures || [];
      me.checked = true;
      refreshDerived();
    }, ms);
  }

  const clone = (x) => JSON.parse(JSON.stringify(x));

  async function make() {
    const btn = dlg.querySelector('[data-action="make"]');
    btn.disabled = true;
    const errHost = dlg.querySelector('.rv-error');
    clear(errHost);
    let id;
    try {
      id = await ipc.facturxMake(st.id, clone(st.draft));
    } catch (e) {
      clear(errHost, errorBlock(e));
      schedule(0); // the rules' list comes back with the answer
      return;
    }
    close();
    await app.refreshAll();
    await app.openDetail(id, { focus: true });
    said(t('rv_made'));
  }

  async function confirm() {
    const errHost = dlg.querySelector('.rv-error');
    clear(errHost);
    const id = st.id;
    try {
      await ipc.readingConfirm(id, clone(st.draft));
    } catch (e) {
      clear(errHost, errorBlock(e));
      return;
    }
    close();
    await app.refreshAll();
    said(t('rv_confirmed'));
  }

  return { openMake, openCorrect, close, isOpen: () => dlg.open };
}
