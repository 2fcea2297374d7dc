//! The certification panes: the portfolio of programmes, and the call
//! figures by hour of day from the engagement's call-record report.

use super::*;
use crate::app::HourSeries;
use crate::model::engagement::CertificateStatus;
use crate::tui::state::PortfolioCol;
use ratatui::widgets::{Bar, BarChart, BarGroup};

fn cert_role(s: Option<CertificateStatus>) -> &'static str {
    match s {
        Some(CertificateStatus::Valid) => "status.ok",
        Some(CertificateStatus::Suspended) => "status.due_soon",
        Some(CertificateStatus::Withdrawn | CertificateStatus::Expired) => "status.overdue",
        None => "text.dim",
    }
}

pub(super) fn portfolio(ui: &Ui, f: &mut Frame, area: Rect) {
    let s = ui.s;
    let Some(lines) = &s.portfolio else {
        let b = ui.block(format!(" {} ", ui.m(Label::Portfolio)), true);
        f.render_widget(
            Paragraph::new(ui.m(Label::Loading)).style(ui.st("text.dim")).block(b),
            area,
        );
        return;
    };
    if lines.is_empty() {
        let b = ui.block(format!(" {} ", ui.m(Label::Portfolio)), true);
        f.render_widget(
            wrapped(ui.m(Label::PortfolioEmpty), Some(b), area).style(ui.st("text")),
            area,
        );
        return;
    }
    let pl = &s.programmes;
    let col_name = |c: PortfolioCol| match c {
        PortfolioCol::Programme => ui.m(Label::ColProgramme),
        PortfolioCol::Client => ui.m(Label::ColClient),
        PortfolioCol::Certificate => ui.m(Label::ColWorkflow),
        PortfolioCol::Until => ui.m(Label::ColUntil),
        PortfolioCol::NextDue => ui.m(Label::ColNextAudit),
        PortfolioCol::Majors => ui.m(Label::ColMajors),
        PortfolioCol::Overdue => ui.m(Label::ColOverdueActions),
    };
    let extra = format!(
        "{} {}{}",
        ui.m(Label::Sort),
        col_name(pl.sort),
        if pl.ascending { "↑" } else { "↓" }
    );
    let [list_area, detail_area] = Layout::vertical([Constraint::Min(4), Constraint::Length(6)]).areas(area);
    let title = list_title(ui, Label::Portfolio, pl.view.len(), lines.len(), &pl.filter, &extra);
    let sel = s.selected_programme_pos();
    let (inner, range) = list_frame(ui, f, list_area, title, pl.view.len(), sel, pl.offset);
    // Below 100 columns the certificate number and the engagement's kind
    // give their room to the client.
    let wide = inner.width >= 100;
    let today = s.data.as_ref().map(|d| d.today);
    let status_w = if ui.zh { 6 } else { 9 };
    // Dates are 10 cells; at 80 columns every column gives what it can so
    // programme ids stay whole.
    let widths = [
        Constraint::Length(if wide { 12 } else { 11 }),
        Constraint::Min(8),
        Constraint::Length(if wide { 24 } else { 9 }),
        Constraint::Length(if wide { 14 } else { 0 }),
        Constraint::Length(if wide { status_w } else { status_w.min(7) }),
        Constraint::Length(if wide { 11 } else { 10 }),
        Constraint::Length(if wide { 11 } else { 10 }),
        Constraint::Length(if ui.zh {
            4
        } else if wide {
            7
        } else {
            6
        }),
        Constraint::Length(if ui.zh {
            4
        } else if wide {
            8
        } else {
            7
        }),
    ];
    let cols = column_widths(&widths, 1, inner.width);
    let rows: Vec<Row> = pl.view[range]
        .iter()
        .map(|&i| {
            let l = &lines[i];
            let cert = l.certificate.as_ref();
            let now = if wide {
                format!("{} {}", l.current, l.current_kind.label(ui.zh))
            } else {
                l.current.clone()
            };
            let due_role = match (l.next_audit_due, today) {
                (Some(d), Some(t)) if d < t => "status.overdue",
                (Some(d), Some(t)) if (t.until(d).map_or(0, |s| s.get_days())) <= 60 => "status.due_soon",
                _ => "text",
            };
            let count = |n: usize, role: &'static str| {
                Line::from(Span::styled(
                    if n > 0 { n.to_string() } else { "-".into() },
                    ui.st(if n > 0 { role } else { "text.dim" }),
                ))
            };
            let row = fit_row(
                vec![
                    Line::from(truncate(&crate::text::visible(&l.programme), 14)),
                    Line::from(truncate(&ui.text(&l.client), 30)),
                    Line::from(truncate(&crate::text::visible(&now), 26)),
                    Line::from(truncate(
                        &crate::text::visible(cert.map_or("-", |c| c.number.as_str())),
                        16,
                    )),
                    Line::from(Span::styled(
                        l.certificate_status.map_or("-", |st| st.label(ui.zh)),
                        ui.st(cert_role(l.certificate_status)),
                    )),
                    Line::from(cert.map_or("-".into(), |c| c.valid_until.to_string())),
                    Line::from(Span::styled(
                        l.next_audit_due.map_or("-".into(), |d| d.to_string()),
                        ui.st(due_role),
                    )),
                    count(l.open_majors, "finding.major"),
                    count(l.overdue_actions, "status.overdue"),
                ],
                &cols,
            );
            if pl.selected.as_deref() == Some(l.programme.as_str()) {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    let mut names: Vec<String> = vec![
        col_name(PortfolioCol::Programme).into(),
        col_name(PortfolioCol::Client).into(),
        ui.m(Label::ColNow).into(),
        ui.m(Label::ColCertificate).into(),
        col_name(PortfolioCol::Certificate).into(),
        col_name(PortfolioCol::Until).into(),
        col_name(PortfolioCol::NextDue).into(),
        col_name(PortfolioCol::Majors).into(),
        col_name(PortfolioCol::Overdue).into(),
    ];
    // The sorted column's arrow.
    let sorted_at = match pl.sort {
        PortfolioCol::Programme => 0,
        PortfolioCol::Client => 1,
        PortfolioCol::Certificate => 4,
        PortfolioCol::Until => 5,
        PortfolioCol::NextDue => 6,
        PortfolioCol::Majors => 7,
        PortfolioCol::Overdue => 8,
    };
    names[sorted_at].push(if pl.ascending { '↑' } else { '↓' });
    let header = fit_row(names.into_iter().map(Line::from), &cols).style(ui.st("table.header"));
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    if pl.view.is_empty() {
        no_matches(ui, f, inner);
    }
    portfolio_detail(ui, f, detail_area);
}

/// The selected programme: its engagements in order and its certificate.
fn portfolio_detail(ui: &Ui, f: &mut Frame, area: Rect) {
    let b = ui.block(format!(" {} ", ui.m(Label::PortfolioKeys)), false);
    let mut text = Text::default();
    if let Some(l) = ui.s.selected_programme() {
        let mut client = vec![
            Span::styled(format!("{}: ", ui.m(Label::ColClient)), ui.st("text.title")),
            Span::styled(ui.text(&l.client), ui.st("text")),
        ];
        if let Some(k) = l.client_kind {
            client.push(Span::styled(format!(" · {}", k.label(ui.zh)), ui.st("text.dim")));
        }
        if !l.sites.is_empty() {
            let sites: Vec<String> = l.sites.iter().map(|s| ui.text(s)).collect();
            client.push(Span::styled(
                format!(" · {}: {}", ui.m(Label::Site), sites.join("; ")),
                ui.st("text.dim"),
            ));
        }
        text.lines.push(Line::from(client));
        text.lines.push(Line::from(vec![
            Span::styled(format!("{}: ", ui.m(Label::Chain)), ui.st("text.title")),
            Span::styled(
                crate::text::visible(&l.engagements.join(" → ")).into_owned(),
                ui.st("text"),
            ),
        ]));
        match &l.certificate {
            Some(c) => {
                let due: Vec<String> = c.surveillance_due().iter().map(|d| d.to_string()).collect();
                text.lines.push(Line::from(vec![
                    Span::styled(format!("{} ", ui.m(Label::ColCertificate)), ui.st("text.title")),
                    Span::styled(
                        format!(
                            "{} · {} {} · {} {} · {} {}",
                            crate::text::visible(&c.number),
                            ui.m(Label::Issued),
                            c.issued,
                            ui.m(Label::ValidUntil),
                            c.valid_until,
                            ui.m(Label::SurveillanceDue),
                            if due.is_empty() { "-".into() } else { due.join(", ") }
                        ),
                        ui.st("text"),
                    ),
                ]));
                if !c.scope.is_empty() {
                    text.lines.push(Line::styled(ui.text(&c.scope), ui.st("text.dim")));
                }
            }
            None => text
                .lines
                .push(Line::styled(ui.m(Label::NoCertificate), ui.st("text.dim"))),
        }
    }
    f.render_widget(wrapped(text, Some(b), area), area);
}

/// Consecutive hours as ranges: `08:00–18:00, 22:00–23:00`.
pub(crate) fn hour_ranges(hours: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < hours.len() {
        let start = hours[i];
        let mut end = start;
        while i + 1 < hours.len() && hours[i + 1] == end + 1 {
            i += 1;
            end = hours[i];
        }
        out.push(format!("{start:02}:00–{:02}:00", end + 1));
        i += 1;
    }
    out.join(", ")
}

pub(super) fn calls(ui: &Ui, f: &mut Frame, area: Rect) {
    let s = ui.s;
    let title = format!(" {} ", ui.m(Label::Calls));
    let b = ui.block(title, true);
    let profile = match &s.calls {
        None => {
            f.render_widget(
                Paragraph::new(ui.m(Label::Loading)).style(ui.st("text.dim")).block(b),
                area,
            );
            return;
        }
        Some((_, None)) => {
            f.render_widget(
                wrapped(ui.m(Label::CallsNone), Some(b), area).style(ui.st("text")),
                area,
            );
            return;
        }
        Some((_, Some(p))) => p,
    };
    let inner = b.inner(area);
    f.render_widget(b, area);
    let days = match &profile.days {
        Some((a, z)) if a == z => a.clone(),
        Some((a, z)) => format!("{a} – {z}"),
        None => "-".into(),
    };
    // When it was attached, in local time (as the history shows times).
    let captured = match profile.captured_at.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => crate::text::visible(&profile.captured_at).into_owned(),
    };
    // Narrow: the days and the calls first; the file and when it came last.
    let facts = format!(
        "{days} · {} {} · T = {} s",
        crate::text::thousands(profile.offered),
        ui.m(Label::OfferedCalls),
        profile.threshold_s
    );
    let source = format!("{} ({captured})", crate::text::visible(&profile.evidence));
    let head = if inner.width >= 110 {
        Line::from(vec![
            Span::styled(format!("{} ", ui.m(Label::FiguresFrom)), ui.st("text.title")),
            Span::styled(format!("{source} · {facts}"), ui.st("text")),
        ])
    } else {
        Line::from(vec![
            Span::styled(facts, ui.st("text")),
            Span::styled(format!(" · {source}"), ui.st("text.dim")),
        ])
    };
    let [head_area, sl_head, sl_chart, ab_head, ab_chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Length(1),
        Constraint::Fill(2),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(head), head_area);
    for (series, label, head_area, chart_area) in [
        (&profile.service_level, Label::ServiceLevelByHour, sl_head, sl_chart),
        (&profile.abandonment, Label::AbandonmentByHour, ab_head, ab_chart),
    ] {
        f.render_widget(
            Paragraph::new(series_line(
                ui,
                series,
                label,
                &profile.offered_by_hour,
                profile.offered,
                inner.width < 100,
            )),
            head_area,
        );
        hour_chart(ui, f, chart_area, series);
    }
}

/// `Service level by hour (AC-02 sl-neg) 47.0% · target ≥80% · misses it 08:00–18:00 (10 hours, 71% of calls)`.
fn series_line<'a>(
    ui: &Ui,
    series: &HourSeries,
    label: Label,
    offered: &[(u8, u64)],
    total: u64,
    narrow: bool,
) -> Line<'a> {
    let pct = |v: f64| format!("{v:.1}%");
    // Narrow: the indicator and variant give their room to the hours.
    let what = if narrow {
        String::new()
    } else {
        format!(
            "({}{}) ",
            series.indicator.as_deref().map(|i| format!("{i} ")).unwrap_or_default(),
            crate::text::visible(&series.variant)
        )
    };
    let mut spans = vec![Span::styled(format!("{} {what}", ui.m(label)), ui.st("text.title"))];
    if let Some(v) = series.overall {
        let role = match series.misses(v) {
            Some(true) => "status.overdue",
            Some(false) => "status.ok",
            None => "text",
        };
        spans.push(Span::styled(pct(v), ui.st(role)));
    }
    match series.target {
        None => spans.push(Span::styled(format!(" · {}", ui.m(Label::NoTarget)), ui.st("text.dim"))),
        Some(t) => {
            let cmp = if series.higher_is_better { "≥" } else { "≤" };
            spans.push(Span::styled(
                format!(" · {} {cmp}{t}% · ", ui.m(Label::Target)),
                ui.st("text"),
            ));
            let failing = series.failing_hours();
            if failing.is_empty() {
                spans.push(Span::styled(ui.m(Label::EveryHourMeets), ui.st("status.ok")));
            } else {
                let calls: u64 = offered
                    .iter()
                    .filter(|(h, _)| failing.contains(h))
                    .map(|(_, n)| n)
                    .sum();
                let share = if total > 0 {
                    format!("{:.0}%", calls as f64 * 100.0 / total as f64)
                } else {
                    "-".into()
                };
                spans.push(Span::styled(
                    ui.m(Label::BelowTarget)
                        .replace("{hours}", &hour_ranges(&failing))
                        .replace("{n}", &failing.len().to_string())
                        .replace("{pct}", &share),
                    ui.st("status.overdue"),
                ));
            }
        }
    }
    Line::from(spans)
}

/// One bar per hour with calls; a bar that misses the target is drawn in
/// the overdue colour, one that meets it in the ok colour.
fn hour_chart(ui: &Ui, f: &mut Frame, area: Rect, series: &HourSeries) {
    let n = series.by_hour.len().max(1) as u16;
    let gap = 1;
    let bar_w = ((area.width + gap) / n).saturating_sub(gap).clamp(1, 5);
    // Centred: the bars take n × (width + gap) − gap cells.
    let used = (n * (bar_w + gap)).saturating_sub(gap).min(area.width);
    let area = Rect {
        x: area.x + (area.width - used) / 2,
        width: used,
        ..area
    };
    let top = series
        .by_hour
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(series.target)
        .fold(0.0_f64, f64::max);
    // Percentages of a whole to 100; small ones (abandonment) to a tenth above the top.
    let max = if top > 50.0 {
        100
    } else {
        ((top * 1.2 / 5.0).ceil() * 5.0).max(5.0) as u64
    };
    let bars: Vec<Bar> = series
        .by_hour
        .iter()
        .map(|(h, v)| {
            let value = v.unwrap_or(0.0).round().max(0.0) as u64;
            let role = match v.and_then(|v| series.misses(v)) {
                Some(true) => "status.overdue",
                Some(false) => "status.ok",
                None => "text.dim",
            };
            let shown = value.to_string();
            let text = if crate::text::width(&shown) as u16 <= bar_w {
                shown
            } else {
                String::new()
            };
            Bar::default()
                .value(value)
                .label(Line::from(format!("{h:02}")))
                .text_value(text)
                .style(ui.st(role))
                .value_style(ui.st("selection"))
        })
        .collect();
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_w)
        .bar_gap(gap)
        .max(max)
        .label_style(ui.st("text.dim"));
    f.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hour_ranges_join_consecutive_hours() {
        assert_eq!(
            super::hour_ranges(&[8, 9, 10, 14, 22, 23]),
            "08:00–11:00, 14:00–15:00, 22:00–24:00"
        );
        assert_eq!(super::hour_ranges(&[]), "");
    }
}
