//! One fault layer for the loopback portals of the tests: it wraps any axum
//! router (the Chorus Pro contract server, the demonstration plateforme, the
//! sandbox portal) so that chosen requests misbehave as a real portal or
//! the network in front of it may.
//!
//! A rule ([`Faults::inject`]) names the requests it watches ("METHOD
//! /path" containing a string, or exactly that call when the string ends
//! with `$`: `"POST /v1/flows$"` is not `POST /v1/flows/search`), which of
//! them it hits ([`When`]: the next
//! N, or every Nth — request N of the creating call) and how ([`Fault`]).
//! Two families: faults *before* the portal acts (401, 429, 500, a delay, a
//! connection closed unread: the request is not processed) and faults
//! *after* it acted (the deposit is stored, then the answer comes too late,
//! the connection drops, or a 502 comes instead): the cases where the
//! client cannot know whether the portal holds what it sent. Each rule
//! counts the requests it hit, so a test can show its fault really fired.
//!
//! Deliberately not here: what a portal holds and how it counts it (each
//! server keeps its own), and the portal-specific shape of a 401, 429 or
//! 500 (each server says it through [`Contract`]).
//!
//! Include it from a server's support file with
//! `#[path = "faults.rs"] mod faults;` (a path relative to that file).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;

/// How a request misbehaves.
#[derive(Debug, Clone)]
pub enum Fault {
    /// HTTP 401 in the portal's words ([`Contract::unauthorized`]); not
    /// processed.
    Unauthorized,
    /// HTTP 429 with `Retry-After`; not processed.
    TooManyRequests { retry_after_secs: u64 },
    /// HTTP 500 in the portal's words; not processed.
    ServerError,
    /// Answers normally, but only after this long; processed only if the
    /// client still waits by then.
    Delay(Duration),
    /// Closes the connection without reading the body or answering; not
    /// processed.
    DropConnection,
    /// Processed (the deposit is stored), then answered only after this
    /// long: past the client's timeout, the answer is never read.
    AnswerLate(Duration),
    /// Processed, body read and deposit stored, then the connection is
    /// closed without an answer.
    DropAfterStoring,
    /// Processed, then a 502 (a proxy that lost the portal's answer)
    /// instead of the portal's answer.
    BadGatewayAfterStoring,
    /// Not processed: answered `status` (a 3xx) with `Location: <to><the
    /// request's path>`, as a portal sending its caller to another host.
    Redirect { status: u16, to: String },
    /// Not processed: a 200 JSON answer of `bytes` bytes, generated while
    /// it streams (never held in memory); `produced` counts the bytes that
    /// were generated, so a test sees how much a client really read.
    Huge {
        bytes: u64,
        produced: Arc<std::sync::atomic::AtomicU64>,
    },
}

/// Which of the matching requests a rule hits, counted from 1.
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// The next N (`u32::MAX`: every one).
    Next(u32),
    /// Request N, 2N, 3N… (every Nth).
    Every(u32),
}

/// The portal's own words for the faults that answer in its name.
pub trait Contract: Clone + Send + Sync + 'static {
    /// Sees every request ("METHOD /path") before any fault: a server that
    /// keeps the calls it received, faults included.
    fn seen(&self, _call: &str) {}
    /// The portal's 401, after it forgot the token the request carried.
    fn unauthorized(&self, req: &Request) -> Response;
    /// The portal's 429 (the layer adds `Retry-After`).
    fn too_many_requests(&self) -> Response;
    /// The portal's 500.
    fn server_error(&self) -> Response;
}

struct Rule {
    matches: String,
    fault: Fault,
    when: When,
    /// Matching requests seen so far.
    seen: u32,
    /// Requests hit.
    fired: u32,
}

impl Rule {
    fn watches(&self, call: &str) -> bool {
        match self.matches.strip_suffix('$') {
            Some(exact) => call == exact,
            None => call.contains(&self.matches),
        }
    }

    /// Whether the request being counted is this rule's to hit.
    fn due(&self) -> bool {
        match self.when {
            When::Next(n) => self.fired < n,
            When::Every(n) => (self.seen + 1).is_multiple_of(n.max(1)),
        }
    }
}

/// The rules of one server; cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Faults {
    /// From now on, the requests whose "METHOD /path" contains `matches`
    /// (is it, when `matches` ends with `$`) and that `when` picks fail
    /// with `fault`. Rules are tried in the
    /// order given; the first whose turn it is wins.
    pub fn inject(&self, matches: &str, fault: Fault, when: When) {
        self.rules.lock().unwrap().push(Rule {
            matches: matches.to_string(),
            fault,
            when,
            seen: 0,
            fired: 0,
        });
    }

    /// How many requests the rules watching `matches` hit so far.
    pub fn fired(&self, matches: &str) -> u32 {
        self.rules
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.matches == matches)
            .map(|r| r.fired)
            .sum()
    }

    fn pick(&self, call: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let mut picked = None;
        // Every matching rule counts the request, hit or not, so "every
        // Nth" stays true to the requests the portal received; only the
        // first rule whose turn it is hits it.
        for r in rules.iter_mut().filter(|r| r.watches(call)) {
            if picked.is_none() && r.due() {
                r.fired += 1;
                picked = Some(r.fault.clone());
            }
            r.seen += 1;
        }
        picked
    }

    /// `router` with this fault layer in front of it.
    pub fn wrap<C: Contract>(&self, router: Router, contract: C) -> Router {
        router.layer(middleware::from_fn_with_state(
            (self.clone(), contract),
            inject::<C>,
        ))
    }
}

/// Serves `app` (already wrapped) on 127.0.0.1 on a free port, in the
/// current tokio runtime, with what the layer needs to drop connections.
pub async fn serve(app: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<Conn>())
            .await
            .unwrap();
    });
    (addr, task)
}

/// A multi-threaded runtime of one worker, for a server that must keep
/// serving while the test blocks (waiting on `facteur` processes).
pub fn own_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// The connection's socket, so a fault can close it without answering.
#[derive(Clone, Copy)]
pub struct Conn {
    #[cfg(unix)]
    fd: std::os::fd::RawFd,
}

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            Conn {
                fd: stream.io().as_raw_fd(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = stream;
            Conn {}
        }
    }
}

fn drop_connection(conn: Conn) {
    #[cfg(unix)]
    // SAFETY: shutdown on a socket the server still owns; it does not close
    // the descriptor, so it cannot touch another connection's.
    unsafe {
        libc::shutdown(conn.fd, libc::SHUT_RDWR);
    }
    #[cfg(not(unix))]
    {
        let _ = conn;
        panic!("dropping the connection");
    }
}

async fn inject<C: Contract>(
    State((faults, contract)): State<(Faults, C)>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    req: Request,
    next: Next,
) -> Response {
    let call = format!("{} {}", req.method(), req.uri().path());
    contract.seen(&call);
    let Some(fault) = faults.pick(&call) else {
        return next.run(req).await;
    };
    match fault {
        Fault::Unauthorized => contract.unauthorized(&req),
        Fault::TooManyRequests { retry_after_secs } => {
            let mut r = contract.too_many_requests();
            r.headers_mut()
                .insert("retry-after", retry_after_secs.into());
            r
        }
        Fault::ServerError => contract.server_error(),
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Fault::DropConnection => {
            drop_connection(conn);
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Fault::AnswerLate(d) => {
            // The handler runs to the end (the deposit is stored) before
            // the wait; a client that gave up meanwhile drops the answer.
            let answer = next.run(req).await;
            tokio::time::sleep(d).await;
            answer
        }
        Fault::DropAfterStoring => {
            let _ = next.run(req).await;
            drop_connection(conn);
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Fault::BadGatewayAfterStoring => {
            let _ = next.run(req).await;
            (StatusCode::BAD_GATEWAY, "502 Bad Gateway").into_response()
        }
        Fault::Redirect { status, to } => {
            let location = format!("{to}{}", req.uri().path());
            let mut r = StatusCode::from_u16(status).unwrap().into_response();
            r.headers_mut()
                .insert("location", location.parse().unwrap());
            r
        }
        Fault::Huge { bytes, produced } => huge_json(bytes, produced),
    }
}

/// `{"pad":"      …"}` of `bytes` bytes, in 64 KiB chunks made as the
/// client reads them.
fn huge_json(bytes: u64, produced: Arc<std::sync::atomic::AtomicU64>) -> Response {
    use futures_util::StreamExt as _;
    use std::sync::atomic::Ordering;
    const CHUNK: u64 = 64 * 1024;
    let head = b"{\"pad\":\"".to_vec();
    let tail = b"\"}".to_vec();
    let middle = bytes.saturating_sub((head.len() + tail.len()) as u64);
    let chunks = middle.div_ceil(CHUNK);
    let body = futures_util::stream::iter(
        std::iter::once(head)
            .chain((0..chunks).map(move |i| {
                let n = CHUNK.min(middle - i * CHUNK);
                vec![b' '; n as usize]
            }))
            .chain(std::iter::once(tail)),
    )
    .map(move |chunk| {
        produced.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(chunk))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(body))
        .unwrap()
}

/// What reached the address a portal redirected to.
#[derive(Debug, Clone)]
pub struct Arrived {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Another server on loopback that records every request reaching it and
/// answers 200 `{}`: where a misbehaving portal sends its callers.
pub struct Recorder {
    pub addr: SocketAddr,
    pub arrived: Arc<Mutex<Vec<Arrived>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts on 127.0.0.1 on a free port, in the current tokio runtime.
    pub async fn start() -> Recorder {
        let arrived: Arc<Mutex<Vec<Arrived>>> = Arc::default();
        let seen = arrived.clone();
        let app = Router::new().fallback(move |req: Request| {
            let seen = seen.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 256 << 20)
                    .await
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                seen.lock().unwrap().push(Arrived {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    headers: parts
                        .headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
                        .collect(),
                    body,
                });
                axum::Json(serde_json::json!({})).into_response()
            }
        });
        let (addr, task) = serve(app).await;
        Recorder {
            addr,
            arrived,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn arrived(&self) -> Vec<Arrived> {
        self.arrived.lock().unwrap().clone()
    }
}
