//! `cscaudit demo`: the demo engagement and the scale generator.

use super::args::*;
use super::output::*;
use super::{Context, Result};
use crate::app::{self};
use std::io::Write;

pub(super) fn demo(ctx: &Context, a: DemoArgs) -> Result<()> {
    let dir = if ctx.explicit_data_dir {
        ctx.paths.data_dir.clone()
    } else {
        ctx.paths.demo_dir()
    };
    let mut app = ctx.open(&dir)?;
    let started = std::time::Instant::now();
    let seeded = app::demo::seed(&mut app)?;
    let mut o = out();
    match seeded {
        app::demo::Seeded::Created => writeln!(
            o,
            "{} {} ({:.1} s)",
            ctx.lang.pick("Demo engagement created in", "示例项目已创建于"),
            dir.display(),
            started.elapsed().as_secs_f64()
        )?,
        app::demo::Seeded::AlreadyPresent => writeln!(
            o,
            "{} {}",
            ctx.lang.pick("Demo engagement already present in", "示例项目已存在于"),
            dir.display()
        )?,
    }
    if let Some(n) = a.portfolio {
        let t = std::time::Instant::now();
        app::demo::seed_portfolio(&app, n, &mut |done| {
            if interactive() && (done % 50 == 0 || done == n) {
                eprint!("\r{} {done}/{n}", ctx.lang.pick("generating clients", "生成客户中"));
            }
        })?;
        if interactive() {
            eprint!("\r\x1b[K");
        }
        let secs = t.elapsed().as_secs_f64();
        let line = crate::msg!(
            "Portfolio: {n} clients, each a programme with one engagement ({secs:.1} s)",
            "认证组合：{n} 个客户，每个一个认证方案和一个审核项目（{secs:.1} 秒）"
        );
        writeln!(o, "{}", line.get(ctx.lang))?;
    }
    if let Some(n) = a.scale {
        let t = std::time::Instant::now();
        let id = app::demo::seed_scale(&app, n, &mut |done| {
            if interactive() {
                eprint!("\r{} {done}/{n}", ctx.lang.pick("generating", "生成中"));
            }
        })?;
        if interactive() {
            eprint!("\r\x1b[K");
        }
        writeln!(
            o,
            "{} {id}: {n} ({:.1} s)",
            ctx.lang.pick("Scale engagement", "规模测试项目"),
            t.elapsed().as_secs_f64()
        )?;
        // A bulk load leaves sled's file holding the space of every page it
        // rewrote on the way, which every later open pays for: written again
        // once, as `doctor --compact` does.
        let t = std::time::Instant::now();
        if interactive() {
            eprint!("\r{}", ctx.lang.pick("compacting the database…", "正在压缩数据库…"));
        }
        let r = app.compact(&mut |_, _| true)?;
        if interactive() {
            eprint!("\r\x1b[K");
        }
        app = ctx.open(&dir)?;
        let (before, after) = (r.before as f64 / 1048576.0, r.after as f64 / 1048576.0);
        let secs = t.elapsed().as_secs_f64();
        let line = crate::msg!(
            "database compacted: {before:.0} MB → {after:.0} MB ({secs:.1} s)",
            "数据库已压缩：{before:.0} MB → {after:.0} MB（{secs:.1} 秒）"
        );
        writeln!(o, "{}", line.get(ctx.lang))?;
    }
    if !a.no_tui && interactive() {
        drop(o);
        let engagement = if a.scale.is_some() {
            app::demo::SCALE_ENGAGEMENT
        } else {
            app::demo::DEMO_ENGAGEMENT
        };
        return super::open_tui(ctx, app, &dir, Some(engagement));
    }
    let eng = app.engagement(app::demo::DEMO_ENGAGEMENT)?;
    let (report, totals) = app.status_summary(&eng, super::status::SCREEN_LINES)?;
    super::status::print_status(&mut o, &report, Some(&totals), ctx.lang)?;
    writeln!(
        o,
        "\n{} cscaudit --data-dir {} status",
        ctx.lang.pick("Look again with:", "再次查看："),
        shell_quote(&dir.display().to_string())
    )?;
    Ok(())
}
