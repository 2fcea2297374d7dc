//! The TUI's finding row: one finding as the lists, sort orders and filter
//! read it, kept small because an engagement can hold a million of them.
//!
//! Against the model's [`Finding`] (312 bytes plus a heap block per text), a
//! row drops the engagement (the snapshot's own), shares the author and
//! indicator names between rows, holds its texts in `Box<str>` and the five
//! long texts in one block: at 1,000,000 findings the rows take about half
//! the memory. [`FindingRow::to_finding`] gives the full finding back, field
//! for field, for the detail pane and the forms.

use crate::model::finding::{Finding, FindingStatus, Grade};
use jiff::civil::Date;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Names many rows share (authors, indicator ids), held once (rows are made
/// on several threads while a large engagement loads).
#[derive(Debug, Default)]
pub struct Names(Mutex<HashSet<Arc<str>>>);

impl Names {
    pub fn get(&self, name: &str) -> Arc<str> {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = set.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        set.insert(n.clone());
        n
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FindingRow {
    pub reference: Box<str>,
    /// The record's id is `ENGAGEMENT/reference` (references per
    /// engagement), not the bare reference (written before).
    pub scoped: bool,
    pub title: Box<str>,
    pub indicators: Box<[Arc<str>]>,
    pub raised_by: Arc<str>,
    pub evidence: Box<[Box<str>]>,
    /// Statement, criterion, evidence note, root cause and correction, one
    /// after another; `ends` says where each of the first four ends.
    texts: Box<str>,
    ends: [u32; 4],
    pub grade: Grade,
    pub status: FindingStatus,
    pub raised_on: Option<Date>,
    pub issued_on: Option<Date>,
    pub response_due: Option<Date>,
    pub closure_due: Option<Date>,
    pub responded_on: Option<Date>,
    pub verified_on: Option<Date>,
    pub closed_on: Option<Date>,
}

impl FindingRow {
    /// The row of a finding (its engagement is the snapshot's).
    pub fn of(f: Finding, names: &Names) -> FindingRow {
        let long = [
            &f.statement,
            &f.criterion,
            &f.evidence_note,
            &f.root_cause,
            &f.correction,
        ];
        let mut texts = String::with_capacity(long.iter().map(|t| t.len()).sum());
        let mut ends = [0u32; 4];
        for (i, t) in long.iter().enumerate() {
            texts.push_str(t);
            if let Some(e) = ends.get_mut(i) {
                *e = texts.len() as u32;
            }
        }
        FindingRow {
            indicators: f.indicators.iter().map(|i| names.get(i)).collect(),
            raised_by: names.get(&f.raised_by),
            evidence: f.evidence.into_iter().map(String::into_boxed_str).collect(),
            scoped: f.entity != f.reference,
            reference: f.reference.into_boxed_str(),
            title: f.title.into_boxed_str(),
            texts: texts.into_boxed_str(),
            ends,
            grade: f.grade,
            status: f.status,
            raised_on: f.raised_on,
            issued_on: f.issued_on,
            response_due: f.response_due,
            closure_due: f.closure_due,
            responded_on: f.responded_on,
            verified_on: f.verified_on,
            closed_on: f.closed_on,
        }
    }

    /// The finding's record id (it lives in `engagement`).
    pub fn entity(&self, engagement: &str) -> String {
        if self.scoped {
            crate::model::ops::scoped_id(engagement, &self.reference)
        } else {
            self.reference.to_string()
        }
    }

    /// Long text `k` (statement, criterion, evidence note, root cause, correction).
    fn text(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        let end = self.ends.get(k).map_or(self.texts.len(), |&e| e as usize);
        self.texts.get(start..end).unwrap_or("")
    }

    /// The finding itself, as the store holds it (in `engagement`).
    pub fn to_finding(&self, engagement: &str) -> Finding {
        Finding {
            reference: self.reference.to_string(),
            entity: self.entity(engagement),
            engagement: engagement.to_string(),
            grade: self.grade,
            status: self.status,
            title: self.title.to_string(),
            statement: self.text(0).to_string(),
            criterion: self.text(1).to_string(),
            evidence_note: self.text(2).to_string(),
            indicators: self.indicators.iter().map(|i| i.to_string()).collect(),
            evidence: self.evidence.iter().map(|e| e.to_string()).collect(),
            raised_by: self.raised_by.to_string(),
            raised_on: self.raised_on,
            issued_on: self.issued_on,
            response_due: self.response_due,
            closure_due: self.closure_due,
            root_cause: self.text(3).to_string(),
            correction: self.text(4).to_string(),
            responded_on: self.responded_on,
            verified_on: self.verified_on,
            closed_on: self.closed_on,
        }
    }

    /// The deadline that matters now (see [`Finding::current_due`]).
    pub fn current_due(&self) -> Option<Date> {
        self.status.current_due(self.response_due, self.closure_due)
    }

    pub fn response_overdue_days(&self, today: Date) -> Option<i64> {
        self.status.response_overdue_days(self.response_due, today)
    }

    pub fn closure_overdue_days(&self, today: Date) -> Option<i64> {
        self.status.closure_overdue_days(self.closure_due, today)
    }

    /// Days overdue, the response first (what the list's due column shows).
    pub fn overdue_days(&self, today: Date) -> Option<i64> {
        self.response_overdue_days(today)
            .or_else(|| self.closure_overdue_days(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = Option<Date>> {
        proptest::option::of((2000i16..2100, 1i8..13, 1i8..29).prop_map(|(y, m, d)| jiff::civil::date(y, m, d)))
    }

    prop_compose! {
        fn finding()(
            texts in proptest::collection::vec("[a-z张三\n ]{0,6}", 9),
            indicators in proptest::collection::vec("[A-C]{1,2}-0[1-3]", 0..4),
            evidence in proptest::collection::vec("[0-9a-f]{4}", 0..3),
            grade in 0usize..4,
            status in 0usize..FindingStatus::ALL.len(),
            dates in proptest::collection::vec(date(), 7),
        ) -> Finding {
            Finding {
                reference: texts[0].clone(),
                entity: texts[0].clone(),
                engagement: "E-1".into(),
                grade: Grade::ALL[grade],
                status: FindingStatus::ALL[status],
                title: texts[1].clone(),
                statement: texts[2].clone(),
                criterion: texts[3].clone(),
                evidence_note: texts[4].clone(),
                indicators,
                evidence,
                raised_by: texts[5].clone(),
                raised_on: dates[0],
                issued_on: dates[1],
                response_due: dates[2],
                closure_due: dates[3],
                root_cause: texts[6].clone(),
                correction: texts[7].clone(),
                responded_on: dates[4],
                verified_on: dates[5],
                closed_on: dates[6],
            }
        }
    }

    proptest! {
        /// A row gives back the finding it was made from, every field (the
        /// long texts may be empty, repeat, or hold newlines), and its
        /// deadlines are the finding's.
        #[test]
        fn a_row_gives_its_finding_back(f in finding(), y in 2000i16..2100) {
            let names = Names::default();
            let row = FindingRow::of(f.clone(), &names);
            prop_assert_eq!(row.to_finding("E-1"), f.clone());
            let today = jiff::civil::date(y, 6, 15);
            prop_assert_eq!(row.current_due(), f.current_due());
            prop_assert_eq!(row.response_overdue_days(today), f.response_overdue_days(today));
            prop_assert_eq!(row.closure_overdue_days(today), f.closure_overdue_days(today));
        }
    }

    #[test]
    fn names_are_held_once() {
        let names = Names::default();
        let a = names.get("zhang.wei");
        let b = names.get("zhang.wei");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &names.get("li.ming")));
    }

    #[test]
    fn a_row_is_smaller_than_a_finding() {
        assert!(std::mem::size_of::<FindingRow>() * 3 < std::mem::size_of::<Finding>() * 2);
    }
}
