//! The certification cycle: engagements that follow each other in a
//! programme (self-assessment → stage 1 → stage 2 → rectification →
//! decision and certificate → surveillance → recertification), open
//! findings carried from one to the next (linked, one history), the
//! certification decision by someone who was not on the audit team, and
//! the portfolio of programmes.
//!
//! Length: the use cases of the whole cycle side by side, as the rules between
//! its stages refer to each other.

use super::{AppError, Result, link, set_if_changed};
use crate::model::assessment::AssessmentResult;
use crate::model::engagement::{Certificate, CertificateStatus, Engagement, EngagementKind, Outcome, Role};
use crate::model::fields::{EngagementField as EF, MemberField as MF, Rel};
use crate::model::finding::{Finding, FindingStatus, Grade};
use crate::model::ops::{EntityId, Kind};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

fn rule(en: String, zh: String) -> AppError {
    AppError::Rule(crate::message::Msg::new(en, zh))
}

/// A finding no longer stands in the way of a decision or a rectification:
/// verified, closed or withdrawn.
fn resolved(s: FindingStatus) -> bool {
    matches!(
        s,
        FindingStatus::Verified | FindingStatus::Closed | FindingStatus::Withdrawn
    )
}

/// An indicator's result in an earlier engagement of the programme.
#[derive(Clone, Debug, Serialize)]
pub struct PreviousResult {
    pub engagement: String,
    pub kind: EngagementKind,
    pub result: AssessmentResult,
    pub measured: Option<f64>,
}

/// One programme (client) in the portfolio.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioLine {
    pub programme: String,
    pub client: String,
    /// What kind of organisation the client is (the latest engagement's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_kind: Option<crate::model::engagement::ClientKind>,
    /// The sites its engagements covered, in order, each once.
    pub sites: Vec<String>,
    pub engagements: Vec<String>,
    /// The latest engagement and its kind.
    pub current: String,
    pub current_kind: EngagementKind,
    pub certificate: Option<Certificate>,
    /// The certificate's status today (a valid one past its end is expired).
    pub certificate_status: Option<CertificateStatus>,
    /// The next surveillance (or, after the last, the recertification) due.
    pub next_audit_due: Option<Date>,
    pub open_majors: usize,
    pub overdue_actions: usize,
}

/// Where an engagement stands in its programme (for `status`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CycleInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<Date>,
    /// Findings of earlier engagements carried into this one, as they stand now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<CarriedLine>,
    /// Carried references this copy does not hold (their engagement was
    /// not imported or synced here).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub carried_elsewhere: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<crate::model::engagement::Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CarriedLine {
    pub reference: String,
    pub engagement: String,
    pub grade: Grade,
    pub status: FindingStatus,
    pub title: String,
}

impl super::App {
    /// Put an engagement in a certification programme (its client) with a scope.
    pub fn set_programme(&self, engagement: &str, programme: &str, scope: Option<&str>) -> Result<Engagement> {
        self.require_identity()?;
        super::validate_actor(programme).map_err(|_| {
            AppError::Invalid(crate::msg!(
                "programme id `{programme}` may use letters, digits, `.`, `-`, `_` only",
                "认证方案编号 `{programme}` 只能使用字母、数字、`.`、`-`、`_`"
            ))
        })?;
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let bound = cur.opt_text(EF::ProgrammeGenesis).filter(|g| !g.is_empty());
        let named = cur.opt_text(EF::Programme).filter(|p| !p.is_empty());
        if bound.is_some() && named.as_deref() != Some(programme) {
            let held = crate::text::visible(&named.unwrap_or_default()).into_owned();
            return Err(rule(
                format!("{engagement} belongs to programme {held}; an engagement's programme is fixed once bound"),
                format!("{engagement} 属于认证方案 {held}；审核项目的认证方案一经绑定不能更改"),
            ));
        }
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::Programme, programme.into());
        // Bound to the programme held here by its genesis (its identity):
        // another programme under the same name never decides on it.
        if bound.is_none()
            && self.is_programme(programme)?
            && let Some(g) = self.genesis_of(programme)?
        {
            set_if_changed(&mut d, &e, Some(&cur), EF::ProgrammeGenesis, g.into());
        }
        if let Some(s) = scope {
            set_if_changed(&mut d, &e, Some(&cur), EF::Scope, s.trim().into());
        }
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// Say what kind of organisation the programme's client is (bank,
    /// outsourcer, fintech); engagements that follow keep it.
    pub fn set_client_kind(&self, engagement: &str, kind: crate::model::engagement::ClientKind) -> Result<Engagement> {
        self.require_identity()?;
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::ClientKind, kind.as_str().into());
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// Create the engagement that follows `prev` in its programme: same
    /// auditee, site, catalogue, scope and team (unless given), every finding
    /// still open carried (linked), the checklist empty. A stage 2 cannot
    /// start before its stage 1 is closed.
    pub fn create_following(&self, prev: &str, new: super::NewEngagement) -> Result<Engagement> {
        self.create_following_with(prev, new, None)
    }

    /// [`App::create_following`] with another catalogue (its parsed form and
    /// source) instead of the previous engagement's.
    pub fn create_following_with(
        &self,
        prev: &str,
        mut new: super::NewEngagement,
        catalog: Option<(crate::model::catalog::Catalog, String)>,
    ) -> Result<Engagement> {
        self.require_identity()?;
        let before = self.engagement(prev)?;
        // A programme is one line of audits: each is followed once.
        if let Some(next) = self
            .engagements()?
            .into_iter()
            .find(|e| e.follows.as_deref() == Some(before.id.as_str()))
        {
            let (p, n) = (&before.id, &next.id);
            return Err(rule(
                format!("{n} already follows {p}: the next audit follows {n} (`--follows {n}`), or continue {n}"),
                format!("{n} 已接在 {p} 之后：下一次审核应接在 {n} 之后（`--follows {n}`），或继续 {n}"),
            ));
        }
        if new.kind == EngagementKind::Stage2 {
            let p = &before.id;
            if before.kind != EngagementKind::Stage1 {
                let k = (before.kind.as_str(), before.kind.zh());
                return Err(rule(
                    format!("a stage 2 follows a stage 1; {p} is a {} engagement", k.0),
                    format!("第二阶段审核应接在第一阶段审核之后；{p} 是{}", k.1),
                ));
            }
            if before.closed_on.is_none() {
                return Err(rule(
                    format!(
                        "stage 2 cannot start before stage 1 ({p}) is closed; close it with `cscaudit engagement close -e {p}`"
                    ),
                    format!(
                        "第一阶段审核（{p}）结束之前不能开始第二阶段审核；用 `cscaudit engagement close -e {p}` 结束它"
                    ),
                ));
            }
        }
        if new.auditee.trim().is_empty() {
            new.auditee = before.auditee.clone();
        }
        if new.site.trim().is_empty() {
            new.site = before.site.clone();
        }
        let (cat, src) = match catalog {
            Some(c) => c,
            None => (
                self.catalog_for(&before)?,
                self.catalog_source(&before)?.unwrap_or_default(),
            ),
        };
        let me = self.identity().actor.clone();
        let team = self.team(&before.id)?;
        let mine = team.iter().find(|m| m.actor == me && !m.has_left());
        // You lead it, with the registration you had on the previous team.
        let lead_cert = mine.and_then(|m| m.certificate_no.as_deref()).or(self.certificate());
        let (id, mut d) = self.engagement_drafts(new, &cat, &src, lead_cert)?;
        let programme = before.programme.clone().unwrap_or_else(|| before.id.clone());
        // The first engagement of a programme names it after itself.
        if before.programme.is_none() {
            let pe = EntityId::new(Kind::Engagement, &before.id);
            let cur = self.record(Kind::Engagement, &before.id)?;
            d.push(super::set(&pe, Some(&cur), EF::Programme, programme.as_str()));
        }
        let e = EntityId::new(Kind::Engagement, &id);
        d.push(super::set(&e, None, EF::Programme, programme.as_str()));
        if let Some(g) = self.programme_bound(&before.id)? {
            d.push(super::set(&e, None, EF::ProgrammeGenesis, g));
        }
        d.push(super::set(&e, None, EF::Follows, before.id.as_str()));
        if !before.scope.is_empty() {
            d.push(super::set(&e, None, EF::Scope, before.scope.as_str()));
        }
        if let Some(k) = before.client_kind {
            d.push(super::set(&e, None, EF::ClientKind, k.as_str()));
        }
        for f in self.open_findings_of(&before)? {
            d.push(link(&e, Rel::Carries, &f.entity));
        }
        // The rest of the team comes along (keys and registrations too).
        for m in team.iter().filter(|m| !m.has_left()) {
            if m.actor != me {
                d.extend(self.member_drafts(
                    &id,
                    &team,
                    &m.actor,
                    &m.name,
                    &m.initials,
                    m.role,
                    m.certificate_no.as_deref(),
                    m.key.as_deref(),
                )?);
            }
            let me_ = EntityId::new(Kind::Member, format!("{id}/{}", m.actor));
            if let Some(until) = m.registration_until {
                d.push(super::set(&me_, None, MF::RegistrationUntil, until));
            }
            if let Some(level) = m.level {
                d.push(super::set(&me_, None, MF::Level, level.as_str()));
            }
        }
        // One commit: the engagement, its place in the programme, the
        // carried findings and the team, or nothing.
        self.commit(d)?;
        self.engagement(&id)
    }

    /// An engagement's own findings and those it carries that are still open.
    fn open_findings_of(&self, eng: &Engagement) -> Result<Vec<Finding>> {
        let mut v: Vec<Finding> = self
            .findings(&eng.id)?
            .into_iter()
            .filter(|f| f.status.is_open())
            .collect();
        for r in &eng.carries {
            if let Ok(f) = self.finding_by_id(r)
                && f.status.is_open()
                && !v.iter().any(|x| x.entity == f.entity)
            {
                v.push(f);
            }
        }
        Ok(v)
    }

    /// Close an engagement's fieldwork. A rectification follow-up closes
    /// only with the auditee's rectification report attached as evidence
    /// and every major it follows verified.
    pub fn close_engagement(&self, id: &str) -> Result<Engagement> {
        self.require_identity()?;
        let eng = self.engagement(id)?;
        if eng.kind == EngagementKind::FollowUp {
            if self.evidence(id)?.is_empty() {
                return Err(rule(
                    format!(
                        "attach the auditee's rectification report first (`cscaudit evidence add -e {id} FILE --note \"rectification report\"`); nothing was changed"
                    ),
                    format!(
                        "请先附上受审核方的整改报告（`cscaudit evidence add -e {id} 文件 --note \"整改报告\"`）；未做任何更改"
                    ),
                ));
            }
            let waiting: Vec<String> = self
                .open_findings_of(&eng)?
                .into_iter()
                .filter(|f| f.grade == Grade::Major && !resolved(f.status))
                .map(|f| format!("{} ({})", f.reference, f.status))
                .collect();
            if !waiting.is_empty() {
                let list = crate::text::visible(&waiting.join(", ")).into_owned();
                return Err(rule(
                    format!("the rectification closes when every major is verified; still open: {list}"),
                    format!("所有严重不符合项验证后才能结束整改跟踪；仍未验证：{list}"),
                ));
            }
        }
        let e = EntityId::new(Kind::Engagement, id);
        let cur = self.record(Kind::Engagement, id)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::ClosedOn, self.today().into());
        self.commit(d)?;
        self.engagement(id)
    }

    /// Every engagement of `eng`'s programme, in the order they follow each other.
    pub fn programme_engagements(&self, eng: &Engagement) -> Result<Vec<Engagement>> {
        Ok(programme_among(eng, self.engagements()?))
    }

    /// Record the technical review of `engagement`'s audit before the
    /// decision (GB/T 27065 / ISO/IEC 17021-1: the audit's records reviewed
    /// by someone of the body not on the audit team): a technical reviewer
    /// or decision maker of its programme, recorded in the programme.
    pub fn technical_review(&self, engagement: &str, note: &str) -> Result<Engagement> {
        self.require_identity()?;
        let eng = self.engagement(engagement)?;
        self.require_decidable(&eng)?;
        let chain = self.programme_engagements(&eng)?;
        self.require_impartial(&chain)?;
        self.require_programme_role(&eng, true)?;
        if note.trim().is_empty() {
            return Err(AppError::Invalid(crate::msg!(
                "a technical review says what was reviewed and found (`--note`)",
                "技术评审须写明评审的内容和结论（`--note`）"
            )));
        }
        let me = self.identity().actor.clone();
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::ReviewBy, me.as_str().into());
        set_if_changed(&mut d, &e, Some(&cur), EF::ReviewOn, self.today().into());
        set_if_changed(&mut d, &e, Some(&cur), EF::ReviewNote, note.trim().into());
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// Refused unless `eng` is an audit a decision is taken on.
    fn require_decidable(&self, eng: &Engagement) -> Result<()> {
        if !matches!(
            eng.kind,
            EngagementKind::Stage2 | EngagementKind::Recertification | EngagementKind::FollowUp
        ) {
            let (id, k) = (&eng.id, (eng.kind.as_str(), eng.kind.zh()));
            return Err(rule(
                format!(
                    "a certification decision is taken on a stage 2, a recertification or a rectification follow-up; {id} is a {} engagement",
                    k.0
                ),
                format!("认证决定基于第二阶段审核、再认证审核或整改跟踪作出；{id} 是{}", k.1),
            ));
        }
        Ok(())
    }

    /// Record the certification decision on `engagement` (a stage 2,
    /// recertification or rectification follow-up). Refused when you were
    /// on the audit team of any engagement of the programme (impartiality),
    /// and, to certify, while a major nonconformity is open. Certifying
    /// issues the certificate, valid `years` years.
    pub fn decide(
        &self,
        engagement: &str,
        outcome: Outcome,
        certificate_no: Option<&str>,
        years: i16,
        note: &str,
    ) -> Result<Engagement> {
        self.require_identity()?;
        let eng = self.engagement(engagement)?;
        self.require_decidable(&eng)?;
        let chain = self.programme_engagements(&eng)?;
        self.require_impartial(&chain)?;
        self.require_decision_maker(&eng)?;
        let me = self.identity().actor.clone();
        let mut open: Vec<Finding> = Vec::new();
        for e in &chain {
            for f in self.open_findings_of(e)? {
                if !open.iter().any(|x| x.entity == f.entity) {
                    open.push(f);
                }
            }
        }
        let majors: Vec<&Finding> = open
            .iter()
            .filter(|f| f.grade == Grade::Major && !resolved(f.status))
            .collect();
        if outcome == Outcome::Certify && !majors.is_empty() {
            let list = majors
                .iter()
                .map(|f| f.reference.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let list = crate::text::visible(&list).into_owned();
            return Err(rule(
                format!("a decision to certify is refused while a major nonconformity is open: {list}"),
                format!("存在未关闭的严重不符合项时不能作出批准认证的决定：{list}"),
            ));
        }
        // A rectification is decided once it is closed: its closing is what
        // checks the report and the majors.
        if eng.kind == EngagementKind::FollowUp && eng.closed_on.is_none() {
            let id = &eng.id;
            return Err(rule(
                format!(
                    "the rectification {id} is not closed: its lead closes it (`cscaudit engagement close -e {id}`, which needs the rectification report and every major verified) before the decision"
                ),
                format!(
                    "整改跟踪 {id} 尚未结束：须先由组长结束（`cscaudit engagement close -e {id}`，需附整改报告且所有严重不符合项已验证），再作认证决定"
                ),
            ));
        }
        if eng.review.is_none() {
            return Err(rule(
                format!(
                    "the certification decision on {engagement} comes after its technical review, and there is none yet: a technical reviewer (or decision maker) of the programme who was not on the audit team runs `cscaudit engagement review -e {engagement}` first; nothing was recorded"
                ),
                format!(
                    "{engagement} 的认证决定须在技术评审之后作出，而目前尚无技术评审：请先由认证方案中未参加审核的技术评审人员（或认证决定人员）运行 `cscaudit engagement review -e {engagement}`；未记录任何内容"
                ),
            ));
        }
        let count = |g: Grade| open.iter().filter(|f| f.grade == g && !resolved(f.status)).count();
        let ids: Vec<&str> = chain.iter().map(|e| e.id.as_str()).collect();
        let mut basis = format!(
            "engagements: {}; open: {} major, {} minor, {} observation, {} improvement",
            ids.join(", "),
            count(Grade::Major),
            count(Grade::Minor),
            count(Grade::Observation),
            count(Grade::Improvement)
        );
        if !note.trim().is_empty() {
            basis.push_str("; ");
            basis.push_str(note.trim());
        }
        let today = self.today();
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::DecisionOutcome, outcome.as_str().into());
        set_if_changed(&mut d, &e, Some(&cur), EF::DecisionBy, me.as_str().into());
        set_if_changed(&mut d, &e, Some(&cur), EF::DecisionOn, today.into());
        set_if_changed(&mut d, &e, Some(&cur), EF::DecisionBasis, basis.into());
        if outcome == Outcome::Certify {
            if !(1..=6).contains(&years) {
                return Err(AppError::Invalid(crate::msg!(
                    "a certificate is valid 1 to 6 years (usually 3), not {years}",
                    "证书有效期为 1 至 6 年（通常 3 年），不能是 {years}"
                )));
            }
            let programme = eng.programme.clone().unwrap_or_else(|| eng.id.clone());
            let number = certificate_no
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| format!("{programme}-{}", today.year()));
            let until = today
                .checked_add(jiff::Span::new().years(years))
                .and_then(|d| d.checked_sub(jiff::Span::new().days(1)))
                .map_err(|_| {
                    AppError::Invalid(crate::msg!("the validity runs past the calendar", "有效期超出日历范围"))
                })?;
            set_if_changed(&mut d, &e, Some(&cur), EF::CertificateNo, number.into());
            set_if_changed(&mut d, &e, Some(&cur), EF::CertificateIssued, today.into());
            set_if_changed(&mut d, &e, Some(&cur), EF::CertificateUntil, until.into());
            set_if_changed(
                &mut d,
                &e,
                Some(&cur),
                EF::CertificateStatus,
                CertificateStatus::Valid.as_str().into(),
            );
        }
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// Each indicator's results in the earlier engagements of the
    /// programme, oldest first (the trend beside the checklist).
    pub fn previous_results(&self, eng: &Engagement) -> Result<BTreeMap<String, Vec<PreviousResult>>> {
        self.previous_results_among(eng, self.engagements()?)
    }

    /// [`App::previous_results`] with every engagement already read.
    pub fn previous_results_among(
        &self,
        eng: &Engagement,
        all: Vec<Engagement>,
    ) -> Result<BTreeMap<String, Vec<PreviousResult>>> {
        let mut out: BTreeMap<String, Vec<PreviousResult>> = BTreeMap::new();
        for e in programme_among(eng, all) {
            if e.id == eng.id {
                break;
            }
            for a in self.assessments(&e.id)? {
                if a.result == AssessmentResult::NotAssessed && a.measured.is_none() {
                    continue;
                }
                out.entry(a.indicator.clone()).or_default().push(PreviousResult {
                    engagement: e.id.clone(),
                    kind: e.kind,
                    result: a.result,
                    measured: a.measured,
                });
            }
        }
        Ok(out)
    }

    /// Where an engagement stands in its programme.
    pub fn cycle_info(&self, eng: &Engagement) -> Result<CycleInfo> {
        let (mut carried, mut carried_elsewhere) = (Vec::new(), Vec::new());
        for r in &eng.carries {
            match self.finding_by_id(r) {
                Ok(f) => carried.push(CarriedLine {
                    reference: f.reference,
                    engagement: f.engagement,
                    grade: f.grade,
                    status: f.status,
                    title: f.title,
                }),
                Err(_) => carried_elsewhere.push(r.clone()),
            }
        }
        let certificate = self
            .programme_engagements(eng)?
            .into_iter()
            .rev()
            .find_map(|e| e.certificate);
        Ok(CycleInfo {
            programme: eng.programme.clone(),
            follows: eng.follows.clone(),
            closed_on: eng.closed_on,
            carried,
            carried_elsewhere,
            decision: eng.decision.clone(),
            certificate,
        })
    }

    /// Refused when you are (or were) on the audit team of any of `chain`
    /// other than as decision-maker: decisions on certification are made by
    /// someone of the body who did not audit.
    fn require_impartial(&self, chain: &[Engagement]) -> Result<()> {
        let me = self.identity().actor.clone();
        for e in chain {
            // Having left the team does not undo having audited.
            if let Some(m) = self.member(&e.id, &me)
                && !matches!(m.role, Role::DecisionMaker | Role::TechnicalReviewer)
            {
                let (id, role, role_zh) = (&e.id, m.role.as_str(), m.role.zh());
                return Err(rule(
                    format!(
                        "{me} was on the audit team of {id} ({role}): the certification decision is made by someone of the body who was not on the audit team; nothing was recorded"
                    ),
                    format!(
                        "{me} 是 {id} 审核组成员（{role_zh}）：认证决定须由未参加审核的认证机构人员作出；未记录任何内容"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Suspend, withdraw or restore (valid) the certificate issued on
    /// `engagement`, with the reason in the decision's basis; by someone who
    /// may decide (not on any audit team of the programme). An expired
    /// certificate is not restored.
    pub fn set_certificate_status(
        &self,
        engagement: &str,
        status: CertificateStatus,
        reason: &str,
    ) -> Result<Engagement> {
        self.require_identity()?;
        let eng = self.engagement(engagement)?;
        let Some(cert) = eng.certificate.clone() else {
            return Err(rule(
                format!(
                    "{engagement} issued no certificate; the certificate is on the engagement whose decision certified"
                ),
                format!("{engagement} 未颁发证书；证书记录在作出批准认证决定的审核项目上"),
            ));
        };
        let today = self.today();
        if status == CertificateStatus::Expired || cert.status_on(today) == CertificateStatus::Expired {
            let until = cert.valid_until;
            return Err(rule(
                format!(
                    "certificate {} expired on {until}: it is renewed by recertification, not restored",
                    cert.number
                ),
                format!("证书 {} 已于 {until} 过期：须经再认证换发，不能恢复", cert.number),
            ));
        }
        if cert.status == CertificateStatus::Withdrawn {
            return Err(rule(
                format!(
                    "certificate {} was withdrawn; a withdrawn certificate is not restored",
                    cert.number
                ),
                format!("证书 {} 已撤销；撤销的证书不能恢复", cert.number),
            ));
        }
        if reason.trim().is_empty() {
            return Err(AppError::Invalid(crate::msg!(
                "say why (--reason): the decision's basis records it",
                "请说明原因（--reason）：记入决定依据"
            )));
        }
        self.require_impartial(&self.programme_engagements(&eng)?)?;
        self.require_decision_maker(&eng)?;
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::CertificateStatus, status.as_str().into());
        set_if_changed(&mut d, &e, Some(&cur), EF::CertificateStatusOn, today.into());
        set_if_changed(
            &mut d,
            &e,
            Some(&cur),
            EF::CertificateStatusReason,
            reason.trim().into(),
        );
        let basis = eng.decision.as_ref().map(|d| d.basis.clone()).unwrap_or_default();
        let who = self.identity().actor.clone();
        let line = format!("{today} {who}: {} — {}", status.as_str(), reason.trim());
        let basis = if basis.is_empty() {
            line
        } else {
            format!("{basis}\n{line}")
        };
        set_if_changed(&mut d, &e, Some(&cur), EF::DecisionBasis, basis.into());
        self.commit(d)?;
        self.engagement(engagement)
    }

    /// Every programme: client, certificate and its status, next audit due,
    /// open majors and overdue actions across its engagements.
    pub fn portfolio(&self) -> Result<Vec<PortfolioLine>> {
        let today = self.today();
        let mut groups: BTreeMap<String, Vec<Engagement>> = BTreeMap::new();
        for e in self.engagements()? {
            if let Some(p) = e.programme.clone() {
                groups.entry(p).or_default().push(e);
            }
        }
        let mut out = Vec::new();
        for (programme, engs) in groups {
            let chain = order_chain(engs);
            let Some(current) = chain.last().cloned() else { continue };
            let cert_at = chain.iter().rposition(|e| e.certificate.is_some());
            let certificate = cert_at.and_then(|i| chain[i].certificate.clone());
            let next_audit_due = certificate.as_ref().map(|c| {
                let done = chain[cert_at.unwrap_or(0) + 1..]
                    .iter()
                    .filter(|e| e.kind == EngagementKind::Surveillance && e.closed_on.is_some())
                    .count();
                c.surveillance_due().get(done).copied().unwrap_or(c.valid_until)
            });
            // From the counters and date indexes, not the records.
            let (mut open_majors, mut overdue_actions) = (0, 0);
            for e in &chain {
                let g = self.glance_counts(e)?;
                open_majors += g
                    .findings_by_grade
                    .iter()
                    .filter(|((grade, st), _)| *grade == Grade::Major && !resolved(*st))
                    .map(|(_, n)| n)
                    .sum::<usize>();
                overdue_actions += g.overdue;
            }
            let mut sites: Vec<String> = Vec::new();
            for e in &chain {
                if !e.site.trim().is_empty() && !sites.contains(&e.site) {
                    sites.push(e.site.clone());
                }
            }
            out.push(PortfolioLine {
                programme,
                client: current.auditee.clone(),
                client_kind: chain.iter().rev().find_map(|e| e.client_kind),
                sites,
                engagements: chain.iter().map(|e| e.id.clone()).collect(),
                current: current.id.clone(),
                current_kind: current.kind,
                certificate_status: certificate.as_ref().map(|c| c.status_on(today)),
                certificate,
                next_audit_due,
                open_majors,
                overdue_actions,
            });
        }
        Ok(out)
    }
}

/// The engagements of `eng`'s programme among `all`, in order (`eng` alone
/// when it is in none).
fn programme_among(eng: &Engagement, all: Vec<Engagement>) -> Vec<Engagement> {
    let Some(p) = &eng.programme else {
        return vec![eng.clone()];
    };
    order_chain(
        all.into_iter()
            .filter(|e| e.programme.as_deref() == Some(p.as_str()))
            .collect(),
    )
}

/// Engagements in the order they follow each other (`follows`), the first
/// being the one that follows none of them; any left over at the end by id.
fn order_chain(mut all: Vec<Engagement>) -> Vec<Engagement> {
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out: Vec<Engagement> = Vec::new();
    let ids: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    let mut next = all
        .iter()
        .position(|e| e.follows.as_ref().is_none_or(|f| !ids.contains(f)));
    while let Some(i) = next {
        let e = all.remove(i);
        let id = e.id.clone();
        out.push(e);
        next = all.iter().position(|x| x.follows.as_deref() == Some(id.as_str()));
    }
    out.extend(all);
    out
}
