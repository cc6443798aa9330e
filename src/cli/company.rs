//! `facteur company show` and `facteur company set`: « Mon entreprise », the
//! seller's own data that completes every Factur-X made from a plain PDF, as
//! an owner keeps it from a terminal. Only the values given change; a
//! refused profile is said problem by problem, in French then in English,
//! and nothing is written.
//!
//! Deliberately not here: validating or storing the profile
//! (`facteur::make::company` does both), making invoices.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::make::company::{self, Company, CompanyError, Operations, PAYMENT_MEANS};

use super::{open, say};

/// The values `facteur company set` was given; `None` keeps the stored one,
/// an empty text clears it.
#[derive(Default)]
pub struct Changes {
    /// A whole profile as `company show --json` prints it (`-`: standard
    /// input), laid under the other values.
    pub data: Option<PathBuf>,
    pub name: Option<String>,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub e_address: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub payment_means: Option<String>,
    pub payment_terms: Option<String>,
    pub payment_days: Option<u32>,
    pub vat_on_debits: Option<bool>,
    pub operations: Option<String>,
    pub franchise: Option<bool>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub note_pmd: Option<String>,
    pub note_pmt: Option<String>,
    pub note_aab: Option<String>,
}

/// `goods`, `services`, `both` (or their French names).
pub fn parse_operations(s: &str) -> anyhow::Result<Option<Operations>> {
    Ok(
        match facteur::check::text::fold(s)
            .trim()
            .replace(' ', "-")
            .as_str()
        {
            "goods" | "biens" => Some(Operations::Goods),
            "services" => Some(Operations::Services),
            "both" | "les-deux" | "mixte" => Some(Operations::Both),
            "" | "-" => None,
            other => anyhow::bail!(
                "--operations « {other} » : goods, services ou both / goods, services or both"
            ),
        },
    )
}

fn text(v: Option<String>, into: &mut Option<String>) {
    if let Some(v) = v {
        *into = Some(v);
    }
}

impl Changes {
    fn apply(self, c: &mut Company) -> anyhow::Result<()> {
        if let Some(n) = self.name {
            c.name = n;
        }
        text(self.siren, &mut c.siren);
        text(self.siret, &mut c.siret);
        text(self.vat, &mut c.vat);
        text(self.street, &mut c.street);
        text(self.postcode, &mut c.postcode);
        text(self.city, &mut c.city);
        text(self.country, &mut c.country);
        text(self.e_address, &mut c.e_address);
        text(self.iban, &mut c.iban);
        text(self.bic, &mut c.bic);
        text(self.payment_means, &mut c.payment_means);
        text(self.payment_terms, &mut c.payment_terms);
        text(self.contact_name, &mut c.contact_name);
        text(self.contact_phone, &mut c.contact_phone);
        text(self.contact_email, &mut c.contact_email);
        text(self.note_pmd, &mut c.note_pmd);
        text(self.note_pmt, &mut c.note_pmt);
        text(self.note_aab, &mut c.note_aab);
        if let Some(d) = self.payment_days {
            c.payment_days = Some(d);
        }
        if let Some(b) = self.vat_on_debits {
            c.vat_on_debits = b;
        }
        if let Some(b) = self.franchise {
            c.vat_franchise = b;
        }
        if let Some(o) = self.operations {
            c.operations = parse_operations(&o)?;
        }
        Ok(())
    }
}

fn read_data(path: &std::path::Path) -> anyhow::Result<Company> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a profile as `facteur company show --json` prints it",
            path.display()
        )
    })
}

/// `facteur company set …`: the stored profile (or the file given) with
/// the values given, checked, then kept. 1 when refused.
pub fn set(changes: Changes, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let mut c = match &changes.data {
        Some(path) => read_data(path)?,
        None => company::load(&db)?.unwrap_or_default(),
    };
    changes.apply(&mut c)?;
    match company::save(&mut db, c) {
        Ok(kept) => {
            println!(
                "{}",
                say(
                    lang,
                    "« Mon entreprise » enregistrée :",
                    "\"My company\" saved:"
                )
            );
            print!("{}", describe(&kept, lang));
            Ok(ExitCode::SUCCESS)
        }
        Err(CompanyError::Invalid(problems)) => {
            eprintln!(
                "facteur: « Mon entreprise » n'est pas enregistrée / \"My company\" is not saved:"
            );
            for p in &problems {
                eprintln!("  — {}", p.fr);
                eprintln!("    {}", p.en);
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// `facteur company show [--json]`.
pub fn show(json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let c = company::load(&db)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(ExitCode::SUCCESS);
    }
    match c {
        Some(c) => print!("{}", describe(&c, lang)),
        None => println!(
            "{}",
            say(
                lang,
                "« Mon entreprise » n'est pas encore remplie : facteur company set --name … --siret … --vat …",
                "\"My company\" is not filled in yet: facteur company set --name … --siret … --vat …",
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The profile as labelled lines, the empty values left out.
pub fn describe(c: &Company, lang: Lang) -> String {
    let yes_no = |b: bool| match (b, lang) {
        (true, Lang::Fr) => "oui",
        (false, Lang::Fr) => "non",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    };
    let means = c.payment_means.as_deref().map(|code| {
        PAYMENT_MEANS
            .iter()
            .find(|(k, _, _)| *k == code)
            .map(|(k, fr, en)| match lang {
                Lang::Fr => format!("{fr} ({k})"),
                Lang::En => format!("{en} ({k})"),
            })
            .unwrap_or_else(|| code.to_string())
    });
    let operations = c.operations.map(|o| {
        match (o, lang) {
            (Operations::Goods, Lang::Fr) => "biens",
            (Operations::Goods, Lang::En) => "goods",
            (Operations::Services, _) => "services",
            (Operations::Both, Lang::Fr) => "biens et services",
            (Operations::Both, Lang::En) => "goods and services",
        }
        .to_string()
    });
    let address = [
        c.street.as_deref(),
        c.postcode.as_deref(),
        c.city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let rows: [(&str, &str, Option<String>); 21] = [
        ("Nom", "Name", Some(c.name.clone())),
        ("SIREN", "SIREN", c.siren.clone()),
        ("SIRET", "SIRET", c.siret.clone()),
        ("N° de TVA", "VAT number", c.vat.clone()),
        (
            "Adresse",
            "Address",
            Some(address).filter(|a| !a.is_empty()),
        ),
        ("Pays", "Country", c.country.clone()),
        (
            "Adresse électronique",
            "Electronic address",
            c.e_address.clone(),
        ),
        ("IBAN", "IBAN", c.iban.clone()),
        ("BIC", "BIC", c.bic.clone()),
        ("Moyen de paiement", "Payment means", means),
        (
            "Conditions de paiement",
            "Payment terms",
            c.payment_terms.clone(),
        ),
        (
            "Échéance (jours)",
            "Due in (days)",
            c.payment_days.map(|d| d.to_string()),
        ),
        ("Opérations", "Operations", operations),
        (
            "TVA sur les débits",
            "VAT on debits",
            Some(yes_no(c.vat_on_debits).to_string()),
        ),
        (
            "Franchise en base de TVA",
            "VAT franchise",
            Some(yes_no(c.vat_franchise).to_string()),
        ),
        ("Contact", "Contact", c.contact_name.clone()),
        ("Téléphone", "Phone", c.contact_phone.clone()),
        ("E-mail", "E-mail", c.contact_email.clone()),
        ("Pénalités de retard", "Late penalties", c.note_pmd.clone()),
        (
            "Indemnité de recouvrement",
            "Recovery indemnity",
            c.note_pmt.clone(),
        ),
        ("Escompte", "Early payment", c.note_aab.clone()),
    ];
    let mut out = String::new();
    for (fr, en, v) in rows {
        let Some(v) = v else { continue };
        out.push_str(&say(
            lang,
            &format!("  {fr} : {v}\n"),
            &format!("  {en}: {v}\n"),
        ));
    }
    out
}
