//! Corrections announced for rejected invoices: the number the corrected
//! invoice will carry, then the invoice that went as the correction.
//!
//! Deliberately not here: deciding that an invoice needs correcting (the
//! guidance does) and sending the correction (the outbox).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store};

/// A corrected invoice announced for a rejected one, seen from either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionLink {
    pub original_id: i64,
    pub original_number: String,
    /// The number the corrected invoice will carry.
    pub new_number: String,
    pub prepared_ms: i64,
    /// The invoice sent as the correction, once it is.
    pub corrected_by: Option<i64>,
}

impl Store {
    /// Remembers that the rejected invoice `original_id` will be corrected
    /// by an invoice numbered `new_number` (replacing an earlier choice
    /// while no correction was sent).
    pub fn prepare_correction(
        &mut self,
        original_id: i64,
        new_number: &str,
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO corrections (original_id, new_number, seller_siren, prepared_ms)
             SELECT id, ?2, seller_siren, ?3 FROM invoices WHERE id = ?1
             ON CONFLICT(original_id) DO UPDATE SET new_number = excluded.new_number,
                 prepared_ms = excluded.prepared_ms
             WHERE corrections.corrected_by IS NULL",
            params![original_id, new_number, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The invoice that `invoice_id` was announced to correct: same seller,
    /// its number, and no other correction sent for it.
    pub fn corrects(&self, invoice_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT c.original_id FROM corrections c JOIN invoices i ON i.id = ?1
                 WHERE c.new_number = i.number AND c.seller_siren IS i.seller_siren
                   AND c.original_id <> i.id
                   AND (c.corrected_by IS NULL OR c.corrected_by = i.id)",
                [invoice_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records that `by` went out as the correction of `original_id`.
    pub fn mark_corrected(&mut self, original_id: i64, by: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE corrections SET corrected_by = ?2 WHERE original_id = ?1",
            params![original_id, by],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The correction link of an invoice, whether it is the rejected
    /// original or the invoice that corrects (or will correct) it.
    pub fn correction(&self, invoice_id: i64) -> Result<Option<CorrectionLink>> {
        Ok(self
            .conn
            .query_row(
                "SELECT c.original_id, o.number, c.new_number, c.prepared_ms, c.corrected_by
                 FROM corrections c JOIN invoices o ON o.id = c.original_id
                 LEFT JOIN invoices i ON i.id = ?1
                 WHERE c.original_id = ?1 OR c.corrected_by = ?1
                    OR (c.corrected_by IS NULL AND c.new_number = i.number
                        AND c.seller_siren IS i.seller_siren)
                 ORDER BY c.original_id = ?1 DESC LIMIT 1",
                [invoice_id],
                |r| {
                    Ok(CorrectionLink {
                        original_id: r.get(0)?,
                        original_number: r.get(1)?,
                        new_number: r.get(2)?,
                        prepared_ms: r.get(3)?,
                        corrected_by: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::store::testing::{portal, report};

    #[test]
    fn a_prepared_correction_is_found_from_the_new_invoice_and_kept_once_sent() {
        let mut s = Store::open_in_memory().unwrap();
        let old = s
            .record_check(&report(6), 1000)
            .unwrap()
            .invoice_id
            .unwrap();
        s.append_event(old, &portal("rejetée", Some("Doublon"), 2000), 2000)
            .unwrap();
        s.prepare_correction(old, "F-2026-0099", 3000).unwrap();
        // Changing one's mind before anything is sent replaces the number.
        s.prepare_correction(old, "F-2026-0007", 3500).unwrap();
        let new = s
            .record_check(&report(7), 4000)
            .unwrap()
            .invoice_id
            .unwrap();
        let other = s
            .record_check(&report(8), 4000)
            .unwrap()
            .invoice_id
            .unwrap();
        assert_eq!(s.corrects(new).unwrap(), Some(old));
        assert_eq!(s.correction(new).unwrap().unwrap().original_id, old);
        assert_eq!(s.corrects(other).unwrap(), None);
        assert_eq!(s.corrects(old).unwrap(), None);
        s.mark_corrected(old, new).unwrap();
        let link = s.correction(new).unwrap().unwrap();
        assert_eq!(link.original_number, "F-2026-0006");
        assert_eq!(link.new_number, "F-2026-0007");
        assert_eq!(link.corrected_by, Some(new));
        assert_eq!(s.correction(old).unwrap(), Some(link));
        // Once sent, the announced number no longer changes.
        s.prepare_correction(old, "F-2026-0100", 5000).unwrap();
        assert_eq!(
            s.correction(old).unwrap().unwrap().new_number,
            "F-2026-0007"
        );
        assert_eq!(s.correction(other).unwrap(), None);
    }
}
