//! `metrics`: service figures computed from call-record files.

use super::args::MetricsArgs;
use super::output::*;
use super::{CliError, Context, Result};
use crate::analytics::calls::Mapping;
use crate::analytics::metrics::{self, Figure, Figures, Format, MetricsReport, Params};
use crate::app::MetricTarget;
use crate::config::Lang;
use crate::text::{fit, fit_right};
use std::io::{IsTerminal, Write};

fn ymd(d: jiff::civil::Date) -> u32 {
    (d.year() as u32) * 10000 + (d.month() as u32) * 100 + d.day() as u32
}

pub fn metrics(ctx: &Context, a: MetricsArgs) -> Result<()> {
    if !super::sources::SOURCES.contains(&a.source.as_str()) {
        let other = crate::text::visible(&a.source).into_owned();
        let all = super::sources::SOURCES.join(", ");
        return Err(CliError(crate::msg!(
            "--source `{other}` must be one of {all}",
            "--source `{other}` 必须是 {all} 之一"
        )));
    }
    super::sources::check_options(&a)?;
    match a.source.as_str() {
        "complaints" => return super::complaints::complaints(ctx, a),
        "survey" => return super::sources::survey(ctx, a),
        "sessions" => return super::sources::sessions(ctx, a),
        "recordings" => return super::sources::recordings(ctx, a),
        "outages" => return super::sources::outages(ctx, a),
        "agent-states" => return super::sources::agent_states(ctx, a),
        _ => {}
    }
    let format = match a.format.as_deref().unwrap_or("anonymous-bank") {
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
            let mut mapping = Mapping::parse(&src, &path.display().to_string()).map_err(|e| same(e.to_string()))?;
            if let Some(enc) = &a.encoding {
                crate::analytics::calls::encoding_named(Some(enc)).map_err(same)?;
                mapping.encoding = Some(enc.clone());
            }
            Format::Csv(Box::new(mapping))
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
    check_files(&a.files)?;
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
        true
    };
    // With --record, the app's use case computes, keeps the JSON as evidence
    // and records; without, the figures are only computed and shown.
    let (report, json, recorded) = match &a.record {
        Some(target) => {
            let app = ctx.open(&ctx.paths.data_dir)?;
            let eng = app.resolve_engagement(a.engagement.as_deref())?;
            let target = if target == "all" {
                MetricTarget::All
            } else {
                MetricTarget::One(target.clone())
            };
            let run = app.measure_and_record(&eng.id, target, &a.files, &format, &params, &progress)?;
            if let Some(w) = app.metrics_outside_period(&eng.id, &run.report)? {
                eprintln!("{}: {}", ctx.lang.pick("warning", "警告"), w.get(ctx.lang));
            }
            let lines = run
                .recorded
                .iter()
                .map(|s| {
                    format!(
                        "{} {} {} = {}",
                        ctx.lang.pick("recorded", "已记录"),
                        eng.id,
                        s.indicator,
                        s.measured.map(|m| format!("{m:.2}")).unwrap_or_default()
                    )
                })
                .collect();
            (run.report, run.json, lines)
        }
        None => {
            let catalog = crate::config::embedded_catalog();
            let report = metrics::compute(&a.files, &format, &params, Some(&catalog), &progress).map_err(same)?;
            let json = serde_json::to_vec_pretty(&report).map_err(|e| same(e.to_string()))?;
            (report, json, Vec::<String>::new())
        }
    };
    if show_progress {
        eprint!("\r\x1b[K");
    }
    let mut o = out();
    if a.json {
        // Already JSON: escape what could act on a terminal, then print as is.
        let text = String::from_utf8_lossy(&json);
        let mut raw = std::io::stdout().lock();
        writeln!(raw, "{}", crate::text::json_inert(&text))?;
    } else {
        render(&mut o, &report, ctx.lang, !a.summary)?;
    }
    for line in recorded {
        if a.json {
            eprintln!("{line}");
        } else {
            writeln!(o, "{line}")?;
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
        writeln!(o, "  {} {}", fit(name, 34), fit_right(&crate::text::thousands(v), 12))?;
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

/// Every file given is a regular file (a folder, a FIFO or a missing file is
/// refused before anything is read).
pub(super) fn check_files(files: &[std::path::PathBuf]) -> Result<()> {
    for f in files {
        let shown = crate::text::visible(&f.display().to_string()).into_owned();
        match std::fs::metadata(f) {
            Ok(m) if m.is_file() => {}
            Ok(m) if m.is_dir() => {
                return Err(CliError(crate::msg!(
                    "{shown} is a folder; give the record files in it (e.g. {shown}/*.csv)",
                    "{shown} 是文件夹；请给出其中的记录文件（如 {shown}/*.csv）"
                )));
            }
            Ok(_) => {
                return Err(CliError(crate::msg!(
                    "{shown} is not a regular file (a FIFO or device?)",
                    "{shown} 不是普通文件（FIFO 或设备？）"
                )));
            }
            Err(_) => return Err(CliError(crate::msg!("{shown}: no such file", "{shown}：文件不存在"))),
        }
    }
    Ok(())
}
