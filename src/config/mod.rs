//! Paths and settings: where the data, config and demo folders are, and the
//! user's `config.toml` (language, keymap, theme, due-date policy).
//!
//! Config is read before anything else happens; a bad file is reported with
//! file:line:column and the app continues with defaults.

use crate::model::catalog::{self, Catalog, CatalogError};
use crate::model::policy::DuePolicy;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// Resolve folders: explicit `data_dir` (from `--data-dir` or
    /// `CSCAUDIT_DATA_DIR`), else the platform data folder; config from
    /// `CSCAUDIT_CONFIG_DIR`, else the platform config folder.
    pub fn resolve(data_dir: Option<PathBuf>) -> Paths {
        let dirs = directories::ProjectDirs::from("org", "cscaudit", "cscaudit");
        let config_dir = std::env::var_os("CSCAUDIT_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from(".cscaudit/config"));
        let data_dir = data_dir
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from(".cscaudit/data"));
        Paths { config_dir, data_dir }
    }

    /// The demo's own folder, beside the user's data so a demo never mixes with real work.
    pub fn demo_dir(&self) -> PathBuf {
        let name = self
            .data_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "cscaudit".into());
        self.data_dir.with_file_name(format!("{name}-demo"))
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
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
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

/// A config problem located in its file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub fn toml_error(src: &str, file: &Path, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start).min(src.len());
    let before = &src[..offset];
    ConfigError {
        file: file.display().to_string(),
        line: before.matches('\n').count() + 1,
        column: before
            .rfind('\n')
            .map_or(before.chars().count(), |p| before[p + 1..].chars().count())
            + 1,
        message: catalog::name_field(src, offset, e.message().trim()),
    }
}

impl Settings {
    /// Load `config.toml`; a missing file gives defaults, a bad one gives
    /// defaults plus the error to report.
    pub fn load(paths: &Paths) -> (Settings, Option<ConfigError>) {
        let file = paths.config_file();
        let Ok(src) = std::fs::read_to_string(&file) else {
            return (Settings::default(), None);
        };
        match toml::from_str::<Settings>(&src) {
            Ok(s) => (s, None),
            Err(e) => (Settings::default(), Some(toml_error(&src, &file, &e))),
        }
    }
    pub fn lang(&self) -> Lang {
        self.language.unwrap_or_else(Lang::from_env)
    }
}

impl Paths {
    /// Catalogue files the user keeps in `<config>/catalogs/*.toml`.
    pub fn user_catalogs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.config_dir.join("catalogs"))
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// A catalogue named by path, or by id among the user's catalogue files.
    pub fn find_catalog(&self, path_or_id: &Path) -> Option<PathBuf> {
        if path_or_id.is_file() {
            return Some(path_or_id.to_path_buf());
        }
        let id = path_or_id.to_string_lossy();
        self.user_catalogs().into_iter().find(|p| {
            p.file_stem().is_some_and(|s| s.to_string_lossy() == id) || load_catalog_file(p).is_ok_and(|c| c.id == id)
        })
    }
}

/// Load a catalogue file from disk with located errors.
pub fn load_catalog_file(path: &Path) -> Result<Catalog, CatalogError> {
    let src = std::fs::read_to_string(path).map_err(|e| CatalogError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read file: {e}"),
    })?;
    catalog::parse(&src, &path.display().to_string())
}
