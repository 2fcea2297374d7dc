//! The TUI state's parts: status line, checklist and list states, columns,
//! remediation views, popups and mouse hit areas.

use super::{Effect, Pane};
use crate::tui::commands::Cmd;
use crate::tui::keymap::Seq;
use ratatui::layout::Rect;
use std::collections::HashSet;

/// A message on the status line: a confirmation or an error, cleared after a few ticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusLine {
    pub text: String,
    pub is_error: bool,
    /// When it was shown (it goes after [`StatusLine::SHOWN_FOR`]).
    pub shown: std::time::Instant,
}

impl StatusLine {
    /// How long a message stays on the status line.
    pub const SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(5);

    pub fn info(text: impl Into<String>) -> StatusLine {
        StatusLine {
            text: text.into(),
            is_error: false,
            shown: std::time::Instant::now(),
        }
    }
    pub fn error(text: impl Into<String>) -> StatusLine {
        StatusLine {
            text: text.into(),
            is_error: true,
            shown: std::time::Instant::now(),
        }
    }
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
    /// Indicators marked (space) for assigning several at once.
    pub marked: std::collections::BTreeSet<String>,
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

/// The portfolio's sortable columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortfolioCol {
    Programme,
    Client,
    Certificate,
    Until,
    NextDue,
    Majors,
    Overdue,
}

impl PortfolioCol {
    pub const ALL: [PortfolioCol; 7] = [
        PortfolioCol::Programme,
        PortfolioCol::Client,
        PortfolioCol::Certificate,
        PortfolioCol::Until,
        PortfolioCol::NextDue,
        PortfolioCol::Majors,
        PortfolioCol::Overdue,
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
    pub(super) fn new(sort: C) -> Self {
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
    /// A result worth reading whole (a sync's report); Enter or Esc closes.
    Notice(String),
    Input {
        prompt: String,
        value: String,
        indicator: String,
        /// The record source the file is (None: call records).
        source: Option<&'static str>,
    },
    Switcher {
        selected: usize,
    },
    /// A form being filled in.
    Form(Box<crate::tui::forms::Form>),
    /// The lifecycle moves a finding allows now.
    Moves {
        reference: String,
        moves: Vec<crate::app::MoveKind>,
        selected: usize,
    },
    /// Keys that can follow the ones pressed so far.
    Pending(Vec<(Seq, Cmd)>),
    /// Open conflicts after merging teammates' work.
    Conflicts {
        /// Each conflict with when its two sides were written (ms).
        items: Vec<TimedConflict>,
        selected: usize,
    },
    /// Evidence files of the selected indicator or finding: (sha256, name).
    Evidence {
        items: Vec<(String, String)>,
        selected: usize,
    },
    /// Running and finished jobs, newest first.
    Tasks {
        selected: usize,
    },
    /// The latest QA round's reviews: who has sealed, scores once out.
    QaRound {
        selected: usize,
    },
    /// The audit plan: its agenda and the two meetings, by date and time.
    AuditPlan {
        selected: usize,
    },
    /// The evidence requests to the auditee, by number.
    Requests {
        selected: usize,
    },
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

/// A conflict with when its two sides were written (ms; None if not held).
pub type TimedConflict = (crate::model::ops::Conflict, (Option<u64>, Option<u64>));
