//! Additive counters of calls: the tally maths. Tallies of chunks, days and
//! hours merge by addition, so the threaded reader can split work freely.

use super::super::calls::{Call, Outcome};
use serde::Serialize;

/// Parameters of the computation; they are echoed in every report.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Service-level threshold T in seconds ("within" means ≤ T).
    pub threshold_s: u32,
    /// Short-abandon threshold τ in seconds (abandons with wait ≤ τ).
    pub short_abandon_s: u32,
    /// Inclusive date range (yyyymmdd), if any.
    pub from: Option<u32>,
    pub to: Option<u32>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold_s: 20,
            short_abandon_s: 5,
            from: None,
            to: None,
        }
    }
}

/// Additive counters for one slice of calls (a chunk, a day, an hour, all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub records: u64,
    pub ignored: u64,
    pub answered: u64,
    pub answered_queued: u64,
    pub answered_not_served: u64,
    pub answered_within_t: u64,
    pub abandoned_queue: u64,
    pub abandoned_queue_short: u64,
    pub abandoned_queue_within_t: u64,
    pub abandoned_ivr: u64,
    pub wait_answered: u64,
    pub wait_answered_queued: u64,
    pub wait_abandoned: u64,
    pub talk_answered: u64,
    pub talk_served: u64,
    pub served: u64,
    pub talk_under_10: u64,
    /// Talk seconds of served answered calls, one bucket per second.
    pub talk_hist: Vec<u64>,
}

const HIST_MAX: usize = 4 * 3600;

impl Tally {
    #[inline]
    pub fn add(&mut self, c: &Call, p: &Params) {
        self.records += 1;
        match c.outcome {
            Outcome::Ignored => self.ignored += 1,
            Outcome::Answered => {
                self.answered += 1;
                self.wait_answered += u64::from(c.wait);
                self.talk_answered += u64::from(c.talk);
                if c.talk < 10 {
                    self.talk_under_10 += 1;
                }
                if c.queued {
                    self.answered_queued += 1;
                    self.wait_answered_queued += u64::from(c.wait);
                }
                if c.wait <= p.threshold_s {
                    self.answered_within_t += 1;
                }
                if c.served {
                    self.served += 1;
                    self.talk_served += u64::from(c.talk);
                    let b = (c.talk as usize).min(HIST_MAX);
                    if self.talk_hist.len() <= b {
                        self.talk_hist.resize(b + 1, 0);
                    }
                    self.talk_hist[b] += 1;
                } else {
                    self.answered_not_served += 1;
                }
            }
            Outcome::Abandoned if c.queued => {
                self.abandoned_queue += 1;
                self.wait_abandoned += u64::from(c.wait);
                if c.wait <= p.short_abandon_s {
                    self.abandoned_queue_short += 1;
                }
                if c.wait <= p.threshold_s {
                    self.abandoned_queue_within_t += 1;
                }
            }
            Outcome::Abandoned => self.abandoned_ivr += 1,
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.records += o.records;
        self.ignored += o.ignored;
        self.answered += o.answered;
        self.answered_queued += o.answered_queued;
        self.answered_not_served += o.answered_not_served;
        self.answered_within_t += o.answered_within_t;
        self.abandoned_queue += o.abandoned_queue;
        self.abandoned_queue_short += o.abandoned_queue_short;
        self.abandoned_queue_within_t += o.abandoned_queue_within_t;
        self.abandoned_ivr += o.abandoned_ivr;
        self.wait_answered += o.wait_answered;
        self.wait_answered_queued += o.wait_answered_queued;
        self.wait_abandoned += o.wait_abandoned;
        self.talk_answered += o.talk_answered;
        self.talk_served += o.talk_served;
        self.served += o.served;
        self.talk_under_10 += o.talk_under_10;
        if self.talk_hist.len() < o.talk_hist.len() {
            self.talk_hist.resize(o.talk_hist.len(), 0);
        }
        for (a, b) in self.talk_hist.iter_mut().zip(&o.talk_hist) {
            *a += b;
        }
    }

    /// The smallest talk time t with at least `q` of served calls at or below it
    /// (for q = 0.5 on an even count: the mean of the two middle values).
    pub(super) fn talk_quantile(&self, q: f64) -> Option<f64> {
        let n = self.served;
        if n == 0 {
            return None;
        }
        let rank = |k: u64| -> f64 {
            // value of the k-th smallest (1-based)
            let mut seen = 0;
            for (v, c) in self.talk_hist.iter().enumerate() {
                seen += c;
                if seen >= k {
                    return v as f64;
                }
            }
            (self.talk_hist.len().saturating_sub(1)) as f64
        };
        if (q - 0.5).abs() < f64::EPSILON {
            if n % 2 == 1 {
                Some(rank(n / 2 + 1))
            } else {
                Some((rank(n / 2) + rank(n / 2 + 1)) / 2.0)
            }
        } else {
            Some(rank(((q * n as f64).ceil() as u64).clamp(1, n)))
        }
    }
}

pub(super) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
