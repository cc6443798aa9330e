//! Real invoices of other programs, measured: the files and their truth
//! listed in `tests/fixtures/programs/programs.tsv` (one line per program
//! or template, its files in order: the first is the one confirmed), each
//! file's truth in `NAME.truth.json` beside it (written by
//! `scripts/programs/truth.py` from the embedded XML or invoice2data's
//! expected answer, or by hand; only values printed on the page). Shared by
//! `tests/read.rs` and `examples/read_programs.rs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use facteur::read::{self, en16931, learn};

use super::invoices;
use super::measure::{Score, score};

/// One program or template and its files.
#[derive(Debug, Clone)]
pub struct Program {
    pub name: String,
    /// Where the truth comes from: `xml`, `invoice2data` or `hand`.
    pub truth: String,
    pub files: Vec<PathBuf>,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The programs of the manifest.
pub fn programs() -> Vec<Program> {
    let dir = fixtures();
    let text = std::fs::read_to_string(dir.join("programs/programs.tsv")).expect("the manifest");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 3, "manifest line: {l}");
            Program {
                name: cols[0].to_string(),
                truth: cols[1].to_string(),
                files: cols[2].split(',').map(|f| dir.join(f.trim())).collect(),
            }
        })
        .collect()
}

/// A file's truth: EN 16931 path → value.
pub fn truth(pdf: &Path) -> Vec<(String, String)> {
    let path = pdf.with_extension("truth.json");
    let mut out = flat(&path).unwrap_or_else(|| panic!("{}: no truth", pdf.display()));
    out.sort();
    out
}

/// A flat JSON object of EN 16931 path → plain value (a truth, an
/// e-invoice's data, an owner's entries); `None` when there is no such file.
pub fn flat(path: &Path) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
    Some(
        v.as_object()
            .expect("a flat JSON object")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("plain values").to_string()))
            .collect(),
    )
}

/// The truth as the JSON a confirmation carries (plain values).
pub fn plain_json(truth: &[(String, String)]) -> String {
    use serde_json::Value;
    let mut root = serde_json::Map::new();
    for (path, value) in truth {
        let mut node = &mut root;
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if let Some((k, idx)) = part.split_once('[') {
                let idx: usize = idx.trim_end_matches(']').parse().expect("an index");
                let list = node
                    .entry(k.to_string())
                    .or_insert_with(|| Value::Array(vec![]));
                let items = list.as_array_mut().expect("a list");
                while items.len() <= idx {
                    items.push(Value::Object(Default::default()));
                }
                node = items[idx].as_object_mut().expect("an item");
            } else if last {
                node.insert(part.to_string(), Value::String(value.clone()));
            } else {
                node = node
                    .entry(part.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
                    .as_object_mut()
                    .expect("a group");
            }
        }
    }
    Value::Object(root).to_string()
}

/// What one program's files gave.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    pub name: String,
    pub files: usize,
    /// Files read as more (or fewer) than one invoice.
    pub miscounted: Vec<String>,
    /// Every file, no learning.
    pub plain: Score,
    /// The program's other files after confirming its first (none when it
    /// has a single file).
    pub next: Option<Score>,
    /// Of those, how many the learned layout matched.
    pub next_matched: usize,
    /// The confirmed file itself read again with its learned layout.
    pub same: Score,
}

fn read_one(bytes: &[u8], layouts: &[learn::Layout]) -> read::Reading {
    read::read_bytes(bytes, layouts).expect("a real PDF reads")
}

/// Reads a program's files with no learning, then confirms the first and
/// reads them all again with its layout.
pub fn measure(p: &Program) -> Measured {
    let mut m = Measured {
        name: p.name.clone(),
        files: p.files.len(),
        ..Default::default()
    };
    let mut layout = None;
    for (i, f) in p.files.iter().enumerate() {
        let bytes = std::fs::read(f).expect("fixture");
        let truth = truth(f);
        let reading = read_one(&bytes, &[]);
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if reading.invoices.len() != 1 {
            m.miscounted
                .push(format!("{name}: {} invoices", reading.invoices.len()));
        }
        let Some(inv) = reading.invoices.first() else {
            continue;
        };
        m.plain.add(&score(&truth, inv));
        if i == 0 {
            let confirmed = en16931::parse(&plain_json(&truth)).expect("truth as a confirmation");
            let learned = learn::confirm(&reading, &confirmed);
            if let Some((_, l)) = learned.into_iter().next() {
                let mut l = l;
                l.id = 1;
                layout = Some(l);
            }
            if let Some(l) = &layout {
                let again = read_one(&bytes, std::slice::from_ref(l));
                if let Some(inv) = again.invoices.first() {
                    let mut sc = score(&truth, inv);
                    for x in &mut sc.misses {
                        *x = format!("{name} (again): {x}");
                    }
                    m.same.add(&sc);
                }
            }
        } else if let Some(l) = &layout {
            let again = read_one(&bytes, std::slice::from_ref(l));
            if let Some(inv) = again.invoices.first() {
                if inv.layout == Some(1) {
                    m.next_matched += 1;
                }
                let mut sc = score(&truth, inv);
                for x in &mut sc.misses {
                    *x = format!("{name} (next): {x}");
                }
                m.next.get_or_insert_with(Score::default).add(&sc);
            }
        }
    }
    m
}

/// A multi-document file made of real files, and where each document
/// starts (1-based pages).
pub struct Merged {
    pub what: String,
    pub bytes: Vec<u8>,
    pub starts: Vec<usize>,
}

fn pages_of(bytes: &[u8]) -> usize {
    lopdf::Document::load_mem(bytes)
        .expect("a PDF")
        .get_pages()
        .len()
}

fn merged(what: String, files: Vec<Vec<u8>>) -> Merged {
    let mut starts = Vec::new();
    let mut page = 1;
    for f in &files {
        starts.push(page);
        page += pages_of(f);
    }
    Merged {
        what,
        bytes: invoices::merge(&files),
        starts,
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().to_string()
}

/// The merged cases: each program's first file followed by the next
/// program's (two programs), by its own second file (two of one template),
/// every third program with the next two (three documents), invoices
/// followed by a credit note of the same or another program, and invoices
/// followed by 1, 10 or 99 annex pages (terms, timesheets, delivery notes),
/// which stay one invoice.
pub fn merged_cases(progs: &[Program]) -> Vec<Merged> {
    let load = |p: &Path| std::fs::read(p).expect("fixture");
    let mut out = Vec::new();
    let n = progs.len();
    for i in 0..n {
        let a = &progs[i].files[0];
        let b = &progs[(i + 1) % n].files[0];
        out.push(merged(
            format!("two programs: {} + {}", file_name(a), file_name(b)),
            vec![load(a), load(b)],
        ));
        if let Some(second) = progs[i].files.get(1) {
            out.push(merged(
                format!(
                    "two of one template: {} + {}",
                    file_name(a),
                    file_name(second)
                ),
                vec![load(a), load(second)],
            ));
        }
        if i % 3 == 0 {
            let c = &progs[(i + 2) % n].files[0];
            out.push(merged(
                format!(
                    "three: {} + {} + {}",
                    file_name(a),
                    file_name(b),
                    file_name(c)
                ),
                vec![load(a), load(b), load(c)],
            ));
        }
    }
    let dir = fixtures().join("programs");
    for (inv, credit) in [
        ("ferd20-einfach.pdf", "ferd20-gutschrift.pdf"),
        ("fnfe-facture-fr.pdf", "fnfe-avoir.pdf"),
        ("gnuaccounting-499.pdf", "fnfe-avoir.pdf"),
        ("weclapp-re1001.pdf", "ferd20-gutschrift.pdf"),
        ("hetzner-fop.pdf", "fnfe-avoir.pdf"),
    ] {
        out.push(merged(
            format!("invoice then credit note: {inv} + {credit}"),
            vec![load(&dir.join(inv)), load(&dir.join(credit))],
        ));
    }
    for (k, p) in progs.iter().enumerate() {
        let annexes = [1, 10, 99][k % 3];
        let number = truth(&p.files[0])
            .into_iter()
            .find(|(k, _)| k == "BT-1")
            .map(|(_, v)| v)
            .unwrap_or_else(|| "1".into());
        let spec = invoices::Spec {
            annexes,
            number,
            ..invoices::spec(9000 + k as u64)
        };
        let own = invoices::Spec {
            annexes: 0,
            ..spec.clone()
        }
        .pages()
        .len();
        let annex_pages = spec.pages().split_off(own);
        let annex = invoices::pdf(&annex_pages);
        let mut m = merged(
            format!("{} with {annexes} annex pages", file_name(&p.files[0])),
            vec![load(&p.files[0]), annex],
        );
        m.starts.truncate(1);
        out.push(m);
    }
    out
}

/// The pages where each invoice of a file starts, as read.
pub fn starts(bytes: &[u8]) -> Vec<usize> {
    read_one(bytes, &[])
        .invoices
        .iter()
        .map(|i| i.first_page)
        .collect()
}
