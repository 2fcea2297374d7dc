//! A test call of a mystery-shopping campaign, recorded as it is made: the
//! call (the next one not yet made is chosen), whether it got through at the
//! first attempt, the IVR, the agent's name or number, the answer, the wait.

use super::{Choice, Field, FieldId as F, Form, FormKind, Values, yes_no};
use crate::app::App;
use crate::app::testcall::CallOutcome;
use crate::tui::effects::{app_refused, refused, saved};
use crate::tui::state::{Effect, Input, State};

/// yes, no, or not judged (a call that did not get through).
fn judged() -> Vec<Choice> {
    vec![
        Choice::new("", "— (not judged)", "—（不评价）"),
        Choice::new("yes", "yes", "是"),
        Choice::new("no", "no", "否"),
    ]
}

impl State {
    pub(crate) fn open_test_call(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        if d.test_calls.is_empty() {
            self.error(crate::tui::i18n::Label::NoTestCalls.t(self.lang).to_string());
            return None;
        }
        // Calls not yet made (a result is replaced with `testcall record --again`).
        let open: Vec<&crate::model::testcall::TestCall> = d.test_calls.iter().filter(|c| !c.made()).collect();
        if open.is_empty() {
            self.error(crate::tui::i18n::Label::AllTestCallsMade.t(self.lang).to_string());
            return None;
        }
        let opts: Vec<Choice> = open
            .iter()
            .map(|c| {
                let when = format!(
                    "{} {}",
                    c.planned_on.map(|d| d.to_string()).unwrap_or_default(),
                    c.planned_at
                );
                let text = format!("{} {when} {}", c.reference(), c.service);
                Choice::new(&c.id, &text, &text)
            })
            .collect();
        self.open(Form::new(
            FormKind::TestCall,
            ("Record a test call", "记录测试电话"),
            vec![
                Field::choice(F::Call, "Call", "电话", opts, 0),
                Field::choice(
                    F::Connected,
                    "Connected at the first attempt",
                    "首次拨打即接通",
                    yes_no(true),
                    0,
                ),
                Field::choice(F::IvrToAgent, "IVR led to an agent", "IVR 顺利转人工", judged(), 0),
                Field::choice(F::Identified, "Agent gave name or number", "座席报工号", judged(), 0),
                Field::choice(F::Correct, "Answer correct", "答复正确", judged(), 0),
                Field::line(F::Wait, "Wait (seconds)", "等待（秒）", ""),
                Field::line(F::Note, "Notes", "备注", ""),
            ],
        ))
    }
}

/// Record the call through the app layer.
pub(in crate::tui) fn save_test_call(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = state.data.as_ref().map(|d| d.engagement.id.clone()) else {
        return Vec::new();
    };
    let connected = values.get(F::Connected) == "yes";
    // A call that did not get through has nothing else to judge: what the
    // other fields hold (their defaults) is left out.
    let pick = |f: F| match values.get(f) {
        "yes" if connected => Some(true),
        "no" if connected => Some(false),
        _ => None,
    };
    let wait = values.get(F::Wait).trim().trim_end_matches('s').trim();
    let wait_s = match wait {
        _ if !connected => None,
        "" => None,
        t => match t.parse::<i64>() {
            Ok(w) => Some(w),
            Err(_) => {
                return refused(if lang.is_zh() {
                    format!("等待是整数秒，不是“{t}”")
                } else {
                    format!("the wait is a whole number of seconds, not “{t}”")
                });
            }
        },
    };
    let note = values.get(F::Note).trim();
    let o = CallOutcome {
        called_at: None,
        connected,
        ivr_to_agent: pick(F::IvrToAgent),
        identified: pick(F::Identified),
        correct: pick(F::Correct),
        wait_s,
        notes: (!note.is_empty()).then(|| note.to_string()),
        again: false,
    };
    match app.record_test_call(&eng, values.get(F::Call), &o) {
        Ok(c) => {
            let mut msg = format!("{} {}", lang.pick("Recorded", "已记录"), c.reference());
            if !connected {
                msg.push_str(lang.pick(
                    " (not connected: IVR, agent, answer and wait not judged)",
                    "（未接通：IVR、座席、答复与等待不评价）",
                ));
            }
            saved(app, state, &eng, msg)
        }
        Err(e) => app_refused(e, lang),
    }
}
