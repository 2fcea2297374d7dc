//! Sentences for the user in both languages. Errors carry a [`Msg`] (or can
//! produce one), so the CLI and the TUI show them in zh-CN or English.

use crate::config::Lang;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub en: String,
    pub zh: String,
}

impl Msg {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Msg {
        Msg {
            en: en.into(),
            zh: zh.into(),
        }
    }
    /// The same text in both languages (paths, parser output).
    pub fn same(text: impl Into<String>) -> Msg {
        let t = text.into();
        Msg { en: t.clone(), zh: t }
    }
    pub fn get(&self, lang: Lang) -> &str {
        if lang.is_zh() { &self.zh } else { &self.en }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `msg!("english {x}", "中文 {x}")`: both strings formatted with the same captures.
#[macro_export]
macro_rules! msg {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::message::Msg::new(format!($en), format!($zh))
    };
}

/// A change in words for history lists: field labels and enum values in
/// the current language ("status → plan-accepted" / "状态 → 计划已接受").
pub fn describe_change(change: &crate::model::ops::Change, lang: Lang) -> String {
    use crate::model::ops::{Change, Value};
    let zh = lang.is_zh();
    let label = |field: &str| -> String {
        let (en, cn) = match field {
            "status" => ("status", "状态"),
            "grade" => ("grade", "等级"),
            "title" => ("title", "标题"),
            "statement" => ("statement", "事实描述"),
            "criterion" => ("criterion", "依据"),
            "evidence_note" => ("evidence note", "证据说明"),
            "result" => ("result", "结论"),
            "score" => ("score", "得分"),
            "measured" => ("measured value", "实测值"),
            "method" => ("method", "方法"),
            "notes" => ("notes", "备注"),
            "assignee" => ("assignee", "负责人"),
            "workflow" => ("workflow", "工作状态"),
            "owner" => ("owner", "责任人"),
            "due" => ("due", "期限"),
            "progress" => ("progress", "进度"),
            "description" => ("description", "措施"),
            "completion_evidence" => ("completion evidence", "完成证据"),
            "verified_by" => ("verified by", "验证人"),
            "verified_on" => ("verified on", "验证日期"),
            "verification_note" => ("verification note", "验证说明"),
            "effective" => ("effective", "有效"),
            "root_cause" => ("root cause", "根本原因"),
            "correction" => ("correction", "纠正"),
            "raised_by" => ("raised by", "提出人"),
            "raised_on" => ("raised on", "提出日期"),
            "issued_on" => ("issued on", "开具日期"),
            "response_due" => ("response due", "回复期限"),
            "closure_due" => ("closure due", "关闭期限"),
            "responded_on" => ("responded on", "回复日期"),
            "closed_on" => ("closed on", "关闭日期"),
            "completed_on" => ("completed on", "完成日期"),
            "engagement" => ("engagement", "审核项目"),
            "indicator" => ("indicator", "指标"),
            "evidence" => ("evidence", "证据"),
            _ => return field.to_string(),
        };
        (if zh { cn } else { en }).to_string()
    };
    let value = |field: &str, v: &Value| -> String {
        let text = match v {
            Value::Text(t) => t.as_str(),
            Value::Null => return lang.pick("(none)", "（空）").to_string(),
            Value::Bool(b) => {
                return if *b {
                    lang.pick("yes", "是")
                } else {
                    lang.pick("no", "否")
                }
                .to_string();
            }
            other => return other.to_string(),
        };
        let enum_label = match field {
            "status" => text
                .parse::<crate::model::finding::FindingStatus>()
                .map(|s| s.label(zh))
                .or_else(|_| text.parse::<crate::model::action::ActionStatus>().map(|s| s.label(zh)))
                .ok(),
            "grade" => text.parse::<crate::model::finding::Grade>().ok().map(|g| g.label(zh)),
            "result" => text
                .parse::<crate::model::assessment::AssessmentResult>()
                .ok()
                .map(|r| r.label(zh)),
            "workflow" => text
                .parse::<crate::model::assessment::Workflow>()
                .ok()
                .map(|w| w.label(zh)),
            _ => None,
        };
        enum_label.map_or_else(|| crate::text::side(text, zh).to_string(), str::to_string)
    };
    match change {
        Change::Create => lang.pick("created", "创建").to_string(),
        Change::Set { field, value: v } => format!("{} → {}", label(field), value(field, v)),
        Change::Link { rel, target } => format!("+ {} {}", label(rel), target.chars().take(16).collect::<String>()),
        Change::Unlink { rel, target } => format!("− {} {}", label(rel), target.chars().take(16).collect::<String>()),
        Change::Tombstone => lang.pick("deleted", "删除").to_string(),
        Change::Resolve { field, .. } => format!("{} {}", label(field), lang.pick("conflict resolved", "冲突已确认")),
    }
}
