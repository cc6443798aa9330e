//! Making a Factur-X (`facteur::make::make`: the CII XML, the official
//! EN 16931 + BR-FR + Factur-X rules on it, the PDF/A-3 container), printed
//! as figures (not a timed test): the first one (which pays for reading and
//! compiling the official stylesheets), then the time per invoice (mean,
//! median, 95th percentile) over generated invoices of every layout with
//! their fonts embedded, and the share of it the rules take.
//!
//! Run: `cargo bench --bench make` (add `-- --quick` for 10 invoices).

#[path = "../tests/support/fonts.rs"]
mod fonts;
#[path = "../tests/support/invoices.rs"]
mod invoices;

use std::time::{Duration, Instant};

use facteur::make;
use facteur::read::en16931;
use serde_json::json;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rate_text(rate: i64) -> String {
    let s = format!("{}.{:02}", rate / 100, rate % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The invoice's data as its owner confirms it (as `tests/make.rs` does).
fn data(spec: &invoices::Spec) -> facteur::read::Invoice {
    let money = invoices::money;
    let sign = if spec.credit { -1 } else { 1 };
    let party = |p: &invoices::Party| {
        let siren = p.siren.clone().unwrap_or_default();
        (
            p.name.clone(),
            siren,
            p.vat.clone(),
            p.street.clone(),
            p.city.clone(),
            p.postcode.clone(),
        )
    };
    let (sn, ss, sv, sst, sc, sp) = party(&spec.seller);
    let (bn, bs, bv, bst, bc, bp) = party(&spec.buyer);
    let (ht, tva, ttc) = spec.totals();
    let d = spec.date;
    let mut v = json!({
        "BT-1": spec.number, "BT-2": format!("{:04}-{:02}-{:02}", d.0, d.1, d.2),
        "BT-3": if spec.credit { "381" } else { "380" }, "BT-5": "EUR",
        "BT-20": "Paiement à 30 jours", "BT-23": "M1",
        "BG-1": [{"BT-21": "PMD", "BT-22": "Pénalités : trois fois le taux légal."},
                 {"BT-21": "PMT", "BT-22": "Indemnité forfaitaire : 40 €."},
                 {"BT-21": "AAB", "BT-22": "Pas d'escompte."}],
        "BG-4": {"BT-27": sn, "BT-30": ss, "BT-31": sv, "BT-34": ss, "BT-34-1": "0225",
                 "BG-5": {"BT-35": sst, "BT-37": sc, "BT-38": sp, "BT-40": "FR"}},
        "BG-7": {"BT-44": bn, "BT-47": bs, "BT-48": bv, "BT-49": bs, "BT-49-1": "0225",
                 "BG-8": {"BT-50": bst, "BT-52": bc, "BT-53": bp, "BT-55": "FR"}},
        "BG-16": {"BT-81": "58", "BG-17": {"BT-84": "FR7630006000011234567890189"}},
        "BG-22": {"BT-106": money(ht), "BT-109": money(ht), "BT-110": money(tva), "BT-112": money(ttc), "BT-115": money(ttc)},
    });
    v["BG-25"] = spec.items.iter().map(|it| json!({
        "BT-129": format!("{}.{:02}", it.qty / 100, it.qty % 100), "BT-130": it.unit,
        "BT-131": money(it.net_cents() * sign), "BG-29": {"BT-146": money(it.price_cents)},
        "BG-30": {"BT-151": "S", "BT-152": rate_text(it.rate)}, "BG-31": {"BT-153": it.description},
    })).collect();
    v["BG-23"] = spec
        .breakdown()
        .iter()
        .map(|(r, b, t)| {
            json!({
                "BT-116": money(*b), "BT-117": money(*t), "BT-118": "S", "BT-119": rate_text(*r),
            })
        })
        .collect();
    if spec.credit {
        v["BG-3"] = json!({"BT-25": "F-2026-0001"});
    }
    en16931::from_json(&v).expect("the data is in the draft format")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let want = if quick { 10 } else { 100 };
    let cases: Vec<(Vec<u8>, facteur::read::Invoice)> = (1..5_000u64)
        .map(invoices::spec)
        .filter(|s| s.seller.siren.is_some() && s.buyer.siren.is_some())
        .take(want)
        .map(|s| (fonts::embed(&invoices::pdf(&s.pages())), data(&s)))
        .collect();
    let bytes: usize = cases.iter().map(|c| c.0.len()).sum();
    println!(
        "making a Factur-X: {} generated invoices, {} kB of PDF in all",
        cases.len(),
        bytes / 1024
    );
    let start = Instant::now();
    make::make(&cases[0].0, &cases[0].1, 0).expect("the first invoice is made");
    println!(
        "first invoice (reads and compiles the official stylesheets): {:.0} ms",
        ms(start.elapsed())
    );
    let mut times = Vec::with_capacity(cases.len());
    let mut rules = Vec::with_capacity(cases.len());
    let mut out = 0usize;
    for (pdf, inv) in &cases {
        let t = Instant::now();
        let made = make::make(pdf, inv, 1_793_577_600).expect("every generated invoice is made");
        times.push(t.elapsed());
        out += made.pdf.len();
        let t = Instant::now();
        let _ = make::check_draft(inv);
        rules.push(t.elapsed());
    }
    times.sort();
    rules.sort();
    let mean = |v: &[Duration]| ms(v.iter().sum::<Duration>()) / v.len() as f64;
    let pct = |v: &[Duration], p: f64| ms(v[((v.len() as f64 - 1.0) * p).round() as usize]);
    println!(
        "per invoice: mean {:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        mean(&times),
        pct(&times, 0.5),
        pct(&times, 0.95),
        ms(*times.last().unwrap())
    );
    println!(
        "of which the XML and the official rules: mean {:.1} ms, median {:.1} ms",
        mean(&rules),
        pct(&rules, 0.5)
    );
    println!("made files: {} kB in all", out / 1024);
}
