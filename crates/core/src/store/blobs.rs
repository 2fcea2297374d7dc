//! The content-addressed evidence folder: `blobs/<aa>/<sha256>`. Files are
//! streamed (bounded memory whatever their size), written to a temporary
//! name, synced and renamed; a failure (a full disk) removes the partial file.
//! On Unix the folder is owner-only (0700) and each blob 0600.

use super::{Result, Store, StoreError};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Bytes read at a time when streaming a file into the blob folder.
const CHUNK: usize = 1 << 20;

fn owner_only_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Removes a temporary file unless told it was kept.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Store {
    /// Store bytes in the blob folder under their sha256; returns the hex digest.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        self.put_blob_from(&mut &bytes[..]).map(|(sha, _)| sha)
    }

    /// Stream a reader into the blob folder: (sha256, size).
    pub fn put_blob_from(&self, reader: &mut dyn Read) -> Result<(String, u64)> {
        self.writable()?;
        stream_into(&self.blobs, reader, &|_| true)
    }

    /// The blob folder (for [`stream_into`] on another thread).
    pub fn blobs_dir(&self) -> &Path {
        &self.blobs
    }

    pub fn blob_path(&self, sha: &str) -> PathBuf {
        blob_path_in(&self.blobs, sha)
    }
}

pub fn blob_path_in(blobs: &Path, sha: &str) -> PathBuf {
    let head = sha.get(..2).unwrap_or("00");
    blobs.join(head).join(sha)
}

/// Stream a reader into a blob folder: (sha256, size). Needs no database
/// (the folder is plain files), so long files are hashed on a worker thread.
/// `progress` gets the bytes so far; `false` stops, removing the partial
/// file, with an `Interrupted` error.
pub fn stream_into(
    blobs: &Path,
    reader: &mut dyn Read,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<(String, u64)> {
    {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        owner_only_dir(blobs).map_err(io(blobs))?;
        let tmp_path = blobs.join(format!(".incoming.{}.{}.tmp", std::process::id(), super::now_ms()));
        let mut f = create_owner_only(&tmp_path).map_err(io(&tmp_path))?;
        let mut guard = TempFile(Some(tmp_path.clone()));
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(&tmp_path)(e)),
            };
            hasher.update(&buf[..n]);
            f.write_all(&buf[..n]).map_err(io(&tmp_path))?;
            size += n as u64;
            if !progress(size) {
                return Err(io(&tmp_path)(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "cancelled",
                )));
            }
        }
        f.sync_all().map_err(io(&tmp_path))?;
        drop(f);
        let sha = hex::encode(hasher.finalize());
        let path = blob_path_in(blobs, &sha);
        if !path.exists() {
            let dir = path.parent().unwrap_or(blobs).to_path_buf();
            owner_only_dir(&dir).map_err(io(&dir))?;
            std::fs::rename(&tmp_path, &path).map_err(io(&path))?;
            guard.0 = None;
        }
        Ok((sha, size))
    }
}

impl Store {
    pub fn read_blob(&self, sha: &str) -> Result<Vec<u8>> {
        let path = self.blob_path(sha);
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        if hex::encode(Sha256::digest(&bytes)) != sha {
            return Err(self.corrupt(format!("evidence blob {sha} does not match its hash")));
        }
        Ok(bytes)
    }
}
