//! The general reader: no learning, French, English and German labels. For
//! each page it finds what a person looks at ([`PageFacts`]: the title, the
//! labelled values, the identifiers, the parties' blocks, the table of
//! lines, the VAT breakdown, the totals), then [`invoice`] puts one
//! invoice's pages together and lets the arithmetic choose between
//! candidates.
//!
//! A value is `sure` only when a check confirms it: identifiers by their
//! check digits, amounts by the arithmetic (lines sum to the total, VAT per
//! rate, HT + TVA = TTC), a line by quantity × unit price. Numbers, dates,
//! names and addresses read by label alone are not sure until a learned
//! layout says where they sit ([`super::learn`]).
//!
//! Deliberately not here: boundaries between invoices
//! ([`super::boundaries`]), learned positions, any judging for a portal.

use std::sync::LazyLock;

use regex::Regex;

use super::amount::{Dec, has_decimals, parse_number};
use super::labels::{self, Column, Hit, Label, Title};
use super::layout::{Cell, Line, Page};
use super::{Field, Invoice, ItemLine, Party, Source, VatRow};
use crate::ident::{self, IdKind, Validity};

/// Where a cell is, as a [`Source`].
pub fn source_of(page: usize, c: &Cell) -> Source {
    Source::Page {
        page,
        x: c.x0,
        y: c.y - c.size * 0.25,
        w: c.x1 - c.x0,
        h: c.size * 1.2,
    }
}

/// A value found on a page, before the invoice is put together.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub value: String,
    pub source: Source,
    /// The label's own text ("Facture n°"), for learning.
    pub label: String,
}

impl Found {
    fn field(&self, sure: bool) -> Field {
        Field::new(self.value.clone(), self.source, sure)
    }
}

/// A labelled total on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalCand {
    pub kind: Label,
    pub amount: Dec,
    pub source: Source,
}

/// A row of a table, its cells sorted into columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub description: Option<(String, Source)>,
    pub quantity: Option<(Dec, Source)>,
    pub unit: Option<(String, Source)>,
    pub unit_price: Option<(Dec, Source)>,
    pub vat_rate: Option<(Dec, Source)>,
    pub net: Option<(Dec, Source)>,
    /// The figure under a column named as no quantity (« # »), which the
    /// rows' arithmetic may show to be the quantity after all.
    pub counted: Option<(Dec, Source)>,
}

/// A VAT breakdown row as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct VatCand {
    pub rate: (Dec, Source),
    pub base: Option<(Dec, Source)>,
    pub tax: Option<(Dec, Source)>,
}

/// A party's block as found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartyBlock {
    pub name: Option<(String, Source)>,
    pub street: Option<(String, Source)>,
    pub postcode: Option<(String, Source)>,
    pub city: Option<(String, Source)>,
    pub country: Option<(String, Source)>,
    /// The country was not printed: France taken for a five-digit postcode.
    pub country_guessed: bool,
    /// Box of the whole block: x0, y0, x1, y1.
    pub bbox: [f32; 4],
}

/// An identifier found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct IdFound {
    pub kind: IdKind,
    pub value: String,
    pub source: Source,
    pub valid: bool,
    /// Written in the buyer's block or after a buyer word.
    pub buyer: bool,
    /// Written in the letterhead or the legal footer, where only the
    /// seller's identifiers go.
    pub edge: bool,
}

/// What one page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageFacts {
    pub page: usize,
    pub title: Option<(Title, Source)>,
    pub number: Option<Found>,
    /// Set when the number came from a credit-note label.
    pub credit_number: bool,
    pub issue_date: Option<Found>,
    pub due_date: Option<Found>,
    pub order_ref: Option<Found>,
    pub buyer_ref: Option<Found>,
    pub contract_ref: Option<Found>,
    pub currency: Option<Found>,
    pub iban: Option<Found>,
    pub ids: Vec<IdFound>,
    pub seller: Option<PartyBlock>,
    pub buyer: Option<PartyBlock>,
    /// A buyer label ("Client", "Bill to") was seen.
    pub buyer_label: bool,
    pub rows: Vec<Row>,
    /// The table's header was found on this page.
    pub table_header: bool,
    /// The columns of the table of lines read on this page (its header's,
    /// or the previous page's when the table goes on without it).
    pub table_cols: Vec<(Column, f32, f32)>,
    pub vat: Vec<VatCand>,
    pub totals: Vec<TotalCand>,
    /// Discounts and fees printed outside the table, in the totals block
    /// (« Remise fidélité −12,50 » between « Sous-total » and « Total
    /// HT »), as rows with a description and an amount only; the invoice
    /// counts them only when they explain its total without VAT.
    pub outside_adjustments: Vec<Row>,
    /// « page i / n ».
    pub numbering: Option<(u32, u32)>,
}

impl PageFacts {
    /// The page carries a final total (TTC or amount due).
    pub fn has_final_total(&self) -> bool {
        self.totals
            .iter()
            .any(|t| matches!(t.kind, Label::WithTax | Label::Due))
    }
    /// The page starts a document: a title, or an invoice number with a date
    /// or a party beside it.
    pub fn has_header(&self) -> bool {
        self.title.is_some()
            || (self.number.is_some()
                && (self.issue_date.is_some() || self.buyer_label || self.buyer.is_some()))
    }
}

/// Invoice lines kept per page (a hostile page cannot make the breakdown
/// search quadratic).
const MAX_ROWS: usize = 500;

/// Longest value kept for a number or reference.
const MAX_REF_CHARS: usize = 40;

/// Reads one page.
pub fn page_facts(page: &Page) -> PageFacts {
    let mut pf = PageFacts {
        page: page.number,
        ..PageFacts::default()
    };
    let top_band = page.height * 0.55;
    for (li, line) in page.lines.iter().enumerate() {
        if pf.numbering.is_none() {
            for c in &line.cells {
                if let Some(n) = labels::page_numbering(&c.text) {
                    pf.numbering = Some(n);
                }
            }
            if pf.numbering.is_none()
                && let Some(n) = labels::page_numbering(&line.text())
            {
                pf.numbering = Some(n);
            }
        }
        for (ci, cell) in line.cells.iter().enumerate() {
            // Titles sit in the upper part of the page, larger or alone.
            if pf.title.is_none()
                && cell.y > top_band
                && let Some((t, rest)) = labels::title_and_rest(&cell.text)
            {
                pf.title = Some((t, source_of(page.number, cell)));
                // "Avoir AV-2017-0005": the title carries the number.
                if pf.number.is_none()
                    && labels::find(rest).is_empty()
                    && let Some(n) = reference(rest)
                {
                    pf.number = Some(Found {
                        value: n,
                        source: source_of(page.number, cell),
                        label: cell.text[..cell.text.len() - rest.len()].trim().to_string(),
                    });
                    pf.credit_number = t == Title::CreditNote;
                }
            }
            // "Rechnung Nr. 471102 vom 05.03.2018": the date follows the
            // number.
            if pf.issue_date.is_none()
                && let Some(c) = DATE_AFTER.captures(&cell.text)
                && labels::find(&cell.text)
                    .iter()
                    .any(|h| matches!(h.label, Label::InvoiceNo | Label::CreditNo))
                && let Some(d) = parse_date(&c[1])
            {
                pf.issue_date = Some(Found {
                    value: d,
                    source: source_of(page.number, cell),
                    label: String::new(),
                });
            }
            // « Gutschrift Nr. 471102 » over « vom 05.03.2018 »: the date
            // goes on under the number.
            if pf.issue_date.is_none()
                && labels::find(&cell.text)
                    .iter()
                    .any(|h| matches!(h.label, Label::InvoiceNo | Label::CreditNo))
                && let Some(below) = page.lines.get(li + 1)
                && cell.y - below.y < 2.0 * cell.size.max(1.0)
                && let Some(c) = below
                    .cells
                    .iter()
                    .find(|b| b.overlap(cell.x0, cell.x1) > 0.0)
                && let Some(m) = DATE_AFTER.captures(&c.text)
                && m.get(0)
                    .is_some_and(|m| c.text[..m.start()].trim().is_empty())
                && let Some(d) = parse_date(&m[1])
            {
                pf.issue_date = Some(Found {
                    value: d,
                    source: source_of(page.number, c),
                    label: String::new(),
                });
            }
            let hits = labels::find(&cell.text);
            for (hi, hit) in hits.iter().enumerate() {
                let next_start = hits.get(hi + 1).map(|h| h.start);
                labelled(page, li, ci, hit, next_start, &mut pf);
            }
        }
    }
    identifiers(page, &mut pf);
    parties(page, &mut pf);
    table(page, &mut pf);
    // A column's header over a line's amount (« Total » over « 160,00 »)
    // is no total of the invoice.
    let rows = &pf.rows;
    pf.totals.retain(|t| {
        !rows
            .iter()
            .any(|r| r.net.is_some_and(|(_, s)| s == t.source))
    });
    vat_rows(page, &mut pf);
    outside_adjustments(page, &mut pf);
    pf
}

/// A cell that starts with a discount or fee's words, followed on its
/// line by an amount at most two cells on (a totals block may share its
/// lines with a VAT breakdown on the left), not already a row of the table.
fn outside_adjustments(page: &Page, pf: &mut PageFacts) {
    for line in &page.lines {
        let Some(ci) = line
            .cells
            .iter()
            .position(|c| DISCOUNT.is_match(&c.text) || FEE.is_match(&c.text))
        else {
            continue;
        };
        let rest = &line.cells[ci..];
        if rest.len() > 3 {
            continue;
        }
        let Some((amount, at)) = rest
            .iter()
            .rev()
            .find_map(|c| last_amount(&c.text).map(|a| (a, source_of(page.number, c))))
        else {
            continue;
        };
        if pf.rows.iter().any(|r| r.net.is_some_and(|(_, s)| s == at)) {
            continue;
        }
        let reason = rest[0]
            .text
            .trim_end_matches(|c: char| c.is_ascii_digit() || " ,.:+-−€%".contains(c))
            .trim();
        pf.outside_adjustments.push(Row {
            description: Some((reason.to_string(), source_of(page.number, &rest[0]))),
            net: Some((amount, at)),
            ..Row::default()
        });
    }
}

/// Candidate values of a label: the rest of its cell, the next cell on the
/// line, the cell just below (same column).
fn value_candidates(
    page: &Page,
    li: usize,
    ci: usize,
    hit: &Hit,
    next_start: Option<usize>,
) -> Vec<(String, Source)> {
    let cell = &page.lines[li].cells[ci];
    let mut out = Vec::new();
    let end = next_start.unwrap_or(cell.text.len()).max(hit.end);
    let rest = cell.text[hit.end..end]
        .trim_start_matches([' ', ':', '.', '°', 'º', '#', '-', '/', '\u{a0}'])
        .trim();
    if !rest.is_empty() {
        // The value's box: the share of the cell after the label.
        let n = cell.text.chars().count().max(1) as f32;
        let before = cell.text[..cell.text.len() - rest.len()].chars().count() as f32;
        let x0 = cell.x0 + (cell.x1 - cell.x0) * before / n;
        let sub = Cell { x0, ..cell.clone() };
        out.push((rest.to_string(), source_of(page.number, &sub)));
    }
    if next_start.is_some() {
        return out;
    }
    if let Some(next) = page.lines[li].cells.get(ci + 1) {
        out.push((next.text.clone(), source_of(page.number, next)));
    } else if let Some(v) = offset_right(page, li, cell) {
        out.push((v.text.clone(), source_of(page.number, v)));
    }
    for below in page.lines.iter().skip(li + 1).take(2) {
        if cell.y - below.y > 3.0 * cell.size.max(1.0) {
            break;
        }
        if let Some(b) = below
            .cells
            .iter()
            .filter(|b| b.overlap(cell.x0 - 2.0, cell.x1 + 2.0) > 0.0)
            .min_by(|a, b| (a.x0 - cell.x0).abs().total_cmp(&(b.x0 - cell.x0).abs()))
        {
            out.push((b.text.clone(), source_of(page.number, b)));
            break;
        }
    }
    out
}

/// The value printed to the right of a label that ends its line, on a line
/// of its own a few points lower or higher: a small label over a bigger,
/// right-aligned value (« Rechnungsnummer ……… 471102 »), whose baselines
/// differ by less than the label's height.
fn offset_right<'p>(page: &'p Page, li: usize, cell: &Cell) -> Option<&'p Cell> {
    let near = |l: &&Line| (l.y - cell.y).abs() < 0.7 * cell.size.max(1.0);
    [li.checked_sub(1), Some(li + 1)]
        .into_iter()
        .flatten()
        .filter_map(|i| page.lines.get(i))
        .filter(near)
        .filter_map(|l| l.cells.iter().find(|c| c.x0 >= cell.x1))
        .min_by(|a, b| (a.y - cell.y).abs().total_cmp(&(b.y - cell.y).abs()))
}

fn labelled(
    page: &Page,
    li: usize,
    ci: usize,
    hit: &Hit,
    next_start: Option<usize>,
    pf: &mut PageFacts,
) {
    let cell = &page.lines[li].cells[ci];
    let label_text = cell.text[hit.start..hit.end].trim().to_string();
    let cands = || value_candidates(page, li, ci, hit, next_start);
    let found = |value: String, source: Source| Found {
        value,
        source,
        label: label_text.clone(),
    };
    match hit.label {
        Label::InvoiceNo | Label::CreditNo => {
            if pf.number.is_none()
                && let Some((v, s)) = cands()
                    .into_iter()
                    .find_map(|(t, s)| reference(&t).map(|v| (v, s)))
            {
                pf.number = Some(found(v, s));
                pf.credit_number = hit.label == Label::CreditNo;
            }
        }
        Label::IssueDate | Label::BareDate | Label::DueDate => {
            let slot = if hit.label == Label::DueDate {
                &mut pf.due_date
            } else {
                &mut pf.issue_date
            };
            if slot.is_none()
                && let Some((v, s)) = cands()
                    .into_iter()
                    .find_map(|(t, s)| parse_date(&t).map(|v| (v, s)))
            {
                *slot = Some(found(v, s));
            }
        }
        Label::OrderRef | Label::BuyerRef | Label::ContractRef => {
            let slot = match hit.label {
                Label::OrderRef => &mut pf.order_ref,
                Label::BuyerRef => &mut pf.buyer_ref,
                _ => &mut pf.contract_ref,
            };
            // A buyer's reference may be a code of letters alone (Chorus
            // Pro's « SERVICE EXECUTANT : SERVEXEC »).
            let buyer_code = hit.label == Label::BuyerRef;
            if slot.is_none()
                && let Some((v, s)) = cands().into_iter().find_map(|(t, s)| {
                    reference(&t)
                        .or_else(|| buyer_code.then(|| letter_code(&t)).flatten())
                        .map(|v| (v, s))
                })
            {
                *slot = Some(found(v, s));
            }
        }
        Label::Currency => {
            if pf.currency.is_none()
                && let Some((v, s)) = cands()
                    .into_iter()
                    .find_map(|(t, s)| currency(&t).map(|v| (v.to_string(), s)))
            {
                pf.currency = Some(found(v, s));
            }
        }
        Label::Iban => {
            if pf.iban.is_none()
                && let Some((v, s)) = cands().into_iter().find_map(|(t, s)| {
                    let n = ident::normalize(IdKind::Iban, first_token_run(&t, 34).as_str());
                    (n.len() >= 15 && ident::validate(IdKind::Iban, &n) == Validity::Valid)
                        .then_some((n, s))
                })
            {
                pf.iban = Some(found(v, s));
            }
        }
        Label::Buyer => pf.buyer_label = true,
        k if k.is_total() => {
            // A total's amount is on its line, to the right (the last
            // amount), or just below in a totals box.
            let line = &page.lines[li];
            let same_line = line.cells[ci + 1..]
                .iter()
                .rev()
                .chain(std::iter::once(cell))
                .find_map(|c| {
                    let text = if std::ptr::eq(c, cell) {
                        cell.text[hit.end..next_start.unwrap_or(cell.text.len()).max(hit.end)]
                            .to_string()
                    } else {
                        c.text.clone()
                    };
                    last_amount(&text).map(|a| (a, source_of(page.number, c)))
                });
            // Below: the column of amounts under the label. One amount is
            // the total; several (one per VAT rate, then their sum) give
            // the last only when it is the sum of the others.
            let below = || {
                let mut column: Vec<(Dec, Source)> = Vec::new();
                let mut prev_y = cell.y;
                for b in page.lines.iter().skip(li + 1).take(12) {
                    // The first amount may sit a little lower (a totals
                    // box's header over its row of amounts).
                    let reach = if column.is_empty() { 3.0 } else { 2.5 };
                    if prev_y - b.y > reach * cell.size.max(1.0) {
                        break;
                    }
                    let mut under = b
                        .cells
                        .iter()
                        .filter(|c| c.overlap(cell.x0 - 4.0, cell.x1 + 4.0) > 0.0)
                        .peekable();
                    // A line with nothing under the label (a sentence of the
                    // legal notes beside the totals box) is passed over.
                    if under.peek().is_none() {
                        continue;
                    }
                    // A line of its own label (« Acompte : 10,00 », « NET A
                    // PAYER ») ends the column.
                    if b.cells.iter().any(|c| {
                        c.text.trim_end().ends_with(':')
                            || labels::find(&c.text).iter().any(|h| h.label.is_total())
                    }) {
                        break;
                    }
                    let Some(found) = under
                        .find_map(|c| amount_of(&c.text).map(|a| (a, source_of(page.number, c))))
                    else {
                        break;
                    };
                    column.push(found);
                    prev_y = b.y;
                }
                match column.len() {
                    0 => None,
                    1 => column.pop(),
                    _ => {
                        let (last, rest) = column.split_last()?;
                        let sum = rest.iter().fold(Dec::ZERO, |a, (d, _)| a.plus(*d));
                        sum.near(last.0, 1).then_some(*last)
                    }
                }
            };
            if let Some((amount, source)) = same_line.or_else(below) {
                // "TVA 20 %" alone is a breakdown row, read by vat_rows.
                let rate_in_label = k == Label::Tax && rate_in(&cell.text).is_some();
                if !(rate_in_label && line.cells.len() > 2) {
                    pf.totals.push(TotalCand {
                        kind: k,
                        amount,
                        source,
                    });
                }
            }
        }
        _ => {}
    }
}

/// A code written in capitals with no digit (« SERVEXEC », « ACHATS_IDF »):
/// the whole value, one word of three to forty letters, underscores or
/// hyphens.
fn letter_code(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches([':', '.', '#']).trim();
    let ok = !t.contains(char::is_whitespace)
        && (3..=MAX_REF_CHARS).contains(&t.chars().count())
        && t.chars().any(|c| c.is_ascii_uppercase())
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "-_".contains(c));
    ok.then(|| t.to_string())
}

/// The first word-run that looks like a reference: digits present, no
/// spaces inside (except a space before a digit group), bounded.
fn reference(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches([':', '.', '#', '°', 'º'])
        .trim();
    let token: String = t
        .split_whitespace()
        .next()?
        .trim_end_matches([',', ';', ')'])
        .to_string();
    let ok = !token.is_empty()
        && token.chars().count() <= MAX_REF_CHARS
        && token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_alphanumeric() || "-_/.".contains(c))
        && parse_date(&token).is_none();
    ok.then_some(token)
}

/// The characters of an identifier: letters, digits and inner spaces, up to
/// `max` significant ones.
fn first_token_run(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            n += 1;
            if n >= max {
                break;
            }
        } else if c == ' ' || c == '\u{a0}' || c == '.' || c == '-' {
            continue;
        } else {
            break;
        }
    }
    out
}

fn currency(text: &str) -> Option<&'static str> {
    let t = text.trim();
    for (code, signs) in [
        ("EUR", &["EUR", "€", "Euro"][..]),
        ("USD", &["USD", "$"]),
        ("GBP", &["GBP", "£"]),
        ("CHF", &["CHF"]),
    ] {
        if signs.iter().any(|s| t.starts_with(s)) {
            return Some(code);
        }
    }
    None
}

/// The amount a cell holds when it is (only) an amount.
fn amount_of(text: &str) -> Option<Dec> {
    parse_number(text)
}

/// The last amount in a text ("Total TTC  1 234,56 €", "EUR 12.00").
fn last_amount(text: &str) -> Option<Dec> {
    let t = text.trim().trim_start_matches([':', '=']).trim();
    if let Some(d) = parse_number(t) {
        return Some(d);
    }
    // Take the longest suffix of words that parses.
    let words: Vec<&str> = t.split_whitespace().collect();
    for start in 0..words.len() {
        let s = words[start..].join(" ");
        // A bare integer is an amount only with its currency beside it.
        let currency = ["€", "$", "£", "₹", "EUR", "USD", "Rs", "INR"]
            .iter()
            .any(|c| s.contains(c));
        if let Some(d) = parse_number(&s).filter(|_| has_decimals(&s) || currency) {
            return Some(d);
        }
    }
    None
}

static RATE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([0-9]{1,2}(?:[.,][0-9]{1,3})?)\s*%").expect("rate regex"));

/// A VAT rate written "20 %", "5,5%", "19.00 %".
fn rate_in(text: &str) -> Option<Dec> {
    let c = RATE_RE.captures(text)?;
    parse_number(c.get(1)?.as_str())
}

pub static LETTERHEAD_SEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+[-–|•·●]\s+|,\s+").expect("separator"));
static DATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:vom|von|du|of|dated|from|le|den|issued\s+(?:at|on))\s+([0-9].{5,20})")
        .expect("date after")
});
static DATE_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,2})\s*[./-]\s*([0-9]{1,2})\s*[./-]\s*([0-9]{4}|[0-9]{2})\b")
        .expect("date")
});
static DATE_YMD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\b").expect("date"));
static DATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^([0-9]{1,2})(?:er|st|nd|rd|th)?\.?\s+([a-zéûäè]+)\.?,?\s+([0-9]{4})\b")
        .expect("date")
});
static DATE_MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^([a-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?\s*,?\s+([0-9]{4})\b")
        .expect("date")
});

fn month(word: &str) -> Option<u32> {
    let w = crate::text::fold(word);
    const MONTHS: [&[&str]; 12] = [
        &[
            "janvier", "january", "januar", "jan", "janv", "jänner", "januari",
        ],
        &[
            "fevrier", "february", "februar", "feb", "fev", "fevr", "februari",
        ],
        &["mars", "march", "marz", "mar", "maerz", "maart", "mrt"],
        &["avril", "april", "apr", "avr"],
        &["mai", "may", "mei"],
        &["juin", "june", "juni", "jun"],
        &["juillet", "july", "juli", "jul", "juil"],
        &["aout", "august", "aug", "augustus"],
        &["septembre", "september", "sep", "sept"],
        &["octobre", "october", "oktober", "oct", "okt"],
        &["novembre", "november", "nov"],
        &["decembre", "december", "dezember", "dec", "dez"],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

fn iso(y: u32, m: u32, d: u32) -> Option<String> {
    let date = jiff::civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    (1990..=2100).contains(&y).then(|| date.to_string())
}

/// A date at the start of a text, as ISO "2026-03-05".
pub fn parse_date(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches([':', '.'])
        .trim()
        .trim_start_matches("du ")
        .trim_start_matches("le ")
        .trim_start_matches("vom ")
        .trim();
    if let Some(c) = DATE_YMD.captures(t) {
        return iso(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = DATE_DMY.captures(t) {
        let mut y: u32 = c[3].parse().ok()?;
        if y < 100 {
            y += 2000;
        }
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
        // Day first, as Europe writes it; "03/20/2023" can only be American.
        return iso(y, b, a).or_else(|| (b > 12).then(|| iso(y, a, b)).flatten());
    }
    if let Some(c) = DATE_WORDS.captures(t) {
        return iso(c[3].parse().ok()?, month(&c[2])?, c[1].parse().ok()?);
    }
    if let Some(c) = DATE_MONTH_FIRST.captures(t) {
        return iso(c[3].parse().ok()?, month(&c[1])?, c[2].parse().ok()?);
    }
    None
}

static SIRET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([0-9]{3}[ \u{a0}.]?[0-9]{3}[ \u{a0}.]?[0-9]{3}[ \u{a0}.]?[0-9]{5})\b")
        .expect("siret")
});
static SIREN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([0-9]{3}[ \u{a0}.]?[0-9]{3}[ \u{a0}.]?[0-9]{3})\b").expect("siren")
});
static VAT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(NL[0-9]{9}B[0-9]{2}|(?:FR|DE|BE|IT|ES|NL|LU|AT|CH|GB|IE|PT|PL|SE|DK|FI)[ \u{a0}]?[0-9A-Z]{2}[ \u{a0}]?[0-9]{3}[ \u{a0}]?[0-9]{3}[ \u{a0}]?[0-9]{0,5})\b")
        .expect("vat")
});

const BUYER_WORDS: &[&str] = &[
    "client",
    "acheteur",
    "customer",
    "buyer",
    "kunde",
    "destinataire",
    "bill to",
    "debiteur",
];

/// SIREN, SIRET and VAT numbers anywhere on the page: after their label, or
/// (VAT) recognisable by their shape. The role is the buyer's when written
/// in the buyer's block or after a buyer word.
fn identifiers(page: &Page, pf: &mut PageFacts) {
    // Cells of a block headed « Vos identifiants », « Your details »,
    // « Ihre Angaben »: the reader's own, the buyer's.
    let yours_heads = ["vos ", "your ", "ihre ", "votre "];
    let in_yours: Vec<(usize, usize)> = page
        .blocks
        .iter()
        .filter(|b| {
            b.cells.first().is_some_and(|&c| {
                let head = crate::text::fold(&page.cell(c).text);
                yours_heads.iter().any(|w| head.trim_start().starts_with(w))
                    && labels::find(&page.cell(c).text).is_empty()
            })
        })
        .flat_map(|b| b.cells.iter().copied())
        .collect();
    for (li, line) in page.lines.iter().enumerate() {
        for (ci, cell) in line.cells.iter().enumerate() {
            let hits = labels::find(&cell.text);
            if hits.is_empty() && !VAT_RE.is_match(&cell.text) {
                continue;
            }
            let folded = crate::text::fold(&cell.text);
            // « Ihre USt.-IdentNr. », « Your VAT No. », « Votre n° TVA »:
            // the reader's own, the buyer's.
            let yours = ["ihre ", "your ", "votre "]
                .iter()
                .any(|w| folded.trim_start().starts_with(w))
                || in_yours.contains(&(li, ci));
            let buyer_word = yours || BUYER_WORDS.iter().any(|w| folded.contains(w));
            let edge = cell.y > page.height * 0.8 || cell.y < page.height * 0.15;
            for (hi, hit) in hits.iter().enumerate() {
                let kind = match hit.label {
                    Label::Siren => IdKind::Siren,
                    Label::Siret => IdKind::Siret,
                    Label::Vat => IdKind::Vat,
                    _ => continue,
                };
                let end = hits.get(hi + 1).map(|h| h.start).unwrap_or(cell.text.len());
                let mut texts = vec![cell.text[hit.end..end.max(hit.end)].to_string()];
                if let Some(n) = line.cells.get(ci + 1) {
                    texts.push(n.text.clone());
                }
                for t in texts {
                    let re: &Regex = match kind {
                        IdKind::Siret => &SIRET_RE,
                        IdKind::Siren => &SIREN_RE,
                        _ => &VAT_RE,
                    };
                    if let Some(m) = re.find(&t) {
                        let v = ident::normalize(kind, m.as_str());
                        push_id(pf, kind, v, source_of(page.number, cell), buyer_word, edge);
                        break;
                    }
                }
            }
            // VAT numbers and SIRETs are recognisable without a label.
            for m in VAT_RE.find_iter(&cell.text).take(4) {
                let v = ident::normalize(IdKind::Vat, m.as_str());
                if matches!(
                    ident::validate(IdKind::Vat, &v),
                    Validity::Valid | Validity::FormatOnly
                ) {
                    push_id(
                        pf,
                        IdKind::Vat,
                        v,
                        source_of(page.number, cell),
                        buyer_word,
                        edge,
                    );
                }
            }
        }
    }
}

fn push_id(
    pf: &mut PageFacts,
    kind: IdKind,
    value: String,
    source: Source,
    buyer: bool,
    edge: bool,
) {
    if pf.ids.iter().any(|i| i.kind == kind && i.value == value) {
        return;
    }
    let valid = ident::validate(kind, &value) == Validity::Valid;
    pf.ids.push(IdFound {
        kind,
        value,
        source,
        valid,
        buyer,
        edge,
    });
}

static POSTCODE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Z]{1,2}\s*-?\s*)?([0-9]{5}|[0-9]{4})\s+([A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' .\-]+?)(?:\s+(?:cedex\s*[0-9]*))?\s*$")
        .expect("postcode")
});

const COUNTRIES: &[(&str, &str)] = &[
    ("france", "FR"),
    ("deutschland", "DE"),
    ("germany", "DE"),
    ("allemagne", "DE"),
    ("belgique", "BE"),
    ("belgium", "BE"),
    ("luxembourg", "LU"),
    ("suisse", "CH"),
    ("schweiz", "CH"),
    ("switzerland", "CH"),
    ("osterreich", "AT"),
    ("austria", "AT"),
    ("italia", "IT"),
    ("italy", "IT"),
    ("espana", "ES"),
    ("spain", "ES"),
    ("united kingdom", "GB"),
    ("nederland", "NL"),
];

const STREET_WORDS: &[&str] = &[
    "rue",
    "chemin",
    "avenue",
    "av",
    "bd",
    "boulevard",
    "allee",
    "place",
    "impasse",
    "route",
    "quai",
    "cours",
    "strasse",
    "str",
    "weg",
    "platz",
    "gasse",
    "allee",
    "road",
    "street",
    "st",
    "lane",
    "way",
    "zi",
    "za",
    "lieu-dit",
    "bp",
    "cs",
];

/// « 35 rue d'ici », « Bahnhofstraße 99 », « 12 High Street »: a number
/// first, or a street word among the line's words.
pub fn street_like(t: &str) -> bool {
    let folded = crate::text::fold(t);
    // « Musterweg 1 », « Hauptstr. 5a »: a house number last.
    let numbered_last = t.split_whitespace().count() >= 2
        && t.split_whitespace().last().is_some_and(|w| {
            w.starts_with(|c: char| c.is_ascii_digit())
                && w.chars().count() <= 5
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    numbered_last
        || t.starts_with(|c: char| c.is_ascii_digit())
        || folded
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| STREET_WORDS.contains(&w) || w.ends_with("strasse") || w.ends_with("str"))
}

/// « 06000 NICE, DE », « 75018 Paris, France »: the line without the
/// country printed after a comma, and that country's code.
fn country_after(t: &str) -> (&str, Option<String>) {
    let Some((head, tail)) = t.rsplit_once(',') else {
        return (t, None);
    };
    let tail = tail.trim();
    let code = if tail.len() == 2 && tail.chars().all(|c| c.is_ascii_uppercase()) {
        Some(tail.to_string())
    } else {
        let folded = crate::text::fold(tail);
        COUNTRIES
            .iter()
            .find(|(name, _)| folded == *name)
            .map(|(_, code)| code.to_string())
    };
    match code {
        Some(c) => (head.trim_end(), Some(c)),
        None => (t, None),
    }
}

/// A postcode and city line ("75001 Paris", "D-80333 München"), not a
/// street ("1242 chemin de l'olive").
pub fn postcode_city(t: &str) -> Option<(String, String)> {
    let (t, _) = country_after(t);
    let m = POSTCODE_RE.captures(t)?;
    let city = m[2].trim().to_string();
    let first = crate::text::fold(city.split_whitespace().next()?);
    let first = first.trim_end_matches('.');
    if STREET_WORDS.contains(&first) || city.split_whitespace().count() > 5 {
        return None;
    }
    Some((m[1].to_string(), city))
}

/// A cell that is only a label ("Client :", "Verkäufer:").
fn only_label(t: &str) -> bool {
    labels::find(t)
        .first()
        .is_some_and(|h| h.start == 0 && t[h.end..].trim_matches([':', ' ', '.', '/']).is_empty())
}

/// A block's line that cannot be the party's name: a salutation or a role
/// word alone (« Herr », « Rechnungsersteller »), an identifier line (a run
/// of six digits or more: GLN, GTIN, customer numbers), a country in two
/// languages (« Deutschland / Germany »), the sender's return address over
/// an envelope window (« ACME GmbH • Str. 25 • 91710 Ort »), a sentence
/// that announces what follows (« … le compte suivant : »), a web or mail
/// address, figures alone.
pub fn not_a_name(t: &str) -> bool {
    let f = crate::text::fold(t);
    let w = f.trim().trim_end_matches([':', '.', ' ']);
    const ALONE: [&str; 21] = [
        "herr",
        "frau",
        "m",
        "mme",
        "mlle",
        "mr",
        "mrs",
        "ms",
        "monsieur",
        "madame",
        "rechnungsersteller",
        "rechnungssteller",
        "nummer",
        "globale nummer",
        "firma",
        "name",
        "nom",
        "anschrift",
        "adresse",
        "address",
        "postanschrift",
    ];
    if ALONE.contains(&w)
        || !t.chars().any(char::is_alphabetic)
        || labels::page_numbering(t).is_some()
    {
        return true;
    }
    // A web or mail address.
    if !t.contains(' ') && (t.contains('@') || w.starts_with("www.") || w.ends_with(".com")) {
        return true;
    }
    let mut run = 0;
    let mut longest = 0;
    for c in t.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest >= 6 {
        return true;
    }
    let parts: Vec<&str> = t.split('/').map(str::trim).collect();
    if parts.len() > 1
        && parts.iter().all(|p| {
            let fp = crate::text::fold(p);
            COUNTRIES.iter().any(|(n, _)| fp == *n)
        })
    {
        return true;
    }
    let pieces: Vec<&str> = LETTERHEAD_SEP
        .split(t)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if pieces.len() >= 3 && pieces.iter().any(|p| postcode_city(p).is_some()) {
        return true;
    }
    t.trim_end().ends_with(':') && t.split_whitespace().count() > 3
}

/// Reads a block of stacked cells as a party: name first, then street,
/// postcode and city, country.
fn party_from(page: &Page, cells: &[&Cell]) -> PartyBlock {
    let mut p = PartyBlock::default();
    let n = page.number;
    let mut x0 = f32::MAX;
    let mut y0 = f32::MAX;
    let mut x1 = f32::MIN;
    let mut y1 = f32::MIN;
    for c in cells {
        x0 = x0.min(c.x0);
        x1 = x1.max(c.x1);
        y0 = y0.min(c.y - c.size * 0.3);
        y1 = y1.max(c.y + c.size);
    }
    p.bbox = [x0, y0, x1, y1];
    let mut prev: Option<&Cell> = None;
    for c in cells {
        let t = c.text.trim();
        if let Some((pc, city)) = postcode_city(t) {
            if p.postcode.is_none() {
                p.postcode = Some((pc, source_of(n, c)));
                p.city = Some((city, source_of(n, c)));
                if let (_, Some(code)) = country_after(t) {
                    p.country = Some((code, source_of(n, c)));
                }
                // The street: the line before the town, unless an earlier
                // line after the name reads as one (« 58 rue de la mer »
                // over « Buyer line 2 »).
                let named = p.name.as_ref().map(|(nm, _)| nm.as_str());
                let street = cells
                    .iter()
                    .take_while(|s| !std::ptr::eq(**s, *c))
                    .skip_while(|s| Some(s.text.trim()) != named)
                    .skip(1)
                    .find(|s| street_like(s.text.trim()))
                    .copied()
                    .or(prev);
                if let Some(st) = street
                    && p.street.is_none()
                    && named.is_some_and(|nm| nm != st.text)
                {
                    p.street = Some((st.text.clone(), source_of(n, st)));
                }
            }
        } else if let Some((_, code)) = {
            let folded = crate::text::fold(t);
            COUNTRIES.iter().find(|(name, _)| folded == *name)
        } {
            p.country = Some((code.to_string(), source_of(n, c)));
        } else if p.name.is_none()
            && !t.is_empty()
            && !not_a_name(t)
            && !only_label(t)
            && !labels::find(t)
                .iter()
                .any(|h| !matches!(h.label, Label::Seller | Label::Buyer | Label::Ignore))
            && labels::title(t).is_none()
            && parse_date(t).is_none()
        {
            p.name = Some((t.to_string(), source_of(n, c)));
        }
        prev = Some(c);
    }
    if p.country.is_none()
        && let Some((pc, s)) = &p.postcode
        && pc.len() == 5
        && p.city.is_some()
    {
        // A five-digit postcode with no country line: the page's language
        // decides later; France is the default this program serves.
        p.country = Some(("FR".into(), *s));
        p.country_guessed = true;
    }
    p
}

/// The block a party label starts: the rest of the label's cell and the
/// cells stacked under it, or the next block below a label alone.
fn labelled_block(page: &Page, bi: usize, used: &mut Vec<usize>) -> Option<PartyBlock> {
    let b = &page.blocks[bi];
    let mut cells: Vec<Cell> = b.cells.iter().map(|&c| page.cell(c).clone()).collect();
    if let Some(first) = cells.first_mut() {
        let hit = *labels::find(&first.text).first()?;
        let rest = first.text[hit.end..]
            .trim_start_matches([':', ' '])
            .trim()
            .to_string();
        if rest.is_empty() {
            cells.remove(0);
        } else {
            first.text = rest;
        }
    }
    if cells.is_empty()
        && let Some((nbi, nb)) = page.blocks.iter().enumerate().find(|(i, nb)| {
            *i != bi
                && nb.top <= b.bottom + 4.0
                && b.bottom - nb.top < 30.0
                && (nb.x0 - b.x0).abs() < 40.0
        })
    {
        cells = nb.cells.iter().map(|&c| page.cell(c).clone()).collect();
        used.push(nbi);
    }
    // The address going on after a blank line (« MUSTERLIEFERANT GMBH »,
    // then « BAHNHOFSTRASSE 99 | 99199 MUSTERHAUSEN » two lines lower):
    // the block just under it, in the same column.
    if !cells.is_empty()
        && !cells.iter().any(|c| postcode_city(c.text.trim()).is_some())
        && let Some(size) = cells.last().map(|c| c.size.max(4.0))
        && let Some((nbi, nb)) = page.blocks.iter().enumerate().find(|(i, nb)| {
            *i != bi
                && !used.contains(i)
                && nb.top < b.bottom
                && b.bottom - nb.top < 3.0 * size
                && (nb.x0 - b.x0).abs() < 3.0
        })
        && nb
            .cells
            .iter()
            .any(|&c| postcode_city(page.cell(c).text.trim()).is_some())
    {
        cells.extend(nb.cells.iter().map(|&c| page.cell(c).clone()));
        used.push(nbi);
    }
    used.push(bi);
    let refs: Vec<&Cell> = cells.iter().take(7).collect();
    (!refs.is_empty()).then(|| party_from(page, &refs))
}

/// A letterhead or footer line: "ACME SARL - 12 rue X - 75001 Paris - France".
fn letterhead(page: &Page) -> Option<PartyBlock> {
    page.lines
        .iter()
        .filter(|l| l.y > page.height * 0.8 || l.y < page.height * 0.15)
        .flat_map(|l| l.cells.iter())
        .find_map(|c| address_line(page.number, c))
}

/// One cell holding a whole address, its parts separated: a name first,
/// then the street, the postcode and city, maybe the country.
fn address_line(n: usize, c: &Cell) -> Option<PartyBlock> {
    let parts: Vec<&str> = LETTERHEAD_SEP
        .split(&c.text)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 3 {
        return None;
    }
    let pi = parts.iter().rposition(|p| postcode_city(p).is_some())?;
    if pi == 0 {
        return None;
    }
    let src = source_of(n, c);
    let (pc, city) = postcode_city(parts[pi])?;
    let mut p = PartyBlock {
        name: Some((parts[0].to_string(), src)),
        postcode: Some((pc, src)),
        city: Some((city, src)),
        bbox: [c.x0, c.y - c.size, c.x1, c.y + c.size],
        ..PartyBlock::default()
    };
    if pi >= 2 {
        p.street = Some((parts[pi - 1].to_string(), src));
    }
    if let Some(country) = parts.get(pi + 1)
        && let folded = crate::text::fold(country)
        && let Some((_, code)) = COUNTRIES.iter().find(|(n, _)| folded == *n)
    {
        p.country = Some((code.to_string(), src));
    }
    Some(p)
}

/// The sender's line in small print over the address an envelope's window
/// shows (« Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen » over « Theodor
/// Est / Bahnstr. 42 / 88802 Spielkreis »): the sender, and the recipient's
/// lines under it, in larger print, at the same left edge.
fn window_address(page: &Page) -> Option<(PartyBlock, Vec<&Cell>)> {
    for (li, line) in page.lines.iter().enumerate() {
        if line.y < page.height * 0.45 {
            break;
        }
        for c in &line.cells {
            if c.size > 8.5 {
                continue;
            }
            let Some(sender) = address_line(page.number, c) else {
                continue;
            };
            let mut cells: Vec<&Cell> = Vec::new();
            let (mut last, mut last_size) = (line.y, c.size * 2.0);
            for l in &page.lines[li + 1..] {
                // The gap from the recipient's last line, in its own print
                // (another column's smaller lines between do not count);
                // the window's first line may sit lower under the sender's
                // line (a blank line or two of the window between).
                let reach = if cells.is_empty() { 6.0 } else { 3.5 };
                if last - l.y > reach * last_size.max(6.0) || cells.len() >= 6 {
                    break;
                }
                if let Some(x) = l
                    .cells
                    .iter()
                    .find(|x| (x.x0 - c.x0).abs() < 40.0 && x.size > c.size)
                {
                    cells.push(x);
                    last = l.y;
                    last_size = x.size;
                }
            }
            if cells.len() >= 2 {
                return Some((sender, cells));
            }
        }
    }
    None
}

/// The seller's and the buyer's blocks on the page.
fn parties(page: &Page, pf: &mut PageFacts) {
    let mut used: Vec<usize> = Vec::new();
    for bi in 0..page.blocks.len() {
        let first = page.cell(page.blocks[bi].cells[0]);
        let Some(hit) = labels::find(&first.text).first().copied() else {
            continue;
        };
        if hit.start != 0 {
            continue;
        }
        match hit.label {
            Label::Buyer if pf.buyer.is_none() => pf.buyer = labelled_block(page, bi, &mut used),
            Label::Seller if pf.seller.is_none() => pf.seller = labelled_block(page, bi, &mut used),
            // "Adresse de livraison" and other labelled blocks are no party.
            Label::Ignore => {
                let mut ignore = Vec::new();
                labelled_block(page, bi, &mut ignore);
                used.extend(ignore);
            }
            _ => {}
        }
    }
    // A party label over nothing like an address (« Client : » beside a
    // number, in a footer) leaves the party to the address blocks.
    for slot in [&mut pf.seller, &mut pf.buyer] {
        if slot
            .as_ref()
            .is_some_and(|b| b.name.is_none() && b.postcode.is_none() && b.street.is_none())
        {
            *slot = None;
        }
    }
    if pf.buyer.is_none()
        && let Some((sender, cells)) = window_address(page)
    {
        let buyer = party_from(page, &cells);
        if buyer.name.is_some() && buyer.postcode.is_some() {
            // Its block is no candidate for the seller any more.
            used.extend(page.blocks.iter().enumerate().filter_map(|(bi, b)| {
                b.cells
                    .iter()
                    .any(|&k| cells.iter().any(|c| std::ptr::eq(page.cell(k), *c)))
                    .then_some(bi)
            }));
            pf.buyer = Some(buyer);
            if pf.seller.is_none() {
                pf.seller = Some(sender);
            }
        }
    }
    // Parties a label or the envelope window named: their places say whose
    // they are. The others are guessed from where they sit.
    let named = (pf.seller.is_some(), pf.buyer.is_some());
    let upper = page.height * 0.4;
    let mut candidates: Vec<PartyBlock> = page
        .blocks
        .iter()
        .enumerate()
        .filter(|(bi, b)| !used.contains(bi) && b.top > upper && b.cells.len() >= 2)
        .map(|(bi, b)| {
            let mut cells: Vec<&Cell> = b.cells.iter().take(7).map(|&c| page.cell(c)).collect();
            // The town a blank line under the name and street, in the same
            // column (right-aligned blocks share their right edge).
            let has_town = |cs: &[&Cell]| cs.iter().any(|c| postcode_city(c.text.trim()).is_some());
            if !has_town(&cells)
                && let Some(size) = cells.last().map(|c| c.size.max(4.0))
                && let Some(nb) = page.blocks.iter().enumerate().find_map(|(i, nb)| {
                    let aligned = (nb.x0 - b.x0).abs() < 3.0 || (nb.x1 - b.x1).abs() < 3.0;
                    (i != bi
                        && !used.contains(&i)
                        && nb.top < b.bottom
                        && b.bottom - nb.top < 3.0 * size
                        && aligned)
                        .then_some(nb)
                })
            {
                let more: Vec<&Cell> = nb.cells.iter().take(3).map(|&c| page.cell(c)).collect();
                if has_town(&more) {
                    cells.extend(more);
                }
            }
            party_from(page, &cells)
        })
        .filter(|p| p.postcode.is_some() && p.name.is_some())
        .collect();
    if pf.seller.is_none() {
        // The letterhead, or the first address block on the left.
        if let Some(l) = letterhead(page) {
            pf.seller = Some(l);
        } else if pf.buyer.is_some() || candidates.len() >= 2 {
            let left = candidates
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    // Leftmost; of blocks in one column, the topmost.
                    if (a.1.bbox[0] - b.1.bbox[0]).abs() > 20.0 {
                        a.1.bbox[0].total_cmp(&b.1.bbox[0])
                    } else {
                        b.1.bbox[3].total_cmp(&a.1.bbox[3])
                    }
                })
                .map(|(i, _)| i);
            if let Some(i) = left {
                pf.seller = Some(candidates.remove(i));
            }
        } else if let Some(c) = candidates.pop() {
            pf.seller = Some(c);
        }
    }
    if pf.buyer.is_none() {
        // The address in the envelope's window (right), else the next one.
        let right = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.bbox[0] > page.width * 0.35)
            .max_by(|a, b| a.1.bbox[3].total_cmp(&b.1.bbox[3]))
            .map(|(i, _)| i)
            .or((!candidates.is_empty()).then_some(0));
        if let Some(i) = right {
            pf.buyer = Some(candidates.remove(i));
        }
    }
    // Two guessed blocks the other way round: the seller is the one the
    // page's own web or mail address names (« info@cronus.com » and
    // « CRONUS DE » on the right, the customer on the left as a German
    // window has it).
    if named == (false, false)
        && let (Some(s), Some(b)) = (&pf.seller, &pf.buyer)
    {
        let domains = web_names(page);
        let named_by = |p: &PartyBlock| {
            p.name
                .as_ref()
                .is_some_and(|(n, _)| domains.iter().any(|d| names_domain(n, d)))
        };
        if named_by(b) && !named_by(s) {
            std::mem::swap(&mut pf.seller, &mut pf.buyer);
        }
    }
}

/// The names in the page's web and mail addresses (« cronus » of
/// « info@cronus.com », « alphabet » of « www.alphabet.de »), folded.
fn web_names(page: &Page) -> Vec<String> {
    static WEB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:@|\bwww\.)([a-z0-9-]{4,})\.[a-z]{2,}")
            .expect("web names: built-in regex is valid")
    });
    let mut out: Vec<String> = page
        .lines
        .iter()
        .flat_map(|l| l.cells.iter())
        .flat_map(|c| {
            WEB.captures_iter(&c.text)
                .map(|m| m[1].to_ascii_lowercase())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A party's name that a web name spells (« Die Vordefinierte Firma » and
/// « vordefiniert », « CRONUS DE » and « cronus »).
fn names_domain(name: &str, domain: &str) -> bool {
    let folded = crate::text::fold(name);
    let joined: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let d: String = domain.chars().filter(|c| c.is_alphanumeric()).collect();
    d.len() >= 4
        && (joined.contains(&d)
            || folded
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.len() >= 4 && d.contains(w)))
}

/// The table of lines: a header row naming at least a description and an
/// amount column, then the rows under it until the totals.
fn table(page: &Page, pf: &mut PageFacts) {
    let classify = |i: usize| -> Vec<(Column, f32, f32)> {
        let l = &page.lines[i];
        let mut cols: Vec<(Column, f32, f32)> = l
            .cells
            .iter()
            .flat_map(|c| {
                merged_header(page, i, c)
                    .or_else(|| described_tail(c))
                    .unwrap_or_else(|| {
                        continued_header(page, i, c)
                            .or_else(|| labels::column(&c.text))
                            .map(|k| (k, c.x0, c.x1))
                            .into_iter()
                            .collect()
                    })
            })
            .collect();
        // A header on two or three lines: cells of the lines just above and
        // below that sit where this line has nothing.
        for j in [i.wrapping_sub(1), i + 1, i.wrapping_sub(2), i + 2] {
            let Some(o) = page.lines.get(j) else { continue };
            if (o.y - l.y).abs() > 2.6 * l.size.max(6.0) {
                continue;
            }
            for c in &o.cells {
                if let Some(k) = labels::column(&c.text)
                    && !cols.iter().any(|(_, a, b)| c.overlap(*a, *b) > 0.0)
                    && !l.cells.iter().any(|lc| {
                        lc.overlap(c.x0, c.x1) > 0.0 && labels::column(&lc.text).is_some()
                    })
                {
                    cols.push((k, c.x0, c.x1));
                }
            }
        }
        cols.sort_by(|a, b| a.1.total_cmp(&b.1));
        // « Amount | Product | … | Total »: an "amount" before the
        // description, with another at the end, is how many.
        let nets = cols.iter().filter(|c| c.0 == Column::Net).count();
        let description = cols
            .iter()
            .find(|c| c.0 == Column::Description)
            .map(|c| c.1);
        if nets >= 2
            && !cols.iter().any(|c| c.0 == Column::Quantity)
            && let Some(d) = description
            && let Some(first) = cols.iter_mut().find(|c| c.0 == Column::Net)
            && first.2 <= d
        {
            first.0 = Column::Quantity;
        }
        // No amount column named: the rightmost price column is the line's
        // amount ("Prix HT" at the end of the row).
        if !cols.iter().any(|c| c.0 == Column::Net)
            && cols.iter().filter(|c| c.0 == Column::UnitPrice).count() >= 2
            && let Some(last) = cols.iter_mut().rev().find(|c| c.0 == Column::UnitPrice)
        {
            last.0 = Column::Net;
        }
        cols
    };
    let Some((hi, cols)) = (0..page.lines.len()).find_map(|i| {
        let l = &page.lines[i];
        let own = l
            .cells
            .iter()
            .filter(|c| labels::column(&c.text).is_some())
            .count();
        if own < 2 || own * 2 < l.cells.len() {
            return None;
        }
        let cols = classify(i);
        let kinds: Vec<Column> = cols.iter().map(|c| c.0).collect();
        // Two columns only (« Désignation | Montant », a service invoice's
        // usual table) when the whole line is those two headers.
        ((cols.len() >= 3 || (cols.len() == 2 && own == l.cells.len()))
            && kinds.contains(&Column::Description)
            && (kinds.contains(&Column::Net) || kinds.contains(&Column::UnitPrice)))
        .then_some((i, cols))
    }) else {
        return;
    };
    // When the amount column has no header, the rightmost numbers are it.
    let cols = if cols.iter().any(|c| c.0 == Column::Net) {
        cols
    } else {
        let mut c = cols;
        if let Some(last) = c.iter_mut().rev().find(|c| c.0 == Column::UnitPrice) {
            last.0 = Column::Net;
        }
        c
    };
    let cols = widen_to_walls(page, &page.lines[hi], cols);
    pf.table_header = true;
    pf.rows = rows_under(page, hi, &cols);
    pf.table_cols = cols;
}

/// A table of lines that goes on over the next page without its header
/// (« 2 | 5,5000 | 50 Stk | 7 % | 275,00 » at the top of page 2): read
/// with the previous page's columns, when that page had no totals (the
/// table did not end there) and this one starts no document of its own.
pub fn continue_tables(pages: &[Page], facts: &mut [PageFacts]) {
    for i in 1..facts.len().min(pages.len()) {
        let (before, after) = facts.split_at_mut(i);
        let (prev, this) = (&before[i - 1], &mut after[0]);
        // The table ended on the previous page when totals follow its last
        // row there (a header's « USt. » over the first row's amount is no
        // total of the invoice).
        let last_row = prev
            .rows
            .last()
            .and_then(|r| r.net)
            .and_then(|(_, s)| y_of(s));
        let ended = prev
            .totals
            .iter()
            .any(|t| match (last_row, y_of(t.source)) {
                (Some(r), Some(y)) => y < r - 1.0,
                _ => true,
            });
        if this.table_header
            || !this.rows.is_empty()
            || prev.table_cols.is_empty()
            || ended
            || this.title.is_some()
            || this.number.is_some()
        {
            continue;
        }
        let page = &pages[i];
        let cols = &prev.table_cols;
        // The first line with an amount in the amount column starts it.
        let Some(net) = cols.iter().find(|c| c.0 == Column::Net) else {
            continue;
        };
        let Some(first) = page.lines.iter().position(|l| {
            l.cells
                .iter()
                .any(|c| c.overlap(net.1, net.2) > 0.0 && parse_number(&c.text).is_some())
        }) else {
            continue;
        };
        let line = &page.lines[first];
        let rows = rows_from(page, first, line.y + 0.1, line.size, cols);
        if !rows.is_empty() {
            this.rows = rows;
            this.table_cols = cols.clone();
        }
    }
}

/// In a ruled table, a column is the space between the vertical rules
/// around its header, not the header's words: a right-aligned amount under
/// a left-aligned header, far from it, still belongs to it. A column is
/// widened only when the rules enclose its header alone.
fn widen_to_walls(
    page: &Page,
    header: &super::layout::Line,
    cols: Vec<(Column, f32, f32)>,
) -> Vec<(Column, f32, f32)> {
    let reach = 3.0 * header.size.max(6.0);
    let mut xs: Vec<f32> = page
        .rules
        .iter()
        .filter(|r| r.vertical())
        .filter(|r| r.y0.min(r.y1) <= header.y + header.size && r.y0.max(r.y1) >= header.y - reach)
        .map(|r| (r.x0 + r.x1) / 2.0)
        .collect();
    if xs.len() < 2 {
        return cols;
    }
    xs.sort_by(f32::total_cmp);
    let mut out = cols.clone();
    for (i, (_, a, b)) in cols.iter().enumerate() {
        let left = xs.iter().rev().find(|x| **x <= a + 1.0);
        let right = xs.iter().find(|x| **x >= b - 1.0);
        let (Some(&l), Some(&r)) = (left, right) else {
            continue;
        };
        let alone = cols
            .iter()
            .enumerate()
            .all(|(j, (_, c, d))| j == i || *d <= l + 1.0 || *c >= r - 1.0);
        if alone && r > l {
            out[i].1 = l;
            out[i].2 = r;
        }
    }
    out
}

/// The rows under a table header (line `hi`), their cells sorted into the
/// given columns, until the totals or a wide gap. A line with only a
/// description continues the row above.
pub fn rows_under(page: &Page, hi: usize, cols: &[(Column, f32, f32)]) -> Vec<Row> {
    let header = &page.lines[hi];
    let mut rows = rows_from(page, hi + 1, header.y, header.size, cols);
    counted_quantities(&mut rows);
    rows
}

/// A table whose quantities sit under a column not named so (« # » over
/// « 1,00 », « 400,00 »): when no row has a quantity and every row's
/// figure there times its price is its amount — not all of them 1, which
/// positions could be — those figures are the quantities.
fn counted_quantities(rows: &mut [Row]) {
    let priced: Vec<&Row> = rows.iter().filter(|r| r.net.is_some()).collect();
    let fits = |r: &&Row| match (r.counted, r.unit_price, r.net) {
        (Some(q), Some(p), Some(n)) => q.0.times(p.0).near(n.0, 1),
        _ => false,
    };
    if priced.is_empty()
        || priced.iter().any(|r| r.quantity.is_some())
        || !priced.iter().all(fits)
        || priced
            .iter()
            .all(|r| r.counted.is_some_and(|q| q.0 == Dec::from_cents(100)))
    {
        return;
    }
    for r in rows.iter_mut().filter(|r| r.net.is_some()) {
        r.quantity = r.counted.take();
    }
}

/// The rows from line `first` on, under a header (or a page top) at `top`
/// whose text is `size` high.
fn rows_from(
    page: &Page,
    first: usize,
    top: f32,
    size: f32,
    cols: &[(Column, f32, f32)],
) -> Vec<Row> {
    let n = page.number;
    let mut rows: Vec<Row> = Vec::new();
    let mut pending: Option<Row> = None;
    // Description lines not yet given to a row: text, place, height.
    let mut loose: Vec<(String, Source, f32, bool)> = Vec::new();
    let mut last_y = top;
    for line in page.lines.iter().skip(first) {
        if last_y - line.y > 6.0 * line.size.max(8.0) {
            break;
        }
        // The header's own further lines (« Art-Nr | ohne », « (Art) |
        // USt. »: words without a figure) come before the first row; read
        // as labels they would end the table before it starts.
        if rows.is_empty()
            && top - line.y < 3.0 * size.max(6.0)
            && !line
                .cells
                .iter()
                .any(|c| c.text.chars().any(|ch| ch.is_ascii_digit()))
        {
            last_y = line.y;
            continue;
        }
        let first = line.cells.first().map(|c| c.text.as_str()).unwrap_or("");
        if labels::find(first)
            .first()
            .is_some_and(|h| h.label.is_total())
        {
            break;
        }
        if line
            .cells
            .iter()
            .any(|c| labels::find(&c.text).iter().any(|h| h.label.is_total()))
            && line.cells.len() <= 3
        {
            break;
        }
        // Another header (a new table): column names, no figures (« Rabatt:
        // -0,03 €/Stk. » under a line is a detail of it, not a header).
        if line
            .cells
            .iter()
            .filter(|c| {
                labels::column(&c.text).is_some() && !c.text.chars().any(|ch| ch.is_ascii_digit())
            })
            .count()
            >= 2
        {
            break;
        }
        let gap = last_y - line.y;
        last_y = line.y;
        let mut row = Row::default();
        let mut other_text = false;
        let cells: Vec<Cell> = line
            .cells
            .iter()
            .flat_map(|c| split_across(cols, c).unwrap_or_else(|| vec![c.clone()]))
            .collect();
        for c in &cells {
            // The column whose header overlaps most, else the nearest.
            let col = cols
                .iter()
                .max_by(|a, b| c.overlap(a.1, a.2).total_cmp(&c.overlap(b.1, b.2)))
                .filter(|k| c.overlap(k.1, k.2) > 0.0)
                .or_else(|| {
                    // No header above it: the nearest column, if near.
                    let gap = |k: &(Column, f32, f32)| (k.1 - c.x1).max(c.x0 - k.2).max(0.0);
                    cols.iter()
                        .min_by(|a, b| gap(a).total_cmp(&gap(b)))
                        .filter(|k| gap(k) < 3.0 * c.size.max(4.0))
                })
                .map(|k| k.0);
            let src = source_of(n, c);
            match col {
                Some(Column::Description) => {
                    // A quantity printed so close after the description
                    // that they make one run (« Kunstrasen grün 3m breit
                    // 3,00 » over « Artikelbeschreibung | Menge »).
                    let (text, src) = match quantity_run(cols, c, line) {
                        Some((d, q, qsrc)) if row.quantity.is_none() => {
                            row.quantity = Some((q, source_of(n, &qsrc)));
                            let dsrc = Cell {
                                x1: qsrc.x0 - 1.0,
                                ..c.clone()
                            };
                            (d, source_of(n, &dsrc))
                        }
                        _ => (c.text.clone(), src),
                    };
                    // Two description columns (« Produkt | Beschreibung »),
                    // or one cut in two: their texts in reading order.
                    row.description = Some(match row.description.take() {
                        Some((before, first)) => (format!("{before} {text}"), first),
                        None => (text, src),
                    });
                }
                Some(Column::Quantity) => quantity_and_unit(&mut row, &c.text, src),
                // « 2 jour » under the unit (a « Qty Unit » header over both):
                // the quantity leads it.
                Some(Column::Unit)
                    if row.quantity.is_none()
                        && c.text.split_whitespace().count() == 2
                        && c.text
                            .split_whitespace()
                            .next()
                            .and_then(parse_number)
                            .is_some() =>
                {
                    quantity_and_unit(&mut row, &c.text, src)
                }
                Some(Column::Unit) => row.unit = Some((c.text.clone(), src)),
                Some(Column::UnitPrice) => row.unit_price = parse_number(&c.text).map(|d| (d, src)),
                Some(Column::VatRate) => {
                    row.vat_rate = parse_number(&c.text)
                        .or_else(|| leading_rate(&c.text))
                        .filter(|r| r.0 <= 100 * 10_000)
                        .map(|d| (d, src))
                }
                Some(Column::Net) => row.net = parse_number(&c.text).map(|d| (d, src)),
                _ => {
                    other_text = true;
                    if row.counted.is_none() && has_decimals(&c.text) {
                        row.counted = parse_number(&c.text).map(|d| (d, src));
                    }
                }
            }
        }
        let _ = other_text;
        // A row whose amount is printed on the line under its price and
        // quantity (« 1 | Trennblätter A4 | 9,9000 | 20 Stk | 19 % » then
        // « 4012345001235 | 198,00 »): the two lines are one row.
        let row = match pending.take() {
            Some(mut p)
                if row.net.is_some()
                    && row.quantity.is_none()
                    && row.unit_price.is_none()
                    && gap < 2.2 * line.size.max(6.0) =>
            {
                p.net = row.net;
                if p.description.is_none() {
                    p.description = row.description;
                }
                p
            }
            _ => row,
        };
        let mut row = row;
        thousandths(&mut row);
        price_after_discount(&mut row, &cells);
        if row.net.is_none() && (row.quantity.is_some() || row.unit_price.is_some()) {
            pending = Some(row);
            continue;
        }
        if let Some(net) = row.net {
            if rows.len() >= MAX_ROWS {
                break;
            }
            if let Some(prev) = rows.last_mut()
                && line_discount(&row, line, prev, gap)
            {
                prev.net = prev.net.map(|(p, s)| (p.plus(net.0), s));
                continue;
            }
            // The description lines since the last row: each goes with the
            // row it is nearer to, the next one only when it has no words
            // of its own (« FOURNITURES DIVERSES » over « 2 | | 10,00 |
            // PCE | 3,00 | 30,00 »).
            let mut row = row;
            let here = y_of(net.1);
            let before = rows.last().and_then(|r| r.net).and_then(|n| y_of(n.1));
            let own = row.description.is_some();
            let close = 2.2 * line.size.max(6.0);
            for (d, s, y, near_prev) in loose.drain(..) {
                let nearer_next = match (here, before) {
                    (Some(h), Some(b)) => y - h < b - y && y - h < close,
                    (Some(h), None) => y - h < close,
                    _ => false,
                };
                if !own && nearer_next {
                    extend(&mut row.description, &d, s);
                } else if near_prev && let Some(prev) = rows.last_mut() {
                    extend(&mut prev.description, &d, s);
                }
            }
            rows.push(row);
        } else if let Some((d, s)) = &row.description
            && row.quantity.is_none()
            && row.unit_price.is_none()
        {
            // A description on two lines — not a code under it (a GTIN,
            // « Bruttopreis : 9,9000 »): figures alone or after a label.
            let figures = |t: &str| {
                let t = t.rsplit(':').next().unwrap_or(t);
                !t.trim().is_empty() && t.chars().all(|c| c.is_ascii_digit() || " .,-/".contains(c))
            };
            if !figures(d) {
                // Close under the line above: it may go on the row above;
                // else only the row under it, when close, takes it.
                let near_prev = gap < 2.2 * line.size.max(6.0);
                loose.push((d.clone(), *s, line.y, near_prev));
            }
        }
    }
    // What follows the last row goes on its description.
    if let Some(prev) = rows.last_mut() {
        for (d, s, _, near_prev) in loose.drain(..) {
            if near_prev {
                extend(&mut prev.description, &d, s);
            }
        }
    }
    rows
}

/// The top of a place on the page.
fn y_of(s: Source) -> Option<f32> {
    match s {
        Source::Page { y, .. } => Some(y),
        _ => None,
    }
}

/// A description going on with one more line, its box grown to hold it.
fn extend(description: &mut Option<(String, Source)>, d: &str, s: Source) {
    match description.as_mut() {
        None => *description = Some((d.to_string(), s)),
        Some((pd, ps)) => {
            if pd.len() < 400 {
                pd.push(' ');
                pd.push_str(d);
            }
            if let (Source::Page { y, h, .. }, Source::Page { y: y2, h: h2, .. }) = (ps, s) {
                let top = (*y + *h).max(y2 + h2);
                let bottom = y2.min(*y);
                *y = bottom;
                *h = top - bottom;
            }
        }
    }
}

/// VAT breakdown rows: a rate and one or two amounts on one line, outside the
/// table of lines.
fn vat_rows(page: &Page, pf: &mut PageFacts) {
    const VAT_WORDS: [&str; 6] = ["tva", "vat", "mwst", "ust", "steuer", "tax"];
    // The last line naming VAT without a rate in it: a breakdown's header
    // (« VAT | Net amount | VAT amount », « Détail TVA », « VAT Breakdown »).
    let mut vat_header: Option<f32> = None;
    // The header's rate column (« USt. % »), whose rows print the rate bare.
    let mut rate_col: Option<(f32, f32)> = None;
    for line in &page.lines {
        let with_percent = line
            .cells
            .iter()
            .find(|c| c.text.contains('%') && rate_in(&c.text).is_some());
        let under_rate_col = || {
            let (a, b) = rate_col?;
            line.cells.iter().find(|c| {
                // A rate as rates are printed: at most 30, one decimal
                // place or two (« 7 », « 19,0 », « 5,5 », « 2,10 »).
                c.overlap(a, b) > 0.0
                    && c.text
                        .trim()
                        .rsplit([',', '.'])
                        .next()
                        .is_some_and(|d| d.len() <= 2)
                    && parse_number(&c.text).is_some_and(|r| r.0 >= 0 && r.0 <= 30 * 10_000)
            })
        };
        let Some(rate_cell) = with_percent.or_else(under_rate_col) else {
            let folded = crate::text::fold(&line.text());
            if VAT_WORDS.iter().any(|w| folded.contains(w)) {
                vat_header = Some(line.y);
                if let Some(c) = line.cells.iter().find(|c| {
                    labels::column(&c.text) == Some(Column::VatRate)
                        && !c.text.chars().any(|ch| ch.is_ascii_digit())
                }) {
                    rate_col = Some((c.x0, c.x1));
                }
            }
            continue;
        };
        let Some(rate) = rate_in(&rate_cell.text).or_else(|| parse_number(&rate_cell.text)) else {
            continue;
        };
        let folded = crate::text::fold(&line.text());
        let under_header = vat_header.is_some_and(|y| y - line.y < 3.0 * line.size.max(6.0));
        let is_vat_line = under_header || VAT_WORDS.iter().any(|w| folded.contains(w));
        if !is_vat_line && !pf.vat.is_empty() {
            // Further rows of a breakdown table need no VAT word.
        } else if !is_vat_line {
            continue;
        }
        let amounts: Vec<(Dec, Source)> = line
            .cells
            .iter()
            .filter(|c| !std::ptr::eq(*c, rate_cell) && has_decimals(&c.text))
            .filter_map(|c| last_amount(&c.text).map(|a| (a, source_of(page.number, c))))
            .collect();
        // Part of the table of lines (a row with a description) is not a
        // breakdown: those rows have a description cell on the left.
        if pf
            .rows
            .iter()
            .any(|r| r.net.as_ref().is_some_and(|(_, s)| same_line(s, line.y)))
        {
            continue;
        }
        let mut paired = false;
        let cand = match amounts.as_slice() {
            [] => continue,
            [tax] => VatCand {
                rate: (rate, source_of(page.number, rate_cell)),
                base: None,
                tax: Some(*tax),
            },
            many => {
                // Base then tax: the pair where tax = base × rate.
                let mut pair = None;
                for i in 0..many.len() {
                    for j in 0..many.len() {
                        if i != j
                            && many[i].0.percent(rate).near(many[j].0, 1)
                            && !many[i].0.is_zero()
                        {
                            pair = Some((many[i], many[j]));
                        }
                    }
                }
                paired = pair.is_some();
                let (base, tax) = pair.unwrap_or((many[0], many[1]));
                VatCand {
                    rate: (rate, source_of(page.number, rate_cell)),
                    base: Some(base),
                    tax: Some(tax),
                }
            }
        };
        match pf.vat.iter().position(|v| v.rate.0 == cand.rate.0) {
            None if pf.vat.len() < 8 => pf.vat.push(cand),
            // A row whose tax is its base × rate wins over an earlier one
            // of the same rate whose figures do not agree.
            Some(k) if paired && !agrees(&pf.vat[k]) => pf.vat[k] = cand,
            _ => {}
        }
    }
}

/// A breakdown row's tax is its base × rate.
fn agrees(v: &VatCand) -> bool {
    matches!((v.base, v.tax), (Some(b), Some(t)) if b.0.percent(v.rate.0).near(t.0, 1))
}

fn same_line(s: &Source, y: f32) -> bool {
    match s {
        Source::Page { y: sy, h, .. } => (sy + h * 0.25 - y).abs() < 2.0,
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// One invoice from its pages
// ---------------------------------------------------------------------------

fn first<'a, T>(
    facts: &'a [PageFacts],
    f: impl Fn(&'a PageFacts) -> Option<&'a T>,
) -> Option<&'a T> {
    facts.iter().find_map(f)
}

/// The euro taken for an invoice that names no currency label becomes sure
/// when its pages print the euro (« € », « EUR », « euros ») and no other
/// currency's sign or code; when they print one other currency alone, it
/// becomes that one, unsure.
pub fn currency_printed(pages: &[Page], inv: &mut Invoice) {
    let Some(cur) = inv
        .currency
        .as_mut()
        .filter(|c| !c.sure && c.value == "EUR")
    else {
        return;
    };
    // Every currency the pages print, by symbol or ISO code.
    let mut seen: std::collections::BTreeSet<&'static str> = Default::default();
    for l in pages.iter().flat_map(|p| p.lines.iter()) {
        let t = l.text();
        for (symbol, code) in [
            ('€', "EUR"),
            ('$', "USD"),
            ('£', "GBP"),
            ('¥', "JPY"),
            ('₹', "INR"),
        ] {
            if t.contains(symbol) {
                seen.insert(code);
            }
        }
        for w in t.split(|c: char| !c.is_alphanumeric()) {
            // The codes are ASCII: a word of other letters is none of them
            // (compared in place, not lowered into a new string).
            let is = |code: &str| w.eq_ignore_ascii_case(code);
            let code = match () {
                _ if is("eur") || is("euro") || is("euros") => "EUR",
                _ if is("usd") => "USD",
                _ if is("gbp") => "GBP",
                _ if is("chf") => "CHF",
                _ if is("jpy") => "JPY",
                _ if is("inr") => "INR",
                _ => continue,
            };
            seen.insert(code);
        }
    }
    match seen.iter().copied().collect::<Vec<_>>()[..] {
        // Euro alone: sure.
        ["EUR"] => cur.sure = true,
        // Another currency alone: that one, to be confirmed (a « $ » may
        // be another dollar).
        [other] => cur.value = other.to_string(),
        _ => {}
    }
}

/// The rates of the VAT breakdown's sure rows.
/// Lines printed without their VAT rate, on an invoice of several rates:
/// a line whose amount is the base of one rate and of no other line takes
/// that rate; then, when one rate is left, the lines left take it if they
/// sum to its base. Never sure (the arithmetic points, the page does not
/// say), and nothing when the invoice has discounts or fees on the whole
/// (they enter the bases too).
fn rates_from_bases(inv: &mut Invoice) {
    if !inv.allowances.is_empty() || !inv.charges.is_empty() {
        return;
    }
    let dec = |f: &Option<Field>| f.as_ref().and_then(|f| Dec::parse_plain(&f.value));
    let mut open: Vec<(Field, Dec)> = inv
        .vat
        .iter()
        .filter_map(|v| Some((v.rate.clone()?, dec(&v.base)?)))
        .collect();
    let mut free: Vec<usize> = (0..inv.lines.len())
        .filter(|&i| {
            inv.lines[i]
                .vat_rate
                .as_ref()
                .is_none_or(|r| r.value.trim().is_empty())
                && dec(&inv.lines[i].net).is_some()
        })
        .collect();
    if open.len() < 2 || free.is_empty() {
        return;
    }
    let unsure = |f: &Field| Field {
        sure: false,
        ..f.clone()
    };
    loop {
        let single = open.iter().enumerate().find_map(|(k, (_, base))| {
            let hits: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&i| dec(&inv.lines[i].net).is_some_and(|n| n.near(*base, 0)))
                .collect();
            let others = open.iter().filter(|(_, b)| b.near(*base, 0)).count();
            (hits.len() == 1 && others == 1).then(|| (k, hits[0]))
        });
        let Some((k, i)) = single else { break };
        let (rate, _) = open.remove(k);
        inv.lines[i].vat_rate = Some(unsure(&rate));
        free.retain(|&j| j != i);
    }
    if let [(rate, base)] = &open[..] {
        let sum = free
            .iter()
            .filter_map(|&i| dec(&inv.lines[i].net))
            .fold(Dec::ZERO, Dec::plus);
        if !free.is_empty() && sum.near(*base, 0) {
            for &i in &free {
                inv.lines[i].vat_rate = Some(unsure(rate));
            }
        }
    }
}

pub fn sure_rates(inv: &Invoice) -> Vec<String> {
    inv.vat
        .iter()
        .filter_map(|v| v.rate.as_ref().filter(|r| r.sure).map(|r| r.value.clone()))
        .collect()
}

/// Lines that print no VAT rate, on an invoice whose breakdown has one rate:
/// that rate is theirs (EN 16931 gives every line a rate), sure when the
/// breakdown's is. The reader and the Factur-X draft both call it.
pub fn one_rate_lines(inv: &mut Invoice) {
    let rates: Vec<&Field> = inv.vat.iter().filter_map(|v| v.rate.as_ref()).collect();
    let [only] = rates[..] else {
        rates_from_bases(inv);
        return;
    };
    let only = only.clone();
    for l in &mut inv.lines {
        if l.vat_rate
            .as_ref()
            .is_none_or(|r| r.value.trim().is_empty())
        {
            l.vat_rate = Some(only.clone());
        }
    }
}

fn dec_field(d: Dec, s: Source, sure: bool) -> Field {
    Field::new(d.amount_string(), s, sure)
}

fn rate_field(d: Dec, s: Source, sure: bool) -> Field {
    Field::new(d.plain_string(), s, sure)
}

fn text_field(v: &Option<(String, Source)>) -> Option<Field> {
    v.as_ref().map(|(t, s)| Field::new(t.clone(), *s, false))
}

fn party(block: Option<&PartyBlock>) -> Party {
    let Some(b) = block else {
        return Party::default();
    };
    Party {
        name: text_field(&b.name),
        street: text_field(&b.street),
        postcode: text_field(&b.postcode),
        city: text_field(&b.city),
        country: text_field(&b.country),
        ..Party::default()
    }
}

fn inside(s: &Source, bbox: [f32; 4]) -> bool {
    match s {
        Source::Page { x, y, .. } => {
            *x >= bbox[0] - 2.0 && *x <= bbox[2] && *y >= bbox[1] - 2.0 && *y <= bbox[3] + 2.0
        }
        _ => false,
    }
}

/// How far under a party's block a place is, when it goes on that block's
/// stack (« USt.-Id.-Nr. : DE136695976 » printed a line or two under the
/// buyer's address, aligned with it).
fn under(s: &Source, bbox: [f32; 4]) -> Option<f32> {
    match s {
        Source::Page { x, y, h, .. } => {
            let gap = bbox[1] - (*y + *h);
            ((*x - bbox[0]).abs() <= 3.0 && (0.0..=30.0).contains(&gap)).then_some(gap)
        }
        _ => None,
    }
}

/// Puts one invoice together from the facts of its pages.
pub fn invoice(pages: &[Page], facts: &[PageFacts]) -> Invoice {
    let mut inv = Invoice {
        first_page: pages.first().map(|p| p.number).unwrap_or(1),
        last_page: pages.last().map(|p| p.number).unwrap_or(1),
        ..Invoice::default()
    };
    inv.number = first(facts, |p| p.number.as_ref()).map(|f| f.field(false));
    let credit = first(facts, |p| p.title.as_ref().map(|t| &t.0)).copied();
    let credit_label = facts
        .iter()
        .find(|p| p.number.is_some())
        .is_some_and(|p| p.credit_number);
    let (title, title_src) = match first(facts, |p| p.title.as_ref()) {
        Some((t, s)) => (Some(*t), Some(*s)),
        None => (None, None),
    };
    let _ = credit;
    let kind = if credit_label {
        Some(Title::CreditNote)
    } else {
        title
    };
    if let Some(k) = kind {
        let src = title_src
            .or(inv.number.as_ref().map(|n| n.source))
            .unwrap_or(Source::Page {
                page: inv.first_page,
                x: 0.0,
                y: 0.0,
                w: 0.0,
                h: 0.0,
            });
        // A title and the number's label that agree make the type sure.
        let sure =
            title.is_some() && (credit_label == (k == Title::CreditNote) || inv.number.is_none());
        inv.type_code = Some(Field::new(k.code(), src, sure && title == Some(k)));
    }
    inv.issue_date = first(facts, |p| p.issue_date.as_ref()).map(|f| f.field(false));
    inv.due_date = first(facts, |p| p.due_date.as_ref()).map(|f| f.field(false));
    inv.order_reference = first(facts, |p| p.order_ref.as_ref()).map(|f| f.field(false));
    inv.buyer_reference = first(facts, |p| p.buyer_ref.as_ref()).map(|f| f.field(false));
    inv.contract_reference = first(facts, |p| p.contract_ref.as_ref()).map(|f| f.field(false));
    inv.currency = first(facts, |p| p.currency.as_ref()).map(|f| f.field(false));
    inv.iban = first(facts, |p| p.iban.as_ref()).map(|f| f.field(true));

    let buyer_block = first(facts, |p| p.buyer.as_ref());
    inv.seller = party(first(facts, |p| p.seller.as_ref()));
    inv.buyer = party(buyer_block);

    // Identifiers: the buyer's when inside the buyer's block or after a
    // buyer word; else the seller's (letterhead and legal footer).
    let seller_block = first(facts, |p| p.seller.as_ref());
    for id in facts.iter().flat_map(|p| p.ids.iter()) {
        let gap = |block: Option<&PartyBlock>| block.and_then(|b| under(&id.source, b.bbox));
        let under_buyer = !id.edge
            && match (gap(buyer_block), gap(seller_block)) {
                (Some(b), Some(s)) => b < s,
                (Some(_), None) => true,
                _ => false,
            };
        let is_buyer =
            id.buyer || under_buyer || buyer_block.is_some_and(|b| inside(&id.source, b.bbox));
        // Sure only when its place says whose it is, not by default.
        let placed =
            is_buyer || id.edge || seller_block.is_some_and(|b| inside(&id.source, b.bbox));
        let sure = id.valid && placed;
        let target = if is_buyer {
            &mut inv.buyer
        } else {
            &mut inv.seller
        };
        let slot = match id.kind {
            IdKind::Siren => &mut target.siren,
            IdKind::Siret => &mut target.siret,
            IdKind::Vat => &mut target.vat,
            _ => continue,
        };
        if slot.is_none() || (!slot.as_ref().is_some_and(|f| f.sure) && sure) {
            *slot = Some(Field::new(id.value.clone(), id.source, sure));
        }
    }
    // A SIREN is the SIRET's first nine digits: derive it, sure when both
    // are valid.
    for p in [&mut inv.seller, &mut inv.buyer] {
        if p.siren.is_none()
            && let Some(s) = &p.siret
        {
            let siren: String = s.value.chars().take(9).collect();
            let ok = s.sure && ident::validate(IdKind::Siren, &siren) == Validity::Valid;
            p.siren = Some(Field::new(siren, s.source, ok));
        }
        if p.siren.is_none()
            && let Some(v) = &p.vat
            && v.value.starts_with("FR")
            && v.value.len() == 13
        {
            let siren = v.value[4..].to_string();
            let ok = v.sure && ident::validate(IdKind::Siren, &siren) == Validity::Valid;
            p.siren = Some(Field::new(siren, v.source, ok));
        }
    }

    // A country taken for a postcode's shape gives way to what the party's
    // own VAT number says (« DE123456789 »: Germany); a buyer with neither
    // lives, like most, in the seller's country when that one is known.
    let guessed = |b: Option<&PartyBlock>| b.is_none_or(|b| b.country_guessed);
    let (seller_guess, buyer_guess) = (guessed(seller_block), guessed(buyer_block));
    for (p, guess) in [
        (&mut inv.seller, seller_guess),
        (&mut inv.buyer, buyer_guess),
    ] {
        if (guess || p.country.is_none())
            && let Some(v) = &p.vat
            && let Some(code) = vat_country(&v.value)
        {
            let src = v.source;
            match &mut p.country {
                Some(c) => c.value = code.to_string(),
                None => p.country = Some(Field::new(code, src, false)),
            }
        }
    }
    if (buyer_guess || inv.buyer.country.is_none())
        && inv.buyer.vat.is_none()
        && inv.buyer.postcode.is_some()
        && let Some(sc) = inv.seller.country.clone()
    {
        match &mut inv.buyer.country {
            Some(c) => c.value = sc.value,
            None => {
                let src = inv.buyer.postcode.as_ref().map_or(sc.source, |f| f.source);
                inv.buyer.country = Some(Field::new(sc.value, src, false));
            }
        }
    }

    lines_and_totals(facts, &mut inv);
    positive_credit_note(&mut inv);
    inv
}

/// The ISO country of a European VAT number's prefix (Greece writes EL,
/// Northern Ireland XI).
fn vat_country(vat: &str) -> Option<&'static str> {
    const PREFIXES: [&str; 27] = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
        "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB",
    ];
    let digits = vat
        .chars()
        .skip(2)
        .filter(char::is_ascii_alphanumeric)
        .count();
    if digits < 8 {
        return None;
    }
    let prefix = vat.get(..2)?.to_ascii_uppercase();
    match prefix.as_str() {
        "EL" => Some("GR"),
        "XI" => Some("GB"),
        p => PREFIXES.iter().copied().find(|c| *c == p),
    }
}

/// A credit note's amounts are positive in EN 16931 (its type says it
/// credits); many programs print them negative.
pub fn positive_credit_note(inv: &mut Invoice) {
    let credit = inv.type_code.as_ref().is_some_and(|t| t.value == "381");
    let negative = inv
        .totals
        .with_tax
        .as_ref()
        .or(inv.totals.without_tax.as_ref())
        .and_then(|f| Dec::parse_plain(&f.value))
        .is_some_and(|d| d.0 < 0);
    // Some programs print the totals positive and the VAT breakdown
    // negative: a breakdown all below zero says the same.
    let vat_negative = !inv.vat.is_empty()
        && inv.vat.iter().all(|v| {
            v.base
                .as_ref()
                .or(v.tax.as_ref())
                .and_then(|f| Dec::parse_plain(&f.value))
                .is_some_and(|d| d.0 < 0)
        });
    if !(credit && (negative || vat_negative)) {
        return;
    }
    let flip = |f: &mut Option<Field>| {
        if let Some(f) = f
            && let Some(d) = Dec::parse_plain(&f.value)
        {
            f.value = Dec(d.0.abs()).amount_string();
        }
    };
    let t = &mut inv.totals;
    for f in [
        &mut t.lines_sum,
        &mut t.without_tax,
        &mut t.tax,
        &mut t.with_tax,
        &mut t.due,
    ] {
        flip(f);
    }
    for v in &mut inv.vat {
        flip(&mut v.base);
        flip(&mut v.tax);
    }
    for l in &mut inv.lines {
        flip(&mut l.net);
    }
}

/// The words of a discount on the whole invoice.
const DISCOUNT_WORDS: &str = r"remise|rabais|ristourne|discount|allowance|rabatt|nachlass|skonto";
/// The words of a fee on the whole invoice (carriage, packing, handling).
const FEE_WORDS: &str = r"charge|zuschlag|frais\s+de\s+(?:port|livraison|transport|exp[ée]dition|dossier|gestion|emballage)|port(?:\s+et\s+emballage)?|participation\s+aux\s+frais|shipping|freight|carriage|handling|postage|delivery\s+charge|versand(?:kosten|pauschale)?|fracht(?:kosten)?|porto|verpackung(?:skosten)?|mindermengenzuschlag";

static DISCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)^\s*(?:{DISCOUNT_WORDS})(?-u:\b)"))
        .expect("discount: built-in regex is valid")
});

static FEE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)^\s*(?:{FEE_WORDS})(?-u:\b)")).expect("fee: built-in regex is valid")
});

/// A row of the table that is a document-level allowance or charge
/// (« REMISE : remise commerciale », « CHARGE : frais de déplacement »): an
/// amount with no quantity nor unit price, named as such. It counts in the
/// total without VAT but is not an invoice line (EN 16931 BG-20 / BG-21).
pub fn allowance_or_charge(r: &Row) -> bool {
    r.quantity.is_none()
        && r.unit_price.is_none()
        && r.description
            .as_ref()
            .is_some_and(|(d, _)| DISCOUNT.is_match(d) || FEE.is_match(d))
}

/// The rows that are invoice lines: not allowances or charges, and, in a
/// table of priced lines (quantity and unit price), not an amount alone
/// with nothing to say what it is.
pub fn invoice_lines<'r>(rows: impl IntoIterator<Item = &'r Row>) -> Vec<&'r Row> {
    let rows: Vec<&Row> = rows.into_iter().collect();
    let priced = rows
        .iter()
        .any(|r| r.quantity.is_some() && r.unit_price.is_some());
    rows.into_iter()
        .filter(|r| {
            let bare = r.quantity.is_none() && r.unit_price.is_none() && r.description.is_none();
            !(allowance_or_charge(r) || (priced && bare))
        })
        .collect()
}

/// The table's allowance and charge rows, each with whether it is a fee
/// (BG-21) rather than a discount (BG-20): by its words, else by its sign
/// against the lines' (a discount goes against them).
fn adjustments<'r>(rows: &[&'r Row], lines_sum: Dec) -> Vec<(&'r Row, bool)> {
    rows.iter()
        .copied()
        .filter(|r| allowance_or_charge(r) && r.net.is_some())
        .map(|r| {
            let words = r.description.as_ref().map_or("", |(d, _)| d.as_str());
            let net = r.net.map_or(Dec::ZERO, |n| n.0);
            let fee = if FEE.is_match(words) {
                true
            } else if DISCOUNT.is_match(words) {
                false
            } else {
                (net.0 < 0) == (lines_sum.0 < 0)
            };
            (r, fee)
        })
        .collect()
}

/// The total without VAT the lines make with the discounts and fees on
/// the whole invoice (BR-CO-13): `discounts` and `fees` are their sums,
/// whatever sign the page printed, and count in the lines' direction (a
/// credit note printed negative stays negative).
pub fn without_tax(lines: Dec, discounts: Dec, fees: Dec) -> Dec {
    if lines.0 < 0 {
        lines.plus(discounts).minus(fees)
    } else {
        lines.minus(discounts).plus(fees)
    }
}

/// Two column headers printed as one cell (« MwSt-% Nettowert »): split
/// between the two cells a row has under it, only when one has two within
/// its width (« Unit price » over one figure stays one).
fn merged_header(page: &Page, i: usize, c: &Cell) -> Option<Vec<(Column, f32, f32)>> {
    let words: Vec<&str> = c.text.split_whitespace().collect();
    let [first, second] = words[..] else {
        return None;
    };
    let (k1, k2) = (labels::column(first)?, labels::column(second)?);
    if k1 == k2 {
        return None;
    }
    let inside = |d: &&Cell| d.x0 >= c.x0 - 2.0 && d.x1 <= c.x1 + 2.0;
    // The split falls between the two cells of the first row that has two.
    let split = page.lines.iter().skip(i + 1).take(6).find_map(|l| {
        let under: Vec<&Cell> = l.cells.iter().filter(inside).collect();
        match under[..] {
            [a, b] => Some((a.x1 + b.x0) / 2.0),
            _ => None,
        }
    })?;
    Some(vec![(k1, c.x0, split - 0.5), (k2, split + 0.5, c.x1)])
}

/// « abzgl. 16,7 % Rabatt  −2,00 » just under a line: a discount on that
/// line alone, printed without a description of its own, taken off the
/// line's amount (EN 16931 BG-27: the line's net is after it) — only while
/// that amount is still its quantity × price.
fn line_discount(row: &Row, line: &Line, prev: &Row, gap: f32) -> bool {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"(?i)(?-u:\b)(?:{DISCOUNT_WORDS}|abzgl)"))
            .expect("line discount: built-in regex is valid")
    });
    let (Some(net), Some((q, _)), Some((p, _)), Some((pn, _))) =
        (row.net, prev.quantity, prev.unit_price, prev.net)
    else {
        return false;
    };
    row.description.is_none()
        && row.quantity.is_none()
        && row.unit_price.is_none()
        && net.0.0 < 0
        && pn.0 > 0
        && net.0.abs() < pn
        && q.times(p).near(pn, 1)
        && gap < 4.0 * line.size.max(6.0)
        && WORDS.is_match(&line.text())
}

/// « 7 % VAT (S) », « 19 % USt »: a rate followed by words.
fn leading_rate(text: &str) -> Option<Dec> {
    let (n, rest) = text.trim().split_once('%')?;
    let rest = rest.trim();
    (rest.is_empty() || rest.starts_with(|c: char| c.is_alphabetic() || c == '('))
        .then(|| parse_number(n))
        .flatten()
}

/// A cell of figures that runs over two or three columns (« 3 m² 19 % VAT
/// (S) » under « Menge » and « Steuer », their gap too narrow to part
/// them): cut between its words where each part reads as its column's
/// value — a quantity (with its unit), a price or amount, a rate. A cell
/// over the description, or with no such cut, stays whole.
fn split_across(cols: &[(Column, f32, f32)], c: &Cell) -> Option<Vec<Cell>> {
    let over: Vec<&(Column, f32, f32)> =
        cols.iter().filter(|k| c.overlap(k.1, k.2) > 2.0).collect();
    if !(2..=3).contains(&over.len()) || over.iter().any(|k| k.0 == Column::Description) {
        return None;
    }
    let words: Vec<&str> = c.text.split_whitespace().collect();
    if words.len() < over.len() || words.len() > 10 {
        return None;
    }
    let fits = |k: Column, t: &str| match k {
        Column::Quantity => {
            let mut w = t.split_whitespace();
            w.next().and_then(parse_number).is_some()
                && w.next()
                    .is_none_or(|u| !u.chars().any(|ch| ch.is_ascii_digit()))
                && w.next().is_none()
        }
        Column::UnitPrice | Column::Net => parse_number(t).is_some(),
        Column::VatRate => parse_number(t).or_else(|| leading_rate(t)).is_some(),
        Column::Unit => !t.chars().any(|ch| ch.is_ascii_digit()),
        _ => false,
    };
    // Every way of cutting the words into as many parts as columns.
    let cuts: Vec<Vec<usize>> = match over.len() {
        2 => (1..words.len()).map(|i| vec![0, i, words.len()]).collect(),
        _ => (1..words.len())
            .flat_map(|i| (i + 1..words.len()).map(move |j| (i, j)))
            .map(|(i, j)| vec![0, i, j, words.len()])
            .collect(),
    };
    let n = c.text.chars().count().max(1) as f32;
    let w = c.x1 - c.x0;
    let mut found = cuts.into_iter().filter(|cut| {
        cut.windows(2)
            .zip(&over)
            .all(|(p, k)| fits(k.0, &words[p[0]..p[1]].join(" ")))
    });
    let cut = found.next()?;
    if found.next().is_some() {
        return None;
    }
    // Each part placed by its share of the characters, inside its column.
    let mut at = 0usize;
    Some(
        cut.windows(2)
            .zip(&over)
            .map(|(p, k)| {
                let text = words[p[0]..p[1]].join(" ");
                let len = text.chars().count();
                let x0 = c.x0 + w * at as f32 / n;
                let x1 = (c.x0 + w * (at + len) as f32 / n).min(c.x1);
                at += len + 1;
                // Placed by characters, then pulled into its column so the
                // column test below gives it to the column it was cut for.
                let (x0, x1) = if x1.min(k.2) - x0.max(k.1) > 0.0 {
                    (x0, x1)
                } else {
                    (k.1, k.2)
                };
                Cell {
                    text,
                    x0,
                    x1,
                    ..c.clone()
                }
            })
            .collect(),
    )
}

/// A description cell whose last word is a number lying under the quantity
/// column: the description without it, the quantity, and the number's
/// place (estimated from its share of the cell's characters). Only on a
/// line with figures after it (« Karton 3 x 20 » alone is a description).
fn quantity_run(cols: &[(Column, f32, f32)], c: &Cell, line: &Line) -> Option<(String, Dec, Cell)> {
    let (_, q0, q1) = cols.iter().find(|k| k.0 == Column::Quantity)?;
    let text = c.text.trim_end();
    if !line
        .cells
        .iter()
        .any(|o| o.x0 > c.x1 && parse_number(&o.text).is_some())
    {
        return None;
    }
    let (head, last) = text.rsplit_once(' ')?;
    let q = parse_number(last)?;
    let n = text.chars().count().max(1) as f32;
    let x0 = c.x0 + (c.x1 - c.x0) * (head.chars().count() + 1) as f32 / n;
    let place = Cell {
        text: last.to_string(),
        x0,
        ..c.clone()
    };
    (!head.trim().is_empty() && place.overlap(*q0 - 2.0, *q1 + 2.0) > 0.0 && x0 > *q0 - 4.0)
        .then(|| (head.trim().to_string(), q, place))
}

/// « 5,000 kg » at 5,50 for 27,50: a quantity printed with three decimals
/// reads as thousands; the row's own arithmetic says which it is.
fn thousandths(row: &mut Row) {
    let (Some(q), Some(p), Some(net)) = (&mut row.quantity, &row.unit_price, &row.net) else {
        return;
    };
    let thousandth = Dec(q.0.0 / 1000);
    if q.0.0 % (1000 * 10_000) == 0
        && !q.0.times(p.0).near(net.0, 1)
        && thousandth.times(p.0).near(net.0, 1)
    {
        q.0 = thousandth;
    }
}

/// « Pos Art-Nr-Kunde Beschreibung » in one cell: the position and code
/// columns, then the description from where its word is printed (placed by
/// its share of the cell's characters).
fn described_tail(c: &Cell) -> Option<Vec<(Column, f32, f32)>> {
    let (head, last) = c.text.trim_end().rsplit_once(' ')?;
    if labels::column(head)? != Column::Other || labels::column(last)? != Column::Description {
        return None;
    }
    let n = c.text.chars().count().max(1) as f32;
    let x = c.x0 + (c.x1 - c.x0) * (head.chars().count() + 1) as f32 / n;
    Some(vec![
        (Column::Other, c.x0, x - 0.5),
        (Column::Description, x, c.x1),
    ])
}

/// « 5 | 4,55 € | 10% | 20,48 »: a row whose quantity × price is not its
/// amount, with a percentage on its line that makes it so once taken off
/// the price, prints the gross price; the line's price (EN 16931 BT-146) is
/// the net one, after that discount.
fn price_after_discount(row: &mut Row, cells: &[Cell]) {
    let (Some(q), Some(p), Some(n)) = (row.quantity, &mut row.unit_price, row.net) else {
        return;
    };
    if q.0.is_zero() || q.0.times(p.0).abs().near(n.0.abs(), 1) {
        return;
    }
    let hundred = Dec::from_cents(10_000);
    let net_price = cells
        .iter()
        .filter(|c| c.text.trim_end().ends_with('%'))
        .filter_map(|c| parse_number(&c.text))
        .filter(|r| r.0 > 0 && *r < hundred)
        .map(|r| p.0.minus(p.0.percent(r)))
        .find(|np| q.0.times(*np).abs().near(n.0.abs(), 1));
    if let Some(np) = net_price {
        p.0 = np;
    }
}

/// A header word broken over two lines (« Preis/ » over « Einheit »,
/// « Meng.- » over « einheit »): the column the two name together, when
/// the cell above ends with the break and that whole names a column.
fn continued_header(page: &Page, i: usize, c: &Cell) -> Option<Column> {
    let above = page.lines.get(i.checked_sub(1)?)?;
    if above.y - page.lines[i].y > 2.0 * c.size.max(1.0) {
        return None;
    }
    let top = above
        .cells
        .iter()
        .find(|a| a.overlap(c.x0, c.x1) > 0.5 * (c.x1 - c.x0).min(a.x1 - a.x0))?;
    let t = top.text.trim();
    let joined = if t.ends_with('/') {
        format!("{t}{}", c.text.trim())
    } else {
        format!("{}{}", t.strip_suffix('-')?, c.text.trim())
    };
    labels::column(&joined)
}

/// "3 h", "2 jours": a quantity and its unit in one cell.
fn quantity_and_unit(row: &mut Row, text: &str, src: Source) {
    // « 5,00% sur 100,00 EUR » under the quantity: a discount's rate and
    // base, no quantity.
    if text.contains('%') {
        return;
    }
    let mut parts = text.split_whitespace();
    if let Some(q) = parts.next().and_then(parse_number) {
        row.quantity = Some((q, src));
        let unit: Vec<&str> = parts.collect();
        if !unit.is_empty() && row.unit.is_none() {
            row.unit = Some((unit.join(" "), src));
        }
    } else if let Some(q) = parse_number(text) {
        row.quantity = Some((q, src));
    }
}

/// `text` without the position `n` it starts with (« 3 Sturzflug-Geier »
/// → « Sturzflug-Geier »).
fn without_position(text: &str, n: usize) -> Option<&str> {
    let rest = text.trim_start().strip_prefix(&n.to_string())?;
    let rest = rest.strip_prefix(['.', ')']).unwrap_or(rest);
    let d = rest.trim_start();
    (rest.starts_with(char::is_whitespace) && !d.is_empty()).then_some(d)
}

/// The step of the positions every description starts with, 1, 2, 3… or
/// 10, 20, 30…: a position column printed in one run with the description,
/// or under one header with it (at least two lines, so that one line's
/// « 2 boîtes » is not taken for a position).
fn numbered_descriptions(rows: &[&Row]) -> Option<usize> {
    [1, 10].into_iter().find(|step| {
        rows.len() >= 2
            && rows.iter().enumerate().all(|(i, r)| {
                r.description
                    .as_ref()
                    .is_some_and(|(d, _)| without_position(d, (i + 1) * step).is_some())
            })
    })
}

/// The lines' sum with `adjust`'s discounts and fees (see [`without_tax`]).
fn adjusted(lines_sum: Dec, adjust: &[(&Row, bool)]) -> Dec {
    let sum_of = |fee: bool| {
        adjust
            .iter()
            .filter(|(_, f)| *f == fee)
            .filter_map(|(r, _)| r.net.map(|n| n.0.abs()))
            .fold(Dec::ZERO, Dec::plus)
    };
    without_tax(lines_sum, sum_of(false), sum_of(true))
}

/// The table, the VAT breakdown and the totals, each confirmed by the others.
fn lines_and_totals(facts: &[PageFacts], inv: &mut Invoice) {
    let all_rows: Vec<&Row> = facts.iter().flat_map(|p| p.rows.iter()).collect();
    let rows: Vec<&Row> = invoice_lines(all_rows.iter().copied());
    let lines_sum = rows
        .iter()
        .filter_map(|r| r.net.map(|n| n.0))
        .fold(Dec::ZERO, Dec::plus);
    // Discounts and fees on the whole invoice, printed as rows of the
    // table: the total without VAT is the lines' sum less the one, plus
    // the other (BR-CO-13).
    let cands: Vec<&TotalCand> = facts.iter().flat_map(|p| p.totals.iter()).collect();
    let of =
        |k: Label| -> Vec<&TotalCand> { cands.iter().copied().filter(|c| c.kind == k).collect() };
    let ht: Vec<&TotalCand> = of(Label::WithoutTax)
        .into_iter()
        .chain(of(Label::Subtotal))
        .collect();
    let mut adjust = adjustments(&all_rows, lines_sum);
    if adjust.is_empty() {
        // Printed in the totals block instead: kept only when they make
        // the lines' sum into a total without VAT printed on the page.
        let outside: Vec<&Row> = facts
            .iter()
            .flat_map(|p| p.outside_adjustments.iter())
            .collect();
        let found = adjustments(&outside, lines_sum);
        let net = adjusted(lines_sum, &found);
        if !net.near(lines_sum, 0) && ht.iter().any(|h| h.amount.near(net, 1)) {
            adjust = found;
        }
    }
    let net_sum = adjusted(lines_sum, &adjust);
    let tva = of(Label::Tax);
    let ttc = of(Label::WithTax);
    let due = of(Label::Due);

    // HT + TVA = TTC: the last such triple (totals come last on the page).
    let mut chosen: Option<(&TotalCand, &TotalCand, &TotalCand)> = None;
    for h in &ht {
        for t in &tva {
            for g in due.iter().chain(ttc.iter()) {
                if h.amount.plus(t.amount).near(g.amount, 1) && !g.amount.is_zero() {
                    chosen = Some((h, t, g));
                }
            }
        }
    }
    let vat_total = |vat: &[VatCand]| {
        vat.iter()
            .filter_map(|v| v.tax.map(|t| t.0))
            .fold(Dec::ZERO, Dec::plus)
    };
    let vats: Vec<VatCand> = facts.iter().flat_map(|p| p.vat.iter().cloned()).collect();

    let (h, t, g, sure) = match chosen {
        Some((h, t, g)) => (Some(h), Some(t), Some(g), true),
        None => {
            // HT + breakdown = TTC, or the last of each.
            let h = ht.last().copied();
            let g = ttc.last().copied().or(due.last().copied());
            let t = tva.last().copied();
            (h, t, g, false)
        }
    };
    let ht_sure = sure || h.is_some_and(|h| !rows.is_empty() && net_sum.near(h.amount, 1));
    if let Some(h) = h {
        inv.totals.without_tax = Some(dec_field(h.amount, h.source, ht_sure));
    }
    if let Some(t) = t {
        let tsure = sure || (!vats.is_empty() && vat_total(&vats).near(t.amount, 1) && ht_sure);
        inv.totals.tax = Some(dec_field(t.amount, t.source, tsure));
    }
    if let Some(g) = g
        && (g.kind == Label::WithTax || ttc.is_empty())
    {
        inv.totals.with_tax = Some(dec_field(g.amount, g.source, sure));
    }
    if inv.totals.with_tax.is_none()
        && let (Some(h), Some(t)) = (&inv.totals.without_tax, &inv.totals.tax)
    {
        let _ = (h, t);
    }
    // The amount due: labelled, sure when it equals the total with VAT.
    if let Some(d) = due.last() {
        let ok = inv.totals.with_tax.as_ref().is_some_and(|w| {
            w.sure && Dec::parse_plain(&w.value).is_some_and(|w| w.near(d.amount, 0))
        });
        inv.totals.due = Some(dec_field(d.amount, d.source, ok));
    } else if let Some(w) = &inv.totals.with_tax {
        inv.totals.due = Some(w.clone());
    }

    // The lines: sure when they sum to the total without VAT and each is
    // quantity × unit price (or has no price to check).
    let ht_amount = inv
        .totals
        .without_tax
        .as_ref()
        .and_then(|f| Dec::parse_plain(&f.value));
    // Lines that sum to the total without VAT, or to the lines' total the
    // page prints (« Positionssumme », « Sous-total »: discounts and fees
    // may come after it in a table of their own), are read right.
    let subtotal_ok = of(Label::Subtotal)
        .iter()
        .any(|s| !s.amount.is_zero() && s.amount.near(lines_sum, 0));
    let sum_ok = !rows.is_empty()
        && ((ht_amount.is_some_and(|h| net_sum.near(h, 1)) && ht_sure) || subtotal_ok);
    if !rows.is_empty() {
        let src = rows[0].net.map(|n| n.1).unwrap_or(Source::User);
        inv.totals.lines_sum = Some(dec_field(lines_sum, src, sum_ok));
    }
    for (fee, list, total) in [
        (false, &mut inv.allowances, &mut inv.totals.allowances),
        (true, &mut inv.charges, &mut inv.totals.charges),
    ] {
        let mine: Vec<&Row> = adjust
            .iter()
            .filter(|(_, f)| *f == fee)
            .map(|(r, _)| *r)
            .collect();
        let mut sum = Dec::ZERO;
        for r in &mine {
            let Some((net, src)) = r.net else { continue };
            sum = sum.plus(net.abs());
            list.push(super::AllowanceCharge {
                amount: Some(dec_field(net.abs(), src, sum_ok)),
                vat_rate: r.vat_rate.map(|(v, s)| rate_field(v, s, false)),
                reason: text_field(&r.description),
                ..super::AllowanceCharge::default()
            });
        }
        if let Some(first) = mine.first().and_then(|r| r.net) {
            *total = Some(dec_field(sum, first.1, sum_ok));
        }
    }
    let numbered = numbered_descriptions(&rows);
    for (i, r) in rows.iter().enumerate() {
        let product_ok = match (r.quantity, r.unit_price, r.net) {
            (Some(q), Some(p), Some(n)) => q.0.times(p.0).near(n.0, 1),
            _ => true,
        };
        let ok = sum_ok && product_ok;
        inv.lines.push(ItemLine {
            description: r
                .description
                .as_ref()
                // The arithmetic checks the amounts, not the words: a
                // description is never sure from it.
                .map(|(d, s)| {
                    let d = numbered
                        .and_then(|step| without_position(d, (i + 1) * step))
                        .unwrap_or(d);
                    Field::new(d.to_string(), *s, false)
                }),
            quantity: r
                .quantity
                .map(|(q, s)| rate_field(q, s, ok && r.unit_price.is_some())),
            unit: r
                .unit
                .as_ref()
                .map(|(u, s)| Field::new(u.clone(), *s, false)),
            unit_price: r.unit_price.map(|(p, s)| dec_field(p, s, ok)),
            vat_rate: r.vat_rate.map(|(v, s)| rate_field(v, s, false)),
            net: r.net.map(|(n, s)| dec_field(n, s, ok)),
            ..ItemLine::default()
        });
    }

    // The VAT breakdown: printed rows, sure when tax = base × rate and the
    // rows add up to the total VAT.
    let tax_amount = inv
        .totals
        .tax
        .as_ref()
        .and_then(|f| Dec::parse_plain(&f.value));
    let rows_total = vat_total(&vats);
    let total_ok = tax_amount.is_some_and(|t| rows_total.near(t, vats.len() as i64));
    for v in &vats {
        let base = v.base.map(|b| b.0).or_else(|| {
            // One rate: its base is the total without VAT.
            (vats.len() == 1).then_some(ht_amount).flatten()
        });
        let row_ok = match (base, v.tax) {
            (Some(b), Some(t)) => b.percent(v.rate.0).near(t.0, 1),
            _ => false,
        };
        let ok = row_ok && total_ok;
        inv.vat.push(VatRow {
            rate: Some(rate_field(v.rate.0, v.rate.1, ok)),
            base: base.map(|b| {
                let s = v
                    .base
                    .map(|b| b.1)
                    .or(inv.totals.without_tax.as_ref().map(|f| f.source))
                    .unwrap_or(Source::User);
                dec_field(b, s, ok)
            }),
            tax: v.tax.map(|(t, s)| dec_field(t, s, ok)),
            ..VatRow::default()
        });
    }
    if inv.vat.is_empty()
        && let (Some(h), Some(t)) = (ht_amount, tax_amount)
    {
        // No printed breakdown: one standard rate explains HT and TVA.
        let rates: Vec<Dec> = rows
            .iter()
            .filter_map(|r| r.vat_rate.map(|v| v.0))
            .collect();
        let candidates: Vec<Dec> = if rates.is_empty() {
            ["20", "10", "5.5", "2.1", "19", "7", "0"]
                .iter()
                .filter_map(|r| Dec::parse_plain(r))
                .collect()
        } else {
            rates
        };
        if let Some(r) = candidates.into_iter().find(|r| h.percent(*r).near(t, 1)) {
            let ts = inv
                .totals
                .tax
                .as_ref()
                .map(|f| f.source)
                .unwrap_or(Source::User);
            let hs = inv
                .totals
                .without_tax
                .as_ref()
                .map(|f| f.source)
                .unwrap_or(Source::User);
            let ok = inv.totals.tax.as_ref().is_some_and(|f| f.sure);
            inv.vat.push(VatRow {
                rate: Some(rate_field(r, ts, ok)),
                base: Some(dec_field(h, hs, ok)),
                tax: Some(dec_field(t, ts, ok)),
                ..VatRow::default()
            });
        }
    }
    // Line VAT rates are sure when they are rates of a sure breakdown.
    let sure_rates = sure_rates(inv);
    let rates = inv
        .lines
        .iter_mut()
        .filter_map(|l| l.vat_rate.as_mut())
        .chain(
            inv.allowances
                .iter_mut()
                .filter_map(|a| a.vat_rate.as_mut()),
        )
        .chain(inv.charges.iter_mut().filter_map(|a| a.vat_rate.as_mut()));
    for r in rates {
        r.sure = sum_ok && sure_rates.contains(&r.value);
    }
    if inv.currency.is_none() && (inv.totals.with_tax.is_some() || !inv.lines.is_empty()) {
        // Amounts printed with "€" and no currency line: euro.
        let src = inv.totals.with_tax.as_ref().map(|f| f.source);
        if let Some(s) = src {
            inv.currency = Some(Field::new("EUR", s, false));
        }
    }
}

#[cfg(test)]
mod name_tests {
    use super::not_a_name;

    #[test]
    fn lines_that_are_not_a_party_name_are_told_apart() {
        for t in [
            "Herr",
            "Rechnungsersteller",
            "Globale Nummer: 4000001123452 (GTIN)",
            "GLN 4333741000005 Lief-Nr: 549910",
            "Deutschland / Germany",
            "Hetzner Online GmbH • Industriestr. 25 • 91710 Gunzenhausen",
            "régler par virement sur le compte suivant :",
            "Anschrift:",
            "2",
            "weclapp.com",
            "Page 1 / 1",
        ] {
            assert!(not_a_name(t), "{t}");
        }
        for t in [
            "Lieferant GmbH",
            "Au bon moulin",
            "Karl E. Coyote",
            "ACME 2000 SARL",
        ] {
            assert!(!not_a_name(t), "{t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{PageContent, TextRun};

    /// A run of text at (x, y), `per_char` points wide per character.
    fn run_at(text: &str, x: f32, y: f32, size: f32, per_char: f32) -> TextRun {
        TextRun {
            text: text.into(),
            x,
            y,
            width: text.chars().count() as f32 * per_char,
            size,
            font: "Helvetica".into(),
        }
    }

    /// The identifiers a page shows, each with whether it is the buyer's.
    fn whose_ids(page: &Page) -> Vec<(String, bool)> {
        page_facts(page)
            .ids
            .into_iter()
            .map(|i| (i.value, i.buyer))
            .collect()
    }

    /// An A4 page of these runs, laid out.
    fn page_with(runs: Vec<TextRun>) -> Page {
        crate::read::layout::page(
            1,
            &PageContent {
                runs,
                media_box: [0.0, 0.0, 595.0, 842.0],
                ..Default::default()
            },
        )
    }

    #[test]
    fn a_breakdown_printing_its_rates_bare_under_a_rate_column_is_read() {
        let run = |text: &str, x: f32, y: f32| run_at(text, x, y, 10.0, 5.0);
        let runs = vec![
            run("Art (Kategorie)", 51.0, 459.0),
            run("Basisbetrag", 310.0, 459.0),
            run("USt. %", 424.0, 459.0),
            run("Steuerbetrag", 472.0, 459.0),
            run("Umsatzsteuer", 51.0, 446.0),
            run("275,00", 340.0, 446.0),
            run("7", 448.0, 446.0),
            run("19,25", 514.0, 446.0),
            run("Umsatzsteuer", 51.0, 433.0),
            run("198,00", 340.0, 433.0),
            run("19", 444.0, 433.0),
            run("37,62", 514.0, 433.0),
            // A figure under the rate column that is no rate.
            run("Umsatzsteuer", 51.0, 420.0),
            run("61,07", 440.0, 420.0),
        ];
        let page = page_with(runs);
        let vat = page_facts(&page).vat;
        let got: Vec<(String, String, String)> = vat
            .iter()
            .map(|v| {
                (
                    v.rate.0.amount_string(),
                    v.base.map(|b| b.0.amount_string()).unwrap_or_default(),
                    v.tax.map(|t| t.0.amount_string()).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("7.00".into(), "275.00".into(), "19.25".into()),
                ("19.00".into(), "198.00".into(), "37.62".into())
            ]
        );
    }

    #[test]
    fn a_vat_number_said_to_be_the_readers_own_is_the_buyers() {
        let run = |text: &str, x: f32, y: f32| run_at(text, x, y, 10.0, 5.0);
        let page = page_with(vec![
            run("Ihre USt.-IdentNr.: DE234567890", 180.0, 586.0),
            run("USt-IdNr. DE123456789", 50.0, 400.0),
        ]);
        assert_eq!(
            whose_ids(&page),
            [("DE234567890".into(), true), ("DE123456789".into(), false)]
        );
    }

    #[test]
    fn a_form_with_small_labels_over_right_aligned_values_and_a_two_line_header_is_read() {
        let run = |text: &str, x: f32, y: f32, size: f32| run_at(text, x, y, size, 5.0);
        let page = page_with(vec![
            // A small label, its value a few points lower at the
            // right edge, beside the address on the left.
            run("Rechnungsnummer", 353.0, 755.0, 7.0),
            run("80333 München", 51.0, 752.0, 10.0),
            run("471102", 541.0, 752.0, 10.0),
            run("Rechnungsdatum", 353.0, 741.0, 7.0),
            run("05.06.2013", 524.0, 738.0, 10.0),
            // « Preis/ » over « Einheit »: the unit price.
            run("Menge", 293.0, 553.0, 7.0),
            run("Preis/", 410.0, 553.0, 7.0),
            run("Pos", 44.0, 543.0, 7.0),
            run("Artikelbeschreibung", 180.0, 543.0, 7.0),
            run("Einheit", 340.0, 543.0, 7.0),
            run("Einheit", 407.0, 543.0, 7.0),
            run("Entgelt", 500.0, 543.0, 7.0),
            run("USt. %", 555.0, 543.0, 7.0),
            // The quantity so close to the description that they
            // make one run; then a discount on that line.
            run("1", 50.0, 497.0, 9.0),
            run("Kunstrasen grün 3m breit", 180.0, 497.0, 9.0),
            run("3,00", 302.0, 497.0, 9.0),
            run("m²", 342.0, 497.0, 9.0),
            run("4,00", 409.0, 497.0, 9.0),
            run("12,00", 510.0, 497.0, 9.0),
            run("19", 565.0, 497.0, 9.0),
            run("abzgl.", 353.0, 470.0, 9.0),
            run("16,7% Rabatt", 400.0, 470.0, 9.0),
            run("-2,00", 510.0, 470.0, 9.0),
            // Three decimals: five, not five thousand.
            run("2", 50.0, 431.0, 9.0),
            run("Schweinesteak", 180.0, 431.0, 9.0),
            run("5,000 kg", 293.0, 431.0, 9.0),
            run("5,50", 409.0, 431.0, 9.0),
            run("27,50", 510.0, 431.0, 9.0),
            run("7", 570.0, 431.0, 9.0),
            run("Zwischensumme", 180.0, 300.0, 9.0),
            run("37,50", 510.0, 300.0, 9.0),
        ]);
        let pf = page_facts(&page);
        assert_eq!(pf.number.map(|f| f.value).as_deref(), Some("471102"));
        assert_eq!(
            pf.issue_date.map(|f| f.value).as_deref(),
            Some("2013-06-05")
        );
        let rows: Vec<[String; 5]> = pf
            .rows
            .iter()
            .map(|r| {
                let d =
                    |v: Option<(Dec, Source)>| v.map(|v| v.0.amount_string()).unwrap_or_default();
                [
                    r.description.clone().map(|d| d.0).unwrap_or_default(),
                    d(r.quantity),
                    r.unit.clone().map(|u| u.0).unwrap_or_default(),
                    d(r.unit_price),
                    d(r.net),
                ]
            })
            .collect();
        let want =
            |a: &str, b: &str, c: &str, d: &str, e: &str| [a, b, c, d, e].map(str::to_string);
        assert_eq!(
            rows,
            [
                want("Kunstrasen grün 3m breit", "3.00", "m²", "4.00", "10.00"),
                want("Schweinesteak", "5.00", "kg", "5.50", "27.50"),
            ]
        );
    }

    #[test]
    fn figures_run_together_over_two_columns_are_cut_where_each_reads_as_its_column() {
        let cols = [
            (Column::Description, 150.0, 220.0),
            (Column::Quantity, 358.0, 387.0),
            (Column::VatRate, 431.0, 466.0),
            (Column::Net, 505.0, 546.0),
        ];
        let cell = |text: &str, x0: f32, x1: f32| Cell {
            text: text.into(),
            x0,
            x1,
            y: 100.0,
            size: 10.0,
            font: Default::default(),
        };
        let parts: Vec<String> = split_across(&cols, &cell("3 m² 19 % VAT (S)", 360.0, 465.0))
            .expect("cut")
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(parts, ["3 m²", "19 % VAT (S)"]);
        // Over the description, or with no cut that reads: left whole.
        assert_eq!(
            split_across(&cols, &cell("Kunstrasen 3", 200.0, 380.0)),
            None
        );
        assert_eq!(
            split_across(&cols, &cell("voir annexe", 360.0, 465.0)),
            None
        );
        assert_eq!(leading_rate("7 % VAT (S)"), parse_number("7"));
        assert_eq!(leading_rate("7 % 100,00"), None);
    }

    #[test]
    fn a_header_cell_over_the_position_code_and_description_gives_the_description_its_place() {
        let c = Cell {
            text: "Pos Art-Nr-Kunde Beschreibung".into(),
            x0: 53.0,
            x1: 221.0,
            y: 93.0,
            size: 10.0,
            font: Default::default(),
        };
        let cols = described_tail(&c).expect("two columns");
        assert_eq!(cols[0].0, Column::Other);
        assert_eq!(cols[1].0, Column::Description);
        assert!((cols[1].1 - 151.0).abs() < 3.0, "{cols:?}");
        let alone = Cell {
            text: "Beschreibung".into(),
            ..c
        };
        assert_eq!(described_tail(&alone), None);
    }

    #[test]
    fn figures_under_a_hash_column_are_the_quantities_only_when_the_arithmetic_says_so() {
        let d = |s: &str| Some((parse_number(s).expect("number"), Source::User));
        let row = |q: &str, p: &str, n: &str| Row {
            counted: d(q),
            unit_price: d(p),
            net: d(n),
            ..Row::default()
        };
        let mut rows = vec![
            row("1,00", "160,00", "160,00"),
            row("400,00", "0,79", "316,00"),
        ];
        counted_quantities(&mut rows);
        let q: Vec<Option<String>> = rows
            .iter()
            .map(|r| r.quantity.map(|q| q.0.plain_string()))
            .collect();
        assert_eq!(q, [Some("1".to_string()), Some("400".to_string())]);
        // One row that does not multiply out: positions, not quantities.
        let mut rows = vec![
            row("1,00", "160,00", "160,00"),
            row("2,00", "0,79", "316,00"),
        ];
        counted_quantities(&mut rows);
        assert!(rows.iter().all(|r| r.quantity.is_none()));
        // All 1: positions as likely as quantities.
        let mut rows = vec![row("1,00", "160,00", "160,00"), row("1,00", "5,00", "5,00")];
        counted_quantities(&mut rows);
        assert!(rows.iter().all(|r| r.quantity.is_none()));
    }

    #[test]
    fn party_blocks_broken_by_a_blank_line_their_ids_under_them_and_a_date_under_the_number() {
        let run = |text: &str, x: f32, y: f32| run_at(text, x, y, 8.0, 4.5);
        let runs = vec![
            run("Gutschrift Nr. 471102", 366.0, 490.0),
            run("vom 05.03.2018", 366.0, 480.0),
            run("Lieferant", 40.0, 473.0),
            run("Käufer", 210.0, 473.0),
            run("MUSTERLIEFERANT GMBH", 40.0, 464.0),
            run("MUSTER-KUNDE GMBH", 210.0, 464.0),
            // A blank line, then the street and the town.
            run("BAHNHOFSTRASSE 99", 40.0, 442.0),
            run("KUNDENWEG 88", 210.0, 442.0),
            run("99199 MUSTERHAUSEN", 40.0, 433.0),
            run("40235 DUESSELDORF", 210.0, 433.0),
            // The buyer's VAT number a line under its address.
            run("USt-IdNr. DE136695976", 210.0, 415.0),
        ];
        let page = page_with(runs);
        let pf = page_facts(&page);
        assert_eq!(
            pf.issue_date.as_ref().map(|f| f.value.as_str()),
            Some("2018-03-05")
        );
        let city = |b: &Option<PartyBlock>| b.as_ref().and_then(|b| b.city.clone()).map(|c| c.0);
        assert_eq!(city(&pf.seller).as_deref(), Some("MUSTERHAUSEN"));
        assert_eq!(city(&pf.buyer).as_deref(), Some("DUESSELDORF"));
        let inv = invoice(std::slice::from_ref(&page), std::slice::from_ref(&pf));
        assert_eq!(
            inv.buyer.vat.map(|f| f.value).as_deref(),
            Some("DE136695976")
        );
        assert_eq!(inv.seller.vat, None);
    }

    #[test]
    fn a_totals_box_over_its_amounts_with_notes_beside_and_a_paid_line_under_is_read() {
        let run = |text: &str, x: f32, y: f32| run_at(text, x, y, 8.0, 4.0);
        let runs = vec![
            run("TOTAL HT", 427.0, 217.0),
            run("TOTAL TVA", 499.0, 217.0),
            run("TOTAL TTC", 584.0, 217.0),
            // Legal notes to the left, between the labels and amounts.
            run("base de trois fois le taux d'intérêt légal.", 50.0, 212.0),
            run(
                "Indemnité forfaitaire pour frais de recouvrement",
                50.0,
                201.0,
            ),
            run("100,00", 437.0, 196.0),
            run("10,00", 513.0, 196.0),
            run("110,00", 590.0, 196.0),
            run("Acompte :", 510.0, 175.0),
            run("10,00", 590.0, 175.0),
            run("NET A PAYER", 388.0, 150.0),
            run("100,00 EUR", 550.0, 150.0),
        ];
        let page = crate::read::layout::page(
            1,
            &PageContent {
                runs,
                media_box: [0.0, 0.0, 700.0, 842.0],
                ..Default::default()
            },
        );
        let pf = page_facts(&page);
        let got = |k: Label| {
            pf.totals
                .iter()
                .filter(|t| t.kind == k)
                .map(|t| t.amount.amount_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(got(Label::WithoutTax), ["100.00"]);
        assert_eq!(got(Label::WithTax), ["110.00"]);
        assert_eq!(got(Label::Due), ["100.00"]);
    }

    #[test]
    fn an_address_with_its_country_after_a_comma_and_a_second_line_before_the_town() {
        assert_eq!(
            postcode_city("06000 NICE, DE"),
            Some(("06000".into(), "NICE".into()))
        );
        assert_eq!(
            country_after("75018 Paris, France").1.as_deref(),
            Some("FR")
        );
        assert_eq!(country_after("Paris, 8e").1, None);
        let cell = |t: &str, y: f32| Cell {
            text: t.into(),
            x0: 306.0,
            x1: 380.0,
            y,
            size: 9.0,
            font: Default::default(),
        };
        let cells = [
            cell("LE CLIENT", 745.0),
            cell("58 rue de la mer", 733.0),
            cell("Buyer line 2", 718.0),
            cell("06000 NICE, DE", 708.0),
        ];
        let refs: Vec<&Cell> = cells.iter().collect();
        let page = crate::read::layout::page(1, &crate::pdf::PageContent::default());
        let p = party_from(&page, &refs);
        let v = |f: &Option<(String, Source)>| f.as_ref().map(|f| f.0.clone());
        assert_eq!(v(&p.name).as_deref(), Some("LE CLIENT"));
        assert_eq!(v(&p.street).as_deref(), Some("58 rue de la mer"));
        assert_eq!(v(&p.city).as_deref(), Some("NICE"));
        assert_eq!(v(&p.country).as_deref(), Some("DE"));
        assert!(!p.country_guessed);
        // A discount's rate under the quantity is no quantity.
        let mut row = Row::default();
        quantity_and_unit(&mut row, "5,00% sur 100,00 EUR", Source::User);
        assert_eq!(row.quantity, None);
    }

    #[test]
    fn identifiers_under_a_heading_that_says_yours_are_the_buyers() {
        let run = |text: &str, x: f32, y: f32| run_at(text, x, y, 8.0, 4.0);
        let page = page_with(vec![
            run("Nos identifiants", 48.0, 474.0),
            run("N° TVA : FR 32 123 456 789", 48.0, 464.0),
            run("Vos identifiants", 298.0, 474.0),
            run("GLN : 3654789851", 306.0, 464.0),
            run("N° TVA : FR 05 987 654 321", 306.0, 454.0),
        ]);
        assert_eq!(
            whose_ids(&page),
            [
                ("FR32123456789".into(), false),
                ("FR05987654321".into(), true)
            ]
        );
    }

    #[test]
    fn the_window_address_may_start_a_few_blank_lines_under_the_senders_line() {
        let run = |text: &str, x: f32, y: f32, size: f32| run_at(text, x, y, size, size * 0.5);
        let page = page_with(vec![
            run(
                "Alphabet, Lilienthalallee 26, 80786 München",
                77.0,
                707.0,
                6.0,
            ),
            run("Muster GmbH", 77.0, 648.0, 9.0),
            run("z.Hd. Herr Mustermann", 77.0, 638.0, 9.0),
            run("Musterweg 1", 77.0, 628.0, 9.0),
            run("60325 Frankfurt am Main", 77.0, 618.0, 9.0),
        ]);
        let pf = page_facts(&page);
        let v = |b: &Option<PartyBlock>, f: fn(&PartyBlock) -> &Option<(String, Source)>| {
            b.as_ref().and_then(|b| f(b).clone()).map(|x| x.0)
        };
        assert_eq!(v(&pf.buyer, |b| &b.name).as_deref(), Some("Muster GmbH"));
        assert_eq!(v(&pf.buyer, |b| &b.street).as_deref(), Some("Musterweg 1"));
        assert_eq!(
            v(&pf.buyer, |b| &b.city).as_deref(),
            Some("Frankfurt am Main")
        );
        assert_eq!(v(&pf.seller, |b| &b.city).as_deref(), Some("München"));
    }

    #[test]
    fn the_seller_is_the_block_the_pages_own_mail_address_names() {
        // Right-aligned at x = 567: each run starts where it ends there.
        let right = |text: &str, y: f32| {
            run_at(
                text,
                567.0 - text.chars().count() as f32 * 5.5,
                y,
                11.0,
                5.5,
            )
        };
        let left = |text: &str, y: f32| run_at(text, 57.0, y, 11.0, 5.5);
        let page = page_with(vec![
            left("Adatum Corporation", 721.0),
            right("CRONUS DE", 721.0),
            left("Station Road, 21", 707.0),
            right("Hofstraße 12", 707.0),
            left("48436 Düsseldorf", 692.0),
            right("Benrath", 692.0),
            // The seller's town a blank line lower.
            right("20097 Hamburg", 663.0),
            right("Deutschland", 649.0),
            left("info@cronus.com", 86.0),
        ]);
        let pf = page_facts(&page);
        let name = |b: &Option<PartyBlock>| b.as_ref().and_then(|b| b.name.clone()).map(|n| n.0);
        let city = |b: &Option<PartyBlock>| b.as_ref().and_then(|b| b.city.clone()).map(|n| n.0);
        assert_eq!(name(&pf.seller).as_deref(), Some("CRONUS DE"));
        assert_eq!(city(&pf.seller).as_deref(), Some("Hamburg"));
        assert_eq!(name(&pf.buyer).as_deref(), Some("Adatum Corporation"));
        assert!(names_domain("Die Vordefinierte Firma", "vordefiniert"));
        assert!(!names_domain("Adatum Corporation", "cronus"));
    }

    #[test]
    fn dates_in_three_languages() {
        assert_eq!(parse_date("05/03/2026").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("05.03.2026").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("2026-03-05").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("5 mars 2026").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("5. März 2026").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("March 5, 2026").as_deref(), Some("2026-03-05"));
        assert_eq!(parse_date("29 maart 2014").as_deref(), Some("2014-03-29"));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("F-2026-001"), None);
    }

    #[test]
    fn lines_without_a_rate_take_the_rate_whose_base_they_make() {
        let f = |v: &str| Some(Field::new(v.to_string(), Source::User, true));
        let line = |net: &str| ItemLine {
            net: f(net),
            ..ItemLine::default()
        };
        let vat = |rate: &str, base: &str| VatRow {
            rate: f(rate),
            base: f(base),
            ..VatRow::default()
        };
        let rates = |inv: &Invoice| -> Vec<Option<(String, bool)>> {
            inv.lines
                .iter()
                .map(|l| l.vat_rate.as_ref().map(|r| (r.value.clone(), r.sure)))
                .collect()
        };
        let mut inv = Invoice {
            lines: vec![line("-20.48"), line("-150.00"), line("-48.00")],
            vat: vec![vat("20", "-20.48"), vat("5.5", "-198.00")],
            ..Invoice::default()
        };
        one_rate_lines(&mut inv);
        let r = |v: &str| Some((v.to_string(), false));
        assert_eq!(rates(&inv), [r("20"), r("5.5"), r("5.5")]);
        // Two lines that could make the same base: nothing is guessed.
        let mut inv = Invoice {
            lines: vec![line("10.00"), line("10.00")],
            vat: vec![vat("20", "10.00"), vat("10", "10.00")],
            ..Invoice::default()
        };
        one_rate_lines(&mut inv);
        assert_eq!(rates(&inv), [None, None]);
    }

    #[test]
    fn a_price_before_its_line_discount_gives_the_net_price() {
        let d = |s: &str| Some((parse_number(s).expect("number"), Source::User));
        let cell = |t: &str| Cell {
            text: t.into(),
            x0: 0.0,
            x1: 10.0,
            y: 0.0,
            size: 9.0,
            font: Default::default(),
        };
        let mut row = Row {
            quantity: d("5"),
            unit_price: d("4,55"),
            net: d("-20,48"),
            ..Row::default()
        };
        let cells = [
            cell("5 Unit(s)"),
            cell("4,55 €"),
            cell("10%"),
            cell("-20,48 €"),
        ];
        price_after_discount(&mut row, &cells);
        assert_eq!(
            row.unit_price.map(|p| p.0.plain_string()).as_deref(),
            Some("4.095")
        );
        // No percentage that explains the amount: the price stays.
        let mut row = Row {
            quantity: d("5"),
            unit_price: d("4,55"),
            net: d("20,00"),
            ..Row::default()
        };
        price_after_discount(&mut row, &cells);
        assert_eq!(
            row.unit_price.map(|p| p.0.plain_string()).as_deref(),
            Some("4.55")
        );
    }

    #[test]
    fn a_dutch_vat_number_is_recognised_without_a_label() {
        let found: Vec<&str> = VAT_RE
            .find_iter("BTW NL810433941B01")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, ["NL810433941B01"]);
    }

    #[test]
    fn a_buyer_code_may_be_letters_alone_but_no_word() {
        assert_eq!(letter_code(" : SERVEXEC").as_deref(), Some("SERVEXEC"));
        assert_eq!(letter_code("ACHATS_IDF").as_deref(), Some("ACHATS_IDF"));
        assert_eq!(letter_code("Monsieur Dupont"), None);
        assert_eq!(letter_code("Dupont"), None);
        assert_eq!(letter_code("AB"), None);
    }

    #[test]
    fn references_need_a_digit_and_no_date() {
        assert_eq!(reference(" : F-2026-001 du").as_deref(), Some("F-2026-001"));
        assert_eq!(reference("471102").as_deref(), Some("471102"));
        assert_eq!(reference("date"), None);
        assert_eq!(reference("12/03/2026"), None);
    }

    #[test]
    fn a_position_printed_with_the_description_is_taken_off_only_when_every_line_has_its_own() {
        assert_eq!(
            without_position("3 Sturzflug-Geier", 3),
            Some("Sturzflug-Geier")
        );
        assert_eq!(without_position("1. Conseil", 1), Some("Conseil"));
        assert_eq!(without_position("12 boîtes", 1), None);
        assert_eq!(without_position("1", 1), None);
        let row = |d: &str| Row {
            description: Some((d.to_string(), Source::User)),
            ..Row::default()
        };
        let (a, b, c) = (row("1 Drachen"), row("2 Flyer"), row("3 Adler"));
        assert_eq!(numbered_descriptions(&[&a, &b, &c]), Some(1));
        let (d, e) = (row("10 M-01"), row("20 M-02"));
        assert_eq!(numbered_descriptions(&[&d, &e]), Some(10));
        // Out of order, or a single line: quantities, not positions.
        assert_eq!(numbered_descriptions(&[&a, &c]), None);
        assert_eq!(numbered_descriptions(&[&a]), None);
    }

    #[test]
    fn last_amount_takes_the_value_at_the_end() {
        assert_eq!(
            last_amount("1 234,56 €").map(Dec::amount_string).as_deref(),
            Some("1234.56")
        );
        assert_eq!(
            last_amount("EUR 12,00").map(Dec::amount_string).as_deref(),
            Some("12.00")
        );
        assert_eq!(
            rate_in("TVA 5,5 %").map(Dec::plain_string).as_deref(),
            Some("5.5")
        );
    }
}
