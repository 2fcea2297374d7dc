//! Findings: raising one, editing its texts, its lifecycle moves.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Field, FieldId as F, Form, FormKind, Values, choices, yes_no};
use crate::app::{App, FindingMove, MoveKind, MoveText, NewFinding};
use crate::model::finding::Grade;
use crate::tui::effects::{app_refused, engagement, refused, saved};
use crate::tui::state::{Effect, Input, Pane, Popup, State};

impl State {
    pub(crate) fn open_raise(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let indicator = if self.pane == Pane::Checklist {
            self.selected_indicator().map(str::to_string)
        } else {
            None
        };
        let zh = self.lang.is_zh();
        // Pre-filled from the indicator: its name and the measured value against the target.
        let (title, statement, criterion) = match indicator.as_deref().and_then(|i| d.catalog.indicator(i)) {
            Some(ind) => {
                let measured = d.assessments.get(&ind.id).and_then(|a| a.measured);
                let statement = match (measured, ind.target) {
                    (Some(m), Some(t)) => format!(
                        "{} {} ({} {})",
                        ind.name(zh),
                        ind.unit.format(m, zh),
                        self.lang.pick("target", "目标"),
                        ind.unit.format(t, zh)
                    ),
                    (Some(m), None) => format!("{} {}", ind.name(zh), ind.unit.format(m, zh)),
                    _ => String::new(),
                };
                let criterion = format!("{} {}: {}", self.lang.pick("Indicator", "指标"), ind.id, ind.name(zh));
                (ind.name(zh).to_string(), statement, criterion)
            }
            None => Default::default(),
        };
        let grades = choices(Grade::ALL, |g| g.as_str(), |g| g.zh());
        self.open(Form::new(
            FormKind::RaiseFinding { indicator },
            ("Raise a finding", "提出发现项"),
            vec![
                Field::choice(F::Grade, "Grade", "等级", grades, 1),
                Field::line(F::Title, "Title", "标题", &title).required(),
                Field::lines(
                    F::Statement,
                    "Statement (what was seen)",
                    "事实描述（观察到的情况）",
                    &statement,
                ),
                Field::line(F::Criterion, "Criterion", "依据", &criterion),
                Field::lines(F::EvidenceNote, "Evidence note", "证据说明", ""),
                Field::choice(F::Issue, "Issue now", "立即开具", yes_no(false), 0),
            ],
        ))
    }

    pub(crate) fn open_edit_finding(&mut self) -> Option<Effect> {
        let f = self.selected_finding()?;
        let title = (format!("{} · edit", f.reference), format!("{} · 编辑", f.reference));
        let mut fields = Vec::new();
        if f.status == crate::model::finding::FindingStatus::Draft {
            let at = Grade::ALL.iter().position(|g| *g == f.grade).unwrap_or(0);
            fields.push(Field::choice(
                F::Grade,
                "Grade (a draft's only)",
                "等级（仅草稿可改）",
                choices(Grade::ALL, |g| g.as_str(), |g| g.zh()),
                at,
            ));
        }
        fields.extend([
            Field::line(F::Title, "Title", "标题", &f.title).required(),
            Field::lines(
                F::Statement,
                "Statement (what was seen)",
                "事实描述（观察到的情况）",
                &f.statement,
            ),
            Field::line(F::Criterion, "Criterion", "依据", &f.criterion),
            Field::lines(F::EvidenceNote, "Evidence note", "证据说明", &f.evidence_note),
        ]);
        self.open(Form::new(
            FormKind::EditFinding { opened: Box::new(f) },
            (&title.0, &title.1),
            fields,
        ))
    }

    pub(crate) fn offer_moves(&mut self) -> Option<Effect> {
        let r = self.selected_finding()?.reference.clone();
        Some(Effect::OfferMoves(r))
    }

    pub(crate) fn show_moves(&mut self, reference: String, moves: Vec<MoveKind>) {
        if moves.is_empty() {
            let text = format!(
                "{reference}: {}",
                self.lang.pick("no move is possible now", "当前没有可执行的状态变更")
            );
            self.error(text);
        } else {
            self.popup = Some(Popup::Moves {
                reference,
                moves,
                selected: 0,
            });
        }
    }

    pub(crate) fn choose_move(&mut self, reference: String, kind: MoveKind) -> Option<Effect> {
        let zh = self.lang.is_zh();
        let title = (kind.label(false), kind.label(true));
        match kind.asks() {
            MoveText::Nothing => {
                let target = kind.target().label(zh);
                let message = format!("{reference}: {} → {target}?", kind.label(zh));
                self.popup = Some(Popup::Confirm {
                    message,
                    effect: Effect::Submit {
                        kind: FormKind::Move { reference, kind },
                        values: Values::default(),
                        confirmed: true,
                    },
                });
                None
            }
            MoveText::Response => self.open(Form::new(
                FormKind::Move { reference, kind },
                title,
                vec![
                    Field::lines(F::RootCause, "Root cause", "根本原因", ""),
                    Field::lines(F::Correction, "Correction", "纠正", ""),
                ],
            )),
            MoveText::Reason => self.open(Form::new(
                FormKind::Move { reference, kind },
                title,
                vec![Field::lines(F::Reason, "Reason", "原因", "")],
            )),
        }
    }
}

/// Raise a finding (on the selected indicator, from the checklist).
pub(in crate::tui) fn save_raise(
    app: &mut App,
    state: &State,
    indicator: Option<String>,
    values: &Values,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let grade = match values.get(F::Grade).parse() {
        Ok(g) => g,
        Err(_) => return refused(lang.pick("choose a grade", "请选择等级")),
    };
    let new = NewFinding {
        grade,
        title: values.get(F::Title).into(),
        statement: values.get(F::Statement).into(),
        criterion: values.get(F::Criterion).into(),
        indicators: indicator.into_iter().collect(),
        evidence_note: values.get(F::EvidenceNote).into(),
        issue: values.get(F::Issue) == "yes",
    };
    match app.raise_finding(&eng, new) {
        Ok(f) => saved(
            app,
            state,
            &eng,
            format!("{} {}", lang.pick("Raised", "已提出"), f.reference),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// A lifecycle move of a finding, with its text when it asks one.
pub(in crate::tui) fn save_move(
    app: &mut App,
    state: &State,
    reference: String,
    kind: MoveKind,
    values: &Values,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let reason = values.maybe(F::Reason).unwrap_or_default().to_string();
    let step = match kind {
        MoveKind::Issue => FindingMove::Issue,
        MoveKind::Respond => FindingMove::Respond {
            root_cause: values.get(F::RootCause).into(),
            correction: values.get(F::Correction).into(),
        },
        MoveKind::AcceptPlan => FindingMove::AcceptPlan,
        MoveKind::RejectResponse => FindingMove::RejectResponse { reason },
        MoveKind::Implement => FindingMove::Implement,
        MoveKind::SendBack => FindingMove::SendBack { reason },
        MoveKind::Verify => FindingMove::Verify,
        MoveKind::Close => FindingMove::Close,
        MoveKind::Withdraw => FindingMove::Withdraw { reason },
        MoveKind::Reopen => FindingMove::Reopen { reason },
    };
    debug_assert!(kind.asks() != MoveText::Nothing || values.is_empty());
    match app.move_finding(&reference, step) {
        Ok(f) => saved(
            app,
            state,
            &eng,
            format!("{} → {}", f.reference, f.status.label(lang.is_zh())),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// Save a finding's texts, never over a field a teammate changed since the form opened.
pub(in crate::tui) fn save_edit(
    app: &mut App,
    state: &State,
    opened: Box<crate::model::finding::Finding>,
    values: &Values,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let changes: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.name(), v)).collect();
    match app.edit_finding_since(&opened.entity, &changes, &opened) {
        Ok(f) => saved(
            app,
            state,
            &eng,
            format!("{} {}", f.reference, lang.pick("saved", "已保存")),
        ),
        Err(crate::app::AppError::Changed { message, theirs }) => vec![Input::Stale {
            message: message.get(lang).to_string(),
            theirs,
            finding: app
                .finding(&opened.entity)
                .ok()
                .map(|now| Box::new(crate::app::rebase_opened(&opened, &now, &changes))),
        }],
        Err(e) => app_refused(e, lang),
    }
}
