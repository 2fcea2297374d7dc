//! `export` and `import`: findings bundles between auditors.

use super::output::*;
use super::{Context, Result};
use std::io::Write;
use std::path::Path;

pub(super) fn export(ctx: &Context, out_file: &Path, engagement: Option<&str>, no_evidence: bool) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let eng = app.resolve_engagement(engagement)?;
    let opts = crate::bundle::ExportOptions {
        no_evidence,
        lang: ctx.lang,
    };
    let r = crate::bundle::export(&app, &eng.id, out_file, &opts)?;
    writeln!(
        out(),
        "{} {}: {} {}, {} {}, {} B",
        ctx.lang.pick("exported", "已导出"),
        crate::text::visible(&r.path.display().to_string()),
        r.ops,
        ctx.lang.pick("operations", "项操作"),
        r.evidence_files,
        ctx.lang.pick("evidence files", "个证据文件"),
        r.bytes
    )?;
    Ok(())
}

pub(super) fn import(ctx: &Context, file: &Path) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let r = crate::bundle::import(&app, file)?;
    let zh = ctx.lang.is_zh();
    let mut o = out();
    if r.joined {
        writeln!(
            o,
            "{} {}",
            if zh {
                "已加入审核项目"
            } else {
                "joined engagement"
            },
            r.engagement
        )?;
    }
    if zh {
        writeln!(
            o,
            "{}：收到 {} 项操作，新增 {} 项（已有 {} 项）；新发现项 {}，变更记录 {}，新冲突 {}，新证据文件 {}",
            r.engagement,
            r.ops_received,
            r.ops_applied,
            r.ops_known,
            r.new_findings,
            r.records_changed,
            r.new_conflicts,
            r.evidence_added
        )?;
    } else {
        writeln!(
            o,
            "{}: {} operations received, {} new ({} already here); {} new findings, {} records changed, {} new conflicts, {} evidence files added",
            r.engagement,
            r.ops_received,
            r.ops_applied,
            r.ops_known,
            r.new_findings,
            r.records_changed,
            r.new_conflicts,
            r.evidence_added
        )?;
    }
    Ok(())
}

pub(super) fn conflicts(ctx: &Context) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let open: Vec<_> = app
        .conflicts()?
        .into_iter()
        .filter(|c| c.resolved_by.is_none())
        .collect();
    let v = |x: &crate::model::ops::Value| crate::text::visible(&x.to_string()).into_owned();
    for c in &open {
        writeln!(
            o,
            "{}  {}: {} ({}) {} {} ({})",
            c.entity,
            c.field,
            v(&c.winner_value),
            c.winner.actor,
            ctx.lang.pick("over", "覆盖了"),
            v(&c.loser_value),
            c.loser.actor
        )?;
    }
    if open.is_empty() {
        writeln!(o, "{}", ctx.lang.pick("no conflicts", "没有冲突"))?;
    }
    Ok(())
}

pub(super) fn report(
    ctx: &Context,
    format: super::args::ReportFormat,
    out_file: &Path,
    engagement: Option<&str>,
) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let eng = app.resolve_engagement(engagement)?;
    let bytes = match format {
        super::args::ReportFormat::Csv => crate::bundle::findings_csv(&app, &eng.id, ctx.lang)?,
        super::args::ReportFormat::Xlsx => crate::bundle::findings_xlsx(&app, &eng.id, ctx.lang)?,
        super::args::ReportFormat::Md => crate::bundle::report_md(&app, &eng.id, ctx.lang)?.into_bytes(),
        super::args::ReportFormat::Html => crate::bundle::report_html(&app, &eng.id, ctx.lang)?.into_bytes(),
    };
    // Written beside the target, then renamed: never a half-written report.
    let tmp = out_file.with_extension("partial");
    std::fs::write(&tmp, &bytes)
        .and_then(|_| std::fs::rename(&tmp, out_file))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            crate::app::AppError::Io {
                path: out_file.to_path_buf(),
                source,
            }
        })?;
    writeln!(
        out(),
        "{} {} ({} B)",
        ctx.lang.pick("wrote", "已写出"),
        crate::text::visible(&out_file.display().to_string()),
        bytes.len()
    )?;
    Ok(())
}
