//! Making a Factur-X from real programs' PDFs (the reading corpus,
//! `tests/fixtures/programs/`), judged from outside as in `tests/make.rs`.
//!
//! Each file is first made plain: the e-invoice it carries (most of the
//! corpus are Factur-X / ZUGFeRD files) is taken out, so that only its
//! pages are left, as an owner's program would print them. Its data is what
//! the owner knows of the invoice: the XML the file carried
//! (`NAME.einvoice.json`, written by `scripts/programs/truth.py
//! --einvoice`), else the values printed on the page (`NAME.truth.json`),
//! with what the owner types where the page and the XML say nothing
//! (`NAME.owner.json`: the lines of a MINIMUM or BASIC WL file, a buyer's
//! country); then « Mon entreprise » and the buyer's directory entry are
//! made from the seller and buyer of that data, and Facteur's own draft
//! completes it.
//!
//! - An invoice charging only French VAT rates is made, and the made file
//!   passes every check of the issue.
//! - An invoice charging a rate French law does not know (19 % in Germany)
//!   is not a French invoice: it is refused by the official rule BR-FR-16
//!   and nothing is made.
//! - Every real PDF, whatever its data, becomes a sound container: its
//!   pages with a valid invoice's XML pass the same checks, or it is
//!   refused because a font is not embedded, exactly when poppler's
//!   `pdffonts` says so.

#[path = "support/made.rs"]
mod made;
#[path = "support/programs_only.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use facteur::check::structured::Profile;
use facteur::make::{self, MakeError, PdfaError};
use facteur::mirror::store::customers::CustomerData;
use facteur::read::en16931;
use support::programs;

/// The rates BR-FR-16 allows (`custom:is-valid-vat-rate` of the official
/// BR-FR stylesheet), as numbers.
const FRENCH_RATES: &[f64] = &[
    0.0, 0.9, 1.05, 1.75, 2.1, 5.5, 7.0, 8.5, 9.2, 9.6, 10.0, 13.0, 19.6, 20.0, 20.6,
];

/// The file with the e-invoice it carries taken out: its catalog's `/AF`
/// and embedded files removed, the pages untouched.
fn plain(bytes: &[u8]) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(bytes).expect("a real PDF loads");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(|r| r.as_reference())
        .expect("a catalog");
    let names = {
        let cat = doc
            .get_object_mut(root)
            .and_then(|o| o.as_dict_mut())
            .expect("a catalog dictionary");
        cat.remove(b"AF");
        cat.get(b"Names").ok().cloned()
    };
    match names {
        Some(lopdf::Object::Reference(id)) => {
            if let Ok(d) = doc.get_object_mut(id).and_then(|o| o.as_dict_mut()) {
                d.remove(b"EmbeddedFiles");
            }
        }
        Some(_) => {
            let cat = doc
                .get_object_mut(root)
                .and_then(|o| o.as_dict_mut())
                .unwrap();
            if let Ok(d) = cat.get_mut(b"Names").and_then(|o| o.as_dict_mut()) {
                d.remove(b"EmbeddedFiles");
            }
        }
        None => {}
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("the plain file is written");
    out
}

/// What the owner knows of `pdf`'s invoice (see the module's doc), `None`
/// when it is too thin to be an invoice: invoice2data's answers hold no
/// lines and no parties, and only Netpresse's (a French business's
/// invoice to another) has the owner's entries beside it; the others are
/// foreign or to consumers, out of the French B2B e-invoice.
fn owner_data(pdf: &Path, kind: &str) -> Option<Vec<(String, String)>> {
    let owner = pdf.with_extension("owner.json");
    let mut data = match programs::flat(&pdf.with_extension("einvoice.json")) {
        Some(d) => d,
        None if kind == "hand" || owner.exists() => programs::truth(pdf),
        None => return None,
    };
    for (k, v) in programs::flat(&pdf.with_extension("owner.json")).unwrap_or_default() {
        data.retain(|(p, _)| *p != k);
        data.push((k, v));
    }
    Some(data)
}

fn get(data: &[(String, String)], path: &str) -> Option<String> {
    data.iter().find(|(p, _)| p == path).map(|(_, v)| v.clone())
}

fn siren_of(siret: &Option<String>) -> Option<String> {
    siret.as_ref().map(|s| s[..9].to_string())
}

/// « Mon entreprise » as the seller of `data` would enter it; a seller
/// whose page and XML give no SIREN has one in its profile all the same.
fn company(data: &[(String, String)]) -> make::Company {
    let siret = get(data, "BG-4/BT-29");
    make::Company {
        name: get(data, "BG-4/BT-27").expect("the seller's name"),
        siren: get(data, "BG-4/BT-30")
            .or(siren_of(&siret))
            .or(Some("732829320".into())),
        siret,
        vat: get(data, "BG-4/BT-31"),
        street: get(data, "BG-4/BG-5/BT-35"),
        postcode: get(data, "BG-4/BG-5/BT-38"),
        city: get(data, "BG-4/BG-5/BT-37"),
        country: get(data, "BG-4/BG-5/BT-40"),
        iban: get(data, "BG-16/BG-17/BT-84").or(Some("FR7630006000011234567890189".into())),
        operations: Some(make::company::Operations::Both),
        payment_days: Some(30),
        ..Default::default()
    }
}

/// The buyer's directory entry: a French buyer has its SIREN there (its
/// electronic address, scheme 0225), a foreign one the e-mail address its
/// invoices go to (scheme EM).
fn customer(data: &[(String, String)]) -> CustomerData {
    let siret = get(data, "BG-7/BT-46");
    let country = get(data, "BG-7/BG-8/BT-55");
    let french = country.as_deref().is_none_or(|c| c == "FR");
    CustomerData {
        electronic_address: (!french).then(|| "factures@client.example".into()),
        electronic_scheme: (!french).then(|| "EM".into()),
        name: get(data, "BG-7/BT-44").expect("the buyer's name"),
        siren: get(data, "BG-7/BT-47")
            .or(siren_of(&siret))
            .or(french.then(|| "552100554".into())),
        siret,
        vat: get(data, "BG-7/BT-48"),
        street: get(data, "BG-7/BG-8/BT-50"),
        postcode: get(data, "BG-7/BG-8/BT-53"),
        city: get(data, "BG-7/BG-8/BT-52"),
        country,
        ..Default::default()
    }
}

fn rates(data: &[(String, String)]) -> Vec<f64> {
    data.iter()
        .filter(|(p, _)| {
            ["BT-96", "BT-103", "BT-119", "BT-152"]
                .iter()
                .any(|t| p.ends_with(t))
        })
        .map(|(_, v)| v.parse::<f64>().expect("a rate"))
        .collect()
}

fn french(rate: f64) -> bool {
    FRENCH_RATES.iter().any(|r| (r - rate).abs() < 1e-9)
}

/// Fonts `pdffonts` lists as not embedded.
fn fonts_not_embedded(path: &Path) -> Vec<String> {
    let out = Command::new("pdffonts")
        .arg(path)
        .output()
        .expect("pdffonts runs (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // name type [encoding words…] emb sub uni object ID
            let emb = cols.get(cols.len().checked_sub(5)?)?;
            (*emb == "no").then(|| cols[0].to_string())
        })
        .collect()
}

#[test]
fn real_programs_pdfs_are_made_factur_x_or_refused_for_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut made_xml: Option<Vec<u8>> = None;
    let (mut made_count, mut refused_rate, mut thin) = (0, 0, Vec::new());
    let mut refused_fonts_made = Vec::new();
    let mut containers = Vec::new();
    for p in programs::programs() {
        for f in &p.files {
            let name = f.file_stem().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(f).unwrap();
            let plain = plain(&bytes);
            let plain_path = dir.path().join(format!("{name}-plain.pdf"));
            std::fs::write(&plain_path, &plain).unwrap();
            let unembedded = fonts_not_embedded(&plain_path);
            containers.push((name.clone(), plain.clone(), unembedded.clone()));
            let Some(data) = owner_data(f, &p.truth) else {
                thin.push(name);
                continue;
            };
            let json: serde_json::Value =
                serde_json::from_str(&programs::plain_json(&data)).unwrap();
            let read = en16931::from_json(&json).expect("the data is in the draft format");
            let draft = make::draft::draft(&read, Some(&company(&data)), Some(&customer(&data)));
            let result = make::make(&plain, &draft, 1_793_577_600);
            let foreign: Vec<f64> = rates(&data).into_iter().filter(|r| !french(*r)).collect();
            match result {
                Ok(m) if foreign.is_empty() && unembedded.is_empty() => {
                    made::assert_made_file_is_sound(dir.path(), &name, &plain, &m);
                    made_xml.get_or_insert(m.xml);
                    made_count += 1;
                }
                Err(MakeError::Rules(fails)) if !foreign.is_empty() => {
                    assert!(
                        fails.iter().any(|f| f.id.starts_with("BR-FR-16")),
                        "{name}: rates {foreign:?} refused without BR-FR-16: {fails:?}"
                    );
                    refused_rate += 1;
                }
                Err(MakeError::Pdf(PdfaError::FontsNotEmbedded(_))) if !unembedded.is_empty() => {
                    refused_fonts_made.push(name);
                }
                other => panic!(
                    "{name}: foreign rates {foreign:?}, fonts not embedded {unembedded:?}: {:?}",
                    other.map(|_| "made")
                ),
            }
        }
    }
    eprintln!(
        "made {made_count}, refused for their VAT rates {refused_rate}, for fonts not embedded \
         {refused_fonts_made:?}, too thin to make {}: {thin:?}",
        thin.len()
    );
    // Netpresse's TCPDF invoice names Helvetica without embedding it.
    assert!(!refused_fonts_made.is_empty());
    assert!(made_count >= 7, "only {made_count} real invoices made");
    assert!(refused_rate >= 25, "{refused_rate} refused for their rates");
    assert!(thin.len() <= 10, "{thin:?}");

    // Every real PDF's pages with a valid invoice's XML.
    let xml = made_xml.expect("one real invoice was made");
    let (mut sound, mut refused_fonts) = (0, 0);
    for (name, plain, unembedded) in containers {
        let meta = make::pdfa::Meta {
            title: "Facture",
            producer: "Facteur tests",
            profile: Profile::En16931,
            file_name: "factur-x.xml",
            made_at: Some(1_793_577_600),
            id_seed: name.as_bytes(),
        };
        match make::pdfa::make(&plain, &xml, &meta) {
            Ok(pdf) if unembedded.is_empty() => {
                let m = make::Made {
                    pdf,
                    xml: xml.clone(),
                    warnings: vec![],
                };
                made::assert_container_is_sound(
                    dir.path(),
                    &format!("{name}-container"),
                    &plain,
                    &m,
                );
                sound += 1;
            }
            Err(PdfaError::FontsNotEmbedded(fonts)) if !unembedded.is_empty() => {
                assert!(!fonts.is_empty(), "{name}: the refusal names no font");
                refused_fonts += 1;
            }
            other => panic!(
                "{name}: pdffonts says {unembedded:?} not embedded, Facteur: {:?}",
                other.map(|_| "made")
            ),
        }
    }
    eprintln!("{sound} real PDFs made sound containers, {refused_fonts} refused for their fonts");
    assert!(sound >= 40, "only {sound} real PDFs made sound containers");
}
