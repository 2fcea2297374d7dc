//! Taking back batches already merged: when a lead's removal of a member
//! arrives after some of that member's batches that the lead had not seen,
//! those batches are refused on every copy — here too, though this copy
//! had accepted them. Their operations leave the log, every record they
//! touched is folded again from what remains, indexes and counters follow,
//! in one transaction.

use super::keys::*;
use super::log::SeqSet;
use super::records::{count_keys, count_value, index_keys};
use super::{Result, Store, codec};
use crate::model::batch::SignedBatch;
use crate::model::ops::{EntityId, Op, Record};
use codec::CodecError;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn batch_entities_key(actor: &str, first: u64) -> String {
    format!("batch-entities/{actor}/{first:020}")
}

impl SeqSet {
    /// Remove `lo..=hi`.
    pub fn remove_range(&mut self, lo: u64, hi: u64) {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for &(a, b) in &self.0 {
            if b < lo || a > hi {
                out.push((a, b));
                continue;
            }
            if a < lo {
                out.push((a, lo - 1));
            }
            if b > hi {
                out.push((hi + 1, b));
            }
        }
        self.0 = out;
    }
}

/// A merge's slice written before its last (see
/// [`Store::undo_unfinished_merge`]): the records it touched.
pub(super) const MERGE_PENDING: &str = "merge-pending/";

/// Records folded again without some operations: what to write.
struct Refold {
    rewrites: Vec<Rewrite>,
    counts: BTreeMap<Vec<u8>, i64>,
    removed: usize,
}

/// One record's rows, folded again.
struct Rewrite {
    old_chunks: Vec<Vec<u8>>,
    new_chunks: Vec<(Vec<u8>, Vec<u8>)>,
    slot: usize,
    id: Vec<u8>,
    value: Option<Vec<u8>>,
    old_index: Vec<Vec<u8>>,
    new_index: Vec<Vec<u8>>,
    old_conflicts: Vec<Vec<u8>>,
    new_conflicts: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Store {
    /// The records a held format-2 batch touched (recorded when it was stored).
    pub fn batch_entities(&self, actor: &str, first: u64) -> Result<Vec<EntityId>> {
        Ok(self.meta_get(&batch_entities_key(actor, first))?.unwrap_or_default())
    }

    /// Every format-2 batch of `actor` held.
    pub fn batches_of_actor(&self, actor: &str) -> Result<Vec<SignedBatch>> {
        let mut prefix = actor.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for kv in self.trees[BATCHES].scan_prefix(prefix) {
            let (_, v) = kv.map_err(|x| self.sled_err(x))?;
            out.push(codec::decode(&v)?);
        }
        Ok(out)
    }

    /// Take back held batches (module doc). Returns the operations removed.
    pub fn retract(&self, batches: &[SignedBatch]) -> Result<usize> {
        self.writable()?;
        if batches.is_empty() {
            return Ok(0);
        }
        let gone = |op: &Op| batches.iter().any(|b| b.actor == op.id.actor && b.covers(op.id.seq));
        let mut entities: BTreeSet<EntityId> = BTreeSet::new();
        for b in batches {
            entities.extend(self.batch_entities(&b.actor, b.first)?);
        }
        let refold = self.refold_without(&entities, gone)?;
        let removed = refold.removed;
        // Sequence numbers, batch rows, heads.
        let mut seen: BTreeMap<String, SeqSet> = BTreeMap::new();
        let mut meta_rows: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
        for b in batches {
            if !seen.contains_key(&b.actor) {
                seen.insert(b.actor.clone(), self.seen(&b.actor)?);
            }
            seen.get_mut(&b.actor)
                .expect("inserted")
                .remove_range(b.first, b.last());
            meta_rows.push((batch_entities_key(&b.actor, b.first).into_bytes(), None));
        }
        let batch_keys: Vec<Vec<u8>> = batches.iter().map(|b| sig_key(&b.actor, b.first)).collect();
        // Heads stay as they were: they say what this copy had seen (a
        // batch built on this copy names the taken-back one as seen, and
        // every copy refuses that one alike).
        let mut seen_rows = Vec::new();
        for (actor, set) in &seen {
            seen_rows.push((actor.as_bytes().to_vec(), codec::encode(set)?));
        }
        let total = (self.op_count() as u64).saturating_sub(removed as u64);
        meta_rows.push((b"op_count".to_vec(), Some(codec::encode(&total)?)));
        // Lower the acknowledged count first: a crash before the transaction
        // leaves more operations than recorded (fine), never fewer.
        if let Some(w) = &self.watermark {
            w.lock().unwrap_or_else(|p| p.into_inner()).record(total)?;
        }
        self.write_refold(&refold, &seen_rows, &batch_keys, &meta_rows)?;
        self.flush()?;
        Ok(removed)
    }

    /// A merge stopped between its slices (a crash, a full disk): what its
    /// finished slices wrote is taken out again, slice by slice — every
    /// record they touched folded from the operations held (a merge writes
    /// the numbers it holds with its last slice, so the operations of an
    /// unfinished one are in no number set). The database is then as
    /// before the merge. The number of operations taken out.
    pub(crate) fn undo_unfinished_merge(&self) -> Result<usize> {
        let mut markers = Vec::new();
        for kv in self.trees[META].scan_prefix(MERGE_PENDING.as_bytes()) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            markers.push((k.to_vec(), v));
        }
        let mut seen: std::collections::HashMap<String, SeqSet> = std::collections::HashMap::new();
        let mut removed = 0;
        for (key, v) in markers {
            let entities: BTreeSet<EntityId> = codec::decode::<Vec<EntityId>>(&v)?.into_iter().collect();
            for e in &entities {
                for op in self.history(e)? {
                    if !seen.contains_key(&op.id.actor) {
                        seen.insert(op.id.actor.clone(), self.seen(&op.id.actor)?);
                    }
                }
            }
            let held = |op: &Op| seen.get(&op.id.actor).is_some_and(|s| s.contains(op.id.seq));
            let refold = self.refold_without(&entities, |op| !held(op))?;
            removed += refold.removed;
            self.write_refold(&refold, &[], &[], &[(key, None)])?;
        }
        if removed > 0 {
            self.flush()?;
        }
        Ok(removed)
    }

    /// Every record of `entities` folded again without the operations
    /// `gone` names: the rows to write, and the counters' changes.
    fn refold_without(&self, entities: &BTreeSet<EntityId>, gone: impl Fn(&Op) -> bool) -> Result<Refold> {
        let mut rewrites = Vec::new();
        let mut removed = 0usize;
        let mut counts: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        for e in entities {
            let history = self.history(e)?;
            let keep: Vec<Op> = history.iter().filter(|o| !gone(o)).cloned().collect();
            removed += history.len() - keep.len();
            if keep.len() == history.len() {
                continue;
            }
            let old = self.record(e)?;
            let new = (!keep.is_empty()).then(|| Record::fold(e.clone(), &keep));
            for k in old.as_ref().map(count_keys).unwrap_or_default() {
                *counts.entry(k).or_default() -= 1;
            }
            for k in new.as_ref().map(count_keys).unwrap_or_default() {
                *counts.entry(k).or_default() += 1;
            }
            let mut old_chunks = Vec::new();
            for kv in self.trees[CHUNKS].scan_prefix(entity_prefix(e)) {
                let (k, _) = kv.map_err(|x| self.sled_err(x))?;
                old_chunks.push(k.to_vec());
            }
            let mut new_chunks = Vec::new();
            for (i, chunk) in keep.chunks(CHUNK as usize).enumerate() {
                new_chunks.push((chunk_key(e, i as u32), codec::encode(&chunk.to_vec())?));
            }
            let before = old.as_ref().map(index_keys).unwrap_or_default();
            let after = new.as_ref().map(index_keys).unwrap_or_default();
            let mut new_conflicts = Vec::new();
            for c in new.iter().flat_map(|r| r.conflicts.iter()) {
                new_conflicts.push((conflict_key(c), codec::encode(c)?));
            }
            rewrites.push(Rewrite {
                old_chunks,
                new_chunks,
                slot: kind_slot(e.kind),
                id: e.id.as_bytes().to_vec(),
                value: match &new {
                    Some(r) => Some(codec::encode(r)?),
                    None => None,
                },
                old_index: before.iter().filter(|k| !after.contains(k)).cloned().collect(),
                new_index: after.iter().filter(|k| !before.contains(k)).cloned().collect(),
                old_conflicts: old
                    .as_ref()
                    .map(|r| r.conflicts.iter().map(conflict_key).collect())
                    .unwrap_or_default(),
                new_conflicts,
            });
        }
        counts.retain(|_, d| *d != 0);
        Ok(Refold {
            rewrites,
            counts,
            removed,
        })
    }

    /// Write a [`Refold`] with the number sets, batch rows removed and meta
    /// rows (`None`: removed) that go with it, in one transaction.
    fn write_refold(
        &self,
        refold: &Refold,
        seen_rows: &[(Vec<u8>, Vec<u8>)],
        batch_keys: &[Vec<u8>],
        meta_rows: &[(Vec<u8>, Option<Vec<u8>>)],
    ) -> Result<()> {
        let trees: &[sled::Tree] = &self.trees;
        trees
            .transaction(
                |t: &Vec<TransactionalTree>| -> std::result::Result<(), ConflictableTransactionError<CodecError>> {
                    for r in &refold.rewrites {
                        for k in &r.old_chunks {
                            t[CHUNKS].remove(k.as_slice())?;
                        }
                        for (k, v) in &r.new_chunks {
                            t[CHUNKS].insert(k.as_slice(), v.as_slice())?;
                        }
                        match &r.value {
                            Some(v) => {
                                t[r.slot].insert(r.id.as_slice(), v.as_slice())?;
                            }
                            None => {
                                t[r.slot].remove(r.id.as_slice())?;
                            }
                        }
                        for k in &r.old_index {
                            t[INDEX].remove(k.as_slice())?;
                        }
                        for k in &r.new_index {
                            t[INDEX].insert(k.as_slice(), &[])?;
                        }
                        for k in &r.old_conflicts {
                            t[CONFLICTS].remove(k.as_slice())?;
                        }
                        for (k, v) in &r.new_conflicts {
                            t[CONFLICTS].insert(k.as_slice(), v.as_slice())?;
                        }
                    }
                    for (k, d) in &refold.counts {
                        let cur = t[INDEX].get(k.as_slice())?.map_or(0, |v| count_value(&v));
                        let n = (cur as i64 + d).max(0) as u64;
                        if n == 0 {
                            t[INDEX].remove(k.as_slice())?;
                        } else {
                            t[INDEX].insert(k.as_slice(), &n.to_be_bytes())?;
                        }
                    }
                    for (k, v) in seen_rows {
                        t[SEEN].insert(k.as_slice(), v.as_slice())?;
                    }
                    for k in batch_keys {
                        t[BATCHES].remove(k.as_slice())?;
                    }
                    for (k, v) in meta_rows {
                        match v {
                            Some(v) => t[META].insert(k.as_slice(), v.as_slice())?,
                            None => t[META].remove(k.as_slice())?,
                        };
                    }
                    Ok(())
                },
            )
            .map_err(|e| self.tx_err(e))
    }
}
