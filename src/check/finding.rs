//! Findings: what the checker reports about a file, each with a stable code,
//! a severity, and a message and a hint in French and in English.
//!
//! All user-facing wording of the checker lives here, in one place per
//! language, except the official e-invoice rules' words, which live with
//! the rules (`check::rules::plain`). This module deliberately does not decide *when* a finding applies
//! (that is [`crate::check`]).

use serde::{Deserialize, Serialize};

/// Whether a finding blocks submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission: a portal would reject the file.
    Error,
    /// Worth knowing; does not block.
    Warning,
}

/// Stable finding codes; their serialised names are part of the `--json`
/// output and never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    NotPdf,
    Unreadable,
    Encrypted,
    Signed,
    Scanned,
    ScannedOcr,
    NoText,
    TooLarge,
    TooManyPages,
    MultipleInvoices,
    StructuredMissing,
    StructuredInvalid,
    StructuredPartialProfile,
    IdentifierInvalid,
    IdentifierPlaceholder,
    XmlTextMismatch,
    InvoiceNumberMissing,
    Duplicate,
    RejectedNumberReused,
    SameNumberNotSent,
    /// An official e-invoice rule (EN 16931, BR-FR, Factur-X) the embedded
    /// or standalone XML breaks. Never changes the deposit verdict: it keeps
    /// the invoice from channels that take structured invoices.
    EinvoiceRule,
    XmlNotInvoice,
    FacturxXmpMissing,
    FacturxNotPdfa3,
    FacturxXmpSchemaMissing,
    FacturxProfileMismatch,
    FacturxXmpIncomplete,
    FacturxXmpUndeclared,
    FacturxRelationship,
    FacturxAttachmentName,
    FacturxAttachmentStream,
    FacturxOutputIntent,
    FacturxFonts,
    FacturxJavascript,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NotPdf => "not_pdf",
            Code::Unreadable => "unreadable",
            Code::Encrypted => "encrypted",
            Code::Signed => "signed",
            Code::Scanned => "scanned",
            Code::ScannedOcr => "scanned_ocr",
            Code::NoText => "no_text",
            Code::TooLarge => "too_large",
            Code::TooManyPages => "too_many_pages",
            Code::MultipleInvoices => "multiple_invoices",
            Code::StructuredMissing => "structured_missing",
            Code::StructuredInvalid => "structured_invalid",
            Code::StructuredPartialProfile => "structured_partial_profile",
            Code::IdentifierInvalid => "identifier_invalid",
            Code::IdentifierPlaceholder => "identifier_placeholder",
            Code::XmlTextMismatch => "xml_text_mismatch",
            Code::InvoiceNumberMissing => "invoice_number_missing",
            Code::Duplicate => "duplicate",
            Code::RejectedNumberReused => "rejected_number_reused",
            Code::SameNumberNotSent => "same_number_not_sent",
            Code::EinvoiceRule => "einvoice_rule",
            Code::XmlNotInvoice => "xml_not_invoice",
            Code::FacturxXmpMissing => "facturx_xmp_missing",
            Code::FacturxNotPdfa3 => "facturx_not_pdfa3",
            Code::FacturxXmpSchemaMissing => "facturx_xmp_schema_missing",
            Code::FacturxProfileMismatch => "facturx_profile_mismatch",
            Code::FacturxXmpIncomplete => "facturx_xmp_incomplete",
            Code::FacturxXmpUndeclared => "facturx_xmp_undeclared",
            Code::FacturxRelationship => "facturx_relationship",
            Code::FacturxAttachmentName => "facturx_attachment_name",
            Code::FacturxAttachmentStream => "facturx_attachment_stream",
            Code::FacturxOutputIntent => "facturx_output_intent",
            Code::FacturxFonts => "facturx_fonts",
            Code::FacturxJavascript => "facturx_javascript",
        }
    }
}

/// One thing the checker found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message_fr: String,
    pub message_en: String,
    pub hint_fr: String,
    pub hint_en: String,
    /// The technical wording behind the message (a reader's error, in
    /// English), shown only under « Détails techniques »; kept for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Finding {
    pub(crate) fn new(
        code: Code,
        severity: Severity,
        fr: String,
        en: String,
        hint_fr: &str,
        hint_en: &str,
    ) -> Self {
        Finding {
            code,
            severity,
            message_fr: typo_fr(&fr),
            message_en: en,
            hint_fr: typo_fr(hint_fr),
            hint_en: hint_en.to_string(),
            detail: None,
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.message_fr,
            Lang::En => &self.message_en,
        }
    }

    pub fn hint(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.hint_fr,
            Lang::En => &self.hint_en,
        }
    }
}

/// The two languages Facteur speaks; French first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// English when the locale variables say so, French otherwise.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return if v.to_ascii_lowercase().starts_with("en") {
                    Lang::En
                } else {
                    Lang::Fr
                };
            }
        }
        Lang::Fr
    }
}

/// "1, 2 et 5" / "1, 2 and 5".
fn list(pages: &[usize], and: &str) -> String {
    let items: Vec<String> = pages.iter().map(|p| p.to_string()).collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {and} {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn pages_fr(pages: &[usize]) -> String {
    if pages.len() == 1 {
        format!("la page {}", pages[0])
    } else {
        format!("les pages {}", list(pages, "et"))
    }
}

fn pages_en(pages: &[usize]) -> String {
    if pages.len() == 1 {
        format!("page {}", pages[0])
    } else {
        format!("pages {}", list(pages, "and"))
    }
}

/// Megabytes with one decimal, French and English spelling.
fn mb(bytes: u64) -> (String, String) {
    let v = bytes as f64 / 1_000_000.0;
    (format!("{v:.1} Mo").replace('.', ","), format!("{v:.1} MB"))
}

pub fn not_pdf(what: &str) -> Finding {
    let fr_what = match what {
        "empty file" => "un fichier vide",
        "JPEG image" => "une image JPEG",
        "PNG image" => "une image PNG",
        "GIF image" => "une image GIF",
        "TIFF image" => "une image TIFF",
        "ZIP archive (or Office document)" => "une archive ZIP (ou un document Office)",
        "old Office document" => "un ancien document Office",
        "HTML page" => "une page HTML",
        "XML document" => "un document XML",
        "text file" => "un fichier texte",
        _ => "un fichier binaire inconnu",
    };
    Finding::new(
        Code::NotPdf,
        Severity::Error,
        format!("Ce fichier n'est pas un PDF : c'est {fr_what}."),
        format!("This file is not a PDF: it is {} {what}.", article(what)),
        "Exportez la facture en PDF depuis votre logiciel de facturation (menu « Enregistrer sous » ou « Exporter en PDF »).",
        "Export the invoice as PDF from your invoicing software (\"Save as\" or \"Export to PDF\").",
    )
}

fn article(what: &str) -> &'static str {
    match what.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'E' | 'H' | 'X') if what != "HTML page" => "an",
        _ => "a",
    }
}

/// `detail` is the reader's technical wording (English), kept for support.
pub fn unreadable(detail: &str) -> Finding {
    Finding {
        detail: Some(detail.to_string()),
        ..Finding::new(
            Code::Unreadable,
            Severity::Error,
            "Le PDF est endommagé et ne peut pas être lu.".to_string(),
            format!("The PDF is damaged and cannot be read ({detail})."),
            "Générez à nouveau le PDF depuis votre logiciel ; s'il vient d'un e-mail ou d'un téléchargement, récupérez-le une nouvelle fois.",
            "Produce the PDF again from your software; if it came from an e-mail or a download, fetch it again.",
        )
    }
}

pub fn timeout() -> Finding {
    unreadable_with("l'analyse a pris trop de temps", "analysis took too long")
}

pub fn crashed() -> Finding {
    unreadable_with(
        "sa structure est incohérente",
        "its structure is inconsistent",
    )
}

fn unreadable_with(fr: &str, en: &str) -> Finding {
    let mut f = unreadable(en);
    f.message_fr = format!("Le PDF est endommagé et ne peut pas être lu ({fr}).");
    f
}

pub fn encrypted(public_key: bool) -> Finding {
    let (fr, en) = if public_key {
        (
            "Le PDF est chiffré pour des destinataires précis (certificat) : le portail ne pourra pas l'ouvrir.",
            "The PDF is encrypted for specific recipients (certificate): the portal cannot open it.",
        )
    } else {
        (
            "Le PDF est protégé par un mot de passe ou chiffré : le portail ne pourra pas le traiter.",
            "The PDF is password-protected or encrypted: the portal cannot process it.",
        )
    };
    Finding::new(
        Code::Encrypted,
        Severity::Error,
        fr.to_string(),
        en.to_string(),
        "Enregistrez la facture sans mot de passe ni protection (option « Sécurité : aucune » à l'export).",
        "Save the invoice without a password or protection (\"Security: none\" when exporting).",
    )
}

pub fn signed(count: usize, certification: bool) -> Finding {
    let (fr, en) = if certification {
        (
            "Le PDF porte une signature de certification : le portail exige un PDF non signé."
                .to_string(),
            "The PDF carries a certification signature: the portal requires an unsigned PDF."
                .to_string(),
        )
    } else {
        (
            format!(
                "Le PDF est signé numériquement ({count} signature{}) : le portail exige un PDF non signé.",
                if count > 1 { "s" } else { "" }
            ),
            format!(
                "The PDF is digitally signed ({count} signature{}): the portal requires an unsigned PDF.",
                if count > 1 { "s" } else { "" }
            ),
        )
    };
    Finding::new(
        Code::Signed,
        Severity::Error,
        fr,
        en,
        "Envoyez la version d'origine, avant signature, exportée directement par votre logiciel.",
        "Send the original version, before signing, exported directly by your software.",
    )
}

pub fn scanned(pages: &[usize], total: usize) -> Finding {
    let (fr, en) = if pages.len() == total {
        (
            "Le document est une image scannée, sans texte : le portail exige un PDF natif."
                .to_string(),
            "The document is a scanned image with no text: the portal requires a native PDF."
                .to_string(),
        )
    } else {
        (
            format!(
                "{} {} une image scannée, sans texte : le portail exige un PDF natif.",
                capitalise(&pages_fr(pages)),
                if pages.len() == 1 { "est" } else { "sont" }
            ),
            format!(
                "{} {} a scanned image with no text: the portal requires a native PDF.",
                capitalise(&pages_en(pages)),
                if pages.len() == 1 { "is" } else { "are" }
            ),
        )
    };
    Finding::new(
        Code::Scanned,
        Severity::Error,
        fr,
        en,
        "N'imprimez pas puis ne scannez pas : exportez la facture en PDF directement depuis votre logiciel.",
        "Do not print and scan: export the invoice to PDF directly from your software.",
    )
}

pub fn scanned_ocr(pages: &[usize]) -> Finding {
    Finding::new(
        Code::ScannedOcr,
        Severity::Error,
        format!(
            "{} {} scannée(s) avec une couche de texte reconnue (OCR) : cela reste un scan, refusé par le portail.",
            capitalise(&pages_fr(pages)),
            if pages.len() == 1 { "est" } else { "sont" }
        ),
        format!(
            "{} {} scanned with a recognised text layer (OCR): still a scan, which the portal refuses.",
            capitalise(&pages_en(pages)),
            if pages.len() == 1 { "is" } else { "are" }
        ),
        "Exportez la facture en PDF directement depuis votre logiciel plutôt que de la scanner.",
        "Export the invoice to PDF directly from your software instead of scanning it.",
    )
}

pub fn no_text() -> Finding {
    Finding::new(
        Code::NoText,
        Severity::Warning,
        "Aucun texte n'a été trouvé dans le document : le portail risque de ne pas pouvoir le lire.".into(),
        "No text was found in the document: the portal may not be able to read it.".into(),
        "Vérifiez que le PDF affiche bien la facture ; sinon, exportez-le de nouveau.",
        "Check that the PDF shows the invoice; otherwise export it again.",
    )
}

pub fn too_large(size: u64, limit: u64, parsed: bool) -> Finding {
    let (s_fr, s_en) = mb(size);
    let (l_fr, l_en) = mb(limit);
    let (extra_fr, extra_en) = if parsed {
        ("", "")
    } else {
        (
            " Les autres contrôles n'ont pas été faits.",
            " The other checks were not run.",
        )
    };
    Finding::new(
        Code::TooLarge,
        Severity::Error,
        format!("Le fichier pèse {s_fr}, au-delà de la limite de {l_fr} du portail.{extra_fr}"),
        format!("The file is {s_en}, above the portal's {l_en} limit.{extra_en}"),
        "Réduisez la taille (images en résolution plus basse) ou envoyez les annexes volumineuses séparément.",
        "Reduce the size (lower-resolution images) or send large annexes separately.",
    )
}

pub fn too_many_pages(pages: usize, limit: usize) -> Finding {
    Finding::new(
        Code::TooManyPages,
        Severity::Error,
        format!("Le document a {pages} pages, au-delà de la limite de {limit} pages du portail."),
        format!("The document has {pages} pages, above the portal's {limit}-page limit."),
        "Séparez les annexes de la facture ou réduisez leur nombre de pages.",
        "Split the annexes from the invoice or reduce their page count.",
    )
}

/// `starts`: first page of each invoice; `numbers`: their numbers when known.
pub fn multiple_invoices(starts: &[usize], numbers: &[String]) -> Finding {
    let count = starts.len();
    let (nums_fr, nums_en) = if numbers.is_empty() {
        (String::new(), String::new())
    } else {
        let joined = numbers.join(", ");
        (format!(" (n° {joined})"), format!(" (no. {joined})"))
    };
    Finding::new(
        Code::MultipleInvoices,
        Severity::Error,
        format!(
            "Le fichier contient {count} factures{nums_fr}, qui commencent aux pages {} : le portail n'accepte qu'une facture par envoi.",
            list(starts, "et")
        ),
        format!(
            "The file holds {count} invoices{nums_en}, starting on pages {}: the portal takes one invoice per submission.",
            list(starts, "and")
        ),
        "Exportez chaque facture dans son propre PDF (les annexes peuvent rester avec leur facture).",
        "Export each invoice to its own PDF (annexes may stay with their invoice).",
    )
}

pub fn structured_missing() -> Finding {
    Finding::new(
        Code::StructuredMissing,
        Severity::Warning,
        "Le PDF ne contient pas de facture structurée (Factur-X) : il convient pour un dépôt par e-mail, pas pour Chorus Pro en flux ni pour une plateforme agréée.".into(),
        "The PDF carries no structured invoice (Factur-X): fine for a mail deposit, not for a Chorus Pro flow or an approved platform.".into(),
        "Si votre logiciel sait produire du Factur-X, activez cette option à l'export.",
        "If your software can produce Factur-X, turn that option on when exporting.",
    )
}

pub fn structured_invalid(name: &str, detail: &str) -> Finding {
    Finding::new(
        Code::StructuredInvalid,
        Severity::Error,
        format!("La facture structurée jointe « {name} » est illisible : {detail}."),
        format!("The attached structured invoice \"{name}\" cannot be read: {detail}."),
        "Générez à nouveau le Factur-X depuis votre logiciel ; s'il persiste, signalez-le à son éditeur.",
        "Produce the Factur-X again from your software; if it persists, report it to the vendor.",
    )
}

/// A standalone XML file whose root is neither a CII `CrossIndustryInvoice`
/// nor a UBL `Invoice` / `CreditNote` (an order, a ZUGFeRD 1 document, a
/// settings file…).
pub fn xml_not_invoice(root: &str) -> Finding {
    Finding {
        detail: Some(format!("root element <{root}>")),
        ..Finding::new(
            Code::XmlNotInvoice,
            Severity::Error,
            format!(
                "Ce fichier XML n'est pas une facture CII ni UBL (son élément racine est <{root}>)."
            ),
            format!("This XML file is not a CII or UBL invoice (its root element is <{root}>)."),
            "Exportez la facture depuis votre logiciel en CII (CrossIndustryInvoice), en UBL ou en Factur-X.",
            "Export the invoice from your software as CII (CrossIndustryInvoice), UBL or Factur-X.",
        )
    }
}

/// A standalone XML invoice that cannot be read: not well-formed, too
/// large, nested too deep, an entity it would have to expand, empty.
pub fn xml_unreadable(detail: &str) -> Finding {
    Finding {
        detail: Some(detail.to_string()),
        ..Finding::new(
            Code::StructuredInvalid,
            Severity::Error,
            format!("Ce fichier XML ne peut pas être lu comme une facture : {detail}."),
            format!("This XML file cannot be read as an invoice: {detail}."),
            "Générez à nouveau la facture XML depuis votre logiciel ; s'il persiste, signalez-le à son éditeur.",
            "Produce the XML invoice again from your software; if it persists, report it to the vendor.",
        )
    }
}

pub fn structured_partial(profile: &str) -> Finding {
    Finding::new(
        Code::StructuredPartialProfile,
        Severity::Warning,
        format!(
            "Le Factur-X est au profil {profile}, qui ne décrit pas une facture complète : une plateforme agréée le refusera."
        ),
        format!(
            "The Factur-X uses the {profile} profile, which is not a full invoice: an approved platform will refuse it."
        ),
        "Choisissez le profil EN 16931 (ou BASIC) dans les options d'export de votre logiciel.",
        "Choose the EN 16931 (or BASIC) profile in your software's export options.",
    )
}

// The Factur-X container (`check::container`). Errors are what makes a
// plateforme refuse the file or read it as something else; warnings what a
// PDF/A validator flags but plateformes are reported to take.

/// The fix shared by the container findings: the file comes out of the
/// invoicing software's export, so that is where it is mended.
const REEXPORT_FR: &str = "Réexportez la facture en Factur-X (PDF/A-3) depuis votre logiciel de facturation ; s'il ne le fait pas correctement, signalez-le à son éditeur.";
const REEXPORT_EN: &str = "Export the invoice again as Factur-X (PDF/A-3) from your invoicing software; if it gets this wrong, report it to the vendor.";

pub fn facturx_xmp_missing(detail: Option<&str>) -> Finding {
    let mut f = Finding::new(
        Code::FacturxXmpMissing,
        Severity::Error,
        "Le PDF contient un Factur-X mais pas les métadonnées XMP qui le déclarent : une plateforme ne le reconnaîtra pas comme Factur-X.".into(),
        "The PDF carries a Factur-X but not the XMP metadata that declares it: a platform will not recognise it as Factur-X.".into(),
        REEXPORT_FR,
        REEXPORT_EN,
    );
    f.detail = detail.map(|d| format!("XMP metadata unreadable: {d}"));
    f
}

pub fn facturx_not_pdfa3(part: Option<&str>, conformance: Option<&str>) -> Finding {
    let said = match (part, conformance) {
        (None, None) => (
            "ne se déclarent pas PDF/A".to_string(),
            "do not declare PDF/A".to_string(),
        ),
        (p, c) => (
            format!("déclarent PDF/A-{}{}", p.unwrap_or("?"), c.unwrap_or("?")),
            format!("declare PDF/A-{}{}", p.unwrap_or("?"), c.unwrap_or("?")),
        ),
    };
    Finding::new(
        Code::FacturxNotPdfa3,
        Severity::Error,
        format!(
            "Un Factur-X doit être un PDF/A-3 (A, B ou U) ; ses métadonnées {}.",
            said.0
        ),
        format!(
            "A Factur-X must be a PDF/A-3 (A, B or U); its metadata {}.",
            said.1
        ),
        "Votre logiciel exporte un Factur-X qui ne se déclare pas PDF/A-3 : choisissez l'export Factur-X ou PDF/A-3 dans ses options, ou signalez-le à son éditeur.",
        "Your software exports a Factur-X that does not declare PDF/A-3: choose the Factur-X or PDF/A-3 export in its options, or report it to the vendor.",
    )
}

pub fn facturx_xmp_schema_missing() -> Finding {
    Finding::new(
        Code::FacturxXmpSchemaMissing,
        Severity::Error,
        "Les métadonnées XMP ne contiennent pas le schéma Factur-X (type de document, nom du fichier, version, profil) : une plateforme ne reconnaîtra pas le Factur-X.".into(),
        "The XMP metadata lacks the Factur-X schema (document type, file name, version, profile): a platform will not recognise the Factur-X.".into(),
        REEXPORT_FR,
        REEXPORT_EN,
    )
}

pub fn facturx_profile_mismatch(xmp: &str, xml: &str) -> Finding {
    Finding::new(
        Code::FacturxProfileMismatch,
        Severity::Error,
        format!(
            "Le PDF annonce le profil Factur-X « {xmp} » alors que le XML joint est au profil {xml} : une plateforme refuse un Factur-X qui se contredit."
        ),
        format!(
            "The PDF announces the Factur-X profile \"{xmp}\" while the attached XML uses the {xml} profile: a platform refuses a Factur-X that contradicts itself."
        ),
        "Votre logiciel écrit un profil dans les métadonnées et un autre dans le XML : réexportez en choisissant un seul profil (EN 16931), ou signalez-le à son éditeur.",
        "Your software writes one profile in the metadata and another in the XML: export again choosing one profile (EN 16931), or report it to the vendor.",
    )
}

pub fn facturx_xmp_incomplete(missing: &[String], wrong_name: Option<(&str, &str)>) -> Finding {
    let mut fr = Vec::new();
    let mut en = Vec::new();
    if !missing.is_empty() {
        fr.push(format!("il y manque {}", missing.join(", ")));
        en.push(format!("{} missing", missing.join(", ")));
    }
    if let Some((said, actual)) = wrong_name {
        fr.push(format!(
            "le nom de fichier annoncé « {said} » n'est pas celui de la pièce jointe « {actual} »"
        ));
        en.push(format!(
            "the file name announced \"{said}\" is not the attachment's \"{actual}\""
        ));
    }
    Finding::new(
        Code::FacturxXmpIncomplete,
        Severity::Warning,
        format!(
            "Le schéma Factur-X des métadonnées XMP est incomplet : {}.",
            fr.join(" ; ")
        ),
        format!(
            "The Factur-X schema of the XMP metadata is incomplete: {}.",
            en.join("; ")
        ),
        REEXPORT_FR,
        REEXPORT_EN,
    )
}

pub fn facturx_xmp_undeclared(namespace: &str) -> Finding {
    let mut f = Finding::new(
        Code::FacturxXmpUndeclared,
        Severity::Warning,
        "Le schéma Factur-X n'est pas déclaré dans les extensions PDF/A des métadonnées (pdfaExtension:schemas) : un contrôle PDF/A le refusera.".into(),
        "The Factur-X schema is not declared among the metadata's PDF/A extensions (pdfaExtension:schemas): a PDF/A check will refuse it.".into(),
        REEXPORT_FR,
        REEXPORT_EN,
    );
    f.detail = Some(format!("no pdfaSchema:namespaceURI {namespace}"));
    f
}

pub fn facturx_relationship(name: &str, relationship: Option<&str>, associated: bool) -> Finding {
    let (fr, en) = match (relationship, associated) {
        (Some(r), true) => (
            format!(
                "sa relation (AFRelationship) est « {r} » au lieu de Data, Source ou Alternative"
            ),
            format!(
                "its relationship (AFRelationship) is \"{r}\" instead of Data, Source or Alternative"
            ),
        ),
        (None, true) => (
            "elle n'a pas de relation (AFRelationship)".to_string(),
            "it has no relationship (AFRelationship)".to_string(),
        ),
        (_, false) => (
            "elle n'est pas déclarée comme fichier associé du document (/AF)".to_string(),
            "it is not declared as an associated file of the document (/AF)".to_string(),
        ),
    };
    Finding::new(
        Code::FacturxRelationship,
        Severity::Error,
        format!("La pièce jointe « {name} » n'est pas rattachée au PDF comme un Factur-X : {fr}."),
        format!("The attachment \"{name}\" is not tied to the PDF as a Factur-X: {en}."),
        "Votre logiciel joint le XML comme une simple pièce jointe : utilisez son export Factur-X plutôt qu'un ajout de pièce jointe, ou signalez-le à son éditeur.",
        "Your software attaches the XML as a plain attachment: use its Factur-X export rather than adding an attachment, or report it to the vendor.",
    )
}

pub fn facturx_attachment_name(name: &str) -> Finding {
    Finding::new(
        Code::FacturxAttachmentName,
        Severity::Warning,
        format!(
            "Le XML est joint sous le nom « {name} » au lieu de « factur-x.xml » : une plateforme peut ne pas le trouver."
        ),
        format!(
            "The XML is attached as \"{name}\" instead of \"factur-x.xml\": a platform may not find it."
        ),
        REEXPORT_FR,
        REEXPORT_EN,
    )
}

pub fn facturx_attachment_stream(
    subtype: Option<&str>,
    mod_date: bool,
    declared: Option<i64>,
    actual: Option<i64>,
) -> Finding {
    let subtype = subtype.unwrap_or("-");
    let declared = declared.map_or("-".to_string(), |d| d.to_string());
    let mut f = Finding::new(
        Code::FacturxAttachmentStream,
        Severity::Warning,
        "Le fichier XML joint ne déclare pas correctement son type (text/xml), sa date ou sa taille : un contrôle PDF/A le refusera.".into(),
        "The attached XML file does not declare its type (text/xml), date or size properly: a PDF/A check will refuse it.".into(),
        REEXPORT_FR,
        REEXPORT_EN,
    );
    f.detail = Some(format!(
        "/Subtype {subtype}, /Params /ModDate {}, /Params /Size {declared}, decoded size {}",
        if mod_date { "present" } else { "missing" },
        actual.map_or("-".to_string(), |a| a.to_string())
    ));
    f
}

pub fn facturx_output_intent() -> Finding {
    Finding::new(
        Code::FacturxOutputIntent,
        Severity::Warning,
        "Le PDF n'a pas de profil de couleurs PDF/A (OutputIntent GTS_PDFA1) : ce n'est pas un PDF/A-3 valide, certaines plateformes le refusent.".into(),
        "The PDF has no PDF/A colour profile (GTS_PDFA1 OutputIntent): it is not a valid PDF/A-3, and some platforms refuse it.".into(),
        "Votre logiciel exporte un Factur-X sans profil de couleurs : activez l'export PDF/A-3 dans ses options, ou signalez-le à son éditeur.",
        "Your software exports a Factur-X without a colour profile: turn on the PDF/A-3 export in its options, or report it to the vendor.",
    )
}

pub fn facturx_fonts(names: &[String], more: usize) -> Finding {
    let mut shown = names.join(", ");
    let (and_fr, and_en) = if more > 0 {
        (format!(" et {more} autre(s)"), format!(" and {more} more"))
    } else {
        (String::new(), String::new())
    };
    if shown.is_empty() {
        shown = "?".into();
    }
    Finding::new(
        Code::FacturxFonts,
        Severity::Warning,
        format!(
            "Des polices ne sont pas incorporées au PDF ({shown}{and_fr}) : ce n'est pas un PDF/A-3 valide, certaines plateformes le refusent."
        ),
        format!(
            "Some fonts are not embedded in the PDF ({shown}{and_en}): it is not a valid PDF/A-3, and some platforms refuse it."
        ),
        "Votre logiciel exporte un Factur-X sans incorporer ses polices : activez « incorporer les polices » (ou l'export PDF/A-3) dans ses options d'export, ou signalez-le à son éditeur.",
        "Your software exports a Factur-X without embedding its fonts: turn on \"embed fonts\" (or the PDF/A-3 export) in its export options, or report it to the vendor.",
    )
}

pub fn facturx_javascript() -> Finding {
    Finding::new(
        Code::FacturxJavascript,
        Severity::Error,
        "Le PDF contient du JavaScript ou des actions automatiques : un Factur-X (PDF/A-3) n'en a pas, et les plateformes refusent un contenu actif.".into(),
        "The PDF contains JavaScript or automatic actions: a Factur-X (PDF/A-3) has none, and platforms refuse active content.".into(),
        "Retirez les scripts et actions du modèle de document (formulaires, boutons), puis réexportez en Factur-X.",
        "Remove the scripts and actions from the document template (forms, buttons), then export the Factur-X again.",
    )
}

/// `what_fr`/`what_en`: e.g. "le SIREN du client" (with its article) /
/// "customer SIREN".
///
/// Identifier problems warn rather than block: portals do not reject on a
/// check digit, but routing (which must never use a wrong identifier) does.
pub fn identifier_invalid(what_fr: &str, what_en: &str, value: &str) -> Finding {
    Finding::new(
        Code::IdentifierInvalid,
        Severity::Warning,
        format!(
            "{} « {value} » est invalide (clé de contrôle ou format incorrect).",
            capitalise(what_fr)
        ),
        format!("The {what_en} \"{value}\" is invalid (wrong check digit or format)."),
        "Corrigez-le dans la fiche client ou dans vos paramètres : un identifiant faux peut envoyer la facture à une autre entreprise.",
        "Correct it in the customer record or your settings: a wrong identifier can send the invoice to another company.",
    )
}

pub fn identifier_placeholder(what_fr: &str, what_en: &str, value: &str) -> Finding {
    Finding::new(
        Code::IdentifierPlaceholder,
        Severity::Warning,
        format!(
            "{} contient « {value} » au lieu d'un vrai identifiant.",
            capitalise(what_fr)
        ),
        format!("The {what_en} holds \"{value}\" instead of a real identifier."),
        "Laissez le champ vide si vous ne connaissez pas l'identifiant : une valeur de remplissage peut mal acheminer la facture.",
        "Leave the field empty if you do not know the identifier: a filler value can misroute the invoice.",
    )
}

pub fn xml_text_mismatch(xml: &str, text: &[String]) -> Finding {
    let shown = text.join(", ");
    Finding::new(
        Code::XmlTextMismatch,
        Severity::Error,
        format!(
            "Le numéro de facture du Factur-X (« {xml} ») diffère de celui imprimé sur le PDF (« {shown} »)."
        ),
        format!(
            "The Factur-X invoice number (\"{xml}\") differs from the one printed on the PDF (\"{shown}\")."
        ),
        "Le PDF et ses données structurées doivent décrire la même facture : générez-les de nouveau ensemble.",
        "The PDF and its structured data must describe the same invoice: produce them again together.",
    )
}

pub fn invoice_number_missing() -> Finding {
    Finding::new(
        Code::InvoiceNumberMissing,
        Severity::Warning,
        "Aucun numéro de facture n'a été reconnu dans le document.".into(),
        "No invoice number was recognised in the document.".into(),
        "Vérifiez que le numéro est imprimé avec une mention claire (« Facture n° … »).",
        "Check that the number is printed with a clear label (\"Invoice no. …\").",
    )
}

/// French typography: a no-break space before « : ; ! ? » and inside
/// guillemets, so a line never breaks there.
pub fn typo_fr(s: &str) -> String {
    s.replace(" :", "\u{a0}:")
        .replace(" ;", "\u{a0};")
        .replace(" !", "\u{a0}!")
        .replace(" ?", "\u{a0}?")
        .replace("« ", "«\u{a0}")
        .replace(" »", "\u{a0}»")
}

/// Same seller SIREN and number as an invoice already at a portal.
pub fn duplicate(other_id: i64, number: &str) -> Finding {
    Finding::new(
        Code::Duplicate,
        Severity::Error,
        format!(
            "La facture n° {number} a déjà été envoyée (facture #{other_id}) : le portail la refuserait comme « Doublon »."
        ),
        format!(
            "Invoice no. {number} was already sent (invoice #{other_id}): the portal would refuse it as a duplicate."
        ),
        "Rien à faire si c'est la même facture : suivez la facture déjà envoyée. S'il s'agit d'une nouvelle facture, changez son numéro, y compris dans le PDF.",
        "Nothing to do if it is the same invoice: follow the one already sent. If it is a new invoice, change its number, inside the PDF too.",
    )
}

/// A corrected invoice that keeps the number of a rejected one.
pub fn rejected_number_reused(other_id: i64, number: &str) -> Finding {
    Finding::new(
        Code::RejectedNumberReused,
        Severity::Error,
        format!(
            "Le numéro {number} est celui d'une facture rejetée (facture #{other_id}) : le portail rejettera de nouveau une facture qui garde ce numéro."
        ),
        format!(
            "Number {number} belongs to a rejected invoice (invoice #{other_id}): the portal rejects again an invoice that keeps it."
        ),
        "Donnez un nouveau numéro à la facture corrigée, dans votre logiciel et donc dans le PDF, puis déposez-la de nouveau.",
        "Give the corrected invoice a new number, in your software and so in the PDF, then drop it again.",
    )
}

/// Another document with the same number, not sent yet.
pub fn same_number_not_sent(other_id: i64, number: &str) -> Finding {
    Finding::new(
        Code::SameNumberNotSent,
        Severity::Warning,
        format!(
            "Un autre fichier porte déjà le numéro {number} (facture #{other_id}), pas encore envoyé : l'un des deux est sans doute une ancienne version."
        ),
        format!(
            "Another file already carries number {number} (invoice #{other_id}), not sent yet: one of them is probably an old version."
        ),
        "N'envoyez que la bonne version ; Facteur n'enverra jamais les deux.",
        "Send only the right version; Facteur will never send both.",
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists_read_naturally() {
        let f = scanned(&[2, 3], 4);
        assert!(
            f.message_fr.starts_with("Les pages 2 et 3 sont"),
            "{}",
            f.message_fr
        );
        assert!(
            f.message_en.starts_with("Pages 2 and 3 are"),
            "{}",
            f.message_en
        );
        let f = scanned(&[1], 1);
        assert!(f.message_en.starts_with("The document is a scanned image"));
    }

    #[test]
    fn identifier_messages_keep_their_article() {
        let f = identifier_invalid("l'IBAN", "IBAN", "FR00");
        assert!(
            f.message_fr.starts_with("L'IBAN\u{a0}«") || f.message_fr.starts_with("L'IBAN «\u{a0}"),
            "{}",
            f.message_fr
        );
        assert!(f.message_en.starts_with("The IBAN \"FR00\""));
        let f = identifier_placeholder("le SIREN du client", "customer SIREN", "N/A");
        assert!(
            f.message_fr.starts_with("Le SIREN du client contient"),
            "{}",
            f.message_fr
        );
        assert!(signed(2, false).message_en.contains("2 signatures)"));
        assert!(signed(1, false).message_fr.contains("1 signature)"));
    }

    #[test]
    fn sizes_use_local_decimal_separator() {
        let f = too_large(45_200_000, 40_000_000, true);
        assert!(f.message_fr.contains("45,2 Mo"), "{}", f.message_fr);
        assert!(f.message_en.contains("45.2 MB"), "{}", f.message_en);
    }

    #[test]
    fn codes_serialise_as_their_names() {
        for code in [
            Code::NotPdf,
            Code::ScannedOcr,
            Code::XmlTextMismatch,
            Code::StructuredPartialProfile,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn not_pdf_names_the_impostor_in_both_languages() {
        let f = not_pdf("JPEG image");
        assert_eq!(
            f.message_fr,
            "Ce fichier n'est pas un PDF\u{a0}: c'est une image JPEG."
        );
        assert_eq!(f.message_en, "This file is not a PDF: it is a JPEG image.");
        assert_eq!(
            not_pdf("empty file").message_en,
            "This file is not a PDF: it is an empty file."
        );
    }
}
