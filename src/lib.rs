//! cscaudit: audit bank customer-service centres against GB/T 32312-2015.
//!
//! Layers (data flows one way): `model` (pure rules) ← `store` (sled) ← `app`
//! (one function per user intent) ← `cli` / `tui`.
// No unsafe code, but for one allowed call: glibc's malloc_trim (app/session.rs).
#![deny(unsafe_code)]

pub mod analytics;
pub mod app;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod crypto;
#[doc(hidden)]
pub mod fuzz;
pub mod message;
pub mod model;
pub mod report;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;
