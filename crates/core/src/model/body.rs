//! The certification body's own records around an audit: declared
//! interests (impartiality), the audit plan's mode and activities, and the
//! opening and closing meetings (attendance).

use super::engagement::string_enum;
use super::fields::{ActivityField as AF, InterestField as IF, MeetingField as MF};
use super::ops::{Record, RecordError};
use jiff::civil::{Date, DateTime};
use serde::Serialize;

string_enum!(
    /// What ties a person to a client.
    InterestKind {
        Consultancy = "consultancy" / "咨询",
        Employment = "employment" / "任职",
        Financial = "financial" / "经济利益",
        Family = "family" / "亲属关系",
        Other = "other" / "其他",
    }
);

string_enum!(
    /// How an audit is made (CNCA's 审核方式 codes).
    AuditMode {
        OnSite = "FS01" / "现场审核",
        Remote = "FS02" / "远程审核",
        Both = "FS03" / "现场+远程",
    }
);

impl AuditMode {
    /// In words (the code is `as_str`): 现场审核 / on site.
    pub fn words(self, zh: bool) -> &'static str {
        match (self, zh) {
            (_, true) => self.zh(),
            (AuditMode::OnSite, false) => "on site",
            (AuditMode::Remote, false) => "remote",
            (AuditMode::Both, false) => "on site and remote",
        }
    }
}

string_enum!(
    /// Which meeting of an audit.
    MeetingKind {
        Opening = "opening" / "首次会议",
        Closing = "closing" / "末次会议",
    }
);

/// A person's declared interest in a programme's client.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interest {
    pub programme: String,
    pub actor: String,
    pub kind: InterestKind,
    /// The last day the interest stands in the way of auditing the client
    /// (consultancy: two years after it ended).
    pub until: Date,
    pub note: String,
    pub declared_on: Option<Date>,
}

impl Interest {
    pub fn record_id(programme: &str, actor: &str) -> String {
        format!("{programme}/{actor}")
    }

    pub fn from_record(r: &Record) -> Result<Interest, RecordError> {
        let programme = r.entity.engagement_in_id().unwrap_or_default().to_string();
        Ok(Interest {
            programme,
            actor: r.text(IF::Actor),
            kind: r.enum_req(IF::Kind)?,
            until: r.date(IF::Until).unwrap_or(Date::MIN),
            note: r.text(IF::Note),
            declared_on: r.date(IF::DeclaredOn),
        })
    }

    /// Whether it stands in the way on `day`.
    pub fn live_on(&self, day: Date) -> bool {
        self.until >= day
    }
}

/// One person at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attendee {
    /// A team member's actor id, or a name of the auditee's people.
    pub who: String,
    /// One of the auditee's people (not a team member).
    pub auditee: bool,
    /// Attended remotely.
    pub remote: bool,
}

impl Attendee {
    /// `zhang.wei; li.min@remote; auditee:王经理` → attendees.
    pub fn parse_list(text: &str) -> Vec<Attendee> {
        text.split([';', '；', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (s, remote) = match s.strip_suffix("@remote") {
                    Some(rest) => (rest.trim(), true),
                    None => (s, false),
                };
                let (who, auditee) = match s.strip_prefix("auditee:").or_else(|| s.strip_prefix("受审核方:")) {
                    Some(rest) => (rest.trim(), true),
                    None => (s, false),
                };
                Attendee {
                    who: who.to_string(),
                    auditee,
                    remote,
                }
            })
            .collect()
    }

    /// The stored form of a list (what [`Attendee::parse_list`] reads).
    pub fn list_text(list: &[Attendee]) -> String {
        list.iter()
            .map(|a| {
                let mut s = if a.auditee {
                    format!("auditee:{}", a.who)
                } else {
                    a.who.clone()
                };
                if a.remote {
                    s.push_str("@remote");
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// An opening or closing meeting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meeting {
    pub engagement: String,
    pub kind: MeetingKind,
    pub at: Option<DateTime>,
    pub place: String,
    pub attendees: Vec<Attendee>,
    pub note: String,
    /// Photos (evidence sha256) of the whole team with the auditee.
    pub photos: Vec<String>,
    pub recorded_by: Option<String>,
}

impl Meeting {
    pub fn record_id(engagement: &str, kind: MeetingKind) -> String {
        format!("{engagement}/{}", kind.as_str())
    }

    pub fn from_record(r: &Record) -> Result<Meeting, RecordError> {
        let (engagement, kind) = r.entity.id.split_once('/').unwrap_or((&r.entity.id, ""));
        let kind = kind.parse().map_err(|_: crate::model::ParseEnumError| RecordError {
            entity: r.entity.clone(),
            field: "id",
            found: Some(kind.to_string()),
            what: "meeting",
        })?;
        Ok(Meeting {
            engagement: engagement.to_string(),
            kind,
            at: r.opt_text(MF::At).and_then(|t| parse_at(&t)),
            place: r.text(MF::Place),
            attendees: Attendee::parse_list(&r.text(MF::Attendees)),
            note: r.text(MF::Note),
            photos: r.linked(super::fields::Rel::Evidence),
            recorded_by: r.created_by.clone(),
        })
    }

    /// Whether `actor` attended on site.
    pub fn on_site(&self, actor: &str) -> bool {
        self.attendees.iter().any(|a| !a.auditee && !a.remote && a.who == actor)
    }
}

/// `2026-03-02 09:00` (or `2026-03-02T09:00`) as a civil time.
pub fn parse_at(text: &str) -> Option<DateTime> {
    let t = text.trim().replacen(' ', "T", 1);
    t.parse::<DateTime>().ok()
}

/// On-site days of `actor` from an audit's opening and closing meetings:
/// the calendar days from the opening to the closing, both counted, when
/// they attended both on site; half a day for a one-meeting day on site.
pub fn on_site_days(opening: Option<&Meeting>, closing: Option<&Meeting>, actor: &str) -> f64 {
    let (Some(o), Some(c)) = (opening, closing) else {
        return 0.0;
    };
    let (Some(from), Some(to)) = (o.at, c.at) else {
        return 0.0;
    };
    match (o.on_site(actor), c.on_site(actor)) {
        (true, true) => {
            let days = (to.date() - from.date()).get_days();
            if days < 0 { 0.0 } else { f64::from(days + 1) }
        }
        (true, false) | (false, true) => 0.5,
        (false, false) => 0.0,
    }
}

/// An activity of the audit plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Activity {
    pub id: String,
    pub engagement: String,
    pub on: Option<Date>,
    pub from: String,
    pub to: String,
    pub place: String,
    pub title: String,
    /// Actor ids of the auditors who carry it out.
    pub auditors: Vec<String>,
    /// The auditee's people taking part.
    pub auditee: String,
}

impl Activity {
    pub fn record_id(engagement: &str, n: u32) -> String {
        format!("{engagement}/A{n:02}")
    }

    pub fn from_record(r: &Record) -> Result<Activity, RecordError> {
        Ok(Activity {
            id: r.entity.id.clone(),
            engagement: r.text(AF::Engagement),
            on: r.date(AF::On),
            from: r.text(AF::From),
            to: r.text(AF::To),
            place: r.text(AF::Place),
            title: r.text(AF::Title),
            auditors: r
                .text(AF::Auditors)
                .split([',', ';', '，', '；', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            auditee: r.text(AF::Auditee),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendees_read_back_as_written() {
        let list = Attendee::parse_list("zhang.wei; li.min@remote；auditee:王经理; 受审核方:陈静@remote");
        assert_eq!(list.len(), 4);
        assert!(list[1].remote && !list[1].auditee);
        assert!(list[2].auditee && list[2].who == "王经理");
        assert!(list[3].auditee && list[3].remote && list[3].who == "陈静");
        assert_eq!(Attendee::parse_list(&Attendee::list_text(&list)), list);
        assert_eq!("fs03".parse::<AuditMode>().unwrap(), AuditMode::Both);
        assert_eq!("FS03".parse::<AuditMode>().unwrap().as_str(), "FS03");
        assert_eq!("现场审核".parse::<AuditMode>().unwrap(), AuditMode::OnSite);
    }

    #[test]
    fn on_site_days_count_the_calendar_days_between_the_meetings() {
        let m = |kind, at: &str, who: &str| Meeting {
            engagement: "E".into(),
            kind,
            at: parse_at(at),
            place: String::new(),
            attendees: Attendee::parse_list(who),
            note: String::new(),
            photos: vec![],
            recorded_by: None,
        };
        let o = m(MeetingKind::Opening, "2026-03-02 09:00", "zw; lm; xp@remote");
        let c = m(MeetingKind::Closing, "2026-03-04 16:00", "zw; xp@remote");
        assert_eq!(on_site_days(Some(&o), Some(&c), "zw"), 3.0);
        assert_eq!(on_site_days(Some(&o), Some(&c), "lm"), 0.5);
        assert_eq!(on_site_days(Some(&o), Some(&c), "xp"), 0.0);
        assert_eq!(on_site_days(Some(&o), None, "zw"), 0.0);
    }
}
