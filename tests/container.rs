//! The Factur-X container check (`check::container`) on PDFs built here with
//! lopdf: a complete container, one file per defect, mutated files that must
//! never make it panic, and the shared corpus's Factur-X PDFs.

use std::path::{Path, PathBuf};

use facteur::check::container;
use facteur::check::finding::{Code, Severity};
use facteur::check::{Options, Report, Verdict, check_bytes, check_file, pdf, structured};
use facteur::demo::sample::{Build, PageKind, SampleInvoice, facturx_xml};
use lopdf::{Dictionary, Document, Object, Stream, dictionary};

fn check(bytes: &[u8]) -> Report {
    check_bytes(
        Path::new("container.pdf"),
        bytes.len() as u64,
        bytes,
        &Options::default(),
    )
}

fn container(r: &Report) -> Vec<Code> {
    r.structured
        .as_ref()
        .unwrap_or_else(|| panic!("no structured invoice: {:?}", codes(r)))
        .container
        .clone()
}

fn codes(r: &Report) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

fn severity(r: &Report, code: Code) -> Severity {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("{code:?} not in {:?}", codes(r)))
        .severity
}

fn sample(kind: PageKind) -> Vec<u8> {
    let inv = SampleInvoice::example(31);
    Build {
        facturx: Some(facturx_xml(&inv)),
        invoices: vec![inv],
        page_kinds: vec![kind],
        ..Build::default()
    }
    .to_bytes()
}

/// Loads `bytes`, lets `f` change the document, and writes it again.
fn edit(bytes: &[u8], f: impl FnOnce(&mut Document)) -> Vec<u8> {
    let mut doc = Document::load_mem(bytes).expect("the sample loads");
    f(&mut doc);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing to a Vec");
    out
}

fn catalog(doc: &mut Document) -> &mut Dictionary {
    doc.catalog_mut().expect("a catalog")
}

/// The sample's Helvetica swapped, on every page, for a Type3 font: its
/// glyphs are procedures inside the file, so nothing is left unembedded.
fn embed_fonts(doc: &mut Document) {
    let square = doc.add_object(Stream::new(
        Dictionary::new(),
        b"500 0 0 0 500 700 d1 50 0 400 700 re f".to_vec(),
    ));
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type3",
        "FontBBox" => vec![0.into(), 0.into(), 500.into(), 700.into()],
        "FontMatrix" => vec![0.001.into(), 0.into(), 0.into(), 0.001.into(), 0.into(), 0.into()],
        "CharProcs" => dictionary! { "square" => square },
        "Encoding" => dictionary! {
            "Type" => "Encoding",
            "Differences" => (32..=255).flat_map(|c| [Object::Integer(c), Object::Name(b"square".to_vec())]).collect::<Vec<_>>(),
        },
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => vec![Object::Integer(500); 224],
        "Resources" => Dictionary::new(),
    });
    for page in doc.page_iter().collect::<Vec<_>>() {
        let page = doc.get_dictionary_mut(page).unwrap();
        let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
        resources.set("Font", dictionary! { "F1" => font });
    }
}

fn complete() -> Vec<u8> {
    edit(&sample(PageKind::Native), embed_fonts)
}

/// The XMP of `bytes` rewritten by `f` (the sample writes it uncompressed).
fn with_xmp(bytes: &[u8], f: impl FnOnce(String) -> String) -> Vec<u8> {
    edit(bytes, |doc| {
        let id = catalog(doc)
            .get(b"Metadata")
            .unwrap()
            .as_reference()
            .unwrap();
        let stream = doc.get_object_mut(id).unwrap().as_stream_mut().unwrap();
        let xmp = String::from_utf8(stream.content.clone()).unwrap();
        stream.set_content(f(xmp).into_bytes());
    })
}

/// The attachment's file specification and embedded stream, by `f`.
fn with_attachment(bytes: &[u8], f: impl FnOnce(&mut Dictionary, &mut Dictionary)) -> Vec<u8> {
    edit(bytes, |doc| {
        let af = catalog(doc).get(b"AF").unwrap().as_array().unwrap().clone();
        let spec_id = af[0].as_reference().unwrap();
        let file_id = doc
            .get_dictionary(spec_id)
            .unwrap()
            .get(b"EF")
            .unwrap()
            .as_dict()
            .unwrap()
            .get(b"F")
            .unwrap()
            .as_reference()
            .unwrap();
        let mut spec = doc.get_dictionary(spec_id).unwrap().clone();
        let mut file = doc
            .get_object(file_id)
            .unwrap()
            .as_stream()
            .unwrap()
            .dict
            .clone();
        f(&mut spec, &mut file);
        *doc.get_dictionary_mut(spec_id).unwrap() = spec;
        doc.get_object_mut(file_id)
            .unwrap()
            .as_stream_mut()
            .unwrap()
            .dict = file;
    })
}

#[test]
fn a_complete_container_has_no_problem() {
    let r = check(&complete());
    assert_eq!(container(&r), Vec::<Code>::new(), "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", codes(&r));
    // And the JSON carries the empty list.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["structured"]["container"], serde_json::json!([]));
}

#[test]
fn the_sample_factur_x_lacks_only_its_embedded_fonts() {
    let r = check(&sample(PageKind::Native));
    assert_eq!(container(&r), vec![Code::FacturxFonts]);
    assert_eq!(severity(&r, Code::FacturxFonts), Severity::Warning);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::FacturxFonts)
        .unwrap();
    assert!(f.message_fr.contains("Helvetica"), "{}", f.message_fr);
    assert!(
        f.hint_fr.contains("sans incorporer ses polices"),
        "{}",
        f.hint_fr
    );
    assert_eq!(r.verdict, Verdict::Accepted);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json["structured"]["container"],
        serde_json::json!(["facturx_fonts"])
    );
}

#[test]
fn a_pdf_without_xml_has_no_container_verdict() {
    let inv = SampleInvoice::example(32);
    let bytes = Build {
        invoices: vec![inv],
        ..Build::default()
    }
    .to_bytes();
    let r = check(&bytes);
    assert!(r.structured.is_none());
    assert!(
        !codes(&r).iter().any(|c| c.as_str().starts_with("facturx_")),
        "{:?}",
        codes(&r)
    );
}

/// One defect: the code it must raise, its severity, and the verdict.
fn expect_only(bytes: &[u8], code: Code, sev: Severity) -> Report {
    let r = check(bytes);
    assert_eq!(container(&r), vec![code], "{:?}", codes(&r));
    assert_eq!(severity(&r, code), sev);
    let want = if sev == Severity::Error {
        Verdict::Rejected
    } else {
        Verdict::Accepted
    };
    assert_eq!(r.verdict, want, "{:?}", codes(&r));
    r
}

#[test]
fn no_xmp_metadata_is_an_error() {
    let bytes = edit(&complete(), |doc| {
        catalog(doc).remove(b"Metadata");
    });
    expect_only(&bytes, Code::FacturxXmpMissing, Severity::Error);
}

#[test]
fn xmp_that_is_not_xml_is_an_error_with_the_reason() {
    let bytes = with_xmp(&complete(), |x| x.replace("</x:xmpmeta>", ""));
    let r = expect_only(&bytes, Code::FacturxXmpMissing, Severity::Error);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::FacturxXmpMissing)
        .unwrap();
    assert!(
        f.detail.as_deref().unwrap_or("").contains("XMP"),
        "{:?}",
        f.detail
    );
}

#[test]
fn a_pdf_a_other_than_part_3_is_an_error() {
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:part>2</pdfaid:part>",
        )
    });
    let r = expect_only(&bytes, Code::FacturxNotPdfa3, Severity::Error);
    let f = &r.findings.iter().find(|f| f.code == Code::FacturxNotPdfa3);
    assert!(f.unwrap().message_en.contains("PDF/A-2B"));
    // No conformance letter is as bad.
    let bytes = with_xmp(&complete(), |x| {
        x.replace("<pdfaid:conformance>B</pdfaid:conformance>", "")
    });
    expect_only(&bytes, Code::FacturxNotPdfa3, Severity::Error);
}

#[test]
fn pdfaid_written_as_attributes_is_read() {
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">",
            "xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"3\" pdfaid:conformance=\"U\">",
        )
        .replace("<pdfaid:part>3</pdfaid:part>", "")
        .replace("<pdfaid:conformance>B</pdfaid:conformance>", "")
    });
    assert_eq!(container(&check(&bytes)), Vec::<Code>::new());
}

#[test]
fn no_factur_x_schema_in_the_xmp_is_an_error() {
    let bytes = with_xmp(&complete(), |x| {
        let start = x.find("<rdf:Description rdf:about=\"\" xmlns:fx=").unwrap();
        let end =
            start + x[start..].find("</rdf:Description>").unwrap() + "</rdf:Description>".len();
        format!("{}{}", &x[..start], &x[end..])
    });
    expect_only(&bytes, Code::FacturxXmpSchemaMissing, Severity::Error);
}

#[test]
fn an_xmp_profile_other_than_the_xml_s_is_an_error() {
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            ">EN 16931</fx:ConformanceLevel>",
            ">BASIC</fx:ConformanceLevel>",
        )
    });
    let r = expect_only(&bytes, Code::FacturxProfileMismatch, Severity::Error);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::FacturxProfileMismatch)
        .unwrap();
    assert!(f.message_fr.contains("BASIC") && f.message_fr.contains("EN 16931"));
    // A level that names no profile at all contradicts the XML too.
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            ">EN 16931</fx:ConformanceLevel>",
            ">GOLD</fx:ConformanceLevel>",
        )
    });
    expect_only(&bytes, Code::FacturxProfileMismatch, Severity::Error);
}

#[test]
fn the_xmp_profile_follows_the_xml_s_guideline() {
    // The sample writes the XML's own profile: a MINIMUM XML gets MINIMUM.
    let inv = SampleInvoice::example(33);
    let xml = String::from_utf8(facturx_xml(&inv))
        .unwrap()
        .replace("urn:cen.eu:en16931:2017", "urn:factur-x.eu:1p0:minimum");
    let bytes = Build {
        facturx: Some(xml.into_bytes()),
        invoices: vec![inv],
        ..Build::default()
    }
    .to_bytes();
    let bytes = edit(&bytes, embed_fonts);
    let r = check(&bytes);
    assert_eq!(container(&r), Vec::<Code>::new(), "{:?}", codes(&r));
    let bytes = with_xmp(&bytes, |x| x.replace(">MINIMUM<", ">EN 16931<"));
    expect_only(&bytes, Code::FacturxProfileMismatch, Severity::Error);
}

#[test]
fn an_incomplete_factur_x_schema_is_a_warning() {
    let bytes = with_xmp(&complete(), |x| {
        x.replace("<fx:Version>1.0</fx:Version>", "")
    });
    let r = expect_only(&bytes, Code::FacturxXmpIncomplete, Severity::Warning);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message_en.contains("fx:Version"))
    );
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            ">factur-x.xml</fx:DocumentFileName>",
            ">invoice.xml</fx:DocumentFileName>",
        )
    });
    let r = expect_only(&bytes, Code::FacturxXmpIncomplete, Severity::Warning);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message_en.contains("invoice.xml"))
    );
    // Without a level there is nothing to compare: incomplete, no mismatch.
    let bytes = with_xmp(&complete(), |x| {
        x.replace("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>", "")
    });
    expect_only(&bytes, Code::FacturxXmpIncomplete, Severity::Warning);
}

#[test]
fn an_undeclared_extension_schema_is_a_warning() {
    let bytes = with_xmp(&complete(), |x| {
        x.replace(
            "<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>",
            "",
        )
    });
    expect_only(&bytes, Code::FacturxXmpUndeclared, Severity::Warning);
}

#[test]
fn zugferd_namespaces_are_factur_x_schemas_too() {
    for ns in [
        "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#",
        "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#",
    ] {
        let bytes = with_xmp(&complete(), |x| {
            x.replace("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#", ns)
        });
        assert_eq!(container(&check(&bytes)), Vec::<Code>::new(), "{ns}");
    }
}

#[test]
fn an_attachment_without_its_relationship_is_an_error() {
    let bytes = with_attachment(&complete(), |spec, _| {
        spec.remove(b"AFRelationship");
    });
    expect_only(&bytes, Code::FacturxRelationship, Severity::Error);
    let bytes = with_attachment(&complete(), |spec, _| {
        spec.set("AFRelationship", "Unspecified");
    });
    let r = expect_only(&bytes, Code::FacturxRelationship, Severity::Error);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message_en.contains("Unspecified"))
    );
    for ok in ["Source", "Alternative"] {
        let bytes = with_attachment(&complete(), |spec, _| {
            spec.set("AFRelationship", ok);
        });
        assert_eq!(container(&check(&bytes)), Vec::<Code>::new(), "{ok}");
    }
}

#[test]
fn an_attachment_missing_from_the_catalog_af_is_an_error() {
    let bytes = edit(&complete(), |doc| {
        catalog(doc).remove(b"AF");
    });
    let r = expect_only(&bytes, Code::FacturxRelationship, Severity::Error);
    assert!(r.findings.iter().any(|f| f.message_en.contains("/AF")));
}

#[test]
fn an_unusual_attachment_name_is_a_warning() {
    let inv = SampleInvoice::example(34);
    let bytes = Build {
        facturx: Some(facturx_xml(&inv)),
        attachment_name: Some("facture.xml".into()),
        invoices: vec![inv],
        ..Build::default()
    }
    .to_bytes();
    let r = expect_only(
        &edit(&bytes, embed_fonts),
        Code::FacturxAttachmentName,
        Severity::Warning,
    );
    assert_eq!(r.structured.unwrap().file_name, "facture.xml");
    // ZUGFeRD 1's spelling is one of the expected names.
    let inv = SampleInvoice::example(35);
    let bytes = Build {
        facturx: Some(facturx_xml(&inv)),
        attachment_name: Some("ZUGFeRD-invoice.xml".into()),
        invoices: vec![inv],
        ..Build::default()
    }
    .to_bytes();
    assert_eq!(
        container(&check(&edit(&bytes, embed_fonts))),
        Vec::<Code>::new()
    );
}

#[test]
fn an_embedded_stream_without_its_type_date_or_right_size_is_a_warning() {
    let bytes = with_attachment(&complete(), |_, file| {
        file.remove(b"Subtype");
    });
    expect_only(&bytes, Code::FacturxAttachmentStream, Severity::Warning);
    let bytes = with_attachment(&complete(), |_, file| {
        file.remove(b"Params");
    });
    expect_only(&bytes, Code::FacturxAttachmentStream, Severity::Warning);
    let bytes = with_attachment(&complete(), |_, file| {
        let params = file.get_mut(b"Params").unwrap().as_dict_mut().unwrap();
        params.set("Size", 12);
    });
    let r = expect_only(&bytes, Code::FacturxAttachmentStream, Severity::Warning);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::FacturxAttachmentStream)
        .unwrap();
    assert!(f.detail.as_deref().unwrap().contains("/Size 12"));
    // PDF/A-3 does not ask for /Size: without it the stream is fine.
    let bytes = with_attachment(&complete(), |_, file| {
        let params = file.get_mut(b"Params").unwrap().as_dict_mut().unwrap();
        params.remove(b"Size");
    });
    assert_eq!(container(&check(&bytes)), Vec::<Code>::new());
}

#[test]
fn no_output_intent_matters_only_when_device_colour_is_painted() {
    let no_intent = |doc: &mut Document| {
        catalog(doc).remove(b"OutputIntents");
    };
    // Text in the initial colour, no colour operator: nothing to calibrate.
    let bytes = edit(&complete(), no_intent);
    assert_eq!(container(&check(&bytes)), Vec::<Code>::new());
    // A DeviceGray background image needs the OutputIntent...
    let with_image = edit(&sample(PageKind::NativeWithBackground), embed_fonts);
    assert_eq!(container(&check(&with_image)), Vec::<Code>::new());
    let bytes = edit(&with_image, no_intent);
    expect_only(&bytes, Code::FacturxOutputIntent, Severity::Warning);
    // ...unless a default colour space makes DeviceGray calibrated.
    let bytes = edit(&with_image, |doc| {
        no_intent(doc);
        let icc = doc.add_object(Stream::new(
            dictionary! { "N" => 1 },
            facteur::make::pdfa::srgb_icc(),
        ));
        for page in doc.page_iter().collect::<Vec<_>>() {
            let page = doc.get_dictionary_mut(page).unwrap();
            let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
            resources.set(
                "ColorSpace",
                dictionary! { "DefaultGray" => vec![Object::Name(b"ICCBased".to_vec()), icc.into()] },
            );
        }
    });
    assert_eq!(container(&check(&bytes)), Vec::<Code>::new());
    // A colour operator in the page's content counts as much as an image.
    let bytes = edit(&complete(), |doc| {
        no_intent(doc);
        let page = doc.page_iter().next().unwrap();
        let mut content = doc.get_page_content(page);
        content.splice(0..0, b"1 0 0 rg ".iter().copied());
        doc.change_page_content(page, content).unwrap();
    });
    expect_only(&bytes, Code::FacturxOutputIntent, Severity::Warning);
}

#[test]
fn fonts_without_their_program_are_named_wherever_they_are_drawn() {
    // A Type0 font whose descendant has no font file.
    let type0 = |embedded: bool| {
        move |doc: &mut Document| {
            let mut descriptor = dictionary! {
                "Type" => "FontDescriptor",
                "FontName" => "ABCDEF+NotoSans",
                "Flags" => 32,
            };
            if embedded {
                let program = doc.add_object(Stream::new(Dictionary::new(), vec![0; 64]));
                descriptor.set("FontFile2", program);
            }
            let descriptor = doc.add_object(descriptor);
            let descendant = doc.add_object(dictionary! {
                "Type" => "Font",
                "Subtype" => "CIDFontType2",
                "BaseFont" => "ABCDEF+NotoSans",
                "FontDescriptor" => descriptor,
            });
            let font = doc.add_object(dictionary! {
                "Type" => "Font",
                "Subtype" => "Type0",
                "BaseFont" => "ABCDEF+NotoSans",
                "Encoding" => "Identity-H",
                "DescendantFonts" => vec![descendant.into()],
            });
            let page = doc.page_iter().next().unwrap();
            let page = doc.get_dictionary_mut(page).unwrap();
            let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
            resources
                .get_mut(b"Font")
                .unwrap()
                .as_dict_mut()
                .unwrap()
                .set("F2", font);
        }
    };
    let r = expect_only(
        &edit(&complete(), type0(false)),
        Code::FacturxFonts,
        Severity::Warning,
    );
    let f = r.findings.iter().find(|f| f.code == Code::FacturxFonts);
    assert!(f.unwrap().message_en.contains("NotoSans"));
    assert_eq!(
        container(&check(&edit(&complete(), type0(true)))),
        Vec::<Code>::new()
    );
    // Helvetica drawn only inside a Form XObject (the OCR layer of a scan
    // page) is found there.
    let bytes = edit(&sample(PageKind::ScannedOcrInForm), |doc| {
        let square = doc.add_object(Stream::new(Dictionary::new(), b"500 0 d0".to_vec()));
        let type3 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type3",
            "FontBBox" => vec![0.into(), 0.into(), 0.into(), 0.into()],
            "FontMatrix" => vec![0.001.into(), 0.into(), 0.into(), 0.001.into(), 0.into(), 0.into()],
            "CharProcs" => dictionary! { "s" => square },
            "Encoding" => dictionary! { "Differences" => vec![32.into(), Object::Name(b"s".to_vec())] },
            "FirstChar" => 32, "LastChar" => 32, "Widths" => vec![500.into()],
        });
        let page = doc.page_iter().next().unwrap();
        let page = doc.get_dictionary_mut(page).unwrap();
        let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
        resources.set("Font", dictionary! { "F1" => type3 });
    });
    let r = check(&bytes);
    assert!(
        container(&r).contains(&Code::FacturxFonts),
        "{:?}",
        codes(&r)
    );
}

/// A change made to a loaded document.
type Edit = Box<dyn Fn(&mut Document)>;

#[test]
fn javascript_anywhere_is_an_error() {
    let js_action =
        || dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") };
    let cases: Vec<(&str, Edit)> = vec![
        (
            "names",
            Box::new(move |doc: &mut Document| {
                let action = doc.add_object(js_action());
                let names = catalog(doc)
                    .get_mut(b"Names")
                    .unwrap()
                    .as_dict_mut()
                    .unwrap();
                names.set(
                    "JavaScript",
                    dictionary! { "Names" => vec![Object::string_literal("a"), action.into()] },
                );
            }),
        ),
        (
            "open action",
            Box::new(move |doc: &mut Document| {
                catalog(doc).set("OpenAction", js_action());
            }),
        ),
        (
            "document triggers",
            Box::new(|doc: &mut Document| {
                let go = dictionary! { "S" => "GoTo", "D" => vec![0.into()] };
                catalog(doc).set("AA", dictionary! { "WC" => go });
            }),
        ),
        (
            "link",
            Box::new(move |doc: &mut Document| {
                let page = doc.page_iter().next().unwrap();
                let annot = doc.add_object(dictionary! {
                    "Type" => "Annot", "Subtype" => "Link",
                    "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                    "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal("https://example.org"),
                                         "Next" => js_action() },
                });
                doc.get_dictionary_mut(page)
                    .unwrap()
                    .set("Annots", vec![annot.into()]);
            }),
        ),
    ];
    for (what, f) in cases {
        let bytes = edit(&complete(), |doc| f(doc));
        let r = check(&bytes);
        assert_eq!(container(&r), vec![Code::FacturxJavascript], "{what}");
        assert_eq!(severity(&r, Code::FacturxJavascript), Severity::Error);
        assert_eq!(r.verdict, Verdict::Rejected, "{what}");
    }
    // An OpenAction that only opens a page is no script.
    let bytes = edit(&complete(), |doc| {
        let page = doc.page_iter().next().unwrap();
        catalog(doc).set("OpenAction", vec![page.into(), "Fit".into()]);
    });
    assert_eq!(container(&check(&bytes)), Vec::<Code>::new());
}

#[test]
fn several_defects_are_all_reported() {
    let bytes = edit(&sample(PageKind::NativeWithBackground), |doc| {
        catalog(doc).remove(b"Metadata");
        catalog(doc).remove(b"OutputIntents");
        catalog(doc).remove(b"AF");
    });
    let r = check(&bytes);
    let mut got = container(&r);
    got.sort_by_key(|c| c.as_str());
    let mut want = vec![
        Code::FacturxXmpMissing,
        Code::FacturxRelationship,
        Code::FacturxOutputIntent,
        Code::FacturxFonts,
    ];
    want.sort_by_key(|c| c.as_str());
    assert_eq!(got, want);
    assert_eq!(r.verdict, Verdict::Rejected);
    for f in &r.findings {
        for s in [&f.message_fr, &f.message_en, &f.hint_fr, &f.hint_en] {
            assert!(!s.trim().is_empty(), "{:?}", f.code);
        }
    }
}

/// A small deterministic generator (no dependency, same cases every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Runs the container check straight on whatever loads (so a panic fails
/// the test instead of becoming an `unreadable` finding), then the whole
/// checker, which must report the file.
fn judge_without_panicking(bytes: &[u8]) {
    let budget = pdf::Budget::new(std::time::Instant::now() + std::time::Duration::from_secs(20));
    if let Ok(doc) = pdf::load(bytes, &budget) {
        for a in pdf::attachments(&doc, &budget) {
            if let Ok(content) = &a.content
                && let Ok(inv) = structured::parse(content)
            {
                let _ = container::check(&doc, &a, &inv, false, &budget);
            }
        }
    }
    let r = check(bytes);
    assert!(r.pdf || !r.findings.is_empty());
}

#[test]
fn mutated_containers_never_panic() {
    let seeds = [complete(), sample(PageKind::NativeWithBackground)];
    // Tokens whose damage reaches the container code rather than the parser.
    let tokens: [&[u8]; 14] = [
        b"/Metadata",
        b"/AF ",
        b"/AFRelationship",
        b"/OutputIntents",
        b"/DestOutputProfile",
        b"/FontDescriptor",
        b"/DescendantFonts",
        b"/Resources",
        b"/XObject",
        b"/Params",
        b"pdfaid:part",
        b"fx:ConformanceLevel",
        b"rdf:Description",
        b"/Font",
    ];
    let mut rng = Lcg(0x5eed);
    let mut judged = 0;
    for seed in &seeds {
        for _ in 0..120 {
            let mut bytes = seed.clone();
            match rng.below(5) {
                // Flip a few bytes.
                0 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(bytes.len());
                        bytes[i] ^= 1 << rng.below(8);
                    }
                }
                // Cut the file short.
                1 => bytes.truncate(rng.below(bytes.len())),
                // Break a key the container check reads.
                2 | 3 => {
                    let token = tokens[rng.below(tokens.len())];
                    let hits: Vec<usize> = bytes
                        .windows(token.len())
                        .enumerate()
                        .filter(|(_, w)| *w == token)
                        .map(|(i, _)| i)
                        .collect();
                    if let Some(&at) = hits.get(rng.below(hits.len())) {
                        let j = at + 1 + rng.below(token.len() - 1);
                        bytes[j] = b"X0)]>/<"[rng.below(7)];
                    }
                }
                // Duplicate a slice elsewhere (nested or repeated objects).
                _ => {
                    let from = rng.below(bytes.len());
                    let len = rng.below(200).min(bytes.len() - from);
                    let to = rng.below(bytes.len());
                    let chunk = bytes[from..from + len].to_vec();
                    bytes.splice(to..to, chunk);
                }
            }
            judge_without_panicking(&bytes);
            judged += 1;
        }
    }
    assert_eq!(judged, 240);
    // Self-referencing structures: a form drawing itself, a Type3 font whose
    // resources hold itself, an XMP nested past the limit.
    let bytes = edit(&complete(), |doc| {
        let page = doc.page_iter().next().unwrap();
        let form_id = doc.new_object_id();
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Me" => form_id } },
            },
            b"/Me Do 0 g".to_vec(),
        );
        doc.objects.insert(form_id, Object::Stream(form));
        let page = doc.get_dictionary_mut(page).unwrap();
        let resources = page.get_mut(b"Resources").unwrap().as_dict_mut().unwrap();
        resources.set("XObject", dictionary! { "Me" => form_id });
        catalog(doc).remove(b"OutputIntents");
    });
    judge_without_panicking(&bytes);
    let r = check(&bytes);
    assert!(container(&r).contains(&Code::FacturxOutputIntent));
    let deep = with_xmp(&complete(), |x| {
        x.replace(
            "<fx:Version>1.0</fx:Version>",
            &format!("{}{}", "<a>".repeat(500), "</a>".repeat(500)),
        )
    });
    let r = check(&deep);
    assert_eq!(container(&r), vec![Code::FacturxXmpMissing]);
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/pdfs")
        .join(name)
}

/// The shared corpus's Factur-X / ZUGFeRD / XRechnung PDFs. The producers'
/// reference files are clean (those without an OutputIntent paint through
/// ICC-based or default colour spaces, those without `/Params /Size` have
/// the `/ModDate` PDF/A-3 asks for); Mustang's `fail3` lacks its
/// `zf:ConformanceLevel`.
#[test]
fn the_corpus_factur_x_containers() {
    let expected: [(&str, &[Code]); 12] = [
        ("XML-Rechnung__FX__EN16931_1_Teilrechnung.pdf", &[]),
        (
            "XML-Rechnung__FX__EN16931_Kraftfahrversicherung_Bruttopreise.pdf",
            &[],
        ),
        ("XML-Rechnung__FX__XRECHNUNG_Elektron.pdf", &[]),
        (
            "ZUGFeRDv1__correct__Intarsys__ZUGFeRD_1p0_EXTENDED_Rechnungskorrektur.pdf",
            &[],
        ),
        (
            "ZUGFeRDv1__fail__Mustangproject__fail3.pdf",
            &[Code::FacturxXmpIncomplete],
        ),
        (
            "ZUGFeRDv2__correct__intarsys__BASIC__zugferd_2p0_BASIC_Einfach.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__correct__intarsys__EN16931__zugferd_2p0_EN16931_Innergemeinschaftliche_Lieferungen.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__correct__intarsys__EXTENDED__zugferd_2p0_EXTENDED_InnergemeinschLieferungMehrereBestellungen.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__correct__symtrax__Beispiele__EN16931__zugferd_2p1_EN16931_AbweichenderZahlungsempf.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__correct__symtrax__Beispiele__EN16931__zugferd_2p1_EN16931_Innergemeinschaftliche_Lieferungen.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__correct__symtrax__Beispiele__EXTENDED__zugferd_2p1_EXTENDED_Fremdwaehrung.pdf",
            &[],
        ),
        (
            "ZUGFeRDv2__fail__FNFE-factur-x-examples__Avoir_FR_type381_MINIMUM.pdf",
            &[],
        ),
    ];
    let mut wrong = Vec::new();
    for (name, want) in expected {
        let r = check_file(&corpus(name), &Options::default()).expect("corpus file readable");
        let got = container(&r);
        if got != want {
            wrong.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An encrypted Factur-X opened with the empty password (qpdf, AES-256):
/// the checker's own `encrypted` error, listed with the container's codes.
#[test]
fn encryption_is_listed_with_the_container_problems() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    let out = dir.path().join("encrypted.pdf");
    std::fs::write(&plain, complete()).unwrap();
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", "", "owner-secret", "256", "--"])
        .arg(&plain)
        .arg(&out)
        .status()
        .expect("qpdf is required (scripts/setup.sh installs it)");
    assert!(status.success());
    let r = check_file(&out, &Options::default()).unwrap();
    assert!(r.encrypted && r.readable, "{:?}", codes(&r));
    assert_eq!(container(&r), vec![Code::Encrypted], "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Rejected);
}
