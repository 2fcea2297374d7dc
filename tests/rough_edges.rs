//! The rough edges a new user hit (issue 28), each reproduced here on the
//! demo with the real binary and a real sled database, and each mended.

mod common;

use common::{cli, cli_stdout};
use cscaudit::app::App;
use std::io::Read;
use std::path::Path;

fn demo(dir: &Path) {
    let mut app = App::open(dir).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = cli(dir).args(args).output().unwrap();
    assert!(
        !out.status.success(),
        "{args:?} succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn zip_text(path: &Path, entry: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(entry).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn the_cli_refuses_a_percentage_over_100_as_the_tui_does() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let err = fails(tmp.path(), &["-e", "DEMO-S2", "assess", "CH-03", "--measured", "150"]);
    assert!(err.contains("outside 0–100"), "{err}");
    cli_stdout(tmp.path(), &["-e", "DEMO-S2", "assess", "CH-03", "--measured", "95.5"]);
}

#[test]
fn a_programme_is_followed_once_and_an_open_rectification_is_not_decided() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    // WB-SV1 already follows WB-R1: a second surveillance would fork the programme.
    let err = fails(
        tmp.path(),
        &[
            "engagement",
            "create",
            "--id",
            "WB-SV1B",
            "--follows",
            "WB-R1",
            "--kind",
            "surveillance",
            "--title",
            "again",
        ],
    );
    assert!(err.contains("WB-SV1 already follows WB-R1"), "{err}");
    // A rectification whose closing is refused (no rectification report)
    // cannot be decided either, by the programme's own decision maker.
    cli_stdout(
        tmp.path(),
        &[
            "engagement",
            "create",
            "--id",
            "WB-R2",
            "--follows",
            "WB-SV1",
            "--kind",
            "follow-up",
            "--title",
            "rectification",
        ],
    );
    let err = fails(tmp.path(), &["engagement", "close", "-e", "WB-R2"]);
    assert!(err.contains("rectification report"), "{err}");
    let key = tmp.path().join("demo-keys").join("chen.bo");
    cli_stdout(
        tmp.path(),
        &[
            "identity",
            "set",
            "chen.bo",
            "--name",
            "陈博 Chen Bo",
            "--initials",
            "CB",
        ],
    );
    cli_stdout(tmp.path(), &["identity", "key", key.to_str().unwrap()]);
    let err = fails(
        tmp.path(),
        &[
            "engagement",
            "decide",
            "-e",
            "WB-R2",
            "--outcome",
            "refuse",
            "--note",
            "x",
        ],
    );
    assert!(err.contains("WB-R2 is not closed"), "{err}");
}

#[test]
fn carried_findings_are_listed_opened_and_moved_from_the_audit_that_carries_them() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let listed = cli_stdout(tmp.path(), &["finding", "list", "-e", "WB-SV1"]);
    assert!(
        listed.contains("carried from earlier audits (1)") && listed.contains("WF-002"),
        "{listed}"
    );
    let json = cli_stdout(tmp.path(), &["finding", "list", "-e", "WB-SV1", "--json"]);
    assert!(json.contains("\"WF-002\""), "{json}");
    let shown = cli_stdout(tmp.path(), &["-e", "WB-SV1", "finding", "show", "WF-002"]);
    assert!(shown.starts_with("WF-002"), "{shown}");
    cli_stdout(
        tmp.path(),
        &[
            "-e",
            "WB-SV1",
            "finding",
            "respond",
            "WF-002",
            "--root-cause",
            "抽样未留种子",
            "--correction",
            "改用带种子抽样",
        ],
    );
    let app = App::open(tmp.path()).unwrap();
    let f = app.finding_by_id("WB-S2/WF-002").unwrap();
    assert_eq!(f.status, cscaudit::model::finding::FindingStatus::Responded);
}

#[test]
fn reports_hold_no_drafts_no_invalid_xml_and_excel_cells_within_their_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    demo(d);
    let long = "很长的事实描述。".repeat(5_000); // 40,000 characters
    cli_stdout(
        d,
        &[
            "-e",
            "DEMO-S2",
            "finding",
            "raise",
            "--grade",
            "minor",
            "--title",
            "超长描述 \u{FFFE} 与非字符 \u{FFFF}",
            "--statement",
            &long,
            "--indicator",
            "CH-01",
            "--issue",
        ],
    );
    cli_stdout(
        d,
        &[
            "-e",
            "DEMO-S2",
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "草稿中的观察",
        ],
    );
    cli_stdout(d, &["-e", "DEMO-S2", "assess", "CH-02", "--notes", &long]);
    // Excel: written, the long text cut with a mark, yes/no as words, values rounded.
    let xlsx = d.join("r.xlsx");
    cli_stdout(
        d,
        &[
            "report",
            "-e",
            "DEMO-S2",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    use calamine::Reader;
    let mut cut = false;
    let mut yes_no_as_word = false;
    let mut unrounded = Vec::new();
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        for row in r.rows() {
            for c in row {
                let s = c.to_string();
                assert!(s.chars().count() <= 32_767);
                cut |= s.contains("cut: 40000 characters");
                assert!(!s.contains("草稿中的观察"), "a draft in the report");
                yes_no_as_word |= s == "yes" || s == "no";
                if let calamine::Data::Float(v) = c
                    && (v * 100.0 - (v * 100.0).round()).abs() > 1e-6
                {
                    unrounded.push(*v);
                }
            }
        }
    }
    assert!(cut, "the 40,000-character statement is cut with a mark");
    assert!(yes_no_as_word, "a yes/no indicator reads yes or no");
    assert!(unrounded.is_empty(), "{unrounded:?}");
    // The bundle (every format) exports too; its Word report is valid XML
    // with a grid for every table, and no draft.
    let zip = d.join("b.zip");
    cli_stdout(d, &["export", "-e", "DEMO-S2", "--out", zip.to_str().unwrap()]);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut docx = Vec::new();
    z.by_name("report.docx").unwrap().read_to_end(&mut docx).unwrap();
    let mut w = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    w.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        !xml.contains('\u{FFFE}') && !xml.contains('\u{FFFF}'),
        "noncharacters in document.xml"
    );
    assert!(
        xml.contains("&lt;U+FFFE&gt;") || xml.contains("<U+FFFE>"),
        "shown visibly"
    );
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        xml.matches("<w:tblGrid>").count(),
        "a grid per table"
    );
    assert!(
        xml.contains("<w:pStyle w:val=\"Normal\""),
        "body paragraphs carry a style"
    );
    assert!(!xml.contains("草稿中的观察"));
    let md = zip_text(&zip, "report.md");
    assert!(
        !md.contains("草稿中的观察") && md.contains("超长描述"),
        "drafts stay out, issued ones in"
    );
}

#[test]
fn metrics_refuses_an_empty_or_header_only_file() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let err = fails(tmp.path(), &["metrics", empty.to_str().unwrap()]);
    assert!(err.contains("no call records"), "{err}");
    let header = tmp.path().join("header.csv");
    let fixture = std::fs::read_to_string("tests/fixtures/calls/january-excerpt.txt").unwrap();
    std::fs::write(&header, format!("{}\n", fixture.lines().next().unwrap())).unwrap();
    let err = fails(tmp.path(), &["metrics", header.to_str().unwrap()]);
    assert!(err.contains("no call records"), "{err}");
}

/// A 50 MB line (no line end for 50 MB) is one malformed row, named by its
/// line; the rows after it keep their line numbers. It used to count as 12
/// malformed rows and shift every later line.
#[test]
fn metrics_counts_a_50_mb_line_as_one_bad_row_and_keeps_later_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string("tests/fixtures/calls/january-excerpt.txt").unwrap();
    let lines: Vec<&str> = fixture.lines().collect();
    assert!(lines.len() > 60, "the excerpt has enough rows");
    let path = tmp.path().join("calls.txt");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    use std::io::Write;
    // Line 1 the header, 2..=21 records, 22 the long line, then records
    // with a bad one at line 40.
    for l in &lines[..21] {
        writeln!(out, "{l}").unwrap();
    }
    writeln!(out, "AA0101\t1\t{}", "x".repeat(50 << 20)).unwrap();
    for (i, l) in lines[21..60].iter().enumerate() {
        if 23 + i == 40 {
            writeln!(out, "not a call record").unwrap();
        } else {
            writeln!(out, "{l}").unwrap();
        }
    }
    drop(out);
    let json = cli_stdout(tmp.path(), &["metrics", path.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let input = &v["inputs"][0];
    assert_eq!(input["malformed"], 2, "{input}");
    assert_eq!(input["rows"], 20 + 1 + 39, "{input}");
    let bad: Vec<u64> = input["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [22, 40], "{input}");
    assert!(
        input["bad_rows"][0]["reason"].as_str().unwrap().contains("longer than"),
        "{input}"
    );
}

#[test]
fn an_import_killed_half_way_leaves_nothing_after_the_next_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    demo(&a);
    let zip = tmp.path().join("x.zip");
    cli_stdout(&a, &["export", "-e", "DEMO-S2", "--out", zip.to_str().unwrap()]);
    std::fs::create_dir_all(&b).unwrap();
    cli_stdout(&b, &["identity", "set", "li.min", "--name", "李敏", "--initials", "LM"]);
    // What a killed import leaves: a staging folder and a decrypted copy.
    let stale = b.join(".import-999999-1");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("abc"), "partial").unwrap();
    std::fs::write(b.join(".import-999999-2.zip"), "partial").unwrap();
    cli_stdout(&b, &["import", zip.to_str().unwrap()]);
    let left: Vec<String> = std::fs::read_dir(&b)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".import-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_incremental_bundle_carries_only_the_new_evidence_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    demo(d);
    let full = d.join("full.zip");
    let said = cli_stdout(d, &["export", "-e", "DEMO-S2", "--out", full.to_str().unwrap()]);
    let last = said
        .split("--since ")
        .nth(1)
        .unwrap()
        .trim_end_matches(|c: char| c == ')' || c.is_whitespace());
    let file = d.join("new.txt");
    std::fs::write(&file, "a new piece of evidence").unwrap();
    cli_stdout(
        d,
        &[
            "-e",
            "DEMO-S2",
            "evidence",
            "add",
            file.to_str().unwrap(),
            "--note",
            "new",
        ],
    );
    let inc = d.join("inc.zip");
    let said = cli_stdout(
        d,
        &[
            "export",
            "-e",
            "DEMO-S2",
            "--since",
            last,
            "--out",
            inc.to_str().unwrap(),
        ],
    );
    assert!(said.contains(" 1 evidence files"), "{said}");
    let z = zip::ZipArchive::new(std::fs::File::open(&inc).unwrap()).unwrap();
    let files: Vec<String> = z
        .file_names()
        .flatten()
        .map(|n| n.to_string())
        .filter(|n| n.starts_with("evidence/"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
}

/// Every option of every command says what it is in `--help` (many had no
/// help text: `--engagement` on 59 commands, `--json`, `--status`, …).
#[test]
fn every_cli_option_has_help_text() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if a.is_hide_set() || id == "help" || id == "version" {
                continue;
            }
            if a.get_help().is_none() && a.get_long_help().is_none() && !a.is_positional() {
                missing.push(format!("{path} --{}", a.get_long().unwrap_or(id)));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&cscaudit::cli::args::Cli::command(), "cscaudit", &mut missing);
    assert!(
        missing.is_empty(),
        "{} options without help:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The list and show commands a script needs say it in JSON too (they had
/// no `--json`): engagements, one engagement and its team, a finding with
/// its actions, the actions, the evidence files, the conflicts, a record's
/// history, the remotes. Each is checked against what the app holds.
#[test]
fn list_and_show_commands_print_json() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let eng = "DEMO-S2";
    // What the app holds, read before the CLI takes the database.
    let app = App::open(tmp.path()).unwrap();
    let first = app.findings(eng).unwrap()[0].clone();
    let (engagements, team, its_actions, actions, files) = (
        app.engagements().unwrap().len(),
        app.team(eng).unwrap().len(),
        app.actions_of(&first).unwrap().len(),
        app.actions(eng).unwrap().len(),
        app.evidence(eng).unwrap().len(),
    );
    drop(app);
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = cli_stdout(tmp.path(), &all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    };
    let len = |v: &serde_json::Value| v.as_array().unwrap().len();
    assert_eq!(len(&json(&["engagement", "list"])), engagements);
    let shown = json(&["engagement", "show", eng]);
    assert_eq!(shown["engagement"]["id"], eng);
    assert_eq!(len(&shown["team"]), team);
    let f = json(&["finding", "show", &first.reference]);
    assert_eq!(f["finding"]["reference"], first.reference.as_str());
    assert_eq!(len(&f["actions"]), its_actions);
    assert_eq!(len(&json(&["action", "list", "-e", eng])), actions);
    assert!(files > 0);
    assert_eq!(len(&json(&["evidence", "list", "-e", eng])), files);
    assert_eq!(len(&json(&["conflicts"])), 0, "the demo has none");
    let h = json(&["history", &first.reference]);
    let changes = h["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c["signature"] == "signed" || c["signature"] == "unsigned")
    );
    assert!(
        changes[0]["at"].as_str().unwrap().ends_with('Z'),
        "{}",
        changes[0]["at"]
    );
    let bare = tmp.path().join("remote.git");
    std::fs::create_dir(&bare).unwrap();
    cli_stdout(tmp.path(), &["remote", "add", "office", bare.to_str().unwrap()]);
    let remotes = json(&["remote", "list"]);
    assert_eq!(remotes[0]["name"], "office");
    assert_eq!(remotes[0]["encrypted"], false);
}
