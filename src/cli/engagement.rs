//! `engagement` and `identity`: engagements, teams, who you are.

use super::args::*;
use super::output::*;
use super::{CliError, Context, Result};
use crate::app::NewEngagement;
use crate::config::Lang;
use crate::model::catalog::{Catalog, EMBEDDED_GBT32312};
use crate::model::engagement::{Engagement, Member};
use crate::text::{fit, side};
use std::io::Write;

pub(super) fn engagement(ctx: &Context, c: EngagementCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    match c {
        EngagementCmd::List { json: true } => print_json(&app.engagements()?)?,
        EngagementCmd::List { json: false } => {
            for e in app.engagements()? {
                writeln!(
                    o,
                    "{}  {}  {}  {}",
                    e.id,
                    e.kind.label(ctx.lang.is_zh()),
                    e.auditee,
                    e.title
                )?;
            }
        }
        EngagementCmd::Show { id, json } => {
            let e = app.resolve_engagement(id.as_deref())?;
            if json {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    engagement: &'a crate::model::engagement::Engagement,
                    team: Vec<crate::model::engagement::Member>,
                }
                return print_json(&Out {
                    engagement: &e,
                    team: app.team(&e.id)?,
                });
            }
            let cat = app.catalog_for(&e)?;
            print_engagement(&mut o, &e, &app.team(&e.id)?, &cat, ctx.lang)?;
        }
        EngagementCmd::Create {
            auditee,
            kind,
            id,
            title,
            site,
            from,
            to,
            catalog,
            follows,
            programme,
            client_kind,
            scope,
        } => {
            let client_kind: Option<crate::model::engagement::ClientKind> =
                client_kind.as_deref().map(str::parse).transpose()?;
            let new = NewEngagement {
                id,
                title,
                auditee,
                site,
                kind: kind.parse()?,
                period_start: date_arg(&from, "--from")?,
                period_end: date_arg(&to, "--to")?,
            };
            if let Some(prev) = follows {
                // The previous engagement's catalogue unless another is given.
                let other = match &catalog {
                    Some(p) => Some(load_catalog(ctx, p)?),
                    None => None,
                };
                let mut e = app.create_following_with(&prev, new, other)?;
                if let Some(s) = scope.as_deref() {
                    let p = e.programme.clone().unwrap_or_default();
                    e = app.set_programme(&e.id, &p, Some(s))?;
                }
                let n = e.carries.len();
                let p = e.programme.clone().unwrap_or_default();
                let id = e.id.clone();
                let line = crate::msg!(
                    "{id} created in programme {p}, following {prev}; {n} open findings carried",
                    "{id} 已创建，属认证方案 {p}，接续 {prev}；延续 {n} 个未关闭发现项"
                );
                writeln!(o, "{}", line.get(ctx.lang))?;
                return Ok(());
            }
            let (cat, src) = match catalog.or_else(|| ctx.settings.catalog.clone()) {
                Some(p) => load_catalog(ctx, &p)?,
                None => (crate::config::embedded_catalog(), EMBEDDED_GBT32312.to_string()),
            };
            let e = app.create_engagement(new, &cat, &src)?;
            if programme.is_some() || scope.is_some() || client_kind.is_some() {
                let p = programme.unwrap_or_else(|| e.id.clone());
                app.set_programme(&e.id, &p, scope.as_deref())?;
            }
            if let Some(k) = client_kind {
                app.set_client_kind(&e.id, k)?;
            }
            writeln!(o, "{} {}", e.id, ctx.lang.pick("created", "已创建"))?;
        }
        EngagementCmd::Close { engagement } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.close_engagement(&eng.id)?;
            let d = e.closed_on.map(|d| d.to_string()).unwrap_or_default();
            writeln!(o, "{} {} {d}", e.id, ctx.lang.pick("closed on", "结束于"))?;
        }
        EngagementCmd::Programme {
            programme,
            engagement,
            scope,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.set_programme(&eng.id, &programme, scope.as_deref())?;
            writeln!(
                o,
                "{} {} {}",
                e.id,
                ctx.lang.pick("programme", "认证方案"),
                crate::text::visible(&e.programme.unwrap_or_default())
            )?;
        }
        EngagementCmd::Score {
            engagement,
            deduct,
            clear_deductions,
            bonus,
            bonus_reason,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = if !deduct.is_empty() || clear_deductions || bonus.is_some() {
                app.set_score_adjustments(
                    &eng.id,
                    &deduct,
                    clear_deductions,
                    bonus.map(|b| (b, bonus_reason.as_str())),
                )?
            } else {
                app.score_summary(&eng.id)?
            };
            if json {
                return print_json(&s);
            }
            let zh = ctx.lang.is_zh();
            let points = s
                .points
                .map_or("—".to_string(), |p| format!("{:.2}", (p * 100.0).round() / 100.0));
            if s.method == "points" {
                let verdict = match (s.pass, s.stars) {
                    (Some(true), Some(n)) if n >= 3 => {
                        format!("{} {}", "★".repeat(n as usize), ctx.lang.pick("stars", "星"))
                    }
                    (Some(true), _) => ctx.lang.pick("pass", "合格").to_string(),
                    (Some(false), _) => ctx.lang.pick("below the pass mark", "未达合格分").to_string(),
                    _ => String::new(),
                };
                writeln!(o, "{} {points} {verdict}", ctx.lang.pick("score", "得分"),)?;
                writeln!(
                    o,
                    "  {} {:.2} / {:.2} · {} {} · {} {} · {} {}{}",
                    ctx.lang.pick("earned / applicable", "得分 / 适用分"),
                    s.earned,
                    s.applicable,
                    ctx.lang.pick("excluded", "删减"),
                    s.excluded,
                    ctx.lang.pick("deductions", "特别扣分"),
                    s.deductions,
                    ctx.lang.pick("bonus", "加分"),
                    s.bonus,
                    if s.complete {
                        ""
                    } else if zh {
                        "（尚未全部评价）"
                    } else {
                        " (not every indicator assessed yet)"
                    }
                )?;
            } else {
                writeln!(
                    o,
                    "{} {points} ({})",
                    ctx.lang.pick("weighted mean", "加权平均分"),
                    ctx.lang
                        .pick("the catalogue does not score in points", "该指标目录不按分值计分")
                )?;
            }
        }
        EngagementCmd::Review { engagement, note } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.technical_review(&eng.id, &note)?;
            if let Some(r) = &e.review {
                writeln!(
                    o,
                    "{} {}: {} {}",
                    e.id,
                    ctx.lang.pick("technical review", "技术评审"),
                    crate::text::visible(&r.by),
                    r.on.map(|d| d.to_string()).unwrap_or_default()
                )?;
            }
        }
        EngagementCmd::Decide {
            engagement,
            outcome,
            certificate_no,
            years,
            note,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.decide(&eng.id, outcome.parse()?, certificate_no.as_deref(), years, &note)?;
            let zh = ctx.lang.is_zh();
            if let Some(d) = &e.decision {
                writeln!(
                    o,
                    "{} {}: {}",
                    e.id,
                    ctx.lang.pick("decision", "认证决定"),
                    d.outcome.label(zh)
                )?;
            }
            if let Some(c) = &e.certificate
                && e.decision
                    .as_ref()
                    .is_some_and(|d| d.outcome == crate::model::engagement::Outcome::Certify)
            {
                let dues: Vec<String> = c.surveillance_due().iter().map(|d| d.to_string()).collect();
                writeln!(
                    o,
                    "{} {}  {} {} → {}  {}: {}",
                    ctx.lang.pick("certificate", "证书"),
                    c.number,
                    c.status.label(zh),
                    c.issued,
                    c.valid_until,
                    ctx.lang.pick("surveillance due", "监督审核到期"),
                    dues.join(", ")
                )?;
            }
        }
        EngagementCmd::Certificate {
            engagement,
            status,
            reason,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let e = app.set_certificate_status(&eng.id, status.parse()?, &reason)?;
            if let Some(c) = &e.certificate {
                writeln!(
                    o,
                    "{} {} {}",
                    ctx.lang.pick("certificate", "证书"),
                    c.number,
                    c.status_on(app.today()).label(ctx.lang.is_zh())
                )?;
            }
        }
        EngagementCmd::AddMember {
            engagement,
            actor,
            name,
            initials,
            role,
            certificate,
            registration_until,
            level,
            key,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let key = key.as_deref().map(read_public_key).transpose()?;
            let level = level
                .as_deref()
                .map(str::parse::<crate::model::engagement::Level>)
                .transpose()?;
            let mut m = app.add_member_keyed(
                &eng.id,
                &actor,
                &name,
                &initials,
                role.parse()?,
                certificate.as_deref(),
                key.as_deref(),
            )?;
            if registration_until.is_some() || level.is_some() {
                m = app.set_registration(&eng.id, &actor, registration_until.map(Some), level)?;
            }
            let body = crate::config::body::BodyConfig::load(&ctx.paths).map_err(super::CliError)?;
            if let Some(w) = app.rotation_warning(&eng.id, &actor, &body)? {
                eprintln!("{}", w.get(ctx.lang));
            }
            writeln!(
                o,
                "{} {} {} {}{}{}",
                eng.id,
                m.actor,
                m.role.label(ctx.lang.is_zh()),
                m.certificate_no.unwrap_or_default(),
                m.level
                    .map(|l| format!(" {}", l.label(ctx.lang.is_zh())))
                    .unwrap_or_default(),
                m.registration_until.map(|d| format!(" ≤ {d}")).unwrap_or_default()
            )?;
        }
        EngagementCmd::RemoveMember { engagement, actor } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let m = app.remove_member(&eng.id, &actor)?;
            let (a, e) = (crate::text::visible(&m.actor).into_owned(), eng.id.clone());
            let line = crate::msg!(
                "{a} left {e}: their key is revoked, changes they make from now on are refused, and encrypted bundles and remotes are no longer sealed to them (what they already received stays with them)",
                "{a} 已离开 {e}：其密钥已吊销，此后其做出的更改将被拒绝，加密数据包和远程仓库不再加密给其（已收到的内容仍在其手中）"
            );
            writeln!(o, "{}", line.get(ctx.lang))?;
        }
        EngagementCmd::MemberKey { engagement, actor, key } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let text = read_public_key(&key)?;
            let m = app.set_member_key(&eng.id, &actor, &text)?;
            let fp = m
                .key
                .as_deref()
                .and_then(crate::crypto::sign::fingerprint_of_text)
                .unwrap_or_default();
            writeln!(o, "{} {} {fp}", eng.id, m.actor)?;
        }
    }
    Ok(())
}

/// A public key file's text, checked (an ed25519 OpenSSH public key).
pub(crate) fn read_public_key(path: &std::path::Path) -> std::result::Result<String, crate::app::AppError> {
    let key = crate::crypto::sign::read_public(path).map_err(|why| {
        let why = crate::text::visible(&why).into_owned();
        crate::app::AppError::Invalid(crate::msg!("{why}", "{why}"))
    })?;
    Ok(crate::crypto::sign::openssh_text(&key))
}

pub fn print_engagement(
    o: &mut dyn Write,
    e: &Engagement,
    team: &[Member],
    cat: &Catalog,
    lang: Lang,
) -> std::io::Result<()> {
    let zh = lang.is_zh();
    writeln!(o, "{}  {}", e.id, side(&e.title, zh))?;
    writeln!(o, "{}: {}", lang.pick("Auditee", "受审核方"), side(&e.auditee, zh))?;
    writeln!(o, "{}: {}", lang.pick("Site", "地点"), side(&e.site, zh))?;
    writeln!(o, "{}: {}", lang.pick("Kind", "类型"), e.kind.label(zh))?;
    if let (Some(a), Some(b)) = (e.period_start, e.period_end) {
        writeln!(o, "{}: {a} – {b}", lang.pick("Period", "评价期间"))?;
    }
    writeln!(
        o,
        "{}: {} {}{}",
        lang.pick("Catalogue", "指标目录"),
        cat.id,
        cat.version,
        if cat.provisional {
            lang.pick(" (provisional catalogue)", "（暂定目录）")
        } else {
            ""
        }
    )?;
    writeln!(o, "{}:", lang.pick("Team", "审核组"))?;
    for m in team {
        // The key their changes are verified with (fingerprint, as ssh-keygen -l).
        let key = match m.key.as_deref().map(crate::crypto::sign::fingerprint_of_text) {
            _ if m.has_left() => lang
                .pick("(left the team; key revoked)", "（已离队，密钥已吊销）")
                .to_string(),
            Some(Some(fp)) => fp,
            Some(None) => lang.pick("(unreadable key)", "（公钥无法读取）").to_string(),
            None => lang.pick("(no signing key)", "（无签名公钥）").to_string(),
        };
        writeln!(
            o,
            "  {} {} {} {} {key}",
            fit(&m.initials, 4),
            fit(side(&m.name, zh), 14),
            fit(
                &match m.level {
                    Some(l) => format!("{} ({})", m.role.label(zh), l.label(zh)),
                    None => m.role.label(zh).to_string(),
                },
                16
            ),
            fit(
                m.certificate_no
                    .as_deref()
                    .unwrap_or(lang.pick("(no certificate)", "（无证书）")),
                20
            ),
        )?;
    }
    Ok(())
}

/// A catalogue file by path or by the id of a file in the config's catalogues.
fn load_catalog(ctx: &Context, p: &std::path::Path) -> Result<(Catalog, String)> {
    let p = ctx.paths.find_catalog(p).ok_or_else(|| {
        let (p, dir) = (p.display(), ctx.paths.config_dir.join("catalogs"));
        let dir = dir.display();
        CliError(crate::msg!(
            "no catalogue file `{p}` (give a path, or an id of a file in {dir})",
            "找不到指标目录文件 `{p}`（请给出路径，或 {dir} 中文件的编号）"
        ))
    })?;
    crate::config::load_catalog_source(&p).map_err(|e| same(e.to_string()))
}
