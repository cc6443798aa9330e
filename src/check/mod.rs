//! The offline checker: every rule a portal would reject a PDF on, judged
//! before anything leaves the machine, for one file or a batch. A
//! standalone XML invoice (CII `CrossIndustryInvoice`, UBL `Invoice` /
//! `CreditNote`) is a document too: its facts are read by [`structured`],
//! and any other XML is a finding.
//!
//! [`check_file`] reads one file and returns a [`Report`] with every finding
//! (it never stops at the first). [`check_batch`] runs many files in
//! parallel; one bad file never stops the batch, a panic inside one file's
//! analysis becomes that file's `unreadable` finding, and a file whose
//! analysis overruns its time is abandoned and reported.
//!
//! Its parts: [`crate::pdf`] (the file's structure and content streams,
//! a layer below), [`crate::read`] (the page read as a person does),
//! [`structured`] (the embedded Factur-X / UBL), [`textfacts`] (facts read
//! from the visible text), [`ident`] (identifier check digits), [`facts`]
//! (what was read, with its source), [`finding`] (codes and wording) and
//! [`text`] (the one accent-and-case folding).
//!
//! The official e-invoice rules (EN 16931, BR-FR, Factur-X) run in
//! [`rules`] on every structured invoice found, embedded or standalone.
//!
//! Deliberately not here: duplicates across files and submissions (the store
//! knows those), routing, anything that needs the network.

pub mod container;
pub mod facts;
pub mod finding;
pub mod rules;
pub mod structured;
pub mod textfacts;

// Identifier check digits, the one text folding and the low-level PDF
// reading live a layer below (the reader needs them too); they stay
// reachable under their old paths.
pub use crate::{ident, pdf, text};

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::facts::{DocType, FactKey, Facts};
use crate::check::finding::{Code, Finding, Severity};
use crate::check::ident::{IdKind, Validity};
use crate::check::structured::StructuredInvoice;
use crate::pdf::{Budget, PageContent, Sniff};

/// The portal limits and the checker's own safety caps.
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest file a portal accepts (Generix: 40 Mo).
    pub max_size: u64,
    /// Most pages a portal accepts (Generix: 100).
    pub max_pages: usize,
    /// Files above this are not parsed at all (memory bound).
    pub parse_ceiling: u64,
    /// Time allowed for one file.
    pub time_limit: Duration,
    /// Layouts learned from the owner's confirmed readings (the caller looks
    /// them up in the store; the checker never opens it). Shared, since
    /// each file of a batch gets its own copy of the options.
    pub layouts: std::sync::Arc<Vec<crate::read::Layout>>,
    /// Run the official e-invoice rules on a structured invoice found.
    /// Only a reader that wants the facts alone turns it off (the
    /// demonstration plateforme reading a flow it received).
    pub einvoice_rules: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_size: 40 * 1024 * 1024,
            max_pages: 100,
            parse_ceiling: 160 * 1024 * 1024,
            time_limit: Duration::from_secs(20),
            layouts: Default::default(),
            einvoice_rules: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The verdict on one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    Rejected,
}

/// How the pages were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentClass {
    Native,
    Scanned,
    ScannedOcr,
    Unknown,
}

/// The embedded structured invoice, as reported, with what the official
/// e-invoice rules ([`rules`]) say of it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StructuredSummary {
    pub syntax: String,
    pub profile: Option<String>,
    pub file_name: String,
    /// The Factur-X container's problems (`check::container`), as finding
    /// codes; empty when the PDF around the XML is fine.
    #[serde(default)]
    pub container: Vec<Code>,
    /// `valid`, `invalid` (a fatal rule failed or could not be evaluated)
    /// or `absent` (no rules apply, e.g. ZUGFeRD 1). Reports recorded before
    /// the rules ran read as `absent`.
    #[serde(default = "absent")]
    pub verdict: rules::Verdict,
    /// Every failed assert, with the official ids.
    #[serde(default)]
    pub rules: Vec<rules::Failure>,
    #[serde(default)]
    pub unevaluated: Vec<rules::Unevaluated>,
}

fn absent() -> rules::Verdict {
    rules::Verdict::Absent
}

/// Reads back a stored report's `structured`: `null` (reports recorded
/// before the rules) and `{"verdict": "absent"}` both mean no structured
/// invoice; never a reason to lose the rest of the report.
pub fn structured_from_json<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<StructuredSummary>, D::Error> {
    let v: Option<serde_json::Value> = serde::Deserialize::deserialize(de)?;
    Ok(match v {
        Some(v) if v.get("syntax").is_some() => serde_json::from_value(v).ok(),
        _ => None,
    })
}

/// A report's `structured` in `--json`: the summary, or `{"verdict":
/// "absent"}` for a file without a structured invoice.
fn structured_json<S: serde::Serializer>(
    s: &Option<StructuredSummary>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => s.serialize(ser),
        None => serde_json::json!({ "verdict": rules::Verdict::Absent }).serialize(ser),
    }
}

/// Everything the checker says about one file. Field names and meanings are
/// the stable `--json` format documented in README.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub path: String,
    pub verdict: Verdict,
    pub size_bytes: u64,
    /// SHA-256 of the whole file, lowercase hex: the document's identity.
    pub sha256: Option<String>,
    pub pages: Option<usize>,
    pub pdf: bool,
    /// The file itself is XML: a standalone CII or UBL invoice when
    /// `structured` is set (its `file_name` is then the file's own name).
    pub xml: bool,
    pub readable: bool,
    pub encrypted: bool,
    pub signed: bool,
    pub content: ContentClass,
    pub scanned_pages: Vec<usize>,
    pub invoice_count: Option<usize>,
    #[serde(serialize_with = "structured_json")]
    pub structured: Option<StructuredSummary>,
    pub facts: Facts,
    pub findings: Vec<Finding>,
}

impl Report {
    /// An empty report naming a file, for callers that know its hash from
    /// the store (the outbox queueing a recorded invoice).
    pub fn for_file(path: &str) -> Self {
        Report::new(Path::new(path), 0)
    }

    fn new(path: &Path, size: u64) -> Self {
        Report {
            path: path.display().to_string(),
            verdict: Verdict::Accepted,
            size_bytes: size,
            sha256: None,
            pages: None,
            pdf: false,
            xml: false,
            readable: false,
            encrypted: false,
            signed: false,
            content: ContentClass::Unknown,
            scanned_pages: Vec::new(),
            invoice_count: None,
            structured: None,
            facts: Facts::default(),
            findings: Vec::new(),
        }
    }

    /// Adds a finding; an error one rejects the file, except a failed
    /// e-invoice rule, which keeps the invoice from structured channels
    /// only (the deposit verdict keeps its meaning).
    pub fn push(&mut self, f: Finding) {
        if f.severity == Severity::Error && f.code != finding::Code::EinvoiceRule {
            self.verdict = Verdict::Rejected;
        }
        self.findings.push(f);
    }

    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Accepted
    }
}

/// Checks one file on disk. Only I/O errors (missing file, no permission)
/// are errors; everything about the content is a finding.
pub fn check_file(path: &Path, opts: &Options) -> Result<Report, CheckError> {
    let io = |source| CheckError::Io {
        path: path.to_path_buf(),
        source,
    };
    // The file as opened is judged (not its name, which may change), and
    // only a regular file: a device such as /dev/zero never ends.
    let mut f = open_regular(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    // The size is judged before anything is parsed; beyond the ceiling only
    // the header is read.
    if size > opts.parse_ceiling {
        use std::io::Read;
        let mut head = vec![0u8; 1024];
        let n = f.read(&mut head).map_err(io)?;
        head.truncate(n);
        let mut hasher = Sha256::new();
        hasher.update(&head);
        std::io::copy(&mut f, &mut hasher).map_err(io)?;
        let mut report = check_bytes(path, size, &head, opts);
        report.sha256 = Some(crate::hex::encode(&hasher.finalize()));
        Ok(report)
    } else {
        // At most the ceiling and one byte: a file that grows while it is
        // read is judged on that, never read without end.
        let bytes = read_at_most(f, opts.parse_ceiling).map_err(io)?;
        Ok(check_bytes(path, bytes.len() as u64, &bytes, opts))
    }
}

/// Opens `path` for reading if it is a regular file (a symbolic link given
/// by name is followed to one); a device, a pipe or a folder is refused.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a device, a pipe or a folder): not read",
        ));
    }
    Ok(f)
}

/// Reads at most `limit + 1` bytes of `f` (one more than allowed says it
/// was larger).
pub fn read_at_most(f: std::fs::File, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    f.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Checks bytes already in memory (`size` is the file's size on disk, which
/// may exceed `bytes.len()` when only the header was read). Never panics:
/// a panic inside the analysis becomes an `unreadable` finding.
pub fn check_bytes(path: &Path, size: u64, bytes: &[u8], opts: &Options) -> Report {
    let mut report = Report::new(path, size);
    if bytes.len() as u64 == size {
        report.sha256 = Some(crate::hex::sha256(bytes));
    }
    let parsed = size <= opts.parse_ceiling;
    let offset = match pdf::sniff(bytes) {
        Sniff::Pdf(offset) => offset,
        Sniff::NotPdf(_) if looks_like_xml(bytes) => {
            // A standalone XML invoice has its own bound (the structured
            // reader's); the portals' PDF limits do not apply to it.
            check_xml(&mut report, bytes, opts);
            return report;
        }
        Sniff::NotPdf(what) => {
            if size > opts.max_size {
                report.push(finding::too_large(size, opts.max_size, parsed));
            }
            report.push(finding::not_pdf(what));
            return report;
        }
    };
    if size > opts.max_size {
        report.push(finding::too_large(size, opts.max_size, parsed));
    }
    report.pdf = true;
    if !parsed {
        return report;
    }
    let deadline = Instant::now() + opts.time_limit;
    let mut inner = report.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        analyse(&mut inner, &bytes[offset..], opts, deadline);
    }));
    match outcome {
        Ok(()) => inner,
        Err(_) => {
            tracing::warn!(path = %path.display(), "analysis panicked; reported as unreadable");
            report.push(finding::crashed());
            report
        }
    }
}

/// Whether the bytes are XML: after an optional byte-order mark and
/// blanks, a `<` that does not open an HTML page; UTF-16 by its mark.
fn looks_like_xml(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let head: Vec<u8> = rest[start..]
        .iter()
        .take(16)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<") && !head.starts_with(b"<!doctype html") && !head.starts_with(b"<html")
}

/// A standalone XML file: a CII or UBL invoice is a document like a PDF
/// (its facts read by [`structured::parse`], which bounds size, depth and
/// entities), anything else a finding; the official rules run on it as on
/// an embedded one.
fn check_xml(report: &mut Report, bytes: &[u8], opts: &Options) {
    use structured::{StructuredError, Syntax};
    report.xml = true;
    // The file as it was read: a file larger than the structured reader's
    // bound is refused before any parsing.
    let parsed = if report.size_bytes > structured::MAX_XML_BYTES as u64 {
        Err(StructuredError::TooLarge(structured::MAX_XML_BYTES))
    } else {
        structured::parse(bytes)
    };
    let inv = match parsed {
        Ok(inv) if inv.syntax == Syntax::ZugferdV1 => {
            report.push(finding::xml_not_invoice("CrossIndustryDocument"));
            return;
        }
        Ok(inv) => inv,
        Err(StructuredError::UnknownRoot(root)) => {
            report.push(finding::xml_not_invoice(&root));
            return;
        }
        Err(e) => {
            report.push(finding::xml_unreadable(&e.to_string()));
            return;
        }
    };
    report.readable = true;
    report.invoice_count = Some(1);
    let file_name = Path::new(&report.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    structured_found(report, &inv, &file_name, bytes, opts.einvoice_rules);
    report.facts.fill_from(&inv.facts);
    if !report.facts.0.contains_key(&FactKey::InvoiceNumber) {
        report.push(finding::invoice_number_missing());
    }
    identifiers(report);
}

fn analyse(report: &mut Report, bytes: &[u8], opts: &Options, deadline: Instant) {
    let budget = Budget::new(deadline);
    let raw = pdf::raw_scan(bytes);
    let doc = match pdf::load(bytes, &budget) {
        Ok(doc) => doc,
        Err(e) => {
            // What the bytes alone still tell.
            report.encrypted = raw.encrypt_entry;
            report.signed = raw.byte_range;
            if raw.page_objects > 0 {
                report.pages = Some(raw.page_objects);
            }
            if raw.encrypt_entry {
                report.push(finding::encrypted(raw.public_key));
            } else {
                report.push(finding::unreadable(&e.to_string()));
            }
            if raw.byte_range {
                report.push(finding::signed(1, false));
            }
            page_limit(report, opts);
            return;
        }
    };

    let enc = pdf::encryption(&doc, &raw);
    report.encrypted = enc.encrypted;
    report.readable = enc.readable;
    let page_count = doc.page_iter().count();
    report.pages = match page_count {
        0 if raw.page_objects > 0 => Some(raw.page_objects),
        0 => None,
        n => Some(n),
    };
    if enc.readable
        && let Some(problem) = pdf::page_tree_problem(&doc, page_count)
    {
        report.readable = false;
        report.push(finding::unreadable(&problem));
    }
    if enc.encrypted {
        report.push(finding::encrypted(enc.public_key || raw.public_key));
    }
    let sigs = pdf::signatures(&doc);
    if !sigs.is_empty() {
        report.signed = true;
        report.push(finding::signed(
            sigs.len(),
            sigs.iter().any(|s| s.certification),
        ));
    } else if !enc.readable && raw.byte_range {
        // Objects we cannot decrypt may hide the signature dictionary; its
        // /ByteRange is never encrypted and still shows in the raw bytes.
        report.signed = true;
        report.push(finding::signed(1, false));
    }
    page_limit(report, opts);
    if !report.readable {
        return;
    }

    let pages = match pdf::pages(&doc, &budget) {
        Ok(p) => p,
        Err(_) => {
            report.push(finding::timeout());
            return;
        }
    };
    classify(report, &pages);

    let structured = structured_invoice(report, &doc, &budget, opts.einvoice_rules);
    if let Some(s) = &structured {
        report.facts.fill_from(&s.facts);
    }
    let texts: Vec<String> = pages.iter().map(|p| p.text.clone()).collect();
    let has_text = pages
        .iter()
        .any(|p| p.visible_chars + p.invisible_chars > 0);
    if has_text {
        // The page read as a person does: its sure values (identifiers
        // with valid check digits, totals that add up) come before the
        // label heuristics, its other values after them.
        let reading = crate::read::read_pages(&pages, &opts.layouts[..]);
        let (sure, unsure) = reading_facts(&reading);
        report.facts.fill_from(&sure);
        report.facts.fill_from(&textfacts::facts_from_text(&texts));
        report.facts.fill_from(&unsure);
        report.invoice_count = Some(reading.invoices.len().max(1));
        if reading.invoices.len() > 1 {
            let starts: Vec<usize> = reading.invoices.iter().map(|i| i.first_page).collect();
            let numbers: Vec<String> = reading
                .invoices
                .iter()
                .filter_map(|i| i.number.as_ref().map(|n| n.value.clone()))
                .collect();
            report.push(finding::multiple_invoices(&starts, &numbers));
        }
        if let Some(s) = &structured {
            compare_numbers(report, s, &texts);
        }
    } else if structured.is_some() {
        report.invoice_count = Some(1);
    }
    if report.content == ContentClass::Native
        && !report.facts.0.contains_key(&FactKey::InvoiceNumber)
    {
        report.push(finding::invoice_number_missing());
    }
    if let Some(t) = report.facts.get(FactKey::DocType).map(str::to_string) {
        // Normalise a text-found type to the stable names.
        let normal = if t == DocType::CreditNote.as_str() {
            DocType::CreditNote
        } else {
            DocType::Invoice
        };
        if let Some(f) = report.facts.0.get_mut(&FactKey::DocType) {
            f.value = normal.as_str().to_string();
        }
    }
    identifiers(report);
}

/// The first invoice's reading as checker facts (text source): the values
/// the reader is sure of, and the others.
fn reading_facts(reading: &crate::read::Reading) -> (Facts, Facts) {
    use crate::check::facts::FactSource;
    let mut sure = Facts::default();
    let mut unsure = Facts::default();
    let Some(inv) = reading.invoices.first() else {
        return (sure, unsure);
    };
    let s = &inv.seller;
    let b = &inv.buyer;
    let t = &inv.totals;
    let doc_type = inv.type_code.as_ref().map(|f| crate::read::Field {
        value: DocType::from_type_code(&f.value).as_str().to_string(),
        ..f.clone()
    });
    let pairs: [(FactKey, &Option<crate::read::Field>); 18] = [
        (FactKey::InvoiceNumber, &inv.number),
        (FactKey::IssueDate, &inv.issue_date),
        (FactKey::DocType, &doc_type),
        (FactKey::Currency, &inv.currency),
        (FactKey::SellerName, &s.name),
        (FactKey::SellerSiren, &s.siren),
        (FactKey::SellerSiret, &s.siret),
        (FactKey::SellerVat, &s.vat),
        (FactKey::BuyerName, &b.name),
        (FactKey::BuyerSiren, &b.siren),
        (FactKey::BuyerSiret, &b.siret),
        (FactKey::BuyerVat, &b.vat),
        (FactKey::BuyerReference, &inv.buyer_reference),
        (FactKey::OrderReference, &inv.order_reference),
        (FactKey::Iban, &inv.iban),
        (FactKey::TotalWithoutTax, &t.without_tax),
        (FactKey::TotalTax, &t.tax),
        (FactKey::TotalWithTax, &t.with_tax),
    ];
    for (key, f) in pairs.iter().chain([(FactKey::AmountDue, &t.due)].iter()) {
        if let Some(f) = f {
            let target = if f.sure { &mut sure } else { &mut unsure };
            target.insert(*key, f.value.clone(), FactSource::Text);
        }
    }
    (sure, unsure)
}

fn page_limit(report: &mut Report, opts: &Options) {
    if let Some(n) = report.pages
        && n > opts.max_pages
    {
        report.push(finding::too_many_pages(n, opts.max_pages));
    }
}

/// Fewer visible characters than this on an image page do not make it native
/// (a stamped page number, a scanner's footer).
const MIN_VISIBLE_CHARS: usize = 12;

/// The class of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageClass {
    Native,
    Scanned,
    ScannedOcr,
    Blank,
}

pub fn page_class(p: &PageContent) -> PageClass {
    if p.visible_chars >= MIN_VISIBLE_CHARS || (p.visible_chars > 0 && p.images == 0) {
        PageClass::Native
    } else if p.images > 0 {
        if p.invisible_chars > 0 {
            PageClass::ScannedOcr
        } else {
            PageClass::Scanned
        }
    } else {
        // Nothing shown: no visible text and no image (invisible text alone
        // shows nothing either).
        PageClass::Blank
    }
}

fn classify(report: &mut Report, pages: &[PageContent]) {
    let classes: Vec<PageClass> = pages.iter().map(page_class).collect();
    let numbered = |want: PageClass| -> Vec<usize> {
        classes
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == want)
            .map(|(i, _)| i + 1)
            .collect()
    };
    let scanned = numbered(PageClass::Scanned);
    let ocr = numbered(PageClass::ScannedOcr);
    let mut all: Vec<usize> = scanned.iter().chain(&ocr).copied().collect();
    all.sort_unstable();
    report.scanned_pages = all;
    report.content = if !scanned.is_empty() {
        ContentClass::Scanned
    } else if !ocr.is_empty() {
        ContentClass::ScannedOcr
    } else if classes.contains(&PageClass::Native) {
        ContentClass::Native
    } else {
        ContentClass::Unknown
    };
    if !scanned.is_empty() {
        report.push(finding::scanned(&scanned, pages.len()));
    }
    if !ocr.is_empty() {
        report.push(finding::scanned_ocr(&ocr));
    }
    if report.content == ContentClass::Unknown && !pages.is_empty() {
        report.push(finding::no_text());
    }
}

/// Names under which Factur-X, ZUGFeRD and XRechnung travel.
const KNOWN_NAMES: [&str; 5] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "xrechnung.xml",
    "order-x.xml",
    "zugferd.xml",
];

fn structured_invoice(
    report: &mut Report,
    doc: &lopdf::Document,
    budget: &Budget,
    einvoice_rules: bool,
) -> Option<StructuredInvoice> {
    let attachments = pdf::attachments(doc, budget);
    let mut candidates: Vec<&pdf::Attachment> = attachments
        .iter()
        .filter(|a| KNOWN_NAMES.contains(&a.name.to_ascii_lowercase().as_str()))
        .collect();
    let known = !candidates.is_empty();
    if !known {
        candidates = attachments
            .iter()
            .filter(|a| a.name.to_ascii_lowercase().ends_with(".xml"))
            .collect();
    }
    let mut first_error = None;
    for a in candidates {
        let parsed = match &a.content {
            Ok(bytes) => structured::parse(bytes).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        match parsed {
            Ok(inv) => {
                let bytes = a.content.as_deref().unwrap_or_default();
                structured_found(report, &inv, &a.name, bytes, einvoice_rules);
                // Only a PDF that carries an XML pays for this: a plain PDF
                // never reaches here.
                let judged = container::check(doc, a, &inv, report.encrypted, budget);
                for f in judged.findings {
                    report.push(f);
                }
                if let Some(s) = report.structured.as_mut() {
                    s.container = judged.codes;
                }
                return Some(inv);
            }
            Err(e) if known && first_error.is_none() => first_error = Some((a.name.clone(), e)),
            Err(_) => {}
        }
    }
    match first_error {
        Some((name, e)) => report.push(finding::structured_invalid(&name, &e)),
        None => report.push(finding::structured_missing()),
    }
    None
}

/// Records a structured invoice found (embedded or standalone) and runs the
/// official rules on it: each failed rule becomes a finding as well.
pub fn structured_found(
    report: &mut Report,
    inv: &StructuredInvoice,
    name: &str,
    xml: &[u8],
    einvoice_rules: bool,
) {
    let mut summary = StructuredSummary {
        syntax: inv.syntax.as_str().to_string(),
        profile: inv
            .profile_id
            .clone()
            .or_else(|| Some(inv.profile.as_str().to_string())),
        file_name: name.to_string(),
        container: Vec::new(),
        verdict: rules::Verdict::Absent,
        rules: Vec::new(),
        unevaluated: Vec::new(),
    };
    if !inv.profile.is_full_invoice() {
        report.push(finding::structured_partial(inv.profile.as_str()));
    }
    if !einvoice_rules {
        report.structured = Some(summary);
        return;
    }
    match rules::check_xml(xml) {
        Ok(outcome) => {
            summary.verdict = outcome.verdict();
            // One finding per rule and message: a rule that fails on each
            // of ten lines is one thing to mend (`structured.rules` keeps
            // every place).
            let mut said = std::collections::HashSet::new();
            for f in &outcome.failures {
                if said.insert((f.id.as_str(), f.message.as_str())) {
                    report.push(rules::plain::rule_finding(f));
                }
            }
            for u in &outcome.unevaluated {
                report.push(rules::plain::unevaluated_finding(u));
            }
            summary.rules = outcome.failures;
            summary.unevaluated = outcome.unevaluated;
        }
        Err(e) => {
            tracing::warn!(file = %report.path, error = %e, "e-invoice rules could not run");
            summary.verdict = rules::Verdict::Invalid;
            report.push(rules::plain::rules_failed_finding(&e.to_string()));
        }
    }
    report.structured = Some(summary);
}

fn norm_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Two normalised invoice numbers name the same invoice when equal, or when
/// one is the other's last or first part at a separator: the XML of a real
/// ZUGFeRD sample says "20131122-42" where its PDF prints "42".
fn same_number(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short == long {
        return true;
    }
    let sep = |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric());
    short.chars().any(char::is_numeric)
        && ((long.ends_with(short) && sep(long[..long.len() - short.len()].chars().next_back()))
            || (long.starts_with(short) && sep(long[short.len()..].chars().next())))
}

/// The number in the XML must be the one printed on the PDF.
fn compare_numbers(report: &mut Report, s: &StructuredInvoice, texts: &[String]) {
    let Some(xml) = s.facts.get(FactKey::InvoiceNumber) else {
        return;
    };
    let mut printed: Vec<String> = Vec::new();
    for t in texts {
        for n in textfacts::invoice_numbers(t) {
            if !printed.contains(&n) {
                printed.push(n);
            }
        }
    }
    if printed.is_empty() {
        return;
    }
    let want = norm_number(xml);
    let found_anywhere = printed.iter().any(|n| same_number(&norm_number(n), &want))
        || texts.iter().any(|t| norm_number(t).contains(&want));
    if !found_anywhere {
        report.push(finding::xml_text_mismatch(xml, &printed));
    }
}

/// Facts that are identifiers, with their kind and how to name them.
const IDENTIFIERS: [(FactKey, IdKind, &str, &str); 11] = [
    (
        FactKey::SellerSiren,
        IdKind::Siren,
        "le SIREN du vendeur",
        "seller SIREN",
    ),
    (
        FactKey::SellerSiret,
        IdKind::Siret,
        "le SIRET du vendeur",
        "seller SIRET",
    ),
    (
        FactKey::SellerVat,
        IdKind::Vat,
        "le numéro de TVA du vendeur",
        "seller VAT number",
    ),
    (
        FactKey::SellerGln,
        IdKind::Gln,
        "le GLN du vendeur",
        "seller GLN",
    ),
    (
        FactKey::BuyerSiren,
        IdKind::Siren,
        "le SIREN du client",
        "customer SIREN",
    ),
    (
        FactKey::BuyerSiret,
        IdKind::Siret,
        "le SIRET du client",
        "customer SIRET",
    ),
    (
        FactKey::BuyerVat,
        IdKind::Vat,
        "le numéro de TVA du client",
        "customer VAT number",
    ),
    (
        FactKey::BuyerGln,
        IdKind::Gln,
        "le GLN du client",
        "customer GLN",
    ),
    (
        FactKey::BuyerOvt,
        IdKind::Ovt,
        "le numéro OVT du client",
        "customer OVT number",
    ),
    (FactKey::Iban, IdKind::Iban, "l'IBAN", "IBAN"),
    (
        FactKey::BuyerIban,
        IdKind::Iban,
        "l'IBAN du client",
        "customer IBAN",
    ),
];

fn identifiers(report: &mut Report) {
    let mut found = Vec::new();
    // Buyer references are free text: only placeholders matter.
    if let Some(f) = report.facts.fact(FactKey::BuyerReference)
        && ident::is_placeholder(&f.value)
    {
        found.push(finding::identifier_placeholder(
            "le code service du client",
            "customer service code",
            &f.value,
        ));
    }
    for (key, kind, fr, en) in IDENTIFIERS {
        let Some(f) = report.facts.fact(key) else {
            continue;
        };
        match ident::validate(kind, &f.value) {
            Validity::Valid | Validity::FormatOnly => {}
            Validity::Placeholder => found.push(finding::identifier_placeholder(fr, en, &f.value)),
            Validity::BadCheckDigit | Validity::BadFormat => {
                found.push(finding::identifier_invalid(fr, en, &f.value))
            }
        }
    }
    for f in found {
        report.push(f);
    }
}

/// One file's outcome in a batch.
#[derive(Debug)]
pub enum Outcome {
    Checked(Box<Report>),
    Failed(CheckError),
}

/// Stack for checker threads: lopdf recurses on nested objects.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Checks `paths` with up to `jobs` files at once, calling `on_done(index,
/// outcome)` as each finishes (completion order). A file still running after
/// twice its time limit is abandoned and reported as unreadable, so one
/// pathological file cannot hold the batch.
pub fn check_batch(
    paths: &[PathBuf],
    jobs: usize,
    opts: &Options,
    cancel: &dyn Fn() -> bool,
    on_done: &mut dyn FnMut(usize, Outcome),
) {
    let jobs = jobs.max(1);
    let hard_limit = opts.time_limit * 2 + Duration::from_secs(1);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    let mut running: Vec<(usize, Instant)> = Vec::new();
    let mut next = 0;
    loop {
        while running.len() < jobs && next < paths.len() && !cancel() {
            let i = next;
            next += 1;
            let tx = tx.clone();
            let path = paths[i].clone();
            let o = opts.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("check-{i}"))
                .stack_size(WORKER_STACK)
                .spawn(move || {
                    let outcome = match check_file(&path, &o) {
                        Ok(r) => Outcome::Checked(Box::new(r)),
                        Err(e) => Outcome::Failed(e),
                    };
                    let _ = tx.send((i, outcome));
                });
            match spawned {
                Ok(_) => running.push((i, Instant::now())),
                Err(e) => on_done(
                    i,
                    Outcome::Failed(CheckError::Io {
                        path: paths[i].clone(),
                        source: e,
                    }),
                ),
            }
        }
        if running.is_empty() {
            break;
        }
        let oldest = running
            .iter()
            .map(|(_, t)| *t)
            .min()
            .unwrap_or_else(Instant::now);
        let wait = (oldest + hard_limit).saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok((i, outcome)) => {
                if let Some(pos) = running.iter().position(|(r, _)| *r == i) {
                    running.swap_remove(pos);
                    on_done(i, outcome);
                }
            }
            Err(_) => {
                let now = Instant::now();
                let (late, keep): (Vec<_>, Vec<_>) = running
                    .into_iter()
                    .partition(|(_, t)| now.duration_since(*t) >= hard_limit);
                running = keep;
                for (i, _) in late {
                    tracing::warn!(path = %paths[i].display(), "check abandoned after its time limit");
                    let size = std::fs::metadata(&paths[i]).map(|m| m.len()).unwrap_or(0);
                    let mut r = Report::new(&paths[i], size);
                    r.pdf = true;
                    r.push(finding::timeout());
                    on_done(i, Outcome::Checked(Box::new(r)));
                }
            }
        }
    }
}

/// Expands files and folders into the files to check: folders are walked
/// recursively and keep files ending in `.pdf` or `.xml` (any case, see
/// [`is_invoice_file_name`]); named files are kept whatever their
/// extension. Unreadable folders are returned as errors.
pub fn collect_paths(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<CheckError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(m) if m.is_dir() => walk(input, &mut files, &mut errors, 0),
            Ok(_) => files.push(input.clone()),
            Err(source) => errors.push(CheckError::Io {
                path: input.clone(),
                source,
            }),
        }
    }
    (files, errors)
}

/// Whether a file's name says it may be an invoice Facteur takes: a PDF
/// (plain or Factur-X) or a standalone XML (CII or UBL).
pub fn is_invoice_file_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("xml"))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<CheckError>, depth: usize) {
    if depth > 64 {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(CheckError::Io {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut list: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    list.sort();
    for p in list {
        // Symbolic links are not followed (no loops, and a `x.pdf` pointing
        // at /dev/zero or outside the folder is not taken): folders and
        // regular files only.
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, files, errors, depth + 1);
        } else if meta.is_file() && is_invoice_file_name(&p) {
            files.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{looks_like_xml, same_number};

    #[test]
    fn xml_is_told_by_its_first_bytes_whatever_its_encoding() {
        assert!(looks_like_xml(b"<?xml version=\"1.0\"?><Invoice/>"));
        assert!(looks_like_xml(b"\xEF\xBB\xBF\r\n  <Invoice/>"));
        assert!(looks_like_xml(&[0xFF, 0xFE, b'<', 0]));
        assert!(looks_like_xml(&[0xFE, 0xFF, 0, b'<']));
        assert!(!looks_like_xml(b"  <!DOCTYPE html><html></html>"));
        assert!(!looks_like_xml(b"<HTML><body/></HTML>"));
        assert!(!looks_like_xml(b"Facture 12"));
        assert!(!looks_like_xml(b""));
    }

    #[test]
    fn numbers_agree_on_a_whole_part_only() {
        assert!(same_number("f-2026-0001", "f-2026-0001"));
        assert!(same_number("42", "20131122-42"));
        assert!(same_number("2026/17", "2026"));
        assert!(!same_number("42", "20131122-142"));
        assert!(!same_number("f-2026-0017", "f-2026-9999"));
        assert!(!same_number("-", "a-"));
    }
}
