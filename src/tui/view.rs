//! Drawing: `view(&State, &mut Frame)`. Only visible rows are built; every
//! string comes from the message tables or the data; widths are in cells.

use super::commands::{Ctx, info};
use super::i18n::M;
use super::keymap::display_seq;
use super::state::{ActionCol, FindingCol, Pane, Popup, RemView, Row as CRow, State};
use super::theme::Theme;
use crate::config::Lang;
use crate::model::action::ActionStatus;
use crate::model::assessment::AssessmentResult;
use crate::model::catalog::Direction;
use crate::model::finding::{FindingStatus, Grade};
use crate::text::{side, truncate, width};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 15;

struct Ui<'a> {
    s: &'a State,
    t: &'a Theme,
    lang: Lang,
    zh: bool,
}

impl Ui<'_> {
    fn m(&self, m: M) -> &'static str {
        m.t(self.lang)
    }
    fn st(&self, role: &str) -> Style {
        self.t.style(role)
    }
    fn block<'b>(&self, title: impl Into<Line<'b>>, focused: bool) -> Block<'b> {
        Block::default()
            .borders(Borders::ALL)
            .border_set(self.t.border_set())
            .border_style(self.st(if focused { "border.focused" } else { "border" }))
            .title(
                title
                    .into()
                    .style(self.st(if focused { "pane.title.focused" } else { "pane.title" })),
            )
    }
    fn text(&self, s: &str) -> String {
        side(s, self.zh).to_string()
    }
}

fn grade_role(g: Grade) -> &'static str {
    match g {
        Grade::Major => "finding.major",
        Grade::Minor => "finding.minor",
        Grade::Observation => "finding.observation",
        Grade::Improvement => "finding.improvement",
    }
}

fn result_role(r: AssessmentResult) -> &'static str {
    match r {
        AssessmentResult::Conforming => "result.conforming",
        AssessmentResult::Partially => "result.partially",
        AssessmentResult::Nonconforming => "result.nonconforming",
        AssessmentResult::NotApplicable => "result.not_applicable",
        AssessmentResult::NotAssessed => "result.not_assessed",
    }
}

pub fn view(s: &State, t: &Theme, f: &mut Frame) {
    let area = f.area();
    let ui = Ui {
        s,
        t,
        lang: s.lang,
        zh: s.lang.is_zh(),
    };
    if area.width < MIN_W || area.height < MIN_H {
        too_small(&ui, f, area);
        return;
    }
    let [header, tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(&ui, f, header);
    draw_tabs(&ui, f, tabs);
    match &s.data {
        None => welcome(&ui, f, body),
        Some(_) => match s.pane {
            Pane::Dashboard => dashboard(&ui, f, body),
            Pane::Checklist => checklist(&ui, f, body),
            Pane::Findings => findings(&ui, f, body),
            Pane::Remediation => remediation(&ui, f, body),
        },
    }
    draw_status(&ui, f, status);
    if let Some(p) = &s.popup {
        popup(&ui, f, area, p);
    }
}

fn too_small(ui: &Ui, f: &mut Frame, area: Rect) {
    let msg = format!("{} ({} {}×{})", ui.m(M::TooSmall), ui.m(M::Need), MIN_W, MIN_H);
    let lines = vec![Line::from(msg), Line::from(format!("{}×{}", area.width, area.height))];
    let y = area.y + area.height.saturating_sub(2) / 2;
    let r = Rect {
        x: area.x,
        y,
        width: area.width,
        height: area.height.saturating_sub(y - area.y).min(2),
    };
    f.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .style(ui.st("text")),
        r,
    );
}

fn draw_header(ui: &Ui, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(format!(" {} ", ui.m(M::App)), ui.st("header"))];
    if let Some(d) = &ui.s.data {
        spans.push(Span::styled(
            format!("{} · {} ", d.engagement.id, ui.text(&d.engagement.title)),
            ui.st("header"),
        ));
        if d.catalog.provisional {
            spans.push(Span::styled(
                format!("[{}] ", ui.m(M::Provisional)),
                ui.st("header.provisional"),
            ));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("header")), area);
}

fn draw_tabs(ui: &Ui, f: &mut Frame, area: Rect) {
    let mut x = area.x;
    let mut hits = Vec::new();
    let mut spans = Vec::new();
    for (i, p) in Pane::ALL.iter().enumerate() {
        let name = match p {
            Pane::Dashboard => M::Dashboard,
            Pane::Checklist => M::Checklist,
            Pane::Findings => M::Findings,
            Pane::Remediation => M::Remediation,
        };
        let label = format!(" {} {} ", i + 1, ui.m(name));
        let w = width(&label) as u16;
        hits.push((
            Rect {
                x,
                y: area.y,
                width: w.min(area.right().saturating_sub(x)),
                height: 1,
            },
            *p,
        ));
        x = x.saturating_add(w + 1);
        spans.push(Span::styled(
            label,
            ui.st(if *p == ui.s.pane { "tab.active" } else { "tab" }),
        ));
        spans.push(Span::raw(" "));
    }
    ui.s.hits.borrow_mut().tabs = hits;
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(ui: &Ui, f: &mut Frame, area: Rect) {
    let s = ui.s;
    let mut spans = Vec::new();
    if let Some(d) = &s.data {
        spans.push(Span::styled(
            format!(" {} · {} {} ", d.engagement.id, ui.m(M::Actor), d.me),
            ui.st("statusbar"),
        ));
    }
    // Hints from the registry through the active keymap.
    let ctx = s.pane.ctx();
    let hint_cmds: &[super::commands::Cmd] = match s.pane {
        Pane::Dashboard => &[
            super::commands::Cmd::Help,
            super::commands::Cmd::Palette,
            super::commands::Cmd::PaneNext,
            super::commands::Cmd::Quit,
        ],
        Pane::Checklist => &[
            super::commands::Cmd::Help,
            super::commands::Cmd::WalkNext,
            super::commands::Cmd::AssessConforming,
            super::commands::Cmd::AssessNonconforming,
            super::commands::Cmd::Filter,
        ],
        Pane::Findings => &[
            super::commands::Cmd::Help,
            super::commands::Cmd::Open,
            super::commands::Cmd::Filter,
            super::commands::Cmd::SortNext,
            super::commands::Cmd::FilterOverdue,
        ],
        Pane::Remediation => &[
            super::commands::Cmd::Help,
            super::commands::Cmd::ViewNext,
            super::commands::Cmd::Filter,
            super::commands::Cmd::SortNext,
        ],
    };
    for c in hint_cmds {
        if let Some(k) = s.keymap.keys_for(ctx, *c).first() {
            spans.push(Span::styled(format!(" {k} "), ui.st("statusbar.key")));
            let d = info(*c).describe(ui.lang);
            spans.push(Span::styled(truncate(d, 18), ui.st("statusbar")));
        }
    }
    if let Some((msg, is_err, _)) = &s.message {
        spans.push(Span::styled(
            format!("  {msg}"),
            ui.st(if *is_err {
                "statusbar.error"
            } else {
                "statusbar.message"
            }),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("statusbar")), area);
}

fn welcome(ui: &Ui, f: &mut Frame, area: Rect) {
    let b = ui.block(ui.m(M::Welcome), true);
    let mut text = Text::default();
    for w in &ui.s.warnings {
        text.lines.push(Line::styled(w.clone(), ui.st("statusbar.error")));
    }
    text.lines.extend(
        ui.m(M::WelcomeBody)
            .lines()
            .map(|l| Line::styled(l.to_string(), ui.st("text"))),
    );
    f.render_widget(Paragraph::new(text).block(b).wrap(Wrap { trim: false }), area);
}

// ---------------------------------------------------------------- dashboard

fn bar(progress: f64, cells: usize) -> String {
    let filled = ((progress.clamp(0.0, 1.0)) * cells as f64).round() as usize;
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(cells.saturating_sub(filled)));
    s
}

fn dashboard(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    // Full heights when there is room; shared proportionally on short terminals.
    let (h_top, h_mid) = if area.height >= 26 {
        (7, 13)
    } else {
        (area.height * 3 / 10, area.height * 2 / 5)
    };
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Length(h_top), Constraint::Length(h_mid), Constraint::Min(3)]).areas(area);
    let [info_a, team_a] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
    let e = &d.engagement;
    let period = match (e.period_start, e.period_end) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "-".into(),
    };
    let mut cat_line = vec![Span::styled(
        format!("{}: {} {}", ui.m(M::Catalogue), d.catalog.id, d.catalog.version),
        ui.st("text"),
    )];
    if d.catalog.provisional {
        cat_line.push(Span::styled(
            format!("  [{}]", ui.m(M::Provisional)),
            ui.st("header.provisional"),
        ));
    }
    let info = vec![
        Line::styled(ui.text(&e.title), ui.st("text.title")),
        Line::styled(format!("{}: {}", ui.m(M::Auditee), ui.text(&e.auditee)), ui.st("text")),
        Line::styled(
            format!(
                "{}: {}   {}: {}",
                ui.m(M::Kind),
                e.kind.label(ui.zh),
                ui.m(M::Period),
                period
            ),
            ui.st("text"),
        ),
        Line::styled(format!("{}: {}", ui.m(M::Site), ui.text(&e.site)), ui.st("text")),
        Line::from(cat_line),
    ];
    f.render_widget(
        Paragraph::new(info).block(ui.block(format!(" {} ", e.id), false)),
        info_a,
    );
    let team: Vec<Line> = d
        .team
        .iter()
        .map(|m| {
            let cert = m
                .certificate_no
                .clone()
                .map_or_else(|| format!("({})", ui.m(M::NoCertificate)), |c| format!("✓ {c}"));
            Line::from(vec![
                Span::styled(format!("{:<4}", m.initials), ui.st("text.title")),
                Span::styled(truncate(&ui.text(&m.name), 14), ui.st("text")),
                Span::raw(" "),
                Span::styled(m.role.label(ui.zh).to_string(), ui.st("text.dim")),
                Span::raw(" "),
                Span::styled(
                    cert,
                    ui.st(if m.certificate_no.is_some() {
                        "status.ok"
                    } else {
                        "text.dim"
                    }),
                ),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(team).block(ui.block(format!(" {} ", ui.m(M::Team)), false)),
        team_a,
    );

    // Progress and score per group.
    let [prog_a, grid_a] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(mid);
    let inner_w = prog_a.width.saturating_sub(2) as usize;
    let label_w = 24usize.min(inner_w / 2);
    let bar_w = inner_w.saturating_sub(label_w + 14).max(4);
    let mut lines = Vec::new();
    let mut line_for = |name: String, g: &crate::model::scoring::GroupScore, bold: bool| {
        let score = g.score.map_or_else(|| "  -  ".into(), |s| format!("{s:5.1}"));
        lines.push(Line::from(vec![
            Span::styled(
                crate::text::fit(&name, label_w),
                ui.st(if bold { "text.title" } else { "text" }),
            ),
            Span::styled(bar(g.progress, bar_w), ui.st("gauge")),
            Span::styled(format!(" {:>2}/{:<2} ", g.assessed, g.applicable), ui.st("text.dim")),
            Span::styled(score, ui.st("text")),
        ]));
    };
    line_for(ui.m(M::Overall).to_string(), &d.report.scorecard.overall, true);
    for top in d.catalog.top_groups() {
        if let Some(g) = d.report.scorecard.group(&top.id) {
            line_for(top.name(ui.zh).to_string(), g, true);
        }
        for child in d.catalog.children(&top.id) {
            if let Some(g) = d.report.scorecard.group(&child.id) {
                line_for(format!("  {}", child.name(ui.zh)), g, false);
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(ui.block(format!(" {} ", ui.m(M::Progress)), false)),
        prog_a,
    );

    // Findings by grade × status.
    let shown: Vec<FindingStatus> = FindingStatus::ALL.to_vec();
    let short = |s: FindingStatus| -> &'static str {
        match s {
            FindingStatus::Draft => ui.lang.pick("drf", "草稿"),
            FindingStatus::Issued => ui.lang.pick("iss", "开具"),
            FindingStatus::Responded => ui.lang.pick("rsp", "回复"),
            FindingStatus::PlanAccepted => ui.lang.pick("pln", "计划"),
            FindingStatus::Implemented => ui.lang.pick("imp", "实施"),
            FindingStatus::Verified => ui.lang.pick("ver", "验证"),
            FindingStatus::Closed => ui.lang.pick("cls", "关闭"),
            FindingStatus::Withdrawn => ui.lang.pick("wdn", "撤回"),
            FindingStatus::Reopened => ui.lang.pick("reo", "重开"),
        }
    };
    let mut header = vec![Cell::from("")];
    header.extend(shown.iter().map(|s| Cell::from(short(*s))));
    header.push(Cell::from("Σ"));
    let rows: Vec<Row> = Grade::ALL
        .iter()
        .map(|g| {
            let m = d.report.findings_by_grade.get(g.as_str());
            let mut cells = vec![Cell::from(Span::styled(g.label(ui.zh), ui.st(grade_role(*g))))];
            let mut total = 0;
            for s in &shown {
                let n = m.and_then(|m| m.get(s.as_str())).copied().unwrap_or(0);
                total += n;
                cells.push(Cell::from(if n == 0 { "·".to_string() } else { n.to_string() }));
            }
            cells.push(Cell::from(total.to_string()));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(12)];
    widths.extend(shown.iter().map(|_| Constraint::Length(5)));
    widths.push(Constraint::Length(5));
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(ui.st("table.header")))
            .column_spacing(0)
            .block(ui.block(format!(" {} ", ui.m(M::FindingsByGrade)), false)),
        grid_a,
    );

    // Remediation at a glance.
    let r = &d.report;
    let [counts_a, oldest_a] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(bottom);
    let count_line = |label: M, n: usize, role: &str| {
        Line::from(vec![
            Span::styled(format!("{:>5}  ", n), ui.st(role)),
            Span::styled(ui.m(label), ui.st("text")),
        ])
    };
    let counts = vec![
        count_line(M::Overdue, r.overdue.len(), "status.overdue"),
        count_line(M::Due7, r.due_7.len(), "status.due_soon"),
        count_line(M::Due30, r.due_30.len(), "text"),
        count_line(M::AwaitingVerification, r.awaiting_verification.len(), "text"),
        count_line(M::Verified, r.verified, "status.verified"),
    ];
    f.render_widget(
        Paragraph::new(counts).block(ui.block(format!(" {} ", ui.m(M::RemediationAtAGlance)), false)),
        counts_a,
    );
    let room = oldest_a.height.saturating_sub(2) as usize;
    let oldest: Vec<Line> = if r.overdue.is_empty() {
        vec![Line::styled(ui.m(M::NothingOverdue), ui.st("status.ok"))]
    } else {
        r.overdue
            .iter()
            .take(room)
            .map(|l| {
                Line::from(vec![
                    Span::styled(
                        format!("{:>4}{} ", l.days_overdue.unwrap_or(0), ui.m(M::Days)),
                        ui.st("status.overdue"),
                    ),
                    Span::styled(format!("{} ", l.id), ui.st("text.dim")),
                    Span::styled(format!("{} ", truncate(&ui.text(&l.owner), 16)), ui.st("text")),
                    Span::styled(ui.text(&l.description), ui.st("text")),
                ])
            })
            .collect()
    };
    f.render_widget(
        Paragraph::new(oldest).block(ui.block(format!(" {} ", ui.m(M::OldestOverdue)), false)),
        oldest_a,
    );
}

// ---------------------------------------------------------------- lists

/// Title with counts and the active filter.
fn list_title(ui: &Ui, name: M, shown: usize, total: usize, filter: &str, extra: &str) -> String {
    let mut t = format!(" {} {}/{} ", ui.m(name), shown, total);
    if !filter.is_empty() || ui.s.filtering {
        let cursor = if ui.s.filtering { "▏" } else { "" };
        t.push_str(&format!("· {} /{}{} ", ui.m(M::Filter), filter, cursor));
    }
    if !extra.is_empty() {
        t.push_str(&format!("· {extra} "));
    }
    t
}

/// The first row to show: the stored offset, corrected so the selection is
/// visible and the screen is filled (the state may not know the height yet).
fn effective_offset(offset: usize, selected: Option<usize>, len: usize, height: usize) -> usize {
    let mut o = offset;
    if let Some(i) = selected {
        if i < o {
            o = i;
        } else if height > 0 && i >= o + height {
            o = i + 1 - height;
        }
    }
    o.min(len.saturating_sub(height))
}

fn visible(offset: usize, len: usize, height: usize) -> std::ops::Range<usize> {
    let start = offset.min(len);
    start..(start + height).min(len)
}

/// Draw a list pane's frame and record its geometry for paging and mouse hits;
/// returns the inner area and the range of rows to build (only those visible).
fn list_frame(
    ui: &Ui,
    f: &mut Frame,
    area: Rect,
    title: String,
    len: usize,
    selected: Option<usize>,
    offset: usize,
) -> (Rect, std::ops::Range<usize>) {
    let block = ui.block(title, true);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let height = inner.height.saturating_sub(1) as usize;
    let offset = effective_offset(offset, selected, len, height);
    let mut h = ui.s.hits.borrow_mut();
    h.list_height = height;
    h.list = Some((
        Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        },
        offset,
    ));
    (inner, visible(offset, len, height))
}

fn no_matches(ui: &Ui, f: &mut Frame, inner: Rect) {
    let r = Rect {
        y: inner.y + 1,
        height: 1.min(inner.height.saturating_sub(1)),
        ..inner
    };
    f.render_widget(Paragraph::new(ui.m(M::NoMatches)).style(ui.st("text.dim")), r);
}

fn measured_text(ui: &Ui, ind: &crate::model::catalog::Indicator, measured: Option<f64>) -> (String, Option<bool>) {
    let target = ind.target.map(|t| {
        let dir = match ind.direction {
            Direction::Higher => "≥",
            Direction::Lower => "≤",
        };
        format!("{dir}{}", ind.unit.format(t, ui.zh))
    });
    match measured {
        Some(m) => (
            format!(
                "{} / {}",
                ind.unit.format(m, ui.zh),
                target.unwrap_or_else(|| "-".into())
            ),
            ind.meets_target(m),
        ),
        None => (format!("- / {}", target.unwrap_or_else(|| "-".into())), None),
    }
}

fn checklist(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let cl = &ui.s.checklist;
    let wide = area.width >= 100;
    let [list_a, detail_a] = if wide {
        Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
    };
    let assessed = d
        .assessments
        .values()
        .filter(|a| a.result != AssessmentResult::NotAssessed)
        .count();
    let extra = if cl.walk_mine {
        ui.m(M::WalkMine).to_string()
    } else {
        format!("{} {assessed}", ui.m(M::Assessed))
    };
    let n_ind = cl.rows.iter().filter(|(r, _)| matches!(r, CRow::Indicator(_))).count();
    let title = list_title(ui, M::Checklist, n_ind, d.catalog.indicators.len(), &cl.filter, &extra);
    let sel = cl
        .selected
        .as_ref()
        .and_then(|s| cl.rows.iter().position(|(r, _)| r == s));
    let (inner, range) = list_frame(ui, f, list_a, title, cl.rows.len(), sel, cl.offset);
    let fixed: [u16; 5] = [13, 15, 9, 9, 2];
    let label_w = (inner.width as usize)
        .saturating_sub(fixed.iter().map(|w| *w as usize + 1).sum::<usize>())
        .max(8);
    let rows: Vec<Row> = cl.rows[range]
        .iter()
        .map(|(row, level)| {
            let selected = cl.selected.as_ref() == Some(row);
            let indent = "  ".repeat(*level);
            let r = match row {
                CRow::Group(g) => {
                    let name = d.catalog.group(g).map(|g| g.name(ui.zh)).unwrap_or(g);
                    let mark = if cl.collapsed.contains(g) && cl.filter.is_empty() {
                        "▸"
                    } else {
                        "▾"
                    };
                    let under: Vec<&str> = d
                        .catalog
                        .indicators
                        .iter()
                        .filter(|i| d.catalog.in_group(i, g))
                        .map(|i| i.id.as_str())
                        .collect();
                    let done = under
                        .iter()
                        .filter(|i| {
                            d.assessments
                                .get(**i)
                                .is_some_and(|a| a.result != AssessmentResult::NotAssessed)
                        })
                        .count();
                    Row::new(vec![
                        Cell::from(Span::styled(
                            truncate(&format!("{indent}{mark} {name}"), label_w),
                            ui.st("group"),
                        )),
                        Cell::from(Span::styled(format!("{done}/{}", under.len()), ui.st("text.dim"))),
                    ])
                }
                CRow::Indicator(id) => {
                    let ind = d.catalog.indicator(id);
                    let a = d.assessments.get(id);
                    let result = a.map_or(AssessmentResult::NotAssessed, |a| a.result);
                    let (mtext, met) = ind
                        .map(|i| measured_text(ui, i, a.and_then(|a| a.measured)))
                        .unwrap_or_default();
                    let fcount = d.findings_by_indicator.get(id).map_or(0, Vec::len);
                    let name = ind.map(|i| i.name(ui.zh)).unwrap_or(id);
                    Row::new(vec![
                        Cell::from(Line::from(vec![
                            Span::styled(format!("{indent}{id} "), ui.st("text.dim")),
                            Span::styled(
                                truncate(name, label_w.saturating_sub(width(&indent) + id.len() + 1)),
                                ui.st("text"),
                            ),
                        ])),
                        Cell::from(Span::styled(result.label(ui.zh), ui.st(result_role(result)))),
                        Cell::from(Span::styled(
                            truncate(&format!("{}{mtext}", if met == Some(false) { "✗ " } else { "" }), 15),
                            ui.st(match met {
                                Some(true) => "target.met",
                                Some(false) => "target.missed",
                                None => "text.dim",
                            }),
                        )),
                        Cell::from(Span::styled(
                            truncate(&a.and_then(|a| a.assignee.clone()).unwrap_or_default(), 9),
                            ui.st("text.dim"),
                        )),
                        Cell::from(Span::styled(
                            truncate(a.map(|a| a.workflow.label(ui.zh)).unwrap_or(""), 9),
                            ui.st("text.dim"),
                        )),
                        Cell::from(if fcount > 0 { fcount.to_string() } else { String::new() }),
                    ])
                }
            };
            if selected { r.style(ui.st("selection")) } else { r }
        })
        .collect();
    let header = Row::new(vec![
        format!("{} / {}", ui.m(M::ColId), ui.m(M::ColName)),
        ui.m(M::ColResult).to_string(),
        ui.m(M::ColMeasured).to_string(),
        ui.m(M::ColAssignee).to_string(),
        ui.m(M::ColWorkflow).to_string(),
        ui.m(M::ColFindings).to_string(),
    ])
    .style(ui.st("table.header"));
    let widths = [
        Constraint::Length(label_w as u16),
        Constraint::Length(fixed[0]),
        Constraint::Length(fixed[1]),
        Constraint::Length(fixed[2]),
        Constraint::Length(fixed[3]),
        Constraint::Length(fixed[4]),
    ];
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    checklist_detail(ui, f, detail_a);
}

fn history_lines<'a>(ui: &Ui, entity_matches: bool, max: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if let (true, Some((_, ops))) = (entity_matches, &ui.s.history) {
        for op in ops.iter().rev().take(max) {
            let when = jiff::Timestamp::from_millisecond(op.hlc.wall_ms as i64)
                .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            out.push(Line::from(vec![
                Span::styled(format!("{when} "), ui.st("text.dim")),
                Span::styled(format!("{} ", op.id.actor), ui.st("text.title")),
                Span::styled(truncate(&describe_change(&op.change, ui.lang), 60), ui.st("text")),
            ]));
        }
    }
    out
}

/// A change in words for the history panel: field labels and enum values in
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
                .parse::<FindingStatus>()
                .map(|s| s.label(zh))
                .or_else(|_| text.parse::<ActionStatus>().map(|s| s.label(zh)))
                .ok(),
            "grade" => text.parse::<Grade>().ok().map(|g| g.label(zh)),
            "result" => text.parse::<AssessmentResult>().ok().map(|r| r.label(zh)),
            "workflow" => text
                .parse::<crate::model::assessment::Workflow>()
                .ok()
                .map(|w| w.label(zh)),
            _ => None,
        };
        enum_label.map_or_else(|| side(text, zh).to_string(), str::to_string)
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

fn section<'a>(ui: &Ui, title: M) -> Line<'a> {
    Line::styled(format!("— {} —", ui.m(title)), ui.st("text.title"))
}

fn checklist_detail(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let mut lines: Vec<Line> = Vec::new();
    let title = match &ui.s.checklist.selected {
        Some(CRow::Indicator(id)) => {
            if let Some(ind) = d.catalog.indicator(id) {
                let a = d.assessments.get(id);
                lines.push(Line::styled(
                    format!("{} {}", ind.id, ind.name(ui.zh)),
                    ui.st("text.title"),
                ));
                let path: Vec<&str> = d.catalog.path_of(ind).iter().map(|g| g.name(ui.zh)).collect();
                lines.push(Line::styled(path.join(" › "), ui.st("text.dim")));
                let mut def = format!(
                    "{}: {}, {}",
                    ui.m(M::Definition),
                    ind.unit.label(ui.zh),
                    match ind.direction {
                        Direction::Higher => ui.lang.pick("higher is better", "越高越好"),
                        Direction::Lower => ui.lang.pick("lower is better", "越低越好"),
                    }
                );
                if let Some(m) = &ind.metric {
                    def.push_str(&format!(
                        "; {m}{}",
                        ind.variant.as_deref().map(|v| format!(" ({v})")).unwrap_or_default()
                    ));
                }
                def.push_str(&format!("; {}", ind.provenance));
                lines.push(Line::styled(def, ui.st("text")));
                let (mtext, _) = measured_text(ui, ind, a.and_then(|a| a.measured));
                let result = a.map_or(AssessmentResult::NotAssessed, |a| a.result);
                lines.push(Line::from(vec![
                    Span::styled(format!("{}: ", ui.m(M::ColResult)), ui.st("text")),
                    Span::styled(result.label(ui.zh), ui.st(result_role(result))),
                    Span::styled(format!("   {mtext}"), ui.st("text")),
                ]));
                if let Some(b) = &ind.target_basis {
                    lines.push(Line::styled(b.clone(), ui.st("text.dim")));
                }
                lines.push(section(ui, M::EvidenceToAsk));
                lines.push(Line::styled(ind.evidence_hint(ui.zh).to_string(), ui.st("text")));
                if let Some(a) = a {
                    if !a.notes.is_empty() {
                        lines.push(section(ui, M::Notes));
                        lines.push(Line::styled(ui.text(&a.notes), ui.st("text")));
                    }
                    if !a.method.is_empty() {
                        lines.push(section(ui, M::Method));
                        lines.push(Line::styled(ui.text(&a.method), ui.st("text")));
                    }
                    if !a.evidence.is_empty() {
                        lines.push(section(ui, M::Evidence));
                        for sha in &a.evidence {
                            let name = d.evidence.get(sha).map(|e| e.name.clone()).unwrap_or_default();
                            lines.push(Line::styled(
                                format!("{} {name}", &sha[..12.min(sha.len())]),
                                ui.st("text"),
                            ));
                        }
                    }
                }
                if let Some(fs) = d.findings_by_indicator.get(id) {
                    lines.push(section(ui, M::LinkedFindings));
                    for &i in fs {
                        let fi = &d.findings[i];
                        lines.push(Line::from(vec![
                            Span::styled(format!("{} ", fi.reference), ui.st(grade_role(fi.grade))),
                            Span::styled(format!("{} ", fi.status.label(ui.zh)), ui.st("text.dim")),
                            Span::styled(ui.text(&fi.title), ui.st("text")),
                        ]));
                    }
                }
                let matches =
                    ui.s.history
                        .as_ref()
                        .is_some_and(|(e, _)| e.id.ends_with(&format!("/{id}")));
                let h = history_lines(ui, matches, 8);
                if !h.is_empty() {
                    lines.push(section(ui, M::History));
                    lines.extend(h);
                }
            }
            format!(" {id} ")
        }
        Some(CRow::Group(g)) => {
            if let Some(sc) = d.report.scorecard.group(g) {
                let name = d.catalog.group(g).map(|x| x.name(ui.zh)).unwrap_or(g);
                lines.push(Line::styled(name.to_string(), ui.st("text.title")));
                lines.push(Line::styled(
                    format!(
                        "{} {}/{}  {} {}",
                        ui.m(M::Assessed),
                        sc.assessed,
                        sc.applicable,
                        ui.m(M::Score),
                        sc.score.map_or("-".into(), |s| format!("{s:.1}"))
                    ),
                    ui.st("text"),
                ));
            }
            format!(" {g} ")
        }
        None => String::new(),
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(ui.block(title, false)),
        area,
    );
}

fn days_text(ui: &Ui, days: Option<i64>) -> (String, &'static str) {
    match days {
        Some(d) if d > 0 => (format!("+{d}{}", ui.m(M::Days)), "status.overdue"),
        Some(0) => (ui.m(M::Today).to_string(), "status.due_soon"),
        Some(d) if -d <= 7 => (format!("{}{}", -d, ui.m(M::Days)), "status.due_soon"),
        Some(d) => (format!("{}{}", -d, ui.m(M::Days)), "text.dim"),
        None => (String::new(), "text.dim"),
    }
}

fn findings(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let fl = &ui.s.findings;
    if fl.detail {
        finding_detail(ui, f, area);
        return;
    }
    let col_name = |c: FindingCol| match c {
        FindingCol::Ref => ui.m(M::ColRef),
        FindingCol::Grade => ui.m(M::ColGrade),
        FindingCol::Title => ui.m(M::ColTitle),
        FindingCol::Indicator => ui.m(M::ColIndicator),
        FindingCol::Status => ui.m(M::ColWorkflow),
        FindingCol::RaisedBy => ui.m(M::ColRaisedBy),
        FindingCol::Due => ui.m(M::ColDue),
        FindingCol::Actions => ui.m(M::ColActions),
    };
    let mut extra = format!(
        "{} {}{}",
        ui.m(M::Sort),
        col_name(fl.sort),
        if fl.ascending { "↑" } else { "↓" }
    );
    if ui.s.overdue_only {
        extra.push_str(&format!(" · {}", ui.m(M::Overdue)));
    }
    let title = list_title(ui, M::Findings, fl.view.len(), d.findings.len(), &fl.filter, &extra);
    let sel = fl
        .selected
        .as_ref()
        .and_then(|s| fl.view.iter().position(|&i| &d.findings[i].reference == s));
    let (inner, range) = list_frame(ui, f, area, title, fl.view.len(), sel, fl.offset);
    let title_w = (inner.width as usize)
        .saturating_sub(8 + 5 + 6 + 12 + 10 + 15 + 4 + 8)
        .max(8);
    let rows: Vec<Row> = fl.view[range]
        .iter()
        .map(|&i| {
            let fi = &d.findings[i];
            let overdue = fi
                .response_overdue_days(d.today)
                .or_else(|| fi.closure_overdue_days(d.today));
            let due = if fi.status.awaits_response() {
                fi.response_due
            } else {
                fi.closure_due
            };
            let due_text = match (due, overdue) {
                (Some(x), Some(o)) => format!("{x} +{o}{}", ui.m(M::Days)),
                (Some(x), None) => x.to_string(),
                _ => String::new(),
            };
            let n_actions = d.actions_by_finding.get(&fi.reference).map_or(0, Vec::len);
            let row = Row::new(vec![
                Cell::from(fi.reference.clone()),
                Cell::from(Span::styled(fi.grade.code(), ui.st(grade_role(fi.grade)))),
                Cell::from(truncate(&ui.text(&fi.title), title_w)),
                Cell::from(fi.indicators.join(",")),
                Cell::from(truncate(fi.status.label(ui.zh), 12)),
                Cell::from(truncate(&fi.raised_by, 10)),
                Cell::from(Span::styled(
                    due_text,
                    ui.st(if overdue.is_some() { "status.overdue" } else { "text" }),
                )),
                Cell::from(if n_actions > 0 {
                    n_actions.to_string()
                } else {
                    String::new()
                }),
            ]);
            if fl.selected.as_deref() == Some(fi.reference.as_str()) {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(FindingCol::ALL.iter().map(|c| {
        let mut n = col_name(*c).to_string();
        if *c == fl.sort {
            n.push(if fl.ascending { '↑' } else { '↓' });
        }
        n
    }))
    .style(ui.st("table.header"));
    let widths = [
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Min(16),
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Length(15),
        Constraint::Length(4),
    ];
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    if fl.view.is_empty() {
        no_matches(ui, f, inner);
    }
}

fn finding_detail(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let Some(fi) = ui.s.selected_finding() else { return };
    let dt = |x: Option<jiff::civil::Date>| x.map_or("-".to_string(), |d| d.to_string());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", fi.reference), ui.st("text.title")),
            Span::styled(format!("[{}] ", fi.grade.label(ui.zh)), ui.st(grade_role(fi.grade))),
            Span::styled(ui.text(&fi.title), ui.st("text")),
        ]),
        Line::styled(
            format!(
                "{}: {}   {}: {}   {}: {} {}",
                ui.m(M::ColWorkflow),
                fi.status.label(ui.zh),
                ui.m(M::ColIndicator),
                fi.indicators.join(", "),
                ui.m(M::ColRaisedBy),
                d.member_name(&fi.raised_by),
                dt(fi.raised_on)
            ),
            ui.st("text"),
        ),
    ];
    let overdue = fi
        .response_overdue_days(d.today)
        .or_else(|| fi.closure_overdue_days(d.today));
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} {} · {} {} · {} {}",
                ui.lang.pick("issued", "开具"),
                dt(fi.issued_on),
                ui.lang.pick("response due", "回复期限"),
                dt(fi.response_due),
                ui.lang.pick("closure due", "关闭期限"),
                dt(fi.closure_due)
            ),
            ui.st("text"),
        ),
        Span::styled(
            overdue
                .map(|o| format!("  {} {o}{}", ui.m(M::Overdue), ui.m(M::Days)))
                .unwrap_or_default(),
            ui.st("status.overdue"),
        ),
    ]));
    lines.push(section(ui, M::Statement));
    lines.push(Line::styled(ui.text(&fi.statement), ui.st("text")));
    lines.push(section(ui, M::Criterion));
    lines.push(Line::styled(ui.text(&fi.criterion), ui.st("text")));
    if !fi.evidence.is_empty() || !fi.evidence_note.is_empty() {
        lines.push(section(ui, M::Evidence));
        if !fi.evidence_note.is_empty() {
            lines.push(Line::styled(fi.evidence_note.clone(), ui.st("text")));
        }
        for sha in &fi.evidence {
            let name = d.evidence.get(sha).map(|e| e.name.clone()).unwrap_or_default();
            lines.push(Line::styled(
                format!("{} {name}", &sha[..12.min(sha.len())]),
                ui.st("text"),
            ));
        }
    }
    if !fi.root_cause.is_empty() || !fi.correction.is_empty() {
        lines.push(section(ui, M::AuditeeResponse));
        lines.push(Line::styled(
            format!("{}: {}", ui.m(M::RootCause), ui.text(&fi.root_cause)),
            ui.st("text"),
        ));
        lines.push(Line::styled(
            format!("{}: {}", ui.m(M::Correction), ui.text(&fi.correction)),
            ui.st("text"),
        ));
    }
    lines.push(section(ui, M::Actions));
    let mut any = false;
    for a in d.actions_of(&fi.reference) {
        any = true;
        let days = a.days_past_due(d.today);
        let (dtext, role) = days_text(ui, days);
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", a.id), ui.st("text.dim")),
            Span::styled(
                format!("{} ", a.status.label(ui.zh)),
                ui.st(if a.status == ActionStatus::Effective {
                    "status.verified"
                } else {
                    "text"
                }),
            ),
            Span::styled(format!("{} ", dt(a.due)), ui.st("text")),
            Span::styled(format!("{dtext} "), ui.st(role)),
            Span::styled(format!("{} · ", ui.text(&a.owner)), ui.st("text.dim")),
            Span::styled(ui.text(&a.description), ui.st("text")),
        ]));
    }
    if !any {
        lines.push(Line::styled(ui.m(M::None_), ui.st("text.dim")));
    }
    let matches = ui.s.history.as_ref().is_some_and(|(e, _)| e.id == fi.reference);
    let h = history_lines(ui, matches, 12);
    if !h.is_empty() {
        lines.push(section(ui, M::History));
        lines.extend(h);
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((ui.s.findings.detail_scroll, 0))
            .block(ui.block(format!(" {} ", fi.reference), true)),
        area,
    );
}

fn remediation(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let rl = &ui.s.remediation;
    if rl.detail {
        action_detail(ui, f, area);
        return;
    }
    let view_name = |v: RemView| match v {
        RemView::All => ui.m(M::ViewAll),
        RemView::Overdue => ui.m(M::ViewOverdue),
        RemView::Due7 => ui.m(M::ViewDue7),
        RemView::Due30 => ui.m(M::ViewDue30),
        RemView::ByOwner => ui.m(M::ViewByOwner),
        RemView::Awaiting => ui.m(M::ViewAwaiting),
    };
    let views: Vec<String> = RemView::ALL
        .iter()
        .map(|v| {
            if *v == ui.s.rem_view {
                format!("[{}]", view_name(*v))
            } else {
                view_name(*v).to_string()
            }
        })
        .collect();
    let col_name = |c: ActionCol| match c {
        ActionCol::Finding => ui.m(M::ColFinding),
        ActionCol::Action => ui.m(M::ColAction),
        ActionCol::Owner => ui.m(M::ColOwner),
        ActionCol::Due => ui.m(M::ColDue),
        ActionCol::Status => ui.m(M::ColWorkflow),
        ActionCol::Progress => ui.m(M::ColProgress),
    };
    let extra = format!(
        "{} · {} {}{}",
        views.join(" "),
        ui.m(M::Sort),
        col_name(rl.sort),
        if rl.ascending { "↑" } else { "↓" }
    );
    let title = list_title(ui, M::Remediation, rl.view.len(), d.actions.len(), &rl.filter, &extra);
    let sel = rl
        .selected
        .as_ref()
        .and_then(|s| rl.view.iter().position(|&i| &d.actions[i].id == s));
    let (inner, range) = list_frame(ui, f, area, title, rl.view.len(), sel, rl.offset);
    let desc_w = (inner.width as usize)
        .saturating_sub(7 + 22 + 10 + 6 + 14 + 5 + 7)
        .max(8);
    let rows: Vec<Row> = rl.view[range]
        .iter()
        .map(|&i| {
            let a = &d.actions[i];
            let days = a.days_past_due(d.today);
            let (dtext, role) = days_text(ui, days);
            let row = Row::new(vec![
                Cell::from(a.finding.clone()),
                Cell::from(truncate(&ui.text(&a.description), desc_w)),
                Cell::from(truncate(&ui.text(&a.owner), 22)),
                Cell::from(a.due.map(|x| x.to_string()).unwrap_or_default()),
                Cell::from(Span::styled(dtext, ui.st(role))),
                Cell::from(Span::styled(
                    truncate(a.status.label(ui.zh), 14),
                    ui.st(if a.status == ActionStatus::Effective {
                        "status.verified"
                    } else {
                        "text"
                    }),
                )),
                Cell::from(format!("{:>3}%", a.progress)),
            ]);
            if rl.selected.as_deref() == Some(a.id.as_str()) {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(vec![
        col_name(ActionCol::Finding),
        col_name(ActionCol::Action),
        col_name(ActionCol::Owner),
        col_name(ActionCol::Due),
        ui.m(M::ColDays),
        col_name(ActionCol::Status),
        col_name(ActionCol::Progress),
    ])
    .style(ui.st("table.header"));
    let widths = [
        Constraint::Length(7),
        Constraint::Min(16),
        Constraint::Length(22),
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(14),
        Constraint::Length(5),
    ];
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    if rl.view.is_empty() {
        no_matches(ui, f, inner);
    }
}

fn action_detail(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let Some(a) = ui.s.selected_action() else { return };
    let dt = |x: Option<jiff::civil::Date>| x.map_or("-".to_string(), |d| d.to_string());
    let days = a.days_past_due(d.today);
    let (dtext, role) = days_text(ui, days);
    let mut lines = vec![
        Line::styled(
            format!("{} · {} {}", a.id, ui.m(M::ColFinding), a.finding),
            ui.st("text.title"),
        ),
        Line::styled(ui.text(&a.description), ui.st("text")),
        Line::from(vec![
            Span::styled(
                format!(
                    "{}: {}   {}: {} ",
                    ui.m(M::ColOwner),
                    ui.text(&a.owner),
                    ui.m(M::ColDue),
                    dt(a.due)
                ),
                ui.st("text"),
            ),
            Span::styled(dtext, ui.st(role)),
        ]),
        Line::styled(
            format!(
                "{}: {}   {}: {}%",
                ui.m(M::ColWorkflow),
                a.status.label(ui.zh),
                ui.m(M::ColProgress),
                a.progress
            ),
            ui.st("text"),
        ),
    ];
    if let Some(fi) = d.findings.iter().find(|f| f.reference == a.finding) {
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", fi.grade.label(ui.zh)), ui.st(grade_role(fi.grade))),
            Span::styled(ui.text(&fi.title), ui.st("text.dim")),
        ]));
    }
    lines.push(section(ui, M::CompletionEvidence));
    lines.push(Line::styled(
        if a.completion_evidence.is_empty() {
            ui.m(M::None_).to_string()
        } else {
            ui.text(&a.completion_evidence)
        },
        ui.st("text"),
    ));
    lines.push(section(ui, M::Verification));
    match &a.verification {
        Some(v) => lines.push(Line::from(vec![
            Span::styled(format!("{} {} ", d.member_name(&v.by), v.on), ui.st("text")),
            Span::styled(
                if v.effective {
                    ui.m(M::Effective)
                } else {
                    ui.m(M::NotEffective)
                },
                ui.st(if v.effective {
                    "status.verified"
                } else {
                    "status.overdue"
                }),
            ),
            Span::styled(format!(" — {}", ui.text(&v.note)), ui.st("text")),
        ])),
        None => lines.push(Line::styled(ui.m(M::None_), ui.st("text.dim"))),
    }
    let matches = ui.s.history.as_ref().is_some_and(|(e, _)| e.id == a.id);
    let h = history_lines(ui, matches, 12);
    if !h.is_empty() {
        lines.push(section(ui, M::History));
        lines.extend(h);
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((ui.s.remediation.detail_scroll, 0))
            .block(ui.block(format!(" {} ", a.id), true)),
        area,
    );
}

// ---------------------------------------------------------------- popups

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(1);
    let h = h.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn popup_block<'a>(ui: &Ui, title: String, hint: &'a str) -> Block<'a> {
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
    entries: &'a [(super::commands::Cmd, String, &'a str)],
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
    f.render_widget(Clear, area);
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
    let rows: Vec<Row> = entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, (cmd, keys, desc))| {
            let r = Row::new(vec![
                Cell::from(Span::styled(keys.clone(), ui.st("statusbar.key"))),
                Cell::from(desc.to_string()),
                Cell::from(Span::styled(info(*cmd).name, ui.st("text.dim"))),
            ]);
            if i == selected { r.style(ui.st("selection")) } else { r }
        })
        .collect();
    if entries.is_empty() {
        f.render_widget(Paragraph::new(ui.m(M::NoMatches)).style(ui.st("text.dim")), list_a);
    } else {
        f.render_widget(
            Table::new(
                rows,
                [Constraint::Length(16), Constraint::Min(10), Constraint::Length(22)],
            )
            .column_spacing(1),
            list_a,
        );
    }
}

fn popup(ui: &Ui, f: &mut Frame, area: Rect, p: &Popup) {
    match p {
        Popup::Help { filter, selected } => {
            let entries = ui.s.help_entries();
            let r = centered(area, 90, 30);
            let ctx = ui.s.pane.ctx();
            let title = format!(
                " {} · [{}] ",
                ui.m(M::Help),
                if ctx == Ctx::Global { "global" } else { ctx.name() }
            );
            command_list(
                ui,
                f,
                r,
                CommandList {
                    title,
                    hint: ui.m(M::HelpHint),
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
                    title: format!(" {} ", ui.m(M::Palette)),
                    hint: ui.m(M::PaletteHint),
                    input,
                    entries: &entries,
                    selected: *selected,
                },
            );
        }
        Popup::Confirm { message, .. } => {
            let r = centered(area, (width(message) as u16 + 6).max(40), 5);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(message.clone())
                    .wrap(Wrap { trim: true })
                    .block(popup_block(ui, format!(" {} ", ui.m(M::Confirm)), ui.m(M::ConfirmHint))),
                r,
            );
        }
        Popup::Error(msg) => {
            let r = centered(area, 70, 8);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(msg.clone())
                    .style(ui.st("statusbar.error").remove_modifier(Modifier::REVERSED))
                    .wrap(Wrap { trim: true })
                    .block(popup_block(ui, format!(" {} ", ui.m(M::Error)), ui.m(M::ErrorHint))),
                r,
            );
        }
        Popup::Input {
            prompt,
            value,
            indicator,
        } => {
            let r = centered(area, 80, 5);
            f.render_widget(Clear, r);
            let text = vec![
                Line::styled(prompt.clone(), ui.st("text")),
                Line::from(format!("> {value}▏")),
            ];
            f.render_widget(
                Paragraph::new(text).block(popup_block(ui, format!(" {indicator} "), ui.m(M::InputHint))),
                r,
            );
        }
        Popup::Switcher { selected } => {
            let Some(d) = &ui.s.data else { return };
            let r = centered(area, 80, (d.engagements.len() as u16 + 2).min(20));
            f.render_widget(Clear, r);
            let rows: Vec<Row> = d
                .engagements
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let row = Row::new(vec![
                        Cell::from(e.id.clone()),
                        Cell::from(e.kind.label(ui.zh)),
                        Cell::from(ui.text(&e.title)),
                    ]);
                    if i == *selected {
                        row.style(ui.st("selection"))
                    } else {
                        row
                    }
                })
                .collect();
            f.render_widget(
                Table::new(
                    rows,
                    [Constraint::Length(16), Constraint::Length(14), Constraint::Min(10)],
                )
                .block(popup_block(
                    ui,
                    format!(" {} ", ui.m(M::Engagements)),
                    ui.m(M::InputHint),
                )),
                r,
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
            f.render_widget(Clear, r);
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
                Paragraph::new(lines).block(popup_block(ui, format!(" {} ", ui.m(M::KeysNext)), "")),
                r,
            );
        }
    }
}
