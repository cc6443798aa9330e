//! A recorded invoice's pages as the reader laid them out, for the window to
//! draw beside what was read on them: each phrase with its box and the
//! ruling lines, in PDF page space (points, y upwards), the boxes made as
//! the reader makes the values' sources (`page N (x, y, w, h)`), so a value
//! and the phrase it was read from share one box.
//!
//! Deliberately not here: rendering (no glyphs, fonts, images or colours:
//! the window writes the text where it sits), meaning (the reader's), and
//! pages outside the recorded invoice (annexes are not drawn).

use serde::Serialize;

use crate::mirror::store::{Store, StoreError};
use crate::read::{self, Reading, Source};

/// One page: its size, its phrases, its ruling lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageView {
    /// 1-based, in the file.
    pub number: usize,
    pub width: f32,
    pub height: f32,
    /// Phrases (words of one line closer than a column gap), in reading order.
    pub words: Vec<WordBox>,
    pub rules: Vec<RuleLine>,
}

/// A phrase and its box: x, y of the lower left corner, width, height.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub text: String,
}

/// A straight ruling line (table borders, separators).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RuleLine {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// At most this many pages are drawn for one invoice: enough for any real
/// invoice, bounded for a file that is not one.
pub const MAX_PAGES: usize = 20;

/// The pages `first..=last` of a reading, as the window draws them.
pub fn of_reading(reading: &Reading, first: usize, last: usize) -> Vec<PageView> {
    reading
        .pages
        .iter()
        .filter(|p| (first..=last).contains(&p.number))
        .take(MAX_PAGES)
        .map(|p| PageView {
            number: p.number,
            width: p.width,
            height: p.height,
            words: p
                .lines
                .iter()
                .flat_map(|l| &l.cells)
                .filter_map(|c| match read::fields::source_of(p.number, c) {
                    Source::Page { x, y, w, h, .. } => Some(WordBox {
                        x,
                        y,
                        w,
                        h,
                        text: c.text.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            rules: p
                .rules
                .iter()
                .map(|r| RuleLine {
                    x0: r.x0,
                    y0: r.y0,
                    x1: r.x1,
                    y1: r.y1,
                })
                .collect(),
        })
        .collect()
}

/// The pages of the (first) invoice read in recorded invoice `id`'s PDF,
/// while its file still holds the checked bytes; `None` when the file is
/// gone or changed, or is no PDF the reader can open.
pub fn invoice_pages(
    store: &Store,
    home: &std::path::Path,
    id: i64,
) -> Result<Option<Vec<PageView>>, StoreError> {
    let Some(bytes) = super::checked_pdf(store, home, id)? else {
        return Ok(None);
    };
    let Ok(reading) = read::read_bytes(&bytes, &[]) else {
        return Ok(None);
    };
    let (first, last) = reading
        .invoices
        .first()
        .map(|i| (i.first_page.max(1), i.last_page.max(i.first_page).max(1)))
        .unwrap_or((1, 1));
    Ok(Some(of_reading(&reading, first, last)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sample::{SampleInvoice, invoice_pdf};

    #[test]
    fn a_value_read_sits_in_the_box_of_a_phrase_drawn_on_its_page() {
        let pdf = invoice_pdf(&SampleInvoice::example(2), false);
        let reading = read::read_bytes(&pdf, &[]).unwrap();
        let inv = &reading.invoices[0];
        let pages = of_reading(&reading, inv.first_page, inv.last_page);
        assert_eq!(pages.len(), inv.last_page - inv.first_page + 1);
        let page = &pages[0];
        assert!(page.width > 500.0 && page.height > 700.0, "{page:?}");
        let number = inv.number.as_ref().expect("the sample's number is read");
        let Source::Page {
            page: n,
            x,
            y,
            w,
            h,
        } = number.source
        else {
            panic!("read on a page: {number:?}");
        };
        assert_eq!(n, page.number);
        // The phrase holding the number has the number's own box.
        let phrase = page
            .words
            .iter()
            .find(|b| b.text.contains(&number.value))
            .expect("the number is drawn");
        let near = |a: f32, b: f32| (a - b).abs() < 1.0;
        assert!(
            near(phrase.y, y)
                && near(phrase.h, h)
                && phrase.x <= x + 0.5
                && phrase.x + phrase.w >= x + w - 0.5,
            "{phrase:?} vs ({x}, {y}, {w}, {h})"
        );
        assert!(
            page.words
                .iter()
                .all(|b| !b.text.trim().is_empty() && b.w > 0.0)
        );
        // Nothing outside the asked pages.
        assert!(of_reading(&reading, 9, 9).is_empty());
    }
}
