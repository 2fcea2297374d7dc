//! A snapshot of one engagement, loaded through the app layer, that the views
//! read from. Reloaded after every change.

use crate::app::status::{self, StatusReport};
use crate::app::{App, Result};
use crate::model::action::CorrectiveAction;
use crate::model::assessment::Assessment;
use crate::model::catalog::Catalog;
use crate::model::engagement::{Engagement, Member};
use crate::model::evidence::Evidence;
use crate::model::finding::Finding;
use jiff::civil::Date;
use std::collections::HashMap;

pub struct Data {
    pub engagement: Engagement,
    pub engagements: Vec<Engagement>,
    pub catalog: Catalog,
    pub team: Vec<Member>,
    /// Assessments by indicator id.
    pub assessments: HashMap<String, Assessment>,
    pub findings: Vec<Finding>,
    pub actions: Vec<CorrectiveAction>,
    /// Indexes into `actions` per finding reference.
    pub actions_by_finding: HashMap<String, Vec<usize>>,
    /// Indexes into `findings` per indicator id.
    pub findings_by_indicator: HashMap<String, Vec<usize>>,
    /// Per catalogue group: (indicators with a result, indicators), for the tree.
    pub group_progress: HashMap<String, (usize, usize)>,
    /// Lower-case "reference title indicators" per finding, for filtering.
    pub finding_search: Vec<String>,
    pub evidence: HashMap<String, Evidence>,
    pub report: StatusReport,
    pub today: Date,
    pub me: String,
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("engagement", &self.engagement.id)
            .field("findings", &self.findings.len())
            .finish()
    }
}

impl Data {
    pub fn load(app: &App, engagement: &str) -> Result<Data> {
        let engagement = app.engagement(engagement)?;
        let catalog = app.catalog_for(&engagement)?;
        let assessments_list = app.assessments(&engagement.id)?;
        let findings = app.findings(&engagement.id)?;
        let actions = app.actions(&engagement.id)?;
        let report = status::build(
            &engagement,
            &catalog,
            &findings,
            &actions,
            &assessments_list,
            app.today(),
            app.policy.due_soon_days,
        );
        let mut actions_by_finding: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in actions.iter().enumerate() {
            actions_by_finding.entry(a.finding.clone()).or_default().push(i);
        }
        let mut findings_by_indicator: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            for ind in &f.indicators {
                findings_by_indicator.entry(ind.clone()).or_default().push(i);
            }
        }
        let finding_search = findings
            .iter()
            .map(|f| format!("{} {} {}", f.reference, f.title, f.indicators.join(" ")).to_lowercase())
            .collect();
        let mut group_progress: HashMap<String, (usize, usize)> = HashMap::new();
        for a in &assessments_list {
            if let Some(ind) = catalog.indicator(&a.indicator) {
                for g in catalog.path_of(ind) {
                    let e = group_progress.entry(g.id.clone()).or_default();
                    e.1 += 1;
                    if a.result != crate::model::assessment::AssessmentResult::NotAssessed {
                        e.0 += 1;
                    }
                }
            }
        }
        Ok(Data {
            finding_search,
            group_progress,
            team: app.team(&engagement.id)?,
            engagements: app.engagements()?,
            evidence: app
                .evidence(&engagement.id)?
                .into_iter()
                .map(|e| (e.sha256.clone(), e))
                .collect(),
            assessments: assessments_list.into_iter().map(|a| (a.indicator.clone(), a)).collect(),
            engagement,
            catalog,
            findings,
            actions,
            actions_by_finding,
            findings_by_indicator,
            report,
            today: app.today(),
            me: app.identity().actor.clone(),
        })
    }

    pub fn member_name(&self, actor: &str) -> String {
        self.team
            .iter()
            .find(|m| m.actor == actor)
            .map(|m| m.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| actor.to_string())
    }

    pub fn actions_of(&self, finding: &str) -> impl Iterator<Item = &CorrectiveAction> {
        self.actions_by_finding
            .get(finding)
            .into_iter()
            .flatten()
            .map(|&i| &self.actions[i])
    }
}
