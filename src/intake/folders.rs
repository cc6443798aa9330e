//! The configured watched folders: each folder's path and its own settings
//! (subfolders too, "check only" or "check and submit", the account it
//! submits to, tidy-up, paused), kept in the `watched_folders` table so the
//! window, `facteur folders` and `facteur watch` share them.
//!
//! A folder's target is an account name, `None` meaning the built-in
//! demonstration portal's account; it stays an `Option<String>` so that an
//! automatic choice by customer can be added beside it.
//!
//! The rows themselves are read and written by the store's
//! [`crate::mirror::store::folders`] family; this module checks what goes in
//! (the folder exists, the account does) and makes paths absolute.
//!
//! Deliberately not here: watching itself ([`crate::intake::watch`] takes the
//! [`watch::Folder`] values [`WatchedFolder::to_watch`] builds) and any
//! check that the folder exists at watch time (a USB drive may be
//! unplugged: the watcher says so, the configuration stays).

use std::path::{Path, PathBuf};

use crate::intake::watch;
pub use crate::mirror::store::folders::{Change, Mode, NewFolder, WatchedFolder};
use crate::mirror::store::{Store, StoreError};
use crate::send::accounts;
use crate::send::accounts::AccountError;

#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path} is not a folder: {detail}")]
    NotAFolder { path: PathBuf, detail: String },
    #[error("{0} is already watched")]
    Exists(PathBuf),
    #[error("no watched folder matches \"{0}\"")]
    NotFound(String),
    #[error("unknown mode \"{0}\" (check, submit)")]
    Mode(String),
    #[error(transparent)]
    Account(#[from] AccountError),
}

type Result<T> = std::result::Result<T, FolderError>;

impl Mode {
    /// A mode as the user gives it (`check`, `submit`, or the long names).
    pub fn parse(s: &str) -> Result<Mode> {
        match s {
            "check" | "check_only" => Ok(Mode::Check),
            "submit" | "check_and_submit" => Ok(Mode::Submit),
            other => Err(FolderError::Mode(other.to_string())),
        }
    }
}

impl WatchedFolder {
    /// The folder as the watcher takes it, its account resolved ("check
    /// only" folders have none).
    pub fn to_watch(&self, store: &Store) -> Result<watch::Folder> {
        let submit_to = match self.mode {
            Mode::Check => None,
            Mode::Submit => Some(accounts::resolve(store, self.account.as_deref())?),
        };
        Ok(watch::Folder {
            path: self.path.clone(),
            recursive: self.recursive,
            submit_to,
            routed: self.mode == Mode::Submit && self.account.is_none(),
            tidy: self.tidy,
            id: Some(self.id),
            make_facturx: self.make_facturx,
        })
    }
}

/// Adds a folder (made absolute, links resolved). The folder must exist
/// now; an account named for it must exist too.
pub fn add(store: &mut Store, path: &Path, new: &NewFolder, now_ms: i64) -> Result<WatchedFolder> {
    let path = path.canonicalize().map_err(|e| FolderError::NotAFolder {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    if !path.is_dir() {
        return Err(FolderError::NotAFolder {
            path,
            detail: "a file".into(),
        });
    }
    if let Some(name) = &new.account {
        accounts::resolve(store, Some(name))?;
    }
    let text = path.to_string_lossy().into_owned();
    if !store.add_watched_folder(&text, new, now_ms)? {
        return Err(FolderError::Exists(path));
    }
    tracing::info!(folder = %path.display(), "watched folder added");
    find(store, &text)
}

/// Every configured folder, in the order they were added.
pub fn list(store: &Store) -> Result<Vec<WatchedFolder>> {
    Ok(store.watched_folders()?)
}

/// A folder by `#id`, by its id as a number, or by its path (as given or
/// made absolute).
pub fn find(store: &Store, key: &str) -> Result<WatchedFolder> {
    let by_id = key.strip_prefix('#').unwrap_or(key).parse::<i64>().ok();
    let absolute = Path::new(key)
        .canonicalize()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| key.to_string());
    let found = store.watched_folder(by_id, [key, &absolute])?;
    found.ok_or_else(|| FolderError::NotFound(key.to_string()))
}

/// Changes one setting of a folder; returns it as it now is.
pub fn change(store: &mut Store, id: i64, change: &Change) -> Result<WatchedFolder> {
    if let Change::Account(Some(name)) = change {
        accounts::resolve(store, Some(name))?;
    }
    if !store.change_watched_folder(id, change)? {
        return Err(FolderError::NotFound(format!("#{id}")));
    }
    find(store, &format!("#{id}"))
}

/// Stops watching a folder for good: its configuration is removed; its
/// files, and everything recorded about them, stay.
pub fn remove(store: &mut Store, id: i64) -> Result<()> {
    if !store.remove_watched_folder(id)? {
        return Err(FolderError::NotFound(format!("#{id}")));
    }
    tracing::info!(folder = id, "watched folder removed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_added_changed_found_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let f = add(&mut store, dir.path(), &NewFolder::default(), 1).unwrap();
        assert_eq!(f.mode, Mode::Check);
        assert!(!f.recursive && !f.tidy && !f.paused && f.account.is_none());
        assert_eq!(f.path, dir.path().canonicalize().unwrap());
        assert!(matches!(
            add(&mut store, dir.path(), &NewFolder::default(), 2),
            Err(FolderError::Exists(_))
        ));
        let f = change(&mut store, f.id, &Change::Mode(Mode::Submit)).unwrap();
        let f = change(&mut store, f.id, &Change::Tidy(true)).unwrap();
        let f = change(&mut store, f.id, &Change::Paused(true)).unwrap();
        assert_eq!((f.mode, f.tidy, f.paused), (Mode::Submit, true, true));
        assert_eq!(list(&store).unwrap(), vec![f.clone()]);
        assert_eq!(find(&store, &format!("#{}", f.id)).unwrap(), f);
        assert_eq!(find(&store, dir.path().to_str().unwrap()).unwrap(), f);
        // Submitting with no account named: the demonstration portal.
        let w = f.to_watch(&store).unwrap();
        assert_eq!(w.submit_to.unwrap().name, accounts::SANDBOX_ACCOUNT);
        // An account that does not exist is refused, the folder unchanged.
        assert!(change(&mut store, f.id, &Change::Account(Some("nowhere".into()))).is_err());
        assert_eq!(find(&store, "#1").unwrap().account, None);
        remove(&mut store, f.id).unwrap();
        assert!(list(&store).unwrap().is_empty());
        assert!(matches!(
            remove(&mut store, f.id),
            Err(FolderError::NotFound(_))
        ));
        // A file, or nothing at all, is not a folder.
        let file = dir.path().join("f.pdf");
        std::fs::write(&file, b"x").unwrap();
        for p in [file, dir.path().join("absent")] {
            assert!(matches!(
                add(&mut store, &p, &NewFolder::default(), 3),
                Err(FolderError::NotAFolder { .. })
            ));
        }
        assert!(Mode::parse("later").is_err());
    }
}
