//! Making a Factur-X from a plain PDF: the supplier's own invoice becomes a
//! PDF/A-3 carrying its CII XML (profile EN 16931), offline, with the owner
//! confirming what goes in.
//!
//! The steps, each its own module: [`company`] (« Mon entreprise », the
//! seller's data entered once), [`draft`] (what was read on the page,
//! completed from the company and the customer directory, with each value's
//! source and certainty, then the owner's values laid over it), [`cii`] (the
//! XML, or the list of what is missing), the official rules
//! ([`crate::check::rules`]: nothing is made that EN 16931, BR-FR or the
//! Factur-X EN 16931 rules reject), [`pdfa`] (the PDF/A-3 container around
//! the untouched pages). [`make`] runs the last three; the window, `facteur
//! facturx make` and a watched folder call it.
//!
//! Deliberately not here: reading pages ([`crate::read`]), recording the made
//! document and routing it (the intake pipeline), any network.

pub mod cii;
pub mod company;
pub mod draft;
pub mod pdfa;

use std::path::Path;

use serde::Serialize;

use crate::check::rules::{self, Failure, Flag, Outcome};
use crate::check::structured::Profile;
use crate::mirror::store::Store;
use crate::read::{self, Invoice};
use crate::send::directory;

pub use cii::Missing;
pub use company::Company;
pub use pdfa::PdfaError;

/// What `Producer` says in the made file.
pub const PRODUCER: &str = concat!("Facteur ", env!("CARGO_PKG_VERSION"));

#[derive(Debug, thiserror::Error)]
pub enum MakeError {
    #[error("the PDF cannot be read: {0}")]
    Read(String),
    #[error("the PDF holds {0} invoices: one Factur-X is made per single-invoice file")]
    SeveralInvoices(usize),
    #[error("no invoice was found in the PDF")]
    NoInvoice,
    #[error("missing: {}", .0.iter().map(|m| m.en.as_str()).collect::<Vec<_>>().join("; "))]
    Missing(Vec<Missing>),
    #[error("the official rules reject the XML: {}", .0.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", "))]
    Rules(Vec<Failure>),
    #[error("the rules could not run: {0}")]
    Engine(#[from] rules::RulesError),
    #[error(transparent)]
    Pdf(#[from] PdfaError),
    #[error(transparent)]
    Company(#[from] company::CompanyError),
    #[error(transparent)]
    Directory(#[from] directory::DirectoryError),
}

impl MakeError {
    /// The message in French, for the window and the CLI's French output.
    pub fn message_fr(&self) -> String {
        match self {
            MakeError::Read(e) => format!("Le PDF ne peut pas être lu : {e}"),
            MakeError::SeveralInvoices(n) => format!(
                "Le PDF contient {n} factures : un Factur-X se fait à partir d'un fichier d'une seule facture."
            ),
            MakeError::NoInvoice => "Aucune facture n'a été trouvée dans le PDF.".into(),
            MakeError::Missing(m) => format!(
                "Il manque : {}.",
                m.iter().map(|m| m.fr.as_str()).collect::<Vec<_>>().join(" ; ")
            ),
            MakeError::Rules(f) => format!(
                "Les règles officielles refusent la facture : {}.",
                f.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
            MakeError::Engine(e) => format!("Les règles n'ont pas pu être vérifiées : {e}"),
            MakeError::Pdf(PdfaError::FontsNotEmbedded(names)) => format!(
                "Les polices de ce PDF ne sont pas incorporées ({}) : il ne peut pas devenir un PDF/A. Dans votre logiciel, enregistrez la facture en PDF/A (ou cochez « incorporer les polices »), puis déposez ce nouveau PDF.",
                names.join(", ")
            ),
            MakeError::Pdf(PdfaError::Encrypted) => {
                "Le PDF est chiffré : enregistrez-le sans mot de passe ni restriction.".into()
            }
            MakeError::Pdf(PdfaError::Signed) => {
                "Le PDF est signé : l'ajout du XML romprait la signature. Déposez la version non signée.".into()
            }
            MakeError::Pdf(PdfaError::AlreadyEInvoice(n)) => {
                format!("Le PDF porte déjà une facture électronique ({n}).")
            }
            MakeError::Pdf(PdfaError::Unreadable(e)) => format!("Le PDF ne peut pas être lu : {e}"),
            MakeError::Company(company::CompanyError::Invalid(m)) => m
                .iter()
                .map(|m| m.fr.as_str())
                .collect::<Vec<_>>()
                .join(" ; "),
            MakeError::Company(e) => format!("Mon entreprise : {e}"),
            MakeError::Directory(e) => format!("Annuaire des clients : {e}"),
        }
    }
}

/// The XML of a draft and what the official rules say of it.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub xml: String,
    /// Every failed rule (fatal and warnings) of EN 16931, BR-FR and the
    /// Factur-X EN 16931 profile.
    pub failures: Vec<Failure>,
    /// True when no fatal rule failed and every rule could be evaluated.
    pub valid: bool,
}

/// Writes the XML of `draft` and runs the official rules on it — what the
/// window asks as the owner types, and what [`make`] requires.
pub fn check_draft(draft: &Invoice) -> Result<Checked, MakeError> {
    let xml = cii::to_cii(draft).map_err(MakeError::Missing)?;
    let outcome: Outcome = rules::check_xml(&xml)?;
    let valid = outcome.verdict() == rules::Verdict::Valid;
    Ok(Checked {
        xml: String::from_utf8(xml).unwrap_or_default(),
        failures: outcome.failures,
        valid,
    })
}

/// A made Factur-X.
#[derive(Debug, Clone)]
pub struct Made {
    pub pdf: Vec<u8>,
    pub xml: Vec<u8>,
    /// The warnings the rules gave (no fatal one: [`make`] refuses those).
    pub warnings: Vec<Failure>,
}

/// Makes the Factur-X of `original` from `draft`: refuses with every missing
/// term, every fatal rule, or the reason the PDF cannot become a PDF/A.
/// `made_at` is the time written in the file (epoch seconds).
pub fn make(original: &[u8], draft: &Invoice, made_at: i64) -> Result<Made, MakeError> {
    let checked = check_draft(draft)?;
    if !checked.valid {
        let fatal: Vec<Failure> = checked
            .failures
            .iter()
            .filter(|f| f.flag == Flag::Fatal)
            .cloned()
            .collect();
        return Err(MakeError::Rules(if fatal.is_empty() {
            checked.failures
        } else {
            fatal
        }));
    }
    let label = if draft.type_code.as_ref().is_some_and(|t| t.value == "381") {
        "Avoir"
    } else {
        "Facture"
    };
    let number = draft.number.as_ref().map_or("", |f| f.value.as_str());
    let title = format!("{label} n° {number}");
    let seller = draft.seller.siren.as_ref().map_or("", |f| f.value.as_str());
    let seed = format!("{seller}|{number}|{made_at}");
    let xml = checked.xml.into_bytes();
    let pdf = pdfa::make(
        original,
        &xml,
        &pdfa::Meta {
            title: &title,
            producer: PRODUCER,
            profile: Profile::En16931,
            file_name: "factur-x.xml",
            made_at: Some(made_at),
            id_seed: seed.as_bytes(),
        },
    )?;
    Ok(Made {
        pdf,
        xml,
        warnings: checked.failures,
    })
}

/// The directory entry of the invoice's buyer: by SIRET, SIREN or VAT
/// number read on the page, else by its exact name.
pub fn customer_for(
    store: &Store,
    inv: &Invoice,
) -> Result<Option<directory::CustomerData>, MakeError> {
    use directory::Level;
    let b = &inv.buyer;
    let tries = [
        (Level::Organisation, b.siret.as_ref()),
        (Level::Organisation, b.siren.as_ref()),
        (Level::Vat, b.vat.as_ref()),
    ];
    for (level, f) in tries {
        if let Some(f) = f
            && let Some(c) = directory::find(store, level, &f.value)?.into_iter().next()
        {
            return Ok(Some(c.data));
        }
    }
    if let Some(name) = &b.name {
        let want = crate::text::fold(&name.value);
        if let Some(c) = directory::list(store)?
            .into_iter()
            .find(|c| crate::text::fold(&c.data.name) == want)
        {
            return Ok(Some(c.data));
        }
    }
    Ok(None)
}

/// The draft of the Factur-X of the plain PDF at `path`: read with the
/// learned layouts, completed from « Mon entreprise » and the directory.
/// One invoice per file: a file holding several is refused.
pub fn draft_file(store: &Store, path: &Path) -> Result<Invoice, MakeError> {
    let layouts = crate::mirror::learned::layouts(store).unwrap_or_default();
    let reading = read::read_file(path, &layouts).map_err(|e| MakeError::Read(e.to_string()))?;
    draft_reading(store, &reading)
}

/// The same from a reading already made.
pub fn draft_reading(store: &Store, reading: &read::Reading) -> Result<Invoice, MakeError> {
    let inv = match reading.invoices.as_slice() {
        [] => return Err(MakeError::NoInvoice),
        [one] => one,
        many => return Err(MakeError::SeveralInvoices(many.len())),
    };
    let company = company::load(store)?;
    let customer = customer_for(store, inv)?;
    Ok(draft::draft(inv, company.as_ref(), customer.as_ref()))
}
