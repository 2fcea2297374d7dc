//! `cscaudit metrics --source complaints` through the real binary: a real
//! CFPB sample and a generated GB18030 log, each checked against the same
//! figures computed independently (Python's `csv` and `datetime` modules, a
//! separate implementation of the reading and of the complaint clock).

use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;

use common::cli as cmd;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/complaints")
        .join(name)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let o = cmd(dir).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Run a Python program (stdin) with arguments; its stdout as JSON.
fn python(program: &str, args: &[&str]) -> Value {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg("-")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is needed for the independent computation (.ci/run checks it is installed)");
    child.stdin.take().unwrap().write_all(program.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "python: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

const CFPB_COUNT: &str = r#"
import csv, json, sys, collections
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.DictReader(f))
open_rows = [r for r in rows if r['Company response to consumer'] == 'In progress']
oldest = min(open_rows, key=lambda r: (r['Date received'], 0))
print(json.dumps({
    'complaints': len(rows),
    'timely': sum(1 for r in rows if r['Timely response?'].strip().lower() == 'yes'),
    'open': len(open_rows),
    'by_channel': dict(collections.Counter(r['Submitted via'] for r in rows)),
    'by_category': dict(collections.Counter(r['Product'] for r in rows)),
    'oldest_open': oldest['Date received'],
}))
"#;

#[test]
fn complaints_of_the_cfpb_sample_equal_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("cfpb-sample.csv");
    let f = file.to_str().unwrap();
    let got = json(
        dir.path(),
        &[
            "metrics",
            "--source",
            "complaints",
            "--format",
            "cfpb",
            f,
            "--as-of",
            "2023-09-30",
            "--json",
        ],
    );
    let want = python(CFPB_COUNT, &[f]);
    assert_eq!(got["schema"], "cscaudit.complaints/1");
    assert_eq!(got["complaints"], want["complaints"]);
    assert_eq!(got["timely"], want["timely"]);
    // Every CFPB row carries its timeliness flag: all are decided.
    assert_eq!(got["decided"], want["complaints"]);
    assert_eq!(got["open"], want["open"]);
    assert_eq!(got["by_channel"], want["by_channel"]);
    assert_eq!(got["by_category"], want["by_category"]);
    assert_eq!(got["oldest_open"]["received"], want["oldest_open"]);
    assert_eq!(got["malformed"], 0);
    // The sample holds one untimely complaint: the figure is not 100 %.
    assert!(got["timely"].as_u64() < got["complaints"].as_u64(), "{got}");
    let sha = sha256_hex(&std::fs::read(&file).unwrap());
    assert_eq!(got["files"][0]["sha256"], sha.as_str());
}

fn sha256_hex(b: &[u8]) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Python writes a GB18030 complaint log (the generic layout, Chinese
/// channels and extension codes, quoted line breaks, two bad rows) and
/// computes its figures with its own implementation of the 15/30/60-day
/// clock; cscaudit's must equal them.
const GENERATE_AND_COUNT: &str = r#"
import csv, json, sys, random, datetime, collections
random.seed(20261207)
path, as_of = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
channels = ['电话', '网银', '手机银行', '网点', '信函']
rows, bad_lines = [], []
start = datetime.date(2026, 1, 1)
for i in range(3000):
    rec = start + datetime.timedelta(days=random.randrange(0, 300))
    ext = random.choice(['', '', '', '延期', '审批延期'])
    closed = ''
    if random.random() < 0.8:
        c = rec + datetime.timedelta(days=random.randrange(0, 75))
        if c <= as_of:
            closed = c.isoformat()
    note = '客户来电\n要求回电' if i % 97 == 0 else ''
    rows.append([rec.isoformat(), random.choice(channels), '信用卡' if i % 3 else '贷款', closed, ext, 'h%d' % (i % 7), 'C%05d' % i, note])
with open(path, 'w', newline='', encoding='gb18030') as f:
    w = csv.writer(f, lineterminator='\r\n')
    w.writerow(['received', 'channel', 'category', 'closed', 'extension', 'handler', 'id', 'note'])
    line = 2
    for i, r in enumerate(rows):
        if i == 10:
            w.writerow(['2026-13-01', '电话', '贷款', '', '', 'h', 'BAD1', '']); bad_lines.append(line); line += 1
        if i == 20:
            w.writerow(['2026-03-05', '电话', '贷款', '2026-03-01', '', 'h', 'BAD2', '']); bad_lines.append(line); line += 1
        w.writerow(r)
        line += 1 + r[7].count('\n')
limit = {'': 15, '延期': 30, '审批延期': 60}
decided = timely = overdue = pending = 0
within = [0, 0, 0]
open_rows = []
for r in rows:
    rec = datetime.date.fromisoformat(r[0])
    allowed = limit[r[4]]
    if r[3]:
        d = (datetime.date.fromisoformat(r[3]) - rec).days
        decided += 1
        timely += d <= allowed
        for k, lim in enumerate((15, 30, 60)):
            within[k] += d <= lim
    else:
        open_rows.append(r)
        if (as_of - rec).days > allowed:
            decided += 1; overdue += 1
        else:
            pending += 1
oldest = min(open_rows, key=lambda r: (r[0], int(r[6][1:])))
print(json.dumps({
    'complaints': len(rows), 'decided': decided, 'timely': timely, 'overdue_open': overdue,
    'pending': pending, 'within': within, 'open': len(open_rows),
    'by_channel': dict(collections.Counter(r[1] for r in rows)),
    'oldest_open': [oldest[0], oldest[6]], 'bad_lines': bad_lines,
}))
"#;

#[test]
fn a_generated_gb18030_log_equals_an_independent_clock() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("投诉台账.csv");
    let f = file.to_str().unwrap();
    let want = python(GENERATE_AND_COUNT, &[f, "2026-11-30"]);
    let got = json(
        d,
        &[
            "metrics",
            "--source",
            "complaints",
            f,
            "--encoding",
            "gb18030",
            "--as-of",
            "2026-11-30",
            "--handled",
            "1500000",
            "--json",
        ],
    );
    for k in [
        "complaints",
        "decided",
        "timely",
        "overdue_open",
        "pending",
        "open",
        "by_channel",
    ] {
        assert_eq!(got[k], want[k], "{k}");
    }
    let within = [&got["within_limit"], &got["within_extended"], &got["within_approved"]];
    assert_eq!(Value::from(within.map(|v| v.clone()).to_vec()), want["within"]);
    assert_eq!(got["oldest_open"]["received"], want["oldest_open"][0]);
    assert_eq!(got["oldest_open"]["id"], want["oldest_open"][1]);
    // The two bad rows, named by their lines (quoted line breaks counted).
    assert_eq!(got["malformed"], 2);
    let lines: Vec<Value> = got["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].clone())
        .collect();
    assert_eq!(Value::from(lines), want["bad_lines"]);
    let rate = got["rate_per_10k"].as_f64().unwrap();
    assert!((rate - 3000.0 / 1_500_000.0 * 10_000.0).abs() < 1e-9, "{rate}");
}

#[test]
fn a_log_that_cannot_be_read_records_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cmd(d).args(["demo", "--no-tui"]).assert().success();
    let before = json(d, &["status", "--json"]);
    // A header without the received column: exit 1, the column named.
    let wrong = d.join("wrong.csv");
    std::fs::write(&wrong, "date,channel\n2026-01-01,电话\n").unwrap();
    let o = cmd(d)
        .args([
            "metrics",
            "--source",
            "complaints",
            wrong.to_str().unwrap(),
            "--record",
            "PE-03",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`received`") && err.contains("nothing was recorded"),
        "{err}"
    );
    // No row reads: exit 1.
    let empty = d.join("empty.csv");
    std::fs::write(&empty, "received,channel\nnot a date,电话\n").unwrap();
    let o = cmd(d)
        .args(["metrics", "--source", "complaints", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    // The rate without the contacts handled: refused, nothing recorded.
    let cfpb = fixture("cfpb-sample.csv");
    let o = cmd(d)
        .args([
            "metrics",
            "--source",
            "complaints",
            "--format",
            "cfpb",
            cfpb.to_str().unwrap(),
            "--record",
            "PE-02",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--handled"));
    // An indicator not measured from a complaint log (AC-01, a percent too) is refused.
    let o = cmd(d)
        .args([
            "metrics",
            "--source",
            "complaints",
            "--format",
            "cfpb",
            cfpb.to_str().unwrap(),
            "--record",
            "AC-01",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("complaint_timeliness"));
    assert_eq!(json(d, &["status", "--json"]), before, "nothing changed");
    // A generic log whose header lacks `closed` (or spells it otherwise) says so.
    let miss = d.join("miss.csv");
    std::fs::write(
        &miss,
        "Received,Channel,closed_date
2026-01-01,phone,2026-01-02
",
    )
    .unwrap();
    let got = json(
        d,
        &["metrics", "--source", "complaints", miss.to_str().unwrap(), "--json"],
    );
    assert_eq!(
        got["by_channel"]["phone"], 1,
        "names of the generic layout match case aside"
    );
    assert!(got["warnings"][0].as_str().unwrap().contains("`closed`"), "{got}");
    // With everything given, PE-03 takes the timeliness and keeps the figures as evidence.
    let text = cmd(d)
        .args([
            "metrics",
            "--source",
            "complaints",
            "--format",
            "cfpb",
            cfpb.to_str().unwrap(),
            "--record",
            "PE-03",
        ])
        .output()
        .unwrap();
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    assert!(String::from_utf8_lossy(&text.stdout).contains("Recorded PE-03 = 99.92"));
    let ev = String::from_utf8(cmd(d).args(["evidence", "list"]).output().unwrap().stdout).unwrap();
    assert!(ev.contains("complaints-PE-03-"), "{ev}");
}

/// The README's mapping (tests/fixtures/complaints/mapping.toml) reads a
/// GB18030 register with Chinese headers and dates written 2026年1月5日.
#[test]
fn the_readme_mapping_reads_a_chinese_register() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("投诉登记簿.csv");
    let f = file.to_str().unwrap();
    python(
        r#"
import sys, json
rows = ['受理日期,投诉渠道,业务类别,办结日期,延期情况,投诉编号',
        '2026年01月05日,电话,信用卡,2026年01月19日,,T1',
        '2026年01月05日,网点,贷款,2026年02月03日,延期,T2',
        '2026-01-06,电话,贷款,2026年02月20日,延期,T3',
        '2026年02月01日,信函,贷款,,,T4']
open(sys.argv[1], 'wb').write(('\r\n'.join(rows) + '\r\n').encode('gb18030'))
print(json.dumps({}))
"#,
        &[f],
    );
    let map = fixture("mapping.toml");
    let got = json(
        d,
        &[
            "metrics",
            "--source",
            "complaints",
            "--map",
            map.to_str().unwrap(),
            f,
            "--as-of",
            "2026-02-28",
            "--json",
        ],
    );
    assert_eq!(got["complaints"], 4, "{got}");
    // T1 14 d: timely; T2 29 d extended: timely; T3 45 d extended (30): late;
    // T4 open 27 d > 15: late.
    assert_eq!((got["timely"].as_u64(), got["decided"].as_u64()), (Some(2), Some(4)));
    assert_eq!(got["by_channel"]["电话"], 2);
    assert_eq!(got["oldest_open"]["id"], "T4");
}
