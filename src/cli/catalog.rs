//! `catalog`: list, show and validate indicator catalogues.

use super::args::*;
use super::output::*;
use super::{CliError, Context, Result};
use crate::config::{self, Lang};
use crate::model::catalog::{Catalog, Indicator};
use crate::text::fit;
use std::io::Write;

pub(super) fn catalog(ctx: &Context, c: CatalogCmd) -> Result<()> {
    let load = |file: &Option<std::path::PathBuf>| -> Result<Catalog> {
        match file {
            Some(p) => {
                let p = ctx.paths.find_catalog(p).ok_or_else(|| {
                    let p = p.display();
                    CliError(crate::msg!("no catalogue file `{p}`", "找不到指标目录文件 `{p}`"))
                })?;
                config::load_catalog_file(&p).map_err(|e| same(e.to_string()))
            }
            None => Ok(crate::config::embedded_catalog()),
        }
    };
    let mut o = out();
    match c {
        CatalogCmd::List { file } => {
            print_catalog(&mut o, &load(&file)?, ctx.lang)?;
            if file.is_none() {
                for p in ctx.paths.user_catalogs() {
                    match config::load_catalog_file(&p) {
                        Ok(c) => writeln!(
                            o,
                            "\n{} {} {} ({})",
                            ctx.lang.pick("Also available:", "另有目录："),
                            c.id,
                            c.version,
                            p.display()
                        )?,
                        Err(e) => writeln!(o, "\n{} {e}", ctx.lang.pick("Unusable catalogue:", "无法使用的目录："))?,
                    }
                }
            }
        }
        CatalogCmd::Show { id, file } => {
            let cat = load(&file)?;
            let ind = cat.indicator(&id).ok_or_else(|| {
                let c = &cat.id;
                CliError(crate::msg!(
                    "no indicator `{id}` in catalogue {c}",
                    "指标目录 {c} 中没有指标 `{id}`"
                ))
            })?;
            print_indicator(&mut o, &cat, ind, ctx.lang)?;
        }
        CatalogCmd::Validate { file } => {
            let cat = config::load_catalog_file(&file).map_err(|e| same(e.to_string()))?;
            writeln!(
                o,
                "{}: {} {} — {} {}, {} {}{}",
                file.display(),
                cat.id,
                cat.version,
                cat.groups.len(),
                ctx.lang.pick("groups", "个分组"),
                cat.indicators.len(),
                ctx.lang.pick("indicators", "项指标"),
                if cat.provisional {
                    ctx.lang.pick(" (provisional)", "（暂定目录）")
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}

pub fn print_catalog(o: &mut dyn Write, cat: &Catalog, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    writeln!(
        o,
        "{} {} — {}{}",
        cat.id,
        cat.version,
        cat.title(zh),
        if cat.provisional {
            lang.pick(" [provisional catalogue]", "【暂定目录】")
        } else {
            ""
        }
    )?;
    for top in cat.top_groups() {
        writeln!(o, "{}", top.name(zh))?;
        // Indicators in the top group itself come first.
        for i in cat.indicators.iter().filter(|i| i.group == top.id) {
            let target = i.target_text(zh).unwrap_or_else(|| "-".into());
            writeln!(o, "  {} {} {}", crate::text::pad(&i.id, 8), fit(i.name(zh), 34), target)?;
        }
        for g in cat.children(&top.id) {
            writeln!(o, "  {}", g.name(zh))?;
            for i in cat.indicators.iter().filter(|i| i.group == g.id) {
                let target = i.target_text(zh).unwrap_or_else(|| "-".into());
                writeln!(
                    o,
                    "    {} {} {}",
                    crate::text::pad(&i.id, 6),
                    fit(i.name(zh), 34),
                    target
                )?;
            }
        }
    }
    Ok(())
}

pub fn print_indicator(o: &mut dyn Write, cat: &Catalog, i: &Indicator, lang: Lang) -> std::io::Result<()> {
    let zh = lang.is_zh();
    let path: Vec<&str> = cat.path_of(i).iter().map(|g| g.name(zh)).collect();
    writeln!(o, "{}  {} / {}", i.id, i.name_zh, i.name_en)?;
    writeln!(o, "{}: {}", lang.pick("Group", "分组"), path.join(" › "))?;
    let direction = match i.direction {
        crate::model::catalog::Direction::Higher => lang.pick("higher is better", "越高越好"),
        crate::model::catalog::Direction::Lower => lang.pick("lower is better", "越低越好"),
    };
    writeln!(
        o,
        "{}: {}   {}: {direction}",
        lang.pick("Unit", "单位"),
        i.unit.label(lang.is_zh()),
        lang.pick("Direction", "方向")
    )?;
    if let Some(t) = i.target {
        writeln!(o, "{}: {}", lang.pick("Target", "目标值"), i.unit.format(t, zh))?;
    }
    if let Some(b) = &i.target_basis {
        writeln!(o, "{}: {b}", lang.pick("Target basis", "目标依据"))?;
    }
    writeln!(o, "{}: {}", lang.pick("Weight", "权重"), i.weight)?;
    if let Some(m) = &i.metric {
        writeln!(
            o,
            "{}: {m}{}{}",
            lang.pick("Metric", "度量"),
            i.variant.as_deref().map(|v| format!(" ({v})")).unwrap_or_default(),
            i.threshold_s.map(|t| format!(", T={t}s")).unwrap_or_default()
        )?;
    }
    if let Some(f) = i.formula(zh) {
        writeln!(o, "{}: {f}", lang.pick("Formula", "计算方法"))?;
    }
    if let Some(s) = &i.source {
        writeln!(o, "{}: {s}", lang.pick("Source", "出处"))?;
    }
    writeln!(
        o,
        "{}: {}",
        lang.pick("Evidence to ask for", "应索取的证据"),
        i.evidence_hint(zh)
    )?;
    writeln!(o, "{}: {}", lang.pick("Provenance", "来源"), i.provenance)?;
    Ok(())
}
