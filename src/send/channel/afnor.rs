//! The plateforme agréée channel: any French e-invoicing plateforme through
//! the standard AFNOR XP Z12-013 Flow and Directory services.
//!
//! An invoice goes as one flow (`POST /v1/flows`, multipart: a `flowInfo`
//! JSON part with the invoice number as `trackingId` and the file's
//! `sha256`, then the `file` part); the plateforme answers 202 with a
//! `flowId`, and its acknowledgement (`GET /v1/flows/{flowId}`) goes from
//! `Pending` to `Ok` or `Error`. `AlreadyExistingFlow` is the plateforme's
//! « Doublon »; any other error is a rejection (213) with the plateforme's
//! reason code and message. Since the API has no idempotency key, a flow is
//! found after a crash by searching its `trackingId`.
//!
//! Statuses come back as lifecycle flows: each status of an invoice is its
//! own CDAR flow (`CustomerInvoiceLC`, direction `In`), found with
//! `POST /v1/flows/search` and the `updatedAfter` cursor (strict: each page
//! resumes after the last flow read), downloaded (`docType=Original`) and
//! read by [`crate::send::cdar`]; the invoice number inside names the invoice.
//! Acknowledgement errors that come after the send are found the same way
//! (outgoing flows whose acknowledgement is `Error`). The cursor is
//! `lc=<date>;ack=<date>`, saved with the events in one transaction by the
//! outbox, so a restart neither misses nor repeats a flow.
//!
//! Authentication is OAuth2 client credentials (`client_id` setting, the
//! `client_secret` secret from the keyring), the token cached and renewed
//! before it expires; a 401 drops the token and tries once more.
//!
//! Deliberately not here: retries and exactly-once (the outbox), mapping
//! codes onto the lifecycle ([`crate::mirror::lifecycle`], reform vocabulary), the
//! directory cache and marking paid ([`crate::send::plateforme`]), webhooks (they
//! need a public address; a desktop application polls), and converting a
//! plain PDF into an e-invoice. No secret or token is ever logged or put
//! into an error.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{self, TokenCache};
use super::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked,
    install_crypto, retry_after, status_error,
};
use crate::check::structured::Profile;
use crate::mirror::lifecycle::Vocabulary;
use crate::send::accounts::{Account, SecretStore};
use crate::send::cdar;

/// A file is at most 100 MB.
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;
/// A `trackingId` is at most 36 characters.
pub const MAX_TRACKING_CHARS: usize = 36;
/// A search page holds at most 100 flows.
pub const MAX_PAGE: u32 = 100;
/// One sync reads at most this many pages of each search; the rest waits
/// for the next sync (the cursor says where).
const MAX_PAGES: u32 = 200;
const DEFAULT_TIMEOUT_SECS: u64 = 60;
const DEFAULT_ACK_WAIT_SECS: u64 = 60;

/// The acknowledgement's words for a flow the plateforme already holds.
pub const ALREADY_EXISTING: &str = "AlreadyExistingFlow";

/// A client of one plateforme account.
pub struct AfnorChannel {
    account: String,
    /// The Flow service's base, without `/v1`.
    flow_url: String,
    /// The Directory service's base, without `/v1`.
    directory_url: String,
    organization_id: Option<String>,
    processing_rule: String,
    ack_wait: Duration,
    page_size: u32,
    simulation: bool,
    http: reqwest::Client,
    token: TokenCache,
}

impl std::fmt::Debug for AfnorChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfnorChannel")
            .field("account", &self.account)
            .field("flow_url", &self.flow_url)
            .field("simulation", &self.simulation)
            .finish_non_exhaustive()
    }
}

/// What the plateforme says about one flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowMeta {
    pub flow_id: String,
    pub tracking_id: Option<String>,
    pub flow_syntax: Option<String>,
    pub flow_type: Option<String>,
    pub direction: Option<String>,
    pub submitted_at: Option<String>,
    pub updated_at: Option<String>,
    pub sha256: Option<String>,
    /// `Pending`, `Ok`, `Error` (or whatever the plateforme wrote).
    pub ack: Option<String>,
    /// (reasonCode, reasonMessage) of each detail.
    pub details: Vec<(String, String)>,
}

impl FlowMeta {
    fn from_json(v: &Value) -> Option<FlowMeta> {
        let ack = v.get("acknowledgement");
        Some(FlowMeta {
            flow_id: text(v, "flowId")?,
            tracking_id: text(v, "trackingId"),
            flow_syntax: text(v, "flowSyntax"),
            flow_type: text(v, "flowType"),
            direction: text(v, "flowDirection"),
            submitted_at: text(v, "submittedAt"),
            updated_at: text(v, "updatedAt"),
            sha256: text(v, "sha256"),
            ack: ack.and_then(|a| text(a, "status")),
            details: ack
                .and_then(|a| a.get("details"))
                .and_then(Value::as_array)
                .map(|d| {
                    d.iter()
                        .map(|x| {
                            (
                                text(x, "reasonCode").unwrap_or_default(),
                                text(x, "reasonMessage").unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// When the plateforme last changed the flow (millisecond precision).
    fn changed_ms(&self) -> Option<i64> {
        self.updated_at
            .as_deref()
            .or(self.submitted_at.as_deref())
            .and_then(parse_ms)
    }

    fn at_ms(&self) -> i64 {
        self.changed_ms().unwrap_or_else(now_ms)
    }

    /// The reform event an acknowledgement `Error` stands for: « Doublon »
    /// for `AlreadyExistingFlow`, otherwise 213 « Rejetée » with the
    /// plateforme's reason code and message.
    pub fn error_event(&self) -> Option<PortalEvent> {
        if self.ack.as_deref() != Some("Error") {
            return None;
        }
        let duplicate = self.details.iter().find(|(c, _)| c == ALREADY_EXISTING);
        let (raw_status, raw_reason) = match duplicate {
            Some((c, m)) => (c.clone(), (!m.is_empty()).then(|| m.clone())),
            None => {
                let reasons: Vec<String> = self
                    .details
                    .iter()
                    .map(|(c, m)| match (c.is_empty(), m.is_empty()) {
                        (false, false) => format!("{c}: {m}"),
                        (false, true) => c.clone(),
                        (true, _) => m.clone(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                (
                    "213".to_string(),
                    Some(if reasons.is_empty() {
                        "Error".to_string()
                    } else {
                        reasons.join(" | ")
                    }),
                )
            }
        };
        Some(PortalEvent {
            portal_ref: Some(self.flow_id.clone()),
            number: None,
            at_ms: self.at_ms(),
            vocabulary: Vocabulary::Reform,
            raw_status,
            raw_reason,
        })
    }
}

/// One line of the Directory service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DirectoryLine {
    pub siren: Option<String>,
    pub siret: Option<String>,
    /// The electronic address.
    pub addressing_identifier: Option<String>,
    /// `WK` a plateforme agréée, `DFH` the state's platform.
    pub platform_type: Option<String>,
    /// `Enabled`, `Disabled`, `Upcoming`, or `None` when not given.
    pub status: Option<String>,
}

/// The 202 answer to a new flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub flow_id: String,
    pub submitted_at: Option<String>,
    pub tracking_id: Option<String>,
}

/// Where the lifecycle sync resumes: the last lifecycle flow and the last
/// acknowledgement error read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub lifecycle: Option<String>,
    pub ack: Option<String>,
}

impl Cursor {
    pub fn parse(s: Option<&str>) -> Cursor {
        let mut c = Cursor::default();
        for part in s.unwrap_or_default().split(';') {
            match part.split_once('=') {
                Some(("lc", v)) if !v.is_empty() => c.lifecycle = Some(v.to_string()),
                Some(("ack", v)) if !v.is_empty() => c.ack = Some(v.to_string()),
                _ => {}
            }
        }
        c
    }

    pub fn render(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(l) = &self.lifecycle {
            parts.push(format!("lc={l}"));
        }
        if let Some(a) = &self.ack {
            parts.push(format!("ack={a}"));
        }
        (!parts.is_empty()).then(|| parts.join(";"))
    }
}

/// A base URL without a trailing `/v1`: https, or plain http to loopback
/// only ([`http::check_url`]).
fn base_url(account: &str, key: &str, url: &str) -> Result<String, ChannelError> {
    let url = http::base_url(account, key, url)?;
    Ok(url.strip_suffix("/v1").unwrap_or(&url).to_string())
}

impl AfnorChannel {
    /// Builds the channel from an account's settings and its secret.
    ///
    /// Settings: `url` (the Flow service, e.g.
    /// `https://api.example-pa.fr/afnor-flow`), `token_url`, `client_id`;
    /// optional `directory_url` (default: `url`), `scope`, `organization_id`
    /// (sent as `Organization-Id`), `processing_rule` (`B2B`),
    /// `timeout_secs` (60), `ack_wait_secs` (60), `page_size` (100).
    /// Secret: `client_secret`. The demonstration plateforme (`simulation` =
    /// `true`, loopback only) needs neither token URL nor credentials.
    pub fn from_account(
        account: &Account,
        secrets: &dyn SecretStore,
    ) -> Result<AfnorChannel, ChannelError> {
        install_crypto();
        let name = account.name.as_str();
        let config = |detail: String| ChannelError::Config {
            account: name.to_string(),
            detail,
        };
        let setting = |key: &str| {
            account
                .settings
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let required = |key: &str| {
            setting(key)
                .map(str::to_string)
                .ok_or_else(|| config(format!("the setting \"{key}\" is missing")))
        };
        let flow_url = base_url(name, "url", &required("url")?)?;
        let simulation = setting("simulation") == Some("true");
        if simulation && !http::is_loopback_url(&flow_url) {
            return Err(config(
                "\"simulation\" is for the demonstration plateforme on this computer only".into(),
            ));
        }
        let directory_url = match setting("directory_url") {
            Some(u) => base_url(name, "directory_url", u)?,
            None => flow_url.clone(),
        };
        let (token_url, client_id, client_secret) = if simulation {
            (
                match setting("token_url") {
                    Some(u) => http::base_url(name, "token_url", u)?,
                    None => format!("{flow_url}/oauth/token"),
                },
                setting("client_id")
                    .unwrap_or(crate::send::accounts::DEMO_CLIENT_ID)
                    .to_string(),
                crate::send::accounts::DEMO_CLIENT_SECRET.to_string(),
            )
        } else {
            let secret = match secrets.get(name, "client_secret") {
                Ok(Some(v)) if !v.is_empty() => v,
                Ok(_) => {
                    return Err(config(
                        "the secret \"client_secret\" is not in the keyring".into(),
                    ));
                }
                Err(e) => {
                    return Err(config(format!(
                        "the secret \"client_secret\" could not be read: {e}"
                    )));
                }
            };
            let token_url = required("token_url")?;
            let token_url = http::base_url(name, "token_url", &token_url)?;
            (token_url, required("client_id")?, secret)
        };
        let number = |key: &str, default: u64, max: u64| match setting(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| config(format!("the setting \"{key}\" must be 1 to {max}"))),
        };
        let timeout = Duration::from_secs(number("timeout_secs", DEFAULT_TIMEOUT_SECS, 3600)?);
        let ack_wait = Duration::from_secs(number("ack_wait_secs", DEFAULT_ACK_WAIT_SECS, 3600)?);
        let page_size = number("page_size", MAX_PAGE.into(), MAX_PAGE.into())? as u32;
        let http = http::client(timeout)
            .map_err(|e| config(format!("cannot build the HTTP client: {e}")))?;
        let token = TokenCache::new(
            name,
            "the plateforme",
            token_url,
            &client_id,
            &client_secret,
            setting("scope"),
        );
        Ok(AfnorChannel {
            account: name.to_string(),
            flow_url,
            directory_url,
            organization_id: setting("organization_id").map(str::to_string),
            processing_rule: setting("processing_rule").unwrap_or("B2B").to_string(),
            ack_wait,
            page_size,
            simulation,
            http,
            token,
        })
    }

    /// Whether this is the demonstration plateforme.
    pub fn is_simulation(&self) -> bool {
        self.simulation
    }

    fn redact(&self, text: &str, token: Option<&str>) -> String {
        self.token.redact(text, token)
    }

    async fn bearer(&self) -> Result<String, ChannelError> {
        self.token.bearer(&self.http).await
    }

    /// One call with the bearer token; a 401 is tried once more with a new
    /// token. Returns the answer's bytes.
    async fn call(
        &self,
        what: &str,
        cap: usize,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, ChannelError> {
        let mut renewed = false;
        loop {
            let token = self.bearer().await?;
            let mut req = build(&self.http)
                .bearer_auth(&token)
                .header("Request-Id", request_id());
            if let Some(o) = &self.organization_id {
                req = req.header("Organization-Id", o);
            }
            let resp = http::send(req).await.inspect_err(|e| {
                tracing::info!(account = %self.account, what, "plateforme call failed: {e}");
            })?;
            let status = resp.status().as_u16();
            tracing::debug!(account = %self.account, what, status, "plateforme call");
            if status == 401 {
                let body = http::error_text(resp).await;
                self.token.forget(&token).await;
                if !renewed {
                    renewed = true;
                    continue;
                }
                return Err(ChannelError::Auth {
                    account: self.account.clone(),
                    detail: self.redact(
                        &format!(
                            "HTTP 401 on {what} even with a new token: {}",
                            error_message(&body)
                        ),
                        Some(&token),
                    ),
                });
            }
            if status == 403 {
                let body = http::error_text(resp).await;
                return Err(ChannelError::Auth {
                    account: self.account.clone(),
                    detail: self.redact(
                        &format!("HTTP 403 on {what}: {}", error_message(&body)),
                        Some(&token),
                    ),
                });
            }
            if !(200..300).contains(&status) {
                let after = retry_after(resp.headers());
                let body = http::error_text(resp).await;
                let detail = self.redact(&error_message(&body), Some(&token));
                return Err(status_error(status, after, &format!("{what}: {detail}")));
            }
            return http::read_capped(resp, cap, what).await;
        }
    }

    async fn call_json(
        &self,
        what: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Value, ChannelError> {
        let bytes = self.call(what, http::JSON_CAP, build).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ChannelError::Protocol(format!("{what} did not answer JSON: {e}")))
    }

    /// Posts one flow: `flowInfo` then `file`, as multipart/form-data.
    pub async fn submit_flow(
        &self,
        info: &Value,
        file_name: &str,
        file_type: &str,
        file: &[u8],
    ) -> Result<Submitted, ChannelError> {
        let info_bytes = serde_json::to_vec(info).expect("JSON values serialise");
        // The file's type is ours (PDF or XML), checked once so that the
        // form built for each try cannot fail.
        reqwest::multipart::Part::bytes(Vec::new())
            .mime_str(file_type)
            .map_err(|_| ChannelError::Invalid(format!("not a media type: {file_type}")))?;
        let file_name = file_name.replace(['"', '\r', '\n', '\\'], "_");
        // A form is consumed by its request: one per try (a 401 is tried
        // once more with a new token).
        let form = || {
            let part = |data: Vec<u8>, mime: &str| {
                reqwest::multipart::Part::bytes(data.clone())
                    .mime_str(mime)
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(data))
            };
            reqwest::multipart::Form::new()
                .part("flowInfo", part(info_bytes.clone(), "application/json"))
                .part(
                    "file",
                    part(file.to_vec(), file_type).file_name(file_name.clone()),
                )
        };
        let url = format!("{}/v1/flows", self.flow_url);
        // The token first: a failure to get one sent nothing.
        self.bearer().await?;
        // Posting the flow creates it at the plateforme: a failure once the
        // request may have been written is ambiguous, never retried blindly.
        let v = self
            .call_json("POST /v1/flows", |c| c.post(&url).multipart(form()))
            .await
            .map_err(ChannelError::after_write)?;
        let flow_id = text(&v, "flowId").ok_or_else(|| {
            ChannelError::Protocol("POST /v1/flows answered without a flowId".into())
        })?;
        Ok(Submitted {
            flow_id,
            submitted_at: text(&v, "submittedAt"),
            tracking_id: text(&v, "trackingId"),
        })
    }

    /// A flow's metadata and acknowledgement.
    pub async fn flow(&self, flow_id: &str) -> Result<FlowMeta, ChannelError> {
        let url = format!("{}/v1/flows/{}", self.flow_url, path_segment(flow_id));
        let v = self
            .call_json("GET /v1/flows/{flowId}", |c| {
                c.get(&url).query(&[("docType", "Metadata")])
            })
            .await?;
        FlowMeta::from_json(&v)
            .ok_or_else(|| ChannelError::Protocol("a flow without flowId".into()))
    }

    /// A flow's file, as received by the plateforme.
    pub async fn download(&self, flow_id: &str) -> Result<Vec<u8>, ChannelError> {
        let url = format!("{}/v1/flows/{}", self.flow_url, path_segment(flow_id));
        // A lifecycle file larger than the CDAR reader takes is refused
        // while it downloads, not after.
        self.call(
            "GET /v1/flows/{flowId}?docType=Original",
            cdar::MAX_BYTES,
            |c| c.get(&url).query(&[("docType", "Original")]),
        )
        .await
    }

    /// Waits until the acknowledgement is no longer `Pending` (at most the
    /// account's `ack_wait_secs`); the last metadata read.
    pub async fn wait_ack(&self, flow_id: &str) -> Result<FlowMeta, ChannelError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            let meta = self.flow(flow_id).await?;
            let pending = meta
                .ack
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case("Pending"));
            if !pending || started.elapsed() + pause > self.ack_wait {
                return Ok(meta);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    /// One page of `POST /v1/flows/search`.
    pub async fn search_page(
        &self,
        filter: &Value,
        after: Option<&str>,
    ) -> Result<Vec<FlowMeta>, ChannelError> {
        let mut filter = filter.clone();
        if let (Some(a), Some(o)) = (after, filter.as_object_mut()) {
            o.insert("updatedAfter".into(), json!(a));
        }
        let body = json!({ "limit": self.page_size, "where": filter });
        let url = format!("{}/v1/flows/search", self.flow_url);
        let v = self
            .call_json("POST /v1/flows/search", |c| c.post(&url).json(&body))
            .await?;
        Ok(v.get("results")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(FlowMeta::from_json).collect())
            .unwrap_or_default())
    }

    /// Every flow matching `filter` changed after `after`, page after page
    /// (the cursor being the last flow's `updatedAt`), at most
    /// 200 pages. Returns the flows and the last cursor.
    pub async fn search_all(
        &self,
        filter: &Value,
        after: Option<&str>,
    ) -> Result<(Vec<FlowMeta>, Option<String>), ChannelError> {
        let mut cursor = after.map(str::to_string);
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.search_page(filter, cursor.as_deref()).await?;
            let full = page.len() >= self.page_size as usize;
            let mut advanced = false;
            for f in page {
                if let Some(u) = &f.updated_at
                    && cursor.as_deref() != Some(u.as_str())
                {
                    cursor = Some(u.clone());
                    advanced = true;
                }
                if seen.insert(f.flow_id.clone()) {
                    all.push(f);
                }
            }
            if !full {
                break;
            }
            if !advanced {
                return Err(ChannelError::Protocol(
                    "the plateforme's search pages do not advance (updatedAt missing or equal)"
                        .into(),
                ));
            }
        }
        Ok((all, cursor))
    }

    /// The flows from this supplier carrying `tracking_id`.
    pub async fn find_tracked(&self, tracking_id: &str) -> Result<Vec<FlowMeta>, ChannelError> {
        let filter = json!({ "trackingId": tracking_id, "flowDirection": ["Out"] });
        let (flows, _) = self.search_all(&filter, None).await?;
        Ok(flows
            .into_iter()
            .filter(|f| f.tracking_id.as_deref() == Some(tracking_id))
            .collect())
    }

    /// The Directory service's lines for a SIREN.
    pub async fn directory(&self, siren: &str) -> Result<Vec<DirectoryLine>, ChannelError> {
        let url = format!("{}/v1/directory-line/search", self.directory_url);
        let body = json!({ "where": { "siren": siren } });
        let v = self
            .call_json("POST /v1/directory-line/search", |c| {
                c.post(&url).json(&body)
            })
            .await?;
        let rows = v
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(rows
            .iter()
            .map(|r| DirectoryLine {
                siren: text(r, "siren"),
                siret: text(r, "siret"),
                addressing_identifier: text(r, "addressingIdentifier"),
                platform_type: text(r, "platformType"),
                status: text(r, "status"),
            })
            .collect())
    }

    /// Posts a lifecycle CDAR of the supplier's own (e.g. 212 « Encaissée »)
    /// under `tracking_id` and waits for its acknowledgement.
    pub async fn post_cdar(
        &self,
        tracking_id: &str,
        file_name: &str,
        xml: &[u8],
    ) -> Result<FlowMeta, ChannelError> {
        let info = json!({
            "name": file_name,
            "flowSyntax": "CDAR",
            "processingRule": self.processing_rule,
            "trackingId": tracking_id,
            "sha256": crate::hex::sha256(xml),
        });
        let s = self
            .submit_flow(&info, file_name, "application/xml", xml)
            .await?;
        self.wait_ack(&s.flow_id).await
    }

    /// The lifecycle CDAR flows since the cursor, each downloaded and read.
    async fn pull_lifecycle(
        &self,
        after: Option<&str>,
        pulled: &mut Pulled,
    ) -> Result<Option<String>, ChannelError> {
        let filter = json!({ "flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"] });
        let (flows, cursor) = self.search_all(&filter, after).await?;
        for f in &flows {
            let at = f.at_ms();
            let unreadable = |why: String| PortalEvent {
                portal_ref: Some(f.flow_id.clone()),
                number: None,
                at_ms: at,
                vocabulary: Vocabulary::Reform,
                raw_status: "CDAR illisible / unreadable CDAR".into(),
                raw_reason: Some(why.chars().take(300).collect()),
            };
            let bytes = match self.download(&f.flow_id).await {
                Ok(b) => b,
                Err(e) if e.is_transient() => return Err(e),
                Err(e) => {
                    pulled
                        .ignored
                        .push(format!("CDAR {} could not be downloaded: {e}", f.flow_id));
                    pulled.events.push(unreadable(e.to_string()));
                    continue;
                }
            };
            match cdar::parse(&bytes) {
                Ok(c) if !c.statuses.is_empty() => {
                    for s in &c.statuses {
                        pulled.events.push(PortalEvent {
                            portal_ref: Some(f.flow_id.clone()),
                            number: s.invoice_number.clone(),
                            // The flow's date first: to the millisecond, where a
                            // CDAR's own date is to the second and several
                            // statuses may share it.
                            at_ms: f.changed_ms().or(c.issued_ms).unwrap_or(at),
                            vocabulary: Vocabulary::Reform,
                            raw_status: s.code.clone().unwrap_or_else(|| "?".into()),
                            raw_reason: s.reason_line(),
                        });
                    }
                }
                Ok(_) => pulled
                    .events
                    .push(unreadable("the CDAR names no invoice".into())),
                Err(e) => {
                    pulled
                        .ignored
                        .push(format!("CDAR {} is unreadable: {e}", f.flow_id));
                    pulled.events.push(unreadable(e.to_string()));
                }
            }
        }
        Ok(cursor)
    }
}

fn request_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// A flow id as one URL path segment.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// How a file goes to a plateforme: its `flowSyntax`, its content type
/// and the file name it travels under. A Factur-X (CII inside a PDF) goes
/// as `Factur-X`; a standalone CII invoice as `CII` and a UBL one as `UBL`,
/// as `.xml`. `None` for anything else (a PDF carrying UBL, a PDF with no
/// structured data).
pub fn flow_form(out: &Outgoing) -> Option<(&'static str, &'static str, String)> {
    let s = out.structured.as_ref()?;
    let is_pdf = matches!(crate::pdf::sniff(&out.pdf), crate::pdf::Sniff::Pdf(_));
    let syntax = if s.syntax.eq_ignore_ascii_case("CII") {
        "CII"
    } else if s.syntax.eq_ignore_ascii_case("UBL") {
        "UBL"
    } else {
        return None;
    };
    match (is_pdf, syntax) {
        (true, "CII") => Some(("Factur-X", "application/pdf", out.file_name.clone())),
        (true, _) => None,
        (false, syntax) => Some((syntax, "application/xml", xml_name(&out.file_name))),
    }
}

/// The name of a standalone XML flow: the file's own name when it ends in
/// `.xml`, else that name with `.xml` (a plateforme reads the kind of a
/// flow's file from its name too).
fn xml_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        name.to_string()
    } else if name.trim().is_empty() {
        "facture.xml".into()
    } else {
        format!("{name}.xml")
    }
}

/// Why a file cannot go to a plateforme as it is, in French and English;
/// `None` when it can.
pub fn not_an_einvoice(out: &Outgoing) -> Option<String> {
    let Some(s) = &out.structured else {
        return Some(
            "Une plateforme agréée n'accepte que des factures électroniques structurées \
             (Factur-X, CII ou UBL) : ce PDF ne contient aucune donnée structurée, ce n'est \
             qu'une image de facture. Exportez-la en Factur-X depuis votre logiciel, ou \
             envoyez ce PDF par un autre canal : le dépôt par courriel du portail du client, \
             ou Chorus Pro pour un client public. / A plateforme agréée only takes structured \
             e-invoices (Factur-X, CII or UBL): this PDF carries no structured data, it is only \
             a picture of an invoice. Export it as Factur-X from your software, or send this PDF \
             another way: the customer's portal mail deposit, or Chorus Pro for a public-sector \
             customer."
                .into(),
        );
    };
    let profile = Profile::from_guideline_id(s.profile.as_deref().unwrap_or_default());
    if !profile.is_full_invoice() {
        let p = profile.as_str();
        return Some(format!(
            "Le profil Factur-X {p} n'est pas une facture complète (ni lignes ni détail de TVA) : \
             une plateforme agréée ne l'accepte pas comme facture électronique. Exportez la \
             facture au profil BASIC, EN 16931 ou EXTENDED. / The Factur-X profile {p} is not a \
             full invoice (no lines, no VAT breakdown): a plateforme agréée does not take it as an \
             e-invoice. Export the invoice with the BASIC, EN 16931 or EXTENDED profile."
        ));
    }
    if flow_form(out).is_some() {
        return None;
    }
    Some(format!(
        "Ce PDF contient des données {} : une plateforme agréée attend un Factur-X (CII dans \
             le PDF). Exportez la facture en Factur-X. / This PDF carries {} data: a plateforme \
             agréée expects Factur-X (CII inside the PDF). Export the invoice as Factur-X.",
        s.syntax, s.syntax
    ))
}

impl Channel for AfnorChannel {
    fn kind(&self) -> &'static str {
        "plateforme"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::Reform
    }

    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError> {
        if out.pdf.len() > MAX_FILE_BYTES {
            return Err(ChannelError::Invalid(format!(
                "Le fichier fait {:.1} Mo ; une plateforme agréée n'accepte que 100 Mo au plus. / \
                 The file is {:.1} MB; a plateforme agréée takes at most 100 MB.",
                out.pdf.len() as f64 / 1_048_576.0,
                out.pdf.len() as f64 / 1_048_576.0,
            )));
        }
        if let Some(why) = not_an_einvoice(out) {
            return Err(ChannelError::Invalid(why));
        }
        let n = out.number.trim();
        if n.is_empty() || n.chars().count() > MAX_TRACKING_CHARS {
            return Err(ChannelError::Invalid(format!(
                "Le numéro de facture « {n} » doit faire de 1 à {MAX_TRACKING_CHARS} caractères \
                 pour servir de référence de suivi (trackingId). / The invoice number \"{n}\" \
                 must be 1 to {MAX_TRACKING_CHARS} characters to serve as the tracking id."
            )));
        }
        Ok(())
    }

    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        self.precheck(out)?;
        let Some((syntax, content_type, file_name)) = flow_form(out) else {
            // The precheck said it can go: a flow form exists.
            return Err(ChannelError::Invalid(
                not_an_einvoice(out).unwrap_or_default(),
            ));
        };
        let info = json!({
            "name": file_name.chars().take(255).collect::<String>(),
            "flowSyntax": syntax,
            "flowProfile": "CIUS",
            "processingRule": self.processing_rule,
            "trackingId": out.number.trim(),
            "sha256": out.sha256,
        });
        let s = self
            .submit_flow(&info, &file_name, content_type, &out.pdf)
            .await?;
        tracing::debug!(account = %self.account, invoice = out.invoice_id, syntax, "flow syntax");
        tracing::info!(account = %self.account, invoice = out.invoice_id, flow = %s.flow_id, "flow submitted");
        // The flow is at the plateforme now: the outbox records its id
        // before the acknowledgement is awaited (`after_delivery`).
        Ok(Delivered {
            portal_ref: s.flow_id,
            events: Vec::new(),
        })
    }

    async fn after_delivery(
        &self,
        _out: &Outgoing,
        delivered: &Delivered,
    ) -> Result<Vec<PortalEvent>, ChannelError> {
        // Whatever the acknowledgement says (or if it cannot be read yet),
        // this is a delivery.
        match self.wait_ack(&delivered.portal_ref).await {
            Ok(meta) => Ok(meta.error_event().into_iter().collect()),
            Err(e) => {
                tracing::warn!(account = %self.account, flow = %delivered.portal_ref, "acknowledgement not readable yet: {e}");
                Ok(Vec::new())
            }
        }
    }

    async fn lookup(&self, out: &Outgoing) -> Result<Lookup, ChannelError> {
        let flows = self.find_tracked(out.number.trim()).await?;
        let best = flows
            .iter()
            .filter(|f| f.flow_syntax.as_deref() != Some("CDAR"))
            .min_by_key(|f| {
                (
                    f.ack.as_deref() == Some("Error"),
                    f.sha256.as_deref() != Some(out.sha256.as_str()),
                )
            });
        Ok(match best {
            Some(f) => Lookup::Found {
                portal_ref: f.flow_id.clone(),
            },
            None => Lookup::NotFound,
        })
    }

    async fn replay(&self, _portal_ref: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        Err(ChannelError::Unsupported(
            "replay a flow on a plateforme agréée (send a corrected invoice instead)",
        ))
    }

    async fn pull(
        &self,
        _tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> Result<Pulled, ChannelError> {
        let mut c = Cursor::parse(cursor);
        let mut pulled = Pulled::default();
        c.lifecycle = self
            .pull_lifecycle(c.lifecycle.as_deref(), &mut pulled)
            .await?;
        let filter = json!({ "flowDirection": ["Out"], "ackStatus": "Error" });
        let (errors, ack_cursor) = self.search_all(&filter, c.ack.as_deref()).await?;
        pulled
            .events
            .extend(errors.iter().filter_map(FlowMeta::error_event));
        c.ack = ack_cursor;
        pulled.cursor = c.render();
        tracing::info!(
            account = %self.account,
            events = pulled.events.len(),
            "plateforme statuses pulled"
        );
        Ok(pulled)
    }
}

/// The plateforme's words from an error body (`{errorCode, errorMessage}`,
/// or OAuth's `{error, error_description}`), short.
fn error_message(body: &str) -> String {
    let s = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let code = text(&v, "errorCode").or_else(|| text(&v, "error"));
            let msg = text(&v, "errorMessage").or_else(|| text(&v, "error_description"));
            match (code, msg) {
                (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                (Some(x), None) | (None, Some(x)) => Some(x),
                (None, None) => None,
            }
        })
        .unwrap_or_else(|| body.trim().to_string());
    let s = if s.is_empty() {
        "no details given".to_string()
    } else {
        s
    };
    s.chars().take(300).collect()
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_ms(s: &str) -> Option<i64> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            lifecycle: Some("2026-12-01T08:00:00.001Z".into()),
            ack: None,
        };
        assert_eq!(Cursor::parse(c.render().as_deref()), c);
        assert_eq!(Cursor::parse(None), Cursor::default());
        assert_eq!(Cursor::default().render(), None);
        assert_eq!(
            Cursor::parse(Some("lc=a;ack=b;junk")),
            Cursor {
                lifecycle: Some("a".into()),
                ack: Some("b".into())
            }
        );
    }

    #[test]
    fn acknowledgement_errors_become_reform_events() {
        let mut m = FlowMeta {
            flow_id: "F1".into(),
            tracking_id: Some("N".into()),
            flow_syntax: None,
            flow_type: None,
            direction: None,
            submitted_at: None,
            updated_at: Some("2026-01-01T12:00:00Z".into()),
            sha256: None,
            ack: Some("Ok".into()),
            details: vec![("ChecksumMismatch".into(), "bad".into())],
        };
        assert_eq!(m.error_event(), None);
        m.ack = Some("Error".into());
        let e = m.error_event().unwrap();
        assert_eq!(e.raw_status, "213");
        assert_eq!(e.raw_reason.as_deref(), Some("ChecksumMismatch: bad"));
        assert_eq!(e.portal_ref.as_deref(), Some("F1"));
        assert_eq!(e.number, None);
        assert_eq!(e.at_ms, 1_767_268_800_000);
        m.details
            .push((ALREADY_EXISTING.into(), "déjà reçue".into()));
        let e = m.error_event().unwrap();
        assert_eq!(e.raw_status, ALREADY_EXISTING);
        let mapped = crate::mirror::lifecycle::map(
            Vocabulary::Reform,
            &e.raw_status,
            e.raw_reason.as_deref(),
        );
        assert_eq!(
            mapped.status,
            Some(crate::mirror::lifecycle::Status::Refused)
        );
        assert_eq!(mapped.reason_code.as_deref(), Some("DOUBLON"));
    }

    #[test]
    fn urls_are_https_or_loopback_and_lose_v1() {
        assert_eq!(
            base_url("a", "url", "https://api.pa.fr/afnor-flow/v1/").unwrap(),
            "https://api.pa.fr/afnor-flow"
        );
        assert!(base_url("a", "url", "http://127.0.0.1:8918").is_ok());
        assert!(base_url("a", "url", "http://api.pa.fr").is_err());
        assert!(base_url("a", "url", "http://127.0.0.1.evil.fr").is_err());
    }
}
