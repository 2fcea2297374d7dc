//! Sync through a real bare git repository (file:// and `git daemon` on
//! localhost), three auditors on three data folders with keys made by
//! `ssh-keygen`: concurrent edits converge whatever the order, repeated
//! syncs change nothing, evidence arrives; forged, altered, rewritten and
//! foreign refs on the remote are refused with the database unchanged.

mod common;

use common::forge::{canonical, jsonl, op};
use common::keygen;
use cscaudit::crypto::sign::BatchSignature;

use cscaudit::app::{App, NewFinding};
use cscaudit::bundle::{self, ExportOptions};
use cscaudit::crypto::sign::{SignedBatch, Signer};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::Role;
use cscaudit::model::ops::{EntityId, Kind, Op};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const ENG: &str = "E1";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Site {
    root: tempfile::TempDir,
    remote: PathBuf,
}

impl Site {
    fn new() -> Site {
        let root = tempfile::tempdir().unwrap();
        let remote = root.path().join("remote.git");
        let st = Command::new("git")
            .args(["init", "-q", "--bare"])
            .arg(&remote)
            .status()
            .unwrap();
        assert!(st.success());
        std::fs::create_dir_all(root.path().join("keys")).unwrap();
        Site { root, remote }
    }
    fn p(&self, s: &str) -> PathBuf {
        self.root.path().join(s)
    }
    fn key(&self, who: &str) -> PathBuf {
        let k = self.p("keys").join(who);
        if !k.exists() {
            keygen(&self.p("keys"), who);
        }
        k
    }
    fn app(&self, who: &str, initials: &str, url: &str) -> App {
        let mut app = App::open(&self.p(who)).unwrap();
        app.set_identity(who, who, initials).unwrap();
        app.set_identity_key(Some(&self.key(who))).unwrap();
        if app.remotes().unwrap().is_empty() {
            app.add_remote("origin", url, false).unwrap();
        }
        app
    }
}

fn pubkey(site: &Site, who: &str) -> String {
    std::fs::read_to_string(site.key(who).with_extension("pub")).unwrap()
}

fn finding(title: &str) -> NewFinding {
    common::observation(title)
}

/// The lead creates E1 with lm and wl (keys registered) and syncs it up.
fn team(site: &Site, url: &str) -> String {
    let zw = site.app("zw", "ZW", url);
    zw.create_engagement(
        common::new_engagement(ENG, "同步测试"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    for (who, ini) in [("lm", "LM"), ("wl", "WL")] {
        zw.add_member_keyed(ENG, who, who, ini, Role::Auditor, None, Some(&pubkey(site, who)))
            .unwrap();
    }
    let f = zw.raise_finding(ENG, finding("录音抽检记录不完整")).unwrap().reference;
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert!(r.pushed > 0 && r.pushed_refs == 1, "{r:?}");
    f
}

/// findings.json of an export: what "identical copies" means.
fn findings_json(app: &App, out: &Path) -> String {
    bundle::export(app, ENG, out, &ExportOptions::default()).unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(out).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name("findings.json").unwrap().read_to_string(&mut s).unwrap();
    s
}

fn three_auditors_converge(url: &str, site: &Site) {
    let shared = team(site, url);
    // The two auditors join with their first sync.
    for (who, ini) in [("lm", "LM"), ("wl", "WL")] {
        let a = site.app(who, ini, url);
        let r = cscaudit::sync::sync(&a, None).unwrap();
        assert_eq!(r.joined, vec![ENG.to_string()], "{r:?}");
        assert_eq!((r.signed, r.unsigned), (r.applied, 0), "{r:?}");
    }
    // Offline: all three edit the same finding; each raises one; wl attaches evidence.
    // Each copy's clock a little ahead of the one before (an injected
    // clock, not a sleep): the three edits are ordered as written.
    let apps: Vec<App> = [("zw", "ZW"), ("lm", "LM"), ("wl", "WL")]
        .iter()
        .enumerate()
        .map(|(n, (w, i))| {
            let mut a = site.app(w, i, url);
            let ahead = 10 * n as u64;
            a.set_wall_clock(Some(std::sync::Arc::new(move || {
                jiff::Timestamp::now().as_millisecond() as u64 + ahead
            })));
            a
        })
        .collect();
    for (i, a) in apps.iter().enumerate() {
        a.edit_finding(&shared, "title", &format!("标题 {i}")).unwrap();
        a.raise_finding(ENG, finding(&format!("第 {i} 位的发现项"))).unwrap();
    }
    let ev = apps[2]
        .attach_evidence_bytes(
            ENG,
            "排班表.csv",
            "日期,班次\n2026-11-01,早\n".as_bytes(),
            "wl 的证据",
            None,
            None,
        )
        .unwrap();
    // Sync in an uneven order until nothing moves.
    for i in [1, 2, 0, 1, 0, 2, 1] {
        cscaudit::sync::sync(&apps[i], None).unwrap();
    }
    let first = findings_json(&apps[0], &site.p("0.zip"));
    for (i, a) in apps.iter().enumerate().skip(1) {
        assert_eq!(
            findings_json(a, &site.p(&format!("{i}.zip"))),
            first,
            "copy {i} differs"
        );
    }
    assert!(first.contains("第 0 位") && first.contains("第 1 位") && first.contains("第 2 位"));
    // The conflict on the shared title is listed the same everywhere, once per loser.
    let conflicts: Vec<_> = apps.iter().map(|a| a.conflicts().unwrap()).collect();
    assert!(!conflicts[0].is_empty());
    assert!(conflicts.iter().all(|c| c == &conflicts[0]));
    assert!(
        conflicts[0]
            .iter()
            .all(|c| c.entity.reference() == shared && c.field == "title")
    );
    // Repeated syncs change nothing.
    for a in &apps {
        let r = cscaudit::sync::sync(a, None).unwrap();
        assert_eq!((r.applied, r.pushed, r.new_conflicts), (0, 0, 0), "{r:?}");
    }
    // Evidence arrived with its bytes.
    let bytes = apps[0].evidence_bytes(&ev.sha256).unwrap();
    assert_eq!(bytes, "日期,班次\n2026-11-01,早\n".as_bytes());
}

#[test]
fn three_auditors_sync_through_a_file_remote_and_converge() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    three_auditors_converge(&url, &site);
}

#[test]
fn three_auditors_sync_through_git_daemon() {
    let site = Site::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // The daemon program itself (not `git daemon`, whose child would outlive
    // a kill of the wrapper and hold the test's output open).
    let exec_path = String::from_utf8(Command::new("git").arg("--exec-path").output().unwrap().stdout).unwrap();
    let daemon = Command::new(Path::new(exec_path.trim()).join("git-daemon"))
        .args([
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", site.root.path().display()))
        .arg(site.root.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed even if the test fails.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let daemon = Kill(daemon);
    // Wait until it listens.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let url = format!("git://127.0.0.1:{port}/remote.git");
    three_auditors_converge(&url, &site);
    drop(daemon);
}

#[test]
fn an_unreachable_remote_changes_nothing_and_a_failed_push_is_retried() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    team(&site, &url);
    let zw = site.app("zw", "ZW", &url);
    zw.raise_finding(ENG, finding("离线时的发现项")).unwrap();
    std::fs::rename(&site.remote, site.p("away.git")).unwrap();
    let err = cscaudit::sync::sync(&zw, None).unwrap_err();
    assert!(err.message().en.contains("cannot be reached"), "{err:?}");
    assert!(err.message().zh.contains("无法连接"));
    std::fs::rename(site.p("away.git"), &site.remote).unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert!(
        r.pushed > 0,
        "the offline change goes up once the remote is back: {r:?}"
    );
    let lm = site.app("lm", "LM", &url);
    cscaudit::sync::sync(&lm, None).unwrap();
    assert!(lm.findings(ENG).unwrap().iter().any(|f| f.title == "离线时的发现项"));
}

// ------------------------------------------------------------ hostile remotes

fn fingerprint(dir: &Path) -> Vec<(PathBuf, String)> {
    common::fingerprint(dir, "sync.git")
}

/// Change lm's ref on the remote with git itself: `edit` gets the flat tree
/// as (name, bytes) and returns the new one; `rewrite` makes a parentless
/// commit and force-pushes it.
fn tamper(site: &Site, refname: &str, rewrite: bool, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) {
    let scratch = site.p("scratch.git");
    let _ = std::fs::remove_dir_all(&scratch);
    git(&scratch, &["init", "-q", "--bare"]);
    let remote = site.remote.to_str().unwrap();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let exists = !git(&site.remote, &["for-each-ref", refname]).trim().is_empty();
    if exists {
        git(&scratch, &["fetch", "-q", remote, &format!("{refname}:{refname}")]);
        for line in git(&scratch, &["ls-tree", refname]).lines() {
            let (meta, name) = line.split_once('\t').unwrap();
            let blob = meta.split_whitespace().nth(2).unwrap();
            let out = Command::new("git")
                .arg("--git-dir")
                .arg(&scratch)
                .args(["cat-file", "blob", blob])
                .output()
                .unwrap();
            files.push((name.to_string(), out.stdout));
        }
    }
    edit(&mut files);
    let mut tree = String::new();
    for (name, bytes) in &files {
        let tmp = site.p("blob.tmp");
        std::fs::write(&tmp, bytes).unwrap();
        let id = git(&scratch, &["hash-object", "-w", tmp.to_str().unwrap()]);
        tree.push_str(&format!("100644 blob {}\t{name}\n", id.trim()));
    }
    let mut mk = Command::new("git")
        .arg("--git-dir")
        .arg(&scratch)
        .arg("mktree")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(mk.stdin.as_mut().unwrap(), tree.as_bytes()).unwrap();
    let tree_id = String::from_utf8(mk.wait_with_output().unwrap().stdout).unwrap();
    let mut args = vec![
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit-tree",
        tree_id.trim(),
        "-m",
        "edit",
    ];
    if exists && !rewrite {
        args.extend(["-p", refname]);
    }
    let commit = git(&scratch, &args);
    git(&scratch, &["update-ref", refname, commit.trim()]);
    let mut push = vec!["push", "-q"];
    if rewrite {
        push.push("--force");
    }
    push.extend([remote, refname]);
    git(&scratch, &push);
}

/// The lead syncs: the sync goes through, reports a refusal naming every
/// `expect`, and the lead's operations are exactly as before.
fn refused(site: &Site, url: &str, expect: &[&str]) {
    let zw = site.app("zw", "ZW", url);
    let before = zw.all_ops().unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    let lines: Vec<&str> = r.refused.iter().map(|m| m.en.as_str()).collect();
    assert!(
        lines.iter().any(|l| expect.iter().all(|e| l.contains(e))),
        "expected {expect:?} in {lines:?}"
    );
    assert!(r.refused.iter().all(|m| !m.zh.is_empty() && m.zh != m.en));
    assert_eq!(zw.all_ops().unwrap(), before, "the lead's data changed ({expect:?})");
}

fn next_batch(app: &App, ops: &[Op]) -> SignedBatch {
    common::forge::next_batch(app, ENG, ops)
}

#[test]
fn forged_altered_rewritten_and_foreign_refs_are_refused() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    let shared = team(&site, &url);
    let lm = site.app("lm", "LM", &url);
    cscaudit::sync::sync(&lm, None).unwrap();
    lm.raise_finding(ENG, finding("李敏的发现项")).unwrap();
    cscaudit::sync::sync(&lm, None).unwrap();
    drop(lm);
    let zw = site.app("zw", "ZW", &url);
    cscaudit::sync::sync(&zw, None).unwrap();
    drop(zw);
    let lm_ref = format!("refs/cscaudit/{ENG}/lm");
    let target = EntityId::new(Kind::Finding, format!("{ENG}/{shared}"));

    // 1. A batch in li.min's name signed with another key.
    let evil = Signer::load(&site.key("evil")).unwrap();
    let forged = vec![op("lm", 1000, target.clone(), "title", "伪造的标题")];
    let zw = site.app("zw", "ZW", &url);
    let batch = next_batch(&zw, &forged).sign_with(&evil).unwrap();
    drop(zw);
    tamper(&site, &lm_ref, false, |files| {
        files.push((
            "ops-lm-00000000000000001000-00000000000000001000.jsonl".into(),
            canonical(&forged),
        ));
        files.push((
            "sigs-lm-00000000000000001000-00000000000000001000.jsonl".into(),
            jsonl(&[batch]),
        ));
    });
    refused(&site, &url, &["lm", &evil.fingerprint(), "registered key"]);

    // 2. The same change signed by lm's own key, then altered in the remote file.
    let lm_signer = Signer::load(&site.key("lm")).unwrap();
    let genuine = vec![op("lm", 1000, target.clone(), "title", "李敏签名的标题")];
    let zw = site.app("zw", "ZW", &url);
    let batch = next_batch(&zw, &genuine).sign_with(&lm_signer).unwrap();
    drop(zw);
    let altered = vec![op("lm", 1000, target.clone(), "title", "篡改后的标题")];
    tamper(&site, &lm_ref, true, |files| {
        files.retain(|f| !f.0.contains("00000000000000001000"));
        files.push((
            "ops-lm-00000000000000001000-00000000000000001000.jsonl".into(),
            canonical(&altered),
        ));
        files.push((
            "sigs-lm-00000000000000001000-00000000000000001000.jsonl".into(),
            jsonl(&[batch]),
        ));
    });
    // (That was a force-push too: refused for the rewrite first.)
    refused(&site, &url, &["rewritten", "force-pushed"]);

    // 3. A fresh copy that never saw the old history gets the altered file: refused as altered.
    let fresh = Site {
        root: tempfile::tempdir().unwrap(),
        remote: site.remote.clone(),
    };
    std::fs::create_dir_all(fresh.p("keys")).unwrap();
    std::fs::copy(site.key("zw"), fresh.p("keys/zw")).unwrap();
    std::fs::copy(site.key("zw").with_extension("pub"), fresh.p("keys/zw.pub")).unwrap();
    let r = cscaudit::sync::sync(&fresh.app("zw", "ZW", &url), None).unwrap();
    assert!(r.refused.iter().any(|m| m.en.contains("altered")), "{r:?}");
    assert_eq!(r.joined, vec![ENG.to_string()], "the rest goes in: {r:?}");

    // 4. A non-member pushes a ref of their own with a change to the engagement.
    let site_zw_before = fingerprint(&site.p("zw"));
    tamper(&site, &lm_ref, true, |files| {
        files.retain(|f| !f.0.contains("00000000000000001000"));
    });
    let mallory = vec![op("mallory", 1, target.clone(), "title", "外人的标题")];
    let zw = site.app("zw", "ZW", &url);
    let m_batch = next_batch(&zw, &mallory)
        .sign_with(&Signer::load(&site.key("mallory")).unwrap())
        .unwrap();
    drop(zw);
    tamper(&site, &format!("refs/cscaudit/{ENG}/mallory"), false, |files| {
        files.push((
            "ops-mallory-00000000000000000001-00000000000000000001.jsonl".into(),
            canonical(&mallory),
        ));
        files.push((
            "sigs-mallory-00000000000000000001-00000000000000000001.jsonl".into(),
            jsonl(&[m_batch]),
        ));
    });
    let _ = site_zw_before;
    // lm's ref was rewritten back (refused as rewritten again): forget it, then see mallory refused.
    let zw = site.app("zw", "ZW", &url);
    zw.set_sync_state(&format!("origin/{ENG}/lm"), &String::new()).unwrap();
    drop(zw);
    refused(&site, &url, &["mallory", "not on the team"]);
}

/// A remote marked encrypted: everything is sealed with age to the team's
/// ssh keys (made by `ssh-keygen` here). Members read it, the git host's
/// objects hold no plaintext title or evidence, an outsider's key opens
/// nothing, and a member added later reads everything once each teammate
/// has synced again (their operations are re-sealed to the new team).
#[test]
fn an_encrypted_remote_round_trips_and_the_host_sees_no_plaintext() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    let open = |who: &str, ini: &str| {
        let mut app = App::open(&site.p(who)).unwrap();
        app.set_identity(who, who, ini).unwrap();
        app.set_identity_key(Some(&site.key(who))).unwrap();
        if app.remotes().unwrap().is_empty() {
            app.add_remote("origin", &url, true).unwrap();
        }
        app
    };
    const TITLE: &str = "机密标题：坐席录音外泄风险";
    const EVIDENCE: &str = "绝密排班表 secret-evidence-8c1f";
    let zw = open("zw", "ZW");
    assert!(zw.remotes().unwrap()[0].encrypted);
    zw.create_engagement(
        common::new_engagement(ENG, "加密同步"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.add_member_keyed(ENG, "lm", "lm", "LM", Role::Auditor, None, Some(&pubkey(&site, "lm")))
        .unwrap();
    let f = zw.raise_finding(ENG, finding(TITLE)).unwrap().reference;
    let ev = zw
        .attach_evidence_bytes(ENG, "排班.txt", EVIDENCE.as_bytes(), "证据", None, None)
        .unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert!(r.pushed > 0, "{r:?}");

    // lm joins, reads the finding and the evidence, edits, pushes.
    let lm = open("lm", "LM");
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    assert_eq!(r.joined, vec![ENG.to_string()], "{r:?}");
    assert_eq!((r.not_for_you, r.plaintext_on_encrypted), (0, 0), "{r:?}");
    assert_eq!(r.evidence_added, 1);
    assert_eq!(lm.evidence_bytes(&ev.sha256).unwrap(), EVIDENCE.as_bytes());
    lm.edit_finding(&f, "title", "lm 改过的机密标题").unwrap();
    cscaudit::sync::sync(&lm, None).unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert!(r.applied > 0 && r.signed == r.applied, "{r:?}");

    // The host: every object, decompressed, holds no plaintext.
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(&site.remote)
        .args(["cat-file", "--batch-all-objects", "--batch"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let objects = out.stdout;
    assert!(objects.len() > 1000, "the remote holds the sealed files");
    for secret in [TITLE, "lm 改过的机密标题", EVIDENCE, "加密同步", "\"title\""] {
        assert!(
            !objects.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret:?} is in the remote's objects in plaintext"
        );
    }
    assert!(objects.windows(22).any(|w| w == b"age-encryption.org/v1\n"));

    // An outsider with a key of their own and the URL: opens nothing, joins nothing.
    let wq = open("wq", "WQ");
    let r = cscaudit::sync::sync(&wq, None).unwrap();
    assert!(r.joined.is_empty() && r.applied == 0, "{r:?}");
    assert!(r.not_for_you > 0, "{r:?}");
    assert!(
        r.summary(cscaudit::config::Lang::En)
            .contains("not encrypted to your key")
    );
    assert!(wq.engagements().unwrap().is_empty());
    drop(wq);

    // The lead adds wl; wl joins on the lead's next sync, and reads lm's
    // changes once lm has synced again.
    zw.add_member_keyed(ENG, "wl", "wl", "WL", Role::Auditor, None, Some(&pubkey(&site, "wl")))
        .unwrap();
    cscaudit::sync::sync(&zw, None).unwrap();
    let wl = open("wl", "WL");
    let r = cscaudit::sync::sync(&wl, None).unwrap();
    assert_eq!(r.joined, vec![ENG.to_string()], "{r:?}");
    assert!(r.not_for_you > 0, "lm's files are still sealed to the old team: {r:?}");
    assert_eq!(wl.evidence_bytes(&ev.sha256).unwrap(), EVIDENCE.as_bytes());
    cscaudit::sync::sync(&lm, None).unwrap();
    for a in [&wl, &zw, &lm, &wl] {
        cscaudit::sync::sync(a, None).unwrap();
    }
    let first = findings_json(&zw, &site.p("zw.zip"));
    assert!(first.contains("lm 改过的机密标题"));
    assert_eq!(findings_json(&lm, &site.p("lm.zip")), first);
    assert_eq!(findings_json(&wl, &site.p("wl.zip")), first);
    // Nothing more to move.
    for a in [&zw, &lm, &wl] {
        let r = cscaudit::sync::sync(a, None).unwrap();
        assert_eq!((r.applied, r.pushed), (0, 0), "{r:?}");
    }
}

fn all_ops_json(app: &App) -> Vec<String> {
    let mut v: Vec<String> = app
        .all_ops()
        .unwrap()
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
    v.sort();
    v
}

/// `doctor --rebuild`: the database folder and the evidence folder deleted,
/// the database is made again from the signed log in the local sync
/// repository — the same operations, the same findings, evidence restored,
/// `doctor` clean; and on a laptop that lost everything, from the remote.
#[test]
fn rebuild_reproduces_the_database_from_the_log() {
    use cscaudit::sync::rebuild::{RebuildOptions, rebuild};
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    let shared = team(&site, &url);
    let lm = site.app("lm", "LM", &url);
    cscaudit::sync::sync(&lm, None).unwrap();
    lm.edit_finding(&shared, "title", "李敏改过的标题").unwrap();
    let ev = lm
        .attach_evidence_bytes(
            ENG,
            "抽检.csv",
            "通话,结果\n1,通过\n".as_bytes(),
            "抽检记录",
            None,
            None,
        )
        .unwrap();
    cscaudit::sync::sync(&lm, None).unwrap();
    drop(lm);
    let zw = site.app("zw", "ZW", &url);
    cscaudit::sync::sync(&zw, None).unwrap();
    let before_findings = findings_json(&zw, &site.p("before.zip"));
    let before_ops = all_ops_json(&zw);
    assert!(zw.doctor(&mut |_, _| {}).unwrap().healthy());
    drop(zw);

    // A database that still opens: rebuilt from itself, identical.
    let r = rebuild(&site.p("zw"), &RebuildOptions::default()).unwrap();
    assert_eq!(
        (r.ops, r.from_db, r.from_git),
        (before_ops.len(), before_ops.len(), 0),
        "{r:?}"
    );
    assert!(r.identity_carried && r.kept.is_some());

    // The db and the evidence folders deleted: opening says so and points here.
    std::fs::remove_dir_all(site.p("zw").join("db")).unwrap();
    std::fs::remove_dir_all(site.p("zw").join("blobs")).unwrap();
    let err = match App::open(&site.p("zw")) {
        Ok(_) => panic!("a database that lost its operations opened"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("doctor --rebuild"), "{err}");
    let r = rebuild(
        &site.p("zw"),
        &RebuildOptions {
            key: Some(site.key("zw")),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.ops, before_ops.len(), "{r:?}");
    assert_eq!(r.evidence_restored, 1, "{r:?}");
    assert!(!r.identity_carried);
    let mut zw = App::open(&site.p("zw")).unwrap();
    zw.set_identity("zw", "zw", "ZW").unwrap();
    zw.set_identity_key(Some(&site.key("zw"))).unwrap();
    assert_eq!(all_ops_json(&zw), before_ops);
    assert_eq!(findings_json(&zw, &site.p("after.zip")), before_findings);
    let d = zw.doctor(&mut |_, _| {}).unwrap();
    assert!(d.healthy(), "{d:?}");
    assert_eq!(zw.evidence_bytes(&ev.sha256).unwrap(), "通话,结果\n1,通过\n".as_bytes());
    // It goes on working: a new change, a sync with nothing to move but it
    // (the remotes were settings of the deleted database: added again).
    zw.add_remote("origin", &url, false).unwrap();
    let n = zw.all_ops().unwrap().len();
    zw.raise_finding(ENG, finding("重建后的新发现项")).unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    let new_ops = zw.all_ops().unwrap().len() - n;
    assert_eq!(
        (r.applied, r.pushed),
        (0, new_ops),
        "only the new finding's changes go: {r:?}"
    );
    drop(zw);

    // A laptop that lost everything (no database, no sync repository): from the remote.
    let fresh = site.p("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    let none = rebuild(&fresh, &RebuildOptions::default()).unwrap_err().to_string();
    assert!(none.contains("nothing to rebuild from"), "{none}");
    let r = rebuild(
        &fresh,
        &RebuildOptions {
            from: Some(url.clone()),
            key: None,
        },
    )
    .unwrap();
    assert_eq!(
        r.ops,
        before_ops.len() + new_ops,
        "the remote has the new finding too: {r:?}"
    );
    let app = App::open(&fresh).unwrap();
    assert!(findings_json(&app, &site.p("fresh.zip")).contains("重建后的新发现项"));
}

/// `sync --bundle FILE`: one git bundle file passed from laptop to laptop
/// carries every auditor's refs; all three copies converge; the file is a
/// real git bundle; a damaged one is refused with the database unchanged.
#[test]
fn a_git_bundle_file_carries_the_team_by_sneakernet() {
    let site = Site::new();
    let usb = site.p("usb.bundle");
    // The remote URL is never used here: only the bundle.
    let url = format!("file://{}", site.p("unused.git").display());
    let zw = site.app("zw", "ZW", &url);
    zw.create_engagement(
        common::new_engagement(ENG, "离线同步"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    for (who, ini) in [("lm", "LM"), ("wl", "WL")] {
        zw.add_member_keyed(ENG, who, who, ini, Role::Auditor, None, Some(&pubkey(&site, who)))
            .unwrap();
    }
    let shared = zw.raise_finding(ENG, finding("现场发现项")).unwrap().reference;
    let r = cscaudit::sync::sync_bundle(&zw, &usb).unwrap();
    assert!(r.pushed > 0 && usb.is_file(), "{r:?}");
    drop(zw);
    let heads = Command::new("git")
        .args(["bundle", "list-heads"])
        .arg(&usb)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&heads.stdout).contains("refs/cscaudit/E1/zw"));

    for (who, ini) in [("lm", "LM"), ("wl", "WL")] {
        let a = site.app(who, ini, &url);
        let r = cscaudit::sync::sync_bundle(&a, &usb).unwrap();
        assert_eq!(r.joined, vec![ENG.to_string()], "{r:?}");
        a.raise_finding(ENG, finding(&format!("{who} 的发现项"))).unwrap();
        a.edit_finding(&shared, "statement", &format!("{who} 的陈述")).unwrap();
        cscaudit::sync::sync_bundle(&a, &usb).unwrap();
    }
    let apps: Vec<App> = [("zw", "ZW"), ("lm", "LM"), ("wl", "WL")]
        .iter()
        .map(|(w, i)| site.app(w, i, &url))
        .collect();
    for a in apps.iter().chain(apps.iter()) {
        cscaudit::sync::sync_bundle(a, &usb).unwrap();
    }
    let first = findings_json(&apps[0], &site.p("0.zip"));
    assert!(first.contains("lm 的发现项") && first.contains("wl 的发现项"));
    for (i, a) in apps.iter().enumerate().skip(1) {
        assert_eq!(findings_json(a, &site.p(&format!("{i}.zip"))), first, "copy {i}");
    }
    let heads = String::from_utf8_lossy(
        &Command::new("git")
            .args(["bundle", "list-heads"])
            .arg(&usb)
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    for who in ["zw", "lm", "wl"] {
        assert!(heads.contains(&format!("refs/cscaudit/E1/{who}")), "{heads}");
    }
    for a in &apps {
        let r = cscaudit::sync::sync_bundle(a, &usb).unwrap();
        assert_eq!((r.applied, r.pushed), (0, 0), "{r:?}");
    }
    drop(apps);

    // A damaged bundle reaching lm's new laptop (nothing of it held yet):
    // refused, nothing changes, the damaged file is left as it was.
    let bytes = std::fs::read(&usb).unwrap();
    let bad = site.p("bad.bundle");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let data = site.p("lm-new");
    {
        let mut a = App::open(&data).unwrap();
        a.set_identity("lm", "lm", "LM").unwrap();
        a.set_identity_key(Some(&site.key("lm"))).unwrap();
    }
    for _ in 0..3 {
        drop(App::open(&data).unwrap());
    }
    let before = fingerprint(&data);
    let lm = App::open(&data).unwrap();
    let err = cscaudit::sync::sync_bundle(&lm, &bad).unwrap_err().to_string();
    assert!(err.contains("not a readable git bundle"), "{err}");
    drop(lm);
    assert_eq!(fingerprint(&data), before);
    assert_eq!(std::fs::read(&bad).unwrap(), &bytes[..bytes.len() / 2]);
}

/// One bad ref never stops the team: a ref under a name cscaudit does not
/// use, a non-member's ref, a tampered evidence file and one too large to
/// read are each refused and reported, while the honest changes on the same
/// remote still reach a teammate who joins now, and every sync exits well.
#[test]
fn one_bad_ref_never_stops_the_team() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    team(&site, &url);
    let wl = site.app("wl", "WL", &url);
    cscaudit::sync::sync(&wl, None).unwrap();
    let small = wl
        .attach_evidence_bytes(ENG, "排班.csv", "日期,班次\n".as_bytes(), "小", None, None)
        .unwrap();
    let big = wl
        .attach_evidence_bytes(ENG, "录音.bin", &[7u8; 4096], "大", None, None)
        .unwrap();
    wl.raise_finding(ENG, finding("wl 的发现项")).unwrap();
    cscaudit::sync::sync(&wl, None).unwrap();
    drop(wl);
    // A ref git takes but cscaudit does not (no engagement id has `$`).
    tamper(&site, &format!("refs/cscaudit/{ENG}$x/wl"), false, |files| {
        files.push((
            "ops-wl-00000000000000000001-00000000000000000001.jsonl".into(),
            b"junk\n".to_vec(),
        ));
    });
    // A ref of someone on no team, with a damaged file in it.
    tamper(&site, &format!("refs/cscaudit/{ENG}/mallory"), false, |files| {
        files.push((
            "ops-mallory-00000000000000000001-00000000000000000001.jsonl".into(),
            b"{not json\n".to_vec(),
        ));
    });
    // wl's evidence on the remote: one altered, one replaced by 600 MB.
    let wl_ref = format!("refs/cscaudit/{ENG}/wl");
    let huge = site.p("huge.bin");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(600 << 20).unwrap();
    drop(f);
    let huge_id = git(&site.remote, &["hash-object", "-w", huge.to_str().unwrap()]);
    std::fs::remove_file(&huge).unwrap();
    tamper(&site, &wl_ref, true, |files| {
        for (name, bytes) in files.iter_mut() {
            if name == &format!("evidence-{}", small.sha256) {
                *bytes = b"altered evidence".to_vec();
            }
        }
        files.retain(|(name, _)| name != &format!("evidence-{}", big.sha256));
    });
    // The 600 MB blob goes in as is (git stores it; cscaudit must not read it whole).
    let tree = git(&site.remote, &["ls-tree", &wl_ref]);
    let mut tree = tree.trim_end().to_string();
    tree.push_str(&format!("\n100644 blob {}\tevidence-{}\n", huge_id.trim(), big.sha256));
    let mut mk = Command::new("git")
        .arg("--git-dir")
        .arg(&site.remote)
        .arg("mktree")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(mk.stdin.as_mut().unwrap(), tree.as_bytes()).unwrap();
    let tree_id = String::from_utf8(mk.wait_with_output().unwrap().stdout).unwrap();
    let parent = git(&site.remote, &["rev-parse", &wl_ref]);
    let commit = git(
        &site.remote,
        &[
            "-c",
            "user.name=x",
            "-c",
            "user.email=x@x",
            "commit-tree",
            tree_id.trim(),
            "-p",
            parent.trim(),
            "-m",
            "big",
        ],
    );
    git(&site.remote, &["update-ref", &wl_ref, commit.trim()]);

    // lm joins now: everything honest arrives, each bad thing is reported.
    let lm = site.app("lm", "LM", &url);
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    let said: Vec<&str> = r.refused.iter().map(|m| m.en.as_str()).collect();
    assert_eq!(r.joined, vec![ENG.to_string()], "{said:?}");
    assert!(
        lm.findings(ENG).unwrap().iter().any(|f| f.title == "wl 的发现项"),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.contains("$x") && s.contains("skipped")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.contains("mallory") && s.contains("damaged")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.contains(&small.sha256) && s.contains("altered")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.contains(&big.sha256) && s.contains("over the limit")),
        "{said:?}"
    );
    assert!(lm.evidence_bytes(&small.sha256).is_err() && lm.evidence_bytes(&big.sha256).is_err());
    // And the next sync still goes through (the bad refs are reported again, nothing breaks).
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    assert!(!r.refused.is_empty());
    assert!(r.summary(cscaudit::config::Lang::Zh).contains("拒绝"));
}

/// `doctor --rebuild --from URL` judges every batch on the remote like a sync
/// does: a forged batch in someone's ref is left out and reported.
#[test]
fn a_rebuild_from_a_remote_leaves_forged_batches_out() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    let shared = team(&site, &url);
    let zw = site.app("zw", "ZW", &url);
    let forged = vec![op(
        "mallory",
        1,
        EntityId::new(Kind::Finding, format!("{ENG}/{shared}")),
        "title",
        "外人的标题",
    )];
    let batch = next_batch(&zw, &forged)
        .sign_with(&Signer::load(&site.key("mallory")).unwrap())
        .unwrap();
    let before = zw.all_ops().unwrap().len();
    drop(zw);
    tamper(&site, &format!("refs/cscaudit/{ENG}/mallory"), false, |files| {
        files.push((
            "ops-mallory-00000000000000000001-00000000000000000001.jsonl".into(),
            canonical(&forged),
        ));
        files.push((
            "sigs-mallory-00000000000000000001-00000000000000000001.jsonl".into(),
            jsonl(&[batch]),
        ));
    });
    let fresh = site.p("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    let r = cscaudit::sync::rebuild::rebuild(
        &fresh,
        &cscaudit::sync::rebuild::RebuildOptions {
            from: Some(url.clone()),
            key: None,
        },
    )
    .unwrap();
    assert!(r.refused.iter().any(|m| m.en.contains("mallory")), "{r:?}");
    assert_eq!(r.ops, before, "{r:?}");
    let app = App::open(&fresh).unwrap();
    assert!(app.all_ops().unwrap().iter().all(|o| o.id.actor != "mallory"));
    assert_eq!(app.finding(&shared).unwrap().title, "录音抽检记录不完整");
}

/// A sync stopped after its merge (the TUI's Esc while it pushes) keeps and
/// reports what it merged, pushes nothing, and the next sync pushes it all.
#[test]
fn a_sync_stopped_while_pushing_keeps_what_it_merged_and_pushes_next_time() {
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    let shared = team(&site, &url);
    let lm = site.app("lm", "LM", &url);
    let before = lm.op_count();
    // Her own change, to be pushed after the merge.
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    assert!(r.applied > 0);
    lm.edit_finding(&shared, "title", "李敏的标题").unwrap();
    let zw = site.app("zw", "ZW", &url);
    zw.edit_finding(&shared, "statement", "张伟补充").unwrap();
    cscaudit::sync::sync(&zw, None).unwrap();
    let held = lm.op_count();
    // Stop once the merge has brought zw's change in.
    let r = cscaudit::sync::sync_stoppable(&lm, None, &|| lm.op_count() > held).unwrap();
    assert!(r.push_cancelled, "{r:?}");
    assert!(r.applied > 0 && r.pushed == 0, "{r:?}");
    assert_eq!(lm.finding(&shared).unwrap().statement, "张伟补充");
    assert!(r.summary(cscaudit::config::Lang::En).contains("pushing was cancelled"));
    // zw does not have her title yet; after her next sync he does.
    cscaudit::sync::sync(&zw, None).unwrap();
    assert_ne!(zw.finding(&shared).unwrap().title, "李敏的标题");
    let r = cscaudit::sync::sync(&lm, None).unwrap();
    assert!(r.pushed > 0 && !r.push_cancelled, "{r:?}");
    cscaudit::sync::sync(&zw, None).unwrap();
    assert_eq!(zw.finding(&shared).unwrap().title, "李敏的标题");
    assert!(lm.op_count() > before);
}

/// Two raters score blind through the remote: the first rater's scores
/// never leave their copy until both seals are in (only a hash is on the
/// remote), the second's go out at once, the first reveals after a sync,
/// the lead reconciles. A reveal forged ahead of the other seal — signed
/// with the rater's own key and pushed to their own ref — is refused on
/// the lead's copy, which keeps what it had.
#[test]
fn qa_scores_stay_blind_through_the_remote_and_an_early_reveal_is_refused() {
    use cscaudit::app::qa::QaPlan;
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    team(&site, &url);
    for (who, ini) in [("lm", "LM"), ("wl", "WL")] {
        cscaudit::sync::sync(&site.app(who, ini, &url), None).unwrap();
    }
    let zw = site.app("zw", "ZW", &url);
    let plan = QaPlan {
        round: "录音复核".into(),
        frame: "recording\nR1\nR2\nR3\nR4\nR5\nR6\n".as_bytes().to_vec(),
        frame_name: "录音清单.csv".into(),
        n: 4,
        seed: 7,
        id_column: None,
        strata: None,
        plain: false,
        rater_a: "lm".into(),
        rater_b: "wl".into(),
        reconciler: "zw".into(),
    };
    // Only the lead plans, and only with three people.
    let lm = site.app("lm", "LM", &url);
    assert!(lm.plan_qa(ENG, &plan).is_err());
    drop(lm);
    assert!(
        zw.plan_qa(
            ENG,
            &QaPlan {
                reconciler: "lm".into(),
                ..plan.clone()
            }
        )
        .is_err()
    );
    let (_, reviews) = zw.plan_qa(ENG, &plan).unwrap();
    assert_eq!(reviews.len(), 4);
    let full = [5, 10, 15, 25, 15, 10, 10, 10];
    let fatal = [5, 10, 15, 0, 15, 10, 10, 10];
    cscaudit::sync::sync(&zw, None).unwrap();
    drop(zw);

    // lm scores all four: sealed, nothing revealed.
    let lm = site.app("lm", "LM", &url);
    cscaudit::sync::sync(&lm, None).unwrap();
    for r in &reviews {
        let s = lm.score_qa(ENG, &r.id, &full).unwrap();
        assert!(!s.revealed && s.pass);
    }
    assert!(lm.reveal_qa(ENG).unwrap().waiting.len() == 4);
    cscaudit::sync::sync(&lm, None).unwrap();
    drop(lm);
    // What the remote holds of lm: seals, no scores.
    let lm_ref = format!("refs/cscaudit/{ENG}/lm");
    let mut held = String::new();
    for line in git(&site.remote, &["ls-tree", &lm_ref]).lines() {
        let blob = line.split_whitespace().nth(2).unwrap();
        held.push_str(&git(&site.remote, &["cat-file", "blob", blob]));
    }
    assert!(held.contains("seal_a"), "lm's seals are on the remote");
    assert!(!held.contains("reveal_a"), "lm's scores are not");

    // wl sees lm's seals, not lm's scores; scores three, which go out at once.
    let wl = site.app("wl", "WL", &url);
    cscaudit::sync::sync(&wl, None).unwrap();
    let seen = wl.qa_reviews(ENG).unwrap();
    assert!(seen.iter().all(|r| r.seal_a.is_some() && r.reveal_a.is_none()));
    for (i, r) in reviews.iter().take(3).enumerate() {
        let s = wl.score_qa(ENG, &r.id, if i == 0 { &fatal } else { &full }).unwrap();
        assert!(s.revealed);
    }
    // Once out, a score stands.
    assert!(wl.score_qa(ENG, &reviews[0].id, &full).is_err());
    cscaudit::sync::sync(&wl, None).unwrap();
    drop(wl);
    let lm = site.app("lm", "LM", &url);
    cscaudit::sync::sync(&lm, None).unwrap();
    let r = lm.reveal_qa(ENG).unwrap();
    assert_eq!((r.revealed.len(), r.waiting.len()), (3, 1), "{r:?}");
    cscaudit::sync::sync(&lm, None).unwrap();
    drop(lm);

    // The lead: one disagreement (wl failed a fatal item), reconciled.
    let zw = site.app("zw", "ZW", &url);
    cscaudit::sync::sync(&zw, None).unwrap();
    let round = zw.qa_round(ENG, None).unwrap();
    assert_eq!((round.reviews, round.revealed, round.unresolved), (4, 3, 1));
    assert_eq!(round.disagreements[0].review, "QA-001");
    assert!(zw.record_qa(ENG, None, "QU-01").is_err(), "QA-004 is not in");
    zw.reconcile_qa(ENG, &reviews[0].id, &fatal, Some("复听")).unwrap();
    cscaudit::sync::sync(&zw, None).unwrap();
    let before = zw.all_ops().unwrap();
    drop(zw);

    // lm forges a reveal of QA-004 before wl sealed it, signed with lm's
    // own key, on lm's own ref.
    let lm = site.app("lm", "LM", &url);
    let seq = lm
        .all_ops()
        .unwrap()
        .iter()
        .filter(|o| o.id.actor == "lm")
        .map(|o| o.id.seq)
        .max()
        .unwrap()
        + 1;
    drop(lm);
    let target = EntityId::new(Kind::QaReview, reviews[3].id.clone());
    let forged = vec![op(
        "lm",
        seq,
        target,
        "reveal_a",
        "00112233445566778899aabbccddeeff:5,10,15,25,15,10,10,10",
    )];
    let zw = site.app("zw", "ZW", &url);
    let batch = next_batch(&zw, &forged)
        .sign_with(&Signer::load(&site.key("lm")).unwrap())
        .unwrap();
    drop(zw);
    let name = format!("{seq:020}-{seq:020}");
    tamper(&site, &lm_ref, false, |files| {
        files.push((format!("ops-lm-{name}.jsonl"), canonical(&forged)));
        files.push((format!("sigs-lm-{name}.jsonl"), jsonl(&[batch])));
    });
    refused(&site, &url, &["QA-004", "both raters have sealed"]);
    let zw = site.app("zw", "ZW", &url);
    assert_eq!(zw.all_ops().unwrap().len(), before.len());
    assert!(zw.qa_review(ENG, "QA-004").unwrap().reveal_a.is_none());
}

/// A sync with nothing new either way is answered after the fetch without
/// opening the database — and only then: a write on the same open handle,
/// an open, a teammate's push, a changed remote each send the next sync
/// the whole way, and nothing is missed.
#[test]
fn a_sync_with_nothing_new_skips_the_database_and_nothing_else() {
    use cscaudit::sync::{sync, sync_unopened};
    let site = Site::new();
    let url = format!("file://{}", site.remote.display());
    team(&site, &url);
    let lm = site.app("lm", "LM", &url);
    assert_eq!(sync(&lm, None).unwrap().joined, vec![ENG.to_string()]);
    assert!(
        sync_unopened(&site.p("lm"), None).is_none(),
        "a sync that joined keeps nothing: the next one may join its programme"
    );
    let zw_dir = site.p("zw");
    let zw = site.app("zw", "ZW", &url);
    // The sync after a push sees its own pushed tips come back; the one after
    // that has nothing new and is kept.
    sync(&zw, None).unwrap();
    let r = sync(&zw, None).unwrap();
    assert_eq!((r.applied, r.pushed), (0, 0), "{r:?}");
    let quiet = sync_unopened(&zw_dir, None).expect("nothing new: answered from the fetch");
    assert_eq!((quiet.remote.as_str(), quiet.applied, quiet.pushed), ("origin", 0, 0));
    assert!(
        sync_unopened(&zw_dir, Some("elsewhere")).is_none(),
        "another remote asked"
    );
    // The real binary answers while this process holds the database (it
    // could not open it: sled's lock), with the same report.
    let out = common::cli_stdout(&zw_dir, &["sync"]);
    assert!(out.contains("0 new operations") && out.contains("pushed 0"), "{out}");

    // A write on the handle still open: the next sync goes the whole way and pushes it.
    zw.raise_finding(ENG, finding("同步之后的新发现项")).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_none(), "a write after the sync");
    let r = sync(&zw, None).unwrap();
    assert!(r.pushed > 0, "{r:?}");
    sync(&zw, None).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_some());
    // A setting (no operation) changed on the same handle: the same.
    zw.remove_remote("origin").unwrap();
    zw.add_remote("origin", &url, false).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_none(), "the remote was set again");
    sync(&zw, None).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_some());

    // A teammate's push moves a ref: the fetch brings it, and the whole
    // sync merges it.
    lm.raise_finding(ENG, finding("lm 的新发现项")).unwrap();
    let sent = sync(&lm, None).unwrap().pushed;
    assert!(sent > 0);
    assert!(sync_unopened(&zw_dir, None).is_none(), "a teammate pushed");
    let r = sync(&zw, None).unwrap();
    assert_eq!(r.applied, sent, "{r:?}");
    assert!(zw.findings(ENG).unwrap().iter().any(|f| f.title == "lm 的新发现项"));

    // Opening the database is enough to forget it.
    sync(&zw, None).unwrap();
    drop(zw);
    assert!(sync_unopened(&zw_dir, None).is_some());
    let again = App::open(&zw_dir).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_none(), "opened since");
    drop(again);
    // A rewritten remote ref is never answered quietly either: it is
    // refused by the whole sync, which then keeps nothing.
    let zw = site.app("zw", "ZW", &url);
    sync(&zw, None).unwrap();
    assert!(sync_unopened(&zw_dir, None).is_some());
    tamper(&site, &format!("refs/cscaudit/{ENG}/lm"), true, |files| {
        files.truncate(files.len() - 1)
    });
    assert!(sync_unopened(&zw_dir, None).is_none());
    let r = sync(&zw, None).unwrap();
    assert!(!r.refused.is_empty(), "{r:?}");
    assert!(
        sync_unopened(&zw_dir, None).is_none(),
        "a sync that refused keeps nothing"
    );
}
