//! What the reader costs inside `facteur check`, on the same files in one
//! run: a bare lopdf load, the content-stream walk (`pdf::pages`), the
//! reading on top of it (`read::read_pages`), and the whole check. Prints
//! milliseconds per file and the ratios (not a timed test: it never fails).
//!
//! `cargo run --release --example read_speed [-- DIR]` (default: 300
//! generated invoices of varied layouts, plus the PDFs in DIR if given;
//! `READ_SPEED_ONLY_DIR=1` leaves the generated ones out). The check is
//! timed with and without the official e-invoice rules, which dominate on
//! Factur-X files. The check without the rules is also timed on its first
//! pass through the files, in a process where nothing has run yet: regexes
//! are built and their lazy automata filled then, as in one `facteur check`
//! run.

#[path = "../tests/support/invoices.rs"]
mod invoices;

use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let generated = if std::env::var("READ_SPEED_ONLY_DIR").is_ok() {
        0
    } else {
        300u64
    };
    let mut files: Vec<(String, Vec<u8>)> = (0..generated)
        .map(|s| {
            (
                format!("generated {s}"),
                invoices::pdf(&invoices::spec(s).pages()),
            )
        })
        .collect();
    if let Some(dir) = std::env::args().nth(1) {
        for e in std::fs::read_dir(dir).expect("a folder").flatten() {
            if e.path().extension().is_some_and(|x| x == "pdf")
                && let Ok(b) = std::fs::read(e.path())
            {
                files.push((e.path().display().to_string(), b));
            }
        }
    }
    let budget = || facteur::pdf::Budget::new(Instant::now() + Duration::from_secs(20));
    let opts = facteur::check::Options::default();
    let no_rules = facteur::check::Options {
        einvoice_rules: false,
        ..Default::default()
    };
    // First, before anything else has run in this process: what one
    // `facteur check` run over these files pays, regexes built and their
    // lazy automata filled as it goes.
    let t = Instant::now();
    for (name, bytes) in &files {
        std::hint::black_box(facteur::check::check_bytes(
            Path::new(name),
            bytes.len() as u64,
            bytes,
            &no_rules,
        ));
    }
    let first_pass = t.elapsed();
    let mut check_no_rules = Duration::ZERO;
    let (mut load, mut walk, mut read, mut check) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let rounds = 3;
    for _ in 0..rounds {
        for (name, bytes) in &files {
            let t = Instant::now();
            let Ok(doc) = facteur::pdf::load(bytes, &budget()) else {
                continue;
            };
            load += t.elapsed();
            let t = Instant::now();
            let Ok(pages) = facteur::pdf::pages(&doc, &budget()) else {
                continue;
            };
            walk += t.elapsed();
            let t = Instant::now();
            let r = facteur::read::read_pages(&pages, &[]);
            read += t.elapsed();
            std::hint::black_box(r);
            let t = Instant::now();
            let rep =
                facteur::check::check_bytes(Path::new(name), bytes.len() as u64, bytes, &opts);
            check += t.elapsed();
            std::hint::black_box(rep);
        }
        // In a pass of its own: interleaved with the rules' checks, it
        // would find its caches evicted by theirs.
        for (name, bytes) in &files {
            let t = Instant::now();
            let rep =
                facteur::check::check_bytes(Path::new(name), bytes.len() as u64, bytes, &no_rules);
            check_no_rules += t.elapsed();
            std::hint::black_box(rep);
        }
    }
    let n = (files.len() * rounds) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
    println!("{} files × {rounds} rounds, per file:", files.len());
    println!("  bare lopdf load        {:.3} ms", ms(load));
    println!("  content-stream walk    {:.3} ms", ms(walk));
    println!("  the reading            {:.3} ms", ms(read));
    println!("  whole facteur check    {:.3} ms", ms(check));
    println!(
        "  the check without the official e-invoice rules {:.3} ms ({:.2}× a bare load)",
        ms(check_no_rules),
        check_no_rules.as_secs_f64() / load.as_secs_f64()
    );
    println!(
        "  the same, first pass of this process {:.3} ms ({:.2}× a bare load)",
        first_pass.as_secs_f64() * 1000.0 / files.len() as f64,
        first_pass.as_secs_f64() * rounds as f64 / load.as_secs_f64()
    );
    println!(
        "  check / bare load: {:.2}×; the reading is {:.0} % of the check",
        check.as_secs_f64() / load.as_secs_f64(),
        read.as_secs_f64() * 100.0 / check.as_secs_f64()
    );
}
