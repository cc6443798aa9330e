//! What the plateformes' Directory service said about each customer
//! (`directory_cache`), one answer per SIREN with the date it was given,
//! so routing reads it without asking again each time.
//!
//! Deliberately not here: asking the Directory service, judging its lines
//! and saying what an answer means for an invoice (all
//! [`crate::send::plateforme`]), and how old an answer may be before it is
//! asked again.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store};

/// What the directory says about a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// An enabled electronic address: e-invoices can go.
    Enabled,
    /// The address exists but is switched off.
    Disabled,
    /// The address opens later.
    Upcoming,
    /// The directory lists no address for this SIREN.
    NotFound,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Enabled => "enabled",
            Reach::Disabled => "disabled",
            Reach::Upcoming => "upcoming",
            Reach::NotFound => "not_found",
        }
    }

    fn parse(s: &str) -> Reach {
        match s {
            "enabled" => Reach::Enabled,
            "disabled" => Reach::Disabled,
            "upcoming" => Reach::Upcoming,
            _ => Reach::NotFound,
        }
    }
}

/// A customer's reachability, as the directory said on `checked_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub siren: String,
    pub reach: Reach,
    /// The electronic address (`addressingIdentifier`).
    pub address: Option<String>,
    /// `WK` (a plateforme agréée) or `DFH` (the state's platform).
    pub platform: Option<String>,
    /// The plateforme gave the address's status (some omit it: the line
    /// then counts as enabled).
    pub status_given: bool,
    /// The account whose plateforme answered.
    pub account: String,
    pub checked_ms: i64,
}

impl Store {
    /// The cached directory answer for a SIREN (already normalised),
    /// whatever its age.
    pub fn cached_recipient(&self, siren: &str) -> Result<Option<Recipient>> {
        Ok(self
            .conn
            .query_row(
                "SELECT state, address, platform, status_given, account, checked_ms
                 FROM directory_cache WHERE siren = ?1",
                [siren],
                |r| {
                    Ok(Recipient {
                        siren: siren.to_string(),
                        reach: Reach::parse(&r.get::<_, String>(0)?),
                        address: r.get(1)?,
                        platform: r.get(2)?,
                        status_given: r.get(3)?,
                        account: r.get(4)?,
                        checked_ms: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps a directory answer (replacing the previous one for that SIREN).
    pub fn cache_recipient(&mut self, r: &Recipient) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO directory_cache (siren, state, address, platform, status_given, account, checked_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(siren) DO UPDATE SET state = excluded.state, address = excluded.address,
                 platform = excluded.platform, status_given = excluded.status_given,
                 account = excluded.account, checked_ms = excluded.checked_ms",
            params![
                r.siren,
                r.reach.as_str(),
                r.address,
                r.platform,
                r.status_given,
                r.account,
                r.checked_ms
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_is_kept_per_siren_the_latest() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.cached_recipient("552100554").unwrap(), None);
        let mut r = Recipient {
            siren: "552100554".into(),
            reach: Reach::Upcoming,
            address: Some("0225:552100554".into()),
            platform: Some("WK".into()),
            status_given: false,
            account: "pa".into(),
            checked_ms: 1_000,
        };
        s.cache_recipient(&r).unwrap();
        assert_eq!(s.cached_recipient("552100554").unwrap(), Some(r.clone()));
        r.reach = Reach::NotFound;
        r.address = None;
        r.checked_ms = 2_000;
        s.cache_recipient(&r).unwrap();
        assert_eq!(s.cached_recipient("552100554").unwrap(), Some(r));
        assert_eq!(s.cached_recipient("732829320").unwrap(), None);
    }
}
