//! The remediation review: where corrective actions and findings stand today.
//!
//! Length: the remediation review is one computation read together (summary,
//! its rows and its figures).

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

#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Team members whose auditor registration expires within 60 days or
    /// has expired (an expired one no longer counts as a registered auditor).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registrations: Vec<RegistrationLine>,
    /// Where the engagement stands in its certification programme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<super::cycle::CycleInfo>,
    /// The engagement's plan (a self-assessment's milestones), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<super::plan::Plan>,
    /// The score as the catalogue scores: `points` and `stars` for a points
    /// catalogue, the weighted mean otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::model::scoring::ScoreSummary>,
}

/// A team member's registration that expires soon or has expired.
#[derive(Clone, Debug, Serialize)]
pub struct RegistrationLine {
    pub actor: String,
    pub name: String,
    pub certificate_no: String,
    pub valid_until: Date,
    /// Negative once expired.
    pub days_left: i64,
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

/// Where an open action stands against its due date.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Due {
    Overdue(i64),
    /// Days left, with whether within the due-soon policy, and within 30 days.
    Ahead {
        soon: bool,
        month: bool,
    },
    NoDate,
}

fn due_state(a: &CorrectiveAction, today: Date, soon: i64) -> Due {
    match a.days_past_due(today) {
        Some(d) if d > 0 => Due::Overdue(d),
        Some(d) => Due::Ahead {
            soon: -d <= soon,
            month: -d <= 30,
        },
        None => Due::NoDate,
    }
}

/// The dashboard's figures: counts, and only the most overdue actions as
/// lines. What [`build`] gives as full lists (for reports and `status`) is
/// counted here, so the TUI can recompute it on every save at 100,000
/// findings without building a line per finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Glance {
    /// Findings per (grade, status).
    pub findings_by_grade: BTreeMap<(Grade, FindingStatus), usize>,
    pub overdue: usize,
    pub due_7: usize,
    pub due_30: usize,
    pub awaiting_verification: usize,
    pub verified: usize,
    /// The most overdue actions first, at most [`GLANCE_LINES`].
    pub oldest_overdue: Vec<ActionLine>,
    pub scorecard: Scorecard,
}

/// Findings per (grade, status): counted in a table indexed by position
/// (a map entry per finding was most of a dashboard refresh at 1,000,000).
fn count_by_grade(
    findings: impl IntoIterator<Item = (Grade, FindingStatus)>,
) -> BTreeMap<(Grade, FindingStatus), usize> {
    let (grades, statuses) = (Grade::ALL, FindingStatus::ALL);
    let mut table = vec![0usize; grades.len() * statuses.len()];
    for (grade, status) in findings {
        let g = grades.iter().position(|x| *x == grade).unwrap_or(0);
        let st = statuses.iter().position(|x| *x == status).unwrap_or(0);
        table[g * statuses.len() + st] += 1;
    }
    let mut n = BTreeMap::new();
    for (gi, g) in grades.iter().enumerate() {
        for (si, st) in statuses.iter().enumerate() {
            let count = table[gi * statuses.len() + si];
            if count > 0 {
                n.insert((*g, *st), count);
            }
        }
    }
    n
}

/// Lines of overdue actions kept by [`glance`] (more than a screen holds).
pub const GLANCE_LINES: usize = 100;

pub fn glance(
    cat: &Catalog,
    findings: impl IntoIterator<Item = (Grade, FindingStatus)>,
    actions: &[CorrectiveAction],
    assessments: &[Assessment],
    today: Date,
    due_soon_days: i32,
) -> Glance {
    let mut g = Glance {
        findings_by_grade: count_by_grade(findings),
        overdue: 0,
        due_7: 0,
        due_30: 0,
        awaiting_verification: 0,
        verified: 0,
        oldest_overdue: Vec::new(),
        scorecard: scoring::score(cat, assessments),
    };
    g.count_actions(actions, today, due_soon_days);
    g
}

impl Glance {
    /// The figures from the actions (overdue, due soon, to verify, verified,
    /// the most overdue lines), counted again; the findings' counts and the
    /// scorecard are left as they are.
    pub fn count_actions(&mut self, actions: &[CorrectiveAction], today: Date, due_soon_days: i32) {
        let soon = i64::from(due_soon_days);
        (
            self.overdue,
            self.due_7,
            self.due_30,
            self.awaiting_verification,
            self.verified,
        ) = (0, 0, 0, 0, 0);
        let mut late: Vec<(i64, &str, usize)> = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            if a.status == ActionStatus::Effective {
                self.verified += 1;
            }
            if a.status.awaits_verification() {
                self.awaiting_verification += 1;
            }
            match due_state(a, today, soon) {
                Due::Overdue(d) => {
                    self.overdue += 1;
                    late.push((d, a.id.as_str(), i));
                }
                Due::Ahead { soon, month } => {
                    self.due_7 += usize::from(soon);
                    self.due_30 += usize::from(month);
                }
                Due::NoDate => {}
            }
        }
        // Most days overdue first, then by id (as `build` orders them); only
        // the lines kept are sorted (tens of thousands may be overdue).
        let order = |a: &(i64, &str, usize), b: &(i64, &str, usize)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
        if late.len() > GLANCE_LINES {
            late.select_nth_unstable_by(GLANCE_LINES - 1, order);
            late.truncate(GLANCE_LINES);
        }
        late.sort_unstable_by(order);
        self.oldest_overdue = late.iter().map(|&(_, _, i)| action_line(&actions[i], today)).collect();
    }

    /// One finding more (`add`) or less in the counts by grade and status.
    pub fn count_finding(&mut self, grade: Grade, status: FindingStatus, add: bool) {
        let key = (grade, status);
        if add {
            *self.findings_by_grade.entry(key).or_default() += 1;
        } else if let Some(n) = self.findings_by_grade.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.findings_by_grade.remove(&key);
            }
        }
    }
}

/// How many lines each list of a [`StatusReport`] had before it was cut to
/// a screenful (see [`App::status_summary`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    pub overdue: usize,
    pub due_7: usize,
    pub due_30: usize,
    pub awaiting_verification: usize,
    pub open_majors: usize,
    pub responses_overdue: usize,
    pub closures_overdue: usize,
}

impl StatusReport {
    /// Every list cut to its first `lines` lines.
    pub fn cut(&mut self, lines: usize) {
        for l in [
            &mut self.overdue,
            &mut self.due_7,
            &mut self.due_30,
            &mut self.awaiting_verification,
        ] {
            l.truncate(lines);
        }
        for l in [
            &mut self.open_majors,
            &mut self.responses_overdue,
            &mut self.closures_overdue,
        ] {
            l.truncate(lines);
        }
    }

    /// Its lists' lengths.
    pub fn totals(&self) -> Totals {
        Totals {
            overdue: self.overdue.len(),
            due_7: self.due_7.len(),
            due_30: self.due_30.len(),
            awaiting_verification: self.awaiting_verification.len(),
            open_majors: self.open_majors.len(),
            responses_overdue: self.responses_overdue.len(),
            closures_overdue: self.closures_overdue.len(),
        }
    }
}

/// A finding as the summary index knows it: grade, status and deadlines
/// (what the remediation review counts with), nothing else.
pub(crate) fn light_finding(engagement: &str, reference: String, value: &str) -> Option<Finding> {
    let mut p = value.split(crate::store::SUMMARY_SEP);
    let (grade, status) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    let date = |s: Option<&str>| s.and_then(|s| s.parse::<Date>().ok());
    let (response_due, closure_due) = (date(p.next()), date(p.next()));
    Some(Finding {
        reference: crate::model::ops::short_reference(&reference).to_string(),
        entity: reference,
        engagement: engagement.to_string(),
        grade,
        status,
        title: String::new(),
        statement: String::new(),
        criterion: String::new(),
        evidence_note: String::new(),
        indicators: Vec::new(),
        evidence: Vec::new(),
        raised_by: String::new(),
        raised_on: None,
        issued_on: None,
        response_due,
        closure_due,
        root_cause: String::new(),
        correction: String::new(),
        responded_on: None,
        verified_on: None,
        closed_on: None,
    })
}

impl App {
    /// The remediation review with at most `lines` lines per list, and the
    /// lists' full lengths. Counts come from the per-engagement counters
    /// kept in every write transaction; the overdue and due-soon lists from
    /// the open-by-date indexes (read up to a month ahead, keys only); only
    /// the lines shown are read in full. The same figures as
    /// [`App::status_report`] at a fraction of the cost.
    pub fn status_summary(&self, eng: &Engagement, lines: usize) -> Result<(StatusReport, Totals)> {
        let (mut r, totals) = self.summary(eng, lines, lines, true, true)?;
        r.registrations = self.registration_lines(&eng.id)?;
        r.cycle = self.cycle_of(eng)?;
        r.plan = self.plan_of(eng)?;
        r.score = Some(self.score_summary(&eng.id)?);
        Ok((r, totals))
    }

    /// [`App::status_summary`] with `overdue_lines` lines of overdue
    /// actions, `lines` of every other list, and the findings' lists (open
    /// majors, responses and closures overdue) only when `finding_lists`.
    fn summary(
        &self,
        eng: &Engagement,
        overdue_lines: usize,
        lines: usize,
        finding_lists: bool,
        with_scorecard: bool,
    ) -> Result<(StatusReport, Totals)> {
        use crate::store::{IndexTag, SUMMARY_SEP as SEP};
        let today = self.today();
        let soon = i64::from(self.policy.due_soon_days);
        let cat = self.catalog_for(eng)?;
        let scorecard = if with_scorecard {
            scoring::score(&cat, &self.assessments(&eng.id)?)
        } else {
            // Not asked for (the portfolio's counts): nothing assessed.
            scoring::Scorecard {
                overall: scoring::GroupScore {
                    group: String::new(),
                    applicable: 0,
                    assessed: 0,
                    nonconforming: 0,
                    progress: 0.0,
                    score: None,
                },
                groups: Vec::new(),
            }
        };
        let store = self.store();

        // Counts.
        let mut by_grade: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let mut owners: BTreeMap<String, OwnerLine> = BTreeMap::new();
        let (mut findings_total, mut actions_total, mut verified, mut awaiting_total) = (0, 0, 0, 0);
        // Per day of the open-by-date indexes: open actions (and owner),
        // responses awaited, closures awaited.
        let mut action_days: Vec<(Date, String, usize)> = Vec::new();
        let mut response_days: Vec<(Date, usize)> = Vec::new();
        let mut closure_days: Vec<(Date, usize)> = Vec::new();
        for (name, n) in store.counts(&eng.id)? {
            let n = n as usize;
            let mut p = name.splitn(3, SEP);
            match (p.next(), p.next(), p.next()) {
                (Some("f"), Some(g), Some(st)) => {
                    let (g, st) = match (g.parse::<Grade>(), st.parse::<FindingStatus>()) {
                        (Ok(g), Ok(st)) => (g.to_string(), st.to_string()),
                        _ => return Ok(full(self.status_report(eng)?, lines)),
                    };
                    *by_grade.entry(g).or_default().entry(st).or_default() += n;
                    findings_total += n;
                }
                (Some("a"), Some(st), None) => {
                    let Ok(st) = st.parse::<ActionStatus>() else {
                        return Ok(full(self.status_report(eng)?, lines));
                    };
                    *by_status.entry(st.to_string()).or_default() += n;
                    actions_total += n;
                    if st == ActionStatus::Effective {
                        verified += n;
                    }
                    if st.awaits_verification() {
                        awaiting_total += n;
                    }
                }
                (Some("o"), Some(st), owner) => {
                    let Ok(st) = st.parse::<ActionStatus>() else {
                        return Ok(full(self.status_report(eng)?, lines));
                    };
                    let owner = owner.unwrap_or_default();
                    let o = owner_line(&mut owners, owner);
                    if st.is_open() {
                        o.open += n;
                    }
                    if st == ActionStatus::Effective {
                        o.verified += n;
                    }
                    if st.awaits_verification() {
                        o.awaiting_verification += n;
                    }
                }
                (Some(day_kind @ ("d" | "r" | "c")), Some(day), owner) => {
                    let Ok(day) = day.parse::<Date>() else {
                        return Ok(full(self.status_report(eng)?, lines));
                    };
                    match day_kind {
                        "d" => action_days.push((day, owner.unwrap_or_default().to_string(), n)),
                        "r" => response_days.push((day, n)),
                        _ => closure_days.push((day, n)),
                    }
                }
                _ => {}
            }
        }

        // Open actions by day: overdue, due soon, due in 30 days (counted
        // per day; the lines shown are the first of the date index).
        let (mut overdue_total, mut due_7_total, mut due_30_total) = (0, 0, 0);
        for (due, owner, n) in &action_days {
            let d = i64::from((today - *due).get_days());
            if d > 0 {
                owner_line(&mut owners, owner).overdue += n;
                overdue_total += n;
            } else {
                if -d <= soon {
                    owner_line(&mut owners, owner).due_7 += n;
                    due_7_total += n;
                }
                if -d <= 30 {
                    due_30_total += n;
                }
            }
        }
        let past = |days: &[(Date, usize)]| -> usize {
            days.iter()
                .filter(|(d, _)| crate::model::finding::overdue_days(*d, today).is_some())
                .map(|(_, n)| n)
                .sum()
        };
        let (responses_total, closures_total) = if finding_lists {
            (past(&response_days), past(&closure_days))
        } else {
            (0, 0)
        };
        let first = |tag, from: &str, to: Option<&str>, n: usize, key: &dyn Fn(&str) -> String| {
            first_in_order(store, tag, &eng.id, from, to, n, key)
        };
        let day_of = |value: &str| value.split(SEP).next().unwrap_or_default().to_string();
        let (today_s, after_soon, after_month) = (
            today.to_string(),
            (today + jiff::Span::new().days(soon + 1)).to_string(),
            (today + jiff::Span::new().days(31)).to_string(),
        );
        // Most overdue first (earliest due), then id.
        let overdue = first(IndexTag::ActionOpenDue, "", Some(&today_s), overdue_lines, &day_of)?;
        let due_7 = first(IndexTag::ActionOpenDue, &today_s, Some(&after_soon), lines, &day_of)?;
        let due_30 = first(IndexTag::ActionOpenDue, &today_s, Some(&after_month), lines, &day_of)?;
        // Awaiting verification, in the order of the actions (due, none last; id).
        let completed = format!("{}{SEP}", ActionStatus::Completed);
        let after = format!(
            "{}{}",
            ActionStatus::Completed,
            char::from_u32(SEP as u32 + 1).unwrap_or('~')
        );
        let awaiting = first(IndexTag::ActionSummary, &completed, Some(&after), lines, &|v: &str| {
            v.split(SEP).nth(1).unwrap_or("~").to_string()
        })?;

        // Findings: open majors (by reference), responses and closures
        // overdue (most overdue first). Their number from the counters; the
        // first lines from their index.
        let majors_total: usize = by_grade
            .get(&Grade::Major.to_string())
            .map(|m| {
                m.iter()
                    .filter(|(st, _)| st.parse::<FindingStatus>().is_ok_and(|s| s.is_open()))
                    .map(|(_, n)| n)
                    .sum()
            })
            .unwrap_or(0);
        let mut majors: Vec<(Option<i64>, Finding)> = Vec::new();
        let major_lines = if finding_lists { lines } else { 0 };
        for reference in store.index_first(IndexTag::FindingOpenMajor, &eng.id, major_lines)? {
            let f = self.finding_by_id(&reference)?;
            majors.push((f.closure_overdue_days(today), f));
        }
        let finding_lines_n = if finding_lists { lines } else { 0 };
        let resp = first(
            IndexTag::FindingResponseOpen,
            "",
            Some(&today_s),
            finding_lines_n,
            &day_of,
        )?;
        let close = first(
            IndexTag::FindingClosureOpen,
            "",
            Some(&today_s),
            finding_lines_n,
            &day_of,
        )?;

        let totals = Totals {
            overdue: overdue_total,
            due_7: due_7_total,
            due_30: due_30_total,
            awaiting_verification: awaiting_total,
            open_majors: majors_total,
            responses_overdue: responses_total,
            closures_overdue: closures_total,
        };
        // The lines shown, read in full.
        let action_lines = |ids: &[(String, String)], lines: usize| -> Result<Vec<ActionLine>> {
            ids.iter()
                .take(lines)
                .map(|(_, id)| Ok(action_line(&self.action_by_id(id)?, today)))
                .collect()
        };
        let finding_lines = |items: &[(String, String)], overdue: fn(&Finding, Date) -> Option<i64>| {
            items
                .iter()
                .take(lines)
                .map(|(_, r)| {
                    let f = self.finding_by_id(r)?;
                    Ok(finding_line(&f, overdue(&f, today)))
                })
                .collect::<Result<Vec<FindingLine>>>()
        };
        let mut by_owner: Vec<OwnerLine> = owners.into_values().collect();
        sort_owners(&mut by_owner);
        let r = StatusReport {
            engagement: eng.id.clone(),
            title: eng.title.clone(),
            auditee: eng.auditee.clone(),
            kind: eng.kind.to_string(),
            today,
            catalog: format!("{} {}", cat.id, cat.version),
            provisional_catalog: cat.provisional,
            actions_total,
            actions_by_status: by_status,
            overdue: action_lines(&overdue, overdue_lines)?,
            due_7: action_lines(&due_7, lines)?,
            due_30: action_lines(&due_30, lines)?,
            awaiting_verification: action_lines(&awaiting, lines)?,
            verified,
            by_owner,
            findings_total,
            findings_by_grade: by_grade,
            open_majors: majors.iter().map(|(d, f)| finding_line(f, *d)).collect(),
            responses_overdue: finding_lines(&resp, Finding::response_overdue_days)?,
            closures_overdue: finding_lines(&close, Finding::closure_overdue_days)?,
            scorecard,
            registrations: Vec::new(),
            cycle: None,
            plan: None,
            score: None,
        };
        Ok((r, totals))
    }

    /// How many findings an engagement has (from the store's counters).
    pub fn finding_count(&self, engagement: &str) -> Result<usize> {
        Ok(self
            .store()
            .counts(engagement)?
            .iter()
            .filter(|(name, _)| name.starts_with(&format!("f{}", crate::store::SUMMARY_SEP)))
            .map(|(_, n)| *n as usize)
            .sum())
    }

    /// The dashboard's figures read from the store (counters and indexes),
    /// without loading the findings: what the TUI draws first on a large
    /// engagement while the lists load. Equal to [`glance`] over the records.
    pub fn glance_from_store(&self, eng: &Engagement) -> Result<Glance> {
        self.glance_with(eng, true)
    }

    /// [`App::glance_from_store`] without the scorecard (its `scorecard`
    /// is empty): the counts and overdue lines the portfolio adds up.
    pub fn glance_counts(&self, eng: &Engagement) -> Result<Glance> {
        self.glance_with(eng, false)
    }

    fn glance_with(&self, eng: &Engagement, with_scorecard: bool) -> Result<Glance> {
        // Only the overdue lines are drawn, and no finding list is counted.
        let (r, totals) = self.summary(eng, GLANCE_LINES, 0, false, with_scorecard)?;
        let mut findings_by_grade = BTreeMap::new();
        for (g, by_status) in &r.findings_by_grade {
            for (st, n) in by_status {
                if let (Ok(g), Ok(st)) = (g.parse::<Grade>(), st.parse::<FindingStatus>()) {
                    findings_by_grade.insert((g, st), *n);
                }
            }
        }
        Ok(Glance {
            findings_by_grade,
            overdue: totals.overdue,
            due_7: totals.due_7,
            due_30: totals.due_30,
            awaiting_verification: totals.awaiting_verification,
            verified: r.verified,
            oldest_overdue: r.overdue,
            scorecard: r.scorecard,
        })
    }

    pub fn status_report(&self, eng: &Engagement) -> Result<StatusReport> {
        let mut r = self.report_from(eng, &self.findings(&eng.id)?, &self.actions(&eng.id)?)?;
        r.registrations = self.registration_lines(&eng.id)?;
        r.cycle = self.cycle_of(eng)?;
        r.plan = self.plan_of(eng)?;
        r.score = Some(self.score_summary(&eng.id)?);
        Ok(r)
    }

    /// The plan, for an engagement with milestones.
    fn plan_of(&self, eng: &Engagement) -> Result<Option<super::plan::Plan>> {
        if self.milestones(&eng.id)?.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.plan(&eng.id)?))
    }

    /// The programme part of the review, for an engagement in one.
    fn cycle_of(&self, eng: &Engagement) -> Result<Option<super::cycle::CycleInfo>> {
        if eng.programme.is_none() && eng.carries.is_empty() && eng.decision.is_none() {
            return Ok(None);
        }
        Ok(Some(self.cycle_info(eng)?))
    }

    /// The team's registrations that expire within 60 days or have expired.
    pub fn registration_lines(&self, engagement: &str) -> Result<Vec<RegistrationLine>> {
        let today = self.today();
        let mut v: Vec<RegistrationLine> = self
            .team(engagement)?
            .into_iter()
            .filter_map(|m| {
                let days_left = m.registration_warning(today)?;
                Some(RegistrationLine {
                    valid_until: m.registration_until?,
                    certificate_no: m.certificate_no.clone().unwrap_or_default(),
                    actor: m.actor,
                    name: m.name,
                    days_left,
                })
            })
            .collect();
        v.sort_by(|a, b| a.days_left.cmp(&b.days_left).then_with(|| a.actor.cmp(&b.actor)));
        Ok(v)
    }

    /// The review of these findings and actions (whole or summary records).
    fn report_from(
        &self,
        eng: &Engagement,
        findings: &[Finding],
        actions: &[CorrectiveAction],
    ) -> Result<StatusReport> {
        Ok(build(
            eng,
            &self.catalog_for(eng)?,
            findings,
            actions,
            &self.assessments(&eng.id)?,
            self.today(),
            self.policy.due_soon_days,
        ))
    }
}

/// The line of `owner`, made on first use.
fn owner_line<'a>(owners: &'a mut BTreeMap<String, OwnerLine>, owner: &str) -> &'a mut OwnerLine {
    owners.entry(owner.to_string()).or_insert_with(|| OwnerLine {
        owner: owner.to_string(),
        ..Default::default()
    })
}

/// Owners with the most overdue first, then the most open, then by name.
fn sort_owners(owners: &mut [OwnerLine]) {
    owners.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then(a.owner.cmp(&b.owner))
    });
}

/// The first `n` entries of an index range (`from..to`, values of one
/// engagement), ordered by `key` of their value (a date, say), then id: read
/// in key order until `n` are held and the key moves on, so a day's ties are
/// all seen. (key, id) pairs.
fn first_in_order(
    store: &crate::store::Store,
    tag: crate::store::IndexTag,
    engagement: &str,
    from: &str,
    to: Option<&str>,
    n: usize,
    key: &dyn Fn(&str) -> String,
) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    if n == 0 {
        return Ok(out);
    }
    store.index_each(tag, engagement, from, to, &mut |value, id| {
        let k = key(value);
        if out.len() >= n && out.last().is_some_and(|(last, _)| *last != k) {
            return false;
        }
        out.push((k, id.to_string()));
        true
    })?;
    out.sort_unstable();
    out.truncate(n);
    Ok(out)
}

/// A full report cut to `lines` per list (where a summary value did not read).
fn full(mut r: StatusReport, lines: usize) -> (StatusReport, Totals) {
    let totals = r.totals();
    r.cut(lines);
    (r, totals)
}

/// The report from loaded records, with every line (`status`, reports);
/// the TUI's dashboard uses [`glance`], which only counts.
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

        // Counted by enum and owner index first; strings are made once per
        // distinct value at the end (this runs on every save in the TUI, over
        // 100,000 findings at scale).
        let mut by_status_n: BTreeMap<ActionStatus, usize> = BTreeMap::new();
        let mut owner_ix: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut owners: Vec<OwnerLine> = Vec::new();
        let (mut overdue, mut due_7, mut due_30, mut awaiting) = (vec![], vec![], vec![], vec![]);
        let mut verified = 0;
        for a in actions {
            *by_status_n.entry(a.status).or_default() += 1;
            let oi = *owner_ix.entry(a.owner.as_str()).or_insert_with(|| {
                owners.push(OwnerLine {
                    owner: a.owner.clone(),
                    ..Default::default()
                });
                owners.len() - 1
            });
            let o = &mut owners[oi];
            if a.status.is_open() {
                o.open += 1;
            }
            if a.status == ActionStatus::Effective {
                verified += 1;
                o.verified += 1;
            }
            if a.status.awaits_verification() {
                o.awaiting_verification += 1;
                awaiting.push(action_line(a, today));
            }
            match due_state(a, today, soon) {
                Due::Overdue(_) => {
                    o.overdue += 1;
                    overdue.push(action_line(a, today));
                }
                Due::Ahead { soon, month } => {
                    if soon {
                        o.due_7 += 1;
                        due_7.push(action_line(a, today));
                    }
                    if month {
                        due_30.push(action_line(a, today));
                    }
                }
                Due::NoDate => {}
            }
        }
        let by_status: BTreeMap<String, usize> = by_status_n.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then(a.id.cmp(&b.id)));
        due_7.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
        due_30.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));

        let (mut majors, mut resp_overdue, mut close_overdue) = (vec![], vec![], vec![]);
        for f in findings {
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
        // Most overdue first, then reference (majors stay in reference order).
        for list in [&mut resp_overdue, &mut close_overdue] {
            list.sort_by(|a: &FindingLine, b: &FindingLine| {
                b.days_overdue
                    .cmp(&a.days_overdue)
                    .then_with(|| a.reference.cmp(&b.reference))
            });
        }
        let mut by_grade: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for ((g, st), n) in count_by_grade(findings.iter().map(|f| (f.grade, f.status))) {
            by_grade.entry(g.to_string()).or_default().insert(st.to_string(), n);
        }
        let mut by_owner: Vec<OwnerLine> = owners;
        sort_owners(&mut by_owner);
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
            registrations: Vec::new(),
            cycle: None,
            plan: None,
            score: None,
        }
    }
}
