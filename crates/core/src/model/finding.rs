//! Findings: grades, the lifecycle state machine, and the typed view of a record.

use super::engagement::string_enum;
use super::fields::{FindingField as F, Rel};
use super::ops::{Record, RecordError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

string_enum!(
    /// ISO/IEC 17021-1 practice: two nonconformity grades and two non-NC kinds.
    Grade {
        Major = "major" / "严重不符合",
        Minor = "minor" / "一般不符合",
        Observation = "observation" / "观察项",
        Improvement = "improvement" / "改进机会",
    }
);

impl Grade {
    pub fn is_nonconformity(self) -> bool {
        matches!(self, Grade::Major | Grade::Minor)
    }
    /// A short code for dense tables in the language: MAJ / 严重.
    pub fn short(self, zh: bool) -> &'static str {
        if !zh {
            return self.code();
        }
        match self {
            Grade::Major => "严重",
            Grade::Minor => "一般",
            Grade::Observation => "观察",
            Grade::Improvement => "改进",
        }
    }
    /// One-letter code for dense tables.
    pub fn code(self) -> &'static str {
        match self {
            Grade::Major => "MAJ",
            Grade::Minor => "MIN",
            Grade::Observation => "OBS",
            Grade::Improvement => "OFI",
        }
    }
}

string_enum!(
    FindingStatus {
        Draft = "draft" / "草稿",
        Issued = "issued" / "已开具",
        Responded = "responded" / "已回复",
        PlanAccepted = "plan-accepted" / "计划已接受",
        Implemented = "implemented" / "已实施",
        Verified = "verified" / "已验证",
        Closed = "closed" / "已关闭",
        Withdrawn = "withdrawn" / "已撤回",
        Reopened = "reopened" / "已重开",
    }
);

impl FindingStatus {
    /// Still needs work from someone (not closed and not withdrawn).
    pub fn is_open(self) -> bool {
        !matches!(self, FindingStatus::Closed | FindingStatus::Withdrawn)
    }
    /// Waiting for the auditee's response (root cause, correction, plan).
    pub fn awaits_response(self) -> bool {
        matches!(self, FindingStatus::Issued | FindingStatus::Reopened)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {grade} finding cannot move from {from} to {to}")]
pub struct IllegalFindingTransition {
    pub grade: Grade,
    pub from: FindingStatus,
    pub to: FindingStatus,
}

/// The finding lifecycle. Grade matters only for closing:
/// - a major closes only after verification;
/// - a minor may also close on an accepted plan (verified at the next audit);
/// - an observation or improvement needs no response and may close once issued.
pub fn check_transition(grade: Grade, from: FindingStatus, to: FindingStatus) -> Result<(), IllegalFindingTransition> {
    use FindingStatus::*;
    let ok = match (from, to) {
        (Draft, Issued) => true,
        (Issued | Reopened, Responded) => true,
        (Responded, PlanAccepted) => true,
        (Responded, Issued) => true, // response rejected: the auditee answers again
        (PlanAccepted, Implemented) => true,
        (Implemented, Verified) => true,
        (Implemented, PlanAccepted) => true, // verification failed: back to the plan
        (Verified, Closed) => true,
        (PlanAccepted, Closed) => grade == Grade::Minor,
        (Issued | Responded, Closed) => !grade.is_nonconformity(),
        (Draft | Issued | Responded | PlanAccepted, Withdrawn) => true,
        (Verified | Closed | Withdrawn, Reopened) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(IllegalFindingTransition { grade, from, to })
    }
}

/// Typed view of a finding record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What people call it (`ZW-001`), unique within its engagement.
    pub reference: String,
    /// The record's id (`E1/ZW-001`; a bare reference for findings written
    /// before references were per engagement): what lookups and links use.
    #[serde(skip)]
    pub entity: String,
    pub engagement: String,
    pub grade: Grade,
    pub status: FindingStatus,
    pub title: String,
    pub statement: String,
    pub criterion: String,
    pub evidence_note: String,
    pub indicators: Vec<String>,
    pub evidence: Vec<String>,
    pub raised_by: String,
    pub raised_on: Option<Date>,
    pub issued_on: Option<Date>,
    pub response_due: Option<Date>,
    pub closure_due: Option<Date>,
    pub root_cause: String,
    pub correction: String,
    pub responded_on: Option<Date>,
    pub verified_on: Option<Date>,
    pub closed_on: Option<Date>,
}

impl Finding {
    pub fn from_record(r: &Record) -> Result<Finding, RecordError> {
        Ok(Finding {
            reference: r.entity.reference().to_string(),
            entity: r.entity.id.clone(),
            engagement: r.text(F::Engagement),
            grade: r.enum_req(F::Grade)?,
            status: r.enum_req(F::Status)?,
            title: r.text(F::Title),
            statement: r.text(F::Statement),
            criterion: r.text(F::Criterion),
            evidence_note: r.text(F::EvidenceNote),
            indicators: r.linked(Rel::Indicator),
            evidence: r.linked(Rel::Evidence),
            raised_by: r.text(F::RaisedBy),
            raised_on: r.date(F::RaisedOn),
            issued_on: r.date(F::IssuedOn),
            response_due: r.date(F::ResponseDue),
            closure_due: r.date(F::ClosureDue),
            root_cause: r.text(F::RootCause),
            correction: r.text(F::Correction),
            responded_on: r.date(F::RespondedOn),
            verified_on: r.date(F::VerifiedOn),
            closed_on: r.date(F::ClosedOn),
        })
    }

    /// The deadline that matters now: the response while one is awaited, else closure.
    pub fn current_due(&self) -> Option<Date> {
        self.status.current_due(self.response_due, self.closure_due)
    }

    /// Days past the response deadline, if the response is overdue on `today`.
    pub fn response_overdue_days(&self, today: Date) -> Option<i64> {
        self.status.response_overdue_days(self.response_due, today)
    }
    /// Days past the closure deadline, if still open on `today`.
    pub fn closure_overdue_days(&self, today: Date) -> Option<i64> {
        self.status.closure_overdue_days(self.closure_due, today)
    }
}

/// A finding's deadlines as its status sees them (shared by [`Finding`] and
/// the TUI's compact rows, so the two never disagree).
impl FindingStatus {
    /// The response deadline while one is awaited, else the closure deadline.
    pub fn current_due(self, response_due: Option<Date>, closure_due: Option<Date>) -> Option<Date> {
        if self.awaits_response() {
            response_due
        } else {
            closure_due
        }
    }

    /// Days past the response deadline, if the response is overdue on `today`.
    pub fn response_overdue_days(self, response_due: Option<Date>, today: Date) -> Option<i64> {
        if !self.awaits_response() {
            return None;
        }
        overdue_days(response_due?, today)
    }

    /// Days past the closure deadline, if still open on `today`.
    pub fn closure_overdue_days(self, closure_due: Option<Date>, today: Date) -> Option<i64> {
        if !self.is_open() || self == FindingStatus::Draft {
            return None;
        }
        overdue_days(closure_due?, today)
    }
}

pub fn overdue_days(due: Date, today: Date) -> Option<i64> {
    // Subtracting civil dates gives a span in days.
    let days = i64::from((today - due).get_days());
    (days > 0).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingStatus::*;

    /// The lifecycle written out independently as a table: (grade filter, from, to).
    fn expected_legal(grade: Grade, from: FindingStatus, to: FindingStatus) -> bool {
        const ANY: &[(FindingStatus, FindingStatus)] = &[
            (Draft, Issued),
            (Issued, Responded),
            (Reopened, Responded),
            (Responded, PlanAccepted),
            (Responded, Issued),
            (PlanAccepted, Implemented),
            (Implemented, Verified),
            (Implemented, PlanAccepted),
            (Verified, Closed),
            (Draft, Withdrawn),
            (Issued, Withdrawn),
            (Responded, Withdrawn),
            (PlanAccepted, Withdrawn),
            (Verified, Reopened),
            (Closed, Reopened),
            (Withdrawn, Reopened),
        ];
        if ANY.contains(&(from, to)) {
            return true;
        }
        match grade {
            Grade::Major => false,
            Grade::Minor => (from, to) == (PlanAccepted, Closed),
            Grade::Observation | Grade::Improvement => matches!((from, to), (Issued, Closed) | (Responded, Closed)),
        }
    }

    #[test]
    fn every_pair_of_states_for_every_grade() {
        let mut legal = 0;
        let mut illegal = 0;
        for &g in Grade::ALL {
            for &from in FindingStatus::ALL {
                for &to in FindingStatus::ALL {
                    let got = check_transition(g, from, to);
                    assert_eq!(got.is_ok(), expected_legal(g, from, to), "{g}: {from} -> {to}");
                    match got {
                        Ok(()) => legal += 1,
                        Err(e) => {
                            illegal += 1;
                            assert_eq!((e.grade, e.from, e.to), (g, from, to));
                            assert!(e.to_string().contains(from.as_str()));
                        }
                    }
                }
            }
        }
        assert_eq!(legal, 16 * 4 + 1 + 2 * 2);
        assert_eq!(legal + illegal, 4 * 9 * 9);
    }

    #[test]
    fn major_closes_only_after_verification() {
        assert!(check_transition(Grade::Major, PlanAccepted, Closed).is_err());
        assert!(check_transition(Grade::Major, Implemented, Closed).is_err());
        assert!(check_transition(Grade::Major, Verified, Closed).is_ok());
    }

    #[test]
    fn overdue_days_counts_calendar_days() {
        let due = jiff::civil::date(2026, 1, 10);
        assert_eq!(overdue_days(due, jiff::civil::date(2026, 1, 10)), None);
        assert_eq!(overdue_days(due, jiff::civil::date(2026, 1, 9)), None);
        assert_eq!(overdue_days(due, jiff::civil::date(2026, 2, 12)), Some(33));
    }
}
