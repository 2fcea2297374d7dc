//! `programme`: the body's certification programmes and who decides.

use super::args::ProgrammeCmd;
use super::output::*;
use super::{Context, Result};
use crate::app::programme::Programme;
use crate::text::visible;
use std::io::Write;

pub(super) fn programme(ctx: &Context, c: ProgrammeCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let zh = ctx.lang.is_zh();
    match c {
        ProgrammeCmd::List { json } => {
            let all = app.programmes()?;
            if json {
                return print_json(&all);
            }
            if all.is_empty() {
                writeln!(
                    o,
                    "{}",
                    ctx.lang.pick(
                        "no programme held here (`cscaudit programme create ID`)",
                        "本机没有认证方案（`cscaudit programme create 编号`）"
                    )
                )?;
            }
            for p in &all {
                let deciders: Vec<&str> = p.decision_makers().map(|m| m.actor.as_str()).collect();
                writeln!(
                    o,
                    "{}  {}  {}: {}  {}: {}",
                    visible(&p.id),
                    visible(&p.title),
                    ctx.lang.pick("decision makers", "认证决定人员"),
                    visible(&deciders.join(", ")),
                    ctx.lang.pick("engagements", "审核项目"),
                    visible(&p.engagements.join(", "))
                )?;
            }
        }
        ProgrammeCmd::Show { id, json } => {
            let p = app.programme(&id)?;
            if json {
                return print_json(&p);
            }
            show(&mut o, ctx, &p, zh)?;
        }
        ProgrammeCmd::Create {
            id,
            title,
            client,
            decide,
        } => {
            let p = app.create_programme(&id, &title, &client, decide)?;
            show(&mut o, ctx, &p, zh)?;
        }
        ProgrammeCmd::ClientCode { programme, code } => {
            let p = app.set_client_code(&programme, &code)?;
            writeln!(o, "{} {}", visible(&p.id), visible(&p.client_code))?;
        }
        ProgrammeCmd::AddMember {
            programme,
            actor,
            name,
            initials,
            role,
            key,
        } => {
            let key = key.as_deref().map(super::engagement::read_public_key).transpose()?;
            let m = app.add_programme_member(&programme, &actor, &name, &initials, role.parse()?, key.as_deref())?;
            writeln!(o, "{} {} {}", visible(&programme), visible(&m.actor), m.role.label(zh))?;
        }
        ProgrammeCmd::RemoveMember { programme, actor } => {
            app.programme(&programme)?;
            let m = app.remove_member(&programme, &actor)?;
            let (a, p) = (visible(&m.actor).into_owned(), visible(&programme).into_owned());
            let line = crate::msg!(
                "{a} left programme {p}: decisions they sign from now on, and any its lead had not seen, are refused by every copy",
                "{a} 已离开认证方案 {p}：其此后签署的认证决定，以及负责人未曾见过的决定，均被各副本拒绝"
            );
            writeln!(o, "{}", line.get(ctx.lang))?;
        }
    }
    Ok(())
}

fn show(o: &mut impl Write, ctx: &Context, p: &Programme, zh: bool) -> Result<()> {
    writeln!(o, "{}  {}", visible(&p.id), visible(&p.title))?;
    if let Some(c) = &p.creator {
        writeln!(o, "  {}: {}", ctx.lang.pick("created by", "创建人"), visible(c))?;
    }
    if !p.client.is_empty() {
        writeln!(o, "  {}: {}", ctx.lang.pick("client", "认证委托方"), visible(&p.client))?;
    }
    for m in &p.team {
        let left = if m.has_left() {
            ctx.lang.pick(" (left)", "（已离开）")
        } else {
            ""
        };
        let key = if m.key.is_some() && !m.has_left() {
            ctx.lang.pick(" key registered", " 已登记公钥")
        } else {
            ""
        };
        writeln!(
            o,
            "  {}  {}  {}{}{}",
            visible(&m.actor),
            visible(&m.name),
            m.role.label(zh),
            key,
            left
        )?;
    }
    writeln!(
        o,
        "  {}: {}",
        ctx.lang.pick("engagements", "审核项目"),
        visible(&p.engagements.join(", "))
    )?;
    Ok(())
}
