//! What people type, checked before anything is saved: measured values
//! against their indicator's unit, due dates (`2026-12-31`, `+30d`, `+2w`).
//! Problems are data; the layer above words them.

use super::catalog::{Indicator, Unit};
use jiff::ToSpan;
use jiff::civil::Date;

/// Why typed text was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputProblem {
    #[error("`{0}` is not a number")]
    NotANumber(String),
    #[error("`{0}` is not yes or no")]
    NotYesNo(String),
    #[error("{value} is outside {min}–{max}")]
    OutOfRange { value: f64, min: f64, max: f64 },
    #[error("{0} cannot be negative")]
    Negative(f64),
    #[error("`{0}` is not a date (YYYY-MM-DD, +30d, +2w, +3m)")]
    NotADate(String),
}

/// Parse a measured value for an indicator: percentages 0–100 (a `%` is
/// allowed), durations and counts not negative, yes/no in words (是/否 too),
/// scores within the catalogue's scale.
pub fn parse_measured(ind: &Indicator, text: &str, score_scale: f64) -> Result<f64, InputProblem> {
    let t = text.trim();
    if ind.unit == Unit::YesNo {
        return match t.to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "是" | "有" | "符合" => Ok(1.0),
            "no" | "n" | "false" | "0" | "否" | "无" | "不符合" => Ok(0.0),
            _ => Err(InputProblem::NotYesNo(t.to_string())),
        };
    }
    let number = t
        .trim_end_matches(['%', '％', 's', '秒', 'h'])
        .trim()
        .replace([',', '，'], "");
    let v: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| InputProblem::NotANumber(t.to_string()))?;
    check_measured(ind, v, score_scale)
}

/// A measured value against its indicator's unit (what [`parse_measured`]
/// checks once the text is a number; the CLI and the app pass numbers).
pub fn check_measured(ind: &Indicator, v: f64, score_scale: f64) -> Result<f64, InputProblem> {
    if !v.is_finite() {
        return Err(InputProblem::NotANumber(v.to_string()));
    }
    match ind.unit {
        Unit::YesNo if v != 0.0 && v != 1.0 => Err(InputProblem::NotYesNo(v.to_string())),
        Unit::Percent if !(0.0..=100.0).contains(&v) => Err(InputProblem::OutOfRange {
            value: v,
            min: 0.0,
            max: 100.0,
        }),
        Unit::Score if !(0.0..=score_scale).contains(&v) => Err(InputProblem::OutOfRange {
            value: v,
            min: 0.0,
            max: score_scale,
        }),
        Unit::Seconds | Unit::Hours | Unit::Count | Unit::Per10k if v < 0.0 => Err(InputProblem::Negative(v)),
        _ => Ok(v),
    }
}

/// A due date: `YYYY-MM-DD`, or days/weeks/months from `today` (`+30d`, `+2w`, `+3m`).
pub fn parse_due(text: &str, today: Date) -> Result<Date, InputProblem> {
    let t = text.trim();
    let bad = || InputProblem::NotADate(t.to_string());
    if let Some(rel) = t.strip_prefix('+') {
        let (n, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let n: i64 = n.parse().map_err(|_| bad())?;
        if n > 3650 {
            return Err(bad());
        }
        let span = match unit.trim() {
            "" | "d" | "天" => n.days(),
            "w" | "周" => (n * 7).days(),
            "m" | "月" | "个月" => n.months(),
            _ => return Err(bad()),
        };
        return today.checked_add(span).map_err(|_| bad());
    }
    t.parse::<Date>().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::Direction;
    use jiff::civil::date;

    fn ind(unit: Unit) -> Indicator {
        Indicator {
            id: "X".into(),
            group: "G".into(),
            name_zh: "x".into(),
            name_en: "x".into(),
            unit,
            direction: Direction::Higher,
            target: None,
            target_basis: None,
            target_basis_zh: None,
            weight: 1.0,
            metric: None,
            variant: None,
            threshold_s: None,
            source: None,
            formula: None,
            formula_zh: None,
            evidence_zh: String::new(),
            evidence_en: String::new(),
            provenance: "provisional".into(),
            points: None,
        }
    }

    #[test]
    fn measured_values_are_checked_against_the_unit() {
        let pct = ind(Unit::Percent);
        assert_eq!(parse_measured(&pct, "82.5", 5.0), Ok(82.5));
        assert_eq!(parse_measured(&pct, " 82.5 % ", 5.0), Ok(82.5));
        assert!(matches!(
            parse_measured(&pct, "120", 5.0),
            Err(InputProblem::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_measured(&pct, "-1", 5.0),
            Err(InputProblem::OutOfRange { .. })
        ));
        assert_eq!(
            parse_measured(&pct, "八十", 5.0),
            Err(InputProblem::NotANumber("八十".into()))
        );
        assert_eq!(
            parse_measured(&pct, "NaN", 5.0),
            Err(InputProblem::NotANumber("NaN".into()))
        );
        let secs = ind(Unit::Seconds);
        assert_eq!(parse_measured(&secs, "-3", 5.0), Err(InputProblem::Negative(-3.0)));
        assert_eq!(parse_measured(&secs, "14 s", 5.0), Ok(14.0));
        let yn = ind(Unit::YesNo);
        assert_eq!(parse_measured(&yn, "是", 5.0), Ok(1.0));
        assert_eq!(parse_measured(&yn, "No", 5.0), Ok(0.0));
        assert_eq!(
            parse_measured(&yn, "maybe", 5.0),
            Err(InputProblem::NotYesNo("maybe".into()))
        );
        let score = ind(Unit::Score);
        assert!(parse_measured(&score, "6", 5.0).is_err());
        assert_eq!(parse_measured(&score, "4.5", 5.0), Ok(4.5));
        assert_eq!(parse_measured(&ind(Unit::Count), "1,204", 5.0), Ok(1204.0));
    }

    #[test]
    fn due_dates_absolute_and_relative() {
        let today = date(2026, 11, 28);
        assert_eq!(parse_due("2026-12-31", today), Ok(date(2026, 12, 31)));
        assert_eq!(parse_due("+30d", today), Ok(date(2026, 12, 28)));
        assert_eq!(parse_due("+30", today), Ok(date(2026, 12, 28)));
        assert_eq!(parse_due("+2w", today), Ok(date(2026, 12, 12)));
        assert_eq!(parse_due("+3m", today), Ok(date(2027, 2, 28)));
        assert!(parse_due("+2x", today).is_err());
        assert!(parse_due("2026-02-30", today).is_err());
        assert!(parse_due("+99999d", today).is_err());
        assert!(parse_due("tomorrow", today).is_err());
    }
}
