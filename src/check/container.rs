//! The Factur-X container: what a plateforme checks of the PDF around an
//! embedded Factur-X / ZUGFeRD / XRechnung XML before it reads the XML.
//!
//! [`check`] looks at one loaded PDF whose structured invoice was found and
//! returns a finding per problem: the XMP metadata (`pdfaid:part` 3 with a
//! conformance letter, the Factur-X extension schema with its four
//! properties agreeing with the attachment and the XML's profile, and the
//! `pdfaExtension:schemas` declaration of that schema), the attachment
//! (its name, `/AFRelationship`, presence in the catalog's `/AF`, its
//! stream's `/Subtype` and `/Params`), the PDF/A OutputIntent (which
//! PDF/A asks for only when device colour is painted without a default
//! colour space), fonts embedded, and JavaScript.
//!
//! Severities follow what a plateforme does with the file: what makes it
//! not a Factur-X at all, or a Factur-X that contradicts itself (no XMP, not
//! declared PDF/A-3, no Factur-X schema, an XMP profile other than the
//! XML's, an attachment that is not an associated file, JavaScript) is an
//! error; what a PDF/A validator flags but plateformes are reported to take
//! (no OutputIntent, fonts not embedded, an incomplete or undeclared XMP
//! schema, an unusual attachment name, `/Params` without `/ModDate` or with a
//! wrong `/Size`) is a
//! warning. Encryption is judged by the checker already and only listed.
//!
//! Every walk is bounded (nodes visited, nesting, the XMP's size, events and
//! depth, the file's deadline) and nothing here panics on a malformed file.
//!
//! Deliberately not here: a PDF/A validator (colour spaces, transparency,
//! glyph widths, structure tree, the XMP's agreement with `/Info`…), the
//! XML's own rules (`crate::rules`), any rewriting or repair of the file.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::check::finding::{self, Code, Finding};
use crate::check::structured::{Profile, StructuredInvoice};
use crate::pdf::{self, Attachment, Budget};

/// The namespaces of the Factur-X / ZUGFeRD XMP extension schema: Factur-X
/// 1.0, ZUGFeRD 2.x, and ZUGFeRD 1.0 (`urn:ferd:` in the published
/// specification, `urn:zugferd:` in some producers).
pub const FACTURX_NAMESPACES: [&str; 4] = [
    "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#",
    "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#",
    "urn:zugferd:pdfa:CrossIndustryDocument:invoice:1p0#",
];

const PDFAID_NS: &str = "http://www.aiim.org/pdfa/ns/id/";
const PDFA_SCHEMA_NS: &str = "http://www.aiim.org/pdfa/ns/schema#";
const RDF_NS: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// The names a plateforme looks for the XML under (compared ignoring case:
/// ZUGFeRD 1 writes `ZUGFeRD-invoice.xml`).
const CONTAINER_NAMES: [&str; 3] = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"];

/// An XMP packet is a few kilobytes; anything beyond this is not read.
const MAX_XMP_BYTES: usize = 4 * 1024 * 1024;
/// XML events read from the XMP, and its deepest nesting.
const MAX_XMP_EVENTS: usize = 200_000;
const MAX_XMP_DEPTH: usize = 64;
/// Properties kept from the XMP (a packet has a few dozen).
const MAX_XMP_PROPERTIES: usize = 10_000;
/// Dictionaries and arrays visited looking for fonts or JavaScript.
const MAX_NODES: usize = 2_000_000;
/// Nesting followed inside one object when looking for JavaScript.
const MAX_OBJECT_DEPTH: usize = 16;
/// Font names quoted in a finding.
const MAX_FONT_NAMES: usize = 8;

/// What the container check found: the findings, and their codes for
/// `structured.container` (the checker's `encrypted` included there, though
/// its finding comes from the checker itself).
#[derive(Debug, Default)]
pub struct ContainerCheck {
    pub findings: Vec<Finding>,
    pub codes: Vec<Code>,
}

/// Judges the container of `attachment`, the XML `inv` was read from.
pub fn check(
    doc: &Document,
    attachment: &Attachment,
    inv: &StructuredInvoice,
    encrypted: bool,
    budget: &Budget,
) -> ContainerCheck {
    let mut out = ContainerCheck::default();
    if encrypted {
        out.codes.push(Code::Encrypted);
    }
    let mut push = |f: Finding| {
        out.codes.push(f.code);
        out.findings.push(f);
    };
    let Ok(catalog) = doc.catalog() else {
        // Not reached past the checker's page-tree check (no catalog, no
        // page); nothing to judge then.
        return out;
    };
    for f in xmp_findings(doc, catalog, attachment, inv.profile) {
        push(f);
    }
    for f in attachment_findings(attachment) {
        push(f);
    }
    // PDF/A asks for an OutputIntent only when device colour (DeviceRGB,
    // DeviceGray, DeviceCMYK) is painted without a default colour space:
    // the content is looked at only when the OutputIntent is missing.
    if !has_output_intent(doc, catalog) && uses_device_colour(doc, budget) {
        push(finding::facturx_output_intent());
    }
    let fonts = fonts_not_embedded(doc, budget);
    if !fonts.names.is_empty() {
        push(finding::facturx_fonts(&fonts.names, fonts.more));
    }
    if has_javascript(doc, catalog, budget) {
        push(finding::facturx_javascript());
    }
    out
}

// ---------------------------------------------------------------- XMP

/// One property read from the XMP: its namespace, local name and value (a
/// leaf element's text, or an attribute in the short form).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Property {
    ns: String,
    name: String,
    value: String,
}

#[derive(Debug, Default)]
struct Xmp {
    properties: Vec<Property>,
}

impl Xmp {
    fn get(&self, ns: &str, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.ns == ns && p.name == name)
            .map(|p| p.value.trim())
    }

    fn uses(&self, ns: &str) -> bool {
        self.properties.iter().any(|p| p.ns == ns)
    }
}

/// Reads the properties of an XMP packet: leaf elements with their text and
/// the attributes of elements (the short form `pdfaid:part="3"`). Bounded in
/// size, events, depth and properties kept.
fn parse_xmp(bytes: &[u8]) -> Result<Xmp, String> {
    if bytes.len() > MAX_XMP_BYTES {
        return Err(format!("larger than {MAX_XMP_BYTES} bytes"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    // (namespace, local name, text, has a child element) of each open element.
    let mut stack: Vec<(String, String, String, bool)> = Vec::new();
    let mut xmp = Xmp::default();
    let mut events = 0usize;
    loop {
        events += 1;
        if events > MAX_XMP_EVENTS {
            return Err(format!("more than {MAX_XMP_EVENTS} XML events"));
        }
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("not well-formed: {e}"))?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => ns.0.to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if stack.len() >= MAX_XMP_DEPTH {
                    return Err(format!("nested deeper than {MAX_XMP_DEPTH} levels"));
                }
                for attr in e.attributes().flatten() {
                    let (ans, local) = reader.resolver().resolve_attribute(attr.key);
                    let ResolveResult::Bound(ans) = ans else {
                        continue;
                    };
                    if ans.0 == RDF_NS || xmp.properties.len() >= MAX_XMP_PROPERTIES {
                        continue;
                    }
                    if let Ok(v) = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                        xmp.properties.push(Property {
                            ns: ans.0.to_string(),
                            name: local.as_ref().to_string(),
                            value: v.into_owned(),
                        });
                    }
                }
                if let Some(parent) = stack.last_mut() {
                    parent.3 = true;
                }
                let local = e.local_name().as_ref().to_string();
                if matches!(event, Event::Start(_)) {
                    stack.push((ns, local, String::new(), false));
                } else if xmp.properties.len() < MAX_XMP_PROPERTIES && ns != RDF_NS {
                    xmp.properties.push(Property {
                        ns,
                        name: local,
                        value: String::new(),
                    });
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.2
                        .push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.2
                        .push_str(&c.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string),
                };
                if let (Some(top), Some(s)) = (stack.last_mut(), resolved) {
                    top.2.push_str(&s);
                }
            }
            Event::End(_) => {
                if let Some((ns, name, value, has_child)) = stack.pop()
                    && !has_child
                    && ns != RDF_NS
                    && xmp.properties.len() < MAX_XMP_PROPERTIES
                {
                    xmp.properties.push(Property { ns, name, value });
                }
            }
            Event::Eof => {
                if let Some((_, name, _, _)) = stack.last() {
                    return Err(format!("not well-formed: it ends inside <{name}>"));
                }
                break;
            }
            _ => {}
        }
    }
    Ok(xmp)
}

/// The profile an XMP `fx:ConformanceLevel` names, if it names one.
fn level_profile(level: &str) -> Option<Profile> {
    let key: String = level
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Some(match key.as_str() {
        "MINIMUM" => Profile::Minimum,
        "BASICWL" => Profile::BasicWl,
        "BASIC" => Profile::Basic,
        // ZUGFeRD 1's COMFORT is the EN 16931 profile's ancestor; the XML
        // side maps it the same way.
        "EN16931" | "COMFORT" => Profile::En16931,
        "EXTENDED" => Profile::Extended,
        "XRECHNUNG" => Profile::XRechnung,
        _ => return None,
    })
}

/// Whether the XMP's level tells the XML's profile. An XRechnung is an
/// EN 16931 CIUS, and producers older than the XRECHNUNG level write
/// EN 16931 for it: that is not a contradiction.
fn level_agrees(level: Option<Profile>, xml: Profile) -> bool {
    level == Some(xml) || (xml == Profile::XRechnung && level == Some(Profile::En16931))
}

fn xmp_bytes(doc: &Document, catalog: &Dictionary) -> Option<Result<Vec<u8>, String>> {
    let stream = catalog
        .get(b"Metadata")
        .ok()
        .map(|m| pdf::deref(doc, m))
        .and_then(|m| m.as_stream().ok())?;
    Some(if stream.dict.has(b"Filter") {
        stream
            .decompressed_content_with_limit(MAX_XMP_BYTES)
            .map_err(|e| e.to_string())
    } else if stream.content.len() > MAX_XMP_BYTES {
        // Not copied only to be refused.
        Err(format!("larger than {MAX_XMP_BYTES} bytes"))
    } else {
        Ok(stream.content.clone())
    })
}

fn xmp_findings(
    doc: &Document,
    catalog: &Dictionary,
    attachment: &Attachment,
    xml_profile: Profile,
) -> Vec<Finding> {
    let xmp = match xmp_bytes(doc, catalog) {
        None => return vec![finding::facturx_xmp_missing(None)],
        Some(Err(e)) => return vec![finding::facturx_xmp_missing(Some(&e))],
        Some(Ok(bytes)) => match parse_xmp(&bytes) {
            Ok(x) => x,
            Err(e) => return vec![finding::facturx_xmp_missing(Some(&e))],
        },
    };
    let mut out = Vec::new();
    let part = xmp.get(PDFAID_NS, "part");
    let conformance = xmp.get(PDFAID_NS, "conformance");
    let letter_ok = conformance.is_some_and(|c| matches!(c, "A" | "B" | "U" | "a" | "b" | "u"));
    if part != Some("3") || !letter_ok {
        out.push(finding::facturx_not_pdfa3(part, conformance));
    }
    let Some(ns) = FACTURX_NAMESPACES.iter().copied().find(|ns| xmp.uses(ns)) else {
        out.push(finding::facturx_xmp_schema_missing());
        return out;
    };
    let mut incomplete: Vec<String> = Vec::new();
    for name in [
        "DocumentType",
        "DocumentFileName",
        "Version",
        "ConformanceLevel",
    ] {
        if xmp.get(ns, name).is_none_or(str::is_empty) {
            incomplete.push(format!("fx:{name}"));
        }
    }
    let file_name = xmp.get(ns, "DocumentFileName").filter(|n| !n.is_empty());
    let wrong_name = file_name.filter(|n| !n.eq_ignore_ascii_case(attachment.name.trim()));
    if !incomplete.is_empty() || wrong_name.is_some() {
        out.push(finding::facturx_xmp_incomplete(
            &incomplete,
            wrong_name.map(|n| (n, attachment.name.as_str())),
        ));
    }
    if let Some(level) = xmp.get(ns, "ConformanceLevel").filter(|l| !l.is_empty())
        && xml_profile != Profile::Other
        && !level_agrees(level_profile(level), xml_profile)
    {
        out.push(finding::facturx_profile_mismatch(
            level,
            xml_profile.as_str(),
        ));
    }
    let declared = xmp
        .properties
        .iter()
        .any(|p| p.ns == PDFA_SCHEMA_NS && p.name == "namespaceURI" && p.value.trim() == ns);
    if !declared {
        out.push(finding::facturx_xmp_undeclared(ns));
    }
    out
}

// ---------------------------------------------------------- attachment

fn attachment_findings(a: &Attachment) -> Vec<Finding> {
    let mut out = Vec::new();
    let name = a.name.trim();
    if !CONTAINER_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        out.push(finding::facturx_attachment_name(name));
    }
    let relationship_ok = a
        .relationship
        .as_deref()
        .is_some_and(|r| matches!(r, "Data" | "Source" | "Alternative"));
    if !relationship_ok || !a.associated {
        out.push(finding::facturx_relationship(
            name,
            a.relationship.as_deref(),
            a.associated,
        ));
    }
    // lopdf decodes `#2F` in names; both spellings are the same MIME type.
    let subtype_ok = a.subtype.as_deref().is_some_and(|s| {
        let s = s.replace("#2F", "/").replace("#2f", "/");
        s.eq_ignore_ascii_case("text/xml") || s.eq_ignore_ascii_case("application/xml")
    });
    let actual = a.content.as_ref().ok().map(|c| c.len() as i64);
    // PDF/A-3 asks for `/Params` with a `/ModDate`; the Factur-X
    // specification adds `/Size`, but reference files (the intarsys and
    // XML-Rechnung samples) leave it out, so only a wrong size counts.
    let size_ok = match (a.declared_size, actual) {
        (Some(declared), Some(actual)) => declared == actual,
        _ => true,
    };
    if !subtype_ok || !size_ok || !a.mod_date {
        out.push(finding::facturx_attachment_stream(
            a.subtype.as_deref(),
            a.mod_date,
            a.declared_size,
            actual,
        ));
    }
    out
}

// ------------------------------------------------------ output intent

fn has_output_intent(doc: &Document, catalog: &Dictionary) -> bool {
    let Some(intents) = catalog
        .get(b"OutputIntents")
        .ok()
        .map(|o| pdf::deref(doc, o))
        .and_then(|o| o.as_array().ok())
    else {
        return false;
    };
    intents.iter().any(|i| {
        let Ok(d) = pdf::deref(doc, i).as_dict() else {
            return false;
        };
        d.get(b"S").ok().and_then(|s| s.as_name().ok()) == Some(b"GTS_PDFA1".as_slice())
            && d.get(b"DestOutputProfile")
                .ok()
                .is_some_and(|p| pdf::deref(doc, p).as_stream().is_ok())
    })
}

/// The three device colour families, as indexes into `[bool; 3]`.
const GRAY: usize = 0;
const RGB: usize = 1;
const CMYK: usize = 2;

fn device_family(name: &[u8]) -> Option<usize> {
    match name {
        b"DeviceGray" | b"G" => Some(GRAY),
        b"DeviceRGB" | b"RGB" => Some(RGB),
        b"DeviceCMYK" | b"CMYK" => Some(CMYK),
        _ => None,
    }
}

/// Which families a `/DefaultGray`, `/DefaultRGB`, `/DefaultCMYK` in these
/// resources makes device-independent.
fn default_spaces(doc: &Document, resources: &[&Dictionary]) -> [bool; 3] {
    let mut out = [false; 3];
    for r in resources {
        let Some(spaces) = r
            .get(b"ColorSpace")
            .ok()
            .map(|c| pdf::deref(doc, c))
            .and_then(|c| c.as_dict().ok())
        else {
            continue;
        };
        for (i, key) in [b"DefaultGray".as_slice(), b"DefaultRGB", b"DefaultCMYK"]
            .iter()
            .enumerate()
        {
            out[i] |= spaces.has(key);
        }
    }
    out
}

/// The device family a colour space object names (directly, or a named
/// resource that is one), if any.
fn space_family(doc: &Document, resources: &[&Dictionary], space: &Object) -> Option<usize> {
    let name = pdf::deref(doc, space).as_name().ok()?;
    if let Some(f) = device_family(name) {
        return Some(f);
    }
    resources.iter().find_map(|r| {
        r.get(b"ColorSpace")
            .ok()
            .map(|c| pdf::deref(doc, c))
            .and_then(|c| c.as_dict().ok())
            .and_then(|c| c.get(name).ok())
            .map(|c| pdf::deref(doc, c))
            .and_then(|c| c.as_name().ok())
            .and_then(device_family)
    })
}

/// A content stream to look at: its bytes, its resources, the families
/// already made device-independent around it, and its form nesting.
type Painting<'a> = (Vec<u8>, Vec<&'a Dictionary>, [bool; 3], usize);

/// Whether the pages (and the Form XObjects they draw) paint with a device
/// colour space that no default colour space covers: colour operators
/// (`g`, `rg`, `k` and their stroking forms, `cs`/`CS` with a device space)
/// and image XObjects in a device space. Bounded by the budget's operators,
/// form depth and deadline; what was not looked at counts as not painted.
fn uses_device_colour(doc: &Document, budget: &Budget) -> bool {
    let mut ops_left = budget.max_operations;
    let mut seen_forms: HashSet<ObjectId> = HashSet::new();
    let mut todo: Vec<Painting> = Vec::new();
    for page_id in doc.page_iter() {
        let content = doc
            .get_page_content_with_limit(page_id, budget.max_stream_bytes)
            .unwrap_or_default();
        todo.push((
            content,
            pdf::page_resource_dicts(doc, page_id),
            [false; 3],
            0,
        ));
        while let Some((content, resources, inherited, depth)) = todo.pop() {
            if budget.expired() {
                return false;
            }
            let mut covered = default_spaces(doc, &resources);
            for (c, i) in covered.iter_mut().zip(inherited) {
                *c |= i;
            }
            let uncovered = |f: Option<usize>| f.is_some_and(|f| !covered[f]);
            let xobjects = resources.iter().filter_map(|r| {
                r.get(b"XObject")
                    .ok()
                    .map(|x| pdf::deref(doc, x))
                    .and_then(|x| x.as_dict().ok())
            });
            for (_, x) in xobjects.flat_map(|x| x.iter()) {
                let Ok(stream) = pdf::deref(doc, x).as_stream() else {
                    continue;
                };
                match stream
                    .dict
                    .get(b"Subtype")
                    .ok()
                    .and_then(|s| s.as_name().ok())
                {
                    Some(b"Image") => {
                        let space = stream.dict.get(b"ColorSpace").ok();
                        if uncovered(space.and_then(|s| space_family(doc, &resources, s))) {
                            return true;
                        }
                    }
                    Some(b"Form") if depth < budget.max_form_depth => {
                        if let Object::Reference(id) = x
                            && !seen_forms.insert(*id)
                        {
                            continue;
                        }
                        let content = if stream.dict.has(b"Filter") {
                            stream
                                .decompressed_content_with_limit(budget.max_stream_bytes)
                                .unwrap_or_default()
                        } else {
                            stream.content.clone()
                        };
                        // A form without its own resources uses its page's.
                        let own: Vec<&Dictionary> =
                            resources_of(doc, pdf::deref(doc, x)).into_iter().collect();
                        let inner = if own.is_empty() {
                            resources.clone()
                        } else {
                            own
                        };
                        todo.push((content, inner, covered, depth + 1));
                    }
                    _ => {}
                }
            }
            let mut lexer = pdf::lex::Lexer::new(&content);
            while let Some(op) = lexer.next_op() {
                let Ok(operator) = op else { break };
                if ops_left == 0 {
                    return false;
                }
                ops_left -= 1;
                let family = match operator {
                    b"g" | b"G" => Some(GRAY),
                    b"rg" | b"RG" => Some(RGB),
                    b"k" | b"K" => Some(CMYK),
                    b"cs" | b"CS" => lexer
                        .operands()
                        .first()
                        .and_then(pdf::lex::Operand::as_name)
                        .and_then(|s| space_family(doc, &resources, &Object::Name(s.to_vec()))),
                    _ => None,
                };
                if uncovered(family) {
                    return true;
                }
            }
        }
    }
    false
}

// -------------------------------------------------------------- fonts

/// The names of the fonts `doc` draws without their program embedded (at
/// most eight, then « … and N more »): what forbids making it a PDF/A.
pub fn unembedded_fonts(doc: &Document, budget: &Budget) -> Vec<String> {
    let m = fonts_not_embedded(doc, budget);
    let mut names = m.names;
    if m.more > 0 {
        names.push(format!("+{}", m.more));
    }
    names
}

/// Names of the fonts drawn without their program embedded (at most
/// [`MAX_FONT_NAMES`], the rest counted).
#[derive(Debug, Default)]
struct MissingFonts {
    names: Vec<String>,
    more: usize,
}

/// Every font reachable from the pages' resources, the Form XObjects they
/// draw (nested up to the budget's form depth), Type3 fonts' own resources
/// and the annotations' normal appearances; Type0 fonts are judged by their
/// descendant, Type3 fonts carry their glyphs.
fn fonts_not_embedded(doc: &Document, budget: &Budget) -> MissingFonts {
    let mut out = MissingFonts::default();
    let mut seen_fonts: HashSet<ObjectId> = HashSet::new();
    let mut seen_resources: HashSet<ObjectId> = HashSet::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    let mut todo: Vec<(&Dictionary, usize)> = Vec::new();
    let mut visited = 0usize;
    for page_id in doc.page_iter() {
        for r in pdf::page_resource_dicts(doc, page_id) {
            todo.push((r, 0));
        }
        let annots = doc
            .get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"Annots").ok())
            .map(|a| pdf::deref(doc, a))
            .and_then(|a| a.as_array().ok());
        for annot in annots.into_iter().flatten() {
            let normal = pdf::deref(doc, annot)
                .as_dict()
                .ok()
                .and_then(|a| a.get(b"AP").ok())
                .map(|ap| pdf::deref(doc, ap))
                .and_then(|ap| ap.as_dict().ok())
                .and_then(|ap| ap.get(b"N").ok())
                .map(|n| pdf::deref(doc, n));
            let streams: Vec<&Object> = match normal {
                Some(Object::Stream(_)) => normal.into_iter().collect(),
                // Appearance states (`/On`, `/Off`): one stream each.
                Some(Object::Dictionary(states)) => {
                    states.iter().map(|(_, s)| pdf::deref(doc, s)).collect()
                }
                _ => Vec::new(),
            };
            for s in streams {
                if let Some(r) = resources_of(doc, s) {
                    todo.push((r, 1));
                }
            }
        }
        if todo.len() > MAX_NODES {
            break;
        }
    }
    while let Some((resources, depth)) = todo.pop() {
        visited += 1;
        if visited > MAX_NODES || (visited.is_multiple_of(256) && budget.expired()) {
            break;
        }
        let fonts = resources
            .get(b"Font")
            .ok()
            .map(|f| pdf::deref(doc, f))
            .and_then(|f| f.as_dict().ok());
        for (_, font) in fonts.into_iter().flat_map(|f| f.iter()) {
            if let Object::Reference(id) = font
                && !seen_fonts.insert(*id)
            {
                continue;
            }
            let Ok(font) = pdf::deref(doc, font).as_dict() else {
                continue;
            };
            let subtype = font.get(b"Subtype").ok().and_then(|s| s.as_name().ok());
            if subtype == Some(b"Type3".as_slice()) {
                if depth < budget.max_form_depth
                    && let Some(r) = font
                        .get(b"Resources")
                        .ok()
                        .map(|r| pdf::deref(doc, r))
                        .and_then(|r| r.as_dict().ok())
                {
                    todo.push((r, depth + 1));
                }
                continue;
            }
            if !font_embedded(doc, font) {
                let name = font
                    .get(b"BaseFont")
                    .ok()
                    .and_then(|n| n.as_name().ok())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_else(|| "(sans nom)".to_string());
                if seen_names.insert(name.clone()) {
                    if out.names.len() < MAX_FONT_NAMES {
                        out.names.push(name);
                    } else {
                        out.more += 1;
                    }
                }
            }
        }
        if depth >= budget.max_form_depth {
            continue;
        }
        let xobjects = resources
            .get(b"XObject")
            .ok()
            .map(|x| pdf::deref(doc, x))
            .and_then(|x| x.as_dict().ok());
        for (_, xobject) in xobjects.into_iter().flat_map(|x| x.iter()) {
            if let Object::Reference(id) = xobject
                && !seen_resources.insert(*id)
            {
                continue;
            }
            let target = pdf::deref(doc, xobject);
            let is_form = target
                .as_stream()
                .ok()
                .and_then(|s| s.dict.get(b"Subtype").ok())
                .and_then(|s| s.as_name().ok())
                == Some(b"Form".as_slice());
            if is_form && let Some(r) = resources_of(doc, target) {
                todo.push((r, depth + 1));
            }
        }
    }
    out
}

/// A Form XObject's or appearance stream's `/Resources`.
fn resources_of<'a>(doc: &'a Document, stream: &'a Object) -> Option<&'a Dictionary> {
    stream
        .as_stream()
        .ok()?
        .dict
        .get(b"Resources")
        .ok()
        .map(|r| pdf::deref(doc, r))
        .and_then(|r| r.as_dict().ok())
}

/// Whether a simple font's descriptor (or a Type0 font's descendant's)
/// carries a font program. A standard-14 font without a descriptor is not
/// embedded: PDF/A makes no exception for them.
fn font_embedded(doc: &Document, font: &Dictionary) -> bool {
    let descriptor_of = |f: &Dictionary| -> bool {
        f.get(b"FontDescriptor")
            .ok()
            .map(|d| pdf::deref(doc, d))
            .and_then(|d| d.as_dict().ok())
            .is_some_and(|d| {
                [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                    .iter()
                    .any(|k| {
                        d.get(k)
                            .ok()
                            .is_some_and(|s| pdf::deref(doc, s).as_stream().is_ok())
                    })
            })
    };
    if font.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Type0".as_slice()) {
        font.get(b"DescendantFonts")
            .ok()
            .map(|d| pdf::deref(doc, d))
            .and_then(|d| d.as_array().ok())
            .and_then(|d| d.first())
            .map(|d| pdf::deref(doc, d))
            .and_then(|d| d.as_dict().ok())
            .is_some_and(descriptor_of)
    } else {
        descriptor_of(font)
    }
}

// --------------------------------------------------------- JavaScript

/// A document-level JavaScript name tree, document trigger actions
/// (`/AA` in the catalog, which PDF/A forbids), or a JavaScript action
/// anywhere in the file (an `/OpenAction`, a page's or a field's `/AA`, a
/// link's `/A`, a `/Next` in a chain): every object is looked into, nested
/// up to a bound.
fn has_javascript(doc: &Document, catalog: &Dictionary, budget: &Budget) -> bool {
    let names_js = catalog
        .get(b"Names")
        .ok()
        .map(|n| pdf::deref(doc, n))
        .and_then(|n| n.as_dict().ok())
        .is_some_and(|n| n.has(b"JavaScript"));
    if names_js || catalog.has(b"AA") {
        return true;
    }
    let mut visited = 0usize;
    let mut todo: Vec<(&Object, usize)> = Vec::new();
    for obj in doc.objects.values() {
        todo.push((obj, 0));
        while let Some((obj, depth)) = todo.pop() {
            visited += 1;
            if visited > MAX_NODES || (visited.is_multiple_of(4096) && budget.expired()) {
                return false;
            }
            let dict = match obj {
                Object::Dictionary(d) => d,
                Object::Stream(s) => &s.dict,
                Object::Array(items) => {
                    if depth < MAX_OBJECT_DEPTH {
                        todo.extend(items.iter().map(|o| (o, depth + 1)));
                    }
                    continue;
                }
                _ => continue,
            };
            if dict.get(b"S").ok().and_then(|s| s.as_name().ok()) == Some(b"JavaScript".as_slice())
                || dict.has(b"JS")
            {
                return true;
            }
            if depth < MAX_OBJECT_DEPTH {
                todo.extend(dict.iter().map(|(_, v)| (v, depth + 1)));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_reads_elements_and_attributes() {
        let xmp = br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="3" pdfaid:conformance="B"/>
<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        let x = parse_xmp(xmp).unwrap();
        assert_eq!(x.get(PDFAID_NS, "part"), Some("3"));
        assert_eq!(x.get(PDFAID_NS, "conformance"), Some("B"));
        assert_eq!(
            x.get(FACTURX_NAMESPACES[0], "ConformanceLevel"),
            Some("EN 16931")
        );
        assert!(x.uses(FACTURX_NAMESPACES[0]));
        assert!(!x.uses(FACTURX_NAMESPACES[1]));
    }

    #[test]
    fn xmp_that_is_not_xml_is_an_error_not_a_panic() {
        assert!(parse_xmp(b"<x:xmpmeta><unclosed").is_err());
        assert!(parse_xmp(&[0xff, 0xfe, 0x00]).is_err());
        let deep = "<a>".repeat(MAX_XMP_DEPTH + 1);
        assert!(parse_xmp(deep.as_bytes()).is_err());
    }

    #[test]
    fn conformance_levels_name_profiles() {
        assert_eq!(level_profile("EN 16931"), Some(Profile::En16931));
        assert_eq!(level_profile("COMFORT"), Some(Profile::En16931));
        assert_eq!(level_profile("BASIC WL"), Some(Profile::BasicWl));
        assert_eq!(level_profile("basic"), Some(Profile::Basic));
        assert_eq!(level_profile("XRECHNUNG"), Some(Profile::XRechnung));
        assert_eq!(level_profile("FOO"), None);
        assert!(level_agrees(Some(Profile::En16931), Profile::XRechnung));
        assert!(!level_agrees(Some(Profile::XRechnung), Profile::En16931));
        assert!(!level_agrees(None, Profile::Basic));
    }
}
