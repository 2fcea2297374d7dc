//! Evidence requests from the requests view (`r`): draft one (`a`), send
//! the drafts to the auditee (`s`, a job: an encrypted bundle and the list),
//! and Enter on an item does what is yours to do with it: its addressee
//! answers it with a file, an auditor judges the answer (accept, return
//! with a comment, close) or reopens a closed one. The same use cases as
//! `cscaudit request add|send|answer|accept|return|close|reopen`.

use super::{Choice, Field, FieldId as F, Form, FormKind, Values};
use crate::app::App;
use crate::app::request::NewRequest;
use crate::model::request::{Request, RequestStatus};
use crate::tui::effects::{app_refused, engagement, expand_home, past_due, problem, refused, saved};
use crate::tui::i18n::Label;
use crate::tui::state::{Effect, Input, State};

/// The auditee's contacts on the team, as choices (the first is the default).
fn contacts(state: &State) -> Vec<Choice> {
    let Some(d) = state.data.as_ref() else {
        return Vec::new();
    };
    d.team
        .iter()
        .filter(|m| m.role == crate::model::engagement::Role::AuditeeContact && !m.has_left())
        .map(|m| {
            let shown = format!("{} {}", m.actor, m.name);
            Choice::new(&m.actor, &shown, &shown)
        })
        .collect()
}

impl State {
    /// The request selected in the requests view.
    fn selected_request(&self) -> Option<&Request> {
        let Some(crate::tui::state::Popup::Requests { selected }) = &self.popup else {
            return None;
        };
        self.data.as_ref()?.requests.get(*selected)
    }

    /// Whether I am the lead or an auditor of the open engagement.
    pub(crate) fn i_audit(&self) -> bool {
        self.data.as_ref().is_some_and(|d| {
            d.team
                .iter()
                .any(|m| m.actor == d.me && !m.has_left() && m.role.is_auditor())
        })
    }

    /// The contacts a request can go to, when drafting and sending are
    /// yours (an auditor's) and there is one; else why not, said.
    fn contacts_to_ask(&mut self) -> Option<Vec<Choice>> {
        let why = if !self.i_audit() {
            Label::RequestsAuditorsOnly
        } else {
            let to = contacts(self);
            if !to.is_empty() {
                return Some(to);
            }
            Label::NoAuditeeContact
        };
        self.error(why.t(self.lang).to_string());
        None
    }

    /// `a` in the requests view: draft a request to the auditee.
    pub(crate) fn open_add_request(&mut self) -> Option<Effect> {
        let to = self.contacts_to_ask()?;
        let indicator = match &self.checklist.selected {
            Some(crate::tui::state::Row::Indicator(id)) => id.clone(),
            _ => String::new(),
        };
        self.open(Form::new(
            FormKind::AddRequest,
            ("Draft an evidence request", "起草资料请求"),
            vec![
                Field::line(F::Note, "What to send", "需提供的资料", "").required(),
                Field::line(F::Id, "Indicator (optional)", "指标（可选）", &indicator),
                Field::line(
                    F::To,
                    "Due (2026-12-31, +30d, +2w; optional)",
                    "期限（2026-12-31、+30d、+2w；可选）",
                    "",
                ),
                Field::choice(F::Assignee, "To", "发给", to, 0),
            ],
        ))
    }

    /// `s` in the requests view: send the drafts (and what is open) to a contact.
    pub(crate) fn open_send_requests(&mut self) -> Option<Effect> {
        let to = self.contacts_to_ask()?;
        let d = self.data.as_ref()?;
        let folder = format!("./requests-{}-{}", d.engagement.id, d.today.strftime("%Y%m%d"));
        self.open(Form::new(
            FormKind::SendRequests,
            ("Send the requests to the auditee", "向受审核方发出资料请求"),
            vec![
                Field::line(
                    F::Path,
                    "Into the folder (Tab completes)",
                    "写入文件夹（Tab 补全）",
                    &folder,
                )
                .required()
                .path(),
                Field::choice(F::Assignee, "To", "发给", to, 0),
            ],
        ))
    }

    /// Enter in the requests view: what is yours to do with the item.
    pub(crate) fn open_request_item(&mut self) -> Option<Effect> {
        let lang = self.lang;
        let r = self.selected_request()?.clone();
        let me = self.data.as_ref()?.me.clone();
        // What is asked (and answered, or why it came back), under the fields.
        // One line each, joined with " · " (the hint shows no line breaks).
        let mut about = r.text.clone();
        if let Some(due) = r.due {
            about.push_str(&format!(" · {} {due}", lang.pick("due", "期限")));
        }
        if !r.answer.is_empty() {
            about.push_str(&format!(" · {} {}", lang.pick("Answer:", "答复："), r.answer));
        }
        if !r.evidence.is_empty() {
            let names: Vec<String> = self
                .data
                .as_ref()
                .map(|d| {
                    r.evidence
                        .iter()
                        .map(|sha| {
                            d.evidence
                                .get(sha)
                                .map(|e| e.name.clone())
                                .unwrap_or_else(|| crate::text::head(sha, 12).to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            about.push_str(&format!(" · {} {}", lang.pick("Files:", "文件："), names.join(", ")));
        }
        // The auditors' word: why it was returned, or reopened.
        if !r.comment.is_empty() {
            about.push_str(&format!(" · {} {}", lang.pick("Auditors:", "审核组意见："), r.comment));
        }
        let with_about = |mut f: Form| {
            f.about = Some(about.clone());
            f
        };
        if r.addressee == me && r.status.awaits_auditee() {
            return self.open(with_about(Form::new(
                FormKind::AnswerRequest {
                    number: r.number.clone(),
                },
                (
                    &format!("Answer {} (its files become evidence)", r.number),
                    &format!("答复 {}（所附文件成为证据）", r.number),
                ),
                vec![
                    Field::line(F::Path, "File (Tab completes)", "文件（Tab 补全）", "").path(),
                    Field::line(F::Note, "Answer", "答复说明", &r.answer),
                ],
            )));
        }
        if !self.i_audit() {
            self.error(
                if r.addressee == me && r.status == RequestStatus::Submitted {
                    lang.pick(
                        "Answered: the auditors judge it next (accept or return it)",
                        "已答复：接下来由审核组审阅（接受或退回）",
                    )
                } else {
                    lang.pick(
                        "Nothing here is yours to do: its addressee answers it, an auditor judges the answer",
                        "这里没有你要做的事：由收件人答复，由审核员审阅",
                    )
                }
                .to_string(),
            );
            return None;
        }
        use RequestStatus::*;
        let moves: &[RequestStatus] = match r.status {
            Submitted => &[Accepted, Returned, Closed],
            Accepted => &[Closed, Returned],
            Open | Returned | Draft => &[Closed],
            Closed => &[Open],
        };
        let verdicts: Vec<Choice> = moves
            .iter()
            .map(|m| {
                let (en, zh) = match m {
                    Accepted => ("accept the answer", "接受答复"),
                    Returned => ("return it (say why)", "退回（说明原因）"),
                    Closed => ("close it", "关闭"),
                    Open => ("reopen it", "重新打开"),
                    _ => (m.as_str(), m.zh()),
                };
                Choice::new(m.as_str(), en, zh)
            })
            .collect();
        self.open(with_about(Form::new(
            FormKind::JudgeRequest {
                number: r.number.clone(),
            },
            (
                &format!("{} · {}", r.number, r.status.label(false)),
                &format!("{} · {}", r.number, r.status.zh()),
            ),
            vec![
                Field::choice(F::Verdict, "Do", "操作", verdicts, 0),
                Field::line(F::Note, "Comment (needed to return it)", "意见（退回时必填）", ""),
            ],
        )))
    }
}

/// Draft the request through the app layer.
pub(in crate::tui) fn save_add_request(app: &mut App, state: &State, values: &Values, confirmed: bool) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Some(today) = state.data.as_ref().map(|d| d.today) else {
        return vec![];
    };
    let due = match values.get(F::To).trim() {
        "" => None,
        t => match crate::model::input::parse_due(t, today) {
            Ok(d) => Some(d),
            Err(p) => return refused(problem(&p, lang)),
        },
    };
    if let Some(ask) = past_due(due, today, confirmed, lang) {
        return ask;
    }
    let indicator = values.get(F::Id).trim();
    let new = NewRequest {
        indicator: (!indicator.is_empty()).then(|| indicator.to_string()),
        text: values.get(F::Note).trim().to_string(),
        due,
        addressee: Some(values.get(F::Assignee).to_string()).filter(|a| !a.is_empty()),
    };
    match app.add_request(&eng, new) {
        Ok(r) => saved(
            app,
            state,
            &eng,
            format!("{} {}", lang.pick("Drafted", "已起草"), r.number),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// Answer the request with a file and a note, as its addressee.
pub(in crate::tui) fn save_answer_request(app: &mut App, state: &State, number: &str, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let file = values.get(F::Path).trim();
    let note = values.get(F::Note).trim();
    let path = if file.is_empty() {
        None
    } else {
        match expand_home(file) {
            Some(p) if p.is_file() => Some(p),
            _ => {
                let p = crate::text::visible(file).into_owned();
                return refused(match lang {
                    crate::config::Lang::Zh => format!("{p} 不是文件"),
                    crate::config::Lang::En => format!("{p} is not a file"),
                });
            }
        }
    };
    if path.is_none() && note.is_empty() {
        return refused(lang.pick("Attach a file or write an answer", "请附上文件或填写答复"));
    }
    let files: Vec<&std::path::Path> = path.iter().map(|p| p.as_path()).collect();
    match app.answer_request(&eng, number, note, &files) {
        Ok(r) => saved(
            app,
            state,
            &eng,
            format!(
                "{} {} · {}",
                lang.pick("Answered", "已答复"),
                r.number,
                lang.pick("export the bundle back to the auditors", "请导出数据包交回审核组")
            ),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// Accept, return, close or reopen the request, as an auditor.
pub(in crate::tui) fn save_judge_request(app: &mut App, state: &State, number: &str, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Ok(to) = values.get(F::Verdict).parse::<RequestStatus>() else {
        return refused(lang.pick("choose what to do", "请选择操作"));
    };
    if to == RequestStatus::Returned && values.get(F::Note).trim().is_empty() {
        return refused(lang.pick(
            "Say in the comment why it goes back, so the auditee knows what to send",
            "请在意见中说明退回原因，以便受审核方补充",
        ));
    }
    match app.move_request(&eng, number, to, values.get(F::Note)) {
        Ok(r) => saved(
            app,
            state,
            &eng,
            format!("{} → {}", r.number, r.status.label(lang.is_zh())),
        ),
        Err(e) => app_refused(e, lang),
    }
}

/// Send the requests, as a job: drafts opened, the bundle encrypted to the
/// contact and you, and the list they read without cscaudit.
pub(in crate::tui) fn save_send_requests(_app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let Some(out) = expand_home(values.get(F::Path)) else {
        return vec![];
    };
    vec![
        Input::Done(Ok(lang.pick("Sending… (T: tasks)", "正在发出……（T：任务）").into())),
        Input::Start(Box::new(crate::tui::jobs::Job::SendRequests {
            engagement: eng,
            addressee: values.get(F::Assignee).to_string(),
            out,
            lang,
        })),
    ]
}
