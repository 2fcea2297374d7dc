//! `findings.csv`: one row per finding, UTF-8 with a byte-order mark so
//! Excel and WPS open the Chinese text correctly. Cells are text from users:
//! control characters are made visible, and a cell that a spreadsheet would
//! run as a formula (`=`, `+`, `-`, `@` first) starts with `'`.

use super::data::ReportData;
use crate::app::{AppError, Result};
use crate::config::Lang;
use crate::message::Msg;

/// A user's text as a safe spreadsheet cell.
pub fn cell(s: &str) -> String {
    let v = crate::text::visible_lines(s).into_owned();
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v
    }
}

/// A date cell: blank when there is none.
fn date(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The findings of an engagement as CSV bytes (with the BOM).
pub fn findings_csv(r: &ReportData, lang: Lang) -> Result<Vec<u8>> {
    let zh = lang.is_zh();
    let header: [&str; 16] = if zh {
        [
            "编号",
            "等级",
            "状态",
            "标题",
            "指标",
            "事实描述",
            "依据",
            "证据说明",
            "提出人",
            "提出日期",
            "开具日期",
            "回复期限",
            "关闭期限",
            "纠正措施数",
            "未完成措施数",
            "证据文件数",
        ]
    } else {
        [
            "reference",
            "grade",
            "status",
            "title",
            "indicators",
            "statement",
            "criterion",
            "evidence note",
            "raised by",
            "raised on",
            "issued on",
            "response due",
            "closure due",
            "actions",
            "open actions",
            "evidence files",
        ]
    };
    let mut w = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let err = |e: csv::Error| AppError::Invalid(Msg::same(e.to_string()));
    w.write_record(header).map_err(err)?;
    for f in &r.findings {
        let mine: Vec<_> = r.actions_of(&f.reference).collect();
        let open = mine.iter().filter(|a| a.status.is_open()).count();
        w.write_record([
            cell(&f.reference),
            f.grade.label(zh).to_string(),
            f.status.label(zh).to_string(),
            cell(&f.title),
            cell(&f.indicators.join("; ")),
            cell(&f.statement),
            cell(&f.criterion),
            cell(&f.evidence_note),
            cell(&f.raised_by),
            date(f.raised_on),
            date(f.issued_on),
            date(f.response_due),
            date(f.closure_due),
            mine.len().to_string(),
            open.to_string(),
            f.evidence.len().to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| AppError::Invalid(Msg::same(e.to_string())))
}
