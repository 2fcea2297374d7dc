//! Recording completeness: answered calls matched to a recording in the
//! recording system's index ÷ answered calls, and the unmatched calls as
//! evidence.
//!
//! The index is read first and kept as a set of 64-bit keyed hashes of the
//! call keys (a key is one or more columns, e.g. the Anonymous Bank's
//! `vru+line` and `call_id`: its call ids repeat across lines). The hash key
//! is drawn afresh for each run, so a file cannot be made to collide on
//! purpose; by chance, two of ten million keys share a hash with a
//! probability near 3 in a million. A recording whose duration column says
//! 0 seconds is not a recording (nothing can be played back). The call
//! records then stream: each answered call is looked up.
//!
//! Memory: 8 bytes per recording (about 160 MB at 10 million, in the set's
//! buckets), plus the first 100,000 unmatched keys kept for the evidence list.

use super::records::{self, Header, Rows, comma, field, is_in, lower_all, pct};
pub use super::records::{BadRow, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingMapping {
    pub index: IndexLayout,
    pub calls: CallsLayout,
    #[serde(skip)]
    pub lenient: bool,
}

/// The recording index.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexLayout {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    /// The columns that together name the call a recording is of.
    pub key: Vec<String>,
    /// Seconds recorded: 0 means no recording.
    pub duration: Option<String>,
}

/// The call records.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsLayout {
    #[serde(default = "comma")]
    pub delimiter: String,
    #[serde(default)]
    pub encoding: Option<String>,
    /// The columns that together name a call (as in the index).
    pub key: Vec<String>,
    pub outcome: String,
    /// Outcome values of a call an agent answered.
    pub answered: Vec<String>,
    /// The call's date, shown beside unmatched calls.
    pub date: Option<String>,
    /// The agent, shown beside unmatched calls.
    pub agent: Option<String>,
}

/// Built in: `generic` (index: call_id, duration; calls: call_id, date,
/// agent, outcome) and `anonymous-bank` (calls in the Anonymous Bank 1999
/// layout, tab-separated with its header, keyed by vru+line and call_id;
/// the index in the generic layout with columns `vru+line` and `call_id`).
pub fn builtin(name: &str) -> Option<RecordingMapping> {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let s = |x: &str| Some(x.to_string());
    match name {
        "generic" => Some(RecordingMapping {
            index: IndexLayout {
                delimiter: comma(),
                encoding: None,
                key: v(&["call_id"]),
                duration: s("duration"),
            },
            calls: CallsLayout {
                delimiter: comma(),
                encoding: None,
                key: v(&["call_id"]),
                outcome: "outcome".into(),
                answered: v(&["answered", "agent", "served", "接通", "人工接通", "已接通"]),
                date: s("date"),
                agent: s("agent"),
            },
            lenient: true,
        }),
        "anonymous-bank" => Some(RecordingMapping {
            index: IndexLayout {
                delimiter: comma(),
                encoding: None,
                key: v(&["vru+line", "call_id"]),
                duration: s("duration"),
            },
            calls: CallsLayout {
                delimiter: "\t".into(),
                encoding: None,
                key: v(&["vru+line", "call_id"]),
                outcome: "outcome".into(),
                answered: v(&["AGENT"]),
                date: s("date"),
                agent: s("server"),
            },
            lenient: true,
        }),
        _ => None,
    }
}

impl RecordingMapping {
    pub fn parse(src: &str, file: &str) -> Result<RecordingMapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }
}

/// An answered call with no recording.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Unmatched {
    pub call: String,
    pub date: String,
    pub agent: String,
}

/// The figures (JSON schema `cscaudit.recordings/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecordingFigures {
    pub schema: &'static str,
    pub index_files: Vec<SourceFile>,
    pub call_files: Vec<SourceFile>,
    /// Recordings in the index (rows read), and of them empty (0 s).
    pub recordings: u64,
    pub empty_recordings: u64,
    /// Call rows read, and of them answered by an agent.
    pub calls: u64,
    pub answered: u64,
    pub matched: u64,
    /// matched ÷ answered, percent.
    pub completeness: Option<f64>,
    pub unmatched: u64,
    /// The first 100,000 answered calls without a recording.
    pub unmatched_calls: Vec<Unmatched>,
    pub malformed: u64,
    pub bad: Vec<BadRow>,
    pub warnings: Vec<String>,
}

const KEEP_UNMATCHED: usize = 100_000;

struct Keyed(std::collections::hash_map::RandomState);

impl Keyed {
    fn hash(&self, rec: &csv::StringRecord, cols: &[usize]) -> u64 {
        let mut h = self.0.build_hasher();
        for &c in cols {
            h.write(field(rec, Some(c)).as_bytes());
            h.write_u8(0xff);
        }
        h.finish()
    }
}

fn key_columns(h: &Header, names: &[String]) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        return Err("the layout names no key column".into());
    }
    names.iter().map(|n| h.need(n)).collect()
}

fn key_text(rec: &csv::StringRecord, cols: &[usize]) -> String {
    let parts: Vec<String> = cols
        .iter()
        .map(|c| crate::text::visible(field(rec, Some(*c))).into_owned())
        .collect();
    parts.join("/")
}

struct IndexSink<'a> {
    layout: &'a IndexLayout,
    lenient: bool,
    keyed: &'a Keyed,
    set: &'a mut HashSet<u64, BuildU64>,
    f: &'a mut RecordingFigures,
    cols: Vec<usize>,
    duration: Option<usize>,
}

impl Rows for IndexSink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.lenient);
        self.cols = key_columns(&h, &self.layout.key)?;
        self.duration = h.opt(&self.layout.duration)?;
        Ok(h.missing_warning(file, &|_| None).into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        if self.cols.iter().any(|c| field(rec, Some(*c)).is_empty()) {
            return Err("a recording without its call key".into());
        }
        if self.duration.is_some() {
            let d = field(rec, self.duration);
            let secs: f64 = d
                .parse()
                .map_err(|_| format!("duration `{d}` is not a number of seconds"))?;
            if !secs.is_finite() || secs < 0.0 {
                return Err(format!("duration `{d}` is not a number of seconds ≥ 0"));
            }
            if secs == 0.0 {
                self.f.recordings += 1;
                self.f.empty_recordings += 1;
                return Ok(());
            }
        }
        self.f.recordings += 1;
        self.set.insert(self.keyed.hash(rec, &self.cols));
        Ok(())
    }
}

struct CallSink<'a> {
    layout: &'a CallsLayout,
    lenient: bool,
    keyed: &'a Keyed,
    set: &'a HashSet<u64, BuildU64>,
    f: &'a mut RecordingFigures,
    cols: Vec<usize>,
    outcome: usize,
    date: Option<usize>,
    agent: Option<usize>,
    answered: Vec<String>,
}

impl Rows for CallSink<'_> {
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String> {
        let mut h = Header::new(header, self.lenient);
        self.cols = key_columns(&h, &self.layout.key)?;
        self.outcome = h.need(&self.layout.outcome)?;
        self.date = h.opt(&self.layout.date)?;
        self.agent = h.opt(&self.layout.agent)?;
        self.answered = lower_all(&self.layout.answered);
        Ok(h.missing_warning(file, &|_| None).into_iter().collect())
    }

    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String> {
        if rec.len() <= self.outcome {
            return Err(format!("{} fields: no outcome", rec.len()));
        }
        self.f.calls += 1;
        if !is_in(&self.answered, field(rec, Some(self.outcome))) {
            return Ok(());
        }
        if self.cols.iter().any(|c| field(rec, Some(*c)).is_empty()) {
            return Err("an answered call without its key".into());
        }
        self.f.answered += 1;
        if self.set.contains(&self.keyed.hash(rec, &self.cols)) {
            self.f.matched += 1;
        } else {
            self.f.unmatched += 1;
            if self.f.unmatched_calls.len() < KEEP_UNMATCHED {
                self.f.unmatched_calls.push(Unmatched {
                    call: key_text(rec, &self.cols),
                    date: crate::text::visible(field(rec, self.date)).into_owned(),
                    agent: crate::text::visible(field(rec, self.agent)).into_owned(),
                });
            }
        }
        Ok(())
    }
}

/// A set of hashes needs no second hashing.
#[derive(Default, Clone, Copy)]
struct BuildU64;
#[derive(Default)]
struct U64Hasher(u64);
impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
impl BuildHasher for BuildU64 {
    type Hasher = U64Hasher;
    fn build_hasher(&self) -> U64Hasher {
        U64Hasher(0)
    }
}

/// Match the call records against the recording index.
pub fn read(index: &[PathBuf], calls: &[PathBuf], m: &RecordingMapping) -> Result<RecordingFigures, String> {
    if calls.is_empty() {
        return Err("recording completeness needs the call records too: give --calls FILE".into());
    }
    let mut f = RecordingFigures {
        schema: "cscaudit.recordings/1",
        index_files: Vec::new(),
        call_files: Vec::new(),
        recordings: 0,
        empty_recordings: 0,
        calls: 0,
        answered: 0,
        matched: 0,
        completeness: None,
        unmatched: 0,
        unmatched_calls: Vec::new(),
        malformed: 0,
        bad: Vec::new(),
        warnings: Vec::new(),
    };
    let keyed = Keyed(std::collections::hash_map::RandomState::new());
    let mut set: HashSet<u64, BuildU64> = HashSet::default();
    let ix = records::read(
        index,
        &records::Layout {
            delimiter: &m.index.delimiter,
            encoding: m.index.encoding.as_deref(),
            noun: "recordings",
        },
        &mut IndexSink {
            layout: &m.index,
            lenient: m.lenient,
            keyed: &keyed,
            set: &mut set,
            f: &mut f,
            cols: Vec::new(),
            duration: None,
        },
    )
    .map_err(|e| format!("recording index: {e}"))?;
    let cr = records::read(
        calls,
        &records::Layout {
            delimiter: &m.calls.delimiter,
            encoding: m.calls.encoding.as_deref(),
            noun: "call records",
        },
        &mut CallSink {
            layout: &m.calls,
            lenient: m.lenient,
            keyed: &keyed,
            set: &set,
            f: &mut f,
            cols: Vec::new(),
            outcome: 0,
            date: None,
            agent: None,
            answered: Vec::new(),
        },
    )
    .map_err(|e| format!("call records: {e}"))?;
    f.index_files = ix.files;
    f.call_files = cr.files;
    f.malformed = ix.malformed + cr.malformed;
    let tag = |what: &str, b: Vec<BadRow>| {
        b.into_iter()
            .map(|mut r| {
                r.reason = format!("{what}: {}", r.reason);
                r
            })
            .collect::<Vec<_>>()
    };
    f.bad = tag("index", ix.bad);
    f.bad.extend(tag("calls", cr.bad));
    f.bad.truncate(20);
    f.warnings = ix.warnings;
    f.warnings.extend(cr.warnings);
    if f.answered == 0 {
        return Err(format!(
            "call records: no answered call among {} (answered outcomes: {})",
            f.calls,
            m.calls.answered.join(", ")
        ));
    }
    f.completeness = pct(f.matched, f.answered);
    if f.unmatched > KEEP_UNMATCHED as u64 {
        f.warnings.push(format!(
            "{} answered calls have no recording: the first {KEEP_UNMATCHED} are listed",
            f.unmatched
        ));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answered_calls_match_by_key_and_an_empty_recording_does_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let ix = dir.path().join("ix.csv");
        let calls = dir.path().join("calls.csv");
        std::fs::write(&ix, "call_id,duration\n1,30\n2,0\n4,12\n9,5\n,3\n").unwrap();
        std::fs::write(
            &calls,
            "call_id,date,agent,outcome\n1,2026-01-01,a,answered\n2,2026-01-01,a,answered\n3,2026-01-01,b,abandoned\n4,2026-01-01,b,接通\n5,2026-01-01,b,answered\n",
        )
        .unwrap();
        let f = read(&[ix], &[calls], &builtin("generic").unwrap()).unwrap();
        assert_eq!((f.recordings, f.empty_recordings), (4, 1));
        assert_eq!((f.calls, f.answered, f.matched, f.unmatched), (5, 4, 2, 2));
        assert_eq!(f.completeness, Some(50.0));
        let missing: Vec<&str> = f.unmatched_calls.iter().map(|u| u.call.as_str()).collect();
        assert_eq!(missing, ["2", "5"]);
        assert_eq!(f.bad.len(), 1);
        assert!(f.bad[0].reason.starts_with("index:"), "{:?}", f.bad);
    }
}
