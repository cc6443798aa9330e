//! The configured watched folders (`watched_folders`): each folder's path
//! and its own settings, as [`crate::intake::folders`] reads and changes
//! them for the window, `facteur folders` and `facteur watch`.
//!
//! Deliberately not here: checking that a path is a folder, that an
//! account exists, or parsing a mode the user typed (all in
//! [`crate::intake::folders`]), and watching itself
//! ([`crate::intake::watch`]).

use std::path::PathBuf;

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Result, Store};

/// What a folder does with each file it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Check and record only (the default).
    Check,
    /// Check, record and, when accepted, queue for the folder's account.
    Submit,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Check => "check",
            Mode::Submit => "submit",
        }
    }
}

/// One configured folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchedFolder {
    pub id: i64,
    pub path: PathBuf,
    pub recursive: bool,
    pub mode: Mode,
    /// The account a "submit" folder sends to; `None`: the built-in
    /// demonstration portal's account.
    pub account: Option<String>,
    pub tidy: bool,
    pub paused: bool,
    /// Make the Factur-X of each plain PDF (sent when every value is sure
    /// and the rules pass, held for review otherwise).
    pub make_facturx: bool,
}

/// The settings of a folder being added.
#[derive(Debug, Clone, Default)]
pub struct NewFolder {
    pub recursive: bool,
    pub mode: Option<Mode>,
    pub account: Option<String>,
    pub tidy: bool,
    pub make_facturx: bool,
}

/// One setting changed.
#[derive(Debug, Clone)]
pub enum Change {
    Recursive(bool),
    Mode(Mode),
    Account(Option<String>),
    Tidy(bool),
    Paused(bool),
    MakeFacturx(bool),
}

const COLUMNS: &str = "id, path, recursive, mode, account, tidy, paused, make_facturx";

fn from_row(r: &Row<'_>) -> rusqlite::Result<WatchedFolder> {
    let mode: String = r.get(3)?;
    Ok(WatchedFolder {
        id: r.get(0)?,
        path: PathBuf::from(r.get::<_, String>(1)?),
        recursive: r.get(2)?,
        // The table's CHECK allows only these two.
        mode: if mode == Mode::Submit.as_str() {
            Mode::Submit
        } else {
            Mode::Check
        },
        account: r.get(4)?,
        tidy: r.get(5)?,
        paused: r.get(6)?,
        make_facturx: r.get(7)?,
    })
}

impl Store {
    /// Adds a folder under `path` (already made absolute by the caller);
    /// `false`, and nothing written, when that path is already watched.
    pub fn add_watched_folder(&mut self, path: &str, new: &NewFolder, now_ms: i64) -> Result<bool> {
        let tx = self.write()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM watched_folders WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO watched_folders (path, recursive, mode, account, tidy, paused, created_ms, make_facturx) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)",
            params![
                path,
                new.recursive,
                new.mode.unwrap_or(Mode::Check).as_str(),
                new.account,
                new.tidy,
                now_ms,
                new.make_facturx
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Every configured folder, in the order they were added.
    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM watched_folders ORDER BY id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The first folder (by id) whose id is `id` or whose path is one of
    /// `paths`.
    pub fn watched_folder(
        &self,
        id: Option<i64>,
        paths: [&str; 2],
    ) -> Result<Option<WatchedFolder>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM watched_folders WHERE id = ?1 OR path = ?2 OR path = ?3 ORDER BY id LIMIT 1"
                ),
                params![id, paths[0], paths[1]],
                from_row,
            )
            .optional()?)
    }

    /// Changes one setting of a folder; `false` when there is no folder
    /// `id`.
    pub fn change_watched_folder(&mut self, id: i64, change: &Change) -> Result<bool> {
        let tx = self.write()?;
        let n = match change {
            Change::Recursive(v) => tx.execute(
                "UPDATE watched_folders SET recursive = ?2 WHERE id = ?1",
                params![id, v],
            )?,
            Change::Mode(m) => tx.execute(
                "UPDATE watched_folders SET mode = ?2 WHERE id = ?1",
                params![id, m.as_str()],
            )?,
            Change::Account(a) => tx.execute(
                "UPDATE watched_folders SET account = ?2 WHERE id = ?1",
                params![id, a],
            )?,
            Change::Tidy(v) => tx.execute(
                "UPDATE watched_folders SET tidy = ?2 WHERE id = ?1",
                params![id, v],
            )?,
            Change::Paused(v) => tx.execute(
                "UPDATE watched_folders SET paused = ?2 WHERE id = ?1",
                params![id, v],
            )?,
            Change::MakeFacturx(v) => tx.execute(
                "UPDATE watched_folders SET make_facturx = ?2 WHERE id = ?1",
                params![id, v],
            )?,
        };
        tx.commit()?;
        Ok(n > 0)
    }

    /// Removes a folder's configuration; `false` when there is no folder
    /// `id`. Its files, and everything recorded about them, stay.
    pub fn remove_watched_folder(&mut self, id: i64) -> Result<bool> {
        let tx = self.write()?;
        let n = tx.execute("DELETE FROM watched_folders WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_watched_once_and_a_missing_folder_is_said_so() {
        let mut s = Store::open_in_memory().unwrap();
        let new = NewFolder {
            mode: Some(Mode::Submit),
            ..NewFolder::default()
        };
        assert!(s.add_watched_folder("/f", &new, 1).unwrap());
        assert!(
            !s.add_watched_folder("/f", &NewFolder::default(), 2)
                .unwrap()
        );
        let all = s.watched_folders().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].mode, Mode::Submit);
        let id = all[0].id;
        assert_eq!(
            s.watched_folder(None, ["/f", "/f"]).unwrap(),
            Some(all[0].clone())
        );
        assert_eq!(
            s.watched_folder(Some(id), ["x", "y"]).unwrap(),
            Some(all[0].clone())
        );
        assert!(
            s.change_watched_folder(id, &Change::Mode(Mode::Check))
                .unwrap()
        );
        assert_eq!(
            s.watched_folder(Some(id), ["", ""]).unwrap().unwrap().mode,
            Mode::Check
        );
        assert!(
            !s.change_watched_folder(id + 1, &Change::Tidy(true))
                .unwrap()
        );
        assert!(s.remove_watched_folder(id).unwrap());
        assert!(!s.remove_watched_folder(id).unwrap());
        assert_eq!(s.watched_folder(Some(id), ["/f", "/f"]).unwrap(), None);
    }
}
