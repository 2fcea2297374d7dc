//! The dashboard: engagement, team, progress and score, findings by grade and
//! status, remediation at a glance.

use super::*;

fn bar(progress: f64, cells: usize) -> String {
    let filled = ((progress.clamp(0.0, 1.0)) * cells as f64).round() as usize;
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(cells.saturating_sub(filled)));
    s
}

pub(super) fn dashboard(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    // Full heights when there is room; shared proportionally on short terminals.
    let (h_top, h_mid) = if area.height >= 34 {
        (8, 13)
    } else if area.height >= 26 {
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
        format!("{}: {} {}", ui.m(Label::Catalogue), d.catalog.id, d.catalog.version),
        ui.st("text"),
    )];
    if d.catalog.provisional {
        cat_line.push(Span::styled(
            format!("  [{}]", ui.m(Label::Provisional)),
            ui.st("header.provisional"),
        ));
    }
    let info = vec![
        Line::styled(ui.text(&e.title), ui.st("text.title")),
        Line::styled(
            format!("{}: {}", ui.m(Label::Auditee), ui.text(&e.auditee)),
            ui.st("text"),
        ),
        Line::styled(
            format!(
                "{}: {}   {}: {}",
                ui.m(Label::Kind),
                e.kind.label(ui.zh),
                ui.m(Label::Period),
                period
            ),
            ui.st("text"),
        ),
        Line::styled(format!("{}: {}", ui.m(Label::Site), ui.text(&e.site)), ui.st("text")),
        Line::from(cat_line),
    ];
    // The audit's check-in (opening and closing meeting) and mode, after
    // the kind: on a short terminal it stays above the site.
    let mut info = info;
    if e.kind != crate::model::engagement::EngagementKind::SelfAssessment
        && let Some(p) = &d.audit_plan
    {
        let wide = info_a.width >= 64;
        let meeting = |m: &Option<crate::model::body::Meeting>, kind: crate::model::body::MeetingKind| match m {
            Some(m) => Span::styled(
                format!(
                    "✓{} {}",
                    kind.label(ui.zh),
                    // The time too when the panel has room for it.
                    m.at.map(|t| t.strftime(if wide { "%m-%d %H:%M" } else { "%m-%d" }).to_string())
                        .unwrap_or_default()
                ),
                ui.st("status.ok"),
            ),
            None => Span::styled(
                format!("{} {}", kind.label(ui.zh), ui.m(Label::NotRecorded)),
                ui.st("text.dim"),
            ),
        };
        let mut spans = vec![
            Span::styled(format!("{}: ", ui.m(Label::CheckIn)), ui.st("text")),
            meeting(&p.opening, crate::model::body::MeetingKind::Opening),
            Span::styled(" · ", ui.st("text.dim")),
            meeting(&p.closing, crate::model::body::MeetingKind::Closing),
        ];
        if let Some(m) = p.mode {
            spans.push(Span::styled(format!(" · {}", m.as_str()), ui.st("text")));
        }
        info.insert(3, Line::from(spans));
    }
    let w = info_a.width.saturating_sub(2) as usize;
    let info: Vec<Line> = info.into_iter().map(|l| fit_line(l, w)).collect();
    f.render_widget(
        Paragraph::new(info).block(ui.block(format!(" {} ", e.id), false)),
        info_a,
    );
    let team: Vec<Line> = d
        .team
        .iter()
        .map(|m| {
            let left = m.has_left();
            let warn = m.registration_warning(d.today);
            // A certificate number is typed by a user: shown inert.
            let no = m.certificate_no.as_deref().map(crate::text::visible);
            let cert = if left {
                format!("({})", ui.m(Label::LeftTeam))
            } else if let Some(n) = warn {
                let label = if n < 0 {
                    Label::RegistrationExpired
                } else {
                    Label::RegistrationExpires
                };
                ui.m(label)
                    .replace("{no}", no.as_deref().unwrap_or_default())
                    .replace("{n}", &n.to_string())
            } else {
                no.map_or_else(|| format!("({})", ui.m(Label::NoCertificate)), |c| format!("✓ {c}"))
            };
            Line::from(vec![
                Span::styled(format!("{:<4}", m.initials), ui.st("text.title")),
                Span::styled(truncate(&ui.text(&m.name), 14), ui.st("text")),
                Span::raw(" "),
                Span::styled(
                    match m.level {
                        // An intern is on the team but not one of the two.
                        Some(crate::model::engagement::Level::Intern) => {
                            format!(
                                "{}·{}",
                                m.role.label(ui.zh),
                                crate::model::engagement::Level::Intern.label(ui.zh)
                            )
                        }
                        _ => m.role.label(ui.zh).to_string(),
                    },
                    ui.st("text.dim"),
                ),
                Span::raw(" "),
                Span::styled(
                    cert,
                    ui.st(if warn.is_some() && !left {
                        "status.due_soon"
                    } else if m.certificate_no.is_some() && !left {
                        "status.ok"
                    } else {
                        "text.dim"
                    }),
                ),
            ])
        })
        .collect();
    // Each member on one line, cut with "…"; the warning why your changes
    // here would be refused, above the team, wrapped.
    let w = team_a.width.saturating_sub(2) as usize;
    let mut team: Vec<Line> = team.into_iter().map(|l| fit_line(l, w)).collect();
    if let Some(m) = &d.signing {
        let lang = if ui.zh {
            crate::config::Lang::Zh
        } else {
            crate::config::Lang::En
        };
        let warning = Line::styled(format!("⚠ {}", m.get(lang)), ui.st("status.overdue"));
        team.splice(0..0, wrap::wrap_line(&warning, w));
    }
    f.render_widget(
        Paragraph::new(team).block(ui.block(format!(" {} ", ui.m(Label::Team)), false)),
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
    line_for(ui.m(Label::Overall).to_string(), &d.glance.scorecard.overall, true);
    for top in d.catalog.top_groups() {
        if let Some(g) = d.glance.scorecard.group(&top.id) {
            line_for(top.name(ui.zh).to_string(), g, true);
        }
        for child in d.catalog.children(&top.id) {
            if let Some(g) = d.glance.scorecard.group(&child.id) {
                line_for(format!("  {}", child.name(ui.zh)), g, false);
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(ui.block(
            match d.score.as_ref().filter(|s| s.method == "points") {
                // A points catalogue: the score and its stars in the title.
                Some(s) => format!(
                    " {} · {} {} ",
                    ui.m(Label::Progress),
                    s.points.map_or("—".into(), |p| format!("{p:.1}")),
                    match (s.pass, s.stars) {
                        (Some(true), Some(n)) if n >= 3 => "★".repeat(n as usize),
                        (Some(true), _) => ui.m(Label::QaPass).to_string(),
                        (Some(false), _) => ui.m(Label::QaFail).to_string(),
                        _ => String::new(),
                    }
                ),
                None => format!(" {} ", ui.m(Label::Progress)),
            },
            false,
        )),
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
    // Narrow (80 columns): 4-cell columns with a one-character status in
    // Chinese, so the header never runs together.
    let narrow = grid_a.width.saturating_sub(2) < 12 + 9 * 5 + 5;
    let head = |s: FindingStatus| -> String {
        let t = short(s);
        if narrow && ui.zh {
            t.chars().take(1).collect()
        } else {
            t.to_string()
        }
    };
    // Counts as wide as they need; at 80 columns thousands are shortened
    // (8.3k, 25k) so they neither run together nor lose digits.
    let count = |n: usize| -> String {
        match n {
            0 => "·".into(),
            n if !narrow || n < 1000 => n.to_string(),
            n if n < 10_000 => format!("{:.1}k", n as f64 / 1000.0),
            n if n < 1_000_000 => format!("{}k", n / 1000),
            n => format!("{}M", n / 1_000_000),
        }
    };
    let by = &d.glance.findings_by_grade;
    let widest = |f: &dyn Fn(Grade) -> usize| Grade::ALL.iter().map(|g| count(f(*g)).len()).max().unwrap_or(1);
    let cell_max = widest(&|g| {
        shown
            .iter()
            .map(|s| by.get(&(g, *s)).copied().unwrap_or(0))
            .max()
            .unwrap_or(0)
    });
    let total_max = widest(&|g| shown.iter().map(|s| by.get(&(g, *s)).copied().unwrap_or(0)).sum());
    let (label_w, col_w) = if narrow { (4, 4) } else { (12, 5) };
    let col_w = col_w.max(cell_max as u16 + 1);
    let total_w = if narrow { 2 } else { 5 }.max(total_max as u16 + 1);
    // Too wide for the box (thousands at 80 columns): only the statuses
    // that hold findings.
    let mut shown = shown;
    if label_w + shown.len() as u16 * col_w + total_w > grid_a.width.saturating_sub(2) {
        shown.retain(|s| Grade::ALL.iter().any(|g| by.get(&(*g, *s)).is_some_and(|n| *n > 0)));
    }
    let mut header = vec![Cell::from("")];
    // Counts and their heads right-aligned: a gap after the grade's label
    // whatever its width, and digits in columns.
    let right = |t: String| Cell::from(Line::from(t).alignment(Alignment::Right));
    header.extend(shown.iter().map(|s| right(head(*s))));
    header.push(right("Σ".into()));
    let rows: Vec<Row> = Grade::ALL
        .iter()
        .map(|g| {
            let label = if narrow { g.short(ui.zh) } else { g.label(ui.zh) };
            let mut cells = vec![Cell::from(Span::styled(label, ui.st(grade_role(*g))))];
            let mut total = 0;
            for s in &shown {
                let n = by.get(&(*g, *s)).copied().unwrap_or(0);
                total += n;
                cells.push(right(count(n)));
            }
            cells.push(right(count(total)));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(label_w)];
    widths.extend(shown.iter().map(|_| Constraint::Length(col_w)));
    widths.push(Constraint::Length(total_w));
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(ui.st("table.header")))
            .column_spacing(0)
            .block(ui.block(format!(" {} ", ui.m(Label::FindingsByGrade)), false)),
        grid_a,
    );

    // Remediation at a glance; a self-assessment (or any engagement with a
    // plan) shows its plan's timeline in place of the oldest overdue.
    let r = &d.glance;
    let with_plan = !d.milestones.is_empty() || e.kind == crate::model::engagement::EngagementKind::SelfAssessment;
    let [counts_a, oldest_a] = if with_plan {
        let [plan_a, counts_a] =
            Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(bottom);
        plan_panel(ui, f, plan_a);
        [counts_a, Rect::default()]
    } else {
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(bottom)
    };
    let count_line = |label: Label, n: usize, role: &str| {
        Line::from(vec![
            Span::styled(format!("{:>5}  ", n), ui.st(role)),
            Span::styled(ui.m(label), ui.st("text")),
        ])
    };
    let mut counts = vec![
        count_line(Label::Overdue, r.overdue, "status.overdue"),
        count_line(Label::Due7, r.due_7, "status.due_soon"),
        count_line(Label::Due30, r.due_30, "text"),
        count_line(Label::AwaitingVerification, r.awaiting_verification, "text"),
        count_line(Label::Verified, r.verified, "status.verified"),
    ];
    if !d.test_calls.is_empty() {
        // The mystery-shopping campaign: calls made of those planned.
        let made = d.test_calls.iter().filter(|c| c.made()).count();
        let text = ui
            .m(Label::TestCallsMade)
            .replace("{n}", &d.test_calls.len().to_string());
        counts.push(Line::from(vec![
            Span::styled(format!("{made:>5}  "), ui.st("text")),
            Span::styled(text, ui.st("text")),
        ]));
    }
    if let Some(fig) = &d.qa_round {
        // The latest QA round: reviews in from both raters, κ, what waits.
        let text = ui
            .m(Label::QaLine)
            .replace("{n}", &fig.reviews.to_string())
            .replace("{kappa}", &fig.kappa.map_or("—".into(), |k| format!("{k:.2}")))
            .replace("{open}", &fig.unresolved.to_string());
        counts.push(Line::from(vec![
            Span::styled(format!("{:>5}  ", fig.revealed), ui.st("text")),
            Span::styled(text, ui.st("text")),
        ]));
    }
    f.render_widget(
        fitted(
            counts,
            ui.block(format!(" {} ", ui.m(Label::RemediationAtAGlance)), false),
            counts_a,
        ),
        counts_a,
    );
    if oldest_a.is_empty() {
        return;
    }
    let room = oldest_a.height.saturating_sub(2) as usize;
    let oldest: Vec<Line> = if r.oldest_overdue.is_empty() {
        vec![Line::styled(ui.m(Label::NothingOverdue), ui.st("status.ok"))]
    } else {
        r.oldest_overdue
            .iter()
            .take(room)
            .map(|l| {
                Line::from(vec![
                    Span::styled(
                        format!("{:>4}{} ", l.days_overdue.unwrap_or(0), ui.m(Label::Days)),
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
        fitted(
            oldest,
            ui.block(format!(" {} ", ui.m(Label::OldestOverdue)), false),
            oldest_a,
        ),
        oldest_a,
    );
}

/// The plan: one row per milestone with its phase, owner, a bar on the
/// plan's timeline (█ done, ░ to do, │ today) and its state.
fn plan_panel(ui: &Ui, f: &mut Frame, area: Rect) {
    use crate::model::plan::{MilestoneState, bar_cells, day_cell, overall_progress, span};
    let Some(d) = &ui.s.data else { return };
    let ms = &d.milestones;
    let today = d.today;
    let done = ms.iter().filter(|m| m.state(today) == MilestoneState::Done).count();
    let late = ms.iter().filter(|m| m.state(today) == MilestoneState::Late).count();
    let title = match overall_progress(ms) {
        Some(p) => ui
            .m(Label::PlanTitle)
            .replace("{pct}", &format!("{:.0}%", p * 100.0))
            .replace("{done}", &done.to_string())
            .replace("{n}", &ms.len().to_string())
            .replace("{late}", &late.to_string()),
        None => ui.m(Label::Plan).to_string(),
    };
    let block = ui.block(format!(" {title} "), false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some((from, to)) = span(ms) else {
        f.render_widget(
            wrapped(ui.m(Label::NoPlan).replace("{id}", &d.engagement.id), None, inner).style(ui.st("text.dim")),
            inner,
        );
        return;
    };
    let phase_w = if ui.zh { 14 } else { 10 };
    let owner_w = 8;
    let state_w = 12;
    let bar_w = (inner.width as usize)
        .saturating_sub(3 + phase_w + owner_w + state_w + 4)
        .max(4);
    let now = day_cell(today, from, to, bar_w);
    let lines: Vec<Line> = ms
        .iter()
        .take(inner.height as usize)
        .map(|m| {
            let state = m.state(today);
            let (label, role) = match state {
                MilestoneState::Done => (state.label(ui.zh).to_string(), "status.ok"),
                MilestoneState::Late => (
                    format!(
                        "{} +{}{}",
                        state.label(ui.zh),
                        m.days_late(today).unwrap_or(0),
                        ui.m(Label::Days)
                    ),
                    "status.overdue",
                ),
                MilestoneState::Running if m.progress > 0 => (format!("{}%", m.progress), "status.due_soon"),
                MilestoneState::Running => (state.label(ui.zh).to_string(), "status.due_soon"),
                MilestoneState::NotStarted => (state.label(ui.zh).to_string(), "text.dim"),
            };
            let mut spans = vec![
                Span::styled(
                    format!("{:<3}", m.id.rsplit('/').next().unwrap_or_default()),
                    ui.st("text.dim"),
                ),
                Span::styled(crate::text::fit(m.phase.label(ui.zh), phase_w), ui.st("text.title")),
                Span::raw(" "),
                Span::styled(crate::text::fit(&ui.text(&m.owner), owner_w), ui.st("text")),
                Span::raw(" "),
            ];
            let cells = bar_cells(m, from, to, bar_w);
            for i in 0..bar_w {
                let (ch, role) = match cells {
                    _ if now == Some(i) => ("│", "status.due_soon"),
                    Some((s, len, filled)) if i >= s && i < s + len && i - s < filled => ("█", "gauge"),
                    Some((s, len, _)) if i >= s && i < s + len => (
                        "░",
                        if state == MilestoneState::Late {
                            "status.overdue"
                        } else {
                            "gauge"
                        },
                    ),
                    _ => (" ", "text"),
                };
                spans.push(Span::styled(ch, ui.st(role)));
            }
            spans.push(Span::raw(" "));
            spans.push(Span::styled(crate::text::fit(&label, state_w), ui.st(role)));
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
