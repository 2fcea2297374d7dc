//! `cscaudit metrics` and `cscaudit sample` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn cmd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("cscaudit").unwrap();
    c.env("CSCAUDIT_DATA_DIR", dir)
        .env("CSCAUDIT_CONFIG_DIR", dir.join("config"))
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls")
        .join(name)
}

fn out(dir: &Path, args: &[&str]) -> String {
    let o = cmd(dir).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn metrics_text_json_and_recording_into_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = fixture("january-excerpt.txt");
    let f = file.to_str().unwrap();
    let text = out(d, &["metrics", f]);
    for needle in [
        "sl-neg",
        "sl-ignore",
        "sl-pos",
        "sl-answered",
        "sl-short",
        "all-answered",
        "By day",
        "By hour",
        "AC-02  ← service_level sl-neg",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    let zh = out(d, &["--lang", "zh", "metrics", f, "--summary"]);
    assert!(
        zh.contains("服务水平") && zh.contains("排队中放弃") && !zh.contains("按日"),
        "{zh}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&out(d, &["metrics", f, "--json", "--threshold", "30"])).unwrap();
    assert_eq!(json["schema"], "cscaudit.metrics/1");
    assert_eq!(json["params"]["threshold_s"], 30);
    assert_eq!(json["overall"]["service_level"][0]["variant"], "sl-neg");
    assert!(json["by_day"].as_array().unwrap().len() >= 2);

    // Into the checklist of the demo engagement.
    out(d, &["demo", "--no-tui"]);
    cmd(d)
        .args(["metrics", f, "--threshold", "30", "--record", "AC-02"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("defined with T = 20 s"));
    let rec = out(d, &["metrics", f, "--summary", "--record", "AC-02"]);
    assert!(rec.contains("recorded DEMO-S2 AC-02 = 54.90"), "{rec}");
    let all = out(d, &["metrics", f, "--summary", "--record", "all"]);
    assert_eq!(all.matches("recorded DEMO-S2").count(), 4, "{all}"); // AC-01..04
    let hist = out(d, &["history", "DEMO-S2/AC-02"]);
    assert!(hist.contains("sha256:") && hist.contains("sl-neg"), "{hist}");
    let ev = out(d, &["evidence", "list"]);
    assert!(ev.contains("metrics-AC-02-"), "{ev}");
}

#[test]
fn metrics_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .args(["metrics", "/no/such/file.txt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no such file"));
    cmd(dir.path())
        .args([
            "metrics",
            "--format",
            "csv",
            fixture("acd-export.csv").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs --map"));
    let bad = out(
        dir.path(),
        &["metrics", fixture("bad-rows.txt").to_str().unwrap(), "--summary"],
    );
    assert!(
        bad.contains("4 malformed rows") && bad.contains("line 6: outcome `BUSY`"),
        "{bad}"
    );
}

#[test]
fn sample_sizes_evaluation_and_reproducible_draws() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        out(
            d,
            &[
                "sample",
                "size",
                "--method",
                "attribute",
                "--risk",
                "0.05",
                "--tolerable",
                "0.05"
            ]
        )
        .starts_with("n = 59 ")
    );
    assert!(
        out(
            d,
            &[
                "sample",
                "size",
                "--method",
                "attribute",
                "--tolerable",
                "0.04",
                "--expected",
                "0.01"
            ]
        )
        .starts_with("n = 156 ")
    );
    assert!(
        out(
            d,
            &[
                "sample",
                "size",
                "--method",
                "hypergeometric",
                "--population",
                "100",
                "--tolerable",
                "0.05"
            ]
        )
        .starts_with("n = 45 ")
    );
    assert!(
        out(
            d,
            &[
                "sample",
                "size",
                "--method",
                "proportion",
                "--margin",
                "0.05",
                "--population",
                "1000"
            ]
        )
        .starts_with("n = 278 ")
    );
    let aql = out(
        d,
        &["sample", "size", "--method", "aql", "--lot", "3000", "--aql", "2.5"],
    );
    assert!(aql.starts_with("n = 125  Ac 7 Re 8"), "{aql}");
    let ev = out(d, &["sample", "evaluate", "--n", "150", "--deviations", "3"]);
    assert!(ev.contains("5.09") && ev.contains("5.1%"), "{ev}");
    cmd(d)
        .args(["sample", "size", "--method", "attribute"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs --tolerable"));

    let frame = d.join("frame.csv");
    let mut csv = String::from("录音编号,业务类型\n");
    for i in 0..500 {
        csv.push_str(&format!("REC{i:05},{}\n", if i % 5 == 0 { "投诉" } else { "咨询" }));
    }
    std::fs::write(&frame, csv).unwrap();
    let f = frame.to_str().unwrap();
    let a = out(d, &["sample", "draw", "--frame", f, "--n", "20", "--seed", "7"]);
    let b = out(d, &["sample", "draw", "--frame", f, "--n", "20", "--seed", "7"]);
    assert_eq!(a, b);
    assert!(a.starts_with("seed 7  frame sha256 "), "{a}");
    assert_eq!(a.lines().filter(|l| l.contains("\tREC")).count(), 20);
    let s = out(
        d,
        &[
            "sample",
            "draw",
            "--frame",
            f,
            "--n",
            "20",
            "--seed",
            "7",
            "--strata",
            "业务类型",
        ],
    );
    assert!(s.contains("4/100") && s.contains("16/400"), "{s}");
    let unseeded = out(d, &["sample", "draw", "--frame", f, "--n", "5"]);
    assert!(
        unseeded.contains("--seed "),
        "the seed is printed so the draw can be repeated: {unseeded}"
    );
    cmd(d)
        .args(["sample", "draw", "--frame", f, "--n", "5", "--strata", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no column `nope`"));
}

/// Bad call-record input gets a clear message, never silent figures: 30
/// February, a header after a byte-order mark, a folder, a file in the wrong
/// format; and a GB18030 export reads with `--encoding gb18030` (and says so
/// when it is read as UTF-8).
#[test]
fn call_records_bad_days_boms_folders_wrong_formats_and_gb18030() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n";
    let row = |date: &str| {
        format!(
            "AA0101\t1\t0\t2\tPS\t{date}\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tMICHAL\n"
        )
    };
    // 30 February is a malformed row, not a day in by_day.
    let feb = d.join("feb.txt");
    std::fs::write(&feb, format!("{header}{}{}", row("990228"), row("990230"))).unwrap();
    let json: serde_json::Value = serde_json::from_str(&out(d, &["metrics", feb.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(json["inputs"][0]["malformed"], 1, "{json}");
    let days: Vec<_> = json["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["date"].clone())
        .collect();
    assert_eq!(days, vec![serde_json::json!("1999-02-28")]);
    // A BOM before the header: still the header, not a malformed row.
    let bom = d.join("bom.txt");
    std::fs::write(&bom, format!("\u{feff}{header}{}", row("990101"))).unwrap();
    let json: serde_json::Value = serde_json::from_str(&out(d, &["metrics", bom.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(
        (
            json["inputs"][0]["rows"].clone(),
            json["inputs"][0]["malformed"].clone()
        ),
        (1.into(), 0.into())
    );
    // A folder.
    cmd(d)
        .args(["metrics", d.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is a folder"));
    // The wrong format: an error, not figures of zero calls.
    cmd(d)
        .args(["metrics", fixture("acd-export.csv").to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("could be read as anonymous-bank").and(predicate::str::contains("--format")));
    // GB18030: the same figures as the UTF-8 file with --encoding; a hint without.
    let map = fixture("mapping.toml");
    let utf8 = out(
        d,
        &[
            "metrics",
            "--format",
            "csv",
            "--map",
            map.to_str().unwrap(),
            fixture("acd-export.csv").to_str().unwrap(),
            "--json",
        ],
    );
    let gb = out(
        d,
        &[
            "metrics",
            "--format",
            "csv",
            "--map",
            map.to_str().unwrap(),
            "--encoding",
            "gb18030",
            fixture("acd-export-gb18030.csv").to_str().unwrap(),
            "--json",
        ],
    );
    let figures = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap()["overall"].clone();
    assert!(figures(&utf8).is_object(), "{utf8}");
    assert_eq!(figures(&utf8), figures(&gb));
    cmd(d)
        .args([
            "metrics",
            "--format",
            "csv",
            "--map",
            map.to_str().unwrap(),
            fixture("acd-export-gb18030.csv").to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--encoding gb18030"));
}
