//! Measures the reader: per field, the share read right with no learning
//! and after one confirmed invoice of the layout, the "sure but wrong"
//! count, and the share of files whose invoice count is right (merged
//! documents, annexes up to 99 pages, single invoices never split). Prints
//! the figures README quotes.
//!
//! `cargo run --release --example read_measure [-- N]` (N generated
//! layouts, 300 by default). Set `FACTEUR_CORPUS` to the shared corpus to
//! add its real e-invoices (their embedded XML is the truth).

#[path = "../tests/support/invoices.rs"]
mod invoices;
#[path = "../tests/support/measure.rs"]
mod measure;

use std::path::Path;

use facteur::read::{self, en16931, learn};
use invoices::Spec;
use measure::{Score, score};

fn truth_json(spec: &Spec) -> String {
    let mut root = serde_json::Map::new();
    for (path, value) in spec.truth().fields {
        let mut node = &mut root;
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if let Some((k, idx)) = part.split_once('[') {
                let idx: usize = idx.trim_end_matches(']').parse().unwrap();
                let list = node
                    .entry(k.to_string())
                    .or_insert_with(|| serde_json::json!([]));
                let items = list.as_array_mut().unwrap();
                while items.len() <= idx {
                    items.push(serde_json::json!({}));
                }
                node = items[idx].as_object_mut().unwrap();
            } else if last {
                node.insert(part.to_string(), serde_json::json!(value));
            } else {
                node = node
                    .entry(part.to_string())
                    .or_insert_with(|| serde_json::json!({}))
                    .as_object_mut()
                    .unwrap();
            }
        }
    }
    serde_json::Value::Object(root).to_string()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let verbose = std::env::var("VERBOSE").is_ok();
    let mut plain = Score::default();
    let mut learned = Score::default();
    let mut single_split = 0;
    for seed in 0..n {
        let spec = invoices::spec(seed);
        let bytes = invoices::pdf(&spec.pages());
        let reading = read::read_bytes(&bytes, &[]).unwrap();
        if reading.invoices.len() != 1 {
            single_split += 1;
            continue;
        }
        let s = score(&spec.truth().fields, &reading.invoices[0]);
        if verbose && s.right() < s.total() {
            let read = reading.invoices[0].flat();
            for (p, v) in &spec.truth().fields {
                let got = read
                    .iter()
                    .find(|(q, _)| q == p)
                    .map(|(_, f)| f.value.clone());
                if !got.as_deref().is_some_and(|g| measure::same(p, v, g)) {
                    eprintln!(
                        "seed {seed} {:?}/{:?}/v{}: {p} read {got:?}, true {v:?}",
                        spec.lang, spec.arrangement, spec.variant
                    );
                }
            }
        }
        plain.add(&s);
        // One confirmation, then the next invoice of the same layout.
        let confirmed = en16931::parse(&truth_json(&spec)).unwrap();
        let mut layouts: Vec<read::Layout> = learn::confirm(&reading, &confirmed)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        for (i, l) in layouts.iter_mut().enumerate() {
            l.id = i as i64 + 1;
        }
        let next = invoices::next_of(&spec, 100_000 + seed);
        let again = read::read_bytes(&invoices::pdf(&next.pages()), &layouts).unwrap();
        if let Some(inv) = again.invoices.first() {
            let s = score(&next.truth().fields, inv);
            if verbose && s.right() < s.total() {
                let read = inv.flat();
                for (p, v) in &next.truth().fields {
                    let got = read
                        .iter()
                        .find(|(q, _)| q == p)
                        .map(|(_, f)| f.value.clone());
                    if !got.as_deref().is_some_and(|g| measure::same(p, v, g)) {
                        eprintln!(
                            "learned seed {seed} {:?}/{:?}/v{}: {p} read {got:?}, true {v:?}",
                            spec.lang, spec.arrangement, spec.variant
                        );
                    }
                }
            }
            learned.add(&s);
        }
    }

    // Invoice counts on merged and annexed files.
    let (mut count_right, mut count_total) = (0, 0);
    for seed in 0..n.min(100) {
        let a = invoices::spec(20_000 + seed);
        let same = invoices::next_of(&a, 30_000 + seed);
        let other = invoices::spec(40_000 + seed);
        let credit = Spec {
            credit: true,
            number: format!("AV-{seed}"),
            ..invoices::next_of(&a, 50_000 + seed)
        };
        let annexed = Spec {
            annexes: [1, 10, 99][seed as usize % 3],
            ..a.clone()
        };
        for docs in [
            vec![a.pages(), same.pages()],
            vec![a.pages(), other.pages()],
            vec![a.pages(), credit.pages()],
            vec![a.pages(), other.pages(), same.pages()],
            vec![annexed.pages()],
        ] {
            let mut starts = Vec::new();
            let mut all = Vec::new();
            for d in &docs {
                starts.push(all.len() + 1);
                all.extend(d.iter().cloned());
            }
            let got: Vec<usize> = read::read_bytes(&invoices::pdf(&all), &[])
                .unwrap()
                .invoices
                .iter()
                .map(|i| i.first_page)
                .collect();
            count_total += 1;
            if got == starts {
                count_right += 1;
            }
        }
    }

    println!("Generated layouts: {n} invoices (+ {n} next invoices of the same layouts)");
    println!(
        "{:<22} {:>14} {:>18}",
        "field", "no learning", "after 1 confirm."
    );
    let pct = |r: usize, t: usize| {
        if t == 0 {
            "—".to_string()
        } else {
            format!("{:.1} %", r as f64 * 100.0 / t as f64)
        }
    };
    for (k, (r, t)) in &plain.fields {
        let (lr, lt) = learned.fields.get(k).copied().unwrap_or((0, 0));
        println!("{k:<22} {:>14} {:>18}", pct(*r, *t), pct(lr, lt));
    }
    println!(
        "{:<22} {:>14} {:>18}",
        "all fields",
        pct(plain.right(), plain.total()),
        pct(learned.right(), learned.total())
    );
    println!(
        "sure but wrong: {} of {} sure (no learning), {} of {} (after one confirmation)",
        plain.sure_wrong.len(),
        plain.sure,
        learned.sure_wrong.len(),
        learned.sure
    );
    for w in plain.sure_wrong.iter().chain(&learned.sure_wrong).take(10) {
        println!("  {w}");
    }
    println!("single invoices split: {single_split} of {n}");
    println!(
        "invoice count right on merged and annexed files: {count_right} of {count_total} ({})",
        pct(count_right, count_total)
    );

    if let Ok(dir) = std::env::var("FACTEUR_CORPUS") {
        real(Path::new(&dir));
    }
    other_programs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invoice2data"));
}

/// invoice2data's test invoices (ten programs), its expected JSON as truth.
fn other_programs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let (mut right, mut total, mut files, mut split) = (0, 0, 0, 0);
    for e in entries.flatten() {
        let pdf = e.path();
        if pdf.extension().is_none_or(|x| x != "pdf") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(pdf.with_extension("json")) else {
            continue;
        };
        let want: serde_json::Value = serde_json::from_str(&text).unwrap();
        let want = if want.is_array() {
            want[0].clone()
        } else {
            want
        };
        let Ok(reading) = read::read_bytes(&std::fs::read(&pdf).unwrap(), &[]) else {
            continue;
        };
        files += 1;
        if reading.invoices.len() != 1 {
            split += 1;
            continue;
        }
        let inv = &reading.invoices[0];
        for (what, truth, got) in [
            (
                "BT-1",
                want["invoice_number"]
                    .as_str()
                    .map(|s| s.trim_start_matches('#').to_string()),
                inv.number.as_ref(),
            ),
            (
                "BT-2",
                want["date"].as_str().map(str::to_string),
                inv.issue_date.as_ref(),
            ),
            (
                "BG-22/BT-112",
                want["amount"].as_f64().map(|f| format!("{f:.2}")),
                inv.totals.with_tax.as_ref().or(inv.totals.due.as_ref()),
            ),
        ] {
            let Some(truth) = truth else { continue };
            total += 1;
            if got.is_some_and(|g| measure::same(what, &truth, &g.value)) {
                right += 1;
            }
        }
    }
    println!(
        "other programs' invoices (invoice2data's tests; number, date, total): {right} of {total} fields right, {split} of {files} files split"
    );
}

/// The shared corpus's e-invoices: the embedded XML says what the page says.
fn real(dir: &Path) {
    use facteur::check::facts::{FactKey, FactSource};
    let Ok(entries) = std::fs::read_dir(dir.join("pdfs")) else {
        return;
    };
    let (mut right, mut total) = (0, 0);
    for e in entries.flatten() {
        let path = e.path();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let r = facteur::check::check_bytes(
            &path,
            bytes.len() as u64,
            &bytes,
            &facteur::check::Options::default(),
        );
        let Ok(reading) = read::read_bytes(&bytes, &[]) else {
            continue;
        };
        let Some(inv) = reading.invoices.first() else {
            continue;
        };
        for (key, path_term, got) in [
            (FactKey::InvoiceNumber, "BT-1", inv.number.as_ref()),
            (FactKey::IssueDate, "BT-2", inv.issue_date.as_ref()),
            (
                FactKey::TotalWithoutTax,
                "BG-22/BT-109",
                inv.totals.without_tax.as_ref(),
            ),
            (FactKey::TotalTax, "BG-22/BT-110", inv.totals.tax.as_ref()),
            (
                FactKey::TotalWithTax,
                "BG-22/BT-112",
                inv.totals.with_tax.as_ref(),
            ),
        ] {
            let Some(want) = r.facts.fact(key).filter(|f| f.source == FactSource::Xml) else {
                continue;
            };
            total += 1;
            if got.is_some_and(|g| measure::same(path_term, &want.value, &g.value)) {
                right += 1;
            }
        }
    }
    println!(
        "shared corpus e-invoices (XML as truth; number, date, totals): {right} of {total} fields right"
    );
}
