//! A Factur-X draft: what was read on the page, completed from « Mon
//! entreprise » and the buyer's entry in the customer directory, each value
//! keeping where it came from and whether it is sure; then the owner's own
//! values (`--data`, the window's form) laid over it.
//!
//! Nothing is invented. A value the page does not give and the owner's
//! records do not hold stays empty, to be entered; the only values added
//! without a source are suggestions marked unsure (a line with an amount
//! but no quantity: 1 × the amount), which a confirmation must turn sure.
//!
//! Deliberately not here: reading the page ([`crate::read`]), writing the
//! XML ([`super::cii`]), storage.

use crate::mirror::store::customers::CustomerData;
use crate::read::{Dec, Field, Invoice, Party, Source};

use super::company::{self, Company};

fn filled(f: &Option<Field>) -> bool {
    f.as_ref().is_some_and(|f| !f.value.trim().is_empty())
}

/// Puts `value` from `source` in `slot` unless the page gave a sure value
/// there. An unsure reading is replaced by the owner's records, which are
/// sure.
fn complete(slot: &mut Option<Field>, value: Option<&str>, source: Source) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return;
    };
    if slot
        .as_ref()
        .is_some_and(|f| f.sure && !f.value.trim().is_empty())
    {
        return;
    }
    *slot = Some(Field::new(v, source, true));
}

/// The seller from « Mon entreprise ».
fn seller_from(p: &mut Party, c: &Company) {
    let s = Source::Company;
    complete(&mut p.name, Some(&c.name), s);
    complete(&mut p.siren, c.siren.as_deref(), s);
    complete(&mut p.siret, c.siret.as_deref(), s);
    complete(&mut p.vat, c.vat.as_deref(), s);
    complete(&mut p.street, c.street.as_deref(), s);
    complete(&mut p.postcode, c.postcode.as_deref(), s);
    complete(&mut p.city, c.city.as_deref(), s);
    complete(&mut p.country, Some(c.country_code()), s);
    if let Some(a) = c.electronic_address() {
        complete(&mut p.e_address, Some(a), s);
        complete(&mut p.e_scheme, Some("0225"), s);
    }
    complete(&mut p.contact_name, c.contact_name.as_deref(), s);
    complete(&mut p.contact_phone, c.contact_phone.as_deref(), s);
    complete(&mut p.contact_email, c.contact_email.as_deref(), s);
}

/// The buyer from its directory entry.
fn buyer_from(p: &mut Party, c: &CustomerData) {
    let s = Source::Directory;
    complete(&mut p.name, Some(&c.name), s);
    complete(&mut p.siren, c.siren.as_deref(), s);
    complete(&mut p.siret, c.siret.as_deref(), s);
    complete(&mut p.vat, c.vat.as_deref(), s);
    complete(&mut p.street, c.street.as_deref(), s);
    complete(&mut p.postcode, c.postcode.as_deref(), s);
    complete(&mut p.city, c.city.as_deref(), s);
    complete(&mut p.country, c.country.as_deref(), s);
    if let Some(a) = c.electronic_address.as_deref() {
        complete(&mut p.e_address, Some(a), s);
        complete(
            &mut p.e_scheme,
            Some(c.electronic_scheme.as_deref().unwrap_or("0225")),
            s,
        );
    }
}

/// The ISO date `days` after `iso`.
fn plus_days(iso: &str, days: u32) -> Option<String> {
    let t = super::pdfa::epoch_of_iso_date(iso)? + i64::from(days) * 86_400;
    let days = t.div_euclid(86_400);
    // Civil from days (the inverse of epoch_of_iso_date).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// The draft of one invoice read from a plain PDF.
pub fn draft(
    read: &Invoice,
    company: Option<&Company>,
    customer: Option<&CustomerData>,
) -> Invoice {
    let mut inv = read.clone();
    if let Some(c) = company {
        let s = Source::Company;
        seller_from(&mut inv.seller, c);
        complete(&mut inv.iban, c.iban.as_deref(), s);
        complete(&mut inv.bic, c.bic.as_deref(), s);
        complete(&mut inv.payment_means, c.payment_means_code(), s);
        complete(&mut inv.payment_terms, c.payment_terms.as_deref(), s);
        complete(&mut inv.process, c.operations.map(|o| o.process_code()), s);
        if c.vat_on_debits {
            complete(&mut inv.vat_point, Some("5"), s);
        }
        if !filled(&inv.due_date)
            && let (Some(days), Some(issued)) = (c.payment_days, inv.issue_date.as_ref())
            && let Some(due) = plus_days(&issued.value, days)
        {
            inv.due_date = Some(Field::new(due, s, issued.sure));
        }
        for (code, text, default) in [
            ("PMD", &c.note_pmd, company::DEFAULT_PMD),
            ("PMT", &c.note_pmt, company::DEFAULT_PMT),
            ("AAB", &c.note_aab, company::DEFAULT_AAB),
        ] {
            if !inv.notes.iter().any(|(k, _)| k.as_deref() == Some(code)) {
                let t = text.as_deref().unwrap_or(default);
                inv.notes.push((Some(code.into()), Field::new(t, s, true)));
            }
        }
        if c.vat_on_debits && !inv.notes.iter().any(|(k, _)| k.as_deref() == Some("TXD")) {
            inv.notes.push((
                Some("TXD".into()),
                Field::new(company::DEBITS_MENTION, s, true),
            ));
        }
        if c.vat_franchise {
            for l in &mut inv.lines {
                let zero = l
                    .vat_rate
                    .as_ref()
                    .and_then(|r| Dec::parse_plain(&r.value))
                    .is_none_or(|r| r == Dec::ZERO);
                if zero {
                    complete(&mut l.vat_rate, Some("0"), s);
                    complete(&mut l.vat_category, Some("E"), s);
                }
            }
            for v in &mut inv.vat {
                complete(&mut v.category, Some("E"), s);
                complete(&mut v.exemption, Some(company::FRANCHISE_MENTION), s);
            }
            if inv.vat.is_empty() {
                inv.vat.push(crate::read::VatRow {
                    rate: Some(Field::new("0", s, true)),
                    category: Some(Field::new("E", s, true)),
                    exemption: Some(Field::new(company::FRANCHISE_MENTION, s, true)),
                    ..Default::default()
                });
            }
        }
    }
    if let Some(c) = customer {
        buyer_from(&mut inv.buyer, c);
    }
    // A buyer known by its SIREN is reached at that SIREN in the French
    // directory unless its entry says otherwise: offered, not sure.
    if !filled(&inv.buyer.e_address)
        && let Some(siren) = inv.buyer.siren.clone().filter(|f| !f.value.is_empty())
    {
        inv.buyer.e_address = Some(Field::new(siren.value, siren.source, false));
        inv.buyer.e_scheme = Some(Field::new("0225", siren.source, false));
    }
    if !filled(&inv.type_code) {
        inv.type_code = Some(Field::new("380", Source::User, false));
    }
    if !filled(&inv.currency) {
        inv.currency = Some(Field::new("EUR", Source::User, false));
    }
    // One rate on the whole invoice: every line without one has it.
    crate::read::fields::one_rate_lines(&mut inv);
    // A line with an amount and nothing else reads as one unit at that
    // price: offered for confirmation, never sure.
    for l in &mut inv.lines {
        if let Some(net) = l.net.clone()
            && !filled(&l.quantity)
            && !filled(&l.unit_price)
        {
            l.quantity = Some(Field::new("1", net.source, false));
            l.unit_price = Some(Field::new(net.value, net.source, false));
        }
    }
    inv
}

/// Lays the owner's values over `base`: every term `top` holds wins; a
/// list (lines, VAT breakdown, allowances, charges, notes) given in `top`
/// replaces the whole list.
pub fn overlay(base: &mut Invoice, top: &Invoice) {
    let mut values: Vec<(String, Field)> = crate::read::en16931::flatten(top)
        .into_iter()
        .filter(|(p, _)| {
            !["BG-25[", "BG-23[", "BG-20[", "BG-21[", "BG-1["]
                .iter()
                .any(|list| p.starts_with(list))
        })
        .collect();
    crate::read::en16931::visit(base, &mut |path, slot| {
        if let Some(i) = values.iter().position(|(p, _)| *p == path) {
            *slot = Some(values.swap_remove(i).1);
        }
    });
    if !top.lines.is_empty() {
        base.lines = top.lines.clone();
    }
    if !top.vat.is_empty() {
        base.vat = top.vat.clone();
    }
    if !top.allowances.is_empty() {
        base.allowances = top.allowances.clone();
    }
    if !top.charges.is_empty() {
        base.charges = top.charges.clone();
    }
    if !top.notes.is_empty() {
        base.notes = top.notes.clone();
    }
}

/// Whether every value of the draft is sure (read with a passing check,
/// or from the owner's records): what a watched folder needs to make the
/// Factur-X without asking.
pub fn all_sure(inv: &Invoice) -> bool {
    crate::read::en16931::flatten(inv)
        .iter()
        .all(|(_, f)| f.sure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Source {
        Source::Page {
            page: 1,
            x: 1.0,
            y: 2.0,
            w: 3.0,
            h: 4.0,
        }
    }

    #[test]
    fn company_fills_what_the_page_lacks_and_keeps_what_it_read_surely() {
        let mut read = Invoice::default();
        read.seller.name = Some(Field::new("ATELIER LUMIERE", page(), true));
        read.seller.siren = Some(Field::new("999999999", page(), false));
        read.issue_date = Some(Field::new("2026-11-02", page(), true));
        let c = Company {
            name: "Atelier Lumière".into(),
            siren: Some("732829320".into()),
            payment_days: Some(30),
            ..Company::default()
        };
        let d = draft(&read, Some(&c), None);
        assert_eq!(d.seller.name.as_ref().unwrap().value, "ATELIER LUMIERE");
        assert_eq!(d.seller.siren.as_ref().unwrap().value, "732829320");
        assert_eq!(d.seller.siren.as_ref().unwrap().source, Source::Company);
        assert_eq!(d.seller.e_address.as_ref().unwrap().value, "732829320");
        assert_eq!(d.due_date.as_ref().unwrap().value, "2026-12-02");
        let codes: Vec<_> = d.notes.iter().filter_map(|(c, _)| c.clone()).collect();
        assert_eq!(codes, ["PMD", "PMT", "AAB"]);
    }

    #[test]
    fn an_amount_alone_is_offered_as_one_unit_never_sure() {
        let mut read = Invoice::default();
        read.lines.push(crate::read::ItemLine {
            net: Some(Field::new("150.00", page(), true)),
            ..Default::default()
        });
        let d = draft(&read, None, None);
        assert_eq!(d.lines[0].quantity.as_ref().unwrap().value, "1");
        assert!(!d.lines[0].quantity.as_ref().unwrap().sure);
        assert_eq!(d.lines[0].unit_price.as_ref().unwrap().value, "150.00");
        assert!(!all_sure(&d));
    }

    #[test]
    fn the_owners_values_win_and_lists_are_replaced_whole() {
        let mut base = Invoice {
            number: Some(Field::new("F-1", page(), false)),
            lines: vec![Default::default(), Default::default()],
            ..Invoice::default()
        };
        let top = Invoice {
            number: Some(Field::new("F-2", Source::User, true)),
            lines: vec![crate::read::ItemLine {
                net: Some(Field::new("5.00", Source::User, true)),
                ..Default::default()
            }],
            ..Invoice::default()
        };
        overlay(&mut base, &top);
        assert_eq!(base.number.unwrap().value, "F-2");
        assert_eq!(base.lines.len(), 1);
    }

    #[test]
    fn days_are_added_across_months_and_years() {
        assert_eq!(plus_days("2026-12-15", 30).as_deref(), Some("2027-01-14"));
        assert_eq!(plus_days("2028-02-28", 1).as_deref(), Some("2028-02-29"));
    }
}
