//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod files;
pub mod forge;
pub mod tui;

use cscaudit::app::{App, NewEngagement};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::{EngagementKind, Role};

/// The real binary on the data folder `dir` (its config in `dir/config`), in English.
pub fn cli(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("cscaudit").unwrap();
    c.env("CSCAUDIT_DATA_DIR", dir)
        .env("CSCAUDIT_CONFIG_DIR", dir.join("config"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// What the binary printed for `args` on `dir`; it must succeed.
pub fn cli_stdout(dir: &std::path::Path, args: &[&str]) -> String {
    let out = cli(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh app on a real sled database in a temp folder, acting as `zw` (lead).
pub fn app_in(dir: &std::path::Path) -> App {
    let mut app = App::open(dir).expect("open");
    app.set_identity("zw", "张伟", "ZW").unwrap();
    app
}

/// A self-assessment `id` of 某银行客服中心 titled `title` (no period).
pub fn new_engagement(id: &str, title: &str) -> NewEngagement {
    NewEngagement {
        id: Some(id.into()),
        title: title.into(),
        auditee: "某银行客服中心".into(),
        site: String::new(),
        kind: EngagementKind::SelfAssessment,
        period_start: None,
        period_end: None,
    }
}

/// Create an engagement of `kind` with zw as lead (certificate) and lm as auditor.
pub fn engagement(app: &App, kind: EngagementKind, certified: bool) -> String {
    let e = app
        .create_engagement(
            NewEngagement {
                id: Some("E1".into()),
                title: "测试 / test".into(),
                auditee: "某银行客服中心".into(),
                site: String::new(),
                kind,
                period_start: None,
                period_end: None,
            },
            &cscaudit::config::embedded_catalog(),
            EMBEDDED_GBT32312,
        )
        .unwrap();
    if certified {
        app.add_member(&e.id, "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
            .unwrap();
        app.add_member(&e.id, "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
            .unwrap();
    }
    e.id
}

/// Every file under a folder with its content hash, skipping entries named
/// `skip` (e.g. sync's git repository, whose tracking refs a fetch updates):
/// "the data folder is exactly as before".
pub fn fingerprint(dir: &std::path::Path, skip: &str) -> Vec<(std::path::PathBuf, String)> {
    use sha2::Digest;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == skip) {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), hex::encode(sha2::Sha256::digest(std::fs::read(&p).unwrap()))));
            }
        }
    }
    out.sort();
    out
}

/// The data folder as a user sees it: every file outside the database with
/// its hash, and the database by its content (every tree's keys and values,
/// read with sled itself) rather than by sled's files, which sled rewrites
/// on its own schedule (snapshots, background flushes) whether or not
/// anything was written.
pub fn data_fingerprint(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out: Vec<_> = fingerprint(dir, "db");
    let trees = (0..100)
        .find_map(|_| {
            cscaudit::store::content_digest(dir).or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            })
        })
        .expect("the database opens");
    for (name, digest) in trees {
        out.push((dir.join("db").join(name), digest));
    }
    out
}

/// `ssh-keygen -t ed25519` into `dir/name` (no passphrase): a real key pair.
pub fn keygen(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .status()
        .expect("ssh-keygen runs");
    assert!(st.success());
    path
}

/// An observation titled `title` (a draft): the finding most tests raise.
pub fn observation(title: &str) -> cscaudit::app::NewFinding {
    cscaudit::app::NewFinding {
        grade: cscaudit::model::finding::Grade::Observation,
        title: title.into(),
        statement: String::new(),
        criterion: String::new(),
        indicators: vec![],
        evidence_note: String::new(),
        issue: false,
    }
}

/// A test that needs `what` of the machine (a server program, a package)
/// and does not have it: says so and checks nothing, unless
/// `CSCAUDIT_REQUIRE_ALL` is set (as `.ci/run` does): then it fails.
pub fn unavailable(test: &str, what: &str) {
    assert!(
        std::env::var_os("CSCAUDIT_REQUIRE_ALL").is_none(),
        "CSCAUDIT_REQUIRE_ALL is set and {what} is missing: the {test} test cannot run"
    );
    eprintln!("{test}: {what} is missing: the test did not run");
}

/// A TCP port on 127.0.0.1 free a moment ago (for a server a test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
