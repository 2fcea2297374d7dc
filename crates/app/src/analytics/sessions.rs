//! Non-phone sessions (online chat, e-mail, app messages): how fast an agent
//! first replied, how many were handled in time, how many were abandoned.
//!
//! - **First-reply service level** = sessions whose first agent reply came
//!   within T seconds ÷ sessions offered (an abandoned session counts
//!   against it unless it was answered in time first: the strict variant,
//!   as `sl-neg` is for calls).
//! - **Non-phone handling timeliness** (China Banking Association service
//!   code, 2010: 非电话业务处理及时率 = requests handled in time ÷ all
//!   non-phone requests): a session is handled in time when it was closed
//!   within H hours of its creation. A session still open is judged once
//!   its hours have run out at the as-of time (late), and is pending before.
//!   Abandoned sessions are not requests to handle and are left out.
//! - **Abandonment** = abandoned ÷ offered. A session is abandoned when the
//!   layout's flag says so or, without a flag column, when it was closed
//!   with no agent reply.
//!
//! Files stream and are hashed ([`super::records`]); the first-reply
//! distribution is kept in one-second steps up to a day, so its median and
//! 90th percentile cost bounded memory.

use super::records::{self, Header, Rows, When, comma, entry, field, is_in, lower_all, pct};
pub use super::records::{BadRow, Reading, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionMapping {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default)]
    pub formats: Formats,
    /// Values of `abandoned` meaning yes (trimmed, case aside).
    #[serde(default = "yes")]
    pub yes: Vec<String>,
    #[serde(skip)]
    pub lenient: bool,
}

/// Column names. Only `created` is required.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// When the customer opened the session (a date-time).
    pub created: String,
    /// The first agent reply (empty: none).
    pub first_reply: Option<String>,
    /// When it was closed (empty: still open).
    pub closed: Option<String>,
    /// A yes/no flag: the customer left before being served.
    pub abandoned: Option<String>,
    /// chat, e-mail, app, SMS…
    pub channel: Option<String>,
    pub id: Option<String>,
    /// Who the customer is (a customer number, a phone number): used only
    /// to find repeat contacts, through a keyed hash; never kept or written.
    pub customer: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Formats {
    /// Date-time formats (jiff strftime), tried in turn.
    pub datetime: Vec<String>,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            datetime: vec![
                "%Y-%m-%d %H:%M:%S".into(),
                "%Y-%m-%dT%H:%M:%S".into(),
                "%Y/%m/%d %H:%M:%S".into(),
                "%Y/%m/%d %H:%M".into(),
            ],
        }
    }
}

fn yes() -> Vec<String> {
    ["yes", "y", "true", "1", "是"].iter().map(|s| s.to_string()).collect()
}

/// The built-in layout: `generic` (id, channel, created, first_reply,
/// closed, abandoned).
pub fn builtin(name: &str) -> Option<SessionMapping> {
    let s = |x: &str| Some(x.to_string());
    (name == "generic").then(|| SessionMapping {
        delimiter: comma(),
        encoding: None,
        columns: Columns {
            created: "created".into(),
            first_reply: s("first_reply"),
            closed: s("closed"),
            abandoned: s("abandoned"),
            channel: s("channel"),
            id: s("id"),
            customer: s("customer"),
        },
        formats: Formats::default(),
        yes: yes(),
        lenient: true,
    })
}

impl SessionMapping {
    pub fn parse(src: &str, file: &str) -> Result<SessionMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// What to read and how.
#[derive(Clone, Debug)]
pub struct Params {
    /// First-reply threshold T in seconds ("within" is ≤ T).
    pub reply_within: u32,
    /// Handling limit H in hours.
    pub handle_within: u32,
    /// The time open sessions are judged at.
    pub as_of: jiff::civil::DateTime,
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    /// A contact followed by another from the same customer within this
    /// many days was not resolved at the first contact.
    pub repeat_days: u32,
}

/// A channel's share.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ChannelFigures {
    pub sessions: u64,
    pub first_reply_within: u64,
    pub abandoned: u64,
}

/// The figures of a session log (JSON schema `cscaudit.sessions/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SessionFigures {
    pub schema: &'static str,
    /// The files read, their rows, the bad ones and the notes.
    #[serde(flatten)]
    pub read: Reading,
    /// Sessions offered in the period.
    pub sessions: u64,
    pub out_of_range: u64,
    /// Sessions with an agent reply.
    pub replied: u64,
    /// Sessions first replied to within T seconds.
    pub first_reply_within: u64,
    /// first_reply_within ÷ sessions, percent.
    pub first_reply_sl: Option<f64>,
    /// Median and 90th percentile of the first reply, seconds (a day and
    /// more counts as a day).
    pub first_reply_median_s: Option<u32>,
    pub first_reply_p90_s: Option<u32>,
    pub abandoned: u64,
    /// abandoned ÷ sessions, percent.
    pub abandon_rate: Option<f64>,
    /// Requests judged against the handling limit: closed, and open ones
    /// past their hours.
    pub decided: u64,
    /// Closed within H hours.
    pub handled_in_time: u64,
    /// handled_in_time ÷ decided, percent.
    pub nonphone_timeliness: Option<f64>,
    pub open: u64,
    pub overdue_open: u64,
    pub pending: u64,
    pub by_channel: BTreeMap<String, ChannelFigures>,
    /// Sessions with a customer named, the distinct customers, and the
    /// sessions followed by another of the same customer within
    /// `repeat_days` days.
    pub with_customer: u64,
    pub customers: u64,
    pub repeat_contacts: u64,
    /// First-contact resolution: 100 × (1 − repeat_contacts ÷ with_customer).
    pub fcr: Option<f64>,
    pub repeat_days: u32,
    /// Sessions earlier than the same customer's previous one in the file
    /// (the file is not in time order: repeats among them are not seen).
    pub unordered: u64,
    pub reply_within_s: u32,
    pub handle_within_h: u32,
    pub as_of: String,
    #[serde(skip)]
    waits: Vec<u64>,
}

/// The first-reply distribution's last step: a day.
const DAY_S: usize = 86_400;

struct Resolved {
    created: usize,
    first_reply: Option<usize>,
    closed: Option<usize>,
    abandoned: Option<usize>,
    channel: Option<usize>,
    customer: Option<usize>,
    when: When,
    yes: Vec<String>,
}

struct Sink<'a> {
    m: &'a SessionMapping,
    p: &'a Params,
    f: &'a mut SessionFigures,
    r: Option<Resolved>,
    /// Each customer's last session (seconds), by a hash keyed afresh for
    /// the run: the customer's id itself is never kept.
    last: std::collections::HashMap<u64, i64>,
    key: std::collections::hash_map::RandomState,
    /// Sessions created after the as-of time.
    after_as_of: u64,
}

impl Rows for Sink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.m.lenient);
        let c = &self.m.columns;
        let r = Resolved {
            created: h.need(&c.created)?,
            first_reply: h.opt(&c.first_reply)?,
            closed: h.opt(&c.closed)?,
            abandoned: h.opt(&c.abandoned)?,
            channel: h.opt(&c.channel)?,
            customer: h.opt(&c.customer)?,
            when: When::new(&self.m.formats.datetime),
            yes: lower_all(&self.m.yes),
        };
        h.opt(&c.id)?;
        let warning = h.missing_warning(file, &|n| match n {
            "first_reply" => Some("without `first_reply`, no session counts as replied"),
            "closed" => Some("without `closed`, every session counts as open"),
            "abandoned" => Some("without `abandoned`, a session closed with no reply counts as abandoned"),
            "customer" => Some("without `customer`, first-contact resolution is not computed"),
            _ => None,
        });
        self.r = Some(r);
        Ok(warning.into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        let r = self.r.as_ref().expect("header first");
        let (p, f) = (self.p, &mut *self.f);
        let at = |what: &str, i: Option<usize>| -> Result<Option<jiff::civil::DateTime>, String> {
            match field(rec, i) {
                "" => Ok(None),
                s => r
                    .when
                    .datetime(s)
                    .map(Some)
                    .ok_or_else(|| format!("{what} `{s}` is not a date-time ({})", r.when.shown())),
            }
        };
        let created = at("created", Some(r.created))?.ok_or("no created time")?;
        let reply = at("first reply", r.first_reply)?;
        let closed = at("closed", r.closed)?;
        let secs = |t: jiff::civil::DateTime| records::seconds_between(created, t);
        let wait = match reply.map(secs) {
            Some(s) if s < 0 => {
                return Err(format!(
                    "first reply {} before it was created ({created})",
                    reply.unwrap_or(created)
                ));
            }
            other => other,
        };
        let took = match closed.map(secs) {
            Some(s) if s < 0 => {
                return Err(format!(
                    "closed {} before it was created ({created})",
                    closed.unwrap_or(created)
                ));
            }
            other => other,
        };
        let day = created.date();
        if p.from.is_some_and(|d| day < d) || p.to.is_some_and(|d| day > d) {
            f.out_of_range += 1;
            return Ok(());
        }
        if created > p.as_of {
            self.after_as_of += 1;
        }
        let abandoned = match r.abandoned {
            Some(_) => is_in(&r.yes, field(rec, r.abandoned)),
            None => wait.is_none() && took.is_some(),
        };
        let within = wait.is_some_and(|w| w <= i64::from(p.reply_within));
        f.sessions += 1;
        f.first_reply_within += u64::from(within);
        f.abandoned += u64::from(abandoned);
        if let Some(w) = wait {
            f.replied += 1;
            f.waits[(w as usize).min(DAY_S)] += 1;
        }
        let ch = entry(
            &mut f.by_channel,
            if r.channel.is_some() {
                field(rec, r.channel)
            } else {
                "(none)"
            },
        );
        ch.sessions += 1;
        ch.first_reply_within += u64::from(within);
        ch.abandoned += u64::from(abandoned);
        let who = field(rec, r.customer);
        if !who.is_empty() {
            use std::hash::BuildHasher;
            let h = self.key.hash_one(who);
            let now = records::stamp(created);
            f.with_customer += 1;
            match self.last.insert(h, now) {
                None => f.customers += 1,
                Some(prev) if now < prev => {
                    f.unordered += 1;
                    self.last.insert(h, prev);
                }
                Some(prev) => {
                    f.repeat_contacts += u64::from(now - prev <= i64::from(p.repeat_days) * 86_400);
                }
            }
        }
        if abandoned {
            return Ok(());
        }
        let limit = i64::from(p.handle_within) * 3600;
        match took {
            Some(t) => {
                f.decided += 1;
                f.handled_in_time += u64::from(t <= limit);
            }
            None => {
                f.open += 1;
                if records::seconds_between(created, p.as_of) > limit {
                    f.overdue_open += 1;
                    f.decided += 1;
                } else {
                    f.pending += 1;
                }
            }
        }
        Ok(())
    }
}

/// The smallest wait (seconds) at or below which `q` of the replies came.
fn quantile(waits: &[u64], n: u64, q: f64) -> Option<u32> {
    if n == 0 {
        return None;
    }
    let want = ((q * n as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (s, k) in waits.iter().enumerate() {
        seen += k;
        if seen >= want {
            return Some(s as u32);
        }
    }
    None
}

/// Read session logs and compute their figures.
pub fn read(paths: &[PathBuf], m: &SessionMapping, p: &Params) -> Result<SessionFigures, String> {
    let mut f = SessionFigures {
        schema: "cscaudit.sessions/1",
        read: Reading::default(),
        sessions: 0,
        out_of_range: 0,
        replied: 0,
        first_reply_within: 0,
        first_reply_sl: None,
        first_reply_median_s: None,
        first_reply_p90_s: None,
        abandoned: 0,
        abandon_rate: None,
        decided: 0,
        handled_in_time: 0,
        nonphone_timeliness: None,
        open: 0,
        overdue_open: 0,
        pending: 0,
        by_channel: BTreeMap::new(),
        reply_within_s: p.reply_within,
        handle_within_h: p.handle_within,
        as_of: p.as_of.to_string(),
        waits: vec![0; DAY_S + 1],
        with_customer: 0,
        customers: 0,
        repeat_contacts: 0,
        fcr: None,
        repeat_days: p.repeat_days,
        unordered: 0,
    };
    let layout = records::Layout {
        delimiter: &m.delimiter,
        encoding: m.encoding.as_deref(),
        noun: "sessions",
    };
    let mut sink = Sink {
        m,
        p,
        f: &mut f,
        r: None,
        last: std::collections::HashMap::new(),
        key: std::collections::hash_map::RandomState::new(),
        after_as_of: 0,
    };
    let reading = records::read(paths, &layout, &mut sink)?;
    let after_as_of = sink.after_as_of;
    f.read = reading;
    if after_as_of > 0 {
        f.read.warnings.push(format!(
            "{after_as_of} sessions were created after the as-of time {}: open ones among them are pending (give --as-of)",
            f.as_of
        ));
    }
    f.first_reply_sl = pct(f.first_reply_within, f.sessions);
    f.abandon_rate = pct(f.abandoned, f.sessions);
    f.nonphone_timeliness = pct(f.handled_in_time, f.decided);
    f.first_reply_median_s = quantile(&f.waits, f.replied, 0.5);
    f.first_reply_p90_s = quantile(&f.waits, f.replied, 0.9);
    f.fcr = pct(f.with_customer - f.repeat_contacts, f.with_customer);
    if f.unordered > 0 {
        f.read.warnings.push(format!(
            "{} sessions come before the same customer's previous one: sort the file by `created` for first-contact resolution to see every repeat",
            f.unordered
        ));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_level_timeliness_and_abandonment_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        std::fs::write(
            &path,
            "id,channel,created,first_reply,closed,abandoned\n\
             a,chat,2026-01-05 09:00:00,2026-01-05 09:00:30,2026-01-05 09:10:00,\n\
             b,chat,2026-01-05 09:00:00,2026-01-05 09:02:00,2026-01-07 09:00:01,\n\
             c,chat,2026-01-05 09:00:00,,2026-01-05 09:01:00,yes\n\
             d,e-mail,2026-01-05 09:00:00,2026-01-05 10:00:00,,\n\
             e,e-mail,2026-01-06 20:00:00,,,\n\
             f,e-mail,2026-01-05 09:00:00,2026-01-05 08:00:00,,\n",
        )
        .unwrap();
        let p = Params {
            reply_within: 60,
            handle_within: 24,
            as_of: "2026-01-07T12:00:00".parse().unwrap(),
            from: None,
            to: None,
            repeat_days: 7,
        };
        let f = read(&[path], &builtin("generic").unwrap(), &p).unwrap();
        assert_eq!(f.sessions, 5);
        assert_eq!((f.first_reply_within, f.replied, f.abandoned), (1, 3, 1));
        // a in time, b 48 h late, d open 51 h: late; e open 16 h: pending.
        assert_eq!((f.decided, f.handled_in_time, f.overdue_open, f.pending), (3, 1, 1, 1));
        assert_eq!(f.first_reply_median_s, Some(120));
        assert_eq!(f.read.bad.len(), 1);
        assert_eq!(f.read.bad[0].line, 7);
    }
}
