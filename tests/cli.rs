//! The `facteur check` command as a user runs it: exit statuses, the JSON
//! lines format, folders, bad paths, languages.

use std::path::Path;
use std::process::{Command, Output};

use facteur::demo::sample::{Build, PageKind, SampleInvoice, invoice_pdf};

fn facteur(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .current_dir(dir)
        .env("FACTEUR_HOME", dir.join("home"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap()
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// A folder with two good invoices (one in a subfolder, upper-case
/// extension), a scan, a JPEG renamed .pdf, and a text file that is ignored.
fn batch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("sub")).unwrap();
    std::fs::write(
        p.join("a.pdf"),
        invoice_pdf(&SampleInvoice::example(1), true),
    )
    .unwrap();
    std::fs::write(
        p.join("sub/B.PDF"),
        invoice_pdf(&SampleInvoice::example(2), false),
    )
    .unwrap();
    let scan = Build {
        invoices: vec![SampleInvoice::example(3)],
        page_kinds: vec![PageKind::Scanned],
        ..Build::default()
    };
    std::fs::write(p.join("c-scan.pdf"), scan.to_bytes()).unwrap();
    std::fs::write(p.join("d-photo.pdf"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).unwrap();
    std::fs::write(p.join("notes.txt"), "pas une facture").unwrap();
    dir
}

#[test]
fn json_lines_for_a_folder_in_input_order_with_the_documented_fields() {
    let dir = batch();
    let out = facteur(&["check", "--json", "--jobs", "3", "."], dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let paths: Vec<&str> = lines.iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["./a.pdf", "./c-scan.pdf", "./d-photo.pdf", "./sub/B.PDF"]
    );
    let verdicts: Vec<&str> = lines
        .iter()
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["accepted", "rejected", "rejected", "accepted"]);
    for key in [
        "path",
        "verdict",
        "size_bytes",
        "sha256",
        "pages",
        "pdf",
        "readable",
        "encrypted",
        "signed",
        "content",
        "scanned_pages",
        "invoice_count",
        "structured",
        "facts",
        "findings",
    ] {
        assert!(lines.iter().all(|l| l.get(key).is_some()), "missing {key}");
    }
    let a = &lines[0];
    // Checked against coreutils, not the hashing code under test.
    let sum = Command::new("sha256sum")
        .arg(dir.path().join("a.pdf"))
        .output()
        .unwrap();
    let hex = String::from_utf8(sum.stdout).unwrap();
    assert_eq!(a["sha256"], hex.split_whitespace().next().unwrap());
    assert_eq!(a["structured"]["syntax"], "CII");
    assert_eq!(a["structured"]["file_name"], "factur-x.xml");
    // The sample's container is complete but for its standard fonts.
    assert_eq!(
        a["structured"]["container"],
        serde_json::json!(["facturx_fonts"])
    );
    assert_eq!(a["facts"]["invoice_number"]["value"], "F-2026-0001");
    assert_eq!(a["facts"]["invoice_number"]["source"], "xml");
    assert_eq!(a["content"], "native");
    let scan = &lines[1];
    assert_eq!(scan["content"], "scanned");
    assert_eq!(scan["scanned_pages"], serde_json::json!([1]));
    let f = &scan["findings"][0];
    for key in [
        "code",
        "severity",
        "message_fr",
        "message_en",
        "hint_fr",
        "hint_en",
    ] {
        assert!(f[key].is_string(), "finding lacks {key}: {f}");
    }
    assert_eq!(lines[2]["pdf"], false);
    assert_eq!(lines[2]["findings"][0]["code"], "not_pdf");
}

#[test]
fn all_accepted_exits_zero() {
    let dir = batch();
    let out = facteur(&["check", "--json", "a.pdf", "sub/B.PDF"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_lines(&out).len(), 2);
}

#[test]
fn a_missing_path_exits_two_but_the_rest_is_still_checked() {
    let dir = batch();
    let out = facteur(&["check", "--json", "nowhere.pdf", "a.pdf"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["path"], "a.pdf");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.pdf"));
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(facteur(&["check"], dir.path()).status.code(), Some(2));
    assert_eq!(
        facteur(&["check", "--jobs", "x", "a.pdf"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(facteur(&["frobnicate"], dir.path()).status.code(), Some(2));
}

#[test]
fn the_table_speaks_french_by_default_and_english_on_request() {
    let dir = batch();
    let fr = facteur(&["check", "."], dir.path());
    let text = String::from_utf8(fr.stdout).unwrap();
    assert!(
        text.contains("BLOQUÉ") && text.contains("ACCEPTÉ"),
        "{text}"
    );
    assert!(text.contains("scannée"), "{text}");
    assert!(
        text.contains("4 fichiers\u{a0}: 2 acceptés, 2 bloqués"),
        "{text}"
    );
    let en = facteur(&["check", "--lang", "en", "."], dir.path());
    let text = String::from_utf8(en.stdout).unwrap();
    assert!(
        text.contains("BLOCKED") && text.contains("scanned image"),
        "{text}"
    );
    assert!(text.contains("4 files: 2 accepted, 2 blocked"), "{text}");
}

#[test]
fn an_english_locale_switches_the_language() {
    let dir = batch();
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["check", "a.pdf"])
        .current_dir(dir.path())
        // Never the user's own data folder.
        .env("FACTEUR_HOME", dir.path().join("home"))
        .env("LANG", "en_GB.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("ACCEPTED"));
}

#[test]
fn the_sandbox_help_lists_every_reserved_demo_siren_with_its_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = facteur(&["sandbox", "--help"], tmp.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for (siren, _, _) in facteur::demo::sandbox::RESERVED {
        assert!(text.contains(siren), "{siren} missing from:\n{text}");
    }
    assert!(
        text.contains("Mandat absent") && text.contains("Doublon"),
        "{text}"
    );
}
