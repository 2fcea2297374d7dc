//! `report.html`: the audit report as one print-ready HTML file (styles
//! inline, no scripts, nothing fetched). maud escapes every interpolated
//! string; user text additionally has its control and bidi characters made
//! visible ([`v`]), so nothing a user typed can act as markup or on a reader.

use super::data::{ReportData, date};
use crate::config::Lang;
use maud::{DOCTYPE, Markup, html};

/// A user's text, inert (then escaped by maud when interpolated).
fn v(s: &str) -> String {
    crate::text::visible_lines(s).into_owned()
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;\
max-width:60em;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}\
h1{font-size:1.6em;border-bottom:2px solid #333}h2{margin-top:1.6em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#eee}.num{text-align:right}.grade-major{color:#b00}.grade-minor{color:#c60}\
.finding{page-break-inside:avoid;margin:1em 0;padding:.5em 1em;border-left:4px solid #999}\
.pre{white-space:pre-wrap}code{font-size:.85em}@media print{body{margin:0}a{color:inherit}}";

/// The report of an engagement as HTML.
pub fn report_html(r: &ReportData, lang: Lang) -> String {
    let zh = lang.is_zh();
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let (eng, cat, team, findings, evidence, report) =
        (&r.engagement, &r.catalog, &r.team, &r.findings, &r.evidence, &r.status);
    let title = r.title();
    let groups = r.groups(zh);
    let finding_block = |f: &crate::model::finding::Finding| -> Markup {
        let mine: Vec<_> = r.actions_of(&f.reference).collect();
        let grade_class = format!("grade-{}", f.grade.as_str());
        html! {
            div.finding {
                h3 { (v(&f.reference)) " · " span class=(grade_class) { (f.grade.label(zh)) } " · " (v(&f.title)) }
                p { (t("Status", "状态")) ": " (f.status.label(zh)) " · " (t("Indicators", "指标")) ": "
                    (v(&f.indicators.join(", "))) " · " (t("Raised", "提出")) ": " (date(f.raised_on)) }
                h4 { (t("Statement", "事实描述")) }
                p.pre { (v(&f.statement)) }
                h4 { (t("Criterion", "依据")) }
                p.pre { (v(&f.criterion)) }
                @if !f.evidence.is_empty() || !f.evidence_note.is_empty() {
                    h4 { (t("Evidence", "证据")) }
                    p.pre { (v(&f.evidence_note)) }
                    ul {
                        @for sha in &f.evidence {
                            li { (v(r.evidence_name(sha))) " " code { "sha256:" (sha) } }
                        }
                    }
                }
                @if !f.root_cause.is_empty() || !f.correction.is_empty() {
                    h4 { (t("Auditee's response", "受审核方回复")) }
                    p.pre { (t("Root cause", "根本原因")) ": " (v(&f.root_cause)) }
                    p.pre { (t("Correction", "纠正")) ": " (v(&f.correction)) }
                }
                @if !mine.is_empty() {
                    table {
                        tr { th { (t("Action", "措施")) } th { (t("Description", "内容")) } th { (t("Owner", "负责人")) }
                             th { (t("Due", "期限")) } th { (t("Status", "状态")) } th { (t("Verification", "验证")) } }
                        @for a in &mine {
                            tr {
                                td { (v(&a.id)) } td.pre { (v(&a.description)) } td { (v(&a.owner)) } td { (date(a.due)) }
                                td { (a.status.label(zh)) }
                                td { @if let Some(ver) = &a.verification {
                                    (if ver.effective { t("effective", "有效") } else { t("not effective", "无效") })
                                    " " (v(&ver.by)) " " (ver.on.to_string()) " " (v(&ver.note)) } }
                            }
                        }
                    }
                }
            }
        }
    };
    let page = html! {
        (DOCTYPE)
        html lang=(if zh { "zh-CN" } else { "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("Audit report", "审核报告")) " — " (v(title)) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                h1 { (t("Audit report", "审核报告")) " — " (v(title)) }
                table {
                    tr { th { (t("Engagement", "审核项目")) } td { (v(&eng.id)) } }
                    tr { th { (t("Auditee", "受审核方")) } td { (v(&eng.auditee)) } }
                    tr { th { (t("Site", "地点")) } td { (v(&eng.site)) } }
                    tr { th { (t("Kind", "类型")) } td { (eng.kind.label(zh)) } }
                    tr { th { (t("Evaluation period", "评价期间")) } td { (date(eng.period_start)) " – " (date(eng.period_end)) } }
                    tr { th { (t("Catalogue", "指标目录")) } td { (v(&cat.id)) " " (v(&cat.version))
                        @if cat.provisional { " " strong { (t("(provisional catalogue)", "（暂定目录）")) } } } }
                }
                h2 { (t("Team", "审核组")) }
                ul {
                    @for m in team {
                        li { (v(&m.name)) " (" (v(&m.actor)) ") — " (m.role.label(zh))
                            @if let Some(c) = &m.certificate_no { ", " (t("certificate", "证书")) " " (v(c)) } }
                    }
                }
                h2 { (t("Results", "评价结果")) }
                table {
                    tr { th { (t("Group", "分组")) } th.num { (t("Assessed", "已评估")) } th.num { (t("Score", "得分")) } }
                    @for (name, g) in &groups {
                        tr { td { (v(name)) } td.num { (g.assessed) "/" (g.applicable) }
                             td.num { (g.score.map_or("—".into(), |s| format!("{s:.1}"))) } }
                    }
                }
                @if let Some(line) = r.points_line(zh) { p.score { (line) } }
                @if let Some((head, rows)) = r.comparison_table(zh) {
                    h2 { (t("Comparison with the previous audit", "与上次审核的比较")) }
                    @if rows.is_empty() { p { (t("No indicator has an earlier result.", "没有指标有以往结果。")) } }
                    @else {
                        table {
                            tr { @for h in &head { th { (h) } } }
                            @for row in &rows { tr { @for c in row { td { (v(c)) } } } }
                        }
                    }
                    @let carried = r.carried_lines(zh);
                    @if !carried.is_empty() {
                        h3 { (t("Findings carried from earlier audits", "延续自以往审核的发现项")) }
                        ul {
                            @for [reference, grade, status, title, from] in &carried {
                                li { (v(reference)) " · " (grade) " · " (status) " · " (v(title))
                                    " (" (t("raised in", "提出于")) " " (v(from)) ")" }
                            }
                        }
                    }
                }
                h2 { (t("Findings", "发现项")) }
                @if findings.is_empty() { p { (t("No findings.", "无发现项。")) } }
                @for f in findings { (finding_block(f)) }
                h2 { (t("Remediation", "整改情况")) }
                ul {
                    li { (t("Corrective actions", "纠正措施")) ": " (report.actions_total) }
                    li { (t("Overdue", "逾期")) ": " (report.overdue.len()) }
                    li { (t("Awaiting verification", "待验证")) ": " (report.awaiting_verification.len()) }
                    li { (t("Verified effective", "验证有效")) ": " (report.verified) }
                }
                @if !evidence.is_empty() {
                    h2 { (t("Evidence files", "证据文件")) }
                    table {
                        tr { th { (t("Name", "名称")) } th { "sha256" } th.num { (t("Bytes", "字节")) } th { (t("Captured by", "采集人")) } th { (t("Note", "说明")) } }
                        @for e in evidence {
                            tr { td { (v(&e.name)) } td { code { (e.sha256) } } td.num { (e.size) } td { (v(&e.captured_by)) } td.pre { (v(&e.note)) } }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}
