//! A real access-controlled git server: gitolite behind `sshd` on
//! 127.0.0.1 (its own host key, config and high port, gitolite in a
//! temporary home), set up with the rules `cscaudit remote gitolite-conf`
//! prints from the engagement's signed member list and the keys it writes.
//! Three auditors sync through it with the ssh keys that sign their work;
//! the server refuses a push to another auditor's ref, a rewind and a
//! delete, and the same forgery carried in the forger's own ref is refused
//! by every copy; a ref the server refuses is kept and named while the
//! others go through.
//!
//! Needs `sshd` (openssh-server) and `gitolite` (gitolite3): where they are
//! missing the test says so on stderr and checks nothing, unless
//! `CSCAUDIT_REQUIRE_ALL` is set (as `.ci/run` does, which installs them).

mod common;

use common::forge::{canonical, jsonl, next_batch, op};
use common::keygen;
use cscaudit::app::App;
use cscaudit::crypto::sign::{BatchSignature, Signer};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::Role;
use cscaudit::model::ops::{EntityId, Kind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

const ENG: &str = "E1";

struct Server {
    root: tempfile::TempDir,
    port: u16,
    user: String,
    sshd: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
    }
}

fn found(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sshd_path() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/local/sbin/sshd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the program runs")
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Server {
    /// gitolite set up with an admin key, behind a fresh sshd.
    fn start() -> Option<Server> {
        let (Some(sshd), true) = (sshd_path(), found("gitolite")) else {
            common::unavailable("gitserver", "sshd or gitolite (Debian: openssh-server, gitolite3)");
            return None;
        };
        let root = tempfile::tempdir().unwrap();
        let p = |s: &str| root.path().join(s);
        std::fs::create_dir_all(p("home")).unwrap();
        std::fs::create_dir_all(p("keys")).unwrap();
        keygen(&p("keys"), "admin");
        keygen(root.path(), "hostkey");
        ok(
            run(Command::new("gitolite")
                .args(["setup", "-pk"])
                .arg(p("keys/admin.pub"))
                .env("HOME", p("home"))),
            "gitolite setup",
        );
        let user = ok(run(Command::new("id").arg("-un")), "id").trim().to_string();
        // sshd's privilege separation folder (as root: Debian creates it
        // when its service starts, which it has not here).
        let _ = std::fs::create_dir_all("/run/sshd");
        for _ in 0..5 {
            let port = common::free_port();
            let home = p("home");
            let config = format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {pid}\n\
                 AuthorizedKeysFile {home}/.ssh/authorized_keys\nStrictModes no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 SetEnv HOME={home}\n",
                host = p("hostkey").display(),
                pid = p("sshd.pid").display(),
                home = home.display(),
            );
            std::fs::write(p("sshd_config"), config).unwrap();
            let mut child = Command::new(&sshd)
                .args(["-D", "-e", "-f"])
                .arg(p("sshd_config"))
                .stderr(std::fs::File::create(p("sshd.log")).unwrap())
                .spawn()
                .expect("sshd starts");
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Server {
                        root,
                        port,
                        user,
                        sshd: child,
                    });
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "sshd did not start: {}",
            std::fs::read_to_string(p("sshd.log")).unwrap_or_default()
        );
    }

    fn p(&self, s: &str) -> PathBuf {
        self.root.path().join(s)
    }

    fn url(&self, repo: &str) -> String {
        format!("ssh://{}@127.0.0.1:{}/{repo}", self.user, self.port)
    }

    /// How git reaches the server with `key` (and nothing of ~/.ssh).
    fn ssh_command(&self, key: &Path) -> String {
        format!(
            "ssh -F /dev/null -i {} -p {} -o IdentitiesOnly=yes -o BatchMode=yes \
             -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
            key.display(),
            self.port
        )
    }

    /// `git` with `key` as its ssh identity.
    fn git(&self, key: &Path, dir: Option<&Path>, args: &[&str]) -> Output {
        let mut c = Command::new("git");
        if let Some(d) = dir {
            c.arg("-C").arg(d);
        }
        run(c
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .env("GIT_SSH_COMMAND", self.ssh_command(key))
            .env("GIT_TERMINAL_PROMPT", "0"))
    }

    fn key(&self, who: &str) -> PathBuf {
        let k = self.p("keys").join(who);
        if !k.exists() {
            keygen(&self.p("keys"), who);
        }
        k
    }

    fn pubkey(&self, who: &str) -> String {
        std::fs::read_to_string(self.key(who).with_extension("pub")).unwrap()
    }

    /// An auditor's copy: identity, signing key, and the remote `origin`
    /// reached with that same key (the sync repository's core.sshCommand,
    /// as a user would set it in their ssh config).
    fn app(&self, who: &str) -> App {
        let dir = self.p(who);
        let sync = dir.join("sync.git");
        if !sync.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            ok(
                run(Command::new("git").args(["init", "-q", "--bare"]).arg(&sync)),
                "git init",
            );
            ok(
                run(Command::new("git").arg("--git-dir").arg(&sync).args([
                    "config",
                    "core.sshCommand",
                    &self.ssh_command(&self.key(who)),
                ])),
                "git config",
            );
        }
        let mut app = App::open(&dir).unwrap();
        app.set_identity(who, who, &who.to_uppercase()).unwrap();
        app.set_identity_key(Some(&self.key(who))).unwrap();
        if app.remotes().unwrap().is_empty() {
            app.add_remote("origin", &self.url("cscaudit"), false).unwrap();
        }
        app
    }

    /// Install `conf` (as conf/cscaudit/<name>.conf) and the keys in
    /// `keydir` through the gitolite-admin repository, as an administrator does.
    fn admin_install(&self, name: &str, conf: &str, keydir: &Path) {
        let admin = self.p("admin");
        let key = self.key("admin");
        if !admin.exists() {
            ok(
                self.git(
                    &key,
                    None,
                    &["clone", "-q", &self.url("gitolite-admin"), admin.to_str().unwrap()],
                ),
                "clone gitolite-admin",
            );
            let main = admin.join("conf/gitolite.conf");
            let mut text = std::fs::read_to_string(&main).unwrap();
            text.push_str("\ninclude \"cscaudit/*.conf\"\n");
            std::fs::write(&main, text).unwrap();
        }
        std::fs::create_dir_all(admin.join("conf/cscaudit")).unwrap();
        std::fs::write(admin.join(format!("conf/cscaudit/{name}.conf")), conf).unwrap();
        for e in std::fs::read_dir(keydir).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), admin.join("keydir").join(e.file_name())).unwrap();
        }
        ok(self.git(&key, Some(&admin), &["add", "-A"]), "git add");
        ok(
            self.git(&key, Some(&admin), &["commit", "-q", "-m", "cscaudit team"]),
            "git commit",
        );
        ok(self.git(&key, Some(&admin), &["push", "-q"]), "push gitolite-admin");
    }

    /// The server's refs under refs/cscaudit, as `who` reads them.
    fn refs(&self, who: &str) -> String {
        ok(
            self.git(
                &self.key(who),
                None,
                &["ls-remote", &self.url("cscaudit"), "refs/cscaudit/*"],
            ),
            "ls-remote",
        )
    }
}

/// `remote gitolite-conf -e eng --keydir keydir` by the real binary on the lead's copy.
fn gitolite_conf(s: &Server, eng: &str, keydir: &Path) -> String {
    common::cli_stdout(
        &s.p("zw"),
        &[
            "remote",
            "gitolite-conf",
            "-e",
            eng,
            "--keydir",
            keydir.to_str().unwrap(),
        ],
    )
}

fn titles(app: &App) -> Vec<String> {
    let mut t: Vec<String> = app.findings(ENG).unwrap().into_iter().map(|f| f.title).collect();
    t.sort();
    t
}

/// `who`'s ref of E1 as the server has it, fetched into a scratch
/// repository with `who`'s key: its files (name, bytes) and tip.
fn read_ref(s: &Server, who: &str, owner: &str) -> (PathBuf, Vec<(String, Vec<u8>)>) {
    let scratch = s.p(&format!("scratch-{who}.git"));
    let _ = std::fs::remove_dir_all(&scratch);
    ok(
        run(Command::new("git").args(["init", "-q", "--bare"]).arg(&scratch)),
        "init",
    );
    let r = format!("refs/cscaudit/{ENG}/{owner}");
    ok(
        s.git(
            &s.key(who),
            None,
            &[
                "--git-dir",
                scratch.to_str().unwrap(),
                "fetch",
                "-q",
                &s.url("cscaudit"),
                &format!("{r}:{r}"),
            ],
        ),
        "fetch a ref",
    );
    let g = |args: &[&str]| {
        ok(
            run(Command::new("git").arg("--git-dir").arg(&scratch).args(args)),
            "git",
        )
    };
    let mut files = Vec::new();
    for line in g(&["ls-tree", &r]).lines() {
        let (meta, name) = line.split_once('\t').unwrap();
        let blob = meta.split_whitespace().nth(2).unwrap();
        let bytes = run(Command::new("git")
            .arg("--git-dir")
            .arg(&scratch)
            .args(["cat-file", "blob", blob]))
        .stdout;
        files.push((name.to_string(), bytes));
    }
    (scratch, files)
}

/// A commit in `scratch` of the flat tree `files`, on `parent` (or none).
fn commit(scratch: &Path, files: &[(String, Vec<u8>)], parent: Option<&str>) -> String {
    let g = |args: &[&str], input: Option<&[u8]>| -> String {
        let mut c = Command::new("git");
        c.arg("--git-dir")
            .arg(scratch)
            .args(["-c", "user.name=x", "-c", "user.email=x@x"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(i) = input {
            std::io::Write::write_all(child.stdin.as_mut().unwrap(), i).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let mut tree = String::new();
    for (name, bytes) in files {
        let id = g(&["hash-object", "-w", "--stdin"], Some(bytes));
        tree.push_str(&format!("100644 blob {id}\t{name}\n"));
    }
    let tree_id = g(&["mktree"], Some(tree.as_bytes()));
    let mut args = vec!["commit-tree", tree_id.as_str(), "-m", "edit"];
    if let Some(p) = parent {
        args.extend(["-p", p]);
    }
    g(&args, None)
}

#[test]
fn gitolite_enforces_per_auditor_refs_and_the_tool_refuses_the_same_forgery() {
    let Some(s) = Server::start() else { return };

    // The lead creates E1 with two auditors, their keys registered.
    let zw = s.app("zw");
    zw.create_engagement(
        common::new_engagement(ENG, "服务器强制的引用"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    for who in ["lm", "wl"] {
        zw.add_member_keyed(
            ENG,
            who,
            who,
            &who.to_uppercase(),
            Role::Auditor,
            None,
            Some(&s.pubkey(who)),
        )
        .unwrap();
    }
    let shared = zw
        .raise_finding(ENG, common::observation("录音抽检记录不完整"))
        .unwrap()
        .reference;
    drop(zw);

    // The rules and keys, printed by the real binary from the signed team.
    let keydir = s.p("keydir-E1");
    let conf = gitolite_conf(&s, ENG, &keydir);
    for who in ["zw", "lm", "wl"] {
        assert!(
            conf.contains(&format!("RW  refs/cscaudit/{ENG}/{who}$")),
            "{who} may push only their own ref:\n{conf}"
        );
        let written = std::fs::read_to_string(keydir.join(format!("{who}.pub"))).unwrap();
        let registered = s.pubkey(who);
        assert_eq!(
            written.split_whitespace().take(2).collect::<Vec<_>>(),
            registered.split_whitespace().take(2).collect::<Vec<_>>(),
            "the keydir holds {who}'s registered key"
        );
    }
    assert!(conf.contains("repo cscaudit\n") && conf.contains("R "), "{conf}");
    assert!(!conf.contains("RW+"), "nobody may rewind or delete: {conf}");

    // Before the server knows the team, nobody can reach the repository.
    let r = cscaudit::sync::sync(&s.app("zw"), None);
    assert!(r.is_err(), "no rules yet: {r:?}");
    s.admin_install(ENG, &conf, &keydir);

    // Three auditors sync through the server and converge.
    let r = cscaudit::sync::sync(&s.app("zw"), None).unwrap();
    assert!(r.pushed > 0 && r.pushed_refs == 1 && r.refused.is_empty(), "{r:?}");
    for who in ["lm", "wl"] {
        let a = s.app(who);
        let r = cscaudit::sync::sync(&a, None).unwrap();
        assert_eq!(r.joined, vec![ENG.to_string()], "{who}: {r:?}");
        a.raise_finding(ENG, common::observation(&format!("{who} 的发现项")))
            .unwrap();
        let r = cscaudit::sync::sync(&a, None).unwrap();
        assert!(r.pushed > 0 && r.refused.is_empty(), "{who}: {r:?}");
    }
    for who in ["zw", "lm", "wl"] {
        cscaudit::sync::sync(&s.app(who), None).unwrap();
    }
    let want = titles(&s.app("zw"));
    assert_eq!(want.len(), 3, "{want:?}");
    for who in ["lm", "wl"] {
        assert_eq!(titles(&s.app(who)), want, "{who} converged");
    }
    let server_before = s.refs("zw");
    assert_eq!(server_before.lines().count(), 3, "{server_before}");

    // lm, with git itself and her own key, writes a change in wl's name.
    let lm_key = s.key("lm");
    let lm_signer = Signer::load(&lm_key).unwrap();
    let target = EntityId::new(Kind::Finding, format!("{ENG}/{shared}"));
    let forged = vec![op("wl", 1000, target, "title", "李敏冒充王磊改的标题")];
    let batch = {
        let lm = s.app("lm");
        next_batch(&lm, ENG, &forged).sign_with(&lm_signer).unwrap()
    };
    let forged_files = [
        (
            "ops-wl-00000000000000001000-00000000000000001000.jsonl".to_string(),
            canonical(&forged),
        ),
        (
            "sigs-wl-00000000000000001000-00000000000000001000.jsonl".to_string(),
            jsonl(&[batch]),
        ),
    ];
    let wl_ref = format!("refs/cscaudit/{ENG}/wl");
    let (scratch, mut files) = read_ref(&s, "lm", "wl");
    let wl_tip = ok(
        run(Command::new("git")
            .arg("--git-dir")
            .arg(&scratch)
            .args(["rev-parse", &wl_ref])),
        "rev-parse",
    );
    files.extend(forged_files.iter().cloned());
    let c = commit(&scratch, &files, Some(wl_tip.trim()));
    let git_dir = scratch.to_str().unwrap();
    let url = s.url("cscaudit");
    // 1. A fast-forward of wl's ref by lm: the server refuses it.
    let out = s.git(
        &lm_key,
        None,
        &["--git-dir", git_dir, "push", &url, &format!("{c}:{wl_ref}")],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("DENIED"), "{said}");
    // 2. Deleting wl's ref: refused.
    let out = s.git(
        &lm_key,
        None,
        &["--git-dir", git_dir, "push", &url, &format!(":{wl_ref}")],
    );
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 3. Rewriting her own ref (a parentless commit, force-pushed): refused.
    let lm_ref = format!("refs/cscaudit/{ENG}/lm");
    let (scratch, lm_files) = read_ref(&s, "lm", "lm");
    let lone = commit(&scratch, &lm_files[..1], None);
    let out = s.git(
        &lm_key,
        None,
        &[
            "--git-dir",
            scratch.to_str().unwrap(),
            "push",
            "--force",
            &url,
            &format!("{lone}:{lm_ref}"),
        ],
    );
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.refs("zw"), server_before, "the server's refs are as they were");

    // 4. The same forgery in lm's own ref, which the server lets her push:
    // every copy refuses it (wl's changes must carry wl's registered key).
    let lm_tip = ok(
        run(Command::new("git")
            .arg("--git-dir")
            .arg(&scratch)
            .args(["rev-parse", &lm_ref])),
        "rev-parse",
    );
    let mut with_forgery = lm_files.clone();
    with_forgery.extend(forged_files.iter().cloned());
    let c = commit(&scratch, &with_forgery, Some(lm_tip.trim()));
    ok(
        s.git(
            &lm_key,
            None,
            &[
                "--git-dir",
                scratch.to_str().unwrap(),
                "push",
                "-q",
                &url,
                &format!("{c}:{lm_ref}"),
            ],
        ),
        "lm pushes her own ref",
    );
    let zw = s.app("zw");
    let before = zw.all_ops().unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    let lines: Vec<&str> = r.refused.iter().map(|m| m.en.as_str()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("wl") && l.contains(&lm_signer.fingerprint()) && l.contains("registered key")),
        "{lines:?}"
    );
    assert_eq!(zw.all_ops().unwrap(), before, "nothing of the forgery was applied");
    assert!(titles(&zw).iter().all(|t| !t.contains("冒充")));

    // 5. A ref the server refuses is named and kept; the others go through:
    // zw starts E2, whose rules are not on the server yet.
    zw.create_engagement(
        common::new_engagement("E2", "规则尚未安装"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.raise_finding(ENG, common::observation("张伟的新发现项")).unwrap();
    let r = cscaudit::sync::sync(&zw, None).unwrap();
    assert_eq!(r.pushed_refs, 1, "{r:?}");
    assert!(
        r.refused
            .iter()
            .any(|m| m.en.contains("refused your ref refs/cscaudit/E2/zw") && m.zh.contains("服务器拒绝")),
        "{:?}",
        r.refused
    );
    drop(zw);
    let lm = s.app("lm");
    cscaudit::sync::sync(&lm, None).unwrap();
    assert!(titles(&lm).contains(&"张伟的新发现项".to_string()), "E1 went through");
    drop(lm);
    // Once the administrator installs E2's rules, the next sync pushes it.
    let keydir2 = s.p("keydir-E2");
    let conf2 = gitolite_conf(&s, "E2", &keydir2);
    s.admin_install("E2", &conf2, &keydir2);
    let r = cscaudit::sync::sync(&s.app("zw"), None).unwrap();
    assert!(r.refused.is_empty() && r.pushed_refs == 1, "{r:?}");
    assert!(s.refs("zw").contains("refs/cscaudit/E2/zw"));
}

/// What `gitolite-conf` writes comes from the signed team, never as text
/// that could add a rule: ids are gitolite names (reserved ones refused),
/// `USER` (which gitolite replaces with the pusher) cannot match another
/// user, members who left and members without a key get nothing, and a
/// keydir file holding another key is not overwritten. No server needed.
#[test]
fn gitolite_conf_gives_each_member_their_own_ref_and_nothing_more() {
    let t = tempfile::tempdir().unwrap();
    let keys = t.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let key = |who: &str| {
        let k = keys.join(who);
        if !k.exists() {
            keygen(&keys, who);
        }
        std::fs::read_to_string(k.with_extension("pub")).unwrap()
    };
    let dir = t.path().join("zw");
    let mut zw = App::open(&dir).unwrap();
    zw.set_identity("zw", "张伟", "ZW").unwrap();
    keygen(&keys, "zw");
    zw.set_identity_key(Some(&keys.join("zw"))).unwrap();
    zw.create_engagement(
        common::new_engagement("USER", "名称与 gitolite 关键字相同"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    for (who, ini) in [("li_min", "LM"), ("wl", "WL"), ("gone", "GO")] {
        zw.add_member_keyed("USER", who, who, ini, Role::Auditor, None, Some(&key(who)))
            .unwrap();
    }
    zw.add_member_keyed("USER", "nokey", "nokey", "N", Role::Auditor, None, None)
        .unwrap();
    zw.remove_member("USER", "gone").unwrap();
    let g = zw.gitolite_conf("USER", "cscaudit/bank-a").unwrap();
    // `_` is a gitolite name; `USER` is written so gitolite does not replace it.
    assert!(g.conf.contains("RW  refs/cscaudit/[U]SER/li_min$"), "{}", g.conf);
    assert!(g.conf.contains("RW  refs/cscaudit/[U]SER/zw$"), "{}", g.conf);
    // Left or keyless: a comment, no rule, no key.
    for who in ["gone", "nokey"] {
        assert!(
            g.conf.lines().all(|l| l.starts_with('#') || !l.contains(who)),
            "{who} must get no access:\n{}",
            g.conf
        );
        assert!(g.keys.iter().all(|(f, _)| f != &format!("{who}.pub")));
    }
    let rules: Vec<&str> = g.conf.lines().filter(|l| l.trim_start().starts_with("RW")).collect();
    assert_eq!(rules.len(), 3, "zw, li_min and wl, one ref each: {rules:?}");
    assert!(g.conf.contains("repo cscaudit/bank-a\n"));
    assert!(zw.gitolite_conf("USER", "../x").is_err());
    // A member gitolite reserves (daemon: anonymous export) is refused.
    zw.add_member_keyed(
        "USER",
        "daemon",
        "daemon",
        "D",
        Role::Auditor,
        None,
        Some(&key("daemon")),
    )
    .unwrap();
    let e = zw.gitolite_conf("USER", "cscaudit").unwrap_err().to_string();
    assert!(e.contains("daemon"), "{e}");
    zw.remove_member("USER", "daemon").unwrap();
    drop(zw);
    // --keydir never replaces another user's key (the server's admin, say).
    let keydir = t.path().join("keydir");
    std::fs::create_dir_all(&keydir).unwrap();
    std::fs::write(keydir.join("wl.pub"), key("someone-else")).unwrap();
    let out = common::cli(&dir)
        .args([
            "remote",
            "gitolite-conf",
            "-e",
            "USER",
            "--keydir",
            keydir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another key"));
    assert!(out.stdout.is_empty(), "no rules printed when the keys were not written");
    assert!(!keydir.join("zw.pub").exists(), "nothing written");
}
