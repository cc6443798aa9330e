//! The sandbox channel: delivers to the built-in demonstration portal over
//! its loopback JSON API (served by the demonstration's `sandbox_server`).
//! Settings: `url`, and `timeout_secs` (60) after which an unanswered call
//! gives up ([`SandboxChannel::with_timeout`]).
//!
//! Deliberately not here: the portal itself, and any credential (the
//! sandbox has none: it is a local simulation).

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked, http_error,
    retry_after, status_error,
};
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::Vocabulary;

/// A client of one sandbox portal.
pub struct SandboxChannel {
    account: String,
    base: String,
    http: reqwest::Client,
    /// The home the portal must serve (the built-in account's own
    /// sandbox); `None`: any portal at this address.
    home_id: Option<String>,
}

impl SandboxChannel {
    pub fn new(account: &str, base_url: &str) -> Result<SandboxChannel, ChannelError> {
        let base = super::http::base_url(account, "url", base_url)?;
        let http =
            super::http::client(Duration::from_secs(60)).map_err(|e| ChannelError::Config {
                account: account.to_string(),
                detail: e.to_string(),
            })?;
        Ok(SandboxChannel {
            account: account.to_string(),
            base,
            http,
            home_id: None,
        })
    }

    /// Holds the portal to serving the home with this id
    /// ([`crate::send::accounts::sandbox_id`]): before each call the
    /// portal is asked which home it serves, and another home's portal
    /// (two Facteur homes on one port) is refused, so nothing of this home
    /// lands in another home's sandbox.
    pub fn serving_home(mut self, home_id: Option<&str>) -> SandboxChannel {
        self.home_id = home_id.map(str::to_string);
        self
    }

    /// Refuses a portal that serves another home than the expected one.
    async fn same_home(&self) -> Result<(), ChannelError> {
        let Some(want) = &self.home_id else {
            return Ok(());
        };
        let info: serde_json::Value =
            Self::answer(self.http.get(self.url("info")).send().await).await?;
        let serves = info.get("home_id").and_then(|v| v.as_str());
        if serves == Some(want.as_str()) {
            return Ok(());
        }
        let other = serves.unwrap_or("?");
        Err(ChannelError::Config {
            account: self.account.clone(),
            detail: format!(
                "le portail de démonstration sur {base} sert un autre dossier Facteur ({other}), pas celui-ci ({want}) : fermez l'autre Facteur, ou supprimez sandbox.port de ce dossier pour qu'il choisisse un autre port / the demonstration portal at {base} serves another Facteur home ({other}), not this one ({want}): close the other Facteur, or delete this home's sandbox.port so that it picks another port",
                base = self.base
            ),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.base)
    }

    async fn answer<T: serde::de::DeserializeOwned>(
        resp: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, ChannelError> {
        let resp = resp.map_err(|e| http_error(&e))?;
        super::http::refuse_redirect(&resp)?;
        let status = resp.status();
        if !status.is_success() {
            let after = retry_after(resp.headers());
            let body = super::http::error_text(resp).await;
            let detail = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or(body);
            return Err(status_error(status.as_u16(), after, &detail));
        }
        let bytes = super::http::read_capped(resp, super::http::JSON_CAP, "the sandbox").await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ChannelError::Protocol(format!("the sandbox did not answer what was expected: {e}"))
        })
    }

    /// The demonstration's stand-in for the supplier importing the signed
    /// mandate on the portal: marks customer `siren`'s mandate signed.
    pub async fn sign_mandate(&self, siren: &str) -> Result<(), ChannelError> {
        let _: serde_json::Value = Self::answer(
            self.http
                .post(self.url(&format!("customers/{siren}/mandate")))
                .send()
                .await,
        )
        .await?;
        Ok(())
    }

    /// The same client, its calls giving up after the account's
    /// `timeout_secs` (1 to 3600; 60 when not set): a deposit still
    /// unanswered then is ambiguous.
    pub fn with_timeout(
        mut self,
        timeout_secs: Option<&str>,
    ) -> Result<SandboxChannel, ChannelError> {
        let config = |detail: String| ChannelError::Config {
            account: self.account.clone(),
            detail,
        };
        let Some(secs) = timeout_secs else {
            return Ok(self);
        };
        let timeout = secs
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=3600).contains(n))
            .map(Duration::from_secs)
            .ok_or_else(|| config("the setting \"timeout_secs\" must be 1 to 3600".into()))?;
        self.http = super::http::client(timeout).map_err(|e| config(e.to_string()))?;
        Ok(self)
    }

    fn events(reference: &str, statuses: Vec<PortalStatus>) -> Vec<PortalEvent> {
        statuses
            .into_iter()
            .map(|s| PortalEvent {
                portal_ref: Some(reference.to_string()),
                number: None,
                at_ms: s.at_ms,
                vocabulary: Vocabulary::Sandbox,
                raw_status: s.raw_status,
                raw_reason: s.raw_reason,
            })
            .collect()
    }
}

/// The seller and buyer SIREN as the sandbox wants them.
fn sirens(out: &Outgoing) -> (Option<String>, Option<String>) {
    let siren = |siren: FactKey, siret: FactKey| {
        out.facts.get(siren).map(str::to_string).or_else(|| {
            out.facts
                .get(siret)
                .filter(|s| s.len() == 14)
                .map(|s| s[..9].to_string())
        })
    };
    (
        siren(FactKey::SellerSiren, FactKey::SellerSiret),
        siren(FactKey::BuyerSiren, FactKey::BuyerSiret),
    )
}

#[derive(Serialize)]
struct Find<'a> {
    number: &'a str,
    seller: Option<&'a str>,
}

impl Channel for SandboxChannel {
    fn kind(&self) -> &'static str {
        "sandbox"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::Sandbox
    }

    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError> {
        // The sandbox judges customers and mandates itself, like the real
        // portal: an unknown customer is its answer to give. It takes PDF
        // only, as its server says.
        super::require_pdf(out, crate::send::accounts::Kind::Sandbox, &self.account)
    }

    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        self.same_home().await?;
        let (seller, buyer) = sirens(out);
        let req = DepositRequest {
            file_name: out.file_name.clone(),
            pdf_base64: base64::engine::general_purpose::STANDARD.encode(&out.pdf),
            number: out.number.clone(),
            seller_siren: seller,
            buyer_siren: buyer,
        };
        // The deposit creates the invoice at the portal: a failure once the
        // request may have been written is ambiguous, never retried blindly.
        let answer: DepositAnswer =
            Self::answer(self.http.post(self.url("deposits")).json(&req).send().await)
                .await
                .map_err(ChannelError::after_write)?;
        if answer.sha256 != out.sha256 {
            return Err(ChannelError::Protocol(format!(
                "the portal received different bytes (SHA-256 {} instead of {})",
                answer.sha256, out.sha256
            )));
        }
        Ok(Delivered {
            events: Self::events(&answer.reference, answer.statuses),
            portal_ref: answer.reference,
        })
    }

    async fn lookup(&self, out: &Outgoing) -> Result<Lookup, ChannelError> {
        self.same_home().await?;
        let (seller, _) = sirens(out);
        let found: Vec<FoundDeposit> = Self::answer(
            self.http
                .get(self.url("deposits"))
                .query(&Find {
                    number: &out.number,
                    seller: seller.as_deref(),
                })
                .send()
                .await,
        )
        .await?;
        Ok(match found.into_iter().find(|f| f.sha256 == out.sha256) {
            Some(f) => Lookup::Found {
                portal_ref: f.reference,
            },
            None => Lookup::NotFound,
        })
    }

    async fn replay(&self, portal_ref: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        self.same_home().await?;
        let statuses: Vec<PortalStatus> = Self::answer(
            self.http
                .post(self.url(&format!("deposits/{portal_ref}/replay")))
                .send()
                .await,
        )
        .await?;
        Ok(Self::events(portal_ref, statuses))
    }

    async fn pull(
        &self,
        tracked: &[Tracked],
        _cursor: Option<&str>,
    ) -> Result<Pulled, ChannelError> {
        self.same_home().await?;
        let mut pulled = Pulled::default();
        for t in tracked {
            let statuses: Result<Vec<PortalStatus>, _> = Self::answer(
                self.http
                    .get(self.url(&format!("deposits/{}/statuses", t.portal_ref)))
                    .send()
                    .await,
            )
            .await;
            match statuses {
                Ok(s) => pulled.events.extend(Self::events(&t.portal_ref, s)),
                Err(ChannelError::Refused(e)) => pulled.ignored.push(format!(
                    "{}: the portal does not know it ({e})",
                    t.portal_ref
                )),
                Err(e) => return Err(e),
            }
        }
        Ok(pulled)
    }
}

/// One status as the sandbox reports it (Sandbox vocabulary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalStatus {
    pub at_ms: i64,
    pub raw_status: String,
    pub raw_reason: Option<String>,
}

/// A deposit as the client sends it.
#[derive(Debug, Serialize, Deserialize)]
pub struct DepositRequest {
    pub file_name: String,
    pub pdf_base64: String,
    pub number: String,
    pub seller_siren: Option<String>,
    pub buyer_siren: Option<String>,
}

/// The portal's answer to a deposit.
#[derive(Debug, Serialize, Deserialize)]
pub struct DepositAnswer {
    pub reference: String,
    pub sha256: String,
    pub statuses: Vec<PortalStatus>,
    pub simulation: bool,
}

/// One deposit found by number.
#[derive(Debug, Serialize, Deserialize)]
pub struct FoundDeposit {
    pub reference: String,
    pub received_ms: i64,
    pub sha256: String,
}
