//! Disk faults on a real small file system: a 4 MiB tmpfs mounted for the
//! test (Linux, as root: where the platform does not allow mounting, the
//! test says so on stderr and checks nothing — unless
//! `CSCAUDIT_REQUIRE_ALL` is set, as `.ci/run` does: then it fails).
//!
//! A full disk during evidence copy, commits and export gives one message
//! ("the disk is full … nothing was saved"), leaves no partial file, and once
//! space is freed every acknowledged change is there; a read-only disk is
//! named as such.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

struct Mount(PathBuf);

impl Mount {
    /// A tmpfs of `size` (e.g. "3m") at `dir`, or None where mounting is not allowed.
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }
    fn remount(&self, opts: &str) {
        let s = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(s.success(), "remount {opts}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn cmd(data: &Path) -> Command {
    let mut c = Command::cargo_bin("cscaudit").unwrap();
    c.env("CSCAUDIT_DATA_DIR", data)
        .env("CSCAUDIT_CONFIG_DIR", data.with_file_name("config"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let o = cmd(data).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Files a failed write must not leave behind.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                stack.push(p);
            } else if name.contains(".incoming.") || name.ends_with(".partial") || name.contains("generating") {
                out.push(p);
            }
        }
    }
    out
}

/// The demo on a 4 MiB tmpfs in `dir`: the mount, its data folder and
/// `finding list` as it reads there; None (said on stderr) where mounting is
/// not allowed.
fn demo_on_small_disk(dir: &Path, test: &str) -> Option<(Mount, PathBuf, String)> {
    let Some(mnt) = Mount::tmpfs(&dir.join("small"), "4m") else {
        assert!(
            std::env::var_os("CSCAUDIT_REQUIRE_ALL").is_none(),
            "CSCAUDIT_REQUIRE_ALL is set and a tmpfs cannot be mounted here: the {test} test cannot run"
        );
        eprintln!("faults: cannot mount a tmpfs here (not root, or not Linux): the {test} test did not run");
        return None;
    };
    let data = mnt.0.join("db");
    assert!(run(&data, &["demo", "--no-tui"]).0);
    let (ok, before, _) = run(&data, &["finding", "list"]);
    assert!(ok && before.lines().count() == 16, "{before}");
    Some((mnt, data, before))
}

#[test]
fn a_full_disk_loses_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mnt, data, _)) = demo_on_small_disk(dir.path(), "full-disk") else {
        return;
    };

    // Evidence larger than the free space: refused, no partial blob.
    let big = dir.path().join("录音.bin");
    std::fs::write(&big, vec![7u8; 5 << 20]).unwrap();
    let (ok, _, err) = run(
        &data,
        &["evidence", "add", big.to_str().unwrap(), "--indicator", "QU-04"],
    );
    assert!(
        !ok && err.contains("the disk is full") && err.contains("nothing was saved"),
        "{err}"
    );
    assert!(
        !err.contains(".incoming."),
        "names the folder, not a temporary file: {err}"
    );
    assert_eq!(leftovers(&mnt.0), Vec::<PathBuf>::new());

    // Commits until the disk is full; remember each one acknowledged.
    let statement = "x".repeat(3000);
    let mut acknowledged = Vec::new();
    let mut full = None;
    for i in 0..1000 {
        let title = format!("满盘 {i}");
        let (ok, out, err) = run(
            &data,
            &[
                "finding",
                "raise",
                "--grade",
                "observation",
                "--title",
                &title,
                "--statement",
                &statement,
                "--indicator",
                "AC-01",
            ],
        );
        if ok {
            acknowledged.push(out.split_whitespace().next().unwrap().to_string());
        } else {
            full = Some(err);
            break;
        }
    }
    let err = full.expect("a 4 MiB disk fills up");
    assert!(err.contains("the disk is full"), "{err}");
    assert!(!acknowledged.is_empty());
    // An export to the full disk: refused, no partial bundle.
    let (ok, _, err) = run(&data, &["export", "--out", mnt.0.join("b.zip").to_str().unwrap()]);
    assert!(!ok && err.contains("the disk is full"), "{err}");
    assert!(!err.contains("ZipWriter"), "one message, not the zip writer's: {err}");
    assert!(!mnt.0.join("b.zip").exists());
    assert_eq!(leftovers(&mnt.0), Vec::<PathBuf>::new());

    // Reads on the full disk: fill the last bytes, then the user still reads
    // every finding, the status and exports to another disk; a change is
    // refused, worded for a write, and nothing of it is kept.
    {
        use std::io::Write;
        let mut f = std::fs::File::create(mnt.0.join("filler")).unwrap();
        while f.write_all(&[0u8; 4096]).is_ok() {}
        while f.write_all(&[0u8; 1]).is_ok() {}
    }
    let (ok, list_full, err) = run(&data, &["finding", "list"]);
    assert!(ok, "finding list on a full disk: {err}");
    assert_eq!(list_full.lines().count(), 16 + acknowledged.len());
    assert!(
        err.contains("full") && err.contains("read only"),
        "a note says why: {err}"
    );
    let (ok, status, err) = run(&data, &["status", "--json"]);
    assert!(ok && status.contains("DEMO-S2"), "{err}");
    let elsewhere = dir.path().join("elsewhere.zip");
    let (ok, _, err) = run(&data, &["export", "--out", elsewhere.to_str().unwrap()]);
    assert!(ok && elsewhere.is_file(), "export to another disk: {err}");
    let (ok, _, err) = run(
        &data,
        &[
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "满盘之后",
            "--statement",
            "s",
        ],
    );
    assert!(
        !ok && err.contains("the disk is full") && err.contains("this change was not saved"),
        "{err}"
    );
    // The bundle made on the full disk carries everything acknowledged.
    let other = dir.path().join("other");
    let (ok, _, err) = run(&other, &["import", elsewhere.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, list_other, _) = run(&other, &["finding", "list", "-e", "DEMO-S2"]);
    assert!(ok);
    assert_eq!(list_other.lines().count(), list_full.lines().count());
    std::fs::remove_file(mnt.0.join("filler")).unwrap();
    let (_, list, _) = run(&data, &["finding", "list"]);
    assert!(!list.contains("满盘之后"), "the refused change is nowhere");

    // Space freed: everything acknowledged is there, and writing works again.
    mnt.remount("size=32m");
    let (ok, list, err) = run(&data, &["finding", "list"]);
    assert!(ok, "{err}");
    assert_eq!(list.lines().count(), 16 + acknowledged.len());
    for r in &acknowledged {
        assert!(list.contains(r.as_str()), "{r} was acknowledged and is missing");
    }
    let (ok, _, err) = run(
        &data,
        &["evidence", "add", big.to_str().unwrap(), "--indicator", "QU-04"],
    );
    assert!(ok, "{err}");

    // A read-only disk: everything reads, a change is refused and the disk named.
    mnt.remount("ro");
    let (ok, list_ro, err) = run(&data, &["finding", "list"]);
    assert!(ok && list_ro == list, "{err}");
    assert!(err.contains("read-only disk"), "{err}");
    let (ok, _, err) = run(
        &data,
        &[
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "只读",
            "--statement",
            "s",
        ],
    );
    assert!(
        !ok && err.contains("read-only disk") && err.contains("not saved"),
        "{err}"
    );
    mnt.remount("rw");
    assert!(run(&data, &["finding", "list"]).0);
}

/// `doctor --compact` on a disk without room for the copy: the disk-full
/// message, the copy removed, and the database as it was.
#[test]
fn a_compaction_without_room_for_its_copy_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_mnt, data, before)) = demo_on_small_disk(dir.path(), "compaction") else {
        return;
    };
    // Leave less room than the database takes (whatever its size).
    let filler = _mnt.0.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![1u8; 64 << 10];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        let len = std::fs::metadata(&filler).unwrap().len();
        f.set_len(len.saturating_sub(256 << 10)).unwrap();
    }
    let (ok, out, err) = run(&data, &["doctor", "--compact"]);
    assert!(!ok && err.contains("the disk is full"), "ok {ok}: {out}{err}");
    std::fs::remove_file(&filler).unwrap();
    assert!(!data.join(".compact").exists(), "the copy is removed");
    let names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("compact")), "{names:?}");
    let (ok, after, _) = run(&data, &["finding", "list"]);
    assert!(ok, "the database opens");
    assert_eq!(after, before);
    let (ok, out, err) = run(&data, &["doctor"]);
    assert!(ok, "{out}{err}");
}
