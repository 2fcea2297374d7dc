//! `config check`: validate the config, keymap and theme files.

use super::output::*;
use super::{CliError, Context, Result};
use crate::config::{self, Settings};
use std::io::Write;

pub(super) fn config_check(ctx: &Context) -> Result<()> {
    let l = |en, zh| ctx.lang.pick(en, zh);
    let mut o = out();
    let mut bad = 0;
    let cfg = ctx.paths.config_file();
    let (settings, problems) = Settings::load(&ctx.paths);
    match (problems.is_empty(), cfg.exists()) {
        (false, _) => {
            for e in &problems {
                bad += 1;
                writeln!(o, "config.toml: {e}")?;
            }
        }
        (true, true) => writeln!(o, "config.toml: {} ({})", l("ok", "正常"), cfg.display())?,
        (true, false) => {
            let p = cfg.display();
            writeln!(
                o,
                "config.toml: {}",
                crate::msg!("defaults (no file at {p})", "默认设置（此处无文件：{p}）").get(ctx.lang)
            )?
        }
    }
    let setup = crate::tui::load_setup(&settings, &[], &ctx.paths);
    writeln!(o, "{}: {}", l("keymap", "按键映射"), setup.keymap.sources.join(" + "))?;
    let user_keymap = ctx.paths.config_dir.join("keymap.toml");
    if !user_keymap.exists() {
        let p = user_keymap.display();
        writeln!(
            o,
            "  {}",
            crate::msg!("(no user keymap at {p})", "（此处无用户按键文件：{p}）").get(ctx.lang)
        )?;
    }
    writeln!(
        o,
        "{}: {}{}",
        l("theme", "主题"),
        setup.theme.name,
        if setup.theme.no_color {
            l(" (NO_COLOR: colours off)", "（NO_COLOR：不使用颜色）")
        } else {
            ""
        }
    )?;
    writeln!(
        o,
        "{}: {}",
        l("language", "语言"),
        if ctx.lang.is_zh() { "zh-CN" } else { "en" }
    )?;
    for p in &setup.problems {
        bad += 1;
        writeln!(o, "{}: {p}", l("problem", "问题"))?;
    }
    for p in ctx.paths.user_catalogs() {
        match config::load_catalog_file(&p) {
            Ok(c) => writeln!(
                o,
                "{}: {} {} ({})",
                l("catalogue", "指标目录"),
                c.id,
                c.version,
                p.display()
            )?,
            Err(e) => {
                bad += 1;
                writeln!(o, "{}: {e}", l("problem", "问题"))?;
            }
        }
    }
    if bad > 0 {
        return Err(CliError(crate::msg!(
            "{bad} problem(s) in the config files; the app runs with defaults for them",
            "配置文件中有 {bad} 个问题；相关部分按默认设置运行"
        )));
    }
    writeln!(o, "{}", l("ok", "正常"))?;
    Ok(())
}

/// Every published schema with its file name.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("config.schema.json", crate::config::schema::config_schema()),
        ("keymap.schema.json", crate::tui::schema::keymap_schema()),
        ("theme.schema.json", crate::tui::schema::theme_schema()),
        ("catalog.schema.json", crate::config::schema::catalog_schema()),
    ]
}

pub(super) fn write_schemas(ctx: &Context, dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| same(format!("{}: {e}", dir.display())))?;
    let mut o = out();
    for (name, schema) in schemas() {
        let path = dir.join(name);
        let text = serde_json::to_string_pretty(&schema).map_err(|e| same(e.to_string()))? + "\n";
        std::fs::write(&path, text).map_err(|e| same(format!("{}: {e}", path.display())))?;
        writeln!(o, "{} {}", ctx.lang.pick("wrote", "已写入"), path.display())?;
    }
    Ok(())
}
