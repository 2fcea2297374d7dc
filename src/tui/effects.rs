//! Saving forms through the app layer. Each form's values become one use
//! case call; a refusal comes back into the form, with nothing saved.

use super::forms::FormKind;
use super::state::{Input, State};
use crate::app::{
    ActionUpdate, App, AppError, AssessmentInput, FindingMove, MoveKind, MoveText, NewAction, NewEngagement, NewFinding,
};
use crate::config::Lang;
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::input::{self, InputProblem};
use std::path::Path;

type Values = Vec<(&'static str, String)>;

fn get<'a>(values: &'a Values, name: &str) -> &'a str {
    values.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
}

/// A refusal shown in the form.
fn refused(message: impl Into<String>) -> Vec<Input> {
    vec![Input::Refused {
        message: message.into(),
        confirm: false,
    }]
}

/// An engagement form's kind and evaluation period, or the refusal to show.
fn kind_and_period(
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
    let kind = get(values, "kind")
        .parse()
        .map_err(|_| refused(lang.pick("choose a kind", "请选择类型")))?;
    match (
        optional_date(get(values, "from"), lang),
        optional_date(get(values, "to"), lang),
    ) {
        (Ok(a), Ok(b)) => Ok((kind, a, b)),
        (Err(e), _) | (_, Err(e)) => Err(refused(e)),
    }
}

fn app_refused(e: AppError, lang: Lang) -> Vec<Input> {
    refused(e.message().get(lang))
}

fn problem(p: &InputProblem, lang: Lang) -> String {
    match (p, lang) {
        (InputProblem::NotANumber(t), Lang::Zh) => format!("“{t}”不是数字"),
        (InputProblem::NotYesNo(t), Lang::Zh) => format!("“{t}”不是“是”或“否”"),
        (InputProblem::OutOfRange { value, min, max }, Lang::Zh) => format!("{value} 超出 {min}–{max} 的范围"),
        (InputProblem::Negative(v), Lang::Zh) => format!("{v} 不能为负数"),
        (InputProblem::NotADate(t), Lang::Zh) => format!("“{t}”不是日期（YYYY-MM-DD、+30d、+2w、+3m）"),
        (p, _) => p.to_string(),
    }
}

fn optional_date(text: &str, lang: Lang) -> Result<Option<jiff::civil::Date>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| problem(&InputProblem::NotADate(text.trim().into()), lang))
}

/// Bring the snapshot up to date and report success (the form closes).
fn saved(app: &App, state: &State, engagement: &str, message: String) -> Vec<Input> {
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
fn ask_to_replace(path: &Path, confirmed: bool, lang: Lang) -> Option<Vec<Input>> {
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
fn expand_home(raw: &str) -> Option<std::path::PathBuf> {
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

/// Save a submitted form.
pub fn submit(app: &mut App, state: &State, kind: FormKind, values: Values, confirmed: bool) -> Vec<Input> {
    let lang = state.lang;
    let eng = state.data.as_ref().map(|d| d.engagement.id.clone());
    let say = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    match kind {
        FormKind::Identity => {
            // The key first: one that cannot be used changes nothing.
            let key = expand_home(get(&values, "key"));
            if let Err(e) = app.set_identity_key(key.as_deref()) {
                return app_refused(e, lang);
            }
            if let Err(e) = app.set_identity(get(&values, "actor"), get(&values, "name"), get(&values, "initials")) {
                return app_refused(e, lang);
            }
            if let Err(e) = app.set_certificate(Some(get(&values, "certificate"))) {
                return app_refused(e, lang);
            }
            // The confirmation first (it closes this form), then the next step.
            vec![
                Input::Done(Ok(format!("{} {}", say("You are", "您的身份："), app.identity().name))),
                Input::IdentitySet(true),
            ]
        }
        FormKind::Engagement => {
            let (kind, from, to) = match kind_and_period(&values, lang) {
                Ok(x) => x,
                Err(refusal) => return refusal,
            };
            let file = get(&values, "catalog");
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
                auditee: get(&values, "auditee").into(),
                site: get(&values, "site").into(),
                kind,
                period_start: from,
                period_end: to,
            };
            match app.create_engagement(new, &catalog, &src) {
                Ok(e) => saved(app, state, &e.id, format!("{} {}", say("Created", "已创建"), e.id)),
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::Milestone => {
            let id = get(&values, "milestone").to_string();
            let text = get(&values, "progress").trim().trim_end_matches('%').trim();
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
            let done = get(&values, "done") == "yes";
            let note = Some(get(&values, "note").trim().to_string()).filter(|n| !n.is_empty());
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
        FormKind::Follow { prev } => {
            let (kind, from, to) = match kind_and_period(&values, lang) {
                Ok(x) => x,
                Err(refusal) => return refusal,
            };
            let id = get(&values, "id").trim();
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
        FormKind::Member => {
            let Some(eng) = eng else { return vec![] };
            let role = match get(&values, "role").parse() {
                Ok(r) => r,
                Err(_) => return refused(say("choose a role", "请选择角色")),
            };
            let cert = Some(get(&values, "certificate")).filter(|c| !c.is_empty());
            // A .pub file, or the key's line pasted in.
            let key = match get(&values, "key").trim() {
                "" => None,
                k if k.starts_with("ssh-") => Some(k.to_string()),
                k => match expand_home(k).map(|p| crate::crypto::sign::read_public(&p)) {
                    Some(Ok(pk)) => Some(crate::crypto::sign::openssh_text(&pk)),
                    Some(Err(why)) => return refused(crate::text::visible(&why).into_owned()),
                    None => None,
                },
            };
            match app.add_member_keyed(
                &eng,
                get(&values, "actor"),
                get(&values, "name"),
                get(&values, "initials"),
                role,
                cert,
                key.as_deref(),
            ) {
                Ok(m) => saved(
                    app,
                    state,
                    &eng,
                    format!("{} {}", say("Team member:", "审核组成员："), m.name),
                ),
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::RaiseFinding { indicator } => {
            let Some(eng) = eng else { return vec![] };
            let grade = match get(&values, "grade").parse() {
                Ok(g) => g,
                Err(_) => return refused(say("choose a grade", "请选择等级")),
            };
            let new = NewFinding {
                grade,
                title: get(&values, "title").into(),
                statement: get(&values, "statement").into(),
                criterion: get(&values, "criterion").into(),
                indicators: indicator.into_iter().collect(),
                evidence_note: get(&values, "evidence_note").into(),
                issue: get(&values, "issue") == "yes",
            };
            match app.raise_finding(&eng, new) {
                Ok(f) => saved(app, state, &eng, format!("{} {}", say("Raised", "已提出"), f.reference)),
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::Move { reference, kind } => {
            let Some(eng) = eng else { return vec![] };
            let reason = get(&values, "reason").to_string();
            let step = match kind {
                MoveKind::Issue => FindingMove::Issue,
                MoveKind::Respond => FindingMove::Respond {
                    root_cause: get(&values, "root_cause").into(),
                    correction: get(&values, "correction").into(),
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
        FormKind::AddAction { finding } => {
            let Some(eng) = eng else { return vec![] };
            let due_text = get(&values, "due");
            let due = if due_text.is_empty() {
                None
            } else {
                match input::parse_due(due_text, app.today()) {
                    Ok(d) => Some(d),
                    Err(p) => return refused(problem(&p, lang)),
                }
            };
            if let Some(d) = due
                && d < app.today()
                && !confirmed
            {
                return vec![Input::Refused {
                    message: format!(
                        "{d} {}",
                        say(
                            "is in the past; save again to keep it",
                            "已是过去的日期；再次保存即确认"
                        )
                    ),
                    confirm: true,
                }];
            }
            let new = NewAction {
                description: get(&values, "description").into(),
                owner: get(&values, "owner").into(),
                due,
            };
            match app.add_action(&finding, new) {
                Ok(a) => saved(app, state, &eng, format!("{} {}", say("Added", "已添加"), a.id)),
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::UpdateAction { id } => {
            let Some(eng) = eng else { return vec![] };
            let status = match get(&values, "status").parse() {
                Ok(s) => Some(s),
                Err(_) => return refused(say("choose a status", "请选择状态")),
            };
            let progress = match get(&values, "progress").trim_end_matches('%').trim().parse::<u8>() {
                Ok(p) => Some(p),
                Err(_) => {
                    return refused(problem(
                        &InputProblem::NotANumber(get(&values, "progress").into()),
                        lang,
                    ));
                }
            };
            let due = match get(&values, "due") {
                "" => None,
                t => match input::parse_due(t, app.today()) {
                    Ok(d) => Some(d),
                    Err(p) => return refused(problem(&p, lang)),
                },
            };
            // A completion evidence file: checked before anything is saved.
            let file = expand_home(get(&values, "file"));
            if let Some(f) = &file
                && let Err(e) = crate::app::check_evidence_file(f)
            {
                return app_refused(e, lang);
            }
            let up = ActionUpdate {
                status,
                progress,
                completion_evidence: Some(get(&values, "completion_evidence").into()),
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
                            note: format!("{} {}", say("completion evidence of", "完成证据："), a.id),
                            indicator: None,
                            finding: Some(a.finding.clone()),
                        })));
                    }
                    v
                }
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::VerifyAction { id } => {
            let Some(eng) = eng else { return vec![] };
            let effective = get(&values, "verdict") == "effective";
            match app.verify_action(&id, effective, get(&values, "note")) {
                Ok(a) => saved(app, state, &eng, format!("{} {}", a.id, a.status.label(lang.is_zh()))),
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::Measured { indicator } => {
            let Some(d) = state.data.as_ref() else { return vec![] };
            let Some(ind) = d.catalog.indicator(&indicator) else {
                return vec![];
            };
            let value = match input::parse_measured(ind, get(&values, "value"), d.catalog.score_scale) {
                Ok(v) => v,
                Err(p) => return refused(problem(&p, lang)),
            };
            let method = Some(get(&values, "method").to_string()).filter(|m| !m.is_empty());
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
        FormKind::Evidence { indicator } => {
            let Some(eng) = eng else { return vec![] };
            let Some(path) = expand_home(get(&values, "path")) else {
                return vec![];
            };
            // What can be checked at once is refused in the form; the file is
            // then streamed and hashed on a worker thread (tui/jobs.rs).
            if let Err(e) = crate::app::check_evidence_file(&path) {
                return app_refused(e, lang);
            }
            vec![
                Input::Done(Ok(say("Attaching…", "正在添加……").to_string())),
                Input::Start(Box::new(crate::tui::jobs::Job::Evidence {
                    engagement: eng,
                    evidence_dir: app.evidence_dir(),
                    file: path,
                    note: get(&values, "note").to_string(),
                    indicator: Some(indicator),
                    finding: None,
                })),
            ]
        }
        FormKind::ExportBundle | FormKind::ImportBundle if state.job.is_some() => {
            // Refused in the form (nothing typed is lost) while another job runs.
            refused(crate::tui::i18n::Label::Busy.t(lang))
        }
        FormKind::ExportBundle => {
            if eng.is_none() {
                return vec![];
            }
            let eng = eng.clone();
            let Some(path) = expand_home(get(&values, "path")) else {
                return vec![];
            };
            if let Some(ask) = ask_to_replace(&path, confirmed, lang) {
                return ask;
            }
            // A job: the form closes and the screen answers keys meanwhile.
            vec![
                Input::Done(Ok(say("Exporting… (T: tasks)", "正在导出……（T：任务）").into())),
                Input::Start(Box::new(crate::tui::jobs::Job::Export {
                    engagement: eng.unwrap_or_default(),
                    path,
                    no_evidence: get(&values, "evidence") == "no",
                    lang,
                })),
            ]
        }
        FormKind::ImportBundle => {
            let Some(path) = expand_home(get(&values, "path")) else {
                return vec![];
            };
            if !path.is_file() {
                let p = crate::text::visible(&path.display().to_string()).into_owned();
                return refused(match lang {
                    Lang::Zh => format!("{p} 不是文件"),
                    Lang::En => format!("{p} is not a file"),
                });
            }
            let passphrase = Some(get(&values, "passphrase"))
                .filter(|p| !p.is_empty())
                .map(|p| age::secrecy::SecretString::from(p.to_string()));
            vec![
                Input::Done(Ok(say("Importing… (T: tasks)", "正在导入……（T：任务）").into())),
                Input::Start(Box::new(crate::tui::jobs::Job::Import { path, passphrase })),
            ]
        }
        FormKind::EditFinding { opened } => {
            let Some(eng) = eng else { return vec![] };
            let changes: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            match app.edit_finding_since(&opened.entity, &changes, &opened) {
                Ok(f) => saved(app, state, &eng, format!("{} {}", f.reference, say("saved", "已保存"))),
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
        FormKind::Assign { indicators } => {
            let Some(eng) = eng else { return vec![] };
            let who = get(&values, "assignee");
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
        FormKind::ExportEvidence { sha256 } => {
            let Some(eng) = eng else { return vec![] };
            let Some(path) = expand_home(get(&values, "path")) else {
                return vec![];
            };
            if let Some(ask) = ask_to_replace(&path, confirmed, lang) {
                return ask;
            }
            match app.export_evidence(&eng, &sha256, &path, confirmed) {
                Ok(p) => vec![Input::Done(Ok(format!(
                    "{} {}",
                    say("Written to", "已导出到"),
                    crate::text::visible(&p.display().to_string())
                )))],
                Err(e) => app_refused(e, lang),
            }
        }
        FormKind::Notes { indicator, opened } => {
            let Some(eng) = eng else { return vec![] };
            match app.record_notes_since(&eng, &indicator, get(&values, "notes"), &opened) {
                Ok(_) => saved(
                    app,
                    state,
                    &eng,
                    format!("{indicator}: {}", say("notes saved", "备注已保存")),
                ),
                Err(crate::app::AppError::Changed { message, theirs }) => vec![Input::Stale {
                    message: message.get(lang).to_string(),
                    theirs,
                    finding: None,
                }],
                Err(e) => app_refused(e, lang),
            }
        }
    }
}
