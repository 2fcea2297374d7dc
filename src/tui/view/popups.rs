//! Popups: help, palette, confirm, error, input, engagement switcher, next keys.

use super::*;

pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(1);
    let h = h.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clear a popup's area and one cell either side: a wide (CJK) character
/// that starts just left of the popup would otherwise cover its border.
pub(super) fn clear(f: &mut Frame, r: Rect) {
    let full = f.area();
    let x = r.x.saturating_sub(1).max(full.x);
    let right = (r.x + r.width + 1).min(full.x + full.width);
    f.render_widget(Clear, Rect::new(x, r.y, right.saturating_sub(x), r.height));
}

pub(super) fn popup_block<'a>(ui: &Ui, title: String, hint: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(ui.t.border_set())
        .border_style(ui.st("popup.border"))
        .title(Line::styled(title, ui.st("popup.title")))
        .title_bottom(Line::styled(format!(" {hint} "), ui.st("text.dim")))
        .style(ui.st("popup"))
}

/// A filterable command list (help and palette share it).
struct CommandList<'a> {
    title: String,
    hint: &'a str,
    input: &'a str,
    entries: &'a [crate::tui::state::CommandEntry],
    selected: usize,
}

fn command_list(ui: &Ui, f: &mut Frame, area: Rect, list: CommandList) {
    let CommandList {
        title,
        hint,
        input,
        entries,
        selected,
    } = list;
    clear(f, area);
    // The selected command cannot run now: its reason replaces the hint.
    let hint = entries.get(selected).and_then(|e| e.disabled).unwrap_or(hint);
    let block = popup_block(ui, title, hint);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [input_a, list_a] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", ui.st("match")),
            Span::raw(format!("{input}▏")),
        ])),
        input_a,
    );
    let h = list_a.height as usize;
    let offset = selected.saturating_sub(h.saturating_sub(1));
    let widths = [Constraint::Length(16), Constraint::Min(10), Constraint::Length(22)];
    let cols = column_widths(&widths, 1, list_a.width);
    let rows: Vec<Row> = entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, e)| {
            // What cannot run now is dimmed (why: at the foot, when selected).
            let desc = match e.disabled {
                None => Line::from(e.desc),
                Some(_) => Line::from(Span::styled(e.desc, ui.st("text.dim"))),
            };
            let r = fit_row(
                [
                    Line::from(Span::styled(e.keys.clone(), ui.st("statusbar.key"))),
                    desc,
                    Line::from(Span::styled(info(e.cmd).name, ui.st("text.dim"))),
                ],
                &cols,
            );
            if i == selected { r.style(ui.st("selection")) } else { r }
        })
        .collect();
    if entries.is_empty() {
        f.render_widget(Paragraph::new(ui.m(Label::NoMatches)).style(ui.st("text.dim")), list_a);
    } else {
        f.render_widget(Table::new(rows, widths).column_spacing(1), list_a);
    }
}

/// The tasks view: every job of this session, newest first, with its
/// progress while it runs and its result once it ended.
fn tasks(ui: &Ui, f: &mut Frame, area: Rect, selected: usize) {
    let title = format!(" {} ", ui.m(Label::Tasks));
    if ui.s.tasks.is_empty() {
        let r = centered(area, 70, 5);
        clear(f, r);
        f.render_widget(
            wrapped(
                ui.m(Label::NoTasks),
                Some(popup_block(ui, title, ui.m(Label::TasksHint))),
                r,
            )
            .style(ui.st("text.dim")),
            r,
        );
        return;
    }
    let rows =
        ui.s.tasks
            .iter()
            .rev()
            .map(|t| {
                let (state, detail) = match &t.outcome {
                    None => (
                        ui.m(Label::TaskRunning).to_string(),
                        format!(
                            "{} · {} s",
                            super::progress_words(ui, &t.work),
                            t.work.started.elapsed().as_secs()
                        ),
                    ),
                    Some(o) => (
                        ui.m(if o.ok { Label::TaskDone } else { Label::TaskFailed }).to_string(),
                        format!("{:.1} s · {}", o.took.as_secs_f64(), o.short),
                    ),
                };
                vec![state, t.work.label.clone(), detail]
            })
            .collect();
    let widths = [
        Constraint::Length(8),
        Constraint::Percentage(40),
        Constraint::Percentage(60),
    ];
    table_popup(
        ui,
        f,
        area,
        (110, 16),
        (title, ui.m(Label::TasksHint)),
        rows,
        &widths,
        selected,
    );
}

fn rows_len<T>(items: &[T]) -> u16 {
    items.len().min(u16::MAX as usize) as u16
}

/// A list popup drawn as a table: `size` is (width, most rows); every cell
/// is shown inert (ids, values and names may come from teammates' bundles).
#[allow(clippy::too_many_arguments)]
fn table_popup(
    ui: &Ui,
    f: &mut Frame,
    area: Rect,
    size: (u16, u16),
    (title, hint): (String, &str),
    rows: Vec<Vec<String>>,
    widths: &[Constraint],
    selected: usize,
) {
    let r = centered(area, size.0, (rows.len() as u16 + 2).min(size.1));
    clear(f, r);
    table_in(ui, f, r, (title, hint), rows, widths, selected);
}

/// The table of `table_popup` drawn in `r`.
fn table_in(
    ui: &Ui,
    f: &mut Frame,
    r: Rect,
    (title, hint): (String, &str),
    rows: Vec<Vec<String>>,
    widths: &[Constraint],
    selected: usize,
) {
    // Each cell cut with "…" to its column (the table itself would clip).
    let block = popup_block(ui, title, hint);
    let cols = Layout::horizontal(widths.to_vec())
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(block.inner(r));
    let rows: Vec<Row> = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| {
            let row = Row::new(
                cells
                    .iter()
                    .zip(cols.iter())
                    .map(|(c, col)| Cell::from(truncate(&ui.text(c), col.width as usize)))
                    .collect::<Vec<_>>(),
            );
            if i == selected {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    f.render_widget(Table::new(rows, widths.to_vec()).block(block), r);
}

pub(super) fn popup(ui: &Ui, f: &mut Frame, area: Rect, p: &Popup) {
    match p {
        Popup::Form(form) => super::forms::form(ui, f, area, form),
        Popup::Moves {
            reference,
            moves,
            selected,
        } => super::forms::moves(ui, f, area, reference, moves, *selected),
        Popup::Help { filter, selected } => {
            let entries = ui.s.help_entries();
            let r = centered(area, 90, 30);
            let ctx = ui.s.pane.ctx();
            let title = format!(
                " {} · [{}] ",
                ui.m(Label::Help),
                if ctx == KeyContext::Global {
                    "global"
                } else {
                    ctx.name()
                }
            );
            command_list(
                ui,
                f,
                r,
                CommandList {
                    title,
                    hint: ui.m(Label::HelpHint),
                    input: filter,
                    entries: &entries,
                    selected: *selected,
                },
            );
        }
        Popup::Palette { input, selected } => {
            let entries = ui.s.palette_entries();
            let r = centered(area, 80, 20);
            command_list(
                ui,
                f,
                r,
                CommandList {
                    title: format!(" {} ", ui.m(Label::Palette)),
                    hint: ui.m(Label::PaletteHint),
                    input,
                    entries: &entries,
                    selected: *selected,
                },
            );
        }
        Popup::Confirm { message, .. } => {
            let r = centered(area, (width(message) as u16 + 6).max(40), 5);
            clear(f, r);
            f.render_widget(
                wrapped(
                    crate::text::visible_lines(message).into_owned(),
                    Some(popup_block(
                        ui,
                        format!(" {} ", ui.m(Label::Confirm)),
                        ui.m(Label::ConfirmHint),
                    )),
                    r,
                ),
                r,
            );
        }
        Popup::Error(msg) => {
            let r = centered(area, 70, 8);
            clear(f, r);
            f.render_widget(
                wrapped(
                    crate::text::visible_lines(msg).into_owned(),
                    Some(popup_block(
                        ui,
                        format!(" {} ", ui.m(Label::Error)),
                        ui.m(Label::ErrorHint),
                    )),
                    r,
                )
                .style(ui.st("statusbar.error").remove_modifier(Modifier::REVERSED)),
                r,
            );
        }
        Popup::Notice(msg) => {
            let r = centered(area, 70, 10);
            clear(f, r);
            f.render_widget(
                wrapped(
                    crate::text::visible_lines(msg).into_owned(),
                    Some(popup_block(
                        ui,
                        format!(" {} ", ui.m(Label::Synced)),
                        ui.m(Label::ErrorHint),
                    )),
                    r,
                )
                .style(ui.st("text")),
                r,
            );
        }
        Popup::Input {
            prompt,
            value,
            indicator,
            ..
        } => {
            let r = centered(area, 80, 5);
            clear(f, r);
            let text = vec![
                Line::styled(prompt.clone(), ui.st("text")),
                Line::from(format!("> {value}▏")),
            ];
            f.render_widget(
                Paragraph::new(text).block(popup_block(ui, format!(" {indicator} "), ui.m(Label::InputHint))),
                r,
            );
        }
        Popup::Switcher { selected } => {
            let Some(d) = &ui.s.data else { return };
            let rows = d
                .engagements
                .iter()
                .map(|e| vec![e.id.clone(), e.kind.label(ui.zh).to_string(), e.title.clone()])
                .collect();
            let widths = [Constraint::Length(16), Constraint::Length(14), Constraint::Min(10)];
            let title = format!(" {} ", ui.m(Label::Engagements));
            table_popup(
                ui,
                f,
                area,
                (80, 20),
                (title, ui.m(Label::InputHint)),
                rows,
                &widths,
                *selected,
            );
        }
        Popup::Conflicts { items, selected } => {
            let tz = jiff::tz::TimeZone::system();
            let when = |ms: Option<u64>| {
                ms.map(|ms| crate::text::local_time_in(&tz, ms, " %m-%d %H:%M"))
                    .unwrap_or_default()
            };
            // Who and when first: at 80 columns a long value is what is cut.
            let rows = items
                .iter()
                .map(|(c, (won, lost))| {
                    vec![
                        c.entity.id.clone(),
                        crate::model::fields::label(c.entity.kind, &c.field, ui.zh)
                            .unwrap_or(&c.field)
                            .to_string(),
                        format!("{}{}: {}", c.winner.actor, when(*won), c.winner_value),
                        format!("{}{}: {}", c.loser.actor, when(*lost), c.loser_value),
                    ]
                })
                .collect();
            let widths = [
                Constraint::Length(12),
                Constraint::Length(12),
                Constraint::Percentage(40),
                Constraint::Percentage(40),
            ];
            let title = format!(" {} ", ui.m(Label::ConflictsTitle));
            // The table, and under it both values of the selected conflict
            // whole (the table cuts them).
            let detail_h = 7u16;
            let r = centered(area, 100, (rows_len(items) + 2).min(16) + detail_h);
            clear(f, r);
            let [table_r, detail_r] = Layout::vertical([Constraint::Min(3), Constraint::Length(detail_h)]).areas(r);
            table_in(
                ui,
                f,
                table_r,
                (title, ui.m(Label::ConflictsHint)),
                rows,
                &widths,
                *selected,
            );
            if let Some((c, _)) = items.get(*selected) {
                let lines = vec![
                    Line::from(vec![
                        Span::styled(
                            format!("{}: ", crate::text::visible(&c.winner.actor)),
                            ui.st("status.ok"),
                        ),
                        Span::styled(ui.full(&c.winner_value.to_string()), ui.st("text")),
                    ]),
                    Line::from(vec![
                        Span::styled(format!("{}: ", crate::text::visible(&c.loser.actor)), ui.st("text.dim")),
                        Span::styled(ui.full(&c.loser_value.to_string()), ui.st("text")),
                    ]),
                ];
                let b = Block::default()
                    .borders(Borders::ALL)
                    .border_set(ui.t.border_set())
                    .border_style(ui.st("border"));
                f.render_widget(wrapped(lines, Some(b), detail_r), detail_r);
            }
        }
        Popup::Evidence { items, selected } => {
            let rows = items
                .iter()
                .map(|(sha, name)| {
                    let size = ui.s.data.as_ref().and_then(|d| d.evidence.get(sha));
                    vec![
                        crate::text::head(sha, 12).to_string(),
                        size.map_or(String::new(), |e| format!("{} B", e.size)),
                        name.clone(),
                    ]
                })
                .collect();
            let widths = [Constraint::Length(13), Constraint::Length(14), Constraint::Min(10)];
            let title = format!(" {} ", ui.m(Label::EvidenceTitle));
            table_popup(
                ui,
                f,
                area,
                (80, 16),
                (title, ui.m(Label::EvidenceHint)),
                rows,
                &widths,
                *selected,
            );
        }
        Popup::Tasks { selected } => tasks(ui, f, area, *selected),
        Popup::Requests { selected } => {
            let Some(d) = ui.s.data.as_ref() else { return };
            let today = d.today;
            let mut rows: Vec<Vec<String>> = vec![
                [
                    Label::ColNumber,
                    Label::ColDue,
                    Label::ColStatus,
                    Label::ColRequest,
                    Label::ColAnswer,
                ]
                .iter()
                .map(|l| ui.m(*l).to_string())
                .collect(),
            ];
            for r in &d.requests {
                // Month and day; the year too when it is not this year's.
                let due = r
                    .due
                    .map(|x| {
                        x.strftime(if x.year() == today.year() { "%m-%d" } else { "%Y-%m-%d" })
                            .to_string()
                    })
                    .unwrap_or_default();
                let late = if r.overdue(today) { "!" } else { "" };
                let files = if r.evidence.is_empty() {
                    String::new()
                } else {
                    // First: a narrow column cuts the answer's end.
                    format!("[{}] ", r.evidence.len())
                };
                // What the auditee must act on first: why it came back or
                // was reopened; else the answer and how many files it has.
                let answer = if !r.comment.is_empty() && r.status.awaits_auditee() {
                    format!("↩ {}", r.comment)
                } else {
                    format!("{files}{}", r.answer)
                };
                rows.push(vec![
                    r.number.clone(),
                    format!("{due}{late}"),
                    r.status.label(ui.zh).to_string(),
                    r.text.lines().next().unwrap_or_default().to_string(),
                    answer,
                ]);
            }
            if d.requests.is_empty() {
                // What to press for the first one.
                rows.push(vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    ui.m(Label::NoRequests).into(),
                ]);
            }
            let waiting = d.requests.iter().filter(|r| r.status.awaits_auditee()).count();
            let review = d
                .requests
                .iter()
                .filter(|r| r.status == crate::model::request::RequestStatus::Submitted)
                .count();
            let title = format!(
                " {} · {} ",
                ui.m(Label::RequestsTitle),
                ui.m(Label::RequestsAwaiting)
                    .replace("{n}", &waiting.to_string())
                    .replace("{s}", &review.to_string())
            );
            // Room for the year (and the overdue mark) when a date has one.
            let other_year = d
                .requests
                .iter()
                .any(|r| r.due.is_some_and(|x| x.year() != today.year()));
            let widths = [
                Constraint::Length(9),
                Constraint::Length(if other_year { 11 } else { 7 }),
                Constraint::Length(10),
                Constraint::Min(20),
                Constraint::Length(if area.width < 100 { 14 } else { 28 }),
            ];
            table_popup(
                ui,
                f,
                area,
                (110, 24),
                (
                    title,
                    ui.m(if ui.s.i_audit() {
                        Label::RequestsHint
                    } else {
                        Label::RequestsHintAuditee
                    }),
                ),
                rows,
                &widths,
                *selected + 1,
            );
        }
        Popup::AuditPlan { selected } => {
            let Some(d) = ui.s.data.as_ref() else { return };
            let Some(p) = d.audit_plan.as_ref() else { return };
            let rows: Vec<Vec<String>> = d
                .plan_rows()
                .into_iter()
                .map(|r| {
                    let title = match r.meeting {
                        Some((kind, n, ph)) => format!(
                            "✓ {} · {}",
                            kind.label(ui.zh),
                            ui.m(Label::MeetingLine)
                                .replace("{n}", &n.to_string())
                                .replace("{ph}", &ph.to_string())
                        ),
                        None => r.title,
                    };
                    vec![
                        r.on.map(|d| d.strftime("%m-%d").to_string()).unwrap_or_default(),
                        r.time,
                        title,
                        r.place,
                        r.who,
                    ]
                })
                .collect();
            let n = |v: Option<f64>| v.map_or("—".into(), |v| v.to_string());
            let days = d.person_days.as_ref().map(|x| {
                ui.m(Label::PersonDaysLine)
                    .replace("{p}", &n(x.planned))
                    .replace("{a}", &n(x.actual))
            });
            let mode = p.mode.map(|m| format!("{} {}", m.as_str(), m.words(ui.zh)));
            let title = [Some(ui.m(Label::AuditPlanTitle).to_string()), mode, days]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            // Narrow: the activity keeps its room, place and people give some.
            let narrow = area.width < 100;
            let widths = [
                Constraint::Length(6),
                Constraint::Length(12),
                Constraint::Min(16),
                Constraint::Length(if narrow { 10 } else { 14 }),
                Constraint::Length(if narrow { 16 } else { 24 }),
            ];
            let mut rows = rows;
            rows.insert(
                0,
                [
                    Label::ColDate,
                    Label::ColTime,
                    Label::ColActivity,
                    Label::ColPlace,
                    Label::ColAuditors,
                ]
                .iter()
                .map(|l| ui.m(*l).to_string())
                .collect(),
            );
            table_popup(
                ui,
                f,
                area,
                (110, 24),
                (format!(" {title} "), ui.m(Label::AuditPlanHint)),
                rows,
                &widths,
                *selected + 1,
            );
        }
        Popup::QaRound { selected } => {
            let Some(d) = ui.s.data.as_ref() else { return };
            let reviews = d.qa_latest();
            let (Some(first), Some(fig)) = (reviews.first(), d.qa_round.as_ref()) else {
                return;
            };
            let rater = |r: &crate::model::qa::QaReview, x: crate::model::qa::Rater| -> String {
                let card = r.card().ok();
                match (r.scores(x), r.seal(x), card) {
                    (Some(s), _, Some(c)) => {
                        let v = c.verdict(&s);
                        format!(
                            "{} {}",
                            v.total,
                            ui.m(if v.pass { Label::QaPass } else { Label::QaFail })
                        )
                    }
                    (None, Some(_), _) => ui.m(Label::QaSealed).to_string(),
                    _ => "—".to_string(),
                }
            };
            let rows = reviews
                .iter()
                .map(|r| {
                    let result = match (r.final_pass(), r.disagree()) {
                        (Some(p), _) => ui.m(if p { Label::QaPass } else { Label::QaFail }).to_string(),
                        (None, Some(true)) => format!("{} ({})", ui.m(Label::QaToSettle), ui.text(&r.reconciler)),
                        _ => ui.m(Label::QaWaiting).to_string(),
                    };
                    vec![
                        r.reference().to_string(),
                        ui.text(&r.item),
                        rater(r, crate::model::qa::Rater::A),
                        rater(r, crate::model::qa::Rater::B),
                        result,
                    ]
                })
                .collect();
            let widths = [
                Constraint::Length(8),
                Constraint::Min(10),
                Constraint::Length(12),
                Constraint::Length(12),
                Constraint::Length(20),
            ];
            let k = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2}"));
            let title = format!(
                " {} {} · A {} · B {} · κ {} · {} ",
                ui.m(Label::QaRoundTitle),
                ui.text(&first.round),
                ui.text(&first.rater_a),
                ui.text(&first.rater_b),
                k(fig.kappa),
                fig.pass_rate.map_or("—".into(), |p| format!("{p:.1}%"))
            );
            table_popup(
                ui,
                f,
                area,
                (100, 24),
                (title, ui.m(Label::QaRoundHint)),
                rows,
                &widths,
                *selected,
            );
        }
        Popup::Pending(next) => {
            let h = (next.len() as u16 + 2).min(12);
            let r = Rect {
                x: area.right().saturating_sub(42),
                y: area.bottom().saturating_sub(h + 1),
                width: 42.min(area.width),
                height: h,
            };
            clear(f, r);
            let lines: Vec<Line> = next
                .iter()
                .map(|(seq, cmd)| {
                    Line::from(vec![
                        Span::styled(format!("{:<8}", display_seq(seq)), ui.st("statusbar.key")),
                        Span::raw(info(*cmd).describe(ui.lang)),
                    ])
                })
                .collect();
            f.render_widget(
                Paragraph::new(lines).block(popup_block(ui, format!(" {} ", ui.m(Label::KeysNext)), "")),
                r,
            );
        }
    }
}
