//! `status` and `history`: where an engagement stands and what changed.

use super::output::*;
use crate::app::status::{ActionLine, StatusReport, Totals};
use crate::config::Lang;
use crate::model::finding::{FindingStatus, Grade};
use crate::model::ops::{EntityId, Op};
use crate::text::{fit, fit_right, pad, side};
use std::io::Write;

/// Lines per list in `status` without `--all`.
pub const SCREEN_LINES: usize = 8;

pub fn print_action_line(o: &mut dyn Write, l: &ActionLine, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    writeln!(
        o,
        "  {} {} {} {} {} {}",
        pad(&l.id, 9),
        pad(&l.finding, 7),
        fit(l.due.map(|d| d.to_string()).as_deref().unwrap_or("-"), 10),
        fit(&due_text(l, lang), 12),
        fit(side(&l.owner, zh), 18),
        side(&l.description, zh)
    )
}

/// The review; with `totals`, the lists were cut to a screenful and each
/// says how many more there are.
pub fn print_status(o: &mut dyn Write, r: &StatusReport, totals: Option<&Totals>, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let full = r.totals();
    let totals = totals.unwrap_or(&full);
    let more = |o: &mut dyn Write, shown: usize, total: usize| -> std::io::Result<()> {
        if total > shown {
            writeln!(
                o,
                "  … {} {}",
                total - shown,
                lang.pick(
                    "more (cscaudit status --all)",
                    "项未列出（cscaudit status --all 列出全部）"
                )
            )?;
        }
        Ok(())
    };
    writeln!(o, "{}  {}", r.engagement, side(&r.title, zh))?;
    writeln!(o, "{}: {}", lang.pick("Auditee", "受审核方"), side(&r.auditee, zh))?;
    let kind: crate::model::engagement::EngagementKind = r
        .kind
        .parse()
        .unwrap_or(crate::model::engagement::EngagementKind::SelfAssessment);
    writeln!(
        o,
        "{}: {}   {}: {}{}   {}: {}",
        lang.pick("Kind", "类型"),
        kind.label(zh),
        lang.pick("Catalogue", "指标目录"),
        r.catalog,
        if r.provisional_catalog {
            lang.pick(" (provisional catalogue)", "（暂定目录）")
        } else {
            ""
        },
        lang.pick("Today", "今天"),
        r.today
    )?;
    let sc = &r.scorecard.overall;
    writeln!(
        o,
        "{}: {}/{} ({})   {}: {}",
        lang.pick("Checklist", "检查表"),
        sc.assessed,
        sc.applicable,
        pct(sc.progress),
        lang.pick("score", "得分"),
        sc.score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into())
    )?;
    for g in &r.registrations {
        writeln!(o, "⚠ {}", registration_text(g, lang))?;
    }
    if let Some(c) = &r.cycle {
        print_cycle(o, c, lang)?;
    }
    if let Some(p) = &r.plan {
        print_plan_line(o, p, lang)?;
    }

    writeln!(
        o,
        "\n{} ({})",
        lang.pick("Corrective actions", "纠正措施"),
        r.actions_total
    )?;
    for &s in crate::model::action::ActionStatus::ALL {
        let n = r.actions_by_status.get(s.as_str()).copied().unwrap_or(0);
        if n > 0 {
            writeln!(o, "  {} {}", fit(s.label(zh), 22), fit_right(&n.to_string(), 4))?;
        }
    }
    let section = |o: &mut dyn Write, title: &str, lines: &[ActionLine], total: usize| -> std::io::Result<()> {
        writeln!(o, "\n{title} ({total})")?;
        for l in lines {
            print_action_line(o, l, lang)?;
        }
        more(o, lines.len(), total)
    };
    section(o, lang.pick("Overdue", "已逾期"), &r.overdue, totals.overdue)?;
    section(o, lang.pick("Due within 7 days", "7 天内到期"), &r.due_7, totals.due_7)?;
    section(
        o,
        lang.pick("Due within 30 days", "30 天内到期"),
        &r.due_30,
        totals.due_30,
    )?;
    section(
        o,
        lang.pick("Awaiting verification", "待验证"),
        &r.awaiting_verification,
        totals.awaiting_verification,
    )?;
    writeln!(o, "\n{}: {}", lang.pick("Verified effective", "验证有效"), r.verified)?;

    writeln!(o, "\n{}", lang.pick("By owner", "按责任人"))?;
    writeln!(
        o,
        "  {} {} {} {} {}",
        fit(lang.pick("owner", "责任人"), 24),
        fit_right(lang.pick("open", "未完成"), 7),
        fit_right(lang.pick("overdue", "逾期"), 7),
        fit_right(lang.pick("≤7d", "7天内"), 7),
        fit_right(lang.pick("to verify", "待验证"), 9)
    )?;
    for ow in &r.by_owner {
        writeln!(
            o,
            "  {} {} {} {} {}",
            fit(side(&ow.owner, zh), 24),
            fit_right(&ow.open.to_string(), 7),
            fit_right(&ow.overdue.to_string(), 7),
            fit_right(&ow.due_7.to_string(), 7),
            fit_right(&ow.awaiting_verification.to_string(), 9)
        )?;
    }

    writeln!(
        o,
        "\n{} ({})",
        lang.pick("Findings by grade and status", "发现项（按等级与状态）"),
        r.findings_total
    )?;
    for &g in Grade::ALL {
        if let Some(m) = r.findings_by_grade.get(g.as_str()) {
            let parts: Vec<String> = FindingStatus::ALL
                .iter()
                .filter_map(|s| m.get(s.as_str()).map(|n| format!("{} {n}", s.label(zh))))
                .collect();
            writeln!(o, "  {} {}", fit(g.label(zh), 12), parts.join(", "))?;
        }
    }
    writeln!(
        o,
        "\n{} ({})",
        lang.pick("Open majors", "未关闭的严重不符合"),
        totals.open_majors
    )?;
    for f in &r.open_majors {
        writeln!(
            o,
            "  {} {} {} {}",
            pad(&f.reference, 8),
            fit(f.status.label(zh), 12),
            fit(&f.closure_due.map(|d| d.to_string()).unwrap_or_default(), 10),
            side(&f.title, zh)
        )?;
    }
    more(o, r.open_majors.len(), totals.open_majors)?;
    if totals.responses_overdue > 0 {
        writeln!(
            o,
            "\n{} ({})",
            lang.pick("Responses overdue", "回复已逾期"),
            totals.responses_overdue
        )?;
        for f in &r.responses_overdue {
            writeln!(
                o,
                "  {} {} {} {}",
                pad(&f.reference, 8),
                fit(f.grade.label(zh), 12),
                fit(&format!("{} {}", f.days_overdue.unwrap_or(0), lang.pick("d", "天")), 8),
                side(&f.title, zh)
            )?;
        }
        more(o, r.responses_overdue.len(), totals.responses_overdue)?;
    }
    Ok(())
}

pub fn print_history(
    o: &mut dyn Write,
    entity: &EntityId,
    ops: &[(Op, crate::app::Signature)],
    lang: Lang,
) -> std::io::Result<()> {
    writeln!(o, "{entity}")?;
    for (op, sig) in ops {
        // Local time with its offset (the same change reads the same in any zone).
        let when = crate::text::local_time(op.hlc.wall_ms, "%Y-%m-%d %H:%M:%S %:z");
        // How the change is proven: signed with the author's registered key
        // and verified, unsigned (before signing), or not verifying.
        let mark = match sig {
            crate::app::Signature::Verified { .. } => lang.pick("signed  ", "已签名  "),
            crate::app::Signature::Unsigned => lang.pick("unsigned", "未签名  "),
            crate::app::Signature::Invalid { .. } => lang.pick("INVALID ", "签名无效"),
        };
        writeln!(
            o,
            "{when}  {mark}  {}  {}",
            crate::text::pad(&op.id.actor, 10),
            crate::text::visible(&crate::message::describe_change(op.entity.kind, &op.change, lang))
        )?;
    }
    Ok(())
}

/// `history --json`: each change with its time (UTC, RFC 3339), author, how
/// it is proven, and the change itself as stored.
pub fn print_history_json(entity: &EntityId, ops: &[(Op, crate::app::Signature)]) -> super::Result<()> {
    #[derive(serde::Serialize)]
    struct Change<'a> {
        at: String,
        actor: &'a str,
        /// signed, unsigned or invalid.
        signature: &'static str,
        /// The key's fingerprint when signed.
        fingerprint: Option<&'a str>,
        op: &'a Op,
    }
    #[derive(serde::Serialize)]
    struct Out<'a> {
        entity: String,
        changes: Vec<Change<'a>>,
    }
    let changes = ops
        .iter()
        .map(|(op, sig)| {
            let (signature, fingerprint) = match sig {
                crate::app::Signature::Verified { fingerprint } => ("signed", Some(fingerprint.as_str())),
                crate::app::Signature::Unsigned => ("unsigned", None),
                crate::app::Signature::Invalid { .. } => ("invalid", None),
            };
            Change {
                at: jiff::Timestamp::from_millisecond(op.hlc.wall_ms as i64)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                actor: &op.id.actor,
                signature,
                fingerprint,
                op,
            }
        })
        .collect();
    super::output::print_json(&Out {
        entity: entity.to_string(),
        changes,
    })
}

/// "li.min's registration CCAA-2 expires in 12 days (2027-01-09)" / "… expired …".
pub fn registration_text(g: &crate::app::status::RegistrationLine, lang: Lang) -> String {
    let (who, no, until, n) = (
        side(&g.name, lang.is_zh()),
        &g.certificate_no,
        g.valid_until,
        g.days_left,
    );
    match (n < 0, lang.is_zh()) {
        (false, false) => format!(
            "{who}'s auditor registration {no} expires in {n} days ({until}); after that it does not count towards the two registered auditors"
        ),
        (false, true) => {
            format!("{who} 的审核员注册 {no} 将在 {n} 天后到期（{until}）；到期后不计入两名注册审核员")
        }
        (true, false) => format!(
            "{who}'s auditor registration {no} expired on {until}; it does not count towards the two registered auditors"
        ),
        (true, true) => format!("{who} 的审核员注册 {no} 已于 {until} 到期；不计入两名注册审核员"),
    }
}

/// The programme lines of `status`: programme, previous engagement, the
/// certificate, the decision, and the findings carried from earlier audits
/// (`o` is the CLI's sanitising output, which shows control characters inert).
/// One line for the plan: progress, done, and the late milestones by name.
fn print_plan_line(o: &mut dyn Write, p: &crate::app::Plan, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let pct = p.progress.map_or("-".into(), |x| format!("{:.0}%", x * 100.0));
    let late: Vec<String> = p
        .milestones
        .iter()
        .filter_map(|l| {
            let d = l.days_late?;
            Some(format!(
                "{} {} +{d}{}",
                l.milestone.id,
                l.milestone.phase.label(zh),
                lang.pick("d", "天")
            ))
        })
        .collect();
    let (done, n) = (p.done, p.milestones.len());
    let mut line = if zh {
        format!("计划 {pct}：已完成 {done}/{n} 个里程碑")
    } else {
        format!("Plan {pct}: {done}/{n} milestones done")
    };
    if !late.is_empty() {
        line.push_str(lang.pick("; late: ", "；逾期："));
        line.push_str(&late.join(lang.pick(", ", "、")));
    }
    writeln!(o, "{line}  ({})", lang.pick("cscaudit plan show", "cscaudit plan show"))
}

fn print_cycle(o: &mut dyn Write, c: &crate::app::cycle::CycleInfo, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    if let Some(p) = &c.programme {
        let follows = c
            .follows
            .as_deref()
            .map(|f| format!("   {}: {}", lang.pick("follows", "接续"), f))
            .unwrap_or_default();
        let closed = c
            .closed_on
            .map(|d| format!("   {}: {d}", lang.pick("closed", "已结束")))
            .unwrap_or_default();
        writeln!(o, "{}: {}{follows}{closed}", lang.pick("Programme", "认证方案"), p)?;
    }
    if let Some(cert) = &c.certificate {
        writeln!(
            o,
            "{}: {}  {}  {} → {}",
            lang.pick("Certificate", "证书"),
            cert.number,
            cert.status.label(zh),
            cert.issued,
            cert.valid_until
        )?;
    }
    if let Some(d) = &c.decision {
        writeln!(
            o,
            "{}: {} ({}, {})",
            lang.pick("Decision", "认证决定"),
            d.outcome.label(zh),
            d.by,
            d.on.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    if !c.carried.is_empty() || !c.carried_elsewhere.is_empty() {
        let n = c.carried.len() + c.carried_elsewhere.len();
        writeln!(
            o,
            "\n{} ({n})",
            lang.pick("Carried from earlier audits", "延续自以前审核的发现项")
        )?;
        for f in &c.carried {
            writeln!(
                o,
                "  {} {} {} {} {}",
                pad(&f.reference, 9),
                fit(f.grade.label(zh), 10),
                fit(f.status.label(zh), 12),
                pad(&f.engagement, 10),
                side(&f.title, zh)
            )?;
        }
        if !c.carried_elsewhere.is_empty() {
            let refs = c.carried_elsewhere.join(", ");
            let line = if zh {
                format!("本副本中没有：{refs}（请导入或同步提出它们的审核项目）")
            } else {
                format!("not in this copy: {refs} (import or sync the engagements they were raised in)")
            };
            writeln!(o, "  {line}")?;
        }
    }
    Ok(())
}

/// `portfolio`: one line per programme.
pub fn print_portfolio(
    o: &mut dyn Write,
    lines: &[crate::app::cycle::PortfolioLine],
    lang: Lang,
) -> std::io::Result<()> {
    let zh = lang.is_zh();
    if lines.is_empty() {
        writeln!(
            o,
            "{}",
            lang.pick(
                "No programme yet: `cscaudit engagement create --programme ID …` starts one, `--follows PREV` continues it.",
                "还没有认证方案：`cscaudit engagement create --programme 编号 …` 开始一个，`--follows 上一次` 接续。"
            )
        )?;
        return Ok(());
    }
    writeln!(
        o,
        "{} {} {} {} {} {} {} {}",
        fit(lang.pick("Programme", "认证方案"), 14),
        fit(lang.pick("Client", "客户"), 18),
        fit(lang.pick("Now", "当前"), 22),
        fit(lang.pick("Certificate", "证书"), 16),
        fit(lang.pick("Status", "状态"), 8),
        fit(lang.pick("Valid until", "有效期至"), 11),
        fit(lang.pick("Next audit", "下次审核"), 10),
        lang.pick("Majors  Overdue", "严重不符合  逾期措施")
    )?;
    for l in lines {
        let cert = l.certificate.as_ref();
        writeln!(
            o,
            "{} {} {} {} {} {} {} {:>6}  {:>7}",
            pad(&l.programme, 14),
            fit(side(&l.client, zh), 18),
            fit(&format!("{} {}", l.current, l.current_kind.label(zh)), 22),
            fit(cert.map_or("-", |c| c.number.as_str()), 16),
            fit(l.certificate_status.map_or("-", |s| s.label(zh)), 8),
            fit(&cert.map_or("-".into(), |c| c.valid_until.to_string()), 11),
            fit(&l.next_audit_due.map_or("-".into(), |d| d.to_string()), 10),
            l.open_majors,
            l.overdue_actions
        )?;
    }
    Ok(())
}
