//! The local mirror: what Facteur knows of every document and invoice, kept
//! in SQLite on disk ([`store`]), the one lifecycle every portal's statuses
//! are mapped onto ([`lifecycle`]) and what to tell the user about each
//! status ([`guidance`]); the layouts learned from the owner's confirmed
//! readings ([`learned`]).
//!
//! Deliberately not here: reading PDFs (that is [`crate::check`]), talking to
//! portals (that is [`crate::send`]), taking files in (that is
//! [`crate::intake`]).

pub mod guidance;
pub mod learned;
pub mod lifecycle;
pub mod store;
