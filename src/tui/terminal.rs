//! The terminal: entered in the TUI's modes and restored in one place
//! ([`TerminalGuard`]), on drop, on a panic (then a crash report is written),
//! and the first "Loading…" frame ([`Screen`]) drawn before the database opens.

use super::*;

/// Restores the terminal when dropped (also on early return and unwinding).
pub struct TerminalGuard {
    mouse: bool,
}

/// Whether the terminal is in the TUI's modes: restoring twice (the panic
/// hook, then the guard while unwinding) would leave the alternate screen a
/// second time, which puts the cursor back where the TUI started and lets
/// the shell overwrite the crash message.
pub(super) static TERMINAL_ENTERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl TerminalGuard {
    pub fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        enter_terminal(mouse)?;
        Ok(TerminalGuard { mouse })
    }
}

/// Raw mode, the alternate screen, bracketed paste (and mouse if asked).
pub(super) fn enter_terminal(mouse: bool) -> std::io::Result<()> {
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
pub(super) fn install_panic_hook(data_dir: &Path, mouse: bool) {
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
    pub(super) guard: TerminalGuard,
    pub(super) terminal: ManuallyDrop<Terminal<CrosstermBackend<std::io::Stdout>>>,
    pub(super) setup: Setup,
    pub(super) size: ratatui::layout::Size,
    pub(super) config_file: std::path::PathBuf,
    pub(super) lang: Lang,
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
