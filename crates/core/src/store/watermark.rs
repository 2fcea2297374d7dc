//! An independent record of how many operations the database has
//! acknowledged: `committed` beside the sled folder, rewritten in place and
//! synced after every commit and merge. Opening a database that holds fewer
//! operations than it once acknowledged (a truncated file, a bad disk, a
//! restored old copy) is refused instead of silently showing less.

use super::{Result, StoreError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Fixed width, so the file is always rewritten whole in one write.
const WIDTH: usize = 20;

pub struct Watermark {
    path: PathBuf,
    file: std::fs::File,
}

impl Watermark {
    /// Open (or create) the watermark beside the database and check it
    /// against the operations the database holds.
    pub fn check(dir: &Path, held: u64) -> Result<Watermark> {
        let path = dir.join("committed");
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        let recorded = holds_what_it_acknowledged(dir, &text, held)?;
        let mut w = Watermark { path, file };
        if held != recorded || text.len() != WIDTH + 1 {
            w.record(held)?;
        }
        Ok(w)
    }

    /// Check without writing (a database opened from a copy): the
    /// database holds at least what it acknowledged.
    pub fn verify(dir: &Path, held: u64) -> Result<()> {
        let path = dir.join("committed");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        holds_what_it_acknowledged(dir, &text, held).map(|_| ())
    }

    /// Record that `ops` operations are acknowledged (synced before returning).
    pub fn record(&mut self, ops: u64) -> Result<()> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        self.file.write_all(format!("{ops:0WIDTH$}\n").as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// The count `text` records (0 when unreadable), or [`StoreError::Lost`]
/// when the database holds fewer operations than that.
fn holds_what_it_acknowledged(dir: &Path, text: &str, held: u64) -> Result<u64> {
    let recorded: u64 = text.trim().parse().unwrap_or(0);
    if held < recorded {
        return Err(StoreError::Lost {
            path: dir.join("db"),
            recorded,
            held,
        });
    }
    Ok(recorded)
}
