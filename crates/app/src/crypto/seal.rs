//! Encryption with age (<https://age-encryption.org>): a bundle or a sync
//! file is sealed to the team's ssh-ed25519 keys (or to age `age1…` keys, or
//! to a passphrase) and opened with your identity's private key.
//!
//! Only ed25519 keys are accepted: the same keys that sign (RSA keys are
//! refused before age sees them).

use age::secrecy::SecretString;
use std::io::{Read, Write};
use std::path::Path;

/// How every age file begins.
pub const MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Whether `head` (a file's first bytes) is an age file.
pub fn is_sealed(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// Whether the file at `path` is an age file.
pub fn file_is_sealed(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 22];
    let mut f = std::fs::File::open(path)?;
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(is_sealed(&head[..got]))
}

/// One recipient: an ssh-ed25519 public key line or an age X25519 key.
pub struct Recipient {
    inner: Box<dyn age::Recipient + Send + Sync>,
    /// As given (for messages and for tagging who a file is sealed to).
    pub text: String,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parse `ssh-ed25519 AAAA… [comment]` or `age1…`.
pub fn recipient(text: &str) -> Result<Recipient, String> {
    let t = text.trim();
    if t.starts_with("age1") {
        let r: age::x25519::Recipient = t.parse().map_err(|e: &str| format!("not an age key: {e}"))?;
        return Ok(Recipient {
            inner: Box::new(r),
            text: t.to_string(),
        });
    }
    if !t.starts_with("ssh-ed25519 ") {
        return Err(match t.split_whitespace().next() {
            Some(kind) if kind.starts_with("ssh-") || kind.starts_with("ecdsa-") => {
                format!("a {kind} key cannot be used; cscaudit encrypts to ssh-ed25519 keys (and age1… keys)")
            }
            _ => "not a public key (ssh-ed25519 AAAA… or age1…)".to_string(),
        });
    }
    // Without the comment: it is the key's, not the recipient's.
    let key: String = t.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let r: age::ssh::Recipient = key.parse().map_err(|e| format!("not an ssh key: {e:?}"))?;
    match r {
        age::ssh::Recipient::SshEd25519(..) => Ok(Recipient {
            inner: Box::new(r),
            text: key,
        }),
        _ => Err("cscaudit encrypts to ssh-ed25519 keys only".to_string()),
    }
}

/// Who a file is sealed to.
pub enum To {
    Recipients(Vec<Recipient>),
    Passphrase(SecretString),
}

impl std::fmt::Debug for To {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            To::Recipients(rs) => f.debug_list().entries(rs).finish(),
            To::Passphrase(_) => f.write_str("passphrase"),
        }
    }
}

impl To {
    /// How many keys can open it (0: a passphrase).
    pub fn recipients(&self) -> usize {
        match self {
            To::Recipients(rs) => rs.len(),
            To::Passphrase(_) => 0,
        }
    }

    fn encryptor(&self) -> Result<age::Encryptor, String> {
        match self {
            To::Passphrase(p) => Ok(age::Encryptor::with_user_passphrase(p.clone())),
            To::Recipients(rs) => {
                if rs.is_empty() {
                    return Err("no recipients to encrypt to".into());
                }
                age::Encryptor::with_recipients(rs.iter().map(|r| r.inner.as_ref() as &dyn age::Recipient))
                    .map_err(|e| format!("cannot encrypt: {e}"))
            }
        }
    }

    /// A short tag naming the recipient set (sorted), so files sealed to
    /// different teams get different names.
    pub fn tag(&self) -> String {
        let mut keys: Vec<&str> = match self {
            To::Recipients(rs) => rs.iter().map(|r| r.text.as_str()).collect(),
            To::Passphrase(_) => vec!["passphrase"],
        };
        keys.sort_unstable();
        keys.dedup();
        let h = <sha2::Sha256 as sha2::Digest>::digest(keys.join("\n").as_bytes());
        hex::encode(&h[..6])
    }
}

/// Encrypt everything `input` yields into `out`.
pub fn seal(to: &To, mut input: impl Read, out: impl Write) -> Result<u64, String> {
    let enc = to.encryptor()?;
    let mut w = enc.wrap_output(out).map_err(|e| format!("cannot write: {e}"))?;
    let n = std::io::copy(&mut input, &mut w).map_err(|e| format!("cannot write: {e}"))?;
    w.finish().map_err(|e| format!("cannot write: {e}"))?;
    Ok(n)
}

pub fn seal_bytes(to: &To, plain: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(plain.len() + 256);
    seal(to, plain, &mut out)?;
    Ok(out)
}

/// Compress, then seal: what an encrypted remote stores (git cannot
/// compress ciphertext, so the JSON lines are compressed first).
pub fn seal_compressed(to: &To, plain: &[u8]) -> Result<Vec<u8>, String> {
    use flate2::write::ZlibEncoder;
    let mut z = ZlibEncoder::new(Vec::with_capacity(plain.len() / 4), flate2::Compression::default());
    z.write_all(plain).map_err(|e| format!("cannot compress: {e}"))?;
    let packed = z.finish().map_err(|e| format!("cannot compress: {e}"))?;
    seal_bytes(to, &packed)
}

/// Why a file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Sealed to other keys (or to a passphrase when you have only a key).
    NotForYou,
    /// Sealed to a passphrase and none was given, or it was wrong.
    Passphrase(String),
    /// Not an age file, cut short, or altered.
    Damaged(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::NotForYou => f.write_str("it is not encrypted to your key"),
            OpenError::Passphrase(e) => write!(f, "the passphrase: {e}"),
            OpenError::Damaged(e) => write!(f, "it is damaged or altered ({e})"),
        }
    }
}

/// Asks the user for a secret, the prompt saying what for: the caller
/// supplies it (the CLI asks on the terminal, the TUI in a form); `None`
/// when none is given. Nothing below the caller touches the terminal.
pub type Ask = std::sync::Arc<dyn Fn(&str) -> Option<SecretString> + Send + Sync>;

/// The keys this copy opens sealed files with.
#[derive(Clone, Default)]
pub struct Opener {
    identities: Vec<age::ssh::Identity>,
    /// Asks for a passphrase: a key's own, and (when `passphrase_files`)
    /// that of a file sealed to one.
    ask: Option<Ask>,
    passphrase_files: bool,
}

/// Asks for a key's passphrase through the caller's [`Ask`].
#[derive(Clone)]
struct AskKeyPassphrase(Option<Ask>);

impl age::Callbacks for AskKeyPassphrase {
    fn display_message(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "{}", crate::text::visible(message));
    }
    fn confirm(&self, _: &str, _: &str, _: Option<&str>) -> Option<bool> {
        None
    }
    fn request_public_string(&self, _: &str) -> Option<String> {
        None
    }
    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        self.0.as_ref().and_then(|ask| ask(&crate::text::visible(description)))
    }
}

impl Opener {
    /// Open with the OpenSSH private key in `text` (from `path`, for messages).
    pub fn with_key_text(mut self, text: &str, path: Option<&Path>) -> Result<Opener, String> {
        let id = age::ssh::Identity::from_buffer(text.as_bytes(), path.map(|p| p.display().to_string()))
            .map_err(|e| format!("not a private key age can use: {e}"))?;
        if let age::ssh::Identity::Unsupported(_) = id {
            return Err("this kind of key cannot decrypt (use an ed25519 key)".into());
        }
        self.identities.push(id);
        Ok(self)
    }

    /// Open with the private key file at `path`.
    pub fn with_key_file(self, path: &Path) -> Result<Opener, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        self.with_key_text(&text, Some(path))
    }

    /// Ask through `ask` for a key's passphrase.
    pub fn asking(mut self, ask: Option<Ask>) -> Opener {
        self.ask = ask;
        self
    }

    /// Also open files sealed to a passphrase (asked through [`Opener::asking`]).
    pub fn with_passphrase_files(mut self) -> Opener {
        self.passphrase_files = true;
        self
    }

    /// A reader of the plain bytes of the sealed `input`.
    pub fn open<'a, R: Read + 'a>(&self, input: R) -> Result<Box<dyn Read + 'a>, OpenError> {
        let dec = age::Decryptor::new(input).map_err(|e| OpenError::Damaged(e.to_string()))?;
        let reader = if dec.is_scrypt() {
            if !self.passphrase_files {
                return Err(OpenError::NotForYou);
            }
            let Some(p) = self.ask.as_ref().and_then(|ask| ask("passphrase / 口令")) else {
                return Err(OpenError::Passphrase(
                    "none given (type it, or set CSCAUDIT_PASSPHRASE)".into(),
                ));
            };
            let id = age::scrypt::Identity::new(p);
            dec.decrypt(std::iter::once(&id as &dyn age::Identity))
                .map_err(|e| match e {
                    age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                        OpenError::Passphrase("it is wrong".into())
                    }
                    e => OpenError::Damaged(e.to_string()),
                })?
        } else {
            let ids: Vec<Box<dyn age::Identity>> = self
                .identities
                .iter()
                .map(|i| {
                    Box::new(i.clone().with_callbacks(AskKeyPassphrase(self.ask.clone()))) as Box<dyn age::Identity>
                })
                .collect();
            dec.decrypt(ids.iter().map(|b| b.as_ref())).map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => OpenError::NotForYou,
                e => OpenError::Damaged(e.to_string()),
            })?
        };
        Ok(Box::new(reader))
    }

    /// [`seal_compressed`]'s plain bytes (at most `limit` of them).
    pub fn open_compressed(&self, sealed: &[u8], limit: u64) -> Result<Vec<u8>, OpenError> {
        let packed = self.open_bytes(sealed, limit)?;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&packed[..])
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| OpenError::Damaged(format!("not compressed data: {e}")))?;
        if out.len() as u64 > limit {
            return Err(OpenError::Damaged(format!("larger than {limit} bytes")));
        }
        Ok(out)
    }

    /// The plain bytes of a sealed buffer (at most `limit` of them).
    pub fn open_bytes(&self, sealed: &[u8], limit: u64) -> Result<Vec<u8>, OpenError> {
        let mut r = self.open(sealed)?.take(limit + 1);
        let mut out = Vec::new();
        r.read_to_end(&mut out).map_err(|e| OpenError::Damaged(e.to_string()))?;
        if out.len() as u64 > limit {
            return Err(OpenError::Damaged(format!("larger than {limit} bytes")));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::Signer;

    fn key(seed: u8) -> Signer {
        Signer::from_seed([seed; 32])
    }

    #[test]
    fn sealed_to_a_key_opens_with_it_only() {
        let (a, b, c) = (key(1), key(2), key(3));
        let to = To::Recipients(vec![
            recipient(&a.public_openssh()).unwrap(),
            recipient(&b.public_openssh()).unwrap(),
        ]);
        let sealed = seal_bytes(&to, "客服中心 finding".as_bytes()).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(6).any(|w| w == "客服".as_bytes()));
        for k in [&a, &b] {
            let o = Opener::default()
                .with_key_text(&k.private_openssh().unwrap(), None)
                .unwrap();
            assert_eq!(o.open_bytes(&sealed, 1 << 20).unwrap(), "客服中心 finding".as_bytes());
        }
        let o = Opener::default()
            .with_key_text(&c.private_openssh().unwrap(), None)
            .unwrap();
        assert_eq!(o.open_bytes(&sealed, 1 << 20).err(), Some(OpenError::NotForYou));
        // One flipped byte in the payload: refused, not garbage.
        let mut bad = sealed.clone();
        let n = bad.len() - 5;
        bad[n] ^= 1;
        let o = Opener::default()
            .with_key_text(&a.private_openssh().unwrap(), None)
            .unwrap();
        assert!(matches!(o.open_bytes(&bad, 1 << 20), Err(OpenError::Damaged(_))));
        // The size limit holds.
        assert!(matches!(o.open_bytes(&sealed, 4), Err(OpenError::Damaged(_))));
    }

    #[test]
    fn recipients_other_than_ed25519_are_refused() {
        assert!(recipient("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 x").is_err());
        assert!(recipient("ecdsa-sha2-nistp256 AAAA x").is_err());
        assert!(recipient("hello").is_err());
        let a = key(1);
        let with_comment = format!("{} li.min@laptop", a.public_openssh());
        let r = recipient(&with_comment).unwrap();
        assert!(!r.text.contains("laptop"));
        // The tag names the set, not its order.
        let b = key(2);
        let t1 = To::Recipients(vec![
            recipient(&a.public_openssh()).unwrap(),
            recipient(&b.public_openssh()).unwrap(),
        ]);
        let t2 = To::Recipients(vec![
            recipient(&b.public_openssh()).unwrap(),
            recipient(&a.public_openssh()).unwrap(),
        ]);
        assert_eq!(t1.tag(), t2.tag());
        assert_ne!(
            t1.tag(),
            To::Recipients(vec![recipient(&a.public_openssh()).unwrap()]).tag()
        );
    }
}
