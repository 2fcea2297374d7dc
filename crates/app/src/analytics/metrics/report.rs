//! The report schema (`cscaudit.metrics/1`): figures with their variant,
//! formula, numerator and denominator, per day, per hour and overall.

use super::tally::{Params, Tally, ratio};
use serde::Serialize;
use std::collections::BTreeMap;

/// One computed figure with its variant, formula and inputs.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figure {
    pub metric: &'static str,
    pub variant: &'static str,
    pub formula: &'static str,
    pub numerator: f64,
    pub denominator: f64,
    /// numerator / denominator; null when the denominator is 0.
    pub value: Option<f64>,
}

fn fig(metric: &'static str, variant: &'static str, formula: &'static str, num: u64, den: u64) -> Figure {
    Figure {
        metric,
        variant,
        formula,
        numerator: num as f64,
        denominator: den as f64,
        value: ratio(num, den),
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Counts {
    pub records: u64,
    pub ignored: u64,
    /// Offered to agents: answered + abandoned in queue.
    pub offered: u64,
    pub answered: u64,
    pub answered_queued: u64,
    pub answered_without_queue: u64,
    pub answered_not_served: u64,
    pub answered_within_t: u64,
    pub abandoned_queue: u64,
    pub abandoned_queue_short: u64,
    pub abandoned_queue_within_t: u64,
    pub abandoned_ivr: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TalkStats {
    /// Over answered calls (served or not).
    pub mean_answered: Option<f64>,
    /// Over answered calls served by an identified agent.
    pub mean_served: Option<f64>,
    pub median_served: Option<f64>,
    pub p90_served: Option<f64>,
    pub share_under_10s_answered: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figures {
    pub counts: Counts,
    pub service_level: Vec<Figure>,
    pub asa: Vec<Figure>,
    pub abandonment: Vec<Figure>,
    pub answer_rate: Vec<Figure>,
    pub mean_wait_abandoned: Figure,
    pub answered_without_wait: Figure,
    pub talk: TalkStats,
}

impl Figures {
    pub fn from_tally(t: &Tally) -> Figures {
        let (a, ab) = (t.answered, t.abandoned_queue);
        let offered = a + ab;
        Figures {
            counts: Counts {
                records: t.records,
                ignored: t.ignored,
                offered,
                answered: a,
                answered_queued: t.answered_queued,
                answered_without_queue: a - t.answered_queued,
                answered_not_served: t.answered_not_served,
                answered_within_t: t.answered_within_t,
                abandoned_queue: ab,
                abandoned_queue_short: t.abandoned_queue_short,
                abandoned_queue_within_t: t.abandoned_queue_within_t,
                abandoned_ivr: t.abandoned_ivr,
            },
            service_level: vec![
                fig(
                    "service_level",
                    "sl-neg",
                    "A≤T / (A + Ab)",
                    t.answered_within_t,
                    offered,
                ),
                fig(
                    "service_level",
                    "sl-ignore",
                    "A≤T / (A + Ab − Ab≤T)",
                    t.answered_within_t,
                    offered - t.abandoned_queue_within_t,
                ),
                fig(
                    "service_level",
                    "sl-pos",
                    "(A≤T + Ab≤T) / (A + Ab)",
                    t.answered_within_t + t.abandoned_queue_within_t,
                    offered,
                ),
                fig("service_level", "sl-answered", "A≤T / A", t.answered_within_t, a),
                fig(
                    "service_level",
                    "sl-short",
                    "A≤T / (A + Ab − Ab≤τ)",
                    t.answered_within_t,
                    offered - t.abandoned_queue_short,
                ),
            ],
            asa: vec![
                fig(
                    "asa",
                    "all-answered",
                    "Σ wait of answered / A (zero waits included)",
                    t.wait_answered,
                    a,
                ),
                fig(
                    "asa",
                    "queued-answered",
                    "Σ wait of answered that queued / A(queued)",
                    t.wait_answered_queued,
                    t.answered_queued,
                ),
            ],
            abandonment: vec![
                fig("abandon_rate", "all-abandons", "Ab / (A + Ab)", ab, offered),
                fig(
                    "abandon_rate",
                    "excl-short",
                    "(Ab − Ab≤τ) / (A + Ab − Ab≤τ)",
                    ab - t.abandoned_queue_short,
                    offered - t.abandoned_queue_short,
                ),
            ],
            answer_rate: vec![fig("answer_rate", "per-request", "A / (A + Ab)", a, offered)],
            mean_wait_abandoned: fig(
                "wait_abandoned",
                "mean-in-queue",
                "Σ wait of abandoned in queue / Ab",
                t.wait_abandoned,
                ab,
            ),
            answered_without_wait: fig(
                "answered_without_wait",
                "share",
                "A(not queued) / A",
                a - t.answered_queued,
                a,
            ),
            talk: TalkStats {
                mean_answered: ratio(t.talk_answered, a),
                mean_served: ratio(t.talk_served, t.served),
                median_served: t.talk_quantile(0.5),
                p90_served: t.talk_quantile(0.9),
                share_under_10s_answered: ratio(t.talk_under_10, a),
            },
        }
    }

    /// The metrics call records give (the rest come from other sources).
    pub const METRICS: &'static [&'static str] = &["service_level", "asa", "abandon_rate", "answer_rate"];

    /// The figure for a metric id and variant, if computed.
    pub fn find(&self, metric: &str, variant: Option<&str>) -> Option<&Figure> {
        self.service_level
            .iter()
            .chain(&self.asa)
            .chain(&self.abandonment)
            .chain(&self.answer_rate)
            .find(|f| f.metric == metric && variant.is_none_or(|v| v == f.variant))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
    /// Data rows read (header excluded).
    pub rows: u64,
    pub malformed: u64,
    /// Rows outside --from/--to.
    pub out_of_range: u64,
    /// The first malformed rows (up to 20), by line number.
    pub bad_rows: Vec<BadRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DayFigures {
    pub date: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize)]
pub struct HourFigures {
    pub hour: u8,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Which figure each catalogue indicator with a computable metric uses.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorLink {
    pub indicator: String,
    pub metric: String,
    pub variant: Option<String>,
    pub value: Option<f64>,
}

/// The whole report; its JSON form is documented in README ("Metrics JSON").
#[derive(Clone, Debug, Serialize)]
pub struct MetricsReport {
    pub schema: &'static str,
    pub params: Params,
    pub inputs: Vec<InputSummary>,
    pub definitions: BTreeMap<&'static str, &'static str>,
    pub overall: Figures,
    pub by_day: Vec<DayFigures>,
    pub by_hour: Vec<HourFigures>,
    pub catalog: Vec<IndicatorLink>,
}

pub fn definitions() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        (
            "ignored",
            "records whose outcome is ignored (PHANTOM) are removed before all rates",
        ),
        (
            "queued",
            "the call entered the agent queue (Anonymous Bank: q_start != 0:00:00)",
        ),
        (
            "A",
            "answered by an agent (includes calls that never queued, with wait 0)",
        ),
        ("Ab", "abandoned while queued for an agent"),
        (
            "abandoned_ivr",
            "hung up in the IVR before queueing; not offered to agents",
        ),
        ("within", "wait <= T seconds (inclusive)"),
        ("short abandon", "abandoned in queue with wait <= τ seconds"),
        ("hour", "hour of day the call arrived (IVR entry)"),
    ])
}
