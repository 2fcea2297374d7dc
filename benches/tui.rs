//! TUI budgets from ARCHITECTURE.md, measured on the demo and on a database of
//! 100,000 findings and 20,000 corrective actions (`demo --scale 100000`):
//! loading, frame build at 120×40 per pane, key press to drawn frame,
//! incremental filter per key, peak memory, and time to first frame of the
//! real release binary in a pseudo-terminal.
//!
//! The issue 10 scale table (first frame, edit, sort, `status`, `finding
//! list` to its first screenful, memory after opening and under editing) is
//! printed at the end for every size asked.
//!
//! Run: `cargo bench --bench tui` (sizes 10,000 and 100,000 findings);
//! `-- --sizes 10000,100000,1000000` for others (databases are generated once
//! into target/bench-data, 1,000,000 takes several minutes);
//! `-- --in-process` skips the release binary's runs.

mod common;
use common::{arg, peak_rss_mib, rss_mib};

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
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn p99_ms(v: &[Duration]) -> f64 {
    let mut v = v.to_vec();
    v.sort();
    v[(v.len() - 1) * 99 / 100].as_secs_f64() * 1e3
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    format!(
        "mean {:.3} ms, p50 {:.3}, p99 {:.3}, max {:.3}",
        mean,
        ms(v[v.len() / 2]),
        ms(v[((v.len() - 1) as f64 * 0.99).round() as usize]),
        ms(v[v.len() - 1])
    )
}

fn key(c: KeyCode) -> Input {
    Input::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn measure(label: &str, dir: &Path, engagement: &str) -> (f64, f64) {
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
    let sort_p99 = p99_ms(&v);
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
    let edit_p99 = p99_ms(&v);
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
    // The first issued finding (one withdrawn by hand earlier takes no edit).
    let reference = s
        .data
        .as_ref()
        .unwrap()
        .findings
        .iter()
        .find(|f| f.status == cscaudit::model::finding::FindingStatus::Issued)
        .expect("an issued finding")
        .reference
        .to_string();
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
    (edit_p99, sort_p99)
}

/// What one pty session of the release binary measured.
struct Session {
    first: Duration,
    with_data: Duration,
    lists: Duration,
    rss_open: f64,
    rss_edit: f64,
    rss_edits: f64,
}

/// The screen of a pty, fed by a reader thread.
struct Screen {
    bytes: std::sync::mpsc::Receiver<Vec<u8>>,
    parser: vt100::Parser,
}

impl Screen {
    fn new(mut reader: Box<dyn Read + Send>) -> Screen {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Screen {
            bytes: rx,
            parser: vt100::Parser::new(40, 120, 0),
        }
    }

    /// Read until the screen satisfies `done` (true) or `limit` passes (false).
    fn until(&mut self, limit: Duration, done: &dyn Fn(&str) -> bool) -> bool {
        let start = Instant::now();
        loop {
            if done(&self.parser.screen().contents()) {
                return true;
            }
            let Some(left) = limit.checked_sub(start.elapsed()) else {
                return false;
            };
            match self.bytes.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(b) => self.parser.process(&b),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => return false,
            }
        }
    }
}

/// Spawn the release binary in a pty: time to the first drawn frame, to the
/// frame with data and to the lists; resident memory once the lists are in,
/// after one recorded result and after 20 more.
fn session(bin: &Path, dir: &Path, engagement: &str) -> Session {
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
    let mut keys = pair.master.take_writer().unwrap();
    let mut screen = Screen::new(pair.master.try_clone_reader().unwrap());
    let pid = child.process_id();
    let limit = Duration::from_secs(300);
    screen.until(limit, &|t| t.contains("cscaudit"));
    let first = start.elapsed();
    screen.until(limit, &|t| t.contains("Remediation at a glance"));
    let with_data = start.elapsed();
    // The findings pane, until its rows replace "Loading…".
    keys.write_all(b"3").unwrap();
    screen.until(limit, &|t| t.contains("Findings") && !t.contains("Loading"));
    let lists = start.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let rss_open = pid.and_then(rss_mib).unwrap_or(f64::NAN);
    // The checklist: record a result, then 20 more.
    keys.write_all(b"2").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    keys.write_all(b"c").unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let rss_edit = pid.and_then(rss_mib).unwrap_or(f64::NAN);
    for i in 0..20 {
        keys.write_all(if i % 2 == 0 { b"p" } else { b"c" }).unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let rss_edits = pid.and_then(rss_mib).unwrap_or(f64::NAN);
    let _ = child.kill();
    let _ = child.wait();
    Session {
        first,
        with_data,
        lists,
        rss_open,
        rss_edit,
        rss_edits,
    }
}

/// Wall time of a CLI command run to its end (output discarded).
fn cli_full(bin: &Path, dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = std::process::Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed()
}

/// Time until a CLI command has printed `lines` lines (a screenful), then stop it.
fn cli_first_lines(bin: &Path, dir: &Path, args: &[&str], lines: usize) -> Duration {
    let t = Instant::now();
    let mut child = std::process::Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for _ in 0..lines {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    let took = t.elapsed();
    drop(out);
    let _ = child.kill();
    let _ = child.wait();
    took
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

/// One row of the scale table.
#[derive(Default)]
struct Row {
    findings: u64,
    first_frame: Option<f64>,
    lists: Option<f64>,
    edit_p99: f64,
    sort_p99: f64,
    status: Option<f64>,
    status_kept: Option<f64>,
    list_first: Option<f64>,
    major_first: Option<f64>,
    rss: Option<(f64, f64, f64)>,
}

fn scale_dir(base: &Path, n: u64) -> PathBuf {
    let dir = base.join(format!("tui-scale-{n}"));
    if !dir.join("db").exists() {
        let mut app = App::open(&dir).unwrap();
        app.set_identity("zhang.wei", "张伟 Zhang Wei", "ZW").unwrap();
        let t = Instant::now();
        demo::seed_scale(&app, n, &mut |_| {}).unwrap();
        println!(
            "generated {n} findings in {:.1} s (demo --scale {n})",
            t.elapsed().as_secs_f64()
        );
        // As `demo --scale` does: the bulk load's free space written out.
        let t = Instant::now();
        let r = app.compact(&mut |_, _| true).unwrap();
        println!(
            "compacted {:.0} MB → {:.0} MB in {:.1} s",
            r.before as f64 / 1048576.0,
            r.after as f64 / 1048576.0,
            t.elapsed().as_secs_f64()
        );
    }
    dir
}

fn main() {
    let sizes: Vec<u64> = {
        let args: Vec<String> = std::env::args().collect();
        match args.iter().position(|a| a == "--sizes").and_then(|i| args.get(i + 1)) {
            Some(list) => list.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
            None => vec![10_000, arg("--findings", 100_000)],
        }
    };
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&base).unwrap();
    let demo_dir = base.join("tui-demo");
    {
        let mut app = App::open(&demo_dir).unwrap();
        demo::seed(&mut app).unwrap();
    }
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/cscaudit");
    // `cargo bench --bench tui -- --in-process` skips the release binary's runs.
    let pty = !std::env::args().any(|a| a == "--in-process") && bin.exists();
    if !bin.exists() {
        println!("(build the release binary first for the first-frame, CLI and memory rows: cargo build --release)");
    }
    let mut rows = Vec::new();
    let mut places = vec![("demo".to_string(), demo_dir.clone(), demo::DEMO_ENGAGEMENT, 0u64)];
    for &n in &sizes {
        places.push((format!("{}k", n / 1000), scale_dir(&base, n), demo::SCALE_ENGAGEMENT, n));
    }
    for (label, dir, eng, n) in &places {
        let mut row = Row {
            findings: *n,
            ..Row::default()
        };
        if pty {
            let runs = if *n >= 1_000_000 { 2 } else { 5 };
            let sessions: Vec<Session> = (0..runs).map(|_| session(&bin, dir, eng)).collect();
            let firsts: Vec<Duration> = sessions.iter().map(|s| s.first).collect();
            let datas: Vec<Duration> = sessions.iter().map(|s| s.with_data).collect();
            let lists: Vec<Duration> = sessions.iter().map(|s| s.lists).collect();
            println!(
                "[{label}] release binary in a pty: first frame {}; frame with data {}; lists in {}   [budget first frame ≤ 150 ms]",
                stats(firsts),
                stats(datas.clone()),
                stats(lists.clone())
            );
            let worst = |f: fn(&Session) -> f64| sessions.iter().map(f).fold(0.0, f64::max);
            let rss = (worst(|s| s.rss_open), worst(|s| s.rss_edit), worst(|s| s.rss_edits));
            println!(
                "[{label}] release binary resident memory: {:.0} MiB with the lists, {:.0} MiB after an edit, {:.0} MiB after 21   [budget ≤ 200 MB, flat]",
                rss.0, rss.1, rss.2
            );
            row.first_frame = Some(median(datas));
            row.lists = Some(median(lists));
            row.rss = Some(rss);
            // Computed (the kept output removed first), then kept (nothing changed).
            let status: Vec<Duration> = (0..7)
                .map(|_| {
                    let _ = std::fs::remove_file(dir.join("status-cache"));
                    cli_full(&bin, dir, &["status"])
                })
                .collect();
            println!(
                "[{label}] cscaudit status, computed: {}   [budget ≤ 50 ms]",
                stats(status.clone())
            );
            cli_full(&bin, dir, &["status"]);
            let kept: Vec<Duration> = (0..7).map(|_| cli_full(&bin, dir, &["status"])).collect();
            println!(
                "[{label}] cscaudit status, nothing changed since the last: {}   [budget ≤ 50 ms]",
                stats(kept.clone())
            );
            row.status = Some(median(status));
            row.status_kept = Some(median(kept));
            let list: Vec<Duration> = (0..5)
                .map(|_| cli_first_lines(&bin, dir, &["finding", "list"], 40))
                .collect();
            println!(
                "[{label}] cscaudit finding list, first 40 lines: {}   [budget ≤ 100 ms]",
                stats(list.clone())
            );
            row.list_first = Some(median(list));
            let major: Vec<Duration> = (0..5)
                .map(|_| cli_first_lines(&bin, dir, &["finding", "list", "--grade", "major"], 40))
                .collect();
            println!(
                "[{label}] cscaudit finding list --grade major, first 40 lines: {}   [budget ≤ 100 ms]",
                stats(major.clone())
            );
            row.major_first = Some(median(major));
        }
        let (edit, sort) = measure(label, dir, eng);
        row.edit_p99 = edit;
        row.sort_p99 = sort;
        rows.push(row);
    }
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} ms"));
    println!();
    println!("Scale table (issue 10; medians of the runs above, p99 where said):");
    println!(
        "| findings | frame with data | lists | edit p99 | sort p99 | status computed / unchanged | finding list 1st screen | --grade major | RSS lists / 1 edit / 21 edits |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.1} ms | {:.1} ms | {} / {} | {} | {} | {} |",
            if r.findings == 0 {
                "demo".to_string()
            } else {
                r.findings.to_string()
            },
            ms(r.first_frame),
            ms(r.lists),
            r.edit_p99,
            r.sort_p99,
            ms(r.status),
            ms(r.status_kept),
            ms(r.list_first),
            ms(r.major_first),
            r.rss
                .map_or("-".to_string(), |(a, b, c)| format!("{a:.0} / {b:.0} / {c:.0} MiB"))
        );
    }
    println!(
        "Goals at 100,000: frame with data ≤ 150 ms, edit and sort p99 ≤ 16 ms, status ≤ 50 ms, first screenful ≤ 100 ms, ≤ 200 MB flat; at 1,000,000: frame ≤ 500 ms, status ≤ 100 ms, ≤ 1 GiB."
    );
}
