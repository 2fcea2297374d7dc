//! The certification cycle on one real database: self-assessment, stage 1,
//! stage 2 with a major and a minor, rectification with its report, the
//! decision (refused to a team member and while the major is open), the
//! certificate, and a surveillance audit carrying the minor with last
//! year's values beside the checklist; `status --json` and `portfolio`
//! through the real binary.

mod common;

use common::app_in;
use cscaudit::app::{
    ActionUpdate, App, AppError, AssessmentInput, FindingMove, MilestoneUpdate, NewAction, NewEngagement, NewFinding,
    NewMilestone,
};
use cscaudit::model::action::ActionStatus;
use cscaudit::model::assessment::AssessmentResult;
use cscaudit::model::catalog::EMBEDDED_GBT32312;
use cscaudit::model::engagement::{CertificateStatus, EngagementKind, Level, Outcome, Role};
use cscaudit::model::finding::{FindingStatus, Grade};

fn next(id: &str, kind: EngagementKind) -> NewEngagement {
    NewEngagement {
        id: Some(id.into()),
        title: format!("{id} 某银行客服中心"),
        auditee: String::new(),
        site: String::new(),
        kind,
        period_start: None,
        period_end: None,
    }
}

/// A programme's first engagement names its auditee.
fn first(id: &str, kind: EngagementKind) -> NewEngagement {
    NewEngagement {
        auditee: "某银行客服中心".into(),
        ..next(id, kind)
    }
}

/// Act as someone of the certification body, signing with their own key
/// (a programme signs every change).
fn as_body(app: &mut App, actor: &str, name: &str, initials: &str) {
    let dir = app.data_dir().unwrap().join("test-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join(actor);
    if !key.exists() {
        common::keygen(&dir, actor);
    }
    app.set_identity(actor, name, initials).unwrap();
    app.set_identity_key(Some(&key)).unwrap();
}

/// Act as a member of an audit team that does not sign.
fn as_team(app: &mut App, actor: &str, name: &str, initials: &str) {
    app.set_identity(actor, name, initials).unwrap();
    app.set_identity_key(None).unwrap();
}

fn finding(grade: Grade, title: &str) -> NewFinding {
    NewFinding {
        grade,
        title: title.into(),
        statement: "抽查 60 通录音".into(),
        criterion: "QU-04".into(),
        indicators: vec!["QU-04".into()],
        evidence_note: String::new(),
        issue: true,
    }
}

fn measured(app: &App, e: &str, ind: &str, v: f64, r: AssessmentResult) {
    app.record_assessment(
        e,
        ind,
        AssessmentInput {
            result: Some(r),
            measured: Some(v),
            ..Default::default()
        },
    )
    .unwrap();
}

fn rule_text(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(v) => panic!("expected a refusal, got {v:?}"),
    }
}

/// Respond, plan one action owned by the auditee, complete it, verify it
/// (as lm, who does not own it) and verify the finding.
fn rectify(app: &mut App, reference: &str) {
    app.move_finding(
        reference,
        FindingMove::Respond {
            root_cause: "录音服务器磁盘满".into(),
            correction: "扩容".into(),
        },
    )
    .unwrap();
    let a = app
        .add_action(
            reference,
            NewAction {
                description: "扩容并设告警".into(),
                owner: "王芳".into(),
                due: None,
            },
        )
        .unwrap();
    app.move_finding(reference, FindingMove::AcceptPlan).unwrap();
    app.update_action(
        &a.id,
        ActionUpdate {
            status: Some(ActionStatus::Completed),
            ..Default::default()
        },
    )
    .unwrap();
    app.move_finding(reference, FindingMove::Implement).unwrap();
    app.verify_action(&a.id, true, "现场抽查有效").unwrap();
    app.move_finding(reference, FindingMove::Verify).unwrap();
}

#[test]
fn a_whole_certification_cycle_on_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    let today = app.today();
    let ind = "QU-04";

    // Self-assessment, the programme's first engagement.
    let sa = app
        .create_engagement(
            first("SA1", EngagementKind::SelfAssessment),
            &cscaudit::config::embedded_catalog(),
            EMBEDDED_GBT32312,
        )
        .unwrap();
    app.set_programme(&sa.id, "P-BANK", Some("客户服务中心 电话与在线渠道"))
        .unwrap();
    measured(&app, "SA1", ind, 0.91, AssessmentResult::Partially);
    // Its plan: the five standard milestones from 60 days ago, the first
    // done, the second half done; objectives and who does what.
    let start = today.checked_sub(jiff::Span::new().days(60)).unwrap();
    let ms = app.standard_plan("SA1", start, "zw").unwrap();
    assert_eq!(ms.len(), 5);
    assert_eq!(ms[0].due, Some(start.checked_add(jiff::Span::new().days(13)).unwrap()));
    app.update_milestone(
        &ms[0].id,
        MilestoneUpdate {
            done_on: Some(today),
            ..Default::default()
        },
    )
    .unwrap();
    app.update_milestone(
        &ms[1].id,
        MilestoneUpdate {
            progress: Some(50),
            ..Default::default()
        },
    )
    .unwrap();
    app.set_plan_text("SA1", None, Some("对照标准找出差距 / find the gaps"))
        .unwrap();
    app.add_member("SA1", "lm", "李敏", "LM", Role::Auditor, None).unwrap();
    app.set_responsibilities("SA1", "lm", "话单与质检数据 / call and QA data")
        .unwrap();
    let plan = app.plan("SA1").unwrap();
    assert_eq!(
        (plan.done, plan.late),
        (1, 2),
        "understand done; plan and collect past due"
    );
    assert!(
        plan.team
            .iter()
            .any(|m| m.actor == "lm" && m.responsibilities.contains("质检"))
    );
    let pct = plan.progress.unwrap();
    // 14 days done and half of 7, of 14 + 7 + 28 + 14 + 14 days.
    assert!((pct - 17.5 / 77.0).abs() < 1e-9, "{pct}");

    // Stage 1 follows; its team: zw (lead) and lm, whose registration has expired.
    let s1 = app.create_following("SA1", next("S1", EngagementKind::Stage1)).unwrap();
    assert_eq!(s1.programme.as_deref(), Some("P-BANK"));
    assert_eq!(s1.auditee, "某银行客服中心", "auditee carried");
    app.add_member("S1", "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
        .unwrap();
    app.add_member("S1", "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    let yesterday = today.yesterday().unwrap();
    app.set_registration_until("S1", "lm", Some(yesterday)).unwrap();
    let err = rule_text(app.raise_finding("S1", finding(Grade::Minor, "文件未受控")));
    assert!(
        err.contains("two auditors with valid registrations") && err.contains("lm's registration expired"),
        "{err}"
    );
    let renewed = today.checked_add(jiff::Span::new().days(30)).unwrap();
    app.set_registration_until("S1", "lm", Some(renewed)).unwrap();
    // An intern (实习审查员) is on the team but is not one of the two.
    app.set_registration("S1", "lm", None, Some(Level::Intern)).unwrap();
    let err = rule_text(app.raise_finding("S1", finding(Grade::Minor, "文件未受控")));
    assert!(
        err.contains("two auditors with valid registrations") && err.contains("lm is an intern"),
        "{err}"
    );
    app.set_registration("S1", "lm", None, Some(Level::Auditor)).unwrap();
    let warn = app.registration_lines("S1").unwrap();
    assert_eq!(warn.len(), 1, "expires within 60 days: warned");
    assert_eq!(warn[0].days_left, 30);

    // Stage 2 cannot start before stage 1 is closed.
    let err = rule_text(app.create_following("S1", next("S2", EngagementKind::Stage2)));
    assert!(
        err.contains("stage 2 cannot start before stage 1 (S1) is closed"),
        "{err}"
    );
    assert!(app.engagement("S2").is_err(), "nothing created");
    app.close_engagement("S1").unwrap();
    let s2 = app.create_following("S1", next("S2", EngagementKind::Stage2)).unwrap();
    let team = app.team("S2").unwrap();
    let lm = team.iter().find(|m| m.actor == "lm").expect("team carried");
    assert_eq!(lm.certificate_no.as_deref(), Some("CCAA-2"));
    assert_eq!(lm.registration_until, Some(renewed));
    assert_eq!(lm.level, Some(Level::Auditor), "level carried");
    assert_eq!(s2.follows.as_deref(), Some("S1"));

    // Stage 2: a major and a minor; the indicator measured again.
    let major = app.raise_finding("S2", finding(Grade::Major, "录音缺失")).unwrap();
    let minor = app.raise_finding("S2", finding(Grade::Minor, "质检记录不全")).unwrap();
    measured(&app, "S2", ind, 0.95, AssessmentResult::Conforming);
    app.close_engagement("S2").unwrap();

    // Rectification follow-up carries both (linked: the same records).
    let r1 = app
        .create_following("S2", next("R1", EngagementKind::FollowUp))
        .unwrap();
    let mut carried = r1.carries.clone();
    carried.sort();
    let mut want = vec![major.entity.clone(), minor.entity.clone()];
    want.sort();
    assert_eq!(carried, want);
    let err = rule_text(app.close_engagement("R1"));
    assert!(err.contains("rectification report"), "{err}");
    app.attach_evidence_bytes(
        "R1",
        "整改报告.pdf",
        b"%PDF-1.4 rectification report",
        "整改报告",
        None,
        None,
    )
    .unwrap();
    let err = rule_text(app.close_engagement("R1"));
    assert!(err.contains(&major.reference), "the open major is named: {err}");

    // Decision: refused to a team member, and to certify while the major is open.
    let err = rule_text(app.decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(err.contains("zw was on the audit team"), "{err}");
    // The lead cannot name who decides on their own audit: the programme does.
    let err = rule_text(app.add_member("R1", "cb", "陈博 Chen Bo", "CB", Role::DecisionMaker, None));
    assert!(err.contains("named by the engagement's programme"), "{err}");
    // The body's decision maker, before the programme exists: told how.
    as_body(&mut app, "cb", "陈博 Chen Bo", "CB");
    let err = rule_text(app.decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(err.contains("programme P-BANK is not held here"), "{err}");
    // The body creates the programme, naming cb as its decision maker.
    app.create_programme("P-BANK", "某银行客服中心认证", "某银行", true)
        .unwrap();
    // Named before the programme existed: not bound yet, so not decided on.
    let err = rule_text(app.decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(err.contains("R1 names programme P-BANK but is not bound"), "{err}");
    as_team(&mut app, "zw", "张伟", "ZW");
    app.set_programme("R1", "P-BANK", None).unwrap();
    as_body(&mut app, "cb", "陈博 Chen Bo", "CB");
    let err = rule_text(app.decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(
        err.contains("refused while a major nonconformity is open") && err.contains(&major.reference),
        "{err}"
    );
    assert!(app.engagement("R1").unwrap().decision.is_none(), "nothing recorded");

    // The major is rectified and verified (by lm), then closed; R1 closes.
    as_team(&mut app, "lm", "李敏", "LM");
    rectify(&mut app, &major.reference);
    app.move_finding(&major.reference, FindingMove::Close).unwrap();
    as_team(&mut app, "zw", "张伟", "ZW");
    app.close_engagement("R1").unwrap();

    // The decision by someone of the body not on the team; the certificate.
    as_body(&mut app, "cb", "陈博 Chen Bo", "CB");
    // Not before the technical review; an auditor of the team does not review.
    let err = rule_text(app.decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, ""));
    assert!(err.contains("comes after its technical review"), "{err}");
    assert!(app.engagement("R1").unwrap().decision.is_none(), "nothing recorded");
    as_team(&mut app, "lm", "李敏", "LM");
    let err = rule_text(app.technical_review("R1", "自己评审"));
    assert!(err.contains("lm was on the audit team"), "{err}");
    as_body(&mut app, "cb", "陈博 Chen Bo", "CB");
    let reviewed = app.technical_review("R1", "审核报告与整改证据已评审").unwrap();
    assert_eq!(reviewed.review.as_ref().map(|r| r.by.as_str()), Some("cb"));
    let decided = app
        .decide("R1", Outcome::Certify, Some("CSC-2026-001"), 3, "整改报告已审阅")
        .unwrap();
    let d = decided.decision.clone().unwrap();
    assert_eq!((d.outcome, d.by.as_str(), d.on), (Outcome::Certify, "cb", Some(today)));
    assert!(
        d.basis.contains("S2") && d.basis.contains("0 major, 1 minor"),
        "{}",
        d.basis
    );
    let cert = decided.certificate.clone().unwrap();
    assert_eq!(cert.number, "CSC-2026-001");
    assert_eq!(cert.issued, today);
    let three = today
        .checked_add(jiff::Span::new().years(3))
        .unwrap()
        .yesterday()
        .unwrap();
    assert_eq!(cert.valid_until, three);
    assert_eq!(cert.status, CertificateStatus::Valid);
    let dues = cert.surveillance_due();
    assert_eq!(dues.len(), 2, "{dues:?}");
    assert_eq!(dues[0], today.checked_add(jiff::Span::new().years(1)).unwrap());

    // Surveillance the next year: carries the minor (still open), not the closed major.
    as_team(&mut app, "zw", "张伟", "ZW");
    let sv = app
        .create_following("R1", next("SV1", EngagementKind::Surveillance))
        .unwrap();
    assert_eq!(sv.carries, vec![minor.entity.clone()]);
    assert_eq!(
        app.finding(&minor.reference).unwrap().engagement,
        "S2",
        "linked, not copied"
    );
    assert!(app.findings("SV1").unwrap().is_empty(), "no copies");
    assert!(
        app.assessments("SV1")
            .unwrap()
            .iter()
            .all(|a| a.result == AssessmentResult::NotAssessed)
    );
    let prev = app.previous_results(&sv).unwrap();
    let trend: Vec<(String, Option<f64>)> = prev[ind].iter().map(|p| (p.engagement.clone(), p.measured)).collect();
    assert_eq!(
        trend,
        vec![("SA1".to_string(), Some(0.91)), ("S2".to_string(), Some(0.95))]
    );
    // A change to the carried finding is one history, seen from both audits.
    app.edit_finding(&minor.reference, "title", "质检记录不全（监督审核复查）")
        .unwrap();
    let info = app.cycle_info(&app.engagement("SV1").unwrap()).unwrap();
    assert_eq!(info.carried[0].title, "质检记录不全（监督审核复查）");
    assert_eq!(
        info.certificate.as_ref().map(|c| c.number.as_str()),
        Some("CSC-2026-001")
    );
    let portfolio = app.portfolio().unwrap();
    assert_eq!(portfolio.len(), 1);
    assert_eq!(portfolio[0].engagements, vec!["SA1", "S1", "S2", "R1", "SV1"]);
    assert_eq!(portfolio[0].next_audit_due, Some(dues[0]));
    assert_eq!(portfolio[0].open_majors, 0);
    assert_eq!(app.finding(&minor.reference).unwrap().status, FindingStatus::Issued);
    drop(app);

    // The real binary: status --json and the portfolio.
    let json: serde_json::Value =
        serde_json::from_str(&common::cli_stdout(dir.path(), &["status", "-e", "SV1", "--json"])).unwrap();
    let cycle = &json["cycle"];
    assert_eq!(cycle["programme"], "P-BANK");
    assert_eq!(cycle["follows"], "R1");
    assert_eq!(cycle["certificate"]["number"], "CSC-2026-001");
    assert_eq!(cycle["carried"][0]["reference"], minor.reference.as_str());
    assert_eq!(cycle["carried"][0]["grade"], "minor");
    let text = common::cli_stdout(dir.path(), &["status", "-e", "SV1"]);
    assert!(
        text.contains("Carried from earlier audits (1)") && text.contains("CSC-2026-001"),
        "{text}"
    );
    // The self-assessment's plan in its status.
    let json: serde_json::Value =
        serde_json::from_str(&common::cli_stdout(dir.path(), &["status", "-e", "SA1", "--json"])).unwrap();
    assert_eq!(json["plan"]["late"], 2);
    assert_eq!(json["plan"]["milestones"][0]["state"], "done");
    assert_eq!(json["plan"]["milestones"][1]["progress"], 50);
    let text = common::cli_stdout(dir.path(), &["--lang", "zh", "status", "-e", "SA1"]);
    assert!(
        text.contains("已完成 1/5 个里程碑") && text.contains("逾期：SA1/02 制定计划"),
        "{text}"
    );
    let shown = common::cli_stdout(dir.path(), &["plan", "show", "-e", "SA1"]);
    assert!(
        shown.contains("Objectives: find the gaps") && shown.contains("Timeline"),
        "{shown}"
    );
    let p: serde_json::Value = serde_json::from_str(&common::cli_stdout(dir.path(), &["portfolio", "--json"])).unwrap();
    assert_eq!(p[0]["programme"], "P-BANK");
    assert_eq!(p[0]["certificate_status"], "valid");
    assert_eq!(p[0]["current"], "SV1");
    let text = common::cli_stdout(dir.path(), &["--lang", "zh", "portfolio"]);
    assert!(
        text.contains("P-BANK") && text.contains("有效") && text.contains("监督审核"),
        "{text}"
    );
}

#[test]
fn a_decision_maker_the_programme_names_may_decide_but_an_auditor_or_anyone_else_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    app.create_engagement(
        first("S2", EngagementKind::Stage2),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    app.set_programme("S2", "P2", None).unwrap();
    app.add_member("S2", "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    as_body(&mut app, "cb", "陈博", "CB");
    app.create_programme("P2", "", "", true).unwrap();
    as_team(&mut app, "zw", "张伟", "ZW");
    app.set_programme("S2", "P2", None).unwrap();
    as_team(&mut app, "lm", "李敏", "LM");
    let err = rule_text(app.decide("S2", Outcome::Refuse, None, 3, ""));
    assert!(err.contains("lm was on the audit team of S2 (auditor)"), "{err}");
    // Someone of the body the programme did not name.
    as_team(&mut app, "wq", "王强", "WQ");
    let err = rule_text(app.decide("S2", Outcome::Refuse, None, 3, ""));
    assert!(err.contains("wq is not a decision maker of programme P2"), "{err}");
    as_body(&mut app, "cb", "陈博", "CB");
    app.technical_review("S2", "评审").unwrap();
    let e = app.decide("S2", Outcome::Refuse, None, 3, "").unwrap();
    assert_eq!(e.decision.unwrap().outcome, Outcome::Refuse);
    assert!(e.certificate.is_none(), "a refusal issues no certificate");
    // A self-assessment is not decided on.
    app.create_engagement(
        first("SA", EngagementKind::SelfAssessment),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    let err = rule_text(app.decide("SA", Outcome::Certify, None, 3, ""));
    assert!(err.contains("self-assessment"), "{err}");
}

#[test]
fn the_checklist_shows_earlier_results_and_their_trend_in_both_languages() {
    use cscaudit::config::Lang;
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    app.set_today(jiff::civil::date(2026, 11, 28));
    app.create_engagement(
        first("SA1", EngagementKind::SelfAssessment),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    app.set_programme("SA1", "P-BANK", None).unwrap();
    let ind = cscaudit::config::embedded_catalog().indicators[0].id.clone();
    measured(&app, "SA1", &ind, 0.82, AssessmentResult::Nonconforming);
    app.create_following("SA1", next("S1", EngagementKind::Stage1)).unwrap();
    measured(&app, "S1", &ind, 0.9, AssessmentResult::Partially);
    app.create_following("S1", next("S2", EngagementKind::Stage2))
        .unwrap_err();
    app.close_engagement("S1").unwrap();
    app.create_following("S1", next("S2", EngagementKind::Stage2)).unwrap();
    for (lang, name) in [(Lang::Zh, "trend_zh_120x40"), (Lang::En, "trend_en_120x40")] {
        let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), lang, Some("S2")).unwrap();
        common::tui::press(&mut app, &mut s, "2 n");
        let text = common::tui::screen(&s, 120, 40);
        let (head, sa) = match lang {
            Lang::Zh => ("以往审核", "自评估"),
            Lang::En => ("Earlier audits", "self-assessment"),
        };
        assert!(
            text.contains(head) && text.contains("SA1") && text.contains(sa),
            "{text}"
        );
        assert!(text.contains("▁█"), "the trend: 0.82 then 0.90: {text}");
        common::tui::snap(name, text);
    }
}

#[test]
fn the_demo_has_a_client_in_its_surveillance_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(dir.path()).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    let p = app.portfolio().unwrap();
    let line = p
        .iter()
        .find(|l| l.programme == cscaudit::app::demo::PROGRAMME)
        .expect("the second programme");
    assert_eq!(line.current, cscaudit::app::demo::SURVEILLANCE);
    assert_eq!(line.certificate_status, Some(CertificateStatus::Valid));
    assert_eq!(line.open_majors, 0);
    assert!(line.next_audit_due.is_some_and(|d| d > app.today()), "{line:?}");
    let sv = app.engagement(cscaudit::app::demo::SURVEILLANCE).unwrap();
    assert_eq!(sv.carries.len(), 1, "the minor is carried");
    let f = app.finding(&sv.carries[0]).unwrap();
    assert_eq!((f.grade, f.status), (Grade::Minor, FindingStatus::Issued));
    let prev = app.previous_results(&sv).unwrap();
    assert_eq!(
        prev["AC-02"].iter().map(|p| p.measured).collect::<Vec<_>>(),
        vec![Some(74.2)]
    );
    let d = app.engagement("WB-R1").unwrap().decision.unwrap();
    assert_eq!(d.by, "chen.bo");
    // The surveillance report compares with last year's audit.
    let r = cscaudit::report::ReportData::load(&app, cscaudit::app::demo::SURVEILLANCE).unwrap();
    let c = r.comparison.as_ref().expect("a comparison");
    let ac02 = c.rows.iter().find(|x| x.indicator == "AC-02").unwrap();
    assert_eq!(
        (ac02.previous_engagement.as_str(), ac02.previous_measured),
        ("WB-S2", Some(74.2))
    );
    assert_eq!(ac02.change, Some(cscaudit::report::Change::Better));
    assert_eq!(c.carried.len(), 1);
    let md = cscaudit::report::report_md(&r, cscaudit::config::Lang::Zh);
    assert!(
        md.contains("## 与上次审核的比较") && md.contains("不符合 74.2% (WB-S2)"),
        "{md}"
    );
    assert!(md.contains("改善") && md.contains("延续自以往审核的发现项"), "{md}");
    let html = cscaudit::report::report_html(&r, cscaudit::config::Lang::En);
    assert!(html.contains("Comparison with the previous audit") && html.contains("better"));
    // And the bundle carries it: the report inside, and findings.json.
    let zip = dir.path().join("sv.zip");
    cscaudit::bundle::export(&app, cscaudit::app::demo::SURVEILLANCE, &zip, &Default::default()).unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let entry = |z: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    assert!(entry(&mut z, "report.md").contains("WF-002"));
    let json: serde_json::Value = serde_json::from_str(&entry(&mut z, "findings.json")).unwrap();
    assert_eq!(json["comparison"]["carried"][0]["reference"], "WF-002");
    // Every change of the cycle is signed by its author and checks clean.
    let report = app.doctor(&mut |_, _| {}).unwrap();
    assert_eq!(report.unsigned, 0);
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    assert!(report.healthy());
}

#[test]
fn a_copy_without_the_earlier_engagements_says_which_carried_findings_it_lacks() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    {
        let mut app = App::open(a.path()).unwrap();
        cscaudit::app::demo::seed(&mut app).unwrap();
    }
    let zip = a.path().join("sv.zip");
    common::cli_stdout(a.path(), &["export", "-e", "WB-SV1", "--out", zip.to_str().unwrap()]);
    common::cli_stdout(
        b.path(),
        &["identity", "set", "wang.fang", "--name", "王芳", "--initials", "WF"],
    );
    common::cli_stdout(b.path(), &["import", zip.to_str().unwrap()]);
    let text = common::cli_stdout(b.path(), &["status", "-e", "WB-SV1"]);
    assert!(text.contains("not in this copy: WB-S2/WF-002"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&common::cli_stdout(b.path(), &["status", "-e", "WB-SV1", "--json"])).unwrap();
    assert_eq!(json["cycle"]["carried_elsewhere"][0], "WB-S2/WF-002");
}

/// Two programmes on a fixed day: one certified (its next surveillance due),
/// one at stage 2 with an open major whose action is overdue.
fn two_programmes(app: &mut App) {
    app.set_today(jiff::civil::date(2026, 11, 28));
    let cat = cscaudit::config::embedded_catalog();
    app.create_engagement(
        NewEngagement {
            auditee: "甲银行信用卡中心 / Bank A card centre".into(),
            ..next("A-S2", EngagementKind::Stage2)
        },
        &cat,
        EMBEDDED_GBT32312,
    )
    .unwrap();
    app.set_programme("A-S2", "P-ALPHA", Some("电话与在线客服 / phone and online service"))
        .unwrap();
    as_body(app, "cb", "陈博", "CB");
    app.create_programme("P-ALPHA", "", "甲银行", true).unwrap();
    as_team(app, "zw", "张伟", "ZW");
    app.set_programme("A-S2", "P-ALPHA", None).unwrap();
    as_body(app, "cb", "陈博", "CB");
    app.set_today(jiff::civil::date(2026, 3, 2));
    app.technical_review("A-S2", "评审").unwrap();
    app.decide("A-S2", Outcome::Certify, Some("CSC-A-0001"), 3, "").unwrap();
    as_team(app, "zw", "张伟", "ZW");

    app.set_today(jiff::civil::date(2026, 10, 1));
    app.create_engagement(
        NewEngagement {
            auditee: "乙外包呼叫中心 / Outsourcer B".into(),
            ..next("B-S2", EngagementKind::Stage2)
        },
        &cat,
        EMBEDDED_GBT32312,
    )
    .unwrap();
    app.set_programme("B-S2", "P-BETA", None).unwrap();
    app.add_member("B-S2", "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
        .unwrap();
    app.add_member("B-S2", "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    let f = app.raise_finding("B-S2", finding(Grade::Major, "录音缺失")).unwrap();
    app.add_action(
        &f.reference,
        NewAction {
            description: "补录并设告警".into(),
            owner: "王芳".into(),
            due: Some(jiff::civil::date(2026, 10, 31)),
        },
    )
    .unwrap();
    app.set_today(jiff::civil::date(2026, 11, 28));
}

#[test]
fn the_portfolio_pane_sorts_filters_and_opens_a_programme_in_both_languages() {
    use cscaudit::config::Lang;
    use cscaudit::tui::state::Pane;
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    two_programmes(&mut app);
    let p = app.portfolio().unwrap();
    assert_eq!(p.len(), 2);
    let beta = p.iter().find(|l| l.programme == "P-BETA").unwrap();
    assert_eq!((beta.open_majors, beta.overdue_actions), (1, 1), "{beta:?}");
    for (lang, name) in [(Lang::Zh, "portfolio_zh_120x40"), (Lang::En, "portfolio_en_120x40")] {
        let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), lang, Some("A-S2")).unwrap();
        common::tui::press(&mut app, &mut s, "5");
        assert_eq!(s.pane, Pane::Portfolio);
        let text = common::tui::screen(&s, 120, 40);
        assert!(
            text.contains("P-ALPHA") && text.contains("P-BETA") && text.contains("CSC-A-0001"),
            "{text}"
        );
        // The next surveillance of the certificate issued 2026-03-02.
        assert!(text.contains("2027-03-02"), "{text}");
        common::tui::snap(name, text);
        // 80 columns: the rows still fit, with the key columns.
        let narrow = common::tui::screen(&s, 80, 24);
        assert!(narrow.contains("P-BETA") && narrow.contains("2027-03-02"), "{narrow}");
    }
    let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), Lang::En, Some("A-S2")).unwrap();
    common::tui::press(&mut app, &mut s, "5");
    let order = |s: &cscaudit::tui::state::State| {
        let t = common::tui::screen(s, 120, 40);
        (t.find("P-ALPHA").unwrap(), t.find("P-BETA").unwrap())
    };
    // By next audit due: P-ALPHA (a date) before P-BETA (none).
    let (a, b) = order(&s);
    assert!(a < b);
    // Sorted by open majors (most first): P-BETA leads.
    common::tui::press(&mut app, &mut s, "s");
    let text = common::tui::screen(&s, 120, 40);
    assert!(text.contains("Majors↑"), "{text}");
    let (a, b) = order(&s);
    assert!(b < a, "{text}");
    // Filter words: only programmes with an open major.
    common::tui::press(&mut app, &mut s, "/ text:major enter");
    let text = common::tui::screen(&s, 120, 40);
    assert!(text.contains("Portfolio 1/2") && !text.contains("P-ALPHA "), "{text}");
    // Enter opens the programme's current engagement.
    common::tui::press(&mut app, &mut s, "enter");
    assert_eq!(s.pane, Pane::Dashboard);
    assert_eq!(s.data.as_ref().unwrap().engagement.id, "B-S2");
}

#[test]
fn the_calls_pane_charts_service_level_and_abandonment_by_hour_in_both_languages() {
    use cscaudit::analytics::{generate, metrics};
    use cscaudit::config::Lang;
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    app.set_today(jiff::civil::date(2026, 11, 28));
    let e = common::engagement(&app, EngagementKind::Stage2, true);
    // Nothing recorded yet: the pane says how to get figures.
    let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), Lang::En, Some(&e)).unwrap();
    common::tui::press(&mut app, &mut s, "6");
    let text = common::tui::screen(&s, 120, 40);
    assert!(
        text.contains("No call-record figures") && text.contains("--record all"),
        "{text}"
    );

    let path = dir.path().join("acd.txt");
    let shape = generate::Shape {
        start: jiff::civil::date(2026, 9, 1),
        per_day: 4000,
        peak_wait_s: 35.0,
        patience_s: 400.0,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    generate::write_shaped(&mut w, 12_000, 11, &shape).unwrap();
    drop(w);
    let cat = cscaudit::config::embedded_catalog();
    let report = cscaudit::app::compute_metrics(
        &cat,
        std::slice::from_ref(&path),
        &metrics::Format::AnonymousBank,
        &metrics::Params::default(),
        &|_| true,
    )
    .unwrap();
    // What the report says per hour, straight from it.
    let sl_at = |h: u8| {
        report
            .by_hour
            .iter()
            .find(|x| x.hour == h)
            .and_then(|x| x.figures.find("service_level", Some("sl-neg")))
            .and_then(|f| f.value)
            .map(|v| v * 100.0)
    };
    let (sl10, sl3) = (sl_at(10).unwrap(), sl_at(3).unwrap());
    // A file named like a report that is not one is passed over.
    app.attach_evidence_bytes(&e, "metrics-zz-bogus.json", b"{\"schema\": 1", "", None, None)
        .unwrap();
    app.record_metrics(&e, cscaudit::app::MetricTarget::All, report.clone())
        .unwrap();
    app.attach_evidence_bytes(&e, "metrics-zz-later.json", b"[1,2,3]", "", None, None)
        .unwrap();

    let p = app.call_profile(&e).unwrap().expect("a profile");
    assert_eq!(p.service_level.indicator.as_deref(), Some("AC-02"));
    assert_eq!(p.service_level.variant, "sl-neg");
    assert_eq!(p.service_level.target, Some(80.0));
    assert_eq!(p.abandonment.indicator.as_deref(), Some("AC-04"));
    assert_eq!(p.offered, report.overall.counts.offered);
    assert_eq!(p.threshold_s, 20);
    let at = |h: u8| p.service_level.by_hour.iter().find(|x| x.0 == h).and_then(|x| x.1);
    assert!((at(10).unwrap() - sl10).abs() < 1e-9 && (at(3).unwrap() - sl3).abs() < 1e-9);
    // The peak misses the 80% target, the night meets it.
    let failing = p.service_level.failing_hours();
    assert!(failing.contains(&10) && !failing.contains(&3), "{failing:?}");
    let measured = app.assessment(&e, "AC-02").unwrap().measured.unwrap();
    assert!((p.service_level.overall.unwrap() - measured).abs() < 1e-9);
    assert_eq!(p.days, Some(("2026-09-01".into(), "2026-09-03".into())));

    for (lang, name, words) in [
        (Lang::Zh, "calls_zh_120x40", ["分时段服务水平", "未达标"]),
        (Lang::En, "calls_en_120x40", ["Service level by hour", "below it"]),
    ] {
        let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), lang, Some(&e)).unwrap();
        common::tui::press(&mut app, &mut s, "6");
        let text = common::tui::screen(&s, 120, 40);
        for w in words {
            assert!(text.contains(w), "{w}: {text}");
        }
        assert!(text.contains("08:00–"), "the failing hours named: {text}");
        common::tui::snap(name, text);
        let narrow = common::tui::screen(&s, 80, 24);
        assert!(
            narrow.contains(" 10 ") && narrow.contains("23"),
            "hour labels at 80×24: {narrow}"
        );
    }
}

#[test]
fn a_plan_refuses_bad_dates_and_progress_travels_in_a_bundle_and_shows_on_the_dashboard() {
    use cscaudit::config::Lang;
    use cscaudit::model::plan::Phase;
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(&dir.path().join("a"));
    app.set_today(jiff::civil::date(2026, 11, 28));
    app.create_engagement(
        first("SA", EngagementKind::SelfAssessment),
        &cscaudit::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )
    .unwrap();
    // Nothing planned yet: the dashboard says how to start.
    let s = cscaudit::tui::initial_state(&app, &common::tui::setup(), Lang::En, Some("SA")).unwrap();
    let text = common::tui::screen(&s, 120, 40);
    assert!(
        text.contains("No plan yet") && text.contains("plan init -e SA"),
        "{text}"
    );

    let d = |m, day| jiff::civil::date(2026, m, day);
    let bad = app.add_milestone(
        "SA",
        NewMilestone {
            phase: Phase::Collect,
            title: "话单".into(),
            owner: "lm".into(),
            start: Some(d(10, 10)),
            due: d(10, 1),
        },
    );
    assert!(rule_text(bad).contains("before it starts"));
    let no_owner = app.add_milestone(
        "SA",
        NewMilestone {
            phase: Phase::Collect,
            title: "话单".into(),
            owner: " ".into(),
            start: None,
            due: d(10, 1),
        },
    );
    assert!(rule_text(no_owner).contains("an owner"));
    let ms = app.standard_plan("SA", d(10, 1), "zw").unwrap();
    assert!(rule_text(app.standard_plan("SA", d(10, 1), "zw")).contains("already has a plan"));
    let over = app.update_milestone(
        &ms[2].id,
        MilestoneUpdate {
            progress: Some(130),
            ..Default::default()
        },
    );
    assert!(rule_text(over).contains("0–100"));
    assert!(
        app.plan("SA")
            .unwrap()
            .milestones
            .iter()
            .all(|l| l.milestone.progress == 0),
        "nothing saved"
    );
    let extra = app
        .add_milestone(
            "SA",
            NewMilestone {
                phase: Phase::Improve,
                title: "管理评审 / management review".into(),
                owner: "王芳".into(),
                start: None,
                due: d(12, 31),
            },
        )
        .unwrap();
    assert_eq!(extra.id, "SA/06");
    app.update_milestone(
        &ms[0].id,
        MilestoneUpdate {
            done_on: Some(d(10, 12)),
            ..Default::default()
        },
    )
    .unwrap();
    app.update_milestone(
        &ms[1].id,
        MilestoneUpdate {
            done_on: Some(d(10, 20)),
            ..Default::default()
        },
    )
    .unwrap();
    app.update_milestone(
        &ms[2].id,
        MilestoneUpdate {
            progress: Some(70),
            ..Default::default()
        },
    )
    .unwrap();
    // Progress below 100 reopens a milestone marked done.
    let reopened = app
        .update_milestone(
            &ms[1].id,
            MilestoneUpdate {
                progress: Some(90),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((reopened.done_on, reopened.progress), (None, 90));
    app.update_milestone(
        &ms[1].id,
        MilestoneUpdate {
            done_on: Some(d(10, 21)),
            ..Default::default()
        },
    )
    .unwrap();

    // A teammate's copy gets the plan through a findings bundle.
    let zip = dir.path().join("sa.zip");
    cscaudit::bundle::export(&app, "SA", &zip, &cscaudit::bundle::ExportOptions::default()).unwrap();
    let b = App::open(&dir.path().join("b")).unwrap();
    cscaudit::bundle::import(&b, &zip).unwrap();
    let theirs: Vec<_> = b.milestones("SA").unwrap();
    assert_eq!(theirs, app.milestones("SA").unwrap());

    for (lang, name, words) in [
        (
            Lang::Zh,
            "plan_zh_120x40",
            ["自评估计划", "收集与分析数据", "已逾期 +10天"],
        ),
        (Lang::En, "plan_en_120x40", ["Plan ·", "collect", "late +10d"]),
    ] {
        let s = cscaudit::tui::initial_state(&app, &common::tui::setup(), lang, Some("SA")).unwrap();
        let text = common::tui::screen(&s, 120, 40);
        for w in words {
            assert!(text.contains(w), "{w}: {text}");
        }
        common::tui::snap(name, text);
        let narrow = common::tui::screen(&s, 80, 24);
        assert!(
            narrow.contains("█") && narrow.contains("│"),
            "the timeline at 80×24: {narrow}"
        );
    }
    // Progress from the dashboard (`P`): the first milestone not done is offered.
    let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), Lang::En, Some("SA")).unwrap();
    common::tui::press(&mut app, &mut s, "P tab ctrl-u text:abc ctrl-s");
    assert!(
        matches!(&s.popup, Some(cscaudit::tui::state::Popup::Form(f)) if f.error.as_deref().is_some_and(|e| e.contains("0–100"))),
        "{:?}",
        s.popup
    );
    common::tui::press(&mut app, &mut s, "ctrl-u text:85 ctrl-s");
    assert!(s.popup.is_none(), "{:?}", s.popup);
    assert_eq!(app.milestones("SA").unwrap()[2].progress, 85);
    common::tui::press(&mut app, &mut s, "P tab tab right ctrl-s");
    let collect = &app.milestones("SA").unwrap()[2];
    assert_eq!((collect.done_on, collect.progress), (Some(app.today()), 100));
    let text = common::tui::screen(&s, 120, 40);
    assert!(text.contains("3/6 done · 0 late"), "{text}");
}

#[test]
fn a_certificate_is_suspended_restored_and_withdrawn_only_by_someone_who_may_decide() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    two_programmes(&mut app);
    app.add_member("A-S2", "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
        .unwrap();
    // An auditor of the programme may not.
    as_team(&mut app, "lm", "李敏", "LM");
    let err = rule_text(app.set_certificate_status("A-S2", CertificateStatus::Suspended, "投诉"));
    assert!(err.contains("lm was on the audit team of A-S2"), "{err}");
    // Nor without a reason, nor on an engagement that issued none.
    as_body(&mut app, "cb", "陈博", "CB");
    assert!(rule_text(app.set_certificate_status("A-S2", CertificateStatus::Suspended, " ")).contains("--reason"));
    assert!(
        rule_text(app.set_certificate_status("B-S2", CertificateStatus::Suspended, "x"))
            .contains("issued no certificate")
    );
    let e = app
        .set_certificate_status(
            "A-S2",
            CertificateStatus::Suspended,
            "监督审核逾期未进行 / surveillance overdue",
        )
        .unwrap();
    assert_eq!(e.certificate.unwrap().status, CertificateStatus::Suspended);
    assert!(e.decision.unwrap().basis.contains("suspended — 监督审核逾期未进行"));
    let line = |app: &App| {
        app.portfolio()
            .unwrap()
            .into_iter()
            .find(|l| l.programme == "P-ALPHA")
            .unwrap()
    };
    assert_eq!(line(&app).certificate_status, Some(CertificateStatus::Suspended));
    app.set_certificate_status("A-S2", CertificateStatus::Valid, "已完成监督审核 / surveillance done")
        .unwrap();
    assert_eq!(line(&app).certificate_status, Some(CertificateStatus::Valid));
    // Past its end a certificate is expired: renewed, not suspended or restored.
    app.set_today(jiff::civil::date(2029, 3, 2));
    let err = rule_text(app.set_certificate_status("A-S2", CertificateStatus::Suspended, "x"));
    assert!(err.contains("expired on 2029-03-01"), "{err}");
    app.set_today(jiff::civil::date(2026, 11, 28));
    app.set_certificate_status("A-S2", CertificateStatus::Withdrawn, "严重投诉 / serious complaint")
        .unwrap();
    let err = rule_text(app.set_certificate_status("A-S2", CertificateStatus::Valid, "申诉 / appeal"));
    assert!(err.contains("withdrawn certificate is not restored"), "{err}");
    assert_eq!(line(&app).certificate_status, Some(CertificateStatus::Withdrawn));
}

#[test]
fn the_next_audit_is_started_from_the_tui_and_refused_there_as_on_the_cli() {
    use cscaudit::config::Lang;
    use cscaudit::tui::state::{Pane, Popup};
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path());
    two_programmes(&mut app);
    // B-S2 (stage 2, one open major): its follow-up from the dashboard.
    let mut s = cscaudit::tui::initial_state(&app, &common::tui::setup(), Lang::Zh, Some("B-S2")).unwrap();
    common::tui::press(&mut app, &mut s, "F");
    let text = common::tui::screen(&s, 120, 40);
    assert!(
        text.contains("B-S2 之后的下一次审核") && text.contains("跟踪审核"),
        "{text}"
    );
    common::tui::press(&mut app, &mut s, "tab text:B-R1 ctrl-s");
    assert!(s.popup.is_none(), "{:?}", s.popup);
    let d = s.data.as_ref().unwrap();
    assert_eq!(d.engagement.id, "B-R1");
    assert_eq!(d.engagement.follows.as_deref(), Some("B-S2"));
    assert_eq!(d.engagement.carries.len(), 1, "the open major is carried");
    assert!(s.status.as_ref().unwrap().text.contains("延续 1 个"), "{:?}", s.status);
    // The findings pane shows the carried major below its own (empty) list.
    let major = cscaudit::model::ops::short_reference(&d.engagement.carries[0]).to_string();
    common::tui::press(&mut app, &mut s, "3");
    let text = common::tui::screen(&s, 120, 40);
    assert!(
        text.contains("延续自以往审核的发现项 (1)") && text.contains(&major) && text.contains("(B-S2)"),
        "{text}"
    );

    // From the portfolio: a stage 2 after A-S2 is refused (it follows a
    // stage 1); the refusal shows in the form and nothing is created.
    common::tui::press(&mut app, &mut s, "5");
    assert_eq!(s.pane, Pane::Portfolio);
    let alpha = s
        .programmes
        .view
        .iter()
        .position(|&i| s.portfolio.as_ref().unwrap()[i].programme == "P-ALPHA");
    common::tui::press(&mut app, &mut s, if alpha == Some(0) { "g g" } else { "G" });
    common::tui::press(&mut app, &mut s, "F");
    common::tui::press(&mut app, &mut s, "left ctrl-s");
    match &s.popup {
        Some(Popup::Form(f)) => assert!(
            f.error.as_deref().is_some_and(|e| e.contains("第一阶段")),
            "{:?}",
            f.error
        ),
        other => panic!("the form stays open with the refusal: {other:?}"),
    }
    assert_eq!(app.engagements().unwrap().len(), 3);
}

#[test]
fn the_next_audit_keeps_the_catalogue_unless_another_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| common::cli_stdout(d, args);
    run(&["identity", "set", "zw", "--name", "张伟", "--initials", "ZW"]);
    run(&[
        "engagement",
        "create",
        "--id",
        "SA",
        "--auditee",
        "某银行",
        "--programme",
        "P-X",
        "--client-kind",
        "bank",
    ]);
    run(&[
        "engagement",
        "create",
        "--id",
        "S1",
        "--kind",
        "stage-1",
        "--follows",
        "SA",
    ]);
    let minimal = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs/minimal.toml");
    run(&[
        "engagement",
        "create",
        "--id",
        "S1B",
        "--kind",
        "follow-up",
        // S1 follows SA already: a programme is one line of audits.
        "--follows",
        "S1",
        "--catalog",
        minimal.to_str().unwrap(),
    ]);
    let app = App::open(d).unwrap();
    let (sa, s1, s1b) = (
        app.engagement("SA").unwrap(),
        app.engagement("S1").unwrap(),
        app.engagement("S1B").unwrap(),
    );
    assert_eq!(s1.catalog_id, sa.catalog_id, "kept");
    assert_ne!(s1b.catalog_id, sa.catalog_id, "changed when asked");
    assert_eq!(
        s1.client_kind,
        Some(cscaudit::model::engagement::ClientKind::Bank),
        "the client's kind is kept"
    );
    let p = app.portfolio().unwrap();
    assert_eq!(p[0].client_kind, Some(cscaudit::model::engagement::ClientKind::Bank));
}
