//! `action`: corrective actions, their progress and verification.

use super::args::*;
use super::output::*;
use super::{Context, Result};
use crate::app::{self, ActionUpdate, NewAction};
use std::io::Write;

pub(super) fn action(ctx: &Context, c: ActionCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let zh = ctx.lang.is_zh();
    match c {
        ActionCmd::List { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            if json {
                return print_json(&app.actions(&eng.id)?);
            }
            for a in app.actions(&eng.id)? {
                super::status::print_action_line(&mut o, &app::status::action_line(&a, app.today()), ctx.lang)?;
            }
        }
        ActionCmd::Add {
            finding,
            description,
            owner,
            due,
        } => {
            let a = app.add_action(
                &finding,
                NewAction {
                    description,
                    owner,
                    due: super::output::due_arg(&due, "--due", app.today())?,
                },
            )?;
            writeln!(
                o,
                "{} {} {}",
                a.id,
                a.status.label(zh),
                a.due.map(|d| d.to_string()).unwrap_or_default()
            )?;
        }
        ActionCmd::Update {
            id,
            status,
            progress,
            evidence,
            due,
            owner,
        } => {
            let a = app.update_action(
                &id,
                ActionUpdate {
                    status: status.as_deref().map(str::parse).transpose()?,
                    progress,
                    completion_evidence: evidence,
                    due: super::output::due_arg(&due, "--due", app.today())?,
                    owner,
                    description: None,
                },
            )?;
            writeln!(o, "{} {} {}%", a.id, a.status.label(zh), a.progress)?;
        }
        ActionCmd::Verify {
            id,
            effective,
            ineffective: _,
            note,
        } => {
            let a = app.verify_action(&id, effective, &note)?;
            writeln!(o, "{} {}", a.id, a.status.label(zh))?;
        }
    }
    Ok(())
}
