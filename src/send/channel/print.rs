//! The print channel: routing's paper fallback. « Sending » an invoice
//! places its exact PDF in the account's print folder, under the invoice's
//! number, and marks the invoice « à imprimer et poster »; the supplier
//! prints and posts it, then says so (`facteur posted`).
//!
//! A file already in the folder is never overwritten: a name clash gets a
//! suffix. After a crash mid-copy the folder is searched for the same bytes
//! (SHA-256), so an invoice is never placed twice; a half-written copy is
//! written aside and renamed only once complete, so it is never mistaken for
//! one.
//!
//! Deliberately not here: printing itself (the supplier's printer and
//! driver), postage, and any status after posting (the post sends none).

use std::path::{Path, PathBuf};

use super::{Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked};
use crate::mirror::lifecycle::{Status, Vocabulary};
use crate::send::accounts::Account;

/// A folder of invoices to print and post.
pub struct PrintChannel {
    account: String,
    folder: PathBuf,
}

impl PrintChannel {
    /// From an account of kind `print`: its `folder` setting.
    pub fn from_account(account: &Account) -> Result<PrintChannel, ChannelError> {
        let folder = account
            .settings
            .get("folder")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ChannelError::Config {
                account: account.name.clone(),
                detail: "the setting \"folder\" is missing (facteur account add … --set folder=…)"
                    .into(),
            })?;
        Ok(PrintChannel {
            account: account.name.clone(),
            folder: PathBuf::from(folder),
        })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn io(&self, what: &str, e: std::io::Error) -> ChannelError {
        ChannelError::Config {
            account: self.account.clone(),
            detail: format!("{what} {}: {e}", self.folder.display()),
        }
    }

    /// The PDF already in the folder with these very bytes, if any.
    fn find_copy(&self, sha256: &str) -> Result<Option<PathBuf>, ChannelError> {
        let entries = match std::fs::read_dir(&self.folder) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("cannot read the print folder", e)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_pdf = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
            if !is_pdf {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path)
                && crate::hex::sha256(&bytes) == sha256
            {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    fn to_post(&self, path: &Path) -> PortalEvent {
        PortalEvent {
            portal_ref: Some(path.display().to_string()),
            number: None,
            at_ms: crate::mirror::store::now_ms(),
            vocabulary: Vocabulary::Local,
            raw_status: Status::ToPost.as_str().to_string(),
            raw_reason: Some(format!("à imprimer : {}", path.display())),
        }
    }
}

/// A file name from an invoice number: letters, digits, `-`, `_` and `.`
/// kept, everything else `_`.
fn safe_name(number: &str) -> String {
    let s: String = number
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "facture".into() } else { s }
}

/// `dir/name.pdf`, or `dir/name (2).pdf`… the first that does not exist.
pub fn free_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} ({n}).{ext}")
        };
        let p = dir.join(name);
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

impl Channel for PrintChannel {
    fn kind(&self) -> &'static str {
        "print"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::Local
    }

    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError> {
        super::require_pdf(out, crate::send::accounts::Kind::Print, &self.account)
    }

    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        std::fs::create_dir_all(&self.folder)
            .map_err(|e| self.io("cannot create the print folder", e))?;
        if let Some(existing) = self.find_copy(&out.sha256)? {
            return Ok(Delivered {
                portal_ref: existing.display().to_string(),
                events: vec![self.to_post(&existing)],
            });
        }
        let tmp = self.folder.join(format!(
            ".facteur-{}.part",
            &out.sha256[..16.min(out.sha256.len())]
        ));
        std::fs::write(&tmp, &out.pdf).map_err(|e| self.io("cannot write into", e))?;
        // Never overwrite: pick a free name, then hard-link (fails if the
        // name appeared meanwhile) and drop the temporary name.
        let stem = safe_name(&out.number);
        let dest = loop {
            let dest = free_path(&self.folder, &stem, "pdf");
            match std::fs::hard_link(&tmp, &dest) {
                Ok(()) => break dest,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) => {
                    // A file system without hard links: rename is the best
                    // left, and `free_path` just saw the name free.
                    std::fs::rename(&tmp, &dest).map_err(|e| self.io("cannot write into", e))?;
                    break dest;
                }
            }
        };
        let _ = std::fs::remove_file(&tmp);
        tracing::info!(account = %self.account, invoice = out.invoice_id, path = %dest.display(), "invoice placed for printing");
        Ok(Delivered {
            portal_ref: dest.display().to_string(),
            events: vec![self.to_post(&dest)],
        })
    }

    async fn lookup(&self, out: &Outgoing) -> Result<Lookup, ChannelError> {
        Ok(match self.find_copy(&out.sha256)? {
            Some(p) => Lookup::Found {
                portal_ref: p.display().to_string(),
            },
            None => Lookup::NotFound,
        })
    }

    async fn replay(&self, _portal_ref: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        Err(ChannelError::Unsupported("replay a printed invoice"))
    }

    async fn pull(
        &self,
        _tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> Result<Pulled, ChannelError> {
        // Paper sends nothing back.
        Ok(Pulled {
            events: Vec::new(),
            cursor: cursor.map(str::to_string),
            ..Pulled::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_never_reused() {
        assert_eq!(safe_name("F 2026/001"), "F_2026_001");
        assert_eq!(safe_name("../x"), "_x");
        let d = tempfile::tempdir().unwrap();
        assert_eq!(free_path(d.path(), "a", "pdf"), d.path().join("a.pdf"));
        std::fs::write(d.path().join("a.pdf"), b"1").unwrap();
        assert_eq!(free_path(d.path(), "a", "pdf"), d.path().join("a (2).pdf"));
    }
}
