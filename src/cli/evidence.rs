//! `evidence`: attach, list and export evidence files.

use super::args::*;
use super::output::*;
use super::{Context, Result};
use std::io::Write;

pub(super) fn evidence(ctx: &Context, c: EvidenceCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let mut o = out();
    match c {
        EvidenceCmd::Add {
            file,
            engagement,
            indicator,
            finding,
            note,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let ev = app.attach_evidence(&eng.id, &file, &note, indicator.as_deref(), finding.as_deref())?;
            writeln!(o, "{}  {}  {} B", ev.sha256, crate::text::visible(&ev.name), ev.size)?;
        }
        EvidenceCmd::Verify { engagement } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let all = app.evidence(&eng.id)?.len();
            let bad = app.verify_evidence(&eng.id)?;
            for (ev, problem) in &bad {
                writeln!(
                    o,
                    "{}  {}  {}",
                    crate::text::head(&ev.sha256, 12),
                    crate::text::visible(&ev.name),
                    problem.label(ctx.lang.is_zh())
                )?;
            }
            let (ok, n) = (all - bad.len(), bad.len());
            if n > 0 {
                return Err(super::CliError(crate::msg!(
                    "{n} of {all} evidence files have problems (listed above)",
                    "{all} 个证据文件中有 {n} 个有问题（见上）"
                )));
            }
            writeln!(
                o,
                "{}",
                match ctx.lang {
                    crate::config::Lang::Zh => format!("{all} 个证据文件全部完好"),
                    crate::config::Lang::En => format!("all {ok} evidence files intact"),
                }
            )?;
        }
        EvidenceCmd::Export {
            sha256,
            to,
            engagement,
            force,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let path = app.export_evidence(&eng.id, &sha256, &to, force)?;
            writeln!(o, "{}", crate::text::visible(&path.display().to_string()))?;
        }
        EvidenceCmd::List { engagement, json } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            if json {
                return print_json(&app.evidence(&eng.id)?);
            }
            for ev in app.evidence(&eng.id)? {
                writeln!(
                    o,
                    "{}  {}  {} B  {}  {}",
                    crate::text::head(&ev.sha256, 12),
                    crate::text::visible(&ev.name),
                    ev.size,
                    ev.captured_by,
                    crate::text::visible(&ev.note)
                )?;
            }
        }
    }
    Ok(())
}
