//! Documents and their checks: each file's content by SHA-256, the
//! append-only check results, and recording one check — which creates the
//! invoice the file carries and its first local event; and what became of a
//! document since, for tidying its file away.
//!
//! Deliberately not here: the invoices' own queries and the duplicate rules
//! ([`super::invoices`]), the events' mapping and current status
//! ([`super::events`]), and checking itself ([`crate::check`]).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::events::{NewEvent, Source, insert_event};
use super::invoices::{Duplicate, DuplicateKind, current_status, duplicate_reason, find_duplicate};
use super::{Result, Store, StoreError};
use crate::check::Report;
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::{Status, Vocabulary};

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
        let recorded = record_check_in(&tx, report, now_ms)?;
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

/// Why a made Factur-X cannot take its plain PDF's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum MadeRefusal {
    /// No such invoice.
    NoInvoice,
    /// The plain PDF's invoice already left the machine (or is queued):
    /// its Factur-X would be a second sending.
    AlreadyLeft { status: Status },
    /// The made file's own check did not accept it.
    NotAccepted,
    /// The made file is already recorded.
    Known,
}

impl Store {
    /// Records `made` (the check of a Factur-X made from invoice
    /// `invoice_id`'s plain PDF) as a new document linked to the plain one,
    /// moves the invoice to it, and adds the history line, in one
    /// transaction. Only while the invoice has not left: the plain PDF is
    /// then never sent, the Factur-X is. `Err(Ok(refusal))` says why not.
    pub fn record_made(
        &mut self,
        invoice_id: i64,
        made: &Report,
        note: &str,
        now_ms: i64,
    ) -> Result<std::result::Result<Recorded, MadeRefusal>> {
        let sha = made.sha256.as_deref().ok_or(StoreError::NoHash)?;
        let tx = self.write()?;
        let row: Option<(i64, String)> = tx
            .query_row(
                "SELECT document_id, current_status FROM invoices WHERE id = ?1",
                [invoice_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((plain_doc, status)) = row else {
            return Ok(Err(MadeRefusal::NoInvoice));
        };
        let status = Status::parse(&status).unwrap_or(Status::Unknown);
        let queued: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM submissions WHERE invoice_id = ?1)",
            [invoice_id],
            |r| r.get(0),
        )?;
        if !matches!(status, Status::Checked | Status::Blocked) || queued {
            return Ok(Err(MadeRefusal::AlreadyLeft { status }));
        }
        if !made.accepted() {
            return Ok(Err(MadeRefusal::NotAccepted));
        }
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = ?1)",
            [sha],
            |r| r.get(0),
        )?;
        if known {
            return Ok(Err(MadeRefusal::Known));
        }
        tx.execute(
            "INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms, made_from)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha, made.size_bytes as i64, made.path, now_ms, plain_doc],
        )?;
        let document_id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO checks (document_id, path, checked_ms, verdict, report_json)
             VALUES (?1, ?2, ?3, 'accepted', ?4)",
            params![document_id, made.path, now_ms, serde_json::to_string(made)?],
        )?;
        tx.execute(
            "UPDATE invoices SET document_id = ?1 WHERE id = ?2",
            params![document_id, invoice_id],
        )?;
        insert_event(
            &tx,
            invoice_id,
            &NewEvent {
                at_ms: now_ms,
                source: Source::LocalCheck,
                vocabulary: Vocabulary::Local,
                raw_status: Status::Checked.as_str().to_string(),
                raw_reason: Some(note.to_string()),
                submission_id: None,
            },
            now_ms,
        )?;
        tx.commit()?;
        Ok(Ok(Recorded {
            document_id,
            known_document: false,
            invoice_id: Some(invoice_id),
            duplicate: None,
        }))
    }

    /// The document a made Factur-X was made from, if it was.
    pub fn made_from(&self, document_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT made_from FROM documents WHERE id = ?1",
                [document_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
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
    // Every document is listed, blocked or without a number too: an empty
    // number is « numéro à saisir » (migration 011).
    if invoice_id.is_none() {
        let number = facts.get(FactKey::InvoiceNumber).unwrap_or("");
        let number_source = if number.is_empty() { "missing" } else { "read" };
        let customer = customer_name(facts);
        tx.execute(
            "INSERT INTO invoices (document_id, seller_siren, number, doc_type, issue_date, currency,
                total_without_tax, total_with_tax, customer, customer_key, buyer_siren,
                current_status, status_since_ms, created_ms, number_source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)",
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
                if report.accepted() {
                    Status::Checked.as_str()
                } else {
                    Status::Blocked.as_str()
                },
                now_ms,
                number_source,
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

/// The customer's name as the list shows it: the buyer's name when read,
/// never a bare identifier, and never the seller's own (a reader that took
/// the seller's block for the buyer's would otherwise show the owner as
/// their own customer). `None` is shown « client inconnu ».
fn customer_name(facts: &crate::check::facts::Facts) -> Option<&str> {
    let name = facts.get(FactKey::BuyerName)?;
    let seller = facts.get(FactKey::SellerName);
    let same_siren = facts.get(FactKey::BuyerSiren).is_some()
        && facts.get(FactKey::BuyerSiren) == facts.get(FactKey::SellerSiren);
    let same_name =
        seller.is_some_and(|s| crate::check::text::fold(s) == crate::check::text::fold(name));
    (!same_siren && !same_name).then_some(name)
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
