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

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::documents::{Recorded, record_check_in};
use super::invoices::{SubmitDecision, can_submit_in};
use super::outbox::{NewSubmission, queue_submission_in};
use super::{Result, Store};
use crate::check::Report;

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
