//! Git remotes a copy syncs with (`cscaudit remote …`), and what sync needs
//! from the store: its bookkeeping and the evidence folder.

use super::{App, AppError, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub name: String,
    pub url: String,
    /// Everything sync writes there is encrypted to the team (age).
    pub encrypted: bool,
}

/// As stored (`meta/remotes`); which remotes are encrypted is kept beside
/// it (`meta/remotes/encrypted`), so databases from before keep reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    name: String,
    url: String,
}

impl App {
    pub fn remotes(&self) -> Result<Vec<Remote>> {
        let sealed = self
            .store()
            .meta_get::<Vec<String>>("remotes/encrypted")?
            .unwrap_or_default();
        Ok(self
            .store()
            .meta_get::<Vec<Stored>>("remotes")?
            .unwrap_or_default()
            .into_iter()
            .map(|s| Remote {
                encrypted: sealed.contains(&s.name),
                name: s.name,
                url: s.url,
            })
            .collect())
    }

    fn store_remotes(&self, all: &[Remote]) -> Result<()> {
        let stored: Vec<Stored> = all
            .iter()
            .map(|r| Stored {
                name: r.name.clone(),
                url: r.url.clone(),
            })
            .collect();
        let sealed: Vec<String> = all.iter().filter(|r| r.encrypted).map(|r| r.name.clone()).collect();
        self.store().meta_set("remotes/encrypted", &sealed)?;
        self.store().meta_set("remotes", &stored)?;
        Ok(())
    }

    /// Add a remote (a git URL: a path, file://, ssh://, user@host:path,
    /// https://); `encrypted`: what sync writes there is sealed to the team.
    pub fn add_remote(&self, name: &str, url: &str, encrypted: bool) -> Result<Remote> {
        super::validate_actor(name).map_err(|_| {
            AppError::Invalid(crate::msg!(
                "remote name `{name}` may use letters, digits, `.`, `-`, `_` only",
                "远程仓库名 `{name}` 只能使用字母、数字、`.`、`-`、`_`"
            ))
        })?;
        let url = url.trim();
        if url.is_empty() || url.starts_with('-') || url.chars().any(char::is_control) {
            let shown = crate::text::visible(url).into_owned();
            return Err(AppError::Invalid(crate::msg!(
                "`{shown}` is not a git URL",
                "`{shown}` 不是 git 地址"
            )));
        }
        let mut all = self.remotes()?;
        if all.iter().any(|r| r.name == name) {
            return Err(AppError::Invalid(crate::msg!(
                "a remote `{name}` exists already (`cscaudit remote remove {name}` first)",
                "远程仓库 `{name}` 已存在（请先 `cscaudit remote remove {name}`）"
            )));
        }
        let r = Remote {
            name: name.into(),
            url: url.into(),
            encrypted,
        };
        all.push(r.clone());
        self.store_remotes(&all)?;
        Ok(r)
    }

    pub fn remove_remote(&self, name: &str) -> Result<()> {
        let mut all = self.remotes()?;
        let before = all.len();
        all.retain(|r| r.name != name);
        if all.len() == before {
            return Err(AppError::NotFound {
                what: "remote",
                id: name.to_string(),
            });
        }
        self.store_remotes(&all)
    }

    /// The data folder (sync keeps its git repository there).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// Put an evidence file's bytes into the evidence folder, checking they
    /// are what `sha256` names. `false` when it was there already.
    pub fn put_evidence_blob(&self, sha256: &str, bytes: &[u8]) -> Result<bool> {
        if self.evidence_path(sha256).is_file() {
            return Ok(false);
        }
        let got = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        if got != sha256 {
            return Err(AppError::Invalid(crate::msg!(
                "an evidence file named {sha256} holds other bytes (altered)",
                "名为 {sha256} 的证据文件内容不符（已被改动）"
            )));
        }
        self.store().put_blob(bytes)?;
        Ok(true)
    }

    /// Settings read raw from another database (`doctor --rebuild`).
    pub(crate) fn carry_settings(&self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        Ok(self.store().meta_put_raw(entries)?)
    }

    /// Sync's bookkeeping: the last commit merged from each remote ref, and
    /// which operations a remote holds.
    pub fn sync_state<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        Ok(self.store().meta_get::<T>(&format!("sync/{key}"))?)
    }

    pub fn set_sync_state<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        Ok(self.store().meta_set(&format!("sync/{key}"), value)?)
    }
}
