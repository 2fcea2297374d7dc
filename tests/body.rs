//! The certification body's records on the demo, through the real binary and
//! a real sled database: the monthly CNCA workbook (four sheets, each row
//! once, a change the month after, ID numbers only there), the experience
//! log from the attendance, the interests register at allocation, the
//! audit plan's person-days and the meetings' checks.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{cli, cli_stdout};
use cscaudit::app::App;
use cscaudit::app::body::{NewMeeting, PlanEdit};
use cscaudit::model::body::{Attendee, AuditMode, MeetingKind, parse_at};
use cscaudit::model::engagement::{CertificateStatus, Role};
use std::collections::BTreeMap;
use std::path::Path;

/// Every sheet of a workbook: its name and its rows of text.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            let rows = r
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (n, rows)
        })
        .collect()
}

/// The rows of one sheet as heading → value.
fn records(sheets: &[(String, Vec<Vec<String>>)], name: &str) -> Vec<BTreeMap<String, String>> {
    let (_, rows) = sheets.iter().find(|(n, _)| n == name).expect(name);
    let head = &rows[0];
    rows[1..]
        .iter()
        .map(|r| head.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn demo(dir: &Path) -> App {
    let mut app = App::open(dir).unwrap();
    cscaudit::app::demo::seed(&mut app).unwrap();
    app
}

/// Act as a demo person (their key is in `demo-keys/`).
fn as_demo(dir: &Path, actor: &str, name: &str, initials: &str) -> App {
    let mut app = App::open(dir).unwrap();
    app.set_identity(actor, name, initials).unwrap();
    app.set_identity_key(Some(&dir.join("demo-keys").join(actor))).unwrap();
    app
}

#[test]
fn the_demo_reports_its_certificate_month_to_cnca_once_and_a_change_the_month_after() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let app = demo(d);
    let cert = app.engagement("WB-R1").unwrap().certificate.unwrap();
    assert_eq!(cert.number, "CSC-WB-0117");
    drop(app);
    let month = format!("{:04}-{:02}", cert.issued.year(), cert.issued.month());
    let first = d.join("first.xlsx");
    let said = cli_stdout(
        d,
        &["report", "cnca", "--month", &month, "--out", first.to_str().unwrap()],
    );
    assert!(said.contains("unchanged, left out: 0"), "{said}");
    let wb = sheets(&first);
    assert_eq!(
        wb.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["审核计划信息表", "证书信息表", "审核结果信息表", "能源绩效信息表"]
    );
    let certs = records(&wb, "证书信息表");
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0]["证书编号"], "CSC-WB-0117");
    assert_eq!(certs[0]["证书状态"], "有效");
    assert_eq!(certs[0]["统一社会信用代码"], "91510100MA61XY2K3P");
    let results = records(&wb, "审核结果信息表");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["认证决定"], "批准认证");
    assert!(!results[0]["技术评审日期"].is_empty(), "the review comes first");
    // The rectification follow-up was audited remotely that month.
    let plans = records(&wb, "审核计划信息表");
    assert_eq!(plans.len(), 1, "{plans:?}");
    assert_eq!(plans[0]["审核方式"], "FS02");
    assert_eq!(plans[0]["审核类型"], "跟踪审核");
    assert_eq!(plans[0]["审核组长姓名"], "张伟");
    // No cell carries spaces at its ends or invisible characters.
    for (_, rows) in &wb {
        for c in rows.iter().flatten() {
            assert_eq!(c, c.trim(), "{c:?}");
            assert!(!c.chars().any(|ch| ch.is_control() || ch == '\u{200B}'), "{c:?}");
        }
    }
    assert!(
        said.contains("no 机构批准号"),
        "the check list names what is missing: {said}"
    );

    // The same month again: nothing new.
    let again = d.join("again.xlsx");
    let said = cli_stdout(
        d,
        &["report", "cnca", "--month", &month, "--out", again.to_str().unwrap()],
    );
    assert!(
        said.contains("nothing new or changed") && said.contains("3 row(s)"),
        "{said}"
    );
    assert!(!again.exists(), "nothing written over a month already reported");
    // `--all` writes the month again, as it was.
    let said = cli_stdout(
        d,
        &[
            "report",
            "cnca",
            "--month",
            &month,
            "--all",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    let wb = sheets(&again);
    assert_eq!(records(&wb, "证书信息表").len(), 1, "{said}");

    // The auditors' ID numbers, kept encrypted here, reach this report only.
    for (actor, id) in [("zhang.wei", "11010519491231002X"), ("wang.fang", "510104198807153428")] {
        let out = cli(d)
            .args(["auditor", "national-id", "--actor", actor])
            .write_stdin(format!("{id}\n"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let out = cli(d)
        .args(["auditor", "national-id", "--actor", "li.min"])
        .write_stdin("110105194912310021\n")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a wrong check digit is refused");

    // The decision maker suspends the certificate the month after.
    let next = cert
        .issued
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap();
    let mut cb = as_demo(d, "chen.bo", "陈博 Chen Bo", "CB");
    cb.set_today(next.checked_add(jiff::Span::new().days(4)).unwrap());
    cb.set_certificate_status("WB-R1", CertificateStatus::Suspended, "监督审核资料逾期 / late")
        .unwrap();
    drop(cb);
    drop(as_demo(d, "zhang.wei", "张伟 Zhang Wei", "ZW"));
    let month2 = format!("{:04}-{:02}", next.year(), next.month());
    let second = d.join("second.xlsx");
    let said = cli_stdout(
        d,
        &["report", "cnca", "--month", &month2, "--out", second.to_str().unwrap()],
    );
    let wb = sheets(&second);
    let certs = records(&wb, "证书信息表");
    assert_eq!(certs.len(), 1, "{said}");
    assert_eq!(certs[0]["证书状态"], "暂停");
    assert_eq!(
        certs[0]["状态变更日期"],
        next.checked_add(jiff::Span::new().days(4)).unwrap().to_string()
    );
    // The follow-up's plan row changed (ID numbers added): reported again.
    let plans = records(&wb, "审核计划信息表");
    let r1 = plans.iter().find(|p| p["审核类型"] == "跟踪审核").expect("WB-R1 again");
    assert_eq!(r1["审核组长证件号码"], "11010519491231002X");
    assert_eq!(r1["审核组成员证件号码"], "510104198807153428");
    // The JSON view masks them.
    let json = cli_stdout(
        d,
        &[
            "report", "cnca", "--month", &month, "--all", "--json", "--out", "x.xlsx",
        ],
    );
    assert!(
        !json.contains("11010519491231002X") && json.contains("**************002X"),
        "{json}"
    );

    // Never in a bundle, a report or the data's exports.
    let zip = d.join("wb.zip");
    let app = App::open(d).unwrap();
    cscaudit::bundle::export(&app, "WB-R1", &zip, &Default::default()).unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut z.by_index(i).unwrap(), &mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("11010519491231002X") && !text.contains("510104198807153428"));
    }
}

#[test]
fn li_min_s_experience_log_counts_on_site_days_from_the_attendance() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(demo(d));
    let out = d.join("li.min.xlsx");
    let v: serde_json::Value = serde_json::from_str(&cli_stdout(
        d,
        &[
            "auditor",
            "log",
            "--actor",
            "li.min",
            "--json",
            "--out",
            out.to_str().unwrap(),
        ],
    ))
    .unwrap();
    let audits = v["audits"].as_array().unwrap();
    let s2 = audits.iter().find(|a| a["engagement"] == "DEMO-S2").expect("DEMO-S2");
    assert_eq!(s2["role"], "auditor");
    assert_eq!(s2["on_site_days"], 2.0);
    assert_eq!(s2["attended"], true);
    assert_eq!(s2["mode"], "FS01");
    assert!(audits.iter().all(|a| a["role"] != "auditee-contact"));
    assert_eq!(
        v["on_site_days"],
        audits.iter().map(|a| a["on_site_days"].as_f64().unwrap()).sum::<f64>()
    );
    let wb = sheets(&out);
    let rows = &wb[0].1;
    assert_eq!(rows.len(), audits.len() + 2, "header, audits, total");
    assert!(rows.iter().any(|r| r[0] == "DEMO-S2" && r[8] == "2"), "{rows:?}");
    // In Chinese too.
    let zh = cli_stdout(d, &["--lang", "zh", "auditor", "log", "--actor", "li.min"]);
    assert!(
        zh.contains("DEMO-S2") && zh.contains("第二阶段审核") && zh.contains("审核员"),
        "{zh}"
    );
}

#[test]
fn a_member_with_a_live_consultancy_conflict_is_refused_on_the_clients_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(demo(d));
    let list: serde_json::Value = serde_json::from_str(&cli_stdout(d, &["interest", "list", "--json"])).unwrap();
    // The CLI refuses, in Chinese.
    let out = cli(d)
        .args([
            "--lang",
            "zh",
            "engagement",
            "add-member",
            "-e",
            "WB-SV1",
            "--actor",
            "liu.yang",
            "--name",
            "刘洋",
            "--initials",
            "LY",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("咨询关系"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut app = App::open(d).unwrap();
    assert_eq!(list[0]["actor"], "liu.yang");
    assert_eq!(list[0]["kind"], "consultancy");
    let err = app
        .add_member("WB-SV1", "liu.yang", "刘洋", "LY", Role::Auditor, Some("CCAA-9"))
        .unwrap_err()
        .message()
        .en;
    assert!(
        err.contains("declared a consultancy interest in the client of programme P-WAIBAO"),
        "{err}"
    );
    assert!(app.member("WB-SV1", "liu.yang").is_none(), "nothing recorded");
    // Another client's audit is fine; so is this one once the conflict ended.
    app.add_member("DEMO-S2", "liu.yang", "刘洋", "LY", Role::Auditor, Some("CCAA-9"))
        .unwrap();
    let until = list[0]["until"].as_str().unwrap().parse::<jiff::civil::Date>().unwrap();
    app.set_today(until.tomorrow().unwrap());
    app.add_member("WB-SV1", "liu.yang", "刘洋", "LY", Role::Auditor, Some("CCAA-9"))
        .unwrap();
    // Only the programme's lead keeps the register: the audit lead may not.
    let err = app
        .declare_interest(
            "P-WAIBAO",
            "li.min",
            cscaudit::model::body::InterestKind::Consultancy,
            until,
            "",
        )
        .unwrap_err()
        .message()
        .en;
    assert!(
        err.contains("only a lead of programme P-WAIBAO keeps its register"),
        "{err}"
    );
}

#[test]
fn person_days_follow_the_calculator_unless_justified_and_meetings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(demo(d));
    let v: serde_json::Value =
        serde_json::from_str(&cli_stdout(d, &["audit-plan", "days", "-e", "WB-SV1", "--json"])).unwrap();
    assert!(v["planned"].is_null() && v["actual"].is_null(), "no size yet: {v}");
    let app = App::open(d).unwrap();
    app.set_audit_plan(
        "WB-SV1",
        &PlanEdit {
            agents: Some(320),
            sites: Some("成都; 绵阳".into()),
            mode: Some(AuditMode::Both),
            ..Default::default()
        },
    )
    .unwrap();
    drop(app);
    let v: serde_json::Value =
        serde_json::from_str(&cli_stdout(d, &["audit-plan", "days", "-e", "WB-SV1", "--json"])).unwrap();
    // Surveillance, up to 500 agents: 1.5 d, and 0.5 d for the second site.
    assert_eq!(v["planned"], 2.0, "{v}");
    assert!(v["basis"].as_str().unwrap().contains("up to 500 agents"), "{v}");
    let out = cli(d)
        .args(["audit-plan", "days", "-e", "WB-SV1", "--planned", "1.5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--justification"));
    let v: serde_json::Value = serde_json::from_str(&cli_stdout(
        d,
        &[
            "audit-plan",
            "days",
            "-e",
            "WB-SV1",
            "--planned",
            "1.5",
            "--justification",
            "绵阳场所仅抽查电话渠道",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(
        (v["planned"].as_f64(), v["calculated"].as_f64()),
        (Some(1.5), Some(2.0))
    );
    assert!(v["basis"].as_str().unwrap().contains("绵阳场所仅抽查电话渠道"));
    let app = App::open(d).unwrap();

    // The meetings: the closing after the opening, members by id, ≤ 3 photos.
    let at = |s: &str| parse_at(s).unwrap();
    let m = |kind, when: &str, who: &str| NewMeeting {
        kind,
        at: at(when),
        place: "成都".into(),
        attendees: Attendee::parse_list(who),
        note: String::new(),
    };
    app.record_meeting(
        "WB-SV1",
        &m(
            MeetingKind::Opening,
            "2026-12-08 09:00",
            "zhang.wei; wang.fang; auditee:刘强",
        ),
        &[],
    )
    .unwrap();
    let bad = |r: cscaudit::app::Result<cscaudit::model::body::Meeting>| r.unwrap_err().message().en;
    assert!(
        bad(app.record_meeting("WB-SV1", &m(MeetingKind::Closing, "2026-12-07 17:00", "zhang.wei"), &[]))
            .contains("comes after the opening")
    );
    assert!(
        bad(app.record_meeting(
            "WB-SV1",
            &m(MeetingKind::Closing, "2026-12-09 17:00", "zhang.wei; 刘强"),
            &[]
        ))
        .contains("auditee:NAME")
    );
    let photo = d.join("p.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n").unwrap();
    let four = [photo.as_path(); 4];
    assert!(
        bad(app.record_meeting(
            "WB-SV1",
            &m(MeetingKind::Closing, "2026-12-09 17:00", "zhang.wei"),
            &four
        ))
        .contains("1 to 3 photos")
    );
    assert!(app.audit_plan("WB-SV1").unwrap().closing.is_none(), "nothing recorded");
    let c = app
        .record_meeting(
            "WB-SV1",
            &m(MeetingKind::Closing, "2026-12-09 17:00", "zhang.wei; wang.fang@remote"),
            &[photo.as_path()],
        )
        .unwrap();
    assert_eq!(c.photos.len(), 1);
    drop(app);
    let v: serde_json::Value =
        serde_json::from_str(&cli_stdout(d, &["attendance", "show", "-e", "WB-SV1", "--json"])).unwrap();
    assert_eq!(v["on_site_days"]["zhang.wei"], 2.0);
    assert_eq!(v["on_site_days"]["wang.fang"], 0.5, "remote at the closing");
}

#[test]
fn a_points_catalogue_scores_in_points_with_stars_and_the_built_in_keeps_the_weighted_mean() {
    use cscaudit::app::{AssessmentInput, NewEngagement};
    use cscaudit::model::assessment::AssessmentResult::*;
    use cscaudit::model::engagement::EngagementKind;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = format!(
        "{}\n[points]\npass = 70\nstars = [80, 90, 95]\ndeduction = 1\nbonus_max = 1\n",
        cscaudit::model::catalog::EMBEDDED_GBT32312
    );
    let cat = cscaudit::config::parse_catalog(&src, "points.toml").unwrap();
    let mut app = App::open(d).unwrap();
    app.set_identity("zw", "张伟", "ZW").unwrap();
    app.create_engagement(
        NewEngagement {
            id: Some("PT".into()),
            title: "积分制 / points".into(),
            auditee: "某银行".into(),
            site: String::new(),
            kind: EngagementKind::SelfAssessment,
            period_start: None,
            period_end: None,
        },
        &cat,
        &src,
    )
    .unwrap();
    let worth = |id: &str| cat.indicator(id).unwrap().weight;
    let results = [
        ("AC-01", Conforming),
        ("AC-02", Partially),
        ("AC-03", Nonconforming),
        ("AC-04", NotApplicable),
    ];
    for (ind, r) in results {
        app.record_assessment(
            "PT",
            ind,
            AssessmentInput {
                result: Some(r),
                ..Default::default()
            },
        )
        .unwrap();
    }
    // The excluded AC-04 leaves the denominator (删减).
    let applicable = worth("AC-01") + worth("AC-02") + worth("AC-03");
    let earned = worth("AC-01") + 0.5 * worth("AC-02");
    let want = 100.0 * earned / applicable;
    let s = app.score_summary("PT").unwrap();
    assert_eq!(s.method, "points");
    assert!((s.points.unwrap() - want).abs() < 1e-9, "{s:?} {want}");
    assert_eq!((s.excluded, s.complete), (1, false));
    let expect_stars = |p: f64| match p {
        p if p >= 95.0 => Some(5),
        p if p >= 90.0 => Some(4),
        p if p >= 80.0 => Some(3),
        p if p >= 70.0 => Some(0),
        _ => None,
    };
    assert_eq!(s.stars, expect_stars(want));
    // A special deduction takes a point; a bonus adds at most the cap.
    let s = app
        .set_score_adjustments("PT", &["未按规定公示收费标准".into()], false, Some((5.0, "创新服务")))
        .unwrap();
    let adjusted = (want - 1.0 + 1.0).clamp(0.0, 100.0);
    assert!((s.points.unwrap() - adjusted).abs() < 1e-9, "{s:?}");
    assert_eq!((s.deductions, s.bonus), (1, 1.0));
    let err = app
        .set_score_adjustments("PT", &[], false, Some((0.5, " ")))
        .unwrap_err();
    assert!(err.message().en.contains("--bonus-reason"));
    // Everything conforming, the deductions replaced by two: 98, five stars.
    for ind in cat.indicators.iter().map(|i| i.id.clone()).collect::<Vec<_>>() {
        app.record_assessment(
            "PT",
            &ind,
            AssessmentInput {
                result: Some(if ind == "AC-04" { NotApplicable } else { Conforming }),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let s = app
        .set_score_adjustments("PT", &["a".into(), "b".into()], true, Some((0.0, "")))
        .unwrap();
    assert_eq!(
        (s.points, s.stars, s.pass, s.complete),
        (Some(98.0), Some(5), Some(true), true)
    );
    drop(app);
    let v: serde_json::Value = serde_json::from_str(&cli_stdout(d, &["status", "-e", "PT", "--json"])).unwrap();
    assert_eq!(
        (v["score"]["points"].as_f64(), v["score"]["stars"].as_u64()),
        (Some(98.0), Some(5))
    );
    let zh = cli_stdout(d, &["--lang", "zh", "engagement", "score", "-e", "PT"]);
    assert!(zh.contains("得分 98.00") && zh.contains("★★★★★"), "{zh}");
    // The reports say it too.
    let app = App::open(d).unwrap();
    let r = cscaudit::report::ReportData::load(&app, "PT").unwrap();
    let md = cscaudit::report::report_md(&r, cscaudit::config::Lang::Zh);
    assert!(md.contains("积分制得分：98.00 ★★★★★ 5 星"), "{md}");
    let html = cscaudit::report::report_html(&r, cscaudit::config::Lang::En);
    assert!(html.contains("Score in points: 98.00"));
    drop(app);

    // The built-in catalogue keeps the weighted mean.
    let demo_dir = tempfile::tempdir().unwrap();
    drop(demo(demo_dir.path()));
    let v: serde_json::Value =
        serde_json::from_str(&cli_stdout(demo_dir.path(), &["status", "-e", "DEMO-S2", "--json"])).unwrap();
    assert_eq!(v["score"]["method"], "weighted-mean");
    assert_eq!(v["score"]["points"], v["scorecard"]["overall"]["score"]);
    assert!(v["score"]["stars"].is_null());
}

/// The text runs of a Word document's body.
fn docx_text(path: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let mut text = String::new();
    for part in xml.split("<w:t").skip(1) {
        let body = part.split_once('>').map(|x| x.1).unwrap_or_default();
        text.push_str(body.split("</w:t>").next().unwrap_or_default());
    }
    text
}

#[test]
fn the_body_prints_the_certificate_and_a_nonconformity_report_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(demo(d));
    let cert = d.join("cert.docx");
    cli_stdout(
        d,
        &["report", "certificate", "-e", "WB-R1", "--out", cert.to_str().unwrap()],
    );
    let t = docx_text(&cert);
    for want in [
        "服务认证证书",
        "SERVICE CERTIFICATION CERTIFICATE",
        "CSC-WB-0117",
        "91510100MA61XY2K3P",
        "GB/T 32312-2015",
        "有效期至 / Valid until",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    let nc = d.join("nc.docx");
    cli_stdout(
        d,
        &[
            "report",
            "nonconformity",
            "--finding",
            "WF-001",
            "--out",
            nc.to_str().unwrap(),
        ],
    );
    let t = docx_text(&nc);
    for want in [
        "不符合项报告 / Nonconformity report",
        "严重不符合 / major",
        "抽查 40 通",
        "受审核方代表确认",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    // No certificate, no document; the file is not written.
    let none = d.join("none.docx");
    let out = cli(d)
        .args([
            "report",
            "certificate",
            "-e",
            "DEMO-S2",
            "--out",
            none.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success() && !none.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("issued no certificate"));
}
