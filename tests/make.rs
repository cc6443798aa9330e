//! Making a Factur-X from a plain PDF, judged from outside: generated
//! invoices of every layout (French, English, German labels, three
//! arrangements, four fonts, one to three VAT rates, credit notes, pages
//! continued) with their fonts embedded are made Factur-X from their ground
//! truth, and each made file must pass the checker's container checks and
//! the official EN 16931 + BR-FR + Factur-X rules with no fatal failure,
//! `qpdf --check`, read back to the same XML through Python's `factur-x`
//! (with its XSD check) and `pypdf`, and keep `pdftotext`'s text of every
//! page. A PDF whose fonts are not embedded is refused and nothing is
//! written; a missing term or a broken rule is refused with every reason;
//! a recorded plain invoice is replaced, never sent twice.

#[path = "support/pa_faults.rs"]
mod pa_faults;
#[path = "support/procs.rs"]
mod procs;
mod support {
    #[path = "fonts.rs"]
    pub mod fonts;
    #[path = "invoices.rs"]
    pub mod invoices;
    #[path = "made.rs"]
    pub mod made;
}

use std::path::{Path, PathBuf};
use std::process::Command;

use facteur::check::rules::Verdict;
use facteur::check::{Options, check_bytes};
use facteur::make::{self, MakeError, PdfaError};
use facteur::read::{Invoice, en16931};
use serde_json::{Value, json};
use support::invoices::{self, Spec, money};

/// Generated invoices made per run, chosen to cover every trait.
const WANTED: usize = 14;

fn iso((y, m, d): (u32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn rate_text(rate: i64) -> String {
    let s = format!("{}.{:02}", rate / 100, rate % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The whole invoice as its owner would confirm it, in plain values.
fn truth_json(spec: &Spec) -> Value {
    let sign = if spec.credit { -1 } else { 1 };
    let party = |p: &invoices::Party, seller: bool| {
        let siren = p.siren.clone().expect("French parties only");
        let (name, id, vat, addr, e, es, group) = if seller {
            (
                "BT-27",
                "BT-30",
                "BT-31",
                "BG-5",
                "BT-34",
                "BT-34-1",
                ["BT-35", "BT-37", "BT-38", "BT-40"],
            )
        } else {
            (
                "BT-44",
                "BT-47",
                "BT-48",
                "BG-8",
                "BT-49",
                "BT-49-1",
                ["BT-50", "BT-52", "BT-53", "BT-55"],
            )
        };
        json!({
            name: p.name, id: siren, vat: p.vat, e: siren, es: "0225",
            addr: { group[0]: p.street, group[1]: p.city, group[2]: p.postcode, group[3]: "FR" },
        })
    };
    let lines: Vec<Value> = spec
        .items
        .iter()
        .map(|it| {
            json!({
                "BT-129": format!("{}.{:02}", it.qty / 100, it.qty % 100),
                "BT-130": it.unit,
                "BT-131": money(it.net_cents() * sign),
                "BG-29": {"BT-146": money(it.price_cents)},
                "BG-30": {"BT-151": "S", "BT-152": rate_text(it.rate)},
                "BG-31": {"BT-153": it.description},
            })
        })
        .collect();
    let vat: Vec<Value> = spec
        .breakdown()
        .iter()
        .map(|(rate, base, tax)| {
            json!({"BT-116": money(*base), "BT-117": money(*tax), "BT-118": "S", "BT-119": rate_text(*rate)})
        })
        .collect();
    let (ht, tva, ttc) = spec.totals();
    let mut v = json!({
        "BT-1": spec.number,
        "BT-2": iso(spec.date),
        "BT-3": if spec.credit { "381" } else { "380" },
        "BT-5": "EUR",
        "BT-20": "Paiement à 30 jours",
        "BT-23": "M1",
        "BG-1": [
            {"BT-21": "PMD", "BT-22": "Pénalités de retard : trois fois le taux d'intérêt légal."},
            {"BT-21": "PMT", "BT-22": "Indemnité forfaitaire pour frais de recouvrement : 40 €."},
            {"BT-21": "AAB", "BT-22": "Pas d'escompte pour paiement anticipé."},
        ],
        "BG-4": party(&spec.seller, true),
        "BG-7": party(&spec.buyer, false),
        "BG-16": {"BT-81": "58", "BG-17": {"BT-84": "FR7630006000011234567890189"}},
        "BG-22": {"BT-106": money(ht), "BT-109": money(ht), "BT-110": money(tva), "BT-112": money(ttc), "BT-115": money(ttc)},
        "BG-23": vat,
        "BG-25": lines,
    });
    if let Some(d) = spec.due {
        v["BT-9"] = json!(iso(d));
    }
    if let Some(o) = &spec.order_ref {
        v["BT-13"] = json!(o);
    }
    if spec.credit {
        v["BG-3"] = json!({"BT-25": "F-2026-0001", "BT-26": "2026-01-15"});
    }
    v
}

/// Generated invoices between French parties covering credit notes,
/// several rates and several pages.
fn specs() -> Vec<Spec> {
    let mut out: Vec<Spec> = Vec::new();
    for seed in 1..2_000u64 {
        let mut s = invoices::spec(seed);
        if s.seller.siren.is_none() || s.buyer.siren.is_none() {
            continue;
        }
        // French parties charge French VAT (BR-FR-16 refuses 19 % and 7 %):
        // a German-language layout keeps its labels with French rates.
        for it in &mut s.items {
            it.rate = match it.rate {
                1900 => 2000,
                700 => 550,
                r => r,
            };
        }
        let credit = out.iter().filter(|o| o.credit).count();
        let multi_rate = out.iter().filter(|o| o.breakdown().len() > 1).count();
        let multi_page = out.iter().filter(|o| o.pages().len() > 1).count();
        let useful = out.len() < WANTED / 2
            || (s.credit && credit < 3)
            || (s.breakdown().len() > 1 && multi_rate < 4)
            || (s.pages().len() > 1 && multi_page < 3)
            || out.len() < WANTED;
        if useful {
            out.push(s);
        }
        if out.len() >= WANTED && credit >= 2 && multi_rate >= 3 && multi_page >= 2 {
            break;
        }
    }
    assert!(out.iter().any(|s| s.credit), "no credit note in the sample");
    assert!(
        out.iter().any(|s| s.breakdown().len() > 1),
        "no multi-rate invoice"
    );
    assert!(
        out.iter().any(|s| s.pages().len() > 1),
        "no multi-page invoice"
    );
    out
}

fn invoice_of(v: &Value) -> Invoice {
    en16931::from_json(v).expect("the truth is in the draft format")
}

#[test]
fn every_generated_layout_made_from_its_truth_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let specs = specs();
    for (i, spec) in specs.iter().enumerate() {
        let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
        let inv = invoice_of(&truth_json(spec));
        let made = make::make(&plain, &inv, 1_793_577_600 + i as i64)
            .unwrap_or_else(|e| panic!("spec {i} ({}): {e}", spec.number));
        support::made::assert_made_file_is_sound(dir.path(), &format!("spec{i}"), &plain, &made);
    }
}

#[test]
fn a_pdf_whose_fonts_are_not_embedded_is_refused_with_the_fix() {
    let spec = specs().remove(0);
    let plain = invoices::pdf(&spec.pages());
    let err = make::make(&plain, &invoice_of(&truth_json(&spec)), 0).unwrap_err();
    assert!(
        matches!(&err, MakeError::Pdf(PdfaError::FontsNotEmbedded(names)) if !names.is_empty()),
        "{err:?}"
    );
    assert!(err.message_fr().contains("PDF/A"), "{}", err.message_fr());
    assert!(err.message_fr().contains("incorporer les polices"));
}

#[test]
fn every_missing_term_is_named_and_nothing_is_guessed() {
    let spec = specs().remove(0);
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    let mut v = truth_json(&spec);
    let obj = v.as_object_mut().unwrap();
    obj.remove("BT-23");
    obj.remove("BG-1");
    obj["BG-7"].as_object_mut().unwrap().remove("BT-47");
    let err = make::make(&plain, &invoice_of(&v), 0).unwrap_err();
    let MakeError::Missing(m) = err else {
        panic!("{err:?}")
    };
    let paths: Vec<&str> = m.iter().map(|m| m.path.as_str()).collect();
    for want in ["BT-23", "BG-7/BT-47", "BG-1/PMT", "BG-1/PMD", "BG-1/AAB"] {
        assert!(paths.contains(&want), "{want} not in {paths:?}");
    }
}

#[test]
fn a_total_that_does_not_add_up_is_refused_by_the_official_rule() {
    let spec = specs().remove(0);
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    let mut v = truth_json(&spec);
    v["BG-22"]["BT-106"] = json!("1.00");
    let err = make::make(&plain, &invoice_of(&v), 0).unwrap_err();
    let MakeError::Rules(failures) = err else {
        panic!("{err:?}")
    };
    assert!(
        failures.iter().any(|f| f.id == "BR-CO-10"),
        "{:?}",
        failures.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
}

/// `spec`'s PDF with its fonts embedded, and its truth without the totals
/// (the lines' sum kept) and the breakdown: left for Facteur to derive, so
/// each rate's base must take a discount or a fee into account.
fn plain_and_truth_left_to_derive(spec: &Spec) -> (Vec<u8>, Value) {
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    let mut v = truth_json(spec);
    v["BG-22"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k == "BT-106");
    v.as_object_mut().unwrap().remove("BG-23");
    (plain, v)
}

#[test]
fn a_discount_and_a_fee_on_the_whole_invoice_are_written_and_pass_the_official_rules() {
    let dir = tempfile::tempdir().unwrap();
    for (k, spec) in specs()
        .into_iter()
        .filter(|s| !s.credit)
        .take(6)
        .enumerate()
    {
        let (plain, mut v) = plain_and_truth_left_to_derive(&spec);
        let rates: Vec<i64> = spec.breakdown().iter().map(|(r, _, _)| *r).collect();
        let rate = rate_text(rates[0]);
        // With one rate the discount's rate is left out: it is the lines'.
        let mut discount = json!({"BT-92": "10.00", "BT-94": "5", "BT-97": "Remise fidélité"});
        if rates.len() > 1 {
            discount["BT-96"] = json!(rate);
        }
        v["BG-20"] = json!([discount]);
        v["BG-21"] = json!([{"BT-99": "7.50", "BT-102": "S", "BT-103": rate, "BT-104": "Frais de port", "BT-105": "FC"}]);
        let made = make::make(&plain, &invoice_of(&v), 1_793_577_600)
            .unwrap_or_else(|e| panic!("{} ({} rates): {e}", spec.number, rates.len()));
        let xml = String::from_utf8(made.xml.clone()).unwrap();
        for want in [
            "<ram:AllowanceTotalAmount>10.00</ram:AllowanceTotalAmount>",
            "<ram:ChargeTotalAmount>7.50</ram:ChargeTotalAmount>",
            "<ram:Reason>Remise fidélité</ram:Reason>",
            "<ram:ReasonCode>FC</ram:ReasonCode>",
            "<udt:Indicator>false</udt:Indicator>",
            "<udt:Indicator>true</udt:Indicator>",
        ] {
            assert!(xml.contains(want), "{want} not in {}", spec.number);
        }
        // Lines 100.00 → basis 97.50: the sum is the lines' less the
        // discount plus the fee.
        let (ht, _, _) = spec.totals();
        let basis = invoices::money(ht - 1000 + 750);
        assert!(
            xml.contains(&format!(
                "<ram:TaxBasisTotalAmount>{basis}</ram:TaxBasisTotalAmount>"
            )),
            "{}: {basis}",
            spec.number
        );
        // The made file says the same to the checker: valid, no fatal rule.
        let path = dir.path().join(format!("made{k}.pdf"));
        std::fs::write(&path, &made.pdf).unwrap();
        let r = facteur::check::check_file(&path, &facteur::check::Options::default()).unwrap();
        let s = r.structured.expect("the made file carries its XML");
        assert_eq!(
            s.verdict,
            facteur::check::rules::Verdict::Valid,
            "{:?}",
            s.rules.iter().map(|f| &f.id).collect::<Vec<_>>()
        );
    }

    // A discount with no reason is asked for, never invented; a total of the
    // discounts that is not theirs is refused by the official rule.
    let spec = specs().into_iter().find(|s| !s.credit).unwrap();
    let (plain, mut v) = plain_and_truth_left_to_derive(&spec);
    v["BG-20"] = json!([{"BT-92": "10.00"}]);
    let MakeError::Missing(m) = make::make(&plain, &invoice_of(&v), 0).unwrap_err() else {
        panic!("a discount with no reason was made")
    };
    assert!(m.iter().any(|m| m.path == "BG-20[0]/BT-97"), "{m:?}");
    v["BG-20"][0]["BT-97"] = json!("Remise");
    v["BG-20"][0]["BT-96"] = json!(rate_text(spec.breakdown()[0].0));
    v["BG-22"]["BT-107"] = json!("12.00");
    let err = make::make(&plain, &invoice_of(&v), 0)
        .map(|_| ())
        .unwrap_err();
    let MakeError::Rules(failures) = err else {
        panic!("a wrong total of the discounts: {err:?}")
    };
    assert!(
        failures.iter().any(|f| f.id == "BR-CO-11"),
        "{:?}",
        failures.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
}

#[test]
fn a_signed_or_already_factur_x_pdf_is_refused() {
    let inv = facteur::demo::sample::SampleInvoice::example(3);
    let facturx = facteur::demo::sample::invoice_pdf(&inv, true);
    let spec = specs().remove(0);
    let truth = invoice_of(&truth_json(&spec));
    let err = make::pdfa::make(
        &facturx,
        b"<x/>",
        &make::pdfa::Meta {
            title: "t",
            producer: "p",
            profile: facteur::check::structured::Profile::En16931,
            file_name: "factur-x.xml",
            made_at: None,
            id_seed: b"s",
        },
    )
    .unwrap_err();
    assert!(matches!(err, PdfaError::AlreadyEInvoice(_)), "{err:?}");
    let signed = facteur::demo::sample::Build {
        invoices: vec![inv],
        signed: Some(facteur::demo::sample::SignatureKind::Approval),
        ..Default::default()
    }
    .to_bytes();
    let err = make::make(&support::fonts::embed(&signed), &truth, 0).unwrap_err();
    assert!(matches!(err, MakeError::Pdf(PdfaError::Signed)), "{err:?}");
}

// ---------------------------------------------------------------- the CLI

fn facteur(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_facteur"));
    c.env("FACTEUR_HOME", home).args(["--lang", "fr"]);
    c
}

/// `facteur facturx make --data DATA -o OUT PLAIN`, in `home`.
fn make_cli(home: &Path, data: &Path, out: &Path, plain: &Path) -> std::process::Output {
    facteur(home)
        .args(["facturx", "make", "--data"])
        .arg(data)
        .arg("-o")
        .arg(out)
        .arg(plain)
        .output()
        .unwrap()
}

/// « Mon entreprise » as the seller of `spec` would enter it.
fn company_of(spec: &Spec) -> make::Company {
    make::Company {
        name: spec.seller.name.clone(),
        siren: spec.seller.siren.clone(),
        vat: Some(spec.seller.vat.clone()),
        street: Some(spec.seller.street.clone()),
        postcode: Some(spec.seller.postcode.clone()),
        city: Some(spec.seller.city.clone()),
        iban: Some("FR7630006000011234567890189".into()),
        operations: Some(make::company::Operations::Services),
        payment_days: Some(30),
        ..Default::default()
    }
}

/// A fresh home under `dir` and its store.
fn home_store(dir: &Path) -> (PathBuf, facteur::mirror::store::Store) {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let store = facteur::mirror::store::Store::open_home(&home).unwrap();
    (home, store)
}

#[test]
fn the_cli_drafts_from_the_company_then_makes_from_the_edited_draft() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let spec = specs().remove(0);
    let plain_path = dir.path().join("facture.pdf");
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    std::fs::write(&plain_path, &plain).unwrap();

    // « Mon entreprise », entered once.
    {
        std::fs::create_dir_all(&home).unwrap();
        let mut store = facteur::mirror::store::Store::open_home(&home).unwrap();
        make::company::save(
            &mut store,
            make::Company {
                contact_name: Some("Service facturation".into()),
                contact_email: Some("factures@atelier.example".into()),
                ..company_of(&spec)
            },
        )
        .unwrap();
    }
    let out = facteur(&home)
        .args(["facturx", "draft", "--json"])
        .arg(&plain_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        draft["BG-4"]["BT-30"]["value"],
        json!(spec.seller.siren.clone().unwrap())
    );
    // What the page does not print comes from « Mon entreprise ».
    assert_eq!(draft["BG-4"]["BT-34"]["source"], json!("company"));
    assert_eq!(draft["BG-16"]["BT-81"]["value"], json!("58"));
    assert_eq!(draft["BG-16"]["BT-81"]["source"], json!("company"));
    assert_eq!(draft["BT-23"]["value"], json!("S1"));
    assert_eq!(
        draft["BG-4"]["BG-6"]["BT-43"]["value"],
        json!("factures@atelier.example")
    );
    assert!(draft["missing"].is_array());

    // A total that breaks BR-CO-10 (or a term still missing): refused
    // with the reasons, nothing written.
    let made_path = dir.path().join("made.pdf");
    let truth = truth_json(&spec);
    let data = dir.path().join("broken.json");
    std::fs::write(&data, json!({"BG-22": {"BT-106": "1.00"}}).to_string()).unwrap();
    let refused = make_cli(&home, &data, &made_path, &plain_path);
    assert_eq!(refused.status.code(), Some(1));
    assert!(!made_path.exists(), "a refused make wrote a file");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("BR-CO-10") || err.contains("Il manque"),
        "{err}"
    );

    // The whole truth as data: made, and it passes every check.
    let data = dir.path().join("truth.json");
    std::fs::write(&data, truth.to_string()).unwrap();
    let ok = make_cli(&home, &data, &made_path, &plain_path);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bytes = std::fs::read(&made_path).unwrap();
    let report = check_bytes(&made_path, bytes.len() as u64, &bytes, &Options::default());
    assert_eq!(report.structured.unwrap().verdict, Verdict::Valid);
    // The company's contact (BG-6) went into the XML, which the rules passed.
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let budget =
        facteur::pdf::Budget::new(std::time::Instant::now() + std::time::Duration::from_secs(30));
    let xml = facteur::pdf::attachments(&doc, &budget)
        .into_iter()
        .find(|a| a.name == "factur-x.xml")
        .and_then(|a| a.content.ok())
        .unwrap();
    let xml = String::from_utf8_lossy(&xml);
    assert!(
        xml.contains(
            "<ram:DefinedTradeContact><ram:PersonName>Service facturation</ram:PersonName>"
        ) && xml.contains("<ram:URIID>factures@atelier.example</ram:URIID>"),
        "{xml}"
    );

    // Never overwritten.
    let again = make_cli(&home, &data, &made_path, &plain_path);
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&made_path).unwrap(), bytes);
}

#[test]
fn a_plain_pdf_with_fonts_not_embedded_is_refused_by_the_cli_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec = specs().remove(0);
    let plain_path = dir.path().join("facture.pdf");
    std::fs::write(&plain_path, invoices::pdf(&spec.pages())).unwrap();
    let data = dir.path().join("truth.json");
    std::fs::write(&data, truth_json(&spec).to_string()).unwrap();
    let out = facteur(&dir.path().join("home"))
        .args(["facturx", "make", "--data"])
        .arg(&data)
        .arg(&plain_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("polices"), "{err}");
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
}

// ------------------------------------------------- the recorded invoice

#[test]
fn a_recorded_plain_invoice_is_replaced_by_its_factur_x_once() {
    let dir = tempfile::tempdir().unwrap();
    let (home, mut store) = home_store(dir.path());
    let spec = specs().remove(1);
    let plain_path = dir.path().join("facture.pdf");
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    std::fs::write(&plain_path, &plain).unwrap();
    let report = check_bytes(&plain_path, plain.len() as u64, &plain, &Options::default());
    let id = store
        .record_check(&report, 1_000)
        .unwrap()
        .invoice_id
        .unwrap();

    let draft = facteur::intake::made::draft_for_invoice(&store, &home, id).unwrap();
    assert_eq!(
        draft.invoice.number.as_ref().map(|f| f.value.as_str()),
        Some(spec.number.as_str())
    );
    let truth = invoice_of(&truth_json(&spec));
    let rec =
        facteur::intake::made::make_for_invoice(&mut store, &home, id, &truth, 2_000_000).unwrap();
    assert_eq!(rec.invoice_id, id);
    assert!(rec.path.starts_with(home.join("factur-x")));
    let row = store.invoice(id).unwrap().unwrap();
    assert_eq!(
        Path::new(&row.path),
        rec.path,
        "the invoice now is the Factur-X"
    );
    assert_eq!(
        store.made_from(rec.document_id).unwrap(),
        Some(report_doc(&store, &plain))
    );
    let history = store.history(id).unwrap();
    assert!(
        history.iter().any(|e| e
            .raw_reason
            .as_deref()
            .is_some_and(|r| r.contains("Factur-X créé depuis le PDF"))),
        "{history:?}"
    );
    // A second make of the same invoice: the first Factur-X stays, one file.
    let second = facteur::intake::made::make_for_invoice(&mut store, &home, id, &truth, 3_000_000);
    assert!(second.is_err(), "made twice");
    assert_eq!(std::fs::read_dir(home.join("factur-x")).unwrap().count(), 1);
}

fn report_doc(store: &facteur::mirror::store::Store, bytes: &[u8]) -> i64 {
    store
        .document_by_sha(&facteur::hex::sha256(bytes))
        .unwrap()
        .expect("the plain PDF stays recorded")
}

/// The buyer as the owner entered it in the customer directory, reached
/// through the demonstration plateforme.
fn buyer_in_directory(store: &mut facteur::mirror::store::Store, b: &invoices::Party) {
    use facteur::send::directory::{CustomerData, Reach};
    facteur::send::directory::add(
        store,
        CustomerData {
            name: b.name.clone(),
            siren: b.siren.clone(),
            vat: Some(b.vat.clone()),
            street: Some(b.street.clone()),
            postcode: Some(b.postcode.clone()),
            city: Some(b.city.clone()),
            country: Some("FR".into()),
            electronic_address: b.siren.clone(),
            reach: Some(Reach::Account(
                facteur::send::accounts::SANDBOX_PA_ACCOUNT.into(),
            )),
            ..Default::default()
        },
        1,
    )
    .unwrap();
}

/// The owner has set « Mon entreprise », confirmed one invoice of `spec`'s
/// layout and entered its buyer in the customer directory (reached through
/// the demonstration plateforme); the next invoice of that layout, with
/// French VAT rates.
fn confirmed_layout_and_next(
    store: &mut facteur::mirror::store::Store,
    spec: &Spec,
    seed: u64,
) -> Spec {
    make::company::save(store, company_of(spec)).unwrap();
    let first = support::fonts::embed(&invoices::pdf(&spec.pages()));
    facteur::mirror::learned::confirm(store, &first, &[invoice_of(&truth_json(spec))]).unwrap();
    let mut next = invoices::next_of(spec, seed);
    for it in &mut next.items {
        it.rate = match it.rate {
            1900 => 2000,
            700 => 550,
            r => r,
        };
    }
    buyer_in_directory(store, &next.buyer);
    next
}

// ------------------------------------------- a folder that makes Factur-X

#[test]
fn a_folder_that_makes_factur_x_holds_a_plain_pdf_whose_draft_is_unsure_and_queues_nothing() {
    use facteur::intake::made::take_making;
    use facteur::intake::pipeline::{Destination, NoLookup, Outcome};
    let dir = tempfile::tempdir().unwrap();
    let (home, mut store) = home_store(dir.path());
    let account = facteur::send::accounts::resolve(&store, None).unwrap();
    let spec = specs().remove(2);
    let path = dir.path().join("facture.pdf");
    let plain = support::fonts::embed(&invoices::pdf(&spec.pages()));
    std::fs::write(&path, &plain).unwrap();
    let mut report = check_bytes(&path, plain.len() as u64, &plain, &Options::default());
    assert!(report.accepted(), "{:?}", report.findings);
    // No « Mon entreprise »: the seller's electronic address and the notes
    // are missing, so nothing can be made without the owner.
    let taken = take_making(
        &mut store,
        &home,
        &mut report,
        Destination::Account(&account),
        &NoLookup,
        1_000,
    )
    .unwrap();
    let Outcome::Held { invoice_id, why } = &taken.outcome else {
        panic!("{:?}", taken.outcome)
    };
    assert!(why.fr.contains("Factur-X"), "{}", why.fr);
    assert!(taken.recorded.is_some(), "the plain PDF is recorded");
    assert!(
        store.submissions(*invoice_id).unwrap().is_empty(),
        "nothing queued"
    );
    // The invoice is still the plain PDF, waiting for the review.
    let row = store.invoice(*invoice_id).unwrap().unwrap();
    assert_eq!(Path::new(&row.path), path);
    assert!(!home.join("factur-x").exists());
}

#[test]
fn a_folder_that_makes_factur_x_passes_an_e_invoice_through_as_usual() {
    use facteur::intake::made::take_making;
    use facteur::intake::pipeline::{Destination, NoLookup, Outcome};
    let dir = tempfile::tempdir().unwrap();
    let (home, mut store) = home_store(dir.path());
    let inv = facteur::demo::sample::SampleInvoice::example(7);
    let bytes = facteur::demo::sample::invoice_pdf(&inv, true);
    let path = dir.path().join("fx.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let mut report = check_bytes(&path, bytes.len() as u64, &bytes, &Options::default());
    let taken = take_making(
        &mut store,
        &home,
        &mut report,
        Destination::CheckOnly,
        &NoLookup,
        1_000,
    )
    .unwrap();
    assert!(
        matches!(
            taken.outcome,
            Outcome::Recorded {
                invoice_id: Some(_)
            }
        ),
        "{:?}",
        taken.outcome
    );
    assert!(
        !home.join("factur-x").exists(),
        "nothing made from an e-invoice"
    );
}

#[test]
fn a_folder_that_makes_factur_x_makes_the_next_invoice_of_a_confirmed_layout_unasked() {
    // The owner confirmed one invoice of the layout (« Mon entreprise » and
    // the customer directory filled in): the next invoice of that layout
    // is read with certainty, so the folder makes its Factur-X without
    // asking, and it becomes the invoice.
    use facteur::intake::made::{draft_for_invoice, take_making};
    use facteur::intake::pipeline::{Destination, NoLookup, Outcome};
    let mut refused = Vec::new();
    let (mut made, mut credits) = (0, 0);
    let sample: Vec<Spec> = specs().into_iter().take(16).collect();
    for (k, spec) in sample.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let (home, mut store) = home_store(dir.path());
        let next = confirmed_layout_and_next(&mut store, spec, 500 + k as u64);
        let path = dir.path().join(format!("suivante-{k}.pdf"));
        let bytes = support::fonts::embed(&invoices::pdf(&next.pages()));
        std::fs::write(&path, &bytes).unwrap();
        let opts = Options {
            layouts: std::sync::Arc::new(facteur::mirror::learned::layouts(&store).unwrap()),
            ..Options::default()
        };
        let mut report = check_bytes(&path, bytes.len() as u64, &bytes, &opts);
        assert!(report.accepted(), "{:?}", report.findings);
        let taken = take_making(
            &mut store,
            &home,
            &mut report,
            Destination::CheckOnly,
            &NoLookup,
            1_000,
        )
        .unwrap();
        let id = match &taken.outcome {
            Outcome::Held { invoice_id, why } if next.credit => {
                // The generated credit notes do not print the invoice they
                // correct: held, asking for it, never invented.
                let d = draft_for_invoice(&store, &home, *invoice_id).unwrap();
                assert!(
                    d.missing.iter().any(|m| m.path == "BG-3/BT-25"),
                    "{why:?} {:?}",
                    d.missing
                );
                assert!(!home.join("factur-x").exists());
                credits += 1;
                continue;
            }
            Outcome::Held { invoice_id, why } => {
                let d = draft_for_invoice(&store, &home, *invoice_id).unwrap();
                let unsure: Vec<String> = en16931::flatten(&d.invoice)
                    .into_iter()
                    .filter(|(_, f)| !f.sure)
                    .map(|(p, f)| format!("{p}={}", f.value))
                    .collect();
                refused.push(format!(
                    "{}: {} {unsure:?} {:?}",
                    next.number, why.en, d.missing
                ));
                continue;
            }
            other => other.invoice_id().expect("recorded"),
        };
        // The invoice now is the made Factur-X, with what the page says.
        let row = store.invoice(id).unwrap().unwrap();
        assert!(row.path.ends_with("-factur-x.pdf"), "{}", row.path);
        let made_pdf = std::fs::read(&row.path).unwrap();
        let doc = lopdf::Document::load_mem(&made_pdf).unwrap();
        let budget = facteur::pdf::Budget::new(
            std::time::Instant::now() + std::time::Duration::from_secs(30),
        );
        let xml = facteur::pdf::attachments(&doc, &budget)
            .into_iter()
            .find(|a| a.name == "factur-x.xml")
            .and_then(|a| a.content.ok())
            .unwrap();
        let xml = String::from_utf8_lossy(&xml);
        assert!(
            xml.contains(&format!("<ram:ID>{}</ram:ID>", next.number)),
            "{xml}"
        );
        for it in &next.items {
            let name = it.description.replace('&', "&amp;").replace('\'', "&apos;");
            assert!(xml.contains(&name), "{} not in the XML", it.description);
        }
        let (_, _, ttc) = next.totals();
        assert!(
            xml.contains(&format!(">{}</ram:GrandTotalAmount>", money(ttc))),
            "{xml}"
        );
        made += 1;
    }
    assert!(refused.is_empty(), "held for review: {refused:#?}");
    assert_eq!(made + credits, sample.len());
    assert!(made >= 12, "{made} made");
}

#[test]
fn a_running_watch_makes_the_factur_x_of_a_confirmed_layout_and_sends_only_it() {
    // `facteur watch` as its own process, on a folder configured with
    // `facteur folders add --make-facturx --to sandbox-pa`; the owner
    // confirms a layout while it runs. The next invoice of that layout
    // reaches the plateforme as the Factur-X made from it (never the plain
    // PDF as well); an invoice of a layout never confirmed is held for
    // review and sent nowhere.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pa = rt.block_on(pa_faults::FaultyPa::start(
        facteur::demo::pa_server::Options::default(),
    ));
    let tmp = tempfile::tempdir().unwrap();
    let (home, mut store) = home_store(tmp.path());
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let added = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", &home)
        .env("LC_ALL", "fr_FR.UTF-8")
        .args(["folders", "add", "--make-facturx", "--to"])
        .arg(facteur::send::accounts::SANDBOX_PA_ACCOUNT)
        .arg(&dir)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(said.contains("fait le Factur-X"), "{said}");

    let url = pa.url();
    let w = procs::watch(
        &home,
        &["--settle", "1"],
        &[("FACTEUR_PA_SANDBOX_URL", url.as_str())],
    );
    procs::wait_for("the watch started", 60, || home.join("watch.log").exists());
    let all = specs();
    let spec = all.iter().find(|s| !s.credit).unwrap();
    let next = confirmed_layout_and_next(&mut store, spec, 900);
    let other = all
        .iter()
        .find(|s| !s.credit && s.seller.name != spec.seller.name)
        .unwrap();
    drop(store);
    let plain_next = support::fonts::embed(&invoices::pdf(&next.pages()));
    std::fs::write(dir.join("suivante.pdf"), &plain_next).unwrap();
    let plain_other = support::fonts::embed(&invoices::pdf(&other.pages()));
    std::fs::write(dir.join("autre.pdf"), &plain_other).unwrap();
    procs::wait_for("both invoices recorded", 120, || {
        procs::count(&home, "SELECT count(*) FROM invoices") == 2
    });
    procs::wait_for("one invoice sent", 120, || {
        procs::count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) == 1
    });
    let (_, stdout, stderr) = w.stop();
    let said = format!("{stdout}{stderr}");

    // One Factur-X made, and it is what the plateforme took.
    let made: Vec<PathBuf> = std::fs::read_dir(home.join("factur-x"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(made.len(), 1, "{made:?} {said}");
    let made_pdf = std::fs::read(&made[0]).unwrap();
    let report = check_bytes(
        &made[0],
        made_pdf.len() as u64,
        &made_pdf,
        &Options::default(),
    );
    assert_eq!(
        report.structured.as_ref().map(|s| s.verdict),
        Some(Verdict::Valid),
        "{:?}",
        report.structured
    );
    pa.with(|p| {
        let got: Vec<_> = p.invoices().collect();
        assert_eq!(got.len(), 1, "{said}");
        assert_eq!(got[0].syntax, "Factur-X");
        assert_eq!(got[0].ack, "Ok", "{:?}", got[0].details);
        assert_eq!(got[0].invoice_number.as_deref(), Some(next.number.as_str()));
        assert_eq!(got[0].file, made_pdf, "the made Factur-X, byte for byte");
        assert_ne!(got[0].file, plain_next);
    });
    // Nothing else queued: the plain PDF of the made invoice is not sent as
    // well, the unconfirmed layout waits for the owner's review.
    assert_eq!(
        procs::count(&home, "SELECT count(*) FROM submissions"),
        1,
        "{said}"
    );
    // The held file's reason, in the owner's language.
    let held = said
        .lines()
        .find(|l| l.starts_with("autre.pdf"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(held.contains("Factur-X à compléter"), "{held}");
    assert!(!held.contains(" before sending"), "{held}");
    assert!(dir.join("autre.pdf").exists() && dir.join("suivante.pdf").exists());
}

#[test]
fn a_discount_and_a_fee_read_on_the_page_go_into_the_factur_x() {
    // A « Remise » and « Frais de port » printed as rows of the table: read
    // as BG-20 / BG-21, drafted with « Mon entreprise » and the directory,
    // the official rules accept the XML, which carries both.
    let mut checked = 0;
    for spec in specs().into_iter().take(8) {
        let mut spec = spec;
        spec.adjustments = vec![("Remise".into(), -1250), ("Frais de port".into(), 990)];
        let dir = tempfile::tempdir().unwrap();
        let (_home, mut store) = home_store(dir.path());
        make::company::save(&mut store, company_of(&spec)).unwrap();
        buyer_in_directory(&mut store, &spec.buyer);
        let bytes = support::fonts::embed(&invoices::pdf(&spec.pages()));
        let reading = facteur::read::read_bytes(&bytes, &[]).unwrap();
        let mut draft = make::draft_reading(&store, &reading).unwrap();
        assert_eq!(draft.allowances.len(), 1, "{}", spec.number);
        assert_eq!(draft.charges.len(), 1, "{}", spec.number);
        // What the page cannot say (a credit note's invoice) is the owner's.
        if spec.credit {
            draft.preceding = Some(facteur::read::Field::new(
                "F-2026-0001",
                facteur::read::Source::User,
                true,
            ));
        }
        let c = match make::check_draft(&draft) {
            Ok(c) => c,
            Err(e) => panic!("{}: {e}", spec.number),
        };
        let fatal: Vec<_> = c
            .failures
            .iter()
            .filter(|f| f.flag == facteur::check::rules::Flag::Fatal)
            .map(|f| f.id.clone())
            .collect();
        assert!(c.valid, "{}: {fatal:?}", spec.number);
        assert!(
            c.xml.contains(">12.50</ram:AllowanceTotalAmount>"),
            "{}",
            c.xml
        );
        assert!(c.xml.contains(">9.90</ram:ChargeTotalAmount>"), "{}", c.xml);
        checked += 1;
    }
    assert_eq!(checked, 8);
}
