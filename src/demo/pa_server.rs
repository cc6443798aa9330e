//! The demonstration plateforme agréée on loopback: the AFNOR XP Z12-013
//! Flow and Directory services as a plateforme exposes them, so the whole
//! plateforme channel (submit, acknowledgement, lifecycle, payment, directory)
//! can be tried with no account, and the tests can count exactly what
//! arrived. Always labelled a simulation.
//!
//! | request | answer |
//! |---|---|
//! | `POST /oauth/token` (form: client credentials) | `{access_token, token_type, expires_in}` |
//! | `POST /v1/flows` multipart `flowInfo` (JSON) + `file` | `202 {flowId, submittedAt, trackingId, …}` |
//! | `GET /v1/flows/{flowId}` (`docType=Metadata`) | the flow with `acknowledgement{status, details}` |
//! | `GET /v1/flows/{flowId}?docType=Original` | the file as received |
//! | `POST /v1/flows/search` `{limit ≤ 100, where{…}}` | `{results: [flow]}`, oldest change first |
//! | `POST /v1/directory-line/search` `{where{siren}}` | `{results: [line]}` |
//! | `GET /info` | the simulation label and counts (invoice flows by `flowSyntax` too) |
//!
//! Errors are `{errorCode, errorMessage}`. Every `/v1/` call needs a bearer
//! token from `/oauth/token`; the demonstration takes any client id and
//! secret unless [`Options::credentials`] names one pair.
//!
//! The plateforme's rules: a flow is acknowledged `Ok`, or `Error` with
//! `AlreadyExistingFlow` (same seller and invoice number already taken),
//! `ChecksumMismatch` (the declared `sha256` is not the file's),
//! `InvalidSchema` (no structured invoice inside). The first
//! [`Options::pending_reads`] reads of a new flow's acknowledgement answer
//! `Pending`. Each accepted invoice then progresses, one lifecycle CDAR flow
//! (`CustomerInvoiceLC`, direction `In`) every [`Options::step_ms`]: 200 →
//! 201 → 202 → 203 → 204 → 205 → 211 for an enabled customer, 200 → … → 210
//! « Refusée » for the demonstration customer who refuses, 213 « Rejetée »
//! (DEST_ERR) for a customer the directory does not list as enabled. A CDAR
//! the supplier posts (212 « Encaissée ») is kept and ends the progression.
//! Change dates are unique and increasing, so `updatedAfter` is an exact
//! cursor.
//!
//! Deliberately not here: fault injection (the tests wrap [`router`] with
//! their own), persistence (the demonstration starts afresh each time),
//! webhooks, and any listening beyond loopback.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::check::facts::FactKey;
use crate::demo::sandbox::{SIMULATION_LABEL_EN, SIMULATION_LABEL_FR};
use crate::demo::sandbox_server::ServerError;
use crate::send::cdar;

/// The demonstration's port, address variable and published client
/// credentials belong to the built-in account ([`crate::send::accounts`]).
pub use crate::send::accounts::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SANDBOX_PA_DEFAULT_PORT as DEFAULT_PORT,
    SANDBOX_PA_URL_ENV as URL_ENV,
};
/// A file larger than this is refused (413).
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;
/// The largest page a search returns.
pub const MAX_LIMIT: usize = 100;

/// Customers of the demonstration and how the directory lists them:
/// (SIREN, name, status, addressing identifier). A status `None` is a line
/// without the field (some plateformes omit it).
pub const DEMO_DIRECTORY: &[(&str, &str, Option<&str>)] = &[
    ("552100554", "Client Approuve SA", Some("Enabled")),
    ("542051180", "Client Refus SARL", Some("Enabled")),
    ("403483548", "Client Desactive SAS", Some("Disabled")),
    ("810724047", "Client A Venir SAS", Some("Upcoming")),
    ("390879260", "Client Sans Statut SA", None),
];
/// The demonstration customer who refuses every invoice (210, REF_CT_ABSENT).
pub const DEMO_REFUSING: &str = "542051180";

/// The URL of the built-in plateforme: `FACTEUR_PA_SANDBOX_URL` when set,
/// otherwise port 8918 on loopback.
pub fn default_url() -> String {
    crate::send::accounts::sandbox_pa_url()
}

/// How the demonstration behaves.
#[derive(Debug, Clone)]
pub struct Options {
    pub token_lifetime_secs: u64,
    /// Only this client id and secret get a token; `None`: any non-empty pair.
    pub credentials: Option<(String, String)>,
    /// How many reads of a new flow's acknowledgement answer `Pending`.
    pub pending_reads: u32,
    /// Time between two lifecycle steps; `None`: only when asked
    /// ([`PaState::emit`]).
    pub step_ms: Option<i64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token_lifetime_secs: 3600,
            credentials: None,
            pending_reads: 1,
            step_ms: Some(30_000),
        }
    }
}

/// One acknowledgement detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckDetail {
    pub reason_code: String,
    pub reason_message: String,
}

/// A flow the plateforme holds.
#[derive(Debug, Clone)]
pub struct Flow {
    pub flow_id: String,
    pub name: String,
    pub syntax: String,
    pub profile: Option<String>,
    pub processing_rule: Option<String>,
    pub tracking_id: Option<String>,
    pub declared_sha256: Option<String>,
    pub sha256: String,
    /// `Out` (from the supplier) or `In` (to the supplier).
    pub direction: &'static str,
    /// `CustomerInvoice`, `CustomerInvoiceLC`…
    pub flow_type: &'static str,
    pub submitted_ms: i64,
    pub updated_ms: i64,
    /// `Ok` or `Error` (what the acknowledgement becomes).
    pub ack: &'static str,
    pub details: Vec<AckDetail>,
    pub pending_reads: u32,
    pub file_name: String,
    pub file_type: String,
    pub file: Vec<u8>,
    // Read from the file.
    pub invoice_number: Option<String>,
    pub seller_siren: Option<String>,
    pub buyer_siren: Option<String>,
    pub invoice_date: Option<String>,
    /// Lifecycle steps already produced (invoice flows).
    pub steps: usize,
    /// The supplier declared it paid (212).
    pub paid: bool,
}

/// One multipart upload as it arrived (the last one is kept).
#[derive(Debug, Clone)]
pub struct Upload {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The plateforme: its rules' state and what it received.
pub struct PaState {
    pub options: Options,
    pub flows: Vec<Flow>,
    tokens: HashMap<String, Instant>,
    /// (SIREN, name, status) as the directory lists them.
    pub directory: Vec<(String, String, Option<String>)>,
    pub token_requests: u32,
    /// Calls refused for a missing, unknown or expired token.
    pub rejected_tokens: u32,
    /// Method and path of every call, in order.
    pub calls: Vec<String>,
    /// Search requests' bodies, in order.
    pub searches: Vec<Value>,
    pub last_upload: Option<Upload>,
    last_ms: i64,
    next_id: u64,
}

/// The state shared by the handlers.
pub type Shared = Arc<Mutex<PaState>>;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// RFC 3339 in UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

fn parse_ms(s: &str) -> Option<i64> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

impl PaState {
    pub fn new(options: Options) -> PaState {
        PaState {
            options,
            flows: Vec::new(),
            tokens: HashMap::new(),
            directory: DEMO_DIRECTORY
                .iter()
                .map(|(s, n, st)| (s.to_string(), n.to_string(), st.map(str::to_string)))
                .collect(),
            token_requests: 0,
            rejected_tokens: 0,
            calls: Vec::new(),
            searches: Vec::new(),
            last_upload: None,
            last_ms: 0,
            next_id: 0,
        }
    }

    /// A change date later than every other.
    fn tick(&mut self) -> i64 {
        self.last_ms = now_ms().max(self.last_ms + 1);
        self.last_ms
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:08}", self.next_id)
    }

    /// Forgets every token (they all expired).
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Flows from the supplier carrying this tracking id.
    pub fn flows_tracked(&self, tracking_id: &str) -> Vec<&Flow> {
        self.flows
            .iter()
            .filter(|f| f.direction == "Out" && f.tracking_id.as_deref() == Some(tracking_id))
            .collect()
    }

    /// The invoice flows from the supplier (CDARs excluded).
    pub fn invoices(&self) -> impl Iterator<Item = &Flow> {
        self.flows
            .iter()
            .filter(|f| f.direction == "Out" && f.syntax != "CDAR")
    }

    /// How many invoice flows arrived in each `flowSyntax` (`Factur-X`,
    /// `CII`, `UBL`), whatever their acknowledgement.
    pub fn received_by_syntax(&self) -> std::collections::BTreeMap<String, usize> {
        let mut by = std::collections::BTreeMap::new();
        for f in self.invoices() {
            *by.entry(f.syntax.clone()).or_insert(0) += 1;
        }
        by
    }

    /// Lifecycle flows sent to the supplier.
    pub fn lifecycle(&self) -> impl Iterator<Item = &Flow> {
        self.flows.iter().filter(|f| f.direction == "In")
    }

    /// Sends the supplier a lifecycle CDAR for `number` now.
    pub fn emit(
        &mut self,
        number: &str,
        code: &str,
        reason_code: Option<&str>,
        reason: Option<&str>,
    ) -> String {
        let at = self.tick();
        let id = self.id("LC");
        let xml = cdar::build(&cdar::NewCdar {
            id: &id,
            issued_ms: at,
            sender_role: "WK",
            invoice_number: number,
            invoice_date: None,
            code,
            label: cdar::label_fr(code),
            reason_code,
            reason,
        });
        self.emit_raw(&id, xml.into_bytes(), at);
        id
    }

    /// Sends the supplier any bytes as a lifecycle flow (a plateforme may
    /// send garbage too).
    pub fn emit_bytes(&mut self, bytes: Vec<u8>) -> String {
        let at = self.tick();
        let id = self.id("LC");
        self.emit_raw(&id, bytes, at);
        id
    }

    fn emit_raw(&mut self, id: &str, bytes: Vec<u8>, at: i64) {
        self.flows.push(Flow {
            flow_id: id.to_string(),
            name: format!("{id}.xml"),
            syntax: "CDAR".into(),
            profile: None,
            processing_rule: Some("B2B".into()),
            tracking_id: None,
            declared_sha256: None,
            sha256: crate::hex::sha256(&bytes),
            direction: "In",
            flow_type: "CustomerInvoiceLC",
            submitted_ms: at,
            updated_ms: at,
            ack: "Ok",
            details: Vec::new(),
            pending_reads: 0,
            file_name: format!("{id}.xml"),
            file_type: "application/xml".into(),
            file: bytes,
            invoice_number: None,
            seller_siren: None,
            buyer_siren: None,
            invoice_date: None,
            steps: 0,
            paid: false,
        });
    }

    fn directory_status(&self, siren: &str) -> Option<Option<&str>> {
        self.directory
            .iter()
            .find(|(s, _, _)| s == siren)
            .map(|(_, _, st)| st.as_deref())
    }

    /// The steps an accepted invoice goes through, by its customer.
    fn path(
        &self,
        buyer: Option<&str>,
    ) -> &'static [(&'static str, Option<(&'static str, &'static str)>)] {
        const NORMAL: &[(&str, Option<(&str, &str)>)] = &[
            ("200", None),
            ("201", None),
            ("202", None),
            ("203", None),
            ("204", None),
            ("205", None),
            ("211", None),
        ];
        const REFUSED: &[(&str, Option<(&str, &str)>)] = &[
            ("200", None),
            ("201", None),
            ("202", None),
            ("203", None),
            (
                "210",
                Some(("REF_CT_ABSENT", "Référence de contrat absente (simulation)")),
            ),
        ];
        const UNREACHABLE: &[(&str, Option<(&str, &str)>)] = &[(
            "213",
            Some((
                "DEST_ERR",
                "Destinataire non joignable d'après l'annuaire (simulation)",
            )),
        )];
        let Some(b) = buyer else { return UNREACHABLE };
        match self.directory_status(b) {
            Some(Some("Enabled")) | Some(None) if b == DEMO_REFUSING => REFUSED,
            Some(Some("Enabled")) | Some(None) => NORMAL,
            _ => UNREACHABLE,
        }
    }

    /// Produces the lifecycle steps that are due.
    fn advance(&mut self) {
        let Some(step) = self.options.step_ms else {
            return;
        };
        let now = now_ms();
        let mut due = Vec::new();
        for (i, f) in self.flows.iter().enumerate() {
            if f.direction != "Out" || f.syntax == "CDAR" || f.ack != "Ok" || f.paid {
                continue;
            }
            let path = self.path(f.buyer_siren.as_deref());
            let reached = if step <= 0 {
                path.len()
            } else {
                (((now - f.submitted_ms) / step) as usize + 1).min(path.len())
            };
            if reached > f.steps {
                due.push((i, f.steps, reached, path));
            }
        }
        for (i, from, to, path) in due {
            let number = self.flows[i]
                .invoice_number
                .clone()
                .or_else(|| self.flows[i].tracking_id.clone())
                .unwrap_or_default();
            for (code, reason) in &path[from..to] {
                self.emit(&number, code, reason.map(|r| r.0), reason.map(|r| r.1));
            }
            self.flows[i].steps = to;
        }
    }

    fn metadata(&self, f: &Flow, ack: &str) -> Value {
        let details: Vec<Value> = if ack == "Error" {
            f.details
                .iter()
                .map(|d| {
                    json!({
                        "level": "Error",
                        "item": "flow",
                        "reasonCode": d.reason_code,
                        "reasonMessage": d.reason_message,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        json!({
            "flowId": f.flow_id,
            "name": f.name,
            "flowSyntax": f.syntax,
            "flowProfile": f.profile,
            "flowType": f.flow_type,
            "flowDirection": f.direction,
            "processingRule": f.processing_rule,
            "trackingId": f.tracking_id,
            "sha256": f.sha256,
            "submittedAt": format_ms(f.submitted_ms),
            "updatedAt": format_ms(f.updated_ms),
            "acknowledgement": { "status": ack, "details": details },
            "simulation": true,
        })
    }

    /// Takes one flow from the supplier; returns its id.
    fn receive(
        &mut self,
        info: &FlowInfo,
        file_name: String,
        file_type: String,
        file: Vec<u8>,
        facts: Option<crate::check::facts::Facts>,
    ) -> String {
        let at = self.tick();
        let flow_id = self.id("FLOW");
        let sha256 = crate::hex::sha256(&file);
        let mut details = Vec::new();
        let mut number = None;
        let mut seller = None;
        let mut buyer = None;
        let mut date = None;
        if let Some(declared) = &info.sha256
            && !declared.eq_ignore_ascii_case(&sha256)
        {
            details.push(AckDetail {
                reason_code: "ChecksumMismatch".into(),
                reason_message: format!(
                    "le sha256 déclaré ne correspond pas au fichier reçu ({sha256}) / the declared sha256 is not the file's"
                ),
            });
        }
        if info.flow_syntax == "CDAR" {
            match cdar::parse(&file) {
                Ok(c) => {
                    for s in &c.statuses {
                        if s.code.as_deref() == Some("212")
                            && let Some(n) = &s.invoice_number
                        {
                            for f in self.flows.iter_mut().filter(|f| {
                                f.direction == "Out"
                                    && f.syntax != "CDAR"
                                    && f.ack == "Ok"
                                    && f.invoice_number.as_deref() == Some(n.as_str())
                            }) {
                                f.paid = true;
                            }
                        }
                    }
                    number = c.statuses.first().and_then(|s| s.invoice_number.clone());
                }
                Err(e) => details.push(AckDetail {
                    reason_code: "InvalidSchema".into(),
                    reason_message: e.to_string(),
                }),
            }
        } else {
            match facts {
                Some(f) => {
                    number = f.get(FactKey::InvoiceNumber).map(str::to_string);
                    seller = f.get(FactKey::SellerSiren).map(str::to_string);
                    buyer = f.get(FactKey::BuyerSiren).map(str::to_string);
                    date = f.get(FactKey::IssueDate).map(str::to_string);
                }
                None => details.push(AckDetail {
                    reason_code: "InvalidSchema".into(),
                    reason_message: format!(
                        "aucune facture {} lisible dans le fichier / no readable {} invoice in the file",
                        info.flow_syntax, info.flow_syntax
                    ),
                }),
            }
            if details.is_empty()
                && let Some(n) = &number
                && let Some(first) = self.flows.iter().find(|f| {
                    f.direction == "Out"
                        && f.syntax != "CDAR"
                        && f.ack == "Ok"
                        && f.invoice_number.as_deref() == Some(n.as_str())
                        && f.seller_siren == seller
                })
            {
                details.push(AckDetail {
                    reason_code: "AlreadyExistingFlow".into(),
                    reason_message: format!(
                        "la facture {n} a déjà été reçue (flux {}) / invoice {n} was already received",
                        first.flow_id
                    ),
                });
            }
        }
        let ack = if details.is_empty() { "Ok" } else { "Error" };
        let pending_reads = self.options.pending_reads;
        self.flows.push(Flow {
            flow_id: flow_id.clone(),
            name: info.name.clone(),
            syntax: info.flow_syntax.clone(),
            profile: info.flow_profile.clone(),
            processing_rule: info.processing_rule.clone(),
            tracking_id: info.tracking_id.clone(),
            declared_sha256: info.sha256.clone(),
            sha256,
            direction: "Out",
            flow_type: if info.flow_syntax == "CDAR" {
                "SupplierInvoiceLC"
            } else {
                "CustomerInvoice"
            },
            submitted_ms: at,
            updated_ms: at,
            ack,
            details,
            pending_reads,
            file_name,
            file_type,
            file,
            invoice_number: number,
            seller_siren: seller,
            buyer_siren: buyer,
            invoice_date: date,
            steps: 0,
            paid: false,
        });
        tracing::info!(flow = %flow_id, ack, "demonstration plateforme received a flow");
        flow_id
    }
}

/// The facts of a structured invoice: a Factur-X PDF, or CII / UBL XML in
/// the syntax the flow declares (a UBL file sent as `CII` is not read: the
/// plateforme answers `InvalidSchema`).
fn read_invoice(syntax: &str, file: &[u8]) -> Option<crate::check::facts::Facts> {
    use crate::check::structured::Syntax;
    if syntax == "Factur-X" {
        let report = crate::check::check_bytes(
            std::path::Path::new("flow.pdf"),
            file.len() as u64,
            file,
            &crate::check::Options {
                // The demonstration plateforme reads the facts; Facteur
                // already ran the rules before sending.
                einvoice_rules: false,
                ..crate::check::Options::default()
            },
        );
        // A Factur-X is a PDF: a bare CII file sent under that syntax is
        // not one.
        report
            .structured
            .as_ref()
            .filter(|s| report.pdf && s.syntax == "CII")
            .map(|_| report.facts)
    } else {
        let want = match syntax {
            "CII" => Syntax::Cii,
            "UBL" => Syntax::Ubl,
            _ => return None,
        };
        crate::check::structured::parse(file)
            .ok()
            .filter(|s| s.syntax == want)
            .map(|s| s.facts)
    }
}

/// The `flowInfo` part.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowInfo {
    pub name: String,
    pub flow_syntax: String,
    #[serde(default)]
    pub flow_profile: Option<String>,
    #[serde(default)]
    pub processing_rule: Option<String>,
    #[serde(default)]
    pub tracking_id: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
}

fn problem(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({
            "errorCode": code,
            "errorMessage": message.into(),
            "type": "about:blank",
            "simulation": true,
        })),
    )
        .into_response()
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, PaState> {
    // Every change is one call under the lock: a poisoned lock is consistent.
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// The plateforme's routes over `shared` (the tests wrap it with faults).
pub fn router(shared: Shared) -> Router {
    let v1 = Router::new()
        .route("/v1/flows", post(submit))
        .route("/v1/flows/search", post(search))
        .route("/v1/flows/{flow_id}", get(flow))
        .route("/v1/directory-line/search", post(directory))
        .route_layer(middleware::from_fn_with_state(shared.clone(), auth));
    Router::new()
        .route("/oauth/token", post(token))
        .route("/info", get(info))
        .merge(v1)
        .layer(middleware::from_fn_with_state(shared.clone(), record))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + (1 << 20)))
        .with_state(shared)
}

async fn record(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    {
        let mut p = lock(&shared);
        let call = format!("{} {}", req.method(), req.uri().path());
        p.calls.push(call);
        p.advance();
    }
    next.run(req).await
}

async fn auth(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let valid = {
        let mut p = lock(&shared);
        let ok = token
            .as_ref()
            .and_then(|t| p.tokens.get(t))
            .is_some_and(|exp| *exp > Instant::now());
        if !ok {
            p.rejected_tokens += 1;
        }
        ok
    };
    if !valid {
        let mut r = problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "jeton absent, inconnu ou expiré / missing, unknown or expired token",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        return r;
    }
    next.run(req).await
}

/// `application/x-www-form-urlencoded` fields.
fn form_fields(body: &[u8]) -> HashMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let hexval = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'+' {
                out.push(b' ');
            } else if b == b'%'
                && let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hexval),
                    bytes.get(i + 2).copied().and_then(hexval),
                )
            {
                out.push(h * 16 + l);
                i += 2;
            } else {
                out.push(b);
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((decode(k), decode(v)))
        })
        .collect()
}

async fn token(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_fields(&body);
    let mut id = form.get("client_id").cloned().unwrap_or_default();
    let mut secret = form.get("client_secret").cloned().unwrap_or_default();
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        use base64::Engine as _;
        if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(basic.trim())
            && let Ok(text) = String::from_utf8(raw)
            && let Some((i, s)) = text.split_once(':')
        {
            id = i.to_string();
            secret = s.to_string();
        }
    }
    let mut p = lock(&shared);
    p.token_requests += 1;
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    let accepted = match &p.options.credentials {
        Some((i, s)) => *i == id && *s == secret,
        None => !id.is_empty() && !secret.is_empty(),
    };
    if !accepted {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "client inconnu / unknown client"})),
        )
            .into_response();
    }
    let value = format!("pa-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let lifetime = p.options.token_lifetime_secs;
    // A lifetime past what an Instant holds is a token that never expires.
    let now = Instant::now();
    let until = now
        .checked_add(Duration::from_secs(lifetime))
        .unwrap_or(now + Duration::from_secs(100 * 365 * 24 * 3600));
    p.tokens.insert(value.clone(), until);
    axum::Json(json!({
        "access_token": value,
        "token_type": "Bearer",
        "expires_in": lifetime,
    }))
    .into_response()
}

async fn info(State(shared): State<Shared>) -> Response {
    let p = lock(&shared);
    axum::Json(json!({
        "simulation": true,
        "label_fr": SIMULATION_LABEL_FR,
        "label_en": SIMULATION_LABEL_EN,
        "received": p.invoices().count(),
        "received_by_syntax": p.received_by_syntax(),
        "lifecycle": p.lifecycle().count(),
    }))
    .into_response()
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts; at most
/// 16 parts.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes()).ok_or("no boundary in the body")? + delim.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("a boundary is not followed by a line break")?;
        pos += 2;
        let end = find(rest, next_delim.as_bytes()).ok_or("a part is not closed")?;
        let part = &rest[..end];
        let head_end = find(part, b"\r\n\r\n").ok_or("a part has no header end")?;
        let head = String::from_utf8_lossy(&part[..head_end]);
        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for param in v.split(';').skip(1) {
                    if let Some((pk, pv)) = param.split_once('=') {
                        let pv = pv.trim().trim_matches('"').to_string();
                        match pk.trim() {
                            "name" => name = Some(pv),
                            "filename" => file_name = Some(pv),
                            _ => {}
                        }
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        parts.push(Part {
            name: name.ok_or("a part has no name")?,
            file_name,
            content_type,
            data: part[head_end + 4..].to_vec(),
        });
        if parts.len() > 16 {
            return Err("too many parts".into());
        }
        pos += end + next_delim.len();
    }
}

const SYNTAXES: &[&str] = &["CII", "UBL", "Factur-X", "CDAR", "FRR"];

async fn submit(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    lock(&shared).last_upload = Some(Upload {
        content_type: content_type.clone(),
        body: body.to_vec(),
    });
    let Some(b) = boundary(&content_type) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "multipart/form-data attendu / expected",
        );
    };
    let parts = match parse_multipart(&body, &b) {
        Ok(p) => p,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "BadRequest", e),
    };
    let Some(info_part) = parts.iter().find(|p| p.name == "flowInfo") else {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "la partie flowInfo manque / the flowInfo part is missing",
        );
    };
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "la partie file manque / the file part is missing",
        );
    };
    let info: FlowInfo = match serde_json::from_slice(&info_part.data) {
        Ok(i) => i,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("flowInfo: {e}"),
            );
        }
    };
    if info.name.is_empty() || info.name.chars().count() > 255 {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "name: 1 to 255 characters",
        );
    }
    if !SYNTAXES.contains(&info.flow_syntax.as_str()) {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("flowSyntax: one of {}", SYNTAXES.join(", ")),
        );
    }
    if info
        .tracking_id
        .as_ref()
        .is_some_and(|t| t.chars().count() > 36)
    {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "trackingId: at most 36 characters",
        );
    }
    if file.data.len() > MAX_FILE_BYTES {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            "file: at most 100 MB",
        );
    }
    let file_name = file.file_name.clone().unwrap_or_else(|| info.name.clone());
    let file_type = file
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let data = file.data.clone();
    // Reading a Factur-X PDF takes a while: outside the lock.
    let facts = if info.flow_syntax == "CDAR" {
        None
    } else {
        read_invoice(&info.flow_syntax, &data)
    };
    let mut p = lock(&shared);
    let flow_id = p.receive(&info, file_name, file_type, data, facts);
    let f = p.flows.last().expect("just received");
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({
            "flowId": flow_id,
            "submittedAt": format_ms(f.submitted_ms),
            "trackingId": f.tracking_id,
            "name": f.name,
            "flowSyntax": f.syntax,
            "simulation": true,
        })),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowQuery {
    doc_type: Option<String>,
}

async fn flow(
    State(shared): State<Shared>,
    UrlPath(flow_id): UrlPath<String>,
    Query(q): Query<FlowQuery>,
) -> Response {
    let mut p = lock(&shared);
    let Some(i) = p.flows.iter().position(|f| f.flow_id == flow_id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("aucun flux {flow_id} / no flow {flow_id}"),
        );
    };
    match q.doc_type.as_deref().unwrap_or("Metadata") {
        "Metadata" => {
            let ack = {
                let f = &mut p.flows[i];
                if f.pending_reads > 0 {
                    f.pending_reads -= 1;
                    "Pending"
                } else {
                    f.ack
                }
            };
            axum::Json(p.metadata(&p.flows[i], ack)).into_response()
        }
        "Original" | "Converted" | "ReadableView" => {
            let f = &p.flows[i];
            (
                [(header::CONTENT_TYPE, f.file_type.clone())],
                f.file.clone(),
            )
                .into_response()
        }
        other => problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("docType {other}: Metadata, Original, Converted or ReadableView"),
        ),
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    let v = v?;
    Some(match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    })
}

async fn search(State(shared): State<Shared>, body: Bytes) -> Response {
    let q: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "BadRequest", e.to_string()),
    };
    let limit = match q.get("limit") {
        None => MAX_LIMIT,
        Some(l) => match l.as_u64() {
            Some(n) if (1..=MAX_LIMIT as u64).contains(&n) => n as usize,
            _ => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("limit: 1 to {MAX_LIMIT}"),
                );
            }
        },
    };
    let w = q.get("where").cloned().unwrap_or(Value::Null);
    // A date that is given must be readable: Err names the field.
    let time = |k: &'static str| -> Result<Option<i64>, &'static str> {
        match w.get(k).and_then(Value::as_str) {
            None => Ok(None),
            Some(s) => parse_ms(s).map(Some).ok_or(k),
        }
    };
    let (after, before) = match (time("updatedAfter"), time("updatedBefore")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(k), _) | (_, Err(k)) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("{k}: an RFC 3339 date"),
            );
        }
    };
    let types = strings(w.get("flowType"));
    let directions = strings(w.get("flowDirection"));
    let rules = strings(w.get("processingRule"));
    let tracking = w
        .get("trackingId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let ack = w
        .get("ackStatus")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut p = lock(&shared);
    p.searches.push(q.clone());
    let mut hits: Vec<&Flow> = p
        .flows
        .iter()
        .filter(|f| after.is_none_or(|a| f.updated_ms > a))
        .filter(|f| before.is_none_or(|b| f.updated_ms < b))
        .filter(|f| {
            types
                .as_ref()
                .is_none_or(|t| t.iter().any(|x| x == f.flow_type))
        })
        .filter(|f| {
            directions
                .as_ref()
                .is_none_or(|d| d.iter().any(|x| x == f.direction))
        })
        .filter(|f| {
            rules.as_ref().is_none_or(|r| {
                f.processing_rule
                    .as_ref()
                    .is_some_and(|pr| r.iter().any(|x| x == pr))
            })
        })
        .filter(|f| {
            tracking
                .as_ref()
                .is_none_or(|t| f.tracking_id.as_ref() == Some(t))
        })
        .filter(|f| ack.as_ref().is_none_or(|a| a == f.ack))
        .collect();
    hits.sort_by_key(|f| f.updated_ms);
    let results: Vec<Value> = hits
        .iter()
        .take(limit)
        .map(|f| p.metadata(f, f.ack))
        .collect();
    axum::Json(json!({ "results": results, "simulation": true })).into_response()
}

async fn directory(State(shared): State<Shared>, body: Bytes) -> Response {
    let q: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let siren = q
        .get("where")
        .and_then(|w| w.get("siren"))
        .or_else(|| q.get("siren"))
        .and_then(Value::as_str)
        .map(str::trim)
        .map(str::to_string);
    let Some(siren) = siren.filter(|s| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()))
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "where.siren: 9 chiffres / 9 digits",
        );
    };
    let p = lock(&shared);
    let results: Vec<Value> = p
        .directory
        .iter()
        .filter(|(s, _, _)| *s == siren)
        .map(|(s, name, status)| {
            let mut line = json!({
                "siren": s,
                "name": name,
                "addressingIdentifier": format!("0225:{s}"),
                "platformType": "WK",
                "platformName": "Plateforme de démonstration (simulation)",
            });
            if let Some(st) = status {
                line["status"] = json!(st);
            }
            line
        })
        .collect();
    axum::Json(json!({ "results": results, "simulation": true })).into_response()
}

/// A running demonstration plateforme; stops when dropped.
pub struct PaServer {
    pub addr: SocketAddr,
    pub state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PaServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PaServer {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Reads or changes the plateforme.
    pub fn with<R>(&self, f: impl FnOnce(&mut PaState) -> R) -> R {
        f(&mut lock(&self.state))
    }
}

/// Starts the plateforme on `addr` (loopback only; port 0: any free port)
/// in the current tokio runtime, serving `app` (from [`router`], wrapped
/// or not).
pub async fn start_with(
    addr: SocketAddr,
    state: Shared,
    app: Router,
) -> Result<PaServer, ServerError> {
    let listener = crate::demo::sandbox_server::bind(addr).await?;
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("demonstration plateforme: {e}");
        }
    });
    Ok(PaServer { addr, state, task })
}

/// Starts the plateforme with these options on `addr`.
pub async fn start(addr: SocketAddr, options: Options) -> Result<PaServer, ServerError> {
    let state: Shared = Arc::new(Mutex::new(PaState::new(options)));
    start_with(addr, state.clone(), router(state)).await
}

/// Serves the plateforme on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let state: Shared = Arc::new(Mutex::new(PaState::new(options)));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cii_or_ubl_flow_is_read_only_in_the_syntax_it_declares() {
        let cii = crate::demo::sample::facturx_xml(&crate::demo::sample::SampleInvoice::example(1));
        let ubl: &[u8] = include_bytes!("../../tests/fixtures/xml/ubl_invoice.xml");
        let number = |f: Option<crate::check::facts::Facts>| {
            f.and_then(|f| f.get(FactKey::InvoiceNumber).map(str::to_string))
        };
        assert_eq!(
            number(read_invoice("CII", &cii)).as_deref(),
            Some("F-2026-0001")
        );
        assert_eq!(
            number(read_invoice("UBL", ubl)).as_deref(),
            Some("FA-2025-0042")
        );
        // Declared as the other syntax, or as a Factur-X: not read.
        assert_eq!(number(read_invoice("UBL", &cii)), None);
        assert_eq!(number(read_invoice("CII", ubl)), None);
        assert_eq!(number(read_invoice("Factur-X", &cii)), None);
        assert_eq!(number(read_invoice("FRR", &cii)), None);
    }

    #[test]
    fn multipart_bodies_are_split_and_garbage_refused() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"flowInfo\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-\r\n--XyQ\r\n\r\n--XyZ--\r\n";
        let parts = parse_multipart(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "flowInfo");
        assert_eq!(parts[0].data, b"{\"a\":1}");
        assert_eq!(parts[1].file_name.as_deref(), Some("f.pdf"));
        assert_eq!(parts[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(parts[1].data, b"%PDF-\r\n--XyQ\r\n");
        assert!(parse_multipart(b"", "XyZ").is_err());
        assert!(parse_multipart(b"--XyZ\r\nno end", "XyZ").is_err());
        assert!(parse_multipart(b"--XyZ\r\n\r\n--XyZ--", "XyZ").is_err());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(boundary("application/json"), None);
    }

    #[test]
    fn form_fields_are_decoded() {
        let f = form_fields(b"grant_type=client_credentials&client_secret=a%2Bb+c%&x");
        assert_eq!(f["grant_type"], "client_credentials");
        assert_eq!(f["client_secret"], "a+b c%");
    }

    #[test]
    fn change_dates_are_unique_and_increasing() {
        let mut s = PaState::new(Options::default());
        let a = s.tick();
        let b = s.tick();
        let c = s.tick();
        assert!(a < b && b < c);
        assert_eq!(parse_ms(&format_ms(b)), Some(b));
    }
}
