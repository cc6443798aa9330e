//! The home folder's privacy on Unix, through the binary as a user runs
//! it: whatever the umask, `FACTEUR_HOME` is `0700` and the files Facteur
//! writes there (the database with customers' IBANs and SIRETs, the
//! outbox's invoices, the sandbox's state) are `0600`; a home left looser
//! by an older version is tightened at start.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use facteur::demo::sample::{SampleInvoice, invoice_pdf};

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file and folder under `dir` that group or others may use.
fn loose(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let m = mode(&p);
        if m & 0o077 != 0 {
            found.push(format!("{} {m:o}", p.display()));
        }
        if e.file_type().unwrap().is_dir() {
            found.extend(loose(&p));
        }
    }
    found
}

/// Sends `file` to a print folder (no network): the database, the outbox
/// copy and the account are written.
fn submit(home: &Path, file: &Path) -> std::process::Output {
    // A umask that lets everyone read: Facteur must not rely on the user's.
    Command::new("sh")
        .arg("-c")
        .arg(
            r#"umask 022
"$FACTEUR" account add papier --kind print --set folder="$PRINT" >/dev/null 2>&1 || true
exec "$FACTEUR" submit --to papier "$FILE""#,
        )
        .env("FACTEUR", env!("CARGO_BIN_EXE_facteur"))
        .env("FILE", file)
        .env("PRINT", file.with_extension("print"))
        .env("FACTEUR_HOME", home)
        .env_remove("FACTEUR_SANDBOX_URL")
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn the_home_and_its_files_are_private_whatever_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let file = tmp.path().join("F1.pdf");
    std::fs::write(&file, invoice_pdf(&SampleInvoice::example(1), true)).unwrap();

    let out = submit(&home, &file);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("facteur.db")), 0o600);
    let outbox = home.join("outbox");
    let payloads: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(payloads.len(), 1);
    assert_eq!(mode(&payloads[0].path()), 0o600);
    assert_eq!(loose(&home), Vec::<String>::new());
}

#[test]
fn a_home_left_loose_is_tightened_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let file = tmp.path().join("F2.pdf");
    std::fs::write(&file, invoice_pdf(&SampleInvoice::example(2), true)).unwrap();
    let out = submit(&home, &file);
    assert!(out.status.success());
    // As an older version left it: everyone may read.
    let open =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    open(&home, 0o755);
    open(&home.join("outbox"), 0o755);
    for e in std::fs::read_dir(&home).unwrap().flatten() {
        if e.file_type().unwrap().is_file() {
            open(&e.path(), 0o644);
        }
    }
    assert_ne!(loose(&home), Vec::<String>::new());
    // A link to a file elsewhere is not Facteur's to change.
    let elsewhere = tmp.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "x").unwrap();
    open(&elsewhere, 0o644);
    std::os::unix::fs::symlink(&elsewhere, home.join("link")).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .arg("status")
        .env("FACTEUR_HOME", &home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let still_loose: Vec<String> = loose(&home)
        .into_iter()
        .filter(|l| !l.contains("/link "))
        .collect();
    assert_eq!(still_loose, Vec::<String>::new());
    assert_eq!(mode(&elsewhere), 0o644);
}
