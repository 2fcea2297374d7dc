//! `request` (evidence requests to the auditee) and `digest` (reminders).

use super::args::RequestCmd;
use super::output::*;
use super::{Context, Result};
use crate::app::digest::DigestOptions;
use crate::app::request::NewRequest;
use crate::model::request::{Request, RequestStatus};
use crate::text::fit;
use std::io::Write;

fn line(r: &Request, today: jiff::civil::Date, zh: bool) -> String {
    let due = r.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let late = if r.overdue(today) {
        if zh { " 逾期" } else { " overdue" }
    } else {
        ""
    };
    let files = if r.evidence.is_empty() {
        String::new()
    } else if zh {
        format!(" · {} 个文件", r.evidence.len())
    } else {
        format!(" · {} file(s)", r.evidence.len())
    };
    format!(
        "{} {} {} {due}{late} → {} {}{files}",
        fit(&r.number, 9),
        fit(r.status.label(zh), 10),
        fit(&r.indicator, 8),
        fit(&r.addressee, 12),
        r.text.lines().next().unwrap_or_default()
    )
}

pub(super) fn request(ctx: &Context, c: RequestCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let (lang, zh) = (ctx.lang, ctx.lang.is_zh());
    let today = app.today();
    let mut o = out();
    let moved = |engagement: Option<String>, number: String, to: RequestStatus, comment: String| -> Result<()> {
        let eng = app.resolve_engagement(engagement.as_deref())?;
        let r = app.move_request(&eng.id, &number, to, &comment)?;
        writeln!(out(), "{}", line(&r, today, zh))?;
        Ok(())
    };
    match c {
        RequestCmd::Add {
            engagement,
            text,
            indicator,
            from_catalogue,
            due,
            to,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let due = super::output::due_arg(&due, "--due", app.today())?;
            let made = if from_catalogue {
                if text.is_some() {
                    return Err(super::CliError(crate::msg!(
                        "give the request's text, or --from-catalogue, not both",
                        "请给出请求内容，或使用 --from-catalogue，二者不能同时使用"
                    )));
                }
                app.add_catalogue_requests(&eng.id, &indicator, due, to.as_deref(), zh)?
            } else {
                if indicator.len() > 1 {
                    return Err(super::CliError(crate::msg!(
                        "one --indicator per typed request",
                        "每条手写请求只能指定一个 --indicator"
                    )));
                }
                vec![app.add_request(
                    &eng.id,
                    NewRequest {
                        indicator: indicator.into_iter().next(),
                        text: text.unwrap_or_default(),
                        due,
                        addressee: to,
                    },
                )?]
            };
            if json {
                return print_json(&made);
            }
            if made.is_empty() {
                writeln!(
                    o,
                    "{}",
                    lang.pick(
                        "No request drafted: every indicator with a hint is already requested.",
                        "未起草新请求：有提示的指标均已请求。"
                    )
                )?;
            }
            for r in &made {
                writeln!(o, "{}", line(r, today, zh))?;
            }
        }
        RequestCmd::List { engagement, open, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let list: Vec<Request> = app
                .my_requests(&eng.id)?
                .into_iter()
                .filter(|r| !open || r.status.awaits_auditee())
                .collect();
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                writeln!(o, "{}", lang.pick("No evidence requests.", "没有资料请求。"))?;
            }
            for r in &list {
                writeln!(o, "{}", line(r, today, zh))?;
            }
        }
        RequestCmd::Send {
            engagement,
            to,
            out: dir,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = crate::bundle::send_requests(&app, &eng.id, to.as_deref(), &dir, lang)?;
            if json {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    addressee: &'a str,
                    items: usize,
                    bundle: String,
                    xlsx: String,
                    html: String,
                }
                return print_json(&Out {
                    addressee: &s.addressee,
                    items: s.items,
                    bundle: s.bundle.path.display().to_string(),
                    xlsx: s.xlsx.display().to_string(),
                    html: s.html.display().to_string(),
                });
            }
            writeln!(o, "{}", s.bundle.summary(lang))?;
            writeln!(o, "{}", s.line(lang))?;
        }
        RequestCmd::Answer {
            number,
            engagement,
            file,
            note,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let files: Vec<&std::path::Path> = file.iter().map(|p| p.as_path()).collect();
            let r = app.answer_request(&eng.id, &number, &note, &files)?;
            writeln!(o, "{}", line(&r, today, zh))?;
            writeln!(
                o,
                "{}",
                lang.pick(
                    "Send it back: cscaudit export --encrypt --out FILE.zip",
                    "发回审核组：cscaudit export --encrypt --out 文件.zip"
                )
            )?;
        }
        RequestCmd::Accept {
            number,
            engagement,
            comment,
        } => moved(engagement, number, RequestStatus::Accepted, comment)?,
        RequestCmd::Return {
            number,
            engagement,
            comment,
        } => moved(engagement, number, RequestStatus::Returned, comment)?,
        RequestCmd::Close {
            number,
            engagement,
            comment,
        } => moved(engagement, number, RequestStatus::Closed, comment)?,
        RequestCmd::Reopen {
            number,
            engagement,
            comment,
        } => moved(engagement, number, RequestStatus::Open, comment)?,
    }
    Ok(())
}

pub(super) fn digest(ctx: &Context, me: bool, since: Option<jiff::civil::Date>, ahead: i32, json: bool) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let d = app.digest(&DigestOptions {
        me,
        since,
        ahead,
        ..Default::default()
    })?;
    if json {
        return print_json(&d);
    }
    let mut o = out();
    if d.is_empty() {
        writeln!(
            o,
            "{}",
            ctx.lang.pick("Nothing to remind you of.", "没有需要提醒的事项。")
        )?;
    }
    for l in d.lines(ctx.lang.is_zh()) {
        writeln!(o, "{l}")?;
    }
    Ok(())
}
