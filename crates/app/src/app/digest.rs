//! Reminders across every engagement and programme this copy holds:
//! overdue corrective actions, responses and closures past due, evidence
//! requests past due (and answers waiting to be judged), surveillance
//! windows opening, certificates and auditor registrations expiring.
//! Read from the open-by-date indexes (a range each, never every record),
//! then the few records listed.

use super::{App, Result};
use crate::model::request::RequestStatus;
use crate::store::IndexTag;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `digest` looks at.
#[derive(Clone, Debug)]
pub struct DigestOptions {
    /// Only what is mine to do.
    pub me: bool,
    /// Only what fell (or falls) due on or after this day.
    pub since: Option<Date>,
    /// How far ahead windows and expiries are looked for, in days.
    pub ahead: i32,
    /// At most this many lines per list (the totals count them all).
    pub limit: usize,
}

impl Default for DigestOptions {
    fn default() -> Self {
        DigestOptions {
            me: false,
            since: None,
            ahead: 60,
            limit: 200,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DigestAction {
    pub engagement: String,
    pub id: String,
    pub finding: String,
    pub description: String,
    pub owner: String,
    pub due: Date,
    pub days_overdue: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DigestFinding {
    pub engagement: String,
    pub reference: String,
    pub grade: crate::model::finding::Grade,
    pub title: String,
    pub due: Date,
    pub days_overdue: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DigestRequest {
    pub engagement: String,
    pub number: String,
    pub text: String,
    pub addressee: String,
    pub status: RequestStatus,
    pub due: Option<Date>,
    pub days_overdue: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DigestProgramme {
    pub programme: String,
    pub client: String,
    pub certificate_no: String,
    /// The day: the surveillance due, or the certificate's last day.
    pub due: Date,
    /// Negative: past it.
    pub days_left: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DigestRegistration {
    pub actor: String,
    pub name: String,
    pub certificate_no: String,
    pub until: Date,
    pub days_left: i64,
    /// The open engagements they are on.
    pub engagements: Vec<String>,
}

/// How many there are of each (the lists may be cut at `limit`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct DigestTotals {
    pub overdue_actions: usize,
    pub responses_overdue: usize,
    pub closures_overdue: usize,
    pub requests_overdue: usize,
    pub requests_to_review: usize,
    pub surveillance_due: usize,
    pub certificates_expiring: usize,
    pub registrations_expiring: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Digest {
    pub today: Date,
    /// Only this actor's (with `--me`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<String>,
    pub ahead_days: i32,
    pub totals: DigestTotals,
    pub overdue_actions: Vec<DigestAction>,
    pub responses_overdue: Vec<DigestFinding>,
    pub closures_overdue: Vec<DigestFinding>,
    pub requests_overdue: Vec<DigestRequest>,
    pub requests_to_review: Vec<DigestRequest>,
    pub surveillance_due: Vec<DigestProgramme>,
    pub certificates_expiring: Vec<DigestProgramme>,
    pub registrations_expiring: Vec<DigestRegistration>,
}

impl Digest {
    /// The digest as text, in sections; nothing printed for an empty section.
    pub fn lines(&self, zh: bool) -> Vec<String> {
        let d = self;
        let mut out = Vec::new();
        let t = |en: &str, z: &str| if zh { z.to_string() } else { en.to_string() };
        let late = |n: i64| {
            if zh {
                format!("逾期 {n} 天")
            } else {
                format!("{n} d overdue")
            }
        };
        let left = |n: i64| match (n < 0, zh) {
            (true, true) => format!("已过 {} 天", -n),
            (true, false) => format!("{} d ago", -n),
            (false, true) => format!("{n} 天后"),
            (false, false) => format!("in {n} d"),
        };
        let mut section = |title: String, total: usize, lines: Vec<String>| {
            if total == 0 {
                return;
            }
            out.push(format!("{title} ({total})"));
            out.extend(lines.into_iter().map(|l| format!("  {l}")));
        };
        section(
            t("Overdue corrective actions", "逾期纠正措施"),
            d.totals.overdue_actions,
            d.overdue_actions
                .iter()
                .map(|a| {
                    format!(
                        "{} {} {} · {} · {}",
                        a.engagement,
                        a.id,
                        a.description,
                        a.owner,
                        late(a.days_overdue)
                    )
                })
                .collect(),
        );
        for (title, total, list) in [
            (
                t("Responses past due", "回复逾期的发现项"),
                d.totals.responses_overdue,
                &d.responses_overdue,
            ),
            (
                t("Closures past due", "关闭逾期的发现项"),
                d.totals.closures_overdue,
                &d.closures_overdue,
            ),
        ] {
            section(
                title,
                total,
                list.iter()
                    .map(|f| {
                        format!(
                            "{} {} {} {} · {}",
                            f.engagement,
                            f.reference,
                            f.grade.label(zh),
                            f.title,
                            late(f.days_overdue)
                        )
                    })
                    .collect(),
            );
        }
        let req = |r: &DigestRequest| {
            format!(
                "{} {} → {} {} · {}",
                r.engagement,
                r.number,
                r.addressee,
                r.text.lines().next().unwrap_or_default(),
                r.status.label(zh)
            )
        };
        section(
            t("Evidence requests past due", "逾期未答复的资料请求"),
            d.totals.requests_overdue,
            d.requests_overdue.iter().map(req).collect(),
        );
        section(
            t("Answers to review", "待审阅的答复"),
            d.totals.requests_to_review,
            d.requests_to_review.iter().map(req).collect(),
        );
        section(
            t("Surveillance due", "监督审核到期"),
            d.totals.surveillance_due,
            d.surveillance_due
                .iter()
                .map(|p| format!("{} {} {} {}", p.programme, p.client, p.due, left(p.days_left)))
                .collect(),
        );
        section(
            t("Certificates expiring", "即将到期的证书"),
            d.totals.certificates_expiring,
            d.certificates_expiring
                .iter()
                .map(|p| format!("{} {} {} {}", p.certificate_no, p.client, p.due, left(p.days_left)))
                .collect(),
        );
        section(
            t("Auditor registrations expiring", "即将到期的审核员注册"),
            d.totals.registrations_expiring,
            d.registrations_expiring
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {} ({})",
                        r.actor,
                        r.certificate_no,
                        r.until,
                        left(r.days_left),
                        r.engagements.join(", ")
                    )
                })
                .collect(),
        );
        out
    }

    /// In one line: how many of what.
    pub fn short(&self, zh: bool) -> String {
        let t = &self.totals;
        let parts: Vec<String> = [
            (t.overdue_actions, "overdue action(s)", "项措施逾期"),
            (
                t.responses_overdue + t.closures_overdue,
                "finding(s) past due",
                "项发现项逾期",
            ),
            (t.requests_overdue, "request(s) past due", "项资料请求逾期"),
            (t.requests_to_review, "answer(s) to review", "项答复待审阅"),
            (t.surveillance_due, "surveillance due", "项监督审核到期"),
            (
                t.certificates_expiring + t.registrations_expiring,
                "expiring",
                "项即将到期",
            ),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, en, z)| if zh { format!("{n} {z}") } else { format!("{n} {en}") })
        .collect();
        let head = if zh { "提醒：" } else { "Reminders: " };
        format!("{head}{}", parts.join(if zh { "，" } else { ", " }))
    }

    /// Nothing to remind of.
    pub fn is_empty(&self) -> bool {
        let t = &self.totals;
        t.overdue_actions
            + t.responses_overdue
            + t.closures_overdue
            + t.requests_overdue
            + t.requests_to_review
            + t.surveillance_due
            + t.certificates_expiring
            + t.registrations_expiring
            == 0
    }
}

fn days(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

impl App {
    /// The reminders (see the module).
    pub fn digest(&self, o: &DigestOptions) -> Result<Digest> {
        let today = self.today();
        let me = self.identity().actor.clone();
        let my_name = self.identity().name.clone();
        let since = o.since.map(|d| d.to_string()).unwrap_or_default();
        let today_s = today.to_string();
        let horizon = today + jiff::Span::new().days(i64::from(o.ahead.max(0)));
        let mut t = DigestTotals::default();
        let (mut actions, mut responses, mut closures) = (Vec::new(), Vec::new(), Vec::new());
        let (mut req_overdue, mut req_review) = (Vec::new(), Vec::new());
        let mut regs: BTreeMap<(String, String), DigestRegistration> = BTreeMap::new();
        let sep = crate::store::SUMMARY_SEP;
        for eng in self.engagements()? {
            let team = self.team(&eng.id)?;
            let mine = team.iter().find(|m| m.actor == me && !m.has_left());
            let on_team = mine.is_some() || eng.created_by == me;
            let auditor = mine.is_some_and(|m| m.role.is_auditor()) || eng.created_by == me;
            let store = self.store();
            // Actions: open, due before today (and on or after --since).
            for (value, id) in store.index_range(IndexTag::ActionOpenDue, &eng.id, &since, Some(&today_s))? {
                let mut parts = value.split(sep);
                let (due, owner) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
                // An owner is an actor id or a person's name (and department).
                let named = !my_name.trim().is_empty() && owner.starts_with(my_name.trim());
                if o.me && owner != me && !named {
                    continue;
                }
                let Ok(due) = due.parse::<Date>() else { continue };
                t.overdue_actions += 1;
                // A record this build cannot read is counted, not listed: it
                // does not hide the others.
                if actions.len() < o.limit
                    && let Ok(a) = self.action_by_id(&id)
                {
                    actions.push(DigestAction {
                        engagement: eng.id.clone(),
                        id: a.id.clone(),
                        finding: a.finding.clone(),
                        description: a.description.clone(),
                        owner: a.owner.clone(),
                        due,
                        days_overdue: days(due, today),
                    });
                }
            }
            if !o.me || on_team {
                for (tag, list, total) in [
                    (IndexTag::FindingResponseOpen, &mut responses, &mut t.responses_overdue),
                    (IndexTag::FindingClosureOpen, &mut closures, &mut t.closures_overdue),
                ] {
                    for (value, id) in store.index_range(tag, &eng.id, &since, Some(&today_s))? {
                        let Ok(due) = value.parse::<Date>() else { continue };
                        *total += 1;
                        if list.len() < o.limit
                            && let Ok(f) = self.finding_by_id(&id)
                        {
                            list.push(DigestFinding {
                                engagement: eng.id.clone(),
                                reference: f.reference.clone(),
                                grade: f.grade,
                                title: f.title.clone(),
                                due,
                                days_overdue: days(due, today),
                            });
                        }
                    }
                }
            }
            for r in self.requests(&eng.id)? {
                let line = |r: &crate::model::request::Request| DigestRequest {
                    engagement: eng.id.clone(),
                    number: r.number.clone(),
                    text: r.text.clone(),
                    addressee: r.addressee.clone(),
                    status: r.status,
                    due: r.due,
                    days_overdue: r.due.map_or(0, |d| days(d, today)),
                };
                let after_since = o.since.is_none_or(|s| r.due.is_some_and(|d| d >= s));
                if r.overdue(today) && after_since && (!o.me || r.addressee == me || auditor) {
                    t.requests_overdue += 1;
                    if req_overdue.len() < o.limit {
                        req_overdue.push(line(&r));
                    }
                }
                if r.status == RequestStatus::Submitted && (!o.me || auditor) {
                    t.requests_to_review += 1;
                    if req_review.len() < o.limit {
                        req_review.push(line(&r));
                    }
                }
            }
            // Registrations running out (or run out) while on an open engagement.
            if eng.closed_on.is_none() {
                for m in team.iter().filter(|m| !m.has_left() && m.role.is_auditor()) {
                    let (Some(until), Some(no)) = (m.registration_until, m.certificate_no.as_ref()) else {
                        continue;
                    };
                    if until > horizon || (o.me && m.actor != me) {
                        continue;
                    }
                    regs.entry((m.actor.clone(), no.clone()))
                        .or_insert_with(|| DigestRegistration {
                            actor: m.actor.clone(),
                            name: m.name.clone(),
                            certificate_no: no.clone(),
                            until,
                            days_left: days(today, until),
                            engagements: Vec::new(),
                        })
                        .engagements
                        .push(eng.id.clone());
                }
            }
        }
        // Programmes: the next surveillance (or recertification) and the
        // certificate's end, within the horizon.
        let (mut surveillance, mut expiring) = (Vec::new(), Vec::new());
        for p in self.portfolio()? {
            let Some(c) = &p.certificate else { continue };
            if p.certificate_status != Some(crate::model::engagement::CertificateStatus::Valid) {
                continue;
            }
            if o.me && !self.leads_programme(&p)? {
                continue;
            }
            let line = |due: Date| DigestProgramme {
                programme: p.programme.clone(),
                client: p.client.clone(),
                certificate_no: c.number.clone(),
                due,
                days_left: days(today, due),
            };
            if let Some(due) = p.next_audit_due
                && due <= horizon
                && o.since.is_none_or(|s| due >= s)
            {
                surveillance.push(line(due));
            }
            if c.valid_until <= horizon && o.since.is_none_or(|s| c.valid_until >= s) {
                expiring.push(line(c.valid_until));
            }
        }
        t.surveillance_due = surveillance.len();
        t.certificates_expiring = expiring.len();
        let mut registrations: Vec<DigestRegistration> = regs.into_values().collect();
        registrations.sort_by(|a, b| (a.until, &a.actor).cmp(&(b.until, &b.actor)));
        t.registrations_expiring = registrations.len();
        for v in [&mut surveillance, &mut expiring] {
            v.sort_by(|a, b| (a.due, &a.programme).cmp(&(b.due, &b.programme)));
            v.truncate(o.limit);
        }
        registrations.truncate(o.limit);
        let by_due = |a: &DigestFinding, b: &DigestFinding| (a.due, &a.reference).cmp(&(b.due, &b.reference));
        responses.sort_by(by_due);
        closures.sort_by(by_due);
        actions.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
        Ok(Digest {
            today,
            me: o.me.then_some(me),
            ahead_days: o.ahead,
            totals: t,
            overdue_actions: actions,
            responses_overdue: responses,
            closures_overdue: closures,
            requests_overdue: req_overdue,
            requests_to_review: req_review,
            surveillance_due: surveillance,
            certificates_expiring: expiring,
            registrations_expiring: registrations,
        })
    }

    /// Whether I lead the programme or its current engagement.
    fn leads_programme(&self, p: &super::cycle::PortfolioLine) -> Result<bool> {
        let me = &self.identity().actor;
        let on = |id: &str| -> Result<bool> {
            Ok(self
                .team(id)?
                .iter()
                .any(|m| &m.actor == me && !m.has_left() && m.role == crate::model::engagement::Role::Lead))
        };
        Ok(on(&p.programme)? || on(&p.current)?)
    }
}
