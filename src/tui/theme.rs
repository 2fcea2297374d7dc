//! Themes: semantic roles (`finding.major`, `status.overdue`, `pane.focused`)
//! mapped to styles; colours come from a `[palette]`; a theme may inherit
//! another; lookups fall back from `a.b.c` to `a.b` to `a`. `NO_COLOR` removes
//! every colour and keeps the text readable (reverse video for the selection).

use crate::config::ConfigError;
use crate::config::toml_file::{self, Doc};
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
    // ratatui's own parser: names, #rrggbb and 0–255 indexes.
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

/// A theme's palette, styles and name after following `inherits`.
type Resolved = (BTreeMap<String, String>, BTreeMap<String, RawStyle>, String);

/// Load a theme source (following `inherits` through builtins and `dir`).
/// Each bad entry is reported and skipped: that role keeps the inherited style.
fn load_raw(src: &str, file: &str, dir: Option<&Path>, depth: u8, problems: &mut Vec<ConfigError>) -> Resolved {
    let doc = match Doc::parse(src, file) {
        Ok(d) => d,
        Err(e) => {
            problems.push(e);
            return (BTreeMap::new(), BTreeMap::new(), file.to_string());
        }
    };
    let mut name = None;
    let mut inherits = None;
    let mut own_palette = BTreeMap::new();
    let mut own_styles: Vec<(usize, String, RawStyle)> = Vec::new();
    for (k, v) in doc.entries() {
        let key: &str = k.get_ref();
        match key {
            "name" => match doc.value::<String>(key, v) {
                Ok(n) => name = Some(n),
                Err(e) => problems.push(e),
            },
            "inherits" => match doc.value::<String>(key, v) {
                Ok(p) => inherits = Some((p, v.span().start)),
                Err(e) => problems.push(e),
            },
            "palette" | "styles" => {
                let Some(table) = v.get_ref().as_table() else {
                    problems.push(doc.error(v.span().start, format!("`{key}` must be a table ([{key}])")));
                    continue;
                };
                for (ek, ev) in table.iter() {
                    let entry: &str = ek.get_ref();
                    let what = format!("{key}.{entry}");
                    if key == "palette" {
                        match doc.value::<String>(&what, ev) {
                            Ok(c) => {
                                own_palette.insert(entry.to_string(), c);
                            }
                            Err(e) => problems.push(e),
                        }
                    } else {
                        match doc.value::<RawStyle>(&what, ev) {
                            Ok(st) => own_styles.push((ev.span().start, entry.to_string(), st)),
                            Err(e) => problems.push(e),
                        }
                    }
                }
            }
            other => problems.push(doc.error(
                k.span().start,
                format!("unknown key `{other}` (known: name, inherits, palette, styles)"),
            )),
        }
    }
    let (mut palette, mut styles) = match inherits {
        Some((parent, at)) if depth < 4 => match resolve(parent.as_str(), dir, problems) {
            Some((psrc, pfile)) => {
                let (p, s, _) = load_raw(&psrc, &pfile, dir, depth + 1, problems);
                (p, s)
            }
            None => {
                problems.push(doc.error(at, format!("`inherits`: unknown theme `{parent}`")));
                (BTreeMap::new(), BTreeMap::new())
            }
        },
        Some((_, at)) => {
            problems.push(doc.error(at, "`inherits`: too deep (a cycle?)"));
            (BTreeMap::new(), BTreeMap::new())
        }
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    palette.extend(own_palette);
    // Validate every reference now, with the style's own position.
    for (at, role, st) in own_styles {
        let bad = [&st.fg, &st.bg]
            .into_iter()
            .flatten()
            .find_map(|c| parse_color(c, &palette, 0).err())
            .or_else(|| st.modifiers.iter().find_map(|m| parse_modifier(m).err()));
        match bad {
            Some(m) => problems.push(doc.error(at, format!("[styles] `{role}`: {m}"))),
            None => {
                styles.insert(role, st);
            }
        }
    }
    (palette, styles, name.unwrap_or_else(|| file.to_string()))
}

/// A theme by name: builtin, or `<dir>/<name>.toml`, or a path.
fn resolve(name: &str, dir: Option<&Path>, problems: &mut Vec<ConfigError>) -> Option<(String, String)> {
    if let Some((_, src)) = BUILTIN.iter().find(|(n, _)| *n == name) {
        return Some((src.to_string(), format!("themes/{name}.toml (built in)")));
    }
    let candidates = [
        dir.map(|d| d.join(format!("{name}.toml"))),
        Some(Path::new(name).to_path_buf()),
    ];
    for p in candidates.into_iter().flatten() {
        match toml_file::read(&p) {
            Ok(Some(src)) => return Some((src, p.display().to_string())),
            Ok(None) => {}
            Err(e) => {
                problems.push(e);
                return None;
            }
        }
    }
    None
}

impl Theme {
    /// Build from a source; `no_color` strips colours. Problems are returned
    /// beside the theme, which applies every entry that was good.
    pub fn from_source(
        src: &str,
        file: &str,
        dir: Option<&Path>,
        no_color: bool,
        ascii: bool,
    ) -> (Theme, Vec<ConfigError>) {
        let mut problems = Vec::new();
        let (palette, raw, name) = load_raw(src, file, dir, 0, &mut problems);
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
        (
            Theme {
                name,
                styles,
                no_color,
                ascii,
            },
            problems,
        )
    }

    /// Load a theme by name (builtin or from the config folder's `themes/`).
    /// Problems are returned beside the theme; an unknown name gives the default.
    pub fn load(name: &str, dir: Option<&Path>, no_color: bool, ascii: bool) -> (Theme, Vec<ConfigError>) {
        let mut problems = Vec::new();
        match resolve(name, dir, &mut problems) {
            Some((src, file)) => {
                let (t, more) = Theme::from_source(&src, &file, dir, no_color, ascii);
                problems.extend(more);
                (t, problems)
            }
            None => {
                problems.push(ConfigError {
                    file: "config.toml".into(),
                    line: 1,
                    column: 1,
                    message: format!("unknown theme `{name}` (built in: default, light, high-contrast); using default"),
                });
                (
                    Theme::from_source(BUILTIN[0].1, "themes/default.toml", None, no_color, ascii).0,
                    problems,
                )
            }
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
