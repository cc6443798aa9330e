//! The ways out: from a checked, recorded invoice to the customer's portal,
//! exactly once. [`accounts`] (the supplier's portal accounts, secrets in
//! the OS keyring), [`directory`] (the customer directory), [`route`] (which
//! customer and which channel), [`outbox`] (queue, claim, send, recover,
//! sync), [`channel`] (one module per portal protocol), [`plateforme`] (the
//! directory and payment calls around a plateforme agréée) and [`cdar`] (the
//! lifecycle messages plateformes exchange).
//!
//! Deliberately not here: the offline rules ([`crate::check`]), the tables
//! ([`crate::mirror`]), the demonstration portals ([`crate::demo`]).

pub mod accounts;
pub mod cdar;
pub mod channel;
pub mod directory;
pub mod outbox;
pub mod plateforme;
pub mod route;
