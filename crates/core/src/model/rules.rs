//! Preconditions of the audit's moves that need no database: given the
//! finding, its actions and who is acting, may this happen? Each returns the
//! broken rule as data; the app layer words it in the user's language.

use super::action::{ActionStatus, CorrectiveAction};
use super::finding::{FindingStatus, Grade};

/// A rule of the audit that a requested change would break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("a finding needs a title")]
    NoTitle,
    #[error("a nonconformity needs a statement of what was seen")]
    NoStatement,
    #[error("the response to a nonconformity needs a root cause")]
    NoRootCause,
    #[error("the finding has no corrective action yet: add one before accepting the plan")]
    NoLiveAction,
    #[error("the finding still has open corrective actions: {}", .0.join(", "))]
    OpenActions(Vec<String>),
    #[error("the finding can be verified only when every corrective action is verified effective (pending: {})",
        if .0.is_empty() { "none exist".to_string() } else { .0.join(", ") })]
    ActionsNotEffective(Vec<String>),
    #[error("the finding is {0}: corrective actions can be added once it is issued and until it is verified")]
    ActionsClosedFor(FindingStatus),
    #[error("a corrective action needs a description and an owner")]
    ActionIncomplete,
    #[error("the action is owned by {0}: its owner cannot verify it")]
    OwnerVerifies(String),
    #[error("use verify to record whether an action was effective")]
    VerifyByUpdate,
    #[error("progress {0}% is over 100%")]
    ProgressOver100(u8),
}

pub type Check = Result<(), Violation>;

/// Raising a finding: a title always, a statement for a nonconformity.
pub fn check_raise(grade: Grade, title: &str, statement: &str) -> Check {
    if title.trim().is_empty() {
        return Err(Violation::NoTitle);
    }
    if grade.is_nonconformity() && statement.trim().is_empty() {
        return Err(Violation::NoStatement);
    }
    Ok(())
}

/// The auditee's response to a nonconformity names a root cause.
pub fn check_response(grade: Grade, root_cause: &str) -> Check {
    if grade.is_nonconformity() && root_cause.trim().is_empty() {
        Err(Violation::NoRootCause)
    } else {
        Ok(())
    }
}

/// A nonconformity's plan can be accepted only with a live (not cancelled) action.
pub fn check_accept_plan(grade: Grade, actions: &[CorrectiveAction]) -> Check {
    let live = actions.iter().any(|a| a.status != ActionStatus::Cancelled);
    if grade.is_nonconformity() && !live {
        Err(Violation::NoLiveAction)
    } else {
        Ok(())
    }
}

/// A finding is implemented when none of its actions is still open.
pub fn check_implement(actions: &[CorrectiveAction]) -> Check {
    let open: Vec<String> = actions
        .iter()
        .filter(|a| a.status.is_open())
        .map(|a| a.id.clone())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(Violation::OpenActions(open))
    }
}

/// A finding is verified when it has actions and every live one is verified effective.
pub fn check_verify(actions: &[CorrectiveAction]) -> Check {
    let live: Vec<&CorrectiveAction> = actions.iter().filter(|a| a.status != ActionStatus::Cancelled).collect();
    let pending: Vec<String> = live
        .iter()
        .filter(|a| a.status != ActionStatus::Effective)
        .map(|a| a.id.clone())
        .collect();
    if live.is_empty() || !pending.is_empty() {
        Err(Violation::ActionsNotEffective(pending))
    } else {
        Ok(())
    }
}

/// Corrective actions are added between issuing and verification.
pub fn check_add_action(status: FindingStatus, description: &str, owner: &str) -> Check {
    use FindingStatus::*;
    if matches!(status, Draft | Verified | Closed | Withdrawn) {
        return Err(Violation::ActionsClosedFor(status));
    }
    if description.trim().is_empty() || owner.trim().is_empty() {
        return Err(Violation::ActionIncomplete);
    }
    Ok(())
}

/// Nobody verifies their own action: `me` lists the verifier's id and names.
pub fn check_verifier(owner: &str, me: &[&str]) -> Check {
    let owner = owner.trim();
    if me.iter().any(|m| !m.trim().is_empty() && m.trim() == owner) {
        Err(Violation::OwnerVerifies(owner.to_string()))
    } else {
        Ok(())
    }
}

/// An update that sets progress or status (verification has its own move).
pub fn check_action_update(to: Option<ActionStatus>, progress: Option<u8>) -> Check {
    if matches!(to, Some(ActionStatus::Effective | ActionStatus::Ineffective)) {
        return Err(Violation::VerifyByUpdate);
    }
    match progress {
        Some(p) if p > 100 => Err(Violation::ProgressOver100(p)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(id: &str, status: ActionStatus) -> CorrectiveAction {
        CorrectiveAction {
            id: id.into(),
            entity: id.into(),
            engagement: "E".into(),
            finding: "ZW-001".into(),
            finding_entity: "ZW-001".into(),
            description: "d".into(),
            owner: "陈静".into(),
            due: None,
            status,
            progress: 0,
            completion_evidence: String::new(),
            completed_on: None,
            verification: None,
        }
    }

    #[test]
    fn raising_needs_a_title_and_for_nonconformities_a_statement() {
        assert_eq!(check_raise(Grade::Minor, " ", "s"), Err(Violation::NoTitle));
        assert_eq!(check_raise(Grade::Major, "t", " "), Err(Violation::NoStatement));
        assert_eq!(check_raise(Grade::Observation, "t", ""), Ok(()));
    }

    #[test]
    fn a_nonconformity_response_needs_a_root_cause() {
        assert_eq!(check_response(Grade::Major, ""), Err(Violation::NoRootCause));
        assert_eq!(check_response(Grade::Minor, "人手不足"), Ok(()));
        assert_eq!(check_response(Grade::Improvement, ""), Ok(()));
    }

    #[test]
    fn accepting_a_plan_needs_a_live_action() {
        let cancelled = [action("A", ActionStatus::Cancelled)];
        assert_eq!(check_accept_plan(Grade::Major, &[]), Err(Violation::NoLiveAction));
        assert_eq!(
            check_accept_plan(Grade::Minor, &cancelled),
            Err(Violation::NoLiveAction)
        );
        assert_eq!(check_accept_plan(Grade::Observation, &[]), Ok(()));
        let live = [action("A", ActionStatus::Cancelled), action("B", ActionStatus::Planned)];
        assert_eq!(check_accept_plan(Grade::Major, &live), Ok(()));
    }

    #[test]
    fn implementing_needs_no_open_action() {
        let acts = [
            action("A", ActionStatus::Completed),
            action("B", ActionStatus::InProgress),
            action("C", ActionStatus::Ineffective),
            action("D", ActionStatus::Cancelled),
        ];
        assert_eq!(
            check_implement(&acts),
            Err(Violation::OpenActions(vec!["B".into(), "C".into()]))
        );
        assert_eq!(check_implement(&acts[..1]), Ok(()));
    }

    #[test]
    fn verifying_needs_every_live_action_effective() {
        assert_eq!(check_verify(&[]), Err(Violation::ActionsNotEffective(vec![])));
        let only_cancelled = [action("A", ActionStatus::Cancelled)];
        assert_eq!(
            check_verify(&only_cancelled),
            Err(Violation::ActionsNotEffective(vec![]))
        );
        let mixed = [
            action("A", ActionStatus::Effective),
            action("B", ActionStatus::Completed),
            action("C", ActionStatus::Cancelled),
        ];
        assert_eq!(
            check_verify(&mixed),
            Err(Violation::ActionsNotEffective(vec!["B".into()]))
        );
        assert_eq!(check_verify(&mixed[..1]), Ok(()));
    }

    #[test]
    fn actions_are_added_between_issue_and_verification() {
        for s in [
            FindingStatus::Draft,
            FindingStatus::Verified,
            FindingStatus::Closed,
            FindingStatus::Withdrawn,
        ] {
            assert_eq!(check_add_action(s, "d", "o"), Err(Violation::ActionsClosedFor(s)));
        }
        assert_eq!(
            check_add_action(FindingStatus::Issued, "d", " "),
            Err(Violation::ActionIncomplete)
        );
        assert_eq!(check_add_action(FindingStatus::Reopened, "d", "o"), Ok(()));
    }

    #[test]
    fn the_owner_never_verifies_and_updates_do_not_verify() {
        assert!(check_verifier(" 陈静 ", &["chen.jing", "陈静"]).is_err());
        assert!(check_verifier("陈静", &["li.min", "", "李敏"]).is_ok());
        assert!(check_verifier("", &["li.min", ""]).is_ok());
        assert_eq!(
            check_action_update(Some(ActionStatus::Effective), None),
            Err(Violation::VerifyByUpdate)
        );
        assert_eq!(
            check_action_update(None, Some(101)),
            Err(Violation::ProgressOver100(101))
        );
        assert_eq!(check_action_update(Some(ActionStatus::Completed), Some(100)), Ok(()));
    }
}
