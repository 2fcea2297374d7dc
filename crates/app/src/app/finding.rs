//! Raising findings and moving them through their lifecycle.

use super::error::violation;
use super::{App, AppError, Result, create, link, set, set_if_changed};
use crate::model::engagement::{Role, check_can_issue};
use crate::model::fields::{Field, FieldName, FindingField as FF, Rel};
use crate::model::finding::{Finding, FindingStatus, Grade, check_transition};
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::rules;
use crate::store::Draft;
use jiff::civil::Date;

#[derive(Clone, Debug)]
pub struct NewFinding {
    pub grade: Grade,
    pub title: String,
    /// What was seen.
    pub statement: String,
    /// The requirement it was measured against.
    pub criterion: String,
    pub indicators: Vec<String>,
    pub evidence_note: String,
    /// Issue at once (otherwise it stays a draft).
    pub issue: bool,
}

/// A lifecycle step, with what it needs to carry.
#[derive(Clone, Debug, PartialEq)]
pub enum FindingMove {
    Issue,
    Respond {
        root_cause: String,
        correction: String,
    },
    AcceptPlan,
    RejectResponse {
        reason: String,
    },
    Implement,
    /// Verification failed: an implemented finding goes back to its accepted plan.
    SendBack {
        reason: String,
    },
    Verify,
    Close,
    Withdraw {
        reason: String,
    },
    Reopen {
        reason: String,
    },
}

impl FindingMove {
    pub fn target(&self) -> FindingStatus {
        match self {
            FindingMove::Issue | FindingMove::RejectResponse { .. } => FindingStatus::Issued,
            FindingMove::Respond { .. } => FindingStatus::Responded,
            FindingMove::AcceptPlan | FindingMove::SendBack { .. } => FindingStatus::PlanAccepted,
            FindingMove::Implement => FindingStatus::Implemented,
            FindingMove::Verify => FindingStatus::Verified,
            FindingMove::Close => FindingStatus::Closed,
            FindingMove::Withdraw { .. } => FindingStatus::Withdrawn,
            FindingMove::Reopen { .. } => FindingStatus::Reopened,
        }
    }
}

impl FindingMove {
    pub fn kind(&self) -> MoveKind {
        match self {
            FindingMove::Issue => MoveKind::Issue,
            FindingMove::Respond { .. } => MoveKind::Respond,
            FindingMove::AcceptPlan => MoveKind::AcceptPlan,
            FindingMove::RejectResponse { .. } => MoveKind::RejectResponse,
            FindingMove::Implement => MoveKind::Implement,
            FindingMove::SendBack { .. } => MoveKind::SendBack,
            FindingMove::Verify => MoveKind::Verify,
            FindingMove::Close => MoveKind::Close,
            FindingMove::Withdraw { .. } => MoveKind::Withdraw,
            FindingMove::Reopen { .. } => MoveKind::Reopen,
        }
    }
}

/// A lifecycle step without its text: what the TUI lists and asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MoveKind {
    Issue,
    Respond,
    AcceptPlan,
    RejectResponse,
    Implement,
    SendBack,
    Verify,
    Close,
    Withdraw,
    Reopen,
}

impl MoveKind {
    pub const ALL: &'static [MoveKind] = &[
        MoveKind::Issue,
        MoveKind::Respond,
        MoveKind::AcceptPlan,
        MoveKind::RejectResponse,
        MoveKind::Implement,
        MoveKind::SendBack,
        MoveKind::Verify,
        MoveKind::Close,
        MoveKind::Withdraw,
        MoveKind::Reopen,
    ];
    pub fn target(self) -> FindingStatus {
        match self {
            MoveKind::Issue | MoveKind::RejectResponse => FindingStatus::Issued,
            MoveKind::Respond => FindingStatus::Responded,
            MoveKind::AcceptPlan | MoveKind::SendBack => FindingStatus::PlanAccepted,
            MoveKind::Implement => FindingStatus::Implemented,
            MoveKind::Verify => FindingStatus::Verified,
            MoveKind::Close => FindingStatus::Closed,
            MoveKind::Withdraw => FindingStatus::Withdrawn,
            MoveKind::Reopen => FindingStatus::Reopened,
        }
    }
    /// Who may make the move (the table every copy applies,
    /// [`crate::model::authority::roles_for_status`]), and the words for
    /// refusing it.
    fn roles(self) -> (&'static [Role], (&'static str, &'static str)) {
        let doing = match self {
            MoveKind::Issue => ("issue findings", "开具发现项"),
            MoveKind::Respond => ("record the auditee's response", "记录受审核方回复"),
            MoveKind::AcceptPlan => ("accept a corrective-action plan", "接受纠正措施计划"),
            MoveKind::Implement => ("mark findings implemented", "标记发现项已实施"),
            MoveKind::Verify | MoveKind::SendBack => ("verify findings", "验证发现项"),
            MoveKind::Close => ("close findings", "关闭发现项"),
            MoveKind::RejectResponse | MoveKind::Withdraw | MoveKind::Reopen => ("do that", "执行此操作"),
        };
        (crate::model::authority::roles_for_status(self.target()), doing)
    }
    /// What the user types for the move: (root cause + correction) or a reason.
    pub fn asks(self) -> MoveText {
        match self {
            MoveKind::Respond => MoveText::Response,
            MoveKind::RejectResponse | MoveKind::SendBack | MoveKind::Withdraw | MoveKind::Reopen => MoveText::Reason,
            _ => MoveText::Nothing,
        }
    }
    /// The move in words, for menus and confirmations.
    pub fn label(self, zh: bool) -> &'static str {
        let (en, cn) = match self {
            MoveKind::Issue => ("Issue to the auditee", "开具给受审核方"),
            MoveKind::Respond => ("Record the auditee's response", "记录受审核方回复"),
            MoveKind::AcceptPlan => ("Accept the corrective-action plan", "接受纠正措施计划"),
            MoveKind::RejectResponse => ("Reject the response", "退回回复"),
            MoveKind::Implement => ("Mark implemented", "标记已实施"),
            MoveKind::SendBack => ("Verification failed: back to the plan", "验证未通过：退回计划"),
            MoveKind::Verify => ("Verify (every action effective)", "验证（全部措施有效）"),
            MoveKind::Close => ("Close", "关闭"),
            MoveKind::Withdraw => ("Withdraw", "撤回"),
            MoveKind::Reopen => ("Reopen", "重开"),
        };
        if zh { cn } else { en }
    }
}

/// What a move needs typed before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveText {
    Nothing,
    Response,
    Reason,
}

/// The fields of a new finding record, written in one place: raising a
/// finding and generating findings (`demo --scale`) both build records here.
pub(crate) struct FindingRecord<'a> {
    pub engagement: &'a str,
    pub grade: Grade,
    pub title: &'a str,
    pub statement: &'a str,
    pub criterion: &'a str,
    pub evidence_note: &'a str,
    pub raised_by: &'a str,
    pub raised_on: Date,
    pub status: FindingStatus,
    /// (issued on, response due, closure due) for a finding created already issued.
    pub issued: Option<(Date, Option<Date>, Option<Date>)>,
    pub indicators: &'a [String],
}

impl FindingRecord<'_> {
    pub(crate) fn drafts(&self, e: &EntityId) -> Vec<Draft> {
        let mut d = vec![
            create(e),
            set(e, None, FF::Engagement, self.engagement),
            set(e, None, FF::Grade, self.grade.as_str()),
            set(e, None, FF::Title, self.title),
            set(e, None, FF::RaisedBy, self.raised_by),
            set(e, None, FF::RaisedOn, self.raised_on),
        ];
        // Empty texts are not written: an absent field reads as empty.
        for (f, text) in [
            (FF::Statement, self.statement),
            (FF::Criterion, self.criterion),
            (FF::EvidenceNote, self.evidence_note),
        ] {
            if !text.is_empty() {
                d.push(set(e, None, f, text));
            }
        }
        if let Some((on, response, closure)) = self.issued {
            d.push(set(e, None, FF::IssuedOn, on));
            // Observations and improvements may have no due dates: nothing is written.
            if let Some(r) = response {
                d.push(set(e, None, FF::ResponseDue, r));
            }
            if let Some(c) = closure {
                d.push(set(e, None, FF::ClosureDue, c));
            }
        }
        d.push(set(e, None, FF::Status, self.status.as_str()));
        for i in self.indicators {
            d.push(link(e, Rel::Indicator, i));
        }
        d
    }
}

impl App {
    /// The acting user's membership, required to be one of `roles`.
    pub(crate) fn require_role(&self, engagement: &str, roles: &[Role], doing: (&str, &str)) -> Result<()> {
        let me = &self.identity().actor;
        match self.member(engagement, me) {
            Some(m) if roles.contains(&m.role) => Ok(()),
            Some(m) => {
                let (role_en, role_zh) = (m.role.as_str(), m.role.zh());
                let (doing_en, doing_zh) = doing;
                Err(AppError::Rule(crate::msg!(
                    "{me} is {role_en} in {engagement} and cannot {doing_en}",
                    "{me} 在 {engagement} 中的角色是{role_zh}，不能{doing_zh}"
                )))
            }
            None => {
                let (doing_en, doing_zh) = doing;
                Err(AppError::Rule(crate::msg!(
                    "{me} is not on the team of {engagement} and cannot {doing_en}",
                    "{me} 不在 {engagement} 的审核组中，不能{doing_zh}"
                )))
            }
        }
    }

    /// A new reference for a finding or action of `engagement` (`ZW-001`,
    /// `ZW-CA001`) and its record id (`ENGAGEMENT/ZW-001`). References are
    /// unique within an engagement (another engagement may have its own
    /// ZW-001); this copy's counter runs across engagements, so one
    /// auditor's references stay distinct on their own copy too.
    pub(crate) fn next_reference(&self, engagement: &str, kind: Kind, prefix: &str) -> Result<(String, EntityId)> {
        // The initials the team knows you by there (the lead may have given
        // you others when two members share yours), else your own.
        let me = &self.identity().actor;
        let initials = self
            .team(engagement)?
            .into_iter()
            .find(|m| &m.actor == me)
            .map(|m| m.initials)
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| self.identity().initials.clone());
        loop {
            let n = self.store().next_counter(&format!("{}/{initials}", kind.name()))?;
            let r = format!("{initials}-{prefix}{n:03}");
            let e = EntityId::new(kind, crate::model::ops::scoped_id(engagement, &r));
            if self.store().record(&e)?.is_none() && self.store().record(&EntityId::new(kind, &r))?.is_none() {
                return Ok((r, e));
            }
        }
    }

    pub fn raise_finding(&self, engagement: &str, new: NewFinding) -> Result<Finding> {
        let eng = self.engagement(engagement)?;
        self.require_role(
            engagement,
            &[Role::Lead, Role::Auditor, Role::TechnicalExpert],
            ("raise findings", "提出发现项"),
        )?;
        rules::check_raise(new.grade, &new.title, &new.statement).map_err(|v| violation(engagement, &v))?;
        let cat = self.catalog_for(&eng)?;
        for i in &new.indicators {
            if cat.indicator(i).is_none() {
                return Err(AppError::NotFound {
                    what: "indicator",
                    id: i.clone(),
                });
            }
        }
        // Raising and issuing in one go is one commit: both happen or nothing is written.
        let issued = if new.issue {
            self.require_role(
                engagement,
                &[Role::Lead, Role::Auditor],
                ("issue findings", "开具发现项"),
            )?;
            check_can_issue(eng.kind, &self.team(engagement)?, self.today())?;
            let (resp, close) = self.policy.due_dates(new.grade, self.today());
            Some((self.today(), resp, close))
        } else {
            None
        };
        let (_, e) = self.next_reference(engagement, Kind::Finding, "")?;
        let d = FindingRecord {
            engagement,
            grade: new.grade,
            title: &new.title,
            statement: &new.statement,
            criterion: &new.criterion,
            evidence_note: &new.evidence_note,
            raised_by: &self.identity().actor,
            raised_on: self.today(),
            status: if new.issue {
                FindingStatus::Issued
            } else {
                FindingStatus::Draft
            },
            issued,
            indicators: &new.indicators,
        }
        .drafts(&e);
        self.commit(d)?;
        self.finding(&e.id)
    }

    /// Move a finding through its lifecycle. Illegal moves are typed errors and change nothing.
    pub fn move_finding(&self, reference: &str, step: FindingMove) -> Result<Finding> {
        let rec = self.record(Kind::Finding, reference)?;
        let f = Finding::from_record(&rec)?;
        self.check_move(&f, step.kind())?;
        let to = step.target();
        let e = rec.entity.clone();
        let c = Some(&rec);
        let today = self.today();
        let mut d = Vec::new();
        match &step {
            FindingMove::Issue => {
                let (resp, close) = self.policy.due_dates(f.grade, today);
                set_if_changed(&mut d, &e, c, FF::IssuedOn, today.into());
                set_if_changed(&mut d, &e, c, FF::ResponseDue, resp.into());
                set_if_changed(&mut d, &e, c, FF::ClosureDue, close.into());
            }
            FindingMove::Respond { root_cause, correction } => {
                rules::check_response(f.grade, root_cause).map_err(|v| violation(reference, &v))?;
                set_if_changed(&mut d, &e, c, FF::RootCause, root_cause.clone().into());
                set_if_changed(&mut d, &e, c, FF::Correction, correction.clone().into());
                set_if_changed(&mut d, &e, c, FF::RespondedOn, today.into());
            }
            FindingMove::AcceptPlan | FindingMove::Implement => {}
            FindingMove::RejectResponse { reason }
            | FindingMove::SendBack { reason }
            | FindingMove::Withdraw { reason }
            | FindingMove::Reopen { reason } => {
                if !reason.trim().is_empty() {
                    set_if_changed(&mut d, &e, c, FF::LastReason, reason.clone().into());
                }
                if matches!(step, FindingMove::Reopen { .. }) {
                    set_if_changed(&mut d, &e, c, FF::ClosedOn, Value::Null);
                    set_if_changed(&mut d, &e, c, FF::VerifiedOn, Value::Null);
                    // A reopened finding gets fresh deadlines from the policy.
                    let (resp, close) = self.policy.due_dates(f.grade, today);
                    set_if_changed(&mut d, &e, c, FF::ResponseDue, resp.into());
                    set_if_changed(&mut d, &e, c, FF::ClosureDue, close.into());
                }
            }
            FindingMove::Verify => set_if_changed(&mut d, &e, c, FF::VerifiedOn, today.into()),
            FindingMove::Close => set_if_changed(&mut d, &e, c, FF::ClosedOn, today.into()),
        }
        d.push(set(&e, c, FF::Status, to.as_str()));
        self.commit(d)?;
        self.finding_by_id(&e.id)
    }

    /// Whether a move may happen now, short of what the user still has to
    /// type (a root cause, a reason): the lifecycle, the acting user's role,
    /// the team rule and the corrective actions.
    pub fn check_move(&self, f: &Finding, kind: MoveKind) -> Result<()> {
        // Moves that share a target status differ by where they start from.
        let from = match kind {
            MoveKind::Issue => Some(FindingStatus::Draft),
            MoveKind::RejectResponse | MoveKind::AcceptPlan => Some(FindingStatus::Responded),
            MoveKind::SendBack => Some(FindingStatus::Implemented),
            _ => None,
        };
        if let Some(from) = from
            && f.status != from
        {
            let (r, label_en, label_zh) = (&f.reference, kind.label(false), kind.label(true));
            let (st_en, st_zh, from_en, from_zh) = (f.status.as_str(), f.status.zh(), from.as_str(), from.zh());
            return Err(AppError::Rule(crate::msg!(
                "“{label_en}” starts from {from_en}; {r} is {st_en}",
                "“{label_zh}”只能从“{from_zh}”开始；{r} 状态为{st_zh}"
            )));
        }
        check_transition(f.grade, f.status, kind.target())?;
        let (roles, doing) = kind.roles();
        self.require_role(&f.engagement, roles, doing)?;
        let reference = &f.reference;
        match kind {
            MoveKind::Issue => {
                let eng = self.engagement(&f.engagement)?;
                check_can_issue(eng.kind, &self.team(&f.engagement)?, self.today())?;
            }
            MoveKind::AcceptPlan => {
                rules::check_accept_plan(f.grade, &self.actions_of(f)?).map_err(|v| violation(reference, &v))?
            }
            MoveKind::Implement => {
                rules::check_implement(&self.actions_of(f)?).map_err(|v| violation(reference, &v))?
            }
            MoveKind::Verify => rules::check_verify(&self.actions_of(f)?).map_err(|v| violation(reference, &v))?,
            _ => {}
        }
        Ok(())
    }

    /// The moves the acting user can make on a finding now (what the TUI offers).
    pub fn available_moves(&self, reference: &str) -> Result<Vec<MoveKind>> {
        let f = self.finding(reference)?;
        Ok(MoveKind::ALL
            .iter()
            .copied()
            .filter(|k| self.check_move(&f, *k).is_ok())
            .collect())
    }

    /// Edit the text of a finding (title, statement, criterion, evidence note).
    pub fn edit_finding(&self, reference: &str, field_name: &str, value: &str) -> Result<Finding> {
        self.edit_finding_fields(reference, &[(field_name, value)])
    }

    /// [`App::edit_finding_fields`] from a form opened on `opened`: only
    /// the fields the user changed are written, and a field someone else
    /// changed since the form opened (a teammate's change imported or
    /// synced meanwhile) is refused rather than overwritten — the user's
    /// text stays in the form.
    pub fn edit_finding_since(&self, reference: &str, changes: &[(&str, &str)], opened: &Finding) -> Result<Finding> {
        let rec = self.record(Kind::Finding, reference)?;
        let now = Finding::from_record(&rec)?;
        let mut mine = Vec::new();
        let mut clashes = Vec::new();
        let mut theirs = Vec::new();
        for &(field, value) in changes {
            let (Some(then), Some(current)) = (form_text(opened, field), form_text(&now, field)) else {
                mine.push((field, value));
                continue;
            };
            if value == then {
                continue; // not changed in the form: whatever is stored stays
            }
            if current != then && current != value {
                let by = rec.base_of_raw(field).map(|o| o.actor).unwrap_or_default();
                clashes.push(format!("{field} ({by})"));
                theirs.push(format!("{field}: {current}"));
                continue;
            }
            mine.push((field, value));
        }
        if !clashes.is_empty() {
            let (r, list) = (
                now.reference.clone(),
                crate::text::visible(&clashes.join(", ")).into_owned(),
            );
            return Err(AppError::Changed {
                message: crate::msg!(
                    "{r} was changed since this form opened: {list}; nothing was saved. The form keeps what you typed and shows theirs below: save again to keep yours, Esc to keep theirs, or edit to merge",
                    "自打开此表单后 {r} 已被更改：{list}；本次未保存。表单保留您输入的内容，并在下方显示对方的版本：再次保存则保留您的版本，Esc 保留对方的版本，或编辑后合并"
                ),
                theirs: theirs.join("\n"),
            });
        }
        if mine.is_empty() {
            return Ok(now);
        }
        self.edit_finding_fields(&rec.entity.id, &mine)
    }

    /// Edit several fields of a finding in one change (one undo): its texts
    /// while it is open, and its grade while it is a draft (once issued, the
    /// grade is what the auditee was told; withdraw and raise anew instead).
    pub fn edit_finding_fields(&self, reference: &str, changes: &[(&str, &str)]) -> Result<Finding> {
        let rec = self.record(Kind::Finding, reference)?;
        let f = Finding::from_record(&rec)?;
        let mut d = Vec::new();
        for (field_name, value) in changes {
            if *field_name == FF::Grade.name() {
                let grade: crate::model::finding::Grade = value.parse().map_err(|_| {
                    AppError::Invalid(crate::msg!(
                        "`{value}` is not a grade (major, minor, observation, improvement)",
                        "`{value}` 不是有效等级（major、minor、observation、improvement）"
                    ))
                })?;
                if grade != f.grade && f.status != FindingStatus::Draft {
                    let (st_en, st_zh) = (f.status.as_str(), f.status.zh());
                    return Err(AppError::Rule(crate::msg!(
                        "{reference} is {st_en}: only a draft's grade can change (withdraw it and raise a new finding)",
                        "{reference} 状态为{st_zh}：只有草稿可以修改等级（可撤回后重新提出）"
                    )));
                }
                set_if_changed(&mut d, &rec.entity, Some(&rec), FF::Grade, grade.as_str().into());
                continue;
            }
            d.extend(self.text_edit(&rec, &f, reference, field_name, value)?);
        }
        self.commit(d)?;
        self.finding_by_id(&rec.entity.id)
    }

    fn text_edit(
        &self,
        rec: &crate::model::ops::Record,
        f: &Finding,
        reference: &str,
        field_name: &str,
        value: &str,
    ) -> Result<Vec<Draft>> {
        const EDITABLE: &[FF] = &[
            FF::Title,
            FF::Statement,
            FF::Criterion,
            FF::EvidenceNote,
            FF::RootCause,
            FF::Correction,
        ];
        let Some(field) = FF::parse(field_name).filter(|f| EDITABLE.contains(f)) else {
            let fields = EDITABLE
                .iter()
                .map(|f| f.name())
                .chain(["grade"])
                .collect::<Vec<_>>()
                .join(", ");
            return Err(AppError::Invalid(crate::msg!(
                "field `{field_name}` cannot be edited (one of: {fields})",
                "字段 `{field_name}` 不可编辑（可编辑：{fields}）"
            )));
        };
        if !f.status.is_open() {
            let (st_en, st_zh) = (f.status.as_str(), f.status.zh());
            return Err(AppError::Rule(crate::msg!(
                "{reference} is {st_en}; reopen it before editing",
                "{reference} 状态为{st_zh}；请先重开再编辑"
            )));
        }
        let mut d = Vec::new();
        set_if_changed(&mut d, &rec.entity, Some(rec), field, value.into());
        Ok(d)
    }
}

/// A finding's field as an edit form shows it (`None`: not a form field).
/// What an edit form counts as opened on once a save clashed: `opened` with
/// the fields the user changed (`changes` differing from `opened`) taken from
/// `now` — those they have now been shown — and every field they left alone
/// kept as it was, so a later save never writes an old value back over a
/// change made meanwhile that they were not told of.
pub fn rebase_opened(opened: &Finding, now: &Finding, changes: &[(&str, &str)]) -> Finding {
    let mut out = opened.clone();
    for &(field, value) in changes {
        if form_text(opened, field).is_some_and(|then| then != value)
            && let Some(theirs) = form_text(now, field)
        {
            match FF::parse(field) {
                Some(FF::Title) => out.title = theirs,
                Some(FF::Statement) => out.statement = theirs,
                Some(FF::Criterion) => out.criterion = theirs,
                Some(FF::EvidenceNote) => out.evidence_note = theirs,
                Some(FF::RootCause) => out.root_cause = theirs,
                Some(FF::Correction) => out.correction = theirs,
                Some(FF::Grade) => out.grade = theirs.parse().unwrap_or(out.grade),
                _ => {}
            }
        }
    }
    out
}

fn form_text(f: &Finding, field: &str) -> Option<String> {
    Some(match FF::parse(field)? {
        FF::Title => f.title.clone(),
        FF::Statement => f.statement.clone(),
        FF::Criterion => f.criterion.clone(),
        FF::EvidenceNote => f.evidence_note.clone(),
        FF::RootCause => f.root_cause.clone(),
        FF::Correction => f.correction.clone(),
        FF::Grade => f.grade.as_str().to_string(),
        _ => return None,
    })
}
