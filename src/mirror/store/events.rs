//! Status events: every status a portal (or Facteur) reported for an
//! invoice, append-only, with the raw wording beside its canonical mapping;
//! the invoice's current status is re-derived from them in the same
//! transaction, and an answer about a second deposit is kept as secondary.
//!
//! Deliberately not here: the portals' vocabularies ([`crate::mirror::lifecycle`]
//! maps them), the outbox's attempts ([`super::outbox`]) and matching a
//! sync's answers to invoices ([`super::sync`]).

use rusqlite::{Connection, params};
use serde::Serialize;

use super::{Result, Store};
use crate::mirror::lifecycle::{self, Status, Vocabulary};

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
    /// A portal's answer about a second deposit of an invoice it already
    /// took: kept, but it does not bear on the invoice's status.
    pub secondary: bool,
}

const EVENT_COLUMNS: &str = "id, at_ms, recorded_ms, source, vocabulary, raw_status, raw_reason, status, reason_code, mandatory, secondary";

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
        secondary: r.get(10)?,
    })
}

impl Store {
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

    /// Every event of an invoice, in the order they happened.
    pub fn history(&self, invoice_id: i64) -> Result<Vec<EventRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE invoice_id = ?1 ORDER BY at_ms, id"
        ))?;
        let rows = stmt.query_map([invoice_id], event_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
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
             WHERE id > ?1 AND status IN (SELECT value FROM json_each(?2)) AND secondary = 0
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![after_id, serde_json::to_string(&wanted)?], |r| {
            Ok((r.get(11)?, event_row(r)?))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// How far ahead of the moment it is recorded an event may be dated (a
/// portal's clock drifting) and still decide an invoice's status.
pub const FUTURE_TOLERANCE_MS: i64 = 10 * 60 * 1000;

/// Inserts the event with its canonical mapping, then re-derives the
/// invoice's current status from the latest status-bearing event (portals
/// may report history out of order).
pub(super) fn insert_event(
    conn: &Connection,
    invoice_id: i64,
    ev: &NewEvent,
    now_ms: i64,
) -> Result<i64> {
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
        // An event dated after it was recorded (beyond a clock's drift) says
        // it happened in the future: kept, but it never decides the status,
        // or a forged « rejetée » dated 2099 would pin the invoice for good.
        // An invoice whose every event is such keeps the status it had.
        conn.prepare_cached(
            "UPDATE invoices SET (current_status, current_reason, status_since_ms) =
                (SELECT status, reason_code, at_ms FROM events
                 WHERE invoice_id = ?1 AND status IS NOT NULL AND secondary = 0
                   AND at_ms <= recorded_ms + ?2
                 ORDER BY at_ms DESC, id DESC LIMIT 1)
             WHERE id = ?1
               AND EXISTS (SELECT 1 FROM events
                 WHERE invoice_id = ?1 AND status IS NOT NULL AND secondary = 0
                   AND at_ms <= recorded_ms + ?2)",
        )?
        .execute(params![invoice_id, FUTURE_TOLERANCE_MS])?;
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
pub(super) fn insert_event_once(
    conn: &Connection,
    invoice_id: i64,
    ev: &NewEvent,
    now_ms: i64,
) -> Result<bool> {
    if event_recorded(conn, invoice_id, ev)? {
        return Ok(false);
    }
    insert_event(conn, invoice_id, ev, now_ms)?;
    Ok(true)
}

/// Whether the same report (status, reason, time, vocabulary) is already
/// in the invoice's history.
pub(super) fn event_recorded(conn: &Connection, invoice_id: i64, ev: &NewEvent) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM events WHERE invoice_id = ?1 AND at_ms = ?2 AND vocabulary = ?3
                AND raw_status = ?4 AND raw_reason IS ?5)",
        )?
        .query_row(
            params![invoice_id, ev.at_ms, ev.vocabulary.as_str(), ev.raw_status, ev.raw_reason],
            |r| r.get(0),
        )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::store::testing::{portal, report};

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

    /// A « rejetée » dated 2099 (a forged notice) is kept in the history
    /// but never becomes the status; a later genuine answer still does.
    #[test]
    fn an_event_dated_in_the_future_never_decides_the_status() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .record_check(&report(3), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        let now = 1_800_000_000_000;
        s.append_event(id, &portal("émise", None, now - 60_000), now)
            .unwrap();
        let y2099 = 4_070_908_800_000;
        s.append_event(id, &portal("rejetée", Some("Doublon"), y2099), now)
            .unwrap();
        let inv = s.invoice(id).unwrap().unwrap();
        assert_eq!(inv.status, Status::Issued);
        assert_eq!(inv.status_since_ms, now - 60_000);
        s.append_event(
            id,
            &portal("rejetée", Some("Autre"), now + 5_000),
            now + 10_000,
        )
        .unwrap();
        let inv = s.invoice(id).unwrap().unwrap();
        assert_eq!(inv.status, Status::Rejected);
        assert_eq!(inv.status_since_ms, now + 5_000);
        // A few minutes ahead is a drifting clock, not the future.
        s.append_event(
            id,
            &portal("émise", None, now + 20_000 + 120_000),
            now + 20_000,
        )
        .unwrap();
        assert_eq!(s.invoice(id).unwrap().unwrap().status, Status::Issued);
        assert_eq!(s.history(id).unwrap().len(), 5);
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
}
