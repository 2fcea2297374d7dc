//! One sync, in its steps: fetch every ref, read what is new in each,
//! judge and merge it scope by scope (programmes first), then write your
//! new operations to your refs and push them. Each step is a method of
//! [`Session`], which carries what they share (the repository, the remote,
//! the key that opens sealed files, the report being written).

use super::repo::Repo;
use super::*;

/// What one sync shares between its steps.
struct Session<'a> {
    app: &'a App,
    remote: Remote,
    /// A `git bundle` file instead of a remote repository.
    bundle: Option<&'a Path>,
    stop: &'a dyn Fn() -> bool,
    repo: Repo,
    opener: crate::crypto::seal::Opener,
    me: String,
    /// The tracking refs as this sync read them (a quick sync's fetch
    /// beside this one may move them after).
    read_tips: Vec<(String, gix::ObjectId)>,
    /// The remote's URL as it may be shown (control characters made visible).
    shown_url: String,
    report: SyncReport,
}

/// Sync with `remote` (or through the bundle file `bundle`).
pub(super) fn sync_with(
    app: &App,
    remote: Remote,
    asked: Option<&str>,
    bundle: Option<&Path>,
    stop: &dyn Fn() -> bool,
) -> Result<SyncReport> {
    if stop() {
        return Err(AppError::Cancelled);
    }
    let dir = app
        .data_dir()
        .ok_or_else(|| refused("sync needs a data folder".into(), "同步需要数据文件夹".into()))?;
    let repo = Repo::open_or_init(&dir.join("sync.git")).map_err(|e| repo_err("open", e))?;
    let mut s = Session {
        app,
        shown_url: crate::text::visible(&remote.url).into_owned(),
        report: SyncReport {
            remote: remote.name.clone(),
            ..Default::default()
        },
        remote,
        bundle,
        stop,
        repo,
        opener: app.key_opener()?,
        me: app.identity().actor.clone(),
        read_tips: Vec::new(),
    };
    // 1. Fetch every ref.
    s.fetch()?;
    // 2. Read what is new in each ref.
    let by_eng = s.read_refs()?;
    // The files the remote holds, per engagement (used when pushing).
    let remote_names: BTreeMap<String, BTreeSet<String>> = by_eng
        .iter()
        .map(|(eng, inc)| (eng.clone(), inc.names.clone()))
        .collect();
    // Nothing changed so far: the last moment to stop.
    if stop() {
        return Err(AppError::Cancelled);
    }
    // 3. Judge every batch against its causal past; merge the accepted ones.
    s.merge_all(by_eng)?;
    // 4. Your new operations onto your refs, then one push.
    let to_push = s.write_own_refs(&remote_names)?;
    if s.report.push_cancelled {
        return Ok(s.report);
    }
    s.push(to_push)?;
    // Nothing refused, skipped or left to push: the next sync may answer
    // "nothing new" from the fetch alone while nobody opens the database.
    // Nor joined anything: a programme bound to an engagement joined now
    // is joined by the next sync, which must go the whole way.
    let r = &s.report;
    let clean = r.refused.is_empty()
        && r.joined.is_empty()
        && !r.push_cancelled
        && r.not_for_you == 0
        && r.plaintext_on_encrypted == 0;
    // (Anything else leaves none: this sync's first write removed it.)
    if bundle.is_none() && clean {
        quick::remember(app, dir, asked, &s.remote, s.repo.path(), &s.read_tips);
    }
    Ok(s.report)
}

impl Session<'_> {
    fn rname(&self) -> &str {
        &self.remote.name
    }

    /// Fetch every ref, forced into the tracking namespace so a rewritten
    /// ref can be seen (and refused) rather than failing the fetch.
    fn fetch(&self) -> Result<()> {
        let (rname, url, shown_url) = (self.rname(), &self.remote.url, &self.shown_url);
        // A bundle not written yet has nothing to read (this sync writes it);
        // a bundle is read whole (no --prune: it holds every ref anyway).
        if !self.bundle.is_none_or(Path::exists) {
            return Ok(());
        }
        let args = fetch_args(rname, url, self.bundle.is_some());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        git_stoppable(self.repo.path(), &args, self.stop).map_err(|e| {
            if (self.stop)() {
                return AppError::Cancelled;
            }
            let e = crate::text::visible(&e).into_owned();
            match self.bundle {
                Some(_) => refused(
                    format!("{shown_url} is not a readable git bundle, so nothing was changed: {e}"),
                    format!("{shown_url} 不是可读取的 git 数据包，未做任何更改：{e}"),
                ),
                None => refused(
                    format!("the remote {rname} ({shown_url}) cannot be reached, so nothing was changed: {e}"),
                    format!("无法连接远程仓库 {rname}（{shown_url}），未做任何更改：{e}"),
                ),
            }
        })?;
        Ok(())
    }

    /// What is new in each ref, by engagement. A ref that cannot be read
    /// (rewritten history, a damaged file, a name git or cscaudit cannot
    /// use) is refused and reported; the other refs go on.
    fn read_refs(&mut self) -> Result<BTreeMap<String, Incoming>> {
        let rname = self.rname().to_string();
        let mut by_eng: BTreeMap<String, Incoming> = BTreeMap::new();
        self.read_tips = self.repo.refs(&tracking(&rname)).map_err(|e| repo_err("refs", e))?;
        for (full, tip) in self.read_tips.clone() {
            let rel = full[tracking(&rname).len()..].to_string();
            let label = crate::text::visible(&format!("{rname}: {rel}")).into_owned();
            let Some((eng, actor)) = rel.split_once('/') else {
                continue;
            };
            if crate::app::validate_actor(eng).is_err() || crate::app::validate_actor(actor).is_err() {
                self.report.refused.push(crate::message::Msg::new(
                    format!("{label}: not an engagement/actor name cscaudit uses; skipped"),
                    format!("{label}：不是 cscaudit 使用的“审核项目/用户”名称；已跳过"),
                ));
                continue;
            }
            let read = read_ref(
                self.app,
                &self.repo,
                &self.opener,
                &self.remote,
                &rname,
                eng,
                actor,
                tip,
                &mut self.report,
            );
            match read {
                Ok(one) => by_eng.entry(eng.to_string()).or_default().absorb(one),
                Err(e) => self.report.refused.push(match e {
                    AppError::Invalid(m) | AppError::Rule(m) => m,
                    other => crate::message::Msg::same(other.to_string()),
                }),
            }
        }
        Ok(by_eng)
    }

    /// Judge and merge every scope read, programmes (their teams and
    /// decisions) first: a decision is judged against its programme's team.
    fn merge_all(&mut self, by_eng: BTreeMap<String, Incoming>) -> Result<()> {
        let app = self.app;
        let held_engagements = app.engagements()?;
        let mut local: BTreeSet<String> = held_engagements.iter().map(|e| e.id.clone()).collect();
        // A programme is joined when you are on its team, or when an
        // engagement held here is bound to it (by its genesis: a programme
        // that only shares the name is not).
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for e in &held_engagements {
            if let Some(g) = app.programme_bound(&e.id)? {
                wanted.insert(g);
            }
        }
        let mut programmes: BTreeSet<String> = BTreeSet::new();
        let mut bound_here: BTreeSet<String> = BTreeSet::new();
        for (scope, inc) in &by_eng {
            if inc
                .ops
                .iter()
                .any(|o| o.entity.kind == Kind::Programme && o.entity.id == *scope && o.change == Change::Create)
            {
                programmes.insert(scope.clone());
            }
            if inc
                .batches
                .iter()
                .any(|b| b.is_genesis() && b.engagement == *scope && wanted.contains(&b.id()))
            {
                bound_here.insert(scope.clone());
            }
        }
        for p in app.programmes()? {
            local.insert(p.id.clone());
            programmes.insert(p.id);
        }
        let mut by_eng: Vec<(String, Incoming)> = by_eng.into_iter().collect();
        by_eng.sort_by_key(|(scope, _)| !programmes.contains(scope));
        for (eng, inc) in by_eng {
            let is_programme = programmes.contains(&eng);
            let here = local.contains(&eng);
            if !here {
                // A first sync joins the engagements whose team you are on.
                let member = format!("{eng}/{}", self.me);
                let on_team = inc
                    .ops
                    .iter()
                    .any(|o| o.entity.kind == Kind::Member && o.entity.id == member && o.change == Change::Create);
                let named = is_programme && bound_here.contains(&eng);
                if !(on_team || named) {
                    continue;
                }
            }
            self.merge_scope(&eng, inc, here, is_programme)?;
        }
        Ok(())
    }

    /// Report a refusal about a scope (`label: reason`).
    fn refuse(&mut self, label: &str, en: &str, zh: &str) {
        self.report.refused.push(crate::message::Msg::new(
            format!("{label}: {en}"),
            format!("{label}：{zh}"),
        ));
    }

    /// Judge and merge one scope's operations; fetch the evidence it names;
    /// record what the remote holds.
    fn merge_scope(&mut self, eng: &str, inc: Incoming, here: bool, is_programme: bool) -> Result<()> {
        use crate::config::Lang;
        let app = self.app;
        let label = crate::text::visible(&format!("{}: {eng}", self.rname())).into_owned();
        let catalog = if here || is_programme {
            None
        } else {
            let Some(src) = inc.catalog.clone() else {
                self.refuse(
                    &label,
                    "no catalog.toml on the remote for a new engagement",
                    "远程仓库中没有该新审核项目的 catalog.toml",
                );
                return Ok(());
            };
            match crate::config::parse_catalog(&src, "catalog.toml") {
                Ok(cat) => Some((src, cat)),
                Err(e) => {
                    let e = e.to_string();
                    self.refuse(&label, &format!("catalog.toml: {e}"), &format!("catalog.toml：{e}"));
                    return Ok(());
                }
            }
        };
        let received = inc.ops.len();
        // A programme's batches that came in an engagement's ref (the
        // decisions on it) are judged after the engagement's own.
        let (own_ops, own_batches, carried) = crate::app::App::split_scopes(eng, inc.ops, inc.batches);
        let judged = app.judge_batches(eng, own_ops, own_batches)?;
        for r in &judged.refused {
            self.refuse(&label, &r.line(Lang::En), &r.line(Lang::Zh));
        }
        if !here && !judged.genesis {
            return Ok(());
        }
        if let Some((src, cat)) = &catalog {
            if let Err(e) = app.check_catalog_named(eng, &judged.ops, src) {
                let m = e.message();
                self.refuse(&label, &m.en, &m.zh);
                return Ok(());
            }
            app.remember_catalog(src, cat)?;
        }
        self.report.received += received;
        self.report.signed += judged.signed;
        self.report.unsigned += judged.unsigned;
        let accepted: BTreeSet<(String, u64)> = judged.ops.iter().map(|o| (o.id.actor.clone(), o.id.seq)).collect();
        let mut waiting = judged.refused.iter().any(|r| r.waiting);
        let merged = app.apply_judged(judged)?;
        self.report.applied += merged.applied;
        self.report.new_conflicts += merged.new_conflicts;
        if !carried.is_empty() {
            let extra = app.ingest_carried(eng, carried)?;
            self.report.applied += extra.merged.applied;
            self.report.new_conflicts += extra.merged.new_conflicts;
            self.report.signed += extra.signed;
            self.report.unsigned += extra.unsigned;
            waiting |= extra.refused.iter().any(|r| r.waiting);
            for r in &extra.refused {
                self.refuse(&label, &r.line(Lang::En), &r.line(Lang::Zh));
            }
        }
        if !here {
            self.report.joined.push(eng.to_string());
        }
        if !is_programme {
            self.fetch_evidence(eng, &inc.evidence)?;
        }
        // A batch waiting for what it follows is read again next time.
        if !waiting {
            for (key, tip) in &inc.tips {
                app.set_sync_state(key, &tip.to_string())?;
            }
        }
        self.record_have(eng, &inc.ids, &accepted)
    }

    /// Evidence the engagement names and this copy lacks: a blob that is
    /// damaged or too large is reported, the rest go on.
    fn fetch_evidence(&mut self, eng: &str, blobs: &BTreeMap<String, Vec<(gix::ObjectId, bool)>>) -> Result<()> {
        let app = self.app;
        let rname = self.rname().to_string();
        for ev in app.evidence(eng)? {
            if app.evidence_path(&ev.sha256).is_file() {
                continue;
            }
            let name = crate::text::visible(&ev.sha256).into_owned();
            for (blob, sealed) in blobs.get(&ev.sha256).into_iter().flatten() {
                let got = self
                    .repo
                    .blob_limited(*blob, MAX_BLOB)
                    .and_then(|bytes| unseal(&self.opener, bytes, *sealed, &mut self.report));
                let stored = match got {
                    Ok(None) => continue,
                    Ok(Some(bytes)) => app.put_evidence_blob(&ev.sha256, &bytes).map_err(|e| e.to_string()),
                    Err(e) => Err(crate::text::visible(&e).into_owned()),
                };
                match stored {
                    Ok(added) => {
                        self.report.evidence_added += usize::from(added);
                        break;
                    }
                    Err(e) => self.refuse(&rname, &format!("evidence {name}: {e}"), &format!("证据 {name}：{e}")),
                }
            }
        }
        Ok(())
    }

    /// What the remote holds of a scope: the operations accepted, and
    /// those already here.
    fn record_have(&self, eng: &str, ids: &[(String, u64)], accepted: &BTreeSet<(String, u64)>) -> Result<()> {
        let app = self.app;
        let have_key = format!("have/{}/{eng}", self.rname());
        let mut have: Have = app.sync_state(&have_key)?.unwrap_or_default();
        let mut held: BTreeMap<String, crate::store::SeqSet> = BTreeMap::new();
        for (actor, seq) in ids {
            if !held.contains_key(actor) {
                held.insert(actor.clone(), app.held_seqs(actor)?);
            }
            if accepted.contains(&(actor.clone(), *seq)) || held[actor].contains(*seq) {
                have.entry(actor.clone()).or_default().insert(*seq);
            }
        }
        app.set_sync_state(&have_key, &have)
    }

    /// Write your new operations (and the evidence and catalogue the remote
    /// lacks) to your ref of each scope you are on; the refs to push, as
    /// (local ref, the remote's name for it). Stopped while writing: what
    /// was merged stays (and is reported), and the operations not written
    /// to your ref yet go with the next sync.
    fn write_own_refs(&mut self, remote_names: &BTreeMap<String, BTreeSet<String>>) -> Result<Vec<(String, String)>> {
        let app = self.app;
        let me = self.me.clone();
        // Every operation held was in your refs after the last full pass
        // to this remote, and nothing came or went since: none is missing,
        // and the log is not read (a sync with nothing new stays as cheap
        // as the fetch). `have` only grows between passes, so what was
        // written then is still written.
        let written_key = format!("written/{}", self.rname());
        let held = app.held_digest()?;
        let unchanged = app.sync_state::<String>(&written_key)?.as_deref() == Some(held.as_str());
        let all = if unchanged { Vec::new() } else { app.all_ops()? };
        let mut to_push: Vec<(String, String)> = Vec::new();
        // Each engagement you are on, and each programme (its team and its
        // decisions) you are on.
        let mut scopes: Vec<(String, Option<crate::model::engagement::Engagement>)> = Vec::new();
        for eng in app.engagements()? {
            if app.member(&eng.id, &me).is_some() {
                scopes.push((eng.id.clone(), Some(eng)));
            }
        }
        for p in app.programmes()? {
            if app.member(&p.id, &me).is_some_and(|m| !m.has_left()) {
                scopes.push((p.id, None));
            }
        }
        for (scope, eng) in scopes {
            if (self.stop)() {
                self.report.push_cancelled = true;
                break;
            }
            let names = remote_names.get(&scope);
            let ops = (!unchanged).then_some(all.as_slice());
            match self.write_own_ref(ops, &scope, eng.as_ref(), names)? {
                Written::Push(local, remote_side) => to_push.push((local, remote_side)),
                Written::Nothing => {}
                Written::Stopped => {
                    self.report.push_cancelled = true;
                    break;
                }
            }
        }
        if !self.report.push_cancelled {
            app.set_sync_state(&written_key, &held)?;
        }
        Ok(to_push)
    }

    /// Your ref of one scope, brought up to date: see [`Self::write_own_refs`].
    /// `all` is the whole log, or `None` when nothing changed since every
    /// operation was last written (only a re-seal to a new team then
    /// needs it, and reads it).
    fn write_own_ref(
        &mut self,
        all: Option<&[Op]>,
        scope: &str,
        eng: Option<&crate::model::engagement::Engagement>,
        remote_names: Option<&BTreeSet<String>>,
    ) -> Result<Written> {
        let app = self.app;
        let (me, rname) = (self.me.clone(), self.rname().to_string());
        let remote_side = own_ref(scope, &me);
        let name = if self.remote.encrypted {
            sealed_ref(&rname, scope, &me)
        } else {
            remote_side.clone()
        };
        let have_key = format!("have/{rname}/{scope}");
        let mut have: Have = app.sync_state(&have_key)?.unwrap_or_default();
        // Encrypted: sealed to the team as it is now; when the team's keys
        // changed since your last push, your operations go again, sealed to
        // the new team.
        let mut resealed = false;
        let seal = if self.remote.encrypted {
            let to = crate::crypto::seal::To::Recipients(app.team_recipients(scope)?);
            let tag = to.tag();
            let tag_key = format!("sealed-to/{rname}/{scope}");
            if app.sync_state::<String>(&tag_key)?.is_some_and(|t| t != tag) {
                have.remove(&me);
                resealed = true;
            }
            app.set_sync_state(&tag_key, &tag)?;
            Some((to, tag))
        } else {
            None
        };
        let out_file = |plain: String, bytes: Vec<u8>| -> Result<(String, Vec<u8>)> {
            match &seal {
                None => Ok((plain, bytes)),
                Some((to, tag)) => {
                    let sealed =
                        crate::crypto::seal::seal_compressed(to, &bytes).map_err(|e| repo_err("encrypt", e))?;
                    Ok((format!("{plain}.{tag}.age"), sealed))
                }
            }
        };
        let out_name = |plain: &str| match &seal {
            None => plain.to_string(),
            Some((_, tag)) => format!("{plain}.{tag}.age"),
        };
        let remote_tip = self.catch_up(&name, scope)?;
        let tip = self.repo.tip(&name).map_err(|e| repo_err("refs", e))?;
        let files = match tip {
            Some(t) => self.repo.files(t).map_err(|e| repo_err("read", e))?,
            None => Default::default(),
        };
        let on_remote = |plain: &str| {
            let n = out_name(plain);
            remote_names.is_some_and(|s| s.contains(&n)) || files.contains_key(&n)
        };
        // Every operation of the engagement the remote lacks, by its author
        // (a teammate's that reached this copy by bundle travels on too).
        let mut missing: BTreeMap<String, Vec<Op>> = BTreeMap::new();
        let read;
        let all = match all {
            Some(all) => all,
            None if resealed => {
                read = app.all_ops()?;
                &read
            }
            None => &[],
        };
        for op in app.scope_ops(all, scope, eng.is_none())? {
            if !have.get(&op.id.actor).is_some_and(|s| s.contains(op.id.seq)) {
                missing.entry(op.id.actor.clone()).or_default().push(op);
            }
        }
        let mut new_files: Vec<(String, Vec<u8>)> = Vec::new();
        if !on_remote("catalog.toml")
            && let Some(eng) = eng
            && let Some(src) = app.catalog_source(eng)?
        {
            new_files.push(out_file("catalog.toml".into(), src.into_bytes())?);
        }
        let mut count = 0;
        for (actor, mut ops) in missing {
            if (self.stop)() {
                // Nothing of this scope is written: its bookkeeping stays.
                return Ok(Written::Stopped);
            }
            ops.sort_by_key(|o| o.id.seq);
            let (a, b) = (ops[0].id.seq, ops[ops.len() - 1].id.seq);
            let mut ops_bytes = Vec::new();
            for op in &ops {
                ops_bytes.extend(crate::model::canon::canonical_line(op));
                ops_bytes.push(b'\n');
            }
            let mut sig_bytes = Vec::new();
            for batch in app.batches_for(&ops)? {
                sig_bytes.extend(serde_json::to_vec(&batch).map_err(|e| repo_err("write", e.to_string()))?);
                sig_bytes.push(b'\n');
            }
            new_files.push(out_file(format!("ops-{actor}-{a:020}-{b:020}.jsonl"), ops_bytes)?);
            new_files.push(out_file(format!("sigs-{actor}-{a:020}-{b:020}.jsonl"), sig_bytes)?);
            let set = have.entry(actor).or_default();
            for op in &ops {
                set.insert(op.id.seq);
            }
            count += ops.len();
        }
        self.report.pushed += count;
        // Evidence files the remote does not have yet (in anyone's ref, or yours).
        let evidence = if eng.is_some() {
            app.evidence(scope)?
        } else {
            Vec::new()
        };
        for ev in evidence {
            let plain = format!("evidence-{}", ev.sha256);
            if !on_remote(&plain)
                && let Ok(bytes) = app.evidence_bytes(&ev.sha256)
            {
                new_files.push(out_file(plain, bytes)?);
            }
        }
        if !new_files.is_empty() {
            let msg = format!("{me}: {count} operations of {scope}");
            self.repo
                .append(&name, new_files, &msg, &me)
                .map_err(|e| repo_err("commit", e))?;
            // In your ref now: pushed by this sync, or by the next one if this push fails.
            app.set_sync_state(&have_key, &have)?;
        }
        let tip = self.repo.tip(&name).map_err(|e| repo_err("refs", e))?;
        Ok(if tip.is_some() && tip != remote_tip {
            Written::Push(name, remote_side)
        } else {
            Written::Nothing
        })
    }

    /// Your ref as the remote has it may be ahead (your other laptop): take
    /// it when it is; refuse when both went their own way. The remote's tip.
    fn catch_up(&self, name: &str, scope: &str) -> Result<Option<gix::ObjectId>> {
        let (repo, rname, me) = (&self.repo, self.rname(), &self.me);
        let remote_tip = repo
            .tip(&format!("{}{scope}/{me}", tracking(rname)))
            .map_err(|e| repo_err("refs", e))?;
        let local_tip = repo.tip(name).map_err(|e| repo_err("refs", e))?;
        match (local_tip, remote_tip) {
            (None, Some(r)) => repo.set_ref(name, r).map_err(|e| repo_err("refs", e))?,
            (Some(l), Some(r)) if l != r => {
                if repo.is_ancestor(l, r).map_err(|e| repo_err("history", e))? {
                    repo.set_ref(name, r).map_err(|e| repo_err("refs", e))?;
                } else if !repo.is_ancestor(r, l).map_err(|e| repo_err("history", e))? {
                    let e = crate::text::visible(scope).into_owned();
                    return Err(refused(
                        format!(
                            "your ref for {e} on {rname} has changes this copy's does not (written from another copy at the same time); nothing was pushed"
                        ),
                        format!("{rname} 上您在 {e} 的引用含有本机没有的更改（另一台设备同时写入）；未推送"),
                    ));
                }
            }
            _ => {}
        }
        Ok(remote_tip)
    }

    /// Push the refs written (or write the bundle file holding every ref).
    fn push(&mut self, to_push: Vec<(String, String)>) -> Result<()> {
        let app = self.app;
        let rname = self.rname().to_string();
        if let Some(file) = self.bundle {
            self.report.pushed_refs = write_bundle(app, &self.repo, &rname, &self.me, file)?;
            return Ok(());
        }
        if to_push.is_empty() {
            return Ok(());
        }
        let url = self.remote.url.clone();
        // --porcelain: which refs the server took and which it refused (a
        // server that enforces per-auditor refs refuses one, not all).
        let mut args: Vec<&str> = vec!["push", "--porcelain", "--", &url];
        let specs: Vec<String> = to_push.iter().map(|(l, r)| format!("{l}:{r}")).collect();
        args.extend(specs.iter().map(String::as_str));
        let pushed = git_run(self.repo.path(), &args, self.stop);
        if pushed.is_err() && (self.stop)() {
            self.report.push_cancelled = true;
            return Ok(());
        }
        let shown_url = &self.shown_url;
        let failed = |e: &str| {
            let e = crate::text::visible(e).into_owned();
            refused(
                format!(
                    "pushing to {rname} ({shown_url}) failed; your changes are saved here and the next sync pushes them: {e}"
                ),
                format!("推送到 {rname}（{shown_url}）失败；您的更改已保存在本机，下次同步时会推送：{e}"),
            )
        };
        let pushed = pushed.map_err(|e| failed(&e))?;
        let results = push_results(&pushed.stdout);
        // Refused by the server's rules (a hook, gitolite): said per ref.
        // Anything else not done (a rejected non-fast-forward, a remote
        // failure) fails the push as a whole, as before.
        let refused_by_server = |r: &str| {
            results
                .get(r)
                .is_some_and(|(f, why)| *f == '!' && why.starts_with("[remote rejected]"))
        };
        let done = |r: &str| {
            results
                .get(r)
                .is_some_and(|(f, _)| matches!(f, ' ' | '+' | '-' | '*' | '='))
        };
        if to_push.iter().any(|(_, r)| !done(r) && !refused_by_server(r)) {
            return Err(failed(&pushed.stderr));
        }
        let mut to_push = to_push;
        let refusals: Vec<(String, String)> = to_push
            .iter()
            .filter(|(_, r)| refused_by_server(r))
            .map(|(_, r)| (r.clone(), results[r].1.clone()))
            .collect();
        to_push.retain(|(_, r)| done(r));
        // The server's own words (gitolite: "W … DENIED by fallthru"), once per ref.
        let denied: Vec<String> = pushed
            .stderr
            .lines()
            .filter(|l| l.contains("DENIED"))
            .map(|l| l.trim_start_matches("remote: ").trim().to_string())
            .collect();
        for (r, reason) in &refusals {
            let said = denied
                .iter()
                .find(|l| l.contains(r.as_str()))
                .map(|l| format!(" ({})", crate::text::visible(l)))
                .unwrap_or_default();
            let (r, reason) = (crate::text::visible(r), crate::text::visible(reason));
            self.report.refused.push(crate::message::Msg::new(
                format!(
                    "{rname}: the server refused your ref {r}: {reason}{said}; it is kept here and pushed again next sync (is the server's configuration for this team installed? `cscaudit remote gitolite-conf`)"
                ),
                format!(
                    "{rname}：服务器拒绝了您的引用 {r}：{reason}{said}；已保存在本机，下次同步时再推送（服务器是否已安装该团队的配置？`cscaudit remote gitolite-conf`）"
                ),
            ));
        }
        self.report.pushed_refs = to_push.len();
        // What was pushed is what the remote now has.
        for (l, r) in &to_push {
            if let (Some(tip), Some(rest)) = (self.repo.tip(l).ok().flatten(), r.strip_prefix("refs/cscaudit/")) {
                let _ = self.repo.set_ref(&format!("{}{rest}", tracking(&rname)), tip);
                app.set_sync_state(&format!("{rname}/{rest}"), &tip.to_string())?;
            }
        }
        Ok(())
    }
}

/// What writing your ref of one scope came to.
enum Written {
    /// Your ref is ahead of the remote's: push (local ref, the remote's name).
    Push(String, String),
    Nothing,
    /// Stopped before anything of the scope was written.
    Stopped,
}
