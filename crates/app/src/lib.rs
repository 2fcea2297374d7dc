//! cscaudit's use cases: one function per user intent (`app`), and the
//! rooms they use — findings bundles, reports, team sync, signatures and
//! encryption, analytics, config and the zh/en messages. The CLI and the
//! TUI (the `cscaudit` package) call these; nothing else writes the store.
// No unsafe code, but for one allowed call: glibc's malloc_trim (app/session.rs).
#![deny(unsafe_code)]

/// The store, for this crate's use cases and for the tests and benches of
/// the workspace; the binary never names it (deny.toml's bans, tests/layers.rs).
#[doc(hidden)]
pub use cscaudit_core::store;
pub use cscaudit_core::{model, text};

pub mod analytics;
pub mod app;
pub mod bundle;
pub mod config;
pub mod crypto;
#[doc(hidden)]
pub mod fuzz;
pub mod index;
pub mod message;
pub mod report;
pub mod sync;
