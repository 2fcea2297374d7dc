//! A self-assessment plan: scope and objectives (engagement fields), team
//! roles and responsibilities (member fields), and a schedule of milestones
//! with owners, dates and progress.

use super::engagement::string_enum;
use super::fields::MilestoneField as F;
use super::ops::{Record, RecordError};
use jiff::civil::Date;
use serde::Serialize;

string_enum!(
    /// The steps of a self-assessment against the standard.
    Phase {
        Understand = "understand" / "学习标准",
        Plan = "plan" / "制定计划",
        Collect = "collect" / "收集与分析数据",
        Assess = "assess" / "差距评估",
        Improve = "improve" / "改进计划",
    }
);

impl Phase {
    /// The milestone's title when a standard plan is laid out.
    pub fn standard_title(self) -> &'static str {
        match self {
            Phase::Understand => "学习 GB/T 32312-2015 与指标口径 / understand the standard and its indicators",
            Phase::Plan => "确定范围、目标、分工与日程 / scope, objectives, roles and schedule",
            Phase::Collect => "收集话单、质检、满意度数据并计算 / collect and analyse calls, QA and satisfaction data",
            Phase::Assess => "逐项对照评价、识别差距 / assess each indicator, find the gaps",
            Phase::Improve => "制定改进计划与责任人 / improvement plan with owners",
        }
    }
    /// Default length in days of a standard plan's milestone.
    pub fn standard_days(self) -> i32 {
        match self {
            Phase::Understand => 14,
            Phase::Plan => 7,
            Phase::Collect => 28,
            Phase::Assess => 14,
            Phase::Improve => 14,
        }
    }
}

/// One milestone of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Milestone {
    /// `ENGAGEMENT/NN`.
    pub id: String,
    pub engagement: String,
    pub phase: Phase,
    pub title: String,
    pub owner: String,
    pub start: Option<Date>,
    pub due: Option<Date>,
    pub done_on: Option<Date>,
    /// 0–100.
    pub progress: u8,
    pub notes: String,
}

/// Where a milestone stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneState {
    Done,
    /// Past its due date and not done.
    Late,
    /// Started (or progress reported), not yet due.
    Running,
    NotStarted,
}

impl MilestoneState {
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (MilestoneState::Done, false) => "done",
            (MilestoneState::Done, true) => "已完成",
            (MilestoneState::Late, false) => "late",
            (MilestoneState::Late, true) => "已逾期",
            (MilestoneState::Running, false) => "in progress",
            (MilestoneState::Running, true) => "进行中",
            (MilestoneState::NotStarted, false) => "not started",
            (MilestoneState::NotStarted, true) => "未开始",
        }
    }
}

impl Milestone {
    pub fn record_id(engagement: &str, n: u32) -> String {
        format!("{engagement}/{n:02}")
    }

    pub fn from_record(r: &Record) -> Result<Milestone, RecordError> {
        Ok(Milestone {
            id: r.entity.id.clone(),
            engagement: r.text(F::Engagement),
            phase: r.enum_or(F::Phase, Phase::Plan)?,
            title: r.text(F::Title),
            owner: r.text(F::Owner),
            start: r.date(F::Start),
            due: r.date(F::Due),
            done_on: r.date(F::DoneOn),
            progress: r.int(F::Progress).unwrap_or(0).clamp(0, 100) as u8,
            notes: r.text(F::Notes),
        })
    }

    pub fn state(&self, today: Date) -> MilestoneState {
        if self.done_on.is_some() || self.progress >= 100 {
            MilestoneState::Done
        } else if self.due.is_some_and(|d| d < today) {
            MilestoneState::Late
        } else if self.progress > 0 || self.start.is_some_and(|s| s <= today) {
            MilestoneState::Running
        } else {
            MilestoneState::NotStarted
        }
    }

    /// Days past due (positive) while not done.
    pub fn days_late(&self, today: Date) -> Option<i64> {
        let due = self.due?;
        (self.state(today) == MilestoneState::Late).then(|| due.until(today).map_or(0, |s| i64::from(s.get_days())))
    }
}

/// A plan's overall progress: the mean of its milestones' progress, each
/// weighted by its length in days, both ends counted (one day when it has
/// no start).
pub fn overall_progress(milestones: &[Milestone]) -> Option<f64> {
    if milestones.is_empty() {
        return None;
    }
    let weight = |m: &Milestone| match (m.start, m.due) {
        (Some(a), Some(b)) if b >= a => f64::from(a.until(b).map_or(0, |s| s.get_days()) + 1),
        _ => 1.0,
    };
    let total: f64 = milestones.iter().map(weight).sum();
    let done: f64 = milestones
        .iter()
        .map(|m| weight(m) * f64::from(if m.done_on.is_some() { 100 } else { m.progress }) / 100.0)
        .sum();
    Some(done / total)
}

/// The dates a plan's timeline spans: its first start to its last due day.
pub fn span(milestones: &[Milestone]) -> Option<(Date, Date)> {
    let first = milestones.iter().filter_map(|m| m.start.or(m.due)).min()?;
    let last = milestones.iter().filter_map(|m| m.due.or(m.start)).max()?;
    Some((first, last.max(first)))
}

/// Where a milestone sits on a timeline of `width` cells spanning `from` to
/// `to`: its first cell, how many cells, and how many of those are done.
pub fn bar_cells(m: &Milestone, from: Date, to: Date, width: usize) -> Option<(usize, usize, usize)> {
    let (a, b) = (m.start.or(m.due)?, m.due.or(m.start)?);
    let days = |x: Date| from.until(x).map_or(0, |s| i64::from(s.get_days()));
    let total = (days(to) + 1).max(1) as f64;
    let col = |d: i64| ((d as f64 / total) * width as f64).floor() as usize;
    let start = col(days(a)).min(width.saturating_sub(1));
    let end = col(days(b) + 1).clamp(start + 1, width);
    let len = end - start;
    let pct = if m.done_on.is_some() { 100 } else { m.progress };
    let filled = ((len * usize::from(pct)) as f64 / 100.0).round() as usize;
    Some((start, len, filled.min(len)))
}

/// The column of `day` on the same timeline (`None` outside it).
pub fn day_cell(day: Date, from: Date, to: Date, width: usize) -> Option<usize> {
    if day < from || day > to {
        return None;
    }
    let days = |x: Date| from.until(x).map_or(0, |s| i64::from(s.get_days()));
    let total = (days(to) + 1).max(1) as f64;
    Some(((days(day) as f64 / total) * width as f64).floor() as usize).map(|c| c.min(width.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn m(start: Date, due: Date, progress: u8) -> Milestone {
        Milestone {
            id: "SA/01".into(),
            engagement: "SA".into(),
            phase: Phase::Collect,
            title: String::new(),
            owner: "lm".into(),
            start: Some(start),
            due: Some(due),
            done_on: None,
            progress,
            notes: String::new(),
        }
    }

    #[test]
    fn a_milestone_past_due_and_not_done_is_late_by_its_days() {
        let x = m(date(2026, 9, 1), date(2026, 9, 28), 60);
        assert_eq!(x.state(date(2026, 9, 10)), MilestoneState::Running);
        assert_eq!(x.state(date(2026, 10, 1)), MilestoneState::Late);
        assert_eq!(x.days_late(date(2026, 10, 1)), Some(3));
        assert_eq!(
            m(date(2026, 9, 1), date(2026, 9, 28), 100).state(date(2026, 10, 1)),
            MilestoneState::Done
        );
        assert_eq!(x.state(date(2026, 8, 1)), MilestoneState::Running, "progress reported");
        assert_eq!(
            m(date(2026, 9, 1), date(2026, 9, 28), 0).state(date(2026, 8, 1)),
            MilestoneState::NotStarted
        );
    }

    #[test]
    fn overall_progress_weights_milestones_by_their_length() {
        // 10 days at 100% and 30 days at 0%: a quarter done.
        let a = m(date(2026, 9, 1), date(2026, 9, 10), 100);
        let b = m(date(2026, 9, 11), date(2026, 10, 10), 0);
        assert_eq!(overall_progress(&[a, b]), Some(0.25));
        assert_eq!(overall_progress(&[]), None);
    }

    #[test]
    fn bars_sit_on_the_timeline_in_proportion() {
        // 40 days on 40 cells: one cell a day.
        let a = m(date(2026, 9, 1), date(2026, 9, 10), 50);
        let b = m(date(2026, 9, 11), date(2026, 10, 10), 0);
        let (from, to) = span(&[a.clone(), b.clone()]).unwrap();
        assert_eq!((from, to), (date(2026, 9, 1), date(2026, 10, 10)));
        assert_eq!(bar_cells(&a, from, to, 40), Some((0, 10, 5)));
        assert_eq!(bar_cells(&b, from, to, 40), Some((10, 30, 0)));
        assert_eq!(day_cell(date(2026, 9, 11), from, to, 40), Some(10));
        assert_eq!(day_cell(date(2026, 10, 11), from, to, 40), None);
    }
}
