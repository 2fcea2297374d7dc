//! The certification body's records: `audit-plan`, `interest`,
//! `attendance`, `auditor`.

use super::args::{AttendanceCmd, AuditPlanCmd, AuditorCmd, InterestCmd, MeetingArgs};
use super::output::*;
use super::{CliError, Context, Result};
use crate::app::App;
use crate::app::body::{AuditPlan, NewActivity, NewMeeting, PersonDays, PlanEdit};
use crate::config::body::BodyConfig;
use crate::model::body::{Attendee, AuditMode, InterestKind, Meeting, MeetingKind, on_site_days, parse_at};
use crate::text::{fit, visible};
use std::io::Write;

fn body_config(ctx: &Context) -> Result<BodyConfig> {
    BodyConfig::load(&ctx.paths).map_err(CliError)
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    super::bundle::write_whole(path, bytes)
}

pub(super) fn audit_plan(ctx: &Context, c: AuditPlanCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let (lang, zh) = (ctx.lang, ctx.lang.is_zh());
    let mut o = out();
    match c {
        AuditPlanCmd::Show { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let plan = app.audit_plan(&eng.id)?;
            let days = app.person_days_of(plan.clone(), &body_config(ctx)?, zh)?;
            if json {
                return print_json(&serde_json::json!({ "plan": plan, "days": days }));
            }
            show_plan(&mut o, &app, &plan, &days, lang)?;
        }
        AuditPlanCmd::Set {
            engagement,
            objectives,
            scope,
            criteria,
            sites,
            mode,
            agents,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let mode = mode.as_deref().map(str::parse::<AuditMode>).transpose()?;
            let edit = PlanEdit {
                objectives,
                scope,
                criteria,
                sites,
                mode,
                agents,
            };
            let plan = app.set_audit_plan(&eng.id, &edit)?;
            let days = app.person_days_of(plan.clone(), &body_config(ctx)?, zh)?;
            show_plan(&mut o, &app, &plan, &days, lang)?;
        }
        AuditPlanCmd::Activity {
            engagement,
            on,
            from,
            to,
            place,
            title,
            auditors,
            auditee,
            remove,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            if let Some(id) = remove {
                app.remove_activity(&eng.id, &id)?;
                writeln!(o, "{} {}", lang.pick("removed", "已删除"), visible(&id))?;
                return Ok(());
            }
            let a = app.add_activity(
                &eng.id,
                &NewActivity {
                    on,
                    from: from.unwrap_or_default(),
                    to: to.unwrap_or_default(),
                    place,
                    title: title.unwrap_or_default(),
                    auditors,
                    auditee,
                },
            )?;
            let short = a.id.rsplit('/').next().unwrap_or_default();
            writeln!(
                o,
                "{short} {} {}–{} {}",
                a.on.map(|d| d.to_string()).unwrap_or_default(),
                a.from,
                a.to,
                a.title
            )?;
        }
        AuditPlanCmd::Days {
            engagement,
            planned,
            actual,
            justification,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let body = body_config(ctx)?;
            if planned.is_some() || actual.is_some() || justification.is_some() {
                app.set_person_days(&eng.id, &body, planned, actual, justification.as_deref())?;
            }
            let d = app.person_days(&eng.id, &body, zh)?;
            if json {
                return print_json(&d);
            }
            show_days(&mut o, &d, lang)?;
        }
        AuditPlanCmd::Agenda { engagement, out: path } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let plan = app.audit_plan(&eng.id)?;
            let days = app.person_days_of(plan.clone(), &body_config(ctx)?, zh)?;
            let names = |a: &str| app.display_name(&eng.id, a);
            let bytes = crate::report::body::agenda_docx(&plan, &days, &names)?;
            write_file(&path, &bytes)?;
            writeln!(o, "{}", path.display())?;
        }
    }
    Ok(())
}

fn show_days(o: &mut impl Write, d: &PersonDays, lang: crate::config::Lang) -> Result<()> {
    let n = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    writeln!(
        o,
        "{}: {}  {}: {}{}",
        lang.pick("person-days planned", "计划人日"),
        n(d.planned),
        lang.pick("spent", "实际人日"),
        n(d.actual),
        if d.actual_from == "attendance" {
            lang.pick(" (from the attendance)", "（按签到记录）")
        } else {
            ""
        }
    )?;
    if !d.basis.is_empty() {
        writeln!(o, "  {}", d.basis)?;
    }
    Ok(())
}

fn show_plan(o: &mut impl Write, app: &App, p: &AuditPlan, d: &PersonDays, lang: crate::config::Lang) -> Result<()> {
    let zh = lang.is_zh();
    let line = |o: &mut dyn Write, en: &str, z: &str, v: &str| -> std::io::Result<()> {
        let v = if v.is_empty() { "—" } else { v };
        writeln!(o, "{:<12} {}", if zh { z } else { en }, v)
    };
    writeln!(o, "{} {}", lang.pick("Audit plan", "审核计划"), p.engagement)?;
    line(o, "objectives", "审核目的", &p.objectives)?;
    line(o, "scope", "审核范围", &p.scope)?;
    line(o, "criteria", "审核准则", &p.criteria)?;
    line(o, "sites", "审核场所", &p.sites.join("; "))?;
    let mode = p
        .mode
        .map(|m| format!("{} {}", m.as_str(), m.words(zh)))
        .unwrap_or_default();
    line(o, "mode", "审核方式", &mode)?;
    line(
        o,
        "agents",
        "座席数",
        &p.agents.map(|a| a.to_string()).unwrap_or_default(),
    )?;
    show_days(o, d, lang)?;
    writeln!(o, "{}:", lang.pick("Activities", "审核活动"))?;
    if p.activities.is_empty() {
        writeln!(o, "  {}", lang.pick("(none yet)", "（尚无）"))?;
    }
    for a in &p.activities {
        let short = a.id.rsplit('/').next().unwrap_or_default();
        let who: Vec<String> = a.auditors.iter().map(|x| app.display_name(&p.engagement, x)).collect();
        writeln!(
            o,
            "  {short} {} {}–{} {} {} {}",
            a.on.map(|d| d.to_string()).unwrap_or_default(),
            a.from,
            a.to,
            fit(&a.title, 24),
            fit(&a.place, 12),
            who.join("、")
        )?;
    }
    for m in [&p.opening, &p.closing].into_iter().flatten() {
        show_meeting(o, m, lang)?;
    }
    Ok(())
}

fn show_meeting(o: &mut impl Write, m: &Meeting, lang: crate::config::Lang) -> Result<()> {
    let zh = lang.is_zh();
    let who: Vec<String> = m
        .attendees
        .iter()
        .map(|a| {
            let mut s = a.who.clone();
            if a.auditee {
                s = format!("{}:{s}", lang.pick("auditee", "受审核方"));
            }
            if a.remote {
                s.push_str(lang.pick(" (remote)", "（远程）"));
            }
            s
        })
        .collect();
    writeln!(
        o,
        "{} {} @ {} — {} {} · {} {}",
        m.kind.label(zh),
        m.at.map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        m.place,
        who.len(),
        lang.pick("attendees", "人参会"),
        m.photos.len(),
        lang.pick("photo(s)", "张照片")
    )?;
    writeln!(o, "  {}", who.join("; "))?;
    Ok(())
}

pub(super) fn interest(ctx: &Context, c: InterestCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let (lang, zh) = (ctx.lang, ctx.lang.is_zh());
    let mut o = out();
    match c {
        InterestCmd::Add {
            actor,
            client,
            kind,
            until,
            note,
        } => {
            let kind: InterestKind = kind.parse()?;
            let i = app.declare_interest(&client, &actor, kind, until, &note)?;
            writeln!(o, "{} {} {} ≤ {}", i.programme, i.actor, i.kind.label(zh), i.until)?;
        }
        InterestCmd::List { client, json } => {
            let list = app.interests(client.as_deref())?;
            if json {
                return print_json(&list);
            }
            let today = app.today();
            if list.is_empty() {
                writeln!(o, "{}", lang.pick("No declared interests.", "没有申报的利益关系。"))?;
            }
            for i in list {
                let live = if i.live_on(today) {
                    lang.pick("live", "有效")
                } else {
                    lang.pick("ended", "已过期")
                };
                writeln!(
                    o,
                    "{} {} {} ≤ {} {live} {}",
                    fit(&i.programme, 12),
                    fit(&i.actor, 14),
                    fit(i.kind.label(zh), 10),
                    i.until,
                    i.note
                )?;
            }
        }
        InterestCmd::Remove { actor, client } => {
            app.remove_interest(&client, &actor)?;
            writeln!(o, "{} {client} {actor}", lang.pick("removed", "已删除"))?;
        }
    }
    Ok(())
}

fn meeting(app: &App, kind: MeetingKind, a: MeetingArgs, lang: crate::config::Lang) -> Result<()> {
    let eng = app.resolve_engagement(a.engagement.as_deref())?;
    let Some(at) = parse_at(&a.at) else {
        let v = visible(&a.at).into_owned();
        return Err(CliError(crate::msg!(
            "--at `{v}` is not a time (use \"YYYY-MM-DD HH:MM\")",
            "--at `{v}` 不是时间（请用 \"YYYY-MM-DD HH:MM\"）"
        )));
    };
    let photos: Vec<&std::path::Path> = a.photos.iter().map(|p| p.as_path()).collect();
    let m = app.record_meeting(
        &eng.id,
        &NewMeeting {
            kind,
            at,
            place: a.place,
            attendees: Attendee::parse_list(&a.attendees),
            note: a.note,
        },
        &photos,
    )?;
    let mut o = out();
    show_meeting(&mut o, &m, lang)?;
    let absent = app.absent_from(&eng.id, &m)?;
    let mut e = std::io::stderr().lock();
    if !absent.is_empty() {
        let list = visible(&absent.join(", ")).into_owned();
        let msg = crate::msg!(
            "not at the meeting: {list} (CNCA's check-in shows the whole team)",
            "未参会：{list}（认监委签到要求全体审核组成员）"
        );
        writeln!(e, "{}", msg.get(lang))?;
    }
    if m.photos.is_empty() {
        let msg = crate::msg!(
            "no photo yet: the check-in takes 1–3 photos of the team with the auditee (--photo FILE)",
            "尚无照片：签到需 1–3 张审核组与受审核方的合影（--photo 文件）"
        );
        writeln!(e, "{}", msg.get(lang))?;
    }
    Ok(())
}

pub(super) fn attendance(ctx: &Context, c: AttendanceCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let lang = ctx.lang;
    match c {
        AttendanceCmd::Open(a) => meeting(&app, MeetingKind::Opening, a, lang),
        AttendanceCmd::Close(a) => meeting(&app, MeetingKind::Closing, a, lang),
        AttendanceCmd::Show { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let plan = app.audit_plan(&eng.id)?;
            let team = app.team(&eng.id)?;
            let days: Vec<(String, f64)> = team
                .iter()
                .filter(|m| m.role != crate::model::engagement::Role::AuditeeContact)
                .map(|m| {
                    (
                        m.actor.clone(),
                        on_site_days(plan.opening.as_ref(), plan.closing.as_ref(), &m.actor),
                    )
                })
                .collect();
            if json {
                let on_site: serde_json::Map<String, serde_json::Value> =
                    days.iter().map(|(a, d)| (a.clone(), serde_json::json!(d))).collect();
                return print_json(&serde_json::json!({
                    "engagement": eng.id,
                    "opening": plan.opening,
                    "closing": plan.closing,
                    "on_site_days": on_site,
                }));
            }
            let mut o = out();
            for k in [MeetingKind::Opening, MeetingKind::Closing] {
                let m = if k == MeetingKind::Opening {
                    &plan.opening
                } else {
                    &plan.closing
                };
                match m {
                    Some(m) => show_meeting(&mut o, m, lang)?,
                    None => writeln!(o, "{} {}", k.label(lang.is_zh()), lang.pick("not recorded", "未记录"))?,
                }
            }
            writeln!(o, "{}:", lang.pick("On-site days", "现场审核天数"))?;
            for (a, d) in days {
                writeln!(o, "  {} {d}", fit(&a, 16))?;
            }
            Ok(())
        }
    }
}

pub(super) fn auditor(ctx: &Context, c: AuditorCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let (lang, zh) = (ctx.lang, ctx.lang.is_zh());
    match c {
        AuditorCmd::Log { actor, out: path, json } => {
            let lines = app.auditor_log(&actor)?;
            let name = lines
                .first()
                .map(|l| app.display_name(&l.engagement, &actor))
                .unwrap_or_else(|| actor.clone());
            if let Some(p) = &path {
                let bytes = crate::report::body::auditor_log_xlsx(&actor, &name, &lines, lang)?;
                write_file(p, &bytes)?;
            }
            if json {
                let total: f64 = lines.iter().map(|l| l.on_site_days).sum();
                return print_json(&serde_json::json!({
                    "actor": actor,
                    "name": name,
                    "audits": lines,
                    "on_site_days": total,
                }));
            }
            let mut o = out();
            if lines.is_empty() {
                let a = visible(&actor).into_owned();
                let msg = crate::msg!("{a} is on no audit team held here", "本机没有 {a} 参加的审核");
                writeln!(o, "{}", msg.get(lang))?;
            }
            for l in &lines {
                writeln!(
                    o,
                    "{} {} {} {} {} {}–{} {}",
                    fit(&l.engagement, 12),
                    fit(&l.client, 16),
                    fit(l.kind.label(zh), 12),
                    fit(l.role.label(zh), 10),
                    fit(l.mode.map(|m| m.as_str()).unwrap_or(""), 4),
                    l.from.map(|d| d.to_string()).unwrap_or_default(),
                    l.to.map(|d| d.to_string()).unwrap_or_default(),
                    l.on_site_days
                )?;
            }
            if let Some(p) = path {
                writeln!(o, "{}", p.display())?;
            }
            Ok(())
        }
        AuditorCmd::NationalId { actor } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            app.set_national_id(&actor, line.trim())?;
            let a = visible(&actor).into_owned();
            let msg = crate::msg!(
                "{a}'s ID number is kept, encrypted to your key",
                "已加密保存 {a} 的身份证号码（仅您的密钥可解密）"
            );
            writeln!(out(), "{}", msg.get(lang))?;
            Ok(())
        }
    }
}

/// `report cnca --month YYYY-MM --out F.xlsx`.
pub(super) fn cnca(ctx: &Context, month: &str, path: &std::path::Path, all: bool, json: bool) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let lang = ctx.lang;
    let bad = || {
        let m = visible(month).into_owned();
        CliError(crate::msg!(
            "--month `{m}` is not a month (use YYYY-MM)",
            "--month `{m}` 不是月份（请用 YYYY-MM）"
        ))
    };
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m) = (
        y.parse::<i16>().map_err(|_| bad())?,
        m.parse::<i8>().map_err(|_| bad())?,
    );
    let body = body_config(ctx)?;
    let report = app.cnca_report(y, m, &body, all)?;
    if json {
        return print_json(&report.masked());
    }
    if report.rows.is_empty() {
        // A second run must not replace the month's workbook with an empty one.
        let (mm, n) = (report.month.clone(), report.unchanged);
        let msg = crate::msg!(
            "nothing new or changed to report for {mm} ({n} row(s) already reported as they are); nothing written. `--all` writes the month's rows again",
            "{mm} 没有新增或变更的报送内容（{n} 行已按原样报送）；未写出文件。`--all` 可重新写出该月全部行"
        );
        writeln!(out(), "{}", msg.get(lang))?;
        return Ok(());
    }
    let bytes = app.cnca_workbook(&report)?;
    super::bundle::write_whole(path, &bytes)?;
    if !all {
        app.mark_cnca_reported(&report)?;
    }
    let mut o = out();
    let count = |s: &str| report.rows.iter().filter(|r| r.sheet == s).count();
    use crate::report::cnca::{CERT_SHEET, PLAN_SHEET, RESULT_SHEET};
    writeln!(
        o,
        "{} {} · {PLAN_SHEET} {} · {RESULT_SHEET} {} · {CERT_SHEET} {} · {} {} · {} {}",
        lang.pick("wrote", "已写出"),
        visible(&path.display().to_string()),
        count(PLAN_SHEET),
        count(RESULT_SHEET),
        count(CERT_SHEET),
        lang.pick("unchanged, left out:", "未变更未列入："),
        report.unchanged,
        lang.pick("due", "报送截止"),
        report.due
    )?;
    if report.template.source == "default" {
        writeln!(
            o,
            "{}",
            lang.pick(
                "template: cscaudit's default headings; check them against the body's own template (cnca_template in body.toml)",
                "模板：cscaudit 默认表头；请与机构自己的报送模板核对（body.toml 中的 cnca_template）"
            )
        )?;
    }
    if !report.missing.is_empty() {
        writeln!(o, "{}", lang.pick("To check before uploading:", "上传前请补充："))?;
        for m in &report.missing {
            writeln!(o, "  - {}", m.get(lang))?;
        }
    }
    Ok(())
}

/// `report certificate -e E --out F.docx`, `report nonconformity --finding REF --out F.docx`.
pub(super) fn document(
    ctx: &Context,
    which: super::args::BodyReport,
    engagement: Option<&str>,
    finding: Option<&str>,
    path: &std::path::Path,
) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let bytes = match which {
        super::args::BodyReport::Nonconformity => {
            let f = app.finding(finding.unwrap_or_default())?;
            let eng = app.engagement(&f.engagement)?;
            let by = app.display_name(&eng.id, &f.raised_by);
            crate::report::body::nonconformity_docx(&f, &eng, &by)?
        }
        _ => {
            let eng = app.resolve_engagement(engagement)?;
            let Some(cert) = eng.certificate.as_ref() else {
                let e = eng.id.clone();
                return Err(CliError(crate::msg!(
                    "{e} issued no certificate (a decision to certify issues one)",
                    "{e} 未颁发证书（批准认证的决定才颁发证书）"
                )));
            };
            let programme = eng.programme.as_deref().and_then(|p| app.programme(p).ok());
            let body = body_config(ctx)?;
            let standard = app
                .catalog_for(&eng)
                .ok()
                .and_then(|c| c.standard)
                .unwrap_or_else(|| eng.catalog_id.clone());
            let sites = app.audit_plan(&eng.id)?.sites.join("；");
            let sites = if sites.is_empty() { eng.site.clone() } else { sites };
            let decided = eng
                .decision
                .as_ref()
                .map(|d| {
                    format!(
                        "{} {}",
                        app.display_name(&eng.id, &d.by),
                        d.on.map(|o| o.to_string()).unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let client = programme
                .as_ref()
                .map(|p| p.client.clone())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| eng.auditee.clone());
            crate::report::body::certificate_docx(&crate::report::body::CertificateText {
                certificate: cert,
                client: &client,
                client_code: programme.as_ref().map(|p| p.client_code.as_str()).unwrap_or_default(),
                standard: &standard,
                sites: &sites,
                body_name: body.name.as_deref().unwrap_or_default(),
                approval_no: body.approval_no.as_deref().unwrap_or_default(),
                decided_by: &decided,
            })?
        }
    };
    super::bundle::write_whole(path, &bytes)?;
    writeln!(
        out(),
        "{} {} ({} B)",
        ctx.lang.pick("wrote", "已写出"),
        visible(&path.display().to_string()),
        bytes.len()
    )?;
    Ok(())
}
