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
