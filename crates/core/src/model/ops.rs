//! The operations log: every change is an [`Op`]; a record is the fold of its ops.
//!
//! Folding is a pure function of the *set* of ops for one entity (they are sorted
//! by `(hlc, actor, seq)` first), which is what makes merging converge whatever the
//! order bundles arrive in, and makes importing twice a no-op.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

pub use super::record::{Conflict, FieldState, LinkState, Record, RecordError};

/// Globally unique op id: the author and the author's own sequence number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    pub actor: String,
    pub seq: u64,
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.actor, self.seq)
    }
}

impl std::str::FromStr for OpId {
    type Err = String;
    /// `actor#seq`, as [`OpId`] displays.
    fn from_str(s: &str) -> Result<OpId, String> {
        let (actor, seq) = s
            .rsplit_once('#')
            .ok_or_else(|| format!("`{s}` is not an operation id (actor#number, e.g. zhang.wei#42)"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("`{s}` is not an operation id (actor#number, e.g. zhang.wei#42)"))?;
        if actor.is_empty() {
            return Err(format!("`{s}` names no actor (actor#number)"));
        }
        Ok(OpId {
            actor: actor.to_string(),
            seq,
        })
    }
}

/// Hybrid logical clock: wall-clock milliseconds plus a counter for ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
}

impl Hlc {
    /// The next local clock value after `self`, given the wall clock now.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
            }
        } else {
            Hlc {
                wall_ms: self.wall_ms,
                counter: self.counter.saturating_add(1),
            }
        }
    }
    /// Advance past a clock value seen on a foreign op.
    pub fn observe(self, seen: Hlc) -> Hlc {
        self.max(seen)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    Engagement,
    Member,
    Assessment,
    Finding,
    Action,
    Evidence,
    /// A milestone of an engagement's plan.
    Milestone,
    /// A certification programme: the body's own team (its decision
    /// makers), with a genesis of its own; decisions on its engagements are
    /// recorded in it.
    Programme,
    /// A test call of an engagement's mystery-shopping campaign: planned
    /// (time slot, service), then made and recorded.
    TestCall,
    /// A contact of a QA re-scoring round: two raters score it blind
    /// (sealed, then revealed), a third reconciles a disagreement.
    QaReview,
    /// A declared interest of a person in a programme's client (consultancy
    /// within two years, employment…): `PROGRAMME/actor`, in the
    /// programme's batches; it refuses their allocation to its audits.
    Interest,
    /// An audit's opening or closing meeting: time, place, attendees,
    /// photos (`ENGAGEMENT/opening`, `ENGAGEMENT/closing`).
    Meeting,
    /// An activity of an engagement's audit plan: date, time, place,
    /// auditors (`ENGAGEMENT/A01`).
    Activity,
    /// An evidence request to the auditee (`ENGAGEMENT/R001`): the
    /// auditors ask, its addressee answers with files.
    Request,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Engagement,
        Kind::Member,
        Kind::Assessment,
        Kind::Finding,
        Kind::Action,
        Kind::Evidence,
        Kind::Milestone,
        Kind::Programme,
        Kind::TestCall,
        Kind::QaReview,
        Kind::Interest,
        Kind::Meeting,
        Kind::Activity,
        Kind::Request,
    ];
    pub fn tag(self) -> u8 {
        match self {
            Kind::Engagement => 1,
            Kind::Member => 2,
            Kind::Assessment => 3,
            Kind::Finding => 4,
            Kind::Action => 5,
            Kind::Evidence => 6,
            Kind::Milestone => 7,
            Kind::Programme => 8,
            Kind::TestCall => 9,
            Kind::QaReview => 10,
            Kind::Interest => 11,
            Kind::Meeting => 12,
            Kind::Activity => 13,
            Kind::Request => 14,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::Engagement => "engagement",
            Kind::Member => "member",
            Kind::Assessment => "assessment",
            Kind::Finding => "finding",
            Kind::Action => "action",
            Kind::Evidence => "evidence",
            Kind::Milestone => "milestone",
            Kind::Programme => "programme",
            Kind::TestCall => "testcall",
            Kind::QaReview => "qareview",
            Kind::Interest => "interest",
            Kind::Meeting => "meeting",
            Kind::Activity => "activity",
            Kind::Request => "request",
        }
    }
    /// The kind's name in Chinese, for messages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Kind::Engagement => "审核项目",
            Kind::Member => "审核组成员",
            Kind::Assessment => "指标评估",
            Kind::Finding => "发现项",
            Kind::Action => "纠正措施",
            Kind::Evidence => "证据",
            Kind::Milestone => "计划节点",
            Kind::Programme => "认证方案",
            Kind::TestCall => "测试电话",
            Kind::QaReview => "质检复核",
            Kind::Interest => "利益关系",
            Kind::Meeting => "会议",
            Kind::Activity => "审核活动",
            Kind::Request => "资料请求",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityId {
    pub kind: Kind,
    pub id: String,
}

impl EntityId {
    pub fn new(kind: Kind, id: impl Into<String>) -> Self {
        EntityId { kind, id: id.into() }
    }

    /// Which engagement a record belongs to, as far as its id tells: findings
    /// and actions are named by reference and say it in their `engagement`
    /// field (`None` here).
    pub fn engagement_in_id(&self) -> Option<&str> {
        match self.kind {
            Kind::Engagement | Kind::Programme => Some(&self.id),
            Kind::Member
            | Kind::Assessment
            | Kind::Evidence
            | Kind::Milestone
            | Kind::TestCall
            | Kind::QaReview
            | Kind::Interest
            | Kind::Meeting
            | Kind::Activity
            | Kind::Request => self.id.split_once('/').map(|(eng, _)| eng),
            // `ENGAGEMENT/ZW-001` since references are per engagement; a
            // bare `ZW-001` (written before) names it in its field.
            Kind::Finding | Kind::Action => self.id.split_once('/').map(|(eng, _)| eng),
        }
    }

    /// What people call the record: a finding's or action's reference
    /// without its engagement (`ZW-001` of `E1/ZW-001`), else the id.
    pub fn reference(&self) -> &str {
        match self.kind {
            Kind::Finding | Kind::Action => short_reference(&self.id),
            _ => &self.id,
        }
    }
}

/// A finding's or action's id without its engagement: `ZW-001` of
/// `E1/ZW-001` (a bare reference stays as it is).
pub fn short_reference(id: &str) -> &str {
    id.split_once('/').map_or(id, |(_, r)| r)
}

/// The id of a finding or action `reference` in `engagement` as written
/// since references are per engagement.
pub fn scoped_id(engagement: &str, reference: &str) -> String {
    format!("{engagement}/{reference}")
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.id)
    }
}

/// A field value. Kept small and self-describing so records fold generically.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Date(Date),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "∅"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Date(d) => write!(f, "{d}"),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<Date> for Value {
    fn from(d: Date) -> Self {
        Value::Date(d)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Value::Int(x)
    }
}
impl From<bool> for Value {
    fn from(x: bool) -> Self {
        Value::Bool(x)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Self {
        x.map_or(Value::Null, Into::into)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Create,
    Set {
        field: String,
        value: Value,
    },
    Link {
        rel: String,
        target: String,
    },
    Unlink {
        rel: String,
        target: String,
    },
    Tombstone,
    /// The lead confirms the current value of `field` over the conflicting `loser`.
    Resolve {
        field: String,
        loser: OpId,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Create => write!(f, "created"),
            Change::Set { field, value } => write!(f, "set {field} = {value}"),
            Change::Link { rel, target } => write!(f, "linked {rel} {target}"),
            Change::Unlink { rel, target } => write!(f, "unlinked {rel} {target}"),
            Change::Tombstone => write!(f, "deleted"),
            Change::Resolve { field, loser } => write!(f, "resolved conflict on {field} (over {loser})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub id: OpId,
    pub hlc: Hlc,
    pub entity: EntityId,
    pub change: Change,
    /// The last op on the same field the author had seen (None for a first write).
    pub base: Option<OpId>,
}

impl Op {
    /// Total order of the log.
    pub fn order_key(&self) -> (Hlc, &str, u64) {
        (self.hlc, &self.id.actor, self.id.seq)
    }
}

pub fn sort_ops(ops: &mut [Op]) {
    ops.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
}
