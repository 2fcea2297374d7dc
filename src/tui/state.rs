//! TUI state and `update`: plain logic, no drawing and no IO. Key presses go
//! through the keymap to commands; commands change state or return an
//! [`Effect`] for the app layer to run. Selection is kept by record id.

use super::commands::{COMMANDS, Cmd, Ctx, info};
use super::data::Data;
use super::keymap::{Chord, Keymap, Lookup, Seq};
use crate::config::Lang;
use crate::model::action::CorrectiveAction;
use crate::model::assessment::AssessmentResult;
use crate::model::finding::{Finding, FindingStatus, Grade};
use crate::model::ops::{EntityId, Kind, Op};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use std::cell::RefCell;
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Dashboard,
    Checklist,
    Findings,
    Remediation,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Dashboard, Pane::Checklist, Pane::Findings, Pane::Remediation];
    pub fn ctx(self) -> Ctx {
        match self {
            Pane::Dashboard => Ctx::Dashboard,
            Pane::Checklist => Ctx::Checklist,
            Pane::Findings => Ctx::Findings,
            Pane::Remediation => Ctx::Remediation,
        }
    }
    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Work the run loop does through the app layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    Reload,
    LoadHistory(EntityId),
    Assess {
        indicator: String,
        result: AssessmentResult,
    },
    RecordMetrics {
        indicator: String,
        path: String,
    },
    SwitchEngagement(String),
}

/// Inputs to `update`.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Loaded(Box<Data>),
    History(EntityId, Vec<Op>),
    /// Result of an effect: a message, or an error to show.
    Done(Result<String, String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Row {
    Group(String),
    Indicator(String),
}

#[derive(Debug, Default)]
pub struct ChecklistState {
    pub collapsed: HashSet<String>,
    pub selected: Option<Row>,
    pub filter: String,
    pub rows: Vec<(Row, usize)>,
    pub offset: usize,
    pub walk_mine: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingCol {
    Ref,
    Grade,
    Title,
    Indicator,
    Status,
    RaisedBy,
    Due,
    Actions,
}

impl FindingCol {
    pub const ALL: [FindingCol; 8] = [
        FindingCol::Ref,
        FindingCol::Grade,
        FindingCol::Title,
        FindingCol::Indicator,
        FindingCol::Status,
        FindingCol::RaisedBy,
        FindingCol::Due,
        FindingCol::Actions,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionCol {
    Finding,
    Action,
    Owner,
    Due,
    Status,
    Progress,
}

impl ActionCol {
    pub const ALL: [ActionCol; 6] = [
        ActionCol::Finding,
        ActionCol::Action,
        ActionCol::Owner,
        ActionCol::Due,
        ActionCol::Status,
        ActionCol::Progress,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemView {
    All,
    Overdue,
    Due7,
    Due30,
    ByOwner,
    Awaiting,
}

impl RemView {
    pub const ALL: [RemView; 6] = [
        RemView::All,
        RemView::Overdue,
        RemView::Due7,
        RemView::Due30,
        RemView::ByOwner,
        RemView::Awaiting,
    ];
}

#[derive(Debug)]
pub struct ListState<C> {
    pub selected: Option<String>,
    pub filter: String,
    pub sort: C,
    pub ascending: bool,
    pub detail: bool,
    pub offset: usize,
    pub detail_scroll: u16,
    /// Indexes into the data list, filtered and sorted.
    pub view: Vec<usize>,
}

impl<C> ListState<C> {
    fn new(sort: C) -> Self {
        ListState {
            selected: None,
            filter: String::new(),
            sort,
            ascending: true,
            detail: false,
            offset: 0,
            detail_scroll: 0,
            view: Vec::new(),
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum Popup {
    Help {
        filter: String,
        selected: usize,
    },
    Palette {
        input: String,
        selected: usize,
    },
    Confirm {
        message: String,
        effect: Effect,
    },
    Error(String),
    Input {
        prompt: String,
        value: String,
        indicator: String,
    },
    Switcher {
        selected: usize,
    },
    /// Keys that can follow the ones pressed so far.
    Pending(Vec<(Seq, Cmd)>),
}

/// Rectangles from the last draw, for mouse hits.
#[derive(Debug, Default, Clone)]
pub struct Hits {
    pub tabs: Vec<(Rect, Pane)>,
    /// The list body: area and first visible row index.
    pub list: Option<(Rect, usize)>,
    /// Rows visible in the current list (for paging and scrolling).
    pub list_height: usize,
}

pub struct State {
    pub lang: Lang,
    pub pane: Pane,
    pub data: Option<Data>,
    pub keymap: Keymap,
    pub pending: Vec<Chord>,
    pub popup: Option<Popup>,
    /// Typing into a list filter (after `/`).
    pub filtering: bool,
    pub checklist: ChecklistState,
    pub findings: ListState<FindingCol>,
    pub overdue_only: bool,
    pub remediation: ListState<ActionCol>,
    /// Every finding in the current sort order (cache; cleared on reload).
    findings_order: Option<((FindingCol, bool), Vec<usize>)>,
    pub rem_view: RemView,
    pub history: Option<(EntityId, Vec<Op>)>,
    pub message: Option<(String, bool, u8)>,
    pub size: (u16, u16),
    pub hits: RefCell<Hits>,
    pub quit: bool,
    pub mouse: bool,
    /// Config problems to show once at start.
    pub warnings: Vec<String>,
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// A parsed findings filter: `grade:major status:issued overdue 录音`.
#[derive(Debug, Default, PartialEq)]
pub struct FindingFilter {
    pub grades: Vec<Grade>,
    pub statuses: Vec<FindingStatus>,
    pub overdue: bool,
    pub text: Vec<String>,
}

impl FindingFilter {
    pub fn parse(s: &str) -> FindingFilter {
        let mut f = FindingFilter::default();
        for tok in s.split_whitespace() {
            let (k, v) = tok.split_once(':').unwrap_or(("", tok));
            match k {
                "grade" | "g" | "等级" => f.grades.extend(v.parse::<Grade>().ok()),
                "status" | "s" | "状态" => f.statuses.extend(v.parse::<FindingStatus>().ok()),
                _ if tok == "overdue" || tok == "逾期" => f.overdue = true,
                _ => match (tok.parse::<Grade>(), tok.parse::<FindingStatus>()) {
                    (Ok(g), _) if tok.len() > 3 || !tok.is_ascii() => f.grades.push(g),
                    (_, Ok(st)) if tok.len() > 3 || !tok.is_ascii() => f.statuses.push(st),
                    _ => f.text.push(lower(tok)),
                },
            }
        }
        f
    }
}

fn finding_overdue(f: &Finding, today: jiff::civil::Date) -> Option<i64> {
    f.response_overdue_days(today).or_else(|| f.closure_overdue_days(today))
}

impl State {
    pub fn new(lang: Lang, keymap: Keymap, data: Option<Data>) -> State {
        let mut s = State {
            lang,
            pane: Pane::Dashboard,
            data,
            keymap,
            pending: Vec::new(),
            popup: None,
            filtering: false,
            checklist: ChecklistState::default(),
            findings: ListState::new(FindingCol::Ref),
            overdue_only: false,
            remediation: ListState::new(ActionCol::Due),
            findings_order: None,
            rem_view: RemView::All,
            history: None,
            message: None,
            size: (120, 40),
            hits: RefCell::new(Hits::default()),
            quit: false,
            mouse: false,
            warnings: Vec::new(),
        };
        s.refresh_views();
        s
    }

    pub fn ctx(&self) -> Ctx {
        match &self.popup {
            Some(Popup::Help { .. }) => Ctx::Help,
            Some(Popup::Palette { .. }) => Ctx::Palette,
            _ => self.pane.ctx(),
        }
    }

    /// Rows per page: from the last draw, or estimated from the terminal size.
    pub fn page(&self) -> usize {
        match self.hits.borrow().list_height {
            0 => usize::from(self.size.1.saturating_sub(6)).max(1),
            h => h,
        }
    }

    fn say(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), false, 0));
    }
    fn error(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), true, 0));
    }

    // ------------------------------------------------------------- derived lists

    /// Recompute every filtered/sorted view (after data, filter or sort change).
    pub fn refresh_views(&mut self) {
        self.refresh_checklist();
        self.refresh_findings();
        self.refresh_remediation();
    }

    pub fn refresh_checklist(&mut self) {
        let Some(d) = &self.data else { return };
        let cat = &d.catalog;
        let needle = lower(self.checklist.filter.trim());
        let matches = |id: &str| -> bool {
            if needle.is_empty() {
                return true;
            }
            cat.indicator(id).is_some_and(|i| {
                lower(&i.id).contains(&needle) || lower(&i.name_en).contains(&needle) || i.name_zh.contains(&needle)
            })
        };
        let mut rows = Vec::new();
        for top in cat.top_groups() {
            let inds_under = |g: &str| {
                cat.indicators
                    .iter()
                    .filter(|i| cat.in_group(i, g))
                    .any(|i| matches(&i.id))
            };
            if !inds_under(&top.id) {
                continue;
            }
            rows.push((Row::Group(top.id.clone()), 0));
            if !needle.is_empty() || !self.checklist.collapsed.contains(&top.id) {
                for g in cat.children(&top.id) {
                    if !inds_under(&g.id) {
                        continue;
                    }
                    rows.push((Row::Group(g.id.clone()), 1));
                    if !needle.is_empty() || !self.checklist.collapsed.contains(&g.id) {
                        for i in cat.indicators.iter().filter(|i| i.group == g.id && matches(&i.id)) {
                            rows.push((Row::Indicator(i.id.clone()), 2));
                        }
                    }
                }
            }
        }
        self.checklist.rows = rows;
        let sel_ok = self
            .checklist
            .selected
            .as_ref()
            .is_some_and(|s| self.checklist.rows.iter().any(|(r, _)| r == s));
        if !sel_ok {
            self.checklist.selected = self.checklist.rows.first().map(|(r, _)| r.clone());
        }
    }

    /// All findings in the current sort order, computed once per sort and data.
    fn sorted_findings(&mut self) {
        let Some(d) = &self.data else { return };
        let want = (self.findings.sort, self.findings.ascending);
        if self.findings_order.as_ref().is_some_and(|(k, _)| *k == want) {
            return;
        }
        let mut order: Vec<usize> = (0..d.findings.len()).collect();
        let key = |f: &Finding| -> (String, i64) {
            match self.findings.sort {
                FindingCol::Ref => (f.reference.clone(), 0),
                FindingCol::Grade => (
                    String::new(),
                    Grade::ALL.iter().position(|g| *g == f.grade).unwrap_or(0) as i64,
                ),
                FindingCol::Title => (lower(&f.title), 0),
                FindingCol::Indicator => (f.indicators.join(","), 0),
                FindingCol::Status => (
                    String::new(),
                    FindingStatus::ALL.iter().position(|s| *s == f.status).unwrap_or(0) as i64,
                ),
                FindingCol::RaisedBy => (f.raised_by.clone(), 0),
                FindingCol::Due => (
                    f.closure_due
                        .or(f.response_due)
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "~".into()),
                    0,
                ),
                FindingCol::Actions => (
                    String::new(),
                    d.actions_by_finding.get(&f.reference).map_or(0, |v| v.len() as i64),
                ),
            }
        };
        order.sort_by_cached_key(|&i| (key(&d.findings[i]), d.findings[i].reference.clone()));
        if !self.findings.ascending {
            order.reverse();
        }
        self.findings_order = Some((want, order));
    }

    pub fn refresh_findings(&mut self) {
        self.sorted_findings();
        let Some(d) = &self.data else { return };
        let Some((_, order)) = &self.findings_order else { return };
        let filter = FindingFilter::parse(&self.findings.filter);
        let today = d.today;
        let overdue_only = self.overdue_only || filter.overdue;
        let plain = filter.grades.is_empty() && filter.statuses.is_empty() && !overdue_only && filter.text.is_empty();
        let view: Vec<usize> = if plain {
            order.clone()
        } else {
            order
                .iter()
                .copied()
                .filter(|&i| {
                    let f = &d.findings[i];
                    (filter.grades.is_empty() || filter.grades.contains(&f.grade))
                        && (filter.statuses.is_empty() || filter.statuses.contains(&f.status))
                        && (!overdue_only || finding_overdue(f, today).is_some())
                        && filter.text.iter().all(|t| d.finding_search[i].contains(t.as_str()))
                })
                .collect()
        };
        self.findings.view = view;
        fix_selection(&mut self.findings, |i| d.findings[i].reference.as_str());
    }

    pub fn refresh_remediation(&mut self) {
        let Some(d) = &self.data else { return };
        let today = d.today;
        let needle = lower(self.remediation.filter.trim());
        let days = |a: &CorrectiveAction| a.days_past_due(today);
        let mut view: Vec<usize> = (0..d.actions.len())
            .filter(|&i| {
                let a = &d.actions[i];
                let in_view = match self.rem_view {
                    RemView::All | RemView::ByOwner => true,
                    RemView::Overdue => days(a).is_some_and(|x| x > 0),
                    RemView::Due7 => days(a).is_some_and(|x| x <= 0 && -x <= 7),
                    RemView::Due30 => days(a).is_some_and(|x| x <= 0 && -x <= 30),
                    RemView::Awaiting => a.status.awaits_verification(),
                };
                in_view
                    && (needle.is_empty()
                        || lower(&a.id).contains(&needle)
                        || lower(&a.finding).contains(&needle)
                        || lower(&a.description).contains(&needle)
                        || lower(&a.owner).contains(&needle))
            })
            .collect();
        let sort = if self.rem_view == RemView::ByOwner {
            ActionCol::Owner
        } else {
            self.remediation.sort
        };
        view.sort_by(|&x, &y| {
            let (a, b) = (&d.actions[x], &d.actions[y]);
            let o = match sort {
                ActionCol::Finding => a.finding.cmp(&b.finding),
                ActionCol::Action => lower(&a.description).cmp(&lower(&b.description)),
                ActionCol::Owner => a.owner.cmp(&b.owner).then(a.due.cmp(&b.due)),
                ActionCol::Due => a.due.cmp(&b.due),
                ActionCol::Status => {
                    let p = |s| crate::model::action::ActionStatus::ALL.iter().position(|x| *x == s);
                    p(a.status).cmp(&p(b.status))
                }
                ActionCol::Progress => a.progress.cmp(&b.progress),
            }
            .then_with(|| a.id.cmp(&b.id));
            if self.remediation.ascending { o } else { o.reverse() }
        });
        self.remediation.view = view;
        fix_selection(&mut self.remediation, |i| d.actions[i].id.as_str());
    }

    pub fn selected_finding(&self) -> Option<&Finding> {
        let d = self.data.as_ref()?;
        let r = self.findings.selected.as_ref()?;
        d.findings.iter().find(|f| &f.reference == r)
    }

    pub fn selected_action(&self) -> Option<&CorrectiveAction> {
        let d = self.data.as_ref()?;
        let r = self.remediation.selected.as_ref()?;
        d.actions.iter().find(|a| &a.id == r)
    }

    pub fn selected_indicator(&self) -> Option<&str> {
        match &self.checklist.selected {
            Some(Row::Indicator(id)) => Some(id),
            _ => None,
        }
    }

    // ------------------------------------------------------------- update

    pub fn update(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Action::Key(_) => None,
            Action::Mouse(m) => self.mouse_event(m),
            Action::Resize(w, h) => {
                self.size = (w, h);
                None
            }
            Action::Tick => {
                if let Some((_, _, age)) = &mut self.message {
                    *age += 1;
                    if *age > 5 {
                        self.message = None;
                    }
                }
                None
            }
            Action::Loaded(data) => {
                self.data = Some(*data);
                self.findings_order = None;
                self.refresh_views();
                self.selection_changed()
            }
            Action::History(e, ops) => {
                self.history = Some((e, ops));
                None
            }
            Action::Done(Ok(msg)) => {
                self.say(msg);
                None
            }
            Action::Done(Err(e)) => {
                self.popup = Some(Popup::Error(e));
                None
            }
        }
    }

    fn key(&mut self, k: KeyEvent) -> Option<Effect> {
        // Text entry first: popups with an input and list filters.
        if let Some(eff) = self.text_entry(&k) {
            return eff;
        }
        if let Some(Popup::Error(_)) = &self.popup {
            if matches!(k.code, KeyCode::Enter | KeyCode::Esc) {
                self.popup = None;
            }
            return None;
        }
        if let Some(Popup::Confirm { effect, .. }) = &self.popup {
            return match k.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    let e = effect.clone();
                    self.popup = None;
                    Some(e)
                }
                KeyCode::Char('n') | KeyCode::Esc => {
                    self.popup = None;
                    None
                }
                _ => None,
            };
        }
        if let Some(Popup::Switcher { selected }) = &mut self.popup {
            let n = self.data.as_ref().map_or(0, |d| d.engagements.len());
            match k.code {
                KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1).min(n.saturating_sub(1)),
                KeyCode::Esc | KeyCode::Char('q') => self.popup = None,
                KeyCode::Enter => {
                    let id = self
                        .data
                        .as_ref()
                        .and_then(|d| d.engagements.get(*selected))
                        .map(|e| e.id.clone());
                    self.popup = None;
                    return id.map(Effect::SwitchEngagement);
                }
                _ => {}
            }
            return None;
        }
        let chord = Chord::from_event(&k);
        self.pending.push(chord);
        let ctx = self.ctx();
        match self.keymap.lookup(ctx, &self.pending) {
            Lookup::Command(cmd) => {
                self.pending.clear();
                if matches!(self.popup, Some(Popup::Pending(_))) {
                    self.popup = None;
                }
                self.run(cmd)
            }
            Lookup::Prefix(next) => {
                self.popup = Some(Popup::Pending(next));
                None
            }
            Lookup::None => {
                self.pending.clear();
                if matches!(self.popup, Some(Popup::Pending(_))) {
                    self.popup = None;
                }
                None
            }
        }
    }

    /// Typing into help/palette/input popups and list filters. Returns
    /// `Some(effect)` when the key was consumed.
    fn text_entry(&mut self, k: &KeyEvent) -> Option<Option<Effect>> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL) || k.modifiers.contains(KeyModifiers::ALT);
        let is_help = matches!(self.popup, Some(Popup::Help { .. }));
        match &mut self.popup {
            Some(Popup::Help { filter, selected })
            | Some(Popup::Palette {
                input: filter,
                selected,
            }) => {
                match k.code {
                    KeyCode::Esc => self.popup = None,
                    KeyCode::Enter => {
                        let list = if is_help {
                            self.help_entries()
                        } else {
                            self.palette_entries()
                        };
                        let pick = list
                            .get(
                                if let Some(Popup::Help { selected, .. } | Popup::Palette { selected, .. }) =
                                    &self.popup
                                {
                                    *selected
                                } else {
                                    0
                                },
                            )
                            .map(|e| e.0);
                        self.popup = None;
                        return Some(pick.and_then(|c| self.run(c)));
                    }
                    KeyCode::Up => *selected = selected.saturating_sub(1),
                    KeyCode::Down => *selected += 1,
                    KeyCode::Backspace => {
                        filter.pop();
                        *selected = 0;
                    }
                    KeyCode::Char(c) if !ctrl => {
                        filter.push(c);
                        *selected = 0;
                    }
                    _ if ctrl && k.code == KeyCode::Char('c') => self.popup = None,
                    _ => {}
                }
                // Clamp the selection to the list.
                let n = if is_help {
                    self.help_entries().len()
                } else {
                    self.palette_entries().len()
                };
                if let Some(Popup::Help { selected, .. } | Popup::Palette { selected, .. }) = &mut self.popup {
                    *selected = (*selected).min(n.saturating_sub(1));
                }
                Some(None)
            }
            Some(Popup::Input { value, indicator, .. }) => match k.code {
                KeyCode::Esc => {
                    self.popup = None;
                    Some(None)
                }
                KeyCode::Enter => {
                    let e = Effect::RecordMetrics {
                        indicator: indicator.clone(),
                        path: value.trim().to_string(),
                    };
                    self.popup = None;
                    Some(Some(e))
                }
                KeyCode::Backspace => {
                    value.pop();
                    Some(None)
                }
                KeyCode::Char(c) if !ctrl => {
                    value.push(c);
                    Some(None)
                }
                _ => Some(None),
            },
            None if self.filtering => {
                let filter = match self.pane {
                    Pane::Checklist => &mut self.checklist.filter,
                    Pane::Findings => &mut self.findings.filter,
                    Pane::Remediation => &mut self.remediation.filter,
                    Pane::Dashboard => {
                        self.filtering = false;
                        return None;
                    }
                };
                match k.code {
                    KeyCode::Esc => {
                        filter.clear();
                        self.filtering = false;
                    }
                    KeyCode::Enter => self.filtering = false,
                    KeyCode::Backspace => {
                        filter.pop();
                    }
                    KeyCode::Char(c) if !ctrl => filter.push(c),
                    KeyCode::Down | KeyCode::Up => {
                        self.filtering = false;
                        return None;
                    }
                    _ => return Some(None),
                }
                self.refresh_pane_view();
                Some(self.selection_changed())
            }
            _ => None,
        }
    }

    fn refresh_pane_view(&mut self) {
        match self.pane {
            Pane::Checklist => self.refresh_checklist(),
            Pane::Findings => self.refresh_findings(),
            Pane::Remediation => self.refresh_remediation(),
            Pane::Dashboard => {}
        }
    }

    /// Help lists every command that applies here, with its keys.
    pub fn help_entries(&self) -> Vec<(Cmd, String, &'static str)> {
        let ctx = self.pane.ctx();
        let filter = match &self.popup {
            Some(Popup::Help { filter, .. }) => lower(filter),
            _ => String::new(),
        };
        COMMANDS
            .iter()
            .filter(|c| c.applies_in(ctx))
            .map(|c| {
                (
                    c.cmd,
                    self.keymap.keys_for(ctx, c.cmd).join(", "),
                    c.describe(self.lang),
                )
            })
            .filter(|(cmd, keys, desc)| {
                filter.is_empty()
                    || lower(keys).contains(&filter)
                    || lower(desc).contains(&filter)
                    || info(*cmd).name.contains(&filter)
            })
            .collect()
    }

    /// Palette: fuzzy over command descriptions (current language) and names.
    pub fn palette_entries(&self) -> Vec<(Cmd, String, &'static str)> {
        let ctx = self.pane.ctx();
        let input = match &self.popup {
            Some(Popup::Palette { input, .. }) => input.clone(),
            _ => String::new(),
        };
        let mut scored: Vec<(i64, Cmd, String, &'static str)> = COMMANDS
            .iter()
            .filter(|c| c.applies_in(ctx))
            .filter_map(|c| {
                let desc = c.describe(self.lang);
                let score = if input.is_empty() {
                    Some(0)
                } else {
                    fuzzy(desc, &input).max(fuzzy(c.name, &input))
                };
                score.map(|s| (s, c.cmd, self.keymap.keys_for(ctx, c.cmd).join(", "), desc))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, c, k, d)| (c, k, d)).collect()
    }

    // ------------------------------------------------------------- commands

    pub fn run(&mut self, cmd: Cmd) -> Option<Effect> {
        if self.data.is_none()
            && !matches!(
                cmd,
                Cmd::Quit | Cmd::Help | Cmd::Palette | Cmd::Back | Cmd::ToggleLanguage | Cmd::Refresh
            )
        {
            return None;
        }
        match cmd {
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
            Cmd::PaneNext => return self.go(Pane::ALL[(self.pane.index() + 1) % 4]),
            Cmd::PanePrev => return self.go(Pane::ALL[(self.pane.index() + 3) % 4]),
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
            Cmd::Open => match self.pane {
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
                Pane::Dashboard => {}
            },
            Cmd::Filter => {
                if self.pane != Pane::Dashboard {
                    self.filtering = true;
                }
            }
            Cmd::ClearFilter => {
                match self.pane {
                    Pane::Checklist => self.checklist.filter.clear(),
                    Pane::Findings => {
                        self.findings.filter.clear();
                        self.overdue_only = false;
                    }
                    Pane::Remediation => self.remediation.filter.clear(),
                    Pane::Dashboard => {}
                }
                self.filtering = false;
                self.refresh_pane_view();
            }
            Cmd::Expand | Cmd::Collapse => {
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
            Cmd::ExpandAll => {
                self.checklist.collapsed.clear();
                self.refresh_checklist();
            }
            Cmd::CollapseAll => {
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
            Cmd::WalkNext => return self.walk(true),
            Cmd::WalkPrev => return self.walk(false),
            Cmd::WalkMine => {
                self.checklist.walk_mine = !self.checklist.walk_mine;
                let m = if self.checklist.walk_mine {
                    super::i18n::M::WalkMine
                } else {
                    super::i18n::M::Walk
                };
                self.say(m.t(self.lang));
            }
            Cmd::AssessConforming | Cmd::AssessPartially | Cmd::AssessNonconforming | Cmd::AssessNotApplicable => {
                let result = match cmd {
                    Cmd::AssessConforming => AssessmentResult::Conforming,
                    Cmd::AssessPartially => AssessmentResult::Partially,
                    Cmd::AssessNonconforming => AssessmentResult::Nonconforming,
                    _ => AssessmentResult::NotApplicable,
                };
                if let Some(id) = self.selected_indicator() {
                    let indicator = id.to_string();
                    if result == AssessmentResult::Nonconforming {
                        let message = super::i18n::M::ConfirmAssess
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
            }
            Cmd::RecordMetrics => {
                if let Some(id) = self.selected_indicator() {
                    let has_metric = self
                        .data
                        .as_ref()
                        .and_then(|d| d.catalog.indicator(id))
                        .is_some_and(|i| i.metric.is_some());
                    if has_metric {
                        self.popup = Some(Popup::Input {
                            prompt: super::i18n::M::MetricsPrompt.t(self.lang).to_string(),
                            value: String::new(),
                            indicator: id.to_string(),
                        });
                    } else {
                        self.error(format!(
                            "{id}: {}",
                            self.lang.pick("no metric to compute", "此指标无可计算公式")
                        ));
                    }
                }
            }
            Cmd::SortNext => match self.pane {
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
                _ => {}
            },
            Cmd::SortReverse => match self.pane {
                Pane::Findings => {
                    self.findings.ascending = !self.findings.ascending;
                    self.refresh_findings();
                }
                Pane::Remediation => {
                    self.remediation.ascending = !self.remediation.ascending;
                    self.refresh_remediation();
                }
                _ => {}
            },
            Cmd::FilterOverdue => {
                self.overdue_only = !self.overdue_only;
                self.refresh_findings();
            }
            Cmd::ViewNext | Cmd::ViewPrev => {
                let i = RemView::ALL.iter().position(|v| *v == self.rem_view).unwrap_or(0);
                let n = RemView::ALL.len();
                self.rem_view = RemView::ALL[if cmd == Cmd::ViewNext {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.refresh_remediation();
            }
            Cmd::ToggleLanguage => {
                self.lang = if self.lang == Lang::Zh { Lang::En } else { Lang::Zh };
                self.refresh_views();
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

    fn current_filter(&self) -> Option<&String> {
        match self.pane {
            Pane::Checklist => Some(&self.checklist.filter),
            Pane::Findings => Some(&self.findings.filter),
            Pane::Remediation => Some(&self.remediation.filter),
            Pane::Dashboard => None,
        }
    }

    fn go(&mut self, pane: Pane) -> Option<Effect> {
        self.pane = pane;
        self.filtering = false;
        self.selection_changed()
    }

    fn move_by(&mut self, delta: i64) -> Option<Effect> {
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
                let cur = self
                    .findings
                    .selected
                    .as_ref()
                    .and_then(|s| self.findings.view.iter().position(|&i| &d.findings[i].reference == s));
                if let Some(i) = step(cur, self.findings.view.len()) {
                    self.findings.selected = Some(d.findings[self.findings.view[i]].reference.clone());
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
            Pane::Dashboard => {}
        }
        self.selection_changed()
    }

    /// Step to the next (or previous) indicator not yet assessed, optionally
    /// only those assigned to me, wrapping around the catalogue.
    fn walk(&mut self, forward: bool) -> Option<Effect> {
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
                self.say(super::i18n::M::WalkDone.t(self.lang));
                None
            }
        }
    }

    /// Keep the selected row visible and ask for its history.
    fn selection_changed(&mut self) -> Option<Effect> {
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
                let d = self.data.as_ref()?;
                let idx = self
                    .findings
                    .selected
                    .as_ref()
                    .and_then(|s| self.findings.view.iter().position(|&i| &d.findings[i].reference == s));
                keep(&mut self.findings.offset, idx);
                self.findings.selected.clone().map(|r| EntityId::new(Kind::Finding, r))
            }
            Pane::Remediation => {
                let d = self.data.as_ref()?;
                let idx = self
                    .remediation
                    .selected
                    .as_ref()
                    .and_then(|s| self.remediation.view.iter().position(|&i| &d.actions[i].id == s));
                keep(&mut self.remediation.offset, idx);
                self.remediation
                    .selected
                    .clone()
                    .map(|r| EntityId::new(Kind::Action, r))
            }
            Pane::Dashboard => None,
        }?;
        if self.history.as_ref().is_some_and(|(e, _)| *e == entity) {
            return None;
        }
        Some(Effect::LoadHistory(entity))
    }

    fn mouse_event(&mut self, m: MouseEvent) -> Option<Effect> {
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

    fn current_index(&self) -> Option<usize> {
        let d = self.data.as_ref()?;
        match self.pane {
            Pane::Checklist => self
                .checklist
                .selected
                .as_ref()
                .and_then(|s| self.checklist.rows.iter().position(|(r, _)| r == s)),
            Pane::Findings => self
                .findings
                .selected
                .as_ref()
                .and_then(|s| self.findings.view.iter().position(|&i| &d.findings[i].reference == s)),
            Pane::Remediation => self
                .remediation
                .selected
                .as_ref()
                .and_then(|s| self.remediation.view.iter().position(|&i| &d.actions[i].id == s)),
            Pane::Dashboard => None,
        }
    }
}

fn fix_selection<'a, C>(list: &mut ListState<C>, id_of: impl Fn(usize) -> &'a str) {
    let present = list
        .selected
        .as_deref()
        .is_some_and(|s| list.view.iter().any(|&i| id_of(i) == s));
    if !present {
        list.selected = list.view.first().map(|&i| id_of(i).to_string());
        list.offset = 0;
    }
}

/// Fuzzy subsequence score (case-insensitive, by char so CJK works): higher is
/// better; None when the pattern is not a subsequence.
pub fn fuzzy(text: &str, pattern: &str) -> Option<i64> {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut score = 0i64;
    let mut ti = 0;
    let mut last: Option<usize> = None;
    for pc in pattern.to_lowercase().chars().filter(|c| !c.is_whitespace()) {
        let found = (ti..text.len()).find(|&i| text[i] == pc)?;
        score += 10;
        if last.is_some_and(|l| l + 1 == found) {
            score += 15;
        }
        if found == 0 || text.get(found.wrapping_sub(1)).is_some_and(|c| !c.is_alphanumeric()) {
            score += 8;
        }
        score -= (found - ti) as i64;
        last = Some(found);
        ti = found + 1;
    }
    Some(score)
}
