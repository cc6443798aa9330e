//! The Factur-X container: turns a PDF into a PDF/A-3B carrying its CII
//! XML, keeping its pages exactly as they are. Adds the XMP metadata
//! (`pdfaid` part 3 conformance B, the Factur-X extension schema agreeing
//! with the XML's profile, and the same title, producer and dates as the
//! `/Info` dictionary), an sRGB OutputIntent with an ICC profile written
//! here, the `factur-x.xml` attachment (`/AFRelationship /Data`, in the
//! catalog's `/AF` and `EmbeddedFiles`, MIME type, size and dates) and the document `/ID`; removes what PDF/A forbids and can be
//! removed without touching a page (JavaScript, automatic actions).
//!
//! A PDF that cannot become a PDF/A without re-drawing it — fonts not
//! embedded, encryption, a signature (which any change would break), a
//! Factur-X already there — is refused with the reason, never written
//! non-conformant.
//!
//! Deliberately not here: the XML itself ([`super::cii`]), judging the
//! result (the checker's container checks and the official rules do), a
//! full PDF/A conversion (fonts, transparency, colour spaces are left as the
//! PDF has them).

use std::time::Instant;

use crate::check::container;
use crate::check::structured::Profile;
use crate::pdf::{self, Budget};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::Digest as _;

/// Why a PDF cannot be made a Factur-X.
#[derive(Debug, thiserror::Error)]
pub enum PdfaError {
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF is signed: adding the XML would break the signature")]
    Signed,
    #[error("the PDF already carries an e-invoice ({0})")]
    AlreadyEInvoice(String),
    #[error("fonts not embedded: {}", .0.join(", "))]
    FontsNotEmbedded(Vec<String>),
}

/// What the container says about the invoice.
#[derive(Debug, Clone)]
pub struct Meta<'a> {
    /// `dc:title` and `/Title`: « Facture n° F-1 ».
    pub title: &'a str,
    /// `/Producer` and `pdf:Producer`.
    pub producer: &'a str,
    /// The XML's profile, for `fx:ConformanceLevel`.
    pub profile: Profile,
    /// The attachment's name (`factur-x.xml`).
    pub file_name: &'a str,
    /// When the document was made, UTC seconds since the epoch; `None`
    /// writes no dates (deterministic samples).
    pub made_at: Option<i64>,
    /// Seeds the document `/ID` (two equal halves for a new document).
    pub id_seed: &'a [u8],
}

/// Turns `original` into a Factur-X carrying `xml`. The pages, their
/// content and resources are kept as they are.
pub fn make(original: &[u8], xml: &[u8], meta: &Meta<'_>) -> Result<Vec<u8>, PdfaError> {
    let budget = Budget::new(Instant::now() + std::time::Duration::from_secs(30));
    let mut doc = pdf::load(original, &budget).map_err(|e| PdfaError::Unreadable(e.to_string()))?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(PdfaError::Encrypted);
    }
    if !pdf::signatures(&doc).is_empty() {
        return Err(PdfaError::Signed);
    }
    if let Some(name) = pdf::attachments(&doc, &budget)
        .into_iter()
        .map(|a| a.name)
        .find(|n| is_einvoice_name(n))
    {
        return Err(PdfaError::AlreadyEInvoice(name));
    }
    let missing = container::unembedded_fonts(&doc, &budget);
    if !missing.is_empty() {
        return Err(PdfaError::FontsNotEmbedded(missing));
    }
    remove_javascript(&mut doc);
    attach(&mut doc, xml, meta);
    doc.version = "1.7".into();
    let mut out = Vec::with_capacity(original.len() + xml.len() + 16 * 1024);
    doc.save_to(&mut out)
        .map_err(|e| PdfaError::Unreadable(e.to_string()))?;
    Ok(out)
}

/// The names under which Factur-X, ZUGFeRD and XRechnung attach their XML.
pub fn is_einvoice_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "factur-x.xml" | "zugferd-invoice.xml" | "xrechnung.xml" | "zugferd_invoice.xml"
    )
}

/// Adds the attachment, XMP, OutputIntent (unless one for PDF/A is there),
/// `/Info` and `/ID` to `doc`, whose catalog must exist.
pub fn attach(doc: &mut Document, xml: &[u8], meta: &Meta<'_>) {
    let date = meta.made_at.map(|t| (pdf_date(t), xmp_date(t)));
    let mut params = dictionary! {
        "Size" => xml.len() as i64,
    };
    if let Some((pdf_d, _)) = &date {
        params.set("ModDate", Object::string_literal(pdf_d.clone()));
        params.set("CreationDate", Object::string_literal(pdf_d.clone()));
    }
    let file_id = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => "text/xml",
            "Params" => params,
        },
        xml.to_vec(),
    ));
    if let Ok(Object::Stream(s)) = doc.get_object_mut(file_id) {
        let _ = s.compress();
    }
    let spec_id = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => text_string(meta.file_name),
        "UF" => text_string(meta.file_name),
        "Desc" => text_string("Factur-X invoice"),
        "AFRelationship" => "Data",
        "EF" => dictionary! { "F" => file_id, "UF" => file_id },
    });
    let metadata = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(meta, date.as_ref().map(|d| d.1.as_str())).into_bytes(),
    ));
    let has_pdfa_intent = catalog(doc)
        .and_then(|c| c.get(b"OutputIntents").ok().cloned())
        .and_then(|o| match o {
            Object::Array(a) => Some(a),
            Object::Reference(r) => doc.get_object(r).ok()?.as_array().ok().cloned(),
            _ => None,
        })
        .is_some_and(|a| {
            a.iter().any(|i| {
                let d = match i {
                    Object::Reference(r) => doc.get_dictionary(*r).ok(),
                    Object::Dictionary(d) => Some(d),
                    _ => None,
                };
                d.and_then(|d| d.get(b"S").ok())
                    .and_then(|s| s.as_name().ok())
                    == Some(b"GTS_PDFA1".as_slice())
            })
        });
    let intent = (!has_pdfa_intent).then(|| {
        let icc = doc.add_object(Stream::new(
            dictionary! { "N" => 3, "Alternate" => "DeviceRGB" },
            srgb_icc(),
        ));
        dictionary! {
            "Type" => "OutputIntent",
            "S" => "GTS_PDFA1",
            "OutputConditionIdentifier" => text_string("sRGB"),
            "Info" => text_string("sRGB primaries, gamma 2.2"),
            "DestOutputProfile" => icc,
        }
    });
    let mut info = dictionary! {
        "Title" => text_string(meta.title),
        "Producer" => text_string(meta.producer),
    };
    if let Some((pdf_d, _)) = &date {
        info.set("CreationDate", Object::string_literal(pdf_d.clone()));
        info.set("ModDate", Object::string_literal(pdf_d.clone()));
    }
    let info_id = doc.add_object(info);
    let names_tree = embedded_files_with(doc, meta.file_name, spec_id);
    if let Some(c) = catalog_mut(doc) {
        let mut af = match c.get(b"AF") {
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        af.push(Object::Reference(spec_id));
        c.set("AF", af);
        c.set("Metadata", metadata);
        if let Some(i) = intent {
            c.set("OutputIntents", vec![Object::Dictionary(i)]);
        }
        let mut names = match c.get(b"Names") {
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        names.remove(b"JavaScript");
        names.set("EmbeddedFiles", names_tree);
        c.set("Names", names);
    }
    doc.trailer.set("Info", info_id);
    let seed = sha2::Sha256::digest(meta.id_seed);
    let id = Object::String(seed[..16].to_vec(), StringFormat::Hexadecimal);
    let first = match doc.trailer.get(b"ID") {
        Ok(Object::Array(a)) if a.len() == 2 => a[0].clone(),
        _ => id.clone(),
    };
    doc.trailer.set("ID", vec![first, id]);
}

/// The `EmbeddedFiles` name tree with `name → spec` added: the existing
/// flat tree's entries kept in order, or a new one.
fn embedded_files_with(doc: &Document, name: &str, spec: ObjectId) -> Object {
    let existing = catalog(doc)
        .and_then(|c| match c.get(b"Names").ok()? {
            Object::Dictionary(d) => Some(d.clone()),
            Object::Reference(r) => doc.get_dictionary(*r).ok().cloned(),
            _ => None,
        })
        .and_then(|n| match n.get(b"EmbeddedFiles").ok()? {
            Object::Dictionary(d) => Some(d.clone()),
            Object::Reference(r) => doc.get_dictionary(*r).ok().cloned(),
            _ => None,
        })
        .and_then(|t| match t.get(b"Names").ok()? {
            Object::Array(a) => Some(a.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut pairs: Vec<(Vec<u8>, Object)> = existing
        .chunks(2)
        .filter_map(|c| match c {
            [Object::String(k, _), v] => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect();
    let key = match text_string(name) {
        Object::String(k, _) => k,
        _ => name.as_bytes().to_vec(),
    };
    pairs.retain(|(k, _)| *k != key);
    pairs.push((key, Object::Reference(spec)));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let flat: Vec<Object> = pairs
        .into_iter()
        .flat_map(|(k, v)| [Object::String(k, StringFormat::Literal), v])
        .collect();
    Object::Dictionary(dictionary! { "Names" => flat })
}

fn catalog(doc: &Document) -> Option<&Dictionary> {
    doc.catalog().ok()
}

fn catalog_mut(doc: &mut Document) -> Option<&mut Dictionary> {
    let id = doc.trailer.get(b"Root").ok()?.as_reference().ok()?;
    doc.get_dictionary_mut(id).ok()
}

/// Removes document JavaScript, the catalog's and pages' automatic actions
/// and JavaScript link actions: PDF/A forbids them, and no page content
/// depends on them.
fn remove_javascript(doc: &mut Document) {
    if let Some(c) = catalog_mut(doc) {
        c.remove(b"AA");
        let js_open = matches!(c.get(b"OpenAction"), Ok(Object::Dictionary(d)) if is_js(d));
        if js_open {
            c.remove(b"OpenAction");
        }
    }
    let ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
    let mut js_refs = Vec::new();
    for id in ids {
        if let Ok(Object::Dictionary(d)) = doc.get_object(id)
            && is_js(d)
        {
            js_refs.push(id);
        }
    }
    for (_, obj) in doc.objects.iter_mut() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Page".as_slice()) {
            dict.remove(b"AA");
        }
        let drop_a = match dict.get(b"A") {
            Ok(Object::Dictionary(a)) => is_js(a),
            Ok(Object::Reference(r)) => js_refs.contains(r),
            _ => false,
        };
        if drop_a {
            dict.remove(b"A");
        }
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Annot".as_slice()) {
            dict.remove(b"AA");
        }
        let drop_open =
            matches!(dict.get(b"OpenAction"), Ok(Object::Reference(r)) if js_refs.contains(r));
        if drop_open {
            dict.remove(b"OpenAction");
        }
    }
}

fn is_js(d: &Dictionary) -> bool {
    d.get(b"S").and_then(Object::as_name).ok() == Some(b"JavaScript".as_slice())
}

/// A PDF text string: PDFDocEncoding for ASCII, UTF-16BE with BOM otherwise.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// UTC civil date from epoch seconds.
fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

/// Midnight UTC of an ISO date (« 2026-11-02 »), as epoch seconds.
pub fn epoch_of_iso_date(iso: &str) -> Option<i64> {
    let mut it = iso.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

fn pdf_date(t: i64) -> String {
    let (y, m, d, h, mi, s) = civil(t);
    format!("D:{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}+00'00'")
}

fn xmp_date(t: i64) -> String {
    let (y, m, d, h, mi, s) = civil(t);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}+00:00")
}

/// The XMP packet of a Factur-X: PDF/A-3B identification, the title,
/// producer and dates (agreeing with `/Info`), the Factur-X schema and its
/// PDF/A extension declaration.
fn xmp(meta: &Meta<'_>, date: Option<&str>) -> String {
    let e = xml_escape;
    let property = |name: &str, description: &str| {
        format!(
            r#"<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"#
        )
    };
    let dates = date.map_or(String::new(), |d| {
        format!(
            r#"
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreateDate>{d}</xmp:CreateDate>
   <xmp:ModifyDate>{d}</xmp:ModifyDate>
   <xmp:MetadataDate>{d}</xmp:MetadataDate>
  </rdf:Description>"#
        )
    });
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>{dates}
  <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{file_name}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>fx</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
        bom = '\u{feff}',
        title = e(meta.title),
        producer = e(meta.producer),
        file_name = e(meta.file_name),
        level = e(meta.profile.as_str()),
    )
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A small ICC v2 RGB display profile written here rather than shipped:
/// the sRGB primaries and D50 white point (as ICC's connection space wants
/// them) with a 2.2 gamma curve — close to sRGB, which is what PDF/A asks
/// of an RGB document's OutputIntent, without a third-party file to
/// license. Deterministic (a fixed date).
pub fn srgb_icc() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend(s15(v));
        }
        t
    }
    let description = b"Facteur sRGB gamma 2.2";
    let mut desc = b"desc\0\0\0\0".to_vec();
    desc.extend((description.len() as u32 + 1).to_be_bytes());
    desc.extend(description);
    desc.push(0);
    // No Unicode or ScriptCode description: two empty counts and the
    // ScriptCode's fixed 67-byte field.
    desc.extend([0u8; 8]);
    desc.extend([0u8; 3 + 67]);
    let mut cprt = b"text\0\0\0\0".to_vec();
    cprt.extend(b"No copyright, use freely\0");
    // curveType with one entry: a gamma as u8Fixed8 (2.2 ≈ 0x0233).
    let trc = b"curv\0\0\0\0\0\0\0\x01\x02\x33".to_vec();
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", trc.clone()),
        (b"gTRC", trc.clone()),
        (b"bTRC", trc),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    for (sig, body) in &tags {
        let offset = 128 + table_len + data.len();
        table.extend(*sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        data.extend(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
    }
    let size = 128 + table_len + data.len();
    let mut header = Vec::with_capacity(128);
    header.extend((size as u32).to_be_bytes());
    header.extend([0u8; 4]); // preferred CMM: none
    header.extend([2, 0x10, 0, 0]); // version 2.1
    header.extend(b"mntrRGB XYZ ");
    for v in [2026u16, 1, 1, 0, 0, 0] {
        header.extend(v.to_be_bytes());
    }
    header.extend(b"acsp");
    header.extend([0u8; 4 + 4 + 4 + 4 + 8 + 4]); // platform, flags, maker, model, attributes, intent
    header.extend(s15(0.9642));
    header.extend(s15(1.0));
    header.extend(s15(0.8249));
    header.extend([0u8; 4 + 16 + 28]); // creator, profile id, reserved
    debug_assert_eq!(header.len(), 128);
    header.extend(table);
    header.extend(data);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_the_civil_calendar() {
        let t = epoch_of_iso_date("2026-11-02").unwrap();
        assert_eq!(t, 1_793_577_600);
        assert_eq!(pdf_date(t + 3_723), "D:20261102010203+00'00'");
        assert_eq!(xmp_date(t), "2026-11-02T00:00:00+00:00");
        assert_eq!(
            xmp_date(epoch_of_iso_date("2024-02-29").unwrap()),
            "2024-02-29T00:00:00+00:00"
        );
        assert_eq!(epoch_of_iso_date("2026-13-01"), None);
    }
}
