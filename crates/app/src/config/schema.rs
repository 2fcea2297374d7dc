//! JSON schemas of the files users write, so editors (Taplo / Even Better
//! TOML, VS Code, Helix with taplo-lsp) can complete and check them. Published
//! in `schemas/` by `cscaudit config schema --out schemas`; a test keeps the
//! committed files equal to these and validates every shipped file.

use super::settings::{Lang, MAX_POLICY_DAYS};
use schemars::{JsonSchema, schema_for};
use serde::Deserialize;
use std::path::PathBuf;

/// `config.toml`. Mirrors [`super::Settings`] (a test checks the keys agree).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cscaudit config.toml")]
#[allow(dead_code)]
struct ConfigFile {
    /// Language of the interface: "zh-CN" or "en" (otherwise LC_ALL / LANG decide).
    language: Option<Lang>,
    /// Keymap: "default" or "emacs" (built in); `keymap.toml` beside this file layers changes over it.
    keymap: Option<String>,
    /// Theme: "default", "light", "high-contrast", or themes/NAME.toml in the config folder.
    theme: Option<String>,
    /// + - | borders for terminals where box glyphs are ambiguous-width.
    ascii_borders: Option<bool>,
    /// Click tabs and rows, wheel scrolls.
    mouse: Option<bool>,
    /// A catalogue file (or the id of one in <config>/catalogs/) for new engagements.
    catalog: Option<PathBuf>,
    /// Due-date policy for findings.
    policy: Option<PolicyTable>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PolicyTable {
    /// Days from issue to the auditee's response.
    #[schemars(range(min = 0, max = MAX_POLICY_DAYS))]
    response_days: Option<i32>,
    /// Days from issue to closure of a nonconformity.
    #[schemars(range(min = 0, max = MAX_POLICY_DAYS))]
    closure_days: Option<i32>,
    /// Days from issue to closure of a major nonconformity.
    #[schemars(range(min = 0, max = MAX_POLICY_DAYS))]
    major_closure_days: Option<i32>,
    /// "Due soon" window of the remediation views.
    #[schemars(range(min = 0, max = MAX_POLICY_DAYS))]
    due_soon_days: Option<i32>,
    /// Whether observations and improvements get due dates.
    observations_due: Option<bool>,
    /// A major must be verified before a certification decision.
    major_requires_verification: Option<bool>,
}

/// The schema of `config.toml`.
pub fn config_schema() -> serde_json::Value {
    serde_json::to_value(schema_for!(ConfigFile)).unwrap_or_default()
}

/// The schema of an indicator catalogue.
pub fn catalog_schema() -> serde_json::Value {
    let mut s = serde_json::to_value(schema_for!(super::catalog::RawFile)).unwrap_or_default();
    if let Some(o) = s.as_object_mut() {
        o.insert("title".into(), "cscaudit indicator catalogue".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &serde_json::Value) -> Vec<String> {
        let mut k: Vec<String> = v["properties"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    #[test]
    fn the_config_schema_lists_exactly_the_keys_settings_reads() {
        let s = config_schema();
        let mut want: Vec<String> = super::super::settings::KEYS.iter().map(|k| k.to_string()).collect();
        want.sort();
        assert_eq!(keys(&s), want);
        let policy = &s["$defs"]["PolicyTable"];
        let mut want: Vec<String> = super::super::settings::POLICY_KEYS
            .iter()
            .map(|k| k.to_string())
            .collect();
        want.sort();
        assert_eq!(keys(policy), want);
    }
}
