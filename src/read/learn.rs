//! Layouts learned from one confirmed reading.
//!
//! A layout is a seller (its identifier, or its name when none is printed)
//! plus a fingerprint of the fixed labels and fonts of its first page. When
//! the owner confirms or corrects a reading, [`learn`] keeps where each
//! field sat: the label beside it (its anchor) and the box relative to that
//! label, or the absolute box when there is no label; and how the table of
//! lines is laid out (its header and the columns' x ranges). The next
//! invoice of that layout ([`matching`]) is read from those places
//! ([`apply`]); a value found there is `sure` when its check passes (it
//! parses as its kind, identifiers' check digits, the totals' arithmetic,
//! the seller's own fields unchanged).
//!
//! Deliberately plain data: this module never touches the store (the CLI
//! and the intake pipeline look layouts up and pass them in), and never
//! learns from an unconfirmed reading.

pub mod rows;

use serde::{Deserialize, Serialize};

use super::amount::{Dec, parse_number};
use super::fields::{self, parse_date};
use super::labels::{self, Column};
use super::layout::{Cell, Page};
use super::{Field, Invoice, ItemLine, Source, VatRow};
use crate::ident::{self, IdKind, Validity};
use crate::text::fold;

/// Where one field sat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// EN 16931 path ("BT-1", "BG-4/BT-27", "BG-22/BT-112").
    pub path: String,
    /// Page within the invoice, 0-based.
    pub page: usize,
    /// The label cell beside or above the value (folded text), and where it
    /// was.
    pub anchor: Option<String>,
    pub ax: f32,
    pub ay: f32,
    /// The value's box: x0, y0 (baseline), x1, size.
    pub x0: f32,
    pub y: f32,
    pub x1: f32,
    pub size: f32,
    /// The confirmed value (for the seller's own fields, which do not change
    /// from one invoice to the next).
    pub value: String,
    /// Confirmed but printed nowhere on the page (the seller's country, the
    /// currency): the confirmed value stands in for what the page lacks.
    #[serde(default)]
    pub unprinted: bool,
}

/// How the table of lines is laid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedTable {
    /// The header's cells, folded.
    pub header: Vec<String>,
    /// Each read column: kind and x range.
    pub columns: Vec<(String, f32, f32)>,
}

/// A learned layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// The store's id (not part of the JSON data).
    #[serde(skip)]
    pub id: i64,
    pub seller_key: String,
    pub seller_name: Option<String>,
    pub fingerprint: Vec<String>,
    pub fields: Vec<Learned>,
    /// The table of lines as first learned (header and columns from the
    /// first line); kept for layouts learned before `rows`.
    pub table: Option<LearnedTable>,
    /// The table of lines, learned from every confirmed line.
    #[serde(default)]
    pub rows: Option<rows::LearnedRows>,
    /// The VAT breakdown, learned from every confirmed rate.
    #[serde(default)]
    pub vat_rows: Option<rows::LearnedRows>,
}

impl Layout {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    pub fn from_json(id: i64, data: &str) -> Option<Layout> {
        let mut l: Layout = serde_json::from_str(data).ok()?;
        l.id = id;
        Some(l)
    }
    pub fn fingerprint_text(&self) -> String {
        self.fingerprint.join("|")
    }
}

/// The fixed labels (and their fonts) of a page: the cells that are labels
/// or titles.
pub fn fingerprint(page: &Page) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in &page.lines {
        for c in &line.cells {
            let hits = labels::find(&c.text);
            let label = if let Some(h) = hits.first() {
                Some(fold(c.text[h.start..h.end].trim()))
            } else if labels::title(&c.text).is_some() || labels::column(&c.text).is_some() {
                Some(fold(c.text.trim()))
            } else {
                None
            };
            if let Some(l) = label {
                let key = format!("{l}@{}", c.font);
                if !out.contains(&key) && out.len() < 200 {
                    out.push(key);
                }
            }
        }
    }
    out.sort();
    out
}

fn similarity(a: &[String], b: &[String]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|x| b.contains(x)).count() as f32;
    common / (a.len() + b.len()) as f32 * 2.0
}

/// The seller's key: a valid VAT number, SIREN or SIRET, else its name.
pub fn seller_key(inv: &Invoice) -> Option<String> {
    id_key(inv).or_else(|| inv.seller.name.as_ref().map(|n| fold(&n.value)))
}

/// A learned layout's seller: its identifier as confirmed (or read), else
/// its name as the page prints it — the key the next invoice will give,
/// even where the owner writes the name otherwise.
fn layout_key(read: &Invoice, confirmed: &Invoice) -> String {
    id_key(confirmed)
        .or_else(|| id_key(read))
        .or_else(|| seller_key(read))
        .or_else(|| seller_key(confirmed))
        .unwrap_or_default()
}

/// The seller's valid VAT number, SIREN or SIRET (a SIRET as its SIREN).
fn id_key(inv: &Invoice) -> Option<String> {
    let s = &inv.seller;
    for (f, kind) in [
        (&s.vat, IdKind::Vat),
        (&s.siren, IdKind::Siren),
        (&s.siret, IdKind::Siret),
    ] {
        if let Some(f) = f
            && ident::validate(kind, &f.value) == Validity::Valid
        {
            let v = ident::normalize(kind, &f.value);
            return Some(match kind {
                IdKind::Siret => v.chars().take(9).collect(),
                IdKind::Vat if v.starts_with("FR") && v.len() == 13 => v[4..].to_string(),
                _ => v,
            });
        }
    }
    None
}

/// The learned layout for this invoice, if one fits: the same seller and a
/// close fingerprint, or (no seller read) a nearly identical fingerprint.
pub fn matching<'a>(layouts: &'a [Layout], pages: &[Page], inv: &Invoice) -> Option<&'a Layout> {
    if layouts.is_empty() {
        return None;
    }
    let page = pages.first()?;
    let fp = fingerprint(page);
    let key = seller_key(inv);
    layouts
        .iter()
        .map(|l| {
            let sim = similarity(&fp, &l.fingerprint);
            let same_seller = key.as_deref() == Some(l.seller_key.as_str());
            (l, sim, same_seller)
        })
        .filter(|(_, sim, same)| (*same && *sim >= 0.5) || *sim >= 0.85)
        .max_by(|a, b| {
            (a.2, a.1)
                .partial_cmp(&(b.2, b.1))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(l, _, _)| l)
}

/// The seller's name as the owner confirmed it on another layout of the
/// same seller (its invoices in English, its credit notes): a seller's
/// name is the seller's, whatever the layout. Only for a seller known by a
/// valid identifier, and only when no layout of its own matched.
pub fn seller_name_of_the_seller(layouts: &[Layout], inv: &mut Invoice) {
    let Some(key) = id_key(inv) else { return };
    let Some(name) = layouts
        .iter()
        .filter(|l| l.seller_key == key)
        .flat_map(|l| l.fields.iter())
        .find(|f| f.path == SELLER_NAME && f.unprinted)
    else {
        return;
    };
    inv.seller.name = Some(Field::new(name.value.clone(), Source::User, true));
}

/// What kind of value a path holds, for finding and checking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Date,
    Amount,
    Reference,
    TypeCode,
    Id(IdKind),
    Postcode,
    City,
    Text,
}

fn kind_of(path: &str) -> Kind {
    let term = path.rsplit('/').next().unwrap_or(path);
    match term {
        "BT-2" | "BT-9" => Kind::Date,
        "BT-1" | "BT-10" | "BT-12" | "BT-13" => Kind::Reference,
        "BT-3" => Kind::TypeCode,
        "BT-29" | "BT-46" => Kind::Id(IdKind::Siret),
        "BT-30" | "BT-47" => Kind::Id(IdKind::Siren),
        "BT-31" | "BT-48" => Kind::Id(IdKind::Vat),
        "BT-84" => Kind::Id(IdKind::Iban),
        "BT-38" | "BT-53" => Kind::Postcode,
        "BT-37" | "BT-52" => Kind::City,
        _ if path.starts_with("BG-22/") => Kind::Amount,
        _ => Kind::Text,
    }
}

/// The value of `kind` a cell's text holds (after any label in it).
fn value_in(kind: Kind, text: &str) -> Option<String> {
    let after_label = {
        let hits = labels::find(text);
        match hits.last() {
            Some(h) if h.end < text.len() => text[h.end..]
                .trim_start_matches([' ', ':', '.', '°', '#'])
                .trim(),
            Some(_) => "",
            None => text.trim(),
        }
    };
    let candidates = [after_label, text.trim()];
    for t in candidates {
        if t.is_empty() {
            continue;
        }
        let v = match kind {
            Kind::Date => parse_date(t).or_else(|| {
                // A date at the end of the cell ("Paris, le 05/03/2026").
                t.split_whitespace().rev().take(4).find_map(parse_date)
            }),
            Kind::Amount => last_number(t).map(Dec::amount_string),
            Kind::Reference => t
                .split_whitespace()
                .next()
                .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
                .map(|w| w.trim_end_matches([',', ';']).to_string()),
            Kind::TypeCode => labels::title(t).map(|x| x.code().to_string()),
            Kind::Id(k) => {
                let n = ident::normalize(k, t);
                (!n.is_empty()).then_some(n)
            }
            Kind::Postcode | Kind::City => {
                // "75001 Paris", or a part of "ACME - 1 rue X - 75001 Paris".
                fields::LETTERHEAD_SEP
                    .split(t)
                    .find_map(|p| fields::postcode_city(p.trim()))
                    .map(|(pc, city)| if kind == Kind::Postcode { pc } else { city })
                    .or_else(|| {
                        (kind == Kind::City && !t.chars().any(|c| c.is_ascii_digit()))
                            .then(|| t.to_string())
                    })
            }
            Kind::Text => Some(t.to_string()),
        };
        if v.is_some() {
            return v;
        }
    }
    None
}

fn last_number(t: &str) -> Option<Dec> {
    let words: Vec<&str> = t.split_whitespace().collect();
    (0..words.len()).find_map(|i| parse_number(&words[i..].join(" ")))
}

/// Normalised comparison of a confirmed value with what a cell says.
fn same_value(kind: Kind, confirmed: &str, found: &str) -> bool {
    match kind {
        Kind::Amount => match (
            Dec::parse_plain(confirmed).or_else(|| parse_number(confirmed)),
            Dec::parse_plain(found),
        ) {
            (Some(a), Some(b)) => a.near(b, 0),
            _ => false,
        },
        Kind::Id(_) | Kind::Reference | Kind::Postcode | Kind::Date | Kind::TypeCode => confirmed
            .replace(' ', "")
            .eq_ignore_ascii_case(&found.replace(' ', "")),
        Kind::City | Kind::Text => fold(confirmed)
            .split_whitespace()
            .eq(fold(found).split_whitespace()),
    }
}

/// Finds where a confirmed value sits: the read field's box when the reader
/// had it right, else the first cell (the last, for totals) holding it.
fn locate<'p>(
    pages: &'p [Page],
    kind: Kind,
    path: &str,
    confirmed: &str,
    read: Option<&Field>,
) -> Option<(usize, &'p Cell)> {
    let mut hits: Vec<(usize, &Cell)> = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        for line in &p.lines {
            for c in &line.cells {
                // A name may begin with a word that is also a label
                // (« Lieferant GmbH »): the whole cell counts too.
                let whole = matches!(kind, Kind::Text | Kind::City)
                    && same_value(kind, confirmed, c.text.trim());
                if whole || value_in(kind, &c.text).is_some_and(|v| same_value(kind, confirmed, &v))
                {
                    hits.push((pi, c));
                }
            }
        }
    }
    if let Some(Field {
        source: Source::Page { page, x, y, .. },
        value,
        ..
    }) = read
        && same_value(kind, confirmed, value)
        && let Some(h) = hits.iter().find(|(pi, c)| {
            pages[*pi].number == *page
                && c.x0 <= *x + 1.0
                && c.x1 >= *x
                && (c.y - *y).abs() < c.size
        })
    {
        return Some(*h);
    }
    if path.starts_with("BG-22/") {
        hits.last().copied()
    } else {
        hits.first().copied()
    }
}

/// The label beside (left, same line) or above (same column) a cell.
fn anchor_of<'p>(page: &'p Page, cell: &'p Cell) -> Option<&'p Cell> {
    let line = page
        .lines
        .iter()
        .find(|l| l.cells.iter().any(|c| std::ptr::eq(c, cell)))?;
    let left = line
        .cells
        .iter()
        .filter(|c| c.x1 <= cell.x0 + 0.5 && !labels::find(&c.text).is_empty())
        .max_by(|a, b| a.x1.total_cmp(&b.x1));
    if left.is_some() {
        return left;
    }
    // The cell itself starts with a label: it is its own anchor.
    if labels::find(&cell.text)
        .first()
        .is_some_and(|h| h.start == 0)
    {
        return Some(cell);
    }
    page.lines
        .iter()
        .filter(|l| l.y > cell.y && l.y - cell.y < 3.0 * cell.size.max(1.0))
        .flat_map(|l| l.cells.iter())
        .filter(|c| {
            c.overlap(cell.x0 - 2.0, cell.x1 + 2.0) > 0.0 && !labels::find(&c.text).is_empty()
        })
        .min_by(|a, b| (a.y - cell.y).total_cmp(&(b.y - cell.y)))
}

/// Learns a layout from the pages of one invoice, what the reader made of
/// them, and the owner's confirmed reading.
pub fn learn(pages: &[Page], read: &Invoice, confirmed: &Invoice) -> Layout {
    let read_flat = read.flat();
    let mut fields_learned = Vec::new();
    for (path, f) in confirmed.flat() {
        if path.starts_with("BG-25")
            || path.starts_with("BG-23")
            || path.starts_with("BG-1[")
            || path == "BG-22/BT-106"
        {
            continue;
        }
        let kind = kind_of(&path);
        let read_field = read_flat.iter().find(|(p, _)| *p == path).map(|(_, f)| f);
        let Some((pi, cell)) = locate(pages, kind, &path, &f.value, read_field) else {
            // The seller's name as the owner writes it (« Au bon moulin »
            // where the page prints « Au bon moulin SARL »): kept as
            // confirmed, for this seller's invoices.
            if UNPRINTED.contains(&path.as_str()) || path == SELLER_NAME {
                fields_learned.push(Learned {
                    path,
                    page: 0,
                    anchor: None,
                    ax: 0.0,
                    ay: 0.0,
                    x0: 0.0,
                    y: 0.0,
                    x1: 0.0,
                    size: 0.0,
                    value: f.value.clone(),
                    unprinted: true,
                });
            }
            continue;
        };
        let page = &pages[pi];
        let anchor = anchor_of(page, cell);
        fields_learned.push(Learned {
            path,
            page: pi,
            anchor: anchor.map(|a| {
                let hits = labels::find(&a.text);
                match hits.first() {
                    Some(h) => fold(a.text[h.start..h.end].trim()),
                    None => fold(a.text.trim()),
                }
            }),
            ax: anchor.map(|a| a.x0).unwrap_or(0.0),
            ay: anchor.map(|a| a.y).unwrap_or(0.0),
            x0: cell.x0,
            y: cell.y,
            x1: cell.x1,
            size: cell.size,
            value: f.value.clone(),
            unprinted: false,
        });
    }
    let table = learn_table(pages, confirmed);
    let line_rows: Vec<rows::Wanted> = confirmed
        .lines
        .iter()
        .map(|l| {
            [
                ("net", &l.net),
                ("description", &l.description),
                ("quantity", &l.quantity),
                ("unit_price", &l.unit_price),
                ("vat_rate", &l.vat_rate),
                ("unit", &l.unit),
            ]
            .into_iter()
            .filter_map(|(k, f)| f.as_ref().map(|f| (k, f.value.clone())))
            .collect()
        })
        .collect();
    let vat_rows: Vec<rows::Wanted> = confirmed
        .vat
        .iter()
        .map(|v| {
            [("base", &v.base), ("tax", &v.tax), ("rate", &v.rate)]
                .into_iter()
                .filter_map(|(k, f)| f.as_ref().map(|f| (k, f.value.clone())))
                .collect()
        })
        .collect();
    Layout {
        id: 0,
        seller_key: layout_key(read, confirmed),
        seller_name: confirmed
            .seller
            .name
            .as_ref()
            .or(read.seller.name.as_ref())
            .map(|n| n.value.clone()),
        fingerprint: pages.first().map(fingerprint).unwrap_or_default(),
        fields: fields_learned,
        table,
        rows: rows::learn(pages, &line_rows, "net"),
        vat_rows: rows::learn(pages, &vat_rows, "base"),
    }
}

/// Confirmed values a page may not print, kept as they were confirmed: the
/// seller's country, the currency, the buyer's country.
const UNPRINTED: [&str; 3] = ["BG-4/BG-5/BT-40", "BT-5", "BG-7/BG-8/BT-55"];

/// The seller's name: printed otherwise than the owner confirmed it, it is
/// kept as confirmed, but only for the same seller (a layout matched by its
/// look alone may be another seller's copy of the same template).
const SELLER_NAME: &str = "BG-4/BT-27";

/// The table's columns from where the confirmed first line's values sit,
/// and its header: the nearest line above with as many cells.
fn learn_table(pages: &[Page], confirmed: &Invoice) -> Option<LearnedTable> {
    let first = confirmed.lines.first()?;
    let net = first.net.as_ref()?;
    let (pi, net_cell) = locate(pages, Kind::Amount, "BG-25/BT-131", &net.value, None)?;
    let page = &pages[pi];
    let row = page
        .lines
        .iter()
        .find(|l| l.cells.iter().any(|c| std::ptr::eq(c, net_cell)))?;
    let mut columns = vec![("net".to_string(), net_cell.x0, net_cell.x1)];
    for (name, f, kind) in [
        ("description", &first.description, Kind::Text),
        ("quantity", &first.quantity, Kind::Amount),
        ("unit_price", &first.unit_price, Kind::Amount),
        ("vat_rate", &first.vat_rate, Kind::Amount),
        ("unit", &first.unit, Kind::Text),
    ] {
        let Some(f) = f else { continue };
        let cell = row.cells.iter().find(|c| match kind {
            Kind::Amount => parse_number(c.text.split_whitespace().next().unwrap_or(""))
                .or_else(|| parse_number(&c.text))
                .zip(parse_number(&f.value).or_else(|| Dec::parse_plain(&f.value)))
                .is_some_and(|(a, b)| a.near(b, 0)),
            _ => {
                fold(&c.text).contains(&fold(&f.value))
                    || fold(&f.value).starts_with(&fold(&c.text))
            }
        });
        if let Some(c) = cell
            && !columns
                .iter()
                .any(|(_, a, b)| (*a - c.x0).abs() < 0.5 && (*b - c.x1).abs() < 0.5)
        {
            columns.push((name.to_string(), c.x0, c.x1));
        }
    }
    let header = page
        .lines
        .iter()
        .filter(|l| l.y > row.y && l.cells.len() >= 2)
        .min_by(|a, b| a.y.total_cmp(&b.y))?;
    // The columns widen to their header cells (numbers align right under
    // them, descriptions left).
    for col in &mut columns {
        if let Some(h) = header.cells.iter().find(|h| h.overlap(col.1, col.2) > 0.0) {
            col.1 = col.1.min(h.x0);
            col.2 = col.2.max(h.x1);
        }
    }
    Some(LearnedTable {
        header: header.cells.iter().map(|c| fold(&c.text)).collect(),
        columns,
    })
}

fn column_kind(name: &str) -> Column {
    match name {
        "description" => Column::Description,
        "quantity" => Column::Quantity,
        "unit" => Column::Unit,
        "unit_price" => Column::UnitPrice,
        "vat_rate" => Column::VatRate,
        "net" => Column::Net,
        _ => Column::Other,
    }
}

/// The cell at a learned place: relative to its anchor when the anchor is
/// found on the page (nearest to where it was), else at the same box.
fn cell_at<'p>(page: &'p Page, l: &Learned) -> Option<(&'p Cell, bool)> {
    let mut anchored = false;
    let (dx, dy) = match &l.anchor {
        Some(a) => page
            .lines
            .iter()
            .flat_map(|line| line.cells.iter())
            .filter(|c| {
                let hits = labels::find(&c.text);
                let t = match hits.first() {
                    Some(h) => fold(c.text[h.start..h.end].trim()),
                    None => fold(c.text.trim()),
                };
                &t == a
            })
            .min_by(|p, q| {
                let dp = (p.x0 - l.ax).abs() + (p.y - l.ay).abs();
                let dq = (q.x0 - l.ax).abs() + (q.y - l.ay).abs();
                dp.total_cmp(&dq)
            })
            .map(|c| {
                anchored = true;
                (c.x0 - l.ax, c.y - l.ay)
            })
            .unwrap_or((0.0, 0.0)),
        None => (0.0, 0.0),
    };
    // A label the layout had and this page lacks: the place is not the
    // same here (another total, another block), so nothing is read there.
    if l.anchor.is_some() && !anchored {
        return None;
    }
    let (x0, x1, y) = (l.x0 + dx, l.x1 + dx, l.y + dy);
    page.lines
        .iter()
        .filter(|line| (line.y - y).abs() <= 0.6 * l.size.max(4.0))
        .flat_map(|line| line.cells.iter())
        .filter(|c| c.overlap(x0 - 2.0, x1 + 2.0) > 0.0)
        .max_by(|a, b| a.overlap(x0, x1).total_cmp(&b.overlap(x0, x1)))
        .map(|c| (c, anchored))
}

fn slot<'i>(inv: &'i mut Invoice, path: &str) -> Option<&'i mut Option<Field>> {
    let s = &mut inv.seller;
    let b = &mut inv.buyer;
    let t = &mut inv.totals;
    Some(match path {
        "BT-1" => &mut inv.number,
        "BT-2" => &mut inv.issue_date,
        "BT-3" => &mut inv.type_code,
        "BT-5" => &mut inv.currency,
        "BT-9" => &mut inv.due_date,
        "BT-10" => &mut inv.buyer_reference,
        "BT-12" => &mut inv.contract_reference,
        "BT-13" => &mut inv.order_reference,
        "BG-4/BT-27" => &mut s.name,
        "BG-4/BT-29" => &mut s.siret,
        "BG-4/BT-30" => &mut s.siren,
        "BG-4/BT-31" => &mut s.vat,
        "BG-4/BG-5/BT-35" => &mut s.street,
        "BG-4/BG-5/BT-37" => &mut s.city,
        "BG-4/BG-5/BT-38" => &mut s.postcode,
        "BG-4/BG-5/BT-40" => &mut s.country,
        "BG-7/BT-44" => &mut b.name,
        "BG-7/BT-46" => &mut b.siret,
        "BG-7/BT-47" => &mut b.siren,
        "BG-7/BT-48" => &mut b.vat,
        "BG-7/BG-8/BT-50" => &mut b.street,
        "BG-7/BG-8/BT-52" => &mut b.city,
        "BG-7/BG-8/BT-53" => &mut b.postcode,
        "BG-7/BG-8/BT-55" => &mut b.country,
        "BG-16/BG-17/BT-84" => &mut inv.iban,
        "BG-22/BT-109" => &mut t.without_tax,
        "BG-22/BT-110" => &mut t.tax,
        "BG-22/BT-112" => &mut t.with_tax,
        "BG-22/BT-115" => &mut t.due,
        _ => return None,
    })
}

/// Reads an invoice again from a learned layout's places.
pub fn apply(layout: &Layout, pages: &[Page], inv: &mut Invoice) {
    let general = inv.clone();
    // What the general reading found, path by path (read once: the learned
    // fields ask it, and it is restored from at the end).
    let before = general.flat();
    inv.layout = Some(layout.id);
    for l in &layout.fields {
        let Some(page) = pages.get(l.page) else {
            continue;
        };
        let kind = kind_of(&l.path);
        let constant =
            l.path.starts_with("BG-4/") || l.path == "BG-16/BG-17/BT-84" || l.path == "BT-5";
        if l.unprinted {
            if l.path == SELLER_NAME && seller_key(&general).as_deref() != Some(&layout.seller_key)
            {
                continue;
            }
            // Printed nowhere when confirmed: the confirmed value stands in
            // where the page still says nothing (the seller's name as
            // confirmed even over a sure reading: the owner said how it is
            // written); sure for the seller's own fields and the layout's
            // currency, not for the buyer's country (another buyer may live
            // elsewhere).
            if let Some(slot) = slot(inv, &l.path)
                && (l.path == SELLER_NAME || !slot.as_ref().is_some_and(|f| f.sure))
            {
                *slot = Some(Field::new(
                    l.value.clone(),
                    Source::User,
                    l.path.starts_with("BG-4/") || l.path == "BT-5",
                ));
            }
            continue;
        }
        // The seller's own fields do not change: wherever the confirmed value
        // is printed now, that is it.
        let anywhere = constant
            .then(|| locate(pages, kind, &l.path, &l.value, None))
            .flatten()
            .map(|(pi, c)| {
                (
                    l.value.clone(),
                    fields::source_of(pages[pi].number, c),
                    true,
                )
            });
        let found = anywhere.or_else(|| {
            cell_at(page, l).and_then(|(c, anchored)| {
                value_in(kind, &c.text).map(|v| (v, fields::source_of(page.number, c), anchored))
            })
        });
        // A party's name or street read at a bare place that does not look
        // like one (the block has a line more or less than when learned:
        // « Hans Muster » where the street was) leaves the general
        // reading's value.
        let found = found.filter(|(v, _, anchored)| {
            *anchored
                || constant
                || party_shape(&l.path, v)
                || same_value(kind, &l.value, v)
                || !before.iter().any(|(p, _)| *p == l.path)
        });
        let Some(slot) = slot(inv, &l.path) else {
            continue;
        };
        match found {
            Some((v, src, anchored)) => {
                let check = match kind {
                    Kind::Id(k) => ident::validate(k, &v) == Validity::Valid,
                    Kind::Amount => true, // settled by the arithmetic below
                    // A name or an address line at a bare position (no label
                    // beside it) may be another line when the layout shifts:
                    // sure only when its label is there, or it is the
                    // seller's own and unchanged.
                    Kind::Text | Kind::City | Kind::Postcode => {
                        !v.is_empty() && (anchored || constant)
                    }
                    _ => !v.is_empty(),
                };
                let unchanged = !constant || same_value(kind, &l.value, &v);
                *slot = Some(Field::new(v, src, check && unchanged));
            }
            None if constant => {
                // The seller's own field, not printed where it was: keep what
                // the reader found, unsure.
                if let Some(f) = slot {
                    f.sure = false;
                }
            }
            None => {
                if let Some(f) = slot {
                    f.sure = false;
                }
            }
        }
    }
    let mut learned_rows = None;
    if let Some(t) = &layout.rows {
        learned_rows = apply_rows(t, pages, inv, &general);
    } else if let Some(t) = &layout.table {
        apply_table(t, pages, inv, &general);
    }
    if let Some(t) = &layout.vat_rows {
        apply_vat_rows(t, pages, inv, &general);
    }
    settle_amounts(inv);
    super::fields::positive_credit_note(inv);
    // What the general reading had sure and the learned places did not
    // confirm stays as the general reading had it; the arithmetic then
    // settles again with it (a total the layout misplaced no longer makes
    // the lines unsure).
    let mut after = std::mem::take(inv);
    let mut restored = false;
    for (path, f) in before {
        if f.sure
            && let Some(slot) = slot(&mut after, &path)
            && !slot.as_ref().is_some_and(|n| n.sure)
        {
            *slot = Some(f);
            restored = true;
        }
    }
    *inv = after;
    if restored {
        settle_amounts(inv);
    }
    if let Some(whole) = learned_rows {
        words_at_learned_places(inv, whole);
    }
    reasons_of_the_layout(layout, inv);
}

/// Whether a value read for a party's name or street looks like one (other
/// paths: always).
fn party_shape(path: &str, v: &str) -> bool {
    match path.rsplit('/').next() {
        Some("BT-27" | "BT-44") => !fields::not_a_name(v),
        Some("BT-35" | "BT-50") => fields::street_like(v),
        _ => true,
    }
}

/// A discount's or a fee's reason is sure when the owner confirmed the very
/// same words for this layout and the arithmetic settled its amount (the
/// « Remise fidélité » or « Frais de port » the layout always prints).
fn reasons_of_the_layout(layout: &Layout, inv: &mut Invoice) {
    let confirmed: Vec<String> = layout
        .fields
        .iter()
        .filter(|l| {
            (l.path.starts_with("BG-20[") && l.path.ends_with("/BT-97"))
                || (l.path.starts_with("BG-21[") && l.path.ends_with("/BT-104"))
        })
        .map(|l| fold(&l.value))
        .collect();
    for a in inv.allowances.iter_mut().chain(inv.charges.iter_mut()) {
        let settled = a.amount.as_ref().is_some_and(|f| f.sure);
        if let Some(r) = &mut a.reason {
            r.sure = settled && confirmed.contains(&fold(&r.value));
        }
    }
}

/// The lines read from their learned places replace the general reading's
/// when they add up to the total without VAT (or the general ones do not).
/// Returns, when they did, whether the layout's descriptions were whole at
/// their place when confirmed.
fn apply_rows(
    t: &rows::LearnedRows,
    pages: &[Page],
    inv: &mut Invoice,
    general: &Invoice,
) -> Option<bool> {
    let lines: Vec<ItemLine> = rows::read(t, pages, true)
        .iter()
        .map(|r| ItemLine {
            description: rows::get(r, "description").cloned(),
            quantity: rows::get(r, "quantity").cloned(),
            unit: rows::get(r, "unit").cloned(),
            unit_price: rows::get(r, "unit_price").cloned(),
            vat_rate: rows::get(r, "vat_rate").cloned(),
            net: rows::get(r, "net").cloned(),
            ..ItemLine::default()
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let sum = lines
        .iter()
        .filter_map(|l| amount(&l.net))
        .fold(Dec::ZERO, Dec::plus);
    let adds_up = [&inv.totals.without_tax, &general.totals.lines_sum]
        .into_iter()
        .any(|f| amount(f).is_some_and(|h| sum.near(h, 1)));
    let general_ok =
        !general.lines.is_empty() && general.totals.lines_sum.as_ref().is_some_and(|f| f.sure);
    // Neither adds up: the learned places hold lines only when the general
    // reading found none, or as many as they did (a table that changed
    // shape since it was learned reads as other rows: keep the general's).
    let comparable = general.lines.is_empty() || general.lines.len() == lines.len();
    if adds_up || (!general_ok && comparable) {
        inv.lines = lines;
        let whole = t
            .columns
            .iter()
            .find(|c| c.kind == "description")
            .is_some_and(|c| c.whole);
        return Some(whole);
    }
    None
}

/// The words of lines read at their learned places, on rows whose amounts
/// the arithmetic settled: the description and the unit are what the
/// owner's confirmed layout prints there, so they are sure with the row's
/// amounts (a description only when the confirmed ones were whole at their
/// place, not going on below); a line's rate is sure when it is a rate of
/// the sure breakdown.
fn words_at_learned_places(inv: &mut Invoice, whole_descriptions: bool) {
    let sure_rates = fields::sure_rates(inv);
    for l in &mut inv.lines {
        let row_ok = l.net.as_ref().is_some_and(|f| f.sure);
        if let Some(d) = &mut l.description {
            d.sure = row_ok && whole_descriptions && d.value.chars().any(char::is_alphabetic);
        }
        if let Some(u) = &mut l.unit {
            u.sure = row_ok && !u.value.trim().is_empty();
        }
        if let Some(r) = &mut l.vat_rate {
            r.sure = row_ok
                && sure_rates.iter().any(|s| {
                    Dec::parse_plain(s)
                        .zip(Dec::parse_plain(&r.value))
                        .is_some_and(|(a, b)| a == b)
                });
        }
    }
}

/// The VAT breakdown read from its learned places, when its rows add up to
/// the total VAT (or the general reading's do not).
fn apply_vat_rows(t: &rows::LearnedRows, pages: &[Page], inv: &mut Invoice, general: &Invoice) {
    let has_rate = t.columns.iter().any(|c| c.kind == "rate");
    let vat: Vec<VatRow> = rows::read(t, pages, false)
        .iter()
        .filter(|r| !has_rate || rows::get(r, "rate").is_some())
        .map(|r| VatRow {
            rate: rows::get(r, "rate").cloned(),
            base: rows::get(r, "base").cloned(),
            tax: rows::get(r, "tax").cloned(),
            ..VatRow::default()
        })
        .collect();
    if vat.is_empty() {
        return;
    }
    let total = amount(&inv.totals.tax);
    let adds_up = |rows: &[VatRow]| {
        let sum = rows
            .iter()
            .filter_map(|v| amount(&v.tax))
            .fold(Dec::ZERO, Dec::plus);
        !rows.is_empty()
            && total.is_some_and(|t| sum.near(t, rows.len() as i64))
            && rows.iter().all(
                |v| match (amount(&v.base), amount(&v.rate), amount(&v.tax)) {
                    (Some(b), Some(r), Some(x)) => b.percent(r).near(x, 1),
                    _ => false,
                },
            )
    };
    let ok = adds_up(&vat);
    if ok || !adds_up(&general.vat) {
        inv.vat = vat;
        for v in &mut inv.vat {
            for f in [&mut v.rate, &mut v.base, &mut v.tax].into_iter().flatten() {
                f.sure = ok;
            }
        }
    }
}

/// Rows under a learned table header.
fn apply_table(t: &LearnedTable, pages: &[Page], inv: &mut Invoice, general: &Invoice) {
    // The general reading's lines stand when they already add up.
    if !general.lines.is_empty() && general.totals.lines_sum.as_ref().is_some_and(|f| f.sure) {
        return;
    }
    let mut lines: Vec<ItemLine> = Vec::new();
    for page in pages {
        let Some(hi) = page.lines.iter().position(|l| {
            let texts: Vec<String> = l.cells.iter().map(|c| fold(&c.text)).collect();
            let common = t.header.iter().filter(|h| texts.contains(h)).count();
            common * 2 >= t.header.len().max(1) && common >= 1
        }) else {
            continue;
        };
        let cols: Vec<(Column, f32, f32)> = t
            .columns
            .iter()
            .map(|(k, a, b)| (column_kind(k), *a, *b))
            .collect();
        let rows = fields::rows_under(page, hi, &cols);
        for row in fields::invoice_lines(&rows).into_iter().cloned() {
            lines.push(ItemLine {
                description: row.description.map(|(d, s)| Field::new(d, s, false)),
                quantity: row
                    .quantity
                    .map(|(q, s)| Field::new(q.plain_string(), s, false)),
                unit: row.unit.map(|(u, s)| Field::new(u, s, false)),
                unit_price: row
                    .unit_price
                    .map(|(p, s)| Field::new(p.amount_string(), s, false)),
                vat_rate: row
                    .vat_rate
                    .map(|(r, s)| Field::new(r.plain_string(), s, false)),
                net: row
                    .net
                    .map(|(n, s)| Field::new(n.amount_string(), s, false)),
                ..ItemLine::default()
            });
        }
    }
    if !lines.is_empty() {
        inv.lines = lines;
    }
}

fn amount(f: &Option<Field>) -> Option<Dec> {
    f.as_ref().and_then(|f| Dec::parse_plain(&f.value))
}

/// The totals' arithmetic decides which amounts are sure: HT + TVA = TTC,
/// the lines sum to HT, each line is quantity × unit price, the breakdown
/// matches.
fn settle_amounts(inv: &mut Invoice) {
    let t = &mut inv.totals;
    let (h, v, g) = (amount(&t.without_tax), amount(&t.tax), amount(&t.with_tax));
    let triple = matches!((h, v, g), (Some(h), Some(v), Some(g)) if h.plus(v).near(g, 1));
    for f in [&mut t.without_tax, &mut t.tax, &mut t.with_tax]
        .into_iter()
        .flatten()
    {
        f.sure = triple;
    }
    if let Some(d) = &mut t.due {
        let dv = Dec::parse_plain(&d.value);
        d.sure = triple
            && dv
                .zip(g)
                .is_some_and(|(d, g)| d.near(g, 0) || (d.0 >= 0 && d <= g));
    }
    let sum = inv
        .lines
        .iter()
        .filter_map(|l| amount(&l.net))
        .fold(Dec::ZERO, Dec::plus);
    // Discounts lower and fees raise the total without VAT.
    let adjusted = |list: &[super::AllowanceCharge]| {
        list.iter()
            .filter_map(|a| amount(&a.amount))
            .fold(Dec::ZERO, |acc, a| acc.plus(a.abs()))
    };
    let net = fields::without_tax(sum, adjusted(&inv.allowances), adjusted(&inv.charges));
    let lines_ok = triple && !inv.lines.is_empty() && h.is_some_and(|h| net.near(h, 1));
    for a in inv.allowances.iter_mut().chain(inv.charges.iter_mut()) {
        if let Some(f) = &mut a.amount {
            f.sure = lines_ok;
        }
    }
    for f in [&mut t.allowances, &mut t.charges].into_iter().flatten() {
        f.sure = lines_ok;
    }
    if !inv.lines.is_empty() {
        let src = inv.lines[0]
            .net
            .as_ref()
            .map(|f| f.source)
            .unwrap_or(Source::User);
        t.lines_sum = Some(Field::new(sum.amount_string(), src, lines_ok));
    }
    for l in &mut inv.lines {
        let product_ok = match (amount(&l.quantity), amount(&l.unit_price), amount(&l.net)) {
            (Some(q), Some(p), Some(n)) => q.times(p).near(n, 1),
            _ => true,
        };
        let ok = lines_ok && product_ok;
        for f in [&mut l.net, &mut l.unit_price].into_iter().flatten() {
            f.sure = ok;
        }
        // The arithmetic checks the amounts, not the words.
        if let Some(d) = &mut l.description {
            d.sure = false;
        }
        if let Some(q) = &mut l.quantity {
            q.sure = ok && l.unit_price.is_some();
        }
    }
}

/// Learns from the owner's confirmed reading of a file: each confirmed
/// invoice paired with the invoice read on the same pages (its `pages` when
/// given, else the same position in the file). Returns (index of the
/// confirmed invoice, layout).
pub fn confirm(reading: &super::Reading, confirmed: &[Invoice]) -> Vec<(usize, Layout)> {
    let mut out = Vec::new();
    for (i, want) in confirmed.iter().enumerate() {
        let read = if want.first_page > 0 {
            reading
                .invoices
                .iter()
                .find(|r| r.first_page == want.first_page)
                .or(reading.invoices.get(i))
        } else {
            reading.invoices.get(i)
        };
        let Some(read) = read else { continue };
        let (a, b) = if want.first_page > 0 && want.last_page >= want.first_page {
            (want.first_page, want.last_page)
        } else {
            (read.first_page, read.last_page)
        };
        let pages: Vec<Page> = reading
            .pages
            .iter()
            .filter(|p| (a..=b).contains(&p.number))
            .cloned()
            .collect();
        if pages.is_empty() {
            continue;
        }
        out.push((i, learn(&pages, read, want)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{PageContent, TextRun};

    fn page(lines: &[(&str, f32, f32)]) -> PageContent {
        PageContent {
            runs: lines
                .iter()
                .map(|&(text, x, y)| TextRun {
                    text: text.into(),
                    x,
                    y,
                    width: text.chars().count() as f32 * 5.0,
                    size: 10.0,
                    font: "Helvetica".into(),
                })
                .collect(),
            media_box: [0.0, 0.0, 595.0, 842.0],
            ..Default::default()
        }
    }

    fn invoice_page(buyer: &[&str], number: &str) -> PageContent {
        let mut lines = vec![
            ("Lieferant GmbH", 350.0, 780.0),
            ("Lieferantenstraße 20", 350.0, 768.0),
            ("80333 München", 350.0, 756.0),
            ("Rechnung Nr. ", 50.0, 500.0),
            (number, 130.0, 500.0),
        ];
        for (i, l) in buyer.iter().enumerate() {
            lines.push((l, 50.0, 700.0 - 12.0 * i as f32));
        }
        page(&lines)
    }

    #[test]
    fn a_buyer_block_with_a_line_more_keeps_the_general_reading_of_its_street() {
        let first = super::super::read_pages(
            &[invoice_page(
                &["Kunden AG", "Kundenstraße 15", "69876 Frankfurt"],
                "4711",
            )],
            &[],
        );
        let confirmed = super::super::en16931::parse(
            r#"{"BT-1": "4711", "BG-4": {"BT-27": "Lieferant GmbH"},
                "BG-7": {"BT-44": "Kunden AG",
                         "BG-8": {"BT-50": "Kundenstraße 15", "BT-53": "69876", "BT-52": "Frankfurt"}}}"#,
        )
        .expect("a confirmed reading");
        let mut layout = confirm(&first, &confirmed)[0].1.clone();
        layout.id = 3;
        // The next invoice's buyer has a contact line under its name: the
        // street is a line lower than where it was learned.
        let next = super::super::read_pages(
            &[invoice_page(
                &[
                    "Other AG",
                    "z. Hd. Hans Muster",
                    "Hauptstraße 5",
                    "10115 Berlin",
                ],
                "4712",
            )],
            std::slice::from_ref(&layout),
        );
        let inv = &next.invoices[0];
        assert_eq!(inv.layout, Some(3));
        assert_eq!(
            inv.buyer.street.as_ref().map(|f| f.value.as_str()),
            Some("Hauptstraße 5")
        );
        assert!(fields::street_like("Musterweg 1"));
        assert!(!fields::street_like("Hans Muster"));
    }
}
