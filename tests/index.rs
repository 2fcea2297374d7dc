//! The head-office index (`cscaudit index`) on a real SQLite file and a
//! real PostgreSQL server (initdb in a temporary folder, started as a
//! non-root user on a 127.0.0.1 port): per-table counts equal what the CLI
//! says (`status --json`, `portfolio --json`, `engagement show --json`,
//! `programme list --json`); a second run adds nothing; one more finding is
//! one new batch and one row; the README's head-office queries give the
//! CLI's answers.
//!
//! The PostgreSQL test needs PostgreSQL's server programs (Debian:
//! postgresql): where they are missing it says so on stderr and checks
//! nothing, unless `CSCAUDIT_REQUIRE_ALL` is set (as `.ci/run` does).

mod common;

use common::{cli, cli_stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&cli_stdout(dir, args)).unwrap()
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let out = cli(&dir).args(["demo", "--no-tui"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (t, dir)
}

/// What the CLI says each table should hold.
fn cli_counts(dir: &Path) -> BTreeMap<&'static str, i64> {
    let mut c: BTreeMap<&'static str, i64> = BTreeMap::new();
    let engagements = json(dir, &["engagement", "list", "--json"]);
    let engagements = engagements.as_array().unwrap();
    c.insert("engagements", engagements.len() as i64);
    for e in engagements {
        let id = e["id"].as_str().unwrap();
        let st = json(dir, &["status", "--json", "-e", id]);
        *c.entry("findings").or_default() += st["findings_total"].as_i64().unwrap();
        *c.entry("actions").or_default() += st["actions_total"].as_i64().unwrap();
        let show = json(dir, &["engagement", "show", id, "--json"]);
        *c.entry("members").or_default() += show["team"].as_array().unwrap().len() as i64;
        *c.entry("certificates").or_default() += i64::from(!show["engagement"]["certificate"].is_null());
    }
    for p in json(dir, &["programme", "list", "--json"]).as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let show = json(dir, &["programme", "show", id, "--json"]);
        *c.entry("members").or_default() += show["team"].as_array().unwrap().len() as i64;
    }
    c.insert(
        "programmes",
        json(dir, &["portfolio", "--json"]).as_array().unwrap().len() as i64,
    );
    c
}

/// The CLI's answers to the README's four head-office questions.
struct Answers {
    overdue_actions: i64,
    open_majors: BTreeMap<String, i64>,
    li_min: Vec<String>,
}

fn cli_answers(dir: &Path) -> Answers {
    let mut a = Answers {
        overdue_actions: 0,
        open_majors: BTreeMap::new(),
        li_min: Vec::new(),
    };
    for e in json(dir, &["engagement", "list", "--json"]).as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        a.overdue_actions += json(dir, &["status", "--json", "-e", id])["overdue"]
            .as_array()
            .unwrap()
            .len() as i64;
        let show = json(dir, &["engagement", "show", id, "--json"]);
        if show["team"].as_array().unwrap().iter().any(|m| m["actor"] == "li.min") {
            a.li_min.push(id.to_string());
        }
    }
    for p in json(dir, &["portfolio", "--json"]).as_array().unwrap() {
        let n = p["open_majors"].as_i64().unwrap();
        if n > 0 {
            a.open_majors.insert(p["programme"].as_str().unwrap().to_string(), n);
        }
    }
    a
}

fn index_json(dir: &Path, target: &[&str]) -> Value {
    let mut args = vec!["index", "--json"];
    args.extend_from_slice(target);
    json(dir, &args)
}

const TABLES: [&str; 6] = [
    "programmes",
    "engagements",
    "certificates",
    "findings",
    "actions",
    "members",
];

/// The checks both targets share, through `count(table)`.
fn incremental(dir: &Path, target: &[&str], count: &mut dyn FnMut(&str) -> i64) {
    let first = index_json(dir, target);
    assert!(first["batches_new"].as_i64().unwrap() > 100, "{first}");
    assert_eq!(
        first["verified"], first["batches_new"],
        "the demo is all signed: {first}"
    );
    let want = cli_counts(dir);
    for t in TABLES {
        assert_eq!(count(t), want[t], "{t}: the index against the CLI");
    }
    let batches = count("batches");
    assert_eq!(batches, first["batches_held"].as_i64().unwrap());
    // A second run adds nothing.
    let again = index_json(dir, target);
    assert_eq!(again["batches_new"], 0, "{again}");
    assert!(again["rows"].as_object().unwrap().is_empty(), "{again}");
    assert_eq!(count("batches"), batches);
    // One more finding: one batch, one row.
    cli_stdout(
        dir,
        &[
            "finding",
            "raise",
            "-e",
            "DEMO-S2",
            "--grade",
            "observation",
            "--title",
            "总部索引的新发现项",
        ],
    );
    let one = index_json(dir, target);
    assert_eq!(one["batches_new"], 1, "{one}");
    assert_eq!(one["rows"]["findings"], 1, "{one}");
    assert_eq!(count("findings"), want["findings"] + 1);
    assert_eq!(count("batches"), batches + 1);
}

#[test]
fn the_sqlite_index_of_the_demo_matches_the_cli_and_grows_by_what_is_new() {
    let (t, dir) = demo();
    let file = t.path().join("head-office.sqlite");
    let target = ["--sqlite", file.to_str().unwrap()];
    incremental(&dir, &target, &mut |table| {
        let db = rusqlite::Connection::open(&file).unwrap();
        db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    });
    // Every row names a batch of the ledger.
    let db = rusqlite::Connection::open(&file).unwrap();
    for table in TABLES {
        let orphans: i64 = db
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE batch IS NULL OR batch NOT IN (SELECT id FROM batches)"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "{table}");
    }
    // The README's SQLite queries give the CLI's answers.
    let a = cli_answers(&dir);
    let overdue: i64 = db
        .query_row(
            "SELECT count(*) FROM actions WHERE status IN ('planned','in-progress','verified-ineffective') AND due < date('now','localtime')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(overdue, a.overdue_actions);
    assert!(overdue > 0, "the demo has overdue actions");
    // Rebuilt from nothing: the same rows.
    let dump = |db: &rusqlite::Connection| -> Vec<String> {
        let mut st = db
            .prepare("SELECT id, title, status, batch FROM findings ORDER BY id")
            .unwrap();
        st.query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let before = dump(&db);
    drop(db);
    let r = index_json(&dir, &["--sqlite", file.to_str().unwrap(), "--rebuild"]);
    assert_eq!(r["batches_new"], r["batches_held"], "{r}");
    assert_eq!(dump(&rusqlite::Connection::open(&file).unwrap()), before);
}

/// A PostgreSQL server of its own: initdb in a temporary folder, started
/// as a non-root user (root: Debian's `postgres` account) on 127.0.0.1.
struct Pg {
    _root: tempfile::TempDir,
    child: Child,
    port: u16,
}

impl Drop for Pg {
    fn drop(&mut self) {
        // A smart shutdown (SIGTERM), then wait.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn id_of(user: &str, flag: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, user]).output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

impl Pg {
    fn start() -> Option<Pg> {
        use std::os::unix::process::CommandExt;
        let Some(bin) = pg_bin() else {
            common::unavailable("index (PostgreSQL)", "PostgreSQL (Debian: postgresql)");
            return None;
        };
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("pg");
        std::fs::create_dir(&data).unwrap();
        // PostgreSQL refuses to run as root: as root, run it as `postgres`.
        let me = id_of("", "-u").unwrap_or(0);
        let (uid, gid) = if me == 0 {
            let user = ["postgres", "nobody"]
                .into_iter()
                .find(|u| id_of(u, "-u").is_some())
                .expect("a non-root user for PostgreSQL");
            (id_of(user, "-u").unwrap(), id_of(user, "-g").unwrap())
        } else {
            (me, id_of("", "-g").unwrap_or(0))
        };
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            std::os::unix::fs::chown(&data, Some(uid), Some(gid)).unwrap();
        }
        let out = Command::new(bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "cscaudit",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .current_dir(root.path())
            .uid(uid)
            .gid(gid)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        for _ in 0..5 {
            let port = common::free_port();
            let log = std::fs::File::create(root.path().join(format!("pg-{port}.log"))).unwrap();
            let mut child = Command::new(bin.join("postgres"))
                .arg("-D")
                .arg(&data)
                .args(["-p", &port.to_string()])
                .args([
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "unix_socket_directories=",
                    "-c",
                    "fsync=off",
                ])
                .current_dir(root.path())
                .stderr(log)
                .uid(uid)
                .gid(gid)
                .spawn()
                .unwrap();
            let url = format!("host=127.0.0.1 port={port} user=cscaudit dbname=postgres");
            for _ in 0..200 {
                if postgres::Client::connect(&url, postgres::NoTls).is_ok() {
                    return Some(Pg {
                        _root: root,
                        child,
                        port,
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
        panic!("PostgreSQL did not start");
    }

    fn url(&self) -> String {
        format!("postgresql://cscaudit@127.0.0.1:{}/postgres", self.port)
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }
}

#[test]
fn the_postgresql_index_of_the_demo_matches_the_cli_and_answers_head_office() {
    let Some(pg) = Pg::start() else { return };
    let (_t, dir) = demo();
    let url = pg.url();
    let target = ["--postgres", url.as_str()];
    let mut db = pg.client();
    incremental(&dir, &target, &mut |table| {
        db.query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get::<_, i64>(0)
    });
    // The README's head-office queries against the CLI's answers.
    let a = cli_answers(&dir);
    let overdue: i64 = db
        .query_one(
            "SELECT count(*) FROM actions a JOIN engagements e ON e.id = a.engagement \
             WHERE a.status IN ('planned','in-progress','verified-ineffective') AND a.due < current_date",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(overdue, a.overdue_actions);
    assert!(overdue > 0, "the demo has overdue actions");
    let majors: BTreeMap<String, i64> = db
        .query(
            "SELECT p.id, count(*) FROM findings f JOIN engagements e ON e.id = f.engagement \
             JOIN programmes p ON p.id = e.programme \
             WHERE f.grade = 'major' AND f.status NOT IN ('verified','closed','withdrawn') \
             GROUP BY p.id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(majors, a.open_majors);
    assert!(!majors.is_empty(), "the demo has open majors");
    let mine: Vec<String> = db
        .query(
            "SELECT m.scope FROM members m JOIN engagements e ON e.id = m.scope \
             WHERE m.actor = 'li.min' AND NOT m.has_left ORDER BY m.scope",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut want = a.li_min.clone();
    want.sort();
    assert_eq!(mine, want);
    assert!(!mine.is_empty(), "li.min is on the demo's team");
    // Text with COPY's special bytes (tab, newline, backslash, \N) arrives whole.
    let odd = "制表\t换行\n反斜杠\\ 与 \\N 结尾";
    cli_stdout(
        &dir,
        &[
            "finding",
            "raise",
            "-e",
            "DEMO-S2",
            "--grade",
            "observation",
            "--title",
            odd,
        ],
    );
    let r = index_json(&dir, &target);
    assert_eq!(r["rows"]["findings"], 1, "{r}");
    let got: Vec<String> = db
        .query("SELECT title FROM findings WHERE title LIKE '制表%'", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(got, vec![odd.to_string()]);
    // Certificates expiring within 60 days: the query runs; each one found
    // is valid and ends in the window.
    for r in db
        .query(
            "SELECT c.number, c.valid_until - current_date FROM certificates c \
             WHERE c.status = 'valid' AND c.valid_until BETWEEN current_date AND current_date + 60",
            &[],
        )
        .unwrap()
    {
        let days: i32 = r.get(1);
        assert!((0..=60).contains(&days));
    }
    // A generated portfolio (`demo --portfolio`), in a database of its own.
    db.batch_execute("CREATE DATABASE portfolio").unwrap();
    let t = tempfile::tempdir().unwrap();
    let pf = t.path().join("data");
    let out = cli(&pf)
        .args(["demo", "--no-tui", "--portfolio", "20"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url2 = url.replace("/postgres", "/portfolio");
    let r = index_json(&pf, &["--postgres", &url2]);
    assert_eq!(r["verified"], r["batches_new"], "{r}");
    let mut db2 = postgres::Client::connect(&url2, postgres::NoTls).unwrap();
    let want = cli_counts(&pf);
    assert_eq!(want["programmes"], 23, "the demo's 3 and 20 generated: {want:?}");
    for t in TABLES {
        let n: i64 = db2.query_one(&format!("SELECT count(*) FROM {t}"), &[]).unwrap().get(0);
        assert_eq!(n, want[t], "{t}: the portfolio's index against the CLI");
    }
    // A bad URL: a clear error, nothing written.
    let out = cli(&dir)
        .args(["index", "--postgres", "postgresql://cscaudit@127.0.0.1:1/postgres"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the index: connect"), "{said}");
}
