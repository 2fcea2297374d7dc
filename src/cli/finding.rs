//! `finding`: raise findings and move them through their lifecycle.

use super::args::*;
use super::output::*;
use super::{Context, Result};
use crate::app::{FindingMove, NewFinding};
use crate::config::Lang;
use crate::model::action::CorrectiveAction;
use crate::model::finding::Finding;
use crate::text::{fit, side};
use jiff::civil::Date;
use std::io::Write;

pub(super) fn finding(ctx: &Context, c: FindingCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let moved = |f: crate::model::finding::Finding, o: &mut dyn Write| -> Result<()> {
        writeln!(o, "{} {}", f.reference, f.status.label(ctx.lang.is_zh()))?;
        Ok(())
    };
    match c {
        FindingCmd::List {
            engagement,
            status,
            grade,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let status: Option<crate::model::finding::FindingStatus> = status.as_deref().map(str::parse).transpose()?;
            let grade: Option<crate::model::finding::Grade> = grade.as_deref().map(str::parse).transpose()?;
            // Findings of earlier audits this one carries, as they stand now.
            let carried: Vec<crate::model::finding::Finding> = eng
                .carries
                .iter()
                .filter_map(|id| app.finding_by_id(id).ok())
                .filter(|f| status.is_none_or(|s| f.status == s) && grade.is_none_or(|g| f.grade == g))
                .collect();
            if json {
                let mut list = app.findings_where(&eng.id, status, grade)?;
                list.extend(carried);
                drop(o);
                return print_json(&list);
            }
            // Streamed: each line as its record is read; a closed pipe
            // (`| head`) stops the reading.
            let today = app.today();
            let mut failed = None;
            app.each_finding_where(&eng.id, status, grade, &mut |f| match print_finding_line(
                &mut o, &f, today, ctx.lang,
            ) {
                Ok(()) => Ok(true),
                Err(e) => {
                    failed = Some(e);
                    Ok(false)
                }
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            if !carried.is_empty() {
                let n = carried.len();
                writeln!(
                    o,
                    "{}",
                    if ctx.lang.is_zh() {
                        format!("延续自此前审核（{n}）：")
                    } else {
                        format!("carried from earlier audits ({n}):")
                    }
                )?;
                for f in &carried {
                    print_finding_line(&mut o, f, today, ctx.lang)?;
                }
            }
        }
        FindingCmd::Show { reference, json } => {
            let f = app.finding(&reference)?;
            let actions = app.actions_of(&f)?;
            if json {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    finding: &'a crate::model::finding::Finding,
                    actions: &'a [crate::model::action::CorrectiveAction],
                }
                return print_json(&Out {
                    finding: &f,
                    actions: &actions,
                });
            }
            print_finding(&mut o, &f, &actions, app.today(), ctx.lang)?;
        }
        FindingCmd::Raise {
            engagement,
            grade,
            title,
            statement,
            criterion,
            indicators,
            issue,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let f = app.raise_finding(
                &eng.id,
                NewFinding {
                    grade: grade.parse()?,
                    title,
                    statement: statement.unwrap_or_default(),
                    criterion,
                    indicators,
                    evidence_note: String::new(),
                    issue,
                },
            )?;
            moved(f, &mut o)?;
        }
        FindingCmd::Edit {
            reference,
            field,
            value,
        } => {
            let f = app.edit_finding(&reference, &field, &value)?;
            writeln!(o, "{} {field} = {}", f.reference, value)?;
        }
        FindingCmd::Issue { reference } => moved(app.move_finding(&reference, FindingMove::Issue)?, &mut o)?,
        FindingCmd::Respond {
            reference,
            root_cause,
            correction,
        } => moved(
            app.move_finding(&reference, FindingMove::Respond { root_cause, correction })?,
            &mut o,
        )?,
        FindingCmd::Accept { reference } => moved(app.move_finding(&reference, FindingMove::AcceptPlan)?, &mut o)?,
        FindingCmd::Reject { reference, reason } => moved(
            app.move_finding(&reference, FindingMove::RejectResponse { reason })?,
            &mut o,
        )?,
        FindingCmd::SendBack { reference, reason } => {
            moved(app.move_finding(&reference, FindingMove::SendBack { reason })?, &mut o)?
        }
        FindingCmd::Implement { reference } => moved(app.move_finding(&reference, FindingMove::Implement)?, &mut o)?,
        FindingCmd::Verify { reference } => moved(app.move_finding(&reference, FindingMove::Verify)?, &mut o)?,
        FindingCmd::Close { reference } => moved(app.move_finding(&reference, FindingMove::Close)?, &mut o)?,
        FindingCmd::Withdraw { reference, reason } => {
            moved(app.move_finding(&reference, FindingMove::Withdraw { reason })?, &mut o)?
        }
        FindingCmd::Reopen { reference, reason } => {
            moved(app.move_finding(&reference, FindingMove::Reopen { reason })?, &mut o)?
        }
    }
    Ok(())
}

pub fn print_finding_line(o: &mut dyn Write, f: &Finding, today: Date, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let overdue = f
        .response_overdue_days(today)
        .or_else(|| f.closure_overdue_days(today))
        .map(|d| format!("{d}{}", lang.pick("d overdue", "天逾期")))
        .unwrap_or_default();
    writeln!(
        o,
        "{} {} {} {} {} {}",
        crate::text::pad(&f.reference, 8),
        fit(f.grade.code(), 3),
        fit(f.status.label(zh), 14),
        fit(&f.indicators.join(","), 6),
        fit(&overdue, 10),
        crate::text::visible(side(&f.title, zh))
    )
}

pub fn print_finding(
    o: &mut dyn Write,
    f: &Finding,
    actions: &[CorrectiveAction],
    today: Date,
    lang: Lang,
) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let d = |x: Option<Date>| x.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    writeln!(o, "{}  [{}] {}", f.reference, f.grade.label(zh), f.title)?;
    writeln!(
        o,
        "{}: {}   {}: {}",
        lang.pick("Status", "状态"),
        f.status.label(zh),
        lang.pick("Indicators", "指标"),
        f.indicators.join(", ")
    )?;
    writeln!(o, "{}: {} {}", lang.pick("Raised", "提出"), f.raised_by, d(f.raised_on))?;
    writeln!(
        o,
        "{}: {}   {}: {}   {}: {}",
        lang.pick("Issued", "开具"),
        d(f.issued_on),
        lang.pick("response due", "回复期限"),
        d(f.response_due),
        lang.pick("closure due", "关闭期限"),
        d(f.closure_due)
    )?;
    if let Some(days) = f.response_overdue_days(today).or_else(|| f.closure_overdue_days(today)) {
        writeln!(
            o,
            "{} {days} {}",
            lang.pick("OVERDUE by", "已逾期"),
            lang.pick("days", "天")
        )?;
    }
    writeln!(o, "\n{}:\n  {}", lang.pick("Statement", "事实描述"), f.statement)?;
    writeln!(o, "{}:\n  {}", lang.pick("Criterion", "依据"), f.criterion)?;
    if !f.root_cause.is_empty() || !f.correction.is_empty() {
        writeln!(o, "{}: {}", lang.pick("Root cause", "根本原因"), f.root_cause)?;
        writeln!(o, "{}: {}", lang.pick("Correction", "纠正"), f.correction)?;
    }
    writeln!(
        o,
        "\n{} ({})",
        lang.pick("Corrective actions", "纠正措施"),
        actions.len()
    )?;
    for a in actions {
        super::status::print_action_line(o, &crate::app::status::action_line(a, today), lang)?;
        if let Some(v) = &a.verification {
            writeln!(
                o,
                "      {} {} {} — {}",
                lang.pick("verified by", "验证人"),
                v.by,
                v.on,
                if v.effective {
                    lang.pick("effective", "有效")
                } else {
                    lang.pick("not effective", "无效")
                }
            )?;
        }
    }
    Ok(())
}
