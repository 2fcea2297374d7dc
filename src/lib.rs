//! cscaudit: audit bank customer-service centres against GB/T 32312-2015.
//!
//! Layers (data flows one way), each a crate the compiler holds apart:
//! `cscaudit-core` (model: pure rules; store: sled) ← `cscaudit-app` (one
//! function per user intent, and bundles, reports, sync, crypto) ← this
//! package: `cli` and `tui`.
#![deny(unsafe_code)]

pub use cscaudit_app::{analytics, app, bundle, config, crypto, index, message, model, msg, report, sync, text};
/// The fuzz targets' entry points (`tests/fuzz_smoke.rs`): the app's, and
/// the TUI's own loaders.
#[doc(hidden)]
pub mod fuzz {
    pub use cscaudit_app::fuzz::*;

    /// The TOML loaders: config.toml, a keymap, a theme, a catalogue, a
    /// call-record mapping; all from the same text.
    pub fn config(data: &[u8]) {
        cscaudit_app::fuzz::config(data);
        let Ok(src) = std::str::from_utf8(data) else { return };
        let _ = crate::tui::keymap::parse_layer(src, "fuzz.toml");
        let _ = crate::tui::theme::Theme::from_source(src, "fuzz.toml", None, false, false);
    }
}
/// For this package's tests and benches only: `cli` and `tui` never name
/// the store (tests/layers.rs).
#[doc(hidden)]
pub use cscaudit_app::store;

pub mod cli;
pub mod tui;
