//! Findings: what the checker reports about a file, each with a stable code,
//! a severity, and a message and a hint in French and in English.
//!
//! All user-facing wording of the checker lives here, in one place per
//! language. This module deliberately does not decide *when* a finding applies
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
    fn new(
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

/// One failed official rule: its own id first (what the software vendor's
/// support asks for), the business term, then the official message; the
/// hint says where the fix is made. A fatal rule is an error, a warning a
/// warning; neither changes the deposit verdict ([`Code::EinvoiceRule`]).
pub fn einvoice_rule(f: &crate::check::rules::Failure) -> Finding {
    use crate::check::rules::{plain, terms};
    let severity = match f.flag {
        crate::check::rules::Flag::Fatal => Severity::Error,
        crate::check::rules::Flag::Warning => Severity::Warning,
    };
    let term = |lang| {
        f.bt.as_deref()
            .map(|b| match terms::name(b, lang) {
                Some(n) => format!(" ({b}, {n})"),
                None => format!(" ({b})"),
            })
            .unwrap_or_default()
    };
    let (fr, en, hint_fr, hint_en) = match plain::plain_for(&f.id, &f.message) {
        Some(p) => (p.fr.to_string(), p.en.to_string(), p.fix_fr, p.fix_en),
        None => (
            f.message.clone(),
            f.message.clone(),
            "Corrigez la donnée dans votre logiciel de facturation puis exportez de nouveau la facture ; donnez l'identifiant de la règle à son support.",
            "Correct the data in your invoicing software and export the invoice again; give the rule's id to its support.",
        ),
    };
    let mut out = Finding::new(
        Code::EinvoiceRule,
        severity,
        format!("Règle {}{} : {fr}", f.id, term(Lang::Fr)),
        format!("Rule {}{}: {en}", f.id, term(Lang::En)),
        hint_fr,
        hint_en,
    );
    let value = f
        .value
        .as_deref()
        .map(|v| format!(" = « {v} »"))
        .unwrap_or_default();
    out.detail = Some(format!(
        "{} [{}] {}{value} — {}",
        f.id,
        f.set.as_str(),
        f.location,
        f.message
    ));
    out
}

/// A rule that could not be evaluated on this document: it blocks like a
/// failed one (nothing is sent on a guess), and says so.
pub fn einvoice_rule_unevaluated(u: &crate::check::rules::Unevaluated) -> Finding {
    let mut out = Finding::new(
        Code::EinvoiceRule,
        Severity::Error,
        format!(
            "La règle {} n'a pas pu être vérifiée sur cette facture.",
            u.id
        ),
        format!("Rule {} could not be checked on this invoice.", u.id),
        "Les règles officielles elles-mêmes échouent sur certaines factures EXTENDED (deux échéances, deux adresses) : vérifiez la facture auprès de votre plateforme avant de l'envoyer.",
        "The official rules themselves fail on some EXTENDED invoices (two due dates, two addresses): check the invoice with your platform before sending it.",
    );
    out.detail = Some(format!("{} [{}] {}", u.id, u.set.as_str(), u.reason));
    out
}

/// The official rules could not run at all on this XML.
pub fn einvoice_rules_failed(error: &str) -> Finding {
    let mut out = Finding::new(
        Code::EinvoiceRule,
        Severity::Error,
        "Les règles de la facture électronique n'ont pas pu être vérifiées sur ce XML.".into(),
        "The e-invoice rules could not be checked on this XML.".into(),
        "Exportez de nouveau la facture depuis votre logiciel ; si cela persiste, transmettez le fichier à son support.",
        "Export the invoice again from your software; if it persists, send the file to its support.",
    );
    out.detail = Some(error.to_string());
    out
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
