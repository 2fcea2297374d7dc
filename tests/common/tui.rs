//! Helpers shared by the TUI tests: the default setup, keys, the drawn screen, snapshots.
#![allow(dead_code)]

use cscaudit::app::App;
use cscaudit::tui::keymap::{Chord, Keymap};
use cscaudit::tui::state::{Input, State};
use cscaudit::tui::theme::Theme;
use cscaudit::tui::{Setup, step, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn setup() -> Setup {
    Setup {
        keymap: Keymap::load("default", None).0,
        theme: Theme::load("default", None, false, false).0,
        problems: vec![],
    }
}

/// Press keys given as keymap notation separated by spaces; `text:...` types text.
pub fn press(app: &mut App, s: &mut State, keys: &str) {
    for k in keys.split_whitespace() {
        if let Some(text) = k.strip_prefix("text:") {
            for c in text.chars() {
                step(app, s, Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
            }
            continue;
        }
        let chord = Chord::parse(k).unwrap();
        let mods = chord.mods
            | if matches!(chord.code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
        step(app, s, Input::Key(KeyEvent::new(chord.code, mods)));
    }
}

pub fn screen(s: &State, w: u16, h: u16) -> String {
    let theme = Theme::load("default", None, false, false).0;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::view(s, &theme, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
        }
        out.push('\n');
    }
    out
}

pub fn snap(name: &str, text: String) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        // History lines carry wall-clock times of when the demo was seeded.
        filters => vec![
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]"),
            // The history title names the machine's time zone (same width).
            (r"UTC[+-]\d{2}:\d{2}", "UTC±hh:mm"),
        ],
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Type text (any characters, spaces and Chinese included).
pub fn typ(app: &mut App, s: &mut State, text: &str) {
    for c in text.chars() {
        step(app, s, Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
}
