//! The labels of real invoicing programs, in French, English and German:
//! what introduces a number, a date, a reference, an identifier, a party or
//! a total; the titles of a document; the headers of a table's columns;
//! « page 2/3 ».
//!
//! Deliberately only vocabulary: where a label's value sits on the page is
//! the reader's job ([`super::fields`]).

use std::cell::RefCell;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// A label we do not read (payment terms, tax office number, capital…):
    /// it only stops the value of a label before it.
    Ignore,
    CreditNo,
    InvoiceNo,
    IssueDate,
    DueDate,
    /// "Date" / "Datum" alone.
    BareDate,
    CustomerNo,
    BuyerRef,
    OrderRef,
    ContractRef,
    Siret,
    Siren,
    Vat,
    Iban,
    Currency,
    /// A block of the buyer: "Client", "Facturé à", "Bill to"…
    Buyer,
    /// A block of the seller: "Émetteur", "Fournisseur", "From"…
    Seller,
    Due,
    Subtotal,
    WithoutTax,
    WithTax,
    Tax,
}

impl Label {
    pub fn is_total(self) -> bool {
        matches!(
            self,
            Label::Due | Label::Subtotal | Label::WithoutTax | Label::WithTax | Label::Tax
        )
    }
}

/// "n°", "no", "nr", "numéro", "#".
const NUM: &str = r"(?:n\s*[°º˚o]\.?|no\b\.?|nr\b\.?|num[ée]ro\b|num\b\.?|nummer\b|number\b|#)";

/// Where two labels match at the same place, the one listed first wins.
const LABELS: &[(Label, &str)] = &[
    (
        Label::DueDate,
        r"\bdue\s+date\b|\bdate\s+(?:d'\s*|de\s+)?[ée]ch[ée]ance\b|(?:^|\s)[ée]ch[ée]ance\b|\bpayable\s+(?:le|avant\s+le|by|until)\b|\bf[äa]llig(?:keitsdatum|\s+am|\s+bis)?\b|\bzahlbar\s+bis\b|\bnetto\s+bis(?:\s+zum)?\b|\bpayment\s+due\b|\bdate\s+limite\s+de\s+(?:paiement|r[ée]glement)\b|\bvervaldatum\b|\bremit\s+(?:until|by|before)\b|(?:^|\s)[üu]berweisen\s+sie\s+(?:bitte\s+)?bis\s+(?:zum\s+)?",
    ),
    (
        Label::Ignore,
        r"\bdate\s+(?:de\s+|d'\s*)(?:livraison|commande|paiement|r[ée]glement|prestation|ex[ée]cution|exp[ée]dition|d[ée]but|fin|vente|op[ée]ration)\b|\b(?:delivery|order|payment|service|shipping|dispatch|supply)\s+date\b|\b(?:liefer|leistungs|bestell|auftrags)datum\b|\bsteuer\s*-?\s*(?:nummer\b|nr\b\.?)|\bst\.?\s*-?\s*nr\b\.?|\bcapital\b|\bcode\s+(?:ape|naf)\b|\bbic\b|\bswift\b|\brcs\b|\bconditions\s+de\s+(?:paiement|r[ée]glement)\b|\bpayment\s+terms\b|\bzahlungsbedingungen\b|\badresse\s+de\s+livraison\b|\blivr[ée]\s+[àa]\b|\bdelivery\s+address\b|\bship\s+to\b|\bliefer(?:adresse|anschrift)\b|\blieferung\s+an\b|\bsteuernummer\b",
    ),
    (
        Label::CreditNo,
        r"\bfacture\s+d'\s*avoir\s*(?:<NUM>|:)|\b<NUM>\s*(?:de\s+l'\s*|d'\s*)avoir\b|\bavoir\s*<NUM>|\bcredit\s*(?:note|memo)\s*(?:<NUM>|id\b|:)|\bgutschrifts?\s*-?\s*(?:<NUM>|nr\b\.?)|\bgutschriftsnummer\b|\bgutschrift\b[^:]{0,40}?\s<NUM>|\b(?:rechnungskorrektur|stornorechnung)\s*-?\s*(?:<NUM>)",
    ),
    (
        Label::InvoiceNo,
        r"\bfactures?\s*<NUM>|\b<NUM>\s*(?:de\s+)?(?:la\s+)?facture\b|\br[ée]f(?:[ée]rence|\.)?\s+(?:de\s+la\s+)?facture\b|\b(?:tax\s+)?invoice\s*(?:<NUM>|id\b|ref(?:erence)?\b)|\brechnungs\s*-?\s*(?:<NUM>)|\brechnungsnummer\b|\brechnungsnr\b\.?|\b(?:handels|teil|schluss|abschlags|miet|pacht)?rechnung\b[^:]{0,40}?\s<NUM>|\b(?:handels|teil|schluss|abschlags|miet|pacht)?rechnung\s+(?:<NUM>)|\brechnung\s*-?\s*(?:<NUM>)|\bbeleg\s*-?\s*(?:nummer\b|nr\b\.?)|\bfactuur\s*(?:nummer\b|nr\b\.?|<NUM>)|^\s*factuur\s*:?\s*$|\bdocument\s*(?:<NUM>)",
    ),
    (
        Label::IssueDate,
        r"\bdate\s+(?:de\s+(?:la\s+)?)?(?:facture|facturation|l'avoir|d'avoir|l'?\s*[ée]mission)\b|\bdate\s+d'\s*[ée](?:mission|dition)\b|\b(?:invoice|issue|billing|credit\s+note)\s+date\b|\bdate\s+of\s+(?:issue|invoice)\b|\b(?:rechnungs|ausstellungs|gutschrifts|beleg)datum\b|\bfactur[ée]e?\s+le\b|\bfactuur\s*datum\b|(?:^|\s)[ée]mise?\s+le\b|\bissued\s+on\b|\bdated?\b\s*:|^[^\d,:]{2,30},\s+(?:den|le)\s*$",
    ),
    (
        Label::BareDate,
        r"\bdate\b|\bdatum\b|\bfait\s+le\b|\ble\b(?=\s*[0-9])",
    ),
    (
        Label::CustomerNo,
        r"\b<NUM>\s*(?:de\s+)?client\b|\bcode\s+client\b|\br[ée]f(?:[ée]rence|\.)?\s*client\b|\bcompte\s+client\b|\bclient\s*(?:<NUM>|id\b|code\b)|\bcustomer\s*(?:<NUM>|id\b|code\b|ref(?:erence)?\b)|\bkunden\s*-?\s*(?:<NUM>|id\b)|\bkundennummer\b|\bkundennr\b\.?",
    ),
    (
        Label::BuyerRef,
        r"\bcode\s+service\b|\bservice\s+ex[ée]cutant\b|\br[ée]f[ée]rence\s+(?:de\s+l'\s*)?acheteur\b|\bbuyer\s*(?:'s\s*)?ref(?:erence)?\b\.?|\bleitweg\s*-?\s*id\b|\byour\s+ref(?:erence)?\b|\bvotre\s+r[ée]f(?:[ée]rence|\.)?\b|\bihr(?:e)?\s+zeichen\b",
    ),
    (
        Label::OrderRef,
        r"\bbon\s+de\s+commande\b|\b<NUM>\s*(?:de\s+)?commande\b|\bcommande\s*<NUM>|\br[ée]f(?:[ée]rence|\.)?\s*(?:de\s+)?commande\b|\b<NUM>\s*(?:d'\s*)?engagement\b|\bengagement\b|\bp\.?\s*o\.?\s*(?:<NUM>|:)|\bpurchase\s+order\b(?:\s*(?:<NUM>|ref(?:erence)?\b))?|\border\s*(?:<NUM>|ref(?:erence)?\b)|\bbestell\s*-?\s*(?:<NUM>)|\bbestellnummer\b|\bbestellnr\b\.?|\bihre\s+bestellung\b|^\s*bestellung\s*:?\s*$|\byour\s+order\b|\bauftrags\s*-?\s*(?:<NUM>|nummer\b)",
    ),
    (
        Label::ContractRef,
        r"\b(?:<NUM>\s*(?:de\s+)?)?contrat\s*(?:<NUM>)?|\bcontract\s*(?:<NUM>|ref(?:erence)?\b)|\bvertrags\s*-?\s*(?:<NUM>|nummer\b)|\bagreement\s*(?:<NUM>|ref(?:erence)?\b\.?)",
    ),
    (Label::Siret, r"\bsiret\b"),
    (Label::Siren, r"\bsiren\b"),
    (
        Label::Vat,
        r"\btva\s+intra(?:-?\s*com(?:munautaire)?)?\b\.?|\b<NUM>\s*(?:de\s+)?tva\b(?:\s+intra(?:-?\s*com(?:munautaire)?)?\b\.?)?|\bidentifiant\s+(?:de\s+)?tva\b|\bvat\s*(?:reg(?:istration)?\.?\s*)?(?:<NUM>|id\b|code\b)|\bvat\s+identification\b|\bust\.?\s*-?\s*id(?:ent)?\.?\s*-?\s*(?:nr\b\.?|nummer\b|<NUM>)?|\bumsatzsteuer\s*-?\s*id(?:entifikations)?(?:nummer\b|nr\b\.?)?|\bmwst\s*-?\s*(?:nr\b\.?|nummer\b)|\bintra\s*-?\s*com(?:munautaire)?\b|\btax\s+id\b",
    ),
    (Label::Iban, r"\biban\b"),
    (Label::Currency, r"\b(?:devise|currency|w[äa]hrung)\b"),
    (
        Label::Buyer,
        r"^\s*(?:factur[ée]|adress[ée])\s+[àa](?:\s|:|$)|^\s*(?:client|cliente|adresse\s+de\s+facturation|destinataire|acheteur|bill(?:ed)?\s+to|invoice\s+to|sold\s+to|customer|buyer|rechnungsempf[äa]nger|rechnungsadresse|kunde|empf[äa]nger|k[äa]ufer(?:\s*/\s*leistungsempf[äa]nger)?|leistungsempf[äa]nger)\b\s*:?",
    ),
    (
        Label::Seller,
        r"^\s*(?:[ée]metteur|fournisseur|vendeur|prestataire|from|seller|supplier|vendor|lieferant|verk[äa]ufer|rechnungssteller|absender)\b\s*:?",
    ),
    (
        Label::Due,
        r"\b(?:total\s+|montant\s+|solde\s+)?net\s+[àa]\s+payer\b|\b(?:reste|total|montant|solde)\s+(?:restant\s+)?[àa]\s+(?:payer|r[ée]gler)\b|\b(?:reste|montant|solde)\s+d[ûu]\b|\btotal\s+amount\s+(?:due|payable)\b|\bdue\s+payable\b|\b(?:amount|balance|total)\s+(?:due|payable)\b|\bzahlbetrag\b|\bzu\s+zahlen(?:der\s+betrag)?\b|\bzahlungsbetrag\b|\boffener\s+betrag\b|\bnet\s+to\s+pay\b|\bsomme\s+[àa]\s+payer\b|\bmontant\s+[àa]\s+rembourser\b|\bresidual(?:\s+amount)?\b|\brestbetrag\b|\bbalance\s+to\s+pay\b|\bamount\s+to\s+pay\b",
    ),
    (
        Label::Subtotal,
        r"\bsous\s*-?\s*total\b(?:\s+(?:ht\b|hors\s+tax(?:es?)?\b))?|\bsub\s*-?\s*total\b|\bzwischensumme\b|\bpositionssumme\b|\bsumme\s+(?:der\s+)?positionen\b|\btotal\s+(?:des\s+)?lignes\b",
    ),
    (
        Label::WithoutTax,
        r"\btotal\s+(?:net\s+)?(?:ht\b|hors\s+tax(?:es?)?\b|h\.t\.)|\bmontant\s+(?:total\s+)?(?:net\s+)?(?:ht\b|hors\s+tax(?:es?)?\b)|\btotal\s+net\b|\bnet\s+total\b|\btotal\s*\(?\s*(?:excl(?:uding|\.)?|ex\.?|net\s+of|before|without)\s*(?:vat|tax(?:es)?)\b\)?|\bnet\s+amount\b|\bnetto\s*betrag\b|\bsumme\s+netto\b|\bnettosumme\b|\bgesamt\s*(?:betrag\s+)?netto\b|\bnetto\s*summe\b|\bsumme\s+positionen\b|\b(?:rechnungs)?summe\s+ohne\s+(?:ust|mwst|umsatzsteuer)\b\.?|\bsumme\s+netto\b|\btotal\s+hors\s+tva\b|\bbase\s+ht\b|\brechnungssumme\s+netto\b|^\s*netto\s*:?\s*$",
    ),
    (
        Label::WithTax,
        r"\btotal\s+(?:ttc\b|t\.t\.c\.)|\bmontant\s+(?:total\s+)?ttc\b|\btotal\s*\(?\s*(?:incl(?:uding|\.)?|inc\.?|with)\s*(?:vat|tax(?:es)?)\b\)?|\b(?:grand|invoice)\s+total\b|\btotal\s+amount\b|\bbrutto\s*betrag\b|\bgesamtbetrag(?:\s+brutto)?\b|\bsumme\s+brutto\b|\bbruttosumme\b|\brechnungsbetrag\b|\bgesamtsumme\b|\bendbetrag\b|\brechnungssumme\b|\bgutschriftsbetrag\b|\btotal\s+g[ée]n[ée]ral\b|\btotal\s+avoir\b|\btotal\s+facture\b|\bfactuur\s+totaal\b|\btotaal\s+te\s+betalen\b|^\s*total\s+(?:eur|usd|chf|gbp|inr|€)\s*:?\s*$|\btotal\s+for\s+this\s+invoice\b|^\s*total\s*:?\s*$|^\s*brutto\s*:?\s*$|\bgross\s+total\b|\btotal\s*(?:€|eur)\s*(?:incl(?:uding|\.)?|inc\.?)\s*(?:vat|tax(?:es)?)\b|\bsumme\s+gesamt\b",
    ),
    (
        Label::Tax,
        r"\btotal\s+(?:de\s+la\s+)?tva\b|\bmontant\s+(?:de\s+(?:la\s+)?)?tva\b|\btotal\s+(?:vat|tax(?:es)?)\b|\b(?:vat|tax)\s+(?:amount|total)\b|\bmwst\b\.?(?:\s*-?\s*betrag\b)?|\bmehrwertsteuer\b|\bumsatzsteuer\b|\bust\b\.?|\bsumme\s+(?:mwst|ust)\b|\bsteuerbetrag\b|\bsales\s+tax\b|\btva\b|\bvat\b|^\s*tax\s*:?\s*$",
    ),
];

/// Case-insensitive, `\b` an ASCII word boundary.
fn build(pattern: &str) -> Regex {
    RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
        .case_insensitive(true)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .expect("labels: built-in regex is valid")
}

/// Each label's regex, matching as [`build`]'s would (the same engine,
/// leftmost-first), built for searches without capture groups.
static LABEL_RES: LazyLock<Vec<(Label, regex_automata::meta::Regex)>> = LazyLock::new(|| {
    LABELS
        .iter()
        .map(|(k, p)| {
            // The regex crate has no look-ahead; "le" before a digit is
            // written as a plain word here and checked by the caller.
            let p = p
                .replace(r"(?=\s*[0-9])", "")
                .replace("<NUM>", NUM)
                .replace(r"\b", r"(?-u:\b)");
            (*k, crate::text::labels_regex(&[p]))
        })
        .collect()
});

/// One label found in a text: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub label: Label,
    pub start: usize,
    pub end: usize,
}

/// The labels of a text, left to right, non-overlapping (the earliest, then
/// the first listed, then the longest).
pub fn find(text: &str) -> Vec<Hit> {
    // Every label has letters: figures alone (most cells of a table) have
    // none to find.
    if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Vec::new();
    }
    thread_local! {
        static SEEN: RefCell<Seen<Vec<Hit>>> = RefCell::new(Seen::default());
    }
    remembered(&SEEN, text, find_uncached)
}

/// Answers about texts seen lately, per thread, within a bound: the reader
/// asks again and again about the same cells. Hashed with a fast seeded
/// hash (the keys are short cell texts; SipHash was a fifth of a look-up).
type Seen<T> = std::collections::HashMap<String, T, foldhash::fast::RandomState>;

/// The answer kept in `seen` for `text`, else `answer(text)`, kept.
fn remembered<T: Clone>(
    seen: &'static std::thread::LocalKey<RefCell<Seen<T>>>,
    text: &str,
    answer: impl FnOnce(&str) -> T,
) -> T {
    if let Some(known) = seen.with(|s| s.borrow().get(text).cloned()) {
        return known;
    }
    let found = answer(text);
    seen.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() >= 4096 {
            s.clear();
        }
        s.insert(text.to_string(), found.clone());
    });
    found
}

/// Each label's own regex, run on the text. No `RegexSet` in front: its
/// overlapping automaton of all the labels at once was the most costly
/// thing a fresh process built (its lazy states were most of a first
/// check's time), while each label's regex is small and quick to build.
fn find_uncached(text: &str) -> Vec<Hit> {
    let mut all: Vec<(usize, usize, usize)> = Vec::new();
    for (rank, (_, re)) in LABEL_RES.iter().enumerate() {
        for m in re.find_iter(text).take(16) {
            if m.end() > m.start() {
                all.push((m.start(), rank, m.end()));
            }
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
    let mut out: Vec<Hit> = Vec::new();
    let mut pos = 0;
    for (start, rank, end) in all {
        if start < pos {
            continue;
        }
        let label = LABEL_RES[rank].0;
        if label == Label::BareDate && text[start..end].eq_ignore_ascii_case("le") {
            let rest = text[end..].trim_start();
            if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
        }
        out.push(Hit { label, start, end });
        pos = end;
    }
    out
}

/// The document type a title announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {
    Invoice,
    CreditNote,
}

impl Title {
    pub fn code(self) -> &'static str {
        match self {
            Title::Invoice => "380",
            Title::CreditNote => "381",
        }
    }
}

const TITLES: &[(&str, Title)] = &[
    ("facture", Title::Invoice),
    ("invoice", Title::Invoice),
    ("taxinvoice", Title::Invoice),
    ("commercialinvoice", Title::Invoice),
    ("facturecommerciale", Title::Invoice),
    ("facturedacompte", Title::Invoice),
    ("facturefinale", Title::Invoice),
    ("rechnung", Title::Invoice),
    ("factuur", Title::Invoice),
    ("handelsrechnung", Title::Invoice),
    ("teilrechnung", Title::Invoice),
    ("schlussrechnung", Title::Invoice),
    ("abschlagsrechnung", Title::Invoice),
    // A receipt for a payment made (a hotel's, a shop's): a document of its
    // own with a total, though it often prints no invoice number.
    ("paymentreceipt", Title::Invoice),
    ("recudepaiement", Title::Invoice),
    ("zahlungsbeleg", Title::Invoice),
    ("avoir", Title::CreditNote),
    ("facturedavoir", Title::CreditNote),
    ("factureavoir", Title::CreditNote),
    ("notedecredit", Title::CreditNote),
    ("creditnote", Title::CreditNote),
    ("creditmemo", Title::CreditNote),
    ("gutschrift", Title::CreditNote),
    ("rechnungskorrektur", Title::CreditNote),
    ("stornorechnung", Title::CreditNote),
];

const TITLE_SUFFIXES: &[&str] = &[
    "originale",
    "original",
    "duplicata",
    "duplicate",
    "copie",
    "copy",
    "kopie",
    "acquittee",
    "rectificative",
];

/// The type a short text announces when it is a title: "FACTURE",
/// "Facture d'avoir", "F A C T U R E", "INVOICE / FACTURE", "Rechnung".
/// A title may carry its number: "Facture n° F-12" (the number label is
/// then read separately).
pub fn title(text: &str) -> Option<Title> {
    title_and_rest(text).map(|(t, _)| t)
}

/// The title and what follows it in the same text ("Avoir AV-2017-0005":
/// the number), when the text starts with a title.
pub fn title_and_rest(text: &str) -> Option<(Title, &str)> {
    if text.len() > 60 {
        return None;
    }
    let mut found = None;
    let mut rest_at = text.len();
    for (start, part) in split_keep(text) {
        // Words until a digit-bearing word (a number) or a number label.
        let mut words: Vec<String> = Vec::new();
        let mut tail = None;
        for (off, w) in word_spans(part) {
            let fw = crate::text::fold(w);
            let fw = fw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
            if w.chars().any(|c| c.is_ascii_digit()) {
                tail = Some(off);
                break;
            }
            if matches!(
                fw,
                "n" | "no" | "nr" | "numero" | "number" | "nummer" | "num" | "n°" | "#"
            ) || w.starts_with(['n', 'N']) && w.contains(['°', 'º'])
            {
                tail = Some(off);
                break;
            }
            if !TITLE_SUFFIXES.contains(&fw) && !fw.is_empty() {
                words.push(fw.to_string());
            }
        }
        if words.is_empty() {
            continue;
        }
        let compact: String = words.concat().chars().filter(|&c| c != '\'').collect();
        let t = TITLES.iter().find(|(h, _)| *h == compact)?.1;
        if let Some(off) = tail {
            rest_at = rest_at.min(start + off);
        }
        found = match (found, t) {
            (Some(Title::CreditNote), _) | (_, Title::CreditNote) => Some(Title::CreditNote),
            _ => Some(Title::Invoice),
        };
    }
    found.map(|t| (t, text[rest_at.min(text.len())..].trim()))
}

/// Parts of a text between " / " or "|" (a bilingual title), with their
/// byte offsets; a slash inside a word ("INV/2023/03") does not split.
fn split_keep(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for (i, c) in text.char_indices() {
        let spaced_slash = c == '/' && i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' ');
        if c == '|' || spaced_slash {
            out.push((start, &text[start..i]));
            start = i + c.len_utf8();
        }
    }
    out.push((start, &text[start..]));
    out
}

/// Words (split at blanks, apostrophes kept, dashes and colons split) with
/// their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let sep = c.is_whitespace() || c == ':';
        match (sep, start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

static PAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:page|seite|blatt|pg\.?|p\.)\s*([0-9]{1,4})\s*(?:/|sur|of|von|de|aus)\s*([0-9]{1,4})\b",
    )
});
static BARE_PAGE_RE: LazyLock<Regex> =
    LazyLock::new(|| build(r"^-?\s*([0-9]{1,4})\s*/\s*([0-9]{1,4})\s*-?$"));

/// « Page 2/3 », « page 2 sur 3 », « Seite 2 von 3 », or « 2/3 » alone.
pub fn page_numbering(text: &str) -> Option<(u32, u32)> {
    // Both forms need figures; most lines of a page have none to look at.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let caps = PAGE_RE
        .captures(text)
        .or_else(|| BARE_PAGE_RE.captures(text.trim()))?;
    let i: u32 = caps.get(1)?.as_str().parse().ok()?;
    let n: u32 = caps.get(2)?.as_str().parse().ok()?;
    (1..=n).contains(&i).then_some((i, n))
}

/// The column a table header cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Description,
    Quantity,
    Unit,
    UnitPrice,
    VatRate,
    Net,
    /// A column we do not read (reference, discount, tax amount…).
    Other,
}

/// The column named by a header cell.
pub fn column(text: &str) -> Option<Column> {
    // Headers are short words; amounts and sentences are not headers.
    if text.len() > 40 || text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    thread_local! {
        static SEEN: RefCell<Seen<Option<Column>>> = RefCell::new(Seen::default());
    }
    remembered(&SEEN, text, column_uncached)
}

fn column_uncached(text: &str) -> Option<Column> {
    let f = crate::text::fold(text);
    let f = f.trim().trim_end_matches(['.', ':']).trim();
    // « Einzel/€ », « Gesamt (EUR) », « Betrag in € »: the currency says
    // nothing of the column.
    let f = ["/€", "(€)", "in €", "€", "/eur", "(eur)", "in eur"]
        .iter()
        .find_map(|c| f.strip_suffix(c))
        .map_or(f, str::trim);
    if f.is_empty() || f.len() > 40 {
        return None;
    }
    let has = |words: &[&str]| {
        words.iter().any(|w| {
            f.strip_prefix(w)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        })
    };
    let contains = |words: &[&str]| words.iter().any(|w| f.contains(w));
    if contains(&[
        "prix unit",
        "unit price",
        "p.u",
        "einzelpreis",
        "stuckpreis",
        "unit cost",
        "prix u",
        "nettopreis",
        "preis/einheit",
    ]) || has(&[
        "pu", "pu ht", "prix", "price", "preis", "rate", "tarif", "ep", "e-preis", "einzel",
    ]) {
        return Some(Column::UnitPrice);
    }
    if has(&[
        "qte", "qty", "quantite", "quantity", "menge", "anzahl", "nombre", "nb", "qt", "quant",
        "hours", "heures", "jours",
    ]) {
        return Some(Column::Quantity);
    }
    if has(&["unite", "unit", "einheit", "u", "me", "uom"]) {
        return Some(Column::Unit);
    }
    if contains(&["tva", "vat", "mwst", "ust", "steuer", "tax"]) {
        if contains(&["%", "taux", "rate", "satz"]) || f.len() <= 6 {
            return Some(Column::VatRate);
        }
        return Some(Column::Other);
    }
    if has(&["%", "taux"]) {
        return Some(Column::VatRate);
    }
    if contains(&["remise", "rabatt", "discount", "reduction"]) {
        return Some(Column::Other);
    }
    if has(&[
        "montant",
        "total",
        "amount",
        "betrag",
        "gesamt",
        "gesamtpreis",
        "gesamtbetrag",
        "positionsbetrag",
        "nettobetrag",
        "endbetrag",
        "net",
        "montant ht",
        "total ht",
        "prix total",
        "line total",
        "summe",
        "wert",
        "netto",
        "nettowert",
        "warenwert",
        "entgelt",
    ]) {
        return Some(Column::Net);
    }
    if has(&[
        "designation",
        "description",
        "libelle",
        "article",
        "produit",
        "prestation",
        "prestations",
        "detail",
        "details",
        "bezeichnung",
        "beschreibung",
        "artikel",
        "leistung",
        "item",
        "items",
        "service",
        "services",
        "product",
        "produkt",
        "artikelbezeichnung",
        "objet",
        "intitule",
        "position",
        "pos",
    ]) {
        // « Pos. » is the position, even over a code and a description
        // (« Pos Art-Nr-Kunde Beschreibung »: the description has its own
        // place under it); « Position Material/Beschreibung » is one header
        // over the position and the description, read in one run.
        let described = has(&["position"])
            && contains(&["designation", "description", "bezeichnung", "beschreibung"]);
        return Some(if has(&["pos", "position"]) && !described {
            Column::Other
        } else {
            Column::Description
        });
    }
    // « Nom & désignation », « Code / Libellé »: the description's word
    // after another.
    if contains(&[
        "designation",
        "description",
        "libelle",
        "bezeichnung",
        "beschreibung",
    ]) {
        return Some(Column::Description);
    }
    if has(&[
        "ref",
        "reference",
        "code",
        "art.-nr",
        "artikelnr",
        "sku",
        "n°",
        "no",
        "#",
    ]) {
        return Some(Column::Other);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Label> {
        find(s).into_iter().map(|h| h.label).collect()
    }

    #[test]
    fn labels_in_three_languages() {
        assert_eq!(kinds("Facture n° F-2026-001"), [Label::InvoiceNo]);
        assert_eq!(kinds("N° de facture : 12"), [Label::InvoiceNo]);
        assert_eq!(kinds("Invoice No. 42"), [Label::InvoiceNo]);
        assert_eq!(kinds("Rechnungsnummer 471102"), [Label::InvoiceNo]);
        assert_eq!(kinds("Rechnungs-Nr. 4"), [Label::InvoiceNo]);
        assert_eq!(kinds("Avoir n° AV-1"), [Label::CreditNo]);
        assert_eq!(kinds("Gutschriftsnummer 7"), [Label::CreditNo]);
        assert_eq!(kinds("Date d'échéance : 01/12/2026"), [Label::DueDate]);
        assert_eq!(kinds("Rechnungsdatum 05.03.2026"), [Label::IssueDate]);
        assert_eq!(kinds("Total TTC"), [Label::WithTax]);
        assert_eq!(kinds("Gesamtbetrag netto"), [Label::WithoutTax]);
        assert_eq!(kinds("Please remit until"), [Label::DueDate]);
        assert_eq!(kinds("Due payable:"), [Label::Due]);
        assert_eq!(kinds("Bitte überweisen Sie bis zum"), [Label::DueDate]);
        assert_eq!(kinds("Net à payer"), [Label::Due]);
        // What is left to pay after an advance (Odoo's « Residual »).
        assert_eq!(kinds("Residual"), [Label::Due]);
        assert_eq!(kinds("Restbetrag"), [Label::Due]);
        assert_eq!(kinds("TVA intracommunautaire : FR..."), [Label::Vat]);
        assert_eq!(kinds("Client :"), [Label::Buyer]);
        assert_eq!(kinds("Rechnungssumme netto"), [Label::WithoutTax]);
        assert_eq!(kinds("Rechnungssumme brutto"), [Label::WithTax]);
        assert_eq!(kinds("Netto"), [Label::WithoutTax]);
        assert_eq!(kinds("Brutto"), [Label::WithTax]);
        assert_eq!(kinds("Gross Total"), [Label::WithTax]);
        assert_eq!(kinds("Total € Incl. VAT"), [Label::WithTax]);
        assert_eq!(kinds("Summe gesamt"), [Label::WithTax]);
        assert_eq!(kinds("Amount to pay"), [Label::Due]);
        assert_eq!(kinds("Tax"), [Label::Tax]);
        assert_eq!(
            kinds("Mietrechnung Nr. 9314110911/00/M/00/N"),
            [Label::InvoiceNo]
        );
        assert_eq!(kinds("Bestellung:"), [Label::OrderRef]);
        assert_eq!(
            kinds("Zahlbar innerhalb 30 Tagen netto bis 04.07.2013"),
            [Label::DueDate]
        );
        assert_eq!(kinds("Your order AB321"), [Label::OrderRef]);
        assert_eq!(kinds("Agreement Ref."), [Label::ContractRef]);
        // « Bestellung » inside a sentence is no label of its own.
        assert!(!kinds("Rechnung gemäß Bestellung vom 01.03.2018").contains(&Label::OrderRef));
        // « München, den 01.11.2024 », « Paris, le 3 mars 2026 ».
        assert_eq!(kinds("München, den"), [Label::IssueDate]);
        assert_eq!(kinds("Paris, le"), [Label::IssueDate]);
    }

    #[test]
    fn titles() {
        assert_eq!(title("FACTURE"), Some(Title::Invoice));
        assert_eq!(title("Facture n° F-1"), Some(Title::Invoice));
        assert_eq!(title("AVOIR"), Some(Title::CreditNote));
        assert_eq!(title("Credit note"), Some(Title::CreditNote));
        assert_eq!(title("Gutschrift"), Some(Title::CreditNote));
        assert_eq!(title("Invoice / Facture"), Some(Title::Invoice));
        assert_eq!(title("Facture d'avoir"), Some(Title::CreditNote));
        assert_eq!(title("Conditions générales de vente"), None);
        assert_eq!(title("Total facture"), None);
        assert_eq!(title("PAYMENT RECEIPT"), Some(Title::Invoice));
        assert_eq!(title("Reçu de paiement"), Some(Title::Invoice));
        // A receipt named in a sentence is not a title.
        assert_eq!(title("Payment received by OYO"), None);
    }

    #[test]
    fn columns_and_page_numbers() {
        assert_eq!(column("Désignation"), Some(Column::Description));
        assert_eq!(column("Qté"), Some(Column::Quantity));
        assert_eq!(column("Prix unitaire HT"), Some(Column::UnitPrice));
        assert_eq!(column("TVA %"), Some(Column::VatRate));
        assert_eq!(column("Montant HT"), Some(Column::Net));
        assert_eq!(column("Menge"), Some(Column::Quantity));
        assert_eq!(column("Gesamtbetrag"), Some(Column::Net));
        assert_eq!(column("NOM & DESIGNATION"), Some(Column::Description));
        assert_eq!(column("Einzel/€"), Some(Column::UnitPrice));
        assert_eq!(column("Pos."), Some(Column::Other));
        assert_eq!(column("Nettowert"), Some(Column::Net));
        assert_eq!(
            column("Position Material/Beschreibung"),
            Some(Column::Description)
        );
        assert_eq!(column("Gesamt/€"), Some(Column::Net));
        assert_eq!(column("Betrag (EUR)"), Some(Column::Net));
        assert_eq!(column("Ust.-Betrag"), Some(Column::Other));
        assert_eq!(page_numbering("Page 2 sur 3"), Some((2, 3)));
        assert_eq!(page_numbering("Seite 1 von 2"), Some((1, 2)));
        assert_eq!(page_numbering("2/3"), Some((2, 3)));
        assert_eq!(page_numbering("Total 2/3 x"), None);
    }
}
