//! Learned invoice layouts (`layouts`) and the owner's confirmed readings
//! (`confirmed_readings`).
//!
//! Deliberately not here: what a layout means or how it is matched (the
//! reader, [`crate::read::learn`], owns its JSON `data`); the store keeps
//! rows and replaces a seller's layout when the same one is learned again.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

/// One stored layout.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayoutRow {
    pub id: i64,
    pub seller_key: String,
    pub seller_name: Option<String>,
    pub fingerprint: String,
    /// The reader's JSON.
    pub data: String,
    /// How many fields were learned.
    pub fields: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A layout to keep (`replace`: the id of the row it supersedes).
#[derive(Debug, Clone)]
pub struct NewLayout<'a> {
    pub replace: Option<i64>,
    pub seller_key: &'a str,
    pub seller_name: Option<&'a str>,
    pub fingerprint: &'a str,
    pub data: &'a str,
    pub fields: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LayoutRow> {
    Ok(LayoutRow {
        id: r.get(0)?,
        seller_key: r.get(1)?,
        seller_name: r.get(2)?,
        fingerprint: r.get(3)?,
        data: r.get(4)?,
        fields: r.get(5)?,
        created_ms: r.get(6)?,
        updated_ms: r.get(7)?,
    })
}

const COLUMNS: &str =
    "id, seller_key, seller_name, fingerprint, data, fields, created_ms, updated_ms";

impl Store {
    /// Every layout, most recently learned first.
    pub fn layouts(&self) -> Result<Vec<LayoutRow>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM layouts ORDER BY updated_ms DESC, id DESC"
        ))?;
        let rows = st
            .query_map([], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A value that changes whenever a layout is learned, replaced or
    /// removed: a long-running reader (the watcher) reloads the layouts
    /// when it differs from the one it read them with.
    pub fn layouts_stamp(&self) -> Result<(i64, i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(updated_ms), 0) FROM layouts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    pub fn layout(&self, id: i64) -> Result<Option<LayoutRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM layouts WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?)
    }

    /// Keeps a layout (replacing `replace` when given) and the confirmed
    /// reading it was learned from, in one transaction. Returns its id.
    pub fn save_layout(
        &mut self,
        layout: &NewLayout<'_>,
        sha256: &str,
        invoice_index: i64,
        reading: &str,
        now_ms: i64,
    ) -> Result<i64> {
        let tx = self.write()?;
        let existing = match layout.replace {
            Some(id) => tx
                .query_row("SELECT id FROM layouts WHERE id = ?1", [id], |r| r.get(0))
                .optional()?,
            None => None,
        };
        let id: i64 = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE layouts SET seller_key = ?2, seller_name = ?3, fingerprint = ?4,
                     data = ?5, fields = ?6, updated_ms = ?7 WHERE id = ?1",
                    params![
                        id,
                        layout.seller_key,
                        layout.seller_name,
                        layout.fingerprint,
                        layout.data,
                        layout.fields,
                        now_ms
                    ],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO layouts (seller_key, seller_name, fingerprint, data, fields, created_ms, updated_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    params![
                        layout.seller_key,
                        layout.seller_name,
                        layout.fingerprint,
                        layout.data,
                        layout.fields,
                        now_ms
                    ],
                )?;
                tx.last_insert_rowid()
            }
        };
        tx.execute(
            "INSERT INTO confirmed_readings (sha256, invoice_index, reading, layout_id, confirmed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256, invoice_index, reading, id, now_ms],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Forgets a layout (its confirmed readings stay, unlinked). False when
    /// there was none with that id.
    pub fn remove_layout(&mut self, id: i64) -> Result<bool> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE confirmed_readings SET layout_id = NULL WHERE layout_id = ?1",
            [id],
        )?;
        let n = tx.execute("DELETE FROM layouts WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// The confirmed readings of a document, oldest first: (invoice index,
    /// reading JSON).
    pub fn confirmed_readings(&self, sha256: &str) -> Result<Vec<(i64, String)>> {
        let mut st = self.conn.prepare(
            "SELECT invoice_index, reading FROM confirmed_readings WHERE sha256 = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_is_kept_replaced_and_removed() {
        let mut s = Store::open_in_memory().unwrap();
        let new = NewLayout {
            replace: None,
            seller_key: "FR40303265045",
            seller_name: Some("ACME"),
            fingerprint: "a|b",
            data: "{}",
            fields: 3,
        };
        let id = s
            .save_layout(&new, "abc", 0, "{\"BT-1\":\"F-1\"}", 10)
            .unwrap();
        assert_eq!(s.layouts().unwrap().len(), 1);
        let again = NewLayout {
            replace: Some(id),
            fields: 5,
            ..new.clone()
        };
        assert_eq!(s.save_layout(&again, "def", 0, "{}", 20).unwrap(), id);
        let rows = s.layouts().unwrap();
        assert_eq!((rows.len(), rows[0].fields, rows[0].updated_ms), (1, 5, 20));
        assert_eq!(s.confirmed_readings("abc").unwrap().len(), 1);
        assert!(s.remove_layout(id).unwrap());
        assert!(!s.remove_layout(id).unwrap());
        assert!(s.layouts().unwrap().is_empty());
        assert_eq!(s.confirmed_readings("abc").unwrap().len(), 1);
    }
}
