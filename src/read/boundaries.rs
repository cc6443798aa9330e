//! Where one invoice ends and the next begins, from what each page shows.
//!
//! A page starts a new invoice when it opens a document (a title, or a
//! number with a date or a party) and the current invoice is complete or is
//! another document: its final total was already printed, its number
//! differs, or its type differs (an invoice followed by its credit note).
//! The same number printed again after a final total opens another
//! document only when the page has a title and a final total of its own
//! before the next header (two samples reusing a number).
//! « Page 2/3 » continuations, the same header repeated on each page of one
//! invoice, and annexes (terms and conditions, timesheets, delivery notes,
//! statements: no invoice title and no invoice number) stay with the invoice
//! before them.
//!
//! Deliberately not here: reading the fields (that is [`super::fields`]).

use std::ops::Range;

use super::fields::PageFacts;
use super::labels::Title;

/// Why a segment starts where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    FirstPage,
    /// Another invoice number.
    NewNumber,
    /// A new header after the previous invoice's final total.
    AfterTotals,
    /// A credit note after an invoice, or the reverse.
    TypeChange,
}

fn kind(p: &PageFacts) -> Option<Title> {
    if p.credit_number {
        return Some(Title::CreditNote);
    }
    p.title.as_ref().map(|t| t.0)
}

/// The page where each invoice starts and why.
pub fn starts(pages: &[PageFacts]) -> Vec<(usize, Start)> {
    let mut out: Vec<(usize, Start)> = Vec::new();
    let mut number: Option<String> = None;
    let mut doc_kind: Option<Title> = None;
    let mut totals_seen = false;
    for (i, p) in pages.iter().enumerate() {
        let this_number = p.number.as_ref().map(|n| n.value.to_ascii_uppercase());
        let this_kind = kind(p);
        let why = if i == 0 {
            Some(Start::FirstPage)
        } else if !p.has_header() {
            None
        } else {
            // « page 2/3 » says this page continues a document.
            let continues = p.numbering.is_some_and(|(k, _)| k > 1);
            let same_number = matches!((&this_number, &number), (Some(a), Some(b)) if a == b);
            let new_number = matches!((&this_number, &number), (Some(a), Some(b)) if a != b);
            let type_change = matches!((this_kind, doc_kind), (Some(a), Some(b)) if a != b)
                && (this_number.is_some() || p.numbering.is_some_and(|(k, _)| k == 1));
            // The same number again after the final total, on a page that
            // opens a document (a title, not « page 2/3 »), is another
            // document when it has its own final total before the next
            // header: two programs' samples, or a credit note, reusing a
            // number. A header repeated over an annex with no total of its
            // own stays with its invoice.
            let another_complete = || {
                p.title.is_some()
                    && pages[i..]
                        .iter()
                        .enumerate()
                        .take_while(|(k, q)| {
                            // Its own continued pages, then annexes.
                            let own = q.numbering.is_some_and(|(n, _)| n > 1)
                                || q.number.as_ref().map(|n| n.value.to_ascii_uppercase())
                                    == this_number;
                            *k == 0 || !q.has_header() || own
                        })
                        .any(|(_, q)| q.has_final_total())
            };
            if same_number {
                (totals_seen && !continues && (type_change || another_complete()))
                    .then_some(Start::AfterTotals)
            } else if type_change && !continues {
                Some(Start::TypeChange)
            } else if new_number && !continues {
                Some(Start::NewNumber)
            } else if totals_seen && !continues && this_kind.is_some() {
                Some(Start::AfterTotals)
            } else {
                None
            }
        };
        if let Some(w) = why {
            out.push((i, w));
            number = this_number;
            doc_kind = this_kind;
            totals_seen = false;
        } else {
            if number.is_none() {
                number = this_number;
            }
            if doc_kind.is_none() {
                doc_kind = this_kind;
            }
        }
        if p.has_final_total() {
            totals_seen = true;
        }
    }
    out
}

/// The invoices' page ranges (indexes into `pages`), in order.
pub fn split(pages: &[PageFacts]) -> Vec<Range<usize>> {
    let s = starts(pages);
    let mut out = Vec::with_capacity(s.len());
    for (k, (first, _)) in s.iter().enumerate() {
        let end = s.get(k + 1).map(|n| n.0).unwrap_or(pages.len());
        out.push(*first..end);
    }
    if out.is_empty() && !pages.is_empty() {
        out.push(0..pages.len());
    }
    out
}
