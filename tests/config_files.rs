//! Every file in keymaps/ and themes/ loads; bad user files each give their
//! expected message with file:line, and the app falls back to defaults.

use cscaudit::tui::commands::{Cmd, KeyContext};
use cscaudit::tui::keymap::{Chord, Keymap, Lookup, parse_layer};
use cscaudit::tui::theme::{ROLES, Theme};
use std::path::{Path, PathBuf};

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn fixture(name: &str) -> PathBuf {
    root("tests/fixtures/config").join(name)
}

fn key(s: &str) -> Vec<Chord> {
    s.split_whitespace().map(|k| Chord::parse(k).unwrap()).collect()
}

#[test]
fn every_keymap_file_loads() {
    let mut n = 0;
    for e in std::fs::read_dir(root("keymaps")).unwrap() {
        let p = e.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        let (layer, problems) = parse_layer(&src, &p.display().to_string());
        assert!(problems.is_empty(), "{}: {problems:?}", p.display());
        assert!(layer.len() > 20, "{}", p.display());
        n += 1;
    }
    assert!(n >= 2);
    let (emacs, problems) = Keymap::load("emacs", None);
    assert!(problems.is_empty());
    assert_eq!(
        emacs.lookup(KeyContext::Findings, &key("ctrl-n")),
        Lookup::Command(Cmd::Down)
    );
    assert!(matches!(
        emacs.lookup(KeyContext::Global, &key("ctrl-x")),
        Lookup::Prefix(_)
    ));
    assert_eq!(
        emacs.lookup(KeyContext::Global, &key("ctrl-x ctrl-c")),
        Lookup::Command(Cmd::Quit)
    );
}

#[test]
fn every_theme_file_loads_and_resolves_every_role() {
    let mut n = 0;
    for e in std::fs::read_dir(root("themes")).unwrap() {
        let p = e.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        let (t, problems) = Theme::from_source(&src, &p.display().to_string(), Some(&root("themes")), false, false);
        assert!(problems.is_empty(), "{}: {problems:?}", p.display());
        for role in ROLES {
            assert!(t.has_role(role), "{} lacks {role}", p.display());
        }
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn themes_fall_back_by_role_and_honour_no_color() {
    use ratatui::style::{Color, Modifier};
    let (t, err) = Theme::load("default", None, false, false);
    assert!(err.is_empty());
    // finding.major.extra falls back to finding.major.
    assert_eq!(t.style("finding.major.extra"), t.style("finding.major"));
    assert!(t.style("finding.major").fg.is_some());
    let (plain, _) = Theme::load("default", None, true, false);
    for role in ROLES {
        let s = plain.style(role);
        assert!(
            s.fg.is_none() && s.bg.is_none(),
            "{role} still has colour under NO_COLOR"
        );
    }
    assert!(plain.style("selection").add_modifier.contains(Modifier::REVERSED));
    let (hc, _) = Theme::load("high-contrast", None, false, false);
    assert_eq!(hc.style("status.overdue").fg, Some(Color::LightRed));
    let (ascii, _) = Theme::load("default", None, false, true);
    assert_eq!(ascii.border_set().top_left, "+");
}

#[test]
fn a_user_keymap_layers_only_its_changes() {
    let (km, problems) = Keymap::load("default", Some(&fixture("good-keymap.toml")));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        km.lookup(KeyContext::Checklist, &key("W")),
        Lookup::Command(Cmd::WalkNext)
    );
    assert_eq!(
        km.lookup(KeyContext::Checklist, &key("n")),
        Lookup::Command(Cmd::WalkNext),
        "defaults stay"
    );
    assert_eq!(
        km.lookup(KeyContext::Global, &key("q")),
        Lookup::None,
        "unbound with \"none\""
    );
    assert_eq!(km.sources.len(), 2);
}

#[test]
fn bad_user_keymaps_name_file_line_and_keep_defaults() {
    // (file, line, message, whether the file's good bindings still apply)
    let cases = [
        ("bad-keymap-unknown-command.toml", 3, "unknown command `explode`", true),
        ("bad-keymap-unknown-key.toml", 2, "unknown key `hyper-q`", true),
        ("bad-keymap-duplicate.toml", 6, "duplicate binding", true),
        ("bad-keymap-section.toml", 1, "unknown section [nowhere]", true),
        ("bad-keymap-prefix.toml", 1, "is a prefix of", false),
        ("bad-keymap-syntax.toml", 3, "duplicate key", true),
    ];
    for (file, line, needle, layered) in cases {
        let (km, problems) = Keymap::load("default", Some(&fixture(file)));
        assert_eq!(problems.len(), 1, "{file}: {problems:?}");
        let p = &problems[0];
        assert!(p.file.ends_with(file), "{p}");
        assert_eq!(p.line, line, "{file}: {p}");
        assert!(p.message.contains(needle), "{file}: {p}");
        // The defaults are intact.
        assert_eq!(
            km.lookup(KeyContext::Findings, &key("j")),
            Lookup::Command(Cmd::Down),
            "{file}"
        );
        // Only the bad binding falls back; a layer that breaks prefixes is refused whole.
        assert_eq!(km.sources.len(), if layered { 2 } else { 1 }, "{file}");
    }
}

#[test]
fn bad_themes_name_file_line_and_only_the_bad_entry_falls_back() {
    let dir = root("tests/fixtures/config");
    let (default, _) = Theme::load("default", None, false, false);
    // (theme, line, message, a role that keeps the default's style, the theme's name)
    let cases = [
        ("bad-theme-colour", 3, "`notacolour` is not a colour", "text", None),
        (
            "bad-theme-modifier",
            4,
            "unknown modifier `blink`",
            "status.overdue",
            None,
        ),
        ("bad-theme-inherits", 2, "unknown theme `nope`", "", Some("x")),
        ("bad-theme-field", 2, "unknown key `background`", "", Some("x")),
    ];
    for (name, line, needle, role, theme_name) in cases {
        let (t, err) = Theme::load(name, Some(&dir), false, false);
        assert_eq!(err.len(), 1, "{name}: {err:?}");
        let e = &err[0];
        assert_eq!(e.line, line, "{name}: {e}");
        assert!(e.message.contains(needle), "{name}: {e}");
        assert!(e.file.ends_with(&format!("{name}.toml")), "{e}");
        if !role.is_empty() {
            assert_eq!(
                t.style(role),
                default.style(role),
                "{name}: {role} keeps the inherited style"
            );
            assert_eq!(t.style("finding.major"), default.style("finding.major"), "{name}");
        }
        if let Some(n) = theme_name {
            assert_eq!(t.name, n, "{name}: the good keys still apply");
        }
    }
    let (good, err) = Theme::load("good-theme", Some(&dir), false, false);
    assert!(err.is_empty(), "{err:?}");
    assert_eq!(good.name, "mine");
    assert_eq!(
        good.style("finding.major").fg,
        Some(ratatui::style::Color::Rgb(255, 0, 0))
    );
    let (_, unknown) = Theme::load("no-such-theme", Some(&dir), false, false);
    assert!(unknown[0].message.contains("unknown theme"));
}

#[test]
fn config_check_reports_sources_and_problems() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(cfg.join("themes")).unwrap();
    let run = || {
        let mut c = Command::cargo_bin("cscaudit").unwrap();
        c.env("CSCAUDIT_DATA_DIR", dir.path().join("data"))
            .env("CSCAUDIT_CONFIG_DIR", &cfg)
            .env_remove("NO_COLOR");
        c.args(["config", "check"]).output().unwrap()
    };
    let ok = run();
    assert!(ok.status.success());
    let text = String::from_utf8(ok.stdout).unwrap();
    assert!(
        text.contains("keymap: keymaps/default.toml (built in)")
            && text.contains("theme: default")
            && text.ends_with("ok\n"),
        "{text}"
    );

    std::fs::copy(fixture("good-keymap.toml"), cfg.join("keymap.toml")).unwrap();
    std::fs::write(cfg.join("config.toml"), "keymap = \"emacs\"\ntheme = \"mine\"\n").unwrap();
    std::fs::copy(fixture("good-theme.toml"), cfg.join("themes/mine.toml")).unwrap();
    let layered = String::from_utf8(run().stdout).unwrap();
    assert!(
        layered.contains("keymaps/emacs.toml (built in) + ")
            && layered.contains("keymap.toml")
            && layered.contains("theme: mine"),
        "{layered}"
    );

    std::fs::copy(fixture("bad-keymap-duplicate.toml"), cfg.join("keymap.toml")).unwrap();
    std::fs::write(cfg.join("config.toml"), "language = \"zh-CN\"\nmouse = \"yes\"\n").unwrap();
    let bad = run();
    assert!(!bad.status.success());
    let out = String::from_utf8(bad.stdout).unwrap();
    assert!(out.contains("config.toml:2:9: field `mouse`"), "{out}");
    assert!(
        out.contains("keymap.toml:6:1: [global] `C-p` is the same key as"),
        "{out}"
    );
    // language = "zh-CN" still applied although `mouse` was bad: the summary is in Chinese.
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("2 个问题"), "{err}");
}

#[test]
fn config_check_reports_unreadable_config_files_with_exit_1() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    let run = || {
        let mut c = Command::cargo_bin("cscaudit").unwrap();
        c.env("CSCAUDIT_DATA_DIR", dir.path().join("data"))
            .env("CSCAUDIT_CONFIG_DIR", &cfg)
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        c.args(["config", "check"])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap()
    };
    // Garbage.
    std::fs::write(cfg.join("config.toml"), b"\x00\x01 not [[[ toml").unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("config.toml:"));
    // Invalid UTF-8.
    std::fs::write(cfg.join("config.toml"), b"language = \"\xff\"\n").unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not UTF-8"), "{out:?}");
    // A directory.
    std::fs::remove_file(cfg.join("config.toml")).unwrap();
    std::fs::create_dir(cfg.join("config.toml")).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("is a directory"),
        "{out:?}"
    );
    std::fs::remove_dir(cfg.join("config.toml")).unwrap();
    // A FIFO as keymap.toml: reported, never opened (nothing hangs).
    #[cfg(unix)]
    if std::process::Command::new("mkfifo")
        .arg(cfg.join("keymap.toml"))
        .status()
        .is_ok_and(|s| s.success())
    {
        let out = run();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("not a regular file"),
            "{out:?}"
        );
    }
}

#[test]
fn a_keymap_that_unbinds_every_way_out_keeps_quit_help_and_palette() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[global]\n\"q\" = \"none\"\n\"?\" = \"none\"\n\":\" = \"none\"\n\"ctrl-p\" = \"none\"\n\"ctrl-c\" = \"none\"\n",
    )
    .unwrap();
    let (km, problems) = Keymap::load("default", Some(&file));
    for cmd in [Cmd::Quit, Cmd::Help, Cmd::Palette] {
        assert!(!km.keys_for(KeyContext::Global, cmd).is_empty(), "{cmd:?} has no key");
    }
    assert!(
        problems.iter().any(|p| p.message.contains("no key left")),
        "{problems:?}"
    );
}
