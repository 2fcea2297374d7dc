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
