//! Call-centre metrics recomputed from call records, with every variant named.
//!
//! Reading streams the input in fixed-size chunks (bounded memory) that two
//! worker threads parse and tally while the reader hashes the bytes (sha256).
//! Tallies are plain sums, so chunks, days and hours merge by addition.

use super::calls::{Call, CsvReader, Mapping, Outcome, is_anonymous_bank_header, parse_anonymous_bank};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Parameters of the computation; they are echoed in every report.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Service-level threshold T in seconds ("within" means ≤ T).
    pub threshold_s: u32,
    /// Short-abandon threshold τ in seconds (abandons with wait ≤ τ).
    pub short_abandon_s: u32,
    /// Inclusive date range (yyyymmdd), if any.
    pub from: Option<u32>,
    pub to: Option<u32>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold_s: 20,
            short_abandon_s: 5,
            from: None,
            to: None,
        }
    }
}

/// Additive counters for one slice of calls (a chunk, a day, an hour, all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub records: u64,
    pub ignored: u64,
    pub answered: u64,
    pub answered_queued: u64,
    pub answered_not_served: u64,
    pub answered_within_t: u64,
    pub abandoned_queue: u64,
    pub abandoned_queue_short: u64,
    pub abandoned_queue_within_t: u64,
    pub abandoned_ivr: u64,
    pub wait_answered: u64,
    pub wait_answered_queued: u64,
    pub wait_abandoned: u64,
    pub talk_answered: u64,
    pub talk_served: u64,
    pub served: u64,
    pub talk_under_10: u64,
    /// Talk seconds of served answered calls, one bucket per second.
    pub talk_hist: Vec<u64>,
}

const HIST_MAX: usize = 4 * 3600;

impl Tally {
    #[inline]
    pub fn add(&mut self, c: &Call, p: &Params) {
        self.records += 1;
        match c.outcome {
            Outcome::Ignored => self.ignored += 1,
            Outcome::Answered => {
                self.answered += 1;
                self.wait_answered += u64::from(c.wait);
                self.talk_answered += u64::from(c.talk);
                if c.talk < 10 {
                    self.talk_under_10 += 1;
                }
                if c.queued {
                    self.answered_queued += 1;
                    self.wait_answered_queued += u64::from(c.wait);
                }
                if c.wait <= p.threshold_s {
                    self.answered_within_t += 1;
                }
                if c.served {
                    self.served += 1;
                    self.talk_served += u64::from(c.talk);
                    let b = (c.talk as usize).min(HIST_MAX);
                    if self.talk_hist.len() <= b {
                        self.talk_hist.resize(b + 1, 0);
                    }
                    self.talk_hist[b] += 1;
                } else {
                    self.answered_not_served += 1;
                }
            }
            Outcome::Abandoned if c.queued => {
                self.abandoned_queue += 1;
                self.wait_abandoned += u64::from(c.wait);
                if c.wait <= p.short_abandon_s {
                    self.abandoned_queue_short += 1;
                }
                if c.wait <= p.threshold_s {
                    self.abandoned_queue_within_t += 1;
                }
            }
            Outcome::Abandoned => self.abandoned_ivr += 1,
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.records += o.records;
        self.ignored += o.ignored;
        self.answered += o.answered;
        self.answered_queued += o.answered_queued;
        self.answered_not_served += o.answered_not_served;
        self.answered_within_t += o.answered_within_t;
        self.abandoned_queue += o.abandoned_queue;
        self.abandoned_queue_short += o.abandoned_queue_short;
        self.abandoned_queue_within_t += o.abandoned_queue_within_t;
        self.abandoned_ivr += o.abandoned_ivr;
        self.wait_answered += o.wait_answered;
        self.wait_answered_queued += o.wait_answered_queued;
        self.wait_abandoned += o.wait_abandoned;
        self.talk_answered += o.talk_answered;
        self.talk_served += o.talk_served;
        self.served += o.served;
        self.talk_under_10 += o.talk_under_10;
        if self.talk_hist.len() < o.talk_hist.len() {
            self.talk_hist.resize(o.talk_hist.len(), 0);
        }
        for (a, b) in self.talk_hist.iter_mut().zip(&o.talk_hist) {
            *a += b;
        }
    }

    /// The smallest talk time t with at least `q` of served calls at or below it
    /// (for q = 0.5 on an even count: the mean of the two middle values).
    fn talk_quantile(&self, q: f64) -> Option<f64> {
        let n = self.served;
        if n == 0 {
            return None;
        }
        let rank = |k: u64| -> f64 {
            // value of the k-th smallest (1-based)
            let mut seen = 0;
            for (v, c) in self.talk_hist.iter().enumerate() {
                seen += c;
                if seen >= k {
                    return v as f64;
                }
            }
            (self.talk_hist.len().saturating_sub(1)) as f64
        };
        if (q - 0.5).abs() < f64::EPSILON {
            if n % 2 == 1 {
                Some(rank(n / 2 + 1))
            } else {
                Some((rank(n / 2) + rank(n / 2 + 1)) / 2.0)
            }
        } else {
            Some(rank(((q * n as f64).ceil() as u64).clamp(1, n)))
        }
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// One computed figure with its variant, formula and inputs.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figure {
    pub metric: &'static str,
    pub variant: &'static str,
    pub formula: &'static str,
    pub numerator: f64,
    pub denominator: f64,
    /// numerator / denominator; null when the denominator is 0.
    pub value: Option<f64>,
}

fn fig(metric: &'static str, variant: &'static str, formula: &'static str, num: u64, den: u64) -> Figure {
    Figure {
        metric,
        variant,
        formula,
        numerator: num as f64,
        denominator: den as f64,
        value: ratio(num, den),
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Counts {
    pub records: u64,
    pub ignored: u64,
    /// Offered to agents: answered + abandoned in queue.
    pub offered: u64,
    pub answered: u64,
    pub answered_queued: u64,
    pub answered_without_queue: u64,
    pub answered_not_served: u64,
    pub answered_within_t: u64,
    pub abandoned_queue: u64,
    pub abandoned_queue_short: u64,
    pub abandoned_queue_within_t: u64,
    pub abandoned_ivr: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TalkStats {
    /// Over answered calls (served or not).
    pub mean_answered: Option<f64>,
    /// Over answered calls served by an identified agent.
    pub mean_served: Option<f64>,
    pub median_served: Option<f64>,
    pub p90_served: Option<f64>,
    pub share_under_10s_answered: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Figures {
    pub counts: Counts,
    pub service_level: Vec<Figure>,
    pub asa: Vec<Figure>,
    pub abandonment: Vec<Figure>,
    pub answer_rate: Vec<Figure>,
    pub mean_wait_abandoned: Figure,
    pub answered_without_wait: Figure,
    pub talk: TalkStats,
}

impl Figures {
    pub fn from_tally(t: &Tally) -> Figures {
        let (a, ab) = (t.answered, t.abandoned_queue);
        let offered = a + ab;
        Figures {
            counts: Counts {
                records: t.records,
                ignored: t.ignored,
                offered,
                answered: a,
                answered_queued: t.answered_queued,
                answered_without_queue: a - t.answered_queued,
                answered_not_served: t.answered_not_served,
                answered_within_t: t.answered_within_t,
                abandoned_queue: ab,
                abandoned_queue_short: t.abandoned_queue_short,
                abandoned_queue_within_t: t.abandoned_queue_within_t,
                abandoned_ivr: t.abandoned_ivr,
            },
            service_level: vec![
                fig(
                    "service_level",
                    "sl-neg",
                    "A≤T / (A + Ab)",
                    t.answered_within_t,
                    offered,
                ),
                fig(
                    "service_level",
                    "sl-ignore",
                    "A≤T / (A + Ab − Ab≤T)",
                    t.answered_within_t,
                    offered - t.abandoned_queue_within_t,
                ),
                fig(
                    "service_level",
                    "sl-pos",
                    "(A≤T + Ab≤T) / (A + Ab)",
                    t.answered_within_t + t.abandoned_queue_within_t,
                    offered,
                ),
                fig("service_level", "sl-answered", "A≤T / A", t.answered_within_t, a),
                fig(
                    "service_level",
                    "sl-short",
                    "A≤T / (A + Ab − Ab≤τ)",
                    t.answered_within_t,
                    offered - t.abandoned_queue_short,
                ),
            ],
            asa: vec![
                fig(
                    "asa",
                    "all-answered",
                    "Σ wait of answered / A (zero waits included)",
                    t.wait_answered,
                    a,
                ),
                fig(
                    "asa",
                    "queued-answered",
                    "Σ wait of answered that queued / A(queued)",
                    t.wait_answered_queued,
                    t.answered_queued,
                ),
            ],
            abandonment: vec![
                fig("abandon_rate", "all-abandons", "Ab / (A + Ab)", ab, offered),
                fig(
                    "abandon_rate",
                    "excl-short",
                    "(Ab − Ab≤τ) / (A + Ab − Ab≤τ)",
                    ab - t.abandoned_queue_short,
                    offered - t.abandoned_queue_short,
                ),
            ],
            answer_rate: vec![fig("answer_rate", "per-request", "A / (A + Ab)", a, offered)],
            mean_wait_abandoned: fig(
                "wait_abandoned",
                "mean-in-queue",
                "Σ wait of abandoned in queue / Ab",
                t.wait_abandoned,
                ab,
            ),
            answered_without_wait: fig(
                "answered_without_wait",
                "share",
                "A(not queued) / A",
                a - t.answered_queued,
                a,
            ),
            talk: TalkStats {
                mean_answered: ratio(t.talk_answered, a),
                mean_served: ratio(t.talk_served, t.served),
                median_served: t.talk_quantile(0.5),
                p90_served: t.talk_quantile(0.9),
                share_under_10s_answered: ratio(t.talk_under_10, a),
            },
        }
    }

    /// The figure for a metric id and variant, if computed.
    pub fn find(&self, metric: &str, variant: Option<&str>) -> Option<&Figure> {
        self.service_level
            .iter()
            .chain(&self.asa)
            .chain(&self.abandonment)
            .chain(&self.answer_rate)
            .find(|f| f.metric == metric && variant.is_none_or(|v| v == f.variant))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
    /// Data rows read (header excluded).
    pub rows: u64,
    pub malformed: u64,
    /// Rows outside --from/--to.
    pub out_of_range: u64,
    /// The first malformed rows (up to 20), by line number.
    pub bad_rows: Vec<BadRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DayFigures {
    pub date: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize)]
pub struct HourFigures {
    pub hour: u8,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Which figure each catalogue indicator with a computable metric uses.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorLink {
    pub indicator: String,
    pub metric: String,
    pub variant: Option<String>,
    pub value: Option<f64>,
}

/// The whole report; its JSON form is documented in README ("Metrics JSON").
#[derive(Clone, Debug, Serialize)]
pub struct MetricsReport {
    pub schema: &'static str,
    pub params: Params,
    pub inputs: Vec<InputSummary>,
    pub definitions: BTreeMap<&'static str, &'static str>,
    pub overall: Figures,
    pub by_day: Vec<DayFigures>,
    pub by_hour: Vec<HourFigures>,
    pub catalog: Vec<IndicatorLink>,
}

pub fn definitions() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        (
            "ignored",
            "records whose outcome is ignored (PHANTOM) are removed before all rates",
        ),
        (
            "queued",
            "the call entered the agent queue (Anonymous Bank: q_start != 0:00:00)",
        ),
        (
            "A",
            "answered by an agent (includes calls that never queued, with wait 0)",
        ),
        ("Ab", "abandoned while queued for an agent"),
        (
            "abandoned_ivr",
            "hung up in the IVR before queueing; not offered to agents",
        ),
        ("within", "wait <= T seconds (inclusive)"),
        ("short abandon", "abandoned in queue with wait <= τ seconds"),
        ("hour", "hour of day the call arrived (IVR entry)"),
    ])
}

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

/// A tally of one chunk or file: overall, per day, per hour, and bad rows.
#[derive(Default)]
struct Part {
    all: Tally,
    days: BTreeMap<u32, Tally>,
    hours: [Tally; 24],
    rows: u64,
    lines: u64,
    malformed: u64,
    out_of_range: u64,
    bad: Vec<BadRow>,
}

const KEEP_BAD: usize = 20;

impl Part {
    fn add(&mut self, c: &Call, p: &Params) {
        if p.from.is_some_and(|f| c.date < f) || p.to.is_some_and(|t| c.date > t) {
            self.out_of_range += 1;
            return;
        }
        self.all.add(c, p);
        self.days.entry(c.date).or_default().add(c, p);
        self.hours[usize::from(c.hour.min(23))].add(c, p);
    }
    fn bad(&mut self, line: u64, reason: String) {
        self.malformed += 1;
        if self.bad.len() < KEEP_BAD {
            self.bad.push(BadRow { line, reason });
        }
    }
    fn merge(&mut self, o: Part, line_offset: u64) {
        self.all.merge(&o.all);
        for (d, t) in o.days {
            self.days.entry(d).or_default().merge(&t);
        }
        for (a, b) in self.hours.iter_mut().zip(o.hours.iter()) {
            a.merge(b);
        }
        self.rows += o.rows;
        self.malformed += o.malformed;
        self.out_of_range += o.out_of_range;
        for mut b in o.bad {
            if self.bad.len() < KEEP_BAD {
                b.line += line_offset;
                self.bad.push(b);
            }
        }
        self.lines += o.lines;
    }
}

/// Parse one chunk of Anonymous Bank lines. `first_line` is 1-based within the chunk.
fn tally_anonymous_chunk(buf: &[u8], p: &Params) -> Part {
    let mut part = Part::default();
    for line in buf.split(|&b| b == b'\n') {
        part.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) || is_anonymous_bank_header(line) {
            continue;
        }
        part.rows += 1;
        match parse_anonymous_bank(line) {
            Ok(c) => part.add(&c, p),
            Err(e) => part.bad(part.lines, e),
        }
    }
    // `split` yields one more piece after a trailing newline.
    if buf.last() == Some(&b'\n') {
        part.lines -= 1;
    }
    part
}

/// Progress callback: bytes read so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

const CHUNK_BYTES: usize = 4 << 20;
/// Longest line kept whole; longer runs without a newline are cut (and fail to parse).
const MAX_LINE: usize = CHUNK_BYTES;

fn read_anonymous(path: &Path, p: &Params, progress: Progress) -> std::io::Result<(Part, String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    // Bounded queues: at most a few chunks are in memory at any time.
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(workers);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (res_tx, res_rx) = std::sync::mpsc::sync_channel::<(usize, Part)>(workers * 2);
    std::thread::scope(|s| -> std::io::Result<(Part, String, u64)> {
        for _ in 0..workers {
            let res_tx = res_tx.clone();
            let job_rx = &job_rx;
            s.spawn(move || {
                loop {
                    let job = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((idx, buf))) = job else { break };
                    let part = tally_anonymous_chunk(&buf, p);
                    if res_tx.send((idx, part)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(res_tx);
        // The reader hashes every byte and cuts chunks at line ends.
        let reader = s.spawn(move || -> std::io::Result<(String, u64)> {
            let mut hasher = Sha256::new();
            let mut total: u64 = 0;
            let mut carry: Vec<u8> = Vec::new();
            let mut idx = 0;
            loop {
                let mut buf = std::mem::take(&mut carry);
                let start = buf.len();
                buf.resize(start + CHUNK_BYTES, 0);
                let n = read_full(&mut file, &mut buf[start..])?;
                buf.truncate(start + n);
                hasher.update(&buf[start..]);
                total += n as u64;
                progress(total);
                if n == 0 {
                    if !buf.is_empty() {
                        let _ = job_tx.send((idx, buf));
                    }
                    break;
                }
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(pos) => {
                        carry = buf[pos + 1..].to_vec();
                        buf.truncate(pos + 1);
                        if job_tx.send((idx, buf)).is_err() {
                            break;
                        }
                        idx += 1;
                    }
                    // No line end in a whole chunk: not a call-record file. Pass it on
                    // (it counts as a malformed row) instead of growing without bound.
                    None if buf.len() >= MAX_LINE => {
                        buf.push(b'\n');
                        if job_tx.send((idx, buf)).is_err() {
                            break;
                        }
                        idx += 1;
                    }
                    None => carry = buf,
                }
            }
            Ok((hex::encode(hasher.finalize()), total))
        });
        // Merge results in chunk order as they arrive (line numbers stay exact).
        let mut all = Part::default();
        let mut pending: BTreeMap<usize, Part> = BTreeMap::new();
        let mut next = 0;
        for (i, part) in res_rx {
            pending.insert(i, part);
            while let Some(part) = pending.remove(&next) {
                let offset = all.lines;
                all.merge(part, offset);
                next += 1;
            }
        }
        let (sha, total) = reader
            .join()
            .map_err(|_| std::io::Error::other("the reader thread failed"))??;
        Ok((all, sha, total))
    })
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads the file through a hashing adapter so the sha256 covers every byte.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn read_csv(path: &Path, mapping: &Mapping, p: &Params, progress: Progress) -> Result<(Part, String, u64), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hr = HashingReader {
        inner: std::io::BufReader::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let delim = mapping.delimiter_byte()?;
    let mut part = Part::default();
    {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delim)
            .flexible(true)
            .has_headers(true)
            .from_reader(&mut hr);
        let header = rdr
            .headers()
            .map_err(|e| format!("{}: cannot read the header: {e}", path.display()))?
            .clone();
        let reader: CsvReader = mapping
            .resolve(&header)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut rec = csv::StringRecord::new();
        let mut line: u64 = 1;
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    line = rec.position().map_or(line + 1, |pos| pos.line());
                    part.rows += 1;
                    match reader.call(&rec) {
                        Ok(c) => part.add(&c, p),
                        Err(e) => part.bad(line, e),
                    }
                    if part.rows.is_multiple_of(1 << 16) {
                        progress(rec.position().map_or(0, |p| p.byte()));
                    }
                }
                Err(e) => {
                    line += 1;
                    part.rows += 1;
                    part.bad(e.position().map_or(line, |p| p.line()), e.to_string());
                }
            }
        }
    }
    // Hash any bytes the CSV reader did not pull (it reads to EOF, but be exact).
    std::io::copy(&mut hr, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok((part, hex::encode(hr.hasher.finalize()), hr.bytes))
}

fn date_string(d: u32) -> String {
    format!("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100)
}

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
        schema: "cscaudit.metrics/1",
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
