//! `facteur route`, `facteur customers …` and `facteur posted`: the
//! customer directory and the routing decision as a user drives them from a
//! terminal. The rules live in `facteur::send::directory` and `facteur::send::route`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::check::{self, Options, Outcome};
use facteur::mirror::lifecycle::Status;
use facteur::mirror::store;
use facteur::send::directory::{self, CustomerData, Reach};
use facteur::send::route::{self, Decision};

use super::open;
use super::say;

/// `facteur route [--json] PATH…`: where each invoice would go, and why,
/// without sending anything.
pub fn route(paths: &[PathBuf], json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let (files, walk_errors) = check::collect_paths(paths);
    for e in &walk_errors {
        eprintln!("facteur: {e}");
    }
    let mut io_errors = walk_errors.len();
    let mut stopped = 0;
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
    check::check_batch(&files, jobs, &Options::default(), &|| false, &mut |i, o| {
        outcomes.push((i, o))
    });
    outcomes.sort_by_key(|(i, _)| *i);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (_, o) in outcomes {
        let r = match o {
            Outcome::Checked(r) => r,
            Outcome::Failed(e) => {
                io_errors += 1;
                eprintln!("facteur: {e}");
                continue;
            }
        };
        let routing = route::route_form(&db, &r.facts, route::Form::of(&r), None)?;
        if routing.decision.target().is_none() {
            stopped += 1;
        }
        if json {
            let line = serde_json::json!({
                "path": r.path,
                "number": r.facts.get(facteur::check::facts::FactKey::InvoiceNumber),
                "accepted": r.accepted(),
                "routing": routing,
            });
            writeln!(out, "{line}")?;
            continue;
        }
        let number = r
            .facts
            .get(facteur::check::facts::FactKey::InvoiceNumber)
            .unwrap_or("?");
        let verdict = match &routing.decision {
            Decision::Send { .. } => say(lang, "envoi", "send"),
            Decision::Held { .. } => say(lang, "RETENUE", "HELD"),
            Decision::Undeliverable { .. } => say(lang, "NON DISTRIBUABLE", "UNDELIVERABLE"),
        };
        writeln!(out, "{} ({number}) — {verdict}", r.path)?;
        writeln!(out, "  {}", routing.decision.why().get(lang))?;
        for c in routing.candidates.iter().filter_map(|c| c.ignored.as_ref()) {
            writeln!(out, "  · {}", c.get(lang))?;
        }
        if !r.accepted() {
            writeln!(
                out,
                "  · {}",
                say(
                    lang,
                    "la vérification bloque cette facture : elle ne partira pas avant correction (facteur check)",
                    "the check blocks this invoice: it will not leave before it is fixed (facteur check)",
                )
            )?;
        }
    }
    Ok(if io_errors > 0 {
        ExitCode::from(2)
    } else if stopped > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The fields of `facteur customers add`.
pub struct NewCustomer {
    pub name: String,
    pub customer_number: Option<String>,
    pub electronic_address: Option<String>,
    pub ovt: Option<String>,
    pub iban: Option<String>,
    pub gln: Option<String>,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat: Option<String>,
    pub account: Option<String>,
    pub email: Option<String>,
    pub print: bool,
    pub service_code: Option<String>,
    pub engagement_required: bool,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub electronic_scheme: Option<String>,
}

pub fn add(c: NewCustomer, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let reach = match (c.account, c.email, c.print) {
        (Some(a), None, false) => Reach::Account(a),
        (None, Some(e), false) => Reach::Email(e),
        (None, None, true) => Reach::Print,
        _ => anyhow::bail!(
            "{}",
            say(
                lang,
                "indiquez un seul canal : --account COMPTE, --email ADRESSE ou --print",
                "give one channel: --account ACCOUNT, --email ADDRESS or --print",
            )
        ),
    };
    let data = CustomerData {
        name: c.name,
        customer_number: c.customer_number,
        electronic_address: c.electronic_address,
        ovt: c.ovt,
        iban: c.iban,
        gln: c.gln,
        siren: c.siren,
        siret: c.siret,
        vat: c.vat,
        reach: Some(reach),
        service_code: c.service_code,
        engagement_required: c.engagement_required,
        street: c.street,
        postcode: c.postcode,
        city: c.city,
        country: c.country,
        electronic_scheme: c.electronic_scheme,
    };
    if let Err(p) = data.clone().normalised(&directory::known_accounts(&db)?) {
        for m in &p {
            eprintln!("facteur: {}", m.get(lang));
        }
        return Ok(ExitCode::from(2));
    }
    let id = directory::add(&mut db, data, store::now_ms())?;
    println!(
        "{}",
        say(
            lang,
            &format!("Client #{id} ajouté à l'annuaire."),
            &format!("Customer #{id} added to the directory."),
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn list(json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let all = directory::list(&db)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!(
            "{}",
            say(
                lang,
                "L'annuaire des clients est vide : les factures partent vers le compte par défaut. `facteur customers import FICHIER.csv` ou `facteur customers add`.",
                "The customer directory is empty: invoices go to the default account. `facteur customers import FILE.csv` or `facteur customers add`.",
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    for c in &all {
        let d = &c.data;
        let reach = match &d.reach {
            Some(Reach::Account(a)) => say(
                lang,
                &format!("compte « {a} »"),
                &format!("account \"{a}\""),
            ),
            Some(Reach::Email(e)) => say(lang, &format!("e-mail {e}"), &format!("e-mail {e}")),
            Some(Reach::Print) | None => say(lang, "courrier", "paper"),
        };
        let ids: Vec<String> = directory::Level::ALL
            .iter()
            .filter_map(|l| d.id_at(*l).map(|v| format!("{} {v}", l.label(lang))))
            .collect();
        println!("#{} {} — {reach}", c.id, d.name);
        println!("    {}", ids.join(" · "));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(id: i64, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    directory::remove(&mut db, id)?;
    println!(
        "{}",
        say(
            lang,
            &format!("Client #{id} retiré de l'annuaire."),
            &format!("Customer #{id} removed from the directory."),
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `facteur customers import FILE [--map HEADER=FIELD]… [--dry-run]`: shows
/// the column mapping and every bad line; writes only a clean file.
pub fn import(file: &Path, maps: &[String], dry_run: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let mut overrides = BTreeMap::new();
    for m in maps {
        let (k, v) = m.split_once('=').with_context(|| {
            format!("--map \"{m}\": expected HEADER=FIELD (FIELD or - to ignore)")
        })?;
        if v.trim() != "-" && directory::Field::parse(v.trim()).is_none() {
            anyhow::bail!(
                "--map \"{m}\": unknown field \"{v}\" (id, nom, numero_client, adresse_electronique, ovt, iban, gln, siren, siret, tva, canal, email, code_service, engagement_obligatoire)"
            );
        }
        overrides.insert(k.trim().to_string(), v.trim().to_string());
    }
    let plan = directory::plan_import(&db, &text, &overrides)?;
    println!("{}", say(lang, "Colonnes :", "Columns:"));
    for l in plan.mapping.describe(lang) {
        println!("  {l}");
    }
    let bad = plan.bad_lines();
    for l in plan.lines.iter().filter(|l| !l.problems.is_empty()) {
        for p in &l.problems {
            println!(
                "{}",
                say(
                    lang,
                    &format!("ligne {} : {}", l.line, p.fr),
                    &format!("line {}: {}", l.line, p.en),
                )
            );
        }
    }
    if bad > 0 {
        println!(
            "{}",
            say(
                lang,
                &format!(
                    "{bad} ligne(s) invalide(s) sur {} : rien n'a été importé. Corrigez le fichier puis relancez.",
                    plan.lines.len()
                ),
                &format!(
                    "{bad} invalid line(s) out of {}: nothing was imported. Fix the file, then run again.",
                    plan.lines.len()
                ),
            )
        );
        return Ok(ExitCode::from(1));
    }
    if dry_run {
        println!(
            "{}",
            say(
                lang,
                &format!(
                    "{} ligne(s) valide(s) ; rien d'écrit (--dry-run).",
                    plan.lines.len()
                ),
                &format!(
                    "{} valid line(s); nothing written (--dry-run).",
                    plan.lines.len()
                ),
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (added, replaced) = directory::apply_import(&mut db, &plan, store::now_ms())?;
    println!(
        "{}",
        say(
            lang,
            &format!("{added} client(s) ajouté(s), {replaced} mis à jour."),
            &format!("{added} customer(s) added, {replaced} updated."),
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn export(csv: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let n = if csv == Path::new("-") {
        directory::export_csv(&db, std::io::stdout().lock())?
    } else {
        let tmp = csv.with_extension("csv.part");
        let f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let n = directory::export_csv(&db, f)?;
        std::fs::rename(&tmp, csv).with_context(|| format!("writing {}", csv.display()))?;
        n
    };
    if csv != Path::new("-") {
        println!(
            "{}",
            say(
                lang,
                &format!("{n} client(s) exporté(s) dans {}", csv.display()),
                &format!("{n} customer(s) exported to {}", csv.display()),
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `facteur customers fallbacks [--email ACCOUNT | --no-email] [--print ACCOUNT | --no-print]`.
pub fn fallbacks(
    email: Option<String>,
    no_email: bool,
    print: Option<String>,
    no_print: bool,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    use facteur::send::accounts::{self, Kind};
    let mut db = open()?;
    let mut set =
        |key: &str, value: Option<String>, clear: bool, kind: Kind| -> anyhow::Result<()> {
            if clear {
                directory::set_setting(&mut db, key, None)?;
            } else if let Some(name) = value {
                let account = accounts::find(&db, &name)?.with_context(|| {
                    format!("no account named \"{name}\" (facteur account list)")
                })?;
                anyhow::ensure!(
                    account.kind == kind,
                    "account \"{name}\" is of kind {}, not {}",
                    account.kind.as_str(),
                    kind.as_str()
                );
                directory::set_setting(&mut db, key, Some(&name))?;
            }
            Ok(())
        };
    set(directory::EMAIL_ACCOUNT, email, no_email, Kind::Email)?;
    set(directory::PRINT_ACCOUNT, print, no_print, Kind::Print)?;
    let show = |v: Option<String>| v.unwrap_or_else(|| say(lang, "désactivé", "off"));
    println!(
        "{}",
        say(
            lang,
            &format!(
                "Secours par e-mail : {} · secours papier : {}",
                show(directory::setting(&db, directory::EMAIL_ACCOUNT)?),
                show(directory::setting(&db, directory::PRINT_ACCOUNT)?)
            ),
            &format!(
                "E-mail fallback: {} · paper fallback: {}",
                show(directory::setting(&db, directory::EMAIL_ACCOUNT)?),
                show(directory::setting(&db, directory::PRINT_ACCOUNT)?)
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `facteur posted INVOICE`: a printed invoice was posted.
pub fn posted(key: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let inv = db.find_invoice(key)?;
    if inv.status != Status::ToPost {
        anyhow::bail!(
            "{}",
            say(
                lang,
                &format!(
                    "{} n'attend pas d'être postée (statut : {})",
                    inv.number,
                    inv.status.label(Lang::Fr)
                ),
                &format!(
                    "{} is not waiting to be posted (status: {})",
                    inv.number,
                    inv.status.label(Lang::En)
                ),
            )
        );
    }
    let s = facteur::send::outbox::mark_posted(&mut db, inv.id, store::now_ms())?;
    println!("{} — {}", inv.number, s.label(lang));
    Ok(ExitCode::SUCCESS)
}
