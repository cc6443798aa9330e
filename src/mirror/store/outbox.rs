//! The outbox's table: each submission attempt, from queued through
//! sending to sent, failed or to verify, with its payload, tries and the
//! portal's reference; the deliveries a sync asks the portals about.
//!
//! Deliberately not here: sending, retrying and recovering
//! ([`crate::send::outbox`] drives these methods), and what a sync brings
//! back ([`super::sync`]).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::events::{NewEvent, event_recorded, insert_event, insert_event_once};
use super::invoices::current_status;
use super::{Result, Store, local_event};
use crate::mirror::lifecycle::{self, Status};

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

impl Store {
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
            let (invoice_id, kind): (i64, String) = tx.query_row(
                "SELECT invoice_id, kind FROM submissions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            // A replay asks the portal to take again an invoice it holds:
            // the invoice stays refused until the portal accepts, so a
            // refused replay changes nothing in its history or status.
            if kind != "replay" {
                insert_event(
                    &tx,
                    invoice_id,
                    &local_event(Status::Sending, None, id, now_ms),
                    now_ms,
                )?;
            }
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
            // A portal that repeats its history (a replay's answer restates
            // the refusal) reports events already recorded: never twice,
            // whatever the attempt's start time does to their date below.
            if event_recorded(&tx, invoice_id, ev)? {
                continue;
            }
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
    // A replay leaves the invoice refused until the portal accepts it (see
    // `claim_submission`).
    if q.kind != "replay" {
        insert_event(
            tx,
            q.invoice_id,
            &local_event(Status::Queued, None, id, now_ms),
            now_ms,
        )?;
    }
    Ok(Some(id))
}
