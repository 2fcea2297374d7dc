//! Sentences for the user in both languages. Errors carry a [`Msg`] (or can
//! produce one), so the CLI and the TUI show them in zh-CN or English.

use crate::config::Lang;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
    /// Append `more` to both languages.
    pub fn push(&mut self, more: Msg) {
        self.en.push_str(&more.en);
        self.zh.push_str(&more.zh);
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
/// Fields this build does not know (from a newer version) are shown by their raw name.
pub fn describe_change(kind: crate::model::ops::Kind, change: &crate::model::ops::Change, lang: Lang) -> String {
    use crate::model::fields;
    use crate::model::ops::{Change, Value};
    let zh = lang.is_zh();
    let label = |field: &str| -> String { fields::label(kind, field, zh).unwrap_or(field).to_string() };
    let rel = |r: &str| -> String { fields::Rel::parse(r).map_or(r, |r| r.label(zh)).to_string() };
    let value = |field: &str, v: &Value| -> String {
        match v {
            Value::Text(t) => fields::value_label(kind, field, t, zh)
                .map_or_else(|| crate::text::side(t, zh).to_string(), str::to_string),
            Value::Null => lang.pick("(none)", "（空）").to_string(),
            Value::Bool(true) => lang.pick("yes", "是").to_string(),
            Value::Bool(false) => lang.pick("no", "否").to_string(),
            other => other.to_string(),
        }
    };
    match change {
        Change::Create => lang.pick("created", "创建").to_string(),
        Change::Set { field, value: v } => format!("{} → {}", label(field), value(field, v)),
        Change::Link { rel: r, target } => format!("+ {} {}", rel(r), target.chars().take(16).collect::<String>()),
        Change::Unlink { rel: r, target } => format!("− {} {}", rel(r), target.chars().take(16).collect::<String>()),
        Change::Tombstone => lang.pick("deleted", "删除").to_string(),
        Change::Resolve { field, .. } => format!("{} {}", label(field), lang.pick("conflict resolved", "冲突已确认")),
    }
}
