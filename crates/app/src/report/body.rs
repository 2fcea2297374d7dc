//! The certification body's documents: the audit plan's agenda for the
//! auditee (Word, both languages) and an auditor's experience log (Excel).

use super::docx::{heading, labelled, para, styles, table_w};
use super::xlsx::{Cell, Sheet, err};
use crate::app::body::{AuditPlan, LogLine, PersonDays};
use crate::app::{AppError, Result};
use crate::config::Lang;
use docx_rs::{AlignmentType, Docx, PageMargin, Paragraph};
use rust_xlsxwriter::{Color, Format, Workbook};

fn both(en: &str, zh: &str) -> String {
    format!("{zh} / {en}")
}

/// The agenda (审核计划) of an audit as a Word document, every heading and
/// label in Chinese and English; `names` gives team members' names by actor.
pub fn agenda_docx(plan: &AuditPlan, days: &PersonDays, names: &dyn Fn(&str) -> String) -> Result<Vec<u8>> {
    let mut doc = styles(Docx::new()).page_margin(PageMargin::new().top(1440).bottom(1440).left(1588).right(1588));
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(super::docx::run(&both("Audit plan", "审核计划")))
            .style("Title")
            .align(AlignmentType::Center),
    );
    let mode = plan
        .mode
        .map(|m| format!("{} {} / {}", m.as_str(), m.zh(), m.words(false)))
        .unwrap_or_default();
    let kind = format!("{} / {}", plan.kind.zh(), plan.kind.as_str());
    let period = match (plan.from, plan.to) {
        (Some(f), Some(t)) if f == t => f.to_string(),
        (Some(f), Some(t)) => format!("{f} – {t}"),
        _ => String::new(),
    };
    let fmt_days = |d: Option<f64>| d.map(|d| format!("{d}")).unwrap_or_else(|| "—".into());
    for (label, value) in [
        (both("Engagement", "审核项目"), plan.engagement.clone()),
        (both("Auditee", "受审核方"), plan.auditee.clone()),
        (both("Kind of audit", "审核类型"), kind),
        (both("Audit dates", "审核日期"), period),
        (both("Audit mode", "审核方式"), mode),
        (both("Objectives", "审核目的"), plan.objectives.clone()),
        (both("Scope", "审核范围"), plan.scope.clone()),
        (both("Criteria", "审核准则"), plan.criteria.clone()),
        (both("Sites", "审核场所"), plan.sites.join("；")),
        (both("Person-days planned", "计划人日"), fmt_days(days.planned)),
    ] {
        doc = doc.add_paragraph(labelled(&label, &value));
    }
    doc = doc.add_paragraph(heading(&both("Agenda", "日程安排"), 1));
    let rows: Vec<Vec<String>> = plan
        .activities
        .iter()
        .map(|a| {
            vec![
                a.on.map(|d| d.to_string()).unwrap_or_default(),
                format!("{}–{}", a.from, a.to),
                a.title.clone(),
                a.place.clone(),
                a.auditors.iter().map(|x| names(x)).collect::<Vec<_>>().join("、"),
                a.auditee.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        doc = doc.add_paragraph(para(&both("No activity planned yet.", "尚未安排审核活动。")));
    } else {
        doc = doc.add_table(table_w(
            &[
                &both("Date", "日期"),
                &both("Time", "时间"),
                &both("Activity", "审核活动"),
                &both("Place", "地点"),
                &both("Auditors", "审核人员"),
                &both("Auditee", "受审核方人员"),
            ],
            rows,
            &[12, 10, 28, 14, 18, 18],
        ));
    }
    doc = doc.add_paragraph(para(""));
    doc = doc.add_paragraph(para(&both(
        "The auditee confirms the plan, or asks for changes, before the audit.",
        "请受审核方在审核前确认本计划，如需调整请及时告知审核组长。",
    )));
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Invalid(crate::message::Msg::same(format!("agenda.docx: {e}"))))?;
    Ok(out.into_inner())
}

/// An auditor's experience log as a workbook (one sheet).
pub fn auditor_log_xlsx(actor: &str, name: &str, lines: &[LogLine], lang: Lang) -> Result<Vec<u8>> {
    let zh = lang.is_zh();
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xEEEEEE));
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    let header = [
        t("Engagement", "审核项目"),
        t("Client", "客户"),
        t("Kind of audit", "审核类型"),
        t("Role", "角色"),
        t("Level", "注册级别"),
        t("Audit mode", "审核方式"),
        t("From", "开始日期"),
        t("To", "结束日期"),
        t("On-site days", "现场审核天数"),
    ];
    let mut sheet = Sheet::new(ws, t("Audit experience", "审核经历"), &header, &bold)?;
    let mut total = 0.0;
    for l in lines {
        total += l.on_site_days;
        sheet.push(
            vec![
                Cell::Text(super::xlsx::text(&l.engagement)),
                Cell::Text(super::xlsx::text(&l.client)),
                Cell::Text(l.kind.label(zh).to_string()),
                Cell::Text(l.role.label(zh).to_string()),
                Cell::Text(l.level.map(|v| v.label(zh).to_string()).unwrap_or_default()),
                Cell::Text(l.mode.map(|m| m.as_str().to_string()).unwrap_or_default()),
                Cell::Date(l.from),
                Cell::Date(l.to),
                Cell::Number(l.on_site_days),
            ],
            &date_fmt,
            false,
        )?;
    }
    let who = format!("{} ({})", super::xlsx::text(name), super::xlsx::text(actor));
    sheet.push(
        vec![
            Cell::Text(t("Total", "合计").to_string()),
            Cell::Text(who),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Date(None),
            Cell::Date(None),
            Cell::Number(total),
        ],
        &date_fmt,
        false,
    )?;
    sheet.finish()?;
    wb.save_to_buffer().map_err(err)
}
