//! The customer directory's table (`customers`): each customer with its
//! identifiers, stored normalised, and the channel that reaches it. One
//! identifier names one customer: the table's unique indexes refuse a
//! second customer with the same value, said as
//! [`StoreError::IdentifierTaken`].
//!
//! Deliberately not here: validating and normalising what enters the
//! directory, CSV import and export (both [`crate::send::directory`]), and
//! routing by it ([`crate::send::route`]).

use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Result, Store, StoreError};

/// The identifiers routing compares, in the priority order of the customer
/// directory (customer number first, VAT number last): the first level at
/// which an invoice matches a customer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The buyer's number in the supplier's books.
    CustomerNumber,
    /// The buyer's e-invoice ID / electronic address.
    ElectronicAddress,
    /// Finnish OVT e-invoicing address.
    Ovt,
    /// The buyer's bank account.
    Iban,
    /// GS1 Global Location Number.
    Gln,
    /// Organisation number: SIRET, or SIREN.
    Organisation,
    /// VAT number.
    Vat,
}

impl Level {
    /// Every level, highest priority first.
    pub const ALL: [Level; 7] = [
        Level::CustomerNumber,
        Level::ElectronicAddress,
        Level::Ovt,
        Level::Iban,
        Level::Gln,
        Level::Organisation,
        Level::Vat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::CustomerNumber => "customer_number",
            Level::ElectronicAddress => "electronic_address",
            Level::Ovt => "ovt",
            Level::Iban => "iban",
            Level::Gln => "gln",
            Level::Organisation => "organisation",
            Level::Vat => "vat",
        }
    }
}

/// How a customer is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "channel", content = "to")]
pub enum Reach {
    /// Through one of the supplier's accounts (its kind says which portal).
    Account(String),
    /// A direct e-mail of the PDF to this address (a fallback: the customer
    /// gets no structured data).
    Email(String),
    /// On paper: the PDF goes to the print folder, to be posted.
    Print,
}

impl Reach {
    fn parts(&self) -> (&'static str, Option<&str>, Option<&str>) {
        match self {
            Reach::Account(a) => ("account", Some(a), None),
            Reach::Email(e) => ("email", None, Some(e)),
            Reach::Print => ("print", None, None),
        }
    }
}

/// One customer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    #[serde(flatten)]
    pub data: CustomerData,
}

/// A customer's fields, as entered, imported or stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerData {
    pub name: String,
    #[serde(default)]
    pub customer_number: Option<String>,
    #[serde(default)]
    pub electronic_address: Option<String>,
    #[serde(default)]
    pub ovt: Option<String>,
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(default)]
    pub gln: Option<String>,
    #[serde(default)]
    pub siren: Option<String>,
    #[serde(default)]
    pub siret: Option<String>,
    #[serde(default)]
    pub vat: Option<String>,
    pub reach: Option<Reach>,
    /// Chorus Pro: the service code the customer requires on its invoices.
    #[serde(default)]
    pub service_code: Option<String>,
    /// Chorus Pro: the customer requires an engagement (order) number.
    #[serde(default)]
    pub engagement_required: bool,
    /// The postal address (BG-8), for the Factur-X made from a plain PDF.
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    /// ISO 3166 two-letter code.
    #[serde(default)]
    pub country: Option<String>,
    /// The electronic address's scheme (BT-49-1); 0225, the French
    /// directory, when empty.
    #[serde(default)]
    pub electronic_scheme: Option<String>,
}

impl CustomerData {
    /// The stored value for a level (SIRET for the organisation level; the
    /// SIREN is [`CustomerData::siren`]).
    pub fn id_at(&self, level: Level) -> Option<&str> {
        match level {
            Level::CustomerNumber => self.customer_number.as_deref(),
            Level::ElectronicAddress => self.electronic_address.as_deref(),
            Level::Ovt => self.ovt.as_deref(),
            Level::Iban => self.iban.as_deref(),
            Level::Gln => self.gln.as_deref(),
            Level::Organisation => self.siret.as_deref().or(self.siren.as_deref()),
            Level::Vat => self.vat.as_deref(),
        }
    }
}

const COLUMNS: &str = "id, name, customer_number, electronic_address, ovt, iban, gln, siren, siret, vat, \
     channel, account, email, service_code, engagement_required, street, postcode, city, country, \
     electronic_scheme";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    let channel: String = r.get(10)?;
    let reach = match channel.as_str() {
        "account" => r.get::<_, Option<String>>(11)?.map(Reach::Account),
        "email" => r.get::<_, Option<String>>(12)?.map(Reach::Email),
        _ => Some(Reach::Print),
    };
    Ok(Customer {
        id: r.get(0)?,
        data: CustomerData {
            name: r.get(1)?,
            customer_number: r.get(2)?,
            electronic_address: r.get(3)?,
            ovt: r.get(4)?,
            iban: r.get(5)?,
            gln: r.get(6)?,
            siren: r.get(7)?,
            siret: r.get(8)?,
            vat: r.get(9)?,
            reach,
            service_code: r.get(13)?,
            engagement_required: r.get(14)?,
            street: r.get(15)?,
            postcode: r.get(16)?,
            city: r.get(17)?,
            country: r.get(18)?,
            electronic_scheme: r.get(19)?,
        },
    })
}

impl Store {
    /// Every customer of the directory, by name. (The names found on
    /// invoices are [`Store::customers`].)
    pub fn list_customers(&self) -> Result<Vec<Customer>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM customers ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// How many customers the directory holds.
    pub fn count_customers(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
    }

    /// The directory's customer `id`, if there is one.
    pub fn customer(&self, id: i64) -> Result<Option<Customer>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    /// The customers whose identifier at `level` is `value` (normalised). At
    /// the organisation level a SIRET matches the customer with that SIRET, and
    /// a SIREN every customer of that company.
    pub fn customers_at(&self, level: Level, value: &str) -> Result<Vec<Customer>> {
        let (sql_where, v) = match level {
            Level::CustomerNumber => ("customer_number = ?1", value.to_string()),
            Level::ElectronicAddress => ("electronic_address = ?1", value.to_string()),
            Level::Ovt => ("ovt = ?1", value.to_string()),
            Level::Iban => ("iban = ?1", value.to_string()),
            Level::Gln => ("gln = ?1", value.to_string()),
            Level::Vat => ("vat = ?1", value.to_string()),
            Level::Organisation if value.len() == 14 => ("siret = ?1", value.to_string()),
            Level::Organisation => ("siren = ?1", value.to_string()),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM customers WHERE {sql_where} ORDER BY id"
        ))?;
        let rows = stmt.query_map([v], from_row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Adds a customer, already validated; returns its id.
    pub fn add_customer(&mut self, data: &CustomerData, now_ms: i64) -> Result<i64> {
        let tx = self.write()?;
        let id = upsert(&tx, None, data, now_ms).map_err(|e| unique_error(e, data))?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces customer `id`'s fields, already validated.
    pub fn update_customer(&mut self, id: i64, data: &CustomerData, now_ms: i64) -> Result<()> {
        let tx = self.write()?;
        upsert(&tx, Some(id), data, now_ms).map_err(|e| unique_error(e, data))?;
        tx.commit()?;
        Ok(())
    }

    /// Writes customers in one transaction, all or none: each added, or
    /// replacing the customer whose id it gives.
    pub fn import_customers(
        &mut self,
        lines: &[(Option<i64>, &CustomerData)],
        now_ms: i64,
    ) -> Result<()> {
        let tx = self.write()?;
        for (id, d) in lines {
            upsert(&tx, *id, d, now_ms).map_err(|e| unique_error(e, d))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes customer `id`; `false` when there is none.
    pub fn remove_customer(&mut self, id: i64) -> Result<bool> {
        let tx = self.write()?;
        let n = tx.execute("DELETE FROM customers WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n > 0)
    }
}

/// A uniqueness violation, said as "this identifier already names a customer".
fn unique_error(e: rusqlite::Error, data: &CustomerData) -> StoreError {
    let text = e.to_string();
    if text.contains("UNIQUE") {
        let field = text.rsplit("customers.").next().unwrap_or("").trim();
        let value = match field {
            "customer_number" => data.customer_number.as_deref(),
            "electronic_address" => data.electronic_address.as_deref(),
            "ovt" => data.ovt.as_deref(),
            "iban" => data.iban.as_deref(),
            "gln" => data.gln.as_deref(),
            "siret" => data.siret.as_deref(),
            "vat" => data.vat.as_deref(),
            _ => None,
        };
        return StoreError::IdentifierTaken {
            field: field.to_string(),
            value: value.unwrap_or("?").to_string(),
        };
    }
    StoreError::Sqlite(e)
}

fn upsert(
    tx: &Transaction<'_>,
    id: Option<i64>,
    d: &CustomerData,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    let (channel, account, email) = d
        .reach
        .as_ref()
        .map(Reach::parts)
        .unwrap_or(("print", None, None));
    let values = params![
        d.name,
        d.customer_number,
        d.electronic_address,
        d.ovt,
        d.iban,
        d.gln,
        d.siren,
        d.siret,
        d.vat,
        channel,
        account,
        email,
        d.service_code,
        d.engagement_required,
        now_ms,
        id,
        d.street,
        d.postcode,
        d.city,
        d.country,
        d.electronic_scheme,
    ];
    match id {
        None => {
            tx.execute(
                "INSERT INTO customers (id, name, customer_number, electronic_address, ovt, iban, gln, siren, siret, vat,
                     channel, account, email, service_code, engagement_required, created_ms, updated_ms,
                     street, postcode, city, country, electronic_scheme)
                 VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15,
                     ?17, ?18, ?19, ?20, ?21)",
                values,
            )?;
            Ok(tx.last_insert_rowid())
        }
        Some(id) => {
            tx.execute(
                "UPDATE customers SET name = ?1, customer_number = ?2, electronic_address = ?3, ovt = ?4,
                     iban = ?5, gln = ?6, siren = ?7, siret = ?8, vat = ?9, channel = ?10, account = ?11,
                     email = ?12, service_code = ?13, engagement_required = ?14, updated_ms = ?15,
                     street = ?17, postcode = ?18, city = ?19, country = ?20, electronic_scheme = ?21
                 WHERE id = ?16",
                values,
            )?;
            Ok(id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str, gln: &str) -> CustomerData {
        CustomerData {
            name: name.into(),
            gln: Some(gln.into()),
            siren: Some("732829320".into()),
            reach: Some(Reach::Email("compta@example.fr".into())),
            ..Default::default()
        }
    }

    #[test]
    fn customers_come_back_as_written_and_an_identifier_names_one() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.add_customer(&data("b", "1"), 1).unwrap();
        let b = s.add_customer(&data("A", "2"), 1).unwrap();
        assert_eq!(s.customer(a).unwrap().unwrap().data, data("b", "1"));
        let names: Vec<String> = s
            .list_customers()
            .unwrap()
            .into_iter()
            .map(|c| c.data.name)
            .collect();
        assert_eq!(names, ["A", "b"]);
        assert_eq!(s.customers_at(Level::Gln, "2").unwrap()[0].id, b);
        // A SIREN names every customer of the company.
        assert_eq!(
            s.customers_at(Level::Organisation, "732829320")
                .unwrap()
                .len(),
            2
        );
        let e = s.update_customer(b, &data("A", "1"), 2).unwrap_err();
        assert!(
            matches!(&e, StoreError::IdentifierTaken { field, value } if field == "gln" && value == "1"),
            "{e}"
        );
        // An import is written whole or not at all.
        let (c, d) = (data("C", "3"), data("D", "3"));
        assert!(s.import_customers(&[(None, &c), (None, &d)], 3).is_err());
        assert_eq!(s.count_customers().unwrap(), 2);
        s.import_customers(&[(None, &c), (Some(a), &data("b", "4"))], 3)
            .unwrap();
        assert_eq!(s.count_customers().unwrap(), 3);
        assert_eq!(
            s.customer(a).unwrap().unwrap().data.gln.as_deref(),
            Some("4")
        );
        assert!(s.remove_customer(a).unwrap());
        assert!(!s.remove_customer(a).unwrap());
        assert_eq!(s.customer(a).unwrap(), None);
    }
}
