//! Findings bundles end to end on real databases in temp folders: the round
//! trip, two auditors exchanging bundles offline, and hostile bundles, each
//! refused with its own message and the database exactly as before.

mod common;

use cscaudit::app::{App, NewFinding, demo};
use cscaudit::bundle::{self, ExportOptions, Limits};
use cscaudit::model::finding::Grade;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const ENG: &str = demo::DEMO_ENGAGEMENT;

fn demo_in(dir: &Path) -> App {
    let mut app = App::open(dir).unwrap();
    demo::seed(&mut app).unwrap();
    app
}

fn export(app: &App, out: &Path) {
    bundle::export(app, ENG, out, &ExportOptions::default()).unwrap();
}

fn entry(zip: &Path, name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut e = z.by_name(name).unwrap();
    let mut v = Vec::new();
    e.read_to_end(&mut v).unwrap();
    v
}

fn histories(app: &App) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for f in app.findings(ENG).unwrap() {
        let (_, ops) = app.history(&f.reference).unwrap();
        out.push((f.reference, ops.iter().map(|o| format!("{:?}", o)).collect()));
    }
    out
}

#[test]
fn round_trip_keeps_findings_histories_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_in(&dir.path().join("a"));
    let first = dir.path().join("first.zip");
    export(&a, &first);
    let mut b = App::open(&dir.path().join("b")).unwrap();
    b.set_identity("li.min", "李敏", "LM").unwrap();
    let r = bundle::import(&b, &first).unwrap();
    assert!(r.joined, "{r:?}");
    assert_eq!(r.new_findings, a.findings(ENG).unwrap().len());
    assert_eq!(r.evidence_added, a.evidence(ENG).unwrap().len());
    let second = dir.path().join("second.zip");
    export(&b, &second);
    assert_eq!(
        String::from_utf8(entry(&first, "findings.json")).unwrap(),
        String::from_utf8(entry(&second, "findings.json")).unwrap()
    );
    assert_eq!(histories(&a), histories(&b));
    for ev in b.evidence(ENG).unwrap() {
        assert_eq!(
            hex::encode(Sha256::digest(b.evidence_bytes(&ev.sha256).unwrap())),
            ev.sha256
        );
    }
    // Importing again changes nothing.
    let ops = b.op_count();
    let again = bundle::import(&b, &first).unwrap();
    assert_eq!((again.ops_applied, again.new_findings, again.evidence_added), (0, 0, 0));
    assert_eq!(b.op_count(), ops);
    // The manifest lists every file with its hash and size.
    let m: bundle::Manifest = serde_json::from_slice(&entry(&first, "manifest.json")).unwrap();
    for f in &m.files {
        let bytes = entry(&first, &f.path);
        assert_eq!(
            (hex::encode(Sha256::digest(&bytes)), bytes.len() as u64),
            (f.sha256.clone(), f.size)
        );
    }
}

fn raise(app: &App, title: &str) -> String {
    app.raise_finding(
        ENG,
        NewFinding {
            grade: Grade::Observation,
            title: title.into(),
            statement: "现场观察".into(),
            criterion: "GB/T 32312-2015".into(),
            indicators: vec!["AC-01".into()],
            evidence_note: String::new(),
            issue: false,
        },
    )
    .unwrap()
    .reference
}

#[test]
fn two_auditors_exchange_bundles_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_in(&dir.path().join("a"));
    let base = dir.path().join("base.zip");
    export(&a, &base);
    let mut b = App::open(&dir.path().join("b")).unwrap();
    b.set_identity("li.min", "李敏 Li Min", "LM").unwrap();
    // The demo registered li.min's key; her copy signs with it.
    b.set_identity_key(Some(&dir.path().join("a/demo-keys/li.min")))
        .unwrap();
    bundle::import(&b, &base).unwrap();
    // Offline: both edit one finding's title; each raises one of their own.
    let shared = a.findings(ENG).unwrap()[0].reference.clone();
    std::thread::sleep(std::time::Duration::from_millis(5));
    a.edit_finding(&shared, "title", "甲的标题").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.edit_finding(&shared, "title", "乙的标题").unwrap();
    let fa = raise(&a, "张伟发现的问题");
    let fb = raise(&b, "李敏发现的问题");
    assert_ne!(fa, fb, "references differ by initials");
    let (ab, ba) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    export(&a, &ab);
    export(&b, &ba);
    bundle::import(&a, &ba).unwrap();
    let r = bundle::import(&b, &ab).unwrap();
    assert_eq!(r.new_findings, 1);
    // A→B→A once more, in the other order: nothing new.
    export(&b, &ba);
    let again = bundle::import(&a, &ba).unwrap();
    assert_eq!(again.ops_applied, 0, "{again:?}");
    let (a2, b2) = (dir.path().join("a2.zip"), dir.path().join("b2.zip"));
    export(&a, &a2);
    export(&b, &b2);
    let text = |p: &Path| String::from_utf8(entry(p, "findings.json")).unwrap();
    let (ta, tb) = (text(&a2), text(&b2));
    if ta != tb {
        for (x, y) in ta.lines().zip(tb.lines()) {
            assert_eq!(x, y, "first difference between the copies' findings.json");
        }
    }
    assert_eq!(ta, tb);
    assert_eq!(histories(&a), histories(&b));
    let title = a.finding(&shared).unwrap().title;
    assert_eq!(title, b.finding(&shared).unwrap().title);
    assert_eq!(title, "乙的标题", "the later write wins");
    // The concurrent edit is listed once, on both copies.
    let on = |app: &App| {
        app.conflicts()
            .unwrap()
            .into_iter()
            .filter(|c| c.entity.reference() == shared)
            .count()
    };
    assert_eq!((on(&a), on(&b)), (1, 1));
    // Only the lead settles it; putting the other value back is a change
    // like any other and reaches the teammate.
    let err = b
        .resolve_conflict(&shared, "title", cscaudit::app::Keep::Other)
        .unwrap_err();
    assert!(err.message().en.contains("lead"), "{}", err.message().en);
    a.resolve_conflict(&shared, "title", cscaudit::app::Keep::Other)
        .unwrap();
    assert_eq!(a.finding(&shared).unwrap().title, "甲的标题");
    assert_eq!(on(&a), 0);
    let settled = dir.path().join("settled.zip");
    export(&a, &settled);
    bundle::import(&b, &settled).unwrap();
    assert_eq!(b.finding(&shared).unwrap().title, "甲的标题");
    assert_eq!(on(&b), 0, "settled on the teammate's copy too");
}

// ------------------------------------------------------------ hostile bundles

/// A valid bundle's entries, to be tampered with.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).unwrap();
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            (e.name().unwrap().to_string(), v)
        })
        .collect()
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        z.start_file(name.as_str(), o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Rewrite the manifest so its list matches the files (one problem at a time).
fn relist(files: &mut [(String, Vec<u8>)]) {
    let mut m: bundle::Manifest =
        serde_json::from_slice(&files.iter().find(|f| f.0 == "manifest.json").unwrap().1).unwrap();
    m.files = files
        .iter()
        .filter(|f| f.0 != "manifest.json")
        .map(|(n, b)| bundle::FileEntry {
            path: n.clone(),
            sha256: hex::encode(Sha256::digest(b)),
            size: b.len() as u64,
        })
        .collect();
    m.ops = files
        .iter()
        .find(|f| f.0 == "ops.jsonl")
        .map_or(0, |f| f.1.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count());
    let bytes = serde_json::to_vec(&m).unwrap();
    files.iter_mut().find(|f| f.0 == "manifest.json").unwrap().1 = bytes;
}

fn manifest_edit(files: &mut [(String, Vec<u8>)], f: impl FnOnce(&mut serde_json::Value)) {
    let e = files.iter_mut().find(|f| f.0 == "manifest.json").unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&e.1).unwrap();
    f(&mut v);
    e.1 = serde_json::to_vec(&v).unwrap();
}

fn fingerprint(dir: &Path) -> Vec<(PathBuf, String)> {
    common::data_fingerprint(dir)
}

/// Import `bundle` into a copy holding the demo: refused with `expect` in the
/// message, and every file of the data folder as it was.
fn refused(data: &Path, bundle_path: &Path, limits: &Limits, expect: &str) {
    // sled rewrites its files on the first closes after a write (a
    // snapshot), import or not: settle it first.
    for _ in 0..3 {
        drop(App::open(data).unwrap());
    }
    let before = fingerprint(data);
    let app = App::open(data).unwrap();
    let err = bundle::import_with_limits(&app, bundle_path, limits).unwrap_err();
    let msg = err.message();
    assert!(msg.en.contains(expect), "expected {expect:?} in: {}", msg.en);
    assert!(
        !msg.zh.is_empty() && msg.zh != msg.en,
        "a Chinese message too: {}",
        msg.zh
    );
    drop(app);
    assert_eq!(fingerprint(data), before, "the data folder changed ({expect})");
}

#[test]
fn hostile_bundles_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let valid = dir.path().join("valid.zip");
    {
        let app = demo_in(&data);
        export(&app, &valid);
    }
    // The receiving copy: the same engagement, opened and closed once so the
    // fingerprint is of a settled database.
    drop(App::open(&data).unwrap());
    let good = entries(&valid);
    let limits = Limits::default();
    let case = |name: &str, files: Vec<(String, Vec<u8>)>, expect: &str| {
        let p = dir.path().join(format!("{name}.zip"));
        write_zip(&p, &files);
        refused(&data, &p, &limits, expect);
    };

    let mut f = good.clone();
    f.push(("../evil.txt".into(), b"x".to_vec()));
    case("traversal", f, "leaves the bundle's folder");

    let mut f = good.clone();
    f.push(("/etc/evil".into(), b"x".to_vec()));
    case("absolute", f, "absolute path");

    let mut f = good.clone();
    f.retain(|e| e.0 != "manifest.json");
    case("no-manifest", f, "no manifest.json");

    let mut f = good.clone();
    manifest_edit(&mut f, |m| m["version"] = 99.into());
    case("version", f, "format version 99");

    let mut f = good.clone();
    manifest_edit(&mut f, |m| m["engagement"] = "E1\u{1b}[2J".into());
    case("escape-in-engagement", f, "is not an engagement id");

    let mut f = good.clone();
    manifest_edit(&mut f, |m| m["files"][0]["sha256"] = "0".repeat(64).into());
    case("hash", f, "does not match its sha256");

    let mut f = good.clone();
    manifest_edit(&mut f, |m| m["files"][0]["size"] = 7.into());
    case("size-lie", f, "the manifest says 7");

    let mut f = good.clone();
    manifest_edit(&mut f, |m| {
        m["files"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"path": "report.pdf", "sha256": "00", "size": 1}))
    });
    case("absent", f, "which is not in the bundle");

    let mut f = good.clone();
    f.push(("extra.txt".into(), b"x".to_vec()));
    case("unlisted", f, "is not in the manifest");

    // An operation on another engagement's record.
    let mut f = good.clone();
    {
        let ops = &mut f.iter_mut().find(|e| e.0 == "ops.jsonl").unwrap().1;
        let first = ops.split(|b| *b == b'\n').next().unwrap().to_vec();
        let mut op: serde_json::Value = serde_json::from_slice(&first).unwrap();
        op["entity"]["id"] = "OTHER/zhang.wei".into();
        op["entity"]["kind"] = "Member".into();
        op["id"]["seq"] = 999_999.into();
        ops.extend(serde_json::to_vec(&op).unwrap());
        ops.push(b'\n');
    }
    relist(&mut f);
    // (Added outside any signed batch: refused as such; the signed attacks
    // are in tests/trust.rs.)
    case("other-engagement", f, "in no signed batch");

    // Operations by someone not on the team.
    let mut f = good.clone();
    {
        let ops = &mut f.iter_mut().find(|e| e.0 == "ops.jsonl").unwrap().1;
        let first = ops.split(|b| *b == b'\n').nth(3).unwrap().to_vec();
        let mut op: serde_json::Value = serde_json::from_slice(&first).unwrap();
        op["id"]["actor"] = "mallory".into();
        ops.extend(serde_json::to_vec(&op).unwrap());
        ops.push(b'\n');
    }
    relist(&mut f);
    case("stranger", f, "in no signed batch");

    // A record id carrying a terminal escape (it would reach screens and reports).
    let mut f = good.clone();
    {
        let ops = &mut f.iter_mut().find(|e| e.0 == "ops.jsonl").unwrap().1;
        let first = ops.split(|b| *b == b'\n').nth(3).unwrap().to_vec();
        let mut op: serde_json::Value = serde_json::from_slice(&first).unwrap();
        op["entity"]["id"] = "ZW-001\u{1b}[2J".into();
        ops.extend(serde_json::to_vec(&op).unwrap());
        ops.push(b'\n');
    }
    relist(&mut f);
    // (A copy of a signed change, altered: refused as such. A name with a
    // control character inside a signed batch refuses that batch: tests/trust.rs.)
    case("escape-in-id", f, "a second, different change under the same number");

    // Duplicate names: two entries written under different names of one
    // length, then one renamed in place (the zip writer refuses duplicates).
    let mut f = good.clone();
    f.push(("ops.jsonX".into(), b"[]".to_vec()));
    let p = dir.path().join("dup.zip");
    write_zip(&p, &f);
    let mut bytes = std::fs::read(&p).unwrap();
    let (from, to) = (b"ops.jsonX", b"ops.jsonl");
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    std::fs::write(&p, bytes).unwrap();
    refused(&data, &p, &limits, "appears twice");

    // A symbolic link entry.
    let p = dir.path().join("link.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        for (name, b) in &good {
            z.start_file(name.as_str(), o).unwrap();
            z.write_all(b).unwrap();
        }
        z.add_symlink("evidence/link", "/etc/shadow", o).unwrap();
        z.finish().unwrap();
    }
    refused(&data, &p, &limits, "symbolic link");

    // A zip bomb: 64 MiB of zeros in a few kilobytes.
    let mut f = good.clone();
    f.push(("zeros.bin".into(), vec![0u8; 64 << 20]));
    case("bomb", f, "zip bomb");

    // A truncated file.
    let p = dir.path().join("truncated.zip");
    let bytes = std::fs::read(&valid).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    // Either no zip directory is found, or one inside a stored evidence file
    // (an .xlsx is a zip) is, and its entries do not match: both refuse,
    // naming the file.
    refused(&data, &p, &limits, "truncated.zip");

    // Over the total size limit.
    let small = Limits {
        total_bytes: 1000,
        ..Limits::default()
    };
    refused(&data, &valid, &small, "uncompressed");

    // And the valid bundle still imports (nothing new: the same copy).
    let app = App::open(&data).unwrap();
    assert_eq!(bundle::import(&app, &valid).unwrap().ops_applied, 0);
}

mod damaged {
    use super::*;
    use proptest::prelude::*;

    /// Made once for every case: the demo's valid bundle, and a settled
    /// empty database (sled rewrites its files on the first closes) that
    /// each case copies.
    struct Fixture {
        _dir: tempfile::TempDir,
        valid: Vec<u8>,
        settled: PathBuf,
    }

    fn fixture() -> &'static Fixture {
        static ONCE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
        ONCE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let valid = dir.path().join("valid.zip");
            {
                let app = demo_in(&dir.path().join("src"));
                export(&app, &valid);
            }
            let settled = dir.path().join("settled");
            for _ in 0..3 {
                drop(App::open(&settled).unwrap());
            }
            Fixture {
                valid: std::fs::read(&valid).unwrap(),
                settled,
                _dir: dir,
            }
        })
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if src.is_dir() {
                copy_dir(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        /// A bundle damaged anywhere (a few bytes changed) is imported whole
        /// or refused with a message — never a panic, and when refused the
        /// data folder is exactly as before.
        #[test]
        fn a_damaged_bundle_never_panics_and_a_refusal_changes_nothing(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
        ) {
            let f = fixture();
            let dir = tempfile::tempdir().unwrap();
            let dst = dir.path().join("dst");
            copy_dir(&f.settled, &dst);
            let mut bytes = f.valid.clone();
            for (at, b) in &edits {
                let i = at.index(bytes.len());
                bytes[i] ^= b | 1;
            }
            let bad = dir.path().join("bad.zip");
            std::fs::write(&bad, &bytes).unwrap();
            let before = fingerprint(&dst);
            let app = App::open(&dst).unwrap();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bundle::import(&app, &bad)));
            prop_assert!(outcome.is_ok(), "import panicked");
            let refused = outcome.unwrap().is_err();
            drop(app);
            if refused {
                prop_assert_eq!(fingerprint(&dst), before);
            }
        }
    }
}

/// Why the hostile tests settle a database first: sled itself rewrites its
/// files on the first closes of a new database (a snapshot), import or not.
#[test]
fn a_new_database_settles_after_its_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    drop(App::open(&db).unwrap());
    for _ in 0..3 {
        drop(App::open(&db).unwrap());
    }
    let settled = common::fingerprint(&db, "");
    drop(App::open(&db).unwrap());
    assert_eq!(
        common::fingerprint(&db, ""),
        settled,
        "a settled database does not change on open and close"
    );
}

/// `--since`: after a complete bundle, the next one carries only the newer
/// operations (the reports stay complete), brings the teammate level, and is
/// refused by a database that never had the engagement.
#[test]
fn an_incremental_bundle_carries_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_in(&dir.path().join("a"));
    let full = dir.path().join("full.zip");
    let first = bundle::export(&a, ENG, &full, &ExportOptions::default()).unwrap();
    let last = first.last_op.clone().expect("a demo has operations");
    let mut b = App::open(&dir.path().join("b")).unwrap();
    b.set_identity("li.min", "李敏", "LM").unwrap();
    bundle::import(&b, &full).unwrap();

    let new_ref = raise(&a, "增量：夜间无人值守");
    let inc = dir.path().join("inc.zip");
    let opts = ExportOptions {
        since: Some(last.clone()),
        ..Default::default()
    };
    let r = bundle::export(&a, ENG, &inc, &opts).unwrap();
    assert!(r.ops > 0 && r.ops < 30, "only the new finding's operations: {}", r.ops);
    let m: bundle::Manifest = serde_json::from_slice(&entry(&inc, "manifest.json")).unwrap();
    assert_eq!(m.since.as_deref(), Some(last.to_string().as_str()));
    assert_eq!(m.ops, r.ops);
    // The reports are whole: every finding, not only the new one.
    let json: serde_json::Value = serde_json::from_slice(&entry(&inc, "findings.json")).unwrap();
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        a.findings(ENG).unwrap().len()
    );

    let got = bundle::import(&b, &inc).unwrap();
    assert_eq!((got.new_findings, got.ops_applied), (1, r.ops));
    assert!(b.finding(&new_ref).is_ok());
    assert_eq!(histories(&a), histories(&b));

    // A database without the engagement cannot take only the tail.
    let mut c = App::open(&dir.path().join("c")).unwrap();
    c.set_identity("wang.lei", "王磊", "WL").unwrap();
    let err = bundle::import(&c, &inc).unwrap_err().to_string();
    assert!(err.contains("import a complete bundle"), "{err}");
    assert!(c.engagements().unwrap().is_empty());

    // An operation this engagement does not have is named.
    let bogus = ExportOptions {
        since: Some("nobody#1".parse().unwrap()),
        ..Default::default()
    };
    let err = bundle::export(&a, ENG, &dir.path().join("x.zip"), &bogus)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no operation nobody#1"), "{err}");
    assert!(!dir.path().join("x.zip").exists());
}

/// Progress reaches every stage, and stopping it (what Ctrl-C does) leaves
/// no file behind on export and nothing written on import.
#[test]
fn a_stopped_export_or_import_leaves_nothing() {
    use bundle::Stage;
    use std::sync::Mutex;
    let dir = tempfile::tempdir().unwrap();
    let a = demo_in(&dir.path().join("a"));
    // 3 MiB of evidence, so the evidence stage reports more than once.
    let big: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8).collect();
    a.attach_evidence_bytes(ENG, "录音.wav", &big, "", Some("QU-04"), None)
        .unwrap();
    let out = dir.path().join("b.zip");
    let seen = Mutex::new(Vec::new());
    let r = bundle::export_with_progress(&a, ENG, &out, &ExportOptions::default(), &|s, d, t| {
        seen.lock().unwrap().push((s, d, t));
        true
    })
    .unwrap();
    let seen = seen.into_inner().unwrap();
    assert!(seen.iter().any(|&(s, d, t)| s == Stage::Reports && d == t));
    let last_ev = seen.iter().rev().find(|x| x.0 == Stage::Evidence).unwrap();
    assert_eq!(last_ev.1, last_ev.2, "evidence counted to its total");
    assert!(last_ev.2 >= 3 << 20);
    // The demo's ACD summary and its call-record report; the figures of its
    // complaint log, survey, sessions and recording index, the unmatched
    // calls, the QA re-scoring and its agreement; the check-in photos of the
    // opening and closing meetings; and the recording.
    assert!(out.exists() && r.evidence_files == 12, "{}", r.evidence_files);

    // Stopped in the middle of the evidence: no bundle, no partial file.
    let stopped = dir.path().join("stopped.zip");
    let err = bundle::export_with_progress(&a, ENG, &stopped, &ExportOptions::default(), &|s, d, _| {
        !(s == Stage::Evidence && d > 0)
    })
    .unwrap_err();
    assert!(matches!(err, cscaudit::app::AppError::Cancelled), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.contains("stopped")), "{left:?}");

    // Import stopped while checking: the database and its folder unchanged.
    let data = dir.path().join("c");
    let mut c = App::open(&data).unwrap();
    c.set_identity("li.min", "李敏", "LM").unwrap();
    drop(c);
    for _ in 0..3 {
        drop(App::open(&data).unwrap()); // settle (see the test above)
    }
    let before = fingerprint(&data);
    let c = App::open(&data).unwrap();
    let err = bundle::import_with_progress(&c, &out, &Limits::default(), &|s, d, _| {
        !(s == Stage::Checking && d > 1 << 20)
    })
    .unwrap_err();
    assert!(matches!(err, cscaudit::app::AppError::Cancelled), "{err}");
    assert!(c.engagements().unwrap().is_empty());
    drop(c);
    assert_eq!(fingerprint(&data), before);
    // And it goes through when not stopped, past the merge stage.
    let c = App::open(&data).unwrap();
    let stages = Mutex::new(Vec::new());
    bundle::import_with_progress(&c, &out, &Limits::default(), &|s, _, _| {
        stages.lock().unwrap().push(s);
        true
    })
    .unwrap();
    let stages = stages.into_inner().unwrap();
    assert_eq!(stages.last(), Some(&Stage::Merging));
    assert_eq!(c.evidence(ENG).unwrap().len(), 12);
}
