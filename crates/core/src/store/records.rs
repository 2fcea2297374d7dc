//! Materialised records (the fold of each entity's ops), their secondary
//! indexes and the list of open conflicts.
//!
//! Length: about 590 lines of code, then its unit tests.

use super::keys::*;
use super::{Result, Store, codec};
use crate::model::ops::{Conflict, EntityId, Kind, Record};
use codec::CodecError;

/// What makes a record part of the open-by-date indexes and their per-day
/// counters: a finding awaiting its response (response due), an open
/// finding past draft (closure due), an open action (due, owner).
#[derive(Default)]
struct OpenDates {
    response: Option<jiff::civil::Date>,
    closure: Option<jiff::civil::Date>,
    major: bool,
    action: Option<(jiff::civil::Date, String)>,
}

fn open_dates(r: &Record) -> OpenDates {
    use crate::model::action::ActionStatus;
    use crate::model::fields::{ActionField as A, FindingField as F};
    use crate::model::finding::{FindingStatus, Grade};
    let mut o = OpenDates::default();
    match r.entity.kind {
        Kind::Finding => {
            if let Ok(st) = r.text(F::Status).parse::<FindingStatus>() {
                if st.awaits_response() {
                    o.response = r.date(F::ResponseDue);
                }
                o.major = st.is_open() && r.text(F::Grade) == Grade::Major.to_string();
                if st.is_open() && st != FindingStatus::Draft {
                    o.closure = r.date(F::ClosureDue);
                }
            }
        }
        Kind::Action => {
            if r.text(A::Status).parse::<ActionStatus>().is_ok_and(|s| s.is_open())
                && let Some(d) = r.date(A::Due)
            {
                o.action = Some((d, r.text(A::Owner)));
            }
        }
        _ => {}
    }
    o
}

/// Index entries a record contributes (schema 4: one summary key per
/// record, the open-by-date keys, open majors, and actions by finding).
pub(super) fn index_keys(r: &Record) -> Vec<Vec<u8>> {
    use crate::model::fields::{ActionField as A, FindingField as F};
    if r.deleted {
        return Vec::new();
    }
    let id = &r.entity.id;
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "~".into());
    let open = open_dates(r);
    match r.entity.kind {
        Kind::Finding => {
            let eng = r.text(F::Engagement);
            let mut keys = vec![index_key(
                IndexTag::FindingSummary,
                &eng,
                &[
                    r.text(F::Grade),
                    r.text(F::Status),
                    date(r.date(F::ResponseDue)),
                    date(r.date(F::ClosureDue)),
                ]
                .join(&SUMMARY_SEP.to_string()),
                id,
            )];
            if let Some(d) = open.response {
                keys.push(index_key(IndexTag::FindingResponseOpen, &eng, &d.to_string(), id));
            }
            if open.major {
                keys.push(index_key(IndexTag::FindingOpenMajor, &eng, "", id));
            }
            if let Some(d) = open.closure {
                keys.push(index_key(IndexTag::FindingClosureOpen, &eng, &d.to_string(), id));
            }
            keys
        }
        Kind::Action => {
            let eng = r.text(A::Engagement);
            let mut keys = vec![
                index_key(IndexTag::ActionFinding, &eng, &r.text(A::Finding), id),
                index_key(
                    IndexTag::ActionSummary,
                    &eng,
                    &[r.text(A::Status), date(r.date(A::Due)), r.text(A::Owner)].join(&SUMMARY_SEP.to_string()),
                    id,
                ),
            ];
            if let Some((d, owner)) = &open.action {
                keys.push(index_key(
                    IndexTag::ActionOpenDue,
                    &eng,
                    &format!("{d}{SUMMARY_SEP}{owner}"),
                    id,
                ));
            }
            keys
        }
        _ => Vec::new(),
    }
}

/// The per-engagement counters a record adds one to (see [`IndexTag::Count`]):
/// its grade and status (findings), status and owner (actions), and the day
/// of each open-by-date index it is in (`r␟date`, `c␟date`, `d␟date␟owner`),
/// so a count of what is overdue reads a few hundred days, not every record.
pub(super) fn count_keys(r: &Record) -> Vec<Vec<u8>> {
    use crate::model::fields::{ActionField as A, FindingField as F};
    if r.deleted {
        return Vec::new();
    }
    let s = SUMMARY_SEP;
    let open = open_dates(r);
    match r.entity.kind {
        Kind::Finding => {
            let eng = r.text(F::Engagement);
            let mut keys = vec![index_key(
                IndexTag::Count,
                &eng,
                &format!("f{s}{}{s}{}", r.text(F::Grade), r.text(F::Status)),
                "",
            )];
            if let Some(d) = open.response {
                keys.push(index_key(IndexTag::Count, &eng, &format!("r{s}{d}"), ""));
            }
            if let Some(d) = open.closure {
                keys.push(index_key(IndexTag::Count, &eng, &format!("c{s}{d}"), ""));
            }
            keys
        }
        Kind::Action => {
            let eng = r.text(A::Engagement);
            let status = r.text(A::Status);
            let mut keys = vec![
                index_key(IndexTag::Count, &eng, &format!("a{s}{status}"), ""),
                index_key(
                    IndexTag::Count,
                    &eng,
                    &format!("o{s}{status}{s}{}", r.text(A::Owner)),
                    "",
                ),
            ];
            if let Some((d, owner)) = &open.action {
                keys.push(index_key(IndexTag::Count, &eng, &format!("d{s}{d}{s}{owner}"), ""));
            }
            keys
        }
        _ => Vec::new(),
    }
}

/// The start of every key of one engagement in an index: tag, engagement, NUL.
fn engagement_prefix(tag: IndexTag, engagement: &str) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(engagement.len() + 2);
    prefix.push(tag as u8);
    prefix.extend_from_slice(engagement.as_bytes());
    prefix.push(0);
    prefix
}

/// The id of an index key: what follows its last NUL.
fn id_of(key: &[u8]) -> String {
    String::from_utf8_lossy(key.rsplit(|b| *b == 0).next().unwrap_or_default()).into_owned()
}

/// (value, id) of an index key without its engagement prefix: the id is
/// last (after the final NUL), the value before it.
fn value_and_id(rest: &[u8]) -> (String, String) {
    let at = rest.iter().rposition(|b| *b == 0).unwrap_or(0);
    (
        String::from_utf8_lossy(&rest[..at]).into_owned(),
        String::from_utf8_lossy(rest.get(at + 1..).unwrap_or_default()).into_owned(),
    )
}

/// Writes to the index tree applied 10,000 at a time: one batch of
/// millions of keys holds them all in memory at once.
struct Batched<'a> {
    store: &'a Store,
    batch: sled::Batch,
    n: usize,
}

impl<'a> Batched<'a> {
    fn new(store: &'a Store) -> Batched<'a> {
        Batched {
            store,
            batch: sled::Batch::default(),
            n: 0,
        }
    }

    /// One more item in the batch; applied when it holds 10,000.
    fn counted(&mut self) -> Result<()> {
        self.n += 1;
        if self.n.is_multiple_of(10_000) {
            self.store.trees[INDEX]
                .apply_batch(std::mem::take(&mut self.batch))
                .map_err(|e| self.store.sled_err(e))?;
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        self.store.trees[INDEX]
            .apply_batch(self.batch)
            .map_err(|e| self.store.sled_err(e))
    }
}

/// A counter's stored value.
pub(super) fn count_value(v: &[u8]) -> u64 {
    v.try_into().map(u64::from_be_bytes).unwrap_or(0)
}

impl Store {
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

    /// Live records of a kind whose id starts with `prefix`, handed to `each`
    /// one at a time in id order as they are read; `each` returns false to
    /// stop (the first of 100,000 come at once).
    pub fn each_record<E: From<super::StoreError>>(
        &self,
        kind: Kind,
        prefix: &str,
        mut each: impl FnMut(Record) -> std::result::Result<bool, E>,
    ) -> std::result::Result<(), E> {
        for kv in self.trees[kind_slot(kind)].scan_prefix(prefix.as_bytes()) {
            let (_, v) = kv.map_err(|e| self.sled_err(e))?;
            let r: Record = codec::decode(&v).map_err(super::StoreError::from)?;
            if !r.deleted && !each(r)? {
                break;
            }
        }
        Ok(())
    }

    /// Scan records of a kind and map each live one, in key order. Decoding
    /// runs on every core while the scan goes on, a batch at a time: the
    /// encoded records held at once are a few batches, not the whole kind
    /// (at 1,000,000 findings that was a gigabyte held until every record
    /// was decoded).
    pub fn records_map<T: Send>(
        &self,
        kind: Kind,
        prefix: &str,
        f: impl Fn(&Record) -> Option<T> + Sync,
    ) -> Result<Vec<T>> {
        const BATCH: usize = 2048;
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
        let mut scan = self.trees[kind_slot(kind)].scan_prefix(prefix.as_bytes());
        let mut next_batch = || -> Result<Vec<sled::IVec>> {
            let mut batch = Vec::with_capacity(BATCH);
            for kv in scan.by_ref() {
                batch.push(kv.map_err(|e| self.sled_err(e))?.1);
                if batch.len() == BATCH {
                    break;
                }
            }
            Ok(batch)
        };
        let first = next_batch()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        if first.len() < BATCH || threads < 2 {
            // Small: decode here.
            let mut out = decode(&first)?;
            drop(first);
            loop {
                let b = next_batch()?;
                if b.is_empty() {
                    return Ok(out);
                }
                out.extend(decode(&b)?);
            }
        }
        // Large: this thread scans and hands numbered batches to `threads`
        // decoders through a bounded queue, and appends what they return in
        // scan order as it comes (so the decoded parts are freed as the
        // result grows, never held twice).
        type Part<T> = (usize, std::result::Result<Vec<T>, CodecError>);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<sled::IVec>)>(threads);
        let rx = std::sync::Mutex::new(rx);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Part<T>>();
        std::thread::scope(|s| {
            let mut workers = Vec::with_capacity(threads);
            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let (rx, decode) = (&rx, &decode);
                workers.push(s.spawn(move || {
                    loop {
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok((n, batch)) = job else { break };
                        let r = decode(&batch);
                        drop(batch);
                        let failed = r.is_err();
                        if done_tx.send((n, r)).is_err() || failed {
                            break;
                        }
                    }
                }));
            }
            drop(done_tx);
            let mut out: Vec<T> = Vec::new();
            let mut pending: std::collections::BTreeMap<usize, Vec<T>> = std::collections::BTreeMap::new();
            let mut next_out = 0;
            let mut take = |(n, part): Part<T>, out: &mut Vec<T>| -> std::result::Result<(), CodecError> {
                pending.insert(n, part?);
                while let Some(p) = pending.remove(&next_out) {
                    out.extend(p);
                    next_out += 1;
                }
                Ok(())
            };
            let mut batch = first;
            let mut sent = 0;
            let mut failed: Option<super::StoreError> = None;
            while !batch.is_empty() {
                if tx.send((sent, batch)).is_err() {
                    break; // the decoders stopped on an error, received below
                }
                sent += 1;
                while let Ok(part) = done_rx.try_recv() {
                    if let Err(e) = take(part, &mut out) {
                        failed.get_or_insert(e.into());
                    }
                }
                if failed.is_some() {
                    break;
                }
                batch = match next_batch() {
                    Ok(b) => b,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                };
            }
            drop(tx);
            for part in done_rx {
                if let Err(e) = take(part, &mut out) {
                    failed.get_or_insert(e.into());
                }
            }
            // Joined here, so a decoder that panicked is an error, not a
            // panic of the scope.
            for w in workers {
                let _ = w.join();
            }
            match failed {
                Some(e) => Err(e),
                None if next_out < sent => Err(CodecError::Decode("decoder thread panicked".into()).into()),
                None => Ok(out),
            }
        })
    }

    /// Ids from an index, for one engagement and an optional value prefix.
    pub fn index_ids(&self, tag: IndexTag, engagement: &str, value: Option<&str>) -> Result<Vec<String>> {
        let mut prefix = engagement_prefix(tag, engagement);
        if let Some(v) = value {
            prefix.extend_from_slice(v.as_bytes());
            prefix.push(0);
        }
        let mut out = Vec::new();
        for kv in self.trees[INDEX].scan_prefix(&prefix) {
            out.push(id_of(&kv.map_err(|e| self.sled_err(e))?.0));
        }
        Ok(out)
    }

    /// (value, id) of every key of an index for one engagement, in key order.
    pub fn index_entries(&self, tag: IndexTag, engagement: &str) -> Result<Vec<(String, String)>> {
        self.index_range(tag, engagement, "", None)
    }

    /// Migrations: remove the retired indexes' keys, then write every
    /// finding's and action's index keys again (keys already there are
    /// rewritten as they are). Run again after a crash, it ends the same.
    pub(super) fn reindex(&self) -> Result<()> {
        let mut w = Batched::new(self);
        for tag in RETIRED_INDEX_TAGS {
            for kv in self.trees[INDEX].scan_prefix([tag]) {
                let (k, _) = kv.map_err(|e| self.sled_err(e))?;
                w.batch.remove(k);
                w.counted()?;
            }
        }
        for kind in [Kind::Finding, Kind::Action] {
            for kv in self.trees[kind_slot(kind)].iter() {
                let (_, v) = kv.map_err(|e| self.sled_err(e))?;
                let r: Record = codec::decode(&v)?;
                for k in index_keys(&r) {
                    w.batch.insert(k, &[] as &[u8]);
                }
                w.counted()?;
            }
        }
        w.finish()
    }

    /// Every counter as the records say it should be.
    fn counted(&self) -> Result<std::collections::BTreeMap<Vec<u8>, u64>> {
        let mut counts: std::collections::BTreeMap<Vec<u8>, u64> = Default::default();
        for kind in [Kind::Finding, Kind::Action] {
            for kv in self.trees[kind_slot(kind)].iter() {
                let (_, v) = kv.map_err(|e| self.sled_err(e))?;
                let r: Record = codec::decode(&v)?;
                for k in count_keys(&r) {
                    *counts.entry(k).or_default() += 1;
                }
            }
        }
        Ok(counts)
    }

    /// Counters whose stored value differs from a count of the records
    /// (`doctor`): (counter, stored, counted).
    pub fn counts_differing(&self) -> Result<Vec<(String, u64, u64)>> {
        let want = self.counted()?;
        let mut have: std::collections::BTreeMap<Vec<u8>, u64> = Default::default();
        for kv in self.trees[INDEX].scan_prefix([IndexTag::Count as u8]) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            have.insert(k.to_vec(), count_value(&v));
        }
        let mut out = Vec::new();
        for k in want
            .keys()
            .chain(have.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (h, w) = (have.get(k).copied().unwrap_or(0), want.get(k).copied().unwrap_or(0));
            if h != w {
                let name = String::from_utf8_lossy(&k[1..]).replace(['\0', SUMMARY_SEP], " ");
                out.push((name.trim().to_string(), h, w));
            }
        }
        Ok(out)
    }

    /// Schema 2 → 3: every engagement's counters computed from its records.
    pub(super) fn recount(&self) -> Result<()> {
        let counts = self.counted()?;
        let mut batch = sled::Batch::default();
        for kv in self.trees[INDEX].scan_prefix([IndexTag::Count as u8]) {
            let (k, _) = kv.map_err(|e| self.sled_err(e))?;
            batch.remove(k);
        }
        for (k, n) in counts {
            batch.insert(k, &n.to_be_bytes());
        }
        self.trees[INDEX].apply_batch(batch).map_err(|e| self.sled_err(e))
    }

    /// The sum, over every engagement, of the counters whose name starts
    /// with `kind` ("f": findings, "a": actions).
    pub fn count_all(&self, kind: &str) -> Result<u64> {
        let head = format!("{kind}{SUMMARY_SEP}");
        let mut n = 0;
        for kv in self.trees[INDEX].scan_prefix([IndexTag::Count as u8]) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            // tag, engagement, NUL, then the counter's name.
            let name = k.iter().position(|b| *b == 0).map_or(&[][..], |at| &k[at + 1..]);
            if name.starts_with(head.as_bytes()) {
                n += count_value(&v);
            }
        }
        Ok(n)
    }

    /// The ids of the first `n` keys of an index for one engagement.
    pub fn index_first(&self, tag: IndexTag, engagement: &str, n: usize) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for kv in self.trees[INDEX]
            .scan_prefix(engagement_prefix(tag, engagement))
            .take(n)
        {
            out.push(id_of(&kv.map_err(|e| self.sled_err(e))?.0));
        }
        Ok(out)
    }

    /// An engagement's counters: (name, count), names as in [`IndexTag::Count`].
    pub fn counts(&self, engagement: &str) -> Result<Vec<(String, u64)>> {
        let prefix = engagement_prefix(IndexTag::Count, engagement);
        let mut out = Vec::new();
        for kv in self.trees[INDEX].scan_prefix(&prefix) {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            let rest = &k[prefix.len()..];
            let name = rest.strip_suffix(&[0]).unwrap_or(rest);
            out.push((String::from_utf8_lossy(name).into_owned(), count_value(&v)));
        }
        Ok(out)
    }

    /// (value, id) of the keys of an index for one engagement whose value
    /// starts with `from` and sorts before `to` (`None`: to the end).
    pub fn index_range(
        &self,
        tag: IndexTag,
        engagement: &str,
        from: &str,
        to: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        self.index_each(tag, engagement, from, to, &mut |value, id| {
            out.push((value.to_string(), id.to_string()));
            true
        })?;
        Ok(out)
    }

    /// [`Store::index_range`] handed to `each` (value, id) in key order as it
    /// is read; `each` returns false to stop.
    pub fn index_each(
        &self,
        tag: IndexTag,
        engagement: &str,
        from: &str,
        to: Option<&str>,
        each: &mut dyn FnMut(&str, &str) -> bool,
    ) -> Result<()> {
        let prefix = engagement_prefix(tag, engagement);
        let mut start = prefix.clone();
        start.extend_from_slice(from.as_bytes());
        let mut end = prefix.clone();
        match to {
            Some(t) => end.extend_from_slice(t.as_bytes()),
            None => {
                // Past every key of this engagement's index.
                end.pop();
                end.push(1);
            }
        }
        for kv in self.trees[INDEX].range(start..end) {
            let (k, _) = kv.map_err(|e| self.sled_err(e))?;
            let (value, id) = value_and_id(&k[prefix.len()..]);
            if !each(&value, &id) {
                break;
            }
        }
        Ok(())
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
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::kind_slot;
    use crate::model::ops::{Change, EntityId, Kind};
    use crate::store::Draft;

    fn findings(s: &Store, n: usize) {
        for start in (0..n).step_by(1000) {
            let drafts = (start..(start + 1000).min(n))
                .flat_map(|i| {
                    let e = EntityId::new(Kind::Finding, format!("T-{i:06}"));
                    [
                        Draft {
                            entity: e.clone(),
                            change: Change::Create,
                            base: None,
                        },
                        Draft {
                            entity: e,
                            change: Change::Set {
                                field: "title".into(),
                                value: format!("标题 {i}").into(),
                            },
                            base: None,
                        },
                    ]
                })
                .collect();
            s.commit("zw", drafts).unwrap();
        }
    }

    /// Many batches decoded on several threads come back complete and in key
    /// order, the same as one record at a time.
    #[test]
    fn a_parallel_scan_keeps_key_order_and_misses_nothing() {
        let s = Store::temporary().unwrap();
        findings(&s, 9_001);
        let got = s
            .records_map(Kind::Finding, "", |r| {
                Some(r.text(crate::model::fields::FindingField::Title))
            })
            .unwrap();
        let mut one_by_one = Vec::new();
        s.each_record(Kind::Finding, "", |r| -> super::Result<bool> {
            one_by_one.push(r.text(crate::model::fields::FindingField::Title));
            Ok(true)
        })
        .unwrap();
        assert_eq!(got.len(), 9_001);
        assert_eq!(got, one_by_one);
        assert_eq!(got[9_000], "标题 9000");
        // A filter keeps only what it maps.
        let odd = s
            .records_map(Kind::Finding, "T-0", |r| {
                r.entity.id.ends_with('1').then(|| r.entity.id.clone())
            })
            .unwrap();
        assert_eq!(odd.len(), 900);
        assert!(odd.windows(2).all(|w| w[0] < w[1]));
    }

    /// A record that does not decode, late in a large scan, is an error (not
    /// a panic, not a shorter list).
    #[test]
    fn a_damaged_record_in_a_parallel_scan_is_an_error() {
        let s = Store::temporary().unwrap();
        findings(&s, 6_000);
        let tree = &s.trees[kind_slot(Kind::Finding)];
        let key = tree.iter().keys().nth(5_000).unwrap().unwrap();
        tree.insert(key, &b"\xff\xff not a record"[..]).unwrap();
        assert!(s.records_map(Kind::Finding, "", |r| Some(r.entity.id.clone())).is_err());
    }
}
