//! TUI state and `update`: plain logic, no drawing and no IO. Key presses go
//! through the keymap to commands; commands change state or return an
//! [`Effect`] for the app layer to run. Selection is kept by record id.

use super::commands::{COMMANDS, Cmd, KeyContext, info};
use super::data::Data;
use super::keymap::{Chord, Keymap, Lookup};
use crate::config::Lang;
use crate::model::action::CorrectiveAction;
use crate::model::assessment::AssessmentResult;
use crate::model::finding::{Finding, FindingStatus, Grade};
use crate::model::ops::{EntityId, Kind, Op};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;
use std::cell::RefCell;

mod fuzzy;
mod types;

pub use avail::{Avail, CommandEntry};
pub use fuzzy::Fuzzy;
pub use types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Dashboard,
    Checklist,
    Findings,
    Remediation,
    /// Every certification programme (client): certificate, next audit, open items.
    Portfolio,
    /// Service level and abandonment by hour from the call-record report.
    Calls,
}

/// The command that shows a pane.
fn pane_cmd(p: Pane) -> Cmd {
    match p {
        Pane::Dashboard => Cmd::PaneDashboard,
        Pane::Checklist => Cmd::PaneChecklist,
        Pane::Findings => Cmd::PaneFindings,
        Pane::Remediation => Cmd::PaneRemediation,
        Pane::Portfolio => Cmd::PanePortfolio,
        Pane::Calls => Cmd::PaneCalls,
    }
}

impl Pane {
    pub const ALL: [Pane; 6] = [
        Pane::Dashboard,
        Pane::Checklist,
        Pane::Findings,
        Pane::Remediation,
        Pane::Portfolio,
        Pane::Calls,
    ];
    pub fn ctx(self) -> KeyContext {
        match self {
            Pane::Dashboard => KeyContext::Dashboard,
            Pane::Checklist => KeyContext::Checklist,
            Pane::Findings => KeyContext::Findings,
            Pane::Remediation => KeyContext::Remediation,
            Pane::Portfolio => KeyContext::Portfolio,
            Pane::Calls => KeyContext::Calls,
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
    /// The indicator's workflow status (done, or back in progress).
    Workflow {
        indicator: String,
        workflow: crate::model::assessment::Workflow,
    },
    RecordMetrics {
        indicator: String,
        path: String,
    },
    /// Recompute an indicator from another record source's file (generic
    /// layout, the evaluation period).
    RecordSource {
        indicator: String,
        source: &'static str,
        path: String,
    },
    SwitchEngagement(String),
    /// Save a form's values through the app layer.
    Submit {
        kind: crate::tui::forms::FormKind,
        values: crate::tui::forms::Values,
        /// The user confirmed a warning (a due date in the past).
        confirmed: bool,
    },
    /// Ask which lifecycle moves a finding allows now.
    OfferMoves(String),
    Undo,
    /// Write the language into config.toml (`L` is remembered).
    RememberLanguage(Lang),
    /// Edit a form's multi-line text in the user's editor (handled by `step_with`).
    EditExternally(String),
    /// Open an evidence file with the system's viewer (a copy in a temporary folder).
    OpenEvidence(String),
    /// Record the figures the user confirmed (handled by `step_with`).
    RecordPendingMetrics,
    /// List the open conflicts.
    LoadConflicts,
    /// Read every programme for the portfolio pane.
    LoadPortfolio,
    /// Read the engagement's hourly call-record profile.
    LoadCalls,
    /// Sync with every remote (a job).
    Sync,
    /// Reveal this copy's sealed QA scores whose other seal is in.
    QaReveal,
    /// Settle one conflict (record id, field, which value stays).
    Resolve {
        id: String,
        field: String,
        keep: crate::app::Keep,
    },
}

/// The identity as saved: the identity form opens with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentityNow {
    pub actor: String,
    pub name: String,
    pub initials: String,
    pub certificate: String,
    /// The private key's path ("" when unsigned).
    pub key: String,
}

impl IdentityNow {
    pub fn of(app: &crate::app::App) -> IdentityNow {
        if !app.identity_is_set() {
            return IdentityNow::default();
        }
        let i = app.identity();
        IdentityNow {
            actor: i.actor.clone(),
            name: i.name.clone(),
            initials: i.initials.clone(),
            certificate: app.certificate().unwrap_or_default().to_string(),
            key: app
                .signing_key()
                .map(|k| k.path().display().to_string())
                .unwrap_or_default(),
        }
    }
}

/// Inputs to `update`.
#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Loaded(Box<Data>),
    /// The records the user's last save touched, read again.
    Patched(Box<crate::tui::data::Patch>),
    History(EntityId, Vec<(Op, crate::app::Signature)>),
    /// The reminders (`digest`) on start: into the inbox, unread.
    Reminders {
        short: String,
        full: String,
    },
    /// A result for the status line, and in full in a popup.
    Notice {
        short: String,
        full: String,
    },
    /// Result of an effect: a message, or an error to show.
    Done(Result<String, String>),
    /// The app refused a form's values: shown in the form, nothing saved;
    /// `confirm` means submitting the same values again goes ahead.
    Refused {
        message: String,
        confirm: bool,
    },
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The moves a finding allows now.
    Moves(String, Vec<crate::app::MoveKind>),
    /// Whether an identity is set (after saving one).
    IdentitySet(bool),
    /// Who this copy writes as now (after saving the identity form).
    IdentityNow(IdentityNow),
    /// The marked indicators were assigned: the marks are cleared.
    AssignedMarks,
    /// The open conflicts, for their popup.
    /// Open conflicts, each with when its two sides were written (ms).
    Conflicts(Vec<TimedConflict>),
    /// The portfolio's programmes (or why they could not be read).
    Portfolio(Result<Vec<crate::app::cycle::PortfolioLine>, String>),
    /// The engagement's call profile: (engagement, profile or why not).
    Calls(String, Box<Result<Option<crate::app::CallProfile>, String>>),
    /// Ask the user; yes runs the effect (an offer to change a result).
    Ask {
        message: String,
        effect: Effect,
    },
    /// Computed figures cover days outside the evaluation period: ask.
    ConfirmMetrics {
        warning: String,
        pending: Box<crate::tui::jobs::PendingMetrics>,
    },
    /// Text back from the user's editor (or why not) for the form's focused field.
    Edited(Result<String, String>),
    /// Run an effect after the next frame (handled by `step_with`).
    Defer(Effect),
    /// A deferred effect, due now.
    Deferred(Effect),
    /// Start long work off the UI thread (handled by `step_with`).
    Start(Box<crate::tui::jobs::Job>),
    /// Long work ended; its result is recorded next (handled by `step_with`).
    JobDone(Box<crate::tui::jobs::JobOutput>),
    /// What a job came to: a notification (the status line, the tasks
    /// view; a popup when nothing else is open and there is more to read).
    Finished {
        ok: bool,
        short: String,
        full: Option<String>,
    },
    /// Refused for now (a job holds the database): said on the status line.
    Busy(String),
    /// A form's text was changed by someone else since it opened: the form
    /// keeps what the user typed, says so and shows `theirs`; it now counts
    /// as opened on `theirs`, so the next save is the user's choice.
    Stale {
        message: String,
        theirs: String,
        /// The finding as it is now (an edit form opens on it from here).
        finding: Option<Box<Finding>>,
    },
}

/// What a key does in a list popup (moves, evidence, conflicts, engagements).
enum Pick {
    /// The selection moved (↑↓, j/k).
    Moved,
    /// Esc or q.
    Close,
    /// Enter.
    Choose,
    /// Any other key, for the popup's own meaning.
    Other(KeyCode),
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
    /// The programmes, read when the portfolio pane opens (None: not read).
    pub portfolio: Option<Vec<crate::app::cycle::PortfolioLine>>,
    /// The portfolio list (selection by programme id).
    pub programmes: ListState<PortfolioCol>,
    /// The call profile of one engagement, read when its pane opens.
    pub calls: Option<(String, Option<crate::app::CallProfile>)>,
    /// Every finding in the current sort order (cache; cleared on reload).
    findings_order: Option<((FindingCol, bool), Vec<usize>)>,
    /// The filter (overdue-only, today) `findings.view` was made with, from
    /// `findings_order` as it is now (cleared with it).
    findings_filtered: Option<(views::FindingFilter, bool, jiff::civil::Date)>,
    pub rem_view: RemView,
    /// The selected record's changes, each with how it is proven.
    pub history: Option<(EntityId, Vec<(Op, crate::app::Signature)>)>,
    /// The status line's message, if any.
    pub status: Option<StatusLine>,
    pub size: (u16, u16),
    pub hits: RefCell<Hits>,
    pub quit: bool,
    pub mouse: bool,
    /// Config problems to show once at start.
    pub warnings: Vec<String>,
    /// Whether the user has said who they are (otherwise the first screen asks).
    pub identity_set: bool,
    /// Who they are now: what the identity form opens with.
    pub identity: IdentityNow,
    /// The first frame, drawn before the database is read.
    pub loading: bool,
    /// Long work running off the UI thread (its progress line; Esc cancels).
    pub job: Option<std::sync::Arc<crate::tui::jobs::Work>>,
    /// Jobs of this session, oldest first (the tasks view shows them newest first).
    pub tasks: Vec<crate::tui::jobs::Task>,
    /// Finished jobs not seen yet (the status bar counts them).
    pub unread: usize,
    /// A form opened from the requests view returns to it (on this row)
    /// when it is saved or cancelled.
    pub back_to_requests: Option<usize>,
    /// The user's config.toml, where `L` remembers the language (none in tests).
    pub config_file: Option<std::path::PathBuf>,
    /// The editor command for Ctrl-G (default: `$VISUAL`, then `$EDITOR`).
    pub editor: Option<String>,
    /// The program that opens files (`CSCAUDIT_OPEN`, else xdg-open / open / start).
    pub opener: String,
    /// Figures waiting for confirmation (records outside the period).
    pub pending_metrics: Option<Box<crate::tui::jobs::PendingMetrics>>,
}

mod avail;
mod keys;
mod run;
mod views;

pub use views::FindingFilter;

fn lower(s: &str) -> String {
    s.to_lowercase()
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
            portfolio: None,
            programmes: ListState::new(PortfolioCol::NextDue),
            calls: None,
            findings_order: None,
            findings_filtered: None,
            rem_view: RemView::All,
            history: None,
            status: None,
            size: (120, 40),
            hits: RefCell::new(Hits::default()),
            quit: false,
            mouse: false,
            warnings: Vec::new(),
            identity_set: true,
            identity: IdentityNow::default(),
            loading: false,
            job: None,
            tasks: Vec::new(),
            unread: 0,
            back_to_requests: None,
            config_file: None,
            pending_metrics: None,
            opener: std::env::var("CSCAUDIT_OPEN")
                .ok()
                .filter(|o| !o.trim().is_empty())
                .unwrap_or_else(|| {
                    if cfg!(target_os = "macos") {
                        "open".into()
                    } else if cfg!(windows) {
                        "explorer".into()
                    } else {
                        "xdg-open".into()
                    }
                }),
            editor: ["VISUAL", "EDITOR"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty())),
        };
        s.refresh_views();
        s
    }

    pub fn ctx(&self) -> KeyContext {
        match &self.popup {
            Some(Popup::Help { .. }) => KeyContext::Help,
            Some(Popup::Palette { .. }) => KeyContext::Palette,
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

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine::info(text));
    }
    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine::error(text));
    }

    // ------------------------------------------------------------- derived lists

    // ------------------------------------------------------------- update

    pub fn update(&mut self, input: Input) -> Option<Effect> {
        match input {
            Input::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Input::Key(_) => None,
            Input::Mouse(m) => self.mouse_event(m),
            Input::Resize(w, h) => {
                self.size = (w, h);
                None
            }
            Input::Tick => {
                // "Loading…" stays while the lists load, however long.
                let loading = self.data.as_ref().is_some_and(|d| d.partial);
                if !loading
                    && self
                        .status
                        .as_ref()
                        .is_some_and(|l| l.shown.elapsed() > StatusLine::SHOWN_FOR)
                {
                    self.status = None;
                }
                None
            }
            Input::Loaded(data) => {
                // The lists have arrived: "Loading…" is no longer true.
                if self.data.as_ref().is_some_and(|d| d.partial) && !data.partial {
                    self.status = None;
                }
                self.data = Some(*data);
                // Read again when shown: another engagement, or changed.
                self.portfolio = None;
                self.calls = None;
                self.findings_order = None;
                self.refresh_views();
                self.reselected()
            }
            Input::Patched(patch) => {
                self.portfolio = None;
                self.calls = None;
                let changed = self.data.as_mut().map(|d| d.apply(*patch)).unwrap_or_default();
                if changed.lists {
                    self.findings_order = None;
                    // The remediation view is made from the actions alone: sorted
                    // again only when they changed (200,000 of them take 8 ms).
                    if changed.actions {
                        self.refresh_views();
                    } else {
                        self.refresh_checklist();
                        self.refresh_findings();
                    }
                } else {
                    // Only assessments, evidence or the team changed.
                    self.refresh_checklist();
                }
                self.reselected()
            }
            Input::History(e, ops) => {
                self.history = Some((e, ops));
                None
            }
            Input::Done(Ok(msg)) => {
                // A form whose values were saved closes (back to the
                // requests view when it was opened from there).
                if matches!(self.popup, Some(Popup::Form(_))) {
                    self.popup = self
                        .back_to_requests
                        .take()
                        .map(|selected| Popup::Requests { selected });
                }
                self.say(msg);
                None
            }
            Input::Refused { message, confirm } => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    form.armed = confirm.then(|| form.values());
                    form.error = Some(message);
                } else {
                    self.popup = Some(Popup::Error(message));
                }
                None
            }
            Input::Paste(text) => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    form.paste(&text);
                }
                None
            }
            Input::Moves(reference, moves) => {
                self.show_moves(reference, moves);
                None
            }
            Input::IdentityNow(now) => {
                self.identity = now;
                None
            }
            Input::IdentitySet(set) => {
                self.identity_set = set;
                // On the welcome screen, the next step is the engagement form.
                if set && self.data.is_none() {
                    self.popup = None;
                    return self.open_engagement();
                }
                None
            }
            Input::Done(Err(e)) => {
                self.popup = Some(Popup::Error(e));
                None
            }
            Input::Reminders { short, full } => {
                let work = crate::tui::jobs::Work::new(crate::tui::i18n::Label::Reminders.t(self.lang), 0);
                let took = work.started.elapsed();
                self.tasks.push(crate::tui::jobs::Task {
                    work,
                    outcome: Some(crate::tui::jobs::Outcome {
                        ok: true,
                        short: short.clone(),
                        full,
                        took,
                    }),
                });
                self.unread += 1;
                // Said only on a quiet status line: "Loading…" stays true
                // while the lists load, and what the user's own action said
                // ("Raised ZW-007") is not replaced; the inbox's count says
                // there is news either way.
                if self.status.is_none() {
                    self.say(short);
                }
                None
            }
            Input::Notice { short, full } => {
                self.say(short);
                self.popup = Some(Popup::Notice(full));
                None
            }
            Input::ConfirmMetrics { warning, pending } => {
                self.pending_metrics = Some(pending);
                self.popup = Some(Popup::Confirm {
                    message: format!("{warning}. {}", crate::tui::i18n::Label::RecordAnyway.t(self.lang)),
                    effect: Effect::RecordPendingMetrics,
                });
                None
            }
            Input::Conflicts(items) => {
                if items.is_empty() {
                    self.say(crate::tui::i18n::Label::NoConflicts.t(self.lang));
                } else {
                    self.popup = Some(Popup::Conflicts { items, selected: 0 });
                }
                None
            }
            Input::Portfolio(lines) => {
                match lines {
                    Ok(lines) => self.portfolio = Some(lines),
                    Err(e) => {
                        self.portfolio = Some(Vec::new());
                        self.error(e);
                    }
                }
                self.refresh_portfolio();
                self.selection_changed()
            }
            Input::Calls(engagement, profile) => {
                match *profile {
                    Ok(p) => self.calls = Some((engagement, p)),
                    Err(e) => {
                        self.calls = Some((engagement, None));
                        self.error(e);
                    }
                }
                None
            }
            Input::Ask { message, effect } => {
                self.popup = Some(Popup::Confirm { message, effect });
                None
            }
            Input::AssignedMarks => {
                self.checklist.marked.clear();
                None
            }
            Input::Edited(result) => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    match result {
                        Ok(text) => form.set_focused_text(&text),
                        Err(e) => form.error = Some(e),
                    }
                }
                None
            }
            Input::Finished { ok, short, full } => {
                self.finished(ok, short, full);
                None
            }
            Input::Stale {
                message,
                theirs,
                finding,
            } => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    form.seen_theirs(&theirs, finding);
                    form.error = Some(message);
                }
                None
            }
            Input::Busy(message) => {
                if let Some(Popup::Form(form)) = &mut self.popup {
                    form.error = Some(message);
                } else {
                    self.error(message);
                }
                None
            }
            // Intercepted by `step_with`, which owns the worker threads.
            Input::Start(_) | Input::JobDone(_) | Input::Defer(_) => None,
            Input::Deferred(effect) => Some(effect),
        }
    }

    /// A job started: listed in the tasks view while it runs.
    pub fn started(&mut self, work: std::sync::Arc<crate::tui::jobs::Work>) {
        self.job = Some(work.clone());
        self.tasks.push(crate::tui::jobs::Task { work, outcome: None });
        let extra = self.tasks.len().saturating_sub(crate::tui::jobs::TASKS_KEPT);
        self.tasks.drain(..extra);
    }

    /// A job ended: its outcome goes to the tasks view and is said.
    fn finished(&mut self, ok: bool, short: String, full: Option<String>) {
        if let Some(t) = self.tasks.iter_mut().rev().find(|t| t.outcome.is_none()) {
            t.outcome = Some(crate::tui::jobs::Outcome {
                ok,
                short: short.clone(),
                full: full.clone().unwrap_or_else(|| short.clone()),
                took: t.work.started.elapsed(),
            });
        }
        let seen = match (&self.popup, ok, full) {
            // Nothing else open: what there is to read is shown (and so seen).
            (None, false, full) => {
                self.popup = Some(Popup::Error(full.unwrap_or(short)));
                // "Importing…" is no longer true: the error says what happened.
                self.status = None;
                return;
            }
            (None, true, Some(full)) => {
                self.popup = Some(Popup::Notice(full));
                true
            }
            (Some(Popup::Tasks { .. }), _, _) => true,
            // A form or another popup stays as it is: the status line and
            // the tasks view carry the news.
            _ => false,
        };
        if !seen {
            self.unread += 1;
        }
        if ok { self.say(short) } else { self.error(short) }
    }

    // ------------------------------------------------------------- commands
}
