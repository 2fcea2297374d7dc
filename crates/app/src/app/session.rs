//! Sharing the database with other processes: the running TUI holds it only
//! during its operations, so the CLI works beside it; commands wait briefly
//! while it is busy; changes made by others are noticed by the files' state.

use super::{App, AppError, Result};
use std::path::Path;

impl App {
    /// Open, waiting up to `wait` while another cscaudit process (a TUI
    /// between its operations, another command) holds the database.
    pub fn open_waiting(data_dir: &Path, wait: std::time::Duration) -> Result<App> {
        Self::open_waiting_unless(data_dir, wait, &|| false)
    }

    /// [`App::open_waiting`], giving up with [`AppError::Cancelled`] when `stop` says so.
    pub fn open_waiting_unless(data_dir: &Path, wait: std::time::Duration, stop: &dyn Fn() -> bool) -> Result<App> {
        let start = std::time::Instant::now();
        loop {
            match Self::open(data_dir) {
                Err(e) if e.is_locked() && start.elapsed() < wait => {
                    if stop() {
                        return Err(AppError::Cancelled);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(15));
                }
                other => return other,
            }
        }
    }

    /// From now on, hold the database only during operations ([`App::acquire`]
    /// before, [`App::release`] after), so other processes can use it between.
    pub fn share_between_operations(&mut self) {
        self.sharing = self.dir.is_some();
    }

    /// A read-only copy of this app on the same open database, for loading
    /// on another thread (see [`crate::store::Store::reader`]). While it
    /// lives the TUI keeps its store (it must not be released and reopened).
    pub fn reader(&self) -> Option<App> {
        let store = self.store.as_ref()?.reader();
        let mut app = App::with_store(store).ok()?;
        app.identity = self.identity.clone();
        app.identity_chosen = self.identity_chosen;
        app.policy = self.policy.clone();
        app.body = self.body.clone();
        app.today = self.today;
        app.set_context(self.context.lock().unwrap_or_else(|p| p.into_inner()).as_deref());
        Some(app)
    }

    /// An app of its own for long work on another thread (the TUI's export,
    /// import and sync): the same data folder, identity, policy, context and
    /// passphrase prompt, its database not open yet ([`App::acquire_unless`]
    /// opens it there, waiting as another process would). `None` without a
    /// data folder.
    pub fn worker(&self) -> Option<App> {
        let dir = self.dir.clone()?;
        Some(App {
            store: None,
            dir: Some(dir),
            sharing: false,
            seen_files: None,
            identity: self.identity.clone(),
            identity_chosen: self.identity_chosen,
            certificate: self.certificate.clone(),
            key_path: self.key_path.clone(),
            key: Default::default(),
            keyring: self.keyring.clone(),
            policy: self.policy.clone(),
            body: self.body.clone(),
            today: self.today,
            catalogs: Default::default(),
            touched: std::sync::Mutex::new(Some(Vec::new())),
            proofs: std::sync::Mutex::new(std::collections::VecDeque::new()),
            context: std::sync::Mutex::new(self.context.lock().unwrap_or_else(|p| p.into_inner()).clone()),
            ask: self.ask.clone(),
            wall: self.wall.clone(),
        })
    }

    /// Make sure the store is open (waits while another process holds it).
    pub fn acquire(&mut self) -> Result<()> {
        self.acquire_unless(&|| false)
    }

    /// [`App::acquire`], giving up with [`AppError::Cancelled`] as soon as
    /// `stop` says so (long work waiting for the database can be cancelled).
    pub fn acquire_unless(&mut self, stop: &dyn Fn() -> bool) -> Result<()> {
        if self.store.is_some() {
            return Ok(());
        }
        let dir = self
            .dir
            .clone()
            .ok_or_else(|| AppError::Invalid(crate::message::Msg::same("no data folder")))?;
        let other = App::open_waiting_unless(&dir, std::time::Duration::from_secs(10), stop)?;
        self.store = other.store;
        if let (Some(s), Some(w)) = (self.store.as_mut(), &self.wall) {
            s.set_wall_clock(Some(w.clone()));
        }
        // Identity may have been changed by another process.
        self.identity = other.identity;
        self.identity_chosen = other.identity_chosen;
        self.certificate = other.certificate;
        // The key is read again only if another process named another one.
        if other.key_path != self.key_path {
            self.key_path = other.key_path;
            self.key = other.key;
        }
        Ok(())
    }

    /// When the database was opened to read only (its disk is full or
    /// read-only): what that means for the user. Reads work; every change
    /// is refused with the same reason.
    pub fn read_only_notice(&self) -> Option<crate::message::Msg> {
        let why = self.store.as_ref()?.read_only()?;
        let dir = self.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default();
        let dir = crate::text::visible(&dir).into_owned();
        Some(match why {
            crate::store::NoRoom::DiskFull => crate::msg!(
                "the disk of {dir} is full: opened to read only; changes cannot be saved until space is freed",
                "{dir} 所在磁盘已满：已以只读方式打开；释放空间前无法保存更改"
            ),
            crate::store::NoRoom::ReadOnlyDisk => crate::msg!(
                "{dir} is on a read-only disk: opened to read only; changes cannot be saved",
                "{dir} 位于只读磁盘上：已以只读方式打开；无法保存更改"
            ),
        })
    }

    /// Refuse now, before anything is written beside the database (evidence
    /// files, the sync repository), when it was opened to read only.
    pub fn require_writable(&self) -> Result<()> {
        Ok(self.store.as_ref().map_or(Ok(()), |s| s.writable())?)
    }

    /// Close the store if sharing, noting the files' state.
    pub fn release(&mut self) {
        // A store opened from a private copy (no room on the disk) is kept:
        // opening it again would copy the database again.
        // Kept too while a reader (the TUI's list loading, its reminders) is
        // reading on another thread: the database is open in this process
        // until it ends, and opening it again now would find it locked.
        if self.sharing
            && self
                .store
                .as_ref()
                .is_some_and(|s| s.read_only().is_none() && !s.has_readers())
        {
            self.store = None;
            self.seen_files = self.files_state();
            trim_heap();
        }
    }

    fn files_state(&self) -> Option<(u64, std::time::SystemTime)> {
        let m = std::fs::metadata(self.dir.as_ref()?.join("db").join("db")).ok()?;
        Some((m.len(), m.modified().ok()?))
    }

    /// Whether this app lets go of the database between operations.
    pub fn shares_store(&self) -> bool {
        self.sharing
    }

    /// Whether the store is open while sharing (to be released when idle).
    pub fn holds_shared_store(&self) -> bool {
        self.sharing && self.store.is_some()
    }

    /// Whether another process changed the database since the last release.
    pub fn changed_by_others(&self) -> bool {
        self.store.is_none() && self.seen_files.is_some() && self.files_state() != self.seen_files
    }
}

/// Give memory freed since (the database's page cache, a load's temporary
/// records) back to the system, so the resident set stays what the data
/// needs. glibc keeps freed heap for reuse otherwise; elsewhere a no-op.
#[allow(unsafe_code)]
pub fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own heap;
    // it takes no pointers and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
