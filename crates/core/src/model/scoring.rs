//! Scoring: progress and weighted score per group and overall.
//!
//! Points per result: conforming 1, partially ½, nonconforming 0, or an explicit
//! score divided by the catalogue's scale. Not-applicable items leave both the
//! progress denominator and the score. The score covers assessed items only;
//! progress says how much of the applicable checklist that is.

use super::assessment::{Assessment, AssessmentResult};
use super::catalog::Catalog;
use serde::Serialize;
use std::collections::HashMap;

/// Reports show a score to two decimals (62.16, not 62.16216216216216).
fn round2<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_f64((x * 100.0).round() / 100.0),
        None => s.serialize_none(),
    }
}

fn round4<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 10_000.0).round() / 10_000.0)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupScore {
    pub group: String,
    pub applicable: usize,
    pub assessed: usize,
    pub nonconforming: usize,
    /// assessed / applicable (0 when nothing applies).
    #[serde(serialize_with = "round4")]
    pub progress: f64,
    /// Weighted score in percent over the assessed items; None when none assessed.
    #[serde(serialize_with = "round2")]
    pub score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    pub overall: GroupScore,
    /// Every group in catalogue order (top levels and second levels).
    pub groups: Vec<GroupScore>,
}

impl Scorecard {
    pub fn group(&self, id: &str) -> Option<&GroupScore> {
        self.groups.iter().find(|g| g.group == id)
    }
}

pub fn points(a: &Assessment, scale: f64) -> Option<f64> {
    if let Some(s) = a.score
        && a.result != AssessmentResult::NotApplicable
        && a.result != AssessmentResult::NotAssessed
    {
        return Some((s / scale).clamp(0.0, 1.0));
    }
    match a.result {
        AssessmentResult::Conforming => Some(1.0),
        AssessmentResult::Partially => Some(0.5),
        AssessmentResult::Nonconforming => Some(0.0),
        AssessmentResult::NotAssessed | AssessmentResult::NotApplicable => None,
    }
}

pub fn score(catalog: &Catalog, assessments: &[Assessment]) -> Scorecard {
    let by_ind: HashMap<&str, &Assessment> = assessments.iter().map(|a| (a.indicator.as_str(), a)).collect();
    let tally = |filter: &dyn Fn(&str) -> bool, id: &str| {
        let (mut applicable, mut assessed, mut nc) = (0, 0, 0);
        let (mut wsum, mut psum) = (0.0, 0.0);
        for ind in catalog.indicators.iter().filter(|i| filter(&i.id)) {
            let a = by_ind.get(ind.id.as_str());
            let result = a.map_or(AssessmentResult::NotAssessed, |a| a.result);
            if result == AssessmentResult::NotApplicable {
                continue;
            }
            applicable += 1;
            if result == AssessmentResult::Nonconforming {
                nc += 1;
            }
            if let Some(p) = a.and_then(|a| points(a, catalog.score_scale)) {
                assessed += 1;
                wsum += ind.weight;
                psum += ind.weight * p;
            }
        }
        GroupScore {
            group: id.to_string(),
            applicable,
            assessed,
            nonconforming: nc,
            progress: if applicable == 0 {
                0.0
            } else {
                assessed as f64 / applicable as f64
            },
            score: (assessed > 0 && wsum > 0.0).then(|| 100.0 * psum / wsum),
        }
    };
    let overall = tally(&|_| true, "");
    let groups = catalog
        .groups
        .iter()
        .map(|g| {
            tally(
                &|iid| catalog.indicator(iid).is_some_and(|i| catalog.in_group(i, &g.id)),
                &g.id,
            )
        })
        .collect();
    Scorecard { overall, groups }
}

/// The engagement's score as the catalogue says it is scored: in points
/// with stars, or the weighted mean of [`score`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// `points` or `weighted-mean`.
    pub method: &'static str,
    /// The score out of 100 (two decimals); none while nothing is assessed.
    #[serde(serialize_with = "round2")]
    pub points: Option<f64>,
    /// Stars (3–5) reached; 0 when passed without a star; none below the
    /// pass mark or for the weighted mean.
    pub stars: Option<u8>,
    /// At or above the pass mark (points only).
    pub pass: Option<bool>,
    /// Points earned and applicable over the assessed indicators.
    pub earned: f64,
    pub applicable: f64,
    /// Indicators excluded as not applicable (删减).
    pub excluded: usize,
    /// Special deductions and the bonus applied.
    pub deductions: usize,
    pub bonus: f64,
    /// Every applicable indicator is assessed.
    pub complete: bool,
}

/// The summary for `catalog`: in points when it has `[points]` (earned ÷
/// applicable × 100 − deductions × its deduction + the bonus up to its cap,
/// kept within 0–100), else the weighted mean of `card`.
pub fn summary(
    catalog: &Catalog,
    assessments: &[Assessment],
    card: &Scorecard,
    deductions: usize,
    bonus: f64,
) -> ScoreSummary {
    let overall = &card.overall;
    let complete = overall.applicable > 0 && overall.assessed == overall.applicable;
    let excluded = assessments
        .iter()
        .filter(|a| a.result == AssessmentResult::NotApplicable && catalog.indicator(&a.indicator).is_some())
        .count();
    let Some(rule) = &catalog.points else {
        return ScoreSummary {
            method: "weighted-mean",
            points: overall.score,
            stars: None,
            pass: None,
            earned: 0.0,
            applicable: 0.0,
            excluded,
            deductions: 0,
            bonus: 0.0,
            complete,
        };
    };
    let by_ind: HashMap<&str, &Assessment> = assessments.iter().map(|a| (a.indicator.as_str(), a)).collect();
    let (mut earned, mut applicable) = (0.0, 0.0);
    for ind in &catalog.indicators {
        let Some(a) = by_ind.get(ind.id.as_str()) else { continue };
        if let Some(p) = points(a, catalog.score_scale) {
            let worth = ind.points.unwrap_or(ind.weight);
            earned += worth * p;
            applicable += worth;
        }
    }
    let bonus = if bonus.is_finite() {
        bonus.clamp(0.0, rule.bonus_max)
    } else {
        0.0
    };
    let total = (applicable > 0.0)
        .then(|| (100.0 * earned / applicable - deductions as f64 * rule.deduction + bonus).clamp(0.0, 100.0));
    let pass = total.map(|t| t >= rule.pass);
    let stars = total.filter(|t| *t >= rule.pass).map(|t| {
        let reached = rule.stars.iter().filter(|s| t >= **s).count() as u8;
        if reached == 0 { 0 } else { 2 + reached }
    });
    ScoreSummary {
        method: "points",
        points: total,
        stars,
        pass,
        earned,
        applicable,
        excluded,
        deductions,
        bonus,
        complete,
    }
}
