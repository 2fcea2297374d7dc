//! Reading a bundle: everything is checked before anything is written —
//! entry names (no absolute paths, `..`, links, duplicates), declared and
//! actual sizes, compression ratios, a total limit, every hash against the
//! manifest, the format version, the engagement and catalogue, every op's
//! engagement and author. Then the ops are merged in one transaction and the
//! evidence files (staged in a temporary folder) moved into place. On any
//! problem: one message naming it, and the database as it was.
//!
//! Length: every check a bundle passes, in the order they run, in one file so
//! the order can be audited; each step is its own function.

use super::{FORMAT, Manifest, VERSION, engagement_of_id};
use crate::app::{App, AppError, Result};
use crate::message::Msg;
use crate::model::ops::{Change, Kind, Op};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bounds a bundle must stay within.
#[derive(Clone, Debug)]
pub struct Limits {
    /// All entries together, uncompressed.
    pub total_bytes: u64,
    /// Uncompressed / compressed, for entries over 1 MiB (zip bombs).
    pub max_ratio: u64,
    /// manifest.json, ops.jsonl, findings.json, catalog.toml each.
    pub metadata_bytes: u64,
    pub entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            total_bytes: 64 << 30,
            max_ratio: 200,
            metadata_bytes: 2 << 30,
            entries: 1_000_000,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    pub engagement: String,
    /// The engagement was not in this database before.
    pub joined: bool,
    pub ops_received: usize,
    pub ops_applied: usize,
    pub ops_known: usize,
    pub new_findings: usize,
    pub records_changed: usize,
    pub new_conflicts: usize,
    pub evidence_added: usize,
    /// New operations proven by their author's registered key.
    pub ops_signed: usize,
    /// New operations by members who had no key at the time (history from before signing).
    pub ops_unsigned: usize,
    /// The bundle was encrypted and opened with your key (or a passphrase).
    pub decrypted: bool,
    /// Batches refused (nothing of them applied), one line each.
    pub refused: Vec<crate::app::Refused>,
}

impl ImportReport {
    /// What came in, in one line (CLI and TUI say the same).
    pub fn summary(&self, lang: crate::config::Lang) -> String {
        let ImportReport {
            engagement: e,
            ops_received: got,
            ops_applied: new,
            ops_known: known,
            new_findings: findings,
            records_changed: changed,
            new_conflicts: conflicts,
            evidence_added: files,
            ops_signed: signed,
            ops_unsigned: unsigned,
            ..
        } = self;
        let m = crate::msg!(
            "{e}: {got} operations received, {new} new ({known} already here; {signed} signed and verified, {unsigned} unsigned); {findings} new findings, {changed} records changed, {conflicts} new conflicts, {files} evidence files added",
            "{e}：收到 {got} 项操作，新增 {new} 项（已有 {known} 项；签名已验证 {signed} 项，未签名 {unsigned} 项）；新发现项 {findings}，变更记录 {changed}，新冲突 {conflicts}，新证据文件 {files}"
        );
        let mut m = m.get(lang).to_string();
        if self.decrypted {
            m = format!("{}{m}", lang.pick("decrypted; ", "已解密；"));
        }
        if !self.refused.is_empty() {
            let n = self.refused.len();
            let head = match lang {
                crate::config::Lang::Zh => format!("\n拒绝 {n} 个批次（其内容均未应用）："),
                _ => format!("\n{n} batches refused (nothing of them applied):"),
            };
            m.push_str(&head);
            for r in &self.refused {
                m.push_str("\n  ");
                m.push_str(&r.line(lang));
            }
        }
        m
    }

    /// Said first when the import created the engagement here.
    pub fn joined_line(&self, lang: crate::config::Lang) -> Option<String> {
        self.joined.then(|| {
            format!(
                "{} {}",
                lang.pick("joined engagement", "已加入审核项目"),
                self.engagement
            )
        })
    }
}

fn refused_all(en: String, zh: String) -> AppError {
    AppError::Rule(Msg::new(en, zh))
}

fn refused(en: String, zh: String) -> AppError {
    AppError::Invalid(Msg::new(en, zh))
}

/// Import with the default limits.
/// What an import killed half-way left behind (a staging folder, a
/// decrypted copy): removed by the next import. This process holds the
/// database, so no other process is importing into it; its own imports run
/// one at a time.
pub(crate) fn remove_stale_imports(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return;
    };
    let mine = format!(".import-{}-", std::process::id());
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(".import-") || name.starts_with(&mine) {
            continue;
        }
        let p = e.path();
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
}

pub fn import(app: &App, file: &Path) -> Result<ImportReport> {
    import_with_limits(app, file, &Limits::default())
}

/// An encrypted bundle: decrypted with your key (or a passphrase) into a
/// private temporary file, imported from there, the temporary file removed.
fn import_sealed(app: &App, file: &Path, limits: &Limits, progress: super::Progress) -> Result<ImportReport> {
    use crate::crypto::seal::OpenError;
    let f = crate::text::visible(&file.display().to_string()).into_owned();
    let opener = app.opener()?;
    let input = std::fs::File::open(file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let mut plain = opener.open(std::io::BufReader::new(input)).map_err(|e| match e {
        OpenError::NotForYou => match app.signing_key() {
            Some(k) => {
                let fp = k.fingerprint();
                refused(
                    format!("{f} is encrypted, but not to your key ({fp}): ask the sender to encrypt it to your registered key. Nothing was imported"),
                    format!("{f} 已加密，但不是加密给您的密钥（{fp}）：请发送者加密给您登记的密钥。未导入任何内容"),
                )
            }
            None => refused(
                format!("{f} is encrypted: name your private key with `cscaudit identity key PATH` to open it. Nothing was imported"),
                format!("{f} 已加密：请用 `cscaudit identity key 路径` 指定您的私钥后再打开。未导入任何内容"),
            ),
        },
        OpenError::Passphrase(e) => {
            // The two reasons `seal::open` gives, in Chinese too.
            let zh = if e.starts_with("none given") {
                "未提供口令（请输入，或设置 CSCAUDIT_PASSPHRASE）".to_string()
            } else if e == "it is wrong" {
                "口令不正确".to_string()
            } else {
                crate::text::visible(&e).into_owned()
            };
            let e = crate::text::visible(&e).into_owned();
            refused(
                format!("{f} is encrypted with a passphrase: {e}. Nothing was imported"),
                format!("{f} 使用口令加密：{zh}。未导入任何内容"),
            )
        }
        OpenError::Damaged(e) => {
            let e = crate::text::visible(&e).into_owned();
            refused(
                format!("{f} cannot be decrypted: it is damaged or altered ({e}). Nothing was imported"),
                format!("{f} 无法解密：文件已损坏或被改动（{e}）。未导入任何内容"),
            )
        }
    })?;
    let dir = app.data_dir().map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".import-{}-{nanos}.zip", std::process::id()));
    struct Remove(std::path::PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _guard = Remove(tmp.clone());
    let io = |source| AppError::Io {
        path: tmp.clone(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut out = std::io::BufWriter::new(opts.open(&tmp).map_err(io)?);
    let mut buf = vec![0u8; 256 * 1024];
    let mut done: u64 = 0;
    loop {
        let n = match plain.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let e = crate::text::visible(&e.to_string()).into_owned();
                return Err(refused(
                    format!("{f} cannot be decrypted: it is damaged or altered ({e}). Nothing was imported"),
                    format!("{f} 无法解密：文件已损坏或被改动（{e}）。未导入任何内容"),
                ));
            }
        };
        done += n as u64;
        if done > limits.total_bytes {
            let max = limits.total_bytes;
            return Err(refused(
                format!("{f} decrypts to more than {max} bytes; nothing was imported"),
                format!("{f} 解密后超过 {max} 字节；未导入任何内容"),
            ));
        }
        std::io::Write::write_all(&mut out, &buf[..n]).map_err(io)?;
        if !progress(super::Stage::Decrypt, done, 0) {
            return Err(AppError::Cancelled);
        }
    }
    std::io::Write::flush(&mut out).map_err(io)?;
    drop(out);
    let mut report = import_with_progress(app, &tmp, limits, progress)?;
    report.decrypted = true;
    Ok(report)
}

/// Whether a name may be an entry of a bundle.
fn check_name(name: &str) -> std::result::Result<(), (String, String)> {
    let shown = crate::text::visible(name).into_owned();
    if name.is_empty() || name.contains('\0') {
        return Err((
            "an entry has an empty or invalid name".into(),
            "有条目名称为空或无效".into(),
        ));
    }
    if name.starts_with('/') || name.starts_with('\\') || name.get(1..2) == Some(":") {
        return Err((
            format!("entry `{shown}` has an absolute path"),
            format!("条目 `{shown}` 使用了绝对路径"),
        ));
    }
    if name.contains('\\') || name.split('/').any(|c| c == ".." || c == ".") {
        return Err((
            format!("entry `{shown}` leaves the bundle's folder (`..` or `\\`)"),
            format!("条目 `{shown}` 试图跳出数据包目录（`..` 或 `\\`）"),
        ));
    }
    Ok(())
}

/// Read an entry to its end, at most one byte past what it declares and
/// refused above `limit`: its sha256, its length, and its bytes when `keep`
/// (the reports are only checked; a workbook of 100,000 findings need not
/// sit in memory).
fn read_entry(r: &mut dyn Read, declared: u64, limit: u64, name: &str, keep: bool) -> Result<(String, u64, Vec<u8>)> {
    let shown = crate::text::visible(name).into_owned();
    if declared > limit {
        return Err(refused(
            format!("`{shown}` is {declared} bytes, more than the {limit} allowed"),
            format!("`{shown}` 有 {declared} 字节，超过上限 {limit}"),
        ));
    }
    let mut h = Sha256::new();
    let mut kept = Vec::with_capacity(if keep { declared.min(1 << 24) as usize } else { 0 });
    let mut buf = vec![0u8; 1 << 16];
    let mut r = r.take(declared + 1);
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf).map_err(|e| {
            let e = e.to_string();
            refused(
                format!("`{shown}` cannot be read: {e}"),
                format!("`{shown}` 无法读取：{e}"),
            )
        })?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        if keep {
            kept.extend_from_slice(&buf[..k]);
        }
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n, kept))
}

/// An entry's bytes, exactly as many as it declares.
fn read_limited(r: &mut dyn Read, declared: u64, limit: u64, name: &str) -> Result<Vec<u8>> {
    let (_, got, bytes) = read_entry(r, declared, limit, name, true)?;
    if got != declared {
        let shown = crate::text::visible(name).into_owned();
        return Err(refused(
            format!("`{shown}` declares {declared} bytes but holds {got}"),
            format!("`{shown}` 声明 {declared} 字节，实际 {got} 字节"),
        ));
    }
    Ok(bytes)
}

/// The names an operation carries (author, record id, field, link) end up
/// on screens and in reports: refused here, at the door, when they hold
/// control or bidi characters or are absurdly long — not sanitised in every
/// place that shows them.
pub(crate) fn check_names(op: &Op) -> std::result::Result<(), (String, String)> {
    if crate::app::validate_actor(&op.id.actor).is_err() {
        let a = crate::text::visible(&op.id.actor).into_owned();
        return Err((
            format!("author `{a}` is not a valid actor id"),
            format!("作者 `{a}` 不是有效的用户标识"),
        ));
    }
    let mut names = vec![op.entity.id.as_str()];
    match &op.change {
        Change::Set { field, .. } | Change::Resolve { field, .. } => names.push(field),
        Change::Link { rel, target } | Change::Unlink { rel, target } => names.extend([rel.as_str(), target]),
        Change::Create | Change::Tombstone => {}
    }
    for n in names {
        if n.is_empty() || n.len() > 256 || n.chars().any(crate::text::is_hazard) {
            let shown = crate::text::visible(n).into_owned();
            return Err((
                format!("the name `{shown}` is empty, too long or holds control characters"),
                format!("名称 `{shown}` 为空、过长或含控制字符"),
            ));
        }
    }
    Ok(())
}

/// Removes the staging folder unless the import went through.
struct Staging(Option<PathBuf>);
impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

pub fn import_with_limits(app: &App, file: &Path, limits: &Limits) -> Result<ImportReport> {
    import_with_progress(app, file, limits, &super::no_progress)
}

/// [`import_with_limits`], telling `progress` how far the checks are; `false`
/// from it (before the merge starts) stops with [`AppError::Cancelled`] and
/// nothing written.
pub fn import_with_progress(
    app: &App,
    file: &Path,
    limits: &Limits,
    progress: super::Progress,
) -> Result<ImportReport> {
    use super::Stage;
    let f = file.display().to_string();
    let meta = std::fs::metadata(file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        return Err(refused(format!("{f} is not a file"), format!("{f} 不是文件")));
    }
    if crate::crypto::seal::file_is_sealed(file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })? {
        return import_sealed(app, file, limits, progress);
    }
    let mut zip = open_zip(file, &f)?;
    // 1. Entries: names, kinds, sizes, ratios; before reading any content.
    let names = check_entries(&mut zip, limits, &f)?;
    // 2. The manifest.
    let manifest = read_manifest(&mut zip, &names, &f)?;
    // 3. Every listed file: present, its size and hash as listed; evidence
    // streamed into a staging folder (named by its hash, checked too).
    let data_dir = app.evidence_dir().parent().map(Path::to_path_buf).unwrap_or_default();
    remove_stale_imports(&data_dir);
    let staging_dir = data_dir.join(format!(
        ".import-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    ));
    let staging = Staging(Some(staging_dir.clone()));
    let (mut small, staged) = check_files(&mut zip, &manifest, limits, &staging_dir, progress, &f)?;
    // 4. The operations: each of the manifest's engagement, by a team member.
    let ops = read_ops(small.remove("ops.jsonl"), &manifest, &f)?;
    let eng = manifest.engagement.as_str();
    let local = target_engagement(app, &manifest, &f)?;
    // 5. Signatures: every change by a member with a registered key must be
    // in a batch that key signed (bundles from before signing have none).
    let batches = read_batches(small.remove("signatures.jsonl"), &f)?;
    let (ops, batches, carried) = App::split_scopes(eng, ops, batches);
    let judged = app.judge_batches(eng, ops, batches)?;
    if judged.ops.is_empty() && !judged.refused.is_empty() && carried.is_empty() {
        let lines = |lang| {
            judged
                .refused
                .iter()
                .map(|r| r.line(lang))
                .collect::<Vec<_>>()
                .join("\n  ")
        };
        let (en, zh) = (lines(crate::config::Lang::En), lines(crate::config::Lang::Zh));
        return Err(refused_all(
            format!("{f}: nothing was imported; every change was refused:\n  {en}"),
            format!("{f}：未导入任何内容；所有更改均被拒绝：\n  {zh}"),
        ));
    }
    let refused_batches = judged.refused.clone();
    let local = if judged.genesis { None } else { local };
    // 6. Catalogue: the same one, or the bundle's for a new engagement.
    let catalog = bundle_catalog(app, eng, local.as_ref(), &manifest, &small, &judged.ops, &f)?;
    // 7. Write: catalogue, ops (with their signatures) in one transaction, then the evidence files.
    // Counted through the summary index (ids only: no record is decoded).
    let count = |app: &App| {
        app.indexed(crate::store::IndexTag::FindingSummary, eng, None)
            .map(|ids| ids.len())
    };
    let findings_before = if local.is_some() { count(app)? } else { 0 };
    if !progress(Stage::Merging, 0, 0) {
        return Err(AppError::Cancelled);
    }
    if let Some((src, cat)) = &catalog {
        app.remember_catalog(src, cat)?;
    }
    let (mut ops_signed, mut ops_unsigned) = (judged.signed, judged.unsigned);
    let mut refused_batches = refused_batches;
    let mut merged = app.apply_judged(judged)?;
    let extra = app.ingest_carried(eng, carried)?;
    merged.add(&extra.merged);
    ops_signed += extra.signed;
    ops_unsigned += extra.unsigned;
    refused_batches.extend(extra.refused);
    let added = move_evidence(app, eng, &staged, &staging_dir)?;
    drop(staging);
    let findings_after = count(app).unwrap_or(0);
    Ok(ImportReport {
        decrypted: false,
        engagement: eng.to_string(),
        joined: local.is_none(),
        ops_received: merged.received,
        ops_applied: merged.applied,
        ops_known: merged.already_known,
        new_findings: findings_after.saturating_sub(findings_before),
        records_changed: merged.records_touched,
        new_conflicts: merged.new_conflicts,
        evidence_added: added,
        ops_signed,
        ops_unsigned,
        refused: refused_batches,
    })
}

type Zip = zip::ZipArchive<std::io::BufReader<std::fs::File>>;

/// The bundle's small files kept in memory (ops, signatures, catalogue).
type SmallFiles = std::collections::HashMap<String, Vec<u8>>;

/// The bundle as a zip whose local headers agree with its central directory.
fn open_zip(file: &Path, f: &str) -> Result<Zip> {
    let reader = std::fs::File::open(file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(reader)).map_err(|e| {
        let e = e.to_string();
        refused(
            format!("{f} is not a readable findings bundle (a zip file): {e}"),
            format!("{f} 不是可读取的发现项数据包（zip 文件）：{e}"),
        )
    })?;
    // Local headers must agree with the central directory, and no name may
    // appear twice (a reader could pick either copy).
    zip.validate_header_consistency().map_err(|e| {
        let e = e.to_string();
        if e.contains("duplicate") {
            refused(
                format!("{f}: an entry name appears twice ({e})"),
                format!("{f}：有条目名称重复出现（{e}）"),
            )
        } else {
            refused(
                format!("{f}: its local and central headers disagree (altered?): {e}"),
                format!("{f}：本地头与中央目录不一致（被改动？）：{e}"),
            )
        }
    })?;
    Ok(zip)
}

/// Entries: names, kinds, sizes and ratios checked before any content is
/// read; the names.
fn check_entries(zip: &mut Zip, limits: &Limits, f: &str) -> Result<HashSet<String>> {
    if zip.len() > limits.entries {
        let n = zip.len();
        return Err(refused(
            format!("{f} has {n} entries, too many"),
            format!("{f} 含 {n} 个条目，过多"),
        ));
    }
    let mut names = HashSet::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let e = zip.by_index_raw(i).map_err(|e| {
            let e = e.to_string();
            refused(
                format!("{f}: entry {i} is damaged: {e}"),
                format!("{f}：第 {i} 个条目已损坏：{e}"),
            )
        })?;
        let name = String::from_utf8(e.name_raw().to_vec()).map_err(|_| {
            refused(
                format!("{f}: an entry name is not UTF-8"),
                format!("{f}：有条目名称不是 UTF-8"),
            )
        })?;
        check_name(&name).map_err(|(en, zh)| refused(format!("{f}: {en}"), format!("{f}：{zh}")))?;
        let shown = crate::text::visible(&name).into_owned();
        if e.is_symlink() {
            return Err(refused(
                format!("{f}: entry `{shown}` is a symbolic link"),
                format!("{f}：条目 `{shown}` 是符号链接"),
            ));
        }
        if e.encrypted() {
            return Err(refused(
                format!("{f}: entry `{shown}` is encrypted"),
                format!("{f}：条目 `{shown}` 已加密"),
            ));
        }
        if !names.insert(name.clone()) {
            return Err(refused(
                format!("{f}: entry `{shown}` appears twice"),
                format!("{f}：条目 `{shown}` 重复出现"),
            ));
        }
        let (size, packed) = (e.size(), e.compressed_size().max(1));
        if size > 1 << 20 && size / packed > limits.max_ratio {
            let ratio = size / packed;
            return Err(refused(
                format!("{f}: entry `{shown}` expands {ratio}× (a zip bomb?)"),
                format!("{f}：条目 `{shown}` 解压后膨胀 {ratio} 倍（疑似压缩炸弹）"),
            ));
        }
        total = total.saturating_add(size);
        if total > limits.total_bytes {
            let lim = limits.total_bytes;
            return Err(refused(
                format!("{f}: more than {lim} bytes uncompressed"),
                format!("{f}：解压后超过 {lim} 字节"),
            ));
        }
    }
    Ok(names)
}

/// The manifest: a cscaudit bundle of this version, listing every entry.
fn read_manifest(zip: &mut Zip, names: &HashSet<String>, f: &str) -> Result<Manifest> {
    let manifest: Manifest = {
        let mut e = zip.by_name("manifest.json").map_err(|_| {
            refused(
                format!("{f} has no manifest.json: not a findings bundle"),
                format!("{f} 缺少 manifest.json：不是发现项数据包"),
            )
        })?;
        let size = e.size();
        let bytes = read_limited(&mut e, size, 16 << 20, "manifest.json")?;
        serde_json::from_slice(&bytes).map_err(|e| {
            let e = e.to_string();
            refused(
                format!("{f}: manifest.json cannot be read: {e}"),
                format!("{f}：manifest.json 无法解析：{e}"),
            )
        })?
    };
    if manifest.format != FORMAT {
        let got = crate::text::visible(&manifest.format).into_owned();
        return Err(refused(
            format!("{f}: format `{got}` is not a cscaudit findings bundle"),
            format!("{f}：格式 `{got}` 不是 cscaudit 发现项数据包"),
        ));
    }
    if manifest.version != VERSION {
        let got = manifest.version;
        return Err(refused(
            format!("{f}: bundle format version {got}; this cscaudit reads version {VERSION} (upgrade to import it)"),
            format!("{f}：数据包格式版本 {got}；本版本 cscaudit 只能读取版本 {VERSION}（请升级后导入）"),
        ));
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|e| e.path.as_str()).collect();
    for n in names {
        if n != "manifest.json" && !listed.contains(n.as_str()) && !n.ends_with('/') {
            let shown = crate::text::visible(n).into_owned();
            return Err(refused(
                format!("{f}: entry `{shown}` is not in the manifest"),
                format!("{f}：条目 `{shown}` 未列在清单中"),
            ));
        }
    }
    Ok(manifest)
}

/// Every listed file: present, its size and hash as listed; evidence
/// streamed into `staging_dir`, the small files kept: (small files, the
/// hashes of the evidence staged).
fn check_files(
    zip: &mut Zip,
    manifest: &Manifest,
    limits: &Limits,
    staging_dir: &Path,
    progress: super::Progress,
    f: &str,
) -> Result<(SmallFiles, Vec<String>)> {
    use super::Stage;
    let mut small: std::collections::HashMap<String, Vec<u8>> = Default::default();
    let mut staged: Vec<String> = Vec::new();
    let total: u64 = manifest.files.iter().fold(0u64, |t, e| t.saturating_add(e.size));
    let mut checked = 0u64;
    for entry in &manifest.files {
        if !progress(Stage::Checking, checked, total) {
            return Err(AppError::Cancelled);
        }
        let shown = crate::text::visible(&entry.path).into_owned();
        let mut e = zip.by_name(&entry.path).map_err(|_| {
            refused(
                format!("{f}: the manifest lists `{shown}`, which is not in the bundle"),
                format!("{f}：清单列出的 `{shown}` 不在数据包中"),
            )
        })?;
        if e.size() != entry.size {
            let (a, b) = (e.size(), entry.size);
            return Err(refused(
                format!("{f}: `{shown}` is {a} bytes; the manifest says {b}"),
                format!("{f}：`{shown}` 为 {a} 字节；清单写的是 {b}"),
            ));
        }
        // Every entry: as long as it declares, with the hash listed.
        let declared = e.size();
        let holds = |got: &str, size: u64| -> Result<()> {
            if size != declared {
                return Err(refused(
                    format!("{f}: `{shown}` declares {declared} bytes but holds {size}"),
                    format!("{f}：`{shown}` 声明 {declared} 字节，实际 {size} 字节"),
                ));
            }
            if got != entry.sha256 {
                return Err(refused(
                    format!("{f}: `{shown}` does not match its sha256 in the manifest (altered or damaged)"),
                    format!("{f}：`{shown}` 与清单中的 sha256 不符（被改动或已损坏）"),
                ));
            }
            Ok(())
        };
        if let Some(sha) = entry.path.strip_prefix("evidence/") {
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) || sha != entry.sha256 {
                return Err(refused(
                    format!("{f}: `{shown}` is not named by its sha256"),
                    format!("{f}：`{shown}` 未以其 sha256 命名"),
                ));
            }
            let mut limited = (&mut e).take(declared + 1);
            let base = checked;
            let stopped = std::sync::atomic::AtomicBool::new(false);
            let (got, size) = match crate::store::stream_into(staging_dir, &mut limited, &|n| {
                let go = progress(Stage::Checking, base + n, total);
                if !go {
                    stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                go
            }) {
                Err(_) if stopped.load(std::sync::atomic::Ordering::Relaxed) => return Err(AppError::Cancelled),
                r => r?,
            };
            holds(&got, size)?;
            staged.push(got);
        } else {
            // ops.jsonl and catalog.toml are kept (merged or loaded below).
            let keep = matches!(entry.path.as_str(), "ops.jsonl" | "signatures.jsonl" | "catalog.toml");
            let (got, size, bytes) = read_entry(&mut e, declared, limits.metadata_bytes, &entry.path, keep)?;
            holds(&got, size)?;
            if keep {
                small.insert(entry.path.clone(), bytes);
            }
        }
        checked += entry.size;
    }
    Ok((small, staged))
}

/// The operations of ops.jsonl, as many as the manifest says. The raw
/// bytes go once parsed (a large log is hundreds of megabytes).
fn read_ops(ops_bytes: Option<Vec<u8>>, manifest: &Manifest, f: &str) -> Result<Vec<Op>> {
    let ops_bytes = ops_bytes.ok_or_else(|| refused(format!("{f} has no ops.jsonl"), format!("{f} 缺少 ops.jsonl")))?;
    // The manifest's count is a claim: no more room than the lines could hold.
    let lines = ops_bytes.iter().filter(|b| **b == b'\n').count() + 1;
    let mut ops: Vec<Op> = Vec::with_capacity(manifest.ops.min(lines));
    for (i, line) in ops_bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let op: Op = serde_json::from_slice(line).map_err(|e| {
            let (n, e) = (i + 1, e.to_string());
            refused(
                format!("{f}: ops.jsonl line {n} is not an operation: {e}"),
                format!("{f}：ops.jsonl 第 {n} 行不是有效操作：{e}"),
            )
        })?;
        // Names (ids, fields) are checked per batch by the judge: one
        // batch with a control character in a name is refused, not the bundle.
        ops.push(op);
    }
    drop(ops_bytes);
    if ops.len() != manifest.ops {
        let (a, b) = (ops.len(), manifest.ops);
        return Err(refused(
            format!("{f}: ops.jsonl holds {a} operations; the manifest says {b}"),
            format!("{f}：ops.jsonl 含 {a} 项操作；清单写的是 {b}"),
        ));
    }
    Ok(ops)
}

/// The engagement the bundle is of, as held here (None: a new one); a
/// bundle of changes since a date needs it held.
fn target_engagement(app: &App, manifest: &Manifest, f: &str) -> Result<Option<crate::model::engagement::Engagement>> {
    let eng = manifest.engagement.as_str();
    // The name comes from the file: checked before it is printed anywhere.
    if crate::app::validate_actor(eng).is_err() {
        let shown = crate::text::visible(eng).into_owned();
        return Err(refused(
            format!("{f}: `{shown}` is not an engagement id cscaudit uses"),
            format!("{f}：`{shown}` 不是 cscaudit 使用的审核项目编号"),
        ));
    }
    let local = app.engagements()?.into_iter().find(|e| e.id == eng);
    if local.is_none()
        && let Some(since) = &manifest.since
    {
        let since = crate::text::visible(since).into_owned();
        return Err(refused(
            format!(
                "{f} holds only the changes to `{eng}` after {since}, and this database does not have `{eng}`: import a complete bundle of it first"
            ),
            format!("{f} 只含 `{eng}` 在 {since} 之后的更改，而本数据库没有 `{eng}`：请先导入它的完整数据包"),
        ));
    }
    Ok(local)
}

/// The signed batches of signatures.jsonl.
fn read_batches(bytes: Option<Vec<u8>>, f: &str) -> Result<Vec<crate::crypto::sign::SignedBatch>> {
    let mut batches = Vec::new();
    if let Some(bytes) = bytes {
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let b: crate::crypto::sign::SignedBatch = serde_json::from_slice(line).map_err(|e| {
                let (n, e) = (i + 1, e.to_string());
                refused(
                    format!("{f}: signatures.jsonl line {n} is not a signed batch: {e}"),
                    format!("{f}：signatures.jsonl 第 {n} 行不是有效的签名批次：{e}"),
                )
            })?;
            batches.push(b);
        }
    }
    // The programme's team and decisions come along with its engagement's
    // changes; judged after them (a decision needs its engagement held).
    Ok(batches)
}

/// The catalogue to remember: none when the engagement is held (it must
/// be the same one), the bundle's own for a new engagement.
fn bundle_catalog(
    app: &App,
    eng: &str,
    local: Option<&crate::model::engagement::Engagement>,
    manifest: &Manifest,
    small: &SmallFiles,
    ops: &[Op],
    f: &str,
) -> Result<Option<(String, crate::model::catalog::Catalog)>> {
    Ok(match local {
        Some(l) => {
            if l.catalog_id != manifest.catalog.id || l.catalog_version != manifest.catalog.version {
                let (a, b) = (
                    format!("{}@{}", l.catalog_id, l.catalog_version),
                    format!("{}@{}", manifest.catalog.id, manifest.catalog.version),
                );
                return Err(refused(
                    format!("{f}: the bundle uses catalogue {b}; this engagement uses {a}"),
                    format!("{f}：数据包使用指标目录 {b}；本审核项目使用 {a}"),
                ));
            }
            None
        }
        None => match small.get("catalog.toml") {
            Some(src) => {
                let src = String::from_utf8(src.clone()).map_err(|_| {
                    refused(
                        format!("{f}: catalog.toml is not UTF-8"),
                        format!("{f}：catalog.toml 不是 UTF-8"),
                    )
                })?;
                let cat = crate::config::parse_catalog(&src, "catalog.toml")?;
                if cat.id != manifest.catalog.id || cat.version != manifest.catalog.version {
                    return Err(refused(
                        format!("{f}: catalog.toml is not the catalogue the manifest names"),
                        format!("{f}：catalog.toml 与清单所列指标目录不符"),
                    ));
                }
                app.check_catalog_named(eng, ops, &src)?;
                Some((src, cat))
            }
            None => None,
        },
    })
}

/// Only files that an accepted record names come in (a refused batch's
/// evidence stays out with it); the rest go with the staging folder.
fn move_evidence(app: &App, eng: &str, staged: &[String], staging_dir: &Path) -> Result<usize> {
    let mut added = 0;
    // Only files that an accepted record names come in (a refused batch's
    // evidence stays out with it); the rest go with the staging folder.
    let named: HashSet<String> = app.evidence(eng)?.into_iter().map(|e| e.sha256).collect();
    for sha in staged {
        let from = staging_dir.join(&sha[..2]).join(sha);
        let to = app.evidence_path(sha);
        if to.exists() || !named.contains(sha) {
            continue;
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::rename(&from, &to).map_err(|source| AppError::Io {
            path: to.clone(),
            source,
        })?;
        added += 1;
    }
    Ok(added)
}

/// The checks every incoming set of operations passes, from a bundle or a
/// sync: each op is of engagement `eng`, by a member of its team, proven by
/// its author's key when the author has one (`App::verify_ops`). `f` names
/// the source in messages. Nothing is written.
pub(crate) fn check_ops(
    app: &App,
    f: &str,
    eng: &str,
    local: bool,
    ops: &[Op],
    batches: Vec<crate::crypto::sign::SignedBatch>,
) -> Result<crate::app::Verified> {
    let mut owned: BTreeSet<(Kind, String)> = BTreeSet::new();
    let mut members: BTreeSet<String> = BTreeSet::new();
    for op in ops {
        if let Change::Set { field, value } = &op.change
            && matches!(op.entity.kind, Kind::Finding | Kind::Action)
            && field == "engagement"
        {
            if value.text() != Some(eng) {
                let (id, other) = (op.entity.id.clone(), value.text().unwrap_or("").to_string());
                return Err(refused(
                    format!("{f}: {id} belongs to engagement `{other}`, not the bundle's `{eng}`"),
                    format!("{f}：{id} 属于审核项目 `{other}`，而非数据包的 `{eng}`"),
                ));
            }
            owned.insert((op.entity.kind, op.entity.id.clone()));
        }
        if op.entity.kind == Kind::Member
            && let Some(actor) = op.entity.id.strip_prefix(&format!("{eng}/"))
        {
            members.insert(actor.to_string());
        }
    }
    if local {
        for m in app.team(eng)? {
            members.insert(m.actor);
        }
    }
    for op in ops {
        let belongs = match engagement_of_id(&op.entity) {
            Some(e) => e == eng,
            None => {
                owned.contains(&(op.entity.kind, op.entity.id.clone()))
                    || match op.entity.kind {
                        Kind::Finding => app.finding(&op.entity.id).is_ok_and(|x| x.engagement == eng),
                        Kind::Action => app.action(&op.entity.id).is_ok_and(|x| x.engagement == eng),
                        _ => false,
                    }
            }
        };
        if !belongs {
            let id = crate::text::visible(&op.entity.to_string()).into_owned();
            return Err(refused(
                format!("{f}: an operation on {id} is not of engagement `{eng}`"),
                format!("{f}：对 {id} 的操作不属于审核项目 `{eng}`"),
            ));
        }
        if !members.contains(&op.id.actor) {
            let actor = crate::text::visible(&op.id.actor).into_owned();
            return Err(refused(
                format!("{f}: operations by `{actor}`, who is not on the team of `{eng}`"),
                format!("{f}：`{actor}` 的操作，但其不是 `{eng}` 审核组成员"),
            ));
        }
    }
    let verified: crate::app::Verified = app.verify_ops(eng, ops, batches).map_err(|e| match e {
        AppError::Invalid(m) => refused(
            format!("{f}: {}", m.get(crate::config::Lang::En)),
            format!("{f}：{}", m.get(crate::config::Lang::Zh)),
        ),
        other => other,
    })?;
    Ok(verified)
}
