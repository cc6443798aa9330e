//! Submission end to end through the `facteur` binary against the sandbox
//! portal running as its own process on loopback (`facteur sandbox serve`):
//! the portal's answers, sync to paid, replay after the mandate, retries,
//! and exactly-once delivery when the sender is killed mid-batch.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use rusqlite::Connection;

fn facteur(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_facteur"));
    c.env("FACTEUR_HOME", home)
        .env("LANG", "fr_FR.UTF-8")
        .env("FACTEUR_RETRY_BASE_MS", "20")
        .env("FACTEUR_RETRY_ATTEMPTS", "3");
    c
}

/// A sandbox portal process, killed when dropped.
struct Portal {
    child: Child,
    port: u16,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Portal {
    fn start(state_dir: &Path, port: u16, videocodage: &str, step: &str) -> Portal {
        let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .env("FACTEUR_HOME", state_dir)
            .env("LANG", "en_GB.UTF-8")
            .args(["sandbox", "serve", "--port", &port.to_string()])
            .args(["--videocodage-secs", videocodage, "--step-secs", step])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting facteur sandbox serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        assert!(first.contains("simulation"), "{first}");
        Portal { child, port }
    }

    fn get(&self, path: &str) -> serde_json::Value {
        http(self.port, "GET", path)
    }

    fn received(&self) -> u64 {
        self.get("/api/v1/info")["received"].as_u64().unwrap()
    }

    /// How many deposits the portal holds with this number.
    fn deposits_of(&self, number: &str) -> usize {
        self.get(&format!(
            "/api/v1/deposits?number={number}&seller=732829320"
        ))
        .as_array()
        .unwrap()
        .len()
    }
}

/// A plain HTTP/1.1 request to the loopback portal, answer parsed as JSON.
fn http(port: u16, method: &str, path: &str) -> serde_json::Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
}

fn write_invoice(dir: &Path, n: u32, buyer: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut inv = SampleInvoice::example(n);
    inv.buyer_siren = buyer.to_string();
    inv.buyer_siret = None;
    let path = dir.join(format!("f-{n:05}.pdf"));
    std::fs::write(&path, invoice_pdf(&inv, n.is_multiple_of(2))).unwrap();
    path
}

fn db(home: &Path) -> Connection {
    let c = Connection::open(home.join("facteur.db")).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

fn status_of(home: &Path, number: &str) -> (String, Option<String>) {
    db(home)
        .query_row(
            "SELECT current_status, current_reason FROM invoices WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn add_account(home: &Path, port: u16) {
    let (code, out, err) = run(facteur(home).args([
        "account",
        "add",
        "demo",
        "--kind",
        "sandbox",
        "--set",
        &format!("url=http://127.0.0.1:{port}"),
    ]));
    assert_eq!(code, 0, "{out}{err}");
}

const KNOWN: &str = "552100554";
const NO_MANDATE: &str = "542051180";
const UNKNOWN: &str = "443061841";

#[test]
fn the_portal_s_answers_are_mirrored_and_nothing_is_sent_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let portal = Portal::start(&tmp.path().join("portal"), 0, "1", "0.3");
    add_account(&home, portal.port);
    let dir = tmp.path().join("in");
    write_invoice(&dir, 1, KNOWN);
    write_invoice(&dir, 2, UNKNOWN);
    write_invoice(&dir, 3, NO_MANDATE);

    let (code, out, err) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 envoyée(s)"), "{out}");
    assert_eq!(portal.received(), 3);
    assert_eq!(
        status_of(&home, "F-2026-0001"),
        ("deposited".into(), Some("VIDEOCODAGE".into()))
    );
    assert_eq!(
        status_of(&home, "F-2026-0002"),
        ("rejected".into(), Some("DEST_ERR".into()))
    );
    assert_eq!(
        status_of(&home, "F-2026-0003"),
        ("refused".into(), Some("MANDAT_ABSENT".into()))
    );

    // The same files again: refused locally, the portal sees nothing more.
    let (code, out, _) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&dir));
    assert_eq!(code, 1);
    assert_eq!(out.matches("déjà envoyée").count(), 3, "{out}");
    assert_eq!(portal.received(), 3);

    // Replay before the mandate is signed: the portal says no, nothing changes.
    let (code, out, _) = run(facteur(&home).args(["replay", "F-2026-0003"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("mandate is still not signed"), "{out}");
    assert_eq!(status_of(&home, "F-2026-0003").0, "refused");
    // Replay is for « Mandat absent » only.
    let (code, _, err) = run(facteur(&home).args(["replay", "F-2026-0002"]));
    assert_eq!(code, 2);
    assert!(err.contains("Mandat absent"), "{err}");

    let (code, out, err) =
        run(facteur(&home).args(["sandbox", "sign-mandate", NO_MANDATE, "--to", "demo"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(facteur(&home).args(["replay", "F-2026-0003"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&home, "F-2026-0003").0, "deposited");
    assert_eq!(portal.received(), 3, "a replay is not a new deposit");

    // Vidéocodage (1 s), émise, then the e-FACT steps to paid (0.3 s each).
    std::thread::sleep(Duration::from_millis(2_600));
    let (code, out, err) = run(facteur(&home).arg("sync"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&home, "F-2026-0001").0, "paid", "{out}");
    assert_eq!(status_of(&home, "F-2026-0003").0, "paid", "{out}");
    assert_eq!(status_of(&home, "F-2026-0002").0, "rejected");
    // A second sync records nothing new: the portal repeats its history.
    let events = |h: &Path| -> i64 {
        db(h)
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    let before = events(&home);
    let (code, out, _) = run(facteur(&home).arg("sync"));
    assert_eq!(code, 0);
    assert!(out.contains("0 nouveau(x) statut(s)"), "{out}");
    assert_eq!(events(&home), before);
    // The raw words are kept beside the canonical statuses.
    let raw: Vec<String> = db(&home)
        .prepare(
            "SELECT e.raw_status FROM events e JOIN invoices i ON i.id = e.invoice_id
             WHERE i.number = 'F-2026-0001' AND e.source = 'portal_api' ORDER BY e.at_ms, e.id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        raw,
        [
            "envoyée",
            "vidéocodage en cours",
            "émise",
            "1200",
            "1300",
            "2400",
            "2500"
        ]
    );
}

#[test]
fn an_unreachable_portal_is_retried_then_the_invoice_waits_unharmed() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    // A port nobody listens on, below the ephemeral range so that no
    // other test's "any free port" portal can land on it meanwhile.
    let port = (20_000..32_000)
        .map(|_| fastrand::u16(20_000..32_000))
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .unwrap();
    add_account(&home, port);
    let dir = tmp.path().join("in");
    write_invoice(&dir, 7, KNOWN);
    let (code, out, err) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&dir));
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.matches("nouvel essai").count(), 2, "{out}");
    assert!(out.contains("réessayez plus tard"), "{out}");
    let (status, _) = status_of(&home, "F-2026-0007");
    assert_eq!(status, "checked");
    let attempts: i64 = db(&home)
        .query_row(
            "SELECT attempts FROM submissions WHERE outcome = 'failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, 3);

    // The portal comes up on that port: the same command now delivers it.
    let portal = Portal::start(&tmp.path().join("portal"), port, "60", "60");
    let (code, out, err) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(portal.deposits_of("F-2026-0007"), 1);
}

#[test]
fn killed_mid_batch_of_200_then_restarted_every_invoice_arrives_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let portal = Portal::start(&tmp.path().join("portal"), 0, "60", "60");
    add_account(&home, portal.port);
    let dir = tmp.path().join("in");
    for n in 1..=200 {
        write_invoice(&dir, n, KNOWN);
    }
    let mut child = facteur(&home)
        .args(["submit", "--to", "demo"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the portal has part of the batch.
    let start = Instant::now();
    while portal.received() < 40 {
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no chance to tidy up.
    let _ = child.kill();
    let _ = child.wait();
    let at_kill = portal.received();
    assert!(
        at_kill < 200,
        "the batch finished before the kill ({at_kill})"
    );
    let open: i64 = db(&home)
        .query_row(
            "SELECT count(*) FROM submissions WHERE outcome IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(open > 0, "the kill left nothing open");

    let (code, out, err) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&dir));
    // Files already sent are reported "déjà envoyée" (exit 1); none is lost.
    assert!(code == 0 || code == 1, "{out}{err}");
    assert_eq!(portal.received(), 200, "{out}");
    for n in 1..=200 {
        assert_eq!(
            portal.deposits_of(&format!("F-2026-{n:04}")),
            1,
            "F-2026-{n:04}"
        );
    }
    let c = db(&home);
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        q("SELECT count(*) FROM submissions WHERE outcome = 'sent'"),
        200
    );
    assert_eq!(
        q("SELECT count(*) FROM submissions WHERE outcome IN ('queued', 'sending')"),
        0
    );
    assert_eq!(
        q("SELECT count(DISTINCT invoice_id) FROM submissions WHERE outcome = 'sent'"),
        200
    );
    assert_eq!(
        q("SELECT count(*) FROM invoices WHERE current_status = 'deposited'"),
        200
    );
}

#[test]
fn a_fresh_install_sends_to_the_built_in_sandbox_labelled_a_simulation() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("in");
    write_invoice(&dir, 11, KNOWN);
    // No account at all: the demonstration portal starts on its own.
    let (code, out, err) = run(facteur(&home).arg("submit").arg(&dir));
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Portail de démonstration démarré"), "{err}");
    assert!(out.contains("simulation"), "{out}");
    assert_eq!(
        status_of(&home, "F-2026-0011"),
        ("deposited".into(), Some("VIDEOCODAGE".into()))
    );
    // Its state is kept in FACTEUR_HOME, so a later sync finds the invoice.
    let state = std::fs::read_to_string(home.join("sandbox.json")).unwrap();
    assert!(state.contains("F-2026-0011"), "{state}");
    let (code, out, err) = run(facteur(&home).arg("sync"));
    assert_eq!(code, 0, "{out}{err}");
    // French typography: non-breaking spaces inside the guillemets.
    assert!(out.contains("«\u{a0}sandbox\u{a0}»"), "{out}");
    assert!(out.contains("2 déjà connu(s)"), "{out}");
}

#[test]
fn a_rejected_invoice_is_corrected_only_by_an_invoice_with_a_new_number() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let portal = Portal::start(&tmp.path().join("portal"), 0, "60", "60");
    add_account(&home, portal.port);
    let first = write_invoice(&tmp.path().join("a"), 21, UNKNOWN);
    let (code, out, err) = run(facteur(&home).args(["submit", "--to", "demo"]).arg(&first));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&home, "F-2026-0021").0, "rejected");

    // Same number again, fixed buyer: refused before anything leaves.
    let same = write_invoice(&tmp.path().join("b"), 21, KNOWN);
    let (code, _, err) = run(facteur(&home)
        .args(["submit", "--to", "demo", "--corrects", "F-2026-0021"])
        .arg(&same));
    assert_eq!(code, 2);
    assert!(err.contains("nouveau numéro"), "{err}");
    // A new number: sent, as a correction of the rejected one (#1).
    let fixed = write_invoice(&tmp.path().join("c"), 22, KNOWN);
    let (code, out, err) = run(facteur(&home)
        .args(["submit", "--to", "demo", "--corrects", "#1"])
        .arg(&fixed));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(status_of(&home, "F-2026-0022").0, "deposited");
    let kind: String = db(&home)
        .query_row(
            "SELECT s.kind FROM submissions s JOIN invoices i ON i.id = s.invoice_id
             WHERE i.number = 'F-2026-0022'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "resend");
    assert_eq!(portal.received(), 2);
    // An invoice still on its way cannot be "corrected".
    let other = write_invoice(&tmp.path().join("d"), 23, KNOWN);
    let (code, _, err) = run(facteur(&home)
        .args(["submit", "--to", "demo", "--corrects", "F-2026-0022"])
        .arg(&other));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be corrected"), "{err}");
}

/// The state of a sandbox kept in a home: the numbers it received.
fn received_in(home: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(home.join("sandbox.json")) else {
        return Vec::new();
    };
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut numbers: Vec<String> = state["received"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["deposit"]["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers
}

/// The window keeps its home's sandbox running; a `facteur submit` with
/// another `FACTEUR_HOME` gets a sandbox of its own, never the window's.
/// And a home whose recorded port is served by another home's sandbox is
/// refused with words saying so, sending nothing there.
#[test]
fn each_home_has_its_own_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let (home_a, home_b, home_c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    // Home A's sandbox, running as the window would keep it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", &home_a)
        .env_remove("FACTEUR_SANDBOX_URL")
        .args(["sandbox", "serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let portal_a = Portal {
        child,
        port: std::fs::read_to_string(home_a.join("sandbox.port"))
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    };
    assert!(
        first.contains(&format!("127.0.0.1:{}", portal_a.port)),
        "{first}"
    );
    let id_a = std::fs::read_to_string(home_a.join("sandbox.id")).unwrap();
    assert_eq!(portal_a.get("/api/v1/info")["home_id"], id_a.trim());

    // Another home submits while A's sandbox runs.
    let f = write_invoice(&tmp.path().join("in"), 31, KNOWN);
    let (code, out, err) = run(facteur(&home_b)
        .env_remove("FACTEUR_SANDBOX_URL")
        .arg("submit")
        .arg(&f));
    assert_eq!(code, 0, "{out}{err}");
    let port_b: u16 = std::fs::read_to_string(home_b.join("sandbox.port"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_ne!(port_b, portal_a.port);
    assert_eq!(received_in(&home_b), ["F-2026-0031"]);
    assert_eq!(portal_a.received(), 0, "B's invoice reached A's sandbox");

    // A third home whose port file names A's sandbox (two homes that chose
    // the same port while the other was closed): refused, nothing sent.
    std::fs::create_dir_all(&home_c).unwrap();
    std::fs::write(home_c.join("sandbox.port"), portal_a.port.to_string()).unwrap();
    let (code, out, err) = run(facteur(&home_c)
        .env_remove("FACTEUR_SANDBOX_URL")
        .arg("submit")
        .arg(&f));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("sert un autre dossier Facteur"), "{out}{err}");
    assert_eq!(portal_a.received(), 0, "C's invoice reached A's sandbox");
    assert_eq!(status_of(&home_c, "F-2026-0031").0, "checked");
    drop(portal_a);
}
