//! Hand-made operations and batches, as an attacker writes them into a
//! remote's files (tests of what sync refuses).

use cscaudit::app::App;
use cscaudit::crypto::sign::SignedBatch;
use cscaudit::model::ops::{Change, EntityId, Hlc, Op, OpId};

/// A batch of `ops` after everything `app` holds of the engagement `eng`.
pub fn next_batch(app: &App, eng: &str, ops: &[Op]) -> SignedBatch {
    let genesis = app.genesis_of(eng).unwrap().unwrap();
    SignedBatch::unsigned(eng, Some(&genesis), app.heads_of(eng).unwrap(), ops).unwrap()
}

/// The lines of an `ops-….jsonl` file.
pub fn canonical(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        out.extend(cscaudit::model::canon::canonical_line(op));
        out.push(b'\n');
    }
    out
}

/// `actor` sets `field` of `entity` to `value`, as its operation `seq`.
pub fn op(actor: &str, seq: u64, entity: EntityId, field: &str, value: &str) -> Op {
    Op {
        id: OpId {
            actor: actor.into(),
            seq,
        },
        hlc: Hlc {
            wall_ms: jiff::Timestamp::now().as_millisecond() as u64 + seq,
            counter: 0,
        },
        entity,
        change: Change::Set {
            field: field.into(),
            value: value.into(),
        },
        base: None,
    }
}

/// One JSON document per line (a `sigs-….jsonl` file).
pub fn jsonl<T: serde::Serialize>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend(serde_json::to_vec(i).unwrap());
        out.push(b'\n');
    }
    out
}
