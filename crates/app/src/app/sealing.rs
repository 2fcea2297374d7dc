//! Encryption to the team (`crate::crypto::seal`): who an engagement's
//! bundles and sync files are sealed to, and the keys this copy opens them with.

use super::{App, AppError, Result};
use crate::crypto::seal::{Opener, Recipient, To, recipient};

fn refused(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

impl App {
    /// Every member's registered key, and yours; refused when a member has
    /// none (they could not open what is sealed).
    pub fn team_recipients(&self, engagement: &str) -> Result<Vec<Recipient>> {
        let mut out: Vec<Recipient> = Vec::new();
        let mut keyless = Vec::new();
        for m in self.team(engagement)? {
            // Who left gets nothing new.
            if m.has_left() {
                continue;
            }
            match m.key.as_deref().filter(|k| !k.trim().is_empty()) {
                Some(k) => {
                    let r = recipient(k).map_err(|e| {
                        let (a, e) = (
                            crate::text::visible(&m.actor).into_owned(),
                            crate::text::visible(&e).into_owned(),
                        );
                        refused(
                            format!("{a}'s registered key cannot be encrypted to: {e}"),
                            format!("{a} 登记的密钥无法用于加密：{e}"),
                        )
                    })?;
                    out.push(r);
                }
                None => keyless.push(crate::text::visible(&m.actor).into_owned()),
            }
        }
        if !keyless.is_empty() {
            let (who, e) = (keyless.join(", "), crate::text::visible(engagement).into_owned());
            return Err(refused(
                format!(
                    "{who} of {e} has no registered key and could not open it: register their key (`cscaudit engagement member-key`) or name the recipients (--recipient)"
                ),
                format!(
                    "{e} 的成员 {who} 没有登记密钥，将无法打开：请登记其密钥（`cscaudit engagement member-key`）或指定接收者（--recipient）"
                ),
            ));
        }
        if let Some(k) = self.signing_key() {
            out.push(recipient(&k.public_openssh()).map_err(|e| refused(e.clone(), e))?);
        }
        out.sort_by(|a, b| a.text.cmp(&b.text));
        out.dedup_by(|a, b| a.text == b.text);
        Ok(out)
    }

    /// Who an export is sealed to: the given recipients (ssh-ed25519 lines,
    /// `age1…` keys, or `.pub` files), else the whole team; or a passphrase.
    pub fn export_recipients(&self, engagement: &str, given: &[String], passphrase: bool) -> Result<To> {
        if passphrase {
            if !given.is_empty() {
                return Err(refused(
                    "encrypt to recipients or to a passphrase, not both".into(),
                    "请加密给接收者或使用口令，二者不能同时使用".into(),
                ));
            }
            let p = (self.asker())("passphrase / 口令").ok_or_else(|| {
                refused(
                    "no passphrase given (type it, or set CSCAUDIT_PASSPHRASE)".into(),
                    "未提供口令（请输入，或设置 CSCAUDIT_PASSPHRASE）".into(),
                )
            })?;
            return Ok(To::Passphrase(p));
        }
        if given.is_empty() {
            return Ok(To::Recipients(self.team_recipients(engagement)?));
        }
        let mut out = Vec::new();
        for g in given {
            let text = if std::path::Path::new(g).is_file() {
                std::fs::read_to_string(g).map_err(|source| AppError::Io { path: g.into(), source })?
            } else {
                g.clone()
            };
            let r = recipient(&text).map_err(|e| {
                let (g, e) = (
                    crate::text::visible(g).into_owned(),
                    crate::text::visible(&e).into_owned(),
                );
                refused(format!("recipient `{g}`: {e}"), format!("接收者 `{g}`：{e}"))
            })?;
            out.push(r);
        }
        Ok(To::Recipients(out))
    }

    /// The keys this copy opens encrypted bundles and sync files with: your
    /// identity's key (and a passphrase, asked when a file needs one).
    pub fn opener(&self) -> Result<Opener> {
        Ok(self.key_opener()?.with_passphrase_files())
    }

    /// Your identity's key only (sync: never asks for a passphrase).
    pub fn key_opener(&self) -> Result<Opener> {
        let o = Opener::default().asking(Some(self.asker()));
        let Some(k) = self.signing_key() else {
            return Ok(o);
        };
        let r = match k.private_openssh() {
            Some(text) => o.with_key_text(&text, Some(k.path())),
            None => o.with_key_file(k.path()),
        };
        r.map_err(|e| {
            let e = crate::text::visible(&e).into_owned();
            refused(
                format!("your key cannot decrypt: {e}"),
                format!("您的密钥无法解密：{e}"),
            )
        })
    }
}
