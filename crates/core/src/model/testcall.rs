//! Test calls (mystery shopping): an experience-based evaluation the audit
//! team makes itself. A campaign plans calls stratified over time slots and
//! service types; each call, once made, records four yes/no measures and the
//! wait.

use super::fields::TestCallField as F;
use super::ops::{Record, RecordError};
use jiff::civil::Date;
use serde::Serialize;

/// The yes/no measures of a test call, in the order a caller meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Reached the centre at the first attempt (no busy tone, no drop).
    Connected,
    /// The IVR led to a person when asked for one.
    IvrToAgent,
    /// The agent gave a name or staff number.
    Identified,
    /// The answer was correct and complete.
    Correct,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Connected,
        Measure::IvrToAgent,
        Measure::Identified,
        Measure::Correct,
    ];

    /// The key in JSON and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Connected => "connected",
            Measure::IvrToAgent => "ivr_to_agent",
            Measure::Identified => "identified",
            Measure::Correct => "correct",
        }
    }

    pub fn field(self) -> F {
        match self {
            Measure::Connected => F::Connected,
            Measure::IvrToAgent => F::IvrToAgent,
            Measure::Identified => F::Identified,
            Measure::Correct => F::Correct,
        }
    }

    pub fn label(self, zh: bool) -> &'static str {
        use super::fields::Field;
        self.field().label(zh)
    }

    /// Whether the measure applies only once the call got through (the
    /// IVR, the agent and the answer mean nothing for a call that did not).
    pub fn needs_connection(self) -> bool {
        self != Measure::Connected
    }
}

/// A test call: planned, and once made, its outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestCall {
    /// `ENGAGEMENT/TC-001`.
    pub id: String,
    pub engagement: String,
    pub campaign: String,
    pub slot: String,
    pub service: String,
    pub planned_on: Option<Date>,
    /// `HH:MM`.
    pub planned_at: String,
    /// When it was made (`YYYY-MM-DD HH:MM`); `None` while only planned.
    pub called_at: Option<String>,
    pub caller: String,
    pub connected: Option<bool>,
    pub ivr_to_agent: Option<bool>,
    pub identified: Option<bool>,
    pub correct: Option<bool>,
    pub wait_s: Option<i64>,
    pub notes: String,
}

impl TestCall {
    pub fn record_id(engagement: &str, n: u32) -> String {
        format!("{engagement}/TC-{n:03}")
    }

    /// `TC-001` of `E/TC-001`.
    pub fn reference(&self) -> &str {
        self.id.rsplit_once('/').map_or(&self.id, |(_, r)| r)
    }

    pub fn from_record(r: &Record) -> Result<TestCall, RecordError> {
        Ok(TestCall {
            id: r.entity.id.clone(),
            engagement: r.text(F::Engagement),
            campaign: r.text(F::Campaign),
            slot: r.text(F::Slot),
            service: r.text(F::Service),
            planned_on: r.date(F::PlannedOn),
            planned_at: r.text(F::PlannedAt),
            called_at: r.opt_text(F::CalledAt),
            caller: r.text(F::Caller),
            connected: r.bool(F::Connected),
            ivr_to_agent: r.bool(F::IvrToAgent),
            identified: r.bool(F::Identified),
            correct: r.bool(F::Correct),
            wait_s: r.int(F::WaitS),
            notes: r.text(F::Notes),
        })
    }

    pub fn made(&self) -> bool {
        self.called_at.is_some()
    }

    pub fn measure(&self, m: Measure) -> Option<bool> {
        match m {
            Measure::Connected => self.connected,
            Measure::IvrToAgent => self.ivr_to_agent,
            Measure::Identified => self.identified,
            Measure::Correct => self.correct,
        }
    }
}

/// Which stratum (slot, service) each of `n` calls falls in: as even as the
/// strata allow, the remainder going to the strata `order` puts first.
pub fn allocate(n: usize, strata: usize, order: &[usize]) -> Vec<usize> {
    let mut per = vec![n / strata.max(1); strata];
    for &i in order.iter().take(n % strata.max(1)) {
        per[i] += 1;
    }
    per
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_spread_evenly_over_strata_the_remainder_by_order() {
        assert_eq!(allocate(10, 4, &[2, 0, 1, 3]), vec![3, 2, 3, 2]);
        assert_eq!(allocate(3, 4, &[3, 1, 0, 2]), vec![1, 1, 0, 1]);
        assert_eq!(allocate(8, 4, &[0, 1, 2, 3]).iter().sum::<usize>(), 8);
    }
}
