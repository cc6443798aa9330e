//! CDAR lifecycle messages (UN/CEFACT Cross Domain Acknowledgement And
//! Response, D22B, as the French e-invoicing reform uses it): each status an
//! invoice goes through at a plateforme agréée travels as one small CDAR
//! document naming the invoice (`ReferenceReferencedDocument/IssuerAssignedID`),
//! the status code (`ProcessConditionCode`, 200–221), and for a refusal or a
//! rejection a reason code (`StatusReasonCode` or `ReasonCode`) and text
//! (`Reason`).
//!
//! [`parse`] reads one document in a single streaming pass, bounded in size,
//! depth and text length, and never panics on garbage: it returns every
//! referenced invoice's status with the raw values unchanged (an unknown code
//! stays as it is, for the lifecycle to call it unknown). [`build`] writes the
//! same shape, for the statuses the supplier posts itself (212 Encaissée) and
//! for the demonstration plateforme.
//!
//! Deliberately not here: mapping codes onto the canonical lifecycle
//! ([`crate::mirror::lifecycle`]), schema validation, any I/O, and the parts of a
//! CDAR Facteur does not use (parties' addresses, amounts of a partial
//! approval, characteristics).

use quick_xml::XmlVersion;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde::Serialize;

/// A CDAR larger than this is not a lifecycle message.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// Deeper nesting is refused (a real CDAR is about 6 levels deep).
pub const MAX_DEPTH: usize = 64;
/// Longer texts are cut (reason texts are short sentences).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// At most this many referenced invoices are read from one message.
pub const MAX_REFERENCES: usize = 10_000;

/// The root element's local name.
pub const ROOT: &str = "CrossDomainAcknowledgementAndResponse";
const NS_RSM: &str =
    "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100";
const NS_RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const NS_UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
/// The guideline the reform's lifecycle messages declare.
const GUIDELINE: &str = "urn.cpro.gouv.fr:1p0:CDV:invoice";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CdarError {
    #[error("the CDAR is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the CDAR nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("not a CDAR: the root element is <{0}>")]
    NotCdar(String),
    #[error("the CDAR is not well-formed XML: {0}")]
    Malformed(String),
}

/// The status of one invoice, as a CDAR states it. Every field is the raw
/// text of the message (trimmed); `None` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CdarStatus {
    /// `ReferenceReferencedDocument/IssuerAssignedID`: the invoice number.
    pub invoice_number: Option<String>,
    /// The invoice's issue date (`FormattedIssueDateTime`), as written.
    pub invoice_date: Option<String>,
    /// `ProcessConditionCode`: 200–221 in the reform.
    pub code: Option<String>,
    /// `ProcessCondition`: the status's label, when given.
    pub label: Option<String>,
    /// `StatusReasonCode` or `ReasonCode`: DOUBLON, SIRET_ERR…
    pub reason_code: Option<String>,
    /// `Reason`: the reason in words.
    pub reason: Option<String>,
}

impl CdarStatus {
    /// The reason code and text as one line (`CODE — text`), or `None`.
    pub fn reason_line(&self) -> Option<String> {
        match (&self.reason_code, &self.reason) {
            (Some(c), Some(t)) => Some(format!("{c} — {t}")),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        }
    }
}

/// One CDAR message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cdar {
    /// `ExchangedDocument/ID`.
    pub id: Option<String>,
    /// The message's date (`ExchangedDocument/IssueDateTime`), Unix ms,
    /// when it could be read.
    pub issued_ms: Option<i64>,
    /// The sender's role (`SenderTradeParty/RoleCode`: `WK` a plateforme,
    /// `SE` the seller, `BY` the buyer…).
    pub sender_role: Option<String>,
    /// One entry per referenced invoice, in document order.
    pub statuses: Vec<CdarStatus>,
}

/// What a new CDAR says (for [`build`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCdar<'a> {
    pub id: &'a str,
    pub issued_ms: i64,
    /// `WK` (a plateforme), `SE` (the seller), `BY` (the buyer).
    pub sender_role: &'a str,
    pub invoice_number: &'a str,
    /// `YYYY-MM-DD`, when known.
    pub invoice_date: Option<&'a str>,
    pub code: &'a str,
    pub label: Option<&'a str>,
    pub reason_code: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// Writes a one-invoice CDAR.
pub fn build(c: &NewCdar<'_>) -> String {
    let e = |s: &str| escape(s).into_owned();
    let when = format_204(c.issued_ms);
    let mut x = String::with_capacity(1500);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<rsm:{ROOT} xmlns:rsm=\"{NS_RSM}\" xmlns:ram=\"{NS_RAM}\" xmlns:udt=\"{NS_UDT}\">\n"
    ));
    x.push_str(&format!(
        "  <rsm:ExchangedDocumentContext>\n    <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>REGULATED</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>\n    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{GUIDELINE}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>\n  </rsm:ExchangedDocumentContext>\n"
    ));
    x.push_str(&format!(
        "  <rsm:ExchangedDocument>\n    <ram:ID>{}</ram:ID>\n    <ram:Name>{}</ram:Name>\n    <ram:IssueDateTime><udt:DateTimeString format=\"204\">{when}</udt:DateTimeString></ram:IssueDateTime>\n    <ram:SenderTradeParty><ram:RoleCode>{}</ram:RoleCode></ram:SenderTradeParty>\n  </rsm:ExchangedDocument>\n",
        e(c.id),
        e(&format!("Cycle de vie {}", c.invoice_number)),
        e(c.sender_role),
    ));
    x.push_str("  <rsm:AcknowledgementDocument>\n    <ram:MultipleReferencesIndicator><udt:Indicator>false</udt:Indicator></ram:MultipleReferencesIndicator>\n    <ram:TypeCode>305</ram:TypeCode>\n");
    x.push_str(&format!(
        "    <ram:IssueDateTime><udt:DateTimeString format=\"204\">{when}</udt:DateTimeString></ram:IssueDateTime>\n"
    ));
    x.push_str("    <ram:ReferenceReferencedDocument>\n");
    x.push_str(&format!(
        "      <ram:IssuerAssignedID>{}</ram:IssuerAssignedID>\n",
        e(c.invoice_number)
    ));
    x.push_str("      <ram:TypeCode>380</ram:TypeCode>\n");
    if let Some(d) = c.invoice_date {
        let digits: String = d.chars().filter(char::is_ascii_digit).collect();
        x.push_str(&format!(
            "      <ram:FormattedIssueDateTime><udt:DateTimeString format=\"102\">{}</udt:DateTimeString></ram:FormattedIssueDateTime>\n",
            e(&digits)
        ));
    }
    x.push_str(&format!(
        "      <ram:ProcessConditionCode>{}</ram:ProcessConditionCode>\n",
        e(c.code)
    ));
    if let Some(l) = c.label {
        x.push_str(&format!(
            "      <ram:ProcessCondition>{}</ram:ProcessCondition>\n",
            e(l)
        ));
    }
    if c.reason_code.is_some() || c.reason.is_some() {
        x.push_str("      <ram:SpecifiedDocumentStatus>\n");
        if let Some(r) = c.reason_code {
            x.push_str(&format!(
                "        <ram:StatusReasonCode>{}</ram:StatusReasonCode>\n",
                e(r)
            ));
        }
        if let Some(r) = c.reason {
            x.push_str(&format!("        <ram:Reason>{}</ram:Reason>\n", e(r)));
        }
        x.push_str("      </ram:SpecifiedDocumentStatus>\n");
    }
    x.push_str("    </ram:ReferenceReferencedDocument>\n  </rsm:AcknowledgementDocument>\n");
    x.push_str(&format!("</rsm:{ROOT}>\n"));
    x
}

/// `YYYYMMDDHHMMSS` in UTC (UN/CEFACT format 204).
fn format_204(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

/// Reads format 204 (`YYYYMMDDHHMMSS`, UTC), 102 (`YYYYMMDD`) or RFC 3339.
fn parse_when(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i16>().ok();
    let (y, mo, d) = (n(0..4)?, n(4..6)? as i8, n(6..8)? as i8);
    let (h, mi, se) = match s.len() {
        8 => (0, 0, 0),
        12 => (n(8..10)? as i8, n(10..12)? as i8, 0),
        14 => (n(8..10)? as i8, n(10..12)? as i8, n(12..14)? as i8),
        _ => return None,
    };
    let dt = jiff::civil::DateTime::new(y, mo, d, h, mi, se, 0).ok()?;
    Some(
        dt.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

fn malformed(msg: impl Into<String>) -> CdarError {
    CdarError::Malformed(msg.into())
}

/// Where a text goes while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    DocId,
    DocDate,
    SenderRole,
    AckDate,
    Number,
    InvoiceDate,
    Code,
    Label,
    ReasonCode,
    Reason,
}

/// Which field the element at the end of `path` (local names, root
/// excluded) fills.
fn classify(path: &[String]) -> Option<Slot> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["ExchangedDocument", "ID"] => Some(Slot::DocId),
        ["ExchangedDocument", "IssueDateTime", "DateTimeString"] => Some(Slot::DocDate),
        ["ExchangedDocument", "SenderTradeParty", "RoleCode"] => Some(Slot::SenderRole),
        ["AcknowledgementDocument", "IssueDateTime", "DateTimeString"] => Some(Slot::AckDate),
        [
            "AcknowledgementDocument",
            "ReferenceReferencedDocument",
            rest @ ..,
        ] => match rest {
            ["IssuerAssignedID"] => Some(Slot::Number),
            ["FormattedIssueDateTime", "DateTimeString"] => Some(Slot::InvoiceDate),
            ["ProcessConditionCode"] => Some(Slot::Code),
            ["ProcessCondition"] => Some(Slot::Label),
            [.., "StatusReasonCode"] | [.., "ReasonCode"] => Some(Slot::ReasonCode),
            [.., "Reason"] => Some(Slot::Reason),
            _ => None,
        },
        _ => None,
    }
}

/// Reads one CDAR. The raw values are kept as written (trimmed, cut at
/// [`MAX_TEXT_CHARS`]); the first value of a field wins.
pub fn parse(bytes: &[u8]) -> Result<Cdar, CdarError> {
    if bytes.len() > MAX_BYTES {
        return Err(CdarError::TooLarge(MAX_BYTES));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| malformed(format!("the text is not valid UTF-8 ({e})")))?;
    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.allow_unmatched_ends = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
    }
    let version = XmlVersion::Implicit1_0;
    let mut cdar = Cdar::default();
    // Local names from the root's child down.
    let mut path: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut depth = 0usize;
    let mut slot: Option<Slot> = None;
    let mut buf = String::new();
    let mut current: Option<CdarStatus> = None;
    let mut ack_date = None;

    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(start) => {
                let local = start.local_name().into_inner().to_string();
                if depth == 0 {
                    if root_seen {
                        return Err(malformed("a second root element"));
                    }
                    if local != ROOT {
                        return Err(CdarError::NotCdar(local.chars().take(80).collect()));
                    }
                    root_seen = true;
                } else {
                    path.push(local);
                    if path.len() == 2
                        && path[0] == "AcknowledgementDocument"
                        && path[1] == "ReferenceReferencedDocument"
                    {
                        current = Some(CdarStatus::default());
                    }
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(CdarError::TooDeep(MAX_DEPTH));
                }
                slot = classify(&path);
                buf.clear();
            }
            Event::Empty(start) => {
                if depth == 0 {
                    let local = start.local_name().into_inner().to_string();
                    if local != ROOT {
                        return Err(CdarError::NotCdar(local.chars().take(80).collect()));
                    }
                    root_seen = true;
                }
                slot = None;
            }
            Event::End(_) => {
                if let Some(s) = slot.take() {
                    let value: String = buf.trim().chars().take(MAX_TEXT_CHARS).collect();
                    if !value.is_empty() {
                        fill(&mut cdar, current.as_mut(), &mut ack_date, s, value);
                    }
                }
                buf.clear();
                if path.len() == 2
                    && path[0] == "AcknowledgementDocument"
                    && path[1] == "ReferenceReferencedDocument"
                    && let Some(st) = current.take()
                    && cdar.statuses.len() < MAX_REFERENCES
                {
                    cdar.statuses.push(st);
                }
                if depth > 1 {
                    path.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                if slot.is_some() && buf.len() < MAX_TEXT_CHARS * 4 {
                    buf.push_str(&t.xml_content(version));
                } else if depth == 0 && !t.xml_content(version).trim().is_empty() {
                    return Err(malformed("text outside the root element"));
                }
            }
            Event::CData(c) => {
                if slot.is_some() && buf.len() < MAX_TEXT_CHARS * 4 {
                    buf.push_str(&c.xml_content(version));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => return Err(malformed("a reference to an undefined entity")),
                    },
                    Err(e) => return Err(malformed(e.to_string())),
                };
                if slot.is_some() && buf.len() < MAX_TEXT_CHARS * 4 {
                    buf.push_str(&resolved);
                }
            }
            Event::Decl(_) | Event::DocType(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if depth != 0 {
        return Err(malformed("the document ends inside an element"));
    }
    if !root_seen {
        return Err(malformed("there is no root element"));
    }
    if cdar.issued_ms.is_none() {
        cdar.issued_ms = ack_date;
    }
    Ok(cdar)
}

fn fill(
    cdar: &mut Cdar,
    current: Option<&mut CdarStatus>,
    ack_date: &mut Option<i64>,
    slot: Slot,
    value: String,
) {
    let first = |field: &mut Option<String>, v: String| {
        if field.is_none() {
            *field = Some(v);
        }
    };
    match slot {
        Slot::DocId => first(&mut cdar.id, value),
        Slot::DocDate => {
            if cdar.issued_ms.is_none() {
                cdar.issued_ms = parse_when(&value);
            }
        }
        Slot::SenderRole => first(&mut cdar.sender_role, value),
        Slot::AckDate => {
            if ack_date.is_none() {
                *ack_date = parse_when(&value);
            }
        }
        _ => {
            let Some(st) = current else { return };
            match slot {
                Slot::Number => first(&mut st.invoice_number, value),
                Slot::InvoiceDate => first(&mut st.invoice_date, value),
                Slot::Code => first(&mut st.code, value),
                Slot::Label => first(&mut st.label, value),
                Slot::ReasonCode => first(&mut st.reason_code, value),
                Slot::Reason => first(&mut st.reason, value),
                _ => {}
            }
        }
    }
}

/// The reform's French label of a status code (for the CDARs Facteur writes).
pub fn label_fr(code: &str) -> Option<&'static str> {
    Some(match code {
        "200" => "Déposée",
        "201" => "Émise par la plateforme",
        "202" => "Reçue par la plateforme",
        "203" => "Mise à disposition",
        "204" => "Prise en charge",
        "205" => "Approuvée",
        "206" => "Approuvée partiellement",
        "207" => "En litige",
        "208" => "Suspendue",
        "209" => "Complétée",
        "210" => "Refusée",
        "211" => "Paiement transmis",
        "212" => "Encaissée",
        "213" => "Rejetée",
        "214" => "Visée",
        "220" => "Annulée",
        "221" => "Erreur de routage",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new<'a>(number: &'a str, code: &'a str) -> NewCdar<'a> {
        NewCdar {
            id: "CDAR-1",
            issued_ms: 1_767_268_800_000,
            sender_role: "WK",
            invoice_number: number,
            invoice_date: Some("2026-11-02"),
            code,
            label: label_fr(code),
            reason_code: None,
            reason: None,
        }
    }

    #[test]
    fn every_status_200_to_213_with_reasons_round_trips() {
        let reasons = [
            ("DOUBLON", "Facture déjà reçue"),
            ("SIRET_ERR", "SIRET du destinataire <inconnu> & invalide"),
            ("TX_TVA_ERR", "Taux de TVA erroné"),
            ("REF_CT_ABSENT", "Référence de contrat absente"),
        ];
        for code in 200..=213u16 {
            let code_s = code.to_string();
            let (rc, rt) = reasons[usize::from(code) % reasons.len()];
            let with_reason = matches!(code, 207 | 208 | 210 | 213);
            let mut c = new("F-2026/0042 «é»", &code_s);
            if with_reason {
                c.reason_code = Some(rc);
                c.reason = Some(rt);
            }
            let xml = build(&c);
            let back = parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{code}: {e}\n{xml}"));
            assert_eq!(back.id.as_deref(), Some("CDAR-1"));
            assert_eq!(back.issued_ms, Some(1_767_268_800_000));
            assert_eq!(back.sender_role.as_deref(), Some("WK"));
            assert_eq!(back.statuses.len(), 1, "{code}");
            let s = &back.statuses[0];
            assert_eq!(s.invoice_number.as_deref(), Some("F-2026/0042 «é»"));
            assert_eq!(s.code.as_deref(), Some(code_s.as_str()));
            assert_eq!(s.label.as_deref(), label_fr(&code_s));
            assert_eq!(s.invoice_date.as_deref(), Some("20261102"));
            if with_reason {
                assert_eq!(s.reason_code.as_deref(), Some(rc));
                assert_eq!(s.reason.as_deref(), Some(rt));
                assert_eq!(s.reason_line(), Some(format!("{rc} — {rt}")));
            } else {
                assert_eq!(s.reason_code, None);
                assert_eq!(s.reason_line(), None);
            }
        }
    }

    #[test]
    fn unknown_codes_are_kept_as_written() {
        let xml = build(&new("F-1", "299"));
        let back = parse(xml.as_bytes()).unwrap();
        assert_eq!(back.statuses[0].code.as_deref(), Some("299"));
        let xml = build(&new("F-1", "Payée ?"));
        assert_eq!(
            parse(xml.as_bytes()).unwrap().statuses[0].code.as_deref(),
            Some("Payée ?")
        );
    }

    #[test]
    fn several_references_and_other_prefixes_and_reason_code_element() {
        let xml = r#"<?xml version="1.0"?>
<x:CrossDomainAcknowledgementAndResponse xmlns:x="a" xmlns:y="b">
 <x:ExchangedDocument><y:ID>M-9</y:ID>
  <y:IssueDateTime><z:DateTimeString xmlns:z="c" format="102">20260301</z:DateTimeString></y:IssueDateTime>
 </x:ExchangedDocument>
 <x:AcknowledgementDocument>
  <y:ReferenceReferencedDocument><y:IssuerAssignedID> A-1 </y:IssuerAssignedID>
   <y:ProcessConditionCode>210</y:ProcessConditionCode>
   <y:SpecifiedDocumentStatus><y:ReasonCode>DEST_ERR</y:ReasonCode><y:Reason><![CDATA[Client <inconnu>]]></y:Reason></y:SpecifiedDocumentStatus>
  </y:ReferenceReferencedDocument>
  <y:ReferenceReferencedDocument><y:IssuerAssignedID>A-2</y:IssuerAssignedID>
   <y:ProcessConditionCode>205</y:ProcessConditionCode><y:Empty/>
  </y:ReferenceReferencedDocument>
 </x:AcknowledgementDocument>
</x:CrossDomainAcknowledgementAndResponse>"#;
        let c = parse(xml.as_bytes()).unwrap();
        assert_eq!(c.id.as_deref(), Some("M-9"));
        assert_eq!(c.issued_ms, parse_when("20260301"));
        assert_eq!(c.statuses.len(), 2);
        assert_eq!(c.statuses[0].invoice_number.as_deref(), Some("A-1"));
        assert_eq!(c.statuses[0].reason_code.as_deref(), Some("DEST_ERR"));
        assert_eq!(c.statuses[0].reason.as_deref(), Some("Client <inconnu>"));
        assert_eq!(c.statuses[1].code.as_deref(), Some("205"));
        assert_eq!(c.statuses[1].reason, None);
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"not xml at all".to_vec(),
            b"<CrossIndustryInvoice/>".to_vec(),
            b"<CrossDomainAcknowledgementAndResponse><a></b></CrossDomainAcknowledgementAndResponse>"
                .to_vec(),
            b"<CrossDomainAcknowledgementAndResponse><a>&bogus;</a></CrossDomainAcknowledgementAndResponse>".to_vec(),
            b"<CrossDomainAcknowledgementAndResponse>".to_vec(),
            vec![0xff, 0xfe, 0x00, 0x3c],
            format!("{}{}", "<CrossDomainAcknowledgementAndResponse>", "<a>".repeat(100)).into_bytes(),
        ];
        for (i, c) in cases.iter().enumerate() {
            assert!(parse(c).is_err(), "case {i} was read as a CDAR");
        }
        assert!(matches!(
            parse(b"<Invoice/>"),
            Err(CdarError::NotCdar(r)) if r == "Invoice"
        ));
        assert!(matches!(
            parse(&vec![b' '; MAX_BYTES + 1]),
            Err(CdarError::TooLarge(_))
        ));
        // Every message cut short is refused, wherever the cut falls.
        let xml = build(&new("F-1", "205"));
        let whole = xml.trim_end().len();
        for cut in 0..whole {
            if xml.is_char_boundary(cut) {
                assert!(parse(&xml.as_bytes()[..cut]).is_err(), "cut at {cut}");
            }
        }
        assert!(parse(&xml.as_bytes()[..whole]).is_ok());
    }

    #[test]
    fn an_empty_root_is_a_cdar_with_no_status() {
        let c = parse(b"<CrossDomainAcknowledgementAndResponse/>").unwrap();
        assert!(c.statuses.is_empty());
    }

    #[test]
    fn dates_in_the_formats_seen() {
        assert_eq!(parse_when("20260101120000"), Some(1_767_268_800_000));
        assert_eq!(parse_when("2026-01-01T12:00:00Z"), Some(1_767_268_800_000));
        assert_eq!(parse_when("2026-13-01"), None);
        assert_eq!(parse_when("hier"), None);
        assert_eq!(format_204(1_767_268_800_000), "20260101120000");
    }
}
