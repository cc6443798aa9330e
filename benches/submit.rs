//! Submission throughput and memory, printed as figures (not a timed test).
//!
//! Starts the sandbox portal as its own process on loopback (state saved to
//! disk after every deposit, as in use), builds 1,000 typical invoices, then
//! measures, each `facteur` run as a separate process:
//! - `facteur submit` of the 1,000 (check, record, queue, send): wall time,
//!   invoices/s, peak RSS;
//! - the same command again: every file recognised as already sent, nothing
//!   reaches the portal;
//! - `facteur sync` of the 1,000 delivered invoices.
//!
//! Run: `cargo bench --bench submit` (add `-- --quick` for 200 invoices).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Run, run};
use facteur::demo::sample::{SampleInvoice, invoice_pdf};

fn facteur(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_facteur"));
    c.env("FACTEUR_HOME", home).env("LANG", "en_GB.UTF-8");
    c
}

fn received(port: u16) -> u64 {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["received"].as_u64().unwrap()
}

fn print(label: &str, n: usize, r: &Run) {
    println!(
        "{label:<48} {:>8.2} s {:>9.0} invoices/s {:>6} MB peak{}",
        r.wall.as_secs_f64(),
        n as f64 / r.wall.as_secs_f64().max(1e-9),
        r.max_rss_kb / 1024,
        if r.ok { "" } else { "  (FAILED)" }
    );
}

fn main() {
    // `cargo bench` passes --bench; test runners listing every target
    // (cargo test, nextest --list) must not start a long benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let n: u32 = if quick { 200 } else { 1_000 };
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 1..=n {
        std::fs::write(
            dir.join(format!("f-{i:05}.pdf")),
            invoice_pdf(&SampleInvoice::example(i), i.is_multiple_of(2)),
        )
        .unwrap();
    }
    let mut portal = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", tmp.path().join("portal"))
        .args(["sandbox", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(portal.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port: u16 = first
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let ok = facteur(&home)
        .args(["account", "add", "bench", "--kind", "sandbox", "--set"])
        .arg(format!("url=http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert!(ok.status.success());

    println!(
        "submission of {n} invoices to the sandbox portal on loopback ({} CPUs)",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    let first_run = run(facteur(&home).args(["submit", "--to", "bench"]).arg(&dir));
    print(
        "facteur submit (check, record, queue, send)",
        n as usize,
        &first_run,
    );
    assert_eq!(
        received(port),
        u64::from(n),
        "the portal did not get every invoice"
    );
    let again = run(facteur(&home).args(["submit", "--to", "bench"]).arg(&dir));
    print(
        "facteur submit again (all already sent)",
        n as usize,
        &again,
    );
    assert_eq!(received(port), u64::from(n), "something was sent twice");
    let sync = run(facteur(&home).args(["sync", "--account", "bench"]));
    print(
        "facteur sync (statuses of every invoice)",
        n as usize,
        &sync,
    );
    let _ = portal.kill();
    let _ = portal.wait();
    std::thread::sleep(Duration::from_millis(10));
}
