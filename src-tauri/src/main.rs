// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    use tracing_subscriber::EnvFilter;
    let mut filter =
        EnvFilter::try_from_env("FACTEUR_LOG").unwrap_or_else(|_| EnvFilter::new("warn,lopdf=off"));
    // The mail libraries log the raw SMTP/IMAP dialogue (passwords): off.
    for target in facteur::send::channel::mail::WIRE_LOG_TARGETS {
        if let Ok(d) = format!("{target}=off").parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
    // Files given on the command line ("Open with Facteur") are checked as a
    // drop once the window is ready.
    let files: Vec<std::path::PathBuf> = std::env::args_os()
        .skip(1)
        .map(std::path::PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    let shell = match facteur_app::home().and_then(|h| facteur_app::Shell::open(&h)) {
        Ok(s) => s.with_launch_files(files),
        Err(e) => {
            eprintln!(
                "facteur: {} ({})",
                e.message_en,
                e.detail.unwrap_or_default()
            );
            std::process::exit(2);
        }
    };
    let app = facteur_app::builder(tauri::Builder::default(), shell)
        .build(facteur_app::context())
        .expect("the Facteur window could not start");
    facteur_app::tray::install(app.handle());
    app.run(|_, _| {});
}
