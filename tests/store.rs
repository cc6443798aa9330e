//! The local mirror on disk, driven the way users drive it: through the
//! `facteur` binary, killed mid-batch, several processes at once, and opened
//! over an older schema.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::mirror::store::{MIGRATIONS, Store};
use rusqlite::Connection;

fn write_batch(dir: &Path, from: u32, count: u32) {
    std::fs::create_dir_all(dir).unwrap();
    for n in from..from + count {
        let inv = SampleInvoice::example(n);
        std::fs::write(
            dir.join(format!("f-{n:05}.pdf")),
            invoice_pdf(&inv, n.is_multiple_of(2)),
        )
        .unwrap();
    }
}

fn facteur(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_facteur"));
    c.env("FACTEUR_HOME", home).env("LANG", "fr_FR.UTF-8");
    c
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Invoices whose stored current status is not the one their latest event
/// gives: must always be zero.
const INCONSISTENT: &str = "SELECT count(*) FROM invoices i WHERE i.current_status IS NOT
    (SELECT e.status FROM events e WHERE e.invoice_id = i.id AND e.status IS NOT NULL
     ORDER BY e.at_ms DESC, e.id DESC LIMIT 1)";

#[test]
fn a_writer_killed_mid_batch_leaves_a_sound_database_and_a_rerun_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let batch = tmp.path().join("batch");
    write_batch(&batch, 1, 400);
    let db = home.join("facteur.db");

    let mut child = facteur(&home)
        .args(["check", "--json", "--jobs", "2"])
        .arg(&batch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it has recorded something, then kill it without warning.
    let start = Instant::now();
    loop {
        if db.exists()
            && count(
                &db,
                "SELECT count(*) FROM sqlite_master WHERE name = 'checks'",
            ) == 1
        {
            let n = count(&db, "SELECT count(*) FROM checks");
            if n >= 20 {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the writer never recorded anything"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    drop(store);
    let checks = count(&db, "SELECT count(*) FROM checks");
    assert!(
        (20..400).contains(&checks),
        "killed too late to prove anything: {checks}"
    );
    assert_eq!(count(&db, INCONSISTENT), 0);
    // No half-applied check: every invoice has its check event, every check its document.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.invoice_id = i.id)"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM documents"),
        count(&db, "SELECT count(DISTINCT document_id) FROM checks")
    );

    // Run again to the end: every file once, nothing doubled.
    let out = facteur(&home)
        .args(["check", "--json"])
        .arg(&batch)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count(&db, "SELECT count(*) FROM documents"), 400);
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 400);
    assert_eq!(count(&db, INCONSISTENT), 0);
}

#[test]
fn several_writer_processes_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dirs: Vec<PathBuf> = (0..4).map(|i| tmp.path().join(format!("d{i}"))).collect();
    for (i, d) in dirs.iter().enumerate() {
        write_batch(d, 1 + 60 * i as u32, 60);
    }
    // Each process checks its own folder plus the first one: the shared folder
    // is recorded four times over, by four processes, racing.
    let children: Vec<_> = dirs
        .iter()
        .map(|d| {
            facteur(&home)
                .args(["check", "--json", "--jobs", "1"])
                .arg(d)
                .arg(&dirs[0])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("could not record"), "{err}");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{err}");
    }
    let db = home.join("facteur.db");
    assert_eq!(count(&db, "SELECT count(*) FROM documents"), 240);
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 240);
    // 60 per own folder + 60 of the shared one, per process.
    assert_eq!(count(&db, "SELECT count(*) FROM checks"), 4 * 120);
    assert_eq!(count(&db, INCONSISTENT), 0);
}

#[test]
fn an_older_schema_is_backed_up_then_migrated_keeping_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("facteur.db");
    {
        // A database as version 1 of Facteur left it.
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms) VALUES ('ab', 10, 'a.pdf', 1);
             INSERT INTO invoices (document_id, number, current_status, status_since_ms, created_ms)
                 VALUES (1, 'F-1', 'checked', 1, 1);
             INSERT INTO events (invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, status)
                 VALUES (1, 1, 1, 'local_check', 'local', 'accepted', 'checked');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let t = Instant::now();
    let store = Store::open(&db).unwrap();
    let opened = t.elapsed();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let inv = store.find_invoice("F-1").unwrap();
    assert_eq!(store.history(inv.id).unwrap().len(), 1);
    let backups: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("facteur.db.bak-v1-")
        })
        .collect();
    assert_eq!(backups.len(), 1, "one backup before migrating");
    let old = Connection::open(backups[0].path()).unwrap();
    let v: i64 = old
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "the backup is the old schema");
    println!("opened and migrated in {opened:?}");
    // Opening a current database makes no further backup.
    drop(store);
    Store::open(&db).unwrap();
    let n = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".bak-")
        })
        .count();
    assert_eq!(n, 1);
}

/// Runs `facteur ARGS…` to completion: exit code, stdout, stderr.
fn run(home: &Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = facteur(home).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn status_history_and_export_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let batch = tmp.path().join("b");
    write_batch(&batch, 1, 3);
    let (code, _, _) = run(&home, &[os("check"), batch.as_os_str()]);
    assert_eq!(code, Some(0));

    let (_, out, _) = run(&home, &[os("status"), os("--json")]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["status"] == "checked"));

    let (_, out, _) = run(&home, &[os("status"), os("--status"), os("rejected")]);
    assert!(out.contains("Aucune facture"), "{out}");
    let (code, _, _) = run(&home, &[os("status"), os("--status"), os("nonsense")]);
    assert_eq!(code, Some(2));

    let (_, text, _) = run(&home, &[os("history"), os("F-2026-0002")]);
    assert!(
        text.contains("F-2026-0002") && text.contains("local_check"),
        "{text}"
    );

    let csv = tmp.path().join("export.csv");
    let (code, _, err) = run(&home, &[os("export"), os("--csv"), csv.as_os_str()]);
    assert_eq!(code, Some(0), "{err}");
    let body = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(body.lines().count(), 4, "{body}");
    assert!(body.lines().next().unwrap().starts_with("id,numero,"));
    assert!(body.contains("F-2026-0003"));

    // --no-store leaves the database alone.
    let extra = tmp.path().join("extra");
    write_batch(&extra, 50, 1);
    run(&home, &[os("check"), os("--no-store"), extra.as_os_str()]);
    assert_eq!(
        count(&home.join("facteur.db"), "SELECT count(*) FROM documents"),
        3
    );
}

#[test]
fn re_exported_files_and_reused_numbers_are_caught_before_sending() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let a = tmp.path().join("a");
    write_batch(&a, 1, 1);
    run(&home, &[os("check"), a.as_os_str()]);
    // The same number, different content (re-exported with another total).
    let b = tmp.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    let changed = SampleInvoice {
        total_ttc: "9999.00".into(),
        ..SampleInvoice::example(1)
    };
    std::fs::write(b.join("f-00001-v2.pdf"), invoice_pdf(&changed, false)).unwrap();
    let (_, out, _) = run(&home, &[os("check"), os("--json"), b.as_os_str()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"same_number_not_sent"), "{codes:?}");
    // Two invoices now carry that number: history asks which one, in French.
    let (code, _, err) = run(&home, &[os("history"), os("F-2026-0001")]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("Plusieurs factures") && err.contains("#1") && err.contains("#2"),
        "{err}"
    );
    // Same bytes again: the same document, no new invoice.
    run(&home, &[os("check"), a.as_os_str()]);
    let db = home.join("facteur.db");
    assert_eq!(count(&db, "SELECT count(*) FROM documents"), 2);
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 2);
}

#[test]
fn documents_recorded_without_an_invoice_before_schema_ten_are_listed_after_the_migration() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("facteur.db");
    {
        // Schema 9: a blocked scan and an accepted file without a number
        // were kept only as documents and checks, out of every list.
        let conn = Connection::open(&db).unwrap();
        for m in &MIGRATIONS[..9] {
            conn.execute_batch(m).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms) VALUES ('aa', 10, 'scan.pdf', 5);
             INSERT INTO checks (document_id, path, checked_ms, verdict, report_json) VALUES (1, 'scan.pdf', 5, 'rejected', '{}');
             INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms) VALUES ('bb', 10, 'nonum.pdf', 6);
             INSERT INTO checks (document_id, path, checked_ms, verdict, report_json) VALUES (2, 'nonum.pdf', 6, 'accepted', '{}');
             INSERT INTO documents (sha256, size_bytes, first_path, first_seen_ms) VALUES ('cc', 10, 'f1.pdf', 7);
             INSERT INTO checks (document_id, path, checked_ms, verdict, report_json) VALUES (3, 'f1.pdf', 7, 'accepted', '{}');
             INSERT INTO invoices (document_id, number, current_status, status_since_ms, created_ms)
                 VALUES (3, 'F-1', 'checked', 7, 7);
             PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    let rows = store
        .list(&facteur::mirror::store::ListFilter::default())
        .unwrap();
    let by_path = |p: &str| rows.iter().find(|r| r.path == p).unwrap().clone();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let scan = by_path("scan.pdf");
    assert_eq!(scan.status.as_str(), "blocked");
    assert_eq!(
        (scan.number.as_str(), scan.number_source.as_str()),
        ("", "missing")
    );
    assert_eq!(
        store.history(scan.id).unwrap().len(),
        1,
        "its history starts with the check"
    );
    let nonum = by_path("nonum.pdf");
    assert_eq!(nonum.status.as_str(), "checked");
    assert_eq!(nonum.number_source, "missing");
    let f1 = by_path("f1.pdf");
    assert_eq!(
        (f1.number.as_str(), f1.number_source.as_str()),
        ("F-1", "read")
    );
    // Two number-less files never count as duplicates of each other.
    assert_eq!(store.duplicate_of(scan.id).unwrap(), None);
    assert_eq!(store.duplicate_of(nonum.id).unwrap(), None);
}
