//! The findings in the order of every sortable column, built once when an
//! engagement is loaded and kept in step by each patch (a changed finding is
//! moved to its place by binary search), so pressing `s` at 100,000 findings
//! copies an order instead of sorting.

use crate::model::finding::{FindingStatus, Grade};
use crate::tui::rows::FindingRow;
use crate::tui::state::FindingCol;
use std::cmp::Ordering;
use std::collections::HashMap;

/// What the orders are computed from (borrowed from `Data`).
pub struct Keys<'a> {
    /// Sorted by reference.
    pub findings: &'a [FindingRow],
    /// Lower-case texts (with the title), parallel to `findings`.
    pub titles: &'a [Lowered],
    /// Corrective action indexes per finding reference.
    pub actions: &'a HashMap<String, Vec<usize>>,
}

/// A finding's reference, title and indicators in lower case, for the
/// filter, with where its title is (for sorting by title): one string per
/// finding instead of two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowered {
    text: Box<str>,
    title: (u32, u32),
    /// The row's grade and status again, so that the filter reads one
    /// small record per row (32 bytes at a million rows is 32 MB).
    pub grade: Grade,
    pub status: FindingStatus,
}

impl Lowered {
    pub fn of(f: &FindingRow) -> Lowered {
        let (r, t) = (f.reference.to_lowercase(), f.title.to_lowercase());
        let start = r.len() + 1;
        let end = start + t.len();
        let mut text = format!("{r} {t}");
        for i in &f.indicators {
            text.push(' ');
            text.push_str(&i.to_lowercase());
        }
        Lowered {
            text: text.into_boxed_str(),
            title: (start as u32, end as u32),
            grade: f.grade,
            status: f.status,
        }
    }

    /// Reference, title and indicators: what the text filter searches.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn title(&self) -> &str {
        self.text
            .get(self.title.0 as usize..self.title.1 as usize)
            .unwrap_or("")
    }
}

fn position<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|y| y == x).unwrap_or(0)
}

impl Keys<'_> {
    fn due(&self, i: usize) -> (bool, Option<jiff::civil::Date>) {
        // The date the column shows; findings without one last.
        let d = self.findings[i].current_due();
        (d.is_none(), d)
    }

    fn actions_of(&self, i: usize) -> usize {
        self.actions.get(&*self.findings[i].reference).map_or(0, Vec::len)
    }

    /// Rows `a` and `b` by a column, ties by reference (the row index).
    pub fn cmp(&self, col: FindingCol, a: usize, b: usize) -> Ordering {
        let (fa, fb) = (&self.findings[a], &self.findings[b]);
        match col {
            FindingCol::Ref => Ordering::Equal,
            FindingCol::Grade => position(Grade::ALL, &fa.grade).cmp(&position(Grade::ALL, &fb.grade)),
            FindingCol::Title => self.titles[a].title().cmp(self.titles[b].title()),
            FindingCol::Indicator => fa.indicators.cmp(&fb.indicators),
            FindingCol::Status => {
                position(FindingStatus::ALL, &fa.status).cmp(&position(FindingStatus::ALL, &fb.status))
            }
            FindingCol::RaisedBy => fa.raised_by.cmp(&fb.raised_by),
            FindingCol::Due => self.due(a).cmp(&self.due(b)),
            FindingCol::Actions => self.actions_of(a).cmp(&self.actions_of(b)),
        }
        .then(a.cmp(&b))
    }

    fn sorted(&self, col: FindingCol) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.findings.len()).collect();
        match col {
            FindingCol::Ref => {}
            // Few values: a stable sort by each row's rank keeps rows in
            // reference order within a value.
            FindingCol::Grade => order.sort_by_key(|&i| position(Grade::ALL, &self.findings[i].grade)),
            FindingCol::Status => order.sort_by_key(|&i| position(FindingStatus::ALL, &self.findings[i].status)),
            FindingCol::Title => sort_texts(&mut order, |i| self.titles[i].title()),
            FindingCol::Indicator => sort_by_rank(&mut order, |i| &*self.findings[i].indicators),
            FindingCol::RaisedBy => sort_by_rank(&mut order, |i| &*self.findings[i].raised_by),
            FindingCol::Actions => {
                let counts: Vec<usize> = (0..self.findings.len()).map(|i| self.actions_of(i)).collect();
                order.sort_unstable_by_key(|&i| (counts[i], i));
            }
            FindingCol::Due => {
                let due: Vec<_> = (0..self.findings.len()).map(|i| self.due(i)).collect();
                order.sort_unstable_by_key(|&i| (due[i], i));
            }
        }
        order
    }
}

/// Sort row indexes by mostly distinct texts, ties by index: by each text's
/// first eight bytes as one integer first, so that most comparisons are one
/// integer comparison (a million titles: the text sort was most of a load).
pub fn sort_texts<'a>(order: &mut [usize], text: impl Fn(usize) -> &'a str) {
    let head = |t: &str| {
        let mut b = [0u8; 8];
        let n = t.len().min(8);
        b[..n].copy_from_slice(&t.as_bytes()[..n]);
        u64::from_be_bytes(b)
    };
    let mut keyed: Vec<(u64, usize)> = order.iter().map(|&i| (head(text(i)), i)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1))).then(a.1.cmp(&b.1)));
    for (slot, (_, i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// Sort row indexes by a borrowed key, ties by index: the distinct keys are
/// found by hashing, sorted among themselves, and the rows sorted by rank
/// (many rows share a value: indicators, authors; few string comparisons).
pub fn sort_by_rank<'a, K: Ord + std::hash::Hash + ?Sized + 'a>(order: &mut Vec<usize>, key: impl Fn(usize) -> &'a K) {
    let mut ids: HashMap<&K, u32> = HashMap::new();
    let mut distinct: Vec<&K> = Vec::new();
    let keys: Vec<u32> = order
        .iter()
        .map(|&i| {
            let k = key(i);
            *ids.entry(k).or_insert_with(|| {
                distinct.push(k);
                (distinct.len() - 1) as u32
            })
        })
        .collect();
    let mut by_value: Vec<u32> = (0..distinct.len() as u32).collect();
    by_value.sort_unstable_by(|&a, &b| distinct[a as usize].cmp(distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    for (r, &d) in by_value.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    let mut pairs: Vec<(u32, usize)> = order.iter().zip(keys).map(|(&i, k)| (rank[k as usize], i)).collect();
    pairs.sort_unstable();
    *order = pairs.into_iter().map(|(_, i)| i).collect();
}

fn slot(col: FindingCol) -> usize {
    position(&FindingCol::ALL, &col)
}

/// Row indexes in ascending order of each column (`u32`: eight columns of a
/// million rows are 32 MB, not 64).
#[derive(Debug, Default)]
pub struct Orders {
    by: Vec<Vec<u32>>,
}

impl Orders {
    /// Every column's order, on two threads: the titles (mostly distinct
    /// texts, the longest sort) on one, the other columns on the other.
    pub fn build(k: &Keys) -> Orders {
        let sorted = |c| k.sorted(c).into_iter().map(|i| i as u32).collect::<Vec<u32>>();
        let (mut by, title) = std::thread::scope(|s| {
            let title = s.spawn(|| sorted(FindingCol::Title));
            let by: Vec<Vec<u32>> = FindingCol::ALL
                .iter()
                .map(|&c| if c == FindingCol::Title { Vec::new() } else { sorted(c) })
                .collect();
            (by, title.join().unwrap_or_else(|_| sorted(FindingCol::Title)))
        });
        by[slot(FindingCol::Title)] = title;
        Orders { by }
    }

    /// Ascending order of a column.
    pub fn get(&self, col: FindingCol) -> &[u32] {
        self.by.get(slot(col)).map_or(&[], Vec::as_slice)
    }

    fn place(&mut self, k: &Keys, i: usize) {
        for (col, order) in FindingCol::ALL.iter().zip(self.by.iter_mut()) {
            let at = order.partition_point(|&j| k.cmp(*col, j as usize, i) == Ordering::Less);
            order.insert(at, i as u32);
        }
    }

    /// Row `i` was inserted into the findings (later rows moved up by one).
    pub fn inserted(&mut self, k: &Keys, i: usize) {
        let at = i as u32;
        for order in &mut self.by {
            for j in order.iter_mut() {
                if *j >= at {
                    *j += 1;
                }
            }
        }
        self.place(k, i);
    }

    /// Row `i` was removed from the findings.
    pub fn removed(&mut self, i: usize) {
        let i = i as u32;
        for order in &mut self.by {
            order.retain(|&j| j != i);
            for j in order.iter_mut() {
                if *j > i {
                    *j -= 1;
                }
            }
        }
    }

    /// Row `i`'s values changed: move it to its place in every column.
    pub fn changed(&mut self, k: &Keys, i: usize) {
        for order in &mut self.by {
            if let Some(at) = order.iter().position(|&j| j as usize == i) {
                order.remove(at);
            }
        }
        self.place(k, i);
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by_rank;
    use proptest::prelude::*;

    proptest! {
        /// Sorting by eight-byte heads first gives the stable sort's order
        /// (texts equal in their first bytes, shorter than eight, empty,
        /// Chinese, repeated).
        #[test]
        fn sort_texts_is_a_stable_sort(values in proptest::collection::vec("[ab张]{0,12}", 0..200)) {
            let mut order: Vec<usize> = (0..values.len()).collect();
            super::sort_texts(&mut order, |i| values[i].as_str());
            let mut expected: Vec<usize> = (0..values.len()).collect();
            expected.sort_by(|&a, &b| values[a].cmp(&values[b]));
            prop_assert_eq!(order, expected);
        }

        /// Ranking through distinct values gives the stable sort's order.
        #[test]
        fn sort_by_rank_is_a_stable_sort(values in proptest::collection::vec("[ab张]{0,3}", 0..200)) {
            let mut order: Vec<usize> = (0..values.len()).collect();
            sort_by_rank(&mut order, |i| values[i].as_str());
            let mut expected: Vec<usize> = (0..values.len()).collect();
            expected.sort_by(|&a, &b| values[a].cmp(&values[b]));
            prop_assert_eq!(order, expected);
        }
    }
}
