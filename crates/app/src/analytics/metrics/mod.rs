//! Call-centre metrics recomputed from call records, with every variant named.
//!
//! `tally` holds the counting maths, `report` the report schema and its
//! figures, `reader` the threaded streaming reader (one hashing reader thread,
//! 1–8 parsing workers by core count). Tallies are plain sums, so chunks,
//! days and hours merge by addition.

mod reader;
mod report;
mod tally;

pub use reader::{CANCELLED, Progress};
pub use report::*;
pub use tally::{Params, Tally};

use super::calls::Mapping;
use reader::{Part, date_string, read_anonymous, read_csv};
use std::path::PathBuf;

// ---------------------------------------------------------------- reading

#[derive(Clone, Debug)]
pub enum Format {
    AnonymousBank,
    Csv(Box<Mapping>),
}

impl Format {
    fn name(&self) -> &'static str {
        match self {
            Format::AnonymousBank => "anonymous-bank",
            Format::Csv(_) => "csv",
        }
    }
}

/// The report's schema name (its JSON `schema` field).
pub const SCHEMA: &str = "cscaudit.metrics/1";

/// Compute the report over one or more files of the same format.
pub fn compute(
    files: &[PathBuf],
    format: &Format,
    params: &Params,
    catalog: Option<&crate::model::catalog::Catalog>,
    progress: Progress,
) -> Result<MetricsReport, String> {
    let mut all = Part::default();
    let mut inputs = Vec::new();
    for path in files {
        let (part, sha, bytes) = match format {
            Format::AnonymousBank => {
                read_anonymous(path, params, progress).map_err(|e| format!("{}: {e}", path.display()))?
            }
            Format::Csv(m) => read_csv(path, m, params, progress)?,
        };
        // No data row at all: an empty or header-only file is no evidence of
        // a centre with no calls; nothing is computed from it.
        if part.rows == 0 {
            return Err(format!(
                "{}: no call records in it (the file is empty or has only a header); nothing was computed",
                path.display()
            ));
        }
        // Not one row read: the wrong format (or not call records at all),
        // not a centre with no calls.
        if part.rows > 0 && part.malformed == part.rows {
            let (n, name) = (part.rows, format.name());
            let first = part
                .bad
                .first()
                .map(|b| format!("; line {}: {}", b.line, crate::text::visible(&b.reason)))
                .unwrap_or_default();
            let which = if n == 1 {
                "its one row".to_string()
            } else {
                format!("none of its {n} rows")
            };
            return Err(format!(
                "{}: {which} could {}be read as {name}{first} (is --format right?)",
                crate::text::visible(&path.display().to_string()),
                if n == 1 { "not " } else { "" }
            ));
        }
        inputs.push(InputSummary {
            path: path.display().to_string(),
            format: format.name().into(),
            sha256: sha,
            bytes,
            rows: part.rows,
            malformed: part.malformed,
            out_of_range: part.out_of_range,
            bad_rows: part.bad.clone(),
        });
        all.merge(
            Part {
                bad: Vec::new(),
                ..part
            },
            0,
        );
    }
    let overall = Figures::from_tally(&all.all);
    let links = catalog
        .map(|c| {
            c.indicators
                .iter()
                .filter_map(|i| {
                    let m = i.metric.as_deref()?;
                    let f = overall.find(m, i.variant.as_deref())?;
                    Some(IndicatorLink {
                        indicator: i.id.clone(),
                        metric: m.to_string(),
                        variant: Some(f.variant.to_string()),
                        value: f.value,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(MetricsReport {
        schema: SCHEMA,
        params: params.clone(),
        inputs,
        definitions: definitions(),
        overall,
        by_day: all
            .days
            .iter()
            .map(|(d, t)| DayFigures {
                date: date_string(*d),
                figures: Figures::from_tally(t),
            })
            .collect(),
        by_hour: all
            .hours
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
            .map(|(h, t)| HourFigures {
                hour: h as u8,
                figures: Figures::from_tally(t),
            })
            .collect(),
        catalog: links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::calls::{Call, Outcome};
    use reader::tally_anonymous_chunk;

    fn call(answered: bool, wait: u32) -> Call {
        Call {
            date: 20260101,
            hour: 9,
            queued: true,
            outcome: if answered {
                Outcome::Answered
            } else {
                Outcome::Abandoned
            },
            wait,
            talk: 100,
            served: answered,
        }
    }

    #[test]
    fn cisco_reporting_guide_test_vector() {
        // 100 calls: 70 answered within T, 10 abandoned within T, 20 answered or abandoned after T.
        let p = Params::default();
        let mut t = Tally::default();
        for _ in 0..70 {
            t.add(&call(true, 10), &p);
        }
        for _ in 0..10 {
            t.add(&call(false, 15), &p);
        }
        for i in 0..20 {
            t.add(&call(i % 2 == 0, 45), &p);
        }
        let f = Figures::from_tally(&t);
        let v = |name| f.find("service_level", Some(name)).unwrap().value.unwrap();
        assert!((v("sl-neg") - 0.70).abs() < 1e-12);
        assert!((v("sl-ignore") - 70.0 / 90.0).abs() < 1e-12);
        assert_eq!(format!("{:.1}", v("sl-ignore") * 100.0), "77.8");
        assert!((v("sl-pos") - 0.80).abs() < 1e-12);
    }

    #[test]
    fn talk_median_and_p90_from_histogram() {
        let p = Params::default();
        let mut t = Tally::default();
        for talk in [10, 20, 30, 40] {
            t.add(&Call { talk, ..call(true, 0) }, &p);
        }
        assert_eq!(t.talk_quantile(0.5), Some(25.0));
        assert_eq!(t.talk_quantile(0.9), Some(40.0));
        t.add(
            &Call {
                talk: 1000,
                ..call(true, 0)
            },
            &p,
        );
        assert_eq!(t.talk_quantile(0.5), Some(30.0));
    }

    #[test]
    fn chunks_merge_to_the_whole() {
        let p = Params::default();
        let lines = b"AA0101\t1\t0\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL\nbad line\nAA0101\t2\t0\t2\tPS\t990102\t7:55:20\t7:55:26\t6\t7:55:26\t7:55:43\t3\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER\n";
        let whole = tally_anonymous_chunk(lines, &p);
        assert_eq!(whole.lines, 3);
        assert_eq!(whole.malformed, 1);
        assert_eq!(whole.bad[0].line, 2);
        let cut = lines.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut a = tally_anonymous_chunk(&lines[..cut], &p);
        let b = tally_anonymous_chunk(&lines[cut..], &p);
        let off = a.lines;
        a.merge(b, off);
        assert_eq!(a.all, whole.all);
        assert_eq!(a.bad[0].line, 2);
        assert_eq!(a.days.len(), 2);
    }
}
