//! Paths and settings: where the data, config and demo folders are, and the
//! user's `config.toml` (language, keymap, theme, due-date policy).
//!
//! Config is read before anything else happens; a bad file is reported with
//! file:line:column and the app continues with defaults.

pub mod body;
mod catalog;
pub mod schema;
mod settings;
pub mod toml_file;

pub use catalog::{CatalogError, embedded_catalog, load_catalog_file, load_catalog_source, parse_catalog};
pub use settings::{Lang, Settings, remember_language};
pub use toml_file::ConfigError;

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
