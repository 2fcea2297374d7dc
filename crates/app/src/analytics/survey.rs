//! Satisfaction surveys: responses, how many were satisfied, CSAT with its
//! Wilson 95% interval, the response rate, by channel.
//!
//! The China Banking Association's service code (2010) defines 客户满意率 as
//! satisfied ÷ surveyed, the survey made by IVR, SMS, internally or by a
//! third party. A response is **satisfied** when its score reaches the
//! threshold on the stated scale (top-two-box on 1–5 by default: 4 or 5);
//! a response outside the scale is a bad row, never clamped. Text answers
//! (满意, 非常满意…) read through the layout's labels.
//!
//! Files stream (bounded memory at any size) and are hashed; see
//! [`super::records`].

use super::records::{self, Header, Rows, When, comma, entry, field, pct, wilson};
pub use super::records::{BadRow, Reading, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How to read a survey export.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyMapping {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default)]
    pub scale: Scale,
    /// Text answers and the score each stands for ("满意" = 4).
    #[serde(default)]
    pub labels: BTreeMap<String, i64>,
    #[serde(default)]
    pub formats: Formats,
    #[serde(skip)]
    pub lenient: bool,
}

/// Column names. Only `score` is required.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The answer: a whole number on the scale, or a label.
    pub score: String,
    /// The contact surveyed (an id; counted, never kept).
    pub contact: Option<String>,
    /// How the contact came in (phone, chat, app…).
    pub channel: Option<String>,
    /// When the response (or the contact) was made: for --from/--to.
    pub time: Option<String>,
}

/// The scale, and the score from which a response counts as satisfied.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    pub satisfied: i64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            min: 1,
            max: 5,
            satisfied: 4,
        }
    }
}

impl Scale {
    pub fn check(&self) -> Result<(), String> {
        if self.min >= self.max {
            return Err(format!("the scale {}–{} must run from low to high", self.min, self.max));
        }
        if self.max - self.min > 100 {
            return Err(format!("the scale {}–{} has more than 101 points", self.min, self.max));
        }
        if !(self.min..=self.max).contains(&self.satisfied) {
            return Err(format!(
                "the satisfied threshold {} is not on the scale {}–{}",
                self.satisfied, self.min, self.max
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Formats {
    /// Date or date-time formats of `time` (jiff strftime), tried in turn.
    pub date: Vec<String>,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            date: vec!["%Y-%m-%d %H:%M:%S".into(), "%Y-%m-%d".into(), "%Y/%m/%d".into()],
        }
    }
}

/// The built-in layout: `generic` (contact, channel, time, score on 1–5).
pub fn builtin(name: &str) -> Option<SurveyMapping> {
    let s = |x: &str| Some(x.to_string());
    (name == "generic").then(|| SurveyMapping {
        delimiter: comma(),
        encoding: None,
        columns: Columns {
            score: "score".into(),
            contact: s("contact"),
            channel: s("channel"),
            time: s("time"),
        },
        scale: Scale::default(),
        labels: BTreeMap::new(),
        formats: Formats::default(),
        lenient: true,
    })
}

impl SurveyMapping {
    pub fn parse(src: &str, file: &str) -> Result<SurveyMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// What to read and how.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// Overrides the layout's scale.
    pub scale: Option<Scale>,
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    /// Contacts handled in the period (surveys offered): the response rate.
    pub handled: Option<u64>,
}

/// A channel's share.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ChannelFigures {
    pub responses: u64,
    pub satisfied: u64,
    pub csat: Option<f64>,
}

/// The figures of a survey export (JSON schema `cscaudit.survey/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SurveyFigures {
    pub schema: &'static str,
    /// The files read, their rows, the bad ones and the notes.
    #[serde(flatten)]
    pub read: Reading,
    /// Responses in the period, on the scale.
    pub responses: u64,
    /// Rows outside --from/--to (or without a time when one is asked).
    pub out_of_range: u64,
    pub satisfied: u64,
    /// satisfied ÷ responses, percent.
    pub csat: Option<f64>,
    /// Wilson 95% interval of csat, percent.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub mean_score: Option<f64>,
    /// Responses by score (every point of the scale, zero included).
    pub by_score: BTreeMap<i64, u64>,
    pub by_channel: BTreeMap<String, ChannelFigures>,
    pub scale: Scale,
    pub handled: Option<u64>,
    /// responses ÷ handled, percent.
    pub response_rate: Option<f64>,
    #[serde(skip)]
    sum: i128,
}

struct Resolved {
    score: usize,
    channel: Option<usize>,
    time: Option<usize>,
    when: When,
    labels: BTreeMap<String, i64>,
}

struct Sink<'a> {
    m: &'a SurveyMapping,
    p: &'a Params,
    f: &'a mut SurveyFigures,
    r: Option<Resolved>,
}

impl Rows for Sink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.m.lenient);
        let c = &self.m.columns;
        let r = Resolved {
            score: h.need(&c.score)?,
            channel: h.opt(&c.channel)?,
            time: h.opt(&c.time)?,
            when: When::new(&self.m.formats.date),
            labels: self
                .m
                .labels
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), *v))
                .collect(),
        };
        // The contact is named only to say it is not kept.
        h.opt(&c.contact)?;
        let period = self.p.from.is_some() || self.p.to.is_some();
        let warning = h.missing_warning(file, &|n| {
            (n == "time" && period).then_some("without `time`, --from/--to leave every response out")
        });
        self.r = Some(r);
        Ok(warning.into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        let r = self.r.as_ref().expect("header first");
        let scale = self.f.scale;
        let f = &mut *self.f;
        let raw = field(rec, Some(r.score));
        let score = match raw.parse::<i64>() {
            Ok(n) => n,
            Err(_) => *r.labels.get(&raw.to_lowercase()).ok_or_else(|| {
                if raw.is_empty() {
                    "no score".to_string()
                } else if raw.parse::<f64>().is_ok() {
                    format!("score `{raw}` is not a whole number")
                } else {
                    format!("score `{raw}` is not a number nor one of the layout's labels")
                }
            })?,
        };
        if !(scale.min..=scale.max).contains(&score) {
            return Err(format!("score {score} is off the scale {}–{}", scale.min, scale.max));
        }
        if self.p.from.is_some() || self.p.to.is_some() {
            let t = field(rec, r.time);
            let day = match r.time {
                None => None,
                Some(_) => Some(
                    r.when
                        .date(t)
                        .ok_or_else(|| format!("time `{t}` is not a date ({})", r.when.shown()))?,
                ),
            };
            if day.is_none_or(|d| self.p.from.is_some_and(|a| d < a) || self.p.to.is_some_and(|b| d > b)) {
                f.out_of_range += 1;
                return Ok(());
            }
        }
        let yes = score >= scale.satisfied;
        f.responses += 1;
        f.satisfied += u64::from(yes);
        f.sum += i128::from(score);
        *f.by_score.entry(score).or_default() += 1;
        let ch = entry(
            &mut f.by_channel,
            if r.channel.is_some() {
                field(rec, r.channel)
            } else {
                "(none)"
            },
        );
        ch.responses += 1;
        ch.satisfied += u64::from(yes);
        Ok(())
    }
}

/// Read survey exports and compute their figures.
pub fn read(paths: &[PathBuf], m: &SurveyMapping, p: &Params) -> Result<SurveyFigures, String> {
    let scale = p.scale.unwrap_or(m.scale);
    scale.check()?;
    let mut f = SurveyFigures {
        schema: "cscaudit.survey/1",
        read: Reading::default(),
        responses: 0,
        out_of_range: 0,
        satisfied: 0,
        csat: None,
        ci_low: None,
        ci_high: None,
        mean_score: None,
        by_score: (scale.min..=scale.max).map(|s| (s, 0)).collect(),
        by_channel: BTreeMap::new(),
        scale,
        handled: p.handled,
        response_rate: None,
        sum: 0,
    };
    let layout = records::Layout {
        delimiter: &m.delimiter,
        encoding: m.encoding.as_deref(),
        noun: "survey responses",
    };
    let reading = records::read(
        paths,
        &layout,
        &mut Sink {
            m,
            p,
            f: &mut f,
            r: None,
        },
    )?;
    f.read = reading;
    f.csat = pct(f.satisfied, f.responses);
    if let Some((lo, hi)) = wilson(f.satisfied, f.responses) {
        f.ci_low = Some(lo);
        f.ci_high = Some(hi);
    }
    f.mean_score = (f.responses > 0).then(|| f.sum as f64 / f.responses as f64);
    for c in f.by_channel.values_mut() {
        c.csat = pct(c.satisfied, c.responses);
    }
    f.response_rate = p.handled.and_then(|h| pct(f.responses, h));
    if p.handled.is_some_and(|h| h < f.responses) {
        f.read.warnings.push(format!(
            "{} responses but only {} contacts handled: is --handled the same period?",
            f.responses,
            p.handled.unwrap_or(0)
        ));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(text: &str, m: &SurveyMapping, p: &Params) -> Result<SurveyFigures, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        std::fs::write(&path, text).unwrap();
        read(&[path], m, p)
    }

    #[test]
    fn top_two_box_on_one_to_five_with_labels_and_bad_rows_by_line() {
        let mut m = builtin("generic").unwrap();
        m.labels.insert("满意".into(), 4);
        let text = "contact,channel,time,score\n\
            c1,电话,2026-01-01 09:00:00,5\n\
            c2,电话,2026-01-01,4\n\
            c3,网银,2026-01-02,3\n\
            c4,网银,2026-01-02,满意\n\
            c5,网银,2026-01-02,6\n\
            c6,网银,2026-01-02,4.5\n\
            c7,网银,2026-01-02,\n";
        let f = figures(text, &m, &Params::default()).unwrap();
        assert_eq!((f.responses, f.satisfied), (4, 3));
        assert_eq!(f.csat, Some(75.0));
        assert_eq!(f.by_channel["网银"].responses, 2);
        assert_eq!(f.by_score[&4], 2);
        let lines: Vec<u64> = f.read.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![6, 7, 8]);
        assert!(f.read.bad[0].reason.contains("off the scale"), "{:?}", f.read.bad);
        assert!((f.mean_score.unwrap() - 4.0).abs() < 1e-9);
    }

    #[test]
    fn a_threshold_off_the_scale_and_a_file_with_no_response_are_errors() {
        let m = builtin("generic").unwrap();
        let p = Params {
            scale: Some(Scale {
                min: 1,
                max: 5,
                satisfied: 7,
            }),
            ..Params::default()
        };
        assert!(figures("score\n4\n", &m, &p).unwrap_err().contains("not on the scale"));
        assert!(
            figures("score\n", &m, &Params::default())
                .unwrap_err()
                .contains("no data rows")
        );
        assert!(
            figures("score\nx\n", &m, &Params::default())
                .unwrap_err()
                .contains("line 2")
        );
    }
}
