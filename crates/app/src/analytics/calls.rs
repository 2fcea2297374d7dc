//! Call records: the normalised shape every input format is read into, and the
//! parsers for the Anonymous Bank 1999 format and mapped CSV/TSV exports.

use super::records::comma;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Served by an agent.
    Answered,
    /// The caller hung up (in the queue or in the IVR).
    Abandoned,
    /// Not a real call (e.g. PHANTOM); removed before all rates.
    Ignored,
}

/// One call, normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// Calendar date as yyyymmdd.
    pub date: u32,
    /// Hour of day the call arrived (0–23).
    pub hour: u8,
    /// Whether the call entered the agent queue.
    pub queued: bool,
    pub outcome: Outcome,
    /// Seconds waited in the agent queue.
    pub wait: u32,
    /// Talk (service) seconds.
    pub talk: u32,
    /// Whether an identified agent served it.
    pub served: bool,
}

// ---------------------------------------------------------------- Anonymous Bank

fn hms_hour(f: &[u8]) -> Option<(u8, bool)> {
    // H:MM:SS or HH:MM:SS; returns (hour, is_zero_time)
    let colon = f.iter().position(|&b| b == b':')?;
    if colon == 0 || colon > 2 || f.len() != colon + 6 || f[colon + 3] != b':' {
        return None;
    }
    let mut h: u32 = 0;
    for &b in &f[..colon] {
        h = h * 10 + u32::from(digit(b)?);
    }
    let m = u32::from(digit(f[colon + 1])?) * 10 + u32::from(digit(f[colon + 2])?);
    let s = u32::from(digit(f[colon + 4])?) * 10 + u32::from(digit(f[colon + 5])?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some((h as u8, h == 0 && m == 0 && s == 0))
}

#[inline]
fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

fn uint(f: &[u8]) -> Option<u32> {
    if f.is_empty() || f.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in f {
        v = v * 10 + u32::from(digit(b)?);
    }
    Some(v)
}

/// Parse one data line of the Anonymous Bank 1999 call records (17 fields split
/// on runs of whitespace): `vru+line call_id customer_id priority type date
/// vru_entry vru_exit vru_time q_start q_exit q_time outcome ser_start ser_exit
/// ser_time server`.
pub fn parse_anonymous_bank(line: &[u8]) -> Result<Call, String> {
    let mut f: [&[u8]; 17] = [&[]; 17];
    let mut n = 0;
    for field in line.split(|b| b.is_ascii_whitespace()).filter(|s| !s.is_empty()) {
        if n == 17 {
            return Err("more than 17 fields".into());
        }
        f[n] = field;
        n += 1;
    }
    if n != 17 {
        return Err(format!("{n} fields, expected 17"));
    }
    let d = f[5];
    if d.len() != 6 {
        return Err(format!("date `{}` is not YYMMDD", String::from_utf8_lossy(d)));
    }
    let ymd = uint(d).ok_or_else(|| format!("date `{}` is not YYMMDD", String::from_utf8_lossy(d)))?;
    let (yy, mm, dd) = (ymd / 10000, ymd / 100 % 100, ymd % 100);
    let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
    // A real day of the calendar (30 February is not one).
    if jiff::civil::Date::new(year as i16, mm as i8, dd as i8).is_err() {
        return Err(format!("date `{}` is not a valid day", String::from_utf8_lossy(d)));
    }
    let (hour, _) =
        hms_hour(f[6]).ok_or_else(|| format!("vru_entry `{}` is not H:MM:SS", String::from_utf8_lossy(f[6])))?;
    let (_, q_zero) =
        hms_hour(f[9]).ok_or_else(|| format!("q_start `{}` is not H:MM:SS", String::from_utf8_lossy(f[9])))?;
    let wait = uint(f[11]).ok_or_else(|| format!("q_time `{}` is not a number", String::from_utf8_lossy(f[11])))?;
    let outcome = match f[12] {
        b"AGENT" => Outcome::Answered,
        b"HANG" => Outcome::Abandoned,
        b"PHANTOM" => Outcome::Ignored,
        other => {
            return Err(format!(
                "outcome `{}` is not AGENT, HANG or PHANTOM",
                String::from_utf8_lossy(other)
            ));
        }
    };
    let talk = uint(f[15]).ok_or_else(|| format!("ser_time `{}` is not a number", String::from_utf8_lossy(f[15])))?;
    Ok(Call {
        date: year * 10000 + mm * 100 + dd,
        hour,
        queued: !q_zero,
        outcome,
        wait,
        talk,
        served: f[16] != b"NO_SERVER",
    })
}

/// The header line of the Anonymous Bank files.
pub fn is_anonymous_bank_header(line: &[u8]) -> bool {
    // A UTF-8 byte-order mark before it (a file saved by Excel or Notepad).
    let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    line.starts_with(b"vru+line") || line.starts_with(b"vru_line")
}

// ---------------------------------------------------------------- mapped CSV

/// How to read a bank's own ACD export: column names, time formats and outcome
/// codes. See `tests/fixtures/calls/mapping.toml` for an example.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Field separator: ",", ";", "\t" or "|".
    #[serde(default = "comma")]
    pub delimiter: String,
    /// The file's text encoding: "utf-8" (the default) or "gb18030" (also
    /// read for "gbk": Chinese ACD exports often are).
    #[serde(default)]
    pub encoding: Option<String>,
    pub columns: Columns,
    #[serde(default)]
    pub formats: Formats,
    pub outcomes: Outcomes,
}

impl Mapping {
    /// The encoding to decode with (`None`: UTF-8, read as is).
    pub fn encoding(&self) -> Result<Option<&'static encoding_rs::Encoding>, String> {
        encoding_named(self.encoding.as_deref())
    }
}

/// A mapping's field separator as the csv reader takes it: one byte, or
/// "\t" / "tab" for a tab (every record mapping reads it so).
pub fn delimiter_byte(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        s if s.len() == 1 => Ok(s.as_bytes()[0]),
        s => Err(format!(
            "delimiter `{}` must be one single-byte character (or \"\\t\")",
            crate::text::visible(s)
        )),
    }
}

/// An encoding by its name: utf-8 (None), gb18030 or gbk (GB18030 reads both).
pub fn encoding_named(name: Option<&str>) -> Result<Option<&'static encoding_rs::Encoding>, String> {
    match name.map(|n| n.to_ascii_lowercase()) {
        None => Ok(None),
        Some(n) if n == "utf-8" || n == "utf8" => Ok(None),
        Some(n) if n == "gb18030" || n == "gbk" || n == "gb2312" => Ok(Some(encoding_rs::GB18030)),
        Some(n) => Err(format!("encoding `{n}` is not supported (utf-8 or gb18030)")),
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The call's date (or a date-time).
    pub date: String,
    /// Arrival time of day (for per-hour figures); if absent, taken from `date` when it has a time.
    pub time: Option<String>,
    /// Seconds (or H:MM:SS) waited in the agent queue.
    pub wait: String,
    /// Seconds (or H:MM:SS) of talk.
    pub talk: Option<String>,
    pub outcome: String,
    /// A column that is empty / zero when the call never queued for an agent.
    pub queued: Option<String>,
    /// Agent id: a served call has one.
    pub agent: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Formats {
    /// strftime-style format of the date column (jiff syntax), e.g. "%Y-%m-%d" or "%Y/%m/%d %H:%M:%S".
    pub date: String,
    /// Format of the time column, e.g. "%H:%M:%S".
    pub time: String,
    /// "seconds" or "hms" (H:MM:SS) for wait and talk.
    pub duration: String,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            date: "%Y-%m-%d".into(),
            time: "%H:%M:%S".into(),
            duration: "seconds".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    pub answered: Vec<String>,
    pub abandoned: Vec<String>,
    #[serde(default)]
    pub ignored: Vec<String>,
}

/// A mapping resolved against a file's header.
pub struct CsvReader {
    date: usize,
    time: Option<usize>,
    wait: usize,
    talk: Option<usize>,
    outcome: usize,
    queued: Option<usize>,
    agent: Option<usize>,
    codes: HashMap<String, Outcome>,
    date_fmt: String,
    time_fmt: String,
    hms: bool,
}

impl Mapping {
    pub fn parse(src: &str, file: &str) -> Result<Mapping, crate::config::ConfigError> {
        crate::config::toml_file::deserialize(src, file)
    }

    pub fn delimiter_byte(&self) -> Result<u8, String> {
        delimiter_byte(&self.delimiter)
    }

    /// Find the mapped columns in a header row.
    pub fn resolve(&self, header: &csv::StringRecord) -> Result<CsvReader, String> {
        let find = |name: &str| -> Result<usize, String> {
            header
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| {
                    format!(
                        "column `{name}` is not in the header ({})",
                        header.iter().collect::<Vec<_>>().join(", ")
                    )
                })
        };
        let opt = |name: &Option<String>| name.as_deref().map(find).transpose();
        let mut codes = HashMap::new();
        for (list, o) in [
            (&self.outcomes.answered, Outcome::Answered),
            (&self.outcomes.abandoned, Outcome::Abandoned),
            (&self.outcomes.ignored, Outcome::Ignored),
        ] {
            for c in list {
                codes.insert(c.trim().to_string(), o);
            }
        }
        let hms = match self.formats.duration.as_str() {
            "seconds" => false,
            "hms" => true,
            other => return Err(format!("formats.duration `{other}` must be \"seconds\" or \"hms\"")),
        };
        Ok(CsvReader {
            date: find(&self.columns.date)?,
            time: opt(&self.columns.time)?,
            wait: find(&self.columns.wait)?,
            talk: opt(&self.columns.talk)?,
            outcome: find(&self.columns.outcome)?,
            queued: opt(&self.columns.queued)?,
            agent: opt(&self.columns.agent)?,
            codes,
            date_fmt: self.formats.date.clone(),
            time_fmt: self.formats.time.clone(),
            hms,
        })
    }
}

fn duration(s: &str, hms: bool) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    if hms || s.contains(':') {
        let mut total: u32 = 0;
        for part in s.split(':') {
            total = total.checked_mul(60)?.checked_add(part.parse::<u32>().ok()?)?;
        }
        return Some(total);
    }
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f >= 0.0).then(|| f.round() as u32)
}

fn is_blank_or_zero(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.chars().all(|c| c == '0' || c == ':' || c == '.')
}

impl CsvReader {
    pub fn call(&self, r: &csv::StringRecord) -> Result<Call, String> {
        let get = |i: usize, name: &str| r.get(i).ok_or_else(|| format!("missing column {name}"));
        let date_s = get(self.date, "date")?.trim();
        let dt = jiff::fmt::strtime::parse(&self.date_fmt, date_s)
            .map_err(|_| format!("date `{date_s}` does not match `{}`", self.date_fmt))?;
        let date = dt
            .to_date()
            .map_err(|_| format!("date `{date_s}` does not match `{}`", self.date_fmt))?;
        // Call records are of this era: a year before 1900 or after 2999 is
        // a misread column (and would not fit the yyyymmdd key).
        if !(1900..=2999).contains(&date.year()) {
            return Err(format!("date `{date_s}` is out of range (years 1900–2999)"));
        }
        let hour = match self.time {
            Some(i) => {
                let t = get(i, "time")?.trim();
                let tm = jiff::fmt::strtime::parse(&self.time_fmt, t)
                    .and_then(|p| p.to_time())
                    .map_err(|_| format!("time `{t}` does not match `{}`", self.time_fmt))?;
                tm.hour() as u8
            }
            None => dt.to_time().map(|t| t.hour() as u8).unwrap_or(0),
        };
        let wait_s = get(self.wait, "wait")?;
        let wait = duration(wait_s, self.hms).ok_or_else(|| format!("wait `{}` is not a duration", wait_s.trim()))?;
        let talk = match self.talk {
            Some(i) => {
                let t = get(i, "talk")?;
                duration(t, self.hms).ok_or_else(|| format!("talk `{}` is not a duration", t.trim()))?
            }
            None => 0,
        };
        let code = get(self.outcome, "outcome")?.trim();
        let outcome = *self
            .codes
            .get(code)
            .ok_or_else(|| format!("outcome `{code}` is not in the mapping"))?;
        let queued = match self.queued {
            Some(i) => !is_blank_or_zero(get(i, "queued")?),
            None => true,
        };
        let served = match self.agent {
            Some(i) => !get(i, "agent")?.trim().is_empty(),
            None => outcome == Outcome::Answered,
        };
        Ok(Call {
            date: (date.year() as u32) * 10000 + (date.month() as u32) * 100 + date.day() as u32,
            hour,
            queued,
            outcome,
            wait,
            talk,
            served,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_anonymous_bank_rows_with_tabs_or_spaces() {
        // 30 February, 31 April and 29 February of a common year are no days.
        for bad in ["990230", "990431", "990229"] {
            let row = format!(
                "AA0101\t1\t0\t2\tPS\t{bad}\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tX"
            );
            let err = parse_anonymous_bank(row.as_bytes()).unwrap_err();
            assert!(err.contains("not a valid day"), "{bad}: {err}");
        }
        let leap =
            b"AA0101\t1\t0\t2\tPS\t000229\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tX";
        assert_eq!(parse_anonymous_bank(leap).unwrap().date, 20000229);
        assert!(is_anonymous_bank_header(b"\xef\xbb\xbfvru+line\tcall_id"));
        let row = b"AA0101\t33118\t27997683\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL";
        let c = parse_anonymous_bank(row).unwrap();
        assert_eq!(
            c,
            Call {
                date: 19990101,
                hour: 6,
                queued: true,
                outcome: Outcome::Answered,
                wait: 17,
                talk: 54,
                served: true
            }
        );
        let spaced =
            b"AA0101 33117 0 0  PS 990101 0:34:12 0:34:23 11 0:00:00 0:00:00 0 HANG 0:00:00 0:00:00 0 NO_SERVER";
        let c = parse_anonymous_bank(spaced).unwrap();
        assert!(!c.queued && !c.served && c.outcome == Outcome::Abandoned);
        assert!(parse_anonymous_bank(b"AA0101 1 2 3").unwrap_err().contains("4 fields"));
        let bad =
            b"AA0101\t1\t0\t2\tPS\t990101\t6:5:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tX";
        assert!(parse_anonymous_bank(bad).unwrap_err().contains("vru_entry"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration("75", false), Some(75));
        assert_eq!(duration("0:01:15", true), Some(75));
        assert_eq!(duration("1:15", false), Some(75));
        assert_eq!(duration("12.6", false), Some(13));
        assert_eq!(duration("-3", false), None);
        assert_eq!(duration("", false), Some(0));
    }
}
