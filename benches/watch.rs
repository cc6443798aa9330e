//! `facteur watch`, printed as figures (not a timed test):
//! - latency: 200 invoices written one by one (20 a second) into a watched
//!   folder; for each, the time from the moment it became stable (its last
//!   byte written plus the settling time) to its check recorded in the
//!   store; p50 and p95;
//! - a burst: 5,000 invoices written at once; the time until the last is
//!   recorded, as files per second;
//! - the watcher's peak memory over both (its own maximum resident size).
//!
//! Run: `cargo bench --bench watch`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use rusqlite::Connection;

const SETTLE_MS: u64 = 500;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn count(home: &Path) -> i64 {
    Connection::open(home.join("facteur.db"))
        .and_then(|c| c.query_row("SELECT count(*) FROM checks", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn wait_count(home: &Path, n: i64, secs: u64) {
    let start = Instant::now();
    while count(home) < n {
        assert!(start.elapsed() < Duration::from_secs(secs), "stuck");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    // Started before the files are generated: a child's peak memory as
    // wait4 reports it includes what it shared with this process before
    // its exec.
    let watcher = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["watch", dir.to_str().unwrap(), "--settle"])
        .arg(format!("{}", SETTLE_MS as f64 / 1000.0))
        .env("FACTEUR_HOME", &home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Generated ahead: the writing is what the folder sees.
    let files: Vec<Vec<u8>> = (1..=5_200)
        .map(|n| invoice_pdf(&SampleInvoice::example(n), false))
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    println!("Facteur watch benchmark — settling time {SETTLE_MS} ms");

    // Latency, one file at a time.
    let mut stable_at = Vec::new();
    for (i, bytes) in files[..200].iter().enumerate() {
        std::fs::write(dir.join(format!("L-{i:04}.pdf")), bytes).unwrap();
        stable_at.push((format!("L-{i:04}.pdf"), now_ms() + SETTLE_MS as i64));
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_count(&home, 200, 120);
    let conn = Connection::open(home.join("facteur.db")).unwrap();
    let mut lat: Vec<i64> = stable_at
        .iter()
        .map(|(name, stable)| {
            let at: i64 = conn
                .query_row(
                    "SELECT checked_ms FROM checks WHERE path LIKE ?1",
                    [format!("%{name}")],
                    |r| r.get(0),
                )
                .unwrap();
            (at - stable).max(0)
        })
        .collect();
    lat.sort();
    println!(
        "{:<58} p50 {:>4} ms   p95 {:>4} ms   (max {} ms)",
        "latency, stable file → check recorded (200 files, 20/s)",
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        lat.last().unwrap()
    );

    // The burst.
    let start = Instant::now();
    for (i, bytes) in files[200..].iter().enumerate() {
        std::fs::write(dir.join(format!("B-{i:05}.pdf")), bytes).unwrap();
    }
    let written = start.elapsed();
    wait_count(&home, 5_200, 900);
    let all = start.elapsed();
    println!(
        "{:<58} {:>6.1} s   {:>5.0} files/s   (writing them took {:.1} s)",
        "burst of 5,000 files, until the last is recorded",
        all.as_secs_f64(),
        5_000.0 / all.as_secs_f64(),
        written.as_secs_f64()
    );
    Command::new("kill")
        .args(["-TERM", &watcher.id().to_string()])
        .status()
        .unwrap();
    let r = common::reap(watcher);
    assert!(r.ok, "the watcher did not stop cleanly");
    println!(
        "{:<58} {:>6.0} MB",
        "watcher's peak memory (resident), over both",
        r.max_rss_kb as f64 / 1024.0
    );
}
