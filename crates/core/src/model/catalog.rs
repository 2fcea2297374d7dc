//! Indicator catalogues: the data an audit checklist is built from.
//!
//! A catalogue is TOML (see `catalogs/gbt32312-2015.toml`), read by
//! `config::parse_catalog`; these are its types and queries.

use serde::{Deserialize, Serialize};

/// The catalogue embedded in the binary.
pub const EMBEDDED_GBT32312: &str = include_str!("../../../../catalogs/gbt32312-2015.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Percent,
    Seconds,
    Hours,
    Count,
    #[serde(rename = "per-10k")]
    Per10k,
    YesNo,
    Score,
}

impl Unit {
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Seconds => "s",
            Unit::Hours => "h",
            Unit::Count => "",
            Unit::Per10k => "‱",
            Unit::YesNo => "",
            Unit::Score => "pt",
        }
    }
    pub fn label(self, zh: bool) -> &'static str {
        let (en, cn) = match self {
            Unit::Percent => ("percent", "百分比"),
            Unit::Seconds => ("seconds", "秒"),
            Unit::Hours => ("hours", "小时"),
            Unit::Count => ("count", "数量"),
            Unit::Per10k => ("per 10,000", "万分比"),
            Unit::YesNo => ("yes / no", "是 / 否"),
            Unit::Score => ("score", "分值"),
        };
        if zh { cn } else { en }
    }
    /// A value formatted with its unit (yes/no as 是/否 or yes/no).
    pub fn format(self, v: f64, zh: bool) -> String {
        match self {
            Unit::YesNo => match (v >= 0.5, zh) {
                (true, true) => "是".into(),
                (false, true) => "否".into(),
                (true, false) => "yes".into(),
                (false, false) => "no".into(),
            },
            Unit::Count => trim_float(v),
            _ => format!("{}{}", trim_float(v), self.symbol()),
        }
    }
}

fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

impl Group {
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub group: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Direction,
    pub target: Option<f64>,
    pub target_basis: Option<String>,
    pub target_basis_zh: Option<String>,
    pub weight: f64,
    /// Formula id when the value can be computed from call records (`asa`, ...).
    pub metric: Option<String>,
    pub variant: Option<String>,
    pub threshold_s: Option<u32>,
    /// Where the definition comes from (a document and its article).
    #[serde(default)]
    pub source: Option<String>,
    /// The formula in words; `formula_zh` in Chinese.
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub formula_zh: Option<String>,
    pub evidence_zh: String,
    pub evidence_en: String,
    /// `term-2.3`, `term-2.4`, `term-2.5` for the standard's defined terms, else `provisional`.
    pub provenance: String,
    /// Points the indicator is worth when the catalogue scores in points
    /// (`[points]`); its weight when not given.
    #[serde(default)]
    pub points: Option<f64>,
}

impl Indicator {
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }
    /// The target in words: `≥80%`, `≤15s`, or just `yes` for a yes/no indicator.
    pub fn target_text(&self, zh: bool) -> Option<String> {
        let t = self.target?;
        if self.unit == Unit::YesNo {
            return Some(self.unit.format(t, zh));
        }
        let dir = match self.direction {
            Direction::Higher => "≥",
            Direction::Lower => "≤",
        };
        Some(format!("{dir}{}", self.unit.format(t, zh)))
    }
    /// The formula in the language (English when a catalogue gives no Chinese).
    pub fn formula(&self, zh: bool) -> Option<&str> {
        match (zh, &self.formula_zh) {
            (true, Some(z)) if !z.is_empty() => Some(z),
            _ => self.formula.as_deref(),
        }
    }
    /// Why the target is what it is, in the language (English when a
    /// catalogue gives no Chinese).
    pub fn target_basis(&self, zh: bool) -> Option<&str> {
        match (zh, &self.target_basis_zh) {
            (true, Some(z)) if !z.is_empty() => Some(z),
            _ => self.target_basis.as_deref(),
        }
    }
    /// Where the indicator comes from, in words: `provisional`, `licensed`,
    /// `term-2.3` (a term the standard defines), `clause-5.1`.
    pub fn provenance_text(&self, zh: bool) -> String {
        let p = self.provenance.as_str();
        if let Some(n) = p.strip_prefix("term-") {
            return if zh {
                format!("标准术语 {n}")
            } else {
                format!("standard term {n}")
            };
        }
        if let Some(n) = p.strip_prefix("clause-") {
            return if zh {
                format!("标准条款 {n}")
            } else {
                format!("standard clause {n}")
            };
        }
        match (p, zh) {
            ("provisional", true) => "暂定（非标准原文）".into(),
            ("provisional", false) => "provisional (not the standard's text)".into(),
            ("licensed", true) => "取自标准原文（已授权）".into(),
            ("licensed", false) => "from the standard's licensed text".into(),
            _ => p.to_string(),
        }
    }
    /// What to ask for as evidence, in the language (the other one when a
    /// catalogue gives only one).
    pub fn evidence_hint(&self, zh: bool) -> &str {
        let (first, other) = if zh {
            (&self.evidence_zh, &self.evidence_en)
        } else {
            (&self.evidence_en, &self.evidence_zh)
        };
        if first.trim().is_empty() { other } else { first }
    }
    /// Whether a measured value meets the target (None when there is no target).
    pub fn meets_target(&self, value: f64) -> Option<bool> {
        let t = self.target?;
        Some(match self.direction {
            Direction::Higher => value >= t,
            Direction::Lower => value <= t,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub id: String,
    pub version: String,
    pub provisional: bool,
    pub title_zh: String,
    pub title_en: String,
    pub standard: Option<String>,
    /// Highest explicit score an assessment may carry (e.g. 5 for a 0–5 scale).
    pub score_scale: f64,
    pub groups: Vec<Group>,
    pub indicators: Vec<Indicator>,
    /// The QA scorecard auditors re-score recorded contacts with (`qa`).
    #[serde(default)]
    pub scorecard: Option<QaScorecard>,
    /// Scoring in points with stars (Chinese service certifications):
    /// absent, the weighted mean.
    #[serde(default)]
    pub points: Option<PointsRule>,
}

/// How a points catalogue scores: earned ÷ applicable × 100 (an excluded,
/// not-applicable indicator leaves the denominator), less each special
/// deduction, plus a bonus up to its cap; a pass mark and star thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsRule {
    pub pass: f64,
    /// Lower bounds of three, four and five stars, rising.
    pub stars: Vec<f64>,
    /// Points off per special deduction.
    pub deduction: f64,
    /// The most a bonus may add.
    pub bonus_max: f64,
}

/// A quality-monitoring scorecard: items with points, fatal items, a pass
/// mark, and the total-score bands the weighted κ compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaScorecard {
    pub pass_mark: u32,
    pub bands: Vec<u32>,
    pub items: Vec<QaScorecardItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QaScorecardItem {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub points: u32,
    pub fatal: bool,
}

impl QaScorecard {
    /// The card as pinned in each review of a round.
    pub fn card(&self) -> super::qa::Card {
        super::qa::Card {
            pass_mark: self.pass_mark,
            bands: self.bands.clone(),
            items: self
                .items
                .iter()
                .map(|i| super::qa::CardItem {
                    id: i.id.clone(),
                    points: i.points,
                    fatal: i.fatal,
                })
                .collect(),
        }
    }
    /// An item's name in the language (its id when the card has no such item).
    pub fn name_of<'a>(&'a self, id: &'a str, zh: bool) -> &'a str {
        self.items
            .iter()
            .find(|i| i.id == id)
            .map_or(id, |i| if zh { &i.name_zh } else { &i.name_en })
    }
}

impl Catalog {
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
    pub fn top_groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter().filter(|g| g.parent.is_none())
    }
    pub fn children<'a>(&'a self, parent: &'a str) -> impl Iterator<Item = &'a Group> + 'a {
        self.groups.iter().filter(move |g| g.parent.as_deref() == Some(parent))
    }
    /// Group path from the top level down to the indicator's own group.
    pub fn path_of(&self, indicator: &Indicator) -> Vec<&Group> {
        let mut path = Vec::new();
        let mut cur = self.group(&indicator.group);
        while let Some(g) = cur {
            path.push(g);
            cur = g.parent.as_deref().and_then(|p| self.group(p));
        }
        path.reverse();
        path
    }
    /// True when the indicator sits in `group` or any of its descendants.
    pub fn in_group(&self, indicator: &Indicator, group: &str) -> bool {
        self.path_of(indicator).iter().any(|g| g.id == group)
    }
    pub fn title(&self, zh: bool) -> &str {
        if zh { &self.title_zh } else { &self.title_en }
    }
}

/// Metric formula ids the analytics engine knows how to compute or that are
/// recognised as measurable from centre records.
pub const KNOWN_METRICS: &[&str] = &[
    "service_level",
    "asa",
    "abandon_rate",
    "answer_rate",
    "aht",
    "acw",
    "occupancy",
    "adherence",
    "csat",
    "fcr",
    "talk_time",
    // From a complaint log (`metrics --source complaints`).
    "complaint_rate",
    "complaint_timeliness",
    // From a session log (`metrics --source sessions`).
    "nonphone_timeliness",
    "first_reply_sl",
    // From a recording index and the call records (`metrics --source recordings`).
    "recording_completeness",
    // From an outage log (`metrics --source outages`).
    "availability",
    // From the auditors' own re-scoring (`qa`).
    "qa_pass_rate",
];
