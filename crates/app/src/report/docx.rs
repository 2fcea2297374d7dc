//! `report.docx`: the audit report in Word, for a lead to edit and sign.
//! Chinese certification bodies write and file their reports in Word.
//!
//! Every run names its East-Asian font (`w:eastAsia`), or Word falls back to
//! a Latin font for Chinese text. Every text that came from a user or a file
//! goes through [`crate::text::visible_lines`] first: XML 1.0 cannot carry
//! most control characters at all, and the reader should see them anyway.

use super::data::{ReportData, date};
use crate::app::{AppError, Result};
use crate::config::Lang;
use crate::model::assessment::AssessmentResult;
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, PageMargin, PageNum, Paragraph, RunFonts, Shading, Style,
    StyleType, Table, TableCell, TableRow, WidthType,
};

/// Findings detailed in the Word report (see where it is used).
pub const DETAILED: usize = 1000;

const BODY_CJK: &str = "宋体";
const HEAD_CJK: &str = "黑体";
const LATIN: &str = "Times New Roman";

fn fonts(cjk: &str) -> RunFonts {
    RunFonts::new().ascii(LATIN).hi_ansi(LATIN).cs(LATIN).east_asia(cjk)
}

/// A run of text: control characters visible, line breaks kept.
pub(crate) fn run(s: &str) -> docx_rs::Run {
    let v = crate::text::visible_lines(s);
    let mut r = docx_rs::Run::new().fonts(fonts(BODY_CJK));
    for (i, line) in v.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line.trim_end_matches('\r'));
    }
    r
}

pub(crate) fn para(s: &str) -> Paragraph {
    Paragraph::new().add_run(run(s)).style("Normal")
}

/// "Label: value" with the label in bold (a full-width colon in Chinese).
pub(crate) fn labelled(label: &str, value: &str) -> Paragraph {
    let colon = if label.is_ascii() { ": " } else { "：" };
    Paragraph::new()
        .add_run(run(&format!("{label}{colon}")).bold())
        .add_run(run(value))
}

pub(crate) fn heading(s: &str, level: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(s).fonts(fonts(HEAD_CJK)))
        .style(&format!("Heading{level}"))
}

fn cell(s: &str) -> TableCell {
    TableCell::new().add_paragraph(para(s))
}

/// The text column's width in twips (A4 less the margins below).
const TEXT_WIDTH: usize = 11906 - 2 * 1588;

/// [`table`] with columns in these proportions.
pub(crate) fn table_w(header: &[&str], rows: Vec<Vec<String>>, parts: &[usize]) -> Table {
    let sum: usize = parts.iter().sum();
    let grid: Vec<usize> = parts.iter().map(|p| TEXT_WIDTH * p / sum).collect();
    let mut t = table(header, rows).set_grid(grid.clone());
    for row in &mut t.rows {
        let docx_rs::TableChild::TableRow(row) = row;
        for (cell, w) in row.cells.iter_mut().zip(&grid) {
            let docx_rs::TableRowChild::TableCell(c) = cell;
            *c = c.clone().width(*w, WidthType::Dxa);
        }
    }
    t.layout(docx_rs::TableLayoutType::Fixed)
}

/// A table with a shaded, bold header row, as wide as the text column.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let head = TableRow::new(
        header
            .iter()
            .map(|h| {
                TableCell::new()
                    .add_paragraph(Paragraph::new().add_run(run(h).bold()))
                    .shading(Shading::new().fill("E7E6E6"))
            })
            .collect(),
    );
    let mut rows: Vec<TableRow> = rows
        .into_iter()
        .map(|r| TableRow::new(r.iter().map(|c| cell(c)).collect()))
        .collect();
    rows.insert(0, head);
    // Word needs the column grid (`w:tblGrid`): equal columns unless set.
    let n = header.len().max(1);
    Table::new(rows)
        .set_grid(vec![TEXT_WIDTH / n; n])
        .width(5000, WidthType::Pct)
}

pub(crate) fn styles(doc: Docx) -> Docx {
    let head = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .bold()
            .size(size)
            .fonts(fonts(HEAD_CJK))
            .outline_lvl(level)
    };
    doc.default_fonts(fonts(BODY_CJK))
        .default_size(21) // 五号 (10.5 pt), in half points
        .add_style(
            Style::new("Normal", StyleType::Paragraph)
                .name("Normal")
                .fonts(fonts(BODY_CJK)),
        )
        .add_style(head("Heading1", "heading 1", 32, 0))
        .add_style(head("Heading2", "heading 2", 28, 1))
        .add_style(head("Heading3", "heading 3", 24, 2))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .bold()
                .size(44)
                .fonts(fonts(HEAD_CJK))
                .align(AlignmentType::Center),
        )
}

/// The audit report of an engagement as a Word document.
pub fn report_docx(r: &ReportData, lang: Lang) -> Result<Vec<u8>> {
    let zh = lang.is_zh();
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let eng = &r.engagement;
    let title = format!("{} — {}", t("Audit report", "审核报告"), r.title());

    let header = Header::new().add_paragraph(
        Paragraph::new()
            .add_run(run(&format!("{} · {}", title, eng.id)).size(18))
            .align(AlignmentType::Right),
    );
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run(t("Page ", "第 ")).size(18))
            .add_page_num(PageNum::new())
            .add_run(run(t("", " 页")).size(18))
            .align(AlignmentType::Center),
    );
    let mut doc = styles(Docx::new())
        .header(header)
        .footer(footer)
        .page_margin(PageMargin::new().top(1440).bottom(1440).left(1588).right(1588));

    doc = cover(doc, r, zh, &title);
    doc = scope_and_method(doc, r, zh);
    doc = results(doc, r, zh)?;
    doc = findings(doc, r, zh);
    doc = remediation_evidence_signatures(doc, r, zh);

    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Invalid(crate::message::Msg::same(format!("report.docx: {e}"))))?;
    Ok(out.into_inner())
}

/// The cover: title, the engagement, the catalogue, the team.
fn cover(mut doc: Docx, r: &ReportData, zh: bool, title: &str) -> Docx {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let (eng, cat) = (&r.engagement, &r.catalog);
    // Cover.
    doc = doc
        .add_paragraph(Paragraph::new().add_run(run(title)).style("Title"))
        .add_paragraph(para(""));
    // The provisional mark, unless the catalogue's title says it already.
    let provisional = if cat.provisional && !cat.title(zh).contains(t("provisional", "暂定")) {
        t(" (provisional catalogue)", "（暂定目录）")
    } else {
        ""
    };
    let cover = vec![
        (t("Engagement", "审核项目"), eng.id.clone()),
        (t("Auditee", "受审核方"), eng.auditee.clone()),
        (t("Site", "地点"), eng.site.clone()),
        (t("Kind", "类型"), eng.kind.label(zh).to_string()),
        (
            t("Evaluation period", "评价期间"),
            format!("{} – {}", date(eng.period_start), date(eng.period_end)),
        ),
        (
            t("Catalogue", "指标目录"),
            format!("{} ({} {}){provisional}", cat.title(zh), cat.id, cat.version),
        ),
        (t("Report date", "报告日期"), r.today.to_string()),
    ];
    doc = doc.add_table(table_w(
        &[t("Item", "项目"), t("Value", "内容")],
        cover.into_iter().map(|(k, v)| vec![k.to_string(), v]).collect(),
        &[1, 3],
    ));
    doc = doc
        .add_paragraph(heading(t("Audit team", "审核组"), 2))
        .add_table(table_w(
            &[
                t("Name", "姓名"),
                t("Id", "标识"),
                t("Role", "角色"),
                t("Auditor certificate", "审核员证书"),
            ],
            r.team
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        m.actor.clone(),
                        m.role.label(zh).to_string(),
                        m.certificate_no.clone().unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            &[2, 2, 2, 3],
        ));

    doc
}

/// Scope and method.
fn scope_and_method(mut doc: Docx, r: &ReportData, zh: bool) -> Docx {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let (eng, cat) = (&r.engagement, &r.catalog);
    // Scope and method.
    doc = doc
        .add_paragraph(heading(t("1 Scope and method", "一、范围与方法"), 1).page_break_before(true))
        .add_paragraph(para(&if zh {
            format!(
                "依据 {}（{} {}）的 {} 项指标，对 {}（{}）{} 至 {} 期间的服务进行评价；方法包括文件审查、现场观察、人员访谈、话务记录分析与抽样。",
                cat.title(true),
                cat.id,
                cat.version,
                cat.indicators.len(),
                eng.auditee,
                eng.site,
                date(eng.period_start),
                date(eng.period_end)
            )
        } else {
            format!(
                "The service of {} ({}) from {} to {} was evaluated against the {} indicators of {} ({} {}), by document review, observation on site, interviews, analysis of call records and sampling.",
                eng.auditee,
                eng.site,
                date(eng.period_start),
                date(eng.period_end),
                cat.indicators.len(),
                cat.title(false),
                cat.id,
                cat.version
            )
        }));
    if let Some(std) = &cat.standard {
        doc = doc.add_paragraph(labelled(t("Standard", "标准"), std));
    }

    doc
}

/// Results per group, then per indicator, and the checklist.
fn results(mut doc: Docx, r: &ReportData, zh: bool) -> Result<Docx> {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let cat = &r.catalog;
    // Results per group, then per indicator.
    doc = doc
        .add_paragraph(heading(t("2 Results", "二、评价结果"), 1))
        .add_table(table(
            &[t("Group", "分组"), t("Assessed", "已评估"), t("Score", "得分")],
            r.groups(zh)
                .into_iter()
                .map(|(name, g)| {
                    vec![
                        name,
                        format!("{}/{}", g.assessed, g.applicable),
                        g.score.map_or("—".into(), |s| format!("{s:.1}")),
                    ]
                })
                .collect(),
        ));
    if let Some(line) = r.points_line(zh) {
        doc = doc.add_paragraph(para(&line));
    }
    if let Some((head, rows)) = r.comparison_table(zh) {
        doc = doc.add_paragraph(heading(t("Comparison with the previous audit", "与上次审核的比较"), 2));
        if rows.is_empty() {
            doc = doc.add_paragraph(para(t("No indicator has an earlier result.", "没有指标有以往结果。")));
        } else {
            doc = doc.add_table(table_w(&head, rows, &[2, 5, 5, 4, 2]));
        }
        for [reference, grade, status, title, from] in r.carried_lines(zh) {
            doc = doc.add_paragraph(para(&format!(
                "{} {reference} · {grade} · {status} · {title} ({} {from})",
                t("Carried:", "延续："),
                t("raised in", "提出于")
            )));
        }
    }
    doc = doc.add_paragraph(heading(t("Checklist", "检查表"), 2));
    let rows = r
        .assessments
        .iter()
        .filter_map(|a| {
            let ind = cat.indicator(&a.indicator)?;
            let measured = a.measured.map(|v| ind.unit.format(v, zh)).unwrap_or_else(|| "—".into());
            Some(vec![
                ind.id.clone(),
                ind.name(zh).to_string(),
                a.result.label(zh).to_string(),
                measured,
                ind.target_text(zh).unwrap_or_else(|| "—".into()),
            ])
        })
        .collect();
    doc = doc.add_table(table_w(
        &[
            t("Indicator", "指标"),
            t("Name", "名称"),
            t("Result", "结果"),
            t("Measured", "实测值"),
            t("Target", "目标"),
        ],
        rows,
        &[2, 5, 2, 2, 2],
    ));
    let unassessed = r
        .assessments
        .iter()
        .filter(|a| a.result == AssessmentResult::NotAssessed)
        .count();
    if unassessed > 0 {
        doc = doc.add_paragraph(para(&if zh {
            format!("尚有 {unassessed} 项指标未评估。")
        } else {
            format!("{unassessed} indicators are not assessed yet.")
        }));
    }

    Ok(doc)
}

/// The findings, majors first (past DETAILED, counted).
fn findings(mut doc: Docx, r: &ReportData, zh: bool) -> Docx {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    // Findings.
    doc = doc.add_paragraph(heading(t("3 Findings", "三、发现项"), 1));
    if r.findings.is_empty() {
        doc = doc.add_paragraph(para(t("No findings.", "无发现项。")));
    }
    // By grade (majors first), then reference; a document for people, so
    // past DETAILED findings the rest are counted, not printed (100,000
    // findings would be 30,000 pages Word cannot open; the workbook and the
    // CSV of the same bundle hold every one).
    let mut order: Vec<&crate::model::finding::Finding> = r.findings.iter().collect();
    order.sort_by_key(|f| (f.grade, f.reference.as_str()));
    let more = order.len().saturating_sub(DETAILED);
    if more > 0 {
        doc = doc.add_paragraph(para(&if zh {
            format!(
                "共 {} 项发现，以下详列按等级排序的前 {DETAILED} 项；其余 {more} 项见同一数据包中的 findings.xlsx 与 findings.csv。",
                order.len()
            )
        } else {
            format!(
                "{} findings; the first {DETAILED} by grade are detailed below, the other {more} are in findings.xlsx and findings.csv of the same bundle.",
                order.len()
            )
        }));
    }
    for f in order.into_iter().take(DETAILED) {
        doc = doc
            .add_paragraph(heading(
                &format!("{} · {} · {}", f.reference, f.grade.label(zh), f.title),
                2,
            ))
            .add_paragraph(labelled(t("Status", "状态"), f.status.label(zh)))
            .add_paragraph(labelled(t("Indicators", "指标"), &f.indicators.join(", ")))
            .add_paragraph(labelled(
                t("Raised", "提出"),
                &format!("{} {}", date(f.raised_on), f.raised_by),
            ))
            .add_paragraph(labelled(t("Statement", "事实描述"), &f.statement))
            .add_paragraph(labelled(t("Criterion", "依据"), &f.criterion));
        if !f.evidence.is_empty() || !f.evidence_note.is_empty() {
            doc = doc.add_paragraph(labelled(t("Evidence", "证据"), &f.evidence_note));
            for sha in &f.evidence {
                doc = doc.add_paragraph(para(&format!("• {}  sha256:{sha}", r.evidence_name(sha))));
            }
        }
        if !f.root_cause.is_empty() || !f.correction.is_empty() {
            doc = doc
                .add_paragraph(labelled(
                    t("Root cause (auditee)", "根本原因（受审核方）"),
                    &f.root_cause,
                ))
                .add_paragraph(labelled(t("Correction (auditee)", "纠正（受审核方）"), &f.correction));
        }
        let rows: Vec<Vec<String>> = r
            .actions_of(&f.reference)
            .map(|a| {
                let v = a
                    .verification
                    .as_ref()
                    .map(|v| {
                        format!(
                            "{} · {} · {} {}",
                            if v.effective {
                                t("effective", "有效")
                            } else {
                                t("not effective", "无效")
                            },
                            v.by,
                            v.on,
                            v.note
                        )
                    })
                    .unwrap_or_else(|| "—".into());
                vec![
                    a.id.clone(),
                    a.description.clone(),
                    a.owner.clone(),
                    date(a.due),
                    a.status.label(zh).to_string(),
                    v,
                ]
            })
            .collect();
        if !rows.is_empty() {
            doc = doc.add_table(table_w(
                &[
                    t("Action", "措施"),
                    t("Description", "内容"),
                    t("Owner", "负责人"),
                    t("Due", "期限"),
                    t("Status", "状态"),
                    t("Verification", "验证"),
                ],
                rows,
                &[2, 5, 2, 2, 2, 4],
            ));
        }
    }

    doc
}

/// Remediation summary, evidence, signatures.
fn remediation_evidence_signatures(mut doc: Docx, r: &ReportData, zh: bool) -> Docx {
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let report = &r.status;
    // Remediation summary, evidence, signatures.
    doc = doc
        .add_paragraph(heading(t("4 Remediation", "四、整改情况"), 1))
        .add_table(table(
            &[t("Item", "项目"), t("Count", "数量")],
            vec![
                vec![
                    t("Corrective actions", "纠正措施").into(),
                    report.actions_total.to_string(),
                ],
                vec![t("Overdue", "逾期").into(), report.overdue.len().to_string()],
                vec![
                    t("Due within 7 days", "7 天内到期").into(),
                    report.due_7.len().to_string(),
                ],
                vec![
                    t("Due within 30 days", "30 天内到期").into(),
                    report.due_30.len().to_string(),
                ],
                vec![
                    t("Awaiting verification", "待验证").into(),
                    report.awaiting_verification.len().to_string(),
                ],
                vec![t("Verified effective", "验证有效").into(), report.verified.to_string()],
            ],
        ));
    if !report.by_owner.is_empty() {
        doc = doc
            .add_paragraph(heading(t("By owner", "按负责人"), 2))
            .add_table(table(
                &[
                    t("Owner", "负责人"),
                    t("Open", "未完成"),
                    t("Overdue", "逾期"),
                    t("Due in 7 days", "7 天内到期"),
                    t("Awaiting verification", "待验证"),
                    t("Verified", "已验证"),
                ],
                report
                    .by_owner
                    .iter()
                    .map(|o| {
                        vec![
                            o.owner.clone(),
                            o.open.to_string(),
                            o.overdue.to_string(),
                            o.due_7.to_string(),
                            o.awaiting_verification.to_string(),
                            o.verified.to_string(),
                        ]
                    })
                    .collect(),
            ));
    }
    if !r.evidence.is_empty() {
        doc = doc
            .add_paragraph(heading(t("5 Evidence files", "五、证据文件"), 1))
            .add_table(table_w(
                &[
                    t("Name", "名称"),
                    "SHA-256",
                    t("Bytes", "字节"),
                    t("Captured by", "采集人"),
                ],
                r.evidence
                    .iter()
                    .map(|e| {
                        vec![
                            e.name.clone(),
                            e.sha256.clone(),
                            e.size.to_string(),
                            e.captured_by.clone(),
                        ]
                    })
                    .collect(),
                &[3, 7, 1, 2],
            ));
    }
    doc = doc.add_paragraph(para("")).add_paragraph(para(t(
        "Lead auditor: ____________________    Date: ____________",
        "审核组长（签字）：____________________    日期：____________",
    )));

    doc
}
