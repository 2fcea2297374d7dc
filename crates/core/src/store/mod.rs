//! The sled store: operations log, materialised records, indexes, conflicts and
//! the content-addressed evidence blob folder.
//!
//! Every write goes through [`Store::commit`] (local edits) or [`Store::merge`]
//! (a teammate's ops). Both append ops, re-fold the touched records and update
//! indexes in one sled transaction, then flush before returning.
//!
//! Length: the store's API over sled (open, commit, merge, the reads) in one
//! place; what stands alone is in keys, log, records, blobs and codec.

mod blobs;
mod compact;
pub use blobs::{blob_path_in, stream_into};
pub use compact::CompactReport;
pub mod codec;
mod error;
mod keys;
mod log;
pub mod migrate;
mod records;
mod retract;
mod watermark;

pub use error::{NoRoom, Result, StoreError, is_disk_full, is_read_only};
pub use keys::{IndexTag, SUMMARY_SEP};
pub use log::{Batch, BatchSigner, Heads, SeqSet};

use crate::model::ops::{Change, EntityId, Hlc, OpId};
use codec::{CodecError, SCHEMA_VERSION};
use keys::*;
use sled::transaction::TransactionError;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// sled leaves `snap.*.generating` behind when writing a snapshot fails (a
/// full disk) and then reads it at open and refuses the database (sled issue
/// #1527). Such a file is incomplete by definition: remove it — but only when
/// no other process has the database open (its snapshot may be in progress).
fn remove_incomplete_snapshots(db_dir: &Path) {
    let Ok(lock) = std::fs::File::open(db_dir.join("db")) else {
        return;
    };
    if lock.try_lock().is_err() {
        return;
    }
    if let Ok(entries) = std::fs::read_dir(db_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("snap.") && name.ends_with(".generating") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let _ = lock.unlock();
}

/// Remove private copies left by a process that was killed before it could
/// (`cscaudit-readonly-<pid>-…` whose process is gone; Linux, where
/// `/proc` tells).
fn remove_orphaned_copies(place: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(place) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("cscaudit-readonly-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Copy a sled folder (files and sub-folders; an incomplete snapshot left
/// by a failed write is skipped).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().ends_with(".generating") {
            continue;
        }
        let kind = e.file_type()?;
        if kind.is_dir() {
            copy_tree(&e.path(), &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// A change the app wants to make; the store gives it an id and a clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub entity: EntityId,
    pub change: Change,
    pub base: Option<OpId>,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MergeReport {
    pub received: usize,
    pub applied: usize,
    pub already_known: usize,
    pub records_touched: usize,
    pub new_conflicts: usize,
    /// Operations taken back (a removed member's batches the lead had not seen).
    pub retracted: usize,
}

impl MergeReport {
    /// Count another merge's work in with this one's.
    pub fn add(&mut self, o: &MergeReport) {
        self.received += o.received;
        self.applied += o.applied;
        self.already_known += o.already_known;
        self.records_touched += o.records_touched;
        self.new_conflicts += o.new_conflicts;
        self.retracted += o.retracted;
    }
}

/// What the database in `dir` (its `db` folder) holds, tree by tree: the
/// SHA-256 (hex) of every key and value in order. Two copies with the same
/// content compare equal whatever sled did to its files (snapshots,
/// background flushes); the tests compare data folders by it. `None`
/// while another process holds the database.
pub fn content_digest(dir: &std::path::Path) -> Option<Vec<(String, String)>> {
    use sha2::Digest;
    let db = sled::open(dir.join("db")).ok()?;
    let mut names = db.tree_names();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let tree = db.open_tree(&name).ok()?;
        let mut h = sha2::Sha256::new();
        for kv in tree.iter() {
            let (k, v) = kv.ok()?;
            h.update((k.len() as u64).to_be_bytes());
            h.update(&k);
            h.update((v.len() as u64).to_be_bytes());
            h.update(&v);
        }
        out.push((String::from_utf8_lossy(&name).into_owned(), hex::encode(h.finalize())));
    }
    Some(out)
}

/// For tests that play another process or a damaged disk: rewrite the
/// values of one tree of the database in `dir` in place, `edit` saying
/// whether it changed each; how many were changed. `None` while another
/// process holds the database.
#[doc(hidden)]
pub fn rewrite_tree(dir: &std::path::Path, tree: &str, mut edit: impl FnMut(&mut Vec<u8>) -> bool) -> Option<usize> {
    let db = sled::open(dir.join("db")).ok()?;
    let t = db.open_tree(tree).ok()?;
    let mut changed = 0;
    for kv in t.iter() {
        let (k, v) = kv.ok()?;
        let mut v = v.to_vec();
        if edit(&mut v) {
            t.insert(k, v).ok()?;
            changed += 1;
        }
    }
    db.flush().ok()?;
    Some(changed)
}

impl Store {
    /// Stamp new operations from `wall` instead of the system clock.
    pub fn set_wall_clock(&mut self, wall: Option<WallClock>) {
        self.wall = wall;
    }

    /// The wall clock now (ms).
    pub(crate) fn wall_ms(&self) -> u64 {
        self.wall.as_ref().map_or_else(now_ms, |w| w())
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub struct Store {
    path: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    blobs: PathBuf,
    /// Serialises writers within the process and holds the local clock.
    clock: Mutex<Hlc>,
    /// sled's data file, synced with `fdatasync` after each flush: sled itself
    /// uses `sync_file_range`, which flushes neither the drive's cache nor metadata.
    data_file: Option<std::fs::File>,
    /// How many operations were acknowledged, kept beside the database.
    watermark: Option<Mutex<watermark::Watermark>>,
    /// This open migrated the database to the current schema.
    migrated: bool,
    /// Opened from a private copy because the database's disk has no room
    /// (full or read-only): every write is refused with this reason.
    read_only: Option<NoRoom>,
    /// The wall clock new operations are stamped from (ms since the epoch):
    /// the system's, unless a test set its own ([`Store::set_wall_clock`]).
    wall: Option<WallClock>,
    /// Shared with every [`Store::reader`]: while one is alive the
    /// database stays open in this process (see [`Store::has_readers`]).
    handles: std::sync::Arc<()>,
    /// Sync kept [`QUIET_SYNC`] through this handle: the next write removes it.
    quiet: std::sync::atomic::AtomicBool,
    /// Operations a merge writes per transaction (tests make it small).
    pub(super) merge_slice: usize,
    /// Tests only: a merge stops after this many slices, as a crash would
    /// (`false`) or as an error does (`true`: what it wrote is taken out).
    pub(super) merge_fault: Option<(usize, bool)>,
    /// The private copy, removed when the last handle on it is dropped
    /// (declared last: the database closes first).
    snapshot: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// A wall clock in ms since the epoch (tests move it by hand instead of sleeping).
pub type WallClock = std::sync::Arc<dyn Fn() -> u64 + Send + Sync>;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

thread_local! {
    /// Set while this thread opens sled: a panic then is reported as
    /// corruption, not printed.
    static QUIET_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wrap the panic hook once so that panics on a thread inside sled's open
/// are not printed (other threads' panics print as before).
fn quiet_panics_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANIC.with(|q| q.get()) {
                prev(info)
            }
        }));
    });
}

/// The file beside the database where sync keeps what it left, to answer
/// a sync with nothing new without opening the database. Every open of the
/// database removes it: it is only true while nobody opened it since.
pub const QUIET_SYNC: &str = "sync-quick";

impl Store {
    /// Open (or create) the database in `dir` (`dir/db` for sled, `dir/blobs` for evidence).
    ///
    /// sled writes even to open (a snapshot of its page table). When the
    /// disk is full or read-only, the database is opened from a private
    /// copy on another disk instead: everything reads, every write is
    /// refused ([`StoreError::ReadOnly`]), and the copy is removed at the end.
    pub fn open(dir: &Path) -> Result<Store> {
        match Self::open_checked(dir, true) {
            Err(e) if e.no_room().is_some() && dir.join("db").join("conf").is_file() => {
                let why = e.no_room().expect("checked in the guard");
                Self::open_snapshot(dir, why).map_err(|_| e)
            }
            r => r,
        }
    }

    /// Tests: merge in slices of `n` operations.
    #[doc(hidden)]
    pub fn set_merge_slice(&mut self, n: usize) {
        self.merge_slice = n.max(1);
    }

    /// Tests: stop every merge after `slices` slices, as a crash would
    /// (`undo` false: the next open takes them out) or as an error does.
    #[doc(hidden)]
    pub fn set_merge_fault(&mut self, fault: Option<(usize, bool)>) {
        self.merge_fault = fault;
    }

    /// Keep `bytes` as [`QUIET_SYNC`] beside the database (written whole,
    /// then renamed into place), until this handle's next write or the
    /// next open removes it. Only a copy: `false` when it could not be kept.
    pub fn keep_quiet_sync(&self, bytes: &[u8]) -> bool {
        if self.read_only.is_some() || self.snapshot.is_some() {
            return false;
        }
        let Some(dir) = self.blobs.parent() else {
            return false;
        };
        let tmp = dir.join(format!("{QUIET_SYNC}.{}.partial", std::process::id()));
        if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, dir.join(QUIET_SYNC)).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return false;
        }
        self.quiet.store(true, std::sync::atomic::Ordering::SeqCst);
        true
    }

    /// Why this store refuses writes, if it does (opened from a copy).
    pub fn read_only(&self) -> Option<NoRoom> {
        self.read_only
    }

    /// Refuse a write on a store opened from a copy (also for callers that
    /// write beside the database first: evidence files, the sync repository).
    pub fn writable(&self) -> Result<()> {
        // What sync kept is no longer known to be true.
        if self.quiet.load(std::sync::atomic::Ordering::SeqCst)
            && let Some(dir) = self.blobs.parent()
        {
            match std::fs::remove_file(dir.join(QUIET_SYNC)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    // Kept: this write must not leave it true.
                    return Err(StoreError::Io {
                        path: dir.join(QUIET_SYNC),
                        source: e,
                    });
                }
                _ => self.quiet.store(false, std::sync::atomic::Ordering::SeqCst),
            }
        }
        match self.read_only {
            Some(why) => Err(StoreError::ReadOnly {
                path: self.shown_path(),
                why,
            }),
            None => Ok(()),
        }
    }

    /// The database's own path (not the private copy's) for messages.
    fn shown_path(&self) -> PathBuf {
        self.blobs
            .parent()
            .map(|d| d.join("db"))
            .unwrap_or_else(|| self.path.clone())
    }

    /// Open a private copy of the database in `dir` for reading (its disk
    /// has no room to open it in place). The copy goes to the first of
    /// `/dev/shm`, `$XDG_RUNTIME_DIR` and the temporary folder with room.
    fn open_snapshot(dir: &Path, why: NoRoom) -> Result<Store> {
        let src = dir.join("db");
        let mut places: Vec<PathBuf> = Vec::new();
        if cfg!(target_os = "linux") {
            places.push(PathBuf::from("/dev/shm"));
        }
        if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
            places.push(PathBuf::from(d));
        }
        places.push(std::env::temp_dir());
        let mut last = None;
        for place in places.iter().filter(|p| p.is_dir()) {
            remove_orphaned_copies(place);
            let prefix = format!("cscaudit-readonly-{}-", std::process::id());
            let tmp = match tempfile::Builder::new().prefix(&prefix).tempdir_in(place) {
                Ok(t) => t,
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700));
            }
            let copy = tmp.path().join("db");
            if let Err(e) = copy_tree(&src, &copy) {
                last = Some(e);
                continue;
            }
            let db = sled::Config::new()
                .path(&copy)
                .cache_capacity(16 << 20)
                .open()
                .map_err(|source| StoreError::from_sled(src.clone(), source))?;
            let mut store = Self::from_db(db, src.clone(), dir.join("blobs"))?;
            // A merge stopped between its slices is taken out of the copy
            // (it is writable) before anything reads it.
            store.undo_unfinished_merge()?;
            // The operations the database acknowledged must all be in the copy.
            watermark::Watermark::verify(dir, store.op_count() as u64)?;
            store.read_only = Some(why);
            store.snapshot = Some(std::sync::Arc::new(tmp));
            return Ok(store);
        }
        Err(StoreError::Io {
            path: src,
            source: last.unwrap_or_else(|| std::io::Error::other("no temporary folder")),
        })
    }

    /// Open an existing database for `doctor --rebuild` to read what it
    /// still holds: its watermark is not checked (it may have lost
    /// operations) nor rewritten. `None` when there is no database.
    pub fn open_for_rescue(dir: &Path) -> Result<Option<Store>> {
        if !dir.join("db").join("conf").is_file() {
            return Ok(None);
        }
        Self::open_checked(dir, false).map(Some)
    }

    fn open_checked(dir: &Path, check: bool) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("db");
        remove_incomplete_snapshots(&path);
        // A bounded page cache keeps the resident set small on large databases.
        // A handle closed a moment ago (this process's previous one, or the
        // TUI's between operations) may hold the lock until its background
        // threads end: wait a little before calling it in use.
        // sled 0.34 panics on some damaged files instead of returning
        // `Corruption` (an index out of bounds while replaying a truncated
        // segment): such a panic is taken as the corruption it is, and its
        // message kept off the user's terminal.
        let open = || {
            quiet_panics_hook();
            QUIET_PANIC.with(|q| q.set(true));
            let r = std::panic::catch_unwind(|| sled::Config::new().path(&path).cache_capacity(16 << 20).open());
            QUIET_PANIC.with(|q| q.set(false));
            r.unwrap_or_else(|_| Err(sled::Error::Corruption { at: None, bt: () }))
        };
        let locked =
            |e: &sled::Error| matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"));
        let mut tries = 0;
        let db = loop {
            match open() {
                Err(e) if locked(&e) && tries < 25 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                r => break r,
            }
        };
        let db = db.map_err(|e| match e {
            sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
                StoreError::Locked { path: path.clone() }
            }
            other => StoreError::from_sled(path.clone(), other),
        })?;
        // Owner-only: the database holds a bank's findings, and the data
        // folder holds the database, the evidence and the sync repository.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700));
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        // Whatever this handle does, what the last sync kept is no longer
        // known to be true (removed while the database is held: nobody can
        // change it in between).
        if let Err(e) = std::fs::remove_file(dir.join(QUIET_SYNC))
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(StoreError::Io {
                path: dir.join(QUIET_SYNC),
                source: e,
            });
        }
        let mut store = Self::from_db(db, path.clone(), dir.join("blobs"))?;
        if store.migrated {
            // A migration rewrites most index pages: sled keeps the old ones'
            // space, and every later open pays for it. Write the database
            // again once, now, and open the fresh copy. A compaction that
            // cannot finish (a disk without room for the copy) changes
            // nothing: the migrated database opens as it is.
            let _ = store.compact(&mut |_, _| true);
            return Self::open_checked(dir, check);
        }
        store.data_file = std::fs::File::open(path.join("db")).ok();
        // A merge stopped between its slices: taken out before anything
        // reads. A rescue reads what it can even when that fails.
        if check {
            store.undo_unfinished_merge()?;
        } else {
            let _ = store.undo_unfinished_merge();
        }
        if check {
            let held = store.op_count() as u64;
            store.watermark = Some(Mutex::new(watermark::Watermark::check(dir, held)?));
        }
        Ok(store)
    }

    /// A second handle on the same open database for reading on another
    /// thread (the TUI loads a large engagement's lists while the dashboard
    /// is shown). It never writes: it holds no clock of its own that could
    /// issue operations, and no watermark.
    pub fn reader(&self) -> Store {
        Store {
            path: self.path.clone(),
            db: self.db.clone(),
            trees: self.trees.clone(),
            blobs: self.blobs.clone(),
            clock: Mutex::new(*self.lock_clock()),
            data_file: None,
            watermark: None,
            migrated: false,
            read_only: self.read_only,
            wall: self.wall.clone(),
            handles: self.handles.clone(),
            quiet: Default::default(),
            merge_slice: log::MERGE_SLICE,
            merge_fault: None,
            snapshot: self.snapshot.clone(),
        }
    }

    /// Whether a [`Store::reader`] of this database is still alive on
    /// another thread: letting go of this handle would not close the
    /// database, and opening it again would find it locked.
    pub fn has_readers(&self) -> bool {
        std::sync::Arc::strong_count(&self.handles) > 1
    }

    /// An in-memory store for tests and benchmarks (blobs go to a temp folder).
    pub fn temporary() -> Result<Store> {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(|source| StoreError::from_sled(PathBuf::from("<temporary>"), source))?;
        let blobs = std::env::temp_dir().join(format!("cscaudit-blobs-{}-{}", std::process::id(), now_ms()));
        Self::from_db(db, PathBuf::from("<temporary>"), blobs)
    }

    fn from_db(db: sled::Db, path: PathBuf, blobs: PathBuf) -> Result<Store> {
        let sled_err = |source| StoreError::from_sled(path.clone(), source);
        let meta = db.open_tree("meta").map_err(sled_err)?;
        let found = match meta.get(b"schema").map_err(sled_err)? {
            Some(v) if v.len() == 2 => Some(u16::from_be_bytes([v[0], v[1]])),
            Some(_) => {
                return Err(StoreError::Corrupt {
                    path,
                    what: "schema stamp".into(),
                });
            }
            None => None,
        };
        let plan = migrate::plan(found);
        match plan {
            migrate::Plan::TooNew(found) => {
                return Err(StoreError::NewerSchema {
                    path,
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            migrate::Plan::Fresh => {
                meta.insert(b"schema", &SCHEMA_VERSION.to_be_bytes())
                    .map_err(sled_err)?;
            }
            migrate::Plan::Current => {}
            migrate::Plan::Upgrade(ref steps) => {
                if steps.iter().any(|s| !matches!(*s, 2..=4)) {
                    return Err(StoreError::Corrupt {
                        path,
                        what: format!("no migration for schema steps {steps:?}"),
                    });
                }
            }
        }
        let mut trees = Vec::with_capacity(TREE_COUNT);
        for name in tree_names() {
            trees.push(db.open_tree(name).map_err(sled_err)?);
        }
        let upgrade = matches!(plan, migrate::Plan::Upgrade(_));
        let clock = match trees[META].get(b"clock").map_err(sled_err)? {
            Some(v) => codec::decode(&v)?,
            None => Hlc::default(),
        };
        let store = Store {
            path,
            db,
            trees,
            blobs,
            clock: Mutex::new(clock),
            data_file: None,
            watermark: None,
            migrated: upgrade,
            read_only: None,
            wall: None,
            handles: Default::default(),
            quiet: Default::default(),
            merge_slice: log::MERGE_SLICE,
            merge_fault: None,
            snapshot: None,
        };
        if upgrade {
            store.reindex()?;
            store.recount()?;
            store.trees[META]
                .insert(b"schema", &SCHEMA_VERSION.to_be_bytes())
                .map_err(|e| store.sled_err(e))?;
            store.db.flush().map_err(|e| store.sled_err(e))?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sled_err(&self, source: sled::Error) -> StoreError {
        StoreError::from_sled(self.path.clone(), source)
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn tx_err(&self, e: TransactionError<CodecError>) -> StoreError {
        match e {
            TransactionError::Abort(c) => StoreError::Codec(c),
            TransactionError::Storage(s) => self.sled_err(s),
        }
    }

    /// Stamp a schema version (used by tests to simulate a newer writer).
    #[doc(hidden)]
    pub fn stamp_schema(&self, v: u16) -> Result<()> {
        self.writable()?;
        self.trees[META]
            .insert(b"schema", &v.to_be_bytes())
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Make this a schema-1 database (tests of the migrations): drop the
    /// summary index keys and the counters, add a key of each index schema 4
    /// retired, and stamp 1.
    #[doc(hidden)]
    pub fn downgrade_to_schema_1(&self) -> Result<()> {
        self.writable()?;
        for tag in [IndexTag::FindingSummary, IndexTag::ActionSummary, IndexTag::Count] {
            for kv in self.trees[INDEX].scan_prefix([tag as u8]) {
                let (k, _) = kv.map_err(|e| self.sled_err(e))?;
                self.trees[INDEX].remove(k).map_err(|e| self.sled_err(e))?;
            }
        }
        for tag in RETIRED_INDEX_TAGS {
            self.trees[INDEX]
                .insert([tag, b'X', 0, b'v', 0, b'i', b'd'], &[])
                .map_err(|e| self.sled_err(e))?;
        }
        self.stamp_schema(1)
    }

    /// How many keys the index tree holds under a tag byte (tests of the
    /// migrations, which remove retired tags).
    #[doc(hidden)]
    pub fn index_keys_tagged(&self, tag: u8) -> usize {
        self.trees[INDEX].scan_prefix([tag]).count()
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_err(e))?;
        if let Some(f) = &self.data_file {
            f.sync_data().map_err(|source| StoreError::Io {
                path: self.path.join("db"),
                source,
            })?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ meta

    pub fn meta_get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.trees[META].get(key.as_bytes()).map_err(|e| self.sled_err(e))? {
            Some(v) => Ok(Some(codec::decode(&v)?)),
            None => Ok(None),
        }
    }

    pub fn meta_set<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<()> {
        self.writable()?;
        let _w = self.lock_clock();
        self.trees[META]
            .insert(key.as_bytes(), codec::encode(value)?)
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Every meta entry whose key starts with one of `prefixes`, raw (to
    /// carry settings into a rebuilt database).
    pub fn meta_raw(&self, prefixes: &[&str]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for kv in self.trees[META].iter() {
            let (k, v) = kv.map_err(|e| self.sled_err(e))?;
            if prefixes.iter().any(|p| k.starts_with(p.as_bytes())) {
                out.push((k.to_vec(), v.to_vec()));
            }
        }
        Ok(out)
    }

    /// Put raw meta entries (from [`Store::meta_raw`] of another database).
    pub fn meta_put_raw(&self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        self.writable()?;
        let _w = self.lock_clock();
        for (k, v) in entries {
            self.trees[META]
                .insert(k.as_slice(), v.as_slice())
                .map_err(|e| self.sled_err(e))?;
        }
        self.flush()
    }

    /// Atomically take the next number of a named counter (e.g. a reference series).
    pub fn next_counter(&self, name: &str) -> Result<u64> {
        self.writable()?;
        let key = format!("counter/{name}");
        let _w = self.lock_clock();
        let cur: u64 = self.meta_get(&key)?.unwrap_or(0);
        let next = cur + 1;
        self.trees[META]
            .insert(key.as_bytes(), codec::encode(&next)?)
            .map_err(|e| self.sled_err(e))?;
        Ok(next)
    }

    fn lock_clock(&self) -> std::sync::MutexGuard<'_, Hlc> {
        self.clock.lock().unwrap_or_else(|p| p.into_inner())
    }
}
