//! Quality-monitoring re-scoring by two auditors, blind.
//!
//! A lead plans a round: a sample of recorded contacts, one `QaReview`
//! record each (`ENGAGEMENT/QA-001`), naming two raters and a third person
//! who reconciles, and pinning the scorecard (items, points, fatal items,
//! pass mark) in the record itself so every copy judges scores alike.
//!
//! Blindness is kept by the signed history, not by trust: a rater first
//! writes only a **seal**, SHA-256 of `salt:scores`, the scores and salt
//! staying on the rater's own copy. Only once both seals are in may either
//! rater **reveal** (write `salt:scores`), and the reveal must hash to the
//! seal. So neither sees the other's scores before committing to their own,
//! and neither can change theirs after seeing the other's. Seals are fixed
//! once anyone has revealed.

use super::fields::QaField as F;
use super::ops::{Record, RecordError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One item of a pinned scorecard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardItem {
    pub id: String,
    /// The most points the item gives.
    pub points: u32,
    /// A fatal item scored 0 fails the contact whatever the total.
    pub fatal: bool,
}

/// A scorecard as pinned in a review: `pass=80;bands=60,70,80,90;Q1=10;F1=!20`
/// (`!` marks a fatal item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Card {
    pub pass_mark: u32,
    /// Lower bounds of the total-score bands above the lowest (for the
    /// weighted κ), ascending.
    pub bands: Vec<u32>,
    pub items: Vec<CardItem>,
}

/// The most items a scorecard may hold.
pub const MAX_ITEMS: usize = 100;
/// The most points one item may give.
pub const MAX_POINTS: u32 = 1000;

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Card {
    pub fn parse(spec: &str) -> Result<Card, String> {
        let mut pass_mark = None;
        let mut bands = Vec::new();
        let mut items: Vec<CardItem> = Vec::new();
        for part in spec.split(';') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not `name=value`"))?;
            match k {
                "pass" => {
                    pass_mark = Some(
                        v.parse::<u32>()
                            .map_err(|_| format!("pass mark `{v}` is not a whole number"))?,
                    )
                }
                "bands" => {
                    for b in v.split(',').filter(|b| !b.is_empty()) {
                        bands.push(
                            b.parse::<u32>()
                                .map_err(|_| format!("band `{b}` is not a whole number"))?,
                        );
                    }
                    if bands.windows(2).any(|w| w[0] >= w[1]) {
                        return Err("bands must rise".into());
                    }
                }
                id => {
                    if !valid_id(id) {
                        return Err(format!("`{id}` is not an item id"));
                    }
                    if items.iter().any(|i| i.id == id) {
                        return Err(format!("item `{id}` twice"));
                    }
                    let (fatal, n) = match v.strip_prefix('!') {
                        Some(n) => (true, n),
                        None => (false, v),
                    };
                    let points = n
                        .parse::<u32>()
                        .ok()
                        .filter(|p| (1..=MAX_POINTS).contains(p))
                        .ok_or_else(|| format!("item `{id}`: `{n}` is not 1 to {MAX_POINTS} points"))?;
                    items.push(CardItem {
                        id: id.to_string(),
                        points,
                        fatal,
                    });
                }
            }
        }
        if items.is_empty() || items.len() > MAX_ITEMS {
            return Err(format!("a scorecard has 1 to {MAX_ITEMS} items"));
        }
        let pass_mark = pass_mark.ok_or("the scorecard has no pass mark")?;
        let card = Card {
            pass_mark,
            bands,
            items,
        };
        if pass_mark > card.max_total() {
            return Err(format!(
                "the pass mark {pass_mark} is above the most points, {}",
                card.max_total()
            ));
        }
        Ok(card)
    }

    pub fn spec(&self) -> String {
        let mut s = format!("pass={}", self.pass_mark);
        if !self.bands.is_empty() {
            let b: Vec<String> = self.bands.iter().map(u32::to_string).collect();
            s.push_str(&format!(";bands={}", b.join(",")));
        }
        for i in &self.items {
            s.push_str(&format!(";{}={}{}", i.id, if i.fatal { "!" } else { "" }, i.points));
        }
        s
    }

    pub fn max_total(&self) -> u32 {
        self.items.iter().map(|i| i.points).sum()
    }

    /// Check one rater's scores against the card: one score per item, none
    /// above its points, a fatal item either failed (0) or met in full.
    pub fn check(&self, scores: &[u32]) -> Result<(), String> {
        if scores.len() != self.items.len() {
            return Err(format!(
                "{} scores for a scorecard of {} items",
                scores.len(),
                self.items.len()
            ));
        }
        for (i, s) in self.items.iter().zip(scores) {
            if *s > i.points {
                return Err(format!("{}: {s} is above its {} points", i.id, i.points));
            }
            if i.fatal && *s != 0 && *s != i.points {
                return Err(format!("{} is a fatal item: 0 (failed) or {} (met)", i.id, i.points));
            }
        }
        Ok(())
    }

    pub fn verdict(&self, scores: &[u32]) -> Verdict {
        let total = scores.iter().sum();
        let fatal_failed: Vec<String> = self
            .items
            .iter()
            .zip(scores)
            .filter(|(i, s)| i.fatal && **s == 0)
            .map(|(i, _)| i.id.clone())
            .collect();
        Verdict {
            total,
            pass: fatal_failed.is_empty() && total >= self.pass_mark,
            fatal_failed,
            band: self.bands.iter().filter(|b| total >= **b).count() as u32,
        }
    }
}

/// What one set of scores comes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub total: u32,
    pub pass: bool,
    pub fatal_failed: Vec<String>,
    /// The total's band (0 = below the first band bound).
    pub band: u32,
}

/// `5,10,0` → scores.
pub fn parse_scores(s: &str) -> Result<Vec<u32>, String> {
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{x}` is not a whole number of points"))
        })
        .collect()
}

pub fn format_scores(s: &[u32]) -> String {
    s.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// The seal of a reveal (`salt:scores`): SHA-256, hex.
pub fn seal_of(reveal: &str) -> String {
    hex::encode(Sha256::digest(reveal.as_bytes()))
}

/// The scores of a reveal `salt:scores` (the salt: 32 hex digits).
pub fn reveal_scores(reveal: &str) -> Result<Vec<u32>, String> {
    let (salt, scores) = reveal.split_once(':').ok_or("a reveal is `salt:scores`")?;
    if salt.len() != 32 || !salt.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a reveal's salt is 32 hex digits".into());
    }
    parse_scores(scores)
}

/// Which of the two raters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rater {
    A,
    B,
}

impl Rater {
    pub fn other(self) -> Rater {
        match self {
            Rater::A => Rater::B,
            Rater::B => Rater::A,
        }
    }
    pub fn seal_field(self) -> F {
        match self {
            Rater::A => F::SealA,
            Rater::B => F::SealB,
        }
    }
    pub fn reveal_field(self) -> F {
        match self {
            Rater::A => F::RevealA,
            Rater::B => F::RevealB,
        }
    }
    pub fn name_field(self) -> F {
        match self {
            Rater::A => F::RaterA,
            Rater::B => F::RaterB,
        }
    }
}

/// One contact of a re-scoring round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QaReview {
    /// `ENGAGEMENT/QA-001`.
    pub id: String,
    pub engagement: String,
    pub round: String,
    /// The contact re-scored (a recording or call id from the sample).
    pub item: String,
    /// The pinned scorecard (`Card::spec`).
    pub scorecard: String,
    /// How the sample was drawn (seed, frame hash).
    pub draw: String,
    pub rater_a: String,
    pub rater_b: String,
    pub reconciler: String,
    pub seal_a: Option<String>,
    pub seal_b: Option<String>,
    pub reveal_a: Option<String>,
    pub reveal_b: Option<String>,
    /// The reconciler's scores, where the raters' verdicts differ.
    pub reconciled: Option<String>,
    pub note: String,
}

impl QaReview {
    pub fn record_id(engagement: &str, n: u32) -> String {
        format!("{engagement}/QA-{n:03}")
    }

    /// `QA-001` of `E/QA-001`.
    pub fn reference(&self) -> &str {
        self.id.rsplit_once('/').map_or(&self.id, |(_, r)| r)
    }

    pub fn from_record(r: &Record) -> Result<QaReview, RecordError> {
        Ok(QaReview {
            id: r.entity.id.clone(),
            engagement: r.text(F::Engagement),
            round: r.text(F::Round),
            item: r.text(F::Item),
            scorecard: r.text(F::Scorecard),
            draw: r.text(F::Draw),
            rater_a: r.text(F::RaterA),
            rater_b: r.text(F::RaterB),
            reconciler: r.text(F::Reconciler),
            seal_a: r.opt_text(F::SealA),
            seal_b: r.opt_text(F::SealB),
            reveal_a: r.opt_text(F::RevealA),
            reveal_b: r.opt_text(F::RevealB),
            reconciled: r.opt_text(F::Reconciled),
            note: r.text(F::Note),
        })
    }

    pub fn card(&self) -> Result<Card, String> {
        Card::parse(&self.scorecard)
    }

    /// Which rater `actor` is, if either.
    pub fn rater(&self, actor: &str) -> Option<Rater> {
        if self.rater_a == actor {
            Some(Rater::A)
        } else if self.rater_b == actor {
            Some(Rater::B)
        } else {
            None
        }
    }

    pub fn seal(&self, r: Rater) -> Option<&str> {
        match r {
            Rater::A => self.seal_a.as_deref(),
            Rater::B => self.seal_b.as_deref(),
        }
    }

    pub fn reveal(&self, r: Rater) -> Option<&str> {
        match r {
            Rater::A => self.reveal_a.as_deref(),
            Rater::B => self.reveal_b.as_deref(),
        }
    }

    /// A rater's revealed scores (`None` until revealed, or unreadable, or
    /// not what was sealed: every copy judges the merged record again).
    pub fn scores(&self, r: Rater) -> Option<Vec<u32>> {
        let v = self.reveal(r)?;
        if self.seal(r) != Some(seal_of(v).as_str()) || !self.sound() {
            return None;
        }
        reveal_scores(v).ok()
    }

    /// Two raters and a reconciler, three different people.
    pub fn sound(&self) -> bool {
        let p = [&self.rater_a, &self.rater_b, &self.reconciler];
        p.iter().all(|x| !x.is_empty()) && p[0] != p[1] && p[0] != p[2] && p[1] != p[2]
    }

    /// Both scores revealed (and each what was sealed).
    pub fn revealed(&self) -> bool {
        self.scores(Rater::A).is_some() && self.scores(Rater::B).is_some()
    }

    /// The two raters' verdicts differ on pass/fail (only once both are in).
    pub fn disagree(&self) -> Option<bool> {
        let card = self.card().ok()?;
        let (a, b) = (self.scores(Rater::A)?, self.scores(Rater::B)?);
        Some(card.verdict(&a).pass != card.verdict(&b).pass)
    }

    /// The final verdict: the raters' when they agree, the reconciler's
    /// when they do not (`None` while either is missing).
    pub fn final_pass(&self) -> Option<bool> {
        let card = self.card().ok()?;
        if self.disagree()? {
            let r = parse_scores(self.reconciled.as_deref()?).ok()?;
            Some(card.verdict(&r).pass)
        } else {
            Some(card.verdict(&self.scores(Rater::A)?).pass)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_reads_back_and_judges_fatal_items_and_the_pass_mark() {
        let c = Card::parse("pass=80;bands=60,70,80,90;Q1=40;Q2=40;F1=!20").unwrap();
        assert_eq!(Card::parse(&c.spec()).unwrap(), c);
        assert_eq!(c.max_total(), 100);
        let v = c.verdict(&[40, 40, 20]);
        assert!(v.pass);
        assert_eq!(v.band, 4);
        let v = c.verdict(&[40, 40, 0]);
        assert!(!v.pass, "a failed fatal item fails whatever the total");
        assert_eq!(v.fatal_failed, vec!["F1".to_string()]);
        assert!(!c.verdict(&[30, 29, 20]).pass);
        assert_eq!(c.verdict(&[30, 29, 20]).band, 2);
        assert!(c.check(&[40, 40, 10]).is_err(), "a fatal item is met or failed");
        assert!(c.check(&[41, 40, 20]).is_err());
        assert!(c.check(&[40, 40]).is_err());
        assert!(Card::parse("pass=101;Q1=100").is_err());
        assert!(Card::parse("pass=50;Q1=10;Q1=10").is_err());
        assert!(Card::parse("pass=50;bands=70,60;Q1=100").is_err());
    }

    #[test]
    fn a_reveal_opens_its_own_seal_only() {
        let r = "00112233445566778899aabbccddeeff:40,40,20";
        assert_eq!(reveal_scores(r).unwrap(), vec![40, 40, 20]);
        assert_ne!(seal_of(r), seal_of("00112233445566778899aabbccddeeff:40,40,0"));
        assert!(reveal_scores("short:1,2").is_err());
    }
}
