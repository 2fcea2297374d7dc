//! A bundle's files, read to forge batches into and written back with a
//! manifest that matches them (so only the signed history can object).

use cscaudit::bundle;
use cscaudit::crypto::sign::BatchSignature;
use cscaudit::crypto::sign::{Head, SignedBatch, Signer};
use cscaudit::model::canon::canonical_line;
use cscaudit::model::ops::{Change, EntityId, Hlc, Op, OpId};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

pub struct Files(pub Vec<(String, Vec<u8>)>);

impl Files {
    pub fn read(zip: &Path) -> Files {
        let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
        Files(
            (0..z.len())
                .map(|i| {
                    let mut e = z.by_index(i).unwrap();
                    let mut v = Vec::new();
                    e.read_to_end(&mut v).unwrap();
                    (e.name().unwrap().to_string(), v)
                })
                .collect(),
        )
    }
    pub fn get(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.0.iter().any(|f| f.0 == name) {
            self.0.push((name.into(), Vec::new()));
        }
        &mut self.0.iter_mut().find(|f| f.0 == name).unwrap().1
    }
    pub fn batches(&mut self) -> Vec<SignedBatch> {
        self.get("signatures.jsonl")
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }
    /// The last batch of each author of `scope` in the bundle.
    pub fn heads_of(&mut self, scope: &str) -> Vec<Head> {
        let mut heads: BTreeMap<String, Head> = BTreeMap::new();
        for b in self.batches().into_iter().filter(|b| b.engagement == scope) {
            if heads.get(&b.actor).is_none_or(|h| h.seq < b.last()) {
                heads.insert(
                    b.actor.clone(),
                    Head {
                        actor: b.actor.clone(),
                        seq: b.last(),
                        hash: b.id(),
                    },
                );
            }
        }
        heads.into_values().collect()
    }
    /// The batch that created `scope`, if the bundle holds it.
    pub fn genesis_of(&mut self, scope: &str) -> Option<SignedBatch> {
        self.batches()
            .into_iter()
            .find(|b| b.is_genesis() && b.engagement == scope)
    }
    /// Append a batch of `scope` by `author` (signed by `signer`, or not)
    /// of `changes`, numbered from `first`, its clock `wall_ms`, after
    /// `parents` (the bundle's heads of `scope` when `None`); the scope's
    /// genesis as held in the bundle (the batch is a genesis when none is).
    #[allow(clippy::too_many_arguments)]
    pub fn forge_in(
        &mut self,
        scope: &str,
        author: &str,
        signer: Option<&Signer>,
        first: u64,
        wall_ms: u64,
        changes: Vec<(EntityId, Change)>,
        parents: Option<Vec<Head>>,
    ) {
        let ops: Vec<Op> = changes
            .into_iter()
            .enumerate()
            .map(|(i, (entity, change))| Op {
                id: OpId {
                    actor: author.into(),
                    seq: first.wrapping_add(i as u64),
                },
                hlc: Hlc {
                    wall_ms,
                    counter: i as u32,
                },
                entity,
                change,
                base: None,
            })
            .collect();
        let parents = parents.unwrap_or_else(|| self.heads_of(scope));
        let genesis = self.genesis_of(scope).map(|b| b.id());
        let b = SignedBatch::unsigned(scope, genesis.as_deref(), parents, &ops).unwrap();
        let b = match signer {
            Some(s) => b.sign_with(s).unwrap(),
            None => b,
        };
        for op in &ops {
            let line = canonical_line(op);
            let f = self.get("ops.jsonl");
            f.extend(line);
            f.push(b'\n');
        }
        let line = serde_json::to_vec(&b).unwrap();
        let f = self.get("signatures.jsonl");
        f.extend(line);
        f.push(b'\n');
    }
    /// Write as a bundle whose manifest matches its files.
    pub fn write(&mut self, path: &Path) {
        let ops = self
            .get("ops.jsonl")
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        let mut m: bundle::Manifest = serde_json::from_slice(self.get("manifest.json")).unwrap();
        m.files = self
            .0
            .iter()
            .filter(|f| f.0 != "manifest.json")
            .map(|(n, b)| bundle::FileEntry {
                path: n.clone(),
                sha256: hex::encode(Sha256::digest(b)),
                size: b.len() as u64,
            })
            .collect();
        m.ops = ops;
        *self.get("manifest.json") = serde_json::to_vec(&m).unwrap();
        let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        for (name, bytes) in &self.0 {
            z.start_file(name.as_str(), o).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
}
