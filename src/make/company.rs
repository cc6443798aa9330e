//! « Mon entreprise »: the seller's own data, entered once and used to
//! complete every Factur-X made from a plain PDF (BG-4 seller, BG-16
//! payment, the French mandatory notes and mentions).
//!
//! Checked as it enters, as the customer directory checks its identifiers
//! (check digits, shapes, placeholders refused), and kept as one JSON value
//! in the store's plain settings under [`KEY`] — never a secret: an IBAN is
//! printed on every invoice.
//!
//! Deliberately not here: the customers (the directory,
//! [`crate::send::directory`]), drafting or writing an invoice
//! ([`super::draft`], [`super::cii`]).

use serde::{Deserialize, Serialize};

use crate::check::ident::{self, IdKind};
use crate::mirror::store::{Store, StoreError};
use crate::send::directory::{Msg, check_id};

/// The settings key the profile is kept under.
pub const KEY: &str = "company.profile";

/// What the seller's operations are, for BT-23 (the French « cadre de
/// facturation ») and the mandatory mention of the operation's nature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operations {
    /// Deliveries of goods: B1.
    Goods,
    /// Services: S1.
    Services,
    /// Both: M1.
    Both,
}

impl Operations {
    /// The BT-23 code of a plain invoice (no deposit, no subcontracting).
    pub fn process_code(self) -> &'static str {
        match self {
            Operations::Goods => "B1",
            Operations::Services => "S1",
            Operations::Both => "M1",
        }
    }
}

/// The seller's profile. Every field but the name may be empty until the
/// owner fills it; what a Factur-X needs and is missing is asked for when
/// one is made, never guessed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    /// BT-27.
    pub name: String,
    /// BT-30, scheme 0002.
    pub siren: Option<String>,
    /// BT-29, scheme 0009.
    pub siret: Option<String>,
    /// BT-31.
    pub vat: Option<String>,
    /// BT-35, BT-38, BT-37, BT-40 (ISO 3166 code, « FR » when empty).
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    /// BT-34: the seller's electronic address (the SIREN when empty), scheme
    /// 0225 (the French plateformes' directory).
    pub e_address: Option<String>,
    /// BT-84, BT-86.
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// BT-81: payment means code (58 SEPA credit transfer when empty and
    /// an IBAN is given, 30 credit transfer, 49 direct debit, 42 payment to
    /// bank account, 10 cash, 20 cheque, 48 card).
    pub payment_means: Option<String>,
    /// BT-20: the usual terms (« 30 jours fin de mois »).
    pub payment_terms: Option<String>,
    /// Days from the issue date to the due date (BT-9), when the invoice
    /// prints none.
    pub payment_days: Option<u32>,
    /// The « option pour le paiement de la taxe d'après les débits ».
    pub vat_on_debits: bool,
    /// What is usually invoiced: goods, services or both (BT-23).
    pub operations: Option<Operations>,
    /// Under the VAT franchise (article 293 B du CGI): no VAT charged.
    pub vat_franchise: bool,
    /// BG-6 contact.
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// The three notes the French rules require (BR-FR-05), when the owner
    /// words them differently from [`DEFAULT_PMD`] and the others.
    pub note_pmd: Option<String>,
    pub note_pmt: Option<String>,
    pub note_aab: Option<String>,
}

/// Late payment penalties (subject code PMD), as most French invoices word them.
pub const DEFAULT_PMD: &str = "En cas de retard de paiement, des pénalités sont exigibles au taux de trois fois le taux d'intérêt légal.";
/// The fixed recovery indemnity (subject code PMT), article L441-10 of the Code de commerce.
pub const DEFAULT_PMT: &str =
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.";
/// Early payment discount (subject code AAB).
pub const DEFAULT_AAB: &str = "Pas d'escompte pour paiement anticipé.";
/// The mention of the VAT franchise (and its VATEX code for BT-121).
pub const FRANCHISE_MENTION: &str = "TVA non applicable, art. 293 B du CGI";
/// The mention of the option on debits.
pub const DEBITS_MENTION: &str = "Option pour le paiement de la taxe d'après les débits";

#[derive(Debug, thiserror::Error)]
pub enum CompanyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored company profile cannot be read: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("{}", .0.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Msg>),
}

fn tidy(v: &mut Option<String>) {
    *v = v
        .take()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty());
}

impl Company {
    /// Validates and normalises every field: identifiers by their check
    /// digits, the SIRET belonging to the SIREN, the VAT key matching the
    /// SIREN, a two-letter country, a plausible BIC and e-mail. Returns every
    /// problem, each naming its field, in French and English.
    pub fn normalised(mut self) -> Result<Company, Vec<Msg>> {
        let mut problems = Vec::new();
        self.name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if self.name.is_empty() {
            problems.push(Msg::new(
                "le nom de l'entreprise est vide",
                "the company's name is empty",
            ));
        }
        for v in [
            &mut self.street,
            &mut self.postcode,
            &mut self.city,
            &mut self.country,
            &mut self.e_address,
            &mut self.bic,
            &mut self.payment_means,
            &mut self.payment_terms,
            &mut self.contact_name,
            &mut self.contact_phone,
            &mut self.contact_email,
            &mut self.note_pmd,
            &mut self.note_pmt,
            &mut self.note_aab,
        ] {
            tidy(v);
        }
        let mut id = |v: &mut Option<String>, kind: IdKind, fr: &str, en: &str| {
            tidy(v);
            let Some(raw) = v.take() else { return };
            match check_id(Some(kind), &raw) {
                Ok(n) => *v = Some(n),
                Err((why_fr, why_en)) => problems.push(Msg::new(
                    &format!("{fr} « {raw} » : {why_fr}"),
                    &format!("{en} \"{raw}\": {why_en}"),
                )),
            }
        };
        id(&mut self.siren, IdKind::Siren, "SIREN", "SIREN");
        id(&mut self.siret, IdKind::Siret, "SIRET", "SIRET");
        id(&mut self.vat, IdKind::Vat, "numéro de TVA", "VAT number");
        id(&mut self.iban, IdKind::Iban, "IBAN", "IBAN");
        if let (Some(siret), None) = (&self.siret, &self.siren) {
            self.siren = ident::siren_of(IdKind::Siret, siret);
        }
        if let (Some(siret), Some(siren)) = (&self.siret, &self.siren)
            && !siret.starts_with(siren.as_str())
        {
            problems.push(Msg::new(
                &format!("le SIRET {siret} n'appartient pas au SIREN {siren}"),
                &format!("SIRET {siret} does not belong to SIREN {siren}"),
            ));
        }
        if let (Some(vat), Some(siren)) = (&self.vat, &self.siren)
            && vat.starts_with("FR")
            && !vat.ends_with(siren.as_str())
        {
            problems.push(Msg::new(
                &format!("le numéro de TVA {vat} n'est pas celui du SIREN {siren}"),
                &format!("VAT number {vat} is not SIREN {siren}'s"),
            ));
        }
        if let Some(c) = &mut self.country {
            *c = c.to_uppercase();
            if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
                problems.push(Msg::new(
                    &format!("pays « {c} » : le code à deux lettres est attendu (FR, BE…)"),
                    &format!("country \"{c}\": the two-letter code is expected (FR, BE…)"),
                ));
            }
        }
        if let Some(b) = &mut self.bic {
            *b = b.replace(' ', "").to_uppercase();
            let ok = (b.len() == 8 || b.len() == 11)
                && b[..6].chars().all(|c| c.is_ascii_uppercase())
                && b[6..].chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                problems.push(Msg::new(
                    &format!("BIC « {b} » : 8 ou 11 lettres et chiffres attendus"),
                    &format!("BIC \"{b}\": 8 or 11 letters and digits expected"),
                ));
            }
        }
        if let Some(m) = &self.payment_means
            && !PAYMENT_MEANS.iter().any(|(code, _, _)| code == m)
        {
            problems.push(Msg::new(
                &format!("moyen de paiement « {m} » inconnu"),
                &format!("unknown payment means \"{m}\""),
            ));
        }
        if let Some(e) = &self.contact_email
            && !(e.contains('@') && e.rsplit('@').next().is_some_and(|d| d.contains('.')))
        {
            problems.push(Msg::new(
                &format!("« {e} » n'est pas une adresse e-mail"),
                &format!("\"{e}\" is not an e-mail address"),
            ));
        }
        if self.vat_franchise && self.vat_on_debits {
            problems.push(Msg::new(
                "la franchise en base de TVA exclut l'option sur les débits",
                "the VAT franchise excludes the option on debits",
            ));
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// The country, « FR » when none was given.
    pub fn country_code(&self) -> &str {
        self.country.as_deref().unwrap_or("FR")
    }

    /// The electronic address (BT-34): the one given, else the SIREN.
    pub fn electronic_address(&self) -> Option<&str> {
        self.e_address.as_deref().or(self.siren.as_deref())
    }

    /// The payment means code: the one given, else SEPA credit transfer
    /// when an IBAN is known.
    pub fn payment_means_code(&self) -> Option<&str> {
        self.payment_means
            .as_deref()
            .or(self.iban.as_ref().map(|_| "58"))
    }
}

/// The payment means codes offered (UNTDID 4461), with their French and
/// English names.
pub const PAYMENT_MEANS: [(&str, &str, &str); 8] = [
    ("58", "Virement SEPA", "SEPA credit transfer"),
    ("30", "Virement", "Credit transfer"),
    (
        "42",
        "Paiement sur compte bancaire",
        "Payment to bank account",
    ),
    ("49", "Prélèvement", "Direct debit"),
    ("59", "Prélèvement SEPA", "SEPA direct debit"),
    ("20", "Chèque", "Cheque"),
    ("10", "Espèces", "Cash"),
    ("48", "Carte bancaire", "Bank card"),
];

/// The profile kept in `store`, if the owner entered one.
pub fn load(store: &Store) -> Result<Option<Company>, CompanyError> {
    match store.setting(KEY)? {
        None => Ok(None),
        Some(json) => Ok(Some(serde_json::from_str(&json)?)),
    }
}

/// Validates `company` and keeps it; returns what was kept (normalised).
pub fn save(store: &mut Store, company: Company) -> Result<Company, CompanyError> {
    let company = company.normalised().map_err(CompanyError::Invalid)?;
    let json = serde_json::to_string(&company)?;
    store.set_setting(KEY, Some(&json))?;
    Ok(company)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Company {
        Company {
            name: "  Atelier   Lumière ".into(),
            siret: Some("732 829 320 00074".into()),
            vat: Some("FR44732829320".into()),
            iban: Some("FR76 3000 6000 0112 3456 7890 189".into()),
            bic: Some("agrifrpp".into()),
            country: Some("fr".into()),
            ..Company::default()
        }
    }

    #[test]
    fn normalises_and_derives_the_siren_from_the_siret() {
        let c = valid().normalised().unwrap();
        assert_eq!(c.name, "Atelier Lumière");
        assert_eq!(c.siren.as_deref(), Some("732829320"));
        assert_eq!(c.siret.as_deref(), Some("73282932000074"));
        assert_eq!(c.iban.as_deref(), Some("FR7630006000011234567890189"));
        assert_eq!(c.bic.as_deref(), Some("AGRIFRPP"));
        assert_eq!(c.country.as_deref(), Some("FR"));
        assert_eq!(c.electronic_address(), Some("732829320"));
        assert_eq!(c.payment_means_code(), Some("58"));
    }

    #[test]
    fn every_problem_is_named() {
        let c = Company {
            name: " ".into(),
            siren: Some("732829321".into()),
            vat: Some("FR44552100554".into()),
            iban: Some("FR7630006000011234567890180".into()),
            bic: Some("12".into()),
            country: Some("France".into()),
            payment_means: Some("99".into()),
            contact_email: Some("nobody".into()),
            ..Company::default()
        };
        let problems = c.normalised().unwrap_err();
        let all: Vec<&str> = problems.iter().map(|m| m.en.as_str()).collect();
        for word in [
            "name", "SIREN", "IBAN", "BIC", "country", "payment", "e-mail",
        ] {
            assert!(
                all.iter().any(|p| p.contains(word)),
                "{word} not named in {all:?}"
            );
        }
    }

    #[test]
    fn a_vat_number_of_another_company_is_refused() {
        let c = Company {
            name: "X".into(),
            siren: Some("732829320".into()),
            vat: Some("FR96552100554".into()),
            ..Company::default()
        };
        let problems = c.normalised().unwrap_err();
        assert!(
            problems[0].fr.contains("n'est pas celui du SIREN"),
            "{problems:?}"
        );
    }

    #[test]
    fn saved_and_loaded_through_the_settings() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(load(&s).unwrap(), None);
        let kept = save(&mut s, valid()).unwrap();
        assert_eq!(load(&s).unwrap(), Some(kept));
        assert!(matches!(
            save(&mut s, Company::default()),
            Err(CompanyError::Invalid(_))
        ));
    }
}
