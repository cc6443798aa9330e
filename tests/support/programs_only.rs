//! The real programs' corpus alone (with the modules it reads through),
//! for a test that needs nothing else of `tests/support`.

#![allow(dead_code)]

#[path = "invoices.rs"]
pub mod invoices;
#[path = "measure.rs"]
pub mod measure;
#[path = "programs.rs"]
pub mod programs;
