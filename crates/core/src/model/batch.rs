//! Signed operation batches as data: what a batch lists (the author's
//! operations `first..=last` by hash), its identity and the message that is
//! signed. Signing and checking a signature (ssh keys) are `crypto`'s; the
//! store keeps batches without knowing how they are signed.

use crate::model::ops::Op;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
