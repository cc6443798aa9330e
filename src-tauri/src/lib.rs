//! The Facteur desktop window: a thin Tauri shell. Its commands
//! ([`commands`]) are a few lines each that call the `facteur` core; the
//! interface is the plain HTML/CSS/JS in `ui/`, served from the app, which
//! reaches the shell only through those commands and the events
//! [`shell`] emits. Dropped files arrive through the window's native
//! drag-and-drop event, in Rust: the page has no file-system access.
//!
//! Deliberately not here: checking, storing, routing or sending logic (the
//! core does it), secrets beyond handing them to the keyring, and any
//! general-purpose plugin (no fs, shell or HTTP plugin).

pub mod alerts;
pub mod commands;
pub mod company;
pub mod customers;
pub mod error;
pub mod facturx;
pub mod shell;
pub mod tray;

use std::path::PathBuf;

use tauri::{Builder, DragDropEvent, Manager, Runtime, WindowEvent};

pub use shell::Shell;

/// Registers the state, the commands and the drop handling on a builder
/// (the real runtime in `main`, the mock one in tests).
pub fn builder<R: Runtime>(builder: Builder<R>, shell: Shell) -> Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(shell)
        .manage(customers::PendingImport::default())
        .invoke_handler(tauri::generate_handler![
            commands::get_settings,
            commands::set_language,
            commands::counts,
            commands::list_invoices,
            commands::list_customers,
            commands::invoice_detail,
            commands::open_pdf,
            commands::choose_files,
            commands::open_launch_files,
            commands::cancel_batch,
            commands::submit_invoices,
            commands::replay_invoice,
            commands::sign_demo_mandate,
            commands::set_invoice_number,
            commands::list_layouts,
            commands::read_invoice,
            commands::remove_layout,
            commands::prepare_correction,
            commands::mark_verified,
            commands::mark_posted,
            commands::list_accounts,
            commands::add_account,
            commands::remove_account,
            commands::test_account,
            commands::list_folders,
            commands::choose_folder,
            commands::update_folder,
            commands::remove_folder,
            commands::pause_watching,
            customers::list_directory,
            customers::save_customer,
            customers::remove_customer,
            customers::choose_customer_csv,
            customers::import_customers,
            customers::export_customers,
            customers::set_fallbacks,
            // « Mon entreprise ».
            company::company_get,
            company::company_save,
            // The Factur-X review and « Corriger la lecture ».
            facturx::facturx_draft,
            facturx::facturx_check,
            facturx::facturx_make,
            facturx::invoice_pages,
            facturx::reading_confirm,
        ])
        .on_window_event(|window, event| match event {
            WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) => {
                shell::start_batch(window.app_handle(), paths.clone());
            }
            // With a tray icon to come back by, closing the window hides
            // it and the watched folders go on; without one, it quits
            // (never an invisible process out of reach).
            WindowEvent::CloseRequested { api, .. } => {
                let shell = window.state::<Shell>();
                if shell.tray.load(std::sync::atomic::Ordering::SeqCst) {
                    api.prevent_close();
                    let _ = window.hide();
                    tracing::info!(
                        "window hidden: watching goes on (tray icon, « Quitter » to stop)"
                    );
                } else {
                    tracing::info!("window closed: no tray icon, Facteur quits");
                }
            }
            _ => {}
        })
        .setup(|app| {
            shell::start_watcher(app.handle().clone());
            // The demonstration portal is the default portal of a fresh install.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let home = handle.state::<Shell>().home.clone();
                let sandbox = {
                    let shell = handle.state::<Shell>();
                    let db = shell.db();
                    facteur::send::accounts::resolve(&db, None)
                };
                if let Ok(account) = sandbox {
                    shell::ensure_sandbox(&home, &account).await;
                }
                // News since the window was last open, then now and then.
                shell::sync_all(&handle).await;
                shell::start_sync_loop(handle.clone());
                shell::start_db_watch(handle);
            });
            Ok(())
        })
}

/// The app's configuration, capabilities and embedded interface (the real
/// runtime in `main`; the mock one in tests, so they run under the same
/// permissions).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    let mut ctx = tauri::generate_context!();
    if cfg!(debug_assertions) {
        // A development build is another application for the system (its
        // own WebView storage, window state and notification sender), so
        // trying a change never touches the installed Facteur's.
        ctx.config_mut().identifier = DEV_IDENTIFIER.to_string();
    }
    ctx
}

/// The identifier of development (debug) builds; release builds use
/// `tauri.conf.json`'s `fr.facteur.desktop`.
pub const DEV_IDENTIFIER: &str = "fr.facteur.desktop.dev";

/// The data folder: `FACTEUR_HOME` or the platform's.
pub fn home() -> Result<PathBuf, error::UiError> {
    facteur::home::ensure().map_err(|e| {
        error::UiError::new(
            "store",
            "Facteur ne trouve pas de dossier où garder ses données.",
            "Facteur cannot find a folder to keep its data in.",
            Some(e.to_string()),
        )
    })
}
