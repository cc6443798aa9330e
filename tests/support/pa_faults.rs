//! The demonstration plateforme (`facteur::demo::pa_server`) wrapped with fault
//! injection, for the plateforme channel's contract tests. The product
//! binary serves the plain router; only tests add this layer.
//!
//! Faults ([`Fault`], with [`FaultyPa::inject`] or [`FaultyPa::inject_when`])
//! come from the shared layer (`faults.rs`): 401 (a revoked token), 429
//! with Retry-After, 500, a delay, a connection closed without an answer;
//! and, after the plateforme took the flow, an answer past the client's
//! timeout, a dropped connection or a 502.
//!
//! Include it with `#[path = "support/pa_faults.rs"] mod pa_faults;`.

#![allow(dead_code)]

#[path = "faults.rs"]
mod faults;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use facteur::demo::pa_server::{self, Options, PaState, Shared};
#[allow(unused_imports)]
pub use faults::{Fault, Recorder, When};
use serde_json::json;

/// The plateforme's words for the faults that answer in its name.
#[derive(Clone)]
struct Words(Shared);

fn problem(status: StatusCode, code: &str, msg: &str) -> Response {
    (
        status,
        axum::Json(json!({"errorCode": code, "errorMessage": msg})),
    )
        .into_response()
}

impl faults::Contract for Words {
    fn unauthorized(&self, _req: &Request) -> Response {
        self.0.lock().unwrap().expire_tokens();
        problem(StatusCode::UNAUTHORIZED, "Unauthorized", "token revoked")
    }
    fn too_many_requests(&self) -> Response {
        problem(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "quota dépassé / rate limit exceeded",
        )
    }
    fn server_error(&self) -> Response {
        problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "erreur interne / internal error",
        )
    }
}

/// The running plateforme with faults; stops when dropped.
pub struct FaultyPa {
    pub addr: SocketAddr,
    pub state: Shared,
    faults: faults::Faults,
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
        let faults = faults::Faults::default();
        let app = faults.wrap(pa_server::router(state.clone()), Words(state.clone()));
        let (addr, task) = faults::serve(app).await;
        FaultyPa {
            addr,
            state,
            faults,
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
        self.faults.inject(matches, fault, When::Next(times));
    }

    /// The requests whose "METHOD /path" contains `matches` and that `when`
    /// picks fail with `fault`.
    pub fn inject_when(&self, matches: &str, fault: Fault, when: When) {
        self.faults.inject(matches, fault, when);
    }

    /// How many requests the faults watching `matches` hit so far.
    pub fn fired(&self, matches: &str) -> u32 {
        self.faults.fired(matches)
    }
}
