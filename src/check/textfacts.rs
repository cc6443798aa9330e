//! Invoice facts, and the boundaries between invoices, read from the text
//! layer of a PDF.
//!
//! The input is the visible text the caller already extracted, one `String`
//! per page, one text block per line. From it this module reads what a human
//! reader would: the invoice number written after "Facture n°", the date
//! after "Date de facture", the SIREN after "SIREN", the totals after
//! "Total TTC"… in French, English and German. It also tells where one
//! invoice ends and the next begins when several are in one file
//! ([`segment`]).
//!
//! What it is:
//! - heuristics over visible text: a known label followed by a value on the
//!   same line, or alone on the next line;
//! - tolerant of imperfect extraction: odd or non-breaking spaces
//!   (U+00A0, U+202F), digit groups split by spaces ("732 829 320"),
//!   typographic apostrophes and hyphens;
//! - robust: it never panics, runs in time linear in the input and only
//!   examines the first [`MAX_PAGE_BYTES`] of each page.
//!
//! What it deliberately is not:
//! - no PDF parsing: extracting the text is the caller's job;
//! - no layout analysis: columns and tables are not reconstructed, so a value
//!   printed far from its label is not found (or a neighbour is taken);
//! - no validation: SIREN, SIRET, VAT numbers and IBANs are reported as
//!   written, check digits are not verified, and placeholders after an
//!   identifier label ("SIREN : N/A", "XXX") are reported as the value so
//!   that the caller ([`crate::check::ident`]) can flag them;
//! - not authoritative: every fact carries [`FactSource::Text`]; the embedded
//!   structured invoice ([`crate::check::structured`]) is the more trusted source.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use crate::check::facts::{DocType, FactKey, FactSource, Facts};

/// Bytes of each page's text that are examined; the rest is ignored.
pub const MAX_PAGE_BYTES: usize = 64 * 1024;
/// A line longer than this is never taken as the value of a label that ends
/// the previous line.
const MAX_NEXT_LINE_BYTES: usize = 200;
/// Headings ("FACTURE", "AVOIR"…) are looked for in this many first lines.
const HEADING_LINES: usize = 30;
/// Longest identifier or reference value kept.
const MAX_VALUE_CHARS: usize = 40;
/// Longest buyer name kept, in characters.
const MAX_NAME_CHARS: usize = 120;
/// How far before a label the line is searched for buyer/seller hints.
const ROLE_WINDOW_BYTES: usize = 120;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Facts found in the visible text, all with [`FactSource::Text`].
///
/// Every page is read; for each kind of fact the first value found wins
/// (call it on a [`Segment`]'s pages to read one invoice of a multi-invoice
/// file).
pub fn facts_from_text(pages: &[String]) -> Facts {
    let mut scan = Scan::default();
    let mut heading = None;
    for page in pages {
        let lines = page_lines(page);
        if heading.is_none() {
            heading = heading_of(&lines);
        }
        scan_lines(&lines, &mut scan);
    }

    let mut facts = Facts::default();
    let src = FactSource::Text;
    let mut put = |key: FactKey, value: Option<&str>| {
        if let Some(v) = value {
            facts.insert(key, v, src);
        }
    };
    let first = scan.numbers.first();
    put(FactKey::InvoiceNumber, first.map(|(n, _)| n.as_str()));
    let doc_type = heading.or(first.map(|(_, t)| *t));
    put(FactKey::DocType, doc_type.map(DocType::as_str));
    put(
        FactKey::IssueDate,
        scan.label_date.as_deref().or(scan.number_date.as_deref()),
    );
    put(FactKey::Currency, scan.currency);

    for (cands, seller_key, buyer_key) in [
        (&scan.sirens, FactKey::SellerSiren, FactKey::BuyerSiren),
        (&scan.sirets, FactKey::SellerSiret, FactKey::BuyerSiret),
        (&scan.vats, FactKey::SellerVat, FactKey::BuyerVat),
        (&scan.glns, FactKey::SellerGln, FactKey::BuyerGln),
    ] {
        let (seller, buyer) = assign_roles(cands);
        put(seller_key, seller);
        put(buyer_key, buyer);
    }

    put(FactKey::BuyerName, scan.buyer_name.as_deref());
    put(
        FactKey::BuyerCustomerNumber,
        scan.customer_number.as_deref(),
    );
    put(FactKey::BuyerReference, scan.buyer_reference.as_deref());
    put(FactKey::OrderReference, scan.order_reference.as_deref());
    put(FactKey::Iban, scan.iban.as_deref());
    put(
        FactKey::TotalWithoutTax,
        scan.total_without_tax
            .as_deref()
            .or(scan.subtotal.as_deref()),
    );
    put(FactKey::TotalTax, scan.total_tax.as_deref());
    put(FactKey::TotalWithTax, scan.total_with_tax.as_deref());
    put(FactKey::AmountDue, scan.amount_due.as_deref());
    facts
}

/// Invoice numbers written on one page after an explicit label, normalised
/// (trimmed, inner spaces removed), in order, deduplicated.
///
/// Credit note numbers ("Avoir n°", "Gutschrift Nr.") count too. A customer
/// number ("N° client", "Kundennummer") does not.
pub fn invoice_numbers(page: &str) -> Vec<String> {
    let lines = page_lines(page);
    let mut scan = Scan::default();
    scan_lines(&lines, &mut scan);
    let mut seen = HashSet::new();
    scan.numbers
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// One invoice (or credit note) found in a multi-page document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// First page, 1-based.
    pub first_page: usize,
    /// Last page, 1-based, inclusive.
    pub last_page: usize,
    /// The first labelled invoice number of the segment, if any.
    pub number: Option<String>,
    /// From a heading ("FACTURE", "AVOIR") or the label of the number.
    pub doc_type: Option<DocType>,
    /// Why a segment starts on `first_page`.
    pub why: SegmentStart,
}

/// Why a [`Segment`] starts where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentStart {
    /// The document's first page.
    FirstPage,
    /// The page carries an invoice number different from the current one.
    NewNumber,
    /// The page says "page 1 of N" and is not the document's first page.
    PageNumberingRestart,
    /// The page's document type (heading or number label) differs from the
    /// current segment's, and the page has a number or restarts numbering:
    /// typically an invoice followed by a credit note.
    DocTypeChange,
}

/// Splits a document into the invoices it contains. Annex pages (no number,
/// or the same number, or no heading) stay with the invoice before them.
pub fn segment(pages: &[String]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for (idx, page) in pages.iter().enumerate() {
        let page_no = idx + 1;
        let info = page_info(page);
        let number = info.numbers.into_iter().next();
        let doc_type = info.heading.or(number.as_ref().map(|(_, t)| *t));
        let number = number.map(|(n, _)| n);
        let restart = idx > 0 && matches!(info.numbering, Some((1, _)));

        let why = match out.last() {
            None => Some(SegmentStart::FirstPage),
            Some(cur) => {
                let new_number = matches!((&number, &cur.number),
                    (Some(n), Some(c)) if !n.eq_ignore_ascii_case(c));
                let type_change = matches!((doc_type, cur.doc_type), (Some(t), Some(c)) if t != c)
                    && (number.is_some() || restart);
                if type_change {
                    Some(SegmentStart::DocTypeChange)
                } else if new_number {
                    Some(SegmentStart::NewNumber)
                } else if restart {
                    Some(SegmentStart::PageNumberingRestart)
                } else {
                    None
                }
            }
        };
        match (why, out.last_mut()) {
            (None, Some(cur)) => {
                cur.last_page = page_no;
                if cur.number.is_none() {
                    cur.number = number;
                }
                if cur.doc_type.is_none() {
                    cur.doc_type = doc_type;
                }
            }
            (why, _) => {
                let why = why.unwrap_or(SegmentStart::FirstPage);
                tracing::trace!(page = page_no, ?why, ?number, "invoice segment starts");
                out.push(Segment {
                    first_page: page_no,
                    last_page: page_no,
                    number,
                    doc_type,
                    why,
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Pages and lines
// ---------------------------------------------------------------------------

/// The first `max` bytes of `s`, cut on a character boundary.
fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The capped page split into normalised, non-empty lines.
fn page_lines(page: &str) -> Vec<String> {
    cap(page, MAX_PAGE_BYTES)
        .split(['\n', '\r', '\u{b}', '\u{c}', '\u{2028}', '\u{2029}'])
        .map(normalise_line)
        .filter(|l| !l.is_empty())
        .collect()
}

/// One space between words (every kind of space, tab or control character
/// becomes one), typographic apostrophes and hyphens made ASCII, invisible
/// characters dropped, trimmed.
fn normalise_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut after_space = true;
    for c in raw.chars() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => '\'',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => continue,
            c if c.is_whitespace() || c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            if !after_space {
                out.push(' ');
                after_space = true;
            }
        } else {
            out.push(c);
            after_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

struct PageInfo {
    numbers: Vec<(String, DocType)>,
    heading: Option<DocType>,
    numbering: Option<(u32, u32)>,
}

fn page_info(page: &str) -> PageInfo {
    let lines = page_lines(page);
    let mut scan = Scan::default();
    scan_lines(&lines, &mut scan);
    PageInfo {
        numbers: scan.numbers,
        heading: heading_of(&lines),
        numbering: page_numbering(&lines),
    }
}

// ---------------------------------------------------------------------------
// Headings and page numbering
// ---------------------------------------------------------------------------

/// Heading words, spaces and apostrophes removed, and what they mean.
const HEADINGS: &[(&str, DocType)] = &[
    ("facture", DocType::Invoice),
    ("invoice", DocType::Invoice),
    ("taxinvoice", DocType::Invoice),
    ("commercialinvoice", DocType::Invoice),
    ("facturecommerciale", DocType::Invoice),
    ("rechnung", DocType::Invoice),
    ("avoir", DocType::CreditNote),
    ("facturedavoir", DocType::CreditNote),
    ("factureavoir", DocType::CreditNote),
    ("notedecredit", DocType::CreditNote),
    ("notedecrédit", DocType::CreditNote),
    ("creditnote", DocType::CreditNote),
    ("creditmemo", DocType::CreditNote),
    ("gutschrift", DocType::CreditNote),
    ("rechnungskorrektur", DocType::CreditNote),
    ("stornorechnung", DocType::CreditNote),
];

/// Words that may follow a heading without changing its meaning.
const HEADING_SUFFIXES: &[&str] = &[
    "originale",
    "original",
    "duplicata",
    "duplicate",
    "copie",
    "copy",
    "kopie",
    "acquittée",
    "acquittee",
    "rectificative",
];

/// The document type of a line that is (mostly) just a heading: "FACTURE",
/// "Facture d'avoir", "F A C T U R E", "FACTURE / INVOICE", "AVOIR - COPIE".
fn heading_type(line: &str) -> Option<DocType> {
    if line.len() > 60 {
        return None;
    }
    let mut found: Option<DocType> = None;
    for part in line.split(['/', '|']) {
        let words: Vec<String> = part
            .split(|c: char| !(c.is_alphabetic() || c == '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .filter(|w| !HEADING_SUFFIXES.contains(&w.as_str()))
            .collect();
        if words.is_empty() {
            continue;
        }
        let compact: String = words.concat().chars().filter(|&c| c != '\'').collect();
        let t = HEADINGS.iter().find(|(h, _)| *h == compact)?.1;
        found = match (found, t) {
            (Some(DocType::CreditNote), _) | (_, DocType::CreditNote) => Some(DocType::CreditNote),
            _ => Some(DocType::Invoice),
        };
    }
    found
}

fn heading_of(lines: &[String]) -> Option<DocType> {
    lines
        .iter()
        .take(HEADING_LINES)
        .find_map(|l| heading_type(l))
}

static PAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:page|seite|blatt|pg\.?|p\.|pagina|página)\s*([0-9]{1,4})\s*(?:/|sur|of|von|de|aus|di)\s*([0-9]{1,4})\b",
    )
});
static BARE_PAGE_RE: LazyLock<Regex> =
    LazyLock::new(|| build(r"^-?\s*([0-9]{1,4})\s*/\s*([0-9]{1,4})\s*-?$"));

/// "Page 2/3", "page 2 sur 3", "Page 2 of 3", "Seite 2 von 3" anywhere on the
/// page, or "2/3" alone on the page's last line: `(2, 3)`.
fn page_numbering(lines: &[String]) -> Option<(u32, u32)> {
    let valid = |caps: regex::Captures<'_>| -> Option<(u32, u32)> {
        let i: u32 = caps.get(1)?.as_str().parse().ok()?;
        let n: u32 = caps.get(2)?.as_str().parse().ok()?;
        (1..=n).contains(&i).then_some((i, n))
    };
    lines
        .iter()
        .find_map(|l| PAGE_RE.captures(l).and_then(valid))
        .or_else(|| BARE_PAGE_RE.captures(lines.last()?).and_then(valid))
}

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A label whose value we do not want (due date, tax number…): it only
    /// ends the value of the label before it.
    Ignore,
    /// "inkl. MwSt", "excl. VAT": part of the value of the label before it,
    /// never a label itself.
    Qualifier,
    CreditNo,
    InvoiceNo,
    /// An explicit issue-date label.
    IssueDate,
    /// Just "Date" / "Datum": the date must follow immediately.
    BareDate,
    BuyerName,
    CustomerNo,
    BuyerRef,
    OrderRef,
    Siret,
    Siren,
    Rcs,
    VatId,
    Iban,
    Gln,
    Currency,
    AmountDue,
    /// "Sous-total", "Subtotal": the total without tax when nothing better.
    Subtotal,
    TotalWithoutTax,
    TotalWithTax,
    TotalTax,
    /// "TVA" / "VAT" alone: a VAT number if one follows, else a tax amount.
    TaxOrVat,
}

/// "n°", "no", "nr", "numéro", "#".
const NUM: &str = r"(?:n\s*[°º˚]\.?|no\b\.?|nr\b\.?|num[ée]ro\b|num\b\.?|#)";

/// Every label, case-insensitive. Where two labels can match at the same
/// position the one listed first wins, so specific labels come first.
/// `<NUM>` stands for [`NUM`]; `\b` is an ASCII word boundary. Only
/// non-capturing groups inside.
const LABELS: &[(Kind, &str)] = &[
    (
        Kind::Ignore,
        r"\bdue\s+date\b|\bdate\s+(?:d'\s*)?[ée]ch[ée]ance|[ée]ch[ée]ance|\bdate\s+(?:de\s+|d'\s*)(?:livraison|commande|paiement|r[ée]glement|prestation|ex[ée]cution|exigibilit[ée]|expiration|validit[ée]|d[ée]but|fin|vente|op[ée]ration)|\b(?:delivery|order|payment|service|shipping|dispatch|expiry|expiration|supply|value)\s+date\b|\bdate\s+of\s+(?:delivery|supply|order|payment|service)\b|\bpayment\s+(?:due|terms)\b",
    ),
    (
        Kind::Ignore,
        r"\b(?:f[äa]lligkeits|liefer|leistungs|bestell|zahlungs|auftrags)datum\b|\bf[äa]llig\b|\bzahlungsziel\b|\bzahlbar\b|\bsteuer\s*-?\s*(?:nummer\b|nr\b\.?)|\bst\.?\s*-?\s*nr\b\.?|\bcapital\b|\bcode\s+(?:ape|naf)\b|\b(?:ape|naf)\b|\bbic\b|\bswift\b",
    ),
    (
        Kind::Ignore,
        r"\b(?:taux|rate|steuersatz|satz)\b(?:\s+(?:de\s+)?(?:tva|vat|mwst|ust)\b)?|\b(?:tva|vat)\s+rate\b|\btva\s*:?\s*(?:non\s+applicable|non\s+due|exon[ée]r[ée]e?)|\bexon[ée]ration\b|\bautoliquidation\b|\bart(?:icle)?\b\.?\s*[0-9]+|\bbase\s+(?:ht|imposable|tva)\b|\bprix\s+unitaire\b|\bunit\s+price\b|\bqt[ée]|\bquantit[ée]|\bquantity\b|\bmenge\b",
    ),
    (
        Kind::Qualifier,
        r"\b(?:inkl|incl|including|inclusive|excl|excluding|exkl|hors|ohne|without|with|sans|avec)\b\.?\s*(?:de\s+)?(?:la\s+)?(?:[0-9]{1,2}(?:[.,][0-9]{1,2})?\s*%\s*)?(?:mwst|ust|vat|tva|taxes?|steuer|umsatzsteuer|mehrwertsteuer)\b\.?",
    ),
    (
        Kind::CreditNo,
        r"\bfacture\s+d'\s*avoir\s*(?:<NUM>|:)|\b<NUM>\s*(?:de\s+l'\s*|d'\s*)avoir\b|\bavoir\s*<NUM>|^\s*avoir\s*:|\bcredit\s*(?:note|memo)\s*(?:no\b\.?|nr\b\.?|number\b|num\b\.?|#|id\b|:)|\bgutschrifts?\s*-?\s*(?:nummer\b|nr\b\.?|no\b\.?)|^\s*gutschrift\s*:|\b(?:rechnungskorrektur|stornorechnung)\s*-?\s*(?:nummer\b|nr\b\.?)",
    ),
    (
        Kind::InvoiceNo,
        r"\bfactures?\s*<NUM>|\b<NUM>\s*(?:de\s+)?(?:la\s+)?facture\b|^\s*facture\s*:|\b(?:tax\s+)?invoice\s*(?:no\b\.?|nr\b\.?|number\b|num\b\.?|#|id\b)|^\s*invoice\s*:|\brechnungs\s*-?\s*(?:nummer\b|nr\b\.?|no\b\.?)|\brechnung\s*-?\s*(?:nr\b\.?|no\b\.?|nummer\b)|^\s*rechnung\s*:|\brechnung\b[^:]{0,30}?\snummer\b",
    ),
    (
        Kind::IssueDate,
        r"\bdate\s+(?:de\s+(?:la\s+)?)?(?:facture|facturation)\b|\bdate\s+d'\s*[ée](?:mission|dition)|\b(?:invoice|issue|billing)\s+date\b|\bdate\s+of\s+(?:issue|invoice)\b|\b(?:rechnungs|ausstellungs)datum\b|\bfactur[ée]e?\s+le\b|\bissued\s+on\b",
    ),
    (Kind::BareDate, r"\bdate\b|\bdatum\b|\bdated\b"),
    (
        Kind::BuyerName,
        r"^\s*(?:client|cliente|factur[ée]\s+[àa]|adress[ée]\s+[àa]|destinataire|bill(?:ed)?\s+to|invoice\s+to|sold\s+to|customer|rechnungsempf[äa]nger|kunde|empf[äa]nger)\s*:",
    ),
    (
        Kind::CustomerNo,
        r"\b<NUM>\s*(?:de\s+)?client\b|\bcode\s+client\b|\br[ée]f(?:[ée]rence|\.)?\s*client\b|\bcompte\s+client\b|\bidentifiant\s+client\b|\bclient\s*(?:<NUM>|number\b|id\b|code\b)|\bcustomer\s*(?:no\b\.?|nr\b\.?|number\b|num\b\.?|#|id\b|code\b|ref(?:erence)?\b)|\bkunden\s*-?\s*(?:nummer\b|nr\b\.?|id\b)|\bkundennr\b\.?",
    ),
    (
        Kind::BuyerRef,
        r"\bcode\s+service\b|\bservice\s+ex[ée]cutant\b|\br[ée]f[ée]rence\s+(?:de\s+l'\s*)?acheteur\b|\bbuyer\s*(?:'s\s*)?ref(?:erence)?\b\.?|\bleitweg\s*-?\s*id\b|\bleitweg\b",
    ),
    (
        Kind::OrderRef,
        r"\bbon\s+de\s+commande\b|\b<NUM>\s*(?:de\s+)?commande\b|\bcommande\s*<NUM>|\br[ée]f(?:[ée]rence|\.)?\s*(?:de\s+)?commande\b|\b<NUM>\s*(?:d'\s*)?engagement\b|\bengagement\b|\bp\.?\s*o\.?\s*(?:number\b|no\b\.?|#|:)|\bpurchase\s+order\b(?:\s*(?:number\b|no\b\.?|#|ref(?:erence)?\b))?|\border\s*(?:no\b\.?|nr\b\.?|number\b|#|ref(?:erence)?\b)|\bbestell\s*-?\s*(?:nummer\b|nr\b\.?)|\bbestellnr\b\.?|\bihre\s+bestellung\b",
    ),
    (Kind::Siret, r"\bsiret\b"),
    (Kind::Siren, r"\bsiren\b"),
    (Kind::Rcs, r"\br\.?\s?c\.?\s?s\b\.?"),
    (
        Kind::VatId,
        r"\btva\s+intra(?:-?\s*com(?:munautaire)?)?\b\.?|\b<NUM>\s*(?:de\s+)?tva\b(?:\s+intra(?:-?\s*com(?:munautaire)?)?\b\.?)?|\bidentifiant\s+(?:de\s+)?tva\b(?:\s+intra(?:-?\s*com(?:munautaire)?)?\b\.?)?|\bvat\s*(?:reg(?:istration)?\.?\s*)?(?:no\b\.?|nr\b\.?|number\b|num\b\.?|id\b|#|code\b)|\bvat\s+identification\s+(?:no\b\.?|number\b)|\bust\s*-?\s*id(?:ent)?\s*-?\s*(?:nr\b\.?|nummer\b|no\b\.?)?|\bumsatzsteuer\s*-?\s*id(?:entifikations)?(?:nummer\b|nr\b\.?)?|\bmwst\s*-?\s*(?:nr\b\.?|nummer\b)|\bintra\s*-?\s*com(?:munautaire)?\b",
    ),
    (Kind::Iban, r"\biban\b"),
    (Kind::Gln, r"\bgln\b"),
    (Kind::Currency, r"\b(?:devise|currency|w[äa]hrung)\b"),
    (
        Kind::AmountDue,
        r"\b(?:total\s+|montant\s+|solde\s+)?net\s+[àa]\s+payer\b|\b(?:reste|total|montant|solde)\s+(?:restant\s+)?[àa]\s+payer\b|\b(?:reste|montant|solde)\s+d[ûu]|\btotal\s+amount\s+(?:due|payable)\b|\b(?:amount|balance|total)\s+(?:due|payable)\b|\bzahlbetrag\b|\bzu\s+zahlen\b|\bzahlungsbetrag\b|\boffener\s+betrag\b|\bnet\s+to\s+pay\b",
    ),
    (
        Kind::Subtotal,
        r"\bsous\s*-?\s*total\b(?:\s+(?:ht\b|hors\s+tax(?:es?)?\b))?|\bsub\s*-?\s*total\b",
    ),
    (
        Kind::TotalWithoutTax,
        r"\btotal\s+(?:net\s+)?(?:ht\b|hors\s+tax(?:es?)?\b|h\.t\.)|\bmontant\s+(?:total\s+)?(?:net\s+)?(?:ht\b|hors\s+tax(?:es?)?\b)|\btotal\s+net\b|\bnet\s+total\b|\btotal\s*\(?\s*(?:excl(?:uding|\.)?|ex\.?|net\s+of|before|without)\s*(?:vat|tax(?:es)?)\b\)?|\bnet\s+amount\b|\bnetto\s*betrag\b|\bsumme\s+netto\b|\bnettosumme\b|\bgesamtbetrag\s+netto\b|\bgesamt\s+netto\b|\bwarenwert\b",
    ),
    (
        Kind::TotalWithTax,
        r"\btotal\s+(?:ttc\b|t\.t\.c\.)|\bmontant\s+(?:total\s+)?ttc\b|\btotal\s*\(?\s*(?:incl(?:uding|\.)?|inc\.?|with)\s*(?:vat|tax(?:es)?)\b\)?|\b(?:grand|invoice)\s+total\b|\btotal\s+amount\b|\bbrutto\s*betrag\b|\bgesamtbetrag\b|\bsumme\s+brutto\b|\bbruttosumme\b|\brechnungsbetrag\b|\bgesamtsumme\b|\bendbetrag\b|\brechnungssumme\b",
    ),
    (
        Kind::TotalTax,
        r"\btotal\s+(?:de\s+la\s+)?tva\b|\bmontant\s+(?:de\s+(?:la\s+)?)?tva\b|\btotal\s+(?:vat|tax)\b|\b(?:vat|tax)\s+(?:amount|total)\b|\bmwst\b\.?(?:\s*-?\s*betrag\b)?|\bmehrwertsteuer\b|\bumsatzsteuer\b|\bust\b\.?|\bsumme\s+(?:mwst|ust)\b|\bsteuerbetrag\b|\bsales\s+tax\b",
    ),
    (Kind::TaxOrVat, r"\btva\b|\bvat\b"),
];

/// Case-insensitive, Unicode, with `\b` made an ASCII word boundary (which
/// the fast DFA engines support on any input).
fn build(pattern: &str) -> Regex {
    RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
        .case_insensitive(true)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .expect("textfacts: built-in regex is valid")
}

/// The pattern of [`LABELS`]' entry `k`, as compiled.
fn label_pattern(k: usize) -> String {
    LABELS[k]
        .1
        .replace("<NUM>", NUM)
        .replace(r"\b", r"(?-u:\b)")
}

/// All labels in one regex, one pattern per entry of [`LABELS`]: a match
/// says which label it is without capture groups, so the label scan runs
/// on the lazy DFA alone. Leftmost-first over several patterns is the
/// alternation of them in order, as `build` of `(l0)|(l1)|…` would match.
static LABEL_RE: LazyLock<regex_automata::meta::Regex> = LazyLock::new(|| {
    let patterns: Vec<String> = (0..LABELS.len()).map(label_pattern).collect();
    crate::text::labels_regex(&patterns)
});

#[derive(Debug, Clone, Copy)]
struct Hit {
    kind: Kind,
    start: usize,
    end: usize,
}

fn label_hits(line: &str) -> Vec<Hit> {
    LABEL_RE
        .find_iter(line)
        .map(|m| Hit {
            kind: LABELS[m.pattern().as_usize()].0,
            start: m.start(),
            end: m.end(),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Scanning
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Seller,
    Buyer,
    Unknown,
}

/// Everything found, in order; the caller keeps the first of each.
#[derive(Default)]
struct Scan {
    numbers: Vec<(String, DocType)>,
    label_date: Option<String>,
    /// "Facture n° F-1 du 02/11/2026".
    number_date: Option<String>,
    buyer_name: Option<String>,
    customer_number: Option<String>,
    buyer_reference: Option<String>,
    order_reference: Option<String>,
    sirens: Vec<(String, Role)>,
    sirets: Vec<(String, Role)>,
    vats: Vec<(String, Role)>,
    glns: Vec<(String, Role)>,
    iban: Option<String>,
    currency: Option<&'static str>,
    total_without_tax: Option<String>,
    subtotal: Option<String>,
    total_tax: Option<String>,
    total_with_tax: Option<String>,
    amount_due: Option<String>,
}

fn set_first(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

fn scan_lines(lines: &[String], scan: &mut Scan) {
    for (i, line) in lines.iter().enumerate() {
        let hits = label_hits(line);
        let real: Vec<Hit> = hits
            .iter()
            .copied()
            .filter(|h| h.kind != Kind::Qualifier)
            .collect();
        for (j, h) in real.iter().enumerate() {
            if h.kind == Kind::Ignore {
                continue;
            }
            let region_end = real.get(j + 1).map_or(line.len(), |n| n.start);
            let mut region = &line[h.end..region_end];
            let mut next_line = false;
            let last = j + 1 == real.len();
            if last
                && !has_value_text(line, &hits, h.end, region_end)
                && let Some(next) = lines.get(i + 1)
                && next.len() <= MAX_NEXT_LINE_BYTES
                && !LABEL_RE.is_match(next)
            {
                region = next;
                next_line = true;
            }
            let ctx = LabelCtx {
                line,
                hits: &hits,
                hit: *h,
                region,
                next_line,
            };
            handle(&ctx, scan);
        }
    }
}

/// Whether `line[from..to]`, qualifiers excluded, holds any letter or digit.
fn has_value_text(line: &str, hits: &[Hit], from: usize, to: usize) -> bool {
    let mut pos = from;
    for q in hits.iter().filter(|q| q.kind == Kind::Qualifier) {
        if q.end <= pos || q.start >= to {
            continue;
        }
        if q.start > pos && line[pos..q.start].chars().any(char::is_alphanumeric) {
            return true;
        }
        pos = pos.max(q.end);
    }
    pos < to && line[pos..to].chars().any(char::is_alphanumeric)
}

struct LabelCtx<'a> {
    line: &'a str,
    hits: &'a [Hit],
    hit: Hit,
    /// The value text: up to the next label, or the next line.
    region: &'a str,
    next_line: bool,
}

impl LabelCtx<'_> {
    /// Offset in the line where the value starts, once `rest` (a suffix of
    /// the region) is what remains after the filler words.
    fn value_start(&self, rest: &str) -> usize {
        if self.next_line {
            self.line.len()
        } else {
            self.hit.end + (self.region.len() - rest.len())
        }
    }

    /// Buyer or seller, from hint words just before the value (labels of
    /// customer numbers and references excluded: "N° client" says nothing
    /// about the identifier next to it).
    fn role(&self, value_start: usize) -> Role {
        let from = cap(self.line, self.hit.start.saturating_sub(ROLE_WINDOW_BYTES)).len();
        let to = value_start.min(self.line.len());
        let mut text = String::new();
        let mut pos = from;
        // Hits are in order: only those overlapping the window are visited.
        let first = self.hits.partition_point(|o| o.end <= from);
        for o in self.hits[first..]
            .iter()
            .take_while(|o| o.start < to)
            .filter(|o| matches!(o.kind, Kind::CustomerNo | Kind::BuyerRef | Kind::OrderRef))
        {
            if o.start > pos {
                text.push_str(&self.line[pos..o.start]);
            }
            pos = pos.max(o.end);
        }
        if to > pos {
            text.push_str(&self.line[pos..to]);
        }
        role_from_text(&text.to_lowercase())
    }

    fn label_and_region(&self) -> String {
        format!(
            "{} {}",
            &self.line[self.hit.start..self.hit.end],
            self.region
        )
    }
}

const BUYER_HINTS: &[&str] = &[
    "client",
    "acheteur",
    "destinataire",
    "facturé à",
    "facture à",
    "facturé a",
    "customer",
    "buyer",
    "bill to",
    "billed to",
    "invoice to",
    "sold to",
    "kunde",
    "käufer",
    "empfänger",
];
const SELLER_HINTS: &[&str] = &[
    "fournisseur",
    "vendeur",
    "émetteur",
    "emetteur",
    "prestataire",
    "seller",
    "supplier",
    "vendor",
    "lieferant",
    "verkäufer",
    "rechnungssteller",
    "leistungserbringer",
];

/// The role whose hint word occurs last in `lower`.
fn role_from_text(lower: &str) -> Role {
    let last = |hints: &[&str]| hints.iter().filter_map(|h| lower.rfind(h)).max();
    match (last(BUYER_HINTS), last(SELLER_HINTS)) {
        (Some(b), Some(s)) if s > b => Role::Seller,
        (Some(_), _) => Role::Buyer,
        (None, Some(_)) => Role::Seller,
        (None, None) => Role::Unknown,
    }
}

fn handle(ctx: &LabelCtx<'_>, scan: &mut Scan) {
    let region = ctx.region;
    match ctx.hit.kind {
        Kind::Ignore | Kind::Qualifier => {}
        Kind::CreditNo | Kind::InvoiceNo => {
            let doc_type = if ctx.hit.kind == Kind::CreditNo {
                DocType::CreditNote
            } else {
                DocType::Invoice
            };
            let s = region.trim_start_matches(NUMBER_SEPS);
            if let Some((number, used)) = read_reference(s)
                && is_invoice_number(&number)
            {
                if scan.number_date.is_none() {
                    scan.number_date = parse_date(s[used..].trim_start()).map(|(d, _)| d);
                }
                scan.numbers.push((number, doc_type));
            }
        }
        Kind::IssueDate => {
            let (s, _) = skip_filler(region);
            set_first(&mut scan.label_date, parse_date(s).map(|(d, _)| d));
        }
        Kind::BareDate => {
            let s = region.trim_start_matches(ID_SEPS);
            set_first(&mut scan.label_date, parse_date(s).map(|(d, _)| d));
        }
        Kind::BuyerName => {
            let name = region.trim_matches(|c: char| ID_SEPS.contains(&c) || c == '-' || c == '–');
            let name: String = name.chars().take(MAX_NAME_CHARS).collect();
            let name = name.trim_end_matches([' ', ',', ';', '-', '–']);
            if name.chars().any(char::is_alphabetic) {
                set_first(&mut scan.buyer_name, Some(name.to_string()));
            }
        }
        Kind::CustomerNo => set_first(&mut scan.customer_number, loose_reference(region)),
        Kind::BuyerRef => set_first(&mut scan.buyer_reference, loose_reference(region)),
        Kind::OrderRef => set_first(&mut scan.order_reference, loose_reference(region)),
        Kind::Siren | Kind::Siret | Kind::Gln => {
            let (s, _) = skip_filler(region);
            let want = match ctx.hit.kind {
                Kind::Siren => 9,
                Kind::Siret => 14,
                _ => 13,
            };
            if let Some(v) = collect_digits(s, want).or_else(|| placeholder(s)) {
                let role = ctx.role(ctx.value_start(s));
                let list = match ctx.hit.kind {
                    Kind::Siren => &mut scan.sirens,
                    Kind::Siret => &mut scan.sirets,
                    _ => &mut scan.glns,
                };
                list.push((v, role));
            }
        }
        Kind::Rcs => {
            // "RCS Paris B 732 829 320": skip the city and the letter.
            let Some((at, _)) = region.char_indices().find(|(_, c)| c.is_ascii_digit()) else {
                return;
            };
            if at > 48
                || !region[..at]
                    .chars()
                    .all(|c| c.is_alphabetic() || " .:-'".contains(c))
            {
                return;
            }
            let s = &region[at..];
            if let Some(v) = collect_digits(s, 9) {
                let role = ctx.role(ctx.value_start(s));
                scan.sirens.push((v, role));
            }
        }
        Kind::VatId => {
            let (s, _) = skip_filler(region);
            if let Some(v) = vat_number(s).or_else(|| placeholder(s)) {
                let role = ctx.role(ctx.value_start(s));
                scan.vats.push((v, role));
            }
        }
        Kind::TaxOrVat => {
            let (s, had_sep) = skip_filler(region);
            if let Some(v) = vat_number(s) {
                let role = ctx.role(ctx.value_start(s));
                scan.vats.push((v, role));
            } else if let Some(a) = first_amount(region, ctx.next_line) {
                set_first(&mut scan.total_tax, Some(a));
                note_currency(ctx, scan);
            } else if let Some(p) = placeholder(s).filter(|_| had_sep) {
                let role = ctx.role(ctx.value_start(s));
                scan.vats.push((p, role));
            }
        }
        Kind::Iban => {
            let (s, _) = skip_filler(region);
            set_first(&mut scan.iban, iban(s).or_else(|| placeholder(s)));
        }
        Kind::Currency => {
            let (s, _) = skip_filler(region);
            let tok = s.split(' ').next().unwrap_or("");
            let code = currency_in(tok).or_else(|| {
                let t = tok.trim_end_matches(['.', ',', ';']);
                (t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase())).then_some(t)
            });
            if scan.currency.is_none() {
                scan.currency = code.and_then(known_currency);
            }
        }
        Kind::AmountDue
        | Kind::Subtotal
        | Kind::TotalWithoutTax
        | Kind::TotalWithTax
        | Kind::TotalTax => {
            let Some(a) = first_amount(region, ctx.next_line) else {
                return;
            };
            let slot = match ctx.hit.kind {
                Kind::AmountDue => &mut scan.amount_due,
                Kind::Subtotal => &mut scan.subtotal,
                Kind::TotalWithoutTax => &mut scan.total_without_tax,
                Kind::TotalWithTax => &mut scan.total_with_tax,
                _ => &mut scan.total_tax,
            };
            set_first(slot, Some(a));
            note_currency(ctx, scan);
        }
    }
}

fn note_currency(ctx: &LabelCtx<'_>, scan: &mut Scan) {
    if scan.currency.is_none() {
        scan.currency = currency_in(&ctx.label_and_region());
    }
}

/// A currency code for `€`, `EUR`, `euros`, `$`, `USD`, `£`, `GBP`, `CHF`.
fn currency_in(text: &str) -> Option<&'static str> {
    if text.contains('€') {
        return Some("EUR");
    }
    if text.contains('£') {
        return Some("GBP");
    }
    if text.contains('$') {
        return Some("USD");
    }
    text.split(|c: char| !c.is_alphanumeric())
        .find_map(|w| match w.to_ascii_lowercase().as_str() {
            "eur" | "euro" | "euros" => Some("EUR"),
            "usd" => Some("USD"),
            "gbp" => Some("GBP"),
            "chf" => Some("CHF"),
            _ => None,
        })
}

/// The code if it is a common ISO 4217 one (other 3-letter words after
/// "Devise" are not trusted).
fn known_currency(code: &str) -> Option<&'static str> {
    const CODES: &[&str] = &[
        "EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
        "RON", "BGN", "XPF", "XOF", "XAF", "MAD", "TND", "DZD", "CNY",
    ];
    CODES.iter().copied().find(|c| *c == code)
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// Separators between an identifier label and its value. Not `-` or `.`: a
/// placeholder value may be just that.
const ID_SEPS: &[char] = &[' ', ':', '=', '#', '°', 'º', '˚'];
/// Separators between an invoice number label and the number.
const NUMBER_SEPS: &[char] = &[' ', ':', '=', '#', '°', 'º', '˚', '.', '-', '–', '—'];

/// Words between an identifier label and its value ("SIREN du client :",
/// "N° TVA intracommunautaire de l'acheteur").
const FILLER: &[&str] = &[
    "client",
    "du",
    "de",
    "la",
    "le",
    "des",
    "l",
    "d",
    "acheteur",
    "fournisseur",
    "vendeur",
    "destinataire",
    "émetteur",
    "emetteur",
    "n°",
    "nº",
    "no",
    "nr",
    "number",
    "numéro",
    "numero",
    "num",
    "intracom",
    "intracommunautaire",
    "intra-communautaire",
    "buyer",
    "seller",
    "customer",
    "supplier",
    "vendor",
    "of",
    "the",
    "käufer",
    "kunde",
    "lieferant",
    "verkäufer",
    "id",
    "code",
];

/// Skips what stands between a label and its value: a colon preceded by a
/// few words without digits ("SIREN client : …"), separators and filler
/// words. Returns the rest and whether an explicit `:`/`=`/`#` was seen.
fn skip_filler(region: &str) -> (&str, bool) {
    let mut s = region;
    let mut had_sep = false;
    if let Some(p) = s.find([':', '=']) {
        let before = &s[..p];
        if p <= 40
            && !before.bytes().any(|b| b.is_ascii_digit())
            && before.split_whitespace().count() <= 4
        {
            s = &s[p + 1..];
            had_sep = true;
        }
    }
    loop {
        let t = s.trim_start_matches(ID_SEPS);
        if s[..s.len() - t.len()].contains([':', '=', '#']) {
            had_sep = true;
        }
        s = t;
        let end = s.find(' ').unwrap_or(s.len());
        let word = s[..end].trim_matches(['(', ')', '.', ',']);
        let word = word.rsplit('\'').next().unwrap_or(word);
        // "DE 123 456 789": a country code, not the filler word "de".
        let country_code = word.len() == 2
            && word.bytes().all(|b| b.is_ascii_uppercase())
            && s[end..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit());
        if !word.is_empty()
            && end > 0
            && !country_code
            && FILLER.contains(&word.to_lowercase().as_str())
        {
            s = &s[end..];
        } else {
            break;
        }
    }
    (s, had_sep)
}

/// Phrases that stand for "no value" and are reported as written.
const PLACEHOLDER_WORDS: &[&str] = &[
    "n/a",
    "na",
    "n.a.",
    "n.a",
    "n/c",
    "nc",
    "n.c.",
    "néant",
    "neant",
    "none",
    "nil",
    "null",
    "aucun",
    "aucune",
    "inconnu",
    "unknown",
    "tbd",
    "tbc",
    "keine",
    "non communiqué",
    "non renseigné",
    "à compléter",
    "a compléter",
    "to be completed",
];

/// A placeholder at the start of `s` ("N/A", "néant", "XXX", "-", "0000"),
/// as written.
fn placeholder(s: &str) -> Option<String> {
    let mut toks = s.split(' ').filter(|t| !t.is_empty());
    let first = toks.next()?;
    if first.chars().count() <= MAX_VALUE_CHARS
        && first.chars().all(|c| {
            matches!(
                c,
                'x' | 'X' | '0' | '-' | '–' | '—' | '*' | '.' | '_' | '?' | '#'
            )
        })
    {
        return Some(first.to_string());
    }
    let clean = |t: &str| t.trim_end_matches([',', ';', ')']).to_lowercase();
    if let Some(second) = toks.next() {
        let two = format!("{} {}", clean(first), clean(second));
        if PLACEHOLDER_WORDS.contains(&two.as_str()) {
            return Some(format!(
                "{first} {}",
                second.trim_end_matches([',', ';', ')'])
            ));
        }
    }
    PLACEHOLDER_WORDS
        .contains(&clean(first).as_str())
        .then(|| first.trim_end_matches([',', ';', ')']).to_string())
}

/// Digits at the start of `s`, joining space-separated groups until `want`
/// digits are collected ("552 100 554 00013"). Dots and dashes inside a
/// group are dropped. The count is not checked: the caller validates.
fn collect_digits(s: &str, want: usize) -> Option<String> {
    let mut acc = String::new();
    for raw in s.split(' ') {
        if raw.is_empty() {
            continue;
        }
        if acc.len() >= want {
            break;
        }
        let tok = raw.trim_end_matches([',', ';', ')', '.', ':']);
        let ok = tok.starts_with(|c: char| c.is_ascii_digit())
            && tok
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
        if !ok {
            break;
        }
        acc.extend(tok.chars().filter(char::is_ascii_digit));
        if tok.len() != raw.len() {
            break;
        }
    }
    (!acc.is_empty() && acc.len() <= 34).then_some(acc)
}

/// Digits expected after the country prefix of a VAT number, where known.
fn vat_body_len(country: &str) -> usize {
    match country {
        "FR" | "IT" | "HR" | "LV" => 11,
        "DE" | "ES" | "PT" | "EE" | "EL" | "GR" | "MT" | "CY" => 9,
        "BE" | "PL" | "SK" | "BG" => 10,
        "NL" | "SE" => 12,
        "AT" | "RO" | "SI" | "DK" | "FI" | "HU" | "LU" | "IE" => 8,
        "GB" | "XI" => 9,
        _ => 13,
    }
}

/// A VAT number at the start of `s`: two letters then 2–13 letters or
/// digits, spaces removed, uppercase ("FR 44 732 829 320" → "FR44732829320").
fn vat_number(s: &str) -> Option<String> {
    let mut toks = s.split(' ').filter(|t| !t.is_empty());
    let t0 = toks.next()?;
    let t0_clean = t0.trim_end_matches([',', ';', ')', '.']);
    let b = t0_clean.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_alphabetic() || !b[1].is_ascii_alphabetic() {
        return None;
    }
    let country = t0_clean[..2].to_ascii_uppercase();
    let mut body: String = t0_clean[2..]
        .chars()
        .filter(|&c| c != '.' && c != '-')
        .collect();
    if !body.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if body.is_empty() && !(b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase()) {
        return None;
    }
    let want = vat_body_len(&country);
    if t0_clean.len() == t0.len() {
        for raw in toks {
            if body.len() >= want {
                break;
            }
            let tok = raw.trim_end_matches([',', ';', ')', '.']);
            let tok: String = tok.chars().filter(|&c| c != '.' && c != '-').collect();
            let ok = !tok.is_empty()
                && tok
                    .chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
                && tok.chars().any(|c| c.is_ascii_digit())
                && body.len() + tok.len() <= 13;
            if !ok {
                break;
            }
            body.push_str(&tok);
            if raw.len() != raw.trim_end_matches([',', ';', ')', '.']).len() {
                break;
            }
        }
    }
    let body = body.to_ascii_uppercase();
    ((2..=13).contains(&body.len()) && body.chars().any(|c| c.is_ascii_digit()))
        .then(|| format!("{country}{body}"))
}

/// An IBAN at the start of `s`, spaces removed, uppercase. Written either in
/// one piece or in groups of four ("FR76 3000 6000 0112 3456 7890 189").
fn iban(s: &str) -> Option<String> {
    let mut out = String::new();
    for (i, raw) in s.split(' ').filter(|t| !t.is_empty()).enumerate() {
        let tok = raw.trim_end_matches([',', ';', ')', '.']);
        if tok.is_empty() || !tok.bytes().all(|b| b.is_ascii_alphanumeric()) {
            break;
        }
        if i == 0 && tok.len() > 4 {
            out.push_str(tok);
            break;
        }
        let has_digit = tok.bytes().any(|b| b.is_ascii_digit());
        if tok.len() > 4 || (i > 0 && tok.len() < 4 && !has_digit) || out.len() + tok.len() > 34 {
            break;
        }
        out.push_str(tok);
        if tok.len() < 4 || tok.len() != raw.len() {
            break;
        }
    }
    let out = out.to_ascii_uppercase();
    let b = out.as_bytes();
    let ok = (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit);
    ok.then_some(out)
}

/// Words that end a reference or cannot be one ("Facture n° du …").
const REFERENCE_STOP: &[&str] = &[
    "du", "date", "dated", "client", "de", "of", "vom", "le", "la", "the", "from", "datum", "en",
    "pour", "for", "see", "voir", "siehe", "und", "et", "and", "sur", "an", "am",
];

fn is_reference_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '_')
}

/// Whether `next` continues the reference ending with `prev`: digit groups
/// ("732 829 320"), a dangling separator ("F- 2026"), a short prefix
/// ("FA 2026-001").
fn continues(prev: &str, next: &str) -> bool {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    (digits(prev) && digits(next) && next.len() >= 3)
        || prev.ends_with(['-', '/', '.', '_'])
        || next.starts_with(['-', '/', '.', '_'])
        || (prev.len() <= 4
            && prev.bytes().all(|b| b.is_ascii_uppercase())
            && next.starts_with(|c: char| c.is_ascii_digit()))
}

/// A reference at the start of `s` (invoice, order, customer number),
/// inner spaces removed. Returns it and the bytes of `s` it used.
fn read_reference(s: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut used = 0;
    let mut prev: Option<&str> = None;
    let mut pos = 0;
    for raw in s.split(' ') {
        let start = pos;
        pos += raw.len() + 1;
        if raw.is_empty() {
            continue;
        }
        let tok = raw
            .trim_start_matches(['(', '[', '"', '\''])
            .trim_end_matches([',', ';', ':', ')', ']', '"', '\'', '.']);
        let ok = !tok.is_empty()
            && tok.chars().all(is_reference_char)
            && !REFERENCE_STOP.contains(&tok.to_ascii_lowercase().as_str())
            && value.len() + tok.len() <= MAX_VALUE_CHARS
            && prev.is_none_or(|p| continues(p, tok));
        if !ok {
            break;
        }
        value.push_str(tok);
        used = start + raw.len();
        prev = Some(tok);
        if raw.ends_with([',', ';', ':', ')', ']']) {
            break;
        }
    }
    (!value.is_empty()).then_some((value, used.min(s.len())))
}

/// An invoice number: 2–40 characters with at least one digit, and not just
/// a date.
fn is_invoice_number(n: &str) -> bool {
    (2..=MAX_VALUE_CHARS).contains(&n.len())
        && n.bytes().any(|b| b.is_ascii_digit())
        && !matches!(parse_date(n), Some((_, used)) if used == n.len())
}

/// A customer number, buyer reference or order reference: a placeholder as
/// written, or a reference (which must contain a digit unless an explicit
/// `:` introduced it).
fn loose_reference(region: &str) -> Option<String> {
    let (s, had_sep) = skip_filler(region);
    if let Some(p) = placeholder(s) {
        return Some(p);
    }
    let (v, _) = read_reference(s)?;
    (had_sep || v.bytes().any(|b| b.is_ascii_digit())).then_some(v)
}

// ---------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------

/// The first amount in `region`, normalised to a plain decimal with a dot
/// and two decimals. Percentages ("TVA 20 %"), parts of dates or fractions
/// ("02/11") and digits glued to letters ("FR44…") are skipped. A value
/// taken from the next line must start it.
fn first_amount(region: &str, from_next_line: bool) -> Option<String> {
    if from_next_line {
        let c = region.trim_start().chars().next()?;
        if !(c.is_ascii_digit() || matches!(c, '-' | '+' | '€' | '$' | '£')) {
            return None;
        }
    }
    let b = region.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let prev = if i > 0 { b[i - 1] } else { b' ' };
        let prev2 = if i > 1 { b[i - 2] } else { b' ' };
        let Some((value, len)) = parse_amount(&region[i..]) else {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        };
        let end = i + len;
        let next = b.get(end).copied().unwrap_or(b' ');
        let glued = prev.is_ascii_alphabetic()
            || prev == b'_'
            || prev == b'/'
            || next == b'/'
            || (next.is_ascii_alphabetic() && currency_in(&region[end..]).is_none())
            || (prev == b'-' && prev2.is_ascii_alphanumeric());
        if glued || region[end..].trim_start().starts_with('%') {
            i = end.max(i + 1);
            continue;
        }
        return Some(if prev == b'-' {
            format!("-{value}")
        } else {
            value
        });
    }
    None
}

/// Parses the number at the start of `s` (which starts with a digit):
/// thousands groups separated by a space, `.`, `,` or `'`, then an optional
/// decimal part of 1–2 digits after `.` or `,`. Returns "1234.56" and the
/// bytes used.
fn parse_amount(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let digits_end = |from: usize| {
        let mut k = from;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        k
    };
    let first_len = digits_end(0);
    if first_len == 0 {
        return None;
    }
    let mut int = String::from(&s[..first_len]);
    let mut end = first_len;
    let mut thousands: Option<u8> = None;
    let mut dec = "";
    while end < b.len() {
        let sep = b[end];
        if !matches!(sep, b' ' | b'.' | b',' | b'\'') {
            break;
        }
        let group_end = digits_end(end + 1);
        let group = &s[end + 1..group_end];
        if group.is_empty() {
            break;
        }
        if matches!(sep, b'.' | b',') && group.len() <= 2 && thousands != Some(sep) {
            dec = group;
            end = group_end;
            break;
        }
        if group.len() == 3 && first_len <= 3 && thousands.is_none_or(|t| t == sep) {
            thousands = Some(sep);
            int.push_str(group);
            end = group_end;
            continue;
        }
        break;
    }
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let int = if int.is_empty() { "0" } else { int };
    Some((format!("{int}.{dec:0<2}"), end))
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

const DATE_PREFIX: &str = r"^(?:(?:en\s+date\s+du|du|le|vom|den|am|the|on|of|dated|from)\s+)?";

static DATE_DMY: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"{DATE_PREFIX}([0-9]{{1,2}})\s?([./-])\s?([0-9]{{1,2}})\s?[./-]\s?([0-9]{{4}})"
    ))
});
static DATE_YMD: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"{DATE_PREFIX}([0-9]{{4}})[-/.]([0-9]{{1,2}})[-/.]([0-9]{{1,2}})"
    ))
});
static DATE_D_MONTH_Y: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"{DATE_PREFIX}([0-9]{{1,2}})(?:er|\.|st|nd|rd|th)?\s*(\p{{L}}+)\.?,?\s+([0-9]{{4}})"
    ))
});
static DATE_MONTH_D_Y: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        r"{DATE_PREFIX}(\p{{L}}+)\.?\s+([0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+([0-9]{{4}})"
    ))
});

fn month_number(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    Some(match w.trim_end_matches('.') {
        "janvier" | "january" | "januar" | "jänner" | "jan" | "janv" => 1,
        "février" | "fevrier" | "february" | "februar" | "feb" | "fév" | "fev" | "févr"
        | "fevr" => 2,
        "mars" | "march" | "märz" | "maerz" | "mar" | "mär" => 3,
        "avril" | "april" | "avr" | "apr" => 4,
        "mai" | "may" => 5,
        "juin" | "june" | "juni" | "jun" => 6,
        "juillet" | "july" | "juli" | "jul" | "juil" => 7,
        "août" | "aout" | "august" | "aug" | "aoû" => 8,
        "septembre" | "september" | "sep" | "sept" => 9,
        "octobre" | "october" | "oktober" | "oct" | "okt" => 10,
        "novembre" | "november" | "nov" => 11,
        "décembre" | "decembre" | "december" | "dezember" | "dec" | "déc" | "dez" => 12,
        _ => return None,
    })
}

/// `yyyy-mm-dd` if the date exists (years 1900–2199).
fn iso_date(y: u32, m: u32, d: u32) -> Option<String> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..2200).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date at the start of `s` (after an optional "du", "le", "vom"…):
/// dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy, yyyy-mm-dd, "2 novembre 2026",
/// "2. November 2026", "November 2, 2026". Returns the ISO date and the
/// bytes used.
fn parse_date(s: &str) -> Option<(String, usize)> {
    let num =
        |c: &regex::Captures<'_>, i: usize| -> Option<u32> { c.get(i)?.as_str().parse().ok() };
    let not_digit_after = |c: &regex::Captures<'_>| {
        let end = c.get(0).map_or(0, |m| m.end());
        !s[end..].starts_with(|ch: char| ch.is_ascii_digit())
    };
    if let Some(c) = DATE_DMY.captures(s).filter(not_digit_after) {
        let used = c.get(0)?.end();
        return iso_date(num(&c, 4)?, num(&c, 3)?, num(&c, 1)?).map(|d| (d, used));
    }
    if let Some(c) = DATE_YMD.captures(s).filter(not_digit_after) {
        let used = c.get(0)?.end();
        return iso_date(num(&c, 1)?, num(&c, 2)?, num(&c, 3)?).map(|d| (d, used));
    }
    if let Some(c) = DATE_D_MONTH_Y.captures(s).filter(not_digit_after) {
        let used = c.get(0)?.end();
        let m = month_number(c.get(2)?.as_str())?;
        return iso_date(num(&c, 3)?, m, num(&c, 1)?).map(|d| (d, used));
    }
    if let Some(c) = DATE_MONTH_D_Y.captures(s).filter(not_digit_after) {
        let used = c.get(0)?.end();
        let m = month_number(c.get(1)?.as_str())?;
        return iso_date(num(&c, 3)?, m, num(&c, 2)?).map(|d| (d, used));
    }
    None
}

// ---------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------

/// Seller and buyer values from candidates in reading order: explicit roles
/// first; otherwise the first unmarked value is the seller's and a second,
/// different one the buyer's.
fn assign_roles(cands: &[(String, Role)]) -> (Option<&str>, Option<&str>) {
    let first = |role: Role| cands.iter().find(|c| c.1 == role).map(|c| c.0.as_str());
    let mut seller = first(Role::Seller);
    let mut buyer = first(Role::Buyer);
    for (v, _) in cands.iter().filter(|c| c.1 == Role::Unknown) {
        let v = v.as_str();
        if seller.is_none() && buyer != Some(v) {
            seller = Some(v);
        } else if buyer.is_none() && seller != Some(v) {
            buyer = Some(v);
        }
    }
    (seller, buyer)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    const FRENCH: &str = "FACTURE
Facture n° F-2026-0001
Date : 02/11/2026
Boulangerie Martin SARL
SIREN : 732 829 320
TVA : FR44732829320
Client : Mairie de Sainte-Claire
SIREN client : 552 100 554
SIRET client : 552 100 554 00013
Pain de campagne 1 000,00 €
Total HT : 1 000,00 €
TVA 20 % : 200,00 €
Total TTC : 1 200,00 €
IBAN : FR76 3000 6000 0112 3456 7890 189
Page 1/1";

    const ENGLISH: &str = "INVOICE
Invoice No.: INV-2026-042
Invoice date: November 2, 2026
Due date: December 2, 2026
Acme Ltd
VAT No: GB123456789
Bill to: Globex Corporation
Customer number: CUST-7
PO number: PO-5566
Widgets 10 x 123.456
Total excl. VAT: 1,234.56
VAT 20%: 246.91
Total incl. VAT: 1,481.47 EUR
Amount due: 1,481.47 EUR
Page 1 of 1";

    const GERMAN: &str = "RECHNUNG
Muster GmbH, Hauptstraße 1, 10115 Berlin
Rechnungsnummer: 2018-001
Rechnungsdatum: 05.03.2018
Lieferdatum: 01.03.2018
USt-IdNr.: DE123456789
Steuernummer: 123/456/78901
Kundennummer: K-1001
Leitweg-ID: 991-12345-67
Bestellnummer: B-77
Nettobetrag: 1.037,45 EUR
MwSt 19 %: 197,11 EUR
Bruttobetrag (inkl. MwSt): 1.234,56 EUR
Seite 1 von 1";

    fn pages(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn get(f: &Facts, k: FactKey) -> Option<&str> {
        f.get(k)
    }

    #[test]
    fn label_regex_has_one_pattern_per_label() {
        assert_eq!(LABEL_RE.pattern_len(), LABELS.len());
    }

    /// The labels as one alternation with a capture group each: the
    /// plainest statement of which label a match is. The multi-pattern
    /// regex must find the same hits on every line.
    fn hits_by_captures(re: &Regex, line: &str) -> Vec<(Kind, usize, usize)> {
        re.captures_iter(line)
            .filter_map(|caps| {
                let m = caps.get(0)?;
                let k = (0..LABELS.len()).find(|&k| caps.get(k + 1).is_some())?;
                Some((LABELS[k].0, m.start(), m.end()))
            })
            .collect()
    }

    #[test]
    fn labels_are_found_as_one_alternation_finds_them() {
        let alternation = (0..LABELS.len())
            .map(|k| format!("({})", label_pattern(k)))
            .collect::<Vec<_>>()
            .join("|");
        let re = RegexBuilder::new(&alternation)
            .case_insensitive(true)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .unwrap();
        let mut lines: Vec<String> = [FRENCH, ENGLISH, GERMAN]
            .iter()
            .flat_map(|p| p.lines().map(str::to_string))
            .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            "tests/fixtures/programs",
            "tests/fixtures/invoice2data",
            "../shared/corpus",
        ] {
            for e in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                if e.path().extension().is_some_and(|x| x == "pdf")
                    && let Ok(bytes) = std::fs::read(e.path())
                {
                    let text = crate::pdf::pdf_text(&bytes);
                    lines.extend(text.lines().map(normalise_line));
                }
            }
        }
        // Labels run together, repeated, at the ends, in capitals.
        lines.push("Facture n° 12 Date de facture 01/02/2026 N° client 7 TVA intra FR1".into());
        lines.push("FACTURE: AVOIR: Rechnung Nr. 5 Gutschrift: invoice # 9".into());
        lines.push("siret siren rcs iban gln devise échéance taux TVA".into());
        assert!(lines.len() > 2000, "{} lines", lines.len());
        let mut found = 0;
        for line in &lines {
            let ours: Vec<_> = label_hits(line)
                .into_iter()
                .map(|h| (h.kind, h.start, h.end))
                .collect();
            assert_eq!(ours, hits_by_captures(&re, line), "{line:?}");
            found += ours.len();
        }
        assert!(found > 200, "{found} labels found");
    }

    #[test]
    fn french_sample_page() {
        let f = facts_from_text(&pages(&[FRENCH]));
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("F-2026-0001"));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-11-02"));
        assert_eq!(get(&f, FactKey::DocType), Some("invoice"));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::BuyerSiren), Some("552100554"));
        assert_eq!(get(&f, FactKey::BuyerSiret), Some("55210055400013"));
        assert_eq!(get(&f, FactKey::SellerSiret), None);
        assert_eq!(get(&f, FactKey::SellerVat), Some("FR44732829320"));
        assert_eq!(get(&f, FactKey::BuyerVat), None);
        assert_eq!(get(&f, FactKey::BuyerName), Some("Mairie de Sainte-Claire"));
        assert_eq!(get(&f, FactKey::Iban), Some("FR7630006000011234567890189"));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), Some("1000.00"));
        assert_eq!(get(&f, FactKey::TotalTax), Some("200.00"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("1200.00"));
        assert_eq!(get(&f, FactKey::Currency), Some("EUR"));
        assert!(f.iter().all(|(_, fact)| fact.source == FactSource::Text));
        assert_eq!(invoice_numbers(FRENCH), vec!["F-2026-0001"]);
    }

    #[test]
    fn english_invoice() {
        let f = facts_from_text(&pages(&[ENGLISH]));
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("INV-2026-042"));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-11-02"));
        assert_eq!(get(&f, FactKey::DocType), Some("invoice"));
        assert_eq!(get(&f, FactKey::SellerVat), Some("GB123456789"));
        assert_eq!(get(&f, FactKey::BuyerName), Some("Globex Corporation"));
        assert_eq!(get(&f, FactKey::BuyerCustomerNumber), Some("CUST-7"));
        assert_eq!(get(&f, FactKey::OrderReference), Some("PO-5566"));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), Some("1234.56"));
        assert_eq!(get(&f, FactKey::TotalTax), Some("246.91"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("1481.47"));
        assert_eq!(get(&f, FactKey::AmountDue), Some("1481.47"));
        assert_eq!(get(&f, FactKey::Currency), Some("EUR"));
    }

    #[test]
    fn german_rechnung() {
        let f = facts_from_text(&pages(&[GERMAN]));
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("2018-001"));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2018-03-05"));
        assert_eq!(get(&f, FactKey::DocType), Some("invoice"));
        assert_eq!(get(&f, FactKey::SellerVat), Some("DE123456789"));
        assert_eq!(get(&f, FactKey::BuyerVat), None);
        assert_eq!(get(&f, FactKey::BuyerCustomerNumber), Some("K-1001"));
        assert_eq!(get(&f, FactKey::BuyerReference), Some("991-12345-67"));
        assert_eq!(get(&f, FactKey::OrderReference), Some("B-77"));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), Some("1037.45"));
        assert_eq!(get(&f, FactKey::TotalTax), Some("197.11"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("1234.56"));
        assert_eq!(get(&f, FactKey::Currency), Some("EUR"));
    }

    #[test]
    fn credit_note_by_heading_and_by_label() {
        let f = facts_from_text(&pages(&["AVOIR\nAvoir n° A-12\nTotal TTC : -120,00 €"]));
        assert_eq!(get(&f, FactKey::DocType), Some("credit_note"));
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("A-12"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("-120.00"));
        let f = facts_from_text(&pages(&["Gutschrift Nr. G-7\nDatum: 2. November 2026"]));
        assert_eq!(get(&f, FactKey::DocType), Some("credit_note"));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-11-02"));
        let f = facts_from_text(&pages(&["Boulangerie\nTotal HT : 10,00"]));
        assert_eq!(get(&f, FactKey::DocType), None);
    }

    #[test]
    fn invoice_number_labels() {
        let cases: &[(&str, &[&str])] = &[
            ("N° de facture : FA 2026-001", &["FA2026-001"]),
            ("Numéro de facture: 2026/11/0042", &["2026/11/0042"]),
            ("Facture : F-77", &["F-77"]),
            ("Facture no 12345 du 02/11/2026", &["12345"]),
            ("Invoice # 778", &["778"]),
            ("Invoice number INV-1", &["INV-1"]),
            ("Credit note no CN-5", &["CN-5"]),
            ("Rechnung Nr. R-2018-1", &["R-2018-1"]),
            ("Rechnungs-Nr.: 4711", &["4711"]),
            ("Gutschriftsnummer: GS-1", &["GS-1"]),
            ("Rechnung Nummer 815", &["815"]),
            ("Facture n° 732 829 320", &["732829320"]),
            (
                "Facture n° F-1\nFacture n° F-1\nFacture n° F-2",
                &["F-1", "F-2"],
            ),
            ("Facture n°\nF-2026-0009", &["F-2026-0009"]),
            ("N° client : C-042", &[]),
            ("Kundennummer: 4711", &[]),
            ("Customer number: 4711", &[]),
            ("Facture n° du 02/11/2026", &[]),
            ("Date de facture : 02/11/2026", &[]),
            ("Facture n° ABC", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(invoice_numbers(text), *want, "{text:?}");
        }
    }

    #[test]
    fn customer_number_is_not_an_invoice_number() {
        let f = facts_from_text(&pages(&["N° client : C-042"]));
        assert_eq!(get(&f, FactKey::InvoiceNumber), None);
        assert_eq!(get(&f, FactKey::BuyerCustomerNumber), Some("C-042"));
    }

    #[test]
    fn placeholders_are_kept() {
        let text =
            "SIREN : 732 829 320\nSIREN client : N/A\nSIRET : néant\nTVA intracom : XXX\nIBAN : -";
        let f = facts_from_text(&pages(&[text]));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::BuyerSiren), Some("N/A"));
        assert_eq!(get(&f, FactKey::SellerSiret), Some("néant"));
        assert_eq!(get(&f, FactKey::SellerVat), Some("XXX"));
        assert_eq!(get(&f, FactKey::Iban), Some("-"));
        let f = facts_from_text(&pages(&["SIREN : 0000000"]));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("0000000"));
    }

    #[test]
    fn roles_and_other_identifiers() {
        let text = "Martin SARL – RCS Paris B 732 829 320 – N° TVA : FR 44 732 829 320\n\
                    GLN : 301234 567890 1 – GLN client : 3 01234 56789 0 2\n\
                    N° TVA intracommunautaire de l'acheteur : FR12552100554\n\
                    Facturé à : Mairie\nSIRET : 552 100 554 00013\nSIRET : 732 829 320 00015\n\
                    Code service : SE-COMPTA\nNuméro d'engagement : EJ-2026-99";
        let f = facts_from_text(&pages(&[text]));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::SellerVat), Some("FR44732829320"));
        assert_eq!(get(&f, FactKey::BuyerVat), Some("FR12552100554"));
        assert_eq!(get(&f, FactKey::SellerGln), Some("3012345678901"));
        assert_eq!(get(&f, FactKey::BuyerGln), Some("3012345678902"));
        assert_eq!(get(&f, FactKey::BuyerName), Some("Mairie"));
        // No hint on their lines: first is the seller's, second the buyer's.
        assert_eq!(get(&f, FactKey::SellerSiret), Some("55210055400013"));
        assert_eq!(get(&f, FactKey::BuyerSiret), Some("73282932000015"));
        assert_eq!(get(&f, FactKey::BuyerReference), Some("SE-COMPTA"));
        assert_eq!(get(&f, FactKey::OrderReference), Some("EJ-2026-99"));
    }

    #[test]
    fn hint_nearest_the_value_decides() {
        let f = facts_from_text(&pages(&["TVA : FR44732829320 N° client : C-1"]));
        assert_eq!(get(&f, FactKey::SellerVat), Some("FR44732829320"));
        assert_eq!(get(&f, FactKey::BuyerCustomerNumber), Some("C-1"));
        let f = facts_from_text(&pages(&[
            "Fournisseur SIREN 732 829 320 Client SIREN 552 100 554",
        ]));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::BuyerSiren), Some("552100554"));
    }

    #[test]
    fn amounts_are_normalised() {
        let cases = [
            ("1 234,56 €", "1234.56"),
            ("1.234,56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("1234", "1234.00"),
            ("1\u{a0}234,56 €", "1234.56"),
            ("1\u{202f}234,5", "1234.50"),
            ("12'345.60 CHF", "12345.60"),
            ("0,07", "0.07"),
            ("1 000 000", "1000000.00"),
        ];
        for (text, want) in cases {
            let f = facts_from_text(&pages(&[&format!("Total TTC : {text}")]));
            assert_eq!(get(&f, FactKey::TotalWithTax), Some(want), "{text:?}");
        }
        assert_eq!(
            first_amount("20 % : 200,00", false).as_deref(),
            Some("200.00")
        );
        assert_eq!(
            first_amount("au 02/11/2026 : 5,00", false).as_deref(),
            Some("5.00")
        );
        assert_eq!(first_amount("Pain 2,00", true), None);
        assert_eq!(
            first_amount(" 5,5 % : 55,00 €", false).as_deref(),
            Some("55.00")
        );
    }

    #[test]
    fn tricky_lines() {
        let f = facts_from_text(&pages(&["TVA : non applicable, art. 293 B du CGI"]));
        assert_eq!(get(&f, FactKey::TotalTax), None);
        assert_eq!(get(&f, FactKey::SellerVat), None);
        let f = facts_from_text(&pages(&["Sous-total HT 100,00\nTotal HT 1 100,00"]));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), Some("1100.00"));
        let f = facts_from_text(&pages(&["Subtotal 100.00\nVAT 20.00"]));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), Some("100.00"));
        assert_eq!(get(&f, FactKey::TotalTax), Some("20.00"));
        let f = facts_from_text(&pages(&["VAT number: DE 123 456 789"]));
        assert_eq!(get(&f, FactKey::SellerVat), Some("DE123456789"));
        let f = facts_from_text(&pages(&["SIREN DU CLIENT 552 100 554"]));
        assert_eq!(get(&f, FactKey::BuyerSiren), Some("552100554"));
        let f = facts_from_text(&pages(&[
            "IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX",
        ]));
        assert_eq!(get(&f, FactKey::Iban), Some("DE89370400440532013000"));
        let f = facts_from_text(&pages(&["Devise : USD\nTotal TTC : 5"]));
        assert_eq!(get(&f, FactKey::Currency), Some("USD"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("5.00"));
    }

    #[test]
    fn value_on_the_next_line() {
        let text = "Total TTC\n1 200,00 €\nSIREN\n732 829 320\nDate de facture\n2026-11-02";
        let f = facts_from_text(&pages(&[text]));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("1200.00"));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-11-02"));
        // A column header is not followed by its value.
        let f = facts_from_text(&pages(&[
            "Désignation Montant HT\nPain de campagne 1 000,00",
        ]));
        assert_eq!(get(&f, FactKey::TotalWithoutTax), None);
    }

    #[test]
    fn dates() {
        let ok = [
            ("02/11/2026", "2026-11-02"),
            ("02.11.2026", "2026-11-02"),
            ("02-11-2026", "2026-11-02"),
            ("2026-11-02", "2026-11-02"),
            ("2 novembre 2026", "2026-11-02"),
            ("1er décembre 2026", "2026-12-01"),
            ("2. November 2026", "2026-11-02"),
            ("November 2, 2026", "2026-11-02"),
            ("2 nov. 2026", "2026-11-02"),
            ("29/02/2024", "2024-02-29"),
        ];
        for (text, want) in ok {
            assert_eq!(
                parse_date(text).map(|d| d.0).as_deref(),
                Some(want),
                "{text:?}"
            );
        }
        for bad in [
            "31/02/2026",
            "29/02/2025",
            "13/13/2026",
            "02/11/20261",
            "2 brumaire 2026",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        // The due date is not the issue date.
        let f = facts_from_text(&pages(&["Date d'échéance : 02/12/2026\nDate : 02/11/2026"]));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-11-02"));
        let f = facts_from_text(&pages(&["Facture n° F-9 du 3 mars 2026"]));
        assert_eq!(get(&f, FactKey::IssueDate), Some("2026-03-03"));
    }

    #[test]
    fn headings() {
        assert_eq!(heading_type("FACTURE"), Some(DocType::Invoice));
        assert_eq!(heading_type("F A C T U R E"), Some(DocType::Invoice));
        assert_eq!(heading_type("Facture / Invoice"), Some(DocType::Invoice));
        assert_eq!(heading_type("FACTURE - DUPLICATA"), Some(DocType::Invoice));
        assert_eq!(heading_type("Facture d’avoir"), Some(DocType::CreditNote));
        assert_eq!(heading_type("FACTURE D'AVOIR"), Some(DocType::CreditNote));
        assert_eq!(heading_type("Credit note"), Some(DocType::CreditNote));
        assert_eq!(
            heading_type("Rechnungskorrektur"),
            Some(DocType::CreditNote)
        );
        assert_eq!(heading_type("Facture pro forma"), None);
        assert_eq!(heading_type("Facture n° 12"), None);
    }

    #[test]
    fn page_numbering_forms() {
        let n = |t: &str| page_numbering(&page_lines(t));
        assert_eq!(n("x\nPage 2/3\ny"), Some((2, 3)));
        assert_eq!(n("Page 2 / 3"), Some((2, 3)));
        assert_eq!(n("page 2 sur 3"), Some((2, 3)));
        assert_eq!(n("Page 2 of 3"), Some((2, 3)));
        assert_eq!(n("Seite 2 von 3"), Some((2, 3)));
        assert_eq!(n("texte\n2/3"), Some((2, 3)));
        assert_eq!(n("2/3\ntexte"), None);
        assert_eq!(n("Page 4/3"), None);
    }

    fn invoice_page(number: &str, i: usize, n: usize) -> String {
        format!(
            "FACTURE\nFacture n° {number}\nDate : 02/11/2026\nTotal TTC : 12,00 €\nPage {i}/{n}"
        )
    }

    #[test]
    fn one_invoice_over_three_pages() {
        let p: Vec<String> = (1..=3).map(|i| invoice_page("F-1", i, 3)).collect();
        let s = segment(&p);
        assert_eq!(
            s,
            vec![Segment {
                first_page: 1,
                last_page: 3,
                number: Some("F-1".into()),
                doc_type: Some(DocType::Invoice),
                why: SegmentStart::FirstPage,
            }]
        );
    }

    #[test]
    fn two_invoices_in_one_file() {
        let p = vec![
            invoice_page("F-1", 1, 2),
            invoice_page("F-1", 2, 2),
            invoice_page("F-2", 1, 1),
        ];
        let s = segment(&p);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].first_page, s[0].last_page), (1, 2));
        assert_eq!((s[1].first_page, s[1].last_page), (3, 3));
        assert_eq!(s[1].number.as_deref(), Some("F-2"));
        assert_eq!(s[1].why, SegmentStart::NewNumber);
    }

    #[test]
    fn invoice_then_credit_note() {
        let p = vec![
            invoice_page("F-1", 1, 1),
            "AVOIR\nAvoir n° A-1\nFacture d'origine F-1\nPage 1/1".to_string(),
        ];
        let s = segment(&p);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].first_page, 2);
        assert_eq!(s[1].number.as_deref(), Some("A-1"));
        assert_eq!(s[1].doc_type, Some(DocType::CreditNote));
        assert_eq!(s[1].why, SegmentStart::DocTypeChange);
        // The credit note citing the invoice's number first still splits.
        let p = vec![
            invoice_page("F-1", 1, 1),
            "AVOIR\nFacture n° F-1\nTotal TTC : -12,00 €".to_string(),
        ];
        let s = segment(&p);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].why, SegmentStart::DocTypeChange);
    }

    #[test]
    fn numbering_restart_without_numbers() {
        let p = pages(&["Relevé\nPage 1/2", "suite\nPage 2/2", "Relevé\nPage 1/1"]);
        let s = segment(&p);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].first_page, s[0].last_page), (1, 2));
        assert_eq!(s[0].number, None);
        assert_eq!(s[0].doc_type, None);
        assert_eq!((s[1].first_page, s[1].last_page), (3, 3));
        assert_eq!(s[1].why, SegmentStart::PageNumberingRestart);
    }

    #[test]
    fn annexes_stay_with_their_invoice() {
        let p = vec![
            invoice_page("F-1", 1, 1),
            "Annexe : relevé des heures\nLundi 8 h\nMardi 7 h".to_string(),
            "Conditions générales de vente\nArticle 1".to_string(),
            String::new(),
        ];
        let s = segment(&p);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].first_page, s[0].last_page), (1, 4));
        assert_eq!(segment(&[]), vec![]);
    }

    #[test]
    fn segment_serialises_snake_case() {
        let s = segment(&pages(&["Facture n° F-1"]));
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(
            j,
            r#"[{"first_page":1,"last_page":1,"number":"F-1","doc_type":"invoice","why":"first_page"}]"#
        );
    }

    #[test]
    fn odd_spacing_and_unicode() {
        let text = "Facture\u{a0}n°\u{202f}F\u{2011}7\nSIREN\u{a0}:\u{a0}732\u{202f}829\u{202f}320\n\
                    Total  TTC\t:  1\u{202f}200,00\u{a0}€";
        let f = facts_from_text(&pages(&[text]));
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("F-7"));
        assert_eq!(get(&f, FactKey::SellerSiren), Some("732829320"));
        assert_eq!(get(&f, FactKey::TotalWithTax), Some("1200.00"));
    }

    #[test]
    fn only_the_first_64_kib_of_a_page_is_read() {
        let mut page = "é".repeat(MAX_PAGE_BYTES / 2 - 1);
        page.push_str("\nFacture n° F-1\n");
        assert!(page.len() > MAX_PAGE_BYTES);
        assert!(invoice_numbers(&page).is_empty());
        let page = format!("Facture n° F-1\n{}", "x".repeat(4 * MAX_PAGE_BYTES));
        assert_eq!(invoice_numbers(&page), vec!["F-1"]);
        assert_eq!(cap("aé", 2), "a");
    }

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const SOUP: &[&str] = &[
        "Facture n°",
        "Avoir",
        "FACTURE",
        "SIREN",
        "SIRET",
        "TVA",
        "VAT No",
        "IBAN",
        "GLN",
        "Total TTC",
        "Total HT",
        "Net à payer",
        "Date",
        "Rechnung Nummer",
        "N° client",
        "RCS",
        "Page 1/",
        "2/3",
        "Seite",
        "client",
        ":",
        " ",
        "  ",
        "\n",
        "\u{a0}",
        "\u{202f}",
        "é",
        "€",
        "%",
        "/",
        ".",
        ",",
        "-",
        "'",
        "’",
        "°",
        "0",
        "1",
        "12",
        "732",
        "2026",
        "FR",
        "DE",
        "novembre",
        "N/A",
        "XXX",
        "ß",
        "😀",
        "\u{0}",
        "\u{fffd}",
        "İ",
        "K",
        "ſ",
    ];

    #[test]
    fn garbage_never_panics() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let text = if round % 2 == 0 {
                let len = rng.below(400);
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                let n = rng.below(60);
                (0..n).map(|_| SOUP[rng.below(SOUP.len())]).collect()
            };
            let p = vec![text.clone(), text.clone(), String::new(), text];
            let f = facts_from_text(&p);
            for (_, fact) in f.iter() {
                assert!(!fact.value.is_empty());
            }
            let s = segment(&p);
            assert!(!s.is_empty());
            assert_eq!(s.last().map(|x| x.last_page), Some(4));
            for n in invoice_numbers(&p[0]) {
                assert!((2..=MAX_VALUE_CHARS).contains(&n.len()));
            }
        }
    }

    #[test]
    fn huge_input_is_capped() {
        let unit = "Facture n° F-1 SIREN 732 829 320 Total TTC 1 000,00 € TVA 20 % 😀 ";
        let page = unit.repeat(1 + (4 << 20) / unit.len());
        let p = vec![page.clone(), page];
        let f = facts_from_text(&p);
        assert_eq!(get(&f, FactKey::InvoiceNumber), Some("F-1"));
        assert_eq!(segment(&p).len(), 1);
        let one_line = "9 ".repeat(1 << 20);
        assert_eq!(facts_from_text(&[one_line]).get(FactKey::TotalTax), None);
    }
}
