//! What can go wrong in the store, as typed errors. The words for the user
//! (in zh-CN and English) are chosen by the app layer.

use super::codec::CodecError;
use std::path::PathBuf;

/// The `Display` forms are terse, for logs and developers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("locked: {}", .path.display())]
    Locked { path: PathBuf },
    #[error("schema {found} > {supported}: {}", .path.display())]
    NewerSchema { path: PathBuf, found: u16, supported: u16 },
    #[error("corrupt: {}: {what}", .path.display())]
    Corrupt { path: PathBuf, what: String },
    /// The database holds fewer operations than it acknowledged before.
    #[error("lost: {}: {held} of {recorded} ops", .path.display())]
    Lost { path: PathBuf, recorded: u64, held: u64 },
    #[error("sled: {}: {source}", .path.display())]
    Sled { path: PathBuf, source: sled::Error },
    #[error("io: {}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// The commit's signature could not be made: nothing was written.
    #[error("sign: {0}")]
    Sign(String),
    /// Stopped at the caller's request (progress returned false): nothing changed.
    #[error("interrupted")]
    Interrupted,
    /// A compacted copy did not read back equal to the database: it was
    /// removed and the database left as it was.
    #[error("copy differs: {}", .path.display())]
    CopyDiffers { path: PathBuf },
}

pub type Result<T> = std::result::Result<T, StoreError>;
