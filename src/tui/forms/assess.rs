//! The checklist's forms: measured value, notes, evidence, assignment.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Choice, Field, FieldId as F, Form, FormKind, Values};
use crate::app::{App, AssessmentInput};
use crate::config::Lang;
use crate::model::engagement::Role;
use crate::model::input::{self};
use crate::tui::effects::{
    app_refused, ask_to_replace, contradiction, engagement, expand_home, problem, refused, saved,
};
use crate::tui::state::{Effect, Input, Pane, Popup, State};

impl State {
    pub(crate) fn open_measured(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let ind = d.catalog.indicator(self.selected_indicator()?)?;
        let zh = self.lang.is_zh();
        let current = d
            .assessments
            .get(&ind.id)
            .and_then(|a| a.measured)
            .map(|m| {
                if ind.unit == crate::model::catalog::Unit::YesNo {
                    ind.unit.format(m, zh)
                } else {
                    format!("{m}")
                }
            })
            .unwrap_or_default();
        let label_en: &'static str = match ind.unit {
            crate::model::catalog::Unit::Percent => "Measured value (0–100 %)",
            crate::model::catalog::Unit::YesNo => "Measured value (yes / no)",
            crate::model::catalog::Unit::Seconds => "Measured value (seconds)",
            _ => "Measured value",
        };
        let label_zh: &'static str = match ind.unit {
            crate::model::catalog::Unit::Percent => "实测值（0–100 %）",
            crate::model::catalog::Unit::YesNo => "实测值（是 / 否）",
            crate::model::catalog::Unit::Seconds => "实测值（秒）",
            _ => "实测值",
        };
        let title = (
            format!("{} · {}", ind.id, ind.name(false)),
            format!("{} · {}", ind.id, ind.name(true)),
        );
        let method = d.assessments.get(&ind.id).map(|a| a.method.clone()).unwrap_or_default();
        let mut form = Form::new(
            FormKind::Measured {
                indicator: ind.id.clone(),
            },
            (&title.0, &title.1),
            vec![
                Field::line(F::Value, label_en, label_zh, &current).required(),
                Field::line(F::Method, "Method", "方法", &method),
            ],
        );
        form.focus = 0;
        self.open(form)
    }

    pub(crate) fn open_notes(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let ind = d.catalog.indicator(self.selected_indicator()?)?;
        let notes = d.assessments.get(&ind.id).map(|a| a.notes.clone()).unwrap_or_default();
        let title = (format!("{} · notes", ind.id), format!("{} · 备注", ind.id));
        self.open(Form::new(
            FormKind::Notes {
                indicator: ind.id.clone(),
                opened: notes.clone(),
            },
            (&title.0, &title.1),
            vec![Field::lines(F::Notes, "Notes", "备注", &notes)],
        ))
    }

    pub(crate) fn open_evidence(&mut self) -> Option<Effect> {
        let ind = self.selected_indicator()?.to_string();
        let title = (format!("{ind} · attach evidence"), format!("{ind} · 添加证据"));
        self.open(Form::new(
            FormKind::Evidence { indicator: ind },
            (&title.0, &title.1),
            vec![
                Field::line(F::Path, "File path (Tab completes)", "文件路径（Tab 补全）", "")
                    .required()
                    .path(),
                Field::line(F::Note, "Note", "说明", ""),
            ],
        ))
    }

    pub(crate) fn choose_evidence(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let shas: Vec<String> = match self.pane {
            Pane::Checklist => self
                .selected_indicator()
                .and_then(|i| d.assessments.get(i))
                .map(|a| a.evidence.clone())
                .unwrap_or_default(),
            Pane::Findings => self.selected_finding().map(|f| f.evidence.clone()).unwrap_or_default(),
            _ => Vec::new(),
        };
        let items: Vec<(String, String)> = shas
            .into_iter()
            .map(|sha| {
                let name = d.evidence.get(&sha).map(|e| e.name.clone()).unwrap_or_default();
                (sha, name)
            })
            .collect();
        if items.is_empty() {
            self.say(crate::tui::i18n::Label::NoEvidence.t(self.lang));
            return None;
        }
        self.popup = Some(Popup::Evidence { items, selected: 0 });
        None
    }

    pub(crate) fn open_export_evidence(&mut self, sha256: String, name: &str) -> Option<Effect> {
        let title = (format!("write out {name}"), format!("导出 {name}"));
        let file = std::path::Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.open(Form::new(
            FormKind::ExportEvidence { sha256 },
            (&title.0, &title.1),
            vec![
                Field::line(
                    F::Path,
                    "Write to (Tab completes)",
                    "导出到（Tab 补全）",
                    &format!("./{file}"),
                )
                .required()
                .path(),
            ],
        ))
    }

    pub(crate) fn open_assign(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let indicators: Vec<String> = if self.checklist.marked.is_empty() {
            vec![self.selected_indicator()?.to_string()]
        } else {
            self.checklist.marked.iter().cloned().collect()
        };
        let mut options = vec![Choice::new("", "nobody", "不分配")];
        options.extend(
            d.team
                .iter()
                .filter(|m| m.role.is_auditor() || m.role == Role::TechnicalExpert)
                .map(|m| {
                    let label = format!("{} {}", m.actor, m.name);
                    Choice::new(&m.actor, &label, &label)
                }),
        );
        let n = indicators.len();
        let title = if n == 1 {
            (
                format!("{} · assign", indicators[0]),
                format!("{} · 分配", indicators[0]),
            )
        } else {
            (format!("assign {n} indicators"), format!("分配 {n} 个指标"))
        };
        let current = d
            .assessments
            .get(&indicators[0])
            .and_then(|a| a.assignee.as_deref())
            .and_then(|a| options.iter().position(|c| c.value == a))
            .unwrap_or(0);
        self.open(Form::new(
            FormKind::Assign { indicators },
            (&title.0, &title.1),
            vec![Field::choice(F::Assignee, "Assignee", "负责人", options, current)],
        ))
    }
}

/// Record a measured value (and offer to change a contradicting result).
pub(in crate::tui) fn save_measured(app: &mut App, state: &State, indicator: String, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(d) = state.data.as_ref() else { return vec![] };
    let Some(ind) = d.catalog.indicator(&indicator) else {
        return vec![];
    };
    let value = match input::parse_measured(ind, values.get(F::Value), d.catalog.score_scale) {
        Ok(v) => v,
        Err(p) => return refused(problem(&p, lang)),
    };
    let method = Some(values.get(F::Method).to_string()).filter(|m| !m.is_empty());
    let input = AssessmentInput {
        measured: Some(value),
        method,
        ..Default::default()
    };
    match app.record_assessment(&d.engagement.id, &indicator, input) {
        Ok(a) => {
            let msg = format!("{indicator} = {}", ind.unit.format(value, lang.is_zh()));
            let mut v = saved(app, state, &d.engagement.id, msg);
            v.extend(contradiction(ind, value, a.result, lang));
            v
        }
        Err(e) => app_refused(e, lang),
    }
}

/// Save an indicator's notes, never over a teammate's change made since.
pub(in crate::tui) fn save_notes(
    app: &mut App,
    state: &State,
    indicator: String,
    opened: String,
    values: &Values,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    match app.record_notes_since(&eng, &indicator, values.get(F::Notes), &opened) {
        Ok(_) => saved(
            app,
            state,
            &eng,
            format!("{indicator}: {}", lang.pick("notes saved", "备注已保存")),
        ),
        Err(crate::app::AppError::Changed { message, theirs }) => vec![Input::Stale {
            message: message.get(lang).to_string(),
            theirs,
            finding: None,
        }],
        Err(e) => app_refused(e, lang),
    }
}

/// Attach an evidence file: checked now, hashed on a worker.
pub(in crate::tui) fn save_evidence(app: &mut App, state: &State, indicator: String, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Some(path) = expand_home(values.get(F::Path)) else {
        return vec![];
    };
    // What can be checked at once is refused in the form; the file is
    // then streamed and hashed on a worker thread (tui/jobs.rs).
    if let Err(e) = crate::app::check_evidence_file(&path) {
        return app_refused(e, lang);
    }
    vec![
        Input::Done(Ok(lang.pick("Attaching…", "正在添加……").to_string())),
        Input::Start(Box::new(crate::tui::jobs::Job::Evidence {
            engagement: eng,
            evidence_dir: app.evidence_dir(),
            file: path,
            note: values.get(F::Note).to_string(),
            indicator: Some(indicator),
            finding: None,
        })),
    ]
}

/// Write an evidence file out (an existing file is replaced only when asked twice).
pub(in crate::tui) fn save_export_evidence(
    app: &mut App,
    state: &State,
    sha256: String,
    values: &Values,
    confirmed: bool,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Some(path) = expand_home(values.get(F::Path)) else {
        return vec![];
    };
    if let Some(ask) = ask_to_replace(&path, confirmed, lang) {
        return ask;
    }
    match app.export_evidence(&eng, &sha256, &path, confirmed) {
        Ok(p) => vec![Input::Done(Ok(format!(
            "{} {}",
            lang.pick("Written to", "已导出到"),
            crate::text::visible(&p.display().to_string())
        )))],
        Err(e) => app_refused(e, lang),
    }
}

/// Assign the indicators to a member (or to nobody).
pub(in crate::tui) fn save_assign(
    app: &mut App,
    state: &State,
    indicators: Vec<String>,
    values: &Values,
) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let who = values.get(F::Assignee);
    let assignee = (!who.is_empty()).then_some(who);
    match app.assign_indicators(&eng, &indicators, assignee) {
        Ok(n) => {
            let mut v = vec![Input::AssignedMarks];
            v.extend(saved(
                app,
                state,
                &eng,
                match lang {
                    Lang::Zh => format!("已分配 {n} 个指标给 {}", assignee.unwrap_or("（无人）")),
                    Lang::En => format!("{n} assigned to {}", assignee.unwrap_or("nobody")),
                },
            ));
            v
        }
        Err(e) => app_refused(e, lang),
    }
}
