//! `facteur facturx draft` and `facteur facturx make`: a plain PDF invoice
//! made a Factur-X without the window. `draft` prints what Facteur would put
//! in it (`facteur read`'s BT-keyed JSON, completed from « Mon entreprise »
//! and the directory, plus what is missing); the owner edits it and gives it
//! back to `make`, which refuses with every missing term and failed rule.
//!
//! Deliberately only presentation and wiring: drafting and making are
//! [`facteur::make`], recording [`facteur::intake::made`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::check::rules::{Flag, plain};
use facteur::check::{self, Options};
use facteur::make::{self, MakeError, draft};
use facteur::read::en16931;

use super::{open, say};

fn missing_json(m: &[make::Missing]) -> serde_json::Value {
    serde_json::json!(m)
}

pub fn draft_cmd(path: &Path, json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let store = open()?;
    let inv = match make::draft_file(&store, path) {
        Ok(inv) => inv,
        Err(e) => return refused(path, &e, lang),
    };
    let missing = make::cii::missing(&inv);
    if json {
        let mut v = en16931::to_json(&inv);
        v["file"] = serde_json::json!(path.display().to_string());
        v["missing"] = missing_json(&missing);
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", path.display());
    for (term, f) in en16931::flatten(&inv) {
        let sure = if f.sure {
            ""
        } else {
            match lang {
                Lang::Fr => "  (à vérifier)",
                Lang::En => "  (to check)",
            }
        };
        println!("  {term:<22} {}  [{}]{sure}", f.value, f.source);
    }
    if !missing.is_empty() {
        println!("{}", say(lang, "À compléter :", "To fill in:"));
        for m in &missing {
            let text = match lang {
                Lang::Fr => &m.fr,
                Lang::En => &m.en,
            };
            println!("  {:<22} {text}", m.path);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints why nothing was made, every missing term and failed rule with
/// its plain words, and returns exit status 1.
fn refused(path: &Path, e: &MakeError, lang: Lang) -> anyhow::Result<ExitCode> {
    let head = match lang {
        Lang::Fr => e.message_fr(),
        Lang::En => e.to_string(),
    };
    eprintln!("{}: {head}", path.display());
    match e {
        MakeError::Missing(m) => {
            for m in m {
                let text = match lang {
                    Lang::Fr => &m.fr,
                    Lang::En => &m.en,
                };
                eprintln!("  {:<22} {text}", m.path);
            }
        }
        MakeError::Rules(failures) => {
            for f in failures {
                let flag = match f.flag {
                    Flag::Fatal => "fatal",
                    Flag::Warning => "warning",
                };
                eprintln!(
                    "  {} [{flag}] {}{}",
                    f.id,
                    f.bt.as_deref()
                        .map(|b| format!("{b}: "))
                        .unwrap_or_default(),
                    f.message.trim()
                );
                if let Some(p) = plain::plain_for(&f.id, &f.message) {
                    let (what, fix) = match lang {
                        Lang::Fr => (p.fr, p.fix_fr),
                        Lang::En => (p.en, p.fix_en),
                    };
                    eprintln!("      {what} {fix}");
                }
            }
        }
        _ => {}
    }
    Ok(ExitCode::from(1))
}

fn default_out(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("facture");
    path.with_file_name(format!("{stem}-factur-x.pdf"))
}

pub fn make_cmd(
    path: &Path,
    data: Option<&Path>,
    out: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let mut store = open()?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_out(path));
    if out.exists() {
        anyhow::bail!(say(
            lang,
            &format!(
                "{} existe déjà : rien n'est écrasé (choisissez -o)",
                out.display()
            ),
            &format!(
                "{} already exists: nothing is overwritten (choose -o)",
                out.display()
            ),
        ));
    }
    let mut inv = match make::draft_file(&store, path) {
        Ok(inv) => inv,
        Err(e) => return refused(path, &e, lang),
    };
    if let Some(data) = data {
        let text =
            std::fs::read_to_string(data).with_context(|| format!("reading {}", data.display()))?;
        let given = en16931::parse(&text)
            .with_context(|| format!("reading the invoice data in {}", data.display()))?;
        let [given] = given.as_slice() else {
            anyhow::bail!(say(
                lang,
                "--data doit décrire une seule facture",
                "--data must describe one invoice"
            ));
        };
        draft::overlay(&mut inv, given);
    }
    let original = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let made = match make::make(&original, &inv, now_ms / 1000) {
        Ok(m) => m,
        Err(e) => return refused(path, &e, lang),
    };
    // Written aside, then renamed: a half-written Factur-X never exists
    // under its name.
    let tmp = out.with_extension("pdf.part");
    std::fs::write(&tmp, &made.pdf).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &out).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}",
        say(
            lang,
            &format!("Factur-X créé : {}", out.display()),
            &format!("Factur-X made: {}", out.display())
        )
    );
    for w in &made.warnings {
        println!("  {} [warning] {}", w.id, w.message.trim());
    }
    // The plain PDF was recorded: the Factur-X takes its place for sending.
    let sha = facteur::hex::sha256(&original);
    if let Some(doc) = store.document_by_sha(&sha)?
        && let Some(invoice_id) = store.invoice_of_document(doc)?
    {
        let report =
            check::check_bytes(&out, made.pdf.len() as u64, &made.pdf, &Options::default());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match store.record_made(
            invoice_id,
            &report,
            &format!("Factur-X créé depuis le PDF « {name} »"),
            now_ms,
        )? {
            Ok(_) => println!(
                "{}",
                say(
                    lang,
                    &format!("La facture n° {invoice_id} partira sous forme de ce Factur-X."),
                    &format!("Invoice #{invoice_id} will be sent as this Factur-X."),
                )
            ),
            Err(refusal) => println!(
                "{}",
                say(
                    lang,
                    &format!(
                        "La facture n° {invoice_id} enregistrée n'est pas remplacée ({refusal:?})."
                    ),
                    &format!("Recorded invoice #{invoice_id} is not replaced ({refusal:?})."),
                )
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}
