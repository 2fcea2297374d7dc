//! QA re-scoring by two auditors, blind, in the signed history
//! (`crate::model::qa`): plan a round from a drawn sample, seal and reveal
//! each rater's scores, reconcile disagreements, and record the reconciled
//! pass rate as QU-01 with the round as evidence.
//!
//! A rater's scores stay on the rater's own copy (meta `qa/REVIEW/ACTOR`,
//! never synced) until both seals are in; then `reveal_qa` writes them.

use super::{App, AppError, Draft, Result, create, set};
use crate::analytics::agreement::{self, Agreement, Rating};
use crate::analytics::sampling::{self, Draw};
use crate::model::catalog::QaScorecard;
use crate::model::fields::QaField as F;
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::qa::{self, Card, QaReview, Rater};
use serde::Serialize;

/// A round to plan.
#[derive(Clone, Debug)]
pub struct QaPlan {
    pub round: String,
    /// The sampling frame (recordings): its bytes and its name.
    pub frame: Vec<u8>,
    pub frame_name: String,
    pub n: usize,
    pub seed: u64,
    pub id_column: Option<String>,
    pub strata: Option<String>,
    pub plain: bool,
    pub rater_a: String,
    pub rater_b: String,
    pub reconciler: String,
}

/// What `score_qa` did.
#[derive(Clone, Debug, Serialize)]
pub struct Scored {
    pub review: String,
    pub total: u32,
    pub pass: bool,
    /// The scores went out at once (the other rater had sealed).
    pub revealed: bool,
}

/// What `reveal_qa` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Revealed {
    pub revealed: Vec<String>,
    /// Sealed here, the other rater's seal not in yet.
    pub waiting: Vec<String>,
    /// Sealed on another copy (the scores are not here): reveal from there.
    pub not_here: Vec<String>,
}

/// One disagreement of a round.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QaDisagreement {
    pub review: String,
    pub item: String,
    pub total_a: u32,
    pub total_b: u32,
    pub pass_a: bool,
    pub pass_b: bool,
    /// The reconciler's verdict, once given.
    pub reconciled: Option<bool>,
}

/// A round's state and figures (JSON schema `cscaudit.qa-round/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QaRound {
    pub schema: &'static str,
    pub engagement: String,
    pub round: String,
    pub scorecard: String,
    pub draw: String,
    pub rater_a: String,
    pub rater_b: String,
    pub reconciler: String,
    pub reviews: u64,
    pub sealed_a: u64,
    pub sealed_b: u64,
    /// Both raters' scores out.
    pub revealed: u64,
    /// Pass/fail agreement over the revealed reviews (Cohen's κ).
    pub observed_agreement: Option<f64>,
    pub kappa: Option<f64>,
    /// Quadratic-weighted κ on the total-score bands.
    pub weighted_kappa: Option<f64>,
    pub disagreements: Vec<QaDisagreement>,
    pub reconciled: u64,
    pub unresolved: u64,
    /// Reviews passing in the end, and the reconciled pass rate (percent),
    /// once every review is revealed and every disagreement settled.
    pub passed: Option<u64>,
    pub pass_rate: Option<f64>,
}

fn invalid(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

fn pending_key(review: &str, actor: &str) -> String {
    format!("qa/{review}/{actor}")
}

fn review_number(r: &QaReview) -> Option<u64> {
    r.reference().strip_prefix("QA-").and_then(|n| n.parse().ok())
}

impl App {
    /// The scorecard an engagement's reviews are planned with: its
    /// catalogue's, else the shipped catalogue's.
    pub fn qa_scorecard(&self, engagement: &str) -> Result<QaScorecard> {
        let eng = self.engagement(engagement)?;
        if let Some(c) = self.catalog_for(&eng)?.scorecard {
            return Ok(c);
        }
        crate::config::embedded_catalog().scorecard.ok_or_else(|| {
            invalid(
                "the engagement's catalogue has no [scorecard] to re-score with".into(),
                "该审核项目的指标目录没有可用于复核的 [scorecard] 评分表".into(),
            )
        })
    }

    /// Every QA review of an engagement, by number.
    pub fn qa_reviews(&self, engagement: &str) -> Result<Vec<QaReview>> {
        let mut out = self
            .store()
            .records(Kind::QaReview, &format!("{engagement}/"))?
            .iter()
            .filter(|r| !r.deleted)
            .map(QaReview::from_record)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| (review_number(a), &a.id).cmp(&(review_number(b), &b.id)));
        Ok(out)
    }

    /// One review, by `QA-001` or `ENGAGEMENT/QA-001`.
    pub fn qa_review(&self, engagement: &str, id: &str) -> Result<QaReview> {
        let full = if id.contains('/') {
            id.to_string()
        } else {
            format!("{engagement}/{id}")
        };
        match self.store().record(&EntityId::new(Kind::QaReview, full.clone()))? {
            Some(r) if !r.deleted && r.entity.engagement_in_id() == Some(engagement) => Ok(QaReview::from_record(&r)?),
            _ => Err(AppError::NotFound {
                what: "QA review",
                id: full,
            }),
        }
    }

    /// Plan a round: draw the sample (as `sample draw` does, seed printed),
    /// one review per contact drawn, each pinning the scorecard, the draw and
    /// the three people. One commit, by a lead.
    pub fn plan_qa(&self, engagement: &str, p: &QaPlan) -> Result<(Draw, Vec<QaReview>)> {
        self.require_identity()?;
        self.engagement(engagement)?;
        let round = p.round.trim();
        if round.is_empty() || round.chars().any(char::is_control) || round.chars().count() > 100 {
            return Err(invalid(
                "a QA round needs a name: one line of up to 100 characters".into(),
                "质检复核批次需要名称：一行、不超过 100 个字符".into(),
            ));
        }
        let existing = self.qa_reviews(engagement)?;
        if existing.iter().any(|r| r.round == round) {
            return Err(invalid(
                format!("{engagement} already has a QA round `{round}`: name the new one differently"),
                format!("{engagement} 已有质检复核批次 `{round}`：请为新批次另取名称"),
            ));
        }
        let people = [&p.rater_a, &p.rater_b, &p.reconciler];
        for who in people {
            let m = self.member(engagement, who).filter(|m| !m.has_left());
            let ok = m.as_ref().is_some_and(|m| {
                use crate::model::engagement::Role;
                matches!(m.role, Role::Lead | Role::Auditor | Role::TechnicalExpert)
            });
            if !ok {
                let w = crate::text::visible(who).into_owned();
                return Err(invalid(
                    format!(
                        "{w} is not an auditor on {engagement}'s team: the raters and the reconciler are auditors of the team"
                    ),
                    format!("{w} 不是 {engagement} 审核组的审核员：评分人与裁定人须为审核组的审核员"),
                ));
            }
        }
        if p.rater_a == p.rater_b || p.reconciler == p.rater_a || p.reconciler == p.rater_b {
            return Err(invalid(
                "two raters and a reconciler are three different people".into(),
                "两名评分人与裁定人须为三个不同的人".into(),
            ));
        }
        let rows =
            sampling::read_frame(&p.frame, p.plain, p.id_column.as_deref(), p.strata.as_deref()).map_err(|e| {
                let (f, e) = (
                    crate::text::visible(&p.frame_name).into_owned(),
                    crate::text::visible(&e).into_owned(),
                );
                invalid(format!("{f}: {e}"), format!("{f}：{e}"))
            })?;
        if p.n > 10_000 {
            return Err(invalid(
                format!("a QA round re-scores 1 to 10,000 contacts, not {}", p.n),
                format!("一个质检复核批次复核 1 至 10,000 条录音，不能是 {}", p.n),
            ));
        }
        let draw = sampling::draw(&rows, &p.frame, p.n, p.seed, p.strata.as_deref())
            .map_err(|e| invalid(e.to_string(), e.to_string()))?;
        let card = self.qa_scorecard(engagement)?.card().spec();
        let how = format!(
            "sample draw --n {} --seed {}{} of {} ({} rows, sha256 {})",
            p.n,
            draw.seed,
            p.strata
                .as_deref()
                .map(|s| format!(" --strata {s}"))
                .unwrap_or_default(),
            crate::text::visible(&p.frame_name),
            draw.frame_size,
            draw.frame_sha256
        );
        // Numbers are never reused, a deleted review's included.
        let mut n = self
            .store()
            .records(Kind::QaReview, &format!("{engagement}/"))?
            .iter()
            .filter_map(|r| r.entity.id.rsplit_once("/QA-")?.1.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let mut d: Vec<Draft> = Vec::new();
        for (_, item) in &draw.selected {
            n += 1;
            let e = EntityId::new(Kind::QaReview, QaReview::record_id(engagement, n as u32));
            d.extend([
                create(&e),
                set(&e, None, F::Engagement, engagement),
                set(&e, None, F::Round, round),
                set(&e, None, F::Item, crate::text::visible(item).as_ref()),
                set(&e, None, F::Scorecard, card.as_str()),
                set(&e, None, F::Draw, how.as_str()),
                set(&e, None, F::RaterA, p.rater_a.as_str()),
                set(&e, None, F::RaterB, p.rater_b.as_str()),
                set(&e, None, F::Reconciler, p.reconciler.as_str()),
            ]);
        }
        self.commit(d)?;
        let planned = self
            .qa_reviews(engagement)?
            .into_iter()
            .filter(|r| r.round == round)
            .collect();
        Ok((draw, planned))
    }

    /// The scores this copy sealed for a review and has not revealed.
    pub fn qa_sealed_here(&self, review: &QaReview) -> Option<Vec<u32>> {
        let me = &self.identity().actor;
        let reveal: String = self.store().meta_get(&pending_key(&review.id, me)).ok()??;
        let r = review.rater(me)?;
        (review.seal(r) == Some(qa::seal_of(&reveal).as_str()))
            .then(|| qa::reveal_scores(&reveal).ok())
            .flatten()
    }

    /// Score a review as one of its raters: seal the scores (kept here),
    /// and reveal them at once when the other rater's seal is already in.
    /// A seal is final.
    pub fn score_qa(&self, engagement: &str, id: &str, scores: &[u32]) -> Result<Scored> {
        self.require_identity()?;
        let review = self.qa_review(engagement, id)?;
        let me = self.identity().actor.clone();
        let reference = review.reference().to_string();
        let Some(r) = review.rater(&me) else {
            return Err(invalid(
                format!(
                    "{me} is not a rater of {reference} (its raters are {} and {})",
                    review.rater_a, review.rater_b
                ),
                format!(
                    "{me} 不是 {reference} 的评分人（评分人为 {} 与 {}）",
                    review.rater_a, review.rater_b
                ),
            ));
        };
        if review.seal(r).is_some() {
            return Err(invalid(
                format!(
                    "{reference}: {me} has sealed scores already; a seal is final (`cscaudit qa reveal` opens it once the other rater has sealed)"
                ),
                format!("{reference}：{me} 已封存评分；封存后不能更改（另一评分人封存后用 `cscaudit qa reveal` 揭示）"),
            ));
        }
        let card = checked(&review, scores)?;
        let salt = hex::encode(rand::random::<[u8; 16]>());
        let reveal = format!("{salt}:{}", qa::format_scores(scores));
        // Kept before the seal goes out: a seal whose scores were lost
        // could never be opened.
        self.store().meta_set(&pending_key(&review.id, &me), &reveal)?;
        let e = EntityId::new(Kind::QaReview, review.id.clone());
        let mut d = vec![set(&e, None, r.seal_field(), qa::seal_of(&reveal))];
        let now = review.seal(r.other()).is_some();
        if now {
            d.push(set(&e, None, r.reveal_field(), reveal.as_str()));
        }
        self.commit(d)?;
        let v = card.verdict(scores);
        Ok(Scored {
            review: reference,
            total: v.total,
            pass: v.pass,
            revealed: now,
        })
    }

    /// Reveal every score of mine sealed here whose other seal is in. One
    /// commit.
    pub fn reveal_qa(&self, engagement: &str) -> Result<Revealed> {
        self.require_identity()?;
        let me = self.identity().actor.clone();
        let mut out = Revealed::default();
        let mut d = Vec::new();
        for review in self.qa_reviews(engagement)? {
            let Some(r) = review.rater(&me) else { continue };
            let Some(seal) = review.seal(r) else { continue };
            if review.reveal(r).is_some() {
                continue;
            }
            let reference = review.reference().to_string();
            let held: Option<String> = self.store().meta_get(&pending_key(&review.id, &me))?;
            let Some(reveal) = held.filter(|v| qa::seal_of(v) == seal) else {
                out.not_here.push(reference);
                continue;
            };
            if review.seal(r.other()).is_none() {
                out.waiting.push(reference);
                continue;
            }
            let e = EntityId::new(Kind::QaReview, review.id.clone());
            d.push(set(&e, None, r.reveal_field(), reveal.as_str()));
            out.revealed.push(reference);
        }
        if !d.is_empty() {
            self.commit(d)?;
        }
        Ok(out)
    }

    /// Settle a pass/fail disagreement, as the review's named reconciler.
    pub fn reconcile_qa(&self, engagement: &str, id: &str, scores: &[u32], note: Option<&str>) -> Result<QaReview> {
        self.require_identity()?;
        let review = self.qa_review(engagement, id)?;
        let me = self.identity().actor.clone();
        let reference = review.reference().to_string();
        if review.reconciler != me {
            return Err(invalid(
                format!("{me} is not the reconciler of {reference} ({} is)", review.reconciler),
                format!("{me} 不是 {reference} 的裁定人（裁定人为 {}）", review.reconciler),
            ));
        }
        match review.disagree() {
            None => {
                return Err(invalid(
                    format!("{reference}: both raters' scores are revealed before reconciling"),
                    format!("{reference}：两名评分人的评分揭示后才能裁定"),
                ));
            }
            Some(false) => {
                return Err(invalid(
                    format!("{reference}: the raters agree on pass/fail; there is nothing to reconcile"),
                    format!("{reference}：两名评分人合格判定一致，无需裁定"),
                ));
            }
            Some(true) => {}
        }
        if review.reconciled.is_some() {
            return Err(invalid(
                format!("{reference} is already reconciled"),
                format!("{reference} 已裁定"),
            ));
        }
        checked(&review, scores)?;
        let e = EntityId::new(Kind::QaReview, review.id.clone());
        let mut d = vec![set(&e, None, F::Reconciled, qa::format_scores(scores))];
        if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
            d.push(set(&e, None, F::Note, Value::from(n)));
        }
        self.commit(d)?;
        self.qa_review(engagement, &review.id)
    }

    /// The names of an engagement's rounds, in the order planned.
    pub fn qa_rounds(&self, engagement: &str) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for r in self.qa_reviews(engagement)? {
            if !out.contains(&r.round) {
                out.push(r.round);
            }
        }
        Ok(out)
    }

    /// A round's state and figures; `round` may be left out when the
    /// engagement has one.
    pub fn qa_round(&self, engagement: &str, round: Option<&str>) -> Result<QaRound> {
        let rounds = self.qa_rounds(engagement)?;
        let round = match round {
            Some(r) if rounds.iter().any(|x| x == r) => r.to_string(),
            Some(r) => {
                let r = crate::text::visible(r).into_owned();
                return Err(invalid(
                    format!("{engagement} has no QA round `{r}` (rounds: {})", rounds.join(", ")),
                    format!("{engagement} 没有质检复核批次 `{r}`（现有：{}）", rounds.join("、")),
                ));
            }
            None if rounds.len() == 1 => rounds[0].clone(),
            None if rounds.is_empty() => {
                return Err(invalid(
                    format!("{engagement} has no QA round yet: plan one with `cscaudit qa plan`"),
                    format!("{engagement} 还没有质检复核批次：请用 `cscaudit qa plan` 安排"),
                ));
            }
            None => {
                return Err(invalid(
                    format!(
                        "{engagement} has {} QA rounds: name one with --round ({})",
                        rounds.len(),
                        rounds.join(", ")
                    ),
                    format!(
                        "{engagement} 有 {} 个质检复核批次：请用 --round 指定（{}）",
                        rounds.len(),
                        rounds.join("、")
                    ),
                ));
            }
        };
        let reviews: Vec<QaReview> = self
            .qa_reviews(engagement)?
            .into_iter()
            .filter(|r| r.round == round)
            .collect();
        Ok(round_figures(engagement, &round, &reviews))
    }

    /// Record the reconciled pass rate of a round as `indicator`'s measured
    /// value (its metric is `qa_pass_rate`), with the round's ratings and
    /// figures as evidence. Refused while any review is unscored or any
    /// disagreement unsettled.
    pub fn record_qa(
        &self,
        engagement: &str,
        round: Option<&str>,
        indicator: &str,
    ) -> Result<crate::model::assessment::Assessment> {
        let fig = self.qa_round(engagement, round)?;
        let reviews: Vec<QaReview> = self
            .qa_reviews(engagement)?
            .into_iter()
            .filter(|r| r.round == fig.round)
            .collect();
        let missing = fig.reviews - fig.revealed;
        if missing > 0 {
            return Err(invalid(
                format!(
                    "{missing} of {} reviews of `{}` are not scored and revealed by both raters: nothing was recorded",
                    fig.reviews, fig.round
                ),
                format!(
                    "`{}` 的 {} 条复核中有 {missing} 条尚未由两名评分人评分并揭示：未记录任何内容",
                    fig.round, fig.reviews
                ),
            ));
        }
        let (pairs, settled) = pass_pairs(&reviews);
        let mut a = agreement::agreement(&pairs).map_err(|e| invalid(e.clone(), e))?;
        agreement::settle(&mut a, &pairs, &settled);
        let csv = ratings_csv(&reviews);
        let json =
            serde_json::to_vec_pretty(&fig).map_err(|e| AppError::Invalid(crate::message::Msg::same(e.to_string())))?;
        let name = format!("qa-{}.csv", fig.round.replace(['/', '\\', ' '], "_"));
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&csv))
        };
        let mut s = super::sources::qa_figures(&a, &csv)?;
        s.json = json;
        s.schema = fig.schema;
        s.files = vec![(name.as_str(), sha.as_str())];
        s.more = vec![(
            name.clone(),
            csv,
            "the two auditors' blind scores and the reconciliation",
        )];
        self.record_source(engagement, indicator, s)
    }
}

/// The review's pinned card, once `scores` fit it (the refusal lists the
/// items).
fn checked(review: &QaReview, scores: &[u32]) -> Result<Card> {
    let card = review.card().map_err(|e| invalid(e.clone(), e))?;
    card.check(scores).map_err(|e| {
        let reference = review.reference();
        invalid(
            format!("{reference}: {e} (the items: {})", item_list(&card)),
            format!("{reference}：{e}（评分项：{}）", item_list(&card)),
        )
    })?;
    Ok(card)
}

fn item_list(card: &Card) -> String {
    card.items
        .iter()
        .map(|i| format!("{} ≤{}{}", i.id, i.points, if i.fatal { "!" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pass_label(p: bool) -> Rating {
    Rating::Label(if p { "pass" } else { "fail" }.into())
}

/// (item, A's verdict, B's verdict) of each revealed review, and the
/// reconciler's verdict where given.
/// (item, rater A's rating, rater B's rating) as `agreement` takes them.
type Pairs = Vec<(String, Rating, Rating)>;

fn pass_pairs(reviews: &[QaReview]) -> (Pairs, Vec<Option<Rating>>) {
    let mut pairs = Vec::new();
    let mut settled = Vec::new();
    for r in reviews {
        let (Ok(card), Some(a), Some(b)) = (r.card(), r.scores(Rater::A), r.scores(Rater::B)) else {
            continue;
        };
        pairs.push((
            r.reference().to_string(),
            pass_label(card.verdict(&a).pass),
            pass_label(card.verdict(&b).pass),
        ));
        settled.push(
            r.reconciled
                .as_deref()
                .and_then(|s| qa::parse_scores(s).ok())
                .map(|s| pass_label(card.verdict(&s).pass)),
        );
    }
    (pairs, settled)
}

/// The round as a ratings CSV `qa agreement --ratings` reads back:
/// `item,contact,rater_a,rater_b,reconciled,total_a,total_b`.
pub fn ratings_csv(reviews: &[QaReview]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "item",
        "contact",
        "rater_a",
        "rater_b",
        "reconciled",
        "total_a",
        "total_b",
    ]);
    for r in reviews {
        let (Ok(card), Some(a), Some(b)) = (r.card(), r.scores(Rater::A), r.scores(Rater::B)) else {
            continue;
        };
        let (va, vb) = (card.verdict(&a), card.verdict(&b));
        let word = |p: bool| if p { "pass" } else { "fail" };
        let rec = r
            .reconciled
            .as_deref()
            .and_then(|s| qa::parse_scores(s).ok())
            .map_or(String::new(), |s| word(card.verdict(&s).pass).to_string());
        let _ = w.write_record([
            r.reference(),
            crate::text::visible(&r.item).as_ref(),
            word(va.pass),
            word(vb.pass),
            rec.as_str(),
            &va.total.to_string(),
            &vb.total.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The figures of a round's reviews.
pub fn round_figures(engagement: &str, round: &str, reviews: &[QaReview]) -> QaRound {
    let first = reviews.first();
    let pick = |f: fn(&QaReview) -> &String| first.map(|r| f(r).clone()).unwrap_or_default();
    let (pairs, settled) = pass_pairs(reviews);
    let a: Option<Agreement> = agreement::agreement(&pairs).ok().map(|mut a| {
        agreement::settle(&mut a, &pairs, &settled);
        a
    });
    let bands: Vec<(String, Rating, Rating)> = reviews
        .iter()
        .filter_map(|r| {
            let card = r.card().ok()?;
            let (x, y) = (r.scores(Rater::A)?, r.scores(Rater::B)?);
            Some((
                r.reference().to_string(),
                Rating::Score(i64::from(card.verdict(&x).band)),
                Rating::Score(i64::from(card.verdict(&y).band)),
            ))
        })
        .collect();
    let weighted_kappa = agreement::agreement(&bands).ok().and_then(|a| a.weighted_kappa);
    let disagreements: Vec<QaDisagreement> = reviews
        .iter()
        .filter(|r| r.disagree() == Some(true))
        .filter_map(|r| {
            let card = r.card().ok()?;
            let (x, y) = (card.verdict(&r.scores(Rater::A)?), card.verdict(&r.scores(Rater::B)?));
            Some(QaDisagreement {
                review: r.reference().to_string(),
                item: r.item.clone(),
                total_a: x.total,
                total_b: y.total,
                pass_a: x.pass,
                pass_b: y.pass,
                reconciled: r.final_pass().filter(|_| r.reconciled.is_some()),
            })
        })
        .collect();
    let n = reviews.len() as u64;
    let revealed = reviews.iter().filter(|r| r.revealed()).count() as u64;
    let complete = revealed == n && n > 0;
    QaRound {
        schema: "cscaudit.qa-round/1",
        engagement: engagement.to_string(),
        round: round.to_string(),
        scorecard: pick(|r| &r.scorecard),
        draw: pick(|r| &r.draw),
        rater_a: pick(|r| &r.rater_a),
        rater_b: pick(|r| &r.rater_b),
        reconciler: pick(|r| &r.reconciler),
        reviews: n,
        sealed_a: reviews.iter().filter(|r| r.seal_a.is_some()).count() as u64,
        sealed_b: reviews.iter().filter(|r| r.seal_b.is_some()).count() as u64,
        revealed,
        observed_agreement: a.as_ref().map(|a| a.observed_agreement),
        kappa: a.as_ref().and_then(|a| a.kappa),
        weighted_kappa,
        reconciled: a.as_ref().map_or(0, |a| a.reconciled),
        unresolved: a.as_ref().map_or(0, |a| a.unresolved),
        passed: a.as_ref().and_then(|a| a.passed).filter(|_| complete),
        pass_rate: a.as_ref().and_then(|a| a.pass_rate).filter(|_| complete),
        disagreements,
    }
}
