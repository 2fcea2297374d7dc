//! A sync with nothing new either way, answered without opening the
//! database: what sync did last is kept beside the database (the remote,
//! and every ref of the sync repository when it ended), and it stays true
//! only while nobody opens or writes the database — opening it, or any
//! write after the sync, removes the file ([`crate::store::QUIET_SYNC`]). The next sync fetches as always; when
//! the fetch brought nothing (every ref as it was when that sync ended),
//! nothing can be new in either direction: the database holds what every
//! ref says, your refs hold every operation, and the remote has them.
//! Then the report is "nothing new" after one `git fetch`, instead of a
//! fetch plus opening a database of a million keys. Anything else —
//! a ref moved, the fetch failed, the file is missing or from another
//! build — goes the whole way. It is not kept after a sync that joined an
//! engagement (its programme is joined by the next one), nor when a
//! tracking ref moved after the sync read it (a quick sync's fetch beside
//! it: that fetch holds no lock). What it does not re-check: the database
//! files themselves (a `db` folder restored from an older copy is found by
//! the next open, not by a quick sync) and evidence files deleted by hand
//! (fetched again by the next full sync).

use super::repo::Repo;
use super::{SyncReport, fetch_args, git_stoppable};
use crate::app::{App, Remote};
use crate::store::QUIET_SYNC;
use std::path::Path;

/// What the last sync left, and what it depended on.
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct Kept {
    build: String,
    /// The remote asked for (`None`: the only one).
    asked: Option<String>,
    /// The operations the database acknowledged (its watermark).
    committed: Option<String>,
    name: String,
    url: String,
    /// Every ref of the sync repository and its commit.
    refs: Vec<(String, String)>,
}

fn committed(data_dir: &Path) -> Option<String> {
    std::fs::read_to_string(data_dir.join("committed")).ok()
}

fn all_refs(repo: &Repo) -> Option<Vec<(String, String)>> {
    let refs = repo.refs("refs/").ok()?;
    Some(refs.into_iter().map(|(n, id)| (n, id.to_string())).collect())
}

/// Keep what this sync left (called with the database still open, at the
/// end of a sync that refused, skipped and left out nothing). Only a copy:
/// when it cannot be kept, the next sync goes the whole way.
pub(super) fn remember(
    app: &App,
    data_dir: &Path,
    asked: Option<&str>,
    remote: &Remote,
    repo: &Path,
    read: &[(String, gix::ObjectId)],
) {
    // Read again: a quick sync's fetch beside this one (it holds no lock)
    // may have moved a tracking ref after this sync read it. Kept only when
    // every tracking ref is as this sync read and merged it.
    let Ok(repo) = Repo::open_or_init(repo) else {
        return;
    };
    let Some(refs) = all_refs(&repo) else {
        return;
    };
    let prefix = super::tracking(&remote.name);
    let now: Vec<(String, String)> = refs.iter().filter(|(n, _)| n.starts_with(&prefix)).cloned().collect();
    let then: Vec<(String, String)> = read.iter().map(|(n, id)| (n.clone(), id.to_string())).collect();
    if now != then {
        return;
    }
    let kept = Kept {
        build: env!("CARGO_PKG_VERSION").to_string(),
        asked: asked.map(str::to_string),
        committed: committed(data_dir),
        name: remote.name.clone(),
        url: remote.url.clone(),
        refs,
    };
    if let Ok(bytes) = serde_json::to_vec(&kept) {
        app.keep_quiet_sync(&bytes);
    }
}

/// Sync with `asked` (or the only remote) without opening the database,
/// when the fetch brings nothing: the report of a sync with nothing new.
/// `None`: go the whole way ([`super::sync`]).
pub fn sync_unopened(data_dir: &Path, asked: Option<&str>) -> Option<SyncReport> {
    let bytes = std::fs::read(data_dir.join(QUIET_SYNC)).ok()?;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    if kept.build != env!("CARGO_PKG_VERSION")
        || kept.asked.as_deref() != asked
        || kept.committed != committed(data_dir)
    {
        return None;
    }
    let path = data_dir.join("sync.git");
    if !path.join("HEAD").is_file() {
        return None;
    }
    let args = fetch_args(&kept.name, &kept.url, false);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    git_stoppable(&path, &args, &|| false).ok()?;
    // Opened after the fetch: gix reads the refs as they were when it opened.
    let repo = Repo::open_or_init(&path).ok()?;
    if all_refs(&repo)? != kept.refs {
        return None;
    }
    // Nobody opened the database while the fetch ran (the file is still there).
    if std::fs::read(data_dir.join(QUIET_SYNC)).ok()? != bytes {
        return None;
    }
    Some(SyncReport {
        remote: kept.name,
        ..Default::default()
    })
}
