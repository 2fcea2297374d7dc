//! A snapshot of one engagement, loaded through the app layer, that the views
//! read from. Loaded whole when the engagement is opened (or another process
//! changed the database); after the user's own saves only the records the
//! commit touched are read again and patched in ([`Patch`]), so a save costs
//! the same at 100,000 findings as at 10.
//!
//! Length: the snapshot's fields and both ways of filling them (a whole load
//! and a patch after a save) stay side by side: a field added to one is added
//! to the other.

use super::orders::{Keys, Lowered, Orders};
use super::rows::{FindingRow, Names};
use crate::app::status::{self, Glance};
use crate::app::{App, Result};
use crate::model::action::CorrectiveAction;
use crate::model::assessment::Assessment;
use crate::model::catalog::Catalog;
use crate::model::engagement::{Engagement, Member};
use crate::model::evidence::Evidence;
use crate::model::finding::Finding;
use crate::model::ops::Kind;
use jiff::civil::Date;
use std::collections::HashMap;

pub struct Data {
    pub engagement: Engagement,
    pub engagements: Vec<Engagement>,
    pub catalog: Catalog,
    pub team: Vec<Member>,
    /// Assessments by indicator id.
    pub assessments: HashMap<String, Assessment>,
    /// The engagement's findings as compact rows, sorted by reference
    /// ([`Data::full_finding`] gives one back whole).
    pub findings: Vec<FindingRow>,
    /// Author and indicator names the rows share.
    names: Names,
    pub actions: Vec<CorrectiveAction>,
    /// Indexes into `actions` per finding reference.
    pub actions_by_finding: HashMap<String, Vec<usize>>,
    /// Rows of `findings` per indicator id, ascending (so in reference order).
    pub findings_by_indicator: HashMap<String, Vec<u32>>,
    /// Lower-case "reference title indicators" per finding, for filtering,
    /// and where its title is, for sorting.
    pub lowered: Vec<Lowered>,
    /// The findings in every column's order.
    pub orders: Orders,
    pub evidence: HashMap<String, Evidence>,
    /// The dashboard's counts and scorecard.
    pub glance: Glance,
    pub today: Date,
    pub me: String,
    /// Why your changes to this engagement would be refused for their
    /// signature (shown on the dashboard and in the status line).
    pub signing: Option<crate::message::Msg>,
    /// Findings of earlier engagements this one carries, as they stand now
    /// (those this copy holds).
    pub carried: Vec<Finding>,
    /// The engagement's plan (milestones), if it has one.
    pub milestones: Vec<crate::model::plan::Milestone>,
    /// The test calls of its mystery-shopping campaigns.
    pub test_calls: Vec<crate::model::testcall::TestCall>,
    /// The QA re-scoring reviews (every round), by number.
    pub qa: Vec<crate::model::qa::QaReview>,
    /// The latest round's figures (derived from `qa` when it is read, not
    /// on every frame).
    pub qa_round: Option<crate::app::qa::QaRound>,
    /// Each indicator's results in the earlier engagements of the programme.
    pub previous: HashMap<String, Vec<crate::app::cycle::PreviousResult>>,
    /// The audit plan: mode, sites, activities, opening and closing meetings.
    pub audit_plan: Option<crate::app::body::AuditPlan>,
    /// Its person-days (the body's calculator, or as recorded).
    pub person_days: Option<crate::app::body::PersonDays>,
    /// The evidence requests to the auditee, by number.
    pub requests: Vec<crate::model::request::Request>,
    /// The score as the catalogue scores (points and stars, or the weighted mean).
    pub score: Option<crate::model::scoring::ScoreSummary>,
    due_soon_days: i32,
    /// Only the dashboard's figures are here (read from the store's
    /// counters); the lists are loading ([`Data::load_glance`]).
    pub partial: bool,
}

/// What a [`Patch`] changed, as [`Data::apply`] saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings or actions (or the engagement): the findings view is made again.
    pub lists: bool,
    /// Actions (or the engagement): the remediation view is sorted again too.
    pub actions: bool,
}

/// What [`Data::derive`] counts again besides the scorecard.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Recount {
    Scorecard,
    Actions,
    All,
}

/// The records a commit touched, read again: `Err(id)` for one that is gone
/// (an undone creation).
#[derive(Debug, Default)]
pub struct Patch {
    pub engagement: Option<Engagement>,
    pub engagements: Option<Vec<Engagement>>,
    pub team: Option<Vec<Member>>,
    pub assessments: Vec<Assessment>,
    pub findings: Vec<std::result::Result<Finding, String>>,
    pub actions: Vec<std::result::Result<CorrectiveAction, String>>,
    pub evidence: Vec<std::result::Result<Evidence, String>>,
    pub milestones: Option<Vec<crate::model::plan::Milestone>>,
    /// Test calls the commit touched (`Err(id)`: gone).
    pub test_calls: Vec<std::result::Result<crate::model::testcall::TestCall, String>>,
    /// The QA reviews, read again when a commit touched any.
    pub qa: Option<Vec<crate::model::qa::QaReview>>,
    /// The score, read again when a commit touched an assessment or the engagement.
    pub score: Option<crate::model::scoring::ScoreSummary>,
    /// The audit plan and its person-days, read again when a commit touched them.
    pub audit_plan: Option<(crate::app::body::AuditPlan, Option<crate::app::body::PersonDays>)>,
    /// The evidence requests, read again when a commit touched one.
    pub requests: Option<Vec<crate::model::request::Request>>,
    /// Who this copy writes as now.
    pub me: Option<String>,
    /// Carried findings (of other engagements) the commit touched.
    pub carried: Vec<Finding>,
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("engagement", &self.engagement.id)
            .field("findings", &self.findings.len())
            .finish()
    }
}

impl Data {
    /// Hold the QA reviews and derive the latest round's figures.
    pub fn set_qa(&mut self, qa: Vec<crate::model::qa::QaReview>) {
        self.qa = qa;
        self.qa_round = self.qa.last().map(|last| {
            let round: Vec<crate::model::qa::QaReview> = self.qa_latest().into_iter().cloned().collect();
            crate::app::qa::round_figures(&self.engagement.id, &last.round, &round)
        });
    }

    /// The reviews of the latest round, by number.
    pub fn qa_latest(&self) -> Vec<&crate::model::qa::QaReview> {
        let Some(last) = self.qa.last() else {
            return Vec::new();
        };
        self.qa.iter().filter(|r| r.round == last.round).collect()
    }

    /// What the dashboard shows, without the findings and actions: the
    /// engagement, team, catalogue, assessments, and the counts from the
    /// store's counters. A large engagement's first frame is drawn from this
    /// while [`Data::load`] reads the lists.
    pub fn load_glance(app: &App, engagement: &str) -> Result<Data> {
        let engagement = app.engagement(engagement)?;
        let catalog = app.catalog_for(&engagement)?;
        let glance = app.glance_from_store(&engagement)?;
        let assessments = app.assessments(&engagement.id)?;
        let mut d = Data::without_lists(app, engagement, catalog, assessments, glance)?;
        d.derive(Recount::Scorecard);
        Ok(d)
    }

    pub fn load(app: &App, engagement: &str) -> Result<Data> {
        // Everything is read now; what earlier commits touched is in it.
        app.take_touched();
        let engagement = app.engagement(engagement)?;
        let catalog = app.catalog_for(&engagement)?;
        let assessments = app.assessments(&engagement.id)?;
        // Each finding made into its row as it is decoded.
        let names = Names::default();
        let findings = app.findings_with(&engagement.id, |f| FindingRow::of(f, &names), |r| &r.reference)?;
        let actions = app.actions(&engagement.id)?;
        // The records decoded on the way are freed: given back now, before
        // the sort orders are built, so the two do not add up.
        crate::app::trim_heap();
        let glance = status::glance(
            &catalog,
            findings.iter().map(|f| (f.grade, f.status)),
            &actions,
            &assessments,
            app.today(),
            app.policy.due_soon_days,
        );
        let evidence = app.evidence(&engagement.id)?;
        let mut d = Data::without_lists(app, engagement, catalog, assessments, glance)?;
        d.evidence = evidence.into_iter().map(|e| (e.sha256.clone(), e)).collect();
        d.findings = findings;
        d.names = names;
        d.lowered = lowered(&d.findings);
        d.actions = actions;
        d.partial = false;
        d.index_actions();
        for i in 0..d.findings.len() {
            d.link_indicators(i);
        }
        d.orders = Orders::build(&d.keys());
        d.derive(Recount::Scorecard);
        Ok(d)
    }

    /// The engagement, its team, catalogue and assessments, these figures;
    /// no findings, actions or evidence yet (`partial`).
    fn without_lists(
        app: &App,
        engagement: Engagement,
        catalog: Catalog,
        assessments: Vec<Assessment>,
        glance: Glance,
    ) -> Result<Data> {
        // A bare reference the screen passes on means this engagement's.
        app.set_context(Some(&engagement.id));
        let engagements = app.engagements()?;
        let previous = app
            .previous_results_among(&engagement, engagements.clone())?
            .into_iter()
            .collect();
        let signing = app.signing_problem(&engagement.id).ok().flatten();
        let qa = app.qa_reviews(&engagement.id)?;
        let mut d = Data {
            lowered: Vec::new(),
            team: app.team(&engagement.id)?,
            milestones: app.milestones(&engagement.id)?,
            test_calls: app.test_calls(&engagement.id)?,
            qa: Vec::new(),
            qa_round: None,
            audit_plan: None,
            person_days: None,
            requests: app.my_requests(&engagement.id)?,
            score: app.score_summary(&engagement.id).ok(),
            carried: engagement
                .carries
                .iter()
                .filter_map(|r| app.finding_by_id(r).ok())
                .collect(),
            engagements,
            evidence: HashMap::new(),
            assessments: assessments.into_iter().map(|a| (a.indicator.clone(), a)).collect(),
            engagement,
            catalog,
            findings: Vec::new(),
            names: Names::default(),
            actions: Vec::new(),
            actions_by_finding: HashMap::new(),
            findings_by_indicator: HashMap::new(),
            orders: Orders::default(),
            glance,
            today: app.today(),
            me: app.identity().actor.clone(),
            signing,
            previous,
            due_soon_days: app.policy.due_soon_days,
            partial: true,
        };
        d.set_qa(qa);
        if let Ok((plan, days)) = plan_and_days(app, &d.engagement.id) {
            d.audit_plan = Some(plan);
            d.person_days = days;
        }
        Ok(d)
    }

    fn keys(&self) -> Keys<'_> {
        Keys {
            findings: &self.findings,
            titles: &self.lowered,
            actions: &self.actions_by_finding,
        }
    }

    fn index_actions(&mut self) {
        self.actions_by_finding.clear();
        for (i, a) in self.actions.iter().enumerate() {
            match self.actions_by_finding.get_mut(&a.finding) {
                Some(v) => v.push(i),
                None => {
                    self.actions_by_finding.insert(a.finding.clone(), vec![i]);
                }
            }
        }
    }

    /// Group progress and the dashboard's figures from the records held:
    /// always the scorecard (it depends on the assessments alone), and
    /// `Recount::All` everything, `Recount::Actions` the actions' figures
    /// (the findings' counts are kept in step by `apply` one finding at a
    /// time: counting a million findings again was most of an edit).
    fn derive(&mut self, recount: Recount) {
        let assessments: Vec<Assessment> = self
            .catalog
            .indicators
            .iter()
            .map(|i| {
                self.assessments
                    .get(&i.id)
                    .cloned()
                    .unwrap_or_else(|| Assessment::unassessed(&self.engagement.id, &i.id))
            })
            .collect();
        if recount == Recount::All {
            self.glance = status::glance(
                &self.catalog,
                self.findings.iter().map(|f| (f.grade, f.status)),
                &self.actions,
                &assessments,
                self.today,
                self.due_soon_days,
            );
        } else {
            if recount == Recount::Actions {
                self.glance.count_actions(&self.actions, self.today, self.due_soon_days);
            }
            self.glance.scorecard = crate::model::scoring::score(&self.catalog, &assessments);
        }
    }

    /// Read again the records a commit touched (`App::take_touched`);
    /// `None` when too many were touched (load everything instead).
    pub fn patch(app: &App, engagement: &str) -> Result<Option<Patch>> {
        let Some(touched) = app.take_touched() else {
            return Ok(None);
        };
        let mut p = Patch {
            me: Some(app.identity().actor.clone()),
            ..Patch::default()
        };
        let prefix = format!("{engagement}/");
        let mut seen = std::collections::HashSet::new();
        // The findings this engagement carries, read once if a finding of
        // another engagement was touched.
        let mut carries: Option<Vec<String>> = None;
        for e in touched {
            if !seen.insert(e.clone()) {
                continue;
            }
            match e.kind {
                Kind::Engagement => {
                    p.engagements = Some(app.engagements()?);
                    if e.id == engagement {
                        p.engagement = Some(app.engagement(engagement)?);
                        p.audit_plan = Some(plan_and_days(app, engagement)?);
                        p.score = app.score_summary(engagement).ok();
                    }
                }
                Kind::Member => {
                    if e.id.starts_with(&prefix) {
                        p.team = Some(app.team(engagement)?);
                    }
                }
                Kind::Assessment => {
                    if let Some(ind) = e.id.strip_prefix(&prefix) {
                        p.assessments.push(app.assessment(engagement, ind)?);
                        if p.score.is_none() {
                            p.score = app.score_summary(engagement).ok();
                        }
                    }
                }
                Kind::Finding => match app.finding_by_id(&e.id) {
                    Ok(f) if f.engagement == engagement => p.findings.push(Ok(f)),
                    Ok(f) => {
                        let carried = match &carries {
                            Some(c) => c,
                            None => carries.insert(app.engagement(engagement)?.carries),
                        };
                        if carried.contains(&f.entity) {
                            p.carried.push(f);
                        }
                    }
                    // Gone (an undone creation): a row of this engagement only.
                    Err(crate::app::AppError::NotFound { .. })
                        if e.engagement_in_id().is_none_or(|x| x == engagement) =>
                    {
                        p.findings.push(Err(e.reference().to_string()))
                    }
                    Err(crate::app::AppError::NotFound { .. }) => {}
                    Err(err) => return Err(err),
                },
                Kind::Action => match app.action_by_id(&e.id) {
                    Ok(a) if a.engagement == engagement => p.actions.push(Ok(a)),
                    Ok(_) => {}
                    Err(crate::app::AppError::NotFound { .. })
                        if e.engagement_in_id().is_none_or(|x| x == engagement) =>
                    {
                        p.actions.push(Err(e.reference().to_string()))
                    }
                    Err(crate::app::AppError::NotFound { .. }) => {}
                    Err(err) => return Err(err),
                },
                Kind::Milestone => {
                    if e.id.starts_with(&prefix) {
                        p.milestones = Some(app.milestones(engagement)?);
                    }
                }
                // A programme's own records (its team, declared interests) show in no pane.
                Kind::Programme | Kind::Interest => {}
                Kind::Request => {
                    if e.id.starts_with(&prefix) && p.requests.is_none() {
                        p.requests = Some(app.my_requests(engagement)?);
                    }
                }
                Kind::Meeting | Kind::Activity => {
                    if e.id.starts_with(&prefix) && p.audit_plan.is_none() {
                        p.audit_plan = Some(plan_and_days(app, engagement)?);
                    }
                }
                Kind::QaReview => {
                    if e.id.starts_with(&prefix) && p.qa.is_none() {
                        p.qa = Some(app.qa_reviews(engagement)?);
                    }
                }
                Kind::TestCall => {
                    if e.id.starts_with(&prefix) {
                        p.test_calls.push(app.test_call(&e.id)?.ok_or_else(|| e.id.clone()));
                    }
                }
                Kind::Evidence => {
                    if let Some(sha) = e.id.strip_prefix(&prefix) {
                        match app.evidence_item(engagement, sha)? {
                            Some(ev) => p.evidence.push(Ok(ev)),
                            None => p.evidence.push(Err(sha.to_string())),
                        }
                    }
                }
            }
        }
        Ok(Some(p))
    }

    /// The audit plan's lines: its activities and the two meetings, by date
    /// and time (what the plan popup lists).
    pub fn plan_rows(&self) -> Vec<PlanRow> {
        let Some(p) = &self.audit_plan else {
            return Vec::new();
        };
        let name = |a: &str| {
            self.team
                .iter()
                .find(|m| m.actor == a)
                .map(|m| m.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| a.to_string())
        };
        let mut rows: Vec<PlanRow> = p
            .activities
            .iter()
            .map(|a| PlanRow {
                on: a.on,
                time: format!("{}–{}", a.from, a.to),
                title: a.title.clone(),
                place: a.place.clone(),
                who: a.auditors.iter().map(|x| name(x)).collect::<Vec<_>>().join("、"),
                meeting: None,
            })
            .collect();
        for m in [&p.opening, &p.closing].into_iter().flatten() {
            rows.push(PlanRow {
                on: m.at.map(|t| t.date()),
                time: m.at.map(|t| t.strftime("%H:%M").to_string()).unwrap_or_default(),
                title: String::new(),
                place: m.place.clone(),
                who: m
                    .attendees
                    .iter()
                    .map(|a| if a.auditee { a.who.clone() } else { name(&a.who) })
                    .collect::<Vec<_>>()
                    .join("、"),
                meeting: Some((m.kind, m.attendees.len(), m.photos.len())),
            });
        }
        rows.sort_by(|a, b| (a.on, &a.time).cmp(&(b.on, &b.time)));
        rows
    }

    /// Put a patch's records in place of the ones held, keeping every index
    /// in step (findings stay sorted by reference). Returns which lists
    /// changed (the views of the others still hold).
    pub fn apply(&mut self, p: Patch) -> Applied {
        let engagement_changed = p.engagement.is_some();
        if let Some(e) = p.engagement {
            self.engagement = e;
        }
        if let Some(list) = p.engagements {
            self.engagements = list;
        }
        if let Some(team) = p.team {
            self.team = team;
        }
        if let Some(ms) = p.milestones {
            self.milestones = ms;
        }
        if let Some(qa) = p.qa {
            self.set_qa(qa);
        }
        if let Some(score) = p.score {
            self.score = Some(score);
        }
        if let Some((plan, days)) = p.audit_plan {
            self.audit_plan = Some(plan);
            self.person_days = days;
        }
        if let Some(requests) = p.requests {
            self.requests = requests;
        }
        if let Some(me) = p.me {
            self.me = me;
        }
        // Only the calls touched, each in its place (a new plan's at the end,
        // in the order `App::test_calls` gives).
        let added = p
            .test_calls
            .iter()
            .any(|c| c.as_ref().is_ok_and(|c| !self.test_calls.iter().any(|x| x.id == c.id)));
        for c in p.test_calls {
            match c {
                Ok(c) => match self.test_calls.iter_mut().find(|x| x.id == c.id) {
                    Some(x) => *x = c,
                    None => self.test_calls.push(c),
                },
                Err(id) => self.test_calls.retain(|x| x.id != id),
            }
        }
        if added {
            crate::app::testcall::sort_calls(&mut self.test_calls);
        }
        for f in p.carried {
            match self.carried.iter_mut().find(|x| x.entity == f.entity) {
                Some(x) => *x = f,
                None => self.carried.push(f),
            }
        }
        for a in p.assessments {
            self.assessments.insert(a.indicator.clone(), a);
        }
        for e in p.evidence {
            match e {
                Ok(ev) => {
                    self.evidence.insert(ev.sha256.clone(), ev);
                }
                Err(sha) => {
                    self.evidence.remove(&sha);
                }
            }
        }
        let actions_changed = !p.actions.is_empty();
        let findings_changed = engagement_changed || !p.findings.is_empty() || actions_changed;
        for f in p.findings {
            let reference = match &f {
                Ok(f) => f.reference.clone(),
                Err(r) => r.clone(),
            };
            let at = self.findings.binary_search_by(|x| (*x.reference).cmp(&reference));
            if let Ok(i) = at {
                self.unlink_indicators(i);
                let old = &self.findings[i];
                self.glance.count_finding(old.grade, old.status, false);
            }
            match (f, at) {
                (Ok(f), Ok(i)) | (Ok(f), Err(i)) => {
                    let f = FindingRow::of(f, &self.names);
                    let lowered = Lowered::of(&f);
                    let inserted = at.is_err();
                    if inserted {
                        self.shift_indicator_rows(i, true);
                        self.findings.insert(i, f);
                        self.lowered.insert(i, lowered);
                    } else {
                        self.findings[i] = f;
                        self.lowered[i] = lowered;
                    }
                    self.link_indicators(i);
                    let new = &self.findings[i];
                    self.glance.count_finding(new.grade, new.status, true);
                    let keys = Keys {
                        findings: &self.findings,
                        titles: &self.lowered,
                        actions: &self.actions_by_finding,
                    };
                    if inserted {
                        self.orders.inserted(&keys, i);
                    } else {
                        self.orders.changed(&keys, i);
                    }
                }
                (Err(_), Ok(i)) => {
                    self.findings.remove(i);
                    self.lowered.remove(i);
                    self.shift_indicator_rows(i, false);
                    self.orders.removed(i);
                }
                (Err(_), Err(_)) => {}
            }
        }
        let mut reindex = false;
        // Findings whose number of actions may have changed.
        let mut counted: Vec<String> = Vec::new();
        for a in p.actions {
            let id = match &a {
                Ok(a) => a.id.clone(),
                Err(id) => id.clone(),
            };
            let at = self.actions.iter().position(|x| x.id == id);
            counted.extend(at.map(|i| self.actions[i].finding.clone()));
            counted.extend(a.as_ref().ok().map(|a| a.finding.clone()));
            match (a, at) {
                (Ok(a), Some(i)) => {
                    reindex |= self.actions[i].finding != a.finding;
                    self.actions[i] = a;
                }
                (Ok(a), None) => {
                    self.actions_by_finding
                        .entry(a.finding.clone())
                        .or_default()
                        .push(self.actions.len());
                    self.actions.push(a);
                }
                (Err(_), Some(i)) => {
                    self.actions.remove(i);
                    reindex = true;
                }
                (Err(_), None) => {}
            }
        }
        if reindex {
            self.index_actions();
        }
        counted.sort();
        counted.dedup();
        for r in counted {
            if let Some(i) = self.row_of(&r) {
                let keys = Keys {
                    findings: &self.findings,
                    titles: &self.lowered,
                    actions: &self.actions_by_finding,
                };
                self.orders.changed(&keys, i);
            }
        }
        self.derive(if engagement_changed {
            Recount::All
        } else if actions_changed {
            Recount::Actions
        } else {
            Recount::Scorecard
        });
        Applied {
            lists: findings_changed,
            actions: engagement_changed || actions_changed,
        }
    }

    /// Take row `i` out of its indicators' lists.
    fn unlink_indicators(&mut self, i: usize) {
        let row = i as u32;
        for ind in &self.findings[i].indicators {
            if let Some(v) = self.findings_by_indicator.get_mut(&**ind) {
                v.retain(|&r| r != row);
                if v.is_empty() {
                    self.findings_by_indicator.remove(&**ind);
                }
            }
        }
    }

    /// Put row `i` in its indicators' lists (kept ascending).
    fn link_indicators(&mut self, i: usize) {
        let row = i as u32;
        for ind in &self.findings[i].indicators {
            // No key copied for an indicator already listed.
            let v = match self.findings_by_indicator.get_mut(&**ind) {
                Some(v) => v,
                None => self.findings_by_indicator.entry(ind.to_string()).or_default(),
            };
            // Rows are linked in ascending order while loading: pushed.
            match v.last() {
                Some(&last) if last >= row => {
                    if let Err(pos) = v.binary_search(&row) {
                        v.insert(pos, row);
                    }
                }
                _ => v.push(row),
            }
        }
    }

    /// A row was inserted at `i` (rows from `i` on move up by one) or
    /// removed from `i` (rows after it move down).
    fn shift_indicator_rows(&mut self, i: usize, inserted: bool) {
        let at = i as u32;
        for v in self.findings_by_indicator.values_mut() {
            for r in v.iter_mut() {
                if inserted && *r >= at {
                    *r += 1;
                } else if !inserted && *r > at {
                    *r -= 1;
                }
            }
        }
    }

    /// The findings of an indicator, in reference order.
    pub fn findings_of<'a>(&'a self, indicator: &str) -> impl Iterator<Item = &'a FindingRow> + 'a {
        self.findings_by_indicator
            .get(indicator)
            .into_iter()
            .flatten()
            .filter_map(|&r| self.findings.get(r as usize))
    }

    /// A finding's row by reference (findings are kept sorted by reference).
    pub fn finding(&self, reference: &str) -> Option<&FindingRow> {
        self.row_of(reference).map(|i| &self.findings[i])
    }

    /// Where a finding's row is.
    pub fn row_of(&self, reference: &str) -> Option<usize> {
        self.findings.binary_search_by(|f| (*f.reference).cmp(reference)).ok()
    }

    /// A finding whole, as the store holds it (for the detail pane and forms).
    pub fn full_finding(&self, reference: &str) -> Option<Finding> {
        self.finding(reference).map(|r| r.to_finding(&self.engagement.id))
    }

    pub fn member_name(&self, actor: &str) -> String {
        self.team
            .iter()
            .find(|m| m.actor == actor)
            .map(|m| m.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| actor.to_string())
    }

    pub fn actions_of(&self, finding: &str) -> impl Iterator<Item = &CorrectiveAction> {
        self.actions_by_finding
            .get(finding)
            .into_iter()
            .flatten()
            .map(|&i| &self.actions[i])
    }
}

/// Every row's lower-cased search text, half on another thread.
fn lowered(rows: &[FindingRow]) -> Vec<Lowered> {
    let (a, b) = rows.split_at(rows.len() / 2);
    std::thread::scope(|s| {
        let second = s.spawn(|| b.iter().map(Lowered::of).collect::<Vec<_>>());
        let mut all = Vec::with_capacity(rows.len());
        all.extend(a.iter().map(Lowered::of));
        match second.join() {
            Ok(rest) => all.extend(rest),
            Err(_) => all.extend(b.iter().map(Lowered::of)),
        }
        all
    })
}

/// A line of the audit plan popup: an activity, or a meeting's check-in
/// (its kind, how many attended, how many photos).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRow {
    pub on: Option<jiff::civil::Date>,
    pub time: String,
    pub title: String,
    pub place: String,
    pub who: String,
    pub meeting: Option<(crate::model::body::MeetingKind, usize, usize)>,
}

/// The audit plan and its person-days (the plan read once).
fn plan_and_days(
    app: &App,
    engagement: &str,
) -> Result<(crate::app::body::AuditPlan, Option<crate::app::body::PersonDays>)> {
    let plan = app.audit_plan(engagement)?;
    let days = app.person_days_of(plan.clone(), &app.body, false).ok();
    Ok((plan, days))
}
