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
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::path::{Path, PathBuf};

/// The sshsig namespace of operation batches (as `ssh-keygen -Y … -n`).
pub const NAMESPACE: &str = "cscaudit-ops@v1";

/// SHA-256 of one operation's canonical form (its JSON, as in `ops.jsonl`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpHash(pub [u8; 32]);

impl std::fmt::Debug for OpHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl Serialize for OpHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(self.0))
        } else {
            s.serialize_bytes(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for OpHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let bytes: Vec<u8> = if d.is_human_readable() {
            let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            hex::decode(s.as_bytes()).map_err(D::Error::custom)?
        } else {
            <serde_bytes_compat::Bytes>::deserialize(d)?.0
        };
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| D::Error::custom("an operation hash is 32 bytes"))?;
        Ok(OpHash(arr))
    }
}

/// Bytes from either a byte string or a sequence (bincode's serde adapter
/// gives the one, other formats the other).
mod serde_bytes_compat {
    pub struct Bytes(pub Vec<u8>);
    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Bytes;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Bytes, E> {
                    Ok(Bytes(v))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Bytes, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = a.next_element::<u8>()? {
                        out.push(b);
                    }
                    Ok(Bytes(out))
                }
            }
            d.deserialize_bytes(V)
        }
    }
}

pub fn op_hash(op: &Op) -> OpHash {
    let json = serde_json::to_vec(op).unwrap_or_default();
    OpHash(Sha256::digest(&json).into())
}

/// One commit's signature: the author, the first sequence number, the hash
/// of every operation of the commit in order, and the sshsig over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedBatch {
    pub actor: String,
    pub first: u64,
    pub hashes: Vec<OpHash>,
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----`).
    pub signature: String,
}

impl SignedBatch {
    pub fn last(&self) -> u64 {
        self.first + (self.hashes.len() as u64).saturating_sub(1)
    }
    pub fn covers(&self, seq: u64) -> bool {
        seq >= self.first && seq <= self.last()
    }
    /// The hash the batch lists for `seq`.
    pub fn hash_of(&self, seq: u64) -> Option<OpHash> {
        seq.checked_sub(self.first)
            .and_then(|i| self.hashes.get(i as usize))
            .copied()
    }
    pub fn message(&self) -> Vec<u8> {
        message(&self.actor, self.first, &self.hashes)
    }
    /// Whether the signature is `key`'s over this batch; the reason when not.
    pub fn verify(&self, key: &PublicKey) -> Result<(), String> {
        let sig = SshSig::from_pem(self.signature.as_bytes()).map_err(|e| format!("unreadable signature ({e})"))?;
        if sig.namespace() != NAMESPACE {
            return Err(format!("signed for `{}`, not cscaudit", sig.namespace()));
        }
        if sig.public_key() != key.key_data() {
            return Err(format!(
                "signed by key {}, not the member's registered key {}",
                fingerprint_of(&PublicKey::from(sig.public_key().clone())),
                fingerprint_of(key)
            ));
        }
        key.verify(NAMESPACE, &self.message(), &sig)
            .map_err(|_| "the signature does not match the operations (altered after signing)".to_string())
    }
}

/// What is signed: a fixed header, the actor, the first sequence number, and
/// one hex hash per line.
pub fn message(actor: &str, first: u64, hashes: &[OpHash]) -> Vec<u8> {
    let mut m = Vec::with_capacity(40 + actor.len() + hashes.len() * 65);
    m.extend_from_slice(b"cscaudit operation batch v1\n");
    m.extend_from_slice(actor.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(first.to_string().as_bytes());
    m.push(b'\n');
    // Each hash written in place (a String per hash was half of verifying a
    // bulk commit's batch of thousands).
    let mut line = [b'\n'; 65];
    for h in hashes {
        if hex::encode_to_slice(h.0, &mut line[..64]).is_ok() {
            m.extend_from_slice(&line);
        }
    }
    m
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

    /// Sign the batch `ops` (one actor's, consecutive sequence numbers).
    pub fn sign_batch(&self, ops: &[Op]) -> Result<SignedBatch, String> {
        let first = ops.first().ok_or("nothing to sign")?;
        let hashes: Vec<OpHash> = ops.iter().map(op_hash).collect();
        let msg = message(&first.id.actor, first.id.seq, &hashes);
        let signature = self.sign(&msg)?;
        Ok(SignedBatch {
            actor: first.id.actor.clone(),
            first: first.id.seq,
            hashes,
            signature,
        })
    }

    fn sign(&self, msg: &[u8]) -> Result<String, String> {
        if let Some(key) = &self.private {
            let sig = key
                .sign(NAMESPACE, HashAlg::Sha512, msg)
                .map_err(|e| format!("signing failed: {e}"))?;
            return sig.to_pem(LineEnding::LF).map_err(|e| format!("signing failed: {e}"));
        }
        sign_with_program(&self.path, msg)
    }
}

/// `ssh-keygen -Y sign` (a passphrase-protected key: ssh-agent or a prompt).
fn sign_with_program(key: &Path, msg: &[u8]) -> Result<String, String> {
    use std::io::Write;
    let mut child = std::process::Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
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
        assert_eq!(b.hash_of(2), Some(op_hash(&ops[1])));
        // An altered operation no longer has the listed hash.
        assert_ne!(b.hash_of(1), Some(op_hash(&op(1, "坐席接通率达标"))));
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
        assert!(json.contains(&hex::encode(op_hash(&ops[0]).0)));
        let back: SignedBatch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        let bin = crate::store::codec::encode(&b).unwrap();
        assert_eq!(crate::store::codec::decode::<SignedBatch>(&bin).unwrap(), b);
    }
}
