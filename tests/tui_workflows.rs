//! The whole audit by keyboard on the TUI's state, from an empty data folder
//! to a verified corrective action, with the refusals along the way. Every
//! save goes through the app layer to a real sled database.

use cscaudit::app::{App, MoveKind};
use cscaudit::config::Lang;
use cscaudit::model::action::ActionStatus;
use cscaudit::model::finding::FindingStatus;
use cscaudit::tui::keymap::Keymap;
use cscaudit::tui::state::{Input, Pane, Popup, State};
use cscaudit::tui::{initial_state, step};

mod common;

use common::tui::{press, screen, setup, snap, typ};

/// The snapshot the TUI patched after each save holds what a full load reads.
fn same_as_loaded(app: &App, s: &State) {
    same_data(app, s.data.as_ref().unwrap());
}

fn same_data(app: &App, held: &cscaudit::tui::data::Data) {
    let fresh = cscaudit::tui::data::Data::load(app, &held.engagement.id).unwrap();
    assert_eq!(held.engagement, fresh.engagement);
    assert_eq!(held.team, fresh.team);
    assert_eq!(held.findings, fresh.findings);
    assert_eq!(held.lowered, fresh.lowered);
    for col in cscaudit::tui::state::FindingCol::ALL {
        assert_eq!(held.orders.get(col), fresh.orders.get(col), "order by {col:?}");
    }
    assert_eq!(held.findings_by_indicator, fresh.findings_by_indicator);
    assert_eq!(held.assessments, fresh.assessments);
    assert_eq!(held.test_calls, fresh.test_calls);
    assert_eq!(held.qa, fresh.qa);
    assert_eq!(held.qa_round, fresh.qa_round);
    let by_id = |d: &cscaudit::tui::data::Data| {
        let mut v = d.actions.clone();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    assert_eq!(by_id(held), by_id(&fresh));
    let links = |d: &cscaudit::tui::data::Data| {
        let mut v: Vec<(String, Vec<String>)> = d
            .actions_by_finding
            .iter()
            .map(|(f, ix)| {
                let mut ids: Vec<String> = ix.iter().map(|&i| d.actions[i].id.clone()).collect();
                ids.sort();
                (f.clone(), ids)
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(links(held), links(&fresh));
    let mut ev: Vec<_> = held.evidence.values().cloned().collect();
    let mut ev2: Vec<_> = fresh.evidence.values().cloned().collect();
    ev.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    ev2.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    assert_eq!(ev, ev2);
    assert_eq!(held.glance, fresh.glance);
    // The dashboard's glance counts what the full status report lists.
    let full = app.status_report(&held.engagement).unwrap();
    let g = &held.glance;
    assert_eq!(
        (g.overdue, g.due_7, g.due_30, g.awaiting_verification, g.verified),
        (
            full.overdue.len(),
            full.due_7.len(),
            full.due_30.len(),
            full.awaiting_verification.len(),
            full.verified
        )
    );
    let n = full.overdue.len().min(cscaudit::app::status::GLANCE_LINES);
    assert_eq!(g.oldest_overdue, full.overdue[..n].to_vec());
    for ((grade, status), count) in &g.findings_by_grade {
        assert_eq!(full.findings_by_grade[grade.as_str()][status.as_str()], *count);
    }
    assert_eq!(g.findings_by_grade.values().sum::<usize>(), full.findings_total);
    assert_eq!(g.scorecard, full.scorecard);
}

fn form_error(s: &State) -> Option<String> {
    match &s.popup {
        Some(Popup::Form(f)) => f.error.clone(),
        _ => None,
    }
}

fn is_form(s: &State) -> bool {
    matches!(s.popup, Some(Popup::Form(_)))
}

/// From an empty folder: identity, engagement, second auditor.
fn set_up_team(app: &mut App, s: &mut State) {
    assert!(is_form(s), "a new user is asked who they are first");
    typ(app, s, "zhang.wei");
    press(app, s, "tab");
    typ(app, s, "张伟");
    press(app, s, "tab");
    typ(app, s, "ZW");
    press(app, s, "tab");
    typ(app, s, "CCAA-2019-1");
    // Enter moves on to the key (left empty: unsigned), Enter again saves.
    press(app, s, "enter enter");
    assert!(app.identity_is_set());
    assert_eq!(app.identity().name, "张伟");
    // The engagement form follows.
    assert!(is_form(s), "{:?}", s.status);
    typ(app, s, "某银行客户服务中心");
    press(app, s, "tab");
    typ(app, s, "上海");
    press(app, s, "tab tab");
    typ(app, s, "2026-07-01");
    press(app, s, "tab");
    typ(app, s, "2026-06-01"); // before the start: refused, nothing saved
    press(app, s, "tab enter");
    assert!(
        form_error(s).is_some(),
        "a period that ends before it starts is refused"
    );
    assert!(app.engagements().unwrap().is_empty());
    press(app, s, "shift-tab ctrl-u");
    typ(app, s, "2026-09-30");
    press(app, s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(s));
    let d = s.data.as_ref().expect("the new engagement is open");
    assert_eq!(d.engagement.auditee, "某银行客户服务中心");
    assert_eq!(d.engagement.kind.as_str(), "stage-2");
    assert_eq!(d.team[0].certificate_no.as_deref(), Some("CCAA-2019-1"));
}

fn add_auditor(app: &mut App, s: &mut State) {
    press(app, s, "1 a");
    typ(app, s, "li.min");
    press(app, s, "tab");
    typ(app, s, "李敏");
    press(app, s, "tab");
    typ(app, s, "LM");
    press(app, s, "tab tab");
    typ(app, s, "CCAA-2021-2");
    press(app, s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(s));
    assert_eq!(s.data.as_ref().unwrap().team.len(), 2);
}

#[test]
fn a_whole_audit_by_keyboard_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    let mut s = initial_state(&app, &setup(), Lang::En, None).unwrap();
    s.size = (120, 40);
    set_up_team(&mut app, &mut s);
    let eng = s.data.as_ref().unwrap().engagement.id.clone();

    // Checklist: a measured value with unit checking, then notes in Chinese.
    press(&mut app, &mut s, "2 n v");
    let ind = s.selected_indicator().unwrap().to_string();
    typ(&mut app, &mut s, "abc");
    press(&mut app, &mut s, "enter enter");
    assert!(form_error(&s).unwrap().contains("not a number"), "{:?}", form_error(&s));
    press(&mut app, &mut s, "shift-tab ctrl-u");
    typ(&mut app, &mut s, "-5");
    press(&mut app, &mut s, "ctrl-s");
    assert!(form_error(&s).is_some(), "a negative or out-of-range value is refused");
    assert_eq!(app.assessment(&eng, &ind).unwrap().measured, None, "nothing saved");
    press(&mut app, &mut s, "ctrl-u");
    typ(&mut app, &mut s, "12");
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    assert_eq!(app.assessment(&eng, &ind).unwrap().measured, Some(12.0));
    press(&mut app, &mut s, "e");
    typ(&mut app, &mut s, "夜班人力不足");
    press(&mut app, &mut s, "enter");
    typ(&mut app, &mut s, "第二行");
    press(&mut app, &mut s, "ctrl-s");
    assert_eq!(app.assessment(&eng, &ind).unwrap().notes, "夜班人力不足\n第二行");

    // Raise a finding from the indicator and issue it at once: refused while the
    // team has one certified auditor, and nothing is written.
    press(&mut app, &mut s, "f");
    press(&mut app, &mut s, "tab tab");
    typ(&mut app, &mut s, "60 通中 3 通无录音");
    press(&mut app, &mut s, "tab tab tab right ctrl-s");
    assert!(form_error(&s).unwrap().contains("two auditors"), "{:?}", form_error(&s));
    assert!(app.findings(&eng).unwrap().is_empty());
    press(&mut app, &mut s, "esc");
    add_auditor(&mut app, &mut s);
    press(&mut app, &mut s, "2 f tab tab");
    typ(&mut app, &mut s, "60 通中 3 通无录音");
    press(&mut app, &mut s, "tab tab tab right ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let f = app.findings(&eng).unwrap().remove(0);
    assert_eq!(f.status, FindingStatus::Issued);
    assert_eq!(f.indicators, vec![ind.clone()]);

    // The moves menu offers only what can happen now.
    press(&mut app, &mut s, "3 g g m");
    match &s.popup {
        Some(Popup::Moves { moves, .. }) => assert_eq!(moves, &vec![MoveKind::Respond, MoveKind::Withdraw]),
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "enter");
    typ(&mut app, &mut s, "排班模型未覆盖夜班");
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "临时加派人手");
    press(&mut app, &mut s, "ctrl-s");
    assert_eq!(app.finding(&f.reference).unwrap().status, FindingStatus::Responded);

    // A corrective action; a due date in the past asks first.
    press(&mut app, &mut s, "a");
    typ(&mut app, &mut s, "按预测补充夜班排班");
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "陈静 运营部");
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "2026-01-01");
    press(&mut app, &mut s, "enter");
    assert!(form_error(&s).unwrap().contains("in the past"));
    assert!(app.actions(&eng).unwrap().is_empty());
    press(&mut app, &mut s, "ctrl-u");
    typ(&mut app, &mut s, "+30d");
    press(&mut app, &mut s, "enter");
    let a = app.actions(&eng).unwrap().remove(0);
    assert_eq!(a.due, Some(jiff::civil::date(2026, 12, 27)));

    press(&mut app, &mut s, "m");
    match &s.popup {
        Some(Popup::Moves { moves, .. }) => assert_eq!(moves[0], MoveKind::AcceptPlan),
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "enter y");
    assert_eq!(app.finding(&f.reference).unwrap().status, FindingStatus::PlanAccepted);

    // Remediation: complete the action, then verify it.
    // Status choices: planned (now), in progress, completed, cancelled.
    press(&mut app, &mut s, "4 g g e right right");
    press(&mut app, &mut s, "tab tab");
    typ(&mut app, &mut s, "排班表截图");
    // A completion evidence file, stored and linked to the finding.
    let roster = dir.path().join("十二月排班表.xlsx");
    std::fs::write(&roster, b"roster").unwrap();
    press(&mut app, &mut s, "tab");
    step(&mut app, &mut s, Input::Paste(roster.display().to_string()));
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    assert_eq!(app.action(&a.id).unwrap().status, ActionStatus::Completed);
    let linked = app.finding(&f.reference).unwrap().evidence;
    assert_eq!(linked.len(), 1, "the completion evidence file is linked to the finding");
    let stored = app.evidence(&eng).unwrap();
    assert!(
        stored
            .iter()
            .any(|e| e.name == "十二月排班表.xlsx" && e.note.contains(&a.id))
    );
    press(&mut app, &mut s, "y tab");
    typ(&mut app, &mut s, "抽查 11 月排班：有效");
    press(&mut app, &mut s, "ctrl-s");
    let verified = app.action(&a.id).unwrap();
    assert_eq!(verified.status, ActionStatus::Effective);
    assert_eq!(verified.verification.unwrap().by, "zhang.wei");

    // Undo the verification: a new change, shown in history (read again
    // after the change, not left as it was).
    let before = app.op_count();
    let shown = s.history.as_ref().map_or(0, |(_, ops)| ops.len());
    press(&mut app, &mut s, "u");
    assert_eq!(app.action(&a.id).unwrap().status, ActionStatus::Completed);
    assert!(app.op_count() > before);
    let now = s.history.as_ref().map_or(0, |(_, ops)| ops.len());
    assert!(now > shown, "the history panel grew with the undo: {shown} → {now}");
    assert!(s.status.as_ref().unwrap().text.contains("Undone"), "{:?}", s.status);
    assert_eq!(s.pane, Pane::Remediation);
    // Every save above patched the snapshot in place; it matches a full load.
    same_as_loaded(&app, &s);

    // Raising a second finding inserts it in reference order; undoing the
    // raise removes it again (a tombstone), from every index.
    press(&mut app, &mut s, "2 f tab tab");
    typ(&mut app, &mut s, "第二项");
    press(&mut app, &mut s, "ctrl-s");
    assert_eq!(s.data.as_ref().unwrap().findings.len(), 2, "{:?}", form_error(&s));
    same_as_loaded(&app, &s);
    press(&mut app, &mut s, "u");
    assert_eq!(s.data.as_ref().unwrap().findings.len(), 1, "{:?}", s.status);
    assert_eq!(app.findings(&eng).unwrap().len(), 1);
    same_as_loaded(&app, &s);
}

#[test]
fn the_owner_cannot_verify_and_illegal_moves_are_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::Zh, None).unwrap();
    s.size = (120, 40);
    set_up_team(&mut app, &mut s);
    add_auditor(&mut app, &mut s);
    let eng = s.data.as_ref().unwrap().engagement.id.clone();
    // An observation, issued at once.
    press(&mut app, &mut s, "3 f right"); // grades: major, minor (default), observation
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "观察项");
    press(&mut app, &mut s, "tab tab tab tab right ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let f = app.findings(&eng).unwrap().remove(0);
    assert_eq!(f.status, FindingStatus::Issued);
    press(&mut app, &mut s, "g g m");
    match &s.popup {
        // An observation closes without a response; it is never "verified".
        Some(Popup::Moves { moves, .. }) => {
            assert!(
                moves.contains(&MoveKind::Close) && !moves.contains(&MoveKind::Verify),
                "{moves:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "esc");
    // A minor with an action owned by the lead himself: he cannot verify it.
    press(&mut app, &mut s, "f tab");
    typ(&mut app, &mut s, "一般不符合");
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "事实");
    press(&mut app, &mut s, "tab tab tab right ctrl-s");
    let g = app
        .findings(&eng)
        .unwrap()
        .into_iter()
        .find(|x| x.reference != f.reference)
        .unwrap();
    app.move_finding(
        &g.reference,
        cscaudit::app::FindingMove::Respond {
            root_cause: "r".into(),
            correction: "c".into(),
        },
    )
    .unwrap();
    let a = app
        .add_action(
            &g.reference,
            cscaudit::app::NewAction {
                description: "d".into(),
                owner: "张伟".into(),
                due: None,
            },
        )
        .unwrap();
    app.update_action(
        &a.id,
        cscaudit::app::ActionUpdate {
            status: Some(ActionStatus::Completed),
            ..Default::default()
        },
    )
    .unwrap();
    press(&mut app, &mut s, "ctrl-r 4 g g y tab");
    typ(&mut app, &mut s, "自己验证");
    press(&mut app, &mut s, "ctrl-s");
    let e = form_error(&s).expect("refused in the form");
    assert!(e.contains("责任人不能验证"), "{e}");
    assert_eq!(app.action(&a.id).unwrap().status, ActionStatus::Completed);
    // The refusal reads in Chinese on screen.
    assert!(screen(&s, 120, 40).contains("责任人不能验证"));
}

#[test]
fn snapshots_of_every_form_at_two_sizes_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    cscaudit::app::demo::seed(&mut app).unwrap();
    // (name, keys that open it from a fresh state, text typed into it)
    let forms: &[(&str, &str, &str)] = &[
        ("identity", "1 i", ""),
        ("engagement", "1 n", "某银行"),
        ("member", "1 a", "li.min"),
        ("measured", "2 n v", "82.5"),
        ("notes", "2 n e", "夜班人力不足"),
        ("raise", "2 n f", ""),
        ("moves", "3 g g m", ""),
        // (on the first finding that takes actions: issued, not yet verified)
        ("action_add", "3 g g", "补充排班"),
        ("action_update", "4 g g e", ""),
        // (on the first completed action: only one can be verified)
        ("action_verify", "4 g g", ""),
        ("evidence", "2 n a", "录音抽样.wav"),
        ("assign", "2 n A", ""),
        ("finding_edit", "3 g g e", ""),
    ];
    for (lang, tag) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (name, keys, text) in forms {
            let mut s = initial_state(&app, &setup(), lang, Some(cscaudit::app::demo::DEMO_ENGAGEMENT)).unwrap();
            s.size = (120, 40);
            press(&mut app, &mut s, keys);
            if *name == "action_add" {
                while !s.availability(cscaudit::tui::commands::Cmd::ActionAdd).is_enabled() {
                    press(&mut app, &mut s, "j");
                }
                press(&mut app, &mut s, "a");
            }
            if *name == "action_verify" {
                while s.selected_action().expect("a completed action").status != ActionStatus::Completed {
                    press(&mut app, &mut s, "j");
                }
                press(&mut app, &mut s, "y");
            }
            typ(&mut app, &mut s, text);
            assert!(s.popup.is_some(), "{name} did not open");
            // History panels behind the form show wall-clock times of seeding.
            s.history = None;
            for (w, h) in [(120, 40), (80, 24)] {
                snap(&format!("form_{tag}_{name}_{w}x{h}"), screen(&s, w, h));
            }
        }
    }
}

#[test]
fn filter_values_match_by_prefix_and_unknown_ones_are_named() {
    use cscaudit::model::finding::Grade;
    use cscaudit::tui::state::FindingFilter;
    let f = FindingFilter::parse("grade:maj status:plan 录音");
    assert_eq!(f.grades, vec![Grade::Major]);
    assert_eq!(f.statuses, vec![FindingStatus::PlanAccepted]);
    assert_eq!(f.text, vec!["录音".to_string()]);
    let f = FindingFilter::parse("grade:bogus status:c grade:严重");
    // `c` could be closed only; `bogus` names nothing.
    assert_eq!(f.unknown, vec!["grade:bogus".to_string()]);
    assert_eq!(f.statuses, vec![FindingStatus::Closed]);
    assert_eq!(f.grades, vec![Grade::Major]);
    let ambiguous = FindingFilter::parse("status:re");
    assert_eq!(
        ambiguous.unknown,
        vec!["status:re".to_string()],
        "responded or reopened"
    );
}

#[test]
fn the_tui_shows_control_and_bidi_characters_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    cscaudit::app::demo::seed(&mut app).unwrap();
    let f = app
        .raise_finding(
            cscaudit::app::demo::DEMO_ENGAGEMENT,
            cscaudit::app::NewFinding {
                grade: cscaudit::model::finding::Grade::Observation,
                title: "\u{1b}]0;pwned\u{7}\u{202E}evil".into(),
                statement: "\u{1b}[2J".into(),
                criterion: String::new(),
                indicators: vec![],
                evidence_note: String::new(),
                issue: false,
            },
        )
        .unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(cscaudit::app::demo::DEMO_ENGAGEMENT)).unwrap();
    s.size = (120, 40);
    press(&mut app, &mut s, "3 G");
    assert_eq!(s.selected_finding().unwrap().reference, f.reference);
    for keys in ["", "enter"] {
        press(&mut app, &mut s, keys);
        let text = screen(&s, 120, 40);
        assert!(
            !text.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'),
            "{text}"
        );
        assert!(text.contains("␛]0;pwned␇"), "{text}");
    }
}

#[test]
fn the_loading_frame_never_says_the_database_is_empty() {
    let mut s = State::new(Lang::En, Keymap::load("default", None).0, None);
    s.loading = true;
    let text = screen(&s, 120, 40);
    assert!(text.contains("Loading") && !text.contains("no engagement"), "{text}");
}

#[test]
fn evidence_is_attached_from_the_checklist_with_its_hash_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    cscaudit::app::demo::seed(&mut app).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(cscaudit::app::demo::DEMO_ENGAGEMENT)).unwrap();
    s.size = (120, 40);
    let file = dir.path().join("排班表 2026-09.csv");
    std::fs::write(&file, "日期,夜班人数\n2026-09-01,12\n").unwrap();
    press(&mut app, &mut s, "2 n a");
    let ind = s.selected_indicator().unwrap().to_string();
    // A folder is refused in the form, nothing attached.
    typ(&mut app, &mut s, dir.path().to_str().unwrap());
    press(&mut app, &mut s, "ctrl-s");
    assert!(form_error(&s).unwrap().contains("not a regular file"));
    press(&mut app, &mut s, "ctrl-u");
    step(&mut app, &mut s, Input::Paste(file.to_str().unwrap().to_string()));
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "九月排班");
    press(&mut app, &mut s, "enter");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let msg = &s.status.as_ref().unwrap().text;
    assert!(msg.contains("排班表 2026-09.csv") && msg.contains("sha256"), "{msg}");
    let a = app.assessment(cscaudit::app::demo::DEMO_ENGAGEMENT, &ind).unwrap();
    assert_eq!(a.evidence.len(), 1);

    // O lists the indicator's evidence; Enter hands a checked copy to the
    // opener (here a script that notes the path it was given).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let seen = dir.path().join("opened.txt");
        let opener = dir.path().join("open.sh");
        std::fs::write(
            &opener,
            format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
        )
        .unwrap();
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
        s.opener = opener.display().to_string();
        press(&mut app, &mut s, "O");
        assert!(matches!(&s.popup, Some(Popup::Evidence { items, .. }) if items.len() == 1));
        press(&mut app, &mut s, "enter");
        assert!(s.status.as_ref().unwrap().text.contains("Opened"), "{:?}", s.status);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !seen.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let copy = std::fs::read_to_string(&seen).unwrap();
        assert!(copy.ends_with("排班表 2026-09.csv"), "{copy}");
        assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&file).unwrap());
    }

    // w writes it out to a path; an existing file is replaced only on a second save.
    let out = dir.path().join("导出.csv");
    std::fs::write(&out, "old").unwrap();
    press(&mut app, &mut s, "O w ctrl-u");
    typ(&mut app, &mut s, out.to_str().unwrap());
    press(&mut app, &mut s, "ctrl-s");
    assert!(form_error(&s).unwrap().contains("exists"), "{:?}", form_error(&s));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&file).unwrap());
}

/// Patching after each kind of change (new findings in the middle and at the
/// end, edited titles and grades, actions added, undone creations) keeps the
/// snapshot, its indexes and every column's order equal to a full load.
#[test]
fn patched_snapshots_match_a_full_load_after_every_kind_of_change() {
    use cscaudit::app::{NewAction, NewFinding, demo};
    use cscaudit::model::finding::Grade;
    use cscaudit::tui::data::Data;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let mut d = Data::load(&app, eng).unwrap();
    let refresh = |app: &App, d: &mut Data| {
        let p = Data::patch(app, eng).unwrap().expect("a few records touched");
        d.apply(p);
        same_data(app, d);
    };
    let titles = ["Zeta 夜班", "alpha 录音", "Mu 排班", "alpha 录音", "北京 回访"];
    let lead = app.identity().clone();
    let other = d
        .team
        .iter()
        .find(|m| m.actor != lead.actor && m.role == cscaudit::model::engagement::Role::Auditor)
        .unwrap()
        .clone();
    let mut raised = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        // Every other finding by a teammate: their references (other
        // initials) sort among the existing ones, not after them.
        // Each signs with the key the demo made for them.
        let who = if i % 2 == 1 { &other.actor } else { &lead.actor };
        if i % 2 == 1 {
            app.set_identity(&other.actor, &other.name, &other.initials).unwrap();
        } else {
            app.set_identity(&lead.actor, &lead.name, &lead.initials).unwrap();
        }
        app.set_identity_key(Some(&dir.path().join("demo-keys").join(who)))
            .unwrap();
        let f = app
            .raise_finding(
                eng,
                NewFinding {
                    grade: Grade::ALL[i % Grade::ALL.len()],
                    title: title.to_string(),
                    statement: "所见".into(),
                    criterion: "GB/T 32312-2015".into(),
                    indicators: d.catalog.indicators[i % 3..i % 3 + 1]
                        .iter()
                        .map(|x| x.id.clone())
                        .collect(),
                    evidence_note: String::new(),
                    issue: false,
                },
            )
            .unwrap();
        refresh(&app, &mut d);
        raised.push(f.reference);
    }
    assert!(
        raised
            .iter()
            .any(|r| r.as_str() < d.findings.last().unwrap().reference.as_ref()),
        "some references sort before the last one: {raised:?}"
    );
    // Edits move a finding in the title order.
    app.edit_finding(&raised[0], "title", "aardvark").unwrap();
    refresh(&app, &mut d);
    // An action changes the Actions column of its finding.
    let open = d
        .findings
        .iter()
        .find(|f| matches!(f.status, FindingStatus::Issued | FindingStatus::Responded))
        .unwrap()
        .reference
        .clone();
    app.add_action(
        &open,
        NewAction {
            description: "补充培训".into(),
            owner: "运营部".into(),
            due: Some(jiff::civil::date(2027, 1, 31)),
        },
    )
    .unwrap();
    refresh(&app, &mut d);
    // Undo the action, then the edit: records vanish and move back.
    app.set_identity(&lead.actor, &lead.name, &lead.initials).unwrap();
    app.undo_last().unwrap();
    refresh(&app, &mut d);
    app.undo_last().unwrap();
    refresh(&app, &mut d);
    app.undo_last().unwrap();
    refresh(&app, &mut d);
    assert_eq!(d.findings.len(), app.findings(eng).unwrap().len());
    // A campaign planned (calls TC-025…, after the demo's), a call recorded:
    // each patched in its place.
    let plan = cscaudit::app::testcall::CampaignPlan {
        campaign: "patch".into(),
        calls: 980,
        slots: vec!["09:00-12:00".into()],
        services: vec!["信用卡".into()],
        from: "2026-12-01".parse().unwrap(),
        to: "2026-12-02".parse().unwrap(),
        seed: 1,
    };
    app.plan_test_calls(eng, &plan).unwrap();
    refresh(&app, &mut d);
    assert_eq!(d.test_calls.len(), 24 + 980);
    let outcome = cscaudit::app::testcall::CallOutcome {
        connected: true,
        ..Default::default()
    };
    app.record_test_call(eng, "TC-1000", &outcome).unwrap();
    refresh(&app, &mut d);
}

/// Ctrl-G in a multi-line field edits its text in the user's editor; what
/// the editor saved comes back into the form (shown inert); an editor that
/// fails leaves the text as it was and says so.
#[cfg(unix)]
#[test]
fn notes_can_be_edited_in_the_users_editor() {
    use cscaudit::app::demo;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("data")).unwrap();
    demo::seed(&mut app).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf '外部编辑器写的\\033[31m一行\\n' >> \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    s.editor = Some(editor.display().to_string());
    press(&mut app, &mut s, "2 n");
    let ind = s.selected_indicator().unwrap().to_string();
    press(&mut app, &mut s, "e ctrl-u");
    typ(&mut app, &mut s, "现场记录");
    press(&mut app, &mut s, "ctrl-g");
    assert!(form_error(&s).is_none(), "{:?}", form_error(&s));
    press(&mut app, &mut s, "ctrl-s");
    let notes = app.assessment(demo::DEMO_ENGAGEMENT, &ind).unwrap().notes;
    assert!(notes.starts_with("现场记录"), "{notes:?}");
    assert!(notes.contains("外部编辑器写的"), "{notes:?}");
    assert!(!notes.contains('\u{1b}'), "the escape came back inert: {notes:?}");

    // An editor that fails: the text stays, the form says why.
    s.editor = Some("/bin/false".into());
    press(&mut app, &mut s, "e");
    press(&mut app, &mut s, "ctrl-g");
    assert!(form_error(&s).unwrap().contains("editor"), "{:?}", form_error(&s));
    press(&mut app, &mut s, "esc");
}

/// Space marks indicators; A assigns the marked ones (or the selected one)
/// to a team member in one change, which one undo takes back whole.
#[test]
fn marked_indicators_are_assigned_together() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let mut s = initial_state(&app, &setup(), Lang::En, Some(eng)).unwrap();
    s.size = (120, 40);
    press(&mut app, &mut s, "2 g g j j");
    press(&mut app, &mut s, "space space j j space");
    let marked: Vec<String> = s.checklist.marked.iter().cloned().collect();
    assert_eq!(marked.len(), 3, "{marked:?}");
    assert!(screen(&s, 120, 40).contains("3 marked"));
    let before: Vec<Option<String>> = marked
        .iter()
        .map(|i| app.assessment(eng, i).unwrap().assignee)
        .collect();
    let ops = app.op_count();
    // Options that do not fit scroll: the chosen one is always in view.
    press(&mut app, &mut s, "A right right right");
    let narrow = screen(&s, 80, 24);
    assert!(narrow.contains("zhang.wei") && narrow.contains("‹"), "{narrow}");
    press(&mut app, &mut s, "esc");
    press(&mut app, &mut s, "A");
    // nobody, then the team's auditors in order; pick the first auditor.
    press(&mut app, &mut s, "right ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let who = app.assessment(eng, &marked[0]).unwrap().assignee.unwrap();
    for i in &marked {
        assert_eq!(app.assessment(eng, i).unwrap().assignee.as_deref(), Some(who.as_str()));
    }
    assert!(s.checklist.marked.is_empty(), "marks clear after assigning");
    assert!(app.op_count() > ops);
    same_as_loaded(&app, &s);
    // One undo takes the whole assignment back.
    press(&mut app, &mut s, "u");
    let after: Vec<Option<String>> = marked
        .iter()
        .map(|i| app.assessment(eng, i).unwrap().assignee)
        .collect();
    assert_eq!(after, before);
}

/// Recomputing from call records of days outside the evaluation period asks
/// before recording; no records nothing, yes records.
#[test]
fn call_records_outside_the_period_are_questioned_before_recording() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let mut s = initial_state(&app, &setup(), Lang::En, Some(eng)).unwrap();
    let calls = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calls/january-excerpt.txt");
    // The demo's period is in 2026; the excerpt is January 1999.
    let ind = "AC-02";
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator(ind.into()));
    press(&mut app, &mut s, "2");
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator(ind.into()));
    let before = app.assessment(eng, ind).unwrap().measured;
    press(&mut app, &mut s, "M");
    typ(&mut app, &mut s, calls.to_str().unwrap());
    press(&mut app, &mut s, "enter");
    match &s.popup {
        Some(Popup::Confirm { message, .. }) => {
            assert!(
                message.contains("outside the evaluation period") && message.contains("1999"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "n");
    assert_eq!(app.assessment(eng, ind).unwrap().measured, before, "nothing recorded");
    press(&mut app, &mut s, "M");
    typ(&mut app, &mut s, calls.to_str().unwrap());
    press(&mut app, &mut s, "enter y");
    let after = app.assessment(eng, ind).unwrap().measured;
    assert!(after.is_some() && after != before, "{before:?} → {after:?}");
    assert!(s.status.as_ref().unwrap().text.contains("AC-02 ="), "{:?}", s.status);
}

/// A typed value that contradicts the recorded result is met with an offer
/// to change the result; yes changes it, no leaves it.
#[test]
fn a_value_that_contradicts_the_result_offers_to_change_it() {
    use cscaudit::app::demo;
    use cscaudit::model::assessment::AssessmentResult;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let mut s = initial_state(&app, &setup(), Lang::Zh, Some(eng)).unwrap();
    press(&mut app, &mut s, "2");
    // PE-01: target ≥97.91%, recorded conforming in the demo.
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator("PE-01".into()));
    assert_eq!(
        app.assessment(eng, "PE-01").unwrap().result,
        AssessmentResult::Conforming
    );
    press(&mut app, &mut s, "v ctrl-u");
    typ(&mut app, &mut s, "90");
    press(&mut app, &mut s, "ctrl-s");
    match &s.popup {
        Some(Popup::Confirm { message, .. }) => {
            assert!(message.contains("未达目标") && message.contains("不符合"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "n");
    assert_eq!(
        app.assessment(eng, "PE-01").unwrap().result,
        AssessmentResult::Conforming
    );
    press(&mut app, &mut s, "v ctrl-u");
    typ(&mut app, &mut s, "91");
    press(&mut app, &mut s, "ctrl-s y");
    assert_eq!(
        app.assessment(eng, "PE-01").unwrap().result,
        AssessmentResult::Nonconforming
    );
    // Now a value meeting the target offers conforming again.
    press(&mut app, &mut s, "v ctrl-u");
    typ(&mut app, &mut s, "99");
    press(&mut app, &mut s, "ctrl-s");
    assert!(matches!(&s.popup, Some(Popup::Confirm { message, .. }) if message.contains("已达目标")));
}

/// e edits a finding in one change; a draft's grade can change, an issued
/// finding's cannot (the form has no grade, the app refuses it).
#[test]
fn a_drafts_grade_and_a_findings_texts_are_edited() {
    use cscaudit::app::demo;
    use cscaudit::model::finding::Grade;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let draft = app
        .findings(eng)
        .unwrap()
        .into_iter()
        .find(|f| f.status == FindingStatus::Draft)
        .unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(eng)).unwrap();
    press(&mut app, &mut s, "3");
    s.findings.selected = Some(draft.reference.clone());
    press(&mut app, &mut s, "e");
    assert!(screen(&s, 120, 40).contains("a draft's only"));
    // Grade: one to the left; the title gains a word.
    press(&mut app, &mut s, "left tab end");
    typ(&mut app, &mut s, "（已核实）");
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let after = app.finding(&draft.reference).unwrap();
    let i = Grade::ALL.iter().position(|g| *g == draft.grade).unwrap();
    assert_eq!(after.grade, Grade::ALL[i.saturating_sub(1)]);
    assert!(after.title.ends_with("（已核实）"), "{}", after.title);
    same_as_loaded(&app, &s);
    // An issued finding: no grade field, and the app refuses a grade change.
    let issued = app
        .findings(eng)
        .unwrap()
        .into_iter()
        .find(|f| f.status == FindingStatus::Issued)
        .unwrap();
    s.findings.selected = Some(issued.reference.clone());
    press(&mut app, &mut s, "e");
    assert!(!screen(&s, 120, 40).contains("a draft's only"));
    press(&mut app, &mut s, "esc");
    let other = if issued.grade == Grade::Major { "minor" } else { "major" };
    let err = app.edit_finding(&issued.reference, "grade", other).unwrap_err();
    assert!(err.to_string().contains("only a draft"), "{err}");
    assert_eq!(app.finding(&issued.reference).unwrap().grade, issued.grade);
}

/// x on the dashboard exports a findings bundle; on a new laptop, I on the
/// welcome screen imports it and the engagement opens.
#[test]
fn a_teammate_joins_by_importing_a_bundle_from_the_tui() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("lead")).unwrap();
    demo::seed(&mut app).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::Zh, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    let zip = dir.path().join("演示数据包.zip");
    press(&mut app, &mut s, "1 x ctrl-u");
    typ(&mut app, &mut s, zip.to_str().unwrap());
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    assert!(zip.is_file());
    assert!(s.status.as_ref().unwrap().text.contains("已导出"), "{:?}", s.status);

    let mut b = App::open(&dir.path().join("second")).unwrap();
    b.set_identity("li.min", "李敏", "LM").unwrap();
    b.set_identity_key(Some(&dir.path().join("lead/demo-keys/li.min")))
        .unwrap();
    let mut t = initial_state(&b, &setup(), Lang::Zh, None).unwrap();
    assert!(t.data.is_none());
    assert!(screen(&t, 80, 24).contains("导入同事的发现项数据包"));
    press(&mut b, &mut t, "I");
    step(&mut b, &mut t, Input::Paste(zip.display().to_string()));
    press(&mut b, &mut t, "ctrl-s");
    assert!(t.popup.is_none(), "{:?}", form_error(&t));
    let d = t
        .data
        .as_ref()
        .unwrap_or_else(|| panic!("the engagement opens: {:?} {:?}", t.status, screen(&t, 80, 24)));
    assert_eq!(d.engagement.id, demo::DEMO_ENGAGEMENT);
    assert_eq!(d.findings.len(), app.findings(demo::DEMO_ENGAGEMENT).unwrap().len());

    // Back the other way: the lead imports the second auditor's work into the
    // open engagement; the merged records are patched into what the TUI holds,
    // which then equals a full load.
    let raised = b
        .raise_finding(
            demo::DEMO_ENGAGEMENT,
            cscaudit::app::NewFinding {
                grade: cscaudit::model::finding::Grade::Observation,
                title: "李敏的观察".into(),
                statement: String::new(),
                criterion: String::new(),
                indicators: vec!["AC-01".into()],
                evidence_note: String::new(),
                issue: false,
            },
        )
        .unwrap()
        .reference;
    b.edit_finding("ZW-001", "title", "李敏改的标题").unwrap();
    let back = dir.path().join("back.zip");
    cscaudit::bundle::export(&b, demo::DEMO_ENGAGEMENT, &back, &Default::default()).unwrap();
    press(&mut app, &mut s, "1 I");
    step(&mut app, &mut s, Input::Paste(back.display().to_string()));
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let held = s.data.as_ref().unwrap();
    assert!(held.findings.iter().any(|f| *f.reference == *raised));
    assert!(held.findings.iter().any(|f| &*f.title == "李敏改的标题"));
    same_as_loaded(&app, &s);
}

/// C on the dashboard lists teammates' conflicting edits; the lead keeps the
/// current value (Enter) or takes the other (o).
#[test]
fn the_lead_settles_conflicts_from_the_dashboard() {
    use cscaudit::app::demo;
    use cscaudit::bundle;
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(&dir.path().join("a")).unwrap();
    demo::seed(&mut a).unwrap();
    let base = dir.path().join("base.zip");
    bundle::export(&a, demo::DEMO_ENGAGEMENT, &base, &Default::default()).unwrap();
    let mut b = App::open(&dir.path().join("b")).unwrap();
    b.set_identity("li.min", "李敏", "LM").unwrap();
    b.set_identity_key(Some(&dir.path().join("a/demo-keys/li.min")))
        .unwrap();
    bundle::import(&b, &base).unwrap();
    let r = a.findings(demo::DEMO_ENGAGEMENT).unwrap()[0].reference.clone();
    a.edit_finding(&r, "title", "甲").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    // A value longer than its column: the table cuts it, the detail under it shows it whole.
    let long = "乙：座席人力配置在晚高峰不足，需按话务预测补充排班并由质检组复核完毕 (ends here)";
    b.edit_finding(&r, "title", long).unwrap();
    let from_b = dir.path().join("b.zip");
    bundle::export(&b, demo::DEMO_ENGAGEMENT, &from_b, &Default::default()).unwrap();
    bundle::import(&a, &from_b).unwrap();
    assert_eq!(a.finding(&r).unwrap().title, long);

    let mut s = initial_state(&a, &setup(), Lang::Zh, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    press(&mut a, &mut s, "1 C");
    match &s.popup {
        Some(Popup::Conflicts { items, .. }) => {
            assert_eq!(items.len(), 1);
            let (won, lost) = items[0].1;
            assert!(won.is_some() && lost.is_some(), "both sides timed");
        }
        other => panic!("{other:?}"),
    }
    let text = screen(&s, 120, 40);
    assert!(text.contains("改用另一值"));
    // Each side with its author and local time (MM-DD HH:MM).
    let today = jiff::Zoned::now().strftime("%m-%d").to_string();
    assert!(text.matches(&format!(" {today} ")).count() >= 2, "{text}");
    // At 80 columns the popup takes the whole width: its lines, borders and
    // spaces taken out, hold both values whole, and the table's cut is marked.
    let narrow = screen(&s, 80, 24);
    let joined: String = narrow
        .chars()
        .filter(|c| !c.is_whitespace() && !"│╭╮╰╯─".contains(*c))
        .collect();
    let whole: String = long.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(joined.contains(&whole), "{narrow}");
    assert!(joined.contains("甲"), "{narrow}");
    assert!(narrow.contains('…'), "{narrow}");
    press(&mut a, &mut s, "o");
    assert_eq!(a.finding(&r).unwrap().title, "甲");
    assert!(a.conflicts().unwrap().is_empty());
    press(&mut a, &mut s, "C");
    assert!(s.popup.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("没有冲突"));
}

/// An indicator placed in a top group itself (allowed by the catalogue
/// format) is a row of the checklist, before the group's sub-groups; it used
/// to vanish from the TUI and `catalog list`.
#[test]
fn an_indicator_in_a_top_group_is_on_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_identity("zw", "张伟", "ZW").unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs/top-level-indicator.toml");
    let src = std::fs::read_to_string(&path).unwrap();
    let cat = cscaudit::config::parse_catalog(&src, &path.display().to_string()).unwrap();
    app.create_engagement(
        cscaudit::app::NewEngagement {
            id: Some("TOP".into()),
            title: "自评".into(),
            auditee: "某银行".into(),
            site: String::new(),
            kind: cscaudit::model::engagement::EngagementKind::SelfAssessment,
            period_start: None,
            period_end: None,
        },
        &cat,
        &src,
    )
    .unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some("TOP")).unwrap();
    press(&mut app, &mut s, "2");
    let text = screen(&s, 100, 20);
    let hours = text.find("HOURS").expect(&text);
    let speed = text.find("Speed").expect(&text);
    assert!(hours < speed, "before the sub-group:\n{text}");
    assert!(text.contains("SL20"), "{text}");
}

/// From the TUI: the lead registers a teammate's ssh key (made by
/// `ssh-keygen`) in the team form, a bad key file is refused in the form
/// with nothing saved, and `S` syncs with the git remote (a real bare
/// repository) and shows the whole report; with no remote it says how to add one.
#[test]
fn the_team_form_registers_keys_and_s_syncs_from_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for who in ["zw", "lm"] {
        let st = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", who, "-f"])
            .arg(keys.join(who))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let data = dir.path().join("data");
    let mut app = App::open(&data).unwrap();
    app.set_identity("zhang.wei", "张伟", "ZW").unwrap();
    app.set_identity_key(Some(&keys.join("zw"))).unwrap();
    app.create_engagement(
        common::new_engagement("E1", "团队表单"),
        &cscaudit::config::embedded_catalog(),
        cscaudit::model::catalog::EMBEDDED_GBT32312,
    )
    .unwrap();
    let mut s = initial_state(&app, &setup(), Lang::Zh, None).unwrap();
    s.size = (120, 40);

    // No remote yet: `S` says how to add one.
    press(&mut app, &mut s, "1 S");
    match &s.popup {
        Some(Popup::Error(e)) => assert!(e.contains("cscaudit remote add"), "{e}"),
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "esc");

    // A key file that is not a key: refused in the form, nothing saved.
    let bad = dir.path().join("bad.pub");
    std::fs::write(&bad, "not a key\n").unwrap();
    let fill = |app: &mut App, s: &mut State, key: &str| {
        press(app, s, "a");
        typ(app, s, "li.min");
        press(app, s, "tab");
        typ(app, s, "李敏");
        press(app, s, "tab");
        typ(app, s, "LM");
        press(app, s, "tab tab tab");
        typ(app, s, key);
        press(app, s, "ctrl-s");
    };
    fill(&mut app, &mut s, bad.to_str().unwrap());
    assert!(form_error(&s).is_some(), "a bad key is refused in the form");
    assert!(app.member("E1", "li.min").is_none(), "nothing saved");
    press(&mut app, &mut s, "esc");

    fill(&mut app, &mut s, keys.join("lm.pub").to_str().unwrap());
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let lm = app.member("E1", "li.min").expect("li.min is on the team");
    let text = std::fs::read_to_string(keys.join("lm.pub")).unwrap();
    let want: Vec<&str> = text.split_whitespace().take(2).collect();
    let got: Vec<String> = lm.key.unwrap().split_whitespace().take(2).map(str::to_string).collect();
    assert_eq!(got, want, "li.min's registered key is the file's");

    // `S` with a real bare repository: pushed, and the whole report shown.
    let remote = dir.path().join("remote.git");
    let st = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap();
    assert!(st.success());
    app.add_remote("origin", remote.to_str().unwrap(), false).unwrap();
    press(&mut app, &mut s, "S");
    match &s.popup {
        Some(Popup::Notice(text)) => {
            assert!(text.contains("已与 origin 同步") && text.contains("推送操作"), "{text}")
        }
        other => panic!("{other:?} {:?}", s.status),
    }
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&remote)
        .args(["for-each-ref", "--format=%(refname)"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("refs/cscaudit/E1/zhang.wei"));
    press(&mut app, &mut s, "enter");
    assert!(s.popup.is_none());
}

/// A large engagement opens on the dashboard drawn from the store's
/// counters (the lists load on another thread in the real binary): the
/// figures are those of the full load, the list panes say "Loading…",
/// changes wait, and when the lists arrive everything is there.
#[test]
fn a_large_engagement_shows_its_dashboard_before_its_lists() {
    let dir = tempfile::tempdir().unwrap();
    let mut app0 = App::open(dir.path()).unwrap();
    app0.set_identity("zhang.wei", "张伟", "ZW").unwrap();
    let n = cscaudit::tui::LOAD_LISTS_LATER + 500;
    let eng = cscaudit::app::demo::seed_scale(&app0, n as u64, &mut |_| {}).unwrap();
    drop(app0);
    let mut app = App::open(dir.path()).unwrap();
    app.set_identity("zhang.wei", "张伟", "ZW").unwrap();
    let mut s = cscaudit::tui::initial_state_glance(&app, &setup(), Lang::En, Some(&eng)).unwrap();
    s.size = (120, 40);
    let partial = s.data.as_ref().unwrap();
    assert!(partial.partial && partial.findings.is_empty());
    let full = cscaudit::tui::data::Data::load(&app, &eng).unwrap();
    assert_eq!(
        partial.glance, full.glance,
        "the first frame's figures are the full load's"
    );
    assert!(screen(&s, 120, 40).contains("Progress and score"));
    press(&mut app, &mut s, "3");
    assert!(
        screen(&s, 120, 40).contains("Loading"),
        "never an empty list while loading"
    );
    press(&mut app, &mut s, "f");
    assert!(s.popup.is_none(), "no change while the lists load");
    // "Loading…" stays however long the lists take (it went after 2 s at a
    // million findings): shown long ago, ticked, and the reminders arriving.
    s.status = Some(cscaudit::tui::state::StatusLine::info("Loading…"));
    s.status.as_mut().unwrap().shown = std::time::Instant::now() - std::time::Duration::from_secs(60);
    step(&mut app, &mut s, Input::Tick);
    step(
        &mut app,
        &mut s,
        Input::Reminders {
            short: "4 overdue".into(),
            full: "4 overdue".into(),
        },
    );
    assert_eq!(s.status.as_ref().map(|l| l.text.as_str()), Some("Loading…"));
    step(&mut app, &mut s, Input::Loaded(Box::new(full)));
    let d = s.data.as_ref().unwrap();
    assert!(!d.partial && d.findings.len() == n);
    assert!(s.status.is_none(), "'Loading…' is gone");
    assert!(screen(&s, 120, 40).contains(&format!("{0}/{0}", d.findings.len())));
    press(&mut app, &mut s, "f");
    assert!(is_form(&s), "changes work once the lists are here");
}

/// The stale form (issue 25): li.min's notes on an indicator arrive in her
/// bundle while zhang.wei's notes form on it is open. His save does not
/// overwrite them silently: nothing is saved, the form names who changed
/// them, keeps what he typed and shows theirs; his next save is his choice
/// and keeps his; Esc instead would have kept theirs.
#[test]
fn a_teammates_notes_imported_while_the_form_is_open_are_not_overwritten_silently() {
    use cscaudit::bundle::{self, ExportOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(&dir.path().join("a")).unwrap();
    cscaudit::app::demo::seed(&mut a).unwrap();
    let eng = cscaudit::app::demo::DEMO_ENGAGEMENT;
    let base = dir.path().join("base.zip");
    bundle::export(&a, eng, &base, &ExportOptions::default()).unwrap();
    let mut b = App::open(&dir.path().join("b")).unwrap();
    b.set_identity("li.min", "李敏 Li Min", "LM").unwrap();
    b.set_identity_key(Some(&dir.path().join("a/demo-keys/li.min")))
        .unwrap();
    bundle::import(&b, &base).unwrap();

    let mut s = initial_state(&a, &setup(), Lang::En, Some(eng)).unwrap();
    s.size = (120, 40);
    press(&mut a, &mut s, "2 j j e");
    let indicator = match &s.popup {
        Some(Popup::Form(f)) => match &f.kind {
            cscaudit::tui::forms::FormKind::Notes { indicator, .. } => indicator.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("the notes form: {other:?}"),
    };
    typ(&mut a, &mut s, " 张伟补充：抽查 30 条录音");
    let mine = match &s.popup {
        Some(Popup::Form(f)) => f.values()[0].1.clone(),
        _ => unreachable!(),
    };

    // Meanwhile li.min writes notes on the same indicator; her bundle arrives.
    b.record_assessment(
        eng,
        &indicator,
        cscaudit::app::AssessmentInput {
            notes: Some("李敏：渠道清单缺少视频客服".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let hers = dir.path().join("lm.zip");
    bundle::export(&b, eng, &hers, &ExportOptions::default()).unwrap();
    bundle::import(&a, &hers).unwrap();

    let ops = a.op_count();
    press(&mut a, &mut s, "ctrl-s");
    let err = form_error(&s).expect("the form stays open and says why");
    assert!(err.contains("li.min changed the notes"), "{err}");
    match &s.popup {
        Some(Popup::Form(f)) => {
            assert_eq!(f.values()[0].1, mine, "what he typed is kept");
            assert!(
                f.theirs.as_deref().is_some_and(|h| h.contains("渠道清单缺少视频客服")),
                "{:?}",
                f.theirs
            );
        }
        other => panic!("{other:?}"),
    }
    // On screen too, at 80×24: who changed it and their text.
    let t = screen(&s, 80, 24);
    assert!(t.contains("li.min changed") && t.contains("Theirs: 李敏"), "{t}");
    assert_eq!(a.op_count(), ops, "nothing was saved");
    assert_eq!(
        a.assessment(eng, &indicator).unwrap().notes,
        "李敏：渠道清单缺少视频客服"
    );
    // Having seen theirs, saving again keeps his.
    press(&mut a, &mut s, "ctrl-s");
    assert!(!is_form(&s), "{:?}", form_error(&s));
    assert_eq!(a.assessment(eng, &indicator).unwrap().notes, mine);
}

/// Every form's save reads its values by typed field ids, and only the
/// fields its form has: debug builds (CI's `cargo test`) stop on a read of
/// a field the form lacks. Each form is opened and saved with what a user
/// would type; each ends saved (closed) or refused inside the form, never
/// silently.
#[test]
fn every_form_saves_reading_only_the_fields_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    app.set_today(jiff::civil::date(2026, 11, 27));
    cscaudit::app::demo::seed(&mut app).unwrap();
    let file = dir.path().join("录音抽样.wav");
    std::fs::write(&file, b"RIFF").unwrap();
    let out = dir.path().join("out.zip");
    let forms: Vec<(&str, &str, String)> = vec![
        ("member", "1 a", "li.min\t李敏\tLM".into()),
        ("engagement", "1 n", "某银行\t北京".into()),
        ("measured", "2 n v", "82.5".into()),
        ("notes", "2 n e", "夜班人力不足".into()),
        ("raise", "2 n f", "".into()),
        ("evidence", "2 n a", file.display().to_string()),
        ("assign", "2 n A", "".into()),
        ("moves", "3 g g m enter", "原因".into()),
        ("action_add", "3 g g", "补充排班\t客服部".into()),
        ("action_update", "4 g g e", "".into()),
        ("finding_edit", "3 g g e", "".into()),
        ("export", "1 x", format!("\x15{}", out.display())),
        // Last: it changes who signs.
        ("identity", "1 i", "zhang.wei\tZhang Wei\tZW".into()),
    ];
    for (name, keys, text) in &forms {
        let mut s = initial_state(&app, &setup(), Lang::Zh, Some(cscaudit::app::demo::DEMO_ENGAGEMENT)).unwrap();
        s.size = (120, 40);
        press(&mut app, &mut s, keys);
        if *name == "action_add" {
            while !s.availability(cscaudit::tui::commands::Cmd::ActionAdd).is_enabled() {
                press(&mut app, &mut s, "j");
            }
            press(&mut app, &mut s, "a");
        }
        assert!(s.popup.is_some(), "{name} did not open");
        if matches!(s.popup, Some(Popup::Confirm { .. })) {
            // A move that asks no text: confirming saves it (no field at all).
            press(&mut app, &mut s, "y");
            assert!(s.popup.is_none(), "{name}: {:?}", s.popup);
            continue;
        }
        for (i, part) in text.split('\t').enumerate() {
            if i > 0 {
                press(&mut app, &mut s, "tab");
            }
            if let Some(rest) = part.strip_prefix('\x15') {
                press(&mut app, &mut s, "ctrl-u");
                typ(&mut app, &mut s, rest);
            } else {
                typ(&mut app, &mut s, part);
            }
        }
        press(&mut app, &mut s, "ctrl-s");
        let outcome = match &s.popup {
            None => "saved".to_string(),
            Some(Popup::Form(f)) => f.error.clone().unwrap_or_else(|| panic!("{name}: still open, no word")),
            Some(Popup::Confirm { message, .. }) | Some(Popup::Error(message)) => message.clone(),
            Some(other) => panic!("{name}: {other:?}"),
        };
        assert!(!outcome.is_empty(), "{name}");
    }
}

/// `M` on an indicator another record source computes asks for that
/// source's file (here PE-01, a survey), reads it over the evaluation
/// period on a worker, records the figure with the figures as evidence and
/// offers to change a contradicted result; an indicator that needs two
/// files is named, and a file with no rows records nothing.
#[test]
fn a_survey_file_recomputes_pe01_from_the_checklist() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let eng = demo::DEMO_ENGAGEMENT;
    let day = app.engagement(eng).unwrap().period_start.unwrap();
    let survey = dir.path().join("满意度.csv");
    // Two of three satisfied in the period; one more outside it.
    std::fs::write(
        &survey,
        format!("contact,channel,time,score\nc1,电话,{day} 10:00:00,5\nc2,电话,{day} 11:00:00,4\nc3,电话,{day} 12:00:00,2\nc4,电话,1999-01-01 10:00:00,5\n"),
    )
    .unwrap();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(eng)).unwrap();
    press(&mut app, &mut s, "2");
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator("PE-01".into()));
    press(&mut app, &mut s, "M");
    match &s.popup {
        Some(Popup::Input { prompt, source, .. }) => {
            assert_eq!(*source, Some("survey"));
            assert!(prompt.contains("satisfaction survey"), "{prompt}");
        }
        other => panic!("{other:?}"),
    }
    typ(&mut app, &mut s, survey.to_str().unwrap());
    press(&mut app, &mut s, "enter");
    let measured = app.assessment(eng, "PE-01").unwrap().measured.unwrap();
    assert!((measured - 200.0 / 3.0).abs() < 1e-9, "{measured}");
    match &s.popup {
        Some(Popup::Confirm { message, .. }) => assert!(message.contains("nonconforming"), "{message}"),
        other => panic!("{other:?}"),
    }
    press(&mut app, &mut s, "n");
    let ev = app.evidence(eng).unwrap();
    assert!(
        ev.iter().filter(|e| e.name.starts_with("survey-PE-01-")).count() >= 2,
        "the demo's and this one"
    );
    // Recording completeness needs the index and the calls: named.
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator("QU-04".into()));
    press(&mut app, &mut s, "M");
    assert!(s.popup.is_none(), "{:?}", s.popup);
    let said = &s.status.as_ref().unwrap().text;
    assert!(
        said.contains("QU-04") && said.contains("not recomputed from one file"),
        "{said}"
    );
    // An empty survey: refused, nothing recorded.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    s.popup = None;
    s.checklist.selected = Some(cscaudit::tui::state::Row::Indicator("PE-01".into()));
    press(&mut app, &mut s, "M");
    typ(&mut app, &mut s, empty.to_str().unwrap());
    press(&mut app, &mut s, "enter");
    assert_eq!(app.assessment(eng, "PE-01").unwrap().measured, Some(measured));
    match &s.popup {
        Some(Popup::Error(e)) => assert!(e.contains("empty.csv") && e.contains("empty"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// A QA round by keyboard: the lead scores blind in the TUI (sealed, the
/// dashboard counts nothing in), the second rater scores on the same copy,
/// the lead reveals with R, and the reconciler settles the disagreement
/// with K. Every save goes through the app and the patched snapshot holds
/// what a full load reads.
#[test]
fn a_qa_review_is_scored_blind_revealed_and_reconciled_by_keyboard() {
    use cscaudit::app::qa::QaPlan;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let eng = cscaudit::app::demo::DEMO_ENGAGEMENT;
    let plan = QaPlan {
        round: "第二轮".into(),
        frame: "rec\nR1\nR2\nR3\n".as_bytes().to_vec(),
        frame_name: "frame.csv".into(),
        n: 1,
        seed: 1,
        id_column: None,
        strata: None,
        plain: false,
        rater_a: "zhang.wei".into(),
        rater_b: "li.min".into(),
        reconciler: "wang.lei".into(),
    };
    let as_who = |app: &mut App, who: &str| {
        let initials: String = who
            .split('.')
            .filter_map(|p| p.chars().next())
            .collect::<String>()
            .to_uppercase();
        app.set_identity(who, who, &initials).unwrap();
        app.set_identity_key(Some(&dir.path().join("demo-keys").join(who)))
            .unwrap();
    };
    as_who(&mut app, "zhang.wei");
    let (_, planned) = app.plan_qa(eng, &plan).unwrap();
    let id = planned[0].id.clone();
    let mut s = initial_state(&app, &setup(), Lang::En, Some(eng)).unwrap();
    s.size = (80, 24);
    // The round's table: nothing sealed yet; Enter on the review scores it.
    press(&mut app, &mut s, "1 V");
    let table = screen(&s, 80, 24);
    assert!(table.contains("QA round 第二轮") && table.contains("QA-031"), "{table}");
    // Q3 down to 12, Q4 (fatal) failed.
    press(&mut app, &mut s, "enter");
    let shown = screen(&s, 80, 24);
    assert!(
        shown.contains("Score a QA review (blind)") && shown.contains("Q4 Answer accurate"),
        "{shown}"
    );
    press(
        &mut app,
        &mut s,
        "tab tab tab backspace backspace text:12 tab right ctrl-s",
    );
    assert!(!is_form(&s), "{:?}", form_error(&s));
    let r = app.qa_review(eng, &id).unwrap();
    assert!(r.seal_a.is_some() && r.reveal_a.is_none());
    assert_eq!(app.qa_sealed_here(&r).unwrap(), vec![5, 10, 12, 0, 15, 10, 10, 10]);
    same_as_loaded(&app, &s);
    let dash = screen(&s, 120, 40);
    assert!(dash.contains("0  of 1 QA reviews in · κ — · 0 to settle"), "{dash}");
    // A seal is final: Q has nothing left for zhang.wei.
    press(&mut app, &mut s, "Q");
    assert!(!is_form(&s));
    press(&mut app, &mut s, "esc");
    // R before the other seal: nothing revealed, said so.
    press(&mut app, &mut s, "R");
    assert!(app.qa_review(eng, &id).unwrap().reveal_a.is_none());
    // li.min scores full marks (revealed at once: zhang.wei had sealed).
    as_who(&mut app, "li.min");
    assert!(
        app.score_qa(eng, &id, &[5, 10, 15, 25, 15, 10, 10, 10])
            .unwrap()
            .revealed
    );
    as_who(&mut app, "zhang.wei");
    press(&mut app, &mut s, "ctrl-r R");
    let r = app.qa_review(eng, &id).unwrap();
    assert!(r.revealed() && r.disagree() == Some(true));
    same_as_loaded(&app, &s);
    // Not the reconciler: K says there is nothing for zhang.wei.
    press(&mut app, &mut s, "K");
    assert!(!is_form(&s));
    // wang.lei reconciles: starts from A's scores; Q4 met makes it a pass.
    as_who(&mut app, "wang.lei");
    let mut s = initial_state(&app, &setup(), Lang::Zh, Some(eng)).unwrap();
    s.size = (120, 40);
    press(&mut app, &mut s, "1 K");
    assert!(screen(&s, 120, 40).contains("裁定质检评分不一致"));
    press(&mut app, &mut s, "tab tab tab tab left ctrl-s");
    assert!(!is_form(&s), "{:?}", form_error(&s));
    let r = app.qa_review(eng, &id).unwrap();
    assert_eq!(r.final_pass(), Some(true));
    same_as_loaded(&app, &s);
}

/// The checklist's group rows count as the dashboard does: assessed of
/// applicable, a not-applicable indicator in neither (the demo's QU-02 is
/// not applicable; the checklist used to say 2/4 where the dashboard said 1/3).
#[test]
fn the_checklists_group_counts_are_the_dashboards() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(dir.path()).unwrap();
    demo::seed(&mut a).unwrap();
    let mut s = initial_state(&a, &setup(), Lang::Zh, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    let counts = |text: &str, group: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.contains(group))
            .unwrap_or_else(|| panic!("{group}: {text}"));
        line.split(|c: char| c.is_whitespace() || c == '│')
            .filter(|t| {
                t.split_once('/').is_some_and(|(a, b)| {
                    !a.is_empty() && !b.is_empty() && (a.to_owned() + b).chars().all(|c| c.is_ascii_digit())
                })
            })
            .map(str::to_owned)
            .collect()
    };
    let dash = screen(&s, 120, 40);
    press(&mut a, &mut s, "2");
    let list = screen(&s, 120, 40);
    for group in ["服务能力", "服务效果", "客户感知", "服务质量"] {
        let d = counts(&dash, group);
        assert_eq!(d.len(), 1, "{group}: {dash}");
        // The first count on the row is the tree's (the detail beside it may repeat it).
        assert_eq!(counts(&list, &format!("▾ {group}"))[0], d[0], "{group}: {list}");
    }
    assert_eq!(counts(&dash, "服务质量"), ["1/3"]);
}

/// Every panel's right border is whole on every screen of the demo, in both
/// languages and at both sizes: no text runs over it. ratatui's own wrapping
/// let a Chinese word cross the checklist detail's border at 120×40 (a
/// history line), and cut lines had no "…".
#[test]
fn no_text_runs_over_a_panel_border() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(dir.path()).unwrap();
    demo::seed(&mut a).unwrap();
    // Each screen row as its cells: a wide character then an empty cell.
    let cells = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .map(|l| {
                let mut row = Vec::new();
                for c in l.chars() {
                    row.push(c.to_string());
                    for _ in 1..unicode_width::UnicodeWidthChar::width(c).unwrap_or(1) {
                        row.push(String::new());
                    }
                }
                row
            })
            .collect()
    };
    let mut checked = 0;
    for lang in [Lang::Zh, Lang::En] {
        // Panes and their detail views (a popup covers the borders under it).
        for keys in ["1", "2 j j j enter", "2 G", "3", "3 enter", "4", "4 enter", "5", "6"] {
            let mut s = initial_state(&a, &setup(), lang, Some(demo::DEMO_ENGAGEMENT)).unwrap();
            press(&mut a, &mut s, keys);
            for (w, h) in [(80u16, 24u16), (120, 40)] {
                let text = screen(&s, w, h);
                let rows = cells(&text);
                for (y, row) in rows.iter().enumerate() {
                    for (x, c) in row.iter().enumerate() {
                        if c != "╮" {
                            continue;
                        }
                        for (below, r) in rows.iter().enumerate().skip(y + 1) {
                            let c = r.get(x).map(String::as_str).unwrap_or("");
                            if c == "╯" {
                                break;
                            }
                            assert!(
                                c == "│" || c == "┤" || c == "╮",
                                "{lang:?} {keys} {w}×{h}: row {below} column {x} is {c:?}, not the border:\n{text}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// At 80×24 the dashboard's grade labels stand apart from their first count,
/// and a team line too long for its panel ends with "…".
#[test]
fn the_narrow_dashboard_neither_runs_labels_together_nor_cuts_silently() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(dir.path()).unwrap();
    demo::seed(&mut a).unwrap();
    let s = initial_state(&a, &setup(), Lang::Zh, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    let text = screen(&s, 80, 24);
    for grade in ["严重", "一般", "观察", "改进"] {
        let line = text
            .lines()
            .find(|l| l.contains(&format!("│{grade}")))
            .unwrap_or_else(|| panic!("{text}"));
        let after = line.split(&format!("│{grade}")).nth(1).unwrap();
        assert!(after.starts_with(' '), "{grade} runs into its first count: {line}");
    }
    let team = text.lines().find(|l| l.contains("陈静 Chen Jing")).unwrap();
    assert!(team.trim_end().ends_with("…│"), "{team}");
}

/// At 80 columns in English: a result is shown whole ("not-applicable" was
/// "not-applicabl"), a cut column head or client name ends with "…", and the
/// remediation list still shows what each action is.
#[test]
fn narrow_tables_cut_with_a_mark_and_keep_what_matters() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut a = App::open(dir.path()).unwrap();
    demo::seed(&mut a).unwrap();
    let mut s = initial_state(&a, &setup(), Lang::En, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    press(&mut a, &mut s, "2 G");
    let text = screen(&s, 80, 24);
    assert!(text.contains(" not-applicable "), "{text}");
    press(&mut a, &mut s, "5");
    let text = screen(&s, 80, 24);
    let head = text.lines().find(|l| l.contains("Programme")).unwrap();
    assert!(head.contains("…"), "{head}");
    let demo_bank = text.lines().find(|l| l.contains("P-DEMOBANK")).unwrap();
    assert!(demo_bank.contains("Demo Bank…"), "{demo_bank}");
    press(&mut a, &mut s, "4");
    let text = screen(&s, 80, 24);
    // Each action row: its id, then words of its description.
    let row = text.lines().find(|l| l.contains("ZW-CA013")).unwrap();
    let after = row.split("ZW-CA013").nth(1).unwrap();
    assert!(
        after
            .trim_start()
            .chars()
            .take(5)
            .all(|c| c.is_alphabetic() || c == ' '),
        "{row}"
    );
    assert!(after.trim_start().len() > 5, "{row}");
}

/// The TUI's export form encrypts as `export --encrypt` and `--passphrase`
/// do: to the team's keys (a teammate's key opens it, a stranger's copy
/// cannot), or to a passphrase, which the form asks for before writing.
#[test]
fn the_tui_export_encrypts_to_the_team_or_a_passphrase() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(&dir.path().join("lead")).unwrap();
    demo::seed(&mut app).unwrap();
    let mut s = initial_state(&app, &setup(), Lang::Zh, Some(demo::DEMO_ENGAGEMENT)).unwrap();
    let sealed = dir.path().join("演示.zip.age");
    press(&mut app, &mut s, "1 x ctrl-u");
    typ(&mut app, &mut s, sealed.to_str().unwrap());
    assert!(screen(&s, 80, 24).contains("加密"), "{}", screen(&s, 80, 24));
    press(&mut app, &mut s, "tab tab right ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    let head = std::fs::read(&sealed).unwrap();
    assert!(head.starts_with(b"age-encryption.org/v1"), "sealed with age");
    assert!(
        !head.windows(4).any(|w| w == b"PK\x03\x04"),
        "no zip inside in the clear"
    );

    // A teammate's key opens it; a copy without a team key does not.
    let mut b = App::open(&dir.path().join("li")).unwrap();
    b.set_identity("li.min", "李敏", "LM").unwrap();
    b.set_identity_key(Some(&dir.path().join("lead/demo-keys/li.min")))
        .unwrap();
    cscaudit::bundle::import(&b, &sealed).unwrap();
    assert_eq!(
        b.findings(demo::DEMO_ENGAGEMENT).unwrap().len(),
        app.findings(demo::DEMO_ENGAGEMENT).unwrap().len()
    );
    let mut stranger = App::open(&dir.path().join("stranger")).unwrap();
    stranger.set_identity("x.y", "某人", "XY").unwrap();
    assert!(cscaudit::bundle::import(&stranger, &sealed).is_err());

    // A passphrase: asked for when empty (nothing written), used when given.
    let phrased = dir.path().join("口令.zip.age");
    press(&mut app, &mut s, "1 x ctrl-u");
    typ(&mut app, &mut s, phrased.to_str().unwrap());
    press(&mut app, &mut s, "tab tab right right ctrl-s");
    assert!(
        form_error(&s).is_some_and(|e| e.contains("口令")),
        "{:?}",
        form_error(&s)
    );
    assert!(!phrased.exists());
    press(&mut app, &mut s, "tab");
    typ(&mut app, &mut s, "正确 horse battery");
    press(&mut app, &mut s, "ctrl-s");
    assert!(s.popup.is_none(), "{:?}", form_error(&s));
    assert!(std::fs::read(&phrased).unwrap().starts_with(b"age-encryption.org/v1"));
}
