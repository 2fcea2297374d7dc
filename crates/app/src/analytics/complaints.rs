//! Complaint logs: how many complaints came in, by which channel, how fast
//! each was decided against the complaint clock, and the oldest still open.
//!
//! The clock is the CBIRC rule of 2020 (《银行业保险业消费投诉处理管理办法》):
//! decide and inform within 15 days; a complex case may be extended to 30; an
//! especially complex one a further 30 with internal approval. The days are
//! calendar days by default (the rule's excerpts do not say); the limits are
//! parameters ([`Clock`]).
//!
//! A complaint is **timely** when it was closed within the days it was
//! allowed (15, 30 when extended, 60 when the further extension was
//! approved); where a log has no close date (the CFPB database) its own
//! timeliness flag decides. A complaint still open is counted against the
//! clock once its days have run out at the as-of date (overdue); before
//! that it is pending and in neither count.
//!
//! Files are read as a stream (the csv crate, record by record; GB18030
//! decoded on the way): memory stays bounded at any size. Every byte is
//! hashed (sha256) so the figures name the exact file they came from. A bad
//! row is named by its line (a quoted line break counts, as in an editor)
//! and skipped; a file from which no row reads is an error.

use super::records::{self, Header, Rows, When, bump, comma, field, is_in, lower_all};
pub use super::records::{BadRow, Reading, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How to read a complaint log: its columns, date formats and codes.
/// Built in: [`builtin`]`("generic")` and `("cfpb")`; others from a TOML file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintMapping {
    /// Field separator: ",", ";", "\t" or "|".
    #[serde(default = "comma")]
    pub delimiter: String,
    /// "utf-8" (the default) or "gb18030" (also read for "gbk").
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default)]
    pub formats: Formats,
    #[serde(default)]
    pub codes: Codes,
    /// A named column the header lacks is left out instead of refused (the
    /// generic layout: only `received` is required).
    #[serde(skip)]
    pub lenient: bool,
}

/// Column names in the file's header. Only `received` is required.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The date the complaint was received (a date, or a date-time).
    pub received: String,
    /// How it came in (phone, web, branch, letter…).
    pub channel: Option<String>,
    /// What it is about (product, business line).
    pub category: Option<String>,
    /// The date it was decided and the customer told; empty while open.
    pub closed: Option<String>,
    /// Whether the time limit was extended: see [`Codes::extended`] and
    /// [`Codes::approved`].
    pub extension: Option<String>,
    /// Who handled it.
    pub handler: Option<String>,
    /// The complaint's id (named in the oldest-open line and bad rows).
    pub id: Option<String>,
    /// The log's own timeliness flag, used where there is no close date.
    pub timely: Option<String>,
    /// A status column: values in [`Codes::open`] mean still open.
    pub status: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Formats {
    /// Date formats (jiff strftime) tried in turn, e.g. ["%Y-%m-%d", "%m/%d/%Y"].
    /// A date-time whose first ten characters are a date reads as that date.
    pub date: Vec<String>,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            date: vec!["%Y-%m-%d".into(), "%Y/%m/%d".into()],
        }
    }
}

/// Values (compared trimmed, case-insensitively) with a meaning.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Codes {
    /// The timeliness flag's "yes".
    pub yes: Vec<String>,
    /// The extension column's values for "extended to 30 days".
    pub extended: Vec<String>,
    /// The extension column's values for "a further 30 days, approved".
    pub approved: Vec<String>,
    /// Status values meaning the complaint is still open.
    pub open: Vec<String>,
}

impl Default for Codes {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Codes {
            yes: v(&["yes", "y", "true", "1", "是"]),
            extended: v(&["extended", "yes", "30", "是", "延期"]),
            approved: v(&["approved", "60", "further", "审批延期", "再延期"]),
            open: v(&["open", "in progress", "处理中", "未办结"]),
        }
    }
}

/// The layouts that come with cscaudit: `generic` (the documented CSV:
/// received, channel, category, closed, extension, handler, id) and `cfpb`
/// (the US CFPB consumer complaint database's export, read as is).
pub fn builtin(name: &str) -> Option<ComplaintMapping> {
    let s = |x: &str| Some(x.to_string());
    match name {
        "generic" => Some(ComplaintMapping {
            delimiter: comma(),
            encoding: None,
            columns: Columns {
                received: "received".into(),
                channel: s("channel"),
                category: s("category"),
                closed: s("closed"),
                extension: s("extension"),
                handler: s("handler"),
                id: s("id"),
                timely: None,
                status: None,
            },
            formats: Formats::default(),
            codes: Codes::default(),
            lenient: true,
        }),
        "cfpb" => Some(ComplaintMapping {
            delimiter: comma(),
            encoding: None,
            columns: Columns {
                received: "Date received".into(),
                channel: s("Submitted via"),
                category: s("Product"),
                closed: None,
                extension: None,
                handler: None,
                id: s("Complaint ID"),
                timely: s("Timely response?"),
                status: s("Company response to consumer"),
            },
            formats: Formats {
                date: vec!["%Y-%m-%d".into(), "%m/%d/%Y".into()],
            },
            codes: Codes {
                open: vec!["In progress".into()],
                ..Codes::default()
            },
            lenient: false,
        }),
        _ => None,
    }
}

impl ComplaintMapping {
    pub fn parse(src: &str, file: &str) -> Result<ComplaintMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// The complaint clock: days allowed, and the date open complaints are
/// judged at.
#[derive(Clone, Debug)]
pub struct Clock {
    pub limit: u32,
    pub extended: u32,
    pub approved: u32,
    pub as_of: jiff::civil::Date,
}

impl Clock {
    /// The CBIRC 2020 clock (15 / 30 / 60 days) judged at `as_of`.
    pub fn cbirc(as_of: jiff::civil::Date) -> Clock {
        Clock {
            limit: 15,
            extended: 30,
            approved: 60,
            as_of,
        }
    }
}

/// What to read and how.
pub struct Params {
    pub clock: Clock,
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    /// Contacts handled in the same period (calls answered, sessions
    /// served): with it, the rate per 10,000 contacts.
    pub handled: Option<u64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OldestOpen {
    pub received: String,
    pub id: Option<String>,
    pub age_days: i64,
}

/// The figures of a complaint log (JSON schema `cscaudit.complaints/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ComplaintFigures {
    pub schema: &'static str,
    /// The files read, their rows, the bad ones and the notes.
    #[serde(flatten)]
    pub read: Reading,
    /// Complaints received in the period.
    pub complaints: u64,
    /// Rows outside --from/--to.
    pub out_of_range: u64,
    pub closed: u64,
    pub open: u64,
    /// Complaints judged against the clock: closed (or flagged), and open
    /// ones whose days have run out.
    pub decided: u64,
    pub timely: u64,
    /// timely ÷ decided, percent.
    pub timely_pct: Option<f64>,
    /// Open complaints past their days at the as-of date.
    pub overdue_open: u64,
    /// Open complaints still within their days.
    pub pending: u64,
    /// Of the complaints closed with a close date: how many within 15, 30
    /// and 60 days (the clock's three limits).
    pub closed_dated: u64,
    pub within_limit: u64,
    pub within_extended: u64,
    pub within_approved: u64,
    pub by_channel: BTreeMap<String, u64>,
    pub by_category: BTreeMap<String, u64>,
    pub oldest_open: Option<OldestOpen>,
    pub handled: Option<u64>,
    /// complaints ÷ handled × 10,000.
    pub rate_per_10k: Option<f64>,
    pub as_of: String,
    pub limits_days: [u32; 3],
    /// Complaints received after the as-of date (open ones among them are
    /// pending, not late).
    #[serde(skip)]
    after_as_of: u64,
    /// The oldest open complaint's date (compared without parsing).
    #[serde(skip)]
    oldest: Option<jiff::civil::Date>,
}

/// A mapping resolved against a header: column positions and codes.
struct Resolved {
    received: usize,
    channel: Option<usize>,
    category: Option<usize>,
    closed: Option<usize>,
    extension: Option<usize>,
    id: Option<usize>,
    timely: Option<usize>,
    status: Option<usize>,
    when: When,
    codes: Codes,
}

impl Resolved {
    /// The columns found, and the warning for optional ones the header lacks.
    fn new(m: &ComplaintMapping, file: &str, header: &csv::StringRecord) -> Result<(Resolved, Option<String>), String> {
        let mut h = Header::new(header, m.lenient);
        let c = &m.columns;
        let resolved = Resolved {
            received: h.need(&c.received)?,
            channel: h.opt(&c.channel)?,
            category: h.opt(&c.category)?,
            closed: h.opt(&c.closed)?,
            extension: h.opt(&c.extension)?,
            id: h.opt(&c.id)?,
            timely: h.opt(&c.timely)?,
            status: h.opt(&c.status)?,
            when: When::new(&m.formats.date),
            codes: Codes {
                yes: lower_all(&m.codes.yes),
                extended: lower_all(&m.codes.extended),
                approved: lower_all(&m.codes.approved),
                open: lower_all(&m.codes.open),
            },
        };
        let warning = h.missing_warning(file, &|n| {
            (n == "closed").then_some("without `closed`, every complaint counts as open")
        });
        Ok((resolved, warning))
    }
}

/// The reader's view of a complaint log: a header resolved per file.
struct Sink<'a> {
    m: &'a ComplaintMapping,
    p: &'a Params,
    f: &'a mut ComplaintFigures,
    r: Option<Resolved>,
}

impl Rows for Sink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let (r, warning) = Resolved::new(self.m, file, header)?;
        self.r = Some(r);
        Ok(warning.into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        row(self.r.as_ref().expect("header first"), rec, self.p, self.f)
    }
}

/// Read complaint logs and compute their figures.
pub fn read(paths: &[PathBuf], m: &ComplaintMapping, p: &Params) -> Result<ComplaintFigures, String> {
    let c = p.clock.clone();
    let mut f = ComplaintFigures {
        schema: "cscaudit.complaints/1",
        read: Reading::default(),
        complaints: 0,
        out_of_range: 0,
        closed: 0,
        open: 0,
        decided: 0,
        timely: 0,
        timely_pct: None,
        overdue_open: 0,
        pending: 0,
        closed_dated: 0,
        within_limit: 0,
        within_extended: 0,
        within_approved: 0,
        by_channel: BTreeMap::new(),
        by_category: BTreeMap::new(),
        oldest_open: None,
        handled: p.handled,
        rate_per_10k: None,
        as_of: c.as_of.to_string(),
        limits_days: [c.limit, c.extended, c.approved],
        after_as_of: 0,
        oldest: None,
    };
    let layout = records::Layout {
        delimiter: &m.delimiter,
        encoding: m.encoding.as_deref(),
        noun: "complaints",
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
    if f.after_as_of > 0 {
        f.read.warnings.push(format!(
            "{} complaints were received after the as-of date {}: open ones among them are pending, not late (give --as-of)",
            f.after_as_of, f.as_of
        ));
    }
    f.timely_pct = (f.decided > 0).then(|| 100.0 * f.timely as f64 / f.decided as f64);
    f.rate_per_10k = p
        .handled
        .filter(|h| *h > 0)
        .map(|h| 10_000.0 * f.complaints as f64 / h as f64);
    Ok(f)
}

/// One complaint row into the figures.
fn row(r: &Resolved, rec: &csv::StringRecord, p: &Params, f: &mut ComplaintFigures) -> Result<(), String> {
    let get = |i: Option<usize>| field(rec, i);
    let received_s = get(Some(r.received));
    let received = r
        .when
        .date(received_s)
        .ok_or_else(|| format!("received date `{received_s}` is not a date ({})", r.when.shown()))?;
    let closed = match get(r.closed) {
        "" => None,
        s => Some(
            r.when
                .date(s)
                .ok_or_else(|| format!("closed date `{s}` is not a date ({})", r.when.shown()))?,
        ),
    };
    let days = match closed {
        Some(c) if c < received => return Err(format!("closed {c} before it was received ({received})")),
        Some(c) => Some((c - received).get_days() as i64),
        None => None,
    };
    if p.from.is_some_and(|d| received < d) || p.to.is_some_and(|d| received > d) {
        f.out_of_range += 1;
        return Ok(());
    }
    f.complaints += 1;
    if received > p.clock.as_of {
        f.after_as_of += 1;
    }
    bump(
        &mut f.by_channel,
        if r.channel.is_some() { get(r.channel) } else { "(none)" },
    );
    if r.category.is_some() {
        bump(&mut f.by_category, get(r.category));
    }
    let c = &p.clock;
    let ext = get(r.extension);
    let allowed = if !ext.is_empty() && is_in(&r.codes.approved, ext) {
        c.approved
    } else if !ext.is_empty() && is_in(&r.codes.extended, ext) {
        c.extended
    } else {
        c.limit
    } as i64;
    let open_status = r.status.is_some() && is_in(&r.codes.open, get(r.status));
    match (days, r.timely.map(|_| get(r.timely))) {
        (Some(d), _) => {
            f.closed += 1;
            f.closed_dated += 1;
            f.decided += 1;
            f.within_limit += u64::from(d <= i64::from(c.limit));
            f.within_extended += u64::from(d <= i64::from(c.extended));
            f.within_approved += u64::from(d <= i64::from(c.approved));
            f.timely += u64::from(d <= allowed);
        }
        // No close date: the log's own flag decides.
        (None, Some(flag)) if !flag.is_empty() => {
            f.decided += 1;
            f.timely += u64::from(is_in(&r.codes.yes, flag));
            if open_status {
                open(f, r, rec, received, c, None);
            } else {
                f.closed += 1;
            }
        }
        (None, _) if r.status.is_some() && !open_status && r.closed.is_none() => f.closed += 1,
        (None, _) => open(f, r, rec, received, c, Some(allowed)),
    }
    Ok(())
}

/// An open complaint: the oldest is kept; once its days have run out
/// (`allowed`, when the clock judges it) it counts as not timely.
fn open(
    f: &mut ComplaintFigures,
    r: &Resolved,
    rec: &csv::StringRecord,
    received: jiff::civil::Date,
    c: &Clock,
    allowed: Option<i64>,
) {
    f.open += 1;
    let age = ((c.as_of - received).get_days() as i64).max(0);
    if let Some(allowed) = allowed {
        if age > allowed {
            f.overdue_open += 1;
            f.decided += 1;
        } else {
            f.pending += 1;
        }
    }
    if f.oldest.is_none_or(|d| received < d) {
        f.oldest = Some(received);
        f.oldest_open = Some(OldestOpen {
            received: received.to_string(),
            id: r
                .id
                .and_then(|i| rec.get(i))
                .map(|s| crate::text::visible(s.trim()).into_owned()),
            age_days: age,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(csv_text: &str, m: &ComplaintMapping, as_of: &str) -> Result<ComplaintFigures, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, csv_text).unwrap();
        read(
            &[p],
            m,
            &Params {
                clock: Clock::cbirc(as_of.parse().unwrap()),
                from: None,
                to: None,
                handled: Some(20_000),
            },
        )
    }

    #[test]
    fn the_clock_allows_15_days_30_when_extended_60_when_approved() {
        let m = builtin("generic").unwrap();
        let text = "received,channel,category,closed,extension,handler,id\n\
            2026-01-01,电话,信用卡,2026-01-16,,h1,a\n\
            2026-01-01,网银,信用卡,2026-01-17,,h1,b\n\
            2026-01-01,电话,贷款,2026-01-30,延期,h2,c\n\
            2026-01-01,电话,贷款,2026-02-28,审批延期,h2,d\n\
            2026-01-01,信函,贷款,2026-03-05,审批延期,h2,e\n\
            2026-01-10,电话,贷款,,,h2,f\n\
            2026-01-30,电话,贷款,,,h2,g\n";
        let f = figures(text, &m, "2026-02-05").unwrap();
        assert_eq!(f.complaints, 7);
        assert_eq!((f.closed, f.open), (5, 2));
        // a (15 d) yes, b (16 d) no, c (29 d, extended) yes, d (58 d, approved) yes, e (63 d) no;
        // f open 26 d > 15: overdue; g open 6 d: pending.
        assert_eq!((f.timely, f.decided, f.overdue_open, f.pending), (3, 6, 1, 1));
        assert_eq!((f.within_limit, f.within_extended, f.within_approved), (1, 3, 4));
        assert_eq!(f.by_channel["电话"], 5);
        assert_eq!(f.oldest_open.as_ref().unwrap().id.as_deref(), Some("f"));
        assert_eq!(f.rate_per_10k, Some(3.5));
    }

    #[test]
    fn a_bad_row_is_named_by_its_line_and_a_file_with_none_is_an_error() {
        let m = builtin("generic").unwrap();
        let text = "received,channel,category,closed,extension,handler,id\n\
            2026-01-01,\"电话\n(转)\",x,2026-01-02,,h,a\n\
            yesterday,电话,x,,,h,b\n\
            2026-01-05,电话,x,2026-01-04,,h,c\n";
        let f = figures(text, &m, "2026-02-01").unwrap();
        assert_eq!(f.complaints, 1);
        let lines: Vec<u64> = f.read.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![4, 5], "{:?}", f.read.bad);
        let none = figures("received,channel\nnot a date,x\n", &m, "2026-02-01");
        assert!(none.is_err());
        assert!(
            figures("when,channel\n2026-01-01,x\n", &m, "2026-02-01")
                .unwrap_err()
                .contains("`received`")
        );
    }
}
