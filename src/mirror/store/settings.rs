//! The supplier's plain settings (`settings`): one text value per key, such
//! as which account sends routing's e-mail fallback.
//!
//! Deliberately not here: secrets, which never enter this table (they are
//! in the OS keyring), and the meaning of each key (its owner names it, as
//! [`crate::send::directory::EMAIL_ACCOUNT`] does).

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

impl Store {
    /// The value of a plain setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets (`Some`) or clears (`None`) a plain setting. Never for secrets.
    pub fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        let tx = self.write()?;
        match value {
            Some(v) => tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_set_replaced_and_cleared() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.setting("k").unwrap(), None);
        s.set_setting("k", Some("a")).unwrap();
        s.set_setting("k", Some("b")).unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("b"));
        s.set_setting("k", None).unwrap();
        assert_eq!(s.setting("k").unwrap(), None);
    }
}
