//! The demonstration portals, always labelled a simulation: the sandbox
//! portal's rules ([`sandbox`]) and its loopback server ([`sandbox_server`]),
//! the demonstration plateforme agréée ([`pa_server`]), and the sample
//! invoice PDFs ([`sample`]) used by the demo, the tests and the benchmarks.
//!
//! Deliberately not here: anything a real delivery depends on. The core's
//! other parts never import this folder; only the binaries (which start the
//! demonstration portals) and the tests do.

pub mod pa_server;
pub mod sample;
pub mod sandbox;
pub mod sandbox_server;
