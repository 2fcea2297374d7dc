//! Drawing: `view(&State, &mut Frame)`. Only visible rows are built; every
//! string comes from the message tables or the data; widths are in cells.

use super::commands::{Cmd, KeyContext, info};
use super::i18n::Label;
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
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};

mod checklist;
mod cycle;
mod dashboard;
mod forms;
mod lists;
mod popups;
mod wrap;

use checklist::checklist;
use cycle::{calls, portfolio};
use dashboard::dashboard;
use lists::{findings, remediation};
use popups::popup;
use wrap::{column_widths, fit_line, fit_row, fitted, wrapped};

pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 15;

struct Ui<'a> {
    s: &'a State,
    t: &'a Theme,
    lang: Lang,
    zh: bool,
}

impl Ui<'_> {
    fn m(&self, m: Label) -> &'static str {
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
    /// User text for display: the language's side of a bilingual value, with
    /// control and bidi characters made visible.
    fn text(&self, s: &str) -> String {
        crate::text::visible(side(s, self.zh)).into_owned()
    }
    /// User text in full (a detail view: nothing of it hidden), control and
    /// bidi characters made visible.
    fn full(&self, s: &str) -> String {
        crate::text::visible(s).into_owned()
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
        // The lists are still loading: say so, never show them empty.
        Some(d) if d.partial && matches!(s.pane, Pane::Findings | Pane::Remediation) => {
            let name = ui.m(if s.pane == Pane::Findings {
                Label::Findings
            } else {
                Label::Remediation
            });
            let b = ui.block(format!(" {name} "), true);
            f.render_widget(
                Paragraph::new(ui.m(Label::Loading)).style(ui.st("text.dim")).block(b),
                body,
            );
        }
        Some(_) => match s.pane {
            Pane::Dashboard => dashboard(&ui, f, body),
            Pane::Checklist => checklist(&ui, f, body),
            Pane::Findings => findings(&ui, f, body),
            Pane::Remediation => remediation(&ui, f, body),
            Pane::Portfolio => portfolio(&ui, f, body),
            Pane::Calls => calls(&ui, f, body),
        },
    }
    draw_status(&ui, f, status);
    if let Some(p) = &s.popup {
        popup(&ui, f, area, p);
    }
}

fn too_small(ui: &Ui, f: &mut Frame, area: Rect) {
    let msg = format!("{} ({} {}×{})", ui.m(Label::TooSmall), ui.m(Label::Need), MIN_W, MIN_H);
    let lines = vec![Line::from(msg), Line::from(format!("{}×{}", area.width, area.height))];
    let y = area.y + area.height.saturating_sub(2) / 2;
    let r = Rect {
        x: area.x,
        y,
        width: area.width,
        height: area.height.saturating_sub(y - area.y).min(2),
    };
    f.render_widget(
        wrapped(lines, None, r)
            .alignment(Alignment::Center)
            .style(ui.st("text")),
        r,
    );
}

fn draw_header(ui: &Ui, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(format!(" {} ", ui.m(Label::App)), ui.st("header"))];
    if let Some(d) = &ui.s.data {
        // The title gives way first: the provisional mark stays in sight.
        let mark = d
            .catalog
            .provisional
            .then(|| format!("[{}] ", ui.m(Label::Provisional)));
        let room = (area.width as usize)
            .saturating_sub(width(&spans[0].content) + width(&d.engagement.id) + 4 + mark.as_deref().map_or(0, width));
        spans.push(Span::styled(
            format!(
                "{} · {} ",
                d.engagement.id,
                truncate(&ui.text(&d.engagement.title), room.max(1))
            ),
            ui.st("header"),
        ));
        if let Some(m) = mark {
            spans.push(Span::styled(m, ui.st("header.provisional")));
        }
    }
    f.render_widget(
        Paragraph::new(fit_line(Line::from(spans), area.width as usize)).style(ui.st("header")),
        area,
    );
}

fn draw_tabs(ui: &Ui, f: &mut Frame, area: Rect) {
    let mut x = area.x;
    let mut hits = Vec::new();
    let mut spans = Vec::new();
    for (i, p) in Pane::ALL.iter().enumerate() {
        let name = match p {
            Pane::Dashboard => Label::Dashboard,
            Pane::Checklist => Label::Checklist,
            Pane::Findings => Label::Findings,
            Pane::Remediation => Label::Remediation,
            Pane::Portfolio => Label::Portfolio,
            Pane::Calls => Label::Calls,
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
            format!(" {} · {} {} ", d.engagement.id, ui.m(Label::Actor), d.me),
            ui.st("statusbar"),
        ));
    }
    if s.unread > 0 {
        // Finished work not seen yet: T shows it.
        let key = s
            .keymap
            .keys_for(s.pane.ctx(), Cmd::Tasks)
            .first()
            .cloned()
            .unwrap_or_default();
        spans.push(Span::styled(
            format!(" {key} {} {} ", s.unread, ui.m(Label::Unread)),
            ui.st("statusbar.key"),
        ));
    }
    // Long work running: its progress takes the line (an error said
    // meanwhile first, until it ages out).
    if let Some(job) = s
        .job
        .as_ref()
        .filter(|_| !s.status.as_ref().is_some_and(|l| l.is_error))
    {
        let text = format!(
            " {} {} · {}",
            ui.text(&job.label),
            progress_words(ui, job),
            ui.m(Label::EscCancels)
        );
        let room = (area.width as usize).saturating_sub(spans.iter().map(|sp| width(&sp.content)).sum::<usize>() + 1);
        spans.push(Span::styled(truncate(&text, room), ui.st("statusbar.message")));
        f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("statusbar")), area);
        return;
    }
    // A message takes the line (it would be cut after the hints); hints return
    // when it ages out.
    if let Some(line) = &s.status {
        let room = (area.width as usize).saturating_sub(spans.iter().map(|sp| width(&sp.content)).sum::<usize>() + 2);
        spans.push(Span::styled(
            format!(" {}", truncate(&ui.text(&line.text), room)),
            ui.st(if line.is_error {
                "statusbar.error"
            } else {
                "statusbar.message"
            }),
        ));
        f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("statusbar")), area);
        return;
    }
    // A popup takes the keys: its own are shown, not the pane's under it.
    if let Some(keys) = popup_keys(s) {
        for (k, en, zh) in keys {
            spans.push(Span::styled(format!(" {k} "), ui.st("statusbar.key")));
            spans.push(Span::styled(if ui.zh { zh } else { en }, ui.st("statusbar")));
        }
        f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("statusbar")), area);
        return;
    }
    // Hints from the registry through the active keymap.
    let ctx = s.pane.ctx();
    let hint_cmds: &[Cmd] = match s.pane {
        // The welcome screen: what can be done without an engagement.
        Pane::Dashboard if s.data.is_none() => &[
            Cmd::Help,
            Cmd::EngagementNew,
            Cmd::BundleImport,
            Cmd::IdentityEdit,
            Cmd::Quit,
        ],
        Pane::Dashboard => &[Cmd::Help, Cmd::Palette, Cmd::BundleExport, Cmd::Sync, Cmd::Quit],
        Pane::Checklist => &[
            Cmd::Help,
            Cmd::WalkNext,
            Cmd::AssessConforming,
            Cmd::AssessValue,
            Cmd::FindingRaise,
            Cmd::Filter,
        ],
        Pane::Findings => &[
            Cmd::Help,
            Cmd::Open,
            Cmd::FindingMove,
            Cmd::ActionAdd,
            Cmd::FindingRaise,
            Cmd::Filter,
        ],
        Pane::Remediation => &[
            Cmd::Help,
            Cmd::ActionUpdate,
            Cmd::ActionVerify,
            Cmd::ViewNext,
            Cmd::Filter,
        ],
        Pane::Portfolio => &[Cmd::Help, Cmd::Open, Cmd::SortNext, Cmd::Filter, Cmd::Quit],
        Pane::Calls => &[Cmd::Help, Cmd::PaneChecklist, Cmd::SwitchEngagement, Cmd::Quit],
    };
    for c in hint_cmds {
        if let Some(k) = s.keymap.keys_for(ctx, *c).first() {
            // What cannot run now (nothing selected, a job running) is dimmed.
            let enabled = s.availability(*c).is_enabled();
            let (key_style, text_style) = if enabled {
                (ui.st("statusbar.key"), ui.st("statusbar"))
            } else {
                (
                    ui.st("statusbar").add_modifier(Modifier::DIM),
                    ui.st("statusbar").add_modifier(Modifier::DIM),
                )
            };
            spans.push(Span::styled(format!(" {k} "), key_style));
            let d = info(*c).describe(ui.lang);
            spans.push(Span::styled(truncate(d, 18), text_style));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(ui.st("statusbar")), area);
}

/// How far a job is, in words: its stage, percent and amount, or how
/// long it has run when there is nothing to count.
fn progress_words(ui: &Ui, job: &crate::tui::jobs::Work) -> String {
    let done = job.done();
    let amount = match (job.percent(), job.counts_files()) {
        (Some(p), true) => format!("{p:>3}% ({done} / {})", job.total()),
        (Some(p), false) => format!("{p:>3}% ({} / {} MiB)", done >> 20, job.total() >> 20),
        (None, _) if done > 0 => format!("{} MiB", done >> 20),
        (None, _) => format!("{} s", job.started.elapsed().as_secs()),
    };
    match job.stage(ui.zh) {
        Some(stage) => format!("{stage} {amount}"),
        None => amount,
    }
}

/// The keys of the popup on top (None: no popup, the pane's hints show).
fn popup_keys(s: &crate::tui::state::State) -> Option<Vec<(&'static str, &'static str, &'static str)>> {
    use crate::tui::state::Popup;
    Some(match s.popup.as_ref()? {
        Popup::Form(form) => {
            let multiline = form
                .fields
                .get(form.focus)
                .is_some_and(|f| matches!(f.editor, crate::tui::forms::Editor::Lines(_)));
            let path = form.fields.get(form.focus).is_some_and(|f| f.path);
            let mut keys = vec![
                ("Ctrl-S", "save", "保存"),
                if path {
                    ("Tab", "complete the path", "补全路径")
                } else {
                    ("Tab", "next field", "下一项")
                },
                ("S-Tab", "previous", "上一项"),
                ("Esc", "cancel", "取消"),
            ];
            if multiline {
                keys.push(("Ctrl-G", "edit in $EDITOR", "用外部编辑器"));
            } else if form
                .fields
                .get(form.focus)
                .is_some_and(|f| matches!(f.editor, crate::tui::forms::Editor::Choice { .. }))
            {
                keys.push(("←→", "choose", "选择"));
            }
            keys
        }
        Popup::Help { .. } | Popup::Palette { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("Enter", "run", "执行"),
            ("Esc", "close", "关闭"),
        ],
        Popup::Confirm { .. } => vec![("y/Enter", "yes", "是"), ("n/Esc", "no", "否")],
        Popup::Error(_) | Popup::Notice(_) => vec![("Enter/Esc", "close", "关闭")],
        Popup::Input { .. } => vec![("Enter", "save", "保存"), ("Esc", "cancel", "取消")],
        Popup::Moves { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("Enter", "do it", "执行"),
            ("Esc", "close", "关闭"),
        ],
        Popup::Switcher { .. } | Popup::Evidence { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("Enter", "open", "打开"),
            ("Esc", "close", "关闭"),
        ],
        Popup::Conflicts { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("c/Enter", "keep current", "保留当前值"),
            ("o", "take the other", "改用另一值"),
            ("Esc", "close", "关闭"),
        ],
        Popup::AuditPlan { .. } | Popup::Requests { .. } => vec![("↑↓", "scroll", "滚动"), ("Esc", "close", "关闭")],
        Popup::QaRound { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("Enter", "score / settle", "评分 / 裁定"),
            ("Esc", "close", "关闭"),
        ],
        Popup::Tasks { .. } => vec![
            ("↑↓", "choose", "选择"),
            ("Enter", "result", "查看结果"),
            ("Esc", "cancel / close", "取消 / 关闭"),
            ("q", "close", "关闭"),
        ],
        // Keys that can follow: the popup lists them itself.
        Popup::Pending(_) => return None,
    })
}

fn welcome(ui: &Ui, f: &mut Frame, area: Rect) {
    // Before the database is read, say so; never claim it is empty.
    if ui.s.loading {
        let b = ui.block(ui.m(Label::App), true);
        f.render_widget(
            Paragraph::new(ui.m(Label::Loading)).style(ui.st("text.dim")).block(b),
            area,
        );
        return;
    }
    let b = ui.block(ui.m(Label::Welcome), true);
    let mut text = Text::default();
    for w in &ui.s.warnings {
        text.lines.push(Line::styled(w.clone(), ui.st("statusbar.error")));
    }
    text.lines.extend(
        ui.m(Label::WelcomeBody)
            .lines()
            .map(|l| Line::styled(l.to_string(), ui.st("text"))),
    );
    f.render_widget(wrapped(text, Some(b), area), area);
}

// ---------------------------------------------------------------- lists

/// Title with counts and the active filter.
fn list_title(ui: &Ui, name: Label, shown: usize, total: usize, filter: &str, extra: &str) -> String {
    let mut t = format!(" {} {}/{} ", ui.m(name), shown, total);
    if !filter.is_empty() || ui.s.filtering {
        let cursor = if ui.s.filtering { "▏" } else { "" };
        t.push_str(&format!("· {} /{}{} ", ui.m(Label::Filter), filter, cursor));
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
    // The title cut with "…" before the corner (a long filter, a narrow terminal).
    let block = ui.block(truncate(&title, area.width.saturating_sub(2) as usize), true);
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
    f.render_widget(Paragraph::new(ui.m(Label::NoMatches)).style(ui.st("text.dim")), r);
}

fn measured_text(ui: &Ui, ind: &crate::model::catalog::Indicator, measured: Option<f64>) -> (String, Option<bool>) {
    let target = ind.target_text(ui.zh);
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

fn history_lines<'a>(ui: &Ui, entity_matches: bool, max: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if let (true, Some((_, ops))) = (entity_matches, &ui.s.history) {
        // Local time; the zone is named once, in the section's title.
        let tz = jiff::tz::TimeZone::system();
        for (op, sig) in ops.iter().rev().take(max) {
            let when = crate::text::local_time_in(&tz, op.hlc.wall_ms, "%Y-%m-%d %H:%M");
            // ✓ signed and verified, · unsigned (from before signing), ✗ does not verify.
            let (mark, style) = match sig {
                crate::app::Signature::Verified { .. } => ("✓ ", "status.ok"),
                crate::app::Signature::Unsigned => ("· ", "text.dim"),
                crate::app::Signature::Invalid { .. } => ("✗ ", "statusbar.error"),
            };
            out.push(Line::from(vec![
                Span::styled(mark, ui.st(style)),
                Span::styled(format!("{when} "), ui.st("text.dim")),
                Span::styled(format!("{} ", op.id.actor), ui.st("text.title")),
                Span::styled(
                    truncate(
                        &crate::message::describe_change(op.entity.kind, &op.change, ui.lang),
                        60,
                    ),
                    ui.st("text"),
                ),
            ]));
        }
    }
    out
}

/// The history section's title names the time zone its times are in.
fn history_section<'a>(ui: &Ui) -> Line<'a> {
    Line::styled(
        format!("— {} · {} —", ui.m(Label::History), crate::text::local_zone()),
        ui.st("text.title"),
    )
}

fn section<'a>(ui: &Ui, title: Label) -> Line<'a> {
    Line::styled(format!("— {} —", ui.m(title)), ui.st("text.title"))
}

fn days_text(ui: &Ui, days: Option<i64>) -> (String, &'static str) {
    match days {
        Some(d) if d > 0 => (format!("+{d}{}", ui.m(Label::Days)), "status.overdue"),
        Some(0) => (ui.m(Label::Today).to_string(), "status.due_soon"),
        Some(d) if -d <= 7 => (format!("{}{}", -d, ui.m(Label::Days)), "status.due_soon"),
        Some(d) => (format!("{}{}", -d, ui.m(Label::Days)), "text.dim"),
        None => (String::new(), "text.dim"),
    }
}
