//! `report.md`: the audit report as Markdown, in the user's language. Every
//! text that came from a user or a file is escaped ([`md`]): it reads as
//! text in any renderer (no links, images, HTML or headings of its own), and
//! control characters are shown, never live.

use super::data::{ReportData, date};
use crate::config::Lang;
use std::fmt::Write;

/// A user's text as Markdown text: markup characters escaped, control and
/// bidi characters visible, lines kept (as hard breaks).
pub fn md(s: &str) -> String {
    let v = crate::text::visible_lines(s);
    let mut out = String::with_capacity(v.len() + 8);
    for (i, line) in v.split('\n').enumerate() {
        if i > 0 {
            out.push_str("  \n");
        }
        let line = line.trim_end_matches('\r');
        // A line that would start a list, quote or numbered item.
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        // (`1. ` and `- ` start lists only with a space after; a line of `=`
        // or `-` alone underlines a heading.)
        let rest = |n: usize| line[n..].chars().next();
        let escape_at =
            if digits > 0 && matches!(rest(digits), Some('.' | ')')) && matches!(rest(digits + 1), None | Some(' ')) {
                Some(digits)
            } else if (line.starts_with(['-', '+']) && matches!(rest(1), None | Some(' ')))
                || (!line.is_empty() && (line.chars().all(|c| c == '=') || line.chars().all(|c| c == '-')))
            {
                Some(0)
            } else {
                None
            };
        for (j, c) in line.chars().enumerate() {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '&'
            ) || escape_at == Some(j)
            {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A table cell: [`md`] on one line.
fn cell(s: &str) -> String {
    md(&s.replace(['\n', '\r'], " "))
}

/// The report of an engagement as Markdown.
pub fn report_md(r: &ReportData, lang: Lang) -> String {
    let zh = lang.is_zh();
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let (eng, cat, team, findings, evidence, report) =
        (&r.engagement, &r.catalog, &r.team, &r.findings, &r.evidence, &r.status);
    let mut o = String::new();
    let title = r.title();
    let _ = writeln!(o, "# {} — {}\n", t("Audit report", "审核报告"), cell(title));
    let _ = writeln!(o, "| | |\n| --- | --- |");
    let _ = writeln!(o, "| {} | {} |", t("Engagement", "审核项目"), cell(&eng.id));
    let _ = writeln!(o, "| {} | {} |", t("Auditee", "受审核方"), cell(&eng.auditee));
    let _ = writeln!(o, "| {} | {} |", t("Site", "地点"), cell(&eng.site));
    let _ = writeln!(o, "| {} | {} |", t("Kind", "类型"), eng.kind.label(zh));
    let _ = writeln!(
        o,
        "| {} | {} – {} |",
        t("Evaluation period", "评价期间"),
        date(eng.period_start),
        date(eng.period_end)
    );
    let provisional = if cat.provisional {
        t(" (provisional catalogue)", "（暂定目录）")
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "| {} | {} {}{} |",
        t("Catalogue", "指标目录"),
        cell(&cat.id),
        cell(&cat.version),
        provisional
    );
    let _ = writeln!(o, "\n## {}\n", t("Team", "审核组"));
    for m in team {
        let _ = writeln!(
            o,
            "- {} ({}) — {}{}",
            cell(&m.name),
            cell(&m.actor),
            m.role.label(zh),
            m.certificate_no
                .as_deref()
                .map(|c| format!(", {} {}", t("certificate", "证书"), cell(c)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(o, "\n## {}\n", t("Results", "评价结果"));
    let _ = writeln!(
        o,
        "| {} | {} | {} |\n| --- | ---: | ---: |",
        t("Group", "分组"),
        t("Assessed", "已评估"),
        t("Score", "得分")
    );
    for (name, g) in r.groups(zh) {
        let _ = writeln!(
            o,
            "| {} | {}/{} | {} |",
            cell(&name),
            g.assessed,
            g.applicable,
            g.score.map_or("—".into(), |s| format!("{s:.1}"))
        );
    }
    if let Some(line) = r.points_line(zh) {
        let _ = writeln!(o, "\n{}", cell(&line));
    }
    if let Some((head, rows)) = r.comparison_table(zh) {
        let _ = writeln!(
            o,
            "\n## {}\n",
            t("Comparison with the previous audit", "与上次审核的比较")
        );
        if rows.is_empty() {
            let _ = writeln!(
                o,
                "{}",
                t("No indicator has an earlier result.", "没有指标有以往结果。")
            );
        } else {
            let _ = writeln!(o, "| {} |\n|{}", head.join(" | "), " --- |".repeat(head.len()));
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                let _ = writeln!(o, "| {} |", cells.join(" | "));
            }
        }
        let carried = r.carried_lines(zh);
        if !carried.is_empty() {
            let _ = writeln!(
                o,
                "\n**{}**\n",
                t("Findings carried from earlier audits", "延续自以往审核的发现项")
            );
            for [reference, grade, status, title, from] in carried {
                let _ = writeln!(
                    o,
                    "- {} · {grade} · {status} · {} ({} {})",
                    cell(&reference),
                    cell(&title),
                    t("raised in", "提出于"),
                    cell(&from)
                );
            }
        }
    }
    let _ = writeln!(o, "\n## {}\n", t("Findings", "发现项"));
    if findings.is_empty() {
        let _ = writeln!(o, "{}", t("No findings.", "无发现项。"));
    }
    for f in findings {
        let _ = writeln!(
            o,
            "### {} · {} · {}\n",
            cell(&f.reference),
            f.grade.label(zh),
            cell(&f.title)
        );
        let _ = writeln!(o, "- {}: {}", t("Status", "状态"), f.status.label(zh));
        let _ = writeln!(o, "- {}: {}", t("Indicators", "指标"), cell(&f.indicators.join(", ")));
        let _ = writeln!(o, "- {}: {}", t("Raised", "提出"), date(f.raised_on));
        let _ = writeln!(o, "\n**{}**  \n{}\n", t("Statement", "事实描述"), md(&f.statement));
        let _ = writeln!(o, "**{}**  \n{}\n", t("Criterion", "依据"), md(&f.criterion));
        if !f.evidence.is_empty() || !f.evidence_note.is_empty() {
            let _ = writeln!(o, "**{}**  \n{}\n", t("Evidence", "证据"), md(&f.evidence_note));
            for sha in &f.evidence {
                let _ = writeln!(o, "- {} `sha256:{}`", cell(r.evidence_name(sha)), sha);
            }
            let _ = writeln!(o);
        }
        if !f.root_cause.is_empty() || !f.correction.is_empty() {
            let _ = writeln!(
                o,
                "**{}**  \n{}: {}  \n{}: {}\n",
                t("Auditee's response", "受审核方回复"),
                t("Root cause", "根本原因"),
                md(&f.root_cause),
                t("Correction", "纠正"),
                md(&f.correction)
            );
        }
        let mine: Vec<_> = r.actions_of(&f.reference).collect();
        if !mine.is_empty() {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |\n| --- | --- | --- | --- | --- | --- |",
                t("Action", "措施"),
                t("Description", "内容"),
                t("Owner", "负责人"),
                t("Due", "期限"),
                t("Status", "状态"),
                t("Verification", "验证")
            );
            for a in mine {
                let v = a
                    .verification
                    .as_ref()
                    .map(|v| {
                        format!(
                            "{} {} {} {}",
                            if v.effective {
                                t("effective", "有效")
                            } else {
                                t("not effective", "无效")
                            },
                            cell(&v.by),
                            v.on,
                            cell(&v.note)
                        )
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} | {} |",
                    cell(&a.id),
                    cell(&a.description),
                    cell(&a.owner),
                    date(a.due),
                    a.status.label(zh),
                    v
                );
            }
            let _ = writeln!(o);
        }
    }
    let _ = writeln!(o, "## {}\n", t("Remediation", "整改情况"));
    let _ = writeln!(
        o,
        "- {}: {}\n- {}: {}\n- {}: {}\n- {}: {}",
        t("Corrective actions", "纠正措施"),
        report.actions_total,
        t("Overdue", "逾期"),
        report.overdue.len(),
        t("Awaiting verification", "待验证"),
        report.awaiting_verification.len(),
        t("Verified effective", "验证有效"),
        report.verified
    );
    if !evidence.is_empty() {
        let _ = writeln!(
            o,
            "\n## {}\n\n| {} | sha256 | {} | {} | {} |\n| --- | --- | ---: | --- | --- |",
            t("Evidence files", "证据文件"),
            t("Name", "名称"),
            t("Bytes", "字节"),
            t("Captured by", "采集人"),
            t("Note", "说明")
        );
        for e in evidence {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} | {} |",
                cell(&e.name),
                e.sha256,
                e.size,
                cell(&e.captured_by),
                cell(&e.note)
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn user_text_cannot_make_markup() {
        assert_eq!(md("<script>alert(1)</script>"), "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(md("[点我](http://x)"), "\\[点我\\](http://x)");
        assert_eq!(md("# 标题"), "\\# 标题");
        assert_eq!(md("- 列表"), "\\- 列表");
        assert_eq!(md("1. 编号"), "1\\. 编号");
        assert!(!md("红\u{1b}[31m色").contains('\u{1b}'));
        assert_eq!(md("第一行\n第二行"), "第一行  \n第二行");
        assert_eq!(md("2026-12-31 到期"), "2026-12-31 到期");
        assert_eq!(md("0.1.0"), "0.1.0");
        assert_eq!(md("==="), "\\===");
    }
}
