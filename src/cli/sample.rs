//! `sample`: sample sizes, evaluation and reproducible draws.

use super::args::{SampleCmd, SizeArgs};
use super::output::*;
use super::{CliError, Context, Result};
use crate::analytics::{aql, sampling};
use crate::text::fit;
use std::io::Write;

pub fn sample(ctx: &Context, c: SampleCmd) -> Result<()> {
    let mut o = out();
    let err = |e: sampling::SamplingError| same(e.to_string());
    match c {
        SampleCmd::Size(a) => size(ctx, &mut o, a)?,
        SampleCmd::Evaluate {
            n,
            deviations,
            risk,
            json,
        } => {
            let e = sampling::evaluate(n, deviations, risk).map_err(err)?;
            if json {
                writeln!(
                    o,
                    "{}",
                    serde_json::to_string_pretty(&e).map_err(|e| same(e.to_string()))?
                )?;
            } else {
                writeln!(
                    o,
                    "{}: {:.2}% ({} {:.1}%); {}: {:.2}%",
                    ctx.lang.pick("upper deviation limit", "偏差率上限"),
                    e.upper_limit * 100.0,
                    ctx.lang.pick("tables print", "表值"),
                    e.upper_limit_percent_table,
                    ctx.lang.pick("sample deviation rate", "样本偏差率"),
                    e.sample_rate * 100.0
                )?;
            }
        }
        SampleCmd::Draw {
            frame,
            n,
            seed,
            id_column,
            strata,
            plain,
            json,
        } => {
            let bytes = std::fs::read(&frame).map_err(|e| same(format!("{}: {e}", frame.display())))?;
            let rows = sampling::read_frame(&bytes, plain, id_column.as_deref(), strata.as_deref())
                .map_err(|e| same(format!("{}: {e}", frame.display())))?;
            let seed = seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_000)
            });
            let d = sampling::draw(&rows, &bytes, n, seed, strata.as_deref()).map_err(err)?;
            if json {
                writeln!(
                    o,
                    "{}",
                    serde_json::to_string_pretty(&d).map_err(|e| same(e.to_string()))?
                )?;
            } else {
                writeln!(
                    o,
                    "seed {}  frame sha256 {}  ({} {})",
                    d.seed,
                    d.frame_sha256,
                    d.frame_size,
                    ctx.lang.pick("rows", "行")
                )?;
                writeln!(
                    o,
                    "{} cscaudit sample draw --frame {} --n {} --seed {}{}",
                    ctx.lang.pick("redraw:", "复现："),
                    frame.display(),
                    n,
                    d.seed,
                    strata.as_deref().map(|s| format!(" --strata {s}")).unwrap_or_default()
                )?;
                if d.strata.is_some() {
                    for (k, (pop, take)) in &d.allocation {
                        writeln!(o, "  {} {take}/{pop}", fit(k, 16))?;
                    }
                }
                for (row, id) in &d.selected {
                    writeln!(o, "{row}\t{id}")?;
                }
            }
        }
    }
    Ok(())
}

fn size(ctx: &Context, o: &mut dyn Write, a: SizeArgs) -> Result<()> {
    let err = |e: sampling::SamplingError| same(e.to_string());
    let need = |v: Option<f64>, flag: &str| {
        v.ok_or_else(|| {
            let m = &a.method;
            CliError(crate::msg!("--method {m} needs {flag}", "--method {m} 需要 {flag}"))
        })
    };
    let (n, detail) = match a.method.as_str() {
        "attribute" => {
            let tdr = need(a.tolerable, "--tolerable")?;
            let n = sampling::attribute_size(a.risk, tdr, a.expected).map_err(err)?;
            (n, format!("β={} TDR={} EPDR={}", a.risk, tdr, a.expected))
        }
        "hypergeometric" => {
            let tdr = need(a.tolerable, "--tolerable")?;
            let pop = a.population.ok_or_else(|| {
                CliError(crate::msg!(
                    "--method hypergeometric needs --population",
                    "--method hypergeometric 需要 --population"
                ))
            })?;
            let n = sampling::hypergeometric_size(pop, a.risk, tdr, a.accept).map_err(err)?;
            (n, format!("N={pop} β={} TDR={} k={}", a.risk, tdr, a.accept))
        }
        "proportion" => {
            let margin = need(a.margin, "--margin")?;
            let n = sampling::proportion_size(a.confidence, margin, a.p, a.population).map_err(err)?;
            (
                n,
                format!(
                    "confidence={} E={} p={}{}",
                    a.confidence,
                    margin,
                    a.p,
                    a.population.map(|p| format!(" N={p}")).unwrap_or_default()
                ),
            )
        }
        "aql" => {
            let lot = a
                .lot
                .ok_or_else(|| CliError(crate::msg!("--method aql needs --lot", "--method aql 需要 --lot")))?;
            let q = need(a.aql, "--aql")?;
            let plan = aql::plan(lot, &a.level, q).map_err(same)?;
            if a.json {
                writeln!(
                    o,
                    "{}",
                    serde_json::to_string_pretty(&plan).map_err(|e| same(e.to_string()))?
                )?;
                return Ok(());
            }
            writeln!(
                o,
                "n = {}  Ac {} Re {}   ({} {} → {}{}; GB/T 2828.1 {} {}, AQL {})",
                plan.sample_size,
                plan.accept,
                plan.reject,
                ctx.lang.pick("code letter", "样本量字码"),
                plan.code_letter,
                plan.plan_letter,
                if plan.arrows_followed.is_empty() {
                    String::new()
                } else {
                    format!(" {}", plan.arrows_followed.iter().collect::<String>())
                },
                ctx.lang.pick("level", "检验水平"),
                plan.level,
                plan.aql
            )?;
            if plan.hundred_percent {
                writeln!(
                    o,
                    "{}",
                    ctx.lang
                        .pick("the sample is the whole lot: inspect 100%", "样本量不小于批量：全检")
                )?;
            }
            return Ok(());
        }
        other => {
            return Err(CliError(crate::msg!(
                "--method `{other}` must be attribute, hypergeometric, proportion or aql",
                "--method `{other}` 必须是 attribute、hypergeometric、proportion 或 aql"
            )));
        }
    };
    if a.json {
        writeln!(
            o,
            "{}",
            serde_json::json!({ "method": a.method, "n": n, "parameters": detail })
        )?;
    } else {
        writeln!(o, "n = {n}   ({} {detail})", a.method)?;
    }
    Ok(())
}
