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
        } => {
            let a = agreement::from_csv(&ratings, encoding.as_deref()).map_err(same)?;
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
            Ok(())
        }
    }
}
