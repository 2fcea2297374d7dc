//! Evidence requests (the PBC list): what the auditors ask the auditee for,
//! item by item, and what the auditee's contact may do in an engagement.
//!
//! Lifecycle: draft → open (sent) → submitted (answered with files) →
//! accepted → closed, or submitted → returned (with a comment) → submitted
//! again. The auditors move an item; its addressee answers it.

use super::authority::{Refusal, no};
use super::engagement::{Role, string_enum};
use super::fields::{
    ActionField as AF, EvidenceField as VF, FieldName, FindingField as FF, MemberField as MF, Rel, RequestField as RF,
};
use super::ops::{Change, Kind, Op, Record, RecordError, Value};
use jiff::civil::Date;
use serde::Serialize;

string_enum!(
    /// Where an evidence request stands.
    RequestStatus {
        Draft = "draft" / "草稿",
        Open = "open" / "待提交",
        Submitted = "submitted" / "已提交",
        Accepted = "accepted" / "已接受",
        Returned = "returned" / "已退回",
        Closed = "closed" / "已关闭",
    }
);

impl RequestStatus {
    /// The auditee has something to do: answer it.
    pub fn awaits_auditee(self) -> bool {
        matches!(self, RequestStatus::Open | RequestStatus::Returned)
    }
    /// The auditors have something to do: send it, or judge the answer.
    pub fn awaits_auditors(self) -> bool {
        matches!(self, RequestStatus::Draft | RequestStatus::Submitted)
    }
}

/// Whether a request may move from `from` to `to`.
pub fn check_transition(from: RequestStatus, to: RequestStatus) -> Result<(), String> {
    use RequestStatus::*;
    let ok = matches!(
        (from, to),
        (Draft, Open)
            | (Draft, Closed)
            | (Open, Submitted)
            | (Open, Closed)
            | (Returned, Submitted)
            | (Returned, Closed)
            | (Submitted, Accepted)
            | (Submitted, Returned)
            | (Accepted, Closed)
            | (Accepted, Returned)
            | (Closed, Open)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("a request cannot move from {from} to {to}"))
    }
}

/// One evidence request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Request {
    /// `ENGAGEMENT/R001`.
    pub id: String,
    pub engagement: String,
    /// `R001`.
    pub number: String,
    pub indicator: String,
    pub text: String,
    pub due: Option<Date>,
    /// The auditee's contact who answers it.
    pub addressee: String,
    pub status: RequestStatus,
    /// The auditors' word on the answer (why it was returned).
    pub comment: String,
    /// The auditee's answer.
    pub answer: String,
    pub sent_on: Option<Date>,
    pub submitted_on: Option<Date>,
    pub decided_by: String,
    pub decided_on: Option<Date>,
    /// The files that answer it (sha256).
    pub evidence: Vec<String>,
    pub created_by: String,
}

impl Request {
    pub fn record_id(engagement: &str, number: &str) -> String {
        format!("{engagement}/{number}")
    }

    /// `R001`, `R002`, … (`n` from 1).
    pub fn number(n: u32) -> String {
        format!("R{n:03}")
    }

    pub fn from_record(r: &Record) -> Result<Request, RecordError> {
        let (engagement, number) = r.entity.id.split_once('/').unwrap_or(("", &r.entity.id));
        Ok(Request {
            id: r.entity.id.clone(),
            engagement: engagement.to_string(),
            number: number.to_string(),
            indicator: r.text(RF::Indicator),
            text: r.text(RF::Text),
            due: r.date(RF::Due),
            addressee: r.text(RF::Addressee),
            status: r.enum_or(RF::Status, RequestStatus::Draft)?,
            comment: r.text(RF::Comment),
            answer: r.text(RF::Answer),
            sent_on: r.date(RF::SentOn),
            submitted_on: r.date(RF::SubmittedOn),
            decided_by: r.text(RF::DecidedBy),
            decided_on: r.date(RF::DecidedOn),
            evidence: r.linked(Rel::Evidence),
            created_by: r.created_by.clone().unwrap_or_default(),
        })
    }

    /// Past its due date and still the auditee's to answer.
    pub fn overdue(&self, today: Date) -> bool {
        self.status.awaits_auditee() && self.due.is_some_and(|d| d < today)
    }
}

/// A change to a request: the auditors make and move it; its addressee
/// answers it (answer text, files, submitted) while it awaits an answer.
pub fn check_request(me: &str, role: Option<Role>, op: &Op, before: Option<&Record>) -> Result<(), Refusal> {
    let auditor = role.is_some_and(Role::is_auditor);
    let what = format!("request {}", op.entity.id);
    let what_zh = format!("资料请求 {}", op.entity.id);
    let get = |f: RF| before.and_then(|r| r.get_raw(f.name())).and_then(Value::text);
    let addressee = get(RF::Addressee) == Some(me);
    let status = get(RF::Status).and_then(|t| t.parse::<RequestStatus>().ok());
    let answering = |f: &str| [RF::Answer, RF::SubmittedOn].iter().any(|a| a.name() == f);
    match &op.change {
        Change::Set { field, value } if field == RF::Status.name() => {
            let Some(to) = value.text().and_then(|t| t.parse::<RequestStatus>().ok()) else {
                return Ok(());
            };
            let from = status.unwrap_or(RequestStatus::Draft);
            if from != to {
                check_transition(from, to).map_err(|e| {
                    no(
                        format!("{what}: {e}"),
                        format!("{what_zh}：不能从“{}”变为“{}”", from.zh(), to.zh()),
                    )
                })?;
            }
            let by_addressee = to == RequestStatus::Submitted && addressee;
            if !auditor && !by_addressee {
                return Err(no(
                    format!(
                        "{me} may not move {what} to {to}: the auditors move a request; its addressee submits an answer"
                    ),
                    format!(
                        "{me} 不能将{what_zh}改为“{}”：资料请求由审核员处理，仅其收件人可提交答复",
                        to.zh()
                    ),
                ));
            }
            Ok(())
        }
        Change::Set { field, .. } if answering(field) => {
            if auditor || (addressee && status.is_some_and(RequestStatus::awaits_auditee)) {
                Ok(())
            } else {
                Err(no(
                    format!("{me} may not answer {what}: only its addressee does, while it awaits an answer"),
                    format!("{me} 不能答复{what_zh}：只有其收件人可以在待提交时答复"),
                ))
            }
        }
        Change::Link { rel, .. } | Change::Unlink { rel, .. } if rel == Rel::Evidence.name() => {
            if auditor || (addressee && status.is_some_and(RequestStatus::awaits_auditee)) {
                Ok(())
            } else {
                Err(no(
                    format!("{me} may not attach files to {what}: only its addressee does, while it awaits an answer"),
                    format!("{me} 不能为{what_zh}附加文件：只有其收件人可以在待提交时附加"),
                ))
            }
        }
        _ if auditor => Ok(()),
        _ => Err(no(
            format!("{me} may not write {what}: the auditors draft and send requests"),
            format!("{me} 不能编写{what_zh}：资料请求由审核员起草和发出"),
        )),
    }
}

/// What the auditee's contact may do in an engagement: answer the requests
/// addressed to them, respond to findings (root cause, correction, the
/// responded and implemented moves), propose corrective actions and report
/// their progress, attach the files for these, and record their own
/// responsibilities. Nothing else: not an assessment, not a finding's
/// statement, not the plan or the team.
pub fn auditee_may(me: &str, op: &Op, before: Option<&Record>) -> Result<(), Refusal> {
    let what = format!("{} {}", op.entity.kind.name(), op.entity.id);
    let what_zh = format!("{} {}", op.entity.kind.name_zh(), op.entity.id);
    let set = match &op.change {
        Change::Set { field, .. } => Some(field.as_str()),
        _ => None,
    };
    let evidence_link = matches!(&op.change, Change::Link { rel, .. } if rel == Rel::Evidence.name());
    let created_by_me = before.and_then(|r| r.created_by.as_deref()) == Some(me);
    let ok = match op.entity.kind {
        // Checked in full by `check_request`.
        Kind::Request => true,
        // Their own files: created by them, described by them.
        Kind::Evidence => match &op.change {
            Change::Create => true,
            Change::Set { field, value } if field == VF::CapturedBy.name() => created_by_me && value.text() == Some(me),
            Change::Set { .. } | Change::Tombstone => created_by_me,
            _ => false,
        },
        Kind::Finding => {
            evidence_link
                || set.is_some_and(|f| {
                    [
                        FF::RootCause,
                        FF::Correction,
                        FF::RespondedOn,
                        FF::Status,
                        FF::LastReason,
                    ]
                    .iter()
                    .any(|x| x.name() == f)
                })
        }
        Kind::Action => {
            op.change == Change::Create
                || evidence_link
                || (created_by_me && op.change == Change::Tombstone)
                || set.is_some_and(|f| {
                    [
                        AF::Engagement,
                        AF::Finding,
                        AF::Description,
                        AF::Owner,
                        AF::Due,
                        AF::Status,
                        AF::Progress,
                        AF::CompletionEvidence,
                        AF::CompletedOn,
                    ]
                    .iter()
                    .any(|x| x.name() == f)
                })
        }
        Kind::Member => op.entity.id.ends_with(&format!("/{me}")) && set == Some(MF::Responsibilities.name()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(no(
            format!(
                "{me} is the auditee's contact and may not change {what}: the auditee answers requests, responds to findings and reports on its corrective actions"
            ),
            format!("{me} 是受审核方联系人，不能更改{what_zh}：受审核方只能答复资料请求、回复发现项并报告纠正措施进展"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_moves_along_its_lifecycle_only() {
        use RequestStatus::*;
        for (from, to) in [
            (Draft, Open),
            (Open, Submitted),
            (Submitted, Returned),
            (Returned, Submitted),
        ] {
            assert!(check_transition(from, to).is_ok(), "{from} → {to}");
        }
        for (from, to) in [
            (Draft, Submitted),
            (Open, Accepted),
            (Returned, Accepted),
            (Closed, Submitted),
        ] {
            assert!(check_transition(from, to).is_err(), "{from} → {to}");
        }
        assert!(Open.awaits_auditee() && Returned.awaits_auditee() && !Submitted.awaits_auditee());
    }
}
