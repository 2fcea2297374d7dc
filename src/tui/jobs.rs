//! Long work off the UI thread, so the screen answers keys while it runs:
//!
//! - recomputing metrics from a call-record file and hashing an evidence
//!   file need no database (app::compute_metrics, app::stage_evidence_file);
//!   their result is recorded on the UI thread through the app layer, which
//!   is quick;
//! - export, import and sync need the database: the worker opens it with an
//!   app of its own ([`App::worker`]), as another cscaudit process would
//!   (the UI lets go of it meanwhile and refuses other changes until the
//!   job ends), and waits for it there, not on the UI thread.
//!
//! A progress line shows how far a job is; Esc cancels (nothing is
//! recorded, a partial file is removed; an import or a sync that has begun
//! to merge finishes). Every job, running or finished, is listed in the
//! tasks view; a finished one is a notification until it has been seen.

use crate::analytics::metrics::{Format, MetricsReport, Params};
use crate::app::{App, AppError, MetricTarget, StagedFile};
use crate::bundle::{ExportReport, ImportReport, Stage};
use crate::config::Lang;
use crate::model::catalog::Catalog;
use crate::model::ops::EntityId;
use crate::sync::SyncReport;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How far a job is, and whether the user asked it to stop.
#[derive(Debug)]
pub struct Work {
    pub label: String,
    /// What is going through now (0 when unknown): bytes, or files when
    /// `files` is set.
    total: AtomicU64,
    done: AtomicU64,
    files: AtomicBool,
    /// The stage's words (en, zh), when the job has stages.
    stage: std::sync::Mutex<Option<(&'static str, &'static str)>>,
    cancel: AtomicBool,
    /// Whether the job holds the database (export, import, sync).
    pub database: bool,
    pub started: std::time::Instant,
}

impl Work {
    pub fn new(label: impl Into<String>, total: u64) -> Arc<Work> {
        Work::made(label.into(), total, false)
    }

    fn made(label: String, total: u64, database: bool) -> Arc<Work> {
        Arc::new(Work {
            label,
            total: AtomicU64::new(total),
            done: AtomicU64::new(0),
            files: AtomicBool::new(false),
            stage: std::sync::Mutex::new(None),
            cancel: AtomicBool::new(false),
            database,
            started: std::time::Instant::now(),
        })
    }

    /// Note progress; `false` once cancelled (the work then stops).
    pub fn progress(&self, done: u64) -> bool {
        self.done.store(done, Ordering::Relaxed);
        !self.cancelled()
    }

    /// Note a bundle's stage and how far it is; `false` once cancelled.
    pub fn staged(&self, stage: Stage, done: u64, total: u64) -> bool {
        let words = match stage {
            Stage::Reports => ("writing operations and reports", "写出操作与报告"),
            Stage::Evidence => ("copying evidence", "复制证据"),
            Stage::Checking => ("checking every file", "校验每个文件"),
            Stage::Merging => ("merging (cannot be cancelled now)", "合并中（此时无法取消）"),
            Stage::Encrypt => ("encrypting", "加密"),
            Stage::Decrypt => ("decrypting", "解密"),
        };
        *self.stage.lock().unwrap_or_else(|p| p.into_inner()) = Some(words);
        self.files.store(matches!(stage, Stage::Reports), Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.progress(done)
    }

    /// The stage's words, if the job has stages.
    pub fn stage(&self, zh: bool) -> Option<&'static str> {
        let s = *self.stage.lock().unwrap_or_else(|p| p.into_inner());
        s.map(|(en, z)| if zh { z } else { en })
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Whether `done`/`total` count files rather than bytes.
    pub fn counts_files(&self) -> bool {
        self.files.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Percent done, when the total is known.
    pub fn percent(&self) -> Option<u64> {
        let total = self.total();
        (total > 0).then(|| (self.done().min(total) * 100) / total)
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
    /// A record source's file (complaints, survey…) in its generic layout.
    Source {
        engagement: String,
        indicator: String,
        source: &'static str,
        file: PathBuf,
        period: (Option<jiff::civil::Date>, Option<jiff::civil::Date>),
        today: jiff::civil::Date,
    },
    Evidence {
        engagement: String,
        evidence_dir: PathBuf,
        file: PathBuf,
        note: String,
        indicator: Option<String>,
        finding: Option<String>,
    },
    /// Write the engagement's findings bundle.
    Export {
        engagement: String,
        path: PathBuf,
        no_evidence: bool,
        /// The reports' language.
        lang: crate::config::Lang,
        /// Sealed to these keys or this passphrase (age), or not at all.
        encrypt: Option<Arc<crate::crypto::seal::To>>,
    },
    /// Send the evidence requests to an auditee contact: drafts opened, the
    /// bundle encrypted to them and the sender, the list beside it.
    SendRequests {
        engagement: String,
        addressee: String,
        out: PathBuf,
        lang: crate::config::Lang,
    },
    /// Read a findings bundle; `passphrase` opens one sealed to a passphrase.
    Import {
        path: PathBuf,
        /// Never printed (`SecretString`'s Debug hides it).
        passphrase: Option<age::secrecy::SecretString>,
    },
    /// Sync with every remote in turn.
    Sync,
}

/// A sync round in words: each remote's line (its whole report to read),
/// then what stopped the round, if anything; a cancel before the merge
/// changed nothing, one while pushing kept what merged.
fn synced(reports: &[SyncReport], failed: Option<&AppError>, lang: Lang) -> Said {
    let mut short: Vec<String> = reports.iter().map(|r| r.short(lang)).collect();
    let mut full: Vec<String> = reports.iter().map(|r| r.summary(lang)).collect();
    if reports.iter().any(|r| r.push_cancelled) {
        short.insert(
            0,
            lang.pick(
                "Sync cancelled while pushing: what merged stays, the next sync pushes",
                "同步在推送时取消：已合并的保留，下次同步推送",
            )
            .into(),
        );
    }
    let ok = match failed {
        None => true,
        Some(e) => {
            let cancelled = matches!(e, AppError::Cancelled);
            let why = if cancelled {
                lang.pick(
                    "Sync cancelled: what was merged before stays; the next sync pushes your changes",
                    "同步已取消：此前已合并的内容保留；下次同步会推送您的更改",
                )
                .to_string()
            } else {
                e.message().get(lang).to_string()
            };
            short.push(why.clone());
            full.push(why);
            cancelled
        }
    };
    // A lone line needs no popup of its own.
    let full = (!reports.is_empty()).then(|| full.join("\n\n"));
    Said {
        ok,
        short: short.join(" · "),
        full,
    }
}

/// Computed figures waiting for the user's word (records outside the period).
#[derive(Debug)]
pub struct PendingMetrics {
    pub engagement: String,
    pub target: MetricTarget,
    pub report: Box<MetricsReport>,
}

/// A job in the tasks view: running (no outcome yet) or finished.
#[derive(Debug)]
pub struct Task {
    pub work: Arc<Work>,
    pub outcome: Option<Outcome>,
}

/// How a job ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    /// One line for the status bar and the list.
    pub short: String,
    /// The whole report (Enter in the tasks view).
    pub full: String,
    pub took: std::time::Duration,
}

/// The tasks view keeps this many jobs.
pub const TASKS_KEPT: usize = 50;

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
    Source {
        engagement: String,
        indicator: String,
        result: Result<Box<crate::app::sources::Computed>, AppError>,
    },
    Evidence {
        engagement: String,
        note: String,
        indicator: Option<String>,
        finding: Option<String>,
        result: Result<StagedFile, AppError>,
    },
    Export {
        result: Result<ExportReport, AppError>,
    },
    /// The requests sent; `touched`: the requests it opened.
    Sent {
        result: Result<crate::bundle::Sent, AppError>,
        touched: Option<Vec<EntityId>>,
    },
    /// `touched`: the records the merge wrote (see [`App::take_touched`]),
    /// when it ran on an app of its own.
    Import {
        result: Result<ImportReport, AppError>,
        touched: Option<Vec<EntityId>>,
    },
    /// Each remote's report, and the error that stopped the round (if any).
    Sync {
        reports: Vec<SyncReport>,
        failed: Option<AppError>,
        touched: Option<Vec<EntityId>>,
    },
}

/// How a job's end is said: whether it went well, one line, and the whole
/// report when there is more to read (a sync's).
#[derive(Debug)]
pub struct Said {
    pub ok: bool,
    pub short: String,
    pub full: Option<String>,
}

impl Said {
    pub fn ok(short: String) -> Said {
        Said {
            ok: true,
            short,
            full: None,
        }
    }

    /// A job that failed; a cancelled one went as asked.
    pub fn failed(e: &AppError, lang: Lang) -> Said {
        match e {
            AppError::Cancelled => Said::ok(crate::tui::i18n::Label::Cancelled.t(lang).to_string()),
            e => Said {
                ok: false,
                short: e.message().get(lang).to_string(),
                full: None,
            },
        }
    }

    pub fn input(self) -> crate::tui::state::Input {
        crate::tui::state::Input::Finished {
            ok: self.ok,
            short: self.short,
            full: self.full,
        }
    }
}

impl JobOutput {
    /// What export, import and sync came to, in words (no database needed);
    /// `None` for the jobs whose result is recorded first (metrics, evidence).
    pub fn said(&self, lang: Lang) -> Option<Said> {
        Some(match self {
            JobOutput::Metrics { .. } | JobOutput::Source { .. } | JobOutput::Evidence { .. } => return None,
            JobOutput::Panicked => Said {
                ok: false,
                short: crate::tui::i18n::Label::JobPanicked.t(lang).to_string(),
                full: None,
            },
            JobOutput::Export { result: Ok(r) } => Said::ok(r.summary(lang)),
            JobOutput::Import { result: Ok(r), .. } => Said::ok(match r.joined_line(lang) {
                Some(joined) => format!("{joined} · {}", r.summary(lang)),
                None => r.summary(lang),
            }),
            JobOutput::Sent { result: Ok(s), .. } => Said::ok(s.summary(lang)),
            JobOutput::Export { result: Err(e) }
            | JobOutput::Import { result: Err(e), .. }
            | JobOutput::Sent { result: Err(e), .. } => Said::failed(e, lang),
            JobOutput::Sync { reports, failed, .. } => synced(reports, failed.as_ref(), lang),
        })
    }

    /// The records a worker's own app wrote, for the UI's app to read again.
    pub fn with_touched(mut self, records: Option<Vec<EntityId>>) -> JobOutput {
        if let JobOutput::Import { touched, .. } | JobOutput::Sync { touched, .. } | JobOutput::Sent { touched, .. } =
            &mut self
        {
            *touched = records;
        }
        self
    }
}

impl Job {
    /// How the job's app asks for a passphrase: the one typed in the import
    /// form, if any (the TUI owns the terminal: nothing is asked there).
    pub fn passphrase(&self) -> Option<crate::crypto::seal::Ask> {
        let Job::Import {
            passphrase: Some(p), ..
        } = self
        else {
            return None;
        };
        let p = p.clone();
        Some(Arc::new(move |_: &str| Some(p.clone())))
    }

    /// Whether the job needs the database (it then runs on an app of its own).
    pub fn needs_database(&self) -> bool {
        matches!(
            self,
            Job::Export { .. } | Job::Import { .. } | Job::Sync | Job::SendRequests { .. }
        )
    }

    /// The job's progress, named (sanitised) for the progress line and the
    /// tasks view; a file read whole gives its size as the total.
    pub fn work(&self, zh: bool) -> Arc<Work> {
        let pick = |en: &'static str, z: &'static str| if zh { z } else { en };
        let shown = |p: &std::path::Path| crate::text::visible(&p.display().to_string()).into_owned();
        let file_name = |p: &std::path::Path| {
            p.file_name()
                .map(|n| crate::text::visible(&n.to_string_lossy()).into_owned())
                .unwrap_or_default()
        };
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
        match self {
            Job::Export { path, .. } => Work::made(format!("{} {}", pick("Exporting", "导出"), shown(path)), 0, true),
            Job::Import { path, .. } => Work::made(format!("{} {}", pick("Importing", "导入"), shown(path)), 0, true),
            Job::SendRequests { out, .. } => Work::made(
                format!("{} {}", pick("Sending the requests into", "发出资料请求到"), shown(out)),
                0,
                true,
            ),
            Job::Sync => Work::made(pick("Syncing with the remotes", "与远程仓库同步").into(), 0, true),
            Job::Metrics { file, .. } | Job::Source { file, .. } => {
                Work::new(format!("{} {}", pick("Computing", "复算"), file_name(file)), size(file))
            }
            Job::Evidence { file, .. } => Work::new(
                format!("{} {}", pick("Hashing and storing", "计算哈希并保存"), file_name(file)),
                size(file),
            ),
        }
    }

    /// Do the work (on a worker thread, or inline in tests); `app` for the
    /// jobs that need the database.
    pub fn run(self, work: &Work, app: Option<&App>) -> JobOutput {
        let staged = |stage: Stage, done: u64, total: u64| work.staged(stage, done, total);
        let Some(app) = app.filter(|_| self.needs_database()) else {
            return self.run_alone(work);
        };
        match self {
            Job::Export {
                engagement,
                path,
                no_evidence,
                lang,
                encrypt,
            } => {
                let opts = crate::bundle::ExportOptions {
                    no_evidence,
                    lang,
                    since: None,
                    encrypt,
                };
                JobOutput::Export {
                    result: crate::bundle::export_with_progress(app, &engagement, &path, &opts, &staged),
                }
            }
            Job::Import { path, .. } => JobOutput::Import {
                result: crate::bundle::import_with_progress(app, &path, &crate::bundle::Limits::default(), &staged),
                touched: Some(Vec::new()),
            },
            Job::SendRequests {
                engagement,
                addressee,
                out,
                lang,
            } => JobOutput::Sent {
                result: crate::bundle::send_requests(app, &engagement, Some(&addressee), &out, lang),
                touched: Some(Vec::new()),
            },
            Job::Sync => {
                let mut reports = Vec::new();
                let mut failed = None;
                match app.remotes() {
                    Ok(remotes) => {
                        for r in &remotes {
                            match crate::sync::sync_stoppable(app, Some(&r.name), &|| work.cancelled()) {
                                Ok(rep) => reports.push(rep),
                                Err(e) => {
                                    failed = Some(e);
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => failed = Some(e),
                }
                JobOutput::Sync {
                    reports,
                    failed,
                    touched: Some(Vec::new()),
                }
            }
            other => other.run_alone(work),
        }
    }

    /// What the job comes to when it cannot start (the database could not
    /// be opened, or the wait for it was cancelled).
    pub fn failed(self, e: AppError) -> JobOutput {
        match self {
            Job::Metrics {
                engagement, indicator, ..
            } => JobOutput::Metrics {
                engagement,
                target: MetricTarget::One(indicator),
                result: Err(e),
            },
            Job::Source {
                engagement, indicator, ..
            } => JobOutput::Source {
                engagement,
                indicator,
                result: Err(e),
            },
            Job::Evidence {
                engagement,
                note,
                indicator,
                finding,
                ..
            } => JobOutput::Evidence {
                engagement,
                note,
                indicator,
                finding,
                result: Err(e),
            },
            Job::Export { .. } => JobOutput::Export { result: Err(e) },
            Job::SendRequests { .. } => JobOutput::Sent {
                result: Err(e),
                touched: Some(Vec::new()),
            },
            Job::Import { .. } => JobOutput::Import {
                result: Err(e),
                touched: Some(Vec::new()),
            },
            Job::Sync => JobOutput::Sync {
                reports: Vec::new(),
                failed: Some(e),
                touched: Some(Vec::new()),
            },
        }
    }

    /// The jobs that need no database (and, without one, those that do: they
    /// say so).
    fn run_alone(self, work: &Work) -> JobOutput {
        let progress = |n: u64| work.progress(n);
        match self {
            j @ (Job::Export { .. } | Job::Import { .. } | Job::Sync | Job::SendRequests { .. }) => j.failed(
                AppError::Invalid(crate::msg!("the database is not open", "数据库未打开")),
            ),
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
            Job::Source {
                engagement,
                indicator,
                source,
                file,
                period,
                today,
            } => JobOutput::Source {
                engagement,
                indicator,
                result: crate::app::sources::compute_generic(source, &file, period.0, period.1, today).map(Box::new),
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
