//! Standalone XML invoices in and out: `facteur check` on CII and UBL files
//! (an invoice, a credit note, an XML that is no invoice, hostile XML),
//! the same number twice, routing that holds an XML for a channel that
//! takes PDF only, and a watched folder whose CII and UBL invoices reach
//! the demonstration plateforme as `CII` and `UBL` flows.

#[path = "support/pa_faults.rs"]
mod pa_faults;
#[path = "support/procs.rs"]
mod procs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use facteur::check::facts::{FactKey, FactSource, Facts};
use facteur::demo::pa_server::Options;
use facteur::demo::sample::{SampleInvoice, facturx_xml, invoice_pdf};
use facteur::mirror::store::Store;
use facteur::send::accounts::{self, AccountError, Kind, SecretStore};
use facteur::send::directory::{self, CustomerData, Reach};
use facteur::send::route::{self, Decision, Form};
use pa_faults::FaultyPa;
use serde_json::Value;

const UBL_INVOICE: &str = include_str!("fixtures/xml/ubl_invoice.xml");
const UBL_CREDIT_NOTE: &str = include_str!("fixtures/xml/ubl_credit_note.xml");

/// A CII invoice (EN 16931 profile) numbered `F-2026-000n`.
fn cii(n: u32) -> Vec<u8> {
    facturx_xml(&SampleInvoice::example(n))
}

/// The UBL fixture under another number.
fn ubl(number: &str) -> Vec<u8> {
    UBL_INVOICE.replace("FA-2025-0042", number).into_bytes()
}

/// A French UBL invoice that passes EN 16931 and BR-FR, under another number.
fn ubl_valid(number: &str) -> Vec<u8> {
    include_str!("fixtures/einvoice/ubl-ubl-fr-0.xml")
        .replace("F2027-45856", number)
        .into_bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `facteur check --json` in `home`: one report per file, by file name.
fn check(home: &Path, args: &[&Path]) -> BTreeMap<String, Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", home)
        .env("LC_ALL", "fr_FR.UTF-8")
        .arg("check")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let name = Path::new(v["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, v)
        })
        .collect()
}

fn codes(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn fact<'a>(r: &'a Value, key: &str) -> Option<&'a str> {
    r["facts"][key]["value"].as_str()
}

#[test]
fn check_takes_cii_and_ubl_invoices_and_credit_notes_and_names_any_other_xml() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("factures");
    write(&dir, "cii.xml", &cii(1));
    write(&dir, "ubl.XML", &ubl("FA-2025-0042"));
    write(&dir, "avoir.xml", UBL_CREDIT_NOTE.as_bytes());
    write(
        &dir,
        "commande.xml",
        br#"<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>C-1</ID></Order>"#,
    );
    // Not taken from a folder: neither a PDF nor an XML by its name.
    write(&dir, "notes.txt", b"<Invoice/>");
    let reports = check(&home, &[&dir]);
    assert_eq!(
        reports.keys().collect::<Vec<_>>(),
        ["avoir.xml", "cii.xml", "commande.xml", "ubl.XML"]
    );

    let c = &reports["cii.xml"];
    assert_eq!(c["verdict"], "accepted", "{c}");
    assert_eq!(c["xml"], true);
    assert_eq!(c["pdf"], false);
    assert_eq!(c["structured"]["syntax"], "CII");
    assert_eq!(c["structured"]["file_name"], "cii.xml");
    assert_eq!(fact(c, "invoice_number"), Some("F-2026-0001"));
    assert_eq!(c["facts"]["invoice_number"]["source"], "xml");
    assert_eq!(fact(c, "seller_siren"), Some("732829320"));
    assert_eq!(fact(c, "total_with_tax"), Some("1200.00"));
    assert!(codes(c).is_empty(), "{:?}", codes(c));
    // The rule sets are judged elsewhere: no verdict of theirs yet.
    assert!(c.get("rules").is_none());

    let u = &reports["ubl.XML"];
    assert_eq!(u["verdict"], "accepted", "{u}");
    assert_eq!(u["structured"]["syntax"], "UBL");
    assert_eq!(fact(u, "invoice_number"), Some("FA-2025-0042"));
    assert_eq!(fact(u, "doc_type"), Some("invoice"));
    assert_eq!(fact(u, "buyer_siren"), Some("552100554"));

    let a = &reports["avoir.xml"];
    assert_eq!(a["verdict"], "accepted", "{a}");
    assert_eq!(a["structured"]["syntax"], "UBL");
    assert_eq!(fact(a, "doc_type"), Some("credit_note"));
    assert_eq!(fact(a, "invoice_number"), Some("AV-2025-0007"));

    let o = &reports["commande.xml"];
    assert_eq!(o["verdict"], "rejected");
    assert_eq!(o["xml"], true);
    assert_eq!(codes(o), ["xml_not_invoice"]);
    let f = &o["findings"][0];
    assert_eq!(f["severity"], "error");
    assert!(
        f["message_fr"]
            .as_str()
            .unwrap()
            .contains("Ce fichier XML n'est pas une facture CII ni UBL"),
        "{f}"
    );
    assert!(f["message_en"].as_str().unwrap().contains("<Order>"), "{f}");

    // Each is a document of the store, listed like a PDF; the one that is
    // no invoice is listed too, blocked, its number to type.
    let rows = procs::rows(
        &home,
        "SELECT number || '|' || current_status FROM invoices ORDER BY number",
    );
    assert_eq!(
        rows,
        [
            "|blocked",
            "AV-2025-0007|checked",
            "F-2026-0001|checked",
            "FA-2025-0042|checked"
        ]
    );
}

#[test]
fn the_same_number_in_another_xml_is_a_duplicate_and_the_same_content_is_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("in");
    let first = write(&dir, "f-1.xml", &cii(1));
    check(&home, &[&first]);
    // The same content under another name: the same document.
    let copy = write(&dir, "f-1 (copie).xml", &cii(1));
    check(&home, &[&copy]);
    assert_eq!(procs::count(&home, "SELECT count(*) FROM documents"), 1);
    // Another content, the same seller and number (a re-export with a
    // comment): flagged, never a silent second invoice.
    let mut again = cii(1);
    again.extend_from_slice(b"\n<!-- exported again -->\n");
    let other = write(&dir, "f-1-bis.xml", &again);
    let r = check(&home, &[&other]);
    let codes = codes(&r["f-1-bis.xml"]);
    assert!(
        codes.iter().any(|c| c == "same_number_not_sent"),
        "{codes:?}"
    );
    assert_eq!(procs::count(&home, "SELECT count(*) FROM documents"), 2);
}

/// A CII invoice padded with a comment to `size` bytes.
fn padded_cii(size: usize) -> Vec<u8> {
    let mut x = cii(3);
    // The comment's markup is nine bytes.
    let room = size.saturating_sub(x.len() + 9);
    x.extend_from_slice(b"\n<!--");
    x.extend(std::iter::repeat_n(b'x', room));
    x.extend_from_slice(b"-->\n");
    x
}

#[test]
fn hostile_xml_is_a_finding_never_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("hostile");
    // Billion laughs: nine levels of ten references each.
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{prev};").repeat(10);
        laughs.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    laughs.push_str(
        "]>\n<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"><rsm:ExchangedDocument><ram:ID xmlns:ram=\"x\">&lol9;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>",
    );
    write(&dir, "laughs.xml", laughs.as_bytes());
    // An external entity pointing at a local file: never read.
    write(
        &dir,
        "xxe.xml",
        br#"<?xml version="1.0"?><!DOCTYPE i [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></Invoice>"#,
    );
    // 10 MB, under the reader's bound: read.
    write(&dir, "big.xml", &padded_cii(10 * 1000 * 1000));
    // Past the bound (16 MiB): refused before parsing.
    write(&dir, "huge.xml", &padded_cii(17 * 1024 * 1024));
    // 10,000 levels deep.
    let mut deep =
        String::from("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">");
    deep.push_str(&"<a>".repeat(10_000));
    deep.push_str(&"</a>".repeat(10_000));
    deep.push_str("</Invoice>");
    write(&dir, "deep.xml", deep.as_bytes());
    // Not even well-formed.
    write(&dir, "cut.xml", &cii(4)[..600]);

    let reports = check(&home, &[&dir]);
    assert_eq!(reports.len(), 6, "{:?}", reports.keys());
    for name in ["laughs.xml", "xxe.xml", "huge.xml", "deep.xml", "cut.xml"] {
        let r = &reports[name];
        assert_eq!(r["verdict"], "rejected", "{name}: {r}");
        assert_eq!(r["xml"], true, "{name}");
        assert_eq!(codes(r), ["structured_invalid"], "{name}");
        assert!(r["facts"].as_object().unwrap().is_empty(), "{name}: {r}");
    }
    let detail = |name: &str| {
        reports[name]["findings"][0]["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        detail("huge.xml").contains("larger than"),
        "{}",
        detail("huge.xml")
    );
    assert!(
        detail("deep.xml").contains("deeper than"),
        "{}",
        detail("deep.xml")
    );
    // Nothing of the local file came in.
    let all = serde_json::to_string(&reports).unwrap();
    assert!(
        !all.contains("root:"),
        "a local file leaked into the report"
    );

    let big = &reports["big.xml"];
    assert_eq!(big["verdict"], "accepted", "{}", codes(big).join(","));
    assert_eq!(fact(big, "invoice_number"), Some("F-2026-0003"));
    assert_eq!(big["size_bytes"], 10_000_000);
}

struct NoSecrets;

impl SecretStore for NoSecrets {
    fn set(&self, a: &str, f: &str, _: &str) -> Result<(), AccountError> {
        panic!("no secret expected for {a}/{f}")
    }
    fn get(&self, _: &str, _: &str) -> Result<Option<String>, AccountError> {
        Ok(None)
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
}

fn add_account(s: &mut Store, name: &str, kind: Kind, settings: &[(&str, &str)]) {
    let settings: BTreeMap<String, String> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    accounts::add(s, &NoSecrets, name, kind, &settings, &[], 1).unwrap();
}

fn by_siren(siren: &str) -> Facts {
    let mut f = Facts::default();
    f.insert(FactKey::InvoiceNumber, "F-1", FactSource::Xml);
    f.insert(FactKey::BuyerSiren, siren, FactSource::Xml);
    f
}

#[test]
fn routing_holds_an_xml_invoice_for_every_channel_but_a_plateforme() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Store::open(&tmp.path().join("facteur.db")).unwrap();
    // While the directory is empty, an XML goes to the demonstration
    // plateforme (the demonstration portal takes PDF only); a PDF still
    // goes to the demonstration portal.
    let empty = route::route_form(&s, &by_siren("552100554"), Form::Xml, None).unwrap();
    assert_eq!(
        empty.decision.target().unwrap().account,
        accounts::SANDBOX_PA_ACCOUNT
    );
    let pdf = route::route_form(&s, &by_siren("552100554"), Form::Pdf, None).unwrap();
    assert_eq!(
        pdf.decision.target().unwrap().account,
        accounts::SANDBOX_ACCOUNT
    );
    // A default account that takes PDF only holds it.
    let held = route::route_form(&s, &by_siren("552100554"), Form::Xml, Some("sandbox")).unwrap();
    let Decision::Held { why } = &held.decision else {
        panic!("{held:?}")
    };
    assert!(why.fr.contains("ne prend que des PDF"), "{}", why.fr);

    add_account(
        &mut s,
        "cpp",
        Kind::ChorusPro,
        &[("environment", "sandbox")],
    );
    add_account(
        &mut s,
        "generix",
        Kind::MailDeposit,
        &[
            ("smtp_host", "127.0.0.1"),
            ("smtp_user", "u"),
            ("from", "f@x.fr"),
            ("to", "depot@portail.fr"),
        ],
    );
    add_account(
        &mut s,
        "papier",
        Kind::Print,
        &[("folder", tmp.path().join("print").to_str().unwrap())],
    );
    let customers = [
        ("Mairie", "552100554", Reach::Account("cpp".into())),
        ("Grossiste", "732829320", Reach::Account("generix".into())),
        ("Papeterie", "443061841", Reach::Print),
        (
            "Plateforme",
            "542051180",
            Reach::Account(accounts::SANDBOX_PA_ACCOUNT.into()),
        ),
    ];
    for (name, siren, reach) in customers.clone() {
        directory::add(
            &mut s,
            CustomerData {
                name: name.into(),
                siren: Some(siren.into()),
                reach: Some(reach),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    }
    directory::set_setting(&mut s, directory::PRINT_ACCOUNT, Some("papier")).unwrap();
    for (name, siren, want) in [
        ("Mairie", "552100554", "pas de XML seul"),
        ("Grossiste", "732829320", "ne prend que des PDF"),
        ("Papeterie", "443061841", "ne s'imprime pas"),
    ] {
        let facts = by_siren(siren);
        // The same invoice as a PDF goes.
        let as_pdf = route::route_form(&s, &facts, Form::Pdf, None).unwrap();
        assert!(as_pdf.decision.target().is_some(), "{name}: {as_pdf:?}");
        let r = route::route_form(&s, &facts, Form::Xml, None).unwrap();
        let Decision::Held { why } = &r.decision else {
            panic!("{name}: {r:?}")
        };
        assert!(why.fr.contains(want), "{name}: {}", why.fr);
        assert!(why.fr.contains("fichier XML"), "{name}: {}", why.fr);
        assert!(why.en.contains("It is held"), "{name}: {}", why.en);
    }
    let r = route::route_form(&s, &by_siren("542051180"), Form::Xml, None).unwrap();
    assert_eq!(
        r.decision.target().unwrap().account,
        accounts::SANDBOX_PA_ACCOUNT,
        "{r:?}"
    );
}

#[test]
fn submitting_an_xml_to_the_demonstration_portal_holds_it_and_sends_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let file = write(&tmp.path().join("in"), "f-5.xml", &cii(5));
    // An address where nothing listens: holding it must not need one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", &home)
        .env("LC_ALL", "fr_FR.UTF-8")
        .env("FACTEUR_SANDBOX_URL", format!("http://127.0.0.1:{port}"))
        .args(["submit", "--to", "sandbox"])
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("ne prend que des PDF"), "{text}");
    assert_eq!(procs::count(&home, "SELECT count(*) FROM submissions"), 0);
    assert_eq!(
        procs::rows(&home, "SELECT number FROM invoices"),
        ["F-2026-0005"]
    );
}

#[test]
fn a_watched_folder_sends_cii_and_ubl_to_the_plateforme_as_their_own_syntax() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pa = rt.block_on(FaultyPa::start(Options::default()));
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    // One present before the start, the others arriving while watched.
    write(&dir, "F-2026-0011.xml", &cii(11));
    let url = pa.url();
    let w = procs::watch(
        &home,
        &[
            dir.to_str().unwrap(),
            "--settle",
            "1",
            "--to",
            accounts::SANDBOX_PA_ACCOUNT,
        ],
        &[("FACTEUR_PA_SANDBOX_URL", url.as_str())],
    );
    // A plateforme only ever gets e-invoices the official rules accept: a
    // French UBL built to pass them (the generated conformance sample).
    write(&dir, "UBL-0012.xml", &ubl_valid("UBL-2026-0012"));
    write(
        &dir,
        "F-2026-0013.pdf",
        &invoice_pdf(&SampleInvoice::example(13), true),
    );
    let by_syntax = || {
        pa.with(|p| p.received_by_syntax())
            .into_iter()
            .collect::<Vec<_>>()
    };
    procs::wait_for("three flows at the plateforme", 120, || {
        by_syntax().iter().map(|(_, n)| n).sum::<usize>() >= 3
    });
    procs::wait_for("three invoices sent", 60, || {
        procs::count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
        ) == 3
    });
    let (_, stdout, stderr) = w.stop();
    // Each outbox copy says what it holds.
    let mut copies: Vec<String> = procs::rows(&home, "SELECT payload FROM submissions")
        .iter()
        .map(|p| p.rsplit('.').next().unwrap().to_string())
        .collect();
    copies.sort();
    assert_eq!(copies, ["pdf", "xml", "xml"]);
    assert_eq!(
        by_syntax(),
        [
            ("CII".to_string(), 1),
            ("Factur-X".to_string(), 1),
            ("UBL".to_string(), 1)
        ],
        "{stdout}{stderr}"
    );
    pa.with(|p| {
        for f in p.invoices() {
            let (name, content_type) = match f.syntax.as_str() {
                "CII" => ("F-2026-0011.xml", "application/xml"),
                "UBL" => ("UBL-0012.xml", "application/xml"),
                _ => ("F-2026-0013.pdf", "application/pdf"),
            };
            assert_eq!(f.name, name);
            assert_eq!(f.file_name, name);
            assert_eq!(f.file_type, content_type, "{}", f.syntax);
            assert_eq!(f.ack, "Ok", "{}: {:?}", f.syntax, f.details);
            // The very bytes of the file, read back as the plateforme took them.
            assert_eq!(f.file, std::fs::read(dir.join(name)).unwrap());
        }
        let numbers: Vec<_> = p
            .invoices()
            .map(|f| f.invoice_number.clone().unwrap_or_default())
            .collect();
        assert!(numbers.contains(&"F-2026-0011".to_string()), "{numbers:?}");
        assert!(
            numbers.contains(&"UBL-2026-0012".to_string()),
            "{numbers:?}"
        );
    });
}
