//! The business terms (BT-1 … BT-165) and groups (BG-1 … BG-32) of the
//! EN 16931 semantic model, each with its official English name and its
//! French name, and [`bt_of`], which tells which of them a failed rule of the
//! official stylesheets is about.
//!
//! The English names are those of EN 16931-1:2017. The French names follow
//! the French edition (NF EN 16931-1) and the FNFE-MPE Factur-X documents as
//! far as they are known here; where the wording of the printed standard
//! differs slightly, the meaning is the same.
//!
//! Deliberately not here: the Factur-X EXTENDED and French CTC extension terms
//! (`BT-X-…`, `EXT-FR-FE-…`), which are not part of the semantic model; the
//! cardinalities and the syntax paths of each term; any judging of a value.

use crate::check::finding::Lang;

/// One business term or group of the semantic model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// `BT-27`, `BG-4`.
    pub id: &'static str,
    /// The official English name.
    pub en: &'static str,
    /// The French name.
    pub fr: &'static str,
}

impl Term {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.fr,
            Lang::En => self.en,
        }
    }
}

const fn t(id: &'static str, en: &'static str, fr: &'static str) -> Term {
    Term { id, en, fr }
}

/// Every term and group, in the order of the model's numbering. There is no
/// BT-4: the number was withdrawn before the standard was published.
pub static TERMS: &[Term] = &[
    t("BT-1", "Invoice number", "Numéro de facture"),
    t(
        "BT-2",
        "Invoice issue date",
        "Date d'émission de la facture",
    ),
    t("BT-3", "Invoice type code", "Code de type de facture"),
    t(
        "BT-5",
        "Invoice currency code",
        "Code de devise de la facture",
    ),
    t(
        "BT-6",
        "VAT accounting currency code",
        "Code de devise de comptabilisation de la TVA",
    ),
    t(
        "BT-7",
        "Value added tax point date",
        "Date d'exigibilité de la TVA",
    ),
    t(
        "BT-8",
        "Value added tax point date code",
        "Code de date d'exigibilité de la TVA",
    ),
    t("BT-9", "Payment due date", "Date d'échéance du paiement"),
    t("BT-10", "Buyer reference", "Référence de l'acheteur"),
    t("BT-11", "Project reference", "Référence du projet"),
    t("BT-12", "Contract reference", "Référence du contrat"),
    t(
        "BT-13",
        "Purchase order reference",
        "Référence du bon de commande",
    ),
    t(
        "BT-14",
        "Sales order reference",
        "Référence de la commande client",
    ),
    t(
        "BT-15",
        "Receiving advice reference",
        "Référence de l'avis de réception",
    ),
    t(
        "BT-16",
        "Despatch advice reference",
        "Référence de l'avis d'expédition",
    ),
    t(
        "BT-17",
        "Tender or lot reference",
        "Référence de l'appel d'offres ou du lot",
    ),
    t(
        "BT-18",
        "Invoiced object identifier",
        "Identifiant de l'objet facturé",
    ),
    t(
        "BT-19",
        "Buyer accounting reference",
        "Référence comptable de l'acheteur",
    ),
    t("BT-20", "Payment terms", "Conditions de paiement"),
    t(
        "BT-21",
        "Invoice note subject code",
        "Code du sujet de la note",
    ),
    t("BT-22", "Invoice note", "Note de facture"),
    t("BT-23", "Business process type", "Type de processus métier"),
    t(
        "BT-24",
        "Specification identifier",
        "Identifiant de spécification",
    ),
    t(
        "BT-25",
        "Preceding Invoice reference",
        "Référence à une facture antérieure",
    ),
    t(
        "BT-26",
        "Preceding Invoice issue date",
        "Date d'émission de la facture antérieure",
    ),
    t("BT-27", "Seller name", "Nom du vendeur"),
    t("BT-28", "Seller trading name", "Nom commercial du vendeur"),
    t("BT-29", "Seller identifier", "Identifiant du vendeur"),
    t(
        "BT-30",
        "Seller legal registration identifier",
        "Identifiant d'immatriculation légale du vendeur",
    ),
    t(
        "BT-31",
        "Seller VAT identifier",
        "Identifiant à la TVA du vendeur",
    ),
    t(
        "BT-32",
        "Seller tax registration identifier",
        "Identifiant fiscal du vendeur",
    ),
    t(
        "BT-33",
        "Seller additional legal information",
        "Informations juridiques complémentaires sur le vendeur",
    ),
    t(
        "BT-34",
        "Seller electronic address",
        "Adresse électronique du vendeur",
    ),
    t(
        "BT-35",
        "Seller address line 1",
        "Adresse du vendeur — ligne 1",
    ),
    t(
        "BT-36",
        "Seller address line 2",
        "Adresse du vendeur — ligne 2",
    ),
    t("BT-37", "Seller city", "Localité du vendeur"),
    t("BT-38", "Seller post code", "Code postal du vendeur"),
    t(
        "BT-39",
        "Seller country subdivision",
        "Subdivision du pays du vendeur",
    ),
    t("BT-40", "Seller country code", "Code de pays du vendeur"),
    t(
        "BT-41",
        "Seller contact point",
        "Point de contact du vendeur",
    ),
    t(
        "BT-42",
        "Seller contact telephone number",
        "Numéro de téléphone du contact du vendeur",
    ),
    t(
        "BT-43",
        "Seller contact email address",
        "Adresse électronique du contact du vendeur",
    ),
    t("BT-44", "Buyer name", "Nom de l'acheteur"),
    t(
        "BT-45",
        "Buyer trading name",
        "Nom commercial de l'acheteur",
    ),
    t("BT-46", "Buyer identifier", "Identifiant de l'acheteur"),
    t(
        "BT-47",
        "Buyer legal registration identifier",
        "Identifiant d'immatriculation légale de l'acheteur",
    ),
    t(
        "BT-48",
        "Buyer VAT identifier",
        "Identifiant à la TVA de l'acheteur",
    ),
    t(
        "BT-49",
        "Buyer electronic address",
        "Adresse électronique de l'acheteur",
    ),
    t(
        "BT-50",
        "Buyer address line 1",
        "Adresse de l'acheteur — ligne 1",
    ),
    t(
        "BT-51",
        "Buyer address line 2",
        "Adresse de l'acheteur — ligne 2",
    ),
    t("BT-52", "Buyer city", "Localité de l'acheteur"),
    t("BT-53", "Buyer post code", "Code postal de l'acheteur"),
    t(
        "BT-54",
        "Buyer country subdivision",
        "Subdivision du pays de l'acheteur",
    ),
    t("BT-55", "Buyer country code", "Code de pays de l'acheteur"),
    t(
        "BT-56",
        "Buyer contact point",
        "Point de contact de l'acheteur",
    ),
    t(
        "BT-57",
        "Buyer contact telephone number",
        "Numéro de téléphone du contact de l'acheteur",
    ),
    t(
        "BT-58",
        "Buyer contact email address",
        "Adresse électronique du contact de l'acheteur",
    ),
    t("BT-59", "Payee name", "Nom du bénéficiaire"),
    t("BT-60", "Payee identifier", "Identifiant du bénéficiaire"),
    t(
        "BT-61",
        "Payee legal registration identifier",
        "Identifiant d'immatriculation légale du bénéficiaire",
    ),
    t(
        "BT-62",
        "Seller tax representative name",
        "Nom du représentant fiscal du vendeur",
    ),
    t(
        "BT-63",
        "Seller tax representative VAT identifier",
        "Identifiant à la TVA du représentant fiscal du vendeur",
    ),
    t(
        "BT-64",
        "Tax representative address line 1",
        "Adresse du représentant fiscal — ligne 1",
    ),
    t(
        "BT-65",
        "Tax representative address line 2",
        "Adresse du représentant fiscal — ligne 2",
    ),
    t(
        "BT-66",
        "Tax representative city",
        "Localité du représentant fiscal",
    ),
    t(
        "BT-67",
        "Tax representative post code",
        "Code postal du représentant fiscal",
    ),
    t(
        "BT-68",
        "Tax representative country subdivision",
        "Subdivision du pays du représentant fiscal",
    ),
    t(
        "BT-69",
        "Tax representative country code",
        "Code de pays du représentant fiscal",
    ),
    t(
        "BT-70",
        "Deliver to party name",
        "Nom du destinataire de la livraison",
    ),
    t(
        "BT-71",
        "Deliver to location identifier",
        "Identifiant du lieu de livraison",
    ),
    t(
        "BT-72",
        "Actual delivery date",
        "Date effective de livraison",
    ),
    t(
        "BT-73",
        "Invoicing period start date",
        "Date de début de la période de facturation",
    ),
    t(
        "BT-74",
        "Invoicing period end date",
        "Date de fin de la période de facturation",
    ),
    t(
        "BT-75",
        "Deliver to address line 1",
        "Adresse de livraison — ligne 1",
    ),
    t(
        "BT-76",
        "Deliver to address line 2",
        "Adresse de livraison — ligne 2",
    ),
    t("BT-77", "Deliver to city", "Localité de livraison"),
    t("BT-78", "Deliver to post code", "Code postal de livraison"),
    t(
        "BT-79",
        "Deliver to country subdivision",
        "Subdivision du pays de livraison",
    ),
    t(
        "BT-80",
        "Deliver to country code",
        "Code de pays de livraison",
    ),
    t(
        "BT-81",
        "Payment means type code",
        "Code de type de moyen de paiement",
    ),
    t(
        "BT-82",
        "Payment means text",
        "Libellé du moyen de paiement",
    ),
    t("BT-83", "Remittance information", "Avis de paiement"),
    t(
        "BT-84",
        "Payment account identifier",
        "Identifiant du compte de paiement",
    ),
    t("BT-85", "Payment account name", "Nom du compte de paiement"),
    t(
        "BT-86",
        "Payment service provider identifier",
        "Identifiant du prestataire de services de paiement",
    ),
    t(
        "BT-87",
        "Payment card primary account number",
        "Numéro principal de la carte de paiement",
    ),
    t(
        "BT-88",
        "Payment card holder name",
        "Nom du titulaire de la carte de paiement",
    ),
    t(
        "BT-89",
        "Mandate reference identifier",
        "Identifiant de référence du mandat",
    ),
    t(
        "BT-90",
        "Bank assigned creditor identifier",
        "Identifiant du créancier attribué par la banque",
    ),
    t(
        "BT-91",
        "Debited account identifier",
        "Identifiant du compte débité",
    ),
    t(
        "BT-92",
        "Document level allowance amount",
        "Montant de la remise au niveau du document",
    ),
    t(
        "BT-93",
        "Document level allowance base amount",
        "Montant de base de la remise au niveau du document",
    ),
    t(
        "BT-94",
        "Document level allowance percentage",
        "Pourcentage de la remise au niveau du document",
    ),
    t(
        "BT-95",
        "Document level allowance VAT category code",
        "Code de catégorie de TVA de la remise au niveau du document",
    ),
    t(
        "BT-96",
        "Document level allowance VAT rate",
        "Taux de TVA de la remise au niveau du document",
    ),
    t(
        "BT-97",
        "Document level allowance reason",
        "Motif de la remise au niveau du document",
    ),
    t(
        "BT-98",
        "Document level allowance reason code",
        "Code de motif de la remise au niveau du document",
    ),
    t(
        "BT-99",
        "Document level charge amount",
        "Montant des frais au niveau du document",
    ),
    t(
        "BT-100",
        "Document level charge base amount",
        "Montant de base des frais au niveau du document",
    ),
    t(
        "BT-101",
        "Document level charge percentage",
        "Pourcentage des frais au niveau du document",
    ),
    t(
        "BT-102",
        "Document level charge VAT category code",
        "Code de catégorie de TVA des frais au niveau du document",
    ),
    t(
        "BT-103",
        "Document level charge VAT rate",
        "Taux de TVA des frais au niveau du document",
    ),
    t(
        "BT-104",
        "Document level charge reason",
        "Motif des frais au niveau du document",
    ),
    t(
        "BT-105",
        "Document level charge reason code",
        "Code de motif des frais au niveau du document",
    ),
    t(
        "BT-106",
        "Sum of Invoice line net amount",
        "Somme des montants nets des lignes de facture",
    ),
    t(
        "BT-107",
        "Sum of allowances on document level",
        "Somme des remises au niveau du document",
    ),
    t(
        "BT-108",
        "Sum of charges on document level",
        "Somme des frais au niveau du document",
    ),
    t(
        "BT-109",
        "Invoice total amount without VAT",
        "Montant total de la facture hors TVA",
    ),
    t(
        "BT-110",
        "Invoice total VAT amount",
        "Montant total de la TVA de la facture",
    ),
    t(
        "BT-111",
        "Invoice total VAT amount in accounting currency",
        "Montant total de la TVA de la facture en devise de comptabilisation",
    ),
    t(
        "BT-112",
        "Invoice total amount with VAT",
        "Montant total de la facture TVA comprise",
    ),
    t("BT-113", "Paid amount", "Montant payé"),
    t("BT-114", "Rounding amount", "Montant de l'arrondi"),
    t("BT-115", "Amount due for payment", "Montant à payer"),
    t(
        "BT-116",
        "VAT category taxable amount",
        "Base d'imposition de la catégorie de TVA",
    ),
    t(
        "BT-117",
        "VAT category tax amount",
        "Montant de la TVA de la catégorie",
    ),
    t("BT-118", "VAT category code", "Code de catégorie de TVA"),
    t("BT-119", "VAT category rate", "Taux de la catégorie de TVA"),
    t(
        "BT-120",
        "VAT exemption reason text",
        "Motif d'exonération de la TVA",
    ),
    t(
        "BT-121",
        "VAT exemption reason code",
        "Code de motif d'exonération de la TVA",
    ),
    t(
        "BT-122",
        "Supporting document reference",
        "Référence du document justificatif",
    ),
    t(
        "BT-123",
        "Supporting document description",
        "Description du document justificatif",
    ),
    t(
        "BT-124",
        "External document location",
        "Emplacement du document externe",
    ),
    t("BT-125", "Attached document", "Document joint"),
    t(
        "BT-126",
        "Invoice line identifier",
        "Identifiant de la ligne de facture",
    ),
    t("BT-127", "Invoice line note", "Note de la ligne de facture"),
    t(
        "BT-128",
        "Invoice line object identifier",
        "Identifiant d'objet de la ligne de facture",
    ),
    t("BT-129", "Invoiced quantity", "Quantité facturée"),
    t(
        "BT-130",
        "Invoiced quantity unit of measure code",
        "Code de l'unité de mesure de la quantité facturée",
    ),
    t(
        "BT-131",
        "Invoice line net amount",
        "Montant net de la ligne de facture",
    ),
    t(
        "BT-132",
        "Referenced purchase order line reference",
        "Référence de la ligne de commande",
    ),
    t(
        "BT-133",
        "Invoice line Buyer accounting reference",
        "Référence comptable de l'acheteur pour la ligne",
    ),
    t(
        "BT-134",
        "Invoice line period start date",
        "Date de début de la période de facturation de la ligne",
    ),
    t(
        "BT-135",
        "Invoice line period end date",
        "Date de fin de la période de facturation de la ligne",
    ),
    t(
        "BT-136",
        "Invoice line allowance amount",
        "Montant de la remise sur la ligne",
    ),
    t(
        "BT-137",
        "Invoice line allowance base amount",
        "Montant de base de la remise sur la ligne",
    ),
    t(
        "BT-138",
        "Invoice line allowance percentage",
        "Pourcentage de la remise sur la ligne",
    ),
    t(
        "BT-139",
        "Invoice line allowance reason",
        "Motif de la remise sur la ligne",
    ),
    t(
        "BT-140",
        "Invoice line allowance reason code",
        "Code de motif de la remise sur la ligne",
    ),
    t(
        "BT-141",
        "Invoice line charge amount",
        "Montant des frais sur la ligne",
    ),
    t(
        "BT-142",
        "Invoice line charge base amount",
        "Montant de base des frais sur la ligne",
    ),
    t(
        "BT-143",
        "Invoice line charge percentage",
        "Pourcentage des frais sur la ligne",
    ),
    t(
        "BT-144",
        "Invoice line charge reason",
        "Motif des frais sur la ligne",
    ),
    t(
        "BT-145",
        "Invoice line charge reason code",
        "Code de motif des frais sur la ligne",
    ),
    t("BT-146", "Item net price", "Prix net de l'article"),
    t(
        "BT-147",
        "Item price discount",
        "Rabais sur le prix de l'article",
    ),
    t("BT-148", "Item gross price", "Prix brut de l'article"),
    t(
        "BT-149",
        "Item price base quantity",
        "Quantité de base du prix de l'article",
    ),
    t(
        "BT-150",
        "Item price base quantity unit of measure code",
        "Code de l'unité de mesure de la quantité de base du prix",
    ),
    t(
        "BT-151",
        "Invoiced item VAT category code",
        "Code de catégorie de TVA de l'article facturé",
    ),
    t(
        "BT-152",
        "Invoiced item VAT rate",
        "Taux de TVA de l'article facturé",
    ),
    t("BT-153", "Item name", "Nom de l'article"),
    t("BT-154", "Item description", "Description de l'article"),
    t(
        "BT-155",
        "Item Seller's identifier",
        "Identifiant de l'article attribué par le vendeur",
    ),
    t(
        "BT-156",
        "Item Buyer's identifier",
        "Identifiant de l'article attribué par l'acheteur",
    ),
    t(
        "BT-157",
        "Item standard identifier",
        "Identifiant normalisé de l'article",
    ),
    t(
        "BT-158",
        "Item classification identifier",
        "Identifiant de classification de l'article",
    ),
    t(
        "BT-159",
        "Item country of origin",
        "Pays d'origine de l'article",
    ),
    t(
        "BT-160",
        "Item attribute name",
        "Nom de l'attribut de l'article",
    ),
    t(
        "BT-161",
        "Item attribute value",
        "Valeur de l'attribut de l'article",
    ),
    t(
        "BT-162",
        "Seller address line 3",
        "Adresse du vendeur — ligne 3",
    ),
    t(
        "BT-163",
        "Buyer address line 3",
        "Adresse de l'acheteur — ligne 3",
    ),
    t(
        "BT-164",
        "Tax representative address line 3",
        "Adresse du représentant fiscal — ligne 3",
    ),
    t(
        "BT-165",
        "Deliver to address line 3",
        "Adresse de livraison — ligne 3",
    ),
    t("BG-1", "INVOICE NOTE", "NOTE DE FACTURE"),
    t("BG-2", "PROCESS CONTROL", "CONTRÔLE DU PROCESSUS"),
    t(
        "BG-3",
        "PRECEDING INVOICE REFERENCE",
        "RÉFÉRENCE À UNE FACTURE ANTÉRIEURE",
    ),
    t("BG-4", "SELLER", "VENDEUR"),
    t(
        "BG-5",
        "SELLER POSTAL ADDRESS",
        "ADRESSE POSTALE DU VENDEUR",
    ),
    t("BG-6", "SELLER CONTACT", "CONTACT DU VENDEUR"),
    t("BG-7", "BUYER", "ACHETEUR"),
    t(
        "BG-8",
        "BUYER POSTAL ADDRESS",
        "ADRESSE POSTALE DE L'ACHETEUR",
    ),
    t("BG-9", "BUYER CONTACT", "CONTACT DE L'ACHETEUR"),
    t("BG-10", "PAYEE", "BÉNÉFICIAIRE"),
    t(
        "BG-11",
        "SELLER TAX REPRESENTATIVE PARTY",
        "REPRÉSENTANT FISCAL DU VENDEUR",
    ),
    t(
        "BG-12",
        "SELLER TAX REPRESENTATIVE POSTAL ADDRESS",
        "ADRESSE POSTALE DU REPRÉSENTANT FISCAL DU VENDEUR",
    ),
    t("BG-13", "DELIVERY INFORMATION", "INFORMATIONS DE LIVRAISON"),
    t("BG-14", "INVOICING PERIOD", "PÉRIODE DE FACTURATION"),
    t("BG-15", "DELIVER TO ADDRESS", "ADRESSE DE LIVRAISON"),
    t("BG-16", "PAYMENT INSTRUCTIONS", "INSTRUCTIONS DE PAIEMENT"),
    t("BG-17", "CREDIT TRANSFER", "VIREMENT"),
    t(
        "BG-18",
        "PAYMENT CARD INFORMATION",
        "INFORMATIONS SUR LA CARTE DE PAIEMENT",
    ),
    t("BG-19", "DIRECT DEBIT", "PRÉLÈVEMENT"),
    t(
        "BG-20",
        "DOCUMENT LEVEL ALLOWANCES",
        "REMISES AU NIVEAU DU DOCUMENT",
    ),
    t(
        "BG-21",
        "DOCUMENT LEVEL CHARGES",
        "FRAIS AU NIVEAU DU DOCUMENT",
    ),
    t("BG-22", "DOCUMENT TOTALS", "TOTAUX DU DOCUMENT"),
    t("BG-23", "VAT BREAKDOWN", "VENTILATION DE LA TVA"),
    t(
        "BG-24",
        "ADDITIONAL SUPPORTING DOCUMENTS",
        "DOCUMENTS JUSTIFICATIFS ADDITIONNELS",
    ),
    t("BG-25", "INVOICE LINE", "LIGNE DE FACTURE"),
    t(
        "BG-26",
        "INVOICE LINE PERIOD",
        "PÉRIODE DE FACTURATION DE LA LIGNE",
    ),
    t("BG-27", "INVOICE LINE ALLOWANCES", "REMISES SUR LA LIGNE"),
    t("BG-28", "INVOICE LINE CHARGES", "FRAIS SUR LA LIGNE"),
    t("BG-29", "PRICE DETAILS", "DÉTAIL DU PRIX"),
    t(
        "BG-30",
        "LINE VAT INFORMATION",
        "INFORMATIONS SUR LA TVA DE LA LIGNE",
    ),
    t("BG-31", "ITEM INFORMATION", "INFORMATIONS SUR L'ARTICLE"),
    t("BG-32", "ITEM ATTRIBUTES", "ATTRIBUTS DE L'ARTICLE"),
];

/// The term or group `id` (`BT-22`, `bg-4`; surrounding blanks and case do
/// not matter), if the model has it.
pub fn term(id: &str) -> Option<&'static Term> {
    let id = id.trim();
    TERMS.iter().find(|t| t.id.eq_ignore_ascii_case(id))
}

/// The name of the term or group `bt` in `lang`.
pub fn name(bt: &str, lang: Lang) -> Option<&'static str> {
    term(bt).map(|t| t.name(lang))
}

/// The business term a failed rule is about, from its id and its message.
///
/// Every official message names the term it constrains first: the French
/// rules in their heading (`BR-FR-05/BT-22 : …`, `[BR-FR-15/BT-151] : …`), the
/// European rules in their sentence (`[BR-CO-10]-Sum of Invoice line net
/// amount (BT-106) = …`). The French ids carry it too (`BR-FR-05_BT-22_PMT`,
/// `BR-FR-CO-10_BT-46-1`, `BR-FR-01_BT-1-2`, where the trailing `-1`/`-2`
/// numbers the assert, not the term), but not always the right one: the CII
/// `BR-FR-15_BT-95_BT-151` is about BT-151, as its message says. So: the first
/// business term of the message, else of the id, else a group (message, then
/// id). Only terms of the model count: the Factur-X extension numbers
/// (`BT-173`, `BT-X-…`), the French extension (`EXT-FR-FE-BG-12`) and the
/// withdrawn `BT-4` (a typing slip in one French id) are passed over, so the
/// answer always has a name in [`TERMS`].
pub fn bt_of(id: &str, message: &str) -> Option<String> {
    first(message, "BT")
        .or_else(|| first(id, "BT"))
        .or_else(|| first(message, "BG"))
        .or_else(|| first(id, "BG"))
        .map(|t| t.id.to_string())
}

/// The first `BT-n` / `BG-n` (as `prefix`) in `s` that the model has. A
/// mention counts only when it starts a word: `EXT-FR-FE-BG-12` is the French
/// extension's group, not BG-12.
fn first(s: &str, prefix: &str) -> Option<&'static Term> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(pos) = s[from..].find(prefix) {
        let start = from + pos;
        from = start + prefix.len();
        let starts_word = start == 0 || {
            let before = bytes[start - 1];
            !(before.is_ascii_alphanumeric() || before == b'-')
        };
        if !starts_word || bytes.get(from) != Some(&b'-') {
            continue;
        }
        let digits: String = s[from + 1..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits.is_empty() || digits.starts_with('0') {
            continue;
        }
        if let Some(t) = term(&format!("{prefix}-{digits}")) {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_term_and_group_of_the_model_once() {
        let ids: HashSet<&str> = TERMS.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), TERMS.len(), "an id is listed twice");
        for n in 1..=165 {
            let id = format!("BT-{n}");
            assert_eq!(ids.contains(id.as_str()), n != 4, "{id}");
        }
        for n in 1..=32 {
            assert!(ids.contains(format!("BG-{n}").as_str()), "BG-{n}");
        }
        assert_eq!(TERMS.len(), 164 + 32);
    }

    #[test]
    fn names_are_filled_and_translated() {
        for t in TERMS {
            assert!(
                !t.en.trim().is_empty() && !t.fr.trim().is_empty(),
                "{}",
                t.id
            );
            assert!(!t.en.contains("BT-") && !t.fr.contains("BT-"), "{}", t.id);
        }
        // Most names differ between the languages; the few that are the same
        // word in both would be a sign of a copy left untranslated if many.
        let same = TERMS.iter().filter(|t| t.en == t.fr).count();
        assert_eq!(same, 0);
    }

    #[test]
    fn name_in_each_language() {
        assert_eq!(
            name("BT-106", Lang::En),
            Some("Sum of Invoice line net amount")
        );
        assert_eq!(
            name("BT-106", Lang::Fr),
            Some("Somme des montants nets des lignes de facture")
        );
        assert_eq!(name(" bt-49 ", Lang::En), Some("Buyer electronic address"));
        assert_eq!(name("BG-23", Lang::Fr), Some("VENTILATION DE LA TVA"));
        assert_eq!(name("BT-4", Lang::En), None);
        assert_eq!(name("BT-166", Lang::En), None);
        assert_eq!(name("BT-X-123", Lang::En), None);
    }

    #[test]
    fn term_from_a_french_rule_id() {
        assert_eq!(bt_of("BR-FR-05_BT-22_PMT", "").as_deref(), Some("BT-22"));
        assert_eq!(bt_of("BR-FR-12_BT-49", "").as_deref(), Some("BT-49"));
        // The UBL ids number their asserts after the term.
        assert_eq!(bt_of("BR-FR-01_BT-1-2", "").as_deref(), Some("BT-1"));
        assert_eq!(bt_of("BR-FR-05_BT-22-3", "").as_deref(), Some("BT-22"));
        assert_eq!(bt_of("BR-FR-CO-10_BT-46-1", "").as_deref(), Some("BT-46"));
        assert_eq!(bt_of("BR-FR-16_BT-96_BT-103", "").as_deref(), Some("BT-96"));
        assert_eq!(bt_of("BR-FR-27_BG-32", "").as_deref(), Some("BG-32"));
        assert_eq!(bt_of("BR-FR-MV-05_EXT-FR-FE-BG-12", ""), None);
    }

    #[test]
    fn message_term_wins_and_terms_beat_groups() {
        // The CII id names BT-95 first; the rule is about the line's category.
        assert_eq!(
            bt_of(
                "BR-FR-15_BT-95_BT-151",
                "BR-FR-15/BT-151 : Code de catégorie de TVA invalide."
            )
            .as_deref(),
            Some("BT-151")
        );
        assert_eq!(
            bt_of(
                "BR-FR-05_BT-22_AAB",
                "BR-FR-05/BT-22 : … est obligatoire dans les notes (BG-1)."
            )
            .as_deref(),
            Some("BT-22")
        );
        // A group named before a term: the term is what the rule constrains.
        assert_eq!(
            bt_of(
                "BR-52",
                "[BR-52]-Each Additional supporting document (BG-24) shall contain a \
                 Supporting document reference (BT-122)."
            )
            .as_deref(),
            Some("BT-122")
        );
        assert_eq!(
            bt_of(
                "BR-16",
                "[BR-16]-An Invoice shall have at least one Invoice line (BG-25)."
            )
            .as_deref(),
            Some("BG-25")
        );
    }

    #[test]
    fn extension_and_unknown_numbers_are_skipped() {
        // The French extension's group, then a term of the model.
        assert_eq!(
            bt_of(
                "BR-FR-MV-05_EXT-FR-FE-BG-12",
                "Lorsque le cadre de facturation (BT-23) est S8…"
            )
            .as_deref(),
            Some("BT-23")
        );
        // BT-4 does not exist: the message decides.
        assert_eq!(
            bt_of("BR-FR-CO-04_BT-4", "Le type de facture (BT-3) …").as_deref(),
            Some("BT-3")
        );
        // Factur-X EXTENDED numbers beyond the model are passed over.
        assert_eq!(
            bt_of("BR-FXEXT-X", "reason (BT-177) or (BT-104)").as_deref(),
            Some("BT-104")
        );
        assert_eq!(
            bt_of("FX-SCH-A-000556", "Value of 'ram:ID' is not allowed."),
            None
        );
        assert_eq!(
            bt_of(
                "PEPPOL-EN16931-R008",
                "Document MUST not contain empty elements."
            ),
            None
        );
    }
}
