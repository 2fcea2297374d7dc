//! Output helpers shared by every command: stdout, dates, quoting, percentages.

use super::{CliError, Result};
use crate::app::status::ActionLine;
use crate::config::Lang;
use crate::message::Msg;
use jiff::civil::Date;
use std::io::Write;

/// A message that reads the same in both languages (paths, parser output).
pub(super) fn same(s: impl Into<String>) -> CliError {
    CliError(Msg::same(s))
}

/// A due date: `YYYY-MM-DD`, or days, weeks or months from `today`
/// (`+30d`, `+2w`, `+3m`), as the TUI's forms take it.
pub(super) fn due_arg(s: &Option<String>, what: &str, today: Date) -> Result<Option<Date>> {
    s.as_deref()
        .map(|v| {
            crate::model::input::parse_due(v, today).map_err(|_| {
                CliError(crate::msg!(
                    "{what} `{v}` is not a date (YYYY-MM-DD, +30d, +2w, +3m)",
                    "{what} `{v}` 不是日期（YYYY-MM-DD、+30d、+2w、+3m）"
                ))
            })
        })
        .transpose()
}

pub(super) fn date_arg(s: &Option<String>, what: &str) -> Result<Option<Date>> {
    s.as_deref()
        .map(|v| {
            v.parse::<Date>().map_err(|_| {
                CliError(crate::msg!(
                    "{what} `{v}` is not a date (use YYYY-MM-DD)",
                    "{what} `{v}` 不是日期（请用 YYYY-MM-DD）"
                ))
            })
        })
        .transpose()
}

/// Standard output with every control or bidi character that came from data
/// shown visibly (line breaks stay: the CLI writes them itself).
pub(super) struct SafeOut(std::io::StdoutLock<'static>);

impl std::io::Write for SafeOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(s) => {
                let clean = crate::text::visible_lines(s);
                self.0.write_all(clean.as_bytes())?;
                Ok(buf.len())
            }
            Err(_) => self.0.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

pub(super) fn out() -> SafeOut {
    SafeOut(std::io::stdout().lock())
}

pub(super) fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

pub(super) fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub(super) fn due_text(l: &ActionLine, lang: Lang) -> String {
    match l.days_overdue {
        Some(d) if d > 0 => format!("{d} {}", lang.pick("d overdue", "天逾期")),
        Some(0) => lang.pick("due today", "今天到期").to_string(),
        Some(d) => format!("{} {}", -d, lang.pick("d left", "天后到期")),
        None => String::new(),
    }
}

/// Print JSON: the value unchanged, every control or bidi character escaped.
pub(super) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let s = serde_json::to_string_pretty(value).map_err(|e| same(e.to_string()))?;
    let mut o = std::io::stdout().lock();
    writeln!(o, "{}", crate::text::json_inert(&s))?;
    Ok(())
}
