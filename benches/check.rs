//! Checker throughput and memory, printed as figures (not a timed test).
//!
//! Builds a batch of 1,000 typical invoices (1–3 pages, half with Factur-X)
//! and one 40 MB / 100-page file, then measures, each as a separate process
//! so peak memory is the process's own:
//! - `facteur check --json` over the batch (files/s, peak RSS);
//! - `facteur check --json` on the big file (wall time, peak RSS);
//! - poppler's `pdfinfo` + `pdffonts` + `pdfimages -list` + `pdfsig` per file;
//! - a pypdf script reading pages, text and attachments per file.
//!
//! Run: `cargo bench --bench check` (add `-- --quick` for 200 files).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use facteur::demo::sample::{Build, SampleInvoice, facturx_xml};

mod common;
use common::{Run, run};

fn best_of(n: usize, mut f: impl FnMut() -> Run) -> Run {
    (0..n)
        .map(|_| f())
        .min_by_key(|r| r.wall)
        .expect("at least one run")
}

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn generate(dir: &Path, count: usize) {
    let batch = dir.join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    for n in 1..=count as u32 {
        let inv = SampleInvoice {
            pages: 1 + (n as usize % 3),
            ..SampleInvoice::example(n)
        };
        let bytes = Build {
            facturx: (n % 2 == 0).then(|| facturx_xml(&inv)),
            invoices: vec![inv],
            ..Build::default()
        }
        .to_bytes();
        std::fs::write(batch.join(format!("facture-{n:04}.pdf")), bytes).unwrap();
    }
    let inv = SampleInvoice {
        pages: 100,
        ..SampleInvoice::example(9999)
    };
    let big = Build {
        facturx: Some(facturx_xml(&inv)),
        invoices: vec![inv],
        padding_bytes: 40 * 1000 * 1000 - 300 * 1000,
        ..Build::default()
    }
    .to_bytes();
    std::fs::write(dir.join("big-40MB-100p.pdf"), &big).unwrap();
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn print_rate(label: &str, files: usize, r: &Run) {
    println!(
        "{label:<44} {:>8.0} f/s {:>11} MB",
        per_sec(files, r.wall),
        r.max_rss_kb / 1024
    );
}

fn print_ms(label: &str, r: &Run, note: &str) {
    println!(
        "{label:<44} {:>9} ms {:>11} MB{note}",
        r.wall.as_millis(),
        r.max_rss_kb / 1024
    );
}

/// Poppler's four tools on one file; the peak memory of the hungriest.
fn poppler(file: &Path) -> i64 {
    [
        ("pdfinfo", &[][..]),
        ("pdffonts", &[][..]),
        ("pdfimages", &["-list"][..]),
        ("pdfsig", &[][..]),
    ]
    .iter()
    .map(|(tool, args)| run(Command::new(tool).args(*args).arg(file)).max_rss_kb)
    .max()
    .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Generation runs in a child process: a child's peak RSS (from wait4)
    // starts from its parent's at spawn, so the measuring process must stay
    // small.
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let count: usize = args[i + 2].parse().unwrap();
        generate(Path::new(&args[i + 1]), count);
        return;
    }
    // `cargo bench` passes --bench; test runners listing or running every
    // target (cargo test, nextest --list) must not start a long benchmark.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let count = if quick { 200 } else { 1000 };
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .arg("--generate")
        .arg(dir.path())
        .arg(count.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "generating the batch failed");
    let files: Vec<PathBuf> = (1..=count)
        .map(|n| dir.path().join(format!("batch/facture-{n:04}.pdf")))
        .collect();
    let big = dir.path().join("big-40MB-100p.pdf");
    let big_size = std::fs::metadata(&big).unwrap().len();
    let facteur = env!("CARGO_BIN_EXE_facteur");
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!(
        "Facteur checker benchmark — {count} typical invoices + one {:.1} MB / 100-page file, {jobs} cores",
        big_size as f64 / 1e6
    );
    println!("{:<44} {:>12} {:>14}", "what", "figure", "peak memory");

    let batch = best_of(3, || {
        run(Command::new(facteur)
            .args(["check", "--json", "--no-store", "--jobs", &jobs.to_string()])
            .arg(dir.path().join("batch")))
    });
    assert!(batch.ok, "facteur failed on the batch");
    print_rate("facteur check (batch)", count, &batch);

    // The same batch, each run recorded in a fresh local database.
    let mut round = 0;
    let stored = best_of(3, || {
        round += 1;
        run(Command::new(facteur)
            .env("FACTEUR_HOME", dir.path().join(format!("home-{round}")))
            .args(["check", "--json", "--jobs", &jobs.to_string()])
            .arg(dir.path().join("batch")))
    });
    print_rate("facteur check, recorded in the store", count, &stored);

    let bigrun = best_of(5, || {
        run(Command::new(facteur)
            .args(["check", "--json", "--no-store"])
            .arg(&big))
    });
    assert!(bigrun.ok, "facteur failed on the big file");
    let limit_mb = 3 * big_size / 1_000_000 + 64;
    print_ms(
        "facteur check (40 MB / 100 pages)",
        &bigrun,
        &format!("   (target < 300 ms, < {limit_mb} MB)"),
    );

    if have("pdfinfo", "-v") && have("pdfsig", "-v") {
        let sample: Vec<&PathBuf> = files.iter().take(if quick { 50 } else { 200 }).collect();
        let t = Instant::now();
        let mut max_rss_kb = 0;
        for chunk in sample.chunks(jobs) {
            let runs: Vec<_> = std::thread::scope(|s| {
                let handles: Vec<_> = chunk.iter().map(|f| s.spawn(move || poppler(f))).collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            max_rss_kb = runs.into_iter().fold(max_rss_kb, i64::max);
        }
        let all = Run {
            wall: t.elapsed(),
            max_rss_kb,
            ok: true,
        };
        print_rate(
            "poppler pdfinfo+pdffonts+pdfimages+pdfsig",
            sample.len(),
            &all,
        );
        let big_poppler = best_of(3, || {
            let t = Instant::now();
            let max_rss_kb = poppler(&big);
            Run {
                wall: t.elapsed(),
                max_rss_kb,
                ok: true,
            }
        });
        print_ms("poppler, 40 MB file", &big_poppler, "");
    } else {
        println!("poppler-utils not installed: comparison skipped (scripts/setup.sh installs it)");
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pypdf_check.py");
    let python = std::env::var("FACTEUR_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_pypdf = Command::new(&python)
        .args(["-c", "import pypdf"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_pypdf {
        let r = best_of(1, || {
            run(Command::new(&python)
                .arg(&script)
                .arg(dir.path().join("batch")))
        });
        print_rate("pypdf script (1 process, 1 core)", count, &r);
        let r = best_of(3, || run(Command::new(&python).arg(&script).arg(&big)));
        print_ms("pypdf, 40 MB file", &r, "");
    } else {
        println!(
            "pypdf not installed: comparison skipped (pip install pypdf, or set FACTEUR_BENCH_PYTHON)"
        );
    }
    // The same work in-process, without process start-up (last: it grows
    // this process, which would skew the children's peak memory).
    let opts = facteur::check::Options::default();
    let t = Instant::now();
    let r = facteur::check::check_file(&big, &opts).unwrap();
    println!(
        "{:<44} {:>9} ms   (pages {:?})",
        "  of which the check itself",
        t.elapsed().as_millis(),
        r.pages
    );
}
