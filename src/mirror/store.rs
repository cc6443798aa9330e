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
//! Deliberately not here: talking to portals (submission), mapping portal
//! vocabularies (that is [`crate::mirror::lifecycle`]), guidance wording
//! ([`crate::mirror::guidance`]), and secrets, which never enter the database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};
use serde::Serialize;

use crate::check::Report;
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::{self, Status, Vocabulary};

/// The database file inside `FACTEUR_HOME`.
pub const DB_FILE: &str = "facteur.db";

/// Numbered migrations; a shipped one is never edited.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/001_initial.sql"),
    include_str!("../../migrations/002_submissions.sql"),
    include_str!("../../migrations/003_accounts.sql"),
    include_str!("../../migrations/004_outbox.sql"),
    include_str!("../../migrations/005_corrections.sql"),
    include_str!("../../migrations/006_watched_folders.sql"),
    include_str!("../../migrations/007_directory.sql"),
    include_str!("../../migrations/008_plateforme.sql"),
    include_str!("../../migrations/009_ambiguous.sql"),
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
    #[error("cannot serialise the check report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
}

type Result<T> = std::result::Result<T, StoreError>;

/// Where a status event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    PortalApi,
    PortalMail,
    Manual,
    LocalCheck,
    /// Facteur's own outbox steps (queued, sending, to verify, delivered by mail…).
    Outbox,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PortalApi => "portal_api",
            Source::PortalMail => "portal_mail",
            Source::Manual => "manual",
            Source::LocalCheck => "local_check",
            Source::Outbox => "outbox",
        }
    }

    fn parse(s: &str) -> Source {
        match s {
            "portal_api" => Source::PortalApi,
            "portal_mail" => Source::PortalMail,
            "manual" => Source::Manual,
            "outbox" => Source::Outbox,
            _ => Source::LocalCheck,
        }
    }
}

/// A status as a portal (or Facteur) reported it, before mapping.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// When it happened, as the portal says (Unix milliseconds).
    pub at_ms: i64,
    pub source: Source,
    pub vocabulary: Vocabulary,
    pub raw_status: String,
    pub raw_reason: Option<String>,
    pub submission_id: Option<i64>,
}

/// One stored event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub at_ms: i64,
    pub recorded_ms: i64,
    pub source: Source,
    pub vocabulary: String,
    pub raw_status: String,
    pub raw_reason: Option<String>,
    /// `None` for informational events that do not change the status.
    pub status: Option<Status>,
    pub reason_code: Option<String>,
    pub mandatory: bool,
}

/// One invoice as listed.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceRow {
    pub id: i64,
    pub number: String,
    pub seller_siren: Option<String>,
    pub doc_type: String,
    pub issue_date: Option<String>,
    pub customer: Option<String>,
    pub buyer_siren: Option<String>,
    pub currency: Option<String>,
    pub total_without_tax: Option<String>,
    pub total_with_tax: Option<String>,
    pub portal: Option<String>,
    pub status: Status,
    pub reason_code: Option<String>,
    pub status_since_ms: i64,
    pub document_id: i64,
    pub path: String,
    pub sha256: String,
}

/// Why a document must not be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// Same seller and number already at a portal: the portal would answer "Doublon".
    AtPortal,
    /// Same number as an invoice the portal rejected: a corrected invoice needs a new number.
    RejectedNumber,
    /// Same number as another document not sent yet: one of them is stale.
    NotSentYet,
}

/// Another invoice with the same seller SIREN and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub kind: DuplicateKind,
    pub other_id: i64,
    pub other_number: String,
    pub other_status: Status,
}

impl Duplicate {
    /// Whether this blocks submission.
    pub fn blocks(&self) -> bool {
        !matches!(self.kind, DuplicateKind::NotSentYet)
    }
}

/// Whether an invoice may be handed to a portal now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum SubmitDecision {
    Allowed,
    /// Its check found an error: fix the file first.
    CheckFailed,
    /// This very content already left the machine (same SHA-256): never twice.
    AlreadySubmitted {
        status: Status,
    },
    /// Another invoice with the same seller and number is at a portal, or was rejected.
    Duplicate(Duplicate),
}

/// A submission attempt's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Queued,
    Sending,
    Sent,
    Failed,
    ToVerify,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Queued => "queued",
            Outcome::Sending => "sending",
            Outcome::Sent => "sent",
            Outcome::Failed => "failed",
            Outcome::ToVerify => "to_verify",
        }
    }
}

/// One stored submission attempt.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRow {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    pub account: Option<String>,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub outcome: String,
    pub portal_ref: Option<String>,
    pub error: Option<String>,
}

/// A new outbox entry (see [`Store::queue_submission`]).
#[derive(Debug, Clone)]
pub struct NewSubmission<'a> {
    pub invoice_id: i64,
    /// `submit`, `replay` or `resend`.
    pub kind: &'a str,
    pub channel: &'a str,
    pub account: &'a str,
    /// The portal's reference of the invoice being replayed.
    pub portal_ref: Option<&'a str>,
    /// The exact bytes' copy, relative to `FACTEUR_HOME`.
    pub payload: Option<&'a str>,
    /// JSON list of the annexes' outbox copies (see migration 004).
    pub annexes: Option<&'a str>,
    /// The customer's address for a direct e-mail (see migration 007).
    pub recipient: Option<&'a str>,
}

/// An outbox attempt not finished yet.
#[derive(Debug, Clone, Serialize)]
pub struct OpenSubmission {
    pub id: i64,
    pub invoice_id: i64,
    pub kind: String,
    pub channel: String,
    pub account: Option<String>,
    /// `sending` (a process was sending it) rather than `queued`.
    pub sending: bool,
    pub payload: Option<String>,
    pub annexes: Option<String>,
    pub attempts: i64,
    pub portal_ref: Option<String>,
    /// The customer's address for a direct e-mail.
    pub recipient: Option<String>,
    /// When a request that creates the invoice at the portal was written
    /// without a definite answer: the portal must be asked first.
    pub ambiguous_ms: Option<i64>,
}

/// An invoice a portal holds, as far as the store knows.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub invoice_id: i64,
    pub number: String,
    pub portal_ref: String,
    pub submission_id: i64,
    pub status: Status,
}

/// One status a sync brought back, with what identifies its invoice.
#[derive(Debug, Clone)]
pub struct PulledEvent {
    pub portal_ref: Option<String>,
    pub number: Option<String>,
    pub event: NewEvent,
}

/// What recording a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PullCounts {
    /// New events recorded.
    pub added: usize,
    /// Events already in the mirror.
    pub known: usize,
    /// Events for no invoice known here (kept in `unmatched_events`).
    pub unmatched: usize,
    /// Invoices that got new events.
    pub changed: Vec<i64>,
}

/// A corrected invoice announced for a rejected one, seen from either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionLink {
    pub original_id: i64,
    pub original_number: String,
    /// The number the corrected invoice will carry.
    pub new_number: String,
    pub prepared_ms: i64,
    /// The invoice sent as the correction, once it is.
    pub corrected_by: Option<i64>,
}

/// A portal answer that matched no invoice.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedRow {
    pub account: String,
    pub recorded_ms: i64,
    pub portal_ref: Option<String>,
    pub number: Option<String>,
    pub at_ms: i64,
    pub vocabulary: String,
    pub raw_status: String,
    pub raw_reason: Option<String>,
}

/// What recording a check did.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub document_id: i64,
    /// The document's content was already known (same SHA-256).
    pub known_document: bool,
    pub invoice_id: Option<i64>,
    pub duplicate: Option<Duplicate>,
}

/// Filter for [`Store::list`].
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// Substring of the customer name or SIREN, case-insensitive.
    pub customer: Option<String>,
    /// Issue date on or after (ISO `YYYY-MM-DD`).
    pub since: Option<String>,
    /// Substring of the invoice number.
    pub number: Option<String>,
    /// Issue date on or before (ISO `YYYY-MM-DD`).
    pub until: Option<String>,
    /// When set, refused invoices are listed only with this reason code
    /// (the « À traiter » view wants refusals for « Mandat absent » only).
    pub refused_reason: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

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
        std::fs::create_dir_all(home).map_err(|source| StoreError::Folder {
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

    /// The connection, for the other tables' modules of this crate.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Records one check: the document (by content hash), the check result,
    /// and, when the file carries an invoice number, its invoice with a
    /// `local_check` event. A document seen before keeps its invoice; its
    /// status only moves while the invoice has not left the machine.
    pub fn record_check(&mut self, report: &Report, now_ms: i64) -> Result<Recorded> {
        let tx = self.write()?;
        let recorded = record_check_in(&tx, report, now_ms)?;
        tx.commit()?;
        Ok(recorded)
    }

    /// Appends one status event and updates the invoice's current status in
    /// the same transaction.
    pub fn append_event(&mut self, invoice_id: i64, ev: &NewEvent, now_ms: i64) -> Result<i64> {
        let tx = self.write()?;
        let id = insert_event(&tx, invoice_id, ev, now_ms)?;
        tx.commit()?;
        Ok(id)
    }

    /// Appends several events in one transaction (a portal sync).
    pub fn append_events(&mut self, events: &[(i64, NewEvent)], now_ms: i64) -> Result<()> {
        let tx = self.write()?;
        for (invoice_id, ev) in events {
            insert_event(&tx, *invoice_id, ev, now_ms)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Decides whether the invoice may be submitted: only a checked invoice
    /// that no other invoice collides with. Replays and corrected invoices
    /// are separate, explicit paths.
    pub fn can_submit(&self, invoice_id: i64) -> Result<SubmitDecision> {
        can_submit_in(&self.conn, invoice_id)
    }

    /// Opens a submission attempt (`queued`) and returns its id.
    pub fn start_submission(
        &mut self,
        invoice_id: i64,
        kind: &str,
        channel: &str,
        account: Option<&str>,
        now_ms: i64,
    ) -> Result<i64> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO submissions (invoice_id, kind, channel, account, started_ms, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued')",
            params![invoice_id, kind, channel, account, now_ms],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Records where an attempt stands (sending, sent with the portal's
    /// reference, failed with the error, to verify).
    pub fn update_submission(
        &mut self,
        id: i64,
        outcome: Outcome,
        portal_ref: Option<&str>,
        error: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let finished = matches!(outcome, Outcome::Sent | Outcome::Failed | Outcome::ToVerify)
            .then_some(now_ms);
        let tx = self.write()?;
        tx.execute(
            "UPDATE submissions SET outcome = ?2, portal_ref = coalesce(?3, portal_ref),
                 error = coalesce(?4, error), finished_ms = ?5 WHERE id = ?1",
            params![id, outcome.as_str(), portal_ref, error, finished],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every attempt for an invoice, oldest first.
    pub fn submissions(&self, invoice_id: i64) -> Result<Vec<SubmissionRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, channel, account, started_ms, finished_ms, outcome, portal_ref, error
             FROM submissions WHERE invoice_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([invoice_id], |r| {
            Ok(SubmissionRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                channel: r.get(2)?,
                account: r.get(3)?,
                started_ms: r.get(4)?,
                finished_ms: r.get(5)?,
                outcome: r.get(6)?,
                portal_ref: r.get(7)?,
                error: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Puts an invoice in the outbox, atomically: only when its status
    /// allows it (`checked` for a submission; a replay is checked by the
    /// caller) and no other attempt for it is open. Records the `queued`
    /// event and the portal. Returns `None` when another process got there
    /// first or the status no longer allows it.
    pub fn queue_submission(&mut self, q: &NewSubmission<'_>, now_ms: i64) -> Result<Option<i64>> {
        let tx = self.write()?;
        let id = queue_submission_in(&tx, q, now_ms)?;
        if id.is_some() {
            tx.commit()?;
        }
        Ok(id)
    }

    /// Claims a queued attempt for sending (`queued` → `sending`, one more
    /// attempt). Returns false when it was not queued any more (another
    /// process claimed it).
    pub fn claim_submission(&mut self, id: i64, now_ms: i64) -> Result<bool> {
        let tx = self.write()?;
        let n = tx.execute(
            "UPDATE submissions SET outcome = 'sending', attempts = attempts + 1,
                 sending_since_ms = ?2, ambiguous_ms = NULL
             WHERE id = ?1 AND outcome = 'queued'",
            params![id, now_ms],
        )?;
        if n == 1 {
            let invoice_id: i64 = tx.query_row(
                "SELECT invoice_id FROM submissions WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            insert_event(
                &tx,
                invoice_id,
                &local_event(Status::Sending, None, id, now_ms),
                now_ms,
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// Marks an attempt being sent as ambiguous: the request that creates
    /// the invoice at the portal was written and no definite answer came.
    /// It stays `sending` (never sent again before the portal is asked);
    /// the invoice's history says what it waits for.
    pub fn mark_ambiguous(&mut self, id: i64, detail: &str, now_ms: i64) -> Result<()> {
        let tx = self.write()?;
        let invoice_id: Option<i64> = tx
            .query_row(
                "UPDATE submissions SET ambiguous_ms = coalesce(ambiguous_ms, ?2), error = ?3
                 WHERE id = ?1 AND outcome = 'sending' RETURNING invoice_id",
                params![id, now_ms, detail],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(invoice_id) = invoice_id {
            insert_event(
                &tx,
                invoice_id,
                &local_event(
                    Status::Sending,
                    Some(format!(
                        "{} — réponse du portail incertaine : Facteur lui demandera s'il a la facture avant tout nouvel envoi / \
                         the portal's answer was uncertain: Facteur will ask it whether it holds the invoice before any new send ({detail})",
                        lifecycle::AWAITING_PORTAL
                    )),
                    id,
                    now_ms,
                ),
                now_ms,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts back in the queue an attempt a dead process left `sending`,
    /// once the portal said it does not hold the invoice.
    pub fn requeue_submission(&mut self, id: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE submissions SET outcome = 'queued', ambiguous_ms = NULL WHERE id = ?1 AND outcome = 'sending'",
            [id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Counts one more try of an attempt being sent (after a transient failure).
    pub fn count_attempt(&mut self, id: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE submissions SET attempts = attempts + 1 WHERE id = ?1",
            [id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Closes an attempt and records what it led to, in one transaction:
    /// its outcome, the portal's reference, and the events (portal answers,
    /// or Facteur's own `deposited`, `to_verify`, back to `checked`…).
    /// Events a portal already reported are not recorded twice.
    pub fn finish_submission(
        &mut self,
        id: i64,
        outcome: Outcome,
        portal_ref: Option<&str>,
        error: Option<&str>,
        events: &[NewEvent],
        now_ms: i64,
    ) -> Result<usize> {
        let tx = self.write()?;
        let (invoice_id, started): (i64, i64) = tx.query_row(
            "SELECT invoice_id, started_ms FROM submissions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let finished = matches!(outcome, Outcome::Sent | Outcome::Failed | Outcome::ToVerify)
            .then_some(now_ms);
        tx.execute(
            "UPDATE submissions SET outcome = ?2, portal_ref = coalesce(?3, portal_ref),
                 error = ?4, finished_ms = ?5 WHERE id = ?1",
            params![id, outcome.as_str(), portal_ref, error, finished],
        )?;
        let mut added = 0;
        for ev in events {
            let ev = NewEvent {
                at_ms: ev.at_ms.max(started),
                submission_id: Some(id),
                ..ev.clone()
            };
            if insert_event_once(&tx, invoice_id, &ev, now_ms)? {
                added += 1;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Outbox attempts still open (`queued` or `sending`), oldest first;
    /// for one account or all.
    pub fn open_submissions(&self, account: Option<&str>) -> Result<Vec<OpenSubmission>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, invoice_id, kind, channel, account, outcome, payload, attempts, portal_ref, annexes, recipient,
                    ambiguous_ms
             FROM submissions WHERE outcome IN ('queued', 'sending') AND (?1 IS NULL OR account = ?1)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(OpenSubmission {
                id: r.get(0)?,
                invoice_id: r.get(1)?,
                kind: r.get(2)?,
                channel: r.get(3)?,
                account: r.get(4)?,
                sending: r.get::<_, String>(5)? == "sending",
                payload: r.get(6)?,
                annexes: r.get(9)?,
                attempts: r.get(7)?,
                portal_ref: r.get(8)?,
                recipient: r.get(10)?,
                ambiguous_ms: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The invoices an account delivered (latest delivery each), with the
    /// portal's reference: what a sync asks the portal about.
    pub fn delivered(&self, account: &str) -> Result<Vec<Delivery>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.invoice_id, i.number, s.portal_ref, s.id, i.current_status FROM submissions s
             JOIN invoices i ON i.id = s.invoice_id
             WHERE s.account = ?1 AND s.outcome = 'sent' AND s.portal_ref IS NOT NULL
               AND s.kind <> 'replay'
               AND s.id = (SELECT max(id) FROM submissions t WHERE t.invoice_id = s.invoice_id
                           AND t.outcome = 'sent' AND t.kind <> 'replay')
             ORDER BY s.id",
        )?;
        let rows = stmt.query_map([account], |r| {
            Ok(Delivery {
                invoice_id: r.get(0)?,
                number: r.get(1)?,
                portal_ref: r.get(2)?,
                submission_id: r.get(3)?,
                status: Status::parse(&r.get::<_, String>(4)?).unwrap_or(Status::Unknown),
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Records what a sync brought back, in one transaction: each event
    /// goes to the invoice it names (by the portal's reference, else by
    /// number among this account's deliveries), once; events that match no
    /// invoice are kept apart, never dropped. Saves the account's cursor.
    pub fn record_pulled(
        &mut self,
        account: &str,
        events: &[PulledEvent],
        cursor: Option<&str>,
        now_ms: i64,
    ) -> Result<PullCounts> {
        let tx = self.write()?;
        let mut counts = PullCounts::default();
        // A portal's « Doublon » goes last: when one sync brings a first
        // deposit's answers and a second deposit's duplicate refusal, the
        // refusal is then seen for what it is (see `is_secondary`).
        let mut ordered: Vec<&PulledEvent> = events.iter().collect();
        ordered.sort_by_key(|p| {
            let e = &p.event;
            lifecycle::map(e.vocabulary, &e.raw_status, e.raw_reason.as_deref()).reason_code
                == Some(lifecycle::DOUBLON.to_string())
        });
        for p in ordered {
            let target: Option<(i64, i64, i64)> = {
                let by_ref = match &p.portal_ref {
                    Some(r) => tx
                        .query_row(
                            "SELECT invoice_id, id, started_ms FROM submissions
                             WHERE account = ?1 AND portal_ref = ?2 ORDER BY id DESC LIMIT 1",
                            params![account, r],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?,
                    None => None,
                };
                match (by_ref, &p.number) {
                    (Some(t), _) => Some(t),
                    (None, Some(n)) => tx
                        .query_row(
                            "SELECT s.invoice_id, s.id, s.started_ms FROM submissions s
                             JOIN invoices i ON i.id = s.invoice_id
                             WHERE s.account = ?1 AND i.number = ?2 AND s.outcome IN ('sent', 'to_verify', 'sending')
                             ORDER BY s.id DESC LIMIT 1",
                            params![account, n],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?,
                    (None, None) => None,
                }
            };
            match target {
                Some((invoice_id, submission_id, started)) => {
                    let ev = NewEvent {
                        at_ms: p.event.at_ms.max(started),
                        submission_id: Some(submission_id),
                        ..p.event.clone()
                    };
                    if insert_event_once(&tx, invoice_id, &ev, now_ms)? {
                        counts.added += 1;
                        counts.changed.push(invoice_id);
                    } else {
                        counts.known += 1;
                    }
                }
                None => {
                    let n = tx.execute(
                        "INSERT OR IGNORE INTO unmatched_events (account, recorded_ms, portal_ref, number, at_ms,
                             vocabulary, raw_status, raw_reason)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            account,
                            now_ms,
                            p.portal_ref,
                            p.number,
                            p.event.at_ms,
                            p.event.vocabulary.as_str(),
                            p.event.raw_status,
                            p.event.raw_reason
                        ],
                    )?;
                    counts.unmatched += n;
                }
            }
        }
        tx.execute(
            "INSERT INTO sync_state (account, cursor, synced_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(account) DO UPDATE SET cursor = coalesce(excluded.cursor, cursor), synced_ms = excluded.synced_ms",
            params![account, cursor, now_ms],
        )?;
        tx.commit()?;
        counts.changed.sort_unstable();
        counts.changed.dedup();
        Ok(counts)
    }

    /// Where the account's last sync stopped, and when it ran.
    pub fn sync_state(&self, account: &str) -> Result<Option<(Option<String>, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor, synced_ms FROM sync_state WHERE account = ?1",
                [account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Portal answers that matched no invoice, newest first.
    pub fn unmatched(&self, limit: usize) -> Result<Vec<UnmatchedRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account, recorded_ms, portal_ref, number, at_ms, vocabulary, raw_status, raw_reason
             FROM unmatched_events ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(UnmatchedRow {
                account: r.get(0)?,
                recorded_ms: r.get(1)?,
                portal_ref: r.get(2)?,
                number: r.get(3)?,
                at_ms: r.get(4)?,
                vocabulary: r.get(5)?,
                raw_status: r.get(6)?,
                raw_reason: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The invoice another invoice collides with, if any (see [`DuplicateKind`]).
    pub fn duplicate_of(&self, invoice_id: i64) -> Result<Option<Duplicate>> {
        find_duplicate(&self.conn, invoice_id)
    }

    /// Finds an invoice by `#id`, plain id, or exact number.
    pub fn find_invoice(&self, key: &str) -> Result<InvoiceRow> {
        let key = key.trim();
        if let Ok(id) = key.trim_start_matches('#').parse::<i64>()
            && let Some(row) = self.invoice(id)?
            && (key.starts_with('#') || row.number != key)
        {
            return Ok(row);
        }
        let sql = format!("{} WHERE i.number = ?1 ORDER BY i.id", select_invoice());
        let mut stmt = self.conn.prepare(&sql)?;
        let rows: Vec<InvoiceRow> = stmt
            .query_map([key], invoice_row)?
            .collect::<std::result::Result<_, _>>()?;
        match rows.len() {
            0 => Err(StoreError::NotFound(key.to_string())),
            1 => Ok(rows.into_iter().next().expect("one row")),
            _ => Err(StoreError::Ambiguous(key.to_string())),
        }
    }

    pub fn invoice(&self, id: i64) -> Result<Option<InvoiceRow>> {
        let sql = format!("{} WHERE i.id = ?1", select_invoice());
        Ok(self.conn.query_row(&sql, [id], invoice_row).optional()?)
    }

    /// A page of invoices, most recently changed first.
    pub fn list(&self, f: &ListFilter) -> Result<Vec<InvoiceRow>> {
        let (filter, args) = list_filter(f);
        let limit = if f.limit == 0 { 100 } else { f.limit };
        // `invoices_recent` carries the searched columns, so a substring
        // search walks that index in page order and reads a table row only
        // for a match.
        let order = "status_since_ms DESC, id DESC";
        // The page is chosen on the invoices alone, then only its rows are
        // joined to their documents.
        let sql = format!(
            "{SELECT_COLUMNS}
             FROM (SELECT * FROM invoices {filter}
                   ORDER BY {order} LIMIT {limit} OFFSET {}) i
             JOIN documents d ON d.id = i.document_id
             ORDER BY i.status_since_ms DESC, i.id DESC",
            f.offset
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), invoice_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// How many invoices the filter matches (its limit and offset aside).
    pub fn count(&self, f: &ListFilter) -> Result<i64> {
        let (filter, args) = list_filter(f);
        let sql = format!("SELECT count(*) FROM invoices {filter}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        Ok(stmt.query_row(params.as_slice(), |r| r.get(0))?)
    }

    /// The customers' names, sorted, for a filter.
    pub fn customers(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT customer FROM invoices WHERE customer IS NOT NULL ORDER BY customer_key",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

type SqlArgs = Vec<Box<dyn rusqlite::ToSql>>;

/// The WHERE clause of a [`ListFilter`] and its arguments.
fn list_filter(f: &ListFilter) -> (String, SqlArgs) {
    {
        let mut filter = String::from("WHERE 1=1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if !f.statuses.is_empty() {
            let marks: Vec<String> = f
                .statuses
                .iter()
                .map(|s| {
                    args.push(Box::new(s.as_str()));
                    format!("?{}", args.len())
                })
                .collect();
            filter.push_str(&format!(" AND current_status IN ({})", marks.join(",")));
        }
        if let Some(c) = &f.customer {
            args.push(Box::new(format!("%{}%", crate::check::text::fold(c))));
            let n = args.len();
            filter.push_str(&format!(
                " AND (customer_key LIKE ?{n} OR buyer_siren LIKE ?{n})"
            ));
        }
        if let Some(d) = &f.since {
            args.push(Box::new(d.clone()));
            filter.push_str(&format!(" AND issue_date >= ?{}", args.len()));
        }
        if let Some(n) = &f.number {
            args.push(Box::new(format!("%{n}%")));
            filter.push_str(&format!(" AND number LIKE ?{}", args.len()));
        }
        if let Some(d) = &f.until {
            args.push(Box::new(d.clone()));
            filter.push_str(&format!(" AND issue_date <= ?{}", args.len()));
        }
        if let Some(r) = &f.refused_reason {
            args.push(Box::new(r.clone()));
            filter.push_str(&format!(
                " AND (current_status <> 'refused' OR current_reason IS ?{})",
                args.len()
            ));
        }
        (filter, args)
    }
}

const EVENT_COLUMNS: &str = "id, at_ms, recorded_ms, source, vocabulary, raw_status, raw_reason, status, reason_code, mandatory";

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        recorded_ms: r.get(2)?,
        source: Source::parse(&r.get::<_, String>(3)?),
        vocabulary: r.get(4)?,
        raw_status: r.get(5)?,
        raw_reason: r.get(6)?,
        status: r
            .get::<_, Option<String>>(7)?
            .and_then(|s| Status::parse(&s)),
        reason_code: r.get(8)?,
        mandatory: r.get(9)?,
    })
}

impl Store {
    /// Every event of an invoice, in the order they happened.
    pub fn history(&self, invoice_id: i64) -> Result<Vec<EventRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE invoice_id = ?1 ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map([invoice_id], event_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Remembers that the rejected invoice `original_id` will be corrected
    /// by an invoice numbered `new_number` (replacing an earlier choice
    /// while no correction was sent).
    pub fn prepare_correction(
        &mut self,
        original_id: i64,
        new_number: &str,
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO corrections (original_id, new_number, seller_siren, prepared_ms)
             SELECT id, ?2, seller_siren, ?3 FROM invoices WHERE id = ?1
             ON CONFLICT(original_id) DO UPDATE SET new_number = excluded.new_number,
                 prepared_ms = excluded.prepared_ms
             WHERE corrections.corrected_by IS NULL",
            params![original_id, new_number, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The invoice that `invoice_id` was announced to correct: same seller,
    /// its number, and no other correction sent for it.
    pub fn corrects(&self, invoice_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT c.original_id FROM corrections c JOIN invoices i ON i.id = ?1
                 WHERE c.new_number = i.number AND c.seller_siren IS i.seller_siren
                   AND c.original_id <> i.id
                   AND (c.corrected_by IS NULL OR c.corrected_by = i.id)",
                [invoice_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records that `by` went out as the correction of `original_id`.
    pub fn mark_corrected(&mut self, original_id: i64, by: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE corrections SET corrected_by = ?2 WHERE original_id = ?1",
            params![original_id, by],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The correction link of an invoice, whether it is the rejected
    /// original or the invoice that corrects (or will correct) it.
    pub fn correction(&self, invoice_id: i64) -> Result<Option<CorrectionLink>> {
        Ok(self
            .conn
            .query_row(
                "SELECT c.original_id, o.number, c.new_number, c.prepared_ms, c.corrected_by
                 FROM corrections c JOIN invoices o ON o.id = c.original_id
                 LEFT JOIN invoices i ON i.id = ?1
                 WHERE c.original_id = ?1 OR c.corrected_by = ?1
                    OR (c.corrected_by IS NULL AND c.new_number = i.number
                        AND c.seller_siren IS i.seller_siren)
                 ORDER BY c.original_id = ?1 DESC LIMIT 1",
                [invoice_id],
                |r| {
                    Ok(CorrectionLink {
                        original_id: r.get(0)?,
                        original_number: r.get(1)?,
                        new_number: r.get(2)?,
                        prepared_ms: r.get(3)?,
                        corrected_by: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// The document with this content (SHA-256, lowercase hex), if any.
    pub fn document_by_sha(&self, sha256: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM documents WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The newest event's id (0 for an empty mirror): where a watcher of
    /// new events starts.
    pub fn last_event_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?)
    }

    /// Events recorded after event `after_id` that brought one of
    /// `statuses`, each with its invoice id, oldest first: what a desktop
    /// notification announces, whichever process recorded them.
    pub fn events_after(&self, after_id: i64, statuses: &[Status]) -> Result<Vec<(i64, EventRow)>> {
        let wanted: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS}, invoice_id FROM events
             WHERE id > ?1 AND status IN (SELECT value FROM json_each(?2)) ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![after_id, serde_json::to_string(&wanted)?], |r| {
            Ok((r.get(10)?, event_row(r)?))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The latest check report of a document, as stored.
    pub fn latest_report(&self, document_id: i64) -> Result<Option<serde_json::Value>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT report_json FROM checks WHERE document_id = ?1 ORDER BY id DESC LIMIT 1",
                [document_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match json {
            Some(j) => Some(serde_json::from_str(&j)?),
            None => None,
        })
    }

    /// Counts of invoices per current status.
    pub fn counts(&self) -> Result<Vec<(Status, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT current_status, count(*) FROM invoices GROUP BY current_status",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (s, n) = row?;
            out.push((Status::parse(&s).unwrap_or(Status::Unknown), n));
        }
        Ok(out)
    }

    /// Writes every invoice as one CSV row for the accountant; returns the
    /// number of rows.
    pub fn export_csv<W: std::io::Write>(&self, out: W) -> Result<usize> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "id",
            "numero",
            "type",
            "date_facture",
            "client",
            "siren_client",
            "siren_vendeur",
            "montant_ht",
            "montant_ttc",
            "devise",
            "portail",
            "statut_code",
            "statut",
            "depuis",
            "motif_code",
            "motif_portail",
            "fichier",
            "sha256",
        ])?;
        let sql = format!("{} ORDER BY i.id", select_invoice());
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], invoice_row)?;
        let mut last_reason = self.conn.prepare_cached(
            "SELECT raw_reason FROM events WHERE invoice_id = ?1 AND status IS NOT NULL
             ORDER BY at_ms DESC, id DESC LIMIT 1",
        )?;
        let mut n = 0;
        for row in rows {
            let r = row?;
            let raw_reason: Option<String> = last_reason
                .query_row([r.id], |x| x.get(0))
                .optional()?
                .flatten();
            let code = r.status.code().map(|c| c.to_string()).unwrap_or_default();
            w.write_record([
                r.id.to_string(),
                r.number.clone(),
                r.doc_type.clone(),
                r.issue_date.clone().unwrap_or_default(),
                r.customer.clone().unwrap_or_default(),
                r.buyer_siren.clone().unwrap_or_default(),
                r.seller_siren.clone().unwrap_or_default(),
                r.total_without_tax.clone().unwrap_or_default(),
                r.total_with_tax.clone().unwrap_or_default(),
                r.currency.clone().unwrap_or_default(),
                r.portal.clone().unwrap_or_default(),
                code,
                r.status.label(crate::check::finding::Lang::Fr).to_string(),
                format_ms(r.status_since_ms),
                r.reason_code.clone().unwrap_or_default(),
                raw_reason.unwrap_or_default(),
                r.path.clone(),
                r.sha256.clone(),
            ])?;
            n += 1;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(n)
    }
}

const SELECT_COLUMNS: &str = "SELECT i.id, i.number, i.seller_siren, i.doc_type, i.issue_date, i.customer,
        i.buyer_siren, i.currency, i.total_without_tax, i.total_with_tax, i.portal, i.current_status,
        i.current_reason, i.status_since_ms, i.document_id, d.first_path, d.sha256";

/// The columns of [`invoice_row`] over invoices joined to their documents.
fn select_invoice() -> String {
    format!("{SELECT_COLUMNS} FROM invoices i JOIN documents d ON d.id = i.document_id")
}

fn invoice_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        id: r.get(0)?,
        number: r.get(1)?,
        seller_siren: r.get(2)?,
        doc_type: r.get(3)?,
        issue_date: r.get(4)?,
        customer: r.get(5)?,
        buyer_siren: r.get(6)?,
        currency: r.get(7)?,
        total_without_tax: r.get(8)?,
        total_with_tax: r.get(9)?,
        portal: r.get(10)?,
        status: Status::parse(&r.get::<_, String>(11)?).unwrap_or(Status::Unknown),
        reason_code: r.get(12)?,
        status_since_ms: r.get(13)?,
        document_id: r.get(14)?,
        path: r.get(15)?,
        sha256: r.get(16)?,
    })
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
    tracing::info!(backup = %target.display(), "database backed up before migration");
    Ok(target)
}

fn current_status(conn: &Connection, invoice_id: i64) -> Result<Status> {
    let s: String = conn.query_row(
        "SELECT current_status FROM invoices WHERE id = ?1",
        [invoice_id],
        |r| r.get(0),
    )?;
    Ok(Status::parse(&s).unwrap_or(Status::Unknown))
}

/// Inserts the event with its canonical mapping, then re-derives the
/// invoice's current status from the latest status-bearing event (portals
/// may report history out of order).
fn insert_event(conn: &Connection, invoice_id: i64, ev: &NewEvent, now_ms: i64) -> Result<i64> {
    let mapped = lifecycle::map(ev.vocabulary, &ev.raw_status, ev.raw_reason.as_deref());
    let secondary = is_secondary(conn, invoice_id, ev, mapped.reason_code.as_deref())?;
    conn.prepare_cached(
        "INSERT INTO events (invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, raw_reason,
                             status, reason_code, mandatory, submission_id, secondary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        invoice_id,
        ev.at_ms,
        now_ms,
        ev.source.as_str(),
        ev.vocabulary.as_str(),
        ev.raw_status,
        ev.raw_reason,
        mapped.status.map(Status::as_str),
        mapped.reason_code,
        mapped.mandatory,
        ev.submission_id,
        secondary,
    ])?;
    let id = conn.last_insert_rowid();
    if mapped.status.is_some() && !secondary {
        conn.prepare_cached(
            "UPDATE invoices SET (current_status, current_reason, status_since_ms) =
                (SELECT status, reason_code, at_ms FROM events
                 WHERE invoice_id = ?1 AND status IS NOT NULL AND secondary = 0
                 ORDER BY at_ms DESC, id DESC LIMIT 1)
             WHERE id = ?1",
        )?
        .execute([invoice_id])?;
    }
    Ok(id)
}

/// Whether a portal's answer is about a second deposit of an invoice the
/// portal already took: kept, but never bearing on the invoice's status,
/// which follows the first deposit. Either the answer belongs to an attempt
/// made after another attempt delivered the invoice under another portal
/// reference (replays share the first deposit's reference), or it is the
/// portal's « Doublon » while the same portal already answered something
/// else about this invoice (its first deposit was taken).
fn is_secondary(
    conn: &Connection,
    invoice_id: i64,
    ev: &NewEvent,
    reason_code: Option<&str>,
) -> Result<bool> {
    let from_portal = matches!(ev.source, Source::PortalApi | Source::PortalMail);
    if from_portal && reason_code == Some(lifecycle::DOUBLON) {
        let taken: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE invoice_id = ?1
                    AND source IN ('portal_api', 'portal_mail') AND status IS NOT NULL
                    AND secondary = 0 AND reason_code IS NOT 'DOUBLON')",
            )?
            .query_row([invoice_id], |r| r.get(0))?;
        if taken {
            return Ok(true);
        }
    }
    let Some(submission_id) = ev.submission_id else {
        return Ok(false);
    };
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM submissions s JOIN submissions p
                ON p.invoice_id = s.invoice_id AND p.id < s.id
             WHERE s.id = ?2 AND s.invoice_id = ?1 AND s.kind <> 'replay' AND p.kind <> 'replay'
               AND p.outcome = 'sent' AND p.portal_ref IS NOT NULL
               AND (s.portal_ref IS NULL OR s.portal_ref <> p.portal_ref))",
        )?
        .query_row(params![invoice_id, submission_id], |r| r.get(0))?)
}

/// Inserts the event unless the same report (status, reason, time,
/// vocabulary) is already there: portals repeat their whole history.
fn insert_event_once(
    conn: &Connection,
    invoice_id: i64,
    ev: &NewEvent,
    now_ms: i64,
) -> Result<bool> {
    let exists: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM events WHERE invoice_id = ?1 AND at_ms = ?2 AND vocabulary = ?3
                AND raw_status = ?4 AND raw_reason IS ?5)",
        )?
        .query_row(
            params![invoice_id, ev.at_ms, ev.vocabulary.as_str(), ev.raw_status, ev.raw_reason],
            |r| r.get(0),
        )?;
    if exists {
        return Ok(false);
    }
    insert_event(conn, invoice_id, ev, now_ms)?;
    Ok(true)
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

/// Local states: the invoice has not left the machine.
fn is_local(s: Status) -> bool {
    matches!(s, Status::Checked | Status::Blocked)
}

fn find_duplicate(conn: &Connection, invoice_id: i64) -> Result<Option<Duplicate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.number, o.current_status FROM invoices i
         JOIN invoices o ON o.number = i.number AND o.seller_siren IS i.seller_siren AND o.id <> i.id
         WHERE i.id = ?1 ORDER BY o.id",
    )?;
    let others: Vec<(i64, String, Status)> = stmt
        .query_map([invoice_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Status::parse(&r.get::<_, String>(2)?).unwrap_or(Status::Unknown),
            ))
        })?
        .collect::<std::result::Result<_, _>>()?;
    // The most serious collision wins: at a portal, then rejected, then local.
    let pick = |want: &dyn Fn(Status) -> bool, kind: DuplicateKind| {
        others
            .iter()
            .find(|(_, _, s)| want(*s))
            .map(|(id, n, s)| Duplicate {
                kind,
                other_id: *id,
                other_number: n.clone(),
                other_status: *s,
            })
    };
    Ok(pick(
        &|s| !is_local(s) && s != Status::Rejected,
        DuplicateKind::AtPortal,
    )
    .or_else(|| pick(&|s| s == Status::Rejected, DuplicateKind::RejectedNumber))
    .or_else(|| pick(&is_local, DuplicateKind::NotSentYet)))
}

/// The codes of a report's blocking findings, e.g. "scanned, signed".
fn error_codes(report: &Report) -> String {
    report
        .findings
        .iter()
        .filter(|f| f.severity == crate::check::finding::Severity::Error)
        .map(|f| f.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn duplicate_reason(d: &Duplicate) -> String {
    match d.kind {
        DuplicateKind::AtPortal => format!(
            "same seller SIREN and number as invoice #{} ({}), already at the portal",
            d.other_id, d.other_number
        ),
        DuplicateKind::RejectedNumber => format!(
            "same number as rejected invoice #{} ({}): a corrected invoice needs a new number",
            d.other_id, d.other_number
        ),
        DuplicateKind::NotSentYet => format!("same number as invoice #{} not sent yet", d.other_id),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Options, check_bytes};
    use crate::demo::sample::{SampleInvoice, invoice_pdf};

    fn report(n: u32) -> Report {
        let bytes = invoice_pdf(&SampleInvoice::example(n), false);
        check_bytes(
            Path::new(&format!("f{n}.pdf")),
            bytes.len() as u64,
            &bytes,
            &Options::default(),
        )
    }

    fn portal(raw: &str, reason: Option<&str>, at_ms: i64) -> NewEvent {
        NewEvent {
            at_ms,
            source: Source::PortalMail,
            vocabulary: Vocabulary::Generix,
            raw_status: raw.into(),
            raw_reason: reason.map(str::to_string),
            submission_id: None,
        }
    }

    #[test]
    fn a_check_creates_document_invoice_and_first_event() {
        let mut s = Store::open_in_memory().unwrap();
        let rec = s.record_check(&report(1), 1000).unwrap();
        assert!(!rec.known_document);
        let inv = s.invoice(rec.invoice_id.unwrap()).unwrap().unwrap();
        assert_eq!(inv.number, "F-2026-0001");
        assert_eq!(inv.seller_siren.as_deref(), Some("732829320"));
        assert_eq!(inv.status, Status::Checked);
        let h = s.history(inv.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].source, Source::LocalCheck);
        // The same bytes again: same document, same invoice, one more check.
        let again = s.record_check(&report(1), 2000).unwrap();
        assert!(again.known_document);
        assert_eq!(again.invoice_id, rec.invoice_id);
    }

    #[test]
    fn the_current_status_follows_the_latest_event_even_out_of_order() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .record_check(&report(2), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(id, &portal("émise", None, 5000), 6000)
            .unwrap();
        // An older status arrives late: kept in history, current unchanged.
        s.append_event(id, &portal("vidéocodage en cours", None, 3000), 7000)
            .unwrap();
        let inv = s.invoice(id).unwrap().unwrap();
        assert_eq!(inv.status, Status::Issued);
        assert_eq!(inv.status_since_ms, 5000);
        let raw: Vec<String> = s
            .history(id)
            .unwrap()
            .into_iter()
            .map(|e| e.raw_status)
            .collect();
        assert_eq!(raw, ["checked", "vidéocodage en cours", "émise"]);
    }

    #[test]
    fn events_after_a_mark_are_those_announced_in_order() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.last_event_id().unwrap(), 0);
        let a = s
            .record_check(&report(4), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        let b = s
            .record_check(&report(5), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(a, &portal("rejetée", Some("Doublon"), 2000), 2000)
            .unwrap();
        let mark = s.last_event_id().unwrap();
        s.append_event(a, &portal("émise", None, 3000), 3000)
            .unwrap();
        s.append_event(b, &portal("refusée", Some("Mandat absent"), 4000), 4000)
            .unwrap();
        s.append_event(a, &portal("rejetée", Some("Autre"), 5000), 5000)
            .unwrap();
        let wanted = [Status::Rejected, Status::Refused];
        let got: Vec<(i64, String)> = s
            .events_after(mark, &wanted)
            .unwrap()
            .into_iter()
            .map(|(id, e)| (id, e.raw_reason.unwrap()))
            .collect();
        assert_eq!(got, [(b, "Mandat absent".into()), (a, "Autre".into())]);
        assert_eq!(s.events_after(0, &wanted).unwrap().len(), 3);
        assert!(
            s.events_after(s.last_event_id().unwrap(), &wanted)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn unknown_portal_values_are_kept_and_shown_as_unknown() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .record_check(&report(3), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(id, &portal("EN_ORBITE", Some("motif inédit"), 2000), 2000)
            .unwrap();
        let last = s.history(id).unwrap().pop().unwrap();
        assert_eq!(last.raw_status, "EN_ORBITE");
        assert_eq!(last.raw_reason.as_deref(), Some("motif inédit"));
        assert_eq!(last.status, Some(Status::Unknown));
        assert_eq!(s.invoice(id).unwrap().unwrap().status, Status::Unknown);
    }

    #[test]
    fn events_and_checks_cannot_be_rewritten() {
        let mut s = Store::open_in_memory().unwrap();
        s.record_check(&report(4), 1000).unwrap();
        for sql in [
            "UPDATE events SET raw_status = 'x'",
            "DELETE FROM events",
            "UPDATE checks SET verdict = 'accepted'",
            "DELETE FROM checks",
        ] {
            let err = s.conn.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }

    #[test]
    fn same_number_at_a_portal_or_rejected_blocks_a_new_document() {
        let mut s = Store::open_in_memory().unwrap();
        let first = s
            .record_check(&report(5), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(first, &portal("vidéocodage en cours", None, 2000), 2000)
            .unwrap();
        let changed = SampleInvoice {
            total_ttc: "1.00".into(),
            ..SampleInvoice::example(5)
        };
        let bytes = invoice_pdf(&changed, false);
        let r = check_bytes(
            Path::new("v2.pdf"),
            bytes.len() as u64,
            &bytes,
            &Options::default(),
        );
        let rec = s.record_check(&r, 3000).unwrap();
        let d = rec.duplicate.unwrap();
        assert_eq!(
            (d.kind.clone(), d.other_id),
            (DuplicateKind::AtPortal, first)
        );
        let second = s.invoice(rec.invoice_id.unwrap()).unwrap().unwrap();
        assert_eq!(second.status, Status::Blocked);
        assert_eq!(second.reason_code.as_deref(), Some("DOUBLON"));

        // Once the first is rejected, reusing its number is refused for another reason.
        s.append_event(
            first,
            &portal("rejetée", Some("Le client référencé n'existe pas"), 4000),
            4000,
        )
        .unwrap();
        assert_eq!(
            s.duplicate_of(second.id).unwrap().unwrap().kind,
            DuplicateKind::RejectedNumber
        );
    }

    #[test]
    fn list_filters_by_status_customer_date_and_number() {
        let mut s = Store::open_in_memory().unwrap();
        for n in 1..=30 {
            let id = s
                .record_check(&report(n), i64::from(n))
                .unwrap()
                .invoice_id
                .unwrap();
            if n % 3 == 0 {
                s.append_event(
                    id,
                    &portal("rejetée", Some("Doublon"), 100 + i64::from(n)),
                    200,
                )
                .unwrap();
            }
        }
        let rejected = s
            .list(&ListFilter {
                statuses: vec![Status::Rejected],
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(rejected.len(), 10);
        assert!(
            rejected
                .windows(2)
                .all(|w| w[0].status_since_ms >= w[1].status_since_ms)
        );
        let by_number = s
            .list(&ListFilter {
                number: Some("0017".into()),
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(by_number.len(), 1);
        let by_customer = s
            .list(&ListFilter {
                customer: Some("épi d'or".into()),
                limit: 5,
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(by_customer.len(), 5);
        let none = s
            .list(&ListFilter {
                since: Some("2099-01-01".into()),
                ..ListFilter::default()
            })
            .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn export_has_one_row_per_invoice_with_status_and_reason() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .record_check(&report(7), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.record_check(&report(8), 1000).unwrap();
        s.append_event(id, &portal("refusée", Some("Mandat absent"), 2000), 2000)
            .unwrap();
        let mut out = Vec::new();
        assert_eq!(s.export_csv(&mut out).unwrap(), 2);
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().find(|l| l.contains("F-2026-0007")).unwrap();
        assert!(
            row.contains(",210,") && row.contains("MANDAT_ABSENT") && row.contains("Mandat absent"),
            "{row}"
        );
    }

    #[test]
    fn only_a_checked_invoice_without_collision_may_be_submitted() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .record_check(&report(9), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        assert_eq!(s.can_submit(id).unwrap(), SubmitDecision::Allowed);
        let sub = s
            .start_submission(id, "submit", "sandbox", Some("demo"), 1100)
            .unwrap();
        s.update_submission(sub, Outcome::Sent, Some("SBX-1"), None, 1200)
            .unwrap();
        s.append_event(
            id,
            &NewEvent {
                submission_id: Some(sub),
                ..portal("envoyée", None, 1200)
            },
            1200,
        )
        .unwrap();
        let rows = s.submissions(id).unwrap();
        assert_eq!(
            (rows[0].outcome.as_str(), rows[0].portal_ref.as_deref()),
            ("sent", Some("SBX-1"))
        );
        assert_eq!(rows[0].finished_ms, Some(1200));
        // The same bytes dropped again: never a second time.
        let again = s.record_check(&report(9), 2000).unwrap();
        assert_eq!(again.invoice_id, Some(id));
        assert_eq!(
            s.can_submit(id).unwrap(),
            SubmitDecision::AlreadySubmitted {
                status: Status::Deposited
            }
        );
        // A failed check cannot go.
        let bad = {
            let mut r = report(10);
            r.push(crate::check::finding::too_many_pages(101, 100));
            r
        };
        let bad_id = s.record_check(&bad, 3000).unwrap().invoice_id.unwrap();
        assert_eq!(s.can_submit(bad_id).unwrap(), SubmitDecision::CheckFailed);
        let blocked = s.history(bad_id).unwrap().pop().unwrap();
        assert_eq!(blocked.status, Some(Status::Blocked));
        assert_eq!(blocked.raw_reason.as_deref(), Some("too_many_pages"));
    }

    #[test]
    fn a_prepared_correction_is_found_from_the_new_invoice_and_kept_once_sent() {
        let mut s = Store::open_in_memory().unwrap();
        let old = s
            .record_check(&report(6), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(old, &portal("rejetée", Some("Doublon"), 2000), 2000)
            .unwrap();
        s.prepare_correction(old, "F-2026-0099", 3000).unwrap();
        // Changing one's mind before anything is sent replaces the number.
        s.prepare_correction(old, "F-2026-0007", 3500).unwrap();
        let new = s
            .record_check(&report(7), 4000)
            .unwrap()
            .invoice_id
            .unwrap();
        let other = s
            .record_check(&report(8), 4000)
            .unwrap()
            .invoice_id
            .unwrap();
        assert_eq!(s.corrects(new).unwrap(), Some(old));
        assert_eq!(s.correction(new).unwrap().unwrap().original_id, old);
        assert_eq!(s.corrects(other).unwrap(), None);
        assert_eq!(s.corrects(old).unwrap(), None);
        s.mark_corrected(old, new).unwrap();
        let link = s.correction(new).unwrap().unwrap();
        assert_eq!(link.original_number, "F-2026-0006");
        assert_eq!(link.new_number, "F-2026-0007");
        assert_eq!(link.corrected_by, Some(new));
        assert_eq!(s.correction(old).unwrap(), Some(link));
        // Once sent, the announced number no longer changes.
        s.prepare_correction(old, "F-2026-0100", 5000).unwrap();
        assert_eq!(
            s.correction(old).unwrap().unwrap().new_number,
            "F-2026-0007"
        );
        assert_eq!(s.correction(other).unwrap(), None);
    }

    #[test]
    fn a_fresh_database_has_the_latest_schema() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        migrations().validate().unwrap();
    }
}

// ---------------------------------------------------------------------------
// Recording a check and queueing its invoice in one transaction, for the
// intake pipeline (`crate::intake::pipeline`). Kept in a block of its own at
// the end of the file so that it can move as a whole into `src/mirror/store/`;
// `record_check`, `queue_submission` and `can_submit` above call the
// transaction bodies kept here.
// ---------------------------------------------------------------------------

/// The attempt to open together with a check
/// ([`Store::record_check_and_queue`]): a [`NewSubmission`] whose invoice is
/// the one the check records.
#[derive(Debug, Clone)]
pub struct QueueWith<'a> {
    /// `submit` or `resend` (a correction).
    pub kind: &'a str,
    pub channel: &'a str,
    pub account: &'a str,
    /// The exact bytes' copy, relative to `FACTEUR_HOME`, written before.
    pub payload: &'a str,
    /// JSON list of the annexes' outbox copies.
    pub annexes: Option<&'a str>,
    /// The customer's address for a direct e-mail.
    pub recipient: Option<&'a str>,
    /// The rejected invoice this one corrects: the link is marked in the
    /// same transaction.
    pub corrects: Option<i64>,
}

/// What [`Store::record_check_and_queue`] did.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedAndQueued {
    pub recorded: Recorded,
    /// Whether the invoice may leave, as the store says once the check is
    /// recorded (after the attempt was opened, when one was); `None` when
    /// the file carries no invoice.
    pub decision: Option<SubmitDecision>,
    /// The attempt opened, when one was asked for and the invoice allowed.
    pub submission_id: Option<i64>,
}

impl Store {
    /// The `FACTEUR_HOME` this store was opened from with
    /// [`Store::open_home`]; `None` for a file opened directly or in memory.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The invoice of a document, if it carries one.
    pub fn invoice_of_document(&self, document_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM invoices WHERE document_id = ?1",
                [document_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records a check and, when `queue` is given and the invoice may be
    /// submitted ([`Store::can_submit`]: a new or known invoice, checked,
    /// with no duplicate that blocks it and no attempt open), opens its
    /// outbox attempt — all in one `BEGIN IMMEDIATE` transaction. So a
    /// check of a file meant to be sent is never recorded without its
    /// attempt: a busy database, a full disk or a kill between the two
    /// leaves neither, and the file is taken again as new.
    pub fn record_check_and_queue(
        &mut self,
        report: &Report,
        queue: Option<&QueueWith<'_>>,
        now_ms: i64,
    ) -> Result<RecordedAndQueued> {
        let tx = self.write()?;
        let recorded = record_check_in(&tx, report, now_ms)?;
        let mut decision = match recorded.invoice_id {
            Some(id) => Some(can_submit_in(&tx, id)?),
            None => None,
        };
        let mut submission_id = None;
        if let (Some(q), Some(id), Some(SubmitDecision::Allowed)) =
            (queue, recorded.invoice_id, &decision)
        {
            let new = NewSubmission {
                invoice_id: id,
                kind: q.kind,
                channel: q.channel,
                account: q.account,
                portal_ref: None,
                payload: Some(q.payload),
                annexes: q.annexes,
                recipient: q.recipient,
            };
            submission_id = queue_submission_in(&tx, &new, now_ms)?;
            if submission_id.is_some()
                && let Some(original) = q.corrects
            {
                tx.execute(
                    "UPDATE corrections SET corrected_by = ?2 WHERE original_id = ?1",
                    params![original, id],
                )?;
            }
            // Queued now, or another attempt was already open: either way
            // the store's answer is no longer "allowed".
            decision = Some(can_submit_in(&tx, id)?);
        }
        tx.commit()?;
        Ok(RecordedAndQueued {
            recorded,
            decision,
            submission_id,
        })
    }
}

/// Whether the invoice may be submitted ([`Store::can_submit`]), read
/// inside a transaction.
fn can_submit_in(conn: &Connection, invoice_id: i64) -> Result<SubmitDecision> {
    let status = current_status(conn, invoice_id)?;
    Ok(match status {
        Status::Checked => match find_duplicate(conn, invoice_id)? {
            Some(d) if d.blocks() => SubmitDecision::Duplicate(d),
            _ => SubmitDecision::Allowed,
        },
        Status::Blocked => match find_duplicate(conn, invoice_id)? {
            Some(d) if d.blocks() => SubmitDecision::Duplicate(d),
            _ => SubmitDecision::CheckFailed,
        },
        other => SubmitDecision::AlreadySubmitted { status: other },
    })
}

/// The body of [`Store::record_check`], inside the caller's transaction.
fn record_check_in(tx: &Connection, report: &Report, now_ms: i64) -> Result<Recorded> {
    let sha = report.sha256.as_deref().ok_or(StoreError::NoHash)?;
    let json = serde_json::to_string(report)?;
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM documents WHERE sha256 = ?1", [sha], |r| {
            r.get(0)
        })
        .optional()?;
    let known_document = existing.is_some();
    let document_id = match existing {
        Some(id) => id,
        None => {
            tx.execute(
                "INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms) VALUES (?1, ?2, ?3, ?4)",
                params![sha, report.size_bytes as i64, report.path, now_ms],
            )?;
            tx.last_insert_rowid()
        }
    };
    let verdict = if report.accepted() {
        "accepted"
    } else {
        "rejected"
    };
    tx.execute(
        "INSERT INTO checks (document_id, path, checked_ms, verdict, report_json) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![document_id, report.path, now_ms, verdict, json],
    )?;

    let mut invoice_id: Option<i64> = tx
        .query_row(
            "SELECT id FROM invoices WHERE document_id = ?1",
            [document_id],
            |r| r.get(0),
        )
        .optional()?;
    let facts = &report.facts;
    if invoice_id.is_none()
        && let Some(number) = facts.get(FactKey::InvoiceNumber)
    {
        let customer = facts
            .get(FactKey::BuyerName)
            .or(facts.get(FactKey::BuyerSiren));
        tx.execute(
            "INSERT INTO invoices (document_id, seller_siren, number, doc_type, issue_date, currency,
                total_without_tax, total_with_tax, customer, customer_key, buyer_siren,
                current_status, status_since_ms, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
            params![
                document_id,
                facts.get(FactKey::SellerSiren),
                number,
                facts.get(FactKey::DocType).unwrap_or("invoice"),
                facts.get(FactKey::IssueDate),
                facts.get(FactKey::Currency),
                facts.get(FactKey::TotalWithoutTax),
                facts.get(FactKey::TotalWithTax).or(facts.get(FactKey::AmountDue)),
                customer,
                customer.map(crate::check::text::fold),
                facts.get(FactKey::BuyerSiren),
                Status::Checked.as_str(),
                now_ms,
            ],
        )?;
        invoice_id = Some(tx.last_insert_rowid());
    }
    let mut duplicate = None;
    if let Some(id) = invoice_id {
        let current = current_status(tx, id)?;
        if matches!(current, Status::Checked | Status::Blocked) {
            duplicate = find_duplicate(tx, id)?;
            let (raw, reason) = match &duplicate {
                Some(d) if d.kind == DuplicateKind::AtPortal => {
                    ("duplicate", Some(duplicate_reason(d)))
                }
                Some(d) if d.kind == DuplicateKind::RejectedNumber => {
                    ("rejected_number", Some(duplicate_reason(d)))
                }
                // Local events speak in canonical names: "rejected" would
                // read as the portal's 213.
                _ if report.accepted() => (Status::Checked.as_str(), None),
                _ => (Status::Blocked.as_str(), Some(error_codes(report))),
            };
            let raw = raw.to_string();
            insert_event(
                tx,
                id,
                &NewEvent {
                    at_ms: now_ms,
                    source: Source::LocalCheck,
                    vocabulary: Vocabulary::Local,
                    raw_status: raw,
                    raw_reason: reason,
                    submission_id: None,
                },
                now_ms,
            )?;
        }
    }
    Ok(Recorded {
        document_id,
        known_document,
        invoice_id,
        duplicate,
    })
}

/// The body of [`Store::queue_submission`], inside the caller's
/// transaction (which the caller rolls back when nothing was queued).
fn queue_submission_in(tx: &Connection, q: &NewSubmission<'_>, now_ms: i64) -> Result<Option<i64>> {
    let status = current_status(tx, q.invoice_id)?;
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM submissions WHERE invoice_id = ?1 AND outcome IN ('queued', 'sending')",
        [q.invoice_id],
        |r| r.get(0),
    )?;
    let allowed = match q.kind {
        "replay" => status == Status::Refused,
        _ => status == Status::Checked,
    };
    if open > 0 || !allowed {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO submissions (invoice_id, kind, channel, account, started_ms, outcome, portal_ref, payload, annexes, recipient)
         VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8, ?9)",
        params![q.invoice_id, q.kind, q.channel, q.account, now_ms, q.portal_ref, q.payload, q.annexes, q.recipient],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE invoices SET portal = ?2 WHERE id = ?1",
        params![q.invoice_id, q.account],
    )?;
    insert_event(
        tx,
        q.invoice_id,
        &local_event(Status::Queued, None, id, now_ms),
        now_ms,
    )?;
    Ok(Some(id))
}
