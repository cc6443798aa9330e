//! The local SQLite mirror: every document Facteur has checked, the invoice
//! it carries, each submission attempt, and every status the portals (or
//! Facteur itself) reported, with the raw wording beside the canonical status.
//!
//! Invariants kept here: status events and check results are append-only
//! (SQLite triggers refuse updates and deletes); an invoice's current status
//! is derived from its events and written in the same transaction as the
//! event; the schema is applied by numbered migrations embedded in the binary,
//! in one transaction, after a backup of an existing database.
//!
//! This module holds the [`Store`] itself: opening, configuring, backing up
//! and migrating the database, its error type and the helpers every table
//! family shares. Each family of tables is a submodule adding its methods
//! to the same [`Store`]: [`documents`] (documents and checks), [`invoices`]
//! (invoices and the duplicate rules), [`events`] (status events),
//! [`outbox`] (submission attempts), [`sync`] (what a portal sync brings
//! back), [`corrections`], [`folders`] (the watched folders' settings),
//! [`accounts`] (the portal accounts' settings, never their secrets),
//! [`customers`] (the customer directory), [`settings`] (plain settings)
//! and [`directory_cache`] (the plateformes' Directory answers).
//! Only this module and its families write SQL.
//!
//! Deliberately not here: talking to portals (submission), mapping portal
//! vocabularies (that is [`crate::mirror::lifecycle`]), guidance wording
//! ([`crate::mirror::guidance`]), and secrets, which never enter the database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::mirror::lifecycle::{Status, Vocabulary};

pub mod accounts;
pub mod corrections;
pub mod customers;
pub mod directory_cache;
pub mod documents;
pub mod events;
pub mod folders;
pub mod intake;
pub mod invoices;
pub mod layouts;
pub mod outbox;
pub mod settings;
pub mod sync;

pub use corrections::CorrectionLink;
pub use documents::{MadeRefusal, Recorded};
pub use events::{EventRow, NewEvent, Source};
pub use intake::{QueueWith, RecordedAndQueued};
pub use invoices::{Duplicate, DuplicateKind, InvoiceRow, ListFilter, SubmitDecision};
pub use outbox::{Delivery, NewSubmission, OpenSubmission, Outcome, SubmissionRow};
pub use sync::{PullCounts, PulledEvent, UnmatchedRow};

/// The database file inside `FACTEUR_HOME`.
pub const DB_FILE: &str = "facteur.db";

/// Numbered migrations; a shipped one is never edited.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/001_initial.sql"),
    include_str!("../../../migrations/002_submissions.sql"),
    include_str!("../../../migrations/003_accounts.sql"),
    include_str!("../../../migrations/004_outbox.sql"),
    include_str!("../../../migrations/005_corrections.sql"),
    include_str!("../../../migrations/006_watched_folders.sql"),
    include_str!("../../../migrations/007_directory.sql"),
    include_str!("../../../migrations/008_plateforme.sql"),
    include_str!("../../../migrations/009_ambiguous.sql"),
    include_str!("../../../migrations/010_layouts.sql"),
    include_str!("../../../migrations/011_every_document_listed.sql"),
    include_str!("../../../migrations/012_customer_addresses.sql"),
    include_str!("../../../migrations/013_made_facturx.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot bring the database schema up to date: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot back up the database before migrating it to {path}: {source}")]
    Backup {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the folder for the database {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the check report has no content hash")]
    NoHash,
    #[error("no invoice matches \"{0}\"")]
    NotFound(String),
    #[error("\"{0}\" matches several invoices; use its #id")]
    Ambiguous(String),
    /// The invoice already left (or is leaving) the machine: its number is
    /// the one the portal knows.
    #[error("invoice #{0} was already sent: its number can no longer change")]
    NumberFixed(i64),
    /// An empty number, or one no portal takes.
    #[error("\"{0}\" is not an invoice number: 1 to 64 printable characters")]
    BadNumber(String),
    #[error("cannot serialise the check report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
    /// A customer's identifier another customer of the directory already
    /// has (see [`customers`]).
    #[error("{field} {value} already names another customer: one identifier, one customer")]
    IdentifierTaken { field: String, value: String },
}

type Result<T> = std::result::Result<T, StoreError>;

/// The local mirror.
pub struct Store {
    conn: Connection,
    /// The `FACTEUR_HOME` it was opened from ([`Store::open_home`]).
    home: Option<PathBuf>,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

impl Store {
    /// Opens (creating if needed) `home/facteur.db`.
    pub fn open_home(home: &Path) -> Result<Store> {
        crate::home::create_private_dir(home).map_err(|source| StoreError::Folder {
            path: home.to_path_buf(),
            source,
        })?;
        let mut store = Store::open(&home.join(DB_FILE))?;
        store.home = Some(home.to_path_buf());
        Ok(store)
    }

    /// Opens a database file, backing it up and migrating it if its schema
    /// is older than this program's.
    ///
    /// A number that changes whenever another connection (another process,
    /// or another `Store` of this one) commits a change to the database: a
    /// window polls it to refresh its list, counts and detail together,
    /// whoever made the change (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Several processes may open the same new file at once (the app, the
    /// watcher, the CLI): whoever gets the write lock migrates, the others
    /// wait for it, and a lock lost in that race is retried.
    pub fn open(path: &Path) -> Result<Store> {
        let mut attempt = 0;
        loop {
            match Store::try_open(path) {
                Err(StoreError::Sqlite(e)) if is_busy(&e) && attempt < OPEN_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(50 * attempt));
                }
                other => return other,
            }
        }
    }

    fn try_open(path: &Path) -> Result<Store> {
        // The database holds customers' IBANs and SIRETs: created 0600 on
        // Unix before SQLite opens it (its WAL and shared-memory files take
        // the database's mode), an older looser one tightened.
        if let Err(e) = crate::home::private_file()
            .truncate(false)
            .create_new(true)
            .open(path)
            && e.kind() != std::io::ErrorKind::AlreadyExists
        {
            tracing::debug!(path = %path.display(), "cannot pre-create the database: {e}");
        }
        for p in [
            path.to_path_buf(),
            path.with_extension("db-wal"),
            path.with_extension("db-shm"),
        ] {
            crate::home::make_private(&p);
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        // Migrations take the write lock up front (and wait for it) instead
        // of failing when a reader upgrades.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        let m = migrations();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        // A database with data of an older schema is copied first; a new,
        // empty one has nothing to lose.
        if version > 0 && m.pending_migrations(&conn)? > 0 {
            backup(&conn, path, version)?;
        }
        migrate(&mut conn, &m)?;
        conn.set_transaction_behavior(TransactionBehavior::Deferred);
        Ok(Store { conn, home: None })
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate(&mut conn, &migrations())?;
        Ok(Store { conn, home: None })
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// SQLite's own consistency check; `["ok"]` when sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// A write transaction, taking the write lock up front: the families'
    /// writes go through it.
    fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// Attempts at opening a database another process holds locked.
const OPEN_RETRIES: u64 = 20;

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // journal_mode answers with a row; the others do not.
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(())
}

/// Applies pending migrations in one transaction. Another process may be
/// migrating the same file at the same moment: if ours fails and the schema
/// is now current, theirs won.
fn migrate(conn: &mut Connection, m: &Migrations<'static>) -> Result<()> {
    match m.to_latest(conn) {
        Ok(()) => Ok(()),
        Err(_) if m.pending_migrations(conn).unwrap_or(1) == 0 => Ok(()),
        Err(rusqlite_migration::Error::RusqliteError { err, .. }) if is_busy(&err) => {
            Err(StoreError::Sqlite(err))
        }
        Err(e) => Err(e.into()),
    }
}

/// Copies the database beside itself (`facteur.db.bak-v1-<ms>-<pid>`) before a
/// migration, so a failed or unwanted upgrade loses nothing.
fn backup(conn: &Connection, path: &Path, version: i64) -> Result<PathBuf> {
    let target = path.with_extension(format!(
        "db.bak-v{version}-{}-{}",
        now_ms(),
        std::process::id()
    ));
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(|source| StoreError::Backup {
            path: target.clone(),
            source,
        })?;
    crate::home::make_private(&target);
    tracing::info!(backup = %target.display(), "database backed up before migration");
    Ok(target)
}

/// One of Facteur's own status events for an outbox attempt.
pub fn local_event(
    status: Status,
    reason: Option<String>,
    submission_id: i64,
    now_ms: i64,
) -> NewEvent {
    NewEvent {
        at_ms: now_ms,
        source: Source::Outbox,
        vocabulary: Vocabulary::Local,
        raw_status: status.as_str().to_string(),
        raw_reason: reason,
        submission_id: Some(submission_id),
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// `2026-11-22 14:03` in the system time zone.
pub fn format_ms(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => ms.to_string(),
    }
}

/// What the families' unit tests share: a checked sample invoice and a
/// portal's answer.
#[cfg(test)]
mod testing {
    use std::path::Path;

    use super::{NewEvent, Source};
    use crate::check::{Options, Report, check_bytes};
    use crate::demo::sample::{SampleInvoice, invoice_pdf};
    use crate::mirror::lifecycle::Vocabulary;

    pub(super) fn report(n: u32) -> Report {
        let bytes = invoice_pdf(&SampleInvoice::example(n), false);
        check_bytes(
            Path::new(&format!("f{n}.pdf")),
            bytes.len() as u64,
            &bytes,
            &Options::default(),
        )
    }

    pub(super) fn portal(raw: &str, reason: Option<&str>, at_ms: i64) -> NewEvent {
        NewEvent {
            at_ms,
            source: Source::PortalMail,
            vocabulary: Vocabulary::Generix,
            raw_status: raw.into(),
            raw_reason: reason.map(str::to_string),
            submission_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_database_has_the_latest_schema() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        migrations().validate().unwrap();
    }
}
