//! Store benchmarks against the budgets of ARCHITECTURE.md, on a real sled
//! database in a temp folder: durable commit latency, merging 100,000 foreign
//! ops, and seeding the demo. Prints numbers; asserts nothing about time.
//!
//! Run: `cargo bench --bench store` (add `-- --quick` for a smaller run).

use cscaudit::app::{App, demo};
use cscaudit::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId, Value};
use cscaudit::store::{Draft, Store};
use std::time::{Duration, Instant};

fn pct(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let commits = if quick { 300 } else { 3000 };
    let merge_n: u64 = if quick { 20_000 } else { 100_000 };

    // 1. Durable commit of one edit (one finding field), flushed before return.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut lat = Vec::with_capacity(commits);
    for i in 0..commits {
        let e = EntityId::new(Kind::Finding, format!("ZW-{:03}", i % 50));
        let base = store.record(&e).unwrap().and_then(|r| r.base_of_raw("title"));
        let d = Draft {
            entity: e,
            change: Change::Set {
                field: "title".into(),
                value: Value::Text(format!("标题 {i}")),
            },
            base,
        };
        let t = Instant::now();
        store.commit("zw", vec![d]).unwrap();
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "commit (durable, 1 op): n={commits} p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms   [budget p99 ≤ 2 ms]",
        pct(&lat, 0.5),
        pct(&lat, 0.9),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
    drop(store);

    // 2. Merge N foreign ops (a teammate's bundle): 10 fields per record.
    let ops: Vec<Op> = (0..merge_n)
        .map(|i| Op {
            id: OpId {
                actor: "lm".into(),
                seq: i + 1,
            },
            hlc: Hlc {
                wall_ms: 1_700_000_000_000 + i,
                counter: 0,
            },
            entity: EntityId::new(Kind::Finding, format!("LM-{:06}", i / 10)),
            change: if i % 10 == 0 {
                Change::Create
            } else {
                Change::Set {
                    field: format!("f{}", i % 10),
                    value: Value::Text(format!("值 {i}")),
                }
            },
            base: None,
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let t = Instant::now();
    let r = store.merge(ops.clone()).unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let again = store.merge(ops).unwrap();
    let second = t.elapsed();
    println!(
        "merge {merge_n} foreign ops into an empty store: {:.3} s ({} records)   [budget ≤ 1 s]; re-import (all known): {:.3} s, applied {}",
        first.as_secs_f64(),
        r.records_touched,
        second.as_secs_f64(),
        again.applied
    );
    drop(store);

    // 3. Seeding the demo through the app layer (every step a durable commit).
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    let t = Instant::now();
    demo::seed(&mut app).unwrap();
    println!(
        "demo seed: {:.3} s for {} ops ({} durable commits' worth)",
        t.elapsed().as_secs_f64(),
        app.op_count(),
        app.op_count()
    );
}
