//! One test per checker rule and per tricky case, on PDFs the tests build
//! themselves (with `facteur::demo::sample`, and qpdf for real encryption).

use std::path::{Path, PathBuf};
use std::process::Command;

use facteur::check::facts::{FactKey, FactSource};
use facteur::check::finding::{Code, Severity};
use facteur::check::{ContentClass, Options, Report, Verdict, check_bytes, check_file};
use facteur::demo::sample::{
    Build, PageKind, SampleInvoice, SignatureKind, facturx_xml, invoice_pdf,
};

fn check(bytes: &[u8]) -> Report {
    check_bytes(
        Path::new("test.pdf"),
        bytes.len() as u64,
        bytes,
        &Options::default(),
    )
}

fn codes(r: &Report) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

fn severity(r: &Report, code: Code) -> Option<Severity> {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.severity)
}

fn one(kind: PageKind) -> Vec<u8> {
    Build {
        invoices: vec![SampleInvoice::example(1)],
        page_kinds: vec![kind],
        ..Build::default()
    }
    .to_bytes()
}

#[test]
fn a_typical_native_invoice_is_accepted_with_its_facts() {
    let inv = SampleInvoice::example(7);
    let r = check(&invoice_pdf(&inv, false));
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", codes(&r));
    assert!(r.pdf && r.readable && !r.encrypted && !r.signed);
    assert_eq!(r.content, ContentClass::Native);
    assert_eq!(r.pages, Some(1));
    assert_eq!(r.invoice_count, Some(1));
    // Without Factur-X: a warning only.
    assert_eq!(
        severity(&r, Code::StructuredMissing),
        Some(Severity::Warning)
    );
    let fact = r.facts.fact(FactKey::InvoiceNumber).unwrap();
    assert_eq!(fact.value, inv.number);
    assert_eq!(fact.source, FactSource::Text);
    assert_eq!(r.facts.get(FactKey::SellerSiren), Some("732829320"));
    assert_eq!(r.facts.get(FactKey::BuyerSiren), Some("552100554"));
    assert_eq!(
        r.facts.get(FactKey::Iban),
        Some("FR7630006000011234567890189")
    );
    assert_eq!(r.facts.get(FactKey::DocType), Some("invoice"));
}

#[test]
fn not_a_pdf_is_named_and_rejected() {
    let cases: [(&[u8], &str); 5] = [
        (
            &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'],
            "JPEG",
        ),
        (b"PK\x03\x04\x14\0\0\0", "ZIP"),
        (b"<!DOCTYPE html><html><body>facture</body></html>", "HTML"),
        (b"", "vide"),
        (b"Facture 12 : 100 EUR\n", "texte"),
    ];
    for (bytes, word) in cases {
        let r = check(bytes);
        assert!(!r.pdf);
        assert_eq!(r.verdict, Verdict::Rejected);
        assert_eq!(codes(&r), vec![Code::NotPdf]);
        assert!(
            r.findings[0].message_fr.contains(word),
            "{}",
            r.findings[0].message_fr
        );
    }
}

#[test]
fn junk_before_the_header_is_still_a_pdf() {
    let mut bytes = b"Content-Type: application/pdf\r\n\r\n".to_vec();
    bytes.extend(invoice_pdf(&SampleInvoice::example(1), false));
    let r = check(&bytes);
    assert!(r.pdf && r.readable, "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", codes(&r));
}

#[test]
fn truncated_files_are_unreadable_or_still_judged_never_a_crash() {
    let full = invoice_pdf(&SampleInvoice::example(1), true);
    for cut in [20, 100, full.len() / 3, full.len() / 2, full.len() * 9 / 10] {
        let r = check(&full[..cut]);
        assert!(r.pdf);
        if !r.readable {
            assert!(
                codes(&r).contains(&Code::Unreadable),
                "cut at {cut}: unreadable without a finding: {:?}",
                codes(&r)
            );
            assert_eq!(r.verdict, Verdict::Rejected);
        }
    }
    let r = check(&full[..20]);
    assert!(!r.readable);
    assert!(codes(&r).contains(&Code::Unreadable));
}

#[test]
fn a_broken_xref_that_can_be_rebuilt_is_readable() {
    let mut bytes = invoice_pdf(&SampleInvoice::example(2), false);
    // Point startxref at nonsense: a lenient reader rebuilds the table.
    let pos = bytes.windows(9).rposition(|w| w == b"startxref").unwrap();
    let tail = b"startxref\n999999\n%%EOF\n";
    bytes.truncate(pos);
    bytes.extend_from_slice(tail);
    let r = check(&bytes);
    assert!(r.readable, "{:?}", codes(&r));
    assert_eq!(r.pages, Some(1));
    assert_eq!(r.facts.get(FactKey::InvoiceNumber), Some("F-2026-0002"));
}

fn qpdf() -> bool {
    Command::new("qpdf")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Encrypts a 3-page invoice with qpdf: `bits` is "256" (AES-256) or "128"
/// (AES-128; RC4 is refused by qpdf as weak).
fn encrypt(user: &str, bits: &str) -> PathBuf {
    assert!(qpdf(), "qpdf is required (scripts/setup.sh installs it)");
    let dir = tempfile::tempdir().unwrap().keep();
    let plain = dir.join("plain.pdf");
    let out = dir.join(format!("enc-{bits}-{}.pdf", user.len()));
    let inv = SampleInvoice {
        pages: 3,
        ..SampleInvoice::example(3)
    };
    std::fs::write(&plain, invoice_pdf(&inv, false)).unwrap();
    let status = Command::new("qpdf")
        .args(["--encrypt", user, "owner-secret", bits])
        .args(if bits == "128" {
            &["--use-aes=y"][..]
        } else {
            &[]
        })
        .arg("--")
        .arg(&plain)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

#[test]
fn password_protected_pdf_is_rejected_and_pages_still_counted() {
    let r = check_file(&encrypt("user-secret", "256"), &Options::default()).unwrap();
    assert!(r.encrypted);
    assert!(!r.readable);
    assert_eq!(r.content, ContentClass::Unknown);
    assert_eq!(r.pages, Some(3));
    assert_eq!(r.verdict, Verdict::Rejected);
    assert!(codes(&r).contains(&Code::Encrypted));
}

#[test]
fn encrypted_with_empty_user_password_is_rejected_but_analysed() {
    for bits in ["128", "256"] {
        let r = check_file(&encrypt("", bits), &Options::default()).unwrap();
        assert!(r.encrypted, "{bits}");
        assert!(r.readable, "{bits}");
        assert_eq!(r.pages, Some(3));
        assert_eq!(r.content, ContentClass::Native, "{bits}: {:?}", codes(&r));
        assert_eq!(r.facts.get(FactKey::InvoiceNumber), Some("F-2026-0003"));
        assert_eq!(r.verdict, Verdict::Rejected);
        assert!(codes(&r).contains(&Code::Encrypted));
    }
}

#[test]
fn signatures_are_found_and_an_empty_field_is_not_one() {
    for (kind, signed) in [
        (SignatureKind::Approval, true),
        (SignatureKind::Certification, true),
        (SignatureKind::EmptyField, false),
    ] {
        let bytes = Build {
            invoices: vec![SampleInvoice::example(4)],
            signed: Some(kind),
            ..Build::default()
        }
        .to_bytes();
        let r = check(&bytes);
        assert_eq!(r.signed, signed, "{kind:?}");
        assert_eq!(codes(&r).contains(&Code::Signed), signed, "{kind:?}");
        assert_eq!(
            r.verdict == Verdict::Accepted,
            !signed,
            "{kind:?}: {:?}",
            codes(&r)
        );
        if kind == SignatureKind::Certification {
            assert!(r.findings[0].message_en.contains("certification"));
        }
    }
}

#[test]
fn scans_are_told_apart_from_native_pages() {
    let cases = [
        (PageKind::Native, ContentClass::Native),
        (PageKind::NativeWithBackground, ContentClass::Native),
        (PageKind::Scanned, ContentClass::Scanned),
        (PageKind::ScannedInline, ContentClass::Scanned),
        (PageKind::ScannedOcr, ContentClass::ScannedOcr),
        (PageKind::ScannedOcrInForm, ContentClass::ScannedOcr),
    ];
    for (kind, want) in cases {
        let r = check(&one(kind));
        assert_eq!(r.content, want, "{kind:?}: {:?}", codes(&r));
        let scanned = want != ContentClass::Native;
        assert_eq!(
            r.verdict == Verdict::Rejected,
            scanned,
            "{kind:?}: {:?}",
            codes(&r)
        );
        assert_eq!(
            r.scanned_pages,
            if scanned { vec![1] } else { vec![] },
            "{kind:?}"
        );
    }
}

#[test]
fn a_scanned_annex_page_is_reported_by_number() {
    let bytes = Build {
        invoices: vec![SampleInvoice {
            pages: 3,
            ..SampleInvoice::example(5)
        }],
        page_kinds: vec![PageKind::Native, PageKind::Scanned, PageKind::ScannedOcr],
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert_eq!(r.scanned_pages, vec![2, 3]);
    assert_eq!(r.content, ContentClass::Scanned);
    let scanned = r.findings.iter().find(|f| f.code == Code::Scanned).unwrap();
    assert!(
        scanned.message_fr.contains("page 2"),
        "{}",
        scanned.message_fr
    );
    let ocr = r
        .findings
        .iter()
        .find(|f| f.code == Code::ScannedOcr)
        .unwrap();
    assert!(ocr.message_en.contains("Page 3"), "{}", ocr.message_en);
}

#[test]
fn size_is_judged_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pdf");
    let bytes = Build {
        invoices: vec![SampleInvoice::example(6)],
        padding_bytes: 41 * 1024 * 1024,
        ..Build::default()
    }
    .to_bytes();
    std::fs::write(&big, &bytes).unwrap();
    let r = check_file(&big, &Options::default()).unwrap();
    assert_eq!(r.size_bytes, bytes.len() as u64);
    assert!(codes(&r).contains(&Code::TooLarge));
    // Still parsed (under the ceiling): the other facts are reported.
    assert_eq!(r.facts.get(FactKey::InvoiceNumber), Some("F-2026-0006"));
    // Above the parse ceiling only the header is read.
    let tight = Options {
        parse_ceiling: 1024 * 1024,
        ..Options::default()
    };
    let r = check_file(&big, &tight).unwrap();
    assert!(r.pdf);
    assert_eq!(r.pages, None);
    assert_eq!(codes(&r), vec![Code::TooLarge]);
    assert!(r.findings[0].message_en.contains("not run"));
}

#[test]
fn more_than_a_hundred_pages_is_rejected() {
    let inv = SampleInvoice {
        pages: 101,
        ..SampleInvoice::example(8)
    };
    let r = check(&invoice_pdf(&inv, false));
    assert_eq!(r.pages, Some(101));
    assert!(codes(&r).contains(&Code::TooManyPages), "{:?}", codes(&r));
    let ok = SampleInvoice {
        pages: 100,
        ..SampleInvoice::example(8)
    };
    let r = check(&invoice_pdf(&ok, false));
    assert!(!codes(&r).contains(&Code::TooManyPages));
    assert_eq!(r.invoice_count, Some(1), "annex pages are not invoices");
}

#[test]
fn two_invoices_in_one_file_are_rejected() {
    let bytes = Build {
        invoices: vec![
            SampleInvoice {
                pages: 2,
                ..SampleInvoice::example(10)
            },
            SampleInvoice::example(11),
        ],
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert_eq!(r.invoice_count, Some(2));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::MultipleInvoices)
        .unwrap();
    assert!(f.message_fr.contains("1 et 3"), "{}", f.message_fr);
    assert!(f.message_en.contains("F-2026-0011"), "{}", f.message_en);
}

#[test]
fn an_invoice_followed_by_a_credit_note_is_two_documents() {
    let bytes = Build {
        invoices: vec![
            SampleInvoice::example(12),
            SampleInvoice {
                credit_note: true,
                number: "AV-2026-0001".into(),
                ..SampleInvoice::example(12)
            },
        ],
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert_eq!(r.invoice_count, Some(2), "{:?}", codes(&r));
    assert!(codes(&r).contains(&Code::MultipleInvoices));
}

#[test]
fn factur_x_is_read_and_its_facts_win_over_the_text() {
    let inv = SampleInvoice::example(13);
    let r = check(&invoice_pdf(&inv, true));
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", codes(&r));
    let s = r.structured.as_ref().unwrap();
    assert_eq!(s.syntax, "CII");
    assert_eq!(s.file_name, "factur-x.xml");
    assert_eq!(s.profile.as_deref(), Some("urn:cen.eu:en16931:2017"));
    let n = r.facts.fact(FactKey::InvoiceNumber).unwrap();
    assert_eq!(
        (n.value.as_str(), n.source),
        ("F-2026-0013", FactSource::Xml)
    );
    assert_eq!(
        r.facts.get(FactKey::TotalWithTax),
        Some(inv.total_ttc.as_str())
    );
    assert!(!codes(&r).contains(&Code::StructuredMissing));
}

#[test]
fn zugferd_attachment_names_are_recognised() {
    let inv = SampleInvoice::example(14);
    let bytes = Build {
        invoices: vec![inv.clone()],
        facturx: Some(facturx_xml(&inv)),
        attachment_name: Some("ZUGFeRD-invoice.xml".into()),
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert_eq!(
        r.structured.as_ref().unwrap().file_name,
        "ZUGFeRD-invoice.xml"
    );
}

#[test]
fn broken_factur_x_xml_is_an_error() {
    let inv = SampleInvoice::example(15);
    let mut xml = facturx_xml(&inv);
    xml.truncate(xml.len() / 2);
    let bytes = Build {
        invoices: vec![inv],
        facturx: Some(xml),
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert!(r.structured.is_none());
    assert_eq!(severity(&r, Code::StructuredInvalid), Some(Severity::Error));
    assert_eq!(r.verdict, Verdict::Rejected);
}

#[test]
fn minimum_profile_is_flagged_as_not_a_full_invoice() {
    let inv = SampleInvoice::example(16);
    let xml = String::from_utf8(facturx_xml(&inv))
        .unwrap()
        .replace("urn:cen.eu:en16931:2017", "urn:factur-x.eu:1p0:minimum");
    let bytes = Build {
        invoices: vec![inv],
        facturx: Some(xml.into_bytes()),
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert_eq!(
        severity(&r, Code::StructuredPartialProfile),
        Some(Severity::Warning)
    );
    assert_eq!(r.verdict, Verdict::Accepted);
}

#[test]
fn xml_and_printed_numbers_must_agree() {
    let printed = SampleInvoice::example(17);
    let other = SampleInvoice {
        number: "F-2026-9999".into(),
        ..printed.clone()
    };
    let bytes = Build {
        invoices: vec![printed],
        facturx: Some(facturx_xml(&other)),
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::XmlTextMismatch)
        .unwrap();
    assert!(f.message_en.contains("F-2026-9999") && f.message_en.contains("F-2026-0017"));
    assert_eq!(r.verdict, Verdict::Rejected);
}

#[test]
fn wrong_check_digits_and_placeholders_are_flagged() {
    let bad = SampleInvoice {
        buyer_siren: "552100555".into(),
        iban: Some("FR7630006000011234567890188".into()),
        ..SampleInvoice::example(18)
    };
    let r = check(&invoice_pdf(&bad, true));
    let invalid: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::IdentifierInvalid)
        .map(|f| f.message_en.as_str())
        .collect();
    assert!(
        invalid
            .iter()
            .any(|m| m.contains("customer SIREN") && m.contains("552100555")),
        "{invalid:?}"
    );
    assert!(invalid.iter().any(|m| m.contains("IBAN")), "{invalid:?}");
    // Worth fixing, but portals do not reject on it: the file is not blocked.
    assert_eq!(
        severity(&r, Code::IdentifierInvalid),
        Some(Severity::Warning)
    );
    assert_eq!(r.verdict, Verdict::Accepted);

    let placeholder = SampleInvoice {
        buyer_siren: "N/A".into(),
        buyer_siret: None,
        ..SampleInvoice::example(19)
    };
    for with_xml in [true, false] {
        let r = check(&invoice_pdf(&placeholder, with_xml));
        let f = r
            .findings
            .iter()
            .find(|f| f.code == Code::IdentifierPlaceholder);
        let f = f.unwrap_or_else(|| panic!("xml {with_xml}: {:?}", codes(&r)));
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message_fr.contains("N/A"), "{}", f.message_fr);
    }
}

#[test]
fn every_finding_of_a_bad_file_is_reported_not_just_the_first() {
    let bytes = Build {
        invoices: vec![
            SampleInvoice {
                pages: 101,
                buyer_siren: "123456788".into(),
                ..SampleInvoice::example(20)
            },
            SampleInvoice::example(21),
        ],
        page_kinds: vec![PageKind::Native, PageKind::Scanned],
        signed: Some(SignatureKind::Approval),
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    let c = codes(&r);
    for want in [
        Code::Signed,
        Code::Scanned,
        Code::TooManyPages,
        Code::MultipleInvoices,
        Code::IdentifierInvalid,
    ] {
        assert!(c.contains(&want), "{want:?} missing from {c:?}");
    }
}

#[test]
fn a_file_over_its_time_limit_is_reported_not_waited_for() {
    let opts = Options {
        time_limit: std::time::Duration::ZERO,
        ..Options::default()
    };
    let bytes = invoice_pdf(&SampleInvoice::example(22), false);
    let r = check_bytes(Path::new("slow.pdf"), bytes.len() as u64, &bytes, &opts);
    let f = r.findings.iter().find(|f| f.code == Code::Unreadable);
    let f = f.unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(f.message_en.contains("took too long"), "{}", f.message_en);
    assert_eq!(r.verdict, Verdict::Rejected);
}

#[test]
fn a_batch_reports_every_file_and_stops_starting_new_ones_when_cancelled() {
    use facteur::check::{Outcome, check_batch};
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for n in 0..6 {
        let p = dir.path().join(format!("{n}.pdf"));
        std::fs::write(&p, invoice_pdf(&SampleInvoice::example(30 + n), false)).unwrap();
        paths.push(p);
    }
    paths.insert(2, dir.path().join("missing.pdf"));
    let mut seen = vec![None; paths.len()];
    check_batch(&paths, 2, &Options::default(), &|| false, &mut |i, o| {
        seen[i] = Some(matches!(o, Outcome::Checked(_)));
    });
    assert_eq!(
        seen,
        [true, true, false, true, true, true, true]
            .map(Some)
            .to_vec(),
        "every file answered once; the missing one as an I/O failure"
    );

    let started = std::cell::Cell::new(0);
    let mut done = 0;
    check_batch(
        &paths,
        1,
        &Options::default(),
        &|| started.get() >= 2,
        &mut |_, _| {
            started.set(started.get() + 1);
            done += 1;
        },
    );
    assert_eq!(
        done, 2,
        "cancel stops the batch after the files already started"
    );
}

#[test]
fn a_signed_then_encrypted_file_reports_both() {
    assert!(qpdf(), "qpdf is required (scripts/setup.sh installs it)");
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("signed.pdf");
    let out = dir.path().join("signed-enc.pdf");
    let bytes = Build {
        invoices: vec![SampleInvoice::example(40)],
        signed: Some(SignatureKind::Approval),
        ..Build::default()
    }
    .to_bytes();
    std::fs::write(&plain, bytes).unwrap();
    let status = Command::new("qpdf")
        .args([
            "--object-streams=disable",
            "--encrypt",
            "secret",
            "owner",
            "256",
            "--",
        ])
        .arg(&plain)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let r = check_file(&out, &Options::default()).unwrap();
    assert!(r.encrypted && r.signed, "{:?}", codes(&r));
    assert!(codes(&r).contains(&Code::Encrypted) && codes(&r).contains(&Code::Signed));
}
