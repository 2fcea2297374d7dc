//! The checklist pane: the catalogue as a tree, and the indicator detail panel.

use super::*;

pub(super) fn checklist(ui: &Ui, f: &mut Frame, area: Rect) {
    let Some(d) = &ui.s.data else { return };
    let cl = &ui.s.checklist;
    let wide = area.width >= 100;
    let [list_a, detail_a] = if wide {
        Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
    };
    // Counted as the dashboard counts: of the applicable indicators, and
    // the not-applicable ones named apart.
    let overall = &d.glance.scorecard.overall;
    let na = d
        .assessments
        .values()
        .filter(|a| a.result == AssessmentResult::NotApplicable)
        .count();
    let mut extra = if cl.walk_mine {
        ui.m(Label::WalkMine).to_string()
    } else {
        format!("{} {}/{}", ui.m(Label::Assessed), overall.assessed, overall.applicable)
    };
    if na > 0 {
        extra.push_str(&format!(" · {na} {}", ui.m(Label::NotApplicableShort)));
    }
    if !cl.marked.is_empty() {
        extra.push_str(&format!(" · {} {}", cl.marked.len(), ui.m(Label::Marked)));
    }
    let n_ind = cl.rows.iter().filter(|(r, _)| matches!(r, CRow::Indicator(_))).count();
    let title = list_title(
        ui,
        Label::Checklist,
        n_ind,
        d.catalog.indicators.len(),
        &cl.filter,
        &extra,
    );
    let sel = cl
        .selected
        .as_ref()
        .and_then(|s| cl.rows.iter().position(|(r, _)| r == s));
    let (inner, range) = list_frame(ui, f, list_a, title, cl.rows.len(), sel, cl.offset);
    // The findings count is as wide as the largest count (thousands at scale).
    let count_w = d
        .findings_by_indicator
        .values()
        .map(|v| v.len().to_string().len())
        .max()
        .unwrap_or(1)
        .max(2) as u16;
    // The result column fits the longest result ("not-applicable").
    let result_w = AssessmentResult::ALL
        .iter()
        .map(|r| width(r.label(ui.zh)))
        .max()
        .unwrap_or(13) as u16;
    let fixed: [u16; 5] = [result_w, 15, 9, 9, count_w];
    let label_w = (inner.width as usize)
        .saturating_sub(fixed.iter().map(|w| *w as usize + 1).sum::<usize>())
        .max(8);
    let widths = [
        Constraint::Length(label_w as u16),
        Constraint::Length(fixed[0]),
        Constraint::Length(fixed[1]),
        Constraint::Length(fixed[2]),
        Constraint::Length(fixed[3]),
        Constraint::Length(fixed[4]),
    ];
    let cols = column_widths(&widths, 1, inner.width);
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
                    // Counted as the dashboard counts: assessed of applicable
                    // (a not-applicable indicator is in neither).
                    let (done, total) = d
                        .glance
                        .scorecard
                        .group(g)
                        .map_or((0, 0), |s| (s.assessed, s.applicable));
                    fit_row(
                        vec![
                            Line::from(Span::styled(
                                truncate(&format!("{indent}{mark} {name}"), label_w),
                                ui.st("group"),
                            )),
                            Line::from(Span::styled(format!("{done}/{total}"), ui.st("text.dim"))),
                        ],
                        &cols,
                    )
                }
                CRow::Indicator(id) => {
                    // A marked row (space) shows a dot where the indent is.
                    let indent = if cl.marked.contains(id) {
                        format!("{}● ", "  ".repeat(level.saturating_sub(1)))
                    } else {
                        indent.clone()
                    };
                    let ind = d.catalog.indicator(id);
                    let a = d.assessments.get(id);
                    let result = a.map_or(AssessmentResult::NotAssessed, |a| a.result);
                    let (mtext, met) = ind
                        .map(|i| measured_text(ui, i, a.and_then(|a| a.measured)))
                        .unwrap_or_default();
                    let fcount = d.findings_by_indicator.get(id).map_or(0, Vec::len);
                    let name = ind.map(|i| i.name(ui.zh)).unwrap_or(id);
                    fit_row(
                        vec![
                            Line::from(vec![
                                Span::styled(format!("{indent}{id} "), ui.st("text.dim")),
                                Span::styled(
                                    truncate(name, label_w.saturating_sub(width(&indent) + id.len() + 1)),
                                    ui.st("text"),
                                ),
                            ]),
                            Line::from(Span::styled(result.label(ui.zh), ui.st(result_role(result)))),
                            Line::from(Span::styled(
                                truncate(&format!("{}{mtext}", if met == Some(false) { "✗ " } else { "" }), 15),
                                ui.st(match met {
                                    Some(true) => "target.met",
                                    Some(false) => "target.missed",
                                    None => "text.dim",
                                }),
                            )),
                            Line::from(Span::styled(
                                truncate(&a.and_then(|a| a.assignee.clone()).unwrap_or_default(), 9),
                                ui.st("text.dim"),
                            )),
                            Line::from(Span::styled(
                                truncate(a.map(|a| a.workflow.label(ui.zh)).unwrap_or(""), 9),
                                ui.st("text.dim"),
                            )),
                            Line::from(if fcount > 0 { fcount.to_string() } else { String::new() }),
                        ],
                        &cols,
                    )
                }
            };
            if selected { r.style(ui.st("selection")) } else { r }
        })
        .collect();
    let header = fit_row(
        [
            format!("{} / {}", ui.m(Label::ColId), ui.m(Label::ColName)),
            ui.m(Label::ColResult).to_string(),
            ui.m(Label::ColMeasured).to_string(),
            ui.m(Label::ColAssignee).to_string(),
            ui.m(Label::ColWorkflow).to_string(),
            ui.m(Label::ColFindings).to_string(),
        ]
        .map(Line::from),
        &cols,
    )
    .style(ui.st("table.header"));
    f.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    checklist_detail(ui, f, detail_a);
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
                    ui.m(Label::Definition),
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
                def.push_str(&format!("; {}", ind.provenance_text(ui.zh)));
                lines.push(Line::styled(def, ui.st("text")));
                let (mtext, _) = measured_text(ui, ind, a.and_then(|a| a.measured));
                let result = a.map_or(AssessmentResult::NotAssessed, |a| a.result);
                let mut result_line = vec![
                    Span::styled(format!("{}: ", ui.m(Label::ColResult)), ui.st("text")),
                    Span::styled(result.label(ui.zh), ui.st(result_role(result))),
                    Span::styled(format!("   {mtext}"), ui.st("text")),
                ];
                // The trend on the result's line too: a small panel (80×24)
                // shows it before the earlier audits' section.
                if let Some(prev) = d.previous.get(id) {
                    let mut values: Vec<f64> = prev.iter().filter_map(|p| p.measured).collect();
                    values.extend(a.and_then(|a| a.measured));
                    if values.len() > 1 {
                        result_line.push(Span::styled(format!("   {}", trend(&values)), ui.st("gauge")));
                    }
                }
                lines.push(Line::from(result_line));
                if let Some(b) = ind.target_basis(ui.zh) {
                    lines.push(Line::styled(b.to_string(), ui.st("text.dim")));
                }
                if let Some(f) = ind.formula(ui.zh) {
                    lines.push(Line::styled(format!("= {f}"), ui.st("text.dim")));
                }
                if let Some(prev) = d.previous.get(id) {
                    lines.push(section(ui, Label::PreviousAudits));
                    for p in prev {
                        let (m, _) = measured_text(ui, ind, p.measured);
                        lines.push(Line::from(vec![
                            Span::styled(format!("{} ", ui.text(&p.engagement)), ui.st("text.title")),
                            Span::styled(format!("{} ", p.kind.label(ui.zh)), ui.st("text.dim")),
                            Span::styled(p.result.label(ui.zh), ui.st(result_role(p.result))),
                            Span::styled(format!("   {m}"), ui.st("text")),
                        ]));
                    }
                }
                lines.push(section(ui, Label::EvidenceToAsk));
                lines.push(Line::styled(ind.evidence_hint(ui.zh).to_string(), ui.st("text")));
                if let Some(a) = a {
                    if !a.notes.is_empty() {
                        lines.push(section(ui, Label::Notes));
                        lines.push(Line::styled(ui.full(&a.notes), ui.st("text")));
                    }
                    if !a.method.is_empty() {
                        lines.push(section(ui, Label::Method));
                        lines.push(Line::styled(ui.text(&a.method), ui.st("text")));
                    }
                    if !a.evidence.is_empty() {
                        lines.push(section(ui, Label::Evidence));
                        for sha in &a.evidence {
                            let name = d.evidence.get(sha).map(|e| e.name.clone()).unwrap_or_default();
                            lines.push(Line::styled(
                                format!("{} {name}", crate::text::head(sha, 12)),
                                ui.st("text"),
                            ));
                        }
                    }
                }
                if let Some(fs) = d.findings_by_indicator.get(id) {
                    lines.push(section(ui, Label::LinkedFindings));
                    // The first few; the Findings filter lists them all (an
                    // indicator can carry thousands, and this panel is a glance).
                    const SHOWN: usize = 8;
                    for fi in d.findings_of(id).take(SHOWN) {
                        lines.push(Line::from(vec![
                            Span::styled(format!("{} ", fi.reference), ui.st(grade_role(fi.grade))),
                            Span::styled(format!("{} ", fi.status.label(ui.zh)), ui.st("text.dim")),
                            Span::styled(ui.text(&fi.title), ui.st("text")),
                        ]));
                    }
                    if fs.len() > SHOWN {
                        let more = fs.len() - SHOWN;
                        lines.push(Line::styled(
                            match ui.lang {
                                crate::config::Lang::Zh => format!("……另有 {more} 项（在“发现”中筛选 {id}）"),
                                crate::config::Lang::En => format!("… {more} more (filter Findings by {id})"),
                            },
                            ui.st("text.dim"),
                        ));
                    }
                }
                let matches =
                    ui.s.history
                        .as_ref()
                        .is_some_and(|(e, _)| e.id.ends_with(&format!("/{id}")));
                let h = history_lines(ui, matches, 8);
                if !h.is_empty() {
                    lines.push(history_section(ui));
                    lines.extend(h);
                }
            }
            format!(" {id} ")
        }
        Some(CRow::Group(g)) => {
            if let Some(sc) = d.glance.scorecard.group(g) {
                let name = d.catalog.group(g).map(|x| x.name(ui.zh)).unwrap_or(g);
                lines.push(Line::styled(name.to_string(), ui.st("text.title")));
                lines.push(Line::styled(
                    format!(
                        "{} {}/{}  {} {}",
                        ui.m(Label::Assessed),
                        sc.assessed,
                        sc.applicable,
                        ui.m(Label::Score),
                        sc.score.map_or("-".into(), |s| format!("{s:.1}"))
                    ),
                    ui.st("text"),
                ));
            }
            // The group's name, as in the tree (its id is for catalogue files).
            format!(" {} ", d.catalog.group(g).map(|x| x.name(ui.zh)).unwrap_or(g))
        }
        None => String::new(),
    };
    f.render_widget(wrapped(lines, Some(ui.block(title, false)), area), area);
}

/// A one-line trend of measured values (oldest first, this audit's last):
/// one block per value, its height between the lowest and the highest.
fn trend(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
    values
        .iter()
        .map(|v| {
            let i = if hi > lo {
                ((v - lo) / (hi - lo) * 7.0).round() as usize
            } else {
                3
            };
            BARS[i.min(7)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_trend_rises_with_its_values() {
        assert_eq!(super::trend(&[1.0, 8.0, 4.0]), "▁█▄");
        assert_eq!(super::trend(&[5.0, 5.0]), "▄▄");
    }
}
