//! The intake: how files come in (dropped on the window, given to the CLI,
//! found in a watched folder) and the one path each takes from a checked
//! file to a queued invoice. [`pipeline`] is that path (check recorded,
//! routed, queued in one transaction), [`watch`] follows folders,
//! [`folders`] keeps their settings, [`made`] turns a recorded plain PDF
//! into the Factur-X that is sent in its place.
//!
//! Deliberately not here: the rules ([`crate::check`]), the sending itself
//! ([`crate::send`]).

pub mod folders;
pub mod made;
pub mod pipeline;
pub mod watch;
