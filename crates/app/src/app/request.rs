//! Evidence requests: the auditors draft items (typed, or from the
//! catalogue's "evidence to ask for"), send them to the auditee's contact,
//! and accept or return each answer; the contact answers with files.
//! Every step is a signed change, judged on every copy by
//! `model::request` (the addressee answers, the auditors decide).

use super::{App, AppError, Result, create, link, set_if_changed};
use crate::message::Msg;
use crate::model::catalog::Catalog;
use crate::model::engagement::{Member, Role};
use crate::model::fields::RequestField as RF;
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::request::{self, Request, RequestStatus};
use crate::text::visible;
use jiff::civil::Date;
use std::path::Path;

/// A request to draft.
#[derive(Clone, Debug, Default)]
pub struct NewRequest {
    /// The indicator it is about (optional).
    pub indicator: Option<String>,
    pub text: String,
    pub due: Option<Date>,
    /// The auditee's contact who answers it; `None`: the engagement's only one.
    pub addressee: Option<String>,
}

impl App {
    /// The engagement's requests, by number. A record this build cannot
    /// read is left out rather than hiding the rest (and the TUI's lists).
    pub fn requests(&self, engagement: &str) -> Result<Vec<Request>> {
        let mut out: Vec<Request> = self
            .store()
            .records(Kind::Request, &format!("{engagement}/"))?
            .iter()
            .filter(|r| !r.deleted)
            .filter_map(|r| Request::from_record(r).ok())
            .collect();
        out.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(out)
    }

    /// One request by its number (`ZW-R001`) or id (`E/ZW-R001`).
    pub fn request(&self, engagement: &str, number: &str) -> Result<Request> {
        let number = number.strip_prefix(&format!("{engagement}/")).unwrap_or(number);
        let id = Request::record_id(engagement, number);
        match self.store().record(&EntityId::new(Kind::Request, &id))? {
            Some(r) if !r.deleted => Ok(Request::from_record(&r)?),
            _ => Err(AppError::NotFound {
                what: "request",
                id: visible(&id).into_owned(),
            }),
        }
    }

    /// The engagement's auditee contacts who have not left.
    pub fn auditee_contacts(&self, engagement: &str) -> Result<Vec<Member>> {
        Ok(self
            .team(engagement)?
            .into_iter()
            .filter(|m| m.role == Role::AuditeeContact && !m.has_left())
            .collect())
    }

    /// The addressee named, or the engagement's only auditee contact.
    pub(crate) fn addressee(&self, engagement: &str, given: Option<&str>) -> Result<String> {
        let contacts = self.auditee_contacts(engagement)?;
        match given {
            Some(a) if contacts.iter().any(|m| m.actor == a) => Ok(a.to_string()),
            Some(a) => Err(AppError::Invalid(Msg::new(
                format!(
                    "{} is not an auditee contact of {engagement}: requests go to a member with the auditee-contact role (`cscaudit engagement add-member … --role auditee-contact`)",
                    visible(a)
                ),
                format!(
                    "{} 不是 {engagement} 的受审核方联系人：资料请求发给角色为受审核方联系人的成员（`cscaudit engagement add-member … --role auditee-contact`）",
                    visible(a)
                ),
            ))),
            None => match contacts.as_slice() {
                [one] => Ok(one.actor.clone()),
                [] => Err(AppError::Invalid(Msg::new(
                    format!(
                        "{engagement} has no auditee contact to send requests to: add the auditee's liaison with `cscaudit engagement add-member … --role auditee-contact`"
                    ),
                    format!(
                        "{engagement} 没有受审核方联系人可接收资料请求：请用 `cscaudit engagement add-member … --role auditee-contact` 添加"
                    ),
                ))),
                many => {
                    let names: Vec<&str> = many.iter().map(|m| m.actor.as_str()).collect();
                    let names = visible(&names.join(", ")).into_owned();
                    Err(AppError::Invalid(Msg::new(
                        format!("{engagement} has several auditee contacts ({names}): name one with --to"),
                        format!("{engagement} 有多名受审核方联系人（{names}）：请用 --to 指定"),
                    )))
                }
            },
        }
    }

    /// The numbers of mine already used (`ZW-R001` is 1): the next is
    /// free without coordination, as finding references are.
    fn last_request_number(&self, engagement: &str) -> Result<(String, u32)> {
        let prefix = format!("{}-R", self.identity().initials.trim().to_uppercase());
        let n = self
            .store()
            .records(Kind::Request, &format!("{engagement}/{prefix}"))?
            .iter()
            .filter_map(|r| r.entity.id.rsplit_once("-R").and_then(|(_, n)| n.parse::<u32>().ok()))
            .max()
            .unwrap_or(0);
        Ok((prefix, n))
    }

    /// The changes that draft one request (checked by the caller).
    fn request_drafts(engagement: &str, number: &str, new: &NewRequest, addressee: &str) -> Vec<super::Draft> {
        let e = EntityId::new(Kind::Request, Request::record_id(engagement, number));
        let mut d = vec![create(&e)];
        set_if_changed(&mut d, &e, None, RF::Engagement, engagement.into());
        set_if_changed(&mut d, &e, None, RF::Text, new.text.trim().into());
        set_if_changed(&mut d, &e, None, RF::Addressee, addressee.into());
        set_if_changed(&mut d, &e, None, RF::Status, RequestStatus::Draft.as_str().into());
        if let Some(ind) = new.indicator.as_deref() {
            set_if_changed(&mut d, &e, None, RF::Indicator, ind.into());
        }
        if let Some(due) = new.due {
            set_if_changed(&mut d, &e, None, RF::Due, due.into());
        }
        d
    }

    /// Refused unless every name is an indicator of the engagement's catalogue.
    fn require_indicators<'a>(cat: &Catalog, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        match names.into_iter().find(|i| cat.indicator(i).is_none()) {
            Some(i) => Err(AppError::NotFound {
                what: "indicator",
                id: visible(i).into_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Draft a request (status draft: nothing goes out before `send`).
    pub fn add_request(&self, engagement: &str, mut new: NewRequest) -> Result<Request> {
        self.require_identity()?;
        let eng = self.engagement(engagement)?;
        if new.text.trim().is_empty() {
            return Err(AppError::Invalid(Msg::new(
                "a request says what is asked for",
                "资料请求须写明所需内容",
            )));
        }
        if let Some(typed) = new.indicator.take() {
            // `ch-01` is CH-01: the catalogue's spelling is kept.
            let cat = self.catalog_for(&eng)?;
            let id = cat
                .indicators
                .iter()
                .find(|i| i.id.eq_ignore_ascii_case(typed.trim()))
                .map_or(typed, |i| i.id.clone());
            Self::require_indicators(&cat, Some(id.as_str()))?;
            new.indicator = Some(id);
        }
        let addressee = self.addressee(engagement, new.addressee.as_deref())?;
        let (prefix, n) = self.last_request_number(engagement)?;
        let number = format!("{prefix}{:03}", n + 1);
        self.commit(Self::request_drafts(engagement, &number, &new, &addressee))?;
        self.request(engagement, &number)
    }

    /// Draft one request per indicator from the catalogue's "evidence to
    /// ask for" (all indicators when none are named), skipping indicators
    /// that already have a live request: one signed change for them all.
    pub fn add_catalogue_requests(
        &self,
        engagement: &str,
        indicators: &[String],
        due: Option<Date>,
        addressee: Option<&str>,
        zh: bool,
    ) -> Result<Vec<Request>> {
        self.require_identity()?;
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        // Every name checked before anything is drafted.
        Self::require_indicators(&cat, indicators.iter().map(String::as_str))?;
        let addressee = self.addressee(engagement, addressee)?;
        let asked: std::collections::BTreeSet<String> = self
            .requests(engagement)?
            .into_iter()
            .filter(|r| r.status != RequestStatus::Closed)
            .map(|r| r.indicator)
            .collect();
        let (prefix, mut n) = self.last_request_number(engagement)?;
        let (mut d, mut numbers) = (Vec::new(), Vec::new());
        for ind in &cat.indicators {
            let hint = ind.evidence_hint(zh);
            if (!indicators.is_empty() && !indicators.contains(&ind.id))
                || hint.trim().is_empty()
                || asked.contains(&ind.id)
            {
                continue;
            }
            n += 1;
            let number = format!("{prefix}{n:03}");
            let new = NewRequest {
                indicator: Some(ind.id.clone()),
                text: hint.to_string(),
                due,
                addressee: None,
            };
            d.extend(Self::request_drafts(engagement, &number, &new, &addressee));
            numbers.push(number);
        }
        if !d.is_empty() {
            self.commit(d)?;
        }
        numbers.iter().map(|n| self.request(engagement, n)).collect()
    }

    /// Open (send) the drafts addressed to `addressee`: they are now the
    /// auditee's to answer. Returns every request addressed to them that
    /// awaits an answer (the list to send).
    pub fn open_requests(&self, engagement: &str, addressee: Option<&str>) -> Result<(String, Vec<Request>)> {
        self.require_identity()?;
        let to = self.addressee(engagement, addressee)?;
        let today = self.today();
        let mut d = Vec::new();
        for r in self.requests(engagement)? {
            if r.addressee != to || r.status != RequestStatus::Draft {
                continue;
            }
            let e = EntityId::new(Kind::Request, &r.id);
            let cur = self.store().record(&e)?;
            set_if_changed(
                &mut d,
                &e,
                cur.as_ref(),
                RF::Status,
                RequestStatus::Open.as_str().into(),
            );
            set_if_changed(&mut d, &e, cur.as_ref(), RF::SentOn, today.into());
        }
        if !d.is_empty() {
            self.commit(d)?;
        }
        let items: Vec<Request> = self
            .requests(engagement)?
            .into_iter()
            .filter(|r| r.addressee == to && r.status.awaits_auditee())
            .collect();
        if items.is_empty() {
            return Err(AppError::Invalid(Msg::new(
                format!(
                    "nothing to send to {}: no request of {engagement} awaits their answer",
                    visible(&to)
                ),
                format!(
                    "没有可发给 {} 的资料请求：{engagement} 中没有待其答复的请求",
                    visible(&to)
                ),
            )));
        }
        Ok((to, items))
    }

    /// Answer a request with files (and words): the addressee's part. The
    /// files become evidence of the engagement; the request is submitted.
    pub fn answer_request(&self, engagement: &str, number: &str, answer: &str, files: &[&Path]) -> Result<Request> {
        self.require_identity()?;
        let r = self.request(engagement, number)?;
        let me = self.identity().actor.clone();
        if r.addressee != me && !self.i_am_auditor(engagement)? {
            return Err(AppError::Rule(Msg::new(
                format!(
                    "{} is addressed to {}, not to you ({me})",
                    r.number,
                    visible(&r.addressee)
                ),
                format!("{} 的收件人是 {}，而非您（{me}）", r.number, visible(&r.addressee)),
            )));
        }
        if !r.status.awaits_auditee() {
            return Err(AppError::Rule(Msg::new(
                format!(
                    "{} is {}: only an open or returned request is answered",
                    r.number, r.status
                ),
                format!("{} 的状态为“{}”：只能答复待提交或已退回的请求", r.number, r.status.zh()),
            )));
        }
        if files.is_empty() && answer.trim().is_empty() {
            return Err(AppError::Invalid(Msg::new(
                "an answer attaches files (--file) or says something (--note)",
                "答复须附文件（--file）或填写说明（--note）",
            )));
        }
        for f in files {
            super::check_evidence_file(f)?;
        }
        let mut shas = Vec::new();
        for f in files {
            let note = format!("{} {}", r.number, r.text.lines().next().unwrap_or_default());
            shas.push(self.attach_evidence(engagement, f, &note, None, None)?.sha256);
        }
        let e = EntityId::new(Kind::Request, &r.id);
        let cur = self.store().record(&e)?;
        let c = cur.as_ref();
        let mut d = Vec::new();
        if !answer.trim().is_empty() {
            set_if_changed(&mut d, &e, c, RF::Answer, answer.trim().into());
        }
        for sha in &shas {
            d.push(link(&e, crate::model::fields::Rel::Evidence, sha));
        }
        set_if_changed(&mut d, &e, c, RF::SubmittedOn, self.today().into());
        set_if_changed(&mut d, &e, c, RF::Status, RequestStatus::Submitted.as_str().into());
        self.commit(d)?;
        self.request(engagement, number)
    }

    /// The requests this copy's user works with: an auditee contact sees
    /// only those addressed to them (other contacts' items, and the auditors'
    /// drafts, are not theirs); anyone else sees them all. A view, not a
    /// secret: the signed history itself holds every item.
    pub fn my_requests(&self, engagement: &str) -> Result<Vec<Request>> {
        let all = self.requests(engagement)?;
        let me = self.identity().actor.clone();
        let contact = self
            .team(engagement)?
            .iter()
            .any(|m| m.actor == me && !m.has_left() && m.role == Role::AuditeeContact);
        Ok(if contact {
            all.into_iter()
                .filter(|r| r.addressee == me && r.status != RequestStatus::Draft)
                .collect()
        } else {
            all
        })
    }

    fn i_am_auditor(&self, engagement: &str) -> Result<bool> {
        let me = &self.identity().actor;
        Ok(self
            .team(engagement)?
            .iter()
            .any(|m| &m.actor == me && !m.has_left() && m.role.is_auditor()))
    }

    /// The auditors' move of a request: accept, return (with a comment),
    /// close or reopen.
    pub fn move_request(&self, engagement: &str, number: &str, to: RequestStatus, comment: &str) -> Result<Request> {
        self.require_identity()?;
        let r = self.request(engagement, number)?;
        if to == RequestStatus::Returned && comment.trim().is_empty() {
            return Err(AppError::Invalid(Msg::new(
                "a returned request says why (--comment), so the auditee knows what to send",
                "退回资料请求须说明原因（--comment），以便受审核方补充",
            )));
        }
        request::check_transition(r.status, to).map_err(|e| {
            AppError::Rule(Msg::new(
                format!("{}: {e}", r.number),
                format!("{}：不能从“{}”变为“{}”", r.number, r.status.zh(), to.zh()),
            ))
        })?;
        if !self.i_am_auditor(engagement)? {
            return Err(AppError::Rule(Msg::new(
                format!("only the lead or an auditor of {engagement} accepts, returns or closes a request"),
                format!("只有 {engagement} 的审核组长或审核员可以接受、退回或关闭资料请求"),
            )));
        }
        let e = EntityId::new(Kind::Request, &r.id);
        let cur = self.store().record(&e)?;
        let c = cur.as_ref();
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, c, RF::Status, to.as_str().into());
        if !comment.trim().is_empty() {
            set_if_changed(&mut d, &e, c, RF::Comment, comment.trim().into());
        }
        if matches!(to, RequestStatus::Accepted | RequestStatus::Returned) {
            set_if_changed(&mut d, &e, c, RF::DecidedBy, self.identity().actor.clone().into());
            set_if_changed(&mut d, &e, c, RF::DecidedOn, self.today().into());
        }
        if to == RequestStatus::Open {
            set_if_changed(&mut d, &e, c, RF::SentOn, Value::Date(self.today()));
        }
        self.commit(d)?;
        self.request(engagement, number)
    }
}
