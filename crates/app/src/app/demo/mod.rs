//! The demo engagement, seeded through the same use cases a user calls, so it
//! exercises the real rules. Its content (team, assessments, findings,
//! actions, measured values, the texts of `--scale`) is data in
//! `content.toml`, embedded; this module only walks it through the lifecycle.

mod body;
mod programme;
mod scale;
mod selfassess;
mod sources;

pub use programme::{PROGRAMME, SURVEILLANCE};
pub use scale::{PORTFOLIO_FINDINGS, SCALE_ENGAGEMENT, portfolio_engagement, seed_portfolio, seed_scale};
pub use selfassess::SELF_ASSESSMENT;

use super::{
    ActionUpdate, App, AppError, AssessmentInput, FindingMove, Identity, NewAction, NewEngagement, NewFinding, Result,
};
use crate::model::action::ActionStatus;
use crate::model::assessment::{AssessmentResult, Workflow};
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::engagement::{EngagementKind, Role};
use crate::model::finding::{FindingStatus, Grade};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use std::sync::OnceLock;

/// The demo's content, embedded in the binary.
pub const CONTENT: &str = include_str!("content.toml");

/// What `seed` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    Created,
    AlreadyPresent,
}

/// An enumeration read from its text form (`"stage-2"`, `"major"`, …).
fn parse<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Content {
    engagement: EngagementSpec,
    member: Vec<MemberSpec>,
    assessment: Vec<AssessmentSpec>,
    unassessed: Unassessed,
    #[serde(default)]
    evidence: Vec<EvidenceSpec>,
    calls: CallsSpec,
    finding: Vec<FindingSpec>,
    pub(crate) scale: scale::ScaleSpec,
    texts: Texts,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EngagementSpec {
    id: String,
    title: String,
    auditee: String,
    site: String,
    #[serde(deserialize_with = "parse")]
    kind: EngagementKind,
    on_site: i32,
    period_start: i32,
    period_end: i32,
    programme: String,
    scope: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberSpec {
    actor: String,
    name: String,
    initials: String,
    #[serde(deserialize_with = "parse")]
    role: Role,
    certificate: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentSpec {
    indicator: String,
    #[serde(deserialize_with = "parse")]
    result: AssessmentResult,
    measured: Option<f64>,
    #[serde(default)]
    notes: String,
    assessor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unassessed {
    indicators: Vec<String>,
    assignee: String,
}

/// The demo's call records: generated, recomputed, recorded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallsSpec {
    file: String,
    records: u64,
    days: u64,
    seed: u64,
    peak_wait_s: f64,
    patience_s: f64,
    recorded_by: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceSpec {
    name: String,
    content: String,
    note: String,
    indicator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingSpec {
    author: String,
    #[serde(deserialize_with = "parse")]
    grade: Grade,
    indicator: String,
    title: String,
    statement: String,
    criterion: String,
    /// How far the demo takes it through the lifecycle.
    #[serde(deserialize_with = "parse")]
    target: FindingStatus,
    #[serde(default)]
    action: Vec<ActionSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionSpec {
    description: String,
    owner: String,
    /// Due date relative to today (negative: in the past).
    due: i32,
    #[serde(deserialize_with = "parse")]
    state: ActionStatus,
    progress: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Texts {
    method: String,
    withdraw_reason: String,
    root_cause: String,
    correction: String,
    completion_evidence: String,
    verified_effective: String,
    verified_ineffective: String,
    reopen_reason: String,
}

/// The parsed content (a test checks it parses; failure here is a build defect).
pub(crate) fn content() -> &'static Content {
    static PARSED: OnceLock<Content> = OnceLock::new();
    PARSED.get_or_init(|| {
        crate::config::toml_file::deserialize(CONTENT, "src/app/demo/content.toml")
            .unwrap_or_else(|e| panic!("the embedded demo content is invalid: {e}"))
    })
}

/// The demo engagement's id (the one in `content.toml`; a test checks they agree).
pub const DEMO_ENGAGEMENT: &str = "DEMO-S2";

fn days(d: Date, n: i32) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

impl Content {
    fn who(&self, actor: &str) -> Identity {
        let m = self.member.iter().find(|m| m.actor == actor).unwrap_or(&self.member[0]);
        Identity {
            actor: m.actor.clone(),
            name: m.name.clone(),
            initials: m.initials.clone(),
        }
    }
    /// The lead (first member) and the auditor who verifies actions (second).
    fn lead(&self) -> Identity {
        self.who(&self.member[0].actor)
    }
    fn verifier(&self) -> Identity {
        self.who(&self.member[1].actor)
    }
}

/// Seed the demo engagement (once). Leaves the database's identity as the lead.
pub fn seed(app: &mut App) -> Result<Seeded> {
    let c = content();
    let id = c.engagement.id.as_str();
    if app.engagements()?.iter().any(|e| e.id == id) {
        return Ok(Seeded::AlreadyPresent);
    }
    let real_today = app.today();
    let on_site = days(real_today, c.engagement.on_site);
    let lead = c.lead();
    app.set_identity(&lead.actor, &lead.name, &lead.initials)?;
    // Every member signs with a key of their own, made here; the keys are
    // kept in the data folder (`demo-keys/`) so a newcomer can play a second
    // auditor on another copy (`identity set li.min … --key …/demo-keys/li.min`).
    let mut public = std::collections::HashMap::new();
    for m in &c.member {
        let signer = crate::crypto::sign::Signer::from_seed(rand::random());
        public.insert(m.actor.clone(), signer.public_openssh());
        let written = app
            .dir
            .clone()
            .map(|d| write_demo_key(&d, &m.actor, &signer))
            .transpose()?;
        app.hold_key(&m.actor, signer);
        if m.actor == lead.actor
            && let Some(path) = written
        {
            app.set_identity_key(Some(&path))?;
        }
    }
    app.act_as(lead.clone());
    // The second client first: the demo engagement stays the most recent
    // (the one `cscaudit` opens).
    programme::seed_programme(app, c, real_today, &public)?;
    selfassess::seed_self_assessment(app, real_today)?;
    app.act_as(lead.clone());
    app.set_today(days(on_site, -14));
    let cat = crate::config::embedded_catalog();
    app.create_engagement(
        NewEngagement {
            id: Some(id.into()),
            title: c.engagement.title.clone(),
            auditee: c.engagement.auditee.clone(),
            site: c.engagement.site.clone(),
            kind: c.engagement.kind,
            period_start: Some(days(on_site, c.engagement.period_start)),
            period_end: Some(days(on_site, c.engagement.period_end)),
        },
        &cat,
        EMBEDDED_GBT32312,
    )?;
    app.set_programme(id, &c.engagement.programme, Some(&c.engagement.scope))?;
    app.set_client_kind(id, crate::model::engagement::ClientKind::Bank)?;
    for m in &c.member {
        app.add_member_keyed(
            id,
            &m.actor,
            &m.name,
            &m.initials,
            m.role,
            m.certificate.as_deref(),
            public.get(&m.actor).map(String::as_str),
        )?;
    }

    // Registration levels, the audit plan, and the two meetings.
    app.set_registration(id, "zhang.wei", None, Some(crate::model::engagement::Level::Senior))?;
    app.set_registration(id, "li.min", None, Some(crate::model::engagement::Level::Auditor))?;
    let d1 = days(on_site, -1);
    app.set_today(days(on_site, -7));
    body::seed_audit(
        app,
        &body::Audit {
            id,
            criteria: "GB/T 32312-2015《银行业客户服务中心服务评价指标》；示范银行客户服务管理制度 / GB/T 32312-2015; the bank's service rules",
            sites: "上海市浦东新区 客户服务中心 / Pudong centre",
            mode: crate::model::body::AuditMode::OnSite,
            agents: 180,
            activities: body::two_days(d1, "zhang.wei", "li.min", "zhang.wei,li.min,wang.lei"),
            place: "客服中心 3 楼会议室 / 3rd-floor meeting room",
            attendees: "zhang.wei; li.min; wang.lei; chen.jing; auditee:客服中心总经理 周强",
            first: d1,
            last: on_site,
        },
    )?;

    // Checklist: assigned, then assessed on site by the assignee.
    app.set_today(on_site);
    for a in &c.assessment {
        app.act_as(lead.clone());
        app.assign_indicator(id, &a.indicator, Some(&a.assessor))?;
        app.act_as(c.who(&a.assessor));
        let done = matches!(a.result, AssessmentResult::Conforming | AssessmentResult::NotApplicable);
        app.record_assessment(
            id,
            &a.indicator,
            AssessmentInput {
                result: Some(a.result),
                measured: a.measured,
                method: a.measured.map(|_| c.texts.method.clone()),
                notes: Some(a.notes.clone()),
                workflow: Some(if done { Workflow::Done } else { Workflow::InReview }),
                ..Default::default()
            },
        )?;
    }
    app.act_as(lead.clone());
    for ind in &c.unassessed.indicators {
        app.assign_indicator(id, ind, Some(&c.unassessed.assignee))?;
    }
    for e in &c.evidence {
        app.attach_evidence_bytes(id, &e.name, e.content.as_bytes(), &e.note, e.indicator.as_deref(), None)?;
    }
    app.act_as(c.who(&c.calls.recorded_by));
    seed_calls(app, c, days(on_site, c.engagement.period_end))?;
    sources::seed_qa(
        app,
        id,
        &sources::QaPeople {
            lead: lead.clone(),
            rater_a: c.who("li.min"),
            rater_b: c.who("wang.lei"),
        },
    )?;
    app.act_as(lead.clone());
    for spec in &c.finding {
        seed_finding(app, c, spec, on_site, real_today)?;
    }
    app.set_today(real_today);
    app.act_as(lead.clone());
    app.set_identity(&lead.actor, &lead.name, &lead.initials)?;
    Ok(Seeded::Created)
}

/// The last week of the period's call records: written to a temporary
/// folder (not the data folder, which may be small), recomputed, and
/// recorded for every indicator they give (AC-01…AC-04), the report
/// attached as evidence.
fn seed_calls(app: &App, c: &Content, period_end: Date) -> Result<()> {
    use crate::analytics::{generate, metrics};
    let spec = &c.calls;
    let dir = std::env::temp_dir().join(format!(
        "cscaudit-demo-calls-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Io {
        path: dir.clone(),
        source: e,
    })?;
    let path = dir.join(&spec.file);
    let shape = generate::Shape {
        start: days(period_end, 1 - spec.days as i32),
        per_day: spec.records.div_ceil(spec.days.max(1)),
        peak_wait_s: spec.peak_wait_s,
        patience_s: spec.patience_s,
    };
    let write = || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        generate::write_shaped(&mut w, spec.records, spec.seed, &shape)?;
        std::io::Write::flush(&mut w)
    };
    write().map_err(|e| AppError::Io {
        path: path.clone(),
        source: e,
    })?;
    let eng = app.engagement(&c.engagement.id)?;
    let cat = app.catalog_for(&eng)?;
    let report = super::compute_metrics(
        &cat,
        std::slice::from_ref(&path),
        &metrics::Format::AnonymousBank,
        &metrics::Params::default(),
        &|_| true,
    );
    let recorded = report
        .and_then(|r| app.record_metrics(&eng.id, super::MetricTarget::All, r))
        .and_then(|_| sources::seed(app, &eng.id, &dir, &path, period_end));
    let _ = std::fs::remove_dir_all(&dir);
    recorded.map(|_| ())
}

/// A new signing key for a demo person, held by the app so their changes
/// are signed; returns its public half (OpenSSH) to register on a team.
fn new_signer(app: &mut App, actor: &str) -> String {
    let signer = crate::crypto::sign::Signer::from_seed(rand::random());
    let public = signer.public_openssh();
    // Kept beside the others, so a newcomer can play this person too.
    if let Some(d) = app.dir.clone() {
        let _ = write_demo_key(&d, actor, &signer);
    }
    app.hold_key(actor, signer);
    public
}

/// Write a demo member's key pair to `dir/demo-keys/<actor>` (owner-only).
fn write_demo_key(
    dir: &std::path::Path,
    actor: &str,
    signer: &crate::crypto::sign::Signer,
) -> Result<std::path::PathBuf> {
    let folder = dir.join("demo-keys");
    let io = |source| super::AppError::Io {
        path: folder.clone(),
        source,
    };
    std::fs::create_dir_all(&folder).map_err(io)?;
    let path = folder.join(actor);
    let private = signer.private_openssh().unwrap_or_default();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).map_err(io)?;
    std::io::Write::write_all(&mut f, private.as_bytes()).map_err(io)?;
    std::fs::write(
        folder.join(format!("{actor}.pub")),
        format!("{} {actor}@demo\n", signer.public_openssh()),
    )
    .map_err(io)?;
    Ok(path)
}

fn seed_finding(app: &mut App, c: &Content, spec: &FindingSpec, on_site: Date, real_today: Date) -> Result<()> {
    use FindingStatus as S;
    let lead = c.lead();
    app.set_today(on_site);
    app.act_as(c.who(&spec.author));
    let f = app.raise_finding(
        &c.engagement.id,
        NewFinding {
            grade: spec.grade,
            title: spec.title.clone(),
            statement: spec.statement.clone(),
            criterion: spec.criterion.clone(),
            indicators: vec![spec.indicator.clone()],
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
        app.act_as(lead);
        app.move_finding(
            &r,
            FindingMove::Withdraw {
                reason: c.texts.withdraw_reason.clone(),
            },
        )?;
        return Ok(());
    }
    if !spec.grade.is_nonconformity() {
        if spec.target == S::Closed {
            app.set_today(days(on_site, 2));
            app.act_as(lead);
            app.move_finding(&r, FindingMove::Close)?;
        }
        return Ok(());
    }
    if !reached(S::Responded) {
        return Ok(());
    }
    app.set_today(days(on_site, 20));
    app.act_as(lead.clone());
    app.move_finding(
        &r,
        FindingMove::Respond {
            root_cause: c.texts.root_cause.clone(),
            correction: c.texts.correction.clone(),
        },
    )?;
    let mut ids = Vec::new();
    for a in &spec.action {
        let added = app.add_action(
            &r,
            NewAction {
                description: a.description.clone(),
                owner: a.owner.clone(),
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
    for (a, id) in spec.action.iter().zip(&ids) {
        drive_action(app, c, id, a, real_today)?;
    }
    app.act_as(lead.clone());
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
                reason: c.texts.reopen_reason.clone(),
            },
        )?;
    }
    Ok(())
}

fn drive_action(app: &mut App, c: &Content, id: &str, spec: &ActionSpec, real_today: Date) -> Result<()> {
    let lead = c.lead();
    let verifier = c.verifier();
    let step = |app: &mut App, status: Option<ActionStatus>, progress: Option<u8>, evidence: Option<&str>| {
        app.act_as(lead.clone());
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
                Some(&c.texts.completion_evidence),
            )?;
            if spec.state != ActionStatus::Completed {
                app.act_as(verifier);
                app.set_today(days(done_on, 1));
                let effective = spec.state == ActionStatus::Effective;
                let note = if effective {
                    &c.texts.verified_effective
                } else {
                    &c.texts.verified_ineffective
                };
                app.verify_action(id, effective, note)?;
                if !effective {
                    step(app, Some(ActionStatus::InProgress), Some(spec.progress), None)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_content_parses_and_covers_the_lifecycle() {
        let c = content();
        assert_eq!(c.engagement.id, DEMO_ENGAGEMENT);
        assert!(c.member.len() >= 2, "a lead and a verifier");
        assert!(c.member[0].role == Role::Lead && c.member[1].certificate.is_some());
        let mut states: Vec<FindingStatus> = c.finding.iter().map(|f| f.target).collect();
        states.sort();
        states.dedup();
        assert_eq!(states.len(), FindingStatus::ALL.len(), "every finding state appears");
        let mut grades: Vec<Grade> = c.finding.iter().map(|f| f.grade).collect();
        grades.sort();
        grades.dedup();
        assert_eq!(grades.len(), Grade::ALL.len());
        for f in &c.finding {
            assert!(c.member.iter().any(|m| m.actor == f.author), "{}", f.title);
        }
        assert!(!c.scale.titles.is_empty() && !c.scale.owners.is_empty());
    }
}
