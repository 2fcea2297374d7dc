//! Signed operation batches: who wrote a change is proven by their ssh key.
//!
//! Every local commit is one batch: the author's operations `first..=last`.
//! The author signs (sshsig, the format of `ssh-keygen -Y sign`, namespace
//! [`NAMESPACE`]) a message naming the actor, the first sequence number and
//! the SHA-256 of each operation's JSON, in order. Because the message lists
//! hashes, a bundle or a sync that carries only some of a batch's operations
//! (one engagement of a commit, the changes after `--since`) still proves each
//! one it carries: the receiver hashes the operation and finds it in the list.
//!
//! Keys: an auditor's ed25519 key pair made by `ssh-keygen`. The private key
//! is read from the file the identity names; a passphrase-protected key (or
//! one held by ssh-agent) is used through the `ssh-keygen` program.

use crate::model::ops::Op;
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::path::{Path, PathBuf};

pub use crate::model::batch::*;

/// Signing a batch and checking its signature (the batch itself is data: `model::batch`).
pub trait BatchSignature: Sized {
    /// Sign with `signer` (format 2).
    fn sign_with(self, signer: &Signer) -> Result<SignedBatch, String>;
    /// Whether the signature is `key`'s over this batch; the reason when not.
    fn verify(&self, key: &PublicKey) -> Result<(), String>;
}

impl BatchSignature for SignedBatch {
    fn sign_with(mut self, signer: &Signer) -> Result<SignedBatch, String> {
        let msg = self.message();
        self.signature = signer.sign_ns(NAMESPACE_V2, &msg)?;
        Ok(self)
    }
    fn verify(&self, key: &PublicKey) -> Result<(), String> {
        if self.signature.is_empty() {
            return Err("the batch is not signed".into());
        }
        let sig = SshSig::from_pem(self.signature.as_bytes()).map_err(|e| format!("unreadable signature ({e})"))?;
        let ns = if self.v >= 2 { NAMESPACE_V2 } else { NAMESPACE };
        if sig.namespace() != ns {
            return Err(format!("signed for `{}`, not cscaudit", sig.namespace()));
        }
        if sig.public_key() != key.key_data() {
            return Err(format!(
                "signed by key {}, not the member's registered key {}",
                fingerprint_of(&PublicKey::from(sig.public_key().clone())),
                fingerprint_of(key)
            ));
        }
        key.verify(ns, &self.message(), &sig)
            .map_err(|_| "the signature does not match the operations (altered after signing)".to_string())
    }
}

/// `SHA256:…`, as `ssh-keygen -l` prints it.
pub fn fingerprint_of(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// A public key in OpenSSH form without its comment (as the team record keeps it).
pub fn openssh_text(key: &PublicKey) -> String {
    let mut k = key.clone();
    k.set_comment("");
    k.to_openssh().unwrap_or_default()
}

/// The fingerprint of a public key kept as text, if it reads.
pub fn fingerprint_of_text(text: &str) -> Option<String> {
    parse_public(text).ok().map(|k| fingerprint_of(&k))
}

/// Parse a public key in OpenSSH form (`ssh-ed25519 AAAA… comment`).
pub fn parse_public(text: &str) -> Result<PublicKey, String> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| "no public key in it".to_string())?;
    let key = PublicKey::from_openssh(line).map_err(|e| format!("not an OpenSSH public key ({e})"))?;
    if key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(format!(
            "a {} key; cscaudit uses ed25519 keys (make one with `ssh-keygen -t ed25519`)",
            key.algorithm()
        ));
    }
    Ok(key)
}

/// A public key file (`~/.ssh/id_ed25519.pub`), read and checked.
pub fn read_public(path: &Path) -> Result<PublicKey, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() || meta.len() > 16 * 1024 {
        return Err(format!("{} is not a public key file", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_public(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The key that signs this copy's commits.
#[derive(Debug)]
pub struct Signer {
    path: PathBuf,
    public: PublicKey,
    /// Read in memory when the file is not passphrase-protected; otherwise
    /// `ssh-keygen` signs (it asks ssh-agent, or for the passphrase).
    private: Option<PrivateKey>,
}

impl Signer {
    /// Load the private key at `path` (its public half from the key or `path.pub`).
    pub fn load(path: &Path) -> Result<Signer, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the key {shown}: {e}"))?;
        if !meta.is_file() || meta.len() > 64 * 1024 {
            return Err(format!("{shown} is not a private key file"));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the key {shown}: {e}"))?;
        if text.trim_start().starts_with("ssh-") {
            return Err(format!(
                "{shown} is a public key; name the private key (the same path without .pub)"
            ));
        }
        let key =
            PrivateKey::from_openssh(&text).map_err(|e| format!("{shown} is not an OpenSSH private key ({e})"))?;
        if key.algorithm() != ssh_key::Algorithm::Ed25519 {
            return Err(format!(
                "{shown} is a {} key; cscaudit uses ed25519 keys (make one with `ssh-keygen -t ed25519`)",
                key.algorithm()
            ));
        }
        let public = key.public_key().clone();
        let private = (!key.is_encrypted()).then_some(key);
        Ok(Signer {
            path: path.to_path_buf(),
            public,
            private,
        })
    }

    /// An in-memory key from 32 random bytes (the demo's auditors; tests).
    pub fn from_seed(seed: [u8; 32]) -> Signer {
        let key = PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&seed));
        Signer {
            path: PathBuf::new(),
            public: key.public_key().clone(),
            private: Some(key),
        }
    }

    /// The private key in OpenSSH form (to write a demo key file).
    pub fn private_openssh(&self) -> Option<String> {
        self.private
            .as_ref()
            .and_then(|k| k.to_openssh(LineEnding::LF).ok())
            .map(|z| z.to_string())
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn public_openssh(&self) -> String {
        openssh_text(&self.public)
    }

    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.public)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sign `ops` as a format-1 batch (what earlier builds wrote; tests of
    /// the old history).
    pub fn sign_batch(&self, ops: &[Op]) -> Result<SignedBatch, String> {
        let first = ops.first().ok_or("nothing to sign")?;
        let hashes: Vec<OpHash> = ops.iter().map(op_hash_v1).collect();
        let msg = message(&first.id.actor, first.id.seq, &hashes);
        let signature = self.sign(&msg)?;
        Ok(SignedBatchV1 {
            actor: first.id.actor.clone(),
            first: first.id.seq,
            hashes,
            signature,
        }
        .into())
    }

    fn sign(&self, msg: &[u8]) -> Result<String, String> {
        self.sign_ns(NAMESPACE, msg)
    }

    /// An sshsig of `msg` in namespace `ns`.
    pub fn sign_ns(&self, ns: &str, msg: &[u8]) -> Result<String, String> {
        if let Some(key) = &self.private {
            let sig = key
                .sign(ns, HashAlg::Sha512, msg)
                .map_err(|e| format!("signing failed: {e}"))?;
            return sig.to_pem(LineEnding::LF).map_err(|e| format!("signing failed: {e}"));
        }
        sign_with_program(&self.path, ns, msg)
    }
}

/// `ssh-keygen -Y sign` (a passphrase-protected key: ssh-agent or a prompt).
fn sign_with_program(key: &Path, ns: &str, msg: &[u8]) -> Result<String, String> {
    use std::io::Write;
    let mut child = std::process::Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", ns, "-f"])
        .arg(key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("the key is passphrase-protected and `ssh-keygen` could not run ({e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(msg).map_err(|e| format!("ssh-keygen: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("ssh-keygen: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "ssh-keygen could not sign with {} ({}); add the key to ssh-agent (`ssh-add`) first",
            key.display(),
            crate::text::visible(err.trim())
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "ssh-keygen printed no signature".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ops::{Change, EntityId, Hlc, Kind, OpId};

    fn op(seq: u64, title: &str) -> Op {
        Op {
            id: OpId {
                actor: "li.min".into(),
                seq,
            },
            hlc: Hlc {
                wall_ms: 1_700_000_000_000 + seq,
                counter: 0,
            },
            entity: EntityId::new(Kind::Finding, "LM-001"),
            change: Change::Set {
                field: "title".into(),
                value: title.into(),
            },
            base: None,
        }
    }

    fn signer() -> Signer {
        Signer::from_seed(rand::random())
    }

    /// The signed bytes are exactly the v1 layout (header, actor, first
    /// sequence number, one lower-case hex hash per line), so batches signed
    /// by earlier builds still verify.
    #[test]
    fn the_signed_message_keeps_its_layout() {
        let hashes = [OpHash([0xab; 32]), OpHash([0x01; 32])];
        let want = format!(
            "cscaudit operation batch v1\nzw\n7\n{}\n{}\n",
            "ab".repeat(32),
            "01".repeat(32)
        );
        assert_eq!(message("zw", 7, &hashes), want.into_bytes());
        assert_eq!(message("zw", 7, &[]), b"cscaudit operation batch v1\nzw\n7\n".to_vec());
    }

    #[test]
    fn a_batch_verifies_and_any_change_breaks_it() {
        let s = signer();
        let ops = vec![op(1, "坐席接通率低于目标"), op(2, "second")];
        let b = s.sign_batch(&ops).unwrap();
        assert_eq!((b.first, b.last()), (1, 2));
        assert!(b.verify(s.public()).is_ok());
        assert_eq!(b.hash_of(2), Some(op_hash_v1(&ops[1])));
        // An altered operation no longer has the listed hash.
        assert_ne!(b.hash_of(1), Some(op_hash_v1(&op(1, "坐席接通率达标"))));
        // Altered hashes or a moved first number break the signature.
        let mut moved = b.clone();
        moved.first = 2;
        assert!(moved.verify(s.public()).is_err());
        let mut swapped = b.clone();
        swapped.hashes.swap(0, 1);
        assert!(swapped.verify(s.public()).is_err());
        // Another key is named in the reason.
        let other = signer();
        let why = b.verify(other.public()).unwrap_err();
        assert!(why.contains(&other.fingerprint()), "{why}");
        // Round trips through JSON (bundles) and the store's codec.
        let json = serde_json::to_string(&b).unwrap();
        assert!(json.contains(&hex::encode(op_hash_v1(&ops[0]).0)));
        let back: SignedBatch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        let bin = crate::store::codec::encode(&b).unwrap();
        assert_eq!(crate::store::codec::decode::<SignedBatch>(&bin).unwrap(), b);
    }
}
