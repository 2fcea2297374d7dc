//! TUI budgets from ARCHITECTURE.md, measured on the demo and on a database of
//! 100,000 findings and 20,000 corrective actions (`demo --scale 100000`):
//! loading, frame build at 120×40 per pane, key press to drawn frame,
//! incremental filter per key, peak memory, and time to first frame of the
//! real release binary in a pseudo-terminal.
//!
//! Run: `cargo bench --bench tui` (`-- --findings N` to change the size).

mod common;
use common::{arg, peak_rss_mib};

use cscaudit::app::{App, demo};
use cscaudit::config::Lang;
use cscaudit::tui::keymap::{Chord, Keymap};
use cscaudit::tui::state::{Input, State};
use cscaudit::tui::theme::Theme;
use cscaudit::tui::{Setup, initial_state, step, view};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    format!(
        "mean {:.3} ms, p50 {:.3}, p99 {:.3}, max {:.3}",
        mean,
        ms(v[v.len() / 2]),
        ms(v[(v.len() - 1) * 99 / 100]),
        ms(v[v.len() - 1])
    )
}

fn key(c: KeyCode) -> Input {
    Input::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn measure(label: &str, dir: &Path, engagement: &str) {
    let setup = Setup {
        keymap: Keymap::load("default", None).0,
        theme: Theme::load("default", None, false, false).0,
        problems: vec![],
    };
    let mut app = App::open(dir).unwrap();
    let t = Instant::now();
    let mut s: State = initial_state(&app, &setup, Lang::Zh, Some(engagement)).unwrap();
    let load = t.elapsed();
    s.size = (120, 40);
    let n = s.data.as_ref().map_or(0, |d| d.findings.len());
    let a = s.data.as_ref().map_or(0, |d| d.actions.len());
    println!(
        "[{label}] {n} findings, {a} actions: load {:.1} ms (bench process peak RSS {:.0} MiB)",
        load.as_secs_f64() * 1e3,
        peak_rss_mib(None).unwrap_or(f64::NAN)
    );
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let theme = &setup.theme;
    for (pane, keys) in [
        ("dashboard", "1"),
        ("checklist", "2"),
        ("findings", "3"),
        ("remediation", "4"),
    ] {
        for k in keys.chars() {
            step(&mut app, &mut s, key(KeyCode::Char(k)));
        }
        let mut v = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            term.draw(|f| view::view(&s, theme, f)).unwrap();
            v.push(t.elapsed());
        }
        println!(
            "[{label}] frame build 120×40 {pane:<11}: {}   [budget key→frame p99 ≤ 5 ms]",
            stats(v)
        );
    }
    // Key press to drawn frame: move down in the findings list.
    step(&mut app, &mut s, key(KeyCode::Char('3')));
    let mut v = Vec::new();
    for i in 0..400 {
        let t = Instant::now();
        step(
            &mut app,
            &mut s,
            key(KeyCode::Char(if i % 50 < 25 { 'j' } else { 'k' })),
        );
        term.draw(|f| view::view(&s, theme, f)).unwrap();
        v.push(t.elapsed());
    }
    println!(
        "[{label}] key→frame (j/k in findings, incl. history load): {}   [budget p99 ≤ 5 ms]",
        stats(v)
    );
    // Incremental filter: type "grade:major 录音" one key at a time, then clear.
    let mut v = Vec::new();
    for _ in 0..5 {
        step(&mut app, &mut s, key(KeyCode::Char('/')));
        for c in "grade:major 录音".chars() {
            let t = Instant::now();
            step(&mut app, &mut s, key(KeyCode::Char(c)));
            term.draw(|f| view::view(&s, theme, f)).unwrap();
            v.push(t.elapsed());
        }
        step(&mut app, &mut s, key(KeyCode::Esc));
    }
    println!(
        "[{label}] filter per key (update + frame): {}   [budget ≤ 10 ms per key]",
        stats(v)
    );
    // Sort: `s` cycles the findings' sort column (issue 8/10: goal p99 ≤ 16 ms).
    step(&mut app, &mut s, key(KeyCode::Char('3')));
    let mut v = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for _ in 0..24 {
        let t = Instant::now();
        step(&mut app, &mut s, key(KeyCode::Char('s')));
        term.draw(|f| view::view(&s, theme, f)).unwrap();
        let took = t.elapsed();
        if took > slowest.0 {
            slowest = (took, format!("{:?}", s.findings.sort));
        }
        v.push(took);
    }
    println!(
        "[{label}] key→frame for a sort (s): {}   [goal p99 ≤ 16 ms] (slowest: by {})",
        stats(v),
        slowest.1
    );
    // Edit: record a result on the checklist (durable commit, then the view updates).
    step(&mut app, &mut s, key(KeyCode::Char('2')));
    step(&mut app, &mut s, key(KeyCode::Char('n')));
    let mut v = Vec::new();
    for i in 0..10 {
        let t = Instant::now();
        step(&mut app, &mut s, key(KeyCode::Char(if i % 2 == 0 { 'c' } else { 'p' })));
        term.draw(|f| view::view(&s, theme, f)).unwrap();
        v.push(t.elapsed());
    }
    println!(
        "[{label}] key→frame for an edit (c / p on the checklist): {}   [goal p99 ≤ 16 ms]",
        stats(v)
    );
    // Where an edit's time goes: the durable commit, reading back the touched
    // records, patching them in and refreshing the views.
    let ind = s.data.as_ref().unwrap().catalog.indicators[0].id.clone();
    let (mut commit, mut read, mut apply) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..10 {
        let result = if i % 2 == 0 {
            cscaudit::model::assessment::AssessmentResult::Conforming
        } else {
            cscaudit::model::assessment::AssessmentResult::Partially
        };
        let t = Instant::now();
        app.record_assessment(
            engagement,
            &ind,
            cscaudit::app::AssessmentInput {
                result: Some(result),
                ..Default::default()
            },
        )
        .unwrap();
        commit.push(t.elapsed());
        let t = Instant::now();
        let patch = cscaudit::tui::data::Data::patch(&app, engagement).unwrap().unwrap();
        read.push(t.elapsed());
        let t = Instant::now();
        step(&mut app, &mut s, Input::Patched(Box::new(patch)));
        apply.push(t.elapsed());
    }
    println!(
        "[{label}]   an edit's parts: commit {}; read back {}; patch + views {}",
        stats(commit),
        stats(read),
        stats(apply)
    );
    // A finding's title edited (its place in the title order moves, the
    // status report is rebuilt): commit, read back, patch, views, frame.
    step(&mut app, &mut s, key(KeyCode::Char('3')));
    let reference = s.data.as_ref().unwrap().findings[0].reference.clone();
    let mut v = Vec::new();
    let mut parts = Vec::new();
    for i in 0..10 {
        let t = Instant::now();
        app.edit_finding(&reference, "title", &format!("排班 {i}")).unwrap();
        let committed = t.elapsed();
        let patch = cscaudit::tui::data::Data::patch(&app, engagement).unwrap().unwrap();
        let t2 = Instant::now();
        step(&mut app, &mut s, Input::Patched(Box::new(patch)));
        term.draw(|f| view::view(&s, theme, f)).unwrap();
        parts.push(t2.elapsed());
        v.push(committed + t2.elapsed());
    }
    println!(
        "[{label}] a finding's title edited (commit + patch + views + frame): {}; without the commit {}",
        stats(v),
        stats(parts)
    );
    let _ = Chord::parse("j");
}

/// Spawn the release binary in a pty; time to the first drawn frame and to the
/// frame with data.
fn first_frame(bin: &Path, dir: &Path, engagement: &str, ready: &str) -> (Duration, Duration, f64) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(["--data-dir", dir.to_str().unwrap(), "--engagement", engagement]);
    cmd.env("LANG", "en_US.UTF-8");
    cmd.env("TERM", "xterm-256color");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut parser = vt100::Parser::new(40, 120, 0);
    let mut first = None;
    let mut buf = [0u8; 65536];
    let full = loop {
        let n = reader.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break start.elapsed();
        }
        parser.process(&buf[..n]);
        let text = parser.screen().contents();
        if first.is_none() && text.contains("cscaudit") {
            first = Some(start.elapsed());
        }
        if text.contains(ready) {
            break start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(60) {
            break start.elapsed();
        }
    };
    // Peak resident memory of the app once the data is on screen.
    let rss = peak_rss_mib(child.process_id()).unwrap_or(f64::NAN);
    let _ = child.kill();
    let _ = child.wait();
    (first.unwrap_or(full), full, rss)
}

fn main() {
    let n = arg("--findings", 100_000);
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&base).unwrap();
    let demo_dir = base.join("tui-demo");
    let scale_dir = base.join(format!("tui-scale-{n}"));
    {
        let mut app = App::open(&demo_dir).unwrap();
        demo::seed(&mut app).unwrap();
    }
    if !scale_dir.join("db").exists() {
        let mut app = App::open(&scale_dir).unwrap();
        app.set_identity("zhang.wei", "张伟 Zhang Wei", "ZW").unwrap();
        let t = Instant::now();
        demo::seed_scale(&app, n, &mut |_| {}).unwrap();
        println!(
            "generated {n} findings in {:.1} s (demo --scale {n})",
            t.elapsed().as_secs_f64()
        );
    }
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/cscaudit");
    // `cargo bench --bench tui -- --in-process` skips the pty runs (quicker).
    let pty = !std::env::args().any(|a| a == "--in-process");
    if !pty {
    } else if bin.exists() {
        for (label, dir, eng) in [
            ("demo", &demo_dir, demo::DEMO_ENGAGEMENT),
            ("100k", &scale_dir, demo::SCALE_ENGAGEMENT),
        ] {
            let mut firsts = Vec::new();
            let mut fulls = Vec::new();
            let mut rss: f64 = 0.0;
            for _ in 0..5 {
                let (a, b, r) = first_frame(&bin, dir, eng, "Remediation at a glance");
                firsts.push(a);
                fulls.push(b);
                rss = rss.max(r);
            }
            println!(
                "[{label}] release binary in a pty: first frame {}; frame with data {}   [budget first frame ≤ 150 ms]",
                stats(firsts),
                stats(fulls)
            );
            println!("[{label}] release binary peak RSS with the data on screen: {rss:.0} MiB   [budget ≤ 200 MB]");
        }
    } else {
        println!("(build the release binary first for the time-to-first-frame figures: cargo build --release)");
    }
    measure("demo", &demo_dir, demo::DEMO_ENGAGEMENT);
    measure("100k", &scale_dir, demo::SCALE_ENGAGEMENT);
}
