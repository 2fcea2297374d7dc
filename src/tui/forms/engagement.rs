//! Engagements: a new one, the next audit of a programme, progress on the plan.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Choice, Field, FieldId as F, Form, FormKind, Values, choices, yes_no};
use crate::app::{App, NewEngagement};
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::engagement::EngagementKind;
use crate::tui::effects::{app_refused, kind_and_period, refused, saved};
use crate::tui::state::{Effect, Input, Pane, State};
use std::path::Path;

impl State {
    pub(crate) fn open_engagement(&mut self) -> Option<Effect> {
        self.open(Form::new(
            FormKind::Engagement,
            ("New engagement", "新建审核项目"),
            vec![
                Field::line(F::Auditee, "Auditee", "受审核方", "").required(),
                Field::line(F::Site, "Site", "地点", ""),
                Field::choice(
                    F::Kind,
                    "Kind",
                    "类型",
                    choices(EngagementKind::ALL, |k| k.as_str(), |k| k.zh()),
                    2,
                ),
                Field::line(F::From, "Period from (YYYY-MM-DD)", "评价期间起（YYYY-MM-DD）", ""),
                Field::line(F::To, "Period to (YYYY-MM-DD)", "评价期间止（YYYY-MM-DD）", ""),
                Field::line(
                    F::Catalog,
                    "Catalogue file (empty: built-in GB/T 32312)",
                    "指标目录文件（留空：内置 GB/T 32312）",
                    "",
                ),
            ],
        ))
    }

    pub(crate) fn open_follow(&mut self) -> Option<Effect> {
        use crate::model::engagement::EngagementKind as K;
        let prev = if self.pane == Pane::Portfolio {
            self.selected_programme()?.current.clone()
        } else {
            self.data.as_ref()?.engagement.id.clone()
        };
        let kind = self
            .data
            .as_ref()
            .and_then(|d| d.engagements.iter().find(|e| e.id == prev))
            .map(|e| e.kind);
        let next = match kind {
            Some(K::SelfAssessment) => K::Stage1,
            Some(K::Stage1) => K::Stage2,
            Some(K::Stage2) => K::FollowUp,
            _ => K::Surveillance,
        };
        let kinds = [K::Stage1, K::Stage2, K::FollowUp, K::Surveillance, K::Recertification];
        let at = kinds.iter().position(|k| *k == next).unwrap_or(0);
        self.open(Form::new(
            FormKind::Follow { prev: prev.clone() },
            (&format!("Next audit after {prev}"), &format!("{prev} 之后的下一次审核")),
            vec![
                Field::choice(F::Kind, "Kind", "类型", choices(&kinds, |k| k.as_str(), |k| k.zh()), at),
                Field::line(F::Id, "Id (empty: generated)", "编号（留空：自动生成）", ""),
                Field::line(F::From, "Period from (YYYY-MM-DD)", "评价期间起（YYYY-MM-DD）", ""),
                Field::line(F::To, "Period to (YYYY-MM-DD)", "评价期间止（YYYY-MM-DD）", ""),
            ],
        ))
    }

    pub(crate) fn open_milestone(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        if d.milestones.is_empty() {
            let id = d.engagement.id.clone();
            self.error(crate::tui::i18n::Label::NoPlan.t(self.lang).replace("{id}", &id));
            return None;
        }
        let opts: Vec<Choice> = d
            .milestones
            .iter()
            .map(|m| {
                let n = m.id.rsplit('/').next().unwrap_or_default();
                Choice::new(
                    &m.id,
                    &format!("{n} {} ({}%)", m.phase.label(false), m.progress),
                    &format!("{n} {}（{}%）", m.phase.label(true), m.progress),
                )
            })
            .collect();
        let today = d.today;
        let at = d
            .milestones
            .iter()
            .position(|m| m.state(today) != crate::model::plan::MilestoneState::Done)
            .unwrap_or(0);
        let progress = d.milestones[at].progress.to_string();
        self.open(Form::new(
            FormKind::Milestone,
            ("Report progress on the plan", "更新计划进度"),
            vec![
                Field::choice(F::Milestone, "Milestone", "里程碑", opts, at),
                Field::line(F::Progress, "Progress (0–100 %)", "进度（0–100 %）", &progress),
                Field::choice(F::Done, "Done", "已完成", yes_no(false), 0),
                Field::line(F::Note, "Note", "备注", ""),
            ],
        ))
    }
}

/// Create an engagement from its form.
pub(in crate::tui) fn save_engagement(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let (kind, from, to) = match kind_and_period(values, lang) {
        Ok(x) => x,
        Err(refusal) => return refusal,
    };
    let file = values.get(F::Catalog);
    let (catalog, src) = if file.is_empty() {
        (crate::config::embedded_catalog(), EMBEDDED_GBT32312.to_string())
    } else {
        match crate::config::load_catalog_source(Path::new(file)) {
            Ok(loaded) => loaded,
            Err(e) => return refused(e.to_string()),
        }
    };
    let new = NewEngagement {
        id: None,
        title: String::new(),
        auditee: values.get(F::Auditee).into(),
        site: values.get(F::Site).into(),
        kind,
        period_start: from,
        period_end: to,
    };
    match app.create_engagement(new, &catalog, &src) {
        Ok(e) => saved(
            app,
            state,
            &e.id,
            format!("{} {}", lang.pick("Created", "已创建"), e.id),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// Start the next engagement of the programme after `prev`.
pub(in crate::tui) fn save_follow(app: &mut App, state: &State, prev: String, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let (kind, from, to) = match kind_and_period(values, lang) {
        Ok(x) => x,
        Err(refusal) => return refusal,
    };
    let id = values.get(F::Id).trim();
    let new = NewEngagement {
        id: (!id.is_empty()).then(|| id.to_string()),
        title: String::new(),
        auditee: String::new(),
        site: String::new(),
        kind,
        period_start: from,
        period_end: to,
    };
    match app.create_following(&prev, new) {
        Ok(e) => {
            let n = e.carries.len();
            let msg = if lang.is_zh() {
                format!("已创建 {}（接续 {prev}，延续 {n} 个未关闭的发现项）", e.id)
            } else {
                format!("Created {} (follows {prev}, carrying {n} open findings)", e.id)
            };
            saved(app, state, &e.id, msg)
        }
        Err(e) => app_refused(e, lang),
    }
}

/// Report progress on a milestone.
pub(in crate::tui) fn save_milestone(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let _eng = state.data.as_ref().map(|d| d.engagement.id.clone());
    let id = values.get(F::Milestone).to_string();
    let text = values.get(F::Progress).trim().trim_end_matches('%').trim();
    let progress = match text {
        "" => None,
        t => match t.parse::<u8>() {
            Ok(p) => Some(p),
            Err(_) => {
                return refused(if lang.is_zh() {
                    format!("进度是 0–100 的整数，不是“{t}”")
                } else {
                    format!("progress is a whole number 0–100, not “{t}”")
                });
            }
        },
    };
    let done = values.get(F::Done) == "yes";
    let note = Some(values.get(F::Note).trim().to_string()).filter(|n| !n.is_empty());
    let u = crate::app::MilestoneUpdate {
        progress: if done { None } else { progress },
        done_on: done.then(|| app.today()),
        notes: note,
        ..Default::default()
    };
    match app.update_milestone(&id, u) {
        Ok(m) => {
            let eng = m.engagement.clone();
            let st = m.state(app.today()).label(lang.is_zh());
            saved(app, state, &eng, format!("{} {}% {st}", m.id, m.progress))
        }
        Err(e) => app_refused(e, lang),
    }
}
