//! Personal data never stored raw: customer ids and phone numbers in a
//! centre's records are replaced by a keyed hash, HMAC-SHA-256 with one key
//! per engagement, before a file is kept or passed on. The same customer
//! gives the same pseudonym across every file of the engagement, so
//! repeat-contact measures (first-contact resolution within N days) stay
//! computable, and nobody without the key can test a guessed number.
//!
//! The key is made on first use and kept in this copy's database only:
//! never in a bundle, never on a remote. A teammate gets it only when asked,
//! in a file encrypted to the team's registered keys
//! (`cscaudit pseudonym export-key`, `import-key`).

use super::{App, AppError, Result};
use crate::analytics::records::{self, Layout, Reading, Rows};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::path::Path;

/// The sealed key file's first line.
const KEY_FILE: &str = "cscaudit-pseudonym-key/1";

fn invalid(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

fn meta_key(engagement: &str) -> String {
    format!("pseudonym/{engagement}")
}

/// A key's fingerprint: the first 16 hex digits of its SHA-256 (to compare
/// two copies' keys without showing them).
pub fn fingerprint(key: &[u8; 32]) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(key)[..8])
}

/// A value as it is keyed: trimmed; a phone number without its spaces,
/// dashes and brackets and without a +86 / 0086 country prefix (so
/// `+86 138-0013-8000` and `13800138000` are one customer).
pub fn normalise(v: &str) -> String {
    let t = v.trim();
    let phone_like = !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if !phone_like {
        return t.to_string();
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    for prefix in ["+86", "0086"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == 11
        {
            return rest.to_string();
        }
    }
    digits
}

/// The pseudonym of one value: `p:` and 32 hex digits (128 bits of the
/// HMAC); an empty value stays empty.
pub fn pseudonym(key: &[u8; 32], value: &str) -> String {
    let v = normalise(value);
    if v.is_empty() {
        return String::new();
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(v.as_bytes());
    format!("p:{}", hex::encode(&mac.finalize().into_bytes()[..16]))
}

/// What `pseudonymise` did.
#[derive(Clone, Debug, Serialize)]
pub struct Pseudonymised {
    pub engagement: String,
    /// The key's fingerprint (not the key).
    pub key: String,
    pub columns: Vec<String>,
    /// Rows written, values replaced.
    pub rows: u64,
    pub replaced: u64,
    /// The input as read (its hash, rows that could not be read and were
    /// left out, by line).
    pub input: Reading,
    pub out: String,
}

struct Replace<W: std::io::Write> {
    out: csv::Writer<W>,
    key: [u8; 32],
    names: Vec<String>,
    at: Vec<usize>,
    rows: u64,
    replaced: u64,
    row: Vec<String>,
}

impl<W: std::io::Write> Rows for Replace<W> {
    fn header(&mut self, _file: &str, header: &csv::StringRecord) -> std::result::Result<Vec<String>, String> {
        let h = records::Header::new(header, false);
        self.at = self
            .names
            .iter()
            .map(|n| h.need(n))
            .collect::<std::result::Result<_, _>>()?;
        self.out.write_record(header).map_err(|e| e.to_string())?;
        Ok(Vec::new())
    }
    fn row(&mut self, rec: &csv::StringRecord) -> std::result::Result<(), String> {
        self.row.clear();
        self.row.extend(rec.iter().map(str::to_string));
        for &i in &self.at {
            if let Some(v) = self.row.get_mut(i)
                && !v.trim().is_empty()
            {
                *v = pseudonym(&self.key, v);
                self.replaced += 1;
            }
        }
        self.out.write_record(&self.row).map_err(|e| e.to_string())?;
        self.rows += 1;
        Ok(())
    }
}

impl App {
    /// The engagement's pseudonym key, made (32 random bytes) on first use.
    pub fn pseudonym_key(&self, engagement: &str) -> Result<[u8; 32]> {
        self.engagement(engagement)?;
        if let Some(k) = self.store().meta_get::<[u8; 32]>(&meta_key(engagement))? {
            return Ok(k);
        }
        let k: [u8; 32] = rand::random();
        self.store().meta_set(&meta_key(engagement), &k)?;
        Ok(k)
    }

    /// The key's fingerprint, if this copy holds one.
    pub fn pseudonym_fingerprint(&self, engagement: &str) -> Result<Option<String>> {
        Ok(self
            .store()
            .meta_get::<[u8; 32]>(&meta_key(engagement))?
            .map(|k| fingerprint(&k)))
    }

    /// Write a copy of a CSV with `columns` replaced by their pseudonyms
    /// (UTF-8, the same separator). Nothing is written when a column is
    /// missing or no row reads; the output is written beside and renamed
    /// into place, so a failure leaves no half file.
    pub fn pseudonymise(
        &self,
        engagement: &str,
        input: &Path,
        columns: &[String],
        delimiter: &str,
        encoding: Option<&str>,
        out: &Path,
    ) -> Result<Pseudonymised> {
        let names: Vec<String> = columns
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if names.is_empty() {
            return Err(invalid(
                "name the columns to replace (--columns customer,phone)".into(),
                "请指定要替换的列（--columns customer,phone）".into(),
            ));
        }
        if input
            .canonicalize()
            .ok()
            .is_some_and(|i| out.canonicalize().ok() == Some(i))
        {
            return Err(invalid(
                "the output would overwrite the input: write it elsewhere (--out)".into(),
                "输出会覆盖输入文件：请另指定 --out".into(),
            ));
        }
        let key = self.pseudonym_key(engagement)?;
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let io = |source| AppError::Io {
            path: out.to_path_buf(),
            source,
        };
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        let delim = crate::analytics::calls::delimiter_byte(delimiter).map_err(|e| invalid(e.clone(), e))?;
        let mut sink = Replace {
            out: csv::WriterBuilder::new()
                .delimiter(delim)
                .from_writer(std::io::BufWriter::new(tmp.as_file())),
            key,
            names: names.clone(),
            at: Vec::new(),
            rows: 0,
            replaced: 0,
            row: Vec::new(),
        };
        let layout = Layout {
            delimiter,
            encoding,
            noun: "rows",
        };
        let reading = records::read(&[input.to_path_buf()], &layout, &mut sink).map_err(|e| {
            let e = crate::text::visible(&e).into_owned();
            invalid(format!("nothing was written: {e}"), format!("未写出任何内容：{e}"))
        })?;
        sink.out.flush().map_err(io)?;
        let (rows, replaced) = (sink.rows, sink.replaced);
        drop(sink);
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(out).map_err(|e| io(e.error))?;
        Ok(Pseudonymised {
            engagement: engagement.to_string(),
            key: fingerprint(&key),
            columns: names,
            rows,
            replaced,
            input: reading,
            out: crate::text::visible(&out.display().to_string()).into_owned(),
        })
    }

    /// Write the engagement's key to `out`, encrypted to the registered key
    /// of every lead, auditor and technical expert (not the auditee's
    /// contact, not observers). Returns how many.
    pub fn export_pseudonym_key(&self, engagement: &str, out: &Path) -> Result<usize> {
        let key = self.pseudonym_key(engagement)?;
        // The audit team only: not the auditee's contact, not observers.
        use crate::model::engagement::Role;
        let mut auditors = Vec::new();
        for m in self.team(engagement)? {
            if m.has_left() || !matches!(m.role, Role::Lead | Role::Auditor | Role::TechnicalExpert) {
                continue;
            }
            let Some(k) = m.key.as_deref().filter(|k| !k.trim().is_empty()) else {
                let a = crate::text::visible(&m.actor).into_owned();
                return Err(invalid(
                    format!(
                        "{a} has no registered key: the key file could not be opened by them (ask the lead to register it)"
                    ),
                    format!("{a} 没有登记密钥：无法为其加密密钥文件（请组长登记其公钥）"),
                ));
            };
            auditors.push(crate::crypto::seal::recipient(k).map_err(|e| invalid(e.clone(), e))?);
        }
        let to = crate::crypto::seal::To::Recipients(auditors);
        let n = to.recipients();
        let plain = format!("{KEY_FILE}\n{engagement}\n{}\n", hex::encode(key));
        let sealed = crate::crypto::seal::seal_bytes(&to, plain.as_bytes()).map_err(|e| invalid(e.clone(), e))?;
        std::fs::write(out, sealed).map_err(|source| AppError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        Ok(n)
    }

    /// Take a teammate's key file (opened with this identity's key). A copy
    /// holding another key keeps it unless `replace` (pseudonyms made with
    /// the two would not match). Returns the fingerprint now held.
    pub fn import_pseudonym_key(&self, engagement: &str, file: &Path, replace: bool) -> Result<String> {
        self.engagement(engagement)?;
        let sealed = std::fs::read(file).map_err(|source| AppError::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let plain = self.key_opener()?.open_bytes(&sealed, 4096).map_err(|e| {
            let e = crate::text::visible(&e.to_string()).into_owned();
            invalid(
                format!("the key file cannot be opened with your identity's key: {e}"),
                format!("无法用您的身份密钥打开该密钥文件：{e}"),
            )
        })?;
        let text = String::from_utf8(plain).unwrap_or_default();
        let mut lines = text.lines();
        let (head, eng, hexkey) = (lines.next(), lines.next(), lines.next());
        if head != Some(KEY_FILE) {
            return Err(invalid(
                "not a cscaudit pseudonym key file".into(),
                "不是 cscaudit 假名化密钥文件".into(),
            ));
        }
        if eng != Some(engagement) {
            let e = crate::text::visible(eng.unwrap_or_default()).into_owned();
            return Err(invalid(
                format!("the key file is {e}'s, not {engagement}'s"),
                format!("该密钥文件属于 {e}，而非 {engagement}"),
            ));
        }
        let key: [u8; 32] = hexkey
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                invalid(
                    "the key file's key is unreadable".into(),
                    "密钥文件中的密钥无法读取".into(),
                )
            })?;
        if let Some(held) = self.store().meta_get::<[u8; 32]>(&meta_key(engagement))?
            && held != key
            && !replace
        {
            let (a, b) = (fingerprint(&held), fingerprint(&key));
            return Err(invalid(
                format!(
                    "this copy already holds another pseudonym key for {engagement} ({a}; the file's is {b}): pseudonyms made with the two would not match. Give --replace to take the file's"
                ),
                format!(
                    "本机已有 {engagement} 的另一把假名化密钥（{a}；文件中的为 {b}）：两把密钥生成的假名无法对应。如需改用文件中的密钥，请加 --replace"
                ),
            ));
        }
        self.store().meta_set(&meta_key(engagement), &key)?;
        Ok(fingerprint(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_customer_one_pseudonym_whatever_the_phone_formatting() {
        let k = [7u8; 32];
        let p = pseudonym(&k, "13800138000");
        assert_eq!(p, pseudonym(&k, "+86 138-0013-8000"));
        assert_eq!(p, pseudonym(&k, "0086 13800138000"));
        assert_ne!(p, pseudonym(&k, "13800138001"));
        assert_ne!(
            p,
            pseudonym(&[8u8; 32], "13800138000"),
            "another engagement, another pseudonym"
        );
        assert_eq!(pseudonym(&k, "  "), "");
        assert_eq!(p.len(), 2 + 32);
        assert_eq!(normalise(" CUST-0012 "), "CUST-0012");
    }
}
