//! `facteur company` as an owner runs it: the profile set flag by flag and
//! kept, shown in both languages and as JSON, a wrong identifier refused in
//! French then English with nothing changed, and the JSON read back.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn facteur(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(args)
        .current_dir(dir)
        .env("FACTEUR_HOME", dir.join("home"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn ok(args: &[&str], dir: &Path) -> Output {
    let o = facteur(args, dir);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    o
}

fn shown(dir: &Path) -> Value {
    serde_json::from_str(&stdout(&ok(&["company", "show", "--json"], dir))).unwrap()
}

const FULL: &[&str] = &[
    "company",
    "set",
    "--name",
    "  Atelier   Lumière ",
    "--siret",
    "732 829 320 00074",
    "--vat",
    "fr44 732829320",
    "--street",
    "12 rue des Lilas",
    "--postcode",
    "75011",
    "--city",
    "Paris",
    "--country",
    "fr",
    "--iban",
    "FR76 3000 6000 0112 3456 7890 189",
    "--bic",
    "agrifrpp",
    "--payment-means",
    "58",
    "--payment-terms",
    "30 jours fin de mois",
    "--payment-days",
    "30",
    "--vat-on-debits",
    "true",
    "--operations",
    "services",
    "--franchise",
    "false",
    "--contact-name",
    "Claire Martin",
    "--contact-phone",
    "01 23 45 67 89",
    "--contact-email",
    "claire@atelier.example",
    "--e-address",
    "732829320_FACTURES",
];

#[test]
fn set_keeps_the_normalised_profile_and_only_the_values_given_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Nothing yet: said, and JSON null.
    let o = ok(&["company", "show", "--lang", "fr"], d);
    assert!(
        stdout(&o).contains("n'est pas encore remplie"),
        "{}",
        stdout(&o)
    );
    assert_eq!(shown(d), Value::Null);

    let o = ok(FULL, d);
    assert!(
        stdout(&o).contains("enregistrée"),
        "{}: the saved profile is confirmed",
        stdout(&o)
    );
    let c = shown(d);
    assert_eq!(c["name"], "Atelier Lumière");
    assert_eq!(c["siret"], "73282932000074");
    assert_eq!(c["siren"], "732829320", "the SIREN from the SIRET");
    assert_eq!(c["vat"], "FR44732829320");
    assert_eq!(c["iban"], "FR7630006000011234567890189");
    assert_eq!(c["bic"], "AGRIFRPP");
    assert_eq!(c["country"], "FR");
    assert_eq!(c["payment_days"], 30);
    assert_eq!(c["vat_on_debits"], true);
    assert_eq!(c["vat_franchise"], false);
    assert_eq!(c["operations"], "services");
    assert_eq!(c["contact_email"], "claire@atelier.example");

    // One value changes; every other is kept; an empty one clears.
    ok(
        &[
            "company",
            "set",
            "--city",
            "Lyon",
            "--operations",
            "both",
            "--contact-phone",
            "",
        ],
        d,
    );
    let after = shown(d);
    let mut expected = c.clone();
    expected["city"] = "Lyon".into();
    expected["operations"] = "both".into();
    expected["contact_phone"] = Value::Null;
    assert_eq!(after, expected);

    // The text form, in each language.
    let fr = stdout(&ok(&["company", "show", "--lang", "fr"], d));
    assert!(
        fr.contains("Adresse\u{a0}: 12 rue des Lilas, 75011, Lyon"),
        "{fr}"
    );
    assert!(fr.contains("Virement SEPA (58)"), "{fr}");
    assert!(fr.contains("TVA sur les débits\u{a0}: oui"), "{fr}");
    assert!(fr.contains("Opérations\u{a0}: biens et services"), "{fr}");
    let en = stdout(&ok(&["company", "show", "--lang", "en"], d));
    assert!(
        en.contains("Payment means: SEPA credit transfer (58)"),
        "{en}"
    );
    assert!(en.contains("VAT franchise: no"), "{en}");
}

#[test]
fn a_wrong_siren_is_refused_in_french_then_english_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(FULL, d);
    let before = shown(d);
    let o = facteur(
        &[
            "company",
            "set",
            "--siren",
            "732829321",
            "--country",
            "France",
            "--city",
            "Marseille",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let fr = err
        .find("SIREN «\u{a0}732829321\u{a0}»\u{a0}: numéro incorrect")
        .unwrap_or_else(|| panic!("French SIREN problem missing: {err}"));
    let en = err
        .find("SIREN \"732829321\": wrong check digit")
        .unwrap_or_else(|| panic!("English SIREN problem missing: {err}"));
    assert!(fr < en, "French first: {err}");
    // Every problem is said, not only the first.
    assert!(err.contains("country \"FRANCE\""), "{err}");
    // Nothing was kept, not even the good city.
    assert_eq!(shown(d), before);
    // A franchise with the option on debits: refused too.
    let o = facteur(&["company", "set", "--franchise", "true"], d);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("franchise"), "{}", stderr(&o));
    assert_eq!(shown(d), before);
    // A usage mistake is not a refusal.
    let o = facteur(&["company", "set", "--operations", "food"], d);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(shown(d), before);
}

#[test]
fn the_json_shown_is_read_back_by_set_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(FULL, d);
    let first = shown(d);
    let file = d.join("company.json");
    std::fs::write(&file, serde_json::to_string_pretty(&first).unwrap()).unwrap();
    ok(&["company", "set", "--data", "company.json"], d);
    assert_eq!(shown(d), first, "the same profile, read back unchanged");

    // Edited in the file, with an option winning over the file.
    let mut edited = first.clone();
    edited["payment_terms"] = "À réception".into();
    edited["bic"] = "bnpafrpp".into();
    std::fs::write(&file, serde_json::to_string(&edited).unwrap()).unwrap();
    ok(
        &[
            "company",
            "set",
            "--data",
            "company.json",
            "--payment-days",
            "0",
        ],
        d,
    );
    let now = shown(d);
    assert_eq!(now["payment_terms"], "À réception");
    assert_eq!(now["bic"], "BNPAFRPP", "normalised as when typed");
    assert_eq!(now["payment_days"], 0);
    assert_eq!(now["siret"], first["siret"]);

    // A file that is not a profile: an error, nothing changed.
    std::fs::write(&file, "{\"name\": 12}").unwrap();
    let o = facteur(&["company", "set", "--data", "company.json"], d);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(shown(d), now);
}
