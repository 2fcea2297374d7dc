//! Derived lists: the checklist tree, and the filtered and sorted findings
//! and corrective actions, recomputed only when data, filter or sort change.

use super::*;

pub(super) fn fix_selection<'a, C>(list: &mut ListState<C>, id_of: impl Fn(usize) -> &'a str) {
    let present = list
        .selected
        .as_deref()
        .is_some_and(|s| list.view.iter().any(|&i| id_of(i) == s));
    if !present {
        list.selected = list.view.first().map(|&i| id_of(i).to_string());
        list.offset = 0;
    }
}

/// From how many rows the findings filter splits its work over two threads.
const PARALLEL_FILTER: usize = 1 << 16;

/// The rows of `from` that `keep` keeps, in their order; from `parallel`
/// rows on, the second half is tested on another thread (a million rows:
/// every key that must look at all of them).
fn filter_rows(from: &[usize], keep: impl Fn(usize) -> bool + Sync, parallel: usize) -> Vec<usize> {
    if from.len() < parallel {
        return from.iter().copied().filter(|&i| keep(i)).collect();
    }
    let (a, b) = from.split_at(from.len() / 2);
    let keep = &keep;
    std::thread::scope(|s| {
        let second = s.spawn(move || b.iter().copied().filter(|&i| keep(i)).collect::<Vec<_>>());
        let mut view: Vec<usize> = a.iter().copied().filter(|&i| keep(i)).collect();
        match second.join() {
            Ok(rest) => view.extend(rest),
            Err(_) => view.extend(b.iter().copied().filter(|&i| keep(i))),
        }
        view
    })
}

/// A parsed findings filter: `grade:major status:issued overdue 录音`.
#[derive(Debug, Default, PartialEq)]
pub struct FindingFilter {
    pub grades: Vec<Grade>,
    pub statuses: Vec<FindingStatus>,
    pub overdue: bool,
    pub text: Vec<String>,
    /// `key:value` tokens whose value names nothing (shown to the user).
    pub unknown: Vec<String>,
}

/// The one value whose text or Chinese label starts with `v` (`maj` → major).
fn by_prefix<T: Copy>(
    all: &[T],
    v: &str,
    text: impl Fn(T) -> &'static str,
    zh: impl Fn(T) -> &'static str,
) -> Option<T> {
    let v = v.to_lowercase();
    if v.is_empty() {
        return None;
    }
    if let Some(exact) = all.iter().copied().find(|x| text(*x) == v || zh(*x) == v) {
        return Some(exact);
    }
    let hits: Vec<T> = all
        .iter()
        .copied()
        .filter(|x| text(*x).starts_with(&v) || zh(*x).starts_with(&v))
        .collect();
    (hits.len() == 1).then(|| hits[0])
}

impl FindingFilter {
    /// Whether every finding this filter keeps is one `old` keeps: the same
    /// grades, statuses and overdue, and each of `old`'s words inside the
    /// word at its place (typing on extends a word or adds one). Then the
    /// view can be narrowed from `old`'s instead of filtering every row.
    pub fn narrows(&self, old: &FindingFilter) -> bool {
        self.grades == old.grades
            && self.statuses == old.statuses
            && self.overdue == old.overdue
            && self.text.len() >= old.text.len()
            && old.text.iter().zip(&self.text).all(|(o, n)| n.contains(o.as_str()))
    }

    pub fn parse(s: &str) -> FindingFilter {
        let mut f = FindingFilter::default();
        for tok in s.split_whitespace() {
            let (k, v) = tok.split_once(':').unwrap_or(("", tok));
            match k {
                "grade" | "g" | "等级" => match by_prefix(Grade::ALL, v, |g| g.as_str(), |g| g.zh()) {
                    Some(g) => f.grades.push(g),
                    None => f.unknown.push(tok.to_string()),
                },
                "status" | "s" | "状态" => match by_prefix(FindingStatus::ALL, v, |s| s.as_str(), |s| s.zh()) {
                    Some(s) => f.statuses.push(s),
                    None => f.unknown.push(tok.to_string()),
                },
                _ if tok == "overdue" || tok == "逾期" => f.overdue = true,
                _ => match (tok.parse::<Grade>(), tok.parse::<FindingStatus>()) {
                    (Ok(g), _) if tok.len() > 3 || !tok.is_ascii() => f.grades.push(g),
                    (_, Ok(st)) if tok.len() > 3 || !tok.is_ascii() => f.statuses.push(st),
                    _ => f.text.push(lower(tok)),
                },
            }
        }
        f
    }
}

impl State {
    /// Recompute every filtered/sorted view (after data, filter or sort change).
    pub fn refresh_views(&mut self) {
        self.refresh_checklist();
        self.refresh_findings();
        self.refresh_remediation();
        self.refresh_portfolio();
    }

    /// The programmes filtered (text, `major`, `overdue`, `expired`) and sorted.
    pub fn refresh_portfolio(&mut self) {
        let Some(lines) = &self.portfolio else { return };
        let zh = self.lang.is_zh();
        let mut text = Vec::new();
        let (mut majors, mut overdue, mut expired) = (false, false, false);
        // The filter words, also by their first three letters or more (`maj`).
        let word = |tok: &str, en: &str, zh: &[&str]| {
            let t = lower(tok);
            (t.len() >= 3 && en.starts_with(&t)) || zh.contains(&tok)
        };
        for tok in self.programmes.filter.split_whitespace() {
            if word(tok, "majors", &["严重"]) {
                majors = true;
            } else if word(tok, "overdue", &["逾期"]) {
                overdue = true;
            } else if word(tok, "expired", &["过期", "已过期"]) {
                expired = true;
            } else {
                text.push(lower(tok));
            }
        }
        use crate::model::engagement::CertificateStatus as CS;
        let mut view: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                let l = &lines[i];
                let kind = l
                    .client_kind
                    .map_or(String::new(), |k| format!("{} {}", k.as_str(), k.zh()));
                let hay = lower(&format!(
                    "{} {} {} {} {} {} {kind}",
                    l.programme,
                    crate::text::side(&l.client, zh),
                    l.current,
                    l.current_kind.label(zh),
                    l.certificate.as_ref().map_or("", |c| c.number.as_str()),
                    l.certificate_status.map_or("", |s| s.label(zh)),
                ));
                (!majors || l.open_majors > 0)
                    && (!overdue || l.overdue_actions > 0)
                    && (!expired || l.certificate_status == Some(CS::Expired))
                    && text.iter().all(|t| hay.contains(t.as_str()))
            })
            .collect();
        view.sort_by(|&x, &y| {
            let (a, b) = (&lines[x], &lines[y]);
            // Missing dates sort last when ascending.
            let date = |d: Option<jiff::civil::Date>| (d.is_none(), d);
            let o = match self.programmes.sort {
                PortfolioCol::Programme => std::cmp::Ordering::Equal,
                PortfolioCol::Client => lower(&a.client).cmp(&lower(&b.client)),
                PortfolioCol::Certificate => {
                    let st = |l: &crate::app::cycle::PortfolioLine| l.certificate_status.map(|s| s as u8);
                    st(a).cmp(&st(b))
                }
                PortfolioCol::Until => date(a.certificate.as_ref().map(|c| c.valid_until))
                    .cmp(&date(b.certificate.as_ref().map(|c| c.valid_until))),
                PortfolioCol::NextDue => date(a.next_audit_due).cmp(&date(b.next_audit_due)),
                PortfolioCol::Majors => b.open_majors.cmp(&a.open_majors),
                PortfolioCol::Overdue => b.overdue_actions.cmp(&a.overdue_actions),
            }
            .then_with(|| a.programme.cmp(&b.programme));
            if self.programmes.ascending { o } else { o.reverse() }
        });
        self.programmes.view = view;
        let lines = self.portfolio.as_deref().unwrap_or_default();
        fix_selection(&mut self.programmes, |i| lines[i].programme.as_str());
    }

    pub fn refresh_checklist(&mut self) {
        let Some(d) = &self.data else { return };
        let cat = &d.catalog;
        let needle = lower(self.checklist.filter.trim());
        let matches = |id: &str| -> bool {
            if needle.is_empty() {
                return true;
            }
            cat.indicator(id).is_some_and(|i| {
                lower(&i.id).contains(&needle) || lower(&i.name_en).contains(&needle) || i.name_zh.contains(&needle)
            })
        };
        let mut rows = Vec::new();
        for top in cat.top_groups() {
            let inds_under = |g: &str| {
                cat.indicators
                    .iter()
                    .filter(|i| cat.in_group(i, g))
                    .any(|i| matches(&i.id))
            };
            if !inds_under(&top.id) {
                continue;
            }
            rows.push((Row::Group(top.id.clone()), 0));
            if !needle.is_empty() || !self.checklist.collapsed.contains(&top.id) {
                // Indicators placed in the top group itself, before its sub-groups.
                for i in cat.indicators.iter().filter(|i| i.group == top.id && matches(&i.id)) {
                    rows.push((Row::Indicator(i.id.clone()), 1));
                }
                for g in cat.children(&top.id) {
                    if !inds_under(&g.id) {
                        continue;
                    }
                    rows.push((Row::Group(g.id.clone()), 1));
                    if !needle.is_empty() || !self.checklist.collapsed.contains(&g.id) {
                        for i in cat.indicators.iter().filter(|i| i.group == g.id && matches(&i.id)) {
                            rows.push((Row::Indicator(i.id.clone()), 2));
                        }
                    }
                }
            }
        }
        self.checklist.rows = rows;
        let sel_ok = self
            .checklist
            .selected
            .as_ref()
            .is_some_and(|s| self.checklist.rows.iter().any(|(r, _)| r == s));
        if !sel_ok {
            self.checklist.selected = self.checklist.rows.first().map(|(r, _)| r.clone());
        }
    }

    /// All findings in the current sort order, computed once per sort and data.
    pub(super) fn sorted_findings(&mut self) {
        let Some(d) = &self.data else { return };
        let want = (self.findings.sort, self.findings.ascending);
        if self.findings_order.as_ref().is_some_and(|(k, _)| *k == want) {
            return;
        }
        // The view filtered from the old order is no narrowing of this one.
        self.findings_filtered = None;
        // Every column's order is kept by the snapshot (see tui/orders.rs).
        let mut order: Vec<usize> = d.orders.get(self.findings.sort).iter().map(|&i| i as usize).collect();
        if !self.findings.ascending {
            order.reverse();
        }
        self.findings_order = Some((want, order));
    }

    pub fn refresh_findings(&mut self) {
        self.sorted_findings();
        let Some(d) = &self.data else { return };
        let Some((_, order)) = &self.findings_order else { return };
        let filter = FindingFilter::parse(&self.findings.filter);
        let today = d.today;
        let overdue_only = self.overdue_only || filter.overdue;
        let plain = filter.grades.is_empty() && filter.statuses.is_empty() && !overdue_only && filter.text.is_empty();
        // Typing on in the filter narrows the view shown (same order, same
        // data) instead of testing every finding again.
        let from: &[usize] = match &self.findings_filtered {
            Some((old, old_overdue, day)) if *old_overdue == overdue_only && *day == today && filter.narrows(old) => {
                &self.findings.view
            }
            _ => order,
        };
        let words: Vec<memchr::memmem::Finder> = filter
            .text
            .iter()
            .map(|t| memchr::memmem::Finder::new(t.as_bytes()))
            .collect();
        let keep = |i: usize| {
            let l = &d.lowered[i];
            (filter.grades.is_empty() || filter.grades.contains(&l.grade))
                && (filter.statuses.is_empty() || filter.statuses.contains(&l.status))
                && (!overdue_only || d.findings[i].overdue_days(today).is_some())
                && words.iter().all(|w| w.find(l.text().as_bytes()).is_some())
        };
        let view: Vec<usize> = if plain {
            order.clone()
        } else {
            filter_rows(from, keep, PARALLEL_FILTER)
        };
        self.findings.view = view;
        self.findings_filtered = Some((filter, overdue_only, today));
        if self.selected_finding_pos().is_none() {
            let d = self.data.as_ref().expect("checked above");
            self.findings.selected = self.findings.view.first().map(|&i| d.findings[i].reference.to_string());
            self.findings.offset = 0;
        }
    }

    pub fn refresh_remediation(&mut self) {
        let Some(d) = &self.data else { return };
        let today = d.today;
        let needle = lower(self.remediation.filter.trim());
        let days = |a: &CorrectiveAction| a.days_past_due(today);
        let mut view: Vec<usize> = (0..d.actions.len())
            .filter(|&i| {
                let a = &d.actions[i];
                let in_view = match self.rem_view {
                    RemView::All | RemView::ByOwner => true,
                    RemView::Overdue => days(a).is_some_and(|x| x > 0),
                    RemView::Due7 => days(a).is_some_and(|x| x <= 0 && -x <= 7),
                    RemView::Due30 => days(a).is_some_and(|x| x <= 0 && -x <= 30),
                    RemView::Awaiting => a.status.awaits_verification(),
                };
                in_view
                    && (needle.is_empty()
                        || lower(&a.id).contains(&needle)
                        || lower(&a.finding).contains(&needle)
                        || lower(&a.description).contains(&needle)
                        || lower(&a.owner).contains(&needle))
            })
            .collect();
        let sort = if self.rem_view == RemView::ByOwner {
            ActionCol::Owner
        } else {
            self.remediation.sort
        };
        view.sort_by(|&x, &y| {
            let (a, b) = (&d.actions[x], &d.actions[y]);
            let o = match sort {
                ActionCol::Finding => a.finding.cmp(&b.finding),
                ActionCol::Action => lower(&a.description).cmp(&lower(&b.description)),
                ActionCol::Owner => a.owner.cmp(&b.owner).then(a.due.cmp(&b.due)),
                ActionCol::Due => a.due.cmp(&b.due),
                ActionCol::Status => {
                    let p = |s| crate::model::action::ActionStatus::ALL.iter().position(|x| *x == s);
                    p(a.status).cmp(&p(b.status))
                }
                ActionCol::Progress => a.progress.cmp(&b.progress),
            }
            .then_with(|| a.id.cmp(&b.id));
            if self.remediation.ascending { o } else { o.reverse() }
        });
        self.remediation.view = view;
        fix_selection(&mut self.remediation, |i| d.actions[i].id.as_str());
    }

    /// The selected finding, whole (made from its row: a few small copies).
    pub fn selected_finding(&self) -> Option<Finding> {
        self.data.as_ref()?.full_finding(self.findings.selected.as_ref()?)
    }

    /// Where the selected finding is in the findings view (findings are kept
    /// sorted by reference: a binary search, then a scan of integers).
    pub fn selected_finding_pos(&self) -> Option<usize> {
        let d = self.data.as_ref()?;
        let r = self.findings.selected.as_ref()?;
        let i = d.row_of(r)?;
        self.findings.view.iter().position(|&j| j == i)
    }

    pub fn selected_action(&self) -> Option<&CorrectiveAction> {
        let d = self.data.as_ref()?;
        let r = self.remediation.selected.as_ref()?;
        d.actions.iter().find(|a| &a.id == r)
    }

    pub fn selected_indicator(&self) -> Option<&str> {
        match &self.checklist.selected {
            Some(Row::Indicator(id)) => Some(id),
            _ => None,
        }
    }

    pub(super) fn refresh_pane_view(&mut self) {
        match self.pane {
            Pane::Checklist => self.refresh_checklist(),
            Pane::Findings => self.refresh_findings(),
            Pane::Remediation => self.refresh_remediation(),
            Pane::Portfolio => self.refresh_portfolio(),
            Pane::Dashboard | Pane::Calls => {}
        }
    }

    pub(super) fn current_index(&self) -> Option<usize> {
        let d = self.data.as_ref()?;
        match self.pane {
            Pane::Checklist => self
                .checklist
                .selected
                .as_ref()
                .and_then(|s| self.checklist.rows.iter().position(|(r, _)| r == s)),
            Pane::Findings => self.selected_finding_pos(),
            Pane::Remediation => self
                .remediation
                .selected
                .as_ref()
                .and_then(|s| self.remediation.view.iter().position(|&i| &d.actions[i].id == s)),
            Pane::Portfolio => self.selected_programme_pos(),
            Pane::Dashboard | Pane::Calls => None,
        }
    }

    /// The selected programme's row in the portfolio view.
    pub fn selected_programme_pos(&self) -> Option<usize> {
        let lines = self.portfolio.as_ref()?;
        let sel = self.programmes.selected.as_ref()?;
        self.programmes.view.iter().position(|&i| &lines[i].programme == sel)
    }

    /// The selected programme.
    pub fn selected_programme(&self) -> Option<&crate::app::cycle::PortfolioLine> {
        let lines = self.portfolio.as_ref()?;
        let sel = self.programmes.selected.as_ref()?;
        lines.iter().find(|l| &l.programme == sel)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Split over two threads or not, the filter keeps the same rows in
        /// the same order.
        #[test]
        fn a_filter_on_two_threads_keeps_the_rows_and_their_order(
            from in proptest::collection::vec(0usize..500, 0..300),
            modulus in 1usize..7,
            parallel in 0usize..50,
        ) {
            let keep = |i: usize| i.is_multiple_of(modulus);
            let expected: Vec<usize> = from.iter().copied().filter(|&i| keep(i)).collect();
            prop_assert_eq!(super::filter_rows(&from, keep, parallel), expected);
        }
    }
}
