//! Engagements, their teams, and the rule that a certification audit needs two
//! certified auditors before it may issue findings.

use super::fields::{EngagementField as EF, MemberField as MF};
use super::ops::{Record, RecordError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal / $zh:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($var),+ }
        // In JSON and every other serialised form, the value is its text
        // (`plan-accepted`), the same as in operations and on the CLI.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$var => $zh),+ } }
            pub fn label(self, zh: bool) -> &'static str { if zh { self.zh() } else { self.as_str() } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = crate::model::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let norm = s.trim().to_ascii_lowercase().replace('_', "-");
                $(if norm.eq_ignore_ascii_case($s) || s.trim() == $zh { return Ok($name::$var); })+
                Err(crate::model::ParseEnumError {
                    what: $crate::model::engagement::human_name(stringify!($name)),
                    found: s.to_string(),
                    expected: vec![$($s),+],
                })
            }
        }
    };
}
pub(crate) use string_enum;

/// How an enumeration is named in Chinese messages.
pub fn human_name_zh(name: &str) -> &str {
    match name {
        "engagement kind" => "审核类型",
        "role" => "角色",
        "grade" => "等级",
        "finding status" => "发现项状态",
        "action status" => "措施状态",
        "result" => "结论",
        "workflow status" => "工作状态",
        "decision" => "认证决定",
        "certificate status" => "证书状态",
        "phase" => "阶段",
        "client kind" => "客户类型",
        "registration level" => "注册级别",
        "audit mode" => "审核方式",
        "kind of interest" => "利益关系类型",
        "meeting" => "会议",
        other => other,
    }
}

/// How an enumeration is named in messages to the user.
pub(crate) fn human_name(type_name: &'static str) -> &'static str {
    match type_name {
        "EngagementKind" => "engagement kind",
        "Role" => "role",
        "Grade" => "grade",
        "FindingStatus" => "finding status",
        "ActionStatus" => "action status",
        "AssessmentResult" => "result",
        "Workflow" => "workflow status",
        "Outcome" => "decision",
        "CertificateStatus" => "certificate status",
        "Phase" => "phase",
        "ClientKind" => "client kind",
        "Level" => "registration level",
        "AuditMode" => "audit mode",
        "InterestKind" => "kind of interest",
        "MeetingKind" => "meeting",
        other => other,
    }
}

string_enum!(
    /// What kind of organisation a certification programme's client is.
    ClientKind {
        Bank = "bank" / "银行",
        Outsourcer = "outsourcer" / "外包呼叫中心",
        Fintech = "fintech" / "金融科技公司",
    }
);

string_enum!(
    /// What kind of audit this is.
    EngagementKind {
        SelfAssessment = "self-assessment" / "自评估",
        Stage1 = "stage-1" / "第一阶段审核",
        Stage2 = "stage-2" / "第二阶段审核",
        Surveillance = "surveillance" / "监督审核",
        Recertification = "recertification" / "再认证审核",
        FollowUp = "follow-up" / "跟踪审核",
    }
);

impl EngagementKind {
    /// Certification audits are bound by the two-certified-auditor rule.
    pub fn is_certification(self) -> bool {
        matches!(
            self,
            EngagementKind::Stage1
                | EngagementKind::Stage2
                | EngagementKind::Surveillance
                | EngagementKind::Recertification
        )
    }
}

string_enum!(
    Role {
        Lead = "lead" / "审核组长",
        Auditor = "auditor" / "审核员",
        TechnicalExpert = "technical-expert" / "技术专家",
        Observer = "observer" / "观察员",
        AuditeeContact = "auditee-contact" / "受审核方联络人",
        DecisionMaker = "decision-maker" / "认证决定人员",
        TechnicalReviewer = "technical-reviewer" / "技术评审人员",
    }
);

string_enum!(
    /// A service-certification auditor's CCAA registration level. An intern
    /// (实习审查员) is not one of the two registered auditors an audit needs.
    Level {
        Intern = "intern" / "实习审查员",
        Auditor = "auditor" / "审查员",
        Senior = "senior" / "高级审查员",
    }
);

string_enum!(
    /// A certification decision.
    Outcome {
        Certify = "certify" / "批准认证",
        Refuse = "refuse" / "不予认证",
    }
);

string_enum!(
    /// Where a certificate stands.
    CertificateStatus {
        Valid = "valid" / "有效",
        Suspended = "suspended" / "暂停",
        Withdrawn = "withdrawn" / "撤销",
        Expired = "expired" / "过期",
    }
);

/// A certification decision recorded on the engagement it decides on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub by: String,
    pub on: Option<Date>,
    pub basis: String,
}

/// The technical review of an audit before its decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub by: String,
    pub on: Option<Date>,
    pub note: String,
}

/// The certificate issued by a decision to certify.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub number: String,
    pub scope: String,
    pub issued: Date,
    pub valid_until: Date,
    pub status: CertificateStatus,
    /// When its status last changed, and why (a suspension, a withdrawal…).
    #[serde(default)]
    pub status_on: Option<Date>,
    #[serde(default)]
    pub status_reason: String,
}

impl Certificate {
    /// The status on `today`: a valid certificate past its last day is expired.
    pub fn status_on(&self, today: Date) -> CertificateStatus {
        if self.status == CertificateStatus::Valid && self.valid_until < today {
            CertificateStatus::Expired
        } else {
            self.status
        }
    }

    /// Surveillance audits due: yearly after issue, before the certificate
    /// ends (ISO/IEC 17021-1: at least once a year).
    pub fn surveillance_due(&self) -> Vec<Date> {
        (1..)
            .map_while(|y| {
                let d = self.issued.checked_add(jiff::Span::new().years(y)).ok()?;
                (d < self.valid_until).then_some(d)
            })
            .collect()
    }
}

impl Role {
    pub fn is_auditor(self) -> bool {
        matches!(self, Role::Lead | Role::Auditor)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    pub id: String,
    pub title: String,
    pub auditee: String,
    pub site: String,
    pub kind: EngagementKind,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub catalog_id: String,
    pub catalog_version: String,
    /// SHA-256 (hex) of the catalogue's source: which catalogue it is
    /// (another file under the same id and version is another catalogue).
    /// `None` for engagements created before catalogues were named so.
    pub catalog_sha256: Option<String>,
    pub created_by: String,
    /// The certification programme (client) this engagement belongs to.
    pub programme: Option<String>,
    /// The engagement this one follows in the programme.
    pub follows: Option<String>,
    pub scope: String,
    /// What kind of organisation the programme's client is.
    pub client_kind: Option<ClientKind>,
    /// What the engagement sets out to establish (a self-assessment's objectives).
    pub objectives: String,
    pub closed_on: Option<Date>,
    /// Open findings of earlier engagements carried into this one.
    pub carries: Vec<String>,
    pub decision: Option<Decision>,
    pub certificate: Option<Certificate>,
    /// The technical review before the decision.
    pub review: Option<Review>,
}

impl Engagement {
    pub fn from_record(r: &Record) -> Result<Engagement, RecordError> {
        Ok(Engagement {
            id: r.entity.id.clone(),
            title: r.text(EF::Title),
            auditee: r.text(EF::Auditee),
            site: r.text(EF::Site),
            kind: r.enum_req(EF::Kind)?,
            period_start: r.date(EF::PeriodStart),
            period_end: r.date(EF::PeriodEnd),
            catalog_id: r.text(EF::CatalogId),
            catalog_version: r.text(EF::CatalogVersion),
            catalog_sha256: r.opt_text(EF::CatalogSha256).filter(|s| !s.is_empty()),
            created_by: r.created_by.clone().unwrap_or_default(),
            programme: r.opt_text(EF::Programme).filter(|p| !p.is_empty()),
            follows: r.opt_text(EF::Follows).filter(|p| !p.is_empty()),
            scope: r.text(EF::Scope),
            objectives: r.text(EF::Objectives),
            client_kind: match r.opt_text(EF::ClientKind) {
                Some(t) if !t.is_empty() => Some(r.enum_req(EF::ClientKind)?),
                _ => None,
            },
            closed_on: r.date(EF::ClosedOn),
            carries: r.linked(super::fields::Rel::Carries),
            decision: match r.opt_text(EF::DecisionOutcome) {
                Some(_) => Some(Decision {
                    outcome: r.enum_req(EF::DecisionOutcome)?,
                    by: r.text(EF::DecisionBy),
                    on: r.date(EF::DecisionOn),
                    basis: r.text(EF::DecisionBasis),
                }),
                None => None,
            },
            certificate: match (
                r.opt_text(EF::CertificateNo),
                r.date(EF::CertificateIssued),
                r.date(EF::CertificateUntil),
            ) {
                (Some(number), Some(issued), Some(valid_until)) => Some(Certificate {
                    number,
                    scope: r.text(EF::Scope),
                    issued,
                    valid_until,
                    status: r.enum_or(EF::CertificateStatus, CertificateStatus::Valid)?,
                    status_on: r.date(EF::CertificateStatusOn),
                    status_reason: r.text(EF::CertificateStatusReason),
                }),
                _ => None,
            },
            review: r.opt_text(EF::ReviewBy).filter(|b| !b.is_empty()).map(|by| Review {
                by,
                on: r.date(EF::ReviewOn),
                note: r.text(EF::ReviewNote),
            }),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub engagement: String,
    pub actor: String,
    pub name: String,
    pub initials: String,
    pub role: Role,
    pub certificate_no: Option<String>,
    /// The ssh public key (OpenSSH form) that signs this member's changes.
    pub key: Option<String>,
    /// The last day the auditor registration (`certificate_no`) is valid;
    /// `None` when no validity was recorded.
    pub registration_until: Option<Date>,
    /// What this member is responsible for (a plan's roles and responsibilities).
    pub responsibilities: String,
    /// The CCAA registration level; `None` when not recorded (a registration
    /// number then counts as an auditor's).
    pub level: Option<Level>,
}

/// How many days before a team member's registration expires the dashboard
/// and `status` warn.
pub const REGISTRATION_WARNING_DAYS: i64 = 60;

/// The `key` of a member who left the team: their key is revoked, and
/// changes they make after the lead recorded it are refused.
pub const REVOKED: &str = "revoked";

impl Member {
    /// Whether the lead recorded this member leaving (their key revoked).
    pub fn has_left(&self) -> bool {
        self.key.as_deref() == Some(REVOKED)
    }

    pub fn from_record(r: &Record) -> Result<Member, RecordError> {
        Ok(Member {
            engagement: r.text(MF::Engagement),
            actor: r.text(MF::Actor),
            name: r.text(MF::Name),
            initials: r.text(MF::Initials),
            role: r.enum_req(MF::Role)?,
            certificate_no: r.opt_text(MF::CertificateNo).filter(|c| !c.trim().is_empty()),
            key: r.opt_text(MF::Key).filter(|k| !k.trim().is_empty()),
            registration_until: r.date(MF::RegistrationUntil),
            responsibilities: r.text(MF::Responsibilities),
            level: match r.opt_text(MF::Level) {
                Some(t) if !t.is_empty() => Some(r.enum_req(MF::Level)?),
                _ => None,
            },
        })
    }

    /// An auditor (lead or auditor) with a registration number that has not
    /// expired on `today`, and not an intern.
    pub fn is_certified_auditor(&self, today: Date) -> bool {
        self.role.is_auditor()
            && self.certificate_no.is_some()
            && !self.registration_expired(today)
            && !self.is_intern()
    }

    /// Registered as an intern (实习审查员): on the team, never one of the two.
    pub fn is_intern(&self) -> bool {
        self.level == Some(Level::Intern)
    }

    /// Whether the recorded registration validity ended before `today`.
    pub fn registration_expired(&self, today: Date) -> bool {
        self.registration_until.is_some_and(|d| d < today)
    }

    /// Days left on a registration that expires within
    /// [`REGISTRATION_WARNING_DAYS`] (negative once expired); `None` when it
    /// is further away, not recorded, or the member left.
    pub fn registration_warning(&self, today: Date) -> Option<i64> {
        if self.has_left() || self.certificate_no.is_none() {
            return None;
        }
        let until = self.registration_until?;
        let left = i64::from((until - today).get_days());
        (left <= REGISTRATION_WARNING_DAYS).then_some(left)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {kind} engagement cannot issue findings until its team has at least two auditors with valid registrations (it has {certified}{})",
    self.expired_text(false)
)]
pub struct TeamRuleError {
    pub kind: EngagementKind,
    pub certified: usize,
    /// Auditors whose registration had expired (actor, last valid day).
    pub expired: Vec<(String, Date)>,
    /// Auditors on the team registered as interns (they do not count).
    pub interns: Vec<String>,
}

impl TeamRuleError {
    /// "; li.min's registration expired on 2026-01-31" for each expired one,
    /// "; zhao.xin is an intern (实习审查员) and does not count" for each intern.
    pub fn expired_text(&self, zh: bool) -> String {
        let v = |a: &str| crate::text::visible(a).into_owned();
        let expired = self.expired.iter().map(|(a, d)| {
            let a = v(a);
            if zh {
                format!("；{a} 的注册已于 {d} 到期")
            } else {
                format!("; {a}'s registration expired on {d}")
            }
        });
        let interns = self.interns.iter().map(|a| {
            let a = v(a);
            if zh {
                format!("；{a} 是实习审查员，不计入两名注册审核员")
            } else {
                format!("; {a} is an intern (实习审查员) and does not count")
            }
        });
        expired.chain(interns).collect()
    }
}

/// The certification practice rule (ISO/IEC 17021-1 in China: two
/// CCAA-registered auditors, registrations valid on `today`).
pub fn check_can_issue(kind: EngagementKind, team: &[Member], today: Date) -> Result<(), TeamRuleError> {
    if !kind.is_certification() {
        return Ok(());
    }
    let mut actors: Vec<&str> = team
        .iter()
        .filter(|m| m.is_certified_auditor(today))
        .map(|m| m.actor.as_str())
        .collect();
    actors.sort_unstable();
    actors.dedup();
    if actors.len() >= 2 {
        Ok(())
    } else {
        let mut expired: Vec<(String, Date)> = team
            .iter()
            .filter(|m| m.role.is_auditor() && m.certificate_no.is_some() && m.registration_expired(today))
            .filter_map(|m| Some((m.actor.clone(), m.registration_until?)))
            .collect();
        expired.sort();
        expired.dedup();
        let mut interns: Vec<String> = team
            .iter()
            .filter(|m| m.role.is_auditor() && m.is_intern() && !m.has_left())
            .map(|m| m.actor.clone())
            .collect();
        interns.sort();
        interns.dedup();
        Err(TeamRuleError {
            kind,
            certified: actors.len(),
            expired,
            interns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(actor: &str, role: Role, cert: Option<&str>) -> Member {
        Member {
            engagement: "E1".into(),
            actor: actor.into(),
            name: actor.into(),
            initials: actor.to_uppercase(),
            role,
            certificate_no: cert.map(str::to_string),
            key: None,
            registration_until: None,
            responsibilities: String::new(),
            level: None,
        }
    }

    #[test]
    fn an_intern_is_on_the_team_but_not_one_of_the_two() {
        let today = jiff::civil::date(2026, 11, 28);
        let mut intern = m("zhao.xin", Role::Auditor, Some("CCAA-I-9"));
        intern.level = Some(Level::Intern);
        let team = vec![m("a", Role::Lead, Some("CCAA-1")), intern.clone()];
        let e = check_can_issue(EngagementKind::Stage2, &team, today).unwrap_err();
        assert_eq!(e.certified, 1);
        assert_eq!(e.interns, vec!["zhao.xin".to_string()]);
        assert!(e.to_string().contains("zhao.xin is an intern"), "{e}");
        assert!(e.expired_text(true).contains("实习审查员"));
        intern.level = Some(Level::Auditor);
        let team = vec![m("a", Role::Lead, Some("CCAA-1")), intern];
        assert!(check_can_issue(EngagementKind::Stage2, &team, today).is_ok());
        assert_eq!("高级审查员".parse::<Level>().unwrap(), Level::Senior);
    }

    #[test]
    fn an_expired_registration_does_not_count() {
        let today = jiff::civil::date(2026, 11, 28);
        let mut b = m("b", Role::Auditor, Some("CCAA-2"));
        b.registration_until = Some(jiff::civil::date(2026, 11, 27));
        let team = vec![m("a", Role::Lead, Some("CCAA-1")), b.clone()];
        let e = check_can_issue(EngagementKind::Stage2, &team, today).unwrap_err();
        assert_eq!(e.certified, 1);
        assert_eq!(e.expired, vec![("b".to_string(), jiff::civil::date(2026, 11, 27))]);
        assert!(e.to_string().contains("b's registration expired on 2026-11-27"), "{e}");
        // Valid through its last day, and warned about 60 days before.
        b.registration_until = Some(today);
        let team = vec![m("a", Role::Lead, Some("CCAA-1")), b.clone()];
        assert!(check_can_issue(EngagementKind::Stage2, &team, today).is_ok());
        assert_eq!(b.registration_warning(today), Some(0));
        b.registration_until = Some(jiff::civil::date(2027, 1, 27));
        assert_eq!(b.registration_warning(today), Some(60));
        b.registration_until = Some(jiff::civil::date(2027, 1, 28));
        assert_eq!(b.registration_warning(today), None);
        assert_eq!(m("a", Role::Lead, Some("CCAA-1")).registration_warning(today), None);
    }

    #[test]
    fn two_auditor_rule_applies_to_certification_kinds_only() {
        let one = vec![m("a", Role::Lead, Some("CCAA-1")), m("b", Role::Auditor, None)];
        let two = vec![
            m("a", Role::Lead, Some("CCAA-1")),
            m("b", Role::Auditor, Some("CCAA-2")),
        ];
        let expert = vec![
            m("a", Role::Lead, Some("CCAA-1")),
            m("x", Role::TechnicalExpert, Some("X")),
        ];
        for &k in EngagementKind::ALL {
            let cert = matches!(
                k,
                EngagementKind::Stage1
                    | EngagementKind::Stage2
                    | EngagementKind::Surveillance
                    | EngagementKind::Recertification
            );
            let today = jiff::civil::date(2026, 11, 28);
            assert_eq!(check_can_issue(k, &[], today).is_err(), cert, "{k}");
            assert_eq!(check_can_issue(k, &one, today).is_err(), cert, "{k}");
            assert_eq!(
                check_can_issue(k, &expert, today).is_err(),
                cert,
                "{k}: experts do not count"
            );
            assert!(check_can_issue(k, &two, today).is_ok(), "{k}");
        }
        let e = check_can_issue(EngagementKind::Stage2, &one, jiff::civil::date(2026, 11, 28)).unwrap_err();
        assert_eq!(e.certified, 1);
        assert!(e.to_string().contains("two auditors"));
    }

    #[test]
    fn kinds_parse_in_both_languages() {
        assert_eq!("stage-2".parse::<EngagementKind>().unwrap(), EngagementKind::Stage2);
        assert_eq!(
            "监督审核".parse::<EngagementKind>().unwrap(),
            EngagementKind::Surveillance
        );
        assert!("stage-3".parse::<EngagementKind>().is_err());
    }
}
