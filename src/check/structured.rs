//! Reading a structured invoice, embedded in a PDF or a standalone `.xml`
//! file: the facts and the profile of one Factur-X, ZUGFeRD 1, ZUGFeRD 2,
//! XRechnung or plain EN 16931 document, in either of its syntaxes — UN/CEFACT CII (`CrossIndustryInvoice`, and ZUGFeRD 1's older
//! `CrossIndustryDocument`) or OASIS UBL (`Invoice` / `CreditNote`).
//!
//! [`parse`] streams the XML once with `quick_xml` (no DOM), keeps a stack of
//! local element names (namespace prefixes are ignored, so `rsm:`/`ram:`,
//! other prefixes and default namespaces all read the same) and picks the
//! header values by their path: invoice number, date, type, currency, the
//! seller's and buyer's names and identifiers, references, IBAN and the
//! document totals. Values from line items and from other parties (ship-to,
//! payee, invoicee, tax representative…) are never taken for the seller's or
//! the buyer's. Every fact is recorded with [`FactSource::Xml`].
//!
//! What it deliberately is not:
//! - not a validator: no XSD schema, no Schematron, no EN 16931 business
//!   rules; a document that is well-formed XML but breaks every rule still
//!   yields whatever facts it holds. It does reject XML that is not
//!   well-formed, and bounds size ([`MAX_XML_BYTES`]) and nesting
//!   ([`MAX_DEPTH`]).
//! - no PDF handling: the caller extracts the attachment (`factur-x.xml`,
//!   `zugferd-invoice.xml`, `xrechnung.xml`…), or reads the standalone
//!   file, and passes its bytes.
//! - no network and no file access: DTDs are ignored, custom or external
//!   entities are never expanded (a reference to one is an error).

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::Serialize;
use tracing::debug;

use crate::check::facts::{DocType, FactKey, FactSource, Facts};

/// Inputs larger than this are refused with [`StructuredError::TooLarge`].
pub const MAX_XML_BYTES: usize = 16 * 1024 * 1024;
/// Documents nesting deeper than this are refused with
/// [`StructuredError::TooDeep`] (the root element is level 1).
pub const MAX_DEPTH: usize = 256;

/// Longest text value kept for one element; longer values (which no header
/// field legitimately has) are dropped rather than buffered.
const MAX_VALUE_BYTES: usize = 4096;

/// The XML syntax of the document, decided by its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// `CrossIndustryInvoice`: Factur-X, ZUGFeRD 2, XRechnung CII.
    Cii,
    /// `CrossIndustryDocument`: ZUGFeRD 1.
    ZugferdV1,
    /// `Invoice` or `CreditNote`: UBL 2.x (XRechnung UBL, Peppol…).
    Ubl,
}

impl Syntax {
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Cii => "CII",
            Syntax::ZugferdV1 => "ZUGFeRD1",
            Syntax::Ubl => "UBL",
        }
    }
}

/// The Factur-X / ZUGFeRD profile (or XRechnung), read from the guideline
/// identifier (`GuidelineSpecifiedDocumentContextParameter/ID` in CII,
/// `CustomizationID` in UBL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Minimum,
    BasicWl,
    Basic,
    /// EN 16931 (Factur-X "EN 16931", ZUGFeRD 1 "COMFORT").
    En16931,
    Extended,
    #[serde(rename = "xrechnung")]
    XRechnung,
    /// Missing, or not one of the above (e.g. Peppol BIS).
    Other,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Minimum => "MINIMUM",
            Profile::BasicWl => "BASIC WL",
            Profile::Basic => "BASIC",
            Profile::En16931 => "EN 16931",
            Profile::Extended => "EXTENDED",
            Profile::XRechnung => "XRECHNUNG",
            Profile::Other => "OTHER",
        }
    }

    /// MINIMUM and BASIC WL are not full invoices (they carry no lines and
    /// are not valid invoices on their own under EN 16931); every other
    /// profile is.
    pub fn is_full_invoice(self) -> bool {
        !matches!(self, Profile::Minimum | Profile::BasicWl)
    }

    /// Maps a guideline identifier to a profile. When the identifier has
    /// several `#`-separated parts
    /// (`urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic`), the
    /// last, most specific part decides; `compliant` / `conformant` /
    /// `extension` markers are skipped.
    pub fn from_guideline_id(id: &str) -> Profile {
        let lower = id.trim().to_ascii_lowercase();
        let part = lower
            .split('#')
            .map(str::trim)
            .rfind(|p| !p.is_empty() && !matches!(*p, "compliant" | "conformant" | "extension"))
            .unwrap_or("");
        if part.contains("xrechnung") {
            Profile::XRechnung
        } else if part.contains("minimum") {
            Profile::Minimum
        } else if part.contains("basicwl") || part.contains("basic-wl") || part.contains("basic_wl")
        {
            Profile::BasicWl
        } else if part.contains("basic") {
            Profile::Basic
        } else if part.contains("extended") {
            Profile::Extended
        } else if part.contains("comfort") || part.contains("en16931") {
            Profile::En16931
        } else {
            Profile::Other
        }
    }
}

/// What [`parse`] read from one structured invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredInvoice {
    pub syntax: Syntax,
    /// The guideline identifier as written (e.g.
    /// "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic").
    pub profile_id: Option<String>,
    pub profile: Profile,
    /// The facts found, all with [`FactSource::Xml`].
    pub facts: Facts,
}

#[derive(Debug, thiserror::Error)]
pub enum StructuredError {
    #[error("the XML is not well-formed: {0}")]
    Malformed(String),
    #[error("the root element <{0}> is not a known invoice syntax")]
    UnknownRoot(String),
    #[error("the XML is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the XML nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("the XML is empty")]
    Empty,
}

/// Parses one embedded structured-invoice XML document into facts.
///
/// Accepts UTF-8 (with or without BOM), UTF-16 with a BOM, and documents
/// declared as ISO-8859-1. Never panics; refuses oversized, over-deep and
/// not-well-formed input.
pub fn parse(xml: &[u8]) -> Result<StructuredInvoice, StructuredError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(StructuredError::TooLarge(MAX_XML_BYTES));
    }
    let text = to_utf8(xml)?;
    let text: &str = &text;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.chars().all(is_xml_space) {
        return Err(StructuredError::Empty);
    }
    Parser::default().run(text)
}

// ---------------------------------------------------------------------------
// Encoding

/// The document as UTF-8 text: UTF-16 (by BOM) and ISO-8859-1 (by
/// declaration) are transcoded; everything else must be valid UTF-8.
pub fn to_utf8(xml: &[u8]) -> Result<Cow<'_, str>, StructuredError> {
    if let Some(rest) = xml.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = xml.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    if let Some(enc) = declared_encoding(xml) {
        let enc = enc.to_ascii_lowercase();
        if matches!(
            enc.as_str(),
            "iso-8859-1" | "iso_8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1"
        ) {
            return Ok(Cow::Owned(xml.iter().map(|&b| char::from(b)).collect()));
        }
    }
    std::str::from_utf8(xml)
        .map(Cow::Borrowed)
        .map_err(|e| StructuredError::Malformed(format!("the text is not valid UTF-8 ({e})")))
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, StructuredError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(StructuredError::Malformed("truncated UTF-16 text".into()));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| StructuredError::Malformed(format!("invalid UTF-16 text ({e})")))
}

/// The `encoding` pseudo-attribute of a leading `<?xml …?>` declaration.
fn declared_encoding(xml: &[u8]) -> Option<&str> {
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let head = &xml[..xml.len().min(512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

// ---------------------------------------------------------------------------
// Streaming parser

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Seller,
    Buyer,
}

impl Role {
    fn name(self) -> FactKey {
        match self {
            Role::Seller => FactKey::SellerName,
            Role::Buyer => FactKey::BuyerName,
        }
    }
    fn siren(self) -> FactKey {
        match self {
            Role::Seller => FactKey::SellerSiren,
            Role::Buyer => FactKey::BuyerSiren,
        }
    }
    fn siret(self) -> FactKey {
        match self {
            Role::Seller => FactKey::SellerSiret,
            Role::Buyer => FactKey::BuyerSiret,
        }
    }
    fn vat(self) -> FactKey {
        match self {
            Role::Seller => FactKey::SellerVat,
            Role::Buyer => FactKey::BuyerVat,
        }
    }
    fn gln(self) -> FactKey {
        match self {
            Role::Seller => FactKey::SellerGln,
            Role::Buyer => FactKey::BuyerGln,
        }
    }
}

/// How much a value is trusted: primary values win over fallbacks whatever
/// their order in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Primary,
    Fallback,
}

/// What an element's text means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    GuidelineId,
    InvoiceNumber,
    TypeCode,
    /// CII `DateTimeString` (format 102).
    IssueDate,
    /// UBL `IssueDate` (ISO).
    IssueDateIso,
    Currency,
    BuyerReference,
    OrderReference,
    Iban,
    /// The buyer's debited account (direct debit).
    BuyerIban,
    Amount(FactKey),
    /// The party's legal name (CII `Name`, UBL `RegistrationName`).
    Name(Role),
    /// UBL `PartyName/Name` (trading name): used when no legal name.
    TradingName(Role),
    /// CII `TradeParty/ID`, UBL `PartyIdentification/ID`: without a scheme,
    /// the buyer's number in the seller's books.
    PartyId(Role),
    /// CII `GlobalID`.
    GlobalId(Role),
    /// CII `SpecifiedLegalOrganization/ID`, UBL `PartyLegalEntity/CompanyID`.
    LegalId(Role),
    /// CII `SpecifiedTaxRegistration/ID` (scheme `VA` is the VAT number).
    TaxRegistration(Role),
    /// UBL `PartyTaxScheme/CompanyID`: a VAT number only if its
    /// `TaxScheme/ID` (which follows it) is `VAT`.
    UblTaxCompanyId,
    UblTaxSchemeId,
    /// CII `URIUniversalCommunication/URIID`, UBL `EndpointID`.
    ElectronicAddress(Role),
}

/// The text and attributes of an element whose text is wanted.
#[derive(Debug)]
struct Leaf {
    field: Field,
    scheme: Option<String>,
    currency: Option<String>,
    format: Option<String>,
    text: String,
    too_long: bool,
}

#[derive(Debug)]
struct Frame {
    name: String,
    leaf: Option<Leaf>,
    /// Set on a UBL `PartyTaxScheme` of the seller or buyer: its closing
    /// decides whether the pending `CompanyID` is a VAT number.
    tax_scheme_of: Option<Role>,
}

#[derive(Debug, Default)]
struct PendingTax {
    company_id: Option<String>,
    scheme: Option<String>,
}

#[derive(Debug)]
struct Amount {
    key: FactKey,
    value: String,
    currency: Option<String>,
}

#[derive(Debug)]
struct Parser {
    version: XmlVersion,
    stack: Vec<Frame>,
    syntax: Option<Syntax>,
    root_is_credit_note: bool,
    root_closed: bool,
    primary: Facts,
    fallback: Facts,
    profile_id: Option<String>,
    type_code: Option<String>,
    currency: Option<String>,
    amounts: Vec<Amount>,
    pending_tax: Option<PendingTax>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser {
            version: XmlVersion::Implicit1_0,
            stack: Vec::new(),
            syntax: None,
            root_is_credit_note: false,
            root_closed: false,
            primary: Facts::default(),
            fallback: Facts::default(),
            profile_id: None,
            type_code: None,
            currency: None,
            amounts: Vec::new(),
            pending_tax: None,
        }
    }
}

fn malformed(msg: impl Into<String>) -> StructuredError {
    StructuredError::Malformed(msg.into())
}

impl Parser {
    fn run(mut self, text: &str) -> Result<StructuredInvoice, StructuredError> {
        let mut reader = Reader::from_str(text);
        {
            let config = reader.config_mut();
            config.check_end_names = true;
            config.check_comments = true;
            config.allow_unmatched_ends = false;
            config.allow_dangling_amp = false;
            config.expand_empty_elements = false;
            config.trim_text(false);
        }
        let mut first_event = true;
        loop {
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    return Err(malformed(format!(
                        "{e} (at byte {})",
                        reader.error_position()
                    )));
                }
            };
            match event {
                Event::Decl(decl) => {
                    if !first_event {
                        return Err(malformed("the XML declaration is not at the start"));
                    }
                    self.version = decl.xml_version().map_err(|e| malformed(e.to_string()))?;
                }
                Event::DocType(_) => {
                    // Ignored: no entity it declares is ever expanded.
                    if self.syntax.is_some() {
                        return Err(malformed("DOCTYPE after the root element"));
                    }
                }
                Event::Start(start) => self.open(&start)?,
                Event::Empty(start) => {
                    self.open(&start)?;
                    self.close()?;
                }
                Event::End(_) => self.close()?,
                Event::Text(t) => {
                    let content = t.xml_content(self.version);
                    if self.stack.is_empty() {
                        if !content.chars().all(is_xml_space) {
                            return Err(malformed("text outside the root element"));
                        }
                    } else {
                        self.push_text(&content);
                    }
                }
                Event::CData(c) => {
                    if self.stack.is_empty() {
                        return Err(malformed("CDATA outside the root element"));
                    }
                    let content = c.xml_content(self.version);
                    self.push_text(&content);
                }
                Event::GeneralRef(r) => {
                    if self.stack.is_empty() {
                        return Err(malformed("entity reference outside the root element"));
                    }
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match resolve_predefined_entity(&r) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(malformed(format!(
                                    "reference to the undefined entity &{};",
                                    &*r
                                )));
                            }
                        },
                        Err(e) => return Err(malformed(e.to_string())),
                    };
                    self.push_text(&resolved);
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
            first_event = false;
        }
        if let Some(open) = self.stack.last() {
            return Err(malformed(format!(
                "the document ends inside <{}>",
                open.name
            )));
        }
        if self.syntax.is_none() {
            return Err(malformed("there is no root element"));
        }
        Ok(self.finish())
    }

    fn open(&mut self, start: &BytesStart<'_>) -> Result<(), StructuredError> {
        let qname = start.name().into_inner();
        let local = start.local_name().into_inner();
        if self.stack.len() >= MAX_DEPTH {
            return Err(StructuredError::TooDeep(MAX_DEPTH));
        }
        if self.root_closed {
            return Err(malformed(format!(
                "element <{qname}> after the root element"
            )));
        }
        if self.stack.is_empty() {
            self.syntax = Some(match local {
                "CrossIndustryInvoice" => Syntax::Cii,
                "CrossIndustryDocument" => Syntax::ZugferdV1,
                "Invoice" => Syntax::Ubl,
                "CreditNote" => {
                    self.root_is_credit_note = true;
                    Syntax::Ubl
                }
                _ => return Err(StructuredError::UnknownRoot(qname.to_string())),
            });
        }

        // Every attribute is read, so that a malformed or duplicated one,
        // or an undefined entity in a value, is reported.
        let mut scheme = None;
        let mut currency = None;
        let mut format = None;
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(format!("in <{qname}>: {e}")))?;
            let value = attr
                .normalized_value(self.version)
                .map_err(|e| malformed(format!("in <{qname}>: {e}")))?;
            match attr.key.local_name().into_inner() {
                "schemeID" => scheme = Some(value.trim().to_string()),
                "currencyID" => currency = Some(value.trim().to_string()),
                "format" => format = Some(value.trim().to_string()),
                _ => {}
            }
        }

        // An element with a child has no simple text value.
        if let Some(parent) = self.stack.last_mut() {
            parent.leaf = None;
        }

        let (field, tax_scheme_of) = match self.syntax {
            Some(syntax) if self.stack.len() < 8 => {
                let path: Vec<&str> = self
                    .stack
                    .iter()
                    .map(|f| f.name.as_str())
                    .chain(std::iter::once(local))
                    .collect();
                match syntax {
                    Syntax::Cii | Syntax::ZugferdV1 => (classify_cii(&path[1..]), None),
                    Syntax::Ubl => classify_ubl(&path[1..]),
                }
            }
            _ => (None, None),
        };
        if tax_scheme_of.is_some() {
            self.pending_tax = Some(PendingTax::default());
        }
        self.stack.push(Frame {
            name: local.to_string(),
            leaf: field.map(|field| Leaf {
                field,
                scheme,
                currency,
                format,
                text: String::new(),
                too_long: false,
            }),
            tax_scheme_of,
        });
        Ok(())
    }

    fn push_text(&mut self, s: &str) {
        if let Some(leaf) = self.stack.last_mut().and_then(|f| f.leaf.as_mut()) {
            if leaf.too_long {
                return;
            }
            if leaf.text.len() + s.len() > MAX_VALUE_BYTES {
                leaf.too_long = true;
                leaf.text.clear();
            } else {
                leaf.text.push_str(s);
            }
        }
    }

    fn close(&mut self) -> Result<(), StructuredError> {
        let frame = self
            .stack
            .pop()
            .ok_or_else(|| malformed("an end tag without a start tag"))?;
        if let Some(leaf) = frame.leaf {
            if leaf.too_long {
                debug!(element = %frame.name, "structured: value too long, ignored");
            } else {
                self.take(leaf);
            }
        }
        // Only the closing PartyTaxScheme itself settles the pending value.
        if let Some(role) = frame.tax_scheme_of
            && let Some(pending) = self.pending_tax.take()
        {
            let is_vat = pending
                .scheme
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("VAT"));
            if let (true, Some(id)) = (is_vat, pending.company_id) {
                self.put(role.vat(), &compact_upper(&id), Tier::Primary);
            }
        }
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }

    fn put(&mut self, key: FactKey, value: &str, tier: Tier) {
        let facts = match tier {
            Tier::Primary => &mut self.primary,
            Tier::Fallback => &mut self.fallback,
        };
        facts.insert(key, value, FactSource::Xml);
    }

    /// Records the value of one finished leaf element.
    fn take(&mut self, leaf: Leaf) {
        let value = collapse_space(&leaf.text);
        if value.is_empty() {
            return;
        }
        let scheme = leaf.scheme.as_deref().filter(|s| !s.is_empty());
        match leaf.field {
            Field::GuidelineId => {
                self.profile_id.get_or_insert(value);
            }
            Field::InvoiceNumber => self.put(FactKey::InvoiceNumber, &value, Tier::Primary),
            Field::TypeCode => {
                self.type_code.get_or_insert(value);
            }
            Field::IssueDate => match date_from_cii(&value, leaf.format.as_deref()) {
                Some(date) => self.put(FactKey::IssueDate, &date, Tier::Primary),
                None => debug!(%value, format = ?leaf.format, "structured: unreadable issue date"),
            },
            Field::IssueDateIso => match date_from_iso(&value) {
                Some(date) => self.put(FactKey::IssueDate, &date, Tier::Primary),
                None => debug!(%value, "structured: unreadable issue date"),
            },
            Field::Currency => {
                let code = value.to_ascii_uppercase();
                self.put(FactKey::Currency, &code, Tier::Primary);
                self.currency.get_or_insert(code);
            }
            Field::BuyerReference => self.put(FactKey::BuyerReference, &value, Tier::Primary),
            Field::OrderReference => self.put(FactKey::OrderReference, &value, Tier::Primary),
            Field::Iban => self.put(FactKey::Iban, &compact_upper(&value), Tier::Primary),
            Field::BuyerIban => self.put(FactKey::BuyerIban, &compact_upper(&value), Tier::Primary),
            Field::Amount(key) => match normalize_amount(&value) {
                Some(amount) => self.amounts.push(Amount {
                    key,
                    value: amount,
                    currency: leaf.currency.filter(|c| !c.is_empty()),
                }),
                None => debug!(%value, key = key.as_str(), "structured: unreadable amount"),
            },
            Field::Name(role) => self.put(role.name(), &value, Tier::Primary),
            Field::TradingName(role) => self.put(role.name(), &value, Tier::Fallback),
            Field::PartyId(role) => match scheme {
                Some(scheme) => self.put_identifier(role, scheme, &value, Tier::Primary),
                None if role == Role::Buyer => {
                    self.put(FactKey::BuyerCustomerNumber, &value, Tier::Primary)
                }
                None => {}
            },
            Field::GlobalId(role) | Field::LegalId(role) => {
                if let Some(scheme) = scheme {
                    self.put_identifier(role, scheme, &value, Tier::Primary);
                }
            }
            Field::TaxRegistration(role) => {
                if scheme.is_some_and(|s| s.eq_ignore_ascii_case("VA")) {
                    self.put(role.vat(), &compact_upper(&value), Tier::Primary);
                }
            }
            Field::UblTaxCompanyId => {
                if let Some(pending) = self.pending_tax.as_mut() {
                    pending.company_id.get_or_insert(value);
                }
            }
            Field::UblTaxSchemeId => {
                if let Some(pending) = self.pending_tax.as_mut() {
                    pending.scheme.get_or_insert(value);
                }
            }
            Field::ElectronicAddress(role) => {
                if role == Role::Buyer {
                    let address = match scheme {
                        Some(scheme) => format!("{scheme}:{value}"),
                        None => value.clone(),
                    };
                    self.put(FactKey::BuyerElectronicAddress, &address, Tier::Primary);
                }
                // The address is also the party's identifier in that scheme,
                // but an explicit identifier elsewhere in the party wins.
                if let Some(scheme) = scheme {
                    self.put_identifier(role, scheme, &value, Tier::Fallback);
                }
            }
        }
    }

    /// Records a party identifier by its ISO 6523 scheme.
    fn put_identifier(&mut self, role: Role, scheme: &str, value: &str, tier: Tier) {
        let id = compact(value);
        match scheme {
            "0002" => {
                if is_digits(&id, 14) {
                    // A SIRET under the SIREN scheme: keep it as the SIRET
                    // and take the SIREN from it.
                    debug!(%id, "structured: 14-digit identifier under scheme 0002 (SIREN)");
                    self.put(role.siret(), &id, Tier::Fallback);
                    self.put(role.siren(), &id[..9], Tier::Fallback);
                } else {
                    self.put(role.siren(), &id, tier);
                }
            }
            "0009" => {
                self.put(role.siret(), &id, tier);
                if is_digits(&id, 14) {
                    self.put(role.siren(), &id[..9], Tier::Fallback);
                }
            }
            "0088" => self.put(role.gln(), &id, tier),
            "0037" if role == Role::Buyer => self.put(FactKey::BuyerOvt, &id, tier),
            _ => {}
        }
    }

    fn finish(mut self) -> StructuredInvoice {
        // Totals: the value in the invoice currency when a total is given
        // in several currencies (TaxTotalAmount in invoice and tax currency).
        for key in [
            FactKey::TotalWithoutTax,
            FactKey::TotalTax,
            FactKey::TotalWithTax,
            FactKey::AmountDue,
        ] {
            let doc_currency = self.currency.as_deref();
            let of_key = || self.amounts.iter().filter(|a| a.key == key);
            let chosen = of_key()
                .find(|a| match (a.currency.as_deref(), doc_currency) {
                    (Some(c), Some(doc)) => c.eq_ignore_ascii_case(doc),
                    _ => false,
                })
                .or_else(|| of_key().find(|a| a.currency.is_none()))
                .or_else(|| of_key().next());
            if let Some(amount) = chosen {
                self.primary
                    .insert(key, amount.value.clone(), FactSource::Xml);
            }
        }

        let syntax = self.syntax.unwrap_or(Syntax::Cii);
        let doc_type = match (&self.type_code, syntax) {
            _ if self.root_is_credit_note => Some(DocType::CreditNote),
            (Some(code), _) => Some(DocType::from_type_code(code)),
            (None, Syntax::Ubl) => Some(DocType::Invoice),
            (None, _) => None,
        };
        if let Some(code) = &self.type_code {
            self.primary
                .insert(FactKey::TypeCode, code.clone(), FactSource::Xml);
        }
        if let Some(doc_type) = doc_type {
            self.primary
                .insert(FactKey::DocType, doc_type.as_str(), FactSource::Xml);
        }
        self.primary.fill_from(&self.fallback);

        let profile = self
            .profile_id
            .as_deref()
            .map_or(Profile::Other, Profile::from_guideline_id);
        StructuredInvoice {
            syntax,
            profile_id: self.profile_id,
            profile,
            facts: self.primary,
        }
    }
}

// ---------------------------------------------------------------------------
// Paths

fn is_party_role(name: &str) -> Option<Role> {
    match name {
        "SellerTradeParty" | "AccountingSupplierParty" => Some(Role::Seller),
        "BuyerTradeParty" | "AccountingCustomerParty" => Some(Role::Buyer),
        _ => None,
    }
}

/// CII (Factur-X / ZUGFeRD 2 / XRechnung) and ZUGFeRD 1 header paths, below
/// the root element. ZUGFeRD 1 names its header elements differently
/// (`HeaderExchangedDocument`, `ApplicableSupplyChainTradeAgreement`…); both
/// spellings are accepted in both.
fn classify_cii(path: &[&str]) -> Option<Field> {
    const CONTEXT: [&str; 2] = [
        "ExchangedDocumentContext",
        "SpecifiedExchangedDocumentContext",
    ];
    const DOCUMENT: [&str; 2] = ["ExchangedDocument", "HeaderExchangedDocument"];
    const TRANSACTION: [&str; 2] = [
        "SupplyChainTradeTransaction",
        "SpecifiedSupplyChainTradeTransaction",
    ];
    const AGREEMENT: [&str; 2] = [
        "ApplicableHeaderTradeAgreement",
        "ApplicableSupplyChainTradeAgreement",
    ];
    const SETTLEMENT: [&str; 2] = [
        "ApplicableHeaderTradeSettlement",
        "ApplicableSupplyChainTradeSettlement",
    ];
    const SUMMATION: [&str; 2] = [
        "SpecifiedTradeSettlementHeaderMonetarySummation",
        "SpecifiedTradeSettlementMonetarySummation",
    ];

    match path {
        [ctx, "GuidelineSpecifiedDocumentContextParameter", "ID"] if CONTEXT.contains(ctx) => {
            Some(Field::GuidelineId)
        }
        [doc, "ID"] if DOCUMENT.contains(doc) => Some(Field::InvoiceNumber),
        [doc, "TypeCode"] if DOCUMENT.contains(doc) => Some(Field::TypeCode),
        [doc, "IssueDateTime", "DateTimeString"] if DOCUMENT.contains(doc) => {
            Some(Field::IssueDate)
        }
        [tx, agreement, rest @ ..] if TRANSACTION.contains(tx) && AGREEMENT.contains(agreement) => {
            match rest {
                ["BuyerReference"] => Some(Field::BuyerReference),
                ["BuyerOrderReferencedDocument", "IssuerAssignedID" | "ID"] => {
                    Some(Field::OrderReference)
                }
                [party, rest @ ..] => {
                    let role = is_party_role(party)?;
                    match rest {
                        ["ID"] => Some(Field::PartyId(role)),
                        ["GlobalID"] => Some(Field::GlobalId(role)),
                        ["Name"] => Some(Field::Name(role)),
                        ["SpecifiedLegalOrganization", "ID"] => Some(Field::LegalId(role)),
                        ["SpecifiedTaxRegistration", "ID"] => Some(Field::TaxRegistration(role)),
                        ["URIUniversalCommunication", "URIID"] => {
                            Some(Field::ElectronicAddress(role))
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        [tx, settlement, rest @ ..]
            if TRANSACTION.contains(tx) && SETTLEMENT.contains(settlement) =>
        {
            match rest {
                ["InvoiceCurrencyCode"] => Some(Field::Currency),
                [
                    "SpecifiedTradeSettlementPaymentMeans",
                    "PayeePartyCreditorFinancialAccount",
                    "IBANID",
                ] => Some(Field::Iban),
                [
                    "SpecifiedTradeSettlementPaymentMeans",
                    "PayerPartyDebtorFinancialAccount",
                    "IBANID",
                ] => Some(Field::BuyerIban),
                [summation, amount] if SUMMATION.contains(summation) => match *amount {
                    "TaxBasisTotalAmount" => Some(Field::Amount(FactKey::TotalWithoutTax)),
                    "TaxTotalAmount" => Some(Field::Amount(FactKey::TotalTax)),
                    "GrandTotalAmount" => Some(Field::Amount(FactKey::TotalWithTax)),
                    "DuePayableAmount" => Some(Field::Amount(FactKey::AmountDue)),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// UBL `Invoice` / `CreditNote` paths below the root element. Returns the
/// field, and the role when the element is a party's `PartyTaxScheme`.
fn classify_ubl(path: &[&str]) -> (Option<Field>, Option<Role>) {
    let field = match path {
        ["CustomizationID"] => Field::GuidelineId,
        ["ID"] => Field::InvoiceNumber,
        ["IssueDate"] => Field::IssueDateIso,
        ["InvoiceTypeCode" | "CreditNoteTypeCode"] => Field::TypeCode,
        ["DocumentCurrencyCode"] => Field::Currency,
        ["BuyerReference"] => Field::BuyerReference,
        ["OrderReference", "ID"] => Field::OrderReference,
        ["PaymentMeans", "PayeeFinancialAccount", "ID"] => Field::Iban,
        [
            "PaymentMeans",
            "PaymentMandate",
            "PayerFinancialAccount",
            "ID",
        ] => Field::BuyerIban,
        ["TaxTotal", "TaxAmount"] => Field::Amount(FactKey::TotalTax),
        ["LegalMonetaryTotal", amount] => match *amount {
            "TaxExclusiveAmount" => Field::Amount(FactKey::TotalWithoutTax),
            "TaxInclusiveAmount" => Field::Amount(FactKey::TotalWithTax),
            "PayableAmount" => Field::Amount(FactKey::AmountDue),
            _ => return (None, None),
        },
        [party, "Party", rest @ ..] => {
            let Some(role) = is_party_role(party) else {
                return (None, None);
            };
            match rest {
                ["EndpointID"] => Field::ElectronicAddress(role),
                ["PartyIdentification", "ID"] => Field::PartyId(role),
                ["PartyName", "Name"] => Field::TradingName(role),
                ["PartyLegalEntity", "RegistrationName"] => Field::Name(role),
                ["PartyLegalEntity", "CompanyID"] => Field::LegalId(role),
                ["PartyTaxScheme"] => return (None, Some(role)),
                ["PartyTaxScheme", "CompanyID"] => Field::UblTaxCompanyId,
                ["PartyTaxScheme", "TaxScheme", "ID"] => Field::UblTaxSchemeId,
                _ => return (None, None),
            }
        }
        _ => return (None, None),
    };
    (Some(field), None)
}

// ---------------------------------------------------------------------------
// Values

/// Trims and collapses runs of XML white space into one space.
fn collapse_space(s: &str) -> String {
    s.split(is_xml_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Removes all white space (identifiers are often written in groups).
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn compact_upper(s: &str) -> String {
    compact(s).to_uppercase()
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// An amount as a plain decimal with a dot, digits kept as written except
/// for a leading `+` and redundant leading zeros: `"+0012,50"` → `"12.50"`,
/// `".5"` → `"0.5"`. `None` when it is not a plain decimal number.
fn normalize_amount(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if unsigned.contains('.') && unsigned.contains(',') {
        return None;
    }
    let mut parts = unsigned.splitn(2, ['.', ',']);
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let mut out = String::with_capacity(s.len() + 1);
    if negative {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// A CII `DateTimeString` as `YYYY-MM-DD`: format 102 (`YYYYMMDD`), or no
/// format with a value that reads as one. Other formats (610 month, 616
/// week) are not a day and give `None`.
fn date_from_cii(value: &str, format: Option<&str>) -> Option<String> {
    match format {
        Some("102") | None => {}
        Some(_) => return None,
    }
    if is_digits(value, 8) {
        return checked_date(&value[..4], &value[4..6], &value[6..8]);
    }
    // Some producers write an ISO date despite format 102.
    date_from_iso(value)
}

/// An ISO date (`YYYY-MM-DD`, optionally followed by a time or zone) as
/// `YYYY-MM-DD`.
fn date_from_iso(value: &str) -> Option<String> {
    let b = value.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b'Z' | b'+' | b'-' | b' ') {
        return None;
    }
    checked_date(value.get(..4)?, value.get(5..7)?, value.get(8..10)?)
}

fn checked_date(y: &str, m: &str, d: &str) -> Option<String> {
    if !(is_digits(y, 4) && is_digits(m, 2) && is_digits(d, 2)) {
        return None;
    }
    let year: u32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    let day: u32 = d.parse().ok()?;
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then(|| format!("{y}-{m}-{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZUGFERD1_EXTENDED: &[u8] =
        include_bytes!("../../tests/fixtures/xml/zugferd1_extended_RK21012345.xml");
    const FACTURX_MINIMUM_CREDIT_NOTE: &[u8] =
        include_bytes!("../../tests/fixtures/xml/facturx_minimum_credit_note_AV-2017-0005.xml");
    const ZUGFERD2_EN16931: &[u8] =
        include_bytes!("../../tests/fixtures/xml/zugferd2_en16931_47110818.xml");
    const XRECHNUNG_CII: &[u8] =
        include_bytes!("../../tests/fixtures/xml/xrechnung_cii_181301674.xml");
    const UBL_INVOICE: &[u8] = include_bytes!("../../tests/fixtures/xml/ubl_invoice.xml");
    const UBL_CREDIT_NOTE: &[u8] = include_bytes!("../../tests/fixtures/xml/ubl_credit_note.xml");

    fn ok(xml: &[u8]) -> StructuredInvoice {
        match parse(xml) {
            Ok(inv) => inv,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    fn get(inv: &StructuredInvoice, key: FactKey) -> Option<&str> {
        inv.facts.get(key)
    }

    /// Asserts every listed fact (`None`: absent), that no unlisted fact was
    /// found, and that every fact comes from the XML.
    fn assert_facts(inv: &StructuredInvoice, expected: &[(FactKey, Option<&str>)]) {
        for (key, value) in expected {
            assert_eq!(get(inv, *key), *value, "fact {}", key.as_str());
        }
        for (key, fact) in inv.facts.iter() {
            assert!(
                expected.iter().any(|(k, _)| *k == key),
                "unexpected fact {} = {:?}",
                key.as_str(),
                fact.value
            );
            assert_eq!(fact.source, FactSource::Xml, "source of {}", key.as_str());
        }
    }

    fn cii(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
{body}
</rsm:CrossIndustryInvoice>"#
        )
    }

    fn assert_malformed(xml: &[u8], what: &str) {
        match parse(xml) {
            Err(StructuredError::Malformed(msg)) => assert!(!msg.is_empty(), "{what}"),
            other => panic!("{what}: expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn zugferd1_extended_correction() {
        let inv = ok(ZUGFERD1_EXTENDED);
        assert_eq!(inv.syntax, Syntax::ZugferdV1);
        assert_eq!(inv.syntax.as_str(), "ZUGFeRD1");
        assert_eq!(
            inv.profile_id.as_deref(),
            Some("urn:ferd:CrossIndustryDocument:invoice:1p0:extended")
        );
        assert_eq!(inv.profile, Profile::Extended);
        assert!(inv.profile.is_full_invoice());
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                (InvoiceNumber, Some("RK21012345")),
                (IssueDate, Some("2013-09-16")),
                // A "RECHNUNGS-KORREKTUR" with negative amounts, typed 380.
                (TypeCode, Some("380")),
                (DocType, Some("invoice")),
                (Currency, Some("EUR")),
                (SellerName, Some("MUSTERLIEFERANT GMBH")),
                (SellerGln, Some("4333741000005")),
                (SellerVat, Some("DE123456789")),
                (BuyerName, Some("MUSTER-KUNDE GMBH")),
                // Not the ship-to party's 4304171088093, nor a product GTIN.
                (BuyerGln, Some("4304171000002")),
                (BuyerCustomerNumber, Some("009420")),
                (BuyerVat, None),
                (OrderReference, Some("B123456789")),
                (TotalWithoutTax, Some("-7.67")),
                (TotalTax, Some("-1.12")),
                (TotalWithTax, Some("-8.79")),
                (AmountDue, Some("0.00")),
                (Iban, None),
                (SellerSiren, None),
                (BuyerElectronicAddress, None),
            ],
        );
    }

    #[test]
    fn facturx_minimum_credit_note() {
        let inv = ok(FACTURX_MINIMUM_CREDIT_NOTE);
        assert_eq!(inv.syntax, Syntax::Cii);
        assert_eq!(
            inv.profile_id.as_deref(),
            Some("urn:factur-x.eu:1p0:minimum")
        );
        assert_eq!(inv.profile, Profile::Minimum);
        assert!(!inv.profile.is_full_invoice());
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                // Not the referenced invoice FA-2017-0010.
                (InvoiceNumber, Some("AV-2017-0005")),
                (IssueDate, Some("2017-11-16")),
                (TypeCode, Some("381")),
                (DocType, Some("credit_note")),
                (Currency, Some("EUR")),
                (SellerName, Some("Au bon moulin")),
                // The sample puts 14-digit SIRETs under scheme 0002 (SIREN).
                (SellerSiret, Some("99999999800010")),
                (SellerSiren, Some("999999998")),
                (SellerVat, Some("FR11999999998")),
                (BuyerName, Some("Ma jolie boutique")),
                (BuyerSiret, Some("78787878400035")),
                (BuyerSiren, Some("787878784")),
                (BuyerVat, Some("FR19787878784")),
                (OrderReference, Some("PO445")),
                (TotalWithoutTax, Some("218.48")),
                (TotalTax, Some("14.99")),
                (TotalWithTax, Some("233.47")),
                (AmountDue, Some("233.47")),
                (BuyerCustomerNumber, None),
                (Iban, None),
            ],
        );
    }

    #[test]
    fn zugferd2_en16931_default_namespace_and_other_parties() {
        let inv = ok(ZUGFERD2_EN16931);
        assert_eq!(inv.syntax, Syntax::Cii);
        assert_eq!(inv.profile_id.as_deref(), Some("urn:cen.eu:en16931:2017"));
        assert_eq!(inv.profile, Profile::En16931);
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                (InvoiceNumber, Some("47110818")),
                (IssueDate, Some("2018-10-31")),
                (TypeCode, Some("389")),
                (DocType, Some("invoice")),
                (Currency, Some("EUR")),
                (SellerName, Some("Global Supplies Ltd.")),
                // Not the tax representative's DE987654321.
                (SellerVat, Some("GB123456789")),
                (SellerGln, None),
                (BuyerName, Some("Metallbau Leipzig GmbH & Co. KG")),
                (BuyerVat, Some("DE123456789")),
                // Not the ship-to party's 75969815.
                (BuyerCustomerNumber, Some("75969813")),
                (Iban, Some("DE1212344321987600")),
                (TotalWithoutTax, Some("2000.00")),
                (TotalTax, Some("0.00")),
                (TotalWithTax, Some("2000.00")),
                (AmountDue, Some("2000.00")),
                (OrderReference, None),
                (BuyerReference, None),
            ],
        );
    }

    #[test]
    fn xrechnung_cii() {
        let inv = ok(XRECHNUNG_CII);
        assert_eq!(inv.syntax, Syntax::Cii);
        assert_eq!(
            inv.profile_id.as_deref(),
            Some("urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.1")
        );
        assert_eq!(inv.profile, Profile::XRechnung);
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                (InvoiceNumber, Some("181301674")),
                (IssueDate, Some("2018-04-25")),
                (TypeCode, Some("877")),
                (DocType, Some("invoice")),
                (Currency, Some("EUR")),
                (BuyerReference, Some("04011000-12345-34")),
                (SellerName, Some("ELEKTRON Industrieservice GmbH")),
                (SellerGln, Some("4000001123452")),
                (SellerVat, Some("DE123456789")),
                (BuyerName, Some("ConsultingService GmbH")),
                (BuyerCustomerNumber, Some("16259")),
                (Iban, Some("DE91100000000123456789")),
                // SellerOrderReferencedDocument is not the buyer's order.
                (OrderReference, None),
                (TotalWithoutTax, Some("252.1")),
                (TotalTax, Some("47.9")),
                (TotalWithTax, Some("300")),
                (AmountDue, Some("300")),
            ],
        );
    }

    #[test]
    fn ubl_invoice() {
        let inv = ok(UBL_INVOICE);
        assert_eq!(inv.syntax, Syntax::Ubl);
        assert_eq!(inv.syntax.as_str(), "UBL");
        assert_eq!(inv.profile_id.as_deref(), Some("urn:cen.eu:en16931:2017"));
        assert_eq!(inv.profile, Profile::En16931);
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                // Not a line's or a referenced document's ID.
                (InvoiceNumber, Some("FA-2025-0042")),
                (IssueDate, Some("2025-03-14")),
                (TypeCode, Some("380")),
                (DocType, Some("invoice")),
                (Currency, Some("EUR")),
                (BuyerReference, Some("SERVICE-ACHATS")),
                (OrderReference, Some("EJ-2025-118")),
                // The legal name wins over the trading name.
                (SellerName, Some("Atelier Durand SARL")),
                (SellerSiren, Some("732829320")),
                // From the 0009 endpoint, for want of a PartyIdentification.
                (SellerSiret, Some("73282932000074")),
                (SellerGln, Some("3014531200102")),
                // The FC tax registration comes first but is not the VAT number.
                (SellerVat, Some("FR44732829320")),
                (BuyerName, Some("Client Exemple SA")),
                (BuyerElectronicAddress, Some("0225:552100554_ACHATS")),
                (BuyerCustomerNumber, Some("CLI-0099")),
                (BuyerSiret, Some("55210055400013")),
                (BuyerSiren, Some("552100554")),
                (BuyerVat, Some("FR96552100554")),
                (BuyerGln, None),
                (BuyerOvt, None),
                (Iban, Some("FR7630006000011234567890189")),
                (TotalWithoutTax, Some("1000.00")),
                (TotalTax, Some("200.00")),
                (TotalWithTax, Some("1200.00")),
                (AmountDue, Some("1100.00")),
            ],
        );
    }

    #[test]
    fn ubl_credit_note() {
        let inv = ok(UBL_CREDIT_NOTE);
        assert_eq!(inv.syntax, Syntax::Ubl);
        assert_eq!(inv.profile, Profile::XRechnung);
        use FactKey::*;
        assert_facts(
            &inv,
            &[
                // Not the billing reference FA-2025-0042.
                (InvoiceNumber, Some("AV-2025-0007")),
                (IssueDate, Some("2025-03-20")),
                (TypeCode, Some("381")),
                (DocType, Some("credit_note")),
                (Currency, Some("EUR")),
                (BuyerReference, Some("04011000-12345-34")),
                // Only a trading name: used for want of a legal name.
                (SellerName, Some("Atelier Durand & Fils")),
                (SellerSiret, Some("73282932000074")),
                (SellerSiren, Some("732829320")),
                (SellerVat, Some("FR44732829320")),
                (BuyerName, Some("Kunden AG")),
                (BuyerElectronicAddress, Some("0088:4000001123452")),
                (BuyerGln, Some("4000001123452")),
                (BuyerSiren, Some("552100554")),
                // The 0060 (DUNS) identification is not a customer number.
                (BuyerCustomerNumber, Some("K-7781")),
                // The tax representative's VAT number does not leak.
                (BuyerVat, None),
                (TotalWithoutTax, Some("100.00")),
                // The EUR tax total, not the CHF one written first.
                (TotalTax, Some("20.00")),
                (TotalWithTax, Some("120.00")),
                (AmountDue, Some("120.00")),
                (OrderReference, None),
            ],
        );
    }

    #[test]
    fn ubl_credit_note_name_is_trading_name_when_no_registration_name() {
        let xml = br#"<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:cac="c" xmlns:cbc="b">
  <cbc:ID>C1</cbc:ID>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Trading Name</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingSupplierParty>
</CreditNote>"#;
        let inv = ok(xml);
        assert_eq!(get(&inv, FactKey::SellerName), Some("Trading Name"));
        // No type code: the root element decides.
        assert_eq!(get(&inv, FactKey::DocType), Some("credit_note"));
        assert_eq!(get(&inv, FactKey::TypeCode), None);
        assert_eq!(inv.profile, Profile::Other);
        assert_eq!(inv.profile_id, None);
    }

    #[test]
    fn cii_tax_total_in_invoice_currency_and_electronic_address() {
        // Modelled on the ZUGFeRD 2.1 EXTENDED "Fremdwaehrung" sample: the
        // tax total is given in the invoice currency and in the tax currency.
        let xml = cii(
            r#"<rsm:ExchangedDocument><ram:ID>47110815</ram:ID><ram:TypeCode>380</ram:TypeCode></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement>
    <ram:BuyerTradeParty>
      <ram:GlobalID schemeID="0037">003712345678</ram:GlobalID>
      <ram:URIUniversalCommunication><ram:URIID schemeID="0225">123456789_SVC</ram:URIID></ram:URIUniversalCommunication>
    </ram:BuyerTradeParty>
    <ram:ShipToTradeParty><ram:GlobalID schemeID="0088">4000001123452</ram:GlobalID></ram:ShipToTradeParty>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
    <ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>
    <ram:InvoiceCurrencyCode>GBP</ram:InvoiceCurrencyCode>
    <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
      <ram:TaxBasisTotalAmount>858.75</ram:TaxBasisTotalAmount>
      <ram:TaxTotalAmount currencyID="EUR">183.14</ram:TaxTotalAmount>
      <ram:TaxTotalAmount currencyID="GBP">163.16</ram:TaxTotalAmount>
      <ram:GrandTotalAmount>1021.91</ram:GrandTotalAmount>
      <ram:DuePayableAmount>521.91</ram:DuePayableAmount>
    </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>"#,
        );
        let inv = ok(xml.as_bytes());
        assert_eq!(get(&inv, FactKey::Currency), Some("GBP"));
        assert_eq!(get(&inv, FactKey::TotalTax), Some("163.16"));
        assert_eq!(get(&inv, FactKey::TotalWithoutTax), Some("858.75"));
        assert_eq!(get(&inv, FactKey::BuyerOvt), Some("003712345678"));
        assert_eq!(
            get(&inv, FactKey::BuyerElectronicAddress),
            Some("0225:123456789_SVC")
        );
        assert_eq!(get(&inv, FactKey::BuyerGln), None);
        assert_eq!(get(&inv, FactKey::IssueDate), None);
        assert_eq!(inv.profile, Profile::Other);
    }

    #[test]
    fn amount_without_currency_beats_one_in_another_currency() {
        let xml = br#"<Invoice><DocumentCurrencyCode>EUR</DocumentCurrencyCode>
  <TaxTotal><TaxAmount currencyID="USD">21.00</TaxAmount></TaxTotal>
  <TaxTotal><TaxAmount>20.00</TaxAmount></TaxTotal>
  <TaxTotal><TaxAmount currencyID="eur">19.00</TaxAmount></TaxTotal>
  <LegalMonetaryTotal><PayableAmount currencyID="USD">5</PayableAmount></LegalMonetaryTotal>
</Invoice>"#;
        let inv = ok(xml);
        // Same currency (case aside) first, then no currency, then anything.
        assert_eq!(get(&inv, FactKey::TotalTax), Some("19.00"));
        assert_eq!(get(&inv, FactKey::AmountDue), Some("5"));

        let xml = br#"<Invoice><DocumentCurrencyCode>EUR</DocumentCurrencyCode>
  <TaxTotal><TaxAmount currencyID="USD">21.00</TaxAmount></TaxTotal>
  <TaxTotal><TaxAmount>20.00</TaxAmount></TaxTotal>
</Invoice>"#;
        assert_eq!(get(&ok(xml), FactKey::TotalTax), Some("20.00"));
    }

    #[test]
    fn seller_identifiers_stay_with_the_seller() {
        let xml = br#"<Invoice>
  <AccountingSupplierParty><Party>
    <EndpointID schemeID="0037">003711111111</EndpointID>
    <PartyIdentification><ID schemeID="0037">003711111111</ID></PartyIdentification>
    <PartyIdentification><ID>SELLER-OWN-ID</ID></PartyIdentification>
    <PartyTaxScheme><CompanyID>FI11111111</CompanyID></PartyTaxScheme>
  </Party></AccountingSupplierParty>
  <AccountingCustomerParty><Party>
    <PartyIdentification><ID schemeID="0037">003722222222</ID></PartyIdentification>
  </Party></AccountingCustomerParty>
</Invoice>"#;
        let inv = ok(xml);
        assert_eq!(get(&inv, FactKey::BuyerOvt), Some("003722222222"));
        assert_eq!(get(&inv, FactKey::BuyerElectronicAddress), None);
        assert_eq!(get(&inv, FactKey::BuyerCustomerNumber), None);
        // A PartyTaxScheme without TaxScheme is taken as the VAT registration.
        assert_eq!(get(&inv, FactKey::SellerVat), Some("FI11111111"));
        assert_eq!(inv.facts.iter().count(), 3);
    }

    #[test]
    fn element_with_children_has_no_value() {
        let inv = ok(
            b"<Invoice><ID>12<b>3</b>4</ID><BuyerReference>R<!-- c -->1</BuyerReference></Invoice>",
        );
        assert_eq!(get(&inv, FactKey::InvoiceNumber), None);
        // Comments do not split a value.
        assert_eq!(get(&inv, FactKey::BuyerReference), Some("R1"));
    }

    #[test]
    fn line_items_do_not_leak_into_header_facts() {
        let xml = cii(
            r#"<rsm:ExchangedDocument><ram:ID>F-1</ram:ID></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
    <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
    <ram:SpecifiedLineTradeAgreement>
      <ram:BuyerOrderReferencedDocument><ram:LineID>7</ram:LineID></ram:BuyerOrderReferencedDocument>
    </ram:SpecifiedLineTradeAgreement>
    <ram:SpecifiedLineTradeSettlement>
      <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>5.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
    </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
    <ram:SellerTradeParty><ram:Name>Seller</ram:Name></ram:SellerTradeParty>
    <ram:BuyerTradeParty><ram:Name>Buyer</ram:Name></ram:BuyerTradeParty>
    <ram:SellerTaxRepresentativeTradeParty><ram:Name>Rep</ram:Name>
      <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR00000000000</ram:ID></ram:SpecifiedTaxRegistration>
    </ram:SellerTaxRepresentativeTradeParty>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
    <ram:PayeeTradeParty><ram:Name>Payee</ram:Name><ram:GlobalID schemeID="0009">12345678200010</ram:GlobalID></ram:PayeeTradeParty>
  </ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>"#,
        );
        let inv = ok(xml.as_bytes());
        assert_eq!(get(&inv, FactKey::InvoiceNumber), Some("F-1"));
        assert_eq!(get(&inv, FactKey::SellerName), Some("Seller"));
        assert_eq!(get(&inv, FactKey::BuyerName), Some("Buyer"));
        assert_eq!(get(&inv, FactKey::SellerVat), None);
        assert_eq!(get(&inv, FactKey::SellerSiret), None);
        assert_eq!(get(&inv, FactKey::BuyerSiret), None);
        // No type code in CII: no guess.
        assert_eq!(get(&inv, FactKey::DocType), None);
        assert_eq!(inv.facts.iter().count(), 3);
    }

    #[test]
    fn entities_cdata_and_whitespace_are_decoded() {
        let xml = cii(
            "<rsm:ExchangedDocument><ram:ID>  A&amp;B&#x2F;&#49;&lt;2&gt;\n  x </ram:ID>\
             <ram:IssueDateTime><udt:DateTimeString format=\"102\">20240229</udt:DateTimeString></ram:IssueDateTime>\
             </rsm:ExchangedDocument>\
             <rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>\
             <ram:SellerTradeParty><ram:Name><![CDATA[Dupont <&> Fils]]></ram:Name>\
             <ram:SpecifiedLegalOrganization><ram:ID schemeID=\"&#48;002\">732 829 320</ram:ID></ram:SpecifiedLegalOrganization>\
             </ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement></rsm:SupplyChainTradeTransaction>",
        );
        let inv = ok(xml.as_bytes());
        assert_eq!(get(&inv, FactKey::InvoiceNumber), Some("A&B/1<2> x"));
        assert_eq!(get(&inv, FactKey::IssueDate), Some("2024-02-29"));
        assert_eq!(get(&inv, FactKey::SellerName), Some("Dupont <&> Fils"));
        assert_eq!(get(&inv, FactKey::SellerSiren), Some("732829320"));
    }

    #[test]
    fn utf8_bom_and_declaration() {
        let mut xml = b"\xEF\xBB\xBF".to_vec();
        xml.extend_from_slice(FACTURX_MINIMUM_CREDIT_NOTE);
        let inv = ok(&xml);
        assert_eq!(get(&inv, FactKey::InvoiceNumber), Some("AV-2017-0005"));
        assert_eq!(inv, ok(FACTURX_MINIMUM_CREDIT_NOTE));
    }

    #[test]
    fn utf16_and_latin1() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Invoice><ID>Fé-1</ID></Invoice>";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(get(&ok(&le), FactKey::InvoiceNumber), Some("Fé-1"));
        assert_eq!(get(&ok(&be), FactKey::InvoiceNumber), Some("Fé-1"));

        let latin1 =
            b"<?xml version='1.0' encoding='ISO-8859-1'?><Invoice><ID>F\xE9-2</ID></Invoice>";
        assert_eq!(get(&ok(latin1), FactKey::InvoiceNumber), Some("Fé-2"));
        // The same bytes without the declaration are not UTF-8.
        assert_malformed(
            b"<Invoice><ID>F\xE9-2</ID></Invoice>",
            "latin-1 without declaration",
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date_from_cii("20180305", Some("102")).as_deref(),
            Some("2018-03-05")
        );
        assert_eq!(
            date_from_cii("20170509", None).as_deref(),
            Some("2017-05-09")
        );
        assert_eq!(
            date_from_cii("2018-03-05", Some("102")).as_deref(),
            Some("2018-03-05")
        );
        assert_eq!(date_from_cii("201803", Some("610")), None);
        assert_eq!(date_from_cii("20181332", Some("102")), None);
        assert_eq!(date_from_cii("20230229", Some("102")), None);
        assert_eq!(
            date_from_cii("20000229", Some("102")).as_deref(),
            Some("2000-02-29")
        );
        assert_eq!(date_from_iso("2025-03-14").as_deref(), Some("2025-03-14"));
        assert_eq!(
            date_from_iso("2025-03-14+01:00").as_deref(),
            Some("2025-03-14")
        );
        assert_eq!(date_from_iso("2025-3-14"), None);
        assert_eq!(date_from_iso("14.03.2025"), None);
        assert_eq!(date_from_iso("2025-03-14é"), None);
    }

    #[test]
    fn amounts() {
        assert_eq!(normalize_amount("1234.56").as_deref(), Some("1234.56"));
        assert_eq!(normalize_amount("252.1").as_deref(), Some("252.1"));
        assert_eq!(normalize_amount("300").as_deref(), Some("300"));
        assert_eq!(normalize_amount("-7.67").as_deref(), Some("-7.67"));
        assert_eq!(normalize_amount("+0012,50").as_deref(), Some("12.50"));
        assert_eq!(normalize_amount(" 1 234,5 ").as_deref(), Some("1234.5"));
        assert_eq!(normalize_amount(".5").as_deref(), Some("0.5"));
        assert_eq!(normalize_amount("12.").as_deref(), Some("12"));
        assert_eq!(normalize_amount("0.00").as_deref(), Some("0.00"));
        assert_eq!(normalize_amount("1,234.56"), None);
        assert_eq!(normalize_amount("1.2.3"), None);
        assert_eq!(normalize_amount("1e3"), None);
        assert_eq!(normalize_amount("-"), None);
        assert_eq!(normalize_amount("."), None);
        assert_eq!(normalize_amount(""), None);
        assert_eq!(normalize_amount("EUR 12"), None);

        let xml = cii(
            "<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>\
             <ram:SpecifiedTradeSettlementHeaderMonetarySummation>\
             <ram:TaxBasisTotalAmount>+1 000,50</ram:TaxBasisTotalAmount>\
             <ram:GrandTotalAmount>n/a</ram:GrandTotalAmount>\
             </ram:SpecifiedTradeSettlementHeaderMonetarySummation>\
             </ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>",
        );
        let inv = ok(xml.as_bytes());
        assert_eq!(get(&inv, FactKey::TotalWithoutTax), Some("1000.50"));
        assert_eq!(get(&inv, FactKey::TotalWithTax), None);
    }

    #[test]
    fn profiles() {
        let cases = [
            ("urn:factur-x.eu:1p0:minimum", Profile::Minimum),
            ("urn:factur-x.eu:1p0:basicwl", Profile::BasicWl),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
                Profile::Basic,
            ),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic",
                Profile::Basic,
            ),
            ("urn:cen.eu:en16931:2017", Profile::En16931),
            (
                "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
                Profile::Extended,
            ),
            (
                "urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended",
                Profile::Extended,
            ),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
                Profile::XRechnung,
            ),
            (
                "urn:ferd:CrossIndustryDocument:invoice:1p0:basic",
                Profile::Basic,
            ),
            (
                "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort",
                Profile::En16931,
            ),
            (
                "urn:ferd:CrossIndustryDocument:invoice:1p0:extended",
                Profile::Extended,
            ),
            // A more specific but unknown part: not plain EN 16931.
            (
                "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
                Profile::Other,
            ),
            ("  URN:FACTUR-X.EU:1P0:MINIMUM  ", Profile::Minimum),
            ("", Profile::Other),
            ("#", Profile::Other),
        ];
        for (id, profile) in cases {
            assert_eq!(Profile::from_guideline_id(id), profile, "{id:?}");
        }
        assert!(Profile::Basic.is_full_invoice());
        assert!(!Profile::BasicWl.is_full_invoice());
        assert_eq!(Profile::BasicWl.as_str(), "BASIC WL");
        assert_eq!(Syntax::Cii.as_str(), "CII");
    }

    #[test]
    fn serialised_names() {
        assert_eq!(
            serde_json::to_string(&Syntax::ZugferdV1).unwrap(),
            r#""zugferd_v1""#
        );
        assert_eq!(
            serde_json::to_string(&Profile::BasicWl).unwrap(),
            r#""basic_wl""#
        );
        assert_eq!(
            serde_json::to_string(&Profile::En16931).unwrap(),
            r#""en16931""#
        );
        assert_eq!(
            serde_json::to_string(&Profile::XRechnung).unwrap(),
            r#""xrechnung""#
        );
    }

    #[test]
    fn not_well_formed() {
        let cases: &[(&str, &[u8])] = &[
            ("mismatched end tag", b"<Invoice><ID>1</Id></Invoice>"),
            ("unclosed root", b"<Invoice><ID>1</ID>"),
            ("end tag without start", b"<Invoice></Invoice></Invoice>"),
            (
                "garbage after root",
                b"<Invoice><ID>1</ID></Invoice>garbage",
            ),
            ("second root", b"<Invoice/><Invoice/>"),
            ("text before root", b"hello<Invoice/>"),
            ("CDATA before root", b"<![CDATA[x]]><Invoice/>"),
            ("undefined entity", b"<Invoice><ID>&nbsp;</ID></Invoice>"),
            (
                "undefined entity in attribute",
                b"<Invoice><ID schemeID=\"&x;\">1</ID></Invoice>",
            ),
            ("dangling ampersand", b"<Invoice><ID>A & B</ID></Invoice>"),
            ("bad char reference", b"<Invoice><ID>&#xZZ;</ID></Invoice>"),
            ("duplicate attribute", b"<Invoice a=\"1\" a=\"2\"/>"),
            ("unquoted attribute", b"<Invoice a=1/>"),
            (
                "declaration not at start",
                b"\n<?xml version=\"1.0\"?><Invoice/>",
            ),
            ("bad XML version", b"<?xml version=\"2.0\"?><Invoice/>"),
            ("no root", b"<?xml version=\"1.0\"?><!-- nothing -->"),
            ("unterminated tag", b"<Invoice><ID"),
            ("unterminated comment", b"<Invoice><!-- </Invoice>"),
            (
                "double hyphen in comment",
                b"<Invoice><!-- a -- b --></Invoice>",
            ),
            ("invalid UTF-8", b"<Invoice><ID>\xFF\xFE\xFD</ID></Invoice>"),
            ("truncated UTF-16", b"\xFF\xFE<\x00I"),
        ];
        for (what, xml) in cases {
            assert_malformed(xml, what);
        }
    }

    #[test]
    fn unknown_root() {
        match parse(b"<?xml version=\"1.0\"?><html><body/></html>") {
            Err(StructuredError::UnknownRoot(root)) => assert_eq!(root, "html"),
            other => panic!("expected UnknownRoot, got {other:?}"),
        }
        match parse(b"<ns:Order xmlns:ns=\"x\"/>") {
            Err(e @ StructuredError::UnknownRoot(_)) => {
                assert_eq!(
                    e.to_string(),
                    "the root element <ns:Order> is not a known invoice syntax"
                )
            }
            other => panic!("expected UnknownRoot, got {other:?}"),
        }
    }

    #[test]
    fn too_deep() {
        let depth = 1000;
        let mut xml = String::from("<CrossIndustryInvoice>");
        xml.push_str(&"<a>".repeat(depth));
        xml.push_str(&"</a>".repeat(depth));
        xml.push_str("</CrossIndustryInvoice>");
        match parse(xml.as_bytes()) {
            Err(StructuredError::TooDeep(n)) => assert_eq!(n, MAX_DEPTH),
            other => panic!("expected TooDeep, got {other:?}"),
        }

        // Exactly MAX_DEPTH levels (root included) is still fine.
        let inner = MAX_DEPTH - 1;
        let xml = format!(
            "<CrossIndustryInvoice>{}{}</CrossIndustryInvoice>",
            "<a>".repeat(inner - 1) + "<b/>",
            "</a>".repeat(inner - 1)
        );
        assert_eq!(ok(xml.as_bytes()).syntax, Syntax::Cii);

        // One more level is refused.
        let xml = format!(
            "<CrossIndustryInvoice>{}{}</CrossIndustryInvoice>",
            "<a>".repeat(inner) + "<b/>",
            "</a>".repeat(inner)
        );
        assert!(matches!(
            parse(xml.as_bytes()),
            Err(StructuredError::TooDeep(_))
        ));
    }

    #[test]
    fn too_large() {
        let mut xml = b"<Invoice>".to_vec();
        xml.resize(MAX_XML_BYTES + 1, b' ');
        match parse(&xml) {
            Err(StructuredError::TooLarge(n)) => assert_eq!(n, MAX_XML_BYTES),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn empty() {
        for xml in [&b""[..], b"  \r\n\t", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF \n"] {
            assert!(matches!(parse(xml), Err(StructuredError::Empty)), "{xml:?}");
        }
        // An empty root element is a document, with no facts.
        let inv = ok(b"<Invoice/>");
        assert_eq!(inv.syntax, Syntax::Ubl);
        assert_eq!(get(&inv, FactKey::DocType), Some("invoice"));
        assert_eq!(inv.facts.iter().count(), 1);
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let xml = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice><ID>&lol9;</ID></Invoice>"#;
        match parse(xml) {
            Err(StructuredError::Malformed(msg)) => assert!(msg.contains("lol9"), "{msg}"),
            other => panic!("expected Malformed, got {other:?}"),
        }

        let xxe = br#"<?xml version="1.0"?>
<!DOCTYPE Invoice [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Invoice><ID>&xxe;</ID></Invoice>"#;
        match parse(xxe) {
            Err(StructuredError::Malformed(msg)) => assert!(msg.contains("xxe"), "{msg}"),
            other => panic!("expected Malformed, got {other:?}"),
        }

        // A DOCTYPE without references is harmless and ignored.
        let inv = ok(b"<!DOCTYPE Invoice><Invoice><ID>7</ID></Invoice>");
        assert_eq!(get(&inv, FactKey::InvoiceNumber), Some("7"));
    }

    #[test]
    fn overlong_values_are_dropped() {
        let xml = format!(
            "<Invoice><ID>{}</ID><IssueDate>2025-01-02</IssueDate></Invoice>",
            "9".repeat(MAX_VALUE_BYTES + 1)
        );
        let inv = ok(xml.as_bytes());
        assert_eq!(get(&inv, FactKey::InvoiceNumber), None);
        assert_eq!(get(&inv, FactKey::IssueDate), Some("2025-01-02"));
    }

    #[test]
    fn never_panics_on_truncated_input() {
        for fixture in [ZUGFERD1_EXTENDED, FACTURX_MINIMUM_CREDIT_NOTE, UBL_INVOICE] {
            let end = fixture.iter().rposition(|&b| b == b'>').unwrap_or(0);
            for cut in (0..end).step_by(97) {
                // Every strict prefix is either an error or, at most, empty.
                assert!(parse(&fixture[..cut]).is_err(), "prefix of {cut} bytes");
            }
        }
    }
}
