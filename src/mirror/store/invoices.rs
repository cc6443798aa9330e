//! Invoices: finding, listing, counting and exporting them, and the
//! duplicate rules (same seller and number at a portal, a rejected number
//! reused, another copy not sent yet) that decide whether one may be
//! submitted.
//!
//! Deliberately not here: creating an invoice (recording a check does,
//! [`super::documents`]), changing its status (only events do,
//! [`super::events`]) and queueing it ([`super::outbox`]).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::{Result, Store, StoreError, format_ms};
use crate::mirror::lifecycle::Status;

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
    /// Whose number it is: `read` from the file, typed by the owner
    /// (`user`), or `missing` (the number is empty: « numéro à saisir »).
    pub number_source: String,
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
    /// No invoice number was read and none was typed: the owner types it first.
    NumberMissing,
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

impl Store {
    /// The owner types the number of an invoice whose number was not read
    /// (« numéro à saisir »), or corrects a misread one, before it is sent.
    /// The number becomes the owner's (`number_source = user`): kept over
    /// any later reading, and used for the duplicate rules and routing as
    /// a read one is. A number that collides with an invoice at a portal or
    /// a rejected one is recorded with that collision, as a check does.
    pub fn set_number(&mut self, invoice_id: i64, number: &str, now_ms: i64) -> Result<InvoiceRow> {
        let number = number.trim();
        if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_control)
        {
            return Err(StoreError::BadNumber(number.to_string()));
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let status = match current_status(&tx, invoice_id) {
            Err(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => {
                return Err(StoreError::NotFound(format!("#{invoice_id}")));
            }
            other => other?,
        };
        if !matches!(status, Status::Checked | Status::Blocked) {
            return Err(StoreError::NumberFixed(invoice_id));
        }
        tx.execute(
            "UPDATE invoices SET number = ?2, number_source = 'user' WHERE id = ?1",
            rusqlite::params![invoice_id, number],
        )?;
        if let Some(d) = find_duplicate(&tx, invoice_id)?
            && d.blocks()
        {
            let raw = match d.kind {
                DuplicateKind::AtPortal => "duplicate",
                _ => "rejected_number",
            };
            super::events::insert_event(
                &tx,
                invoice_id,
                &super::events::NewEvent {
                    at_ms: now_ms,
                    source: super::events::Source::LocalCheck,
                    vocabulary: crate::mirror::lifecycle::Vocabulary::Local,
                    raw_status: raw.to_string(),
                    raw_reason: Some(duplicate_reason(&d)),
                    submission_id: None,
                },
                now_ms,
            )?;
        }
        tx.commit()?;
        self.invoice(invoice_id)?
            .ok_or_else(|| StoreError::NotFound(format!("#{invoice_id}")))
    }

    /// Decides whether the invoice may be submitted: only a checked invoice
    /// that no other invoice collides with. Replays and corrected invoices
    /// are separate, explicit paths.
    pub fn can_submit(&self, invoice_id: i64) -> Result<SubmitDecision> {
        can_submit_in(&self.conn, invoice_id)
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
               AND secondary = 0 AND at_ms <= recorded_ms + ?2
             ORDER BY at_ms DESC, id DESC LIMIT 1",
        )?;
        let mut n = 0;
        for row in rows {
            let r = row?;
            let raw_reason: Option<String> = last_reason
                .query_row(
                    rusqlite::params![r.id, super::events::FUTURE_TOLERANCE_MS],
                    |x| x.get(0),
                )
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

const SELECT_COLUMNS: &str = "SELECT i.id, i.number, i.seller_siren, i.doc_type, i.issue_date, i.customer,
        i.buyer_siren, i.currency, i.total_without_tax, i.total_with_tax, i.portal, i.current_status,
        i.current_reason, i.status_since_ms, i.document_id, d.first_path, d.sha256, i.number_source";

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
        number_source: r.get(17)?,
    })
}

pub(super) fn current_status(conn: &Connection, invoice_id: i64) -> Result<Status> {
    let s: String = conn.query_row(
        "SELECT current_status FROM invoices WHERE id = ?1",
        [invoice_id],
        |r| r.get(0),
    )?;
    Ok(Status::parse(&s).unwrap_or(Status::Unknown))
}

/// Local states: the invoice has not left the machine.
fn is_local(s: Status) -> bool {
    matches!(s, Status::Checked | Status::Blocked)
}

pub(super) fn find_duplicate(conn: &Connection, invoice_id: i64) -> Result<Option<Duplicate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.number, o.current_status FROM invoices i
         JOIN invoices o ON o.number = i.number AND o.seller_siren IS i.seller_siren AND o.id <> i.id
         WHERE i.id = ?1 AND i.number <> '' ORDER BY o.id",
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

pub(super) fn duplicate_reason(d: &Duplicate) -> String {
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

/// Whether the invoice may be submitted ([`Store::can_submit`]), read
/// inside a transaction.
pub(super) fn can_submit_in(conn: &Connection, invoice_id: i64) -> Result<SubmitDecision> {
    let (status, number): (String, String) = conn.query_row(
        "SELECT current_status, number FROM invoices WHERE id = ?1",
        [invoice_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let status = Status::parse(&status).unwrap_or(Status::Unknown);
    Ok(match status {
        Status::Checked if number.is_empty() => SubmitDecision::NumberMissing,
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::check::{Options, check_bytes};
    use crate::demo::sample::{SampleInvoice, invoice_pdf};
    use crate::mirror::store::testing::{portal, report};
    use crate::mirror::store::{NewEvent, Outcome};

    /// A checked file whose number was not read, recorded.
    fn numberless(s: &mut Store, sha: &str) -> i64 {
        let mut r = report(1);
        assert!(r.accepted());
        r.sha256 = Some(sha.repeat(64 / sha.len()));
        r.facts = crate::check::facts::Facts::default();
        s.record_check(&r, 1000).unwrap().invoice_id.unwrap()
    }

    #[test]
    fn a_file_without_a_number_is_listed_waits_for_its_number_and_the_typed_one_decides() {
        let mut s = Store::open_in_memory().unwrap();
        let a = numberless(&mut s, "a");
        let b = numberless(&mut s, "b");
        let inv = s.invoice(a).unwrap().unwrap();
        assert_eq!(
            (inv.number.as_str(), inv.number_source.as_str()),
            ("", "missing")
        );
        assert_eq!(inv.status, Status::Checked);
        // Never sent without a number, never a duplicate of another number-less file.
        assert_eq!(s.can_submit(a).unwrap(), SubmitDecision::NumberMissing);
        assert_eq!(s.duplicate_of(a).unwrap(), None);
        // A bad number is refused and changes nothing.
        for bad in ["", "   ", &"9".repeat(65), "F\n1"] {
            assert!(
                matches!(s.set_number(a, bad, 2000), Err(StoreError::BadNumber(_))),
                "{bad:?}"
            );
        }
        assert_eq!(s.invoice(a).unwrap().unwrap().number, "");
        let typed = s.set_number(a, "  F-77 ", 2000).unwrap();
        assert_eq!(
            (typed.number.as_str(), typed.number_source.as_str()),
            ("F-77", "user")
        );
        assert_eq!(s.can_submit(a).unwrap(), SubmitDecision::Allowed);
        // The typed number counts for duplicates like a read one.
        s.set_number(b, "F-77", 2100).unwrap();
        assert_eq!(s.duplicate_of(b).unwrap().unwrap().other_id, a);
        // Once it left, its number is the portal's and no longer changes.
        s.append_event(a, &portal("déposée", None, 3000), 3000)
            .unwrap();
        assert!(
            matches!(s.set_number(a, "F-78", 3100), Err(StoreError::NumberFixed(id)) if id == a)
        );
        assert!(matches!(
            s.set_number(999, "F-1", 3100),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn a_blocked_file_is_an_invoice_row_too_with_the_blocked_status() {
        let mut s = Store::open_in_memory().unwrap();
        let bytes = b"PK\x03\x04 a word-processor file, not a PDF";
        let r = check_bytes(
            Path::new("lettre.docx"),
            bytes.len() as u64,
            bytes,
            &Options::default(),
        );
        assert!(!r.accepted());
        let id = s
            .record_check(&r, 1000)
            .unwrap()
            .invoice_id
            .expect("listed");
        let inv = s.invoice(id).unwrap().unwrap();
        assert_eq!(inv.status, Status::Blocked);
        assert_eq!(inv.number_source, "missing");
        assert_eq!(s.can_submit(id).unwrap(), SubmitDecision::CheckFailed);
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
}
