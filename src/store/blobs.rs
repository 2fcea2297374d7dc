//! The content-addressed evidence folder: `blobs/<aa>/<sha256>`.

use super::{Result, Store, StoreError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;

impl Store {
    /// Store bytes in the blob folder under their sha256; returns the hex digest.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.blob_path(&sha);
        if path.exists() {
            return Ok(sha);
        }
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let dir = path.parent().unwrap_or(&self.blobs).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io)?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(sha)
    }

    pub fn blob_path(&self, sha: &str) -> PathBuf {
        let head = sha.get(..2).unwrap_or("00");
        self.blobs.join(head).join(sha)
    }

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
