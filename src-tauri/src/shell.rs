//! The shell's state and its background work: the database handle the
//! commands share, the user's settings, batches of dropped files being
//! checked (cancellable, with throttled progress events), the outbox worked
//! in the background with each step emitted, the watched folders watched
//! on a thread of their own (their files go through the same check, record
//! and outbox as a drop; their counts reach the page by a throttled
//! event), and the built-in sandbox portal started at launch. Everything here calls the core; nothing here
//! judges an invoice or talks a portal's protocol.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use facteur::check::{self, Options, Outcome};
use facteur::intake::folders::{self, WatchedFolder};
use facteur::intake::pipeline;
use facteur::intake::pipeline::PlateformeLookup;
use facteur::intake::watch::{self, Counts, Taken, Watch};
use facteur::mirror::store::{self, Store};
use facteur::send::accounts::{Account, OsKeyring};
use facteur::send::channel::{Channel, ChannelError};
use facteur::send::outbox::{self, AnyChannel, OutboxLock, Retry, Step};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::UiError;

/// What the user chose (never a secret): `FACTEUR_HOME/settings.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub language: String,
    /// Every watched folder paused at once (the tray's and the section's
    /// pause button); each folder also has its own pause.
    #[serde(default)]
    pub watch_paused: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "fr".into(),
            watch_paused: false,
        }
    }
}

/// What the background watcher shares with the commands.
#[derive(Default)]
pub struct Watching {
    /// The folders' settings changed: the watcher starts again with them.
    reload: AtomicBool,
    /// What each folder (by id) took since watching started, and what waits.
    counts: Mutex<HashMap<i64, Counts>>,
    /// Folders configured but not found when watching started.
    missing: Mutex<HashSet<i64>>,
}

/// One watched folder as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FolderView {
    #[serde(flatten)]
    pub folder: WatchedFolder,
    /// Not found (an unplugged drive, a removed share): not watched.
    pub missing: bool,
    #[serde(flatten)]
    pub counts: Counts,
}

/// The watched folders section.
#[derive(Debug, Clone, Serialize)]
pub struct FoldersView {
    /// Every folder paused at once.
    pub paused: bool,
    pub folders: Vec<FolderView>,
}

/// The state every command shares.
pub struct Shell {
    pub home: PathBuf,
    store: Mutex<Store>,
    settings: Mutex<Settings>,
    batches: Mutex<HashMap<String, Arc<AtomicBool>>>,
    next_batch: AtomicU64,
    /// Files named on the command line ("Open with Facteur"), checked once
    /// the page listens.
    launch_files: Mutex<Vec<PathBuf>>,
    /// The last event already announced by a notification.
    announced: AtomicI64,
    pub watching: Watching,
    /// A tray icon is shown: closing the window hides it and watching
    /// goes on.
    pub tray: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the store half-written
    // (every write is one transaction), so the data behind it is sound.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shell {
    /// Opens the data folder: the database (migrated) and the settings.
    pub fn open(home: &Path) -> Result<Shell, UiError> {
        facteur::home::create_private_dir(home).map_err(|e| {
            UiError::new(
                "store",
                "Facteur ne peut pas créer son dossier de données.",
                "Facteur cannot create its data folder.",
                Some(format!("{}: {e}", home.display())),
            )
        })?;
        let store = Store::open_home(home)?;
        // Only what happens from now on is announced.
        let announced = AtomicI64::new(store.last_event_id()?);
        let settings = std::fs::read(home.join("settings.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Ok(Shell {
            home: home.to_path_buf(),
            store: Mutex::new(store),
            settings: Mutex::new(settings),
            batches: Mutex::new(HashMap::new()),
            next_batch: AtomicU64::new(1),
            launch_files: Mutex::new(Vec::new()),
            announced,
            watching: Watching::default(),
            tray: AtomicBool::new(false),
        })
    }

    /// Remembers the files the app was started with, to check them as a
    /// drop once the page is ready.
    pub fn with_launch_files(self, files: Vec<PathBuf>) -> Shell {
        *lock(&self.launch_files) = files;
        self
    }

    /// The launch files, handed out once.
    pub fn take_launch_files(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *lock(&self.launch_files))
    }

    pub fn db(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn save_settings(&self, s: Settings) -> Result<(), UiError> {
        let path = self.home.join("settings.json");
        let tmp = path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(&s).expect("plain strings serialise");
        facteur::home::write_private(&tmp, &json)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                UiError::new(
                    "store",
                    "Le réglage n'a pas pu être enregistré.",
                    "The setting could not be saved.",
                    Some(e.to_string()),
                )
            })?;
        *lock(&self.settings) = s;
        Ok(())
    }

    /// The watched folders with their live counts.
    pub fn folders_view(&self) -> Result<FoldersView, UiError> {
        let list = folders::list(&self.db())?;
        let counts = lock(&self.watching.counts).clone();
        let missing = lock(&self.watching.missing).clone();
        Ok(FoldersView {
            paused: self.settings().watch_paused,
            folders: list
                .into_iter()
                .map(|f| FolderView {
                    missing: missing.contains(&f.id),
                    counts: counts.get(&f.id).cloned().unwrap_or_default(),
                    folder: f,
                })
                .collect(),
        })
    }

    /// Asks the watcher to start again with the folders' new settings.
    pub fn reload_folders(&self) {
        self.watching.reload.store(true, Ordering::SeqCst);
    }

    /// Pauses or resumes every watched folder at once.
    pub fn pause_watching(&self, paused: bool) -> Result<(), UiError> {
        self.save_settings(Settings {
            watch_paused: paused,
            ..self.settings()
        })?;
        self.reload_folders();
        Ok(())
    }

    pub fn cancel_batch(&self, id: &str) {
        if let Some(flag) = lock(&self.batches).get(id) {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// A setting name that says it holds a secret (`password_expires` is a date).
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    (k.contains("password") || k.contains("secret")) && !k.ends_with("_expires")
}

#[derive(Clone, Serialize)]
struct BatchStarted {
    batch_id: String,
    total: usize,
}

#[derive(Clone, Serialize)]
struct BatchProgress {
    batch_id: String,
    checked: usize,
    accepted: usize,
    blocked: usize,
    /// Files given before (same content): nothing new was recorded.
    known: usize,
    total: usize,
    done: bool,
    cancelled: bool,
}

#[derive(Clone, Serialize)]
struct BatchItem {
    batch_id: String,
    invoice_id: Option<i64>,
    path: String,
    number: Option<String>,
    verdict: &'static str,
    status: Option<facteur::mirror::lifecycle::Status>,
    first_finding: Option<facteur::check::finding::Finding>,
    /// The very same file (same content) was dropped before: no second
    /// invoice is made of it.
    known: bool,
    /// Another invoice with this seller and number, when there is one.
    duplicate: Option<store::Duplicate>,
    /// The file could not be read at all.
    error: Option<String>,
}

/// Checks and records dropped files on a thread of its own, emitting
/// `batch-started`, one `batch-item` per file, and `batch-progress` at most
/// ten times a second plus once at the end. Returns the batch id.
pub fn start_batch<R: Runtime>(app: &AppHandle<R>, inputs: Vec<PathBuf>) -> String {
    let shell = app.state::<Shell>();
    let id = format!("b{}", shell.next_batch.fetch_add(1, Ordering::Relaxed));
    let cancel = Arc::new(AtomicBool::new(false));
    lock(&shell.batches).insert(id.clone(), cancel.clone());
    let app = app.clone();
    let batch_id = id.clone();
    std::thread::spawn(move || {
        let (files, walk_errors) = check::collect_paths(&inputs);
        for e in &walk_errors {
            tracing::warn!("dropped item skipped: {e}");
        }
        let total = files.len();
        let _ = app.emit(
            "batch-started",
            BatchStarted {
                batch_id: batch_id.clone(),
                total,
            },
        );
        let mut p = BatchProgress {
            batch_id: batch_id.clone(),
            checked: 0,
            accepted: 0,
            blocked: 0,
            known: 0,
            total,
            done: false,
            cancelled: false,
        };
        let mut last = Instant::now() - Duration::from_secs(1);
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        let flag = cancel.clone();
        let opts = check_options(&app.state::<Shell>().db());
        check::check_batch(
            &files,
            jobs,
            &opts,
            &|| flag.load(Ordering::Relaxed),
            &mut |_, outcome| {
                let item = record(&app, &batch_id, outcome);
                p.checked += 1;
                if item.known {
                    p.known += 1;
                } else if item.verdict == "accepted" {
                    p.accepted += 1;
                } else {
                    p.blocked += 1;
                }
                let _ = app.emit("batch-item", item);
                if last.elapsed() >= Duration::from_millis(100) {
                    last = Instant::now();
                    let _ = app.emit("batch-progress", p.clone());
                }
            },
        );
        p.done = true;
        p.cancelled = cancel.load(Ordering::Relaxed);
        let _ = app.emit("batch-progress", p);
        let _ = app.emit("counts-changed", ());
        lock(&app.state::<Shell>().batches).remove(&batch_id);
        attention_changed(&app);
    });
    id
}

fn record<R: Runtime>(app: &AppHandle<R>, batch_id: &str, outcome: Outcome) -> BatchItem {
    match outcome {
        Outcome::Checked(mut report) => {
            let shell = app.state::<Shell>();
            // A drop is checked and recorded only; « Envoyer » queues.
            let taken = pipeline::take(
                &mut shell.db(),
                &shell.home,
                pipeline::Request {
                    input: pipeline::Input::Report(&mut report),
                    destination: pipeline::Destination::CheckOnly,
                    annexes: &[],
                    once: false,
                },
                &pipeline::NoLookup,
                store::now_ms(),
            );
            let (invoice_id, known, duplicate) = match taken.map(|t| t.recorded) {
                Ok(Some(r)) => (r.invoice_id, r.known_document, r.duplicate),
                Ok(None) => (None, false, None),
                Err(e) => {
                    tracing::error!(path = %report.path, "could not record the check: {e}");
                    (None, false, None)
                }
            };
            let status = invoice_id
                .and_then(|id| shell.db().invoice(id).ok().flatten())
                .map(|i| i.status);
            let blocked =
                !report.accepted() || status == Some(facteur::mirror::lifecycle::Status::Blocked);
            BatchItem {
                batch_id: batch_id.to_string(),
                invoice_id,
                number: report
                    .facts
                    .get(facteur::check::facts::FactKey::InvoiceNumber)
                    .map(str::to_string),
                verdict: if blocked { "rejected" } else { "accepted" },
                status,
                known,
                duplicate,
                error: None,
                first_finding: report
                    .findings
                    .iter()
                    .find(|f| f.severity == facteur::check::finding::Severity::Error)
                    .or(report.findings.first())
                    .cloned(),
                path: report.path,
            }
        }
        Outcome::Failed(e) => BatchItem {
            batch_id: batch_id.to_string(),
            invoice_id: None,
            path: match &e {
                check::CheckError::Io { path, .. } => path.display().to_string(),
            },
            error: Some(e.to_string()),
            number: None,
            verdict: "rejected",
            status: None,
            first_finding: None,
            known: false,
            duplicate: None,
        },
    }
}

#[derive(Clone, Serialize)]
struct InvoiceChanged {
    id: i64,
}

#[derive(Clone, Serialize)]
struct SubmitStep {
    invoice_id: Option<i64>,
    step: Step,
}

/// Works the account's outbox in the background (its own database
/// connection and the outbox lock), emitting every step.
pub fn work_outbox<R: Runtime>(app: AppHandle<R>, account: Account) {
    tauri::async_runtime::spawn(async move {
        let home = app.state::<Shell>().home.clone();
        if let Err(e) = run_outbox(&app, &home, &account).await {
            tracing::error!(account = %account.name, "outbox: {}", e.message_en);
        }
        let _ = app.emit("counts-changed", ());
        attention_changed(&app);
    });
}

/// The checker's options for the window and its watcher: the layouts the
/// owner taught by confirming a reading (`facteur read --confirm`) guide the
/// reading of the next invoice of that layout, as they do for the CLI.
fn check_options(db: &Store) -> Options {
    let layouts = facteur::mirror::learned::layouts(db).unwrap_or_else(|e| {
        tracing::warn!("learned layouts unavailable: {e}");
        Vec::new()
    });
    Options {
        layouts: std::sync::Arc::new(layouts),
        ..Options::default()
    }
}

/// Works `account`'s outbox now and waits for it (an action the owner
/// waits on, such as « Rejouer »), then refreshes the counts.
pub async fn work_outbox_now<R: Runtime>(
    app: &AppHandle<R>,
    account: &Account,
) -> Result<(), UiError> {
    let home = app.state::<Shell>().home.clone();
    let r = run_outbox(app, &home, account).await;
    let _ = app.emit("counts-changed", ());
    attention_changed(app);
    r
}

/// How often the window asks the portals for news: `FACTEUR_SYNC_SECONDS`,
/// two minutes by default (never less than a second).
pub fn sync_interval() -> Duration {
    facteur::send::channel::http::env_seconds("FACTEUR_SYNC_SECONDS")
        .unwrap_or(Duration::from_secs(120))
        .max(Duration::from_secs(1))
}

/// Asks every account's portal for the statuses of what it delivered, now
/// and then every [`sync_interval`], for as long as the window is open.
/// A portal that does not answer is tried again at the next turn.
pub fn start_sync_loop<R: Runtime>(app: AppHandle<R>) {
    let every = sync_interval();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            sync_all(&app).await;
        }
    });
}

/// Tells the page when the database changed, whoever changed it (this
/// window, `facteur sync` in a terminal, the watcher): a connection of its
/// own polls `data_version` twice a second and emits `db-changed`, so the
/// list, the counts and the detail refresh together from one source.
pub fn start_db_watch<R: Runtime>(app: AppHandle<R>) {
    let home = app.state::<Shell>().home.clone();
    std::thread::spawn(move || {
        let db = match Store::open_home(&home) {
            Ok(db) => db,
            Err(e) => {
                tracing::error!("database watch: {e}");
                return;
            }
        };
        let mut last = db.data_version().ok();
        loop {
            std::thread::sleep(Duration::from_millis(500));
            match db.data_version() {
                Ok(v) if Some(v) != last => {
                    last = Some(v);
                    if app.emit("db-changed", ()).is_err() {
                        return;
                    }
                    attention_changed(&app);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("database watch: {e}"),
            }
        }
    });
}

/// One sync of every account that has delivered something.
pub async fn sync_all<R: Runtime>(app: &AppHandle<R>) {
    let home = app.state::<Shell>().home.clone();
    let mut db = match Store::open_home(&home) {
        Ok(db) => db,
        Err(e) => {
            tracing::error!("sync: {}", e);
            return;
        }
    };
    let mut accounts: Vec<Account> = facteur::send::accounts::list(&db).unwrap_or_default();
    if !accounts
        .iter()
        .any(|a| a.name == facteur::send::accounts::SANDBOX_ACCOUNT)
        && let Ok(a) = facteur::send::accounts::resolve(&db, None)
    {
        accounts.push(a);
    }
    let mut changed = Vec::new();
    for account in accounts {
        let open = db.open_submissions(Some(&account.name)).unwrap_or_default();
        if db.delivered(&account.name).map_or(true, |d| d.is_empty()) && open.is_empty() {
            continue;
        }
        let channel = match AnyChannel::for_account(&account, &OsKeyring) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(account = %account.name, "sync skipped: {e}");
                continue;
            }
        };
        // The sync also asks the portal about attempts waiting on a
        // question; one the portal surely does not hold is queued again,
        // and whatever is queued is worked now.
        match outbox::sync(&mut db, &home, &channel, &Retry::from_env()).await {
            Ok(counts) => changed.extend(counts.changed),
            Err(e) => tracing::warn!(account = %account.name, "sync: {e}"),
        }
        let queued = db
            .open_submissions(Some(&account.name))
            .is_ok_and(|o| o.iter().any(|s| !s.sending));
        if queued {
            work_outbox(app.clone(), account);
        }
    }
    for id in &changed {
        let _ = app.emit("invoice-changed", InvoiceChanged { id: *id });
    }
    if !changed.is_empty() {
        let _ = app.emit("counts-changed", ());
    }
    attention_changed(app);
}

/// Announces what portals said since the last announcement (a native
/// notification each) and puts the count needing attention on the
/// window's badge and title.
pub fn attention_changed<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_notification::NotificationExt;
    let shell = app.state::<Shell>();
    let lang = shell.settings().language;
    let (notices, count) = {
        let db = shell.db();
        let after = shell.announced.load(Ordering::SeqCst);
        let notices = match crate::alerts::pending(&db, after, &lang) {
            Ok((notices, last)) => {
                shell.announced.fetch_max(last, Ordering::SeqCst);
                notices
            }
            Err(e) => {
                tracing::error!("notifications: {e}");
                Vec::new()
            }
        };
        (notices, crate::alerts::attention(&db).unwrap_or(0))
    };
    for n in notices {
        tracing::info!(invoice = n.invoice_id, "notify: {}", n.title);
        if let Err(e) = app
            .notification()
            .builder()
            .title(&n.title)
            .body(&n.body)
            .show()
        {
            tracing::warn!("the desktop notification could not be shown: {e}");
        }
    }
    if let Some(w) = app.get_webview_window("main") {
        // Not every desktop has a badge (most Linux ones do not): the
        // title says it everywhere.
        let _ = w.set_badge_count((count > 0).then_some(count));
        let _ = w.set_title(&crate::alerts::title(count));
    }
}

async fn run_outbox<R: Runtime>(
    app: &AppHandle<R>,
    home: &Path,
    account: &Account,
) -> Result<(), UiError> {
    if account.kind == facteur::send::accounts::Kind::Sandbox {
        ensure_sandbox(home, account).await;
    }
    let channel =
        AnyChannel::for_account(account, &OsKeyring).map_err(outbox::OutboxError::from)?;
    let lock_home = home.to_path_buf();
    let _lock = tauri::async_runtime::spawn_blocking(move || OutboxLock::acquire(&lock_home))
        .await
        .map_err(|e| UiError::internal(e.to_string()))??;
    let mut db = Store::open_home(home)?;
    let emitter = app.clone();
    let mut on_step = move |s: &Step| {
        let _ = emitter.emit(
            "submit-step",
            SubmitStep {
                invoice_id: None,
                step: s.clone(),
            },
        );
    };
    let steps = outbox::run(&mut db, home, &channel, &Retry::from_env(), &mut on_step).await?;
    tracing::info!(account = %account.name, steps = steps.len(), "outbox worked");
    Ok(())
}

/// Starts the built-in sandbox portal when it is the account's address and
/// nothing answers there.
pub async fn ensure_sandbox(home: &Path, account: &Account) {
    if let Err(e) = facteur::demo::sandbox_server::ensure_for(home, account).await {
        tracing::error!("the demonstration portal cannot start: {e}");
    }
}

/// Connects and authenticates without sending anything: a pull of nothing.
pub async fn test_connection(account: &Account) -> Result<(), ChannelError> {
    let channel = AnyChannel::for_account(account, &OsKeyring)?;
    channel.pull(&[], None).await.map(|_| ())
}

/// Facteur's own `.pdf` copy of a checked document, to hand to a viewer:
/// `outbox/<sha256>.pdf`, made from `original` when it is missing and the
/// file there still has the checked content. Never the original path: its
/// name may end in `.hta`, `.exe` or anything the system would run.
/// `None` when no copy exists and the original is gone or changed.
pub fn pdf_copy(home: &Path, original: &str, sha256: &str) -> Option<std::path::PathBuf> {
    // The digest names the file: hexadecimal only, never a path.
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let copy = home.join(format!("outbox/{sha256}.pdf"));
    if copy.is_file() {
        return Some(copy);
    }
    match facteur::send::outbox::copy_payload(home, Path::new(original), sha256, &[]) {
        Ok(Some(p)) => Some(home.join(p.path)),
        Ok(None) => None,
        Err(e) => {
            tracing::info!("no copy of the PDF to open: {e}");
            None
        }
    }
}

/// Whether the file at `path` is a PDF by its first bytes (a standalone
/// XML invoice's copy is not).
pub fn is_pdf_file(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .is_ok()
        && matches!(facteur::pdf::sniff(&head), facteur::pdf::Sniff::Pdf(_))
}

/// Opens a PDF with the system's default viewer, through the platform's
/// opener (ShellExecute on Windows, `open` on macOS, the desktop's opener
/// on Linux), never through a command shell that would parse its name.
/// Only a `.pdf` path is opened.
pub fn open_with_system(path: &Path) -> std::io::Result<()> {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !is_pdf {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "only a .pdf file is opened",
        ));
    }
    open::that_detached(path)
}

/// Adds a watched folder ("check only", no tidy-up: the user changes that
/// in the section) and starts watching it.
pub fn add_folder<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<FoldersView, UiError> {
    let shell = app.state::<Shell>();
    folders::add(
        &mut shell.db(),
        path,
        &folders::NewFolder::default(),
        store::now_ms(),
    )?;
    folders_changed(app)
}

/// The folders' settings changed: the watcher starts again with them, and
/// the page (and the tray) hear it.
pub fn folders_changed<R: Runtime>(app: &AppHandle<R>) -> Result<FoldersView, UiError> {
    let shell = app.state::<Shell>();
    shell.reload_folders();
    let view = shell.folders_view()?;
    let _ = app.emit("folders-changed", view.clone());
    Ok(view)
}

/// How long a file must stay the same before the window's watcher takes
/// it: `FACTEUR_SETTLE_SECONDS`, 2 s by default.
fn settle_time() -> Duration {
    facteur::send::channel::http::env_seconds("FACTEUR_SETTLE_SECONDS")
        .unwrap_or(Duration::from_secs(2))
}

/// Watches the configured folders on a thread of its own for as long as
/// the app runs (window shown or hidden): each settled file is checked,
/// recorded and, for a "check and submit" folder, queued and sent by
/// [`work_outbox`]. Emits `watch-taken` after files were taken (the page
/// reloads its list), `counts-changed`, and `folders-changed` with the
/// live counts at most twice a second. Starts again when the settings
/// change, and every 30 s while a folder is missing.
pub fn start_watcher<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || watcher_loop(&app));
}

#[derive(Clone, Serialize)]
struct WatchTaken {
    checked: usize,
    moved: usize,
}

/// `watch-problem`: a file the store or the disk could not take for now
/// (or the database itself, `path` then `None`); it is tried again.
#[derive(Clone, Serialize)]
struct WatchProblem {
    path: Option<String>,
    error: String,
    retry_in_ms: u64,
}

/// One second, doubling with each failure, at most a minute.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1)
        .saturating_mul(1u32 << failures.saturating_sub(1).min(6))
        .min(Duration::from_secs(60))
}

fn watcher_loop<R: Runtime>(app: &AppHandle<R>) {
    let shell = app.state::<Shell>();
    let home = shell.home.clone();
    // The database may be busy or unreachable for a moment (another
    // process migrating it, a full disk): watching waits for it, never
    // gives up.
    let mut failures = 0u32;
    let mut db = loop {
        match Store::open_home(&home) {
            Ok(db) => break db,
            Err(e) => {
                failures += 1;
                let wait = backoff(failures);
                tracing::warn!(
                    "watched folders: the database cannot be opened, trying again in {} s: {e}",
                    wait.as_secs()
                );
                let _ = app.emit(
                    "watch-problem",
                    WatchProblem {
                        path: None,
                        error: e.to_string(),
                        retry_in_ms: wait.as_millis() as u64,
                    },
                );
                std::thread::sleep(wait);
            }
        }
    };
    let lookup = PlateformeLookup {
        secrets: &OsKeyring,
    };
    let mut running: Option<Watch> = None;
    let mut started = false;
    let mut since_start = Instant::now();
    // What folders took before the last restart of the watcher.
    let mut before: HashMap<i64, Counts> = HashMap::new();
    let mut published: Option<HashMap<i64, Counts>> = None;
    let mut last_publish = Instant::now() - Duration::from_secs(1);
    loop {
        let missing = !lock(&shell.watching.missing).is_empty();
        if shell.watching.reload.swap(false, Ordering::SeqCst)
            || !started
            || (missing && since_start.elapsed() >= Duration::from_secs(30))
        {
            if let Some(w) = running.take() {
                for c in w.counts() {
                    if let Some(id) = c.id {
                        let b = before.entry(id).or_default();
                        b.taken += c.counts.taken;
                        b.accepted += c.counts.accepted;
                        b.blocked += c.counts.blocked;
                    }
                }
            }
            running = start_watching(app, &shell, &db);
            started = true;
            since_start = Instant::now();
            published = None;
        }
        let Some(w) = running.as_mut() else {
            publish_counts(app, &shell, &before, None, &mut published);
            std::thread::sleep(Duration::from_millis(250));
            continue;
        };
        let taken = w.poll(&mut db, &home, &lookup);
        after_poll(app, &db, w, &taken);
        if last_publish.elapsed() >= Duration::from_millis(500) {
            last_publish = Instant::now();
            publish_counts(app, &shell, &before, running.as_ref(), &mut published);
        }
    }
}

/// The watcher for the folders as configured now: none when every folder
/// is paused or missing. An earlier run's queue is worked first.
fn start_watching<R: Runtime>(app: &AppHandle<R>, shell: &Shell, db: &Store) -> Option<Watch> {
    let mut missing = HashSet::new();
    let mut list = Vec::new();
    let configured = folders::list(db).unwrap_or_else(|e| {
        tracing::error!("watched folders: {e}");
        Vec::new()
    });
    if shell.settings().watch_paused {
        tracing::info!("watched folders: paused");
    } else {
        for f in configured {
            if f.paused {
                continue;
            }
            if !f.path.is_dir() {
                tracing::warn!(folder = %f.path.display(), "watched folder not found: not watched");
                missing.insert(f.id);
                continue;
            }
            match f.to_watch(db) {
                Ok(w) => list.push(w),
                Err(e) => tracing::warn!(folder = %f.path.display(), "not watched: {e}"),
            }
        }
    }
    *lock(&shell.watching.missing) = missing;
    if list.is_empty() {
        return None;
    }
    let accounts: BTreeMap<String, Account> = list
        .iter()
        .filter_map(|f| f.submit_to.clone())
        .map(|a| (a.name.clone(), a))
        .collect();
    // The watcher reads the learned layouts itself, again whenever the
    // owner teaches one.
    let opts = watch::Options {
        settle: settle_time(),
        ..watch::Options::default()
    };
    match Watch::start(list, opts) {
        Ok(w) => {
            tracing::info!(folders = w.folders().len(), "watching folders");
            for account in accounts.into_values() {
                work_outbox(app.clone(), account);
            }
            Some(w)
        }
        Err(e) => {
            tracing::error!("watched folders: {e}");
            None
        }
    }
}

fn after_poll<R: Runtime>(app: &AppHandle<R>, db: &Store, w: &Watch, taken: &[Taken]) {
    let mut checked = 0;
    let mut moved = 0;
    let mut queued: BTreeMap<String, Account> = BTreeMap::new();
    for t in taken {
        if let Some(name) = t.queued_for() {
            let named = w
                .folders()
                .iter()
                .filter_map(|f| f.submit_to.as_ref())
                .find(|a| a.name == name)
                .cloned();
            // Routing may have chosen an account no folder names.
            let account = named.or_else(|| facteur::send::accounts::resolve(db, Some(name)).ok());
            if let Some(a) = account {
                queued.insert(name.to_string(), a);
            }
        }
        match t {
            Taken::Checked { .. } => checked += 1,
            Taken::Moved { .. } => moved += 1,
            Taken::Unreadable { path, error } | Taken::NotMoved { path, error } => {
                tracing::warn!(path = %path.display(), "watched folder: {error}");
            }
            Taken::Deferred {
                path,
                error,
                retry_in_ms,
            } => {
                let _ = app.emit(
                    "watch-problem",
                    WatchProblem {
                        path: Some(path.display().to_string()),
                        error: error.clone(),
                        retry_in_ms: *retry_in_ms,
                    },
                );
            }
            Taken::Known { .. } => {}
        }
    }
    if checked + moved > 0 {
        let _ = app.emit("watch-taken", WatchTaken { checked, moved });
    }
    if checked > 0 {
        let _ = app.emit("counts-changed", ());
        attention_changed(app);
    }
    for account in queued.into_values() {
        work_outbox(app.clone(), account);
    }
}

/// Keeps the counts the commands read, and tells the page when they
/// changed.
fn publish_counts<R: Runtime>(
    app: &AppHandle<R>,
    shell: &Shell,
    before: &HashMap<i64, Counts>,
    running: Option<&Watch>,
    published: &mut Option<HashMap<i64, Counts>>,
) {
    let mut now = before.clone();
    for c in running.map(Watch::counts).unwrap_or_default() {
        if let Some(id) = c.id {
            let n = now.entry(id).or_default();
            n.taken += c.counts.taken;
            n.accepted += c.counts.accepted;
            n.blocked += c.counts.blocked;
            n.waiting = c.counts.waiting;
        }
    }
    if published.as_ref() == Some(&now) {
        return;
    }
    *lock(&shell.watching.counts) = now.clone();
    *published = Some(now);
    if let Ok(view) = shell.folders_view() {
        let _ = app.emit("folders-changed", view);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// « Ouvrir le PDF » on a file dropped as `facture.hta`: what is handed
    /// to the viewer is Facteur's own `<sha256>.pdf` copy with the checked
    /// bytes, never the original name; a changed original gives nothing.
    #[test]
    fn the_pdf_to_open_is_facteurs_own_pdf_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let original = tmp.path().join("facture.hta");
        let bytes = b"%PDF-1.7\n% a checked invoice\n%%EOF\n";
        std::fs::write(&original, bytes).unwrap();
        let sha = facteur::hex::sha256(bytes);
        let copy = pdf_copy(&home, original.to_str().unwrap(), &sha).unwrap();
        assert_eq!(copy, home.join(format!("outbox/{sha}.pdf")));
        assert_eq!(std::fs::read(&copy).unwrap(), bytes);
        assert!(
            open_with_system(&original).is_err(),
            "only a .pdf is opened"
        );

        std::fs::write(&original, b"<script>changed</script>").unwrap();
        let other = facteur::hex::sha256(b"something else");
        assert_eq!(pdf_copy(&home, original.to_str().unwrap(), &other), None);
        assert_eq!(
            pdf_copy(&home, original.to_str().unwrap(), "../../etc/passwd"),
            None
        );
        // The copy made first is still what opens.
        assert_eq!(pdf_copy(&home, "/nowhere.hta", &sha), Some(copy));
    }
}
