//! Signed changes end to end, with real ed25519 keys made by `ssh-keygen` in
//! the test and real databases in temp folders: a lead and an auditor sign
//! and exchange bundles; a wrong key, an altered change, an unsigned change
//! by a keyed member, a key registered by a non-lead and a stranger writing
//! under a member's name are each refused with nothing changed.

mod common;

use common::keygen;
use cscaudit::crypto::sign::BatchSignature;

use cscaudit::app::{App, NewFinding, Signature};
use cscaudit::bundle::{self, ExportOptions};
use cscaudit::crypto::sign::{SignedBatch, Signer};
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::Role;
use cscaudit::model::finding::Grade;
use cscaudit::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const ENG: &str = "E1";

fn pubkey(path: &Path) -> String {
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

struct Team {
    dir: tempfile::TempDir,
    zw_key: PathBuf,
    lm_key: PathBuf,
    evil_key: PathBuf,
}

impl Team {
    fn new() -> Team {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        Team {
            zw_key: keygen(&keys, "zw"),
            lm_key: keygen(&keys, "lm"),
            evil_key: keygen(&keys, "evil"),
            dir,
        }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn open(&self, folder: &str, actor: &str, name: &str, initials: &str, key: Option<&Path>) -> App {
        let mut app = App::open(&self.path(folder)).unwrap();
        app.set_identity(actor, name, initials).unwrap();
        app.set_identity_key(key).unwrap();
        app
    }
}

fn raise(app: &App, title: &str) -> String {
    app.raise_finding(ENG, common::observation(title)).unwrap().reference
}

fn export(app: &App, out: &Path) {
    bundle::export(app, ENG, out, &ExportOptions::default()).unwrap();
}

/// The lead creates E1 with li.min registered under her key; li.min joins
/// from the lead's bundle and raises a finding. Returns li.min's bundle.
fn lead_and_auditor(t: &Team) -> PathBuf {
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    zw.create_engagement(
        common::new_engagement(ENG, "签名测试"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    let lm_pub = pubkey(&t.lm_key);
    zw.add_member_keyed(
        ENG,
        "li.min",
        "李敏",
        "LM",
        Role::Auditor,
        Some("CCAA-2"),
        Some(&lm_pub),
    )
    .unwrap();
    raise(&zw, "录音抽检记录不完整");
    export(&zw, &t.path("zw.zip"));
    drop(zw);

    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&t.lm_key));
    let r = bundle::import(&lm, &t.path("zw.zip")).unwrap();
    assert!(r.joined);
    assert_eq!(
        r.ops_unsigned, 0,
        "the lead signed everything, creation included: {r:?}"
    );
    assert_eq!(r.ops_signed, r.ops_applied);
    raise(&lm, "工单回访超时未闭环");
    export(&lm, &t.path("lm.zip"));
    t.path("lm.zip")
}

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

/// Write the files as a bundle with a manifest that matches them (so only
/// the signature check can object).
fn write_bundle(path: &Path, files: &mut [(String, Vec<u8>)]) {
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
    m.ops = ops_of(files).len();
    files.iter_mut().find(|f| f.0 == "manifest.json").unwrap().1 = serde_json::to_vec(&m).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files.iter() {
        z.start_file(name.as_str(), o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn ops_of(files: &[(String, Vec<u8>)]) -> Vec<Op> {
    let bytes = &files.iter().find(|f| f.0 == "ops.jsonl").unwrap().1;
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

fn set_ops(files: &mut [(String, Vec<u8>)], ops: &[Op]) {
    let mut out = Vec::new();
    for op in ops {
        out.extend(serde_json::to_vec(op).unwrap());
        out.push(b'\n');
    }
    files.iter_mut().find(|f| f.0 == "ops.jsonl").unwrap().1 = out;
}

fn batches_of(files: &[(String, Vec<u8>)]) -> Vec<SignedBatch> {
    match files.iter().find(|f| f.0 == "signatures.jsonl") {
        Some(f) => {
            f.1.split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        }
        None => Vec::new(),
    }
}

fn set_batches(files: &mut Vec<(String, Vec<u8>)>, batches: &[SignedBatch]) {
    let mut out = Vec::new();
    for b in batches {
        out.extend(serde_json::to_vec(b).unwrap());
        out.push(b'\n');
    }
    files.retain(|f| f.0 != "signatures.jsonl");
    files.push(("signatures.jsonl".into(), out));
}

/// An unsigned batch of `ops` after every batch in `batches` (its parents:
/// each author's last one).
fn next_batch(batches: &[SignedBatch], ops: &[Op]) -> SignedBatch {
    let mut heads: std::collections::BTreeMap<String, cscaudit::crypto::sign::Head> = Default::default();
    for b in batches {
        if heads.get(&b.actor).is_none_or(|h| h.seq < b.last()) {
            heads.insert(
                b.actor.clone(),
                cscaudit::crypto::sign::Head {
                    actor: b.actor.clone(),
                    seq: b.last(),
                    hash: b.id(),
                },
            );
        }
    }
    let genesis = batches.iter().find(|b| b.is_genesis()).unwrap().id();
    SignedBatch::unsigned(ENG, Some(&genesis), heads.into_values().collect(), ops).unwrap()
}

fn fingerprint(dir: &Path) -> Vec<(PathBuf, String)> {
    common::data_fingerprint(dir)
}

/// The lead imports `bundle`: refused, naming `expect`, with zh-CN too, and
/// the lead's data folder exactly as before.
fn refused(t: &Team, bundle_path: &Path, expect: &[&str]) {
    let data = t.path("zw");
    // sled rewrites its files on the first closes of a database (a snapshot),
    // import or not: settle it first (see tests/bundle.rs).
    for _ in 0..3 {
        drop(App::open(&data).unwrap());
    }
    let before = fingerprint(&data);
    let app = App::open(&data).unwrap();
    let err = bundle::import(&app, bundle_path).unwrap_err();
    let msg = err.message();
    for e in expect {
        assert!(msg.en.contains(e), "expected {e:?} in: {}", msg.en);
    }
    assert!(msg.zh != msg.en && !msg.zh.is_empty(), "{}", msg.zh);
    drop(app);
    assert_eq!(fingerprint(&data), before, "the lead's data changed ({expect:?})");
}

#[test]
fn signed_changes_verify_and_forgeries_are_refused() {
    let t = Team::new();
    let lm_bundle = lead_and_auditor(&t);
    let original = entries(&lm_bundle);
    let lm_seq_max = ops_of(&original)
        .iter()
        .filter(|o| o.id.actor == "li.min")
        .map(|o| o.id.seq)
        .max()
        .unwrap();

    // 1. Signed by another key than li.min's registered one.
    let mut files = original.clone();
    let evil = Signer::load(&t.evil_key).unwrap();
    let forged: Vec<SignedBatch> = batches_of(&files)
        .into_iter()
        .map(|b| {
            if b.actor != "li.min" {
                return b;
            }
            let mut b = b;
            b.signature.clear();
            b.sign_with(&evil).unwrap()
        })
        .collect();
    set_batches(&mut files, &forged);
    write_bundle(&t.path("wrong-key.zip"), &mut files);
    refused(
        &t,
        &t.path("wrong-key.zip"),
        &["li.min", &evil.fingerprint(), "registered key"],
    );

    // 2. A signed change altered afterwards (the title of li.min's finding).
    let mut files = original.clone();
    let mut ops = ops_of(&files);
    let target = ops
        .iter_mut()
        .find(|o| o.id.actor == "li.min" && matches!(&o.change, Change::Set { field, .. } if field == "title"))
        .unwrap();
    target.change = Change::Set {
        field: "title".into(),
        value: "已整改，无问题".into(),
    };
    let altered = target.id.to_string();
    set_ops(&mut files, &ops);
    write_bundle(&t.path("altered.zip"), &mut files);
    refused(&t, &t.path("altered.zip"), &[&altered, "altered"]);

    // 3. li.min's batches with their signatures taken out.
    let mut files = original.clone();
    let stripped: Vec<SignedBatch> = batches_of(&files)
        .into_iter()
        .map(|mut b| {
            if b.actor == "li.min" {
                b.signature.clear();
            }
            b
        })
        .collect();
    set_batches(&mut files, &stripped);
    write_bundle(&t.path("unsigned.zip"), &mut files);
    refused(
        &t,
        &t.path("unsigned.zip"),
        &["li.min", "not signed", "signs its changes"],
    );

    // 4. li.min (with her own, valid key) registers a key for the lead: only
    // a lead may, and the batch is refused although its signature is good.
    // (Her honest batches left out: refusal is per batch, and they would go in.)
    let mut files = original.clone();
    let mut ops: Vec<Op> = ops_of(&files).into_iter().filter(|o| o.id.actor != "li.min").collect();
    let kept: Vec<SignedBatch> = batches_of(&files).into_iter().filter(|b| b.actor != "li.min").collect();
    set_batches(&mut files, &kept);
    let last_hlc = ops.iter().map(|o| o.hlc).max().unwrap();
    let grab = Op {
        id: OpId {
            actor: "li.min".into(),
            seq: lm_seq_max + 1,
        },
        hlc: Hlc {
            wall_ms: last_hlc.wall_ms + 1,
            counter: 0,
        },
        entity: EntityId::new(Kind::Member, format!("{ENG}/zhang.wei")),
        change: Change::Set {
            field: "key".into(),
            value: pubkey(&t.evil_key).trim().into(),
        },
        base: None,
    };
    let lm_signer = Signer::load(&t.lm_key).unwrap();
    let mut batches = batches_of(&files);
    batches.push(
        next_batch(&batches, std::slice::from_ref(&grab))
            .sign_with(&lm_signer)
            .unwrap(),
    );
    ops.push(grab);
    set_ops(&mut files, &ops);
    set_batches(&mut files, &batches);
    write_bundle(&t.path("key-grab.zip"), &mut files);
    refused(&t, &t.path("key-grab.zip"), &["li.min", "zhang.wei", "not a lead"]);

    // 5. A stranger who set `identity set li.min` on a third laptop cannot
    // write as her: refused on that laptop, with or without a key of their own.
    let mut stranger = t.open("stranger", "li.min", "李敏", "LM", Some(&t.evil_key));
    bundle::import(&stranger, &t.path("zw.zip")).unwrap();
    let err = stranger
        .raise_finding(
            ENG,
            NewFinding {
                grade: Grade::Major,
                title: "forged".into(),
                statement: "forged".into(),
                criterion: String::new(),
                indicators: vec![],
                evidence_note: String::new(),
                issue: false,
            },
        )
        .unwrap_err();
    assert!(
        err.message()
            .en
            .contains("must be signed with the key registered for li.min"),
        "{err:?}"
    );
    stranger.set_identity_key(None).unwrap();
    assert!(
        stranger.set_member_key(ENG, "li.min", &pubkey(&t.evil_key)).is_err(),
        "not the lead"
    );

    // 6. The genuine bundle goes in: every new change verified, and history says so.
    let zw = App::open(&t.path("zw")).unwrap();
    let r = bundle::import(&zw, &lm_bundle).unwrap();
    assert!(r.ops_applied > 0);
    assert_eq!((r.ops_signed, r.ops_unsigned), (r.ops_applied, 0), "{r:?}");
    let lm_fp = Signer::load(&t.lm_key).unwrap().fingerprint();
    let theirs = zw
        .findings(ENG)
        .unwrap()
        .into_iter()
        .find(|f| f.reference.starts_with("LM-"))
        .unwrap();
    let (_, hist) = zw.history(&theirs.reference).unwrap();
    for op in &hist {
        assert_eq!(
            zw.signature_of(op).unwrap(),
            Signature::Verified {
                fingerprint: lm_fp.clone()
            }
        );
    }
}

#[test]
fn a_rotated_key_takes_over_and_old_history_stays_verified() {
    let t = Team::new();
    lead_and_auditor(&t);
    // li.min lost her laptop: a new key, registered by the lead.
    let new_key = keygen(&t.path("keys"), "lm2");
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    bundle::import(&zw, &t.path("lm.zip")).unwrap();
    zw.set_member_key(ENG, "li.min", &pubkey(&new_key)).unwrap();
    export(&zw, &t.path("rotated.zip"));
    drop(zw);

    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&t.lm_key));
    bundle::import(&lm, &t.path("rotated.zip")).unwrap();
    // The old key no longer writes for her…
    assert!(
        lm.raise_finding(
            ENG,
            NewFinding {
                grade: Grade::Observation,
                title: "old key".into(),
                statement: String::new(),
                criterion: String::new(),
                indicators: vec![],
                evidence_note: String::new(),
                issue: false,
            },
        )
        .is_err()
    );
    drop(lm);
    // …the new one does, and the lead verifies both old and new changes.
    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&new_key));
    raise(&lm, "新密钥的发现项");
    export(&lm, &t.path("lm2.zip"));
    let zw = App::open(&t.path("zw")).unwrap();
    let r = bundle::import(&zw, &t.path("lm2.zip")).unwrap();
    assert!(r.ops_signed > 0 && r.ops_unsigned == 0, "{r:?}");
    let mut fps = std::collections::BTreeSet::new();
    for f in zw
        .findings(ENG)
        .unwrap()
        .into_iter()
        .filter(|f| f.reference.starts_with("LM-"))
    {
        for op in zw.history(&f.reference).unwrap().1 {
            match zw.signature_of(&op).unwrap() {
                Signature::Verified { fingerprint } => {
                    fps.insert(fingerprint);
                }
                other => panic!("{} is {other:?}", op.id),
            }
        }
    }
    assert_eq!(
        fps.len(),
        2,
        "changes under the old and the new key both verify: {fps:?}"
    );
}

#[test]
fn a_database_from_before_signing_keeps_working() {
    // Everyone unsigned (no keys anywhere): bundles go both ways, marked unsigned.
    let t = Team::new();
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", None);
    zw.create_engagement(
        common::new_engagement(ENG, "旧库"),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    zw.add_member(ENG, "li.min", "李敏", "LM", Role::Auditor, None).unwrap();
    let old = raise(&zw, "签名之前的发现项");
    export(&zw, &t.path("old.zip"));
    let lm = t.open("lm", "li.min", "李敏", "LM", None);
    let r = bundle::import(&lm, &t.path("old.zip")).unwrap();
    assert_eq!((r.ops_signed, r.ops_unsigned), (0, r.ops_applied));
    let (_, hist) = lm.history(&old).unwrap();
    assert!(
        hist.iter()
            .all(|op| lm.signature_of(op).unwrap() == Signature::Unsigned)
    );
    // Then the lead starts signing: his key registered, new changes signed,
    // and the teammate verifies them while the old ones stay unsigned.
    drop(lm);
    let mut zw = zw;
    zw.set_identity_key(Some(&t.zw_key)).unwrap();
    zw.set_member_key(ENG, "zhang.wei", &pubkey(&t.zw_key)).unwrap();
    let new = raise(&zw, "签名之后的发现项");
    export(&zw, &t.path("new.zip"));
    let lm = App::open(&t.path("lm")).unwrap();
    let r = bundle::import(&lm, &t.path("new.zip")).unwrap();
    assert!(r.ops_signed > 0, "{r:?}");
    let (_, hist) = lm.history(&new).unwrap();
    assert!(
        hist.iter()
            .all(|op| matches!(lm.signature_of(op).unwrap(), Signature::Verified { .. }))
    );
    let (_, hist) = lm.history(&old).unwrap();
    assert!(
        hist.iter()
            .all(|op| lm.signature_of(op).unwrap() == Signature::Unsigned)
    );
}

#[test]
fn doctor_checks_the_fold_the_signatures_and_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let r = app.doctor(&mut |_, _| {}).unwrap();
    assert!(r.healthy(), "{r:?}");
    assert_eq!(r.ops, r.ops_recorded);
    assert_eq!((r.signed, r.unsigned), (r.ops, 0), "the demo signs every change");
    assert!(r.records > 50 && r.evidence > 0, "{r:?}");
    // An evidence file altered on disk is named.
    let ev = &app.evidence(cscaudit::app::demo::DEMO_ENGAGEMENT).unwrap()[0];
    let path = app.evidence_path(&ev.sha256);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"altered").unwrap();
    let r = app.doctor(&mut |_, _| {}).unwrap();
    assert!(!r.healthy());
    assert_eq!(r.evidence_bad.len(), 1);
    assert_eq!(r.evidence_bad[0].0, ev.sha256);
}

/// `export --encrypt`: sealed with age to the team's ssh keys (made by
/// `ssh-keygen` here); a member imports it, a stranger's key cannot open it
/// and their database is unchanged; the file holds no plaintext title; a
/// passphrase bundle opens with the passphrase only (the real binary).
#[test]
fn encrypted_bundles_open_for_the_team_only() {
    let t = Team::new();
    lead_and_auditor(&t);
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    let to = zw.export_recipients(ENG, &[], false).unwrap();
    assert_eq!(to.recipients(), 2, "zhang.wei and li.min");
    let sealed = t.path("zw.zip.age");
    let opts = ExportOptions {
        encrypt: Some(std::sync::Arc::new(to)),
        ..Default::default()
    };
    let r = bundle::export(&zw, ENG, &sealed, &opts).unwrap();
    assert_eq!(r.encrypted_to, Some(2));
    assert!(r.summary(cscaudit::config::Lang::En).contains("encrypted to 2 keys"));
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(
        !bytes.windows("录音抽检".len()).any(|w| w == "录音抽检".as_bytes()),
        "no plaintext title in the encrypted bundle"
    );
    assert!(
        !bytes.windows(4).any(|w| w == b"PK\x03\x04"),
        "no zip inside in the clear"
    );
    // No plain zip or temporary file left beside it.
    let mut names: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("zw.zip"))
        .collect();
    names.sort();
    assert_eq!(names, ["zw.zip", "zw.zip.age"]);
    drop(zw);

    // li.min (a member) opens it: nothing new, but it decrypts and checks.
    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&t.lm_key));
    let r = bundle::import(&lm, &sealed).unwrap();
    assert!(r.decrypted);
    assert_eq!(r.ops_applied, 0);
    assert!(r.summary(cscaudit::config::Lang::Zh).starts_with("已解密；"));
    drop(lm);

    // A stranger with a key of their own: refused, nothing changes.
    drop(t.open("ev", "wang.qiang", "王强", "WQ", Some(&t.evil_key)));
    for _ in 0..3 {
        drop(App::open(&t.path("ev")).unwrap());
    }
    let before = fingerprint(&t.path("ev"));
    let ev = App::open(&t.path("ev")).unwrap();
    let err = bundle::import(&ev, &sealed).unwrap_err().to_string();
    assert!(err.contains("not to your key"), "{err}");
    drop(ev);
    assert_eq!(fingerprint(&t.path("ev")), before);
    // No decrypted leftovers in anyone's data folder.
    for d in ["lm", "ev"] {
        let left: Vec<_> = std::fs::read_dir(t.path(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".import-"))
            .collect();
        assert!(left.is_empty(), "{d}: {left:?}");
    }

    // The real binary: a passphrase bundle for someone outside the team.
    let bin = |dir: &str| {
        let mut c = assert_cmd::Command::cargo_bin("cscaudit").unwrap();
        c.env("CSCAUDIT_DATA_DIR", t.path(dir))
            .env("CSCAUDIT_CONFIG_DIR", t.path(&format!("{dir}-config")))
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL");
        c
    };
    let pp = t.path("pp.zip.age");
    let out = bin("zw")
        .args(["export", "--passphrase", "--engagement", ENG, "--out"])
        .arg(&pp)
        .env("CSCAUDIT_PASSPHRASE", "审核 correct horse")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("encrypted with a passphrase"));
    // A fresh copy with the wrong passphrase: refused, and the right one joins.
    let out = bin("fresh")
        .args(["identity", "set", "zhao.li", "--name", "赵丽", "--initials", "ZL"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin("fresh")
        .arg("import")
        .arg(&pp)
        .env("CSCAUDIT_PASSPHRASE", "wrong")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("passphrase") && err.contains("Nothing was imported"),
        "{err}"
    );
    let out = bin("fresh")
        .arg("import")
        .arg(&pp)
        .env("CSCAUDIT_PASSPHRASE", "审核 correct horse")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("decrypted; "));
}

/// A member leaves (the lead revokes their key): what they signed before
/// stays verified, what they do afterwards is refused by the lead's copy
/// (nothing changes), their own copy refuses to write once it has heard,
/// only a lead may do it, and encrypted bundles are no longer sealed to them.
#[test]
fn a_member_who_left_can_no_longer_write() {
    let t = Team::new();
    lead_and_auditor(&t);
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    bundle::import(&zw, &t.path("lm.zip")).unwrap();
    drop(zw);
    // li.min works on: one change before she leaves, exported alone.
    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&t.lm_key));
    let before = bundle::export(&lm, ENG, &t.path("lm-all-before.zip"), &ExportOptions::default())
        .unwrap()
        .last_op
        .unwrap();
    raise(&lm, "离队前的发现项");
    bundle::export(
        &lm,
        ENG,
        &t.path("lm-before.zip"),
        &ExportOptions {
            since: Some(before),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        lm.remove_member(ENG, "zhang.wei").is_err(),
        "only a lead removes members"
    );
    drop(lm);
    std::thread::sleep(std::time::Duration::from_millis(5));

    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    assert!(zw.remove_member(ENG, "zhang.wei").is_err(), "not yourself");
    let m = zw.remove_member(ENG, "li.min").unwrap();
    assert_eq!(m.key.as_deref(), Some(cscaudit::app::REVOKED));
    assert!(zw.remove_member(ENG, "li.min").is_err(), "already left");
    // Encrypted bundles are sealed to who remains.
    assert_eq!(zw.export_recipients(ENG, &[], false).unwrap().recipients(), 1);
    export(&zw, &t.path("zw-after.zip"));
    drop(zw);
    std::thread::sleep(std::time::Duration::from_millis(5));

    // li.min, not yet told, raises another finding afterwards.
    let lm = t.open("lm", "li.min", "李敏", "LM", Some(&t.lm_key));
    raise(&lm, "离队后的发现项");
    export(&lm, &t.path("lm-after.zip"));
    // Once told, her copy refuses to write.
    bundle::import(&lm, &t.path("zw-after.zip")).unwrap();
    let err = lm
        .raise_finding(
            ENG,
            NewFinding {
                grade: Grade::Observation,
                title: "再试一次".into(),
                statement: String::new(),
                criterion: String::new(),
                indicators: vec![],
                evidence_note: String::new(),
                issue: false,
            },
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("has left the team"), "{err}");
    drop(lm);

    // The lead refuses the bundle carrying the change made after she left,
    // and the one made before it that the lead had not seen when removing
    // her: a removal refuses every batch of hers outside the lead's past
    // then, whatever its clock says.
    refused(&t, &t.path("lm-after.zip"), &["li.min", "was removed from the team"]);
    refused(&t, &t.path("lm-before.zip"), &["li.min", "was removed from the team"]);
    let zw = t.open("zw", "zhang.wei", "张伟", "ZW", Some(&t.zw_key));
    let titles: Vec<String> = zw.findings(ENG).unwrap().into_iter().map(|f| f.title).collect();
    assert!(!titles.iter().any(|t| t == "离队前的发现项" || t == "离队后的发现项"));
    // What she signed before the lead removed her stays verified.
    let theirs = zw
        .findings(ENG)
        .unwrap()
        .into_iter()
        .find(|f| f.reference.starts_with("LM-"))
        .unwrap();
    let (_, hist) = zw.history(&theirs.reference).unwrap();
    assert!(
        hist.iter()
            .all(|op| matches!(zw.signature_of(op).unwrap(), Signature::Verified { .. }))
    );
}

/// Verified batches are remembered between history views (scrolling a list
/// does not verify a bulk commit's batch again), but only for the same batch
/// bytes: signatures altered by another process while the TUI lets go of the
/// database are checked again and shown invalid.
#[test]
fn a_signature_altered_by_another_process_is_not_taken_from_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let f = app.findings(cscaudit::app::demo::DEMO_ENGAGEMENT).unwrap()[0]
        .reference
        .clone();
    let (e, _) = app.history(&f).unwrap();
    for _ in 0..2 {
        let shown = app.entity_history_signed(&e).unwrap();
        assert!(!shown.is_empty());
        assert!(
            shown.iter().all(|(_, s)| matches!(s, Signature::Verified { .. })),
            "{shown:?}"
        );
    }
    app.share_between_operations();
    app.release();
    // Another process changes one character of every stored signature.
    let header = b"-----BEGIN SSH SIGNATURE-----\n";
    let altered = (0..100)
        .find_map(|_| {
            cscaudit::store::rewrite_tree(dir.path(), "batches", |v| {
                let Some(at) = v.windows(header.len()).position(|w| w == header) else {
                    return false;
                };
                let at = at + header.len() + 20;
                v[at] = if v[at] == b'A' { b'B' } else { b'A' };
                true
            })
            .or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            })
        })
        .expect("the database opens once released");
    assert!(altered > 0);
    app.acquire().unwrap();
    let shown = app.entity_history_signed(&e).unwrap();
    assert!(
        shown.iter().all(|(_, s)| matches!(s, Signature::Invalid { .. })),
        "{shown:?}"
    );
}
