//! Diagnostics behind the hidden `debug` command: a stream of durable commits
//! for crash tests and latency measurement, and a consistency check.

use super::{App, Result, create, set};
use crate::model::engagement::EngagementKind;
use crate::model::fields::EngagementField;
use crate::model::ops::{Change, EntityId, Kind};
use crate::store::Draft;

/// The engagement the commit stream writes to.
pub const STREAM_ENGAGEMENT: &str = "STREAM";
/// The stream's counter: a field this build's engagements do not define, so
/// the stream also exercises how unknown fields are kept.
pub const STREAM_FIELD: &str = "stream_counter";

impl App {
    /// The last value the commit stream stored (0 before the first).
    pub fn stream_counter(&self) -> Result<u64> {
        let e = EntityId::new(Kind::Engagement, STREAM_ENGAGEMENT);
        Ok(self
            .store()
            .record(&e)?
            .and_then(|r| r.get_raw(STREAM_FIELD).and_then(|v| v.int()))
            .unwrap_or(0) as u64)
    }

    /// Commit the counter value `k` as one durable op (the first call also
    /// creates the stream's engagement).
    pub fn stream_commit(&self, k: u64) -> Result<()> {
        let e = EntityId::new(Kind::Engagement, STREAM_ENGAGEMENT);
        let cur = self.store().record(&e)?;
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(&e));
            d.push(set(
                &e,
                None,
                EngagementField::Kind,
                EngagementKind::SelfAssessment.as_str(),
            ));
            d.push(set(&e, None, EngagementField::Title, "commit stream"));
        }
        d.push(Draft {
            entity: e,
            change: Change::Set {
                field: STREAM_FIELD.into(),
                value: (k as i64).into(),
            },
            base: cur.and_then(|r| r.base_of_raw(STREAM_FIELD)),
        });
        self.commit(d)?;
        Ok(())
    }

    /// Read every op and every record: (ops, records).
    pub fn check_store(&self) -> Result<(usize, usize)> {
        let ops = self.store().all_ops()?.len();
        let mut records = 0;
        for k in Kind::ALL {
            records += self.store().records(k, "")?.len();
        }
        Ok((ops, records))
    }
}

/// What `doctor` found: the database against its own log, every signature,
/// every evidence file.
#[derive(Debug, Default)]
pub struct DoctorReport {
    pub ops: usize,
    /// The operation count the database recorded (equals `ops` when whole).
    pub ops_recorded: usize,
    pub records: usize,
    /// Records whose stored form differs from the fold of their operations.
    pub records_differing: Vec<EntityId>,
    pub signed: usize,
    pub unsigned: usize,
    /// Changes with a signature that does not verify, and why.
    pub invalid: Vec<(crate::model::ops::OpId, String)>,
    pub evidence: usize,
    pub evidence_bad: Vec<(String, crate::app::EvidenceProblem)>,
    /// Counters kept in the write transactions that differ from a count of
    /// the records: (counter, stored, counted).
    pub counts_differing: Vec<(String, u64, u64)>,
}

impl DoctorReport {
    pub fn healthy(&self) -> bool {
        self.ops == self.ops_recorded
            && self.records_differing.is_empty()
            && self.invalid.is_empty()
            && self.evidence_bad.is_empty()
            && self.counts_differing.is_empty()
    }
}

impl App {
    /// Check that every materialised record equals the fold of its log, that
    /// every signature verifies and every evidence file matches its hash.
    /// Reads only; `progress(done, total)` is told about records.
    pub fn doctor(&self, progress: &mut dyn FnMut(usize, usize)) -> Result<DoctorReport> {
        let mut r = DoctorReport {
            ops_recorded: self.store().op_count(),
            ..Default::default()
        };
        let all = self.store().all_ops()?;
        r.ops = all.len();
        for (op, sig) in all.iter().zip(self.signatures_of(&all)?) {
            match sig {
                super::Signature::Verified { .. } => r.signed += 1,
                super::Signature::Unsigned => r.unsigned += 1,
                super::Signature::Invalid { why } => r.invalid.push((op.id.clone(), why)),
            }
        }
        drop(all);
        let mut records = Vec::new();
        for k in Kind::ALL {
            records.extend(self.store().records(k, "")?);
        }
        let total = records.len();
        for (i, stored) in records.into_iter().enumerate() {
            let history = self.store().history(&stored.entity)?;
            let folded = crate::model::ops::Record::fold(stored.entity.clone(), &history);
            if folded != stored {
                r.records_differing.push(stored.entity.clone());
            }
            r.records += 1;
            if i % 1024 == 0 {
                progress(i, total);
            }
        }
        for e in self.engagements()? {
            r.evidence += self.evidence(&e.id)?.len();
            for (ev, problem) in self.verify_evidence(&e.id)? {
                r.evidence_bad.push((ev.sha256, problem));
            }
        }
        r.counts_differing = self.store().counts_differing()?;
        progress(total, total);
        Ok(r)
    }

    /// `doctor --compact`: write the database again without the space
    /// sled leaves behind (see [`crate::store::CompactReport`]), checked key
    /// by key before it is swapped in. Consumes the app: the database is
    /// reopened by whoever needs it next.
    pub fn compact(mut self, progress: &mut dyn FnMut(u64, u64) -> bool) -> Result<crate::store::CompactReport> {
        let store = self.store.take().expect("the store is acquired before every operation");
        Ok(store.compact(progress)?)
    }

    /// Bytes the database's files take on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.store().size_on_disk()?)
    }

    /// The end of a short-lived command: flush (nothing acknowledged is left
    /// in memory), then leave the page cache for the process's exit to take
    /// back instead of freeing it piece by piece (70 ms at a million
    /// findings). Call only when the process is about to exit.
    pub fn finish(mut self) -> Result<()> {
        if let Some(store) = self.store.take() {
            store.flush()?;
            // A store opened from a private copy is dropped: its copy goes with it.
            if store.read_only().is_none() {
                std::mem::forget(store);
            }
        }
        Ok(())
    }
}
