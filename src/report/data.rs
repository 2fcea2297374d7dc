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

pub struct ReportData {
    pub engagement: Engagement,
    pub catalog: Catalog,
    pub team: Vec<Member>,
    /// Every indicator of the catalogue, assessed or blank.
    pub assessments: Vec<Assessment>,
    pub findings: Vec<Finding>,
    pub actions: Vec<CorrectiveAction>,
    pub evidence: Vec<Evidence>,
    pub status: StatusReport,
    pub today: Date,
    /// Indexes into `actions` per finding reference.
    by_finding: std::collections::HashMap<String, Vec<usize>>,
}

impl ReportData {
    pub fn load(app: &App, engagement: &str) -> Result<ReportData> {
        let engagement = app.engagement(engagement)?;
        let catalog = app.catalog_for(&engagement)?;
        let assessments = app.assessments(&engagement.id)?;
        let findings = app.findings(&engagement.id)?;
        let actions = app.actions(&engagement.id)?;
        let status = status::build(
            &engagement,
            &catalog,
            &findings,
            &actions,
            &assessments,
            app.today(),
            app.policy.due_soon_days,
        );
        let mut by_finding: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, a) in actions.iter().enumerate() {
            by_finding.entry(a.finding.clone()).or_default().push(i);
        }
        Ok(ReportData {
            by_finding,
            team: app.team(&engagement.id)?,
            evidence: app.evidence(&engagement.id)?,
            today: app.today(),
            engagement,
            catalog,
            assessments,
            findings,
            actions,
            status,
        })
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
            "findings": self.findings,
            "actions": self.actions,
            "evidence": self.evidence,
        })
    }
}

/// A date in a report, `—` when there is none.
pub fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}
