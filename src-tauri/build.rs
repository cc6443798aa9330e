// One permission per command: the main window's capability lists exactly
// the commands the interface may call (capabilities/main.json).
const COMMANDS: &[&str] = &[
    "get_settings",
    "set_language",
    "counts",
    "list_invoices",
    "list_customers",
    "invoice_detail",
    "open_pdf",
    "choose_files",
    "open_launch_files",
    "cancel_batch",
    "submit_invoices",
    "replay_invoice",
    "sign_demo_mandate",
    "set_invoice_number",
    "list_layouts",
    "read_invoice",
    "remove_layout",
    "prepare_correction",
    "mark_verified",
    "mark_posted",
    "list_accounts",
    "add_account",
    "remove_account",
    "test_account",
    "list_folders",
    "choose_folder",
    "update_folder",
    "remove_folder",
    "pause_watching",
    "list_directory",
    "save_customer",
    "remove_customer",
    "choose_customer_csv",
    "import_customers",
    "export_customers",
    "set_fallbacks",
    // « Mon entreprise ».
    "company_get",
    "company_save",
    // The Factur-X review and « Corriger la lecture ».
    "facturx_draft",
    "facturx_check",
    "facturx_make",
    "invoice_pages",
    "reading_confirm",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}
