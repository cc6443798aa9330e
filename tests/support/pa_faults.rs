//! The demonstration plateforme (`facteur::demo::pa_server`) wrapped with fault
//! injection, for the plateforme channel's contract tests. The product
//! binary serves the plain router; only tests add this layer.
//!
//! Faults ([`Fault`], with [`FaultyPa::inject`]) hit the next N requests
//! whose method and path contain a string: 401 (a revoked token), 429 with
//! Retry-After, 500, a delay, a connection closed without an answer.
//!
//! Include it with `#[path = "support/pa_faults.rs"] mod pa_faults;`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use facteur::demo::pa_server::{self, Options, PaState, Shared};
use serde_json::json;

/// A failure to inject into the next matching requests.
#[derive(Debug, Clone)]
pub enum Fault {
    /// HTTP 401 (the token was revoked); the plateforme forgets its tokens.
    Unauthorized,
    /// HTTP 429 with `Retry-After`.
    TooManyRequests { retry_after_secs: u64 },
    /// HTTP 500 with an `{errorCode, errorMessage}` body.
    ServerError,
    /// Answers normally, but only after this long.
    Delay(Duration),
    /// Closes the connection without answering (the request is not processed).
    DropConnection,
}

struct Injected {
    matches: String,
    /// Only the call "METHOD /path" equal to `matches`, not every call
    /// containing it (`POST /v1/flows` without `POST /v1/flows/search`).
    exact: bool,
    fault: Fault,
    remaining: u32,
}

#[derive(Clone)]
struct Faults {
    list: Arc<Mutex<Vec<Injected>>>,
    state: Shared,
}

/// The running plateforme with faults; stops when dropped.
pub struct FaultyPa {
    pub addr: SocketAddr,
    pub state: Shared,
    faults: Arc<Mutex<Vec<Injected>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyPa {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyPa {
    /// Starts on 127.0.0.1 on a free port, in the current tokio runtime.
    pub async fn start(options: Options) -> FaultyPa {
        let state: Shared = Arc::new(Mutex::new(PaState::new(options)));
        let faults = Faults {
            list: Arc::default(),
            state: state.clone(),
        };
        let app = pa_server::router(state.clone())
            .layer(middleware::from_fn_with_state(faults.clone(), inject));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<Conn>())
                .await
                .unwrap();
        });
        FaultyPa {
            addr,
            state,
            faults: faults.list,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Reads or changes the plateforme.
    pub fn with<R>(&self, f: impl FnOnce(&mut PaState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// The next `times` requests whose "METHOD /path" contains `matches`
    /// fail with `fault`.
    pub fn inject(&self, matches: &str, fault: Fault, times: u32) {
        self.faults.lock().unwrap().push(Injected {
            matches: matches.to_string(),
            exact: false,
            fault,
            remaining: times,
        });
    }

    /// The next `times` requests whose "METHOD /path" is exactly `call`
    /// fail with `fault`.
    pub fn inject_exact(&self, call: &str, fault: Fault, times: u32) {
        self.faults.lock().unwrap().push(Injected {
            matches: call.to_string(),
            exact: true,
            fault,
            remaining: times,
        });
    }
}

/// The connection's socket, so a fault can close it without answering.
#[derive(Clone, Copy)]
struct Conn {
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

async fn inject(
    State(faults): State<Faults>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    req: Request,
    next: Next,
) -> Response {
    let call = format!("{} {}", req.method(), req.uri().path());
    let fault = {
        let mut list = faults.list.lock().unwrap();
        list.iter_mut()
            .find(|f| {
                f.remaining > 0
                    && if f.exact {
                        call == f.matches
                    } else {
                        call.contains(&f.matches)
                    }
            })
            .map(|f| {
                f.remaining -= 1;
                f.fault.clone()
            })
    };
    let problem = |status: StatusCode, code: &str, msg: &str| {
        (
            status,
            axum::Json(json!({"errorCode": code, "errorMessage": msg})),
        )
            .into_response()
    };
    match fault {
        None => next.run(req).await,
        Some(Fault::Unauthorized) => {
            faults.state.lock().unwrap().expire_tokens();
            problem(StatusCode::UNAUTHORIZED, "Unauthorized", "token revoked")
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut r = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "quota dépassé / rate limit exceeded",
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
            r
        }
        Some(Fault::ServerError) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "erreur interne / internal error",
        ),
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Some(Fault::DropConnection) => {
            drop_connection(conn);
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
