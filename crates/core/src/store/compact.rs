//! `doctor --compact`: write the database again without its free space.
//!
//! sled never gives back the space of pages it rewrote: the file only grows,
//! and every open marks each free segment of it (512 KiB) with a full write,
//! then syncs them. After a migration or a large import a database of 100,000
//! findings spends most of its open in that. A fresh copy holds only live
//! data: it opens in a fraction of the time and takes less disk.

use super::{Result, Store, StoreError};
use std::path::{Path, PathBuf};

/// What a compaction did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CompactReport {
    /// sled's files before and after, in bytes.
    pub before: u64,
    pub after: u64,
    /// Keys copied (every tree).
    pub keys: u64,
    /// Trees copied.
    pub trees: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Sync a folder, so the renames in it are on disk.
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

impl Store {
    /// Bytes sled's files take on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(|e| self.sled_err(e))
    }

    /// Copy every tree into a fresh database in `DATA/.compact`, compare the
    /// copy with the original key by key, then swap it in: the old folder is
    /// renamed aside while this handle still holds its lock (no other
    /// process can open it meanwhile), the copy renamed into place, and the
    /// old folder removed. On any error the copy is removed and the database
    /// is as it was. `progress(keys, bytes)` is called as keys are copied;
    /// it returns false to stop (nothing changes).
    pub fn compact(self, progress: &mut dyn FnMut(u64, u64) -> bool) -> Result<CompactReport> {
        self.writable()?;
        let db_dir = self.path.clone();
        let data_dir = db_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let work = data_dir.join(".compact");
        let before = self.size_on_disk()?;
        self.flush()?;
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(io(&work))?;
        let copied = self.copy_into(&work.join("db"), progress);
        let (keys, trees) = match copied {
            Ok(x) => x,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&work);
                return Err(e);
            }
        };
        // Swap. The old folder is renamed while this handle holds its lock.
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
        let aside = data_dir.join(format!(".db.before-compact-{stamp}"));
        std::fs::rename(&db_dir, &aside).map_err(io(&db_dir))?;
        if let Err(source) = std::fs::rename(work.join("db"), &db_dir) {
            // Put the old one back: nothing changed.
            let _ = std::fs::rename(&aside, &db_dir);
            let _ = std::fs::remove_dir_all(&work);
            return Err(StoreError::Io { path: db_dir, source });
        }
        sync_dir(&data_dir)?;
        drop(self);
        let _ = std::fs::remove_dir_all(&aside);
        let _ = std::fs::remove_dir_all(&work);
        let after = Store::open(&data_dir)?.size_on_disk()?;
        Ok(CompactReport {
            before,
            after,
            keys,
            trees,
        })
    }

    /// Every tree into a new database at `path`, synced and compared with
    /// this one: (keys, trees).
    fn copy_into(&self, path: &Path, progress: &mut dyn FnMut(u64, u64) -> bool) -> Result<(u64, usize)> {
        let sled_err = |source| StoreError::from_sled(path.to_path_buf(), source);
        let new = sled::Config::new()
            .path(path)
            .cache_capacity(64 << 20)
            .open()
            .map_err(sled_err)?;
        let (mut keys, mut bytes) = (0u64, 0u64);
        let names = self.db.tree_names();
        for name in &names {
            let from = self.db.open_tree(name).map_err(|e| self.sled_err(e))?;
            let to = new.open_tree(name).map_err(sled_err)?;
            if !progress(keys, bytes) {
                return Err(StoreError::Interrupted);
            }
            // One insert at a time, in key order: batches leave sled more
            // rewritten pages (free segments) in the copy than they save.
            for kv in from.iter() {
                let (k, v) = kv.map_err(|e| self.sled_err(e))?;
                bytes += (k.len() + v.len()) as u64;
                keys += 1;
                to.insert(k, v).map_err(sled_err)?;
                if keys % 4096 == 0 && !progress(keys, bytes) {
                    return Err(StoreError::Interrupted);
                }
            }
        }
        new.flush().map_err(sled_err)?;
        // The copy equals the original, key by key and value by value.
        for name in &names {
            let a = self.db.open_tree(name).map_err(|e| self.sled_err(e))?;
            let b = new.open_tree(name).map_err(sled_err)?;
            let mut ib = b.iter();
            for kv in a.iter() {
                let (k, v) = kv.map_err(|e| self.sled_err(e))?;
                match ib.next() {
                    Some(Ok((k2, v2))) if k2 == k && v2 == v => {}
                    Some(Err(e)) => return Err(sled_err(e)),
                    _ => {
                        return Err(StoreError::CopyDiffers {
                            path: path.to_path_buf(),
                        });
                    }
                }
            }
            if ib.next().is_some() {
                return Err(StoreError::CopyDiffers {
                    path: path.to_path_buf(),
                });
            }
        }
        drop(new);
        std::fs::File::open(path.join("db"))
            .and_then(|f| f.sync_all())
            .map_err(io(path))?;
        sync_dir(path)?;
        Ok((keys, names.len()))
    }
}
