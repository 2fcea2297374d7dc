//! The sled store: operations log, materialised records, indexes, conflicts and
//! the content-addressed evidence blob folder.
//!
//! Every write goes through [`Store::commit`] (local edits) or [`Store::merge`]
//! (a teammate's ops). Both append ops, re-fold the touched records and update
//! indexes in one sled transaction, then flush before returning.

pub mod codec;
pub mod migrate;

use crate::model::ops::{Change, Conflict, EntityId, Hlc, Kind, Op, OpId, Record, sort_ops};
use codec::{CodecError, SCHEMA_VERSION};
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {} is in use by another cscaudit process; close it first", .path.display())]
    Locked { path: PathBuf },
    #[error(
        "the database {} was written by a newer cscaudit (schema {found}, this build supports {supported}); nothing was changed — upgrade cscaudit to open it",
        .path.display()
    )]
    NewerSchema { path: PathBuf, found: u16, supported: u16 },
    #[error("the database {} is damaged: {what}", .path.display())]
    Corrupt { path: PathBuf, what: String },
    #[error("database error at {}: {source}", .path.display())]
    Sled { path: PathBuf, source: sled::Error },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Codec(#[from] CodecError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// The error as a sentence in both languages.
    pub fn message(&self) -> crate::message::Msg {
        use crate::message::Msg;
        match self {
            StoreError::Locked { path } => {
                let p = path.display();
                crate::msg!(
                    "the database {p} is in use by another cscaudit process; close it first",
                    "数据库 {p} 正被另一个 cscaudit 进程使用；请先关闭它"
                )
            }
            StoreError::NewerSchema { path, found, supported } => {
                let p = path.display();
                Msg::new(
                    self.to_string(),
                    format!(
                        "数据库 {p} 由更新版本的 cscaudit 写入（架构 {found}，本版本支持 {supported}）；未作任何更改，请升级 cscaudit"
                    ),
                )
            }
            StoreError::Corrupt { path, what } => {
                let p = path.display();
                Msg::new(self.to_string(), format!("数据库 {p} 已损坏：{what}"))
            }
            StoreError::Sled { path, source } => {
                let p = path.display();
                Msg::new(self.to_string(), format!("数据库 {p} 出错：{source}"))
            }
            StoreError::Io { .. } | StoreError::Codec(_) => Msg::same(self.to_string()),
        }
    }
}

/// A change the app wants to make; the store gives it an id and a clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub entity: EntityId,
    pub change: Change,
    pub base: Option<OpId>,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MergeReport {
    pub received: usize,
    pub applied: usize,
    pub already_known: usize,
    pub records_touched: usize,
    pub new_conflicts: usize,
}

// Tree slots, in the order of `Store::trees`.
const META: usize = 0;
/// Ops, grouped per entity in chunks of up to `CHUNK` ops (key: entity prefix + chunk no).
const CHUNKS: usize = 1;
/// Per actor, the sequence numbers already stored (a set of ranges): exact dedupe.
const SEEN: usize = 2;
const RECORDS: usize = 3; // one tree per kind: RECORDS + kind index
const INDEX: usize = RECORDS + Kind::ALL.len();
const CONFLICTS: usize = INDEX + 1;
const TREE_COUNT: usize = CONFLICTS + 1;

/// Secondary indexes: one tree, keys prefixed by the index tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IndexTag {
    FindingStatus = 1,
    FindingGrade = 2,
    FindingDue = 3,
    ActionDue = 4,
    ActionOwner = 5,
    ActionFinding = 6,
}

fn kind_slot(kind: Kind) -> usize {
    RECORDS + Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

fn tree_names() -> Vec<String> {
    let mut v = vec!["meta".to_string(), "op_chunks".into(), "seen".into()];
    v.extend(Kind::ALL.iter().map(|k| format!("rec_{}", k.name())));
    v.push("index".into());
    v.push("conflicts".into());
    debug_assert_eq!(v.len(), TREE_COUNT);
    v
}

/// Ops per stored chunk: bounds the bytes rewritten when one op is appended.
const CHUNK: u32 = 64;

fn chunk_key(e: &EntityId, idx: u32) -> Vec<u8> {
    let mut k = entity_prefix(e);
    k.extend_from_slice(&idx.to_be_bytes());
    k
}

/// Sorted, disjoint, inclusive ranges of sequence numbers.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeqSet(Vec<(u64, u64)>);

impl SeqSet {
    pub fn contains(&self, seq: u64) -> bool {
        let i = self.0.partition_point(|r| r.1 < seq);
        self.0.get(i).is_some_and(|r| r.0 <= seq)
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

fn op_id_key(id: &OpId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.actor.len());
    k.extend_from_slice(id.actor.as_bytes());
    k.push(0);
    k.extend_from_slice(&id.seq.to_be_bytes());
    k
}

fn entity_prefix(e: &EntityId) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + e.id.len());
    k.push(e.kind.tag());
    k.extend_from_slice(e.id.as_bytes());
    k.push(0);
    k
}

fn index_key(tag: IndexTag, engagement: &str, value: &str, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + engagement.len() + value.len() + id.len());
    k.push(tag as u8);
    k.extend_from_slice(engagement.as_bytes());
    k.push(0);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

/// Index entries a record contributes.
fn index_keys(r: &Record) -> Vec<Vec<u8>> {
    if r.deleted {
        return Vec::new();
    }
    let eng = r.text("engagement");
    let id = &r.entity.id;
    let date = |f: &str| r.date(f).map(|d| d.to_string()).unwrap_or_else(|| "~".into());
    match r.entity.kind {
        Kind::Finding => vec![
            index_key(IndexTag::FindingStatus, &eng, &r.text("status"), id),
            index_key(IndexTag::FindingGrade, &eng, &r.text("grade"), id),
            index_key(IndexTag::FindingDue, &eng, &date("closure_due"), id),
        ],
        Kind::Action => vec![
            index_key(IndexTag::ActionDue, &eng, &date("due"), id),
            index_key(IndexTag::ActionOwner, &eng, &r.text("owner"), id),
            index_key(IndexTag::ActionFinding, &eng, &r.text("finding"), id),
        ],
        _ => Vec::new(),
    }
}

fn conflict_key(c: &Conflict) -> Vec<u8> {
    let mut k = entity_prefix(&c.entity);
    k.extend_from_slice(c.field.as_bytes());
    k.push(0);
    k.extend_from_slice(&op_id_key(&c.loser));
    k
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<CodecError>>;

fn tx_codec<T>(r: std::result::Result<T, CodecError>) -> TxResult<T> {
    r.map_err(ConflictableTransactionError::Abort)
}

pub struct Store {
    path: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    blobs: PathBuf,
    /// Serialises writers within the process and holds the local clock.
    clock: Mutex<Hlc>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (or create) the database in `dir` (`dir/db` for sled, `dir/blobs` for evidence).
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("db");
        // A bounded page cache keeps the resident set small on large databases.
        let db = sled::Config::new()
            .path(&path)
            .cache_capacity(64 << 20)
            .open()
            .map_err(|e| match e {
                sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
                    StoreError::Locked { path: path.clone() }
                }
                other => StoreError::Sled {
                    path: path.clone(),
                    source: other,
                },
            })?;
        Self::from_db(db, path, dir.join("blobs"))
    }

    /// An in-memory store for tests and benchmarks (blobs go to a temp folder).
    pub fn temporary() -> Result<Store> {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(|source| StoreError::Sled {
                path: PathBuf::from("<temporary>"),
                source,
            })?;
        let blobs = std::env::temp_dir().join(format!("cscaudit-blobs-{}-{}", std::process::id(), now_ms()));
        Self::from_db(db, PathBuf::from("<temporary>"), blobs)
    }

    fn from_db(db: sled::Db, path: PathBuf, blobs: PathBuf) -> Result<Store> {
        let sled_err = |source| StoreError::Sled {
            path: path.clone(),
            source,
        };
        let meta = db.open_tree("meta").map_err(sled_err)?;
        let found = match meta.get(b"schema").map_err(sled_err)? {
            Some(v) if v.len() == 2 => Some(u16::from_be_bytes([v[0], v[1]])),
            Some(_) => {
                return Err(StoreError::Corrupt {
                    path,
                    what: "schema stamp".into(),
                });
            }
            None => None,
        };
        match migrate::plan(found) {
            migrate::Plan::TooNew(found) => {
                return Err(StoreError::NewerSchema {
                    path,
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            migrate::Plan::Fresh => {
                meta.insert(b"schema", &SCHEMA_VERSION.to_be_bytes())
                    .map_err(sled_err)?;
            }
            migrate::Plan::Current => {}
            migrate::Plan::Upgrade(steps) => {
                return Err(StoreError::Corrupt {
                    path,
                    what: format!("no migration for schema steps {steps:?}"),
                });
            }
        }
        let mut trees = Vec::with_capacity(TREE_COUNT);
        for name in tree_names() {
            trees.push(db.open_tree(name).map_err(sled_err)?);
        }
        let clock = match trees[META].get(b"clock").map_err(sled_err)? {
            Some(v) => codec::decode(&v)?,
            None => Hlc::default(),
        };
        Ok(Store {
            path,
            db,
            trees,
            blobs,
            clock: Mutex::new(clock),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sled_err(&self, source: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn tx_err(&self, e: TransactionError<CodecError>) -> StoreError {
        match e {
            TransactionError::Abort(c) => StoreError::Codec(c),
            TransactionError::Storage(s) => self.sled_err(s),
        }
    }

    /// Stamp a schema version (used by tests to simulate a newer writer).
    #[doc(hidden)]
    pub fn stamp_schema(&self, v: u16) -> Result<()> {
        self.trees[META]
            .insert(b"schema", &v.to_be_bytes())
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    // ------------------------------------------------------------------ meta

    pub fn meta_get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.trees[META].get(key.as_bytes()).map_err(|e| self.sled_err(e))? {
            Some(v) => Ok(Some(codec::decode(&v)?)),
            None => Ok(None),
        }
    }

    pub fn meta_set<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let _w = self.lock_clock();
        self.trees[META]
            .insert(key.as_bytes(), codec::encode(value)?)
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Atomically take the next number of a named counter (e.g. a reference series).
    pub fn next_counter(&self, name: &str) -> Result<u64> {
        let key = format!("counter/{name}");
        let _w = self.lock_clock();
        let cur: u64 = self.meta_get(&key)?.unwrap_or(0);
        let next = cur + 1;
        self.trees[META]
            .insert(key.as_bytes(), codec::encode(&next)?)
            .map_err(|e| self.sled_err(e))?;
        Ok(next)
    }

    fn lock_clock(&self) -> std::sync::MutexGuard<'_, Hlc> {
        self.clock.lock().unwrap_or_else(|p| p.into_inner())
    }

    // ------------------------------------------------------------------ reads

    pub fn record(&self, e: &EntityId) -> Result<Option<Record>> {
        match self.trees[kind_slot(e.kind)]
            .get(e.id.as_bytes())
            .map_err(|x| self.sled_err(x))?
        {
            Some(v) => Ok(Some(codec::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Live (not deleted) records of a kind whose id starts with `prefix`.
    pub fn records(&self, kind: Kind, prefix: &str) -> Result<Vec<Record>> {
        self.records_map(kind, prefix, |r| Some(r.clone()))
    }

    /// Scan records of a kind and map each live one (decoding runs on every
    /// core: large engagements load in a fraction of the time).
    pub fn records_map<T: Send>(
        &self,
        kind: Kind,
        prefix: &str,
        f: impl Fn(&Record) -> Option<T> + Sync,
    ) -> Result<Vec<T>> {
        let mut raw = Vec::new();
        for kv in self.trees[kind_slot(kind)].scan_prefix(prefix.as_bytes()) {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            raw.push(v);
        }
        let decode = |chunk: &[sled::IVec]| -> std::result::Result<Vec<T>, CodecError> {
            let mut out = Vec::with_capacity(chunk.len());
            for v in chunk {
                let r: Record = codec::decode(v)?;
                if !r.deleted
                    && let Some(x) = f(&r)
                {
                    out.push(x);
                }
            }
            Ok(out)
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if raw.len() < 2048 || threads < 2 {
            return Ok(decode(&raw)?);
        }
        let size = raw.len().div_ceil(threads);
        let parts: Vec<std::result::Result<Vec<T>, CodecError>> = std::thread::scope(|s| {
            let handles: Vec<_> = raw.chunks(size).map(|c| s.spawn(|| decode(c))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(CodecError::Decode("decoder thread panicked".into())))
                })
                .collect()
        });
        let mut out = Vec::with_capacity(raw.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    /// Ids from an index, for one engagement and an optional value prefix.
    pub fn index_ids(&self, tag: IndexTag, engagement: &str, value: Option<&str>) -> Result<Vec<String>> {
        let mut prefix = vec![tag as u8];
        prefix.extend_from_slice(engagement.as_bytes());
        prefix.push(0);
        if let Some(v) = value {
            prefix.extend_from_slice(v.as_bytes());
            prefix.push(0);
        }
        let mut out = Vec::new();
        for kv in self.trees[INDEX].scan_prefix(&prefix) {
            let (k, _) = kv.map_err(|e| self.sled_err(e))?;
            let id = k.rsplit(|b| *b == 0).next().unwrap_or_default();
            out.push(String::from_utf8_lossy(id).into_owned());
        }
        Ok(out)
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

    /// Open conflicts across the database.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        let mut out = Vec::new();
        for kv in self.trees[CONFLICTS].iter() {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            let c: Conflict = codec::decode(&v)?;
            if c.resolved_by.is_none() {
                out.push(c);
            }
        }
        Ok(out)
    }

    // ------------------------------------------------------------------ writes

    /// Append local changes by `actor` as ops, update records and indexes in one
    /// transaction, and flush to disk before returning the ops.
    pub fn commit(&self, actor: &str, drafts: Vec<Draft>) -> Result<Vec<Op>> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let mut clock = self.lock_clock();
        let seq_key = format!("seq/{actor}");
        let mut seq: u64 = self.meta_get(&seq_key)?.unwrap_or(0);
        let mut hlc = *clock;
        let ops: Vec<Op> = drafts
            .into_iter()
            .map(|d| {
                seq += 1;
                hlc = hlc.tick(now_ms());
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
        self.write_tx(
            ops.len(),
            &by_entity,
            &touched,
            seen_rows,
            &[(seq_key.as_bytes(), &encoded_seq), (b"clock", &encoded_clock)],
        )?;
        *clock = hlc;
        drop(clock);
        self.flush()?;
        Ok(ops)
    }

    /// Merge a teammate's ops: append the unknown ones, re-fold every touched
    /// record from its full op set, record conflicts, flush. Idempotent.
    pub fn merge(&self, foreign: Vec<Op>) -> Result<MergeReport> {
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
            return Ok(report);
        }
        sort_ops(&mut fresh);
        let mut by_entity: BTreeMap<EntityId, Vec<Op>> = BTreeMap::new();
        for op in &fresh {
            by_entity.entry(op.entity.clone()).or_default().push(op.clone());
        }
        let mut touched: BTreeMap<EntityId, (Option<Record>, Record)> = BTreeMap::new();
        for (entity, new_ops) in &by_entity {
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
        report.records_touched = touched.len();
        let max_seen = fresh.iter().map(|o| o.hlc).max().unwrap_or_default();
        let new_clock = clock.observe(max_seen);
        let encoded_clock = codec::encode(&new_clock)?;
        let mut seen_rows = Vec::new();
        for (actor, set) in &seen {
            seen_rows.push((actor.as_bytes().to_vec(), codec::encode(set)?));
        }
        self.write_tx(
            fresh.len(),
            &by_entity,
            &touched,
            seen_rows,
            &[(b"clock", &encoded_clock)],
        )?;
        *clock = new_clock;
        drop(clock);
        self.flush()?;
        Ok(report)
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
        meta: &[(&[u8], &Vec<u8>)],
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
        for (entity, (old, new)) in touched {
            let mut new_conflicts = Vec::new();
            for c in &new.conflicts {
                new_conflicts.push((conflict_key(c), codec::encode(c)?));
            }
            rec_rows.push(RecRow {
                slot: kind_slot(entity.kind),
                id: entity.id.as_bytes().to_vec(),
                value: codec::encode(new)?,
                old_index: old.as_ref().map(index_keys).unwrap_or_default(),
                new_index: index_keys(new),
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
                for (k, v) in meta {
                    t[META].insert(*k, v.as_slice())?;
                }
                tx_codec(Ok(()))
            })
            .map_err(|e| self.tx_err(e))
    }

    // ------------------------------------------------------------------ blobs

    /// Store bytes in the blob folder under their sha256; returns the hex digest.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.blob_path(&sha);
        if path.exists() {
            return Ok(sha);
        }
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let dir = path.parent().unwrap_or(&self.blobs).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io)?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(sha)
    }

    pub fn blob_path(&self, sha: &str) -> PathBuf {
        let head = sha.get(..2).unwrap_or("00");
        self.blobs.join(head).join(sha)
    }

    pub fn read_blob(&self, sha: &str) -> Result<Vec<u8>> {
        let path = self.blob_path(sha);
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        if hex::encode(Sha256::digest(&bytes)) != sha {
            return Err(self.corrupt(format!("evidence blob {sha} does not match its hash")));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn long_histories_span_chunks_and_stay_ordered() {
        let s = Store::temporary().unwrap();
        let e = EntityId::new(Kind::Finding, "ZW-001");
        for i in 0..(CHUNK * 2 + 5) {
            let base = s.record(&e).unwrap().and_then(|r| r.base_of("n"));
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
