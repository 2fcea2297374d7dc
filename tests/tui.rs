//! The TUI on the demo data: key sequences on the state, and screen snapshots
//! (TestBackend + insta) of every pane and popup at 120×40 in zh-CN and en,
//! plus 20×10 and 1×1. "Today" is pinned so the snapshots are stable.

use cscaudit::app::{App, demo};
use cscaudit::config::Lang;
use cscaudit::model::assessment::AssessmentResult;
use cscaudit::tui::state::{FindingCol, Input, Pane, Popup, RemView, Row, State};
use cscaudit::tui::theme::Theme;
use cscaudit::tui::{initial_state, step, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyModifiers;

mod common;

use common::tui::{press, screen, setup, snap, typ};

fn demo_app(dir: &std::path::Path) -> App {
    let mut app = App::open(dir).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    demo::seed(&mut app).unwrap();
    app
}

fn state(app: &App, lang: Lang) -> State {
    let mut s = initial_state(app, &setup(), lang, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    s.size = (120, 40);
    s
}

#[test]
fn snapshots_of_every_pane_and_popup_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut s = state(&app, lang);
        snap(&format!("{tag}_dashboard"), screen(&s, 120, 40));
        press(&mut app, &mut s, "2 n");
        snap(&format!("{tag}_checklist"), screen(&s, 120, 40));
        press(&mut app, &mut s, "x");
        snap(&format!("{tag}_popup_confirm"), screen(&s, 120, 40));
        press(&mut app, &mut s, "n 3");
        snap(&format!("{tag}_findings"), screen(&s, 120, 40));
        press(&mut app, &mut s, "G enter");
        snap(&format!("{tag}_finding_detail"), screen(&s, 120, 40));
        press(&mut app, &mut s, "esc 4");
        snap(&format!("{tag}_remediation"), screen(&s, 120, 40));
        press(&mut app, &mut s, "v enter");
        snap(&format!("{tag}_action_detail"), screen(&s, 120, 40));
        press(&mut app, &mut s, "esc ?");
        snap(&format!("{tag}_popup_help"), screen(&s, 120, 40));
        press(&mut app, &mut s, "esc : text:fin");
        snap(&format!("{tag}_popup_palette"), screen(&s, 120, 40));
        press(&mut app, &mut s, "esc");
        step(
            &mut app,
            &mut s,
            Input::Done(Err(
                "the database /tmp/x/db is in use by another cscaudit process".into()
            )),
        );
        snap(&format!("{tag}_popup_error"), screen(&s, 120, 40));
    }
}

#[test]
fn tiny_terminals_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    snap("tiny_20x10", screen(&s, 20, 10));
    snap("tiny_1x1", screen(&s, 1, 1));
    // Every pane and popup at every small size.
    for keys in ["1", "2 n", "3 enter", "4", "?", ": text:x"] {
        press(&mut app, &mut s, "esc esc");
        press(&mut app, &mut s, keys);
        for w in [1, 2, 5, 19, 20, 59, 60, 61] {
            for h in [1, 2, 3, 9, 10, 14, 15, 16] {
                let _ = screen(&s, w, h);
            }
        }
    }
    let welcome = initial_state(
        &App::open(tempfile::tempdir().unwrap().path()).unwrap(),
        &setup(),
        Lang::Zh,
        None,
    )
    .unwrap();
    // A new user is first asked who they are; behind the form, the welcome.
    assert!(screen(&welcome, 80, 24).contains("您是谁"));
    let mut welcome = welcome;
    welcome.popup = None;
    assert!(screen(&welcome, 80, 24).contains("cscaudit demo"));
}

#[test]
fn navigation_between_panes_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    assert_eq!(s.pane, Pane::Dashboard);
    press(&mut app, &mut s, "tab");
    assert_eq!(s.pane, Pane::Checklist);
    press(&mut app, &mut s, "shift-tab shift-tab");
    assert_eq!(s.pane, Pane::Calls, "shift-tab wraps around to the last pane");
    press(&mut app, &mut s, "shift-tab shift-tab");
    assert_eq!(s.pane, Pane::Remediation);
    press(&mut app, &mut s, "3");
    assert_eq!(s.findings.selected.as_deref(), Some("LM-001"));
    press(&mut app, &mut s, "j j down");
    assert_eq!(s.findings.selected.as_deref(), Some("LM-004"));
    press(&mut app, &mut s, "k");
    assert_eq!(s.findings.selected.as_deref(), Some("LM-003"));
    press(&mut app, &mut s, "G");
    assert_eq!(s.findings.selected.as_deref(), Some("ZW-005"));
    // "g g" is a sequence: the first g shows the possible next keys.
    press(&mut app, &mut s, "g");
    assert!(matches!(&s.popup, Some(Popup::Pending(next)) if !next.is_empty()));
    assert!(screen(&s, 120, 40).contains("next keys"));
    press(&mut app, &mut s, "g");
    assert!(s.popup.is_none());
    assert_eq!(s.findings.selected.as_deref(), Some("LM-001"));
    // Detail view and its history (loaded through the app layer).
    press(&mut app, &mut s, "enter");
    assert!(s.findings.detail);
    let (entity, ops) = s.history.as_ref().unwrap();
    assert_eq!(entity.id, "DEMO-S2/LM-001");
    assert!(ops.len() > 5);
    press(&mut app, &mut s, "esc");
    assert!(!s.findings.detail);
    // The language switches live.
    press(&mut app, &mut s, "L");
    assert_eq!(s.lang, Lang::Zh);
    assert!(screen(&s, 120, 40).contains("发现项"));
}

/// Typing on in the filter narrows the view shown instead of testing every
/// finding again: after every key (letters, spaces, Chinese, backspace, the
/// overdue toggle, a sort) the view is the one a fresh state gets from the
/// whole filter at once.
#[test]
fn a_filter_typed_key_by_key_equals_the_filter_given_at_once() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "3 /");
    let fresh = |app: &mut App, filter: &str, overdue: bool, sort: bool| {
        let mut f = state(app, Lang::En);
        press(app, &mut f, "3");
        if overdue {
            press(app, &mut f, "o");
        }
        if sort {
            press(app, &mut f, "s");
        }
        press(app, &mut f, "/");
        typ(app, &mut f, filter);
        f.findings.view.clone()
    };
    let mut typed = String::new();
    let mut seen_narrower = 0;
    let keys: Vec<Option<char>> = "lm-0 录 minor x"
        .chars()
        .map(Some)
        .chain([None, None, None])
        .chain("issued 00".chars().map(Some))
        .chain([None; 12])
        .chain("zw 0".chars().map(Some))
        .collect();
    for k in keys {
        let before = s.findings.view.len();
        match k {
            Some(c) => {
                typ(&mut app, &mut s, &c.to_string());
                typed.push(c);
            }
            None => {
                step(
                    &mut app,
                    &mut s,
                    Input::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
                );
                typed.pop();
            }
        }
        assert_eq!(s.findings.filter, typed);
        assert_eq!(
            s.findings.view,
            fresh(&mut app, &typed, false, false),
            "after {typed:?}"
        );
        if s.findings.view.len() < before {
            seen_narrower += 1;
        }
    }
    assert!(seen_narrower >= 3, "the filter narrowed the view as it was typed");
    // With overdue only and another sort order, narrowing keeps both.
    press(&mut app, &mut s, "enter o s /");
    let mut typed = s.findings.filter.clone();
    for c in " 0".chars() {
        typ(&mut app, &mut s, &c.to_string());
        typed.push(c);
        assert_eq!(s.findings.view, fresh(&mut app, &typed, true, true), "after {typed:?}");
    }
}

#[test]
fn filtering_findings_by_text_grade_status_and_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "3 / text:grade:major");
    assert!(s.filtering);
    assert_eq!(s.findings.view.len(), 3);
    assert!(screen(&s, 120, 40).contains("filter /grade:major"));
    press(&mut app, &mut s, "enter");
    assert!(!s.filtering);
    assert_eq!(s.findings.view.len(), 3, "Enter keeps the filter");
    press(&mut app, &mut s, "ctrl-l / text:录音");
    assert_eq!(s.findings.view.len(), 1);
    assert_eq!(s.findings.selected.as_deref(), Some("LM-001"));
    press(&mut app, &mut s, "esc");
    assert_eq!(s.findings.view.len(), 16, "Esc clears while typing");
    press(&mut app, &mut s, "/ text:status:issued enter");
    assert_eq!(s.findings.view.len(), 3, "one minor, one observation, one improvement");
    press(&mut app, &mut s, "ctrl-l o");
    let overdue: Vec<_> = s
        .findings
        .view
        .iter()
        .map(|&i| s.data.as_ref().unwrap().findings[i].reference.to_string())
        .collect();
    assert_eq!(overdue, vec!["LM-004"], "only the response-overdue minor");
    press(&mut app, &mut s, "o / text:zzz");
    assert!(s.findings.view.is_empty());
    assert!(screen(&s, 120, 40).contains("no matches"));
    // Checklist filter keeps the groups of matching indicators.
    press(&mut app, &mut s, "esc 2 / text:ASA");
    let inds: Vec<_> = s
        .checklist
        .rows
        .iter()
        .filter(|(r, _)| matches!(r, Row::Indicator(_)))
        .collect();
    assert_eq!(inds.len(), 1);
    assert_eq!(s.checklist.rows.len(), 3);
}

#[test]
fn sorting_keeps_the_selection_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "3 j j j");
    assert_eq!(s.findings.selected.as_deref(), Some("LM-004"));
    press(&mut app, &mut s, "s");
    assert_eq!(s.findings.sort, FindingCol::Grade);
    assert_eq!(
        s.findings.selected.as_deref(),
        Some("LM-004"),
        "selection follows the record"
    );
    let first = &s.data.as_ref().unwrap().findings[s.findings.view[0]];
    assert_eq!(first.grade.as_str(), "major");
    press(&mut app, &mut s, "S");
    let first = &s.data.as_ref().unwrap().findings[s.findings.view[0]];
    assert_eq!(first.grade.as_str(), "improvement");
    assert!(screen(&s, 120, 40).contains("Grade↓"));
    // Remediation: preset views and sort.
    press(&mut app, &mut s, "4 v");
    assert_eq!(s.rem_view, RemView::Overdue);
    assert_eq!(s.remediation.view.len(), 4);
    press(&mut app, &mut s, "v");
    assert_eq!(s.remediation.view.len(), 3, "due within 7 days");
    press(&mut app, &mut s, "v v v");
    assert_eq!(s.rem_view, RemView::Awaiting);
    assert_eq!(s.remediation.view.len(), 3);
    press(&mut app, &mut s, "V V");
    assert_eq!(s.rem_view, RemView::Due30);
}

#[test]
fn walk_through_steps_to_unassessed_indicators_and_records_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "2 n");
    assert_eq!(s.selected_indicator(), Some("QU-03"));
    press(&mut app, &mut s, "n");
    assert_eq!(s.selected_indicator(), Some("QU-04"));
    press(&mut app, &mut s, "n");
    assert_eq!(s.selected_indicator(), Some("QU-03"), "wraps around");
    press(&mut app, &mut s, "N");
    assert_eq!(s.selected_indicator(), Some("QU-04"));
    // Only mine: neither is assigned to zhang.wei.
    press(&mut app, &mut s, "m n");
    assert_eq!(s.selected_indicator(), Some("QU-04"));
    assert!(s.status.as_ref().unwrap().text.contains("assessed"));
    press(&mut app, &mut s, "m");
    // Record a result: the app layer writes it and the view reloads.
    press(&mut app, &mut s, "c");
    assert_eq!(
        app.assessment(demo::DEMO_ENGAGEMENT, "QU-04").unwrap().result,
        AssessmentResult::Conforming
    );
    assert_eq!(
        s.data.as_ref().unwrap().assessments["QU-04"].result,
        AssessmentResult::Conforming
    );
    press(&mut app, &mut s, "n");
    assert_eq!(s.selected_indicator(), Some("QU-03"));
    // Nonconforming asks first; "n" declines and nothing is written.
    let ops = app.op_count();
    press(&mut app, &mut s, "x");
    assert!(matches!(s.popup, Some(Popup::Confirm { .. })));
    press(&mut app, &mut s, "n");
    assert_eq!(app.op_count(), ops);
    press(&mut app, &mut s, "x y");
    assert_eq!(
        app.assessment(demo::DEMO_ENGAGEMENT, "QU-03").unwrap().result,
        AssessmentResult::Nonconforming
    );
    press(&mut app, &mut s, "n");
    assert!(s.status.as_ref().unwrap().text.contains("Every indicator"));
    // Tree: collapse and expand.
    press(&mut app, &mut s, "h");
    assert_eq!(s.checklist.selected, Some(Row::Group("effect.quality".into())));
    let before = s.checklist.rows.len();
    assert!(s.checklist.collapsed.contains("effect.quality"));
    press(&mut app, &mut s, "l");
    assert_eq!(s.checklist.rows.len(), before + 4);
    press(&mut app, &mut s, "z c");
    assert_eq!(s.checklist.rows.len(), 2);
}

#[test]
fn help_filters_and_runs_the_selected_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "?");
    let all = s.help_entries().len();
    assert!(all > 15);
    // Every entry shows its keys from the active keymap.
    assert!(
        s.help_entries().iter().any(|e| e.keys == "q, C-c" && e.desc == "Quit"),
        "{:?}",
        s.help_entries()
    );
    press(&mut app, &mut s, "text:remediation");
    let shown = s.help_entries();
    assert_eq!(shown.len(), 1, "{shown:?}");
    press(&mut app, &mut s, "enter");
    assert!(s.popup.is_none());
    assert_eq!(s.pane, Pane::Remediation);
    // Filter by key: "?" finds the help command itself.
    press(&mut app, &mut s, "? text:F1");
    assert!(s.help_entries().iter().all(|e| e.keys.contains("F1")));
    press(&mut app, &mut s, "esc");
    // In Chinese, filtering by Chinese description.
    press(&mut app, &mut s, "L ? text:总览 enter");
    assert_eq!(s.pane, Pane::Dashboard);
}

/// Help search finds a command by what the user wants to do, not only by
/// its description: the lifecycle moves (respond, withdraw, reopen, accept,
/// verify) are all behind "move the finding", found from any pane, its
/// keys shown after the pane's; Enter goes there.
#[test]
fn help_search_finds_the_move_menu_by_the_moves_it_offers() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    for (lang, words) in [
        (Lang::En, ["respond", "withdraw", "reopen", "accept", "verify"]),
        (Lang::Zh, ["回复", "撤回", "重新打开", "接受", "验证"]),
    ] {
        let mut s = state(&app, lang);
        for w in words {
            press(&mut app, &mut s, &format!("1 ? text:{w}"));
            let found = s.help_entries();
            assert!(
                found
                    .iter()
                    .any(|e| e.cmd == cscaudit::tui::commands::Cmd::FindingMove && e.keys == "3 m"),
                "{w}: {found:?}"
            );
            press(&mut app, &mut s, "esc");
        }
        // A word nothing means lists nothing.
        press(&mut app, &mut s, "? text:zzzq");
        assert!(s.help_entries().is_empty());
        press(&mut app, &mut s, "esc");
        // Enter on another pane's command goes to that pane.
        press(&mut app, &mut s, "? text:withdraw enter");
        assert_eq!(s.pane, Pane::Findings);
        // The palette finds it too.
        press(&mut app, &mut s, ": text:reopen");
        assert_eq!(s.palette_entries()[0].cmd, cscaudit::tui::commands::Cmd::FindingMove);
        press(&mut app, &mut s, "esc");
    }
}

/// Export and import from the TUI are jobs: listed in the tasks view (T)
/// with their outcome; one that failed says why there, Enter shows it whole.
#[test]
fn the_tasks_view_lists_jobs_and_their_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, "T");
    assert!(matches!(s.popup, Some(Popup::Tasks { .. })));
    assert!(screen(&s, 120, 40).contains("Nothing has run yet"));
    press(&mut app, &mut s, "q");
    assert!(s.popup.is_none());

    let bundle = dir.path().join("任务 bundle.zip");
    press(&mut app, &mut s, "1 x ctrl-u");
    typ(&mut app, &mut s, bundle.to_str().unwrap());
    press(&mut app, &mut s, "ctrl-s");
    assert!(bundle.is_file(), "{:?} {:?}", s.status, s.popup);
    assert!(s.job.is_none(), "the job ended");
    // A bundle that is not one: refused, and said in the tasks view.
    let bad = dir.path().join("not-a-bundle.zip");
    std::fs::write(&bad, "这不是 zip").unwrap();
    press(&mut app, &mut s, "I");
    typ(&mut app, &mut s, bad.to_str().unwrap());
    press(&mut app, &mut s, "ctrl-s");
    assert!(
        matches!(s.popup, Some(Popup::Error(_))),
        "a failure with nothing else open shows: {:?}",
        s.popup
    );
    press(&mut app, &mut s, "esc T");
    let t = screen(&s, 120, 40);
    assert!(t.contains("Tasks") && t.contains("done") && t.contains("failed"), "{t}");
    assert!(t.contains("Exporting") && t.contains("Importing"), "{t}");
    assert_eq!(s.tasks.len(), 2);
    assert!(s.tasks[0].outcome.as_ref().is_some_and(|o| o.ok));
    assert!(s.tasks[1].outcome.as_ref().is_some_and(|o| !o.ok));
    // Newest first: Enter on the failed import shows why, whole.
    press(&mut app, &mut s, "enter");
    match &s.popup {
        Some(Popup::Error(e)) => assert!(e.contains("not-a-bundle.zip"), "{e}"),
        other => panic!("{other:?}"),
    }
    // Under a form, a job's outcome is a notification: the form stays.
    press(&mut app, &mut s, "esc 3 e");
    assert!(matches!(s.popup, Some(Popup::Form(_))));
    step(
        &mut app,
        &mut s,
        Input::Finished {
            ok: true,
            short: "synced".into(),
            full: Some("all of it".into()),
        },
    );
    assert!(matches!(s.popup, Some(Popup::Form(_))), "the form is not replaced");
    assert_eq!(s.unread, 1);
    assert!(screen(&s, 120, 40).lines().last().unwrap().contains("1 new"));
    press(&mut app, &mut s, "esc T");
    assert_eq!(s.unread, 0);
}

#[test]
fn palette_fuzzy_matches_in_the_current_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    press(&mut app, &mut s, ": text:gofind");
    let first = s.palette_entries()[0].desc;
    assert_eq!(first, "Go to the findings");
    press(&mut app, &mut s, "enter");
    assert_eq!(s.pane, Pane::Findings);
    press(&mut app, &mut s, "ctrl-p text:rev");
    assert_eq!(s.palette_entries()[0].desc, "Reverse the sort order");
    press(&mut app, &mut s, "down enter");
    // Down picked the second match, not the first.
    assert!(s.findings.ascending);
    press(&mut app, &mut s, "L : text:切换语言 enter");
    assert_eq!(s.lang, Lang::En);
    press(&mut app, &mut s, ": text:qqqqzzzz");
    assert!(s.palette_entries().is_empty());
    assert!(screen(&s, 120, 40).contains("no matches"));
}

#[test]
fn mouse_clicks_tabs_and_rows_when_enabled() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    let click = |col, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let _ = screen(&s, 120, 40);
    step(&mut app, &mut s, Input::Mouse(click(30, 1)));
    assert_eq!(s.pane, Pane::Dashboard, "mouse is off by default");
    s.mouse = true;
    step(&mut app, &mut s, Input::Mouse(click(30, 1)));
    assert_eq!(s.pane, Pane::Findings);
    let _ = screen(&s, 120, 40);
    // Rows start under the header at y = 4; click the fourth row.
    step(&mut app, &mut s, Input::Mouse(click(10, 7)));
    assert_eq!(s.findings.selected.as_deref(), Some("LM-004"));
    step(
        &mut app,
        &mut s,
        Input::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 10,
            row: 7,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(s.findings.selected.as_deref(), Some("LM-007"));
}

#[test]
fn recompute_an_indicator_from_call_records_in_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::En);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calls/january-excerpt.txt");
    press(&mut app, &mut s, "2 / text:AC-02 enter j j");
    assert_eq!(s.selected_indicator(), Some("AC-02"));
    press(&mut app, &mut s, "M");
    assert!(matches!(s.popup, Some(Popup::Input { .. })));
    assert!(screen(&s, 120, 40).contains("Call-record file"));
    press(&mut app, &mut s, &format!("text:{} enter", file.display()));
    // January 1999 is outside the demo's evaluation period: asked first.
    assert!(
        matches!(&s.popup, Some(Popup::Confirm { message, .. }) if message.contains("outside the evaluation period")),
        "{:?}",
        s.popup
    );
    press(&mut app, &mut s, "y");
    // 54.90% misses the 80% target: changing a conforming result is offered.
    if let Some(Popup::Confirm { message, .. }) = &s.popup {
        assert!(message.contains("missing its target"), "{message}");
        press(&mut app, &mut s, "n");
    }
    assert!(s.popup.is_none(), "{:?}", s.popup);
    let a = app.assessment(demo::DEMO_ENGAGEMENT, "AC-02").unwrap();
    assert!((a.measured.unwrap() - 54.90).abs() < 0.01, "{a:?}");
    assert!(a.method.contains("sl-neg") && a.method.contains("sha256:"));
    assert!(s.status.as_ref().unwrap().text.contains("AC-02 = 54.90"));
    // A file that does not exist is an error popup; nothing changes.
    press(&mut app, &mut s, "M text:/no/such/file.txt enter");
    assert!(matches!(&s.popup, Some(Popup::Error(e)) if e.contains("/no/such/file.txt")));
    press(&mut app, &mut s, "enter");
    assert!(s.popup.is_none());
    // An indicator without a metric says so.
    press(&mut app, &mut s, "ctrl-l / text:ST-02 enter j j M");
    assert!(s.popup.is_none());
    assert!(s.status.as_ref().unwrap().is_error, "shown as an error");
}

#[test]
fn history_is_described_in_the_current_language() {
    use Kind::{Action, Finding};
    use cscaudit::message::describe_change;
    use cscaudit::model::ops::{Change, Kind, Value};
    let set = |f: &str, v: Value| Change::Set {
        field: f.into(),
        value: v,
    };
    assert_eq!(
        describe_change(Finding, &set("status", "plan-accepted".into()), Lang::Zh),
        "状态 → 计划已接受"
    );
    assert_eq!(
        describe_change(Action, &set("status", "verified-effective".into()), Lang::En),
        "status → verified-effective"
    );
    assert_eq!(
        describe_change(Finding, &set("grade", "major".into()), Lang::Zh),
        "等级 → 严重不符合"
    );
    assert_eq!(
        describe_change(Finding, &set("title", "录音缺失 / recording missing".into()), Lang::En),
        "title → recording missing"
    );
    assert_eq!(
        describe_change(Action, &set("effective", Value::Bool(true)), Lang::Zh),
        "有效 → 是"
    );
    assert_eq!(
        describe_change(Action, &set("due", Value::Null), Lang::En),
        "due → (none)"
    );
    let link = Change::Link {
        rel: "evidence".into(),
        target: "证据文件名很长很长很长很长很长很长很长".into(),
    };
    assert_eq!(
        describe_change(Finding, &link, Lang::Zh).chars().count(),
        "+ 证据 ".chars().count() + 16
    );
    assert_eq!(describe_change(Finding, &Change::Create, Lang::Zh), "创建");
    // A field from a newer version is shown by its raw name, its value as written.
    assert_eq!(
        describe_change(Finding, &set("risk_rating", "高".into()), Lang::Zh),
        "risk_rating → 高"
    );
}

#[test]
fn no_color_draws_without_colour_and_marks_the_selection_in_reverse_video() {
    use ratatui::style::{Color, Modifier};
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let mut s = state(&app, Lang::Zh);
    press(&mut app, &mut s, "3 j");
    let theme = Theme::load("default", None, true, true).0;
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| view::view(&s, &theme, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut reversed_rows = std::collections::BTreeSet::new();
    for y in 0..40 {
        for x in 0..120 {
            let c = &buf[(x, y)];
            assert!(c.fg == Color::Reset && c.bg == Color::Reset, "colour at {x},{y}: {c:?}");
            if c.modifier.contains(Modifier::REVERSED) {
                reversed_rows.insert(y);
            }
        }
    }
    // Exactly the selected finding's row (LM-002) is in reverse video.
    assert_eq!(reversed_rows.len(), 1, "{reversed_rows:?}");
    let y = *reversed_rows.iter().next().unwrap();
    let row: String = (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect();
    assert!(row.contains("LM-002"), "{row}");
    // ASCII borders: no box-drawing glyphs anywhere.
    let all: String = (0..40)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect();
    assert!(!all.contains('╭') && !all.contains('│') && all.contains('+') && all.contains('|'));
}

#[test]
fn the_engagement_switcher_loads_another_engagement() {
    use cscaudit::app::NewEngagement;
    use cscaudit::model::catalog::EMBEDDED_GBT32312;
    use cscaudit::model::engagement::EngagementKind;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    app.create_engagement(
        NewEngagement {
            id: Some("SELF-2026".into()),
            title: "行内自评估 / self-assessment".into(),
            auditee: "示范银行".into(),
            site: String::new(),
            kind: EngagementKind::SelfAssessment,
            period_start: None,
            period_end: None,
        },
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    let mut s = state(&app, Lang::En);
    assert_eq!(s.data.as_ref().unwrap().engagement.id, "DEMO-S2");
    press(&mut app, &mut s, "E");
    assert!(matches!(s.popup, Some(Popup::Switcher { .. })));
    assert!(screen(&s, 120, 40).contains("SELF-2026"));
    // Down from the current engagement to SELF-2026 in the switcher's order.
    let ids: Vec<String> = s
        .data
        .as_ref()
        .unwrap()
        .engagements
        .iter()
        .map(|e| e.id.clone())
        .collect();
    let (from, to) = (
        ids.iter().position(|i| i == "DEMO-S2").unwrap(),
        ids.iter().position(|i| i == "SELF-2026").unwrap(),
    );
    assert!(to > from, "{ids:?}");
    press(&mut app, &mut s, &"j ".repeat(to - from));
    press(&mut app, &mut s, "enter");
    let d = s.data.as_ref().unwrap();
    assert_eq!(d.engagement.id, "SELF-2026");
    assert!(d.findings.is_empty());
    press(&mut app, &mut s, "3");
    assert!(screen(&s, 120, 40).contains("no matches"));
}

/// Thousands of findings on the dashboard at 80 columns: the grade × status
/// counts stay apart and keep their digits (they ran together and the Σ
/// column cut 2000 to "20"); at 120 columns they are written out.
#[test]
fn the_grade_matrix_keeps_large_counts_readable_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    let id = demo::seed_scale(&app, 8000, &mut |_| {}).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::Zh, Some(&id)).unwrap();
    step(&mut app, &mut s, Input::Resize(80, 24));
    let narrow = screen(&s, 80, 24);
    let row = narrow.lines().find(|l| l.contains("严重")).unwrap();
    assert!(row.contains(" 2.0k"), "Σ whole and shortened: {row}");
    assert!(!row.contains("k6") && !row.contains("k·"), "counts apart: {row}");
    let wide = screen(&s, 120, 40);
    let row = wide.lines().find(|l| l.contains("严重")).unwrap();
    assert!(row.contains("2000"), "{row}");
}

/// Availability as data: a command that cannot run now says why (status
/// line, help, palette) instead of doing nothing, and the same predicate
/// decides all three. Verifying an action that is not completed, moving a
/// finding when the filter left none, a checklist command on the findings.
#[test]
fn a_command_that_cannot_run_says_why_in_run_help_and_palette() {
    use cscaudit::tui::commands::Cmd;
    use cscaudit::tui::state::Avail;
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    for lang in [Lang::En, Lang::Zh] {
        let mut s = state(&app, lang);
        // Remediation: find an action that is not completed; `y` (verify) is refused with why.
        press(&mut app, &mut s, "4");
        let mut found = false;
        for _ in 0..40 {
            let a = s.selected_action().cloned().expect("an action is selected");
            if a.status != cscaudit::model::action::ActionStatus::Completed {
                found = true;
                break;
            }
            press(&mut app, &mut s, "j");
        }
        assert!(found, "the demo has an action that is not completed");
        let why = s.availability(Cmd::ActionVerify);
        let reason = why.reason().expect("verify is disabled").to_string();
        assert!(reason.contains(lang.pick("completed", "已完成")), "{reason}");
        press(&mut app, &mut s, "y");
        assert!(s.popup.is_none(), "no form opened: {:?}", s.popup);
        assert_eq!(s.status.as_ref().unwrap().text, reason);
        // Help lists it with the reason; selected, the reason is at the foot.
        press(&mut app, &mut s, "?");
        let entries = s.help_entries();
        let at = entries.iter().position(|e| e.cmd == Cmd::ActionVerify).unwrap();
        assert_eq!(entries[at].disabled, Some(reason.as_str()));
        assert!(
            entries
                .iter()
                .any(|e| e.cmd == Cmd::ActionUpdate && e.disabled.is_none())
        );
        for _ in 0..at {
            press(&mut app, &mut s, "down");
        }
        let shown = screen(&s, 120, 40);
        let foot: String = reason.chars().take(12).collect();
        assert!(shown.contains(&foot), "{shown}");
        // Enter on it runs nothing and says why.
        press(&mut app, &mut s, "enter");
        assert!(s.popup.is_none());
        assert_eq!(s.status.as_ref().unwrap().text, reason);
        // The palette lists what can run first, what cannot after, with why.
        press(&mut app, &mut s, ":");
        let p = s.palette_entries();
        let first_disabled = p.iter().position(|e| e.disabled.is_some()).unwrap();
        assert!(p[first_disabled..].iter().all(|e| e.disabled.is_some()), "{p:?}");
        assert!(p.iter().all(|e| s.availability(e.cmd) != Avail::Hidden));
        press(&mut app, &mut s, "esc");
        // Findings filtered to nothing: `m`, `a` and Enter need a finding,
        // and the reason names the filter.
        press(&mut app, &mut s, "3 / text:zzzzqqq enter");
        assert!(s.findings.view.is_empty(), "the filter left no finding");
        press(&mut app, &mut s, "m");
        assert!(s.popup.is_none());
        assert_eq!(
            s.status.as_ref().unwrap().text,
            lang.pick(
                "Nothing matches the filter (Esc clears it)",
                "没有符合筛选条件的项（按 Esc 清除筛选）"
            )
        );
        assert!(!s.availability(Cmd::ActionAdd).is_enabled());
        assert!(!s.availability(Cmd::Open).is_enabled());
        // A checklist command is not offered on the findings pane at all.
        assert_eq!(s.availability(Cmd::AssessConforming), Avail::Hidden);
        press(&mut app, &mut s, "esc");
    }
}

/// The audit plan (agenda and check-in) from the dashboard, and the
/// check-in line of the dashboard, at 80×24 and 120×40 in both languages.
#[test]
fn the_audit_plan_and_the_check_in_show_in_both_languages_at_two_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo_app(dir.path());
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(80u16, 24u16), (120, 40)] {
            let mut s = state(&app, lang);
            s.size = (w, h);
            let dash = screen(&s, w, h);
            let (check_in, opening) = match lang {
                Lang::Zh => ("签到", "✓首次会议"),
                Lang::En => ("Check-in", "✓opening"),
            };
            assert!(dash.contains(check_in) && dash.contains(opening), "{dash}");
            snap(&format!("{tag}_dashboard_check_in_{w}x{h}"), dash);
            press(&mut app, &mut s, "A");
            assert!(matches!(s.popup, Some(Popup::AuditPlan { .. })));
            let plan = screen(&s, w, h);
            let (title, closing, days) = match lang {
                Lang::Zh => ("审核计划", "✓ 末次会议", "计划 3 人日"),
                Lang::En => ("Audit plan", "✓ closing", "3 person-days planned"),
            };
            assert!(
                plan.contains(title) && plan.contains(closing) && plan.contains("FS01"),
                "{plan}"
            );
            if w >= 120 {
                assert!(plan.contains(days), "{plan}");
            }
            snap(&format!("{tag}_popup_audit_plan_{w}x{h}"), plan);
            press(&mut app, &mut s, "esc");
            assert!(s.popup.is_none());
        }
    }
    // A self-assessment has no check-in, and no plan to show.
    let mut s = initial_state(&app, &setup(), Lang::En, Some(demo::SELF_ASSESSMENT)).unwrap();
    s.size = (120, 40);
    assert!(!screen(&s, 120, 40).contains("Check-in"));
    press(&mut app, &mut s, "1 A");
    assert!(s.popup.is_none(), "nothing to show: the key says why instead");
}
