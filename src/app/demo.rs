//! The demo engagement: a stage-2 audit of a bank's customer-service centre,
//! seeded through the same use cases a user calls, so it exercises the real
//! rules. Dates are relative to today so that some actions are overdue, some
//! due this week and some verified whenever the demo is opened.

use super::{ActionUpdate, App, AssessmentInput, FindingMove, Identity, NewAction, NewEngagement, NewFinding, Result};
use crate::model::action::ActionStatus;
use crate::model::assessment::{AssessmentResult, Workflow};
use crate::model::catalog::{Catalog, EMBEDDED_GBT32312};
use crate::model::engagement::{EngagementKind, Role};
use crate::model::finding::{FindingStatus, Grade};
use jiff::ToSpan;
use jiff::civil::Date;

pub const DEMO_ENGAGEMENT: &str = "DEMO-S2";

/// What `seed` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    Created,
    AlreadyPresent,
}

struct Auditor {
    actor: &'static str,
    name: &'static str,
    initials: &'static str,
    role: Role,
    cert: Option<&'static str>,
}

const TEAM: [Auditor; 3] = [
    Auditor {
        actor: "zhang.wei",
        name: "张伟 Zhang Wei",
        initials: "ZW",
        role: Role::Lead,
        cert: Some("CCAA-2019-SC-10234"),
    },
    Auditor {
        actor: "li.min",
        name: "李敏 Li Min",
        initials: "LM",
        role: Role::Auditor,
        cert: Some("CCAA-2021-SC-20987"),
    },
    Auditor {
        actor: "wang.lei",
        name: "王磊 Wang Lei",
        initials: "WL",
        role: Role::Auditor,
        cert: None,
    },
];

fn who(i: usize) -> Identity {
    let a = &TEAM[i];
    Identity {
        actor: a.actor.into(),
        name: a.name.into(),
        initials: a.initials.into(),
    }
}

/// (indicator, result, measured value, notes, assignee index)
const ASSESSMENTS: &[(&str, AssessmentResult, Option<f64>, &str, usize)] = &[
    (
        "CH-01",
        AssessmentResult::Conforming,
        Some(6.0),
        "电话、在线文字、手机银行、微信、短信、视频 / six channels live",
        2,
    ),
    (
        "CH-02",
        AssessmentResult::Conforming,
        Some(1.0),
        "7×24 人工服务，节假日排班完整 / 24×7 human service incl. holidays",
        2,
    ),
    (
        "ST-01",
        AssessmentResult::Partially,
        Some(93.5),
        "夜班人力低于预测 6.5% / night shift 6.5% under forecast",
        1,
    ),
    (
        "ST-02",
        AssessmentResult::Conforming,
        Some(86.0),
        "人均年培训 86 小时 / 86 training hours per CSR a year",
        1,
    ),
    (
        "ST-03",
        AssessmentResult::Nonconforming,
        Some(97.2),
        "4 名座席无上岗资格 / 4 CSRs serving without qualification",
        1,
    ),
    (
        "ST-04",
        AssessmentResult::Conforming,
        Some(18.4),
        "年流失率 18.4% / yearly attrition 18.4%",
        1,
    ),
    ("OP-01", AssessmentResult::Conforming, Some(84.1), "", 0),
    ("OP-02", AssessmentResult::Conforming, Some(91.3), "", 0),
    (
        "OP-03",
        AssessmentResult::Conforming,
        Some(262.0),
        "AHT 262 秒 / 262 s",
        0,
    ),
    (
        "OP-04",
        AssessmentResult::Partially,
        Some(58.0),
        "话后处理 58 秒，高于行内目标 45 秒 / ACW 58 s against an internal 45 s",
        0,
    ),
    (
        "AC-01",
        AssessmentResult::Conforming,
        Some(93.8),
        "由 ACD 话单复算 / recomputed from ACD records",
        0,
    ),
    (
        "AC-02",
        AssessmentResult::Nonconforming,
        Some(61.4),
        "SL-neg, T=20 s, 由话单复算；银行报告值 82% / bank reported 82%",
        0,
    ),
    (
        "AC-03",
        AssessmentResult::Nonconforming,
        Some(24.3),
        "ASA 24.3 秒 / 24.3 s over all answered calls",
        0,
    ),
    (
        "AC-04",
        AssessmentResult::Partially,
        Some(7.9),
        "未说明是否剔除 5 秒内放弃 / short-abandon rule not stated",
        0,
    ),
    ("TR-01", AssessmentResult::Conforming, Some(99.95), "", 2),
    (
        "TR-02",
        AssessmentResult::Partially,
        Some(82.0),
        "18% 的产品变更晚于上线 / 18% of updates after launch",
        2,
    ),
    ("TR-03", AssessmentResult::Conforming, Some(41.0), "", 2),
    (
        "TR-04",
        AssessmentResult::Nonconforming,
        Some(0.0),
        "质检系统存在共享账号 / shared accounts on the QA system",
        1,
    ),
    (
        "TR-05",
        AssessmentResult::Nonconforming,
        Some(0.0),
        "本年度未开展灾备切换演练 / no failover drill this year",
        1,
    ),
    (
        "PE-01",
        AssessmentResult::Conforming,
        Some(98.6),
        "前两项满意占比 / top-two-box share",
        1,
    ),
    (
        "PE-02",
        AssessmentResult::Conforming,
        Some(1.9),
        "每万次服务投诉 1.9 件 / 1.9 per 10,000 contacts",
        1,
    ),
    ("PE-03", AssessmentResult::Partially, Some(88.0), "", 1),
    ("QU-01", AssessmentResult::Partially, Some(95.2), "", 0),
    (
        "QU-02",
        AssessmentResult::NotApplicable,
        None,
        "本期无可复核的重复来电数据 / no repeat-contact data this period",
        0,
    ),
];

struct ActionSpec {
    description: &'static str,
    owner: &'static str,
    /// Due date relative to today (negative: in the past).
    due: i32,
    state: ActionStatus,
    progress: u8,
}

struct FindingSpec {
    author: usize,
    grade: Grade,
    indicator: &'static str,
    title: &'static str,
    statement: &'static str,
    criterion: &'static str,
    target: FindingStatus,
    actions: &'static [ActionSpec],
}

const fn act(
    description: &'static str,
    owner: &'static str,
    due: i32,
    state: ActionStatus,
    progress: u8,
) -> ActionSpec {
    ActionSpec {
        description,
        owner,
        due,
        state,
        progress,
    }
}

use ActionStatus::{Completed as Done, Effective as Ok_, InProgress as Doing, Ineffective as Bad, Planned as Plan};

const OPS: &str = "陈静 Chen Jing (运营部)";
const IT: &str = "刘洋 Liu Yang (信息技术部)";
const QA: &str = "赵丽 Zhao Li (质量管理部)";
const HR: &str = "孙强 Sun Qiang (人力资源部)";
const RISK: &str = "周敏 Zhou Min (风险合规部)";

const FINDINGS: &[FindingSpec] = &[
    FindingSpec {
        author: 0,
        grade: Grade::Major,
        indicator: "AC-02",
        title: "20秒服务水平 61.4%，远低于 80% 目标 / 20-second service level 61.4% against an 80% target",
        statement: "由 2026 年第三季度 ACD 话单复算，SL-neg（T=20 秒）为 61.4%；银行月报按仅计接听口径报告为 82%。 / Recomputed from Q3 ACD records, SL-neg (T=20 s) is 61.4%; the bank's monthly report states 82% on an answered-only basis.",
        criterion: "指标 AC-02：20 秒服务水平 ≥ 80%，口径须说明放弃呼叫处理 / Indicator AC-02: 20-second service level ≥ 80%, stating how abandons count",
        target: FindingStatus::PlanAccepted,
        actions: &[
            act(
                "按预测补充晚高峰排班 12 人 / add 12 agents to the evening peak per forecast",
                OPS,
                -9,
                Doing,
                40,
            ),
            act(
                "月报统一采用 SL-neg 口径并注明参数 / report SL-neg with parameters in the monthly report",
                QA,
                3,
                Plan,
                0,
            ),
            act(
                "上线实时队列预警看板 / deploy a live queue alert board",
                IT,
                -20,
                Ok_,
                100,
            ),
        ],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Major,
        indicator: "QU-04",
        title: "抽样 60 通中 3 通无录音 / 3 of 60 sampled calls have no recording",
        statement: "按 cscaudit sample draw（种子 20260915）抽取 60 通，其中 3 通录音系统无文件。 / Of 60 calls drawn (seed 20260915), 3 have no file in the recording system.",
        criterion: "指标 QU-04：录音完整率 100% / Indicator QU-04: call-recording completeness 100%",
        target: FindingStatus::Verified,
        actions: &[
            act(
                "修复录音服务器磁盘告警与自动切换 / fix disk alerts and failover on the recording server",
                IT,
                -30,
                Ok_,
                100,
            ),
            act(
                "每日录音完整性核对报表 / daily recording completeness reconciliation",
                QA,
                -25,
                Ok_,
                100,
            ),
            act(
                "补充录音系统巡检制度 / add recording-system checks to the daily routine",
                IT,
                -22,
                Ok_,
                100,
            ),
        ],
    },
    FindingSpec {
        author: 0,
        grade: Grade::Major,
        indicator: "TR-04",
        title: "质检系统存在 5 个共享账号 / five shared accounts on the QA system",
        statement: "质检系统 5 个账号由多人共用，无法追溯调听录音的人员。 / Five QA-system accounts are shared, so who played back a recording cannot be traced.",
        criterion: "指标 TR-04：客户信息安全控制，访问可追溯到个人 / Indicator TR-04: access traceable to a person",
        target: FindingStatus::PlanAccepted,
        actions: &[
            act(
                "注销共享账号并按人开通 / close shared accounts and issue personal ones",
                IT,
                -5,
                Done,
                100,
            ),
            act(
                "录音调听日志每月复核 / monthly review of playback logs",
                RISK,
                -2,
                Plan,
                0,
            ),
            act(
                "权限管理制度修订 / revise the access-management policy",
                RISK,
                20,
                Doing,
                30,
            ),
            act(
                "全员信息安全培训 / information-security training for all staff",
                HR,
                12,
                Doing,
                60,
            ),
        ],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Minor,
        indicator: "AC-03",
        title: "平均应答速度 24.3 秒，高于 15 秒目标 / ASA 24.3 s against a 15 s target",
        statement: "全部接听呼叫的平均等待为 24.3 秒。 / Mean wait over all answered calls is 24.3 s.",
        criterion: "指标 AC-03：ASA ≤ 15 秒（术语 2.4）/ Indicator AC-03: ASA ≤ 15 s (term 2.4)",
        target: FindingStatus::Responded,
        actions: &[
            act("优化 IVR 转人工路由 / streamline IVR-to-agent routing", IT, 5, Plan, 0),
            act(
                "高峰时段弹性排班试点 / pilot flexible peak scheduling",
                OPS,
                28,
                Plan,
                0,
            ),
        ],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Minor,
        indicator: "ST-03",
        title: "4 名座席未取得上岗资格即接线 / four CSRs served customers before qualifying",
        statement: "花名册与资格台账比对，4 名新员工无上岗考试记录。 / Comparing roster and register, four new staff have no qualification exam record.",
        criterion: "指标 ST-03：上岗资格合格率 100% / Indicator ST-03: qualification rate 100%",
        target: FindingStatus::Closed,
        actions: &[
            act("4 人补考并取得资格 / the four sit and pass the exam", HR, -40, Ok_, 100),
            act(
                "排班系统校验资格状态 / rostering checks qualification status",
                IT,
                -35,
                Ok_,
                100,
            ),
            act(
                "入职流程增加资格核查节点 / add a qualification check to onboarding",
                HR,
                -33,
                Ok_,
                100,
            ),
        ],
    },
    FindingSpec {
        author: 0,
        grade: Grade::Minor,
        indicator: "TR-05",
        title: "本年度未开展灾备切换演练 / no failover drill this year",
        statement: "应急预案要求每年演练，最近一次为去年 11 月。 / The plan requires a yearly drill; the last was in November last year.",
        criterion: "指标 TR-05：应急预案与演练 / Indicator TR-05: contingency plans and drills",
        target: FindingStatus::PlanAccepted,
        actions: &[
            act("组织灾备切换演练 / run the failover drill", IT, -12, Doing, 70),
            act("演练总结与预案修订 / drill review and plan revision", RISK, 25, Plan, 0),
            act(
                "演练计划纳入年度计划 / put drills in the annual plan",
                RISK,
                -15,
                Ok_,
                100,
            ),
        ],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Minor,
        indicator: "PE-03",
        title: "12% 的投诉超过 5 个工作日办结 / 12% of complaints resolved after five working days",
        statement: "抽查 50 件投诉，6 件办结超时。 / Of 50 complaints sampled, six were resolved late.",
        criterion: "指标 PE-03：投诉处理及时率 / Indicator PE-03: complaint handling timeliness",
        target: FindingStatus::Issued,
        actions: &[],
    },
    FindingSpec {
        author: 2,
        grade: Grade::Minor,
        indicator: "TR-02",
        title: "知识库更新滞后于产品上线 / knowledge base updated after product launches",
        statement: "11 项产品变更中 2 项在上线后 3 天才更新知识库。 / Two of 11 product changes reached the knowledge base three days after launch.",
        criterion: "指标 TR-02：知识库更新及时率 / Indicator TR-02: knowledge-base update timeliness",
        target: FindingStatus::PlanAccepted,
        actions: &[
            act(
                "产品上线前知识库会签 / knowledge-base sign-off before launch",
                OPS,
                -18,
                Ok_,
                100,
            ),
            act(
                "知识库变更时效月报 / monthly report on update timeliness",
                QA,
                6,
                Doing,
                50,
            ),
            act(
                "知识库编辑岗位 AB 角 / a deputy for the knowledge-base editor",
                HR,
                40,
                Plan,
                0,
            ),
        ],
    },
    FindingSpec {
        author: 0,
        grade: Grade::Minor,
        indicator: "OP-04",
        title: "话后处理时长 58 秒，高于行内目标 / ACW 58 s above the internal target",
        statement: "话单显示话后处理均值 58 秒，行内目标 45 秒。 / Records show mean ACW of 58 s against an internal 45 s.",
        criterion: "指标 OP-04：话后处理时长（术语 2.3）/ Indicator OP-04: after-call work (term 2.3)",
        target: FindingStatus::Implemented,
        actions: &[
            act("工单模板预填 / prefill ticket templates", IT, -6, Done, 100),
            act("话后处理规范培训 / ACW practice training", HR, -4, Done, 100),
        ],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Minor,
        indicator: "QU-01",
        title: "质检抽样非随机 / QA samples not drawn at random",
        statement: "质检员自行挑选录音，无抽样方法与种子记录。 / QA staff pick recordings themselves; no method or seed is recorded.",
        criterion: "指标 QU-01：质检合格率，抽样须可复现 / Indicator QU-01: QA pass rate on a reproducible sample",
        target: FindingStatus::PlanAccepted,
        actions: &[
            act("采用带种子的随机抽样 / seeded random sampling", QA, -3, Bad, 60),
            act(
                "抽样方案写入质检制度 / write the sampling plan into the QA policy",
                QA,
                15,
                Doing,
                20,
            ),
        ],
    },
    FindingSpec {
        author: 2,
        grade: Grade::Observation,
        indicator: "AC-04",
        title: "放弃率口径未说明短时放弃 / abandonment rate does not state the short-abandon rule",
        statement: "报表未说明是否剔除 5 秒内放弃。 / Reports do not say whether abandons within 5 s are excluded.",
        criterion: "指标 AC-04 / Indicator AC-04",
        target: FindingStatus::Issued,
        actions: &[],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Observation,
        indicator: "PE-01",
        title: "满意度以均分报告 / satisfaction reported as a mean score",
        statement: "满意度月报使用 5 分制均分，而非前两项占比。 / The report uses the mean of a 5-point scale, not the top-two-box share.",
        criterion: "指标 PE-01：客户满意度（术语 2.5）/ Indicator PE-01 (term 2.5)",
        target: FindingStatus::Closed,
        actions: &[],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Improvement,
        indicator: "TR-03",
        title: "智能客服可覆盖信用卡账单查询 / the chatbot could handle card-statement queries",
        statement: "信用卡账单查询占人工话务 9%。 / Card-statement queries are 9% of agent calls.",
        criterion: "指标 TR-03 / Indicator TR-03",
        target: FindingStatus::Draft,
        actions: &[],
    },
    FindingSpec {
        author: 0,
        grade: Grade::Improvement,
        indicator: "CH-01",
        title: "视频客服可延伸至老年客户 / video service could reach elderly customers",
        statement: "视频渠道仅在手机银行内提供。 / Video service is offered only inside the mobile app.",
        criterion: "指标 CH-01 / Indicator CH-01",
        target: FindingStatus::Issued,
        actions: &[],
    },
    FindingSpec {
        author: 1,
        grade: Grade::Minor,
        indicator: "PE-02",
        title: "投诉率口径遗漏在线渠道 / complaint rate leaves out online channels",
        statement: "投诉率分母只计电话进线，未计在线文字与手机银行。 / The complaint-rate denominator counts phone calls only, not chat or app contacts.",
        criterion: "指标 PE-02：客户投诉率（每万次服务）/ Indicator PE-02: complaints per 10,000 contacts",
        target: FindingStatus::Reopened,
        actions: &[act(
            "投诉率按全渠道口径重算 / recompute the rate over all channels",
            QA,
            -20,
            Ok_,
            100,
        )],
    },
    FindingSpec {
        author: 2,
        grade: Grade::Minor,
        indicator: "ST-01",
        title: "夜班人力低于预测 / night shift below forecast",
        statement: "经核实为统计口径差异，已撤回。 / Found to be a counting difference; withdrawn.",
        criterion: "指标 ST-01 / Indicator ST-01",
        target: FindingStatus::Withdrawn,
        actions: &[],
    },
];

fn days(d: Date, n: i32) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

/// Seed the demo engagement (once). Leaves the database's identity as the lead.
pub fn seed(app: &mut App) -> Result<Seeded> {
    if app.engagements()?.iter().any(|e| e.id == DEMO_ENGAGEMENT) {
        return Ok(Seeded::AlreadyPresent);
    }
    let real_today = app.today();
    let on_site = days(real_today, -66);
    let lead = who(0);
    app.identity = lead.clone();
    app.set_today(days(on_site, -14));
    let cat = Catalog::embedded();
    app.create_engagement(
        NewEngagement {
            id: Some(DEMO_ENGAGEMENT.into()),
            title: "某银行客户服务中心 第二阶段审核 / Stage-2 audit, bank customer-service centre".into(),
            auditee: "示范银行股份有限公司 客户服务中心 / Demo Bank Co., Ltd. Customer Service Centre".into(),
            site: "上海市浦东新区 / Pudong, Shanghai".into(),
            kind: EngagementKind::Stage2,
            period_start: Some(days(on_site, -120)),
            period_end: Some(days(on_site, -29)),
        },
        &cat,
        EMBEDDED_GBT32312,
    )?;
    for a in &TEAM {
        app.add_member(DEMO_ENGAGEMENT, a.actor, a.name, a.initials, a.role, a.cert)?;
    }
    app.add_member(
        DEMO_ENGAGEMENT,
        "chen.jing",
        "陈静 Chen Jing",
        "CJ",
        Role::AuditeeContact,
        None,
    )?;

    // Checklist: assigned, then assessed on site by the assignee.
    app.set_today(on_site);
    for (ind, result, measured, notes, who_idx) in ASSESSMENTS {
        app.identity = lead.clone();
        app.assign_indicator(DEMO_ENGAGEMENT, ind, Some(TEAM[*who_idx].actor))?;
        app.identity = who(*who_idx);
        let done = matches!(result, AssessmentResult::Conforming | AssessmentResult::NotApplicable);
        app.record_assessment(
            DEMO_ENGAGEMENT,
            ind,
            AssessmentInput {
                result: Some(*result),
                measured: *measured,
                method: measured.map(|_| "现场核查 / on-site check".to_string()),
                notes: Some((*notes).to_string()),
                workflow: Some(if done { Workflow::Done } else { Workflow::InReview }),
                ..Default::default()
            },
        )?;
    }
    app.identity = lead.clone();
    for ind in ["QU-02", "QU-03", "OP-02"] {
        app.assign_indicator(DEMO_ENGAGEMENT, ind, Some("wang.lei"))?;
    }
    app.attach_evidence_bytes(
        DEMO_ENGAGEMENT,
        "acd-q3-sl-recomputation.txt",
        "ACD Q3: offered 412,118; answered 379,302; answered ≤20 s 253,040; SL-neg 61.4%\n".as_bytes(),
        "由 ACD 话单复算 / recomputed from ACD records",
        Some("AC-02"),
        None,
    )?;

    for spec in FINDINGS {
        seed_finding(app, spec, on_site, real_today)?;
    }
    app.set_today(real_today);
    app.set_identity(&lead.actor, &lead.name, &lead.initials)?;
    Ok(Seeded::Created)
}

fn seed_finding(app: &mut App, spec: &FindingSpec, on_site: Date, real_today: Date) -> Result<()> {
    use FindingStatus as S;
    let author = who(spec.author);
    let lead = who(0);
    app.set_today(on_site);
    app.identity = author;
    let f = app.raise_finding(
        DEMO_ENGAGEMENT,
        NewFinding {
            grade: spec.grade,
            title: spec.title.into(),
            statement: spec.statement.into(),
            criterion: spec.criterion.into(),
            indicators: vec![spec.indicator.into()],
            evidence_note: String::new(),
            issue: spec.target != S::Draft,
        },
    )?;
    let r = f.reference.clone();
    let reached = |s: S| -> bool {
        let order = [
            S::Issued,
            S::Responded,
            S::PlanAccepted,
            S::Implemented,
            S::Verified,
            S::Closed,
        ];
        let pos = |x: S| order.iter().position(|o| *o == x);
        // A reopened minor first goes as far as an accepted plan (then closes and reopens).
        let target = if spec.target == S::Reopened {
            S::PlanAccepted
        } else {
            spec.target
        };
        matches!((pos(target), pos(s)), (Some(t), Some(p)) if t >= p)
    };
    if spec.target == S::Withdrawn {
        app.identity = lead;
        app.move_finding(
            &r,
            FindingMove::Withdraw {
                reason: "统计口径差异 / counting difference".into(),
            },
        )?;
        return Ok(());
    }
    if !spec.grade.is_nonconformity() {
        if spec.target == S::Closed {
            app.set_today(days(on_site, 2));
            app.identity = lead;
            app.move_finding(&r, FindingMove::Close)?;
        }
        return Ok(());
    }
    if !reached(S::Responded) {
        return Ok(());
    }
    app.set_today(days(on_site, 20));
    app.identity = lead.clone();
    app.move_finding(
        &r,
        FindingMove::Respond {
            root_cause: "见整改报告 / see the corrective-action report".into(),
            correction: "已采取临时纠正 / immediate correction taken".into(),
        },
    )?;
    let mut ids = Vec::new();
    for a in spec.actions {
        let added = app.add_action(
            &r,
            NewAction {
                description: a.description.into(),
                owner: a.owner.into(),
                due: Some(days(real_today, a.due)),
            },
        )?;
        ids.push(added.id);
    }
    if !reached(S::PlanAccepted) {
        return Ok(());
    }
    app.set_today(days(on_site, 24));
    app.move_finding(&r, FindingMove::AcceptPlan)?;
    for (a, id) in spec.actions.iter().zip(&ids) {
        drive_action(app, id, a, real_today)?;
    }
    app.identity = lead.clone();
    if reached(S::Implemented) {
        app.set_today(days(real_today, -3));
        app.move_finding(&r, FindingMove::Implement)?;
    }
    if reached(S::Verified) {
        app.set_today(days(real_today, -2));
        app.move_finding(&r, FindingMove::Verify)?;
    }
    if reached(S::Closed) {
        app.set_today(days(real_today, -1));
        app.move_finding(&r, FindingMove::Close)?;
    }
    if spec.target == S::Reopened {
        // A minor closed on its accepted plan, reopened when the next check failed.
        app.set_today(days(real_today, -10));
        app.move_finding(&r, FindingMove::Close)?;
        app.set_today(days(real_today, -4));
        app.move_finding(
            &r,
            FindingMove::Reopen {
                reason: "复核发现 11 月仍按旧口径 / November still used the old basis".into(),
            },
        )?;
    }
    Ok(())
}

fn drive_action(app: &mut App, id: &str, spec: &ActionSpec, real_today: Date) -> Result<()> {
    let lead = who(0);
    let verifier = who(1);
    let step = |app: &mut App, status: Option<ActionStatus>, progress: Option<u8>, evidence: Option<&str>| {
        app.identity = lead.clone();
        app.update_action(
            id,
            ActionUpdate {
                status,
                progress,
                completion_evidence: evidence.map(str::to_string),
                ..Default::default()
            },
        )
    };
    let done_on = days(real_today, spec.due.min(-1) - 2);
    match spec.state {
        ActionStatus::Planned | ActionStatus::Cancelled => {}
        ActionStatus::InProgress => {
            step(app, Some(ActionStatus::InProgress), Some(spec.progress), None)?;
        }
        ActionStatus::Completed | ActionStatus::Effective | ActionStatus::Ineffective => {
            step(app, Some(ActionStatus::InProgress), Some(50), None)?;
            app.set_today(done_on);
            step(
                app,
                Some(ActionStatus::Completed),
                None,
                Some("整改记录与截图已上传 / records and screenshots provided"),
            )?;
            if spec.state != ActionStatus::Completed {
                app.identity = verifier;
                app.set_today(days(done_on, 1));
                let effective = spec.state == ActionStatus::Effective;
                app.verify_action(
                    id,
                    effective,
                    if effective {
                        "现场抽查有效 / spot check on site: effective"
                    } else {
                        "复查仍有人工挑选 / still hand-picked on re-check"
                    },
                )?;
                if !effective {
                    step(app, Some(ActionStatus::InProgress), Some(spec.progress), None)?;
                }
            }
        }
    }
    Ok(())
}

pub const SCALE_ENGAGEMENT: &str = "DEMO-SCALE";

/// Generate `n` synthetic findings (and n/5 corrective actions) in their own
/// engagement, committed in batches: a database for performance work. Returns
/// the engagement id. Calling it again adds nothing if the engagement exists.
pub fn seed_scale(app: &App, n: u64, progress: &mut dyn FnMut(u64)) -> Result<String> {
    use super::{create, link, set};
    use crate::model::fields::{ActionField as AF, FindingField as FF, Rel};
    use crate::model::ops::{EntityId, Kind, Value};
    if app.engagements()?.iter().any(|e| e.id == SCALE_ENGAGEMENT) {
        return Ok(SCALE_ENGAGEMENT.into());
    }
    let cat = Catalog::embedded();
    app.create_engagement(
        NewEngagement {
            id: Some(SCALE_ENGAGEMENT.into()),
            title: "规模测试 / Scale test".into(),
            auditee: "示范银行 / Demo Bank".into(),
            site: String::new(),
            kind: EngagementKind::SelfAssessment,
            period_start: None,
            period_end: None,
        },
        &cat,
        EMBEDDED_GBT32312,
    )?;
    let today = app.today();
    let titles = [
        "录音缺失 / recording missing",
        "服务水平未达标 / service level below target",
        "投诉超时办结 / complaint resolved late",
        "知识库更新滞后 / knowledge base out of date",
        "质检抽样不随机 / QA sample not random",
        "权限未及时回收 / access not revoked in time",
    ];
    let owners = [
        "陈静 Chen Jing",
        "刘洋 Liu Yang",
        "赵丽 Zhao Li",
        "孙强 Sun Qiang",
        "周敏 Zhou Min",
    ];
    let statuses = [
        FindingStatus::Issued,
        FindingStatus::Responded,
        FindingStatus::PlanAccepted,
        FindingStatus::Implemented,
        FindingStatus::Verified,
        FindingStatus::Closed,
    ];
    let batch = 1000u64;
    let mut done = 0;
    while done < n {
        let mut drafts = Vec::new();
        for i in done..(done + batch).min(n) {
            let r = format!("SG-{:06}", i + 1);
            let e = EntityId::new(Kind::Finding, &r);
            let grade = Grade::ALL[(i % 4) as usize];
            let status = statuses[(i % statuses.len() as u64) as usize];
            let issued = days(today, -((i % 200) as i32));
            let (resp, close) = app.policy.due_dates(grade, issued);
            let ind = &cat.indicators[(i % cat.indicators.len() as u64) as usize].id;
            drafts.push(create(&e));
            drafts.push(set(&e, None, FF::Engagement, SCALE_ENGAGEMENT));
            drafts.push(set(&e, None, FF::Grade, grade.as_str()));
            drafts.push(set(
                &e,
                None,
                FF::Title,
                format!("{} #{}", titles[(i % titles.len() as u64) as usize], i + 1),
            ));
            drafts.push(set(&e, None, FF::Statement, "合成数据 / synthetic"));
            drafts.push(set(&e, None, FF::RaisedBy, "zhang.wei"));
            drafts.push(set(&e, None, FF::RaisedOn, issued));
            drafts.push(set(&e, None, FF::IssuedOn, issued));
            drafts.push(set(&e, None, FF::ResponseDue, resp));
            drafts.push(set(&e, None, FF::ClosureDue, close));
            drafts.push(set(&e, None, FF::Status, status.as_str()));
            drafts.push(link(&e, Rel::Indicator, ind));
            if i % 5 == 0 {
                let a = EntityId::new(Kind::Action, format!("SG-CA{:06}", i / 5 + 1));
                let st = ActionStatus::ALL[((i / 5) % 5) as usize];
                drafts.push(create(&a));
                drafts.push(set(&a, None, AF::Engagement, SCALE_ENGAGEMENT));
                drafts.push(set(&a, None, AF::Finding, r.clone()));
                drafts.push(set(&a, None, AF::Description, "整改措施 / corrective action"));
                drafts.push(set(&a, None, AF::Owner, owners[((i / 5) % 5) as usize]));
                drafts.push(set(&a, None, AF::Due, days(today, ((i % 120) as i32) - 60)));
                drafts.push(set(&a, None, AF::Status, st.as_str()));
                drafts.push(set(&a, None, AF::Progress, Value::Int(((i * 7) % 101) as i64)));
            }
        }
        app.commit(drafts)?;
        done = (done + batch).min(n);
        progress(done);
    }
    Ok(SCALE_ENGAGEMENT.into())
}
