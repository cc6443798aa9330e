//! Facteur core: everything the `facteur` CLI and the desktop shell share.
//!
//! The core never depends on Tauri or any GUI toolkit; see `ARCHITECTURE.md`
//! for the code map and the invariants.

pub mod accounts;
pub mod cdar;
pub mod channel;
pub mod check;
pub mod directory;
pub mod facts;
pub mod finding;
pub mod folders;
pub mod guidance;
pub mod home;
pub mod ident;
pub mod lifecycle;
pub mod outbox;
pub mod pa_server;
pub mod pdf;
pub mod plateforme;
pub mod render;
pub mod route;
pub mod sample;
pub mod sandbox;
pub mod sandbox_server;
pub mod store;
pub mod structured;
pub mod text;
pub mod textfacts;
pub mod view;
pub mod watch;
