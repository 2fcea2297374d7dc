//! Availability as data (gitui's `CommandInfo`): one predicate says, for
//! every command, whether it can run now, cannot (and why), or does not
//! belong here at all. `run`, help, the palette and the hint line all ask
//! it, so none of them offers what would do nothing.

use super::*;
use crate::tui::i18n::Label;

/// Whether a command can run now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Avail {
    Enabled,
    /// It belongs here but cannot run now; the reason says what would let it.
    Disabled(&'static str),
    /// It does not belong to this pane (help's search still finds it, with
    /// the keys of its own pane first).
    Hidden,
}

impl Avail {
    pub fn is_enabled(&self) -> bool {
        *self == Avail::Enabled
    }
    /// Why it cannot run (None: it can, or it is not offered here).
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Avail::Disabled(r) => Some(r),
            _ => None,
        }
    }
}

/// Commands that change nothing and need nothing loaded.
pub(super) const ALWAYS: &[Cmd] = &[
    Cmd::Quit,
    Cmd::Help,
    Cmd::Palette,
    Cmd::Back,
    Cmd::ToggleLanguage,
    Cmd::Tasks,
];

/// Moving between panes and rows (while an engagement's lists load).
pub(super) const MOVES: &[Cmd] = &[
    Cmd::PaneDashboard,
    Cmd::PaneChecklist,
    Cmd::PaneFindings,
    Cmd::PaneRemediation,
    Cmd::PanePortfolio,
    Cmd::PaneCalls,
    Cmd::PaneNext,
    Cmd::PanePrev,
    Cmd::Down,
    Cmd::Up,
    Cmd::Top,
    Cmd::Bottom,
    Cmd::PageDown,
    Cmd::PageUp,
];

/// What the welcome screen (no engagement yet) offers besides [`ALWAYS`].
pub(super) const WITHOUT_DATA: &[Cmd] = &[
    Cmd::Refresh,
    Cmd::IdentityEdit,
    Cmd::EngagementNew,
    Cmd::BundleImport,
    Cmd::Sync,
];

/// Commands that act on the selected indicator of the checklist.
const ON_INDICATOR: &[Cmd] = &[
    Cmd::AssessDone,
    Cmd::AssessConforming,
    Cmd::AssessPartially,
    Cmd::AssessNonconforming,
    Cmd::AssessNotApplicable,
    Cmd::AssessValue,
    Cmd::AssessNotes,
    Cmd::EvidenceAdd,
    Cmd::MarkToggle,
];

/// Commands that act on the selected finding.
const ON_FINDING: &[Cmd] = &[Cmd::FindingEdit, Cmd::FindingMove, Cmd::ActionAdd];

/// Commands that start a job (one job runs at a time).
const JOBS: &[Cmd] = &[Cmd::Sync, Cmd::BundleExport, Cmd::BundleImport];

impl State {
    /// Whether `cmd` can run now, in this pane, with this selection.
    pub fn availability(&self, cmd: Cmd) -> Avail {
        if !info(cmd).applies_in(self.pane.ctx()) {
            return Avail::Hidden;
        }
        if ALWAYS.contains(&cmd) {
            return Avail::Enabled;
        }
        let lang = self.lang;
        let Some(d) = self.data.as_ref() else {
            return if WITHOUT_DATA.contains(&cmd) {
                self.job_free(cmd)
            } else {
                Avail::Disabled(Label::NeedsEngagement.t(lang))
            };
        };
        if MOVES.contains(&cmd) {
            return Avail::Enabled;
        }
        // While the lists load on another thread, only looking around: a
        // change now would be overtaken by the lists read before it.
        if d.partial {
            return Avail::Disabled(Label::Loading.t(lang));
        }
        if ON_INDICATOR.contains(&cmd) && self.pane == Pane::Checklist && self.selected_indicator().is_none() {
            return Avail::Disabled(Label::NeedsIndicator.t(lang));
        }
        let finding_selected = || self.findings.selected.as_ref().is_some_and(|r| d.row_of(r).is_some());
        if ON_FINDING.contains(&cmd) && !finding_selected() {
            // A filter that left nothing: say so, not "select one".
            let filtered_out = self.findings.view.is_empty() && !self.findings.filter.is_empty();
            return Avail::Disabled(if filtered_out {
                Label::NothingMatches.t(lang)
            } else {
                Label::NeedsFinding.t(lang)
            });
        }
        if cmd == Cmd::Open && self.pane != Pane::Checklist && self.nothing_selected() {
            return Avail::Disabled(Label::NothingSelected.t(lang));
        }
        if cmd == Cmd::ActionAdd
            && self
                .selected_row()
                .is_some_and(|f| crate::model::rules::check_add_action(f.status, "-", "-").is_err())
        {
            return Avail::Disabled(Label::ActionsClosed.t(lang));
        }
        match cmd {
            Cmd::Assign if self.checklist.marked.is_empty() && self.selected_indicator().is_none() => {
                Avail::Disabled(Label::NeedsIndicator.t(lang))
            }
            Cmd::ActionUpdate | Cmd::ActionVerify => match self.selected_action() {
                None => Avail::Disabled(Label::NeedsAction.t(lang)),
                Some(a)
                    if cmd == Cmd::ActionVerify
                        && crate::model::action::check_transition(
                            a.status,
                            crate::model::action::ActionStatus::Effective,
                        )
                        .is_err() =>
                {
                    Avail::Disabled(Label::VerifyNeedsCompleted.t(lang))
                }
                Some(_) => Avail::Enabled,
            },
            Cmd::PlanUpdate if d.milestones.is_empty() => Avail::Disabled(Label::NoPlanShort.t(lang)),
            Cmd::TestCallRecord if d.test_calls.is_empty() => Avail::Disabled(Label::NoTestCalls.t(lang)),
            Cmd::AuditPlanView
                if d.audit_plan.as_ref().is_none_or(|p| {
                    p.activities.is_empty() && p.opening.is_none() && p.closing.is_none() && p.mode.is_none()
                }) =>
            {
                Avail::Disabled(Label::NoAuditPlan.t(lang))
            }
            Cmd::QaScore | Cmd::QaReveal | Cmd::QaReconcile | Cmd::QaView if d.qa.is_empty() => {
                Avail::Disabled(Label::NoQaRound.t(lang))
            }
            Cmd::EngagementFollow if self.pane == Pane::Portfolio && self.selected_programme().is_none() => {
                Avail::Disabled(Label::NeedsProgramme.t(lang))
            }
            Cmd::EvidenceOpen if !self.has_evidence_here() => Avail::Disabled(Label::NoEvidence.t(lang)),
            _ => self.job_free(cmd),
        }
    }

    /// The selected finding's compact row (asked on every frame by the
    /// hint line: no record is rebuilt).
    fn selected_row(&self) -> Option<&crate::tui::rows::FindingRow> {
        let d = self.data.as_ref()?;
        d.findings.get(d.row_of(self.findings.selected.as_ref()?)?)
    }

    /// The pane's list has no row selected (empty, or filtered to nothing).
    fn nothing_selected(&self) -> bool {
        match self.pane {
            Pane::Findings => self.selected_finding_pos().is_none(),
            Pane::Remediation => self.selected_action().is_none(),
            Pane::Portfolio => self.selected_programme().is_none(),
            Pane::Checklist | Pane::Dashboard | Pane::Calls => false,
        }
    }

    /// A command that starts a job waits for the running one to end.
    fn job_free(&self, cmd: Cmd) -> Avail {
        if JOBS.contains(&cmd) && self.job.is_some() {
            Avail::Disabled(Label::OneJobAtATime.t(self.lang))
        } else {
            Avail::Enabled
        }
    }

    /// Whether the selected indicator (checklist) or finding has evidence.
    fn has_evidence_here(&self) -> bool {
        let Some(d) = self.data.as_ref() else { return false };
        match self.pane {
            Pane::Checklist => self
                .selected_indicator()
                .and_then(|i| d.assessments.get(i))
                .is_some_and(|a| !a.evidence.is_empty()),
            Pane::Findings => self.selected_row().is_some_and(|f| !f.evidence.is_empty()),
            _ => false,
        }
    }
}

/// A line of help or of the palette: a command, its keys, what it does,
/// and why it cannot run now (None: it can).
#[derive(Clone, Debug, PartialEq)]
pub struct CommandEntry {
    pub cmd: Cmd,
    pub keys: String,
    pub desc: &'static str,
    pub disabled: Option<&'static str>,
}

impl State {
    /// The pane a command belongs to, when it does not apply here.
    pub(super) fn home_pane(&self, cmd: Cmd) -> Option<Pane> {
        let c = info(cmd);
        if c.applies_in(self.pane.ctx()) {
            return None;
        }
        Pane::ALL.into_iter().find(|p| c.contexts.contains(&p.ctx()))
    }

    /// Help lists every command that applies here, with its keys and, when
    /// it cannot run now, why; a search also finds the other panes'
    /// commands, their keys after the pane's (`3 m`: go to the findings,
    /// then move the finding).
    pub fn help_entries(&self) -> Vec<CommandEntry> {
        let ctx = self.pane.ctx();
        let filter = match &self.popup {
            Some(Popup::Help { filter, .. }) => lower(filter),
            _ => String::new(),
        };
        let keys = |c: &crate::tui::commands::CommandInfo| match self.home_pane(c.cmd) {
            None => self.keymap.keys_for(ctx, c.cmd).join(", "),
            Some(p) => {
                let go = self.keymap.keys_for(KeyContext::Global, pane_cmd(p));
                let here = self.keymap.keys_for(p.ctx(), c.cmd);
                match (go.first(), here.first()) {
                    (Some(g), Some(k)) => format!("{g} {k}"),
                    _ => String::new(),
                }
            }
        };
        COMMANDS
            .iter()
            .filter(|c| c.applies_in(ctx) || (!filter.is_empty() && self.home_pane(c.cmd).is_some()))
            .filter(|c| {
                let desc = c.describe(self.lang);
                filter.is_empty()
                    || lower(&keys(c)).contains(&filter)
                    || lower(desc).contains(&filter)
                    || c.name.contains(&filter)
                    || crate::tui::commands::aliases(c.cmd).contains(&filter)
            })
            .map(|c| CommandEntry {
                cmd: c.cmd,
                keys: keys(c),
                desc: c.describe(self.lang),
                disabled: self.availability(c.cmd).reason(),
            })
            .collect()
    }

    /// Palette: fuzzy over command descriptions (current language), names
    /// and aliases; what cannot run now is listed last, with why.
    pub fn palette_entries(&self) -> Vec<CommandEntry> {
        let ctx = self.pane.ctx();
        let input = match &self.popup {
            Some(Popup::Palette { input, .. }) => input.clone(),
            _ => String::new(),
        };
        let mut fuzzy = Fuzzy::new(&input);
        let mut scored: Vec<(bool, u32, CommandEntry)> = COMMANDS
            .iter()
            .filter_map(|c| {
                let avail = self.availability(c.cmd);
                if avail == Avail::Hidden {
                    return None;
                }
                let desc = c.describe(self.lang);
                let score = if input.is_empty() {
                    Some(0)
                } else {
                    fuzzy
                        .score(desc)
                        .max(fuzzy.score(c.name))
                        .max(fuzzy.score(crate::tui::commands::aliases(c.cmd)))
                };
                let entry = CommandEntry {
                    cmd: c.cmd,
                    keys: self.keymap.keys_for(ctx, c.cmd).join(", "),
                    desc,
                    disabled: avail.reason(),
                };
                score.map(|s| (entry.disabled.is_none(), s, entry))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmd.cmp(&b.2.cmd)));
        scored.into_iter().map(|(_, _, e)| e).collect()
    }
}
