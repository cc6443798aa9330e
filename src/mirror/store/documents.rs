//! Documents and their checks: each file's content by SHA-256, the
//! append-only check results, and recording one check — which creates the
//! invoice the file carries and its first local event; and what became of a
//! document since, for tidying its file away.
//!
//! Deliberately not here: the invoices' own queries and the duplicate rules
//! ([`super::invoices`]), the events' mapping and current status
//! ([`super::events`]), and checking itself ([`crate::check`]).

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::invoices::Duplicate;
use super::{Result, Store};
use crate::check::Report;
use crate::mirror::lifecycle::Status;

/// What recording a check did.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub document_id: i64,
    /// The document's content was already known (same SHA-256).
    pub known_document: bool,
    pub invoice_id: Option<i64>,
    pub duplicate: Option<Duplicate>,
}

impl Store {
    /// Records one check: the document (by content hash), the check result,
    /// and, when the file carries an invoice number, its invoice with a
    /// `local_check` event. A document seen before keeps its invoice; its
    /// status only moves while the invoice has not left the machine.
    pub fn record_check(&mut self, report: &Report, now_ms: i64) -> Result<Recorded> {
        let tx = self.write()?;
        let recorded = super::intake::record_check_in(&tx, report, now_ms)?;
        tx.commit()?;
        Ok(recorded)
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
}

/// What the store knows of a document, for tidying its file away (see
/// [`Store::document_fate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFate {
    /// The latest check's verdict: `accepted` or `rejected`.
    pub verdict: Option<String>,
    /// The invoice the document carries, if any.
    pub invoice_id: Option<i64>,
    /// That invoice's current status.
    pub status: Option<Status>,
    /// The outcome of that invoice's latest submission attempt (`queued`,
    /// `sending`, `sent`…), if it had one.
    pub last_outcome: Option<String>,
}

impl Store {
    /// What became of the document with this content (SHA-256, lowercase
    /// hex): its latest verdict, its invoice's status and latest attempt;
    /// `None` when the content is unknown.
    pub fn document_fate(&self, sha256: &str) -> Result<Option<DocumentFate>> {
        let row: Option<(Option<String>, Option<i64>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT (SELECT verdict FROM checks c WHERE c.document_id = d.id ORDER BY c.id DESC LIMIT 1),
                        i.id, i.current_status
                 FROM documents d LEFT JOIN invoices i ON i.document_id = d.id
                 WHERE d.sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((verdict, invoice_id, status)) = row else {
            return Ok(None);
        };
        let last_outcome = match invoice_id {
            Some(id) => self
                .conn
                .query_row(
                    "SELECT outcome FROM submissions WHERE invoice_id = ?1 ORDER BY id DESC LIMIT 1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        Ok(Some(DocumentFate {
            verdict,
            invoice_id,
            status: status.map(|s| Status::parse(&s).unwrap_or(Status::Unknown)),
            last_outcome,
        }))
    }
}

/// The codes of a report's blocking findings, e.g. "scanned, signed".
pub(super) fn error_codes(report: &Report) -> String {
    report
        .findings
        .iter()
        .filter(|f| f.severity == crate::check::finding::Severity::Error)
        .map(|f| f.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::store::Source;
    use crate::mirror::store::testing::report;

    #[test]
    fn a_documents_fate_follows_its_latest_check_and_attempt() {
        let mut s = Store::open_in_memory().unwrap();
        let r = report(11);
        let sha = r.sha256.clone().unwrap();
        assert_eq!(s.document_fate(&sha).unwrap(), None);
        let id = s.record_check(&r, 1000).unwrap().invoice_id.unwrap();
        let fate = s.document_fate(&sha).unwrap().unwrap();
        assert_eq!(
            fate,
            DocumentFate {
                verdict: Some("accepted".into()),
                invoice_id: Some(id),
                status: Some(Status::Checked),
                last_outcome: None,
            }
        );
        let first = s
            .start_submission(id, "submit", "sandbox", Some("demo"), 1100)
            .unwrap();
        s.update_submission(
            first,
            crate::mirror::store::Outcome::Failed,
            None,
            Some("x"),
            1200,
        )
        .unwrap();
        s.start_submission(id, "submit", "sandbox", Some("demo"), 1300)
            .unwrap();
        let fate = s.document_fate(&sha).unwrap().unwrap();
        assert_eq!(fate.last_outcome.as_deref(), Some("queued"));
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
}
