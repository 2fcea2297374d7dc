//! The evidence request list the auditee reads without cscaudit: an Excel
//! workbook and an HTML page, both bilingual (Chinese first), one row per
//! item with its due date and status.

use super::xlsx::{Cell, Sheet, err};
use crate::app::Result;
use crate::model::request::Request;
use maud::{DOCTYPE, html};
use rust_xlsxwriter::{Color, Format, Workbook};

const HEAD: [(&str, &str); 8] = [
    ("编号", "No."),
    ("指标", "Indicator"),
    ("请求内容", "Request"),
    ("期限", "Due"),
    ("状态", "Status"),
    ("审核员意见", "Auditors' comment"),
    ("答复", "Answer"),
    ("文件数", "Files"),
];

fn v(s: &str) -> String {
    crate::text::visible_lines(s).into_owned()
}

fn status(r: &Request) -> String {
    format!("{} {}", r.status.zh(), r.status.as_str())
}

/// Who the list is for and from.
pub struct ListHead<'a> {
    pub engagement: &'a str,
    pub auditee: &'a str,
    pub addressee: &'a str,
    pub sender: &'a str,
    pub sent_on: jiff::civil::Date,
}

/// The list as a workbook.
pub fn requests_xlsx(head: &ListHead<'_>, items: &[Request], today: jiff::civil::Date) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xEEEEEE));
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    let header: Vec<String> = HEAD.iter().map(|(z, e)| format!("{z} {e}")).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sheet = Sheet::new(ws, "资料请求 Requests", &header, &bold)?;
    for r in items {
        sheet.push(
            vec![
                Cell::Text(v(&r.number)),
                Cell::Text(v(&r.indicator)),
                Cell::Text(v(&r.text)),
                Cell::Date(r.due),
                Cell::Text(status(r)),
                Cell::Text(v(&r.comment)),
                Cell::Text(v(&r.answer)),
                Cell::Number(r.evidence.len() as f64),
            ],
            &date_fmt,
            r.overdue(today),
        )?;
    }
    sheet.finish()?;
    let about = wb.add_worksheet();
    about.set_name("说明 About").map_err(err)?;
    let lines = [
        ("审核项目 Engagement", head.engagement.to_string()),
        ("受审核方 Auditee", head.auditee.to_string()),
        ("收件人 Addressee", head.addressee.to_string()),
        ("发出人 From", head.sender.to_string()),
        ("发出日期 Sent on", head.sent_on.to_string()),
        (
            "如何答复 How to answer",
            "cscaudit request answer 编号 --file 文件 · then export the bundle back / 然后导出数据包发回".into(),
        ),
    ];
    for (i, (k, val)) in lines.iter().enumerate() {
        about.write_string_with_format(i as u32, 0, *k, &bold).map_err(err)?;
        about.write_string(i as u32, 1, v(val)).map_err(err)?;
    }
    about.set_column_width(0, 28).map_err(err)?;
    about.set_column_width(1, 80).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// The list as one HTML page (styles inline, nothing fetched, every text escaped).
pub fn requests_html(head: &ListHead<'_>, items: &[Request], today: jiff::civil::Date) -> String {
    let style = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:70em;margin:2em auto;padding:0 1em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#eee}.overdue{background:#fee;color:#900}.pre{white-space:pre-wrap}";
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { "资料请求清单 Evidence requests · " (v(head.engagement)) }
                style { (style) }
            }
            body {
                h1 { "资料请求清单 · Evidence requests" }
                p {
                    "审核项目 Engagement: " (v(head.engagement)) " · 受审核方 Auditee: " (v(head.auditee)) br;
                    "收件人 To: " (v(head.addressee)) " · 发出人 From: " (v(head.sender))
                    " · 发出日期 Sent on: " (head.sent_on.to_string())
                }
                table {
                    tr { @for (z, e) in HEAD { th { (z) br; (e) } } }
                    @for r in items {
                        tr class=[r.overdue(today).then_some("overdue")] {
                            td { (v(&r.number)) }
                            td { (v(&r.indicator)) }
                            td.pre { (v(&r.text)) }
                            td { (r.due.map(|d| d.to_string()).unwrap_or_default()) }
                            td { (status(r)) }
                            td.pre { (v(&r.comment)) }
                            td.pre { (v(&r.answer)) }
                            td { (r.evidence.len()) }
                        }
                    }
                }
                p {
                    "答复方式：在 cscaudit 中运行 " code { "cscaudit request answer 编号 --file 文件" }
                    "，然后导出数据包发回审核组。" br;
                    "To answer: run " code { "cscaudit request answer NUMBER --file FILE" }
                    " in cscaudit, then export the bundle back to the audit team."
                }
            }
        }
    }
    .into_string()
}
