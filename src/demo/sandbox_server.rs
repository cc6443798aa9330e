//! The sandbox portal on loopback: serves [`crate::demo::sandbox::Sandbox`] over a
//! small JSON HTTP API and keeps its state in a JSON file, so the whole flow
//! (submit, statuses, replay after signing the mandate) can be tried with no
//! account, and the tests can count exactly what the portal received.
//!
//! The API (every answer carries `"simulation": true` and the label):
//!
//! | request | answer |
//! |---|---|
//! | `GET /api/v1/info` | the simulation label, timing, counts, the id of the home it serves |
//! | `POST /api/v1/deposits` `{file_name, pdf_base64, number, seller_siren, buyer_siren}` | `201 {reference, sha256, statuses}` |
//! | `GET /api/v1/deposits?number=&seller=` | `[{reference, received_ms, sha256}]` |
//! | `GET /api/v1/deposits/{ref}/statuses` | `[{at_ms, raw_status, raw_reason}]` |
//! | `POST /api/v1/deposits/{ref}/replay` | `200 [statuses]`, `409` not replayable / mandate missing |
//! | `GET /api/v1/customers`, `POST /api/v1/customers` | the portal's customers |
//! | `POST /api/v1/customers/{siren}/mandate` | marks the mandate signed |
//!
//! Deliberately not here: the portal's rules (in `sandbox`), any listening
//! on a non-loopback address, and any authentication (it is a local
//! simulation and says so).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use crate::send::accounts::{Account, Kind, OsKeyring};
use crate::send::outbox::AnyChannel;

use crate::demo::sandbox::{
    Deposit, SIMULATION_LABEL_EN, SIMULATION_LABEL_FR, Sandbox, SandboxError, Timing,
};
use crate::mirror::store::now_ms;

/// The sandbox's default port, and the variable naming another address:
/// they belong to the built-in account ([`crate::send::accounts`]).
pub use crate::send::accounts::{SANDBOX_DEFAULT_PORT as DEFAULT_PORT, SANDBOX_URL_ENV as URL_ENV};
/// The wire types of the sandbox API are the channel's ([`crate::send::channel::sandbox`]).
pub use crate::send::channel::sandbox::{DepositAnswer, DepositRequest, FoundDeposit};

/// The URL of the sandbox when no home is known (see
/// [`crate::send::accounts::sandbox_url`]).
pub fn default_url() -> String {
    crate::send::accounts::sandbox_url()
}

/// The URL of `home`'s own sandbox: each `FACTEUR_HOME` has its port (see
/// [`crate::send::accounts::sandbox_url_for`]).
pub fn url_for(home: &Path) -> String {
    crate::send::accounts::sandbox_url_for(home)
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the sandbox portal listens on loopback only, not on {0}")]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot read the sandbox state {path}: {detail}")]
    Load { path: PathBuf, detail: String },
    #[error("the sandbox portal stopped: {0}")]
    Serve(std::io::Error),
}

/// The running portal's shared state.
struct Portal {
    sandbox: Sandbox,
    /// Where the state is saved after every change; `None`: in memory.
    path: Option<PathBuf>,
    /// The id of the `FACTEUR_HOME` it serves, said by `/api/v1/info`.
    home_id: Option<String>,
}

type Shared = Arc<Mutex<Portal>>;

impl Portal {
    fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let json = serde_json::to_vec(&self.sandbox).map_err(std::io::Error::other)?;
        // Write aside, flush, then rename: a crash leaves the old or the new
        // state, never half of one.
        let tmp = path.with_extension("json.tmp");
        {
            use std::io::Write as _;
            let mut f = crate::home::private_file().open(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }
}

/// Loads the saved state, or a fresh demo portal when there is none.
pub fn load_state(path: &Path, timing: Timing) -> Result<Sandbox, ServerError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let mut s: Sandbox = serde_json::from_slice(&bytes).map_err(|e| ServerError::Load {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
            s.timing = timing;
            Ok(s)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Sandbox::with_demo_customers(timing))
        }
        Err(e) => Err(ServerError::Load {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}

/// Binds a loopback address (port 0: any free port).
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServerError> {
    if !addr.ip().is_loopback() {
        return Err(ServerError::NotLoopback(addr));
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })
}

/// Serves the portal until `shutdown` completes, for no home in
/// particular (tests, a portal run apart).
pub async fn serve(
    listener: tokio::net::TcpListener,
    sandbox: Sandbox,
    state_path: Option<PathBuf>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve_home(listener, sandbox, state_path, None, shutdown).await
}

/// Serves the portal of one `FACTEUR_HOME` (its id, from
/// [`crate::send::accounts::sandbox_id`], said by `/api/v1/info`) until
/// `shutdown` completes.
pub async fn serve_home(
    listener: tokio::net::TcpListener,
    sandbox: Sandbox,
    state_path: Option<PathBuf>,
    home_id: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let shared: Shared = Arc::new(Mutex::new(Portal {
        sandbox,
        path: state_path,
        home_id,
    }));
    axum::serve(listener, router(shared))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve)
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/v1/info", get(info))
        .route("/api/v1/deposits", post(deposit).get(find))
        .route("/api/v1/deposits/{reference}/statuses", get(statuses))
        .route("/api/v1/deposits/{reference}/replay", post(replay))
        .route("/api/v1/customers", get(customers).post(add_customer))
        .route(
            "/api/v1/customers/{siren}/mandate",
            post(sign_mandate_route),
        )
        // A 40 MB PDF is about 54 MB in base64.
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(shared)
}

/// The portal's routes over `sandbox` (saved to `state_path` after every
/// change, when given), for a caller that serves them itself: the tests
/// put a fault layer in front, as a misbehaving portal would answer.
pub fn router_for(sandbox: Sandbox, state_path: Option<PathBuf>) -> Router {
    router(Arc::new(Mutex::new(Portal {
        sandbox,
        path: state_path,
        home_id: None,
    })))
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Portal> {
    // A panicking handler cannot leave the portal half-changed (every change
    // is one call), so a poisoned lock is still consistent.
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({ "error": message.into(), "simulation": true })),
    )
        .into_response()
}

fn saved(portal: &Portal) -> Option<Response> {
    portal.save().err().map(|e| {
        tracing::error!(error = %e, "the sandbox portal cannot save its state");
        problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the sandbox portal cannot save its state: {e}"),
        )
    })
}

async fn info(State(shared): State<Shared>) -> Response {
    let p = lock(&shared);
    axum::Json(json!({
        "simulation": true,
        "label_fr": SIMULATION_LABEL_FR,
        "label_en": SIMULATION_LABEL_EN,
        "timing": p.sandbox.timing,
        "received": p.sandbox.received_total(),
        "home_id": p.home_id,
    }))
    .into_response()
}

async fn deposit(
    State(shared): State<Shared>,
    axum::Json(req): axum::Json<DepositRequest>,
) -> Response {
    let Ok(pdf) = base64::engine::general_purpose::STANDARD.decode(req.pdf_base64.as_bytes())
    else {
        return problem(StatusCode::BAD_REQUEST, "pdf_base64 is not base64");
    };
    if !pdf.starts_with(b"%PDF-") {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "le fichier n'est pas un PDF / the file is not a PDF",
        );
    }
    if req.number.trim().is_empty() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "number is required");
    }
    let sha256 = crate::hex::sha256(&pdf);
    let now = now_ms();
    let mut p = lock(&shared);
    let reference = p.sandbox.deposit(
        Deposit {
            seller_siren: req.seller_siren,
            number: req.number,
            buyer_siren: req.buyer_siren,
            sha256: sha256.clone(),
        },
        now,
    );
    if let Some(r) = saved(&p) {
        return r;
    }
    let statuses = p.sandbox.statuses(&reference, now).unwrap_or_default();
    tracing::info!(%reference, file = %req.file_name, "sandbox portal received an invoice");
    (
        StatusCode::CREATED,
        axum::Json(DepositAnswer {
            reference,
            sha256,
            statuses,
            simulation: true,
        }),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct FindQuery {
    number: String,
    seller: Option<String>,
}

async fn find(State(shared): State<Shared>, Query(q): Query<FindQuery>) -> Response {
    let p = lock(&shared);
    let seller = q.seller.as_deref().filter(|s| !s.is_empty());
    let found: Vec<FoundDeposit> = p
        .sandbox
        .find(seller, &q.number)
        .into_iter()
        .map(|(reference, received_ms, sha256)| FoundDeposit {
            reference,
            received_ms,
            sha256,
        })
        .collect();
    axum::Json(found).into_response()
}

fn sandbox_problem(e: SandboxError) -> Response {
    let status = match e {
        SandboxError::UnknownReference(_) => StatusCode::NOT_FOUND,
        SandboxError::NotReplayable(_) | SandboxError::MandateStillMissing(_) => {
            StatusCode::CONFLICT
        }
    };
    problem(status, e.to_string())
}

async fn statuses(State(shared): State<Shared>, UrlPath(reference): UrlPath<String>) -> Response {
    let p = lock(&shared);
    match p.sandbox.statuses(&reference, now_ms()) {
        Ok(s) => axum::Json(s).into_response(),
        Err(e) => sandbox_problem(e),
    }
}

async fn replay(State(shared): State<Shared>, UrlPath(reference): UrlPath<String>) -> Response {
    let now = now_ms();
    let mut p = lock(&shared);
    if let Err(e) = p.sandbox.replay(&reference, now) {
        return sandbox_problem(e);
    }
    if let Some(r) = saved(&p) {
        return r;
    }
    axum::Json(p.sandbox.statuses(&reference, now).unwrap_or_default()).into_response()
}

async fn customers(State(shared): State<Shared>) -> Response {
    let p = lock(&shared);
    axum::Json(p.sandbox.customers().cloned().collect::<Vec<_>>()).into_response()
}

#[derive(Debug, Deserialize)]
struct NewCustomer {
    siren: String,
    name: String,
    #[serde(default)]
    mandate_signed: bool,
}

async fn add_customer(
    State(shared): State<Shared>,
    axum::Json(c): axum::Json<NewCustomer>,
) -> Response {
    let mut p = lock(&shared);
    p.sandbox.add_customer(&c.siren, &c.name, c.mandate_signed);
    if let Some(r) = saved(&p) {
        return r;
    }
    StatusCode::CREATED.into_response()
}

async fn sign_mandate_route(
    State(shared): State<Shared>,
    UrlPath(siren): UrlPath<String>,
) -> Response {
    let mut p = lock(&shared);
    p.sandbox.sign_mandate(&siren);
    if let Some(r) = saved(&p) {
        return r;
    }
    axum::Json(json!({ "siren": siren, "mandate_signed": true, "simulation": true }))
        .into_response()
}

/// Starts `account`'s portal when it is this home's built-in demonstration
/// portal and nothing answers there (an account pointing at another address
/// expects a portal someone runs). Returns whether one was started. The
/// window, the CLI and the outbox's callers all start it this way.
pub async fn ensure_for(home: &Path, account: &Account) -> Result<bool, ServerError> {
    if account.kind != Kind::Sandbox {
        return Ok(false);
    }
    let default = url_for(home);
    let url = account.settings.get("url").unwrap_or(&default);
    if url != &default {
        return Ok(false);
    }
    ensure_running(home, url, Timing::demo()).await
}

/// Why the demonstration mandate could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum MandateError {
    #[error("\"{0}\" is not a demonstration portal account")]
    NotSandbox(String),
    #[error(transparent)]
    Start(#[from] ServerError),
    #[error(transparent)]
    Portal(#[from] crate::send::channel::ChannelError),
}

/// Signs customer `siren`'s billing mandate on the demonstration portal of
/// `account` (started first when it is this home's own), so an invoice
/// refused « Mandat absent » can be replayed. The one way the window and
/// `facteur sandbox sign-mandate` do it.
pub async fn sign_mandate(home: &Path, account: &Account, siren: &str) -> Result<(), MandateError> {
    if account.kind != Kind::Sandbox {
        return Err(MandateError::NotSandbox(account.name.clone()));
    }
    ensure_for(home, account).await?;
    // The sandbox has no secrets: the keyring is never asked.
    let channel = AnyChannel::for_account(account, &OsKeyring)?;
    let AnyChannel::Sandbox(portal) = channel else {
        return Err(MandateError::NotSandbox(account.name.clone()));
    };
    portal.sign_mandate(siren).await?;
    Ok(())
}

/// Makes sure a sandbox answers at `url`: when nothing listens there and the
/// address is loopback, starts one in this process (state in
/// `FACTEUR_HOME/sandbox.json`, serving that home's id) for as long as the
/// runtime lives. Returns whether one was started. Whatever answers there
/// already is not judged here: the sandbox channel checks the home it
/// serves before sending.
pub async fn ensure_running(home: &Path, url: &str, timing: Timing) -> Result<bool, ServerError> {
    let Some(addr) = loopback_addr(url) else {
        return Ok(false);
    };
    if tokio::net::TcpStream::connect(addr).await.is_ok() {
        return Ok(false);
    }
    let listener = bind(addr).await?;
    let path = home.join("sandbox.json");
    let sandbox = load_state(&path, timing)?;
    let home_id = crate::send::accounts::sandbox_id(home)
        .map_err(|e| tracing::warn!("the sandbox cannot say which home it serves: {e}"))
        .ok();
    tokio::spawn(async move {
        if let Err(e) = serve_home(
            listener,
            sandbox,
            Some(path),
            home_id,
            std::future::pending(),
        )
        .await
        {
            tracing::error!("sandbox portal: {e}");
        }
    });
    tracing::info!(%addr, "sandbox portal started in this process");
    Ok(true)
}

/// The socket address of an `http://127.0.0.1:PORT` URL; `None` for
/// anything that is not plain HTTP on loopback.
fn loopback_addr(url: &str) -> Option<SocketAddr> {
    let rest = url.strip_prefix("http://")?;
    let hostport = rest.split('/').next()?;
    let hostport = hostport.replace("localhost", "127.0.0.1");
    let addr: SocketAddr = hostport.parse().ok()?;
    addr.ip().is_loopback().then_some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_loopback_urls_start_an_embedded_portal() {
        assert_eq!(
            loopback_addr("http://127.0.0.1:8917"),
            Some("127.0.0.1:8917".parse().unwrap())
        );
        assert_eq!(
            loopback_addr("http://localhost:9000/x"),
            Some("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(loopback_addr("https://127.0.0.1:8917"), None);
        assert_eq!(loopback_addr("http://192.0.2.1:8917"), None);
        assert_eq!(loopback_addr("http://example.fr"), None);
    }
}
