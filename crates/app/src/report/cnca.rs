//! The monthly workbook a certification body reports to CNCA (认证机构管理体系
//! 认证、服务认证信息报告规范, revised 2021-09-24): four sheets whose names,
//! headings and column order must not change — 审核计划信息表, 证书信息表,
//! 审核结果信息表, 能源绩效信息表.
//!
//! The layout comes from a template: the body's own file (`cnca_template` in
//! body.toml, read with calamine: each sheet's name and first row), or the
//! shipped default below, whose headings are those publicly described and
//! must be checked against the body's own template. Columns are filled by
//! their heading; a heading cscaudit does not know stays empty and is named
//! in the check list.

use crate::app::{AppError, Result};
use crate::message::Msg;
use rust_xlsxwriter::{Color, Format, Workbook};
use std::path::Path;

pub const PLAN_SHEET: &str = "审核计划信息表";
pub const CERT_SHEET: &str = "证书信息表";
pub const RESULT_SHEET: &str = "审核结果信息表";
pub const ENERGY_SHEET: &str = "能源绩效信息表";

/// One sheet of the template: its name and headings in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TemplateSheet {
    pub name: String,
    pub headings: Vec<String>,
}

/// The workbook's layout.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Template {
    pub sheets: Vec<TemplateSheet>,
    /// Where it came from (a path, or `default`).
    pub source: String,
}

impl Template {
    /// The shipped default: the headings publicly described for the four
    /// sheets (审核方式 and the auditors' ID numbers since 2021-09-15). A body
    /// checks them against its own template and names that in body.toml.
    pub fn shipped() -> Template {
        let sheet = |name: &str, h: &[&str]| TemplateSheet {
            name: name.to_string(),
            headings: h.iter().map(|s| s.to_string()).collect(),
        };
        Template {
            source: "default".into(),
            sheets: vec![
                sheet(
                    PLAN_SHEET,
                    &[
                        "机构批准号",
                        "组织名称",
                        "统一社会信用代码",
                        "认证依据",
                        "认证范围",
                        "审核类型",
                        "审核方式",
                        "审核开始日期",
                        "审核结束日期",
                        "审核人日数",
                        "审核场所",
                        "审核组长姓名",
                        "审核组长证件号码",
                        "审核组成员姓名",
                        "审核组成员证件号码",
                    ],
                ),
                sheet(
                    CERT_SHEET,
                    &[
                        "机构批准号",
                        "证书编号",
                        "组织名称",
                        "统一社会信用代码",
                        "认证依据",
                        "认证范围",
                        "颁证日期",
                        "证书到期日期",
                        "证书状态",
                        "状态变更日期",
                        "状态变更原因",
                    ],
                ),
                sheet(
                    RESULT_SHEET,
                    &[
                        "机构批准号",
                        "组织名称",
                        "统一社会信用代码",
                        "审核类型",
                        "审核开始日期",
                        "审核结束日期",
                        "技术评审日期",
                        "认证决定日期",
                        "认证决定",
                        "证书编号",
                    ],
                ),
                sheet(
                    ENERGY_SHEET,
                    &[
                        "机构批准号",
                        "证书编号",
                        "组织名称",
                        "能源绩效参数",
                        "基准值",
                        "报告期值",
                    ],
                ),
            ],
        }
    }

    /// The body's own template: each sheet's name and first row. The four
    /// sheets must be there.
    pub fn from_xlsx(path: &Path) -> Result<Template> {
        use calamine::{Reader, open_workbook_auto};
        let p = crate::text::visible(&path.display().to_string()).into_owned();
        let mut wb = open_workbook_auto(path).map_err(|e| {
            let e = crate::text::visible(&e.to_string()).into_owned();
            AppError::Invalid(crate::msg!(
                "the CNCA template {p} cannot be read: {e}",
                "无法读取认监委报送模板 {p}：{e}"
            ))
        })?;
        let mut sheets = Vec::new();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).map_err(|e| {
                let (n, e) = (
                    crate::text::visible(&name).into_owned(),
                    crate::text::visible(&e.to_string()).into_owned(),
                );
                AppError::Invalid(crate::msg!(
                    "sheet {n} of the CNCA template {p} cannot be read: {e}",
                    "无法读取认监委报送模板 {p} 的工作表 {n}：{e}"
                ))
            })?;
            let headings = range
                .rows()
                .next()
                .map(|r| r.iter().map(|c| crate::text::cnca_text(&c.to_string())).collect())
                .unwrap_or_default();
            sheets.push(TemplateSheet { name, headings });
        }
        for need in [PLAN_SHEET, CERT_SHEET, RESULT_SHEET, ENERGY_SHEET] {
            if !sheets.iter().any(|s| s.name == need) {
                return Err(AppError::Invalid(crate::msg!(
                    "the CNCA template {p} has no sheet {need}: the platform takes the four sheets under their own names",
                    "认监委报送模板 {p} 中没有工作表 {need}：报送平台要求四张表使用规定名称"
                )));
            }
        }
        Ok(Template {
            sheets,
            source: path.display().to_string(),
        })
    }

    pub fn sheet(&self, name: &str) -> Option<&TemplateSheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// Headings that hold codes: upper case, no spaces at all.
pub fn is_code(heading: &str) -> bool {
    heading.contains("编号")
        || heading.contains("代码")
        || heading.contains("批准号")
        || heading.contains("证件号码")
        || heading == "审核方式"
}

/// A cell as the platform takes it (trimmed; codes upper case, no spaces;
/// several ID numbers in one cell separated by `;`).
pub fn clean(heading: &str, value: &str) -> String {
    if is_code(heading) {
        value
            .split(';')
            .map(crate::text::cnca_code)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(";")
    } else {
        crate::text::cnca_text(value)
    }
}

/// The workbook: every sheet of the template in its order, its headings as
/// given, then the rows (each a value per heading, already cleaned).
pub fn workbook(template: &Template, rows: &dyn Fn(&str) -> Vec<Vec<String>>) -> Result<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Invalid(Msg::same(format!("xlsx: {e}")));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xEEEEEE));
    let text = Format::new().set_num_format("@");
    for s in &template.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(err)?;
        for (c, h) in s.headings.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
            let w = unicode_width::UnicodeWidthStr::width(h.as_str()).max(10) as f64 + 2.0;
            ws.set_column_width(c as u16, w.min(40.0)).map_err(err)?;
        }
        for (r, row) in rows(&s.name).iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Text cells, dates and numbers alike, as the platform reads them.
                ws.write_string_with_format(r as u32 + 1, c as u16, v, &text)
                    .map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}
