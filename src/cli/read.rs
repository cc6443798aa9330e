//! `facteur read` (what a PDF says, in EN 16931 terms, with `--confirm` to
//! record the owner's reading and learn its layout) and `facteur layouts`.
//!
//! Deliberately only presentation and wiring: reading is
//! [`facteur::read`], learning [`facteur::read::learn`], storage the store.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::mirror::learned;
use facteur::mirror::store::Store;
use facteur::read::{self, Field, Invoice, Layout, en16931};

use super::{open, say};

/// The learned layouts as the reader takes them.
pub fn load_layouts(store: &Store) -> anyhow::Result<Vec<Layout>> {
    Ok(learned::layouts(store)?)
}

pub fn read(
    paths: &[PathBuf],
    json: bool,
    confirm: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let mut store = open()?;
    if let Some(confirmed) = confirm {
        let [path] = paths else {
            anyhow::bail!(say(
                lang,
                "--confirm se donne pour un seul fichier",
                "--confirm takes exactly one file"
            ));
        };
        return confirm_reading(&mut store, path, confirmed, lang);
    }
    let layouts = load_layouts(&store)?;
    let mut failed = false;
    for path in paths {
        match read::read_file(path, &layouts) {
            Ok(reading) => {
                for inv in &reading.invoices {
                    if json {
                        let mut v = en16931::to_json(inv);
                        v["file"] = serde_json::json!(path.display().to_string());
                        println!("{v}");
                    } else {
                        print!("{}", human(path, inv, lang));
                    }
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn confirm_reading(
    store: &mut Store,
    path: &Path,
    confirmed: &Path,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(confirmed)
        .with_context(|| format!("reading {}", confirmed.display()))?;
    let wanted = en16931::parse(&text)?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let learned = learned::confirm(store, &bytes, &wanted)
        .with_context(|| format!("confirming the reading of {}", path.display()))?;
    if learned.is_empty() {
        anyhow::bail!(say(
            lang,
            "aucune facture lue ne correspond à la lecture confirmée",
            "no invoice read matches the confirmed reading"
        ));
    }
    for l in learned {
        let id = l.layout_id;
        println!(
            "{}",
            say(
                lang,
                &format!(
                    "Lecture confirmée enregistrée ; mise en page n° {id} apprise ({} champs{}).",
                    l.fields,
                    if l.table { ", tableau des lignes" } else { "" }
                ),
                &format!(
                    "Confirmed reading recorded; layout no. {id} learned ({} fields{}).",
                    l.fields,
                    if l.table { ", table of lines" } else { "" }
                ),
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn layouts_list(json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let store = open()?;
    let rows = learned::list(&store)?;
    if json {
        for r in &rows {
            println!(
                "{}",
                serde_json::json!({
                    "id": r.id, "seller": r.seller_key, "seller_name": r.seller_name,
                    "fields": r.fields, "updated_ms": r.updated_ms,
                })
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!(
            "{}",
            say(lang, "Aucune mise en page apprise.", "No layout learned.")
        );
    }
    for r in rows {
        println!(
            "{:>4}  {:<16} {:<30} {}",
            r.id,
            r.seller_key,
            r.seller_name.unwrap_or_default(),
            say(
                lang,
                &format!("{} champs", r.fields),
                &format!("{} fields", r.fields)
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn layouts_remove(id: i64, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut store = open()?;
    if learned::remove(&mut store, id)? {
        println!(
            "{}",
            say(
                lang,
                &format!("Mise en page n° {id} oubliée."),
                &format!("Layout no. {id} removed.")
            )
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{}",
            say(
                lang,
                &format!("Aucune mise en page n° {id}."),
                &format!("No layout no. {id}.")
            )
        );
        Ok(ExitCode::from(2))
    }
}

fn show(f: &Option<Field>) -> String {
    match f {
        Some(f) if f.sure => f.value.clone(),
        Some(f) => format!("{} (?)", f.value),
        None => "—".into(),
    }
}

/// The reading in words, French or English.
fn human(path: &Path, inv: &Invoice, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let t = |a: &str, b: &str| if fr { a.to_string() } else { b.to_string() };
    let mut s = String::new();
    let kind = match inv.type_code.as_ref().map(|f| f.value.as_str()) {
        Some("381") => t("Avoir", "Credit note"),
        _ => t("Facture", "Invoice"),
    };
    s.push_str(&format!(
        "{} — {kind} {} ({} {}–{})\n",
        path.display(),
        show(&inv.number),
        t("pages", "pages"),
        inv.first_page,
        inv.last_page
    ));
    let row =
        |s: &mut String, label: String, v: String| s.push_str(&format!("  {label:<22} {v}\n"));
    row(&mut s, t("Date", "Date"), show(&inv.issue_date));
    row(&mut s, t("Échéance", "Due date"), show(&inv.due_date));
    for (label, p) in [
        (t("Vendeur", "Seller"), &inv.seller),
        (t("Acheteur", "Buyer"), &inv.buyer),
    ] {
        let addr = [&p.street, &p.postcode, &p.city]
            .iter()
            .filter_map(|f| f.as_ref().map(|f| f.value.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        row(&mut s, label, format!("{}  {addr}", show(&p.name)));
        for (name, f) in [
            ("SIREN", &p.siren),
            ("SIRET", &p.siret),
            (&*t("TVA", "VAT"), &p.vat),
        ] {
            if f.is_some() {
                row(&mut s, format!("  {name}"), show(f));
            }
        }
    }
    if inv.order_reference.is_some() {
        row(&mut s, t("Commande", "Order"), show(&inv.order_reference));
    }
    for l in &inv.lines {
        s.push_str(&format!(
            "  - {}  {} × {} = {}\n",
            show(&l.description),
            show(&l.quantity),
            show(&l.unit_price),
            show(&l.net)
        ));
    }
    for v in &inv.vat {
        row(
            &mut s,
            format!("{} {} %", t("TVA", "VAT"), show(&v.rate)),
            format!("{} → {}", show(&v.base), show(&v.tax)),
        );
    }
    row(
        &mut s,
        t("Total HT", "Total excl. VAT"),
        show(&inv.totals.without_tax),
    );
    row(&mut s, t("Total TVA", "Total VAT"), show(&inv.totals.tax));
    row(
        &mut s,
        t("Total TTC", "Total incl. VAT"),
        show(&inv.totals.with_tax),
    );
    row(
        &mut s,
        t("Net à payer", "Amount due"),
        show(&inv.totals.due),
    );
    s
}
