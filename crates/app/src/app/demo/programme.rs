//! The demo's second client: an outsourced contact centre in its
//! surveillance year, so a newcomer sees the certification cycle (stage 1,
//! stage 2 with a major and a minor, rectification with its report, the
//! decision by someone of the body who was not on the team, the
//! certificate, and the surveillance audit carrying the minor).

use super::{Content, days};
use crate::app::{
    ActionUpdate, App, AssessmentInput, FindingMove, Identity, NewAction, NewEngagement, NewFinding, Result,
};
use crate::model::action::ActionStatus;
use crate::model::assessment::AssessmentResult;
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::engagement::{EngagementKind, Outcome, Role};
use crate::model::finding::Grade;
use jiff::civil::Date;

/// The programme's id and its engagements.
pub const PROGRAMME: &str = "P-WAIBAO";
pub const SURVEILLANCE: &str = "WB-SV1";

fn next(id: &str, kind: EngagementKind) -> NewEngagement {
    NewEngagement {
        id: Some(id.into()),
        title: String::new(),
        auditee: String::new(),
        site: String::new(),
        kind,
        period_start: None,
        period_end: None,
    }
}

fn measure(app: &App, e: &str, values: &[(&str, f64, AssessmentResult)]) -> Result<()> {
    for (ind, v, r) in values {
        app.record_assessment(
            e,
            ind,
            AssessmentInput {
                result: Some(*r),
                measured: Some(*v),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// Seed the programme; `today` is the real date (the surveillance audit is this week).
pub(super) fn seed_programme(
    app: &mut App,
    c: &Content,
    today: Date,
    keys: &std::collections::HashMap<String, String>,
) -> Result<()> {
    use AssessmentResult::{Conforming, Nonconforming, Partially};
    let lead = c.lead();
    // This client's second auditor, with a key of her own (her references,
    // WF-…, leave the demo engagement's numbering as it is).
    let auditor = Identity {
        actor: "wang.fang".into(),
        name: "王芳 Wang Fang".into(),
        initials: "WF".into(),
    };
    let auditor_key = super::new_signer(app, &auditor.actor);
    let start = days(today, -420);
    // The body's programme first: its own signed record, naming who
    // decides (its decision maker is on no audit team of it).
    let decider = Identity {
        actor: "chen.bo".into(),
        name: "陈博 Chen Bo".into(),
        initials: "CB".into(),
    };
    super::new_signer(app, &decider.actor);
    app.set_today(start);
    app.act_as(decider.clone());
    app.create_programme(
        PROGRAMME,
        "外包呼叫中心服务认证 / outsourced centre service certification",
        "某外包呼叫中心",
        true,
    )?;
    app.set_client_code(PROGRAMME, "91510100MA61XY2K3P")?;
    // The body's register: a colleague who consulted for this client.
    app.declare_interest(
        PROGRAMME,
        "liu.yang",
        crate::model::body::InterestKind::Consultancy,
        days(today, 300),
        "2024 年为该中心提供 GB/T 32312 咨询 / consulted for the centre in 2024",
    )?;
    app.act_as(lead.clone());

    // Stage 1: the documents.
    app.set_today(start);
    app.create_engagement(
        NewEngagement {
            id: Some("WB-S1".into()),
            title: "外包呼叫中心认证 第一阶段 / Outsourced centre, stage 1".into(),
            auditee: "某外包呼叫中心（服务多家银行）".into(),
            site: "成都".into(),
            kind: EngagementKind::Stage1,
            period_start: None,
            period_end: None,
        },
        &crate::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )?;
    app.set_programme(
        "WB-S1",
        PROGRAMME,
        Some("银行客户服务外包：电话与在线渠道 / outsourced bank customer service"),
    )?;
    app.set_client_kind("WB-S1", crate::model::engagement::ClientKind::Outsourcer)?;
    let lead_cert = c.member.first().and_then(|m| m.certificate.as_deref());
    let lead_key = keys.get(&lead.actor).map(String::as_str);
    app.add_member_keyed(
        "WB-S1",
        &lead.actor,
        &lead.name,
        &lead.initials,
        Role::Lead,
        lead_cert,
        lead_key,
    )?;
    app.add_member_keyed(
        "WB-S1",
        &auditor.actor,
        &auditor.name,
        &auditor.initials,
        Role::Auditor,
        Some("CCAA-2020-SC-31522"),
        Some(&auditor_key),
    )?;
    app.set_today(days(start, 10));
    app.close_engagement("WB-S1")?;

    // Stage 2 on site: a major and a minor, raised by her.
    app.set_today(days(start, 30));
    app.create_following("WB-S1", next("WB-S2", EngagementKind::Stage2))?;
    let s2 = days(start, 29);
    super::body::seed_audit(
        app,
        &super::body::Audit {
            id: "WB-S2",
            criteria: "GB/T 32312-2015《银行业客户服务中心服务评价指标》 / GB/T 32312-2015",
            sites: "成都市高新区 外包呼叫中心 / Chengdu centre",
            mode: crate::model::body::AuditMode::OnSite,
            agents: 320,
            activities: super::body::two_days(s2, &lead.actor, &auditor.actor, "zhang.wei,wang.fang"),
            place: "外包中心 2 号会议室 / meeting room 2",
            attendees: "zhang.wei; wang.fang; auditee:中心总经理 刘强; auditee:质检主管 赵丽",
            first: s2,
            last: days(s2, 1),
        },
    )?;
    app.act_as(auditor.clone());
    measure(
        app,
        "WB-S2",
        &[
            ("AC-02", 74.2, Nonconforming),
            ("AC-01", 91.5, Conforming),
            ("QU-01", 93.1, Partially),
        ],
    )?;
    let major = app.raise_finding(
        "WB-S2",
        NewFinding {
            grade: Grade::Major,
            title: "录音保存期限不足六个月 / recordings kept under six months".into(),
            statement: "抽查 40 通 2024 年 3 月来电，11 通录音已被覆盖".into(),
            criterion: "QU-04".into(),
            indicators: vec!["QU-04".into()],
            evidence_note: String::new(),
            issue: true,
        },
    )?;
    app.raise_finding(
        "WB-S2",
        NewFinding {
            grade: Grade::Minor,
            title: "质检抽样未留痕 / QA samples not traceable".into(),
            statement: "质检抽样清单未保存抽样方法与随机种子".into(),
            criterion: "QU-01".into(),
            indicators: vec!["QU-01".into()],
            evidence_note: String::new(),
            issue: true,
        },
    )?;
    app.act_as(lead.clone());
    app.set_today(days(start, 32));
    app.close_engagement("WB-S2")?;

    // The auditee rectifies the major (recorded by the auditor: the action
    // numbers are hers); she verifies it on site.
    app.act_as(auditor.clone());
    app.set_today(days(start, 45));
    app.move_finding(
        &major.reference,
        FindingMove::Respond {
            root_cause: "录音服务器容量规划按三个月计算".into(),
            correction: "扩容并调整保存策略为十二个月".into(),
        },
    )?;
    let a = app.add_action(
        &major.reference,
        NewAction {
            description: "录音存储扩容，保存策略改为 12 个月并设容量告警".into(),
            owner: "外包中心 IT 主管".into(),
            due: Some(days(start, 70)),
        },
    )?;
    app.move_finding(&major.reference, FindingMove::AcceptPlan)?;
    app.set_today(days(start, 60));
    app.update_action(
        &a.id,
        ActionUpdate {
            status: Some(ActionStatus::Completed),
            ..Default::default()
        },
    )?;
    app.move_finding(&major.reference, FindingMove::Implement)?;

    // Rectification follow-up: the report, the verification, closed.
    app.act_as(lead.clone());
    app.set_today(days(start, 65));
    app.create_following("WB-S2", next("WB-R1", EngagementKind::FollowUp))?;
    let r1 = days(start, 65);
    super::body::seed_audit(
        app,
        &super::body::Audit {
            id: "WB-R1",
            criteria: "GB/T 32312-2015；第二阶段审核不符合项 / stage-2 nonconformities",
            sites: "成都市高新区 外包呼叫中心 / Chengdu centre",
            mode: crate::model::body::AuditMode::Remote,
            agents: 320,
            activities: vec![(
                r1,
                "10:00",
                "11:30",
                "远程验证整改证据 / remote verification of the rectification",
                "zhang.wei,wang.fang",
            )],
            place: "视频会议 / video conference",
            attendees: "zhang.wei@remote; wang.fang@remote; auditee:中心总经理 刘强@remote",
            first: r1,
            last: r1,
        },
    )?;
    app.attach_evidence_bytes(
        "WB-R1",
        "整改报告-rectification-report.txt",
        "整改报告：录音存储已扩容至 12 个月，附配置截图与抽查记录。\nRectification report: recordings now kept 12 months.\n".as_bytes(),
        "受审核方整改报告 / the auditee's rectification report",
        None,
        None,
    )?;
    app.act_as(auditor.clone());
    app.verify_action(&a.id, true, "现场抽查 20 通 12 个月前录音均可调取")?;
    app.move_finding(&major.reference, FindingMove::Verify)?;
    app.move_finding(&major.reference, FindingMove::Close)?;
    app.act_as(lead.clone());
    app.close_engagement("WB-R1")?;

    // The decision, by the body's decision maker (registered so that their
    // signed decision syncs; not an auditor of any team of the programme).
    app.set_today(days(start, 75));
    app.act_as(decider);
    app.technical_review(
        "WB-R1",
        "审核报告、不符合项及整改证据已评审，审核组成员资格符合要求 / report, findings, rectification evidence and team reviewed",
    )?;
    app.decide(
        "WB-R1",
        Outcome::Certify,
        Some("CSC-WB-0117"),
        3,
        "整改报告已审阅 / rectification report reviewed",
    )?;

    // Surveillance this week: the minor is carried, last year's values beside the checklist.
    app.act_as(lead.clone());
    app.set_today(days(today, -3));
    app.create_following("WB-R1", next(SURVEILLANCE, EngagementKind::Surveillance))?;
    measure(
        app,
        SURVEILLANCE,
        &[("AC-02", 81.6, Conforming), ("AC-01", 93.4, Conforming)],
    )?;
    Ok(())
}
