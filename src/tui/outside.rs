//! What the TUI hands to other programs: an evidence file opened in the
//! system's viewer (a private copy per session), and a text edited in the
//! user's `$VISUAL`/`$EDITOR` while the TUI's input thread pauses.

use super::terminal::enter_terminal;
use super::*;

/// This session's folder for opened evidence: made on first use like
/// `mkdtemp` (a random name, owner-only), removed when the TUI ends
/// ([`forget_opened_evidence`]).
pub(super) static OPENED: std::sync::Mutex<Option<tempfile::TempDir>> = std::sync::Mutex::new(None);

pub(super) fn opened_evidence_dir() -> std::result::Result<std::path::PathBuf, String> {
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
pub(super) fn open_evidence(app: &App, state: &State, engagement: &str, sha: &str) -> Vec<Input> {
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
pub(super) static INPUT_PAUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Set by the key reader once it has stopped (so no key goes astray).
pub(super) static INPUT_IDLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The next frame redraws every cell (after the editor used the screen).
pub(super) static REDRAW_ALL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Edit text in the user's editor (`$VISUAL`, `$EDITOR`; Ctrl-G in a
/// multi-line field). With a terminal (`tty`), the TUI steps aside meanwhile:
/// its modes are restored, its key reader paused, and it redraws after.
pub(super) fn external_edit(state: &State, text: &str, tty: bool) -> Vec<Input> {
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
