// In-memory implementation of ui/IPC.md, for development in a plain browser
// and for the tests (injected with page.addInitScript). Never loaded by
// index.html. `?mock=empty` starts with no invoice, `?mock=10000` with
// 10,000 generated ones; otherwise a small demonstration set.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const mode = params.get('mock') || 'demo';
  const HOUR = 3600e3;
  const now = Date.now();
  const calls = [];
  const listeners = new Map();
  let nextListener = 1;

  const GROUPS = {
    to_do: ['checked', 'blocked', 'to_verify', 'rejected', 'suspended', 'routing_error', 'disputed',
      'partially_approved', 'unknown'],
    in_progress: ['queued', 'sending', 'deposited'],
    issued: ['issued', 'received', 'made_available', 'taken_over', 'completed', 'approved', 'endorsed', 'payment_sent'],
    paid: ['paid'],
    rejected: ['rejected', 'refused', 'cancelled'],
    blocked: ['blocked'],
  };
  const inGroup = (g, inv) => {
    if (!g || g === 'all') return true;
    if (g === 'to_do' && inv.status === 'refused') return inv.reason_code === 'MANDAT_ABSENT';
    return GROUPS[g].includes(inv.status);
  };
  const fold = (s) => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

  const settings = { language: params.get('lang') || 'fr', data_dir: '/home/claire/.local/share/facteur',
    watched_dir: '/home/claire/Factures', version: '0.1.0' };
  const accounts = [
    { name: 'sandbox', kind: 'sandbox', settings: {}, secret_fields: [] },
    { name: 'mairie', kind: 'chorus_pro', settings: { environment: 'production', client_id: 'a1b2c3', login: 'TECH_1234@cpro.fr', supplier_id: '26073' }, secret_fields: ['client_secret', 'technical_password'] },
    { name: 'generix', kind: 'mail_deposit', settings: { portal_address: 'depot@factures.example.fr', from: 'claire@boulangerie.example', smtp_host: 'smtp.example.fr', smtp_user: 'claire' }, secret_fields: ['smtp_password'] },
  ];

  const SELLER = { seller_name: 'Plomberie Lefèvre', seller_siren: '732829320' };
  const invoices = [];
  const events = new Map();
  let nextEvent = 1;

  function ev(id, hoursAgo, source, vocabulary, raw_status, raw_reason, status, reason_code, mandatory) {
    const at = now - hoursAgo * HOUR;
    const list = events.get(id) || [];
    list.push({ id: nextEvent++, at_ms: at, recorded_ms: at + 1000, source, vocabulary, raw_status,
      raw_reason: raw_reason || null, status, reason_code: reason_code || null, mandatory: !!mandatory });
    events.set(id, list);
  }

  function add(inv) {
    const row = Object.assign({
      seller_siren: SELLER.seller_siren, doc_type: 'invoice', currency: 'EUR', buyer_siren: null,
      portal: null, reason_code: null, document_id: inv.id, number_source: inv.number ? 'read' : 'missing',
      path: `/home/claire/Factures/${inv.file || inv.number}.pdf`,
      sha256: (inv.id * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(8),
    }, inv);
    row.total_without_tax = (Number(row.total_with_tax) / 1.2).toFixed(2);
    invoices.push(row);
    return row;
  }

  function demo() {
    const c = (id, number, customer, buyer_siren, ttc, issue, status, reason, hours, portal) =>
      add({ id, number, customer, buyer_siren, total_with_tax: ttc, issue_date: issue, status, reason_code: reason,
        status_since_ms: now - hours * HOUR, portal });
    c(1, 'F-2026-0412', 'Mairie de Saint-Ouen', '217000000', '1234.56', '2026-11-20', 'deposited', 'VIDEOCODAGE', 31, 'sandbox');
    ev(1, 32, 'local_check', 'local', 'checked', null, 'checked');
    ev(1, 31.5, 'outbox', 'local', 'queued', null, 'queued');
    ev(1, 31, 'portal_mail', 'sandbox', 'Vidéocodage en cours', null, 'deposited', 'VIDEOCODAGE', true);
    c(2, 'F-2026-0409', 'SARL Dupont & Fils', '552100554', '480.00', '2026-11-18', 'rejected', 'DEST_ERR', 5, 'sandbox');
    ev(2, 30, 'local_check', 'local', 'checked', null, 'checked');
    ev(2, 29, 'portal_mail', 'sandbox', 'Déposée', null, 'deposited', null, true);
    ev(2, 5, 'portal_mail', 'sandbox', 'Rejetée', 'Le client référencé n’existe pas', 'rejected', 'DEST_ERR', true);
    c(3, 'F-2026-0407', 'Hôtel du Lac', '542051180', '2760.00', '2026-11-15', 'refused', 'MANDAT_ABSENT', 26, 'sandbox');
    ev(3, 50, 'local_check', 'local', 'checked', null, 'checked');
    ev(3, 49, 'portal_mail', 'sandbox', 'Déposée', null, 'deposited', null, true);
    ev(3, 26, 'portal_mail', 'sandbox', 'Refusée', 'Mandat absent', 'refused', 'MANDAT_ABSENT', true);
    c(4, 'F-2026-0388', 'Clinique des Lilas', '779853456', '95.40', '2026-11-02', 'refused', 'DOUBLON', 70, 'sandbox');
    ev(4, 72, 'portal_mail', 'sandbox', 'Déposée', null, 'deposited', null, true);
    ev(4, 70, 'portal_mail', 'sandbox', 'Refusée', 'Doublon', 'refused', 'DOUBLON', true);
    c(5, 'F-2026-0413', 'Lycée Jean-Moulin', '199300000', '3120.00', '2026-11-21', 'to_verify', null, 3, 'generix');
    ev(5, 4, 'outbox', 'local', 'sending', null, 'sending');
    ev(5, 3, 'outbox', 'local', 'to_verify', null, 'to_verify');
    c(6, 'F-2026-0414', 'Boulangerie Martin', '812345672', '64.80', '2026-11-22', 'checked', null, 0.4, null);
    ev(6, 0.4, 'local_check', 'local', 'checked', null, 'checked');
    c(7, 'F-2026-0415', 'Garage Moreau', '401234567', '789.00', '2026-11-22', 'blocked', null, 0.3, null);
    ev(7, 0.3, 'local_check', 'local', 'blocked', null, 'blocked');
    c(8, 'F-2026-0398', 'Mairie de Saint-Ouen', '217000000', '1580.00', '2026-11-08', 'issued', null, 60, 'sandbox');
    ev(8, 120, 'portal_mail', 'sandbox', 'Déposée', null, 'deposited', null, true);
    ev(8, 60, 'portal_mail', 'sandbox', 'Émise', null, 'issued', null, false);
    c(9, 'F-2026-0388-B', 'Clinique des Lilas', '779853456', '95.40', '2026-11-03', 'paid', null, 20, 'sandbox');
    ev(9, 200, 'portal_mail', 'sandbox', 'Déposée', null, 'deposited', null, true);
    ev(9, 150, 'portal_api', 'sandbox', '2400', 'Reconocida', 'approved', null, true);
    ev(9, 20, 'portal_api', 'sandbox', '2500', 'Pagada', 'paid', null, true);
    c(10, 'F-2026-0401', 'Mairie de Saint-Ouen', '217000000', '4200.00', '2026-11-12', 'approved', null, 48, 'mairie');
    ev(10, 96, 'portal_api', 'chorus_pro', 'DEPOSEE', null, 'deposited', null, false);
    ev(10, 48, 'portal_api', 'chorus_pro', 'MISE_A_DISPOSITION', null, 'made_available', null, false);
    ev(10, 47, 'portal_api', 'chorus_pro', 'VALIDEE', null, 'approved', null, false);
    c(11, 'F-2026-0380', 'Hôtel du Lac', '542051180', '312.00', '2026-10-28', 'made_available', null, 80, 'mairie');
    ev(11, 80, 'portal_api', 'chorus_pro', 'MISE_A_DISPOSITION', null, 'made_available', null, false);
    // A file whose number was not read, and a scan the check blocked.
    add({ id: 12, number: '', file: 'facture-traiteur', customer: null, total_with_tax: '783.00', issue_date: '2026-11-23',
      status: 'checked', reason_code: null, status_since_ms: now - 0.2 * HOUR, portal: null, bad_tax: true });
    ev(12, 0.2, 'local_check', 'local', 'checked', null, 'checked');
    add({ id: 13, number: '', file: 'scan-boulangerie', customer: null, total_with_tax: null, issue_date: null,
      status: 'blocked', reason_code: null, status_since_ms: now - 0.1 * HOUR, portal: null });
    ev(13, 0.1, 'local_check', 'local', 'blocked', null, 'blocked');
  }

  const CUSTOMERS = ['Mairie de Saint-Ouen', 'SARL Dupont & Fils', 'Hôtel du Lac', 'Clinique des Lilas',
    'Lycée Jean-Moulin', 'Boulangerie Martin', 'Garage Moreau', 'Cabinet Roux', 'Pharmacie Centrale',
    'Crèche Les Petits Pas', 'Agence Bleu Ciel', 'Restaurant Le Zinc', 'EHPAD Les Tilleuls', 'Collège Victor-Hugo'];
  const STATUSES = ['paid', 'paid', 'paid', 'issued', 'approved', 'deposited', 'made_available', 'checked',
    'rejected', 'refused', 'to_verify', 'blocked', 'payment_sent', 'cancelled'];

  function generate(n) {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    for (let i = 1; i <= n; i++) {
      const status = STATUSES[Math.floor(rnd() * STATUSES.length)];
      const reason = status === 'refused' ? (rnd() < 0.5 ? 'MANDAT_ABSENT' : 'DOUBLON')
        : status === 'deposited' && rnd() < 0.6 ? 'VIDEOCODAGE' : null;
      const hours = rnd() * 24 * 500;
      const d = new Date(now - hours * HOUR - 2 * 86400e3);
      add({ id: i, number: `F-${d.getFullYear()}-${String(i).padStart(5, '0')}`,
        customer: CUSTOMERS[Math.floor(rnd() * CUSTOMERS.length)], total_with_tax: (rnd() * 5000 + 20).toFixed(2),
        issue_date: d.toISOString().slice(0, 10), status, reason_code: reason,
        status_since_ms: now - hours * HOUR, portal: status === 'checked' || status === 'blocked' ? null : 'sandbox' });
      ev(i, hours + 1, 'local_check', 'local', 'checked', null, 'checked');
      if (status !== 'checked') ev(i, hours, 'portal_mail', 'sandbox', status, reason, status, reason, false);
    }
  }

  if (mode === 'demo') demo();
  else if (mode !== 'empty') generate(Number(mode) || 10000);

  function report(inv) {
    const facts = {
      invoice_number: { value: inv.number, source: 'xml' },
      issue_date: { value: inv.issue_date, source: 'xml' },
      doc_type: { value: 'invoice', source: 'xml' },
      seller_name: { value: SELLER.seller_name, source: 'xml' },
      seller_siren: { value: SELLER.seller_siren, source: 'xml' },
      buyer_name: { value: inv.customer, source: 'xml' },
      currency: { value: 'EUR', source: 'xml' },
      total_without_tax: { value: inv.total_without_tax, source: 'xml' },
      total_with_tax: { value: inv.total_with_tax, source: 'xml' },
      total_tax: { value: inv.bad_tax ? '1.00' : (Number(inv.total_with_tax) - Number(inv.total_without_tax)).toFixed(2), source: 'xml' },
    };
    if (!inv.number) delete facts.invoice_number;
    if (!inv.customer) delete facts.buyer_name;
    if (!inv.total_with_tax) { delete facts.total_with_tax; delete facts.total_without_tax; delete facts.total_tax; }
    if (inv.buyer_siren) facts.buyer_siren = { value: inv.buyer_siren, source: 'text' };
    const findings = [];
    if (inv.status === 'blocked') {
      findings.push({ code: 'scanned', severity: 'error',
        message_fr: 'Page 1 sur 1 numérisée (image sans texte)\u00a0: les portails refusent les factures scannées.',
        message_en: 'Page 1 of 1 is scanned (an image without text): portals refuse scanned invoices.',
        hint_fr: 'Exportez la facture en PDF depuis votre logiciel de facturation au lieu de la scanner.',
        hint_en: 'Export the invoice as a PDF from your invoicing software instead of scanning it.' });
      findings.push({ code: 'structured_missing', severity: 'warning',
        message_fr: 'Pas de données structurées (Factur-X) dans le PDF.',
        message_en: 'No structured data (Factur-X) in the PDF.',
        hint_fr: 'Ce n’est pas bloquant aujourd’hui\u00a0; à partir de 2026, préférez un export Factur-X.',
        hint_en: 'Not blocking today; from 2026 on, prefer a Factur-X export.' });
      delete facts.seller_siren;
    }
    if (inv.xml) {
      // A standalone CII or UBL invoice: no pages, the file is the structured data.
      // The official rules' failures are findings too (`einvoice_rule`).
      for (const r of inv.rule_findings || []) findings.push(Object.assign({ code: 'einvoice_rule' }, r));
      return { path: inv.path, verdict: 'accepted', size_bytes: 8120, sha256: inv.sha256, pages: null, pdf: false,
        xml: true, readable: true, encrypted: false, signed: false, content: 'unknown', scanned_pages: [],
        invoice_count: 1, structured: { syntax: inv.xml, profile: 'urn:cen.eu:en16931:2017',
          file_name: inv.path.split('/').pop(), verdict: inv.rules_verdict || 'valid', rules: [], unevaluated: [] },
        facts, findings };
    }
    return { path: inv.path, verdict: inv.status === 'blocked' ? 'rejected' : 'accepted', size_bytes: 48213,
      sha256: inv.sha256, pages: 1, pdf: true, readable: true, encrypted: false, signed: false,
      content: inv.status === 'blocked' ? 'scanned' : 'native', scanned_pages: inv.status === 'blocked' ? [1] : [],
      invoice_count: 1, structured: null, facts, findings };
  }

  function guidance(inv, dup) {
    const G = (what_fr, what_en, todo_fr, todo_en, actions) => ({ what_fr, what_en, todo_fr, todo_en, actions });
    const h = Math.floor((now - inv.status_since_ms) / HOUR);
    switch (inv.status) {
      case 'checked':
        if (!inv.number) return G('Numéro à saisir\u00a0: aucun numéro de facture n’a été lu dans ce fichier.', 'Number to type: no invoice number was read in this file.', 'Tapez le numéro imprimé sur la facture ci-dessous\u00a0: il sert à éviter les doublons et au suivi. Elle pourra partir ensuite.', 'Type the number printed on the invoice below: it prevents duplicates and is used to follow it. It can go then.', []);
        return G('Prête à envoyer\u00a0: elle partira vers le portail de démonstration, faute de clients enregistrés (ajoutez vos clients pour que chacun reçoive par son propre canal)', 'Ready to send: it will go to the demonstration portal, as no customers are recorded yet (add your customers so each is reached its own way)', 'Cliquez sur «\u00a0Envoyer\u00a0»\u00a0: elle part une seule fois, et son suivi s’affiche ici.', 'Click "Send": it goes exactly once, and what happens next shows here.', ['submit']);
      case 'blocked': return G('Facture retenue par un contrôle de Facteur\u00a0: elle n’est pas partie.', 'Invoice held by a Facteur check: it has not been sent.', 'Corrigez ce que le contrôle a signalé (voir le détail), puis ajoutez de nouveau la facture.', 'Fix what the check reported (see the details), then add the invoice again.', []);
      case 'to_verify': return G('Facteur ne peut pas savoir si la facture est bien arrivée sur le portail.', 'Facteur cannot tell whether the invoice reached the portal.', 'Vérifiez sur le portail, puis marquez-la comme vérifiée\u00a0; ne la renvoyez pas à l’aveugle, elle arriverait en double.', 'Check on the portal, then mark it as verified; do not resend it blindly, it could arrive twice.', ['mark_verified']);
      case 'rejected': return G('Le portail a rejeté la facture (motif\u00a0: «\u00a0Le client référencé n’existe pas\u00a0»).', 'The portal rejected the invoice (reason: "Le client référencé n’existe pas").', 'Corrigez-la et envoyez une nouvelle facture avec un numéro différent\u00a0: avec le même numéro, elle serait de nouveau rejetée.', 'Correct it and send a new invoice with a different number: with the same number it would be rejected again.', ['prepare_corrected']);
      case 'refused':
        if (inv.reason_code === 'MANDAT_ABSENT') return G('Facture refusée\u00a0: mandat absent. Le portail ne traite vos factures qu’une fois votre mandat de facturation signé importé.', 'Invoice refused: billing mandate missing. The portal only processes your invoices once your signed billing mandate is uploaded.', 'Importez votre mandat de facturation signé sur le portail, puis rejouez cette facture sans la modifier («\u00a0Rejeu Facture\u00a0»).', 'Upload your signed billing mandate on the portal, then replay this invoice unchanged ("Rejeu Facture").', ['replay']);
        if (inv.reason_code === 'DOUBLON') return G(`Facture refusée comme doublon\u00a0: le portail a déjà la facture ${dup ? dup.other_number : ''}, avec le même SIREN et le même numéro.`, `Invoice refused as a duplicate: the portal already has invoice ${dup ? dup.other_number : ''}, with the same SIREN and number.`, 'Rien à faire sur celle-ci\u00a0: suivez l’autre facture.', 'Nothing to do on this one: follow the other invoice.', dup ? ['show_duplicate'] : []);
        return G('Facture refusée.', 'Invoice refused.', 'Aucune action n’est attendue de votre part.', 'No action is expected from you.', []);
      case 'deposited':
        if (inv.reason_code === 'VIDEOCODAGE') return G(`Contrôle en cours par le portail (vidéocodage) depuis ${h}\u00a0h.`, `Being checked by the portal (vidéocodage) for ${h}\u00a0h.`, 'Cela prend en moyenne 48\u00a0h\u00a0; aucune action n’est attendue de votre part.', 'It takes about 48\u00a0h on average; nothing is expected from you.', []);
        return G('Facture déposée sur le portail.', 'Invoice deposited on the portal.', 'Le portail la traite\u00a0; rien à faire pour l’instant.', 'The portal is processing it; nothing to do for now.', []);
      case 'paid': return G('Facture payée.', 'Invoice paid.', 'C’est terminé\u00a0: rien à faire.', 'All done: nothing to do.', []);
      case 'issued': return G('Facture émise\u00a0: le portail l’a transmise à votre client.', 'Invoice issued: the portal has passed it on to your customer.', 'Rien à faire\u00a0: la suite dépend de votre client.', 'Nothing to do: the next step is your customer’s.', []);
      case 'approved': return G('Votre client a approuvé la facture.', 'Your customer has approved the invoice.', 'Le paiement doit suivre\u00a0: rien à faire.', 'Payment should follow: nothing to do.', []);
      default: return G('La facture suit son cours.', 'The invoice is on its way.', 'Rien à faire pour l’instant.', 'Nothing to do for now.', []);
    }
  }

  const err = (code, message_fr, message_en, detail = null) => ({ code, message_fr, message_en, detail });
  const find = (id) => {
    const inv = invoices.find((i) => i.id === id);
    if (!inv) throw err('not_found', 'Cette facture n’existe plus.', 'This invoice no longer exists.', `invoice ${id}`);
    return inv;
  };
  function setStatus(inv, status, reason, source = 'outbox') {
    inv.status = status;
    inv.reason_code = reason || null;
    inv.status_since_ms = Date.now();
    ev(inv.id, 0, source, 'local', status, null, status, reason);
    setTimeout(() => emit('invoice-changed', { id: inv.id }), 0);
  }
  const signed = new Set();
  const layouts = mode === 'demo' ? [{ id: 1, seller: 'Plomberie Lefèvre', fields: 9, updated_ms: now - 48 * HOUR }] : [];
  const clone = (x) => (x === undefined ? null : JSON.parse(JSON.stringify(x)));

  // Watched folders (IPC.md list_folders); `?mock=empty` starts with none.
  // The next folder the "system dialog" returns: window.__mock.nextFolder.
  const watching = { paused: false, folders: mode === 'empty' ? [] : [
    { id: 1, path: '/home/claire/Factures', recursive: false, mode: 'check', account: null, tidy: true,
      make_facturx: false, paused: false, missing: false, taken: 12, accepted: 11, blocked: 1, waiting: 0 },
    { id: 2, path: '/mnt/nas/Export compta', recursive: true, mode: 'submit', account: 'mairie', tidy: false,
      paused: false, missing: false, taken: 3, accepted: 3, blocked: 0, waiting: 1 },
  ] };
  let nextFolderId = 3;
  const folderOf = (id) => {
    const f = watching.folders.find((x) => x.id === id);
    if (!f) throw err('not_found', 'Ce dossier n’est plus surveillé.', 'This folder is no longer watched.');
    return f;
  };


  // Customer directory (IPC.md "Customers"). The next CSV the "system
  // dialog" returns: window.__mock.nextCsv ({ file, headers, fields,
  // described, lines }, each problem with the header it comes from in `_col`).
  const NO_IDS = { customer_number: null, electronic_address: null, ovt: null, iban: null, gln: null, siren: null,
    siret: null, vat: null, service_code: null, engagement_required: false, street: null, postcode: null, city: null,
    country: null, electronic_scheme: null };
  const directory = { customers: mode === 'empty' ? [] : [
    Object.assign({}, NO_IDS, { id: 1, name: 'Mairie de Saint-Ouen', siren: '219300704', siret: '21930070400019',
      reach: { channel: 'account', to: 'mairie' }, service_code: 'FACTURES', street: '6 place de la République',
      postcode: '93400', city: 'Saint-Ouen-sur-Seine', country: 'FR' }),
    Object.assign({}, NO_IDS, { id: 2, name: 'Hôtel du Lac', customer_number: 'C-0042', gln: '4001234500003',
      reach: { channel: 'email', to: 'compta@hotel-du-lac.example' } }),
    Object.assign({}, NO_IDS, { id: 3, name: 'Garage Moreau', vat: 'FR40401234567', reach: { channel: 'print' } }),
  ], email_account: null, print_account: null };
  let nextCustomerId = 4;
  const glnOk = (g) => /^\d{13}$/.test(g) && [...g.slice(0, 12)].reverse()
    .reduce((s, c, i) => s + Number(c) * (i % 2 ? 1 : 3), 0) % 10 === (10 - Number(g[12])) % 10;
  const directoryView = () => Object.assign({
    accounts: accounts.map((a) => a.name),
    email_accounts: accounts.filter((a) => a.kind === 'email').map((a) => a.name),
    print_accounts: accounts.filter((a) => a.kind === 'print').map((a) => a.name),
  }, directory);
  let pendingCsv = null;
  function csvPlan(overrides) {
    const p = clone(pendingCsv);
    p.headers.forEach((head, i) => {
      if (head in overrides) p.fields[i] = overrides[head] === '-' ? null : overrides[head];
      p.described[i] = p.fields[i] ? `«\u00a0${head}\u00a0» → ${p.fields[i]}` : `«\u00a0${head}\u00a0» → ignorée`;
    });
    for (const l of p.lines) l.problems = l.problems.filter((x) => p.fields[p.headers.indexOf(x._col)]);
    p.bad = p.lines.filter((l) => l.problems.length).length;
    return p;
  }

  const PAYMENT_MEANS = [['58', 'Virement SEPA', 'SEPA credit transfer'], ['30', 'Virement', 'Credit transfer'],
    ['42', 'Paiement sur compte bancaire', 'Payment to bank account'], ['49', 'Prélèvement', 'Direct debit'],
    ['59', 'Prélèvement SEPA', 'SEPA direct debit'], ['20', 'Chèque', 'Cheque'], ['10', 'Espèces', 'Cash'],
    ['48', 'Carte bancaire', 'Bank card']];
  let company = mode === 'demo' ? { name: 'Plomberie Lefèvre', siren: '732829320', siret: '73282932000074',
    vat: 'FR44732829320', street: '12 rue des Lilas', postcode: '75011', city: 'Paris', country: 'FR', e_address: null,
    iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP', payment_means: '58', payment_terms: '30 jours fin de mois',
    payment_days: 30, vat_on_debits: false, operations: 'services', vat_franchise: false, contact_name: 'Claire Lefèvre',
    contact_phone: null, contact_email: 'claire@plomberie.example', note_pmd: null, note_pmt: null, note_aab: null } : null;
  const luhn = (d) => [...d].reverse().reduce((s, ch, i) => {
    let n = Number(ch) * (i % 2 ? 2 : 1);
    if (n > 9) n -= 9;
    return s + n;
  }, 0) % 10 === 0;
  function companyCheck(input) {
    const c = Object.assign({}, input);
    const problems = [];
    const p = (field, fr, en) => problems.push({ field, fr, en });
    const tidy = (v) => (v == null ? null : String(v).split(/\s+/).filter(Boolean).join(' ') || null);
    for (const k of Object.keys(c)) if (typeof c[k] === 'string') c[k] = tidy(c[k]);
    c.name = c.name || '';
    if (!c.name) p('name', 'le nom de l’entreprise est vide', 'the company\'s name is empty');
    const id = (k, label, ok) => {
      if (!c[k]) return;
      const raw = c[k];
      const v = raw.replace(/\s/g, '').toUpperCase();
      if (!ok(v)) { p(k, `${label} «\u00a0${raw}\u00a0»\u00a0: numéro incorrect (un chiffre a sans doute été mal recopié)`, `${label} "${raw}": wrong check digit (a digit was probably mistyped)`); c[k] = null; } else c[k] = v;
    };
    id('siren', 'SIREN', (v) => /^\d{9}$/.test(v) && luhn(v));
    id('siret', 'SIRET', (v) => /^\d{14}$/.test(v) && luhn(v));
    id('iban', 'IBAN', (v) => /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(v));
    id('vat', 'numéro de TVA', (v) => /^[A-Z]{2}[A-Z0-9]{2,13}$/.test(v));
    if (c.siret && !c.siren) c.siren = c.siret.slice(0, 9);
    if (c.country) {
      c.country = c.country.toUpperCase();
      if (!/^[A-Z]{2}$/.test(c.country)) p('country', `pays «\u00a0${c.country}\u00a0»\u00a0: le code à deux lettres est attendu (FR, BE…)`, `country "${c.country}": the two-letter code is expected (FR, BE…)`);
    }
    if (c.bic) {
      c.bic = c.bic.replace(/\s/g, '').toUpperCase();
      if (!/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(c.bic)) p('bic', `BIC «\u00a0${c.bic}\u00a0»\u00a0: 8 ou 11 lettres et chiffres attendus`, `BIC "${c.bic}": 8 or 11 letters and digits expected`);
    }
    if (c.contact_email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.contact_email)) p('contact_email', `«\u00a0${c.contact_email}\u00a0» n’est pas une adresse e-mail`, `"${c.contact_email}" is not an e-mail address`);
    if (c.vat_franchise && c.vat_on_debits) p('vat_franchise', 'la franchise en base de TVA exclut l’option sur les débits', 'the VAT franchise excludes the option on debits');
    return { company: c, problems };
  }

  const commands = {
    get_settings: () => settings,
    set_language: ({ language }) => { settings.language = language; return null; },
    counts: () => {
      const out = { to_do: 0, blocked: 0, in_progress: 0, issued: 0, paid: 0, rejected: 0, all: invoices.length };
      for (const inv of invoices) for (const g of Object.keys(GROUPS)) if (inGroup(g, inv)) out[g]++;
      return out;
    },
    list_invoices: ({ filter }) => {
      const f = filter || {};
      const num = f.number ? f.number.toLowerCase() : null;
      const cust = f.customer ? fold(f.customer) : null;
      const rows = invoices.filter((inv) => inGroup(f.group, inv)
        && (!num || inv.number.toLowerCase().includes(num))
        && (!cust || fold(inv.customer).includes(cust) || (inv.buyer_siren || '').includes(cust))
        && (!f.since || (inv.issue_date || '') >= f.since)
        && (!f.until || (inv.issue_date || '') <= f.until))
        .sort((a, b) => b.status_since_ms - a.status_since_ms || b.id - a.id);
      const limit = Math.min(500, f.limit || 100);
      const offset = f.offset || 0;
      return { rows: rows.slice(offset, offset + limit), has_more: rows.length > offset + limit };
    },
    list_customers: () => [...new Set(invoices.map((i) => i.customer).filter(Boolean))].sort((a, b) => a.localeCompare(b, 'fr')),
    invoice_detail: ({ id }) => {
      const inv = find(id);
      const dup = inv.reason_code === 'DOUBLON' ? (() => {
        const o = invoices.find((x) => x.id !== inv.id && x.customer === inv.customer && x.total_with_tax === inv.total_with_tax);
        return o ? { kind: 'at_portal', other_id: o.id, other_number: o.number, other_status: o.status } : null;
      })() : null;
      const acc = accounts.find((a) => a.name === inv.portal);
      return { invoice: inv, report: report(inv), events: events.get(id) || [], submissions: [],
        guidance: guidance(inv, dup), duplicate: dup, simulation: !!acc && acc.kind === 'sandbox',
        correction: inv.correction || null };
    },
    open_pdf: ({ id }) => { find(id); return null; },
    choose_files: () => null,
    open_launch_files: () => null,
    cancel_batch: ({ batch_id }) => {
      const b = window.__mock.lastBatch;
      if (b && b.batch_id === batch_id) setTimeout(() => emit('batch-progress', Object.assign({}, b, { done: true, cancelled: true })), 0);
      return null;
    },
    submit_invoices: ({ ids }) => {
      const queued = []; const refused = [];
      for (const id of ids) {
        const inv = find(id);
        if (inv.status === 'checked') { setStatus(inv, 'queued'); queued.push(id); } else refused.push({ id, decision: { decision: 'check_failed' } });
      }
      return { queued, refused };
    },
    replay_invoice: ({ id }) => {
      const inv = find(id);
      if (!(inv.status === 'refused' && inv.reason_code === 'MANDAT_ABSENT')) throw err('not_allowed', 'Seule une facture refusée pour «\u00a0Mandat absent\u00a0» peut être rejouée.', 'Only an invoice refused for "Mandat absent" can be replayed.');
      // As the shell does: the portal's answer comes back to the click.
      if (!signed.has(inv.buyer_siren)) throw err('replay_refused', 'Le portail n’a pas accepté de rejouer la facture\u00a0: le mandat de facturation n’est sans doute pas encore signé. Signez-le sur le portail, puis rejouez-la.', 'The portal did not accept to replay the invoice: the billing mandate is probably not signed yet. Sign it on the portal, then replay it.', 'invoice SBX-000003 cannot be replayed yet: the customer\'s mandate is still not signed');
      setStatus(inv, 'deposited', 'VIDEOCODAGE', 'portal_api');
      return { queued: true };
    },
    read_invoice: ({ id }) => {
      const inv = find(id);
      if (inv.id !== 6) return [{ 'BT-1': { value: inv.number, source: 'page 1 (50, 765, 80, 11)', sure: false } }];
      const f = (value, sure = false) => ({ value, source: 'page 1 (50, 600, 80, 10)', sure });
      return [{ 'BT-1': f(inv.number), 'BT-5': f('EUR'),
        'BG-25': [
          { 'BG-31': { 'BT-153': f('Pain de campagne') }, 'BT-129': f('12'), 'BG-29': { 'BT-146': f('3.50') }, 'BG-30': { 'BT-152': f('5.5') }, 'BT-131': f('42.00', true) },
          { 'BG-31': { 'BT-153': f('Croissants') }, 'BT-129': f('10'), 'BG-29': { 'BT-146': f('1.20') }, 'BG-30': { 'BT-152': f('5.5') }, 'BT-131': f('12.00', true) },
        ],
        'BG-23': [{ 'BT-119': f('5.5'), 'BT-116': f('54.00', true), 'BT-117': f('2.97', true) }] }];
    },
    list_layouts: () => clone(layouts),
    remove_layout: ({ id }) => {
      const i = layouts.findIndex((l) => l.id === id);
      if (i < 0) throw err('not_found', 'Cette mise en page n’existe plus.', 'This layout no longer exists.');
      layouts.splice(i, 1);
      return null;
    },
    sign_demo_mandate: ({ id }) => { signed.add(find(id).buyer_siren); return null; },
    set_invoice_number: ({ id, number }) => {
      const inv = find(id);
      const n = (number || '').trim();
      if (!n || n.length > 64) throw err('bad_number', 'Tapez le numéro tel qu’il est imprimé sur la facture (1 à 64 caractères).', 'Type the number as printed on the invoice (1 to 64 characters).', `"${n}"`);
      if (!['checked', 'blocked'].includes(inv.status)) throw err('not_allowed', 'Cette facture est déjà partie.', 'This invoice already left.');
      inv.number = n;
      inv.number_source = 'user';
      setTimeout(() => emit('invoice-changed', { id }), 0);
      return clone(inv);
    },
    prepare_correction: ({ id, new_number }) => {
      const inv = find(id);
      const n = (new_number || '').trim();
      if (n.toLowerCase() === inv.number.toLowerCase()) throw err('same_number', 'Le nouveau numéro doit être différent de l’ancien.', 'The new number must differ from the old one.');
      if (invoices.some((i) => i.number.toLowerCase() === n.toLowerCase())) throw err('number_in_use', `Le numéro ${n} est déjà celui d’une autre facture\u00a0: choisissez-en un autre.`, `Number ${n} already belongs to another invoice: choose another one.`, `UNIQUE(seller_siren, number): ${n}`);
      inv.correction = { original_id: id, original_number: inv.number, new_number: n, prepared_ms: Date.now(), corrected_by: null };
      return { id, new_number: n };
    },
    mark_verified: ({ id, arrived }) => {
      const inv = find(id);
      if (inv.status !== 'to_verify') throw err('not_allowed', 'Cette facture n’est pas à vérifier.', 'This invoice is not waiting to be verified.');
      setStatus(inv, arrived ? 'deposited' : 'checked', null, 'manual');
      return inv;
    },
    list_folders: () => watching,
    choose_folder: () => {
      const path = window.__mock.nextFolder;
      if (!path) return null;
      if (watching.folders.some((f) => f.path === path)) throw err('folder_exists', 'Ce dossier est déjà surveillé.', 'This folder is already watched.');
      watching.folders.push({ id: nextFolderId++, path, recursive: false, mode: 'check', account: null, tidy: false, make_facturx: false,
        paused: false, missing: false, taken: 0, accepted: 0, blocked: 0, waiting: 0 });
      return watching;
    },
    update_folder: ({ id, changes }) => {
      const f = folderOf(id);
      if (changes.mode && !['check', 'submit'].includes(changes.mode)) throw err('not_allowed', 'Mode inconnu.', 'Unknown mode.');
      for (const k of ['mode', 'tidy', 'recursive', 'paused', 'make_facturx']) if (k in changes) f[k] = changes[k];
      if ('account' in changes) f.account = changes.account || null;
      return watching;
    },
    remove_folder: ({ id }) => {
      folderOf(id);
      watching.folders = watching.folders.filter((f) => f.id !== id);
      return watching;
    },
    pause_watching: ({ paused }) => { watching.paused = !!paused; return watching; },
    list_directory: () => directoryView(),
    save_customer: ({ id, data }) => {
      const fr = []; const en = [];
      if (!(data.name || '').trim()) { fr.push('le nom du client est vide'); en.push('the customer\'s name is empty'); }
      if (data.gln && !glnOk(data.gln)) { fr.push(`GLN «\u00a0${data.gln}\u00a0»\u00a0: numéro incorrect (un chiffre a sans doute été mal recopié)`); en.push(`GLN "${data.gln}": wrong check digit (a digit was probably mistyped)`); }
      if (data.country && !/^[A-Za-z]{2}$/.test(data.country.trim())) { const c = data.country.trim().toUpperCase(); fr.push(`pays «\u00a0${c}\u00a0»\u00a0: le code à deux lettres est attendu (FR, BE…)`); en.push(`country "${c}": the two-letter code is expected (FR, BE…)`); }
      if (data.country) data.country = data.country.trim().toUpperCase();
      if (fr.length) throw err('customer_invalid', `Ce client n’est pas enregistré\u00a0:\n${fr.map((x) => `— ${x}`).join('\n')}`, `This customer is not saved:\n${en.map((x) => `— ${x}`).join('\n')}`);
      const c = Object.assign({}, NO_IDS, data, { id: id ?? nextCustomerId++, name: data.name.trim() });
      const i = directory.customers.findIndex((x) => x.id === c.id);
      if (i >= 0) directory.customers[i] = c; else directory.customers.push(c);
      return c;
    },
    remove_customer: ({ id }) => {
      if (!directory.customers.some((c) => c.id === id)) throw err('not_found', 'Ce client n’est plus dans l’annuaire.', 'This customer is no longer in the directory.');
      directory.customers = directory.customers.filter((c) => c.id !== id);
      return directoryView();
    },
    choose_customer_csv: () => {
      if (!window.__mock.nextCsv) return null;
      pendingCsv = window.__mock.nextCsv;
      return csvPlan({});
    },
    import_customers: ({ overrides, preview }) => {
      if (!pendingCsv) throw err('not_allowed', 'Choisissez d’abord le fichier CSV à importer.', 'First choose the CSV file to import.');
      const plan = csvPlan(overrides || {});
      if (plan.bad || preview) return { imported: false, added: 0, replaced: 0, plan };
      for (const l of plan.lines) directory.customers.push(Object.assign({}, NO_IDS, { id: nextCustomerId++, name: l.name, reach: { channel: 'print' } }));
      return { imported: true, added: plan.lines.length, replaced: 0, plan };
    },
    export_customers: () => ({ count: directory.customers.length, file: '/home/claire/clients.csv' }),
    set_fallbacks: ({ email, print }) => {
      const check = (name, kind) => {
        if (!name) return;
        const a = accounts.find((x) => x.name === name);
        if (!a || a.kind !== kind) throw err('not_allowed', 'Ce compte n’est pas du bon type.', 'This account is not of the right kind.');
      };
      check(email, 'email'); check(print, 'print');
      directory.email_account = email; directory.print_account = print;
      return directoryView();
    },
    // « Mon entreprise » (IPC.md "My company"): the core's checks that the
    // tests need (check digits, country, BIC, e-mail, franchise with debits).
    company_get: () => ({ company: clone(company), payment_means: PAYMENT_MEANS.map(([code, fr, en]) => ({ code, label_fr: fr, label_en: en })),
      defaults: { note_pmd: 'En cas de retard de paiement, des pénalités sont exigibles au taux de trois fois le taux d’intérêt légal.',
        note_pmt: 'Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement\u00a0: 40\u00a0€.',
        note_aab: 'Pas d’escompte pour paiement anticipé.', franchise: 'TVA non applicable, art. 293 B du CGI',
        debits: 'Option pour le paiement de la taxe d’après les débits' } }),
    company_save: ({ company: c, check_only }) => {
      const r = companyCheck(c || {});
      if (r.problems.length) return { saved: false, company: null, problems: r.problems };
      if (check_only) return { saved: false, company: r.company, problems: [] };
      company = r.company;
      return { saved: true, company: clone(company), problems: [] };
    },
    list_accounts: () => accounts,
    add_account: ({ name, kind, settings: s, secrets }) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name || '')) throw err('account_name', 'Le nom du compte ne peut contenir que des lettres, des chiffres, «\u00a0-\u00a0», «\u00a0_\u00a0» ou «\u00a0.\u00a0».', 'An account name may only contain letters, digits, "-", "_" or ".".', `invalid name: "${name}"`);
      // As the shell answers when the session's keyring is locked.
      if (window.__mock.keyringLocked) throw err('keyring', 'Les mots de passe sont gardés par le trousseau de votre bureau (GNOME Keyring ou KWallet, par le service «\u00a0Secret Service\u00a0»), qui a refusé celui-ci\u00a0: il est sans doute verrouillé. Ouvrez «\u00a0Mots de passe et clés\u00a0» (Seahorse) ou KWallet, déverrouillez le trousseau «\u00a0Connexion\u00a0», puis cliquez de nouveau sur «\u00a0Enregistrer\u00a0»\u00a0: ce que vous avez tapé est gardé.', 'Passwords are kept by your desktop\'s keyring, which refused this one: it is probably locked.', 'keyring: the collection is locked');
      if (accounts.some((a) => a.name === name)) throw err('account_exists', `Un compte «\u00a0${name}\u00a0» existe déjà.`, `An account "${name}" already exists.`);
      const a = { name, kind, settings: Object.assign({}, s), secret_fields: Object.keys(secrets || {}) };
      accounts.push(a);
      accounts.sort((x, y) => x.name.localeCompare(y.name));
      return a;
    },
    remove_account: ({ name }) => {
      const i = accounts.findIndex((a) => a.name === name);
      if (i < 0) throw err('not_found', 'Ce compte n’existe plus.', 'This account no longer exists.');
      accounts.splice(i, 1);
      return null;
    },
    test_account: ({ name }) => {
      const a = accounts.find((x) => x.name === name);
      if (!a) throw err('not_found', 'Ce compte n’existe plus.', 'This account no longer exists.');
      if (a.kind === 'sandbox') return { ok: true, message_fr: 'Le portail de démonstration répond.', message_en: 'The demonstration portal answers.', detail: null, simulation: true };
      if (a.kind === 'chorus_pro') return { ok: false, message_fr: 'Chorus Pro refuse l’identifiant ou le secret PISTE\u00a0: vérifiez-les sur le portail PISTE.', message_en: 'Chorus Pro refuses the PISTE client id or secret: check them on the PISTE portal.', detail: 'POST /oauth/token: 401 invalid_client', simulation: false };
      return { ok: true, message_fr: 'Connexion réussie au serveur d’envoi et de réception.', message_en: 'Connected to the outgoing and incoming servers.', detail: null, simulation: false };
    },
  };

  // ---- The Factur-X review and « Corriger la lecture » (IPC.md "Factur-X") ----
  // Invoice 6's page as the shell gives it (phrases with their boxes), and
  // its draft read from those boxes. `facturx_check` answers as the shell
  // would for the few things a test changes: the buyer's SIREN and
  // electronic address, what is sold, the lines against the total HT.
  const PAGE6 = (() => {
    const words = []; const at = {};
    const w = (key, text, x, y, size) => {
      const box = { x, y: y - size * 0.25, w: Math.round(text.length * size * 0.5), h: size * 1.2, text };
      words.push(box);
      if (key) at[key] = box;
    };
    w('seller', 'Plomberie Lefèvre', 50, 790, 14); w(null, '12 rue des Lilas', 50, 774, 10);
    w(null, '75011 Paris', 50, 762, 10); w(null, 'SIREN 732 829 320', 50, 750, 9);
    w(null, 'FACTURE', 420, 790, 18); w(null, 'N°', 420, 772, 10); w('number', 'F-2026-0414', 440, 772, 10);
    w(null, 'Date :', 420, 760, 10); w('date', '22/11/2026', 455, 760, 10);
    w(null, 'Client', 330, 700, 9); w('buyer', 'Boulangerie Martin', 330, 686, 11);
    w('street', '4 place du Marché', 330, 672, 10); w('postcode', '69002', 330, 660, 10); w('city', 'Lyon', 362, 660, 10);
    w(null, 'Désignation', 50, 600, 9); w(null, 'Qté', 300, 600, 9); w(null, 'P.U. HT', 350, 600, 9);
    w(null, 'TVA', 420, 600, 9); w(null, 'Total HT', 490, 600, 9);
    w('d0', 'Pain de campagne', 50, 578, 10); w('q0', '12', 300, 578, 10); w('p0', '3,50', 350, 578, 10);
    w('r0', '5,5 %', 420, 578, 10); w('n0', '42,00', 490, 578, 10);
    w('d1', 'Croissants', 50, 562, 10); w('q1', '10', 300, 562, 10); w('p1', '1,20', 350, 562, 10);
    w('r1', '5,5 %', 420, 562, 10); w('n1', '12,00', 490, 562, 10);
    w(null, 'Total HT', 400, 520, 10); w('ht', '54,00 €', 490, 520, 10);
    w(null, 'TVA 5,5 %', 400, 504, 10); w('tva', '2,97 €', 490, 504, 10);
    w(null, 'Total TTC', 400, 486, 11); w('ttc', '56,97 €', 490, 486, 11);
    w('terms', 'Paiement à 30 jours par virement', 50, 92, 8); w('iban', 'IBAN FR76 3000 6000 0112 3456 7890 189', 200, 92, 8);
    w('pmd', 'Pénalités de retard : 3 fois le taux d’intérêt légal.', 50, 80, 7);
    w('pmt', 'Indemnité forfaitaire pour frais de recouvrement : 40 €.', 50, 70, 7);
    const rules = [{ x0: 45, y0: 612, x1: 550, y1: 612 }, { x0: 45, y0: 594, x1: 550, y1: 594 }, { x0: 45, y0: 552, x1: 550, y1: 552 }];
    return { page: { number: 1, width: 595, height: 842, words, rules }, at };
  })();
  const src = (key) => { const b = PAGE6.at[key]; return `page 1 (${Math.round(b.x)}, ${Math.round(b.y)}, ${Math.round(b.w)}, ${Math.round(b.h)})`; };
  const rd = (key, value, sure = false) => ({ value, source: src(key), sure });
  const co = (value) => ({ value, source: 'company', sure: true });
  function draft6() {
    return { pages: [1, 1], 'BT-1': rd('number', 'F-2026-0414'), 'BT-2': rd('date', '2026-11-22'),
      'BT-3': { value: '380', source: 'user', sure: false }, 'BT-5': { value: 'EUR', source: 'user', sure: false },
      'BT-9': co('2026-12-22'), 'BT-20': rd('terms', 'Paiement à 30 jours par virement'),
      'BG-4': { 'BT-27': rd('seller', 'Plomberie Lefèvre', true), 'BT-30': co('732829320'), 'BT-31': co('FR40732829320'),
        'BT-34': co('732829320'), 'BT-34-1': co('0225'),
        'BG-5': { 'BT-35': co('12 rue des Lilas'), 'BT-38': co('75011'), 'BT-37': co('Paris'), 'BT-40': co('FR') } },
      'BG-7': { 'BT-44': rd('buyer', 'Boulangerie Martin'),
        'BG-8': { 'BT-50': rd('street', '4 place du Marché'), 'BT-53': rd('postcode', '69002'), 'BT-52': rd('city', 'Lyon'),
          'BT-55': { value: 'FR', source: 'user', sure: false } } },
      'BG-16': { 'BT-81': co('58'), 'BG-17': { 'BT-84': rd('iban', 'FR7630006000011234567890189', true) } },
      'BG-22': { 'BT-109': rd('ht', '54.00', true), 'BT-110': rd('tva', '2.97', true), 'BT-112': rd('ttc', '56.97', true),
        'BT-115': rd('ttc', '56.97', true) },
      'BG-23': [{ 'BT-119': rd('r0', '5.5'), 'BT-116': rd('ht', '54.00', true), 'BT-117': rd('tva', '2.97', true) }],
      'BG-25': [0, 1].map((i) => ({ 'BG-31': { 'BT-153': rd(`d${i}`, ['Pain de campagne', 'Croissants'][i]) },
        'BT-129': rd(`q${i}`, ['12', '10'][i], true), 'BG-29': { 'BT-146': rd(`p${i}`, ['3.50', '1.20'][i], true) },
        'BG-30': { 'BT-152': rd(`r${i}`, '5.5') }, 'BT-131': rd(`n${i}`, ['42.00', '12.00'][i], true) })),
      'BG-1': [{ 'BT-21': 'PMD', 'BT-22': rd('pmd', 'Pénalités de retard : 3 fois le taux d’intérêt légal.') },
        { 'BT-21': 'PMT', 'BT-22': rd('pmt', 'Indemnité forfaitaire pour frais de recouvrement : 40 €.') },
        { 'BT-21': 'AAB', 'BT-22': co('Pas d’escompte pour paiement anticipé.') }] };
  }
  const val = (l) => (l == null ? '' : typeof l === 'object' ? (l.value ?? '') : String(l));
  function facturxMissing(d) {
    const out = [];
    if (!val(d['BG-7']?.['BT-47'])) out.push({ path: 'BG-7/BT-47', fr: 'le SIREN du client', en: 'the buyer\'s SIREN' });
    if (!val(d['BG-7']?.['BT-49'])) out.push({ path: 'BG-7/BT-49', fr: 'l\'adresse de facturation électronique du client (souvent son SIREN)', en: 'the buyer\'s electronic invoicing address (most often its SIREN)' });
    if (!val(d['BT-23'])) out.push({ path: 'BT-23', fr: 'la nature des opérations (biens, services ou les deux)', en: 'what is sold (goods, services or both)' });
    return out;
  }
  function facturxFailures(d) {
    const cents = (x) => Math.round(Number(x) * 100);
    const sum = (d['BG-25'] || []).reduce((a, l) => a + cents(val(l['BT-131'])), 0);
    const ht = val(d['BG-22']?.['BT-109']);
    if (ht && sum !== cents(ht)) {
      return [{ id: 'BR-CO-13', flag: 'fatal', bt: 'BT-109', message: '[BR-CO-13]-Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).',
        plain_fr: 'Le total HT ne correspond pas à la somme des lignes.', plain_en: 'The total without VAT does not match the sum of the lines.' }];
    }
    return [];
  }
  const learnedFor = new Set();
  // What was read on invoice 6's page alone: the draft without what came
  // from « Mon entreprise » or was offered.
  function onlyRead(node) {
    if (Array.isArray(node)) return node.map(onlyRead);
    if (!node || typeof node !== 'object') return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (v && typeof v === 'object' && 'value' in v) { if (/^page /.test(v.source)) out[k] = v; } else if (k === 'BT-21' || k === 'pages') out[k] = v;
      else { const c = onlyRead(v); if (Array.isArray(c) || Object.keys(c).length) out[k] = c; }
    }
    return out;
  }
  Object.assign(commands, {
    facturx_draft: ({ invoice_id }) => {
      const inv = find(invoice_id);
      const draft = invoice_id === 6 ? draft6() : { 'BT-1': { value: inv.number, source: 'page 1 (50, 765, 80, 11)', sure: false } };
      return { draft, missing: facturxMissing(draft), pages: [PAGE6.page] };
    },
    facturx_check: ({ draft }) => {
      const missing = facturxMissing(draft);
      const failures = missing.length ? [] : facturxFailures(draft);
      return { valid: !missing.length && !failures.some((f) => f.flag === 'fatal'), missing, failures };
    },
    facturx_make: ({ invoice_id, draft }) => {
      const inv = find(invoice_id);
      const missing = facturxMissing(draft);
      if (missing.length || facturxFailures(draft).length) throw err('facturx_refused', 'Les règles officielles refusent la facture.', 'The official rules refuse the invoice.');
      // As the shell does: the made Factur-X replaces the plain PDF in the
      // same invoice, which now goes as an e-invoice.
      inv.facturx = true;
      inv.path = `/home/claire/.local/share/facteur/factur-x/${inv.number}-factur-x.pdf`;
      inv.buyer_siren = val(draft['BG-7']['BT-47']);
      inv.status_since_ms = Date.now();
      ev(inv.id, 0, 'local_check', 'local', 'checked', `Factur-X créé depuis le PDF «\u00a0${inv.number}.pdf\u00a0»`, 'checked');
      return inv.id;
    },
    invoice_pages: ({ invoice_id }) => { find(invoice_id); return [PAGE6.page]; },
    reading_confirm: ({ invoice_id, reading }) => {
      find(invoice_id);
      if (!reading || typeof reading !== 'object') throw err('reading_invalid', 'Cette lecture ne se lit pas.', 'This reading cannot be read.');
      learnedFor.add(invoice_id);
      const layoutId = layouts.length + 2;
      layouts.push({ id: layoutId, seller: val(reading['BG-4']?.['BT-27']) || 'Fournisseur', fields: 12, updated_ms: Date.now() });
      return [{ invoice: 0, layout_id: layoutId, fields: 12, table: true }];
    },
  });
  const readInvoice0 = commands.read_invoice;
  commands.read_invoice = (args) => {
    const r = args.id === 6 ? [onlyRead(draft6())] : readInvoice0(args);
    if (r && learnedFor.has(args.id)) for (const x of r) x.layout = 2;
    return r;
  };
  const detail0 = commands.invoice_detail;
  commands.invoice_detail = (args) => {
    const d = detail0(args);
    if (d.invoice.facturx) {
      d.report.structured = { syntax: 'CII', profile: 'urn:cen.eu:en16931:2017', file_name: 'factur-x.xml', verdict: 'valid', rules: [], unevaluated: [] };
    }
    return d;
  };

  function emit(event, payload) {
    if (event === 'batch-started' || event === 'batch-progress') {
      window.__mock.lastBatch = Object.assign({ checked: 0, accepted: 0, blocked: 0, done: false, cancelled: false }, window.__mock.lastBatch, payload);
    }
    for (const l of listeners.values()) if (l.event === event) l.handler({ event, id: l.id, payload: clone(payload) });
  }

  window.__mock = { calls, emit, invoices, accounts, watching, directory, company: () => clone(company), nextFolder: null, nextCsv: null, lastBatch: null, commandsOf: (cmd) => calls.filter((c) => c.cmd === cmd) };
  window.__TAURI__ = {
    core: {
      invoke(cmd, args) {
        calls.push({ cmd, args: clone(args || {}) });
        const fn = commands[cmd];
        return new Promise((resolve, reject) => {
          setTimeout(() => {
            if (!fn) return reject(err('internal', 'Commande inconnue.', 'Unknown command.', cmd));
            try { resolve(clone(fn(args || {}))); } catch (e) { reject(e); }
          }, 0);
        });
      },
    },
    event: {
      listen(event, handler) {
        const id = nextListener++;
        listeners.set(id, { id, event, handler });
        return Promise.resolve(() => listeners.delete(id));
      },
    },
  };
})();
