//! Reading what the checker needs out of one PDF: whether it is a PDF at all,
//! whether it loads, encryption, signatures, per-page content (visible text,
//! invisible text, raster images) and embedded files.
//!
//! Everything here is bounded: stream decompression, Form XObject nesting,
//! content operators per file and wall time are capped by [`Budget`], so a
//! hostile file costs at most a known amount of memory and time.
//!
//! This module deliberately does not judge anything (that is
//! [`crate::check`]), does not render pages, does not verify signatures
//! cryptographically and never decrypts with a password other than the empty
//! one.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use lopdf::content::Content;
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
            deadline,
        }
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

/// Scans the bytes for a few markers. Linear, allocation-free.
pub fn raw_scan(bytes: &[u8]) -> RawScan {
    let mut scan = RawScan::default();
    let mut i = 0;
    while let Some(off) = memchr_slash(&bytes[i..]) {
        let at = i + off;
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
        i = at + 1;
    }
    scan
}

fn memchr_slash(hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == b'/')
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

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
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
}

/// Analyses every page, in order. Stops with [`PdfError::Timeout`] when the
/// deadline passes.
pub fn pages(doc: &Document, budget: &Budget) -> Result<Vec<PageContent>, PdfError> {
    let mut ops_left = budget.max_operations;
    let mut out = Vec::new();
    for page_id in doc.page_iter() {
        if Instant::now() > budget.deadline {
            return Err(PdfError::Timeout);
        }
        out.push(page(doc, page_id, budget, &mut ops_left)?);
    }
    Ok(out)
}

fn page(
    doc: &Document,
    page_id: ObjectId,
    budget: &Budget,
    ops_left: &mut usize,
) -> Result<PageContent, PdfError> {
    let mut pc = PageContent::default();
    let area = page_area(doc, page_id);
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
        budget,
        ops_left,
        out: &mut pc,
        image_area: 0.0,
        line: String::new(),
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

/// The page's MediaBox area (inherited through the page tree), A4 if absent.
fn page_area(doc: &Document, page_id: ObjectId) -> f32 {
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
                return a;
            }
        }
        node = d
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok());
    }
    595.0 * 842.0
}

/// The page's resource dictionaries, nearest first.
fn page_resource_dicts(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
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

#[derive(Debug, Clone, Copy)]
struct GState {
    ctm: [f32; 6],
    render_mode: i64,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            render_mode: 0,
        }
    }
}

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

struct Walker<'a, 'b> {
    doc: &'a Document,
    budget: &'b Budget,
    ops_left: &'b mut usize,
    out: &'b mut PageContent,
    image_area: f32,
    line: String,
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
        let mut encoding: Option<&Encoding> = None;
        for op in Content::decode_iter(content) {
            let Ok(op) = op else {
                self.out.incomplete = true;
                break;
            };
            if *self.ops_left == 0 {
                self.out.incomplete = true;
                break;
            }
            *self.ops_left -= 1;
            if (*self.ops_left).is_multiple_of(4096) && Instant::now() > self.budget.deadline {
                return Err(PdfError::Timeout);
            }
            match op.operator.as_str() {
                "q" => {
                    if stack.len() < MAX_GSTATE_STACK {
                        stack.push(*gs);
                    } else {
                        overflow += 1;
                    }
                }
                "Q" => {
                    if overflow > 0 {
                        overflow -= 1;
                    } else if let Some(prev) = stack.pop() {
                        *gs = prev;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(&op.operands) {
                        gs.ctm = concat(m, gs.ctm);
                    }
                }
                "BT" | "ET" | "T*" => self.flush_line(),
                "Td" | "TD" => {
                    if op
                        .operands
                        .get(1)
                        .map(num)
                        .is_some_and(|ty| ty.abs() > 0.01)
                    {
                        self.flush_line();
                    } else {
                        self.line.push(' ');
                    }
                }
                "Tm" => self.flush_line(),
                "Tr" => {
                    if let Some(Object::Integer(m)) = op.operands.first() {
                        gs.render_mode = *m;
                    }
                }
                "Tf" => {
                    encoding = op
                        .operands
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| fonts.get(n));
                }
                "Tj" => self.show(&op.operands, encoding, gs),
                "'" => {
                    self.flush_line();
                    self.show(&op.operands, encoding, gs);
                }
                "\"" => {
                    self.flush_line();
                    self.show(op.operands.get(2..).unwrap_or(&[]), encoding, gs);
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = op.operands.first() {
                        for item in items {
                            match item {
                                Object::String(..) => {
                                    self.show(std::slice::from_ref(item), encoding, gs)
                                }
                                other if num(other) < -200.0 => self.line.push(' '),
                                _ => {}
                            }
                        }
                    }
                }
                "BI" => {
                    self.out.images += 1;
                    self.image_area += unit_square_area(gs.ctm);
                }
                "Do" => {
                    let Some(name) = op.operands.first().and_then(|n| n.as_name().ok()) else {
                        continue;
                    };
                    self.xobject(name, resources, gs, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
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

    fn fonts(&self, resources: &[&'a Dictionary]) -> BTreeMap<Vec<u8>, Encoding<'a>> {
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
                if let Ok(enc) =
                    font.get_font_encoding_with_limit(doc, self.budget.max_stream_bytes)
                {
                    map.insert(name.clone(), enc);
                }
            }
        }
        map
    }

    fn show(&mut self, operands: &[Object], encoding: Option<&Encoding>, gs: &GState) {
        for o in operands {
            let Object::String(bytes, _) = o else {
                continue;
            };
            let text = match encoding {
                Some(enc) => Document::decode_text(enc, bytes).unwrap_or_default(),
                None => bytes.iter().map(|&b| b as char).collect(),
            };
            let glyphs = match encoding {
                // Two-byte CID strings: count glyphs from the decoded text.
                Some(_) => text.chars().filter(|c| !c.is_whitespace()).count(),
                None => bytes.iter().filter(|b| !b.is_ascii_whitespace()).count(),
            };
            if matches!(gs.render_mode, 3 | 7) {
                self.out.invisible_chars += glyphs;
            } else {
                self.out.visible_chars += glyphs;
            }
            if self.out.text.len() + self.line.len() < self.budget.max_text_per_page {
                self.line.push_str(&text);
            }
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
        out.push(Attachment {
            name,
            associated,
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
mod tests {
    use super::*;

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
