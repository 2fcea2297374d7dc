//! Themes: semantic roles (`finding.major`, `status.overdue`, `pane.focused`)
//! mapped to styles; colours come from a `[palette]`; a theme may inherit
//! another; lookups fall back from `a.b.c` to `a.b` to `a`. `NO_COLOR` removes
//! every colour and keeps the text readable (reverse video for the selection).

use crate::config::ConfigError;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

/// Every role the views ask for (a test checks each builtin theme resolves them).
pub const ROLES: &[&str] = &[
    "text",
    "text.dim",
    "text.title",
    "header",
    "header.provisional",
    "tab",
    "tab.active",
    "border",
    "border.focused",
    "pane.title",
    "pane.title.focused",
    "selection",
    "table.header",
    "group",
    "finding.major",
    "finding.minor",
    "finding.observation",
    "finding.improvement",
    "status.overdue",
    "status.due_soon",
    "status.ok",
    "status.verified",
    "result.conforming",
    "result.partially",
    "result.nonconforming",
    "result.not_applicable",
    "result.not_assessed",
    "target.met",
    "target.missed",
    "gauge",
    "statusbar",
    "statusbar.key",
    "statusbar.message",
    "statusbar.error",
    "popup",
    "popup.border",
    "popup.title",
    "match",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Option<String>,
    inherits: Option<String>,
    #[serde(default)]
    palette: BTreeMap<String, String>,
    #[serde(default)]
    styles: BTreeMap<String, RawStyle>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    styles: HashMap<String, Style>,
    pub no_color: bool,
    pub ascii: bool,
}

fn parse_color(s: &str, palette: &BTreeMap<String, String>, depth: u8) -> Result<Color, String> {
    if let Some(v) = palette.get(s)
        && depth < 4
    {
        return parse_color(v, palette, depth + 1);
    }
    if let Some(hex) = s.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(i) = s.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    s.parse::<Color>()
        .map_err(|_| format!("`{s}` is not a colour, a #rrggbb value, or a palette name"))
}

fn parse_modifier(s: &str) -> Result<Modifier, String> {
    Ok(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        other => {
            return Err(format!(
                "unknown modifier `{other}` (bold, dim, italic, underlined, reversed, crossed_out)"
            ));
        }
    })
}

fn line_of(src: &str, needle: &str) -> usize {
    src.lines().position(|l| l.contains(needle)).map_or(1, |p| p + 1)
}

/// A theme's palette, styles and name after following `inherits`.
type Resolved = (BTreeMap<String, String>, BTreeMap<String, RawStyle>, String);

/// Load a theme source (following `inherits` through builtins and `dir`).
fn load_raw(src: &str, file: &str, dir: Option<&Path>, depth: u8) -> Result<Resolved, ConfigError> {
    let raw: RawTheme = toml::from_str(src).map_err(|e| crate::config::toml_error(src, Path::new(file), &e))?;
    let (mut palette, mut styles) = match &raw.inherits {
        Some(parent) if depth < 4 => {
            let (psrc, pfile) = resolve(parent, dir).ok_or_else(|| ConfigError {
                file: file.into(),
                line: line_of(src, "inherits"),
                column: 1,
                message: format!("field `inherits`: unknown theme `{parent}`"),
            })?;
            let (p, s, _) = load_raw(&psrc, &pfile, dir, depth + 1)?;
            (p, s)
        }
        Some(_) => {
            return Err(ConfigError {
                file: file.into(),
                line: line_of(src, "inherits"),
                column: 1,
                message: "field `inherits`: too deep (a cycle?)".into(),
            });
        }
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    palette.extend(raw.palette);
    styles.extend(raw.styles);
    // Validate every reference now, with a line to point at.
    for (role, st) in &styles {
        for c in [&st.fg, &st.bg].into_iter().flatten() {
            parse_color(c, &palette, 0).map_err(|m| ConfigError {
                file: file.into(),
                line: line_of(src, &format!("\"{role}\"")),
                column: 1,
                message: format!("[styles] `{role}`: {m}"),
            })?;
        }
        for m in &st.modifiers {
            parse_modifier(m).map_err(|msg| ConfigError {
                file: file.into(),
                line: line_of(src, &format!("\"{role}\"")),
                column: 1,
                message: format!("[styles] `{role}`: {msg}"),
            })?;
        }
    }
    Ok((palette, styles, raw.name.unwrap_or_else(|| file.to_string())))
}

/// A theme by name: builtin, or `<dir>/<name>.toml`, or a path.
fn resolve(name: &str, dir: Option<&Path>) -> Option<(String, String)> {
    if let Some((_, src)) = BUILTIN.iter().find(|(n, _)| *n == name) {
        return Some((src.to_string(), format!("themes/{name}.toml (built in)")));
    }
    let candidates = [
        dir.map(|d| d.join(format!("{name}.toml"))),
        Some(Path::new(name).to_path_buf()),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read_to_string(&p).ok().map(|s| (s, p.display().to_string())))
}

impl Theme {
    /// Build from a source; `no_color` strips colours.
    pub fn from_source(
        src: &str,
        file: &str,
        dir: Option<&Path>,
        no_color: bool,
        ascii: bool,
    ) -> Result<Theme, ConfigError> {
        let (palette, raw, name) = load_raw(src, file, dir, 0)?;
        let mut styles = HashMap::new();
        for (role, st) in raw {
            let mut style = Style::default();
            if !no_color {
                if let Some(fg) = &st.fg {
                    style = style.fg(parse_color(fg, &palette, 0).unwrap_or(Color::Reset));
                }
                if let Some(bg) = &st.bg {
                    style = style.bg(parse_color(bg, &palette, 0).unwrap_or(Color::Reset));
                }
            }
            for m in &st.modifiers {
                style = style.add_modifier(parse_modifier(m).unwrap_or(Modifier::empty()));
            }
            styles.insert(role, style);
        }
        if no_color {
            styles.insert("selection".into(), Style::default().add_modifier(Modifier::REVERSED));
        }
        Ok(Theme {
            name,
            styles,
            no_color,
            ascii,
        })
    }

    /// Load a theme by name (builtin or from the config folder's `themes/`).
    /// A problem gives the default theme plus the error to report.
    pub fn load(name: &str, dir: Option<&Path>, no_color: bool, ascii: bool) -> (Theme, Option<ConfigError>) {
        let fallback = || {
            Theme::from_source(BUILTIN[0].1, "themes/default.toml", None, no_color, ascii).unwrap_or(Theme {
                name: "plain".into(),
                styles: HashMap::new(),
                no_color,
                ascii,
            })
        };
        match resolve(name, dir) {
            Some((src, file)) => match Theme::from_source(&src, &file, dir, no_color, ascii) {
                Ok(t) => (t, None),
                Err(e) => (fallback(), Some(e)),
            },
            None => (
                fallback(),
                Some(ConfigError {
                    file: "config.toml".into(),
                    line: 1,
                    column: 1,
                    message: format!("unknown theme `{name}` (built in: default, light, high-contrast); using default"),
                }),
            ),
        }
    }

    /// The style for a role, falling back from `a.b.c` to `a.b` to `a`.
    pub fn style(&self, role: &str) -> Style {
        let mut r = role;
        loop {
            if let Some(s) = self.styles.get(r) {
                return *s;
            }
            match r.rfind('.') {
                Some(i) => r = &r[..i],
                None => return self.styles.get("text").copied().unwrap_or_default(),
            }
        }
    }

    pub fn has_role(&self, role: &str) -> bool {
        let mut r = role;
        loop {
            if self.styles.contains_key(r) {
                return true;
            }
            match r.rfind('.') {
                Some(i) => r = &r[..i],
                None => return false,
            }
        }
    }

    pub fn border_set(&self) -> ratatui::symbols::border::Set<'static> {
        if self.ascii {
            ratatui::symbols::border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            ratatui::symbols::border::ROUNDED
        }
    }
}

/// `NO_COLOR` set to anything non-empty.
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
