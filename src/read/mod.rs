//! The reader: an invoice PDF read as a person reads it. Text with its place
//! on the page ([`layout`]), then the invoice's fields in EN 16931 terms
//! ([`fields`]): number, type, dates, seller and buyer with their addresses
//! and identifiers, references, the table of lines, the VAT breakdown and
//! the totals, chosen with the arithmetic (lines that sum to the total, VAT
//! per rate that matches, HT + TVA = TTC). Where one invoice ends and the
//! next begins comes from the same reading ([`boundaries`]). A layout the
//! owner confirmed once ([`learn`]) is read from where its fields sat.
//! [`en16931`] writes and reads the JSON form (`facteur read --json`).
//!
//! Every value says where it was read (page and box) and whether it is
//! `sure`: only values whose checks pass (check digits, arithmetic, a
//! learned position) are; a value whose check fails is never sure.
//!
//! Deliberately not here: loading the PDF (that is [`crate::pdf`], the
//! layer below), judging the file for a portal (that is [`crate::check`],
//! the layer above, which feeds on this reading), storing learned layouts
//! (the store does; this module takes them as plain data), any network.

pub mod amount;
pub mod boundaries;
pub mod en16931;
pub mod fields;
pub mod labels;
pub mod layout;
pub mod learn;

use std::fmt;

use crate::pdf::PageContent;

pub use amount::Dec;
pub use layout::Page;
pub use learn::Layout;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// Read on a page (1-based) in this box: x, y of the lower left corner,
    /// width, height, in points.
    Page {
        page: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// Given or confirmed by the owner.
    User,
    /// The owner's own company settings.
    Company,
    /// The customer directory.
    Directory,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Page { page, x, y, w, h } => write!(
                f,
                "page {page} ({}, {}, {}, {})",
                x.round(),
                y.round(),
                w.round(),
                h.round()
            ),
            Source::User => f.write_str("user"),
            Source::Company => f.write_str("company"),
            Source::Directory => f.write_str("directory"),
        }
    }
}

impl Source {
    /// Parses what [`fmt::Display`] writes.
    pub fn parse(s: &str) -> Option<Source> {
        match s.trim() {
            "user" => return Some(Source::User),
            "company" => return Some(Source::Company),
            "directory" => return Some(Source::Directory),
            _ => {}
        }
        let rest = s.trim().strip_prefix("page ")?;
        let (page, rest) = rest.split_once(' ')?;
        let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
        let n: Vec<f32> = inner
            .split(',')
            .map(|v| v.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .ok()?;
        let [x, y, w, h] = n[..] else { return None };
        Some(Source::Page {
            page: page.parse().ok()?,
            x,
            y,
            w,
            h,
        })
    }
}

/// One value read, with where it came from and whether its checks passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Normalised: ISO dates, plain decimal strings, codes as the standard
    /// writes them (380, 381), text as printed.
    pub value: String,
    pub source: Source,
    pub sure: bool,
}

impl Field {
    pub fn new(value: impl Into<String>, source: Source, sure: bool) -> Field {
        Field {
            value: value.into(),
            source,
            sure,
        }
    }
}

/// A seller (BG-4) or buyer (BG-7).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Party {
    /// BT-27 / BT-44.
    pub name: Option<Field>,
    /// BT-35 / BT-50 (first address line).
    pub street: Option<Field>,
    /// BT-38 / BT-53.
    pub postcode: Option<Field>,
    /// BT-37 / BT-52.
    pub city: Option<Field>,
    /// BT-40 / BT-55 (ISO 3166 code).
    pub country: Option<Field>,
    /// SIREN (BT-30 / BT-47 with scheme 0002).
    pub siren: Option<Field>,
    /// SIRET (BT-29 / BT-46 with scheme 0009).
    pub siret: Option<Field>,
    /// BT-31 / BT-48.
    pub vat: Option<Field>,
    /// BT-34 / BT-49: the electronic address (in France the plateformes'
    /// directory address, most often the SIREN).
    pub e_address: Option<Field>,
    /// BT-34-1 / BT-49-1: its scheme (0225 for the French directory).
    pub e_scheme: Option<Field>,
    /// BG-6 / BG-9 contact: BT-41 / BT-56 the person or department.
    pub contact_name: Option<Field>,
    /// BT-42 / BT-57 the telephone.
    pub contact_phone: Option<Field>,
    /// BT-43 / BT-58 the e-mail address.
    pub contact_email: Option<Field>,
}

/// One invoice line (BG-25).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemLine {
    /// BT-153 (item name, as printed).
    pub description: Option<Field>,
    /// BT-129.
    pub quantity: Option<Field>,
    /// BT-130 (as printed: "h", "jour", "pce"…).
    pub unit: Option<Field>,
    /// BT-146.
    pub unit_price: Option<Field>,
    /// BT-152.
    pub vat_rate: Option<Field>,
    /// BT-131.
    pub net: Option<Field>,
    /// BT-151: the VAT category code (S, Z, E, AE, K, G, O).
    pub vat_category: Option<Field>,
}

/// One rate of the VAT breakdown (BG-23).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VatRow {
    /// BT-119.
    pub rate: Option<Field>,
    /// BT-116.
    pub base: Option<Field>,
    /// BT-117.
    pub tax: Option<Field>,
    /// BT-118: the VAT category code.
    pub category: Option<Field>,
    /// BT-120: why no VAT is charged (exempt, reverse charge…).
    pub exemption: Option<Field>,
}

/// The document totals (BG-22).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// BT-106: sum of the line net amounts.
    pub lines_sum: Option<Field>,
    /// BT-109: total without VAT.
    pub without_tax: Option<Field>,
    /// BT-110: total VAT.
    pub tax: Option<Field>,
    /// BT-112: total with VAT.
    pub with_tax: Option<Field>,
    /// BT-115: amount due.
    pub due: Option<Field>,
    /// BT-107: sum of the document-level allowances (BG-20).
    pub allowances: Option<Field>,
    /// BT-108: sum of the document-level charges (BG-21).
    pub charges: Option<Field>,
}

/// A document-level allowance (BG-20: BT-92…BT-98) or charge (BG-21:
/// BT-99…BT-105): a discount or a fee on the whole invoice, not a line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowanceCharge {
    /// BT-92 / BT-99: the amount, without VAT.
    pub amount: Option<Field>,
    /// BT-93 / BT-100: the base it is a percentage of.
    pub base: Option<Field>,
    /// BT-94 / BT-101: the percentage.
    pub percent: Option<Field>,
    /// BT-95 / BT-102: its VAT category code.
    pub vat_category: Option<Field>,
    /// BT-96 / BT-103: its VAT rate.
    pub vat_rate: Option<Field>,
    /// BT-97 / BT-104: the reason, as text.
    pub reason: Option<Field>,
    /// BT-98 / BT-105: the reason, as a code (UNTDID 5189 / 7161).
    pub reason_code: Option<Field>,
}

/// One invoice (or credit note) as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invoice {
    /// Pages, 1-based, inclusive.
    pub first_page: usize,
    pub last_page: usize,
    /// BT-1.
    pub number: Option<Field>,
    /// BT-2 (ISO date).
    pub issue_date: Option<Field>,
    /// BT-3: "380" invoice, "381" credit note.
    pub type_code: Option<Field>,
    /// BT-5.
    pub currency: Option<Field>,
    /// BT-9 (ISO date).
    pub due_date: Option<Field>,
    /// BT-10.
    pub buyer_reference: Option<Field>,
    /// BT-13.
    pub order_reference: Option<Field>,
    /// BT-12.
    pub contract_reference: Option<Field>,
    /// BT-8: when VAT becomes due, as a code (CII 5: on the invoice date —
    /// the French « option pour le paiement de la taxe d'après les débits »).
    pub vat_point: Option<Field>,
    /// BT-20: payment terms, as text.
    pub payment_terms: Option<Field>,
    /// BT-23: the business process (French framework: B1 goods, S1
    /// services, M1 both, …).
    pub process: Option<Field>,
    /// BT-25 (within BG-3): the invoice a credit note corrects.
    pub preceding: Option<Field>,
    /// BT-26 (within BG-3): that invoice's date (ISO).
    pub preceding_date: Option<Field>,
    pub seller: Party,
    pub buyer: Party,
    /// BG-13: where goods are delivered or services rendered, when it
    /// differs from the buyer's address (BT-70 name, BG-15 address).
    pub delivery: Party,
    /// BT-72 (within BG-13).
    pub delivery_date: Option<Field>,
    /// BT-81: the payment means code (30 credit transfer, 58 SEPA credit
    /// transfer, …).
    pub payment_means: Option<Field>,
    /// BT-84 (within BG-16 / BG-17).
    pub iban: Option<Field>,
    /// BT-86 (within BG-16 / BG-17).
    pub bic: Option<Field>,
    /// BG-1: (subject code, text).
    pub notes: Vec<(Option<String>, Field)>,
    pub lines: Vec<ItemLine>,
    pub vat: Vec<VatRow>,
    /// BG-20: document-level allowances.
    pub allowances: Vec<AllowanceCharge>,
    /// BG-21: document-level charges.
    pub charges: Vec<AllowanceCharge>,
    pub totals: Totals,
    /// The layout this invoice was read with, when a learned one matched.
    pub layout: Option<i64>,
}

impl Invoice {
    /// Every field with its EN 16931 path ("BT-1", "BG-4/BT-27",
    /// `"BG-25[2]/BT-131"`), for comparing readings and measuring.
    pub fn flat(&self) -> Vec<(String, Field)> {
        en16931::flatten(self)
    }
}

/// What was read in one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub invoices: Vec<Invoice>,
    /// The pages as laid out (kept for learning and the window's detail).
    pub pages: Vec<Page>,
}

/// Reads a file's analysed pages. `layouts` are the learned layouts the
/// caller chose to offer (for the seller(s) it knows); the matching one, if
/// any, guides the reading of each invoice.
pub fn read_pages(contents: &[PageContent], layouts: &[Layout]) -> Reading {
    let pages: Vec<Page> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| layout::page(i + 1, c))
        .collect();
    let mut found: Vec<fields::PageFacts> = pages.iter().map(fields::page_facts).collect();
    fields::continue_tables(&pages, &mut found);
    let segments = boundaries::split(&found);
    let mut invoices = Vec::with_capacity(segments.len());
    for seg in segments {
        let mut inv = fields::invoice(&pages[seg.clone()], &found[seg.clone()]);
        if let Some(l) = learn::matching(layouts, &pages[seg.clone()], &inv) {
            learn::apply(l, &pages[seg.clone()], &mut inv);
        } else {
            learn::seller_name_of_the_seller(layouts, &mut inv);
        }
        fields::one_rate_lines(&mut inv);
        fields::currency_printed(&pages[seg.clone()], &mut inv);
        invoices.push(inv);
    }
    Reading { invoices, pages }
}

/// Errors of reading a file from disk (the CLI's `facteur read`).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} is not a readable PDF: {1}")]
    Pdf(String, String),
}

/// Loads and reads one PDF with the checker's bounds.
pub fn read_file(path: &std::path::Path, layouts: &[Layout]) -> Result<Reading, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_bytes(&bytes, layouts).map_err(|e| ReadError::Pdf(path.display().to_string(), e))
}

/// Reads PDF bytes with the checker's bounds (time, memory, operators).
pub fn read_bytes(bytes: &[u8], layouts: &[Layout]) -> Result<Reading, String> {
    let budget =
        crate::pdf::Budget::new(std::time::Instant::now() + std::time::Duration::from_secs(20));
    let doc = crate::pdf::load(bytes, &budget).map_err(|e| e.to_string())?;
    let pages = crate::pdf::pages(&doc, &budget).map_err(|e| e.to_string())?;
    Ok(read_pages(&pages, layouts))
}
