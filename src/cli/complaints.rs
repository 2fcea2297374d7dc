//! `metrics --source complaints`: a complaint log's figures — how many, by
//! channel, decided in time against the complaint clock, the oldest open,
//! the rate per 10,000 contacts — and, with `--record`, the indicator's value.

use super::args::MetricsArgs;
use super::output::*;
use super::{CliError, Context, Result};
use crate::analytics::complaints::{self, Clock, ComplaintFigures, ComplaintMapping, Params};
use crate::config::Lang;
use std::io::Write;

pub fn complaints(ctx: &Context, a: MetricsArgs) -> Result<()> {
    let lang = ctx.lang;
    let mut mapping = super::sources::layout(&a, "generic, cfpb", complaints::builtin, ComplaintMapping::parse)?;
    if let Some(e) = super::sources::encoding(&a)? {
        mapping.encoding = Some(e);
    }
    let days = days(&a.days)?;
    let as_of = date_arg(&a.as_of, "--as-of")?.unwrap_or_else(|| jiff::Zoned::now().date());
    let params = Params {
        clock: Clock {
            limit: days[0],
            extended: days[1],
            approved: days[2],
            as_of,
        },
        from: date_arg(&a.from, "--from")?,
        to: date_arg(&a.to, "--to")?,
        handled: a.handled,
    };
    if let (Some(from), Some(to)) = (params.from, params.to)
        && from > to
    {
        return Err(CliError(crate::msg!(
            "--from {from} is after --to {to}",
            "--from {from} 晚于 --to {to}"
        )));
    }
    super::metrics::check_files(&a.files)?;
    let figures = complaints::read(&a.files, &mapping, &params).map_err(|e| super::sources::read_error(&a, e))?;
    let recorded = super::sources::record(ctx, &a, || crate::app::sources::complaint_figures(&figures))?;
    if a.json {
        return print_json(&figures);
    }
    let mut o = out();
    print_text(&mut o, &figures, lang)?;
    super::sources::print_recorded(&mut o, recorded, lang)
}

/// `--days 15,30,60`: three increasing day counts.
fn days(s: &str) -> Result<[u32; 3]> {
    let parts: Vec<Option<u32>> = s.split(',').map(|p| p.trim().parse().ok()).collect();
    match parts.as_slice() {
        [Some(a), Some(b), Some(c)] if 0 < *a && a <= b && b <= c => Ok([*a, *b, *c]),
        _ => {
            let s = crate::text::visible(s).into_owned();
            Err(CliError(crate::msg!(
                "--days `{s}` must be three increasing day counts, e.g. 15,30,60",
                "--days `{s}` 必须是三个递增的天数，如 15,30,60"
            )))
        }
    }
}

fn print_text(o: &mut impl Write, f: &ComplaintFigures, lang: Lang) -> Result<()> {
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let pct = |n: u64, d: u64| {
        if d == 0 {
            "—".to_string()
        } else {
            format!("{:.2} %", 100.0 * n as f64 / d as f64)
        }
    };
    let [lim, ext, appr] = f.limits_days;
    writeln!(o, "{}", l("Complaints", "投诉"))?;
    for file in &f.read.files {
        writeln!(o, "  {}  sha256 {}  ({} bytes)", file.path, file.sha256, file.bytes)?;
    }
    let rows: Vec<(String, String)> = vec![
        (l("complaints", "投诉量").into(), f.complaints.to_string()),
        (
            l("handled in time", "及时处理").into(),
            format!(
                "{} / {} {}  {}",
                f.timely,
                f.decided,
                l("decided", "已判定"),
                pct(f.timely, f.decided)
            ),
        ),
        (
            l("open", "未办结").into(),
            if f.overdue_open + f.pending > 0 {
                format!(
                    "{}  ({} {}, {} {}, {} {})",
                    f.open,
                    f.overdue_open,
                    l("past their days", "已超期"),
                    f.pending,
                    l("within them", "期限内"),
                    l("as of", "截至"),
                    f.as_of
                )
            } else {
                f.open.to_string()
            },
        ),
    ];
    let mut rows = rows;
    // Only a log with close dates says how long they took.
    if f.closed_dated > 0 {
        rows.push((
            format!("{} ≤{lim}/{ext}/{appr} {}", l("closed", "办结于"), l("d", "天内")),
            format!(
                "{} / {} / {} {} {}",
                f.within_limit,
                f.within_extended,
                f.within_approved,
                l("of", "／共"),
                f.closed_dated
            ),
        ));
    }
    for (k, v) in rows {
        writeln!(o, "  {}  {v}", crate::text::fit(&k, 24))?;
    }
    if let Some(old) = &f.oldest_open {
        let id = old.id.as_deref().map(|i| format!(" #{i}")).unwrap_or_default();
        writeln!(
            o,
            "  {}  {}{id}  ({} {})",
            crate::text::fit(l("oldest open", "最早未办结"), 24),
            old.received,
            old.age_days,
            l("days", "天")
        )?;
    }
    match (f.rate_per_10k, f.handled) {
        (None, Some(0)) => writeln!(
            o,
            "  {}  {}",
            crate::text::fit(l("per 10,000 contacts", "每万次服务投诉量"), 24),
            l(
                "— (--handled 0: no contacts to divide by)",
                "—（--handled 0：服务总量为零）"
            )
        )?,
        (Some(r), Some(h)) => writeln!(
            o,
            "  {}  {r:.2}  ({} {h})",
            crate::text::fit(l("per 10,000 contacts", "每万次服务投诉量"), 24),
            l("of", "服务总量")
        )?,
        _ => writeln!(
            o,
            "  {}  {}",
            crate::text::fit(l("per 10,000 contacts", "每万次服务投诉量"), 24),
            l("— (give --handled N)", "—（请给出 --handled N）")
        )?,
    }
    for (label, map) in [
        (l("by channel", "按渠道"), &f.by_channel),
        (l("by category", "按类别"), &f.by_category),
    ] {
        if map.is_empty() {
            continue;
        }
        writeln!(
            o,
            "  {}  {}",
            crate::text::fit(label, 24),
            super::sources::top(map, 8, lang, |n| *n, |k, n| format!("{k} {n}"))
        )?;
    }
    super::sources::print_tail(o, f.out_of_range, f.read.malformed, &f.read.bad, &f.read.warnings, lang)
}
