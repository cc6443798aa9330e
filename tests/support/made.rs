//! What the issue asks of every made Factur-X, checked from outside and
//! shared by `tests/make.rs` (generated layouts) and
//! `tests/make_programs.rs` (real programs' PDFs): the checker's container
//! checks and the official rules, `qpdf --check`, the same XML read back by
//! Python's `factur-x` (with its XSD check) and `pypdf`, and `pdftotext`'s
//! text of every page unchanged.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use facteur::check::rules::Verdict;
use facteur::check::{Options, check_bytes};
use facteur::make;

pub fn python() -> PathBuf {
    std::env::var_os("FACTEUR_PY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/facteur/py")))
        .expect("neither FACTEUR_PY nor HOME is set")
        .join("bin/python")
}

const READ_BACK: &str = r#"
import sys, facturx, pypdf
path = sys.argv[1]
with open(path, "rb") as f:
    name, xml = facturx.get_xml_from_pdf(f.read(), check_xsd=True)
r = pypdf.PdfReader(path)
att = r.attachments.get("factur-x.xml") or []
assert len(att) == 1, f"pypdf finds {len(att)} factur-x.xml"
assert name == "factur-x.xml", name
assert att[0] == xml, "factur-x and pypdf read different XML"
assert "/AF" in r.trailer["/Root"], "no /AF in the catalog"
meta = r.xmp_metadata
assert meta is not None, "pypdf finds no XMP"
sys.stdout.buffer.write(xml)
"#;

pub fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Everything the issue asks of a made file.
pub fn assert_made_file_is_sound(dir: &Path, label: &str, original: &[u8], made: &make::Made) {
    assert_sound(dir, label, original, made, true);
}

/// Everything the issue asks of a made file's container, for a file whose
/// XML is another invoice's: the checker's comparison of the page with the
/// XML (which then rightly differ) left aside.
pub fn assert_container_is_sound(dir: &Path, label: &str, original: &[u8], made: &make::Made) {
    assert_sound(dir, label, original, made, false);
}

fn assert_sound(dir: &Path, label: &str, original: &[u8], made: &make::Made, same_invoice: bool) {
    let orig_path = dir.join(format!("{label}.pdf"));
    let made_path = dir.join(format!("{label}-factur-x.pdf"));
    std::fs::write(&orig_path, original).unwrap();
    std::fs::write(&made_path, &made.pdf).unwrap();

    // The checker: container checks and the official rules.
    let report = check_bytes(
        &made_path,
        made.pdf.len() as u64,
        &made.pdf,
        &Options::default(),
    );
    let s = report
        .structured
        .as_ref()
        .expect("the made file carries its XML");
    assert_eq!(
        s.verdict,
        Verdict::Valid,
        "{label}: rules {:?} unevaluated {:?}",
        s.rules,
        s.unevaluated
    );
    assert!(
        s.container.is_empty(),
        "{label}: container findings {:?}",
        s.container
    );
    if same_invoice {
        assert!(report.accepted(), "{label}: {:?}", report.findings);
    }

    // qpdf's structural check.
    let q = Command::new("qpdf")
        .arg("--check")
        .arg(&made_path)
        .output()
        .expect("qpdf runs");
    assert!(
        q.status.success(),
        "{label}: qpdf --check: {}{}",
        String::from_utf8_lossy(&q.stdout),
        String::from_utf8_lossy(&q.stderr)
    );

    // Two independent readers find the same XML.
    let py = Command::new(python())
        .args(["-c", READ_BACK])
        .arg(&made_path)
        .output()
        .expect("the test Python runs (bash scripts/setup.sh)");
    assert!(
        py.status.success(),
        "{label}: read back: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(py.stdout, made.xml, "{label}: the XML read back differs");

    // Every page's text unchanged.
    assert_eq!(
        pdftotext(&orig_path),
        pdftotext(&made_path),
        "{label}: text changed"
    );
}
