//! The demo's third client: a fintech company's remote-banking service
//! centre doing its self-assessment now, with a plan (scope, objectives,
//! who does what, five milestones) half way through and one milestone late,
//! so a newcomer sees the plan's timeline on the dashboard.

use super::days;
use crate::app::{App, AssessmentInput, Identity, MilestoneUpdate, NewEngagement, Result};
use crate::model::assessment::AssessmentResult;
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::engagement::{ClientKind, EngagementKind, Role};
use jiff::civil::Date;

/// The programme and its self-assessment.
pub const PROGRAMME: &str = "P-FINTECH";
pub const SELF_ASSESSMENT: &str = "FT-SA";

fn person(actor: &str, name: &str, initials: &str) -> Identity {
    Identity {
        actor: actor.into(),
        name: name.into(),
        initials: initials.into(),
    }
}

/// Seed it; `today` is the real date (the plan started 50 days ago).
pub(super) fn seed_self_assessment(app: &mut App, today: Date) -> Result<()> {
    let lead = person("liu.yang", "刘洋 Liu Yang", "LY");
    let analyst = person("zhou.min", "周敏 Zhou Min", "ZM");
    let keys = [
        super::new_signer(app, &lead.actor),
        super::new_signer(app, &analyst.actor),
    ];
    let start = days(today, -50);
    app.act_as(lead.clone());
    app.set_today(start);
    app.create_engagement(
        NewEngagement {
            id: Some(SELF_ASSESSMENT.into()),
            title: "远程银行服务中心 自评估 / Remote-banking centre self-assessment".into(),
            auditee: "某金融科技公司 远程银行服务中心 / Fintech Co. remote-banking service centre".into(),
            site: "杭州 / Hangzhou".into(),
            kind: EngagementKind::SelfAssessment,
            period_start: Some(days(start, -92)),
            period_end: Some(days(start, -1)),
        },
        &crate::config::embedded_catalog(),
        EMBEDDED_GBT32312,
    )?;
    app.set_programme(
        SELF_ASSESSMENT,
        PROGRAMME,
        Some("远程银行：视频与在线客服 / remote banking: video and online service"),
    )?;
    app.set_client_kind(SELF_ASSESSMENT, ClientKind::Fintech)?;
    app.add_member_keyed(
        SELF_ASSESSMENT,
        &lead.actor,
        &lead.name,
        &lead.initials,
        Role::Lead,
        None,
        Some(&keys[0]),
    )?;
    app.add_member_keyed(
        SELF_ASSESSMENT,
        &analyst.actor,
        &analyst.name,
        &analyst.initials,
        Role::Auditor,
        None,
        Some(&keys[1]),
    )?;
    app.set_plan_text(
        SELF_ASSESSMENT,
        None,
        Some("申请认证前对照 GB/T 32312 找出差距并制定改进计划 / find the gaps against GB/T 32312 and plan improvements before applying for certification"),
    )?;
    app.set_responsibilities(
        SELF_ASSESSMENT,
        &lead.actor,
        "总体协调、差距评估 / coordination, gap assessment",
    )?;
    app.set_responsibilities(
        SELF_ASSESSMENT,
        &analyst.actor,
        "话单、质检与满意度数据 / call, QA and satisfaction data",
    )?;
    let ms = app.standard_plan(SELF_ASSESSMENT, start, &lead.actor)?;
    // Who does each step: the analyst collects the data.
    app.update_milestone(
        &ms[2].id,
        MilestoneUpdate {
            owner: Some(analyst.actor.clone()),
            ..Default::default()
        },
    )?;
    app.set_today(days(start, 13));
    app.update_milestone(
        &ms[0].id,
        MilestoneUpdate {
            done_on: Some(days(start, 12)),
            ..Default::default()
        },
    )?;
    app.set_today(days(start, 20));
    app.update_milestone(
        &ms[1].id,
        MilestoneUpdate {
            done_on: Some(days(start, 20)),
            ..Default::default()
        },
    )?;
    // The data collection runs late: 70% two days past its due date.
    app.act_as(analyst.clone());
    app.set_today(days(today, -1));
    app.update_milestone(
        &ms[2].id,
        MilestoneUpdate {
            progress: Some(70),
            notes: Some("满意度回访数据待供应商导出 / satisfaction call-backs await the vendor's export".into()),
            ..Default::default()
        },
    )?;
    for (ind, v, r) in [
        ("AC-01", 95.2, AssessmentResult::Conforming),
        ("AC-02", 83.0, AssessmentResult::Conforming),
        ("CH-01", 4.0, AssessmentResult::Conforming),
    ] {
        app.record_assessment(
            SELF_ASSESSMENT,
            ind,
            AssessmentInput {
                result: Some(r),
                measured: Some(v),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}
