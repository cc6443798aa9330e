//! Watched folders: the invoices an accounting program exports into a
//! folder are taken, each once it is complete, checked and recorded, and —
//! for a folder set to "check and submit" — queued for its account, all
//! through the intake pipeline ([`crate::intake::pipeline`]: the check and
//! the attempt are one transaction).
//!
//! Watching never stops on a store or disk error (a busy or locked
//! database, a full disk): the file is reported [`Taken::Deferred`] and
//! taken again after a wait that doubles up to a minute; it is never
//! forgotten. On a rescan, a file whose content is known and whose invoice
//! may leave but never had an attempt is queued.
//!
//! A file is taken when its size and modification time have not changed for
//! a settling time ([`Options::settle`]) and it can be opened; temporary and
//! partial files (`~$*`, `*.tmp`, `*.part`, `*.crdownload`, hidden files)
//! wait until they are renamed. At start, and whenever the operating
//! system's watcher reports an overflow or an error, every folder is walked
//! again, so what arrived while Facteur was closed is caught. A file whose
//! content (SHA-256) is already in the store is never taken again, so a
//! re-export, a restart or a kill -9 in the middle of a burst takes nothing
//! twice; the same seller and number with another content is flagged by the
//! store's duplicate rules, never sent silently.
//!
//! Tidy-up (per folder, off by default) moves each processed file into a
//! subfolder of its watched folder, named for what became of it
//! ([`Tidy`]): `envoyées` (delivered to the portal), `bloquées` (blocked by a
//! check or by the duplicate rules), `à vérifier` (a sending that needs the
//! user: interrupted without an answer, or failed) and `contrôlées`
//! (checked and accepted, not sent: "check only" folders). Where a file
//! goes is read from the store, so a file of a "check and submit" folder
//! stays where it is until the outbox delivered it, and a restart finds it
//! again. A file is hashed again just before it is moved: one whose
//! content changed since it was taken stays where it is. Files are moved,
//! never deleted; a name already taken gets
//! ` (2)`, ` (3)`… and no file is ever overwritten; the subfolders keep
//! the file's place below the watched folder, and they are never watched
//! nor taken themselves.
//!
//! Deliberately not here: the checking rules (`check`), the sending
//! (`outbox`: the caller works the queue this fills), the folders'
//! configuration (`folders`), and any user interface (the CLI's
//! `facteur watch` and the window show what [`Watch::poll`] reports).

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant, SystemTime};

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use serde::Serialize;

use crate::check::{self, Options as CheckOptions};
use crate::intake::pipeline::{self, Destination, DirectoryLookup, Outcome, PipelineError};
use crate::mirror::store::{self, Store, StoreError};
use crate::send::accounts::Account;
use crate::send::directory::Msg;

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("{path} is not a folder")]
    NotAFolder { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

pub type Result<T> = std::result::Result<T, WatchError>;

/// One watched folder.
#[derive(Debug, Clone)]
pub struct Folder {
    pub path: PathBuf,
    /// Its subfolders too.
    pub recursive: bool,
    /// "Check and submit" to this account; `None`: check only.
    pub submit_to: Option<Account>,
    /// "Check and submit" by automatic routing: the customer directory
    /// decides each invoice's account ([`crate::send::route`]); `submit_to` is
    /// then the default account, used while the directory is empty.
    pub routed: bool,
    /// Move each processed file into a subfolder ([`Tidy`]).
    pub tidy: bool,
    /// Its id among the configured folders (`crate::intake::folders`), if it is one.
    pub id: Option<i64>,
    /// Make the Factur-X of each plain PDF ([`crate::intake::made::take_making`]).
    pub make_facturx: bool,
}

/// Where tidy-up puts a processed file: a subfolder of its watched folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tidy {
    /// Delivered to the portal: `envoyées`.
    Sent,
    /// Blocked by a check or by the store's duplicate rules: `bloquées`.
    Blocked,
    /// A sending that needs the user (interrupted without an answer, or
    /// failed): `à vérifier`.
    ToVerify,
    /// Checked and accepted, not sent ("check only"): `contrôlées`.
    Checked,
}

impl Tidy {
    pub const ALL: [Tidy; 4] = [Tidy::Sent, Tidy::Blocked, Tidy::ToVerify, Tidy::Checked];

    /// The subfolder's name.
    pub fn dir_name(self) -> &'static str {
        match self {
            Tidy::Sent => "envoyées",
            Tidy::Blocked => "bloquées",
            Tidy::ToVerify => "à vérifier",
            Tidy::Checked => "contrôlées",
        }
    }
}

/// A folder name compared whatever the system did to its accents
/// (decomposed on some file systems) and case.
fn name_key(name: &str) -> String {
    let composed: String = name
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect();
    crate::check::text::fold(&composed)
}

/// Whether a path, relative to its watched folder, lies inside one of the
/// folder's tidy-up subfolders.
pub fn in_tidy_dir(relative: &Path) -> bool {
    let mut parts = relative.components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(first)), Some(_)) => {
            let key = name_key(&first.to_string_lossy());
            Tidy::ALL.iter().any(|t| name_key(t.dir_name()) == key)
        }
        _ => false,
    }
}

/// Moves a file into `dir` (created if needed) under its own name, or with
/// ` (2)`, ` (3)`… before the extension when that name is taken: never over
/// another file, never a copy left behind. Returns where it went.
pub fn move_into(path: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    use std::io::{Error, ErrorKind};
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "no file name"))?;
    let stem = Path::new(name)
        .file_stem()
        .map(OsString::from)
        .unwrap_or_else(|| name.to_os_string());
    let ext = Path::new(name).extension();
    for n in 1..=9_999u32 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            let mut s = stem.clone();
            s.push(format!(" ({n})"));
            if let Some(ext) = ext {
                s.push(".");
                s.push(ext);
            }
            dir.join(s)
        };
        // A hard link is made only under a free name (the system refuses
        // an existing one, atomically), then the old name is dropped.
        let made = match std::fs::hard_link(path, &candidate) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            // No hard links on this file system (FAT, some shares): a copy
            // under a name that must be new.
            Err(_) => copy_new(path, &candidate),
        };
        match made {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
        if let Err(e) = std::fs::remove_file(path) {
            // The original stays: take the second name back.
            let _ = std::fs::remove_file(&candidate);
            return Err(e);
        }
        return Ok(candidate);
    }
    Err(Error::new(
        ErrorKind::AlreadyExists,
        "too many files with this name",
    ))
}

/// Copies a file to a name that must not exist yet, with its date.
fn copy_new(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut src = std::fs::File::open(from)?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let copied = std::io::copy(&mut src, &mut dst)
        .and_then(|_| dst.sync_all())
        .and_then(|()| src.metadata()?.modified())
        .and_then(|t| dst.set_modified(t));
    if let Err(e) = copied {
        // Only our own partial copy is removed.
        drop(dst);
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    Ok(())
}

/// Where a file with this content belongs now, from what the store knows;
/// `None` while its invoice waits for the outbox (queued or being sent),
/// or when the content is unknown.
pub fn disposition(store: &Store, sha256: &str) -> Result<Option<Tidy>> {
    let Some(fate) = store.document_fate(sha256)? else {
        return Ok(None);
    };
    if fate.invoice_id.is_some() {
        match fate.last_outcome.as_deref() {
            Some("queued" | "sending") => return Ok(None),
            Some("sent") => return Ok(Some(Tidy::Sent)),
            Some(_) => return Ok(Some(Tidy::ToVerify)),
            None => {}
        }
        if fate.status == Some(crate::mirror::lifecycle::Status::Blocked) {
            return Ok(Some(Tidy::Blocked));
        }
    }
    Ok(Some(match fate.verdict.as_deref() {
        Some("accepted") => Tidy::Checked,
        _ => Tidy::Blocked,
    }))
}

/// What a folder took since watching started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Files checked and recorded (a content already known is not counted).
    pub taken: u64,
    pub accepted: u64,
    /// Blocked by a check or by the duplicate rules.
    pub blocked: u64,
    /// Files seen and settling, plus files of a tidy folder waiting for
    /// the outbox before they are moved.
    pub waiting: u64,
}

/// One folder's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderCounts {
    pub id: Option<i64>,
    pub path: PathBuf,
    #[serde(flatten)]
    pub counts: Counts,
}

/// How watching behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a file's size and modification time must stay the same
    /// before it is taken.
    pub settle: Duration,
    /// How often waiting files are looked at again.
    pub tick: Duration,
    pub check: CheckOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settle: Duration::from_secs(2),
            tick: Duration::from_millis(200),
            check: CheckOptions::default(),
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "taken", rename_all = "snake_case")]
pub enum Taken {
    /// Checked and recorded.
    Checked {
        path: PathBuf,
        invoice_id: Option<i64>,
        number: Option<String>,
        accepted: bool,
        /// Queued for this account ("check and submit").
        queued_for: Option<String>,
        /// Not queued, in both languages: held (a Factur-X to review…),
        /// refused by the store (already sent, duplicate…), or changed.
        refused: Option<Msg>,
    },
    /// Its content is already in the store: not taken again. On a rescan
    /// of a "check and submit" folder, an invoice that may leave and never
    /// had an attempt is queued for this account.
    Known {
        path: PathBuf,
        #[serde(skip_serializing_if = "Option::is_none")]
        queued_for: Option<String>,
    },
    /// Could not be read (gone, no permission): tried again if it changes.
    Unreadable { path: PathBuf, error: String },
    /// The store or the disk failed while taking it (a busy or locked
    /// database, a full disk): nothing of it was recorded, and it is
    /// taken again in `retry_in_ms`.
    Deferred {
        path: PathBuf,
        error: String,
        retry_in_ms: u64,
    },
    /// Tidied up: moved into a subfolder of its watched folder.
    Moved {
        path: PathBuf,
        to: PathBuf,
        into: Tidy,
    },
    /// Tidy-up could not move it (or its content changed since it was
    /// taken): it stays where it is.
    NotMoved { path: PathBuf, error: String },
}

impl Taken {
    /// The account it was queued for, if it was.
    pub fn queued_for(&self) -> Option<&str> {
        match self {
            Taken::Checked { queued_for, .. } | Taken::Known { queued_for, .. } => {
                queued_for.as_deref()
            }
            _ => None,
        }
    }
}

/// How long a file whose taking failed waits before it is tried again:
/// one second, doubling with each failure, never more than a minute.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1)
        .saturating_mul(1u32 << failures.saturating_sub(1).min(6))
        .min(Duration::from_secs(60))
}

/// Whether a file name is a temporary or partial file, or hidden: such a
/// file waits until it is renamed to its final name.
pub fn is_ignored(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || [
            ".tmp",
            ".part",
            ".crdownload",
            ".partial",
            ".download",
            ".swp",
        ]
        .iter()
        .any(|s| lower.ends_with(s))
}

/// A file seen and not yet taken: its last size and modification time, and
/// since when they have not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    size: u64,
    mtime: Option<SystemTime>,
    since: Instant,
}

/// Waiting files and when each becomes complete; time is passed in.
#[derive(Debug, Default)]
pub struct Settler {
    waiting: HashMap<PathBuf, Seen>,
    /// Files already taken, with the size and date they had: noted again
    /// unchanged (reading a file makes the system report it), they are not
    /// taken twice.
    taken: HashMap<PathBuf, (u64, Option<SystemTime>)>,
}

impl Settler {
    /// Notes a path the watcher or a rescan reported.
    pub fn note(&mut self, path: PathBuf, now: Instant) {
        if is_ignored(&path) {
            return;
        }
        let (size, mtime) = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => (m.len(), m.modified().ok()),
            _ => {
                self.waiting.remove(&path);
                self.taken.remove(&path);
                return;
            }
        };
        if self.taken.get(&path) == Some(&(size, mtime)) {
            return;
        }
        let entry = self.waiting.entry(path).or_insert(Seen {
            size,
            mtime,
            since: now,
        });
        if entry.size != size || entry.mtime != mtime {
            *entry = Seen {
                size,
                mtime,
                since: now,
            };
        }
    }

    /// The files that stayed the same for `settle` and can be opened,
    /// removed from the waiting list, in path order. Files that changed
    /// start waiting again; files that vanished are forgotten.
    pub fn ready(&mut self, now: Instant, settle: Duration) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let paths: Vec<PathBuf> = self.waiting.keys().cloned().collect();
        for path in paths {
            let meta = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                _ => {
                    self.waiting.remove(&path);
                    continue;
                }
            };
            let (size, mtime) = (meta.len(), meta.modified().ok());
            let seen = self.waiting.get_mut(&path).expect("listed above");
            if seen.size != size || seen.mtime != mtime {
                *seen = Seen {
                    size,
                    mtime,
                    since: now,
                };
                continue;
            }
            // An empty file is a file being created: wait for content.
            if size == 0 || now.duration_since(seen.since) < settle {
                continue;
            }
            // Still held open for writing elsewhere (Windows refuses the
            // open; elsewhere it opens and the stable size decides).
            if std::fs::File::open(&path).is_err() {
                continue;
            }
            self.waiting.remove(&path);
            self.taken.insert(path.clone(), (size, mtime));
            out.push(path);
        }
        out.sort();
        out
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Forgets a path (its file was moved away): a new file under that
    /// name is a new file.
    pub fn forget(&mut self, path: &Path) {
        self.waiting.remove(path);
        self.taken.remove(path);
    }
}

/// Watching some folders: the OS watcher (debounced), the waiting files,
/// and a flag asking for a full rescan.
pub struct Watch {
    folders: Vec<Folder>,
    opts: Options,
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    settler: Settler,
    rescan: bool,
    /// Files of tidy folders taken and not moved yet (waiting for the
    /// outbox): their content hash.
    to_tidy: BTreeMap<PathBuf, String>,
    last_tidy: Instant,
    counts: Vec<Counts>,
    /// Files whose taking failed (store or disk): when each is tried
    /// again, and how many times it failed in a row.
    retry: BTreeMap<PathBuf, (Instant, u32)>,
    /// The store's layouts stamp the checker's learned layouts were read
    /// with (`None`: not read yet).
    layouts_stamp: Option<(i64, i64, i64)>,
}

impl Watch {
    /// Starts watching; the first [`Watch::poll`] walks every folder.
    pub fn start(folders: Vec<Folder>, opts: Options) -> Result<Watch> {
        let (tx, rx) = channel();
        let mut debouncer =
            new_debouncer(Duration::from_millis(100), None, tx).map_err(|source| {
                WatchError::Watch {
                    path: PathBuf::new(),
                    source,
                }
            })?;
        for f in &folders {
            if !f.path.is_dir() {
                return Err(WatchError::NotAFolder {
                    path: f.path.clone(),
                });
            }
            let mode = if f.recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            debouncer
                .watch(&f.path, mode)
                .map_err(|source| WatchError::Watch {
                    path: f.path.clone(),
                    source,
                })?;
        }
        let counts = vec![Counts::default(); folders.len()];
        Ok(Watch {
            folders,
            opts,
            _debouncer: debouncer,
            events: rx,
            settler: Settler::default(),
            rescan: true,
            to_tidy: BTreeMap::new(),
            last_tidy: Instant::now(),
            counts,
            retry: BTreeMap::new(),
            layouts_stamp: None,
        })
    }

    /// How many learned layouts guide the reading of the files taken now
    /// (as read at the last file taken).
    pub fn layouts_learned(&self) -> usize {
        self.opts.check.layouts.len()
    }

    /// The layouts the owner taught (a confirmed reading in the window or
    /// `facteur read --confirm`, even while this watch runs) guide the
    /// reading of the next files: read again from the store whenever they
    /// changed. A store that cannot say keeps the layouts already read.
    fn refresh_layouts(&mut self, store: &Store) {
        let stamp = match store.layouts_stamp() {
            Ok(s) if Some(s) == self.layouts_stamp => return,
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("watch: learned layouts not read again: {e}");
                return;
            }
        };
        match crate::mirror::learned::layouts(store) {
            Ok(l) => {
                tracing::debug!(layouts = l.len(), "watch: learned layouts read");
                self.opts.check.layouts = std::sync::Arc::new(l);
                self.layouts_stamp = Some(stamp);
            }
            Err(e) => tracing::warn!("watch: learned layouts not read again: {e}"),
        }
    }

    /// Files seen and waiting to settle, files to be tried again after a
    /// failure, and files waiting for the outbox before tidy-up.
    pub fn waiting(&self) -> usize {
        self.settler.waiting() + self.retry.len() + self.to_tidy.len()
    }

    /// The folders watched.
    pub fn folders(&self) -> &[Folder] {
        &self.folders
    }

    /// What each folder took since watching started, and what waits.
    pub fn counts(&self) -> Vec<FolderCounts> {
        let mut counts = self.counts.clone();
        for path in self
            .settler
            .waiting
            .keys()
            .chain(self.retry.keys())
            .chain(self.to_tidy.keys())
        {
            if let Some(i) = self.folder_index(path) {
                counts[i].waiting += 1;
            }
        }
        self.folders
            .iter()
            .zip(counts)
            .map(|(f, counts)| FolderCounts {
                id: f.id,
                path: f.path.clone(),
                counts,
            })
            .collect()
    }

    /// The folder a path belongs to (the deepest one), unless it lies in
    /// one of that folder's tidy-up subfolders.
    fn folder_index(&self, path: &Path) -> Option<usize> {
        let (i, f) = self
            .folders
            .iter()
            .enumerate()
            .filter(|(_, f)| path.starts_with(&f.path))
            .filter(|(_, f)| f.recursive || path.parent() == Some(f.path.as_path()))
            .max_by_key(|(_, f)| f.path.as_os_str().len())?;
        let relative = path.strip_prefix(&f.path).ok()?;
        (!in_tidy_dir(relative)).then_some(i)
    }

    fn folder_of(&self, path: &Path) -> Option<&Folder> {
        self.folder_index(path).map(|i| &self.folders[i])
    }

    fn walk(&mut self, now: Instant) {
        for f in self.folders.clone() {
            let (files, errors) = if f.recursive {
                check::collect_paths(std::slice::from_ref(&f.path))
            } else {
                let mut files = Vec::new();
                if let Ok(rd) = std::fs::read_dir(&f.path) {
                    for e in rd.flatten() {
                        files.push(e.path());
                    }
                }
                (files, Vec::new())
            };
            for e in errors {
                tracing::warn!("watch: {e}");
            }
            for p in files {
                if self.folder_of(&p).is_some() {
                    self.settler.note(p, now);
                }
            }
        }
    }

    /// Waits up to one tick for the watcher's news, then takes every file
    /// that settled: checked, recorded and, for a "check and submit"
    /// folder, queued (the caller works the outbox), through the intake
    /// pipeline; `lookup` asks a plateforme's directory when routing needs
    /// it. Returns what was done. Never fails: a file the store or the
    /// disk could not take is said ([`Taken::Deferred`]) and tried again
    /// later, with a growing wait.
    pub fn poll(
        &mut self,
        store: &mut Store,
        home: &Path,
        lookup: &dyn DirectoryLookup,
    ) -> Vec<Taken> {
        let deadline = Instant::now() + self.opts.tick;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Ok(events)) => {
                    let now = Instant::now();
                    for ev in events {
                        // Reading a file (ours included) is no news.
                        if matches!(ev.kind, notify::EventKind::Access(_)) {
                            continue;
                        }
                        if ev.need_rescan() {
                            tracing::warn!("watch: the system lost track of events; rescanning");
                            self.rescan = true;
                        }
                        for p in &ev.paths {
                            if self.folder_of(p).is_some() {
                                self.settler.note(p.clone(), now);
                            }
                        }
                    }
                }
                Ok(Err(errors)) => {
                    for e in errors {
                        tracing::warn!("watch: {e}; rescanning");
                    }
                    self.rescan = true;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    self.rescan = true;
                    break;
                }
            }
        }
        if std::mem::take(&mut self.rescan) {
            self.walk(Instant::now());
        }
        let now = Instant::now();
        let mut ready = self.settler.ready(now, self.opts.settle);
        // Files that failed before, once their wait is over.
        for (path, (due, _)) in &self.retry {
            if *due <= now && !ready.contains(path) {
                ready.push(path.clone());
            }
        }
        if !ready.is_empty() {
            self.refresh_layouts(store);
        }
        let mut out = Vec::with_capacity(ready.len());
        for path in ready {
            let index = self.folder_index(&path);
            let folder = index.map(|i| self.folders[i].clone());
            let (taken, sha) = match take(
                store,
                home,
                &path,
                folder.as_ref(),
                &self.opts.check,
                lookup,
            ) {
                Ok(t) => {
                    self.retry.remove(&path);
                    t
                }
                Err(e) => {
                    let failures = self.retry.get(&path).map_or(0, |r| r.1) + 1;
                    let wait = backoff(failures);
                    self.retry
                        .insert(path.clone(), (Instant::now() + wait, failures));
                    tracing::warn!(
                        path = %path.display(),
                        retry_in_ms = wait.as_millis() as u64,
                        "watch: could not take the file, trying again later: {e}"
                    );
                    out.push(Taken::Deferred {
                        path,
                        error: e.to_string(),
                        retry_in_ms: wait.as_millis() as u64,
                    });
                    continue;
                }
            };
            if let (Some(i), Taken::Checked { accepted, .. }) = (index, &taken) {
                let c = &mut self.counts[i];
                c.taken += 1;
                if *accepted {
                    c.accepted += 1;
                } else {
                    c.blocked += 1;
                }
            }
            if let (Some(sha), true) = (sha, folder.is_some_and(|f| f.tidy)) {
                self.to_tidy.insert(path, sha);
            }
            out.push(taken);
        }
        // Files waiting for the outbox are looked at again once a second.
        if !self.to_tidy.is_empty()
            && (!out.is_empty() || self.last_tidy.elapsed() >= Duration::from_secs(1))
        {
            self.last_tidy = Instant::now();
            self.tidy_up(store, &mut out);
        }
        out
    }

    /// Moves every file waiting for tidy-up whose fate the store knows. A
    /// file is hashed again first: one whose content changed since it was
    /// taken stays where it is (it is a new export, taken as such).
    fn tidy_up(&mut self, store: &Store, out: &mut Vec<Taken>) {
        let files: Vec<(PathBuf, String)> = std::mem::take(&mut self.to_tidy).into_iter().collect();
        for (path, sha) in files {
            let Some(folder) = self.folder_of(&path).map(|f| f.path.clone()) else {
                continue;
            };
            // Moved or removed by someone else meanwhile.
            if !path.is_file() {
                continue;
            }
            let into = match disposition(store, &sha) {
                Ok(Some(into)) => into,
                Ok(None) => {
                    self.to_tidy.insert(path, sha);
                    continue;
                }
                Err(e) => {
                    // The store cannot say now: asked again at the next turn.
                    tracing::warn!(path = %path.display(), "tidy-up: {e}");
                    self.to_tidy.insert(path, sha);
                    continue;
                }
            };
            match sha256_of(&path) {
                Ok(now) if now == sha => {}
                Ok(_) => {
                    tracing::warn!(
                        path = %path.display(),
                        "tidy-up: the file changed since it was taken; left in place"
                    );
                    out.push(Taken::NotMoved {
                        path,
                        error: "its content changed since it was taken: left in place / son contenu a changé depuis sa prise : laissé à sa place".into(),
                    });
                    continue;
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), "tidy-up: {e}");
                    out.push(Taken::NotMoved {
                        path,
                        error: e.to_string(),
                    });
                    continue;
                }
            }
            let below = path
                .parent()
                .and_then(|p| p.strip_prefix(&folder).ok())
                .unwrap_or(Path::new(""));
            let dir = folder.join(into.dir_name()).join(below);
            match move_into(&path, &dir) {
                Ok(to) => {
                    self.settler.forget(&path);
                    tracing::info!(from = %path.display(), to = %to.display(), "tidied up");
                    out.push(Taken::Moved { path, to, into });
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), "tidy-up: {e}");
                    out.push(Taken::NotMoved {
                        path,
                        error: e.to_string(),
                    });
                }
            }
        }
    }
}

/// A file's SHA-256, lowercase hex, read in blocks.
fn sha256_of(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read as _;
    let mut f = crate::check::open_regular(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::hex::encode(&h.finalize()))
}

/// Takes one settled file through the intake pipeline; with what was
/// done, its content hash when it could be read.
fn take(
    store: &mut Store,
    home: &Path,
    path: &Path,
    folder: Option<&Folder>,
    opts: &CheckOptions,
    lookup: &dyn DirectoryLookup,
) -> Result<(Taken, Option<String>)> {
    let mut report = match check::check_file(path, opts) {
        Ok(r) => r,
        Err(e) => {
            return Ok((
                Taken::Unreadable {
                    path: path.to_path_buf(),
                    error: e.to_string(),
                },
                None,
            ));
        }
    };
    let sha = report.sha256.clone();
    let destination = match folder.and_then(|f| f.submit_to.as_ref().map(|a| (f, a))) {
        Some((f, account)) if f.routed => Destination::Routed {
            default: Some(&account.name),
        },
        Some((_, account)) => Destination::Account(account),
        None => Destination::CheckOnly,
    };
    let taken = if folder.is_some_and(|f| f.make_facturx) {
        crate::intake::made::take_making(
            store,
            home,
            &mut report,
            destination,
            lookup,
            store::now_ms(),
        )?
    } else {
        pipeline::take(
            store,
            home,
            pipeline::Request {
                input: pipeline::Input::Report(&mut report),
                destination,
                annexes: &[],
                once: true,
            },
            lookup,
            store::now_ms(),
        )?
    };
    let queued_for = match &taken.outcome {
        Outcome::Queued { account, .. } => Some(account.clone()),
        _ => None,
    };
    if taken.recorded.is_none() {
        return Ok((
            Taken::Known {
                path: path.to_path_buf(),
                queued_for,
            },
            sha,
        ));
    }
    // A blocked file says so already, and a file without a number was
    // never meant to leave.
    let refused = match &taken.outcome {
        Outcome::Held { .. } | Outcome::Refused { .. } | Outcome::Changed => {
            taken.outcome.why_not()
        }
        _ => None,
    };
    Ok((
        Taken::Checked {
            path: path.to_path_buf(),
            invoice_id: taken.outcome.invoice_id(),
            number: taken.number,
            accepted: taken.accepted,
            queued_for,
            refused,
        },
        sha,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_partial_and_hidden_files_wait_for_their_final_name() {
        for name in [
            "~$facture.pdf",
            "facture.pdf.tmp",
            "facture.PDF.part",
            "facture.pdf.crdownload",
            ".facture.pdf",
            "facture.pdf~",
        ] {
            assert!(is_ignored(Path::new(name)), "{name}");
        }
        for name in ["facture.pdf", "F 2026-01.PDF", "export~2026.pdf"] {
            assert!(!is_ignored(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn a_file_is_ready_only_after_it_stopped_changing_for_the_settling_time() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.pdf");
        std::fs::write(&p, b"%PDF-1.7 part").unwrap();
        let mut s = Settler::default();
        let t0 = Instant::now();
        let settle = Duration::from_secs(2);
        s.note(p.clone(), t0);
        assert!(s.ready(t0 + Duration::from_secs(1), settle).is_empty());
        // It grows: the clock starts again.
        std::fs::write(&p, b"%PDF-1.7 part and more").unwrap();
        assert!(s.ready(t0 + Duration::from_millis(2500), settle).is_empty());
        assert!(s.ready(t0 + Duration::from_millis(4000), settle).is_empty());
        assert_eq!(
            s.ready(t0 + Duration::from_millis(4600), settle),
            vec![p.clone()]
        );
        // Taken once: no longer waiting, and noted again unchanged (as
        // reading it makes the system report it) it is not taken again.
        assert!(s.ready(t0 + Duration::from_secs(10), settle).is_empty());
        s.note(p.clone(), t0 + Duration::from_secs(11));
        assert!(s.ready(t0 + Duration::from_secs(20), settle).is_empty());
        // Rewritten (a new export under the same name): taken again.
        std::fs::write(&p, b"%PDF-1.7 another export").unwrap();
        s.note(p.clone(), t0 + Duration::from_secs(21));
        assert_eq!(s.ready(t0 + Duration::from_secs(24), settle), vec![p]);
        // A temporary name is not even noted; an empty file waits.
        let tmp = dir.path().join("g.pdf.part");
        std::fs::write(&tmp, b"x").unwrap();
        s.note(tmp, t0);
        let empty = dir.path().join("h.pdf");
        std::fs::write(&empty, b"").unwrap();
        s.note(empty.clone(), t0);
        assert!(s.ready(t0 + Duration::from_secs(60), settle).is_empty());
        assert_eq!(s.waiting(), 1);
        // Gone before settling: forgotten.
        std::fs::remove_file(&empty).unwrap();
        assert!(s.ready(t0 + Duration::from_secs(61), settle).is_empty());
        assert_eq!(s.waiting(), 0);
    }
}
