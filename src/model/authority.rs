//! Who may make which change: pure functions of the engagement state a batch
//! is judged against (its causal past for a teammate's batch, the state held
//! for a local commit — the same rules either way).
//!
//! | change | who may |
//! |---|---|
//! | create the engagement | anyone, in the batch that is its genesis (the author is its creator and lead) |
//! | engagement fields | a lead; decision and certificate fields: only a member the lead registered as decision maker (who is on no audit team) |
//! | team: add a member, role, key, removal, registration | a lead (while no key is registered: any member, but never a key or a role of lead) |
//! | a member's responsibilities | any member |
//! | raise a finding | lead, auditor, technical expert (past draft: lead or auditor) |
//! | a finding's status | by target: issue, accept plan, send back, verify, close, withdraw, reopen — lead or auditor; respond, implement — also the auditee contact; along the lifecycle only |
//! | delete a record | a lead, or the record's creator |
//! | verify an action (verified_by/on, effective, status effective/ineffective) | lead or auditor, not the action's owner |
//! | anything else of the engagement | any member who has not left |
//! | every change | typed values; a record's engagement fixed at creation |

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
}

fn no(en: String, zh: String) -> Refusal {
    Refusal { en, zh }
}

/// One member as the team's history left them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TeamMember {
    pub role: Option<Role>,
    /// The registered key (OpenSSH text), if any.
    pub key: Option<String>,
    /// The lead removed them (their key revoked).
    pub left: bool,
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
}

/// What is being judged: one author's batch of one engagement.
pub struct Batch<'a> {
    pub engagement: &'a str,
    pub author: &'a str,
    /// The batch creates the engagement.
    pub genesis: bool,
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
fn is_decision_field(field: &str) -> bool {
    [
        EF::DecisionOutcome,
        EF::DecisionBy,
        EF::DecisionOn,
        EF::DecisionBasis,
        EF::CertificateNo,
        EF::CertificateIssued,
        EF::CertificateUntil,
        EF::CertificateStatus,
    ]
    .iter()
    .any(|f| f.name() == field)
}

/// Judge a batch's ops, in order, against `past` (ops earlier in the batch
/// count for later ones). The first refused op refuses the batch.
pub fn authorize(b: &Batch<'_>, ops: &[Op], past: &mut dyn Past) -> Result<(), Refusal> {
    let team = if b.genesis {
        Team {
            creator: Some(b.author.to_string()),
            members: BTreeMap::new(),
        }
    } else {
        past.team().clone()
    };
    let me = b.author;
    let eng = b.engagement;
    if !b.genesis && team.active(me).is_none() && !team.is_lead(me) {
        {
            return Err(if team.members.get(me).is_some_and(|m| m.left) {
                no(
                    format!("{me} has left the team of {eng} (the lead removed them)"),
                    format!("{me} 已离开 {eng} 审核组（组长已将其移出）"),
                )
            } else {
                no(
                    format!("{me} is not on the team of {eng}"),
                    format!("{me} 不是 {eng} 审核组成员"),
                )
            });
        }
    }
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
    // 3. Who may.
    if op.change == Change::Tombstone {
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
                return need(
                    &[Role::DecisionMaker],
                    "record the certification decision",
                    "记录认证决定",
                );
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
                },
            );
        }
        members.insert(
            "gone".into(),
            TeamMember {
                role: Some(Role::Auditor),
                key: None,
                left: true,
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
            },
            ops,
            &mut held,
        )
    }

    #[test]
    fn an_outsider_and_a_removed_member_change_nothing() {
        let o = [op("wang.wu", 1, Kind::Finding, "WW-001", Change::Create)];
        assert!(judge("wang.wu", &o, &[]).unwrap_err().en.contains("not on the team"));
        let o = [op("gone", 9, Kind::Finding, "GO-001", Change::Create)];
        assert!(judge("gone", &o, &[]).unwrap_err().en.contains("has left"));
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
