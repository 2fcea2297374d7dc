//! Due-date policy: how long the auditee has to respond and to close a finding.

use super::finding::Grade;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DuePolicy {
    /// Days from issue to the auditee's response (root cause, correction, plan).
    pub response_days: i32,
    /// Days from issue to closure of a nonconformity.
    pub closure_days: i32,
    /// Days from issue to closure of a major (often shorter by contract).
    pub major_closure_days: i32,
    /// Whether observations and improvements get due dates at all.
    pub observations_due: bool,
    /// A major must be verified before a certification decision (kept as a rule).
    pub major_requires_verification: bool,
    /// "Due soon" window used by the remediation views.
    pub due_soon_days: i32,
}

impl Default for DuePolicy {
    fn default() -> Self {
        DuePolicy {
            response_days: 30,
            closure_days: 90,
            major_closure_days: 90,
            observations_due: false,
            major_requires_verification: true,
            due_soon_days: 7,
        }
    }
}

impl DuePolicy {
    /// (response due, closure due) for a finding issued on `issued`.
    pub fn due_dates(&self, grade: Grade, issued: Date) -> (Option<Date>, Option<Date>) {
        if !grade.is_nonconformity() && !self.observations_due {
            return (None, None);
        }
        let closure = if grade == Grade::Major {
            self.major_closure_days
        } else {
            self.closure_days
        };
        (
            issued.checked_add(self.response_days.days()).ok(),
            issued.checked_add(closure.days()).ok(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn defaults_are_30_and_90_days() {
        let p = DuePolicy::default();
        let (r, c) = p.due_dates(Grade::Minor, date(2026, 1, 1));
        assert_eq!(r, Some(date(2026, 1, 31)));
        assert_eq!(c, Some(date(2026, 4, 1)));
        assert_eq!(p.due_dates(Grade::Observation, date(2026, 1, 1)), (None, None));
        let p = DuePolicy {
            major_closure_days: 60,
            observations_due: true,
            ..p
        };
        assert_eq!(p.due_dates(Grade::Major, date(2026, 1, 1)).1, Some(date(2026, 3, 2)));
        assert!(p.due_dates(Grade::Improvement, date(2026, 1, 1)).0.is_some());
    }
}
