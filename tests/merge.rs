//! Merge properties: any order of importing the same op sets converges to the
//! same state, and importing twice changes nothing.
//!
//! Three replicas edit the same records concurrently (with occasional syncs, so
//! bases sometimes chain and sometimes conflict). Their logs are then merged
//! into fresh stores in different orders and chunkings.

use cscaudit::model::ops::{Change, Conflict, EntityId, Kind, Op, Record, Value};
use cscaudit::store::{Draft, Store};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Edit {
        replica: usize,
        entity: u8,
        field: u8,
        value: u8,
    },
    Link {
        replica: usize,
        entity: u8,
        target: u8,
        on: bool,
    },
    Sync {
        from: usize,
        to: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..3usize, 0..3u8, 0..3u8, 0..4u8).prop_map(|(replica, entity, field, value)| Step::Edit { replica, entity, field, value }),
        2 => (0..3usize, 0..3u8, 0..3u8, any::<bool>()).prop_map(|(replica, entity, target, on)| Step::Link { replica, entity, target, on }),
        2 => (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Sync { from, to }),
    ]
}

const ACTORS: [&str; 3] = ["zw", "lm", "wl"];

fn entity(n: u8) -> EntityId {
    EntityId::new(if n == 2 { Kind::Action } else { Kind::Finding }, format!("ZW-{n:03}"))
}

fn run(steps: &[Step]) -> Vec<Vec<Op>> {
    let replicas: Vec<Store> = (0..3).map(|_| Store::temporary().unwrap()).collect();
    for s in steps {
        match *s {
            Step::Edit {
                replica,
                entity: n,
                field,
                value,
            } => {
                let e = entity(n);
                // Fields the per-engagement counters count by, and one they do not.
                let field = ["status", "owner", "f2"][usize::from(field)].to_string();
                let cur = replicas[replica].record(&e).unwrap();
                let base = cur.as_ref().and_then(|r| r.base_of_raw(&field));
                let mut drafts = Vec::new();
                if cur.is_none() {
                    drafts.push(Draft {
                        entity: e.clone(),
                        change: Change::Create,
                        base: None,
                    });
                }
                drafts.push(Draft {
                    entity: e,
                    change: Change::Set {
                        field,
                        value: Value::Text(format!("{}{value}", ACTORS[replica])),
                    },
                    base,
                });
                replicas[replica].commit(ACTORS[replica], drafts).unwrap();
            }
            Step::Link {
                replica,
                entity: n,
                target,
                on,
            } => {
                let rel = "indicator".to_string();
                let target = format!("AC-0{target}");
                let change = if on {
                    Change::Link { rel, target }
                } else {
                    Change::Unlink { rel, target }
                };
                replicas[replica]
                    .commit(
                        ACTORS[replica],
                        vec![Draft {
                            entity: entity(n),
                            change,
                            base: None,
                        }],
                    )
                    .unwrap();
            }
            Step::Sync { from, to } if from != to => {
                let ops = replicas[from].all_ops().unwrap();
                replicas[to].merge(ops).unwrap();
            }
            Step::Sync { .. } => {}
        }
    }
    replicas.iter().map(|r| r.all_ops().unwrap()).collect()
}

/// Everything observable: records of every kind, open conflicts, the log.
fn state(s: &Store) -> (Vec<Record>, Vec<Conflict>, Vec<Op>) {
    let mut recs = Vec::new();
    for k in Kind::ALL {
        recs.extend(s.records(k, "").unwrap());
    }
    (recs, s.conflicts().unwrap(), s.all_ops().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_import_order_converges_and_reimport_is_a_no_op(
        steps in prop::collection::vec(step(), 1..40),
        order in Just([0usize, 1, 2]).prop_shuffle(),
        chunk in 1usize..8,
    ) {
        let logs = run(&steps);

        // Reference: import the three logs in order 0, 1, 2, whole.
        let a = Store::temporary().unwrap();
        for log in &logs {
            a.merge(log.clone()).unwrap();
        }
        // Another order, in chunks, each log reversed within itself.
        let b = Store::temporary().unwrap();
        for &i in &order {
            let mut log = logs[i].clone();
            log.reverse();
            for part in log.chunks(chunk) {
                b.merge(part.to_vec()).unwrap();
            }
        }
        let sa = state(&a);
        prop_assert_eq!(&sa, &state(&b));
        // The counters kept in each transaction equal a count of the records.
        prop_assert_eq!(a.counts_differing().unwrap(), vec![]);
        prop_assert_eq!(b.counts_differing().unwrap(), vec![]);

        // Importing everything again changes nothing.
        for log in &logs {
            let report = a.merge(log.clone()).unwrap();
            prop_assert_eq!(report.applied, 0);
        }
        prop_assert_eq!(&sa, &state(&a));

        // Each replica that merges everyone's log reaches the same records.
        let c = Store::temporary().unwrap();
        c.merge(logs.concat()).unwrap();
        prop_assert_eq!(&sa.0, &state(&c).0);

        // The same merge written in slices of a few operations, each its own
        // transaction: the same state, the same counters.
        let mut d = Store::temporary().unwrap();
        d.set_merge_slice(chunk);
        d.merge(logs.concat()).unwrap();
        prop_assert_eq!(&state(&c), &state(&d));
        prop_assert_eq!(d.counts_differing().unwrap(), vec![]);
    }
}

/// A merge written in slices is all or nothing: stopped between two slices
/// (a crash, or an error such as a full disk), the database is exactly as
/// before it — at once for an error, on the next open for a crash — and
/// the same merge then goes through whole.
/// Three replicas' logs where each replica edits every record.
fn sliced_logs() -> Vec<Vec<Op>> {
    let steps: Vec<Step> = (0..60u8)
        .map(|i| Step::Edit {
            replica: usize::from(i % 3),
            entity: (i / 3) % 3,
            field: i % 3,
            value: i % 4,
        })
        .chain([Step::Sync { from: 0, to: 1 }])
        .collect();
    run(&steps)
}

#[test]
fn a_merge_stopped_between_its_slices_leaves_the_database_as_before() {
    let logs = sliced_logs();
    // The whole log at once: what the stopped merges must end as.
    let reference = Store::temporary().unwrap();
    reference.merge(logs[0].clone()).unwrap();
    reference.merge(logs[1].clone()).unwrap();
    reference.merge(logs[2].clone()).unwrap();
    let expected = state(&reference);

    for undo in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        // Replica 0's log is held already (records the merge will touch again).
        let before = {
            let s = Store::open(dir.path()).unwrap();
            s.merge(logs[0].clone()).unwrap();
            state(&s)
        };
        let rest: Vec<Op> = logs[1].iter().chain(&logs[2]).cloned().collect();
        {
            let mut s = Store::open(dir.path()).unwrap();
            s.set_merge_slice(2);
            s.set_merge_fault(Some((1, undo)));
            assert!(s.merge(rest.clone()).is_err(), "the test stops it");
            if undo {
                assert_eq!(state(&s), before, "an error takes the slices out at once");
                assert_eq!(s.counts_differing().unwrap(), vec![]);
            } else {
                assert_ne!(state(&s).0, before.0, "a slice was written before the stop");
            }
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(state(&s), before, "undo={undo}: the open takes the finished slices out");
        assert_eq!(s.counts_differing().unwrap(), vec![]);
        assert_eq!(s.op_count(), before.2.len());
        // The same merge again, in slices, without a stop: as if whole.
        drop(s);
        let mut s = Store::open(dir.path()).unwrap();
        s.set_merge_slice(2);
        let r = s.merge(rest).unwrap();
        assert!(r.applied > 0);
        assert_eq!(state(&s), expected);
        assert_eq!(s.counts_differing().unwrap(), vec![]);
    }
}

#[test]
fn concurrent_writes_are_a_listed_conflict_and_resolution_closes_it() {
    // lm's clock 5 ms ahead of zw's (injected, not slept for).
    let mut zw = Store::temporary().unwrap();
    zw.set_wall_clock(Some(std::sync::Arc::new(|| 1_765_000_000_000)));
    let mut lm = Store::temporary().unwrap();
    lm.set_wall_clock(Some(std::sync::Arc::new(|| 1_765_000_000_005)));
    let e = entity(0);
    zw.commit(
        "zw",
        vec![Draft {
            entity: e.clone(),
            change: Change::Create,
            base: None,
        }],
    )
    .unwrap();
    lm.merge(zw.all_ops().unwrap()).unwrap();
    let set = |s: &Store, actor: &str, v: &str| {
        let base = s.record(&e).unwrap().and_then(|r| r.base_of_raw("title"));
        s.commit(
            actor,
            vec![Draft {
                entity: e.clone(),
                change: Change::Set {
                    field: "title".into(),
                    value: v.into(),
                },
                base,
            }],
        )
        .unwrap()
    };
    set(&zw, "zw", "甲");
    set(&lm, "lm", "乙");
    let report = zw.merge(lm.all_ops().unwrap()).unwrap();
    assert_eq!(report.new_conflicts, 1);
    let c = zw.conflicts().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].winner_value, Value::from("乙"));
    assert_eq!(c[0].loser_value, Value::from("甲"));
    // The lead confirms: a Resolve op closes it.
    let loser = c[0].loser.clone();
    zw.commit(
        "zw",
        vec![Draft {
            entity: e.clone(),
            change: Change::Resolve {
                field: "title".into(),
                loser,
            },
            base: None,
        }],
    )
    .unwrap();
    assert!(zw.conflicts().unwrap().is_empty());
    assert_eq!(
        zw.record(&e).unwrap().unwrap().get_raw("title"),
        Some(&Value::from("乙"))
    );
}

/// The same actor on a second copy (their own ops came back in a bundle)
/// numbers new ops after the highest one held: a reused sequence number
/// would be taken for a known op and dropped everywhere else.
#[test]
fn an_actors_numbering_continues_after_its_ops_came_back_from_another_copy() {
    let e = EntityId::new(Kind::Finding, "ZW-001");
    let set = |v: &str| Draft {
        entity: e.clone(),
        change: Change::Set {
            field: "title".into(),
            value: Value::Text(v.into()),
        },
        base: None,
    };
    let laptop = Store::temporary().unwrap();
    laptop.commit("zw", vec![set("一"), set("二")]).unwrap();
    let desktop = Store::temporary().unwrap();
    desktop.merge(laptop.all_ops().unwrap()).unwrap();
    let new = desktop.commit("zw", vec![set("三")]).unwrap();
    assert_eq!(new[0].id.seq, 3, "numbering continues after the merged 1 and 2");
    let r = laptop.merge(desktop.all_ops().unwrap()).unwrap();
    assert_eq!(r.applied, 1);
    assert_eq!(
        laptop.record(&e).unwrap().unwrap().get_raw("title"),
        Some(&Value::Text("三".into()))
    );
}

/// The handle whose merge stopped (and could not take its slices out)
/// merges again: the unfinished slices are taken out first, so no
/// operation is stored twice.
#[test]
fn a_merge_after_a_stopped_one_on_the_same_handle_stores_nothing_twice() {
    let logs = sliced_logs();
    let reference = Store::temporary().unwrap();
    for log in &logs {
        reference.merge(log.clone()).unwrap();
    }
    let expected = state(&reference);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    s.merge(logs[0].clone()).unwrap();
    let rest: Vec<Op> = logs[1].iter().chain(&logs[2]).cloned().collect();
    s.set_merge_slice(2);
    s.set_merge_fault(Some((1, false)));
    assert!(s.merge(rest.clone()).is_err());
    s.set_merge_fault(None);
    s.merge(rest).unwrap();
    assert_eq!(state(&s), expected);
    assert_eq!(s.op_count(), expected.2.len());
    assert_eq!(s.counts_differing().unwrap(), vec![]);
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(state(&s), expected, "and nothing left to take out on the next open");
}
