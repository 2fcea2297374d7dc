//! `findings.xlsx`: sheets for the checklist, the findings and the corrective
//! actions, each with a frozen header row and filters, dates as dates,
//! overdue rows highlighted, and columns wide enough for Chinese text
//! (widths measured in terminal cells: a CJK character counts two).

use super::data::ReportData;
use crate::app::{AppError, Result};
use crate::config::Lang;
use crate::message::Msg;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

pub(crate) fn err(e: XlsxError) -> AppError {
    AppError::Invalid(Msg::same(format!("xlsx: {e}")))
}

/// Text from a user: control characters visible, formulas not run (strings
/// are written as strings, never as formulas).
pub(crate) fn text(s: &str) -> String {
    crate::text::visible_lines(s).into_owned()
}

/// Excel holds at most 32,767 characters in a cell: a longer text is cut
/// with a visible mark saying where the whole of it is.
pub(crate) const CELL_MAX: usize = 32_767;

fn fit_cell(s: String) -> String {
    // Bytes are never fewer than characters: most cells need no count.
    if s.len() <= CELL_MAX {
        return s;
    }
    let n = s.chars().count();
    if n <= CELL_MAX {
        return s;
    }
    let mark = format!(
        " … [cut: {n} characters, Excel holds {CELL_MAX} per cell; the whole text is in the Markdown, HTML and Word reports and findings.json / 已截断：共 {n} 字符，Excel 单元格上限 {CELL_MAX}；全文见 Markdown、HTML、Word 报告及 findings.json]"
    );
    let keep = CELL_MAX - mark.chars().count();
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(&mark);
    out
}

/// Fill a sheet: header, rows (None = empty cell), frozen header, filter,
/// widths fitted to the content (capped).
pub(crate) struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    row: u32,
}

pub(crate) enum Cell {
    Text(String),
    Number(f64),
    Date(Option<jiff::civil::Date>),
}

impl<'a> Sheet<'a> {
    pub(crate) fn new(ws: &'a mut Worksheet, name: &str, header: &[&str], bold: &Format) -> Result<Sheet<'a>> {
        ws.set_name(name).map_err(err)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, bold).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        let widths = header
            .iter()
            .map(|h| unicode_width::UnicodeWidthStr::width(*h))
            .collect();
        Ok(Sheet { ws, widths, row: 1 })
    }

    /// One row; `overdue` rows are shaded red.
    pub(crate) fn push(&mut self, cells: Vec<Cell>, date_fmt: &Format, overdue: bool) -> Result<()> {
        let highlight = overdue.then_some(());
        for (c, cell) in cells.into_iter().enumerate() {
            let col = c as u16;
            let fmt_for = |base: &Format| match highlight {
                Some(()) => base
                    .clone()
                    .set_background_color(Color::RGB(0xFFE0E0))
                    .set_font_color(Color::RGB(0x990000)),
                None => base.clone(),
            };
            match cell {
                Cell::Text(s) => {
                    let s = fit_cell(s);
                    let w = s.lines().map(unicode_width::UnicodeWidthStr::width).max().unwrap_or(0);
                    self.widths[c] = self.widths[c].max(w);
                    match highlight {
                        Some(_) => self
                            .ws
                            .write_string_with_format(self.row, col, &s, &fmt_for(&Format::new())),
                        None => self.ws.write_string(self.row, col, &s),
                    }
                    .map_err(err)?;
                }
                Cell::Number(n) => {
                    self.widths[c] = self.widths[c].max(6);
                    match highlight {
                        Some(_) => self
                            .ws
                            .write_number_with_format(self.row, col, n, &fmt_for(&Format::new())),
                        None => self.ws.write_number(self.row, col, n),
                    }
                    .map_err(err)?;
                }
                Cell::Date(Some(d)) => {
                    self.widths[c] = self.widths[c].max(10);
                    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(err)?;
                    self.ws
                        .write_date_with_format(self.row, col, &x, &fmt_for(date_fmt))
                        .map_err(err)?;
                }
                Cell::Date(None) => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<()> {
        let last_col = self.widths.len().saturating_sub(1) as u16;
        self.ws
            .autofilter(0, 0, self.row.saturating_sub(1).max(1), last_col)
            .map_err(err)?;
        for (c, w) in self.widths.iter().enumerate() {
            self.ws
                .set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The workbook of an engagement as bytes.
pub fn findings_xlsx(r: &ReportData, lang: Lang) -> Result<Vec<u8>> {
    let zh = lang.is_zh();
    let t = |en: &'static str, z: &'static str| if zh { z } else { en };
    let (cat, assessments, findings, actions, today) = (&r.catalog, &r.assessments, &r.findings, &r.actions, r.today);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xEEEEEE));
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");

    let mut s = Sheet::new(
        wb.add_worksheet(),
        t("Checklist", "检查表"),
        &[
            t("Indicator", "指标"),
            t("Name", "名称"),
            t("Result", "结论"),
            t("Measured", "实测值"),
            t("Target", "目标"),
            t("Assignee", "负责人"),
            t("Notes", "备注"),
        ],
        &bold,
    )?;
    for a in assessments {
        let ind = cat.indicator(&a.indicator);
        s.push(
            vec![
                Cell::Text(a.indicator.clone()),
                Cell::Text(ind.map(|i| i.name(zh).to_string()).unwrap_or_default()),
                Cell::Text(a.result.label(zh).to_string()),
                // A yes/no as 是/否 (or yes/no), a value to two decimals.
                match (a.measured, ind.map(|i| i.unit)) {
                    (None, _) => Cell::Text(String::new()),
                    (Some(v), Some(crate::model::catalog::Unit::YesNo)) => {
                        Cell::Text(crate::model::catalog::Unit::YesNo.format(v, zh))
                    }
                    (Some(v), _) => Cell::Number((v * 100.0).round() / 100.0),
                },
                Cell::Text(ind.and_then(|i| i.target_text(zh)).unwrap_or_default()),
                Cell::Text(text(a.assignee.as_deref().unwrap_or(""))),
                Cell::Text(text(&a.notes)),
            ],
            &date_fmt,
            false,
        )?;
    }
    s.finish()?;

    let mut s = Sheet::new(
        wb.add_worksheet(),
        t("Findings", "发现项"),
        &[
            t("Reference", "编号"),
            t("Grade", "等级"),
            t("Status", "状态"),
            t("Title", "标题"),
            t("Indicators", "指标"),
            t("Raised by", "提出人"),
            t("Raised on", "提出日期"),
            t("Response due", "回复期限"),
            t("Closure due", "关闭期限"),
            t("Days overdue", "逾期天数"),
        ],
        &bold,
    )?;
    for f in findings {
        let late = f.response_overdue_days(today).or_else(|| f.closure_overdue_days(today));
        s.push(
            vec![
                Cell::Text(text(&f.reference)),
                Cell::Text(f.grade.label(zh).to_string()),
                Cell::Text(f.status.label(zh).to_string()),
                Cell::Text(text(&f.title)),
                Cell::Text(text(&f.indicators.join(", "))),
                Cell::Text(text(&f.raised_by)),
                Cell::Date(f.raised_on),
                Cell::Date(f.response_due),
                Cell::Date(f.closure_due),
                late.map_or(Cell::Text(String::new()), |d| Cell::Number(d as f64)),
            ],
            &date_fmt,
            late.is_some_and(|d| d > 0),
        )?;
    }
    s.finish()?;

    let mut s = Sheet::new(
        wb.add_worksheet(),
        t("Corrective actions", "纠正措施"),
        &[
            t("Action", "措施"),
            t("Finding", "发现项"),
            t("Description", "内容"),
            t("Owner", "负责人"),
            t("Due", "期限"),
            t("Status", "状态"),
            t("Progress %", "进度 %"),
            t("Verified by", "验证人"),
            t("Verified on", "验证日期"),
            t("Days overdue", "逾期天数"),
        ],
        &bold,
    )?;
    for a in actions {
        let late = a.days_past_due(today).filter(|d| *d > 0);
        s.push(
            vec![
                Cell::Text(text(&a.id)),
                Cell::Text(text(&a.finding)),
                Cell::Text(text(&a.description)),
                Cell::Text(text(&a.owner)),
                Cell::Date(a.due),
                Cell::Text(a.status.label(zh).to_string()),
                Cell::Number(f64::from(a.progress)),
                Cell::Text(a.verification.as_ref().map(|v| text(&v.by)).unwrap_or_default()),
                Cell::Date(a.verification.as_ref().map(|v| v.on)),
                late.map_or(Cell::Text(String::new()), |d| Cell::Number(d as f64)),
            ],
            &date_fmt,
            late.is_some(),
        )?;
    }
    s.finish()?;
    wb.save_to_buffer().map_err(err)
}
