//! Hostile and malformed inputs: the checker must answer (a finding), never
//! crash, hang or exhaust memory. Files are written by hand here so each
//! attack is explicit; fuzzing finds the rest (`fuzz/`), and anything it
//! finds is kept in `tests/fixtures/regressions/` and replayed below.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use facteur::check::finding::Code;
use facteur::check::{Options, Report, Verdict, check_bytes, check_file};

/// Assembles a PDF from object bodies (numbered from 1) with a correct xref.
fn pdf(objects: &[Vec<u8>], root: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

fn page_with(content: &[u8], resources: &str) -> Vec<Vec<u8>> {
    vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources {resources} >>")
            .into_bytes(),
        stream("", content),
    ]
}

fn timed(bytes: &[u8]) -> (Report, Duration) {
    let opts = Options {
        time_limit: Duration::from_secs(5),
        ..Options::default()
    };
    let t = Instant::now();
    let r = check_bytes(Path::new("hostile.pdf"), bytes.len() as u64, bytes, &opts);
    (r, t.elapsed())
}

fn codes(r: &Report) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

#[test]
fn deeply_nested_arrays_do_not_overflow_the_stack() {
    let depth = 200_000;
    let mut body = "[".repeat(depth).into_bytes();
    body.extend("]".repeat(depth).bytes());
    let mut objs = page_with(b"BT ET", "<< >>");
    objs.push(body);
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(r.pdf);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_form_that_draws_itself_terminates() {
    let mut objs = page_with(b"/F1 Do", "<< /XObject << /F1 5 0 R >> >>");
    objs.push(stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /F1 5 0 R >> >>",
        b"/F1 Do /F1 Do",
    ));
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(r.readable, "{:?}", codes(&r));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_decompression_bomb_is_capped() {
    // 256 MiB of spaces compress to a few hundred kB; the content stream
    // must not be inflated whole (the cap is 32 MB a stream).
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..256 {
        enc.write_all(&chunk).unwrap();
    }
    let bomb = enc.finish().unwrap();
    let mut objs = page_with(b"", "<< >>");
    objs[3] = stream("/Filter /FlateDecode", &bomb);
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(r.pdf);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_page_tree_cycle_is_reported_not_followed_forever() {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ];
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(r.pdf);
}

#[test]
fn an_embedded_files_name_tree_cycle_terminates() {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("", b"BT ET"),
        b"<< /Kids [5 0 R 5 0 R] >>".to_vec(),
    ];
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(r.readable);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(codes(&r).contains(&Code::StructuredMissing));
}

#[test]
fn millions_of_operators_hit_the_budget_not_the_clock() {
    let content = b"q Q ".repeat(3_000_000);
    let objs = page_with(&content, "<< >>");
    let (r, took) = timed(&pdf(&objs, 1));
    assert!(r.readable);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn garbage_after_the_header_is_unreadable() {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let (r, _) = timed(&bytes);
    assert!(r.pdf && !r.readable);
    assert_eq!(r.verdict, Verdict::Rejected);
    assert!(codes(&r).contains(&Code::Unreadable), "{:?}", codes(&r));
}

/// Every file fuzzing ever found troublesome is replayed here.
#[test]
fn fuzz_regressions_are_answered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let r = check_file(&path, &Options::default()).unwrap();
        if r.verdict == Verdict::Rejected {
            assert!(!r.findings.is_empty(), "{}", path.display());
        }
        n += 1;
    }
    assert!(n > 0, "no regression files in {}", dir.display());
}

/// A dropped folder holding `x.pdf -> /dev/zero` (and a link to a PDF
/// elsewhere): the walk takes regular files only, and a device named on
/// its own is refused before anything is read, never read without end.
#[cfg(unix)]
#[test]
fn a_symlink_to_dev_zero_in_a_dropped_folder_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    std::fs::create_dir(&dir).unwrap();
    let real = dir.join("real.pdf");
    std::fs::write(
        &real,
        facteur::demo::sample::invoice_pdf(&facteur::demo::sample::SampleInvoice::example(1), true),
    )
    .unwrap();
    let outside = tmp.path().join("outside.pdf");
    std::fs::copy(&real, &outside).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("x.pdf")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("elsewhere.pdf")).unwrap();

    let (files, errors) = facteur::check::collect_paths(std::slice::from_ref(&dir));
    assert_eq!(files, vec![real.clone()]);
    assert!(errors.is_empty(), "{errors:?}");

    let opts = facteur::check::Options::default();
    let err = facteur::check::check_file(&dir.join("x.pdf"), &opts).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(facteur::check::check_file(&real, &opts).is_ok());
}
