//! Corrective actions: their lifecycle and the typed view of a record.

use super::engagement::string_enum;
use super::fields::ActionField as F;
use super::finding::overdue_days;
use super::ops::{Record, RecordError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

string_enum!(
    ActionStatus {
        Planned = "planned" / "已计划",
        InProgress = "in-progress" / "进行中",
        Completed = "completed" / "已完成待验证",
        Effective = "verified-effective" / "验证有效",
        Ineffective = "verified-ineffective" / "验证无效",
        Cancelled = "cancelled" / "已取消",
    }
);

impl ActionStatus {
    /// Still the owner's to do (counts for overdue).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ActionStatus::Planned | ActionStatus::InProgress | ActionStatus::Ineffective
        )
    }
    pub fn awaits_verification(self) -> bool {
        self == ActionStatus::Completed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a corrective action cannot move from {from} to {to}")]
pub struct IllegalActionTransition {
    pub from: ActionStatus,
    pub to: ActionStatus,
}

/// planned → in-progress → completed → verified-effective; a failed verification
/// (verified-ineffective) goes back to in-progress; cancel before completion.
pub fn check_transition(from: ActionStatus, to: ActionStatus) -> Result<(), IllegalActionTransition> {
    use ActionStatus::*;
    let ok = matches!(
        (from, to),
        (Planned, InProgress)
            | (Planned, Completed)
            | (Planned, Cancelled)
            | (InProgress, Completed)
            | (InProgress, Cancelled)
            | (Completed, Effective)
            | (Completed, Ineffective)
            | (Completed, InProgress)
            | (Ineffective, InProgress)
    );
    if ok {
        Ok(())
    } else {
        Err(IllegalActionTransition { from, to })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub by: String,
    pub on: Date,
    pub effective: bool,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectiveAction {
    /// What people call it (`ZW-CA001`), unique within its engagement.
    pub id: String,
    /// The record's id (`E1/ZW-CA001`, or bare when written before
    /// references were per engagement).
    #[serde(skip)]
    pub entity: String,
    pub engagement: String,
    /// The finding's reference (`ZW-001`).
    pub finding: String,
    /// The finding's record id, as the action names it.
    #[serde(skip)]
    pub finding_entity: String,
    pub description: String,
    pub owner: String,
    pub due: Option<Date>,
    pub status: ActionStatus,
    pub progress: u8,
    pub completion_evidence: String,
    pub completed_on: Option<Date>,
    pub verification: Option<Verification>,
}

impl CorrectiveAction {
    pub fn from_record(r: &Record) -> Result<CorrectiveAction, RecordError> {
        let verification = match (r.opt_text(F::VerifiedBy), r.date(F::VerifiedOn)) {
            (Some(by), Some(on)) => Some(Verification {
                by,
                on,
                effective: r.bool(F::Effective).unwrap_or(false),
                note: r.text(F::VerificationNote),
            }),
            _ => None,
        };
        Ok(CorrectiveAction {
            id: r.entity.reference().to_string(),
            entity: r.entity.id.clone(),
            engagement: r.text(F::Engagement),
            finding: crate::model::ops::short_reference(&r.text(F::Finding)).to_string(),
            finding_entity: r.text(F::Finding),
            description: r.text(F::Description),
            owner: r.text(F::Owner),
            due: r.date(F::Due),
            status: r.enum_req(F::Status)?,
            progress: r.int(F::Progress).unwrap_or(0).clamp(0, 100) as u8,
            completion_evidence: r.text(F::CompletionEvidence),
            completed_on: r.date(F::CompletedOn),
            verification,
        })
    }
    pub fn overdue_days(&self, today: Date) -> Option<i64> {
        if !self.status.is_open() {
            return None;
        }
        overdue_days(self.due?, today)
    }
    /// Days past the due date for an open action: positive when overdue,
    /// zero on the day, negative for days left; None when closed or undated.
    pub fn days_past_due(&self, today: Date) -> Option<i64> {
        if !self.status.is_open() {
            return None;
        }
        Some(i64::from((today - self.due?).get_days()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;

    #[test]
    fn every_pair_of_action_states() {
        let table = [
            (Planned, InProgress),
            (Planned, Completed),
            (Planned, Cancelled),
            (InProgress, Completed),
            (InProgress, Cancelled),
            (Completed, Effective),
            (Completed, Ineffective),
            (Completed, InProgress),
            (Ineffective, InProgress),
        ];
        for &from in ActionStatus::ALL {
            for &to in ActionStatus::ALL {
                let r = check_transition(from, to);
                assert_eq!(r.is_ok(), table.contains(&(from, to)), "{from} -> {to}");
                if let Err(e) = r {
                    assert_eq!((e.from, e.to), (from, to));
                }
            }
        }
        // Verified-effective and cancelled are terminal.
        for &to in ActionStatus::ALL {
            assert!(check_transition(Effective, to).is_err());
            assert!(check_transition(Cancelled, to).is_err());
        }
    }
}
