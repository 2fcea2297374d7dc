//! The session ending under the TUI — a closed terminal window, a logout,
//! `kill` — is told to the loop (a flag and a wake-up), which leaves the way
//! `q` does: work stopped, terminal restored. Only then does the process end.
//!
//! - Unix: SIGTERM and SIGHUP, received on a thread (signal-hook).
//! - Windows: console control events (a closed console window, a logoff, a
//!   shutdown). Windows ends the process as soon as the handler returns, and
//!   at the latest 5 s after a close, so the handler waits for the loop to
//!   say it has finished, up to 4 s. Ctrl-C is not among them: in raw mode
//!   it arrives as a key (crossterm turns processed input off).
//!
//! Tested where: the unix path by the pty tests (SIGTERM and SIGHUP to the
//! real binary); the Windows path is compiled in CI (`cargo check --target
//! x86_64-pc-windows-gnu`) but not run, as no Windows machine is at hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the session was asked to end; `finished` when the loop is done.
pub struct Ending {
    asked: Arc<AtomicBool>,
}

impl Ending {
    /// Start watching; `wake` makes the loop look at once (it may be
    /// called from a signal thread or a console handler's thread).
    pub fn watch(wake: impl Fn() + Send + Sync + 'static) -> Ending {
        let asked = Arc::new(AtomicBool::new(false));
        platform::watch(asked.clone(), Box::new(wake));
        Ending { asked }
    }

    /// The session is to end: leave the loop.
    pub fn asked(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }

    /// The loop has finished and the terminal is restored: the process may
    /// end now (on Windows, the waiting handler returns).
    pub fn finished(&self) {
        platform::finished();
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        platform::finished();
    }
}

#[cfg(unix)]
mod platform {
    use super::*;

    pub fn watch(asked: Arc<AtomicBool>, wake: Box<dyn Fn() + Send + Sync>) {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    asked.store(true, Ordering::SeqCst);
                    wake();
                }
            });
        }
    }

    /// On unix the process ends when `main` returns: nothing waits.
    pub fn finished() {}
}

#[cfg(windows)]
#[allow(unsafe_code)]
mod platform {
    use super::*;
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::Duration;
    use windows_sys::Win32::System::Console::{
        CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
    };
    use windows_sys::core::BOOL;

    struct Shared {
        asked: Arc<AtomicBool>,
        wake: Box<dyn Fn() + Send + Sync>,
        done: Mutex<bool>,
        ended: Condvar,
    }

    /// One TUI session per process: the handler finds its session here.
    static SESSION: OnceLock<Shared> = OnceLock::new();

    unsafe extern "system" fn handler(event: u32) -> BOOL {
        let Some(s) = SESSION.get() else { return 0 };
        match event {
            CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
                s.asked.store(true, Ordering::SeqCst);
                (s.wake)();
                // Windows ends the process when this returns: give the loop
                // its time to stop the work and restore the console.
                let done = s.done.lock().unwrap_or_else(|e| e.into_inner());
                let _ = s.ended.wait_timeout_while(done, Duration::from_secs(4), |done| !*done);
                1
            }
            // Anything else (Ctrl-C, Ctrl-Break): the default handling.
            _ => 0,
        }
    }

    pub fn watch(asked: Arc<AtomicBool>, wake: Box<dyn Fn() + Send + Sync>) {
        let shared = Shared {
            asked,
            wake,
            done: Mutex::new(false),
            ended: Condvar::new(),
        };
        if SESSION.set(shared).is_ok() {
            // SAFETY: `handler` is a plain function that lives as long as the
            // process and reads only `SESSION`, which is set before it is
            // registered and never changes afterwards.
            unsafe {
                SetConsoleCtrlHandler(Some(handler), 1);
            }
        }
    }

    pub fn finished() {
        if let Some(s) = SESSION.get() {
            *s.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
            s.ended.notify_all();
        }
    }
}
