//! Routing against a customer directory in a real SQLite file: every
//! priority level, the fallbacks, conflicts, placeholders, wrong check
//! digits, Chorus Pro requirements; CSV import with bad lines (nothing half
//! imported), export and re-import; and `facteur route` / `facteur
//! customers` as a user runs them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use facteur::check::facts::{FactKey, FactSource, Facts};
use facteur::mirror::store::Store;
use facteur::send::accounts::{self, AccountError, Kind, SecretStore};
use facteur::send::directory::{self, CustomerData, Level, Reach};
use facteur::send::route::{self, Decision, Via};

/// Accounts without secrets (email from a loopback server, print, sandbox)
/// need no keyring: this one refuses any secret, so a test that needed one
/// would fail loudly.
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

fn store(dir: &Path) -> Store {
    Store::open(&dir.join("facteur.db")).unwrap()
}

fn account(s: &mut Store, name: &str, kind: Kind, settings: &[(&str, &str)]) {
    let settings: BTreeMap<String, String> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    accounts::add(s, &NoSecrets, name, kind, &settings, &[], 1).unwrap();
}

fn customer(s: &mut Store, name: &str, reach: Reach, f: impl FnOnce(&mut CustomerData)) -> i64 {
    let mut d = CustomerData {
        name: name.into(),
        reach: Some(reach),
        ..Default::default()
    };
    f(&mut d);
    directory::add(s, d, 1).unwrap()
}

fn facts(pairs: &[(FactKey, &str)]) -> Facts {
    let mut f = Facts::default();
    f.insert(FactKey::InvoiceNumber, "F-1", FactSource::Xml);
    for (k, v) in pairs {
        f.insert(*k, *v, FactSource::Xml);
    }
    f
}

fn sent_to(d: &Decision) -> (String, Option<String>, Via, Option<Level>) {
    match d {
        Decision::Send {
            target, customer, ..
        } => (
            target.account.clone(),
            target.recipient.clone(),
            target.via,
            customer.as_ref().map(|m| m.level),
        ),
        other => panic!("not sent: {other:?}"),
    }
}

// Valid identifiers (check digits computed as `ident` does).
const SIRET_A: &str = "55210055400013";
const SIREN_A: &str = "552100554";
const SIRET_B: &str = "73282932000074";
const GLN_C: &str = "3012345678902";
const IBAN_D: &str = "FR7630006000011234567890189";
const VAT_E: &str = "FR44732829320";
const OVT_F: &str = "003707375462";

/// Seven customers, one per level, each on its own account.
fn directory_of_seven(s: &mut Store) {
    for n in ["a", "b", "c", "d", "e", "f", "g"] {
        account(s, n, Kind::Sandbox, &[("url", "http://127.0.0.1:9")]);
    }
    customer(s, "Num", Reach::Account("a".into()), |d| {
        d.customer_number = Some("C-0042".into())
    });
    customer(s, "Addr", Reach::Account("b".into()), |d| {
        d.electronic_address = Some("0225:552100554_ACHATS".into())
    });
    customer(s, "Ovt", Reach::Account("c".into()), |d| {
        d.ovt = Some(OVT_F.into())
    });
    customer(s, "Iban", Reach::Account("d".into()), |d| {
        d.iban = Some(IBAN_D.into())
    });
    customer(s, "Gln", Reach::Account("e".into()), |d| {
        d.gln = Some(GLN_C.into())
    });
    customer(s, "Org", Reach::Account("f".into()), |d| {
        d.siret = Some(SIRET_B.into())
    });
    customer(s, "Vat", Reach::Account("g".into()), |d| {
        d.vat = Some(VAT_E.into())
    });
}

#[test]
fn each_priority_level_finds_its_customer_and_says_which_identifier_matched() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    directory_of_seven(&mut s);
    let cases: &[(FactKey, &str, &str, Level)] = &[
        (
            FactKey::BuyerCustomerNumber,
            "c-0042",
            "a",
            Level::CustomerNumber,
        ),
        (
            FactKey::BuyerElectronicAddress,
            "0225:552100554_achats",
            "b",
            Level::ElectronicAddress,
        ),
        (FactKey::BuyerOvt, "0037 0737546-2", "c", Level::Ovt),
        (
            FactKey::BuyerIban,
            "FR76 3000 6000 0112 3456 7890 189",
            "d",
            Level::Iban,
        ),
        (FactKey::BuyerGln, GLN_C, "e", Level::Gln),
        (
            FactKey::BuyerSiret,
            "732 829 320 00074",
            "f",
            Level::Organisation,
        ),
        (FactKey::BuyerVat, "FR 44 732829320", "g", Level::Vat),
    ];
    for (key, value, account, level) in cases {
        let r = route::route(&s, &facts(&[(*key, value)]), None).unwrap();
        let (acc, recipient, via, matched) = sent_to(&r.decision);
        assert_eq!(&acc, account, "{key:?}");
        assert_eq!((recipient, via, matched), (None, Via::Portal, Some(*level)));
        let why = &r.decision.why().en;
        assert!(
            why.contains(&format!(
                "matched on {}",
                level.label(facteur::check::finding::Lang::En)
            )),
            "{why}"
        );
    }
}

#[test]
fn the_first_level_decides_when_both_name_the_same_customer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    customer(&mut s, "Épi d'Or", Reach::Account("sandbox".into()), |d| {
        d.customer_number = Some("C-7".into());
        d.siret = Some(SIRET_A.into());
        d.vat = Some("FR96552100554".into());
    });
    let r = route::route(
        &s,
        &facts(&[
            (FactKey::BuyerVat, "FR96552100554"),
            (FactKey::BuyerSiret, SIRET_A),
            (FactKey::BuyerCustomerNumber, "C-7"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(sent_to(&r.decision).3, Some(Level::CustomerNumber));
    assert_eq!(r.matches.len(), 3, "every identifier is reported");
    // The SIREN alone finds the company too.
    let r = route::route(&s, &facts(&[(FactKey::BuyerSiren, SIREN_A)]), None).unwrap();
    assert_eq!(sent_to(&r.decision).3, Some(Level::Organisation));
}

#[test]
fn identifiers_pointing_to_different_customers_hold_the_invoice() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    directory_of_seven(&mut s);
    // The GLN names "Gln", the SIRET names "Org": never guess.
    let r = route::route(
        &s,
        &facts(&[(FactKey::BuyerGln, GLN_C), (FactKey::BuyerSiret, SIRET_B)]),
        None,
    )
    .unwrap();
    let Decision::Held { why } = &r.decision else {
        panic!("{:?}", r.decision)
    };
    assert!(why.en.contains("different customers"), "{}", why.en);
    assert!(
        why.en.contains("Gln") && why.en.contains("Org"),
        "{}",
        why.en
    );
    assert!(why.fr.contains("clients différents"), "{}", why.fr);
    assert!(r.decision.target().is_none());
}

#[test]
fn a_siren_shared_by_two_establishments_is_not_enough() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    customer(&mut s, "Siège", Reach::Account("sandbox".into()), |d| {
        d.siret = Some(SIRET_A.into())
    });
    customer(&mut s, "Agence", Reach::Print, |d| {
        d.siret = Some("55210055400021".into())
    });
    let r = route::route(&s, &facts(&[(FactKey::BuyerSiren, SIREN_A)]), None).unwrap();
    assert!(
        matches!(r.decision, Decision::Held { .. }),
        "{:?}",
        r.decision
    );
    // Its SIRET picks one.
    let r = route::route(
        &s,
        &facts(&[
            (FactKey::BuyerSiren, SIREN_A),
            (FactKey::BuyerSiret, SIRET_A),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(sent_to(&r.decision).0, "sandbox");
}

#[test]
fn placeholders_and_wrong_check_digits_are_never_used() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    directory_of_seven(&mut s);
    // A GLN one digit off from customer "Gln", a placeholder customer
    // number, a VAT of filler: only the valid SIRET counts.
    let r = route::route(
        &s,
        &facts(&[
            (FactKey::BuyerCustomerNumber, "N/A"),
            (FactKey::BuyerGln, "3012345678901"),
            (FactKey::BuyerSiret, SIRET_B),
            (FactKey::BuyerVat, "FRXX999999999"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(sent_to(&r.decision).0, "f");
    let ignored: Vec<&str> = r
        .candidates
        .iter()
        .filter_map(|c| c.ignored.as_ref().map(|m| m.en.as_str()))
        .collect();
    assert_eq!(ignored.len(), 3, "{ignored:?}");
    assert!(
        ignored
            .iter()
            .any(|m| m.contains("GLN") && m.contains("wrong check digit"))
    );
    assert!(
        ignored
            .iter()
            .any(|m| m.contains("customer number") && m.contains("placeholder"))
    );
    // A placeholder alone matches nobody, even a customer stored with it:
    // the directory refuses to store one in the first place.
    let e = directory::add(
        &mut s,
        CustomerData {
            name: "Bad".into(),
            customer_number: Some("N/A".into()),
            reach: Some(Reach::Print),
            ..Default::default()
        },
        1,
    )
    .unwrap_err();
    assert!(e.to_string().contains("placeholder"), "{e}");
}

#[test]
fn fallbacks_email_then_print_then_undeliverable() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    account(
        &mut s,
        "mailer",
        Kind::Email,
        &[
            ("smtp_host", "127.0.0.1"),
            ("smtp_user", "u"),
            ("from", "f@x.fr"),
        ],
    );
    let print_dir = tmp.path().join("à poster");
    account(
        &mut s,
        "papier",
        Kind::Print,
        &[("folder", print_dir.to_str().unwrap())],
    );
    customer(
        &mut s,
        "Mail only",
        Reach::Email("compta@client.fr".into()),
        |d| d.gln = Some(GLN_C.into()),
    );
    customer(&mut s, "Paper", Reach::Print, |d| {
        d.siret = Some(SIRET_B.into())
    });
    let by_gln = facts(&[(FactKey::BuyerGln, GLN_C)]);
    let by_siret = facts(&[(FactKey::BuyerSiret, SIRET_B)]);
    let nobody = facts(&[(FactKey::BuyerSiret, SIRET_A)]);

    // Nothing enabled: each stops, saying what is missing.
    for (f, want) in [
        (&by_gln, "sending by e-mail is not enabled"),
        (&by_siret, "printing is not enabled"),
        (
            &nobody,
            "no customer in the directory matches SIRET/SIREN 55210055400013",
        ),
    ] {
        let d = route::route(&s, f, None).unwrap().decision;
        let Decision::Undeliverable { why } = &d else {
            panic!("{d:?}")
        };
        assert!(why.en.contains(want), "{}", why.en);
    }

    // The e-mail fallback: the customer's own address.
    directory::set_setting(&mut s, directory::EMAIL_ACCOUNT, Some("mailer")).unwrap();
    let (acc, to, via, _) = sent_to(&route::route(&s, &by_gln, None).unwrap().decision);
    assert_eq!(
        (acc.as_str(), to.as_deref(), via),
        ("mailer", Some("compta@client.fr"), Via::Email)
    );
    // A fallback naming an account of the wrong kind is off.
    directory::set_setting(&mut s, directory::PRINT_ACCOUNT, Some("mailer")).unwrap();
    assert!(matches!(
        route::route(&s, &by_siret, None).unwrap().decision,
        Decision::Undeliverable { .. }
    ));
    // Paper: the customer who wants it, and whoever matched nobody.
    directory::set_setting(&mut s, directory::PRINT_ACCOUNT, Some("papier")).unwrap();
    for f in [&by_siret, &nobody] {
        let (acc, to, via, _) = sent_to(&route::route(&s, f, None).unwrap().decision);
        assert_eq!((acc.as_str(), to, via), ("papier", None, Via::Print));
    }
    let why = route::route(&s, &nobody, None)
        .unwrap()
        .decision
        .why()
        .en
        .clone();
    assert!(why.contains("paper fallback"), "{why}");
}

#[test]
fn an_empty_directory_keeps_the_default_account() {
    let tmp = tempfile::tempdir().unwrap();
    let s = store(tmp.path());
    let d = route::route(&s, &facts(&[(FactKey::BuyerSiret, SIRET_A)]), None)
        .unwrap()
        .decision;
    assert_eq!(sent_to(&d).0, "sandbox");
    assert_eq!(sent_to(&d).2, Via::Default);
    assert!(
        d.why()
            .fr
            .contains("partira vers le portail de démonstration")
            && d.why().fr.contains("faute de clients enregistrés")
            && !d.why().fr.contains("sandbox"),
        "{}",
        d.why().fr
    );
}

#[test]
fn chorus_pro_customers_requirements_hold_what_chorus_would_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    account(
        &mut s,
        "cpp",
        Kind::ChorusPro,
        &[("environment", "sandbox")],
    );
    customer(&mut s, "Mairie", Reach::Account("cpp".into()), |d| {
        d.siret = Some(SIRET_A.into());
        d.service_code = Some("SERVICE-ACHATS".into());
        d.engagement_required = true;
    });
    let d = route::route(&s, &facts(&[(FactKey::BuyerSiret, SIRET_A)]), None)
        .unwrap()
        .decision;
    assert!(
        matches!(&d, Decision::Held { why } if why.en.contains("service code SERVICE-ACHATS")),
        "{d:?}"
    );
    let d = route::route(
        &s,
        &facts(&[
            (FactKey::BuyerSiret, SIRET_A),
            (FactKey::BuyerReference, "service-achats"),
        ]),
        None,
    )
    .unwrap()
    .decision;
    assert!(
        matches!(&d, Decision::Held { why } if why.en.contains("engagement")),
        "{d:?}"
    );
    let d = route::route(
        &s,
        &facts(&[
            (FactKey::BuyerSiret, SIRET_A),
            (FactKey::BuyerReference, "SERVICE-ACHATS"),
            (FactKey::OrderReference, "EJ-2026-77"),
        ]),
        None,
    )
    .unwrap()
    .decision;
    assert_eq!(sent_to(&d).0, "cpp");
}

// ---------------------------------------------------------------------------
// CSV.

#[test]
fn a_csv_with_bad_lines_imports_nothing_and_names_each_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    let text = "Raison sociale;N° client;SIRET;GLN;TVA;Canal;E-mail;Notes\n\
                Boulangerie;C-1;55210055400013;;;sandbox;;ok\n\
                Traiteur;C-2;;3012345678900;;sandbox;;GLN faux\n\
                Fleuriste;C-3;;;N/A;courrier;;TVA bouche-trou\n\
                Doublon;C-4;552 100 554 00013;;;sandbox;;même SIRET que ligne 2\n\
                Inconnu;C-5;;;;nulle-part;;compte inconnu\n\
                Mail;C-6;;;;email;;sans adresse\n";
    let plan = directory::plan_import(&s, text, &BTreeMap::new()).unwrap();
    let bad: Vec<(usize, String)> = plan
        .lines
        .iter()
        .flat_map(|l| l.problems.iter().map(move |p| (l.line, p.en.clone())))
        .collect();
    assert_eq!(plan.bad_lines(), 5, "{bad:?}");
    let on = |line: usize, what: &str| bad.iter().any(|(l, m)| *l == line && m.contains(what));
    assert!(on(3, "wrong check digit"), "{bad:?}");
    assert!(on(4, "placeholder"), "{bad:?}");
    assert!(on(5, "already given on line 2"), "{bad:?}");
    assert!(on(6, "no account named \"nulle-part\""), "{bad:?}");
    assert!(on(7, "without an e-mail address"), "{bad:?}");
    // The mapping is shown before anything is written: "Notes" is ignored.
    let mapping = plan.mapping.describe(facteur::check::finding::Lang::Fr);
    assert!(
        mapping.contains(&"« Notes » → ignorée".to_string()),
        "{mapping:?}"
    );
    assert!(
        mapping.contains(&"« Raison sociale » → nom".to_string()),
        "{mapping:?}"
    );
    let e = directory::apply_import(&mut s, &plan, 1).unwrap_err();
    assert!(e.to_string().contains("nothing was imported"), "{e}");
    assert_eq!(directory::count(&s).unwrap(), 0, "nothing half-imported");

    // The fixed file goes in whole, then round-trips through export.
    let fixed = "Raison sociale;N° client;SIRET;GLN;Canal;E-mail\n\
                 Boulangerie;C-1;55210055400013;;sandbox;\n\
                 Traiteur;C-2;;3012345678902;sandbox;\n\
                 Mail;C-6;;;email;compta@mail.fr\n";
    let plan = directory::plan_import(&s, fixed, &BTreeMap::new()).unwrap();
    assert_eq!(directory::apply_import(&mut s, &plan, 1).unwrap(), (3, 0));
    let mut out = Vec::new();
    assert_eq!(directory::export_csv(&s, &mut out).unwrap(), 3);
    let exported = String::from_utf8(out).unwrap();
    let plan = directory::plan_import(&s, &exported, &BTreeMap::new()).unwrap();
    assert_eq!(plan.bad_lines(), 0, "{:?}", plan.lines);
    assert_eq!(directory::apply_import(&mut s, &plan, 2).unwrap(), (0, 3));
    let again: Vec<CustomerData> = directory::list(&s)
        .unwrap()
        .into_iter()
        .map(|c| c.data)
        .collect();
    assert_eq!(again.len(), 3);
    assert!(
        again
            .iter()
            .any(|d| d.reach == Some(Reach::Email("compta@mail.fr".into())))
    );
    assert!(again.iter().any(|d| d.gln.as_deref() == Some(GLN_C)));
}

// ---------------------------------------------------------------------------
// Through the binary.

fn facteur(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .env("FACTEUR_HOME", home)
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        plain(&out.stdout),
        plain(&out.stderr),
    )
}

/// Output with French typography's narrow spaces made plain, to compare.
fn plain(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace(['\u{a0}', '\u{202f}'], " ")
}

/// A Factur-X invoice whose buyer carries `extra` CII elements.
pub fn invoice_for(n: u32, extra: &str) -> Vec<u8> {
    invoice_to(n, "552100554", Some("55210055400013"), extra)
}

/// A Factur-X invoice to the buyer with this SIREN (and SIRET), whose buyer
/// carries `extra` CII elements too.
fn invoice_to(n: u32, siren: &str, siret: Option<&str>, extra: &str) -> Vec<u8> {
    let mut inv = facteur::demo::sample::SampleInvoice::example(n);
    inv.buyer_siren = siren.into();
    inv.buyer_siret = siret.map(str::to_string);
    let xml = String::from_utf8(facteur::demo::sample::facturx_xml(&inv)).unwrap();
    let xml = xml.replacen(
        "<ram:BuyerTradeParty>",
        &format!("<ram:BuyerTradeParty>{extra}"),
        1,
    );
    facteur::demo::sample::Build {
        invoices: vec![inv],
        facturx: Some(xml.into_bytes()),
        ..Default::default()
    }
    .to_bytes()
}

#[test]
fn route_explains_without_sending_and_customers_import_refuses_bad_files() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let csv = tmp.path().join("clients.csv");
    std::fs::write(
        &csv,
        "nom,gln,canal\nTraiteur,3012345678902,sandbox\nFleuriste,3012345678900,sandbox\n",
    )
    .unwrap();
    let (code, out, _) = facteur(&home, &["customers", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("ligne 3 : GLN « 3012345678900 » : numéro incorrect (un chiffre a sans doute été mal recopié)"),
        "{out}"
    );
    assert!(out.contains("rien n'a été importé"), "{out}");
    let (_, out, _) = facteur(&home, &["customers", "list"]);
    assert!(out.contains("annuaire des clients est vide"), "{out}");

    std::fs::write(&csv, "nom,gln,canal\nTraiteur,3012345678902,sandbox\n").unwrap();
    let (code, out, err) = facteur(&home, &["customers", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let pdf = tmp.path().join("f-9.pdf");
    std::fs::write(
        &pdf,
        invoice_for(
            9,
            r#"<ram:GlobalID schemeID="0088">3012345678902</ram:GlobalID>"#,
        ),
    )
    .unwrap();
    let (code, out, err) = facteur(&home, &["route", "--json", pdf.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["routing"]["decision"]["decision"], "send");
    assert_eq!(v["routing"]["decision"]["target"]["account"], "sandbox");
    assert_eq!(v["routing"]["decision"]["customer"]["level"], "gln");
    let (_, out, _) = facteur(&home, &["route", pdf.to_str().unwrap()]);
    assert!(
        out.contains("correspondance sur GLN 3012345678902 : Traiteur"),
        "{out}"
    );
    // Nothing was sent or even recorded.
    let (_, out, _) = facteur(&home, &["status", "--json"]);
    assert!(!out.contains("F-2026-0009"), "{out}");
}

// ---------------------------------------------------------------------------
// A month's folder for four customers on four channels.

#[path = "support/chorus_server.rs"]
mod chorus_server;
#[path = "support/keyring.rs"]
mod keyring;
#[path = "support/smtp.rs"]
mod smtp;

/// The invoice numbers the sandbox portal received, from its state file.
fn sandbox_received(state: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(state) else {
        return Vec::new();
    };
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut numbers: Vec<String> = state["received"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["deposit"]["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers
}

/// One folder, four invoices: a bakery on the sandbox portal (by its
/// customer number), a town hall on Chorus Pro (by SIRET), a caterer who
/// only takes e-mail (by GLN, through a real SMTP server) and a florist who
/// wants paper (by VAT number). `facteur submit` on the folder, with no
/// `--to`: each invoice arrives on its own channel, byte for byte, once; a
/// second run sends nothing.
#[test]
fn a_folder_for_four_customers_reaches_each_on_its_own_channel() {
    use mail_parser::{MessageParser, MimeHeaders};
    let (_rt, chorus) = chorus_server::ChorusServer::on_own_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let smtp = smtp::Smtp::start(tmp.path(), None);
    let sandbox_port = smtp::free_port();
    let dir = tmp.path().join("novembre");
    std::fs::create_dir_all(&dir).unwrap();
    let print_dir = tmp.path().join("à imprimer");
    // Four buyers, four companies (valid SIRENs none of the others shares).
    let invoices = [
        (1u32, "404833048", "<ram:ID>BOUL-001</ram:ID>"),
        (
            2,
            "552100554",
            r#"<ram:GlobalID schemeID="0009">55210055400021</ram:GlobalID>"#,
        ),
        (
            3,
            "380129866",
            r#"<ram:GlobalID schemeID="0088">3012345678902</ram:GlobalID>"#,
        ),
        (
            4,
            "823157417",
            r#"<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR91823157417</ram:ID></ram:SpecifiedTaxRegistration>"#,
        ),
    ];
    chorus.add_structure("55210055400021", false, false);
    let mut pdfs = Vec::new();
    for (n, siren, extra) in invoices {
        let pdf = invoice_to(n, siren, None, extra);
        std::fs::write(dir.join(format!("facture-{n}.pdf")), &pdf).unwrap();
        pdfs.push(pdf);
    }
    // Each customer is known by one identifier (the town hall's SIRET also
    // names its SIREN, which only its own invoice carries).
    let csv = tmp.path().join("clients.csv");
    std::fs::write(
        &csv,
        "nom;numero_client;siret;gln;tva;canal;email\n\
         Boulangerie L'Épi d'Or;BOUL-001;;;;demo;\n\
         Mairie de Lumière;;55210055400021;;;cpp;\n\
         Traiteur Dupont;;;3012345678902;;email;compta@traiteur.example\n\
         Fleuriste;;;;FR91823157417;courrier;\n",
    )
    .unwrap();
    let script = format!(
        r#"{chorus_account} >/dev/null
"$FACTEUR" account add demo --kind sandbox --set url=http://127.0.0.1:{sandbox_port} >/dev/null
printf '%s\n' '{smtp_pw}' | "$FACTEUR" account add mailer --kind email --set smtp_host=127.0.0.1 \
    --set smtp_port={smtp_port} --set smtp_tls=none --set smtp_user=boulangerie \
    --set from=factures@atelier.example --secret smtp_password --secret-stdin >/dev/null
"$FACTEUR" account add papier --kind print --set folder='{print_dir}' >/dev/null
"$FACTEUR" customers fallbacks --email mailer --print papier
"$FACTEUR" customers import '{csv}'
echo "--- route"
"$FACTEUR" route '{dir}'
echo "--- submit"
"$FACTEUR" submit '{dir}' || echo "submit exit $?"
echo "--- again"
"$FACTEUR" submit '{dir}' || echo "again exit $?"
echo "--- status"
"$FACTEUR" status --json"#,
        chorus_account = chorus.account_line("cpp"),
        smtp_pw = smtp::SMTP_PASSWORD,
        smtp_port = smtp.port,
        print_dir = print_dir.display(),
        csv = csv.display(),
        dir = dir.display(),
    );
    let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
    let out = keyring::in_keyring_session(
        tmp.path(),
        &script,
        &[
            ("FACTEUR_SANDBOX_URL", &sandbox_url),
            ("FACTEUR_LOG", "warn"),
        ],
    );
    let stdout = plain(&out.stdout);
    let stderr = plain(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let (_, rest) = stdout.split_once("--- route").unwrap();
    let (route, rest) = rest.split_once("--- submit").unwrap();
    let (first, rest) = rest.split_once("--- again").unwrap();
    let (again, status) = rest.split_once("--- status").unwrap();
    assert!(
        route.contains("numéro client BOUL-001 : Boulangerie"),
        "{route}"
    );
    assert!(
        route.contains("SIRET/SIREN 55210055400021 : Mairie de Lumière"),
        "{route}"
    );
    assert!(
        route.contains("par e-mail à compta@traiteur.example"),
        "{route}"
    );
    assert!(route.contains("à imprimer et poster"), "{route}");
    assert!(!first.contains("submit exit"), "{first}\n{stderr}");
    assert!(first.contains("4 envoyée(s)"), "{first}\n{stderr}");

    // 1. The sandbox portal holds the bakery's invoice, and only it.
    assert_eq!(
        sandbox_received(&tmp.path().join("home/sandbox.json")),
        ["F-2026-0001"]
    );
    // 2. Chorus Pro got the town hall's Factur-X, byte for byte.
    let flows = chorus.with(|p| p.flows.clone());
    assert_eq!(flows.len(), 1, "{first}");
    assert_eq!(flows[0].bytes, pdfs[1]);
    // 3. One mail, to the caterer, with the very PDF attached.
    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "{first}");
    assert!(
        mails[0].0.contains("compta@traiteur.example"),
        "{}",
        mails[0].0
    );
    let msg = MessageParser::default().parse(&mails[0].1).unwrap();
    let pdf_part = msg
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
        .expect("the invoice is attached");
    assert_eq!(pdf_part.contents(), &pdfs[2][..]);
    // 4. The florist's invoice waits in the print folder.
    let printed: Vec<_> = std::fs::read_dir(&print_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert_eq!(std::fs::read(&printed[0]).unwrap(), pdfs[3]);

    // A second run sends nothing anywhere.
    assert!(again.contains("0 envoyée(s)"), "{again}");
    assert_eq!(chorus.with(|p| p.flows.len()), 1);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(std::fs::read_dir(&print_dir).unwrap().count(), 1);
    assert_eq!(
        sandbox_received(&tmp.path().join("home/sandbox.json")),
        ["F-2026-0001"]
    );
    // The mirror says where each stands: mailed = issued, paper = to post.
    // One JSON object per invoice, one per line.
    let rows: Vec<serde_json::Value> = status
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let status_of = |n: &str| {
        rows.iter()
            .find(|r| r["number"] == n)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status_of("F-2026-0003"), "issued", "{status}");
    assert_eq!(status_of("F-2026-0004"), "to_post", "{status}");
    for n in ["F-2026-0001", "F-2026-0002"] {
        assert!(
            !["checked", "queued", "sending"].contains(&status_of(n).as_str()),
            "{n}: {status}"
        );
    }
    drop(chorus);
}

/// A plateforme agréée customer whose directory entry is disabled (the last
/// answer, cached with its date) is held with the directory's reason; an
/// enabled one goes.
#[test]
fn a_plateforme_customer_the_directory_cannot_reach_is_held() {
    use facteur::send::plateforme::{self, Recipient};
    let tmp = tempfile::tempdir().unwrap();
    let mut s = store(tmp.path());
    customer(
        &mut s,
        "Grossiste",
        Reach::Account("sandbox-pa".into()),
        |d| d.siret = Some(SIRET_A.into()),
    );
    let f = facts(&[
        (FactKey::BuyerSiret, SIRET_A),
        (FactKey::BuyerSiren, SIREN_A),
    ]);
    // No answer yet: nothing holds it.
    assert_eq!(
        sent_to(&route::route(&s, &f, None).unwrap().decision).0,
        "sandbox-pa"
    );
    let mut r = Recipient {
        siren: SIREN_A.into(),
        reach: plateforme::Reach::Disabled,
        address: Some("0225:552100554".into()),
        platform: Some("WK".into()),
        status_given: true,
        account: "sandbox-pa".into(),
        checked_ms: 1_796_000_000_000,
    };
    plateforme::remember(&mut s, &r).unwrap();
    let d = route::route(&s, &f, None).unwrap().decision;
    let Decision::Held { why } = &d else {
        panic!("{d:?}")
    };
    assert!(why.fr.contains("désactivée"), "{}", why.fr);
    r.reach = plateforme::Reach::Enabled;
    plateforme::remember(&mut s, &r).unwrap();
    assert_eq!(
        sent_to(&route::route(&s, &f, None).unwrap().decision).0,
        "sandbox-pa"
    );
}
