//! `facteur watch` as a user runs it, on real files in temporary folders:
//! files present before the start, a slow writer, a temporary name renamed,
//! a re-export, a burst of 5,000 files with a kill -9 in the middle and a
//! restart, and "check and submit" to the sandbox portal (started by the
//! command on a loopback port of its own) with nothing sent twice.

#[path = "support/procs.rs"]
mod procs;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use procs::{Proc as Watcher, count, db, wait_for};

fn watch(home: &Path, args: &[&str], sandbox: Option<u16>) -> Watcher {
    let url = sandbox.map(|port| format!("http://127.0.0.1:{port}"));
    let envs: Vec<(&str, &str)> = url
        .iter()
        .map(|u| ("FACTEUR_SANDBOX_URL", u.as_str()))
        .collect();
    procs::watch(home, args, &envs)
}

fn stop(w: Watcher) -> (i32, String, String) {
    w.stop()
}

fn invoice(dir: &Path, name: &str, n: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, invoice_pdf(&SampleInvoice::example(n), false)).unwrap();
    p
}

/// The invoice numbers the sandbox portal received, sorted, from its
/// state file (one per deposit: a number twice means sent twice).
fn received(state: &Path) -> Vec<String> {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    let mut numbers: Vec<String> = state["received"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["deposit"]["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn every_arrival_is_taken_once_complete_and_only_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    // Exported while Facteur was closed.
    invoice(&dir, "F-0001.pdf", 1);
    invoice(&dir, "F-0002.pdf", 2);
    let w = watch(&home, &[dir.to_str().unwrap(), "--settle", "1"], None);
    wait_for("the files present at start", 60, || {
        count(&home, "SELECT count(*) FROM documents") == 2
    });

    // A slow writer: the file grows in chunks over 2 s; taken once, whole.
    let bytes = invoice_pdf(&SampleInvoice::example(3), false);
    let slow = dir.join("F-0003.pdf");
    let mut f = std::fs::File::create(&slow).unwrap();
    for chunk in bytes.chunks(bytes.len() / 5 + 1) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(400));
    }
    drop(f);
    // A temporary name, renamed into place once written; and office
    // lock files and hidden files that never are.
    let part = dir.join("F-0004.pdf.part");
    std::fs::write(&part, invoice_pdf(&SampleInvoice::example(4), false)).unwrap();
    std::fs::write(dir.join("~$F-0005.pdf"), b"lock").unwrap();
    std::fs::write(dir.join(".F-0006.pdf"), b"hidden").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(count(&home, "SELECT count(*) FROM documents"), 3);
    std::fs::rename(&part, dir.join("F-0004.pdf")).unwrap();
    // The same export again under another name: recognised, nothing new.
    std::fs::copy(dir.join("F-0001.pdf"), dir.join("F-0001 (2).pdf")).unwrap();
    wait_for("the renamed file", 60, || {
        count(&home, "SELECT count(*) FROM documents") == 4
    });
    std::thread::sleep(Duration::from_millis(2500));
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Arrêt"), "{err}");

    // Each document checked exactly once, and complete (the slow one is a
    // well-formed invoice, not a truncated file).
    assert_eq!(count(&home, "SELECT count(*) FROM documents"), 4);
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 4, "{out}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM checks WHERE verdict = 'accepted'"
        ),
        4,
        "{out}"
    );
    assert!(
        out.contains("F-0003.pdf\u{a0}: contrôlée, conforme (F-2026-0003)"),
        "{out}"
    );
    assert!(out.contains("déjà connu"), "{out}");
    assert!(!out.contains("~$") && !out.contains(".F-0006"), "{out}");
    let log = std::fs::read_to_string(home.join("watch.log")).unwrap();
    assert!(log.contains("F-0004.pdf\u{a0}: contrôlée"), "{log}");

    // A restart walks the folder again and takes nothing twice.
    let w = watch(&home, &[dir.to_str().unwrap(), "--settle", "0.3"], None);
    std::thread::sleep(Duration::from_secs(3));
    let (code, out, _) = stop(w);
    assert_eq!(code, 0);
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 4, "{out}");
    assert!(out.contains("5 fichier(s) déjà connu(s)"), "{out}");
}

#[test]
fn a_burst_of_5000_files_survives_a_kill_9_and_each_is_recorded_once() {
    const N: u32 = 5_000;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    let sub = dir.join("2026-11");
    std::fs::create_dir_all(&sub).unwrap();
    let w = watch(
        &home,
        &[dir.to_str().unwrap(), "--recursive", "--settle", "0.5"],
        None,
    );
    std::thread::sleep(Duration::from_millis(500));
    for n in 1..=N {
        // Half in a subfolder: --recursive.
        let d = if n % 2 == 0 { &sub } else { &dir };
        invoice(d, &format!("F-{n:05}.pdf"), n);
    }
    // Killed without warning in the middle of the work.
    wait_for("a part of the burst", 300, || {
        count(&home, "SELECT count(*) FROM documents") >= 500
    });
    let mut w = w;
    w.0.kill().unwrap();
    let _ = w.0.wait();
    let before = count(&home, "SELECT count(*) FROM documents");
    assert!(before < i64::from(N), "the burst ended before the kill");
    // Restarted: everything is accounted for, exactly once.
    let w = watch(
        &home,
        &[dir.to_str().unwrap(), "--recursive", "--settle", "0.5"],
        None,
    );
    wait_for("the whole burst", 600, || {
        count(&home, "SELECT count(*) FROM documents") == i64::from(N)
    });
    let (code, _, err) = stop(w);
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), i64::from(N));
    assert_eq!(count(&home, "SELECT count(*) FROM invoices"), i64::from(N));
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM (SELECT document_id FROM checks GROUP BY document_id HAVING count(*) > 1)"
        ),
        0
    );
}

#[test]
fn check_and_submit_sends_each_invoice_once_and_flags_a_reused_number() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    invoice(&dir, "F-0011.pdf", 11);
    let w = watch(
        &home,
        &[dir.to_str().unwrap(), "--submit", "--settle", "0.5"],
        Some(port),
    );
    wait_for("the first invoice sent", 60, || {
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) == 1
    });
    invoice(&dir, "F-0012.pdf", 12);
    // A re-export of the first (same bytes) and a different file that
    // reuses its number.
    std::fs::copy(dir.join("F-0011.pdf"), dir.join("F-0011-bis.pdf")).unwrap();
    let mut other = SampleInvoice::example(11);
    other.issue_date = "2026-12-01".into();
    std::fs::write(dir.join("F-0011-v2.pdf"), invoice_pdf(&other, false)).unwrap();
    wait_for("the second invoice sent", 60, || {
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) == 2
    });
    wait_for("the reused number checked", 60, || {
        count(&home, "SELECT count(*) FROM documents") == 3
    });
    std::thread::sleep(Duration::from_secs(2));
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "{out}{err}");
    // Sent once each; the reused number was not sent, and the log says why.
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 2, "{out}");
    assert!(
        out.contains("F-0011-v2.pdf\u{a0}: contrôlée, bloquée (F-2026-0011)"),
        "{out}"
    );
    let numbers = received(&home.join("sandbox.json"));
    assert_eq!(numbers, ["F-2026-0011", "F-2026-0012"]);
}

#[test]
fn a_kill_9_while_sending_from_a_watched_folder_sends_nothing_twice() {
    const N: u32 = 200;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    // The portal in a process of its own, so it outlives the watcher.
    let port = free_port();
    let state = tmp.path().join("portal.json");
    let portal = Watcher(
        Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["sandbox", "serve", "--port", &port.to_string(), "--state"])
            .arg(&state)
            .env("FACTEUR_HOME", tmp.path().join("portal-home"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("the portal", 30, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    for n in 1..=N {
        invoice(&dir, &format!("F-{n:04}.pdf"), 100 + n);
    }
    let args = [dir.to_str().unwrap(), "--submit", "--settle", "0.3"];
    let mut w = watch(&home, &args, Some(port));
    wait_for("some invoices sent", 120, || {
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) >= 5
    });
    w.0.kill().unwrap();
    let _ = w.0.wait();
    let sent = count(
        &home,
        "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
    );
    assert!(sent < i64::from(N), "all were sent before the kill");
    let w = watch(&home, &args, Some(port));
    wait_for("every invoice sent", 300, || {
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) == i64::from(N)
    });
    let (code, _, err) = stop(w);
    assert_eq!(code, 0, "{err}");
    drop(portal);
    let mut numbers = received(&state);
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(before, numbers.len(), "an invoice reached the portal twice");
    assert_eq!(numbers.len(), N as usize);
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), i64::from(N));
}

/// Every file below `dir`, relative, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// The contents of a tree as a sorted list: the same list before and after
/// means nothing was lost, copied twice or changed.
fn contents(t: &std::collections::BTreeMap<PathBuf, Vec<u8>>) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = t.values().cloned().collect();
    v.sort();
    v
}

#[test]
fn tidy_up_moves_each_file_where_it_belongs_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    let sub = dir.join("2026-11");
    let checked = dir.join("contrôlées");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(&checked).unwrap();
    invoice(&dir, "F-0001.pdf", 1);
    invoice(&sub, "F-0002.pdf", 2);
    std::fs::write(dir.join("cassée.pdf"), b"not a PDF at all").unwrap();
    // Already in the tidy folder under the same name, another invoice: it
    // is kept as it is, and never taken (the folder is watched with its
    // subfolders).
    invoice(&checked, "F-0001.pdf", 9);
    let before = tree(&dir);
    let args = [
        dir.to_str().unwrap(),
        "--recursive",
        "--tidy",
        "--settle",
        "0.5",
    ];
    let w = watch(&home, &args, None);
    wait_for("the three files moved", 60, || {
        dir.join("bloquées/cassée.pdf").exists()
            && checked.join("F-0001 (2).pdf").exists()
            && checked.join("2026-11/F-0002.pdf").exists()
    });
    std::thread::sleep(Duration::from_secs(1));
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "{out}{err}");
    let after = tree(&dir);
    // Moved, not copied; nothing deleted, nothing changed.
    assert_eq!(contents(&before), contents(&after), "{out}");
    assert_eq!(
        after
            .keys()
            .map(|p| p.to_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "bloquées/cassée.pdf",
            "contrôlées/2026-11/F-0002.pdf",
            "contrôlées/F-0001 (2).pdf",
            "contrôlées/F-0001.pdf",
        ]
    );
    assert_eq!(
        after[Path::new("contrôlées/F-0001.pdf")],
        before[Path::new("contrôlées/F-0001.pdf")]
    );
    assert_eq!(
        after[Path::new("contrôlées/F-0001 (2).pdf")],
        before[Path::new("F-0001.pdf")]
    );
    // The invoice already in the tidy folder was never taken.
    assert_eq!(count(&home, "SELECT count(*) FROM documents"), 3, "{out}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM invoices WHERE number = 'F-2026-0009'"
        ),
        0
    );
    assert!(out.contains("rangée dans"), "{out}");

    // A new export under a name already in the tidy folder, and a restart
    // that walks everything again: the new file is moved beside the
    // others, the tidied ones are not taken again.
    invoice(&dir, "F-0001.pdf", 3);
    let w = watch(&home, &args, None);
    wait_for("the new file moved", 60, || {
        checked.join("F-0001 (3).pdf").exists()
    });
    std::thread::sleep(Duration::from_secs(1));
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(count(&home, "SELECT count(*) FROM documents"), 4, "{out}");
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 4, "{out}");
    let last = tree(&dir);
    assert_eq!(last.len(), 5);
    assert_eq!(
        last[Path::new("contrôlées/F-0001 (3).pdf")],
        invoice_pdf(&SampleInvoice::example(3), false)
    );
    for (p, bytes) in &after {
        assert_eq!(&last[p], bytes, "{}", p.display());
    }
}

#[test]
fn check_and_submit_tidies_a_file_only_once_the_outbox_delivered_it() {
    use facteur::intake::pipeline::NoLookup;
    use facteur::intake::watch::{Folder, Options, Taken, Tidy, Watch};
    use facteur::mirror::store::Store;
    use facteur::send::accounts::{Account, Kind, OsKeyring};
    use facteur::send::outbox::{self, AnyChannel, Retry};

    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let port = free_port();
    let portal = Watcher(
        Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["sandbox", "serve", "--port", &port.to_string(), "--state"])
            .arg(tmp.path().join("portal.json"))
            .env("FACTEUR_HOME", tmp.path().join("portal-home"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("the portal", 30, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let account = Account {
        name: "demo".into(),
        kind: Kind::Sandbox,
        settings: [("url".to_string(), format!("http://127.0.0.1:{port}"))].into(),
        secret_fields: Vec::new(),
    };
    let folder = Folder {
        path: dir.clone(),
        recursive: false,
        submit_to: Some(account.clone()),
        routed: false,
        tidy: true,
        id: None,
        make_facturx: false,
    };
    let opts = Options {
        settle: Duration::from_millis(300),
        ..Options::default()
    };
    let mut store = Store::open_home(&home).unwrap();
    // Taken in path order: the first, then the one reusing its number.
    invoice(&dir, "F-0021.pdf", 21);
    let mut reused = SampleInvoice::example(21);
    reused.issue_date = "2026-12-01".into();
    std::fs::write(dir.join("F-0021v2.pdf"), invoice_pdf(&reused, false)).unwrap();
    let mut w = Watch::start(vec![folder.clone()], opts.clone()).unwrap();
    let mut seen = Vec::new();
    fn poll_until(
        w: &mut Watch,
        store: &mut Store,
        home: &Path,
        seen: &mut Vec<Taken>,
        ok: &dyn Fn(&[Taken]) -> bool,
    ) {
        let start = Instant::now();
        while !ok(seen) {
            assert!(start.elapsed() < Duration::from_secs(60), "{seen:?}");
            seen.extend(w.poll(store, home, &NoLookup));
        }
    }
    // The reused number is blocked and moved at once; the first is queued
    // and stays where it is: it has not left yet.
    poll_until(&mut w, &mut store, &home, &mut seen, &|s| {
        s.iter().any(|t| {
            matches!(
                t,
                Taken::Moved {
                    into: Tidy::Blocked,
                    ..
                }
            )
        })
    });
    assert!(
        seen.iter().any(|t| matches!(
            t,
            Taken::Checked { queued_for: Some(a), .. } if a == "demo"
        )),
        "{seen:?}"
    );
    for _ in 0..10 {
        seen.extend(w.poll(&mut store, &home, &NoLookup));
    }
    assert!(dir.join("F-0021.pdf").exists(), "{seen:?}");
    assert!(dir.join("bloquées/F-0021v2.pdf").exists());
    assert_eq!(w.counts()[0].counts.waiting, 1);
    assert_eq!(
        (w.counts()[0].counts.taken, w.counts()[0].counts.blocked),
        (2, 1)
    );
    // Watching again from scratch (a restart): still waiting.
    drop(w);
    let mut w = Watch::start(vec![folder], opts).unwrap();
    for _ in 0..10 {
        seen.extend(w.poll(&mut store, &home, &NoLookup));
    }
    assert!(dir.join("F-0021.pdf").exists(), "{seen:?}");
    // Delivered: then it goes to "envoyées".
    let channel = AnyChannel::for_account(&account, &OsKeyring).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(outbox::run(
        &mut store,
        &home,
        &channel,
        &Retry::from_env(),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'"
        ),
        1
    );
    let mut seen = Vec::new();
    poll_until(&mut w, &mut store, &home, &mut seen, &|s| {
        s.iter().any(|t| {
            matches!(
                t,
                Taken::Moved {
                    into: Tidy::Sent,
                    ..
                }
            )
        })
    });
    assert!(!dir.join("F-0021.pdf").exists());
    assert_eq!(
        std::fs::read(dir.join("envoyées/F-0021.pdf")).unwrap(),
        invoice_pdf(&SampleInvoice::example(21), false)
    );
    drop(portal);
}

#[test]
fn watch_without_folders_given_watches_the_configured_ones_with_their_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let facteur = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(args)
            .env("FACTEUR_HOME", &home)
            .env("LC_ALL", "fr_FR.UTF-8")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    // Nothing configured: a clear refusal.
    let (code, out) = facteur(&["watch"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("facteur folders add"), "{out}");
    assert_eq!(
        facteur(&["folders", "add", a.to_str().unwrap(), "--tidy"]).0,
        0
    );
    assert_eq!(facteur(&["folders", "add", b.to_str().unwrap()]).0, 0);
    let (code, out) = facteur(&["folders", "pause", b.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("EN PAUSE"), "{out}");
    let (_, list) = facteur(&["folders", "list"]);
    assert!(
        list.contains("rangement") && list.contains("contrôle seul"),
        "{list}"
    );

    invoice(&a, "F-0031.pdf", 31);
    invoice(&b, "F-0032.pdf", 32);
    let w = watch(&home, &["--settle", "0.3"], None);
    wait_for("the file of the folder not paused", 60, || {
        a.join("contrôlées/F-0031.pdf").exists()
    });
    std::thread::sleep(Duration::from_secs(2));
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "{out}{err}");
    // The paused folder was not watched.
    assert_eq!(count(&home, "SELECT count(*) FROM documents"), 1, "{out}");
    assert!(b.join("F-0032.pdf").exists());
    assert!(
        err.contains(a.to_str().unwrap()) && !err.contains(b.to_str().unwrap()),
        "{err}"
    );
}

/// `facteur watch --submit` without `--to` routes each invoice by the
/// customer directory: the customer's own account gets it (here a print
/// folder), and an invoice that matches nobody, with no fallback on, is not
/// sent: the watcher says why and it stays « contrôlée ».
#[test]
fn check_and_submit_without_an_account_routes_by_the_customer_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    let print_dir = tmp.path().join("à poster");
    std::fs::create_dir_all(&dir).unwrap();
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(args)
            .env("FACTEUR_HOME", &home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let folder = format!("folder={}", print_dir.display());
    cli(&[
        "account", "add", "papier", "--kind", "print", "--set", &folder,
    ]);
    // The sample invoices' buyer: SIRET 55210055400013.
    cli(&[
        "customers",
        "add",
        "--name",
        "Épi d'Or",
        "--siret",
        "55210055400013",
        "--account",
        "papier",
    ]);
    let mut other = SampleInvoice::example(2);
    other.buyer_siren = "404833048".into();
    other.buyer_siret = None;
    let w = watch(
        &home,
        &[
            "--submit",
            "--settle",
            "0.3",
            "--json",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let first = invoice(&dir, "F-0001.pdf", 1);
    std::fs::write(dir.join("F-0002.pdf"), invoice_pdf(&other, false)).unwrap();
    wait_for("the customer's invoice in its print folder", 60, || {
        std::fs::read_dir(&print_dir).is_ok_and(|d| d.count() == 1)
    });
    wait_for("both files checked", 60, || {
        count(&home, "SELECT count(*) FROM invoices") == 2
    });
    std::thread::sleep(Duration::from_millis(500));
    let (_, out, err) = stop(w);
    let printed: Vec<PathBuf> = std::fs::read_dir(&print_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(printed.len(), 1, "{out}\n{err}");
    assert_eq!(
        std::fs::read(&printed[0]).unwrap(),
        std::fs::read(&first).unwrap()
    );
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM invoices WHERE number = 'F-2026-0001' AND current_status = 'to_post'"
        ),
        1,
        "{out}\n{err}"
    );
    // The other one matched nobody: never queued, and said so.
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 1);
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM invoices WHERE number = 'F-2026-0002' AND current_status = 'checked'"
        ),
        1
    );
    assert!(
        out.contains("Undeliverable: no customer in the directory matches"),
        "{out}"
    );
}

/// Another process holds the database longer than the store waits for it
/// (a backup tool, a long write): the watcher says it cannot take the file
/// for now, keeps watching, and takes it once the database is free.
#[test]
fn a_locked_database_is_waited_out_and_the_file_taken_afterwards() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let w = watch(&home, &[dir.to_str().unwrap(), "--settle", "0.3"], None);
    invoice(&dir, "F-0041.pdf", 41);
    wait_for("the first file", 60, || {
        count(&home, "SELECT count(*) FROM documents") == 1
    });
    let holder = db(&home);
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    invoice(&dir, "F-0042.pdf", 42);
    wait_for("the watcher to say it will try again", 120, || {
        std::fs::read_to_string(home.join("watch.log"))
            .is_ok_and(|l| l.contains("F-0042.pdf\u{a0}: pas prise pour l'instant"))
    });
    holder.execute_batch("COMMIT").unwrap();
    wait_for("the file taken once the database is free", 120, || {
        count(&home, "SELECT count(*) FROM documents") == 2
    });
    let (code, out, err) = stop(w);
    assert_eq!(code, 0, "the watcher stopped on its own: {out}{err}");
    assert!(
        out.contains("F-0042.pdf\u{a0}: contrôlée, conforme (F-2026-0042)"),
        "{out}"
    );
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 2, "{out}");
}

/// Tidy-up hashes a file again before moving it: a file whose content
/// changed after it was taken (same size, same date: the watcher cannot
/// tell) stays where it is, and only what was sent is called sent.
#[test]
fn tidy_up_leaves_a_file_whose_content_changed_since_it_was_taken() {
    use facteur::intake::pipeline::NoLookup;
    use facteur::intake::watch::{Folder, Options, Taken, Watch};
    use facteur::mirror::store::Store;
    use facteur::send::accounts::{Account, Kind, OsKeyring};
    use facteur::send::outbox::{self, AnyChannel, Retry};

    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    let print = tmp.path().join("à poster");
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let account = Account {
        name: "papier".into(),
        kind: Kind::Print,
        settings: [("folder".to_string(), print.display().to_string())].into(),
        secret_fields: Vec::new(),
    };
    let folder = Folder {
        path: dir.clone(),
        recursive: false,
        submit_to: Some(account.clone()),
        routed: false,
        tidy: true,
        id: None,
        make_facturx: false,
    };
    let opts = Options {
        settle: Duration::from_millis(300),
        ..Options::default()
    };
    let mut store = Store::open_home(&home).unwrap();
    let file = invoice(&dir, "F-0051.pdf", 51);
    let mut w = Watch::start(vec![folder], opts).unwrap();
    let mut seen: Vec<Taken> = Vec::new();
    let start = Instant::now();
    while !seen.iter().any(|t| t.queued_for() == Some("papier")) {
        assert!(start.elapsed() < Duration::from_secs(60), "{seen:?}");
        seen.extend(w.poll(&mut store, &home, &NoLookup));
    }
    // Rewritten in place after it was taken: one byte differs, the size
    // and the date are the same.
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    // The taken content is delivered (its outbox copy, never the file).
    let channel = AnyChannel::for_account(&account, &OsKeyring).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let steps = rt
        .block_on(outbox::run(
            &mut store,
            &home,
            &channel,
            &Retry::from_env(),
            &mut |_| {},
        ))
        .unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let mut seen = Vec::new();
    let start = Instant::now();
    while !seen
        .iter()
        .any(|t| matches!(t, Taken::NotMoved { path, .. } if path == &file))
    {
        assert!(start.elapsed() < Duration::from_secs(60), "{seen:?}");
        seen.extend(w.poll(&mut store, &home, &NoLookup));
    }
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "left as it is");
    assert!(!dir.join("envoyées").exists(), "{seen:?}");
    assert!(
        !seen.iter().any(|t| matches!(t, Taken::Moved { .. })),
        "{seen:?}"
    );
}

#[test]
fn a_layout_learned_while_watching_guides_the_next_files() {
    // The owner confirms a reading (the window or `facteur read --confirm`)
    // while the folders are watched: the next file is read with the new
    // layout, no restart needed.
    use facteur::intake::pipeline::NoLookup;
    use facteur::intake::watch::{Folder, Options, Watch};
    use facteur::mirror::store::Store;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let folder = Folder {
        path: dir.clone(),
        recursive: false,
        submit_to: None,
        routed: false,
        tidy: false,
        id: None,
        make_facturx: false,
    };
    let opts = Options {
        settle: Duration::from_millis(200),
        ..Options::default()
    };
    let mut store = Store::open_home(&home).unwrap();
    let mut w = Watch::start(vec![folder], opts).unwrap();
    let mut taken = 0;
    let mut take_one = |w: &mut Watch, store: &mut Store| {
        let start = Instant::now();
        let before = taken;
        while taken == before {
            assert!(start.elapsed() < Duration::from_secs(60));
            taken += w
                .poll(store, &home, &NoLookup)
                .iter()
                .filter(|t| matches!(t, facteur::intake::watch::Taken::Checked { .. }))
                .count();
        }
    };
    let first = invoice(&dir, "F-0061.pdf", 61);
    take_one(&mut w, &mut store);
    assert_eq!(w.layouts_learned(), 0);
    // The owner confirms what was read of it.
    let bytes = std::fs::read(&first).unwrap();
    let reading = facteur::read::read_bytes(&bytes, &[]).unwrap();
    let learned = facteur::mirror::learned::confirm(&mut store, &bytes, &reading.invoices).unwrap();
    assert_eq!(learned.len(), 1);
    invoice(&dir, "F-0062.pdf", 62);
    take_one(&mut w, &mut store);
    assert_eq!(
        w.layouts_learned(),
        1,
        "the new layout guides the next file"
    );
    // Removed in the settings: no longer used.
    let id = facteur::mirror::learned::list(&store).unwrap()[0].id;
    assert!(facteur::mirror::learned::remove(&mut store, id).unwrap());
    invoice(&dir, "F-0063.pdf", 63);
    take_one(&mut w, &mut store);
    assert_eq!(w.layouts_learned(), 0);
}
