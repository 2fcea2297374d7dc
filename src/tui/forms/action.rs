//! Corrective actions: add, update, verify.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Choice, Field, FieldId as F, Form, FormKind, Values, choices};
use crate::app::{ActionUpdate, App, NewAction};
use crate::model::action::ActionStatus;
use crate::model::input::{self, InputProblem};
use crate::tui::effects::{app_refused, engagement, expand_home, past_due, problem, refused, saved};
use crate::tui::state::{Effect, Input, State};

impl State {
    pub(crate) fn open_add_action(&mut self) -> Option<Effect> {
        let f = self.selected_finding()?.reference.clone();
        self.open(Form::new(
            FormKind::AddAction { finding: f },
            ("Add a corrective action", "添加纠正措施"),
            vec![
                Field::lines(F::Description, "Description", "措施", "").required(),
                Field::line(
                    F::Owner,
                    "Owner (auditee person or unit)",
                    "责任人（受审核方人员或部门）",
                    "",
                )
                .required(),
                Field::line(
                    F::Due,
                    "Due (2026-12-31, +30d, +2w; empty: closure due)",
                    "期限（2026-12-31、+30d、+2w；留空：关闭期限）",
                    "",
                ),
            ],
        ))
    }

    pub(crate) fn open_update_action(&mut self) -> Option<Effect> {
        let a = self.selected_action()?.clone();
        // Only the statuses this action can move to (verification has its own form).
        let mut statuses = vec![a.status];
        statuses.extend(ActionStatus::ALL.iter().copied().filter(|s| {
            *s != a.status
                && !matches!(s, ActionStatus::Effective | ActionStatus::Ineffective)
                && crate::model::action::check_transition(a.status, *s).is_ok()
        }));
        self.open(Form::new(
            FormKind::UpdateAction { id: a.id.clone() },
            ("Update the corrective action", "更新纠正措施"),
            vec![
                Field::choice(
                    F::Status,
                    "Status",
                    "状态",
                    choices(&statuses, |s| s.as_str(), |s| s.zh()),
                    0,
                ),
                Field::line(F::Progress, "Progress %", "进度 %", &a.progress.to_string()),
                Field::lines(
                    F::CompletionEvidence,
                    "Completion evidence",
                    "完成证据",
                    &a.completion_evidence,
                ),
                Field::line(
                    F::File,
                    "Evidence file, if any (Tab completes)",
                    "证据文件（可选，Tab 补全）",
                    "",
                )
                .path(),
                Field::line(
                    F::Due,
                    "Due (2026-12-31, +30d, +2w)",
                    "期限（2026-12-31、+30d、+2w）",
                    &a.due.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        ))
    }

    pub(crate) fn open_verify_action(&mut self) -> Option<Effect> {
        let a = self.selected_action()?.id.clone();
        let verdict = vec![
            Choice::new("effective", "effective", "有效"),
            Choice::new(
                "ineffective",
                "not effective (reopens the action)",
                "无效（措施重新打开）",
            ),
        ];
        self.open(Form::new(
            FormKind::VerifyAction { id: a },
            ("Verify the corrective action", "验证纠正措施"),
            vec![
                Field::choice(F::Verdict, "Verdict", "结论", verdict, 0),
                Field::lines(F::Note, "What was checked", "验证说明", "").required(),
            ],
        ))
    }
}

/// Add a corrective action to a finding (a due date in the past asks first).
pub(in crate::tui) fn save_add(
    app: &mut App,
    state: &State,
    finding: String,
    values: &Values,
    confirmed: bool,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let due_text = values.get(F::Due);
    let due = if due_text.is_empty() {
        None
    } else {
        match input::parse_due(due_text, app.today()) {
            Ok(d) => Some(d),
            Err(p) => return refused(problem(&p, lang)),
        }
    };
    if let Some(ask) = past_due(due, app.today(), confirmed, lang) {
        return ask;
    }
    let new = NewAction {
        description: values.get(F::Description).into(),
        owner: values.get(F::Owner).into(),
        due,
    };
    match app.add_action(&finding, new) {
        Ok(a) => saved(app, state, &eng, format!("{} {}", lang.pick("Added", "已添加"), a.id)),
        Err(e) => app_refused(e, lang),
    }
}

/// Update an action; a completion evidence file is hashed on a worker.
pub(in crate::tui) fn save_update(app: &mut App, state: &State, id: String, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let status = match values.get(F::Status).parse() {
        Ok(s) => Some(s),
        Err(_) => return refused(lang.pick("choose a status", "请选择状态")),
    };
    let progress = match values.get(F::Progress).trim_end_matches('%').trim().parse::<u8>() {
        Ok(p) => Some(p),
        Err(_) => {
            return refused(problem(&InputProblem::NotANumber(values.get(F::Progress).into()), lang));
        }
    };
    let due = match values.get(F::Due) {
        "" => None,
        t => match input::parse_due(t, app.today()) {
            Ok(d) => Some(d),
            Err(p) => return refused(problem(&p, lang)),
        },
    };
    // A completion evidence file: checked before anything is saved.
    let file = expand_home(values.get(F::File));
    if let Some(f) = &file
        && let Err(e) = crate::app::check_evidence_file(f)
    {
        return app_refused(e, lang);
    }
    let up = ActionUpdate {
        status,
        progress,
        completion_evidence: Some(values.get(F::CompletionEvidence).into()),
        due,
        owner: None,
        description: None,
    };
    match app.update_action(&id, up) {
        Ok(a) => {
            let mut v = saved(
                app,
                state,
                &eng,
                format!("{} {} {}%", a.id, a.status.label(lang.is_zh()), a.progress),
            );
            // The file is hashed and stored on a worker thread, linked
            // to the action's finding with the action named in its note.
            if let Some(file) = file {
                v.push(Input::Start(Box::new(crate::tui::jobs::Job::Evidence {
                    engagement: eng.clone(),
                    evidence_dir: app.evidence_dir(),
                    file,
                    note: format!("{} {}", lang.pick("completion evidence of", "完成证据："), a.id),
                    indicator: None,
                    finding: Some(a.finding.clone()),
                })));
            }
            v
        }
        Err(e) => app_refused(e, lang),
    }
}

/// Verify an action: effective, or not (which reopens it).
pub(in crate::tui) fn save_verify(app: &mut App, state: &State, id: String, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let effective = values.get(F::Verdict) == "effective";
    match app.verify_action(&id, effective, values.get(F::Note)) {
        Ok(a) => saved(app, state, &eng, format!("{} {}", a.id, a.status.label(lang.is_zh()))),
        Err(e) => app_refused(e, lang),
    }
}
