//! `export` and `import`: findings bundles between auditors.

use super::output::*;
use super::{Context, Result};
use std::io::Write;
use std::path::Path;

/// How `export` encrypts (`--encrypt`, `--recipient`, `--passphrase`).
pub(super) struct Seal {
    pub encrypt: bool,
    pub recipients: Vec<String>,
    pub passphrase: bool,
}

pub(super) fn export(
    ctx: &Context,
    out_file: &Path,
    engagement: Option<&str>,
    no_evidence: bool,
    since: Option<crate::model::ops::OpId>,
    seal: Seal,
) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let eng = app.resolve_engagement(engagement)?;
    let encrypt = if seal.encrypt {
        Some(std::sync::Arc::new(app.export_recipients(
            &eng.id,
            &seal.recipients,
            seal.passphrase,
        )?))
    } else {
        None
    };
    let opts = crate::bundle::ExportOptions {
        no_evidence,
        lang: ctx.lang,
        since,
        encrypt,
    };
    let bar = super::progress::BundleProgress::new(ctx.lang);
    let r = crate::bundle::export_with_progress(&app, &eng.id, out_file, &opts, &|s, d, t| bar.tick(s, d, t));
    bar.finish();
    let r = r.map_err(|e| cancelled_means(e, "nothing was written", "未写出任何文件"))?;
    writeln!(out(), "{}", r.summary(ctx.lang))?;
    Ok(())
}

pub(super) fn import(ctx: &Context, file: &Path) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let bar = super::progress::BundleProgress::new(ctx.lang);
    let limits = crate::bundle::Limits::default();
    let r = crate::bundle::import_with_progress(&app, file, &limits, &|s, d, t| bar.tick(s, d, t));
    bar.finish();
    let r = r.map_err(|e| cancelled_means(e, "nothing was imported", "未导入任何内容"))?;
    let mut o = out();
    if let Some(line) = r.joined_line(ctx.lang) {
        writeln!(o, "{line}")?;
    }
    writeln!(o, "{}", r.summary(ctx.lang))?;
    Ok(())
}

/// A cancelled export or import says what was left.
fn cancelled_means(e: crate::app::AppError, en: &str, zh: &str) -> crate::app::AppError {
    match e {
        crate::app::AppError::Cancelled => crate::app::AppError::Invalid(crate::message::Msg {
            en: format!("cancelled; {en}"),
            zh: format!("已取消；{zh}"),
        }),
        e => e,
    }
}

pub(super) fn conflicts(ctx: &Context, json: bool) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    let open: Vec<_> = app
        .conflicts()?
        .into_iter()
        .filter(|c| c.resolved_by.is_none())
        .collect();
    if json {
        return print_json(&open);
    }
    let v = |x: &crate::model::ops::Value| crate::text::visible(&x.to_string()).into_owned();
    let tz = jiff::tz::TimeZone::system();
    let when = |ms: Option<u64>| {
        ms.map(|ms| crate::text::local_time_in(&tz, ms, "%Y-%m-%d %H:%M %:z"))
            .unwrap_or_else(|| "?".into())
    };
    for c in &open {
        let (won_at, lost_at) = app.conflict_times(c)?;
        writeln!(
            o,
            "{}  {}: {} ({}, {}) {} {} ({}, {})",
            c.entity,
            c.field,
            v(&c.winner_value),
            crate::text::visible(&c.winner.actor),
            when(won_at),
            ctx.lang.pick("over", "覆盖了"),
            v(&c.loser_value),
            crate::text::visible(&c.loser.actor),
            when(lost_at)
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
    let data = crate::report::ReportData::load(&app, &eng.id)?;
    use super::args::ReportFormat as F;
    use crate::report::OscalDoc;
    let bytes = match format {
        F::Csv => crate::report::findings_csv(&data, ctx.lang)?,
        F::Xlsx => crate::report::findings_xlsx(&data, ctx.lang)?,
        F::Docx => crate::report::report_docx(&data, ctx.lang)?,
        F::Md => crate::report::report_md(&data, ctx.lang).into_bytes(),
        F::Html => crate::report::report_html(&data, ctx.lang).into_bytes(),
        F::OscalResults => crate::report::oscal_bytes(&data, ctx.lang, OscalDoc::AssessmentResults),
        F::OscalPoam => crate::report::oscal_bytes(&data, ctx.lang, OscalDoc::Poam),
        F::OscalCatalog => crate::report::oscal_bytes(&data, ctx.lang, OscalDoc::Catalog),
    };
    write_whole(out_file, &bytes)?;
    writeln!(
        out(),
        "{} {} ({} B)",
        ctx.lang.pick("wrote", "已写出"),
        crate::text::visible(&out_file.display().to_string()),
        bytes.len()
    )?;
    Ok(())
}

/// Written beside the target, then renamed: never a half-written file.
pub(super) fn write_whole(out_file: &Path, bytes: &[u8]) -> Result<()> {
    Ok(crate::bundle::write_whole(out_file, bytes)?)
}
