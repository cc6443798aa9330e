//! The facts Facteur reads from an invoice: number, date, type, parties'
//! identifiers, references and totals, each with where it came from.
//!
//! This module only holds the values; it does not find them (see
//! [`crate::check::structured`] for the embedded XML and [`crate::check::textfacts`] for the
//! visible text) and it does not validate identifiers (see [`crate::check::ident`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a fact was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    /// The embedded structured invoice (Factur-X / ZUGFeRD / XRechnung / UBL).
    Xml,
    /// The PDF's text layer.
    Text,
}

/// Every kind of fact the checker reports. The serialised names are part of
/// the stable `--json` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKey {
    InvoiceNumber,
    /// ISO date `YYYY-MM-DD`.
    IssueDate,
    /// `invoice` or `credit_note` (see [`DocType`]).
    DocType,
    /// The raw type code (UNTDID 1001: 380, 381, 384, 389…), when known.
    TypeCode,
    Currency,
    SellerName,
    SellerSiren,
    SellerSiret,
    SellerVat,
    SellerGln,
    BuyerName,
    BuyerSiren,
    BuyerSiret,
    BuyerVat,
    BuyerGln,
    /// The buyer's number in the seller's books ("numéro client").
    BuyerCustomerNumber,
    /// The buyer's electronic address (Peppol endpoint, FR CTC address…).
    BuyerElectronicAddress,
    /// Finnish OVT number of the buyer.
    BuyerOvt,
    /// Payee IBAN (the seller's account).
    Iban,
    /// The buyer's debited IBAN (direct debit): identifies the customer.
    BuyerIban,
    /// Buyer reference (Chorus Pro service code).
    BuyerReference,
    /// Purchase order / engagement number.
    OrderReference,
    /// Total without VAT, decimal with a dot (`1234.56`).
    TotalWithoutTax,
    TotalTax,
    TotalWithTax,
    AmountDue,
}

impl FactKey {
    /// The stable snake_case name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            FactKey::InvoiceNumber => "invoice_number",
            FactKey::IssueDate => "issue_date",
            FactKey::DocType => "doc_type",
            FactKey::TypeCode => "type_code",
            FactKey::Currency => "currency",
            FactKey::SellerName => "seller_name",
            FactKey::SellerSiren => "seller_siren",
            FactKey::SellerSiret => "seller_siret",
            FactKey::SellerVat => "seller_vat",
            FactKey::SellerGln => "seller_gln",
            FactKey::BuyerName => "buyer_name",
            FactKey::BuyerSiren => "buyer_siren",
            FactKey::BuyerSiret => "buyer_siret",
            FactKey::BuyerVat => "buyer_vat",
            FactKey::BuyerGln => "buyer_gln",
            FactKey::BuyerCustomerNumber => "buyer_customer_number",
            FactKey::BuyerElectronicAddress => "buyer_electronic_address",
            FactKey::BuyerOvt => "buyer_ovt",
            FactKey::Iban => "iban",
            FactKey::BuyerIban => "buyer_iban",
            FactKey::BuyerReference => "buyer_reference",
            FactKey::OrderReference => "order_reference",
            FactKey::TotalWithoutTax => "total_without_tax",
            FactKey::TotalTax => "total_tax",
            FactKey::TotalWithTax => "total_with_tax",
            FactKey::AmountDue => "amount_due",
        }
    }
}

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Invoice,
    CreditNote,
}

impl DocType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Invoice => "invoice",
            DocType::CreditNote => "credit_note",
        }
    }

    /// From an UNTDID 1001 type code: 381 and 396 are credit notes, every
    /// other code an invoice.
    pub fn from_type_code(code: &str) -> DocType {
        match code.trim() {
            "381" | "396" | "261" | "262" | "532" => DocType::CreditNote,
            _ => DocType::Invoice,
        }
    }
}

/// One fact and its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub value: String,
    pub source: FactSource,
}

/// The facts of one document, keyed by kind. The first value recorded for a
/// key wins: callers insert the most trusted source first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Facts(pub BTreeMap<FactKey, Fact>);

impl Facts {
    /// Records `value` for `key` unless the key already has a value or the
    /// value is blank. Returns whether it was recorded.
    pub fn insert(&mut self, key: FactKey, value: impl Into<String>, source: FactSource) -> bool {
        let value = value.into();
        let value = value.trim();
        if value.is_empty() || self.0.contains_key(&key) {
            return false;
        }
        self.0.insert(
            key,
            Fact {
                value: value.to_string(),
                source,
            },
        );
        true
    }

    pub fn get(&self, key: FactKey) -> Option<&str> {
        self.0.get(&key).map(|f| f.value.as_str())
    }

    pub fn fact(&self, key: FactKey) -> Option<&Fact> {
        self.0.get(&key)
    }

    /// Adds every fact of `other` that `self` lacks.
    pub fn fill_from(&mut self, other: &Facts) {
        for (k, f) in &other.0 {
            self.0.entry(*k).or_insert_with(|| f.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FactKey, &Fact)> {
        self.0.iter().map(|(k, f)| (*k, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_wins_and_blank_is_ignored() {
        let mut f = Facts::default();
        assert!(!f.insert(FactKey::InvoiceNumber, "  ", FactSource::Text));
        assert!(f.insert(FactKey::InvoiceNumber, " F-1 ", FactSource::Xml));
        assert!(!f.insert(FactKey::InvoiceNumber, "F-2", FactSource::Text));
        assert_eq!(f.get(FactKey::InvoiceNumber), Some("F-1"));
        assert_eq!(
            f.fact(FactKey::InvoiceNumber).unwrap().source,
            FactSource::Xml
        );
    }

    #[test]
    fn json_shape_is_name_value_source() {
        let mut f = Facts::default();
        f.insert(FactKey::BuyerSiren, "732829320", FactSource::Text);
        let j = serde_json::to_string(&f).unwrap();
        assert_eq!(
            j,
            r#"{"buyer_siren":{"value":"732829320","source":"text"}}"#
        );
    }

    #[test]
    fn credit_note_codes() {
        assert_eq!(DocType::from_type_code("381"), DocType::CreditNote);
        assert_eq!(DocType::from_type_code("380"), DocType::Invoice);
    }
}
