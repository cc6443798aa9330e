//! A Chorus Pro (PISTE) contract server on loopback, for tests.
//!
//! It follows the API contract the Chorus Pro channel relies on (see
//! `domain.md` §3): the OAuth2 token endpoint (form fields, client
//! credentials), the bearer token and `cpro-account` header on every call,
//! and the JSON shapes of `deposer/flux`, `consulterCRDetaille`,
//! `ajouter/fichier`, `soumettre`, `structures/v1/rechercher` and
//! `consulter`, paged `rechercher/fournisseur` and `consulter/historique`.
//! It keeps everything it received (token requests, calls in order, every
//! deposited file's bytes, submissions, deposits per invoice number, pages
//! served) so a test asserts on what arrived, not only on `Ok`.
//!
//! Knobs (fields of [`Portal`], set with [`ChorusServer::with`]):
//! `token_lifetime_secs` (tokens really expire), `refuse_tokens` (token
//! endpoint answers 401), `max_page_size` (caps the page size whatever the
//! client asks), `repeat_first_page` (a buggy portal that serves page 1 for
//! every page), `loose_number_filter` (the invoice-number filter is ignored,
//! as a portal whose search is a loose match), `flow_state` / `flow_errors`
//! (the deposit report), `submitted_status`. Faults ([`Fault`], with
//! [`ChorusServer::inject`] or [`ChorusServer::inject_when`]) come from the
//! shared layer (`faults.rs`) and hit the calls whose path contains a
//! string: 401 (a revoked token), 429 with Retry-After, 500, a delay past
//! the client's timeout, a connection closed without an answer; and, after
//! the portal took the deposit, an answer past the client's timeout, a
//! dropped connection or a 502.
//!
//! Include it with `#[path = "support/chorus_server.rs"] mod chorus_server;`
//! (it brings `faults.rs` beside it). It uses the crate only to read the
//! invoice number from a deposited Factur-X, as the real portal reads it
//! from the XML.

#![allow(dead_code)]

#[path = "faults.rs"]
mod faults;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
#[allow(unused_imports)]
pub use faults::{Fault, Recorder, When};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "piste-client-0042";
pub const CLIENT_SECRET: &str = "cs-Secret-7f3a9c";
pub const LOGIN: &str = "TECH_facteur@cpro.fr";
pub const PASSWORD: &str = "Tech-Pw-91!x";
/// The supplier structure's idStructureCPP.
pub const SUPPLIER_ID: i64 = 25_006_001;

/// A public structure (a customer) and what it requires on invoices.
#[derive(Debug, Clone)]
pub struct Structure {
    pub id: i64,
    pub siret: String,
    pub name: String,
    pub service_code_required: bool,
    pub engagement_required: bool,
}

/// An invoice the portal holds for the supplier.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub status: String,
    /// "YYYY-MM-DD HH:MM", Paris time.
    pub at: String,
    pub flow: Option<String>,
    /// (status code, "YYYY-MM-DD HH:MM", comment), oldest first.
    pub history: Vec<(String, String, Option<String>)>,
}

/// A deposited flow, as received.
#[derive(Debug, Clone)]
pub struct Flow {
    pub number: String,
    pub file_name: String,
    pub syntax: String,
    pub bytes: Vec<u8>,
    /// Read from the Factur-X XML.
    pub invoice_number: Option<String>,
    pub state: String,
}

/// An uploaded file, as received.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub extension: String,
    pub bytes: Vec<u8>,
}

/// The portal's state: knobs, data, and what it received.
pub struct Portal {
    // Knobs.
    pub token_lifetime_secs: u64,
    pub refuse_tokens: bool,
    pub max_page_size: Option<usize>,
    pub repeat_first_page: bool,
    pub loose_number_filter: bool,
    pub flow_state: String,
    /// (codeErreur, libelleErreur) reported for every flow.
    pub flow_errors: Vec<(String, String)>,
    pub submitted_status: String,
    // Data.
    pub structures: Vec<Structure>,
    pub invoices: Vec<Invoice>,
    // Received.
    pub token_requests: u32,
    tokens: BTreeMap<String, Instant>,
    /// API paths called (after `/cpro/`), in order, faults included.
    pub calls: Vec<String>,
    /// Calls refused for a missing, unknown or expired token.
    pub rejected_tokens: u32,
    pub flows: Vec<Flow>,
    pub attachments: Vec<Attachment>,
    pub submissions: Vec<Value>,
    /// Deposits (flows and submissions) per invoice number.
    pub deposits: BTreeMap<String, u32>,
    /// Pages of `rechercher/fournisseur` requested, in order.
    pub pages_served: Vec<u64>,
    next_id: i64,
}

impl Default for Portal {
    fn default() -> Self {
        Portal {
            token_lifetime_secs: 3600,
            refuse_tokens: false,
            max_page_size: None,
            repeat_first_page: false,
            loose_number_filter: false,
            flow_state: "IN_INTEGRE".into(),
            flow_errors: Vec::new(),
            submitted_status: "DEPOSEE".into(),
            structures: Vec::new(),
            invoices: Vec::new(),
            token_requests: 0,
            tokens: BTreeMap::new(),
            calls: Vec::new(),
            rejected_tokens: 0,
            flows: Vec::new(),
            attachments: Vec::new(),
            submissions: Vec::new(),
            deposits: BTreeMap::new(),
            pages_served: Vec::new(),
            next_id: 1000,
        }
    }
}

impl Portal {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Calls to paths containing `path`.
    pub fn count(&self, path: &str) -> usize {
        self.calls.iter().filter(|c| c.contains(path)).count()
    }
}

type Shared = Arc<Mutex<Portal>>;

/// The running server; stops when dropped.
pub struct ChorusServer {
    pub addr: SocketAddr,
    portal: Shared,
    faults: faults::Faults,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ChorusServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ChorusServer {
    /// Starts on 127.0.0.1 on a free port, in the current tokio runtime.
    pub async fn start() -> ChorusServer {
        let portal: Shared = Arc::default();
        let cpro = Router::new()
            .route("/cpro/factures/v1/deposer/flux", post(deposer_flux))
            .route(
                "/cpro/transverses/v1/consulterCRDetaille",
                post(consulter_cr_detaille),
            )
            .route(
                "/cpro/transverses/v1/ajouter/fichier",
                post(ajouter_fichier),
            )
            .route("/cpro/factures/v1/soumettre", post(soumettre))
            .route("/cpro/structures/v1/rechercher", post(rechercher_structure))
            .route("/cpro/structures/v1/consulter", post(consulter_structure))
            .route(
                "/cpro/factures/v1/rechercher/fournisseur",
                post(rechercher_fournisseur),
            )
            .route("/cpro/factures/v1/consulter/historique", post(historique))
            .route_layer(middleware::from_fn_with_state(portal.clone(), check_auth));
        let app = Router::new()
            .route("/api/oauth/token", post(token))
            .merge(cpro)
            .with_state(portal.clone());
        let faults = faults::Faults::default();
        let app = faults
            .wrap(app, Words(portal.clone()))
            .layer(DefaultBodyLimit::max(64 << 20));
        let (addr, task) = faults::serve(app).await;
        ChorusServer {
            addr,
            portal,
            faults,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`: both the API and the OAuth host.
    /// A server on a runtime of its own, which keeps serving while the test
    /// waits on `facteur` processes. Keep the runtime alive with the server.
    pub fn on_own_runtime() -> (tokio::runtime::Runtime, ChorusServer) {
        let rt = faults::own_runtime();
        let server = rt.block_on(ChorusServer::start());
        (rt, server)
    }

    /// The shell line adding a Chorus Pro account `name` for this server,
    /// its two secrets piped into the keyring (more `--set` may follow).
    pub fn account_line(&self, name: &str) -> String {
        format!(
            r#"printf '%s\n%s\n' '{CLIENT_SECRET}' '{PASSWORD}' | "$FACTEUR" account add {name} --kind chorus_pro \
    --secret client_secret --secret technical_password --secret-stdin \
    --set environment=sandbox --set api_url={url} --set oauth_url={url} --set client_id={CLIENT_ID} \
    --set login={LOGIN} --set supplier_id={SUPPLIER_ID}"#,
            url = self.url()
        )
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Account settings pointing at this server.
    pub fn settings(&self) -> BTreeMap<String, String> {
        BTreeMap::from(
            [
                ("environment", "sandbox".to_string()),
                ("api_url", self.url()),
                ("oauth_url", self.url()),
                ("client_id", CLIENT_ID.into()),
                ("login", LOGIN.into()),
                ("supplier_id", SUPPLIER_ID.to_string()),
                ("timeout_secs", "10".into()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        )
    }

    /// The account's secrets: (field, value).
    pub fn secrets() -> [(&'static str, &'static str); 2] {
        [
            ("client_secret", CLIENT_SECRET),
            ("technical_password", PASSWORD),
        ]
    }

    /// Reads or changes the portal.
    pub fn with<R>(&self, f: impl FnOnce(&mut Portal) -> R) -> R {
        f(&mut self.portal.lock().unwrap())
    }

    /// The next `times` requests whose path contains `path` fail with `fault`
    /// (`u32::MAX`: every one).
    pub fn inject(&self, path: &str, fault: Fault, times: u32) {
        self.faults.inject(path, fault, When::Next(times));
    }

    /// The requests whose path contains `path` and that `when` picks fail
    /// with `fault`.
    pub fn inject_when(&self, path: &str, fault: Fault, when: When) {
        self.faults.inject(path, fault, when);
    }

    /// How many requests the faults watching `path` hit so far.
    pub fn fired(&self, path: &str) -> u32 {
        self.faults.fired(path)
    }

    /// Registers a public structure; returns its idStructureCPP.
    pub fn add_structure(&self, siret: &str, service_code: bool, engagement: bool) -> i64 {
        self.with(|p| {
            let id = p.id();
            p.structures.push(Structure {
                id,
                siret: siret.to_string(),
                name: format!("Structure {siret}"),
                service_code_required: service_code,
                engagement_required: engagement,
            });
            id
        })
    }

    /// Adds an invoice already at the portal, with a two-step history.
    pub fn add_invoice(&self, number: &str, status: &str, at: &str) -> i64 {
        self.with(|p| {
            let id = p.id();
            p.invoices.push(Invoice {
                id,
                number: number.to_string(),
                status: status.to_string(),
                at: at.to_string(),
                flow: None,
                history: vec![
                    ("DEPOSEE".into(), "2026-03-01 09:00".into(), None),
                    (status.to_string(), at.to_string(), None),
                ],
            });
            id
        })
    }
}

/// The portal's words for the faults that answer in its name; it also
/// keeps every API call received, faults included.
#[derive(Clone)]
struct Words(Shared);

impl faults::Contract for Words {
    fn seen(&self, call: &str) {
        let path = call.split_once(' ').map_or(call, |(_, p)| p);
        if let Some(api) = path.strip_prefix("/cpro/") {
            self.0.lock().unwrap().calls.push(api.to_string());
        }
    }
    fn unauthorized(&self, req: &Request) -> Response {
        if let Some(t) = bearer(req) {
            self.0.lock().unwrap().tokens.remove(&t);
        }
        unauthorized("The access token was revoked")
    }
    fn too_many_requests(&self) -> Response {
        (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"message": "Quota dépassé / rate limit exceeded"})),
        )
            .into_response()
    }
    fn server_error(&self) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne du serveur",
        )
            .into_response()
    }
}

fn bearer(req: &Request) -> Option<String> {
    req.headers()
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_string)
}

/// PISTE's 401: the details only in the header.
fn unauthorized(description: &str) -> Response {
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    r.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_str(&format!(
            "Bearer realm=\"piste\", error=\"invalid_token\", error_description=\"{description}\""
        ))
        .unwrap(),
    );
    r
}

async fn check_auth(State(portal): State<Shared>, req: Request, next: Next) -> Response {
    let token_ok = {
        let mut p = portal.lock().unwrap();
        let ok = bearer(&req)
            .and_then(|t| p.tokens.get(&t).copied())
            .is_some_and(|expires| Instant::now() < expires);
        if !ok {
            p.rejected_tokens += 1;
        }
        ok
    };
    if !token_ok {
        return unauthorized("The access token is missing, unknown or expired");
    }
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{LOGIN}:{PASSWORD}"));
    let account_ok = req
        .headers()
        .get("cpro-account")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected);
    if !account_ok {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"codeRetour": 403, "libelle": "Compte technique inconnu ou mot de passe expiré"})),
        )
            .into_response();
    }
    next.run(req).await
}

/// `application/x-www-form-urlencoded` fields.
fn form_fields(body: &str) -> BTreeMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

async fn token(State(portal): State<Shared>, body: String) -> Response {
    let form = form_fields(&body);
    let mut p = portal.lock().unwrap();
    p.token_requests += 1;
    let good = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        && form.get("scope").map(String::as_str) == Some("openid");
    if p.refuse_tokens || !good {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
        )
            .into_response();
    }
    let n = p.token_requests;
    let value = format!("tok-{n}-{:x}", fastrand::u64(..));
    let lifetime = p.token_lifetime_secs;
    // A lifetime past what an Instant holds (a test of overflowing
    // `expires_in`) is a token that never expires.
    let now = Instant::now();
    let until = now
        .checked_add(Duration::from_secs(lifetime))
        .unwrap_or(now + Duration::from_secs(100 * 365 * 24 * 3600));
    p.tokens.insert(value.clone(), until);
    axum::Json(json!({
        "access_token": value,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": "openid",
    }))
    .into_response()
}

/// A 200 with a non-zero `codeRetour`, as the portal refuses business errors.
fn refusal(code: i64, libelle: &str) -> Response {
    axum::Json(json!({"codeRetour": code, "libelle": libelle})).into_response()
}

fn b64(v: &Value) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str()?)
        .ok()
}

fn invoice_number_of(name: &str, bytes: &[u8]) -> Option<String> {
    let report = facteur::check::check_bytes(
        std::path::Path::new(name),
        bytes.len() as u64,
        bytes,
        &facteur::check::Options::default(),
    );
    report
        .facts
        .get(facteur::check::facts::FactKey::InvoiceNumber)
        .map(str::to_string)
}

async fn deposer_flux(State(portal): State<Shared>, axum::Json(b): axum::Json<Value>) -> Response {
    let Some(bytes) = b.get("fichierFlux").and_then(b64) else {
        return refusal(20001, "fichierFlux absent ou mal encodé");
    };
    let name = b["nomFichier"].as_str().unwrap_or_default().to_string();
    let syntax = b["syntaxeFlux"].as_str().unwrap_or_default().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return refusal(20002, "nomFichier absent ou trop long");
    }
    if syntax != "IN_DP_E2_CII_FACTURX" {
        return refusal(20003, "syntaxeFlux inconnue");
    }
    let invoice_number = invoice_number_of(&name, &bytes);
    let mut p = portal.lock().unwrap();
    let id = p.id();
    let number = format!("CPP{id:010}");
    let state = p.flow_state.clone();
    if let Some(n) = &invoice_number {
        *p.deposits.entry(n.clone()).or_default() += 1;
        if state.starts_with("IN_INTEGRE") {
            let invoice_id = p.id();
            p.invoices.push(Invoice {
                id: invoice_id,
                number: n.clone(),
                status: "DEPOSEE".into(),
                at: "2026-03-02 10:00".into(),
                flow: Some(number.clone()),
                history: vec![("DEPOSEE".into(), "2026-03-02 10:00".into(), None)],
            });
        }
    }
    p.flows.push(Flow {
        number: number.clone(),
        file_name: name,
        syntax: syntax.clone(),
        bytes,
        invoice_number,
        state,
    });
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "numeroFluxDepot": number,
        "dateDepot": "2026-03-02",
        "syntaxeFlux": syntax,
    }))
    .into_response()
}

async fn consulter_cr_detaille(
    State(portal): State<Shared>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let p = portal.lock().unwrap();
    let asked = b["numeroFluxDepot"].as_str().unwrap_or_default();
    let Some(flow) = p.flows.iter().find(|f| f.number == asked) else {
        return refusal(20010, "Flux inconnu");
    };
    let technical: Vec<Value> = p
        .flow_errors
        .iter()
        .map(|(c, l)| json!({"codeErreur": c, "libelleErreur": l, "natureErreur": "ERREUR"}))
        .collect();
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "numeroFluxDepot": flow.number,
        "nomFichier": flow.file_name,
        "etatCourantDepotFlux": flow.state,
        "dateDepotFlux": "2026-03-02T10:00:00.000+01:00",
        "dateHeureEtatCourantFlux": "2026-03-02T10:05:00.000+01:00",
        "listeErreurDP": [],
        "listeErreurTechnique": technical,
    }))
    .into_response()
}

async fn ajouter_fichier(
    State(portal): State<Shared>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let Some(bytes) = b.get("pieceJointeFichier").and_then(b64) else {
        return refusal(20020, "pieceJointeFichier absent ou mal encodé");
    };
    let name = b["pieceJointeNom"].as_str().unwrap_or_default().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return refusal(20021, "pieceJointeNom absent ou de plus de 50 caractères");
    }
    if bytes.len() >= 10 * 1024 * 1024 {
        return refusal(20022, "Fichier de 10 Mo ou plus");
    }
    let mut p = portal.lock().unwrap();
    let id = p.id();
    p.attachments.push(Attachment {
        id,
        name,
        mime: b["pieceJointeTypeMime"].as_str().unwrap_or_default().into(),
        extension: b["pieceJointeExtension"]
            .as_str()
            .unwrap_or_default()
            .into(),
        bytes,
    });
    axum::Json(json!({"codeRetour": 0, "libelle": "GCU_MSG_01_000", "pieceJointeId": id}))
        .into_response()
}

async fn soumettre(State(portal): State<Shared>, axum::Json(b): axum::Json<Value>) -> Response {
    let mut p = portal.lock().unwrap();
    let siret = b["destinataire"]["codeDestinataire"]
        .as_str()
        .unwrap_or_default();
    let Some(structure) = p.structures.iter().find(|s| s.siret == siret).cloned() else {
        return refusal(20101, "Destinataire inconnu");
    };
    let service = b["destinataire"]["codeServiceExecutant"].as_str();
    let engagement = b["references"]["numeroBonCommande"].as_str();
    let attachment = b["pieceJointePrincipale"][0]["pieceJointePrincipaleId"].as_i64();
    let number = b["numeroFactureSaisi"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let problem = if b["modeDepot"] != "DEPOT_PDF_API" {
        Some("modeDepot invalide")
    } else if number.is_empty() || b["dateFacture"].as_str().is_none() {
        Some("numeroFactureSaisi ou dateFacture absent")
    } else if b["fournisseur"]["idFournisseur"].as_i64() != Some(SUPPLIER_ID) {
        Some("Fournisseur inconnu")
    } else if b["cadreDeFacturation"]["codeCadreFacturation"] != "A1_FACTURE_FOURNISSEUR" {
        Some("Cadre de facturation invalide")
    } else if !attachment.is_some_and(|a| p.attachments.iter().any(|x| x.id == a)) {
        Some("Pièce jointe principale inconnue")
    } else if b["montantTotal"]["montantTtcTotal"].as_f64().is_none() {
        Some("montantTotal absent")
    } else if structure.service_code_required && service.is_none() {
        Some("Le code service est obligatoire pour ce destinataire")
    } else if structure.engagement_required && engagement.is_none() {
        Some("Le numéro d'engagement est obligatoire pour ce destinataire")
    } else {
        None
    };
    p.submissions.push(b.clone());
    if let Some(problem) = problem {
        return refusal(20100, problem);
    }
    *p.deposits.entry(number.clone()).or_default() += 1;
    let id = p.id();
    let status = p.submitted_status.clone();
    p.invoices.push(Invoice {
        id,
        number: number.clone(),
        status: status.clone(),
        at: "2026-03-02 11:00".into(),
        flow: None,
        history: vec![(status.clone(), "2026-03-02 11:00".into(), None)],
    });
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "identifiantFactureCPP": id,
        "numeroFacture": number,
        "dateDepot": "2026-03-02",
        "statutFacture": status,
    }))
    .into_response()
}

async fn rechercher_structure(
    State(portal): State<Shared>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let p = portal.lock().unwrap();
    let wanted = b["structure"]["identifiantStructure"]
        .as_str()
        .unwrap_or_default();
    let found: Vec<Value> = p
        .structures
        .iter()
        .filter(|s| s.siret == wanted)
        .map(|s| {
            json!({
                "idStructureCPP": s.id,
                "identifiantStructure": s.siret,
                "typeIdentifiantStructure": "SIRET",
                "designationStructure": s.name,
                "statut": "ACTIF",
            })
        })
        .collect();
    let total = found.len();
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "listeStructures": found,
        "parametresRetour": {"pageCourante": 1, "pages": 1, "nbResultatsParPage": 10, "total": total},
    }))
    .into_response()
}

async fn consulter_structure(
    State(portal): State<Shared>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let p = portal.lock().unwrap();
    let Some(s) = p
        .structures
        .iter()
        .find(|s| Some(s.id) == b["idStructure"].as_i64())
    else {
        return refusal(20201, "Structure inconnue");
    };
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "informationGenerales": {
            "idStructureCPP": s.id,
            "identifiantStructure": s.siret,
            "typeIdentifiantStructure": "SIRET",
            "raisonSocialeStructure": s.name,
        },
        "parametres": {
            "codeServiceDoitEtreRenseigne": s.service_code_required,
            "numeroEJDoitEtreRenseigne": s.engagement_required,
            "gestionNumeroEJOuCodeService": s.service_code_required || s.engagement_required,
        },
    }))
    .into_response()
}

async fn rechercher_fournisseur(
    State(portal): State<Shared>,
    axum::Json(b): axum::Json<Value>,
) -> Response {
    let mut p = portal.lock().unwrap();
    if b["idFournisseur"].as_i64() != Some(SUPPLIER_ID) {
        return refusal(20301, "Fournisseur inconnu");
    }
    let paging = &b["rechercheFactureParFournisseur"];
    let page = paging["pageResultatDemandee"].as_u64().unwrap_or(1).max(1);
    let asked = paging["nbResultatsParPage"].as_u64().unwrap_or(10).max(1) as usize;
    let size = p.max_page_size.map_or(asked, |m| asked.min(m));
    p.pages_served.push(page);
    let number = b["numeroFacture"]
        .as_str()
        .filter(|_| !p.loose_number_filter);
    let mut rows: Vec<&Invoice> = p
        .invoices
        .iter()
        .filter(|i| number.is_none_or(|n| i.number == n))
        .collect();
    rows.sort_by_key(|i| i.id);
    let total = rows.len();
    let pages = total.div_ceil(size);
    let served_page = if p.repeat_first_page {
        1
    } else {
        page as usize
    };
    let slice: Vec<Value> = rows
        .iter()
        .skip((served_page - 1) * size)
        .take(size)
        .map(|i| {
            json!({
                "identifiantFactureCPP": i.id,
                "numeroFacture": i.number,
                "statut": i.status,
                "dateHeureEtatCourant": i.at,
                "dateFacture": "2026-03-01",
                "dateDepot": "2026-03-01",
                "numeroFluxDepot": i.flow,
                "typeFacture": "FACTURE",
                "devise": "EUR",
            })
        })
        .collect();
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "listeFactures": slice,
        "parametresRetour": {
            "pageCourante": page,
            "pages": pages,
            "nbResultatsParPage": size,
            "total": total,
        },
    }))
    .into_response()
}

async fn historique(State(portal): State<Shared>, axum::Json(b): axum::Json<Value>) -> Response {
    let p = portal.lock().unwrap();
    let Some(inv) = p
        .invoices
        .iter()
        .find(|i| Some(i.id) == b["idFacture"].as_i64())
    else {
        return refusal(20401, "Facture inconnue");
    };
    let statuses: Vec<Value> = inv
        .history
        .iter()
        .enumerate()
        .map(|(n, (code, at, comment))| {
            json!({
                "histoStatutId": n + 1,
                "histoStatutCode": code,
                "histoStatutDatePassage": at,
                "histoStatutCommentaire": comment,
            })
        })
        .collect();
    let total = statuses.len();
    axum::Json(json!({
        "codeRetour": 0,
        "libelle": "GCU_MSG_01_000",
        "idFacture": inv.id,
        "numeroFacture": inv.number,
        "statutCourantCode": inv.status,
        "historiquesDesStatuts": {
            "histoStatut": statuses,
            "pageCouranteHistoStatut": 1,
            "pagesHistoStatut": 1,
            "nbResultatsParPageHistoStatut": 200,
            "totalHistoStatut": total,
        },
    }))
    .into_response()
}
