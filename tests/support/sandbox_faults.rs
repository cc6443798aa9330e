//! The sandbox portal (`facteur::demo::sandbox_server`) wrapped with the
//! shared fault layer (`faults.rs`), for the exactly-once tests: it can
//! store a deposit and then answer past the client's timeout, drop the
//! connection or answer 502, on request N of `POST /api/v1/deposits`. The
//! product binary serves the plain router; only tests add this layer.
//!
//! What the portal holds is read from its own state file, which it saves
//! (atomically) before answering any deposit: [`FaultySandbox::held`]
//! counts every deposit it received, per invoice number.
//!
//! Include it with `#[path = "support/sandbox_faults.rs"] mod sandbox_faults;`.

#![allow(dead_code)]

#[path = "faults.rs"]
mod faults;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use facteur::demo::sandbox::Sandbox;
use facteur::demo::sandbox_server;
pub use faults::{Fault, When};
use serde_json::json;

/// The deposit call, as the fault rules name it.
pub const DEPOSIT: &str = "POST /api/v1/deposits";

/// The sandbox's words (it has no credentials: a 401 never comes from it,
/// but a proxy in front may answer one).
#[derive(Clone)]
struct Words;

fn problem(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": message, "simulation": true })),
    )
        .into_response()
}

impl faults::Contract for Words {
    fn unauthorized(&self, _req: &Request) -> Response {
        problem(StatusCode::UNAUTHORIZED, "unauthorized")
    }
    fn too_many_requests(&self) -> Response {
        problem(StatusCode::TOO_MANY_REQUESTS, "too many requests")
    }
    fn server_error(&self) -> Response {
        problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

/// The running sandbox with faults; stops when dropped.
pub struct FaultySandbox {
    pub addr: SocketAddr,
    state: PathBuf,
    faults: faults::Faults,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultySandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultySandbox {
    /// Starts `sandbox` on 127.0.0.1 on a free port, in the current tokio
    /// runtime, its state saved to `state` after every change.
    pub async fn start(sandbox: Sandbox, state: &Path) -> FaultySandbox {
        let faults = faults::Faults::default();
        let app = faults.wrap(
            sandbox_server::router_for(sandbox, Some(state.to_path_buf())),
            Words,
        );
        let (addr, task) = faults::serve(app).await;
        FaultySandbox {
            addr,
            state: state.to_path_buf(),
            faults,
            task,
        }
    }

    /// A server on a runtime of its own, which keeps serving while the test
    /// waits on `facteur` processes. Keep the runtime alive with the server.
    pub fn on_own_runtime(
        sandbox: Sandbox,
        state: &Path,
    ) -> (tokio::runtime::Runtime, FaultySandbox) {
        let rt = faults::own_runtime();
        let server = rt.block_on(FaultySandbox::start(sandbox, state));
        (rt, server)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests whose "METHOD /path" contains `matches` and that `when`
    /// picks fail with `fault`.
    pub fn inject(&self, matches: &str, fault: Fault, when: When) {
        self.faults.inject(matches, fault, when);
    }

    /// How many requests the faults watching `matches` hit so far.
    pub fn fired(&self, matches: &str) -> u32 {
        self.faults.fired(matches)
    }

    /// Every deposit the portal received, counted per invoice number (a
    /// number twice: deposited twice), from its saved state.
    pub fn held(&self) -> BTreeMap<String, usize> {
        let mut held = BTreeMap::new();
        let Ok(text) = std::fs::read_to_string(&self.state) else {
            return held;
        };
        let state: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in state["received"].as_object().unwrap().values() {
            let number = r["deposit"]["number"].as_str().unwrap().to_string();
            *held.entry(number).or_default() += 1;
        }
        held
    }
}
