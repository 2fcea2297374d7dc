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
                $(if norm == $s || s.trim() == $zh { return Ok($name::$var); })+
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
pub(crate) fn human_name_zh(name: &str) -> &str {
    match name {
        "engagement kind" => "审核类型",
        "role" => "角色",
        "grade" => "等级",
        "finding status" => "发现项状态",
        "action status" => "措施状态",
        "result" => "结论",
        "workflow status" => "工作状态",
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
        other => other,
    }
}

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
    }
);

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
    pub created_by: String,
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
            created_by: r.created_by.clone().unwrap_or_default(),
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
}

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
        })
    }
    pub fn is_certified_auditor(&self) -> bool {
        self.role.is_auditor() && self.certificate_no.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {kind} engagement cannot issue findings until its team has at least two auditors with certificate numbers (it has {certified})"
)]
pub struct TeamRuleError {
    pub kind: EngagementKind,
    pub certified: usize,
}

/// The certification practice rule (ISO/IEC 17021-1 in China: two CCAA-registered auditors).
pub fn check_can_issue(kind: EngagementKind, team: &[Member]) -> Result<(), TeamRuleError> {
    if !kind.is_certification() {
        return Ok(());
    }
    let mut actors: Vec<&str> = team
        .iter()
        .filter(|m| m.is_certified_auditor())
        .map(|m| m.actor.as_str())
        .collect();
    actors.sort_unstable();
    actors.dedup();
    if actors.len() >= 2 {
        Ok(())
    } else {
        Err(TeamRuleError {
            kind,
            certified: actors.len(),
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
        }
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
            assert_eq!(check_can_issue(k, &[]).is_err(), cert, "{k}");
            assert_eq!(check_can_issue(k, &one).is_err(), cert, "{k}");
            assert_eq!(check_can_issue(k, &expert).is_err(), cert, "{k}: experts do not count");
            assert!(check_can_issue(k, &two).is_ok(), "{k}");
        }
        let e = check_can_issue(EngagementKind::Stage2, &one).unwrap_err();
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
