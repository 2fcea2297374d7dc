//! Long work off the UI thread: recomputing metrics from a large call-record
//! file, streaming and hashing an evidence file. The part that takes long
//! needs no database (app::compute_metrics, app::stage_evidence_file), so it
//! runs on a worker thread while the UI keeps drawing and taking keys (and
//! other cscaudit processes may use the database); its result is then
//! recorded on the UI thread through the app layer, which is quick. A
//! progress line shows how far it is; Esc cancels (nothing is recorded, the
//! partial copy is removed).

use crate::analytics::metrics::{Format, MetricsReport, Params};
use crate::app::{AppError, MetricTarget, StagedFile};
use crate::model::catalog::Catalog;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How far a job is, and whether the user asked it to stop.
#[derive(Debug)]
pub struct Work {
    pub label: String,
    /// Bytes to go through (0 when unknown).
    pub total: u64,
    done: AtomicU64,
    cancel: AtomicBool,
}

impl Work {
    pub fn new(label: impl Into<String>, total: u64) -> Arc<Work> {
        Arc::new(Work {
            label: label.into(),
            total,
            done: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
        })
    }

    /// Note progress; `false` once cancelled (the work then stops).
    pub fn progress(&self, done: u64) -> bool {
        self.done.store(done, Ordering::Relaxed);
        !self.cancelled()
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Percent done, when the total is known.
    pub fn percent(&self) -> Option<u64> {
        (self.total > 0).then(|| (self.done().min(self.total) * 100) / self.total)
    }
}

/// A piece of long work, with what recording its result needs.
#[derive(Debug)]
pub enum Job {
    Metrics {
        engagement: String,
        indicator: String,
        file: PathBuf,
        catalog: Box<Catalog>,
    },
    Evidence {
        engagement: String,
        evidence_dir: PathBuf,
        file: PathBuf,
        note: String,
        indicator: Option<String>,
        finding: Option<String>,
    },
}

/// Computed figures waiting for the user's word (records outside the period).
#[derive(Debug)]
pub struct PendingMetrics {
    pub engagement: String,
    pub target: MetricTarget,
    pub report: Box<MetricsReport>,
}

/// The worker threads' name (the panic hook leaves the terminal alone for them).
pub const WORKER: &str = "cscaudit-work";

/// What a job produced, to be recorded on the UI thread.
#[derive(Debug)]
pub enum JobOutput {
    /// The work panicked (a bug): a crash report was written, nothing recorded.
    Panicked,
    Metrics {
        engagement: String,
        target: MetricTarget,
        result: Result<Box<MetricsReport>, AppError>,
    },
    Evidence {
        engagement: String,
        note: String,
        indicator: Option<String>,
        finding: Option<String>,
        result: Result<StagedFile, AppError>,
    },
}

impl Job {
    /// The progress line's words and the bytes to go through.
    pub fn describe(&self, zh: bool) -> (String, u64) {
        let (file, what) = match self {
            Job::Metrics { file, .. } => (file, if zh { "复算" } else { "Computing" }),
            Job::Evidence { file, .. } => (
                file,
                if zh {
                    "计算哈希并保存"
                } else {
                    "Hashing and storing"
                },
            ),
        };
        let name = file
            .file_name()
            .map(|n| crate::text::visible(&n.to_string_lossy()).into_owned())
            .unwrap_or_default();
        let total = std::fs::metadata(file).map_or(0, |m| m.len());
        (format!("{what} {name}"), total)
    }

    /// Do the work (on a worker thread, or inline in tests).
    pub fn run(self, work: &Work) -> JobOutput {
        let progress = |n: u64| work.progress(n);
        match self {
            Job::Metrics {
                engagement,
                indicator,
                file,
                catalog,
            } => JobOutput::Metrics {
                engagement,
                target: MetricTarget::One(indicator),
                result: crate::app::compute_metrics(
                    &catalog,
                    &[file],
                    &Format::AnonymousBank,
                    &Params::default(),
                    &progress,
                )
                .map(Box::new),
            },
            Job::Evidence {
                engagement,
                evidence_dir,
                file,
                note,
                indicator,
                finding,
            } => JobOutput::Evidence {
                engagement,
                note,
                indicator,
                finding,
                result: crate::app::stage_evidence_file(&evidence_dir, &file, &progress),
            },
        }
    }
}
