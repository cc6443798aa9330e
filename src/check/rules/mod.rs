//! The official e-invoice rules, run offline: EN 16931 (CEN), the French
//! BR-FR "Flux 2" rules and the Factur-X profile rules, over a structured
//! invoice (CII or UBL XML).
//!
//! The rules are the official compiled Schematron stylesheets, kept unmodified
//! as data in `src/check/rules/official/` (their origin, licences and refresh script
//! are described there). [`stylesheet`] reads each once per process into
//! patterns, rules and asserts; [`engine`] evaluates their XPath with
//! `xee-xpath`, without a JVM or the network; [`sets`] says which stylesheets
//! apply to which document and which rule set an id belongs to. [`check_xml`]
//! is the one entry point: the checker, `facteur rules` and the window all go
//! through it.
//!
//! Deliberately not here: the portal deposit rules (size, pages, scans: the
//! checker), the Factur-X PDF container (`check::container`), and the words a
//! shop owner reads (findings): this module reports the rules' own ids, flags
//! and messages.

pub mod engine;
pub mod plain;
pub mod sets;
pub mod stylesheet;
pub mod terms;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use serde::{Deserialize, Serialize};

use crate::check::structured::{self, Profile, Syntax};

/// Largest XML document the rules run on; the structured parser's bound.
pub const MAX_XML_BYTES: usize = structured::MAX_XML_BYTES;

/// A family of official rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum RuleSet {
    #[serde(rename = "en16931")]
    En16931,
    #[serde(rename = "br-fr")]
    BrFr,
    #[serde(rename = "factur-x")]
    FacturX,
}

impl RuleSet {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSet::En16931 => "en16931",
            RuleSet::BrFr => "br-fr",
            RuleSet::FacturX => "factur-x",
        }
    }
}

/// How a rule's authors flag it: a fatal one makes the invoice rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Fatal,
    Warning,
}

/// One failed rule, as the official artefacts state it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The assert's id exactly as written (`BR-CO-10`, `BR-FR-05_BT-22_PMT`).
    pub id: String,
    pub flag: Flag,
    pub set: RuleSet,
    /// The business term it is about, when known (`BT-106`).
    pub bt: Option<String>,
    /// Where in the XML (the rule's context node).
    pub location: String,
    /// The value found there, when the context is a leaf.
    pub value: Option<String>,
    /// The official message, with its inserted values.
    pub message: String,
    /// The assert's test, for the software vendor's support.
    #[serde(skip)]
    pub test: String,
}

/// A rule that could not be evaluated on this document: reported, never
/// counted as passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unevaluated {
    pub id: String,
    pub set: RuleSet,
    pub reason: String,
}

/// The outcome of the rules on one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub syntax: Syntax,
    pub profile: Profile,
    /// The rule sets that ran.
    pub sets: Vec<RuleSet>,
    pub failures: Vec<Failure>,
    pub unevaluated: Vec<Unevaluated>,
}

/// `structured.verdict` of the checker's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every applicable rule ran and no fatal one failed.
    Valid,
    /// A fatal rule failed, or a rule could not be evaluated.
    Invalid,
    /// No structured invoice.
    Absent,
}

impl Outcome {
    pub fn verdict(&self) -> Verdict {
        if self.sets.is_empty() {
            Verdict::Absent
        } else if self.failures.iter().any(|f| f.flag == Flag::Fatal)
            || !self.unevaluated.is_empty()
        {
            Verdict::Invalid
        } else {
            Verdict::Valid
        }
    }

    /// The fatal failures' ids, sorted and without repeats.
    pub fn fatal_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .failures
            .iter()
            .filter(|f| f.flag == Flag::Fatal)
            .map(|f| f.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("not a structured invoice: {0}")]
    NotInvoice(#[from] structured::StructuredError),
    #[error("the XML declares a DTD; structured invoices never do and it is not read")]
    Dtd,
    #[error("the official rules ({0}) cannot be loaded: {1}")]
    Stylesheet(&'static str, String),
    #[error("the rules cannot run on this document: {0}")]
    Engine(#[from] engine::EngineError),
    #[error("the rules stopped on this document (an internal error)")]
    Panicked,
}

/// An official stylesheet read once per process, the first time a document
/// needs it, shared by every thread.
fn schema(index: usize) -> &'static Result<Arc<stylesheet::Schema>, String> {
    static SCHEMAS: [OnceLock<Result<Arc<stylesheet::Schema>, String>>; sets::STYLESHEETS.len()] =
        [const { OnceLock::new() }; sets::STYLESHEETS.len()];
    SCHEMAS[index].get_or_init(|| {
        stylesheet::parse(sets::STYLESHEETS[index].1)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    })
}

thread_local! {
    /// A rules worker's compiled copy (XPath programs are not `Send`).
    static COMPILED: RefCell<Vec<Option<Rc<engine::Compiled>>>> = const { RefCell::new(Vec::new()) };
}

fn compiled(index: usize) -> Result<Rc<engine::Compiled>, RulesError> {
    let name = sets::STYLESHEETS[index].0;
    if let Some(c) = COMPILED.with(|c| c.borrow().get(index).cloned().flatten()) {
        return Ok(c);
    }
    let schema = schema(index)
        .as_ref()
        .map_err(|e| RulesError::Stylesheet(name, e.clone()))?;
    let c = Rc::new(
        engine::Compiled::new(schema.clone())
            .map_err(|e| RulesError::Stylesheet(name, e.to_string()))?,
    );
    COMPILED.with(|cell| {
        let mut v = cell.borrow_mut();
        if v.len() <= index {
            v.resize(index + 1, None);
        }
        v[index] = Some(c.clone());
    });
    Ok(c)
}

/// What one stylesheet found on one document.
type Found = Result<Vec<(Failure, bool)>, RulesError>;

/// One stylesheet to run on one document, for the rules workers: the
/// document's text, the stylesheet, and where to answer.
struct Job {
    text: Arc<str>,
    sheet: usize,
    reply: mpsc::Sender<Found>,
}

/// The rules workers: a few long-lived threads, each compiling the
/// stylesheets once, that every caller shares — a batch's threads, the
/// watcher's, the window's — so no thread pays the compilation again.
fn workers() -> &'static Mutex<mpsc::Sender<Job>> {
    static WORKERS: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        for i in 0..n {
            let rx = rx.clone();
            // XPath compilation and evaluation recurse deeply on the
            // official rules' long expressions: a generous stack (reserved,
            // not used, until needed).
            let spawned = std::thread::Builder::new()
                .name(format!("rules-{i}"))
                .stack_size(256 << 20)
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            run_one(job.sheet, &job.text)
                        }))
                        .unwrap_or(Err(RulesError::Panicked));
                        let _ = job.reply.send(out);
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("a rules worker could not start: {e}");
            }
        }
        Mutex::new(tx)
    })
}

/// One stylesheet on one document, on a rules worker: each failed assert
/// (or unevaluated one, `true`).
fn run_one(index: usize, text: &str) -> Found {
    let c = compiled(index)?;
    let schema = c.schema();
    let mut out = Vec::new();
    for f in c.run(text)? {
        let a = &schema.patterns[f.pattern].rules[f.rule].asserts[f.assert];
        let id = a.id.clone().unwrap_or_else(|| {
            schema.patterns[f.pattern]
                .id
                .clone()
                .unwrap_or_else(|| "FX-REPORT".into())
        });
        let set = sets::set_of(&id);
        let flag = match a.flag.as_deref() {
            Some("warning") | Some("information") => Flag::Warning,
            Some(_) => Flag::Fatal,
            // The Factur-X stylesheets flag nothing: their asserts are
            // errors, their reports (unused attributes) remarks.
            None if a.is_assert => Flag::Fatal,
            None => Flag::Warning,
        };
        let unevaluated = f.error.is_some();
        out.push((
            Failure {
                bt: terms::bt_of(&id, &f.message),
                id,
                flag,
                set,
                location: f.location,
                value: f.value,
                message: f.error.unwrap_or(f.message),
                test: a.test.clone(),
            },
            unevaluated,
        ));
    }
    Ok(out)
}

/// Runs the applicable official rules on one structured invoice.
///
/// The document is first read by the structured parser, which bounds its
/// size and depth and decides its syntax and profile; a DTD is refused (no
/// entity is ever expanded). Never panics on hostile input.
pub fn check_xml(xml: &[u8]) -> Result<Outcome, RulesError> {
    let inv = structured::parse(xml)?;
    let text = structured::to_utf8(xml)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.contains("<!DOCTYPE") {
        return Err(RulesError::Dtd);
    }
    let mut outcome = Outcome {
        syntax: inv.syntax,
        profile: inv.profile,
        sets: Vec::new(),
        failures: Vec::new(),
        unevaluated: Vec::new(),
    };
    let sheets = sets::for_document(inv.syntax, inv.profile);
    if !sheets.is_empty() {
        // One job per stylesheet: a single document's stylesheets run on
        // several workers at once; their findings are put back in order.
        let text: Arc<str> = Arc::from(text);
        let mut answers = Vec::with_capacity(sheets.len());
        {
            let tx = workers().lock().map_err(|_| RulesError::Panicked)?;
            for &sheet in &sheets {
                let (reply, answer) = mpsc::channel();
                tx.send(Job {
                    text: text.clone(),
                    sheet,
                    reply,
                })
                .map_err(|_| RulesError::Panicked)?;
                answers.push(answer);
            }
        }
        for answer in answers {
            for (f, unevaluated) in answer.recv().map_err(|_| RulesError::Panicked)?? {
                if unevaluated {
                    outcome.unevaluated.push(Unevaluated {
                        id: f.id,
                        set: f.set,
                        reason: f.message,
                    });
                } else {
                    outcome.failures.push(f);
                }
            }
        }
    }
    let mut sets: Vec<RuleSet> = sets::for_document(inv.syntax, inv.profile)
        .into_iter()
        .flat_map(|i| match i {
            0 | 1 => vec![RuleSet::BrFr],
            2 => vec![RuleSet::En16931],
            6 => vec![RuleSet::En16931, RuleSet::FacturX],
            _ => vec![RuleSet::FacturX],
        })
        .collect();
    sets.sort();
    sets.dedup();
    outcome.sets = sets;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sample::{SampleInvoice, facturx_xml};

    fn sample() -> String {
        String::from_utf8(facturx_xml(&SampleInvoice::example(1))).unwrap()
    }

    fn ids(o: &Outcome) -> Vec<String> {
        o.failures.iter().map(|f| f.id.clone()).collect()
    }

    #[test]
    fn a_line_sum_that_does_not_match_fails_br_co_10_and_only_then() {
        let good = check_xml(sample().as_bytes()).unwrap();
        assert_eq!(good.syntax, Syntax::Cii);
        assert!(good.unevaluated.is_empty(), "{:?}", good.unevaluated);
        assert!(
            !ids(&good).contains(&"BR-CO-10".to_string()),
            "{:?}",
            ids(&good)
        );
        let x = sample();
        let tag = "<ram:LineTotalAmount>";
        let at = x.find(tag).unwrap() + tag.len();
        let end = at + x[at..].find('<').unwrap();
        let bad = format!("{}{}{}", &x[..at], "1.00", &x[end..]);
        let o = check_xml(bad.as_bytes()).unwrap();
        let f = o
            .failures
            .iter()
            .find(|f| f.id == "BR-CO-10")
            .expect("BR-CO-10 fails");
        assert_eq!(f.flag, Flag::Fatal);
        assert_eq!(f.set, RuleSet::En16931);
        assert_eq!(f.bt.as_deref(), Some("BT-106"));
        assert!(f.message.contains("BT-106"), "{}", f.message);
        assert_eq!(o.verdict(), Verdict::Invalid);
    }

    #[test]
    fn the_sample_factur_x_passes_every_official_rule() {
        for n in [1, 7] {
            let mut inv = SampleInvoice::example(n);
            for credit_note in [false, true] {
                inv.credit_note = credit_note;
                let o = check_xml(&facturx_xml(&inv)).unwrap();
                assert_eq!(
                    o.verdict(),
                    Verdict::Valid,
                    "{:?} {:?}",
                    o.failures,
                    o.unevaluated
                );
            }
        }
    }

    #[test]
    fn the_french_rules_name_the_missing_payment_notes_with_their_cii_ids() {
        let without_notes: String = sample()
            .lines()
            .filter(|l| !l.contains("<ram:IncludedNote>"))
            .collect::<Vec<_>>()
            .join("\n");
        let o = check_xml(without_notes.as_bytes()).unwrap();
        for id in [
            "BR-FR-05_BT-22_PMT",
            "BR-FR-05_BT-22_PMD",
            "BR-FR-05_BT-22_AAB",
        ] {
            let f = o
                .failures
                .iter()
                .find(|f| f.id == id)
                .unwrap_or_else(|| panic!("{id}: {:?}", ids(&o)));
            assert_eq!(f.set, RuleSet::BrFr);
            assert_eq!(f.bt.as_deref(), Some("BT-22"));
        }
        assert!(o.sets.contains(&RuleSet::BrFr) && o.sets.contains(&RuleSet::En16931));
    }

    #[test]
    fn hostile_or_foreign_xml_is_refused_not_run() {
        let dtd = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\">&a;</rsm:CrossIndustryInvoice>";
        assert!(check_xml(dtd.as_bytes()).is_err());
        assert!(matches!(
            check_xml(b"<html/>"),
            Err(RulesError::NotInvoice(_))
        ));
        assert!(check_xml(b"").is_err());
    }

    #[test]
    fn the_rules_run_the_same_from_several_threads() {
        let x = sample();
        let here = ids(&check_xml(x.as_bytes()).unwrap());
        let there: Vec<Vec<String>> = std::thread::scope(|s| {
            let h: Vec<_> = (0..2)
                .map(|_| s.spawn(|| ids(&check_xml(x.as_bytes()).unwrap())))
                .collect();
            h.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(there.iter().all(|t| *t == here));
    }
}
