//! QA re-scoring: a rater scores a review blind (one field per scorecard
//! item, full points to start with; a fatal item met or failed), and the
//! round's reconciler settles a pass/fail disagreement. Both go through the
//! app layer, which seals, reveals and refuses as the signed history does.

use super::{Choice, Field, FieldId as F, Form, FormKind, Values};
use crate::app::App;
use crate::config::Lang;
use crate::model::qa::{Card, QaReview, Rater};
use crate::tui::effects::{app_refused, refused, saved};
use crate::tui::i18n::Label;
use crate::tui::state::{Effect, Input, State};

/// One field per item of `card`, starting from `start` (or full points).
fn item_fields(card: &Card, names: Option<&crate::model::catalog::QaScorecard>, start: Option<&[u32]>) -> Vec<Field> {
    card.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let (en, zh) = match names {
                Some(n) => (n.name_of(&it.id, false), n.name_of(&it.id, true)),
                None => (it.id.as_str(), it.id.as_str()),
            };
            let v = start.and_then(|s| s.get(i)).copied().unwrap_or(it.points);
            if it.fatal {
                let met = format!("met ({})", it.points);
                let met_zh = format!("达标（{}）", it.points);
                Field::choice(
                    F::Points,
                    "",
                    "",
                    vec![
                        Choice::new(&it.points.to_string(), &met, &met_zh),
                        Choice::new("0", "failed (0: fails the contact)", "未达标（0：该录音不合格）"),
                    ],
                    usize::from(v == 0),
                )
                .labelled(format!("{} {en} (fatal)", it.id), format!("{} {zh}（否决项）", it.id))
            } else {
                Field::line(F::Points, "", "", &v.to_string()).labelled(
                    format!("{} {en} (0–{})", it.id, it.points),
                    format!("{} {zh}（0–{}）", it.id, it.points),
                )
            }
        })
        .collect()
}

/// The points typed, or the refusal naming the item.
fn points(values: &Values, lang: crate::config::Lang) -> Result<Vec<u32>, Vec<Input>> {
    values
        .all(F::Points)
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.trim().parse::<u32>().map_err(|_| {
                let v = crate::text::visible(v).into_owned();
                refused(if lang.is_zh() {
                    format!("第 {} 项的得分是整数，不是“{v}”", i + 1)
                } else {
                    format!("item {}: the points are a whole number, not “{v}”", i + 1)
                })
            })
        })
        .collect()
}

/// pass / fail in the language.
fn verdict_word(pass: bool, lang: Lang) -> &'static str {
    if pass { Label::QaPass } else { Label::QaFail }.t(lang)
}

fn review_text(r: &QaReview, extra: &str) -> String {
    let item = crate::text::visible(&r.item);
    format!("{} {item}{extra}", r.reference())
}

impl State {
    /// From the round's table: score the review (a rater whose scores are
    /// not out) or settle it (its reconciler), else say why not.
    pub(crate) fn open_qa_for(&mut self, id: Option<String>) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let r = d.qa.iter().find(|r| Some(&r.id) == id.as_ref())?;
        if r.rater(&d.me).is_some_and(|x| r.seal(x).is_none()) {
            return self.open_qa_score_at(id);
        }
        if r.reconciler == d.me && r.disagree() == Some(true) && r.reconciled.is_none() {
            return self.open_qa_reconcile_at(id);
        }
        let what = crate::tui::i18n::Label::QaNothingHere
            .t(self.lang)
            .replace("{id}", r.reference());
        self.error(what);
        None
    }

    pub(crate) fn open_qa_score(&mut self) -> Option<Effect> {
        self.open_qa_score_at(None)
    }

    pub(crate) fn open_qa_reconcile(&mut self) -> Option<Effect> {
        self.open_qa_reconcile_at(None)
    }

    fn open_qa_score_at(&mut self, prefer: Option<String>) -> Option<Effect> {
        let lang = self.lang;
        let d = self.data.as_ref()?;
        if d.qa.is_empty() {
            self.error(Label::NoQaRound.t(lang).to_string());
            return None;
        }
        // Mine not yet sealed (a seal is final); the one chosen first.
        let me = d.me.clone();
        let mut open: Vec<&QaReview> =
            d.qa.iter()
                .filter(|r| r.rater(&me).is_some_and(|x| r.seal(x).is_none()))
                .collect();
        open.sort_by_key(|r| Some(&r.id) != prefer.as_ref());
        let Some(first) = open.first() else {
            self.error(Label::NothingToScore.t(lang).to_string());
            return None;
        };
        // One scorecard per form: the first review's.
        let spec = first.scorecard.clone();
        let Ok(card) = first.card() else {
            self.error(format!("{}: {}", first.reference(), first.scorecard));
            return None;
        };
        let opts: Vec<Choice> = open
            .iter()
            .filter(|r| r.scorecard == spec)
            .map(|r| {
                let t = review_text(r, "");
                Choice::new(&r.id, &t, &t)
            })
            .collect();
        let mut fields = vec![Field::choice(F::Review, "Recording", "复核录音", opts, 0)];
        let names = d
            .catalog
            .scorecard
            .clone()
            .or_else(|| crate::config::embedded_catalog().scorecard);
        fields.extend(item_fields(&card, names.as_ref(), None));
        self.open(Form::new(
            FormKind::QaScore,
            ("Score a QA review (blind)", "质检复核评分（盲评）"),
            fields,
        ))
    }

    fn open_qa_reconcile_at(&mut self, prefer: Option<String>) -> Option<Effect> {
        let lang = self.lang;
        let d = self.data.as_ref()?;
        if d.qa.is_empty() {
            self.error(Label::NoQaRound.t(lang).to_string());
            return None;
        }
        let mut open: Vec<&QaReview> =
            d.qa.iter()
                .filter(|r| r.reconciler == d.me && r.disagree() == Some(true) && r.reconciled.is_none())
                .collect();
        open.sort_by_key(|r| Some(&r.id) != prefer.as_ref());
        let Some(first) = open.first() else {
            self.error(Label::NothingToReconcile.t(lang).to_string());
            return None;
        };
        let Ok(card) = first.card() else {
            self.error(format!("{}: {}", first.reference(), first.scorecard));
            return None;
        };
        let spec = first.scorecard.clone();
        let opts: Vec<Choice> = open
            .iter()
            .filter(|r| r.scorecard == spec)
            .map(|r| {
                let total = |x: Rater| r.scores(x).map_or(0, |s| s.iter().sum::<u32>());
                let pass = |x: Rater| r.scores(x).is_some_and(|s| card.verdict(&s).pass);
                let w = |p: bool, zh: bool| verdict_word(p, if zh { Lang::Zh } else { Lang::En });
                let en = format!(
                    " — A {} {}, B {} {}",
                    total(Rater::A),
                    w(pass(Rater::A), false),
                    total(Rater::B),
                    w(pass(Rater::B), false)
                );
                let zh = format!(
                    " — A {} {}，B {} {}",
                    total(Rater::A),
                    w(pass(Rater::A), true),
                    total(Rater::B),
                    w(pass(Rater::B), true)
                );
                Choice::new(&r.id, &review_text(r, &en), &review_text(r, &zh))
            })
            .collect();
        let start = first.scores(Rater::A);
        let mut fields = vec![Field::choice(F::Review, "Recording", "复核录音", opts, 0)];
        let names = d
            .catalog
            .scorecard
            .clone()
            .or_else(|| crate::config::embedded_catalog().scorecard);
        fields.extend(item_fields(&card, names.as_ref(), start.as_deref()));
        fields.push(Field::line(
            F::Note,
            "Why (after listening again)",
            "裁定理由（复听后）",
            "",
        ));
        self.open(Form::new(
            FormKind::QaReconcile,
            ("Reconcile a QA disagreement", "裁定质检评分不一致"),
            fields,
        ))
    }
}

pub(in crate::tui) fn save_qa_score(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = state.data.as_ref().map(|d| d.engagement.id.clone()) else {
        return Vec::new();
    };
    let scores = match points(values, lang) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match app.score_qa(&eng, values.get(F::Review), &scores) {
        Ok(s) => {
            let verdict = verdict_word(s.pass, lang);
            let msg = match (s.revealed, lang.is_zh()) {
                (true, false) => format!(
                    "{}: {} points, {verdict}; revealed (the other rater had sealed)",
                    s.review, s.total
                ),
                (false, false) => format!(
                    "{}: {} points, {verdict}; sealed (only its hash goes out until the other rater has sealed)",
                    s.review, s.total
                ),
                (true, true) => format!("{}：{} 分，{verdict}；已揭示（另一评分人已封存）", s.review, s.total),
                (false, true) => format!(
                    "{}：{} 分，{verdict}；已封存（另一评分人封存前只传出哈希）",
                    s.review, s.total
                ),
            };
            saved(app, state, &eng, msg)
        }
        Err(e) => app_refused(e, lang),
    }
}

pub(in crate::tui) fn save_qa_reconcile(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = state.data.as_ref().map(|d| d.engagement.id.clone()) else {
        return Vec::new();
    };
    let scores = match points(values, lang) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let note = values.get(F::Note);
    match app.reconcile_qa(&eng, values.get(F::Review), &scores, Some(note)) {
        Ok(r) => {
            let pass = r.final_pass().unwrap_or(false);
            let msg = match (pass, lang.is_zh()) {
                (true, false) => format!("{}: reconciled as a pass", r.reference()),
                (false, false) => format!("{}: reconciled as a fail", r.reference()),
                (true, true) => format!("{}：裁定为合格", r.reference()),
                (false, true) => format!("{}：裁定为不合格", r.reference()),
            };
            saved(app, state, &eng, msg)
        }
        Err(e) => app_refused(e, lang),
    }
}
