//! The CLI end to end: the real binary against a temp data folder.

mod common;

use common::{cli as cmd, cli_stdout as stdout};
use predicates::prelude::*;
use std::path::Path;

/// One entry of a zip file (a bundle, an .xlsx).
fn zip_entry(zip: &Path, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name(name).unwrap(), &mut bytes).unwrap();
    bytes
}

/// Export the data folder's engagement and read one entry of the bundle.
fn bundle_entry(dir: &Path, name: &str) -> Vec<u8> {
    let zip = dir.join("entry-check.zip");
    stdout(dir, &["export", "--out", zip.to_str().unwrap()]);
    zip_entry(&zip, name)
}

/// As 赵审核 (ZH), create engagement S1 of `kind` with the creator as lead.
fn certification_engagement(d: &Path, kind: &str) {
    stdout(d, &["identity", "set", "zhao", "--name", "赵审核", "--initials", "ZH"]);
    stdout(
        d,
        &[
            "engagement",
            "create",
            "--id",
            "S1",
            "--auditee",
            "某银行",
            "--kind",
            kind,
        ],
    );
}

/// The demo with one more observation titled `title` (on AC-01).
fn demo_with_observation(d: &Path, title: &str) {
    demo(d);
    stdout(
        d,
        &[
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            title,
            "--indicator",
            "AC-01",
            // Issued: the reports leave drafts out.
            "--issue",
        ],
    );
}

fn demo(dir: &Path) {
    cmd(dir)
        .args(["demo", "--no-tui"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Demo engagement created"));
}

#[test]
fn demo_seeds_once_and_status_reports_remediation() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let ops_after_first = stdout(dir.path(), &["debug", "check"]);
    cmd(dir.path())
        .args(["demo", "--no-tui"])
        .assert()
        .success()
        .stdout(predicate::str::contains("already present"));
    assert_eq!(
        stdout(dir.path(), &["debug", "check"]),
        ops_after_first,
        "a second demo must not add data"
    );

    let json: serde_json::Value = serde_json::from_str(&stdout(dir.path(), &["status", "--json"])).unwrap();
    assert_eq!(json["engagement"], "DEMO-S2");
    assert_eq!(json["findings_total"], 16);
    assert_eq!(json["actions_total"], 26);
    assert!(json["provisional_catalog"].as_bool().unwrap());
    let overdue = json["overdue"].as_array().unwrap();
    assert!(!overdue.is_empty());
    assert!(overdue.iter().all(|a| a["days_overdue"].as_i64().unwrap() > 0));
    assert!(!json["due_7"].as_array().unwrap().is_empty());
    assert!(json["verified"].as_u64().unwrap() > 0);
    assert!(!json["open_majors"].as_array().unwrap().is_empty());
    assert!(json["by_owner"].as_array().unwrap().len() >= 3);
    for grade in ["major", "minor", "observation", "improvement"] {
        assert!(json["findings_by_grade"][grade].is_object(), "{grade}");
    }

    let text = stdout(dir.path(), &["status"]);
    for needle in [
        "Overdue",
        "Due within 7 days",
        "Due within 30 days",
        "By owner",
        "Open majors",
        "provisional catalogue",
    ] {
        assert!(text.contains(needle), "missing {needle}\n{text}");
    }
    let zh = stdout(dir.path(), &["--lang", "zh", "status"]);
    assert!(
        zh.contains("已逾期") && zh.contains("按责任人") && zh.contains("暂定目录"),
        "{zh}"
    );
}

#[test]
fn finding_list_filters_and_lines_start_with_reference() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let all = stdout(dir.path(), &["finding", "list"]);
    assert_eq!(all.lines().count(), 16);
    let re = regex_lite_ref();
    for l in all.lines() {
        assert!(re(l), "line does not start with a reference: {l}");
    }
    let majors = stdout(dir.path(), &["finding", "list", "--grade", "major"]);
    assert_eq!(majors.lines().count(), 3);
    assert!(majors.lines().all(|l| l.contains("MAJ")));
    let issued = stdout(dir.path(), &["finding", "list", "--status", "issued"]);
    assert!(
        issued.lines().count() >= 2 && issued.lines().all(|l| l.contains("issued")),
        "{issued}"
    );
    cmd(dir.path())
        .args(["finding", "list", "--grade", "huge"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("`huge` is not a valid grade"));
}

/// `XX-000 ` at the start of a line.
fn regex_lite_ref() -> impl Fn(&str) -> bool {
    |l: &str| {
        let (head, _) = l.split_once(' ').unwrap_or((l, ""));
        let (ini, num) = head.split_once('-').unwrap_or(("", ""));
        !ini.is_empty()
            && ini.chars().all(|c| c.is_ascii_uppercase())
            && num.len() == 3
            && num.chars().all(|c| c.is_ascii_digit())
    }
}

#[test]
fn history_lists_one_change_per_line() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let h = stdout(dir.path(), &["history", "ZW-001"]);
    let lines: Vec<&str> = h.lines().collect();
    assert_eq!(lines[0], "finding DEMO-S2/ZW-001", "named with its engagement");
    assert!(
        lines[1].contains("zhang.wei") && lines[1].ends_with("created"),
        "{}",
        lines[1]
    );
    assert!(lines.iter().any(|l| l.ends_with("status → plan-accepted")), "{h}");
    let zh = stdout(dir.path(), &["--lang", "zh", "history", "ZW-001"]);
    assert!(
        zh.contains("状态 → 计划已接受") && zh.contains("等级 → 严重不符合"),
        "{zh}"
    );
    cmd(dir.path())
        .args(["history", "NOPE-1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no record `NOPE-1`"));
}

#[test]
fn engagement_list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let list = stdout(dir.path(), &["engagement", "list"]);
    assert!(list.starts_with("DEMO-S2"));
    let show = stdout(dir.path(), &["engagement", "show", "DEMO-S2"]);
    assert!(
        show.contains("CCAA-2019-SC-10234") && show.contains("(no certificate)") && show.contains("provisional"),
        "{show}"
    );
    let zh = stdout(dir.path(), &["--lang", "zh", "engagement", "show"]);
    assert!(zh.contains("审核组长") && zh.contains("张伟"), "{zh}");
}

#[test]
fn a_certification_audit_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    certification_engagement(d, "stage-1");
    // The creator is lead without a certificate: issuing is refused.
    cmd(d)
        .args([
            "finding",
            "raise",
            "--grade",
            "minor",
            "--title",
            "t",
            "--statement",
            "s",
            "--indicator",
            "AC-02",
            "--issue",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "at least two auditors with valid registrations",
        ));
    stdout(
        d,
        &[
            "engagement",
            "add-member",
            "--actor",
            "zhao",
            "--name",
            "赵审核",
            "--initials",
            "ZH",
            "--role",
            "lead",
            "--certificate",
            "CCAA-9",
        ],
    );
    stdout(
        d,
        &[
            "engagement",
            "add-member",
            "--actor",
            "qian",
            "--name",
            "钱审核",
            "--initials",
            "QI",
            "--certificate",
            "CCAA-8",
        ],
    );
    let out = stdout(
        d,
        &[
            "finding",
            "raise",
            "--grade",
            "minor",
            "--title",
            "放弃率口径",
            "--statement",
            "s",
            "--indicator",
            "AC-04",
            "--issue",
        ],
    );
    assert_eq!(out.trim(), "ZH-001 issued");
    stdout(
        d,
        &[
            "finding",
            "respond",
            "ZH-001",
            "--root-cause",
            "口径不清",
            "--correction",
            "更正报表",
        ],
    );
    let add = stdout(
        d,
        &[
            "action",
            "add",
            "ZH-001",
            "--description",
            "统一口径",
            "--owner",
            "陈静",
            "--due",
            "2030-01-31",
        ],
    );
    assert!(add.starts_with("ZH-CA001 planned 2030-01-31"), "{add}");
    stdout(d, &["finding", "accept", "ZH-001"]);
    stdout(
        d,
        &[
            "action",
            "update",
            "ZH-CA001",
            "--status",
            "completed",
            "--evidence",
            "新报表",
        ],
    );
    stdout(d, &["action", "verify", "ZH-CA001", "--effective", "--note", "抽查"]);
    stdout(d, &["finding", "implement", "ZH-001"]);
    stdout(d, &["finding", "verify", "ZH-001"]);
    assert_eq!(stdout(d, &["finding", "close", "ZH-001"]).trim(), "ZH-001 closed");
    cmd(d)
        .args(["finding", "close", "ZH-001"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot move from closed to closed"));
    cmd(d)
        .args(["finding", "edit", "ZH-001", "--field", "title", "--value", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("reopen it before editing"));
    stdout(d, &["finding", "reopen", "ZH-001", "--reason", "新情况"]);
    stdout(
        d,
        &[
            "finding",
            "edit",
            "ZH-001",
            "--field",
            "title",
            "--value",
            "放弃率口径不一致",
        ],
    );
    assert!(stdout(d, &["finding", "show", "ZH-001"]).contains("放弃率口径不一致"));
    cmd(d)
        .args(["finding", "edit", "ZH-001", "--field", "grade", "--value", "major"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only a draft's grade can change"));
    cmd(d)
        .args(["finding", "edit", "ZH-001", "--field", "raised_by", "--value", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be edited"));
    stdout(d, &["assess", "AC-02", "--result", "conforming", "--measured", "83.1"]);
    let file = d.join("证据.txt");
    std::fs::write(&file, "ACD export").unwrap();
    let ev = stdout(d, &["evidence", "add", file.to_str().unwrap(), "--indicator", "AC-02"]);
    assert!(ev.contains("证据.txt  10 B"), "{ev}");
}

#[test]
fn catalog_commands() {
    let dir = tempfile::tempdir().unwrap();
    let list = stdout(dir.path(), &["catalog", "list"]);
    assert!(list.contains("[provisional catalogue]") && list.contains("AC-03") && list.contains("Service capability"));
    let zh = stdout(dir.path(), &["catalog", "list", "--lang", "zh"]);
    assert!(zh.contains("服务能力") && zh.contains("平均应答速度"));
    let show = stdout(dir.path(), &["catalog", "show", "AC-03"]);
    assert!(show.contains("term-2.4") && show.contains("asa"), "{show}");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs");
    cmd(dir.path())
        .args(["catalog", "validate", fixtures.join("minimal.toml").to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("org-internal 2026.1"));
    cmd(dir.path())
        .args([
            "catalog",
            "validate",
            fixtures.join("bad-weight.toml").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad-weight.toml:20:10: field `weight`"));
    // An indicator in a top group itself is listed (first); a third level of
    // groups, which nothing would show, is refused.
    let top = stdout(
        dir.path(),
        &[
            "catalog",
            "list",
            "--file",
            fixtures.join("top-level-indicator.toml").to_str().unwrap(),
        ],
    );
    assert!(top.contains("HOURS") && top.find("HOURS") < top.find("Speed"), "{top}");
    cmd(dir.path())
        .args([
            "catalog",
            "validate",
            fixtures.join("bad-three-levels.toml").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("two levels"));
    // 2,001 indicators: over the documented limit, refused (not a slow status).
    let mut big = std::fs::read_to_string(fixtures.join("minimal.toml")).unwrap();
    for i in 0..2001 {
        big.push_str(&format!(
            "\n[[indicator]]\nid = \"X{i}\"\ngroup = \"access.speed\"\nname_zh = \"指标{i}\"\nname_en = \"I{i}\"\nunit = \"count\"\ndirection = \"higher\"\nweight = 1.0\nevidence_zh = \"-\"\nevidence_en = \"-\"\nprovenance = \"licensed\"\n"
        ));
    }
    let big_file = dir.path().join("big.toml");
    std::fs::write(&big_file, big).unwrap();
    cmd(dir.path())
        .args(["catalog", "validate", big_file.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("at most 2000 indicators"));
}

#[test]
fn errors_are_one_sentence_with_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path()).args(["status"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: there is no engagement yet"), "{err}");
    cmd(dir.path())
        .args(["finding", "show", "ZZ-404"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no finding `ZZ-404`"));
}

#[test]
fn welcome_without_engagements() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("cscaudit demo"));
}

#[test]
fn newer_schema_database_is_refused_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    cscaudit::store::Store::open(dir.path())
        .unwrap()
        .stamp_schema(7)
        .unwrap();
    let out = cmd(dir.path()).args(["status"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("newer cscaudit (schema 7") && err.contains("nothing was changed"),
        "{err}"
    );
}

#[test]
fn second_process_gets_a_one_line_message_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let _held = cscaudit::store::Store::open(dir.path()).unwrap();
    // Not waiting: one line naming the path.
    let out = cmd(dir.path())
        .env("CSCAUDIT_LOCK_WAIT", "0")
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&dir.path().join("db").display().to_string()) && err.contains("in use"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    // Waiting a second: the wait is said first, then the same line.
    let out = cmd(dir.path())
        .env("CSCAUDIT_LOCK_WAIT", "1")
        .args(["status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("waiting for another cscaudit process") && lines[0].contains("up to 1 s"));
    assert!(lines[1].contains("in use") && !err.contains("panicked"), "{err}");
}

#[test]
fn demo_without_data_dir_uses_its_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path());
    c.env_remove("CSCAUDIT_DATA_DIR")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("CSCAUDIT_CONFIG_DIR", dir.path().join("config"))
        .args(["demo", "--no-tui"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cscaudit-demo"));
    // The user's own data folder stays empty of the demo.
    assert!(!dir.path().join("data/cscaudit/db").exists());
    assert!(dir.path().join("data/cscaudit-demo/db").exists());
}

#[test]
fn an_organisation_catalogue_from_the_config_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cats = dir.path().join("config/catalogs");
    std::fs::create_dir_all(&cats).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs/minimal.toml"),
        cats.join("org.toml"),
    )
    .unwrap();
    let list = stdout(dir.path(), &["catalog", "list"]);
    assert!(list.contains("Also available: org-internal 2026.1"), "{list}");
    stdout(
        dir.path(),
        &["identity", "set", "qian", "--name", "钱审核", "--initials", "QN"],
    );
    stdout(
        dir.path(),
        &[
            "engagement",
            "create",
            "--id",
            "ORG",
            "--auditee",
            "行内",
            "--catalog",
            "org-internal",
        ],
    );
    let show = stdout(dir.path(), &["engagement", "show", "ORG"]);
    assert!(
        show.contains("org-internal 2026.1") && !show.contains("provisional"),
        "{show}"
    );
    stdout(
        dir.path(),
        &["assess", "SL20", "--result", "conforming", "--measured", "88"],
    );
    // The catalogue travels with the database: removing the file changes nothing.
    std::fs::remove_file(cats.join("org.toml")).unwrap();
    let status = stdout(dir.path(), &["status", "--json"]);
    assert!(status.contains("\"assessed\": 1"), "{status}");
    cmd(dir.path())
        .args(["engagement", "create", "--auditee", "x", "--catalog", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no catalogue file `nope`"));
}

#[test]
fn errors_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let zh = |args: &[&str]| {
        let out = cmd(d).arg("--lang").arg("zh").args(args).output().unwrap();
        assert!(!out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    assert_eq!(
        zh(&["status"]).trim(),
        "错误：还没有审核项目：请用 `cscaudit engagement create` 新建，或试试 `cscaudit demo`"
    );
    certification_engagement(d, "stage-2");
    let e = zh(&[
        "finding",
        "raise",
        "--grade",
        "minor",
        "--title",
        "t",
        "--statement",
        "s",
        "--issue",
    ]);
    assert!(
        e.contains("第二阶段审核在审核组至少有两名注册有效的审核员之前不能开具发现项（目前 0 名）"),
        "{e}"
    );
    let e = zh(&["finding", "list", "--grade", "huge"]);
    assert!(e.contains("`huge` 不是有效的等级"), "{e}");
    let e = zh(&["finding", "show", "ZZ-404"]);
    assert!(e.contains("找不到发现项 `ZZ-404`"), "{e}");
    // Config language applies too; English stays the default elsewhere.
    std::fs::create_dir_all(d.join("config")).unwrap();
    std::fs::write(d.join("config/config.toml"), "language = \"zh-CN\"\n").unwrap();
    let out = cmd(d).args(["finding", "show", "ZZ-404"]).output().unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().starts_with("错误：找不到发现项"));
}

#[test]
fn an_engagement_needs_an_identity_first_and_the_creator_leads_with_their_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = cmd(d)
        .args(["engagement", "create", "--id", "E1", "--auditee", "某银行"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("identity set"), "{err}");
    assert!(
        stdout(d, &["engagement", "list"]).trim().is_empty(),
        "nothing was created"
    );
    assert!(stdout(d, &["identity", "show"]).contains("no identity yet"));
    stdout(
        d,
        &[
            "identity",
            "set",
            "zhao",
            "--name",
            "赵审核",
            "--initials",
            "ZH",
            "--certificate",
            "CCAA-9",
        ],
    );
    assert!(stdout(d, &["identity", "show"]).contains("zhao (赵审核, ZH, CCAA-9)"));
    stdout(d, &["engagement", "create", "--id", "E1", "--auditee", "某银行"]);
    let show = stdout(d, &["engagement", "show", "E1"]);
    assert!(show.contains("赵审核") && show.contains("CCAA-9"), "{show}");
}

#[test]
fn text_from_data_never_reaches_the_terminal_with_its_controls_live() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(d, &["identity", "set", "zhao", "--name", "赵审核", "--initials", "ZH"]);
    stdout(
        d,
        &[
            "engagement",
            "create",
            "--id",
            "E1",
            "--auditee",
            "某银行",
            "--kind",
            "self-assessment",
        ],
    );
    let title = "\u{1b}]0;pwned\u{7}title\u{202E}evil\nsecond line";
    stdout(
        d,
        &[
            "finding",
            "raise",
            "--grade",
            "major",
            "--title",
            title,
            "--statement",
            "\u{1b}[2J\u{9b}31m",
            "--indicator",
            "AC-01",
        ],
    );
    let hazardous = |s: &str| {
        s.chars()
            .any(|c| (c.is_control() && c != '\n') || ('\u{202A}'..='\u{202E}').contains(&c))
    };
    for args in [
        &["finding", "list"][..],
        &["finding", "show", "ZH-001"],
        &["history", "ZH-001"],
        &["finding", "list", "--json"],
        &["status", "--json"],
        &["status"],
    ] {
        let out = stdout(d, args);
        assert!(!hazardous(&out), "{args:?} printed a live control: {out:?}");
    }
    // One line per finding, with the controls shown visibly.
    let list = stdout(d, &["finding", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(
        list.contains("␛]0;pwned␇") && list.contains("<U+202E>") && list.contains("␊"),
        "{list}"
    );
    // JSON keeps the value (escaped), so a program reading it gets the title back.
    let json: serde_json::Value = serde_json::from_str(&stdout(d, &["finding", "list", "--json"])).unwrap();
    assert_eq!(json[0]["title"], title);
}

#[test]
fn a_truncated_database_is_refused_not_shown_as_less() {
    for keep in [0u64, 700_000] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        stdout(d, &["--data-dir", d.to_str().unwrap(), "demo", "--no-tui"]);
        assert_eq!(stdout(d, &["finding", "list"]).lines().count(), 16);
        let file = d.join("db").join("db");
        let len = std::fs::metadata(&file).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
        f.set_len(keep.min(len / 2)).unwrap();
        drop(f);
        let out = cmd(d).args(["finding", "list"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            // sled may recover everything from what is left; then nothing may be missing.
            assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 16, "keep {keep}");
        } else {
            assert_eq!(out.status.code(), Some(1));
            assert!(
                err.contains("lost changes") || err.contains("is damaged"),
                "keep {keep}: {err}"
            );
            assert!(err.contains("Nothing was changed"), "{err}");
            assert!(!err.contains("there is no engagement"), "{err}");
        }
    }
}

/// History times are local, with their offset: the same change read in two
/// time zones (POSIX TZ strings, no zone database needed) names the same
/// instant.
#[test]
fn history_times_are_local_with_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let in_zone = |tz: &str| {
        let out = cmd(dir.path())
            .env("TZ", tz)
            .args(["history", "ZW-001"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text.lines().nth(1).unwrap().to_string();
        // "2026-11-28 16:40:05 +08:00  zhang.wei  created"
        let stamp: String = line.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        jiff::Timestamp::strptime("%Y-%m-%d %H:%M:%S %:z", &stamp).unwrap_or_else(|e| panic!("{line}: {e}"))
    };
    let east = cmd(dir.path())
        .env("TZ", "CST-8")
        .args(["history", "ZW-001"])
        .output()
        .unwrap();
    let east = String::from_utf8(east.stdout).unwrap();
    assert!(east.lines().nth(1).unwrap().contains(" +08:00 "), "{east}");
    assert_eq!(in_zone("CST-8"), in_zone("EST+5"));
}

/// `evidence export` writes a stored file out (by a unique hash prefix),
/// into a folder under its own name or to a path; it keeps an existing file
/// unless --force.
#[test]
fn evidence_is_exported_by_hash_and_never_overwritten_silently() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let file = dir.path().join("回访录音.txt");
    std::fs::write(&file, "客户回访记录").unwrap();
    let added = stdout(
        dir.path(),
        &["evidence", "add", file.to_str().unwrap(), "--indicator", "PE-01"],
    );
    let sha = added.split_whitespace().next().unwrap().to_string();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let written = stdout(
        dir.path(),
        &["evidence", "export", &sha[..10], "--to", out.to_str().unwrap()],
    );
    let copy = out.join("回访录音.txt");
    assert_eq!(written.trim(), copy.display().to_string());
    assert_eq!(std::fs::read(&copy).unwrap(), "客户回访记录".as_bytes());
    std::fs::write(&copy, "changed").unwrap();
    cmd(dir.path())
        .args(["evidence", "export", &sha, "--to", copy.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("exists"));
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "changed");
    stdout(
        dir.path(),
        &["evidence", "export", &sha, "--to", copy.to_str().unwrap(), "--force"],
    );
    assert_eq!(std::fs::read(&copy).unwrap(), "客户回访记录".as_bytes());
    cmd(dir.path())
        .args(["evidence", "export", "ffffffffffff", "--to", copy.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no evidence"));
    // By its name too, with --out.
    let by_name = dir.path().join("by-name.txt");
    stdout(
        dir.path(),
        &["evidence", "export", "回访录音.txt", "--out", by_name.to_str().unwrap()],
    );
    assert_eq!(std::fs::read(&by_name).unwrap(), "客户回访记录".as_bytes());
}

/// Bundles through the CLI: export, import into a new copy (joining the
/// engagement), the same again changes nothing; an altered evidence file is
/// named by `evidence verify` and refused by `export`; `conflicts` lists a
/// concurrent edit once.
#[test]
fn bundles_evidence_verify_and_conflicts_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    demo(&a);
    let zip = dir.path().join("a.zip");
    let out = stdout(&a, &["export", "--out", zip.to_str().unwrap()]);
    assert!(out.contains("exported") && out.contains("evidence files"), "{out}");
    // li.min signs with the key the demo made for her (in a's demo-keys/).
    let key = a.join("demo-keys").join("li.min");
    let me = stdout(
        &b,
        &[
            "identity",
            "set",
            "li.min",
            "--name",
            "李敏",
            "--initials",
            "LM",
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert!(me.contains("signs with SHA256:"), "{me}");
    let first = stdout(&b, &["import", zip.to_str().unwrap()]);
    assert!(first.contains("joined engagement DEMO-S2"), "{first}");
    assert!(
        first.contains("signed and verified, 0 unsigned"),
        "the demo is signed: {first}"
    );
    let again = stdout(&b, &["import", zip.to_str().unwrap()]);
    assert!(again.contains(" 0 new "), "{again}");
    assert!(stdout(&b, &["evidence", "verify"]).contains("intact"));

    // Both edit one title offline, then exchange.
    stdout(
        &a,
        &["finding", "edit", "ZW-001", "--field", "title", "--value", "甲改"],
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    stdout(
        &b,
        &["finding", "edit", "ZW-001", "--field", "title", "--value", "乙改"],
    );
    let (za, zb) = (dir.path().join("a2.zip"), dir.path().join("b2.zip"));
    stdout(&a, &["export", "--out", za.to_str().unwrap()]);
    stdout(&b, &["export", "--out", zb.to_str().unwrap()]);
    stdout(&a, &["import", zb.to_str().unwrap()]);
    stdout(&b, &["import", za.to_str().unwrap()]);
    for d in [&a, &b] {
        let c = stdout(d, &["conflicts"]);
        assert_eq!(c.lines().filter(|l| l.contains("ZW-001")).count(), 1, "{c}");
        assert!(c.contains("乙改") && c.contains("甲改"), "{c}");
        // Both sides with their author and local time (the year of the edit).
        let line = c.lines().find(|l| l.contains("ZW-001")).unwrap();
        let year = jiff::Zoned::now().year().to_string();
        assert_eq!(line.matches(&format!(", {year}-")).count(), 2, "{line}");
    }

    // An altered evidence file.
    let mut blob = None;
    let mut stack = vec![b.join("blobs")];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                blob = Some(e.path());
            }
        }
    }
    std::fs::write(blob.unwrap(), "tampered").unwrap();
    cmd(&b)
        .args(["evidence", "verify"])
        .assert()
        .failure()
        .stdout(predicate::str::contains("altered"))
        .stderr(predicate::str::contains("have problems"));
    cmd(&b)
        .args(["export", "--out", dir.path().join("bad.zip").to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no longer matches its hash"));
    assert!(!dir.path().join("bad.zip").exists(), "no partial bundle left");
}

/// findings.csv (in a bundle, and by `report --format csv`): a UTF-8 BOM,
/// headings and labels in the chosen language, one row per finding, and
/// hostile titles made harmless (a formula starts with ', an escape shows).
#[test]
fn the_findings_csv_has_a_bom_and_harmless_cells() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_with_observation(d, "=HYPERLINK(\"http://x\")");
    stdout(
        d,
        &[
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "红色\u{1b}[31m标题",
            "--indicator",
            "AC-01",
            "--issue",
        ],
    );
    let file = d.join("发现项.csv");
    stdout(
        d,
        &[
            "--lang",
            "zh",
            "report",
            "--format",
            "csv",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a UTF-8 byte-order mark first");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&r.headers().unwrap()[0], "编号");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        17,
        "the 15 demo findings past draft (its draft left out) and the 2 raised here"
    );
    assert!(
        rows.iter().any(|r| &r[3] == "'=HYPERLINK(\"http://x\")"),
        "formula neutralised"
    );
    assert!(!text.contains('\u{1b}'), "no live escape in the CSV");
    assert!(rows.iter().any(|r| &r[1] == "观察项"), "labels in Chinese");
    // The same table travels in the bundle.
    let inside = bundle_entry(d, "findings.csv");
    assert!(inside.starts_with(&[0xEF, 0xBB, 0xBF]));
}

/// report.md: the audit report in the user's language, every user string
/// escaped (a title of <script> reads as text), evidence by name and sha256.
#[test]
fn the_markdown_report_escapes_what_users_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_with_observation(d, "<script>alert(1)</script> [x](http://evil)");
    let file = d.join("report.md");
    stdout(
        d,
        &[
            "--lang",
            "zh",
            "report",
            "--format",
            "md",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# 审核报告"), "{}", &text[..80]);
    assert!(
        text.contains("\\<script\\>alert(1)\\</script\\> \\[x\\](http://evil)"),
        "escaped"
    );
    assert!(!text.contains("<script>"));
    assert!(
        text.contains("张伟 Zhang Wei") && text.contains("CCAA-2019-SC-10234"),
        "team with certificates"
    );
    assert!(text.contains("（暂定目录）"), "the provisional mark");
    assert!(text.contains("`a30ddedad45e"), "evidence files by hash");
    // In English, and in the bundle.
    let md = String::from_utf8(bundle_entry(d, "report.md")).unwrap();
    assert!(md.starts_with("# Audit report"), "{}", &md[..60]);
}

/// report.html: one print-ready file, every user string escaped (a title of
/// <script> shows as text), no control characters, Chinese headings under zh.
#[test]
fn the_html_report_escapes_what_users_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_with_observation(d, "<script>alert(1)</script>\u{1b}[2J\"'&");
    let file = d.join("report.html");
    stdout(
        d,
        &[
            "--lang",
            "zh",
            "report",
            "--format",
            "html",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped");
    assert_eq!(page.matches("<script").count(), 0, "no script element at all");
    assert!(!page.contains('\u{1b}'), "no live escape");
    assert!(page.contains("<h2>发现项</h2>") && page.contains("lang=\"zh-CN\""));
    assert!(page.contains("CCAA-2019-SC-10234") && page.contains("a30ddedad45e"));
    assert!(
        String::from_utf8(bundle_entry(d, "report.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

/// findings.xlsx read back (it is a zip of XML): three sheets named in the
/// user's language, frozen headers and filters, Chinese text, dates as dates,
/// overdue rows shaded.
#[test]
fn the_workbook_has_its_sheets_headers_dates_and_chinese_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo(d);
    let file = d.join("发现项.xlsx");
    stdout(
        d,
        &[
            "--lang",
            "zh",
            "report",
            "--format",
            "xlsx",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let read = |name: &str| String::from_utf8(zip_entry(&file, name)).unwrap();
    let book = read("xl/workbook.xml");
    for sheet in ["检查表", "发现项", "纠正措施"] {
        assert!(book.contains(&format!("name=\"{sheet}\"")), "{book}");
    }
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains("抽样 60 通中 3 通无录音"), "a finding's Chinese title");
    assert!(strings.contains("严重不符合"), "grades in Chinese");
    let findings = read("xl/worksheets/sheet2.xml");
    assert!(findings.contains("ySplit=\"1\""), "frozen header");
    assert!(findings.contains("<autoFilter"), "filters");
    let styles = read("xl/styles.xml");
    assert!(styles.contains("yyyy-mm-dd"), "dates as dates");
    assert!(styles.contains("FFFFE0E0"), "overdue rows shaded");
    // In the bundle too.
    assert!(bundle_entry(d, "findings.xlsx").starts_with(b"PK"));
}

/// report.docx read back (a zip of XML): the cover with the team's
/// certificates and the provisional mark, every run naming its East-Asian
/// font, Chinese headings under zh, a page number field in the footer, and a
/// hostile title as inert text.
#[test]
fn the_word_report_names_east_asian_fonts_and_escapes_what_users_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_with_observation(d, "<script>alert(1)</script>\u{1b}[2J&");
    let file = d.join("审核报告.docx");
    stdout(
        d,
        &[
            "--lang",
            "zh-CN",
            "report",
            "--format",
            "docx",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let read = |name: &str| String::from_utf8(zip_entry(&file, name)).unwrap();
    let doc = read("word/document.xml");
    for text in [
        "审核报告",
        "审核组",
        "一、范围与方法",
        "三、发现项",
        "四、整改情况",
        "CCAA-2019-SC-10234",
        "暂定",
        "严重不符合",
    ] {
        assert!(doc.contains(text), "{text} in the report");
    }
    assert!(doc.contains("a30ddedad45e"), "evidence by sha256");
    assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped");
    assert!(!doc.contains("<script"), "no markup from a title");
    assert!(
        !doc.contains('\u{1b}'),
        "no control character (XML cannot even carry it)"
    );
    // Every run of text names its East-Asian font.
    let runs = doc.matches("<w:r>").count();
    let with_font = doc.matches("w:eastAsia=").count();
    assert!(
        runs > 100 && with_font >= runs,
        "{with_font} of {runs} runs name an East-Asian font"
    );
    let styles = read("word/styles.xml");
    assert!(styles.contains("w:eastAsia=\"宋体\"") && styles.contains("w:eastAsia=\"黑体\""));
    let footer = read("word/footer1.xml");
    assert!(footer.contains("PAGE"), "page numbers: {footer}");
    assert!(
        read("word/header1.xml").contains("DEMO-S2"),
        "a header naming the engagement"
    );
    // In English, English headings; and in every bundle.
    let en = d.join("report-en.docx");
    stdout(d, &["report", "--format", "docx", "--out", en.to_str().unwrap()]);
    let doc = String::from_utf8(zip_entry(&en, "word/document.xml")).unwrap();
    assert!(doc.contains("1 Scope and method") && doc.contains("Lead auditor"));
    assert!(bundle_entry(d, "report.docx").starts_with(b"PK"));
}

/// Every reference inside the OSCAL documents resolves: findings target an
/// assessment objective of the catalogue, related observations, risks and
/// findings exist, `#uuid` links name a back-matter resource, evidence carries
/// its SHA-256; and a re-export gives the same UUIDs.
#[test]
fn the_oscal_documents_hold_together_and_do_not_churn() {
    use serde_json::Value;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo(d);
    let json = |name: &str| -> Value { serde_json::from_slice(&bundle_entry(d, name)).unwrap() };
    let catalog = json("oscal/catalog.json");
    let ar = json("oscal/assessment-results.json");
    let poam = json("oscal/poam.json");
    fn walk<'a>(v: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    out.push((k.as_str(), x));
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let all = |v: &Value, key: &str| -> Vec<String> {
        let mut kv = Vec::new();
        walk(v, &mut kv);
        kv.into_iter()
            .filter(|(k, _)| *k == key)
            .filter_map(|(_, x)| x.as_str().map(String::from))
            .collect()
    };
    let part_ids = all(&catalog, "id");
    assert_eq!(catalog["catalog"]["metadata"]["oscal-version"], "1.2.1");
    for doc in [&ar, &poam] {
        let uuids = all(doc, "uuid");
        for target in all(doc, "target-id") {
            assert!(part_ids.contains(&target), "target {target} is in the catalogue");
        }
        for key in ["observation-uuid", "risk-uuid", "finding-uuid"] {
            for u in all(doc, key) {
                assert!(uuids.contains(&u), "{key} {u} resolves");
            }
        }
        for href in all(doc, "href").into_iter().filter(|h| h.starts_with('#')) {
            assert!(uuids.contains(&href[1..].to_string()), "{href} resolves");
        }
        // No empty array anywhere (OSCAL allows none).
        let mut kv = Vec::new();
        walk(doc, &mut kv);
        assert!(kv.iter().all(|(_, x)| x.as_array().is_none_or(|a| !a.is_empty())));
    }
    let results = &ar["assessment-results"]["results"][0];
    assert_eq!(
        results["observations"].as_array().unwrap().len(),
        25,
        "one per assessed indicator"
    );
    let risks = results["risks"].as_array().unwrap();
    assert!(risks.iter().any(|r| r["title"].as_str().unwrap().contains("ZW-001")));
    assert!(
        risks.iter().any(|r| r.get("remediations").is_some()),
        "corrective actions as remediations"
    );
    let hashes = all(&ar, "value");
    assert!(
        hashes.iter().any(|h| h.starts_with("a30ddedad45e")),
        "evidence with its SHA-256"
    );
    assert!(
        poam["plan-of-action-and-milestones"]["poam-items"]
            .as_array()
            .unwrap()
            .len()
            >= 5
    );
    // Stable: the same UUIDs on a second export.
    let again = json("oscal/assessment-results.json");
    assert_eq!(all(&ar, "uuid"), all(&again, "uuid"));

    // An independent validator: compliance-trestle's OSCAL 1.2 models (its
    // pydantic classes forbid unknown fields and check every pattern). `.ci/run`
    // installs it and sets CSCAUDIT_OSCAL_PYTHON; CI fails without it.
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/oscal-venv/bin/python");
    let python = std::env::var("CSCAUDIT_OSCAL_PYTHON")
        .ok()
        .or_else(|| venv.exists().then(|| venv.display().to_string()));
    let Some(python) = python else {
        assert!(
            std::env::var("CI").is_err() && std::env::var_os("CSCAUDIT_REQUIRE_ALL").is_none(),
            "CI must set CSCAUDIT_OSCAL_PYTHON (a python with compliance-trestle)"
        );
        eprintln!("CSCAUDIT_OSCAL_PYTHON is not set: the trestle check did not run");
        return;
    };
    let mut files = Vec::new();
    for (name, v) in [("catalog", &catalog), ("ar", &ar), ("poam", &poam)] {
        let p = d.join(format!("{name}.json"));
        std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
        files.push(p);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oscal_validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trestle refused: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("ok ").count(), 3);
}

/// `status` answers from its kept output only while nothing changed: a
/// change, another day or language, or a damaged database file is never
/// answered from the copy.
#[test]
fn status_is_kept_until_anything_it_shows_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo(d);
    let first = stdout(d, &["status", "-e", "DEMO-S2"]);
    // (Kept once a run found the database as it left it: the first open
    // after the demo's writes may still settle the file.)
    assert_eq!(stdout(d, &["status", "-e", "DEMO-S2"]), first);
    assert!(d.join("status-cache").exists());
    assert_eq!(
        stdout(d, &["status", "-e", "DEMO-S2"]),
        first,
        "the kept output, the same"
    );
    // Another language, another output (and the English one kept apart).
    let zh = stdout(d, &["--lang", "zh", "status", "-e", "DEMO-S2"]);
    assert_ne!(zh, first);
    // A change: the next status shows it.
    let before = first.lines().find(|l| l.contains("Checklist")).unwrap().to_string();
    stdout(d, &["assess", "QU-02", "-e", "DEMO-S2", "--result", "conforming"]);
    let after = stdout(d, &["status", "-e", "DEMO-S2"]);
    let now = after.lines().find(|l| l.contains("Checklist")).unwrap().to_string();
    assert_ne!(before, now, "{after}");
    // Another day: overdue days move.
    let later = cmd(d)
        .env("CSCAUDIT_TODAY", "2099-01-01")
        .args(["status", "-e", "DEMO-S2"])
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&later.stdout), after);
    // The JSON is kept apart from the text and parses.
    let j1: serde_json::Value = serde_json::from_str(&stdout(d, &["status", "--json"])).unwrap();
    let j2: serde_json::Value = serde_json::from_str(&stdout(d, &["status", "--json"])).unwrap();
    assert_eq!(j1, j2);
    // A truncated database file: refused, not answered from the copy.
    let db = d.join("db").join("db");
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    let out = cmd(d).args(["status", "-e", "DEMO-S2"]).output().unwrap();
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// `-e` before the command names the engagement for every subcommand that
/// takes one (found by an outside review: `-e E1 finding raise` went to the
/// most recent engagement while `-e E1 finding show` read E1's).
#[test]
fn the_engagement_before_the_command_is_the_one_written_to() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    stdout(
        dir.path(),
        &["engagement", "create", "--id", "LATER", "--auditee", "另一家银行"],
    );
    let out = stdout(
        dir.path(),
        &[
            "-e",
            "DEMO-S2",
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "属于 DEMO-S2",
        ],
    );
    let reference = out.split_whitespace().next().unwrap().to_string();
    let list = stdout(dir.path(), &["-e", "DEMO-S2", "finding", "list"]);
    assert!(list.contains("属于 DEMO-S2") && list.contains(&reference), "{list}");
    let later = stdout(dir.path(), &["-e", "LATER", "finding", "list"]);
    assert!(!later.contains("属于 DEMO-S2"), "{later}");
    // Without -e, the most recent engagement as before.
    let plain = stdout(dir.path(), &["finding", "list"]);
    assert_eq!(plain, later);
}

/// The CLI checks a measured value as the TUI's form does (issue 28: the
/// CLI accepted 150 % and a yes/no of 2); nothing is saved.
#[test]
fn a_measured_value_outside_its_unit_is_refused_on_the_cli_too() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let before = stdout(dir.path(), &["history", "DEMO-S2/AC-02"]);
    for (ind, v, words) in [
        ("AC-02", "150", "outside 0–100"),
        ("AC-02", "-1", "outside 0–100"),
        ("CH-02", "2", "yes or no"),
        ("OP-03", "-5", "cannot be negative"),
    ] {
        cmd(dir.path())
            .args(["assess", ind, &format!("--measured={v}")])
            .assert()
            .failure()
            .stderr(predicate::str::contains(words));
    }
    assert_eq!(stdout(dir.path(), &["history", "DEMO-S2/AC-02"]), before);
    stdout(dir.path(), &["assess", "AC-02", "--measured", "61.4"]);
}
