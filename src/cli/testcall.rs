//! `testcall`: mystery-shopping campaigns — plan, record, list, summarise.

use super::args::TestcallCmd;
use super::output::*;
use super::{CliError, Context, Result};
use crate::app::testcall::{CallOutcome, CallSummary, CampaignPlan};
use crate::config::Lang;
use crate::model::testcall::{Measure, TestCall};
use crate::text::{fit, visible};
use std::io::Write;

/// yes/no in either language.
fn yes_no(s: &str, flag: &str) -> Result<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" | "对" => Ok(true),
        "no" | "n" | "false" | "0" | "否" | "不" => Ok(false),
        other => {
            let other = visible(other).into_owned();
            Err(CliError(crate::msg!(
                "{flag} `{other}` must be yes or no",
                "{flag} `{other}` 必须是 yes（是）或 no（否）"
            )))
        }
    }
}

fn opt_yes_no(s: Option<String>, flag: &str) -> Result<Option<bool>> {
    s.map(|s| yes_no(&s, flag)).transpose()
}

pub(super) fn testcall(ctx: &Context, c: TestcallCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let lang = ctx.lang;
    let mut o = out();
    match c {
        TestcallCmd::Plan {
            engagement,
            campaign,
            calls,
            slots,
            services,
            from,
            to,
            seed,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let seed = seed.unwrap_or_else(crate::app::testcall::draw_seed);
            let p = CampaignPlan {
                campaign,
                calls,
                slots,
                services,
                from,
                to,
                seed,
            };
            let planned = app.plan_test_calls(&eng.id, &p)?;
            if json {
                return print_json(&serde_json::json!({ "seed": seed, "calls": planned }));
            }
            let (first, last) = (
                planned.first().map_or("", |c| c.reference()),
                planned.last().map_or("", |c| c.reference()),
            );
            writeln!(
                o,
                "{}",
                match lang {
                    Lang::Zh => format!(
                        "{} 已安排测试批次 {}：{} 通电话（{first} 至 {last}），随机种子 {seed}",
                        eng.id,
                        visible(p.campaign.trim()),
                        planned.len()
                    ),
                    Lang::En => format!(
                        "{}: campaign {} planned, {} call{} ({first} to {last}), seed {seed}",
                        eng.id,
                        visible(p.campaign.trim()),
                        planned.len(),
                        if planned.len() == 1 { "" } else { "s" }
                    ),
                }
            )?;
            print_calls(&mut o, &planned, lang)?;
        }
        TestcallCmd::Record {
            id,
            engagement,
            connected,
            ivr,
            identified,
            correct,
            wait,
            at,
            notes,
            again,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let outcome = CallOutcome {
                again,
                called_at: at,
                connected: yes_no(&connected, "--connected")?,
                ivr_to_agent: opt_yes_no(ivr, "--ivr")?,
                identified: opt_yes_no(identified, "--identified")?,
                correct: opt_yes_no(correct, "--correct")?,
                wait_s: wait,
                notes,
            };
            let c = app.record_test_call(&eng.id, &id, &outcome)?;
            writeln!(
                o,
                "{} {} {}",
                lang.pick("Recorded", "已记录"),
                c.reference(),
                c.called_at.as_deref().unwrap_or("")
            )?;
        }
        TestcallCmd::List {
            engagement,
            campaign,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let calls: Vec<TestCall> = app
                .test_calls(&eng.id)?
                .into_iter()
                .filter(|c| campaign.as_deref().is_none_or(|x| c.campaign == x))
                .collect();
            if let Some(x) = campaign.as_deref()
                && calls.is_empty()
            {
                app.test_call_summary(&eng.id, Some(x))?;
            }
            if json {
                return print_json(&calls);
            }
            if calls.is_empty() {
                writeln!(
                    o,
                    "{}",
                    lang.pick(
                        "No test calls (`cscaudit testcall plan --campaign NAME --calls N --services A,B --from D --to D`).",
                        "没有测试电话（`cscaudit testcall plan --campaign 名称 --calls 数量 --services 业务1,业务2 --from 日期 --to 日期`）。"
                    )
                )?;
            }
            print_calls(&mut o, &calls, lang)?;
        }
        TestcallCmd::Summary {
            engagement,
            campaign,
            json,
            attach,
            indicator,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = app.test_call_summary(&eng.id, campaign.as_deref())?;
            let attached = if attach {
                Some(app.attach_test_call_summary(&s, indicator.as_deref())?)
            } else {
                None
            };
            if json {
                return print_json(&s);
            }
            print_summary(&mut o, &s, lang)?;
            if let Some(sha) = attached {
                writeln!(
                    o,
                    "\n{} sha256 {sha}",
                    lang.pick("Attached as evidence:", "已作为证据附上：")
                )?;
            }
        }
    }
    Ok(())
}

fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "·",
    }
}

fn print_calls(o: &mut impl Write, calls: &[TestCall], lang: Lang) -> Result<()> {
    if calls.is_empty() {
        return Ok(());
    }
    let zh = lang.is_zh();
    writeln!(
        o,
        "{}  {}  {}  {}  {}  {}",
        fit(lang.pick("call", "编号"), 8),
        fit(lang.pick("planned", "计划时间"), 16),
        fit(lang.pick("slot", "时段"), 11),
        fit(lang.pick("service", "业务"), 12),
        fit(lang.pick("made", "拨打"), 16),
        Measure::ALL
            .iter()
            .map(|m| match m {
                Measure::Connected => lang.pick("conn", "接通"),
                Measure::IvrToAgent => lang.pick("ivr", "转人工"),
                Measure::Identified => lang.pick("id", "报号"),
                Measure::Correct => lang.pick("ok", "正确"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    )?;
    let mut campaign: Option<&str> = None;
    for c in calls {
        if campaign != Some(c.campaign.as_str()) {
            campaign = Some(&c.campaign);
            writeln!(o, "— {} {} —", lang.pick("campaign", "测试批次"), visible(&c.campaign))?;
        }
        let planned = format!(
            "{} {}",
            c.planned_on.map(|d| d.to_string()).unwrap_or_default(),
            c.planned_at
        );
        let marks: Vec<&str> = Measure::ALL.iter().map(|m| mark(c.measure(*m))).collect();
        let made = c
            .called_at
            .clone()
            .unwrap_or_else(|| if zh { "未拨打".into() } else { "not yet".into() });
        writeln!(
            o,
            "{}  {}  {}  {}  {}  {}{}",
            fit(c.reference(), 8),
            fit(&planned, 16),
            fit(&c.slot, 11),
            fit(&c.service, 12),
            fit(&made, 16),
            marks.join("    "),
            c.wait_s.map(|w| format!("  {w} s")).unwrap_or_default()
        )?;
    }
    Ok(())
}

fn print_summary(o: &mut impl Write, s: &CallSummary, lang: Lang) -> Result<()> {
    let zh = lang.is_zh();
    let which = s.campaign.as_deref().map_or_else(
        || lang.pick("every campaign", "全部批次").to_string(),
        |c| visible(c).into_owned(),
    );
    writeln!(
        o,
        "{} {} — {which}",
        lang.pick("Test calls of", "测试电话："),
        s.engagement
    )?;
    writeln!(
        o,
        "  {}  {} / {}",
        fit(lang.pick("calls made / planned", "已拨打 / 计划"), 30),
        s.calls,
        s.planned
    )?;
    for m in Measure::ALL {
        let r = s.rate(m);
        let shown = match (r.rate, r.ci_low, r.ci_high) {
            (Some(v), Some(a), Some(b)) => format!("{v:.1} %  ({} / {})  95% CI {a:.1}–{b:.1} %", r.yes, r.asked),
            _ => "—".into(),
        };
        writeln!(o, "  {}  {shown}", fit(m.label(zh), 30))?;
    }
    if let (Some(mean), Some(max)) = (s.wait_mean_s, s.wait_max_s) {
        writeln!(
            o,
            "  {}  {mean:.0} s ({} {max} s)",
            fit(lang.pick("wait, mean", "平均等待"), 30),
            lang.pick("longest", "最长")
        )?;
    }
    for (title, map) in [
        (lang.pick("by slot", "按时段"), &s.by_slot),
        (lang.pick("by service", "按业务"), &s.by_service),
    ] {
        let parts: Vec<String> = map
            .iter()
            .map(|(k, v)| {
                let made = lang.pick("made", "已拨");
                format!("{} {}/{} {made}, {} ✓", visible(k), v.made, v.planned, v.correct)
            })
            .collect();
        writeln!(o, "  {}  {}", fit(title, 30), parts.join(" · "))?;
    }
    Ok(())
}
