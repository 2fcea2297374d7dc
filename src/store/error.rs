//! What can go wrong in the store, as typed errors. The words for the user
//! (in zh-CN and English) are chosen by the app layer.

use super::codec::CodecError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {} is in use by another cscaudit process; close it first", .path.display())]
    Locked { path: PathBuf },
    #[error(
        "the database {} was written by a newer cscaudit (schema {found}, this build supports {supported}); nothing was changed — upgrade cscaudit to open it",
        .path.display()
    )]
    NewerSchema { path: PathBuf, found: u16, supported: u16 },
    #[error("the database {} is damaged: {what}", .path.display())]
    Corrupt { path: PathBuf, what: String },
    #[error("database error at {}: {source}", .path.display())]
    Sled { path: PathBuf, source: sled::Error },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Codec(#[from] CodecError),
}

pub type Result<T> = std::result::Result<T, StoreError>;
