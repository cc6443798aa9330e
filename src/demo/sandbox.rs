//! The sandbox portal's behaviour: a simulated supplier portal that answers
//! the way the Generix guide (seed 000) describes, then follows an
//! e-FACT-like progression to payment, so a new user can try the whole flow
//! without an account and tests can drive every case.
//!
//! Any customer is accepted, so an owner can try it with their own invoices;
//! a few reserved demonstration SIRENs ([`RESERVED`]) show the other answers:
//! - [`DEMO_UNKNOWN_CUSTOMER`] → « rejetée », « Le client référencé n'existe pas »;
//! - a customer without a signed mandate ([`DEMO_NO_MANDATE`], or one added
//!   so) → « refusée », « Mandat absent »; a replay is accepted once the
//!   mandate is marked signed (and only then);
//! - [`DEMO_DUPLICATE`], or the same seller SIREN and number as an invoice
//!   already received → « refusée », « Doublon »;
//! - otherwise « vidéocodage en cours » for a configurable time (48 h on the
//!   label, seconds in tests), then « émise », then e-FACT codes 1200 → 1300 →
//!   2400 → 2500 (paid), one step per `step` interval.
//!
//! This module is the portal's state and rules only, as plain values with
//! time passed in: it deliberately does no I/O (no socket, no file), so the
//! loopback server that serves it and its persistence are separate concerns.
//! Every answer says it comes from a simulation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::send::channel::sandbox::PortalStatus;

/// Shown with every sandbox answer.
pub const SIMULATION_LABEL_FR: &str =
    "Portail de démonstration (simulation) : rien n'est réellement envoyé.";
pub const SIMULATION_LABEL_EN: &str = "Demonstration portal (simulation): nothing is really sent.";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SandboxError {
    #[error("no invoice {0} was deposited on the sandbox portal")]
    UnknownReference(String),
    #[error("invoice {0} cannot be replayed: only an invoice refused for « Mandat absent » can")]
    NotReplayable(String),
    #[error("invoice {0} cannot be replayed yet: the customer's mandate is still not signed")]
    MandateStillMissing(String),
}

/// The buyer SIREN the demonstration portal answers « client inconnu » for.
pub const DEMO_UNKNOWN_CUSTOMER: &str = "443061841";
/// The buyer SIREN whose billing mandate is not signed yet (« Mandat absent »).
pub const DEMO_NO_MANDATE: &str = "542051180";
/// The buyer SIREN every invoice of which the portal calls a « Doublon ».
pub const DEMO_DUPLICATE: &str = "382396513";

/// The reserved demonstration SIRENs with what each shows, in French and
/// English: listed in the sandbox's help and in the window.
pub const RESERVED: [(&str, &str, &str); 3] = [
    (
        DEMO_UNKNOWN_CUSTOMER,
        "facture rejetée : « Le client référencé n'existe pas »",
        "invoice rejected: \"Le client référencé n'existe pas\" (unknown customer)",
    ),
    (
        DEMO_NO_MANDATE,
        "facture refusée : « Mandat absent », à rejouer une fois le mandat signé",
        "invoice refused: \"Mandat absent\" (no billing mandate), replayable once the mandate is signed",
    ),
    (
        DEMO_DUPLICATE,
        "facture refusée : « Doublon »",
        "invoice refused: \"Doublon\" (duplicate)",
    ),
];

/// How fast the simulated portal moves (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    /// Vidéocodage duration (the real portal: about 48 h).
    pub videocodage_ms: i64,
    /// Time between the later steps (émise → registered → … → paid).
    pub step_ms: i64,
}

impl Timing {
    /// The pace a user trying Facteur sees: a few minutes per step, so the
    /// whole journey can be watched in one sitting.
    pub fn demo() -> Timing {
        Timing {
            videocodage_ms: 2 * 60_000,
            step_ms: 60_000,
        }
    }
}

/// A customer known to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub siren: String,
    pub name: String,
    pub mandate_signed: bool,
}

/// What a supplier deposits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    pub seller_siren: Option<String>,
    pub number: String,
    pub buyer_siren: Option<String>,
    /// SHA-256 of the file, to recognise the very same document.
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// Accepted at `accepted_ms`: vidéocodage, then the progression.
    Flowing {
        accepted_ms: i64,
    },
    Rejected,
    RefusedNoMandate,
    RefusedDuplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Received {
    deposit: Deposit,
    received_ms: i64,
    outcome: Outcome,
    /// Statuses already past (the refusal, a replay's restart).
    history: Vec<PortalStatus>,
}

/// The whole simulated portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sandbox {
    pub timing: Timing,
    customers: BTreeMap<String, Customer>,
    received: BTreeMap<String, Received>,
    next: u64,
}

/// The later steps after « émise », as e-FACT codes.
const PROGRESSION: [&str; 4] = ["1200", "1300", "2400", "2500"];

impl Sandbox {
    pub fn new(timing: Timing) -> Sandbox {
        Sandbox {
            timing,
            customers: BTreeMap::new(),
            received: BTreeMap::new(),
            next: 1,
        }
    }

    /// The sandbox of a fresh install: every customer is accepted, and the
    /// reserved SIRENs ([`RESERVED`]) show the guide's other answers.
    pub fn with_demo_customers(timing: Timing) -> Sandbox {
        let mut s = Sandbox::new(timing);
        s.add_customer("552100554", "Boulangerie L'Épi d'Or SAS", true);
        s.add_customer("732829320", "Atelier Lumière & Fils SARL", true);
        s.add_customer(DEMO_NO_MANDATE, "Mairie de Sainte-Claire", false);
        s
    }

    pub fn add_customer(&mut self, siren: &str, name: &str, mandate_signed: bool) {
        self.customers.insert(
            siren.to_string(),
            Customer {
                siren: siren.to_string(),
                name: name.to_string(),
                mandate_signed,
            },
        );
    }

    pub fn customers(&self) -> impl Iterator<Item = &Customer> {
        self.customers.values()
    }

    /// The supplier imported the signed mandate on the portal. A customer the
    /// portal had not heard of is added with its mandate signed.
    pub fn sign_mandate(&mut self, siren: &str) {
        self.customers
            .entry(siren.to_string())
            .or_insert_with(|| Customer {
                siren: siren.to_string(),
                name: siren.to_string(),
                mandate_signed: true,
            })
            .mandate_signed = true;
    }

    /// Receives one invoice; returns the portal's reference. The verdict is
    /// decided now and shows in [`Sandbox::statuses`].
    pub fn deposit(&mut self, deposit: Deposit, now_ms: i64) -> String {
        let reference = format!("SBX-{:06}", self.next);
        self.next += 1;
        let duplicate = self.received.values().any(|r| {
            r.deposit.number == deposit.number
                && r.deposit.seller_siren == deposit.seller_siren
                && r.outcome != Outcome::RefusedDuplicate
        });
        let buyer = deposit.buyer_siren.as_deref();
        let customer = buyer.and_then(|s| self.customers.get(s));
        let (outcome, reason) = match customer {
            _ if duplicate || buyer == Some(DEMO_DUPLICATE) => {
                (Outcome::RefusedDuplicate, Some("Doublon"))
            }
            _ if buyer == Some(DEMO_UNKNOWN_CUSTOMER) => {
                (Outcome::Rejected, Some("Le client référencé n'existe pas"))
            }
            Some(c) if !c.mandate_signed => (Outcome::RefusedNoMandate, Some("Mandat absent")),
            _ => (
                Outcome::Flowing {
                    accepted_ms: now_ms,
                },
                None,
            ),
        };
        let mut history = vec![PortalStatus {
            at_ms: now_ms,
            raw_status: "envoyée".into(),
            raw_reason: None,
        }];
        if let Some(reason) = reason {
            let raw = if outcome == Outcome::Rejected {
                "rejetée"
            } else {
                "refusée"
            };
            history.push(PortalStatus {
                at_ms: now_ms,
                raw_status: raw.into(),
                raw_reason: Some(reason.into()),
            });
        }
        self.received.insert(
            reference.clone(),
            Received {
                deposit,
                received_ms: now_ms,
                outcome,
                history,
            },
        );
        reference
    }

    /// « Rejeu Facture »: only for an invoice refused for « Mandat absent »,
    /// and only once the mandate is signed; the same invoice then flows.
    pub fn replay(&mut self, reference: &str, now_ms: i64) -> Result<(), SandboxError> {
        let r = self
            .received
            .get(reference)
            .ok_or_else(|| SandboxError::UnknownReference(reference.into()))?;
        if r.outcome != Outcome::RefusedNoMandate {
            return Err(SandboxError::NotReplayable(reference.into()));
        }
        let signed = r
            .deposit
            .buyer_siren
            .as_deref()
            .and_then(|s| self.customers.get(s))
            .is_some_and(|c| c.mandate_signed);
        if !signed {
            return Err(SandboxError::MandateStillMissing(reference.into()));
        }
        let r = self.received.get_mut(reference).expect("checked above");
        r.outcome = Outcome::Flowing {
            accepted_ms: now_ms,
        };
        r.history.push(PortalStatus {
            at_ms: now_ms,
            raw_status: "envoyée".into(),
            raw_reason: Some("Rejeu Facture".into()),
        });
        Ok(())
    }

    /// Every status of a deposit up to `now_ms`, oldest first.
    pub fn statuses(
        &self,
        reference: &str,
        now_ms: i64,
    ) -> Result<Vec<PortalStatus>, SandboxError> {
        let r = self
            .received
            .get(reference)
            .ok_or_else(|| SandboxError::UnknownReference(reference.into()))?;
        let mut out = r.history.clone();
        if let Outcome::Flowing { accepted_ms } = r.outcome {
            let t = self.timing;
            out.push(PortalStatus {
                at_ms: accepted_ms,
                raw_status: "vidéocodage en cours".into(),
                raw_reason: None,
            });
            let issued = accepted_ms + t.videocodage_ms;
            if now_ms >= issued {
                out.push(PortalStatus {
                    at_ms: issued,
                    raw_status: "émise".into(),
                    raw_reason: None,
                });
            }
            for (k, code) in PROGRESSION.iter().enumerate() {
                let at = issued + t.step_ms * (k as i64 + 1);
                if now_ms < at {
                    break;
                }
                out.push(PortalStatus {
                    at_ms: at,
                    raw_status: (*code).into(),
                    raw_reason: None,
                });
            }
        }
        Ok(out)
    }

    /// How many deposits the portal holds with this number and seller (a
    /// test counts deliveries with it).
    pub fn received_count(&self, seller_siren: Option<&str>, number: &str) -> usize {
        self.received
            .values()
            .filter(|r| {
                r.deposit.number == number && r.deposit.seller_siren.as_deref() == seller_siren
            })
            .count()
    }

    /// Deposits with this number and seller: (reference, received at, SHA-256),
    /// oldest first. Lets a supplier ask "did my invoice arrive?".
    pub fn find(&self, seller_siren: Option<&str>, number: &str) -> Vec<(String, i64, String)> {
        self.received
            .iter()
            .filter(|(_, r)| {
                r.deposit.number == number && r.deposit.seller_siren.as_deref() == seller_siren
            })
            .map(|(k, r)| (k.clone(), r.received_ms, r.deposit.sha256.clone()))
            .collect()
    }

    /// How many deposits the portal holds in all.
    pub fn received_total(&self) -> usize {
        self.received.len()
    }

    /// When a deposit arrived.
    pub fn received_at(&self, reference: &str) -> Option<i64> {
        self.received.get(reference).map(|r| r.received_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::lifecycle::{Status, Vocabulary, map};

    const T: Timing = Timing {
        videocodage_ms: 2_000,
        step_ms: 1_000,
    };

    fn deposit(number: &str, buyer: &str) -> Deposit {
        Deposit {
            seller_siren: Some("732829320".into()),
            number: number.into(),
            buyer_siren: Some(buyer.into()),
            sha256: format!("sha-{number}"),
        }
    }

    /// The canonical status the store would derive from the sandbox's words.
    fn canonical(s: &Sandbox, r: &str, now: i64) -> (Status, Option<String>) {
        let last = s.statuses(r, now).unwrap().pop().unwrap();
        let m = map(
            Vocabulary::Sandbox,
            &last.raw_status,
            last.raw_reason.as_deref(),
        );
        (m.status.unwrap(), m.reason_code)
    }

    #[test]
    fn a_known_customer_with_a_mandate_goes_from_videocodage_to_paid() {
        let mut s = Sandbox::with_demo_customers(T);
        let r = s.deposit(deposit("F-1", "552100554"), 10_000);
        assert_eq!(
            canonical(&s, &r, 10_000),
            (Status::Deposited, Some("VIDEOCODAGE".into()))
        );
        assert_eq!(canonical(&s, &r, 11_999).0, Status::Deposited);
        assert_eq!(canonical(&s, &r, 12_000).0, Status::Issued);
        assert_eq!(canonical(&s, &r, 13_000).0, Status::Received);
        assert_eq!(canonical(&s, &r, 16_000).0, Status::Paid);
        let all: Vec<String> = s
            .statuses(&r, 99_000)
            .unwrap()
            .into_iter()
            .map(|p| p.raw_status)
            .collect();
        assert_eq!(
            all,
            [
                "envoyée",
                "vidéocodage en cours",
                "émise",
                "1200",
                "1300",
                "2400",
                "2500"
            ]
        );
    }

    #[test]
    fn any_customer_is_accepted_and_the_reserved_sirens_show_the_other_answers() {
        let mut s = Sandbox::with_demo_customers(T);
        // An owner's own customer, never heard of by the demo: accepted.
        let own = s.deposit(deposit("F-20", "383474814"), 0);
        assert_eq!(canonical(&s, &own, 0).0, Status::Deposited);
        // … and goes all the way, in the demo's time.
        assert_eq!(canonical(&s, &own, T.videocodage_ms).0, Status::Issued);
        assert_eq!(
            canonical(&s, &own, T.videocodage_ms + 4 * T.step_ms).0,
            Status::Paid
        );
        let nobody = s.deposit(
            Deposit {
                buyer_siren: None,
                ..deposit("F-21", "x")
            },
            0,
        );
        assert_eq!(canonical(&s, &nobody, 0).0, Status::Deposited);
        let dup = s.deposit(deposit("F-22", DEMO_DUPLICATE), 0);
        assert_eq!(
            canonical(&s, &dup, 0),
            (Status::Refused, Some("DOUBLON".into()))
        );
        let no_mandate = s.deposit(deposit("F-23", DEMO_NO_MANDATE), 0);
        assert_eq!(
            canonical(&s, &no_mandate, 0),
            (Status::Refused, Some("MANDAT_ABSENT".into()))
        );
        for (siren, fr, en) in RESERVED {
            assert!(crate::check::ident::luhn_ok(siren), "{siren}");
            assert!(!fr.is_empty() && !en.is_empty());
        }
    }

    #[test]
    fn the_reserved_unknown_customer_is_rejected_with_the_guide_s_reason() {
        let mut s = Sandbox::with_demo_customers(T);
        let r = s.deposit(deposit("F-2", DEMO_UNKNOWN_CUSTOMER), 0);
        let last = s.statuses(&r, 50_000).unwrap().pop().unwrap();
        assert_eq!(last.raw_status, "rejetée");
        assert_eq!(
            last.raw_reason.as_deref(),
            Some("Le client référencé n'existe pas")
        );
        assert_eq!(
            canonical(&s, &r, 50_000),
            (Status::Rejected, Some("DEST_ERR".into()))
        );
    }

    #[test]
    fn mandat_absent_is_refused_then_replayed_once_the_mandate_is_signed() {
        let mut s = Sandbox::with_demo_customers(T);
        let r = s.deposit(deposit("F-3", "542051180"), 0);
        assert_eq!(
            canonical(&s, &r, 0),
            (Status::Refused, Some("MANDAT_ABSENT".into()))
        );
        assert_eq!(
            s.replay(&r, 1_000),
            Err(SandboxError::MandateStillMissing(r.clone()))
        );
        s.sign_mandate("542051180");
        s.replay(&r, 2_000).unwrap();
        assert_eq!(canonical(&s, &r, 2_000).0, Status::Deposited);
        assert_eq!(canonical(&s, &r, 4_000).0, Status::Issued);
        // Replay is for Mandat absent only.
        assert_eq!(
            s.replay(&r, 5_000),
            Err(SandboxError::NotReplayable(r.clone()))
        );
    }

    #[test]
    fn the_same_seller_and_number_twice_is_a_doublon() {
        let mut s = Sandbox::with_demo_customers(T);
        let first = s.deposit(deposit("F-4", "552100554"), 0);
        let second = s.deposit(deposit("F-4", "552100554"), 100);
        assert_eq!(
            canonical(&s, &second, 100),
            (Status::Refused, Some("DOUBLON".into()))
        );
        assert_eq!(canonical(&s, &first, 100).0, Status::Deposited);
        assert_eq!(s.received_count(Some("732829320"), "F-4"), 2);
        // Another seller may use the same number.
        let other = Deposit {
            seller_siren: Some("552100554".into()),
            ..deposit("F-4", "732829320")
        };
        let third = s.deposit(other, 200);
        assert_eq!(canonical(&s, &third, 200).0, Status::Deposited);
    }

    #[test]
    fn unknown_references_and_state_round_trip() {
        let mut s = Sandbox::with_demo_customers(T);
        assert_eq!(
            s.statuses("SBX-404", 0),
            Err(SandboxError::UnknownReference("SBX-404".into()))
        );
        let r = s.deposit(deposit("F-5", "552100554"), 0);
        let json = serde_json::to_string(&s).unwrap();
        let back: Sandbox = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.statuses(&r, 99_000).unwrap(),
            s.statuses(&r, 99_000).unwrap()
        );
        assert_eq!(back.received_at(&r), Some(0));
        assert!(SIMULATION_LABEL_FR.contains("simulation"));
    }
}
