//! The remediation review: where corrective actions and findings stand today.

use super::{App, Result};
use crate::model::action::{ActionStatus, CorrectiveAction};
use crate::model::assessment::Assessment;
use crate::model::catalog::Catalog;
use crate::model::engagement::Engagement;
use crate::model::finding::{Finding, FindingStatus, Grade};
use crate::model::scoring::{self, Scorecard};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct ActionLine {
    pub id: String,
    pub finding: String,
    pub description: String,
    pub owner: String,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub progress: u8,
    /// Positive: days overdue; negative: days left.
    pub days_overdue: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingLine {
    pub reference: String,
    pub grade: Grade,
    pub status: FindingStatus,
    pub title: String,
    pub response_due: Option<Date>,
    pub closure_due: Option<Date>,
    pub days_overdue: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct OwnerLine {
    pub owner: String,
    pub open: usize,
    pub overdue: usize,
    pub due_7: usize,
    pub awaiting_verification: usize,
    pub verified: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    pub engagement: String,
    pub title: String,
    pub auditee: String,
    pub kind: String,
    pub today: Date,
    pub catalog: String,
    pub provisional_catalog: bool,
    pub actions_total: usize,
    pub actions_by_status: BTreeMap<String, usize>,
    pub overdue: Vec<ActionLine>,
    pub due_7: Vec<ActionLine>,
    /// Due within 30 days (includes those due within 7).
    pub due_30: Vec<ActionLine>,
    pub awaiting_verification: Vec<ActionLine>,
    pub verified: usize,
    pub by_owner: Vec<OwnerLine>,
    pub findings_total: usize,
    pub findings_by_grade: BTreeMap<String, BTreeMap<String, usize>>,
    pub open_majors: Vec<FindingLine>,
    pub responses_overdue: Vec<FindingLine>,
    pub closures_overdue: Vec<FindingLine>,
    pub scorecard: Scorecard,
}

pub fn action_line(a: &CorrectiveAction, today: Date) -> ActionLine {
    ActionLine {
        id: a.id.clone(),
        finding: a.finding.clone(),
        description: a.description.clone(),
        owner: a.owner.clone(),
        due: a.due,
        status: a.status,
        progress: a.progress,
        days_overdue: a.days_past_due(today),
    }
}

fn finding_line(f: &Finding, overdue: Option<i64>) -> FindingLine {
    FindingLine {
        reference: f.reference.clone(),
        grade: f.grade,
        status: f.status,
        title: f.title.clone(),
        response_due: f.response_due,
        closure_due: f.closure_due,
        days_overdue: overdue,
    }
}

impl App {
    pub fn status_report(&self, eng: &Engagement) -> Result<StatusReport> {
        let actions = self.actions(&eng.id)?;
        let findings = self.findings(&eng.id)?;
        let cat = self.catalog_for(eng)?;
        let assessments = self.assessments(&eng.id)?;
        Ok(build(
            eng,
            &cat,
            &findings,
            &actions,
            &assessments,
            self.today(),
            self.policy.due_soon_days,
        ))
    }
}

/// The report from loaded records (the TUI builds it from its own snapshot).
pub fn build(
    eng: &Engagement,
    cat: &Catalog,
    findings: &[Finding],
    actions: &[CorrectiveAction],
    assessments: &[Assessment],
    today: Date,
    due_soon_days: i32,
) -> StatusReport {
    {
        let soon = i64::from(due_soon_days);
        let scorecard = scoring::score(cat, assessments);

        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let mut owners: BTreeMap<String, OwnerLine> = BTreeMap::new();
        let (mut overdue, mut due_7, mut due_30, mut awaiting) = (vec![], vec![], vec![], vec![]);
        let mut verified = 0;
        for a in actions {
            *by_status.entry(a.status.to_string()).or_default() += 1;
            let o = owners.entry(a.owner.clone()).or_insert_with(|| OwnerLine {
                owner: a.owner.clone(),
                ..Default::default()
            });
            let line = action_line(a, today);
            if a.status.is_open() {
                o.open += 1;
            }
            if a.status == ActionStatus::Effective {
                verified += 1;
                o.verified += 1;
            }
            if a.status.awaits_verification() {
                o.awaiting_verification += 1;
                awaiting.push(line.clone());
            }
            if let Some(d) = line.days_overdue {
                if d > 0 {
                    o.overdue += 1;
                    overdue.push(line);
                } else {
                    if -d <= soon {
                        o.due_7 += 1;
                        due_7.push(line.clone());
                    }
                    if -d <= 30 {
                        due_30.push(line);
                    }
                }
            }
        }
        overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
        due_7.sort_by_key(|l| (l.due, l.id.clone()));
        due_30.sort_by_key(|l| (l.due, l.id.clone()));

        let mut by_grade: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let (mut majors, mut resp_overdue, mut close_overdue) = (vec![], vec![], vec![]);
        for f in findings {
            *by_grade
                .entry(f.grade.to_string())
                .or_default()
                .entry(f.status.to_string())
                .or_default() += 1;
            if f.grade == Grade::Major && f.status.is_open() {
                majors.push(finding_line(f, f.closure_overdue_days(today)));
            }
            if let Some(d) = f.response_overdue_days(today) {
                resp_overdue.push(finding_line(f, Some(d)));
            }
            if let Some(d) = f.closure_overdue_days(today) {
                close_overdue.push(finding_line(f, Some(d)));
            }
        }
        let mut by_owner: Vec<OwnerLine> = owners.into_values().collect();
        by_owner.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then(b.open.cmp(&a.open))
                .then(a.owner.cmp(&b.owner))
        });
        StatusReport {
            engagement: eng.id.clone(),
            title: eng.title.clone(),
            auditee: eng.auditee.clone(),
            kind: eng.kind.to_string(),
            today,
            catalog: format!("{} {}", cat.id, cat.version),
            provisional_catalog: cat.provisional,
            actions_total: actions.len(),
            actions_by_status: by_status,
            overdue,
            due_7,
            due_30,
            awaiting_verification: awaiting,
            verified,
            by_owner,
            findings_total: findings.len(),
            findings_by_grade: by_grade,
            open_majors: majors,
            responses_overdue: resp_overdue,
            closures_overdue: close_overdue,
            scorecard,
        }
    }
}
