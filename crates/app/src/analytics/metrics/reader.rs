//! Reading call-record files: the input is streamed in 4 MiB chunks (bounded
//! memory); one reader thread hashes every byte (sha256) and hands chunks to
//! worker threads — as many as the machine has cores, between 1 and 8 — that
//! parse and tally them; results are merged in chunk order, so bad rows keep
//! their exact line numbers.

use super::super::calls::{Call, CsvReader, Mapping, is_anonymous_bank_header, parse_anonymous_bank};
use super::report::BadRow;
use super::tally::{Params, Tally};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// A tally of one chunk or file: overall, per day, per hour, and bad rows.
#[derive(Default)]
pub(super) struct Part {
    pub(super) all: Tally,
    pub(super) days: BTreeMap<u32, Tally>,
    pub(super) hours: [Tally; 24],
    pub(super) rows: u64,
    pub(super) lines: u64,
    pub(super) malformed: u64,
    pub(super) out_of_range: u64,
    pub(super) bad: Vec<BadRow>,
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
    pub(super) fn merge(&mut self, o: Part, line_offset: u64) {
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
pub(super) fn tally_anonymous_chunk(buf: &[u8], p: &Params) -> Part {
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
/// Called with the bytes read so far; returning `false` stops the work (it
/// ends with an error saying it was cancelled).
pub type Progress<'a> = &'a (dyn Fn(u64) -> bool + Sync);

/// The error a cancelled read ends with.
pub const CANCELLED: &str = "cancelled";

const CHUNK_BYTES: usize = 4 << 20;
/// Longest line read; a longer one is one malformed row (its bytes are
/// hashed, not kept), and the lines after it keep their numbers.
const MAX_LINE: usize = CHUNK_BYTES;

/// The malformed row an over-long line is.
fn long_line() -> Part {
    let mut part = Part {
        lines: 1,
        rows: 1,
        ..Part::default()
    };
    part.bad(
        1,
        format!("a line longer than {} MiB: not a call record", MAX_LINE >> 20),
    );
    part
}

pub(super) fn read_anonymous(path: &Path, p: &Params, progress: Progress) -> std::io::Result<(Part, String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    // Bounded queues: at most a few chunks are in memory at any time.
    // A chunk of whole lines, or None for one line too long to keep.
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<(usize, Option<Vec<u8>>)>(workers);
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
                    let part = match buf {
                        Some(buf) => tally_anonymous_chunk(&buf, p),
                        None => long_line(),
                    };
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
            // Inside an over-long line: its rest is dropped up to its end.
            let mut skipping = false;
            loop {
                let mut buf = std::mem::take(&mut carry);
                let start = buf.len();
                buf.resize(start + CHUNK_BYTES, 0);
                let n = read_full(&mut file, &mut buf[start..])?;
                buf.truncate(start + n);
                hasher.update(&buf[start..]);
                total += n as u64;
                if !progress(total) {
                    return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, CANCELLED));
                }
                if skipping {
                    match buf.iter().position(|&b| b == b'\n') {
                        Some(pos) => {
                            buf.drain(..=pos);
                            skipping = false;
                        }
                        None if n == 0 => break,
                        None => continue,
                    }
                }
                if n == 0 {
                    if !buf.is_empty() {
                        let _ = job_tx.send((idx, Some(buf)));
                    }
                    break;
                }
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(pos) => {
                        carry = buf[pos + 1..].to_vec();
                        buf.truncate(pos + 1);
                        if job_tx.send((idx, Some(buf))).is_err() {
                            break;
                        }
                        idx += 1;
                    }
                    // No line end in a whole chunk: not a call record. One
                    // malformed row, its rest skipped, instead of growing
                    // without bound.
                    None if buf.len() >= MAX_LINE => {
                        if job_tx.send((idx, None)).is_err() {
                            break;
                        }
                        idx += 1;
                        skipping = true;
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

pub(super) fn read_csv(
    path: &Path,
    mapping: &Mapping,
    p: &Params,
    progress: Progress,
) -> Result<(Part, String, u64), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hr = HashingReader {
        inner: std::io::BufReader::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let delim = mapping.delimiter_byte()?;
    let encoding = mapping.encoding()?;
    let mut part = Part::default();
    {
        // Decoded to UTF-8 on the way (the hash stays the file's own bytes).
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(encoding)
            .utf8_passthru(true)
            .build(&mut hr);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delim)
            .flexible(true)
            .has_headers(true)
            .from_reader(decoded);
        let header = rdr.headers().map_err(|e| {
            let hint = not_utf8_hint(&e);
            format!("{}: cannot read the header: {e}{hint}", path.display())
        })?;
        let header = header.clone();
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
                    if part.rows.is_multiple_of(1 << 16) && !progress(rec.position().map_or(0, |p| p.byte())) {
                        return Err(format!("{}: {CANCELLED}", path.display()));
                    }
                }
                Err(e) => {
                    line += 1;
                    part.rows += 1;
                    let hint = not_utf8_hint(&e);
                    part.bad(e.position().map_or(line, |p| p.line()), format!("{e}{hint}"));
                }
            }
        }
    }
    // Hash any bytes the CSV reader did not pull (it reads to EOF, but be exact).
    std::io::copy(&mut hr, &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok((part, hex::encode(hr.hasher.finalize()), hr.bytes))
}

/// Text that is not UTF-8: most likely a Chinese ACD export in GB18030.
fn not_utf8_hint(e: &csv::Error) -> &'static str {
    if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
        " (the file is not UTF-8; exports of Chinese ACD systems often are GB18030: add --encoding gb18030)"
    } else {
        ""
    }
}

pub(super) fn date_string(d: u32) -> String {
    format!("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100)
}
