//! Facteur core: everything the `facteur` CLI and the desktop shell share.
//!
//! The core never depends on Tauri or any GUI toolkit; see `ARCHITECTURE.md`.

pub mod facts;
pub mod ident;
pub mod structured;
pub mod sample;
