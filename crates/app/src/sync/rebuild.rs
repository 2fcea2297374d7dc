//! `cscaudit doctor --rebuild`: the sled database is a materialised view of
//! the signed operations log, so it can be made again from the log — what
//! the old database still holds (when it opens at all), every ref of the
//! local sync repository (your refs and each remote's as last fetched), and
//! optionally a remote fetched now. The new database is built in a folder
//! of its own, checked with `doctor`, and swapped in only when complete; the
//! old one is kept beside it.

use super::repo::Repo;
use super::{lines, range_of, unseal, unsealed_name};
use crate::app::{App, AppError, Result};
use crate::crypto::sign::SignedBatch;
use crate::model::ops::{Op, OpId};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Settings carried from the old database into the rebuilt one (the rest of
/// its meta — clock, counts, sequence numbers — is the log's and is rebuilt).
const CARRIED: &[&str] = &[
    "identity",
    "catalog/",
    "catalog-sha/",
    "remotes",
    "sync/",
    "counter/",
    "qa/",
    "pseudonym/",
    "nationalid/",
    "cnca/",
];

#[derive(Debug, Default)]
pub struct RebuildOptions {
    /// A git remote to fetch first (its refs join the local ones).
    pub from: Option<String>,
    /// The private key that opens encrypted sync files (default: the
    /// identity's, when the old database still names it).
    pub key: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct RebuildReport {
    /// Operations read from the old database.
    pub from_db: usize,
    /// Why the old database could not be read (it is gone, damaged, …).
    pub db_problem: Option<crate::message::Msg>,
    /// Your identity came over from the old database (else: set it again).
    pub identity_carried: bool,
    /// Operations read from the sync repository's refs.
    pub from_git: usize,
    /// Operations in the rebuilt database.
    pub ops: usize,
    /// What the old database had acknowledged (its `committed` record).
    pub acknowledged: u64,
    pub records: usize,
    pub engagements: usize,
    pub evidence_restored: usize,
    /// Encrypted files in the refs not sealed to the key.
    pub not_for_you: usize,
    /// Where the old database was moved.
    pub kept: Option<PathBuf>,
    /// Batches the signed history refuses (left out of the rebuilt database).
    pub refused: Vec<crate::message::Msg>,
}

fn refused(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

fn repo_err(e: String) -> AppError {
    super::repo_err("rebuild", e)
}

/// Rebuild the database in `dir` from its log.
pub fn rebuild(dir: &Path, opts: &RebuildOptions) -> Result<RebuildReport> {
    let mut report = RebuildReport {
        acknowledged: std::fs::read_to_string(dir.join("committed"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0),
        ..Default::default()
    };
    // 1. What the old database still holds. A database in use is not rebuilt.
    let mut ops: BTreeMap<OpId, Op> = BTreeMap::new();
    let mut batches: Vec<SignedBatch> = Vec::new();
    let mut carried = Vec::new();
    let mut key_path = opts.key.clone();
    match Store::open_for_rescue(dir) {
        Ok(Some(old)) => {
            let all = old.all_ops()?;
            report.from_db = all.len();
            for op in all {
                ops.insert(op.id.clone(), op);
            }
            for b in old.signed_batches() {
                batches.push(b?);
            }
            carried = old.meta_raw(CARRIED)?;
            report.identity_carried = carried.iter().any(|(k, _)| k.as_slice() == b"identity");
            if key_path.is_none() {
                key_path = old
                    .meta_get::<String>("identity/key")?
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from);
            }
        }
        Ok(None) => report.db_problem = Some(crate::msg!("there is none", "数据库不存在")),
        Err(crate::store::StoreError::Locked { path }) => {
            let p = crate::text::visible(&path.display().to_string()).into_owned();
            return Err(refused(
                format!("the database {p} is in use by another cscaudit (close it first); nothing was changed"),
                format!("数据库 {p} 正被另一个 cscaudit 使用（请先关闭）；未做任何更改"),
            ));
        }
        Err(e) => report.db_problem = Some(AppError::from(e).message()),
    }
    let opener = match &key_path {
        Some(k) => crate::crypto::seal::Opener::default().with_key_file(k).map_err(|e| {
            let e = crate::text::visible(&e).into_owned();
            refused(format!("the key: {e}"), format!("密钥：{e}"))
        })?,
        None => crate::crypto::seal::Opener::default(),
    };

    // 2. Every ref of the sync repository (after fetching `from`).
    let git_dir = dir.join("sync.git");
    let mut catalogs: BTreeSet<String> = BTreeSet::new();
    let mut evidence: BTreeMap<String, Vec<(gix::ObjectId, bool)>> = BTreeMap::new();
    let mut sync_report = super::SyncReport::default();
    if opts.from.is_some() || git_dir.join("HEAD").is_file() {
        let repo = Repo::open_or_init(&git_dir).map_err(repo_err)?;
        if let Some(url) = &opts.from {
            let spec = "+refs/cscaudit/*:refs/rebuild/*";
            super::git(repo.path(), &["fetch", "--quiet", "--no-tags", "--", url, spec]).map_err(|e| {
                let (u, e) = (
                    crate::text::visible(url).into_owned(),
                    crate::text::visible(&e).into_owned(),
                );
                refused(
                    format!("the remote {u} cannot be reached, so nothing was changed: {e}"),
                    format!("无法连接远程仓库 {u}，未做任何更改：{e}"),
                )
            })?;
        }
        let mut seen_blobs = BTreeSet::new();
        for (name, tip) in repo.refs("refs/").map_err(repo_err)? {
            for (full, blob) in repo.files(tip).map_err(repo_err)? {
                if !seen_blobs.insert(blob) {
                    continue;
                }
                let (file, sealed) = match unsealed_name(&full) {
                    Some(n) => (n.to_string(), true),
                    None => (full.clone(), false),
                };
                if let Some(sha) = file.strip_prefix("evidence-") {
                    evidence.entry(sha.to_string()).or_default().push((blob, sealed));
                    continue;
                }
                let is_ops = range_of(&file, "ops-").is_some();
                let is_sigs = range_of(&file, "sigs-").is_some();
                if !is_ops && !is_sigs && file != "catalog.toml" {
                    continue;
                }
                let bytes = repo.blob(blob).map_err(repo_err)?;
                let bad = |e: String| {
                    let (n, f, e) = (
                        crate::text::visible(&name).into_owned(),
                        crate::text::visible(&full).into_owned(),
                        crate::text::visible(&e).into_owned(),
                    );
                    refused(
                        format!("{n}: {f} is damaged ({e}); nothing was changed"),
                        format!("{n}：{f} 已损坏（{e}）；未做任何更改"),
                    )
                };
                let Some(bytes) = unseal(&opener, bytes, sealed, &mut sync_report).map_err(bad)? else {
                    continue;
                };
                if file == "catalog.toml" {
                    if let Ok(src) = String::from_utf8(bytes) {
                        catalogs.insert(src);
                    }
                } else if is_ops {
                    for op in lines::<Op>(&bytes, &file).map_err(bad)? {
                        if !ops.contains_key(&op.id) {
                            report.from_git += 1;
                            ops.insert(op.id.clone(), op);
                        }
                    }
                } else {
                    batches.extend(lines::<SignedBatch>(&bytes, &file).map_err(bad)?);
                }
            }
        }
        report.not_for_you = sync_report.not_for_you;
        if ops.is_empty() {
            return Err(nothing_to_rebuild_from(&report));
        }
        build(dir, &mut report, ops, batches, carried, catalogs, |app| {
            restore_evidence(app, &dir.join("blobs"), &repo, &opener, &evidence)
        })
    } else {
        if ops.is_empty() {
            return Err(nothing_to_rebuild_from(&report));
        }
        build(dir, &mut report, ops, batches, carried, catalogs, |_| Ok(0))
    }
    .map(|()| report)
}

fn nothing_to_rebuild_from(r: &RebuildReport) -> AppError {
    let why = r
        .db_problem
        .clone()
        .unwrap_or_else(|| crate::msg!("it is empty", "数据库为空"));
    let (en, zh) = (why.en, why.zh);
    refused(
        format!(
            "nothing to rebuild from: the database cannot be read ({en}) and no sync repository or remote holds operations. Import a teammate's bundle, or name a remote with --from URL. Nothing was changed"
        ),
        format!(
            "没有可用于重建的内容：数据库无法读取（{zh}），同步仓库或远程仓库中也没有操作。请导入同事的数据包，或用 --from 地址 指定远程仓库。未做任何更改"
        ),
    )
}

/// Evidence files the rebuilt database names and the evidence folder lacks.
fn restore_evidence(
    app: &App,
    blobs: &Path,
    repo: &Repo,
    opener: &crate::crypto::seal::Opener,
    evidence: &BTreeMap<String, Vec<(gix::ObjectId, bool)>>,
) -> Result<usize> {
    let mut n = 0;
    let mut ignored = super::SyncReport::default();
    for e in app.engagements()? {
        for ev in app.evidence(&e.id)? {
            if crate::store::blob_path_in(blobs, &ev.sha256).is_file() {
                continue;
            }
            for (blob, sealed) in evidence.get(&ev.sha256).into_iter().flatten() {
                let bytes = repo.blob(*blob).map_err(repo_err)?;
                if let Ok(Some(bytes)) = unseal(opener, bytes, *sealed, &mut ignored)
                    && app.put_evidence_blob(&ev.sha256, &bytes).is_ok()
                {
                    n += 1;
                    break;
                }
            }
        }
    }
    Ok(n)
}

/// Build the new database in `dir/.rebuild`, check it, swap it in.
fn build(
    dir: &Path,
    report: &mut RebuildReport,
    ops: BTreeMap<OpId, Op>,
    batches: Vec<SignedBatch>,
    carried: Vec<(Vec<u8>, Vec<u8>)>,
    catalogs: BTreeSet<String>,
    evidence: impl FnOnce(&App) -> Result<usize>,
) -> Result<()> {
    let work = dir.join(".rebuild");
    let _ = std::fs::remove_dir_all(&work);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AppError::Io { path, source }
    };
    std::fs::create_dir_all(&work).map_err(io(&work))?;
    let result = (|| -> Result<()> {
        let app = App::open(&work)?;
        app.carry_settings(&carried)?;
        for src in &catalogs {
            if let Ok(cat) = crate::config::parse_catalog(src, "catalog.toml") {
                app.remember_catalog(src, &cat)?;
            }
        }
        let all: Vec<Op> = ops.into_values().collect();
        // Each engagement's operations are checked as a bundle's would be
        // (team, signatures); whatever belongs to none goes in as it is.
        let mut by_eng: BTreeMap<String, Vec<Op>> = BTreeMap::new();
        let mut verified = Vec::new();
        let engagements: BTreeSet<String> = all
            .iter()
            .filter(|o| o.entity.kind == crate::model::ops::Kind::Engagement)
            .map(|o| o.entity.id.clone())
            .collect();
        for eng in &engagements {
            by_eng.insert(eng.clone(), crate::bundle::engagement_ops_of(&all, eng));
        }
        // Format-2 batches are judged as any teammate's would be (causal
        // past, genesis, keys, rules); history from before them is checked
        // the earlier way and merged first, since they build on it.
        let v2: Vec<SignedBatch> = batches.iter().filter(|b| b.v >= 2).cloned().collect();
        let in_v2 = |op: &Op| v2.iter().any(|b| b.actor == op.id.actor && b.covers(op.id.seq));
        for (eng, eng_ops) in &by_eng {
            let label = crate::text::visible(&format!("rebuild: {eng}")).into_owned();
            let old: Vec<Op> = eng_ops.iter().filter(|o| !in_v2(o)).cloned().collect();
            if !old.is_empty() {
                let v1: Vec<SignedBatch> = batches.iter().filter(|b| b.v < 2).cloned().collect();
                let v = crate::bundle::check_ops_for_sync(&app, &label, eng, false, &old, v1)?;
                verified.extend(v.batches);
            }
        }
        // Format-2 operations go with the scope their batch names (a
        // programme's decisions are on its engagements' records);
        // engagements first, programmes after (a decision needs its
        // engagement held).
        let mut by_scope: BTreeMap<String, Vec<Op>> = BTreeMap::new();
        for op in all.iter().filter(|o| in_v2(o)) {
            if let Some(b) = v2.iter().find(|b| b.actor == op.id.actor && b.covers(op.id.seq)) {
                by_scope.entry(b.engagement.clone()).or_default().push(op.clone());
            }
        }
        let is_programme = |scope: &str, ops: &[Op]| {
            ops.iter().any(|o| {
                o.entity.kind == crate::model::ops::Kind::Programme
                    && o.entity.id == scope
                    && o.change == crate::model::ops::Change::Create
            })
        };
        let mut judged_later: Vec<(String, Vec<Op>)> = by_scope.into_iter().collect();
        judged_later.sort_by_key(|(scope, ops)| is_programme(scope, ops));
        let mut seen = BTreeSet::new();
        verified.retain(|b| seen.insert((b.actor.clone(), b.first)));
        // Everything but the format-2 batches' operations: the older
        // history and what belongs to no engagement.
        let (later, first): (Vec<Op>, Vec<Op>) = all.into_iter().partition(|o| in_v2(o));
        drop(later);
        app.merge_signed(first, verified)?;
        for (eng, new) in judged_later {
            if new.is_empty() {
                continue;
            }
            let mine: Vec<SignedBatch> = v2.iter().filter(|b| b.engagement == eng).cloned().collect();
            let judged = app.judge_batches(&eng, new, mine)?;
            for r in &judged.refused {
                let (en, zh) = (r.line(crate::config::Lang::En), r.line(crate::config::Lang::Zh));
                report
                    .refused
                    .push(crate::message::Msg::new(format!("{eng}: {en}"), format!("{eng}：{zh}")));
            }
            app.apply_judged(judged)?;
        }
        report.engagements = engagements.len();
        report.evidence_restored = evidence(&app)?;
        let d = app.doctor(&mut |_, _| {})?;
        report.ops = d.ops;
        report.records = d.records;
        if !d.records_differing.is_empty() || !d.invalid.is_empty() || d.ops != d.ops_recorded {
            let (a, b) = (d.records_differing.len(), d.invalid.len());
            return Err(refused(
                format!(
                    "the rebuilt database does not check out ({a} records differ from their log, {b} signatures fail); the old one was left in place"
                ),
                format!("重建的数据库未通过检查（{a} 条记录与其日志不符，{b} 个签名验证失败）；原数据库保持不变"),
            ));
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&work);
        return Err(e);
    }
    // Swap: the old database (if any) is kept beside, renamed.
    let mut stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let base = stamp.clone();
    let mut n = 1;
    while dir.join(format!("db.before-rebuild-{stamp}")).exists()
        || dir.join(format!("committed.before-rebuild-{stamp}")).exists()
    {
        n += 1;
        stamp = format!("{base}-{n}");
    }
    let db = dir.join("db");
    if db.exists() {
        let kept = dir.join(format!("db.before-rebuild-{stamp}"));
        std::fs::rename(&db, &kept).map_err(io(&db))?;
        report.kept = Some(kept);
    }
    std::fs::rename(work.join("db"), &db).map_err(io(&db))?;
    let committed = dir.join("committed");
    if committed.exists() {
        let _ = std::fs::rename(&committed, dir.join(format!("committed.before-rebuild-{stamp}")));
    }
    std::fs::rename(work.join("committed"), &committed).map_err(io(&committed))?;
    // Evidence restored went to the work folder's evidence: move it over.
    let (from, to) = (work.join("blobs"), dir.join("blobs"));
    if let Ok(heads) = std::fs::read_dir(&from) {
        for head in heads.flatten() {
            let target = to.join(head.file_name());
            std::fs::create_dir_all(&target).map_err(io(&target))?;
            for f in std::fs::read_dir(head.path()).into_iter().flatten().flatten() {
                let t = target.join(f.file_name());
                if !t.exists() {
                    std::fs::rename(f.path(), &t).map_err(io(&t))?;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
