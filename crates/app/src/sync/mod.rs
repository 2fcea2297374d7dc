//! Team sync through a git remote, git-bug's way: each auditor writes only
//! their own ref, `refs/cscaudit/<engagement>/<actor>`, whose commits add
//! files and never change one:
//!
//! - `ops-<actor>-<first>-<last>.jsonl`: operations of the engagement by
//!   `actor`, numbers `first..=last` (lines as in a bundle's `ops.jsonl`) —
//!   yours, and a teammate's you hold that the remote lacks (they are
//!   signed by their author, so anyone may relay them);
//! - `sigs-<actor>-<first>-<last>.jsonl`: the signed batches that prove them;
//! - `evidence-<sha256>`: evidence files not yet on the remote;
//! - `catalog.toml`: the engagement's catalogue.
//!
//! On a remote marked encrypted, each file is compressed (zlib) and sealed with age to the
//! engagement's team (every member's registered key) and named
//! `<name>.<tag>.age`, `tag` naming the set of keys: when the team changes,
//! your own operations are written again for the new team, so a newcomer can
//! read them. A file not sealed to your key is skipped and counted.
//!
//! `sync` = fetch every ref (the `git` program: the user's ssh config,
//! credential helpers and proxies apply), refuse a ref whose history was
//! rewritten, check every new operation exactly as a bundle's (team,
//! engagement, signatures), merge them with the idempotent merge, then
//! commit your new operations to your ref (gix) and push it — always a
//! fast-forward, since only you write it. Offline, the fetch fails and
//! nothing changes; a push that fails is retried by the next sync.

mod quick;
pub mod rebuild;
pub mod repo;
mod session;

use crate::app::{App, AppError, Remote, Result};
use crate::crypto::sign::SignedBatch;
use crate::model::ops::{Change, Kind, Op};
pub use quick::sync_unopened;
use repo::Repo;
use session::sync_with;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Where a remote's refs are fetched to in the local repository.
fn tracking(remote: &str) -> String {
    format!("refs/remotes/{remote}/")
}

fn own_ref(eng: &str, actor: &str) -> String {
    format!("refs/cscaudit/{eng}/{actor}")
}

/// Where your ref for an encrypted remote is built locally (its files are
/// that remote's ciphertext, so it is not shared with other remotes).
fn sealed_ref(remote: &str, eng: &str, actor: &str) -> String {
    format!("refs/cscaudit-sealed/{remote}/{eng}/{actor}")
}

/// `ops-….jsonl.0123456789ab.age` → `ops-….jsonl`; a plain name → None.
fn unsealed_name(file: &str) -> Option<&str> {
    let rest = file.strip_suffix(".age")?;
    let (name, tag) = rest.rsplit_once('.')?;
    (tag.len() == 12 && tag.bytes().all(|b| b.is_ascii_hexdigit())).then_some(name)
}

/// What one sync did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncReport {
    pub remote: String,
    /// Operations received from teammates' refs that were new here.
    pub applied: usize,
    pub received: usize,
    pub signed: usize,
    pub unsigned: usize,
    pub new_conflicts: usize,
    /// Engagements this copy joined (first sync of a teammate).
    pub joined: Vec<String>,
    pub evidence_added: usize,
    /// Operations pushed (yours and teammates' the remote lacked), and to how many refs.
    pub pushed: usize,
    pub pushed_refs: usize,
    /// Encrypted files on the remote not sealed to your key (skipped).
    pub not_for_you: usize,
    /// Plain files found on an encrypted remote (a teammate's copy does not
    /// encrypt: they were read, but the host has seen them).
    pub plaintext_on_encrypted: usize,
    /// Refs, batches and files refused (remote, ref, author, reason):
    /// nothing of them was applied; the rest was.
    pub refused: Vec<crate::message::Msg>,
    /// Stopped after the merge, while pushing: what was merged stays, and
    /// the next sync pushes what was not.
    pub push_cancelled: bool,
}

impl SyncReport {
    /// One status line (the TUI): what came, what went.
    pub fn short(&self, lang: crate::config::Lang) -> String {
        let (r, applied, conflicts, ev, pushed, skipped) = (
            &self.remote,
            self.applied,
            self.new_conflicts,
            self.evidence_added,
            self.pushed,
            self.not_for_you,
        );
        let mut m = crate::msg!(
            "synced with {r}: {applied} new from teammates, {conflicts} new conflicts, {ev} evidence files; {pushed} pushed",
            "已与 {r} 同步：同事新操作 {applied} 项，新冲突 {conflicts} 项，证据 {ev} 个；推送 {pushed} 项"
        );
        if !self.joined.is_empty() {
            let j = crate::text::visible(&self.joined.join(", ")).into_owned();
            let j = crate::msg!("; joined {j}", "；加入 {j}");
            m.push(j);
        }
        if skipped > 0 {
            let j = crate::msg!("; {skipped} files not for your key", "；{skipped} 个文件非加密给您");
            m.push(j);
        }
        if self.plaintext_on_encrypted > 0 {
            let j = crate::msg!(
                "; warning: plaintext on an encrypted remote",
                "；警告：加密远程仓库上有明文"
            );
            m.push(j);
        }
        if !self.refused.is_empty() {
            let n = self.refused.len();
            m.push(crate::msg!(
                "; {n} refused (see `cscaudit sync`)",
                "；拒绝 {n} 项（见 `cscaudit sync`）"
            ));
        }
        if self.push_cancelled {
            m.push(Self::push_cancelled_words());
        }
        m.get(lang).to_string()
    }

    fn push_cancelled_words() -> crate::message::Msg {
        crate::msg!(
            "; pushing was cancelled: the next sync pushes your changes",
            "；推送已取消：下次同步会推送您的更改"
        )
    }

    pub fn summary(&self, lang: crate::config::Lang) -> String {
        let SyncReport {
            remote: r,
            applied,
            received,
            signed,
            unsigned,
            new_conflicts,
            evidence_added,
            pushed,
            pushed_refs,
            ..
        } = self;
        let joined = crate::text::visible(&self.joined.join(", ")).into_owned();
        let mut m = crate::msg!(
            "synced with {r}: {applied} new operations from teammates ({received} received; {signed} signed and verified, {unsigned} unsigned), {new_conflicts} new conflicts, {evidence_added} evidence files; pushed {pushed} operations to {pushed_refs} refs",
            "已与 {r} 同步：收到同事的新操作 {applied} 项（共收到 {received} 项；签名已验证 {signed} 项，未签名 {unsigned} 项），新冲突 {new_conflicts} 项，证据文件 {evidence_added} 个；推送操作 {pushed} 项到 {pushed_refs} 个引用"
        );
        if !joined.is_empty() {
            let j = crate::msg!("; joined {joined}", "；加入了 {joined}");
            m.push(j);
        }
        let n = self.not_for_you;
        if n > 0 {
            let j = crate::msg!(
                "; {n} encrypted files are not encrypted to your key (written before you were on the team, or for another team): they were skipped",
                "；{n} 个加密文件不是加密给您的密钥（在您加入团队之前写入，或属于其他团队），已跳过"
            );
            m.push(j);
        }
        let n = self.plaintext_on_encrypted;
        if n > 0 {
            let j = crate::msg!(
                "; warning: {n} files on this encrypted remote are not encrypted (a teammate's copy does not mark the remote encrypted: `cscaudit remote add NAME URL --encrypt` there)",
                "；警告：该加密远程仓库上有 {n} 个文件未加密（某位同事的副本未将该远程仓库标记为加密：请在其副本上使用 `cscaudit remote add 名称 地址 --encrypt`）"
            );
            m.push(j);
        }
        if self.push_cancelled {
            m.push(Self::push_cancelled_words());
        }
        let mut text = m.get(lang).to_string();
        if !self.refused.is_empty() {
            let n = self.refused.len();
            text.push_str(&match lang {
                crate::config::Lang::Zh => format!("\n拒绝 {n} 项（其内容均未应用；其余已合并）："),
                _ => format!("\n{n} refused (nothing of them applied; the rest was merged):"),
            });
            for r in &self.refused {
                text.push_str("\n  ");
                text.push_str(r.get(lang));
            }
        }
        text
    }
}

fn refused(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

fn repo_err(what: &str, e: String) -> AppError {
    let e = crate::text::visible(&e).into_owned();
    refused(
        format!("the sync repository: {what}: {e}"),
        format!("同步仓库：{what}：{e}"),
    )
}

/// Run `git` on the local repository; stderr on failure.
fn git(repo: &Path, args: &[&str]) -> std::result::Result<String, String> {
    git_stoppable(repo, args, &|| false)
}

/// [`git`], killed when `stop` says so (a fetch from a slow remote can be
/// cancelled); stopped, it says "cancelled" as its error.
fn git_stoppable(repo: &Path, args: &[&str], stop: &dyn Fn() -> bool) -> std::result::Result<String, String> {
    let out = git_run(repo, args, stop)?;
    if out.ok { Ok(out.stdout) } else { Err(out.stderr) }
}

/// What a `git` run printed, and whether it succeeded.
struct GitOut {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// `git fetch`'s arguments: every ref of the remote `rname` at `url`,
/// forced into the tracking namespace so a rewritten ref can be seen (and
/// refused) rather than failing the fetch. A bundle is read whole (no
/// `--prune`: it holds every ref anyway).
fn fetch_args(rname: &str, url: &str, bundle: bool) -> Vec<String> {
    let mut args: Vec<String> = ["fetch", "--quiet", "--no-tags"].map(String::from).to_vec();
    if !bundle {
        args.push("--prune".into());
    }
    args.extend([
        "--".into(),
        url.to_string(),
        format!("+refs/cscaudit/*:{}*", tracking(rname)),
    ]);
    args
}

/// Run `git` on the local repository, killed when `stop` says so (then the
/// error is "cancelled"); `Err` only when git could not run or was stopped.
fn git_run(repo: &Path, args: &[&str], stop: &dyn Fn() -> bool) -> std::result::Result<GitOut, String> {
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("the `git` program could not run ({e}); install git"))?;
    // The pipes are read on their own threads: a full pipe would stall git.
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut out);
            }
            out
        })
    };
    let out = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let err = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    // Polled every millisecond for the first 50 (a fetch with nothing new
    // takes a few), then every 20.
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if stop() => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("cancelled".into());
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(
                if started.elapsed().as_millis() < 50 { 1 } else { 20 },
            )),
            Err(e) => return Err(e.to_string()),
        }
    };
    let (out, err) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    Ok(GitOut {
        ok: status.success(),
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).trim().to_string(),
    })
}

/// What `git push --porcelain` said of each ref, by remote ref: its flag
/// (` ` `+` `-` `*` `=` done or up to date, `!` not done) and summary
/// (`[remote rejected] (hook declined)`). Lines: `<flag>\t<src>:<dst>\t<summary>`.
fn push_results(porcelain: &str) -> BTreeMap<String, (char, String)> {
    let mut out = BTreeMap::new();
    for line in porcelain.lines() {
        let mut parts = line.split('\t');
        let (Some(flag), Some(spec)) = (parts.next(), parts.next()) else {
            continue;
        };
        let mut flag_chars = flag.chars();
        let (Some(f), None) = (flag_chars.next(), flag_chars.next()) else {
            continue;
        };
        let dst = spec.rsplit_once(':').map_or(spec, |(_, d)| d);
        out.insert(dst.to_string(), (f, parts.next().unwrap_or("").trim().to_string()));
    }
    out
}

/// `ops-li.min-00000000000000000001-00000000000000000042.jsonl` → ("li.min", 1, 42).
fn range_of<'a>(name: &'a str, prefix: &str) -> Option<(&'a str, u64, u64)> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(".jsonl")?;
    let mut parts = rest.rsplitn(3, '-');
    let b = parts.next()?.parse().ok()?;
    let a = parts.next()?.parse().ok()?;
    Some((parts.next()?, a, b))
}

/// Per actor, the operations known to be on a remote (read from it or pushed to it).
type Have = BTreeMap<String, crate::store::SeqSet>;

fn lines<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> std::result::Result<Vec<T>, String> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.push(serde_json::from_slice(line).map_err(|e| format!("{what} line {}: {e}", i + 1))?);
    }
    Ok(out)
}

/// What a remote holds for one engagement, read from its refs.
#[derive(Default)]
struct Incoming {
    ops: Vec<Op>,
    batches: Vec<SignedBatch>,
    catalog: Option<String>,
    /// Evidence blobs on the remote: sha → blob ids (plain or sealed).
    evidence: BTreeMap<String, Vec<(gix::ObjectId, bool)>>,
    /// Every file name on the remote's refs of the engagement.
    names: BTreeSet<String>,
    /// Remote refs read, with their tips (recorded once merged).
    tips: Vec<(String, gix::ObjectId)>,
    /// Ids of the operations read.
    ids: Vec<(String, u64)>,
}

/// The largest file read from a remote (an evidence file, an ops file):
/// its size is checked before any byte is read.
const MAX_BLOB: u64 = 512 << 20;

impl Incoming {
    fn absorb(&mut self, o: Incoming) {
        self.ops.extend(o.ops);
        self.batches.extend(o.batches);
        if self.catalog.is_none() {
            self.catalog = o.catalog;
        }
        for (k, v) in o.evidence {
            self.evidence.entry(k).or_default().extend(v);
        }
        self.names.extend(o.names);
        self.tips.extend(o.tips);
        self.ids.extend(o.ids);
    }
}

/// What is new in one remote ref, or why the ref is refused.
#[allow(clippy::too_many_arguments)]
fn read_ref(
    app: &App,
    repo: &Repo,
    opener: &crate::crypto::seal::Opener,
    remote: &Remote,
    rname: &str,
    eng: &str,
    actor: &str,
    tip: gix::ObjectId,
    report: &mut SyncReport,
) -> Result<Incoming> {
    let label = crate::text::visible(&format!("{rname}: {eng}/{actor}")).into_owned();
    let mark_key = format!("{rname}/{eng}/{actor}");
    let last = app
        .sync_state::<String>(&mark_key)?
        .and_then(|h| gix::ObjectId::from_hex(h.as_bytes()).ok());
    let bad_repo = |what: &str, e: String| {
        let e = crate::text::visible(&e).into_owned();
        refused(
            format!("{label}: cannot be read ({what}: {e}); skipped"),
            format!("{label}：无法读取（{what}：{e}）；已跳过"),
        )
    };
    if let Some(last) = last
        && last != tip
        && !repo.is_ancestor(last, tip).map_err(|e| bad_repo("history", e))?
    {
        return Err(refused(
            format!(
                "{label}: the history of this ref was rewritten (force-pushed): commit {last} is no longer in it. Its changes are refused; ask who rewrote it"
            ),
            format!("{label}：该引用的历史被改写（强制推送）：提交 {last} 已不在其中。其更改已拒绝；请询问改写者"),
        ));
    }
    let files = repo.files(tip).map_err(|e| bad_repo("read", e))?;
    let old: BTreeSet<String> = match last {
        Some(l) => repo.files(l).map_err(|e| bad_repo("read", e))?.into_keys().collect(),
        None => BTreeSet::new(),
    };
    let mut inc = Incoming::default();
    for (full_name, blob) in &files {
        inc.names.insert(full_name.clone());
        let (file, sealed) = match unsealed_name(full_name) {
            Some(n) => (n, true),
            None => (full_name.as_str(), false),
        };
        if !sealed && remote.encrypted {
            report.plaintext_on_encrypted += usize::from(!old.contains(full_name));
        }
        if let Some(sha) = file.strip_prefix("evidence-") {
            inc.evidence.entry(sha.to_string()).or_default().push((*blob, sealed));
            continue;
        }
        // A file name comes from the remote: shown inert.
        let shown = crate::text::visible(full_name).into_owned();
        let bad = |e: String| {
            let e = crate::text::visible(&e).into_owned();
            refused(
                format!("{label}: {shown} is damaged: {e}"),
                format!("{label}：{shown} 已损坏：{e}"),
            )
        };
        if file == "catalog.toml" {
            if inc.catalog.is_none() {
                let bytes = repo.blob_limited(*blob, 16 << 20).map_err(bad)?;
                if let Some(bytes) = unseal(opener, bytes, sealed, report).map_err(bad)? {
                    inc.catalog = String::from_utf8(bytes).ok();
                }
            }
            continue;
        }
        if old.contains(full_name) {
            continue;
        }
        if range_of(file, "ops-").is_none() && range_of(file, "sigs-").is_none() {
            continue;
        }
        let bytes = repo.blob_limited(*blob, MAX_BLOB).map_err(bad)?;
        let Some(bytes) = unseal(opener, bytes, sealed, report).map_err(bad)? else {
            continue;
        };
        if range_of(file, "ops-").is_some() {
            let ops: Vec<Op> = lines(&bytes, file).map_err(bad)?;
            inc.ids.extend(ops.iter().map(|o| (o.id.actor.clone(), o.id.seq)));
            inc.ops.extend(ops);
        } else {
            let b: Vec<SignedBatch> = lines(&bytes, file).map_err(bad)?;
            inc.batches.extend(b);
        }
    }
    inc.tips.push((mark_key, tip));
    Ok(inc)
}

/// Sync with the remote `name` (or the only one).
pub fn sync(app: &App, name: Option<&str>) -> Result<SyncReport> {
    sync_stoppable(app, name, &|| false)
}

/// [`sync`], stopping with [`AppError::Cancelled`] and nothing changed when
/// `stop` says so before the merge begins (the fetch is interrupted); once
/// the merge has begun it finishes, pushing included.
pub fn sync_stoppable(app: &App, name: Option<&str>, stop: &dyn Fn() -> bool) -> Result<SyncReport> {
    app.require_writable()?;
    app.require_identity()?;
    let remotes = app.remotes()?;
    let remote: Remote = match name {
        Some(n) => remotes
            .into_iter()
            .find(|r| r.name == n)
            .ok_or_else(|| AppError::NotFound {
                what: "remote",
                id: n.to_string(),
            })?,
        None => match remotes.len() {
            1 => remotes.into_iter().next().expect("one"),
            0 => {
                return Err(refused(
                    "no remote yet: `cscaudit remote add NAME URL` first".into(),
                    "尚无远程仓库：请先 `cscaudit remote add 名称 地址`".into(),
                ));
            }
            _ => {
                return Err(refused(
                    "there are several remotes: name one (`cscaudit sync NAME`)".into(),
                    "有多个远程仓库：请指定一个（`cscaudit sync 名称`）".into(),
                ));
            }
        },
    };
    sync_with(app, remote, name, None, stop)
}

/// The name a bundle file syncs under (its tracking refs and bookkeeping).
const BUNDLE: &str = "bundle";

/// Sync through a `git bundle` file (sneakernet): read the refs it holds
/// (when it exists), merge, then write it again holding every ref — yours
/// and the ones it brought — for the next teammate.
pub fn sync_bundle(app: &App, file: &Path) -> Result<SyncReport> {
    app.require_writable()?;
    app.require_identity()?;
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let remote = Remote {
        name: BUNDLE.into(),
        url: file.to_string_lossy().into_owned(),
        encrypted: false,
    };
    let mut r = sync_with(app, remote, None, Some(&file), &|| false)?;
    r.remote = crate::text::visible(&file.display().to_string()).into_owned();
    Ok(r)
}

/// The plain bytes of a file read from the remote: as they are, or opened
/// with your key; `None` when sealed to other keys (counted).
fn unseal(
    opener: &crate::crypto::seal::Opener,
    bytes: Vec<u8>,
    sealed: bool,
    report: &mut SyncReport,
) -> std::result::Result<Option<Vec<u8>>, String> {
    use crate::crypto::seal::OpenError;
    if !sealed {
        return Ok(Some(bytes));
    }
    match opener.open_compressed(&bytes, 4 << 30) {
        Ok(b) => Ok(Some(b)),
        Err(OpenError::NotForYou) => {
            report.not_for_you += 1;
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Write the bundle file: every ref it brought (as it brought them) and
/// yours, under their remote names; to a temporary name, then renamed.
fn write_bundle(app: &App, repo: &Repo, rname: &str, me: &str, file: &Path) -> Result<usize> {
    // Teammates' refs as the bundle had them, yours as they are now.
    let mut refs: BTreeMap<String, gix::ObjectId> = BTreeMap::new();
    for (full, tip) in repo.refs(&tracking(rname)).map_err(|e| repo_err("refs", e))? {
        let rel = &full[tracking(rname).len()..];
        refs.insert(format!("refs/cscaudit/{rel}"), tip);
    }
    for (full, tip) in repo.refs("refs/cscaudit/").map_err(|e| repo_err("refs", e))? {
        if full.ends_with(&format!("/{me}")) {
            refs.insert(full, tip);
        }
    }
    if refs.is_empty() {
        return Ok(0);
    }
    // `git bundle` names refs as the local repository does: set them there.
    for (name, tip) in &refs {
        repo.set_ref(name, *tip).map_err(|e| repo_err("refs", e))?;
    }
    let tmp = file.with_file_name(format!(
        ".{}.partial",
        file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    ));
    let shown = crate::text::visible(&file.display().to_string()).into_owned();
    let mut args: Vec<String> = vec!["bundle".into(), "create".into(), "--quiet".into()];
    args.push(tmp.to_string_lossy().into_owned());
    args.extend(refs.keys().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Err(e) = git(repo.path(), &args) {
        let _ = std::fs::remove_file(&tmp);
        let e = crate::text::visible(&e).into_owned();
        return Err(refused(
            format!("writing the bundle {shown} failed; your changes are saved here: {e}"),
            format!("写出数据包 {shown} 失败；您的更改已保存在本机：{e}"),
        ));
    }
    std::fs::rename(&tmp, file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    // What was written is what the bundle now holds.
    for (name, tip) in &refs {
        if let Some(rest) = name.strip_prefix("refs/cscaudit/") {
            let _ = repo.set_ref(&format!("{}{rest}", tracking(rname)), *tip);
            if rest.ends_with(&format!("/{me}")) {
                app.set_sync_state(&format!("{rname}/{rest}"), &tip.to_string())?;
            }
        }
    }
    Ok(refs.len())
}
