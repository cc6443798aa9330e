//! Learned rows: the table of lines and the VAT breakdown of a confirmed
//! invoice, kept as where each column's value sat relative to its row's key
//! amount (the line's net, the breakdown's taxable base), and read back from
//! those places on the next invoice of the layout.
//!
//! Every confirmed row teaches, not only the first: a column's place is the
//! one most of the rows agree on (its x range, its baseline offset from the
//! key, which of the cell's numbers it is, how many words of an article
//! code precede a description). The rows start under the line that was
//! above the first confirmed row and end at the line that followed the
//! last, both compared by their words only (their figures change).
//!
//! Deliberately geometric only: whether the rows read are right is settled
//! by the arithmetic in [`super::apply`], never here.

use serde::{Deserialize, Serialize};

use crate::read::Field;
use crate::read::amount::{Dec, parse_number};
use crate::read::fields::source_of;
use crate::read::labels;
use crate::read::layout::{Cell, Line, Page};
use crate::text::fold;

/// One column of a learned row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowColumn {
    /// "net", "description", "quantity", "unit", "unit_price", "vat_rate";
    /// "base", "tax", "rate" for the VAT breakdown.
    pub kind: String,
    pub x0: f32,
    pub x1: f32,
    /// Baseline offset from the key's line, in points (0: the same line;
    /// positive: above it).
    pub dy: f32,
    /// Which of the cell's numbers (0-based), for amounts.
    pub nth: usize,
    /// Words before the value in its cell (an article code), for text.
    pub skip: usize,
    /// For text: every confirmed value was the whole text at its place (a
    /// description that goes on below its line is not).
    #[serde(default)]
    pub whole: bool,
}

/// Where a table's rows sit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedRows {
    /// The words of the line above the first row.
    pub header: String,
    /// The words of the line after the last row, when it had any.
    pub end: Option<String>,
    /// The key column's kind: every row has a number there.
    pub key: String,
    pub columns: Vec<RowColumn>,
}

/// The numbers printed in a text, in order: « 19 % MwSt auf 198,00 EUR:
/// 37,62 » → 19, 198.00, 37.62. A figure printed with a space between its
/// thousands (« 1 234,56 ») is one number.
pub fn numbers(text: &str) -> Vec<Dec> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches([':', ';']))
        .collect();
    let thousands = |w: &str| {
        let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
        digits.len() == 3
            && w[3..]
                .chars()
                .all(|c| matches!(c, '.' | ',') || c.is_ascii_digit())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        let mut best = parse_number(words[i]).map(|d| (d, j));
        while j < words.len() && thousands(words[j]) {
            j += 1;
            if let Some(d) = parse_number(&words[i..j].join(" ")) {
                best = Some((d, j));
            }
        }
        match best {
            Some((d, end)) => {
                out.push(d);
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// A line's words without its figures, for recognising the same header or
/// end line on another invoice.
pub fn words(line: &Line) -> String {
    fold(&line.text())
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() > 1)
        .collect::<Vec<_>>()
        .join(" ")
}

fn same_words(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let common = wa.iter().filter(|w| wb.contains(w)).count();
    common * 5 >= wa.len().max(wb.len()) * 4
}

/// What a confirmed row holds: its values by kind, the key first.
pub type Wanted = Vec<(&'static str, String)>;

fn is_text(kind: &str) -> bool {
    matches!(kind, "description" | "unit")
}

/// Where one value of a row sits, found near the key.
struct Sample {
    kind: &'static str,
    x0: f32,
    x1: f32,
    dy: f32,
    nth: usize,
    skip: usize,
    whole: bool,
}

/// Words of `cell` before `value` starts at a word boundary, if it does.
fn words_before(cell: &str, value: &str) -> Option<usize> {
    let (c, v) = (fold(cell), fold(value));
    // « Design (hours): Of a sample » starts « Design (hours) »: a word's
    // trailing punctuation does not part them.
    let bare = |w: &'_ str| w.trim_end_matches([':', ',', ';', '.']).to_string();
    let cw: Vec<String> = c.split_whitespace().map(bare).collect();
    let vw: Vec<String> = v.split_whitespace().map(bare).collect();
    if vw.is_empty() {
        return None;
    }
    // The cell from word i on starts the value, or the value starts it
    // (a description that goes on on the next line).
    (0..cw.len()).find(|&i| {
        let rest = &cw[i..];
        let n = rest.len().min(vw.len());
        rest[..n] == vw[..n]
    })
}

fn number_at(cell: &Cell, want: Dec) -> Option<usize> {
    numbers(&cell.text).iter().position(|d| d.near(want, 0))
}

/// The right edge of `cell` and of the cells after it on its line that go on
/// with `value`, and whether they hold all of it (after `skip` words).
fn continued(line: &Line, cell: &Cell, value: &str, skip: usize) -> (f32, bool) {
    let want = fold(value).split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = fold(&cell.text)
        .split_whitespace()
        .skip(skip)
        .collect::<Vec<_>>()
        .join(" ");
    let mut x1 = cell.x1;
    for c in line.cells.iter().filter(|c| c.x0 >= cell.x1) {
        let next = format!("{text} {}", fold(&c.text));
        let next = next.split_whitespace().collect::<Vec<_>>().join(" ");
        if !want.contains(&next) {
            break;
        }
        text = next;
        x1 = c.x1;
    }
    (x1, text == want)
}

/// How many of a row's other values sit within reach of a key cell.
fn others_near(
    page: &Page,
    line: &Line,
    key: &Cell,
    key_nth: usize,
    row: &Wanted,
    kind: &str,
) -> usize {
    let reach = 3.5 * line.size.max(6.0);
    row.iter()
        .filter(|(k, _)| *k != kind)
        .filter(|(k, v)| {
            page.lines
                .iter()
                .filter(|l| (l.y - line.y).abs() <= reach)
                .flat_map(|l| l.cells.iter())
                .any(|c| {
                    if is_text(k) {
                        words_before(&c.text, v).is_some()
                    } else {
                        value_dec(v).is_some_and(|d| {
                            numbers(&c.text).iter().enumerate().any(|(n, x)| {
                                x.near(d, 0) && !(std::ptr::eq(c, key) && n == key_nth)
                            })
                        })
                    }
                })
        })
        .count()
}

fn value_dec(v: &str) -> Option<Dec> {
    Dec::parse_plain(v).or_else(|| parse_number(v))
}

/// Learns where the confirmed rows sit on `pages`. `key` is the kind every
/// row has a number for. None when no row is found.
pub fn learn(pages: &[Page], rows: &[Wanted], key: &'static str) -> Option<LearnedRows> {
    let mut samples: Vec<Sample> = Vec::new();
    let mut cursor = (0usize, 0usize);
    let mut first: Option<(usize, f32)> = None;
    let mut last: Option<(usize, f32)> = None;
    for row in rows {
        let Some(want) = row
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| value_dec(v))
        else {
            continue;
        };
        // The key: a cell after the previous row holding the amount, the one
        // with most of the row's other values near it (a breakdown's base is
        // often also a line's net), the first of equals.
        // On equal terms, the cell in the previous row's key column, else
        // the rightmost (a net ends its line).
        let prev_x1 = samples.iter().rev().find(|s| s.kind == key).map(|s| s.x1);
        let better = |a: &Cell, b: &Cell| match prev_x1 {
            Some(x) => (a.x1 - x).abs() < (b.x1 - x).abs(),
            None => a.x1 > b.x1,
        };
        let mut found: Option<(usize, usize, usize, usize, usize)> = None;
        for (pi, page) in pages.iter().enumerate().skip(cursor.0) {
            let from = if pi == cursor.0 { cursor.1 } else { 0 };
            for (li, line) in page.lines.iter().enumerate().skip(from) {
                for (ci, cell) in line.cells.iter().enumerate() {
                    if let Some(nth) = number_at(cell, want) {
                        let near = others_near(page, line, cell, nth, row, key);
                        let wins = found.is_none_or(|f| {
                            near > f.4
                                || (near == f.4
                                    && (pi, li) == (f.0, f.1)
                                    && better(cell, &pages[f.0].lines[f.1].cells[f.2]))
                        });
                        if wins {
                            found = Some((pi, li, ci, nth, near));
                        }
                    }
                }
            }
        }
        let Some((pi, li, ci, key_nth, _)) = found else {
            continue;
        };
        let page = &pages[pi];
        let key_line = &page.lines[li];
        let key_cell = &key_line.cells[ci];
        let (mut top, mut bottom) = (key_line.y, key_line.y);
        samples.push(Sample {
            kind: key,
            x0: key_cell.x0,
            x1: key_cell.x1,
            dy: 0.0,
            nth: key_nth,
            skip: 0,
            whole: true,
        });
        let reach = 3.5 * key_line.size.max(6.0);
        for (kind, value) in row.iter().filter(|(k, _)| *k != key) {
            let mut best: Option<(f32, Sample)> = None;
            for line in page
                .lines
                .iter()
                .filter(|l| (l.y - key_line.y).abs() <= reach)
            {
                for cell in &line.cells {
                    let hit = if is_text(kind) {
                        words_before(&cell.text, value).map(|skip| (0, skip))
                    } else {
                        value_dec(value).and_then(|d| {
                            numbers(&cell.text)
                                .iter()
                                .enumerate()
                                .find(|(n, x)| {
                                    x.near(d, 0) && !(std::ptr::eq(cell, key_cell) && *n == key_nth)
                                })
                                .map(|(n, _)| (n, 0))
                        })
                    };
                    let Some((nth, skip)) = hit else { continue };
                    let dy = line.y - key_line.y;
                    // A description split over several cells of its line:
                    // the column spans them.
                    let (x1, whole) = if is_text(kind) {
                        continued(line, cell, value, skip)
                    } else {
                        (cell.x1, true)
                    };
                    // The nearest line wins, then the leftmost cell.
                    let rank = dy.abs() * 1000.0 + cell.x0;
                    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                        best = Some((
                            rank,
                            Sample {
                                kind,
                                x0: cell.x0,
                                x1,
                                dy,
                                nth,
                                skip,
                                whole,
                            },
                        ));
                    }
                }
            }
            if let Some((_, s)) = best {
                top = top.max(key_line.y + s.dy);
                bottom = bottom.min(key_line.y + s.dy);
                samples.push(s);
            }
        }
        if first.is_none() {
            first = Some((pi, top));
        }
        last = Some((pi, bottom));
        cursor = (pi, li + 1);
    }
    let (fp, top) = first?;
    let (lp, bottom) = last?;
    // The header: the nearest line above with two cells or more (a notice
    // between the header and the rows changes from one invoice to the
    // next), else the nearest.
    let above = |cells: usize| {
        pages[fp]
            .lines
            .iter()
            .filter(|l| l.y > top + 0.5 && l.cells.len() >= cells && !words(l).is_empty())
            .min_by(|a, b| a.y.total_cmp(&b.y))
            .map(words)
    };
    let header = above(2).or_else(|| above(1))?;
    let end = pages[lp]
        .lines
        .iter()
        .filter(|l| l.y < bottom - 0.5)
        .max_by(|a, b| a.y.total_cmp(&b.y))
        .map(words)
        .filter(|w| !w.is_empty());
    let mut columns: Vec<RowColumn> = Vec::new();
    let mut kinds: Vec<&str> = samples.iter().map(|s| s.kind).collect();
    kinds.dedup();
    let mut seen: Vec<&str> = Vec::new();
    for kind in kinds {
        if seen.contains(&kind) {
            continue;
        }
        seen.push(kind);
        let of: Vec<&Sample> = samples.iter().filter(|s| s.kind == kind).collect();
        // The signature most rows agree on.
        let sig = |s: &Sample| ((s.dy / 2.0).round() as i32, s.nth, s.skip);
        let best = of
            .iter()
            .max_by_key(|s| of.iter().filter(|o| sig(o) == sig(s)).count())?;
        // Of those, the ones over the same place as the typical one (its
        // median right edge).
        let mut edges: Vec<f32> = of
            .iter()
            .filter(|o| sig(o) == sig(best))
            .map(|o| o.x1)
            .collect();
        edges.sort_by(f32::total_cmp);
        let mid = edges[edges.len() / 2];
        let typical = of
            .iter()
            .filter(|o| sig(o) == sig(best))
            .min_by(|a, b| (a.x1 - mid).abs().total_cmp(&(b.x1 - mid).abs()))?;
        let agree: Vec<&&Sample> = of
            .iter()
            .filter(|o| sig(o) == sig(best) && o.x0 < typical.x1 && o.x1 > typical.x0)
            .collect();
        columns.push(RowColumn {
            kind: kind.to_string(),
            x0: agree.iter().map(|s| s.x0).fold(f32::MAX, f32::min),
            x1: agree.iter().map(|s| s.x1).fold(f32::MIN, f32::max),
            dy: agree.iter().map(|s| s.dy).sum::<f32>() / agree.len() as f32,
            nth: best.nth,
            skip: best.skip,
            whole: agree.iter().all(|s| s.whole),
        });
    }
    Some(LearnedRows {
        header,
        end,
        key: key.to_string(),
        columns,
    })
}

/// The value of a column on the line nearest `y`: of the cells over its x
/// range, the most overlapping one that holds such a value (a quantity and
/// its unit printed apart share the learned range of « 1 h »).
fn value_near(page: &Page, col: &RowColumn, y: f32) -> Option<Field> {
    let mut cells: Vec<&Cell> = page
        .lines
        .iter()
        .filter(|l| (l.y - y).abs() <= 0.6 * l.size.max(4.0))
        .flat_map(|l| l.cells.iter())
        .filter(|c| c.overlap(col.x0 - 2.0, col.x1 + 2.0) > 0.0)
        .collect();
    cells.sort_by(|a, b| {
        b.overlap(col.x0, col.x1)
            .total_cmp(&a.overlap(col.x0, col.x1))
    });
    cells.into_iter().find_map(|c| value_of(col, page, c))
}

/// A description: the cells of the line nearest `y` that lie in the
/// column, joined, after the learned article-code words.
fn description_at(page: &Page, col: &RowColumn, y: f32) -> Option<Field> {
    let line = page
        .lines
        .iter()
        .filter(|l| (l.y - y).abs() <= 0.6 * l.size.max(4.0))
        .min_by(|a, b| (a.y - y).abs().total_cmp(&(b.y - y).abs()))?;
    let cells: Vec<&Cell> = line
        .cells
        .iter()
        .filter(|c| c.overlap(col.x0 - 2.0, col.x1 + 2.0) > 0.0 && c.x0 >= col.x0 - 2.0)
        .collect();
    let first = cells.first()?;
    let last = cells.last()?;
    let joined = cells
        .iter()
        .map(|c| c.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let text = if words.len() > col.skip {
        words[col.skip..].join(" ")
    } else {
        joined.clone()
    };
    let src = source_of(
        page.number,
        &Cell {
            text: String::new(),
            x0: first.x0,
            x1: last.x1,
            y: first.y,
            size: first.size,
            font: std::sync::Arc::default(),
        },
    );
    (!text.is_empty()).then(|| Field::new(text, src, false))
}

/// One row read back: each column's value, as printed (amounts as plain
/// decimal strings), with where it was.
pub type ReadRow = Vec<(String, Field)>;

fn value_of(col: &RowColumn, page: &Page, cell: &Cell) -> Option<Field> {
    let src = source_of(page.number, cell);
    if is_text(&col.kind) {
        let words: Vec<&str> = cell.text.split_whitespace().collect();
        let mut text = if words.len() > col.skip {
            words[col.skip..].join(" ")
        } else {
            cell.text.trim().to_string()
        };
        if col.kind == "unit" {
            // A unit printed after its quantity (« 10 jour »): the words.
            text = text
                .split_whitespace()
                .skip_while(|w| parse_number(w).is_some())
                .collect::<Vec<_>>()
                .join(" ");
        }
        return (!text.is_empty()).then(|| Field::new(text, src, false));
    }
    let n = numbers(&cell.text);
    let d = n
        .get(col.nth)
        .or(if n.len() == 1 { n.first() } else { None })?;
    let text = match col.kind.as_str() {
        "quantity" | "vat_rate" | "rate" => d.plain_string(),
        _ => d.amount_string(),
    };
    Some(Field::new(text, src, false))
}

/// Reads the rows of a learned table on `pages`. `stop_at_totals`: a line
/// that starts with a totals label ends the rows (the table of lines; the
/// VAT breakdown sits among the totals).
pub fn read(t: &LearnedRows, pages: &[Page], stop_at_totals: bool) -> Vec<ReadRow> {
    let Some(key) = t.columns.iter().find(|c| c.kind == t.key) else {
        return Vec::new();
    };
    let mut out: Vec<ReadRow> = Vec::new();
    for page in pages {
        // Under the header; on a page that goes on with the rows without
        // repeating it, from the top.
        let start = match page
            .lines
            .iter()
            .position(|l| same_words(&words(l), &t.header))
        {
            Some(hi) => hi + 1,
            None if !out.is_empty() => 0,
            None => continue,
        };
        for line in page.lines.iter().skip(start) {
            let w = words(line);
            if t.end.as_deref().is_some_and(|e| same_words(&w, e)) {
                break;
            }
            if stop_at_totals
                && line.cells.first().is_some_and(|c| {
                    labels::find(&c.text)
                        .first()
                        .is_some_and(|h| h.label.is_total())
                })
            {
                break;
            }
            let Some(kc) = line
                .cells
                .iter()
                .filter(|c| c.overlap(key.x0 - 2.0, key.x1 + 2.0) > 0.0)
                .max_by(|a, b| {
                    a.overlap(key.x0, key.x1)
                        .total_cmp(&b.overlap(key.x0, key.x1))
                })
            else {
                continue;
            };
            let Some(kf) = value_of(key, page, kc) else {
                continue;
            };
            let mut row: ReadRow = vec![(key.kind.clone(), kf)];
            for col in t.columns.iter().filter(|c| c.kind != t.key) {
                let f = if col.kind == "description" {
                    description_at(page, col, line.y + col.dy)
                } else {
                    value_near(page, col, line.y + col.dy)
                };
                if let Some(f) = f {
                    row.push((col.kind.clone(), f));
                }
            }
            out.push(row);
        }
    }
    out
}

/// A read row's value of `kind`.
pub fn get<'r>(row: &'r ReadRow, kind: &str) -> Option<&'r Field> {
    row.iter().find(|(k, _)| k == kind).map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmed_name_is_found_at_the_start_of_a_longer_description() {
        assert_eq!(
            words_before("Design (hours): Of a sample", "Design (hours)"),
            Some(0)
        );
        assert_eq!(words_before("12 Ballons: various", "Ballons"), Some(1));
        assert_eq!(words_before("Ballonsack", "Ballons"), None);
    }

    #[test]
    fn numbers_are_read_in_order_with_spaced_thousands() {
        let n: Vec<String> = numbers("19 % MwSt auf 1 234,50 EUR: 37,62")
            .into_iter()
            .map(Dec::amount_string)
            .collect();
        assert_eq!(n, ["19.00", "1234.50", "37.62"]);
        assert!(numbers("Pos. Artikel").is_empty());
        let n: Vec<String> = numbers("20 9,90")
            .into_iter()
            .map(Dec::amount_string)
            .collect();
        assert_eq!(n, ["20.00", "9.90"]);
    }

    #[test]
    fn words_before_finds_an_article_code() {
        assert_eq!(
            words_before(
                "4123 GZ250 Gelierzucker Extra 250g",
                "Gelierzucker Extra 250g"
            ),
            Some(2)
        );
        assert_eq!(words_before("Trennblätter A4", "Trennblätter A4"), Some(0));
        assert_eq!(
            words_before("Ballons: bunt", "Ballons: bunt und gross"),
            Some(0)
        );
        assert_eq!(words_before("Joghurt", "Banane"), None);
    }
}
