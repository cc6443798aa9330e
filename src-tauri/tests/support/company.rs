//! « Mon entreprise » as the owner of the demo's sample invoices enters it
//! once, for the window's tests (`commands.rs`, `e2e.rs`).
//!
//! Include it with `#[path = "support/company.rs"] mod company;`.

use std::path::Path;

use facteur::make::company::{self, Company, Operations};
use facteur::mirror::store::Store;

/// Saves the sample invoices' seller as « Mon entreprise » in `home`.
pub fn our_company(home: &Path) {
    company::save(
        &mut Store::open_home(home).unwrap(),
        Company {
            name: "Atelier Lumière & Fils SARL".into(),
            siren: Some("732829320".into()),
            vat: Some("FR44732829320".into()),
            street: Some("12 rue des Lilas".into()),
            postcode: Some("75011".into()),
            city: Some("Paris".into()),
            country: Some("FR".into()),
            iban: Some("FR7630006000011234567890189".into()),
            payment_days: Some(30),
            operations: Some(Operations::Services),
            ..Company::default()
        },
    )
    .unwrap();
}
