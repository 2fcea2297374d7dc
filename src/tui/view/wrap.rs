//! Text laid out to a panel's width in terminal cells: wrapped where the
//! Unicode line-breaking rules allow (between two Chinese characters, after
//! a space), or cut with "…".
//!
//! ratatui's own word wrapper can let a wide character run over the panel's
//! border when it does not fit the cells left on a line (ratatui#2679), and
//! it breaks mixed text only at spaces, leaving half-empty lines before a
//! run of Chinese. Panels wrap here instead and hand ratatui lines that fit.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Cell, Paragraph, Row};
use unicode_linebreak::BreakOpportunity;
use unicode_width::UnicodeWidthChar;

/// A paragraph of `text` wrapped to the inside of `block` drawn in `area`.
pub(crate) fn wrapped<'a>(text: impl Into<Text<'a>>, block: Option<Block<'a>>, area: Rect) -> Paragraph<'a> {
    let inner = block.as_ref().map_or(area, |b| b.inner(area));
    let p = Paragraph::new(wrap_text(text.into(), inner.width as usize));
    match block {
        Some(b) => p.block(b),
        None => p,
    }
}

/// A paragraph of `lines`, each cut with "…" to the inside of `block`.
pub(crate) fn fitted<'a>(lines: Vec<Line<'a>>, block: Block<'a>, area: Rect) -> Paragraph<'a> {
    let w = block.inner(area).width as usize;
    Paragraph::new(lines.into_iter().map(|l| fit_line(l, w)).collect::<Vec<_>>()).block(block)
}

/// The cells each column gets in a table `width` cells wide, as ratatui's
/// `Table` lays them out (`Flex::Start`, `spacing` between, no selection
/// symbol).
pub(crate) fn column_widths(widths: &[Constraint], spacing: u16, width: u16) -> Vec<usize> {
    Layout::horizontal(widths.to_vec())
        .flex(Flex::Start)
        .spacing(spacing)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

/// A table row whose cells are cut with "…" to their columns (the table
/// itself would clip them silently).
pub(crate) fn fit_row<'a>(cells: impl IntoIterator<Item = Line<'a>>, cols: &[usize]) -> Row<'static> {
    Row::new(
        cells
            .into_iter()
            .enumerate()
            .map(|(i, l)| Cell::from(fit_line(l, cols.get(i).copied().unwrap_or(0))))
            .collect::<Vec<_>>(),
    )
}

/// Every line of `text` wrapped to `width` cells.
pub(crate) fn wrap_text(mut text: Text<'_>, width: usize) -> Text<'static> {
    let lines = std::mem::take(&mut text.lines);
    let mut out = Text::default().style(text.style);
    out.alignment = text.alignment;
    for l in lines {
        out.lines.extend(wrap_line(&l, width));
    }
    out
}

/// One line's text and the style of each of its bytes' span.
fn flatten(line: &Line<'_>) -> (String, Vec<(usize, usize, Style)>) {
    let mut s = String::new();
    let mut spans = Vec::with_capacity(line.spans.len());
    for sp in &line.spans {
        let a = s.len();
        s.push_str(&sp.content);
        spans.push((a, s.len(), sp.style));
    }
    (s, spans)
}

/// The bytes `a..b` of the flattened line, with their spans' styles.
fn slice(line: &Line<'_>, s: &str, spans: &[(usize, usize, Style)], a: usize, b: usize) -> Line<'static> {
    let mut out = Line::default().style(line.style);
    out.alignment = line.alignment;
    for &(x, y, style) in spans {
        let (x, y) = (x.max(a), y.min(b));
        if x < y {
            out.spans.push(Span::styled(s[x..y].to_string(), style));
        }
    }
    out
}

/// A line wrapped to `width` cells: at the last break opportunity that
/// fits, else (a word wider than the line) between two characters. The
/// spaces at a break are dropped; the line's own leading spaces are kept.
pub(crate) fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let (s, spans) = flatten(line);
    if width == 0 || crate::text::width(&s) <= width && !s.contains('\n') {
        return vec![slice(line, &s, &spans, 0, s.len())];
    }
    let mut breaks = unicode_linebreak::linebreaks(&s).peekable();
    let mut out = Vec::new();
    let mut start = 0; // the current line's first byte
    let mut used = 0; // its width so far
    let mut last: Option<usize> = None; // its last break opportunity
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // The break opportunities before this character.
        while let Some(&(at, kind)) = breaks.peek() {
            if at > i {
                break;
            }
            breaks.next();
            if at > start && at == i {
                if kind == BreakOpportunity::Mandatory {
                    out.push(slice(line, &s, &spans, start, trim_end(&s, start, i)));
                    start = i;
                    used = 0;
                    last = None;
                } else {
                    last = Some(i);
                }
            }
        }
        if c == '\n' || c == '\r' {
            // A hard break: the break opportunity after it starts the next line.
            out.push(slice(line, &s, &spans, start, i));
            start = i + c.len_utf8();
            used = 0;
            last = None;
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w > width {
            if c.is_whitespace() {
                // A space that does not fit ends the line and is dropped.
                out.push(slice(line, &s, &spans, start, trim_end(&s, start, i)));
                start = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !d.is_whitespace() || d == '\n' {
                        break;
                    }
                    chars.next();
                    start = j + d.len_utf8();
                }
                used = 0;
                last = None;
                continue;
            }
            match last {
                Some(b) => {
                    out.push(slice(line, &s, &spans, start, trim_end(&s, start, b)));
                    start = b;
                    used = crate::text::width(&s[b..i]);
                }
                None if start < i => {
                    out.push(slice(line, &s, &spans, start, i));
                    start = i;
                    used = 0;
                }
                // A character wider than the whole line has one to itself.
                None => {}
            }
            last = None;
            // What was carried over may itself not fit beside this character.
            if used + w > width && start < i {
                out.push(slice(line, &s, &spans, start, i));
                start = i;
                used = 0;
            }
        }
        used += w;
    }
    if start < s.len() || out.is_empty() {
        out.push(slice(line, &s, &spans, start, s.len()));
    }
    out
}

/// The end of `s[start..end]` without its trailing spaces.
fn trim_end(s: &str, start: usize, end: usize) -> usize {
    start + s[start..end].trim_end_matches(|c: char| c.is_whitespace()).len()
}

/// A line cut to `width` cells, ending with "…" when something was cut.
pub(crate) fn fit_line(line: Line<'_>, width: usize) -> Line<'static> {
    let (s, spans) = flatten(&line);
    if crate::text::width(&s) <= width {
        return slice(&line, &s, &spans, 0, s.len());
    }
    if width == 0 {
        return Line::default();
    }
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    let mut out = slice(&line, &s, &spans, 0, end);
    let style = spans
        .iter()
        .rev()
        .find(|(a, _, _)| *a <= end)
        .map(|x| x.2)
        .unwrap_or_default();
    out.spans.push(Span::styled("…", style));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn no_wrapped_line_is_wider_than_the_panel() {
        // The history line that ran over the checklist detail's border at 120×40.
        let line = Line::from(vec![
            Span::raw("✓ "),
            Span::raw("2026-12-07 20:33 "),
            Span::styled("zhang.wei ", Style::new().bold()),
            Span::raw("审核项目 → DEMO-S2"),
        ]);
        for width in 1..40 {
            let out = wrap_line(&line, width);
            for l in &out {
                assert!(
                    l.width() <= width.max(2),
                    "{width}: {:?} is {} cells",
                    texts(&out),
                    l.width()
                );
            }
            // Nothing lost but the spaces at the breaks.
            let joined: String = texts(&out).concat().chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, "✓2026-12-0720:33zhang.wei审核项目→DEMO-S2", "{width}");
        }
        assert_eq!(
            texts(&wrap_line(&line, 36)),
            ["✓ 2026-12-07 20:33 zhang.wei 审核项", "目 → DEMO-S2"]
        );
        // Styles stay with their text across the break.
        let out = wrap_line(&line, 20);
        assert_eq!(texts(&out)[1], "zhang.wei 审核项目 →");
        assert!(
            out[1].spans[0]
                .style
                .add_modifier
                .contains(ratatui::style::Modifier::BOLD)
        );
    }

    #[test]
    fn english_breaks_at_spaces_and_chinese_between_characters() {
        let en = Line::raw("Responses overdue for the outsourced centre");
        assert_eq!(
            texts(&wrap_line(&en, 20)),
            ["Responses overdue", "for the outsourced", "centre"]
        );
        let zh = Line::raw("全国性银行客服中心普遍提供 7×24 小时人工服务");
        let out = texts(&wrap_line(&zh, 20));
        assert_eq!(out[0], "全国性银行客服中心普");
        assert!(out.iter().all(|l| crate::text::width(l) <= 20), "{out:?}");
        // A word wider than the line is cut between characters.
        assert_eq!(texts(&wrap_line(&Line::raw("abcdefghij"), 4)), ["abcd", "efgh", "ij"]);
        // An empty line stays a line.
        assert_eq!(wrap_line(&Line::raw(""), 10).len(), 1);
    }

    #[test]
    fn a_cut_line_ends_with_an_ellipsis_and_fits() {
        let l = Line::from(vec![Span::raw("LM  "), Span::raw("李敏 Li Min 审核员 ✓ CCAA-2024")]);
        let cut = fit_line(l.clone(), 20);
        // "审" and "核" are two cells: the mark follows "审" at cell 19.
        assert_eq!(cut.width(), 19);
        assert!(texts(&[cut])[0].ends_with('…'));
        assert_eq!(fit_line(l.clone(), 100).width(), l.width());
        // A wide character that does not fit before the mark is left out whole.
        let cut = fit_line(Line::raw("审核员审核员"), 6);
        assert_eq!(texts(std::slice::from_ref(&cut))[0], "审核…");
        assert!(cut.width() <= 6);
    }
}
