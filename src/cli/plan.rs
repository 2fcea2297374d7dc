//! `plan`: a self-assessment's scope, objectives, roles and milestones.

use super::args::PlanCmd;
use super::output::*;
use super::{Context, Result};
use crate::app::{MilestoneUpdate, NewMilestone, Plan};
use crate::config::Lang;
use crate::model::plan::{MilestoneState, bar_cells, day_cell, span};
use crate::text::{fit, side};
use std::io::Write;

pub(super) fn plan(ctx: &Context, c: PlanCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let lang = ctx.lang;
    match c {
        PlanCmd::Show { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let p = app.plan(&eng.id)?;
            if json {
                print_json(&p)?;
            } else {
                print_plan(&mut o, &p, app.today(), lang)?;
            }
        }
        PlanCmd::Init {
            engagement,
            start,
            owner,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let owner = owner.unwrap_or_else(|| app.identity().actor.clone());
            let ms = app.standard_plan(&eng.id, start.unwrap_or(app.today()), &owner)?;
            let n = ms.len();
            let said = if lang.is_zh() {
                format!("{} 已制定计划：{n} 个里程碑", eng.id)
            } else {
                format!("{} planned: {n} milestones", eng.id)
            };
            writeln!(o, "{said}")?;
            print_plan(&mut o, &app.plan(&eng.id)?, app.today(), lang)?;
        }
        PlanCmd::Scope {
            engagement,
            scope,
            objectives,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.set_plan_text(&eng.id, scope.as_deref(), objectives.as_deref())?;
            writeln!(
                o,
                "{} {}",
                e.id,
                lang.pick("scope and objectives saved", "范围与目标已保存")
            )?;
        }
        PlanCmd::Role {
            engagement,
            actor,
            responsibilities,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let m = app.set_responsibilities(&eng.id, &actor, &responsibilities)?;
            writeln!(
                o,
                "{} {}: {}",
                m.actor,
                lang.pick("is responsible for", "负责"),
                m.responsibilities
            )?;
        }
        PlanCmd::Add {
            engagement,
            phase,
            title,
            owner,
            start,
            due,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let m = app.add_milestone(
                &eng.id,
                NewMilestone {
                    phase: phase.parse()?,
                    title,
                    owner,
                    start,
                    due,
                },
            )?;
            writeln!(o, "{} {} {}", lang.pick("added", "已添加"), m.id, m.title)?;
        }
        PlanCmd::Update {
            id,
            progress,
            done,
            on,
            due,
            owner,
            note,
        } => {
            let m = app.update_milestone(
                &id,
                MilestoneUpdate {
                    progress,
                    done_on: done.then(|| on.unwrap_or(app.today())),
                    due,
                    owner,
                    notes: note,
                },
            )?;
            let st = m.state(app.today()).label(lang.is_zh());
            writeln!(
                o,
                "{} {}% {st}",
                m.id,
                if m.done_on.is_some() { 100 } else { m.progress }
            )?;
        }
    }
    Ok(())
}

/// The plan as text: scope, objectives, roles, the milestones, a timeline.
pub(crate) fn print_plan(o: &mut dyn Write, p: &Plan, today: jiff::civil::Date, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let pct = p.progress.map_or("-".into(), |x| format!("{:.0}%", x * 100.0));
    let (done, n, late) = (p.done, p.milestones.len(), p.late);
    let head = if zh {
        format!(
            "计划：{} · {pct} · 已完成 {done}/{n} 个里程碑，逾期 {late} 个",
            p.engagement
        )
    } else {
        format!(
            "Plan of {} · {pct} · {done}/{n} milestones done, {late} late",
            p.engagement
        )
    };
    writeln!(o, "{head}")?;
    let none = lang.pick("(not set)", "（未填写）");
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            none.to_string()
        } else {
            side(s, zh).to_string()
        }
    };
    writeln!(o, "{}{}", lang.pick("Scope: ", "范围："), or_none(&p.scope))?;
    writeln!(o, "{}{}", lang.pick("Objectives: ", "目标："), or_none(&p.objectives))?;
    if !p.team.is_empty() {
        writeln!(o, "{}", lang.pick("Roles and responsibilities", "角色与职责"))?;
        for m in &p.team {
            writeln!(
                o,
                "  {} {} {} — {}",
                fit(&m.initials, 4),
                fit(side(&m.name, zh), 14),
                fit(m.role.label(zh), 12),
                or_none(&m.responsibilities)
            )?;
        }
    }
    if p.milestones.is_empty() {
        writeln!(
            o,
            "{}",
            lang.pick(
                "No milestones yet: `cscaudit plan init` lays out the standard five, `plan add` adds one.",
                "还没有里程碑：`cscaudit plan init` 生成标准的五个，`plan add` 逐个添加。"
            )
        )?;
        return Ok(());
    }
    writeln!(o, "{}", lang.pick("Milestones", "里程碑"))?;
    for l in &p.milestones {
        let m = &l.milestone;
        let state = match l.days_late {
            Some(d) => format!("{} +{d}{}", l.state.label(zh), lang.pick("d", "天")),
            None => l.state.label(zh).to_string(),
        };
        writeln!(
            o,
            "  {} {} {} {} → {} {:>4} {}  {}",
            fit(&m.id, 10),
            fit(m.phase.label(zh), 14),
            fit(&m.owner, 10),
            m.start.map_or("-".into(), |d| d.to_string()),
            m.due.map_or("-".into(), |d| d.to_string()),
            format!("{}%", if m.done_on.is_some() { 100 } else { m.progress }),
            fit(&state, 14),
            side(&m.title, zh)
        )?;
    }
    // The timeline: one row per milestone, █ done, ░ to do, │ today.
    let ms: Vec<_> = p.milestones.iter().map(|l| l.milestone.clone()).collect();
    if let Some((from, to)) = span(&ms) {
        let width = 48;
        writeln!(
            o,
            "{} {from} … {to} (│ {})",
            lang.pick("Timeline", "时间线"),
            lang.pick("today", "今天")
        )?;
        let now = day_cell(today, from, to, width);
        for (l, m) in p.milestones.iter().zip(&ms) {
            let mut cells = vec![' '; width];
            if let Some((start, len, filled)) = bar_cells(m, from, to, width) {
                for (i, c) in cells.iter_mut().enumerate().skip(start).take(len) {
                    *c = if i - start < filled { '█' } else { '░' };
                }
            }
            if let Some(n) = now {
                cells[n] = '│';
            }
            let mark = if l.state == MilestoneState::Late { "!" } else { " " };
            writeln!(
                o,
                "  {} {mark}{}",
                fit(&m.id, 10),
                cells.into_iter().collect::<String>()
            )?;
        }
    }
    Ok(())
}
