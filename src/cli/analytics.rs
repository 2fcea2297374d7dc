//! `cscaudit metrics` and `cscaudit sample`.

use super::args::{MetricsArgs, SampleCmd, SizeArgs};
use super::{CliError, Ctx, Result, date_arg, out, same};
use crate::analytics::metrics::{self, Figure, Figures, Format, MetricsReport, Params};
use crate::analytics::{aql, calls::Mapping, sampling};
use crate::config::Lang;
use crate::model::catalog::Catalog;
use crate::text::{fit, fit_right};
use std::io::{IsTerminal, Write};

fn ymd(d: jiff::civil::Date) -> u32 {
    (d.year() as u32) * 10000 + (d.month() as u32) * 100 + d.day() as u32
}

pub fn metrics(ctx: &Ctx, a: MetricsArgs) -> Result<()> {
    let format = match a.format.as_str() {
        "anonymous-bank" => {
            if a.map.is_some() {
                return Err(CliError(crate::msg!(
                    "--map goes with --format csv",
                    "--map 只能与 --format csv 一起使用"
                )));
            }
            Format::AnonymousBank
        }
        "csv" | "tsv" => {
            let path = a.map.as_ref().ok_or_else(|| {
                CliError(crate::msg!(
                    "--format csv needs --map MAPPING.toml",
                    "--format csv 需要 --map 映射文件"
                ))
            })?;
            let src = std::fs::read_to_string(path).map_err(|e| same(format!("{}: {e}", path.display())))?;
            Format::Csv(Box::new(
                Mapping::parse(&src, &path.display().to_string()).map_err(|e| same(e.to_string()))?,
            ))
        }
        other => {
            return Err(CliError(crate::msg!(
                "--format `{other}` must be anonymous-bank or csv",
                "--format `{other}` 必须是 anonymous-bank 或 csv"
            )));
        }
    };
    let params = Params {
        threshold_s: a.threshold,
        short_abandon_s: a.short_abandon,
        from: date_arg(&a.from, "--from")?.map(ymd),
        to: date_arg(&a.to, "--to")?.map(ymd),
    };
    for f in &a.files {
        if !f.is_file() {
            let f = f.display();
            return Err(CliError(crate::msg!("{f}: no such file", "{f}：文件不存在")));
        }
    }
    let total: u64 = a.files.iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum();
    let show_progress = std::io::stderr().is_terminal() && total > 64 << 20;
    let last = std::sync::Mutex::new(std::time::Instant::now());
    let progress = |done: u64| {
        if show_progress
            && let Ok(mut t) = last.lock()
            && t.elapsed().as_millis() > 300
        {
            *t = std::time::Instant::now();
            eprint!(
                "\r{} {:.0}% ({} MiB)",
                ctx.lang.pick("reading", "读取中"),
                done as f64 * 100.0 / total.max(1) as f64,
                done >> 20
            );
        }
    };
    let catalog = Catalog::embedded();
    let report = metrics::compute(&a.files, &format, &params, Some(&catalog), &progress).map_err(same)?;
    if show_progress {
        eprint!("\r\x1b[K");
    }
    let json = serde_json::to_vec_pretty(&report).map_err(|e| same(e.to_string()))?;
    let mut o = out();
    if a.json {
        o.write_all(&json)?;
        writeln!(o)?;
    } else {
        render(&mut o, &report, ctx.lang, !a.summary)?;
    }
    if let Some(target) = a.record {
        let app = ctx.open(&ctx.paths.data_dir)?;
        let eng = app.resolve_engagement(a.engagement.as_deref())?;
        let cat = app.catalog_for(&eng)?;
        let targets: Vec<String> = if target == "all" {
            cat.indicators
                .iter()
                .filter(|i| {
                    i.metric.is_some()
                        && report
                            .overall
                            .find(i.metric.as_deref().unwrap_or(""), i.variant.as_deref())
                            .is_some()
                })
                .map(|i| i.id.clone())
                .collect()
        } else {
            vec![target]
        };
        for ind in targets {
            let s = app.record_metric(&eng.id, &ind, &report, &json)?;
            let out_line = format!(
                "{} {} {} = {}",
                ctx.lang.pick("recorded", "已记录"),
                eng.id,
                ind,
                s.measured.map(|m| format!("{m:.2}")).unwrap_or_default()
            );
            if a.json {
                eprintln!("{out_line}");
            } else {
                writeln!(o, "{out_line}")?;
            }
        }
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.2}%", x * 100.0)).unwrap_or_else(|| "-".into())
}
fn secs(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1} s")).unwrap_or_else(|| "-".into())
}

fn figure_line(o: &mut dyn Write, f: &Figure, percent: bool) -> std::io::Result<()> {
    writeln!(
        o,
        "  {} {} {}  {}",
        fit(f.variant, 16),
        fit_right(&if percent { pct(f.value) } else { secs(f.value) }, 9),
        fit_right(&format!("{}/{}", f.numerator, f.denominator), 17),
        f.formula
    )
}

pub fn render(o: &mut dyn Write, r: &MetricsReport, lang: Lang, tables: bool) -> std::io::Result<()> {
    let l = |en, zh| lang.pick(en, zh);
    for i in &r.inputs {
        writeln!(
            o,
            "{} {}  ({} {}, {} B)",
            l("Input", "输入"),
            i.path,
            i.format,
            i.rows,
            i.bytes
        )?;
        writeln!(o, "  sha256 {}", i.sha256)?;
        if i.out_of_range > 0 {
            writeln!(
                o,
                "  {} {}",
                i.out_of_range,
                l("rows outside the date range", "行不在日期范围内")
            )?;
        }
        if i.malformed > 0 {
            writeln!(
                o,
                "  {} {} ({}):",
                i.malformed,
                l("malformed rows", "行格式错误"),
                l("first shown", "仅显示前几行")
            )?;
            for b in &i.bad_rows {
                writeln!(o, "    {} {}: {}", l("line", "第"), b.line, b.reason)?;
            }
        }
    }
    writeln!(
        o,
        "{}: T = {} s ({} ≤ T), τ = {} s",
        l("Parameters", "参数"),
        r.params.threshold_s,
        l("within means", "“以内”指"),
        r.params.short_abandon_s
    )?;
    let f = &r.overall;
    let c = &f.counts;
    writeln!(o, "\n{}", l("Calls", "呼叫量"))?;
    for (name, v) in [
        (l("records", "记录"), c.records),
        (l("ignored (phantom)", "剔除（无效呼叫）"), c.ignored),
        (l("offered to agents  A + Ab", "进入人工队列  A + Ab"), c.offered),
        (l("answered  A", "人工接听  A"), c.answered),
        (l("  of which never queued", "  其中未排队"), c.answered_without_queue),
        (l("answered within T  A≤T", "T 秒内接听  A≤T"), c.answered_within_t),
        (l("abandoned in queue  Ab", "排队中放弃  Ab"), c.abandoned_queue),
        (l("  short abandons  Ab≤τ", "  短时放弃  Ab≤τ"), c.abandoned_queue_short),
        (l("  within T  Ab≤T", "  T 秒内放弃  Ab≤T"), c.abandoned_queue_within_t),
        (
            l("abandoned in IVR (not offered)", "IVR 中挂断（未进入人工）"),
            c.abandoned_ivr,
        ),
    ] {
        writeln!(o, "  {} {}", fit(name, 34), fit_right(&c_fmt(v), 12))?;
    }
    writeln!(o, "\n{}", l("Service level", "服务水平"))?;
    for x in &f.service_level {
        figure_line(o, x, true)?;
    }
    writeln!(o, "{}", l("Average speed of answer", "平均应答速度"))?;
    for x in &f.asa {
        figure_line(o, x, false)?;
    }
    writeln!(o, "{}", l("Abandonment", "放弃率"))?;
    for x in &f.abandonment {
        figure_line(o, x, true)?;
    }
    writeln!(o, "{}", l("Answer rate (人工接通率)", "人工接通率"))?;
    for x in &f.answer_rate {
        figure_line(o, x, true)?;
    }
    writeln!(o, "{}", l("Waiting and talk", "等待与通话"))?;
    figure_line(o, &f.mean_wait_abandoned, false)?;
    writeln!(
        o,
        "  {}: {} {}, {} {}, p90 {}  ({}: {})",
        l("talk time", "通话时长"),
        l("mean", "均值"),
        secs(f.talk.mean_served),
        l("median", "中位数"),
        secs(f.talk.median_served),
        secs(f.talk.p90_served),
        l("mean over all answered", "全部接听均值"),
        secs(f.talk.mean_answered)
    )?;
    if !r.catalog.is_empty() {
        writeln!(o, "\n{}", l("Catalogue indicators use", "目录指标采用的口径"))?;
        for link in &r.catalog {
            let v = if r
                .overall
                .find(&link.metric, link.variant.as_deref())
                .is_some_and(|f| f.metric == "asa")
            {
                secs(link.value)
            } else {
                pct(link.value)
            };
            writeln!(
                o,
                "  {} ← {} {} = {}",
                fit(&link.indicator, 6),
                link.metric,
                link.variant.as_deref().unwrap_or(""),
                v
            )?;
        }
    }
    if tables {
        let head = |o: &mut dyn Write, first: &str| {
            writeln!(
                o,
                "  {} {} {} {} {} {} {}",
                fit(first, 10),
                fit_right(l("offered", "进线"), 8),
                fit_right(l("answered", "接听"), 8),
                fit_right("SL-neg", 8),
                fit_right("SL-ignore", 9),
                fit_right("ASA", 8),
                fit_right(l("abandon", "放弃率"), 8)
            )
        };
        let row = |o: &mut dyn Write, key: &str, f: &Figures| {
            let sl = |v: &str| pct(f.find("service_level", Some(v)).and_then(|x| x.value));
            writeln!(
                o,
                "  {} {} {} {} {} {} {}",
                fit(key, 10),
                fit_right(&f.counts.offered.to_string(), 8),
                fit_right(&f.counts.answered.to_string(), 8),
                fit_right(&sl("sl-neg"), 8),
                fit_right(&sl("sl-ignore"), 9),
                fit_right(&secs(f.asa[0].value), 8),
                fit_right(&pct(f.abandonment[0].value), 8)
            )
        };
        writeln!(o, "\n{}", l("By day", "按日"))?;
        head(o, l("date", "日期"))?;
        for d in &r.by_day {
            row(o, &d.date, &d.figures)?;
        }
        writeln!(o, "\n{}", l("By hour of arrival", "按进线小时"))?;
        head(o, l("hour", "小时"))?;
        for h in &r.by_hour {
            row(o, &format!("{:02}:00", h.hour), &h.figures)?;
        }
    }
    Ok(())
}

fn c_fmt(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn sample(ctx: &Ctx, c: SampleCmd) -> Result<()> {
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
            let rows = read_frame(&bytes, plain, id_column.as_deref(), strata.as_deref())
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

fn read_frame(
    bytes: &[u8],
    plain: bool,
    id_col: Option<&str>,
    strata: Option<&str>,
) -> std::result::Result<Vec<(String, Option<String>)>, String> {
    if plain {
        if strata.is_some() {
            return Err("--strata needs a CSV frame with a header".into());
        }
        let text = std::str::from_utf8(bytes).map_err(|_| "the frame is not UTF-8 text".to_string())?;
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| (l.to_string(), None))
            .collect());
    }
    let delim = if bytes.split(|&b| b == b'\n').next().is_some_and(|h| h.contains(&b'\t')) {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).from_reader(bytes);
    let header = rdr.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                format!(
                    "no column `{name}` in the header ({})",
                    header.iter().collect::<Vec<_>>().join(", ")
                )
            })
    };
    let id = match id_col {
        Some(c) => col(c)?,
        None => 0,
    };
    let st = strata.map(col).transpose()?;
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("row {}: {e}", i + 2))?;
        let v = rec.get(id).unwrap_or("").trim().to_string();
        if v.is_empty() {
            return Err(format!("row {} has an empty id", i + 2));
        }
        rows.push((v, st.and_then(|s| rec.get(s)).map(|s| s.trim().to_string())));
    }
    Ok(rows)
}

fn size(ctx: &Ctx, o: &mut dyn Write, a: SizeArgs) -> Result<()> {
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
