//! Facteur core: everything the `facteur` CLI and the desktop shell share.
//!
//! The parts, from the bottom up (a part imports only those below it):
//! [`check`] (the offline checker), [`mirror`] (the local SQLite mirror and
//! the lifecycle), [`send`] (accounts, routing, the outbox and the channels),
//! [`make`] (a Factur-X made from a plain PDF), [`demo`] (the demonstration portals and sample PDFs), [`intake`] (files
//! coming in, and the one pipeline to the outbox), then [`view`] and
//! [`render`] (what the screens show). [`home`] is Facteur's data folder.
//!
//! The core never depends on Tauri or any GUI toolkit; see `ARCHITECTURE.md`
//! for the code map and the invariants.

pub mod check;
pub mod demo;
pub mod hex;
pub mod home;
pub mod ident;
pub mod intake;
pub mod make;
pub mod mirror;
pub mod pdf;
pub mod read;
pub mod render;
pub mod send;
pub mod text;
pub mod view;
