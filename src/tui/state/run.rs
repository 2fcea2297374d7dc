//! Commands: what each registry command does to the state, movement, the
//! walk-through, and keeping the selection visible.

use super::*;

impl State {
    pub fn run(&mut self, cmd: Cmd) -> Option<Effect> {
        // One predicate decides (help, the palette and the hint line ask it
        // too); a command that cannot run says why instead of doing nothing.
        match self.availability(cmd) {
            Avail::Enabled => {}
            Avail::Disabled(reason) => {
                self.say(reason);
                return None;
            }
            Avail::Hidden => return None,
        }
        match cmd {
            Cmd::Undo => return Some(Effect::Undo),
            Cmd::IdentityEdit => return self.open_identity(),
            Cmd::EngagementNew => {
                if !self.identity_set {
                    return self.open_identity();
                }
                return self.open_engagement();
            }
            Cmd::MemberAdd => return self.open_member(),
            Cmd::EngagementFollow => return self.open_follow(),
            Cmd::PlanUpdate => return self.open_milestone(),
            Cmd::TestCallRecord => return self.open_test_call(),
            Cmd::QaScore => return self.open_qa_score(),
            Cmd::QaView => {
                self.popup = Some(Popup::QaRound { selected: 0 });
                return None;
            }
            Cmd::RequestsView => {
                self.popup = Some(Popup::Requests { selected: 0 });
            }
            Cmd::AuditPlanView => {
                self.popup = Some(Popup::AuditPlan { selected: 0 });
                return None;
            }
            Cmd::QaReconcile => return self.open_qa_reconcile(),
            Cmd::QaReveal => return Some(Effect::QaReveal),
            Cmd::AssessValue => return self.open_measured(),
            Cmd::AssessNotes => return self.open_notes(),
            Cmd::EvidenceAdd => return self.open_evidence(),
            Cmd::EvidenceOpen => return self.choose_evidence(),
            Cmd::MarkToggle => {
                if let Some(id) = self.selected_indicator().map(str::to_string) {
                    if !self.checklist.marked.remove(&id) {
                        self.checklist.marked.insert(id);
                    }
                    // On to the next row, as in a file manager.
                    return self.run(Cmd::Down);
                }
            }
            Cmd::Assign => return self.open_assign(),
            Cmd::FindingEdit => return self.open_edit_finding(),
            Cmd::Conflicts => return Some(Effect::LoadConflicts),
            Cmd::Tasks => {
                self.unread = 0;
                self.popup = Some(Popup::Tasks { selected: 0 });
            }
            Cmd::Sync => return Some(Effect::Sync),
            Cmd::BundleExport => return self.open_bundle(true),
            Cmd::BundleImport => return self.open_bundle(false),
            Cmd::FindingRaise => return self.open_raise(),
            Cmd::FindingMove => return self.offer_moves(),
            Cmd::ActionAdd => return self.open_add_action(),
            Cmd::ActionUpdate => return self.open_update_action(),
            Cmd::ActionVerify => return self.open_verify_action(),
            Cmd::Quit => {
                self.quit = true;
                return Some(Effect::Quit);
            }
            Cmd::Help => {
                self.popup = Some(Popup::Help {
                    filter: String::new(),
                    selected: 0,
                })
            }
            Cmd::Palette => {
                self.popup = Some(Popup::Palette {
                    input: String::new(),
                    selected: 0,
                })
            }
            Cmd::PaneDashboard => return self.go(Pane::Dashboard),
            Cmd::PaneChecklist => return self.go(Pane::Checklist),
            Cmd::PaneFindings => return self.go(Pane::Findings),
            Cmd::PaneRemediation => return self.go(Pane::Remediation),
            Cmd::PanePortfolio => return self.go(Pane::Portfolio),
            Cmd::PaneCalls => return self.go(Pane::Calls),
            Cmd::PaneNext => return self.go(Pane::ALL[(self.pane.index() + 1) % Pane::ALL.len()]),
            Cmd::PanePrev => {
                return self.go(Pane::ALL[(self.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]);
            }
            Cmd::Down => return self.move_by(1),
            Cmd::Up => return self.move_by(-1),
            Cmd::PageDown => return self.move_by(self.page() as i64),
            Cmd::PageUp => return self.move_by(-(self.page() as i64)),
            Cmd::Top => return self.move_by(i64::MIN / 2),
            Cmd::Bottom => return self.move_by(i64::MAX / 2),
            Cmd::Back => {
                if self.popup.is_some() {
                    self.popup = None;
                } else if self.pane == Pane::Findings && self.findings.detail {
                    self.findings.detail = false;
                } else if self.pane == Pane::Remediation && self.remediation.detail {
                    self.remediation.detail = false;
                } else if self.current_filter().is_some_and(|f| !f.is_empty()) {
                    self.run(Cmd::ClearFilter);
                }
            }
            Cmd::Open => {
                if let Some(e) = self.open_selected() {
                    return Some(e);
                }
            }
            Cmd::Filter => {
                if !matches!(self.pane, Pane::Dashboard | Pane::Calls) {
                    self.filtering = true;
                }
            }
            Cmd::ClearFilter => {
                self.clear_filter();
            }
            Cmd::Expand | Cmd::Collapse => {
                self.expand_or_collapse(cmd);
            }
            Cmd::ExpandAll => {
                self.checklist.collapsed.clear();
                self.refresh_checklist();
            }
            Cmd::CollapseAll => {
                self.collapse_all();
            }
            Cmd::WalkNext => return self.walk(true),
            Cmd::WalkPrev => return self.walk(false),
            Cmd::WalkMine => {
                self.toggle_walk_mine();
            }
            Cmd::AssessDone => {
                use crate::model::assessment::Workflow;
                let indicator = self.selected_indicator()?.to_string();
                let now = self
                    .data
                    .as_ref()
                    .and_then(|d| d.assessments.get(&indicator))
                    .map(|a| a.workflow);
                let workflow = if now == Some(Workflow::Done) {
                    Workflow::InProgress
                } else {
                    Workflow::Done
                };
                return Some(Effect::Workflow { indicator, workflow });
            }
            Cmd::AssessConforming | Cmd::AssessPartially | Cmd::AssessNonconforming | Cmd::AssessNotApplicable => {
                if let Some(e) = self.assess_selected(cmd) {
                    return Some(e);
                }
            }
            Cmd::RecordMetrics => {
                self.ask_metrics();
            }
            Cmd::SortNext => {
                self.sort_next();
            }
            Cmd::SortReverse => {
                self.sort_reverse();
            }
            Cmd::FilterOverdue => {
                self.overdue_only = !self.overdue_only;
                self.refresh_findings();
            }
            Cmd::ViewNext | Cmd::ViewPrev => {
                self.cycle_view(cmd);
            }
            Cmd::ToggleLanguage => {
                if let Some(e) = self.toggle_language() {
                    return Some(e);
                }
            }
            Cmd::SwitchEngagement => {
                let cur = self
                    .data
                    .as_ref()
                    .and_then(|d| d.engagements.iter().position(|e| e.id == d.engagement.id))
                    .unwrap_or(0);
                self.popup = Some(Popup::Switcher { selected: cur });
            }
            Cmd::Refresh => return Some(Effect::Reload),
        }
        self.selection_changed()
    }

    /// Enter: expand a group, show a record's details, or open the programme's current engagement.
    fn open_selected(&mut self) -> Option<Effect> {
        match self.pane {
            Pane::Checklist => match self.checklist.selected.clone() {
                Some(Row::Group(g)) => {
                    if !self.checklist.collapsed.remove(&g) {
                        self.checklist.collapsed.insert(g);
                    }
                    self.refresh_checklist();
                }
                Some(Row::Indicator(_)) | None => {}
            },
            Pane::Findings => {
                if self.findings.selected.is_some() {
                    self.findings.detail = !self.findings.detail;
                    self.findings.detail_scroll = 0;
                }
            }
            Pane::Remediation => {
                if self.remediation.selected.is_some() {
                    self.remediation.detail = !self.remediation.detail;
                    self.remediation.detail_scroll = 0;
                }
            }
            // Open the programme's current engagement.
            Pane::Portfolio => {
                if let Some(l) = self.selected_programme() {
                    let id = l.current.clone();
                    self.pane = Pane::Dashboard;
                    return Some(Effect::SwitchEngagement(id));
                }
            }
            Pane::Dashboard | Pane::Calls => {}
        }
        None
    }

    /// Clear the pane's filter.
    fn clear_filter(&mut self) {
        match self.pane {
            Pane::Checklist => self.checklist.filter.clear(),
            Pane::Findings => {
                self.findings.filter.clear();
                self.overdue_only = false;
            }
            Pane::Remediation => self.remediation.filter.clear(),
            Pane::Portfolio => self.programmes.filter.clear(),
            Pane::Dashboard | Pane::Calls => {}
        }
        self.filtering = false;
        self.refresh_pane_view();
    }

    /// Expand the selected group, or collapse the selection's group.
    fn expand_or_collapse(&mut self, cmd: Cmd) {
        let group = match &self.checklist.selected {
            Some(Row::Group(g)) => Some(g.clone()),
            Some(Row::Indicator(i)) if cmd == Cmd::Collapse => self
                .data
                .as_ref()
                .and_then(|d| d.catalog.indicator(i))
                .map(|i| i.group.clone()),
            _ => None,
        };
        if let Some(g) = group {
            if cmd == Cmd::Expand {
                self.checklist.collapsed.remove(&g);
            } else {
                self.checklist.collapsed.insert(g.clone());
                self.checklist.selected = Some(Row::Group(g));
            }
            self.refresh_checklist();
        }
    }

    /// Collapse every group, keeping the selection's top group selected.
    fn collapse_all(&mut self) {
        if let Some(d) = &self.data {
            self.checklist.collapsed = d.catalog.top_groups().map(|g| g.id.clone()).collect();
            let top = match &self.checklist.selected {
                Some(Row::Indicator(i)) => d
                    .catalog
                    .indicator(i)
                    .and_then(|i| d.catalog.path_of(i).first().map(|g| g.id.clone())),
                Some(Row::Group(g)) => d.catalog.group(g).map(|g| g.parent.clone().unwrap_or(g.id.clone())),
                None => None,
            };
            self.checklist.selected = top.map(Row::Group);
        }
        self.refresh_checklist();
    }

    /// Walk only the indicators assigned to me, or all.
    fn toggle_walk_mine(&mut self) {
        self.checklist.walk_mine = !self.checklist.walk_mine;
        let m = if self.checklist.walk_mine {
            crate::tui::i18n::Label::WalkMine
        } else {
            crate::tui::i18n::Label::Walk
        };
        self.say(m.t(self.lang));
    }

    /// Record a result on the selected indicator (nonconforming asks first).
    fn assess_selected(&mut self, cmd: Cmd) -> Option<Effect> {
        let result = match cmd {
            Cmd::AssessConforming => AssessmentResult::Conforming,
            Cmd::AssessPartially => AssessmentResult::Partially,
            Cmd::AssessNonconforming => AssessmentResult::Nonconforming,
            _ => AssessmentResult::NotApplicable,
        };
        if let Some(id) = self.selected_indicator() {
            let indicator = id.to_string();
            if result == AssessmentResult::Nonconforming {
                let message = crate::tui::i18n::Label::ConfirmAssess
                    .t(self.lang)
                    .replace("{indicator}", &indicator)
                    .replace("{result}", result.label(self.lang.is_zh()));
                self.popup = Some(Popup::Confirm {
                    message,
                    effect: Effect::Assess { indicator, result },
                });
                return None;
            }
            return Some(Effect::Assess { indicator, result });
        }
        None
    }

    /// Ask for the call-record file to recompute the selected indicator from.
    /// Ask for the file to recompute the selected indicator from: call
    /// records for the call metrics, else the record source its catalogue
    /// metric names (complaints, survey, sessions, outages, agent states).
    fn ask_metrics(&mut self) {
        use crate::tui::i18n::Label;
        let Some(id) = self.selected_indicator() else { return };
        let metric = self
            .data
            .as_ref()
            .and_then(|d| d.catalog.indicator(id))
            .and_then(|i| i.metric.clone())
            .unwrap_or_default();
        let (prompt, source) = if crate::analytics::metrics::Figures::METRICS.contains(&metric.as_str()) {
            (Label::MetricsPrompt.t(self.lang).to_string(), None)
        } else if let Some(source) = crate::app::sources::single_file_source(&metric) {
            let named = match (source, self.lang.is_zh()) {
                ("complaints", false) => "complaint log",
                ("complaints", true) => "投诉台账",
                ("survey", false) => "satisfaction survey",
                ("survey", true) => "满意度调查",
                ("sessions", false) => "chat/e-mail session log",
                ("sessions", true) => "在线会话记录",
                ("outages", false) => "outage log",
                ("outages", true) => "故障记录",
                (_, false) => "agent-state log",
                (_, true) => "座席状态记录",
            };
            (
                Label::SourcePrompt.t(self.lang).replace("{source}", named),
                Some(source),
            )
        } else {
            let id = id.to_string();
            self.error(format!(
                "{id}: {}",
                self.lang.pick(
                    "not recomputed from one file here (`cscaudit metrics --source` names the records each indicator takes)",
                    "此处不能由单个文件复算（`cscaudit metrics --source` 说明各指标所用的记录）"
                )
            ));
            return;
        };
        self.popup = Some(Popup::Input {
            prompt,
            value: String::new(),
            indicator: id.to_string(),
            source,
        });
    }

    /// Sort the pane by its next column.
    fn sort_next(&mut self) {
        match self.pane {
            Pane::Findings => {
                let i = FindingCol::ALL
                    .iter()
                    .position(|c| *c == self.findings.sort)
                    .unwrap_or(0);
                self.findings.sort = FindingCol::ALL[(i + 1) % FindingCol::ALL.len()];
                self.refresh_findings();
            }
            Pane::Remediation => {
                let i = ActionCol::ALL
                    .iter()
                    .position(|c| *c == self.remediation.sort)
                    .unwrap_or(0);
                self.remediation.sort = ActionCol::ALL[(i + 1) % ActionCol::ALL.len()];
                self.refresh_remediation();
            }
            Pane::Portfolio => {
                let all = PortfolioCol::ALL;
                let i = all.iter().position(|c| *c == self.programmes.sort).unwrap_or(0);
                self.programmes.sort = all[(i + 1) % all.len()];
                self.refresh_portfolio();
            }
            _ => {}
        }
    }

    /// Reverse the pane's sort order.
    fn sort_reverse(&mut self) {
        match self.pane {
            Pane::Findings => {
                self.findings.ascending = !self.findings.ascending;
                self.refresh_findings();
            }
            Pane::Remediation => {
                self.remediation.ascending = !self.remediation.ascending;
                self.refresh_remediation();
            }
            Pane::Portfolio => {
                self.programmes.ascending = !self.programmes.ascending;
                self.refresh_portfolio();
            }
            _ => {}
        }
    }

    /// The next (or previous) preset view of the remediation pane.
    fn cycle_view(&mut self, cmd: Cmd) {
        let i = RemView::ALL.iter().position(|v| *v == self.rem_view).unwrap_or(0);
        let n = RemView::ALL.len();
        self.rem_view = RemView::ALL[if cmd == Cmd::ViewNext {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.refresh_remediation();
    }

    /// Switch between 中文 and English (remembered in config.toml).
    fn toggle_language(&mut self) -> Option<Effect> {
        self.lang = if self.lang == Lang::Zh { Lang::En } else { Lang::Zh };
        self.refresh_views();
        if self.config_file.is_some() {
            return Some(Effect::RememberLanguage(self.lang));
        }
        None
    }

    pub(super) fn current_filter(&self) -> Option<&String> {
        match self.pane {
            Pane::Checklist => Some(&self.checklist.filter),
            Pane::Findings => Some(&self.findings.filter),
            Pane::Remediation => Some(&self.remediation.filter),
            Pane::Portfolio => Some(&self.programmes.filter),
            Pane::Dashboard | Pane::Calls => None,
        }
    }

    pub(super) fn go(&mut self, pane: Pane) -> Option<Effect> {
        self.pane = pane;
        self.filtering = false;
        self.selection_changed()
    }

    pub(super) fn move_by(&mut self, delta: i64) -> Option<Effect> {
        let step = |cur: Option<usize>, len: usize| -> Option<usize> {
            if len == 0 {
                return None;
            }
            let c = cur.unwrap_or(0) as i64;
            Some((c.saturating_add(delta)).clamp(0, len as i64 - 1) as usize)
        };
        match self.pane {
            Pane::Checklist => {
                let rows = &self.checklist.rows;
                let cur = self
                    .checklist
                    .selected
                    .as_ref()
                    .and_then(|s| rows.iter().position(|(r, _)| r == s));
                if let Some(i) = step(cur, rows.len()) {
                    self.checklist.selected = Some(rows[i].0.clone());
                }
            }
            Pane::Findings => {
                if self.findings.detail {
                    self.findings.detail_scroll = (i64::from(self.findings.detail_scroll) + delta).clamp(0, 500) as u16;
                    return None;
                }
                let d = self.data.as_ref()?;
                let cur = self.selected_finding_pos();
                if let Some(i) = step(cur, self.findings.view.len()) {
                    self.findings.selected = Some(d.findings[self.findings.view[i]].reference.to_string());
                }
            }
            Pane::Remediation => {
                if self.remediation.detail {
                    self.remediation.detail_scroll =
                        (i64::from(self.remediation.detail_scroll) + delta).clamp(0, 500) as u16;
                    return None;
                }
                let d = self.data.as_ref()?;
                let cur = self
                    .remediation
                    .selected
                    .as_ref()
                    .and_then(|s| self.remediation.view.iter().position(|&i| &d.actions[i].id == s));
                if let Some(i) = step(cur, self.remediation.view.len()) {
                    self.remediation.selected = Some(d.actions[self.remediation.view[i]].id.clone());
                }
            }
            Pane::Portfolio => {
                let cur = self.selected_programme_pos();
                if let (Some(i), Some(lines)) = (step(cur, self.programmes.view.len()), &self.portfolio) {
                    self.programmes.selected = Some(lines[self.programmes.view[i]].programme.clone());
                }
            }
            Pane::Dashboard | Pane::Calls => {}
        }
        self.selection_changed()
    }

    /// Step to the next (or previous) indicator not yet assessed, optionally
    /// only those assigned to me, wrapping around the catalogue.
    pub(super) fn walk(&mut self, forward: bool) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let inds: Vec<&str> = d.catalog.indicators.iter().map(|i| i.id.as_str()).collect();
        let start = self
            .selected_indicator()
            .and_then(|s| inds.iter().position(|i| *i == s));
        let wanted = |id: &str| {
            let a = d.assessments.get(id);
            a.is_none_or(|a| a.result == AssessmentResult::NotAssessed)
                && (!self.checklist.walk_mine || a.and_then(|a| a.assignee.as_deref()) == Some(d.me.as_str()))
        };
        let n = inds.len();
        let found = (1..=n)
            .map(|k| match (start, forward) {
                (Some(s), true) => (s + k) % n,
                (Some(s), false) => (s + n * 2 - k) % n,
                (None, true) => (k - 1) % n,
                (None, false) => (n - k) % n,
            })
            .find(|&i| wanted(inds[i]));
        match found {
            Some(i) => {
                let id = inds[i].to_string();
                if let Some(ind) = d.catalog.indicator(&id) {
                    for g in d.catalog.path_of(ind) {
                        self.checklist.collapsed.remove(&g.id);
                    }
                }
                self.checklist.filter.clear();
                self.refresh_checklist();
                self.checklist.selected = Some(Row::Indicator(id));
                self.selection_changed()
            }
            None => {
                self.say(crate::tui::i18n::Label::WalkDone.t(self.lang));
                None
            }
        }
    }

    /// Keep the selected row visible and ask for its history.
    /// After the records changed (a save, an import, a reload): the
    /// selection kept, and the history shown read again (it may have grown).
    pub(super) fn reselected(&mut self) -> Option<Effect> {
        let shows_history = matches!(self.pane, Pane::Checklist | Pane::Findings | Pane::Remediation);
        self.selection_changed().or_else(|| {
            self.history
                .as_ref()
                .filter(|_| shows_history)
                .map(|(e, _)| Effect::LoadHistory(e.clone()))
        })
    }

    pub(super) fn selection_changed(&mut self) -> Option<Effect> {
        let page = self.page();
        let keep = |offset: &mut usize, idx: Option<usize>| {
            if let Some(i) = idx {
                if i < *offset {
                    *offset = i;
                } else if i >= *offset + page {
                    *offset = i + 1 - page;
                }
            }
        };
        let entity = match self.pane {
            Pane::Checklist => {
                let idx = self
                    .checklist
                    .selected
                    .as_ref()
                    .and_then(|s| self.checklist.rows.iter().position(|(r, _)| r == s));
                keep(&mut self.checklist.offset, idx);
                let eng = self.data.as_ref().map(|d| d.engagement.id.clone());
                self.selected_indicator()
                    .zip(eng)
                    .map(|(i, e)| EntityId::new(Kind::Assessment, format!("{e}/{i}")))
            }
            Pane::Findings => {
                let idx = self.selected_finding_pos();
                keep(&mut self.findings.offset, idx);
                let d = self.data.as_ref()?;
                let row = d.finding(self.findings.selected.as_ref()?)?;
                Some(EntityId::new(Kind::Finding, row.entity(&d.engagement.id)))
            }
            Pane::Remediation => {
                let d = self.data.as_ref()?;
                let idx = self
                    .remediation
                    .selected
                    .as_ref()
                    .and_then(|s| self.remediation.view.iter().position(|&i| &d.actions[i].id == s));
                keep(&mut self.remediation.offset, idx);
                self.selected_action()
                    .map(|a| EntityId::new(Kind::Action, a.entity.clone()))
            }
            Pane::Portfolio => {
                if self.portfolio.is_none() {
                    return Some(Effect::LoadPortfolio);
                }
                let idx = self.selected_programme_pos();
                keep(&mut self.programmes.offset, idx);
                None
            }
            Pane::Calls => {
                let eng = self.data.as_ref().map(|d| d.engagement.id.clone())?;
                if self.calls.as_ref().is_none_or(|(e, _)| *e != eng) {
                    return Some(Effect::LoadCalls);
                }
                None
            }
            Pane::Dashboard => None,
        }?;
        if self.history.as_ref().is_some_and(|(e, _)| *e == entity) {
            return None;
        }
        Some(Effect::LoadHistory(entity))
    }

    pub(super) fn mouse_event(&mut self, m: MouseEvent) -> Option<Effect> {
        if !self.mouse || self.popup.is_some() {
            return None;
        }
        let pos = Position::new(m.column, m.row);
        match m.kind {
            MouseEventKind::ScrollDown => self.move_by(3),
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let hits = self.hits.borrow().clone();
                if let Some((_, pane)) = hits.tabs.iter().find(|(r, _)| r.contains(pos)) {
                    return self.go(*pane);
                }
                if let Some((area, offset)) = hits.list
                    && area.contains(pos)
                {
                    let row = offset + usize::from(m.row - area.y);
                    let cur = self.current_index().unwrap_or(0) as i64;
                    return self.move_by(row as i64 - cur);
                }
                None
            }
            _ => None,
        }
    }
}
