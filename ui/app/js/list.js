// The left rail (groups with counts, customer, month) and the invoice list:
// paged from the shell (limit/offset), keyboard ↑/↓/Home/End/Enter.

import * as ipc from './ipc.js';
import { h, clear, $ } from './dom.js';
import { t, money, date, dateOf, age, count, monthName } from './i18n.js';
import { GROUPS, badge, groupLabel, isFinal, icon } from './status.js';
import { showError } from './errors.js';

export const PAGE = 100;

export function createList(app) {
  const listEl = $('#list');
  const emptyEl = $('#empty');
  const moreBtn = $('#more');
  const head = $('.list-head');
  let rows = [];
  let hasMore = false;
  let active = -1;
  let seq = 0;

  // ---- Rail ----
  function renderGroups() {
    const ul = $('#groups');
    const c = app.state.counts || {};
    clear(ul, GROUPS.map((g) => {
      const n = c[g];
      const current = app.state.filter.group === g;
      return h('li', { class: g.replace('_', '-') },
        h('button', { type: 'button', 'aria-current': current ? 'true' : 'false', dataset: { group: g },
          onclick: () => app.setFilter({ group: g }) },
          h('span', { text: groupLabel(g) }),
          h('span', { class: `n${n ? ' some' : ''}`, text: n == null ? '' : count(n),
            'aria-label': n == null ? null : `${count(n)}` })));
    }));
  }

  function renderFilters(customers) {
    const sel = $('#customer');
    const cur = app.state.filter.customer || '';
    clear(sel, h('option', { value: '', text: t('customer_any') }),
      customers.map((c) => h('option', { value: c, text: c })));
    sel.value = cur;
    const month = $('#month');
    const curM = month.value;
    const now = new Date();
    const opts = [h('option', { value: '', text: t('month_any') })];
    for (let i = 0; i < 24; i++) {
      const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
      const ym = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
      opts.push(h('option', { value: ym, text: monthName(ym) }));
    }
    clear(month, opts);
    month.value = curM;
  }

  $('#customer').addEventListener('change', (e) => app.setFilter({ customer: e.target.value || null }));
  $('#month').addEventListener('change', (e) => {
    const ym = e.target.value;
    if (!ym) return app.setFilter({ since: null, until: null });
    const [y, m] = ym.split('-').map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    app.setFilter({ since: `${ym}-01`, until: `${ym}-${String(last).padStart(2, '0')}` });
  });

  // ---- Rows ----
  // The built-in demonstration accounts in plain words, never « sandbox ».
  const portalName = (p) => (p === 'sandbox' ? t('portal_sandbox') : p === 'sandbox-pa' ? t('portal_sandbox_pa') : p);

  function portalCell(r) {
    if (!r.portal) return h('span', { class: 'c-portal' }, h('span', { class: 'pname', text: t('no_portal') }));
    return h('span', { class: 'c-portal', title: portalName(r.portal) }, h('span', { class: 'pname', text: portalName(r.portal) }),
      app.isSimulation(r.portal) && r.portal !== 'sandbox' ? h('span', { class: 'sim', text: t('simulation') }) : null);
  }

  function rowEl(r, i) {
    const since = isFinal(r.status) ? t('on_date', dateOf(r.status_since_ms)) : t('since', age(r.status_since_ms));
    return h('li', { role: 'option', id: `inv-${r.id}`, 'aria-selected': 'false', dataset: { id: r.id, index: i },
      onclick: () => { setActive(i); app.openDetail(r.id); } },
      h('div', { class: 'row' },
        r.number ? h('span', { class: 'num', text: r.number })
          : h('span', { class: 'num missing', title: r.path, text: r.status === 'blocked' ? r.path.split(/[\\/]/).pop() : t('number_missing') }),
        h('span', { class: 'cust', title: r.customer || t('no_customer'), text: r.customer || t('no_customer') }),
        h('span', { class: 'amount', text: money(r.total_with_tax, r.currency) }),
        h('span', { class: 'c-date', text: date(r.issue_date) }),
        portalCell(r),
        h('span', { class: 'st' }, badge(r.status, r.reason_code), h('span', { class: 'age', text: since }))));
  }

  function setActive(i, scroll = true) {
    const items = listEl.children;
    if (active >= 0 && items[active]) {
      items[active].classList.remove('active');
      items[active].setAttribute('aria-selected', 'false');
    }
    active = Math.max(-1, Math.min(i, rows.length - 1));
    if (active >= 0) {
      const li = items[active];
      li.classList.add('active');
      li.setAttribute('aria-selected', 'true');
      listEl.setAttribute('aria-activedescendant', li.id);
      if (scroll) li.scrollIntoView({ block: 'nearest' });
    } else listEl.removeAttribute('aria-activedescendant');
  }

  function filtersActive() {
    const f = app.state.filter;
    return !!(f.customer || f.since || f.number);
  }

  function renderEmpty() {
    const f = app.state.filter;
    const all = app.state.counts?.all ?? 0;
    emptyEl.className = 'empty';
    if (all === 0 && !filtersActive()) {
      emptyEl.classList.add('drop-target');
      const dropIcon = dropSvg();
      const watched = app.state.settings?.watched_dir;
      clear(emptyEl, dropIcon,
        h('h3', { text: t('empty_all_title') }),
        h('p', { text: t('empty_all_text') }),
        watched ? h('p', {}, `${t('empty_watched')} `, h('code', { class: 'path', text: watched })) : null,
        h('button', { class: 'btn', type: 'button', text: t('add_files'), onclick: () => app.chooseFiles() }));
    } else if (f.group === 'to_do' && !filtersActive()) {
      emptyEl.classList.add('cheerful');
      const big = icon('success');
      big.classList.add('big');
      clear(emptyEl, big, h('h3', { text: t('empty_todo_title') }), h('p', { text: t('empty_todo_text') }));
    } else {
      clear(emptyEl, h('h3', { text: t('empty_filter_title') }), h('p', { text: t('empty_filter_text') }));
    }
  }

  function render() {
    const title = $('#list-title');
    title.textContent = groupLabel(app.state.filter.group);
    const empty = rows.length === 0;
    emptyEl.hidden = !empty;
    head.hidden = empty;
    listEl.hidden = empty;
    if (empty) renderEmpty();
    moreBtn.hidden = !hasMore;
  }

  async function load({ reset = true } = {}) {
    const my = ++seq;
    const f = app.state.filter;
    const filter = {
      group: f.group, customer: f.customer || null, since: f.since || null, until: f.until || null,
      number: f.number || null, limit: PAGE, offset: reset ? 0 : rows.length,
    };
    let page;
    try {
      page = await ipc.listInvoices(filter);
    } catch (e) {
      showError(e);
      return;
    }
    if (my !== seq) return; // a newer request won
    if (reset) {
      const keep = active >= 0 ? rows[active]?.id : app.state.selectedId;
      rows = page.rows;
      clear(listEl, rows.map(rowEl));
      active = -1;
      const idx = rows.findIndex((r) => r.id === keep);
      if (idx >= 0) setActive(idx, false);
    } else {
      const start = rows.length;
      rows = rows.concat(page.rows);
      listEl.append(...page.rows.map((r, i) => rowEl(r, start + i)));
    }
    hasMore = page.has_more;
    render();
    listEl.dispatchEvent(new CustomEvent('rendered', { bubbles: true }));
  }

  moreBtn.addEventListener('click', () => load({ reset: false }));

  listEl.addEventListener('focus', () => { if (active < 0 && rows.length) setActive(0); });
  listEl.addEventListener('keydown', async (e) => {
    if (!rows.length) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (active === rows.length - 1 && hasMore) await load({ reset: false });
        setActive(active + 1);
        if (app.state.selectedId != null) app.openDetail(rows[active].id, { focus: false });
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive(Math.max(0, active - 1));
        if (app.state.selectedId != null) app.openDetail(rows[active].id, { focus: false });
        break;
      case 'Home': e.preventDefault(); setActive(0); break;
      case 'End': e.preventDefault(); setActive(rows.length - 1); break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        if (active >= 0) app.openDetail(rows[active].id, { focus: true });
        break;
      default:
    }
  });

  return { load, render, renderGroups, renderFilters, focus: () => listEl.focus(), rows: () => rows };
}

function dropSvg() {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon big');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', 'M12 3v12 M7 10l5 5 5-5 M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4');
  svg.append(p);
  return svg;
}
