//! Tree slots and key encodings: big-endian, prefix-scannable.

use crate::model::ops::{Conflict, EntityId, Kind, OpId};

// Tree slots, in the order of `Store::trees`.
pub(super) const META: usize = 0;
/// Ops, grouped per entity in chunks of up to `CHUNK` ops (key: entity prefix + chunk no).
pub(super) const CHUNKS: usize = 1;
/// Per actor, the sequence numbers already stored (a set of ranges): exact dedupe.
pub(super) const SEEN: usize = 2;
pub(super) const RECORDS: usize = 3; // one tree per kind: RECORDS + kind index
pub(super) const INDEX: usize = RECORDS + Kind::ALL.len();
pub(super) const CONFLICTS: usize = INDEX + 1;
/// Signed batches: key actor + 0 + first sequence number (big-endian).
pub(super) const SIGS: usize = CONFLICTS + 1;
/// Batches of format 2 (signed or not): key actor + 0 + first sequence number.
pub(super) const BATCHES: usize = SIGS + 1;
pub(super) const TREE_COUNT: usize = BATCHES + 1;

/// Secondary indexes: one tree, keys prefixed by the index tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IndexTag {
    // 1–5 (finding status, grade, closure due; action due, owner) were
    // retired in schema 4: the summary keys answer what they did.
    ActionFinding = 6,
    /// `grade␟status␟response due␟closure due` per finding (schema 2):
    /// `status` counts 100,000 findings from keys alone.
    FindingSummary = 7,
    /// `status␟due␟owner` per action (schema 2).
    ActionSummary = 8,
    /// Findings awaiting a response, by response due date (schema 3).
    FindingResponseOpen = 9,
    /// Open findings past draft, by closure due date (schema 3).
    FindingClosureOpen = 10,
    /// Open actions by `due␟owner` (schema 3): overdue and due-soon lists
    /// are a range of it, read up to a month ahead.
    ActionOpenDue = 11,
    /// Per-engagement counters kept in each write transaction (schema 3):
    /// `f␟grade␟status`, `a␟status`, `o␟status␟owner`; and (schema 4) per
    /// day of the open-by-date indexes `r␟date`, `c␟date`, `d␟date␟owner`;
    /// value u64 big-endian.
    Count = 12,
    /// Open major findings by reference (schema 3).
    FindingOpenMajor = 13,
}

/// Index tags of schema ≤ 3 that schema 4 no longer keeps (removed by the
/// migration).
pub(super) const RETIRED_INDEX_TAGS: [u8; 5] = [1, 2, 3, 4, 5];

/// Separates the parts of a summary index value.
pub const SUMMARY_SEP: char = '\u{1f}';

pub(super) fn kind_slot(kind: Kind) -> usize {
    RECORDS + Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

pub(super) fn tree_names() -> Vec<String> {
    let mut v = vec!["meta".to_string(), "op_chunks".into(), "seen".into()];
    v.extend(Kind::ALL.iter().map(|k| format!("rec_{}", k.name())));
    v.push("index".into());
    v.push("conflicts".into());
    v.push("signatures".into());
    v.push("batches".into());
    debug_assert_eq!(v.len(), TREE_COUNT);
    v
}

/// Ops per stored chunk: bounds the bytes rewritten when one op is appended.
pub(super) const CHUNK: u32 = 64;

pub(super) fn chunk_key(e: &EntityId, idx: u32) -> Vec<u8> {
    let mut k = entity_prefix(e);
    k.extend_from_slice(&idx.to_be_bytes());
    k
}

pub(super) fn op_id_key(id: &OpId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.actor.len());
    k.extend_from_slice(id.actor.as_bytes());
    k.push(0);
    k.extend_from_slice(&id.seq.to_be_bytes());
    k
}

pub(super) fn entity_prefix(e: &EntityId) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + e.id.len());
    k.push(e.kind.tag());
    k.extend_from_slice(e.id.as_bytes());
    k.push(0);
    k
}

pub(super) fn index_key(tag: IndexTag, engagement: &str, value: &str, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + engagement.len() + value.len() + id.len());
    k.push(tag as u8);
    k.extend_from_slice(engagement.as_bytes());
    k.push(0);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

pub(super) fn conflict_key(c: &Conflict) -> Vec<u8> {
    let mut k = entity_prefix(&c.entity);
    k.extend_from_slice(c.field.as_bytes());
    k.push(0);
    k.extend_from_slice(&op_id_key(&c.loser));
    k
}

pub(super) fn sig_key(actor: &str, first: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(actor.len() + 9);
    k.extend_from_slice(actor.as_bytes());
    k.push(0);
    k.extend_from_slice(&first.to_be_bytes());
    k
}
