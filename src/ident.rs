//! Validation of the business identifiers printed on invoices: French SIREN,
//! SIRET and VAT numbers, other EU VAT numbers (shape only), IBANs, GS1 GLNs,
//! Finnish Y-tunnus and OVT e-invoicing addresses, and Spanish NIF/NIE/CIF —
//! plus the placeholders ("N/A", "0000000", "XXX"…) that must never stand in
//! for one of them.
//!
//! Everything here is offline arithmetic on one candidate string at a time.
//! This module deliberately does **not**:
//! - find identifiers in documents: callers hand it the string they already
//!   picked out of the XML or the text layer;
//! - look anything up online (Sirene, VIES, bank or GS1 directories): `Valid`
//!   means "well formed, with a correct check digit or key", never "exists"
//!   or "belongs to this company".
//!
//! The algorithms follow python-stdnum, the reference implementation, except
//! where noted (the Spanish CIF control form is enforced per entity letter,
//! and a 6-digit Y-tunnus is accepted and padded).

use serde::{Deserialize, Serialize};

/// The kinds of identifier this module can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// French company number (9 digits, Luhn).
    Siren,
    /// French establishment number (SIREN + 5 digits, Luhn).
    Siret,
    /// EU VAT number; only French ones (`FR` + key + SIREN) are fully checked.
    Vat,
    Iban,
    /// GS1 Global Location Number (EAN-13 layout).
    Gln,
    /// Finnish business ID, `NNNNNNN-C`.
    YTunnus,
    /// Finnish e-invoicing address: `0037` + Y-tunnus digits + optional suffix.
    Ovt,
    /// Spanish tax number: DNI, NIE or CIF.
    EsNif,
}

impl IdKind {
    /// Every kind, in declaration order.
    pub const ALL: [IdKind; 8] = [
        IdKind::Siren,
        IdKind::Siret,
        IdKind::Vat,
        IdKind::Iban,
        IdKind::Gln,
        IdKind::YTunnus,
        IdKind::Ovt,
        IdKind::EsNif,
    ];

    /// (serialised name, French label, English label).
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            IdKind::Siren => ("siren", "SIREN", "SIREN"),
            IdKind::Siret => ("siret", "SIRET", "SIRET"),
            IdKind::Vat => ("vat", "Numéro de TVA intracommunautaire", "VAT number"),
            IdKind::Iban => ("iban", "IBAN", "IBAN"),
            IdKind::Gln => ("gln", "GLN (code lieu GS1)", "GLN (GS1 location number)"),
            IdKind::YTunnus => (
                "y_tunnus",
                "Y-tunnus (identifiant d'entreprise finlandais)",
                "Y-tunnus (Finnish business ID)",
            ),
            IdKind::Ovt => (
                "ovt",
                "OVT (adresse de facturation électronique finlandaise)",
                "OVT (Finnish e-invoicing address)",
            ),
            IdKind::EsNif => ("es_nif", "NIF espagnol", "Spanish NIF"),
        }
    }

    /// The stable machine name; the same string serde uses.
    pub fn as_str(self) -> &'static str {
        self.names().0
    }

    /// The name shown to French-speaking users.
    pub fn label_fr(self) -> &'static str {
        self.names().1
    }

    /// The name shown to English-speaking users.
    pub fn label_en(self) -> &'static str {
        self.names().2
    }
}

/// The verdict on one candidate identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Valid,
    /// Right shape, but the country's check cannot be verified offline (foreign VAT).
    FormatOnly,
    /// Right shape, wrong check digit/key.
    BadCheckDigit,
    /// Wrong length or characters.
    BadFormat,
    /// A placeholder such as "N/A" or "0000000" instead of a real identifier.
    Placeholder,
}

/// Strips spaces (including non-breaking and other Unicode spaces), dots and
/// dashes, and uppercases.
///
/// Two kinds get a canonical form as well:
/// - Y-tunnus keeps its dash, which is part of the form: `07375462`,
///   `0737546-2` and the old 6-digit `737546-2` all become `0737546-2`;
/// - a Spanish NIF loses its `ES` VAT prefix (`ESB12345674` → `B12345674`).
pub fn normalize(kind: IdKind, raw: &str) -> String {
    if kind == IdKind::YTunnus {
        return normalize_ytunnus(raw);
    }
    let s: String = raw
        .chars()
        .filter(|&c| !(c.is_whitespace() || c == '.' || is_dash(c)))
        .flat_map(char::to_uppercase)
        .collect();
    match s.strip_prefix("ES") {
        Some(nif) if kind == IdKind::EsNif && nif.len() == 9 => nif.to_owned(),
        _ => s,
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

fn normalize_ytunnus(raw: &str) -> String {
    let s: String = raw
        .chars()
        .filter(|&c| !(c.is_whitespace() || c == '.'))
        .map(|c| if is_dash(c) { '-' } else { c })
        .flat_map(char::to_uppercase)
        .collect();
    let (body, check) = match s.split_once('-') {
        Some(parts) => parts,
        None if s.len() == 8 && is_digits(&s) => s.split_at(7),
        None => return s,
    };
    if matches!(body.len(), 6 | 7) && is_digits(body) && check.len() == 1 && is_digits(check) {
        format!("{body:0>7}-{check}")
    } else {
        s
    }
}

/// Words (accents folded, punctuation and spaces removed, lowercase) that
/// people type instead of an identifier.
const PLACEHOLDER_WORDS: &[&str] = &[
    "na",
    "nd",
    "nc",
    "neant",
    "none",
    "null",
    "nil",
    "tbd",
    "tba",
    "acompleter",
    "arenseigner",
    "inconnu",
    "inconnue",
    "unknown",
    "aucun",
    "aucune",
    "noncommunique",
    "nonrenseigne",
    "nonapplicable",
    "notapplicable",
    "sansobjet",
];

/// True for a value that stands in for a missing identifier: "N/A", "néant",
/// "-", "?", "XXX…", "000…", "999999999", "123456789", "à compléter"…
///
/// Case, accents, spaces, dots, dashes and slashes are ignored, as is a
/// two-letter country prefix in front of filler (`FR XX 999999999`). An
/// empty or blank string is *not* a placeholder (it is simply missing).
pub fn is_placeholder(raw: &str) -> bool {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return false;
    }
    let core: String = crate::text::fold(trimmed)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if core.is_empty() {
        // Only punctuation: "-", "--", "?", "/", "…".
        return true;
    }
    if PLACEHOLDER_WORDS.contains(&core.as_str()) || is_filler(&core) {
        return true;
    }
    let b = core.as_bytes();
    // After a country prefix only repeated filler counts: "DE123456789" is
    // the shape of many real (and sample) VAT numbers.
    b.len() > 2 && b[..2].iter().all(u8::is_ascii_alphabetic) && is_repeated(&core[2..])
}

/// At least three characters, all `x` or one same digit.
fn is_repeated(core: &str) -> bool {
    let b = core.as_bytes();
    let mut digit = None;
    b.len() >= 3
        && b.iter().all(|&c| match c {
            b'x' => true,
            b'0'..=b'9' => *digit.get_or_insert(c) == c,
            _ => false,
        })
}

/// At least three characters of `x` and at most one distinct digit ("xxx",
/// "0000", "xx999999999"), or an ascending run such as "123456789".
fn is_filler(core: &str) -> bool {
    let b = core.as_bytes();
    let same = is_repeated(core);
    let ascending = b.len() >= 6
        && matches!(b[0], b'0' | b'1')
        && b.iter().all(u8::is_ascii_digit)
        && b.windows(2).all(|w| w[1] == b'0' + (w[0] - b'0' + 1) % 10);
    same || ascending
}

/// Validates `raw` as an identifier of `kind`: placeholder check first, then
/// [`normalize`], then shape, then check digit or key.
///
/// An empty string is `BadFormat`. Only a French VAT number can be `Valid`
/// among VAT numbers; other EU ones (and French ones with a letter key) are at
/// best `FormatOnly`.
pub fn validate(kind: IdKind, raw: &str) -> Validity {
    if is_placeholder(raw) {
        return Validity::Placeholder;
    }
    let s = normalize(kind, raw);
    match kind {
        IdKind::Siren => grade_digits(&s, 9, luhn_ok),
        IdKind::Siret => grade_digits(&s, 14, siret_digits_ok),
        IdKind::Gln => grade_digits(&s, 13, |d| mod10_ok(d, gs1_weight)),
        IdKind::Vat => grade_vat(&s),
        IdKind::Iban => grade_iban(&s),
        IdKind::YTunnus => grade_ytunnus(&s),
        IdKind::Ovt => grade_ovt(&s),
        IdKind::EsNif => grade_es_nif(&s),
    }
}

/// The single grading step shared by every kind: `s` must be exactly `len`
/// ASCII digits (else `BadFormat`) and then pass `check` (else `BadCheckDigit`).
fn grade_digits(s: &str, len: usize, check: impl FnOnce(&str) -> bool) -> Validity {
    if s.len() != len || !is_digits(s) {
        Validity::BadFormat
    } else if check(s) {
        Validity::Valid
    } else {
        Validity::BadCheckDigit
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digit_value(b: u8) -> u32 {
    u32::from(b - b'0')
}

fn digit_char(d: u32) -> char {
    char::from_digit(d, 10).expect("check digits are below 10")
}

/// Weight of digit `d` at position `pos` from the right (the check digit is
/// position 0) in the Luhn scheme: every other digit doubled, digits summed.
fn luhn_weight(pos: usize, d: u32) -> u32 {
    if pos % 2 == 1 {
        (2 * d) / 10 + (2 * d) % 10
    } else {
        d
    }
}

/// GS1 (EAN/GLN) weights: 3, 1, 3… from the digit before the check digit.
fn gs1_weight(pos: usize, d: u32) -> u32 {
    if pos % 2 == 1 { 3 * d } else { d }
}

/// The mod-10 check digit completing `body` under `weight`. Non-digits in
/// `body` are skipped.
fn mod10_check_digit(body: &str, weight: fn(usize, u32) -> u32) -> u32 {
    let sum = body
        .bytes()
        .filter(u8::is_ascii_digit)
        .rev()
        .enumerate()
        .fold(0, |acc, (i, b)| (acc + weight(i + 1, digit_value(b))) % 10);
    (10 - sum) % 10
}

fn mod10_ok(digits: &str, weight: fn(usize, u32) -> u32) -> bool {
    match digits.as_bytes().split_last() {
        Some((&last, _)) if is_digits(digits) => {
            digit_value(last) == mod10_check_digit(&digits[..digits.len() - 1], weight)
        }
        _ => false,
    }
}

/// True when `digits` (ASCII digits only, nothing else) passes the Luhn check.
pub fn luhn_ok(digits: &str) -> bool {
    mod10_ok(digits, luhn_weight)
}

/// The Luhn digit to append to `body` (e.g. the 9th digit of a SIREN from its
/// first 8). Non-digit characters in `body` are skipped.
pub fn luhn_check_digit(body: &str) -> char {
    digit_char(mod10_check_digit(body, luhn_weight))
}

/// The GS1 check digit to append to `body` (the 13th digit of a GLN from its
/// first 12). Non-digit characters in `body` are skipped.
pub fn gln_check_digit(body: &str) -> char {
    digit_char(mod10_check_digit(body, gs1_weight))
}

/// True when `s` (raw or normalized) is a valid SIREN.
pub fn siren_ok(s: &str) -> bool {
    validate(IdKind::Siren, s) == Validity::Valid
}

/// True when `s` (raw or normalized) is a valid SIRET, La Poste's included.
pub fn siret_ok(s: &str) -> bool {
    validate(IdKind::Siret, s) == Validity::Valid
}

/// True when `s` (raw or normalized) is a valid IBAN of a known length.
pub fn iban_ok(s: &str) -> bool {
    validate(IdKind::Iban, s) == Validity::Valid
}

/// True when `s` (raw or normalized) is a valid 13-digit GLN.
pub fn gln_ok(s: &str) -> bool {
    validate(IdKind::Gln, s) == Validity::Valid
}

/// True when `s` (`NNNNNNN-C`, without dash, or old `NNNNNN-C`) is a valid
/// Y-tunnus.
pub fn ytunnus_ok(s: &str) -> bool {
    validate(IdKind::YTunnus, s) == Validity::Valid
}

/// True when `s` (with or without `ES` prefix) is a valid DNI, NIE or CIF.
pub fn es_nif_ok(s: &str) -> bool {
    validate(IdKind::EsNif, s) == Validity::Valid
}

/// SIRETs of La Poste's establishments start with this SIREN and use a
/// digit-sum rule instead of Luhn...
const LA_POSTE_SIREN: &str = "356000000";
/// ...except the head office, which is an ordinary Luhn SIRET.
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

fn siret_digits_ok(d: &str) -> bool {
    let own_check = if d.starts_with(LA_POSTE_SIREN) && d != LA_POSTE_HEAD_OFFICE {
        d.bytes().map(digit_value).sum::<u32>() % 5 == 0
    } else {
        luhn_ok(d)
    };
    own_check && luhn_ok(&d[..9])
}

/// The numeric key of the French VAT number of `siren` (9 digits), i.e.
/// `(12 + 3 × (SIREN mod 97)) mod 97`; `None` if `siren` is not 9 digits.
/// The SIREN's own Luhn digit is not checked.
pub fn fr_vat_key(siren: &str) -> Option<u32> {
    if siren.len() != 9 || !is_digits(siren) {
        return None;
    }
    let rem = siren
        .bytes()
        .fold(0, |acc, b| (acc * 10 + digit_value(b)) % 97);
    Some((12 + 3 * rem) % 97)
}

/// The SIREN inside a SIREN, SIRET or French VAT number, if the value has that
/// shape (check digits are not verified; use [`validate`] for that). Monaco's
/// French VAT numbers (`FRkk000…`) carry no SIREN. `normalized` may also be
/// raw: it is normalized again.
pub fn siren_of(kind: IdKind, normalized: &str) -> Option<String> {
    let s = normalize(kind, normalized);
    let siren = match kind {
        IdKind::Siren => s.as_str(),
        IdKind::Siret if s.len() == 14 && is_digits(&s) => &s[..9],
        IdKind::Vat if s.len() == 13 && s.starts_with("FR") => {
            let key = s.get(2..4)?;
            if !key.chars().all(|c| FR_VAT_KEY_CHARS.contains(c)) {
                return None;
            }
            &s[4..]
        }
        _ => return None,
    };
    let monaco = kind == IdKind::Vat && siren.starts_with("000");
    (siren.len() == 9 && is_digits(siren) && !monaco).then(|| siren.to_owned())
}

/// EU member states' VAT prefixes (Greece is `EL`; `XI` is Northern Ireland).
const EU_VAT_PREFIXES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// Characters allowed in the key of an old French VAT number (no I, no O).
const FR_VAT_KEY_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn grade_vat(s: &str) -> Validity {
    if !s.is_ascii() || s.len() < 4 {
        return Validity::BadFormat;
    }
    let (country, rest) = s.split_at(2);
    match country {
        "FR" => return grade_fr_vat(rest),
        // A Spanish VAT number is ES + the NIF; a Finnish one FI + the 8
        // digits of the Y-tunnus: both carry a check we know.
        "ES" => return grade_es_nif(rest),
        "FI" if rest.len() == 8 && is_digits(rest) => {
            return grade_ytunnus(&format!("{}-{}", &rest[..7], &rest[7..]));
        }
        _ => {}
    }
    let plausible = (2..=13).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && rest.bytes().any(|b| b.is_ascii_digit());
    // Outside the EU (GB, CH, NO…) the shape is all that can be judged too.
    let letters = country.bytes().all(|b| b.is_ascii_uppercase());
    if (EU_VAT_PREFIXES.contains(&country) || letters) && plausible {
        Validity::FormatOnly
    } else {
        Validity::BadFormat
    }
}

/// `rest` is a French VAT number without its `FR`: 2-character key + SIREN.
fn grade_fr_vat(rest: &str) -> Validity {
    if rest.len() != 11 {
        return Validity::BadFormat;
    }
    let (key, siren) = rest.split_at(2);
    if !key.chars().all(|c| FR_VAT_KEY_CHARS.contains(c)) || !is_digits(siren) {
        return Validity::BadFormat;
    }
    // Monaco's numbers have a 000 "SIREN" that is not Luhn-checked.
    if !siren.starts_with("000") && !luhn_ok(siren) {
        return Validity::BadCheckDigit;
    }
    if !is_digits(key) {
        // Old alphanumeric keys: not checked here.
        return Validity::FormatOnly;
    }
    if key.parse().ok() == fr_vat_key(siren) {
        Validity::Valid
    } else {
        Validity::BadCheckDigit
    }
}

/// IBAN length per country (SWIFT IBAN registry, release 101), sorted by code.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by_key(&country, |&(c, _)| c)
        .ok()
        .map(|i| IBAN_LENGTHS[i].1)
}

fn grade_iban(s: &str) -> Validity {
    let shape_ok = s.is_ascii()
        && s.len() > 4
        && iban_length(&s[..2]) == Some(s.len())
        && is_digits(&s[2..4])
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !shape_ok {
        return Validity::BadFormat;
    }
    // Country code and check digits move to the end; letters count as 10..35;
    // the remainder is taken digit by digit so no big integer is needed.
    let rem = s
        .bytes()
        .skip(4)
        .chain(s.bytes().take(4))
        .fold(0, |acc, b| {
            if b.is_ascii_digit() {
                (acc * 10 + digit_value(b)) % 97
            } else {
                (acc * 100 + u32::from(b - b'A') + 10) % 97
            }
        });
    if rem == 1 {
        Validity::Valid
    } else {
        Validity::BadCheckDigit
    }
}

/// Y-tunnus check digit of a 7-digit body; `None` when no digit works
/// (remainder 1), which makes every number with that body invalid.
fn ytunnus_check_digit(body: &str) -> Option<u32> {
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| w * digit_value(b))
        .sum();
    match sum % 11 {
        0 => Some(0),
        1 => None,
        r => Some(11 - r),
    }
}

/// `d` is the 8 digits of a Y-tunnus without its dash.
fn ytunnus_digits_ok(d: &str) -> bool {
    ytunnus_check_digit(&d[..7]) == Some(digit_value(d.as_bytes()[7]))
}

fn grade_ytunnus(s: &str) -> Validity {
    match s.split_once('-') {
        Some((body, check)) if body.len() == 7 => {
            grade_digits(&format!("{body}{check}"), 8, ytunnus_digits_ok)
        }
        _ => Validity::BadFormat,
    }
}

fn grade_ovt(s: &str) -> Validity {
    let Some(rest) = s.strip_prefix("0037") else {
        return Validity::BadFormat;
    };
    if !rest.is_ascii() || rest.len() < 8 {
        return Validity::BadFormat;
    }
    let (ytunnus, suffix) = rest.split_at(8);
    if suffix.len() > 5 || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Validity::BadFormat;
    }
    grade_digits(ytunnus, 8, ytunnus_digits_ok)
}

/// Control letters of a DNI/NIE, indexed by the number mod 23.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
/// Control letters of a CIF, indexed by its control digit.
const CIF_LETTERS: &[u8; 10] = b"JABCDEFGHI";

fn grade_es_nif(s: &str) -> Validity {
    if !s.is_ascii() || s.len() != 9 || !is_digits(&s[1..8]) {
        return Validity::BadFormat;
    }
    let b = s.as_bytes();
    let (first, last) = (b[0], b[8]);
    let middle: u32 = s[1..8].parse().expect("seven digits");
    match first {
        // DNI: 8 digits + letter.
        b'0'..=b'9' => grade_dni(digit_value(first) * 10_000_000 + middle, last),
        // NIE: X, Y, Z stand for 0, 1, 2.
        b'X'..=b'Z' => grade_dni(u32::from(first - b'X') * 10_000_000 + middle, last),
        // K, L, M: persons without DNI; letter of the 7 digits, as a DNI.
        b'K' | b'L' | b'M' => grade_dni(middle, last),
        b'A'..=b'H' | b'J' | b'N' | b'P'..=b'S' | b'U'..=b'W' => grade_cif(first, &s[1..8], last),
        _ => Validity::BadFormat,
    }
}

fn grade_dni(number: u32, letter: u8) -> Validity {
    if !letter.is_ascii_uppercase() {
        Validity::BadFormat
    } else if DNI_LETTERS[(number % 23) as usize] == letter {
        Validity::Valid
    } else {
        Validity::BadCheckDigit
    }
}

/// `entity` is the CIF's first letter, `digits` the 7 digits, `control` the
/// last character: the Luhn digit of `digits` or its letter in `JABCDEFGHI`.
fn grade_cif(entity: u8, digits: &str, control: u8) -> Validity {
    if !(control.is_ascii_digit() || (b'A'..=b'J').contains(&control)) {
        return Validity::BadFormat;
    }
    let check = mod10_check_digit(digits, luhn_weight);
    let as_letter = control == CIF_LETTERS[check as usize];
    let as_digit = u32::from(control) == u32::from(b'0') + check;
    let ok = match entity {
        b'P' | b'Q' | b'R' | b'S' | b'W' | b'N' => as_letter,
        b'A' | b'B' | b'E' | b'H' => as_digit,
        _ => as_letter || as_digit,
    };
    if ok {
        Validity::Valid
    } else {
        Validity::BadCheckDigit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdKind::*;
    use Validity::*;

    /// Known-good values, each cross-checked with python-stdnum 2.2 (and by
    /// hand for the rules stdnum does not share: 6-digit Y-tunnus, OVT).
    const VALID: &[(IdKind, &str)] = &[
        (Siren, "732829320"),
        (Siren, "552100554"),
        (Siren, "732 829 320"),
        (Siret, "73282932000074"),
        (Siret, "732 829 320 00074"),
        (Siret, "55210055400013"),
        (Siret, "35600000000048"),
        (Siret, "35600000049837"),
        (Vat, "FR44732829320"),
        (Vat, "FR 96 552 100 554"),
        (Vat, "fr40303265045"),
        (Iban, "FR1420041010050500013M02606"),
        (Iban, "FR14 2004 1010 0505 0001 3M02 606"),
        (Iban, "DE89370400440532013000"),
        (Iban, "GB82WEST12345698765432"),
        (Iban, "gb82 west 1234 5698 7654 32"),
        (Gln, "4000001123452"),
        (Gln, "3012345678902"),
        (YTunnus, "0737546-2"),
        (YTunnus, "07375462"),
        (YTunnus, "737546-2"),
        (Ovt, "003707375462"),
        (Ovt, "003707375462100"),
        (Ovt, "0037 0737 5462 AB12C"),
        (EsNif, "12345678Z"),
        (EsNif, "X1234567L"),
        (EsNif, "K1234567L"),
        (EsNif, "A58818501"),
        (EsNif, "B12345674"),
        (EsNif, "Q2826000H"),
        (EsNif, "ESA58818501"),
        (EsNif, "es-b12345674"),
    ];

    /// The values whose every single-digit substitution must be caught (La
    /// Poste's digit-sum SIRETs are not: a change by 5 keeps the sum).
    const MUTABLE: &[(IdKind, &str, usize)] = &[
        (Siren, "732829320", 0),
        (Siren, "552100554", 0),
        (Siret, "73282932000074", 0),
        (Vat, "FR44732829320", 2),
        (Vat, "FR96552100554", 2),
        (Iban, "FR1420041010050500013M02606", 2),
        (Iban, "DE89370400440532013000", 2),
        (Iban, "GB82WEST12345698765432", 2),
        (Gln, "4000001123452", 0),
        (Gln, "3012345678902", 0),
        (YTunnus, "0737546-2", 0),
        (Ovt, "003707375462", 4),
        (EsNif, "12345678Z", 0),
        (EsNif, "X1234567L", 1),
        (EsNif, "A58818501", 1),
        (EsNif, "B12345674", 1),
        (EsNif, "Q2826000H", 1),
    ];

    #[test]
    fn known_good_values_are_valid() {
        for &(kind, raw) in VALID {
            assert_eq!(validate(kind, raw), Valid, "{kind:?} {raw:?}");
            assert!(!is_placeholder(raw), "{raw:?}");
        }
    }

    #[test]
    fn every_single_digit_change_is_a_bad_check_digit() {
        for &(kind, good, from) in MUTABLE {
            for (i, c) in good.char_indices().skip(from) {
                let Some(d) = c.to_digit(10) else { continue };
                for other in (0..10).filter(|&o| o != d) {
                    let mut bad = good.to_owned();
                    bad.replace_range(i..=i, &other.to_string());
                    assert_eq!(validate(kind, &bad), BadCheckDigit, "{kind:?} {bad}");
                }
            }
        }
    }

    #[test]
    fn one_character_changes_are_rejected() {
        let cases = [
            (Siren, "732829321"),
            (Siret, "73282932000075"),
            // La Poste: digit sum 38, not a multiple of 5.
            (Siret, "35600000049838"),
            // Luhn-valid, but not the head office, so the digit sum rules.
            (Siret, "35600000000030"),
            // Digit sum 30 but the SIREN part fails Luhn.
            (Siret, "35600000100078"),
            (Vat, "FR45732829320"),
            (Vat, "FR44732829321"),
            (Vat, "FRAB732829321"),
            (Iban, "FR1420041010050500013M02607"),
            (Iban, "DE89370400440532013001"),
            (Iban, "GB82WEST12345698765433"),
            (Iban, "GB82WEXT12345698765432"),
            (Gln, "4000001123453"),
            (YTunnus, "0737546-3"),
            (YTunnus, "737546-3"),
            // Remainder 1: no check digit can make this body valid.
            (YTunnus, "0000003-0"),
            (Ovt, "003707375463"),
            (Ovt, "003707375463AB"),
            (EsNif, "12345678A"),
            (EsNif, "X1234567M"),
            (EsNif, "K1234567M"),
            (EsNif, "A58818502"),
            (EsNif, "B12345675"),
            (EsNif, "Q2826000J"),
            // Right control, wrong form for the entity letter.
            (EsNif, "A5881850A"),
            (EsNif, "B1234567D"),
            (EsNif, "Q28260008"),
            (EsNif, "P28260008"),
        ];
        for (kind, raw) in cases {
            assert_eq!(validate(kind, raw), BadCheckDigit, "{kind:?} {raw:?}");
        }
    }

    #[test]
    fn cif_letters_without_a_rule_accept_both_forms() {
        // C (and D, F, G, J, U, V) take either the digit or the letter.
        assert_eq!(validate(EsNif, "C58818501"), Valid);
        assert_eq!(validate(EsNif, "C5881850A"), Valid);
        assert_eq!(validate(EsNif, "C5881850B"), BadCheckDigit);
    }

    #[test]
    fn spanish_and_finnish_vat_numbers_use_their_national_check() {
        assert_eq!(validate(Vat, "ESA58818501"), Valid);
        assert_eq!(validate(Vat, "ESA58818502"), BadCheckDigit);
        assert_eq!(validate(Vat, "FI07375462"), Valid);
        assert_eq!(validate(Vat, "FI07375463"), BadCheckDigit);
    }

    #[test]
    fn vat_numbers_outside_the_eu_are_judged_on_shape_only() {
        for v in [
            "GB980780684",
            "CHE123456788",
            "NO974760673MVA",
            "GR094014201",
        ] {
            assert_eq!(validate(Vat, v), FormatOnly, "{v}");
        }
        // A country prefix before a real-looking run is not filler.
        assert_eq!(validate(Vat, "DE123456789"), FormatOnly);
        assert_eq!(validate(Vat, "DE999999999"), Placeholder);
    }

    #[test]
    fn wrong_shapes_are_bad_format() {
        let cases = [
            (Siren, ""),
            (Siren, "73282932"),
            (Siren, "7328293200"),
            (Siren, "73282932O"),
            (Siret, "7328293200007"),
            (Siret, "732829320000740"),
            (Vat, "FR4473282932"),
            (Vat, "FR447328293200"),
            (Vat, "FRI4732829320"),
            (Vat, "FR44A32829320"),
            (Vat, "DE1"),
            (Vat, "DE13669597612345"),
            (Vat, "DEABCDEF"),
            (Vat, "DE1366*95976"),
            (Vat, "732829320"),
            (Iban, "FR142004101005050001302606"),
            (Iban, "FR1420041010050500013M026061"),
            (Iban, "QQ89370400440532013000"),
            (Iban, "DEXX370400440532013000"),
            (Iban, "DE8937040044053201300é"),
            (Iban, "DE89"),
            (Gln, "400000112345"),
            (Gln, "40000011234521"),
            (Gln, "400000112345A"),
            (YTunnus, "0737546-"),
            (YTunnus, "07375462-2"),
            (YTunnus, "07375-462"),
            (YTunnus, "073754A-2"),
            (YTunnus, "0737546"),
            (Ovt, "003607375462"),
            (Ovt, "00370737546"),
            (Ovt, "003707375462ABCDEF"),
            (Ovt, "003707375462_AB"),
            (EsNif, "87654321"),
            (EsNif, "123456789Z"),
            (EsNif, "876543210"),
            (EsNif, "I1234567A"),
            (EsNif, "A5881850Z"),
            (EsNif, "A58A18501"),
        ];
        for (kind, raw) in cases {
            assert_eq!(validate(kind, raw), BadFormat, "{kind:?} {raw:?}");
        }
    }

    #[test]
    fn foreign_vat_and_letter_keys_are_format_only() {
        for raw in [
            "DE136695976",
            "BE 0403.170.701",
            "IT00743110157",
            "NL004495445B01",
            "EL094014201",
            "ATU13585627",
            "XI220430231",
            // Old alphanumeric French keys: SIREN checked, key not.
            "FRAB732829320",
            "FR4A732829320",
        ] {
            assert_eq!(validate(Vat, raw), FormatOnly, "{raw:?}");
        }
    }

    #[test]
    fn monaco_vat_skips_the_siren_check() {
        let key = fr_vat_key("000012345").unwrap();
        assert_eq!(validate(Vat, &format!("FR{key:02}000012345")), Valid);
        assert_eq!(siren_of(Vat, &format!("FR{key:02}000012345")), None);
    }

    const PLACEHOLDERS: &[&str] = &[
        "N/A",
        "n/a",
        " N / A ",
        "NA",
        "n.a.",
        "N.A",
        "néant",
        "Néant.",
        "neant",
        "NEANT",
        "none",
        "None",
        "null",
        "NULL",
        "-",
        "--",
        " - ",
        "—",
        "?",
        "???",
        "...",
        "XXX",
        "xxxxxxxxx",
        "XXX XXX XXX",
        "FR XX XXXXXXXXX",
        "FRXX999999999",
        "000",
        "0000000",
        "000 000 000 00000",
        "00000000000000",
        "FR00000000000",
        "123456789",
        "123 456 789",
        "12345678901234",
        "999999999",
        "111111111",
        "99999999999999",
        "TBD",
        "tbd",
        "à compléter",
        "A COMPLETER",
        "À compléter...",
        "inconnu",
        "Inconnu",
        "unknown",
        "UNKNOWN",
        "n.c.",
        "non communiqué",
    ];

    #[test]
    fn placeholders_are_reported_for_every_kind() {
        for &raw in PLACEHOLDERS {
            assert!(is_placeholder(raw), "{raw:?}");
            for kind in IdKind::ALL {
                assert_eq!(validate(kind, raw), Placeholder, "{kind:?} {raw:?}");
            }
        }
    }

    #[test]
    fn near_placeholders_are_not_placeholders() {
        for raw in [
            "",
            "   ",
            "XX",
            "00",
            "12345",
            "123456780",
            "X1234567L",
            "Nancy",
            "FR12",
        ] {
            assert!(!is_placeholder(raw), "{raw:?}");
        }
    }

    #[test]
    fn normalize_strips_separators_and_canonicalises() {
        let cases = [
            (Siren, "732 829 320", "732829320"),
            (Siret, "732.829.320-00074", "73282932000074"),
            (Vat, "fr 44\u{a0}732\u{202f}829 320", "FR44732829320"),
            (
                Iban,
                "fr14 2004 1010 0505 0001 3m02 606",
                "FR1420041010050500013M02606",
            ),
            (Gln, "4000001 123452", "4000001123452"),
            (YTunnus, "0737546-2", "0737546-2"),
            (YTunnus, "07375462", "0737546-2"),
            (YTunnus, " 737546\u{2011}2 ", "0737546-2"),
            (YTunnus, "0737546 - 2", "0737546-2"),
            (YTunnus, "abc-d", "ABC-D"),
            (Ovt, "0037-0737546-2", "003707375462"),
            (EsNif, "ES B-12345674", "B12345674"),
            (EsNif, "x1234567l", "X1234567L"),
            (EsNif, "ES123", "ES123"),
        ];
        for (kind, raw, want) in cases {
            assert_eq!(normalize(kind, raw), want, "{kind:?} {raw:?}");
        }
    }

    #[test]
    fn check_digit_helpers() {
        assert!(luhn_ok("732829320"));
        assert!(!luhn_ok("732829321"));
        assert!(!luhn_ok(""));
        assert!(!luhn_ok("732 829 320"));
        assert_eq!(luhn_check_digit("73282932"), '0');
        assert_eq!(luhn_check_digit("55210055"), '4');
        assert_eq!(luhn_check_digit("7328293200007"), '4');
        assert_eq!(gln_check_digit("400000112345"), '2');
        assert_eq!(gln_check_digit("301234567890"), '2');
        assert_eq!(fr_vat_key("732829320"), Some(44));
        assert_eq!(fr_vat_key("552100554"), Some(96));
        assert_eq!(fr_vat_key("356000000"), Some(39));
        assert_eq!(fr_vat_key("73282932"), None);
        assert_eq!(fr_vat_key("73282932A"), None);
    }

    #[test]
    fn ok_shorthands_agree_with_validate() {
        assert!(siren_ok("732829320"));
        assert!(!siren_ok("000000000"));
        assert!(siret_ok("35600000049837"));
        assert!(!siret_ok("35600000049838"));
        assert!(iban_ok("DE89 3704 0044 0532 0130 00"));
        assert!(!iban_ok("DE89370400440532013001"));
        assert!(gln_ok("4000001123452"));
        assert!(!gln_ok("4000001123453"));
        assert!(ytunnus_ok("737546-2"));
        assert!(!ytunnus_ok("0737546-3"));
        assert!(es_nif_ok("ESQ2826000H"));
        assert!(!es_nif_ok("Q28260008"));
    }

    #[test]
    fn siren_is_extracted_from_siret_and_french_vat() {
        assert_eq!(siren_of(Siren, "732 829 320").as_deref(), Some("732829320"));
        assert_eq!(
            siren_of(Siret, "73282932000074").as_deref(),
            Some("732829320")
        );
        assert_eq!(siren_of(Vat, "FR44732829320").as_deref(), Some("732829320"));
        assert_eq!(siren_of(Vat, "FRAB732829320").as_deref(), Some("732829320"));
        assert_eq!(siren_of(Vat, "DE136695976"), None);
        assert_eq!(siren_of(Vat, "FR4473282932"), None);
        assert_eq!(siren_of(Siret, "7328293200007A"), None);
        assert_eq!(siren_of(Siren, "73282932A"), None);
        assert_eq!(siren_of(Iban, "FR1420041010050500013M02606"), None);
    }

    #[test]
    fn iban_table_is_sorted_and_covers_sepa() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        for (country, len) in [
            ("FR", 27),
            ("DE", 22),
            ("ES", 24),
            ("IT", 27),
            ("BE", 16),
            ("NL", 18),
            ("LU", 20),
            ("CH", 21),
            ("AT", 20),
            ("PT", 25),
            ("IE", 22),
            ("FI", 18),
            ("GB", 22),
            ("MC", 27),
            ("SE", 24),
            ("DK", 18),
            ("NO", 15),
            ("PL", 28),
            ("CZ", 24),
            ("SK", 24),
            ("HU", 28),
            ("RO", 24),
            ("BG", 22),
            ("HR", 21),
            ("SI", 19),
            ("GR", 27),
            ("CY", 28),
            ("MT", 31),
            ("EE", 20),
            ("LV", 21),
            ("LT", 20),
            ("IS", 26),
            ("LI", 21),
            ("SM", 27),
            ("VA", 22),
            ("AD", 24),
            ("GI", 23),
            ("AL", 28),
            ("MD", 24),
            ("ME", 22),
            ("MK", 19),
        ] {
            assert_eq!(iban_length(country), Some(len), "{country}");
        }
    }

    #[test]
    fn kinds_serialise_under_their_as_str_names() {
        for kind in IdKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<IdKind>(&json).unwrap(), kind);
            assert!(!kind.label_fr().is_empty() && !kind.label_en().is_empty());
        }
        assert_eq!(
            serde_json::to_string(&FormatOnly).unwrap(),
            "\"format_only\""
        );
        assert_eq!(
            serde_json::to_string(&BadCheckDigit).unwrap(),
            "\"bad_check_digit\""
        );
    }
}
