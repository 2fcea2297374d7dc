//! `qa`: agreement of two auditors' blind re-scoring.

use super::args::QaCmd;
use super::output::*;
use super::{Context, Result};
use crate::analytics::agreement;
use std::io::Write;

pub fn qa(ctx: &Context, c: QaCmd) -> Result<()> {
    match c {
        QaCmd::Agreement {
            ratings,
            json,
            encoding,
            record,
            engagement,
        } => {
            let a = agreement::from_csv(&ratings, encoding.as_deref()).map_err(|e| {
                let e = crate::text::visible(&e).into_owned();
                if record.is_some() {
                    super::CliError(crate::msg!("nothing was recorded: {e}", "未记录任何内容：{e}"))
                } else {
                    same(e)
                }
            })?;
            let recorded = match &record {
                None => None,
                Some(ind) => {
                    let bytes = std::fs::read(&ratings).map_err(|e| same(format!("{}: {e}", ratings.display())))?;
                    let app = ctx.open(&ctx.paths.data_dir)?;
                    let eng = app.resolve_engagement(engagement.as_deref())?;
                    let r = app.record_source(&eng.id, ind, crate::app::sources::qa_figures(&a, &bytes)?)?;
                    Some((r.indicator, r.measured))
                }
            };
            if json {
                return print_json(&a);
            }
            let lang = ctx.lang;
            let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
            let mut o = out();
            let k = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.4}"));
            writeln!(o, "{}", l("Agreement of two raters", "两名评分人的一致性"))?;
            writeln!(
                o,
                "  {}  {} / {}  ({:.2} %)",
                crate::text::fit(l("agreed", "一致"), 24),
                a.agreed,
                a.items,
                100.0 * a.observed_agreement
            )?;
            writeln!(
                o,
                "  {}  {}",
                crate::text::fit(l("Cohen's kappa", "Cohen κ"), 24),
                k(a.kappa)
            )?;
            if a.weighted_kappa.is_some() {
                writeln!(
                    o,
                    "  {}  {}",
                    crate::text::fit(l("quadratic-weighted kappa", "二次加权 κ"), 24),
                    k(a.weighted_kappa)
                )?;
            }
            if a.kappa.is_none() {
                writeln!(
                    o,
                    "  {}",
                    l(
                        "(kappa is undefined: both raters gave every item the same one label)",
                        "（κ 无定义：两人对所有项目给出同一个结果）"
                    )
                )?;
            }
            // The table: rater A's labels down, rater B's across.
            let names: Vec<String> = a.labels.iter().map(|l| l.to_string()).collect();
            let w = names.iter().map(|n| crate::text::width(n)).max().unwrap_or(1).max(4);
            write!(o, "  {}", crate::text::fit("A \\ B", w + 1))?;
            for n in &names {
                write!(o, " {}", crate::text::fit_right(n, w))?;
            }
            writeln!(o)?;
            for r in &names {
                write!(o, "  {}", crate::text::fit(r, w + 1))?;
                for c in &names {
                    let n = a.table.get(r).and_then(|m| m.get(c)).copied().unwrap_or(0);
                    write!(o, " {}", crate::text::fit_right(&n.to_string(), w))?;
                }
                writeln!(o)?;
            }
            match (a.pass_rate, a.unresolved) {
                (Some(p), _) => writeln!(
                    o,
                    "  {}  {p:.2} %  ({} / {}, {} {})",
                    crate::text::fit(l("pass rate (reconciled)", "合格率（裁定后）"), 24),
                    a.passed.unwrap_or(0),
                    a.items,
                    a.reconciled,
                    l("settled by a third person", "项由第三人裁定")
                )?,
                (None, n) if n > 0 => writeln!(
                    o,
                    "  {}  — ({n} {})",
                    crate::text::fit(l("pass rate (reconciled)", "合格率（裁定后）"), 24),
                    l("disagreements not reconciled yet", "项不一致尚未裁定")
                )?,
                _ => {}
            }
            if !a.disagreements.is_empty() {
                writeln!(o, "  {}", l("disagreements (item: A / B):", "不一致（项目：A / B）："))?;
                for d in a.disagreements.iter().take(50) {
                    writeln!(
                        o,
                        "    {}: {} / {}",
                        crate::text::visible(&d.item),
                        crate::text::visible(&d.rater_a.to_string()),
                        crate::text::visible(&d.rater_b.to_string())
                    )?;
                }
                if a.disagreements.len() > 50 {
                    writeln!(
                        o,
                        "    … {} ({})",
                        a.disagreements.len() - 50,
                        l("more, --json lists them all", "项未列出，--json 列出全部")
                    )?;
                }
            }
            super::sources::print_recorded(&mut o, recorded, lang)
        }
        other => round(ctx, other),
    }
}

fn scores_arg(s: &str) -> Result<Vec<u32>> {
    crate::model::qa::parse_scores(s).map_err(|e| {
        let e = crate::text::visible(&e).into_owned();
        super::CliError(crate::msg!(
            "--scores: {e} (points per scorecard item, comma-separated, e.g. 5,10,15,25,15,10,10,10)",
            "--scores：{e}（按评分表顺序逐项给分，逗号分隔，如 5,10,15,25,15,10,10,10）"
        ))
    })
}

/// The in-history round: plan, score, reveal, reconcile, status, show, record.
fn round(ctx: &Context, c: QaCmd) -> Result<()> {
    use crate::app::qa::QaPlan;
    use crate::text::{fit, visible};
    let app = ctx.open(&ctx.paths.data_dir)?;
    let lang = ctx.lang;
    let zh = lang == crate::config::Lang::Zh;
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let mut o = out();
    match c {
        QaCmd::Agreement { .. } => unreachable!("handled by qa()"),
        QaCmd::Plan {
            engagement,
            round,
            frame,
            n,
            seed,
            id_column,
            strata,
            plain,
            rater_a,
            rater_b,
            reconciler,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let bytes = std::fs::read(&frame).map_err(|e| same(format!("{}: {e}", frame.display())))?;
            let seed = seed.unwrap_or_else(crate::app::testcall::draw_seed);
            let p = QaPlan {
                round,
                frame: bytes,
                frame_name: frame.display().to_string(),
                n,
                seed,
                id_column,
                strata,
                plain,
                rater_a,
                rater_b,
                reconciler,
            };
            let (draw, planned) = app.plan_qa(&eng.id, &p)?;
            if json {
                return print_json(
                    &serde_json::json!({ "seed": draw.seed, "frame_sha256": draw.frame_sha256, "reviews": planned }),
                );
            }
            let (first, last) = (
                planned.first().map_or("", |r| r.reference()),
                planned.last().map_or("", |r| r.reference()),
            );
            let round = visible(p.round.trim()).into_owned();
            if zh {
                writeln!(
                    o,
                    "{} 已安排质检复核批次 {round}：{} 条录音（{first} 至 {last}），随机种子 {}",
                    eng.id,
                    planned.len(),
                    draw.seed
                )?;
                writeln!(
                    o,
                    "  评分人 {} 与 {} 各自盲评，{} 裁定不一致",
                    p.rater_a, p.rater_b, p.reconciler
                )?;
            } else {
                writeln!(
                    o,
                    "{}: QA round {round} planned, {} contacts ({first} to {last}), seed {}",
                    eng.id,
                    planned.len(),
                    draw.seed
                )?;
                writeln!(
                    o,
                    "  {} and {} score blind; {} reconciles disagreements",
                    p.rater_a, p.rater_b, p.reconciler
                )?;
            }
            writeln!(
                o,
                "  {} sha256 {} ({} {})",
                l("frame", "抽样框"),
                draw.frame_sha256,
                draw.frame_size,
                l("rows", "行")
            )?;
            if zh {
                writeln!(
                    o,
                    "  下一步：cscaudit qa show {first}，然后 cscaudit qa score {first} --scores …"
                )?;
            } else {
                writeln!(
                    o,
                    "  next: cscaudit qa show {first}, then cscaudit qa score {first} --scores …"
                )?;
            }
            Ok(())
        }
        QaCmd::Score {
            review,
            engagement,
            scores,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = scores_arg(&scores)?;
            let r = app.score_qa(&eng.id, &review, &s)?;
            let verdict = if r.pass {
                l("pass", "合格")
            } else {
                l("fail", "不合格")
            };
            if r.revealed {
                writeln!(
                    o,
                    "{}",
                    match lang {
                        crate::config::Lang::Zh =>
                            format!("{}：{} 分，{verdict}；另一评分人已封存，评分已揭示", r.review, r.total),
                        crate::config::Lang::En => format!(
                            "{}: {} points, {verdict}; the other rater had sealed, so the scores are revealed",
                            r.review, r.total
                        ),
                    }
                )?;
            } else {
                writeln!(
                    o,
                    "{}",
                    match lang {
                        crate::config::Lang::Zh => format!(
                            "{}：{} 分，{verdict}；已封存（只有哈希随同步传出），待另一评分人封存后用 `cscaudit qa reveal` 揭示",
                            r.review, r.total
                        ),
                        crate::config::Lang::En => format!(
                            "{}: {} points, {verdict}; sealed (only its hash goes out); reveal with `cscaudit qa reveal` once the other rater has sealed",
                            r.review, r.total
                        ),
                    }
                )?;
            }
            Ok(())
        }
        QaCmd::Reveal { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let r = app.reveal_qa(&eng.id)?;
            if json {
                return print_json(&r);
            }
            writeln!(
                o,
                "{} {}",
                l("revealed:", "已揭示："),
                if r.revealed.is_empty() {
                    "—".into()
                } else {
                    r.revealed.join(" ")
                }
            )?;
            if !r.waiting.is_empty() {
                writeln!(
                    o,
                    "{} {}",
                    l("waiting for the other rater's seal:", "等待另一评分人封存："),
                    r.waiting.join(" ")
                )?;
            }
            if !r.not_here.is_empty() {
                writeln!(
                    o,
                    "{} {}",
                    l(
                        "sealed on another copy (the scores are not here; reveal from that copy):",
                        "在其他副本上封存（评分不在本机；请在该副本上揭示）："
                    ),
                    r.not_here.join(" ")
                )?;
            }
            Ok(())
        }
        QaCmd::Reconcile {
            review,
            engagement,
            scores,
            note,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let s = scores_arg(&scores)?;
            let r = app.reconcile_qa(&eng.id, &review, &s, note.as_deref())?;
            let pass = r.final_pass().unwrap_or(false);
            writeln!(
                o,
                "{}: {} {}",
                r.reference(),
                l("reconciled:", "已裁定："),
                if pass {
                    l("pass", "合格")
                } else {
                    l("fail", "不合格")
                }
            )?;
            Ok(())
        }
        QaCmd::Status {
            engagement,
            round,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let f = app.qa_round(&eng.id, round.as_deref())?;
            if json {
                return print_json(&f);
            }
            let k = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.4}"));
            writeln!(
                o,
                "{} {} · {}",
                l("QA round", "质检复核批次"),
                visible(&f.round),
                eng.id
            )?;
            let row = |o: &mut dyn Write, label: &str, v: String| writeln!(o, "  {}  {v}", fit(label, 26));
            row(&mut o, l("reviews", "复核录音"), f.reviews.to_string())?;
            row(
                &mut o,
                &format!("{} {}", l("sealed by", "已封存"), visible(&f.rater_a)),
                f.sealed_a.to_string(),
            )?;
            row(
                &mut o,
                &format!("{} {}", l("sealed by", "已封存"), visible(&f.rater_b)),
                f.sealed_b.to_string(),
            )?;
            row(&mut o, l("revealed by both", "双方已揭示"), f.revealed.to_string())?;
            row(
                &mut o,
                l("agreement (pass/fail)", "一致率（合格判定）"),
                f.observed_agreement
                    .map_or("—".into(), |p| format!("{:.2} %", 100.0 * p)),
            )?;
            row(&mut o, l("Cohen's kappa", "Cohen κ"), k(f.kappa))?;
            row(
                &mut o,
                l("weighted kappa (bands)", "加权 κ（分数段）"),
                k(f.weighted_kappa),
            )?;
            row(
                &mut o,
                l("disagreements", "判定不一致"),
                format!(
                    "{} ({} {}, {} {})",
                    f.disagreements.len(),
                    f.reconciled,
                    l("reconciled", "已裁定"),
                    f.unresolved,
                    l("open", "待裁定")
                ),
            )?;
            row(
                &mut o,
                l("pass rate (reconciled)", "合格率（裁定后）"),
                match (f.pass_rate, f.passed) {
                    (Some(p), Some(n)) => format!("{p:.2} % ({n} / {})", f.reviews),
                    _ => l("— (not every review is in and settled)", "—（尚有复核未完成或未裁定）").into(),
                },
            )?;
            for d in f.disagreements.iter().take(50) {
                let w = |p: bool| if p { l("pass", "合格") } else { l("fail", "不合格") };
                writeln!(
                    o,
                    "    {} {}  A {} {}  B {} {}  → {}",
                    d.review,
                    fit(&visible(&d.item), 18),
                    d.total_a,
                    w(d.pass_a),
                    d.total_b,
                    w(d.pass_b),
                    d.reconciled.map_or(
                        format!("{} ({})", l("to reconcile", "待裁定"), visible(&f.reconciler)),
                        |p| w(p).to_string()
                    )
                )?;
            }
            Ok(())
        }
        QaCmd::Show {
            review,
            engagement,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let r = app.qa_review(&eng.id, &review)?;
            let mine = app.qa_sealed_here(&r);
            if json {
                return print_json(&serde_json::json!({ "review": r, "sealed_here": mine }));
            }
            let card = r.card().map_err(same)?;
            let names = app.qa_scorecard(&eng.id).ok();
            writeln!(o, "{}  {}  ({})", r.reference(), visible(&r.item), visible(&r.round))?;
            let seal = |s: Option<&str>, v: Option<&str>| match (s, v) {
                (_, Some(_)) => l("revealed", "已揭示"),
                (Some(_), None) => l("sealed", "已封存"),
                (None, None) => l("not scored", "未评分"),
            };
            writeln!(
                o,
                "  A {}: {}",
                visible(&r.rater_a),
                seal(r.seal_a.as_deref(), r.reveal_a.as_deref())
            )?;
            writeln!(
                o,
                "  B {}: {}",
                visible(&r.rater_b),
                seal(r.seal_b.as_deref(), r.reveal_b.as_deref())
            )?;
            writeln!(o, "  {} {}", l("reconciler", "裁定人"), visible(&r.reconciler))?;
            let (a, b) = (
                r.scores(crate::model::qa::Rater::A),
                r.scores(crate::model::qa::Rater::B),
            );
            let rec = r
                .reconciled
                .as_deref()
                .and_then(|s| crate::model::qa::parse_scores(s).ok());
            writeln!(
                o,
                "  {}  {:>5} {:>5} {:>5} {:>5}",
                fit(l("item", "评分项"), 34),
                l("max", "满分"),
                "A",
                "B",
                l("mine", "本人")
            )?;
            for (i, it) in card.items.iter().enumerate() {
                let name = names.as_ref().map_or(it.id.as_str(), |c| c.name_of(&it.id, zh));
                let cell = |v: &Option<Vec<u32>>| {
                    v.as_ref()
                        .and_then(|s| s.get(i))
                        .map_or("·".to_string(), u32::to_string)
                };
                writeln!(
                    o,
                    "  {}  {:>5} {:>5} {:>5} {:>5}",
                    fit(
                        &format!(
                            "{} {}{}",
                            it.id,
                            name,
                            if it.fatal { l(" (fatal)", "（否决项）") } else { "" }
                        ),
                        34
                    ),
                    it.points,
                    cell(&a),
                    cell(&b),
                    cell(&mine)
                )?;
            }
            if let Some(rec) = &rec {
                writeln!(
                    o,
                    "  {} {}",
                    l("reconciled:", "裁定评分："),
                    crate::model::qa::format_scores(rec)
                )?;
            }
            writeln!(
                o,
                "  {} {} · {} {}",
                l("pass mark", "及格线"),
                card.pass_mark,
                l("sample", "抽样"),
                visible(&r.draw)
            )?;
            Ok(())
        }
        QaCmd::Record {
            engagement,
            round,
            indicator,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let a = app.record_qa(&eng.id, round.as_deref(), &indicator)?;
            super::sources::print_recorded(&mut o, Some((a.indicator, a.measured)), lang)
        }
    }
}
