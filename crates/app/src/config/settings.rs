//! The user's `config.toml`: language, keymap, theme, borders, mouse, the
//! default catalogue and the due-date policy. Each key is read on its own: a
//! bad key or value is reported and only that setting keeps its default; the
//! rest of the file applies.

use super::Paths;
use super::toml_file::{self, ConfigError, Doc};
use crate::model::policy::DuePolicy;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default, schemars::JsonSchema)]
pub enum Lang {
    #[serde(rename = "zh-CN", alias = "zh")]
    Zh,
    #[default]
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }
    /// From `LC_ALL`, then `LANG` (zh* → Chinese, anything else → English).
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }
    /// Pick the string for this language.
    pub fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        if self == Lang::Zh { zh } else { en }
    }
    /// The value `language` takes in config.toml.
    pub fn config_value(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub language: Option<Lang>,
    pub keymap: Option<String>,
    pub theme: Option<String>,
    pub ascii_borders: bool,
    pub mouse: bool,
    /// A catalogue file to use instead of the embedded one for new engagements.
    pub catalog: Option<PathBuf>,
    pub policy: DuePolicy,
}

/// The keys `config.toml` understands (for messages and the JSON schema).
pub const KEYS: &[&str] = &[
    "language",
    "keymap",
    "theme",
    "ascii_borders",
    "mouse",
    "catalog",
    "policy",
];
/// The keys of `[policy]`.
pub const POLICY_KEYS: &[&str] = &[
    "response_days",
    "closure_days",
    "major_closure_days",
    "observations_due",
    "major_requires_verification",
    "due_soon_days",
];
/// Day counts a policy may set: up to ten years.
pub const MAX_POLICY_DAYS: i32 = 3650;

impl Settings {
    /// Load `config.toml`. A missing file gives defaults; every problem found
    /// is returned beside the settings that did apply.
    pub fn load(paths: &Paths) -> (Settings, Vec<ConfigError>) {
        let file = paths.config_file();
        match toml_file::read(&file) {
            Ok(None) => (Settings::default(), Vec::new()),
            Ok(Some(src)) => Settings::parse(&src, &file.display().to_string()),
            Err(e) => (Settings::default(), vec![e]),
        }
    }

    /// Parse config text: each key on its own.
    pub fn parse(src: &str, file: &str) -> (Settings, Vec<ConfigError>) {
        let mut s = Settings::default();
        let mut problems = Vec::new();
        let doc = match Doc::parse(src, file) {
            Ok(d) => d,
            Err(e) => return (s, vec![e]),
        };
        for (key, value) in doc.entries() {
            let name = key.get_ref().as_ref();
            let r = match name {
                "language" => doc.value(name, value).map(|v| s.language = Some(v)),
                "keymap" => doc.value(name, value).map(|v| s.keymap = Some(v)),
                "theme" => doc.value(name, value).map(|v| s.theme = Some(v)),
                "ascii_borders" => doc.value(name, value).map(|v| s.ascii_borders = v),
                "mouse" => doc.value(name, value).map(|v| s.mouse = v),
                "catalog" => doc.value(name, value).map(|v| s.catalog = Some(v)),
                "policy" => {
                    s.policy = policy(&doc, value, &mut problems);
                    Ok(())
                }
                other => Err(doc.error(
                    key.span().start,
                    format!("unknown key `{other}` (known: {})", KEYS.join(", ")),
                )),
            };
            if let Err(e) = r {
                problems.push(e);
            }
        }
        (s, problems)
    }

    pub fn lang(&self) -> Lang {
        self.language.unwrap_or_else(Lang::from_env)
    }
}

fn policy(doc: &Doc<'_>, value: &toml::Spanned<toml::de::DeValue<'_>>, problems: &mut Vec<ConfigError>) -> DuePolicy {
    let mut p = DuePolicy::default();
    let Some(table) = value.get_ref().as_table() else {
        problems.push(doc.error(value.span().start, "`policy` must be a table ([policy])"));
        return p;
    };
    for (key, v) in table.iter() {
        let name = key.get_ref().as_ref();
        let days = |slot: &mut i32| -> Result<(), ConfigError> {
            let d: i64 = doc.value(name, v)?;
            if !(0..=i64::from(MAX_POLICY_DAYS)).contains(&d) {
                return Err(doc.error(
                    v.span().start,
                    format!("`policy.{name}` = {d} is out of range (0 to {MAX_POLICY_DAYS} days)"),
                ));
            }
            *slot = d as i32;
            Ok(())
        };
        let r = match name {
            "response_days" => days(&mut p.response_days),
            "closure_days" => days(&mut p.closure_days),
            "major_closure_days" => days(&mut p.major_closure_days),
            "due_soon_days" => days(&mut p.due_soon_days),
            "observations_due" => doc.value(name, v).map(|b| p.observations_due = b),
            "major_requires_verification" => doc.value(name, v).map(|b| p.major_requires_verification = b),
            other => Err(doc.error(
                key.span().start,
                format!("unknown key `policy.{other}` (known: {})", POLICY_KEYS.join(", ")),
            )),
        };
        if let Err(e) = r {
            problems.push(e);
        }
    }
    p
}

/// Remember the language in `config.toml` (the TUI's `L`): only the
/// `language` key is written; comments, order and every other key stay as
/// they are. A file that cannot be read or parsed is left untouched (the
/// error says why). Written to a temporary file, then renamed.
pub fn remember_language(path: &std::path::Path, lang: Lang) -> Result<(), crate::message::Msg> {
    let p = path.display().to_string();
    let text = toml_file::read(path)
        .map_err(|e| {
            let e = e.to_string();
            crate::msg!("language not remembered: {e}", "未能记住语言：{e}")
        })?
        .unwrap_or_default();
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let e = e.to_string();
        crate::msg!(
            "language not remembered: {p} does not parse ({e}); fix it with `cscaudit config check`",
            "未能记住语言：{p} 无法解析（{e}）；可用 `cscaudit config check` 检查"
        )
    })?;
    doc["language"] = toml_edit::value(lang.config_value());
    let io = |e: std::io::Error| {
        let zh = crate::app::io_zh(&e);
        crate::msg!("language not remembered: {p}: {e}", "未能记住语言：{p}：{zh}")
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_falls_back_alone_and_the_rest_applies() {
        let src = "language = \"zh-CN\"\nmouse = \"yes\"\nascii_borders = true\ncolour = 1\n\n[policy]\nclosure_days = 8000000\nresponse_days = 14\n";
        let (s, problems) = Settings::parse(src, "config.toml");
        assert_eq!(s.language, Some(Lang::Zh));
        assert!(s.ascii_borders);
        assert!(!s.mouse, "the bad value keeps the default");
        assert_eq!(s.policy.response_days, 14);
        assert_eq!(s.policy.closure_days, DuePolicy::default().closure_days);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 4, 7], "{problems:?}");
        assert!(problems[0].message.contains("mouse"));
        assert!(problems[1].message.contains("unknown key `colour`"));
        assert!(problems[2].message.contains("out of range"));
    }

    #[test]
    fn garbage_is_one_problem_and_defaults() {
        let (s, problems) = Settings::parse("\u{1}\u{2} this is not toml [[[", "config.toml");
        assert_eq!(problems.len(), 1);
        assert_eq!(s.language, None);
    }

    #[test]
    fn remembering_the_language_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg").join("config.toml");
        // No file yet: created with the one key.
        remember_language(&path, Lang::Zh).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().trim(), "language = \"zh-CN\"");
        let src = "# 我的设置\nlanguage = \"zh-CN\" # 中文\nmouse = true\n\n[policy]\nresponse_days = 14\n";
        std::fs::write(&path, src).unwrap();
        remember_language(&path, Lang::En).unwrap();
        let out = std::fs::read_to_string(&path).unwrap();
        assert!(out.starts_with("# 我的设置\n"), "{out}");
        assert!(
            out.contains("mouse = true") && out.contains("response_days = 14"),
            "{out}"
        );
        let (s, problems) = Settings::parse(&out, "config.toml");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.language, Some(Lang::En));
        // A file that does not parse is left as it is.
        std::fs::write(&path, "language = [broken").unwrap();
        let err = remember_language(&path, Lang::Zh).unwrap_err();
        assert!(err.get(Lang::En).contains("does not parse"), "{}", err.get(Lang::En));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "language = [broken");
    }
}
