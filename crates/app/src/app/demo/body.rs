//! The body's records in the demo: audit plans with their agendas, the
//! opening and closing meetings with a photo each, registration levels, a
//! declared interest, and the outsourced client's credit code.

use super::days;
use crate::app::body::{NewActivity, NewMeeting, PlanEdit};
use crate::app::{App, Result};
use crate::model::body::{Attendee, AuditMode, MeetingKind};
use jiff::civil::Date;

/// A tiny PNG standing in for the check-in photo (the bytes after its end
/// make each meeting's photo its own file).
fn photo(tag: &str) -> Vec<u8> {
    let mut b: Vec<u8> = vec![
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21,
        196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 218, 99, 100, 96, 248, 95, 15, 0, 2, 135, 1, 128, 235, 71, 186,
        146, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];
    b.extend_from_slice(tag.as_bytes());
    b
}

/// What one audit's plan and meetings say.
pub(super) struct Audit<'a> {
    pub id: &'a str,
    pub criteria: &'a str,
    pub sites: &'a str,
    pub mode: AuditMode,
    pub agents: u32,
    /// (day, from, to, title, auditors)
    pub activities: Vec<(Date, &'a str, &'a str, &'a str, &'a str)>,
    pub place: &'a str,
    /// `zhang.wei; li.min; auditee:…` for both meetings.
    pub attendees: &'a str,
    pub first: Date,
    pub last: Date,
}

/// Lay out the plan, then record both meetings (as whoever is acting: a
/// lead or an auditor).
pub(super) fn seed_audit(app: &App, a: &Audit<'_>) -> Result<()> {
    app.set_audit_plan(
        a.id,
        &PlanEdit {
            criteria: Some(a.criteria.into()),
            sites: Some(a.sites.into()),
            mode: Some(a.mode),
            agents: Some(a.agents),
            ..Default::default()
        },
    )?;
    for (on, from, to, title, auditors) in &a.activities {
        app.add_activity(
            a.id,
            &NewActivity {
                on: Some(*on),
                from: from.to_string(),
                to: to.to_string(),
                place: a.place.into(),
                title: title.to_string(),
                auditors: auditors.split(',').map(|s| s.trim().to_string()).collect(),
                auditee: String::new(),
            },
        )?;
    }
    for (kind, day, time) in [
        (MeetingKind::Opening, a.first, "09:00"),
        (MeetingKind::Closing, a.last, "16:30"),
    ] {
        let ev = app.attach_evidence_bytes(
            a.id,
            &format!("{}-{}.png", a.id, kind.as_str()),
            &photo(&format!("{}-{}", a.id, kind.as_str())),
            &format!("{}签到合影 / check-in photo", kind.zh()),
            None,
            None,
        )?;
        let at = crate::model::body::parse_at(&format!("{day} {time}")).expect("a demo time");
        app.record_meeting_linked(
            a.id,
            &NewMeeting {
                kind,
                at,
                place: a.place.into(),
                attendees: Attendee::parse_list(a.attendees),
                note: String::new(),
            },
            &[ev.sha256],
        )?;
    }
    Ok(())
}

/// The activities of a two-day on-site audit starting `d1`.
pub(super) fn two_days<'a>(
    d1: Date,
    lead: &'a str,
    auditor: &'a str,
    both: &'a str,
) -> Vec<(Date, &'a str, &'a str, &'a str, &'a str)> {
    let d2 = days(d1, 1);
    vec![
        (d1, "09:00", "09:30", "首次会议 / opening meeting", both),
        (
            d1,
            "09:30",
            "12:00",
            "管理层访谈、文件审核 / management interview, documents",
            lead,
        ),
        (
            d1,
            "13:30",
            "17:30",
            "话务数据与录音抽查 / call data and recordings",
            auditor,
        ),
        (d2, "09:00", "12:00", "现场观察座席服务 / floor observation", both),
        (
            d2,
            "13:30",
            "15:30",
            "投诉与质检记录 / complaints and QA records",
            auditor,
        ),
        (d2, "16:30", "17:00", "末次会议 / closing meeting", both),
    ]
}
