//! Reading indicator catalogues: unknown fields are rejected, and every
//! semantic error (duplicate id, unknown group, bad weight) names the line,
//! the column and the field it is about.

use super::toml_file::{self, ConfigError, position};
use crate::model::catalog::*;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use toml::Spanned;

/// A catalogue problem located in its source file.
pub type CatalogError = ConfigError;

/// The GB/T 32312 catalogue built into the binary.
pub fn embedded_catalog() -> Catalog {
    // The embedded file is checked by a test; failure here is a build defect.
    parse_catalog(EMBEDDED_GBT32312, "catalogs/gbt32312-2015.toml")
        .unwrap_or_else(|e| panic!("embedded catalogue is invalid: {e}"))
}

/// Load a catalogue file from disk with located errors.
pub fn load_catalog_file(path: &Path) -> Result<Catalog, CatalogError> {
    load_catalog_source(path).map(|(c, _)| c)
}

/// A catalogue and its source text (kept with an engagement), read once.
pub fn load_catalog_source(path: &Path) -> Result<(Catalog, String), CatalogError> {
    match toml_file::read(path)? {
        Some(src) => Ok((parse_catalog(&src, &path.display().to_string())?, src)),
        None => Err(ConfigError::whole(path, "cannot read file: no such file")),
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
/// An indicator catalogue file (its JSON schema is published as catalog.schema.json).
pub(super) struct RawFile {
    catalog: RawHeader,
    #[serde(default)]
    group: Vec<RawGroup>,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
    /// The QA scorecard (`cscaudit qa`): items, points, fatal items, pass mark.
    scorecard: Option<RawScorecard>,
    /// Score in points with stars instead of the weighted mean: each
    /// indicator's `points` (its weight when not given).
    points: Option<RawPoints>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPoints {
    /// The pass mark (e.g. 70).
    pass: f64,
    /// Lower bounds of three, four and five stars, rising (e.g. [80, 90, 95]).
    #[serde(default)]
    stars: Vec<f64>,
    /// Points off per special deduction (default 1).
    deduction: Option<f64>,
    /// The most a bonus adds (default 1).
    bonus_max: Option<f64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawScorecard {
    /// A contact passes with no fatal item failed and at least this total.
    pass_mark: u32,
    /// Lower bounds of the total-score bands (for the weighted kappa), rising.
    #[serde(default)]
    bands: Vec<u32>,
    item: Vec<RawScoreItem>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawScoreItem {
    id: String,
    name_zh: String,
    name_en: String,
    points: u32,
    /// Failing it (0 points) fails the contact whatever the total.
    #[serde(default)]
    fatal: bool,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    version: String,
    provisional: bool,
    title_zh: String,
    title_en: String,
    standard: Option<String>,
    #[schemars(with = "Option<f64>")]
    score_scale: Option<Spanned<f64>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "Option<String>")]
    parent: Option<Spanned<String>>,
    name_zh: String,
    name_en: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "String")]
    group: Spanned<String>,
    #[schemars(with = "String")]
    name_zh: Spanned<String>,
    #[schemars(with = "String")]
    name_en: Spanned<String>,
    unit: Unit,
    direction: Direction,
    target: Option<f64>,
    target_basis: Option<String>,
    /// The basis in Chinese (shown under zh-CN; `target_basis` otherwise).
    target_basis_zh: Option<String>,
    #[schemars(with = "f64")]
    weight: Spanned<f64>,
    #[schemars(with = "Option<String>")]
    metric: Option<Spanned<String>>,
    variant: Option<String>,
    threshold_s: Option<u32>,
    /// Where the definition comes from (a document and its article).
    source: Option<String>,
    /// The formula in words (numerator ÷ denominator and what counts).
    formula: Option<String>,
    /// The formula in Chinese (shown under zh-CN; `formula` otherwise).
    formula_zh: Option<String>,
    evidence_zh: String,
    evidence_en: String,
    #[schemars(with = "String")]
    provenance: Spanned<String>,
    /// Points the indicator is worth in a points catalogue (`[points]`).
    points: Option<f64>,
}

/// Parse and validate a catalogue. `file` is used in error messages only.
/// The most indicators a catalogue may hold (GB/T 32312's provisional set
/// has 26; organisations' own catalogues run to a few hundred). Every
/// checklist, score and report is sized by it.
pub const MAX_INDICATORS: usize = 2000;
/// The most groups a catalogue may hold.
pub const MAX_GROUPS: usize = 500;

pub fn parse_catalog(src: &str, file: &str) -> Result<Catalog, CatalogError> {
    let err_at = |offset: usize, message: String| {
        let (line, column) = position(src, offset);
        CatalogError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: RawFile = toml_file::deserialize(src, file)?;

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
    // Two levels: top groups and their sub-groups (the checklist, the lists
    // and the reports show no deeper level, so nothing may hide there).
    for g in &raw.group {
        if let Some(p) = &g.parent
            && let Some(Some(grand)) = parents.get(p.get_ref().as_str())
        {
            return Err(err_at(
                p.span().start,
                format!(
                    "field `parent`: `{}` is itself a sub-group (of `{grand}`); a catalogue has two levels: top groups and their sub-groups",
                    p.get_ref()
                ),
            ));
        }
    }
    if raw.indicator.is_empty() {
        return Err(err_at(0, "the catalogue has no [[indicator]] entries".into()));
    }
    if raw.indicator.len() > MAX_INDICATORS || raw.group.len() > MAX_GROUPS {
        let (i, g) = (raw.indicator.len(), raw.group.len());
        return Err(err_at(
            0,
            format!(
                "the catalogue has {i} indicators in {g} groups; at most {MAX_INDICATORS} indicators and {MAX_GROUPS} groups are supported (a checklist longer than that is no checklist)"
            ),
        ));
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
            target_basis_zh: i.target_basis_zh,
            weight: w,
            metric: i.metric.map(Spanned::into_inner),
            variant: i.variant,
            threshold_s: i.threshold_s,
            source: i.source,
            formula: i.formula,
            formula_zh: i.formula_zh,
            evidence_zh: i.evidence_zh,
            evidence_en: i.evidence_en,
            provenance: prov.clone(),
            points: match i.points {
                Some(p) if !(p.is_finite() && p >= 0.0) => {
                    return Err(err_at(
                        i.id.span().start,
                        format!("indicator {id}: `points` must be a number ≥ 0, found {p}"),
                    ));
                }
                p => p,
            },
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
    let scorecard = match raw.scorecard {
        None => None,
        Some(c) => {
            let card = crate::model::catalog::QaScorecard {
                pass_mark: c.pass_mark,
                bands: c.bands,
                items: c
                    .item
                    .into_iter()
                    .map(|i| crate::model::catalog::QaScorecardItem {
                        id: i.id,
                        name_zh: i.name_zh,
                        name_en: i.name_en,
                        points: i.points,
                        fatal: i.fatal,
                    })
                    .collect(),
            };
            // The same rules a pinned card is read by.
            crate::model::qa::Card::parse(&card.card().spec()).map_err(|e| err_at(0, format!("[scorecard]: {e}")))?;
            Some(card)
        }
    };
    let points = match raw.points {
        None => None,
        Some(p) => {
            let ok = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
            let rising = p.stars.windows(2).all(|w| w[0] < w[1]) && p.stars.first().is_none_or(|s| *s >= p.pass);
            let (deduction, bonus_max) = (p.deduction.unwrap_or(1.0), p.bonus_max.unwrap_or(1.0));
            if !ok(p.pass)
                || !p.stars.iter().all(|s| ok(*s))
                || !rising
                || p.stars.len() > 3
                || !ok(deduction)
                || !ok(bonus_max)
            {
                return Err(err_at(
                    0,
                    "[points]: `pass` and `stars` are 0–100, stars rising from the pass mark (at most three: 3, 4, 5 stars); `deduction` and `bonus_max` 0–100".into(),
                ));
            }
            Some(crate::model::catalog::PointsRule {
                pass: p.pass,
                stars: p.stars,
                deduction,
                bonus_max,
            })
        }
    };
    Ok(Catalog {
        points,
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
        scorecard,
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
        let c = crate::config::embedded_catalog();
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
}

#[cfg(test)]
/// Scoring (model::scoring) on the embedded catalogue, which is parsed here.
mod scoring_tests {
    use crate::model::assessment::{Assessment, AssessmentResult};
    use crate::model::scoring::score;

    fn a(ind: &str, r: AssessmentResult) -> Assessment {
        Assessment {
            result: r,
            ..Assessment::unassessed("E", ind)
        }
    }

    #[test]
    fn weighted_score_and_progress_with_not_applicable() {
        let cat = super::embedded_catalog();
        // AC-02 weight 3 conforming, AC-03 weight 2 nonconforming, AC-04 weight 2 N/A.
        let list = vec![
            a("AC-02", AssessmentResult::Conforming),
            a("AC-03", AssessmentResult::Nonconforming),
            a("AC-04", AssessmentResult::NotApplicable),
        ];
        let sc = score(&cat, &list);
        let access = sc.group("capability.access").unwrap();
        assert_eq!(access.applicable, 3); // AC-01..03; AC-04 left the denominator
        assert_eq!(access.assessed, 2);
        assert_eq!(access.nonconforming, 1);
        assert!((access.progress - 2.0 / 3.0).abs() < 1e-12);
        assert!((access.score.unwrap() - 60.0).abs() < 1e-9); // 3/(3+2)
        assert_eq!(sc.overall.applicable, cat.indicators.len() - 1);
        let cap = sc.group("capability").unwrap();
        assert_eq!(cap.assessed, 2);
        assert!(sc.group("effect").unwrap().score.is_none());
    }

    #[test]
    fn explicit_score_uses_catalogue_scale_and_partial_is_half() {
        let cat = super::embedded_catalog();
        let mut x = a("PE-01", AssessmentResult::Partially);
        x.score = Some(4.0);
        let sc = score(&cat, &[x, a("PE-02", AssessmentResult::Partially)]);
        // PE-01 w3 at 4/5, PE-02 w2 at 1/2 → (2.4 + 1.0) / 5 = 68%.
        let g = sc.group("effect.perception").unwrap();
        assert!((g.score.unwrap() - 68.0).abs() < 1e-9);
    }
}
