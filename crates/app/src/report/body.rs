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

fn pack(doc: Docx, name: &str) -> Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Invalid(crate::message::Msg::same(format!("{name}: {e}"))))?;
    Ok(out.into_inner())
}

fn centred(text: &str, size: usize, bold: bool) -> Paragraph {
    let mut r = super::docx::run(text).size(size);
    if bold {
        r = r.bold();
    }
    Paragraph::new().add_run(r).align(AlignmentType::Center)
}

/// What a printed certificate says.
pub struct CertificateText<'a> {
    pub certificate: &'a crate::model::engagement::Certificate,
    /// The certified organisation.
    pub client: &'a str,
    pub client_code: &'a str,
    /// The standard certified against (the catalogue's).
    pub standard: &'a str,
    pub sites: &'a str,
    /// The body's name and approval number (body.toml), if known.
    pub body_name: &'a str,
    pub approval_no: &'a str,
    /// Who decided, and when.
    pub decided_by: &'a str,
}

/// A printable certificate in both languages, from the certificate record.
pub fn certificate_docx(c: &CertificateText<'_>) -> Result<Vec<u8>> {
    let cert = c.certificate;
    let mut doc = styles(Docx::new()).page_margin(PageMargin::new().top(1700).bottom(1440).left(1588).right(1588));
    doc = doc
        .add_paragraph(centred("服务认证证书", 44, true))
        .add_paragraph(centred("SERVICE CERTIFICATION CERTIFICATE", 28, true))
        .add_paragraph(para(""))
        .add_paragraph(centred(
            &format!("证书编号 / Certificate No.: {}", cert.number),
            24,
            false,
        ))
        .add_paragraph(para(""));
    let surveillance: Vec<String> = cert.surveillance_due().iter().map(|d| d.to_string()).collect();
    for (label, value) in [
        (both("Certified organisation", "获证组织"), c.client.to_string()),
        (
            both("Unified social credit code", "统一社会信用代码"),
            c.client_code.to_string(),
        ),
        (both("Sites", "认证场所"), c.sites.to_string()),
        (both("Certification standard", "认证依据"), c.standard.to_string()),
        (both("Scope", "认证范围"), cert.scope.clone()),
        (both("Issued", "颁证日期"), cert.issued.to_string()),
        (both("Valid until", "有效期至"), cert.valid_until.to_string()),
        (both("Surveillance due", "监督审核"), surveillance.join("、")),
        (
            both("Status", "证书状态"),
            format!("{} / {}", cert.status.zh(), cert.status.as_str()),
        ),
    ] {
        if !value.trim().is_empty() {
            doc = doc.add_paragraph(labelled(&label, &value));
        }
    }
    doc = doc
        .add_paragraph(para(""))
        .add_paragraph(para(&both(
            "This certificate remains valid subject to satisfactory surveillance; its status can be checked with the certification body and on the CNCA website.",
            "本证书在监督审核合格的前提下保持有效；证书状态可向认证机构及国家认证认可监督管理委员会网站查询。",
        )))
        .add_paragraph(para(""));
    let body = if c.body_name.is_empty() {
        both("Certification body", "认证机构")
    } else {
        c.body_name.to_string()
    };
    doc = doc.add_paragraph(labelled(&both("Certification body", "认证机构"), &body));
    if !c.approval_no.is_empty() {
        doc = doc.add_paragraph(labelled(&both("Approval No.", "批准号"), c.approval_no));
    }
    doc = doc.add_paragraph(labelled(&both("Decided by", "认证决定人员"), c.decided_by));
    doc = doc.add_paragraph(para(&format!(
        "{}：________________",
        both("Signature and seal", "签字盖章")
    )));
    pack(doc, "certificate.docx")
}

/// A nonconformity report for the auditee's signature (both languages): the
/// finding as raised, and the parts the auditee and the auditor fill in.
pub fn nonconformity_docx(
    f: &crate::model::finding::Finding,
    eng: &crate::model::engagement::Engagement,
    raised_by: &str,
) -> Result<Vec<u8>> {
    let mut doc = styles(Docx::new()).page_margin(PageMargin::new().top(1440).bottom(1440).left(1588).right(1588));
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(super::docx::run(&both("Nonconformity report", "不符合项报告")))
            .style("Title")
            .align(AlignmentType::Center),
    );
    let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for (label, value) in [
        (both("Engagement", "审核项目"), format!("{} {}", eng.id, eng.title)),
        (both("Auditee", "受审核方"), eng.auditee.clone()),
        (
            both("Kind of audit", "审核类型"),
            format!("{} / {}", eng.kind.zh(), eng.kind.as_str()),
        ),
        (both("Reference", "编号"), f.reference.clone()),
        (
            both("Grade", "等级"),
            format!("{} / {}", f.grade.zh(), f.grade.as_str()),
        ),
        (both("Title", "标题"), f.title.clone()),
        (both("Indicators", "涉及指标"), f.indicators.join(", ")),
        (both("Criterion", "依据"), f.criterion.clone()),
        (both("Raised by", "提出人"), raised_by.to_string()),
        (both("Issued on", "开具日期"), date(f.issued_on.or(f.raised_on))),
        (both("Response due", "回复期限"), date(f.response_due)),
        (both("Closure due", "关闭期限"), date(f.closure_due)),
    ] {
        doc = doc.add_paragraph(labelled(&label, &value));
    }
    doc = doc
        .add_paragraph(heading(&both("Statement of the nonconformity", "不符合事实描述"), 2))
        .add_paragraph(para(&f.statement));
    if !f.evidence_note.trim().is_empty() {
        doc = doc
            .add_paragraph(heading(&both("Evidence", "客观证据"), 2))
            .add_paragraph(para(&f.evidence_note));
    }
    doc = doc.add_paragraph(para(&format!(
        "{}：________________    {}：__________",
        both("Auditee's representative (acknowledged)", "受审核方代表确认"),
        both("Date", "日期")
    )));
    for (h, filled) in [
        (
            both("Root cause (auditee)", "原因分析（受审核方填写）"),
            f.root_cause.clone(),
        ),
        (
            both("Correction (auditee)", "纠正（受审核方填写）"),
            f.correction.clone(),
        ),
        (
            both(
                "Corrective action and due date (auditee)",
                "纠正措施及完成期限（受审核方填写）",
            ),
            String::new(),
        ),
    ] {
        doc = doc.add_paragraph(heading(&h, 2));
        doc = doc.add_paragraph(para(if filled.trim().is_empty() { "\n\n" } else { &filled }));
    }
    doc = doc
        .add_paragraph(para(&format!(
            "{}：________________    {}：__________",
            both("Auditee's representative", "受审核方代表"),
            both("Date", "日期")
        )))
        .add_paragraph(heading(&both("Verification (auditor)", "验证结论（审核员填写）"), 2))
        .add_paragraph(para("\n\n"))
        .add_paragraph(para(&format!(
            "{}：________________    {}：__________",
            both("Auditor", "审核员"),
            both("Date", "日期")
        )));
    pack(doc, "nonconformity.docx")
}
