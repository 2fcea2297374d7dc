//! Findings bundles: one `.zip` that carries an auditor's work to a teammate
//! (`ops.jsonl`, merged on import) and can be opened anywhere
//! (`findings.json`, the evidence files). `manifest.json` lists every other
//! file with its sha256 and size; import checks all of it before anything
//! is written (see `import.rs`).
//! The reports inside it are written by `crate::report`.

mod export;
mod import;
mod send;

pub(crate) use export::engagement_ops_of;
pub(crate) use import::check_names as check_op_names;
pub(crate) use import::check_ops as check_ops_for_sync;

pub use export::{ExportOptions, ExportReport, export, export_with_progress};
pub use import::{ImportReport, Limits, import, import_with_limits, import_with_progress};
pub use send::{Sent, send_requests};

/// Written beside the target, then renamed: never a half-written file.
pub fn write_whole(out_file: &std::path::Path, bytes: &[u8]) -> crate::app::Result<()> {
    let tmp = out_file.with_extension("partial");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, out_file))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            crate::app::AppError::Io {
                path: out_file.to_path_buf(),
                source,
            }
        })
}

/// What a long export or import is doing, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Export: the operations and the reports (`done` of `total` files).
    Reports,
    /// Export: evidence files copied in (bytes).
    Evidence,
    /// Import: every entry read and hashed (bytes, uncompressed).
    Checking,
    /// Import: the operations merged in one transaction (no counts; it
    /// cannot be interrupted).
    Merging,
    /// Export: the finished zip encrypted (bytes written, at the end).
    Encrypt,
    /// Import: an encrypted bundle decrypted to a private temporary file (bytes).
    Decrypt,
}

/// Told the stage and its `done`/`total`; returns `false` to stop (an
/// export removes its partial file, an import has written nothing yet).
pub type Progress<'a> = &'a (dyn Fn(Stage, u64, u64) -> bool + Sync);

/// A progress that never stops anything.
pub fn no_progress(_: Stage, _: u64, _: u64) -> bool {
    true
}

/// A reader that reports the bytes read through it every MiB and fails
/// with a marked error when the progress says stop.
pub(crate) struct Counting<'a, R> {
    pub inner: R,
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
    pub last: u64,
    pub progress: Progress<'a>,
    pub stopped: bool,
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.done - self.last >= 1 << 20 || n == 0 {
            self.last = self.done;
            if !(self.progress)(self.stage, self.done, self.total) {
                self.stopped = true;
                return Err(std::io::Error::other("cancelled"));
            }
        }
        Ok(n)
    }
}

use serde::{Deserialize, Serialize};

/// The `format` field of every manifest.
pub const FORMAT: &str = "cscaudit-findings-bundle";
/// The manifest version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub engagement: String,
    /// Who exported (actor id).
    pub exporter: String,
    /// RFC 3339 time of export.
    pub created: String,
    pub catalog: CatalogRef,
    /// Operations in `ops.jsonl`, and per actor the sequence numbers included.
    pub ops: usize,
    /// Set on an incremental bundle: the operations are those after this
    /// one (`actor#seq`); the receiver must hold the engagement already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub op_range: Vec<ActorRange>,
    /// Every other file of the bundle.
    pub files: Vec<FileEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogRef {
    pub id: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActorRange {
    pub actor: String,
    pub first: u64,
    pub last: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

pub(crate) fn engagement_of_id(e: &crate::model::ops::EntityId) -> Option<&str> {
    e.engagement_in_id()
}
