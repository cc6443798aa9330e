//! Recording a check and queueing its invoice in one transaction, for the
//! intake pipeline (`crate::intake::pipeline`): the check, the invoice and
//! its outbox attempt are written under one `BEGIN IMMEDIATE`, so a check of
//! a file meant to be sent is never recorded without its attempt. The
//! transaction bodies of `record_check`, `can_submit` and
//! `queue_submission` live here, so both paths run the same code.
//!
//! Deliberately not here: choosing where the invoice goes (routing), copying
//! its bytes into the outbox folder (the caller does that first).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::documents::{Recorded, error_codes};
use super::events::{NewEvent, Source, insert_event};
use super::invoices::{
    DuplicateKind, SubmitDecision, current_status, duplicate_reason, find_duplicate,
};
use super::outbox::NewSubmission;
use super::{Result, Store, StoreError, local_event};
use crate::check::Report;
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::{Status, Vocabulary};

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
pub(super) fn can_submit_in(conn: &Connection, invoice_id: i64) -> Result<SubmitDecision> {
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
pub(super) fn record_check_in(tx: &Connection, report: &Report, now_ms: i64) -> Result<Recorded> {
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
pub(super) fn queue_submission_in(
    tx: &Connection,
    q: &NewSubmission<'_>,
    now_ms: i64,
) -> Result<Option<i64>> {
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
