// The only module that talks to the shell. Everything else calls these
// functions; the contract is ui/IPC.md.

function tauri() {
  const t = window.__TAURI__;
  if (!t || !t.core || !t.event) {
    throw new IpcError({
      code: 'no_shell',
      message_fr: 'Facteur ne parvient pas à joindre son moteur. Fermez puis rouvrez l’application.',
      message_en: 'Facteur cannot reach its engine. Close and reopen the application.',
      detail: 'window.__TAURI__ is missing (withGlobalTauri: true?)',
    });
  }
  return t;
}

/** A command failure, shaped as in IPC.md "Errors". */
export class IpcError extends Error {
  constructor({ code, message_fr, message_en, detail }) {
    super(message_en || code);
    this.code = code || 'internal';
    this.message_fr = message_fr || null;
    this.message_en = message_en || null;
    this.detail = detail ?? null;
  }
}

function normalise(err, cmd) {
  if (err instanceof IpcError) return err;
  if (err && typeof err === 'object' && 'code' in err) return new IpcError(err);
  return new IpcError({ code: 'internal', detail: `${cmd}: ${String(err)}` });
}

async function call(cmd, args = {}) {
  try {
    return await tauri().core.invoke(cmd, args);
  } catch (err) {
    throw normalise(err, cmd);
  }
}

/** Subscribes to a shell event; resolves to the unlisten function. */
export function on(event, handler) {
  return tauri().event.listen(event, (e) => handler(e.payload));
}

export const getSettings = () => call('get_settings');
export const setLanguage = (language) => call('set_language', { language });
export const counts = () => call('counts');
export const listInvoices = (filter) => call('list_invoices', { filter });
export const listCustomers = () => call('list_customers');
export const invoiceDetail = (id) => call('invoice_detail', { id });
export const openPdf = (id) => call('open_pdf', { id });
export const chooseFiles = () => call('choose_files');
export const openLaunchFiles = () => call('open_launch_files');
export const cancelBatch = (batch_id) => call('cancel_batch', { batch_id });
export const submitInvoices = (ids, account = null) => call('submit_invoices', { ids, account });
export const replayInvoice = (id) => call('replay_invoice', { id });
export const signDemoMandate = (id) => call('sign_demo_mandate', { id });
export const setInvoiceNumber = (id, number) => call('set_invoice_number', { id, number });
export const listLayouts = () => call('list_layouts');
export const readInvoice = (id) => call('read_invoice', { id });
export const removeLayout = (id) => call('remove_layout', { id });
export const prepareCorrection = (id, new_number) => call('prepare_correction', { id, new_number });
export const markVerified = (id, arrived) => call('mark_verified', { id, arrived });
export const markPosted = (id) => call('mark_posted', { id });
export const listAccounts = () => call('list_accounts');
export const addAccount = (name, kind, settings, secrets) =>
  call('add_account', { name, kind, settings, secrets });
export const removeAccount = (name) => call('remove_account', { name });
export const testAccount = (name) => call('test_account', { name });
export const listFolders = () => call('list_folders');
export const chooseFolder = () => call('choose_folder');
export const updateFolder = (id, changes) => call('update_folder', { id, changes });
export const removeFolder = (id) => call('remove_folder', { id });
export const pauseWatching = (paused) => call('pause_watching', { paused });
export const listDirectory = () => call('list_directory');
export const saveCustomer = (id, data) => call('save_customer', { id, data });
export const removeCustomer = (id) => call('remove_customer', { id });
export const chooseCustomerCsv = () => call('choose_customer_csv');
export const importCustomers = (overrides, preview = false) => call('import_customers', { overrides, preview });
export const exportCustomers = () => call('export_customers');
export const setFallbacks = (email, print) => call('set_fallbacks', { email, print });
// « Mon entreprise ».
export const companyGet = () => call('company_get');
export const companySave = (company, check_only = false) => call('company_save', { company, check_only });
// The Factur-X review and « Corriger la lecture » (review.js).
export const facturxDraft = (invoice_id) => call('facturx_draft', { invoice_id });
export const facturxCheck = (draft) => call('facturx_check', { draft });
export const facturxMake = (invoice_id, draft) => call('facturx_make', { invoice_id, draft });
export const invoicePages = (invoice_id) => call('invoice_pages', { invoice_id });
export const readingConfirm = (invoice_id, reading) => call('reading_confirm', { invoice_id, reading });
