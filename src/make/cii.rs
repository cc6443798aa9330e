//! The CII XML of a Factur-X, profile EN 16931, written from an invoice in
//! EN 16931 terms (what was read, completed and confirmed — [`super::draft`]).
//!
//! Writes only what the invoice holds. Missing mandatory terms are listed
//! ([`missing`]) rather than filled in; the few values the XML needs that
//! follow from others are derived and nothing else: the totals from the
//! lines when none were given, the VAT breakdown per rate from the lines,
//! a line's VAT category from its rate (S above zero), a printed unit
//! mapped to its UN/ECE code (C62 « unit » when none is printed), the line
//! numbers, an allowance's or charge's VAT category from its rate (or the
//! lines' only one), the totals of the allowances and charges. Credit notes
//! are written with positive amounts, as EN 16931 wants them, whatever sign
//! the PDF printed.
//!
//! Deliberately not here: judging the XML (the official rules do, in
//! [`crate::check::rules`]), the PDF container ([`super::pdfa`]), line-level
//! allowances and charges, several payment means, other profiles.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::pdfa::xml_escape as e;
use crate::read::{AllowanceCharge, Dec, Field, Invoice, Party};

/// A mandatory term with no value, said as the owner would fill it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The EN 16931 path, as the draft's JSON writes it (`BG-7/BT-47`).
    pub path: String,
    pub fr: String,
    pub en: String,
}

fn miss(path: impl Into<String>, fr: &str, en: &str) -> Missing {
    Missing {
        path: path.into(),
        fr: fr.into(),
        en: en.into(),
    }
}

fn val(f: &Option<Field>) -> Option<&str> {
    f.as_ref().map(|f| f.value.trim()).filter(|v| !v.is_empty())
}

fn dec(f: &Option<Field>) -> Option<Dec> {
    val(f).and_then(Dec::parse_plain)
}

/// UN/ECE recommendation 20 code of a unit as invoices print it; `None`
/// when the printed unit is not known (the owner picks the code).
pub fn unit_code(printed: &str) -> Option<&'static str> {
    let folded = crate::text::fold(printed);
    let u = folded.trim().trim_end_matches('.');
    if u.len() == 3
        && printed
            .trim()
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        // Already a code (C62, HUR, DAY…): kept as written.
        return KNOWN_CODES.iter().copied().find(|c| *c == printed.trim());
    }
    Some(match u {
        "" | "u" | "un" | "unite" | "unites" | "unit" | "units" | "pce" | "pcs" | "piece"
        | "pieces" | "p" | "ex" | "exemplaire" | "article" | "art" | "stk" | "stuck" | "ea"
        | "each" | "qte" | "nb" | "forfait" | "fft" | "ft" | "lot" | "pauschal" => "C62",
        "h" | "hr" | "hrs" | "heure" | "heures" | "hour" | "hours" | "std" | "stunde"
        | "stunden" => "HUR",
        "j" | "jr" | "jour" | "jours" | "day" | "days" | "tag" | "tage" | "jh" => "DAY",
        "sem" | "semaine" | "semaines" | "week" | "weeks" | "woche" => "WEE",
        "mois" | "month" | "months" | "monat" | "monate" => "MON",
        "an" | "annee" | "year" | "years" | "jahr" => "ANN",
        "min" | "minute" | "minutes" => "MIN",
        "kg" => "KGM",
        "g" => "GRM",
        "t" | "tonne" | "tonnes" => "TNE",
        "l" | "litre" | "litres" | "liter" => "LTR",
        "m" | "ml" | "metre" | "metres" | "meter" => "MTR",
        "m2" | "m²" => "MTK",
        "m3" | "m³" => "MTQ",
        "km" => "KMT",
        "kwh" => "KWH",
        _ => return None,
    })
}

const KNOWN_CODES: [&str; 16] = [
    "C62", "H87", "HUR", "DAY", "WEE", "MON", "ANN", "MIN", "KGM", "GRM", "TNE", "LTR", "MTR",
    "MTK", "MTQ", "KWH",
];

/// A line's VAT category: the one given, else S for a positive rate.
fn line_category(l: &crate::read::ItemLine) -> Option<String> {
    val(&l.vat_category).map(str::to_string).or_else(|| {
        dec(&l.vat_rate)
            .filter(|r| *r > Dec::ZERO)
            .map(|_| "S".to_string())
    })
}

/// One row of the VAT breakdown as written: (category, rate) → base, tax,
/// exemption reason.
#[derive(Debug, Clone)]
struct TaxRow {
    category: String,
    rate: Dec,
    base: Dec,
    tax: Dec,
    exemption: Option<String>,
}

/// The sign applied to amounts: credit notes printed negative are written
/// positive.
fn sign(inv: &Invoice) -> i64 {
    let credit = val(&inv.type_code) == Some("381");
    let negative = inv
        .lines
        .iter()
        .filter_map(|l| dec(&l.net))
        .chain(dec(&inv.totals.with_tax))
        .any(|d| d < Dec::ZERO);
    if credit && negative { -1 } else { 1 }
}

fn signed(d: Dec, s: i64) -> Dec {
    Dec(d.0 * s)
}

/// The breakdown as given (categories from the lines' when one rate has
/// one), else computed from the lines per category and rate.
fn tax_rows(inv: &Invoice, s: i64) -> Vec<TaxRow> {
    let mut per: BTreeMap<(String, Dec), (Dec, Option<String>)> = BTreeMap::new();
    for l in &inv.lines {
        let (Some(cat), Some(net)) = (line_category(l), dec(&l.net)) else {
            continue;
        };
        let rate = dec(&l.vat_rate).unwrap_or(Dec::ZERO);
        let entry = per.entry((cat, rate)).or_insert((Dec::ZERO, None));
        entry.0 = entry.0.plus(signed(net, s));
    }
    let line_rates: Vec<(String, Dec)> = per.keys().cloned().collect();
    for (list, way) in [(&inv.allowances, -1), (&inv.charges, 1)] {
        for a in list {
            let (Some((cat, rate)), Some(amount)) = (ac_category(a, &line_rates), dec(&a.amount))
            else {
                continue;
            };
            let entry = per.entry((cat, rate)).or_insert((Dec::ZERO, None));
            entry.0 = entry.0.plus(signed(Dec(amount.0 * way), s));
        }
    }
    if !inv.vat.is_empty() {
        return inv
            .vat
            .iter()
            .filter_map(|v| {
                let rate = dec(&v.rate).unwrap_or(Dec::ZERO);
                let category = val(&v.category).map(str::to_string).or_else(|| {
                    per.keys()
                        .find(|(_, r)| *r == rate)
                        .map(|(c, _)| c.clone())
                        .or_else(|| (rate > Dec::ZERO).then(|| "S".to_string()))
                })?;
                let base = dec(&v.base)
                    .map(|b| signed(b, s))
                    .or_else(|| per.get(&(category.clone(), rate)).map(|p| p.0))?;
                let tax = dec(&v.tax)
                    .map(|t| signed(t, s))
                    .unwrap_or_else(|| Dec::from_cents(base.percent(rate).cents()));
                Some(TaxRow {
                    category,
                    rate,
                    base,
                    tax,
                    exemption: val(&v.exemption).map(str::to_string),
                })
            })
            .collect();
    }
    per.into_iter()
        .map(|((category, rate), (base, exemption))| TaxRow {
            tax: Dec::from_cents(base.percent(rate).cents()),
            category,
            rate,
            base,
            exemption,
        })
        .collect()
}

/// An allowance's or charge's VAT category and rate: as given, the rate's
/// category (S above zero), or the lines' when they have only one.
fn ac_category(a: &AllowanceCharge, line_rates: &[(String, Dec)]) -> Option<(String, Dec)> {
    let rate = dec(&a.vat_rate);
    let only = (line_rates.len() == 1).then(|| line_rates[0].clone());
    match (val(&a.vat_category), rate) {
        (Some(c), Some(r)) => Some((c.to_string(), r)),
        (Some(c), None) => Some((
            c.to_string(),
            only.filter(|(oc, _)| oc == c).map_or(Dec::ZERO, |(_, r)| r),
        )),
        (None, Some(r)) => Some((
            line_rates
                .iter()
                .find(|(_, lr)| *lr == r)
                .map(|(c, _)| c.clone())
                .unwrap_or_else(|| if r > Dec::ZERO { "S" } else { "Z" }.to_string()),
            r,
        )),
        (None, None) => only,
    }
}

/// The lines' VAT categories and rates, each once.
fn line_rates(inv: &Invoice) -> Vec<(String, Dec)> {
    let mut r: Vec<(String, Dec)> = inv
        .lines
        .iter()
        .filter_map(|l| Some((line_category(l)?, dec(&l.vat_rate).unwrap_or(Dec::ZERO))))
        .collect();
    r.sort();
    r.dedup();
    r
}

/// The sum of a list's amounts.
fn ac_sum(list: &[AllowanceCharge], s: i64) -> Dec {
    list.iter()
        .filter_map(|a| dec(&a.amount))
        .fold(Dec::ZERO, |acc, d| acc.plus(signed(d, s)))
}

/// Every mandatory term the XML would lack, in the order of the form.
pub fn missing(inv: &Invoice) -> Vec<Missing> {
    let mut out = Vec::new();
    let need = |out: &mut Vec<Missing>, f: &Option<Field>, path: &str, fr: &str, en: &str| {
        if val(f).is_none() {
            out.push(miss(path, fr, en));
        }
    };
    need(
        &mut out,
        &inv.number,
        "BT-1",
        "le numéro de la facture",
        "the invoice number",
    );
    need(
        &mut out,
        &inv.issue_date,
        "BT-2",
        "la date de la facture",
        "the invoice date",
    );
    need(
        &mut out,
        &inv.type_code,
        "BT-3",
        "le type (facture ou avoir)",
        "the type (invoice or credit note)",
    );
    need(&mut out, &inv.currency, "BT-5", "la devise", "the currency");
    need(
        &mut out,
        &inv.process,
        "BT-23",
        "la nature des opérations (biens, services ou les deux)",
        "what is sold (goods, services or both)",
    );
    if val(&inv.type_code) == Some("381") {
        need(
            &mut out,
            &inv.preceding,
            "BG-3/BT-25",
            "le numéro de la facture que l'avoir corrige",
            "the number of the invoice the credit note corrects",
        );
        need(
            &mut out,
            &inv.preceding_date,
            "BG-3/BT-26",
            "la date de la facture que l'avoir corrige",
            "the date of the invoice the credit note corrects",
        );
    }
    party_missing(&mut out, &inv.seller, "BG-4", true);
    party_missing(&mut out, &inv.buyer, "BG-7", false);
    if inv.delivery != Party::default() && val(&inv.delivery.country).is_none() {
        out.push(miss(
            "BG-13/BG-15/BT-80",
            "le pays de l'adresse de livraison",
            "the delivery address's country",
        ));
    }
    if inv.lines.is_empty() {
        out.push(miss(
            "BG-25",
            "au moins une ligne de facture",
            "at least one invoice line",
        ));
    }
    for (i, l) in inv.lines.iter().enumerate() {
        let n = i + 1;
        let p = |t: &str| format!("BG-25[{i}]/{t}");
        need(
            &mut out,
            &l.description,
            &p("BG-31/BT-153"),
            &format!("la désignation de la ligne {n}"),
            &format!("line {n}'s description"),
        );
        need(
            &mut out,
            &l.quantity,
            &p("BT-129"),
            &format!("la quantité de la ligne {n}"),
            &format!("line {n}'s quantity"),
        );
        need(
            &mut out,
            &l.unit_price,
            &p("BG-29/BT-146"),
            &format!("le prix unitaire HT de la ligne {n}"),
            &format!("line {n}'s unit price"),
        );
        need(
            &mut out,
            &l.net,
            &p("BT-131"),
            &format!("le montant HT de la ligne {n}"),
            &format!("line {n}'s net amount"),
        );
        if line_category(l).is_none() {
            out.push(miss(
                p("BG-30/BT-151"),
                &format!(
                    "la catégorie de TVA de la ligne {n} (taux nul : exonération, autoliquidation…)"
                ),
                &format!("line {n}'s VAT category (zero rate: exempt, reverse charge…)"),
            ));
        }
        if let Some(u) = val(&l.unit)
            && unit_code(u).is_none()
        {
            out.push(miss(
                p("BT-130"),
                &format!(
                    "le code de l'unité « {u} » de la ligne {n} (C62 unité, HUR heure, DAY jour…)"
                ),
                &format!("line {n}'s unit code for \"{u}\" (C62 unit, HUR hour, DAY day…)"),
            ));
        }
    }
    let line_rates = line_rates(inv);
    for (group, list, first, fr, en) in [
        ("BG-20", &inv.allowances, 92, "la remise", "the allowance"),
        ("BG-21", &inv.charges, 99, "les frais", "the charge"),
    ] {
        for (i, a) in list.iter().enumerate() {
            if dec(&a.amount).is_none() {
                out.push(miss(
                    format!("{group}[{i}]/BT-{first}"),
                    &format!("le montant de {fr} n° {} (hors TVA)", i + 1),
                    &format!("the amount of {en} no. {} (without VAT)", i + 1),
                ));
            }
            if ac_category(a, &line_rates).is_none() {
                out.push(miss(
                    format!("{group}[{i}]/BT-{}", first + 4),
                    &format!("le taux de TVA de {fr} n° {}", i + 1),
                    &format!("the VAT rate of {en} no. {}", i + 1),
                ));
            }
            if val(&a.reason).is_none() && val(&a.reason_code).is_none() {
                out.push(miss(
                    format!("{group}[{i}]/BT-{}", first + 5),
                    &format!("le motif de {fr} n° {}", i + 1),
                    &format!("the reason for {en} no. {}", i + 1),
                ));
            }
        }
    }
    for (i, row) in tax_rows(inv, sign(inv)).iter().enumerate() {
        if row.category != "S" && row.category != "Z" && row.exemption.is_none() {
            out.push(miss(
                format!("BG-23[{i}]/BT-120"),
                &format!("le motif d'exonération de TVA (catégorie {})", row.category),
                &format!("the VAT exemption reason (category {})", row.category),
            ));
        }
    }
    let due = dec(&inv.totals.due)
        .or(dec(&inv.totals.with_tax))
        .unwrap_or(Dec::ZERO);
    if due != Dec::ZERO && val(&inv.due_date).is_none() && val(&inv.payment_terms).is_none() {
        out.push(miss(
            "BT-9",
            "la date d'échéance ou les conditions de paiement",
            "the due date or the payment terms",
        ));
    }
    if matches!(val(&inv.payment_means), Some("30" | "58")) && val(&inv.iban).is_none() {
        out.push(miss(
            "BG-16/BG-17/BT-84",
            "l'IBAN du compte à créditer (paiement par virement)",
            "the IBAN to pay to (credit transfer)",
        ));
    }
    for code in ["PMT", "PMD", "AAB"] {
        if !inv.notes.iter().any(|(c, _)| c.as_deref() == Some(code)) {
            out.push(miss(
                format!("BG-1/{code}"),
                &format!("la mention obligatoire {}", note_name(code).0),
                &format!("the mandatory note {}", note_name(code).1),
            ));
        }
    }
    out
}

fn note_name(code: &str) -> (&'static str, &'static str) {
    match code {
        "PMT" => (
            "sur l'indemnité forfaitaire de recouvrement (PMT)",
            "on the fixed recovery fee (PMT)",
        ),
        "PMD" => (
            "sur les pénalités de retard (PMD)",
            "on late payment penalties (PMD)",
        ),
        _ => ("sur l'escompte (AAB)", "on early payment discount (AAB)"),
    }
}

fn party_missing(out: &mut Vec<Missing>, p: &Party, group: &str, seller: bool) {
    let (who_fr, who_en) = if seller {
        ("du vendeur", "the seller's")
    } else {
        ("du client", "the buyer's")
    };
    let (name, siren, country, address) = if seller {
        ("BT-27", "BT-30", "BG-5/BT-40", "BT-34")
    } else {
        ("BT-44", "BT-47", "BG-8/BT-55", "BT-49")
    };
    if val(&p.name).is_none() {
        out.push(miss(
            format!("{group}/{name}"),
            &format!("le nom {who_fr}"),
            &format!("{who_en} name"),
        ));
    }
    let country_code = val(&p.country);
    if country_code.is_none() {
        out.push(miss(
            format!("{group}/{country}"),
            &format!("le pays {who_fr}"),
            &format!("{who_en} country"),
        ));
    }
    if country_code.is_none_or(|c| c == "FR") && val(&p.siren).is_none() {
        out.push(miss(
            format!("{group}/{siren}"),
            &format!("le SIREN {who_fr}"),
            &format!("{who_en} SIREN"),
        ));
    }
    if val(&p.e_address).is_none() {
        out.push(miss(
            format!("{group}/{address}"),
            &format!("l'adresse de facturation électronique {who_fr} (souvent son SIREN)"),
            &format!("{who_en} electronic invoicing address (most often its SIREN)"),
        ));
    }
}

fn date102(iso: &str) -> String {
    iso.replace('-', "")
}

/// The sum of the lines, the totals given or derived.
struct Sums {
    lines: Dec,
    /// BT-107 and BT-108.
    allowances: Dec,
    charges: Dec,
    without_tax: Dec,
    tax: Dec,
    with_tax: Dec,
    due: Dec,
}

fn sums(inv: &Invoice, s: i64, rows: &[TaxRow]) -> Sums {
    let t = &inv.totals;
    let lines_total = inv
        .lines
        .iter()
        .filter_map(|l| dec(&l.net))
        .fold(Dec::ZERO, |a, b| a.plus(signed(b, s)));
    let lines = dec(&t.lines_sum)
        .map(|d| signed(d, s))
        .unwrap_or(lines_total);
    let allowances = dec(&t.allowances)
        .map(|d| signed(d, s))
        .unwrap_or_else(|| ac_sum(&inv.allowances, s));
    let charges = dec(&t.charges)
        .map(|d| signed(d, s))
        .unwrap_or_else(|| ac_sum(&inv.charges, s));
    let without_tax = dec(&t.without_tax)
        .map(|d| signed(d, s))
        .unwrap_or_else(|| lines.minus(allowances).plus(charges));
    let tax = dec(&t.tax)
        .map(|d| signed(d, s))
        .unwrap_or_else(|| rows.iter().fold(Dec::ZERO, |a, r| a.plus(r.tax)));
    let with_tax = dec(&t.with_tax)
        .map(|d| signed(d, s))
        .unwrap_or_else(|| without_tax.plus(tax));
    let due = dec(&t.due).map(|d| signed(d, s)).unwrap_or(with_tax);
    Sums {
        lines,
        allowances,
        charges,
        without_tax,
        tax,
        with_tax,
        due,
    }
}

fn amount(d: Dec) -> String {
    Dec::from_cents(d.cents()).amount_string()
}

/// An amount as printed, with the invoice's sign taken off (a credit note's
/// amounts are written positive).
fn amount_of(d: Dec, s: i64) -> String {
    amount(signed(d, s))
}

fn party_xml(x: &mut String, tag: &str, p: &Party) {
    let _ = writeln!(x, "      <ram:{tag}>");
    if let Some(siret) = val(&p.siret) {
        let _ = writeln!(
            x,
            "        <ram:GlobalID schemeID=\"0009\">{}</ram:GlobalID>",
            e(siret)
        );
    }
    let _ = writeln!(
        x,
        "        <ram:Name>{}</ram:Name>",
        e(val(&p.name).unwrap_or(""))
    );
    if let Some(siren) = val(&p.siren) {
        let _ = writeln!(
            x,
            "        <ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">{}</ram:ID></ram:SpecifiedLegalOrganization>",
            e(siren)
        );
    }
    contact_xml(x, p);
    address_xml(x, p);
    if let Some(a) = val(&p.e_address) {
        let _ = writeln!(
            x,
            "        <ram:URIUniversalCommunication><ram:URIID schemeID=\"{}\">{}</ram:URIID></ram:URIUniversalCommunication>",
            e(val(&p.e_scheme).unwrap_or("0225")),
            e(a)
        );
    }
    if let Some(vat) = val(&p.vat) {
        let _ = writeln!(
            x,
            "        <ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
            e(vat)
        );
    }
    let _ = writeln!(x, "      </ram:{tag}>");
}

/// BG-6 / BG-9, in the order the CII schema gives (person, telephone,
/// e-mail); nothing when none is known.
fn contact_xml(x: &mut String, p: &Party) {
    let (name, phone, email) = (
        val(&p.contact_name),
        val(&p.contact_phone),
        val(&p.contact_email),
    );
    if name.is_none() && phone.is_none() && email.is_none() {
        return;
    }
    x.push_str("        <ram:DefinedTradeContact>");
    if let Some(n) = name {
        let _ = write!(x, "<ram:PersonName>{}</ram:PersonName>", e(n));
    }
    if let Some(t) = phone {
        let _ = write!(
            x,
            "<ram:TelephoneUniversalCommunication><ram:CompleteNumber>{}</ram:CompleteNumber></ram:TelephoneUniversalCommunication>",
            e(t)
        );
    }
    if let Some(m) = email {
        let _ = write!(
            x,
            "<ram:EmailURIUniversalCommunication><ram:URIID>{}</ram:URIID></ram:EmailURIUniversalCommunication>",
            e(m)
        );
    }
    x.push_str("</ram:DefinedTradeContact>\n");
}

fn address_xml(x: &mut String, p: &Party) {
    let Some(country) = val(&p.country) else {
        return;
    };
    x.push_str("        <ram:PostalTradeAddress>");
    if let Some(pc) = val(&p.postcode) {
        let _ = write!(x, "<ram:PostcodeCode>{}</ram:PostcodeCode>", e(pc));
    }
    if let Some(s) = val(&p.street) {
        let _ = write!(x, "<ram:LineOne>{}</ram:LineOne>", e(s));
    }
    if let Some(c) = val(&p.city) {
        let _ = write!(x, "<ram:CityName>{}</ram:CityName>", e(c));
    }
    let _ = writeln!(
        x,
        "<ram:CountryID>{}</ram:CountryID></ram:PostalTradeAddress>",
        e(country)
    );
}

/// The CII XML (Factur-X profile EN 16931), or every missing mandatory term.
pub fn to_cii(inv: &Invoice) -> Result<Vec<u8>, Vec<Missing>> {
    let missing = missing(inv);
    if !missing.is_empty() {
        return Err(missing);
    }
    let s = sign(inv);
    let rows = tax_rows(inv, s);
    let sums = sums(inv, s, &rows);
    let currency = e(val(&inv.currency).unwrap_or("EUR"));
    let mut x = String::with_capacity(8 * 1024);
    let _ = write!(
        x,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>{}</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{}</ram:ID>
    <ram:TypeCode>{}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{}</udt:DateTimeString></ram:IssueDateTime>
"#,
        e(val(&inv.process).unwrap_or("")),
        e(val(&inv.number).unwrap_or("")),
        e(val(&inv.type_code).unwrap_or("380")),
        e(&date102(val(&inv.issue_date).unwrap_or(""))),
    );
    for (code, text) in &inv.notes {
        let _ = write!(
            x,
            "    <ram:IncludedNote><ram:Content>{}</ram:Content>",
            e(text.value.trim())
        );
        if let Some(c) = code {
            let _ = write!(x, "<ram:SubjectCode>{}</ram:SubjectCode>", e(c));
        }
        x.push_str("</ram:IncludedNote>\n");
    }
    x.push_str("  </rsm:ExchangedDocument>\n  <rsm:SupplyChainTradeTransaction>\n");
    for (i, l) in inv.lines.iter().enumerate() {
        let net = signed(dec(&l.net).unwrap_or(Dec::ZERO), s);
        let price = dec(&l.unit_price).unwrap_or(Dec::ZERO).abs();
        let qty = dec(&l.quantity).unwrap_or(Dec::ZERO);
        let qty = if s < 0 { qty.abs() } else { qty };
        let unit = val(&l.unit).and_then(unit_code).unwrap_or("C62");
        let cat = line_category(l).unwrap_or_default();
        let rate = dec(&l.vat_rate).unwrap_or(Dec::ZERO);
        let _ = write!(
            x,
            r#"    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="{unit}">{}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{}</ram:CategoryCode><ram:RateApplicablePercent>{}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
"#,
            i + 1,
            e(val(&l.description).unwrap_or("")),
            price.plain_string(),
            qty.plain_string(),
            e(&cat),
            rate.plain_string(),
            amount(net),
        );
    }
    x.push_str("    <ram:ApplicableHeaderTradeAgreement>\n");
    if let Some(r) = val(&inv.buyer_reference) {
        let _ = writeln!(x, "      <ram:BuyerReference>{}</ram:BuyerReference>", e(r));
    }
    party_xml(&mut x, "SellerTradeParty", &inv.seller);
    party_xml(&mut x, "BuyerTradeParty", &inv.buyer);
    if let Some(r) = val(&inv.order_reference) {
        let _ = writeln!(
            x,
            "      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>",
            e(r)
        );
    }
    if let Some(r) = val(&inv.contract_reference) {
        let _ = writeln!(
            x,
            "      <ram:ContractReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID></ram:ContractReferencedDocument>",
            e(r)
        );
    }
    x.push_str(
        "    </ram:ApplicableHeaderTradeAgreement>\n    <ram:ApplicableHeaderTradeDelivery>\n",
    );
    if inv.delivery != Party::default() {
        x.push_str("      <ram:ShipToTradeParty>\n");
        if let Some(n) = val(&inv.delivery.name) {
            let _ = writeln!(x, "        <ram:Name>{}</ram:Name>", e(n));
        }
        address_xml(&mut x, &inv.delivery);
        x.push_str("      </ram:ShipToTradeParty>\n");
    }
    if let Some(d) = val(&inv.delivery_date) {
        let _ = writeln!(
            x,
            "      <ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format=\"102\">{}</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>",
            e(&date102(d))
        );
    }
    let _ = write!(
        x,
        "    </ram:ApplicableHeaderTradeDelivery>\n    <ram:ApplicableHeaderTradeSettlement>\n      <ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>\n"
    );
    if let Some(code) = val(&inv.payment_means) {
        let _ = writeln!(
            x,
            "      <ram:SpecifiedTradeSettlementPaymentMeans>\n        <ram:TypeCode>{}</ram:TypeCode>",
            e(code)
        );
        if let Some(iban) = val(&inv.iban) {
            let _ = writeln!(
                x,
                "        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>",
                e(&iban.replace(' ', ""))
            );
        }
        if let Some(bic) = val(&inv.bic) {
            let _ = writeln!(
                x,
                "        <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>",
                e(bic)
            );
        }
        x.push_str("      </ram:SpecifiedTradeSettlementPaymentMeans>\n");
    }
    let vat_point = val(&inv.vat_point);
    for r in &rows {
        let _ = write!(
            x,
            "      <ram:ApplicableTradeTax>\n        <ram:CalculatedAmount>{}</ram:CalculatedAmount>\n        <ram:TypeCode>VAT</ram:TypeCode>\n",
            amount(r.tax)
        );
        if let Some(reason) = &r.exemption {
            let _ = writeln!(
                x,
                "        <ram:ExemptionReason>{}</ram:ExemptionReason>",
                e(reason)
            );
        }
        let _ = writeln!(
            x,
            "        <ram:BasisAmount>{}</ram:BasisAmount>\n        <ram:CategoryCode>{}</ram:CategoryCode>",
            amount(r.base),
            e(&r.category)
        );
        if let Some(code) = vat_point {
            let _ = writeln!(
                x,
                "        <ram:DueDateTypeCode>{}</ram:DueDateTypeCode>",
                e(code)
            );
        }
        let _ = writeln!(
            x,
            "        <ram:RateApplicablePercent>{}</ram:RateApplicablePercent>\n      </ram:ApplicableTradeTax>",
            r.rate.plain_string()
        );
    }
    let line_rates = line_rates(inv);
    for (list, charge) in [(&inv.allowances, false), (&inv.charges, true)] {
        for a in list {
            let (Some(amount), Some((category, rate))) =
                (dec(&a.amount), ac_category(a, &line_rates))
            else {
                continue;
            };
            let _ = writeln!(
                x,
                "      <ram:SpecifiedTradeAllowanceCharge>\n        <ram:ChargeIndicator><udt:Indicator>{charge}</udt:Indicator></ram:ChargeIndicator>"
            );
            if let Some(p) = dec(&a.percent) {
                let _ = writeln!(
                    x,
                    "        <ram:CalculationPercent>{}</ram:CalculationPercent>",
                    p.plain_string()
                );
            }
            if let Some(b) = dec(&a.base) {
                let _ = writeln!(
                    x,
                    "        <ram:BasisAmount>{}</ram:BasisAmount>",
                    amount_of(b, s)
                );
            }
            let _ = writeln!(
                x,
                "        <ram:ActualAmount>{}</ram:ActualAmount>",
                amount_of(amount, s)
            );
            if let Some(code) = val(&a.reason_code) {
                let _ = writeln!(x, "        <ram:ReasonCode>{}</ram:ReasonCode>", e(code));
            }
            if let Some(reason) = val(&a.reason) {
                let _ = writeln!(x, "        <ram:Reason>{}</ram:Reason>", e(reason));
            }
            let _ = writeln!(
                x,
                "        <ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{}</ram:CategoryCode><ram:RateApplicablePercent>{}</ram:RateApplicablePercent></ram:CategoryTradeTax>\n      </ram:SpecifiedTradeAllowanceCharge>",
                e(&category),
                rate.plain_string()
            );
        }
    }
    if val(&inv.payment_terms).is_some() || val(&inv.due_date).is_some() {
        x.push_str("      <ram:SpecifiedTradePaymentTerms>");
        if let Some(t) = val(&inv.payment_terms) {
            let _ = write!(x, "<ram:Description>{}</ram:Description>", e(t));
        }
        if let Some(d) = val(&inv.due_date) {
            let _ = write!(
                x,
                "<ram:DueDateDateTime><udt:DateTimeString format=\"102\">{}</udt:DateTimeString></ram:DueDateDateTime>",
                e(&date102(d))
            );
        }
        x.push_str("</ram:SpecifiedTradePaymentTerms>\n");
    }
    let prepaid = sums.with_tax.minus(sums.due);
    let _ = write!(
        x,
        r#"      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{}</ram:LineTotalAmount>
{}        <ram:TaxBasisTotalAmount>{}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{currency}">{}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{}</ram:GrandTotalAmount>
"#,
        amount(sums.lines),
        {
            let mut t = String::new();
            if !inv.charges.is_empty() || sums.charges != Dec::ZERO {
                let _ = writeln!(
                    t,
                    "        <ram:ChargeTotalAmount>{}</ram:ChargeTotalAmount>",
                    amount(sums.charges)
                );
            }
            if !inv.allowances.is_empty() || sums.allowances != Dec::ZERO {
                let _ = writeln!(
                    t,
                    "        <ram:AllowanceTotalAmount>{}</ram:AllowanceTotalAmount>",
                    amount(sums.allowances)
                );
            }
            t
        },
        amount(sums.without_tax),
        amount(sums.tax),
        amount(sums.with_tax),
    );
    if prepaid != Dec::ZERO {
        let _ = writeln!(
            x,
            "        <ram:TotalPrepaidAmount>{}</ram:TotalPrepaidAmount>",
            amount(prepaid)
        );
    }
    let _ = writeln!(
        x,
        "        <ram:DuePayableAmount>{}</ram:DuePayableAmount>\n      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        amount(sums.due)
    );
    if let Some(p) = val(&inv.preceding) {
        let date = val(&inv.preceding_date).map_or(String::new(), |d| {
            format!(
                "<ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">{}</qdt:DateTimeString></ram:FormattedIssueDateTime>",
                e(&date102(d))
            )
        });
        let _ = writeln!(
            x,
            "      <ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID>{date}</ram:InvoiceReferencedDocument>",
            e(p)
        );
    }
    x.push_str("    </ram:ApplicableHeaderTradeSettlement>\n  </rsm:SupplyChainTradeTransaction>\n</rsm:CrossIndustryInvoice>\n");
    Ok(x.into_bytes())
}
