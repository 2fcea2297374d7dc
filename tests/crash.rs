//! Crash safety: the real binary is SIGKILLed during a stream of commits, many
//! times over the same database. Every commit it reported as done must be
//! present after reopening, and the log and the records must agree.

use cscaudit::app::diagnostics::{STREAM_ENGAGEMENT, STREAM_FIELD};
use cscaudit::model::ops::{Change, EntityId, Kind};
use cscaudit::store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigkill_during_commits_loses_nothing_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_cscaudit");
    let entity = EntityId::new(Kind::Engagement, STREAM_ENGAGEMENT);
    let mut last_reported = 0u64;
    let rounds = 25;
    for round in 0..rounds {
        let mut child = Command::new(bin)
            .args(["debug", "commit-stream", "1000000"])
            .env("CSCAUDIT_DATA_DIR", dir.path())
            .env("CSCAUDIT_CONFIG_DIR", dir.path().join("config"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a varying number of reported commits (and a varying delay).
        let kill_after = 5 + (round * 37) % 120;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let mut seen = 0;
        let started = Instant::now();
        while seen < kill_after && started.elapsed() < Duration::from_secs(60) {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(k) = line.trim().strip_prefix("committed ") {
                last_reported = k.parse().unwrap();
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_micros((round as u64 * 1301) % 3000));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // Lines printed between our last read and the kill also count as reported.
        let mut rest = String::new();
        while reader.read_line(&mut rest).unwrap_or(0) > 0 {
            if let Some(k) = rest.trim().strip_prefix("committed ") {
                last_reported = k.parse().unwrap();
            }
            rest.clear();
        }
        assert!(seen > 0, "round {round}: the child reported no commit");

        let store = Store::open(dir.path()).expect("reopen after SIGKILL");
        let rec = store.record(&entity).unwrap().expect("record present");
        let counter = rec.get_raw(STREAM_FIELD).and_then(|v| v.int()).unwrap() as u64;
        assert!(
            counter >= last_reported,
            "round {round}: reported {last_reported}, found {counter}"
        );
        // Ops and record were written in one transaction: they agree exactly.
        let history = store.history(&entity).unwrap();
        let counter_ops = history
            .iter()
            .filter(|op| matches!(&op.change, Change::Set { field, .. } if field == STREAM_FIELD))
            .count();
        assert_eq!(counter_ops as u64, counter, "round {round}: log and record disagree");
        assert_eq!(rec.op_count as usize, history.len());
        last_reported = counter;
    }
    assert!(last_reported >= rounds as u64 * 5);
}
