//! Forms: the popups where an auditor types what the audit records (who
//! they are, an engagement, a team member, a finding, a response, a
//! corrective action, a verification, a measured value, notes). A form is
//! plain state: it takes keys and pasted text, and on submit hands its
//! values to an effect that goes through the app layer. Nothing is saved
//! until the app accepts the values; a refusal is shown inside the form.
//!
//! Length: the form widget (fields, editors, keys, paste, path completion;
//! about 640 lines), then its unit tests; each form's fields and save are in
//! the modules below.

mod action;
mod assess;
mod bundle;
mod engagement;
mod finding;
mod people;
mod qa;
mod request;
mod testcall;

pub(in crate::tui) use action::{save_add, save_update, save_verify};
pub(in crate::tui) use assess::{save_assign, save_evidence, save_export_evidence, save_measured, save_notes};
pub(in crate::tui) use bundle::{save_export, save_import};
pub(in crate::tui) use engagement::{save_engagement, save_follow, save_milestone};
pub(in crate::tui) use finding::{save_edit, save_move, save_raise};
pub(in crate::tui) use people::{save_identity, save_member};
pub(in crate::tui) use qa::{save_qa_reconcile, save_qa_score};
pub(in crate::tui) use request::{save_add_request, save_answer_request, save_judge_request, save_send_requests};
pub(in crate::tui) use testcall::save_test_call;

use crate::app::MoveKind;
use crate::config::Lang;
use crate::tui::state::{Effect, Popup, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

macro_rules! field_ids {
    ($($id:ident => $name:literal,)+) => {
        /// Every field any form has: a form declares its fields by these and
        /// its save reads them by these, so a misspelt field does not compile.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum FieldId { $($id),+ }
        impl FieldId {
            /// The record field's name (a finding's edit form sends them as
            /// the app's field names).
            pub fn name(self) -> &'static str {
                match self { $(FieldId::$id => $name),+ }
            }
        }
    };
}

field_ids! {
    Actor => "actor",
    Name => "name",
    Initials => "initials",
    Certificate => "certificate",
    Key => "key",
    Auditee => "auditee",
    Site => "site",
    Kind => "kind",
    From => "from",
    To => "to",
    Catalog => "catalog",
    Id => "id",
    Milestone => "milestone",
    Call => "call",
    Review => "review",
    Points => "points",
    Connected => "connected",
    IvrToAgent => "ivr_to_agent",
    Identified => "identified",
    Correct => "correct",
    Wait => "wait",
    Progress => "progress",
    Done => "done",
    Note => "note",
    Path => "path",
    Evidence => "evidence",
    Passphrase => "passphrase",
    Encrypt => "encrypt",
    Assignee => "assignee",
    Role => "role",
    Level => "level",
    Grade => "grade",
    Title => "title",
    Statement => "statement",
    Criterion => "criterion",
    EvidenceNote => "evidence_note",
    Issue => "issue",
    Reason => "reason",
    RootCause => "root_cause",
    Correction => "correction",
    Description => "description",
    Owner => "owner",
    Due => "due",
    Status => "status",
    CompletionEvidence => "completion_evidence",
    File => "file",
    Verdict => "verdict",
    Value => "value",
    Method => "method",
    Notes => "notes",
}

/// A submitted form's values, in the order of its fields. (Debug shows
/// the fields' names only: a value may be a passphrase.)
#[derive(Clone, Default, PartialEq)]
pub struct Values(Vec<(FieldId, String)>);

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(n, _)| n)).finish()
    }
}

impl Values {
    pub fn new(values: Vec<(FieldId, String)>) -> Values {
        Values(values)
    }
    /// The value of a field the form has. Reading one it does not have is
    /// a mistake in the form's code: debug builds (the tests) stop on it.
    pub fn get(&self, id: FieldId) -> &str {
        match self.0.iter().find(|(n, _)| *n == id) {
            Some((_, v)) => v,
            None => {
                // (Names only: a value may be a passphrase.)
                let names: Vec<FieldId> = self.0.iter().map(|(n, _)| *n).collect();
                debug_assert!(false, "the form has no field {id:?}, only {names:?}");
                ""
            }
        }
    }
    /// The values of every field of this name, in the form's order (a
    /// scorecard's items).
    pub fn all(&self, id: FieldId) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| *n == id)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The value of a field the form may lack (a draft's grade).
    pub fn maybe(&self, id: FieldId) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == id).map(|(_, v)| v.as_str())
    }
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_str()))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::ops::Index<usize> for Values {
    type Output = (FieldId, String);
    fn index(&self, i: usize) -> &(FieldId, String) {
        &self.0[i]
    }
}

/// A choice field's options from a list of values (English value, Chinese label).
fn choices<T: Copy>(all: &[T], value: impl Fn(T) -> &'static str, zh: impl Fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|x| Choice::new(value(*x), value(*x), zh(*x))).collect()
}

fn yes_no(yes_first: bool) -> Vec<Choice> {
    let (y, n) = (Choice::new("yes", "yes", "是"), Choice::new("no", "no", "否"));
    if yes_first { vec![y, n] } else { vec![n, y] }
}

impl State {
    /// Show a form (opening one returns no effect: typing is plain state).
    fn open(&mut self, form: Form) -> Option<Effect> {
        // Set again by the requests view for the forms it opens.
        self.back_to_requests = None;
        self.popup = Some(Popup::Form(Box::new(form)));
        None
    }
}

/// What a form is for, and the record it is about.
#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    Identity,
    Engagement,
    /// The next engagement of the programme, following this one.
    Follow {
        prev: String,
    },
    Member,
    /// Report progress on a milestone of the plan.
    Milestone,
    /// Record a test call of a campaign.
    TestCall,
    /// Score a QA review blind, as one of its raters.
    QaScore,
    /// Settle a QA review's pass/fail disagreement, as its reconciler.
    QaReconcile,
    RaiseFinding {
        indicator: Option<String>,
    },
    /// Draft an evidence request.
    AddRequest,
    /// Send the requests to an auditee contact (a job).
    SendRequests,
    /// Answer a request, as its addressee.
    AnswerRequest {
        number: String,
    },
    /// Accept, return, close or reopen a request, as an auditor.
    JudgeRequest {
        number: String,
    },
    Move {
        reference: String,
        kind: MoveKind,
    },
    AddAction {
        finding: String,
    },
    UpdateAction {
        id: String,
    },
    VerifyAction {
        id: String,
    },
    Measured {
        indicator: String,
    },
    Notes {
        indicator: String,
        /// The notes as the form opened them (or as last shown to the user
        /// after a teammate changed them): a save over a change made since
        /// asks first (see [`crate::app::App::record_notes_since`]).
        opened: String,
    },
    Evidence {
        indicator: String,
    },
    /// Write an evidence file (by sha256) out to a path.
    ExportEvidence {
        sha256: String,
    },
    /// Edit a finding's texts (and grade while a draft).
    EditFinding {
        /// The finding as the form opened it: a field someone else changed
        /// since is not overwritten (see [`crate::app::App::edit_finding_since`]).
        opened: Box<crate::model::finding::Finding>,
    },
    /// Export the engagement as a findings bundle.
    ExportBundle,
    /// Import a findings bundle.
    ImportBundle,
    /// Assign indicators to a team member.
    Assign {
        indicators: Vec<String>,
    },
}

/// One option of a choice field: the value the app reads and its words.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub value: String,
    pub en: String,
    pub zh: String,
}

impl Choice {
    pub fn new(value: &str, en: &str, zh: &str) -> Choice {
        Choice {
            value: value.into(),
            en: en.into(),
            zh: zh.into(),
        }
    }
    pub fn label(&self, lang: Lang) -> &str {
        if lang.is_zh() { &self.zh } else { &self.en }
    }
}

#[derive(Debug)]
pub enum Editor {
    /// One line of text; `cursor` counts characters.
    Line {
        text: String,
        cursor: usize,
    },
    /// Several lines (notes, statements), edited by ratatui-textarea.
    Lines(Box<TextArea<'static>>),
    Choice {
        options: Vec<Choice>,
        selected: usize,
    },
}

#[derive(Debug)]
pub struct Field {
    /// The field, as the form's save reads it.
    pub name: FieldId,
    pub en: std::borrow::Cow<'static, str>,
    pub zh: std::borrow::Cow<'static, str>,
    pub editor: Editor,
    pub required: bool,
    /// A file path: Tab completes it from the file system.
    pub path: bool,
    /// A passphrase: drawn as dots, never shown.
    pub secret: bool,
}

impl Field {
    pub fn line(name: FieldId, en: &'static str, zh: &'static str, value: &str) -> Field {
        Field {
            name,
            en: en.into(),
            zh: zh.into(),
            editor: Editor::Line {
                text: value.to_string(),
                cursor: value.chars().count(),
            },
            required: false,
            path: false,
            secret: false,
        }
    }
    pub fn lines(name: FieldId, en: &'static str, zh: &'static str, value: &str) -> Field {
        // The editor draws its text as it is: stored text is shown inert.
        let shown = crate::text::visible_lines(value);
        let mut area = TextArea::new(shown.lines().map(str::to_string).collect());
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Field {
            name,
            en: en.into(),
            zh: zh.into(),
            editor: Editor::Lines(Box::new(area)),
            required: false,
            path: false,
            secret: false,
        }
    }
    pub fn choice(name: FieldId, en: &'static str, zh: &'static str, options: Vec<Choice>, selected: usize) -> Field {
        Field {
            name,
            en: en.into(),
            zh: zh.into(),
            editor: Editor::Choice {
                selected: selected.min(options.len().saturating_sub(1)),
                options,
            },
            required: false,
            path: false,
            secret: false,
        }
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    /// Drawn as dots (a passphrase).
    pub fn secret(mut self) -> Field {
        self.secret = true;
        self
    }
    /// Tab completes the value as a file path (as a shell does).
    pub fn path(mut self) -> Field {
        self.path = true;
        self
    }
    pub fn label(&self, lang: Lang) -> &str {
        if lang.is_zh() { &self.zh } else { &self.en }
    }
    /// The label as given at run time (a scorecard item's name).
    pub fn labelled(mut self, en: String, zh: String) -> Field {
        self.en = en.into();
        self.zh = zh.into();
        self
    }
    /// The value as the app reads it.
    pub fn value(&self) -> String {
        match &self.editor {
            Editor::Line { text, .. } => text.trim().to_string(),
            Editor::Lines(a) => a.lines().join("\n").trim_end().to_string(),
            Editor::Choice { options, selected } => options.get(*selected).map(|c| c.value.clone()).unwrap_or_default(),
        }
    }
    fn is_multiline(&self) -> bool {
        matches!(self.editor, Editor::Lines(_))
    }
}

#[derive(Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title_en: String,
    pub title_zh: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The app's refusal of the last submit, shown in the form.
    pub error: Option<String>,
    /// The last refusal asked to confirm (a due date in the past): submitting
    /// the same values again confirms.
    pub armed: Option<Values>,
    /// A note under the fields (the candidates of a path completion); gone
    /// at the next key.
    pub hint: Option<String>,
    /// What the form is about (a request's text and answer), under the
    /// fields whenever no error or hint is shown there.
    pub about: Option<String>,
    /// A teammate's text that changed since the form opened (shown under
    /// the fields until the form closes).
    pub theirs: Option<String>,
}

impl PartialEq for Form {
    fn eq(&self, other: &Form) -> bool {
        self.kind == other.kind && self.focus == other.focus && self.values() == other.values()
    }
}

/// What a key did to a form.
#[derive(Debug, PartialEq)]
pub enum FormEvent {
    Continue,
    Cancel,
    /// Values to save, and whether the user confirmed a warning.
    Submit {
        values: Values,
        confirmed: bool,
    },
    /// Edit the focused multi-line field's text in `$VISUAL`/`$EDITOR`.
    ExternalEdit(String),
}

impl Form {
    pub fn new(kind: FormKind, title: (&str, &str), fields: Vec<Field>) -> Form {
        Form {
            kind,
            title_en: title.0.into(),
            title_zh: title.1.into(),
            fields,
            focus: 0,
            error: None,
            armed: None,
            hint: None,
            about: None,
            theirs: None,
        }
    }

    /// A teammate's text, changed since the form opened, is now the one it
    /// opened on (the next save is deliberate) and is shown under the fields.
    pub fn seen_theirs(&mut self, theirs: &str, now: Option<Box<crate::model::finding::Finding>>) {
        match (&mut self.kind, now) {
            (FormKind::Notes { opened, .. }, _) => *opened = theirs.to_string(),
            (FormKind::EditFinding { opened }, Some(now)) => *opened = now,
            _ => {}
        }
        self.theirs = Some(crate::text::visible_lines(theirs).replace('\n', " ⏎ "));
    }

    pub fn title(&self, lang: Lang) -> &str {
        if lang.is_zh() { &self.title_zh } else { &self.title_en }
    }

    pub fn values(&self) -> Values {
        Values(self.fields.iter().map(|f| (f.name, f.value())).collect())
    }

    fn submit(&mut self, lang: Lang) -> FormEvent {
        if let Some(f) = self.fields.iter().position(|f| f.required && f.value().is_empty()) {
            let label = self.fields[f].label(lang);
            self.focus = f;
            self.error = Some(match lang {
                Lang::Zh => format!("请填写“{label}”"),
                Lang::En => format!("{label} is required"),
            });
            return FormEvent::Continue;
        }
        let values = self.values();
        let confirmed = self.armed.as_ref() == Some(&values);
        FormEvent::Submit { values, confirmed }
    }

    /// Handle one key press.
    pub fn key(&mut self, k: &KeyEvent, lang: Lang) -> FormEvent {
        // A refusal is about the values refused: once one is changed (a
        // path corrected), it no longer stands under them.
        let before = self.error.is_some().then(|| self.values());
        let event = self.key_inner(k, lang);
        if event == FormEvent::Continue && before.is_some_and(|b| b != self.values()) {
            self.error = None;
        }
        event
    }

    fn key_inner(&mut self, k: &KeyEvent, lang: Lang) -> FormEvent {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let n = self.fields.len();
        if k.code == KeyCode::Tab && self.complete_path() {
            return FormEvent::Continue;
        }
        self.hint = None;
        match k.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Char('c') if ctrl => return FormEvent::Cancel,
            KeyCode::Char('s') if ctrl => return self.submit(lang),
            KeyCode::Enter if ctrl || alt => return self.submit(lang),
            KeyCode::Tab => {
                self.focus = (self.focus + 1) % n.max(1);
                return FormEvent::Continue;
            }
            KeyCode::BackTab => {
                self.focus = (self.focus + n.max(1) - 1) % n.max(1);
                return FormEvent::Continue;
            }
            _ => {}
        }
        let last = self.focus + 1 >= n;
        let multiline = self.fields.get(self.focus).is_some_and(Field::is_multiline);
        if !multiline {
            match k.code {
                KeyCode::Enter if last => return self.submit(lang),
                KeyCode::Enter | KeyCode::Down => {
                    self.focus = (self.focus + 1).min(n.saturating_sub(1));
                    return FormEvent::Continue;
                }
                KeyCode::Up => {
                    self.focus = self.focus.saturating_sub(1);
                    return FormEvent::Continue;
                }
                _ => {}
            }
        }
        if multiline && ctrl && k.code == KeyCode::Char('g') {
            let text = self.fields[self.focus].value();
            return FormEvent::ExternalEdit(text);
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormEvent::Continue;
        };
        match &mut field.editor {
            Editor::Line { text, cursor } => edit_line(text, cursor, k),
            Editor::Lines(area) => {
                if !matches!(k.code, KeyCode::Char(c) if crate::text::is_hazard(c)) {
                    area.input(*k);
                }
            }
            Editor::Choice { options, selected } => match k.code {
                KeyCode::Left | KeyCode::Char('h') => *selected = selected.saturating_sub(1),
                KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                    *selected = (*selected + 1).min(options.len().saturating_sub(1))
                }
                _ => {}
            },
        }
        FormEvent::Continue
    }

    /// Tab in a path field: complete to the longest common prefix of what
    /// the folder holds; with several candidates, list them under the
    /// fields. Returns false when there is nothing (more) to complete, so Tab
    /// moves on as usual.
    fn complete_path(&mut self) -> bool {
        let Some(Field {
            editor: Editor::Line { text, cursor },
            path: true,
            ..
        }) = self.fields.get_mut(self.focus)
        else {
            return false;
        };
        if text.is_empty() {
            return false;
        }
        let (done, candidates) = complete_path(text);
        let listed = (candidates.len() > 1).then(|| candidates.join("  "));
        if done != *text {
            *text = done;
            *cursor = text.chars().count();
            self.hint = listed;
            return true;
        }
        if listed.is_some() && self.hint != listed {
            self.hint = listed;
            return true;
        }
        false
    }

    /// Replace the focused multi-line field's text (back from `$EDITOR`),
    /// shown inert like everything typed or pasted.
    pub fn set_focused_text(&mut self, s: &str) {
        if let Some(Field {
            editor: Editor::Lines(area),
            ..
        }) = self.fields.get_mut(self.focus)
        {
            let unix = s.replace("\r\n", "\n");
            let clean = crate::text::visible_lines(&unix);
            let mut new = TextArea::new(clean.trim_end_matches('\n').lines().map(str::to_string).collect());
            new.move_cursor(ratatui_textarea::CursorMove::Bottom);
            new.move_cursor(ratatui_textarea::CursorMove::End);
            **area = new;
        }
    }

    /// Pasted text goes into the focused field (newlines become spaces on one line).
    pub fn paste(&mut self, s: &str) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            match &mut field.editor {
                Editor::Line { text, cursor } => {
                    let clean: String = s
                        .chars()
                        .map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c })
                        .filter(|c| !crate::text::is_hazard(*c))
                        .collect();
                    let at = byte_at(text, *cursor);
                    text.insert_str(at, &clean);
                    *cursor += clean.chars().count();
                }
                Editor::Lines(area) => {
                    // Pasted control or bidi characters never reach the editor live.
                    area.insert_str(crate::text::visible_lines(&s.replace("\r\n", "\n")));
                }
                Editor::Choice { .. } => {}
            }
        }
    }
}

/// Complete a typed path: (the text completed to the longest common prefix
/// of the matching names, those names). Folders end in `/`; hidden entries
/// only when the prefix starts with a dot; `~/` is the home folder.
pub fn complete_path(typed: &str) -> (String, Vec<String>) {
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = match (dir_part.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ if dir_part.is_empty() => std::path::PathBuf::from("."),
        _ => std::path::PathBuf::from(dir_part),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (typed.to_string(), Vec::new());
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        return (typed.to_string(), names);
    };
    let common: String = first
        .chars()
        .enumerate()
        .take_while(|(i, c)| names.iter().all(|n| n.chars().nth(*i) == Some(*c)))
        .map(|(_, c)| c)
        .collect();
    (format!("{dir_part}{common}"), names)
}

fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn edit_line(text: &mut String, cursor: &mut usize, k: &KeyEvent) {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let len = text.chars().count();
    *cursor = (*cursor).min(len);
    match k.code {
        KeyCode::Char('u') if ctrl => {
            text.clear();
            *cursor = 0;
        }
        KeyCode::Char('a') if ctrl => *cursor = 0,
        KeyCode::Char('e') if ctrl => *cursor = len,
        KeyCode::Char(c) if !ctrl && !crate::text::is_hazard(c) => {
            let at = byte_at(text, *cursor);
            text.insert(at, c);
            *cursor += 1;
        }
        KeyCode::Backspace if *cursor > 0 => {
            let at = byte_at(text, *cursor - 1);
            text.remove(at);
            *cursor -= 1;
        }
        KeyCode::Delete if *cursor < len => {
            let at = byte_at(text, *cursor);
            text.remove(at);
        }
        KeyCode::Left => *cursor = cursor.saturating_sub(1),
        KeyCode::Right => *cursor = (*cursor + 1).min(len),
        KeyCode::Home => *cursor = 0,
        KeyCode::End => *cursor = len,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn typing_moving_and_submitting() {
        let mut f = Form::new(
            FormKind::Identity,
            ("t", "t"),
            vec![
                Field::line(FieldId::Title, "A", "甲", "").required(),
                Field::choice(
                    FieldId::Kind,
                    "B",
                    "乙",
                    vec![Choice::new("x", "x", "x"), Choice::new("y", "y", "y")],
                    0,
                ),
            ],
        );
        for c in "张伟x".chars() {
            f.key(&key(KeyCode::Char(c)), Lang::En);
        }
        f.key(&key(KeyCode::Left), Lang::En);
        f.key(&key(KeyCode::Backspace), Lang::En);
        assert_eq!(f.fields[0].value(), "张x");
        f.paste("中\n文");
        assert_eq!(f.fields[0].value(), "张中 文x");
        f.key(&key(KeyCode::Enter), Lang::En);
        assert_eq!(f.focus, 1);
        f.key(&key(KeyCode::Right), Lang::En);
        match f.key(&key(KeyCode::Enter), Lang::En) {
            FormEvent::Submit { values, confirmed } => {
                assert_eq!(
                    values,
                    Values::new(vec![
                        (FieldId::Title, "张中 文x".to_string()),
                        (FieldId::Kind, "y".to_string())
                    ])
                );
                assert!(!confirmed);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_required_field_left_empty_is_named_and_nothing_is_submitted() {
        let mut f = Form::new(
            FormKind::Identity,
            ("t", "t"),
            vec![Field::line(FieldId::Title, "Name", "姓名", "").required()],
        );
        assert_eq!(f.key(&key(KeyCode::Enter), Lang::Zh), FormEvent::Continue);
        assert_eq!(f.error.as_deref(), Some("请填写“姓名”"));
    }

    #[test]
    fn pasted_or_stored_controls_never_reach_the_editor_live() {
        let mut f = Form::new(
            FormKind::Identity,
            ("t", "t"),
            vec![
                Field::lines(FieldId::Notes, "Notes", "备注", "a\u{1b}[2J"),
                Field::line(FieldId::Note, "L", "L", ""),
            ],
        );
        assert_eq!(f.fields[0].value(), "a␛[2J");
        f.paste("\u{202E}x\ny\u{7}");
        assert!(
            !f.fields[0]
                .value()
                .chars()
                .any(|c| c != '\n' && crate::text::is_hazard(c))
        );
        f.focus = 1;
        f.paste("\u{202E}ok\u{1b}");
        assert_eq!(f.fields[1].value(), "ok");
    }

    #[test]
    fn multiline_fields_take_enter_as_a_new_line() {
        let mut f = Form::new(
            FormKind::Identity,
            ("t", "t"),
            vec![Field::lines(FieldId::Notes, "Notes", "备注", "")],
        );
        for c in "第一行".chars() {
            f.key(&key(KeyCode::Char(c)), Lang::En);
        }
        f.key(&key(KeyCode::Enter), Lang::En);
        f.key(&key(KeyCode::Char('2')), Lang::En);
        assert_eq!(f.fields[0].value(), "第一行\n2");
        let save = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(matches!(f.key(&save, Lang::En), FormEvent::Submit { .. }));
    }

    #[test]
    fn tab_completes_a_path_field_like_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("录音抽样-一月.wav"), b"x").unwrap();
        std::fs::write(dir.path().join("录音抽样-二月.wav"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("排班")).unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        let (done, names) = complete_path(&format!("{d}/录"));
        assert_eq!(done, format!("{d}/录音抽样-"));
        assert_eq!(names.len(), 2);
        assert_eq!(complete_path(&format!("{d}/排")).0, format!("{d}/排班/"));
        assert_eq!(complete_path(&format!("{d}/")).1.len(), 3, "hidden files need a dot");
        assert_eq!(complete_path(&format!("{d}/nothing")).0, format!("{d}/nothing"));

        let mut f = Form::new(
            FormKind::Identity,
            ("t", "t"),
            vec![
                Field::line(FieldId::Path, "P", "P", "").path(),
                Field::line(FieldId::Note, "N", "N", ""),
            ],
        );
        f.paste(&format!("{d}/录"));
        f.key(&key(KeyCode::Tab), Lang::En);
        assert_eq!(f.fields[0].value(), format!("{d}/录音抽样-"));
        assert!(f.hint.as_ref().unwrap().contains("录音抽样-一月.wav"));
        assert_eq!(f.focus, 0);
        f.key(&key(KeyCode::Char('一')), Lang::En);
        f.key(&key(KeyCode::Tab), Lang::En);
        assert_eq!(f.fields[0].value(), format!("{d}/录音抽样-一月.wav"));
        // Nothing more to complete: Tab moves on.
        f.key(&key(KeyCode::Tab), Lang::En);
        assert_eq!(f.focus, 1);
    }
}
