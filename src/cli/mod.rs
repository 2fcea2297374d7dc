//! The command-line interface: parses arguments, calls the app layer, prints.

mod analytics;
pub mod args;
mod render;

use crate::app::{
    self, ActionUpdate, App, AppError, AssessmentInput, FindingMove, NewAction, NewEngagement, NewFinding,
};
use crate::config::{self, Lang, Paths, Settings};
use crate::message::Msg;
use crate::model::catalog::{Catalog, EMBEDDED_GBT32312};
use crate::model::ops::{Change, EntityId, Kind};
use crate::store::Draft;
use args::*;
use jiff::civil::Date;
use std::io::Write;
use std::path::Path;

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

/// A message that reads the same in both languages (paths, parser output).
fn same(s: impl Into<String>) -> CliError {
    CliError(Msg::same(s))
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

pub struct Ctx {
    pub paths: Paths,
    pub settings: Settings,
    pub lang: Lang,
    pub explicit_data_dir: bool,
}

/// The output language for a command line (config, then environment), without
/// reporting config problems (the command itself reports them).
pub fn lang_for(cli: &Cli) -> Lang {
    let paths = Paths::resolve(cli.data_dir.clone());
    let (settings, _) = Settings::load(&paths);
    cli.lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| settings.lang())
}

impl Ctx {
    pub fn new(cli: &Cli) -> Ctx {
        let paths = Paths::resolve(cli.data_dir.clone());
        let (settings, err) = Settings::load(&paths);
        if let Some(e) = err {
            eprintln!("warning: {e} (using default settings)");
        }
        let lang = cli
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(|| settings.lang());
        Ctx {
            paths,
            settings,
            lang,
            explicit_data_dir: cli.data_dir.is_some(),
        }
    }

    pub fn open(&self, dir: &Path) -> Result<App> {
        let mut app = App::open(dir)?;
        app.policy = self.settings.policy.clone();
        Ok(app)
    }
}

fn date_arg(s: &Option<String>, what: &str) -> Result<Option<Date>> {
    s.as_deref()
        .map(|v| {
            v.parse::<Date>().map_err(|_| {
                CliError(crate::msg!(
                    "{what} `{v}` is not a date (use YYYY-MM-DD)",
                    "{what} `{v}` 不是日期（请用 YYYY-MM-DD）"
                ))
            })
        })
        .transpose()
}

fn out() -> std::io::StdoutLock<'static> {
    std::io::stdout().lock()
}

/// Run one parsed command line. `Ok(())` means exit code 0.
pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(&cli);
    let Some(cmd) = cli.command else {
        return no_command(&ctx, cli.engagement.as_deref());
    };
    match cmd {
        Command::Demo(a) => demo(&ctx, a),
        Command::Status { engagement, json } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let report = app.status_report(&eng)?;
            if json {
                let s = serde_json::to_string_pretty(&report).map_err(|e| same(e.to_string()))?;
                writeln!(out(), "{s}")?;
            } else {
                render::status(&mut out(), &report, ctx.lang)?;
            }
            Ok(())
        }
        Command::Engagement(c) => engagement(&ctx, c),
        Command::Identity(c) => {
            let mut app = ctx.open(&ctx.paths.data_dir)?;
            if let IdentityCmd::Set { actor, name, initials } = c {
                app.set_identity(&actor, &name, &initials)?;
            }
            let i = app.identity();
            writeln!(out(), "{} ({}, {})", i.actor, i.name, i.initials)?;
            Ok(())
        }
        Command::Catalog(c) => catalog(&ctx, c),
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
        Command::Evidence(c) => evidence(&ctx, c),
        Command::Finding(c) => finding(&ctx, c),
        Command::Action(c) => action(&ctx, c),
        Command::History { reference } => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let (entity, ops) = app.history(&reference)?;
            render::history(&mut out(), &entity, &ops, ctx.lang)?;
            Ok(())
        }
        Command::Metrics(a) => analytics::metrics(&ctx, a),
        Command::Sample(c) => analytics::sample(&ctx, c),
        Command::Config(ConfigCmd::Check) => config_check(&ctx),
        Command::Debug(c) => debug(&ctx, c),
    }
}

fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

fn open_tui(ctx: &Ctx, app: App, dir: &Path, engagement: Option<&str>) -> Result<()> {
    crate::tui::run(app, &ctx.settings, &ctx.paths, dir, ctx.lang, engagement).map_err(same)
}

fn no_command(ctx: &Ctx, engagement: Option<&str>) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    if interactive() {
        return open_tui(ctx, app, &ctx.paths.data_dir, engagement);
    }
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
    let report = app.status_report(&eng)?;
    render::status(&mut o, &report, ctx.lang)?;
    Ok(())
}

fn demo(ctx: &Ctx, a: DemoArgs) -> Result<()> {
    let dir = if ctx.explicit_data_dir {
        ctx.paths.data_dir.clone()
    } else {
        ctx.paths.demo_dir()
    };
    let mut app = ctx.open(&dir)?;
    let started = std::time::Instant::now();
    let seeded = app::demo::seed(&mut app)?;
    let mut o = out();
    match seeded {
        app::demo::Seeded::Created => writeln!(
            o,
            "{} {} ({:.1} s)",
            ctx.lang.pick("Demo engagement created in", "示例项目已创建于"),
            dir.display(),
            started.elapsed().as_secs_f64()
        )?,
        app::demo::Seeded::AlreadyPresent => writeln!(
            o,
            "{} {}",
            ctx.lang.pick("Demo engagement already present in", "示例项目已存在于"),
            dir.display()
        )?,
    }
    if let Some(n) = a.scale {
        let t = std::time::Instant::now();
        let id = app::demo::seed_scale(&app, n, &mut |done| {
            if interactive() {
                eprint!("\r{} {done}/{n}", ctx.lang.pick("generating", "生成中"));
            }
        })?;
        if interactive() {
            eprint!("\r\x1b[K");
        }
        writeln!(
            o,
            "{} {id}: {n} ({:.1} s)",
            ctx.lang.pick("Scale engagement", "规模测试项目"),
            t.elapsed().as_secs_f64()
        )?;
    }
    if !a.no_tui && interactive() {
        drop(o);
        let engagement = if a.scale.is_some() {
            app::demo::SCALE_ENGAGEMENT
        } else {
            app::demo::DEMO_ENGAGEMENT
        };
        return open_tui(ctx, app, &dir, Some(engagement));
    }
    let eng = app.engagement(app::demo::DEMO_ENGAGEMENT)?;
    render::status(&mut o, &app.status_report(&eng)?, ctx.lang)?;
    writeln!(
        o,
        "\n{} cscaudit --data-dir {} status",
        ctx.lang.pick("Look again with:", "再次查看："),
        shell_quote(&dir.display().to_string())
    )?;
    Ok(())
}

fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn engagement(ctx: &Ctx, c: EngagementCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    match c {
        EngagementCmd::List => {
            for e in app.engagements()? {
                writeln!(
                    o,
                    "{}  {}  {}  {}",
                    e.id,
                    e.kind.label(ctx.lang.is_zh()),
                    e.auditee,
                    e.title
                )?;
            }
        }
        EngagementCmd::Show { id } => {
            let e = app.resolve_engagement(id.as_deref())?;
            let cat = app.catalog_for(&e)?;
            render::engagement(&mut o, &e, &app.team(&e.id)?, &cat, ctx.lang)?;
        }
        EngagementCmd::Create {
            auditee,
            kind,
            id,
            title,
            site,
            from,
            to,
            catalog,
        } => {
            let (cat, src) = match catalog.or_else(|| ctx.settings.catalog.clone()) {
                Some(p) => {
                    let p = ctx.paths.find_catalog(&p).ok_or_else(|| {
                        let (p, dir) = (p.display(), ctx.paths.config_dir.join("catalogs"));
                        let dir = dir.display();
                        CliError(crate::msg!(
                            "no catalogue file `{p}` (give a path, or an id of a file in {dir})",
                            "找不到指标目录文件 `{p}`（请给出路径，或 {dir} 中文件的编号）"
                        ))
                    })?;
                    let src = std::fs::read_to_string(&p).map_err(|e| same(format!("{}: {e}", p.display())))?;
                    let cat = crate::model::catalog::parse(&src, &p.display().to_string())
                        .map_err(|e| same(e.to_string()))?;
                    (cat, src)
                }
                None => (Catalog::embedded(), EMBEDDED_GBT32312.to_string()),
            };
            let e = app.create_engagement(
                NewEngagement {
                    id,
                    title,
                    auditee,
                    site,
                    kind: kind.parse()?,
                    period_start: date_arg(&from, "--from")?,
                    period_end: date_arg(&to, "--to")?,
                },
                &cat,
                &src,
            )?;
            writeln!(o, "{} {}", e.id, ctx.lang.pick("created", "已创建"))?;
        }
        EngagementCmd::AddMember {
            engagement,
            actor,
            name,
            initials,
            role,
            certificate,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let m = app.add_member(&eng.id, &actor, &name, &initials, role.parse()?, certificate.as_deref())?;
            writeln!(
                o,
                "{} {} {} {}",
                eng.id,
                m.actor,
                m.role.label(ctx.lang.is_zh()),
                m.certificate_no.unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

fn catalog(ctx: &Ctx, c: CatalogCmd) -> Result<()> {
    let load = |file: &Option<std::path::PathBuf>| -> Result<Catalog> {
        match file {
            Some(p) => {
                let p = ctx.paths.find_catalog(p).ok_or_else(|| {
                    let p = p.display();
                    CliError(crate::msg!("no catalogue file `{p}`", "找不到指标目录文件 `{p}`"))
                })?;
                config::load_catalog_file(&p).map_err(|e| same(e.to_string()))
            }
            None => Ok(Catalog::embedded()),
        }
    };
    let mut o = out();
    match c {
        CatalogCmd::List { file } => {
            render::catalog_list(&mut o, &load(&file)?, ctx.lang)?;
            if file.is_none() {
                for p in ctx.paths.user_catalogs() {
                    match config::load_catalog_file(&p) {
                        Ok(c) => writeln!(
                            o,
                            "\n{} {} {} ({})",
                            ctx.lang.pick("Also available:", "另有目录："),
                            c.id,
                            c.version,
                            p.display()
                        )?,
                        Err(e) => writeln!(o, "\n{} {e}", ctx.lang.pick("Unusable catalogue:", "无法使用的目录："))?,
                    }
                }
            }
        }
        CatalogCmd::Show { id, file } => {
            let cat = load(&file)?;
            let ind = cat.indicator(&id).ok_or_else(|| {
                let c = &cat.id;
                CliError(crate::msg!(
                    "no indicator `{id}` in catalogue {c}",
                    "指标目录 {c} 中没有指标 `{id}`"
                ))
            })?;
            render::indicator(&mut o, &cat, ind, ctx.lang)?;
        }
        CatalogCmd::Validate { file } => {
            let cat = config::load_catalog_file(&file).map_err(|e| same(e.to_string()))?;
            writeln!(
                o,
                "{}: {} {} — {} {}, {} {}{}",
                file.display(),
                cat.id,
                cat.version,
                cat.groups.len(),
                ctx.lang.pick("groups", "个分组"),
                cat.indicators.len(),
                ctx.lang.pick("indicators", "项指标"),
                if cat.provisional {
                    ctx.lang.pick(" (provisional)", "（暂定目录）")
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}

fn evidence(ctx: &Ctx, c: EvidenceCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    match c {
        EvidenceCmd::Add {
            file,
            engagement,
            indicator,
            finding,
            note,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let ev = app.attach_evidence(&eng.id, &file, &note, indicator.as_deref(), finding.as_deref())?;
            writeln!(o, "{}  {}  {} B", ev.sha256, ev.name, ev.size)?;
        }
        EvidenceCmd::List { engagement } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            for ev in app.evidence(&eng.id)? {
                writeln!(
                    o,
                    "{}  {}  {} B  {}  {}",
                    crate::text::head(&ev.sha256, 12),
                    ev.name,
                    ev.size,
                    ev.captured_by,
                    ev.note
                )?;
            }
        }
    }
    Ok(())
}

fn finding(ctx: &Ctx, c: FindingCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let moved = |f: crate::model::finding::Finding, o: &mut dyn Write| -> Result<()> {
        writeln!(o, "{} {}", f.reference, f.status.label(ctx.lang.is_zh()))?;
        Ok(())
    };
    match c {
        FindingCmd::List {
            engagement,
            status,
            grade,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let status: Option<crate::model::finding::FindingStatus> = status.as_deref().map(str::parse).transpose()?;
            let grade: Option<crate::model::finding::Grade> = grade.as_deref().map(str::parse).transpose()?;
            let list = app.findings_where(&eng.id, status, grade)?;
            if json {
                let s = serde_json::to_string_pretty(&list).map_err(|e| same(e.to_string()))?;
                writeln!(o, "{s}")?;
            } else {
                for f in &list {
                    render::finding_line(&mut o, f, app.today(), ctx.lang)?;
                }
            }
        }
        FindingCmd::Show { reference } => {
            let f = app.finding(&reference)?;
            let actions = app.actions_of(&f)?;
            render::finding(&mut o, &f, &actions, app.today(), ctx.lang)?;
        }
        FindingCmd::Raise {
            engagement,
            grade,
            title,
            statement,
            criterion,
            indicators,
            issue,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let f = app.raise_finding(
                &eng.id,
                NewFinding {
                    grade: grade.parse()?,
                    title,
                    statement,
                    criterion,
                    indicators,
                    evidence_note: String::new(),
                    issue,
                },
            )?;
            moved(f, &mut o)?;
        }
        FindingCmd::Edit {
            reference,
            field,
            value,
        } => {
            let f = app.edit_finding(&reference, &field, &value)?;
            writeln!(o, "{} {field} = {}", f.reference, value)?;
        }
        FindingCmd::Issue { reference } => moved(app.move_finding(&reference, FindingMove::Issue)?, &mut o)?,
        FindingCmd::Respond {
            reference,
            root_cause,
            correction,
        } => moved(
            app.move_finding(&reference, FindingMove::Respond { root_cause, correction })?,
            &mut o,
        )?,
        FindingCmd::Accept { reference } => moved(app.move_finding(&reference, FindingMove::AcceptPlan)?, &mut o)?,
        FindingCmd::Reject { reference, reason } => moved(
            app.move_finding(&reference, FindingMove::RejectResponse { reason })?,
            &mut o,
        )?,
        FindingCmd::Implement { reference } => moved(app.move_finding(&reference, FindingMove::Implement)?, &mut o)?,
        FindingCmd::Verify { reference } => moved(app.move_finding(&reference, FindingMove::Verify)?, &mut o)?,
        FindingCmd::Close { reference } => moved(app.move_finding(&reference, FindingMove::Close)?, &mut o)?,
        FindingCmd::Withdraw { reference, reason } => {
            moved(app.move_finding(&reference, FindingMove::Withdraw { reason })?, &mut o)?
        }
        FindingCmd::Reopen { reference, reason } => {
            moved(app.move_finding(&reference, FindingMove::Reopen { reason })?, &mut o)?
        }
    }
    Ok(())
}

fn action(ctx: &Ctx, c: ActionCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let zh = ctx.lang.is_zh();
    match c {
        ActionCmd::List { engagement } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            for a in app.actions(&eng.id)? {
                render::action_line(&mut o, &app::status::action_line(&a, app.today()), ctx.lang)?;
            }
        }
        ActionCmd::Add {
            finding,
            description,
            owner,
            due,
        } => {
            let a = app.add_action(
                &finding,
                NewAction {
                    description,
                    owner,
                    due: date_arg(&due, "--due")?,
                },
            )?;
            writeln!(
                o,
                "{} {} {}",
                a.id,
                a.status.label(zh),
                a.due.map(|d| d.to_string()).unwrap_or_default()
            )?;
        }
        ActionCmd::Update {
            id,
            status,
            progress,
            evidence,
            due,
            owner,
        } => {
            let a = app.update_action(
                &id,
                ActionUpdate {
                    status: status.as_deref().map(str::parse).transpose()?,
                    progress,
                    completion_evidence: evidence,
                    due: date_arg(&due, "--due")?,
                    owner,
                    description: None,
                },
            )?;
            writeln!(o, "{} {} {}%", a.id, a.status.label(zh), a.progress)?;
        }
        ActionCmd::Verify {
            id,
            effective,
            ineffective: _,
            note,
        } => {
            let a = app.verify_action(&id, effective, &note)?;
            writeln!(o, "{} {}", a.id, a.status.label(zh))?;
        }
    }
    Ok(())
}

fn debug(ctx: &Ctx, c: DebugCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    match c {
        DebugCmd::CommitStream { n, timing } => {
            let mut o = out();
            let mut lat = Vec::with_capacity(n as usize);
            let entity = EntityId::new(Kind::Engagement, "STREAM");
            // Continue from the stored counter, so repeated runs (and kills) build one log.
            let start = app
                .store()
                .record(&entity)
                .map_err(AppError::from)?
                .and_then(|r| r.get("counter").and_then(|v| v.int()))
                .unwrap_or(0) as u64;
            for k in start + 1..=start + n {
                let base = app
                    .store()
                    .record(&entity)
                    .map_err(AppError::from)?
                    .and_then(|r| r.base_of("counter"));
                let draft = Draft {
                    entity: entity.clone(),
                    change: Change::Set {
                        field: "counter".into(),
                        value: (k as i64).into(),
                    },
                    base,
                };
                let t = std::time::Instant::now();
                app.store().commit("stream", vec![draft]).map_err(AppError::from)?;
                lat.push(t.elapsed());
                writeln!(o, "committed {k}")?;
                o.flush()?;
            }
            if timing && !lat.is_empty() {
                lat.sort();
                let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
                writeln!(
                    o,
                    "commit latency ms: p50 {:.3} p90 {:.3} p99 {:.3} max {:.3}",
                    p(0.5),
                    p(0.9),
                    p(0.99),
                    p(1.0)
                )?;
            }
        }
        DebugCmd::Check => {
            let ops = app.store().all_ops().map_err(AppError::from)?;
            let mut o = out();
            let mut records = 0;
            for k in Kind::ALL {
                records += app.store().records(k, "").map_err(AppError::from)?.len();
            }
            writeln!(o, "ok: {} ops, {} records", ops.len(), records)?;
        }
    }
    Ok(())
}

fn config_check(ctx: &Ctx) -> Result<()> {
    let l = |en, zh| ctx.lang.pick(en, zh);
    let mut o = out();
    let mut bad = 0;
    let cfg = ctx.paths.config_file();
    let (settings, err) = Settings::load(&ctx.paths);
    match (&err, cfg.exists()) {
        (Some(e), _) => {
            bad += 1;
            writeln!(o, "config.toml: {e}")?;
        }
        (None, true) => writeln!(o, "config.toml: {} ({})", l("ok", "正常"), cfg.display())?,
        (None, false) => {
            let p = cfg.display();
            writeln!(
                o,
                "config.toml: {}",
                crate::msg!("defaults (no file at {p})", "默认设置（此处无文件：{p}）").get(ctx.lang)
            )?
        }
    }
    let setup = crate::tui::load_setup(&settings, &ctx.paths);
    writeln!(o, "{}: {}", l("keymap", "按键映射"), setup.keymap.sources.join(" + "))?;
    let user_keymap = ctx.paths.config_dir.join("keymap.toml");
    if !user_keymap.exists() {
        let p = user_keymap.display();
        writeln!(
            o,
            "  {}",
            crate::msg!("(no user keymap at {p})", "（此处无用户按键文件：{p}）").get(ctx.lang)
        )?;
    }
    writeln!(
        o,
        "{}: {}{}",
        l("theme", "主题"),
        setup.theme.name,
        if setup.theme.no_color {
            l(" (NO_COLOR: colours off)", "（NO_COLOR：不使用颜色）")
        } else {
            ""
        }
    )?;
    writeln!(
        o,
        "{}: {}",
        l("language", "语言"),
        if ctx.lang.is_zh() { "zh-CN" } else { "en" }
    )?;
    for p in &setup.problems {
        bad += 1;
        writeln!(o, "{}: {p}", l("problem", "问题"))?;
    }
    for p in ctx.paths.user_catalogs() {
        match config::load_catalog_file(&p) {
            Ok(c) => writeln!(
                o,
                "{}: {} {} ({})",
                l("catalogue", "指标目录"),
                c.id,
                c.version,
                p.display()
            )?,
            Err(e) => {
                bad += 1;
                writeln!(o, "{}: {e}", l("problem", "问题"))?;
            }
        }
    }
    if bad > 0 {
        return Err(CliError(crate::msg!(
            "{bad} problem(s) in the config files; the app runs with defaults for them",
            "配置文件中有 {bad} 个问题；相关部分按默认设置运行"
        )));
    }
    writeln!(o, "{}", l("ok", "正常"))?;
    Ok(())
}
