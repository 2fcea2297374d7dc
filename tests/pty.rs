//! The real binary in a pseudo-terminal (portable-pty + vt100): switch through
//! the four panes, open help, filter it, quit; check the screen at each step
//! and that the terminal is back in cooked mode afterwards.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Screen {
    parser: vt100::Parser,
    rx: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

/// Run the app on `data` in a pseudo-terminal of `rows`×`cols`; afterwards the
/// shell prints the exit code and `stty -a` (the modes the app left behind).
fn run_in_pty(data: &std::path::Path, config: &std::path::Path, rows: u16, cols: u16, env: &[(&str, &str)]) -> Screen {
    run_args_in_pty(data, config, "", rows, cols, env)
}

/// The shell's own line before the program: Ctrl-C reaches the whole
/// foreground group, and the shell must live on to print the exit code.
const SHELL_SURVIVES_CTRL_C: &str = "trap ':' INT; ";

/// [`run_in_pty`] with arguments (already quoted for `sh`).
fn run_args_in_pty(
    data: &std::path::Path,
    config: &std::path::Path,
    args: &str,
    rows: u16,
    cols: u16,
    env: &[(&str, &str)],
) -> Screen {
    let bin = env!("CARGO_BIN_EXE_cscaudit");
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new("sh");
    cmd.args([
        "-c",
        &format!(
            "{SHELL_SURVIVES_CTRL_C}'{bin}' --data-dir '{}' {args}; echo EXIT=$?; stty -a",
            data.display()
        ),
    ]);
    cmd.env("TERM", "xterm-256color");
    // Relative paths typed into forms land beside the data folder.
    if let Some(parent) = data.parent() {
        cmd.cwd(parent);
    }
    cmd.env("CSCAUDIT_CONFIG_DIR", config);
    cmd.env_remove("LC_ALL");
    cmd.env_remove("LC_MESSAGES");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let writer = pair.master.take_writer().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    Screen {
        parser: vt100::Parser::new(rows, cols, 200),
        rx,
        writer,
        child,
    }
}

impl Screen {
    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }
    fn pump(&mut self) {
        while let Ok(bytes) = self.rx.try_recv() {
            self.parser.process(&bytes);
        }
    }
    fn text(&mut self) -> String {
        self.pump();
        self.parser.screen().contents()
    }
    /// Wait until the screen shows `needle` (or fail with the screen).
    fn wait_for(&mut self, needle: &str) -> String {
        self.wait_up_to(needle, 20)
    }
    /// Wait until the screen no longer shows `needle`.
    fn wait_gone(&mut self, needle: &str) {
        let start = Instant::now();
        while self.text().contains(needle) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "still {needle:?}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    /// In the tasks view: wait until the job labelled `label` has ended;
    /// its row.
    fn ended(&mut self, label: &str) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            // A row of the view: its state first, then the label.
            let row = t.lines().find(|l| {
                l.split('│').any(|cell| {
                    let c = cell.trim_start();
                    (c.starts_with("done") || c.starts_with("failed")) && c.contains(label)
                })
            });
            if let Some(row) = row {
                return row.to_string();
            }
            assert!(start.elapsed() < Duration::from_secs(300), "{label} still runs:\n{t}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    /// [`Screen::wait_for`] for up to `secs` seconds (long work).
    fn wait_up_to(&mut self, needle: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {needle:?}; screen:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn the_real_binary_in_a_pty() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_cscaudit");
    let data = dir.path().join("demo");
    let seeded = std::process::Command::new(bin)
        .args(["--data-dir", data.to_str().unwrap(), "demo", "--no-tui"])
        .env("CSCAUDIT_CONFIG_DIR", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(seeded.status.success());

    let mut screen = run_in_pty(&data, &dir.path().join("config"), 40, 120, &[("LANG", "en_US.UTF-8")]);

    let t = screen.wait_for("Remediation at a glance");
    assert!(
        t.contains("DEMO-S2") && t.contains("[provisional catalogue]") && t.contains("Oldest overdue"),
        "{t}"
    );
    screen.send("2");
    screen.wait_for("Checklist 27/27");
    let t = screen.wait_for("AC-02 20-second");
    assert!(t.contains("nonconforming"), "{t}");
    screen.send("3");
    screen.wait_for("Findings 16/16");
    let t = screen.wait_for("ZW-005");
    assert!(t.contains("LM-001"), "{t}");
    screen.send("4");
    screen.wait_for("Remediation 26/26");
    // The rows may arrive a frame after the title (a loaded machine).
    let t = screen.wait_for("run the failover drill");
    assert!(t.contains("+12d"), "{t}");
    screen.send("?");
    screen.wait_for("type to filter");
    screen.send("remed");
    let t = screen.wait_for("> remed");
    assert!(
        t.contains("Go to remediation") && !t.contains("Go to the dashboard"),
        "{t}"
    );
    screen.send("\x1b");
    // Esc alone waits briefly for an escape sequence; give the popup time to close.
    let start = Instant::now();
    while screen.text().contains("type to filter") && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!screen.text().contains("type to filter"), "help did not close");
    screen.send("1");
    screen.wait_for("Remediation at a glance");
    screen.send("q");
    let t = screen.wait_for("EXIT=");
    assert!(t.contains("EXIT=0"), "{t}");
    // stty's local modes line (icanon, echo) may come a moment after its first.
    let t = screen.wait_for("icanon");
    // Cooked mode: canonical input and echo are back on.
    let modes: String = t
        .split_whitespace()
        .filter(|w| w.trim_start_matches('-') == "icanon" || w.trim_start_matches('-') == "echo")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        modes.contains("icanon") && !modes.contains("-icanon"),
        "stty: {modes}\n{t}"
    );
    assert!(modes.split(' ').any(|w| w == "echo"), "stty: {modes}\n{t}");
    assert!(!screen.parser.screen().alternate_screen(), "left the alternate screen");
    let status = screen.child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn a_panic_restores_the_terminal_and_writes_a_crash_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut screen = run_in_pty(
        &data,
        &dir.path().join("config"),
        24,
        80,
        &[("CSCAUDIT_TEST_PANIC", "1")],
    );
    // stty's local modes line may come a moment after its first.
    let t = screen.wait_for("icanon");
    assert!(t.contains("EXIT=101"), "{t}");
    assert!(t.contains("a report was written to"), "{t}");
    assert!(!screen.parser.screen().alternate_screen());
    let modes: Vec<&str> = t
        .split_whitespace()
        .filter(|w| w.trim_start_matches('-') == "icanon")
        .collect();
    assert_eq!(modes, vec!["icanon"], "{t}");
    let reports: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("crash-"))
        .collect();
    assert_eq!(reports.len(), 1);
    let report = std::fs::read_to_string(reports[0].path()).unwrap();
    assert!(
        report.contains("test panic requested") && report.contains("backtrace"),
        "{report}"
    );
    screen.child.wait().unwrap();
}

fn cli(data: &std::path::Path, config: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cscaudit"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("CSCAUDIT_CONFIG_DIR", config)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const TAB: &str = "\t";
const ENTER: &str = "\r";
const SAVE: &str = "\x13"; // Ctrl-S
const RIGHT: &str = "\x1b[C";

#[test]
fn a_new_user_runs_an_audit_in_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    let env = [("LANG", "en_US.UTF-8")];

    // The lead, from an empty folder: identity, engagement, the second auditor.
    let mut s = run_in_pty(&data, &config, 40, 120, &env);
    s.wait_for("Who are you?");
    s.send(&format!("zhang.wei{TAB}张伟{TAB}ZW{TAB}CCAA-2019-1{ENTER}{ENTER}"));
    s.wait_for("New engagement");
    s.send(&format!(
        "某银行客户服务中心{TAB}上海{TAB}{TAB}2026-07-01{TAB}2026-09-30{SAVE}"
    ));
    s.wait_for("Created");
    s.send("a");
    s.wait_for("Add a team member");
    s.send(&format!("li.min{TAB}李敏{TAB}LM{TAB}{TAB}CCAA-2021-2{SAVE}"));
    s.wait_for("Team member: 李敏");

    // Three assessments, one with notes typed in Chinese; the third is undone.
    s.send("2n");
    s.wait_for("Checklist");
    s.send("c");
    s.wait_for("assessed");
    s.send("ne");
    s.wait_for("Notes");
    s.send(&format!("夜班排班不足{SAVE}"));
    s.wait_for("notes saved");
    s.send("p");
    s.send("nc");
    s.send("u");
    s.wait_for("Undone");

    // A minor finding, issued at once, the auditee's response, one action, the plan accepted.
    s.send("f");
    s.wait_for("Raise a finding");
    s.send(&format!(
        "{TAB}{TAB}录音抽查 60 通中 3 通缺失{TAB}{TAB}{TAB}{RIGHT}{SAVE}"
    ));
    s.wait_for("Raised ZW-001");
    s.send("3gg");
    s.send("m");
    s.wait_for("Record the auditee's response");
    s.send(ENTER);
    s.wait_for("Root cause");
    s.send(&format!("录音服务器磁盘满{TAB}已清理磁盘{SAVE}"));
    s.wait_for("ZW-001 → responded");
    s.send("a");
    s.wait_for("Add a corrective action");
    s.send(&format!("增加磁盘告警{TAB}刘洋 信息技术部{TAB}+30d{ENTER}"));
    s.wait_for("Added ZW-CA001");
    s.send("m");
    s.wait_for("Accept the corrective-action plan");
    s.send(ENTER);
    s.send("y");
    s.wait_for("ZW-001 → plan-accepted");
    // Completion evidence on the action.
    s.send("4gge");
    s.wait_for("Update the corrective action");
    s.send(&format!("{RIGHT}{RIGHT}{TAB}{TAB}告警配置截图{SAVE}"));
    s.wait_for("ZW-CA001 completed");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();

    // The other auditor verifies it on the same copy.
    cli(
        &data,
        &config,
        &["identity", "set", "li.min", "--name", "李敏", "--initials", "LM"],
    );
    let mut s = run_in_pty(&data, &config, 40, 120, &env);
    s.wait_for("Remediation at a glance");
    s.send("4ggy");
    s.wait_for("Verify the corrective action");
    s.send(&format!("{TAB}抽查告警记录：有效{SAVE}"));
    s.wait_for("ZW-CA001 verified-effective");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();

    let status: serde_json::Value = serde_json::from_str(&cli(&data, &config, &["status", "--json"])).unwrap();
    assert_eq!(status["actions_by_status"]["verified-effective"], 1, "{status}");
    // Three assessments were recorded and the third undone.
    assert_eq!(status["scorecard"]["overall"]["assessed"], 2, "{status}");
    let history = cli(&data, &config, &["history", "ZW-CA001"]);
    assert!(history.contains("zhang.wei") && history.contains("li.min"), "{history}");
    assert!(history.contains("status → verified-effective"), "{history}");
    let finding = cli(&data, &config, &["history", "ZW-001"]);
    for step in ["status → issued", "status → responded", "status → plan-accepted"] {
        assert!(finding.contains(step), "{step}:\n{finding}");
    }
}

#[test]
fn the_cli_works_beside_the_open_tui_and_the_tui_shows_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let mut s = run_in_pty(&data, &config, 40, 120, &[("LANG", "en_US.UTF-8")]);
    s.wait_for("Remediation at a glance");
    s.send("3");
    s.wait_for("Findings 16/16");
    // Reading and writing from another terminal while the TUI is open.
    let status = cli(&data, &config, &["status"]);
    assert!(status.contains("DEMO-S2"), "{status}");
    let raised = cli(
        &data,
        &config,
        &[
            "finding",
            "raise",
            "--grade",
            "observation",
            "--title",
            "raised from the CLI beside the TUI",
            "--indicator",
            "AC-01",
        ],
    );
    assert!(raised.contains("ZW-006"), "{raised}");
    // The TUI notices within a tick or two.
    let t = s.wait_for("Findings 17/17");
    assert!(t.contains("raised from the CLI beside"), "{t}");
    // And the TUI still saves after the CLI's write.
    s.send("Gm");
    s.wait_for("Move ZW-006");
    s.send("q");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
}

/// Long work runs off the UI thread: attaching a large evidence file shows a
/// progress line while the panes still switch and the CLI still works on
/// the same data folder; Esc cancels it, nothing is recorded and no partial
/// copy is left in the evidence folder.
#[test]
fn long_work_runs_off_the_ui_thread_with_progress_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let before = cli(&data, &config, &["evidence", "list"]);
    // 8 GiB, sparse: it costs no disk until read (and the copy stops at Esc).
    let big = dir.path().join("录音抽样.wav");
    std::fs::File::create(&big).unwrap().set_len(8 << 30).unwrap();
    let mut s = run_in_pty(&data, &config, 40, 120, &[("LANG", "en_US.UTF-8")]);
    s.wait_for("Remediation at a glance");
    s.send("2");
    s.wait_for("Checklist");
    s.send("n");
    s.send("a");
    s.wait_for("attach evidence");
    s.send(&big.display().to_string());
    s.send(SAVE);
    let t = s.wait_for("Hashing and storing");
    assert!(t.contains("% ("), "a progress line with a percentage: {t}");
    // The UI keeps taking keys, and the database is free for the CLI.
    s.send("3");
    s.wait_for("Findings 16/16");
    let status = cli(&data, &config, &["status"]);
    assert!(status.contains("DEMO-S2"), "{status}");
    s.wait_for("Hashing and storing");
    s.send("\x1b");
    let t = s.wait_for("Cancelled");
    assert!(t.contains("nothing was recorded"), "{t}");
    assert_eq!(cli(&data, &config, &["evidence", "list"]), before);
    let leftovers: Vec<_> = walk(&data.join("blobs"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".incoming."))
        .collect();
    assert!(leftovers.is_empty(), "partial copies left: {leftovers:?}");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `L` switches the language and is remembered: the next start is in it.
#[test]
fn the_language_switch_is_remembered_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let mut s = run_in_pty(&data, &config, 40, 120, &[("LANG", "en_US.UTF-8")]);
    s.wait_for("Remediation at a glance");
    s.send("L");
    s.wait_for("整改概况");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
    let saved = std::fs::read_to_string(config.join("config.toml")).unwrap();
    assert!(saved.contains("language = \"zh-CN\""), "{saved}");
    let mut again = run_in_pty(&data, &config, 40, 120, &[("LANG", "en_US.UTF-8")]);
    again.wait_for("整改概况");
    again.send("q");
    again.wait_for("EXIT=0");
    again.child.wait().unwrap();
}

/// Ctrl-G in the notes editor runs `$EDITOR` in the real terminal: the TUI
/// steps aside, takes the text back and redraws; keys typed after reach the
/// TUI again.
#[cfg(unix)]
#[test]
fn the_users_editor_runs_in_the_terminal_and_the_tui_comes_back() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let editor = dir.path().join("ed.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\necho 'EDITOR RAN'\nsleep 0.3\necho '夜班抽查 12 通' >> \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ed = editor.display().to_string();
    let mut s = run_in_pty(
        &data,
        &config,
        40,
        120,
        &[("LANG", "en_US.UTF-8"), ("EDITOR", ed.as_str()), ("VISUAL", "")],
    );
    s.wait_for("Remediation at a glance");
    s.send("2n");
    s.send("e");
    s.wait_for("Ctrl-G");
    s.send("\x07");
    s.wait_for("EDITOR RAN");
    s.wait_for("夜班抽查 12 通");
    // The whole screen is drawn again (the form and the panes behind it).
    let t = s.wait_for("Ctrl-S save");
    assert!(t.contains("Checklist") && t.contains("夜班抽查 12 通"), "{t}");
    s.send(SAVE);
    s.wait_for("notes saved");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
}

/// A long export shows a progress bar on the terminal, and Ctrl-C stops it
/// with a message and no file left behind (not even the temporary one).
#[test]
fn ctrl_c_stops_a_long_export_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    // 768 MiB (sparse to make; stored densely as evidence).
    let big = dir.path().join("全天录音.wav");
    std::fs::File::create(&big).unwrap().set_len(768 << 20).unwrap();
    cli(
        &data,
        &config,
        &["evidence", "add", big.to_str().unwrap(), "--indicator", "QU-04"],
    );
    std::fs::remove_file(&big).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let bundle = out.join("b.zip");
    let mut s = run_args_in_pty(
        &data,
        &config,
        &format!("export --out '{}'", bundle.display()),
        24,
        100,
        &[("LANG", "en_US.UTF-8")],
    );
    let t = s.wait_for("copying evidence");
    assert!(t.contains("MiB"), "bytes on the bar: {t}");
    s.send("\x03");
    let t = s.wait_for("EXIT=");
    assert!(t.contains("cancelled; nothing was written"), "{t}");
    assert!(t.contains("EXIT=1"), "{t}");
    s.child.wait().unwrap();
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(left.is_empty(), "nothing in the output folder: {left:?}");
}

/// The real TUI killed with SIGKILL at varying moments while findings are
/// raised through its form, 200 times over one database: every finding the
/// UI reported as raised ("Raised ZW-…") is there afterwards, and the
/// database opens and checks clean each time.
#[test]
fn sigkill_of_the_tui_mid_edit_loses_nothing_it_reported_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let bin = env!("CARGO_BIN_EXE_cscaudit");
    let mut acknowledged: Vec<String> = Vec::new();
    let mut seed: u64 = 0x5eed_cafe;
    let mut rand = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let kills = 200;
    for round in 0..kills {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(["--data-dir", data.to_str().unwrap()]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("CSCAUDIT_CONFIG_DIR", &config);
        cmd.env("LANG", "en_US.UTF-8");
        cmd.env_remove("LC_ALL");
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut s = Screen {
            parser: vt100::Parser::new(30, 100, 0),
            rx,
            writer: pair.master.take_writer().unwrap(),
            child: Box::new(NoChild),
        };
        let pid = child.process_id().unwrap();
        // Some raises that complete, then one killed at a random moment
        // after its save was sent (before, during or after the commit).
        let complete = rand(3);
        s.wait_for("Remediation at a glance");
        s.send("2");
        s.wait_for("Checklist");
        for i in 0..=complete {
            s.send("f");
            s.wait_for("Raise a finding");
            // An observation (a nonconformity would need a statement too).
            s.send(&format!("{RIGHT}{RIGHT}{TAB}断电测试 {round}-{i}{SAVE}"));
            if i == complete {
                std::thread::sleep(Duration::from_micros(rand(40_000)));
                break;
            }
            let t = s.wait_for("Raised ZW-");
            let r = t.split("Raised ").nth(1).unwrap().split_whitespace().next().unwrap();
            acknowledged.push(r.to_string());
        }
        // What the screen says right before the kill counts too.
        let t = s.text();
        std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        if let Some(r) = t.split("Raised ").nth(1).and_then(|x| x.split_whitespace().next())
            && !acknowledged.iter().any(|a| a == r)
        {
            acknowledged.push(r.to_string());
        }
        child.wait().unwrap();
        if round % 50 == 49 || round == kills - 1 {
            let list = cli(&data, &config, &["finding", "list"]);
            for r in &acknowledged {
                assert!(
                    list.lines().any(|l| l.split_whitespace().next() == Some(r.as_str())),
                    "{r} was reported raised and is missing after kill {round}"
                );
            }
            cli(&data, &config, &["debug", "check"]);
        }
    }
    eprintln!(
        "{} findings reported raised across {kills} kills; all present",
        acknowledged.len()
    );
    assert!(acknowledged.len() >= kills as usize / 2, "{}", acknowledged.len());
}

/// A stand-in for [`Screen::child`] where the test waits on the child itself.
#[derive(Debug)]
struct NoChild;

impl portable_pty::ChildKiller for NoChild {
    fn kill(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn clone_killer(&self) -> Box<dyn portable_pty::ChildKiller + Send + Sync> {
        Box::new(NoChild)
    }
}

impl portable_pty::Child for NoChild {
    fn try_wait(&mut self) -> std::io::Result<Option<portable_pty::ExitStatus>> {
        Ok(None)
    }
    fn wait(&mut self) -> std::io::Result<portable_pty::ExitStatus> {
        Ok(portable_pty::ExitStatus::with_exit_code(0))
    }
    fn process_id(&self) -> Option<u32> {
        None
    }
}

/// SIGTERM and SIGHUP leave the terminal as `q` does: cooked mode, main
/// screen, and a clean exit.
#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in ["TERM", "HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
        cli(&data, &config, &["demo", "--no-tui"]);
        let mut s = run_in_pty(&data, &config, 24, 80, &[("LANG", "en_US.UTF-8")]);
        s.wait_for("Remediation at a glance");
        assert!(s.parser.screen().alternate_screen());
        let shell = s.child.process_id().unwrap();
        let pgrep = std::process::Command::new("pgrep")
            .args(["-P", &shell.to_string()])
            .output()
            .unwrap();
        let tui = String::from_utf8(pgrep.stdout).unwrap().trim().to_string();
        assert!(!tui.is_empty(), "the TUI's pid");
        std::process::Command::new("kill")
            .args([&format!("-{sig}"), &tui])
            .status()
            .unwrap();
        // stty's local modes line may come a moment after its first.
        let t = s.wait_for("icanon");
        assert!(t.contains("EXIT=0"), "SIG{sig}: {t}");
        assert!(
            !s.parser.screen().alternate_screen(),
            "SIG{sig}: left the alternate screen"
        );
        let modes: Vec<&str> = t
            .split_whitespace()
            .filter(|w| w.trim_start_matches('-') == "icanon")
            .collect();
        assert_eq!(modes, vec!["icanon"], "SIG{sig}: {t}");
        s.child.wait().unwrap();
    }
}

/// The first frame is drawn before the database is opened: while another
/// process holds the database the TUI already shows its loading frame (and
/// no figures), and the dashboard as soon as the database is free. When the
/// user gives up waiting (q), the TUI leaves the alternate screen and the
/// error is printed on the user's own screen, the terminal in cooked mode.
#[test]
fn the_first_frame_comes_before_the_database_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let held = cscaudit::app::App::open(&data).unwrap();
    let mut s = run_in_pty(&data, &config, 40, 120, &[("LANG", "en_US.UTF-8")]);
    let t = s.wait_for("Waiting for another cscaudit process to let go of the database");
    assert!(s.parser.screen().alternate_screen(), "{t}");
    // It cannot open the database while this test holds it.
    std::thread::sleep(Duration::from_millis(700));
    let t = s.text();
    assert!(!t.contains("Remediation at a glance"), "{t}");
    drop(held);
    s.wait_for("Remediation at a glance");
    s.send("q");
    let t = s.wait_for("EXIT=");
    assert!(t.contains("EXIT=0"), "{t}");
    s.child.wait().unwrap();

    // The user gives up waiting (q): the screen is left and the error said.
    let held = cscaudit::app::App::open(&data).unwrap();
    let mut s = run_in_pty(&data, &config, 24, 80, &[("LANG", "zh_CN.UTF-8")]);
    s.wait_for("正在等待另一个 cscaudit 进程释放数据库");
    s.send("q");
    let t = s.wait_for("icanon");
    assert!(t.contains("EXIT=1"), "{t}");
    assert!(t.contains("正被另一个 cscaudit 进程使用"), "{t}");
    assert!(!s.parser.screen().alternate_screen(), "left the alternate screen");
    let modes: Vec<&str> = t
        .split_whitespace()
        .filter(|w| w.trim_start_matches('-') == "icanon")
        .collect();
    assert_eq!(modes, vec!["icanon"], "{t}");
    s.child.wait().unwrap();
    drop(held);
}

/// A command waits for another process to let go of the database (a TUI
/// reading a large engagement holds it for seconds), says so on stderr, and
/// runs once it is free.
#[test]
fn a_command_waits_for_the_database_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    let held = cscaudit::app::App::open(&data).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cscaudit"))
        .args(["--data-dir", data.to_str().unwrap(), "--lang", "en", "status"])
        .env("CSCAUDIT_CONFIG_DIR", &config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Longer than the 5 s the CLI used to wait.
    std::thread::sleep(Duration::from_secs(6));
    drop(held);
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("waiting for another cscaudit process to let go of the database"),
        "{stderr}"
    );
    assert!(stdout.contains("DEMO-S2"), "{stdout}");
}

/// At 100,000 findings, export (`x`), import (`I`) and sync (`S`) are jobs:
/// the screen answers keys while each runs (`2` shows the checklist; a
/// change is refused at once with the reason, not after a frozen wait), the
/// tasks view (`T`) lists it with its progress, and Esc there cancels it,
/// leaving no file. The first export runs to its end and is what the
/// import reads.
#[test]
fn at_100000_findings_export_import_and_sync_run_as_jobs_while_the_screen_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("scale"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui", "--scale", "100000"]);
    let remote = dir.path().join("team.git");
    let st = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap();
    assert!(st.success());
    cli(&data, &config, &["remote", "add", "origin", remote.to_str().unwrap()]);
    // What `doctor` finds (the database files' size aside, which sled's own
    // bookkeeping changes).
    let checked = |out: String| -> String { out.lines().filter(|l| !l.starts_with("database files")).collect() };
    let ops_before = checked(cli(&data, &config, &["doctor"]));

    let mut s = run_args_in_pty(&data, &config, "-e DEMO-SCALE", 40, 120, &[("LANG", "en_US.UTF-8")]);
    s.wait_for("Remediation at a glance");
    // The lists arrive after the first frame at this size.
    s.wait_gone("Loading");

    // Export, to its end, while the user walks the checklist.
    s.send("x");
    s.wait_for("Export a findings bundle");
    s.send("\x15team.zip");
    s.send(SAVE);
    s.wait_for("Exporting team.zip");
    s.send("2");
    let t = s.wait_for("Checklist 27/27");
    assert!(
        t.contains("Exporting team.zip"),
        "the export runs on while the checklist is shown: {t}"
    );
    // A change waits for the job: said at once, the screen not frozen.
    s.send("j");
    s.send("j");
    s.send("c");
    s.wait_for("is using the database");
    s.send("T");
    let t = s.wait_for("running");
    assert!(t.contains("Tasks") && t.contains("Exporting team.zip"), "{t}");
    s.send("q");
    let t = s.wait_up_to("exported team.zip", 300);
    assert!(t.contains("operations"), "{t}");
    assert!(dir.path().join("team.zip").is_file());

    // Import: the checklist answers; Esc in the tasks view cancels it.
    s.send("1");
    s.send("I");
    s.wait_for("Import a teammate");
    s.send("team.zip");
    s.send(SAVE);
    s.wait_for("Importing team.zip");
    s.send("2");
    let t = s.wait_for("Checklist 27/27");
    assert!(t.contains("Importing team.zip"), "{t}");
    s.send("T");
    s.wait_for("running");
    s.send("\x1b");
    let t = s.ended("Importing team.zip");
    assert!(t.contains("Cancelled"), "{t}");
    s.send("q");

    // Export again, cancelled: no file, no partial file.
    s.send("1");
    s.send("x");
    s.wait_for("Export a findings bundle");
    s.send("\x15again.zip");
    s.send(SAVE);
    s.wait_for("Exporting again.zip");
    s.send("T");
    s.wait_for("running");
    s.send("\x1b");
    let t = s.ended("Exporting again.zip");
    assert!(t.contains("Cancelled"), "{t}");
    s.send("q");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("again"))
        .collect();
    assert!(left.is_empty(), "a cancelled export leaves nothing: {left:?}");

    // Sync: the same.
    s.send("1");
    s.send("S");
    s.wait_for("Syncing with the remotes");
    s.send("2");
    let t = s.wait_for("Checklist 27/27");
    assert!(t.contains("Syncing with the remotes"), "{t}");
    s.send("T");
    s.wait_for("running");
    s.send("\x1b");
    // Before the merge nothing changed; after it, what merged stays and the
    // push waits for the next sync.
    let t = s.ended("Syncing with the remotes");
    assert!(
        t.contains("Sync cancelled") || t.contains("pushing was cancelled"),
        "{t}"
    );
    s.send("q");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
    // Nothing the cancelled work touched is damaged or half there.
    assert_eq!(checked(cli(&data, &config, &["doctor"])), ops_before);
}

/// A test call recorded in the real binary, in Chinese: the dashboard counts
/// the campaign, `c` opens the form on the next call not yet made, and a call
/// that did not get through is saved with nothing else judged.
#[test]
fn a_test_call_is_recorded_from_the_dashboard_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("demo"), dir.path().join("config"));
    cli(&data, &config, &["demo", "--no-tui"]);
    cli(
        &data,
        &config,
        &[
            "testcall",
            "plan",
            "--campaign",
            "冬季",
            "--calls",
            "4",
            "--services",
            "信用卡",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-05",
            "--seed",
            "3",
        ],
    );
    let mut s = run_args_in_pty(&data, &config, "--lang zh", 40, 120, &[]);
    // The demo's campaign made 18 of its 24 calls; 4 more are planned.
    s.wait_for("18  / 28 通测试电话已拨打");
    s.send("c");
    s.wait_for("记录测试电话");
    // Call TC-019, the first not made: connected (yes); IVR, agent and
    // answer start unjudged (—): → to yes each; the wait.
    s.send(&TAB.repeat(2));
    s.send(RIGHT);
    s.send(TAB);
    s.send(RIGHT);
    s.send(TAB);
    s.send(RIGHT);
    s.send(TAB);
    s.send("42");
    s.send(SAVE);
    s.wait_for("已记录 TC-019");
    s.wait_for("19  / 28 通测试电话已拨打");
    // The next call: not connected (a wait typed is not kept).
    s.send("c");
    s.wait_for("TC-020");
    s.send(TAB);
    s.send(RIGHT);
    s.send(&TAB.repeat(4));
    s.send("9");
    s.send(SAVE);
    s.wait_for("未接通");
    s.send("q");
    s.wait_for("EXIT=0");
    s.child.wait().unwrap();
    let list: serde_json::Value = serde_json::from_str(&cli(&data, &config, &["testcall", "list", "--json"])).unwrap();
    let (one, two) = (&list[18], &list[19]);
    assert_eq!(
        (one["id"].as_str(), two["id"].as_str()),
        (Some("DEMO-S2/TC-019"), Some("DEMO-S2/TC-020"))
    );
    assert_eq!(one["connected"], true);
    assert_eq!(one["correct"], true);
    assert_eq!(one["wait_s"], 42);
    assert_eq!(one["caller"], "zhang.wei");
    assert_eq!(two["connected"], false);
    assert!(
        two["correct"].is_null() && two["ivr_to_agent"].is_null() && two["wait_s"].is_null(),
        "{two}"
    );
    assert_eq!(one["ivr_to_agent"], true);
    assert_eq!(one["identified"], true);
    assert!(list[20]["called_at"].is_null());
}
