//! The terminal UI: an Elm-style loop. `Input`s (keys, ticks, effect results)
//! go to `State::update` (state/), which decides;
//! `view` (view.rs) draws, and effects run through the app layer here. The
//! terminal is set up and restored in one place ([`TerminalGuard`]); a panic
//! restores it first, then writes a crash report to the data folder.

pub mod commands;
pub mod data;
mod effects;
mod ending;
pub mod forms;
pub mod i18n;
pub mod jobs;
pub mod keymap;
pub mod orders;
pub mod rows;
pub mod schema;
pub mod state;
pub mod theme;
pub mod view;

use crate::app::App;
use crate::config::{ConfigError, Lang, Paths, Settings};
use data::Data;
use keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use state::{Effect, Input, State};
use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use theme::Theme;

/// Everything loaded from config before the terminal enters raw mode.
pub struct Setup {
    pub keymap: Keymap,
    pub theme: Theme,
    pub problems: Vec<ConfigError>,
}

/// Read keymap and theme (with the user's layers) and collect problems.
pub fn load_setup(settings: &Settings, config_problems: &[ConfigError], paths: &Paths) -> Setup {
    let user_keymap = paths.config_dir.join("keymap.toml");
    // config.toml's own problems (read once, by the caller) first, so the status line names them too.
    let mut problems = config_problems.to_vec();
    let (keymap, keymap_problems) = Keymap::load(settings.keymap.as_deref().unwrap_or("default"), Some(&user_keymap));
    problems.extend(keymap_problems);
    let (theme, err) = Theme::load(
        settings.theme.as_deref().unwrap_or("default"),
        Some(&paths.config_dir.join("themes")),
        theme::no_color_env(),
        settings.ascii_borders,
    );
    problems.extend(err);
    Setup {
        keymap,
        theme,
        problems,
    }
}

/// Run an effect through the app layer; returns the inputs it produced. When
/// the app shares the database (the running TUI), it is held only meanwhile.
pub fn run_effect(app: &mut App, state: &State, effect: Effect) -> Vec<Input> {
    if effect == Effect::Quit {
        return vec![];
    }
    // Needs no database.
    if let Effect::RememberLanguage(lang) = effect {
        return match state
            .config_file
            .as_deref()
            .map(|p| crate::config::remember_language(p, lang))
        {
            Some(Err(m)) => vec![Input::Done(Err(m.get(state.lang).to_string()))],
            _ => vec![],
        };
    }
    if let Some(busy) = database_busy(state) {
        return match effect {
            // Follow the selection or another process's changes: after the job.
            Effect::LoadHistory(_) | Effect::Reload => vec![],
            // In the open form, if any (nothing typed is lost), else the status line.
            _ => vec![Input::Busy(busy)],
        };
    }
    if let Err(e) = app.acquire() {
        return vec![Input::Done(Err(e.message().get(state.lang).to_string()))];
    }
    // Released by the run loop once the user is idle, so that moving through
    // a list does not reopen the database on every key.
    effect_inner(app, state, effect)
}

fn effect_inner(app: &mut App, state: &State, effect: Effect) -> Vec<Input> {
    let eng = state.data.as_ref().map(|d| d.engagement.id.clone());
    let lang = state.lang;
    let reload = |app: &App| -> Vec<Input> {
        match eng.as_deref().map(|e| Data::load(app, e)) {
            Some(Ok(d)) => vec![Input::Loaded(Box::new(d))],
            Some(Err(e)) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
            None => vec![],
        }
    };
    let refreshed = |app: &App| -> Vec<Input> {
        match &eng {
            Some(e) => refreshed(app, state, e),
            None => vec![],
        }
    };
    match effect {
        Effect::Quit | Effect::RememberLanguage(_) | Effect::EditExternally(_) | Effect::RecordPendingMetrics => {
            vec![]
        }
        Effect::Reload => reload(app),
        Effect::LoadHistory(e) => match app.entity_history_signed(&e) {
            Ok(ops) => vec![Input::History(e, ops)],
            Err(err) => vec![Input::Done(Err(err.message().get(lang).to_string()))],
        },
        Effect::Assess { indicator, result } => {
            let Some(eng) = eng.clone() else { return vec![] };
            let input = crate::app::AssessmentInput {
                result: Some(result),
                ..Default::default()
            };
            match app.record_assessment(&eng, &indicator, input) {
                Ok(a) => {
                    let mut v = refreshed(app);
                    v.push(Input::Done(Ok(format!(
                        "{} {indicator}: {}",
                        i18n::Label::Recorded.t(state.lang),
                        a.result.label(state.lang.is_zh())
                    ))));
                    v
                }
                Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
            }
        }
        Effect::RecordMetrics { indicator, path } => {
            let Some(d) = &state.data else { return vec![] };
            // Computed on a worker thread; recorded when it ends (finish_job).
            vec![Input::Start(Box::new(jobs::Job::Metrics {
                engagement: d.engagement.id.clone(),
                indicator,
                file: PathBuf::from(&path),
                catalog: Box::new(d.catalog.clone()),
            }))]
        }
        Effect::SwitchEngagement(id) => match Data::load(app, &id) {
            Ok(d) => vec![Input::Loaded(Box::new(d))],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::Submit {
            kind,
            values,
            confirmed,
        } => effects::submit(app, state, kind, values, confirmed),
        Effect::OfferMoves(reference) => match app.available_moves(&reference) {
            Ok(moves) => vec![Input::Moves(reference, moves)],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::Sync => effects::start_sync(app, state),
        Effect::LoadConflicts => match app.conflicts().and_then(|all| {
            all.into_iter()
                .map(|c| app.conflict_times(&c).map(|t| (c, t)))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(items) => vec![Input::Conflicts(items)],
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::LoadPortfolio => vec![Input::Portfolio(
            app.portfolio().map_err(|e| e.message().get(lang).to_string()),
        )],
        Effect::LoadCalls => {
            let Some(eng) = eng else { return vec![] };
            vec![Input::Calls(
                eng.clone(),
                Box::new(app.call_profile(&eng).map_err(|e| e.message().get(lang).to_string())),
            )]
        }
        Effect::Resolve { id, field, keep } => match app.resolve_conflict(&id, &field, keep) {
            Ok(c) => {
                let mut v = refreshed(app);
                v.push(Input::Done(Ok(format!(
                    "{} {} {}",
                    lang.pick("Settled", "已处理"),
                    c.entity.id,
                    c.field
                ))));
                v
            }
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
        Effect::OpenEvidence(sha) => {
            let Some(eng) = eng else { return vec![] };
            open_evidence(app, state, &eng, &sha)
        }
        Effect::Undo => match app.undo_last() {
            Ok(u) => {
                let mut v = refreshed(app);
                v.push(Input::Done(Ok(format!(
                    "{} {}",
                    i18n::Label::Undone.t(lang),
                    u.records.join(", ")
                ))));
                v
            }
            Err(e) => vec![Input::Done(Err(e.message().get(lang).to_string()))],
        },
    }
}

/// While a job holds the database: why other work must wait (None: it need not).
fn database_busy(state: &State) -> Option<String> {
    // The label was made visible when the job was named.
    let job = state.job.as_ref().filter(|j| j.database)?;
    Some(i18n::Label::DatabaseBusy.t(state.lang).replace("{what}", &job.label))
}

/// After the user's own commit: the records it touched are read again and
/// patched into the snapshot (everything is loaded when the engagement is
/// another one or the commit touched too many records).
pub(crate) fn refreshed(app: &App, state: &State, engagement: &str) -> Vec<Input> {
    let current = state.data.as_ref().is_some_and(|d| d.engagement.id == engagement);
    let patched = if current {
        Data::patch(app, engagement).map(|p| p.map(|p| Input::Patched(Box::new(p))))
    } else {
        Ok(None)
    };
    let input = match patched {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Data::load(app, engagement).map(|d| Input::Loaded(Box::new(d))),
        Err(e) => Err(e),
    };
    match input {
        Ok(i) => vec![i],
        Err(e) => vec![Input::Done(Err(e.message().get(state.lang).to_string()))],
    }
}

/// Apply an input and every effect that follows, synchronously; long work
/// runs inline (the tests use this).
pub fn step(app: &mut App, state: &mut State, input: Input) {
    step_with(app, state, input, None);
}

/// Apply an input and every effect that follows. Long work (`Input::Start`)
/// goes to a worker thread that sends `Input::JobDone` through `jobs` when it
/// ends (the run loop); without a sender it runs inline.
pub fn step_with(app: &mut App, state: &mut State, input: Input, jobs: Option<&mpsc::Sender<Input>>) {
    let mut queue = vec![input];
    while let Some(a) = queue.pop() {
        let mut produced = match a {
            Input::Start(job) => start_job(app, state, *job, jobs),
            // Through the queue when there is a run loop (it draws first);
            // at once otherwise.
            Input::Defer(effect) => match jobs {
                Some(tx) => {
                    let _ = tx.send(Input::Deferred(effect));
                    vec![]
                }
                None => run_effect(app, state, effect),
            },
            Input::JobDone(out) => {
                state.job = None;
                finished_job(app, state, *out)
            }
            other => match state.update(other) {
                Some(Effect::EditExternally(text)) => external_edit(state, &text, jobs.is_some()),
                Some(Effect::RecordPendingMetrics) => match database_busy(state) {
                    Some(busy) => vec![Input::Busy(busy)],
                    None => match (state.pending_metrics.take(), app.acquire()) {
                        (Some(p), Ok(())) => record_metrics(app, state, *p),
                        (_, Err(e)) => vec![Input::Done(Err(e.message().get(state.lang).to_string()))],
                        (None, _) => vec![],
                    },
                },
                Some(effect) => run_effect(app, state, effect),
                None => vec![],
            },
        };
        produced.reverse();
        queue.extend(produced);
    }
}

/// This session's folder for opened evidence: made on first use like
/// `mkdtemp` (a random name, owner-only), removed when the TUI ends
/// ([`forget_opened_evidence`]).
static OPENED: std::sync::Mutex<Option<tempfile::TempDir>> = std::sync::Mutex::new(None);

fn opened_evidence_dir() -> std::result::Result<std::path::PathBuf, String> {
    let mut held = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    if held.is_none() {
        let d = tempfile::Builder::new()
            .prefix("cscaudit-evidence-")
            .tempdir()
            .map_err(|e| format!("{}: {e}", std::env::temp_dir().display()))?;
        *held = Some(d);
    }
    Ok(held.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default())
}

/// Remove the copies of evidence opened during this session.
pub fn forget_opened_evidence() {
    OPENED.lock().unwrap_or_else(|p| p.into_inner()).take();
}

/// Open an evidence file with the system's viewer: a checked copy goes to a
/// temporary folder of this process (the stored file is never handed out),
/// then the opener starts detached. Without one, the message says where the
/// copy is.
fn open_evidence(app: &App, state: &State, engagement: &str, sha: &str) -> Vec<Input> {
    let lang = state.lang;
    let dir = match opened_evidence_dir() {
        Ok(d) => d,
        Err(e) => return vec![Input::Done(Err(e))],
    };
    let copy = match app.export_evidence(engagement, sha, &dir, true) {
        Ok(p) => p,
        Err(e) => return vec![Input::Done(Err(e.message().get(lang).to_string()))],
    };
    let shown = crate::text::visible(&copy.display().to_string()).into_owned();
    let mut words = state.opener.split_whitespace();
    let program = words.next().unwrap_or_default();
    let spawned = std::process::Command::new(program)
        .args(words)
        .arg(&copy)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reaped in the background; the viewer outlives nothing of ours.
            std::thread::spawn(move || child.wait());
            vec![Input::Done(Ok(format!(
                "{} {shown} ({})",
                lang.pick("Opened", "已打开"),
                state.opener
            )))]
        }
        Err(e) => vec![Input::Done(Err(format!(
            "{} `{}` ({e}); {} {shown}",
            lang.pick("cannot open files with", "无法用以下程序打开文件："),
            state.opener,
            lang.pick("the file was written to", "文件已写出到")
        )))],
    }
}

/// Set while the user's editor runs: the key reader stops reading.
static INPUT_PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Set by the key reader once it has stopped (so no key goes astray).
static INPUT_IDLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The next frame redraws every cell (after the editor used the screen).
static REDRAW_ALL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Edit text in the user's editor (`$VISUAL`, `$EDITOR`; Ctrl-G in a
/// multi-line field). With a terminal (`tty`), the TUI steps aside meanwhile:
/// its modes are restored, its key reader paused, and it redraws after.
fn external_edit(state: &State, text: &str, tty: bool) -> Vec<Input> {
    use std::sync::atomic::Ordering::SeqCst;
    let lang = state.lang;
    let Some(command) = state.editor.clone() else {
        return vec![Input::Edited(Err(i18n::Label::NoEditor.t(lang).to_string()))];
    };
    let failed = |e: String| {
        vec![Input::Edited(Err(format!(
            "{}: {e}",
            i18n::Label::EditorFailed.t(lang)
        )))]
    };
    let path = std::env::temp_dir().join(format!(
        "cscaudit-edit-{}-{}.txt",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    if let Err(e) = o.open(&path).and_then(|mut f| f.write_all(text.as_bytes())) {
        return failed(format!("{}: {e}", path.display()));
    }
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default().to_string();
    let args: Vec<String> = words.map(str::to_string).collect();
    if tty {
        INPUT_PAUSED.store(true, SeqCst);
        let until = std::time::Instant::now() + Duration::from_secs(1);
        while !INPUT_IDLE.load(SeqCst) && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        restore_terminal(state.mouse);
    }
    let status = std::process::Command::new(&program).args(&args).arg(&path).status();
    if tty {
        let _ = enter_terminal(state.mouse);
        REDRAW_ALL.store(true, SeqCst);
        INPUT_PAUSED.store(false, SeqCst);
    }
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{command}: {s}")),
        Err(e) => Err(format!("{command}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    match result {
        Ok(t) => vec![Input::Edited(Ok(t))],
        Err(e) => failed(e),
    }
}

/// Start long work. With a run loop (`sender`) it goes to a worker thread;
/// a job that needs the database gets an app of its own there, opened
/// after this one lets go of it. Without a run loop (tests) it runs inline.
fn start_job(app: &mut App, state: &mut State, job: jobs::Job, sender: Option<&mpsc::Sender<Input>>) -> Vec<Input> {
    if state.job.is_some() {
        return vec![Input::Busy(i18n::Label::Busy.t(state.lang).to_string())];
    }
    let work = job.work(state.lang.is_zh());
    state.started(work.clone());
    let ask = job.passphrase();
    let needs = job.needs_database();
    // Inline without a run loop (tests), or when this app keeps its
    // database (no data folder to open it again from).
    let Some(tx) = sender.filter(|_| !needs || app.shares_store()) else {
        app.set_secret_prompt(ask);
        let out = job.run(&work, needs.then_some(&*app));
        app.set_secret_prompt(None);
        return vec![Input::JobDone(Box::new(out))];
    };
    let worker = needs.then(|| app.worker()).flatten().map(|mut w| {
        w.set_secret_prompt(ask);
        w
    });
    if worker.is_some() {
        // The worker opens the database itself: this app lets go of it now.
        app.release();
    }
    let tx = tx.clone();
    let spawned = std::thread::Builder::new().name(jobs::WORKER.into()).spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match worker {
            Some(mut app) => {
                let out = match app.acquire_unless(&|| work.cancelled()) {
                    Ok(()) => job.run(&work, Some(&app)).with_touched(app.take_touched()),
                    Err(e) => job.failed(e),
                };
                // Closed before the UI hears of it, so it can open it at once.
                drop(app);
                out
            }
            None => job.run(&work, None),
        }))
        .unwrap_or(jobs::JobOutput::Panicked);
        let _ = tx.send(Input::JobDone(Box::new(out)));
    });
    match spawned {
        Ok(_) => vec![],
        Err(e) => {
            state.job = None;
            vec![Input::Finished {
                ok: false,
                short: e.to_string(),
                full: None,
            }]
        }
    }
}

/// Record computed figures (after any question about the period).
fn record_metrics(app: &App, state: &State, p: jobs::PendingMetrics) -> Vec<Input> {
    let lang = state.lang;
    match app.record_metrics(&p.engagement, p.target, *p.report) {
        Ok(run) => {
            let mut v = refreshed(app, state, &p.engagement);
            let figures: Vec<String> = run
                .recorded
                .iter()
                .map(|a| {
                    format!(
                        "{} = {}",
                        a.indicator,
                        a.measured.map(|m| format!("{m:.2}")).unwrap_or_default()
                    )
                })
                .collect();
            v.push(jobs::Said::ok(format!("{} {}", i18n::Label::Recorded.t(lang), figures.join(", "))).input());
            // A recomputed value that contradicts the recorded result: offer to change it.
            if let Some(d) = &state.data {
                for a in &run.recorded {
                    if let (Some(ind), Some(m)) = (d.catalog.indicator(&a.indicator), a.measured)
                        && let Some(ask) = effects::contradiction(ind, m, a.result, lang)
                    {
                        v.push(ask);
                        break;
                    }
                }
            }
            v
        }
        Err(e) => vec![jobs::Said::failed(&e, lang).input()],
    }
}

/// A job ended: what it did is recorded and said. The records a worker's
/// import or sync touched are handed over first (no database needed); the
/// database is then opened for at most a moment: when another process holds
/// it, the outcome is still said, and the screen catches up at the next
/// tick (another process's changes are noticed then).
fn finished_job(app: &mut App, state: &State, out: jobs::JobOutput) -> Vec<Input> {
    if let jobs::JobOutput::Import { touched, .. } | jobs::JobOutput::Sync { touched, .. } = &out {
        app.hand_touched(touched.clone());
    }
    if matches!(out, jobs::JobOutput::Export { .. } | jobs::JobOutput::Panicked) {
        return finish_job(app, state, out);
    }
    let stop = std::time::Instant::now() + Duration::from_secs(2);
    // The database may not be back yet (another process took it meanwhile).
    match app.acquire_unless(&|| std::time::Instant::now() > stop) {
        Ok(()) => finish_job(app, state, out),
        Err(e) => {
            let lang = state.lang;
            let why = match e {
                crate::app::AppError::Cancelled => lang
                    .pick(
                        "another cscaudit process holds the database: the screen shows the changes once it lets go",
                        "另一个 cscaudit 进程正占用数据库：待其释放后界面会显示这些更改",
                    )
                    .to_string(),
                e => e.message().get(lang).to_string(),
            };
            vec![match out.said(lang) {
                Some(mut said) => {
                    said.short = format!("{} · {why}", said.short);
                    said.input()
                }
                // Figures or a file not recorded: said, nothing half done.
                None => Input::Finished {
                    ok: false,
                    short: why,
                    full: None,
                },
            }]
        }
    }
}

/// Record what long work produced (on the UI thread, through the app layer).
fn finish_job(app: &mut App, state: &State, out: jobs::JobOutput) -> Vec<Input> {
    let lang = state.lang;
    let failed = |e: crate::app::AppError| vec![jobs::Said::failed(&e, lang).input()];
    let said = out.said(lang).map(jobs::Said::input);
    match out {
        jobs::JobOutput::Metrics {
            engagement,
            target,
            result,
        } => {
            let pending = jobs::PendingMetrics {
                engagement,
                target,
                report: match result {
                    Ok(r) => r,
                    Err(e) => return failed(e),
                },
            };
            // Records of days outside the evaluation period: ask first.
            match app.metrics_outside_period(&pending.engagement, &pending.report) {
                Ok(None) => record_metrics(app, state, pending),
                Ok(Some(warning)) => vec![Input::ConfirmMetrics {
                    warning: warning.get(lang).to_string(),
                    pending: Box::new(pending),
                }],
                Err(e) => failed(e),
            }
        }
        jobs::JobOutput::Evidence {
            engagement,
            note,
            indicator,
            finding,
            result,
        } => match result.and_then(|staged| {
            app.record_staged_evidence(&engagement, &staged, &note, indicator.as_deref(), finding.as_deref())
        }) {
            Ok(ev) => {
                let mut v = refreshed(app, state, &engagement);
                v.push(
                    jobs::Said::ok(format!(
                        "{} {} · {} B · sha256 {}",
                        lang.pick("Attached", "已添加"),
                        crate::text::visible(&ev.name),
                        ev.size,
                        crate::text::head(&ev.sha256, 16)
                    ))
                    .input(),
                );
                v
            }
            Err(e) => failed(e),
        },
        jobs::JobOutput::Export { .. } | jobs::JobOutput::Panicked => said.into_iter().collect(),
        // The records the job touched were handed over by `finished_job`
        // and are patched in (the whole engagement read again when it is
        // new here or too many changed); after a refused import, what did
        // merge (evidence, carried findings) is read again too; a first sync
        // on the welcome screen opens what it joined.
        jobs::JobOutput::Import { result, .. } => {
            let mut v = match (&result, state.data.as_ref()) {
                (Ok(r), _) => refreshed(app, state, &r.engagement),
                (Err(_), Some(d)) => refreshed(app, state, &d.engagement.id),
                (Err(_), None) => vec![],
            };
            v.extend(said);
            v
        }
        jobs::JobOutput::Sync { .. } => {
            let mut v = match state.data.as_ref() {
                Some(d) => refreshed(app, state, &d.engagement.id),
                None => app
                    .resolve_engagement(None)
                    .and_then(|e| Data::load(app, &e.id))
                    .map(|d| vec![Input::Loaded(Box::new(d))])
                    .unwrap_or_default(),
            };
            v.extend(said);
            v
        }
    }
}

/// Build the initial state for an engagement (or the welcome screen).
pub fn initial_state(
    app: &App,
    setup: &Setup,
    lang: Lang,
    engagement: Option<&str>,
) -> Result<State, crate::app::AppError> {
    initial_state_with(app, setup, lang, engagement, Data::load)
}

/// From this many findings on, the TUI draws the dashboard first and reads
/// the lists on another thread.
pub const LOAD_LISTS_LATER: usize = 5_000;

/// [`initial_state`] with only the dashboard's figures: the lists are read
/// after the first frame (see `run`).
pub fn initial_state_glance(
    app: &App,
    setup: &Setup,
    lang: Lang,
    engagement: Option<&str>,
) -> Result<State, crate::app::AppError> {
    initial_state_with(app, setup, lang, engagement, glance_if_large)
}

/// The dashboard's figures alone for a large engagement; a small one's
/// lists take milliseconds and are read at once (the first keys act on everything).
fn glance_if_large(app: &App, engagement: &str) -> Result<Data, crate::app::AppError> {
    if app.finding_count(engagement)? < LOAD_LISTS_LATER {
        return Data::load(app, engagement);
    }
    Data::load_glance(app, engagement)
}

fn initial_state_with(
    app: &App,
    setup: &Setup,
    lang: Lang,
    engagement: Option<&str>,
    load: fn(&App, &str) -> Result<Data, crate::app::AppError>,
) -> Result<State, crate::app::AppError> {
    let data = match engagement {
        Some(id) => Some(load(app, id)?),
        None => match app.resolve_engagement(None) {
            Ok(e) => Some(load(app, &e.id)?),
            Err(_) => None,
        },
    };
    let mut s = State::new(lang, setup.keymap.clone(), data);
    s.identity_set = app.identity_is_set();
    if !s.identity_set && s.data.is_none() {
        // A new user is asked who they are before anything else.
        s.ask_identity();
    }
    s.warnings = setup.problems.iter().map(|p| p.to_string()).collect();
    if let Some(first) = s.warnings.first() {
        s.status = Some(state::StatusLine::error(format!(
            "{}: {first}",
            i18n::Label::ConfigProblem.t(lang)
        )));
    } else if let Some(m) = s.data.as_ref().and_then(|d| d.signing.as_ref()) {
        // Said before the user types anything that would be refused.
        s.status = Some(state::StatusLine::error(m.get(lang).to_string()));
    }
    Ok(s)
}

/// Restores the terminal when dropped (also on early return and unwinding).
pub struct TerminalGuard {
    mouse: bool,
}

/// Whether the terminal is in the TUI's modes: restoring twice (the panic
/// hook, then the guard while unwinding) would leave the alternate screen a
/// second time, which puts the cursor back where the TUI started and lets
/// the shell overwrite the crash message.
static TERMINAL_ENTERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl TerminalGuard {
    pub fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        enter_terminal(mouse)?;
        Ok(TerminalGuard { mouse })
    }
}

/// Raw mode, the alternate screen, bracketed paste (and mouse if asked).
fn enter_terminal(mouse: bool) -> std::io::Result<()> {
    TERMINAL_ENTERED.store(true, std::sync::atomic::Ordering::SeqCst);
    enable_raw_mode()?;
    let mut out = std::io::stdout();
    execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Put the terminal back in cooked mode on the main screen (idempotent).
pub fn restore_terminal(mouse: bool) {
    if !TERMINAL_ENTERED.swap(false, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if mouse {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal(self.mouse);
    }
}

/// Chain a panic hook: restore the terminal, write a crash report, then report.
fn install_panic_hook(data_dir: &Path, mouse: bool) {
    let dir = data_dir.to_path_buf();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A worker's panic is caught and shown in the UI, which carries on:
        // the terminal stays as it is and the report goes to the file only.
        let worker = std::thread::current().name() == Some(jobs::WORKER);
        if !worker {
            restore_terminal(mouse);
        }
        let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
        let path = dir.join(format!("crash-{stamp}.txt"));
        let report = format!(
            "cscaudit {} crashed at {stamp}\n{info}\n\nbacktrace:\n{}\n",
            env!("CARGO_PKG_VERSION"),
            std::backtrace::Backtrace::force_capture()
        );
        let written = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&path, report))
            .is_ok();
        if worker {
            return;
        }
        previous(info);
        if written {
            let _ = writeln!(
                std::io::stderr(),
                "cscaudit crashed; a report was written to {}",
                path.display()
            );
        }
    }));
}

/// The terminal in the TUI's modes with a first "Loading…" frame on it,
/// drawn before the database is opened (opening sled takes ~0.3 s at a
/// million findings, and waits while another process holds it). Dropping it
/// restores the terminal, so an error opening the database is printed on
/// the user's own screen.
pub struct Screen {
    guard: TerminalGuard,
    terminal: ManuallyDrop<Terminal<CrosstermBackend<std::io::Stdout>>>,
    setup: Setup,
    size: ratatui::layout::Size,
    config_file: std::path::PathBuf,
    lang: Lang,
    /// What the loading frame says (drawn again after a resize).
    shown: i18n::Label,
}

impl Screen {
    pub fn enter(
        settings: &Settings,
        config_problems: &[ConfigError],
        paths: &Paths,
        data_dir: &Path,
        lang: Lang,
    ) -> Result<Screen, String> {
        let setup = load_setup(settings, config_problems, paths);
        install_panic_hook(data_dir, settings.mouse);
        let guard = TerminalGuard::enter(settings.mouse).map_err(|e| format!("cannot set up the terminal: {e}"))?;
        // Never dropped: ratatui's Drop shows the cursor and, when that fails (the
        // terminal hung up), prints with `eprintln!`, which panics on a closed
        // stderr and left a crash report for every closed window. The guard
        // restores the terminal, cursor included, and ignores such errors.
        let terminal =
            ManuallyDrop::new(Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(|e| e.to_string())?);
        let size = terminal.size().map_err(|e| e.to_string())?;
        // First frame before the database is opened and loaded, so a large
        // database still shows something at once.
        let mut screen = Screen {
            guard,
            terminal,
            setup,
            size,
            config_file: paths.config_dir.join("config.toml"),
            lang,
            shown: i18n::Label::Loading,
        };
        screen.loading(i18n::Label::Loading);
        Ok(screen)
    }

    /// The loading frame with this on its status line.
    fn loading(&mut self, what: i18n::Label) {
        self.shown = what;
        let mut loading = State::new(self.lang, self.setup.keymap.clone(), None);
        loading.size = (self.size.width, self.size.height);
        loading.status = Some(state::StatusLine::info(what.t(self.lang)));
        loading.loading = true;
        let theme = &self.setup.theme;
        let _ = self.terminal.draw(|f| view::view(&loading, theme, f));
    }

    /// Say that the database is held by another process (the caller waits).
    pub fn waiting_for_database(&mut self) {
        self.loading(i18n::Label::WaitingForDatabase);
    }

    /// Whether q, Esc or Ctrl-C was pressed within `wait` (other keys are
    /// dropped: nothing can be done before the database is open).
    pub fn stop_asked(&mut self, wait: Duration) -> bool {
        use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
        if !event::poll(wait).unwrap_or(false) {
            return false;
        }
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                matches!(k.code, KeyCode::Char('q') | KeyCode::Esc)
                    || (k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL))
            }
            Ok(Event::Resize(w, h)) => {
                self.size = ratatui::layout::Size::new(w, h);
                let _ = self.terminal.autoresize();
                self.loading(self.shown);
                false
            }
            _ => false,
        }
    }
}

/// Run the TUI on `app` in `screen` until the user quits. Config was read by
/// the caller before this point.
pub fn run(
    screen: Screen,
    mut app: App,
    settings: &Settings,
    lang: Lang,
    engagement: Option<&str>,
) -> Result<(), String> {
    let Screen {
        guard,
        mut terminal,
        setup,
        size,
        config_file,
        ..
    } = screen;
    // Opened evidence copies go with the session, however it ends.
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            forget_opened_evidence();
        }
    }
    let _forget = Forget;
    if let Some(e) = engagement {
        // An engagement that is not there: the terminal is restored (the
        // guard is dropped) before the error is printed.
        app.engagement(e).map_err(|e| e.message().get(lang).to_string())?;
    }
    // The TUI owns the terminal: a passphrase is asked in a form, never there.
    app.set_secret_prompt(None);
    // Test hook: prove that a panic restores the terminal and leaves a report.
    if std::env::var_os("CSCAUDIT_TEST_PANIC").is_some() {
        panic!("test panic requested by CSCAUDIT_TEST_PANIC");
    }

    // The dashboard from the store's counters first; the lists right after
    // the first frame (a large engagement shows its figures at once).
    let mut state =
        initial_state_glance(&app, &setup, lang, engagement).map_err(|e| e.message().get(lang).to_string())?;

    let load_lists = state
        .data
        .as_ref()
        .filter(|d| d.partial)
        .map(|d| d.engagement.id.clone());
    if load_lists.is_some() {
        state.status = Some(state::StatusLine::info(i18n::Label::Loading.t(lang)));
    }
    // From here on the database is held only during operations: the CLI can
    // read and write it from another terminal, and its changes show here
    // (not while the lists load on another thread through the same handle).
    app.share_between_operations();
    let (tx, rx) = mpsc::channel::<Input>();
    // The lists on a worker thread: the dashboard answers keys meanwhile.
    let mut lists_loading = false;
    if let Some(id) = load_lists {
        match app.reader() {
            Some(reader) => {
                lists_loading = true;
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let input = match Data::load(&reader, &id) {
                        Ok(d) => Input::Loaded(Box::new(d)),
                        Err(e) => Input::Done(Err(e.message().get(lang).to_string())),
                    };
                    drop(reader);
                    let _ = tx.send(input);
                });
            }
            None => {
                let _ = tx.send(Input::Deferred(Effect::SwitchEngagement(id)));
            }
        }
    }
    if !lists_loading {
        app.release();
    }
    state.size = (size.width, size.height);
    state.mouse = settings.mouse;
    state.config_file = Some(config_file);
    if let Some(eff) = state.update(Input::Resize(size.width, size.height)) {
        for a in run_effect(&mut app, &state, eff) {
            step(&mut app, &mut state, a);
        }
    }
    // Worker threads send their results through the same queue as the keys.
    let job_tx = tx.clone();
    std::thread::spawn(move || {
        use std::sync::atomic::Ordering::SeqCst;
        loop {
            // While the user's editor runs, its keys are its own.
            if INPUT_PAUSED.load(SeqCst) {
                INPUT_IDLE.store(true, SeqCst);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            INPUT_IDLE.store(false, SeqCst);
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => break,
            }
            match event::read() {
                Ok(Event::Key(k)) => {
                    if tx.send(Input::Key(k)).is_err() {
                        break;
                    }
                }
                Ok(Event::Mouse(m)) => {
                    if tx.send(Input::Mouse(m)).is_err() {
                        break;
                    }
                }
                Ok(Event::Paste(text)) => {
                    if tx.send(Input::Paste(text)).is_err() {
                        break;
                    }
                }
                Ok(Event::Resize(w, h)) => {
                    if tx.send(Input::Resize(w, h)).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    // A closed terminal window, a logout, `kill`: leave the way `q` does —
    // work stopped, terminal restored — not mid-screen (tui/ending.rs).
    let wake = job_tx.clone();
    let ending = ending::Ending::watch(move || {
        let _ = wake.send(Input::Tick);
    });
    let mut dirty = true;
    let mut release_after_draw = false;
    let mut deferred: Option<Input> = None;
    loop {
        if ending.asked() {
            break;
        }
        if REDRAW_ALL.swap(false, std::sync::atomic::Ordering::SeqCst) {
            // Back from the user's editor on a fresh (blank) alternate screen:
            // a new Terminal has no previous frame, so every cell is drawn.
            // (Terminal::clear asks the terminal for the cursor position
            // first, which a terminal that does not answer turns into a
            // two-second wait and no redraw.)
            terminal =
                ManuallyDrop::new(Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(|e| e.to_string())?);
            dirty = true;
        }
        if dirty {
            terminal
                .draw(|f| view::view(&state, &setup.theme, f))
                .map_err(|e| e.to_string())?;
        }
        if std::mem::take(&mut release_after_draw) {
            app.release();
        }
        let wait = if state.job.is_some() {
            // Long work running: redraw its progress line often.
            Duration::from_millis(100)
        } else if app.holds_shared_store() {
            Duration::from_millis(300)
        } else {
            Duration::from_secs(1)
        };
        // A deferred effect runs right after the frame that announced it.
        let next = match deferred.take() {
            Some(d) => Ok(d),
            None => rx.recv_timeout(wait),
        };
        let first = match next {
            Ok(a) => a,
            Err(mpsc::RecvTimeoutError::Timeout)
                if app.holds_shared_store() && !state.data.as_ref().is_some_and(|d| d.partial) =>
            {
                app.release();
                dirty = state.job.is_some();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Input::Tick,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let had_message = state.status.is_some();
        let was_partial = state.data.as_ref().is_some_and(|d| d.partial);
        let is_tick = matches!(first, Input::Tick);
        let mut external = false;
        if is_tick && app.changed_by_others() {
            // Another process wrote: show its changes.
            for i in run_effect(&mut app, &state, Effect::Reload) {
                step(&mut app, &mut state, i);
            }
            external = true;
        }
        step_with(&mut app, &mut state, first, Some(&job_tx));
        // Drain whatever else is queued, then draw once.
        while let Ok(a) = rx.try_recv() {
            if matches!(a, Input::Deferred(_)) {
                // Not in this batch: draw first (the status says what is coming).
                deferred = Some(a);
                break;
            }
            step_with(&mut app, &mut state, a, Some(&job_tx));
        }
        dirty = !is_tick || external || had_message != state.status.is_some() || state.job.is_some();
        // The lists have arrived: the loader's database handle and the heap
        // its decoding used are given back once they are drawn, not at the
        // next idle moment (at 1,000,000 findings, ~150 MB sooner).
        release_after_draw |= was_partial && state.data.as_ref().is_some_and(|d| !d.partial);
        if state.quit {
            break;
        }
    }
    // Quitting during long work: stop it and let it clean up (a partial
    // evidence copy is removed) before the process ends.
    if let Some(job) = state.job.take() {
        job.cancel();
        // A job on the database may be merging (which cannot be cut short
        // without leaving it half done): it is waited for, however long.
        let patience = if job.database {
            Duration::from_secs(24 * 3600)
        } else {
            Duration::from_secs(5)
        };
        if job.database {
            let mut finishing = State::new(state.lang, state.keymap.clone(), None);
            finishing.size = state.size;
            finishing.status = Some(state::StatusLine::info(format!(
                "{} {}",
                state.lang.pick("Finishing:", "正在结束："),
                job.label
            )));
            finishing.loading = true;
            let _ = terminal.draw(|f| view::view(&finishing, &setup.theme, f));
        }
        let until = std::time::Instant::now() + patience;
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Input::JobDone(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    drop(guard);
    ending.finished();
    Ok(())
}
