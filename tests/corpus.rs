//! The checker against the real PDFs in `../shared/corpus`, asserting only
//! what its manifest establishes (`unknown` cells are skipped).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use facteur::check::facts::FactKey;
use facteur::check::{ContentClass, Options, Report, Verdict, check_file};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Rows of manifest.csv as column → cell maps (the CSV quotes only the notes).
fn manifest() -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.csv"))
        .expect("../shared/corpus/manifest.csv must be beside the repository");
    let mut lines = text.lines();
    let header: Vec<String> = split_csv(lines.next().unwrap());
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn yes_no(cell: &str) -> Option<bool> {
    match cell {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn checked() -> Vec<(HashMap<String, String>, Report)> {
    let dir = corpus_dir();
    manifest()
        .into_iter()
        .map(|row| {
            let report = check_file(&dir.join(&row["path"]), &Options::default())
                .expect("corpus file readable");
            (row, report)
        })
        .collect()
}

#[test]
fn every_known_cell_of_the_manifest_matches() {
    let mut mismatches = Vec::new();
    let mut asserted = 0;
    for (row, r) in checked() {
        let path = &row["path"];
        let mut expect = |what: &str, want: String, got: String| {
            asserted += 1;
            if want != got {
                mismatches.push(format!("{path}: {what}: manifest {want}, checker {got}"));
            }
        };
        if let Some(b) = yes_no(&row["is_pdf"]) {
            expect("is_pdf", b.to_string(), r.pdf.to_string());
        }
        if let Some(b) = yes_no(&row["parse_ok"]) {
            expect("parse_ok", b.to_string(), r.readable.to_string());
        }
        if let Some(b) = yes_no(&row["encrypted"]) {
            expect("encrypted", b.to_string(), r.encrypted.to_string());
        }
        if let Some(b) = yes_no(&row["signed"]) {
            expect("signed", b.to_string(), r.signed.to_string());
        }
        let content = match row["native_class"].as_str() {
            "native" => Some(ContentClass::Native),
            "scanned" => Some(ContentClass::Scanned),
            "scanned_ocr" => Some(ContentClass::ScannedOcr),
            _ => None,
        };
        if let Some(c) = content {
            expect("native_class", format!("{c:?}"), format!("{:?}", r.content));
        }
        if let Ok(p) = row["pages"].parse::<usize>() {
            expect(
                "pages",
                p.to_string(),
                format!("{:?}", r.pages.unwrap_or(0)),
            );
        }
        if let Some(b) = yes_no(&row["facturx"]) {
            expect("facturx", b.to_string(), r.structured.is_some().to_string());
        }
        if !row["facturx_invoice_number"].is_empty() {
            expect(
                "facturx_invoice_number",
                row["facturx_invoice_number"].clone(),
                r.facts
                    .get(FactKey::InvoiceNumber)
                    .unwrap_or("-")
                    .to_string(),
            );
        }
        if let Ok(n) = row["invoice_count"].parse::<usize>() {
            expect(
                "invoice_count",
                n.to_string(),
                format!("{}", r.invoice_count.unwrap_or(0)),
            );
        }
        if let Some(b) = yes_no(&row["expected_accept"]) {
            let got = r.verdict == Verdict::Accepted;
            asserted += 1;
            if got != b {
                let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
                mismatches.push(format!(
                    "{path}: expected_accept: manifest {b}, checker {got} {codes:?}"
                ));
            }
        }
    }
    assert!(
        asserted > 200,
        "too few manifest cells asserted: {asserted}"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_rejection_says_why_in_both_languages() {
    for (row, r) in checked() {
        if r.verdict == Verdict::Rejected {
            assert!(
                r.findings
                    .iter()
                    .any(|f| f.severity == facteur::check::finding::Severity::Error),
                "{}: rejected without an error finding",
                row["path"]
            );
        }
        for f in &r.findings {
            for s in [&f.message_fr, &f.message_en, &f.hint_fr, &f.hint_en] {
                assert!(
                    !s.trim().is_empty(),
                    "{}: empty text in {:?}",
                    row["path"],
                    f.code
                );
            }
        }
    }
}
