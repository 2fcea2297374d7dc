//! Saving forms through the app layer. Each form's values become one use
//! case call; a refusal comes back into the form, with nothing saved.

use super::forms::FormKind;
use super::state::{Input, State};
use crate::app::{App, AppError};
use crate::config::Lang;
use crate::model::input::InputProblem;
use std::path::Path;

use super::forms::{FieldId, Values};

/// The open engagement's id (a form that saves into it needs one).
pub(super) fn engagement(state: &State) -> Option<String> {
    state.data.as_ref().map(|d| d.engagement.id.clone())
}

/// A refusal shown in the form.
pub(super) fn refused(message: impl Into<String>) -> Vec<Input> {
    vec![Input::Refused {
        message: message.into(),
        confirm: false,
    }]
}

/// An engagement form's kind and evaluation period, or the refusal to show.
pub(super) fn kind_and_period(
    values: &Values,
    lang: Lang,
) -> Result<
    (
        crate::model::engagement::EngagementKind,
        Option<jiff::civil::Date>,
        Option<jiff::civil::Date>,
    ),
    Vec<Input>,
> {
    let kind = values
        .get(FieldId::Kind)
        .parse()
        .map_err(|_| refused(lang.pick("choose a kind", "请选择类型")))?;
    match (
        optional_date(values.get(FieldId::From), lang),
        optional_date(values.get(FieldId::To), lang),
    ) {
        (Ok(a), Ok(b)) => Ok((kind, a, b)),
        (Err(e), _) | (_, Err(e)) => Err(refused(e)),
    }
}

pub(super) fn app_refused(e: AppError, lang: Lang) -> Vec<Input> {
    refused(e.message().get(lang))
}

pub(super) fn problem(p: &InputProblem, lang: Lang) -> String {
    match (p, lang) {
        (InputProblem::NotANumber(t), Lang::Zh) => format!("“{t}”不是数字"),
        (InputProblem::NotYesNo(t), Lang::Zh) => format!("“{t}”不是“是”或“否”"),
        (InputProblem::OutOfRange { value, min, max }, Lang::Zh) => format!("{value} 超出 {min}–{max} 的范围"),
        (InputProblem::Negative(v), Lang::Zh) => format!("{v} 不能为负数"),
        (InputProblem::NotADate(t), Lang::Zh) => format!("“{t}”不是日期（YYYY-MM-DD、+30d、+2w、+3m）"),
        (p, _) => p.to_string(),
    }
}

pub(super) fn optional_date(text: &str, lang: Lang) -> Result<Option<jiff::civil::Date>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| problem(&InputProblem::NotADate(text.trim().into()), lang))
}

/// A due date already past is asked about once: the refusal to show, unless
/// the user saved the same values again (`confirmed`).
pub(super) fn past_due(
    due: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
    confirmed: bool,
    lang: Lang,
) -> Option<Vec<Input>> {
    let d = due.filter(|d| *d < today && !confirmed)?;
    Some(vec![Input::Refused {
        message: format!(
            "{d} {}",
            lang.pick(
                "is in the past; save again to keep it",
                "已是过去的日期；再次保存即确认"
            )
        ),
        confirm: true,
    }])
}

/// Bring the snapshot up to date and report success (the form closes).
pub(super) fn saved(app: &App, state: &State, engagement: &str, message: String) -> Vec<Input> {
    let mut v = super::refreshed(app, state, engagement);
    v.push(Input::Done(Ok(message)));
    v
}

/// When a measured value and the recorded result disagree (misses the
/// target while conforming, meets it while nonconforming), offer to change
/// the result.
pub(super) fn contradiction(
    ind: &crate::model::catalog::Indicator,
    value: f64,
    result: crate::model::assessment::AssessmentResult,
    lang: Lang,
) -> Option<Input> {
    use crate::model::assessment::AssessmentResult as R;
    let (id, shown) = (&ind.id, ind.unit.format(value, lang.is_zh()));
    let target = ind.target_text(lang.is_zh()).unwrap_or_default();
    let (message, new) = match (ind.meets_target(value), result) {
        (Some(false), R::Conforming) => (
            match lang {
                Lang::Zh => format!("{id} 实测 {shown} 未达目标 {target}，但结论为“符合”。改为“不符合”吗？"),
                Lang::En => format!(
                    "{id} measures {shown}, missing its target {target}, but is recorded conforming. Record it as nonconforming?"
                ),
            },
            R::Nonconforming,
        ),
        (Some(true), R::Nonconforming) => (
            match lang {
                Lang::Zh => format!("{id} 实测 {shown} 已达目标 {target}，但结论为“不符合”。改为“符合”吗？"),
                Lang::En => format!(
                    "{id} measures {shown}, meeting its target {target}, but is recorded nonconforming. Record it as conforming?"
                ),
            },
            R::Conforming,
        ),
        _ => return None,
    };
    Some(Input::Ask {
        message,
        effect: crate::tui::state::Effect::Assess {
            indicator: id.clone(),
            result: new,
        },
    })
}

/// An existing file is replaced only when the user saves the same values
/// again: the first save asks.
pub(super) fn ask_to_replace(path: &Path, confirmed: bool, lang: Lang) -> Option<Vec<Input>> {
    // A folder is written into, under the file's own name: not replaced.
    (!confirmed && path.is_file()).then(|| {
        vec![Input::Refused {
            message: format!(
                "{} {}",
                crate::text::visible(&path.display().to_string()),
                lang.pick("exists; save again to replace it", "已存在；再次保存将覆盖")
            ),
            confirm: true,
        }]
    })
}

/// A typed path, `~/` meaning the home folder as in a shell (every path
/// field of every form goes through here); `None` when empty.
pub(super) fn expand_home(raw: &str) -> Option<std::path::PathBuf> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Some(match (raw.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => Path::new(raw).to_path_buf(),
    })
}

/// Sync with every remote, as a job (with none, say how to add one).
pub(super) fn start_sync(app: &App, state: &State) -> Vec<Input> {
    let lang = state.lang;
    match app.remotes() {
        Ok(r) if r.is_empty() => vec![Input::Done(Err(lang
            .pick(
                "no remote yet: add the team's git repository with `cscaudit remote add NAME URL` (a bare repository on a share, an ssh host, GitLab/Gitea)",
                "尚无远程仓库：请用 `cscaudit remote add 名称 地址` 添加团队的 git 仓库（共享盘上的裸仓库、ssh 主机、GitLab/Gitea）",
            )
            .into()))],
        Ok(_) => vec![Input::Start(Box::new(crate::tui::jobs::Job::Sync))],
        Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
    }
}

/// Save a submitted form: each form's save is in its module (tui/forms/).
pub fn submit(app: &mut App, state: &State, kind: FormKind, values: Values, confirmed: bool) -> Vec<Input> {
    use super::forms as f;
    let v = &values;
    match kind {
        FormKind::Identity => f::save_identity(app, state, v),
        FormKind::Engagement => f::save_engagement(app, state, v),
        FormKind::Follow { prev } => f::save_follow(app, state, prev, v),
        FormKind::Member => f::save_member(app, state, v),
        FormKind::Milestone => f::save_milestone(app, state, v),
        FormKind::TestCall => f::save_test_call(app, state, v),
        FormKind::QaScore => f::save_qa_score(app, state, v),
        FormKind::QaReconcile => f::save_qa_reconcile(app, state, v),
        FormKind::RaiseFinding { indicator } => f::save_raise(app, state, indicator, v),
        FormKind::AddRequest => f::save_add_request(app, state, v, confirmed),
        FormKind::SendRequests if state.job.is_some() => refused(crate::tui::i18n::Label::Busy.t(state.lang)),
        FormKind::SendRequests => f::save_send_requests(app, state, v),
        FormKind::AnswerRequest { number } => f::save_answer_request(app, state, &number, v),
        FormKind::JudgeRequest { number } => f::save_judge_request(app, state, &number, v),
        FormKind::Move { reference, kind } => f::save_move(app, state, reference, kind, v),
        FormKind::EditFinding { opened } => f::save_edit(app, state, opened, v),
        FormKind::AddAction { finding } => f::save_add(app, state, finding, v, confirmed),
        FormKind::UpdateAction { id } => f::save_update(app, state, id, v),
        FormKind::VerifyAction { id } => f::save_verify(app, state, id, v),
        FormKind::Measured { indicator } => f::save_measured(app, state, indicator, v),
        FormKind::Notes { indicator, opened } => f::save_notes(app, state, indicator, opened, v),
        FormKind::Evidence { indicator } => f::save_evidence(app, state, indicator, v),
        FormKind::ExportEvidence { sha256 } => f::save_export_evidence(app, state, sha256, v, confirmed),
        FormKind::Assign { indicators } => f::save_assign(app, state, indicators, v),
        // Refused in the form (nothing typed is lost) while another job runs.
        FormKind::ExportBundle | FormKind::ImportBundle if state.job.is_some() => {
            refused(crate::tui::i18n::Label::Busy.t(state.lang))
        }
        FormKind::ExportBundle => f::save_export(app, state, v, confirmed),
        FormKind::ImportBundle => f::save_import(app, state, v),
    }
}
