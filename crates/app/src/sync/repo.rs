//! The local git repository of sync (`<data>/sync.git`, bare), through gix:
//! refs, flat trees of files, commits that only ever append files.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Repo {
    repo: gix::Repository,
}

/// A file of a ref's tree: its name and blob id.
pub type Files = BTreeMap<String, ObjectId>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Repo {
    /// Open the repository at `path`, creating it (bare) the first time.
    pub fn open_or_init(path: &Path) -> Result<Repo, String> {
        let repo = if path.join("HEAD").is_file() {
            gix::open(path).map_err(err)?
        } else {
            gix::init_bare(path).map_err(err)?
        };
        // Owner-only: it holds every title and evidence file of the team's
        // engagements (objects inside keep git's modes; nobody else can
        // enter the folder).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
        }
        Ok(Repo { repo })
    }

    pub fn path(&self) -> &Path {
        self.repo.path()
    }

    /// Every ref whose full name starts with `prefix`, with its commit.
    pub fn refs(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>, String> {
        let mut out = Vec::new();
        let platform = self.repo.references().map_err(err)?;
        for r in platform.all().map_err(err)? {
            let mut r = r.map_err(err)?;
            let name = r.name().as_bstr().to_str_lossy().into_owned();
            if !name.starts_with(prefix) {
                continue;
            }
            let id = r.peel_to_id().map_err(err)?.detach();
            out.push((name, id));
        }
        out.sort();
        Ok(out)
    }

    /// The commit a ref points to, if it exists.
    pub fn tip(&self, name: &str) -> Result<Option<ObjectId>, String> {
        match self.repo.try_find_reference(name).map_err(err)? {
            Some(mut r) => Ok(Some(r.peel_to_id().map_err(err)?.detach())),
            None => Ok(None),
        }
    }

    /// Point `name` at `id` (creating it), whatever it pointed at before.
    pub fn set_ref(&self, name: &str, id: ObjectId) -> Result<(), String> {
        self.repo
            .reference(name, id, gix::refs::transaction::PreviousValue::Any, "cscaudit sync")
            .map_err(err)?;
        Ok(())
    }

    /// The files of a commit's (flat) tree.
    pub fn files(&self, commit: ObjectId) -> Result<Files, String> {
        let c = self.repo.find_commit(commit).map_err(err)?;
        let tree = c.tree().map_err(err)?;
        let mut out = Files::new();
        for e in tree.iter() {
            let e = e.map_err(err)?;
            if e.mode().is_blob() {
                out.insert(e.filename().to_str_lossy().into_owned(), e.oid().to_owned());
            }
        }
        Ok(out)
    }

    /// A blob of at most `limit` bytes: its size is read from the object's
    /// header first, so a huge blob is refused before it is loaded.
    pub fn blob_limited(&self, id: ObjectId, limit: u64) -> Result<Vec<u8>, String> {
        let header = self.repo.find_header(id).map_err(err)?;
        let size = header.size();
        if size > limit {
            return Err(format!("{size} bytes, over the limit of {limit}"));
        }
        self.blob(id)
    }

    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>, String> {
        Ok(self.repo.find_blob(id).map_err(err)?.detach().data)
    }

    /// Whether `old` is `new` or one of its ancestors (first parents and
    /// merges alike). Refs here only ever append, so this is a short walk.
    pub fn is_ancestor(&self, old: ObjectId, new: ObjectId) -> Result<bool, String> {
        let mut stack = vec![new];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if id == old {
                return Ok(true);
            }
            if !seen.insert(id) {
                continue;
            }
            let c = self.repo.find_commit(id).map_err(err)?;
            stack.extend(c.parent_ids().map(|p| p.detach()));
        }
        Ok(false)
    }

    /// A new commit on `name` whose tree is the current one plus `new_files`
    /// (a name already present is kept as it was: files are never replaced).
    /// Returns the commit id; the ref moves only if it still points where it did.
    pub fn append(
        &self,
        name: &str,
        new_files: Vec<(String, Vec<u8>)>,
        message: &str,
        who: &str,
    ) -> Result<ObjectId, String> {
        let parent = self.tip(name)?;
        let mut files = match parent {
            Some(p) => self.files(p)?,
            None => Files::new(),
        };
        for (file, bytes) in new_files {
            if files.contains_key(&file) {
                continue;
            }
            let id = self.repo.write_blob(&bytes).map_err(err)?.detach();
            files.insert(file, id);
        }
        // Flat tree: all entries are blobs, so git's order is the names' byte order.
        let entries = files
            .into_iter()
            .map(|(filename, oid)| gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Blob.into(),
                filename: filename.into(),
                oid,
            })
            .collect();
        let tree = self
            .repo
            .write_object(&gix::objs::Tree { entries })
            .map_err(err)?
            .detach();
        let when = gix::date::Time::now_local_or_utc();
        let time = when.to_string();
        let email = format!("{who}@cscaudit");
        let sig = gix::actor::SignatureRef {
            name: who.as_bytes().as_bstr(),
            email: email.as_bytes().as_bstr(),
            time: &time,
        };
        let id = self
            .repo
            .commit_as(sig, sig, name, message, tree, parent)
            .map_err(err)?
            .detach();
        Ok(id)
    }
}
