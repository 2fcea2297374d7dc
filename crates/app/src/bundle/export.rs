//! Writing a bundle: to a temporary name beside the target, renamed at the
//! end (an interrupted export leaves no partial file under the real name).

use super::{ActorRange, CatalogRef, FORMAT, FileEntry, Manifest, VERSION, engagement_of_id};
use crate::app::{App, AppError, Result};
use crate::message::Msg;
use crate::model::ops::{Change, Kind, Op};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Leave the evidence files out (their records still travel).
    pub no_evidence: bool,
    /// The language of the reports' headings and labels.
    pub lang: crate::config::Lang,
    /// Only the operations after this one in the log's order (an
    /// incremental bundle for a teammate who has everything up to it).
    pub since: Option<crate::model::ops::OpId>,
    /// Encrypt the bundle (age) to these recipients or this passphrase.
    pub encrypt: Option<std::sync::Arc<crate::crypto::seal::To>>,
}

#[derive(Clone, Debug)]
pub struct ExportReport {
    pub path: PathBuf,
    pub ops: usize,
    /// The last operation in the bundle (what `--since` takes next time).
    pub last_op: Option<crate::model::ops::OpId>,
    pub evidence_files: usize,
    pub bytes: u64,
    /// Encrypted to this many recipients (0 with a passphrase).
    pub encrypted_to: Option<usize>,
}

impl ExportReport {
    /// What was written, in one line (CLI and TUI say the same).
    pub fn summary(&self, lang: crate::config::Lang) -> String {
        let path = crate::text::visible(&self.path.display().to_string()).into_owned();
        let (ops, files, bytes) = (self.ops, self.evidence_files, self.bytes);
        let last = self
            .last_op
            .as_ref()
            .map(|o| crate::text::visible(&o.to_string()).into_owned());
        let sealed = match self.encrypted_to {
            None => String::new(),
            Some(0) => lang
                .pick(" (encrypted with a passphrase)", "（已用口令加密）")
                .to_string(),
            Some(n) => match lang {
                crate::config::Lang::Zh => format!("（已加密给 {n} 把密钥）"),
                crate::config::Lang::En if n == 1 => " (encrypted to 1 key)".to_string(),
                crate::config::Lang::En => format!(" (encrypted to {n} keys)"),
            },
        };
        let path = format!("{path}{sealed}");
        match (lang, last) {
            (crate::config::Lang::Zh, None) => format!("已导出 {path}：{ops} 项操作，{files} 个证据文件，{bytes} B"),
            (crate::config::Lang::Zh, Some(l)) => format!(
                "已导出 {path}：{ops} 项操作，{files} 个证据文件，{bytes} B；最后一项操作 {l}（下次增量导出用 --since {l}）"
            ),
            (crate::config::Lang::En, None) => {
                format!("exported {path}: {ops} operations, {files} evidence files, {bytes} B")
            }
            (crate::config::Lang::En, Some(l)) => format!(
                "exported {path}: {ops} operations, {files} evidence files, {bytes} B; last operation {l} (for an incremental bundle next time: --since {l})"
            ),
        }
    }
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A zip error as the I/O error it carries (so a full disk is named as
/// such), or as text.
fn zip_err(path: &Path) -> impl Fn(zip::result::ZipError) -> AppError + '_ {
    move |e| AppError::Io {
        path: path.to_path_buf(),
        source: match e {
            zip::result::ZipError::Io(io) => io,
            other => std::io::Error::other(other.to_string()),
        },
    }
}

/// The bundle's file under the zip writer: after its first write error
/// (a full disk) it takes nothing more, so the writer's drop, which tries
/// to finish the archive and prints when it cannot, stays quiet; the
/// partial file is removed by the caller.
struct StopAfterError<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for StopAfterError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.failed {
            return Ok(buf.len());
        }
        self.inner.write(buf).inspect_err(|_| self.failed = true)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.failed {
            return Ok(());
        }
        self.inner.flush().inspect_err(|_| self.failed = true)
    }
}

impl<W: std::io::Seek> std::io::Seek for StopAfterError<W> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.failed {
            return Ok(0);
        }
        // A buffered writer writes what it holds before seeking: that can fail too.
        self.inner.seek(pos).inspect_err(|_| self.failed = true)
    }
}

/// Which ops of `all` are of one engagement: its records by id, and its
/// findings and actions by the engagement their ops name.
fn of_engagement<'a>(all: &'a [Op], engagement: &'a str) -> impl Fn(&Op) -> bool + 'a {
    let mut owned: BTreeSet<(Kind, String)> = BTreeSet::new();
    for op in all {
        if matches!(op.entity.kind, Kind::Finding | Kind::Action)
            && let Change::Set { field, value } = &op.change
            && field == "engagement"
            && value.text() == Some(engagement)
        {
            owned.insert((op.entity.kind, op.entity.id.clone()));
        }
    }
    move |op: &Op| match engagement_of_id(&op.entity) {
        Some(e) => e == engagement,
        None => owned.contains(&(op.entity.kind, op.entity.id.clone())),
    }
}

/// The operations of one engagement (see [`of_engagement`]).
pub(crate) fn engagement_ops(all: Vec<Op>, engagement: &str) -> Vec<Op> {
    let keep: Vec<bool> = {
        let f = of_engagement(&all, engagement);
        all.iter().map(f).collect()
    };
    all.into_iter()
        .zip(keep)
        .filter_map(|(op, k)| k.then_some(op))
        .collect()
}

/// [`engagement_ops`] of a log held elsewhere (copies the ops kept).
pub(crate) fn engagement_ops_of(all: &[Op], engagement: &str) -> Vec<Op> {
    let f = of_engagement(all, engagement);
    all.iter().filter(|op| f(op)).cloned().collect()
}

/// Checks a bundle with ssh-keygen and sha256sum only (shipped in every bundle).
pub const VERIFY_SH: &str = include_str!("verify/verify.sh");
/// How to check a bundle without cscaudit, in English and Chinese.
pub const VERIFY_MD: &str = include_str!("verify/VERIFY.md");

/// Export one engagement as a findings bundle at `out`.
pub fn export(app: &App, engagement: &str, out: &Path, opts: &ExportOptions) -> Result<ExportReport> {
    export_with_progress(app, engagement, out, opts, &super::no_progress)
}

/// [`export`], telling `progress` how far it is; `false` from it stops the
/// export with [`AppError::Cancelled`] and no file left behind.
pub fn export_with_progress(
    app: &App,
    engagement: &str,
    out: &Path,
    opts: &ExportOptions,
    progress: super::Progress,
) -> Result<ExportReport> {
    use super::Stage;
    const REPORT_FILES: u64 = 10;
    let stop = |done: u64| -> Result<()> {
        if progress(Stage::Reports, done, REPORT_FILES) {
            Ok(())
        } else {
            Err(AppError::Cancelled)
        }
    };
    stop(0)?;
    let eng = app.engagement(engagement)?;
    let catalog_src = app.catalog_source(&eng)?;
    let mut ops = engagement_ops(app.all_ops()?, &eng.id);
    crate::model::ops::sort_ops(&mut ops);
    stop(0)?;
    if let Some(since) = &opts.since {
        let Some(pos) = ops.iter().position(|op| &op.id == since) else {
            let (s, e) = (crate::text::visible(&since.to_string()).into_owned(), eng.id.clone());
            return Err(AppError::Invalid(crate::msg!(
                "no operation {s} in engagement {e} (the summary of an export names its last operation)",
                "审核项目 {e} 中没有操作 {s}（每次导出的摘要会写出其最后一项操作）"
            )));
        };
        ops.drain(..=pos);
        // Whole batches only: a batch is accepted or refused as one, so the
        // earlier ops of a batch the cut goes through come along.
        let all = engagement_ops(app.all_ops()?, &eng.id);
        let mut first: BTreeMap<&str, u64> = BTreeMap::new();
        for op in &ops {
            let f = first.entry(op.id.actor.as_str()).or_insert(op.id.seq);
            *f = (*f).min(op.id.seq);
        }
        let mut extra = Vec::new();
        for (actor, seq) in first {
            if let Some(b) = app.batch_covering(actor, seq)?
                && b.first < seq
            {
                extra.extend(
                    all.iter()
                        .filter(|o| o.id.actor == actor && o.id.seq >= b.first && o.id.seq < seq)
                        .cloned(),
                );
            }
        }
        ops.extend(extra);
        crate::model::ops::sort_ops(&mut ops);
    }
    // `--since` next time names one of the engagement's own operations.
    let last_op = ops.last().map(|op| op.id.clone());
    // The programme's record and team travel with it: a receiver judges
    // the decisions on this engagement against them.
    let programme = match eng.programme.as_deref() {
        Some(p) if app.is_programme(p)? => Some(p.to_string()),
        _ => None,
    };
    if let Some(p) = &programme {
        // Records of the programme, never of the engagement: no op twice.
        ops.extend(app.programme_ops(p)?);
        crate::model::ops::sort_ops(&mut ops);
    }
    let mut ranges: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for op in &ops {
        let r = ranges.entry(op.id.actor.clone()).or_insert((op.id.seq, op.id.seq));
        r.0 = r.0.min(op.id.seq);
        r.1 = r.1.max(op.id.seq);
    }
    // Read once; every report below is made from it.
    let data = crate::report::ReportData::load(app, &eng.id)?;
    stop(0)?;
    let findings = data.json();
    // An incremental bundle carries the files its operations name (new
    // evidence records, new links); the receiver holds the others.
    let named: Option<BTreeSet<&str>> = opts.since.as_ref().map(|_| {
        ops.iter()
            .filter_map(|op| match (&op.entity.kind, &op.change) {
                (Kind::Evidence, _) => op.entity.id.rsplit_once('/').map(|(_, sha)| sha),
                (_, Change::Link { rel, target }) if rel == crate::model::fields::Rel::Evidence.name() => {
                    Some(target.as_str())
                }
                _ => None,
            })
            .collect()
    });
    let chosen: Vec<crate::model::evidence::Evidence> = match (&named, opts.no_evidence) {
        (_, true) => Vec::new(),
        (Some(n), false) => data
            .evidence
            .iter()
            .filter(|e| n.contains(e.sha256.as_str()))
            .cloned()
            .collect(),
        (None, false) => data.evidence.clone(),
    };
    let evidence: &[crate::model::evidence::Evidence] = &chosen;

    let tmp = out.with_file_name(format!(
        ".{}.partial",
        out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    ));
    let sealed_tmp = out.with_file_name(format!(
        ".{}.sealing",
        out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    ));
    let result = (|| -> Result<ExportReport> {
        // An error names the file the user asked for, not the temporary one.
        let file = std::fs::File::create(&tmp).map_err(|source| AppError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        let mut zip = zip::ZipWriter::new(StopAfterError {
            inner: std::io::BufWriter::new(file),
            failed: false,
        });
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let mut files = Vec::new();
        let io = |source| AppError::Io {
            path: tmp.clone(),
            source,
        };
        // Every file goes through here: its bytes written by `write`, hashed
        // and counted on the way into the zip.
        type WriteFn<'w> = &'w mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>;
        let mut put = |zip: &mut zip::ZipWriter<_>,
                       name: &str,
                       opts: zip::write::SimpleFileOptions,
                       write: WriteFn|
         -> Result<String> {
            zip.start_file(name, opts).map_err(zip_err(&tmp))?;
            let mut w = Hashing {
                inner: &mut *zip,
                hasher: Sha256::new(),
                size: 0,
            };
            {
                let mut b = std::io::BufWriter::with_capacity(1 << 16, &mut w);
                write(&mut b).map_err(io)?;
                b.flush().map_err(io)?;
            }
            let sha = hex::encode(w.hasher.finalize());
            files.push(FileEntry {
                path: name.to_string(),
                sha256: sha.clone(),
                size: w.size,
            });
            Ok(sha)
        };
        let bytes = |b: &[u8]| {
            let b = b.to_vec();
            move |w: &mut dyn Write| w.write_all(&b)
        };
        // Between the report files, and every few thousand operations
        // within the long ones, a cancel is heard (its error then says so).
        let halted = || !progress(Stage::Reports, 0, REPORT_FILES);
        let heard = |e: AppError| if halted() { AppError::Cancelled } else { e };
        let cancelled = || std::io::Error::other("cancelled");
        // The operations, streamed (1.2 million at 100,000 findings).
        put(&mut zip, "ops.jsonl", options, &mut |w| {
            for (i, op) in ops.iter().enumerate() {
                if i % 8192 == 8191 && halted() {
                    return Err(cancelled());
                }
                w.write_all(&crate::model::canon::canonical_line(op))?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })
        .map_err(heard)?;
        stop(0)?;
        // The signatures that prove them (whole batches: a batch lists every
        // op's hash, so the ops of other engagements need not be here).
        let signed = app.batches_for(&ops)?;
        put(&mut zip, "signatures.jsonl", options, &mut |w| {
            for b in &signed {
                serde_json::to_writer(&mut *w, b).map_err(std::io::Error::other)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
        // The same batches as files anyone can check with ssh-keygen and
        // sha256sum (verify.sh): each one's signed message, signature and
        // operations, and the team's keys.
        let mut signers = String::new();
        let mut team = app.team(&eng.id)?;
        if let Some(p) = &programme {
            team.extend(app.team(p)?);
        }
        for m in team {
            if let Some(k) = m.key.as_deref().filter(|k| *k != crate::app::REVOKED) {
                signers.push_str(&format!(
                    "{} namespaces=\"{}\" {}\n",
                    m.actor,
                    crate::crypto::sign::NAMESPACE_V2,
                    k.trim()
                ));
            }
        }
        put(
            &mut zip,
            "signed/allowed_signers",
            options,
            &mut bytes(signers.as_bytes()),
        )?;
        // Each author's ops by number: a batch's ops are a range of them.
        let mut by_actor: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
        for op in &ops {
            by_actor.entry(op.id.actor.as_str()).or_default().push(op);
        }
        for v in by_actor.values_mut() {
            v.sort_by_key(|o| o.id.seq);
        }
        for (i, b) in signed.iter().filter(|b| b.v >= 2).enumerate() {
            if i % 256 == 255 {
                stop(0)?;
            }
            let n = format!("signed/{:06}", i + 1);
            put(&mut zip, &format!("{n}.msg"), options, &mut bytes(&b.message()))?;
            if b.is_signed() {
                put(
                    &mut zip,
                    &format!("{n}.sig"),
                    options,
                    &mut bytes(b.signature.as_bytes()),
                )?;
            }
            put(&mut zip, &format!("{n}.ops"), options, &mut |w| {
                let of_actor = by_actor.get(b.actor.as_str()).map(Vec::as_slice).unwrap_or_default();
                let from = of_actor.partition_point(|o| o.id.seq < b.first);
                let to = of_actor.partition_point(|o| o.id.seq <= b.last());
                for op in &of_actor[from..to] {
                    w.write_all(&crate::model::canon::canonical_line(op))?;
                    w.write_all(b"\n")?;
                }
                Ok(())
            })?;
        }
        stop(1)?;
        let json = serde_json::to_vec_pretty(&findings).map_err(|e| AppError::Invalid(Msg::same(e.to_string())))?;
        put(&mut zip, "findings.json", options, &mut bytes(&json))?;
        stop(2)?;
        let table = crate::report::findings_csv(&data, opts.lang)?;
        put(&mut zip, "findings.csv", options, &mut bytes(&table))?;
        let book = crate::report::findings_xlsx(&data, opts.lang)?;
        put(&mut zip, "findings.xlsx", stored, &mut bytes(&book))?;
        stop(4)?;
        let report = crate::report::report_md(&data, opts.lang);
        put(&mut zip, "report.md", options, &mut bytes(report.as_bytes()))?;
        let page = crate::report::report_html(&data, opts.lang);
        put(&mut zip, "report.html", options, &mut bytes(page.as_bytes()))?;
        stop(6)?;
        let doc = crate::report::report_docx(&data, opts.lang)?;
        put(&mut zip, "report.docx", stored, &mut bytes(&doc))?;
        stop(7)?;
        for doc in crate::report::OscalDoc::ALL {
            stop(7)?;
            put(&mut zip, doc.path(), options, &mut |w| {
                crate::report::write_oscal(&data, opts.lang, doc, w)
            })?;
        }
        stop(REPORT_FILES)?;
        let evidence_bytes: u64 = evidence.iter().map(|e| e.size).sum();
        let mut copied = 0u64;
        if let Some(src) = &catalog_src {
            put(&mut zip, "catalog.toml", options, &mut bytes(src.as_bytes()))?;
        }
        for ev in evidence {
            // Streamed from the blob folder; a blob that no longer matches its
            // hash is not shipped.
            let path = app.evidence_path(&ev.sha256);
            let mut f = std::fs::File::open(&path).map_err(|source| AppError::Io {
                path: path.clone(),
                source,
            })?;
            let mut counting = super::Counting {
                inner: &mut f,
                stage: Stage::Evidence,
                done: copied,
                total: evidence_bytes,
                last: copied,
                progress,
                stopped: false,
            };
            let got = put(&mut zip, &format!("evidence/{}", ev.sha256), stored, &mut |w| {
                std::io::copy(&mut counting, w).map(drop)
            });
            if counting.stopped {
                return Err(AppError::Cancelled);
            }
            copied = counting.done;
            let got = got?;
            if got != ev.sha256 {
                let (name, sha) = (crate::text::visible(&ev.name).into_owned(), ev.sha256.clone());
                return Err(AppError::Invalid(crate::msg!(
                    "the evidence file {name} ({sha}) no longer matches its hash; not exported (run `cscaudit evidence verify`)",
                    "证据文件 {name}（{sha}）与其哈希不符；未导出（请运行 `cscaudit evidence verify`）"
                )));
            }
        }
        put(&mut zip, "verify.sh", options, &mut bytes(VERIFY_SH.as_bytes()))?;
        put(&mut zip, "VERIFY.md", options, &mut bytes(VERIFY_MD.as_bytes()))?;
        let mut sums = String::new();
        for f in &files {
            sums.push_str(&format!("{}  {}\n", f.sha256, f.path));
        }
        zip.start_file("SHA256SUMS", options).map_err(zip_err(&tmp))?;
        zip.write_all(sums.as_bytes()).map_err(io)?;
        files.push(FileEntry {
            path: "SHA256SUMS".into(),
            sha256: hex::encode(Sha256::digest(sums.as_bytes())),
            size: sums.len() as u64,
        });
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            engagement: eng.id.clone(),
            exporter: app.identity().actor.clone(),
            created: jiff::Timestamp::now().to_string(),
            catalog: CatalogRef {
                id: eng.catalog_id.clone(),
                version: eng.catalog_version.clone(),
            },
            ops: ops.len(),
            since: opts.since.as_ref().map(|o| o.to_string()),
            op_range: ranges
                .into_iter()
                .map(|(actor, (first, last))| ActorRange { actor, first, last })
                .collect(),
            files,
        };
        let m = serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Invalid(Msg::same(e.to_string())))?;
        zip.start_file("manifest.json", options).map_err(zip_err(&tmp))?;
        zip.write_all(&m).map_err(io)?;
        let w = zip.finish().map_err(zip_err(&tmp))?;
        if w.failed {
            // Never reached: the first failed write returned its error. Kept
            // so that a bundle is never called written after one.
            return Err(io(std::io::Error::other("a write to the bundle failed")));
        }
        let file = w.inner.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        let mut bytes = file.metadata().map_err(io)?.len();
        drop(file);
        if let Some(to) = &opts.encrypt {
            // Sealed into a second temporary file; the plain zip is removed
            // and only the encrypted one takes the name asked for.
            progress(Stage::Encrypt, 0, bytes);
            let plain = std::fs::File::open(&tmp).map_err(io)?;
            let created = std::fs::File::create(&sealed_tmp).map_err(|source| AppError::Io {
                path: out.to_path_buf(),
                source,
            })?;
            let mut w = std::io::BufWriter::new(created);
            crate::crypto::seal::seal(to, std::io::BufReader::new(plain), &mut w).map_err(|e| {
                let (p, e) = (
                    crate::text::visible(&out.display().to_string()).into_owned(),
                    crate::text::visible(&e).into_owned(),
                );
                AppError::Invalid(crate::msg!("{p}: {e}", "{p}：{e}"))
            })?;
            let f = w.into_inner().map_err(|e| io(e.into_error()))?;
            f.sync_all().map_err(io)?;
            bytes = f.metadata().map_err(io)?.len();
            let _ = std::fs::remove_file(&tmp);
            std::fs::rename(&sealed_tmp, out).map_err(|source| AppError::Io {
                path: out.to_path_buf(),
                source,
            })?;
            progress(Stage::Encrypt, bytes, bytes);
        } else {
            std::fs::rename(&tmp, out).map_err(|source| AppError::Io {
                path: out.to_path_buf(),
                source,
            })?;
        }
        Ok(ExportReport {
            path: out.to_path_buf(),
            ops: ops.len(),
            last_op: last_op.clone(),
            evidence_files: evidence.len(),
            bytes,
            encrypted_to: opts.encrypt.as_ref().map(|t| t.recipients()),
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&sealed_tmp);
    }
    result
}
