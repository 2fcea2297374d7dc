//! The certification body's records around an audit: declared interests
//! (a live conflict refuses allocation), rotation, the audit plan (mode,
//! criteria, sites, activities, person-days), the opening and closing
//! meetings (attendance, photos), and each auditor's experience log.
//! Every one is a signed record: interests in the programme's batches,
//! the rest in the engagement's.

use super::{App, AppError, Result, create, link, set_if_changed};
use crate::config::body::{BodyConfig, Calculated};
use crate::model::body::{self, Activity, Attendee, AuditMode, Interest, InterestKind, Meeting, MeetingKind};
use crate::model::engagement::{Engagement, EngagementKind, Role};
use crate::model::fields::{ActivityField as AF, EngagementField as EF, InterestField as IF, MeetingField as MF, Rel};
use crate::model::ops::{Change, EntityId, Kind, Value};
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::path::Path;

fn invalid(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

fn refused(en: String, zh: String) -> AppError {
    AppError::Rule(crate::message::Msg::new(en, zh))
}

fn shown(s: &str) -> String {
    crate::text::visible(s).into_owned()
}

/// An engagement's audit plan as held.
#[derive(Clone, Debug, Serialize)]
pub struct AuditPlan {
    pub engagement: String,
    pub kind: EngagementKind,
    pub auditee: String,
    pub objectives: String,
    pub scope: String,
    pub criteria: String,
    pub sites: Vec<String>,
    pub mode: Option<AuditMode>,
    pub agents: Option<u32>,
    pub activities: Vec<Activity>,
    pub opening: Option<Meeting>,
    pub closing: Option<Meeting>,
    pub days_planned: Option<f64>,
    pub days_actual: Option<f64>,
    pub days_justification: String,
    /// First and last day of the audit (activities, else meetings).
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl AuditPlan {
    /// The site list's entries (`;` or new lines between them).
    pub fn split_sites(text: &str) -> Vec<String> {
        text.split([';', '；', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// What `audit-plan set` changes (`None`: as it is).
#[derive(Clone, Debug, Default)]
pub struct PlanEdit {
    pub objectives: Option<String>,
    pub scope: Option<String>,
    pub criteria: Option<String>,
    pub sites: Option<String>,
    pub mode: Option<AuditMode>,
    pub agents: Option<u32>,
}

/// An activity to add to the plan.
#[derive(Clone, Debug, Default)]
pub struct NewActivity {
    pub on: Option<Date>,
    /// `HH:MM`.
    pub from: String,
    pub to: String,
    pub place: String,
    pub title: String,
    pub auditors: Vec<String>,
    pub auditee: String,
}

/// Person-days of an audit: planned (calculated or overridden with a
/// justification) and spent.
#[derive(Clone, Debug, Serialize)]
pub struct PersonDays {
    pub planned: Option<f64>,
    pub actual: Option<f64>,
    /// How the planned figure was reached.
    pub basis: String,
    /// The calculator's figure, when it applies.
    pub calculated: Option<f64>,
    /// Why the plan differs from the calculator (required when it does).
    pub justification: String,
    /// Where `actual` came from: `recorded` or `attendance`.
    pub actual_from: &'static str,
}

/// A meeting to record.
#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub at: DateTime,
    pub place: String,
    pub attendees: Vec<Attendee>,
    pub note: String,
}

/// One line of an auditor's experience log.
#[derive(Clone, Debug, Serialize)]
pub struct LogLine {
    pub engagement: String,
    pub client: String,
    pub programme: Option<String>,
    pub kind: EngagementKind,
    pub role: Role,
    pub level: Option<crate::model::engagement::Level>,
    pub mode: Option<AuditMode>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub on_site_days: f64,
    /// Attendance is recorded for both meetings.
    pub attended: bool,
}

/// `HH:MM` (24-hour), or an error naming the field.
fn check_hhmm(t: &str, what_en: &str, what_zh: &str) -> Result<()> {
    let ok = t.len() == 5
        && t.as_bytes()[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60);
    if ok {
        Ok(())
    } else {
        let t = shown(t);
        Err(invalid(
            format!("{what_en} `{t}` is not a time of day HH:MM (e.g. 09:30)"),
            format!("{what_zh} `{t}` 不是 HH:MM 格式的时间（如 09:30）"),
        ))
    }
}

impl App {
    // ------------------------------------------------------- interests

    /// Declare `actor`'s interest in programme `programme`'s client until
    /// `until` (a lead of the programme records it; the body's register).
    pub fn declare_interest(
        &self,
        programme: &str,
        actor: &str,
        kind: InterestKind,
        until: Date,
        note: &str,
    ) -> Result<Interest> {
        self.require_identity()?;
        self.programme(programme)?;
        super::validate_actor(actor)?;
        self.require_register_keeper(programme)?;
        let e = EntityId::new(Kind::Interest, Interest::record_id(programme, actor));
        let cur = self.store().record(&e)?.filter(|r| !r.deleted);
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(&e));
        }
        set_if_changed(&mut d, &e, cur.as_ref(), IF::Actor, actor.into());
        set_if_changed(&mut d, &e, cur.as_ref(), IF::Kind, kind.as_str().into());
        set_if_changed(&mut d, &e, cur.as_ref(), IF::Until, until.into());
        set_if_changed(&mut d, &e, cur.as_ref(), IF::Note, note.trim().into());
        set_if_changed(&mut d, &e, cur.as_ref(), IF::DeclaredOn, self.today().into());
        self.commit(d)?;
        Ok(Interest::from_record(&self.record(Kind::Interest, &e.id)?)?)
    }

    /// Take a declared interest off the register (lead of the programme).
    pub fn remove_interest(&self, programme: &str, actor: &str) -> Result<()> {
        self.require_identity()?;
        self.programme(programme)?;
        self.require_register_keeper(programme)?;
        let e = EntityId::new(Kind::Interest, Interest::record_id(programme, actor));
        if self.store().record(&e)?.filter(|r| !r.deleted).is_none() {
            let (p, a) = (shown(programme), shown(actor));
            return Err(AppError::Invalid(crate::msg!(
                "{a} has no declared interest in programme {p}",
                "{a} 在认证方案 {p} 中没有申报的利益关系"
            )));
        }
        // Ended yesterday rather than deleted: the register keeps it, and
        // it can be declared again.
        let cur = self.store().record(&e)?;
        let mut d = Vec::new();
        let yesterday = self.today().yesterday().unwrap_or(self.today());
        set_if_changed(&mut d, &e, cur.as_ref(), IF::Until, yesterday.into());
        self.commit(d)?;
        Ok(())
    }

    /// Refused unless you are a lead of `programme` (who keeps its register).
    fn require_register_keeper(&self, programme: &str) -> Result<()> {
        let me = self.identity().actor.clone();
        if self.held_team(programme)?.is_lead(&me) {
            return Ok(());
        }
        let (m, p) = (shown(&me), shown(programme));
        Err(refused(
            format!(
                "only a lead of programme {p} keeps its register of interests; {m} is not one (`cscaudit programme show {p}` names them)"
            ),
            format!(
                "只有认证方案 {p} 的负责人可以维护其利益关系登记；{m} 不是负责人（`cscaudit programme show {p}` 可查看）"
            ),
        ))
    }

    /// The register: every declared interest held here (of one programme).
    pub fn interests(&self, programme: Option<&str>) -> Result<Vec<Interest>> {
        let prefix = programme.map(|p| format!("{p}/")).unwrap_or_default();
        let mut out = Vec::new();
        // A record this build cannot read (a kind it does not know) is
        // left out rather than hiding the rest of the register.
        for r in self.store().records(Kind::Interest, &prefix)? {
            if !r.deleted
                && let Ok(i) = Interest::from_record(&r)
            {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// `actor`'s interest in `engagement`'s client that stands on `day`.
    pub fn live_conflict(&self, engagement: &Engagement, actor: &str, day: Date) -> Result<Option<Interest>> {
        let Some(p) = engagement.programme.as_deref() else {
            return Ok(None);
        };
        let e = EntityId::new(Kind::Interest, Interest::record_id(p, actor));
        Ok(match self.store().record(&e)?.filter(|r| !r.deleted) {
            Some(r) => Some(Interest::from_record(&r)?).filter(|i| i.live_on(day)),
            None => None,
        })
    }

    /// Refused when `actor` has a live declared interest in the client of
    /// `engagement` (an auditee's own contact excepted).
    pub(crate) fn require_no_conflict(&self, engagement: &str, actor: &str, role: Role) -> Result<()> {
        if role == Role::AuditeeContact {
            return Ok(());
        }
        let eng = self.engagement(engagement)?;
        if let Some(i) = self.live_conflict(&eng, actor, self.today())? {
            let (a, p, k, kz, u) = (shown(actor), shown(&i.programme), i.kind.as_str(), i.kind.zh(), i.until);
            return Err(refused(
                format!(
                    "{a} may not be on the team of {engagement}: they declared a {k} interest in the client of programme {p}, standing until {u} (impartiality; `cscaudit interest list`); nothing was recorded"
                ),
                format!(
                    "{a} 不能加入 {engagement} 审核组：其已申报与认证方案 {p} 的客户存在{kz}关系，至 {u} 前有效（公正性；`cscaudit interest list`）；未记录任何内容"
                ),
            ));
        }
        Ok(())
    }

    /// How many audits of `engagement`'s programme in a row, up to the one
    /// `engagement` follows, had `actor` on the team.
    pub fn consecutive_audits(&self, engagement: &str, actor: &str) -> Result<usize> {
        let eng = self.engagement(engagement)?;
        let chain = self.programme_engagements(&eng)?;
        let before: Vec<&Engagement> = chain
            .iter()
            .take_while(|e| e.id != eng.id)
            .filter(|e| e.kind != EngagementKind::SelfAssessment)
            .collect();
        let mut n = 0;
        for e in before.iter().rev() {
            match self.member(&e.id, actor) {
                Some(m) if m.role.is_auditor() || m.role == Role::TechnicalExpert => n += 1,
                _ => break,
            }
        }
        Ok(n)
    }

    /// A warning when `actor` has audited `engagement`'s client more than
    /// the body's `rotation_after` times in a row.
    pub fn rotation_warning(
        &self,
        engagement: &str,
        actor: &str,
        body: &BodyConfig,
    ) -> Result<Option<crate::message::Msg>> {
        if body.rotation_after == 0 {
            return Ok(None);
        }
        let n = self.consecutive_audits(engagement, actor)?;
        if n < body.rotation_after as usize {
            return Ok(None);
        }
        let (a, max) = (shown(actor), body.rotation_after);
        Ok(Some(crate::msg!(
            "{a} has audited this client {n} times in a row (the body's rotation limit is {max}): consider another auditor",
            "{a} 已连续 {n} 次审核该客户（机构的轮换上限为 {max} 次）：请考虑更换审核员"
        )))
    }

    // ------------------------------------------------------- audit plan

    /// The audit plan of `engagement` as held.
    pub fn audit_plan(&self, engagement: &str) -> Result<AuditPlan> {
        let r = self.record(Kind::Engagement, engagement)?;
        let eng = Engagement::from_record(&r)?;
        let mut activities: Vec<Activity> = self
            .store()
            .records(Kind::Activity, &format!("{engagement}/"))?
            .iter()
            .filter(|r| !r.deleted)
            .map(Activity::from_record)
            .collect::<std::result::Result<_, _>>()?;
        activities.sort_by(|a, b| (a.on, &a.from, &a.id).cmp(&(b.on, &b.from, &b.id)));
        let meeting = |k: MeetingKind| -> Result<Option<Meeting>> {
            let e = EntityId::new(Kind::Meeting, Meeting::record_id(engagement, k));
            Ok(match self.store().record(&e)?.filter(|r| !r.deleted) {
                Some(r) => Some(Meeting::from_record(&r)?),
                None => None,
            })
        };
        let (opening, closing) = (meeting(MeetingKind::Opening)?, meeting(MeetingKind::Closing)?);
        let mut days: Vec<Date> = activities.iter().filter_map(|a| a.on).collect();
        if days.is_empty() {
            days.extend(
                opening
                    .iter()
                    .chain(closing.iter())
                    .filter_map(|m| m.at.map(|t| t.date())),
            );
        }
        let num = |f: EF| r.float(f);
        Ok(AuditPlan {
            engagement: eng.id.clone(),
            kind: eng.kind,
            auditee: eng.auditee.clone(),
            objectives: eng.objectives.clone(),
            scope: eng.scope.clone(),
            criteria: r.text(EF::Criteria),
            sites: AuditPlan::split_sites(&r.text(EF::Sites)),
            mode: match r.opt_text(EF::AuditMode) {
                Some(t) if !t.is_empty() => Some(r.enum_req(EF::AuditMode)?),
                _ => None,
            },
            agents: num(EF::Agents).map(|n| n.max(0.0) as u32),
            activities,
            opening,
            closing,
            days_planned: num(EF::DaysPlanned),
            days_actual: num(EF::DaysActual),
            days_justification: r.text(EF::DaysJustification),
            from: days.iter().min().copied(),
            to: days.iter().max().copied(),
        })
    }

    /// Set the plan's objectives, scope, criteria, sites, mode and centre
    /// size (lead only, as every engagement field).
    pub fn set_audit_plan(&self, engagement: &str, edit: &PlanEdit) -> Result<AuditPlan> {
        self.require_identity()?;
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        let text = |d: &mut Vec<super::Draft>, f: EF, v: &Option<String>| {
            if let Some(v) = v {
                set_if_changed(d, &e, Some(&cur), f, v.trim().into());
            }
        };
        text(&mut d, EF::Objectives, &edit.objectives);
        text(&mut d, EF::Scope, &edit.scope);
        text(&mut d, EF::Criteria, &edit.criteria);
        let sites = edit.sites.as_ref().map(|s| AuditPlan::split_sites(s).join("; "));
        text(&mut d, EF::Sites, &sites);
        if let Some(m) = edit.mode {
            set_if_changed(&mut d, &e, Some(&cur), EF::AuditMode, m.as_str().into());
        }
        if let Some(n) = edit.agents {
            set_if_changed(&mut d, &e, Some(&cur), EF::Agents, Value::Int(i64::from(n)));
        }
        self.commit(d)?;
        self.audit_plan(engagement)
    }

    /// Add an activity to the agenda; its auditors are members of the team.
    pub fn add_activity(&self, engagement: &str, a: &NewActivity) -> Result<Activity> {
        self.require_identity()?;
        self.engagement(engagement)?;
        if a.title.trim().is_empty() {
            return Err(invalid(
                "an activity says what is done (`--title`)".into(),
                "审核活动须写明内容（`--title`）".into(),
            ));
        }
        check_hhmm(&a.from, "start", "开始时间")?;
        check_hhmm(&a.to, "end", "结束时间")?;
        if a.to <= a.from {
            let (f, t) = (&a.from, &a.to);
            return Err(invalid(
                format!("an activity ends after it starts ({f}–{t})"),
                format!("审核活动的结束时间须晚于开始时间（{f}–{t}）"),
            ));
        }
        let team = self.team(engagement)?;
        for who in &a.auditors {
            if !team.iter().any(|m| &m.actor == who && !m.has_left()) {
                let w = shown(who);
                return Err(invalid(
                    format!("{w} is not on the team of {engagement}"),
                    format!("{w} 不是 {engagement} 审核组成员"),
                ));
            }
        }
        let n = self
            .store()
            .records(Kind::Activity, &format!("{engagement}/"))?
            .iter()
            .filter_map(|r| r.entity.id.rsplit_once("/A").and_then(|(_, n)| n.parse::<u32>().ok()))
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .filter(|n| *n < 10_000)
            .ok_or_else(|| {
                invalid(
                    "an agenda holds up to 9,999 activities".into(),
                    "日程最多 9999 项审核活动".into(),
                )
            })?;
        let e = EntityId::new(Kind::Activity, Activity::record_id(engagement, n));
        let mut d = vec![create(&e)];
        let s = |d: &mut Vec<super::Draft>, f: AF, v: Value| d.push(super::set(&e, None, f, v));
        s(&mut d, AF::Engagement, engagement.into());
        if let Some(on) = a.on {
            s(&mut d, AF::On, on.into());
        }
        s(&mut d, AF::From, a.from.clone().into());
        s(&mut d, AF::To, a.to.clone().into());
        s(&mut d, AF::Place, a.place.trim().into());
        s(&mut d, AF::Title, a.title.trim().into());
        s(&mut d, AF::Auditors, a.auditors.join(", ").into());
        s(&mut d, AF::Auditee, a.auditee.trim().into());
        self.commit(d)?;
        Ok(Activity::from_record(&self.record(Kind::Activity, &e.id)?)?)
    }

    /// Take an activity off the agenda (`A03` or its full id).
    pub fn remove_activity(&self, engagement: &str, id: &str) -> Result<()> {
        let full = if id.contains('/') {
            id.to_string()
        } else {
            format!("{engagement}/{id}")
        };
        let e = EntityId::new(Kind::Activity, full);
        if self.store().record(&e)?.filter(|r| !r.deleted).is_none() {
            return Err(AppError::NotFound {
                what: "activity",
                id: shown(id),
            });
        }
        self.commit(vec![super::Draft {
            entity: e,
            change: Change::Tombstone,
            base: None,
        }])?;
        Ok(())
    }

    /// The calculator's figure for `engagement` (`None`: no centre size
    /// recorded, or a self-assessment).
    pub fn calculated_days(&self, plan: &AuditPlan, body: &BodyConfig) -> Option<Calculated> {
        body.person_days.calculate(
            plan.kind,
            plan.agents?,
            plan.sites.len().max(1) as u32,
            plan.mode.unwrap_or(AuditMode::OnSite),
        )
    }

    /// Person-days planned and spent: the calculator's unless a planned
    /// figure was recorded (with its justification); spent as recorded, else
    /// from the attendance (each auditor's on-site days).
    pub fn person_days(&self, engagement: &str, body: &BodyConfig, zh: bool) -> Result<PersonDays> {
        self.person_days_of(self.audit_plan(engagement)?, body, zh)
    }

    /// [`App::person_days`] of a plan already read.
    pub fn person_days_of(&self, plan: AuditPlan, body: &BodyConfig, zh: bool) -> Result<PersonDays> {
        let engagement = plan.engagement.as_str();
        let calc = self.calculated_days(&plan, body);
        let basis = match (&plan.days_planned, &calc) {
            (Some(p), Some(c)) if (p - c.days).abs() > 1e-9 => {
                if zh {
                    format!("调整为 {p} 人日（计算值 {}）：{}", c.days, plan.days_justification)
                } else {
                    format!("set to {p} d (calculated {}): {}", c.days, plan.days_justification)
                }
            }
            (_, Some(c)) => (if zh { &c.basis_zh } else { &c.basis_en }).clone(),
            (Some(p), None) => {
                if zh {
                    format!(
                        "记录为 {p} 人日（未记录中心规模，无法计算）：{}",
                        plan.days_justification
                    )
                } else {
                    format!(
                        "recorded {p} d (no centre size to calculate from): {}",
                        plan.days_justification
                    )
                }
            }
            (None, None) => String::new(),
        };
        let team = self.team(engagement)?;
        let attended: f64 = team
            .iter()
            .filter(|m| m.role.is_auditor() || m.role == Role::TechnicalExpert)
            .map(|m| body::on_site_days(plan.opening.as_ref(), plan.closing.as_ref(), &m.actor))
            .sum();
        let (actual, actual_from) = match plan.days_actual {
            Some(a) => (Some(a), "recorded"),
            None if plan.opening.is_some() && plan.closing.is_some() => (Some(attended), "attendance"),
            None => (None, "recorded"),
        };
        Ok(PersonDays {
            planned: plan.days_planned.or(calc.as_ref().map(|c| c.days)),
            actual,
            basis,
            calculated: calc.map(|c| c.days),
            justification: plan.days_justification,
            actual_from,
        })
    }

    /// Record planned and/or spent person-days. A plan that differs from
    /// the calculator's figure needs a written justification.
    pub fn set_person_days(
        &self,
        engagement: &str,
        body: &BodyConfig,
        planned: Option<f64>,
        actual: Option<f64>,
        justification: Option<&str>,
    ) -> Result<PersonDays> {
        self.require_identity()?;
        for v in planned.iter().chain(actual.iter()) {
            if !v.is_finite() || *v < 0.0 || *v > 365.0 || (v * 2.0).fract() != 0.0 {
                return Err(invalid(
                    format!("{v} is not a number of person-days (0–365, in half days)"),
                    format!("{v} 不是有效的人日数（0–365，以半天计）"),
                ));
            }
        }
        let plan = self.audit_plan(engagement)?;
        let calc = self.calculated_days(&plan, body);
        let why = justification.map(str::trim).unwrap_or(plan.days_justification.as_str());
        if let Some(p) = planned
            && calc.as_ref().is_none_or(|c| (c.days - p).abs() > 1e-9)
            && why.is_empty()
        {
            let c = calc.map(|c| c.days.to_string()).unwrap_or_else(|| "—".into());
            return Err(invalid(
                format!(
                    "{p} person-days differs from the body's calculator ({c}): say why with `--justification` (e.g. the centre's complexity, sampling of sites)"
                ),
                format!(
                    "{p} 人日与机构人日表的计算值（{c}）不同：请用 `--justification` 写明理由（如中心复杂程度、场所抽样）"
                ),
            ));
        }
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        if let Some(p) = planned {
            set_if_changed(&mut d, &e, Some(&cur), EF::DaysPlanned, Value::Float(p));
        }
        if let Some(a) = actual {
            set_if_changed(&mut d, &e, Some(&cur), EF::DaysActual, Value::Float(a));
        }
        if let Some(j) = justification {
            set_if_changed(&mut d, &e, Some(&cur), EF::DaysJustification, j.trim().into());
        }
        self.commit(d)?;
        self.person_days(engagement, body, false)
    }

    // ------------------------------------------------------- attendance

    /// Record the opening or closing meeting, with 1–3 photos of the whole
    /// team and the auditee (CNCA's check-in). Attendees other than the
    /// auditee's people are team members; the closing comes after the
    /// opening.
    pub fn record_meeting(&self, engagement: &str, m: &NewMeeting, photos: &[&Path]) -> Result<Meeting> {
        self.require_identity()?;
        self.engagement(engagement)?;
        if photos.len() > 3 {
            return Err(invalid(
                format!("the check-in takes 1 to 3 photos, not {}", photos.len()),
                format!("签到照片为 1 至 3 张，而非 {} 张", photos.len()),
            ));
        }
        for p in photos {
            super::check_evidence_file(p)?;
        }
        // Checked before any photo is stored: a refused meeting leaves nothing.
        self.check_meeting(engagement, m)?;
        let mut shas = Vec::new();
        for p in photos {
            let note = format!("{} / {}", m.kind.zh(), m.kind.as_str());
            shas.push(self.attach_evidence(engagement, p, &note, None, None)?.sha256);
        }
        self.record_meeting_linked(engagement, m, &shas)
    }

    /// [`App::record_meeting`] with photos already stored as evidence (by sha256).
    pub fn record_meeting_linked(&self, engagement: &str, m: &NewMeeting, shas: &[String]) -> Result<Meeting> {
        self.check_meeting(engagement, m)?;
        self.meeting_commit(engagement, m, shas)
    }

    fn check_meeting(&self, engagement: &str, m: &NewMeeting) -> Result<()> {
        self.require_identity()?;
        self.engagement(engagement)?;
        if m.place.trim().is_empty() {
            return Err(invalid(
                "a meeting says where it was held (`--place`)".into(),
                "会议须写明地点（`--place`）".into(),
            ));
        }
        if m.attendees.is_empty() {
            return Err(invalid(
                "a meeting lists who attended (`--attendees`)".into(),
                "会议须列出参会人员（`--attendees`）".into(),
            ));
        }
        let team = self.team(engagement)?;
        for a in m.attendees.iter().filter(|a| !a.auditee) {
            if !team.iter().any(|t| t.actor == a.who && !t.has_left()) {
                let w = shown(&a.who);
                return Err(invalid(
                    format!("{w} is not on the team of {engagement}; the auditee's people are written `auditee:NAME`"),
                    format!("{w} 不是 {engagement} 审核组成员；受审核方人员写作 `auditee:姓名`"),
                ));
            }
        }
        let plan = self.audit_plan(engagement)?;
        let other = match m.kind {
            MeetingKind::Opening => plan.closing.as_ref().and_then(|c| c.at).filter(|c| *c < m.at),
            MeetingKind::Closing => plan.opening.as_ref().and_then(|o| o.at).filter(|o| *o > m.at),
        };
        if let Some(t) = other {
            let at = m.at;
            return Err(invalid(
                format!("the closing meeting comes after the opening meeting ({at} against {t})"),
                format!("末次会议须在首次会议之后（{at} 与 {t}）"),
            ));
        }
        Ok(())
    }

    fn meeting_commit(&self, engagement: &str, m: &NewMeeting, shas: &[String]) -> Result<Meeting> {
        let e = EntityId::new(Kind::Meeting, Meeting::record_id(engagement, m.kind));
        let cur = self.store().record(&e)?.filter(|r| !r.deleted);
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(&e));
        }
        let at = m.at.strftime("%Y-%m-%d %H:%M").to_string();
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Engagement, engagement.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::At, at.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Place, m.place.trim().into());
        set_if_changed(
            &mut d,
            &e,
            cur.as_ref(),
            MF::Attendees,
            Attendee::list_text(&m.attendees).into(),
        );
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Note, m.note.trim().into());
        for sha in shas {
            d.push(link(&e, Rel::Evidence, sha));
        }
        self.commit(d)?;
        Ok(Meeting::from_record(&self.record(Kind::Meeting, &e.id)?)?)
    }

    /// Team members (auditors, experts, observers) missing from a meeting.
    pub fn absent_from(&self, engagement: &str, m: &Meeting) -> Result<Vec<String>> {
        Ok(self
            .team(engagement)?
            .into_iter()
            .filter(|t| !t.has_left() && t.role != Role::AuditeeContact)
            .filter(|t| !m.attendees.iter().any(|a| !a.auditee && a.who == t.actor))
            .map(|t| t.actor)
            .collect())
    }

    // ------------------------------------------------------- experience log

    /// `actor`'s audits as the signed history holds them: every engagement
    /// they were on the team of (not as the auditee's contact), with role,
    /// dates and on-site days from the attendance.
    pub fn auditor_log(&self, actor: &str) -> Result<Vec<LogLine>> {
        let mut out = Vec::new();
        for eng in self.engagements()? {
            let Some(m) = self.member(&eng.id, actor) else {
                continue;
            };
            if m.role == Role::AuditeeContact || m.role == Role::DecisionMaker || m.role == Role::TechnicalReviewer {
                continue;
            }
            let plan = self.audit_plan(&eng.id)?;
            let client = match eng.programme.as_deref().map(|p| self.programme(p)) {
                Some(Ok(p)) if !p.client.is_empty() => p.client,
                _ => eng.auditee.clone(),
            };
            out.push(LogLine {
                engagement: eng.id.clone(),
                client,
                programme: eng.programme.clone(),
                kind: eng.kind,
                role: m.role,
                level: m.level,
                mode: plan.mode,
                from: plan.from.or(eng.period_start),
                to: plan.to.or(eng.period_end),
                on_site_days: body::on_site_days(plan.opening.as_ref(), plan.closing.as_ref(), actor),
                attended: plan.opening.is_some() && plan.closing.is_some(),
            });
        }
        out.sort_by(|a, b| (a.from, &a.engagement).cmp(&(b.from, &b.engagement)));
        Ok(out)
    }
}

/// The meta key of an auditor's national ID number (sealed).
fn national_id_key(actor: &str) -> String {
    format!("nationalid/{actor}")
}

/// A PRC resident ID number (GB 11643-1999): 17 digits and a check
/// character (0–9 or X) that matches them.
pub fn valid_national_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(W).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}

impl App {
    /// Keep `actor`'s national ID number for the CNCA report, encrypted to
    /// this identity's key, in this copy's meta (never in a bundle, a sync
    /// or any other report).
    pub fn set_national_id(&self, actor: &str, id: &str) -> Result<()> {
        super::validate_actor(actor)?;
        let id = id.trim().to_ascii_uppercase();
        if !valid_national_id(&id) {
            return Err(invalid(
                "not a resident ID number (18 characters, the last a check digit 0–9 or X that matches)".into(),
                "不是有效的居民身份证号码（18 位，末位校验码 0–9 或 X 须与前 17 位相符）".into(),
            ));
        }
        let Some(k) = self.signing_key() else {
            return Err(refused(
                "ID numbers are kept encrypted to your key: name your private key first (`cscaudit identity key PATH`)"
                    .into(),
                "身份证号码须加密保存：请先指定您的私钥（`cscaudit identity key 路径`）".into(),
            ));
        };
        let to = crate::crypto::seal::To::Recipients(vec![
            crate::crypto::seal::recipient(&k.public_openssh()).map_err(|e| invalid(e.clone(), e))?,
        ]);
        let sealed = crate::crypto::seal::seal_bytes(&to, id.as_bytes()).map_err(|e| invalid(e.clone(), e))?;
        self.store().meta_set(&national_id_key(actor), &hex::encode(sealed))?;
        Ok(())
    }

    /// `actor`'s national ID number, opened with this identity's key
    /// (`None`: not kept here).
    pub fn national_id(&self, actor: &str) -> Result<Option<String>> {
        let Some(sealed) = self.store().meta_get::<String>(&national_id_key(actor))? else {
            return Ok(None);
        };
        let bytes = hex::decode(sealed).map_err(|_| {
            invalid(
                format!("the kept ID number of {} is damaged", shown(actor)),
                format!("{} 的身份证号码记录已损坏", shown(actor)),
            )
        })?;
        let plain = self.key_opener()?.open_bytes(&bytes, 256).map_err(|e| {
            let e = shown(&e.to_string());
            refused(
                format!("the ID number of {} cannot be opened with your key: {e}", shown(actor)),
                format!("无法用您的密钥打开 {} 的身份证号码：{e}", shown(actor)),
            )
        })?;
        Ok(Some(String::from_utf8_lossy(&plain).into_owned()))
    }
}

impl App {
    /// The special deductions (one reason each) and the bonus recorded on
    /// `engagement`.
    pub fn score_adjustments(&self, engagement: &str) -> Result<(Vec<String>, f64, String)> {
        let r = self.record(Kind::Engagement, engagement)?;
        let deductions = r
            .text(EF::ScoreDeductions)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        Ok((
            deductions,
            r.float(EF::ScoreBonus).unwrap_or(0.0),
            r.text(EF::ScoreBonusReason),
        ))
    }

    /// Add special deductions (each with its reason), clear them, or set the
    /// bonus with its reason (lead only, as every engagement field).
    pub fn set_score_adjustments(
        &self,
        engagement: &str,
        add: &[String],
        clear: bool,
        bonus: Option<(f64, &str)>,
    ) -> Result<crate::model::scoring::ScoreSummary> {
        self.require_identity()?;
        let (mut list, _, _) = self.score_adjustments(engagement)?;
        if clear {
            list.clear();
        }
        for a in add {
            let a = a.trim().replace('\n', " ");
            if a.is_empty() {
                return Err(invalid(
                    "a special deduction says why (the breach of law or rule)".into(),
                    "特别扣分须写明原因（违反的法规或规定）".into(),
                ));
            }
            list.push(a);
        }
        let e = EntityId::new(Kind::Engagement, engagement);
        let cur = self.record(Kind::Engagement, engagement)?;
        let mut d = Vec::new();
        set_if_changed(&mut d, &e, Some(&cur), EF::ScoreDeductions, list.join("\n").into());
        if let Some((b, why)) = bonus {
            if !b.is_finite() || !(0.0..=100.0).contains(&b) {
                return Err(invalid(
                    format!("a bonus is 0–100 points, not {b}"),
                    format!("加分为 0–100 分，而非 {b}"),
                ));
            }
            if b > 0.0 && why.trim().is_empty() {
                return Err(invalid(
                    "a bonus says why (`--bonus-reason`)".into(),
                    "加分须写明理由（`--bonus-reason`）".into(),
                ));
            }
            set_if_changed(&mut d, &e, Some(&cur), EF::ScoreBonus, Value::Float(b));
            set_if_changed(&mut d, &e, Some(&cur), EF::ScoreBonusReason, why.trim().into());
        }
        self.commit(d)?;
        self.score_summary(engagement)
    }

    /// The engagement's score as its catalogue scores: points and stars, or
    /// the weighted mean.
    pub fn score_summary(&self, engagement: &str) -> Result<crate::model::scoring::ScoreSummary> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let assessments = self.assessments(engagement)?;
        let card = crate::model::scoring::score(&cat, &assessments);
        let (deductions, bonus, _) = self.score_adjustments(engagement)?;
        Ok(crate::model::scoring::summary(
            &cat,
            &assessments,
            &card,
            deductions.len(),
            bonus,
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn resident_id_check_digits() {
        // GB 11643's own example.
        assert!(super::valid_national_id("11010519491231002X"));
        assert!(super::valid_national_id("11010519491231002x"));
        assert!(!super::valid_national_id("110105194912310021"));
        assert!(!super::valid_national_id("1101051949123100"));
    }
}
