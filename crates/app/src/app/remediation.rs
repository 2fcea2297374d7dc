//! Corrective actions: adding, updating, and verifying that they worked.

use super::error::violation;
use super::{App, Result, create, set, set_if_changed};
use crate::model::action::{ActionStatus, CorrectiveAction, check_transition};
use crate::model::engagement::Role;
use crate::model::fields::ActionField as AcF;
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::rules;
use jiff::civil::Date;

#[derive(Clone, Debug)]
pub struct NewAction {
    pub description: String,
    /// The auditee's person or unit responsible (free text, e.g. 运营部 王芳).
    pub owner: String,
    pub due: Option<Date>,
}

/// Changes to an action; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct ActionUpdate {
    pub status: Option<ActionStatus>,
    pub progress: Option<u8>,
    pub completion_evidence: Option<String>,
    pub due: Option<Date>,
    pub owner: Option<String>,
    pub description: Option<String>,
}

/// The fields of a new corrective action, written in one place (adding an
/// action and `demo --scale` both build records here).
pub(crate) struct ActionRecord<'a> {
    pub engagement: &'a str,
    pub finding: &'a str,
    pub description: &'a str,
    pub owner: &'a str,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub progress: u8,
}

impl ActionRecord<'_> {
    pub(crate) fn drafts(&self, e: &EntityId) -> Vec<crate::store::Draft> {
        vec![
            create(e),
            set(e, None, AcF::Engagement, self.engagement),
            set(e, None, AcF::Finding, self.finding),
            set(e, None, AcF::Description, self.description),
            set(e, None, AcF::Owner, self.owner),
            set(e, None, AcF::Due, Value::from(self.due)),
            set(e, None, AcF::Status, self.status.as_str()),
            set(e, None, AcF::Progress, Value::Int(i64::from(self.progress))),
        ]
    }
}

impl App {
    pub fn add_action(&self, finding: &str, new: NewAction) -> Result<CorrectiveAction> {
        let f = self.finding(finding)?;
        rules::check_add_action(f.status, &new.description, &new.owner).map_err(|v| violation(finding, &v))?;
        let (_, e) = self.next_reference(&f.engagement, Kind::Action, "CA")?;
        let due = new.due.or(f.closure_due);
        let d = ActionRecord {
            engagement: &f.engagement,
            finding: &f.entity,
            description: &new.description,
            owner: &new.owner,
            due,
            status: ActionStatus::Planned,
            progress: 0,
        }
        .drafts(&e);
        self.commit(d)?;
        self.action_by_id(&e.id)
    }

    /// An action by its exact record id (an index entry, a touched record).
    pub fn action_by_id(&self, id: &str) -> Result<CorrectiveAction> {
        Ok(CorrectiveAction::from_record(&self.record_exact(Kind::Action, id)?)?)
    }

    pub fn action(&self, id: &str) -> Result<CorrectiveAction> {
        Ok(CorrectiveAction::from_record(&self.record(Kind::Action, id)?)?)
    }

    pub fn update_action(&self, id: &str, up: ActionUpdate) -> Result<CorrectiveAction> {
        let rec = self.record(Kind::Action, id)?;
        let a = CorrectiveAction::from_record(&rec)?;
        let (e, c) = (&rec.entity, Some(&rec));
        let mut d = Vec::new();
        rules::check_action_update(up.status, up.progress).map_err(|v| violation(id, &v))?;
        if let Some(to) = up.status
            && to != a.status
        {
            check_transition(a.status, to)?;
            set_if_changed(&mut d, e, c, AcF::Status, to.as_str().into());
            if to == ActionStatus::Completed {
                set_if_changed(&mut d, e, c, AcF::CompletedOn, self.today().into());
                set_if_changed(&mut d, e, c, AcF::Progress, Value::Int(100));
            }
        }
        if let Some(p) = up.progress
            && up.status != Some(ActionStatus::Completed)
        {
            set_if_changed(&mut d, e, c, AcF::Progress, Value::Int(i64::from(p)));
        }
        if let Some(x) = up.completion_evidence {
            set_if_changed(&mut d, e, c, AcF::CompletionEvidence, x.into());
        }
        if let Some(x) = up.due {
            set_if_changed(&mut d, e, c, AcF::Due, x.into());
        }
        if let Some(x) = up.owner {
            set_if_changed(&mut d, e, c, AcF::Owner, x.into());
        }
        if let Some(x) = up.description {
            set_if_changed(&mut d, e, c, AcF::Description, x.into());
        }
        self.commit(d)?;
        self.action_by_id(&rec.entity.id)
    }

    /// An auditor of the team (not the action's owner) records whether it worked.
    pub fn verify_action(&self, id: &str, effective: bool, note: &str) -> Result<CorrectiveAction> {
        let rec = self.record(Kind::Action, id)?;
        let a = CorrectiveAction::from_record(&rec)?;
        self.require_role(
            &a.engagement,
            &[Role::Lead, Role::Auditor],
            ("verify corrective actions", "验证纠正措施"),
        )?;
        let me = self.identity().clone();
        let shown = self.display_name(&a.engagement, &me.actor);
        rules::check_verifier(&a.owner, &[&me.actor, &me.name, &shown]).map_err(|v| violation(id, &v))?;
        let to = if effective {
            ActionStatus::Effective
        } else {
            ActionStatus::Ineffective
        };
        check_transition(a.status, to)?;
        let (e, c) = (&rec.entity, Some(&rec));
        let mut d = vec![set(e, c, AcF::Status, to.as_str())];
        set_if_changed(&mut d, e, c, AcF::VerifiedBy, me.actor.into());
        set_if_changed(&mut d, e, c, AcF::VerifiedOn, self.today().into());
        set_if_changed(&mut d, e, c, AcF::Effective, Value::Bool(effective));
        set_if_changed(&mut d, e, c, AcF::VerificationNote, note.into());
        self.commit(d)?;
        self.action_by_id(&rec.entity.id)
    }
}
