//! The operations log: ops stored per entity in chunks, per-actor sets of
//! sequence numbers held (exact deduplication), local commits and merges of
//! a teammate's ops. Every write is one sled transaction, flushed before return.
//!
//! Length: about 650 lines of code, then its tests; the log's write paths share
//! one transaction discipline.

use super::keys::*;
use super::records::index_keys;
use super::{Draft, MergeReport, Result, Store, StoreError, codec};
use crate::model::batch::{Head, SignedBatch, SignedBatchV1};
use crate::model::ops::{EntityId, Op, OpId, Record, sort_ops};
use codec::CodecError;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::{BTreeMap, HashMap};

/// One local commit: its sequence numbers and the records it touched.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub first: u64,
    pub last: u64,
    /// Empty when the commit touched more than [`MAX_UNDO_ENTITIES`] records
    /// (generated data): such a commit is not offered for undo.
    pub entities: Vec<EntityId>,
}

/// Recent commits kept per actor.
const MAX_BATCHES: usize = 32;
/// Records a commit may touch and still be undone.
pub const MAX_UNDO_ENTITIES: usize = 256;

/// Operations a merge writes per transaction.
pub(super) const MERGE_SLICE: usize = 20_000;

fn batches_key(actor: &str) -> String {
    format!("batches/{actor}")
}

use super::retract::MERGE_PENDING;

/// Meta rows a merge's transaction puts, and keys it removes.
type MetaRows<'a> = (&'a [(&'a [u8], &'a Vec<u8>)], &'a [Vec<u8>]);

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<CodecError>>;

fn tx_codec<T>(r: std::result::Result<T, CodecError>) -> TxResult<T> {
    r.map_err(ConflictableTransactionError::Abort)
}

/// Sorted, disjoint, inclusive ranges of sequence numbers.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeqSet(pub(super) Vec<(u64, u64)>);

impl SeqSet {
    pub fn contains(&self, seq: u64) -> bool {
        let i = self.0.partition_point(|r| r.1 < seq);
        self.0.get(i).is_some_and(|r| r.0 <= seq)
    }
    /// The highest sequence number held.
    pub fn max(&self) -> Option<u64> {
        self.0.last().map(|r| r.1)
    }
    pub fn insert(&mut self, seq: u64) {
        let i = self.0.partition_point(|r| r.1 < seq);
        if self.0.get(i).is_some_and(|r| r.0 <= seq) {
            return;
        }
        let joins_prev = i > 0 && self.0[i - 1].1 + 1 == seq;
        let joins_next = self.0.get(i).is_some_and(|r| r.0 == seq + 1);
        match (joins_prev, joins_next) {
            (true, true) => {
                self.0[i - 1].1 = self.0[i].1;
                self.0.remove(i);
            }
            (true, false) => self.0[i - 1].1 = seq,
            (false, true) => self.0[i].0 = seq,
            (false, false) => self.0.insert(i, (seq, seq)),
        }
    }
}

/// Signs a commit's ops (the app's key); the reason when it cannot.
pub type BatchSigner<'a> = dyn Fn(&[Op]) -> std::result::Result<SignedBatch, String> + 'a;

/// Makes the batch of one group of a commit (the group's index and its
/// ops); `None` leaves the group without a batch.
pub type BatchMaker<'a> = dyn Fn(usize, &[Op]) -> std::result::Result<Option<SignedBatch>, String> + 'a;

fn heads_key(engagement: &str) -> String {
    format!("heads/{engagement}")
}

fn genesis_key(engagement: &str) -> String {
    format!("genesis/{engagement}")
}

/// The heads of an engagement: per actor, its last batch held.
pub type Heads = BTreeMap<String, Head>;

impl SeqSet {
    /// The numbers of `ranges` (inclusive, in any order, overlapping or
    /// not): sorted and joined once, not inserted one by one.
    pub fn from_ranges(mut ranges: Vec<(u64, u64)>) -> SeqSet {
        ranges.retain(|(a, b)| a <= b);
        ranges.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        SeqSet(out)
    }

    /// Whether any number in `lo..=hi` is held.
    pub fn intersects(&self, lo: u64, hi: u64) -> bool {
        let i = self.0.partition_point(|r| r.1 < lo);
        self.0.get(i).is_some_and(|r| r.0 <= hi)
    }
}

/// A batch's row (format 2 in its own tree, format 1 as earlier builds kept
/// it) and, for format 2, the row naming the records its `ops` touch (what
/// a retraction folds again).
type SigRow = (usize, Vec<u8>, Vec<u8>);
/// A meta row: key and value.
type MetaRow = (Vec<u8>, Vec<u8>);
fn batch_rows<'o>(b: &SignedBatch, ops: impl IntoIterator<Item = &'o Op>) -> Result<(SigRow, Option<MetaRow>)> {
    let key = sig_key(&b.actor, b.first);
    if b.v < 2 {
        let v1 = SignedBatchV1 {
            actor: b.actor.clone(),
            first: b.first,
            hashes: b.hashes.clone(),
            signature: b.signature.clone(),
        };
        return Ok(((SIGS, key, codec::encode(&v1)?), None));
    }
    let ents: std::collections::BTreeSet<&EntityId> = ops.into_iter().map(|o| &o.entity).collect();
    let ents: Vec<&EntityId> = ents.into_iter().collect();
    let entities = (
        super::retract::batch_entities_key(&b.actor, b.first).into_bytes(),
        codec::encode(&ents)?,
    );
    Ok(((BATCHES, key, codec::encode(b)?), Some(entities)))
}

impl Store {
    /// The batch that covers `actor#seq`, if any: format 2 first, then a
    /// format-1 signature of earlier builds.
    pub fn signed_batch(&self, actor: &str, seq: u64) -> Result<Option<SignedBatch>> {
        let from = sig_key(actor, 0);
        let to = sig_key(actor, seq);
        if let Some(kv) = self.trees[BATCHES].range(from.clone()..=to.clone()).next_back() {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            let b: SignedBatch = codec::decode(&v)?;
            if b.actor == actor && b.covers(seq) {
                return Ok(Some(b));
            }
        }
        if let Some(kv) = self.trees[SIGS].range(from..=to).next_back() {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            let b: SignedBatch = codec::decode::<SignedBatchV1>(&v)?.into();
            if b.actor == actor && b.covers(seq) {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// The format-2 batch of `actor` starting at `first`, if held.
    pub fn batch_at(&self, actor: &str, first: u64) -> Result<Option<SignedBatch>> {
        match self.trees[BATCHES]
            .get(sig_key(actor, first))
            .map_err(|e| self.sled_err(e))?
        {
            Some(v) => Ok(Some(codec::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Every batch held (format 2, then format 1), in key order.
    pub fn signed_batches(&self) -> impl Iterator<Item = Result<SignedBatch>> + '_ {
        let v2 = self.trees[BATCHES].iter().map(move |kv| {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            Ok(codec::decode::<SignedBatch>(&v)?)
        });
        let v1 = self.trees[SIGS].iter().map(move |kv| {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            Ok(codec::decode::<SignedBatchV1>(&v)?.into())
        });
        v2.chain(v1)
    }

    /// The last batch of each actor held for `engagement`.
    pub fn heads(&self, engagement: &str) -> Result<Heads> {
        Ok(self.meta_get(&heads_key(engagement))?.unwrap_or_default())
    }

    /// The author of the engagement's genesis batch, when one is held.
    pub fn genesis_creator(&self, engagement: &str) -> Result<Option<String>> {
        self.meta_get(&format!("creator/{engagement}"))
    }

    /// The engagement's genesis (hex), once a format-2 batch of it is held.
    pub fn genesis(&self, engagement: &str) -> Result<Option<String>> {
        self.meta_get(&genesis_key(engagement))
    }

    /// Meta rows recording `batches` in their engagements' heads (and the
    /// genesis of those that create one).
    fn head_rows(&self, batches: &[SignedBatch]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut heads: BTreeMap<&str, Heads> = BTreeMap::new();
        let mut rows = Vec::new();
        for b in batches.iter().filter(|b| b.v >= 2) {
            if !heads.contains_key(b.engagement.as_str()) {
                heads.insert(&b.engagement, self.heads(&b.engagement)?);
            }
            let h = heads.get_mut(b.engagement.as_str()).expect("inserted above");
            if h.get(&b.actor).is_none_or(|cur| cur.seq < b.last()) {
                h.insert(
                    b.actor.clone(),
                    Head {
                        actor: b.actor.clone(),
                        seq: b.last(),
                        hash: b.id(),
                    },
                );
            }
            if self.genesis(&b.engagement)?.is_none()
                && !rows.iter().any(|(k, _)| *k == genesis_key(&b.engagement).into_bytes())
            {
                rows.push((genesis_key(&b.engagement).into_bytes(), codec::encode(&b.genesis_id())?));
            }
        }
        for (eng, h) in heads {
            rows.push((heads_key(eng).into_bytes(), codec::encode(&h)?));
        }
        Ok(rows)
    }

    /// Every op that touched an entity, in log order.
    pub fn history(&self, e: &EntityId) -> Result<Vec<Op>> {
        let mut out = Vec::new();
        for kv in self.trees[CHUNKS].scan_prefix(entity_prefix(e)) {
            let (_, v) = kv.map_err(|x| self.sled_err(x))?;
            out.extend(codec::decode::<Vec<Op>>(&v)?);
        }
        sort_ops(&mut out);
        Ok(out)
    }

    /// Every record's operations, one record at a time (in log order),
    /// without holding the whole log: for passes over millions of records.
    pub fn for_each_record_ops<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(Vec<Op>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut cur: Vec<Op> = Vec::new();
        for kv in self.trees[CHUNKS].iter() {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            let ops = codec::decode::<Vec<Op>>(&v).map_err(StoreError::from)?;
            if let (Some(a), Some(b)) = (cur.first(), ops.first())
                && a.entity != b.entity
            {
                sort_ops(&mut cur);
                f(std::mem::take(&mut cur))?;
            }
            cur.extend(ops);
        }
        if !cur.is_empty() {
            sort_ops(&mut cur);
            f(cur)?;
        }
        Ok(())
    }

    /// The whole log in order (for bundles and audits of the store itself).
    pub fn all_ops(&self) -> Result<Vec<Op>> {
        let mut out = Vec::with_capacity(self.op_count());
        for kv in self.trees[CHUNKS].iter() {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            out.extend(codec::decode::<Vec<Op>>(&v)?);
        }
        sort_ops(&mut out);
        Ok(out)
    }

    /// After a durable write: the operations now acknowledged.
    fn record_watermark(&self) -> Result<()> {
        if let Some(w) = &self.watermark {
            let n = self.op_count() as u64;
            w.lock().unwrap_or_else(|p| p.into_inner()).record(n)?;
        }
        Ok(())
    }

    pub fn op_count(&self) -> usize {
        self.meta_get::<u64>("op_count").ok().flatten().unwrap_or(0) as usize
    }

    /// The sequence numbers stored for an actor.
    pub fn seen(&self, actor: &str) -> Result<SeqSet> {
        match self.trees[SEEN].get(actor.as_bytes()).map_err(|e| self.sled_err(e))? {
            Some(v) => Ok(codec::decode(&v)?),
            None => Ok(SeqSet::default()),
        }
    }

    /// A digest of which operations this copy holds (every actor's
    /// sequence numbers): the same digest, the same operations held. Reads
    /// one small row per author, never the log.
    pub fn held_digest(&self) -> Result<String> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for kv in self.trees[SEEN].iter() {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            h.update((k.len() as u64).to_le_bytes());
            h.update(&k);
            h.update((v.len() as u64).to_le_bytes());
            h.update(&v);
        }
        Ok(hex::encode(h.finalize()))
    }

    /// The actor's recent commits on this copy, oldest first.
    pub fn batches(&self, actor: &str) -> Result<Vec<Batch>> {
        Ok(self.meta_get(&batches_key(actor))?.unwrap_or_default())
    }

    /// Replace the actor's list of recent commits (after an undo).
    pub fn set_batches(&self, actor: &str, batches: &[Batch]) -> Result<()> {
        self.meta_set(&batches_key(actor), &batches.to_vec())
    }

    /// Append local changes by `actor` as ops, update records and indexes in one
    /// transaction, and flush to disk before returning the ops.
    pub fn commit(&self, actor: &str, drafts: Vec<Draft>) -> Result<Vec<Op>> {
        self.commit_signed(actor, drafts, None)
    }

    /// [`Store::commit`], the batch signed by `sign` and its signature stored
    /// in the same transaction (a failed signature writes nothing).
    pub fn commit_signed(&self, actor: &str, drafts: Vec<Draft>, sign: Option<&BatchSigner<'_>>) -> Result<Vec<Op>> {
        match sign {
            Some(sign) => self.commit_batches(actor, vec![drafts], &|_, ops| sign(ops).map(Some)),
            None => self.commit_batches(actor, vec![drafts], &|_, _| Ok(None)),
        }
    }

    /// Commit groups of drafts as one transaction: each group's ops get
    /// consecutive sequence numbers and its batch from `make` (one
    /// engagement's part of the commit). A batch that cannot be made writes
    /// nothing.
    pub fn commit_batches(&self, actor: &str, groups: Vec<Vec<Draft>>, make: &BatchMaker<'_>) -> Result<Vec<Op>> {
        self.writable()?;
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        let drafts: Vec<Draft> = groups.into_iter().flatten().collect();
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let mut clock = self.lock_clock();
        let seq_key = format!("seq/{actor}");
        // After the actor's own ops came back from elsewhere (a bundle from
        // another copy, the same person on a second laptop), numbering goes
        // on after the highest one held: a reused number would be taken for
        // a known op and dropped by every other copy.
        let mut seq: u64 = self
            .meta_get::<u64>(&seq_key)?
            .unwrap_or(0)
            .max(self.seen(actor)?.max().unwrap_or(0));
        let mut hlc = *clock;
        let ops: Vec<Op> = drafts
            .into_iter()
            .map(|d| {
                seq += 1;
                hlc = hlc.tick(self.wall_ms());
                Op {
                    id: OpId {
                        actor: actor.to_string(),
                        seq,
                    },
                    hlc,
                    entity: d.entity,
                    change: d.change,
                    base: d.base,
                }
            })
            .collect();
        // Local ops are newer than anything seen (the clock observes merges), so
        // each touched record is its stored fold plus the new ops.
        let mut touched: BTreeMap<EntityId, (Option<Record>, Record)> = BTreeMap::new();
        for op in &ops {
            if !touched.contains_key(&op.entity) {
                let old = self.record(&op.entity)?;
                let new = old.clone().unwrap_or_else(|| Record::empty(op.entity.clone()));
                touched.insert(op.entity.clone(), (old, new));
            }
            if let Some((_, r)) = touched.get_mut(&op.entity) {
                r.apply(op);
            }
        }
        let mut seen = self.seen(actor)?;
        for op in &ops {
            seen.insert(op.id.seq);
        }
        let mut by_entity: BTreeMap<EntityId, Vec<Op>> = BTreeMap::new();
        for op in &ops {
            by_entity.entry(op.entity.clone()).or_default().push(op.clone());
        }
        let encoded_seq = codec::encode(&seq)?;
        let encoded_clock = codec::encode(&hlc)?;
        let seen_rows = vec![(actor.as_bytes().to_vec(), codec::encode(&seen)?)];
        // The actor's recent commits, newest last, for undo (same transaction).
        let batches_key = batches_key(actor);
        let mut batches = self.batches(actor)?;
        batches.push(Batch {
            first: ops.first().map_or(0, |o| o.id.seq),
            last: seq,
            entities: if by_entity.len() <= MAX_UNDO_ENTITIES {
                by_entity.keys().cloned().collect()
            } else {
                Vec::new()
            },
        });
        if batches.len() > MAX_BATCHES {
            batches.drain(..batches.len() - MAX_BATCHES);
        }
        let encoded_batches = codec::encode(&batches)?;
        let mut sig_rows = Vec::new();
        let mut entity_rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut made = Vec::new();
        let mut at = 0;
        for (i, n) in sizes.into_iter().enumerate() {
            if n == 0 {
                continue;
            }
            if let Some(b) = make(i, &ops[at..at + n]).map_err(StoreError::Sign)? {
                let (row, entities) = batch_rows(&b, &ops[at..at + n])?;
                sig_rows.push(row);
                entity_rows.extend(entities);
                made.push(b);
            }
            at += n;
        }
        let head_rows = self.head_rows(&made)?;
        let mut meta: Vec<(&[u8], &Vec<u8>)> = vec![
            (seq_key.as_bytes(), &encoded_seq),
            (b"clock", &encoded_clock),
            (batches_key.as_bytes(), &encoded_batches),
        ];
        meta.extend(head_rows.iter().map(|(k, v)| (k.as_slice(), v)));
        meta.extend(entity_rows.iter().map(|(k, v)| (k.as_slice(), v)));
        self.write_tx(ops.len(), &by_entity, &touched, seen_rows, sig_rows, (&meta, &[]))?;
        *clock = hlc;
        drop(clock);
        self.flush()?;
        self.record_watermark()?;
        Ok(ops)
    }

    /// Merge a teammate's ops: append the unknown ones, re-fold every touched
    /// record from its full op set, record conflicts, flush. Idempotent.
    pub fn merge(&self, foreign: Vec<Op>) -> Result<MergeReport> {
        self.merge_signed(foreign, Vec::new())
    }

    /// [`Store::merge`], keeping the signed batches that prove the ops (the
    /// caller has verified them) in the same transaction.
    pub fn merge_signed(&self, foreign: Vec<Op>, signed: Vec<SignedBatch>) -> Result<MergeReport> {
        self.writable()?;
        // An earlier merge on this handle stopped between its slices and
        // could not be taken out then: now, before its operations look new.
        self.undo_unfinished_merge()?;
        let mut sig_rows = Vec::new();
        let mut fresh_batches = Vec::new();
        let mut entity_rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        // Each author's ops by number: a batch's ops are a range of them.
        let mut by_actor: HashMap<&str, Vec<&Op>> = HashMap::new();
        for op in &foreign {
            by_actor.entry(op.id.actor.as_str()).or_default().push(op);
        }
        for v in by_actor.values_mut() {
            v.sort_by_key(|o| o.id.seq);
        }
        for b in signed {
            let tree = if b.v >= 2 { BATCHES } else { SIGS };
            if !self.trees[tree]
                .contains_key(sig_key(&b.actor, b.first))
                .map_err(|e| self.sled_err(e))?
            {
                let of_actor = by_actor.get(b.actor.as_str()).map(Vec::as_slice).unwrap_or_default();
                let from = of_actor.partition_point(|o| o.id.seq < b.first);
                let to = of_actor.partition_point(|o| o.id.seq <= b.last());
                let (row, entities) = batch_rows(&b, of_actor[from..to].iter().copied())?;
                sig_rows.push(row);
                entity_rows.extend(entities);
                fresh_batches.push(b);
            }
        }
        let head_rows = self.head_rows(&fresh_batches)?;
        let mut report = MergeReport {
            received: foreign.len(),
            ..Default::default()
        };
        let mut clock = self.lock_clock();
        let mut seen: HashMap<String, SeqSet> = HashMap::new();
        let mut fresh = Vec::new();
        for op in foreign {
            if !seen.contains_key(&op.id.actor) {
                seen.insert(op.id.actor.clone(), self.seen(&op.id.actor)?);
            }
            let set = seen.get_mut(&op.id.actor).expect("inserted above");
            if set.contains(op.id.seq) {
                report.already_known += 1;
                continue;
            }
            set.insert(op.id.seq);
            fresh.push(op);
        }
        report.applied = fresh.len();
        if fresh.is_empty() {
            if !sig_rows.is_empty() {
                // Signatures of ops already held (they came unsigned before).
                let mut meta: Vec<(&[u8], &Vec<u8>)> = head_rows.iter().map(|(k, v)| (k.as_slice(), v)).collect();
                meta.extend(entity_rows.iter().map(|(k, v)| (k.as_slice(), v)));
                self.write_tx(
                    0,
                    &BTreeMap::new(),
                    &BTreeMap::new(),
                    Vec::new(),
                    sig_rows,
                    (&meta, &[]),
                )?;
                self.flush()?;
            }
            return Ok(report);
        }
        sort_ops(&mut fresh);
        let fresh_count = fresh.len();
        let max_seen = fresh.iter().map(|o| o.hlc).max().unwrap_or_default();
        // Moved, not copied: a bundle of 1.2 million ops is held once.
        let mut by_entity: BTreeMap<EntityId, Vec<Op>> = BTreeMap::new();
        for op in fresh {
            by_entity.entry(op.entity.clone()).or_default().push(op);
        }
        let new_clock = clock.observe(max_seen);
        let encoded_clock = codec::encode(&new_clock)?;
        let mut seen_rows = Vec::new();
        for (actor, set) in &seen {
            seen_rows.push((actor.as_bytes().to_vec(), codec::encode(set)?));
        }
        let mut meta: Vec<(&[u8], &Vec<u8>)> = vec![(b"clock", &encoded_clock)];
        meta.extend(head_rows.iter().map(|(k, v)| (k.as_slice(), v)));
        meta.extend(entity_rows.iter().map(|(k, v)| (k.as_slice(), v)));
        // Records in slices of about MERGE_SLICE operations, each slice its
        // own transaction; the last one also writes what makes the
        // operations held (numbers, batches, heads, count, clock).
        let mut slices: Vec<BTreeMap<EntityId, Vec<Op>>> = Vec::new();
        let mut cur: BTreeMap<EntityId, Vec<Op>> = BTreeMap::new();
        let mut cur_ops = 0usize;
        for (e, ops) in by_entity {
            cur_ops += ops.len();
            cur.insert(e, ops);
            if cur_ops >= self.merge_slice {
                slices.push(std::mem::take(&mut cur));
                cur_ops = 0;
            }
        }
        if !cur.is_empty() || slices.is_empty() {
            slices.push(cur);
        }
        let n_slices = slices.len();
        let mut markers: Vec<Vec<u8>> = Vec::new();
        let mut sig_rows = Some(sig_rows);
        let mut seen_rows = Some(seen_rows);
        for (i, slice) in slices.into_iter().enumerate() {
            let last = i + 1 == n_slices;
            let touched = match self.fold_slice(&slice, &mut report) {
                Ok(t) => t,
                Err(e) => {
                    if !markers.is_empty() {
                        let _ = self.undo_unfinished_merge();
                    }
                    return Err(e);
                }
            };
            if last {
                let seen_rows = seen_rows.take().unwrap_or_default();
                let sig_rows = sig_rows.take().unwrap_or_default();
                let wrote = self.write_tx(fresh_count, &slice, &touched, seen_rows, sig_rows, (&meta, &markers));
                if let Err(e) = wrote {
                    if !markers.is_empty() {
                        let _ = self.undo_unfinished_merge();
                    }
                    return Err(e);
                }
            } else {
                // Written with the slice: the records it touched, until the
                // last slice makes its operations held (or, stopped before,
                // the next open takes them out: Store::undo_unfinished_merge).
                let key = format!("{MERGE_PENDING}{i:08}").into_bytes();
                let ents: Vec<&EntityId> = slice.keys().collect();
                let ents = codec::encode(&ents).unwrap_or_default();
                let mut wrote = self.write_tx(0, &slice, &touched, Vec::new(), Vec::new(), (&[(&key, &ents)], &[]));
                markers.push(key);
                if let Some((after, undo)) = self.merge_fault
                    && markers.len() >= after
                    && wrote.is_ok()
                {
                    if !undo {
                        self.flush()?;
                        return Err(self.corrupt("stopped by a test between the slices of a merge"));
                    }
                    wrote = Err(self.corrupt("stopped by a test between the slices of a merge"));
                }
                if let Err(e) = wrote {
                    // Taken out now if it can be (else on the next open).
                    let _ = self.undo_unfinished_merge();
                    return Err(e);
                }
            }
        }
        *clock = new_clock;
        drop(clock);
        self.flush()?;
        self.record_watermark()?;
        Ok(report)
    }

    /// Each record of a merge's slice with its new operations: as stored
    /// and as it becomes. Counts the conflicts the slice opens.
    fn fold_slice(
        &self,
        slice: &BTreeMap<EntityId, Vec<Op>>,
        report: &mut MergeReport,
    ) -> Result<BTreeMap<EntityId, (Option<Record>, Record)>> {
        let mut touched: BTreeMap<EntityId, (Option<Record>, Record)> = BTreeMap::new();
        for (entity, new_ops) in slice {
            let entity = entity.clone();
            let old = self.record(&entity)?;
            let fast = match &old {
                // Appending in order onto the stored fold gives the same result.
                Some(r) => new_ops.first().is_some_and(|o| o.hlc > r.updated),
                None => true,
            };
            let new = if fast {
                let mut r = old.clone().unwrap_or_else(|| Record::empty(entity.clone()));
                for op in new_ops {
                    r.apply(op);
                }
                r
            } else {
                let mut all = self.history(&entity)?;
                all.extend(new_ops.iter().cloned());
                Record::fold(entity.clone(), &all)
            };
            let before = old.as_ref().map_or(0, |r| r.open_conflicts().count());
            report.new_conflicts += new.open_conflicts().count().saturating_sub(before);
            touched.insert(entity, (old, new));
        }
        report.records_touched += touched.len();
        Ok(touched)
    }

    /// Append ops to their entities' chunks. `existing` is how many ops each
    /// entity already has stored (its record's `op_count`).
    fn chunk_rows(&self, e: &EntityId, existing: u32, new_ops: &[Op]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut rows = Vec::new();
        let mut idx = existing / CHUNK;
        let mut cur: Vec<Op> = if !existing.is_multiple_of(CHUNK) {
            match self.trees[CHUNKS]
                .get(chunk_key(e, idx))
                .map_err(|x| self.sled_err(x))?
            {
                Some(v) => codec::decode(&v)?,
                None => return Err(self.corrupt(format!("missing op chunk {idx} of {e}"))),
            }
        } else {
            Vec::new()
        };
        for op in new_ops {
            if cur.len() as u32 == CHUNK {
                rows.push((chunk_key(e, idx), codec::encode(&cur)?));
                idx += 1;
                cur.clear();
            }
            cur.push(op.clone());
        }
        rows.push((chunk_key(e, idx), codec::encode(&cur)?));
        Ok(rows)
    }

    fn write_tx(
        &self,
        new_op_count: usize,
        by_entity: &BTreeMap<EntityId, Vec<Op>>,
        touched: &BTreeMap<EntityId, (Option<Record>, Record)>,
        seen_rows: Vec<(Vec<u8>, Vec<u8>)>,
        sig_rows: Vec<(usize, Vec<u8>, Vec<u8>)>,
        (meta, unmark): MetaRows<'_>,
    ) -> Result<()> {
        // Encode outside the transaction closure (it may run more than once).
        let mut op_rows = Vec::with_capacity(by_entity.len());
        for (e, ops) in by_entity {
            let existing = touched
                .get(e)
                .and_then(|(old, _)| old.as_ref())
                .map_or(0, |r| r.op_count);
            op_rows.extend(self.chunk_rows(e, existing, ops)?);
        }
        let total = codec::encode(&(self.op_count() as u64 + new_op_count as u64))?;
        struct RecRow {
            slot: usize,
            id: Vec<u8>,
            value: Vec<u8>,
            old_index: Vec<Vec<u8>>,
            new_index: Vec<Vec<u8>>,
            old_conflicts: Vec<Vec<u8>>,
            new_conflicts: Vec<(Vec<u8>, Vec<u8>)>,
        }
        let mut rec_rows = Vec::with_capacity(touched.len());
        // Counter changes of the whole transaction, netted.
        let mut counts: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        for (old, new) in touched.values() {
            for k in old.as_ref().map(super::records::count_keys).unwrap_or_default() {
                *counts.entry(k).or_default() -= 1;
            }
            for k in super::records::count_keys(new) {
                *counts.entry(k).or_default() += 1;
            }
        }
        counts.retain(|_, d| *d != 0);
        for (entity, (old, new)) in touched {
            let mut new_conflicts = Vec::new();
            for c in &new.conflicts {
                new_conflicts.push((conflict_key(c), codec::encode(c)?));
            }
            // Only the index keys that change are written (most edits leave
            // every index as it was).
            let before = old.as_ref().map(index_keys).unwrap_or_default();
            let after = index_keys(new);
            let old_index = before.iter().filter(|k| !after.contains(k)).cloned().collect();
            let new_index = after.iter().filter(|k| !before.contains(k)).cloned().collect();
            rec_rows.push(RecRow {
                slot: kind_slot(entity.kind),
                id: entity.id.as_bytes().to_vec(),
                value: codec::encode(new)?,
                old_index,
                new_index,
                old_conflicts: old
                    .as_ref()
                    .map(|r| r.conflicts.iter().map(conflict_key).collect())
                    .unwrap_or_default(),
                new_conflicts,
            });
        }
        let trees: &[sled::Tree] = &self.trees;
        trees
            .transaction(|t: &Vec<TransactionalTree>| -> TxResult<()> {
                for (k, v) in &op_rows {
                    t[CHUNKS].insert(k.as_slice(), v.as_slice())?;
                }
                for (k, v) in &seen_rows {
                    t[SEEN].insert(k.as_slice(), v.as_slice())?;
                }
                for (tree, k, v) in &sig_rows {
                    t[*tree].insert(k.as_slice(), v.as_slice())?;
                }
                t[META].insert(b"op_count".as_slice(), total.as_slice())?;
                for r in &rec_rows {
                    t[r.slot].insert(r.id.as_slice(), r.value.as_slice())?;
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
                for (k, d) in &counts {
                    let cur = t[INDEX]
                        .get(k.as_slice())?
                        .map_or(0, |v| super::records::count_value(&v));
                    let n = (cur as i64 + d).max(0) as u64;
                    if n == 0 {
                        t[INDEX].remove(k.as_slice())?;
                    } else {
                        t[INDEX].insert(k.as_slice(), &n.to_be_bytes())?;
                    }
                }
                for (k, v) in meta {
                    t[META].insert(*k, v.as_slice())?;
                }
                for k in unmark {
                    t[META].remove(k.as_slice())?;
                }
                tx_codec(Ok(()))
            })
            .map_err(|e| self.tx_err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ops::{Change, Kind};

    #[test]
    fn seq_set_merges_ranges() {
        let mut s = SeqSet::default();
        for x in [5, 1, 3, 2, 9, 4, 10] {
            s.insert(x);
        }
        assert_eq!(s.0, vec![(1, 5), (9, 10)]);
        assert!(s.contains(1) && s.contains(5) && s.contains(9) && s.contains(10));
        assert!(!s.contains(0) && !s.contains(6) && !s.contains(8) && !s.contains(11));
        s.insert(7);
        s.insert(6);
        s.insert(8);
        assert_eq!(s.0, vec![(1, 10)]);
    }

    #[test]
    fn ranges_join_into_the_same_set_as_numbers_one_by_one() {
        let ranges = vec![
            (9, 10),
            (1, 3),
            (4, 4),
            (20, 18),
            (2, 6),
            (12, 12),
            (u64::MAX, u64::MAX),
        ];
        let mut one_by_one = SeqSet::default();
        for &(a, b) in &ranges {
            if a <= b {
                for x in a..=b {
                    one_by_one.insert(x);
                }
            }
        }
        assert_eq!(SeqSet::from_ranges(ranges), one_by_one);
        assert_eq!(one_by_one.0, vec![(1, 6), (9, 10), (12, 12), (u64::MAX, u64::MAX)]);
    }

    #[test]
    fn long_histories_span_chunks_and_stay_ordered() {
        let s = Store::temporary().unwrap();
        let e = EntityId::new(Kind::Finding, "ZW-001");
        for i in 0..(CHUNK * 2 + 5) {
            let base = s.record(&e).unwrap().and_then(|r| r.base_of_raw("n"));
            s.commit(
                "zw",
                vec![Draft {
                    entity: e.clone(),
                    change: Change::Set {
                        field: "n".into(),
                        value: i64::from(i).into(),
                    },
                    base,
                }],
            )
            .unwrap();
        }
        let h = s.history(&e).unwrap();
        assert_eq!(h.len() as u32, CHUNK * 2 + 5);
        assert!(h.windows(2).all(|w| w[0].order_key() < w[1].order_key()));
        assert_eq!(s.op_count(), h.len());
        assert_eq!(s.record(&e).unwrap().unwrap().op_count as usize, h.len());
        // A second entity's prefix is not confused with this one's (ZW-0010 vs ZW-001).
        let other = EntityId::new(Kind::Finding, "ZW-0010");
        s.commit(
            "zw",
            vec![Draft {
                entity: other.clone(),
                change: Change::Create,
                base: None,
            }],
        )
        .unwrap();
        assert_eq!(s.history(&e).unwrap().len(), h.len());
        assert_eq!(s.history(&other).unwrap().len(), 1);
    }
}
