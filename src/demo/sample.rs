//! Synthetic invoice PDFs for tests, benchmarks and the demo sandbox portal.
//!
//! [`Build`] makes realistic, deterministic PDFs whose properties are known in advance: the
//! invoice facts printed on each page, how each page is made (native text, a scan, a scan with
//! an invisible OCR layer, ...), an embedded Factur-X XML, a signature, or plain bulk. The same
//! input always gives the same bytes (no timestamps, no random ids), so tests can compare
//! outputs and benchmarks measure the same work every run.
//!
//! A Factur-X sample carries the whole container a plateforme looks at (the XMP declaring
//! PDF/A-3B and the Factur-X schema with the XML's profile, the attachment in `/AF`, an
//! OutputIntent with a generated RGB profile, the document `/ID`) except embedded fonts.
//!
//! This is deliberately *not* an invoice generator for real use: the documents are not fully
//! PDF/A-3 (the standard Helvetica is not embedded, so the checker warns `facturx_fonts`),
//! signatures do not verify, and there is no layout engine (every text line sits at a fixed
//! position and long content simply runs off the page).

use std::fmt::Write as _;
use std::io::Write as _;

use crate::make::pdfa;
use flate2::{Compression, write::ZlibEncoder};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

/// A4 in points.
const PAGE_W: u32 = 595;
const PAGE_H: u32 = 842;
/// Bytes of the zeroed signature `/Contents`.
const SIG_CONTENTS_LEN: usize = 2048;
/// Stand-in for each `/ByteRange` number until the file's offsets are known (10 digits wide).
const BYTE_RANGE_PLACEHOLDER: i64 = 1_000_000_000;

/// The facts of one invoice, as printed on its pages and put in its Factur-X XML.
#[derive(Debug, Clone)]
pub struct SampleInvoice {
    /// Invoice number, e.g. "F-2026-0001".
    pub number: String,
    /// A credit note: title "AVOIR" instead of "FACTURE", type code 381 instead of 380.
    pub credit_note: bool,
    /// ISO date "2026-11-02", printed as "Date : 02/11/2026".
    pub issue_date: String,
    pub seller_name: String,
    pub seller_siren: String,
    pub seller_vat: String,
    pub buyer_name: String,
    pub buyer_siren: String,
    pub buyer_siret: Option<String>,
    pub iban: Option<String>,
    /// Table rows: (label, amount as printed, e.g. "1 234,56 €").
    pub lines: Vec<(String, String)>,
    /// Totals as plain decimals, e.g. "1000.00" (French-formatted amounts are accepted too).
    pub total_ht: String,
    pub total_tva: String,
    pub total_ttc: String,
    /// Total pages of this invoice; pages after the first are annexes "Annexe — détail".
    pub pages: usize,
}

impl SampleInvoice {
    /// A plausible French invoice number `n` (1-based) with valid identifiers: SIRENs and SIRET
    /// pass the Luhn check, the VAT key matches the seller SIREN, the IBAN passes mod 97.
    /// Totals are consistent (TVA 20 %); `example(1)` totals 1 000,00 € HT.
    pub fn example(n: u32) -> Self {
        let first = 75_000 + i64::from(n.saturating_sub(1) % 100) * 1_250;
        let second = 25_000;
        let ht = first + second;
        let tva = ht / 5;
        let cents = |c: i64| format!("{}.{:02}", c / 100, c % 100);
        SampleInvoice {
            number: format!("F-2026-{n:04}"),
            credit_note: false,
            issue_date: format!("2026-{:02}-{:02}", 11 - (n / 28) % 11, 1 + n % 28),
            seller_name: "Atelier Lumière & Fils SARL".into(),
            seller_siren: "732829320".into(),
            seller_vat: "FR44732829320".into(),
            buyer_name: "Boulangerie L'Épi d'Or SAS".into(),
            buyer_siren: "552100554".into(),
            buyer_siret: Some("55210055400013".into()),
            iban: Some("FR7630006000011234567890189".into()),
            lines: vec![
                ("Développement logiciel".into(), fr_amount(&cents(first))),
                (
                    "Maintenance (forfait mensuel)".into(),
                    fr_amount(&cents(second)),
                ),
            ],
            total_ht: cents(ht),
            total_tva: cents(tva),
            total_ttc: cents(ht + tva),
            pages: 1,
        }
    }

    fn doc_label(&self) -> &'static str {
        if self.credit_note { "Avoir" } else { "Facture" }
    }
}

/// How each page's visible content is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// Text drawn with Tj, render mode 0.
    Native,
    /// A native page with a full-page background image (a light logo/pattern) drawn first, then visible text.
    NativeWithBackground,
    /// Only a full-page raster image (DeviceGray 8-bit, Flate compressed), no text at all: a scan.
    Scanned,
    /// A full-page image plus the same text in render mode 3 (invisible), like OCRmyPDF output.
    ScannedOcr,
    /// Like ScannedOcr but the invisible text is inside a Form XObject and uses render mode 7.
    ScannedOcrInForm,
    /// Image drawn through an inline image (BI … ID … EI) covering the page, no text.
    /// The inline image is unfiltered (the content stream itself is Flate compressed).
    ScannedInline,
}

/// What to put in one PDF. `Build::default()` plus one invoice gives a plain native invoice.
#[derive(Debug, Clone, Default)]
pub struct Build {
    /// One or more invoices concatenated into one PDF; each restarts its "Page 1/N" footers.
    pub invoices: Vec<SampleInvoice>,
    /// Per page of the whole file; missing entries default to [`PageKind::Native`].
    pub page_kinds: Vec<PageKind>,
    /// An XML to embed as "factur-x.xml" (Filespec with /AFRelationship /Data, referenced
    /// from both the catalog's /Names /EmbeddedFiles name tree and its /AF array), with the
    /// XMP metadata, OutputIntent and /ID of a Factur-X container.
    pub facturx: Option<Vec<u8>>,
    /// Overrides the embedded file name (e.g. "zugferd-invoice.xml").
    pub attachment_name: Option<String>,
    pub signed: Option<SignatureKind>,
    /// Adds an unfiltered image XObject of at least this many bytes (whole rows of 1000
    /// pixels), drawn 1×1 pt on page 1, to make big files quickly.
    pub padding_bytes: usize,
    /// Side in pixels of the square scan and background images; 0 means 200.
    pub image_side: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// AcroForm /SigFlags 3, a /FT /Sig widget field whose /V is a /Type /Sig dictionary with /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 a b c] and /Contents <00…> (values need not verify cryptographically).
    ///
    /// The /ByteRange is the real one (it covers the whole file but the /Contents string);
    /// the /Contents is zeros, so validators report a signature that cannot be decoded.
    Approval,
    /// Same plus catalog /Perms << /DocMDP sigref >> and a /Reference [<< /TransformMethod /DocMDP >>] in the sig dict: a certification signature.
    Certification,
    /// An EMPTY unsigned signature field: /FT /Sig with no /V. This is NOT a signature.
    EmptyField,
}

impl Build {
    /// The PDF bytes. Panics only on programmer error (no invoices).
    pub fn to_bytes(&self) -> Vec<u8> {
        assert!(
            !self.invoices.is_empty(),
            "sample::Build needs at least one invoice"
        );
        let side = if self.image_side == 0 {
            200
        } else {
            self.image_side
        };
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let fonts = || dictionary! { "F1" => font_id };

        let mut kids: Vec<ObjectId> = Vec::new();
        for inv in &self.invoices {
            let n = inv.pages.max(1);
            for i in 1..=n {
                let kind = self
                    .page_kinds
                    .get(kids.len())
                    .copied()
                    .unwrap_or(PageKind::Native);
                let lines = page_lines(inv, i, n);
                let seed = kids.len() as u32;
                let mut xobjects = Dictionary::new();
                let mut content = Vec::new();
                if kids.is_empty() && self.padding_bytes > 0 {
                    let w = self.padding_bytes.clamp(1, 1000);
                    let h = self.padding_bytes.div_ceil(w);
                    let pad = image_stream(w as u32, h as u32, vec![0xFF; w * h], false);
                    xobjects.set("Pad", doc.add_object(pad));
                    content.extend_from_slice(b"q 1 0 0 1 0 0 cm /Pad Do Q\n");
                }
                let mut draw_image = |name: &str, pixels: Vec<u8>, content: &mut Vec<u8>| {
                    xobjects.set(name, doc.add_object(image_stream(side, side, pixels, true)));
                    let _ = writeln!(content, "q {PAGE_W} 0 0 {PAGE_H} 0 0 cm /{name} Do Q");
                };
                match kind {
                    PageKind::Native => content.extend(text_content(&lines, 0)),
                    PageKind::NativeWithBackground => {
                        draw_image("Bg", background_pixels(side), &mut content);
                        content.extend(text_content(&lines, 0));
                    }
                    PageKind::Scanned => {
                        draw_image("Im1", scan_pixels(side, &lines, seed), &mut content)
                    }
                    PageKind::ScannedOcr => {
                        draw_image("Im1", scan_pixels(side, &lines, seed), &mut content);
                        content.extend(text_content(&lines, 3));
                    }
                    PageKind::ScannedOcrInForm => {
                        draw_image("Im1", scan_pixels(side, &lines, seed), &mut content);
                        let form = compressed(Stream::new(
                            dictionary! {
                                "Type" => "XObject",
                                "Subtype" => "Form",
                                "BBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
                                "Resources" => dictionary! { "Font" => fonts() },
                            },
                            text_content(&lines, 7),
                        ));
                        xobjects.set("Fm1", doc.add_object(form));
                        content.extend_from_slice(b"q /Fm1 Do Q\n");
                    }
                    PageKind::ScannedInline => {
                        let _ = writeln!(
                            content,
                            "q {PAGE_W} 0 0 {PAGE_H} 0 0 cm BI /W {side} /H {side} /CS /G /BPC 8 ID"
                        );
                        content.extend(scan_pixels(side, &lines, seed));
                        content.extend_from_slice(b"\nEI Q\n");
                    }
                }
                let mut resources = dictionary! { "Font" => fonts() };
                if !xobjects.is_empty() {
                    resources.set("XObject", xobjects);
                }
                let contents_id =
                    doc.add_object(compressed(Stream::new(Dictionary::new(), content)));
                kids.push(doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => pages_id,
                    "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
                    "Resources" => resources,
                    "Contents" => contents_id,
                }));
            }
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Count" => kids.len() as i64,
                "Kids" => kids.iter().map(|&id| Object::Reference(id)).collect::<Vec<_>>(),
            }),
        );

        let first = &self.invoices[0];
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
        if let Some(kind) = self.signed {
            let mut field = dictionary! {
                "Type" => "Annot",
                "Subtype" => "Widget",
                "FT" => "Sig",
                "T" => text_string("Signature1"),
                "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
                "F" => 132,
                "P" => kids[0],
            };
            let mut acroform = Dictionary::new();
            if kind != SignatureKind::EmptyField {
                let mut sig = dictionary! {
                    "Type" => "Sig",
                    "Filter" => "Adobe.PPKLite",
                    "SubFilter" => "adbe.pkcs7.detached",
                    "Name" => text_string(&first.seller_name),
                    "M" => Object::string_literal(pdf_date(&first.issue_date)),
                    "ByteRange" => vec![0.into(), BYTE_RANGE_PLACEHOLDER.into(), BYTE_RANGE_PLACEHOLDER.into(), BYTE_RANGE_PLACEHOLDER.into()],
                    "Contents" => Object::String(vec![0; SIG_CONTENTS_LEN], StringFormat::Hexadecimal),
                };
                if kind == SignatureKind::Certification {
                    let reference = dictionary! {
                        "Type" => "SigRef",
                        "TransformMethod" => "DocMDP",
                        "TransformParams" => dictionary! { "Type" => "TransformParams", "P" => 2, "V" => "1.2" },
                    };
                    sig.set("Reference", vec![reference.into()]);
                }
                let sig_id = doc.add_object(sig);
                field.set("V", sig_id);
                acroform.set("SigFlags", 3);
                if kind == SignatureKind::Certification {
                    catalog.set("Perms", dictionary! { "DocMDP" => sig_id });
                }
            }
            let field_id = doc.add_object(field);
            acroform.set("Fields", vec![Object::Reference(field_id)]);
            catalog.set("AcroForm", acroform);
            doc.get_dictionary_mut(kids[0])
                .expect("page 1 was just added")
                .set("Annots", vec![Object::Reference(field_id)]);
        }
        let catalog_id = doc.add_object(catalog);
        let info_id = doc.add_object(dictionary! {
            "Title" => text_string(&format!("{} n° {}", first.doc_label(), first.number)),
            "Producer" => text_string("facteur::demo::sample"),
        });
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        if let Some(xml) = &self.facturx {
            // The whole Factur-X container, as Facteur makes it for real
            // files, dated by the invoice (deterministic).
            let profile = crate::check::structured::parse(xml)
                .map(|inv| inv.profile)
                .ok()
                .filter(|p| *p != crate::check::structured::Profile::Other)
                .unwrap_or(crate::check::structured::Profile::En16931);
            let title = format!("{} n° {}", first.doc_label(), first.number);
            let seed = format!("{}|{}", first.seller_siren, first.number);
            pdfa::attach(
                &mut doc,
                xml,
                &pdfa::Meta {
                    title: &title,
                    producer: "facteur::demo::sample",
                    profile,
                    file_name: self.attachment_name.as_deref().unwrap_or("factur-x.xml"),
                    made_at: pdfa::epoch_of_iso_date(&first.issue_date),
                    id_seed: seed.as_bytes(),
                },
            );
        }

        let mut out = Vec::with_capacity(self.padding_bytes + 64 * 1024);
        doc.save_to(&mut out).expect("writing to a Vec cannot fail");
        if matches!(
            self.signed,
            Some(SignatureKind::Approval | SignatureKind::Certification)
        ) {
            patch_byte_range(&mut out);
        }
        out
    }
}

/// Shorthand: one native invoice, `pages` pages, optional Factur-X XML built by `facturx_xml`.
pub fn invoice_pdf(inv: &SampleInvoice, with_facturx: bool) -> Vec<u8> {
    Build {
        invoices: vec![inv.clone()],
        facturx: with_facturx.then(|| facturx_xml(inv)),
        ..Build::default()
    }
    .to_bytes()
}

/// A Factur-X (CII) XML for the invoice, profile EN 16931, with one line item per table row
/// and a single standard-rate VAT breakdown.
pub fn facturx_xml(inv: &SampleInvoice) -> Vec<u8> {
    let e = pdfa::xml_escape;
    let (rate, _) = vat_rate(inv);
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>S1</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
"#,
    );
    let _ = write!(
        x,
        r#"  <rsm:ExchangedDocument>
    <ram:ID>{}</ram:ID>
    <ram:TypeCode>{}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{}</udt:DateTimeString></ram:IssueDateTime>
    <ram:IncludedNote><ram:Content>Pénalités de retard : trois fois le taux d'intérêt légal.</ram:Content><ram:SubjectCode>PMD</ram:SubjectCode></ram:IncludedNote>
    <ram:IncludedNote><ram:Content>Indemnité forfaitaire pour frais de recouvrement : 40 €.</ram:Content><ram:SubjectCode>PMT</ram:SubjectCode></ram:IncludedNote>
    <ram:IncludedNote><ram:Content>Pas d'escompte pour paiement anticipé.</ram:Content><ram:SubjectCode>AAB</ram:SubjectCode></ram:IncludedNote>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
"#,
        e(&inv.number),
        if inv.credit_note { 381 } else { 380 },
        e(&inv.issue_date.replace('-', "")),
    );
    for (i, (label, amount)) in inv.lines.iter().enumerate() {
        let a = plain_amount(amount);
        let _ = write!(
            x,
            r#"    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{a}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{a}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
"#,
            i + 1,
            e(label),
        );
    }
    let buyer_global_id = inv.buyer_siret.as_deref().map_or(String::new(), |s| {
        format!(
            "\n        <ram:GlobalID schemeID=\"0009\">{}</ram:GlobalID>",
            e(s)
        )
    });
    let _ = write!(
        x,
        r#"    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{seller_siren}</ram:ID></ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:PostcodeCode>75011</ram:PostcodeCode><ram:LineOne>12 rue de la Roquette</ram:LineOne><ram:CityName>Paris</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
        <ram:URIUniversalCommunication><ram:URIID schemeID="0225">{seller_siren}</ram:URIID></ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>{buyer_global_id}
        <ram:Name>{}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{buyer_siren}</ram:ID></ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:PostcodeCode>69001</ram:PostcodeCode><ram:LineOne>3 place des Terreaux</ram:LineOne><ram:CityName>Lyon</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
        <ram:URIUniversalCommunication><ram:URIID schemeID="0225">{buyer_siren}</ram:URIID></ram:URIUniversalCommunication>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery><ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format="102">{issued}</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
"#,
        e(&inv.seller_name),
        e(&inv.seller_vat),
        e(&inv.buyer_name),
        seller_siren = e(&inv.seller_siren),
        buyer_siren = e(&inv.buyer_siren),
        issued = e(&inv.issue_date.replace('-', "")),
    );
    if let Some(iban) = &inv.iban {
        let _ = write!(
            x,
            r#"      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
"#,
            e(iban)
        );
    }
    let issued = e(&inv.issue_date.replace('-', ""));
    // A credit note names the invoice it credits (BR-FR-CO-05): the
    // sample's own number with the invoice prefix.
    let credited = if inv.credit_note {
        format!(
            "\n      <ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">{issued}</qdt:DateTimeString></ram:FormattedIssueDateTime></ram:InvoiceReferencedDocument>",
            e(&inv.number.replacen("AV", "F", 1))
        )
    } else {
        String::new()
    };
    let (ht, tva, ttc) = (
        plain_amount(&inv.total_ht),
        plain_amount(&inv.total_tva),
        plain_amount(&inv.total_ttc),
    );
    let _ = write!(
        x,
        r#"      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{tva}</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{ht}</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">{issued}</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{ht}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{ht}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">{tva}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{ttc}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{ttc}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>{credited}
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"#
    );
    x.into_bytes()
}

/// One text line at a fixed position; `right` is a second cell drawn in the amount column
/// within the same BT block (the label keeps a trailing space so joined text stays readable).
struct Line {
    x: i32,
    y: i32,
    size: i32,
    text: String,
    right: Option<String>,
}

fn line(x: i32, y: i32, size: i32, text: impl Into<String>) -> Line {
    Line {
        x,
        y,
        size,
        text: text.into(),
        right: None,
    }
}

/// The text of page `i` (1-based) of `n` of an invoice.
fn page_lines(inv: &SampleInvoice, i: usize, n: usize) -> Vec<Line> {
    let title = format!("{} n° {}", inv.doc_label(), inv.number);
    let mut out = Vec::new();
    if i == 1 {
        let date = match inv.issue_date.split('-').collect::<Vec<_>>()[..] {
            [yy, mm, dd] => format!("{dd}/{mm}/{yy}"),
            _ => inv.issue_date.clone(),
        };
        out.extend([
            line(
                50,
                790,
                18,
                if inv.credit_note { "AVOIR" } else { "FACTURE" },
            ),
            line(50, 765, 11, title),
            line(50, 750, 11, format!("Date : {date}")),
            line(50, 715, 10, inv.seller_name.as_str()),
            line(
                50,
                701,
                10,
                format!("SIREN : {}", group(&inv.seller_siren, 3)),
            ),
            line(50, 687, 10, format!("TVA : {}", inv.seller_vat)),
            line(320, 715, 10, format!("Client : {}", inv.buyer_name)),
            line(
                320,
                701,
                10,
                format!("SIREN client : {}", group(&inv.buyer_siren, 3)),
            ),
        ]);
        if let Some(siret) = &inv.buyer_siret {
            let shown = match siret.len() {
                14 => format!("{} {}", group(&siret[..9], 3), &siret[9..]),
                _ => siret.clone(),
            };
            out.push(line(320, 687, 10, format!("SIRET client : {shown}")));
        }
        let mut y = 630;
        for (label, amount) in
            std::iter::once(&("Désignation".into(), "Montant".into())).chain(&inv.lines)
        {
            out.push(Line {
                right: Some(amount.clone()),
                ..line(50, y, 10, format!("{label} "))
            });
            y -= 16;
        }
        let (_, rate) = vat_rate(inv);
        y -= 14;
        for text in [
            format!("Total HT : {}", fr_amount(&inv.total_ht)),
            format!("TVA {rate} % : {}", fr_amount(&inv.total_tva)),
            format!("Total TTC : {}", fr_amount(&inv.total_ttc)),
        ] {
            out.push(line(320, y, 11, text));
            y -= 16;
        }
        if let Some(iban) = &inv.iban {
            out.push(line(50, y - 20, 10, format!("IBAN : {}", group(iban, 4))));
        }
    } else {
        out.push(line(50, 800, 10, title));
        out.push(line(50, 770, 14, "Annexe — détail"));
        let mut y = 740;
        let details = inv
            .lines
            .iter()
            .enumerate()
            .map(|(j, (label, amount))| format!("Ligne {} : {label} — {amount}", j + 1));
        for text in details.chain([
            String::new(),
            "Conditions de paiement : 30 jours à réception de la facture.".into(),
            "Pénalités de retard : trois fois le taux d'intérêt légal.".into(),
            "Indemnité forfaitaire pour frais de recouvrement : 40 €.".into(),
        ]) {
            if !text.is_empty() {
                out.push(line(50, y, 10, text));
            }
            y -= 16;
        }
    }
    out.push(line(50, 30, 8, format!("Page {i}/{n}")));
    out
}

/// Each line in its own `BT … ET`; `mode` is the text render mode (0 visible, 3 and 7 invisible).
fn text_content(lines: &[Line], mode: u8) -> Vec<u8> {
    let mut c = Vec::new();
    for l in lines {
        let _ = write!(c, "BT /F1 {} Tf ", l.size);
        if mode != 0 {
            let _ = write!(c, "{mode} Tr ");
        }
        let _ = write!(c, "{} {} Td ", l.x, l.y);
        c.extend(win_ansi_literal(&l.text));
        c.extend_from_slice(b" Tj");
        if let Some(right) = &l.right {
            let _ = write!(c, " {} 0 Td ", 420 - l.x);
            c.extend(win_ansi_literal(right));
            c.extend_from_slice(b" Tj");
        }
        c.extend_from_slice(b" ET\n");
    }
    c
}

/// `s` as a PDF literal string `(…)` in WinAnsiEncoding; unmappable characters become `?`.
fn win_ansi_literal(s: &str) -> Vec<u8> {
    const HIGH: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}‘’“”•–—˜™š›œ\u{9d}žŸ";
    let mut out = vec![b'('];
    for ch in s.chars() {
        let byte = match ch as u32 {
            0x20..=0x7E | 0xA0..=0xFF => ch as u8,
            0x202F => 0xA0, // narrow no-break space, as used in French amounts
            _ => HIGH
                .chars()
                .position(|h| h == ch && !('\u{80}'..='\u{9f}').contains(&h))
                .map_or(b'?', |p| 0x80 + p as u8),
        };
        if matches!(byte, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b')');
    out
}

/// A string object for a text string (document info, file names): PDFDocEncoding is ASCII
/// here, anything else goes as UTF-16BE with a byte order mark.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::string_literal(s);
    }
    let bytes = [0xFE, 0xFF]
        .into_iter()
        .chain(s.encode_utf16().flat_map(u16::to_be_bytes))
        .collect::<Vec<u8>>();
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// "2026-11-02" → "D:20261102000000Z" (a fixed time keeps output deterministic).
fn pdf_date(iso: &str) -> String {
    format!("D:{}000000Z", iso.replace('-', ""))
}

/// Groups characters by `n` with spaces: SIREN "732 829 320", IBAN "FR76 3000 …".
fn group(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(n)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A decimal amount in any of "1000.00", "1 000,00 €" → "1000.00" (for XML).
fn plain_amount(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' | '-' | '.' => Some(c),
            ',' => Some('.'),
            _ => None,
        })
        .collect()
}

/// "1000.00" → "1 000,00 €".
fn fr_amount(s: &str) -> String {
    let plain = plain_amount(s);
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |d| ("-", d));
    let (int, dec) = digits.split_once('.').unwrap_or((digits, ""));
    let rev: String = int.chars().rev().collect();
    let int = group(&rev, 3).chars().rev().collect::<String>();
    format!("{sign}{int},{:0<2} €", dec)
}

/// The VAT rate from the totals, rounded to 0.1 (20 when HT is zero), as (XML, French) text.
fn vat_rate(inv: &SampleInvoice) -> (String, String) {
    let num = |s: &str| plain_amount(s).parse::<f64>().unwrap_or(0.0);
    let ht = num(&inv.total_ht);
    let tenths = if ht == 0.0 {
        200
    } else {
        (num(&inv.total_tva) / ht * 1000.0).round() as i64
    };
    let xml = match tenths % 10 {
        0 => (tenths / 10).to_string(),
        d => format!("{}.{}", tenths / 10, d.abs()),
    };
    let fr = xml.replace('.', ",");
    (xml, fr)
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

fn compressed(mut stream: Stream) -> Stream {
    let data = flate(&stream.content);
    stream.dict.set("Filter", "FlateDecode");
    stream.set_content(data);
    stream
}

/// A DeviceGray 8-bit image XObject, Flate compressed or unfiltered.
fn image_stream(w: u32, h: u32, pixels: Vec<u8>, compress: bool) -> Stream {
    let stream = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => w,
            "Height" => h,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        pixels,
    );
    if compress {
        compressed(stream)
    } else {
        stream.with_compression(false)
    }
}

/// A square "scan" of the page: slightly noisy paper with a dark bar where each text line is.
/// Values stay in 0x30..=0x3F and 0xF8..=0xFF, so the bytes never contain "EI" (inline images).
fn scan_pixels(side: u32, lines: &[Line], seed: u32) -> Vec<u8> {
    let s = side as usize;
    let mut px: Vec<u8> = (0..s * s)
        .map(|i| {
            0xFF - (((i as u32 ^ seed.wrapping_mul(0x9E37_79B9)).wrapping_mul(2_654_435_761) >> 29)
                as u8)
        })
        .collect();
    let to_px = |v: i32, full: u32| (v.max(0) as usize * s / full as usize).min(s);
    for l in lines {
        let chars = l.text.chars().count() + l.right.as_ref().map_or(0, |r| r.chars().count() + 20);
        let (x0, x1) = (
            to_px(l.x, PAGE_W),
            to_px(l.x + chars as i32 * l.size / 2, PAGE_W),
        );
        let (r0, r1) = (
            s - to_px(l.y + l.size * 7 / 10, PAGE_H),
            s - to_px(l.y, PAGE_H),
        );
        for row in r0..=r1.min(s - 1) {
            for (x, p) in px[row * s + x0..row * s + x1].iter_mut().enumerate() {
                *p = 0x30 | (x as u8 & 0x0F);
            }
        }
    }
    px
}

/// A light diagonal-stripe pattern with a grey "logo" square in the top-left corner.
fn background_pixels(side: u32) -> Vec<u8> {
    let s = side as usize;
    (0..s * s)
        .map(|i| {
            let (x, y) = (i % s, i / s);
            if x < s / 6 && y < s / 6 && x > s / 24 && y > s / 24 {
                0xD8
            } else if (x + y) % 16 < 3 {
                0xF0
            } else {
                0xFF
            }
        })
        .collect()
}

/// Writes the real `/ByteRange [0 a b c]` over the placeholder: everything but the
/// `/Contents` hex string, including its angle brackets. Lengths are unchanged.
fn patch_byte_range(out: &mut [u8]) {
    let find = |out: &[u8], needle: &[u8]| out.windows(needle.len()).position(|w| w == needle);
    let p = BYTE_RANGE_PLACEHOLDER;
    let placeholder = format!("{p} {p} {p}");
    let at = find(out, placeholder.as_bytes()).expect("signature /ByteRange placeholder");
    let a = find(out, b"/Contents<").expect("signature /Contents") + b"/Contents".len();
    let b = a + 2 + SIG_CONTENTS_LEN * 2;
    let c = out.len() - b;
    let patched = format!("{a:<10} {b:<10} {c:<10}");
    assert_eq!(
        patched.len(),
        placeholder.len(),
        "file too large for /ByteRange placeholder"
    );
    out[at..at + patched.len()].copy_from_slice(patched.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const ALL_KINDS: [PageKind; 6] = [
        PageKind::Native,
        PageKind::NativeWithBackground,
        PageKind::Scanned,
        PageKind::ScannedOcr,
        PageKind::ScannedOcrInForm,
        PageKind::ScannedInline,
    ];

    fn two_page(kind: PageKind) -> Build {
        let inv = SampleInvoice {
            pages: 2,
            ..SampleInvoice::example(1)
        };
        Build {
            invoices: vec![inv],
            page_kinds: vec![kind; 2],
            ..Build::default()
        }
    }

    fn page_content(doc: &Document, page: u32) -> Vec<u8> {
        doc.get_page_content(doc.get_pages()[&page])
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    fn luhn(s: &str) -> bool {
        let sum: u32 = s
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0') * if i % 2 == 1 { 2 } else { 1 };
                if d > 9 { d - 9 } else { d }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    #[test]
    fn example_identifiers_are_valid() {
        let inv = SampleInvoice::example(1);
        assert!(luhn(&inv.seller_siren) && luhn(&inv.buyer_siren));
        let siret = inv.buyer_siret.as_deref().unwrap();
        assert!(luhn(siret) && siret.starts_with(&inv.buyer_siren));
        let siren: u64 = inv.seller_siren.parse().unwrap();
        assert_eq!(
            inv.seller_vat,
            format!("FR{:02}{}", (12 + 3 * (siren % 97)) % 97, inv.seller_siren)
        );
        let iban = inv.iban.unwrap();
        let rem = iban[4..]
            .chars()
            .chain(iban[..4].chars())
            .fold(0u32, |r, c| {
                let v = c.to_digit(36).unwrap();
                if v > 9 {
                    (r * 100 + v) % 97
                } else {
                    (r * 10 + v) % 97
                }
            });
        assert_eq!(rem, 1);
        assert_eq!(
            (
                inv.total_ht.as_str(),
                inv.total_tva.as_str(),
                inv.total_ttc.as_str()
            ),
            ("1000.00", "200.00", "1200.00")
        );
        assert_eq!(inv.issue_date, "2026-11-02");
        for n in [0, 27, 28, 500, u32::MAX] {
            let d = SampleInvoice::example(n).issue_date;
            let (m, d): (u32, u32) = (d[5..7].parse().unwrap(), d[8..].parse().unwrap());
            assert!((1..=12).contains(&m) && (1..=28).contains(&d));
        }
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(fr_amount("1000.00"), "1 000,00 €");
        assert_eq!(fr_amount("1234567.5"), "1 234 567,50 €");
        assert_eq!(fr_amount("-12.30"), "-12,30 €");
        assert_eq!(plain_amount("1 234,56 €"), "1234.56");
        assert_eq!(
            win_ansi_literal("a(b)\\ é€—"),
            b"(a\\(b\\)\\\\ \xE9\x80\x97)".to_vec()
        );
        assert_eq!(win_ansi_literal("\u{81}✓"), b"(??)".to_vec());
        let inv = SampleInvoice {
            total_ht: "100.00".into(),
            total_tva: "5.50".into(),
            ..SampleInvoice::example(1)
        };
        assert_eq!(vat_rate(&inv), ("5.5".into(), "5,5".into()));
    }

    #[test]
    fn page_one_text() {
        let doc = Document::load_mem(&invoice_pdf(&SampleInvoice::example(1), false)).unwrap();
        let c = page_content(&doc, 1);
        for needle in [
            &b"(FACTURE) Tj"[..],
            b"(Facture n\xB0 F-2026-0001)",
            b"(Date : 02/11/2026)",
            b"(SIREN : 732 829 320)",
            b"(TVA : FR44732829320)",
            b"(Client : Boulangerie L'\xC9pi d'Or SAS)",
            b"(SIREN client : 552 100 554)",
            b"(SIRET client : 552 100 554 00013)",
            b"(Maintenance \\(forfait mensuel\\) ) Tj 370 0 Td (250,00 \x80) Tj ET",
            b"(Total HT : 1 000,00 \x80)",
            b"(TVA 20 % : 200,00 \x80)",
            b"(Total TTC : 1 200,00 \x80)",
            b"(IBAN : FR76 3000 6000 0112 3456 7890 189)",
            b"(Page 1/1)",
        ] {
            assert!(
                contains(&c, needle),
                "missing {}",
                String::from_utf8_lossy(needle)
            );
        }
        let rows: Vec<&[u8]> = c.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        assert!(
            rows.iter()
                .all(|l| l.starts_with(b"BT /F1 ") && l.ends_with(b" Tj ET"))
        );
    }

    #[test]
    fn every_page_kind_loads_with_its_page_count() {
        for kind in ALL_KINDS {
            let doc = Document::load_mem(&two_page(kind).to_bytes()).unwrap();
            assert_eq!(doc.get_pages().len(), 2, "{kind:?}");
            let c = page_content(&doc, 2);
            let visible = contains(&c, b"Tj") && !contains(&c, b" Tr ");
            let images = doc.get_page_images(doc.get_pages()[&1]).unwrap().len();
            match kind {
                PageKind::Native => assert!(visible && images == 0),
                PageKind::NativeWithBackground => {
                    assert!(visible && images == 1 && contains(&c, b"/Bg Do"))
                }
                PageKind::Scanned => assert!(!contains(&c, b"Tj") && images == 1),
                PageKind::ScannedOcr => {
                    assert!(
                        images == 1
                            && contains(&c, b"3 Tr")
                            && contains(&c, b"(Annexe \x97 d\xE9tail)")
                    )
                }
                PageKind::ScannedOcrInForm => {
                    assert!(contains(&c, b"/Fm1 Do") && !contains(&c, b"Tj"));
                    let page = doc.get_dictionary(doc.get_pages()[&2]).unwrap();
                    let xobjects = doc
                        .get_dict_in_dict(page, b"Resources")
                        .unwrap()
                        .get(b"XObject")
                        .unwrap();
                    let form_id = xobjects
                        .as_dict()
                        .unwrap()
                        .get(b"Fm1")
                        .unwrap()
                        .as_reference()
                        .unwrap();
                    let form = doc
                        .get_object(form_id)
                        .unwrap()
                        .as_stream()
                        .unwrap()
                        .decompressed_content()
                        .unwrap();
                    assert!(
                        contains(&form, b"7 Tr") && contains(&form, b"(Facture n\xB0 F-2026-0001)")
                    );
                }
                PageKind::ScannedInline => {
                    assert!(contains(&c, b"BI /W 200 /H 200") && !contains(&c, b"Tj"));
                    let ops = lopdf::content::Content::decode(&c).unwrap().operations;
                    assert!(
                        ops.iter()
                            .any(|op| op.operator == "BI" && !op.operands.is_empty())
                    );
                }
            }
        }
    }

    #[test]
    fn concatenated_invoices_restart_page_numbers() {
        let second = SampleInvoice {
            credit_note: true,
            ..SampleInvoice::example(2)
        };
        let build = Build {
            invoices: vec![
                SampleInvoice {
                    pages: 2,
                    ..SampleInvoice::example(1)
                },
                second,
            ],
            ..Build::default()
        };
        let doc = Document::load_mem(&build.to_bytes()).unwrap();
        assert_eq!(doc.get_pages().len(), 3);
        assert!(contains(&page_content(&doc, 2), b"(Page 2/2)"));
        let third = page_content(&doc, 3);
        assert!(contains(&third, b"(Page 1/1)") && contains(&third, b"(AVOIR)"));
        assert!(contains(&third, b"(Avoir n\xB0 F-2026-0002)"));
    }

    fn embedded(doc: &Document) -> (Vec<u8>, Vec<u8>) {
        let catalog = doc.catalog().unwrap();
        let af = catalog.get(b"AF").unwrap().as_array().unwrap();
        let names = doc.get_dict_in_dict(catalog, b"Names").unwrap();
        let tree = doc.get_dict_in_dict(names, b"EmbeddedFiles").unwrap();
        let pair = tree.get(b"Names").unwrap().as_array().unwrap();
        assert_eq!(
            af[0].as_reference().unwrap(),
            pair[1].as_reference().unwrap()
        );
        let spec = doc.get_dictionary(pair[1].as_reference().unwrap()).unwrap();
        assert_eq!(
            spec.get(b"AFRelationship").unwrap().as_name().unwrap(),
            b"Data"
        );
        assert_eq!(
            spec.get(b"F").unwrap().as_str().unwrap(),
            pair[0].as_str().unwrap()
        );
        let ef = doc
            .get_dict_in_dict(spec, b"EF")
            .unwrap()
            .get(b"F")
            .unwrap()
            .as_reference()
            .unwrap();
        let stream = doc.get_object(ef).unwrap().as_stream().unwrap();
        assert_eq!(
            stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"text/xml"
        );
        assert_eq!(
            stream.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"FlateDecode"
        );
        (
            pair[0].as_str().unwrap().to_vec(),
            stream.decompressed_content().unwrap(),
        )
    }

    #[test]
    fn facturx_is_embedded_and_recoverable() {
        let inv = SampleInvoice::example(7);
        let xml = facturx_xml(&inv);
        let doc = Document::load_mem(&invoice_pdf(&inv, true)).unwrap();
        assert_eq!(embedded(&doc), (b"factur-x.xml".to_vec(), xml.clone()));

        let renamed = Build {
            invoices: vec![inv],
            facturx: Some(xml.clone()),
            attachment_name: Some("zugferd-invoice.xml".into()),
            ..Build::default()
        };
        let doc = Document::load_mem(&renamed.to_bytes()).unwrap();
        assert_eq!(embedded(&doc), (b"zugferd-invoice.xml".to_vec(), xml));
    }

    #[test]
    fn facturx_xml_content() {
        let inv = SampleInvoice {
            credit_note: true,
            ..SampleInvoice::example(1)
        };
        let xml = String::from_utf8(facturx_xml(&inv)).unwrap();
        for needle in [
            "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
            "<ram:TypeCode>381</ram:TypeCode>",
            r#"<udt:DateTimeString format="102">20261102</udt:DateTimeString>"#,
            "<ram:Name>Atelier Lumière &amp; Fils SARL</ram:Name>",
            r#"<ram:ID schemeID="0002">732829320</ram:ID>"#,
            r#"<ram:ID schemeID="VA">FR44732829320</ram:ID>"#,
            r#"<ram:GlobalID schemeID="0009">55210055400013</ram:GlobalID>"#,
            "<ram:Name>Boulangerie L&apos;Épi d&apos;Or SAS</ram:Name>",
            "<ram:IBANID>FR7630006000011234567890189</ram:IBANID>",
            "<ram:ChargeAmount>250.00</ram:ChargeAmount>",
            r#"<ram:TaxTotalAmount currencyID="EUR">200.00</ram:TaxTotalAmount>"#,
            "<ram:DuePayableAmount>1200.00</ram:DuePayableAmount>",
        ] {
            assert!(xml.contains(needle), "missing {needle}");
        }
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut depth = 0i32;
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(_) => depth += 1,
                quick_xml::events::Event::End(_) => depth -= 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0);
    }

    fn signed(kind: SignatureKind) -> (Vec<u8>, Document) {
        let build = Build {
            invoices: vec![SampleInvoice::example(1)],
            signed: Some(kind),
            ..Build::default()
        };
        let bytes = build.to_bytes();
        let doc = Document::load_mem(&bytes).unwrap();
        (bytes, doc)
    }

    #[test]
    fn signature_kinds() {
        for kind in [
            SignatureKind::Approval,
            SignatureKind::Certification,
            SignatureKind::EmptyField,
        ] {
            let (bytes, doc) = signed(kind);
            let catalog = doc.catalog().unwrap();
            let acroform = doc.get_dict_in_dict(catalog, b"AcroForm").unwrap();
            let field_id = acroform.get(b"Fields").unwrap().as_array().unwrap()[0]
                .as_reference()
                .unwrap();
            let field = doc.get_dictionary(field_id).unwrap();
            assert_eq!(field.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
            let annots = doc.get_page_annotations(doc.get_pages()[&1]).unwrap();
            assert_eq!(annots.len(), 1);
            if kind == SignatureKind::EmptyField {
                assert!(!field.has(b"V") && !acroform.has(b"SigFlags") && !catalog.has(b"Perms"));
                continue;
            }
            assert_eq!(acroform.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
            let sig_id = field.get(b"V").unwrap().as_reference().unwrap();
            let sig = doc.get_dictionary(sig_id).unwrap();
            assert_eq!(sig.get(b"Type").unwrap().as_name().unwrap(), b"Sig");
            assert_eq!(
                sig.get(b"Filter").unwrap().as_name().unwrap(),
                b"Adobe.PPKLite"
            );
            assert_eq!(
                sig.get(b"SubFilter").unwrap().as_name().unwrap(),
                b"adbe.pkcs7.detached"
            );
            let range: Vec<usize> = sig
                .get(b"ByteRange")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_i64().unwrap() as usize)
                .collect();
            assert_eq!(
                (range[0], range[1] + range[3] + SIG_CONTENTS_LEN * 2 + 2),
                (0, bytes.len())
            );
            assert_eq!((bytes[range[1]], bytes[range[2] - 1]), (b'<', b'>'));
            assert_eq!(range[2] + range[3], bytes.len());
            assert!(
                sig.get(b"Contents")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .iter()
                    .all(|&b| b == 0)
            );
            let certified = kind == SignatureKind::Certification;
            assert_eq!(sig.has(b"Reference"), certified);
            if certified {
                let perms = doc.get_dict_in_dict(catalog, b"Perms").unwrap();
                assert_eq!(
                    perms.get(b"DocMDP").unwrap().as_reference().unwrap(),
                    sig_id
                );
                let reference = sig.get(b"Reference").unwrap().as_array().unwrap()[0]
                    .as_dict()
                    .unwrap();
                assert_eq!(
                    reference
                        .get(b"TransformMethod")
                        .unwrap()
                        .as_name()
                        .unwrap(),
                    b"DocMDP"
                );
            } else {
                assert!(!catalog.has(b"Perms"));
            }
        }
    }

    /// Fast: builds a > 40 MB file in well under a second (no compression of the padding).
    #[test]
    fn padding_makes_big_files_fast() {
        let start = Instant::now();
        let build = Build {
            invoices: vec![SampleInvoice::example(1)],
            padding_bytes: 40_000_000,
            ..Build::default()
        };
        let bytes = build.to_bytes();
        assert!(bytes.len() > 40_000_000);
        assert!(
            start.elapsed().as_secs_f64() < 2.0,
            "took {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn output_is_deterministic() {
        let build = Build {
            invoices: vec![
                SampleInvoice {
                    pages: 3,
                    ..SampleInvoice::example(3)
                },
                SampleInvoice::example(4),
            ],
            page_kinds: ALL_KINDS.to_vec(),
            facturx: Some(facturx_xml(&SampleInvoice::example(3))),
            signed: Some(SignatureKind::Certification),
            ..Build::default()
        };
        assert_eq!(build.to_bytes(), build.clone().to_bytes());
    }
}
