//! `metrics --source survey|sessions|recordings`: the figures of the centre's
//! other records, and with `--record` the indicator's value. What every
//! source shares (the layout by --format/--map, which options go with which
//! source, the bad rows and notes) is here too.

use super::args::MetricsArgs;
use super::output::*;
use super::{CliError, Context, Result};
use crate::analytics::records::{BadRow, SourceFile};
use crate::analytics::{agentstates, outages, recordings, sessions, survey};
use crate::app::sources::SourceFigures;
use crate::config::Lang;
use std::io::Write;

/// The sources `metrics` reads.
pub const SOURCES: &[&str] = &[
    "calls",
    "complaints",
    "survey",
    "sessions",
    "recordings",
    "outages",
    "agent-states",
];

/// Refuse an option given with a source it does not go with.
pub fn check_options(a: &MetricsArgs) -> Result<()> {
    let table: [(bool, &str, &[&str]); 15] = [
        (a.threshold != 20, "--threshold", &["calls"]),
        (a.short_abandon != 5, "--short-abandon", &["calls"]),
        (a.summary, "--summary", &["calls"]),
        (a.handled.is_some(), "--handled", &["complaints", "survey"]),
        (a.as_of.is_some(), "--as-of", &["complaints", "sessions"]),
        (a.days != "15,30,60", "--days", &["complaints"]),
        (a.scale.is_some(), "--scale", &["survey"]),
        (a.satisfied.is_some(), "--satisfied", &["survey"]),
        (a.reply_within.is_some(), "--reply-within", &["sessions"]),
        (a.handle_within.is_some(), "--handle-within", &["sessions"]),
        (a.repeat_within.is_some(), "--repeat-within", &["sessions"]),
        (!a.calls.is_empty(), "--calls", &["recordings"]),
        (a.service_hours.is_some(), "--service-hours", &["outages"]),
        (a.schedule.is_some(), "--schedule", &["agent-states"]),
        (
            a.from.is_some() || a.to.is_some(),
            "--from/--to",
            &["calls", "complaints", "survey", "sessions", "outages", "agent-states"],
        ),
    ];
    for (given, flag, with) in table {
        if given && !with.contains(&a.source.as_str()) {
            let with = with.join(", ");
            return Err(CliError(crate::msg!(
                "{flag} goes with --source {with}",
                "{flag} 只能与 --source {with} 一起使用"
            )));
        }
    }
    Ok(())
}

/// A source's layout: built in by --format, or a mapping file (--map, or a
/// --format ending in .toml).
pub fn layout<M>(
    a: &MetricsArgs,
    names: &str,
    builtin: impl Fn(&str) -> Option<M>,
    parse: impl Fn(&str, &str) -> std::result::Result<M, crate::config::ConfigError>,
) -> Result<M> {
    let file = |path: &std::path::Path| -> Result<M> {
        let src = std::fs::read_to_string(path).map_err(|e| same(format!("{}: {e}", path.display())))?;
        parse(&src, &path.display().to_string()).map_err(|e| same(e.to_string()))
    };
    let name = match (a.format.as_deref(), &a.map) {
        (Some(_), Some(_)) => {
            return Err(CliError(crate::msg!(
                "give --format or --map, not both",
                "--format 与 --map 只能给出一个"
            )));
        }
        (None, Some(path)) => return file(path),
        (Some(f), None) if f.ends_with(".toml") => return file(std::path::Path::new(f)),
        (f, None) => f.unwrap_or("generic"),
    };
    builtin(name).ok_or_else(|| {
        let (name, source) = (crate::text::visible(name).into_owned(), &a.source);
        CliError(crate::msg!(
            "--format `{name}` for {source} must be {names} or a MAPPING.toml",
            "{source} 的 --format `{name}` 必须是 {names} 或映射文件 MAPPING.toml"
        ))
    })
}

/// The --encoding given, checked (it overrides the layout's).
pub fn encoding(a: &MetricsArgs) -> Result<Option<String>> {
    if let Some(enc) = &a.encoding {
        crate::analytics::calls::encoding_named(Some(enc)).map_err(same)?;
    }
    Ok(a.encoding.clone())
}

/// A reading error: with --record, said to have recorded nothing.
pub fn read_error(a: &MetricsArgs, e: String) -> CliError {
    let e = crate::text::visible(&e).into_owned();
    if a.record.is_some() {
        CliError(crate::msg!("nothing was recorded: {e}", "未记录任何内容：{e}"))
    } else {
        same(e)
    }
}

/// Record `figures` into the indicator --record names (never `all`: a
/// source's figures are not every indicator's).
pub fn record<'f>(
    ctx: &Context,
    a: &MetricsArgs,
    figures: impl FnOnce() -> crate::app::Result<SourceFigures<'f>>,
) -> Result<Option<(String, Option<f64>)>> {
    let Some(ind) = &a.record else { return Ok(None) };
    if ind == "all" {
        let source = &a.source;
        return Err(CliError(crate::msg!(
            "for --source {source}, --record names the indicator (`cscaudit catalog show ID` shows its metric)",
            "--source {source} 的 --record 需指明指标（`cscaudit catalog show 指标` 显示其度量）"
        )));
    }
    let app = ctx.open(&ctx.paths.data_dir)?;
    let eng = app.resolve_engagement(a.engagement.as_deref())?;
    let r = app.record_source(&eng.id, ind, figures()?)?;
    Ok(Some((r.indicator, r.measured)))
}

/// "Recorded X = v" under the figures.
pub fn print_recorded(o: &mut impl Write, r: Option<(String, Option<f64>)>, lang: Lang) -> Result<()> {
    if let Some((ind, m)) = r {
        let shown = m.map(|m| format!("{m:.2}")).unwrap_or_default();
        writeln!(
            o,
            "\n{} {ind} = {shown} ({})",
            lang.pick("Recorded", "已记录"),
            lang.pick("the figures are attached as evidence", "数据已作为证据附上")
        )?;
    }
    Ok(())
}

/// The files read, by hash.
pub fn print_files(o: &mut impl Write, files: &[SourceFile]) -> Result<()> {
    for file in files {
        writeln!(o, "  {}  sha256 {}  ({} bytes)", file.path, file.sha256, file.bytes)?;
    }
    Ok(())
}

/// The rows left out, the bad rows by line, and the notes.
pub fn print_tail(
    o: &mut impl Write,
    out_of_range: u64,
    malformed: u64,
    bad: &[BadRow],
    warnings: &[String],
    lang: Lang,
) -> Result<()> {
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    if out_of_range > 0 {
        writeln!(
            o,
            "  {out_of_range} {}",
            l("rows outside --from/--to", "行不在 --from/--to 范围内")
        )?;
    }
    if malformed > 0 {
        let rows = if malformed == 1 {
            l("row could not be read:", "行无法读取：")
        } else {
            l("rows could not be read:", "行无法读取：")
        };
        writeln!(o, "  {malformed} {rows}")?;
        for b in bad {
            match lang {
                Lang::Zh => writeln!(o, "    第 {} 行：{}", b.line, b.reason)?,
                Lang::En => writeln!(o, "    line {}: {}", b.line, b.reason)?,
            }
        }
    }
    for w in warnings {
        writeln!(o, "  {}{w}", l("note: ", "注意："))?;
    }
    Ok(())
}

/// The `n` largest of a count by name (largest first, then by name), and
/// how many more there are.
pub fn top<V>(
    map: &std::collections::BTreeMap<String, V>,
    n: usize,
    lang: Lang,
    count: impl Fn(&V) -> u64,
    show: impl Fn(&str, &V) -> String,
) -> String {
    let mut all: Vec<(&String, &V)> = map.iter().collect();
    all.sort_by(|a, b| count(b.1).cmp(&count(a.1)).then(a.0.cmp(b.0)));
    let mut shown: Vec<String> = all.iter().take(n).map(|(k, v)| show(k, v)).collect();
    if all.len() > n {
        let more = all.len() - n;
        shown.push(match lang {
            Lang::Zh => format!("……另有 {more} 项（--json 列出全部）"),
            Lang::En => format!("… {more} more (--json lists them all)"),
        });
    }
    shown.join(" · ")
}

/// One "label  value" line, the label padded to 24 cells.
fn line(o: &mut impl Write, label: &str, value: String) -> Result<()> {
    writeln!(o, "  {}  {value}", crate::text::fit(label, 24))?;
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.2} %"))
}

// ---------------------------------------------------------------- survey

pub fn survey(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut m = layout(&a, "generic", survey::builtin, survey::SurveyMapping::parse)?;
    if let Some(e) = encoding(&a)? {
        m.encoding = Some(e);
    }
    let mut scale = m.scale;
    if let Some(s) = &a.scale {
        let parts: Vec<Option<i64>> = s.split(['-', '–', ',']).map(|p| p.trim().parse().ok()).collect();
        match parts.as_slice() {
            [Some(lo), Some(hi)] => {
                scale.min = *lo;
                scale.max = *hi;
                // The threshold follows a new scale: its top two points.
                if a.satisfied.is_none() {
                    scale.satisfied = (*hi - 1).max(*lo);
                }
            }
            _ => {
                let s = crate::text::visible(s).into_owned();
                return Err(CliError(crate::msg!(
                    "--scale `{s}` must be MIN-MAX, e.g. 1-5 or 0-10",
                    "--scale `{s}` 必须是 最低-最高，如 1-5 或 0-10"
                )));
            }
        }
    }
    if let Some(t) = a.satisfied {
        scale.satisfied = t;
    }
    let p = survey::Params {
        scale: Some(scale),
        from: date_arg(&a.from, "--from")?,
        to: date_arg(&a.to, "--to")?,
        handled: a.handled,
    };
    super::metrics::check_files(&a.files)?;
    let f = &survey::read(&a.files, &m, &p).map_err(|e| read_error(&a, e))?;
    let recorded = record(ctx, &a, || crate::app::sources::survey_figures(f))?;
    if a.json {
        return print_json(f);
    }
    let mut o = out();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    writeln!(o, "{}", l("Satisfaction survey", "满意度调查"))?;
    print_files(&mut o, &f.read.files)?;
    line(&mut o, l("responses", "有效样本"), f.responses.to_string())?;
    let s = f.scale;
    line(
        &mut o,
        l("satisfied", "满意"),
        format!(
            "{} ({} {}–{} {} {})",
            f.satisfied,
            l("score", "评分"),
            s.satisfied,
            s.max,
            l("on", "，量表"),
            format_args!("{}–{}", s.min, s.max)
        ),
    )?;
    let ci = match (f.ci_low, f.ci_high) {
        (Some(lo), Some(hi)) => format!("  (Wilson 95%: {lo:.2}–{hi:.2} %)"),
        _ => String::new(),
    };
    line(&mut o, l("CSAT", "满意率"), format!("{}{ci}", pct(f.csat)))?;
    line(
        &mut o,
        l("mean score", "平均分"),
        f.mean_score.map_or("—".into(), |m| format!("{m:.2}")),
    )?;
    let dist: Vec<String> = f.by_score.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    line(&mut o, l("by score", "各分值"), dist.join("  "))?;
    match f.response_rate {
        Some(r) => line(
            &mut o,
            l("response rate", "参评率"),
            format!("{r:.2} %  ({} {})", l("of", "服务总量"), f.handled.unwrap_or(0)),
        )?,
        None => line(
            &mut o,
            l("response rate", "参评率"),
            l("— (give --handled N)", "—（请给出 --handled N）").into(),
        )?,
    }
    let shown = top(
        &f.by_channel,
        8,
        lang,
        |c| c.responses,
        |k, c| format!("{k} {} ({})", c.responses, pct(c.csat)),
    );
    line(&mut o, l("by channel", "按渠道"), shown)?;
    print_tail(
        &mut o,
        f.out_of_range,
        f.read.malformed,
        &f.read.bad,
        &f.read.warnings,
        lang,
    )?;
    print_recorded(&mut o, recorded, lang)
}

// ---------------------------------------------------------------- sessions

pub fn sessions(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut m = layout(&a, "generic", sessions::builtin, sessions::SessionMapping::parse)?;
    if let Some(e) = encoding(&a)? {
        m.encoding = Some(e);
    }
    let as_of = match a.as_of.as_deref() {
        None => jiff::Zoned::now().datetime(),
        Some(s) => crate::analytics::records::iso(s).ok_or_else(|| {
            let s = crate::text::visible(s).into_owned();
            CliError(crate::msg!(
                "--as-of `{s}` is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)",
                "--as-of `{s}` 不是日期（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS）"
            ))
        })?,
    };
    let p = sessions::Params {
        reply_within: a.reply_within.unwrap_or(60),
        handle_within: a.handle_within.unwrap_or(24),
        as_of,
        from: date_arg(&a.from, "--from")?,
        to: date_arg(&a.to, "--to")?,
        repeat_days: a.repeat_within.unwrap_or(7),
    };
    if p.handle_within == 0 {
        return Err(CliError(crate::msg!(
            "--handle-within must be at least 1 hour",
            "--handle-within 至少为 1 小时"
        )));
    }
    super::metrics::check_files(&a.files)?;
    let f = &sessions::read(&a.files, &m, &p).map_err(|e| read_error(&a, e))?;
    let recorded = record(ctx, &a, || crate::app::sources::session_figures(f))?;
    if a.json {
        return print_json(f);
    }
    let mut o = out();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    writeln!(o, "{}", l("Non-phone sessions", "非电话会话"))?;
    print_files(&mut o, &f.read.files)?;
    line(&mut o, l("sessions", "会话量"), f.sessions.to_string())?;
    line(
        &mut o,
        &format!("{} ≤{} s", l("first reply", "首次回复"), f.reply_within_s),
        format!("{} / {}  {}", f.first_reply_within, f.sessions, pct(f.first_reply_sl)),
    )?;
    let secs = |s: Option<u32>| s.map_or("—".into(), |s| format!("{s} s"));
    line(
        &mut o,
        l("first reply median/p90", "首次回复中位数/90%"),
        format!("{} / {}", secs(f.first_reply_median_s), secs(f.first_reply_p90_s)),
    )?;
    line(
        &mut o,
        &format!("{} ≤{} h", l("handled in time", "及时处理"), f.handle_within_h),
        format!(
            "{} / {} {}  {}",
            f.handled_in_time,
            f.decided,
            l("decided", "已判定"),
            pct(f.nonphone_timeliness)
        ),
    )?;
    line(
        &mut o,
        l("open", "未办结"),
        format!(
            "{}  ({} {}, {} {}, {} {})",
            f.open,
            f.overdue_open,
            l("past their hours", "已超时"),
            f.pending,
            l("within them", "时限内"),
            l("as of", "截至"),
            f.as_of
        ),
    )?;
    line(
        &mut o,
        l("abandoned", "放弃"),
        format!("{} / {}  {}", f.abandoned, f.sessions, pct(f.abandon_rate)),
    )?;
    if let Some(fcr) = f.fcr {
        line(
            &mut o,
            &format!(
                "{} ({} {})",
                l("first-contact resolution", "首次解决率"),
                f.repeat_days,
                l("d", "天")
            ),
            format!(
                "{fcr:.2} %  ({} {} {}, {} {})",
                f.repeat_contacts,
                l("repeats of", "次重复／共"),
                f.with_customer,
                f.customers,
                l("customers", "位客户")
            ),
        )?;
    }
    let shown = top(
        &f.by_channel,
        8,
        lang,
        |c| c.sessions,
        |k, c| format!("{k} {}", c.sessions),
    );
    line(&mut o, l("by channel", "按渠道"), shown)?;
    print_tail(
        &mut o,
        f.out_of_range,
        f.read.malformed,
        &f.read.bad,
        &f.read.warnings,
        lang,
    )?;
    print_recorded(&mut o, recorded, lang)
}

// ---------------------------------------------------------------- recordings

pub fn recordings(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut m = layout(
        &a,
        "generic, anonymous-bank",
        recordings::builtin,
        recordings::RecordingMapping::parse,
    )?;
    if let Some(e) = encoding(&a)? {
        m.index.encoding = Some(e.clone());
        m.calls.encoding = Some(e);
    }
    if a.calls.is_empty() {
        return Err(CliError(crate::msg!(
            "recording completeness needs the call records: give --calls FILE (the FILES are the recording index)",
            "录音完整率需要话单：请给出 --calls 文件（位置参数是录音索引）"
        )));
    }
    super::metrics::check_files(&a.files)?;
    super::metrics::check_files(&a.calls)?;
    let f = &recordings::read(&a.files, &a.calls, &m).map_err(|e| read_error(&a, e))?;
    let recorded = record(ctx, &a, || crate::app::sources::recording_figures(f))?;
    if a.json {
        return print_json(f);
    }
    let mut o = out();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    writeln!(o, "{}", l("Recording completeness", "录音完整率"))?;
    print_files(&mut o, &f.index_files)?;
    print_files(&mut o, &f.call_files)?;
    line(
        &mut o,
        l("recordings", "录音"),
        format!("{} ({} {})", f.recordings, f.empty_recordings, l("empty", "空录音")),
    )?;
    line(
        &mut o,
        l("answered calls", "人工接听"),
        format!("{} {} {}", f.answered, l("of", "／话单"), f.calls),
    )?;
    line(
        &mut o,
        l("with a recording", "有录音"),
        format!("{} / {}  {}", f.matched, f.answered, pct(f.completeness)),
    )?;
    if !f.unmatched_calls.is_empty() {
        line(&mut o, l("without", "无录音"), f.unmatched.to_string())?;
        for u in f.unmatched_calls.iter().take(10) {
            writeln!(o, "    {}  {}  {}", u.call, u.date, u.agent)?;
        }
        if f.unmatched > 10 {
            writeln!(
                o,
                "    {}",
                l(
                    "… (--json or --record lists them all)",
                    "……（--json 或 --record 列出全部）"
                )
            )?;
        }
    }
    print_tail(&mut o, 0, f.malformed, &f.bad, &f.warnings, lang)?;
    print_recorded(&mut o, recorded, lang)
}

// ---------------------------------------------------------------- outages

pub fn outages(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut m = layout(&a, "generic", outages::builtin, outages::OutageMapping::parse)?;
    if let Some(e) = encoding(&a)? {
        m.encoding = Some(e);
    }
    let (Some(from), Some(to)) = (date_arg(&a.from, "--from")?, date_arg(&a.to, "--to")?) else {
        return Err(CliError(crate::msg!(
            "availability is measured over a period: give --from and --to",
            "可用率按期间计算：请给出 --from 与 --to"
        )));
    };
    let (open, close) = match a.service_hours.as_deref() {
        None => (jiff::civil::Time::midnight(), None),
        Some(s) => service_hours(s)?,
    };
    let p = outages::Params { from, to, open, close };
    super::metrics::check_files(&a.files)?;
    let f = &outages::read(&a.files, &m, &p).map_err(|e| read_error(&a, e))?;
    let recorded = record(ctx, &a, || crate::app::sources::outage_figures(f))?;
    if a.json {
        return print_json(f);
    }
    let mut o = out();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let hours = |s: i64| format!("{:.2} h", s as f64 / 3600.0);
    writeln!(o, "{}", l("System availability", "系统可用率"))?;
    print_files(&mut o, &f.read.files)?;
    line(
        &mut o,
        l("scheduled service", "计划服务时间"),
        format!(
            "{}  ({} – {}, {} {})",
            hours(f.scheduled_s),
            f.from,
            f.to,
            l("daily", "每日"),
            f.service_window
        ),
    )?;
    line(
        &mut o,
        l("unplanned downtime", "非计划停机"),
        format!("{}  ({} {})", hours(f.downtime_s), f.unplanned, l("outages", "次")),
    )?;
    line(
        &mut o,
        l("planned (left out)", "计划内（不计）"),
        format!(
            "{}  ({} {})",
            hours(f.planned_downtime_s),
            f.planned,
            l("outages", "次")
        ),
    )?;
    line(
        &mut o,
        l("availability", "可用率"),
        f.availability.map_or("—".into(), |v| format!("{v:.4} %")),
    )?;
    let shown: Vec<String> = f
        .by_system_s
        .iter()
        .map(|(k, v)| format!("{k} {}", hours(*v)))
        .collect();
    if !shown.is_empty() {
        line(&mut o, l("by system", "按系统"), shown.join(" · "))?;
    }
    if let Some(x) = &f.longest {
        line(
            &mut o,
            l("longest", "最长一次"),
            format!("{} – {}  {}  {:.0} min", x.start, x.end, x.system, x.minutes),
        )?;
    }
    print_tail(&mut o, 0, f.read.malformed, &f.read.bad, &f.read.warnings, lang)?;
    print_recorded(&mut o, recorded, lang)
}

// ---------------------------------------------------------------- agent states

pub fn agent_states(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut m = layout(&a, "generic", agentstates::builtin, agentstates::AgentMapping::parse)?;
    if let Some(e) = encoding(&a)? {
        m.encoding = Some(e);
    }
    let p = agentstates::Params {
        from: date_arg(&a.from, "--from")?,
        to: date_arg(&a.to, "--to")?,
    };
    super::metrics::check_files(&a.files)?;
    if let Some(s) = &a.schedule {
        super::metrics::check_files(std::slice::from_ref(s))?;
    }
    let f = &agentstates::read(&a.files, a.schedule.as_deref(), &m, &p).map_err(|e| read_error(&a, e))?;
    let recorded = record(ctx, &a, || crate::app::sources::agent_figures(f))?;
    if a.json {
        return print_json(f);
    }
    let mut o = out();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let hours = |s: i64| format!("{:.2} h", s as f64 / 3600.0);
    let pct = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2} %"));
    writeln!(o, "{}", l("Agent states", "座席状态"))?;
    print_files(&mut o, &f.read.files)?;
    if f.from.is_some() || f.to.is_some() {
        let (a, b) = (f.from.as_deref().unwrap_or("…"), f.to.as_deref().unwrap_or("…"));
        line(&mut o, l("period", "期间"), format!("{a} – {b}"))?;
    }
    line(&mut o, l("agents", "座席数"), f.agents.to_string())?;
    line(&mut o, l("handling", "处理"), hours(f.handling_s))?;
    line(&mut o, l("available", "空闲"), hours(f.available_s))?;
    line(&mut o, l("not ready", "未就绪"), hours(f.not_ready_s))?;
    line(&mut o, l("logged in", "登录"), hours(f.logged_in_s))?;
    line(
        &mut o,
        l("occupancy", "占用率"),
        format!(
            "{}  ({})",
            pct(f.occupancy),
            l("handling ÷ (handling + available)", "处理 ÷（处理 + 空闲）")
        ),
    )?;
    line(
        &mut o,
        l("utilisation", "利用率"),
        format!("{}  ({})", pct(f.utilisation), l("handling ÷ logged in", "处理 ÷ 登录")),
    )?;
    let shown = top(
        &f.by_state_s,
        8,
        lang,
        |v| *v as u64,
        |k, v| format!("{k} {}", hours(*v)),
    );
    line(&mut o, l("by state", "按状态"), shown)?;
    if let Some(x) = &f.adherence {
        writeln!(o, "\n{}", l("Schedule adherence", "排班遵从"))?;
        print_files(&mut o, &x.schedule.files)?;
        line(
            &mut o,
            l("scheduled agents", "排班座席"),
            x.scheduled_agents.to_string(),
        )?;
        line(
            &mut o,
            l("scheduled", "排班时间"),
            format!(
                "{}  ({} {})",
                hours(x.scheduled_s),
                hours(x.on_phones_scheduled_s),
                l("on the phones", "在线接听")
            ),
        )?;
        line(&mut o, l("in adherence", "遵从时间"), hours(x.in_adherence_s))?;
        line(&mut o, l("adherence", "遵从率"), pct(x.adherence))?;
        if x.unscheduled_agents > 0 {
            line(
                &mut o,
                l("not in the schedule", "未排班座席"),
                x.unscheduled_agents.to_string(),
            )?;
        }
        let lowest: Vec<String> = x
            .lowest
            .iter()
            .take(5)
            .map(|a| format!("{} {}", a.agent, pct(a.adherence)))
            .collect();
        if !lowest.is_empty() {
            line(&mut o, l("lowest", "最低"), lowest.join(" · "))?;
        }
        print_tail(
            &mut o,
            0,
            x.schedule.malformed,
            &x.schedule.bad,
            &x.schedule.warnings,
            lang,
        )?;
    }
    print_tail(&mut o, 0, f.read.malformed, &f.read.bad, &f.read.warnings, lang)?;
    print_recorded(&mut o, recorded, lang)
}

/// `HH:MM-HH:MM` (24:00 for the day's end).
fn service_hours(s: &str) -> Result<(jiff::civil::Time, Option<jiff::civil::Time>)> {
    let bad = || {
        let s = crate::text::visible(s).into_owned();
        CliError(crate::msg!(
            "--service-hours `{s}` must be HH:MM-HH:MM closing after it opens, e.g. 08:00-20:00 or 00:00-24:00 (a window across midnight: measure it as two)",
            "--service-hours `{s}` 必须是 HH:MM-HH:MM 且结束晚于开始，如 08:00-20:00 或 00:00-24:00（跨午夜的时段请分两段计算）"
        ))
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| jiff::civil::Time::strptime("%H:%M", t.trim()).map_err(|_| bad());
    let open = time(a)?;
    let close = if b.trim() == "24:00" { None } else { Some(time(b)?) };
    if close.is_some_and(|c| c <= open) {
        return Err(bad());
    }
    Ok((open, close))
}
