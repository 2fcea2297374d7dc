//! Indicator catalogues: the data an audit checklist is built from.
//!
//! A catalogue is TOML (see `catalogs/gbt32312-2015.toml`). Parsing rejects
//! unknown fields, and every semantic error (duplicate id, unknown group, bad
//! weight) names the line, the column and the field it is about.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// The catalogue embedded in the binary.
pub const EMBEDDED_GBT32312: &str = include_str!("../../catalogs/gbt32312-2015.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
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
    pub weight: f64,
    /// Formula id when the value can be computed from call records (`asa`, ...).
    pub metric: Option<String>,
    pub variant: Option<String>,
    pub threshold_s: Option<u32>,
    pub evidence_zh: String,
    pub evidence_en: String,
    /// `term-2.3`, `term-2.4`, `term-2.5` for the standard's defined terms, else `provisional`.
    pub provenance: String,
}

impl Indicator {
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }
    pub fn evidence_hint(&self, zh: bool) -> &str {
        if zh { &self.evidence_zh } else { &self.evidence_en }
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
}

impl Catalog {
    pub fn embedded() -> Catalog {
        // The embedded file is checked by a test; failure here is a build defect.
        parse(EMBEDDED_GBT32312, "catalogs/gbt32312-2015.toml")
            .unwrap_or_else(|e| panic!("embedded catalogue is invalid: {e}"))
    }
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

/// A catalogue problem located in its source file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    catalog: RawHeader,
    #[serde(default)]
    group: Vec<RawGroup>,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    version: String,
    provisional: bool,
    title_zh: String,
    title_en: String,
    standard: Option<String>,
    score_scale: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    parent: Option<Spanned<String>>,
    name_zh: String,
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    group: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    unit: Unit,
    direction: Direction,
    target: Option<f64>,
    target_basis: Option<String>,
    weight: Spanned<f64>,
    metric: Option<Spanned<String>>,
    variant: Option<String>,
    threshold_s: Option<u32>,
    evidence_zh: String,
    evidence_en: String,
    provenance: Spanned<String>,
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
];

/// Prefix a parser message with the key on the offending line, when it does not
/// already name a field (serde names missing and unknown fields itself).
pub fn name_field(src: &str, offset: usize, message: &str) -> String {
    if message.contains("field `") {
        return message.to_string();
    }
    let offset = offset.min(src.len());
    let start = src[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line = src[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() && !key.trim_start().starts_with('[') => {
            format!("field `{}`: {message}", key.trim())
        }
        _ => message.to_string(),
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |p| before[p + 1..].chars().count())
        + 1;
    (line, col)
}

/// Parse and validate a catalogue. `file` is used in error messages only.
pub fn parse(src: &str, file: &str) -> Result<Catalog, CatalogError> {
    let err_at = |offset: usize, message: String| {
        let (line, column) = line_col(src, offset);
        CatalogError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        err_at(offset, name_field(src, offset, e.message().trim()))
    })?;

    let mut group_ids = BTreeSet::new();
    for g in &raw.group {
        if !valid_id(g.id.get_ref()) {
            return Err(err_at(
                g.id.span().start,
                format!(
                    "field `id`: `{}` is not a valid id (letters, digits, `.`, `-`, `_`)",
                    g.id.get_ref()
                ),
            ));
        }
        if !group_ids.insert(g.id.get_ref().clone()) {
            return Err(err_at(
                g.id.span().start,
                format!("field `id`: duplicate group id `{}`", g.id.get_ref()),
            ));
        }
    }
    for g in &raw.group {
        if let Some(p) = &g.parent {
            if !group_ids.contains(p.get_ref()) {
                return Err(err_at(
                    p.span().start,
                    format!("field `parent`: unknown group `{}`", p.get_ref()),
                ));
            }
            if p.get_ref() == g.id.get_ref() {
                return Err(err_at(
                    p.span().start,
                    "field `parent`: a group cannot be its own parent".into(),
                ));
            }
        }
    }
    // Parent chains must end at a top level (no cycles).
    let parents: BTreeMap<&str, Option<&str>> = raw
        .group
        .iter()
        .map(|g| (g.id.get_ref().as_str(), g.parent.as_ref().map(|p| p.get_ref().as_str())))
        .collect();
    for g in &raw.group {
        let mut cur = g.id.get_ref().as_str();
        let mut steps = 0;
        while let Some(Some(p)) = parents.get(cur) {
            cur = p;
            steps += 1;
            if steps > parents.len() {
                return Err(err_at(
                    g.id.span().start,
                    format!("field `parent`: group `{}` is in a parent cycle", g.id.get_ref()),
                ));
            }
        }
    }
    if raw.indicator.is_empty() {
        return Err(err_at(0, "the catalogue has no [[indicator]] entries".into()));
    }
    let mut ind_ids = BTreeSet::new();
    let mut indicators = Vec::with_capacity(raw.indicator.len());
    for i in raw.indicator {
        let id = i.id.get_ref();
        if !valid_id(id) {
            return Err(err_at(
                i.id.span().start,
                format!("field `id`: `{id}` is not a valid id (letters, digits, `.`, `-`, `_`)"),
            ));
        }
        if !ind_ids.insert(id.clone()) {
            return Err(err_at(
                i.id.span().start,
                format!("field `id`: duplicate indicator id `{id}`"),
            ));
        }
        if !group_ids.contains(i.group.get_ref()) {
            return Err(err_at(
                i.group.span().start,
                format!(
                    "field `group`: unknown group `{}` for indicator `{id}`",
                    i.group.get_ref()
                ),
            ));
        }
        for (field, v) in [("name_zh", &i.name_zh), ("name_en", &i.name_en)] {
            if v.get_ref().trim().is_empty() {
                return Err(err_at(
                    v.span().start,
                    format!("field `{field}`: empty name for indicator `{id}`"),
                ));
            }
        }
        let w = *i.weight.get_ref();
        if !(w.is_finite() && w >= 0.0) {
            return Err(err_at(
                i.weight.span().start,
                format!("field `weight`: must be a number ≥ 0, found {w}"),
            ));
        }
        if let Some(m) = &i.metric
            && !KNOWN_METRICS.contains(&m.get_ref().as_str())
        {
            return Err(err_at(
                m.span().start,
                format!(
                    "field `metric`: unknown metric `{}` (known: {})",
                    m.get_ref(),
                    KNOWN_METRICS.join(", ")
                ),
            ));
        }
        let prov = i.provenance.get_ref();
        if !(prov == "provisional" || prov.starts_with("term-") || prov.starts_with("clause-") || prov == "licensed") {
            return Err(err_at(
                i.provenance.span().start,
                format!("field `provenance`: `{prov}` must be `provisional`, `licensed`, `term-N.N` or `clause-N.N`"),
            ));
        }
        indicators.push(Indicator {
            id: id.clone(),
            group: i.group.into_inner(),
            name_zh: i.name_zh.into_inner(),
            name_en: i.name_en.into_inner(),
            unit: i.unit,
            direction: i.direction,
            target: i.target,
            target_basis: i.target_basis,
            weight: w,
            metric: i.metric.map(Spanned::into_inner),
            variant: i.variant,
            threshold_s: i.threshold_s,
            evidence_zh: i.evidence_zh,
            evidence_en: i.evidence_en,
            provenance: prov.clone(),
        });
    }
    let score_scale = match raw.catalog.score_scale {
        Some(s) if !(s.get_ref().is_finite() && *s.get_ref() > 0.0) => {
            return Err(err_at(
                s.span().start,
                "field `score_scale`: must be a number > 0".into(),
            ));
        }
        Some(s) => s.into_inner(),
        None => 5.0,
    };
    Ok(Catalog {
        id: raw.catalog.id,
        version: raw.catalog.version,
        provisional: raw.catalog.provisional,
        title_zh: raw.catalog.title_zh,
        title_en: raw.catalog.title_en,
        standard: raw.catalog.standard,
        score_scale,
        groups: raw
            .group
            .into_iter()
            .map(|g| Group {
                id: g.id.into_inner(),
                parent: g.parent.map(Spanned::into_inner),
                name_zh: g.name_zh,
                name_en: g.name_en,
            })
            .collect(),
        indicators,
    })
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_loads_with_required_shape() {
        let c = Catalog::embedded();
        assert_eq!(c.id, "gbt32312-2015");
        assert!(c.provisional);
        assert!(c.indicators.len() >= 22, "{} indicators", c.indicators.len());
        let tops: Vec<_> = c.top_groups().map(|g| g.name_zh.as_str()).collect();
        assert_eq!(tops, vec!["服务能力", "服务效果"]);
        for i in &c.indicators {
            assert_eq!(c.path_of(i).len(), 2, "{} is not under a second-level group", i.id);
        }
        let terms: BTreeSet<_> = c.indicators.iter().map(|i| i.provenance.as_str()).collect();
        for t in ["term-2.3", "term-2.4", "term-2.5", "provisional"] {
            assert!(terms.contains(t), "missing provenance {t}");
        }
        let asa = c.indicator("AC-03").unwrap();
        assert_eq!(asa.metric.as_deref(), Some("asa"));
        assert_eq!(asa.meets_target(14.0), Some(true));
        assert_eq!(asa.meets_target(16.0), Some(false));
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        assert_eq!(line_col("a\n中文x", 8), (2, 3));
    }
}
