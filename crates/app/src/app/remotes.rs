//! Git remotes a copy syncs with (`cscaudit remote …`), and what sync needs
//! from the store: its bookkeeping and the evidence folder.

use super::{App, AppError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The rules a gitolite server needs so that it enforces what the signed
/// member list says: every member with a registered key may read the
/// repository and push to their own ref of the engagement (and of its
/// programme) only, never rewinding or deleting it. Members who left and
/// members without a key get no access and are named in comments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitoliteConf {
    /// The `conf/…` text, with a header that says how to install it.
    pub conf: String,
    /// `keydir` files: (`<actor>.pub`, the key's one line).
    pub keys: Vec<(String, String)>,
}

/// gitolite's own patterns for user and repository names (Gitolite::Rc
/// `USERNAME_PATT`, `REPONAME_PATT`): a letter or digit, then letters,
/// digits and `-._@+` (and `/` in a repository name).
fn gitolite_name(s: &str, repo: bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@' | '+') || (repo && c == '/'))
        && !(repo && (s.contains("..") || s.ends_with('/')))
}

/// User names gitolite gives a meaning of its own: `daemon` exports a
/// repository to git-daemon (anonymous reading), `gitweb` shows it.
const GITOLITE_RESERVED: &[&str] = &["daemon", "gitweb", "all", "CREATOR", "WRITERS", "READERS"];

/// A literal as a gitolite refex (a Perl regex matched from the start):
/// `.` and `+` escaped, and `USER` (which gitolite replaces with the
/// pushing user's name) written so it is not recognised.
fn refex_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '.' | '+') {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("USER", "[U]SER")
}

/// A member id as a comment may show it: only what a gitolite name may
/// hold (a record's text never reaches the file as it is).
fn shown_id(s: &str) -> String {
    if gitolite_name(s, false) {
        s.to_string()
    } else {
        format!("(an id gitolite cannot use: {})", hex::encode(s.as_bytes()))
    }
}

impl App {
    /// The gitolite rules for `engagement`'s team (see [`GitoliteConf`]),
    /// for the repository `repo` on the server.
    pub fn gitolite_conf(&self, engagement: &str, repo: &str) -> Result<GitoliteConf> {
        let eng = self.engagement(engagement)?;
        if !gitolite_name(repo, true) {
            let shown = crate::text::visible(repo).into_owned();
            return Err(AppError::Invalid(crate::msg!(
                "`{shown}` is not a gitolite repository name (letters, digits, `-._@+/`, starting with a letter or digit)",
                "`{shown}` 不是 gitolite 仓库名（字母、数字、`-._@+/`，以字母或数字开头）"
            )));
        }
        let mut scopes = vec![(eng.id.clone(), self.team(&eng.id)?)];
        if let Some(p) = eng.programme.as_deref().filter(|p| !p.is_empty())
            && self.is_programme(p)?
        {
            scopes.push((p.to_string(), self.team(p)?));
        }
        let mut readers: Vec<String> = Vec::new();
        let mut rules: Vec<(String, String)> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        for (scope, team) in &scopes {
            if !gitolite_name(scope, false) {
                let scope = crate::text::visible(scope).into_owned();
                return Err(AppError::Invalid(crate::msg!(
                    "`{scope}` cannot be named in gitolite rules (a letter or digit first, then letters, digits, `-._@+`)",
                    "`{scope}` 无法写入 gitolite 规则（须以字母或数字开头，其后为字母、数字、`-._@+`）"
                )));
            }
            for m in team {
                let who = &m.actor;
                if m.has_left() {
                    let shown = shown_id(who);
                    notes.push(format!("# {shown}: left the team of {scope} (no access)"));
                    continue;
                }
                let Some(line) = m.key.as_deref().filter(|k| !k.trim().is_empty()) else {
                    let shown = shown_id(who);
                    notes.push(format!(
                        "# {shown}: no registered key in {scope} (no access until the lead registers one)"
                    ));
                    continue;
                };
                if !gitolite_name(who, false) || GITOLITE_RESERVED.contains(&who.as_str()) {
                    let who = crate::text::visible(who).into_owned();
                    return Err(AppError::Invalid(crate::msg!(
                        "the member `{who}` of {scope} cannot be a gitolite user (a letter or digit first, then letters, digits, `-._@+`; not daemon, gitweb or all)",
                        "{scope} 的成员 `{who}` 不能作为 gitolite 用户（须以字母或数字开头，其后为字母、数字、`-._@+`；不能是 daemon、gitweb 或 all）"
                    )));
                }
                // Written again from the parsed key: one line, the actor as
                // its comment, nothing of the record's text beside it.
                let key = ssh_key::PublicKey::from_openssh(line.trim())
                    .ok()
                    .and_then(|mut k| {
                        k.set_comment(who.as_str());
                        k.to_openssh().ok()
                    })
                    .ok_or_else(|| {
                        AppError::Invalid(crate::msg!(
                            "the registered key of `{who}` in {scope} is not an OpenSSH public key",
                            "{scope} 中 `{who}` 的登记密钥不是 OpenSSH 公钥"
                        ))
                    })?;
                if let Some(other) = keys.get(who)
                    && *other != key
                {
                    let first = &eng.id;
                    return Err(AppError::Invalid(crate::msg!(
                        "`{who}` has one key in {first} and another in {scope}: gitolite takes one key per user; register the same key in both",
                        "`{who}` 在 {first} 与 {scope} 中登记的密钥不同：gitolite 每个用户一把密钥；请在两处登记同一把密钥"
                    )));
                }
                keys.insert(who.clone(), key);
                if !readers.contains(who) {
                    readers.push(who.clone());
                }
                rules.push((
                    format!("refs/cscaudit/{}/{}$", refex_literal(scope), refex_literal(who)),
                    who.clone(),
                ));
            }
        }
        let width = rules.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
        let mut conf = String::new();
        conf.push_str(&format!(
            "# cscaudit: who may push what for engagement {}, from its signed member list.\n",
            eng.id
        ));
        conf.push_str("# Each member may push only their own ref (no rewind, no delete) and read the repository.\n");
        conf.push_str(&format!(
            "# Install in the gitolite-admin repository: this file as conf/cscaudit/{}.conf,\n",
            eng.id
        ));
        conf.push_str("# `include \"cscaudit/*.conf\"` once in conf/gitolite.conf, the keys (--keydir) in keydir/.\n");
        for n in &notes {
            conf.push_str(n);
            conf.push('\n');
        }
        conf.push_str(&format!("repo {repo}\n"));
        if !readers.is_empty() {
            conf.push_str(&format!("    {:<4}{:<width$}  =   {}\n", "R", "", readers.join(" ")));
        }
        for (refex, who) in &rules {
            conf.push_str(&format!("    {:<4}{refex:<width$}  =   {who}\n", "RW"));
        }
        Ok(GitoliteConf {
            conf,
            keys: keys
                .into_iter()
                .map(|(who, key)| (format!("{who}.pub"), format!("{key}\n")))
                .collect(),
        })
    }
}
