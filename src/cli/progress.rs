//! A progress bar on stderr for long exports and imports (indicatif; hidden
//! when stderr is not a terminal), and Ctrl-C that stops the work cleanly:
//! the first press asks it to stop (an export removes its partial file, an
//! import has written nothing), a second quits at once.

use crate::bundle::Stage;
use crate::config::Lang;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub(super) struct BundleProgress {
    /// The stage shown and its bar.
    state: Mutex<(Option<Stage>, ProgressBar)>,
    interrupted: Arc<AtomicBool>,
    lang: Lang,
}

impl BundleProgress {
    pub(super) fn new(lang: Lang) -> BundleProgress {
        let interrupted = Arc::new(AtomicBool::new(false));
        // Order matters: the shutdown hook acts only once the flag is set.
        let _ = signal_hook::flag::register_conditional_shutdown(signal_hook::consts::SIGINT, 130, interrupted.clone());
        let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone());
        BundleProgress {
            state: Mutex::new((None, ProgressBar::hidden())),
            interrupted,
            lang,
        }
    }

    /// Whether Ctrl-C was pressed.
    pub(super) fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// Take the bar off the screen.
    pub(super) fn finish(&self) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1.finish_and_clear();
    }

    /// The callback the bundle functions take.
    pub(super) fn tick(&self, stage: Stage, done: u64, total: u64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 != Some(stage) {
            state.0 = Some(stage);
            state.1.finish_and_clear();
            state.1 = self.bar(stage, total);
        }
        state.1.set_position(done);
        !self.interrupted()
    }

    /// A bar for a stage (drawn on stderr, hidden when it is not a terminal).
    fn bar(&self, stage: Stage, total: u64) -> ProgressBar {
        let l = self.lang;
        let (msg, template) = match stage {
            Stage::Reports => (
                l.pick("writing operations and reports", "写出操作与报告"),
                "{spinner} {msg} {pos}/{len} [{elapsed}]",
            ),
            Stage::Evidence => (
                l.pick("copying evidence", "复制证据文件"),
                "{spinner} {msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            ),
            Stage::Checking => (
                l.pick("checking every file", "逐个校验文件"),
                "{spinner} {msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            ),
            Stage::Merging => (
                l.pick(
                    "merging in one transaction (Ctrl-C waits for it)",
                    "在一个事务中合并（Ctrl-C 将等待其完成）",
                ),
                "{spinner} {msg} [{elapsed}]",
            ),
            Stage::Encrypt => (l.pick("encrypting", "加密"), "{spinner} {msg} [{elapsed}]"),
            Stage::Decrypt => (
                l.pick("decrypting", "解密"),
                "{spinner} {msg} {bytes} {bytes_per_sec} [{elapsed}]",
            ),
        };
        let bar = ProgressBar::new(total);
        bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
        bar.set_message(msg);
        if !bar.is_hidden() {
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
        }
        bar
    }
}
