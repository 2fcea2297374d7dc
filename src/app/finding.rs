//! Raising findings and moving them through their lifecycle.

use super::{App, AppError, Result, create, link, set, set_if_changed};
use crate::model::action::ActionStatus;
use crate::model::engagement::{Role, check_can_issue};
use crate::model::finding::{Finding, FindingStatus, Grade, check_transition};
use crate::model::ops::{EntityId, Kind, Value};

#[derive(Clone, Debug)]
pub struct NewFinding {
    pub grade: Grade,
    pub title: String,
    /// What was seen.
    pub statement: String,
    /// The requirement it was measured against.
    pub criterion: String,
    pub indicators: Vec<String>,
    pub evidence_note: String,
    /// Issue at once (otherwise it stays a draft).
    pub issue: bool,
}

/// A lifecycle step, with what it needs to carry.
#[derive(Clone, Debug, PartialEq)]
pub enum FindingMove {
    Issue,
    Respond { root_cause: String, correction: String },
    AcceptPlan,
    RejectResponse { reason: String },
    Implement,
    Verify,
    Close,
    Withdraw { reason: String },
    Reopen { reason: String },
}

impl FindingMove {
    pub fn target(&self) -> FindingStatus {
        match self {
            FindingMove::Issue | FindingMove::RejectResponse { .. } => FindingStatus::Issued,
            FindingMove::Respond { .. } => FindingStatus::Responded,
            FindingMove::AcceptPlan => FindingStatus::PlanAccepted,
            FindingMove::Implement => FindingStatus::Implemented,
            FindingMove::Verify => FindingStatus::Verified,
            FindingMove::Close => FindingStatus::Closed,
            FindingMove::Withdraw { .. } => FindingStatus::Withdrawn,
            FindingMove::Reopen { .. } => FindingStatus::Reopened,
        }
    }
}

impl App {
    /// The acting user's membership, required to be one of `roles`.
    pub(crate) fn require_role(&self, engagement: &str, roles: &[Role], doing: &str) -> Result<()> {
        let me = &self.identity().actor;
        match self.member(engagement, me) {
            Some(m) if roles.contains(&m.role) => Ok(()),
            Some(m) => Err(AppError::Rule(format!(
                "{me} is {} in {engagement} and cannot {doing}",
                m.role
            ))),
            None => Err(AppError::Rule(format!(
                "{me} is not on the team of {engagement} and cannot {doing}"
            ))),
        }
    }

    fn next_reference(&self, kind: Kind, prefix: &str) -> Result<String> {
        let initials = self.identity().initials.clone();
        loop {
            let n = self.store().next_counter(&format!("{}/{initials}", kind.name()))?;
            let r = format!("{initials}-{prefix}{n:03}");
            if self.store().record(&EntityId::new(kind, &r))?.is_none() {
                return Ok(r);
            }
        }
    }

    pub fn raise_finding(&self, engagement: &str, new: NewFinding) -> Result<Finding> {
        let eng = self.engagement(engagement)?;
        self.require_role(
            engagement,
            &[Role::Lead, Role::Auditor, Role::TechnicalExpert],
            "raise findings",
        )?;
        if new.title.trim().is_empty() {
            return Err(AppError::Invalid("a finding needs a title".into()));
        }
        if new.grade.is_nonconformity() && new.statement.trim().is_empty() {
            return Err(AppError::Invalid(
                "a nonconformity needs a statement of what was seen".into(),
            ));
        }
        let cat = self.catalog_for(&eng)?;
        for i in &new.indicators {
            if cat.indicator(i).is_none() {
                return Err(AppError::NotFound {
                    what: "indicator",
                    id: i.clone(),
                });
            }
        }
        if new.issue {
            check_can_issue(eng.kind, &self.team(engagement)?)?;
        }
        let reference = self.next_reference(Kind::Finding, "")?;
        let e = EntityId::new(Kind::Finding, &reference);
        let mut d = vec![
            create(&e),
            set(&e, None, "engagement", engagement),
            set(&e, None, "grade", new.grade.as_str()),
            set(&e, None, "title", new.title),
            set(&e, None, "statement", new.statement),
            set(&e, None, "criterion", new.criterion),
            set(&e, None, "evidence_note", new.evidence_note),
            set(&e, None, "raised_by", self.identity().actor.clone()),
            set(&e, None, "raised_on", self.today()),
            set(&e, None, "status", FindingStatus::Draft.as_str()),
        ];
        for i in &new.indicators {
            d.push(link(&e, "indicator", i));
        }
        self.commit(d)?;
        if new.issue {
            return self.move_finding(&reference, FindingMove::Issue);
        }
        self.finding(&reference)
    }

    /// Move a finding through its lifecycle. Illegal moves are typed errors and change nothing.
    pub fn move_finding(&self, reference: &str, step: FindingMove) -> Result<Finding> {
        let rec = self.record(Kind::Finding, reference)?;
        let f = Finding::from_record(&rec);
        let to = step.target();
        check_transition(f.grade, f.status, to)?;
        let eng = self.engagement(&f.engagement)?;
        let auditors = [Role::Lead, Role::Auditor];
        let e = rec.entity.clone();
        let c = Some(&rec);
        let today = self.today();
        let mut d = Vec::new();
        match &step {
            FindingMove::Issue => {
                self.require_role(&f.engagement, &auditors, "issue findings")?;
                check_can_issue(eng.kind, &self.team(&f.engagement)?)?;
                let (resp, close) = self.policy.due_dates(f.grade, today);
                set_if_changed(&mut d, &e, c, "issued_on", today.into());
                set_if_changed(&mut d, &e, c, "response_due", resp.into());
                set_if_changed(&mut d, &e, c, "closure_due", close.into());
            }
            FindingMove::Respond { root_cause, correction } => {
                self.require_role(
                    &f.engagement,
                    &[Role::Lead, Role::Auditor, Role::AuditeeContact],
                    "record the auditee's response",
                )?;
                if f.grade.is_nonconformity() && root_cause.trim().is_empty() {
                    return Err(AppError::Invalid(
                        "the response to a nonconformity needs a root cause".into(),
                    ));
                }
                set_if_changed(&mut d, &e, c, "root_cause", root_cause.clone().into());
                set_if_changed(&mut d, &e, c, "correction", correction.clone().into());
                set_if_changed(&mut d, &e, c, "responded_on", today.into());
            }
            FindingMove::AcceptPlan => {
                self.require_role(&f.engagement, &auditors, "accept a corrective-action plan")?;
                let live = self
                    .actions_of(&f)?
                    .into_iter()
                    .filter(|a| a.status != ActionStatus::Cancelled)
                    .count();
                if f.grade.is_nonconformity() && live == 0 {
                    return Err(AppError::Rule(format!(
                        "{reference} has no corrective action yet: add one before accepting the plan"
                    )));
                }
            }
            FindingMove::RejectResponse { reason }
            | FindingMove::Withdraw { reason }
            | FindingMove::Reopen { reason } => {
                self.require_role(&f.engagement, &auditors, "do that")?;
                if !reason.trim().is_empty() {
                    set_if_changed(&mut d, &e, c, "last_reason", reason.clone().into());
                }
                if matches!(step, FindingMove::Reopen { .. }) {
                    set_if_changed(&mut d, &e, c, "closed_on", Value::Null);
                    set_if_changed(&mut d, &e, c, "verified_on", Value::Null);
                    // A reopened finding gets fresh deadlines from the policy.
                    let (resp, close) = self.policy.due_dates(f.grade, today);
                    set_if_changed(&mut d, &e, c, "response_due", resp.into());
                    set_if_changed(&mut d, &e, c, "closure_due", close.into());
                }
            }
            FindingMove::Implement => {
                let open: Vec<String> = self
                    .actions_of(&f)?
                    .into_iter()
                    .filter(|a| a.status.is_open())
                    .map(|a| a.id)
                    .collect();
                if !open.is_empty() {
                    return Err(AppError::Rule(format!(
                        "{reference} still has open corrective actions: {}",
                        open.join(", ")
                    )));
                }
            }
            FindingMove::Verify => {
                self.require_role(&f.engagement, &auditors, "verify findings")?;
                let actions: Vec<_> = self
                    .actions_of(&f)?
                    .into_iter()
                    .filter(|a| a.status != ActionStatus::Cancelled)
                    .collect();
                let pending: Vec<&str> = actions
                    .iter()
                    .filter(|a| a.status != ActionStatus::Effective)
                    .map(|a| a.id.as_str())
                    .collect();
                if actions.is_empty() || !pending.is_empty() {
                    return Err(AppError::Rule(format!(
                        "{reference} can be verified only when every corrective action is verified effective (pending: {})",
                        if pending.is_empty() {
                            "none exist".to_string()
                        } else {
                            pending.join(", ")
                        }
                    )));
                }
                set_if_changed(&mut d, &e, c, "verified_on", today.into());
            }
            FindingMove::Close => {
                self.require_role(&f.engagement, &auditors, "close findings")?;
                set_if_changed(&mut d, &e, c, "closed_on", today.into());
            }
        }
        d.push(set(&e, c, "status", to.as_str()));
        self.commit(d)?;
        self.finding(reference)
    }

    /// Edit the text of a finding (title, statement, criterion, evidence note).
    pub fn edit_finding(&self, reference: &str, field: &str, value: &str) -> Result<Finding> {
        const EDITABLE: &[&str] = &[
            "title",
            "statement",
            "criterion",
            "evidence_note",
            "root_cause",
            "correction",
        ];
        if !EDITABLE.contains(&field) {
            return Err(AppError::Invalid(format!(
                "field `{field}` cannot be edited (one of: {})",
                EDITABLE.join(", ")
            )));
        }
        let rec = self.record(Kind::Finding, reference)?;
        let f = Finding::from_record(&rec);
        if !f.status.is_open() {
            return Err(AppError::Rule(format!(
                "{reference} is {}; reopen it before editing",
                f.status
            )));
        }
        let mut d = Vec::new();
        set_if_changed(&mut d, &rec.entity, Some(&rec), field, value.into());
        self.commit(d)?;
        self.finding(reference)
    }
}
