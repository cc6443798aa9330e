//! « Mon entreprise » in the settings (`ui/IPC.md`, "My company"): the
//! seller's profile read with what the form offers (payment means, the
//! default wording of the mandatory notes), and saved — or only checked, as
//! the owner types — each problem tied to the field it names so the page
//! shows it beside that field. A few lines over [`facteur::make::company`].
//!
//! Deliberately not here: validating or normalising the profile (the core
//! does both), making any invoice.

use facteur::make::company::{
    self, Company, CompanyError, DEBITS_MENTION, DEFAULT_AAB, DEFAULT_PMD, DEFAULT_PMT,
    FRANCHISE_MENTION, PAYMENT_MEANS,
};
use facteur::send::directory::Msg;
use serde::Serialize;
use tauri::State;

use crate::error::UiError;
use crate::shell::Shell;

type Answer<T> = Result<T, UiError>;

#[derive(Serialize)]
pub struct Means {
    code: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
}

/// The wording used when the owner leaves a note or mention empty.
#[derive(Serialize)]
pub struct Defaults {
    note_pmd: &'static str,
    note_pmt: &'static str,
    note_aab: &'static str,
    franchise: &'static str,
    debits: &'static str,
}

#[derive(Serialize)]
pub struct CompanyView {
    /// `null` until the owner saves one.
    company: Option<Company>,
    payment_means: Vec<Means>,
    defaults: Defaults,
}

/// One problem of a profile, with the field it names (`null`: the whole
/// profile).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Problem {
    field: Option<&'static str>,
    fr: String,
    en: String,
}

#[derive(Serialize)]
pub struct Saved {
    /// Written to the store.
    saved: bool,
    /// The profile normalised (as kept, or as it would be), `null` when refused.
    company: Option<Company>,
    problems: Vec<Problem>,
}

fn store_error(e: CompanyError) -> UiError {
    match e {
        CompanyError::Store(s) => s.into(),
        other => UiError::new(
            "company_unreadable",
            "Le profil « Mon entreprise » enregistré ne se lit plus : saisissez-le de nouveau puis enregistrez.",
            "The saved \"My company\" profile can no longer be read: enter it again, then save.",
            Some(other.to_string()),
        ),
    }
}

/// The field a problem's English sentence names (the core words every
/// problem with its field first).
pub fn field_of(en: &str) -> Option<&'static str> {
    const STARTS: [(&str, &str); 10] = [
        ("the company's name", "name"),
        ("SIREN ", "siren"),
        ("SIRET ", "siret"),
        ("VAT number", "vat"),
        ("IBAN ", "iban"),
        ("BIC ", "bic"),
        ("country ", "country"),
        ("unknown payment means", "payment_means"),
        ("the VAT franchise", "vat_franchise"),
        ("electronic address", "e_address"),
    ];
    if en.ends_with("is not an e-mail address") {
        return Some("contact_email");
    }
    STARTS
        .iter()
        .find(|(start, _)| en.starts_with(start))
        .map(|(_, field)| *field)
}

fn problems(list: Vec<Msg>) -> Vec<Problem> {
    list.into_iter()
        .map(|m| Problem {
            field: field_of(&m.en),
            fr: m.fr,
            en: m.en,
        })
        .collect()
}

#[tauri::command(rename_all = "snake_case")]
pub fn company_get(shell: State<'_, Shell>) -> Answer<CompanyView> {
    let company = company::load(&shell.db()).map_err(store_error)?;
    Ok(CompanyView {
        company,
        payment_means: PAYMENT_MEANS
            .iter()
            .map(|&(code, label_fr, label_en)| Means {
                code,
                label_fr,
                label_en,
            })
            .collect(),
        defaults: Defaults {
            note_pmd: DEFAULT_PMD,
            note_pmt: DEFAULT_PMT,
            note_aab: DEFAULT_AAB,
            franchise: FRANCHISE_MENTION,
            debits: DEBITS_MENTION,
        },
    })
}

/// Checks `company` and, unless `check_only`, keeps it. A refusal is an
/// answer (`saved: false` with every problem), not an error: the form shows
/// each beside its field.
#[tauri::command(rename_all = "snake_case")]
pub fn company_save(
    shell: State<'_, Shell>,
    company: Company,
    check_only: Option<bool>,
) -> Answer<Saved> {
    let normalised = match company.normalised() {
        Ok(c) => c,
        Err(list) => {
            return Ok(Saved {
                saved: false,
                company: None,
                problems: problems(list),
            });
        }
    };
    if check_only.unwrap_or(false) {
        return Ok(Saved {
            saved: false,
            company: Some(normalised),
            problems: Vec::new(),
        });
    }
    let mut db = shell.db();
    match company::save(&mut db, normalised) {
        Ok(kept) => {
            tracing::info!("company profile saved");
            Ok(Saved {
                saved: true,
                company: Some(kept),
                problems: Vec::new(),
            })
        }
        Err(CompanyError::Invalid(list)) => Ok(Saved {
            saved: false,
            company: None,
            problems: problems(list),
        }),
        Err(e) => Err(store_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem the core words is tied to a field: a reworded
    /// sentence that no longer names its field fails here.
    #[test]
    fn every_problem_of_the_core_names_its_field() {
        let c = Company {
            name: " ".into(),
            siren: Some("732829321".into()),
            siret: Some("73282932100072".into()),
            vat: Some("FR00 000".into()),
            iban: Some("FR7630006000011234567890180".into()),
            bic: Some("12".into()),
            country: Some("France".into()),
            payment_means: Some("99".into()),
            contact_email: Some("nobody".into()),
            vat_on_debits: true,
            vat_franchise: true,
            ..Company::default()
        };
        let list = problems(c.normalised().unwrap_err());
        let unnamed: Vec<&Problem> = list.iter().filter(|p| p.field.is_none()).collect();
        assert!(unnamed.is_empty(), "{unnamed:?}");
        let mut fields: Vec<&str> = list.iter().filter_map(|p| p.field).collect();
        fields.sort();
        fields.dedup();
        assert_eq!(
            fields,
            [
                "bic",
                "contact_email",
                "country",
                "iban",
                "name",
                "payment_means",
                "siren",
                "siret",
                "vat",
                "vat_franchise"
            ]
        );
        // The relations between identifiers name the second one.
        let c = Company {
            name: "X".into(),
            siren: Some("732829320".into()),
            siret: Some("55210055400013".into()),
            vat: Some("FR96552100554".into()),
            ..Company::default()
        };
        let list = problems(c.normalised().unwrap_err());
        let fields: Vec<_> = list.iter().map(|p| p.field).collect();
        assert_eq!(fields, [Some("siret"), Some("vat")], "{list:?}");
    }
}
