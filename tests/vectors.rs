//! The signed bytes of format 2, pinned by test vectors in
//! `schemas/signed-batch-v2.vectors.json` (documented in
//! `schemas/signed-batch-v2.md`): an operation's canonical line and its
//! SHA-256, a batch's message and id, and an ed25519 signature that
//! `ssh-keygen -Y verify` accepts. A change to any of them breaks every
//! signature already made, so it fails here first.
//!
//! `CSCAUDIT_WRITE_VECTORS=1 cargo test --test vectors` writes the file
//! anew (only when the format itself changes, with a new version).

use cscaudit::crypto::sign::BatchSignature;
use cscaudit::crypto::sign::{Head, SignedBatch, Signer, message_v2};
use cscaudit::model::canon::canonical_line;
use cscaudit::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId, Value};
use serde_json::json;
use sha2::{Digest, Sha256};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/signed-batch-v2.vectors.json");

fn ops() -> Vec<Op> {
    let op = |seq: u64, entity: EntityId, change: Change, base: Option<OpId>| Op {
        id: OpId {
            actor: "zhang.wei".into(),
            seq,
        },
        hlc: Hlc {
            wall_ms: 1_767_225_600_000 + seq,
            counter: (seq % 3) as u32,
        },
        entity,
        change,
        base,
    };
    let f = EntityId::new(Kind::Finding, "ZW-001");
    let set = |field: &str, value: Value| Change::Set {
        field: field.into(),
        value,
    };
    vec![
        op(1, f.clone(), Change::Create, None),
        op(2, f.clone(), set("engagement", "E1".into()), None),
        op(
            3,
            f.clone(),
            set("title", "录音抽检\"不完整\"\n第二行\t\u{1}".into()),
            None,
        ),
        op(
            4,
            EntityId::new(Kind::Assessment, "E1/AC-01"),
            set("measured", Value::Float(0.8125)),
            None,
        ),
        op(
            5,
            EntityId::new(Kind::Assessment, "E1/AC-01"),
            set("score", Value::Float(4.0)),
            None,
        ),
        op(
            6,
            f.clone(),
            set("closure_due", Value::Date(jiff::civil::date(2027, 1, 31))),
            None,
        ),
        op(
            7,
            EntityId::new(Kind::Action, "ZW-001-A1"),
            set("progress", Value::Int(-3)),
            None,
        ),
        op(
            8,
            EntityId::new(Kind::Action, "ZW-001-A1"),
            set("effective", Value::Bool(true)),
            None,
        ),
        op(
            9,
            f.clone(),
            set("title", Value::Null),
            Some(OpId {
                actor: "zhang.wei".into(),
                seq: 3,
            }),
        ),
        op(
            10,
            f.clone(),
            Change::Link {
                rel: "evidence".into(),
                target: "d38f65f8cd43c0cfb234d5da31e0ac5c7cfab2e61bf1bd9ccf89479b4c34bf00".into(),
            },
            None,
        ),
        op(
            11,
            f,
            Change::Resolve {
                field: "title".into(),
                loser: OpId {
                    actor: "li.min".into(),
                    seq: 4,
                },
            },
            None,
        ),
    ]
}

fn batch() -> SignedBatch {
    let parents = vec![
        Head {
            actor: "li.min".into(),
            seq: 12,
            hash: "ab".repeat(32),
        },
        Head {
            actor: "zhang.wei".into(),
            seq: 0,
            hash: "01".repeat(32),
        },
    ];
    SignedBatch::unsigned("E1", Some(&"cd".repeat(32)), parents, &ops()).unwrap()
}

fn signer() -> Signer {
    Signer::from_seed([7u8; 32])
}

fn vectors() -> serde_json::Value {
    let ops: Vec<serde_json::Value> = ops()
        .iter()
        .map(|op| {
            let line = String::from_utf8(canonical_line(op)).unwrap();
            json!({ "line": line, "sha256": hex::encode(Sha256::digest(line.as_bytes())) })
        })
        .collect();
    let b = batch().sign_with(&signer()).unwrap();
    json!({
        "about": "cscaudit signed batch format 2: see signed-batch-v2.md",
        "ops": ops,
        "batch": {
            "message": String::from_utf8(message_v2(&b)).unwrap(),
            "id": b.id(),
            "public_key": signer().public_openssh(),
            "signature": b.signature,
        }
    })
}

#[test]
fn the_signed_bytes_match_the_vectors() {
    let now = vectors();
    if std::env::var_os("CSCAUDIT_WRITE_VECTORS").is_some() {
        std::fs::write(FILE, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
    }
    let pinned: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    // Each line: reads back as its operation, hashes (sha2, not our code) as pinned.
    for (i, (v, op)) in pinned["ops"].as_array().unwrap().iter().zip(ops()).enumerate() {
        let line = v["line"].as_str().unwrap();
        assert_eq!(String::from_utf8(canonical_line(&op)).unwrap(), line, "op {i}");
        assert_eq!(serde_json::from_str::<Op>(line).unwrap(), op, "op {i} reads back");
        assert_eq!(
            hex::encode(Sha256::digest(line.as_bytes())),
            v["sha256"].as_str().unwrap()
        );
    }
    let b = &pinned["batch"];
    let msg = b["message"].as_str().unwrap();
    assert_eq!(String::from_utf8(message_v2(&batch())).unwrap(), msg);
    assert_eq!(hex::encode(Sha256::digest(msg.as_bytes())), b["id"].as_str().unwrap());
    assert_eq!(batch().id(), b["id"].as_str().unwrap());
    // ed25519 signatures are deterministic: the same key signs the same bytes alike.
    assert_eq!(now["batch"]["signature"], b["signature"]);
    // And OpenSSH itself accepts the pinned signature over the pinned message.
    let dir = tempfile::tempdir().unwrap();
    let signers = dir.path().join("allowed_signers");
    std::fs::write(
        &signers,
        format!(
            "zhang.wei namespaces=\"cscaudit-ops@v2\" {}\n",
            b["public_key"].as_str().unwrap()
        ),
    )
    .unwrap();
    let sig = dir.path().join("batch.sig");
    std::fs::write(&sig, b["signature"].as_str().unwrap()).unwrap();
    let openssh_accepts = |bytes: &[u8]| {
        let mut child = std::process::Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(&signers)
            .args(["-I", "zhang.wei", "-n", "cscaudit-ops@v2", "-s"])
            .arg(&sig)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = openssh_accepts(msg.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // One byte more in the message: OpenSSH refuses it.
    assert!(!openssh_accepts(format!("{msg} ").as_bytes()).status.success());
}
