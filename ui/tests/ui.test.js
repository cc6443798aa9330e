// The interface against the mocked IPC (ui/tests/mock.js implements IPC.md).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, calls, emit, cspOf, UI, APP, SHOTS } from './harness.js';

let srv;
let browser;
const open = [];

before(async () => {
  srv = await startServer();
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await srv?.close();
});

async function page(opts) {
  const p = await openPage(browser, srv.base, opts);
  open.push(p);
  return p;
}
// Every test fails on any console error, uncaught exception or CSP violation.
afterEach(async () => {
  while (open.length) {
    const { context, errors } = open.pop();
    await context.close();
    assert.deepEqual(errors, [], 'no console errors');
  }
});

const rowsText = (p) => p.$$eval('#list li', (lis) => lis.map((li) => li.querySelector('.num').textContent));
const lastList = async (p) => (await calls(p, 'list_invoices')).at(-1).args.filter;
async function waitList(p, n) {
  await p.waitForFunction((k) => window.__mock.commandsOf('list_invoices').length >= k, n);
  await p.waitForTimeout(30);
}

test('CSP has no unsafe-inline, and the page has no inline script, handler or style', () => {
  const html = fs.readFileSync(path.join(APP, 'index.html'), 'utf8');
  const csp = cspOf(html);
  assert.ok(csp, 'CSP meta present');
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src ipc: http:\/\/ipc\.localhost/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline handlers');
  assert.doesNotMatch(html, /\sstyle=/i, 'no style attributes');
  assert.doesNotMatch(html, /mock\.js/, 'the mock is not loaded in production');
  for (const f of fs.readdirSync(path.join(APP, 'js'))) {
    const src = fs.readFileSync(path.join(APP, 'js', f), 'utf8');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|eval\(|new Function/, `${f}: no HTML injection or eval`);
    if (f !== 'ipc.js') assert.doesNotMatch(src, /__TAURI__/, `${f}: only ipc.js touches Tauri`);
  }
});

test('empty store: a big drop target with the watched folder', async () => {
  const { page: p } = await page({ mock: 'empty' });
  const empty = p.locator('#empty');
  await empty.waitFor();
  assert.match(await empty.textContent(), /Déposez vos factures ici/);
  assert.match(await empty.textContent(), /\/home\/claire\/Factures/);
  assert.equal(await p.locator('#list li').count(), 0);
  await p.screenshot({ path: path.join(SHOTS, 'empty-fr-light.png') });
});

test('list: rows with badges (icon + word) and ages, default group À traiter', async () => {
  const { page: p } = await page();
  assert.equal((await lastList(p)).group, 'to_do');
  assert.equal(await p.locator('#list-title').textContent(), 'À traiter');
  // to_do: checked (one without a number), blocked (one a scan without a
  // number, listed by its file), to_verify, rejected, refused MANDAT_ABSENT
  assert.deepEqual((await rowsText(p)).sort(), ['F-2026-0407', 'F-2026-0409', 'F-2026-0413', 'F-2026-0414',
    'F-2026-0415', 'numéro à saisir', 'scan-boulangerie.pdf']);
  const badge = p.locator('#inv-3 .badge');
  assert.equal(await badge.textContent(), 'Mandat absent');
  assert.equal(await badge.locator('svg.icon').count(), 1, 'icon beside the word');
  assert.match(await badge.getAttribute('class'), /cat-action/);
  assert.match(await p.locator('#inv-5 .age').textContent(), /^depuis 3\u00a0h$/);
  // Count of À traiter in the rail.
  assert.equal(await p.locator('[data-group="to_do"] .n').textContent(), '7');
  // fr-FR formats: narrow no-break space as thousands separator, 22 nov. 2026
  await p.click('[data-group="all"]');
  await waitList(p, 2);
  const amount = await p.locator('#inv-1 .amount').textContent();
  assert.equal(amount, '1\u202f234,56\u00a0€');
  assert.equal(await p.locator('#inv-6 .c-date').textContent(), '22 nov. 2026');
  assert.equal(await p.locator('#inv-1 .badge').textContent(), 'Vidéocodage');
  assert.match(await p.locator('#inv-1 .age').textContent(), /depuis 31\u00a0h/);
  // The demonstration portal says what it is, never « sandbox ».
  assert.equal(await p.locator('#inv-1 .c-portal').textContent(), 'Démonstration');
  await p.screenshot({ path: path.join(SHOTS, 'list-fr-light.png') });
});

test('filters: group, search by number, customer and month are sent to the shell', async () => {
  const { page: p } = await page();
  await p.click('[data-group="in_progress"]');
  await waitList(p, 2);
  assert.equal((await lastList(p)).group, 'in_progress');
  // Until the plateforme issued it; « Mise à disposition » (0380) is issued.
  assert.deepEqual((await rowsText(p)).sort(), ['F-2026-0412']);
  await p.click('[data-group="issued"]');
  await waitList(p, 3);
  assert.deepEqual((await rowsText(p)).sort(), ['F-2026-0380', 'F-2026-0398', 'F-2026-0401']);
  await p.click('[data-group="all"]');
  await waitList(p, 3);
  await p.fill('#search', '0409');
  await p.waitForFunction(() => window.__mock.commandsOf('list_invoices').at(-1).args.filter.number === '0409');
  await p.waitForTimeout(30);
  assert.deepEqual(await rowsText(p), ['F-2026-0409']);
  const f = await lastList(p);
  assert.equal(f.limit, 100);
  assert.equal(f.offset, 0);
  await p.fill('#search', 'nothing-like-this');
  await p.waitForFunction(() => window.__mock.commandsOf('list_invoices').at(-1).args.filter.number === 'nothing-like-this');
  await p.locator('#empty').waitFor();
  assert.match(await p.locator('#empty').textContent(), /Aucune facture ne correspond/);
  await p.fill('#search', '');
  await p.selectOption('#customer', 'Hôtel du Lac');
  await p.waitForFunction(() => {
    const f = window.__mock.commandsOf('list_invoices').at(-1).args.filter;
    return f.customer === 'Hôtel du Lac' && f.number === null;
  });
  await p.waitForTimeout(30);
  assert.deepEqual((await rowsText(p)).sort(), ['F-2026-0380', 'F-2026-0407']);
  const months = await p.$$eval('#month option', (o) => o.map((x) => x.value));
  await p.selectOption('#month', months[1]);
  await p.waitForFunction(() => window.__mock.commandsOf('list_invoices').at(-1).args.filter.since != null);
  const m = await lastList(p);
  assert.equal(m.since, `${months[1]}-01`);
  assert.match(m.until, new RegExp(`^${months[1]}-(28|29|30|31)$`));
});

test('À traiter empty is cheerful', async () => {
  const { page: p } = await page();
  // Settle every to-do invoice: verify, submit, then look at the rail.
  await p.evaluate(() => { for (const i of window.__mock.invoices) { i.status = 'paid'; i.reason_code = null; } });
  await p.click('[data-group="paid"]');
  await p.click('[data-group="to_do"]');
  await p.locator('#empty.cheerful').waitFor();
  assert.match(await p.locator('#empty').textContent(), /Rien à traiter aujourd’hui/);
});

test('keyboard: ↑/↓ move, Enter opens, Esc closes and returns to the list', async () => {
  const { page: p } = await page();
  await p.focus('#list');
  const first = await p.getAttribute('#list', 'aria-activedescendant');
  await p.keyboard.press('ArrowDown');
  const second = await p.getAttribute('#list', 'aria-activedescendant');
  assert.notEqual(first, second);
  await p.keyboard.press('ArrowUp');
  assert.equal(await p.getAttribute('#list', 'aria-activedescendant'), first);
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Enter');
  await p.locator('#detail:not([hidden]) h2').waitFor();
  const id = Number(second.replace('inv-', ''));
  assert.equal((await calls(p, 'invoice_detail')).at(-1).args.id, id);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'detail');
  await p.keyboard.press('Escape');
  await p.locator('#detail').waitFor({ state: 'hidden' });
  assert.equal(await p.evaluate(() => document.activeElement.id), 'list');
  // Tab order: search, add, settings come before the rail and the list.
  await p.focus('#search');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'add-files');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'open-settings');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.dataset.group), 'to_do');
});

async function openDetail(p, id) {
  await p.click('[data-group="all"]');
  await p.locator(`#inv-${id}`).waitFor();
  await p.click(`#inv-${id}`);
  await p.waitForFunction((i) => document.querySelector('#detail h2')?.textContent.includes(
    window.__mock.invoices.find((x) => x.id === i).number), id);
}
const actions = (p) => p.$$eval('#detail .actions button', (b) => b.map((x) => x.dataset.action));

test('detail: findings with fixes, facts, timeline with raw beside canonical, mandatory marked', async () => {
  const { page: p } = await page();
  await openDetail(p, 7);
  const findings = p.locator('#detail .findings li');
  assert.equal(await findings.count(), 2);
  assert.match(await findings.first().textContent(), /Bloquant.*numérisée.*À faire\u00a0: Exportez/s);
  assert.deepEqual(await actions(p), [], 'blocked: no button');
  await openDetail(p, 1);
  assert.match(await p.locator('#detail [data-fact="total_with_tax"]').textContent(), /1\u202f234,56\u00a0€/);
  assert.match(await p.locator('#detail [data-fact="issue_date"]').textContent(), /20 nov\. 2026/);
  const last = p.locator('#detail .timeline li').last();
  assert.equal(await last.locator('.canon').textContent(), 'Vidéocodage');
  assert.equal(await last.locator('.raw').textContent(), '«\u00a0Vidéocodage en cours\u00a0»');
  assert.equal(await last.locator('.mand').count(), 1);
  assert.equal(await p.locator('#detail .timeline li').first().locator('.mand').count(), 0);
  assert.match(await p.locator('#detail .sim-banner').textContent(), /simulation/);
  assert.match(await p.locator('#detail .guidance').textContent(), /vidéocodage.*48\u00a0h/s);
  assert.deepEqual(await actions(p), []);
  await p.click('#detail [data-action="open_pdf"]');
  await p.waitForFunction(() => window.__mock.commandsOf('open_pdf').length === 1);
  assert.deepEqual((await calls(p, 'open_pdf'))[0].args, { id: 1 });
  await p.screenshot({ path: path.join(SHOTS, 'detail-fr-light.png') });
});

test('guidance actions: only the allowed ones, each calling its command', async () => {
  const { page: p } = await page();
  // Mandat absent on the demonstration portal → sign the mandate, replay.
  await openDetail(p, 3);
  assert.deepEqual(await actions(p), ['sign_mandate', 'replay']);
  // A replay the portal refuses is answered where the owner clicked, in
  // French, the portal's own text one click away.
  await p.click('#detail [data-action="replay"]');
  await p.waitForFunction(() => window.__mock.commandsOf('replay_invoice').length === 1);
  assert.deepEqual((await calls(p, 'replay_invoice'))[0].args, { id: 3 });
  await p.locator('#detail .action-error .error').waitFor();
  assert.match(await p.locator('#detail .action-error').textContent(), /n’a pas accepté de rejouer.*mandat/s);
  assert.equal(await p.locator('#detail .action-error pre').isVisible(), false);
  await p.click('#detail [data-action="sign_mandate"]');
  await p.locator('#detail .notice', { hasText: 'Mandat signé' }).waitFor();
  assert.deepEqual((await calls(p, 'sign_demo_mandate'))[0].args, { id: 3 });
  await p.click('#detail [data-action="replay"]');
  await p.waitForFunction(() => window.__mock.commandsOf('replay_invoice').length === 2);
  await p.locator('#detail .notice', { hasText: 'accepté de rejouer' }).waitFor();
  // Doublon → no replay, a link to the other invoice.
  await openDetail(p, 4);
  assert.deepEqual(await actions(p), ['show_duplicate']);
  // Rejected → prepare a corrected invoice, which insists on a new number.
  await openDetail(p, 2);
  assert.deepEqual(await actions(p), ['prepare_corrected']);
  await p.click('#detail [data-action="prepare_corrected"]');
  await p.fill('#new-number', 'F-2026-0409');
  await p.keyboard.press('Enter');
  assert.match(await p.locator('#detail .correction .err').textContent(), /différent de F-2026-0409/);
  assert.equal((await calls(p, 'prepare_correction')).length, 0, 'same number never sent');
  await p.fill('#new-number', 'F-2026-0412');
  await p.keyboard.press('Enter');
  await p.locator('#detail .action-error .error').waitFor();
  assert.match(await p.locator('#detail .action-error').textContent(), /déjà celui d’une autre facture/);
  assert.equal(await p.locator('#detail .action-error details pre').isVisible(), false, 'technical detail one click away');
  await p.click('#detail .action-error summary');
  assert.match(await p.locator('#detail .action-error pre').textContent(), /UNIQUE/);
  await p.fill('#new-number', 'F-2026-0409-A');
  await p.keyboard.press('Enter');
  await p.locator('#detail .notice', { hasText: 'F-2026-0409-A' }).waitFor();
  assert.deepEqual((await calls(p, 'prepare_correction')).at(-1).args, { id: 2, new_number: 'F-2026-0409-A' });
  // Kept and shown: the corrected invoice will go as this one's correction.
  assert.match(await p.locator('#detail .correction-link').textContent(), /prévue sous le n° F-2026-0409-A/);
  // To verify → arrived / not arrived.
  await openDetail(p, 5);
  assert.deepEqual(await actions(p), ['arrived', 'not_arrived']);
  await p.click('#detail [data-action="not_arrived"]');
  await p.waitForFunction(() => window.__mock.commandsOf('mark_verified').length === 1);
  assert.deepEqual((await calls(p, 'mark_verified'))[0].args, { id: 5, arrived: false });
  // Checked → submit.
  await openDetail(p, 6);
  assert.deepEqual(await actions(p), ['submit']);
  await p.click('#detail [data-action="submit"]');
  await p.waitForFunction(() => window.__mock.commandsOf('submit_invoices').length === 1);
  assert.deepEqual((await calls(p, 'submit_invoices'))[0].args, { ids: [6], account: null });
  // Issued, paid: nothing to click.
  await openDetail(p, 9);
  assert.deepEqual(await actions(p), []);
});

test('batch: one progress bar driven by events; cancel calls cancel_batch', async () => {
  const { page: p } = await page();
  await emit(p, 'tauri://drag-enter', { paths: [] });
  assert.equal(await p.locator('#drop-overlay').isVisible(), true);
  await emit(p, 'tauri://drag-drop', { paths: ['/x.pdf'] });
  assert.equal(await p.locator('#drop-overlay').isVisible(), false);
  await emit(p, 'batch-started', { batch_id: 'b1', total: 40 });
  await p.locator('#batch:not([hidden])').waitFor();
  await emit(p, 'batch-progress', { batch_id: 'b1', checked: 12, accepted: 10, blocked: 2, total: 40, done: false, cancelled: false });
  assert.match(await p.locator('#batch .label').textContent(), /12 sur 40/);
  assert.equal(await p.getAttribute('#batch progress', 'value'), '12');
  assert.match(await p.locator('#batch .counts').textContent(), /10 acceptées.*2 bloquées/s);
  assert.equal(await p.locator('#batch').count(), 1);
  await p.screenshot({ path: path.join(SHOTS, 'batch-fr-light.png') });
  await p.click('#batch [data-action="cancel-batch"]');
  await p.waitForFunction(() => window.__mock.commandsOf('cancel_batch').length === 1);
  assert.deepEqual((await calls(p, 'cancel_batch'))[0].args, { batch_id: 'b1' });
  await p.locator('#batch .label', { hasText: 'Contrôle arrêté' }).waitFor();
  assert.equal(await p.locator('#batch progress').count(), 0);
});

test('batch: a dropped XML invoice is listed and opens; its detail offers no PDF to open', async () => {
  const { page: p } = await page();
  await p.evaluate(() => {
    const m = window.__mock;
    const like = m.invoices.find((i) => i.id === 6);
    m.invoices.push(Object.assign({}, like, { id: 60, document_id: 60, number: 'F-2026-0500', xml: 'CII',
      path: '/in/F-2026-0500.xml', sha256: 'ab'.repeat(32), status_since_ms: Date.now() }));
  });
  await emit(p, 'batch-started', { batch_id: 'bx', total: 2 });
  const item = (path, extra) => emit(p, 'batch-item', Object.assign({ batch_id: 'bx', path, invoice_id: null, number: null,
    verdict: 'accepted', status: null, first_finding: null, known: false, duplicate: null, error: null }, extra));
  await item('/in/F-2026-0500.xml', { invoice_id: 60, number: 'F-2026-0500', status: 'checked' });
  await item('/in/commande.xml', { verdict: 'rejected', first_finding: { code: 'xml_not_invoice', severity: 'error',
    message_fr: 'Ce fichier XML n’est pas une facture CII ni UBL (son élément racine est <Order>).',
    message_en: 'This XML file is not a CII or UBL invoice (its root element is <Order>).', hint_fr: '', hint_en: '' } });
  await emit(p, 'batch-progress', { batch_id: 'bx', checked: 2, accepted: 1, blocked: 1, known: 0, total: 2, done: true, cancelled: false });
  const rows = p.locator('#batch .batch-items li');
  await rows.nth(1).waitFor();
  const texts = await rows.allTextContents();
  assert.match(texts[0], /F-2026-0500\.xml.*Prête à envoyer/);
  assert.match(texts[1], /commande\.xml.*n’est pas une facture CII ni UBL/);
  await p.click('#batch .batch-items li:first-child button');
  await p.waitForFunction(() => document.querySelector('#detail h2')?.textContent.includes('F-2026-0500'));
  assert.equal(await p.locator('#detail [data-action="open_pdf"]').count(), 0, 'no PDF to open');
  assert.deepEqual(await actions(p), ['submit']);
  // A PDF's detail still offers it.
  await openDetail(p, 6);
  assert.equal(await p.locator('#detail [data-action="open_pdf"]').count(), 1);
});

test('detail: the official e-invoice rules have their own section, apart from the file check', async () => {
  const { page: p } = await page();
  await p.evaluate(() => {
    const m = window.__mock;
    const like = m.invoices.find((i) => i.id === 6);
    const rule = (id, severity, fr) => ({ severity, message_fr: `Règle ${id} : ${fr}`, message_en: `Rule ${id}: ${fr}`,
      hint_fr: 'Corrigez dans votre logiciel.', hint_en: 'Correct it in your software.', detail: `${id} [br-fr] /rsm:CrossIndustryInvoice` });
    m.invoices.push(Object.assign({}, like, { id: 61, document_id: 61, number: 'F-2026-0610', xml: 'CII',
      path: '/in/F-2026-0610.xml', sha256: 'cd'.repeat(32), rules_verdict: 'invalid', rule_findings: [
        rule('BR-FR-05_BT-22_PMT', 'error', 'la mention des pénalités de retard manque.'),
        rule('BR-CO-10', 'error', 'le total HT ne correspond pas à la somme des lignes.'),
        rule('PEPPOL-EN16931-R008', 'warning', 'un élément est vide.')] }));
    m.invoices.push(Object.assign({}, like, { id: 62, document_id: 62, number: 'F-2026-0620', xml: 'UBL',
      path: '/in/F-2026-0620.xml', sha256: 'ef'.repeat(32), rules_verdict: 'valid' }));
  });
  await openDetail(p, 61);
  const rules = p.locator('#detail section.rules');
  await rules.waitFor();
  assert.match(await rules.locator('h3').textContent(), /Règles de la facture électronique/);
  assert.match(await rules.textContent(), /2 règle\(s\) officielle\(s\) non respectée\(s\)/);
  assert.equal(await rules.locator('li[data-code="einvoice_rule"]').count(), 3);
  assert.match(await rules.locator('li').first().textContent(), /BR-FR-05_BT-22_PMT/);
  // The file check says nothing of them: it is about the deposit.
  const check = p.locator('#detail section[aria-labelledby="h-findings"]');
  assert.equal(await check.locator('li[data-code="einvoice_rule"]').count(), 0);
  await openDetail(p, 62);
  await p.locator('#detail section.rules .ok-line').waitFor();
  assert.match(await p.locator('#detail section.rules').textContent(), /Conforme aux règles officielles/);
  // A plain PDF has no such section.
  await openDetail(p, 6);
  assert.equal(await p.locator('#detail section.rules').count(), 0);
});

test('batch: every file of a drop is listed with its verdict; a known file is said so; the title counts what waits', async () => {
  const { page: p } = await page();
  await p.waitForFunction(() => /^\(\d+\) Facteur$/.test(document.title));
  const before = await p.evaluate(() => document.title);
  await emit(p, 'batch-started', { batch_id: 'b2', total: 4 });
  const item = (path, extra) => emit(p, 'batch-item', Object.assign({ batch_id: 'b2', path, invoice_id: null, number: null,
    verdict: 'accepted', status: null, first_finding: null, known: false, duplicate: null, error: null }, extra));
  await item('/in/facture-1.pdf', { invoice_id: 1, number: 'F-2026-0001', status: 'checked' });
  await item('/in/scan.pdf', { verdict: 'rejected', first_finding: { code: 'scanned', severity: 'error',
    message_fr: 'Ce PDF est une image scannée.', message_en: 'This PDF is a scanned image.', hint_fr: '', hint_en: '' } });
  await item('/in/facture-1 (copie).pdf', { invoice_id: 1, number: 'F-2026-0001', known: true });
  await item('/in/vide.pdf', { verdict: 'rejected', error: 'cannot read /in/vide.pdf: denied' });
  await emit(p, 'batch-progress', { batch_id: 'b2', checked: 4, accepted: 1, blocked: 2, known: 1, total: 4, done: true, cancelled: false });
  const rows = p.locator('#batch .batch-items li');
  await rows.nth(3).waitFor();
  const texts = await rows.allTextContents();
  assert.match(texts[0], /facture-1\.pdf.*Prête à envoyer/);
  assert.match(texts[1], /scan\.pdf.*image scannée/);
  assert.match(texts[2], /copie.*Déjà reçue/);
  assert.match(texts[3], /vide\.pdf.*Fichier illisible/);
  assert.equal(await rows.nth(2).getAttribute('data-verdict'), 'known');
  assert.match(await p.locator('#batch .counts').textContent(), /1 acceptée.*2 bloquées.*1 déjà reçue/s);
  // A recorded invoice opens from its line.
  await p.click('#batch .batch-items li:first-child button');
  await p.locator('#detail:not([hidden])').waitFor();
  // A new invoice needing attention changes the title.
  await p.evaluate(() => {
    const inv = window.__mock.invoices.find((i) => i.status === 'paid');
    inv.status = 'rejected';
    window.__mock.emit('counts-changed', {});
  });
  await p.waitForFunction((b) => document.title !== b, before);
});

test('settings: secrets sent once, field cleared, list shows •••• only', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  assert.match(await p.locator('#settings').textContent(), /\/home\/claire\/\.local\/share\/facteur/);
  assert.match(await p.locator('#settings [data-account="sandbox"]').textContent(), /simulation/);
  await p.click('#settings-tab-accounts');
  await p.fill('#acc-name', 'generix-2');
  await p.fill('#acc-portal_address', 'depot@portail.example.fr');
  await p.fill('#acc-from', 'claire@boulangerie.example');
  await p.fill('#acc-smtp_host', 'smtp.example.fr');
  await p.fill('#acc-smtp_user', 'claire');
  await p.fill('#acc-smtp_password', 'S3cret-smtp!');
  await p.fill('#acc-imap_host', 'imap.example.fr');
  await p.fill('#acc-imap_user', 'claire');
  await p.fill('#acc-imap_password', 'S3cret-imap!');
  assert.equal(await p.getAttribute('#acc-smtp_password', 'type'), 'password');
  // A locked keyring: said right under the button, which program and how to
  // open it, and what was typed is kept for the next click.
  await p.evaluate(() => { window.__mock.keyringLocked = true; });
  await p.click('#add-account button[type=submit]');
  const refusal = p.locator('#add-account button[type=submit] + * .error');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /Seahorse.*déverrouillez/s);
  assert.equal(await p.inputValue('#acc-smtp_password'), 'S3cret-smtp!');
  assert.equal(await p.inputValue('#acc-name'), 'generix-2');
  await p.evaluate(() => { window.__mock.keyringLocked = false; });
  await p.click('#add-account button[type=submit]');
  await p.locator('#settings [data-account="generix-2"]').waitFor();
  const adds = (await calls(p, 'add_account')).slice(1);
  assert.equal(adds.length, 1);
  assert.deepEqual(adds[0].args.secrets, { smtp_password: 'S3cret-smtp!', imap_password: 'S3cret-imap!' });
  assert.equal(adds[0].args.kind, 'mail_deposit');
  assert.equal(adds[0].args.settings.smtp_host, 'smtp.example.fr');
  assert.equal(adds[0].args.settings.portal_address, 'depot@portail.example.fr');
  assert.ok(!('smtp_password' in adds[0].args.settings));
  assert.equal(await p.inputValue('#acc-smtp_password'), '');
  assert.equal(await p.inputValue('#acc-imap_password'), '');
  const html = await p.content();
  assert.ok(!html.includes('S3cret'), 'no secret anywhere in the page');
  assert.match(await p.locator('#settings [data-account="generix-2"]').textContent(), /Mot de passe SMTP••••/);
  // Only one command ever carried the secret.
  const all = await p.evaluate(() => window.__mock.calls);
  assert.equal(all.filter((c) => JSON.stringify(c).includes('S3cret')).length, 2, 'the refused save and the saved one');
  // Test connection, remove.
  await p.click('#settings [data-account="mairie"] [data-action="test"]');
  await p.locator('#settings [data-account="mairie"] .result.ko').waitFor();
  assert.deepEqual((await calls(p, 'test_account'))[0].args, { name: 'mairie' });
  await p.screenshot({ path: path.join(SHOTS, 'settings-fr-light.png') });
  await p.click('#settings [data-account="generix-2"] [data-action="remove"]');
  assert.equal((await calls(p, 'remove_account')).length, 0, 'asks for confirmation first');
  await p.click('#settings [data-account="generix-2"] [data-action="remove"]');
  await p.locator('#settings [data-account="generix-2"]').waitFor({ state: 'detached' });
  assert.deepEqual((await calls(p, 'remove_account'))[0].args, { name: 'generix-2' });
  await p.keyboard.press('Escape');
  await p.locator('#settings').waitFor({ state: 'hidden' });
});

test('watched folders: listed with mode and counts; add, mode, tidy, pause and remove call the shell', async () => {
  const { page: p } = await page();
  // The rail says what is watched, with its pause button.
  await p.locator('#watching', { hasText: 'Surveillance active\u00a0: 2 dossiers' }).waitFor();
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  await p.click('#settings-tab-folders');
  const first = p.locator('#settings li[data-folder="1"]');
  assert.match(await first.textContent(), /\/home\/claire\/Factures/);
  assert.equal(await first.locator('.counts').textContent(), '12 prises · 11 conformes · 1 bloquée · 0 en attente');
  assert.equal(await p.inputValue('#folder-mode-1'), 'check');
  assert.equal(await p.inputValue('#folder-mode-2'), 'submit');
  assert.equal(await p.inputValue('#folder-account-2'), 'mairie');
  assert.ok(await p.isChecked('#folder-tidy-1'));
  // Live counts arrive by event and change in place (focus stays).
  await p.focus('#folder-mode-2');
  const v = await p.evaluate(() => JSON.parse(JSON.stringify(window.__mock.watching)));
  v.folders[0].taken = 13; v.folders[0].accepted = 12;
  await emit(p, 'folders-changed', v);
  await first.locator('.counts', { hasText: '13 prises · 12 conformes' }).waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.id), 'folder-mode-2');
  // Add: the shell's dialog chooses; the page never names a path.
  await p.evaluate(() => { window.__mock.nextFolder = '/home/claire/Nouveau'; });
  await p.click('#add-folder');
  await p.locator('#settings li[data-folder="3"]', { hasText: '/home/claire/Nouveau' }).waitFor();
  assert.deepEqual((await calls(p, 'choose_folder'))[0].args, {});
  assert.equal(await p.inputValue('#folder-mode-3'), 'check');
  // Mode, then its account appears; tidy-up, pause.
  await p.selectOption('#folder-mode-3', 'submit');
  await p.locator('#folder-account-3').waitFor();
  assert.deepEqual((await calls(p, 'update_folder')).at(-1).args, { id: 3, changes: { mode: 'submit' } });
  assert.equal(await p.inputValue('#folder-account-3'), '');
  await p.check('#folder-tidy-3');
  await p.waitForFunction(() => window.__mock.commandsOf('update_folder').length === 2);
  assert.deepEqual((await calls(p, 'update_folder')).at(-1).args, { id: 3, changes: { tidy: true } });
  await p.locator('#settings li[data-folder="3"] .help', { hasText: 'jamais effacés' }).waitFor();
  // Making the Factur-X of plain PDFs: asked of the shell, then explained.
  assert.ok(!(await p.isChecked('#folder-make-facturx-3')));
  await p.check('#folder-make-facturx-3');
  await p.waitForFunction(() => window.__mock.commandsOf('update_folder').length === 3);
  assert.deepEqual((await calls(p, 'update_folder')).at(-1).args, { id: 3, changes: { make_facturx: true } });
  await p.locator('#settings li[data-folder="3"] .help', { hasText: 'attend votre vérification' }).waitFor();
  await p.click('#folder-pause-3');
  await p.locator('#settings li[data-folder="3"] .badge', { hasText: 'En pause' }).waitFor();
  assert.deepEqual((await calls(p, 'update_folder')).at(-1).args, { id: 3, changes: { paused: true } });
  // Pause every folder at once, from the section; the rail follows.
  await p.click('#pause-watching');
  await p.locator('#pause-watching', { hasText: 'Reprendre la surveillance' }).waitFor();
  assert.deepEqual((await calls(p, 'pause_watching'))[0].args, { paused: true });
  await p.locator('#watching', { hasText: 'Surveillance en pause' }).waitFor();
  await p.screenshot({ path: path.join(SHOTS, 'folders-fr-light.png') });
  // Remove asks for confirmation first.
  await p.click('#folder-remove-3');
  assert.equal((await calls(p, 'remove_folder')).length, 0);
  await p.click('#folder-remove-3');
  await p.locator('#settings li[data-folder="3"]').waitFor({ state: 'detached' });
  assert.deepEqual((await calls(p, 'remove_folder'))[0].args, { id: 3 });
  assert.match(await p.locator('#folders-section .notice').textContent(), /ses fichiers restent à leur place/);
  // A refusal is a sentence in the section, nothing changes.
  await p.evaluate(() => { window.__mock.nextFolder = '/home/claire/Factures'; });
  await p.click('#add-folder');
  await p.locator('#folders-section .notice', { hasText: 'déjà surveillé' }).waitFor();
  assert.equal(await p.locator('#settings li[data-folder]').count(), 2);
});

test('watched folders in English, and the rail\'s pause button', async () => {
  const { page: p } = await page({ lang: 'en', scheme: 'dark' });
  await p.locator('#watching', { hasText: 'Watching 2 folders' }).waitFor();
  await p.click('#rail-pause');
  await p.locator('#watching', { hasText: 'Watching paused' }).waitFor();
  assert.deepEqual((await calls(p, 'pause_watching'))[0].args, { paused: true });
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  await p.click('#settings-tab-folders');
  assert.equal(await p.locator('#settings li[data-folder="2"] .counts').textContent(),
    '3 taken · 3 accepted · 0 blocked · 1 waiting');
  assert.match(await p.locator('#folders-section').textContent(), /Watched folders/);
  await p.screenshot({ path: path.join(SHOTS, 'folders-en-dark.png') });
});

test('language: switching to English changes the visible strings', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.check('#settings input[value="en"]');
  await p.waitForFunction(() => window.__mock.commandsOf('set_language').length === 1);
  assert.deepEqual((await calls(p, 'set_language'))[0].args, { language: 'en' });
  await p.locator('#settings-title', { hasText: 'Settings' }).waitFor();
  await p.keyboard.press('Escape');
  assert.equal(await p.locator('#list-title').textContent(), 'To do');
  assert.equal(await p.locator('[data-group="paid"] span').first().textContent(), 'Paid');
  assert.equal(await p.getAttribute('html', 'lang'), 'en');
  await p.locator('#inv-3 .badge', { hasText: 'Mandate missing' }).waitFor();
  assert.match(await p.locator('#inv-5 .age').textContent(), /^for 3\u00a0h$/);
});

const SHOT_SET = [['fr', 'light'], ['fr', 'dark'], ['en', 'light'], ['en', 'dark']];
for (const [lang, scheme] of SHOT_SET) {
  test(`screenshots ${lang} ${scheme}`, async () => {
    const { page: p } = await page({ lang, scheme });
    await p.screenshot({ path: path.join(SHOTS, `list-${lang}-${scheme}.png`) });
    await openDetail(p, 2);
    await p.screenshot({ path: path.join(SHOTS, `detail-${lang}-${scheme}.png`) });
    await p.click('#open-settings');
    await p.locator('#settings[open]').waitFor();
    await p.screenshot({ path: path.join(SHOTS, `settings-${lang}-${scheme}.png`) });
    for (const section of ['company', 'customers', 'fallbacks']) {
      await p.click(`#settings-tab-${section}`);
      await p.locator(`#settings-panel-${section}:not([hidden])`).waitFor();
      await p.waitForTimeout(30);
      await p.screenshot({ path: path.join(SHOTS, `settings-${section}-${lang}-${scheme}.png`) });
    }
  });
}

test('10,000 invoices: first page renders quickly, next page on demand', async () => {
  const t0 = Date.now();
  const { page: p } = await page({ mock: '10000' });
  const ms = Date.now() - t0;
  await p.click('[data-group="all"]');
  const t1 = Date.now();
  await p.waitForFunction(() => document.querySelectorAll('#list li').length === 100
    && window.__mock.commandsOf('list_invoices').at(-1).args.filter.group === 'all');
  console.log(`# 10,000 invoices: page ready in ${ms} ms, "Toutes" first page in ${Date.now() - t1} ms`);
  assert.equal(await p.locator('[data-group="all"] .n').textContent(), '10\u202f000');
  await p.click('#more');
  await p.waitForFunction(() => document.querySelectorAll('#list li').length === 200);
  assert.equal((await lastList(p)).offset, 100);
  await p.focus('#list');
  await p.keyboard.press('End');
  await p.keyboard.press('ArrowDown');
  await p.waitForFunction(() => document.querySelectorAll('#list li').length === 300);
});

test('customers: listed with identifiers and channel; a refused save says why; edit and remove call the shell', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.click('#settings-tab-customers');
  await p.locator('#settings li[data-customer="2"]').waitFor();
  const hotel = p.locator('#settings li[data-customer="2"]');
  assert.match(await hotel.textContent(), /Hôtel du Lac/);
  assert.match(await hotel.textContent(), /GLN4001234500003/);
  assert.match(await hotel.textContent(), /E-mail à compta@hotel-du-lac\.example/);
  assert.match(await p.locator('#settings li[data-customer="1"]').textContent(), /Compte «\u00a0mairie\u00a0»/);
  assert.match(await p.locator('#settings li[data-customer="3"]').textContent(), /Courrier papier/);
  // Add: a wrong GLN check digit is refused with the shell's sentence, nothing listed.
  await p.click('#add-customer');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'cust-name');
  await p.fill('#cust-name', 'Clinique des Lilas');
  await p.fill('#cust-gln', '4001234500004');
  await p.selectOption('#cust-channel', 'print');
  assert.ok(await p.locator('#cust-account').isHidden());
  await p.click('#cust-save');
  await p.locator('#customer-form .error', { hasText: 'numéro incorrect' }).waitFor();
  assert.match(await p.locator('#customer-form .error .msg').textContent(), /GLN «\u00a04001234500004\u00a0»/);
  assert.deepEqual((await calls(p, 'save_customer'))[0].args, { id: null, data: {
    name: 'Clinique des Lilas', service_code: null, engagement_required: false, customer_number: null,
    electronic_address: null, ovt: null, iban: null, gln: '4001234500004', siren: null, siret: null, vat: null,
    street: null, postcode: null, city: null, country: null, electronic_scheme: null,
    reach: { channel: 'print' } } });
  assert.equal(await p.locator('#settings li[data-customer]').count(), 3);
  await p.screenshot({ path: path.join(SHOTS, 'customers-fr-light.png') });
  // Corrected, saved: listed.
  await p.fill('#cust-gln', '4001234500003');
  await p.click('#cust-save');
  await p.locator('#settings li[data-customer="4"]', { hasText: 'Clinique des Lilas' }).waitFor();
  assert.match(await p.locator('#customers-section .notice').textContent(), /Client «\u00a0Clinique des Lilas\u00a0» enregistré/);
  // Edit keeps the id.
  await p.click('#customer-edit-3');
  assert.equal(await p.inputValue('#cust-vat'), 'FR40401234567');
  await p.selectOption('#cust-channel', 'account');
  await p.selectOption('#cust-account', 'generix');
  await p.click('#cust-save');
  await p.locator('#settings li[data-customer="3"]', { hasText: 'Compte «\u00a0generix\u00a0»' }).waitFor();
  assert.equal((await calls(p, 'save_customer')).at(-1).args.id, 3);
  // Remove asks for confirmation first.
  await p.click('#customer-remove-3');
  assert.equal((await calls(p, 'remove_customer')).length, 0);
  await p.click('#customer-remove-3');
  await p.locator('#settings li[data-customer="3"]').waitFor({ state: 'detached' });
  assert.deepEqual((await calls(p, 'remove_customer'))[0].args, { id: 3 });
});

test('customers: the CSV preview shows the mapping and each bad line, « Importer » stays off until none is bad', async () => {
  const { page: p } = await page();
  await p.evaluate(() => {
    window.__mock.nextCsv = { file: 'export-compta.csv', headers: ['Raison sociale', 'EAN', 'Notes'],
      fields: ['nom', 'gln', null], described: ['', '', ''],
      lines: [{ line: 2, name: 'Mairie', id: null, problems: [] },
        { line: 3, name: 'Hôtel', id: null, problems: [{ _col: 'EAN',
          fr: 'GLN «\u00a04001234500004\u00a0»\u00a0: numéro incorrect (un chiffre a sans doute été mal recopié)', en: 'GLN "4001234500004": wrong check digit (a digit was probably mistyped)' }] }] };
  });
  await p.click('#open-settings');
  await p.click('#settings-tab-customers');
  await p.locator('#import-customers').waitFor();
  await p.click('#import-customers');
  await p.locator('#csv-preview').waitFor();
  assert.deepEqual((await calls(p, 'choose_customer_csv'))[0].args, {});
  assert.equal(await p.inputValue('#csv-col-0'), 'nom');
  assert.equal(await p.inputValue('#csv-col-1'), 'gln');
  assert.equal(await p.inputValue('#csv-col-2'), '-');
  assert.match(await p.locator('#csv-preview .mapping').textContent(), /«\u00a0Notes\u00a0» → ignorée/);
  const bad = p.locator('#csv-preview .bad-lines li[data-line="3"]');
  assert.match(await bad.textContent(), /Ligne 3\u00a0: GLN «\u00a04001234500004\u00a0»\u00a0: numéro incorrect \(un chiffre a sans doute été mal recopié\)/);
  assert.ok(await p.isDisabled('#csv-import'));
  await p.screenshot({ path: path.join(SHOTS, 'customers-import-fr-light.png') });
  // Ignoring the column plans again (nothing written), then « Importer » is enabled.
  await p.selectOption('#csv-col-1', '-');
  await p.locator('#csv-preview .bad-lines').waitFor({ state: 'detached' });
  assert.deepEqual((await calls(p, 'import_customers'))[0].args, { overrides: { EAN: '-' }, preview: true });
  assert.equal(await p.locator('#settings li[data-customer]').count(), 3);
  assert.ok(await p.isEnabled('#csv-import'));
  await p.click('#csv-import');
  await p.locator('#customers-section .notice', { hasText: 'Import terminé\u00a0: 2 clients ajoutés' }).waitFor();
  assert.deepEqual((await calls(p, 'import_customers')).at(-1).args, { overrides: { EAN: '-' }, preview: false });
  assert.equal(await p.locator('#settings li[data-customer]').count(), 5);
});

test('nothing disappears: blocked files have their group and detail, a number-less invoice gets its number typed', async () => {
  const { page: p } = await page();
  // « Bloquées » in the rail, counted, listing the scan by its file name.
  assert.equal(await p.locator('[data-group="blocked"] .n').textContent(), '2');
  await p.click('[data-group="blocked"]');
  await waitList(p, 2);
  assert.deepEqual((await rowsText(p)).sort(), ['F-2026-0415', 'scan-boulangerie.pdf']);
  await p.click('#inv-13');
  await p.locator('#detail h2', { hasText: 'scan-boulangerie.pdf' }).waitFor();
  assert.match(await p.locator('#detail h2').textContent(), /Fichier bloqué/);
  assert.match(await p.locator('#detail .findings').textContent(), /numérisée.*Exportez/s);
  // The invoice whose number was not read: « numéro à saisir », then typed.
  await p.click('[data-group="to_do"]');
  await p.locator('#inv-12').waitFor();
  assert.equal(await p.locator('#inv-12 .num').textContent(), 'numéro à saisir');
  assert.equal(await p.locator('#inv-12 .cust').textContent(), 'client inconnu');
  await p.click('#inv-12');
  await p.locator('#detail h2', { hasText: 'numéro à saisir' }).waitFor();
  assert.deepEqual(await actions(p), [], 'no « Envoyer » before the number');
  await p.click('#detail .number-form button[type=submit]');
  assert.match(await p.locator('#detail .number-form .err').textContent(), /Tapez le numéro/);
  assert.equal((await calls(p, 'set_invoice_number')).length, 0, 'an empty number is never sent');
  await p.fill('#typed-number', 'T-2026-118');
  await p.keyboard.press('Enter');
  await p.locator('#inv-12 .num', { hasText: 'T-2026-118' }).waitFor();
  assert.deepEqual((await calls(p, 'set_invoice_number'))[0].args, { id: 12, number: 'T-2026-118' });
  // Amounts that do not add up are flagged, not shown as facts.
  assert.match(await p.locator('#detail .doubt-note').textContent(), /ne s’additionnent pas/);
  assert.match(await p.locator('#detail [data-fact="total_tax"]').textContent(), /à vérifier/);
  assert.match(await p.locator('#detail .sub strong').textContent(), /à vérifier/);
});

test('one verdict: « Prête à envoyer » is green, said once, in plain words', async () => {
  const { page: p } = await page();
  await openDetail(p, 6);
  const b = p.locator('#detail .headline .badge');
  assert.equal(await b.textContent(), 'Prête à envoyer');
  assert.match(await b.getAttribute('class'), /cat-success/);
  const text = await p.locator('#detail').textContent();
  const verdict = await p.locator('#detail .guidance').textContent();
  assert.equal(verdict.split('Prête à envoyer').length - 1, 1, 'said once');
  assert.equal(await p.locator('#detail .route-line').count(), 0, 'not said again under « Destinataire »');
  assert.doesNotMatch(text, /sandbox|OBLIGATOIRE|Code type|Partira/);
  await p.click('[data-group="all"]');
  await waitList(p, 2);
  assert.doesNotMatch(await p.locator('#list').textContent(), /sandbox/, 'the portal column speaks plainly');
});

// Every box holds its content: a button, a badge, a label or a cell whose
// text is wider than itself, or that sticks out of its container, fails.
async function overflowing(p) {
  return p.evaluate(() => {
    const bad = [];
    const sel = 'button, .badge, .groups li, #list .row > span, .list-head > span, #detail h2, #detail .hint, #detail .help, label, .counts, #batch li';
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || el.closest('[hidden]') || el.classList.contains('visually-hidden')) continue;
      const cs = getComputedStyle(el);
      // Truncation with an ellipsis and a title is a choice, not a bug.
      if (cs.textOverflow === 'ellipsis' && el.title) continue;
      const parent = el.parentElement.getBoundingClientRect();
      if (el.scrollWidth > el.clientWidth + 1 && cs.display !== 'inline') bad.push(`${el.className || el.tagName}: "${el.textContent.trim().slice(0, 40)}" wider than its box`);
      else if (r.right > parent.right + 1 || r.left < parent.left - 1) bad.push(`${el.className || el.tagName}: "${el.textContent.trim().slice(0, 40)}" out of its container`);
    }
    return bad;
  });
}

for (const [width, height] of [[1024, 700], [1440, 900]]) {
  for (const lang of ['fr', 'en']) {
    test(`layout at ${width}×${height} in ${lang}: nothing overflows its box`, async () => {
      const { page: p } = await page({ width, height, lang });
      const problems = [];
      await p.click('[data-group="all"]');
      await waitList(p, 2);
      problems.push(...await overflowing(p));
      for (const id of [3, 6, 12, 13, 10]) {
        await p.click(`#inv-${id}`);
        await p.waitForFunction((i) => window.__mock.commandsOf('invoice_detail').some((c) => c.args.id === i), id);
        await p.waitForTimeout(50);
        problems.push(...(await overflowing(p)).map((x) => `#${id} ${x}`));
      }
      await p.screenshot({ path: path.join(SHOTS, `layout-${width}x${height}-${lang}.png`) });
      assert.deepEqual([...new Set(problems)], []);
    });
  }
}

test('settings: the learned layouts are listed, and one can be forgotten', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  const item = p.locator('#layouts-section [data-layout="1"]');
  assert.match(await item.textContent(), /Plomberie Lefèvre.*9 champ\(s\) appris/s);
  await item.locator('[data-action="forget"]').click();
  await p.locator('#layouts-section [data-empty="layouts"]').waitFor();
  assert.deepEqual((await calls(p, 'remove_layout'))[0].args, { id: 1 });
});

test('detail: the lines and VAT breakdown read on the page, sure values told apart', async () => {
  const { page: p } = await page();
  await openDetail(p, 6);
  const table = p.locator('#detail .reading table.lines').first();
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2);
  assert.match(await table.textContent(), /Pain de campagne.*12.*3,50\u00a0€.*5,5\u00a0%.*42,00\u00a0€/s);
  assert.equal(await table.locator('tbody tr').first().locator('td').last().locator('.sure').count(), 1);
  assert.match(await p.locator('#detail .reading').textContent(), /TVA par taux.*54,00\u00a0€.*2,97\u00a0€/s);
  // No lines read: no section.
  await openDetail(p, 1);
  await p.waitForFunction(() => window.__mock.commandsOf('read_invoice').some((c) => c.args.id === 1));
  await p.waitForTimeout(50);
  assert.equal(await p.locator('#detail .reading').count(), 0);
});

test('settings: a page of sections, one shown at a time; the list by keyboard; Esc closes', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  const tabs = await p.$$eval('#settings [role="tab"]', (b) => b.map((x) => x.textContent));
  assert.deepEqual(tabs, ['Général', 'Mon entreprise', 'Comptes', 'Clients', 'Dossiers surveillés',
    'SecoursSi aucun client ne correspond']);
  const shown = () => p.$$eval('#settings [role="tabpanel"]', (ps) => ps.filter((x) => !x.hidden).map((x) => x.dataset.section));
  assert.deepEqual(await shown(), ['general']);
  // The page opens with the focus on its section list.
  assert.equal(await p.evaluate(() => document.activeElement.id), 'settings-tab-general');
  await p.keyboard.press('ArrowDown');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'settings-tab-company');
  assert.deepEqual(await shown(), ['company']);
  assert.equal(await p.getAttribute('#settings-tab-company', 'aria-selected'), 'true');
  assert.equal(await p.getAttribute('#settings-tab-general', 'aria-selected'), 'false');
  await p.locator('#co-name').waitFor();
  await p.keyboard.press('End');
  assert.deepEqual(await shown(), ['fallbacks']);
  assert.match(await p.locator('#fallbacks-section').textContent(), /Secours\u00a0: si aucun client ne correspond/);
  assert.match(await p.locator('#fallbacks-section').textContent(), /Aucun compte d’impression/);
  await p.keyboard.press('ArrowDown');
  assert.deepEqual(await shown(), ['general'], 'wraps around');
  await p.keyboard.press('ArrowUp');
  await p.keyboard.press('ArrowUp');
  assert.deepEqual(await shown(), ['folders']);
  // Tab goes from the list into the section shown.
  await p.keyboard.press('Tab');
  assert.ok(await p.evaluate(() => document.querySelector('#settings-panel-folders').contains(document.activeElement)));
  await p.click('#settings-tab-customers');
  await p.locator('#settings li[data-customer="1"]').waitFor();
  assert.deepEqual(await shown(), ['customers']);
  // The customer's postal address in the list.
  assert.match(await p.locator('#settings li[data-customer="1"] dd.address').textContent(),
    /^6 place de la République, 93400 Saint-Ouen-sur-Seine, FR$/);
  // Esc closes and gives the focus back; the page opens again where it was left.
  await p.keyboard.press('Escape');
  await p.locator('#settings').waitFor({ state: 'hidden' });
  assert.equal(await p.evaluate(() => document.activeElement.id), 'open-settings');
  await p.click('#open-settings');
  await p.locator('#settings[open]').waitFor();
  assert.deepEqual(await shown(), ['customers']);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'settings-tab-customers');
});

test('Mon entreprise: each field checked when left, the refusal beside its field, the saved values normalised', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.click('#settings-tab-company');
  await p.locator('#company-form').waitFor();
  // The stored profile fills the form; the payment means are those of the shell.
  assert.equal(await p.inputValue('#co-name'), 'Plomberie Lefèvre');
  assert.equal(await p.inputValue('#co-payment-means'), '58');
  assert.equal(await p.locator('#co-payment-means option').count(), 9);
  assert.ok(await p.isChecked('#co-operations-services'));
  assert.ok(!(await p.isChecked('#co-vat-on-debits')));
  assert.match(await p.locator('#co-vat-franchise-help').textContent(), /TVA non applicable, art\. 293 B du CGI/);
  assert.equal(await p.getAttribute('#co-note-pmt', 'placeholder'),
    'Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement\u00a0: 40\u00a0€.');
  // A wrong SIREN: said beside the field as soon as it is left, and nowhere else.
  await p.fill('#co-siren', '732829321');
  await p.keyboard.press('Tab');
  const sirenErr = p.locator('#co-siren-err');
  await sirenErr.waitFor();
  assert.match(await sirenErr.textContent(), /SIREN «\u00a0732829321\u00a0»\u00a0: numéro incorrect/);
  assert.equal(await p.getAttribute('#co-siren', 'aria-invalid'), 'true');
  assert.equal((await calls(p, 'company_save')).at(-1).args.check_only, true);
  assert.equal(await p.locator('#company-form .field-error:not([hidden])').count(), 1);
  assert.match(await p.getAttribute('#co-siren', 'aria-describedby'), /\bco-siren-err\b/);
  // Corrected: the problem goes.
  await p.fill('#co-siren', '732 829 320');
  await p.keyboard.press('Tab');
  await sirenErr.waitFor({ state: 'hidden' });
  assert.equal(await p.getAttribute('#co-siren', 'aria-invalid'), null);
  // Saving with a country that is no code: refused, said beside « Pays », nothing kept.
  await p.fill('#co-bic', ' agri frpp ');
  await p.check('#co-vat-franchise');
  await p.check('#co-vat-on-debits');
  await p.fill('#co-city', 'Lyon');
  await p.fill('#co-country', 'France');
  await p.click('#company-save');
  await p.locator('#co-country-err:not([hidden])').waitFor();
  assert.match(await p.locator('#co-country-err').textContent(), /^Pays «\u00a0FRANCE\u00a0»\u00a0: le code à deux lettres/);
  assert.match(await p.locator('#co-vat-franchise-err').textContent(), /exclut l’option sur les débits/);
  assert.match(await p.locator('#company-form .form-error').textContent(), /Rien n’est enregistré\u00a0: 2 problèmes/);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'co-country', 'the first problem has the focus');
  const refused = (await calls(p, 'company_save')).at(-1).args;
  assert.equal(refused.check_only, false);
  assert.equal(refused.company.country, 'France');
  assert.equal(await p.evaluate(() => window.__mock.company().city), 'Paris', 'nothing kept');
  await p.screenshot({ path: path.join(SHOTS, 'company-refused-fr-light.png') });
  // Fixed and saved: the form shows the values as the shell kept them.
  await p.fill('#co-country', 'be');
  await p.uncheck('#co-vat-on-debits');
  await p.check('#co-operations-both');
  await p.fill('#co-payment-days', '45');
  await p.click('#company-save');
  await p.locator('#company-section .notice', { hasText: 'enregistrée' }).waitFor();
  assert.equal(await p.inputValue('#co-country'), 'BE');
  assert.equal(await p.inputValue('#co-siren'), '732829320');
  assert.equal(await p.inputValue('#co-bic'), 'AGRIFRPP');
  assert.equal(await p.locator('#company-form .field-error:not([hidden])').count(), 0);
  const kept = await p.evaluate(() => window.__mock.company());
  assert.equal(kept.city, 'Lyon');
  assert.equal(kept.operations, 'both');
  assert.equal(kept.payment_days, 45);
  assert.equal(kept.vat_franchise, true);
  assert.equal(kept.vat_on_debits, false);
  // A number of days that is not one is refused by the page itself.
  await p.fill('#co-payment-days', '-3');
  await p.click('#company-save');
  await p.locator('#co-payment-days-err:not([hidden])').waitFor();
  assert.equal(await p.evaluate(() => window.__mock.company().payment_days), 45);
});

test('My company in English on a fresh install: an empty name is said beside it', async () => {
  const { page: p } = await page({ mock: 'empty', lang: 'en', scheme: 'dark' });
  await p.click('#open-settings');
  await p.click('#settings-tab-company');
  await p.locator('#company-section', { hasText: 'Nothing saved yet' }).waitFor();
  assert.equal(await p.inputValue('#co-name'), '');
  assert.equal(await p.locator('label[for="co-operations-both"]').textContent(), 'Both');
  await p.click('#company-save');
  await p.locator('#co-name-err:not([hidden])').waitFor();
  assert.equal(await p.locator('#co-name-err').textContent(), 'The company\'s name is empty');
  assert.match(await p.locator('#company-form .form-error').textContent(), /Nothing saved: 1 problem to fix/);
  assert.equal(await p.evaluate(() => window.__mock.company()), null);
  await p.screenshot({ path: path.join(SHOTS, 'company-refused-en-dark.png') });
});

test('customers: the form saves a postal address, a country that is no code is refused', async () => {
  const { page: p } = await page();
  await p.click('#open-settings');
  await p.click('#settings-tab-customers');
  await p.click('#add-customer');
  await p.fill('#cust-name', 'Boulangerie Martin');
  await p.fill('#cust-siret', '73282932000074');
  await p.fill('#cust-street', '12 rue des Lilas');
  await p.fill('#cust-postcode', '75011');
  await p.fill('#cust-city', 'Paris');
  await p.fill('#cust-country', 'France');
  await p.fill('#cust-electronic-scheme', '0225');
  await p.selectOption('#cust-channel', 'print');
  await p.click('#cust-save');
  await p.locator('#customer-form .error', { hasText: 'deux lettres' }).waitFor();
  await p.fill('#cust-country', 'fr');
  await p.click('#cust-save');
  const item = p.locator('#settings li[data-customer="4"]');
  await item.waitFor();
  const saved = (await calls(p, 'save_customer')).at(-1).args.data;
  assert.equal(saved.street, '12 rue des Lilas');
  assert.equal(saved.postcode, '75011');
  assert.equal(saved.city, 'Paris');
  assert.equal(saved.country, 'fr');
  assert.equal(saved.electronic_scheme, '0225');
  assert.equal(await item.locator('dd.address').textContent(), '12 rue des Lilas, 75011 Paris, FR');
  assert.match(await item.textContent(), /Schéma de l’adresse électronique0225/);
  // Edited: the form shows the address back.
  await p.click('#customer-edit-4');
  assert.equal(await p.inputValue('#cust-street'), '12 rue des Lilas');
  assert.equal(await p.inputValue('#cust-country'), 'FR');
  await p.screenshot({ path: path.join(SHOTS, 'customers-address-fr-light.png') });
});

// ---- The Factur-X review and « Corriger la lecture » ----

async function openReview(p) {
  await openDetail(p, 6);
  await p.click('#detail [data-action="make_facturx"]');
  await p.locator('#review[open] .rv-page svg').waitFor();
}
const field = (p, path) => p.locator(`#review .rv-field[data-path="${path}"]`);
const checksAfter = (p, n) => p.waitForFunction((k) => window.__mock.commandsOf('facturx_check').length > k, n);

test('review: the page beside the draft, grouped as the invoice reads, each field with its source', async () => {
  const { page: p } = await page();
  await openDetail(p, 1);
  assert.equal(await p.locator('#detail [data-action="make_facturx"]').count(), 0, 'only for a checked plain PDF');
  await openReview(p);
  assert.deepEqual((await calls(p, 'facturx_draft'))[0].args, { invoice_id: 6 });
  // The page: its phrases where they sit, the ruling lines, a box where each value was read.
  const svg = p.locator('#review .rv-page svg');
  assert.match(await svg.textContent(), /Plomberie Lefèvre.*FACTURE.*Pain de campagne.*56,97/s);
  assert.equal(await svg.locator('line.rule').count(), 3);
  assert.ok(await svg.locator('rect.read').count() >= 10);
  assert.deepEqual(await p.$$eval('#review .rv-group h3', (hs) => hs.map((x) => x.textContent)),
    ['Facture', 'Vendeur', 'Client', 'Livraison', 'Lignes', 'Remises et frais', 'TVA', 'Totaux', 'Paiement', 'Mentions']);
  assert.equal(await field(p, 'BT-1').locator('input').inputValue(), 'F-2026-0414');
  assert.match(await field(p, 'BT-1').locator('.rv-src').textContent(), /lu page 1.*à vérifier/);
  assert.match(await field(p, 'BG-4/BT-30').locator('.rv-src').textContent(), /^Mon entreprise$/);
  assert.equal(await field(p, 'BG-25[0]/BG-29/BT-146').locator('input').inputValue(), '3,50');
  // Hovering a field shows where it was read on the page.
  await field(p, 'BG-7/BT-44').hover();
  const hl = await p.$eval('#review .rv-page .hl', (r) => ['x', 'y', 'width'].map((k) => Number(r.getAttribute(k))));
  assert.deepEqual(hl.map(Math.round), [328, 842 - (686 - 11 * 0.25) - 13.2 - 2, Math.round(18 * 11 * 0.5) + 4].map(Math.round));
  // What is missing is asked, where it is typed.
  await p.locator('#review .rv-missing').waitFor();
  assert.match(await p.locator('#review .rv-missing').textContent(), /3 informations obligatoires.*SIREN du client.*nature des opérations/s);
  assert.match(await field(p, 'BG-7/BT-47').getAttribute('class'), /missing/);
  await p.click('#review .rv-missing [data-goto="BT-23"]');
  assert.equal(await p.evaluate(() => document.activeElement.name), 'BT-23');
  await p.screenshot({ path: path.join(SHOTS, 'review-fr-light.png') });
  // Esc closes the review, and only the review.
  await p.keyboard.press('Escape');
  await p.waitForFunction(() => !document.querySelector('#review[open]'));
  assert.equal(await p.locator('#detail').isVisible(), true);
});

test('review: the arithmetic is checked as the owner types, the failing line said', async () => {
  const { page: p } = await page();
  await openReview(p);
  const line = p.locator('#review .rv-line-arith[data-line="0"]');
  assert.equal(await line.textContent(), '12 × 3,50\u00a0€ = 42,00\u00a0€');
  assert.match(await line.getAttribute('class'), /\bok\b/);
  await field(p, 'BG-25[0]/BT-129').locator('input').fill('10');
  assert.equal(await line.textContent(), 'Ligne 1\u00a0: 10 × 3,50\u00a0€ = 35,00\u00a0€, mais la ligne dit 42,00\u00a0€');
  assert.match(await line.getAttribute('class'), /\bko\b/);
  assert.match(await field(p, 'BG-25[0]/BT-131').getAttribute('class'), /\bbad\b/);
  assert.match(await field(p, 'BG-25[0]/BT-129').locator('.rv-src').textContent(), /^saisi$/);
  // The owner corrects the line total: the line holds, the totals no longer do.
  await field(p, 'BG-25[0]/BT-131').locator('input').fill('35,00');
  assert.match(await line.getAttribute('class'), /\bok\b/);
  const totals = p.locator('#review .rv-arith');
  assert.match(await totals.locator('[data-check="without_tax"]').textContent(), /Somme des lignes\u00a0: 47,00\u00a0€, mais le total HT dit 54,00\u00a0€/);
  assert.match(await totals.locator('[data-check="base-0"]').textContent(), /TVA à 5,5\u00a0%.*47,00\u00a0€.*54,00\u00a0€/);
  assert.match(await totals.locator('[data-check="with_tax"]').textContent(), /HT \+ TVA = TTC/);
  // VAT to the cent, half away from zero: 5.5 % of 54.00 is 2.97.
  await field(p, 'BG-23[0]/BT-117').locator('input').fill('2,98');
  assert.match(await totals.locator('[data-check="tax-0"]').textContent(), /TVA à 5,5\u00a0% de 54,00\u00a0€ = 2,97\u00a0€, mais le montant de TVA dit 2,98\u00a0€/);
  // The draft sent to the rules carries what was typed, as plain decimals.
  await p.waitForFunction(() => window.__mock.commandsOf('facturx_check').at(-1)?.args.draft['BG-23'][0]['BT-117'].value === '2.98');
  const sent = (await calls(p, 'facturx_check')).at(-1).args.draft;
  assert.deepEqual(sent['BG-25'][0]['BT-131'], { value: '35.00', source: 'user', sure: true });
});

test('review: a discount on the whole invoice is entered, counted in the totals and the base of its rate', async () => {
  const { page: p } = await page();
  await openReview(p);
  const totals = p.locator('#review .rv-arith');
  assert.equal(await field(p, 'BG-22/BT-107').count(), 0, 'no discount total without a discount');
  await p.click('#review [data-action="add-BG-20"]');
  // The new discount's reason has the focus; the total of discounts shows.
  assert.equal(await p.evaluate(() => document.activeElement.name), 'BG-20[0]/BT-97');
  await p.keyboard.type('Remise fidélité');
  await field(p, 'BG-20[0]/BT-92').locator('input').fill('4,00');
  // No rate given: the lines' only rate (5,5 %) carries it.
  assert.match(await totals.locator('[data-check="without_tax"]').textContent(),
    /Lignes − remises \+ frais = 50,00\u00a0€, mais le total HT dit 54,00\u00a0€/);
  assert.match(await totals.locator('[data-check="base-0"]').textContent(), /TVA à 5,5\u00a0%.*50,00\u00a0€.*54,00\u00a0€/);
  await field(p, 'BG-22/BT-107').locator('input').fill('5,00');
  assert.match(await totals.locator('[data-check="allowances"]').textContent(),
    /Somme des remises\u00a0: 4,00\u00a0€, mais le total des remises dit 5,00\u00a0€/);
  await field(p, 'BG-22/BT-107').locator('input').fill('4,00');
  await field(p, 'BG-22/BT-109').locator('input').fill('50,00');
  await field(p, 'BG-23[0]/BT-116').locator('input').fill('50,00');
  for (const k of ['allowances', 'without_tax', 'base-0']) {
    assert.match(await totals.locator(`[data-check="${k}"]`).getAttribute('class'), /\bok\b/, k);
  }
  // The rules get the discount as plain decimals, marked typed.
  await p.waitForFunction(() => window.__mock.commandsOf('facturx_check').at(-1)?.args.draft['BG-23'][0]['BT-116'].value === '50.00');
  const sent = (await calls(p, 'facturx_check')).at(-1).args.draft;
  assert.deepEqual(sent['BG-20'][0]['BT-92'], { value: '4.00', source: 'user', sure: true });
  assert.equal(sent['BG-20'][0]['BT-97'].value, 'Remise fidélité');
  assert.equal(sent['BG-22']['BT-107'].value, '4.00');
  // Removed: gone from the draft, the discount total hidden again.
  await p.click('#review [data-action="remove-ac"]');
  assert.equal(await field(p, 'BG-20[0]/BT-92').count(), 0);
  assert.equal(await field(p, 'BG-22/BT-107').count(), 0, 'their total goes with the last one');
  assert.match(await totals.locator('[data-check="without_tax"]').textContent(), /Somme des lignes\u00a0: 54,00\u00a0€, mais le total HT dit 50,00\u00a0€/);
});

test('review: « Créer » waits for the rules, then makes the Factur-X of the edited draft and shows it', async () => {
  const { page: p } = await page();
  await openReview(p);
  const make = p.locator('#review [data-action="make"]');
  await checksAfter(p, 0);
  await p.locator('#review .rv-status.ko').waitFor();
  assert.equal(await make.isDisabled(), true, 'disabled while the rules say invalid');
  assert.match(await p.locator('#review .rv-status').textContent(), /Il manque 3 informations obligatoires/);
  await field(p, 'BG-7/BT-47').locator('input').fill('812345672');
  await field(p, 'BG-7/BT-49').locator('input').fill('812345672');
  assert.equal(await make.isDisabled(), true, 'never enabled on an older answer');
  await p.check('#review input[name="BT-23"][value="S1"]');
  // A refusal lists each failed rule with its id and plain words.
  await field(p, 'BG-22/BT-109').locator('input').fill('55,00');
  await p.locator('#review .rv-failures [data-rule="BR-CO-13"]').waitFor();
  assert.match(await p.locator('#review .rv-failures').textContent(), /1 règle officielle refuse la facture.*BR-CO-13.*Le total HT ne correspond pas à la somme des lignes/s);
  assert.equal(await make.isDisabled(), true);
  await field(p, 'BG-22/BT-109').locator('input').fill('54,00');
  await p.locator('#review .rv-status.ok').waitFor();
  assert.equal(await make.isDisabled(), false, 'enabled when the rules say valid');
  // Leaving the field (its 'change', as a click on « Créer » does) changes
  // nothing: « Créer » stays on under the click.
  await field(p, 'BG-22/BT-109').locator('input').dispatchEvent('change');
  assert.equal(await make.isDisabled(), false, 'leaving a field does not ask the rules again');
  assert.equal(await p.locator('#review .rv-failures').count(), 0);
  await p.screenshot({ path: path.join(SHOTS, 'review-valid-fr-light.png') });
  await make.click();
  await p.waitForFunction(() => window.__mock.commandsOf('facturx_make').length === 1);
  const { invoice_id, draft } = (await calls(p, 'facturx_make'))[0].args;
  assert.equal(invoice_id, 6);
  assert.deepEqual(draft['BG-7']['BT-47'], { value: '812345672', source: 'user', sure: true });
  assert.equal(draft['BT-23'].value, 'S1');
  assert.equal(draft['BG-22']['BT-109'].value, '54.00');
  assert.equal(draft['BT-1'].source, 'page 1 (440, 770, 55, 12)', 'what was not touched keeps where it was read');
  // The detail now shows the invoice as the Factur-X it became.
  await p.waitForFunction(() => !document.querySelector('#review[open]'));
  await p.locator('#detail .notice', { hasText: 'Factur-X créé' }).waitFor();
  assert.match(await p.locator('#detail .timeline').textContent(), /Factur-X créé depuis le PDF/);
  assert.match(await p.locator('#detail .tech').last().textContent(), /factur-x\/F-2026-0414-factur-x\.pdf/);
  assert.equal(await p.locator('#detail [data-action="make_facturx"]').count(), 0, 'an e-invoice is not made again');
  assert.match(await p.locator('#detail .rules').textContent(), /Conforme aux règles officielles/);
});

test('review in English, dark: sources and arithmetic in English', async () => {
  const { page: p } = await page({ lang: 'en', scheme: 'dark' });
  await openDetail(p, 6);
  await p.click('#detail [data-action="make_facturx"]');
  await p.locator('#review[open] .rv-page svg').waitFor();
  assert.deepEqual(await p.$$eval('#review .rv-group h3', (hs) => hs.map((x) => x.textContent)),
    ['Invoice', 'Seller', 'Customer', 'Delivery', 'Lines', 'Discounts and fees', 'VAT', 'Totals', 'Payment', 'Legal notes']);
  assert.match(await field(p, 'BT-1').locator('.rv-src').textContent(), /read on page 1.*to check/);
  assert.equal(await field(p, 'BG-25[0]/BG-29/BT-146').locator('input').inputValue(), '3.50');
  await field(p, 'BG-25[1]/BT-129').locator('input').fill('11');
  assert.equal(await p.locator('#review .rv-line-arith[data-line="1"]').textContent(),
    'Line 2: 11 × €1.20 = €13.20, but the line says €12.00');
  await p.locator('#review .rv-missing').waitFor();
  await p.screenshot({ path: path.join(SHOTS, 'review-en-dark.png') });
});

test('« Corriger la lecture »: the same editor without the Factur-X parts; the edited reading is sent and the layout said learned', async () => {
  const { page: p } = await page();
  await openDetail(p, 6);
  await p.click('#detail [data-action="correct_reading"]');
  await p.locator('#review[open] .rv-page svg').waitFor();
  assert.deepEqual((await calls(p, 'invoice_pages'))[0].args, { invoice_id: 6 });
  assert.match(await p.locator('#review h2').textContent(), /Corriger la lecture/);
  assert.deepEqual(await p.$$eval('#review .rv-group h3', (hs) => hs.map((x) => x.textContent)),
    ['Facture', 'Vendeur', 'Client', 'Lignes', 'TVA', 'Totaux', 'Paiement']);
  assert.equal(await p.locator('#review [data-action="make"]').count(), 0);
  assert.equal(await field(p, 'BG-7/BT-49').count(), 0, 'no electronic address: a Factur-X part');
  assert.equal((await calls(p, 'facturx_check')).length, 0, 'the rules are not asked');
  await field(p, 'BG-7/BT-44').locator('input').fill('Boulangerie Martin SARL');
  await field(p, 'BG-25[1]/BG-31/BT-153').locator('input').fill('Croissants au beurre');
  await p.screenshot({ path: path.join(SHOTS, 'correct-fr-light.png') });
  await p.click('#review [data-action="confirm"]');
  await p.waitForFunction(() => window.__mock.commandsOf('reading_confirm').length === 1);
  const { invoice_id, reading } = (await calls(p, 'reading_confirm'))[0].args;
  assert.equal(invoice_id, 6);
  assert.deepEqual(reading['BG-7']['BT-44'], { value: 'Boulangerie Martin SARL', source: 'user', sure: true });
  assert.equal(reading['BG-25'][1]['BG-31']['BT-153'].value, 'Croissants au beurre');
  assert.equal(reading['BG-25'][0]['BT-131'].source, 'page 1 (490, 576, 25, 12)', 'confirmed as read, where it was read');
  assert.deepEqual(reading.pages, [1, 1]);
  await p.waitForFunction(() => !document.querySelector('#review[open]'));
  await p.locator('#detail .learned-note').waitFor();
  assert.match(await p.locator('#detail .learned-note').textContent(), /Mise en page apprise/);
  assert.match(await p.locator('#detail .notice').textContent(), /Lecture enregistrée/);
});

for (const lang of ['fr', 'en']) {
  test(`review at 1024×700 in ${lang}: nothing overflows its box`, async () => {
    const { page: p } = await page({ width: 1024, height: 700, lang });
    await openDetail(p, 6);
    await p.click('#detail [data-action="make_facturx"]');
    await p.locator('#review[open] .rv-page svg').waitFor();
    // A zero rate brings its category, the delivery its fields.
    await p.locator('[name="BG-25[0]/BG-30/BT-152"]').fill('0');
    await p.check('#review .rv-g-delivery input[type="checkbox"]');
    await p.waitForTimeout(600);
    const problems = (await overflowing(p)).filter((x) => !/^(list|row|num|cust|badge|groups)/.test(x));
    await p.screenshot({ path: path.join(SHOTS, `review-1024x700-${lang}.png`) });
    assert.deepEqual([...new Set(problems)], []);
  });
}
