//! The command-line interface: parses arguments, calls the app layer, prints.
//! One module per noun; shared output helpers in `output`.
//!
//! Length: the dispatch of every command and the shared context; each noun's
//! work is in its own module.

mod action;
pub mod args;
mod body;
mod bundle;
mod catalog;
mod complaints;
pub mod config;
mod debug;
mod demo;
mod engagement;
mod evidence;
mod finding;
mod metrics;
mod output;
mod plan;
mod programme;
mod progress;
mod pseudonym;
mod qa;
mod request;
mod sample;
mod secret;
mod sources;
mod status;
mod status_cache;
mod testcall;

use crate::app::{App, AppError, AssessmentInput};
use crate::config::{Lang, Paths, Settings};
use crate::message::Msg;
use args::*;
use output::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A failure shown to the user as one sentence.
#[derive(Debug)]
pub struct CliError(pub Msg);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.en)
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        CliError(e.message())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        // A closed pipe (`cscaudit status | head`) is not an error worth a sentence.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            same("")
        } else {
            same(e.to_string())
        }
    }
}

impl CliError {
    /// Nothing to say (the reader went away).
    pub fn is_silent(&self) -> bool {
        self.0.en.is_empty()
    }
    /// The message in the user's language.
    pub fn text(&self, lang: Lang) -> &str {
        self.0.get(lang)
    }
}

impl From<crate::model::ParseEnumError> for CliError {
    fn from(e: crate::model::ParseEnumError) -> Self {
        let (found, what, expected) = (
            &e.found,
            crate::model::engagement::human_name_zh(e.what),
            e.expected.join(", "),
        );
        CliError(Msg::new(
            e.to_string(),
            format!("`{found}` 不是有效的{what}（可选：{expected}）"),
        ))
    }
}

type Result<T> = std::result::Result<T, CliError>;

/// How long a command waits for another cscaudit process to let go of the
/// database before saying it is in use: `CSCAUDIT_LOCK_WAIT` seconds (0 to
/// 600; 0 does not wait), else 30.
fn open_wait() -> std::time::Duration {
    let secs = std::env::var("CSCAUDIT_LOCK_WAIT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(30, |s| s.min(600));
    std::time::Duration::from_secs(secs)
}

pub struct Context {
    pub paths: Paths,
    pub settings: Settings,
    pub lang: Lang,
    pub explicit_data_dir: bool,
    /// The global `-e`: bare finding and action references are looked for there first.
    pub engagement: Option<String>,
    /// What was wrong in config.toml (read once; the TUI shows the first).
    pub config_problems: Vec<crate::config::ConfigError>,
}

impl Context {
    pub fn new(cli: &Cli) -> Context {
        let paths = Paths::resolve(cli.data_dir.clone());
        let (settings, problems) = Settings::load(&paths);
        for e in &problems {
            let e = crate::text::visible(&e.to_string()).into_owned();
            eprintln!("warning: {e} (that setting keeps its default)");
        }
        let lang = cli
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(|| settings.lang());
        Context {
            paths,
            settings,
            lang,
            explicit_data_dir: cli.data_dir.is_some(),
            engagement: cli.engagement.clone(),
            config_problems: problems,
        }
    }

    /// Open the database, waiting while another cscaudit process holds it:
    /// a running TUI holds it only during its operations, but reading a
    /// large engagement's lists takes seconds (about 10 s at a million
    /// findings). After the first try the wait is said on stderr.
    pub fn open(&self, dir: &Path) -> Result<App> {
        let wait = open_wait();
        match self.open_now(dir) {
            Err(e) if e.is_locked() && !wait.is_zero() => {
                let secs = wait.as_secs();
                let notice = crate::msg!(
                    "waiting for another cscaudit process to let go of the database (up to {secs} s; Ctrl-C stops)…",
                    "正在等待另一个 cscaudit 进程释放数据库（最多 {secs} 秒；Ctrl-C 停止）…"
                );
                let _ = writeln!(std::io::stderr(), "{}", notice.get(self.lang));
                let mut app = App::open_waiting(dir, wait)?;
                app.set_secret_prompt(Some(std::sync::Arc::new(secret::ask_on_terminal)));
                app.policy = self.settings.policy.clone();
                app.body = crate::config::body::BodyConfig::load(&self.paths).unwrap_or_default();
                app.set_context(self.engagement.as_deref());
                Ok(app)
            }
            other => Ok(other?),
        }
    }

    /// [`Context::open`] without waiting for another process.
    pub fn open_now(&self, dir: &Path) -> std::result::Result<App, AppError> {
        let mut app = App::open(dir)?;
        app.set_secret_prompt(Some(std::sync::Arc::new(secret::ask_on_terminal)));
        app.policy = self.settings.policy.clone();
        // A bad body.toml is reported by the commands that use it.
        app.body = crate::config::body::BodyConfig::load(&self.paths).unwrap_or_default();
        app.set_context(self.engagement.as_deref());
        if let Some(m) = app.read_only_notice() {
            let _ = writeln!(
                std::io::stderr(),
                "{}{}",
                self.lang.pick("note: ", "注意："),
                m.get(self.lang)
            );
        }
        Ok(app)
    }
}

/// Run one parsed command line; returns the language errors are shown in
/// (config, then environment, read once) and the outcome (`Ok` is exit code 0).
pub fn run(cli: Cli) -> (Lang, Result<()>) {
    let ctx = Context::new(&cli);
    let lang = ctx.lang;
    (lang, run_in(cli, &ctx))
}

fn run_in(cli: Cli, ctx: &Context) -> Result<()> {
    let Some(cmd) = cli.command else {
        return no_command(ctx, cli.engagement.as_deref());
    };
    match cmd {
        Command::Demo(a) => demo::demo(ctx, a),
        Command::Portfolio { json } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let lines = app.portfolio()?;
            if json {
                print_json(&lines)?;
            } else {
                status::print_portfolio(&mut out(), &lines, ctx.lang)?;
            }
            Ok(())
        }
        Command::Status { engagement, json, all } => {
            use std::io::Write;
            // `status -e ID` and the global `cscaudit -e ID status` both choose it.
            let asked = engagement.as_deref().or(cli.engagement.as_deref());
            // Nothing changed since the last run: its output, without opening the database.
            let dir = &ctx.paths.data_dir;
            let parts = [
                format!("engagement {asked:?}"),
                format!("{:?}", ctx.lang),
                (if json { "json" } else { "text" }).to_string(),
                (if all { "all" } else { "screen" }).to_string(),
            ];
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let key = status_cache::key(dir, &ctx.settings.policy, &parts);
            if let Some(kept) = key.as_deref().and_then(|k| status_cache::get(dir, k)) {
                if json {
                    std::io::stdout().lock().write_all(&kept)?;
                } else {
                    out().write_all(&kept)?;
                }
                return Ok(());
            }
            let app = ctx.open(dir)?;
            let eng = app.resolve_engagement(asked)?;
            let mut buf: Vec<u8> = Vec::new();
            if json {
                let report = app.status_report(&eng)?;
                let s = serde_json::to_string_pretty(&report).map_err(|e| output::same(e.to_string()))?;
                writeln!(buf, "{}", crate::text::json_inert(&s))?;
                std::io::stdout().lock().write_all(&buf)?;
            } else {
                if all {
                    let report = app.status_report(&eng)?;
                    status::print_status(&mut buf, &report, None, ctx.lang)?;
                } else {
                    // One screen: the first lines of each list and how many more.
                    let (report, totals) = app.status_summary(&eng, status::SCREEN_LINES)?;
                    status::print_status(&mut buf, &report, Some(&totals), ctx.lang)?;
                }
                out().write_all(&buf)?;
            }
            // Kept only when the database did not change while it was read.
            if let Some(k) = key
                && status_cache::key(dir, &ctx.settings.policy, &parts).as_deref() == Some(k.as_str())
            {
                status_cache::put(dir, &k, &buf);
            }
            app.finish()?;
            Ok(())
        }
        Command::Engagement(c) => engagement::engagement(ctx, c),
        Command::Plan(c) => plan::plan(ctx, c),
        Command::Programme(c) => programme::programme(ctx, c),
        Command::Identity(c) => {
            let mut app = ctx.open(&ctx.paths.data_dir)?;
            match c {
                IdentityCmd::Set {
                    actor,
                    name,
                    initials,
                    certificate,
                    key,
                } => {
                    // Everything checked before anything is stored: a bad
                    // id, initials or key path changes nothing.
                    crate::app::validate_actor(&actor)?;
                    crate::app::validate_initials(&initials)?;
                    // The key named, or none: a new identity never signs
                    // with the previous one's key (said below).
                    app.set_identity_key(key.as_deref())?;
                    app.set_identity(&actor, &name, &initials)?;
                    if certificate.is_some() {
                        app.set_certificate(certificate.as_deref())?;
                    }
                }
                IdentityCmd::Key { path, .. } => {
                    app.set_identity_key(path.as_deref())?;
                }
                IdentityCmd::Show => {}
            }
            let i = app.identity();
            let cert = app.certificate().map(|c| format!(", {c}")).unwrap_or_default();
            if app.identity_is_set() {
                writeln!(out(), "{} ({}, {}{cert})", i.actor, i.name, i.initials)?;
                if let Some(s) = app.signing_key() {
                    let path = crate::text::visible(&s.path().display().to_string()).into_owned();
                    writeln!(
                        out(),
                        "{} {} ({path})",
                        ctx.lang.pick("signs with", "签名密钥"),
                        s.fingerprint()
                    )?;
                } else if let Some((path, why)) = app.signing_key_problem() {
                    let path = crate::text::visible(&path.display().to_string()).into_owned();
                    let why = crate::text::visible(&why).into_owned();
                    let line = crate::msg!(
                        "signing key {path} cannot be used: {why}",
                        "签名密钥 {path} 无法使用：{why}"
                    );
                    writeln!(out(), "{}", line.get(ctx.lang))?;
                } else {
                    writeln!(
                        out(),
                        "{}",
                        ctx.lang.pick(
                            "no signing key: your changes are unsigned (`cscaudit identity key ~/.ssh/id_ed25519`)",
                            "没有签名密钥：您的更改未签名（`cscaudit identity key ~/.ssh/id_ed25519`）"
                        )
                    )?;
                }
            } else {
                writeln!(
                    out(),
                    "{}",
                    ctx.lang.pick(
                        "no identity yet: set one with `cscaudit identity set ID --name NAME --initials XY`",
                        "尚未设置身份：请用 `cscaudit identity set 标识 --name 姓名 --initials XY` 设置"
                    )
                )?;
            }
            Ok(())
        }
        Command::Catalog(c) => catalog::catalog(ctx, c),
        Command::Assess(a) => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let eng = app.resolve_engagement(a.engagement.as_deref())?;
            let input = AssessmentInput {
                result: a.result.as_deref().map(str::parse).transpose()?,
                score: a.score,
                measured: a.measured,
                method: a.method,
                notes: a.notes,
                workflow: a.workflow.as_deref().map(str::parse).transpose()?,
            };
            let s = app.record_assessment(&eng.id, &a.indicator, input)?;
            writeln!(
                out(),
                "{} {}: {}{}",
                eng.id,
                s.indicator,
                s.result.label(ctx.lang.is_zh()),
                s.measured.map(|m| format!(", {m}")).unwrap_or_default()
            )?;
            Ok(())
        }
        Command::Assign {
            indicator,
            actor,
            engagement,
        } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = app.assign_indicator(&eng.id, &indicator, actor.as_deref())?;
            writeln!(out(), "{} → {}", s.indicator, s.assignee.as_deref().unwrap_or("-"))?;
            Ok(())
        }
        Command::Evidence(c) => evidence::evidence(ctx, c),
        Command::Finding(c) => finding::finding(ctx, c),
        Command::Action(c) => action::action(ctx, c),
        Command::History { reference, json } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let (entity, _) = app.history(&reference)?;
            let ops = app.entity_history_signed(&entity)?;
            if json {
                return status::print_history_json(&entity, &ops);
            }
            status::print_history(&mut out(), &entity, &ops, ctx.lang)?;
            Ok(())
        }
        Command::Undo => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let u = app.undo_last()?;
            writeln!(
                out(),
                "{} {} ({} {})",
                ctx.lang.pick("undone:", "已撤销："),
                u.records.join(", "),
                u.ops,
                ctx.lang.pick("compensating changes", "项补偿更改")
            )?;
            Ok(())
        }
        Command::Export {
            out,
            engagement,
            no_evidence,
            since,
            encrypt,
            recipient,
            passphrase,
        } => bundle::export(
            ctx,
            &out,
            engagement.as_deref(),
            no_evidence,
            since,
            bundle::Seal {
                encrypt: encrypt || passphrase || !recipient.is_empty(),
                recipients: recipient,
                passphrase,
            },
        ),
        Command::Import { bundle: file } => bundle::import(ctx, &file),
        Command::Conflicts { json } => bundle::conflicts(ctx, json),
        Command::Doctor { compact: true, .. } => compact(ctx),
        Command::Doctor { rebuild: false, .. } => doctor(ctx),
        Command::Doctor { from, key, .. } => rebuild(ctx, from, key),
        Command::Remote(c) => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            match c {
                args::RemoteCmd::Add { name, url, encrypt } => {
                    let r = app.add_remote(&name, &url, encrypt)?;
                    writeln!(out(), "{}", remote_line(&r, ctx.lang))?;
                }
                args::RemoteCmd::List { json: true } => {
                    #[derive(serde::Serialize)]
                    struct Out {
                        name: String,
                        url: String,
                        encrypted: bool,
                    }
                    let all: Vec<Out> = app
                        .remotes()?
                        .into_iter()
                        .map(|r| Out {
                            name: r.name,
                            url: r.url,
                            encrypted: r.encrypted,
                        })
                        .collect();
                    print_json(&all)?;
                }
                args::RemoteCmd::List { json: false } => {
                    for r in app.remotes()? {
                        writeln!(out(), "{}", remote_line(&r, ctx.lang))?;
                    }
                }
                args::RemoteCmd::Remove { name } => {
                    app.remove_remote(&name)?;
                    writeln!(out(), "{} {name}", ctx.lang.pick("removed", "已删除"))?;
                }
                args::RemoteCmd::GitoliteConf {
                    engagement,
                    repo,
                    keydir,
                } => {
                    let eng = app.resolve_engagement(engagement.as_deref())?;
                    let g = app.gitolite_conf(&eng.id, &repo)?;
                    if let Some(dir) = keydir {
                        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
                            path: dir.clone(),
                            source,
                        })?;
                        // A key already there for that name must be the same key:
                        // keydir names are the server's users (its admin among them).
                        let same = |a: &str, b: &str| a.split_whitespace().take(2).eq(b.split_whitespace().take(2));
                        for (file, key) in &g.keys {
                            let path = dir.join(file);
                            if let Ok(held) = std::fs::read_to_string(&path)
                                && !same(&held, key)
                            {
                                let shown = crate::text::visible(&path.display().to_string()).into_owned();
                                return Err(AppError::Invalid(crate::msg!(
                                    "{shown} holds another key: that user name is taken on the server; nothing was written",
                                    "{shown} 中是另一把密钥：该用户名在服务器上已被占用；未写入任何文件"
                                ))
                                .into());
                            }
                        }
                        for (file, key) in &g.keys {
                            let path = dir.join(file);
                            std::fs::write(&path, key).map_err(|source| AppError::Io {
                                path: path.clone(),
                                source,
                            })?;
                            let shown = crate::text::visible(&path.display().to_string()).into_owned();
                            eprintln!("{} {shown}", ctx.lang.pick("wrote", "已写出"));
                        }
                    }
                    write!(out(), "{}", g.conf)?;
                }
            }
            Ok(())
        }
        Command::Sync { name, bundle } => {
            // Nothing new either way: said after the fetch, without opening the database.
            if bundle.is_none()
                && let Some(r) = crate::sync::sync_unopened(&ctx.paths.data_dir, name.as_deref())
            {
                writeln!(out(), "{}", r.summary(ctx.lang))?;
                return Ok(());
            }
            let app = ctx.open(&ctx.paths.data_dir)?;
            let r = match bundle {
                Some(file) => crate::sync::sync_bundle(&app, &file)?,
                None => crate::sync::sync(&app, name.as_deref())?,
            };
            writeln!(out(), "{}", r.summary(ctx.lang))?;
            Ok(())
        }
        Command::Resolve { reference, field, keep } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let c = app.resolve_conflict(&reference, &field, keep)?;
            let kept = match keep {
                crate::app::Keep::Current => &c.winner_value,
                crate::app::Keep::Other => &c.loser_value,
            };
            writeln!(
                out(),
                "{} {}: {} {}",
                ctx.lang.pick("settled", "已处理"),
                c.entity,
                c.field,
                crate::text::visible(&kept.to_string())
            )?;
            Ok(())
        }
        Command::Report {
            body: Some(which @ (args::BodyReport::Certificate | args::BodyReport::Nonconformity)),
            out,
            engagement,
            finding,
            ..
        } => body::document(ctx, which, engagement.as_deref(), finding.as_deref(), &out),
        Command::Report {
            body: Some(args::BodyReport::Cnca),
            out,
            month,
            all,
            json,
            ..
        } => body::cnca(ctx, month.as_deref().unwrap_or_default(), &out, all, json),
        Command::Report {
            format: Some(format),
            out,
            engagement,
            ..
        } => bundle::report(ctx, format, &out, engagement.as_deref()),
        Command::Report { format: None, .. } => Err(same("--format is required")),
        Command::Metrics(a) => metrics::metrics(ctx, a),
        Command::Sample(c) => sample::sample(ctx, c),
        Command::Qa(c) => qa::qa(ctx, c),
        Command::Pseudonym(c) => pseudonym::pseudonym(ctx, c),
        Command::Testcall(c) => testcall::testcall(ctx, c),
        Command::AuditPlan(c) => body::audit_plan(ctx, c),
        Command::Interest(c) => body::interest(ctx, c),
        Command::Request(c) => request::request(ctx, c),
        Command::Digest { me, since, ahead, json } => request::digest(ctx, me, since, ahead, json),
        Command::Attendance(c) => body::attendance(ctx, c),
        Command::Index {
            sqlite,
            postgres,
            rebuild,
            json,
        } => index(ctx, sqlite, postgres, rebuild, json),
        Command::Auditor(c) => body::auditor(ctx, c),
        Command::Config(ConfigCmd::Check) => config::config_check(ctx),
        Command::Config(ConfigCmd::Schema { out }) => config::write_schemas(ctx, &out),
        Command::Debug(c) => debug::debug(ctx, c),
    }
}

/// The TUI on an open database (`demo` has just made it).
pub(super) fn open_tui(ctx: &Context, app: App, dir: &Path, engagement: Option<&str>) -> Result<()> {
    let screen =
        crate::tui::Screen::enter(&ctx.settings, &ctx.config_problems, &ctx.paths, dir, ctx.lang).map_err(same)?;
    crate::tui::run(screen, app, &ctx.settings, ctx.lang, engagement).map_err(same)
}

fn no_command(ctx: &Context, engagement: Option<&str>) -> Result<()> {
    if interactive() {
        // The first frame before the database is opened; a database that
        // does not open leaves the screen before its error is printed.
        let dir = &ctx.paths.data_dir;
        let mut screen =
            crate::tui::Screen::enter(&ctx.settings, &ctx.config_problems, &ctx.paths, dir, ctx.lang).map_err(same)?;
        // While another process holds the database the frame says so, and
        // q, Esc or Ctrl-C gives up (the terminal is raw: no SIGINT).
        let (start, wait) = (std::time::Instant::now(), open_wait());
        let mut said = false;
        let app = loop {
            match ctx.open_now(dir) {
                Err(e) if e.is_locked() && start.elapsed() < wait => {
                    if !said {
                        screen.waiting_for_database();
                        said = true;
                    }
                    if screen.stop_asked(std::time::Duration::from_millis(50)) {
                        // Said as the database being in use, once the screen is left.
                        return Err(e.into());
                    }
                }
                other => break other?,
            }
        };
        return crate::tui::run(screen, app, &ctx.settings, ctx.lang, engagement).map_err(same);
    }
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let engagements = app.engagements()?;
    if engagements.is_empty() {
        writeln!(
            o,
            "{}",
            ctx.lang.pick(
                "Welcome to cscaudit. There is no engagement in this database yet.\n\n  cscaudit demo                     open a demo engagement (kept in its own folder)\n  cscaudit engagement create --auditee NAME --kind stage-2\n                                    start a real one\n  cscaudit --help                   everything else",
                "欢迎使用 cscaudit。当前数据库中还没有审核项目。\n\n  cscaudit demo                     打开示例项目（保存在单独的文件夹）\n  cscaudit engagement create --auditee 名称 --kind stage-2\n                                    新建审核项目\n  cscaudit --help                   全部命令"
            )
        )?;
        return Ok(());
    }
    let eng = app.resolve_engagement(None)?;
    let (report, totals) = app.status_summary(&eng, status::SCREEN_LINES)?;
    status::print_status(&mut o, &report, Some(&totals), ctx.lang)?;
    Ok(())
}

/// `cscaudit doctor`: the report, and exit 1 when anything is wrong.
fn doctor(ctx: &Context) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let r = app.doctor(&mut |_, _| {})?;
    let lang = ctx.lang;
    let mut o = out();
    let (ops, recorded, records) = (r.ops, r.ops_recorded, r.records);
    let line = if ops == recorded {
        crate::msg!("operations: {ops}, as recorded", "操作：{ops} 项，与记录相符")
    } else {
        crate::msg!(
            "operations: {ops} held, but {recorded} recorded",
            "操作：持有 {ops} 项，但记录为 {recorded} 项"
        )
    };
    writeln!(o, "{}", line.get(lang))?;
    let bad = r.records_differing.len();
    let line = crate::msg!(
        "records: {records}, {bad} differing from the fold of their changes",
        "记录：{records} 条，其中 {bad} 条与其更改的折叠结果不符"
    );
    writeln!(o, "{}", line.get(lang))?;
    for e in r.records_differing.iter().take(20) {
        writeln!(o, "  {}", crate::text::visible(&e.to_string()))?;
    }
    let (signed, unsigned, invalid) = (r.signed, r.unsigned, r.invalid.len());
    let line = crate::msg!(
        "signatures: {signed} changes signed and verified, {unsigned} unsigned, {invalid} not verifying",
        "签名：{signed} 项更改签名已验证，{unsigned} 项未签名，{invalid} 项验证失败"
    );
    writeln!(o, "{}", line.get(lang))?;
    for (id, why) in r.invalid.iter().take(20) {
        writeln!(
            o,
            "  {}: {}",
            crate::text::visible(&id.to_string()),
            crate::text::visible(why)
        )?;
    }
    let (files, bad) = (r.evidence, r.evidence_bad.len());
    let line = crate::msg!(
        "evidence: {files} files, {bad} missing or altered",
        "证据：{files} 个文件，{bad} 个缺失或被改动"
    );
    writeln!(o, "{}", line.get(lang))?;
    for (sha, p) in r.evidence_bad.iter().take(20) {
        writeln!(o, "  {} {}", crate::text::visible(sha), p.label(lang.is_zh()))?;
    }
    let bad = r.counts_differing.len();
    let line = crate::msg!(
        "counters: {bad} differing from a count of the records",
        "计数器：{bad} 个与记录的实际计数不符"
    );
    writeln!(o, "{}", line.get(lang))?;
    for (name, stored, counted) in r.counts_differing.iter().take(20) {
        writeln!(o, "  {}: {stored} / {counted}", crate::text::visible(name))?;
    }
    let mb = app.size_on_disk()? as f64 / 1048576.0;
    let line = crate::msg!(
        "database files: {mb:.1} MB (`cscaudit doctor --compact` writes them again without the free space they hold)",
        "数据库文件：{mb:.1} MB（`cscaudit doctor --compact` 可去除其中的空闲空间重新写入）"
    );
    writeln!(o, "{}", line.get(lang))?;
    if r.healthy() {
        Ok(())
    } else {
        Err(CliError(crate::msg!(
            "problems found (listed above); nothing was changed",
            "发现问题（见上）；未做任何更改"
        )))
    }
}

/// `origin /srv/audit.git (encrypted)`.
fn remote_line(r: &crate::app::Remote, lang: crate::config::Lang) -> String {
    let sealed = if r.encrypted {
        lang.pick(" (encrypted)", "（加密）")
    } else {
        ""
    };
    format!("{} {}{sealed}", r.name, crate::text::visible(&r.url))
}

/// `index`: the head-office tables, with a spinner on a terminal.
fn index(ctx: &Context, sqlite: Option<PathBuf>, postgres: Option<String>, rebuild: bool, json: bool) -> Result<()> {
    let lang = ctx.lang;
    let app = ctx.open(&ctx.paths.data_dir)?;
    let (target, shown) = match (sqlite, postgres) {
        (_, Some(url)) => (
            crate::index::Target::Postgres(url),
            // A URL may hold a password: not echoed.
            "PostgreSQL".to_string(),
        ),
        (Some(f), None) => {
            let shown = crate::text::visible(&f.display().to_string()).into_owned();
            (crate::index::Target::Sqlite(f), shown)
        }
        (None, None) => {
            let f = ctx.paths.data_dir.join("index.sqlite");
            let shown = crate::text::visible(&f.display().to_string()).into_owned();
            (crate::index::Target::Sqlite(f), shown)
        }
    };
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    // The pass over the records is one step: the spinner turns by itself.
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let r = crate::index::index(&app, &target, rebuild, &|step| {
        bar.set_message(step.words().get(lang).to_string());
        bar.tick();
    });
    bar.finish_and_clear();
    let r = r?;
    if json {
        return print_json(&r);
    }
    let (new, verified, unsigned) = (r.batches_new, r.verified, r.unsigned);
    let (secs, rate) = (r.seconds, r.batches_per_second());
    let rows: Vec<String> = r.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let rows = if rows.is_empty() {
        "-".to_string()
    } else {
        rows.join(", ")
    };
    let deleted = r.deleted;
    let line = crate::msg!(
        "indexed {new} new batches into {shown} ({verified} verified, {unsigned} unsigned) in {secs:.2} s ({rate:.0} batches/s); rows written: {rows}; deleted: {deleted}",
        "已将 {new} 个新批次写入索引 {shown}（已核验签名 {verified}，未签名 {unsigned}），用时 {secs:.2} 秒（每秒 {rate:.0} 批）；写入行：{rows}；删除：{deleted}"
    );
    writeln!(out(), "{}", line.get(lang))?;
    Ok(())
}

/// `doctor --compact`, with a spinner on a terminal and Ctrl-C that stops
/// it with nothing changed.
fn compact(ctx: &Context) -> Result<()> {
    let lang = ctx.lang;
    let app = ctx.open(&ctx.paths.data_dir)?;
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone());
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    let r = app.compact(&mut |keys, bytes| {
        let mb = bytes as f64 / 1048576.0;
        bar.set_message(
            crate::msg!("copying: {keys} keys, {mb:.0} MB", "正在复制：{keys} 个键，{mb:.0} MB")
                .get(lang)
                .to_string(),
        );
        bar.tick();
        !interrupted.load(std::sync::atomic::Ordering::Relaxed)
    });
    bar.finish_and_clear();
    let r = r?;
    let (before, after) = (r.before as f64 / 1048576.0, r.after as f64 / 1048576.0);
    let (keys, trees) = (r.keys, r.trees);
    let line = crate::msg!(
        "compacted: {before:.1} MB → {after:.1} MB ({keys} keys in {trees} trees, copied and compared key by key)",
        "已压缩：{before:.1} MB → {after:.1} MB（{trees} 棵树中的 {keys} 个键，已复制并逐键核对）"
    );
    writeln!(out(), "{}", line.get(lang))?;
    Ok(())
}

fn rebuild(ctx: &Context, from: Option<String>, key: Option<PathBuf>) -> Result<()> {
    let lang = ctx.lang;
    let opts = crate::sync::rebuild::RebuildOptions { from, key };
    let r = crate::sync::rebuild::rebuild(&ctx.paths.data_dir, &opts)?;
    let mut o = out();
    let (ops, db, git, records, engs, ev) = (
        r.ops,
        r.from_db,
        r.from_git,
        r.records,
        r.engagements,
        r.evidence_restored,
    );
    let line = crate::msg!(
        "rebuilt from the log: {ops} operations ({db} from the old database, {git} more from the sync repository), {records} records in {engs} engagements, {ev} evidence files restored; checked: every record is the fold of its log, every signature verifies",
        "已从日志重建：{ops} 项操作（旧数据库 {db} 项，同步仓库另有 {git} 项），{engs} 个审核项目中的 {records} 条记录，恢复证据文件 {ev} 个；已检查：每条记录与其日志的折叠一致，每个签名均已验证"
    );
    writeln!(o, "{}", line.get(lang))?;
    if let Some(why) = &r.db_problem {
        let (en, zh) = (&why.en, &why.zh);
        let line = crate::msg!(
            "the old database could not be read ({en}); the log came from the sync repository",
            "旧数据库无法读取（{zh}）；日志取自同步仓库"
        );
        writeln!(o, "{}", line.get(lang))?;
    }
    if !r.identity_carried {
        let line = crate::msg!(
            "set your identity again: `cscaudit identity set ID --name NAME --initials XY --key PATH`",
            "请重新设置身份：`cscaudit identity set 标识 --name 姓名 --initials XY --key 路径`"
        );
        writeln!(o, "{}", line.get(lang))?;
    }
    if let Some(k) = &r.kept {
        let k = crate::text::visible(&k.display().to_string()).into_owned();
        let line = crate::msg!(
            "the old database was kept at {k} (delete it when satisfied)",
            "旧数据库保留在 {k}（确认无误后可删除）"
        );
        writeln!(o, "{}", line.get(lang))?;
    }
    if r.not_for_you > 0 {
        let n = r.not_for_you;
        let line = crate::msg!(
            "{n} encrypted files were not encrypted to the key and were skipped (name your key with --key)",
            "{n} 个加密文件不是加密给该密钥的，已跳过（可用 --key 指定密钥）"
        );
        writeln!(o, "{}", line.get(lang))?;
    }
    if !r.refused.is_empty() {
        let n = r.refused.len();
        let line = crate::msg!(
            "{n} batches refused by the signed history (left out):",
            "{n} 个批次被已签名的历史拒绝（未纳入）："
        );
        writeln!(o, "{}", line.get(lang))?;
        for m in &r.refused {
            writeln!(o, "  {}", m.get(lang))?;
        }
    }
    if r.acknowledged > r.ops as u64 {
        let (a, missing) = (r.acknowledged, r.acknowledged - r.ops as u64);
        let line = crate::msg!(
            "warning: the old database had acknowledged {a} operations; {missing} of them are in no log found here: take them back from a teammate's bundle or another remote (`cscaudit import`, `cscaudit sync`)",
            "警告：旧数据库曾确认 {a} 项操作，其中 {missing} 项在此处找到的日志中都没有：请从同事的数据包或其他远程仓库取回（`cscaudit import`、`cscaudit sync`）"
        );
        writeln!(o, "{}", line.get(lang))?;
    }
    Ok(())
}
