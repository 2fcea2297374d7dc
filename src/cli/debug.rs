//! The hidden `debug` command: commit streams for crash tests, a store check.

use super::args::*;
use super::output::*;
use super::{Context, Result};
use std::io::Write;

pub(super) fn debug(ctx: &Context, c: DebugCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    match c {
        DebugCmd::CommitStream { n, timing } => {
            let mut o = out();
            let mut lat = Vec::with_capacity(n as usize);
            // Continue from the stored counter, so repeated runs (and kills) build one log.
            let start = app.stream_counter()?;
            for k in start + 1..=start + n {
                let t = std::time::Instant::now();
                app.stream_commit(k)?;
                lat.push(t.elapsed());
                writeln!(o, "committed {k}")?;
                o.flush()?;
            }
            if timing && !lat.is_empty() {
                lat.sort();
                let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
                writeln!(
                    o,
                    "commit latency ms: p50 {:.3} p90 {:.3} p99 {:.3} max {:.3}",
                    p(0.5),
                    p(0.9),
                    p(0.99),
                    p(1.0)
                )?;
            }
        }
        DebugCmd::Check => {
            let (ops, records) = app.check_store()?;
            let mut o = out();
            writeln!(o, "ok: {} ops, {} records", ops, records)?;
        }
    }
    Ok(())
}
