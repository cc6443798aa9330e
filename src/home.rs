//! Where Facteur keeps its configuration, database and logs, and how
//! private that folder is.
//!
//! `FACTEUR_HOME` names the folder; without it, the platform's data
//! directory (`~/.local/share/facteur` on Linux, `~/Library/Application
//! Support/facteur` on macOS, `%APPDATA%\facteur` on Windows). The folder
//! holds customers' IBANs and SIRETs (the database) and invoices (the
//! outbox): on Unix it is created `0700` and every file Facteur writes
//! there `0600`, whatever the umask; [`ensure`] fixes an existing folder
//! made looser by an older version. This module deliberately holds no
//! secrets (those live in the OS keyring), reads no configuration and
//! follows no symbolic link while fixing permissions.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// The environment variable naming the home folder.
pub const ENV: &str = "FACTEUR_HOME";

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("no data directory is known for this platform; set {ENV}")]
    NoDataDir,
    #[error("cannot create the Facteur folder {path}: {source}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The home folder, without creating it.
pub fn resolve() -> Result<PathBuf, HomeError> {
    match std::env::var_os(ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => dirs::data_dir()
            .map(|d| d.join("facteur"))
            .ok_or(HomeError::NoDataDir),
    }
}

/// The home folder, created if missing (`0700` on Unix), its existing
/// folders and files made private to their owner.
pub fn ensure() -> Result<PathBuf, HomeError> {
    let path = resolve()?;
    create_private_dir(&path).map_err(|source| HomeError::Create {
        path: path.clone(),
        source,
    })?;
    // Once per process and home: a command asking for its home several
    // times walks the outbox once.
    static SECURED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut done = SECURED.lock().unwrap_or_else(|p| p.into_inner());
    if !done.contains(&path) {
        secure(&path);
        done.push(path.clone());
    }
    Ok(path)
}

/// Creates `path` and its missing parents; the folders created are `0700`
/// on Unix (the parents above an existing one are left as they are).
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Options that create a file readable and writable by its owner only
/// (`0600` on Unix), for whatever Facteur writes in its home.
pub fn private_file() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o
}

/// Writes `bytes` to a new or existing file at `path`, `0600` on Unix.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = private_file().open(path)?;
    f.write_all(bytes)?;
    make_private(path);
    Ok(())
}

/// Takes group and other permissions away from `path` (a file or a
/// folder, never through a symbolic link); a failure is logged, never
/// fatal (the folder may be on a file system without Unix modes).
pub fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if meta.file_type().is_symlink() {
            return;
        }
        let mode = meta.permissions().mode();
        if mode & 0o077 == 0 {
            return;
        }
        let private = if meta.is_dir() { 0o700 } else { mode & 0o700 };
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(private)) {
            tracing::warn!(path = %path.display(), "cannot make it private: {e}");
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
    }
}

/// Makes `home` and everything under it private to its owner, without
/// following symbolic links (a link's target is not Facteur's to change).
pub fn secure(home: &Path) {
    make_private(home);
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_symlink() {
                continue;
            }
            let p = e.path();
            make_private(&p);
            if kind.is_dir() {
                stack.push(p);
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_loose_home_is_made_private_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let outside = tmp.path().join("outside.txt");
        std::fs::write(&outside, "x").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::create_dir_all(home.join("outbox")).unwrap();
        std::fs::write(home.join("facteur.db"), "db").unwrap();
        std::fs::write(home.join("outbox/a.pdf"), "pdf").unwrap();
        std::os::unix::fs::symlink(&outside, home.join("link")).unwrap();
        for p in [&home, &home.join("outbox")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for p in [home.join("facteur.db"), home.join("outbox/a.pdf")] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o664)).unwrap();
        }
        super::secure(&home);
        assert_eq!(mode(&home), 0o700);
        assert_eq!(mode(&home.join("outbox")), 0o700);
        assert_eq!(mode(&home.join("facteur.db")), 0o600);
        assert_eq!(mode(&home.join("outbox/a.pdf")), 0o600);
        assert_eq!(mode(&outside), 0o644, "a link's target is left alone");
    }
}
