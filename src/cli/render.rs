//! Plain-text output for the CLI, aligned in terminal cells (CJK-safe).

use crate::app::status::{ActionLine, StatusReport};
use crate::config::Lang;
use crate::model::action::CorrectiveAction;
use crate::model::catalog::{Catalog, Indicator};
use crate::model::engagement::{Engagement, Member};
use crate::model::finding::{Finding, FindingStatus, Grade};
use crate::model::ops::{EntityId, Op};
use crate::text::{fit, fit_right, side};
use jiff::civil::Date;
use std::io::{Result, Write};

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn due_text(l: &ActionLine, lang: Lang) -> String {
    match l.days_overdue {
        Some(d) if d > 0 => format!("{d} {}", lang.pick("d overdue", "天逾期")),
        Some(0) => lang.pick("due today", "今天到期").to_string(),
        Some(d) => format!("{} {}", -d, lang.pick("d left", "天后到期")),
        None => String::new(),
    }
}

pub fn action_line(o: &mut dyn Write, l: &ActionLine, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
    writeln!(
        o,
        "  {} {} {} {} {} {}",
        fit(&l.id, 9),
        fit(&l.finding, 7),
        fit(l.due.map(|d| d.to_string()).as_deref().unwrap_or("-"), 10),
        fit(&due_text(l, lang), 12),
        fit(side(&l.owner, zh), 18),
        side(&l.description, zh)
    )
}

pub fn status(o: &mut dyn Write, r: &StatusReport, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
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
    let section = |o: &mut dyn Write, title: &str, lines: &[ActionLine]| -> Result<()> {
        writeln!(o, "\n{title} ({})", lines.len())?;
        for l in lines {
            action_line(o, l, lang)?;
        }
        Ok(())
    };
    section(o, lang.pick("Overdue", "已逾期"), &r.overdue)?;
    section(o, lang.pick("Due within 7 days", "7 天内到期"), &r.due_7)?;
    section(o, lang.pick("Due within 30 days", "30 天内到期"), &r.due_30)?;
    section(
        o,
        lang.pick("Awaiting verification", "待验证"),
        &r.awaiting_verification,
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
        r.open_majors.len()
    )?;
    for f in &r.open_majors {
        writeln!(
            o,
            "  {} {} {} {}",
            fit(&f.reference, 8),
            fit(f.status.label(zh), 12),
            fit(&f.closure_due.map(|d| d.to_string()).unwrap_or_default(), 10),
            side(&f.title, zh)
        )?;
    }
    if !r.responses_overdue.is_empty() {
        writeln!(
            o,
            "\n{} ({})",
            lang.pick("Responses overdue", "回复已逾期"),
            r.responses_overdue.len()
        )?;
        for f in &r.responses_overdue {
            writeln!(
                o,
                "  {} {} {} {}",
                fit(&f.reference, 8),
                fit(f.grade.label(zh), 12),
                fit(&format!("{} {}", f.days_overdue.unwrap_or(0), lang.pick("d", "天")), 8),
                side(&f.title, zh)
            )?;
        }
    }
    Ok(())
}

pub fn history(o: &mut dyn Write, entity: &EntityId, ops: &[Op], lang: Lang) -> Result<()> {
    writeln!(o, "{entity}")?;
    for op in ops {
        let when = jiff::Timestamp::from_millisecond(op.hlc.wall_ms as i64)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|_| op.hlc.wall_ms.to_string());
        writeln!(
            o,
            "{when}  {}  {}",
            fit(&op.id.actor, 10),
            crate::message::describe_change(&op.change, lang)
        )?;
    }
    Ok(())
}

pub fn engagement(o: &mut dyn Write, e: &Engagement, team: &[Member], cat: &Catalog, lang: Lang) -> Result<()> {
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
        writeln!(
            o,
            "  {} {} {} {}",
            fit(&m.initials, 4),
            fit(side(&m.name, zh), 14),
            fit(m.role.label(zh), 16),
            m.certificate_no
                .as_deref()
                .unwrap_or(lang.pick("(no certificate)", "（无证书）"))
        )?;
    }
    Ok(())
}

pub fn catalog_list(o: &mut dyn Write, cat: &Catalog, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
    writeln!(
        o,
        "{} {} — {}{}",
        cat.id,
        cat.version,
        cat.title(zh),
        if cat.provisional {
            lang.pick(" [provisional catalogue]", "【暂定目录】")
        } else {
            ""
        }
    )?;
    for top in cat.top_groups() {
        writeln!(o, "{}", top.name(zh))?;
        for g in cat.children(&top.id) {
            writeln!(o, "  {}", g.name(zh))?;
            for i in cat.indicators.iter().filter(|i| i.group == g.id) {
                let target = i.target.map(|t| i.unit.format(t, zh)).unwrap_or_else(|| "-".into());
                let dir = match i.direction {
                    crate::model::catalog::Direction::Higher => "≥",
                    crate::model::catalog::Direction::Lower => "≤",
                };
                writeln!(o, "    {} {} {}{}", fit(&i.id, 6), fit(i.name(zh), 34), dir, target)?;
            }
        }
    }
    Ok(())
}

pub fn indicator(o: &mut dyn Write, cat: &Catalog, i: &Indicator, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
    let path: Vec<&str> = cat.path_of(i).iter().map(|g| g.name(zh)).collect();
    writeln!(o, "{}  {} / {}", i.id, i.name_zh, i.name_en)?;
    writeln!(o, "{}: {}", lang.pick("Group", "分组"), path.join(" › "))?;
    let direction = match i.direction {
        crate::model::catalog::Direction::Higher => lang.pick("higher is better", "越高越好"),
        crate::model::catalog::Direction::Lower => lang.pick("lower is better", "越低越好"),
    };
    writeln!(
        o,
        "{}: {}   {}: {direction}",
        lang.pick("Unit", "单位"),
        i.unit.label(lang.is_zh()),
        lang.pick("Direction", "方向")
    )?;
    if let Some(t) = i.target {
        writeln!(o, "{}: {}", lang.pick("Target", "目标值"), i.unit.format(t, zh))?;
    }
    if let Some(b) = &i.target_basis {
        writeln!(o, "{}: {b}", lang.pick("Target basis", "目标依据"))?;
    }
    writeln!(o, "{}: {}", lang.pick("Weight", "权重"), i.weight)?;
    if let Some(m) = &i.metric {
        writeln!(
            o,
            "{}: {m}{}{}",
            lang.pick("Metric", "计算公式"),
            i.variant.as_deref().map(|v| format!(" ({v})")).unwrap_or_default(),
            i.threshold_s.map(|t| format!(", T={t}s")).unwrap_or_default()
        )?;
    }
    writeln!(
        o,
        "{}: {}",
        lang.pick("Evidence to ask for", "应索取的证据"),
        i.evidence_hint(zh)
    )?;
    writeln!(o, "{}: {}", lang.pick("Provenance", "来源"), i.provenance)?;
    Ok(())
}

pub fn finding_line(o: &mut dyn Write, f: &Finding, today: Date, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
    let overdue = f
        .response_overdue_days(today)
        .or_else(|| f.closure_overdue_days(today))
        .map(|d| format!("{d}{}", lang.pick("d overdue", "天逾期")))
        .unwrap_or_default();
    writeln!(
        o,
        "{} {} {} {} {} {}",
        fit(&f.reference, 8),
        fit(f.grade.code(), 3),
        fit(f.status.label(zh), 14),
        fit(&f.indicators.join(","), 6),
        fit(&overdue, 10),
        side(&f.title, zh)
    )
}

pub fn finding(o: &mut dyn Write, f: &Finding, actions: &[CorrectiveAction], today: Date, lang: Lang) -> Result<()> {
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
        action_line(o, &crate::app::status::action_line(a, today), lang)?;
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
