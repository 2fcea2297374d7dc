//! JSON schemas of keymap and theme files (see `config::schema` for the rest).

use super::commands::{COMMANDS, KeyContext};
use schemars::{JsonSchema, schema_for};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The schema of a keymap file: a section per context, `"key" = "command"`.
pub fn keymap_schema() -> Value {
    let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.push("none");
    let mut props = serde_json::Map::new();
    for ctx in KeyContext::ALL {
        props.insert(
            ctx.name().to_string(),
            json!({
                "type": "object",
                "description": format!("Bindings in the {} context: \"key\" = \"command\" (\"none\" removes a binding)", ctx.name()),
                "additionalProperties": { "type": "string", "enum": names },
            }),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cscaudit keymap",
        "description": "Key bindings per context; a user keymap lists only its changes.",
        "type": "object",
        "additionalProperties": false,
        "properties": props,
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cscaudit theme")]
#[allow(dead_code)]
struct ThemeFile {
    /// Shown by `config check`.
    name: Option<String>,
    /// A theme to start from (built in: default, light, high-contrast).
    inherits: Option<String>,
    /// Named colours: a ratatui colour name, #rrggbb or 0–255.
    #[serde(default)]
    palette: BTreeMap<String, String>,
    /// Styles by semantic role (`finding.major`, `status.overdue`, …).
    #[serde(default)]
    styles: BTreeMap<String, StyleEntry>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct StyleEntry {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<ModifierName>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ModifierName {
    Bold,
    Dim,
    Italic,
    Underlined,
    Reversed,
    CrossedOut,
}

/// The schema of a theme file.
pub fn theme_schema() -> Value {
    serde_json::to_value(schema_for!(ThemeFile)).unwrap_or_default()
}
