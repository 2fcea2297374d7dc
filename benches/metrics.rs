//! Call-record metrics throughput on a generated file of 10 million records,
//! compared in the same run with DuckDB computing the same figures.
//!
//! Run: `cargo bench --bench metrics` (DuckDB: `pip install duckdb`).
//! Options after `--`: `--records N` (default 10,000,000), `--runs K` (default 3).
//! The file is generated once into target/bench-data/ (about 1 GB).

mod common;
use common::{arg, peak_rss_mib};

use cscaudit::analytics::generate::write_anonymous_bank;
use cscaudit::analytics::metrics::{self, Format, Params};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn main() {
    let records = arg("--records", 10_000_000);
    let runs = arg("--runs", 3).max(1);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("calls-{records}.txt"));
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("tmp");
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).unwrap());
        write_anonymous_bank(&mut w, records, 19990101).unwrap();
        w.flush().unwrap();
        drop(w);
        std::fs::rename(&tmp, &path).unwrap();
        println!("generated {} records in {:.1} s", records, t.elapsed().as_secs_f64());
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "input: {} ({:.0} MiB, {records} records)",
        path.display(),
        bytes as f64 / 1048576.0
    );

    let params = Params::default();
    // Reset the peak-RSS counter so it reflects the computation only.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = metrics::compute(
            std::slice::from_ref(&path),
            &Format::AnonymousBank,
            &params,
            None,
            &|_| true,
        )
        .unwrap();
        times.push(t.elapsed().as_secs_f64());
        report = Some(r);
    }
    let report = report.unwrap();
    times.sort_by(f64::total_cmp);
    let best = times[0];
    let median = times[times.len() / 2];
    println!(
        "cscaudit: best {:.3} s, median {:.3} s over {runs} runs → {:.1} M records/s, {:.0} MiB/s; peak RSS {:.0} MiB; {} days, {} malformed",
        best,
        median,
        records as f64 / best / 1e6,
        bytes as f64 / best / 1048576.0,
        peak_rss_mib(None).unwrap_or(f64::NAN),
        report.by_day.len(),
        report.inputs[0].malformed
    );

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/duckdb_metrics.py");
    let mut duck_times = Vec::new();
    let mut duck_json = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("python3")
            .arg(&script)
            .arg(&path)
            .arg(params.threshold_s.to_string())
            .arg(params.short_abandon_s.to_string())
            .output();
        let wall = t.elapsed().as_secs_f64();
        match out {
            Ok(o) if o.status.success() => {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
                duck_times.push((v["seconds"].as_f64().unwrap_or(wall), wall));
                duck_json = Some(v);
            }
            Ok(o) => {
                println!(
                    "duckdb: not run ({}); install it with `pip install duckdb`",
                    String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")
                );
                return;
            }
            Err(e) => {
                println!("duckdb: python3 not available ({e})");
                return;
            }
        }
    }
    let v = duck_json.unwrap();
    duck_times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (dq, dw) = duck_times[0];
    let o = &v["overall"];
    let c = &report.overall.counts;
    let same = o["agent"].as_u64() == Some(c.answered)
        && o["hang_queue"].as_u64() == Some(c.abandoned_queue)
        && o["agent_le_t"].as_u64() == Some(c.answered_within_t)
        && o["hang_queue_short"].as_u64() == Some(c.abandoned_queue_short)
        && o["hang_ivr"].as_u64() == Some(c.abandoned_ivr)
        && o["wait_agent"].as_u64() == Some(report.overall.asa[0].numerator as u64)
        && o["talk_median"].as_f64() == report.overall.talk.median_served;
    println!(
        "duckdb {} ({} threads): best query {:.3} s (process {:.3} s) → {:.1} M records/s; same figures: {}",
        v["duckdb"].as_str().unwrap_or("?"),
        v["threads"],
        dq,
        dw,
        records as f64 / dq / 1e6,
        if same { "yes" } else { "NO" }
    );
    println!(
        "ratio: cscaudit is {:.2}× the speed of DuckDB (query time; {:.2}× against DuckDB's whole process)",
        dq / best,
        dw / best
    );
    if !same {
        println!("duckdb overall: {o}");
    }
}
