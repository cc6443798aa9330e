//! The portal accounts' table (`accounts`): each account's name, kind and
//! non-secret settings, and the *names* of its secret fields, stored as
//! the text [`crate::send::accounts`] writes and reads back.
//!
//! Deliberately not here: the secrets themselves (only in the OS keyring,
//! never in this database), decoding a row into an account (its kind and
//! settings are [`crate::send::accounts`]' to judge), and the built-in
//! demonstration accounts, which have no row.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

/// An account as stored: its kind and settings as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub name: String,
    /// The kind's name (`mail_deposit`, `chorus_pro`…).
    pub kind: String,
    /// The non-secret settings, a JSON object of strings.
    pub settings_json: String,
    /// The names of the secret fields, a JSON list.
    pub secret_fields: String,
}

const COLUMNS: &str = "name, kind, settings_json, secret_fields";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        name: r.get(0)?,
        kind: r.get(1)?,
        settings_json: r.get(2)?,
        secret_fields: r.get(3)?,
    })
}

impl Store {
    /// Writes a new account's row.
    pub fn insert_account(&mut self, row: &AccountRow, now_ms: i64) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO accounts (name, kind, settings_json, secret_fields, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                row.name,
                row.kind,
                row.settings_json,
                row.secret_fields,
                now_ms
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The row of the account named `name`, if there is one.
    pub fn account_row(&self, name: &str) -> Result<Option<AccountRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM accounts WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?)
    }

    /// Every account's row, by name.
    pub fn account_rows(&self) -> Result<Vec<AccountRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM accounts ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Removes an account's row (nothing when there is none).
    pub fn delete_account(&mut self, name: &str) -> Result<()> {
        let tx = self.write()?;
        tx.execute("DELETE FROM accounts WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> AccountRow {
        AccountRow {
            name: name.into(),
            kind: "mail_deposit".into(),
            settings_json: r#"{"smtp_host":"smtp.example.fr"}"#.into(),
            secret_fields: r#"["smtp_password"]"#.into(),
        }
    }

    #[test]
    fn rows_come_back_as_written_by_name() {
        let mut s = Store::open_in_memory().unwrap();
        s.insert_account(&row("zeta"), 1).unwrap();
        s.insert_account(&row("alpha"), 2).unwrap();
        assert_eq!(s.account_row("zeta").unwrap(), Some(row("zeta")));
        let names: Vec<String> = s
            .account_rows()
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["alpha", "zeta"]);
        // A name is taken once.
        assert!(s.insert_account(&row("alpha"), 3).is_err());
        // The table refuses a kind it does not know.
        let odd = AccountRow {
            kind: "fax".into(),
            ..row("fax")
        };
        assert!(s.insert_account(&odd, 4).is_err());
        s.delete_account("zeta").unwrap();
        assert_eq!(s.account_row("zeta").unwrap(), None);
        s.delete_account("zeta").unwrap();
    }
}
