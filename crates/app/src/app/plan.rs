//! A self-assessment's plan: scope and objectives, the team's roles and
//! responsibilities, and a schedule of milestones (understand the standard →
//! plan → collect and analyse data → assess gaps → improvement plan) with
//! owners, dates and progress.

use super::{AppError, Draft, Result, create, set, set_if_changed};
use crate::model::engagement::{Engagement, Member};
use crate::model::fields::{EngagementField as EF, MemberField as MF, MilestoneField as F};
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::plan::{Milestone, MilestoneState, Phase, overall_progress};
use jiff::civil::Date;
use serde::Serialize;

/// A new milestone.
#[derive(Clone, Debug)]
pub struct NewMilestone {
    pub phase: Phase,
    pub title: String,
    pub owner: String,
    pub start: Option<Date>,
    pub due: Date,
}

/// Changes to a milestone; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct MilestoneUpdate {
    pub progress: Option<u8>,
    /// Mark it done on this day (progress becomes 100).
    pub done_on: Option<Date>,
    pub due: Option<Date>,
    pub owner: Option<String>,
    pub notes: Option<String>,
}

/// An engagement's plan as it stands on a day.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub engagement: String,
    pub scope: String,
    pub objectives: String,
    /// The team with their roles and responsibilities.
    pub team: Vec<Member>,
    pub milestones: Vec<PlanLine>,
    /// 0–1, milestones weighted by their length; `None` without milestones.
    pub progress: Option<f64>,
    pub done: usize,
    pub late: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanLine {
    #[serde(flatten)]
    pub milestone: Milestone,
    pub state: MilestoneState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
}

fn invalid(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

impl super::App {
    /// The milestones of an engagement, by start (then due, then id).
    pub fn milestones(&self, engagement: &str) -> Result<Vec<Milestone>> {
        let mut out = self
            .store()
            .records(Kind::Milestone, &format!("{engagement}/"))?
            .iter()
            .map(Milestone::from_record)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| (a.start.or(a.due), a.due, &a.id).cmp(&(b.start.or(b.due), b.due, &b.id)));
        Ok(out)
    }

    /// The engagement's plan: scope, objectives, roles, milestones and progress.
    pub fn plan(&self, engagement: &str) -> Result<Plan> {
        let eng = self.engagement(engagement)?;
        let today = self.today();
        let ms = self.milestones(engagement)?;
        let progress = overall_progress(&ms);
        let milestones: Vec<PlanLine> = ms
            .into_iter()
            .map(|m| PlanLine {
                state: m.state(today),
                days_late: m.days_late(today),
                milestone: m,
            })
            .collect();
        Ok(Plan {
            engagement: eng.id.clone(),
            scope: eng.scope.clone(),
            objectives: eng.objectives.clone(),
            team: self.team(engagement)?,
            done: milestones.iter().filter(|l| l.state == MilestoneState::Done).count(),
            late: milestones.iter().filter(|l| l.state == MilestoneState::Late).count(),
            milestones,
            progress,
        })
    }

    /// Set an engagement's scope and objectives (either may be left as is).
    pub fn set_plan_text(&self, engagement: &str, scope: Option<&str>, objectives: Option<&str>) -> Result<Engagement> {
        self.require_identity()?;
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        if let Some(s) = scope {
            set_if_changed(&mut d, &e, Some(&cur), EF::Scope, s.trim().into());
        }
        if let Some(o) = objectives {
            set_if_changed(&mut d, &e, Some(&cur), EF::Objectives, o.trim().into());
        }
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// What a team member is responsible for in the plan.
    pub fn set_responsibilities(&self, engagement: &str, actor: &str, text: &str) -> Result<Member> {
        self.require_identity()?;
        if self.member(engagement, actor).is_none() {
            return Err(invalid(
                format!("{actor} is not on the team of {engagement}; add them first (`engagement add-member`)"),
                format!("{actor} 不是 {engagement} 的审核组成员；请先添加（`engagement add-member`）"),
            ));
        }
        let id = format!("{engagement}/{actor}");
        let e = EntityId::new(Kind::Member, id.clone());
        let cur = self.record(Kind::Member, &id)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), MF::Responsibilities, text.trim().into());
        self.commit(d)?;
        self.member(engagement, actor)
            .ok_or_else(|| AppError::NotFound { what: "member", id })
    }

    fn check_dates(start: Option<Date>, due: Date) -> Result<()> {
        if let Some(s) = start
            && due < s
        {
            return Err(invalid(
                format!("the milestone is due ({due}) before it starts ({s})"),
                format!("里程碑的期限（{due}）早于开始日期（{s}）"),
            ));
        }
        Ok(())
    }

    /// Add a milestone (numbered `ENGAGEMENT/NN`).
    pub fn add_milestone(&self, engagement: &str, new: NewMilestone) -> Result<Milestone> {
        self.require_identity()?;
        self.engagement(engagement)?;
        let d = self.milestone_drafts(engagement, &new, self.milestones(engagement)?.len())?;
        let id = d.first().map(|d| d.entity.id.clone()).unwrap_or_default();
        self.commit(d)?;
        Ok(Milestone::from_record(&self.record(Kind::Milestone, &id)?)?)
    }

    fn milestone_drafts(&self, engagement: &str, new: &NewMilestone, existing: usize) -> Result<Vec<Draft>> {
        let title = new.title.trim();
        let owner = new.owner.trim();
        if title.is_empty() || owner.is_empty() {
            return Err(invalid(
                "a milestone needs a title and an owner".into(),
                "里程碑需要标题和负责人".into(),
            ));
        }
        Self::check_dates(new.start, new.due)?;
        // The next free number (numbers of removed or merged ones are not reused).
        let mut n = existing as u32 + 1;
        while self
            .store()
            .record(&EntityId::new(Kind::Milestone, Milestone::record_id(engagement, n)))?
            .is_some()
        {
            n += 1;
        }
        let e = EntityId::new(Kind::Milestone, Milestone::record_id(engagement, n));
        let mut d = vec![
            create(&e),
            set(&e, None, F::Engagement, engagement),
            set(&e, None, F::Phase, new.phase.as_str()),
            set(&e, None, F::Title, title),
            set(&e, None, F::Owner, owner),
            set(&e, None, F::Due, new.due),
            set(&e, None, F::Progress, 0i64),
        ];
        if let Some(s) = new.start {
            d.push(set(&e, None, F::Start, s));
        }
        Ok(d)
    }

    /// Lay out the standard five milestones from `start`, one after another,
    /// owned by `owner` (one commit). Refused when the plan has milestones.
    pub fn standard_plan(&self, engagement: &str, start: Date, owner: &str) -> Result<Vec<Milestone>> {
        self.require_identity()?;
        self.engagement(engagement)?;
        if !self.milestones(engagement)?.is_empty() {
            return Err(invalid(
                format!("{engagement} already has a plan; add milestones one by one (`plan add`)"),
                format!("{engagement} 已有计划；请逐个添加里程碑（`plan add`）"),
            ));
        }
        let mut d = Vec::new();
        let mut from = start;
        for (i, phase) in Phase::ALL.iter().enumerate() {
            let due = from
                .checked_add(jiff::Span::new().days(phase.standard_days() - 1))
                .map_err(|e| invalid(e.to_string(), e.to_string()))?;
            let new = NewMilestone {
                phase: *phase,
                title: phase.standard_title().into(),
                owner: owner.into(),
                start: Some(from),
                due,
            };
            // Drafts of one commit: number them as if the earlier ones existed.
            let mut m = self.milestone_drafts(engagement, &new, 0)?;
            let id = Milestone::record_id(engagement, i as u32 + 1);
            for x in &mut m {
                x.entity.id = id.clone();
            }
            d.extend(m);
            from = due.tomorrow().map_err(|e| invalid(e.to_string(), e.to_string()))?;
        }
        self.commit(d)?;
        self.milestones(engagement)
    }

    /// Report progress on a milestone, mark it done, move its due date or owner.
    pub fn update_milestone(&self, id: &str, u: MilestoneUpdate) -> Result<Milestone> {
        self.require_identity()?;
        let cur = self.record(Kind::Milestone, id)?;
        let m = Milestone::from_record(&cur)?;
        let e = EntityId::new(Kind::Milestone, id);
        let mut d = Vec::new();
        if let Some(p) = u.progress {
            if p > 100 {
                return Err(invalid(
                    format!("progress is a percentage (0–100), not {p}"),
                    format!("进度是百分比（0–100），不能是 {p}"),
                ));
            }
            set_if_changed(&mut d, &e, Some(&cur), F::Progress, Value::Int(i64::from(p)));
        }
        if let Some(day) = u.done_on {
            set_if_changed(&mut d, &e, Some(&cur), F::DoneOn, Value::Date(day));
            set_if_changed(&mut d, &e, Some(&cur), F::Progress, Value::Int(100));
        } else if u.progress.is_some_and(|p| p < 100) && m.done_on.is_some() {
            // Progress below 100 reopens it.
            set_if_changed(&mut d, &e, Some(&cur), F::DoneOn, Value::Null);
        }
        if let Some(due) = u.due {
            Self::check_dates(m.start, due)?;
            set_if_changed(&mut d, &e, Some(&cur), F::Due, Value::Date(due));
        }
        if let Some(o) = u.owner.as_deref().map(str::trim) {
            if o.is_empty() {
                return Err(invalid("a milestone needs an owner".into(), "里程碑需要负责人".into()));
            }
            set_if_changed(&mut d, &e, Some(&cur), F::Owner, o.into());
        }
        if let Some(n) = u.notes.as_deref() {
            set_if_changed(&mut d, &e, Some(&cur), F::Notes, n.trim().into());
        }
        self.commit(d)?;
        Ok(Milestone::from_record(&self.record(Kind::Milestone, id)?)?)
    }
}
