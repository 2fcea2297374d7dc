//! What every record source shares: a CSV read as a stream and hashed on
//! the way, bad rows named by the line an editor shows, columns found by
//! name in the header, dates and date-times read the same way everywhere,
//! counts by name that a hostile file cannot grow without bound, and the
//! Wilson interval for a rate.
//!
//! A source (complaints, survey, sessions, recordings…) gives a [`Rows`]:
//! what to do with the header and with each row. [`read`] does the rest and
//! says how it went ([`Reading`]). A file from which no row reads is an
//! error, as is an empty or header-only file: zero figures from the wrong
//! file would look like a centre with nothing to count.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file the figures came from, by its hash.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SourceFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A row that could not be read, by its line (1-based, as an editor counts).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

/// What a source does with a file's header and its rows.
pub trait Rows {
    /// The header of `file` (shown name): find the columns. Returns the
    /// warnings the figures depend on (a column the header lacks).
    fn header(&mut self, file: &str, header: &csv::StringRecord) -> Result<Vec<String>, String>;
    /// One data row; `Err` names why it cannot be read (the row is skipped).
    fn row(&mut self, rec: &csv::StringRecord) -> Result<(), String>;
}

/// How the reading went, whatever the source.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Reading {
    pub files: Vec<SourceFile>,
    /// Data rows in the files (header and blank lines aside).
    pub rows: u64,
    /// Rows that could not be read (the first 20 in `bad`).
    pub malformed: u64,
    pub bad: Vec<BadRow>,
    pub warnings: Vec<String>,
}

const KEEP_BAD: usize = 20;

/// How a layout's files are written.
pub struct Layout<'a> {
    /// ",", ";", "|", "\t"…
    pub delimiter: &'a str,
    /// None or "utf-8", "gb18030" (also read for "gbk").
    pub encoding: Option<&'a str>,
    /// What a row is, plural ("complaints", "survey responses"), for the
    /// error when none reads.
    pub noun: &'a str,
}

/// Read every file through `sink`. An error when a file cannot be opened or
/// its header read, or when not one row of all the files reads.
pub fn read(paths: &[PathBuf], layout: &Layout, sink: &mut dyn Rows) -> Result<Reading, String> {
    let delimiter = super::calls::delimiter_byte(layout.delimiter)?;
    let encoding = super::calls::encoding_named(layout.encoding)?;
    let mut r = Reading::default();
    let several = paths.len() > 1;
    for path in paths {
        let before = r.bad.len();
        read_file(path, delimiter, encoding, sink, &mut r)?;
        if several {
            // Which file a line is in.
            let name = r.files.last().map(|f| f.path.clone()).unwrap_or_default();
            for b in &mut r.bad[before..] {
                b.reason = format!("{name}: {}", b.reason);
            }
        }
    }
    if r.rows == r.malformed {
        let first = r
            .bad
            .first()
            .map(|b| format!(": line {}: {}", b.line, b.reason))
            .unwrap_or_default();
        return Err(if r.rows == 0 {
            format!("no {} in the file: it has no data rows", layout.noun)
        } else {
            format!("no {} could be read ({} rows){first}", layout.noun, r.rows)
        });
    }
    Ok(r)
}

fn read_file(
    path: &Path,
    delimiter: u8,
    encoding: Option<&'static encoding_rs::Encoding>,
    sink: &mut dyn Rows,
    r: &mut Reading,
) -> Result<(), String> {
    let shown = crate::text::visible(&path.display().to_string()).into_owned();
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut pipe = Pipe::open(file);
    {
        let input: Box<dyn Read + '_> = match encoding {
            None => Box::new(&mut pipe),
            Some(e) => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(e))
                    .build(&mut pipe),
            ),
        };
        let lines = std::rc::Rc::new(std::cell::RefCell::new(Lines::default()));
        let counting = Counting {
            inner: input,
            lines: lines.clone(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(counting);
        let header = rdr
            .headers()
            .map_err(|e| format!("{shown}: the header cannot be read: {e}{}", utf8_hint(&e, encoding)))?
            .clone();
        let warnings = sink.header(&shown, &header).map_err(|e| format!("{shown}: {e}"))?;
        r.warnings.extend(warnings);
        let mut rec = csv::StringRecord::new();
        loop {
            let before = rdr.position().byte();
            let line = match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => lines.borrow_mut().line_at(rec.position().map_or(before, |p| p.byte())),
                Err(e) => {
                    // Not UTF-8, or a broken quote: this row is bad, the next reads on.
                    r.rows += 1;
                    let line = lines.borrow_mut().line_at(before);
                    bad(r, line, format!("{e}{}", utf8_hint(&e, encoding)));
                    continue;
                }
            };
            if rec.iter().all(|x| x.trim().is_empty()) {
                continue;
            }
            r.rows += 1;
            if let Err(reason) = sink.row(&rec) {
                bad(r, line, reason);
            }
        }
    }
    // The whole file is hashed, whatever the parser left unread.
    let (sha256, bytes) = pipe.finish().map_err(|e| format!("{shown}: {e}"))?;
    r.files.push(SourceFile {
        path: shown,
        sha256,
        bytes,
    });
    Ok(())
}

fn utf8_hint(e: &csv::Error, encoding: Option<&encoding_rs::Encoding>) -> &'static str {
    if encoding.is_none() && e.to_string().contains("invalid utf-8") {
        " (not UTF-8: a GB18030/GBK export reads with --encoding gb18030)"
    } else {
        ""
    }
}

fn bad(r: &mut Reading, line: u64, reason: String) {
    r.malformed += 1;
    if r.bad.len() < KEEP_BAD {
        r.bad.push(BadRow {
            line,
            reason: crate::text::visible(&reason).into_owned(),
        });
    }
}

// ---------------------------------------------------------------- layouts

/// A layout's default separator (serde default of every mapping's `delimiter`).
pub fn comma() -> String {
    ",".into()
}

/// The date-time formats the generic layouts read (besides ISO 8601).
pub fn datetime_formats() -> Vec<String> {
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

// ---------------------------------------------------------------- columns

/// A header, to find a layout's columns in. With `lenient` (a built-in
/// generic layout) names match case aside, and an optional column the
/// header lacks is left out (named in [`Header::missing`]) instead of refused.
pub struct Header<'a> {
    rec: &'a csv::StringRecord,
    lenient: bool,
    pub missing: Vec<String>,
}

impl<'a> Header<'a> {
    pub fn new(rec: &'a csv::StringRecord, lenient: bool) -> Header<'a> {
        Header {
            rec,
            lenient,
            missing: Vec::new(),
        }
    }

    /// A column that must be there.
    pub fn need(&self, name: &str) -> Result<usize, String> {
        let clean = |h: &str| h.trim().trim_start_matches('\u{feff}').to_string();
        self.rec
            .iter()
            .position(|h| {
                let h = clean(h);
                h == name || (self.lenient && h.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| {
                if self.rec.iter().all(|h| h.trim().is_empty()) {
                    return "the file is empty: no header".to_string();
                }
                let all: Vec<String> = self.rec.iter().map(|h| crate::text::visible(h).into_owned()).collect();
                // One column holding another separator: the file is not
                // comma-separated.
                let other = match self.rec.iter().collect::<Vec<_>>().as_slice() {
                    [one] => [';', '\t', '|'].into_iter().find(|c| one.contains(*c)),
                    _ => None,
                };
                let hint = match other {
                    Some(c) => format!(
                        "; the header looks separated by `{}`: a mapping file with `delimiter = \"{}\"` (--map) reads it",
                        crate::text::visible(&c.to_string()),
                        c.escape_default()
                    ),
                    None => String::new(),
                };
                format!(
                    "column `{}` is not in the header ({}){hint}",
                    crate::text::visible(name),
                    all.join(", ")
                )
            })
    }

    /// A column the layout names, if it does.
    pub fn opt(&mut self, name: &Option<String>) -> Result<Option<usize>, String> {
        let Some(name) = name else { return Ok(None) };
        match self.need(name) {
            Ok(i) => Ok(Some(i)),
            Err(_) if self.lenient => {
                self.missing.push(name.clone());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The warning for the columns left out (`why` adds what it costs).
    pub fn missing_warning(&self, file: &str, why: &dyn Fn(&str) -> Option<&'static str>) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .missing
            .iter()
            .map(|n| format!("`{}`", crate::text::visible(n)))
            .collect();
        let costs: Vec<&str> = self.missing.iter().filter_map(|n| why(n)).collect();
        Some(format!(
            "{file}: no column {} in the header: left out of the figures{}",
            names.join(", "),
            if costs.is_empty() {
                String::new()
            } else {
                format!(" ({})", costs.join("; "))
            }
        ))
    }
}

/// A row's field, trimmed ("" when the column is absent or the row short).
pub fn field(rec: &csv::StringRecord, i: Option<usize>) -> &str {
    i.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("")
}

// ---------------------------------------------------------------- codes and counts

/// Codes kept lower case and trimmed, to compare with [`is_in`].
pub fn lower_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.trim().to_lowercase()).collect()
}

/// Whether `v` is one of `codes` (kept lower case), case aside.
pub fn is_in(codes: &[String], v: &str) -> bool {
    let v = v.trim();
    if v.is_ascii() {
        codes.iter().any(|c| c.eq_ignore_ascii_case(v))
    } else {
        let v = v.to_lowercase();
        codes.contains(&v)
    }
}

/// The most distinct names kept in a count; the rest are counted as
/// "(other)" (a hostile file cannot grow memory without bound).
pub const MAX_KEYS: usize = 1000;
const OTHER: &str = "(other)";
/// The longest name kept (a longer one is cut, marked …).
const MAX_KEY_CHARS: usize = 100;

/// The name a count is kept under: trimmed, cut at 100 characters, control
/// characters shown inert, "(none)" for nothing.
pub fn key(key: &str) -> String {
    let key = key.trim();
    let cut: String;
    let key = if key.chars().count() > MAX_KEY_CHARS {
        cut = key.chars().take(MAX_KEY_CHARS).chain(['…']).collect();
        &cut
    } else {
        key
    };
    let key = crate::text::visible(key);
    if key.is_empty() {
        "(none)".into()
    } else {
        key.into_owned()
    }
}

/// The entry of `map` a row counts in: its key, or "(other)" once
/// [`MAX_KEYS`] names are kept.
pub fn entry<'m, V: Default>(map: &'m mut BTreeMap<String, V>, name: &str) -> &'m mut V {
    // The common case, a name already counted, without allocating.
    let trimmed = name.trim();
    if !trimmed.is_empty() && trimmed.len() <= MAX_KEY_CHARS && !trimmed.chars().any(char::is_control) {
        // (contains_key then get_mut: the borrow checker cannot yet see one lookup.)
        if map.contains_key(trimmed) {
            return map.get_mut(trimmed).expect("just seen");
        }
    }
    let k = key(name);
    if map.contains_key(&k) || map.len() < MAX_KEYS {
        map.entry(k).or_default()
    } else {
        map.entry(OTHER.to_string()).or_default()
    }
}

/// Count one row under `name`.
pub fn bump(map: &mut BTreeMap<String, u64>, name: &str) {
    *entry(map, name) += 1;
}

// ---------------------------------------------------------------- dates and times

/// Date (and date-time) formats a layout reads, tried in turn (jiff
/// strftime). `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` (or with a `T`) are
/// read by hand, fast, when the formats include them.
#[derive(Clone, Debug)]
pub struct When {
    formats: Vec<String>,
    iso: bool,
}

impl When {
    pub fn new(formats: &[String]) -> When {
        When {
            formats: formats.to_vec(),
            iso: formats.iter().any(|f| f.starts_with("%Y-%m-%d")),
        }
    }

    /// The formats, for an error message.
    pub fn shown(&self) -> String {
        self.formats.join(" or ")
    }

    /// A date; a date-time reads as its date.
    pub fn date(&self, s: &str) -> Option<jiff::civil::Date> {
        let s = s.trim();
        if self.iso
            && let Some(d) = iso_day(s)
        {
            return Some(d);
        }
        if self.iso
            && let Some(dt) = iso(s)
        {
            return Some(dt.date());
        }
        if let Some(dt) = self.parse(s) {
            return Some(dt.date());
        }
        // A date-time in a layout whose formats are dates: its date, when
        // what follows the date is a time.
        let head = s.get(..10)?;
        let tail = s.get(10..)?;
        (matches!(tail.as_bytes().first(), Some(b'T' | b' ')) && iso(&format!("2000-01-01{tail}")).is_some())
            .then(|| self.parse(head).map(|d| d.date()))
            .flatten()
    }

    /// A date-time (a date alone is not one: its time is unknown).
    pub fn datetime(&self, s: &str) -> Option<jiff::civil::DateTime> {
        let s = s.trim();
        if self.iso
            && s.len() > 10
            && let Some(dt) = iso(s)
        {
            return Some(dt);
        }
        self.formats
            .iter()
            .filter(|f| f.contains("%H"))
            .find_map(|f| jiff::fmt::strtime::parse(f, s).ok()?.to_datetime().ok())
            .filter(|d| (1900..=2999).contains(&d.year()))
    }

    fn parse(&self, s: &str) -> Option<jiff::civil::DateTime> {
        self.formats
            .iter()
            .find_map(|f| {
                let tm = jiff::fmt::strtime::parse(f, s).ok()?;
                tm.to_datetime()
                    .ok()
                    .or_else(|| tm.to_date().ok().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
            })
            .filter(|d| (1900..=2999).contains(&d.year()))
    }
}

/// Exactly `YYYY-MM-DD`, read by hand (the commonest date of all).
fn iso_day(s: &str) -> Option<jiff::civil::Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b[r].iter()
            .try_fold(0i16, |n, c| c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..=2999).contains(&y) {
        return None;
    }
    jiff::civil::Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// `YYYY-MM-DD`, or `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` (a trailing `Z` or
/// offset is ignored: the records' local time is their clock), read by hand.
pub fn iso(s: &str) -> Option<jiff::civil::DateTime> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b.get(r)?
            .iter()
            .try_fold(0i16, |n, c| c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..=2999).contains(&y) {
        return None;
    }
    let date = jiff::civil::Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()?;
    if b.len() == 10 {
        return Some(date.to_datetime(jiff::civil::Time::midnight()));
    }
    if !matches!(b[10], b'T' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    let mut at = 16;
    let mut sec = 0;
    if b.get(16) == Some(&b':') {
        sec = num(17..19)?;
        at = 19;
        if b.get(19) == Some(&b'.') {
            at = 20;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
        }
    }
    // A zone offset: the time is read in UTC (a `Z` already is).
    let offset_s: i64 = match &b[at..] {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let digits: Vec<u8> = rest.iter().copied().filter(|c| *c != b':').collect();
            if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) || (rest.len() == 5 && rest[2] != b':') {
                return None;
            }
            let n = |i: usize| i64::from(digits[i] - b'0');
            let secs = (n(0) * 10 + n(1)) * 3600 + (n(2) * 10 + n(3)) * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let time = jiff::civil::Time::new(
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(sec).ok()?,
        0,
    )
    .ok()?;
    let local = date.to_datetime(time);
    if offset_s == 0 {
        return Some(local);
    }
    local.checked_sub(jiff::Span::new().seconds(offset_s)).ok()
}

/// Seconds from `a` to `b` (negative when `b` is earlier): civil time, no
/// time zone (the records' local clock), computed by hand as it runs for
/// every row.
pub fn seconds_between(a: jiff::civil::DateTime, b: jiff::civil::DateTime) -> i64 {
    stamp(b) - stamp(a)
}

/// Seconds since 1970-01-01T00:00:00 of a civil date-time (days from the
/// civil calendar as in Howard Hinnant's `days_from_civil`).
pub fn stamp(t: jiff::civil::DateTime) -> i64 {
    let (y, m, d) = (i64::from(t.year()), i64::from(t.month()), i64::from(t.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

// ---------------------------------------------------------------- rates

/// The Wilson score interval (95%) of `x` successes in `n`, in percent: the
/// interval statsmodels' `proportion_confint(method="wilson")` gives, sound
/// at small n and near 0 or 100% where the Wald interval is not.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    // The normal quantile at 0.975, as scipy's norm.isf(0.025).
    const Z: f64 = 1.959_963_984_540_054;
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((100.0 * (centre - half).max(0.0), 100.0 * (centre + half).min(1.0)))
}

/// `x ÷ n` in percent, none for n = 0.
pub fn pct(x: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| 100.0 * x as f64 / n as f64)
}

// ---------------------------------------------------------------- the byte stream

/// The file's bytes, read and hashed on a thread of their own (hashing is
/// as costly as parsing) and handed over in 1 MiB pieces, at most four in
/// flight: memory stays bounded.
struct Pipe {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    piece: Vec<u8>,
    at: usize,
    /// (sha256 in hex, bytes) once the file has been read to its end.
    done: Option<std::thread::JoinHandle<(String, u64)>>,
}

impl Pipe {
    fn open(file: std::fs::File) -> Pipe {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let done = std::thread::spawn(move || {
            let (mut file, mut hash, mut bytes) = (file, Sha256::new(), 0u64);
            loop {
                let mut buf = vec![0u8; 1 << 20];
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        buf.truncate(n);
                        hash.update(&buf);
                        bytes += n as u64;
                        if tx.send(Ok(buf)).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            (format!("{:x}", hash.finalize()), bytes)
        });
        Pipe {
            rx,
            piece: Vec::new(),
            at: 0,
            done: Some(done),
        }
    }

    /// Read what is left (unparsed) and give the file's hash and size.
    fn finish(mut self) -> std::io::Result<(String, u64)> {
        while let Ok(piece) = self.rx.recv() {
            piece?;
        }
        let done = self.done.take().expect("finished once");
        done.join()
            .map_err(|_| std::io::Error::other("the reading thread failed"))
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.piece.len() {
            match self.rx.recv() {
                Ok(piece) => {
                    self.piece = piece?;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Line numbers of the text the csv reader reads: the byte offsets of the
/// newlines it has been handed and not yet passed (the reader's read-ahead
/// only: bounded), so a byte offset's line is known as an editor counts
/// it. (The csv crate's own line count skips a quoted line break when
/// records end in CRLF.)
#[derive(Default)]
struct Lines {
    read: u64,
    passed: u64,
    ahead: std::collections::VecDeque<u64>,
}

impl Lines {
    /// The 1-based line of byte `at` (offsets asked in increasing order).
    /// A record's offset may point at the `\n` ending the line before it
    /// (the csv crate does so after a CRLF): that newline is passed too.
    fn line_at(&mut self, at: u64) -> u64 {
        while self.ahead.front().is_some_and(|n| *n <= at) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// A reader that notes where its newlines are.
struct Counting<R> {
    inner: R,
    lines: std::rc::Rc<std::cell::RefCell<Lines>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut l = self.lines.borrow_mut();
        let base = l.read;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' {
                l.ahead.push_back(base + i as u64);
            }
        }
        l.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_header_in_another_separator_says_which() {
        let rec = csv::StringRecord::from(vec!["agent;state;start;end"]);
        let e = Header::new(&rec, true).need("agent").unwrap_err();
        assert!(e.contains("separated by `;`") && e.contains("delimiter = \";\""), "{e}");
        let rec = csv::StringRecord::from(vec!["agent", "state"]);
        let e = Header::new(&rec, true).need("start").unwrap_err();
        assert!(!e.contains("separated by"), "{e}");
    }
    use super::*;

    #[test]
    fn iso_dates_and_times_read_by_hand_refuse_what_is_not_one() {
        assert_eq!(iso("2026-01-02").unwrap().to_string(), "2026-01-02T00:00:00");
        assert_eq!(iso("2026-01-02 03:04:05").unwrap().to_string(), "2026-01-02T03:04:05");
        assert_eq!(iso("2026-01-02T03:04").unwrap().to_string(), "2026-01-02T03:04:00");
        assert_eq!(
            iso("2026-01-02T03:04:05.250+08:00").unwrap().to_string(),
            "2026-01-01T19:04:05"
        );
        // An offset is read in UTC (above: 03:04 at +08:00 is 19:04 the day before).
        assert_eq!(
            iso("2026-01-02T03:04:05-0130").unwrap().to_string(),
            "2026-01-02T04:34:05"
        );
        assert_eq!(iso("2026-01-02T03:04:05Z").unwrap().to_string(), "2026-01-02T03:04:05");
        for bad in [
            "2026-01-02Tjunk",
            "2026-13-01",
            "2026-01-02 25:00:00",
            "2026-01-02x",
            "26-01-02",
        ] {
            assert!(iso(bad).is_none(), "{bad}");
        }
        let w = When::new(&["%Y-%m-%d %H:%M:%S".into(), "%Y/%m/%d %H:%M".into()]);
        assert_eq!(
            w.datetime("2026/01/02 03:04").unwrap().to_string(),
            "2026-01-02T03:04:00"
        );
        assert!(w.datetime("2026-01-02").is_none(), "a date alone has no time");
        assert_eq!(w.date("2026-01-02 03:04:05").unwrap().to_string(), "2026-01-02");
    }

    #[test]
    fn wilson_matches_the_textbook_values() {
        // Newcombe (1998) table I: 81/263 → 0.2553 to 0.3662 (95%).
        let (lo, hi) = wilson(81, 263).unwrap();
        assert!((lo - 25.53).abs() < 0.01 && (hi - 36.62).abs() < 0.01, "{lo} {hi}");
        // 0 of 10: lower bound 0, upper 27.75%.
        let (lo, hi) = wilson(0, 10).unwrap();
        assert!(lo == 0.0 && (hi - 27.75).abs() < 0.01, "{lo} {hi}");
        assert!(wilson(0, 0).is_none());
    }

    #[test]
    fn seconds_between_equals_jiff_across_months_leap_days_and_centuries() {
        let ts = [
            "1900-02-28T23:59:59",
            "1999-12-31T12:00:00",
            "2000-02-29T00:00:01",
            "2024-02-29T08:30:00",
            "2026-03-01T00:00:00",
            "2999-12-31T23:59:59",
        ];
        for a in ts {
            for b in ts {
                let (a, b): (jiff::civil::DateTime, jiff::civil::DateTime) = (a.parse().unwrap(), b.parse().unwrap());
                assert_eq!(seconds_between(a, b), a.duration_until(b).as_secs(), "{a} {b}");
            }
        }
    }
}
