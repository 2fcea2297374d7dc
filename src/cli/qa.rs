//! `qa`: agreement of two auditors' blind re-scoring.

use super::args::QaCmd;
use super::output::*;
use super::{Context, Result};
use crate::analytics::agreement;
use std::io::Write;

pub fn qa(ctx: &Context, c: QaCmd) -> Result<()> {
    match c {
        QaCmd::Agreement { ratings, json } => {
            let a = agreement::from_csv(&ratings).map_err(same)?;
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
