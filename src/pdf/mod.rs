//! The bottom layer: reading one PDF's structure with lopdf, its content
//! streams with the `lex` module's lexer (lopdf's grammar, without an
//! allocation per operand). Whether it is a PDF at all, whether it loads,
//! encryption, signatures, per-page content (visible text, invisible text, raster
//! images, and every text run with its place, font and size on the page,
//! plus the ruling lines drawn) and embedded files. The checker
//! ([`crate::check`]) and the reader ([`crate::read`]) both stand on it.
//!
//! Everything here is bounded: stream decompression, Form XObject nesting,
//! content operators per file and wall time are capped by [`Budget`], so a
//! hostile file costs at most a known amount of memory and time.
//!
//! This module deliberately does not judge anything (that is
//! [`crate::check`]), does not render pages, does not verify signatures
//! cryptographically and never decrypts with a password other than the empty
//! one.

pub(crate) mod lex;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use lopdf::{Dictionary, Document, Encoding, LoadOptions, Object, ObjectId};

/// Caps applied while analysing one file.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Largest decompressed size of any single stream we read.
    pub max_stream_bytes: usize,
    /// Content-stream operators interpreted per file, all pages together.
    pub max_operations: usize,
    /// Deepest Form XObject nesting followed.
    pub max_form_depth: usize,
    /// Text kept per page for fact extraction.
    pub max_text_per_page: usize,
    /// Positioned text runs kept per page (the reader's input).
    pub max_runs_per_page: usize,
    /// Ruling lines kept per page.
    pub max_rules_per_page: usize,
    /// When the analysis must stop (checked between operators).
    pub deadline: Instant,
}

impl Budget {
    pub fn new(deadline: Instant) -> Self {
        Budget {
            max_stream_bytes: 32 * 1024 * 1024,
            max_operations: 4_000_000,
            max_form_depth: 12,
            max_text_per_page: 64 * 1024,
            max_runs_per_page: 20_000,
            max_rules_per_page: 4_000,
            deadline,
        }
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() > self.deadline
    }
}

/// Errors that stop the analysis of one file.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF structure cannot be read: {0}")]
    Load(String),
    #[error("the analysis took longer than allowed")]
    Timeout,
}

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// A PDF header `%PDF-` at this byte offset (junk before it is tolerated).
    Pdf(usize),
    /// Not a PDF; a short description of what it looks like.
    NotPdf(&'static str),
}

/// How far into the file the `%PDF-` header may start.
const HEADER_WINDOW: usize = 1024;

/// Recognises a PDF header in the first kilobyte, or names what the file is.
pub fn sniff(bytes: &[u8]) -> Sniff {
    let window = &bytes[..bytes.len().min(HEADER_WINDOW)];
    if let Some(pos) = find(window, b"%PDF-") {
        return Sniff::Pdf(pos);
    }
    let lower: Vec<u8> = window
        .iter()
        .take(64)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let trimmed: &[u8] = {
        let start = lower
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(lower.len());
        &lower[start..]
    };
    let what = if bytes.is_empty() {
        "empty file"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "JPEG image"
    } else if bytes.starts_with(b"\x89PNG") {
        "PNG image"
    } else if bytes.starts_with(b"GIF8") {
        "GIF image"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "TIFF image"
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        "ZIP archive (or Office document)"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "old Office document"
    } else if trimmed.starts_with(b"<!doctype html") || trimmed.starts_with(b"<html") {
        "HTML page"
    } else if trimmed.starts_with(b"<?xml") || trimmed.starts_with(b"<") {
        "XML document"
    } else if window
        .iter()
        .all(|b| b.is_ascii() && (!b.is_ascii_control() || b.is_ascii_whitespace()))
    {
        "text file"
    } else {
        "unknown binary file"
    };
    Sniff::NotPdf(what)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Facts read from the raw bytes without parsing, used when the structure
/// cannot be loaded (or to confirm what the parser says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawScan {
    pub encrypt_entry: bool,
    pub public_key: bool,
    pub byte_range: bool,
    /// Count of `/Type /Page` objects (not `/Pages`).
    pub page_objects: usize,
}

/// Scans the bytes for a few markers. Linear, allocation-free: from one
/// `/` to the next by a vectorised search.
pub fn raw_scan(bytes: &[u8]) -> RawScan {
    let mut scan = RawScan::default();
    for at in memchr::memchr_iter(b'/', bytes) {
        let rest = &bytes[at..];
        if rest.starts_with(b"/Encrypt") && !rest.starts_with(b"/EncryptMetadata") {
            scan.encrypt_entry = true;
        } else if rest.starts_with(b"/Adobe.PubSec") || rest.starts_with(b"/adbe.pkcs7.s") {
            scan.public_key = true;
        } else if rest.starts_with(b"/ByteRange") {
            scan.byte_range = true;
        } else if rest.starts_with(b"/Type") {
            let mut j = 5;
            while rest.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
                j += 1;
            }
            if rest[j.min(rest.len())..].starts_with(b"/Page")
                && !rest.get(j + 5).is_some_and(|b| b.is_ascii_alphanumeric())
            {
                scan.page_objects += 1;
            }
        }
    }
    scan
}

/// Loads the structure with lopdf, lenient, with decompression capped.
pub fn load(bytes: &[u8], budget: &Budget) -> Result<Document, PdfError> {
    let options = LoadOptions {
        max_decompressed_size: Some(budget.max_stream_bytes),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options).map_err(|e| PdfError::Load(e.to_string()))
}

/// Encryption as the loaded document declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encryption {
    pub encrypted: bool,
    /// Opened with the empty user password, so its content can be analysed.
    pub readable: bool,
    pub public_key: bool,
}

/// `raw` catches what the object model misses, e.g. an `/Encrypt` written as
/// a direct dictionary in the trailer.
pub fn encryption(doc: &Document, raw: &RawScan) -> Encryption {
    let encrypted = doc.is_encrypted()
        || doc.was_encrypted()
        || doc.trailer.has(b"Encrypt")
        || raw.encrypt_entry;
    let public_key = doc
        .get_encrypted()
        .ok()
        .and_then(|d| d.get(b"Filter").ok())
        .and_then(|f| f.as_name().ok())
        .is_some_and(|n| n != b"Standard");
    Encryption {
        encrypted,
        readable: !encrypted || doc.was_encrypted(),
        public_key: public_key || raw.public_key,
    }
}

/// Why the page tree cannot be trusted, if it cannot: no page at all, or a
/// root `/Count` that disagrees with the pages actually found (a damaged or
/// hostile file; viewers disagree on what such a file shows).
pub fn page_tree_problem(doc: &Document, found: usize) -> Option<String> {
    if found == 0 {
        return Some("no page can be read".into());
    }
    let declared = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .map(|p| deref(doc, p))
        .and_then(|p| p.as_dict().ok())
        .and_then(|p| p.get(b"Count").ok())
        .and_then(|c| c.as_i64().ok());
    match declared {
        Some(n) if n != found as i64 => Some(format!(
            "the page tree declares {n} pages but holds {found}"
        )),
        _ => None,
    }
}

/// One digital signature found in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// A certification (DocMDP) signature rather than an approval one.
    pub certification: bool,
}

/// Every signature dictionary that carries a `/ByteRange`, plus a DocMDP
/// or UR3 permission in the catalog. Empty signature fields (no value) are
/// not signatures.
pub fn signatures(doc: &Document) -> Vec<Signature> {
    let mut found = Vec::new();
    for obj in doc.objects.values() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if is_signature_dict(dict) {
            let certification = dict
                .get(b"Reference")
                .ok()
                .map(|r| deref(doc, r))
                .and_then(|r| r.as_array().ok())
                .is_some_and(|refs| {
                    refs.iter().any(|r| {
                        deref(doc, r)
                            .as_dict()
                            .ok()
                            .and_then(|d| d.get(b"TransformMethod").ok())
                            .and_then(|m| m.as_name().ok())
                            == Some(b"DocMDP".as_slice())
                    })
                });
            found.push(Signature { certification });
        }
    }
    let perms = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Perms").ok())
        .map(|p| deref(doc, p))
        .and_then(|p| p.as_dict().ok());
    if let Some(perms) = perms {
        let has_docmdp = perms.has(b"DocMDP");
        if has_docmdp && !found.iter().any(|s| s.certification) {
            if let Some(first) = found.first_mut() {
                first.certification = true;
            } else if perms
                .get(b"DocMDP")
                .ok()
                .map(|s| deref(doc, s))
                .and_then(|s| s.as_dict().ok())
                .is_some_and(|d| d.has(b"ByteRange"))
            {
                found.push(Signature {
                    certification: true,
                });
            }
        }
    }
    found
}

fn is_signature_dict(dict: &Dictionary) -> bool {
    let Ok(range) = dict.get(b"ByteRange").and_then(Object::as_array) else {
        return false;
    };
    let typed = dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
        || dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"DocTimeStamp".as_slice());
    let has_contents = dict.has(b"Contents");
    let has_filter = dict.has(b"Filter") || dict.has(b"SubFilter");
    range.len() >= 4 && (typed || has_contents || has_filter)
}

/// The object a reference points to (the object itself when it is not a
/// reference or points nowhere).
pub fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    doc.dereference(obj).map(|(_, o)| o).unwrap_or(obj)
}

/// What one page draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageContent {
    /// Non-blank characters shown with a visible render mode.
    pub visible_chars: usize,
    /// Non-blank characters shown invisibly (render mode 3 or 7): an OCR layer.
    pub invisible_chars: usize,
    /// Raster images drawn (XObjects and inline images).
    pub images: usize,
    /// Fraction of the page area covered by raster images, 0.0 ..= 1.0.
    pub image_coverage: f32,
    /// Text lines, visible and invisible, capped.
    pub text: String,
    /// The content could not be fully read (budget, broken stream).
    pub incomplete: bool,
    /// Visible text runs with their place on the page, in drawing order
    /// (the reader sorts them), capped by [`Budget::max_runs_per_page`].
    pub runs: Vec<TextRun>,
    /// Thin filled rectangles and stroked straight segments: table rules.
    pub rules: Vec<Rule>,
    /// The MediaBox: x0, y0, x1, y1 (A4 when absent).
    pub media_box: [f32; 4],
}

/// One string shown on the page, in page space (points, origin bottom left).
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub text: String,
    /// Left end of the baseline.
    pub x: f32,
    /// Baseline height.
    pub y: f32,
    /// Horizontal advance of the whole string.
    pub width: f32,
    /// Effective font size (text size times the vertical scale).
    pub size: f32,
    /// The font's `/BaseFont` (subset prefix removed), or its resource name;
    /// shared by every run of the font.
    pub font: Arc<str>,
}

/// A straight ruling line (or a thin filled rectangle) in page space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    pub fn horizontal(&self) -> bool {
        (self.y1 - self.y0).abs() <= 1.5 && (self.x1 - self.x0).abs() > 3.0
    }
    pub fn vertical(&self) -> bool {
        (self.x1 - self.x0).abs() <= 1.5 && (self.y1 - self.y0).abs() > 3.0
    }
}

/// Analyses every page, in order. Stops with [`PdfError::Timeout`] when the
/// deadline passes.
pub fn pages(doc: &Document, budget: &Budget) -> Result<Vec<PageContent>, PdfError> {
    let mut ops_left = budget.max_operations;
    let mut out = Vec::new();
    let mut fonts_read = FontsRead::new();
    for page_id in doc.page_iter() {
        if Instant::now() > budget.deadline {
            return Err(PdfError::Timeout);
        }
        out.push(page(doc, page_id, budget, &mut ops_left, &mut fonts_read)?);
    }
    Ok(out)
}

fn page<'a>(
    doc: &'a Document,
    page_id: ObjectId,
    budget: &Budget,
    ops_left: &mut usize,
    fonts_read: &mut FontsRead<'a>,
) -> Result<PageContent, PdfError> {
    let mut pc = PageContent::default();
    let media = media_box(doc, page_id);
    pc.media_box = media;
    let area = ((media[2] - media[0]) * (media[3] - media[1])).abs();
    let resources = page_resource_dicts(doc, page_id);
    let content = match doc.get_page_content_with_limit(page_id, budget.max_stream_bytes) {
        Ok(c) => c,
        Err(_) => {
            pc.incomplete = true;
            Vec::new()
        }
    };
    let mut walker = Walker {
        doc,
        fonts_read,
        budget,
        ops_left,
        out: &mut pc,
        image_area: 0.0,
        line: String::new(),
        path: Vec::new(),
        start: None,
    };
    let mut gs = GState::default();
    walker.run(&content, &resources, &mut gs, 0)?;
    walker.flush_line();
    let covered = walker.image_area;
    pc.image_coverage = if area > 0.0 {
        (covered / area).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Ok(pc)
}

/// The page's MediaBox (inherited through the page tree), A4 if absent.
fn media_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut node = doc.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(d) = node else { break };
        if let Some(rect) = d
            .get(b"MediaBox")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .filter(|a| a.len() == 4)
        {
            let n: Vec<f32> = rect.iter().map(|o| num(deref(doc, o))).collect();
            let a = ((n[2] - n[0]) * (n[3] - n[1])).abs();
            if a.is_finite() && a > 0.0 {
                return [
                    n[0].min(n[2]),
                    n[1].min(n[3]),
                    n[0].max(n[2]),
                    n[1].max(n[3]),
                ];
            }
        }
        node = d
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok());
    }
    [0.0, 0.0, 595.0, 842.0]
}

/// The page's resource dictionaries, nearest first.
/// A page's `/Resources` dictionaries, its own and those inherited.
pub fn page_resource_dicts(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    if let Ok((direct, ids)) = doc.get_page_resources(page_id) {
        out.extend(direct);
        out.extend(ids.into_iter().filter_map(|id| doc.get_dictionary(id).ok()));
    }
    out
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// The graphics state we follow, text state included (PDF keeps the text
/// state parameters in the graphics state, so `q`/`Q` save them too).
#[derive(Debug, Clone, Copy)]
struct GState {
    ctm: [f32; 6],
    render_mode: i64,
    /// Text matrix and text line matrix (valid between BT and ET).
    tm: [f32; 6],
    tlm: [f32; 6],
    font_size: f32,
    char_spacing: f32,
    word_spacing: f32,
    /// Horizontal scaling, as a fraction (Tz 100 = 1.0).
    scale: f32,
    leading: f32,
    rise: f32,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            render_mode: 0,
            tm: IDENTITY,
            tlm: IDENTITY,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

impl GState {
    /// Moves to the start of the next line offset by (tx, ty): `Td`.
    fn next_line(&mut self, tx: f32, ty: f32) {
        self.tlm = concat([1.0, 0.0, 0.0, 1.0, tx, ty], self.tlm);
        self.tm = self.tlm;
    }
}

/// What the walker knows of one font resource: how its codes decode and how
/// wide its glyphs are (in thousandths of the text size).
/// Largest /ToUnicode stream read, and most codes kept from one.
const MAX_CMAP_BYTES: usize = 1 << 20;
const MAX_CMAP_CODES: usize = 65_536;

/// A font's /ToUnicode CMap (PDF 32000 9.10.3): character code → text,
/// from its `bfchar` and `bfrange` sections. Read here rather than by
/// lopdf, which skips it when the font also has an /Encoding and gives up
/// on maps it cannot parse whole (subset fonts written by FPDF, PyPDF or
/// report engines give their glyphs private codes only this map explains).
///
/// Held as one character per code where it is one (nearly always), so a full
/// font's map of thousands of codes costs no allocation per code.
#[derive(Debug, Default)]
struct UnicodeMap {
    one: OneChar,
    many: std::collections::HashMap<u32, String, CodeHash>,
}

/// Codes of one character each. A map that grows large (a whole font's,
/// as TCPDF and mPDF write: 65,536 codes in one range) moves its codes
/// below 65,536 to a table indexed by code, which costs one store per code
/// where hashing cost a fifth of a millisecond per font.
#[derive(Debug, Default)]
struct OneChar {
    sparse: std::collections::HashMap<u32, char, CodeHash>,
    /// Once large: the character + 1 of each code below 65,536, 0 for none.
    dense: Vec<u32>,
    dense_len: usize,
}

/// Codes a map may hold in its hash before it moves to the table.
const SPARSE_CODES: usize = 1024;

impl OneChar {
    fn len(&self) -> usize {
        self.sparse.len() + self.dense_len
    }

    fn get(&self, code: u32) -> Option<char> {
        match self.dense.get(code as usize) {
            Some(0) => None,
            Some(&v) => Some(char::from_u32(v - 1).unwrap_or(char::REPLACEMENT_CHARACTER)),
            None => self.sparse.get(&code).copied(),
        }
    }

    fn insert(&mut self, code: u32, c: char) {
        if self.dense.is_empty() && self.sparse.len() >= SPARSE_CODES {
            self.move_to_table();
        }
        match self.dense.get_mut(code as usize) {
            Some(slot) => {
                if *slot == 0 {
                    self.dense_len += 1;
                }
                *slot = c as u32 + 1;
            }
            None => {
                self.sparse.insert(code, c);
            }
        }
    }

    fn remove(&mut self, code: u32) {
        match self.dense.get_mut(code as usize) {
            Some(slot) => {
                if *slot != 0 {
                    self.dense_len -= 1;
                    *slot = 0;
                }
            }
            None => {
                self.sparse.remove(&code);
            }
        }
    }

    /// Room for `more` codes: past [`SPARSE_CODES`], the table at once.
    fn reserve(&mut self, more: usize) {
        if !self.dense.is_empty() {
            return;
        }
        if self.len() + more <= SPARSE_CODES {
            self.sparse.reserve(more);
        } else {
            self.move_to_table();
        }
    }

    /// Moves the codes below 65,536 from the hash to the table.
    fn move_to_table(&mut self) {
        self.dense = vec![0; 1 << 16];
        let small: Vec<u32> = self
            .sparse
            .keys()
            .copied()
            .filter(|&c| c < 1 << 16)
            .collect();
        for code in small {
            if let Some(c) = self.sparse.remove(&code) {
                self.dense[code as usize] = c as u32 + 1;
                self.dense_len += 1;
            }
        }
    }
}

/// Hashes a character code by one multiplication: the codes come from the
/// file, but a map holds at most [`MAX_CMAP_CODES`] of them, so a crafted
/// collision costs at most that many probes once.
type CodeHash = std::hash::BuildHasherDefault<CodeHasher>;

#[derive(Default)]
struct CodeHasher(u64);

impl std::hash::Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl UnicodeMap {
    fn len(&self) -> usize {
        self.one.len() + self.many.len()
    }

    /// Maps `code` to the UTF-16 `units` (a later entry wins).
    fn insert(&mut self, code: u32, units: &[u16]) {
        let mut chars = char::decode_utf16(units.iter().copied())
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER));
        match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if !self.many.is_empty() {
                    self.many.remove(&code);
                }
                self.one.insert(code, c);
            }
            _ => {
                self.one.remove(code);
                self.many.insert(code, String::from_utf16_lossy(units));
            }
        }
    }

    fn parse(data: &[u8]) -> Option<UnicodeMap> {
        /// A hexadecimal string is kept as its digits between `<` and `>`
        /// (white space included), read when used.
        #[derive(PartialEq)]
        enum Tok<'t> {
            Hex(&'t [u8]),
            Open,
            Close,
            Word(&'t [u8]),
        }
        let mut toks: Vec<Tok> = Vec::new();
        let mut i = 0;
        while i < data.len() {
            match data[i] {
                b'<' => {
                    let end = data[i..].iter().position(|&b| b == b'>').map(|p| i + p)?;
                    toks.push(Tok::Hex(&data[i + 1..end]));
                    i = end + 1;
                }
                b'[' => {
                    toks.push(Tok::Open);
                    i += 1;
                }
                b']' => {
                    toks.push(Tok::Close);
                    i += 1;
                }
                b if b.is_ascii_whitespace() => i += 1,
                _ => {
                    let start = i;
                    i += 1;
                    while i < data.len()
                        && !data[i].is_ascii_whitespace()
                        && !matches!(data[i], b'<' | b'[' | b']' | b'/')
                    {
                        i += 1;
                    }
                    toks.push(Tok::Word(&data[start..i]));
                }
            }
        }
        let code = |b: &[u8]| {
            hex_bytes(b)
                .take(4)
                .fold(0u32, |a, x| a << 8 | u32::from(x))
        };
        // A destination's UTF-16 units, into one buffer reused throughout.
        let mut units = Vec::new();
        let read_units = |b: &[u8], units: &mut Vec<u16>| {
            units.clear();
            let mut it = hex_bytes(b);
            while let Some(hi) = it.next() {
                units.push(u16::from(hi) << 8 | u16::from(it.next().unwrap_or(0)));
            }
        };
        let mut out = UnicodeMap::default();
        let mut k = 0;
        while k < toks.len() && out.len() < MAX_CMAP_CODES {
            match &toks[k] {
                Tok::Word(b"beginbfchar") => {
                    k += 1;
                    while k + 1 < toks.len() {
                        match (&toks[k], &toks[k + 1]) {
                            (Tok::Hex(src), Tok::Hex(dst)) => {
                                read_units(dst, &mut units);
                                out.insert(code(src), &units);
                                k += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(b"beginbfrange") => {
                    k += 1;
                    while k + 2 < toks.len() && out.len() < MAX_CMAP_CODES {
                        let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[k], &toks[k + 1]) else {
                            break;
                        };
                        let (lo, hi) = (code(lo), code(hi));
                        if hi < lo || hi - lo > MAX_CMAP_CODES as u32 {
                            return None;
                        }
                        match &toks[k + 2] {
                            Tok::Hex(dst) => {
                                read_units(dst, &mut units);
                                out.one.reserve((hi - lo + 1) as usize);
                                for c in lo..=hi {
                                    out.insert(c, &units);
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                                k += 3;
                            }
                            Tok::Open => {
                                k += 3;
                                let mut c = lo;
                                while k < toks.len() {
                                    match &toks[k] {
                                        Tok::Hex(dst) if c <= hi => {
                                            read_units(dst, &mut units);
                                            out.insert(c, &units);
                                            c += 1;
                                        }
                                        Tok::Close => break,
                                        _ => {}
                                    }
                                    k += 1;
                                }
                                k += 1;
                            }
                            _ => break,
                        }
                    }
                }
                _ => k += 1,
            }
        }
        (out.len() > 0).then_some(out)
    }

    /// The text of a string's codes (one byte each, two for a composite
    /// font); a code the map lacks is decoded as the font's encoding says.
    fn decode(&self, bytes: &[u8], two_byte: bool, fallback: &dyn Fn(&[u8]) -> String) -> String {
        let mut s = String::new();
        let step = if two_byte { 2 } else { 1 };
        for c in bytes.chunks(step) {
            let code = c.iter().fold(0u32, |a, &x| a << 8 | u32::from(x));
            match (self.one.get(code), self.many.get(&code)) {
                (Some(ch), _) => {
                    if ch != '\u{0}' {
                        s.push(ch);
                    }
                }
                (None, Some(t)) => s.extend(t.chars().filter(|ch| *ch != '\u{0}')),
                (None, None) => s.push_str(&fallback(c)),
            }
        }
        s
    }
}

/// The bytes of a hexadecimal string's digits (white space and other
/// characters skipped); an odd last digit counts as followed by 0.
fn hex_bytes(digits: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut nibbles = digits.iter().filter_map(|&c| lex::hex_value(c));
    std::iter::from_fn(move || {
        let hi = nibbles.next()?;
        Some(hi << 4 | nibbles.next().unwrap_or(0))
    })
}

struct FontInfo<'a> {
    /// The font's encoding as lopdf reads it, read only when a code needs
    /// it: a font whose /ToUnicode map explains every code shown never
    /// pays for it (lopdf would read that map a second time).
    encoding: std::cell::OnceCell<Option<Encoding<'a>>>,
    dict: &'a Dictionary,
    doc: &'a Document,
    max_stream_bytes: usize,
    /// The font's /ToUnicode map, which wins over its encoding.
    unicode: Option<UnicodeMap>,
    name: Arc<str>,
    /// Composite (Type0) fonts use two-byte codes.
    two_byte: bool,
    first_char: i64,
    widths: Vec<f32>,
    /// Type0 `/W` ranges: (first code, last code, width).
    cid_widths: Vec<(u32, u32, f32)>,
    /// The ranges are in increasing order and do not overlap.
    cid_widths_sorted: bool,
    default_width: f32,
}

impl<'a> FontInfo<'a> {
    fn encoding(&self) -> Option<&Encoding<'a>> {
        self.encoding
            .get_or_init(|| {
                // A composite font's encoding, as lopdf reads it, is its
                // /ToUnicode map again (with a reverse map built for
                // encoding): when this map was read, lopdf's would only
                // cost (160 ms for one full font of mPDF's) and say the same.
                if self.two_byte && self.unicode.is_some() {
                    return None;
                }
                self.dict
                    .get_font_encoding_with_limit(self.doc, self.max_stream_bytes)
                    .ok()
            })
            .as_ref()
    }

    fn width(&self, code: u32) -> f32 {
        if self.two_byte {
            return cid_width(&self.cid_widths, self.cid_widths_sorted, code)
                .unwrap_or(self.default_width);
        }
        let i = code as i64 - self.first_char;
        if i >= 0
            && let Some(w) = self.widths.get(i as usize)
            && *w > 0.0
        {
            return *w;
        }
        self.default_width
    }
}

/// Caps on what one font dictionary may cost to read.
const MAX_WIDTH_ENTRIES: usize = 65_536;

/// `m × ctm` for PDF's row-vector convention.
fn concat(m: [f32; 6], ctm: [f32; 6]) -> [f32; 6] {
    [
        m[0] * ctm[0] + m[1] * ctm[2],
        m[0] * ctm[1] + m[1] * ctm[3],
        m[2] * ctm[0] + m[3] * ctm[2],
        m[2] * ctm[1] + m[3] * ctm[3],
        m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
        m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
    ]
}

/// A content operator's six matrix operands.
fn matrix_of(operands: &[lex::Operand]) -> Option<[f32; 6]> {
    if operands.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = match o {
            lex::Operand::Int(i) => *i as f32,
            lex::Operand::Real(r) => *r,
            _ => return None,
        };
    }
    m.iter().all(|v| v.is_finite()).then_some(m)
}

fn matrix(operands: &[Object]) -> Option<[f32; 6]> {
    if operands.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = match o {
            Object::Integer(i) => *i as f32,
            Object::Real(r) => *r,
            _ => return None,
        };
    }
    m.iter().all(|v| v.is_finite()).then_some(m)
}

/// Fonts already read in this document, by dictionary and resource name.
type FontsRead<'a> = HashMap<(usize, Vec<u8>), Rc<FontInfo<'a>>>;

struct Walker<'a, 'b> {
    doc: &'a Document,
    fonts_read: &'b mut FontsRead<'a>,
    budget: &'b Budget,
    ops_left: &'b mut usize,
    out: &'b mut PageContent,
    image_area: f32,
    line: String,
    /// Straight segments of the path being built, in page space.
    path: Vec<Rule>,
    /// The current subpath's start and current point, in user space.
    start: Option<((f32, f32), (f32, f32))>,
}

/// Graphics-state stack depth we track; deeper `q` are counted but not stored.
const MAX_GSTATE_STACK: usize = 64;

impl<'a> Walker<'a, '_> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        gs: &mut GState,
        depth: usize,
    ) -> Result<(), PdfError> {
        let fonts = self.fonts(resources);
        let mut stack: Vec<GState> = Vec::new();
        let mut overflow = 0usize;
        let mut font: Option<&FontInfo> = None;
        let mut lexer = lex::Lexer::new(content);
        while let Some(op) = lexer.next_op() {
            let Ok(operator) = op else {
                self.out.incomplete = true;
                break;
            };
            let operands = lexer.operands();
            if *self.ops_left == 0 {
                self.out.incomplete = true;
                break;
            }
            *self.ops_left -= 1;
            if (*self.ops_left).is_multiple_of(4096) && Instant::now() > self.budget.deadline {
                return Err(PdfError::Timeout);
            }
            let f = |i: usize| {
                operands
                    .get(i)
                    .map(lex::Operand::num)
                    .filter(|v| v.is_finite())
            };
            match operator {
                b"q" => {
                    if stack.len() < MAX_GSTATE_STACK {
                        stack.push(*gs);
                    } else {
                        overflow += 1;
                    }
                }
                b"Q" => {
                    if overflow > 0 {
                        overflow -= 1;
                    } else if let Some(prev) = stack.pop() {
                        *gs = prev;
                    }
                }
                b"cm" => {
                    if let Some(m) = matrix_of(operands) {
                        gs.ctm = concat(m, gs.ctm);
                    }
                }
                b"BT" => {
                    self.flush_line();
                    gs.tm = IDENTITY;
                    gs.tlm = IDENTITY;
                }
                b"ET" => self.flush_line(),
                b"T*" => {
                    self.flush_line();
                    gs.next_line(0.0, -gs.leading);
                }
                b"Td" | b"TD" => {
                    let (tx, ty) = (f(0).unwrap_or(0.0), f(1).unwrap_or(0.0));
                    if ty.abs() > 0.01 {
                        self.flush_line();
                    } else {
                        self.line.push(' ');
                    }
                    if operator == b"TD" {
                        gs.leading = -ty;
                    }
                    gs.next_line(tx, ty);
                }
                b"Tm" => {
                    self.flush_line();
                    if let Some(m) = matrix_of(operands) {
                        gs.tm = m;
                        gs.tlm = m;
                    }
                }
                b"Tc" => gs.char_spacing = f(0).unwrap_or(0.0),
                b"Tw" => gs.word_spacing = f(0).unwrap_or(0.0),
                b"Tz" => gs.scale = f(0).unwrap_or(100.0) / 100.0,
                b"TL" => gs.leading = f(0).unwrap_or(0.0),
                b"Ts" => gs.rise = f(0).unwrap_or(0.0),
                b"Tr" => {
                    if let Some(lex::Operand::Int(m)) = operands.first() {
                        gs.render_mode = *m;
                    }
                }
                b"Tf" => {
                    font = operands
                        .first()
                        .and_then(lex::Operand::as_name)
                        .and_then(|n| fonts.get(n))
                        .map(|f| &**f);
                    gs.font_size = f(1).unwrap_or(0.0);
                }
                b"Tj" => self.show(operands, font, gs),
                b"'" => {
                    self.flush_line();
                    gs.next_line(0.0, -gs.leading);
                    self.show(operands, font, gs);
                }
                b"\"" => {
                    self.flush_line();
                    gs.word_spacing = f(0).unwrap_or(gs.word_spacing);
                    gs.char_spacing = f(1).unwrap_or(gs.char_spacing);
                    gs.next_line(0.0, -gs.leading);
                    self.show(operands.get(2..).unwrap_or(&[]), font, gs);
                }
                b"TJ" => {
                    if let Some(lex::Operand::Array(items)) = operands.first() {
                        for item in items {
                            match item {
                                lex::Operand::Str(..) => {
                                    self.show(std::slice::from_ref(item), font, gs)
                                }
                                other => {
                                    let adj = other.num();
                                    if adj < -200.0 {
                                        self.line.push(' ');
                                    }
                                    // A number moves the pen back by
                                    // thousandths of the text size.
                                    let tx = -adj / 1000.0 * gs.font_size * gs.scale;
                                    if tx.is_finite() {
                                        gs.tm = concat([1.0, 0.0, 0.0, 1.0, tx, 0.0], gs.tm);
                                    }
                                }
                            }
                        }
                    }
                }
                b"m" => {
                    if let (Some(x), Some(y)) = (f(0), f(1)) {
                        self.start = Some(((x, y), (x, y)));
                    }
                }
                b"l" => {
                    if let (Some(x), Some(y), Some((s, cur))) = (f(0), f(1), self.start) {
                        self.segment(gs.ctm, cur, (x, y));
                        self.start = Some((s, (x, y)));
                    }
                }
                b"h" => {
                    if let Some((s, cur)) = self.start {
                        self.segment(gs.ctm, cur, s);
                        self.start = Some((s, s));
                    }
                }
                b"re" => {
                    if let (Some(x), Some(y), Some(w), Some(h)) = (f(0), f(1), f(2), f(3)) {
                        self.rectangle(gs.ctm, x, y, w, h);
                        self.start = Some(((x, y), (x, y)));
                    }
                }
                b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" => {
                    let room = self
                        .budget
                        .max_rules_per_page
                        .saturating_sub(self.out.rules.len());
                    let path = std::mem::take(&mut self.path);
                    self.out.rules.extend(path.into_iter().take(room));
                    self.start = None;
                }
                b"n" => {
                    self.path.clear();
                    self.start = None;
                }
                b"BI" => {
                    self.out.images += 1;
                    self.image_area += unit_square_area(gs.ctm);
                }
                b"Do" => {
                    let Some(name) = operands.first().and_then(lex::Operand::as_name) else {
                        continue;
                    };
                    self.xobject(name, resources, gs, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A straight segment of the current path, kept when it is horizontal or
    /// vertical (a table rule); slanted strokes and curves are drawings.
    fn segment(&mut self, ctm: [f32; 6], a: (f32, f32), b: (f32, f32)) {
        let (x0, y0) = apply(ctm, a);
        let (x1, y1) = apply(ctm, b);
        let rule = Rule {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        };
        if (rule.horizontal() || rule.vertical()) && self.path.len() < MAX_PATH_SEGMENTS {
            self.path.push(rule);
        }
    }

    /// A rectangle: a thin one is a rule; a box gives its four edges (a cell
    /// or a framed table).
    fn rectangle(&mut self, ctm: [f32; 6], x: f32, y: f32, w: f32, h: f32) {
        let corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
        for i in 0..4 {
            self.segment(ctm, corners[i], corners[(i + 1) % 4]);
        }
        let (x0, y0) = apply(ctm, (x, y));
        let (x1, y1) = apply(ctm, (x + w, y + h));
        let thin = Rule {
            x0: x0.min(x1),
            y0: (y0 + y1) / 2.0,
            x1: x0.max(x1),
            y1: (y0 + y1) / 2.0,
        };
        if (y1 - y0).abs() <= 2.0 && thin.horizontal() && self.path.len() < MAX_PATH_SEGMENTS {
            self.path.push(thin);
        }
    }

    fn xobject(
        &mut self,
        name: &[u8],
        resources: &[&'a Dictionary],
        gs: &GState,
        depth: usize,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(stream) = resources.iter().find_map(|r| {
            let xobjects = r
                .get(b"XObject")
                .ok()
                .map(|x| deref(doc, x))?
                .as_dict()
                .ok()?;
            deref(doc, xobjects.get(name).ok()?).as_stream().ok()
        }) else {
            return Ok(());
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                self.out.images += 1;
                self.image_area += unit_square_area(gs.ctm);
            }
            Ok(b"Form") if depth < self.budget.max_form_depth => {
                let Ok(content) =
                    stream.decompressed_content_with_limit(self.budget.max_stream_bytes)
                else {
                    self.out.incomplete = true;
                    return Ok(());
                };
                let mut inner = *gs;
                if let Some(m) = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| m.as_array().ok())
                    .and_then(|a| matrix(a))
                {
                    inner.ctm = concat(m, inner.ctm);
                }
                let own = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .map(|r| deref(doc, r))
                    .and_then(|r| r.as_dict().ok());
                let mut res: Vec<&'a Dictionary> = Vec::with_capacity(resources.len() + 1);
                res.extend(own);
                res.extend_from_slice(resources);
                self.run(&content, &res, &mut inner, depth + 1)?;
            }
            Ok(b"Form") => self.out.incomplete = true,
            _ => {}
        }
        Ok(())
    }

    /// The fonts of these resources by resource name; a font dictionary
    /// already read on an earlier page or form is not read again.
    fn fonts(&mut self, resources: &[&'a Dictionary]) -> BTreeMap<Vec<u8>, Rc<FontInfo<'a>>> {
        let doc = self.doc;
        let mut map = BTreeMap::new();
        for r in resources.iter().rev() {
            let Some(fonts) = r
                .get(b"Font")
                .ok()
                .map(|f| deref(doc, f))
                .and_then(|f| f.as_dict().ok())
            else {
                continue;
            };
            for (name, font) in fonts.iter() {
                let Ok(font) = deref(doc, font).as_dict() else {
                    continue;
                };
                let key = (std::ptr::from_ref(font) as usize, name.clone());
                let info = match self.fonts_read.get(&key) {
                    Some(info) => Rc::clone(info),
                    None => {
                        let info = Rc::new(self.font_info(name, font));
                        self.fonts_read.insert(key, Rc::clone(&info));
                        info
                    }
                };
                map.insert(name.clone(), info);
            }
        }
        map
    }

    fn font_info(&self, resource: &[u8], font: &'a Dictionary) -> FontInfo<'a> {
        let doc = self.doc;
        let get = |d: &'a Dictionary, k: &[u8]| d.get(k).ok().map(|o| deref(doc, o));
        let two_byte = get(font, b"Subtype").and_then(|s| s.as_name().ok()) == Some(b"Type0");
        let unicode = get(font, b"ToUnicode")
            .and_then(|o| o.as_stream().ok())
            .and_then(|st| st.get_plain_content_with_limit(MAX_CMAP_BYTES).ok())
            .and_then(|data| UnicodeMap::parse(&data));
        let base = get(font, b"BaseFont")
            .and_then(|b| b.as_name().ok())
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_else(|| String::from_utf8_lossy(resource).into_owned());
        // "ABCDEF+Helvetica": the subset tag says nothing about the face.
        let name = match base.split_once('+') {
            Some((tag, rest)) if tag.len() == 6 => Arc::from(rest),
            _ => Arc::from(base),
        };
        let mut info = FontInfo {
            encoding: std::cell::OnceCell::new(),
            dict: font,
            doc,
            max_stream_bytes: self.budget.max_stream_bytes,
            unicode,
            name,
            two_byte,
            first_char: 0,
            widths: Vec::new(),
            cid_widths: Vec::new(),
            cid_widths_sorted: true,
            default_width: if two_byte { 1000.0 } else { 500.0 },
        };
        if two_byte {
            let descendant = get(font, b"DescendantFonts")
                .and_then(|d| d.as_array().ok())
                .and_then(|a| a.first())
                .map(|d| deref(doc, d))
                .and_then(|d| d.as_dict().ok());
            if let Some(d) = descendant {
                if let Some(dw) = get(d, b"DW") {
                    info.default_width = num(dw);
                }
                if let Some(w) = get(d, b"W").and_then(|w| w.as_array().ok()) {
                    info.cid_widths = cid_widths(doc, w);
                    info.cid_widths_sorted = info.cid_widths.windows(2).all(|p| p[0].1 < p[1].0);
                }
            }
        } else {
            info.first_char = get(font, b"FirstChar").map(num).unwrap_or(0.0) as i64;
            if let Some(w) = get(font, b"Widths").and_then(|w| w.as_array().ok()) {
                info.widths = w
                    .iter()
                    .take(MAX_WIDTH_ENTRIES)
                    .map(|o| num(deref(doc, o)))
                    .collect();
            }
            if let Some(d) = get(font, b"FontDescriptor").and_then(|d| d.as_dict().ok())
                && let Some(mw) = get(d, b"MissingWidth")
                && num(mw) > 0.0
            {
                info.default_width = num(mw);
            }
        }
        info
    }

    fn show(&mut self, operands: &[lex::Operand], font: Option<&FontInfo>, gs: &mut GState) {
        for o in operands {
            let lex::Operand::Str(bytes) = o else {
                continue;
            };
            let mapped_composite = font.is_some_and(|f| f.two_byte && f.unicode.is_some());
            let decode = |bytes: &[u8]| -> String {
                match font.and_then(FontInfo::encoding) {
                    Some(enc) => Document::decode_text(enc, bytes).unwrap_or_default(),
                    // A code its map lacks, as lopdf's reading of the map says it.
                    None if mapped_composite => "\u{FFFD}".to_string(),
                    None => bytes.iter().map(|&b| b as char).collect(),
                }
            };
            let unicode = font.and_then(|f| f.unicode.as_ref().map(|u| (u, f.two_byte)));
            let text = match unicode {
                Some((u, two_byte)) => u.decode(bytes, two_byte, &decode),
                None => decode(bytes),
            };
            // Two-byte CID strings: count glyphs from the decoded text.
            let glyphs = if unicode.is_some() || font.and_then(FontInfo::encoding).is_some() {
                text.chars().filter(|c| !c.is_whitespace()).count()
            } else {
                bytes.iter().filter(|b| !b.is_ascii_whitespace()).count()
            };
            let invisible = matches!(gs.render_mode, 3 | 7);
            if invisible {
                self.out.invisible_chars += glyphs;
            } else {
                self.out.visible_chars += glyphs;
            }
            if self.out.text.len() + self.line.len() < self.budget.max_text_per_page {
                self.line.push_str(&text);
            }
            // The advance in text space: glyph widths, character and word
            // spacing, horizontal scaling (PDF 32000 9.4.4).
            let two_byte = font.is_some_and(|f| f.two_byte);
            let mut advance = 0.0f32;
            for c in bytes.chunks(if two_byte { 2 } else { 1 }) {
                let code = if two_byte {
                    u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0))
                } else {
                    u32::from(c[0])
                };
                let w = font.map(|f| f.width(code)).unwrap_or(500.0) / 1000.0;
                let space = if !two_byte && code == 32 {
                    gs.word_spacing
                } else {
                    0.0
                };
                advance += (w * gs.font_size + gs.char_spacing + space) * gs.scale;
            }
            if !advance.is_finite() {
                advance = 0.0;
            }
            if !invisible
                && !text.trim().is_empty()
                && self.out.runs.len() < self.budget.max_runs_per_page
            {
                let trm = concat(gs.tm, gs.ctm);
                let (x, y) = apply(trm, (0.0, gs.rise));
                let (x_end, _) = apply(trm, (advance, gs.rise));
                let size = gs.font_size * (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
                if x.is_finite() && y.is_finite() && size.is_finite() {
                    self.out.runs.push(TextRun {
                        text,
                        x: x.min(x_end),
                        y,
                        width: (x_end - x).abs(),
                        size: size.abs(),
                        font: font.map(|f| f.name.clone()).unwrap_or_default(),
                    });
                }
            }
            gs.tm = concat([1.0, 0.0, 0.0, 1.0, advance, 0.0], gs.tm);
        }
    }

    fn flush_line(&mut self) {
        let line = self.line.trim();
        if !line.is_empty() && self.out.text.len() < self.budget.max_text_per_page {
            self.out.text.push_str(line);
            self.out.text.push('\n');
        }
        self.line.clear();
    }
}

/// A point mapped through a matrix.
fn apply(m: [f32; 6], (x, y): (f32, f32)) -> (f32, f32) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// Straight segments kept per path (a hatched drawing is not a table).
const MAX_PATH_SEGMENTS: usize = 4_096;

/// The width of the first `/W` range holding `code`. Ranges in increasing,
/// disjoint order (as nearly every font writes them: `sorted`) are searched
/// by halves, others one by one.
fn cid_width(ranges: &[(u32, u32, f32)], sorted: bool, code: u32) -> Option<f32> {
    let found = if sorted {
        let i = ranges.partition_point(|(_, last, _)| *last < code);
        ranges.get(i).filter(|(first, _, _)| *first <= code)
    } else {
        ranges.iter().find(|(a, b, _)| (*a..=*b).contains(&code))
    };
    found.map(|w| w.2)
}

/// A Type0 font's `/W` array: `c [w1 w2 …]` or `c_first c_last w`.
fn cid_widths(doc: &Document, w: &[Object]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() && out.len() < MAX_WIDTH_ENTRIES {
        let first = num(deref(doc, &w[i])).max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, v) in ws.iter().take(MAX_WIDTH_ENTRIES).enumerate() {
                    let c = first.saturating_add(k as u32);
                    out.push((c, c, num(deref(doc, v))));
                }
                i += 2;
            }
            Some(last) => {
                let last = num(last).max(0.0) as u32;
                let width = w.get(i + 2).map(|o| num(deref(doc, o))).unwrap_or(0.0);
                out.push((first, last.max(first), width));
                i += 3;
            }
            None => break,
        }
    }
    out
}

/// Area of the unit square mapped through `ctm`: an image's drawn area.
fn unit_square_area(ctm: [f32; 6]) -> f32 {
    let a = (ctm[0] * ctm[3] - ctm[1] * ctm[2]).abs();
    if a.is_finite() { a } else { 0.0 }
}

/// A file embedded in the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    /// Listed in the catalog's `/AF` (associated files), as Factur-X requires.
    pub associated: bool,
    /// The file specification's `/AFRelationship` (`Data`, `Source`,
    /// `Alternative`…), when it has one.
    pub relationship: Option<String>,
    /// The embedded stream's `/Subtype` (a MIME type such as `text/xml`).
    pub subtype: Option<String>,
    /// The `/Size` the embedded stream's `/Params` declare.
    pub declared_size: Option<i64>,
    /// The embedded stream's `/Params` carry a `/ModDate` (PDF/A-3 asks for it).
    pub mod_date: bool,
    /// The decoded bytes, or why they could not be read.
    pub content: Result<Vec<u8>, String>,
}

/// Embedded files from the `/EmbeddedFiles` name tree and the catalog `/AF`.
pub fn attachments(doc: &Document, budget: &Budget) -> Vec<Attachment> {
    let Ok(catalog) = doc.catalog() else {
        return Vec::new();
    };
    let mut specs: Vec<(Option<ObjectId>, &Dictionary, bool)> = Vec::new();
    let mut seen = HashSet::new();
    if let Some(tree) = catalog
        .get(b"Names")
        .ok()
        .map(|n| deref(doc, n))
        .and_then(|n| n.as_dict().ok())
        .and_then(|n| n.get(b"EmbeddedFiles").ok())
    {
        name_tree(doc, tree, &mut |obj| {
            if let Ok((id, Object::Dictionary(d))) = doc.dereference(obj) {
                specs.push((id, d, false));
            }
        });
    }
    if let Some(af) = catalog
        .get(b"AF")
        .ok()
        .map(|a| deref(doc, a))
        .and_then(|a| a.as_array().ok())
    {
        for item in af {
            if let Ok((id, Object::Dictionary(d))) = doc.dereference(item) {
                match specs
                    .iter_mut()
                    .find(|(sid, sd, _)| (id.is_some() && *sid == id) || std::ptr::eq(*sd, d))
                {
                    Some(existing) => existing.2 = true,
                    None => specs.push((id, d, true)),
                }
            }
        }
    }
    let mut out = Vec::new();
    for (id, spec, associated) in specs {
        if let Some(id) = id
            && !seen.insert(id)
        {
            continue;
        }
        let name = ["UF", "F"]
            .iter()
            .find_map(|k| spec.get(k.as_bytes()).ok().and_then(|o| o.as_str().ok()))
            .map(pdf_text)
            .unwrap_or_default();
        let stream = spec
            .get(b"EF")
            .ok()
            .map(|e| deref(doc, e))
            .and_then(|e| e.as_dict().ok())
            .and_then(|ef| ef.get(b"F").or_else(|_| ef.get(b"UF")).ok())
            .map(|s| deref(doc, s))
            .and_then(|s| s.as_stream().ok());
        let content = match stream {
            Some(s) => s
                .decompressed_content_with_limit(budget.max_stream_bytes)
                .or_else(|e| {
                    // An unfiltered stream is its own content.
                    if s.dict.has(b"Filter") {
                        Err(e.to_string())
                    } else {
                        Ok(s.content.clone())
                    }
                }),
            None => Err("no embedded file stream".to_string()),
        };
        let relationship = spec
            .get(b"AFRelationship")
            .ok()
            .map(|r| deref(doc, r))
            .and_then(|r| r.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned());
        let subtype = stream
            .and_then(|s| s.dict.get(b"Subtype").ok())
            .map(|t| deref(doc, t))
            .and_then(|t| t.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned());
        let params = stream
            .and_then(|s| s.dict.get(b"Params").ok())
            .map(|p| deref(doc, p))
            .and_then(|p| p.as_dict().ok());
        let mod_date = params.is_some_and(|p| p.has(b"ModDate"));
        let declared_size = params
            .and_then(|p| p.get(b"Size").ok())
            .map(|n| deref(doc, n))
            .and_then(|n| n.as_i64().ok());
        out.push(Attachment {
            name,
            associated,
            relationship,
            subtype,
            declared_size,
            mod_date,
            content,
        });
    }
    out
}

/// Nodes of a name tree visited at most once each, and at most this many.
const MAX_NAME_TREE_NODES: usize = 4096;

fn name_tree<'a>(doc: &'a Document, root: &'a Object, f: &mut dyn FnMut(&'a Object)) {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut todo: Vec<(&'a Object, usize)> = vec![(root, 0)];
    let mut visited = 0;
    while let Some((node, depth)) = todo.pop() {
        if depth > 32 || visited >= MAX_NAME_TREE_NODES {
            break;
        }
        if let Object::Reference(id) = node
            && !seen.insert(*id)
        {
            continue;
        }
        visited += 1;
        let Ok(dict) = deref(doc, node).as_dict() else {
            continue;
        };
        if let Ok(names) = dict
            .get(b"Names")
            .map(|n| deref(doc, n))
            .and_then(Object::as_array)
        {
            for pair in names.chunks(2) {
                if let [_, value] = pair {
                    f(value);
                }
            }
        }
        if let Ok(kids) = dict
            .get(b"Kids")
            .map(|k| deref(doc, k))
            .and_then(Object::as_array)
        {
            todo.extend(kids.iter().rev().map(|k| (k, depth + 1)));
        }
    }
}

/// A PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding
/// (read as Latin-1, which matches it for the characters file names use).
pub fn pdf_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_to_unicode_map_gives_private_codes_their_text() {
        // As FPDF and PyPDF write subset fonts: codes 1, 2, 3… for the
        // glyphs used, a bfchar list and a bfrange with an array.
        let cmap = b"/CIDInit/ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo<</Registry (Adobe)/Ordering (UCS)/Supplement 0>> def
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar
<01> <0052>
<02> <0065>
<03> <00E4>
endbfchar
2 beginbfrange
<04> <06> <0061>
<07> <08> [<20AC> <0020>]
endbfrange
endcmap";
        let map = UnicodeMap::parse(cmap).expect("a map");
        let text = map.decode(&[1, 2, 3, 4, 5, 6, 8, 7], false, &|_| "?".into());
        assert_eq!(text, "Re\u{e4}abc \u{20ac}");
        // A code the map lacks falls back to the font's encoding.
        assert_eq!(
            map.decode(&[0x41], false, &|b| (b[0] as char).to_string()),
            "A"
        );
        assert!(UnicodeMap::parse(b"begincmap endcmap").is_none());
    }

    #[test]
    fn a_composite_fonts_map_keeps_ligatures_and_the_last_entry_for_a_code() {
        // Two-byte codes: a range, a ligature (two characters for one code)
        // and a later entry that replaces one code of the range, then the
        // reverse, a range over an earlier ligature.
        let cmap = b"begincmap
1 beginbfrange
<0001> <0004> <0041>
endbfrange
2 beginbfchar
<0002> <00660069>
<0005> <00660066>
endbfchar
1 beginbfrange
<0005> <0005> <005A>
endbfrange
1 beginbfchar
<0003> <D835DC00>
endbfchar
endcmap";
        let map = UnicodeMap::parse(cmap).expect("a map");
        let text = map.decode(&[0, 1, 0, 2, 0, 3, 0, 4, 0, 5], true, &|_| "?".into());
        assert_eq!(text, "Afi\u{1d400}DZ");
        assert_eq!(map.decode(&[0, 9], true, &|_| "?".into()), "?");
    }

    #[test]
    fn sniff_tolerates_junk_before_header() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniff::Pdf(0));
        assert_eq!(sniff(b"garbage\r\n%PDF-1.4\n"), Sniff::Pdf(9));
    }

    #[test]
    fn sniff_names_common_impostors() {
        assert_eq!(sniff(b""), Sniff::NotPdf("empty file"));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Sniff::NotPdf("JPEG image")
        );
        assert_eq!(
            sniff(b"PK\x03\x04rest"),
            Sniff::NotPdf("ZIP archive (or Office document)")
        );
        assert_eq!(
            sniff(b"  <!DOCTYPE html><html>"),
            Sniff::NotPdf("HTML page")
        );
        assert_eq!(sniff(b"\x89PNG\r\n"), Sniff::NotPdf("PNG image"));
    }

    /// A fixed-seed xorshift: `random(seed)(n)` is below `n`, the same
    /// sequence on every run.
    pub(crate) fn random(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    #[test]
    fn raw_scan_counts_pages_not_page_trees() {
        let s = raw_scan(
            b"<</Type /Pages>> <</Type/Page>> <</Type /Page /X 1>> /Encrypt 5 0 R /ByteRange [",
        );
        assert_eq!(s.page_objects, 2);
        assert!(s.encrypt_entry);
        assert!(s.byte_range);
        assert!(!s.public_key);
        assert!(!raw_scan(b"/EncryptMetadata false").encrypt_entry);
        assert!(raw_scan(b"/EncryptMetadata false /Encrypt 3 0 R").encrypt_entry);
        assert!(raw_scan(b"/SubFilter /adbe.pkcs7.s5").public_key);
        assert_eq!(
            raw_scan(b"/Type\n\t/Page/Type /PageLabel /Type/Page").page_objects,
            2
        );
    }

    /// One-character codes held in a hash, then in the table once large:
    /// every insert, removal and look-up as a plain hash map gives it.
    #[test]
    fn one_character_codes_read_the_same_in_the_hash_and_the_table() {
        let mut random = random(0x1234_5678_9ABC_DEF1);
        for round in 0..40 {
            let mut ours = OneChar::default();
            let mut plain = std::collections::HashMap::new();
            for _ in 0..3000 {
                // Codes mostly below 65,536, some above (three-byte codes).
                let code = if random(10) == 0 {
                    65_536 + random(1000) as u32
                } else {
                    random(if round % 2 == 0 { 2000 } else { 65_536 }) as u32
                };
                match random(8) {
                    0 => {
                        ours.remove(code);
                        plain.remove(&code);
                    }
                    1 => ours.reserve(random(1500) as usize),
                    _ => {
                        let c = char::from_u32(random(0x3000) as u32).unwrap_or('?');
                        ours.insert(code, c);
                        plain.insert(code, c);
                    }
                }
                assert_eq!(ours.get(code), plain.get(&code).copied());
                assert_eq!(ours.len(), plain.len());
            }
            assert!(plain.keys().all(|&k| ours.get(k) == plain.get(&k).copied()));
        }
        // Single codes past the bound go to the table too.
        let mut chars = OneChar::default();
        for code in 0..2000 {
            chars.insert(code, 'x');
        }
        assert!(!chars.dense.is_empty());
        assert_eq!((chars.len(), chars.get(1999)), (2000, Some('x')));
        // A whole font's range goes to the table and still reads right.
        let cmap =
            b"1 beginbfrange <0000> <7FFF> <0000> endbfrange 1 beginbfchar <0041> <0042> endbfchar";
        let map = UnicodeMap::parse(cmap).expect("a map");
        assert!(!map.one.dense.is_empty());
        assert_eq!(map.len(), 32_768);
        assert_eq!(map.decode(b"\x00\x41\x00\x43", true, &|_| "?".into()), "BC");
    }

    #[test]
    fn cid_widths_searched_by_halves_give_what_a_scan_gives() {
        let ranges: Vec<(u32, u32, f32)> = vec![
            (1, 1, 250.0),
            (3, 9, 500.0),
            (10, 10, 610.0),
            (40, 200, 720.0),
            (201, 201, 0.0),
            (1000, 1000, 333.0),
        ];
        assert!(ranges.windows(2).all(|p| p[0].1 < p[1].0));
        for code in 0..1100 {
            assert_eq!(
                cid_width(&ranges, true, code),
                cid_width(&ranges, false, code),
                "code {code}"
            );
        }
        assert_eq!(cid_width(&ranges, true, 5), Some(500.0));
        assert_eq!(cid_width(&ranges, true, 2), None);
        // Overlapping ranges: the first listed wins, one by one.
        let overlapping = [(1, 100, 1.0), (50, 60, 2.0)];
        assert_eq!(cid_width(&overlapping, false, 55), Some(1.0));
    }

    #[test]
    fn concat_applies_translation_after_scale() {
        let scale = [100.0, 0.0, 0.0, 200.0, 0.0, 0.0];
        let translate = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let m = concat(scale, translate);
        assert_eq!(m, [100.0, 0.0, 0.0, 200.0, 10.0, 20.0]);
        assert_eq!(unit_square_area(m), 20000.0);
    }

    #[test]
    fn pdf_text_decodes_utf16() {
        assert_eq!(pdf_text(&[0xFE, 0xFF, 0, b'a', 0, 0xE9]), "aé");
        assert_eq!(pdf_text(b"factur-x.xml"), "factur-x.xml");
    }
}
