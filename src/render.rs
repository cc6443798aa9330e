//! Human-readable rendering of check reports for a terminal or a log: one
//! block per file, French or English, and a closing summary line.
//!
//! This is presentation only; the stable machine format is the JSON of
//! [`crate::check::Report`]. It deliberately knows nothing of terminals
//! (colours, widths): callers decide where the text goes.

use std::fmt::Write as _;

use crate::check::facts::FactKey;
use crate::check::finding::{Lang, Severity, typo_fr};
use crate::check::{ContentClass, Report, Verdict};

/// One file's block: verdict line, then each finding with its hint.
pub fn report(r: &Report, lang: Lang) -> String {
    let mut s = String::new();
    let verdict = match (r.verdict, lang) {
        // "Bloqué", not "refusé": a refusal is the portal's word (210), and
        // this file has not reached any portal.
        (Verdict::Accepted, Lang::Fr) => "✔ ACCEPTÉ",
        (Verdict::Accepted, Lang::En) => "✔ ACCEPTED",
        (Verdict::Rejected, Lang::Fr) => "✘ BLOQUÉ ",
        (Verdict::Rejected, Lang::En) => "✘ BLOCKED ",
    };
    let _ = writeln!(s, "{verdict}  {}", r.path);
    let mut bits = Vec::new();
    if let Some(p) = r.pages {
        bits.push(match lang {
            Lang::Fr => format!("{p} page{}", if p > 1 { "s" } else { "" }),
            Lang::En => format!("{p} page{}", if p > 1 { "s" } else { "" }),
        });
    }
    bits.push(size(r.size_bytes, lang));
    if r.pdf {
        bits.push(content(r.content, lang).to_string());
    }
    match &r.structured {
        // A standalone XML: the file is the structured invoice itself.
        Some(st) if r.xml => bits.push(match lang {
            Lang::Fr => format!("facture XML {}", st.syntax),
            Lang::En => format!("{} XML invoice", st.syntax),
        }),
        Some(st) => bits.push(format!("{} ({})", st.syntax, st.file_name)),
        None => {}
    }
    if let Some(n) = r.facts.get(FactKey::InvoiceNumber) {
        bits.push(match lang {
            Lang::Fr => format!("facture n° {n}"),
            Lang::En => format!("invoice no. {n}"),
        });
    }
    let _ = writeln!(s, "    {}", bits.join(" · "));
    for f in &r.findings {
        let mark = match f.severity {
            Severity::Error => "✘",
            Severity::Warning => "!",
        };
        let _ = writeln!(s, "    {mark} [{}] {}", f.code.as_str(), f.message(lang));
        let _ = writeln!(s, "      → {}", f.hint(lang));
    }
    s
}

fn content(c: ContentClass, lang: Lang) -> &'static str {
    match (c, lang) {
        (ContentClass::Native, Lang::Fr) => "PDF natif",
        (ContentClass::Native, Lang::En) => "native PDF",
        (ContentClass::Scanned, Lang::Fr) => "scan",
        (ContentClass::Scanned, Lang::En) => "scan",
        (ContentClass::ScannedOcr, Lang::Fr) => "scan avec OCR",
        (ContentClass::ScannedOcr, Lang::En) => "scan with OCR",
        (ContentClass::Unknown, Lang::Fr) => "contenu inconnu",
        (ContentClass::Unknown, Lang::En) => "unknown content",
    }
}

/// `1,2 Mo` / `1.2 MB`; small files in ko / kB.
pub fn size(bytes: u64, lang: Lang) -> String {
    let (v, unit_fr, unit_en) = if bytes >= 1_000_000 {
        (bytes as f64 / 1_000_000.0, "Mo", "MB")
    } else {
        (bytes as f64 / 1_000.0, "ko", "kB")
    };
    match lang {
        Lang::Fr => format!("{}\u{a0}{unit_fr}", format!("{v:.1}").replace('.', ",")),
        Lang::En => format!("{v:.1} {unit_en}"),
    }
}

/// The closing line of a batch.
pub fn summary(accepted: usize, rejected: usize, failed: usize, lang: Lang) -> String {
    let total = accepted + rejected + failed;
    match lang {
        Lang::Fr => {
            let mut s = format!(
                "{total} fichier{} : {accepted} accepté{}, {rejected} bloqué{}",
                plural(total),
                plural(accepted),
                plural(rejected)
            );
            if failed > 0 {
                let _ = write!(s, ", {failed} illisible{} (erreur d'accès)", plural(failed));
            }
            typo_fr(&s)
        }
        Lang::En => {
            let mut s = format!(
                "{total} file{}: {accepted} accepted, {rejected} blocked",
                plural(total)
            );
            if failed > 0 {
                let _ = write!(s, ", {failed} could not be read (access error)");
            }
            s
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_in_both_languages() {
        assert_eq!(
            summary(2, 1, 0, Lang::Fr),
            "3 fichiers\u{a0}: 2 acceptés, 1 bloqué"
        );
        assert_eq!(
            summary(1, 0, 1, Lang::En),
            "2 files: 1 accepted, 0 blocked, 1 could not be read (access error)"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(size(45_200_000, Lang::Fr), "45,2\u{a0}Mo");
        assert_eq!(size(1_500, Lang::En), "1.5 kB");
    }
}
