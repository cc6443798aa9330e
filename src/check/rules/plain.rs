//! Plain words for the rules a shop owner meets most: for each, one short
//! sentence saying what is wrong and one saying what to change in the
//! invoicing software, in French and in English.
//!
//! The official messages are written for the people who build invoicing
//! software (element paths, code list names, rule arithmetic); the person
//! whose invoice was refused needs to know what to ask for or which setting to
//! change. The wording here never names an XML element, a path or a bare
//! business term number: the screens show the term's name beside it (see
//! [`super::terms`]). The `einvoice_rule` findings are built here
//! ([`rule_finding`]), so the checker's wording module never depends on the
//! rules.
//!
//! Deliberately not here: the official message itself (it is shown as well,
//! untouched), rules outside the list below (they keep their official
//! message only), deciding when a rule fails (the stylesheets do).
//!
//! # The forty rules, and why these
//!
//! Chosen from what fails in real files, not from the whole catalogue: the
//! typical rejections plateformes and users report (`structured.md`), what the
//! official stylesheets report on the Factur-X/ZUGFeRD/XRechnung invoices of
//! the shared corpus, on Facteur's UBL fixtures, and on a clean French
//! EN 16931 invoice changed one usual mistake at a time (run with Saxon-HE,
//! the reference engine).
//!
//! - **French rules every invoice made before the reform or outside France
//!   fails**: each of the ten CII invoices of the corpus (the other two are
//!   ZUGFeRD 1, another syntax) fails the three payment notes BR-FR-05 (PMT,
//!   PMD, AAB), the billing framework BR-FR-08, the seller's SIREN BR-FR-10
//!   and the seller's electronic address BR-FR-13, most the buyer's BR-FR-12,
//!   half BR-FR-16 (a VAT rate France does not have: 19, 7); both UBL
//!   fixtures fail BR-FR-05 and BR-FR-08.
//! - **French rules on identifiers and formats** that the changed invoice
//!   trips: a SIRET where the SIREN goes (BR-FR-10 and BR-FR-32), the buyer's
//!   SIREN (BR-FR-11), invoice numbers with spaces or dots (BR-FR-02, on a
//!   corpus invoice too) or too long (BR-FR-01), the issue date (BR-FR-03), the
//!   document type (BR-FR-04, two corpus invoices), a credit note without the
//!   invoice it corrects (BR-FR-CO-05), an attachment described by its file
//!   name (BR-FR-17, on the corpus's XRechnung), amounts with three decimals
//!   (BR-FR-DEC-01), an identifier without its scheme (BR-FR-CO-10, both UBL
//!   fixtures).
//! - **The European sums**, reported as the first rejections by users and
//!   fired by any rounding slip: BR-CO-10, BR-CO-13, BR-CO-14, BR-CO-15 (also
//!   when the total VAT lacks its currency), BR-CO-16, BR-CO-17 with BR-S-09
//!   (the same check on standard-rated VAT), BR-S-08 (base per rate), and the
//!   two-decimal rules BR-DEC-*.
//! - **VAT categories** as small businesses use them: standard rate without
//!   the seller's VAT number (BR-S-02/03/04) or with a zero rate
//!   (BR-S-05/06/07), exempt without a reason (BR-E-10, the micro-business
//!   « art. 293 B »), reverse charge without a reason (BR-AE-10) or without
//!   both VAT numbers (BR-AE-02/03/04), intra-community supply without them
//!   (BR-IC-02/03/04), a line without a category (BR-CO-04), a seller with no
//!   identifier at all (BR-CO-26).
//! - **Code lists**: an electronic address without a scheme (BR-62/BR-63 and
//!   the Factur-X equivalents) or with an unknown one (BR-CL-25 in UBL; the
//!   Factur-X code-list checks, on two German corpus invoices using 9958, a
//!   scheme no longer listed), currency (BR-CL-03/04/05), unit of measure
//!   (BR-CL-23), VAT category (BR-CL-17/18, BR-FR-15), and the profile
//!   identifier a Factur-X stylesheet does not know (the corpus's XRechnung,
//!   which the EN 16931 stylesheet checks).
//!
//! Left out although named in the reference: CII-DT-031 (currencyID on an
//! amount): the committed Factur-X stylesheets express it as a report with no
//! id (« Attribute @currencyID' marked as not used »), so there is no id to
//! hang words on.
//!
//! The Factur-X profile stylesheets name their code-list checks
//! `FX-SCH-A-nnnnnn`, numbered per stylesheet; the ids listed here are those
//! of the same check (same context, same message) in each profile, and no id
//! means two different checks in two stylesheets. The MINIMUM and BASIC
//! stylesheets also report European rules under such ids, with the rule in
//! the message (`[BR-CO-10]-…`): [`plain_for`] reads it there.

use serde::Serialize;

use super::{Failure, Flag, Unevaluated};
use crate::check::finding::{Code, Finding, Lang, Severity, typo_fr};

/// The plain words for one rule (serialised as they are written, without the
/// French typography [`Plain::text`] adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plain {
    /// What is wrong, in French.
    pub fr: &'static str,
    /// What is wrong, in English.
    pub en: &'static str,
    /// What to change in the invoicing software, in French.
    pub fix_fr: &'static str,
    /// What to change in the invoicing software, in English.
    pub fix_en: &'static str,
}

impl Plain {
    /// What is wrong in `lang` (French typography applied).
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => typo_fr(self.fr),
            Lang::En => self.en.to_string(),
        }
    }

    /// What to change in `lang` (French typography applied).
    pub fn fix(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => typo_fr(self.fix_fr),
            Lang::En => self.fix_en.to_string(),
        }
    }
}

/// One rule: the ids it has in the stylesheets (CII and UBL, each profile),
/// and its words.
struct Entry {
    ids: &'static [&'static str],
    plain: Plain,
}

const fn e(
    ids: &'static [&'static str],
    fr: &'static str,
    en: &'static str,
    fix_fr: &'static str,
    fix_en: &'static str,
) -> Entry {
    Entry {
        ids,
        plain: Plain {
            fr,
            en,
            fix_fr,
            fix_en,
        },
    }
}

static ENTRIES: &[Entry] = &[
    // ---- French rules (BR-FR, Flux 2) ----
    e(
        &["BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22-1"],
        "La mention de l'indemnité forfaitaire pour frais de recouvrement (40 €) manque dans les notes de la facture.",
        "The note stating the fixed recovery fee for late payment (€40) is missing from the invoice.",
        "Ajoutez dans votre logiciel de facturation une note de code « PMT » qui reprend l'indemnité forfaitaire pour frais de recouvrement.",
        "In your invoicing software, add a note with subject code PMT stating the fixed recovery fee.",
    ),
    e(
        &["BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22-2"],
        "La mention des pénalités de retard manque dans les notes de la facture.",
        "The note stating the late payment penalties is missing from the invoice.",
        "Ajoutez dans votre logiciel une note de code « PMD » qui donne le taux des pénalités de retard, même s'il s'agit du taux légal.",
        "In your software, add a note with subject code PMD giving the late payment penalty rate, even when it is the legal rate.",
    ),
    e(
        &["BR-FR-05_BT-22_AAB", "BR-FR-05_BT-22-3"],
        "La mention de l'escompte pour paiement anticipé, ou de son absence, manque dans les notes de la facture.",
        "The note about a discount for early payment, or the lack of one, is missing from the invoice.",
        "Ajoutez dans votre logiciel une note de code « AAB », par exemple « Pas d'escompte pour paiement anticipé ».",
        "In your software, add a note with subject code AAB, for example \"No discount for early payment\".",
    ),
    e(
        &["BR-FR-08_BT-23"],
        "Le cadre de facturation manque ou n'est pas reconnu : la facture doit dire si elle porte sur des biens, des services ou les deux.",
        "The billing framework is missing or not recognised: the invoice must say whether it covers goods, services or both.",
        "Réglez dans votre logiciel le cadre de facturation de la facture : B1 pour des biens, S1 pour des services, M1 pour les deux, ou le code prévu pour votre cas (acompte, facture déjà payée…).",
        "Set the invoice's billing framework in your software: B1 for goods, S1 for services, M1 for both, or the code meant for your case (deposit, invoice already paid…).",
    ),
    e(
        &["BR-FR-10_BT-30"],
        "Le SIREN du vendeur manque ou ne compte pas exactement 9 chiffres.",
        "The seller's SIREN is missing or is not exactly 9 digits.",
        "Renseignez dans les paramètres de votre entreprise le SIREN à 9 chiffres (et non le SIRET à 14 chiffres) comme identifiant légal, avec le schéma 0002.",
        "In your company settings, enter the 9-digit SIREN (not the 14-digit SIRET) as the legal registration identifier, with scheme 0002.",
    ),
    e(
        &["BR-FR-11_BT-47"],
        "Le SIREN du client manque ou ne compte pas exactement 9 chiffres, alors que la facture est adressée à une entreprise.",
        "The customer's SIREN is missing or is not exactly 9 digits, although the invoice is addressed to a business.",
        "Complétez la fiche de ce client avec son SIREN à 9 chiffres, que vous trouvez sur ses propres factures ou dans l'annuaire des entreprises.",
        "Complete this customer's record with their 9-digit SIREN, found on their own invoices or in the French business directory.",
    ),
    e(
        &["BR-FR-12_BT-49"],
        "L'adresse de facturation électronique du client manque.",
        "The customer's electronic invoicing address is missing.",
        "Renseignez sur la fiche du client son adresse de facturation électronique (le plus souvent son SIREN, avec le schéma 0225 de l'annuaire) pour que sa plateforme reçoive la facture.",
        "Enter the customer's electronic invoicing address in their record (most often their SIREN, with the directory's scheme 0225) so that their platform receives the invoice.",
    ),
    e(
        &["BR-FR-13_BT-34"],
        "Votre propre adresse de facturation électronique manque.",
        "Your own electronic invoicing address is missing.",
        "Renseignez dans les paramètres de votre entreprise votre adresse de facturation électronique (le plus souvent votre SIREN, avec le schéma 0225 de l'annuaire).",
        "Enter your own electronic invoicing address in your company settings (most often your SIREN, with the directory's scheme 0225).",
    ),
    e(
        &[
            "BR-FR-16_BT-119",
            "BR-FR-16_BT-152",
            "BR-FR-16_BT-96_BT-103",
            "BR-FR-16_BT-96",
            "BR-FR-16_BT-103",
        ],
        "Un taux de TVA n'est pas un taux en vigueur en France, ou n'est pas écrit en pourcentage.",
        "A VAT rate is not one in force in France, or is not written as a percentage.",
        "Vérifiez les taux de TVA de votre logiciel : ils s'écrivent en pourcentage sans le signe %, par exemple 20, 10, 5.5 ou 2.1, et non 0.2 ni un ancien taux comme 19.6.",
        "Check the VAT rates in your software: they are written as a percentage without the % sign, for example 20, 10, 5.5 or 2.1, not 0.2 nor an old rate such as 19.6.",
    ),
    e(
        &["BR-FR-04_BT-3"],
        "Ce type de document n'est pas admis en France.",
        "This type of document is not accepted in France.",
        "Vérifiez le type de document que met votre logiciel : 380 pour une facture, 381 pour un avoir, 386 pour une facture d'acompte, 384 pour une facture rectificative.",
        "Check the document type your software sets: 380 for an invoice, 381 for a credit note, 386 for a prepayment invoice, 384 for a corrective invoice.",
    ),
    e(
        &["BR-FR-01_BT-1", "BR-FR-01_BT-1-1"],
        "Le numéro de facture dépasse 35 caractères.",
        "The invoice number is longer than 35 characters.",
        "Raccourcissez le format de numérotation des factures dans votre logiciel à 35 caractères au plus.",
        "Shorten the invoice numbering format in your software to 35 characters at most.",
    ),
    e(
        &["BR-FR-02_BT-1", "BR-FR-01_BT-1-2"],
        "Le numéro de facture contient des caractères interdits : seuls les lettres, les chiffres et les signes + - _ / sont admis, sans espace.",
        "The invoice number contains characters that are not allowed: only letters, digits and the signs + - _ / are, without spaces.",
        "Changez le format de numérotation de votre logiciel pour qu'il n'utilise ni espace, ni point, ni d'autre signe que + - _ /.",
        "Change your software's numbering format so that it uses no spaces, no dots and no signs other than + - _ /.",
    ),
    e(
        &["BR-FR-03_BT-2"],
        "La date de la facture n'est pas une date complète valable (année entre 2000 et 2099, mois, jour).",
        "The invoice date is not a complete valid date (year between 2000 and 2099, month, day).",
        "Vérifiez que votre logiciel écrit la date de facture complète, année sur 4 chiffres, dans le format de la norme et sans heure ni texte.",
        "Check that your software writes the full invoice date, with a 4-digit year, in the standard's format and without time or text.",
    ),
    e(
        &["BR-FR-32-LEGALID", "BR-FR-32-GLOBALID", "BR-FR-32-ID"],
        "Un identifiant présenté comme un SIREN ne compte pas exactement 9 chiffres, souvent parce qu'un SIRET a été saisi à sa place.",
        "An identifier presented as a SIREN is not exactly 9 digits, often because a SIRET was entered in its place.",
        "Dans les fiches de votre entreprise et de vos clients, mettez le SIREN (9 chiffres) dans le champ SIREN et le SIRET (14 chiffres) dans le champ SIRET, sans espace.",
        "In your company and customer records, put the SIREN (9 digits) in the SIREN field and the SIRET (14 digits) in the SIRET field, without spaces.",
    ),
    e(
        &["BR-FR-CO-05_BT-3"],
        "L'avoir ne cite pas la facture qu'il corrige, avec son numéro et sa date.",
        "The credit note does not cite the invoice it corrects, with its number and date.",
        "Créez l'avoir dans votre logiciel à partir de la facture d'origine, pour que son numéro et sa date y soient repris.",
        "Create the credit note in your software from the original invoice, so that its number and date are carried over.",
    ),
    e(
        &["BR-FR-17_BT-123"],
        "La description d'une pièce jointe n'est pas l'un des codes admis en France.",
        "The description of an attachment is not one of the codes accepted in France.",
        "Décrivez chaque pièce jointe dans votre logiciel par un code de la liste française, par exemple BON_LIVRAISON, BON_COMMANDE, RIB ou DOCUMENT_ANNEXE, plutôt que par son nom de fichier.",
        "In your software, describe each attachment with a code from the French list, for example BON_LIVRAISON, BON_COMMANDE, RIB or DOCUMENT_ANNEXE, rather than with its file name.",
    ),
    e(
        &[
            "BR-FR-DEC-01_BT-106",
            "BR-FR-DEC-01_BT-107",
            "BR-FR-DEC-01_BT-108",
            "BR-FR-DEC-01_BT-109",
            "BR-FR-DEC-01_BT-110",
            "BR-FR-DEC-01_BT-111",
            "BR-FR-DEC-01_BT-112",
            "BR-FR-DEC-01_BT-113",
            "BR-FR-DEC-01_BT-114",
            "BR-FR-DEC-01_BT-115",
            "BR-FR-DEC-01_BT-116",
            "BR-FR-DEC-01_BT-117",
            "BR-FR-DEC-01_BT-131",
            "BR-FR-DEC-01_BT-136_BT-141",
            "BR-FR-DEC-01_BT-137_BT-142",
            "BR-FR-DEC-01_BT-92_BT-99",
            "BR-FR-DEC-01_BT-93_BT-100",
        ],
        "Un montant est mal écrit : plus de 2 décimales, une virgule au lieu du point, ou trop de chiffres.",
        "An amount is badly written: more than 2 decimals, a comma instead of a point, or too many digits.",
        "Réglez votre logiciel pour qu'il arrondisse chaque montant à 2 décimales et l'écrive avec un point décimal, sans séparateur de milliers.",
        "Set your software to round every amount to 2 decimals and write it with a decimal point, without thousands separators.",
    ),
    e(
        &[
            "BR-FR-CO-10_BT-29-1",
            "BR-FR-CO-10_BT-46-1",
            "BR-FR-CO-10_BT-60-1",
            "BR-FR-CO-10_BT-71-1",
            "BR-FR-CO-10_EXT-FR-FE-06-1",
            "BR-FR-CO-10_EXT-FR-FE-46-1",
            "BR-FR-CO-10_EXT-FR-FE-69-1",
            "BR-FR-CO-10_EXT-FR-FE-92-1",
            "BR-FR-CO-10_EXT-FR-FE-115-1",
            "BR-FR-CO-10_EXT-FR-FE-146-1",
        ],
        "Un identifiant d'entreprise est donné sans préciser de quelle sorte il est (SIREN, SIRET, numéro de TVA…).",
        "A company identifier is given without saying what kind it is (SIREN, SIRET, VAT number…).",
        "Indiquez dans votre logiciel le schéma de chaque identifiant, 0002 pour un SIREN et 0009 pour un SIRET, ou laissez le champ vide si vous ne connaissez pas l'identifiant.",
        "In your software, give each identifier its scheme, 0002 for a SIREN and 0009 for a SIRET, or leave the field empty if you do not know the identifier.",
    ),
    // ---- European sums and decimals (EN 16931) ----
    e(
        &["BR-CO-10", "BR-FXEXT-CO-10"],
        "Le total HT des lignes ne correspond pas à la somme des lignes.",
        "The lines total does not match the sum of the lines.",
        "Vérifiez dans votre logiciel que chaque ligne est arrondie à 2 décimales avant d'être additionnée, et que le total des lignes est recalculé après toute modification.",
        "Check in your software that each line is rounded to 2 decimals before being added up, and that the lines total is recomputed after any change.",
    ),
    e(
        &["BR-CO-13", "BR-FXEXT-CO-13"],
        "Le total HT de la facture n'est pas égal au total des lignes, moins les remises, plus les frais.",
        "The invoice total without VAT is not the lines total minus allowances plus charges.",
        "Vérifiez que votre logiciel transmet les remises et frais accordés sur l'ensemble de la facture et les compte dans le total HT.",
        "Check that your software sends the allowances and charges made on the whole invoice and counts them in the total without VAT.",
    ),
    e(
        &["BR-CO-14"],
        "Le total de TVA n'est pas égal à la somme des montants de TVA de chaque taux.",
        "The total VAT is not the sum of the VAT amounts of each rate.",
        "Vérifiez que votre logiciel calcule la TVA taux par taux, arrondit chaque montant à 2 décimales, puis les additionne pour obtenir le total.",
        "Check that your software computes VAT rate by rate, rounds each amount to 2 decimals, then adds them up for the total.",
    ),
    e(
        &["BR-CO-15", "BR-FXEXT-CO-15"],
        "Le total TTC n'est pas égal au total HT plus la TVA.",
        "The total with VAT is not the total without VAT plus the VAT.",
        "Vérifiez que votre logiciel calcule le TTC à partir du HT et de la TVA déjà arrondis, et qu'il indique la devise de la facture sur le total de TVA.",
        "Check that your software computes the total with VAT from the already rounded total without VAT and VAT, and states the invoice currency on the total VAT.",
    ),
    e(
        &["BR-CO-16", "BR-FXEXT-CO-16"],
        "Le montant à payer n'est pas égal au total TTC moins ce qui a déjà été payé.",
        "The amount due is not the total with VAT minus what has already been paid.",
        "Vérifiez que votre logiciel transmet les acomptes déjà reçus comme montant payé, et non comme une ligne ou une remise.",
        "Check that your software sends deposits already received as the paid amount, not as a line or an allowance.",
    ),
    e(
        &["BR-CO-17", "BR-S-09", "BR-FXEXT-S-09b"],
        "Un montant de TVA ne correspond pas à sa base multipliée par son taux.",
        "A VAT amount does not match its taxable base multiplied by its rate.",
        "Vérifiez que votre logiciel calcule la TVA de chaque taux sur le total HT de ce taux, arrondie à 2 décimales, plutôt qu'en additionnant la TVA de chaque ligne.",
        "Check that your software computes the VAT of each rate on the total without VAT of that rate, rounded to 2 decimals, rather than adding up the VAT of each line.",
    ),
    e(
        &["BR-S-08", "BR-FXEXT-S08b"],
        "La base HT déclarée pour un taux de TVA ne correspond pas au total des lignes à ce taux.",
        "The taxable base stated for a VAT rate does not match the total of the lines at that rate.",
        "Vérifiez que chaque ligne porte le bon taux de TVA et que votre logiciel regroupe les bases par taux en comptant les remises et frais sur l'ensemble de la facture.",
        "Check that each line carries the right VAT rate and that your software groups the bases by rate, counting the allowances and charges on the whole invoice.",
    ),
    e(
        &[
            "BR-DEC-01",
            "BR-DEC-02",
            "BR-DEC-05",
            "BR-DEC-06",
            "BR-DEC-09",
            "BR-DEC-10",
            "BR-DEC-11",
            "BR-DEC-12",
            "BR-DEC-13",
            "BR-DEC-14",
            "BR-DEC-15",
            "BR-DEC-16",
            "BR-DEC-17",
            "BR-DEC-18",
            "BR-DEC-19",
            "BR-DEC-20",
            "BR-DEC-23",
            "BR-DEC-24",
            "BR-DEC-25",
            "BR-DEC-27",
            "BR-DEC-28",
        ],
        "Un montant a plus de 2 décimales.",
        "An amount has more than 2 decimals.",
        "Réglez votre logiciel pour arrondir à 2 décimales tous les montants de la facture (lignes, remises, frais, totaux, TVA), seuls les prix unitaires pouvant en avoir davantage.",
        "Set your software to round every amount of the invoice (lines, allowances, charges, totals, VAT) to 2 decimals (only unit prices may have more).",
    ),
    // ---- VAT categories (EN 16931) ----
    e(
        &["BR-S-02", "BR-S-03", "BR-S-04"],
        "La facture applique la TVA au taux normal mais ne donne pas votre numéro de TVA intracommunautaire.",
        "The invoice charges VAT at the standard rate but does not give your VAT number.",
        "Renseignez votre numéro de TVA (FR suivi de 11 chiffres) dans les paramètres de votre entreprise, ou, si vous êtes en franchise de TVA, facturez en catégorie exonérée avec la mention de l'article 293 B du CGI.",
        "Enter your VAT number (FR followed by 11 digits) in your company settings, or, if you are under the VAT franchise, invoice in the exempt category with the article 293 B CGI statement.",
    ),
    e(
        &["BR-S-05", "BR-S-06", "BR-S-07"],
        "Une ligne, une remise ou des frais au taux normal de TVA ont un taux nul ou absent.",
        "A line, allowance or charge at the standard VAT rate has a zero or missing rate.",
        "Donnez dans votre logiciel son taux à chaque article soumis à la TVA (20, 10, 5.5…), et pour un article exonéré choisissez la catégorie d'exonération plutôt qu'un taux de 0.",
        "In your software, give each taxable item its rate (20, 10, 5.5…), and for an exempt item choose the exempt category rather than a 0 rate.",
    ),
    e(
        &["BR-E-10"],
        "Une TVA exonérée est déclarée sans motif d'exonération.",
        "An exempt VAT category is declared without an exemption reason.",
        "Ajoutez dans votre logiciel le motif d'exonération, par exemple « TVA non applicable, art. 293 B du CGI » pour une micro-entreprise, ou le code VATEX qui convient.",
        "Add the exemption reason in your software, for example \"TVA non applicable, art. 293 B du CGI\" for a French micro-business, or the matching VATEX code.",
    ),
    e(
        &["BR-AE-10"],
        "L'autoliquidation de la TVA est déclarée sans la mention qui la justifie.",
        "Reverse charge is declared without the statement that justifies it.",
        "Ajoutez dans votre logiciel le motif « Autoliquidation » (code VATEX-EU-AE) à la TVA concernée.",
        "Add the reason \"Reverse charge\" (code VATEX-EU-AE) to the VAT concerned in your software.",
    ),
    e(
        &["BR-AE-02", "BR-AE-03", "BR-AE-04"],
        "L'autoliquidation demande le numéro de TVA du vendeur et celui du client, et l'un des deux manque.",
        "Reverse charge needs both the seller's and the customer's VAT numbers, and one of them is missing.",
        "Renseignez votre numéro de TVA dans vos paramètres et celui du client sur sa fiche avant de facturer en autoliquidation.",
        "Enter your VAT number in your settings and the customer's in their record before invoicing under reverse charge.",
    ),
    e(
        &["BR-IC-02", "BR-IC-03", "BR-IC-04"],
        "Une livraison intracommunautaire demande le numéro de TVA du vendeur et celui du client, et l'un des deux manque.",
        "An intra-community supply needs both the seller's and the customer's VAT numbers, and one of them is missing.",
        "Renseignez votre numéro de TVA et celui du client européen sur sa fiche, après l'avoir vérifié sur le service VIES de la Commission européenne.",
        "Enter your VAT number and the EU customer's in their record, after checking it on the European Commission's VIES service.",
    ),
    e(
        &["BR-CO-04", "BR-FXEXT-CO-04"],
        "Une ligne de la facture n'a pas de catégorie de TVA.",
        "A line of the invoice has no VAT category.",
        "Vérifiez que chaque article ou prestation de votre logiciel a une catégorie de TVA (taux normal, exonéré, autoliquidation…), y compris les lignes de frais.",
        "Check that every item or service in your software has a VAT category (standard, exempt, reverse charge…), fee lines included.",
    ),
    e(
        &["BR-CO-26"],
        "Le vendeur n'est identifié ni par un SIREN, ni par un numéro de TVA, ni par aucun autre identifiant.",
        "The seller is identified neither by a registration number, nor by a VAT number, nor by any other identifier.",
        "Renseignez votre SIREN et votre numéro de TVA dans les paramètres de votre entreprise.",
        "Enter your company registration number (the SIREN in France) and your VAT number in your company settings.",
    ),
    // ---- Addresses and code lists ----
    e(
        &["BR-62", "BR-63", "FX-SCH-A-000428", "FX-SCH-A-000446"],
        "Une adresse de facturation électronique est donnée sans préciser de quelle sorte elle est.",
        "An electronic invoicing address is given without saying what kind it is.",
        "Indiquez dans votre logiciel le schéma de chaque adresse de facturation électronique, 0225 pour une adresse de l'annuaire français ou EM pour une adresse e-mail.",
        "In your software, give each electronic invoicing address its scheme, 0225 for an address of the French directory or EM for an e-mail address.",
    ),
    e(
        &[
            "BR-CL-25",
            "FX-SCH-A-000582",
            "FX-SCH-A-000782",
            "FX-SCH-A-000447",
            "FX-SCH-A-000571",
            "FX-SCH-A-000704",
            "FX-SCH-A-000429",
        ],
        "La sorte d'une adresse de facturation électronique n'est pas un code reconnu.",
        "The kind of an electronic invoicing address is not a recognised code.",
        "Remplacez dans votre logiciel les libellés comme « SIRET » ou « email » et les codes qui ne sont plus listés par les codes officiels : 0225 pour l'annuaire français, 0009 pour un SIRET, EM pour une adresse e-mail.",
        "In your software, replace labels such as \"SIRET\" or \"email\" and codes no longer listed with the official codes: 0225 for the French directory, 0009 for a SIRET, EM for an e-mail address.",
    ),
    e(
        &[
            "BR-CL-03",
            "BR-CL-04",
            "BR-CL-05",
            "FX-SCH-A-000595",
            "FX-SCH-A-000861",
            "FX-SCH-A-000040",
            "FX-SCH-A-000464",
            "FX-SCH-A-000606",
            "FX-SCH-A-001006",
            "FX-SCH-A-000486",
        ],
        "Un code de devise n'est pas un code reconnu.",
        "A currency code is not a recognised code.",
        "Utilisez dans votre logiciel le code de la devise en 3 lettres (EUR, et non € ou EURO).",
        "Use the 3-letter currency code in your software (EUR, not € or EURO).",
    ),
    e(
        &[
            "BR-CL-23",
            "FX-SCH-A-000613",
            "FX-SCH-A-001076",
            "FX-SCH-A-000275",
        ],
        "Une unité de mesure n'est pas un code reconnu.",
        "A unit of measure is not a recognised code.",
        "Associez à chaque unité de votre logiciel son code officiel (C62 pour une pièce, HUR pour une heure, DAY pour un jour, KGM pour un kilogramme) au lieu de « pcs » ou « h ».",
        "Map each unit in your software to its official code (C62 for a piece, HUR for an hour, DAY for a day, KGM for a kilogram) instead of \"pcs\" or \"h\".",
    ),
    e(
        &[
            "BR-CL-17",
            "BR-CL-18",
            "FX-SCH-A-000619",
            "FX-SCH-A-001128",
            "FX-SCH-A-000179",
            "BR-FR-15_BT-95_BT-102",
            "BR-FR-15_BT-95_BT-118",
            "BR-FR-15_BT-95_BT-151",
            "BR-FR-15_BT-95_BT-102-1",
            "BR-FR-15_BT-118-1",
            "BR-FR-15_BT-151-1",
        ],
        "Un code de catégorie de TVA n'est pas reconnu.",
        "A VAT category code is not recognised.",
        "Utilisez dans votre logiciel les catégories officielles : S (taux normal), E (exonéré), AE (autoliquidation), K (livraison intracommunautaire), G (export), O (hors champ), Z (taux zéro).",
        "Use the official categories in your software: S (standard rate), E (exempt), AE (reverse charge), K (intra-community supply), G (export), O (outside the scope), Z (zero rated).",
    ),
    e(
        &[
            "FX-SCH-A-000556",
            "FX-SCH-A-000636",
            "FX-SCH-A-000026",
            "FX-SCH-A-000418",
        ],
        "L'identifiant de profil de la facture n'est pas un profil Factur-X reconnu.",
        "The invoice's profile identifier is not a recognised Factur-X profile.",
        "Choisissez dans votre logiciel un profil Factur-X, EN 16931 de préférence, car une facture XRechnung ou d'un autre pays doit être exportée en Factur-X pour la France.",
        "Choose a Factur-X profile in your software, EN 16931 preferably, because an XRechnung or other national invoice must be exported as Factur-X for France.",
    ),
];

/// The plain words for the rule whose id is `id`, exactly as the stylesheets
/// write it (`BR-FR-05_BT-22_PMT` in CII, `BR-FR-05_BT-22-1` in UBL).
pub fn plain(id: &str) -> Option<&'static Plain> {
    ENTRIES
        .iter()
        .find(|e| e.ids.contains(&id))
        .map(|e| &e.plain)
}

/// Like [`plain`], and when the id has no words of its own, the rule the
/// message names in its heading: the Factur-X MINIMUM and BASIC stylesheets
/// report European rules under their own ids (`FX-SCH-A-000047` with the
/// message `[BR-45]-Each VAT breakdown …`).
pub fn plain_for(id: &str, message: &str) -> Option<&'static Plain> {
    plain(id).or_else(|| {
        let rest = message.trim_start().strip_prefix('[')?;
        let named = &rest[..rest.find(']')?];
        plain(named.trim())
    })
}

/// Every id that has plain words, for the screens and the tests.
pub fn ids() -> impl Iterator<Item = &'static str> {
    ENTRIES.iter().flat_map(|e| e.ids.iter().copied())
}

/// How many rules have plain words (several ids may be one rule).
pub fn rules() -> usize {
    ENTRIES.len()
}

// The findings of the official rules: their words live here, with the
// rules, so the checker's wording module never depends on the rules.

/// One failed official rule: its own id first (what the software vendor's
/// support asks for), the business term, then the official message; the
/// hint says where the fix is made. A fatal rule is an error, a warning a
/// warning; neither changes the deposit verdict ([`Code::EinvoiceRule`]).
pub fn rule_finding(f: &Failure) -> Finding {
    let severity = match f.flag {
        Flag::Fatal => Severity::Error,
        Flag::Warning => Severity::Warning,
    };
    let term = |lang| {
        f.bt.as_deref()
            .map(|b| match super::terms::name(b, lang) {
                Some(n) => format!(" ({b}, {n})"),
                None => format!(" ({b})"),
            })
            .unwrap_or_default()
    };
    let (fr, en, hint_fr, hint_en) = match plain_for(&f.id, &f.message) {
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
pub fn unevaluated_finding(u: &Unevaluated) -> Finding {
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
pub fn rules_failed_finding(error: &str) -> Finding {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::terms;
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;
    use quick_xml::reader::Reader;
    use std::collections::{HashMap, HashSet};
    use std::path::PathBuf;

    /// One assert of an official stylesheet, as the file writes it.
    struct Assert {
        file: String,
        id: String,
        message: String,
    }

    fn official_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/check/rules/official")
    }

    /// Every stylesheet committed under `src/check/rules/official`.
    fn stylesheets() -> Vec<PathBuf> {
        let mut out = Vec::new();
        for dir in std::fs::read_dir(official_dir()).expect("official rules folder") {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
                if ext == "xsl" || ext == "xslt" {
                    out.push(f);
                }
            }
        }
        out.sort();
        assert!(out.len() >= 8, "stylesheets missing: {out:?}");
        out
    }

    /// Every `svrl:failed-assert` of every stylesheet: its id (an attribute of
    /// the element or an `xsl:attribute name="id"` child) and its message (the
    /// text of `svrl:text`, computed parts left out, blanks collapsed).
    fn asserts() -> Vec<Assert> {
        let mut out = Vec::new();
        for path in stylesheets() {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = path
                .strip_prefix(official_dir())
                .unwrap()
                .display()
                .to_string();
            let mut reader = Reader::from_str(&text);
            let mut in_assert = false;
            let mut in_id = false;
            let mut in_text = false;
            let (mut id, mut message) = (String::new(), String::new());
            loop {
                match reader.read_event().expect("stylesheet parses") {
                    Event::Start(s) => match s.name().as_ref() {
                        "svrl:failed-assert" => {
                            in_assert = true;
                            id.clear();
                            message.clear();
                            for a in s.attributes().flatten() {
                                if a.key.as_ref() == "id" {
                                    id = a.value.into_owned();
                                }
                            }
                        }
                        "xsl:attribute" if in_assert => {
                            in_id = s
                                .attributes()
                                .flatten()
                                .any(|a| a.key.as_ref() == "name" && a.value == "id");
                        }
                        "svrl:text" if in_assert => in_text = true,
                        _ => {}
                    },
                    Event::Text(t) => {
                        let t: &str = &t;
                        if in_id {
                            id.push_str(t.trim());
                        } else if in_text {
                            message.push_str(t);
                        }
                    }
                    Event::GeneralRef(r) if in_text => {
                        let s = match r.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            _ => resolve_predefined_entity(&r).unwrap_or("").to_string(),
                        };
                        message.push_str(&s);
                    }
                    Event::End(e) => match e.name().as_ref() {
                        "xsl:attribute" => in_id = false,
                        "svrl:text" => in_text = false,
                        "svrl:failed-assert" => {
                            in_assert = false;
                            out.push(Assert {
                                file: file.clone(),
                                id: id.clone(),
                                message: message.split_whitespace().collect::<Vec<_>>().join(" "),
                            });
                        }
                        _ => {}
                    },
                    Event::Eof => break,
                    _ => {}
                }
            }
        }
        out
    }

    #[test]
    fn the_reader_finds_the_asserts_of_each_stylesheet() {
        let all = asserts();
        let files: HashSet<&str> = all.iter().map(|a| a.file.as_str()).collect();
        assert_eq!(
            files.len(),
            stylesheets().len(),
            "a stylesheet without asserts"
        );
        assert!(all.iter().all(|a| !a.id.is_empty()), "an assert without id");
        let known = |id: &str, start: &str| {
            all.iter()
                .any(|a| a.id == id && a.message.starts_with(start))
        };
        assert!(known(
            "BR-CO-10",
            "[BR-CO-10]-Sum of Invoice line net amount (BT-106)"
        ));
        assert!(known("BR-FR-05_BT-22_PMT", "BR-FR-05/BT-22 : La mention"));
        assert!(known("BR-FR-05_BT-22-1", "[BR-FR-05/BT-22] : La mention"));
    }

    #[test]
    fn forty_rules_and_no_id_twice() {
        assert_eq!(rules(), 40);
        let mut seen = HashSet::new();
        for id in ids() {
            assert!(seen.insert(id), "{id} has words twice");
        }
    }

    #[test]
    fn every_id_is_an_assert_of_an_official_stylesheet() {
        let all: HashSet<String> = asserts().into_iter().map(|a| a.id).collect();
        let missing: Vec<&str> = ids().filter(|id| !all.contains(*id)).collect();
        assert!(missing.is_empty(), "not in any stylesheet: {missing:?}");
    }

    #[test]
    fn each_factur_x_id_means_one_check_wherever_it_appears() {
        // FX-SCH-A numbers are given per stylesheet: an id listed here must
        // carry the same message in every stylesheet that has it.
        let mut messages: HashMap<String, HashSet<String>> = HashMap::new();
        for a in asserts() {
            if a.id.starts_with("FX-SCH-A-") {
                messages.entry(a.id).or_default().insert(a.message);
            }
        }
        for id in ids().filter(|id| id.starts_with("FX-SCH-A-")) {
            let m = &messages[id];
            assert_eq!(m.len(), 1, "{id} means several things: {m:?}");
        }
    }

    #[test]
    fn the_same_french_rule_is_covered_in_cii_and_ubl() {
        for (cii, ubl) in [
            ("BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22-1"),
            ("BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22-2"),
            ("BR-FR-05_BT-22_AAB", "BR-FR-05_BT-22-3"),
            ("BR-FR-01_BT-1", "BR-FR-01_BT-1-1"),
            ("BR-FR-02_BT-1", "BR-FR-01_BT-1-2"),
            ("BR-FR-15_BT-95_BT-151", "BR-FR-15_BT-151-1"),
        ] {
            assert!(
                plain(cii).is_some() && plain(cii) == plain(ubl),
                "{cii} / {ubl}"
            );
        }
        assert!(plain("BR-FR-05_BT-22").is_none(), "ids match exactly");
    }

    #[test]
    fn sentences_are_plain_full_and_translated() {
        // What an official message has and a shop owner should not read.
        let jargon = [
            "ram:", "cbc:", "cac:", "rsm:", "udt:", "/", "@", "[", "]", "::", "BT-", "BG-",
            "xpath", "XPath",
        ];
        for e in ENTRIES {
            let p = &e.plain;
            for (what, s) in [
                ("fr", p.fr),
                ("en", p.en),
                ("fix_fr", p.fix_fr),
                ("fix_en", p.fix_en),
            ] {
                let id = e.ids[0];
                assert!(!s.trim().is_empty(), "{id} {what} empty");
                assert!(
                    s.ends_with('.'),
                    "{id} {what} does not end with a full stop: {s}"
                );
                // A slash is allowed in « + - _ / », the signs an invoice
                // number may contain; nowhere else.
                let s_wo_signs = s.replace("+ - _ /", "");
                for j in jargon {
                    assert!(!s_wo_signs.contains(j), "{id} {what} contains {j:?}: {s}");
                }
            }
            assert_ne!(p.fr, p.en, "{}", e.ids[0]);
            assert_ne!(p.fix_fr, p.fix_en, "{}", e.ids[0]);
            assert_ne!(p.fr, p.fix_fr, "{}", e.ids[0]);
        }
    }

    #[test]
    fn french_typography_is_applied() {
        let p = plain("BR-FR-08_BT-23").unwrap();
        assert!(p.text(Lang::Fr).contains("reconnu\u{a0}:"));
        assert_eq!(p.text(Lang::En), p.en);
        assert!(
            plain("BR-FR-05_BT-22_PMT")
                .unwrap()
                .fix(Lang::Fr)
                .contains("«\u{a0}PMT\u{a0}»")
        );
    }

    #[test]
    fn a_rule_named_in_the_message_of_a_profile_stylesheet() {
        // The BASIC stylesheet reports BR-CO-10 under an id of its own.
        let all = asserts();
        let wrapped = all
            .iter()
            .find(|a| {
                a.file.starts_with("facturx-basic/")
                    && a.id.starts_with("FX-SCH-A-")
                    && a.message.starts_with("[BR-CO-10]")
            })
            .expect("BASIC wraps BR-CO-10");
        assert!(plain(&wrapped.id).is_none());
        assert_eq!(plain_for(&wrapped.id, &wrapped.message), plain("BR-CO-10"));
        assert_eq!(plain_for("FX-SCH-A-999999", "no heading"), None);
        assert_eq!(plain_for("BR-CO-10", ""), plain("BR-CO-10"));
    }

    #[test]
    fn bt_of_names_only_terms_of_the_model_that_the_rule_mentions() {
        // Over every assert of every stylesheet: the answer is a term of the
        // model that the id or the message does name, and every assert that
        // names one (at the start of a word) gets one.
        let mention =
            regex::Regex::new(r"(?:^|[^-A-Za-z0-9])(B[TG]-[1-9][0-9]*)(?:[^0-9]|$)").unwrap();
        let names_term = |s: &str| {
            mention
                .captures_iter(s)
                .any(|c| terms::term(&c[1]).is_some())
        };
        let all = asserts();
        let mut with_term = 0;
        for a in &all {
            let got = terms::bt_of(&a.id, &a.message);
            if let Some(bt) = &got {
                assert!(terms::term(bt).is_some(), "{}: {bt} not in the model", a.id);
                let named = |s: &str| mention.captures_iter(s).any(|c| &c[1] == bt);
                assert!(
                    named(&a.id) || named(&a.message),
                    "{}: {bt} not named",
                    a.id
                );
                with_term += 1;
            }
            assert_eq!(
                got.is_some(),
                names_term(&a.id) || names_term(&a.message),
                "{}: {}",
                a.id,
                a.message
            );
        }
        // The Factur-X cardinality and code-list checks and the UBL
        // restrictions name no term; the business rules do.
        assert!(with_term > 1000, "{with_term} of {}", all.len());
    }

    #[test]
    fn bt_of_on_real_messages_of_each_stylesheet() {
        // (stylesheet, id, the term its message names first), read from the
        // files: the test finds the message and asks bt_of about it.
        let cases = [
            ("cii-schematron-fr-ctc/", "BR-FR-05_BT-22_PMT", "BT-22"),
            ("cii-schematron-fr-ctc/", "BR-FR-15_BT-95_BT-151", "BT-151"),
            ("cii-schematron-fr-ctc/", "BR-FR-CO-05_BT-3", "BT-3"),
            ("cii-schematron-fr-ctc/", "BR-FR-DEC-01_BT-131", "BT-131"),
            ("ubl-2.1/BR-FR", "BR-FR-05_BT-22-1", "BT-22"),
            ("ubl-2.1/BR-FR", "BR-FR-12_BT-49", "BT-49"),
            ("ubl-2.1/BR-FR", "BR-FR-CO-10_BT-46-1", "BT-46"),
            ("ubl-2.1/EN16931", "BR-CO-10", "BT-106"),
            ("ubl-2.1/EN16931", "BR-63", "BT-49"),
            ("ubl-2.1/EN16931", "BR-S-08", "BT-119"),
            ("facturx-en16931/", "BR-CO-14", "BT-110"),
            ("facturx-en16931/", "BR-16", "BG-25"),
            ("facturx-en16931/", "CII-SR-465", "BT-41"),
            ("facturx-extended/", "BR-CO-14", "BT-110"),
            ("facturx-extended/", "BR-FXEXT-CO-16", "BT-115"),
            ("facturx-basicwl/", "BR-CO-13", "BT-109"),
            ("facturx-minimum/", "FX-SCH-A-000390", "BT-118"),
            ("facturx-basic/", "FX-SCH-A-000047", "BT-116"),
        ];
        let all = asserts();
        for (file, id, bt) in cases {
            let a = all
                .iter()
                .find(|a| a.file.starts_with(file) && a.id == id)
                .unwrap_or_else(|| panic!("{id} not in {file}"));
            assert_eq!(
                terms::bt_of(&a.id, &a.message).as_deref(),
                Some(bt),
                "{id} in {file}: {}",
                a.message
            );
        }
        // A cardinality check names no term.
        let card = all
            .iter()
            .find(|a| {
                a.message
                    .starts_with("Element 'ram:SellerTradeParty' must occur")
            })
            .unwrap();
        assert_eq!(terms::bt_of(&card.id, &card.message), None);
    }
}
