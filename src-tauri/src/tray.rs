//! The tray icon that keeps Facteur reachable while its window is closed
//! and the watched folders are being watched: « Ouvrir Facteur »,
//! « Mettre en pause la surveillance » / « Reprendre la surveillance »,
//! « Quitter ». Installed only where the desktop shows tray icons; on
//! Linux that means a StatusNotifier host on the session bus (without
//! one, an icon would be invisible, so there is none and closing the
//! window quits).
//!
//! Deliberately not here: what pausing does (the shell's
//! [`crate::Shell::pause_watching`]) and the close-to-hide rule (`lib.rs`,
//! which reads [`crate::Shell::tray`]).

use std::sync::atomic::Ordering;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Listener, Manager, Runtime};

use crate::shell::{self, Shell};

fn pause_label(paused: bool, lang: &str) -> &'static str {
    match (paused, lang == "en") {
        (false, false) => "Mettre en pause la surveillance",
        (false, true) => "Pause watching",
        (true, false) => "Reprendre la surveillance",
        (true, true) => "Resume watching",
    }
}

/// Whether the desktop shows tray icons.
pub fn available() -> bool {
    if std::env::var_os("FACTEUR_NO_TRAY").is_some() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        status_notifier_host()
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// A StatusNotifier watcher owns its name on the session bus (KDE, GNOME
/// with the AppIndicator extension, Xfce, Cinnamon, MATE…).
#[cfg(target_os = "linux")]
fn status_notifier_host() -> bool {
    use gio::prelude::*;
    let Ok(bus) = gio::bus_get_sync(gio::BusType::Session, gio::Cancellable::NONE) else {
        return false;
    };
    bus.call_sync(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "NameHasOwner",
        Some(&("org.kde.StatusNotifierWatcher",).to_variant()),
        Some(glib::VariantTy::new("(b)").expect("a valid type")),
        gio::DBusCallFlags::NONE,
        1000,
        gio::Cancellable::NONE,
    )
    .ok()
    .and_then(|v| v.get::<(bool,)>())
    .is_some_and(|(owned,)| owned)
}

/// Shows the tray icon when the desktop has a tray; says in the log what
/// closing the window will do.
pub fn install<R: Runtime>(app: &AppHandle<R>) {
    if !available() {
        tracing::warn!("no system tray here: closing the window quits Facteur");
        return;
    }
    // The indicator library is loaded at run time; where it is missing the
    // tray code panics rather than failing: that is no tray either.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    match built {
        Ok(Ok(())) => {
            app.state::<Shell>().tray.store(true, Ordering::SeqCst);
            tracing::info!("tray icon shown: closing the window hides it");
        }
        Ok(Err(e)) => {
            tracing::warn!("no tray icon ({e}): closing the window quits Facteur");
        }
        Err(_) => {
            tracing::warn!(
                "no tray icon (libayatana-appindicator3 missing?): closing the window quits Facteur"
            );
        }
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let settings = app.state::<Shell>().settings();
    let en = settings.language == "en";
    let open = MenuItem::with_id(
        app,
        "open",
        if en { "Open Facteur" } else { "Ouvrir Facteur" },
        true,
        None::<&str>,
    )?;
    let pause = MenuItem::with_id(
        app,
        "pause",
        pause_label(settings.watch_paused, &settings.language),
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(
        app,
        "quit",
        if en { "Quit" } else { "Quitter" },
        true,
        None::<&str>,
    )?;
    let menu = Menu::with_items(app, &[&open, &pause, &quit])?;
    let mut tray = TrayIconBuilder::with_id("facteur")
        .tooltip("Facteur")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_window(app),
            "pause" => {
                let shell = app.state::<Shell>();
                let paused = !shell.settings().watch_paused;
                if let Err(e) = shell.pause_watching(paused) {
                    tracing::error!("pause: {}", e.message_en);
                }
                let _ = shell::folders_changed(app);
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    // The pause item follows the state, whoever changed it.
    let handle = app.clone();
    app.listen("folders-changed", move |_| {
        let s = handle.state::<Shell>().settings();
        let _ = pause.set_text(pause_label(s.watch_paused, &s.language));
    });
    Ok(())
}

fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
