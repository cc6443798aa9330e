//! `facteur rules`: what the official e-invoice rules (EN 16931, BR-FR,
//! Factur-X) say of structured invoices — standalone CII/UBL XML or the XML
//! a Factur-X PDF carries.
//!
//! Deliberately only presentation: the rules run in
//! [`facteur::check::rules`], the embedded XML is found by the checker.

use std::path::PathBuf;
use std::process::ExitCode;

use facteur::check::finding::Lang;
use facteur::check::rules::{Failure, Flag, RuleSet, Unevaluated, Verdict};
use facteur::check::{self, Options};
use serde_json::json;

use super::say;

/// What the rules said of one file, whichever way it came.
struct Said {
    syntax: Option<String>,
    profile: Option<String>,
    verdict: Verdict,
    rules: Vec<Failure>,
    unevaluated: Vec<Unevaluated>,
    error: Option<String>,
}

/// The checker finds the structured invoice (a standalone XML, or the one a
/// Factur-X PDF carries) and runs the rules on it: the same path as
/// `facteur check`, the window and the watched folders.
fn said(outcome: check::Outcome) -> Result<Said, check::CheckError> {
    let report = match outcome {
        check::Outcome::Checked(r) => r,
        check::Outcome::Failed(e) => return Err(e),
    };
    Ok(match report.structured {
        Some(s) => Said {
            syntax: Some(s.syntax),
            profile: s.profile,
            verdict: s.verdict,
            rules: s.rules,
            unevaluated: s.unevaluated,
            error: None,
        },
        None => Said {
            syntax: None,
            profile: None,
            verdict: Verdict::Absent,
            rules: Vec::new(),
            unevaluated: Vec::new(),
            // Why there is none, when the checker says (not an invoice,
            // unreadable XML).
            error: report
                .findings
                .iter()
                .find(|f| f.severity == facteur::check::finding::Severity::Error)
                .map(|f| f.message_en.clone()),
        },
    })
}

/// Exit code 0 when every file is valid, 1 when one is invalid or has no
/// structured invoice, 2 when one could not be read.
///
/// The files are checked a few at once, as `facteur check` does (while one
/// document's rules run, the next one's are already under way), and printed
/// in the order given.
pub fn rules(paths: &[PathBuf], as_json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut worst = 0u8;
    let mut done: std::collections::BTreeMap<usize, Result<Said, check::CheckError>> =
        std::collections::BTreeMap::new();
    let mut next = 0;
    check::check_batch(
        paths,
        jobs,
        &Options::default(),
        &|| false,
        &mut |i, outcome| {
            done.insert(i, said(outcome));
            while let Some(s) = done.remove(&next) {
                print_said(&paths[next], s, as_json, lang, &mut worst);
                next += 1;
            }
        },
    );
    Ok(ExitCode::from(worst))
}

/// Prints one file's answer, raising `worst` to its exit code.
fn print_said(
    path: &std::path::Path,
    s: Result<Said, check::CheckError>,
    as_json: bool,
    lang: Lang,
    worst: &mut u8,
) {
    let s = match s {
        Ok(s) => s,
        Err(e) => {
            *worst = 2;
            eprintln!("{}: {e}", path.display());
            return;
        }
    };
    if s.verdict != Verdict::Valid {
        *worst = (*worst).max(1);
    }
    if as_json {
        let mut line = json!({
            "path": path.display().to_string(),
            "syntax": s.syntax,
            "profile": s.profile,
            "verdict": s.verdict,
            "rules": s.rules,
            "unevaluated": s.unevaluated,
        });
        if let Some(e) = &s.error {
            line["error"] = json!(e);
        }
        println!("{line}");
    } else {
        print!("{}", human(path, &s, lang));
    }
}

fn human(path: &std::path::Path, s: &Said, lang: Lang) -> String {
    let mut out = format!("{}\n", path.display());
    if let Some(e) = &s.error {
        out += &format!("  {} {e}\n", say(lang, "illisible :", "unreadable:"));
        return out;
    }
    let verdict = match s.verdict {
        Verdict::Valid => say(
            lang,
            "conforme aux règles officielles",
            "passes the official rules",
        ),
        Verdict::Invalid => say(
            lang,
            "refusée par les règles officielles",
            "fails the official rules",
        ),
        Verdict::Absent => say(
            lang,
            "aucune facture électronique (CII/UBL) lue",
            "no e-invoice (CII/UBL) found",
        ),
    };
    let what = [s.syntax.as_deref(), s.profile.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    out += &format!(
        "  {verdict}{}\n",
        if what.is_empty() {
            String::new()
        } else {
            format!(" ({what})")
        }
    );
    for f in &s.rules {
        let mark = if f.flag == Flag::Fatal { "✗" } else { "!" };
        let set = match f.set {
            RuleSet::En16931 => "EN 16931",
            RuleSet::BrFr => "BR-FR",
            RuleSet::FacturX => "Factur-X",
        };
        let bt = f.bt.as_deref().map(|b| format!(" {b}")).unwrap_or_default();
        out += &format!("  {mark} {} [{set}{bt}] {}\n", f.id, f.message);
    }
    for u in &s.unevaluated {
        out += &format!(
            "  ? {} {} {}\n",
            u.id,
            say(lang, "non vérifiable :", "could not be evaluated:"),
            u.reason
        );
    }
    out
}
