//! `pseudonym`: replace customer ids and phone numbers in a centre's records
//! by the engagement's keyed hash before a file is kept or passed on; show,
//! export and import the key.

use super::args::PseudonymCmd;
use super::output::*;
use super::{Context, Result};
use crate::config::Lang;
use crate::text::visible;
use std::io::Write;

pub(super) fn pseudonym(ctx: &Context, c: PseudonymCmd) -> Result<()> {
    let app = ctx.open(&ctx.paths.data_dir)?;
    let lang = ctx.lang;
    let mut o = out();
    match c {
        PseudonymCmd::Apply {
            file,
            columns,
            out: to,
            engagement,
            delimiter,
            encoding,
            json,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let to = to.unwrap_or_else(|| {
                let stem = file
                    .file_stem()
                    .map_or("records".into(), |s| s.to_string_lossy().into_owned());
                file.with_file_name(format!("{stem}.pseudonymised.csv"))
            });
            let r = app.pseudonymise(&eng.id, &file, &columns, &delimiter, encoding.as_deref(), &to)?;
            if json {
                return print_json(&r);
            }
            let cols = r.columns.join(", ");
            match lang {
                Lang::Zh => writeln!(
                    o,
                    "已写出 {}：{} 行，替换 {} 个值（列 {cols}；{} 的假名化密钥 {}）",
                    r.out, r.rows, r.replaced, eng.id, r.key
                )?,
                Lang::En => writeln!(
                    o,
                    "Wrote {}: {} rows, {} values replaced (columns {cols}; {}'s pseudonym key {})",
                    r.out, r.rows, r.replaced, eng.id, r.key
                )?,
            }
            if r.input.malformed > 0 {
                writeln!(
                    o,
                    "{} {}",
                    r.input.malformed,
                    lang.pick("rows could not be read and were left out:", "行无法读取，已略去：")
                )?;
                for b in &r.input.bad {
                    writeln!(o, "  {} {}: {}", lang.pick("line", "行"), b.line, b.reason)?;
                }
            }
            Ok(())
        }
        PseudonymCmd::Key { engagement } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            match app.pseudonym_fingerprint(&eng.id)? {
                Some(f) => writeln!(o, "{} {f}", eng.id)?,
                None => writeln!(
                    o,
                    "{}",
                    match lang {
                        Lang::Zh => format!("{} 尚无假名化密钥（首次使用 `pseudonym apply` 时生成）", eng.id),
                        Lang::En => format!(
                            "{} has no pseudonym key yet (made on the first `pseudonym apply`)",
                            eng.id
                        ),
                    }
                )?,
            }
            Ok(())
        }
        PseudonymCmd::ExportKey { engagement, out: to } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let n = app.export_pseudonym_key(&eng.id, &to)?;
            let path = visible(&to.display().to_string()).into_owned();
            match lang {
                Lang::Zh => writeln!(o, "已写出 {path}：加密给 {n} 位成员登记的密钥，仅审核组可打开")?,
                Lang::En => writeln!(
                    o,
                    "Wrote {path}: encrypted to {n} members' registered keys; only the team opens it"
                )?,
            }
            Ok(())
        }
        PseudonymCmd::ImportKey {
            file,
            engagement,
            replace,
        } => {
            let eng = app.resolve_engagement(engagement.as_deref())?;
            let f = app.import_pseudonym_key(&eng.id, &file, replace)?;
            match lang {
                Lang::Zh => writeln!(o, "{} 的假名化密钥：{f}", eng.id)?,
                Lang::En => writeln!(o, "{}'s pseudonym key: {f}", eng.id)?,
            }
            Ok(())
        }
    }
}
