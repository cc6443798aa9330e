//! From positioned text runs to what a person sees on a page: words, lines,
//! cells (phrases separated by a column gap or a vertical ruling line),
//! blocks (cells stacked in one column, such as an address) and ruling
//! lines.
//!
//! Coordinates are PDF page space (points, y upwards). Everything here is
//! linear or n·log n in the number of runs, which the PDF layer already caps.
//!
//! Deliberately not here: any meaning (labels, amounts, parties are the
//! reader's), rendering, or right-to-left and vertical scripts.

use std::sync::Arc;

use crate::pdf::{PageContent, Rule};

/// A word: a maximal run of non-blank characters with no visible gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    /// Baseline.
    pub y: f32,
    pub size: f32,
    /// Shared with the run it came from (one font name per font, not per word).
    pub font: Arc<str>,
}

/// Words of one line separated by less than a column gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub font: Arc<str>,
}

impl Cell {
    /// Horizontal overlap with `[a, b]`, in points.
    pub fn overlap(&self, a: f32, b: f32) -> f32 {
        (self.x1.min(b) - self.x0.max(a)).max(0.0)
    }
    pub fn centre(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

/// One visual line: its cells left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub cells: Vec<Cell>,
    pub y: f32,
    pub size: f32,
}

impl Line {
    /// The line as one string, cells separated by two spaces (a column gap
    /// stays visible to the label rules).
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.cells.iter().map(|c| c.text.as_str()).collect();
        parts.join("  ")
    }
    pub fn x0(&self) -> f32 {
        self.cells.first().map(|c| c.x0).unwrap_or(0.0)
    }
    pub fn x1(&self) -> f32 {
        self.cells.last().map(|c| c.x1).unwrap_or(0.0)
    }
}

/// Cells stacked in one column with line spacing between them: an address,
/// a paragraph. `cells` index into [`Page::lines`] as (line, cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub cells: Vec<(usize, usize)>,
    pub x0: f32,
    pub x1: f32,
    pub top: f32,
    pub bottom: f32,
}

/// One page as read: lines top to bottom, blocks, rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 1-based.
    pub number: usize,
    pub width: f32,
    pub height: f32,
    pub lines: Vec<Line>,
    pub blocks: Vec<Block>,
    pub rules: Vec<Rule>,
}

impl Page {
    pub fn cell(&self, (l, c): (usize, usize)) -> &Cell {
        &self.lines[l].cells[c]
    }

    /// The whole page as text, one line per visual line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text());
            s.push('\n');
        }
        s
    }
}

/// Gap between two words of one cell, in font sizes: larger is a column gap.
const COLUMN_GAP: f32 = 1.2;
/// Gap below which two fragments are one word (kerned glyph runs).
const JOIN_GAP: f32 = 0.12;

/// Blocks looked at when placing a cell.
const MAX_OPEN_BLOCKS: usize = 64;

/// Lays out one page's runs.
pub fn page(number: usize, content: &PageContent) -> Page {
    let [mx0, my0, mx1, my1] = content.media_box;
    let words = words(content);
    let walls = walls(&content.rules);
    let mut lines = lines(words, &walls);
    drop_stacked_letters(&mut lines);
    let blocks = blocks(&lines);
    Page {
        number,
        width: mx1 - mx0,
        height: my1 - my0,
        lines,
        blocks,
        rules: content.rules.clone(),
    }
}

/// Text written up the margin one letter under the other (« Copyright… »
/// set as single upright letters) is not part of any line: cells of one or
/// two characters at the same place, closer to each other than a line of
/// text is to the next (a column of « 1 » or « h » on every row is not), on
/// eight lines or more, are taken out, and the lines left empty with them.
fn drop_stacked_letters(lines: &mut Vec<Line>) {
    let small = |c: &Cell| c.text.chars().count() <= 2;
    let key = |c: &Cell| (c.x0.round() as i32, c.x1.round() as i32);
    let mut at: std::collections::HashMap<(i32, i32), Vec<(f32, f32)>> = Default::default();
    for l in lines.iter() {
        for c in l.cells.iter().filter(|c| small(c)) {
            at.entry(key(c)).or_default().push((c.y, c.size));
        }
    }
    let stacked: Vec<(i32, i32)> = at
        .into_iter()
        .filter(|(_, ys)| {
            let mut ys = ys.clone();
            ys.sort_by(|a, b| b.0.total_cmp(&a.0));
            let close = ys
                .windows(2)
                .filter(|w| w[0].0 - w[1].0 < 0.9 * w[0].1.max(1.0))
                .count();
            ys.len() >= 8 && close >= 6
        })
        .map(|(k, _)| k)
        .collect();
    if stacked.is_empty() {
        return;
    }
    for l in lines.iter_mut() {
        l.cells
            .retain(|c| !(small(c) && stacked.iter().any(|k| (k.0 - key(c).0).abs() <= 1)));
    }
    lines.retain(|l| !l.cells.is_empty());
}

/// Splits runs at blanks, placing each piece by its share of characters
/// (glyph widths inside a run are not kept; the proportion is close enough
/// to tell words and columns apart).
fn words(content: &PageContent) -> Vec<Word> {
    let mut out = Vec::new();
    for run in &content.runs {
        let count = run.text.chars().count();
        if count == 0 {
            continue;
        }
        let per = run.width / count as f32;
        // (character index, byte index) where the current word starts.
        let mut start: Option<(usize, usize)> = None;
        let ends = run.text.char_indices().map(Some).chain([None]);
        for (i, at) in ends.enumerate() {
            let blank = at.is_none_or(|(_, c)| c.is_whitespace() || c.is_control());
            let byte = at.map_or(run.text.len(), |(b, _)| b);
            match (blank, start) {
                (false, None) => start = Some((i, byte)),
                (true, Some((s, from))) => {
                    out.push(Word {
                        text: run.text[from..byte].to_string(),
                        x0: run.x + per * s as f32,
                        x1: run.x + per * i as f32,
                        y: run.y,
                        size: run.size.max(1.0),
                        font: run.font.clone(),
                    });
                    start = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// A vertical ruling line: x, bottom, top.
type Wall = (f32, f32, f32);

/// The vertical ruling lines of a page (a ruled table's column borders),
/// sorted by x.
fn walls(rules: &[Rule]) -> Vec<Wall> {
    let mut w: Vec<Wall> = rules
        .iter()
        .filter(|r| r.vertical())
        .map(|r| ((r.x0 + r.x1) / 2.0, r.y0.min(r.y1), r.y0.max(r.y1)))
        .collect();
    w.sort_by(|a, b| a.0.total_cmp(&b.0));
    w
}

/// Whether a vertical rule stands between `x0` and `x1` on the line at `y`:
/// two words there belong to two cells of a ruled table however close
/// they are.
fn walled(walls: &[Wall], x0: f32, x1: f32, y: f32, size: f32) -> bool {
    let from = walls.partition_point(|w| w.0 < x0 - 1.0);
    walls[from..]
        .iter()
        .take_while(|w| w.0 <= x1 + 1.0)
        .any(|w| w.1 <= y + 0.5 * size && w.2 >= y)
}

/// Groups words by baseline, then sorts each line left to right and merges
/// touching fragments into words and words into cells (never across a
/// vertical ruling line).
fn lines(mut words: Vec<Word>, walls: &[Wall]) -> Vec<Line> {
    words.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Word>> = Vec::new();
    for w in words {
        match rows.last_mut() {
            Some(row) if (row[0].y - w.y).abs() <= 0.35 * row[0].size.min(w.size).max(1.0) => {
                row.push(w)
            }
            _ => rows.push(vec![w]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let y = row[0].y;
        let size = row.iter().map(|w| w.size).fold(0.0f32, f32::max);
        let mut cells: Vec<Cell> = Vec::new();
        let mut prev_x1 = f32::NEG_INFINITY;
        for w in row {
            let gap = w.x0 - prev_x1;
            let unit = w.size.max(1.0);
            let wall = !walls.is_empty()
                && cells.last().is_some()
                && walled(walls, prev_x1.min(w.x0), w.x0.max(prev_x1), w.y, unit);
            match cells.last_mut() {
                Some(_) if wall => cells.push(Cell {
                    text: w.text,
                    x0: w.x0,
                    x1: w.x1,
                    y: w.y,
                    size: w.size,
                    font: w.font,
                }),
                Some(c) if gap < JOIN_GAP * unit => {
                    c.text.push_str(&w.text);
                    c.x1 = c.x1.max(w.x1);
                }
                Some(c) if gap < COLUMN_GAP * unit => {
                    c.text.push(' ');
                    c.text.push_str(&w.text);
                    c.x1 = c.x1.max(w.x1);
                }
                _ => cells.push(Cell {
                    text: w.text,
                    x0: w.x0,
                    x1: w.x1,
                    y: w.y,
                    size: w.size,
                    font: w.font,
                }),
            }
            prev_x1 = prev_x1.max(w.x1);
        }
        out.push(Line { cells, y, size });
    }
    out
}

/// Stacks cells that overlap horizontally and follow each other at line
/// spacing into blocks.
fn blocks(lines: &[Line]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        for (ci, cell) in line.cells.iter().enumerate() {
            let reach = 1.9 * cell.size.max(1.0);
            // Only recent blocks can be just above (lines come top down):
            // a page of thousands of cells stays linear.
            let recent = blocks.len().saturating_sub(MAX_OPEN_BLOCKS);
            let found = blocks[recent..].iter_mut().rev().find(|b| {
                b.bottom - cell.y <= reach
                    && b.bottom > cell.y
                    && (cell.x0 - b.x0).abs() < 2.0 * cell.size.max(1.0)
            });
            match found {
                Some(b) => {
                    b.cells.push((li, ci));
                    b.x1 = b.x1.max(cell.x1);
                    b.bottom = cell.y;
                }
                None => blocks.push(Block {
                    cells: vec![(li, ci)],
                    x0: cell.x0,
                    x1: cell.x1,
                    top: cell.y + cell.size,
                    bottom: cell.y,
                }),
            }
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::TextRun;

    fn run(text: &str, x: f32, y: f32) -> TextRun {
        TextRun {
            text: text.into(),
            x,
            y,
            width: text.chars().count() as f32 * 5.0,
            size: 10.0,
            font: "Helvetica".into(),
        }
    }

    #[test]
    fn lines_sort_top_down_and_split_columns() {
        let content = PageContent {
            runs: vec![
                run("Total HT", 300.0, 100.0),
                run("1 000,00", 450.0, 100.5),
                run("FACTURE", 50.0, 800.0),
                run("N°", 50.0, 780.0),
                run("F-1", 65.0, 780.0),
            ],
            media_box: [0.0, 0.0, 595.0, 842.0],
            ..Default::default()
        };
        let p = page(1, &content);
        let texts: Vec<String> = p.lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["FACTURE", "N° F-1", "Total HT  1 000,00"]);
        assert_eq!(p.lines[2].cells.len(), 2);
    }

    #[test]
    fn letters_stacked_up_the_margin_are_no_cells() {
        let mut runs = vec![
            run("Désignation", 50.0, 500.0),
            run("Montant", 450.0, 500.0),
        ];
        for (i, c) in "Copyright".chars().enumerate() {
            runs.push(run(&c.to_string(), 23.0, 520.0 - 4.0 * i as f32));
        }
        let p = page(
            1,
            &PageContent {
                runs,
                ..Default::default()
            },
        );
        let texts: Vec<String> = p.lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["Désignation  Montant"]);
        // A column of « 1 » on twelve rows, a line apart: quantities.
        let mut runs = vec![];
        for i in 0..12 {
            runs.push(run("Article", 50.0, 500.0 - 12.0 * i as f32));
            runs.push(run("1", 300.0, 500.0 - 12.0 * i as f32));
        }
        let p = page(
            1,
            &PageContent {
                runs,
                ..Default::default()
            },
        );
        assert_eq!(p.lines.len(), 12);
        assert!(p.lines.iter().all(|l| l.cells.len() == 2));
    }

    #[test]
    fn stacked_cells_make_one_block() {
        let content = PageContent {
            runs: vec![
                run("ACME SARL", 50.0, 700.0),
                run("Client SA", 350.0, 700.0),
                run("1 rue de la Paix", 50.0, 688.0),
                run("2 avenue Foch", 350.0, 688.0),
                run("75001 Paris", 50.0, 676.0),
            ],
            ..Default::default()
        };
        let p = page(1, &content);
        assert_eq!(p.blocks.len(), 2);
        assert_eq!(p.blocks[0].cells.len(), 3);
        assert_eq!(p.blocks[1].cells.len(), 2);
    }
}
