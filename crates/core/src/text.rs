//! Text measured in terminal cells: CJK characters take two cells, combining
//! marks none. Truncation and padding are by cell, never by `char` count.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Whether a character must not reach a terminal as it is: control
/// characters (they move the cursor, clear the screen, set the title) and
/// bidirectional controls (they reorder what is shown).
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || is_noncharacter(c)
}

/// Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two of
/// every plane): never text, and not allowed in XML (a Word or Excel file
/// holding one does not open).
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || (n & 0xFFFE) == 0xFFFE
}

fn show(c: char, out: &mut String) {
    match c as u32 {
        // C0 controls as their control pictures: ESC → ␛, newline → ␊.
        n @ 0..=0x1F => out.push(char::from_u32(0x2400 + n).unwrap_or('?')),
        0x7F => out.push('␡'),
        n => out.push_str(&format!("<U+{n:04X}>")),
    }
}

/// Text made safe for a terminal: every control or bidi character shown
/// visibly instead of acting. Stored data is never changed; this is for display.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_hazard) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) { show(c, &mut out) } else { out.push(c) }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text (from serde_json) with every remaining control or bidi
/// character escaped as `\uXXXX`: the same value, inert on a terminal.
pub fn json_inert(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.chars().any(|c| c != '\n' && is_hazard(c)) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c != '\n' && is_hazard(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The same, keeping line breaks and tabs (for multi-line text and for
/// output the CLI lays out itself).
pub fn visible_lines(s: &str) -> std::borrow::Cow<'_, str> {
    let hazard = |c: char| c != '\n' && c != '\t' && is_hazard(c);
    if !s.chars().any(hazard) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hazard(c) { show(c, &mut out) } else { out.push(c) }
    }
    std::borrow::Cow::Owned(out)
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` cells, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    let s = &*visible(s);
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Truncate, then pad with spaces to exactly `cells` cells.
/// The text after its first `cells` terminal cells (a wide character cut in
/// half is dropped whole).
pub fn skip_cells(s: &str, cells: usize) -> String {
    let mut w = 0;
    s.chars()
        .skip_while(|c| {
            if w >= cells {
                return false;
            }
            w += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            true
        })
        .collect()
}

pub fn fit(s: &str, cells: usize) -> String {
    let mut t = truncate(s, cells);
    let w = width(&t);
    t.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    t
}

/// Pad to at least `cells` cells, never cutting: for identifiers (a
/// reference cut short identifies nothing).
pub fn pad(s: &str, cells: usize) -> String {
    let v = visible(s);
    let mut t = v.into_owned();
    let w = width(&t);
    t.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    t
}

/// Right-align within `cells` cells.
pub fn fit_right(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let w = width(&t);
    let mut out: String = std::iter::repeat_n(' ', cells.saturating_sub(w)).collect();
    out.push_str(&t);
    out
}

/// The first `n` characters (never splits a character, unlike byte slicing).
pub fn head(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// The part of a bilingual "中文 / English" string for one language. Only a
/// Chinese left side and an English right side (no Chinese, some lower-case
/// word) count as bilingual, so a formula such as "A≤T / (A + Ab)", or
/// "系统为 IVR / ACD", is left whole. Detail views show the whole text.
pub fn side(s: &str, zh: bool) -> &str {
    match s
        .split_once(" / ")
        .filter(|(a, b)| a.chars().any(is_cjk) && !b.chars().any(is_cjk) && b.chars().any(|c| c.is_ascii_lowercase()))
    {
        Some((a, b)) => {
            if zh {
                a.trim()
            } else {
                b.trim()
            }
        }
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_two_cells_and_truncates_by_cell() {
        assert_eq!(width("录音缺失"), 8);
        assert_eq!(truncate("录音缺失abc", 6), "录音…");
        assert_eq!(width(&truncate("录音缺失abc", 6)), 5);
        assert_eq!(fit("录音缺失", 7), "录音缺…");
        assert_eq!(width(&fit("录音缺失", 7)), 7);
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit_right("中", 4), "  中");
        assert_eq!(truncate("x", 0), "");
    }

    #[test]
    fn side_picks_language() {
        assert_eq!(side("录音缺失 / recording missing", true), "录音缺失");
        assert_eq!(side("录音缺失 / recording missing", false), "recording missing");
        assert_eq!(side("plain", true), "plain");
        assert_eq!(head("证据文件abc", 3), "证据文");
        assert_eq!(head("ab", 12), "ab");
        assert_eq!(side("sl-neg = A≤T / (A + Ab)", false), "sl-neg = A≤T / (A + Ab)");
        assert_eq!(side("第二阶段 / 第二", false), "第二阶段 / 第二");
        // Not a translation: acronyms, numbers.
        assert_eq!(side("系统为 IVR / ACD", true), "系统为 IVR / ACD");
        assert_eq!(side("热线 95588 / 95566", true), "热线 95588 / 95566");
        assert_eq!(side("AHT 262 秒 / 262 s", false), "262 s");
    }
}

#[cfg(test)]
mod hazard_tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_shown_not_executed() {
        assert_eq!(visible("\u{1b}]0;pwned\u{7}"), "␛]0;pwned␇");
        assert_eq!(visible("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(visible("abc\u{202E}def"), "abc<U+202E>def");
        assert_eq!(visible("line\nbreak"), "line␊break");
        assert_eq!(visible_lines("line\nbreak\r"), "line\nbreak␍");
        assert_eq!(visible("录音缺失"), "录音缺失");
        assert_eq!(
            visible_lines("a\u{FFFE}b\u{FFFF}\u{10FFFF}"),
            "a<U+FFFE>b<U+FFFF><U+10FFFF>"
        );
        assert!(matches!(visible("plain"), std::borrow::Cow::Borrowed(_)));
        assert!(!truncate("x\u{1b}[2J", 20).contains('\u{1b}'));
        let json = serde_json::to_string(&"a\u{202E}b\u{9b}c").unwrap();
        let inert = json_inert(&json);
        assert!(!inert.chars().any(is_hazard), "{inert}");
        assert_eq!(serde_json::from_str::<String>(&inert).unwrap(), "a\u{202E}b\u{9b}c");
    }
}

/// A stored time (milliseconds since the epoch, as operations carry it) in
/// the user's time zone (`TZ`, else the system's), formatted with `fmt`
/// (jiff strftime: `%:z` is the offset, e.g. +08:00).
pub fn local_time(ms: u64, fmt: &str) -> String {
    local_time_in(&jiff::tz::TimeZone::system(), ms, fmt)
}

/// [`local_time`] in a zone looked up once by the caller (a list of times).
pub fn local_time_in(tz: &jiff::tz::TimeZone, ms: u64, fmt: &str) -> String {
    match jiff::Timestamp::from_millisecond(ms as i64) {
        Ok(t) => t.to_zoned(tz.clone()).strftime(fmt).to_string(),
        Err(_) => ms.to_string(),
    }
}

/// The user's time zone as shown beside times, by its offset now:
/// `UTC+08:00` (always 9 cells).
pub fn local_zone() -> String {
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::system());
    format!("UTC{}", now.strftime("%:z"))
}

/// A count with thousands separators: `26,643`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A cell as CNCA's reporting platform takes it: spaces and invisible
/// characters (controls, zero-width, BOM, no-break space) gone from both
/// ends and, for codes, everywhere; letters upper case.
pub fn cnca_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !invisible(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A text cell for CNCA's platform: trimmed of spaces and invisible
/// characters at both ends, invisible characters inside dropped.
pub fn cnca_text(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\t' || c == '\r' { ' ' } else { c })
        .filter(|c| !invisible(*c))
        .collect();
    kept.trim_matches(|c: char| c.is_whitespace()).to_string()
}

fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00A0}' | '\u{3000}'
        )
}

#[cfg(test)]
mod cnca_tests {
    #[test]
    fn cells_are_trimmed_of_spaces_and_invisible_characters() {
        assert_eq!(super::cnca_code(" csc-wb\u{200B}-0117 "), "CSC-WB-0117");
        assert_eq!(
            super::cnca_text("\u{FEFF} 某外包 呼叫中心\u{3000}\n"),
            "某外包 呼叫中心"
        );
    }
}
