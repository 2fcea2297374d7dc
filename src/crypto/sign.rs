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

/// The hash of an operation as batches of format 2 list it: SHA-256 of its
/// canonical line ([`crate::model::canon`]).
pub fn op_hash(op: &Op) -> OpHash {
    OpHash(Sha256::digest(crate::model::canon::canonical_line(op)).into())
}

/// The hash a batch of format 1 listed: SHA-256 of `serde_json`'s output
/// (kept to show the history signed by earlier builds).
pub fn op_hash_v1(op: &Op) -> OpHash {
    let json = serde_json::to_vec(op).unwrap_or_default();
    OpHash(Sha256::digest(&json).into())
}

/// The sshsig namespace of format-2 batches.
pub const NAMESPACE_V2: &str = "cscaudit-ops@v2";

/// A parent of a batch: the last batch of `actor` in the engagement that the
/// author had seen, ending at sequence number `seq`, with its hash.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Head {
    pub actor: String,
    pub seq: u64,
    pub hash: String,
}

fn one() -> u8 {
    1
}

/// One commit of one author to one engagement: its operations
/// `first..=last` by their hashes, the engagement it belongs to (by name and
/// by genesis), its parents (the heads the author had seen), and the sshsig
/// over all of that. Format 2 (`v = 2`); format 1 (earlier builds: actor,
/// first, hashes only) is still read to show old history.
///
/// An unsigned batch (a copy without a key, an engagement that never
/// registered keys) has an empty `signature`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedBatch {
    #[serde(default = "one")]
    pub v: u8,
    #[serde(default)]
    pub engagement: String,
    /// The engagement's genesis (hex); empty in the batch that creates it.
    #[serde(default)]
    pub genesis: String,
    #[serde(default)]
    pub parents: Vec<Head>,
    pub actor: String,
    pub first: u64,
    pub hashes: Vec<OpHash>,
    /// SHA-256 (hex) of the operations' canonical lines, each followed by `\n`.
    #[serde(default)]
    pub ops_sha256: String,
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----`); empty when unsigned.
    pub signature: String,
}

/// A format-1 batch as the store kept it (bincode is positional).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedBatchV1 {
    pub actor: String,
    pub first: u64,
    pub hashes: Vec<OpHash>,
    pub signature: String,
}

impl From<SignedBatchV1> for SignedBatch {
    fn from(b: SignedBatchV1) -> SignedBatch {
        SignedBatch {
            v: 1,
            engagement: String::new(),
            genesis: String::new(),
            parents: Vec::new(),
            actor: b.actor,
            first: b.first,
            hashes: b.hashes,
            ops_sha256: String::new(),
            signature: b.signature,
        }
    }
}

/// SHA-256 (hex) of canonical lines, each followed by `\n` (a batch's `ops`).
pub fn lines_sha256<'a>(lines: impl Iterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(l);
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

impl SignedBatch {
    /// An unsigned format-2 batch of `ops` (one actor's, consecutive numbers).
    pub fn unsigned(
        engagement: &str,
        genesis: Option<&str>,
        parents: Vec<Head>,
        ops: &[Op],
    ) -> Result<SignedBatch, String> {
        let first = ops.first().ok_or("nothing to sign")?;
        let lines: Vec<Vec<u8>> = ops.iter().map(crate::model::canon::canonical_line).collect();
        Ok(SignedBatch {
            v: 2,
            engagement: engagement.to_string(),
            genesis: genesis.unwrap_or_default().to_string(),
            parents,
            actor: first.id.actor.clone(),
            first: first.id.seq,
            hashes: lines.iter().map(|l| OpHash(Sha256::digest(l).into())).collect(),
            ops_sha256: lines_sha256(lines.iter().map(Vec::as_slice)),
            signature: String::new(),
        })
    }
    pub fn last(&self) -> u64 {
        self.first.saturating_add((self.hashes.len() as u64).saturating_sub(1))
    }
    pub fn covers(&self, seq: u64) -> bool {
        seq >= self.first && seq <= self.last()
    }
    pub fn is_signed(&self) -> bool {
        !self.signature.is_empty()
    }
    /// Whether this batch creates its engagement (format 2, no genesis named).
    pub fn is_genesis(&self) -> bool {
        self.v >= 2 && self.genesis.is_empty()
    }
    /// The hash the batch lists for `seq`.
    pub fn hash_of(&self, seq: u64) -> Option<OpHash> {
        seq.checked_sub(self.first)
            .and_then(|i| self.hashes.get(i as usize))
            .copied()
    }
    /// The hash of `op` as this batch's format computes it.
    pub fn hash_op(&self, op: &Op) -> OpHash {
        if self.v >= 2 { op_hash(op) } else { op_hash_v1(op) }
    }
    pub fn message(&self) -> Vec<u8> {
        if self.v >= 2 {
            message_v2(self)
        } else {
            message(&self.actor, self.first, &self.hashes)
        }
    }
    /// The batch's identity: SHA-256 (hex) of its message (the signature is
    /// not part of it, so signing does not change what parents name).
    pub fn id(&self) -> String {
        hex::encode(Sha256::digest(self.message()))
    }
    /// The engagement's genesis this batch belongs to: the named one, or
    /// its own id when it is the genesis.
    pub fn genesis_id(&self) -> String {
        if self.is_genesis() {
            self.id()
        } else {
            self.genesis.clone()
        }
    }
    /// Sign with `signer` (format 2).
    pub fn sign_with(mut self, signer: &Signer) -> Result<SignedBatch, String> {
        let msg = self.message();
        self.signature = signer.sign_ns(NAMESPACE_V2, &msg)?;
        Ok(self)
    }
    /// Whether the signature is `key`'s over this batch; the reason when not.
    pub fn verify(&self, key: &PublicKey) -> Result<(), String> {
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

/// What is signed in format 1: a fixed header, the actor, the first sequence
/// number, and one hex hash per line.
pub fn message(actor: &str, first: u64, hashes: &[OpHash]) -> Vec<u8> {
    let mut m = Vec::with_capacity(40 + actor.len() + hashes.len() * 65);
    m.extend_from_slice(b"cscaudit operation batch v1\n");
    m.extend_from_slice(actor.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(first.to_string().as_bytes());
    m.push(b'\n');
    push_hashes(&mut m, hashes);
    m
}

// Each hash written in place (a String per hash was half of verifying a
// bulk commit's batch of thousands).
fn push_hashes(m: &mut Vec<u8>, hashes: &[OpHash]) {
    let mut line = [b'\n'; 65];
    for h in hashes {
        if hex::encode_to_slice(h.0, &mut line[..64]).is_ok() {
            m.extend_from_slice(&line);
        }
    }
}

/// What is signed in format 2 (`schemas/signed-batch-v2.md`): lines of
/// `key value`, parents sorted, then one hex hash per operation.
pub fn message_v2(b: &SignedBatch) -> Vec<u8> {
    let mut m = Vec::with_capacity(200 + b.parents.len() * 100 + b.hashes.len() * 65);
    let mut line = |k: &str, v: &str| {
        m.extend_from_slice(k.as_bytes());
        m.push(b' ');
        m.extend_from_slice(v.as_bytes());
        m.push(b'\n');
    };
    line("cscaudit", "operation batch v2");
    line("engagement", &b.engagement);
    line("genesis", if b.genesis.is_empty() { "-" } else { &b.genesis });
    line("actor", &b.actor);
    line("first", &b.first.to_string());
    line("count", &b.hashes.len().to_string());
    let mut parents: Vec<&Head> = b.parents.iter().collect();
    parents.sort();
    for p in parents {
        line("parent", &format!("{} {} {}", p.actor, p.seq, p.hash));
    }
    line("ops", &b.ops_sha256);
    push_hashes(&mut m, &b.hashes);
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
