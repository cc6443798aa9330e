//! Learned invoice layouts as the screens and the CLI use them: confirm the
//! owner's reading of a file (record it and learn its layout), list and
//! remove layouts, and load them for the reader.
//!
//! Deliberately thin: learning is [`crate::read::learn`], the rows are the
//! store's ([`super::store::layouts`]); this module only joins the two, so
//! the window's « corriger la lecture » and `facteur read --confirm` do
//! exactly the same thing.

use sha2::{Digest, Sha256};

use super::store::layouts::{LayoutRow, NewLayout};
use super::store::{Store, StoreError, now_ms};
use crate::read::{self, Invoice, Layout, en16931};

#[derive(Debug, thiserror::Error)]
pub enum LearnedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the confirmed reading cannot be taken: {0}")]
    Format(#[from] en16931::FormatError),
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

/// What one confirmation learned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Learned {
    /// The confirmed invoice's position in the confirmed reading.
    pub invoice: usize,
    /// The layout kept (a new one, or the same seller's one replaced).
    pub layout_id: i64,
    pub fields: usize,
    pub table: bool,
}

/// Every learned layout, ready for the reader.
pub fn layouts(store: &Store) -> Result<Vec<Layout>, LearnedError> {
    Ok(store
        .layouts()?
        .into_iter()
        .filter_map(|r| Layout::from_json(r.id, &r.data))
        .collect())
}

/// The rows, for a settings list.
pub fn list(store: &Store) -> Result<Vec<LayoutRow>, LearnedError> {
    Ok(store.layouts()?)
}

/// Forgets a layout; false when there was none.
pub fn remove(store: &mut Store, id: i64) -> Result<bool, LearnedError> {
    Ok(store.remove_layout(id)?)
}

/// Records the owner's confirmed reading of a PDF (its bytes) and learns
/// the layout of each confirmed invoice. A layout of the same seller with
/// the same fingerprint is replaced, so correcting twice keeps one.
pub fn confirm(
    store: &mut Store,
    pdf: &[u8],
    confirmed: &[Invoice],
) -> Result<Vec<Learned>, LearnedError> {
    let sha = format!("{:x}", Sha256::digest(pdf));
    let reading = read::read_bytes(pdf, &[]).map_err(LearnedError::Unreadable)?;
    let existing = layouts(store)?;
    let mut out = Vec::new();
    for (index, layout) in read::learn::confirm(&reading, confirmed) {
        let replace = existing
            .iter()
            .find(|l| l.seller_key == layout.seller_key && l.fingerprint == layout.fingerprint)
            .map(|l| l.id);
        let data = layout.to_json();
        let fp = layout.fingerprint_text();
        let new = NewLayout {
            replace,
            seller_key: &layout.seller_key,
            seller_name: layout.seller_name.as_deref(),
            fingerprint: &fp,
            data: &data,
            fields: layout.fields.len() as i64,
        };
        let json = en16931::to_json(&confirmed[index]).to_string();
        let id = store.save_layout(&new, &sha, index as i64, &json, now_ms())?;
        out.push(Learned {
            invoice: index,
            layout_id: id,
            fields: layout.fields.len(),
            table: layout.table.is_some(),
        });
    }
    Ok(out)
}
