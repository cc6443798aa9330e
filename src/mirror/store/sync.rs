//! What a portal sync brings back: its events recorded on the invoices
//! they name (once each), the answers that match no invoice kept apart,
//! and each account's cursor.
//!
//! Deliberately not here: asking the portals ([`crate::send::outbox`]) and
//! the events' mapping ([`super::events`]).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::events::{NewEvent, event_recorded, insert_event_once};
use super::{Result, Store};
use crate::mirror::lifecycle;

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

impl Store {
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
                // Already recorded as the portal dated it (before a later
                // attempt, a replay, began): never twice.
                Some((invoice_id, _, _)) if event_recorded(&tx, invoice_id, &p.event)? => {
                    counts.known += 1;
                }
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
}
