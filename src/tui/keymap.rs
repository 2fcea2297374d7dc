//! Keymaps: TOML files with a section per context and `key = "command"`.
//! The chosen base (`keymaps/default.toml` or `keymaps/emacs.toml`, embedded)
//! is loaded first; the user's `keymap.toml` lists only changes and is layered
//! over it. Any problem names file:line and the app continues with defaults.

use super::commands::{Cmd, KeyContext, by_name};
use crate::config::ConfigError;
use crate::config::toml_file::Doc;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const EMACS: &str = include_str!("../../keymaps/emacs.toml");

/// The embedded keymaps by name.
pub fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(DEFAULT),
        "emacs" => Some(EMACS),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Ord for Chord {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Chord {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Chord {
    /// A cheap total order (crossterm's key types are not `Ord`).
    fn sort_key(&self) -> (u8, u32, u8) {
        let (kind, v) = match self.code {
            KeyCode::Char(c) => (0, c as u32),
            KeyCode::F(n) => (1, u32::from(n)),
            KeyCode::Enter => (2, 0),
            KeyCode::Esc => (2, 1),
            KeyCode::Tab => (2, 2),
            KeyCode::BackTab => (2, 3),
            KeyCode::Backspace => (2, 4),
            KeyCode::Delete => (2, 5),
            KeyCode::Up => (2, 6),
            KeyCode::Down => (2, 7),
            KeyCode::Left => (2, 8),
            KeyCode::Right => (2, 9),
            KeyCode::Home => (2, 10),
            KeyCode::End => (2, 11),
            KeyCode::PageUp => (2, 12),
            KeyCode::PageDown => (2, 13),
            _ => (3, 0),
        };
        (kind, v, self.mods.bits())
    }

    pub fn from_event(k: &KeyEvent) -> Chord {
        let mut mods = k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match k.code {
            // Shift is part of the character itself.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                    c.to_ascii_lowercase()
                } else {
                    c
                })
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Chord { code, mods }
    }

    /// Parse `ctrl-p`, `C-p`, `alt-x`, `M-x`, `shift-tab`, `enter`, `G`, `?`.
    pub fn parse(s: &str) -> Result<Chord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let strip = ["ctrl-", "c-", "alt-", "a-", "m-", "meta-", "shift-", "s-"]
                .iter()
                .find(|p| lower.starts_with(**p) && rest.len() > p.len());
            match strip {
                Some(p) => {
                    mods |= match *p {
                        "ctrl-" | "c-" => KeyModifiers::CONTROL,
                        "alt-" | "a-" | "m-" | "meta-" => KeyModifiers::ALT,
                        _ => KeyModifiers::SHIFT,
                    };
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "enter" | "ret" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" | "spc" => KeyCode::Char(' '),
            "backspace" | "bs" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "minus" => KeyCode::Char('-'),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                            mods.remove(KeyModifiers::SHIFT);
                            KeyCode::Char(c.to_ascii_uppercase())
                        } else if mods.contains(KeyModifiers::CONTROL) {
                            KeyCode::Char(c.to_ascii_lowercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => return Err(format!("unknown key `{s}`")),
                }
            }
        };
        Ok(Chord { code, mods })
    }

    pub fn display(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("M-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            s.push_str("S-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::Enter => s.push_str("Enter"),
            KeyCode::Esc => s.push_str("Esc"),
            KeyCode::Tab => s.push_str("Tab"),
            KeyCode::BackTab => s.push_str("S-Tab"),
            KeyCode::Backspace => s.push_str("Bksp"),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::Home => s.push_str("Home"),
            KeyCode::End => s.push_str("End"),
            KeyCode::PageUp => s.push_str("PgUp"),
            KeyCode::PageDown => s.push_str("PgDn"),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            other => s.push_str(&format!("{other:?}")),
        }
        s
    }
}

pub type Seq = Vec<Chord>;

pub fn display_seq(seq: &[Chord]) -> String {
    seq.iter().map(Chord::display).collect::<Vec<_>>().join(" ")
}

/// Result of looking up pressed keys.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    Command(Cmd),
    /// The keys so far start one or more sequences.
    Prefix(Vec<(Seq, Cmd)>),
    None,
}

#[derive(Clone, Debug, Default)]
pub struct Keymap {
    pub bindings: HashMap<KeyContext, BTreeMap<Seq, Cmd>>,
    /// Where each layer came from (for `config check`).
    pub sources: Vec<String>,
}

/// One parsed file: bindings per context (`None` command = unbind).
type Layer = Vec<(KeyContext, Seq, Option<Cmd>)>;

/// Parse one keymap file. Every good binding is returned, with a located
/// problem for each bad one (the rest of the file still applies).
pub fn parse_layer(src: &str, file: &str) -> (Layer, Vec<ConfigError>) {
    let doc = match Doc::parse(src, file) {
        Ok(d) => d,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut errors = Vec::new();
    let mut layer = Vec::new();
    for (section_key, value) in doc.entries() {
        let section: &str = section_key.get_ref();
        let Some(ctx) = KeyContext::from_name(section) else {
            errors.push(doc.error(
                section_key.span().start,
                format!(
                    "unknown section [{section}] (known: {})",
                    KeyContext::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        };
        let Some(entries) = value.get_ref().as_table() else {
            errors.push(doc.error(
                value.span().start,
                format!("[{section}] must be a table of key = \"command\""),
            ));
            continue;
        };
        let mut seen: HashMap<Seq, String> = HashMap::new();
        for (k, cmd) in entries.iter() {
            let key: &str = k.get_ref();
            let at = k.span().start;
            let seq: Result<Seq, String> = key.split_whitespace().map(Chord::parse).collect();
            let seq = match seq {
                Ok(s) if !s.is_empty() => s,
                Ok(_) => {
                    errors.push(doc.error(at, "empty key"));
                    continue;
                }
                Err(e) => {
                    errors.push(doc.error(at, format!("[{section}] {e}")));
                    continue;
                }
            };
            let Some(name) = cmd.get_ref().as_str() else {
                errors.push(doc.error(
                    cmd.span().start,
                    format!("[{section}] `{key}` must name a command as a string"),
                ));
                continue;
            };
            let command = if name == "none" {
                None
            } else {
                match by_name(name) {
                    Some(c) => Some(c),
                    None => {
                        errors.push(doc.error(
                            cmd.span().start,
                            format!("[{section}] `{key}`: unknown command `{name}`"),
                        ));
                        continue;
                    }
                }
            };
            if let Some(prev) = seen.insert(seq.clone(), key.to_string()) {
                errors.push(doc.error(
                    at,
                    format!("[{section}] `{key}` is the same key as `{prev}` (duplicate binding)"),
                ));
                continue;
            }
            layer.push((ctx, seq, command));
        }
    }
    (layer, errors)
}

impl Keymap {
    fn apply(&mut self, layer: Layer) {
        for (ctx, seq, cmd) in layer {
            let map = self.bindings.entry(ctx).or_default();
            match cmd {
                Some(c) => {
                    map.insert(seq, c);
                }
                None => {
                    map.remove(&seq);
                }
            }
        }
    }

    /// A sequence bound in a context must not also be the prefix of another.
    fn check_prefixes(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (ctx, map) in &self.bindings {
            for a in map.keys() {
                for b in map.keys() {
                    if a.len() < b.len() && b.starts_with(a) {
                        out.push(format!(
                            "[{}] `{}` is a prefix of `{}`",
                            ctx.name(),
                            display_seq(a),
                            display_seq(b)
                        ));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Load the base keymap by name and layer the user's file over it.
    /// Returns the keymap and every problem found (the app shows them and goes on).
    pub fn load(base: &str, user_file: Option<&Path>) -> (Keymap, Vec<ConfigError>) {
        let mut problems = Vec::new();
        let mut km = Keymap::default();
        let (base_src, base_name) = match builtin(base) {
            Some(src) => (src, format!("keymaps/{base}.toml (built in)")),
            None => {
                problems.push(ConfigError {
                    file: "config.toml".into(),
                    line: 1,
                    column: 1,
                    message: format!("unknown keymap `{base}` (built in: default, emacs); using default"),
                });
                (DEFAULT, "keymaps/default.toml (built in)".to_string())
            }
        };
        let (layer, errs) = parse_layer(base_src, &base_name);
        if errs.is_empty() {
            km.apply(layer);
        } else {
            problems.extend(errs);
            km.apply(parse_layer(DEFAULT, "keymaps/default.toml").0);
        }
        km.sources.push(base_name);
        if let Some(path) = user_file {
            let file = path.display().to_string();
            match crate::config::toml_file::read(path) {
                Ok(None) => {}
                Err(e) => problems.push(e),
                Ok(Some(src)) => {
                    let (layer, errs) = parse_layer(&src, &file);
                    problems.extend(errs);
                    let mut candidate = km.clone();
                    candidate.apply(layer);
                    let prefix = candidate.check_prefixes();
                    if prefix.is_empty() {
                        candidate.sources.push(file.clone());
                        km = candidate;
                    } else {
                        problems.extend(prefix.into_iter().map(|m| ConfigError {
                            file: file.clone(),
                            line: 1,
                            column: 1,
                            message: m,
                        }));
                    }
                    // Never leave the user without a way out: quit, help and the
                    // palette keep their default keys if a file unbinds them all.
                    for cmd in [Cmd::Quit, Cmd::Help, Cmd::Palette] {
                        if km.keys_for(KeyContext::Global, cmd).is_empty() {
                            let name = crate::tui::commands::COMMANDS
                                .iter()
                                .find(|c| c.cmd == cmd)
                                .map_or("?", |c| c.name);
                            for (ctx, seq, c) in parse_layer(DEFAULT, "keymaps/default.toml").0 {
                                if ctx == KeyContext::Global && c == Some(cmd) {
                                    km.bindings.entry(ctx).or_default().insert(seq, cmd);
                                }
                            }
                            problems.push(ConfigError {
                                file: file.clone(),
                                line: 1,
                                column: 1,
                                message: format!("`{name}` had no key left; its default key is kept"),
                            });
                        }
                    }
                }
            }
        }
        (km, problems)
    }

    /// Look up pressed keys in the context, falling back to [global].
    pub fn lookup(&self, ctx: KeyContext, keys: &[Chord]) -> Lookup {
        let layers = [ctx, KeyContext::Global];
        for c in layers {
            if let Some(cmd) = self.bindings.get(&c).and_then(|m| m.get(keys)) {
                return Lookup::Command(*cmd);
            }
        }
        let mut next: Vec<(Seq, Cmd)> = Vec::new();
        for c in layers {
            if let Some(m) = self.bindings.get(&c) {
                for (seq, cmd) in m {
                    if seq.len() > keys.len() && seq.starts_with(keys) {
                        next.push((seq.clone(), *cmd));
                    }
                }
            }
        }
        if next.is_empty() {
            Lookup::None
        } else {
            Lookup::Prefix(next)
        }
    }

    /// The keys bound to a command in a context (or global), for help and hints.
    pub fn keys_for(&self, ctx: KeyContext, cmd: Cmd) -> Vec<String> {
        let mut seqs: Vec<&Seq> = Vec::new();
        for c in [ctx, KeyContext::Global] {
            if let Some(m) = self.bindings.get(&c) {
                for (seq, bound) in m {
                    // A context binding shadows the same keys in [global].
                    let shadowed = c == KeyContext::Global
                        && ctx != KeyContext::Global
                        && self.bindings.get(&ctx).is_some_and(|cm| cm.contains_key(seq));
                    if *bound == cmd && !shadowed {
                        seqs.push(seq);
                    }
                }
            }
        }
        // Plain keys first, then shorter sequences.
        seqs.sort_by_key(|s| {
            (
                s.iter().any(|c| !c.mods.is_empty()),
                s.len(),
                matches!(s[0].code, KeyCode::Char(_)) as u8 ^ 1,
            )
        });
        let mut out: Vec<String> = seqs.into_iter().map(|s| display_seq(s)).collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_parse_and_normalise() {
        assert_eq!(Chord::parse("ctrl-p").unwrap(), Chord::parse("C-p").unwrap());
        assert_eq!(Chord::parse("C-P").unwrap(), Chord::parse("ctrl-p").unwrap());
        assert_eq!(Chord::parse("shift-tab").unwrap().code, KeyCode::BackTab);
        assert_eq!(
            Chord::parse("G").unwrap(),
            Chord {
                code: KeyCode::Char('G'),
                mods: KeyModifiers::NONE
            }
        );
        assert_eq!(Chord::parse("shift-g").unwrap(), Chord::parse("G").unwrap());
        assert!(Chord::parse("hyper-x").is_err());
        assert!(Chord::parse("f13").is_err());
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Chord::from_event(&ev), Chord::parse("G").unwrap());
    }

    #[test]
    fn builtin_keymaps_load_without_problems() {
        for name in ["default", "emacs"] {
            let (km, problems) = Keymap::load(name, None);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            assert!(km.check_prefixes().is_empty(), "{name}");
            assert_eq!(
                km.lookup(KeyContext::Checklist, &[Chord::parse("ctrl-c").unwrap()]),
                Lookup::Command(Cmd::Quit)
            );
        }
    }
}
