//! Drawing forms and the moves menu. The terminal's real cursor is put where
//! typing goes, at the column measured in cells, so a Chinese input method
//! anchors its candidate window there.

use super::*;
use crate::tui::forms::{Editor, Form};
use ratatui::layout::Position;

pub(super) fn form(ui: &Ui, f: &mut Frame, area: Rect, form: &Form) {
    // Height: a label line per field, one line per single-line field, four for texts.
    let body: u16 = form
        .fields
        .iter()
        .map(|fl| if matches!(fl.editor, Editor::Lines(_)) { 5 } else { 2 })
        .sum();
    // Under the fields: a teammate's text changed since the form opened
    // (up to 3 lines), then the error or hint (up to 3 lines, wrapped).
    let inner_w = (76.min(area.width.saturating_sub(2)).saturating_sub(2)).max(1) as usize;
    let lines_of = |t: &str| (width(&ui.text(t)) / inner_w + 1).min(3) as u16;
    let note_lines = match (&form.error, &form.hint, &form.about) {
        (Some(t), _, _) | (None, Some(t), _) | (None, None, Some(t)) => lines_of(t),
        (None, None, None) => 0,
    };
    // A teammate's text is theirs whole (made visible when it arrived): never
    // taken for a Chinese / English pair.
    let theirs_lines = form
        .theirs
        .as_deref()
        .map_or(0, |t| (width(t) / inner_w + 1).min(3) as u16);
    let extra = u16::from(note_lines + theirs_lines > 0) + note_lines + theirs_lines;
    let r = popups::centered(area, 76, body + extra + 2);
    popups::clear(f, r);
    let multiline = form
        .fields
        .get(form.focus)
        .is_some_and(|fl| matches!(fl.editor, Editor::Lines(_)));
    let hint = ui.m(if multiline {
        Label::FormHintLines
    } else {
        Label::FormHint
    });
    let block = popups::popup_block(ui, format!(" {} ", ui.text(form.title(ui.lang))), hint);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        if y >= bottom {
            break;
        }
        let focused = i == form.focus;
        let mark = if field.required { " *" } else { "" };
        let label_style = if focused {
            ui.st("pane.title.focused")
        } else {
            ui.st("text.dim")
        };
        f.render_widget(
            Paragraph::new(Line::styled(format!("{}{mark}", field.label(ui.lang)), label_style)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
        let value_style = if focused { ui.st("selection") } else { ui.st("text") };
        match &field.editor {
            Editor::Line { text, cursor: at } => {
                let dots;
                let text = if field.secret {
                    dots = "•".repeat(text.chars().count());
                    &dots
                } else {
                    text
                };
                let shown = ui.text(text);
                let w = inner.width.saturating_sub(2) as usize;
                // Keep the cursor in view on long values.
                let before: String = text.chars().take(*at).collect();
                let before_w = width(&ui.text(&before));
                let skip = before_w.saturating_sub(w.saturating_sub(1));
                let visible = crate::text::skip_cells(&shown, skip);
                f.render_widget(
                    Paragraph::new(Line::styled(format!("› {}", truncate(&visible, w)), value_style)),
                    Rect::new(inner.x, y.min(bottom - 1), inner.width, 1),
                );
                if focused {
                    cursor = Some(Position::new(inner.x + 2 + (before_w - skip) as u16, y));
                }
                y += 1;
            }
            Editor::Lines(area) => {
                let h = 4.min(bottom.saturating_sub(y));
                let rect = Rect::new(inner.x + 2, y, inner.width.saturating_sub(2), h);
                let mut a = (**area).clone();
                a.set_style(value_style);
                a.set_cursor_line_style(Style::default());
                f.render_widget(&a, rect);
                if focused {
                    let c = area.cursor();
                    let (row, col) = (c.0, c.1);
                    let line = area.lines().get(row).map(String::as_str).unwrap_or("");
                    let before: String = line.chars().take(col).collect();
                    let cx = (width(&before) as u16).min(rect.width.saturating_sub(1));
                    cursor = Some(Position::new(
                        rect.x + cx,
                        rect.y + (row as u16).min(h.saturating_sub(1)),
                    ));
                }
                y += h;
            }
            Editor::Choice { options, selected } => {
                // Options that do not fit scroll: the chosen one stays in view,
                // with ‹ › saying more are off to a side. The chosen one is in
                // brackets too, so it shows without colour (NO_COLOR, a
                // monochrome terminal, a screen reader's text).
                let labels: Vec<String> = options
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let text = ui.text(c.label(ui.lang));
                        if j == *selected {
                            format!("[{text}]")
                        } else {
                            format!(" {text} ")
                        }
                    })
                    .collect();
                let hint = format!("  {}", ui.m(Label::ChoiceHint));
                // The ← → hint only when everything fits beside it.
                let show_hint = focused && 2 + width(&labels.concat()) + width(&hint) <= inner.width as usize;
                let room = (inner.width as usize).saturating_sub(4);
                let mut first = 0;
                while first < *selected && width(&labels[first..=*selected].concat()) > room {
                    first += 1;
                }
                let mut spans = vec![Span::raw(if first > 0 { "‹ " } else { "› " })];
                let mut used = 0;
                for (j, label) in labels.iter().enumerate().skip(first) {
                    if used + width(label) > room && j > *selected {
                        spans.push(Span::styled("›", ui.st("text.dim")));
                        break;
                    }
                    used += width(label);
                    let st = if j == *selected { value_style } else { ui.st("text.dim") };
                    spans.push(Span::styled(label.clone(), st));
                }
                if show_hint {
                    spans.push(Span::styled(hint, ui.st("text.dim")));
                }
                f.render_widget(
                    Paragraph::new(Line::from(spans)),
                    Rect::new(inner.x, y.min(bottom - 1), inner.width, 1),
                );
                y += 1;
            }
        }
    }
    let note = match (&form.error, &form.hint) {
        (Some(e), _) => Some((e, "statusbar.error")),
        (None, Some(h)) => Some((h, "text.dim")),
        // What the form is about (a request's text), when nothing else is said.
        (None, None) => form.about.as_ref().map(|a| (a, "text")),
    };
    if let Some((text, role)) = note
        && y + note_lines <= bottom
    {
        let rect = Rect::new(inner.x, bottom - note_lines, inner.width, note_lines);
        f.render_widget(wrapped(ui.text(text), None, rect).style(ui.st(role)), rect);
    }
    if let Some(theirs) = &form.theirs
        && y + note_lines + theirs_lines <= bottom
    {
        let label = if ui.zh { "对方的版本：" } else { "Theirs: " };
        let rect = Rect::new(inner.x, bottom - note_lines - theirs_lines, inner.width, theirs_lines);
        f.render_widget(
            wrapped(format!("{label}{theirs}"), None, rect).style(ui.st("text")),
            rect,
        );
    }
    if let Some(p) = cursor
        && p.y < bottom
    {
        f.set_cursor_position(p);
    }
}

pub(super) fn moves(
    ui: &Ui,
    f: &mut Frame,
    area: Rect,
    reference: &str,
    moves: &[crate::app::MoveKind],
    selected: usize,
) {
    let zh = ui.lang.is_zh();
    let w = moves
        .iter()
        .map(|m| width(m.label(zh)) + width(m.target().label(zh)) + 8)
        .max()
        .unwrap_or(20) as u16;
    let r = popups::centered(area, w.max(36), moves.len() as u16 + 2);
    popups::clear(f, r);
    let block = popups::popup_block(
        ui,
        format!(" {} {reference} ", ui.m(Label::MovesTitle)),
        ui.m(Label::MovesHint),
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let lines: Vec<Line> = moves
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let l = Line::from(vec![
                Span::raw(m.label(zh).to_string()),
                Span::styled(format!("  → {}", m.target().label(zh)), ui.st("text.dim")),
            ]);
            if i == selected { l.style(ui.st("selection")) } else { l }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
