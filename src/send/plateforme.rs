//! What the plateforme agréée channel adds to the core besides sending:
//! whether a customer can receive e-invoices (the Directory service, its
//! answers cached in the store with their date) and the supplier's own
//! « Encaissée » (212) posted as a CDAR and recorded.
//!
//! Routing calls [`recipient`] (store only, no network) or [`lookup`]
//! (asks the plateforme when the cached answer is missing or too old): an
//! enabled electronic address means the invoice can go; a disabled one, one
//! not yet open, or none holds it with the reason in French and English.
//!
//! The answers are kept by the store's
//! [`crate::mirror::store::directory_cache`] family; this module judges the
//! lines and says what an answer means.
//!
//! Deliberately not here: the wire protocol ([`crate::send::channel::afnor`]),
//! choosing a channel (routing), and any network call in [`recipient`].

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::finding::Lang;
use crate::mirror::lifecycle::{Status, Vocabulary};
pub use crate::mirror::store::directory_cache::{Reach, Recipient};
use crate::mirror::store::{self, NewEvent, Source, Store, StoreError};
use crate::send::cdar;
use crate::send::channel::ChannelError;
use crate::send::channel::afnor::{AfnorChannel, DirectoryLine};

/// How long a directory answer is trusted before asking again: one day.
pub const DIRECTORY_MAX_AGE_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum PlateformeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error("« {0} » n'est pas un SIREN (9 chiffres) / \"{0}\" is not a SIREN (9 digits)")]
    Siren(String),
    #[error(
        "la facture {0} n'a pas été déposée sur une plateforme agréée par ce compte / invoice {0} was not delivered to a plateforme agréée through this account"
    )]
    NotDelivered(String),
    #[error(
        "la facture {number} est « {status} » : elle ne peut pas être déclarée encaissée / invoice {number} is {status}: it cannot be declared paid"
    )]
    NotPayable { number: String, status: String },
    #[error(
        "la plateforme a refusé la déclaration d'encaissement de la facture {number} : {reason} / the plateforme refused the payment declaration of invoice {number}: {reason}"
    )]
    Refused { number: String, reason: String },
}

type Result<T> = std::result::Result<T, PlateformeError>;

impl Recipient {
    /// Whether an invoice to this customer can go to a plateforme.
    pub fn can_receive(&self) -> bool {
        self.reach == Reach::Enabled
    }

    /// Why an invoice to this customer is held, or what was found.
    pub fn message(&self, lang: Lang) -> String {
        let s = &self.siren;
        let date = store::format_ms(self.checked_ms);
        let (fr, en) = match self.reach {
            Reach::Enabled => (
                format!(
                    "Le client {s} reçoit les factures électroniques à l'adresse {} (annuaire consulté le {date}).",
                    self.address.as_deref().unwrap_or("?")
                ),
                format!(
                    "Customer {s} receives e-invoices at {} (directory checked on {date}).",
                    self.address.as_deref().unwrap_or("?")
                ),
            ),
            Reach::Disabled => (
                format!(
                    "Facture retenue : l'adresse de facturation électronique du client {s} est désactivée dans l'annuaire (consulté le {date}). Demandez au client sa nouvelle adresse, ou envoyez par un autre canal."
                ),
                format!(
                    "Invoice held: customer {s}'s e-invoicing address is disabled in the directory (checked on {date}). Ask the customer for their new address, or send another way."
                ),
            ),
            Reach::Upcoming => (
                format!(
                    "Facture retenue : l'adresse de facturation électronique du client {s} n'est pas encore ouverte (annuaire consulté le {date}). Réessayez à son ouverture, ou envoyez par un autre canal d'ici là."
                ),
                format!(
                    "Invoice held: customer {s}'s e-invoicing address is not open yet (directory checked on {date}). Try again once it opens, or send another way until then."
                ),
            ),
            Reach::NotFound => (
                format!(
                    "Facture retenue : le client {s} n'a aucune adresse de facturation électronique dans l'annuaire (consulté le {date}). Vérifiez le SIREN, ou envoyez par un autre canal (dépôt par courriel, Chorus Pro pour un client public)."
                ),
                format!(
                    "Invoice held: customer {s} has no e-invoicing address in the directory (checked on {date}). Check the SIREN, or send another way (mail deposit, Chorus Pro for a public-sector customer)."
                ),
            ),
        };
        match lang {
            Lang::Fr => crate::check::finding::typo_fr(&fr),
            Lang::En => en,
        }
    }
}

fn valid_siren(siren: &str) -> Option<String> {
    let s: String = siren.chars().filter(|c| !c.is_whitespace()).collect();
    (s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// The directory's lines for one SIREN, judged: an enabled line wins (a
/// line without status counts as enabled), then an upcoming one, then a
/// disabled one; no line is "not found".
pub fn judge(siren: &str, lines: &[DirectoryLine], account: &str, checked_ms: i64) -> Recipient {
    let rank = |l: &DirectoryLine| match l.status.as_deref().map(str::to_ascii_lowercase) {
        None => (Reach::Enabled, 0),
        Some(s) if s == "enabled" => (Reach::Enabled, 0),
        Some(s) if s == "upcoming" => (Reach::Upcoming, 1),
        Some(s) if s == "disabled" => (Reach::Disabled, 2),
        Some(_) => (Reach::NotFound, 3),
    };
    let best = lines
        .iter()
        .filter(|l| l.siren.as_deref().is_none_or(|s| s == siren))
        .min_by_key(|l| rank(l).1);
    match best {
        Some(l) => Recipient {
            siren: siren.to_string(),
            reach: rank(l).0,
            address: l.addressing_identifier.clone(),
            platform: l.platform_type.clone(),
            status_given: l.status.is_some(),
            account: account.to_string(),
            checked_ms,
        },
        None => Recipient {
            siren: siren.to_string(),
            reach: Reach::NotFound,
            address: None,
            platform: None,
            status_given: true,
            account: account.to_string(),
            checked_ms,
        },
    }
}

/// The cached directory answer for a SIREN, whatever its age; no network.
pub fn recipient(store: &Store, siren: &str) -> Result<Option<Recipient>> {
    let Some(siren) = valid_siren(siren) else {
        return Err(PlateformeError::Siren(siren.to_string()));
    };
    Ok(store.cached_recipient(&siren)?)
}

/// Keeps a directory answer (replacing the previous one for that SIREN).
pub fn remember(store: &mut Store, r: &Recipient) -> Result<()> {
    Ok(store.cache_recipient(r)?)
}

/// A customer's reachability: the cached answer when younger than
/// `max_age_ms`, otherwise the plateforme's Directory service, whose answer
/// is then cached with today's date.
pub async fn lookup(
    store: &mut Store,
    channel: &AfnorChannel,
    siren: &str,
    max_age_ms: i64,
    now_ms: i64,
) -> Result<Recipient> {
    if let Some(r) = recipient(store, siren)?
        && now_ms - r.checked_ms < max_age_ms
    {
        return Ok(r);
    }
    let siren = valid_siren(siren).ok_or_else(|| PlateformeError::Siren(siren.to_string()))?;
    let lines = channel.directory(&siren).await?;
    let r = judge(
        &siren,
        &lines,
        crate::send::channel::Channel::account(channel),
        now_ms,
    );
    remember(store, &r)?;
    tracing::info!(siren = %siren, reach = r.reach.as_str(), "directory answer cached");
    Ok(r)
}

/// What declaring an invoice paid did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedPaid {
    pub number: String,
    /// The CDAR flow at the plateforme.
    pub flow_id: String,
    /// It was already there (posted before an interruption): not posted again.
    pub found: bool,
}

/// The `trackingId` of an invoice's 212: `212-` and 32 hex digits of the
/// number's SHA-256 (36 characters whatever the number's length).
pub fn paid_tracking_id(number: &str) -> String {
    let h = crate::hex::encode(&Sha256::digest(number.as_bytes())[..16]);
    format!("212-{h}")
}

/// Declares an invoice « Encaissée » (212): posts the CDAR through the
/// plateforme that has the invoice (once: a 212 already posted under the
/// same tracking id is found, not posted again), then records the status.
pub async fn mark_paid(
    store: &mut Store,
    channel: &AfnorChannel,
    invoice_id: i64,
    now_ms: i64,
) -> Result<MarkedPaid> {
    let account = crate::send::channel::Channel::account(channel).to_string();
    let inv = store
        .invoice(invoice_id)?
        .ok_or_else(|| PlateformeError::NotDelivered(format!("#{invoice_id}")))?;
    let delivery = store
        .delivered(&account)?
        .into_iter()
        .find(|d| d.invoice_id == invoice_id)
        .ok_or_else(|| PlateformeError::NotDelivered(inv.number.clone()))?;
    if matches!(
        inv.status,
        Status::Paid | Status::Refused | Status::Rejected | Status::Cancelled
    ) {
        return Err(PlateformeError::NotPayable {
            number: inv.number.clone(),
            status: inv.status.label(Lang::Fr).to_string(),
        });
    }
    let tracking = paid_tracking_id(&inv.number);
    let existing = channel
        .find_tracked(&tracking)
        .await?
        .into_iter()
        .find(|f| f.ack.as_deref() != Some("Error"));
    let (flow_id, found) = match existing {
        Some(f) => (f.flow_id, true),
        None => {
            let xml = cdar::build(&cdar::NewCdar {
                id: &tracking,
                issued_ms: now_ms,
                sender_role: "SE",
                invoice_number: &inv.number,
                invoice_date: inv.issue_date.as_deref(),
                code: "212",
                label: cdar::label_fr("212"),
                reason_code: None,
                reason: None,
            });
            let meta = channel
                .post_cdar(&tracking, &format!("{tracking}.xml"), xml.as_bytes())
                .await?;
            if meta.ack.as_deref() == Some("Error") {
                let reason = meta
                    .details
                    .iter()
                    .map(|(c, m)| format!("{c}: {m}"))
                    .collect::<Vec<_>>()
                    .join(" | ");
                return Err(PlateformeError::Refused {
                    number: inv.number.clone(),
                    reason,
                });
            }
            (meta.flow_id, false)
        }
    };
    let ev = NewEvent {
        at_ms: now_ms,
        source: Source::Manual,
        vocabulary: Vocabulary::Reform,
        raw_status: "212".into(),
        raw_reason: None,
        submission_id: Some(delivery.submission_id),
    };
    store.append_event(invoice_id, &ev, now_ms)?;
    tracing::info!(account = %account, number = %inv.number, flow = %flow_id, found, "invoice declared paid");
    Ok(MarkedPaid {
        number: inv.number,
        flow_id,
        found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(status: Option<&str>, addr: &str) -> DirectoryLine {
        DirectoryLine {
            siren: Some("552100554".into()),
            siret: None,
            addressing_identifier: Some(addr.into()),
            platform_type: Some("WK".into()),
            status: status.map(str::to_string),
        }
    }

    #[test]
    fn lines_are_judged_enabled_first() {
        let r = judge(
            "552100554",
            &[line(Some("Disabled"), "old"), line(Some("Enabled"), "new")],
            "pa",
            1,
        );
        assert_eq!(r.reach, Reach::Enabled);
        assert_eq!(r.address.as_deref(), Some("new"));
        assert!(r.can_receive());
        let r = judge("552100554", &[line(Some("Upcoming"), "a")], "pa", 1);
        assert_eq!(r.reach, Reach::Upcoming);
        assert!(!r.can_receive());
        assert!(
            r.message(Lang::En).contains("not open yet"),
            "{}",
            r.message(Lang::En)
        );
        let r = judge("552100554", &[line(None, "a")], "pa", 1);
        assert_eq!(r.reach, Reach::Enabled);
        assert!(!r.status_given);
        let r = judge("552100554", &[], "pa", 1);
        assert_eq!(r.reach, Reach::NotFound);
        assert!(r.message(Lang::Fr).contains("aucune adresse"));
        let r = judge("552100554", &[line(Some("Disabled"), "a")], "pa", 1);
        assert_eq!(r.reach, Reach::Disabled);
    }

    #[test]
    fn the_cache_keeps_the_answer_and_its_date() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(recipient(&s, "552100554").unwrap(), None);
        let r = judge("552100554", &[line(Some("Disabled"), "a")], "pa", 1_000);
        remember(&mut s, &r).unwrap();
        assert_eq!(recipient(&s, "552 100 554").unwrap(), Some(r));
        let r2 = judge("552100554", &[line(Some("Enabled"), "b")], "pa", 2_000);
        remember(&mut s, &r2).unwrap();
        let back = recipient(&s, "552100554").unwrap().unwrap();
        assert_eq!(back.reach, Reach::Enabled);
        assert_eq!(back.checked_ms, 2_000);
        assert!(matches!(
            recipient(&s, "12345"),
            Err(PlateformeError::Siren(_))
        ));
    }

    #[test]
    fn paid_tracking_ids_fit_36_characters() {
        let t = paid_tracking_id(&"F".repeat(200));
        assert_eq!(t.chars().count(), 36);
        assert_ne!(paid_tracking_id("F-1"), paid_tracking_id("F-2"));
        assert_eq!(paid_tracking_id("F-1"), paid_tracking_id("F-1"));
    }
}
