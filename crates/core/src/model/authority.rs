//! Who may make which change: pure functions of the engagement state a batch
//! is judged against (its causal past for a teammate's batch, the state held
//! for a local commit — the same rules either way).
//!
//! | change | who may |
//! |---|---|
//! | create the engagement | anyone, in the batch that is its genesis (the author is its creator and lead) |
//! | engagement fields | a lead; its programme once (fixed when set); never the decision and certificate fields (recorded in the programme) |
//! | team: add a member, role, key, removal, registration | a lead (while no key is registered: any member, but never a key or a role of lead); never a decision maker (the programme names them) |
//! | create a programme | anyone, in the batch that is its genesis (the author is its creator and lead) |
//! | a programme's title, its team (lead, decision makers), a removal | a lead of the programme |
//! | an engagement's decision and certificate fields (decide, suspend, withdraw, restore) | a decision maker of the engagement's programme, in a batch of the programme, judged against the programme's causal past; not while on the engagement's audit team |
//! | anything else in a programme | nobody |
//! | a member's responsibilities | any member |
//! | the audit plan's activities | a lead |
//! | the opening and closing meetings (attendance) | lead or auditor |
//! | a declared interest in a programme's client | a lead of the programme, in its batches |
//! | an engagement's technical review | a technical reviewer or decision maker of its programme, not on its audit team; a decision needs one in its past |
//! | raise a finding | lead, auditor, technical expert (past draft: lead or auditor) |
//! | issue a finding (draft → issued) on a certification audit | as above, and two registered auditors on the team (registration valid on the change's day) |
//! | a finding's status | by target: issue, accept plan, send back, verify, close, withdraw, reopen — lead or auditor; respond, implement — also the auditee contact; along the lifecycle only |
//! | an evidence request | lead or auditor writes and moves it; its addressee answers it (answer, files, submitted) while open or returned |
//! | the auditee's contact | only: answer requests addressed to them, respond to findings (root cause, correction, responded, implemented), propose actions and report their progress, attach and describe their own files, their own responsibilities |
//! | delete a record | a lead, or the record's creator |
//! | verify an action (verified_by/on, effective, status effective/ineffective) | lead or auditor, not the action's owner |
//! | anything else of the engagement | any member who has not left |
//! | every change | typed values; a record's engagement fixed at creation |
//!
//! Length: every rule of who may change what, in one place so it can be audited
//! (about 800 lines), then their tests.

use super::action::{self, ActionStatus};
use super::engagement::{REVOKED, Role};
use super::fields::{self, ActionField as AF, EngagementField as EF, FieldName, FindingField as FF, MemberField as MF};
use super::finding::{self, FindingStatus, Grade};
use super::ops::{Change, EntityId, Kind, Op, Record, Value};
use std::collections::{BTreeMap, HashMap};

/// Why a change is refused, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub en: String,
    pub zh: String,
    /// Refused until something this copy lacks arrives (the engagement a
    /// decision is about); otherwise for good.
    pub waiting: bool,
}

pub(crate) fn no(en: String, zh: String) -> Refusal {
    Refusal { en, zh, waiting: false }
}

fn not_yet(en: String, zh: String) -> Refusal {
    Refusal { en, zh, waiting: true }
}

/// One member as the team's history left them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TeamMember {
    pub role: Option<Role>,
    /// The registered key (OpenSSH text), if any.
    pub key: Option<String>,
    /// The lead removed them (their key revoked).
    pub left: bool,
    /// A registration number is recorded (CCAA).
    pub registered: bool,
    /// The last day the registration is valid, if recorded.
    pub registration_until: Option<jiff::civil::Date>,
    /// Registered as an intern (实习审查员): never one of the two.
    pub intern: bool,
}

/// The team of an engagement at some point of its history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Team {
    /// The author of the engagement's genesis.
    pub creator: Option<String>,
    pub members: BTreeMap<String, TeamMember>,
}

impl Team {
    /// The team from its member records (`ENGAGEMENT/actor`).
    pub fn from_records<'a>(creator: Option<String>, records: impl IntoIterator<Item = &'a Record>) -> Team {
        let mut members = BTreeMap::new();
        for r in records {
            if r.deleted {
                continue;
            }
            let Some((_, actor)) = r.entity.id.split_once('/') else {
                continue;
            };
            let text = |f: MF| r.get_raw(f.name()).and_then(Value::text);
            let key = text(MF::Key).filter(|k| !k.is_empty());
            members.insert(
                actor.to_string(),
                TeamMember {
                    role: text(MF::Role).and_then(|t| t.parse().ok()),
                    left: key == Some(REVOKED),
                    key: key.filter(|k| *k != REVOKED).map(str::to_string),
                    registered: text(MF::CertificateNo).is_some_and(|c| !c.trim().is_empty()),
                    registration_until: r.get_raw(MF::RegistrationUntil.name()).and_then(Value::date),
                    intern: text(MF::Level) == Some(super::engagement::Level::Intern.as_str()),
                },
            );
        }
        Team { creator, members }
    }

    /// A member who has not left.
    pub fn active(&self, actor: &str) -> Option<&TeamMember> {
        self.members.get(actor).filter(|m| !m.left)
    }

    /// The creator (unless removed) or a lead who has not left.
    pub fn is_lead(&self, actor: &str) -> bool {
        let left = self.members.get(actor).is_some_and(|m| m.left);
        !left
            && (self.creator.as_deref() == Some(actor)
                || self.active(actor).is_some_and(|m| m.role == Some(Role::Lead)))
    }

    /// Whether any member has a registered key (the team signs).
    pub fn signs(&self) -> bool {
        self.members.values().any(|m| m.key.is_some() || m.left)
    }

    /// Registered auditors (lead or auditor, registration recorded and
    /// valid on `day`, not an intern) who have not left: what issuing a finding on a
    /// certification audit needs two of.
    pub fn registered_auditors(&self, day: jiff::civil::Date) -> usize {
        self.members
            .values()
            .filter(|m| {
                !m.left
                    && m.role.is_some_and(Role::is_auditor)
                    && m.registered
                    && !m.intern
                    && m.registration_until.is_none_or(|u| u >= day)
            })
            .count()
    }

    pub fn key_of(&self, actor: &str) -> Option<&str> {
        self.active(actor).and_then(|m| m.key.as_deref())
    }

    fn role_of(&self, actor: &str) -> Option<Role> {
        if let Some(m) = self.active(actor)
            && let Some(r) = m.role
        {
            return Some(r);
        }
        (self.creator.as_deref() == Some(actor) && self.members.get(actor).is_none_or(|m| !m.left))
            .then_some(Role::Lead)
    }
}

/// The state a batch is judged against.
pub trait Past {
    /// The team then.
    fn team(&self) -> &Team;
    /// A record as it was then (`None`: not created then).
    fn record(&mut self, e: &EntityId) -> Option<Record>;
    /// A record of another engagement as this copy holds it (what a
    /// programme's decision is about): `None` when not held.
    fn elsewhere(&mut self, e: &EntityId) -> Option<Record>;
    /// The team of another engagement as this copy holds it.
    fn team_elsewhere(&mut self, engagement: &str) -> Team;
}

/// What is being judged: one author's batch of one engagement.
pub struct Batch<'a> {
    pub engagement: &'a str,
    pub author: &'a str,
    /// The batch creates the engagement.
    pub genesis: bool,
    /// The batch is of a certification programme (its team and its
    /// decisions), not of an engagement.
    pub programme: bool,
    /// The genesis of the batch's engagement or programme (its identity;
    /// `None` in the batch that creates it).
    pub scope_genesis: Option<&'a str>,
}

const AUDITORS: &[Role] = &[Role::Lead, Role::Auditor];
const AUDITORS_AND_AUDITEE: &[Role] = &[Role::Lead, Role::Auditor, Role::AuditeeContact];
const RAISERS: &[Role] = &[Role::Lead, Role::Auditor, Role::TechnicalExpert];
/// Every role of an audit team (a decision maker is not on it).
const MEMBERS: &[Role] = &[
    Role::Lead,
    Role::Auditor,
    Role::TechnicalExpert,
    Role::Observer,
    Role::AuditeeContact,
];

/// Who may move a finding to `to` (the CLI's moves share this table).
pub fn roles_for_status(to: FindingStatus) -> &'static [Role] {
    match to {
        FindingStatus::Responded | FindingStatus::Implemented => AUDITORS_AND_AUDITEE,
        _ => AUDITORS,
    }
}

/// Engagement fields that record the certification decision: made by
/// someone outside the audit team.
pub fn is_decision_field(field: &str) -> bool {
    [
        EF::DecisionOutcome,
        EF::DecisionBy,
        EF::DecisionOn,
        EF::DecisionBasis,
        EF::CertificateNo,
        EF::CertificateIssued,
        EF::CertificateUntil,
        EF::CertificateStatus,
        EF::CertificateStatusOn,
        EF::CertificateStatusReason,
    ]
    .iter()
    .any(|f| f.name() == field)
        || is_review_field(field)
}

/// Engagement fields of the technical review of an audit before the
/// decision: recorded in the programme, by a technical reviewer or a
/// decision maker not on the audit team.
pub fn is_review_field(field: &str) -> bool {
    [EF::ReviewBy, EF::ReviewOn, EF::ReviewNote]
        .iter()
        .any(|f| f.name() == field)
}

/// Judge a batch's ops, in order, against `past` (ops earlier in the batch
/// count for later ones). The first refused op refuses the batch.
pub fn authorize(b: &Batch<'_>, ops: &[Op], past: &mut dyn Past) -> Result<(), Refusal> {
    if b.programme {
        return authorize_programme(b, ops, past);
    }
    let team = team_then(b, past)?;
    let me = b.author;
    let eng = b.engagement;
    let certification = past
        .record(&EntityId::new(Kind::Engagement, eng))
        .and_then(|r| r.get_raw(EF::Kind.name()).and_then(Value::text).map(str::to_string))
        .and_then(|k| k.parse::<super::engagement::EngagementKind>().ok())
        .is_some_and(|k| k.is_certification());
    let mut working: HashMap<EntityId, Option<Record>> = HashMap::new();
    for op in ops {
        if op.id.actor != me {
            return Err(no(
                format!("the batch of {me} holds a change by {}", op.id.actor),
                format!("{me} 的批次中含有 {} 的更改", op.id.actor),
            ));
        }
        if !working.contains_key(&op.entity) {
            let r = past.record(&op.entity);
            working.insert(op.entity.clone(), r);
        }
        let before = working.get(&op.entity).cloned().flatten();
        check_op(b, &team, op, before.as_ref())?;
        if certification {
            check_two_registered(&team, op, before.as_ref())?;
        }
        let slot = working.get_mut(&op.entity).expect("inserted above");
        let r = slot.get_or_insert_with(|| Record::empty(op.entity.clone()));
        r.apply(op);
    }
    Ok(())
}

fn check_op(b: &Batch<'_>, team: &Team, op: &Op, before: Option<&Record>) -> Result<(), Refusal> {
    let (me, eng) = (b.author, b.engagement);
    let what = format!("{} {}", op.entity.kind.name(), op.entity.id);
    let role = team.role_of(me);
    let need = |roles: &[Role], doing_en: &str, doing_zh: &str| -> Result<(), Refusal> {
        if role.is_some_and(|r| roles.contains(&r)) {
            Ok(())
        } else {
            let (r_en, r_zh) = role.map_or(("not a member", "非成员"), |r| (r.as_str(), r.zh()));
            Err(no(
                format!("{me} ({r_en}) may not {doing_en} ({what})"),
                format!("{me}（{r_zh}）不能{doing_zh}（{what}）"),
            ))
        }
    };
    // 1. The record belongs to this engagement, for good.
    let owner = match op.entity.engagement_in_id() {
        Some(e) => Some(e.to_string()),
        None => before
            .and_then(|r| r.get_raw("engagement"))
            .and_then(Value::text)
            .map(str::to_string),
    };
    match (&owner, &op.change) {
        (Some(o), _) if o != eng => {
            return Err(no(
                format!("{what} belongs to engagement {o}, not {eng}"),
                format!("{what} 属于审核项目 {o}，而非 {eng}"),
            ));
        }
        (Some(_), Change::Set { field, .. }) if field == "engagement" && op.entity.engagement_in_id().is_none() => {
            return Err(no(
                format!("{what}: a record's engagement is fixed when it is created"),
                format!("{what}：记录所属审核项目在创建时确定，不能更改"),
            ));
        }
        (Some(o), Change::Set { field, value }) if field == "engagement" && value.text() != Some(o.as_str()) => {
            return Err(no(
                format!("{what} is placed in another engagement than its own {o}"),
                format!("{what} 被放入其所属 {o} 以外的审核项目"),
            ));
        }
        // An action's finding is one of its own engagement.
        (Some(o), Change::Set { field, value })
            if op.entity.kind == Kind::Action
                && field == "finding"
                && value
                    .text()
                    .and_then(|f| f.split_once('/'))
                    .is_some_and(|(e, _)| e != o) =>
        {
            return Err(no(
                format!("{what} names a finding of another engagement than {o}"),
                format!("{what} 关联了 {o} 以外审核项目的发现项"),
            ));
        }
        (None, Change::Set { field, value }) if field == "engagement" && value.text() != Some(eng) => {
            return Err(no(
                format!("{what} is placed in another engagement than its batch's {eng}"),
                format!("{what} 被放入批次所属 {eng} 以外的审核项目"),
            ));
        }
        (None, Change::Create | Change::Set { .. }) => {}
        (None, _) if op.entity.engagement_in_id().is_none() => {
            return Err(no(
                format!("{what} does not exist in {eng}"),
                format!("{what} 不存在于 {eng}"),
            ));
        }
        _ => {}
    }
    // 2. Typed values.
    if let Change::Set { field, value } = &op.change
        && !fields::accepts(op.entity.kind, field, value)
    {
        let shown = crate::text::visible(&value.to_string()).into_owned();
        return Err(no(
            format!("{what}: {shown} is not a value of {field}"),
            format!("{what}：{shown} 不是 {field} 的有效值"),
        ));
    }
    // 3. Who may. The auditee's contact: its own part only.
    if role == Some(Role::AuditeeContact) {
        super::request::auditee_may(me, op, before)?;
    }
    if op.change == Change::Tombstone {
        // A QA review once scored is evidence: it stays (else the reviews
        // that went the wrong way could be dropped from the pass rate).
        if op.entity.kind == Kind::QaReview
            && before.is_some_and(|r| {
                ["seal_a", "seal_b"]
                    .iter()
                    .any(|f| r.get_raw(f).and_then(Value::text).is_some_and(|t| !t.is_empty()))
            })
        {
            return Err(no(
                format!("{me} may not delete {what}: it is being scored, and a scored review stays in the round"),
                format!("{me} 不能删除 {what}：该复核已开始评分，已评分的复核须保留在批次中"),
            ));
        }
        let creator = before.and_then(|r| r.created_by.as_deref());
        if !team.is_lead(me) && creator != Some(me) {
            return Err(no(
                format!("{me} may not delete {what}: only a lead or its creator does"),
                format!("{me} 不能删除 {what}：只有组长或其创建者可以删除"),
            ));
        }
        return Ok(());
    }
    match op.entity.kind {
        Kind::Engagement => {
            if op.change == Change::Create {
                if !b.genesis || op.entity.id != eng {
                    return Err(no(
                        format!("{what} is created outside its genesis batch"),
                        format!("{what} 在其创建批次之外被创建"),
                    ));
                }
                return Ok(());
            }
            if let Change::Set { field, .. } = &op.change
                && is_decision_field(field)
            {
                let p = before
                    .and_then(|r| r.get_raw(EF::Programme.name()))
                    .and_then(Value::text)
                    .filter(|p| !p.is_empty());
                return Err(match p {
                    Some(p) => no(
                        format!(
                            "the certification decision on {eng} is recorded in its programme {p}, by a decision maker the programme names; not in the engagement"
                        ),
                        format!(
                            "{eng} 的认证决定记录在其认证方案 {p} 中，由该方案指定的认证决定人员作出；不记录在审核项目中"
                        ),
                    ),
                    None => no(
                        format!(
                            "{eng} belongs to no programme: a certification decision is made by the decision makers of the engagement's programme (`cscaudit programme create P`, then `cscaudit engagement programme P -e {eng}`)"
                        ),
                        format!(
                            "{eng} 不属于任何认证方案：认证决定由审核项目所属认证方案的认证决定人员作出（先 `cscaudit programme create 方案编号`，再 `cscaudit engagement programme 方案编号 -e {eng}`）"
                        ),
                    ),
                });
            }
            // The programme decides who decides: once bound (by its
            // genesis), it stays.
            let text_of = |f: EF| {
                before
                    .and_then(|r| r.get_raw(f.name()))
                    .and_then(Value::text)
                    .filter(|p| !p.is_empty())
            };
            if let Change::Set { field, value } = &op.change
                && (field == EF::Programme.name() || field == EF::ProgrammeGenesis.name())
                && let Some(bound) = text_of(EF::ProgrammeGenesis)
            {
                let held = if field == EF::Programme.name() {
                    text_of(EF::Programme)
                } else {
                    Some(bound)
                };
                if value.text() != held {
                    let p = text_of(EF::Programme).unwrap_or_default();
                    return Err(no(
                        format!("{eng} belongs to programme {p}; an engagement's programme is fixed once bound"),
                        format!("{eng} 属于认证方案 {p}；审核项目的认证方案一经绑定不能更改"),
                    ));
                }
            }
            if !team.is_lead(me) {
                return Err(no(
                    format!("only a lead changes the engagement {eng}; {me} is not one"),
                    format!("只有组长可以更改审核项目 {eng}；{me} 不是组长"),
                ));
            }
        }
        Kind::Member => {
            let field = match &op.change {
                Change::Set { field, .. } => Some(field.as_str()),
                _ => None,
            };
            if field == Some(MF::Responsibilities.name()) {
                return need(MEMBERS, "record responsibilities", "记录职责");
            }
            if let Change::Set { field, value } = &op.change
                && field == MF::Role.name()
                && (value.text() == Some(Role::DecisionMaker.as_str())
                    || value.text() == Some(Role::TechnicalReviewer.as_str()))
            {
                return Err(no(
                    format!(
                        "{}: decision makers are named by the engagement's programme (`cscaudit programme add-member`), not by the audit team",
                        op.entity.id
                    ),
                    format!(
                        "{}：认证决定人员由审核项目所属的认证方案指定（`cscaudit programme add-member`），而非由审核组指定",
                        op.entity.id
                    ),
                ));
            }
            let sensitive = match &op.change {
                Change::Set { field, value } => {
                    field == MF::Key.name() || (field == MF::Role.name() && value.text() == Some(Role::Lead.as_str()))
                }
                _ => false,
            };
            let lead_needed = sensitive || team.signs();
            if team.is_lead(me) || (b.genesis && op.entity.id == format!("{eng}/{me}")) {
                return Ok(());
            }
            if lead_needed {
                return Err(no(
                    format!("{me} changed the team ({}) but is not a lead of {eng}", op.entity.id),
                    format!("{me} 更改了审核组（{}），但其不是 {eng} 的组长", op.entity.id),
                ));
            }
            return need(MEMBERS, "change the team", "更改审核组");
        }
        Kind::Finding => check_finding(op, before, need)?,
        Kind::Action => check_action(me, op, before, need)?,
        // Test calls are the audit team's own evidence: the auditee's
        // contact does not plan or score calls to its own centre.
        Kind::TestCall => {
            need(RAISERS, "plan or record test calls", "安排或记录测试电话")?;
            // The caller a result names is its signed author.
            if let Change::Set { field, value } = &op.change
                && field == super::fields::TestCallField::Caller.name()
                && value.text().is_some_and(|c| c != me)
            {
                let c = crate::text::visible(value.text().unwrap_or_default()).into_owned();
                return Err(no(
                    format!("{me} may not record {what} as made by {c}: the caller is the one who signs it"),
                    format!("{me} 不能将 {what} 记录为 {c} 拨打：拨打人即签名者本人"),
                ));
            }
        }
        Kind::QaReview => check_qa(me, team, op, before, need)?,
        // The agenda is the lead's; the meetings are the auditors' record.
        Kind::Activity if !team.is_lead(me) => {
            return Err(no(
                format!("only a lead plans the audit's activities ({what}); {me} is not one"),
                format!("只有组长可以安排审核活动（{what}）；{me} 不是组长"),
            ));
        }
        Kind::Meeting => {
            need(AUDITORS, "record the opening or closing meeting", "记录首末次会议")?;
            // An audit has two meetings: `ENGAGEMENT/opening` and `/closing`.
            let kind = op.entity.id.split_once('/').map(|(_, k)| k);
            if !kind.is_some_and(|k| k.parse::<super::body::MeetingKind>().is_ok_and(|m| m.as_str() == k)) {
                return Err(no(
                    format!("{what}: an audit's meetings are its opening and its closing"),
                    format!("{what}：审核的会议只有首次会议和末次会议"),
                ));
            }
        }
        Kind::Request => {
            super::request::check_request(me, role, op, before)?;
        }
        Kind::Interest => {
            return Err(no(
                format!("{what}: declared interests are the body's register, kept in the programme's batches"),
                format!("{what}：利益关系申报属于认证机构的登记，记录在认证方案的批次中"),
            ));
        }
        // A programme is made only by its own genesis batch.
        Kind::Programme => {
            return Err(no(
                format!("{what}: a programme is created and changed in its own batches, not in an engagement's"),
                format!("{what}：认证方案只能在其自身的批次中创建和更改，不能在审核项目的批次中"),
            ));
        }
        _ => {}
    }
    if !b.genesis && team.active(me).is_none() && !team.is_lead(me) {
        return Err(no(
            format!("{me} is not on the team of {eng}"),
            format!("{me} 不是 {eng} 审核组成员"),
        ));
    }
    Ok(())
}

/// The team a batch is judged by (its creator alone in a genesis), refused
/// when its author is not on it (or has left it).
fn team_then(b: &Batch<'_>, past: &mut dyn Past) -> Result<Team, Refusal> {
    if b.genesis {
        return Ok(Team {
            creator: Some(b.author.to_string()),
            members: BTreeMap::new(),
        });
    }
    let team = past.team().clone();
    let (me, scope) = (b.author, b.engagement);
    if team.active(me).is_some() || team.is_lead(me) {
        return Ok(team);
    }
    let left = team.members.get(me).is_some_and(|m| m.left);
    Err(match (b.programme, left) {
        (false, true) => no(
            format!("{me} has left the team of {scope} (the lead removed them)"),
            format!("{me} 已离开 {scope} 审核组（组长已将其移出）"),
        ),
        (false, false) => no(
            format!("{me} is not on the team of {scope}"),
            format!("{me} 不是 {scope} 审核组成员"),
        ),
        (true, true) => no(
            format!("{me} has left the team of programme {scope} (its lead removed them)"),
            format!("{me} 已离开认证方案 {scope} 的人员名单（负责人已将其移出）"),
        ),
        (true, false) => no(
            format!("{me} is not on the team of programme {scope}"),
            format!("{me} 不在认证方案 {scope} 的人员名单中"),
        ),
    })
}

/// Roles a programme's team has: its lead (who names the team) and its
/// decision makers.
const PROGRAMME_ROLES: &[Role] = &[Role::Lead, Role::DecisionMaker, Role::TechnicalReviewer];

/// A programme's batch: its own record and team by its lead; decisions on
/// its engagements by its decision makers; nothing else.
fn authorize_programme(b: &Batch<'_>, ops: &[Op], past: &mut dyn Past) -> Result<(), Refusal> {
    let (me, prog) = (b.author, b.engagement);
    let team = team_then(b, past)?;
    let member_prefix = format!("{prog}/");
    for op in ops {
        if op.id.actor != me {
            return Err(no(
                format!("the batch of {me} holds a change by {}", op.id.actor),
                format!("{me} 的批次中含有 {} 的更改", op.id.actor),
            ));
        }
        let what = format!("{} {}", op.entity.kind.name(), op.entity.id);
        if let Change::Set { field, value } = &op.change
            && !fields::accepts(op.entity.kind, field, value)
        {
            let shown = crate::text::visible(&value.to_string()).into_owned();
            return Err(no(
                format!("{what}: {shown} is not a value of {field}"),
                format!("{what}：{shown} 不是 {field} 的有效值"),
            ));
        }
        let lead_only = || -> Result<(), Refusal> {
            if team.is_lead(me) {
                Ok(())
            } else {
                Err(no(
                    format!("only a lead of programme {prog} changes its record and team ({what}); {me} is not one"),
                    format!("只有认证方案 {prog} 的负责人可以更改其记录和人员（{what}）；{me} 不是负责人"),
                ))
            }
        };
        match (op.entity.kind, &op.change) {
            (Kind::Programme, Change::Create) if op.entity.id == prog && b.genesis => {}
            (Kind::Programme, Change::Create) => {
                return Err(no(
                    format!("{what} is created outside its genesis batch"),
                    format!("{what} 在其创建批次之外被创建"),
                ));
            }
            (Kind::Programme, Change::Set { .. }) if op.entity.id == prog => lead_only()?,
            (Kind::Member, change) if op.entity.id.starts_with(&member_prefix) => {
                if let Change::Set { field, value } = change
                    && field == MF::Role.name()
                    && !value
                        .text()
                        .and_then(|t| t.parse::<Role>().ok())
                        .is_some_and(|r| PROGRAMME_ROLES.contains(&r))
                {
                    return Err(no(
                        format!("{what}: a programme's team has leads, decision makers and technical reviewers only"),
                        format!("{what}：认证方案人员只有负责人、认证决定人员和技术评审人员"),
                    ));
                }
                let own_genesis = b.genesis && op.entity.id == format!("{prog}/{me}");
                if !own_genesis {
                    lead_only()?;
                }
            }
            // The body's register of declared interests in the client.
            (Kind::Interest, _) if op.entity.id.starts_with(&member_prefix) => lead_only()?,
            (Kind::Engagement, Change::Set { field, value }) if op.entity.id != prog && is_review_field(field) => {
                check_decision(me, prog, b.scope_genesis, &team, &op.entity, past, true)?;
                if field == EF::ReviewBy.name() && value.text() != Some(me) {
                    let who = crate::text::visible(&value.to_string()).into_owned();
                    return Err(no(
                        format!(
                            "{me} may not record a technical review as made by {who}: the reviewer is the one who signs it"
                        ),
                        format!("{me} 不能将技术评审记录为 {who} 所作：评审人即签名者本人"),
                    ));
                }
            }
            (Kind::Engagement, Change::Set { field, .. }) if op.entity.id != prog && is_decision_field(field) => {
                check_decision(me, prog, b.scope_genesis, &team, &op.entity, past, false)?;
                // A decision follows the audit's technical review (in the
                // batch's causal past); a certificate's later status does not.
                let reviewed = past
                    .record(&op.entity)
                    .and_then(|r| r.get_raw(EF::ReviewBy.name()).and_then(Value::text).map(str::to_string))
                    .is_some_and(|t| !t.is_empty());
                let needs_review = [
                    EF::DecisionOutcome,
                    EF::CertificateNo,
                    EF::CertificateIssued,
                    EF::CertificateUntil,
                ]
                .iter()
                .any(|f| f.name() == field);
                if needs_review && !reviewed {
                    let eng = &op.entity.id;
                    return Err(no(
                        format!(
                            "the certification decision on {eng} comes after its technical review, and there is none yet: a technical reviewer of programme {prog} outside the audit team reviews it first (`cscaudit engagement review -e {eng}`)"
                        ),
                        format!(
                            "{eng} 的认证决定须在技术评审之后作出，而目前尚无技术评审：先由认证方案 {prog} 中未参加审核的技术评审人员评审（`cscaudit engagement review -e {eng}`）"
                        ),
                    ));
                }
            }
            _ => {
                return Err(no(
                    format!(
                        "{what}: a programme holds its record, its team and the decisions on its engagements, nothing else"
                    ),
                    format!("{what}：认证方案只含其记录、人员和对其审核项目的认证决定"),
                ));
            }
        }
    }
    Ok(())
}

/// A decision (or certificate status) on `engagement`, recorded in
/// programme `prog` by `me`: a decision maker of the programme then, the
/// engagement one of the programme, and `me` not on its audit team.
fn check_decision(
    me: &str,
    prog: &str,
    genesis: Option<&str>,
    team: &Team,
    engagement: &EntityId,
    past: &mut dyn Past,
    review: bool,
) -> Result<(), Refusal> {
    let eng = &engagement.id;
    let role = team.role_of(me);
    if review && !matches!(role, Some(Role::TechnicalReviewer | Role::DecisionMaker)) {
        let (r_en, r_zh) = role.map_or(("not a member", "非成员"), |r| (r.as_str(), r.zh()));
        return Err(no(
            format!(
                "{me} ({r_en}) may not record the technical review of {eng}: only a technical reviewer or a decision maker of programme {prog} does"
            ),
            format!("{me}（{r_zh}）不能记录 {eng} 的技术评审：只有认证方案 {prog} 的技术评审人员或认证决定人员可以"),
        ));
    }
    if !review && role != Some(Role::DecisionMaker) {
        let (r_en, r_zh) = role.map_or(("not a member", "非成员"), |r| (r.as_str(), r.zh()));
        return Err(no(
            format!(
                "{me} ({r_en}) may not record the certification decision on {eng}: only a decision maker of programme {prog} does"
            ),
            format!("{me}（{r_zh}）不能对 {eng} 作出认证决定：只有认证方案 {prog} 的认证决定人员可以"),
        ));
    }
    let Some(record) = past.elsewhere(engagement) else {
        return Err(not_yet(
            format!("a decision on engagement {eng}, which this copy does not hold yet"),
            format!("对审核项目 {eng} 的认证决定，而本机尚无该审核项目"),
        ));
    };
    match record.get_raw(EF::Programme.name()).and_then(Value::text) {
        Some(p) if p == prog => {}
        Some(p) if !p.is_empty() => {
            return Err(no(
                format!("{eng} belongs to programme {p}, not {prog}: a decision on it is recorded there"),
                format!("{eng} 属于认证方案 {p}，而非 {prog}：其认证决定记录在 {p} 中"),
            ));
        }
        _ => {
            return Err(not_yet(
                format!("{eng} is not (yet, here) an engagement of programme {prog}"),
                format!("{eng}（在本机）尚不属于认证方案 {prog}"),
            ));
        }
    }
    // Bound to this programme by its genesis, not only by its name.
    match record.get_raw(EF::ProgrammeGenesis.name()).and_then(Value::text) {
        Some(g) if !g.is_empty() && Some(g) == genesis => {}
        Some(g) if !g.is_empty() => {
            return Err(no(
                format!(
                    "{eng} is bound to another programme named {prog} (another genesis): its decision makers decide on it, not this one's"
                ),
                format!("{eng} 绑定的是另一个同名认证方案 {prog}（创建批次不同）：由该方案的认证决定人员决定"),
            ));
        }
        _ => {
            return Err(not_yet(
                format!(
                    "{eng} names programme {prog} but is not bound to it yet: its lead runs `cscaudit engagement programme {prog} -e {eng}` once the programme is held"
                ),
                format!(
                    "{eng} 写明了认证方案 {prog}，但尚未绑定：待本机有该方案后，由组长运行 `cscaudit engagement programme {prog} -e {eng}`"
                ),
            ));
        }
    }
    let audit_team = past.team_elsewhere(eng);
    // Who audited stays someone who audited after leaving the team.
    let on_team = audit_team.members.get(me).is_some_and(|m| {
        m.role
            .is_some_and(|r| !matches!(r, Role::DecisionMaker | Role::TechnicalReviewer))
    }) || audit_team.creator.as_deref() == Some(me);
    if on_team {
        return Err(no(
            format!(
                "{me} is on the audit team of {eng}: the technical review and the certification decision are made by someone of the body who was not on the audit team"
            ),
            format!("{me} 是 {eng} 审核组成员：技术评审和认证决定须由未参加审核的认证机构人员作出"),
        ));
    }
    Ok(())
}

/// Issuing a finding (draft to issued) on a certification audit needs two
/// registered auditors on the team then, registrations valid on the day
/// the change is dated (the CLI's rule, on every copy).
fn check_two_registered(team: &Team, op: &Op, before: Option<&Record>) -> Result<(), Refusal> {
    let Change::Set { field, value } = &op.change else {
        return Ok(());
    };
    if op.entity.kind != Kind::Finding
        || field != FF::Status.name()
        || value.text() != Some(FindingStatus::Issued.as_str())
    {
        return Ok(());
    }
    let from = before
        .and_then(|r| r.get_raw(FF::Status.name()))
        .and_then(Value::text)
        .and_then(|t| t.parse::<FindingStatus>().ok());
    if !matches!(from, None | Some(FindingStatus::Draft)) {
        return Ok(());
    }
    let day = jiff::Timestamp::from_millisecond(op.hlc.wall_ms.min(i64::MAX as u64) as i64)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    let n = team.registered_auditors(day);
    if n >= 2 {
        return Ok(());
    }
    let id = &op.entity.id;
    Err(no(
        format!(
            "{id} is issued on a certification audit with {n} registered auditor(s) on the team on {day}; two are required (interns do not count)"
        ),
        format!("{id} 在认证审核中开具，而 {day} 审核组仅有 {n} 名注册审核员；须至少两名（实习审查员不计入）"),
    ))
}

/// Who made the current value of `field`.
fn set_by<'r>(r: Option<&'r Record>, field: &str) -> Option<&'r str> {
    r.and_then(|r| r.fields.get(field)).map(|f| f.op.actor.as_str())
}

type Need<'a> = &'a dyn Fn(&[Role], &str, &str) -> Result<(), Refusal>;

fn check_finding(
    op: &Op,
    before: Option<&Record>,
    need: impl Fn(&[Role], &str, &str) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let need: Need<'_> = &need;
    match &op.change {
        Change::Create => need(RAISERS, "raise findings", "提出发现项"),
        Change::Set { field, value } if field == FF::Status.name() => {
            let to: FindingStatus = match value.text().and_then(|t| t.parse().ok()) {
                Some(s) => s,
                None => return Ok(()), // typed above; a cleared status is not a move
            };
            let get = |f: FF| before.and_then(|r| r.get_raw(f.name())).and_then(Value::text);
            let from: Option<FindingStatus> = get(FF::Status).and_then(|t| t.parse().ok());
            let grade: Option<Grade> = get(FF::Grade).and_then(|t| t.parse().ok());
            match from {
                // A new finding starts as a draft; any later status (a
                // finding carried over, generated data) is an auditor's.
                None => {
                    if to != FindingStatus::Draft {
                        need(AUDITORS, "raise findings past draft", "直接创建非草稿状态的发现项")?;
                    }
                    Ok(())
                }
                Some(from) if from == to => Ok(()),
                // Taking back one's own last move (undo): a step back along
                // the edge the same author just took.
                Some(from)
                    if set_by(before, FF::Status.name()) == Some(op.id.actor.as_str())
                        && finding::check_transition(grade.unwrap_or(Grade::Minor), to, from).is_ok() =>
                {
                    Ok(())
                }
                Some(from) => {
                    finding::check_transition(grade.unwrap_or(Grade::Minor), from, to).map_err(|e| {
                        no(
                            format!("{}: {e}", op.entity.id),
                            format!("{}：不能从“{}”变为“{}”", op.entity.id, from.zh(), to.zh()),
                        )
                    })?;
                    need(
                        roles_for_status(to),
                        "move findings to that status",
                        "将发现项改为该状态",
                    )
                }
            }
        }
        Change::Set { field, .. }
            if field == FF::Grade.name() && before.is_some_and(|r| r.get_raw(field).is_some()) =>
        {
            need(AUDITORS, "change a finding's grade", "更改发现项等级")
        }
        _ => Ok(()),
    }
}

/// A QA review: the lead plans it (contact, scorecard, two raters and a
/// reconciler, all fixed once scoring starts); each rater seals their own
/// scores, reveals them only once both seals are in and only as what they
/// sealed; the reconciler alone settles a pass/fail disagreement.
fn check_qa(
    me: &str,
    team: &Team,
    op: &Op,
    before: Option<&Record>,
    need: impl Fn(&[Role], &str, &str) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    use super::fields::QaField as QF;
    use super::qa::{self, Rater};
    need(RAISERS, "plan or score QA reviews", "安排或评分质检复核")?;
    let id = crate::text::visible(&op.entity.id).into_owned();
    let get = |f: QF| {
        before
            .and_then(|r| r.get_raw(f.name()))
            .and_then(Value::text)
            .filter(|t| !t.is_empty())
    };
    let lead_only = || {
        if team.is_lead(me) {
            Ok(())
        } else {
            Err(no(
                format!("only a lead plans QA review {id}; {me} is not one"),
                format!("只有组长可以安排质检复核 {id}；{me} 不是组长"),
            ))
        }
    };
    let (field, value) = match &op.change {
        Change::Create => return lead_only(),
        Change::Set { field, value } => (field.as_str(), value),
        _ => return Ok(()),
    };
    let Some(f) = <QF as fields::Field>::parse(field) else {
        return Ok(());
    };
    let text = value.text().unwrap_or_default();
    let card = || {
        get(QF::Scorecard)
            .map(qa::Card::parse)
            .transpose()
            .ok()
            .flatten()
            .ok_or_else(|| {
                no(
                    format!("QA review {id} has no readable scorecard"),
                    format!("质检复核 {id} 没有可读的评分表"),
                )
            })
    };
    let scores_ok = |card: &qa::Card, scores: Result<Vec<u32>, String>| {
        scores.and_then(|s| card.check(&s)).map_err(|e| {
            let e = crate::text::visible(&e).into_owned();
            no(format!("QA review {id}: {e}"), format!("质检复核 {id}：{e}"))
        })
    };
    let sealed = get(QF::SealA).is_some() || get(QF::SealB).is_some();
    let revealed = get(QF::RevealA).is_some() || get(QF::RevealB).is_some();
    match f {
        QF::Engagement | QF::Round | QF::Item | QF::Scorecard | QF::Draw | QF::RaterA | QF::RaterB | QF::Reconciler => {
            lead_only()?;
            if sealed {
                return Err(no(
                    format!("QA review {id} is being scored: its contact, scorecard and people are fixed"),
                    format!("质检复核 {id} 已开始评分：录音、评分表与人员不能再改"),
                ));
            }
            // Written once, by the lead who created the review: a plan field
            // is never changed, so no batch that leaves out the scoring
            // (a past its author chose) can change it under the raters, and
            // no two writes in one batch or by two leads can name one
            // person twice.
            if before.and_then(|r| r.created_by.as_deref()) != Some(me) {
                return Err(no(
                    format!("only the lead who created QA review {id} plans it"),
                    format!("只有创建质检复核 {id} 的组长可以安排它"),
                ));
            }
            if get(f).is_some() {
                return Err(no(
                    format!("QA review {id}: its {} is set once, when it is planned", f.name()),
                    format!("质检复核 {id}：{} 只在安排时设定一次", fields::Field::label(f, true)),
                ));
            }
            if f == QF::Scorecard {
                qa::Card::parse(text).map_err(|e| {
                    let e = crate::text::visible(&e).into_owned();
                    no(format!("QA review {id}: {e}"), format!("质检复核 {id}：{e}"))
                })?;
            }
            if matches!(f, QF::RaterA | QF::RaterB | QF::Reconciler) {
                let who = crate::text::visible(text).into_owned();
                if !team.role_of(text).is_some_and(|r| RAISERS.contains(&r)) {
                    return Err(no(
                        format!("QA review {id}: {who} is not an auditor of the team and cannot score or reconcile"),
                        format!("质检复核 {id}：{who} 不是审核组的审核员，不能评分或裁定"),
                    ));
                }
                let others: Vec<&str> = [QF::RaterA, QF::RaterB, QF::Reconciler]
                    .into_iter()
                    .filter(|g| *g != f)
                    .filter_map(get)
                    .collect();
                if others.contains(&text) {
                    return Err(no(
                        format!(
                            "QA review {id}: {who} already has another part in it; two raters and a reconciler are three people"
                        ),
                        format!("质检复核 {id}：{who} 已承担其他角色；两名评分人与裁定人须为三个不同的人"),
                    ));
                }
            }
        }
        QF::SealA | QF::SealB | QF::RevealA | QF::RevealB => {
            let r = if matches!(f, QF::SealA | QF::RevealA) {
                Rater::A
            } else {
                Rater::B
            };
            if get(r.name_field()) != Some(me) {
                return Err(no(
                    format!("{me} is not the rater of QA review {id} whose scores these are"),
                    format!("{me} 不是质检复核 {id} 中该评分的评分人"),
                ));
            }
            if f == r.seal_field() {
                // A seal is final: the rater's own earlier seal is always in
                // their past, so no chosen past lets them seal again after
                // seeing the other's scores.
                if get(f).is_some() {
                    return Err(no(
                        format!("QA review {id}: {me} has sealed scores already; a seal is final"),
                        format!("质检复核 {id}：{me} 已封存评分；封存后不能更改"),
                    ));
                }
                if revealed {
                    return Err(no(
                        format!(
                            "QA review {id}: scores are revealed; a seal is fixed once either rater's scores are out"
                        ),
                        format!("质检复核 {id}：评分已揭示；任一评分人揭示后封存不能再改"),
                    ));
                }
                if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(no(
                        format!("QA review {id}: a seal is a SHA-256 (64 hex digits)"),
                        format!("质检复核 {id}：封存值须为 SHA-256（64 位十六进制）"),
                    ));
                }
            } else {
                if get(QF::SealA).is_none() || get(QF::SealB).is_none() {
                    return Err(no(
                        format!("QA review {id}: scores are revealed only once both raters have sealed theirs"),
                        format!("质检复核 {id}：两名评分人都封存评分后才能揭示"),
                    ));
                }
                if get(f).is_some() {
                    return Err(no(
                        format!("QA review {id}: {me}'s scores are already revealed"),
                        format!("质检复核 {id}：{me} 的评分已揭示"),
                    ));
                }
                if get(r.seal_field()) != Some(qa::seal_of(text).as_str()) {
                    return Err(no(
                        format!("QA review {id}: the scores {me} reveals are not the ones {me} sealed"),
                        format!("质检复核 {id}：{me} 揭示的评分与其封存的不符"),
                    ));
                }
                scores_ok(&card()?, qa::reveal_scores(text))?;
            }
        }
        QF::Reconciled => {
            if get(QF::Reconciler) != Some(me) {
                return Err(no(
                    format!("{me} is not the reconciler of QA review {id}"),
                    format!("{me} 不是质检复核 {id} 的裁定人"),
                ));
            }
            if get(QF::Reconciled).is_some() {
                return Err(no(
                    format!("QA review {id} is already reconciled"),
                    format!("质检复核 {id} 已裁定"),
                ));
            }
            let card = card()?;
            let verdict = |f: QF| {
                get(f)
                    .and_then(|v| qa::reveal_scores(v).ok())
                    .map(|s| card.verdict(&s).pass)
            };
            match (verdict(QF::RevealA), verdict(QF::RevealB)) {
                (Some(a), Some(b)) if a != b => {}
                (Some(_), Some(_)) => {
                    return Err(no(
                        format!("QA review {id}: the raters agree on pass/fail; there is nothing to reconcile"),
                        format!("质检复核 {id}：两名评分人合格判定一致，无需裁定"),
                    ));
                }
                _ => {
                    return Err(no(
                        format!("QA review {id}: both raters' scores are revealed before reconciling"),
                        format!("质检复核 {id}：两名评分人的评分揭示后才能裁定"),
                    ));
                }
            }
            scores_ok(&card, qa::parse_scores(text))?;
        }
        QF::Note => {}
    }
    Ok(())
}

fn check_action(
    me: &str,
    op: &Op,
    before: Option<&Record>,
    need: impl Fn(&[Role], &str, &str) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let Change::Set { field, value } = &op.change else {
        return Ok(());
    };
    let get = |f: AF| before.and_then(|r| r.get_raw(f.name())).and_then(Value::text);
    let verifying = field == AF::VerifiedBy.name()
        || field == AF::Effective.name()
        || (field == AF::Status.name()
            && matches!(value.text(), Some(t) if t == ActionStatus::Effective.as_str() || t == ActionStatus::Ineffective.as_str()));
    if field == AF::Status.name()
        && let (Some(from), Some(to)) = (
            get(AF::Status).and_then(|t| t.parse::<ActionStatus>().ok()),
            value.text().and_then(|t| t.parse::<ActionStatus>().ok()),
        )
        && from != to
        && !(set_by(before, AF::Status.name()) == Some(me) && action::check_transition(to, from).is_ok())
    {
        action::check_transition(from, to).map_err(|e| {
            no(
                format!("{}: {e}", op.entity.id),
                format!("{}：不能从“{}”变为“{}”", op.entity.id, from.zh(), to.zh()),
            )
        })?;
    }
    if verifying {
        need(AUDITORS, "verify corrective actions", "验证纠正措施")?;
        if get(AF::Owner) == Some(me) {
            return Err(no(
                format!("{me} owns {} and may not verify it", op.entity.id),
                format!("{me} 是 {} 的责任人，不能验证该措施", op.entity.id),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ops::{Hlc, OpId};

    struct Held {
        team: Team,
        records: HashMap<EntityId, Record>,
    }
    impl Past for Held {
        fn team(&self) -> &Team {
            &self.team
        }
        fn record(&mut self, e: &EntityId) -> Option<Record> {
            self.records.get(e).cloned()
        }
        fn elsewhere(&mut self, e: &EntityId) -> Option<Record> {
            self.records.get(e).cloned()
        }
        fn team_elsewhere(&mut self, _: &str) -> Team {
            Team::default()
        }
    }

    fn op(actor: &str, seq: u64, kind: Kind, id: &str, change: Change) -> Op {
        Op {
            id: OpId {
                actor: actor.into(),
                seq,
            },
            hlc: Hlc {
                wall_ms: seq,
                counter: 0,
            },
            entity: EntityId::new(kind, id),
            change,
            base: None,
        }
    }
    fn set(field: &str, v: impl Into<Value>) -> Change {
        Change::Set {
            field: field.into(),
            value: v.into(),
        }
    }

    fn team() -> Team {
        let mut members = BTreeMap::new();
        for (a, r) in [
            ("lead", Role::Lead),
            ("aud", Role::Auditor),
            ("liaison", Role::AuditeeContact),
        ] {
            members.insert(
                a.to_string(),
                TeamMember {
                    role: Some(r),
                    key: Some(format!("key-{a}")),
                    left: false,
                    ..Default::default()
                },
            );
        }
        members.insert(
            "gone".into(),
            TeamMember {
                role: Some(Role::Auditor),
                key: None,
                left: true,
                ..Default::default()
            },
        );
        Team {
            creator: Some("lead".into()),
            members,
        }
    }

    fn finding(status: &str, grade: &str) -> Record {
        let e = EntityId::new(Kind::Finding, "LD-001");
        let mut r = Record::empty(e.clone());
        for (i, c) in [
            Change::Create,
            set("engagement", "T1"),
            set("grade", grade),
            set("status", status),
        ]
        .into_iter()
        .enumerate()
        {
            r.apply(&op("maker", i as u64 + 1, Kind::Finding, "LD-001", c));
        }
        r
    }

    fn judge(author: &str, ops: &[Op], records: &[Record]) -> Result<(), Refusal> {
        let mut held = Held {
            team: team(),
            records: records.iter().map(|r| (r.entity.clone(), r.clone())).collect(),
        };
        authorize(
            &Batch {
                engagement: "T1",
                author,
                genesis: false,
                programme: false,
                scope_genesis: None,
            },
            ops,
            &mut held,
        )
    }

    /// Two raters score blind, a third reconciles: every way around it is
    /// refused on the way in (a batch of a teammate's copy is hostile).
    #[test]
    fn qa_reviews_stay_blind_and_each_part_is_its_own_persons() {
        use crate::model::qa::seal_of;
        let mut t = team();
        for (a, r) in [("aud2", Role::Auditor), ("expert", Role::TechnicalExpert)] {
            t.members.insert(
                a.into(),
                TeamMember {
                    role: Some(r),
                    key: Some(format!("key-{a}")),
                    ..Default::default()
                },
            );
        }
        let id = "T1/QA-001";
        let mut held = Held {
            team: t,
            records: HashMap::new(),
        };
        let mut seq = 10;
        // Judge one change by `who`; keep it when allowed.
        let mut try_op = |held: &mut Held, who: &str, change: Change| -> Result<(), Refusal> {
            seq += 1;
            let o = op(who, seq, Kind::QaReview, id, change);
            authorize(
                &Batch {
                    engagement: "T1",
                    author: who,
                    genesis: false,
                    programme: false,
                    scope_genesis: None,
                },
                std::slice::from_ref(&o),
                held,
            )?;
            let e = EntityId::new(Kind::QaReview, id);
            held.records
                .entry(e.clone())
                .or_insert_with(|| Record::empty(e))
                .apply(&o);
            Ok(())
        };
        let card = "pass=80;Q1=50;F1=!50";
        // Only a lead plans; the people are auditors, and three.
        assert!(
            try_op(&mut held, "aud", Change::Create)
                .unwrap_err()
                .en
                .contains("only a lead")
        );
        try_op(&mut held, "lead", Change::Create).unwrap();
        try_op(&mut held, "lead", set("engagement", "T1")).unwrap();
        try_op(&mut held, "lead", set("scorecard", card)).unwrap();
        assert!(try_op(&mut held, "lead", set("scorecard", "pass=80")).is_err());
        let e = try_op(&mut held, "lead", set("rater_a", "liaison")).unwrap_err();
        assert!(e.en.contains("not an auditor"), "{}", e.en);
        try_op(&mut held, "lead", set("rater_a", "aud")).unwrap();
        assert!(
            try_op(&mut held, "lead", set("rater_b", "aud"))
                .unwrap_err()
                .en
                .contains("three people")
        );
        try_op(&mut held, "lead", set("rater_b", "aud2")).unwrap();
        assert!(try_op(&mut held, "lead", set("reconciler", "aud2")).is_err());
        try_op(&mut held, "lead", set("reconciler", "expert")).unwrap();
        // Set once: no second write names someone else (or the same one twice).
        assert!(
            try_op(&mut held, "lead", set("rater_a", "expert"))
                .unwrap_err()
                .en
                .contains("set once")
        );

        let (ra, rb) = (
            "00112233445566778899aabbccddeeff:50,50",
            "ffeeddccbbaa99887766554433221100:50,0",
        );
        // Nobody seals in another's name.
        assert!(
            try_op(&mut held, "aud2", set("seal_a", seal_of(ra)))
                .unwrap_err()
                .en
                .contains("not the rater")
        );
        assert!(try_op(&mut held, "aud", set("seal_a", "not a hash")).is_err());
        try_op(&mut held, "aud", set("seal_a", seal_of(ra))).unwrap();
        // A seal is final, even before the other's is in.
        let e = try_op(&mut held, "aud", set("seal_a", seal_of(ra))).unwrap_err();
        assert!(e.en.contains("final"), "{}", e.en);
        // A seal is final, even before the other's is in.
        assert!(
            try_op(&mut held, "aud", set("seal_a", seal_of(ra)))
                .unwrap_err()
                .en
                .contains("final")
        );
        // Once scoring started the plan is fixed, even for the lead.
        assert!(
            try_op(&mut held, "lead", set("rater_b", "lead"))
                .unwrap_err()
                .en
                .contains("fixed")
        );
        // A reveals before B sealed: refused (B would see A's scores).
        let e = try_op(&mut held, "aud", set("reveal_a", ra)).unwrap_err();
        assert!(e.en.contains("both raters have sealed"), "{}", e.en);
        try_op(&mut held, "aud2", set("seal_b", seal_of(rb))).unwrap();
        // B, having seen nothing yet, reveals; then A may not change their mind.
        try_op(&mut held, "aud2", set("reveal_b", rb)).unwrap();
        let other = "00112233445566778899aabbccddeeff:50,0";
        assert!(
            try_op(&mut held, "aud", set("seal_a", seal_of(other)))
                .unwrap_err()
                .en
                .contains("final")
        );
        let e = try_op(&mut held, "aud", set("reveal_a", other)).unwrap_err();
        assert!(e.en.contains("not the ones"), "{}", e.en);
        assert!(try_op(&mut held, "aud", set("reveal_a", Value::Null)).is_err());
        // Not reconcilable before both are out.
        assert!(try_op(&mut held, "expert", set("reconciled", "50,50")).is_err());
        try_op(&mut held, "aud", set("reveal_a", ra)).unwrap();
        assert!(
            try_op(&mut held, "aud", set("reveal_a", ra))
                .unwrap_err()
                .en
                .contains("already")
        );
        // A passes, B fails (a fatal item): only the reconciler settles it.
        assert!(
            try_op(&mut held, "lead", set("reconciled", "50,50"))
                .unwrap_err()
                .en
                .contains("not the reconciler")
        );
        assert!(
            try_op(&mut held, "expert", set("reconciled", "50,20")).is_err(),
            "a fatal item is met or failed"
        );
        try_op(&mut held, "expert", set("reconciled", "50,0")).unwrap();
        // A scored review stays in the round.
        assert!(
            try_op(&mut held, "lead", Change::Tombstone)
                .unwrap_err()
                .en
                .contains("stays")
        );
        assert!(
            try_op(&mut held, "expert", set("reconciled", "50,50"))
                .unwrap_err()
                .en
                .contains("already")
        );
        let r = crate::model::qa::QaReview::from_record(&held.records[&EntityId::new(Kind::QaReview, id)]).unwrap();
        assert_eq!((r.disagree(), r.final_pass()), (Some(true), Some(false)));
    }

    #[test]
    fn an_intern_is_not_a_registered_auditor_on_any_copy() {
        let mut t = team();
        for a in ["lead", "aud"] {
            let m = t.members.get_mut(a).unwrap();
            m.registered = true;
        }
        let day = jiff::civil::date(2026, 12, 7);
        assert_eq!(t.registered_auditors(day), 2);
        t.members.get_mut("aud").unwrap().intern = true;
        assert_eq!(t.registered_auditors(day), 1);
        // From the member records: `level = intern` as the history holds it.
        let e = EntityId::new(Kind::Member, "T1/aud");
        let mut r = Record::empty(e.clone());
        for (i, c) in [
            Change::Create,
            set("role", "auditor"),
            set("certificate_no", "CCAA-2"),
            set("level", "intern"),
        ]
        .into_iter()
        .enumerate()
        {
            r.apply(&op("lead", i as u64 + 1, Kind::Member, "T1/aud", c));
        }
        let t = Team::from_records(Some("lead".into()), [&r]);
        assert!(t.members["aud"].intern && t.members["aud"].registered);
        assert_eq!(t.registered_auditors(day), 0);
        // A level that is none is refused as a value; so is any spelling
        // but the stored one (every rule compares the text).
        for v in ["trainee", "INTERN", "实习审查员", " intern"] {
            let bad = [op("lead", 9, Kind::Member, "T1/aud", set("level", v))];
            let err = judge("lead", &bad, &[]).unwrap_err();
            assert!(err.en.contains("not a value of level"), "{v}: {}", err.en);
        }
        let bad = [op("lead", 9, Kind::Member, "T1/x", set("role", "Technical_Reviewer"))];
        assert!(judge("lead", &bad, &[]).unwrap_err().en.contains("not a value of role"));
    }

    #[test]
    fn meetings_are_the_auditors_opening_and_closing_only() {
        let m = |who: &str, id: &str| judge(who, &[op(who, 9, Kind::Meeting, id, Change::Create)], &[]);
        assert!(m("aud", "T1/opening").is_ok());
        assert!(m("lead", "T1/closing").is_ok());
        assert!(m("aud", "T1/party").unwrap_err().en.contains("opening and its closing"));
        assert!(m("aud", "T1/Opening").is_err(), "the stored spelling only");
        assert!(m("liaison", "T1/opening").is_err(), "not the auditee's contact");
    }

    #[test]
    fn an_outsider_and_a_removed_member_change_nothing() {
        let o = [op("wang.wu", 1, Kind::Finding, "WW-001", Change::Create)];
        assert!(judge("wang.wu", &o, &[]).unwrap_err().en.contains("not on the team"));
        let o = [op("gone", 9, Kind::Finding, "GO-001", Change::Create)];
        assert!(judge("gone", &o, &[]).unwrap_err().en.contains("has left"));
    }

    #[test]
    fn the_auditee_contact_neither_plans_nor_scores_test_calls() {
        let plan = [
            op("liaison", 5, Kind::TestCall, "T1/TC-001", Change::Create),
            op("liaison", 6, Kind::TestCall, "T1/TC-001", set("engagement", "T1")),
        ];
        let e = judge("liaison", &plan, &[]).unwrap_err();
        assert!(e.en.contains("auditee's contact"), "{}", e.en);
        let plan: Vec<Op> = plan
            .iter()
            .map(|o| Op {
                id: OpId {
                    actor: "aud".into(),
                    seq: o.id.seq,
                },
                ..o.clone()
            })
            .collect();
        assert!(judge("aud", &plan, &[]).is_ok());
        let mut call = Record::empty(EntityId::new(Kind::TestCall, "T1/TC-001"));
        for o in &plan {
            call.apply(o);
        }
        let score = [op(
            "liaison",
            7,
            Kind::TestCall,
            "T1/TC-001",
            Change::Set {
                field: "correct".into(),
                value: Value::Bool(true),
            },
        )];
        assert!(judge("liaison", &score, std::slice::from_ref(&call)).is_err());
        // Nobody records a call in another's name.
        let forged = [op("aud", 7, Kind::TestCall, "T1/TC-001", set("caller", "lead"))];
        let e = judge("aud", &forged, std::slice::from_ref(&call)).unwrap_err();
        assert!(e.en.contains("caller"), "{}", e.en);
        let own = [op("aud", 7, Kind::TestCall, "T1/TC-001", set("caller", "aud"))];
        assert!(judge("aud", &own, std::slice::from_ref(&call)).is_ok());
        // A yes/no measure holds a yes or a no.
        let typed = [op("aud", 7, Kind::TestCall, "T1/TC-001", set("correct", "yes"))];
        assert!(judge("aud", &typed, std::slice::from_ref(&call)).is_err());
    }

    fn request(status: &str, addressee: &str) -> Record {
        let e = EntityId::new(Kind::Request, "T1/R001");
        let mut r = Record::empty(e.clone());
        for (i, c) in [
            Change::Create,
            set("engagement", "T1"),
            set("text", "IVR menu map"),
            set("addressee", addressee),
            set("status", status),
        ]
        .into_iter()
        .enumerate()
        {
            r.apply(&op("lead", i as u64 + 1, Kind::Request, "T1/R001", c));
        }
        r
    }

    #[test]
    fn the_auditee_answers_its_requests_and_nothing_else() {
        let open = request("open", "liaison");
        let answer = [
            op("liaison", 9, Kind::Evidence, "T1/abc", Change::Create),
            op("liaison", 10, Kind::Evidence, "T1/abc", set("captured_by", "liaison")),
            op("liaison", 11, Kind::Request, "T1/R001", set("answer", "attached")),
            op(
                "liaison",
                12,
                Kind::Request,
                "T1/R001",
                Change::Link {
                    rel: "evidence".into(),
                    target: "abc".into(),
                },
            ),
            op("liaison", 13, Kind::Request, "T1/R001", set("status", "submitted")),
        ];
        assert!(judge("liaison", &answer, std::slice::from_ref(&open)).is_ok());
        // Not a request addressed to someone else; not accepting its own answer.
        let other = request("open", "aud");
        let e = judge("liaison", &answer[2..3], std::slice::from_ref(&other)).unwrap_err();
        assert!(e.en.contains("only its addressee"), "{}", e.en);
        let submitted = request("submitted", "liaison");
        let accept = [op("liaison", 9, Kind::Request, "T1/R001", set("status", "accepted"))];
        assert!(judge("liaison", &accept, std::slice::from_ref(&submitted)).is_err());
        let by_aud = [op("aud", 9, Kind::Request, "T1/R001", set("status", "accepted"))];
        assert!(judge("aud", &by_aud, std::slice::from_ref(&submitted)).is_ok());
        // Nor a skipped step, by anyone.
        let skip = [op("aud", 9, Kind::Request, "T1/R001", set("status", "accepted"))];
        assert!(judge("aud", &skip, std::slice::from_ref(&open)).is_err());
        // The auditee does not assess, raise, restate or plan.
        for (kind, id, change) in [
            (Kind::Assessment, "T1/SL-01", set("result", "conforming")),
            (Kind::Request, "T1/R002", Change::Create),
            (Kind::Milestone, "T1/M1", set("title", "x")),
            (Kind::Finding, "LD-001", set("statement", "nothing wrong")),
            (Kind::Member, "T1/aud", set("responsibilities", "x")),
            (Kind::Evidence, "T1/other", set("note", "x")),
        ] {
            let f = finding("issued", "minor");
            let e = judge(
                "liaison",
                &[op("liaison", 9, kind, id, change.clone())],
                std::slice::from_ref(&f),
            );
            assert!(e.is_err(), "{kind:?} {id} {change}");
        }
        // It responds to a finding and reports on its actions.
        let f = finding("issued", "minor");
        let respond = [
            op("liaison", 9, Kind::Finding, "LD-001", set("root_cause", "staffing")),
            op("liaison", 10, Kind::Finding, "LD-001", set("status", "responded")),
            op("liaison", 11, Kind::Action, "T1/LD-001-1", Change::Create),
            op("liaison", 12, Kind::Action, "T1/LD-001-1", set("engagement", "T1")),
            op("liaison", 13, Kind::Action, "T1/LD-001-1", set("progress", 50)),
        ];
        assert!(judge("liaison", &respond, std::slice::from_ref(&f)).is_ok());
    }

    #[test]
    fn only_a_lead_changes_the_team_or_the_engagement() {
        let o = [op("aud", 5, Kind::Member, "T1/aud", set("role", "lead"))];
        assert!(judge("aud", &o, &[]).unwrap_err().en.contains("not a lead"));
        let o = [op("aud", 5, Kind::Member, "T1/wang.wu", Change::Create)];
        assert!(judge("aud", &o, &[]).is_err());
        let o = [op("aud", 5, Kind::Engagement, "T1", set("title", "x"))];
        assert!(judge("aud", &o, &[]).is_err());
        let o = [op("lead", 5, Kind::Member, "T1/wang.wu", Change::Create)];
        assert!(judge("lead", &o, &[]).is_ok());
    }

    #[test]
    fn moves_follow_the_lifecycle_and_the_roles() {
        let f = finding("plan-accepted", "major");
        let close = [op("aud", 5, Kind::Finding, "LD-001", set("status", "closed"))];
        assert!(judge("aud", &close, std::slice::from_ref(&f)).is_err());
        let implement = [op("liaison", 5, Kind::Finding, "LD-001", set("status", "implemented"))];
        assert!(judge("liaison", &implement, std::slice::from_ref(&f)).is_ok());
        let f = finding("implemented", "major");
        let verify = [op("liaison", 5, Kind::Finding, "LD-001", set("status", "verified"))];
        assert!(judge("liaison", &verify, std::slice::from_ref(&f)).is_err());
        let verify = [op("aud", 5, Kind::Finding, "LD-001", set("status", "verified"))];
        assert!(judge("aud", &verify, std::slice::from_ref(&f)).is_ok());
        // Earlier ops of the batch count for later ones.
        let two = [
            op("aud", 5, Kind::Finding, "LD-001", set("status", "verified")),
            op("aud", 6, Kind::Finding, "LD-001", set("status", "closed")),
        ];
        assert!(judge("aud", &two, std::slice::from_ref(&f)).is_ok());
        // Its author takes a move back (undo); someone else may not.
        let mut g = f.clone();
        g.apply(&op("aud", 20, Kind::Finding, "LD-001", set("status", "verified")));
        let back = [op("aud", 21, Kind::Finding, "LD-001", set("status", "implemented"))];
        assert!(judge("aud", &back, std::slice::from_ref(&g)).is_ok());
        assert!(
            judge(
                "lead",
                &[op("lead", 21, Kind::Finding, "LD-001", set("status", "implemented"))],
                &[g]
            )
            .is_err()
        );
    }

    #[test]
    fn values_are_typed_and_a_records_engagement_is_fixed() {
        let f = finding("issued", "minor");
        let o = [op("aud", 5, Kind::Finding, "LD-001", set("grade", 3i64))];
        assert!(
            judge("aud", &o, std::slice::from_ref(&f))
                .unwrap_err()
                .en
                .contains("not a value")
        );
        let o = [op("aud", 5, Kind::Finding, "LD-001", set("grade", "catastrophic"))];
        assert!(judge("aud", &o, std::slice::from_ref(&f)).is_err());
        let o = [op("aud", 5, Kind::Finding, "LD-001", set("engagement", "T2"))];
        assert!(
            judge("aud", &o, std::slice::from_ref(&f))
                .unwrap_err()
                .en
                .contains("fixed")
        );
        let o = [op("aud", 5, Kind::Assessment, "T2/AC-01", set("notes", "x"))];
        assert!(
            judge("aud", &o, &[])
                .unwrap_err()
                .en
                .contains("belongs to engagement T2")
        );
        let o = [
            op("aud", 5, Kind::Finding, "AU-001", Change::Create),
            op("aud", 6, Kind::Finding, "AU-001", set("engagement", "T2")),
        ];
        assert!(judge("aud", &o, &[]).is_err());
    }

    #[test]
    fn deleting_is_for_a_lead_or_the_creator() {
        let f = finding("draft", "minor");
        let o = [op("aud", 5, Kind::Finding, "LD-001", Change::Tombstone)];
        assert!(judge("aud", &o, std::slice::from_ref(&f)).is_err());
        assert!(
            judge(
                "lead",
                &[op("lead", 5, Kind::Finding, "LD-001", Change::Tombstone)],
                &[f]
            )
            .is_ok()
        );
    }

    #[test]
    fn an_owner_does_not_verify_their_own_action() {
        let e = EntityId::new(Kind::Action, "LD-001-A1");
        let mut r = Record::empty(e.clone());
        for (i, c) in [
            Change::Create,
            set("engagement", "T1"),
            set("owner", "aud"),
            set("status", "completed"),
        ]
        .into_iter()
        .enumerate()
        {
            r.apply(&op("maker", i as u64 + 1, Kind::Action, &e.id, c));
        }
        let o = [op("aud", 9, Kind::Action, &e.id, set("verified_by", "aud"))];
        assert!(
            judge("aud", &o, std::slice::from_ref(&r))
                .unwrap_err()
                .en
                .contains("owns")
        );
        let o = [op("lead", 9, Kind::Action, &e.id, set("status", "verified-effective"))];
        assert!(judge("lead", &o, std::slice::from_ref(&r)).is_ok());
        let o = [op("lead", 9, Kind::Action, &e.id, set("status", "planned"))];
        assert!(judge("lead", &o, &[r]).is_err());
    }
}
