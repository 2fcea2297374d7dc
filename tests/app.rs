//! Use cases end to end on a real sled database in a temp folder.

mod common;

use common::{app_in, engagement};
use cscaudit::app::{ActionUpdate, App, AppError, AssessmentInput, FindingMove, NewAction, NewFinding};
use cscaudit::model::action::ActionStatus;
use cscaudit::model::assessment::AssessmentResult;
use cscaudit::model::engagement::{EngagementKind, Role};
use cscaudit::model::finding::{FindingStatus, Grade};
use cscaudit::store::{Store, StoreError};
use jiff::civil::date;

fn nc(grade: Grade, issue: bool) -> NewFinding {
    NewFinding {
        grade,
        title: "录音缺失 / recordings missing".into(),
        statement: "60 通中 3 通无录音".into(),
        criterion: "QU-04".into(),
        indicators: vec!["QU-04".into()],
        evidence_note: String::new(),
        issue,
    }
}

#[test]
fn certification_engagement_needs_two_certified_auditors_to_issue() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::Stage2, false);
    // Raising a draft is fine; issuing is not.
    let f = app.raise_finding(&e, nc(Grade::Minor, false)).unwrap();
    let err = app.move_finding(&f.reference, FindingMove::Issue).unwrap_err();
    assert!(matches!(err, AppError::Team(ref t) if t.certified == 0), "{err}");
    assert!(matches!(
        app.raise_finding(&e, nc(Grade::Minor, true)),
        Err(AppError::Team(_))
    ));
    // Raising and issuing is atomic: the refused issue left no draft behind.
    assert_eq!(app.findings(&e).unwrap().len(), 1);
    app.add_member(&e, "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
        .unwrap();
    assert!(
        matches!(app.move_finding(&f.reference, FindingMove::Issue), Err(AppError::Team(ref t)) if t.certified == 1)
    );
    // A certified technical expert does not count.
    app.add_member(&e, "wx", "王协", "WX", Role::TechnicalExpert, Some("X-1"))
        .unwrap();
    assert!(app.move_finding(&f.reference, FindingMove::Issue).is_err());
    app.add_member(&e, "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    let f = app.move_finding(&f.reference, FindingMove::Issue).unwrap();
    assert_eq!(f.status, FindingStatus::Issued);
}

#[test]
fn self_assessment_has_no_two_auditor_rule() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, false);
    let f = app.raise_finding(&e, nc(Grade::Major, true)).unwrap();
    assert_eq!(f.status, FindingStatus::Issued);
    assert_eq!(f.reference, "ZW-001");
}

#[test]
fn full_lifecycle_with_due_dates_and_verification_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    app.set_today(date(2026, 3, 1));
    let e = engagement(&app, EngagementKind::Stage2, true);
    let f = app.raise_finding(&e, nc(Grade::Major, true)).unwrap();
    let r = f.reference.clone();
    assert_eq!(f.issued_on, Some(date(2026, 3, 1)));
    assert_eq!(f.response_due, Some(date(2026, 3, 31)));
    assert_eq!(f.closure_due, Some(date(2026, 5, 30)));

    // Illegal: a major cannot close now; nothing changes.
    let ops_before = app.op_count();
    assert!(matches!(
        app.move_finding(&r, FindingMove::Close),
        Err(AppError::Finding(_))
    ));
    assert_eq!(app.op_count(), ops_before);

    // A response needs a root cause.
    assert!(
        app.move_finding(
            &r,
            FindingMove::Respond {
                root_cause: " ".into(),
                correction: String::new()
            }
        )
        .is_err()
    );
    app.move_finding(
        &r,
        FindingMove::Respond {
            root_cause: "磁盘满".into(),
            correction: "扩容".into(),
        },
    )
    .unwrap();
    // The plan needs an action.
    assert!(matches!(
        app.move_finding(&r, FindingMove::AcceptPlan),
        Err(AppError::Rule(_))
    ));
    let a = app
        .add_action(
            &r,
            NewAction {
                description: "扩容并告警".into(),
                owner: "张伟".into(),
                due: None,
            },
        )
        .unwrap();
    assert_eq!(a.due, Some(date(2026, 5, 30)), "defaults to the closure due date");
    let b = app
        .add_action(
            &r,
            NewAction {
                description: "巡检".into(),
                owner: "刘洋".into(),
                due: Some(date(2026, 4, 1)),
            },
        )
        .unwrap();
    app.move_finding(&r, FindingMove::AcceptPlan).unwrap();

    // Overdue arithmetic.
    app.set_today(date(2026, 4, 11));
    assert_eq!(app.action(&b.id).unwrap().overdue_days(app.today()), Some(10));

    // Not implemented while actions are open.
    assert!(matches!(
        app.move_finding(&r, FindingMove::Implement),
        Err(AppError::Rule(_))
    ));
    // Verification needs a completed action.
    assert!(matches!(app.verify_action(&b.id, true, ""), Err(AppError::Action(_))));
    for id in [&a.id, &b.id] {
        let done = app
            .update_action(
                id,
                ActionUpdate {
                    status: Some(ActionStatus::Completed),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(done.progress, 100);
    }
    app.move_finding(&r, FindingMove::Implement).unwrap();
    // The owner (张伟 is zw's name) cannot verify their own action.
    let err = app.verify_action(&a.id, true, "").unwrap_err();
    assert!(err.to_string().contains("owner cannot verify"), "{err}");
    // zw may verify b (owned by someone else).
    app.verify_action(&b.id, true, "现场抽查").unwrap();
    // An observer cannot verify.
    app.add_member(&e, "gc", "观察员", "GC", Role::Observer, None).unwrap();
    app.set_identity("gc", "观察员", "GC").unwrap();
    assert!(matches!(app.verify_action(&a.id, true, ""), Err(AppError::Rule(_))));
    // lm, an auditor who does not own it, can.
    app.set_identity("lm", "李敏", "LM").unwrap();
    let v = app.verify_action(&a.id, false, "仍有缺失").unwrap();
    assert_eq!(v.status, ActionStatus::Ineffective);
    assert!(matches!(
        app.move_finding(&r, FindingMove::Verify),
        Err(AppError::Rule(_))
    ));
    app.update_action(
        &a.id,
        ActionUpdate {
            status: Some(ActionStatus::InProgress),
            ..Default::default()
        },
    )
    .unwrap();
    app.update_action(
        &a.id,
        ActionUpdate {
            status: Some(ActionStatus::Completed),
            ..Default::default()
        },
    )
    .unwrap();
    app.verify_action(&a.id, true, "复查有效").unwrap();
    // The finding went back? No: it stays implemented; now verify and close.
    let f = app.move_finding(&r, FindingMove::Verify).unwrap();
    assert_eq!(f.status, FindingStatus::Verified);
    let f = app.move_finding(&r, FindingMove::Close).unwrap();
    assert_eq!(f.status, FindingStatus::Closed);
    assert_eq!(f.closed_on, Some(date(2026, 4, 11)));

    let (_, ops) = app.history(&r).unwrap();
    assert!(ops.iter().any(|o| o.id.actor == "lm"));
    assert!(ops.len() > 10);
    let statuses: Vec<String> = ops
        .iter()
        .filter_map(|o| match &o.change {
            cscaudit::model::ops::Change::Set { field, value } if field == "status" => Some(value.to_string()),
            _ => None,
        })
        .collect();
    // Raised and issued in one commit: the first status is already issued.
    assert_eq!(statuses.first().map(String::as_str), Some("\"issued\""));
    assert_eq!(statuses.last().map(String::as_str), Some("\"closed\""));
}

#[test]
fn minor_may_close_on_accepted_plan_and_observation_without_response() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::Surveillance, true);
    let m = app.raise_finding(&e, nc(Grade::Minor, true)).unwrap();
    app.move_finding(
        &m.reference,
        FindingMove::Respond {
            root_cause: "x".into(),
            correction: "y".into(),
        },
    )
    .unwrap();
    app.add_action(
        &m.reference,
        NewAction {
            description: "d".into(),
            owner: "o".into(),
            due: None,
        },
    )
    .unwrap();
    app.move_finding(&m.reference, FindingMove::AcceptPlan).unwrap();
    assert_eq!(
        app.move_finding(&m.reference, FindingMove::Close).unwrap().status,
        FindingStatus::Closed
    );
    let o = app
        .raise_finding(
            &e,
            NewFinding {
                grade: Grade::Observation,
                statement: String::new(),
                ..nc(Grade::Observation, true)
            },
        )
        .unwrap();
    assert_eq!(o.response_due, None, "observations get no due dates by default");
    assert_eq!(
        app.move_finding(&o.reference, FindingMove::Close).unwrap().status,
        FindingStatus::Closed
    );
    assert_eq!(
        app.move_finding(
            &o.reference,
            FindingMove::Reopen {
                reason: "new facts".into()
            }
        )
        .unwrap()
        .status,
        FindingStatus::Reopened
    );
}

#[test]
fn assessments_scoring_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, true);
    app.assign_indicator(&e, "AC-02", Some("lm")).unwrap();
    assert!(app.assign_indicator(&e, "AC-02", Some("nobody")).is_err());
    let err = app.assign_indicator(&e, "XX-99", None).unwrap_err();
    assert_eq!(
        err.message().en,
        "no indicator `XX-99` in catalogue gbt32312-2015",
        "the backtick closes after the id"
    );
    let a = app
        .record_assessment(
            &e,
            "AC-02",
            AssessmentInput {
                result: Some(AssessmentResult::Nonconforming),
                measured: Some(61.4),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(a.assignee.as_deref(), Some("lm"));
    assert_eq!(a.measured, Some(61.4));
    assert!(
        app.record_assessment(
            &e,
            "AC-02",
            AssessmentInput {
                score: Some(9.0),
                ..Default::default()
            }
        )
        .is_err()
    );
    let file = dir.path().join("话单.txt");
    std::fs::write(&file, "offered 100\n").unwrap();
    let ev = app.attach_evidence(&e, &file, "复算", Some("AC-02"), None).unwrap();
    assert_eq!(ev.size, 12);
    assert_eq!(ev.name, "话单.txt");
    assert_eq!(app.evidence_bytes(&ev.sha256).unwrap(), b"offered 100\n");
    assert_eq!(app.assessment(&e, "AC-02").unwrap().evidence, vec![ev.sha256.clone()]);
    // The bytes are in the blob folder, not in sled.
    assert!(app.evidence_path(&ev.sha256).starts_with(dir.path()));
    let all = app.assessments(&e).unwrap();
    assert_eq!(all.len(), 27);
    let eng = app.engagement(&e).unwrap();
    let report = app.status_report(&eng).unwrap();
    assert_eq!(report.scorecard.overall.assessed, 1);
    assert_eq!(report.scorecard.overall.score, Some(0.0));
}

#[test]
fn reopening_the_store_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let reference;
    let ops;
    {
        let app = app_in(dir.path());
        let e = engagement(&app, EngagementKind::Stage2, true);
        reference = app.raise_finding(&e, nc(Grade::Minor, true)).unwrap().reference;
        ops = app.op_count();
    }
    let app = App::open(dir.path()).unwrap();
    assert_eq!(app.identity().actor, "zw");
    assert_eq!(app.op_count(), ops);
    assert_eq!(app.finding(&reference).unwrap().status, FindingStatus::Issued);
    // The clock and sequence continue: new refs do not collide.
    let e = app.resolve_engagement(None).unwrap();
    let next = app.raise_finding(&e.id, nc(Grade::Minor, false)).unwrap();
    assert_ne!(next.reference, reference);
}

#[test]
fn newer_schema_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        s.stamp_schema(99).unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }), "{err}");
    // The app layer words it, in both languages.
    let msg = AppError::from(err).message();
    assert!(
        msg.en.contains("newer cscaudit") && msg.en.contains(&dir.path().display().to_string()),
        "{msg}"
    );
    assert!(msg.zh.contains("更新版本"), "{}", msg.zh);
    // Still stamped 99: the refusal did not rewrite it.
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::NewerSchema { found: 99, .. })
    ));
}

#[test]
fn second_open_in_another_handle_is_refused_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(
        AppError::from(err)
            .message()
            .en
            .contains("in use by another cscaudit process")
    );
}

#[test]
fn indexes_follow_status_owner_and_due_changes() {
    use cscaudit::store::{IndexTag, SUMMARY_SEP as S};
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::Stage2, true);
    let f = app.raise_finding(&e, nc(Grade::Minor, true)).unwrap();
    let ids = |tag, v: &str| app.indexed(tag, &e, Some(v)).unwrap();
    let day = |d: Option<jiff::civil::Date>| d.map_or("~".to_string(), |d| d.to_string());
    let summary = |f: &cscaudit::model::finding::Finding, status: &str| {
        format!("minor{S}{status}{S}{}{S}{}", day(f.response_due), day(f.closure_due))
    };
    assert_eq!(
        ids(IndexTag::FindingSummary, &summary(&f, "issued")),
        vec![f.entity.clone()]
    );
    // Awaiting its response: in the response index under its due date.
    let response_due = f.response_due.expect("an issued finding has a response due date");
    assert_eq!(
        ids(IndexTag::FindingResponseOpen, &response_due.to_string()),
        vec![f.entity.clone()]
    );
    app.move_finding(
        &f.reference,
        FindingMove::Respond {
            root_cause: "r".into(),
            correction: "c".into(),
        },
    )
    .unwrap();
    let f = app.finding(&f.reference).unwrap();
    assert!(ids(IndexTag::FindingSummary, &summary(&f, "issued")).is_empty());
    assert_eq!(
        ids(IndexTag::FindingSummary, &summary(&f, "responded")),
        vec![f.entity.clone()]
    );
    assert!(ids(IndexTag::FindingResponseOpen, &response_due.to_string()).is_empty());
    let a = app
        .add_action(
            &f.reference,
            NewAction {
                description: "d".into(),
                owner: "陈静".into(),
                due: Some(date(2026, 5, 1)),
            },
        )
        .unwrap();
    assert_eq!(
        ids(IndexTag::ActionOpenDue, &format!("2026-05-01{S}陈静")),
        vec![a.entity.clone()]
    );
    assert_eq!(ids(IndexTag::ActionFinding, &f.entity), vec![a.entity.clone()]);
    app.update_action(
        &a.id,
        ActionUpdate {
            owner: Some("刘洋".into()),
            due: Some(date(2026, 6, 1)),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(ids(IndexTag::ActionOpenDue, &format!("2026-05-01{S}陈静")).is_empty());
    assert_eq!(
        ids(IndexTag::ActionOpenDue, &format!("2026-06-01{S}刘洋")),
        vec![a.entity.clone()]
    );
    let status = app.action(&a.id).unwrap().status.to_string();
    assert_eq!(
        ids(IndexTag::ActionSummary, &format!("{status}{S}2026-06-01{S}刘洋")),
        vec![a.entity]
    );
}

#[test]
fn two_auditors_merge_their_work_into_the_leads_copy() {
    // The lead creates the engagement; the auditor starts from the lead's log.
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lead = app_in(d1.path());
    let e = engagement(&lead, EngagementKind::Stage2, true);
    let mut auditor = App::open(d2.path()).unwrap();
    auditor.set_identity("lm", "李敏", "LM").unwrap();
    auditor.merge_ops(lead.all_ops().unwrap()).unwrap();
    assert_eq!(auditor.team(&e).unwrap().len(), 2);

    // Both raise findings offline; references never collide.
    let a = lead.raise_finding(&e, nc(Grade::Major, true)).unwrap();
    let b = auditor.raise_finding(&e, nc(Grade::Minor, true)).unwrap();
    assert_eq!((a.reference.as_str(), b.reference.as_str()), ("ZW-001", "LM-001"));
    // Both edit the lead's finding title concurrently.
    auditor.merge_ops(lead.all_ops().unwrap()).unwrap();
    lead.edit_finding(&a.reference, "title", "录音缺失（组长版）").unwrap();
    auditor
        .edit_finding(&a.reference, "title", "录音缺失（审核员版）")
        .unwrap();

    let report = lead.merge_ops(auditor.all_ops().unwrap()).unwrap();
    assert!(report.applied > 0);
    assert_eq!(report.new_conflicts, 1);
    let refs: Vec<String> = lead.findings(&e).unwrap().into_iter().map(|f| f.reference).collect();
    assert_eq!(refs, vec!["LM-001", "ZW-001"]);
    let c = lead.conflicts().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].field, "title");
    // The later write wins deterministically on both sides once both have both logs.
    auditor.merge_ops(lead.all_ops().unwrap()).unwrap();
    assert_eq!(
        lead.finding(&a.reference).unwrap().title,
        auditor.finding(&a.reference).unwrap().title
    );
    // Importing again changes nothing.
    let again = lead.merge_ops(auditor.all_ops().unwrap()).unwrap();
    assert_eq!(again.applied, 0);
}

#[test]
fn findings_through_the_indexes_equal_a_full_scan() {
    use cscaudit::app::demo;
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    demo::seed(&mut app).unwrap();
    let e = demo::DEMO_ENGAGEMENT;
    let all = app.findings(e).unwrap();
    for &s in FindingStatus::ALL
        .iter()
        .map(Some)
        .chain([None])
        .collect::<Vec<_>>()
        .iter()
    {
        for &g in Grade::ALL.iter().map(Some).chain([None]).collect::<Vec<_>>().iter() {
            let want: Vec<_> = all
                .iter()
                .filter(|f| s.is_none_or(|s| f.status == *s) && g.is_none_or(|g| f.grade == *g))
                .cloned()
                .collect();
            let got = app.findings_where(e, s.copied(), g.copied()).unwrap();
            assert_eq!(got, want, "{s:?} {g:?}");
        }
    }
}

#[test]
fn a_grade_this_build_cannot_read_is_an_error_naming_the_finding_and_unknown_fields_are_kept() {
    use cscaudit::config::Lang;
    use cscaudit::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId, Value};
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, false);
    let f = app.raise_finding(&e, nc(Grade::Minor, false)).unwrap();
    // A teammate on a newer version writes a grade and a field this build does not know.
    let foreign = |seq, field: &str, value: &str| Op {
        id: OpId {
            actor: "newer".into(),
            seq,
        },
        hlc: Hlc {
            wall_ms: u64::MAX / 2,
            counter: seq as u32,
        },
        entity: EntityId::new(Kind::Finding, &f.entity),
        change: Change::Set {
            field: field.into(),
            value: value.into(),
        },
        base: None,
    };
    app.merge_ops(vec![foreign(1, "risk_rating", "高")]).unwrap();
    let (_, ops) = app.history(&f.reference).unwrap();
    assert!(ops.iter().any(|o| matches!(&o.change, Change::Set { field, value }
        if field == "risk_rating" && *value == Value::from("高"))));
    assert_eq!(app.finding(&f.reference).unwrap().grade, Grade::Minor);
    app.merge_ops(vec![foreign(2, "grade", "critical")]).unwrap();
    let err = app.finding(&f.reference).unwrap_err();
    assert!(matches!(err, AppError::Record(_)), "{err:?}");
    let en = err.message().get(Lang::En).to_string();
    assert!(
        en.contains(&f.reference) && en.contains("critical") && en.contains("grade"),
        "{en}"
    );
    assert!(err.message().get(Lang::Zh).contains("等级"));
    // The unknown field is still there after the merge, for a newer build to read.
    let ops = app.all_ops().unwrap();
    assert!(
        ops.iter()
            .any(|o| matches!(&o.change, Change::Set { field, .. } if field == "risk_rating"))
    );
}

#[test]
fn undo_compensates_the_users_last_change_and_keeps_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, false);
    let f = app.raise_finding(&e, nc(Grade::Minor, false)).unwrap();
    app.edit_finding(&f.reference, "title", "改后的标题").unwrap();
    let ops_before = app.op_count();
    let undone = app.undo_last().unwrap();
    assert_eq!(undone.records, vec![f.reference.clone()]);
    assert_eq!(app.finding(&f.reference).unwrap().title, f.title);
    assert!(app.op_count() > ops_before, "undo appends, never deletes");
    let (_, history) = app.history(&f.reference).unwrap();
    assert!(history.len() as u64 > 1 && history.last().unwrap().id.actor == "zw");
    // The next undo reverses raising the finding: it is gone from the lists, its history stays.
    app.undo_last().unwrap();
    assert!(matches!(app.finding(&f.reference), Err(AppError::NotFound { .. })));
    assert!(app.findings(&e).unwrap().is_empty());
    // Another author's later change is not overwritten by an undo.
    // A teammate (only members change an engagement's records).
    app.add_member(&e, "lm", "李敏", "LM", Role::Auditor, None).unwrap();
    let g = app.raise_finding(&e, nc(Grade::Minor, false)).unwrap();
    app.edit_finding(&g.reference, "title", "mine").unwrap();
    let mut other = App::open(tempfile::tempdir().unwrap().path()).unwrap();
    other.set_identity("lm", "李敏", "LM").unwrap();
    other.merge_ops(app.all_ops().unwrap()).unwrap();
    other.edit_finding(&g.reference, "title", "theirs").unwrap();
    app.merge_ops(other.all_ops().unwrap()).unwrap();
    let err = app.undo_last().unwrap_err();
    assert!(err.to_string().contains("changed since by lm"), "{err}");
    assert_eq!(app.finding(&g.reference).unwrap().title, "theirs");
}

#[test]
fn only_moves_that_can_happen_now_are_offered() {
    use cscaudit::app::MoveKind;
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::Stage2, false);
    let f = app.raise_finding(&e, nc(Grade::Major, false)).unwrap();
    // A stage-2 team without two certified auditors: a draft can only be withdrawn.
    assert_eq!(app.available_moves(&f.reference).unwrap(), vec![MoveKind::Withdraw]);
    app.add_member(&e, "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
        .unwrap();
    app.add_member(&e, "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    assert_eq!(
        app.available_moves(&f.reference).unwrap(),
        vec![MoveKind::Issue, MoveKind::Withdraw]
    );
    app.move_finding(&f.reference, FindingMove::Issue).unwrap();
    app.move_finding(
        &f.reference,
        FindingMove::Respond {
            root_cause: "排班不足".into(),
            correction: "临时加班".into(),
        },
    )
    .unwrap();
    // No corrective action yet: accepting the plan is not offered.
    let moves = app.available_moves(&f.reference).unwrap();
    assert!(!moves.contains(&MoveKind::AcceptPlan), "{moves:?}");
    assert!(moves.contains(&MoveKind::RejectResponse));
    let a = app
        .add_action(
            &f.reference,
            NewAction {
                description: "增加排班".into(),
                owner: "陈静".into(),
                due: None,
            },
        )
        .unwrap();
    assert!(
        app.available_moves(&f.reference)
            .unwrap()
            .contains(&MoveKind::AcceptPlan)
    );
    app.move_finding(&f.reference, FindingMove::AcceptPlan).unwrap();
    app.update_action(
        &a.id,
        ActionUpdate {
            status: Some(ActionStatus::Completed),
            ..Default::default()
        },
    )
    .unwrap();
    app.move_finding(&f.reference, FindingMove::Implement).unwrap();
    // From implemented, "accept" is not a way back: that is the explicit send-back.
    let err = app.move_finding(&f.reference, FindingMove::AcceptPlan).unwrap_err();
    assert!(err.to_string().contains("starts from responded"), "{err}");
    let moves = app.available_moves(&f.reference).unwrap();
    assert!(moves.contains(&MoveKind::SendBack) && !moves.contains(&MoveKind::AcceptPlan));
    assert!(
        !moves.contains(&MoveKind::Verify),
        "the action is not verified effective yet"
    );
}

#[test]
fn evidence_is_a_regular_file_streamed_into_an_owner_only_folder() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, false);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, b"root:x:0:0").unwrap();
    #[cfg(unix)]
    {
        let link = outside.path().join("link.txt");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let err = app.attach_evidence(&e, &link, "", None, None).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let fifo = outside.path().join("fifo");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let err = app.attach_evidence(&e, &fifo, "", None, None).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
        let err = app.attach_evidence(&e, outside.path(), "", None, None).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(app.evidence(&e).unwrap().is_empty(), "nothing was recorded");
    }
    // A file of several chunks arrives whole, hashed as sha256sum would.
    let big = outside.path().join("calls.csv");
    let content: Vec<u8> = (0..3_500_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&big, &content).unwrap();
    let ev = app.attach_evidence(&e, &big, "话单", None, None).unwrap();
    assert_eq!(ev.size, content.len() as u64);
    use sha2::Digest;
    assert_eq!(ev.sha256, hex::encode(sha2::Sha256::digest(&content)));
    assert_eq!(app.evidence_bytes(&ev.sha256).unwrap(), content);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let blob = app.evidence_path(&ev.sha256);
        assert_eq!(std::fs::metadata(&blob).unwrap().permissions().mode() & 0o777, 0o600);
        let blobs = dir.path().join("blobs");
        assert_eq!(std::fs::metadata(&blobs).unwrap().permissions().mode() & 0o777, 0o700);
        // No temporary file is left behind.
        let leftovers: Vec<_> = std::fs::read_dir(&blobs)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}

#[test]
fn an_incomplete_snapshot_left_by_a_full_disk_does_not_lock_the_user_out() {
    let dir = tempfile::tempdir().unwrap();
    let reference = {
        let app = app_in(dir.path());
        let e = engagement(&app, EngagementKind::SelfAssessment, false);
        app.raise_finding(&e, nc(Grade::Minor, false)).unwrap().reference
    };
    // What sled leaves when a snapshot cannot be written (sled issue #1527).
    let leftover = dir.path().join("db").join("snap.0000000000000A2F.generating");
    std::fs::write(&leftover, b"").unwrap();
    let app = App::open(dir.path()).expect("opens");
    assert!(!leftover.exists(), "the incomplete snapshot was removed");
    assert_eq!(app.finding(&reference).unwrap().reference, reference);
}

/// Streaming evidence stops when cancelled: nothing is left in the evidence
/// folder (the partial copy is removed); a full run stores the file once.
#[test]
fn staging_evidence_can_be_cancelled_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("排班表.bin");
    std::fs::write(&file, vec![7u8; 3 << 20]).unwrap();
    let blobs = dir.path().join("blobs");
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let stop_after_first = |_n: u64| calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0;
    let err = cscaudit::app::stage_evidence_file(&blobs, &file, &stop_after_first).unwrap_err();
    assert!(matches!(err, AppError::Cancelled), "{err:?}");
    let left: Vec<_> = std::fs::read_dir(&blobs).unwrap().flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "{left:?}");
    let staged = cscaudit::app::stage_evidence_file(&blobs, &file, &|_| true).unwrap();
    assert_eq!(staged.size, 3 << 20);
    assert_eq!(staged.name, "排班表.bin");
    // The file is refused at once when it is not a regular file.
    assert!(cscaudit::app::check_evidence_file(dir.path()).is_err());
}

/// `status` (one screen) counts from the summary indexes and reads only the
/// lines it shows: its counts and lines equal the full report's, on the demo
/// and on 3,000 generated findings, at several "today"s (due states change).
#[test]
fn the_status_summary_equals_the_full_report_cut_to_a_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let scale = cscaudit::app::demo::seed_scale(&app, 3000, &mut |_| {}).unwrap();
    // The scale engagement holds most findings: read by one scan, the same
    // records (and order) as one lookup each.
    let scanned = app.findings(&scale).unwrap();
    assert_eq!(scanned.len(), 3000);
    for f in &scanned {
        assert_eq!(f, &app.finding(&f.reference).unwrap());
    }
    let actions = app.actions(&scale).unwrap();
    // One action per five findings, by due date (none last), then id, each once.
    assert_eq!(actions.len(), 600);
    assert!(
        actions
            .windows(2)
            .all(|w| (w[0].due.is_none(), w[0].due, &w[0].id) < (w[1].due.is_none(), w[1].due, &w[1].id))
    );
    for a in &actions {
        assert_eq!(a, &app.action(&a.id).unwrap());
    }
    for id in [cscaudit::app::demo::DEMO_ENGAGEMENT, scale.as_str()] {
        let eng = app.engagement(id).unwrap();
        for today in [date(2026, 1, 1), date(2026, 11, 28), date(2027, 6, 30)] {
            app.set_today(today);
            let full = app.status_report(&eng).unwrap();
            // The dashboard's figures from the store (the TUI's first frame)
            // equal those counted over the loaded records.
            let counted = cscaudit::app::status::glance(
                &app.catalog_for(&eng).unwrap(),
                app.findings(id).unwrap().iter().map(|f| (f.grade, f.status)),
                &app.actions(id).unwrap(),
                &app.assessments(id).unwrap(),
                today,
                cscaudit::model::policy::DuePolicy::default().due_soon_days,
            );
            assert_eq!(app.glance_from_store(&eng).unwrap(), counted, "{id} {today}");
            for lines in [0, 3, 8, 100_000] {
                let (cut, totals) = app.status_summary(&eng, lines).unwrap();
                assert_eq!(totals, full.totals(), "{id} {today}");
                let mut expect = full.clone();
                for l in [
                    &mut expect.overdue,
                    &mut expect.due_7,
                    &mut expect.due_30,
                    &mut expect.awaiting_verification,
                ] {
                    l.truncate(lines);
                }
                for l in [
                    &mut expect.open_majors,
                    &mut expect.responses_overdue,
                    &mut expect.closures_overdue,
                ] {
                    l.truncate(lines);
                }
                assert_eq!(
                    serde_json::to_value(&cut).unwrap(),
                    serde_json::to_value(&expect).unwrap(),
                    "{id} {today} {lines}"
                );
            }
        }
    }
}

/// A schema-1 database (before the summary indexes) is upgraded when opened:
/// the summary indexes and counters are built from its records, the indexes
/// schema 4 retired are removed, and `status` reads the result.
#[test]
fn a_schema_1_database_gets_its_summary_indexes_and_counters_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut app = App::open(dir.path()).unwrap();
        cscaudit::app::demo::seed(&mut app).unwrap();
    }
    {
        let s = Store::open(dir.path()).unwrap();
        s.downgrade_to_schema_1().unwrap();
        assert!(
            s.index_entries(
                cscaudit::store::IndexTag::FindingSummary,
                cscaudit::app::demo::DEMO_ENGAGEMENT
            )
            .unwrap()
            .is_empty()
        );
    }
    let s = Store::open(dir.path()).unwrap();
    let entries = s
        .index_entries(
            cscaudit::store::IndexTag::FindingSummary,
            cscaudit::app::demo::DEMO_ENGAGEMENT,
        )
        .unwrap();
    assert_eq!(entries.len(), 16, "rebuilt for every finding");
    for tag in 1..=5 {
        assert_eq!(s.index_keys_tagged(tag), 0, "retired index {tag} removed");
    }
    assert_eq!(s.counts_differing().unwrap(), vec![], "counters rebuilt");
    assert!(s.index_keys_tagged(cscaudit::store::IndexTag::Count as u8) > 0);
    drop(s);
    let app = App::open(dir.path()).unwrap();
    let eng = app.engagement(cscaudit::app::demo::DEMO_ENGAGEMENT).unwrap();
    let (_, totals) = app.status_summary(&eng, 5).unwrap();
    assert_eq!(totals, app.status_report(&eng).unwrap().totals());
}

/// `finding list` streams through the summary index: the same findings, in
/// the same order, as the indexes and the full read give, for every filter;
/// and it stops when told to.
#[test]
fn streamed_findings_equal_the_indexed_ones_for_every_filter() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let eng = cscaudit::app::demo::DEMO_ENGAGEMENT;
    let mut statuses: Vec<Option<FindingStatus>> = vec![None];
    statuses.extend(FindingStatus::ALL.iter().copied().map(Some));
    let mut grades: Vec<Option<Grade>> = vec![None];
    grades.extend(Grade::ALL.iter().copied().map(Some));
    for &s in &statuses {
        for &g in &grades {
            let mut streamed = Vec::new();
            app.each_finding_where(eng, s, g, &mut |f| {
                streamed.push(f);
                Ok(true)
            })
            .unwrap();
            let want: Vec<_> = app
                .findings(eng)
                .unwrap()
                .into_iter()
                .filter(|f| s.is_none_or(|s| f.status == s) && g.is_none_or(|g| f.grade == g))
                .collect();
            assert_eq!(streamed, want, "{s:?} {g:?}");
        }
    }
    let mut two = 0;
    app.each_finding_where(eng, None, None, &mut |_| {
        two += 1;
        Ok(two < 2)
    })
    .unwrap();
    assert_eq!(two, 2);
}

/// What a database holds, as the app reads it: every engagement's findings,
/// actions and status, and every finding's history.
fn contents(app: &App) -> String {
    let mut out = String::new();
    for e in app.engagements().unwrap() {
        out.push_str(&format!("{e:?}\n{:?}\n", app.actions(&e.id).unwrap()));
        for f in app.findings(&e.id).unwrap() {
            out.push_str(&format!("{f:?}\n{:?}\n", app.history(&f.reference).unwrap()));
        }
        out.push_str(&format!("{:?}\n", app.status_report(&e).unwrap().totals()));
    }
    out
}

/// A database with the demo in `dir`, and what it holds.
fn seeded(dir: &std::path::Path) -> String {
    let mut app = App::open(dir).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    contents(&app)
}

/// `doctor --compact` writes the database again: everything reads back the
/// same, `doctor` is clean (operations as acknowledged, records equal to
/// their log, counters, signatures), nothing is left beside it, and the
/// copy takes commits like the original.
#[test]
fn compaction_keeps_everything_and_leaves_nothing_beside() {
    let dir = tempfile::tempdir().unwrap();
    let before = seeded(dir.path());
    let app = App::open(dir.path()).unwrap();
    let mut calls = 0;
    let r = app
        .compact(&mut |_, _| {
            calls += 1;
            true
        })
        .unwrap();
    assert!(r.keys > 500 && r.trees > 5, "{r:?}");
    assert!(calls >= r.trees, "progress at least once a tree");
    assert!(r.after > 0);
    let app = App::open(dir.path()).unwrap();
    assert_eq!(contents(&app), before);
    let d = app.doctor(&mut |_, _| {}).unwrap();
    assert!(d.healthy(), "{d:?}");
    assert!(d.signed > 0);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("compact")),
        "nothing left beside the database: {names:?}"
    );
    // The copy takes commits and keeps them.
    let eng = app.engagement(cscaudit::app::demo::DEMO_ENGAGEMENT).unwrap();
    let f = app.raise_finding(&eng.id, nc(Grade::Minor, false)).unwrap();
    drop(app);
    let app = App::open(dir.path()).unwrap();
    assert_eq!(app.finding(&f.reference).unwrap().title, f.title);
}

/// Stopped part-way (Ctrl-C in `doctor --compact`), a compaction changes
/// nothing and leaves nothing behind.
#[test]
fn an_interrupted_compaction_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = seeded(dir.path());
    let app = App::open(dir.path()).unwrap();
    let err = app.compact(&mut |_, _| false).unwrap_err();
    assert!(err.message().en.contains("nothing was changed"), "{}", err.message().en);
    let app = App::open(dir.path()).unwrap();
    assert_eq!(contents(&app), before);
    assert!(!dir.path().join(".compact").exists());
}

/// A stale edit form never overwrites a change made since it opened: the
/// fields the user left alone are not written, and a field both changed is
/// refused with the user's text kept (issue 25: a form saved over a
/// statement imported meanwhile).
#[test]
fn a_stale_form_does_not_overwrite_a_teammates_change() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let e = engagement(&app, EngagementKind::SelfAssessment, false);
    let f = app.raise_finding(&e, nc(Grade::Minor, false)).unwrap();
    let opened = app.finding(&f.reference).unwrap();
    // Meanwhile another auditor's change to the statement arrives.
    app.edit_finding(&f.reference, "statement", "李敏补充的事实").unwrap();
    // Saving the form with only the title changed keeps their statement.
    let saved = app
        .edit_finding_since(
            &opened.entity,
            &[("title", "新标题"), ("statement", opened.statement.as_str())],
            &opened,
        )
        .unwrap();
    assert_eq!(
        (saved.title.as_str(), saved.statement.as_str()),
        ("新标题", "李敏补充的事实")
    );
    // Changing the statement too is refused, and nothing is written.
    let before = app.op_count();
    let err = app
        .edit_finding_since(&opened.entity, &[("statement", "我的版本")], &opened)
        .unwrap_err();
    let m = err.message();
    assert!(
        m.en.contains("changed since this form opened") && m.en.contains("statement"),
        "{}",
        m.en
    );
    assert!(m.zh.contains("已被更改"), "{}", m.zh);
    assert_eq!(app.op_count(), before);
    assert_eq!(app.finding(&f.reference).unwrap().statement, "李敏补充的事实");

    // Having been shown theirs, the form counts as opened on it for the
    // fields the user changed only: a title changed meanwhile that the user
    // never touched is not written back by the deliberate second save.
    let opened = app.finding(&f.reference).unwrap();
    app.edit_finding(&f.reference, "title", "王磊改的标题").unwrap();
    app.edit_finding(&f.reference, "statement", "王磊改的事实").unwrap();
    let changes = [("title", opened.title.as_str()), ("statement", "我的版本")];
    let err = app.edit_finding_since(&opened.entity, &changes, &opened).unwrap_err();
    assert!(matches!(err, cscaudit::app::AppError::Changed { .. }), "{err:?}");
    let now = app.finding(&f.reference).unwrap();
    let rebased = cscaudit::app::rebase_opened(&opened, &now, &changes);
    let saved = app.edit_finding_since(&opened.entity, &changes, &rebased).unwrap();
    assert_eq!(
        (saved.title.as_str(), saved.statement.as_str()),
        ("王磊改的标题", "我的版本"),
        "theirs kept where the user typed nothing, the user's where they chose"
    );
}
