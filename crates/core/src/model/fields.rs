//! Record fields: each record kind defines its fields once, here — the name
//! stored in operations, the value type and the label in both languages.
//! No other layer spells a field name as a string; they name a variant
//! (`FindingField::ClosureDue`) and this table says how it is stored.
//!
//! Operations keep field names as text, so a field written by a newer cscaudit
//! that this build does not know is still folded, stored, merged and shown raw.

use super::ops::{Kind, Value};

/// The value a field holds in its `Set` operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Date,
    Number,
    Int,
    Bool,
}

impl ValueType {
    /// Whether a value may be stored in a field of this type (`Null` clears any field).
    pub fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (ValueType::Text, Value::Text(_))
                | (ValueType::Date, Value::Date(_))
                | (ValueType::Number, Value::Float(_) | Value::Int(_))
                | (ValueType::Int, Value::Int(_))
                | (ValueType::Bool, Value::Bool(_))
        )
    }
}

/// Something that names a stored field: a typed field of one record kind.
pub trait FieldName: Copy {
    fn name(self) -> &'static str;
}

/// A typed field of one record kind.
pub trait Field: FieldName + Copy + PartialEq + std::fmt::Debug + 'static {
    const KIND: Kind;
    const ALL: &'static [Self];
    fn ty(self) -> ValueType;
    fn label(self, zh: bool) -> &'static str;
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }
}

macro_rules! record_fields {
    ($(#[$m:meta])* $name:ident for $kind:ident {
        $($var:ident = $s:literal : $ty:ident / $en:literal / $zh:literal),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($var),+ }
        impl FieldName for $name {
            fn name(self) -> &'static str { match self { $($name::$var => $s),+ } }
        }
        impl Field for $name {
            const KIND: Kind = Kind::$kind;
            const ALL: &'static [$name] = &[$($name::$var),+];
            fn ty(self) -> ValueType { match self { $($name::$var => ValueType::$ty),+ } }
            fn label(self, zh: bool) -> &'static str {
                match self { $($name::$var => if zh { $zh } else { $en }),+ }
            }
        }
    };
}

record_fields!(
    /// An audit engagement.
    EngagementField for Engagement {
        Title = "title": Text / "title" / "标题",
        Auditee = "auditee": Text / "auditee" / "受审核方",
        Site = "site": Text / "site" / "场所",
        Kind = "kind": Text / "kind" / "审核类型",
        PeriodStart = "period_start": Date / "period start" / "审核期起",
        PeriodEnd = "period_end": Date / "period end" / "审核期止",
        CatalogId = "catalog_id": Text / "catalogue" / "指标目录",
        CatalogVersion = "catalog_version": Text / "catalogue version" / "目录版本",
        CatalogSha256 = "catalog_sha256": Text / "catalogue SHA-256" / "目录 SHA-256",
        Programme = "programme": Text / "programme" / "认证方案",
        ProgrammeGenesis = "programme_genesis": Text / "programme's genesis" / "认证方案创建批次",
        Follows = "follows": Text / "follows" / "上一次审核",
        Scope = "scope": Text / "scope" / "范围",
        ClosedOn = "closed_on": Date / "closed on" / "结束日期",
        DecisionOutcome = "decision_outcome": Text / "decision" / "认证决定",
        DecisionBy = "decision_by": Text / "decided by" / "决定人",
        DecisionOn = "decision_on": Date / "decided on" / "决定日期",
        DecisionBasis = "decision_basis": Text / "decision basis" / "决定依据",
        CertificateNo = "certificate_no": Text / "certificate no." / "证书编号",
        CertificateIssued = "certificate_issued": Date / "certificate issued" / "发证日期",
        CertificateUntil = "certificate_until": Date / "certificate valid until" / "证书有效期至",
        CertificateStatus = "certificate_status": Text / "certificate status" / "证书状态",
        Objectives = "objectives": Text / "objectives" / "目标",
        ClientKind = "client_kind": Text / "client kind" / "客户类型",
        ReviewBy = "review_by": Text / "technical review by" / "技术评审人",
        ReviewOn = "review_on": Date / "technical review on" / "技术评审日期",
        ReviewNote = "review_note": Text / "technical review" / "技术评审意见",
        Criteria = "criteria": Text / "audit criteria" / "审核准则",
        Sites = "sites": Text / "sites audited" / "审核场所",
        AuditMode = "audit_mode": Text / "audit mode" / "审核方式",
        Agents = "agents": Int / "centre size (agents)" / "中心规模（座席数）",
        DaysPlanned = "days_planned": Number / "person-days planned" / "计划人日",
        DaysActual = "days_actual": Number / "person-days spent" / "实际人日",
        DaysJustification = "days_justification": Text / "person-days justification" / "人日调整理由",
        ScoreDeductions = "score_deductions": Text / "special deductions" / "特别扣分",
        ScoreBonus = "score_bonus": Number / "bonus" / "加分",
        ScoreBonusReason = "score_bonus_reason": Text / "reason for the bonus" / "加分理由",
        CertificateStatusOn = "certificate_status_on": Date / "certificate status since" / "证书状态变更日期",
        CertificateStatusReason = "certificate_status_reason": Text / "reason for the status" / "状态变更原因",
    }
);

record_fields!(
    /// A certification programme (its team are `PROGRAMME/actor` members).
    ProgrammeField for Programme {
        Title = "title": Text / "title" / "名称",
        Client = "client": Text / "client" / "认证委托方",
        ClientCode = "client_code": Text / "client's unified social credit code" / "统一社会信用代码",
    }
);

record_fields!(
    /// A team member of one engagement.
    MemberField for Member {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Actor = "actor": Text / "actor" / "用户标识",
        Name = "name": Text / "name" / "姓名",
        Initials = "initials": Text / "initials" / "缩写",
        Role = "role": Text / "role" / "角色",
        CertificateNo = "certificate_no": Text / "certificate no." / "证书编号",
        Key = "key": Text / "signing key" / "签名公钥",
        RegistrationUntil = "registration_until": Date / "registration valid until" / "注册有效期至",
        Responsibilities = "responsibilities": Text / "responsibilities" / "职责",
        Level = "level": Text / "registration level" / "注册级别",
    }
);

record_fields!(
    /// The result of one indicator in one engagement.
    AssessmentField for Assessment {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Indicator = "indicator": Text / "indicator" / "指标",
        Result = "result": Text / "result" / "结论",
        Score = "score": Number / "score" / "得分",
        Measured = "measured": Number / "measured value" / "实测值",
        Method = "method": Text / "method" / "方法",
        Notes = "notes": Text / "notes" / "备注",
        Assignee = "assignee": Text / "assignee" / "负责人",
        Workflow = "workflow": Text / "workflow" / "工作状态",
    }
);

record_fields!(
    /// A finding (nonconformity, observation, improvement).
    FindingField for Finding {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Grade = "grade": Text / "grade" / "等级",
        Status = "status": Text / "status" / "状态",
        Title = "title": Text / "title" / "标题",
        Statement = "statement": Text / "statement" / "事实描述",
        Criterion = "criterion": Text / "criterion" / "依据",
        EvidenceNote = "evidence_note": Text / "evidence note" / "证据说明",
        RaisedBy = "raised_by": Text / "raised by" / "提出人",
        RaisedOn = "raised_on": Date / "raised on" / "提出日期",
        IssuedOn = "issued_on": Date / "issued on" / "开具日期",
        ResponseDue = "response_due": Date / "response due" / "回复期限",
        ClosureDue = "closure_due": Date / "closure due" / "关闭期限",
        RootCause = "root_cause": Text / "root cause" / "根本原因",
        Correction = "correction": Text / "correction" / "纠正",
        RespondedOn = "responded_on": Date / "responded on" / "回复日期",
        VerifiedOn = "verified_on": Date / "verified on" / "验证日期",
        ClosedOn = "closed_on": Date / "closed on" / "关闭日期",
        LastReason = "last_reason": Text / "reason" / "原因",
    }
);

record_fields!(
    /// A corrective action of a finding.
    ActionField for Action {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Finding = "finding": Text / "finding" / "发现项",
        Description = "description": Text / "description" / "措施",
        Owner = "owner": Text / "owner" / "责任人",
        Due = "due": Date / "due" / "期限",
        Status = "status": Text / "status" / "状态",
        Progress = "progress": Int / "progress" / "进度",
        CompletionEvidence = "completion_evidence": Text / "completion evidence" / "完成证据",
        CompletedOn = "completed_on": Date / "completed on" / "完成日期",
        VerifiedBy = "verified_by": Text / "verified by" / "验证人",
        VerifiedOn = "verified_on": Date / "verified on" / "验证日期",
        VerificationNote = "verification_note": Text / "verification note" / "验证说明",
        Effective = "effective": Bool / "effective" / "有效",
    }
);

record_fields!(
    /// Metadata of an evidence file (the bytes live in the blob folder).
    EvidenceField for Evidence {
        Sha256 = "sha256": Text / "sha256" / "SHA-256",
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Name = "name": Text / "name" / "文件名",
        Size = "size": Int / "size" / "大小",
        MediaType = "media_type": Text / "media type" / "媒体类型",
        CapturedBy = "captured_by": Text / "captured by" / "采集人",
        CapturedAt = "captured_at": Text / "captured at" / "采集时间",
        Note = "note": Text / "note" / "说明",
    }
);

record_fields!(
    /// A milestone of an engagement's plan (a self-assessment's schedule).
    MilestoneField for Milestone {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Phase = "phase": Text / "phase" / "阶段",
        Title = "title": Text / "milestone" / "里程碑",
        Owner = "owner": Text / "owner" / "负责人",
        Start = "start": Date / "start" / "开始",
        Due = "due": Date / "due" / "期限",
        DoneOn = "done_on": Date / "done on" / "完成日期",
        Progress = "progress": Int / "progress" / "进度",
        Notes = "notes": Text / "notes" / "备注",
    }
);

record_fields!(
    /// A test call of a mystery-shopping campaign.
    TestCallField for TestCall {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Campaign = "campaign": Text / "campaign" / "测试批次",
        Slot = "slot": Text / "time slot" / "时段",
        Service = "service": Text / "service" / "业务类型",
        PlannedOn = "planned_on": Date / "planned on" / "计划日期",
        PlannedAt = "planned_at": Text / "planned time" / "计划时间",
        CalledAt = "called_at": Text / "called at" / "拨打时间",
        Caller = "caller": Text / "caller" / "拨打人",
        Connected = "connected": Bool / "connected at the first attempt" / "首次拨打即接通",
        IvrToAgent = "ivr_to_agent": Bool / "IVR led to an agent" / "IVR 顺利转人工",
        Identified = "identified": Bool / "agent gave name or number" / "座席报工号",
        Correct = "correct": Bool / "answer correct" / "答复正确",
        WaitS = "wait_s": Int / "wait (s)" / "等待（秒）",
        Notes = "notes": Text / "notes" / "备注",
    }
);

record_fields!(
    /// A contact of a QA re-scoring round (two raters, blind; a third reconciles).
    QaField for QaReview {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Round = "round": Text / "round" / "复核批次",
        Item = "item": Text / "contact" / "复核录音",
        Scorecard = "scorecard": Text / "scorecard" / "评分表",
        Draw = "draw": Text / "sample draw" / "抽样",
        RaterA = "rater_a": Text / "rater A" / "评分人 A",
        RaterB = "rater_b": Text / "rater B" / "评分人 B",
        Reconciler = "reconciler": Text / "reconciler" / "裁定人",
        SealA = "seal_a": Text / "rater A's seal" / "评分人 A 的封存",
        SealB = "seal_b": Text / "rater B's seal" / "评分人 B 的封存",
        RevealA = "reveal_a": Text / "rater A's scores" / "评分人 A 的评分",
        RevealB = "reveal_b": Text / "rater B's scores" / "评分人 B 的评分",
        Reconciled = "reconciled": Text / "reconciled scores" / "裁定评分",
        Note = "note": Text / "note" / "备注",
    }
);

record_fields!(
    /// A declared interest of a person in a programme's client.
    InterestField for Interest {
        Actor = "actor": Text / "person" / "人员",
        Kind = "kind": Text / "kind of interest" / "利益关系类型",
        Until = "until": Date / "conflict until" / "冲突截止日期",
        Note = "note": Text / "note" / "说明",
        DeclaredOn = "declared_on": Date / "declared on" / "申报日期",
    }
);

record_fields!(
    /// An audit's opening or closing meeting (the check-in the CNCA asks for).
    MeetingField for Meeting {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        At = "at": Text / "time" / "时间",
        Place = "place": Text / "place" / "地点",
        Attendees = "attendees": Text / "attendees" / "参会人员",
        Note = "note": Text / "note" / "备注",
    }
);

record_fields!(
    /// An activity of an engagement's audit plan (the agenda).
    ActivityField for Activity {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        On = "on": Date / "date" / "日期",
        From = "from": Text / "from" / "开始时间",
        To = "to": Text / "to" / "结束时间",
        Place = "place": Text / "place" / "地点",
        Title = "title": Text / "activity" / "审核活动",
        Auditors = "auditors": Text / "auditors" / "审核人员",
        Auditee = "auditee": Text / "auditee's people" / "受审核方人员",
    }
);

record_fields!(
    /// An evidence request to the auditee (an item of the PBC list).
    RequestField for Request {
        Engagement = "engagement": Text / "engagement" / "审核项目",
        Indicator = "indicator": Text / "indicator" / "指标",
        Text = "text": Text / "request" / "请求内容",
        Due = "due": Date / "due" / "期限",
        Addressee = "addressee": Text / "addressee" / "收件人",
        Status = "status": Text / "status" / "状态",
        Comment = "comment": Text / "auditors' comment" / "审核员意见",
        Answer = "answer": Text / "answer" / "答复",
        SentOn = "sent_on": Date / "sent on" / "发出日期",
        SubmittedOn = "submitted_on": Date / "submitted on" / "提交日期",
        DecidedBy = "decided_by": Text / "judged by" / "审阅人",
        DecidedOn = "decided_on": Date / "judged on" / "审阅日期",
    }
);

/// Link relations (sets of targets on a record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rel {
    /// Indicators a finding is about.
    Indicator,
    /// Evidence (sha256) attached to an assessment or a finding.
    Evidence,
    /// Open findings of earlier engagements an engagement carries (linked,
    /// not copied: each keeps its one history).
    Carries,
}

impl Rel {
    pub const ALL: &'static [Rel] = &[Rel::Indicator, Rel::Evidence, Rel::Carries];
    pub fn name(self) -> &'static str {
        match self {
            Rel::Indicator => "indicator",
            Rel::Evidence => "evidence",
            Rel::Carries => "carries",
        }
    }
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Rel::Indicator, false) => "indicator",
            (Rel::Indicator, true) => "指标",
            (Rel::Evidence, false) => "evidence",
            (Rel::Evidence, true) => "证据",
            (Rel::Carries, false) => "carried findings",
            (Rel::Carries, true) => "延续的发现项",
        }
    }
    pub fn parse(name: &str) -> Option<Rel> {
        Rel::ALL.iter().copied().find(|r| r.name() == name)
    }
}

/// The label of a stored field name of a record kind, if this build knows it.
pub fn label(kind: Kind, name: &str, zh: bool) -> Option<&'static str> {
    fn find<F: Field>(name: &str, zh: bool) -> Option<&'static str> {
        F::parse(name).map(|f| f.label(zh))
    }
    match kind {
        Kind::Engagement => find::<EngagementField>(name, zh),
        Kind::Member => find::<MemberField>(name, zh),
        Kind::Assessment => find::<AssessmentField>(name, zh),
        Kind::Finding => find::<FindingField>(name, zh),
        Kind::Action => find::<ActionField>(name, zh),
        Kind::Evidence => find::<EvidenceField>(name, zh),
        Kind::Milestone => find::<MilestoneField>(name, zh),
        Kind::Programme => find::<ProgrammeField>(name, zh),
        Kind::TestCall => find::<TestCallField>(name, zh),
        Kind::QaReview => find::<QaField>(name, zh),
        Kind::Interest => find::<InterestField>(name, zh),
        Kind::Meeting => find::<MeetingField>(name, zh),
        Kind::Activity => find::<ActivityField>(name, zh),
        Kind::Request => find::<RequestField>(name, zh),
    }
}

/// The value type of a stored field name of a record kind, if this build knows it.
pub fn value_type(kind: Kind, name: &str) -> Option<ValueType> {
    fn find<F: Field>(name: &str) -> Option<ValueType> {
        F::parse(name).map(|f| f.ty())
    }
    match kind {
        Kind::Engagement => find::<EngagementField>(name),
        Kind::Member => find::<MemberField>(name),
        Kind::Assessment => find::<AssessmentField>(name),
        Kind::Finding => find::<FindingField>(name),
        Kind::Action => find::<ActionField>(name),
        Kind::Evidence => find::<EvidenceField>(name),
        Kind::Milestone => find::<MilestoneField>(name),
        Kind::Programme => find::<ProgrammeField>(name),
        Kind::TestCall => find::<TestCallField>(name),
        Kind::QaReview => find::<QaField>(name),
        Kind::Interest => find::<InterestField>(name),
        Kind::Meeting => find::<MeetingField>(name),
        Kind::Activity => find::<ActivityField>(name),
        Kind::Request => find::<RequestField>(name),
    }
}

/// Whether `value` may be stored in the field `name` of a `kind` record: the
/// field's value type, and for an enumerated field one of its values. A field
/// this build does not know takes any value (a newer build's field).
pub fn accepts(kind: Kind, name: &str, value: &Value) -> bool {
    let Some(ty) = value_type(kind, name) else {
        return true;
    };
    if !ty.accepts(value) {
        return false;
    }
    let enumerated = matches!(
        (kind, name),
        (Kind::Finding, "status" | "grade")
            | (Kind::Action, "status")
            | (Kind::Assessment, "result" | "workflow")
            | (
                Kind::Engagement,
                "kind" | "decision_outcome" | "client_kind" | "certificate_status" | "audit_mode"
            )
            | (Kind::Member, "role" | "level")
            | (Kind::Milestone, "phase")
            | (Kind::Interest, "kind")
            | (Kind::Request, "status")
    );
    match value {
        // Only the canonical spelling: every rule compares the stored text
        // (`INTERN` or `实习审查员` would read as intern and not count as one).
        Value::Text(t) if enumerated => value_label(kind, name, t, false) == Some(t.as_str()),
        _ => true,
    }
}

/// An enumerated value of a known field in words (`plan-accepted` → `计划已接受`).
pub fn value_label(kind: Kind, name: &str, text: &str, zh: bool) -> Option<&'static str> {
    use super::{action::ActionStatus, assessment, engagement, finding};
    fn pick<T: std::str::FromStr + Copy>(text: &str, f: impl Fn(T) -> &'static str) -> Option<&'static str> {
        text.parse::<T>().ok().map(f)
    }
    match (kind, name) {
        (Kind::Finding, n) if n == FindingField::Status.name() => pick(text, |s: finding::FindingStatus| s.label(zh)),
        (Kind::Finding, n) if n == FindingField::Grade.name() => pick(text, |g: finding::Grade| g.label(zh)),
        (Kind::Action, n) if n == ActionField::Status.name() => pick(text, |s: ActionStatus| s.label(zh)),
        (Kind::Assessment, n) if n == AssessmentField::Result.name() => {
            pick(text, |r: assessment::AssessmentResult| r.label(zh))
        }
        (Kind::Assessment, n) if n == AssessmentField::Workflow.name() => {
            pick(text, |w: assessment::Workflow| w.label(zh))
        }
        (Kind::Engagement, n) if n == EngagementField::Kind.name() => {
            pick(text, |k: engagement::EngagementKind| k.label(zh))
        }
        (Kind::Member, n) if n == MemberField::Role.name() => pick(text, |r: engagement::Role| r.label(zh)),
        (Kind::Member, n) if n == MemberField::Level.name() => pick(text, |l: engagement::Level| l.label(zh)),
        (Kind::Milestone, n) if n == MilestoneField::Phase.name() => pick(text, |p: super::plan::Phase| p.label(zh)),
        (Kind::Interest, n) if n == InterestField::Kind.name() => {
            pick(text, |k: super::body::InterestKind| k.label(zh))
        }
        (Kind::Request, n) if n == RequestField::Status.name() => {
            pick(text, |s: super::request::RequestStatus| s.label(zh))
        }
        (Kind::Engagement, n) if n == EngagementField::DecisionOutcome.name() => {
            pick(text, |o: engagement::Outcome| o.label(zh))
        }
        (Kind::Engagement, n) if n == EngagementField::AuditMode.name() => {
            pick(text, |m: super::body::AuditMode| m.label(zh))
        }
        (Kind::Engagement, n) if n == EngagementField::ClientKind.name() => {
            pick(text, |c: engagement::ClientKind| c.label(zh))
        }
        (Kind::Engagement, n) if n == EngagementField::CertificateStatus.name() => {
            pick(text, |c: engagement::CertificateStatus| c.label(zh))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique<F: Field>() {
        let mut names: Vec<&str> = F::ALL.iter().map(|f| f.name()).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "{:?}: duplicate field names", F::KIND);
        for f in F::ALL {
            assert_eq!(F::parse(f.name()), Some(*f));
            assert!(!f.label(true).is_empty() && !f.label(false).is_empty());
            assert_eq!(label(F::KIND, f.name(), false), Some(f.label(false)));
        }
        assert_eq!(F::parse("no_such_field"), None);
    }

    #[test]
    fn every_kind_has_unique_named_labelled_fields() {
        unique::<EngagementField>();
        unique::<MemberField>();
        unique::<AssessmentField>();
        unique::<FindingField>();
        unique::<ActionField>();
        unique::<EvidenceField>();
        unique::<MilestoneField>();
        unique::<TestCallField>();
        unique::<QaField>();
        unique::<InterestField>();
        unique::<MeetingField>();
        unique::<ActivityField>();
        unique::<RequestField>();
    }

    #[test]
    fn value_types_accept_their_values_only() {
        assert!(ValueType::Date.accepts(&Value::Date(jiff::civil::date(2026, 1, 1))));
        assert!(!ValueType::Date.accepts(&Value::Text("2026-01-01".into())));
        assert!(ValueType::Number.accepts(&Value::Int(3)));
        assert!(!ValueType::Int.accepts(&Value::Float(3.0)));
        assert!(ValueType::Bool.accepts(&Value::Null));
    }

    #[test]
    fn enum_values_are_labelled_per_kind() {
        assert_eq!(
            value_label(Kind::Finding, "status", "plan-accepted", true),
            Some("计划已接受")
        );
        assert_eq!(
            value_label(Kind::Action, "status", "verified-effective", false),
            Some("verified-effective")
        );
        assert_eq!(value_label(Kind::Finding, "status", "bogus", true), None);
        assert_eq!(label(Kind::Finding, "from_a_newer_version", true), None);
    }
}
