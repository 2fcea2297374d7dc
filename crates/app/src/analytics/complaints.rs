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

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

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

fn comma() -> String {
    ",".into()
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
pub struct SourceFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
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
    pub files: Vec<SourceFile>,
    /// Data rows in the files (header and blank lines aside).
    pub rows: u64,
    /// Complaints received in the period.
    pub complaints: u64,
    /// Rows that could not be read (the first 20 in `bad`).
    pub malformed: u64,
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
    pub bad: Vec<BadRow>,
    /// What the reader noticed and the figures depend on (a column of the
    /// layout the header lacks, complaints received after the as-of date).
    pub warnings: Vec<String>,
    /// Complaints received after the as-of date (open ones among them are
    /// pending, not late).
    #[serde(skip)]
    after_as_of: u64,
    /// The oldest open complaint's date (compared without parsing).
    #[serde(skip)]
    oldest: Option<jiff::civil::Date>,
}

/// The most distinct channels or categories kept; the rest are counted as
/// "(other)" (a hostile file cannot grow memory without bound).
const MAX_KEYS: usize = 1000;
const KEEP_BAD: usize = 20;
const OTHER: &str = "(other)";

/// The longest channel or category name kept (a longer one is cut, marked …).
const MAX_KEY_CHARS: usize = 100;

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    let key = key.trim();
    let cut: String;
    let key = if key.chars().count() > MAX_KEY_CHARS {
        cut = key.chars().take(MAX_KEY_CHARS).chain(['…']).collect();
        &cut
    } else {
        key
    };
    let key = crate::text::visible(key);
    let key = if key.is_empty() { "(none)" } else { key.as_ref() };
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_KEYS {
        map.insert(key.to_string(), 1);
    } else {
        *map.entry(OTHER.to_string()).or_default() += 1;
    }
}

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
    formats: Vec<String>,
    /// The formats include %Y-%m-%d.
    iso: bool,
    codes: Codes,
}

fn lower_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.trim().to_lowercase()).collect()
}

impl Resolved {
    /// The columns found, and the optional ones of the layout the header lacks.
    fn new(m: &ComplaintMapping, header: &csv::StringRecord) -> Result<(Resolved, Vec<String>), String> {
        let clean = |h: &str| h.trim().trim_start_matches('\u{feff}').to_string();
        let find = |name: &str| -> Result<usize, String> {
            header
                .iter()
                .position(|h| {
                    let h = clean(h);
                    // The generic layout's names, case aside.
                    h == name || (m.lenient && h.eq_ignore_ascii_case(name))
                })
                .ok_or_else(|| {
                    let all: Vec<String> = header.iter().map(|h| crate::text::visible(h).into_owned()).collect();
                    format!(
                        "column `{}` is not in the header ({})",
                        crate::text::visible(name),
                        all.join(", ")
                    )
                })
        };
        let missing = std::cell::RefCell::new(Vec::new());
        let opt = |name: &Option<String>| -> Result<Option<usize>, String> {
            match name.as_deref().map(find).transpose() {
                Err(_) if m.lenient => {
                    missing.borrow_mut().push(name.clone().unwrap_or_default());
                    Ok(None)
                }
                other => other,
            }
        };
        let c = &m.columns;
        let resolved = Resolved {
            received: find(&c.received)?,
            channel: opt(&c.channel)?,
            category: opt(&c.category)?,
            closed: opt(&c.closed)?,
            extension: opt(&c.extension)?,
            id: opt(&c.id)?,
            timely: opt(&c.timely)?,
            status: opt(&c.status)?,
            formats: m.formats.date.clone(),
            iso: m.formats.date.iter().any(|f| f == "%Y-%m-%d"),
            codes: Codes {
                yes: lower_all(&m.codes.yes),
                extended: lower_all(&m.codes.extended),
                approved: lower_all(&m.codes.approved),
                open: lower_all(&m.codes.open),
            },
        };
        let missing = missing.into_inner();
        Ok((resolved, missing))
    }

    fn date(&self, s: &str) -> Option<jiff::civil::Date> {
        let s = s.trim();
        // The common case first, without the format machinery: YYYY-MM-DD
        // (when the formats accept it).
        if self.iso
            && let Some(d) = iso_date(s)
        {
            return Some(d);
        }
        let parse = |t: &str| {
            self.formats.iter().find_map(|f| {
                jiff::fmt::strtime::parse(f, t)
                    .ok()
                    .and_then(|d| d.to_date().ok())
                    .filter(|d| (1900..=2999).contains(&d.year()))
            })
        };
        parse(s).or_else(|| {
            // A date-time: its date.
            let head = s.get(..10)?;
            matches!(s.as_bytes().get(10), Some(b'T' | b' '))
                .then(|| parse(head))
                .flatten()
        })
    }
}

/// `YYYY-MM-DD` (or its date-time) read by hand; None for anything else.
fn iso_date(s: &str) -> Option<jiff::civil::Date> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || (b.len() > 10 && !matches!(b[10], b'T' | b' ')) {
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

/// Whether `v` is one of `codes` (kept lower case), case aside.
fn is_in(codes: &[String], v: &str) -> bool {
    let v = v.trim();
    if v.is_ascii() {
        codes.iter().any(|c| c.eq_ignore_ascii_case(v))
    } else {
        let v = v.to_lowercase();
        codes.contains(&v)
    }
}

/// Read complaint logs and compute their figures.
pub fn read(paths: &[PathBuf], m: &ComplaintMapping, p: &Params) -> Result<ComplaintFigures, String> {
    let delimiter = super::calls::delimiter_byte(&m.delimiter)?;
    let encoding = super::calls::encoding_named(m.encoding.as_deref())?;
    let c = p.clock.clone();
    let mut f = ComplaintFigures {
        schema: "cscaudit.complaints/1",
        files: Vec::new(),
        rows: 0,
        complaints: 0,
        malformed: 0,
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
        bad: Vec::new(),
        warnings: Vec::new(),
        after_as_of: 0,
        oldest: None,
    };
    for path in paths {
        read_file(path, m, p, delimiter, encoding, &mut f)?;
    }
    if f.complaints == 0 && f.out_of_range == 0 {
        let first = f
            .bad
            .first()
            .map(|b| format!(": line {}: {}", b.line, b.reason))
            .unwrap_or_default();
        return Err(format!("no complaint could be read ({} rows){first}", f.rows));
    }
    if f.after_as_of > 0 {
        f.warnings.push(format!(
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

fn read_file(
    path: &Path,
    m: &ComplaintMapping,
    p: &Params,
    delimiter: u8,
    encoding: Option<&'static encoding_rs::Encoding>,
    f: &mut ComplaintFigures,
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
            .map_err(|e| format!("{shown}: the header cannot be read: {e}"))?
            .clone();
        let (r, missing) = Resolved::new(m, &header).map_err(|e| format!("{shown}: {e}"))?;
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|n| format!("`{}`", crate::text::visible(n)))
                .collect();
            f.warnings.push(format!(
                "{shown}: no column {} in the header: left out of the figures{}",
                names.join(", "),
                if missing.iter().any(|n| n == "closed") {
                    " (without `closed`, every complaint counts as open)"
                } else {
                    ""
                }
            ));
        }
        let mut rec = csv::StringRecord::new();
        loop {
            let before = rdr.position().byte();
            let line = match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => lines.borrow_mut().line_at(rec.position().map_or(before, |p| p.byte())),
                Err(e) => {
                    // Not UTF-8, or a broken quote: this row is bad, the next reads on.
                    f.rows += 1;
                    let line = lines.borrow_mut().line_at(before);
                    let hint = if encoding.is_none() && e.to_string().contains("invalid utf-8") {
                        " (not UTF-8: a GB18030/GBK export reads with --encoding gb18030)"
                    } else {
                        ""
                    };
                    bad(f, line, format!("{e}{hint}"));
                    continue;
                }
            };
            if rec.iter().all(|x| x.trim().is_empty()) {
                continue;
            }
            f.rows += 1;
            if let Err(reason) = row(&r, &rec, p, f) {
                bad(f, line, reason);
            }
        }
    }
    // The whole file is hashed, whatever the parser left unread.
    let (sha256, bytes) = pipe.finish().map_err(|e| format!("{shown}: {e}"))?;
    f.files.push(SourceFile {
        path: shown,
        sha256,
        bytes,
    });
    Ok(())
}

fn bad(f: &mut ComplaintFigures, line: u64, reason: String) {
    f.malformed += 1;
    if f.bad.len() < KEEP_BAD {
        f.bad.push(BadRow {
            line,
            reason: crate::text::visible(&reason).into_owned(),
        });
    }
}

/// One complaint row into the figures.
fn row(r: &Resolved, rec: &csv::StringRecord, p: &Params, f: &mut ComplaintFigures) -> Result<(), String> {
    let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
    let received_s = get(Some(r.received));
    let received = r.date(received_s).ok_or_else(|| {
        format!(
            "received date `{received_s}` is not a date ({})",
            r.formats.join(" or ")
        )
    })?;
    let closed = match get(r.closed) {
        "" => None,
        s => Some(
            r.date(s)
                .ok_or_else(|| format!("closed date `{s}` is not a date ({})", r.formats.join(" or ")))?,
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
        let lines: Vec<u64> = f.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![4, 5], "{:?}", f.bad);
        let none = figures("received,channel\nnot a date,x\n", &m, "2026-02-01");
        assert!(none.is_err());
        assert!(
            figures("when,channel\n2026-01-01,x\n", &m, "2026-02-01")
                .unwrap_err()
                .contains("`received`")
        );
    }
}
