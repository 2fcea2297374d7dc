//! Findings bundles: one `.zip` that carries an auditor's work to a teammate
//! (`ops.jsonl`, merged on import) and can be opened anywhere
//! (`findings.json`, the evidence files). `manifest.json` lists every other
//! file with its sha256 and size; import checks all of it before anything
//! is written (see `import.rs`).
//! The reports inside it are written by `crate::report`.

mod export;
mod import;

pub use export::{ExportOptions, ExportReport, export};
pub use import::{ImportReport, Limits, import, import_with_limits};

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

/// Which engagement a record belongs to, as far as its id tells: findings
/// and actions are named by reference and say it in their `engagement`
/// field (`None` here).
pub(crate) fn engagement_of_id(e: &crate::model::ops::EntityId) -> Option<&str> {
    use crate::model::ops::Kind;
    match e.kind {
        Kind::Engagement => Some(&e.id),
        Kind::Member | Kind::Assessment | Kind::Evidence => e.id.split_once('/').map(|(eng, _)| eng),
        Kind::Finding | Kind::Action => None,
    }
}
