//! The rule engine alone (`facteur::check::rules::check_xml`), printed as figures
//! (not a timed test): the first document (which pays for reading and
//! compiling the official stylesheets), then documents per second, the time
//! per document (mean, median, 95th percentile) and the process's peak
//! memory, over several rounds of the same documents.
//!
//! Documents: the CI sample in `tests/fixtures/einvoice/` (CII of every
//! Factur-X profile and UBL), or every `.xml` in `$RULES_BENCH_DIR`, e.g.
//! the 1,000 made by `scripts/einvoices/gen.py DIR --bulk 1000`.
//!
//! Run: `cargo bench --bench rules` (add `-- --quick` for one round).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use facteur::check::rules::check_xml;

fn documents() -> (PathBuf, Vec<Vec<u8>>) {
    let dir = std::env::var_os("RULES_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/einvoice"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    let docs = paths
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    (dir, docs)
}

/// The process's peak resident memory in kB (Linux `VmHWM`), if readable.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes --bench; test runners listing or running every
    // target (cargo test, nextest --list) must not start a long benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let (dir, docs) = documents();
    assert!(!docs.is_empty(), "no .xml in {}", dir.display());
    let bytes: usize = docs.iter().map(Vec::len).sum();
    println!(
        "rules engine on {} documents from {} ({} kB in all)",
        docs.len(),
        dir.display(),
        bytes / 1024
    );

    let start = Instant::now();
    let first = check_xml(&docs[0]);
    println!(
        "first document, stylesheets read and compiled: {:.1} ms ({})",
        ms(start.elapsed()),
        if first.is_ok() { "ok" } else { "error" }
    );

    let rounds = if quick { 1 } else { 5 };
    let mut times = Vec::with_capacity(docs.len() * rounds);
    let mut errors = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for doc in &docs {
            let t = Instant::now();
            if check_xml(doc).is_err() {
                errors += 1;
            }
            times.push(t.elapsed());
        }
    }
    let total = start.elapsed();
    times.sort();
    let n = times.len();
    println!(
        "{} rounds, {} runs: {:.1} documents/s, per document mean {:.2} ms, median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} errors)",
        rounds,
        n,
        n as f64 / total.as_secs_f64(),
        ms(total) / n as f64,
        ms(times[n / 2]),
        ms(times[(n * 95 / 100).min(n - 1)]),
        ms(times[n - 1]),
        errors
    );
    match peak_rss_kb() {
        Some(kb) => println!("peak memory (VmHWM): {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak memory: not readable here"),
    }
}
