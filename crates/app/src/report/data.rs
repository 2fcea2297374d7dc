//! What the reports (CSV, XLSX, Markdown, HTML, findings.json) are made of,
//! read from the store once per export and shared by every renderer.

use crate::app::status::{self, StatusReport};
use crate::app::{App, Result};
use crate::model::action::CorrectiveAction;
use crate::model::assessment::Assessment;
use crate::model::catalog::Catalog;
use crate::model::engagement::{Engagement, Member};
use crate::model::evidence::Evidence;
use crate::model::finding::Finding;
use crate::model::scoring::GroupScore;
use jiff::civil::Date;

/// One indicator compared with the previous audit of the programme.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ComparisonRow {
    pub indicator: String,
    /// The earlier engagement the previous figures come from.
    pub previous_engagement: String,
    pub previous_result: crate::model::assessment::AssessmentResult,
    pub previous_measured: Option<f64>,
    pub result: crate::model::assessment::AssessmentResult,
    pub measured: Option<f64>,
    /// better, worse, same (by result, then by measured value against the
    /// indicator's direction), or `None` when this audit has no result yet.
    pub change: Option<Change>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Better,
    Worse,
    Same,
}

impl Change {
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Change::Better, false) => "better",
            (Change::Better, true) => "改善",
            (Change::Worse, false) => "worse",
            (Change::Worse, true) => "变差",
            (Change::Same, false) => "same",
            (Change::Same, true) => "持平",
        }
    }
}

/// The comparison with the previous audit: per indicator, and the findings
/// carried into this engagement as they stand now.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Comparison {
    pub rows: Vec<ComparisonRow>,
    pub carried: Vec<crate::app::cycle::CarriedLine>,
}

/// A result's rank for comparing audits (higher is better); `None` when there is none.
fn rank(r: crate::model::assessment::AssessmentResult) -> Option<u8> {
    use crate::model::assessment::AssessmentResult as R;
    match r {
        R::Conforming => Some(3),
        R::Partially => Some(2),
        R::Nonconforming => Some(1),
        R::NotApplicable | R::NotAssessed => None,
    }
}

pub struct ReportData {
    pub engagement: Engagement,
    pub catalog: Catalog,
    pub team: Vec<Member>,
    /// Every indicator of the catalogue, assessed or blank.
    pub assessments: Vec<Assessment>,
    pub findings: Vec<Finding>,
    /// Draft findings: in `findings.json` (the whole record), in no report.
    pub drafts: Vec<Finding>,
    pub actions: Vec<CorrectiveAction>,
    pub evidence: Vec<Evidence>,
    pub status: StatusReport,
    pub today: Date,
    /// The comparison with the previous audit (an engagement in a programme
    /// with earlier results or carried findings).
    pub comparison: Option<Comparison>,
    /// Indexes into `actions` per finding reference.
    by_finding: std::collections::HashMap<String, Vec<usize>>,
}

impl ReportData {
    pub fn load(app: &App, engagement: &str) -> Result<ReportData> {
        let engagement = app.engagement(engagement)?;
        let catalog = app.catalog_for(&engagement)?;
        let assessments = app.assessments(&engagement.id)?;
        // A draft is the auditor's note, not yet a finding of the audit:
        // the reports the bank and the body read leave it out.
        let (drafts, findings): (Vec<Finding>, Vec<Finding>) = app
            .findings(&engagement.id)?
            .into_iter()
            .partition(|f| f.status == crate::model::finding::FindingStatus::Draft);
        let mut actions = app.actions(&engagement.id)?;
        let kept: std::collections::HashSet<&str> = findings
            .iter()
            .flat_map(|f| [f.entity.as_str(), f.reference.as_str()])
            .collect();
        actions.retain(|a| kept.contains(a.finding.as_str()));
        let mut status = status::build(
            &engagement,
            &catalog,
            &findings,
            &actions,
            &assessments,
            app.today(),
            app.policy.due_soon_days,
        );
        status.score = app.score_summary(&engagement.id).ok();
        let mut by_finding: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, a) in actions.iter().enumerate() {
            by_finding.entry(a.finding.clone()).or_default().push(i);
        }
        let comparison = comparison(app, &engagement, &catalog, &assessments)?;
        Ok(ReportData {
            comparison,
            by_finding,
            team: app.team(&engagement.id)?,
            evidence: app.evidence(&engagement.id)?,
            today: app.today(),
            engagement,
            catalog,
            assessments,
            findings,
            drafts,
            actions,
            status,
        })
    }

    /// The indicator's name in the language ("" when the catalogue lacks it).
    pub fn indicator_name(&self, id: &str, zh: bool) -> &str {
        self.catalog.indicator(id).map_or("", |i| i.name(zh))
    }

    /// A measured value in the indicator's unit, `—` when there is none.
    pub fn value(&self, id: &str, v: Option<f64>, zh: bool) -> String {
        match (v, self.catalog.indicator(id)) {
            (Some(v), Some(i)) => i.unit.format(v, zh),
            (Some(v), None) => format!("{v}"),
            (None, _) => "—".into(),
        }
    }

    /// The comparison's table as plain text (each renderer escapes it):
    /// the headers, then indicator, name, previous (result, value, where),
    /// this audit (result, value), change.
    pub fn comparison_table(&self, zh: bool) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
        let c = self.comparison.as_ref()?;
        let t = |en: &'static str, z: &'static str| if zh { z } else { en };
        let head = vec![
            t("Indicator", "指标"),
            t("Name", "名称"),
            t("Previous audit", "上次审核"),
            t("This audit", "本次审核"),
            t("Change", "变化"),
        ];
        let rows = c
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.indicator.clone(),
                    self.indicator_name(&r.indicator, zh).to_string(),
                    format!(
                        "{} {} ({})",
                        r.previous_result.label(zh),
                        self.value(&r.indicator, r.previous_measured, zh),
                        r.previous_engagement
                    ),
                    format!("{} {}", r.result.label(zh), self.value(&r.indicator, r.measured, zh)),
                    r.change.map_or("—", |c| c.label(zh)).to_string(),
                ]
            })
            .collect();
        Some((head, rows))
    }

    /// The carried findings as lines: reference, grade, status, title, where raised.
    pub fn carried_lines(&self, zh: bool) -> Vec<[String; 5]> {
        self.comparison
            .iter()
            .flat_map(|c| &c.carried)
            .map(|l| {
                [
                    l.reference.clone(),
                    l.grade.label(zh).to_string(),
                    l.status.label(zh).to_string(),
                    l.title.clone(),
                    l.engagement.clone(),
                ]
            })
            .collect()
    }

    /// The report's title: the engagement's, or its auditee.
    pub fn title(&self) -> &str {
        if self.engagement.title.is_empty() {
            &self.engagement.auditee
        } else {
            &self.engagement.title
        }
    }

    /// The corrective actions of a finding (through an index: a report at
    /// 100,000 findings would otherwise scan every action per finding).
    pub fn actions_of<'a>(&'a self, finding: &str) -> impl Iterator<Item = &'a CorrectiveAction> + 'a {
        self.by_finding
            .get(finding)
            .into_iter()
            .flatten()
            .map(|&i| &self.actions[i])
    }

    /// An evidence file's name by its hash ("" when unknown).
    pub fn evidence_name(&self, sha: &str) -> &str {
        self.evidence
            .iter()
            .find(|e| e.sha256 == sha)
            .map_or("", |e| e.name.as_str())
    }

    /// The score in points with its stars, for a catalogue that scores in
    /// points (`None` for the weighted mean).
    pub fn points_line(&self, zh: bool) -> Option<String> {
        let s = self.status.score.as_ref().filter(|s| s.method == "points")?;
        let pass = self.catalog.points.as_ref().map_or(0.0, |p| p.pass);
        let points = s.points.map_or("—".into(), |p| format!("{p:.2}"));
        let verdict = match (s.pass, s.stars) {
            (Some(true), Some(n)) if n >= 3 => {
                if zh {
                    format!("{} {n} 星", "★".repeat(n as usize))
                } else {
                    format!("{} {n} stars", "★".repeat(n as usize))
                }
            }
            (Some(true), _) => (if zh { "合格" } else { "pass" }).to_string(),
            (Some(false), _) => (if zh { "未达合格分" } else { "below the pass mark" }).to_string(),
            _ => String::new(),
        };
        Some(if zh {
            format!(
                "积分制得分：{points} {verdict}（合格线 {pass}；删减 {} 项；特别扣分 {} 项；加分 {}）",
                s.excluded, s.deductions, s.bonus
            )
        } else {
            format!(
                "Score in points: {points} {verdict} (pass mark {pass}; {} excluded; {} special deduction(s); bonus {})",
                s.excluded, s.deductions, s.bonus
            )
        })
    }

    /// Overall, then every group, with its name in the language.
    pub fn groups(&self, zh: bool) -> Vec<(String, &GroupScore)> {
        let overall = if zh { "总体" } else { "Overall" };
        let mut rows = vec![(overall.to_string(), &self.status.scorecard.overall)];
        for g in &self.status.scorecard.groups {
            let name = self
                .catalog
                .group(&g.group)
                .map(|x| x.name(zh).to_string())
                .unwrap_or_else(|| g.group.clone());
            rows.push((name, g));
        }
        rows
    }

    /// The machine-readable `findings.json`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "engagement": self.engagement,
            "team": self.team,
            "assessments": self.assessments,
            "findings": self.findings.iter().chain(&self.drafts).collect::<Vec<_>>(),
            "actions": self.actions,
            "evidence": self.evidence,
            "comparison": self.comparison,
        })
    }
}

/// A date in a report, `—` when there is none.
pub fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// The comparison of `eng` with the previous audit of its programme: every
/// indicator with an earlier result (the latest one), and the carried findings.
fn comparison(
    app: &App,
    eng: &Engagement,
    catalog: &Catalog,
    assessments: &[Assessment],
) -> Result<Option<Comparison>> {
    if eng.programme.is_none() && eng.carries.is_empty() {
        return Ok(None);
    }
    let previous = app.previous_results(eng)?;
    let info = app.cycle_info(eng)?;
    if previous.is_empty() && info.carried.is_empty() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for ind in &catalog.indicators {
        let Some(p) = previous.get(&ind.id).and_then(|v| v.last()) else {
            continue;
        };
        let now = assessments.iter().find(|a| a.indicator == ind.id);
        let (result, measured) = now.map_or((crate::model::assessment::AssessmentResult::NotAssessed, None), |a| {
            (a.result, a.measured)
        });
        let change = match (rank(p.result), rank(result)) {
            (Some(a), Some(b)) if b > a => Some(Change::Better),
            (Some(a), Some(b)) if b < a => Some(Change::Worse),
            (_, Some(_)) => match (p.measured, measured) {
                (Some(x), Some(y)) if (x - y).abs() > 1e-9 => {
                    let higher = ind.direction == crate::model::catalog::Direction::Higher;
                    Some(if (y > x) == higher {
                        Change::Better
                    } else {
                        Change::Worse
                    })
                }
                _ => Some(Change::Same),
            },
            (_, None) => None,
        };
        rows.push(ComparisonRow {
            indicator: ind.id.clone(),
            previous_engagement: p.engagement.clone(),
            previous_result: p.result,
            previous_measured: p.measured,
            result,
            measured,
            change,
        });
    }
    Ok(Some(Comparison {
        rows,
        carried: info.carried,
    }))
}
