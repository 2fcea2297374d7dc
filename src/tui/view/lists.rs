//! The findings and remediation panes and their detail views.

use super::*;

pub(super) fn findings(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let fl = &ui.s.findings;
    if fl.detail {
        finding_detail(ui, f, area);
        return;
    }
    // Findings carried from earlier audits: below the list, as they stand now.
    let area = if d.carried.is_empty() {
        area
    } else {
        let h = d.carried.len().min(4) as u16 + 2;
        let [list, carried_a] = Layout::vertical([Constraint::Min(5), Constraint::Length(h)]).areas(area);
        carried_panel(ui, f, carried_a);
        list
    };
    let col_name = |c: FindingCol| match c {
        FindingCol::Ref => ui.m(Label::ColRef),
        FindingCol::Grade => ui.m(Label::ColGrade),
        FindingCol::Title => ui.m(Label::ColTitle),
        FindingCol::Indicator => ui.m(Label::ColIndicator),
        FindingCol::Status => ui.m(Label::ColWorkflow),
        FindingCol::RaisedBy => ui.m(Label::ColRaisedBy),
        FindingCol::Due => ui.m(Label::ColDue),
        FindingCol::Actions => ui.m(Label::ColActions),
    };
    let mut extra = format!(
        "{} {}{}",
        ui.m(Label::Sort),
        col_name(fl.sort),
        if fl.ascending { "↑" } else { "↓" }
    );
    if ui.s.overdue_only {
        extra.push_str(&format!(" · {}", ui.m(Label::Overdue)));
    }
    let unknown = crate::tui::state::FindingFilter::parse(&fl.filter).unknown;
    if !unknown.is_empty() {
        extra.push_str(&format!(
            " · {} {}",
            ui.m(Label::FilterUnknown),
            ui.text(&unknown.join(" "))
        ));
    }
    let title = list_title(ui, Label::Findings, fl.view.len(), d.findings.len(), &fl.filter, &extra);
    let sel = ui.s.selected_finding_pos();
    let (inner, range) = list_frame(ui, f, area, title, fl.view.len(), sel, fl.offset);
    // Below 100 columns the "raised by" column gives its room to the title,
    // which would otherwise shrink to a few cells while the dates stay whole.
    let raised_by: u16 = if inner.width < 100 { 0 } else { 10 };
    // References are never cut: the column fits the widest one on screen.
    let ref_w = fl.view[range.clone()]
        .iter()
        .map(|&i| width(&d.findings[i].reference))
        .max()
        .unwrap_or(0)
        .max(8) as u16;
    let title_w = (inner.width as usize)
        .saturating_sub(ref_w as usize + 5 + 6 + 12 + raised_by as usize + 16 + 4 + 7)
        .max(8);
    let widths = [
        Constraint::Length(ref_w),
        Constraint::Length(5),
        Constraint::Min(16),
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(raised_by),
        Constraint::Length(16),
        Constraint::Length(4),
    ];
    let cols = column_widths(&widths, 1, inner.width);
    let rows: Vec<Row> = fl.view[range]
        .iter()
        .map(|&i| {
            let fi = &d.findings[i];
            let overdue = fi
                .response_overdue_days(d.today)
                .or_else(|| fi.closure_overdue_days(d.today));
            let due = fi.current_due();
            let due_text = match (due, overdue) {
                (Some(x), Some(o)) => format!("{x} +{o}{}", ui.m(Label::Days)),
                (Some(x), None) => x.to_string(),
                _ => String::new(),
            };
            let n_actions = d.actions_by_finding.get(&*fi.reference).map_or(0, Vec::len);
            let row = fit_row(
                vec![
                    Line::from(fi.reference.to_string()),
                    Line::from(Span::styled(fi.grade.short(ui.zh), ui.st(grade_role(fi.grade)))),
                    Line::from(truncate(&ui.text(&fi.title), title_w)),
                    Line::from(fi.indicators.join(",")),
                    Line::from(truncate(fi.status.label(ui.zh), 12)),
                    Line::from(truncate(&fi.raised_by, 10)),
                    Line::from(Span::styled(
                        due_text,
                        ui.st(if overdue.is_some() { "status.overdue" } else { "text" }),
                    )),
                    Line::from(if n_actions > 0 {
                        n_actions.to_string()
                    } else {
                        String::new()
                    }),
                ],
                &cols,
            );
            if fl.selected.as_deref() == Some(&*fi.reference) {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    let header = fit_row(
        FindingCol::ALL.iter().map(|c| {
            let mut n = col_name(*c).to_string();
            if *c == fl.sort {
                n.push(if fl.ascending { '↑' } else { '↓' });
            }
            Line::from(n)
        }),
        &cols,
    )
    .style(ui.st("table.header"));
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    if fl.view.is_empty() {
        no_matches(ui, f, inner);
    }
}

fn carried_panel(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let title = format!(" {} ({}) ", ui.m(Label::CarriedFindings), d.carried.len());
    let lines: Vec<Line> = d
        .carried
        .iter()
        .map(|x| {
            Line::from(vec![
                Span::styled(format!("{} ", crate::text::visible(&x.reference)), ui.st("text.title")),
                Span::styled(format!("{} ", x.grade.short(ui.zh)), ui.st(grade_role(x.grade))),
                Span::styled(format!("{} ", x.status.label(ui.zh)), ui.st("text")),
                Span::styled(format!("{} ", ui.text(&x.title)), ui.st("text")),
                Span::styled(format!("({})", crate::text::visible(&x.engagement)), ui.st("text.dim")),
            ])
        })
        .collect();
    f.render_widget(fitted(lines, ui.block(title, false), area), area);
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
                ui.m(Label::ColWorkflow),
                fi.status.label(ui.zh),
                ui.m(Label::ColIndicator),
                fi.indicators.join(", "),
                ui.m(Label::ColRaisedBy),
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
                .map(|o| format!("  {} {o}{}", ui.m(Label::Overdue), ui.m(Label::Days)))
                .unwrap_or_default(),
            ui.st("status.overdue"),
        ),
    ]));
    lines.push(section(ui, Label::Statement));
    lines.push(Line::styled(ui.full(&fi.statement), ui.st("text")));
    lines.push(section(ui, Label::Criterion));
    lines.push(Line::styled(ui.full(&fi.criterion), ui.st("text")));
    if !fi.evidence.is_empty() || !fi.evidence_note.is_empty() {
        lines.push(section(ui, Label::Evidence));
        if !fi.evidence_note.is_empty() {
            lines.push(Line::styled(ui.full(&fi.evidence_note), ui.st("text")));
        }
        for sha in &fi.evidence {
            let name = d.evidence.get(sha).map(|e| e.name.clone()).unwrap_or_default();
            lines.push(Line::styled(
                format!("{} {name}", crate::text::head(sha, 12)),
                ui.st("text"),
            ));
        }
    }
    if !fi.root_cause.is_empty() || !fi.correction.is_empty() {
        lines.push(section(ui, Label::AuditeeResponse));
        lines.push(Line::styled(
            format!("{}: {}", ui.m(Label::RootCause), ui.full(&fi.root_cause)),
            ui.st("text"),
        ));
        lines.push(Line::styled(
            format!("{}: {}", ui.m(Label::Correction), ui.full(&fi.correction)),
            ui.st("text"),
        ));
    }
    lines.push(section(ui, Label::Actions));
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
        lines.push(Line::styled(ui.m(Label::None_), ui.st("text.dim")));
    }
    let matches = ui.s.history.as_ref().is_some_and(|(e, _)| e.id == fi.entity);
    let h = history_lines(ui, matches, 12);
    if !h.is_empty() {
        lines.push(history_section(ui));
        lines.extend(h);
    }
    f.render_widget(
        wrapped(lines, Some(ui.block(format!(" {} ", fi.reference), true)), area)
            .scroll((ui.s.findings.detail_scroll, 0)),
        area,
    );
}

pub(super) fn remediation(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let rl = &ui.s.remediation;
    if rl.detail {
        action_detail(ui, f, area);
        return;
    }
    let view_name = |v: RemView| match v {
        RemView::All => ui.m(Label::ViewAll),
        RemView::Overdue => ui.m(Label::ViewOverdue),
        RemView::Due7 => ui.m(Label::ViewDue7),
        RemView::Due30 => ui.m(Label::ViewDue30),
        RemView::ByOwner => ui.m(Label::ViewByOwner),
        RemView::Awaiting => ui.m(Label::ViewAwaiting),
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
        ActionCol::Finding => ui.m(Label::ColFinding),
        ActionCol::Action => ui.m(Label::ColAction),
        ActionCol::Owner => ui.m(Label::ColOwner),
        ActionCol::Due => ui.m(Label::ColDue),
        ActionCol::Status => ui.m(Label::ColWorkflow),
        ActionCol::Progress => ui.m(Label::ColProgress),
    };
    let extra = format!(
        "{} · {} {}{}",
        views.join(" "),
        ui.m(Label::Sort),
        col_name(rl.sort),
        if rl.ascending { "↑" } else { "↓" }
    );
    let title = list_title(
        ui,
        Label::Remediation,
        rl.view.len(),
        d.actions.len(),
        &rl.filter,
        &extra,
    );
    let sel = rl
        .selected
        .as_ref()
        .and_then(|s| rl.view.iter().position(|&i| &d.actions[i].id == s));
    let (inner, range) = list_frame(ui, f, area, title, rl.view.len(), sel, rl.offset);
    // The finding reference is never cut: the column fits the widest on screen.
    let ref_w = rl.view[range.clone()]
        .iter()
        .map(|&i| width(&d.actions[i].finding))
        .max()
        .unwrap_or(0)
        .max(7) as u16;
    // Below 100 columns the due date (in the detail, and the days column
    // says how near it is) and some of the owner's room go to the action.
    let narrow = inner.width < 100;
    let widths = [
        Constraint::Length(ref_w),
        Constraint::Min(16),
        Constraint::Length(if narrow { 14 } else { 22 }),
        Constraint::Length(if narrow { 0 } else { 10 }),
        Constraint::Length(6),
        Constraint::Length(if narrow { 12 } else { 14 }),
        Constraint::Length(5),
    ];
    let cols = column_widths(&widths, 1, inner.width);
    let desc_w = cols[1];
    let rows: Vec<Row> = rl.view[range]
        .iter()
        .map(|&i| {
            let a = &d.actions[i];
            let days = a.days_past_due(d.today);
            let (dtext, role) = days_text(ui, days);
            let row = fit_row(
                vec![
                    Line::from(a.finding.clone()),
                    // The action's own id first: what `action update ID` takes.
                    Line::from(vec![
                        Span::styled(
                            format!("{} ", crate::model::ops::short_reference(&a.id)),
                            ui.st("text.dim"),
                        ),
                        Span::raw(truncate(
                            &ui.text(&a.description),
                            desc_w.saturating_sub(width(crate::model::ops::short_reference(&a.id)) + 1),
                        )),
                    ]),
                    Line::from(truncate(&ui.text(&a.owner), 22)),
                    Line::from(a.due.map(|x| x.to_string()).unwrap_or_default()),
                    Line::from(Span::styled(dtext, ui.st(role))),
                    Line::from(Span::styled(
                        truncate(a.status.label(ui.zh), 14),
                        ui.st(if a.status == ActionStatus::Effective {
                            "status.verified"
                        } else {
                            "text"
                        }),
                    )),
                    Line::from(format!("{:>3}%", a.progress)),
                ],
                &cols,
            );
            if rl.selected.as_deref() == Some(a.id.as_str()) {
                row.style(ui.st("selection"))
            } else {
                row
            }
        })
        .collect();
    let header = fit_row(
        [
            col_name(ActionCol::Finding),
            col_name(ActionCol::Action),
            col_name(ActionCol::Owner),
            col_name(ActionCol::Due),
            ui.m(Label::ColDays),
            col_name(ActionCol::Status),
            col_name(ActionCol::Progress),
        ]
        .map(Line::from),
        &cols,
    )
    .style(ui.st("table.header"));
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
            format!("{} · {} {}", a.id, ui.m(Label::ColFinding), a.finding),
            ui.st("text.title"),
        ),
        Line::styled(ui.full(&a.description), ui.st("text")),
        Line::from(vec![
            Span::styled(
                format!(
                    "{}: {}   {}: {} ",
                    ui.m(Label::ColOwner),
                    ui.text(&a.owner),
                    ui.m(Label::ColDue),
                    dt(a.due)
                ),
                ui.st("text"),
            ),
            Span::styled(dtext, ui.st(role)),
        ]),
        Line::styled(
            format!(
                "{}: {}   {}: {}%",
                ui.m(Label::ColWorkflow),
                a.status.label(ui.zh),
                ui.m(Label::ColProgress),
                a.progress
            ),
            ui.st("text"),
        ),
    ];
    if let Some(fi) = d.finding(&a.finding) {
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", fi.grade.label(ui.zh)), ui.st(grade_role(fi.grade))),
            Span::styled(ui.text(&fi.title), ui.st("text.dim")),
        ]));
    }
    lines.push(section(ui, Label::CompletionEvidence));
    lines.push(Line::styled(
        if a.completion_evidence.is_empty() {
            ui.m(Label::None_).to_string()
        } else {
            ui.text(&a.completion_evidence)
        },
        ui.st("text"),
    ));
    lines.push(section(ui, Label::Verification));
    match &a.verification {
        Some(v) => lines.push(Line::from(vec![
            Span::styled(format!("{} {} ", d.member_name(&v.by), v.on), ui.st("text")),
            Span::styled(
                if v.effective {
                    ui.m(Label::Effective)
                } else {
                    ui.m(Label::NotEffective)
                },
                ui.st(if v.effective {
                    "status.verified"
                } else {
                    "status.overdue"
                }),
            ),
            Span::styled(format!(" — {}", ui.text(&v.note)), ui.st("text")),
        ])),
        None => lines.push(Line::styled(ui.m(Label::None_), ui.st("text.dim"))),
    }
    let matches = ui.s.history.as_ref().is_some_and(|(e, _)| e.id == a.entity);
    let h = history_lines(ui, matches, 12);
    if !h.is_empty() {
        lines.push(history_section(ui));
        lines.extend(h);
    }
    f.render_widget(
        wrapped(lines, Some(ui.block(format!(" {} ", a.id), true)), area).scroll((ui.s.remediation.detail_scroll, 0)),
        area,
    );
}
