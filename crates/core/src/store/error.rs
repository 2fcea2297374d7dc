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
    /// The database was opened from a private copy because its disk is
    /// full or read-only: reads work, this write was refused.
    #[error("read-only ({why:?}): {}", .path.display())]
    ReadOnly { path: PathBuf, why: NoRoom },
}

impl StoreError {
    /// sled's failure at `path`, typed: data that cannot be read back is
    /// the database being damaged, whether found at open or at a later read.
    pub fn from_sled(path: PathBuf, source: sled::Error) -> StoreError {
        match source {
            sled::Error::Corruption { .. } => StoreError::Corrupt {
                path,
                what: "its files cannot be read back (truncated or damaged)".into(),
            },
            source => StoreError::Sled { path, source },
        }
    }

    /// The operating system's error underneath, when the store's (or
    /// sled's) failure was one: callers ask this instead of naming sled.
    pub fn os_error(&self) -> Option<&std::io::Error> {
        match self {
            StoreError::Sled {
                source: sled::Error::Io(io),
                ..
            } => Some(io),
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why a database cannot be written where it lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoRoom {
    /// No space left (or the quota reached).
    DiskFull,
    /// The file system is mounted read-only.
    ReadOnlyDisk,
}

/// No space left (or the quota reached) on the disk.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(e.kind(), K::StorageFull | K::QuotaExceeded) || e.raw_os_error() == Some(28)
}

/// A read-only file system.
pub fn is_read_only(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::ReadOnlyFilesystem || e.raw_os_error() == Some(30)
}

impl StoreError {
    /// This error means the disk has no room for a write (full or read-only).
    pub fn no_room(&self) -> Option<NoRoom> {
        let io = match self {
            StoreError::Sled {
                source: sled::Error::Io(io),
                ..
            } => io,
            StoreError::Io { source, .. } => source,
            StoreError::ReadOnly { why, .. } => return Some(*why),
            _ => return None,
        };
        if is_disk_full(io) {
            Some(NoRoom::DiskFull)
        } else if is_read_only(io) {
            Some(NoRoom::ReadOnlyDisk)
        } else {
            None
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
