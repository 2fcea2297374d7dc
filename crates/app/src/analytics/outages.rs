//! System availability from an outage log: 1 − unplanned downtime ÷
//! scheduled service time.
//!
//! The scheduled service time is the period (`from`–`to`, whole days) times
//! the daily service window (00:00–24:00 for a 7×24 centre). An outage
//! counts only where it falls inside the period and the window; outages
//! that overlap (two systems down at once) count once. Outages flagged
//! planned (maintenance announced in advance) are left out of the
//! availability and reported beside it. An outage with no end is still
//! going on: it runs to the end of the period.

use super::records::{self, Header, Rows, When, comma, datetime_formats, field, is_in, lower_all};
pub use super::records::{BadRow, Reading, SourceFile};
use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageMapping {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default = "datetime_formats")]
    pub datetime: Vec<String>,
    /// Values of `planned` meaning yes.
    #[serde(default = "yes")]
    pub yes: Vec<String>,
    #[serde(skip)]
    pub lenient: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub start: String,
    /// Empty: still going on.
    pub end: Option<String>,
    pub system: Option<String>,
    pub planned: Option<String>,
    pub id: Option<String>,
}

fn yes() -> Vec<String> {
    ["yes", "y", "true", "1", "是", "计划内"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The built-in layout: `generic` (start, end, system, planned, id).
pub fn builtin(name: &str) -> Option<OutageMapping> {
    let s = |x: &str| Some(x.to_string());
    (name == "generic").then(|| OutageMapping {
        delimiter: comma(),
        encoding: None,
        columns: Columns {
            start: "start".into(),
            end: s("end"),
            system: s("system"),
            planned: s("planned"),
            id: s("id"),
        },
        datetime: datetime_formats(),
        yes: yes(),
        lenient: true,
    })
}

impl OutageMapping {
    pub fn parse(src: &str, file: &str) -> Result<OutageMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// The period and the daily service window.
#[derive(Clone, Debug)]
pub struct Params {
    pub from: Date,
    pub to: Date,
    /// The window's opening and closing time; `close` None is midnight at
    /// the day's end (24:00).
    pub open: Time,
    pub close: Option<Time>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Longest {
    pub start: String,
    pub end: String,
    pub system: String,
    pub minutes: f64,
}

/// The figures (JSON schema `cscaudit.outages/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OutageFigures {
    pub schema: &'static str,
    /// The files read, their rows, the bad ones and the notes.
    #[serde(flatten)]
    pub read: Reading,
    /// Outages that touch the period's service time.
    pub outages: u64,
    pub planned: u64,
    pub unplanned: u64,
    pub from: String,
    pub to: String,
    pub service_window: String,
    pub scheduled_s: i64,
    /// Unplanned downtime inside the service window, overlaps counted once.
    pub downtime_s: i64,
    pub planned_downtime_s: i64,
    /// 100 × (1 − downtime ÷ scheduled).
    pub availability: Option<f64>,
    /// Unplanned downtime by system (each system's own overlaps once).
    pub by_system_s: BTreeMap<String, i64>,
    pub longest: Option<Longest>,
}

struct Resolved {
    start: usize,
    end: Option<usize>,
    system: Option<usize>,
    planned: Option<usize>,
    when: When,
    yes: Vec<String>,
}

/// An outage read: interval, system, planned.
type Outage = (DateTime, DateTime, String, bool);

struct Sink<'a> {
    m: &'a OutageMapping,
    r: Option<Resolved>,
    all: Vec<Outage>,
    end_of_period: DateTime,
}

impl Rows for Sink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.m.lenient);
        let c = &self.m.columns;
        self.r = Some(Resolved {
            start: h.need(&c.start)?,
            end: h.opt(&c.end)?,
            system: h.opt(&c.system)?,
            planned: h.opt(&c.planned)?,
            when: When::new(&self.m.datetime),
            yes: lower_all(&self.m.yes),
        });
        h.opt(&c.id)?;
        let warning = h.missing_warning(file, &|n| match n {
            "end" => Some("without `end`, every outage runs to the end of the period"),
            "planned" => Some("without `planned`, every outage counts as unplanned"),
            _ => None,
        });
        Ok(warning.into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        let r = self.r.as_ref().expect("header first");
        let at = |what: &str, s: &str| {
            r.when
                .datetime(s)
                .ok_or_else(|| format!("{what} `{s}` is not a date-time ({})", r.when.shown()))
        };
        let start = at("start", field(rec, Some(r.start)))?;
        let end = match field(rec, r.end) {
            "" => self.end_of_period,
            s => at("end", s)?,
        };
        if end < start {
            return Err(format!("ends {end} before it starts ({start})"));
        }
        let planned = r.planned.is_some() && is_in(&r.yes, field(rec, r.planned));
        let system = if r.system.is_some() { field(rec, r.system) } else { "" };
        if self.all.len() >= MAX_OUTAGES {
            return Err(format!("more than {MAX_OUTAGES} outages: the rest are not read"));
        }
        self.all.push((start, end, records::key(system), planned));
        Ok(())
    }
}

/// The most outages read (an outage log is thousands of rows; this bounds a
/// hostile file's memory at about 100 MB).
const MAX_OUTAGES: usize = 1_000_000;

/// Seconds of `[a, b)` inside the service windows of the period.
fn in_service(a: DateTime, b: DateTime, p: &Params) -> i64 {
    let mut total = 0;
    let mut day = a.date().max(p.from);
    let last = b.date().min(p.to);
    while day <= last {
        let open = day.to_datetime(p.open);
        let close = match p.close {
            Some(t) => day.to_datetime(t),
            None => day
                .tomorrow()
                .map_or(day.to_datetime(Time::MAX), |d| d.to_datetime(Time::midnight())),
        };
        let (lo, hi) = (a.max(open), b.min(close));
        if lo < hi {
            total += records::seconds_between(lo, hi);
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    total
}

/// The union of intervals, in order.
fn union(mut v: Vec<(DateTime, DateTime)>) -> Vec<(DateTime, DateTime)> {
    v.sort();
    let mut out: Vec<(DateTime, DateTime)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Read outage logs and compute the availability over the period.
pub fn read(paths: &[PathBuf], m: &OutageMapping, p: &Params) -> Result<OutageFigures, String> {
    if p.from > p.to {
        return Err(format!("the period starts {} after it ends {}", p.from, p.to));
    }
    if p.close.is_some_and(|c| c <= p.open) {
        return Err("the service window must close after it opens (a window across midnight is not supported: measure it as two periods)".into());
    }
    let end_of_period =
        p.to.tomorrow()
            .map_err(|e| e.to_string())?
            .to_datetime(Time::midnight());
    let mut sink = Sink {
        m,
        r: None,
        all: Vec::new(),
        end_of_period,
    };
    let mut reading = records::read(
        paths,
        &records::Layout {
            delimiter: &m.delimiter,
            encoding: m.encoding.as_deref(),
            noun: "outages",
        },
        &mut sink,
    )?;
    let all = sink.all;
    let days = (p.to - p.from).get_days() as i64 + 1;
    let window = match p.close {
        Some(c) => records::seconds_between(p.from.to_datetime(p.open), p.from.to_datetime(c)),
        None => 86_400 - records::seconds_between(p.from.to_datetime(Time::midnight()), p.from.to_datetime(p.open)),
    };
    let scheduled_s = days * window;
    let touching: Vec<&Outage> = all.iter().filter(|o| in_service(o.0, o.1, p) > 0).collect();
    let unplanned: Vec<(DateTime, DateTime)> = touching.iter().filter(|o| !o.3).map(|o| (o.0, o.1)).collect();
    let planned: Vec<(DateTime, DateTime)> = touching.iter().filter(|o| o.3).map(|o| (o.0, o.1)).collect();
    let sum = |v: Vec<(DateTime, DateTime)>| union(v).into_iter().map(|(a, b)| in_service(a, b, p)).sum::<i64>();
    let mut by_system: BTreeMap<String, Vec<(DateTime, DateTime)>> = BTreeMap::new();
    for o in touching.iter().filter(|o| !o.3) {
        by_system.entry(o.2.clone()).or_default().push((o.0, o.1));
    }
    let longest = touching
        .iter()
        .filter(|o| !o.3)
        .max_by_key(|o| in_service(o.0, o.1, p))
        .map(|o| Longest {
            start: o.0.to_string(),
            end: o.1.to_string(),
            system: o.2.clone(),
            minutes: in_service(o.0, o.1, p) as f64 / 60.0,
        });
    let downtime_s = sum(unplanned.clone());
    let mut warnings = std::mem::take(&mut reading.warnings);
    if touching.is_empty() {
        warnings.push(format!(
            "none of the {} outages in the file falls in the service time of {} to {}: is the period right?",
            all.len(),
            p.from,
            p.to
        ));
    }
    let close = p.close.map_or("24:00".to_string(), |c| c.strftime("%H:%M").to_string());
    Ok(OutageFigures {
        schema: "cscaudit.outages/1",
        outages: touching.len() as u64,
        planned: planned.len() as u64,
        unplanned: unplanned.len() as u64,
        from: p.from.to_string(),
        to: p.to.to_string(),
        service_window: format!("{}–{close}", p.open.strftime("%H:%M")),
        scheduled_s,
        downtime_s,
        planned_downtime_s: sum(planned),
        availability: (scheduled_s > 0).then(|| 100.0 * (1.0 - downtime_s as f64 / scheduled_s as f64)),
        by_system_s: by_system.into_iter().map(|(k, v)| (k, sum(v))).collect(),
        longest,
        read: Reading { warnings, ..reading },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_count_once_planned_apart_and_only_inside_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.csv");
        std::fs::write(
            &path,
            "start,end,system,planned\n\
             2026-03-01 10:00:00,2026-03-01 11:00:00,IVR,\n\
             2026-03-01 10:30:00,2026-03-01 11:30:00,ACD,\n\
             2026-03-02 02:00:00,2026-03-02 04:00:00,ACD,是\n\
             2026-03-02 07:00:00,2026-03-02 09:00:00,CRM,\n\
             2026-02-28 23:00:00,2026-03-01 08:30:00,CRM,\n",
        )
        .unwrap();
        let p = Params {
            from: "2026-03-01".parse().unwrap(),
            to: "2026-03-02".parse().unwrap(),
            open: Time::new(8, 0, 0, 0).unwrap(),
            close: Some(Time::new(20, 0, 0, 0).unwrap()),
        };
        let f = read(&[path], &builtin("generic").unwrap(), &p).unwrap();
        // IVR+ACD 10:00–11:30 = 90 min; CRM 08:00–09:00 on the 2nd = 60; CRM
        // 08:00–08:30 on the 1st = 30. The planned one is outside the window.
        assert_eq!(f.scheduled_s, 2 * 12 * 3600);
        assert_eq!(f.downtime_s, (90 + 60 + 30) * 60);
        assert_eq!((f.outages, f.planned, f.unplanned), (4, 0, 4));
        assert_eq!(f.by_system_s["CRM"], 90 * 60);
        let a = f.availability.unwrap();
        assert!((a - 100.0 * (1.0 - 180.0 / 1440.0)).abs() < 1e-9, "{a}");
    }
}
