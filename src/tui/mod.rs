//! The terminal UI: an Elm-style loop. `Input`s (keys, ticks, effect results)
//! go to `State::update` (state/), which decides;
//! `view` (view.rs) draws, and effects run through the app layer here. The
//! terminal is set up and restored in one place ([`TerminalGuard`]); a panic
//! restores it first, then writes a crash report to the data folder.

pub mod commands;
pub mod data;
mod effects;
mod ending;
mod outside;
mod runtime;
mod terminal;

pub use outside::forget_opened_evidence;
use outside::{INPUT_IDLE, INPUT_PAUSED, REDRAW_ALL};
pub(crate) use runtime::refreshed;
pub use runtime::{run_effect, step, step_with};
pub use terminal::{Screen, TerminalGuard, restore_terminal};
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
    s.identity = state::IdentityNow::of(app);
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
    // The reminders (as `cscaudit digest`) on a thread of their own, into
    // the inbox (the database is kept open while that reader reads).
    if let Some(reader) = app.reader() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let zh = lang.is_zh();
            let reminders = reader
                .digest(&crate::app::digest::DigestOptions::default())
                .ok()
                .filter(|d| !d.is_empty());
            drop(reader);
            if let Some(d) = reminders {
                let _ = tx.send(Input::Reminders {
                    short: d.short(zh),
                    full: d.lines(zh).join("\n"),
                });
            }
        });
    }
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
