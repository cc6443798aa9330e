//! Where Facteur keeps its configuration, database and logs.
//!
//! `FACTEUR_HOME` names the folder; without it, the platform's data
//! directory (`~/.local/share/facteur` on Linux, `~/Library/Application
//! Support/facteur` on macOS, `%APPDATA%\facteur` on Windows). This module
//! only resolves and creates the folder; it deliberately holds no secrets
//! (those live in the OS keyring) and reads no configuration.

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

/// The home folder, created if missing.
pub fn ensure() -> Result<PathBuf, HomeError> {
    let path = resolve()?;
    create(&path)?;
    Ok(path)
}

fn create(path: &Path) -> Result<(), HomeError> {
    std::fs::create_dir_all(path).map_err(|source| HomeError::Create {
        path: path.to_path_buf(),
        source,
    })
}
