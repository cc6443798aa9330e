//! The store-backed commands of the `facteur` binary: `status`, `history`,
//! `export`, and recording `check` results. Presentation only; the data and
//! rules live in `facteur::mirror::store`, `facteur::mirror::lifecycle` and `facteur::mirror::guidance`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use facteur::check::Report;
use facteur::check::finding::{self, Lang};
use facteur::intake::pipeline;
use facteur::mirror::guidance;
use facteur::mirror::lifecycle::Status;
use facteur::mirror::store::{self, ListFilter, Store, StoreError};

use super::open;

/// Records a check through the intake pipeline (check only); a duplicate
/// found in the store becomes a finding of the report shown to the user. A
/// storage failure is reported, never fatal for the batch.
pub fn record(store: &mut Store, r: &mut Report) -> Option<facteur::mirror::store::Recorded> {
    let path = r.path.clone();
    let home = store.home().map(Path::to_path_buf).unwrap_or_default();
    let taken = pipeline::take(
        store,
        &home,
        pipeline::Request {
            input: pipeline::Input::Report(r),
            destination: pipeline::Destination::CheckOnly,
            annexes: &[],
            once: false,
        },
        &pipeline::NoLookup,
        store::now_ms(),
    );
    match taken {
        Ok(t) => t.recorded,
        Err(e) => {
            tracing::error!(path = %path, "could not record the check: {e}");
            None
        }
    }
}

fn parse_statuses(s: &str) -> anyhow::Result<Vec<Status>> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<u16>()
                .ok()
                .and_then(Status::from_code)
                .or_else(|| Status::parse(t))
                .with_context(|| {
                    let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                    format!("unknown status \"{t}\"; known: {}", names.join(", "))
                })
        })
        .collect()
}

fn valid_date(d: &str) -> anyhow::Result<String> {
    let date: jiff::civil::Date = d
        .parse()
        .with_context(|| format!("\"{d}\" is not a date like 2026-11-01"))?;
    Ok(date.to_string())
}

fn age(since_ms: i64) -> Duration {
    Duration::from_millis((store::now_ms() - since_ms).max(0) as u64)
}

#[allow(clippy::too_many_arguments)]
pub fn status(
    json: bool,
    status: Option<String>,
    customer: Option<String>,
    since: Option<String>,
    number: Option<String>,
    limit: usize,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let filter = ListFilter {
        statuses: match status {
            Some(s) => parse_statuses(&s)?,
            None => Vec::new(),
        },
        customer,
        since: since.as_deref().map(valid_date).transpose()?,
        number,
        limit,
        offset: 0,
        ..ListFilter::default()
    };
    let store = open()?;
    let rows = store.list(&filter)?;
    let mut out = std::io::stdout().lock();
    if json {
        for r in &rows {
            let mut v = serde_json::to_value(r)?;
            v["status_label"] = r.status.label(lang).into();
            v["status_code"] = r.status.code().into();
            if r.status == facteur::mirror::lifecycle::Status::Blocked {
                v["blocked_because"] = blocked_because(&store, r.document_id, lang)?.into();
            }
            writeln!(out, "{v}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "{}",
            match lang {
                Lang::Fr => "Aucune facture ne correspond.",
                Lang::En => "No invoice matches.",
            }
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let no_number = match lang {
        Lang::Fr => "(numéro à saisir)",
        Lang::En => "(number to type)",
    };
    let unknown = match lang {
        Lang::Fr => "client inconnu",
        Lang::En => "unknown customer",
    };
    for r in &rows {
        let amount = r
            .total_with_tax
            .as_deref()
            .map(|a| amount(a, r.currency.as_deref(), lang))
            .unwrap_or_default();
        writeln!(
            out,
            "#{:<5} {:<18} {:<28} {:>14}  {:<10}  {} ({})",
            r.id,
            if r.number.is_empty() {
                no_number
            } else {
                &r.number
            },
            truncate(r.customer.as_deref().unwrap_or(unknown), 28),
            amount,
            r.issue_date.as_deref().unwrap_or(""),
            r.status.label(lang),
            since_text(age(r.status_since_ms), lang),
        )?;
        if r.status == facteur::mirror::lifecycle::Status::Blocked {
            for why in blocked_because(&store, r.document_id, lang)? {
                writeln!(out, "       ✗ {why}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Why the check blocked a document: its latest report's errors, in `lang`.
fn blocked_because(
    store: &facteur::mirror::store::Store,
    document_id: i64,
    lang: Lang,
) -> anyhow::Result<Vec<String>> {
    let Some(report) = store.latest_report(document_id)? else {
        return Ok(Vec::new());
    };
    let key = match lang {
        Lang::Fr => "message_fr",
        Lang::En => "message_en",
    };
    Ok(report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f[key].as_str().map(str::to_string))
        .collect())
}

fn since_text(d: Duration, lang: Lang) -> String {
    let a = guidance::format_age(d, lang);
    match lang {
        Lang::Fr => format!("depuis {a}"),
        Lang::En => format!("for {a}"),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// `1 234,56 €` / `€1,234.56`.
fn amount(v: &str, currency: Option<&str>, lang: Lang) -> String {
    let (int, frac) = v.split_once('.').unwrap_or((v, "00"));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let sep = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(sep);
        }
        grouped.push(c);
    }
    let cur = match currency.unwrap_or("EUR") {
        "EUR" => "€",
        other => other,
    };
    match lang {
        Lang::Fr => format!("{sign}{grouped},{frac}\u{a0}{cur}"),
        Lang::En => format!("{sign}{cur}{grouped}.{frac}"),
    }
}

pub fn history(key: &str, json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let store = open()?;
    let inv = match store.find_invoice(key) {
        Ok(inv) => inv,
        Err(StoreError::Ambiguous(_)) => {
            let same: Vec<String> = store
                .list(&ListFilter {
                    number: Some(key.to_string()),
                    limit: 50,
                    ..ListFilter::default()
                })?
                .into_iter()
                .filter(|r| r.number == key)
                .map(|r| format!("#{} ({})", r.id, r.path))
                .collect();
            match lang {
                Lang::Fr => eprintln!(
                    "{}",
                    finding::typo_fr(&format!(
                        "Plusieurs factures portent le numéro {key} : {}. Précisez laquelle, par exemple : facteur history '#{}'",
                        same.join(", "),
                        same.first()
                            .map_or("1", |s| s[1..].split(' ').next().unwrap_or("1"))
                    ))
                ),
                Lang::En => eprintln!(
                    "Several invoices carry number {key}: {}. Say which, e.g.: facteur history '#{}'",
                    same.join(", "),
                    same.first()
                        .map_or("1", |s| s[1..].split(' ').next().unwrap_or("1"))
                ),
            }
            return Ok(ExitCode::from(2));
        }
        Err(StoreError::NotFound(_)) => {
            match lang {
                Lang::Fr => eprintln!(
                    "{}",
                    finding::typo_fr(&format!(
                        "Aucune facture ne porte le numéro {key} (ni l'identifiant #{key}) : voyez « facteur status »."
                    ))
                ),
                Lang::En => eprintln!(
                    "No invoice has number {key} (nor id #{key}): see \"facteur status\"."
                ),
            }
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    // The same detail the desktop window shows.
    let Some(detail) = facteur::view::detail(&store, inv.id, store::now_ms())? else {
        return Ok(ExitCode::from(2));
    };
    let (events, g, duplicate) = (detail.events, detail.guidance, detail.duplicate);
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "invoice": inv, "events": events, "guidance": g, "duplicate": duplicate });
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "#{} {} — {} — {}",
        inv.id,
        inv.number,
        inv.customer.as_deref().unwrap_or("—"),
        inv.path
    )?;
    for e in &events {
        let canonical = match e.status {
            Some(s) => s.label(lang).to_string(),
            None => match lang {
                Lang::Fr => "(information)".into(),
                Lang::En => "(information)".into(),
            },
        };
        let mandatory = if e.mandatory {
            match lang {
                Lang::Fr => " [obligatoire]",
                Lang::En => " [mandatory]",
            }
        } else {
            ""
        };
        let reason = e
            .raw_reason
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {:<11} {} « {} »{reason} → {canonical}{mandatory}",
            store::format_ms(e.at_ms),
            e.source.as_str(),
            e.vocabulary,
            e.raw_status,
        )?;
    }
    let (what, todo) = match lang {
        Lang::Fr => (&g.what_fr, &g.todo_fr),
        Lang::En => (&g.what_en, &g.todo_en),
    };
    writeln!(out, "\n{what}\n→ {todo}")?;
    Ok(ExitCode::SUCCESS)
}

pub fn export(path: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let store = open()?;
    let n = if path == Path::new("-") {
        store.export_csv(std::io::stdout().lock())?
    } else {
        // Written beside the target then renamed: a failed export never
        // leaves a half file where the accountant expects a whole one.
        let tmp = path.with_extension("csv.part");
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let n = store.export_csv(std::io::BufWriter::new(file))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        n
    };
    if path != Path::new("-") {
        match lang {
            Lang::Fr => eprintln!("{n} factures exportées vers {}", path.display()),
            Lang::En => eprintln!("{n} invoices exported to {}", path.display()),
        }
    }
    Ok(ExitCode::SUCCESS)
}
