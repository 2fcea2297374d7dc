//! Every file in keymaps/ and themes/ loads; bad user files each give their
//! expected message with file:line, and the app falls back to defaults.

use cscaudit::tui::commands::{Cmd, Ctx};
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
        let layer = parse_layer(&src, &p.display().to_string()).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
        assert!(layer.len() > 20, "{}", p.display());
        n += 1;
    }
    assert!(n >= 2);
    let (emacs, problems) = Keymap::load("emacs", None);
    assert!(problems.is_empty());
    assert_eq!(emacs.lookup(Ctx::Findings, &key("ctrl-n")), Lookup::Command(Cmd::Down));
    assert!(matches!(emacs.lookup(Ctx::Global, &key("ctrl-x")), Lookup::Prefix(_)));
    assert_eq!(
        emacs.lookup(Ctx::Global, &key("ctrl-x ctrl-c")),
        Lookup::Command(Cmd::Quit)
    );
}

#[test]
fn every_theme_file_loads_and_resolves_every_role() {
    let mut n = 0;
    for e in std::fs::read_dir(root("themes")).unwrap() {
        let p = e.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        let t = Theme::from_source(&src, &p.display().to_string(), Some(&root("themes")), false, false)
            .unwrap_or_else(|e| panic!("{e}"));
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
    assert!(err.is_none());
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
    assert_eq!(km.lookup(Ctx::Checklist, &key("W")), Lookup::Command(Cmd::WalkNext));
    assert_eq!(
        km.lookup(Ctx::Checklist, &key("n")),
        Lookup::Command(Cmd::WalkNext),
        "defaults stay"
    );
    assert_eq!(km.lookup(Ctx::Global, &key("q")), Lookup::None, "unbound with \"none\"");
    assert_eq!(km.sources.len(), 2);
}

#[test]
fn bad_user_keymaps_name_file_line_and_keep_defaults() {
    let cases = [
        ("bad-keymap-unknown-command.toml", 3, "unknown command `explode`"),
        ("bad-keymap-unknown-key.toml", 2, "unknown key `hyper-q`"),
        ("bad-keymap-duplicate.toml", 6, "duplicate binding"),
        ("bad-keymap-section.toml", 1, "unknown section [nowhere]"),
        ("bad-keymap-prefix.toml", 1, "is a prefix of"),
        ("bad-keymap-syntax.toml", 3, "duplicate key"),
    ];
    for (file, line, needle) in cases {
        let (km, problems) = Keymap::load("default", Some(&fixture(file)));
        assert_eq!(problems.len(), 1, "{file}: {problems:?}");
        let p = &problems[0];
        assert!(p.file.ends_with(file), "{p}");
        assert_eq!(p.line, line, "{file}: {p}");
        assert!(p.message.contains(needle), "{file}: {p}");
        // The defaults are intact.
        assert_eq!(
            km.lookup(Ctx::Findings, &key("j")),
            Lookup::Command(Cmd::Down),
            "{file}"
        );
        assert_eq!(km.sources.len(), 1, "{file}: the bad layer is not applied");
    }
}

#[test]
fn bad_themes_name_file_line_and_fall_back() {
    let dir = root("tests/fixtures/config");
    let cases = [
        ("bad-theme-colour", 3, "`notacolour` is not a colour"),
        ("bad-theme-modifier", 4, "unknown modifier `blink`"),
        ("bad-theme-inherits", 2, "unknown theme `nope`"),
        ("bad-theme-field", 2, "unknown field `background`"),
    ];
    for (name, line, needle) in cases {
        let (t, err) = Theme::load(name, Some(&dir), false, false);
        let e = err.unwrap_or_else(|| panic!("{name} loaded"));
        assert_eq!(e.line, line, "{name}: {e}");
        assert!(e.message.contains(needle), "{name}: {e}");
        assert!(e.file.ends_with(&format!("{name}.toml")), "{e}");
        assert_eq!(t.name, "default", "falls back to the default theme");
    }
    let (good, err) = Theme::load("good-theme", Some(&dir), false, false);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(good.name, "mine");
    assert_eq!(
        good.style("finding.major").fg,
        Some(ratatui::style::Color::Rgb(255, 0, 0))
    );
    let (_, unknown) = Theme::load("no-such-theme", Some(&dir), false, false);
    assert!(unknown.unwrap().message.contains("unknown theme"));
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
    assert!(String::from_utf8(bad.stderr).unwrap().contains("problem(s)"));
}
