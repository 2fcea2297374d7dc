//! `demo --scale N`: N synthetic findings and N/5 corrective actions in their
//! own engagement, for performance work. Records are built by the same
//! builders as real ones (`FindingRecord`, `ActionRecord`), with the texts of
//! `[scale]` in `content.toml`, and committed in batches.

use super::super::finding::FindingRecord;
use super::super::remediation::ActionRecord;
use super::super::{App, NewEngagement, Result};
use super::{content, days};
use crate::model::action::ActionStatus;
use crate::model::catalog::EMBEDDED_GBT32312;
use crate::model::engagement::EngagementKind;
use crate::model::finding::{FindingStatus, Grade};
use crate::model::ops::{EntityId, Kind};
use serde::Deserialize;

/// The scale engagement's id (the one in `content.toml`; a test checks they agree).
pub const SCALE_ENGAGEMENT: &str = "DEMO-SCALE";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScaleSpec {
    engagement: String,
    title: String,
    auditee: String,
    raised_by: String,
    statement: String,
    action: String,
    pub(crate) titles: Vec<String>,
    pub(crate) owners: Vec<String>,
}

/// Generate `n` synthetic findings (and n/5 corrective actions) in their own
/// engagement, committed in batches of 1,000. Returns the engagement id.
/// Calling it again adds nothing if the engagement exists.
pub fn seed_scale(app: &App, n: u64, progress: &mut dyn FnMut(u64)) -> Result<String> {
    let spec = &content().scale;
    let id = spec.engagement.as_str();
    if app.engagements()?.iter().any(|e| e.id == id) {
        return Ok(id.into());
    }
    let cat = crate::config::embedded_catalog();
    app.create_engagement(
        NewEngagement {
            id: Some(id.into()),
            title: spec.title.clone(),
            auditee: spec.auditee.clone(),
            site: String::new(),
            kind: EngagementKind::SelfAssessment,
            period_start: None,
            period_end: None,
        },
        &cat,
        EMBEDDED_GBT32312,
    )?;
    let statuses = [
        FindingStatus::Issued,
        FindingStatus::Responded,
        FindingStatus::PlanAccepted,
        FindingStatus::Implemented,
        FindingStatus::Verified,
        FindingStatus::Closed,
    ];
    let batch = 1000u64;
    let mut done = 0;
    while done < n {
        let mut drafts = Vec::new();
        for i in done..(done + batch).min(n) {
            // Ids as the app writes them now: per engagement.
            let finding = format!("SG-{:06}", i + 1);
            let action = (i % 5 == 0).then(|| format!("SG-CA{:06}", i / 5 + 1));
            let status = statuses[(i % statuses.len() as u64) as usize];
            drafts.extend(synthetic(
                app,
                &cat,
                id,
                i,
                &finding,
                i + 1,
                status,
                200,
                action.as_deref(),
            ));
        }
        app.commit(drafts)?;
        done = (done + batch).min(n);
        progress(done);
    }
    Ok(id.into())
}

/// The drafts of the `i`-th synthetic finding (`finding`, titled `#number`,
/// raised up to `max_age` days ago) of engagement `eng`, with the
/// corrective action `action` when given: the texts of `[scale]`, built as
/// real records are.
#[allow(clippy::too_many_arguments)]
fn synthetic(
    app: &App,
    cat: &crate::model::catalog::Catalog,
    eng: &str,
    i: u64,
    finding: &str,
    number: u64,
    status: FindingStatus,
    max_age: u64,
    action: Option<&str>,
) -> Vec<crate::store::Draft> {
    let spec = &content().scale;
    let pick = |v: &[String], i: u64| v[(i % v.len() as u64) as usize].clone();
    let today = app.today();
    let r = crate::model::ops::scoped_id(eng, finding);
    let grade = Grade::ALL[(i % 4) as usize];
    let issued = days(today, -((i % max_age) as i32));
    let (resp, close) = app.policy.due_dates(grade, issued);
    let indicators = [cat.indicators[(i % cat.indicators.len() as u64) as usize].id.clone()];
    let title = format!("{} #{number}", pick(&spec.titles, i));
    let mut drafts = FindingRecord {
        engagement: eng,
        grade,
        title: &title,
        statement: &spec.statement,
        criterion: "",
        evidence_note: "",
        raised_by: &spec.raised_by,
        raised_on: issued,
        status,
        issued: Some((issued, resp, close)),
        indicators: &indicators,
    }
    .drafts(&EntityId::new(Kind::Finding, &r));
    if let Some(action) = action {
        let a = EntityId::new(Kind::Action, crate::model::ops::scoped_id(eng, action));
        drafts.extend(
            ActionRecord {
                engagement: eng,
                finding: &r,
                description: &spec.action,
                owner: &pick(&spec.owners, i / 5),
                due: Some(days(today, ((i % 120) as i32) - 60)),
                status: ActionStatus::ALL[((i / 5) % 5) as usize],
                progress: ((i * 7) % 101) as u8,
            }
            .drafts(&a),
        );
    }
    drafts
}

/// `demo --portfolio N`: N clients, each a programme (`PF-P00001`…) with a
/// self-assessment (`PF-00001`…) holding [`PORTFOLIO_FINDINGS`]
/// findings and a corrective action for every fifth, for the portfolio pane,
/// `portfolio` and the head-office index at a body's scale. Calling it
/// again adds nothing when the first one exists.
pub fn seed_portfolio(app: &App, n: u64, progress: &mut dyn FnMut(u64)) -> Result<()> {
    if n == 0 || app.engagement(&portfolio_engagement(0)).is_ok() {
        return Ok(());
    }
    let cat = crate::config::embedded_catalog();
    for p in 0..n {
        let id = portfolio_engagement(p);
        app.create_engagement(
            NewEngagement {
                id: Some(id.clone()),
                title: format!("自评估 / Self-assessment #{}", p + 1),
                auditee: format!("客户 {} 客户服务中心 / Client {} service centre", p + 1, p + 1),
                site: String::new(),
                kind: EngagementKind::SelfAssessment,
                period_start: None,
                period_end: None,
            },
            &cat,
            EMBEDDED_GBT32312,
        )?;
        app.set_programme(&id, &format!("PF-P{:05}", p + 1), None)?;
        let mut drafts = Vec::new();
        for f in 0..PORTFOLIO_FINDINGS {
            let i = p * PORTFOLIO_FINDINGS + f;
            let finding = format!("PF-{:03}", f + 1);
            let action = (f % 5 == 0).then(|| format!("PF-CA{:03}", f / 5 + 1));
            let status = [
                FindingStatus::Issued,
                FindingStatus::PlanAccepted,
                FindingStatus::Closed,
            ][(i % 3) as usize];
            drafts.extend(synthetic(
                app,
                &cat,
                &id,
                i,
                &finding,
                f + 1,
                status,
                90,
                action.as_deref(),
            ));
        }
        app.commit(drafts)?;
        progress(p + 1);
    }
    Ok(())
}

/// Findings in each engagement of `demo --portfolio`.
pub const PORTFOLIO_FINDINGS: u64 = 10;

/// The engagement of the `p`-th (from 0) client of `demo --portfolio`.
pub fn portfolio_engagement(p: u64) -> String {
    format!("PF-{:05}", p + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_scale_engagement_id_is_the_one_in_the_content() {
        assert_eq!(super::content().scale.engagement, super::SCALE_ENGAGEMENT);
    }
}
