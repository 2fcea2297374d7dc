//! Agent states (the ACD's or WFM's log of what each agent was doing, when)
//! and, with a schedule, schedule adherence.
//!
//! - **Occupancy** = handling time ÷ (handling + available time): of the time
//!   agents were ready for contacts, the share spent on them. Not to be
//!   confused with **utilisation** = handling ÷ logged-in time (handling +
//!   available + not-ready), reported beside it.
//! - **Schedule adherence** = time in adherence ÷ scheduled time. A slot of
//!   the schedule is either *on the phones* (the agent should be handling or
//!   available) or *off* them (break, lunch, training, meeting: the agent
//!   should not be). Time in adherence is the on-phone time inside an
//!   on-phones slot and the off-phone time inside an off slot; an agent who
//!   sent no state at all during a slot was off the phones.
//!
//! Each state row is one interval (`start` and `end`, or `start` and a
//! `duration` in seconds). States stream: only the schedule (a few slots per
//! agent and day) is held in memory, and a state's on-phone seconds are
//! added to the slots it overlaps. Two state rows of one agent that overlap
//! each count (the log is taken as the centre exports it).

use super::records::{self, Header, Rows, When, comma, datetime_formats, entry, field, is_in, lower_all};
pub use super::records::{BadRow, Reading, SourceFile};
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentMapping {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default = "datetime_formats")]
    pub datetime: Vec<String>,
    /// States that are work on a contact (talk, hold, after-call work).
    #[serde(default = "handling")]
    pub handling: Vec<String>,
    /// States waiting for a contact.
    #[serde(default = "available")]
    pub available: Vec<String>,
    /// States that are not logged in at all. Every other state is
    /// logged in but not ready (break, lunch, training…).
    #[serde(default = "logged_out")]
    pub logged_out: Vec<String>,
    #[serde(default)]
    pub schedule: ScheduleLayout,
    #[serde(skip)]
    pub lenient: bool,
}

/// Column names of the state log.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub agent: String,
    pub state: String,
    pub start: String,
    /// The state's end (a date-time)…
    pub end: Option<String>,
    /// …or its length in seconds.
    pub duration: Option<String>,
}

/// The schedule file's layout.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleLayout {
    #[serde(default = "schedule_columns")]
    pub columns: ScheduleColumns,
    /// Activities that put the agent on the phones; every other activity
    /// (break, lunch, training, meeting…) keeps the agent off them.
    #[serde(default = "on_phones")]
    pub on_phones: Vec<String>,
}

impl Default for ScheduleLayout {
    fn default() -> Self {
        ScheduleLayout {
            columns: schedule_columns(),
            on_phones: on_phones(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleColumns {
    pub agent: String,
    pub activity: String,
    pub start: String,
    pub end: String,
}

fn schedule_columns() -> ScheduleColumns {
    ScheduleColumns {
        agent: "agent".into(),
        activity: "activity".into(),
        start: "start".into(),
        end: "end".into(),
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn handling() -> Vec<String> {
    strings(&[
        "talk",
        "talking",
        "hold",
        "acw",
        "wrap",
        "wrap-up",
        "wrapup",
        "after-call",
        "通话",
        "保持",
        "话后处理",
        "事后整理",
    ])
}

fn available() -> Vec<String> {
    strings(&["available", "ready", "idle", "空闲", "就绪", "示闲"])
}

fn logged_out() -> Vec<String> {
    strings(&["logout", "logged-out", "logged out", "offline", "签出", "离线"])
}

fn on_phones() -> Vec<String> {
    strings(&["phone", "phones", "on-phone", "work", "open", "接听", "在线", "上线"])
}

/// The built-in layout: `generic` (agent, state, start, end or duration).
pub fn builtin(name: &str) -> Option<AgentMapping> {
    (name == "generic").then(|| AgentMapping {
        delimiter: comma(),
        encoding: None,
        columns: Columns {
            agent: "agent".into(),
            state: "state".into(),
            start: "start".into(),
            end: Some("end".into()),
            duration: Some("duration".into()),
        },
        datetime: datetime_formats(),
        handling: handling(),
        available: available(),
        logged_out: logged_out(),
        schedule: ScheduleLayout::default(),
        lenient: true,
    })
}

impl AgentMapping {
    pub fn parse(src: &str, file: &str) -> Result<AgentMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// The period the figures cover (whole days; none: the whole log).
#[derive(Clone, Debug, Default)]
pub struct Params {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One agent's adherence.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AgentAdherence {
    pub agent: String,
    pub scheduled_s: i64,
    pub in_adherence_s: i64,
    pub adherence: Option<f64>,
}

/// Schedule adherence (with `--schedule`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Adherence {
    /// How the schedule file was read.
    pub schedule: Reading,
    pub scheduled_agents: u64,
    /// Scheduled time, and of it the slots on the phones.
    pub scheduled_s: i64,
    pub on_phones_scheduled_s: i64,
    pub in_adherence_s: i64,
    /// 100 × in adherence ÷ scheduled.
    pub adherence: Option<f64>,
    /// Agents in the state log with no slot in the schedule (their time
    /// counts in occupancy, not in adherence).
    pub unscheduled_agents: u64,
    /// The ten agents least in adherence.
    pub lowest: Vec<AgentAdherence>,
}

/// The figures (JSON schema `cscaudit.agent-states/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AgentFigures {
    pub schema: &'static str,
    #[serde(flatten)]
    pub read: Reading,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Distinct agents with time in the period.
    pub agents: u64,
    pub handling_s: i64,
    pub available_s: i64,
    /// Logged in, not ready (break, lunch, training…).
    pub not_ready_s: i64,
    pub logged_out_s: i64,
    /// handling + available + not ready.
    pub logged_in_s: i64,
    /// 100 × handling ÷ (handling + available).
    pub occupancy: Option<f64>,
    /// 100 × handling ÷ logged in.
    pub utilisation: Option<f64>,
    /// Seconds by state as the log names them (the 1,000 commonest).
    pub by_state_s: BTreeMap<String, i64>,
    pub adherence: Option<Adherence>,
}

/// A slot of the schedule, and the on-phone seconds the states put in it.
struct Slot {
    start: i64,
    end: i64,
    on_phones: bool,
    on_s: i64,
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Handling,
    Available,
    NotReady,
    LoggedOut,
}

/// The most schedule slots read (a month of 10,000 agents at six slots a
/// day is under 2 million).
const MAX_SLOTS: usize = 5_000_000;
/// The most distinct agents counted.
const MAX_AGENTS: usize = 10_000_000;

struct ScheduleSink<'a> {
    l: &'a ScheduleLayout,
    lenient: bool,
    when: When,
    cols: Option<[usize; 4]>,
    on: Vec<String>,
    window: (i64, i64),
    slots: HashMap<String, Vec<Slot>>,
    count: usize,
}

impl Rows for ScheduleSink<'_> {
    fn header(&mut self, _file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let h = Header::new(header, self.lenient);
        let c = &self.l.columns;
        self.cols = Some([
            h.need(&c.agent)?,
            h.need(&c.activity)?,
            h.need(&c.start)?,
            h.need(&c.end)?,
        ]);
        Ok(Vec::new())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        let [agent, activity, start, end] = self.cols.expect("header first");
        let at = |what: &str, s: &str| {
            self.when
                .datetime(s)
                .map(records::stamp)
                .ok_or_else(|| format!("{what} `{s}` is not a date-time ({})", self.when.shown()))
        };
        let (a, b) = (at("start", field(rec, Some(start)))?, at("end", field(rec, Some(end)))?);
        if b < a {
            return Err(format!(
                "the slot ends ({}) before it starts ({})",
                field(rec, Some(end)),
                field(rec, Some(start))
            ));
        }
        let name = field(rec, Some(agent)).trim();
        if name.is_empty() {
            return Err("no agent".into());
        }
        let (a, b) = (a.max(self.window.0), b.min(self.window.1));
        if a >= b {
            return Ok(());
        }
        if self.count >= MAX_SLOTS {
            return Err(format!("more than {MAX_SLOTS} slots: the rest are not read"));
        }
        self.count += 1;
        let on_phones = is_in(&self.on, field(rec, Some(activity)));
        let slot = Slot {
            start: a,
            end: b,
            on_phones,
            on_s: 0,
        };
        match self.slots.get_mut(name) {
            Some(v) => v.push(slot),
            None => {
                self.slots.insert(name.to_string(), vec![slot]);
            }
        }
        Ok(())
    }
}

struct StateSink<'a> {
    m: &'a AgentMapping,
    when: When,
    cols: Option<StateCols>,
    handling: Vec<String>,
    available: Vec<String>,
    logged_out: Vec<String>,
    window: (i64, i64),
    totals: [i64; 4],
    by_state: BTreeMap<String, i64>,
    agents: HashSet<u64>,
    hasher: std::hash::RandomState,
    schedule: Option<HashMap<String, Vec<Slot>>>,
    unscheduled: HashSet<u64>,
    /// Each agent's last state end, in file order (for overlaps).
    last_end: HashMap<u64, i64>,
    overlapping: u64,
    /// States longer than a day (a missing log-out, a wrong end).
    long: u64,
}

struct StateCols {
    agent: usize,
    state: usize,
    start: usize,
    end: Option<usize>,
    duration: Option<usize>,
}

impl StateSink<'_> {
    fn class(&self, state: &str) -> Class {
        if is_in(&self.handling, state) {
            Class::Handling
        } else if is_in(&self.available, state) {
            Class::Available
        } else if is_in(&self.logged_out, state) {
            Class::LoggedOut
        } else {
            Class::NotReady
        }
    }

    fn hash(&self, s: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(s.as_bytes());
        h.finish()
    }
}

impl Rows for StateSink<'_> {
    fn header(&mut self, _file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.m.lenient);
        let c = &self.m.columns;
        let cols = StateCols {
            agent: h.need(&c.agent)?,
            state: h.need(&c.state)?,
            start: h.need(&c.start)?,
            end: h.opt(&c.end)?,
            duration: h.opt(&c.duration)?,
        };
        if cols.end.is_none() && cols.duration.is_none() {
            let (e, d) = (
                c.end.as_deref().unwrap_or("end"),
                c.duration.as_deref().unwrap_or("duration"),
            );
            return Err(format!(
                "the header has neither `{e}` nor `{d}`: a state needs its end or its length"
            ));
        }
        self.cols = Some(cols);
        Ok(Vec::new())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        let c = self.cols.as_ref().expect("header first");
        let start_s = field(rec, Some(c.start));
        let a = self
            .when
            .datetime(start_s)
            .map(records::stamp)
            .ok_or_else(|| format!("start `{start_s}` is not a date-time ({})", self.when.shown()))?;
        let end_s = field(rec, c.end).trim();
        let b = if !end_s.is_empty() {
            self.when
                .datetime(end_s)
                .map(records::stamp)
                .ok_or_else(|| format!("end `{end_s}` is not a date-time ({})", self.when.shown()))?
        } else {
            let d = field(rec, c.duration).trim();
            if d.is_empty() {
                return Err("the state has neither an end nor a duration".into());
            }
            let secs: f64 = d
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x >= 0.0 && *x < 1e9)
                .ok_or_else(|| format!("duration `{d}` is not a number of seconds"))?;
            a + secs.round() as i64
        };
        if b < a {
            return Err(format!("the state ends ({end_s}) before it starts ({start_s})"));
        }
        let agent = field(rec, Some(c.agent)).trim();
        if agent.is_empty() {
            return Err("no agent".into());
        }
        if b - a > 86_400 {
            self.long += 1;
        }
        let (a, b) = (a.max(self.window.0), b.min(self.window.1));
        if a >= b {
            return Ok(());
        }
        let secs = b - a;
        let id = self.hash(agent);
        if self.last_end.len() < MAX_AGENTS || self.last_end.contains_key(&id) {
            let last = self.last_end.entry(id).or_insert(i64::MIN);
            if a < *last {
                self.overlapping += 1;
            }
            *last = (*last).max(b);
        }
        let state = field(rec, Some(c.state));
        let class = self.class(state);
        self.totals[class as usize] += secs;
        *entry(&mut self.by_state, state) += secs;
        if self.agents.len() < MAX_AGENTS {
            self.agents.insert(id);
        }
        if let Some(schedule) = &mut self.schedule {
            match schedule.get_mut(agent) {
                None => {
                    if self.unscheduled.len() < MAX_AGENTS {
                        self.unscheduled.insert(id);
                    }
                }
                Some(slots) if matches!(class, Class::Handling | Class::Available) => {
                    let first = slots.partition_point(|s| s.end <= a);
                    for s in slots[first..].iter_mut().take_while(|s| s.start < b) {
                        s.on_s += b.min(s.end) - a.max(s.start);
                    }
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// Read the agent-state logs (and a schedule) and compute the figures.
pub fn read(paths: &[PathBuf], schedule: Option<&Path>, m: &AgentMapping, p: &Params) -> Result<AgentFigures, String> {
    if let (Some(a), Some(b)) = (p.from, p.to)
        && a > b
    {
        return Err(format!("the period starts {a} after it ends {b}"));
    }
    let day = |d: Date| records::stamp(d.to_datetime(Time::midnight()));
    let window = (p.from.map_or(i64::MIN, day), p.to.map_or(i64::MAX, |d| day(d) + 86_400));
    let layout = |noun| records::Layout {
        delimiter: &m.delimiter,
        encoding: m.encoding.as_deref(),
        noun,
    };
    let mut warnings = Vec::new();
    let (slots, schedule_read) = match schedule {
        None => (None, None),
        Some(path) => {
            let mut sink = ScheduleSink {
                l: &m.schedule,
                lenient: m.lenient,
                when: When::new(&m.datetime),
                cols: None,
                on: lower_all(&m.schedule.on_phones),
                window,
                slots: HashMap::new(),
                count: 0,
            };
            let r = records::read(&[path.to_path_buf()], &layout("schedule slots"), &mut sink)
                .map_err(|e| format!("the schedule: {e}"))?;
            let mut slots = sink.slots;
            let mut overlapping = 0u64;
            for v in slots.values_mut() {
                v.sort_by_key(|s| (s.start, s.end));
                overlapping += v.windows(2).filter(|w| w[1].start < w[0].end).count() as u64;
            }
            if overlapping > 0 {
                warnings.push(format!(
                    "{overlapping} schedule slots overlap another slot of the same agent: the overlapping time is scheduled twice"
                ));
            }
            (Some(slots), Some(r))
        }
    };
    let mut sink = StateSink {
        m,
        when: When::new(&m.datetime),
        cols: None,
        handling: lower_all(&m.handling),
        available: lower_all(&m.available),
        logged_out: lower_all(&m.logged_out),
        window,
        totals: [0; 4],
        by_state: BTreeMap::new(),
        agents: HashSet::new(),
        hasher: std::hash::RandomState::new(),
        schedule: slots,
        unscheduled: HashSet::new(),
        last_end: HashMap::new(),
        overlapping: 0,
        long: 0,
    };
    let mut reading = records::read(paths, &layout("agent states"), &mut sink)?;
    let [handling_s, available_s, not_ready_s, logged_out_s] = sink.totals;
    if sink.long > 0 {
        warnings.push(format!(
            "{} states last more than a day (a missing log-out?): they count whole",
            sink.long
        ));
    }
    if sink.overlapping > 0 {
        warnings.push(format!(
            "{} states start before the same agent's previous state ended (in file order): the overlapping time counts twice",
            sink.overlapping
        ));
    }
    let logged_in_s = handling_s + available_s + not_ready_s;
    let ratio = |x: i64, n: i64| (n > 0).then(|| 100.0 * x as f64 / n as f64);
    if logged_in_s == 0 {
        warnings.push(match (p.from, p.to) {
            (None, None) => "no agent was logged in in the log".to_string(),
            _ => "no agent was logged in in the period: is the period right?".to_string(),
        });
    }
    let adherence = match (sink.schedule, schedule_read) {
        (Some(slots), Some(schedule)) => {
            let mut per_agent: Vec<AgentAdherence> = slots
                .iter()
                .map(|(agent, v)| {
                    let scheduled_s: i64 = v.iter().map(|s| s.end - s.start).sum();
                    let in_adherence_s: i64 = v.iter().map(in_adherence).sum();
                    AgentAdherence {
                        agent: records::key(agent),
                        scheduled_s,
                        in_adherence_s,
                        adherence: ratio(in_adherence_s, scheduled_s),
                    }
                })
                .collect();
            let scheduled_s = per_agent.iter().map(|a| a.scheduled_s).sum();
            let in_adherence_s = per_agent.iter().map(|a| a.in_adherence_s).sum();
            let on_phones_scheduled_s = slots
                .values()
                .flatten()
                .filter(|s| s.on_phones)
                .map(|s| s.end - s.start)
                .sum();
            per_agent.sort_by(|a, b| {
                a.adherence
                    .partial_cmp(&b.adherence)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| a.agent.cmp(&b.agent))
            });
            let scheduled_agents = per_agent.len() as u64;
            per_agent.truncate(10);
            if scheduled_s == 0 {
                warnings.push("no schedule slot falls in the period".into());
            }
            Some(Adherence {
                schedule,
                scheduled_agents,
                scheduled_s,
                on_phones_scheduled_s,
                in_adherence_s,
                adherence: ratio(in_adherence_s, scheduled_s),
                unscheduled_agents: sink.unscheduled.len() as u64,
                lowest: per_agent,
            })
        }
        _ => None,
    };
    reading.warnings.extend(warnings);
    Ok(AgentFigures {
        schema: "cscaudit.agent-states/1",
        read: reading,
        from: p.from.map(|d| d.to_string()),
        to: p.to.map(|d| d.to_string()),
        agents: sink.agents.len() as u64,
        handling_s,
        available_s,
        not_ready_s,
        logged_out_s,
        logged_in_s,
        occupancy: ratio(handling_s, handling_s + available_s),
        utilisation: ratio(handling_s, logged_in_s),
        by_state_s: sink.by_state,
        adherence,
    })
}

/// A slot's time in adherence: the on-phone time of an on-phones slot, the
/// rest of an off slot (overlapping states cannot take it past the slot).
fn in_adherence(s: &Slot) -> i64 {
    let len = s.end - s.start;
    let on = s.on_s.clamp(0, len);
    if s.on_phones { on } else { len - on }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occupancy_utilisation_and_adherence_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let states = dir.path().join("s.csv");
        let schedule = dir.path().join("r.csv");
        // Agent A: 09:00–10:00 talk 30 min, available 20 min, break 10 min
        // (scheduled on the phones 09:00–09:50, break 09:50–10:00).
        // Agent B: talks through its scheduled lunch 12:00–12:30 (duration column).
        std::fs::write(
            &states,
            "agent,state,start,end,duration\n\
             A,talk,2026-03-02 09:00:00,2026-03-02 09:30:00,\n\
             A,Available,2026-03-02 09:30:00,2026-03-02 09:50:00,\n\
             A,休息,2026-03-02 09:50:00,2026-03-02 10:00:00,\n\
             B,通话,2026-03-02 12:00:00,,1200\n\
             B,logout,2026-03-02 12:20:00,2026-03-02 13:00:00,\n\
             C,talk,2026-03-03 09:00:00,2026-03-03 09:10:00,\n\
             X,talk,2026-03-02 09:00:00,2026-03-02 08:00:00,\n",
        )
        .unwrap();
        std::fs::write(
            &schedule,
            "agent,activity,start,end\n\
             A,phone,2026-03-02 09:00:00,2026-03-02 09:50:00\n\
             A,break,2026-03-02 09:50:00,2026-03-02 10:00:00\n\
             B,lunch,2026-03-02 12:00:00,2026-03-02 12:30:00\n",
        )
        .unwrap();
        let p = Params {
            from: Some("2026-03-02".parse().unwrap()),
            to: Some("2026-03-02".parse().unwrap()),
        };
        let f = read(&[states], Some(&schedule), &builtin("generic").unwrap(), &p).unwrap();
        assert_eq!((f.read.rows, f.read.malformed), (7, 1));
        assert_eq!(f.agents, 2, "C is outside the period");
        assert_eq!(f.handling_s, 50 * 60);
        assert_eq!(f.available_s, 20 * 60);
        assert_eq!(f.not_ready_s, 10 * 60);
        assert_eq!(f.logged_out_s, 40 * 60);
        assert!((f.occupancy.unwrap() - 100.0 * 50.0 / 70.0).abs() < 1e-9);
        assert!((f.utilisation.unwrap() - 100.0 * 50.0 / 80.0).abs() < 1e-9);
        let a = f.adherence.unwrap();
        // A: 50 of 50 on the phones + 10 of 10 off; B: 10 of 30 off (talked 20).
        assert_eq!(a.scheduled_s, 90 * 60);
        assert_eq!(a.in_adherence_s, 70 * 60);
        assert_eq!(a.lowest[0].agent, "B");
        assert_eq!(a.unscheduled_agents, 0);
        assert!(f.read.warnings.is_empty(), "{:?}", f.read.warnings);
    }

    #[test]
    fn a_state_overlapping_the_same_agents_previous_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let states = dir.path().join("s.csv");
        std::fs::write(
            &states,
            "agent,state,start,end\n\
             A,talk,2026-03-02 09:00:00,2026-03-02 09:30:00\n\
             B,talk,2026-03-02 09:10:00,2026-03-02 09:20:00\n\
             A,available,2026-03-02 09:20:00,2026-03-02 09:40:00\n",
        )
        .unwrap();
        let f = read(&[states], None, &builtin("generic").unwrap(), &Params::default()).unwrap();
        assert_eq!(f.handling_s, 40 * 60, "counted as exported");
        assert!(
            f.read.warnings.iter().any(|w| w.starts_with("1 states start before")),
            "{:?}",
            f.read.warnings
        );
    }
}
