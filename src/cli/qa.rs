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
                    writeln!(o, "    {}: {} / {}", d.item, d.rater_a, d.rater_b)?;
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
    }
}
