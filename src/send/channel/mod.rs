//! Channels: the ways an invoice reaches a customer's portal, behind one
//! trait. Each channel lives in its own module and knows one portal's wire
//! protocol: [`sandbox`] (the built-in demonstration portal over loopback
//! HTTP), [`chorus`] (Chorus Pro through the PISTE API), [`mail`] (a
//! portal's mail deposit: SMTP out, IMAP for the answers; or a direct e-mail
//! to a customer), [`print`](mod@print) (a folder of PDFs to print and post) and
//! [`afnor`] (any plateforme agréée through the AFNOR XP Z12-013 Flow and
//! Directory services).
//!
//! A channel sends one invoice and says what the portal answered, tells
//! whether the portal already holds an invoice (crash recovery), replays a
//! refused invoice, and pulls the portal's statuses. It classifies every
//! failure as transient (worth retrying) or permanent.
//!
//! Deliberately not here: the outbox (queueing, retries, exactly-once,
//! recording in the store lives in [`crate::send::outbox`]), mapping the portal's
//! words onto the canonical lifecycle ([`crate::mirror::lifecycle`]) and reading
//! secrets from anywhere but the [`crate::send::accounts::SecretStore`] handed in.

pub mod afnor;
pub mod chorus;
pub mod http;
pub mod mail;
pub mod print;
pub mod sandbox;

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use crate::check::StructuredSummary;
use crate::check::facts::Facts;
use crate::mirror::lifecycle::Vocabulary;

/// Installs rustls' ring crypto provider for this process. reqwest is built
/// without a default provider, so every channel calls this before building
/// its HTTP client; calling it again, or after someone else installed a
/// provider, does nothing.
pub fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only means a provider is already installed: that one is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Why a channel could not do what it was asked. [`ChannelError::kind`]
/// sorts it into [`Failure::NotSent`] (nothing reached the portal: try
/// again), [`Failure::Ambiguous`] (the request left and no definite answer
/// came: ask the portal before anything else) or [`Failure::Permanent`].
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// No connection was made: refused, DNS failure, TLS handshake.
    #[error("the portal could not be reached: {0}")]
    Unreachable(String),
    /// The connection was made, then broke before a whole answer came
    /// (reset, closed mid-answer).
    #[error("the connection to the portal broke: {0}")]
    Interrupted(String),
    #[error("the portal did not answer in time: {0}")]
    Timeout(String),
    /// HTTP 429 or an equivalent "slow down"; `retry_after` when the portal said.
    #[error("the portal asks to slow down (too many requests)")]
    RateLimited { retry_after: Option<Duration> },
    /// HTTP 503, SMTP 4xx: the portal said it did not take the request.
    #[error("the portal is unavailable for now: {0}")]
    Unavailable(String),
    /// HTTP 5xx other than 503: the portal's side failed, maybe after it
    /// acted on the request.
    #[error("the portal had a temporary problem: {0}")]
    Temporary(String),
    /// A request that creates something at the portal (a deposit, a mail's
    /// DATA) was written and no definite answer came: the portal may hold
    /// it. Never followed by another send before the portal is asked.
    #[error("the portal may have received it, without a clear answer: {0}")]
    Ambiguous(String),
    /// Wrong login, expired password or secret, 401/403 after a fresh token.
    #[error("the portal refused the credentials of account \"{account}\": {detail}")]
    Auth { account: String, detail: String },
    /// The portal refused the request for good (HTTP 4xx, SMTP 5xx).
    #[error("the portal refused the invoice: {0}")]
    Refused(String),
    /// Found before sending: the invoice cannot go through this channel
    /// as it is (missing SIRET, service code, file too big…).
    #[error("{0}")]
    Invalid(String),
    /// The account is incomplete or a secret is missing from the keyring.
    #[error("account \"{account}\" is not set up: {detail}")]
    Config { account: String, detail: String },
    /// The portal answered something that does not follow its contract.
    #[error("the portal's answer could not be understood: {0}")]
    Protocol(String),
    /// The portal answered a redirect (3xx), which is never followed: a
    /// portal API that sends its caller elsewhere could hand its credentials
    /// or invoices to another host.
    #[error(
        "le portail a renvoyé vers une autre adresse : {0} (non suivie) / the portal redirected to another address: {0} (not followed)"
    )]
    Redirected(String),
    /// The channel cannot do this at all (e.g. ask a mailbox whether an
    /// invoice arrived).
    #[error("this channel cannot {0}")]
    Unsupported(&'static str),
}

/// The three kinds of failure a delivery can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Nothing reached the portal: sending again is safe.
    NotSent,
    /// The request left and no definite answer came: the portal must be
    /// asked ([`Channel::lookup`]) before anything is sent again.
    Ambiguous,
    /// Trying again will not help.
    Permanent,
}

impl ChannelError {
    /// Which kind of failure this is.
    pub fn kind(&self) -> Failure {
        match self {
            ChannelError::Ambiguous(_) => Failure::Ambiguous,
            ChannelError::Unreachable(_)
            | ChannelError::Interrupted(_)
            | ChannelError::Timeout(_)
            | ChannelError::RateLimited { .. }
            | ChannelError::Unavailable(_)
            | ChannelError::Temporary(_) => Failure::NotSent,
            _ => Failure::Permanent,
        }
    }

    /// Whether trying again later may succeed (a failure that is not
    /// permanent). An ambiguous one is transient too, but only the portal's
    /// answer to a lookup may lead to another send.
    pub fn is_transient(&self) -> bool {
        self.kind() != Failure::Permanent
    }

    /// Whether the portal may hold what the call tried to create.
    pub fn is_ambiguous(&self) -> bool {
        self.kind() == Failure::Ambiguous
    }

    /// The same failure, met by a call that creates something at the portal
    /// (a deposit, a flow, a submitted invoice, a mail's DATA): whatever may
    /// have happened after the request was written — a timeout, a broken
    /// connection, a 5xx other than 503, an answer that cannot be read —
    /// becomes [`ChannelError::Ambiguous`]. A refused connection, a 429 or
    /// 503 (the portal said it did not take it) and the permanent refusals
    /// keep their kind.
    pub fn after_write(self) -> ChannelError {
        match self {
            ChannelError::Timeout(d) => ChannelError::Ambiguous(format!("no answer in time ({d})")),
            ChannelError::Interrupted(d) => {
                ChannelError::Ambiguous(format!("the connection broke ({d})"))
            }
            ChannelError::Temporary(d) => {
                ChannelError::Ambiguous(format!("the portal failed while answering ({d})"))
            }
            ChannelError::Protocol(d) => {
                ChannelError::Ambiguous(format!("its answer could not be read ({d})"))
            }
            other => other,
        }
    }

    /// How long the portal asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ChannelError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

/// Maps an HTTP client failure onto its kind: no connection made
/// ([`ChannelError::Unreachable`]), a timeout, or a connection that broke
/// once made ([`ChannelError::Interrupted`]).
pub fn http_error(e: &reqwest::Error) -> ChannelError {
    // The URL may carry nothing secret (tokens go in headers), but keep the
    // message short and free of request bodies.
    let text = e.without_url_ref().to_string();
    if e.is_connect() {
        ChannelError::Unreachable(text)
    } else if e.is_timeout() {
        ChannelError::Timeout(text)
    } else if e.is_decode() {
        ChannelError::Protocol(text)
    } else if e.is_builder() {
        ChannelError::Invalid(text)
    } else {
        ChannelError::Interrupted(text)
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        // The innermost cause says what actually happened (refused, reset…).
        let s = error_chain(self);
        match self.url() {
            Some(url) => s.replace(url.as_str(), url.path()),
            None => s,
        }
    }
}

/// An error and its causes, on one line (each cause once).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        source = inner.source();
    }
    s
}

/// Maps an HTTP status that is not a success onto transient or permanent.
pub fn status_error(status: u16, retry_after: Option<Duration>, detail: &str) -> ChannelError {
    let detail = detail.chars().take(500).collect::<String>();
    match status {
        429 => ChannelError::RateLimited { retry_after },
        408 => ChannelError::Timeout(format!("HTTP 408 {detail}")),
        503 => ChannelError::Unavailable(format!("HTTP 503 {detail}")),
        500..=599 => ChannelError::Temporary(format!("HTTP {status} {detail}")),
        _ => ChannelError::Refused(format!("HTTP {status} {detail}")),
    }
}

pub use http::retry_after;

/// Refuses a payload that is not a PDF, for the channels that take PDF
/// only (a standalone XML invoice is held by routing before it gets here;
/// this is the last word should one be queued for such an account all the
/// same): said plainly in both languages, never sent.
pub fn require_pdf(
    out: &Outgoing,
    kind: crate::send::accounts::Kind,
    account: &str,
) -> Result<(), ChannelError> {
    if matches!(crate::pdf::sniff(&out.pdf), crate::pdf::Sniff::Pdf(_)) {
        return Ok(());
    }
    let why = xml_refused(kind, account)
        .map(|m| format!("{} / {}", m.fr, m.en))
        .unwrap_or_else(|| "the file is not a PDF".into());
    Err(ChannelError::Invalid(why))
}

/// Why an account of this kind cannot take a standalone XML invoice, said
/// plainly; `None` when it can (a plateforme agréée: CII and UBL are two of
/// its three syntaxes). The others take a PDF: a portal's mail deposit, a
/// direct e-mail and the print folder are read by people, Chorus Pro's API
/// is used here for Factur-X and plain PDF only, and the demonstration
/// portal is a PDF portal.
pub fn xml_refused(
    kind: crate::send::accounts::Kind,
    account: &str,
) -> Option<crate::send::directory::Msg> {
    use crate::send::accounts::{self, Kind};
    use crate::send::directory::Msg;
    let (to_fr, to_en) = accounts::display_name(account);
    let (fr, en) = match kind {
        Kind::Plateforme => return None,
        Kind::MailDeposit => (
            "un dépôt par e-mail sur un portail ne prend que des PDF",
            "a portal's mail deposit takes PDF files only",
        ),
        Kind::ChorusPro => (
            "Facteur dépose sur Chorus Pro des Factur-X et des PDF, pas de XML seul",
            "Facteur deposits Factur-X and PDF files on Chorus Pro, not XML alone",
        ),
        Kind::Sandbox => (
            "le portail de démonstration ne prend que des PDF",
            "the demonstration portal takes PDF files only",
        ),
        Kind::Email => (
            "un e-mail direct au client porte un PDF lisible, pas un fichier XML",
            "a direct e-mail to the customer carries a readable PDF, not an XML file",
        ),
        Kind::Print => (
            "un fichier XML ne s'imprime pas",
            "an XML file cannot be printed",
        ),
    };
    Some(Msg::new(
        &format!(
            "Cette facture est un fichier XML (CII ou UBL) et {to_fr} ne peut pas la recevoir : {fr}. Elle est retenue. Envoyez-la par une plateforme agréée, ou envoyez la facture en PDF ou en Factur-X."
        ),
        &format!(
            "This invoice is an XML file (CII or UBL) and {to_en} cannot take it: {en}. It is held. Send it through a plateforme agréée, or send the invoice as a PDF or Factur-X."
        ),
    ))
}

/// What kind of delivery this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SendKind {
    /// First delivery of this invoice.
    Submit,
    /// A corrected invoice with a new number, after a rejection.
    Resend,
}

/// One invoice ready to leave: the exact bytes that were checked and what
/// the checker read from them.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub invoice_id: i64,
    pub submission_id: i64,
    pub kind: SendKind,
    pub number: String,
    pub file_name: String,
    pub pdf: Vec<u8>,
    /// SHA-256 of `pdf`, lowercase hex.
    pub sha256: String,
    pub facts: Facts,
    /// The embedded structured invoice (Factur-X…), if any.
    pub structured: Option<StructuredSummary>,
    /// Extra files sent with the invoice (mail deposit: one attachment each).
    pub annexes: Vec<Annex>,
    /// Who receives it, when the channel serves several recipients (a
    /// direct e-mail: the customer's address, decided by routing).
    pub recipient: Option<String>,
    /// When an earlier try met an ambiguous failure (the portal may hold
    /// it): a lookup may then say it cannot tell yet.
    pub ambiguous_since_ms: Option<i64>,
}

/// A file that goes with an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A status as the portal reported it, before mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalEvent {
    /// The portal's reference of the invoice, when the answer names it.
    pub portal_ref: Option<String>,
    /// The invoice number, when the answer names it (mail notifications).
    pub number: Option<String>,
    /// When it happened, as the portal says (Unix ms).
    pub at_ms: i64,
    pub vocabulary: Vocabulary,
    pub raw_status: String,
    pub raw_reason: Option<String>,
}

/// What the portal said when it took the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    /// The portal's reference (deposit number, invoice id, Message-ID…).
    pub portal_ref: String,
    /// The portal's immediate answers (may be empty: mail answers later).
    pub events: Vec<PortalEvent>,
}

/// Whether the portal holds an invoice (asked after a crash mid-send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "found")]
pub enum Lookup {
    Found {
        portal_ref: String,
    },
    NotFound,
    /// The portal cannot answer yet (a flow it has not listed yet): ask
    /// again later, never send meanwhile. Says what it waits for.
    NotYet {
        why: String,
    },
    /// The channel cannot tell (mail): the user must verify.
    CannotTell,
}

/// An invoice already at the portal, whose statuses `sync` should fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub invoice_id: i64,
    pub number: String,
    pub portal_ref: String,
}

/// What one `sync` brought back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pulled {
    pub events: Vec<PortalEvent>,
    /// Where the next sync resumes (IMAP UID, date…), stored per account.
    pub cursor: Option<String>,
    /// Messages that were ignored, and why (untrusted sender, no pattern
    /// matched…), for the log and the user.
    pub ignored: Vec<String>,
    /// The portal has more past `cursor`: record this batch, then pull
    /// again from the new cursor (a large mailbox is read in batches).
    pub more: bool,
    /// How many items remain past `cursor`, when the channel knows.
    pub remaining: Option<u64>,
}

/// One way to reach a portal. Implementations hold their account's settings
/// and secrets (read from the keyring when built) and are cheap to call
/// repeatedly.
pub trait Channel: Send + Sync {
    /// The account kind (`sandbox`, `chorus_pro`, `mail_deposit`).
    fn kind(&self) -> &'static str;

    /// The account name.
    fn account(&self) -> &str;

    /// The vocabulary the portal's statuses are in.
    fn vocabulary(&self) -> Vocabulary;

    /// Whether this invoice can go through this channel at all, judged
    /// before anything is sent (`Err(ChannelError::Invalid)` says why).
    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError>;

    /// Delivers one invoice.
    fn send(&self, out: &Outgoing) -> impl Future<Output = Result<Delivered, ChannelError>> + Send;

    /// The portal's first answers that take another call once the invoice
    /// was taken (Chorus Pro's deposit report, a plateforme's
    /// acknowledgement). Called after the delivery and its reference were
    /// recorded, so a crash in between loses nothing: the next sync asks
    /// again. Never sends the invoice.
    fn after_delivery(
        &self,
        _out: &Outgoing,
        _delivered: &Delivered,
    ) -> impl Future<Output = Result<Vec<PortalEvent>, ChannelError>> + Send {
        async { Ok(Vec::new()) }
    }

    /// Whether the portal already holds this invoice (after a crash or an
    /// ambiguous failure while sending). Never sends anything.
    fn lookup(&self, out: &Outgoing) -> impl Future<Output = Result<Lookup, ChannelError>> + Send;

    /// Replays an invoice refused for « Mandat absent » (the portal keeps the
    /// file; only the request is sent again).
    fn replay(
        &self,
        portal_ref: &str,
    ) -> impl Future<Output = Result<Vec<PortalEvent>, ChannelError>> + Send;

    /// Pulls statuses: for the invoices in `tracked`, and whatever else the
    /// portal reports since `cursor`.
    fn pull(
        &self,
        tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Pulled, ChannelError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_sorted_into_transient_and_permanent() {
        assert!(status_error(429, None, "").is_transient());
        assert!(status_error(503, None, "").is_transient());
        assert!(status_error(500, None, "").is_transient());
        assert!(!status_error(400, None, "").is_transient());
        assert!(!status_error(404, None, "").is_transient());
        assert!(
            !ChannelError::Auth {
                account: "a".into(),
                detail: "d".into()
            }
            .is_transient()
        );
        assert!(ChannelError::Timeout("t".into()).is_transient());
        assert!(status_error(503, None, "").kind() == Failure::NotSent);
        assert!(status_error(503, None, "").after_write().kind() == Failure::NotSent);
        assert!(status_error(429, None, "").after_write().kind() == Failure::NotSent);
        assert!(status_error(502, None, "").after_write().is_ambiguous());
        assert!(status_error(500, None, "").after_write().is_ambiguous());
        assert!(status_error(400, None, "").after_write().kind() == Failure::Permanent);
        assert!(
            ChannelError::Timeout("t".into())
                .after_write()
                .is_ambiguous()
        );
        assert!(
            ChannelError::Interrupted("r".into())
                .after_write()
                .is_ambiguous()
        );
        assert!(ChannelError::Unreachable("c".into()).after_write().kind() == Failure::NotSent);
        assert_eq!(
            status_error(429, Some(Duration::from_secs(3)), "").retry_after(),
            Some(Duration::from_secs(3))
        );
    }
}
