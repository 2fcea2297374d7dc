//! Test-call campaigns (mystery shopping): plan calls stratified over time
//! slots and service types, record each call as it is made, and summarise
//! the rates with their Wilson 95% intervals; the summary attaches as
//! evidence. Every call is a signed record of the engagement, so a
//! campaign planned on one laptop is made from another and merged as the
//! rest of the audit is.

use super::{App, AppError, Draft, Result, create, set, set_if_changed};
use crate::analytics::records::{pct, wilson};
use crate::model::fields::TestCallField as F;
use crate::model::ops::{EntityId, Kind, Value};
use crate::model::testcall::{Measure, TestCall, allocate};
use jiff::civil::Date;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::BTreeMap;

/// A campaign to plan.
#[derive(Clone, Debug)]
pub struct CampaignPlan {
    pub campaign: String,
    pub calls: usize,
    /// `HH:MM-HH:MM` each.
    pub slots: Vec<String>,
    pub services: Vec<String>,
    pub from: Date,
    pub to: Date,
    /// The seed of the draw (dates and times), printed so the plan can be
    /// drawn again.
    pub seed: u64,
}

/// What a caller records for one call.
#[derive(Clone, Debug, Default)]
pub struct CallOutcome {
    /// `YYYY-MM-DD HH:MM`; none: now.
    pub called_at: Option<String>,
    pub connected: bool,
    pub ivr_to_agent: Option<bool>,
    pub identified: Option<bool>,
    pub correct: Option<bool>,
    pub wait_s: Option<i64>,
    pub notes: Option<String>,
    /// Replace the result of a call already recorded (refused otherwise).
    pub again: bool,
}

/// One measure's rate.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rate {
    /// Calls the measure applies to (made, and for all but `connected`,
    /// connected).
    pub asked: u64,
    pub yes: u64,
    /// Percent.
    pub rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// A stratum's calls.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Stratum {
    pub planned: u64,
    pub made: u64,
    pub connected: u64,
    pub correct: u64,
}

/// A campaign's summary (JSON schema `cscaudit.testcalls/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CallSummary {
    pub schema: &'static str,
    pub engagement: String,
    /// None: every campaign of the engagement.
    pub campaign: Option<String>,
    pub planned: u64,
    /// Calls made (recorded).
    pub calls: u64,
    pub connected: Rate,
    pub ivr_to_agent: Rate,
    pub identified: Rate,
    pub correct: Rate,
    pub wait_mean_s: Option<f64>,
    pub wait_max_s: Option<i64>,
    pub by_slot: BTreeMap<String, Stratum>,
    pub by_service: BTreeMap<String, Stratum>,
}

impl CallSummary {
    pub fn rate(&self, m: Measure) -> &Rate {
        match m {
            Measure::Connected => &self.connected,
            Measure::IvrToAgent => &self.ivr_to_agent,
            Measure::Identified => &self.identified,
            Measure::Correct => &self.correct,
        }
    }
}

/// A fresh seed for a campaign's draw (printed with the plan).
pub fn draw_seed() -> u64 {
    rand::random::<u64>() % 1_000_000_000
}

fn invalid(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

/// `HH:MM-HH:MM` as minutes of the day (the close after the open).
fn slot_minutes(s: &str) -> Result<(u32, u32)> {
    let bad = || {
        let s = crate::text::visible(s).into_owned();
        invalid(
            format!("time slot `{s}` must be HH:MM-HH:MM, closing after it opens (e.g. 09:00-12:00)"),
            format!("时段 `{s}` 必须是 HH:MM-HH:MM 且结束晚于开始（如 09:00-12:00）"),
        )
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let m = |t: &str| -> Result<u32> {
        let (h, mi) = t.trim().split_once(':').ok_or_else(bad)?;
        let (h, mi): (u32, u32) = (h.parse().map_err(|_| bad())?, mi.parse().map_err(|_| bad())?);
        if h > 24 || mi > 59 || (h == 24 && mi > 0) {
            return Err(bad());
        }
        Ok(h * 60 + mi)
    };
    let (a, b) = (m(a)?, m(b)?);
    if b <= a {
        return Err(bad());
    }
    Ok((a, b))
}

impl App {
    /// The test calls of an engagement (every campaign), by reference.
    pub fn test_calls(&self, engagement: &str) -> Result<Vec<TestCall>> {
        let mut out = self
            .store()
            .records(Kind::TestCall, &format!("{engagement}/"))?
            .iter()
            .map(TestCall::from_record)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        sort_calls(&mut out);
        Ok(out)
    }

    /// One test call by its id (`ENGAGEMENT/TC-001`), if it is there.
    pub fn test_call(&self, id: &str) -> Result<Option<TestCall>> {
        match self.store().record(&EntityId::new(Kind::TestCall, id))? {
            Some(r) if !r.deleted => Ok(Some(TestCall::from_record(&r)?)),
            _ => Ok(None),
        }
    }

    /// Plan a campaign: `calls` calls spread evenly over every (slot,
    /// service) pair, each on a day of the period and a minute of its slot
    /// drawn from `seed`. One commit.
    pub fn plan_test_calls(&self, engagement: &str, p: &CampaignPlan) -> Result<Vec<TestCall>> {
        self.require_identity()?;
        self.engagement(engagement)?;
        let campaign = p.campaign.trim();
        if campaign.is_empty() {
            return Err(invalid("a campaign needs a name".into(), "测试批次需要名称".into()));
        }
        let one_line = |s: &str| !s.chars().any(char::is_control) && s.chars().count() <= 100;
        if !one_line(campaign) || !p.services.iter().chain(&p.slots).all(|s| one_line(s)) {
            return Err(invalid(
                "a campaign's name, services and slots are each one line of up to 100 characters, without control characters".into(),
                "测试批次的名称、业务类型与时段须各为一行、不超过 100 个字符、不含控制字符".into(),
            ));
        }
        let existing = self.test_calls(engagement)?;
        if existing.iter().any(|c| c.campaign == campaign) {
            return Err(invalid(
                format!("{engagement} already has a campaign `{campaign}`: name the new one differently"),
                format!("{engagement} 已有测试批次 `{campaign}`：请为新批次另取名称"),
            ));
        }
        if p.calls == 0 || p.calls > 10_000 {
            return Err(invalid(
                format!("a campaign plans 1 to 10,000 calls, not {}", p.calls),
                format!("一个测试批次安排 1 至 10,000 通电话，不能是 {}", p.calls),
            ));
        }
        if p.from > p.to {
            return Err(invalid(
                format!("the campaign starts {} after it ends {}", p.from, p.to),
                format!("测试批次开始日期 {} 晚于结束日期 {}", p.from, p.to),
            ));
        }
        let clean = |v: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            out
        };
        let (slots, services) = (clean(&p.slots), clean(&p.services));
        if slots.is_empty() || services.is_empty() {
            return Err(invalid(
                "a campaign needs at least one time slot and one service".into(),
                "测试批次至少需要一个时段和一种业务类型".into(),
            ));
        }
        let windows = slots.iter().map(|s| slot_minutes(s)).collect::<Result<Vec<_>>>()?;
        let days = (p.to - p.from).get_days() as i64 + 1;
        let strata: Vec<(usize, usize)> = (0..slots.len())
            .flat_map(|a| (0..services.len()).map(move |b| (a, b)))
            .collect();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(p.seed);
        let mut order: Vec<usize> = (0..strata.len()).collect();
        order.shuffle(&mut rng);
        let per = allocate(p.calls, strata.len(), &order);
        let mut planned: Vec<(Date, u32, usize, usize)> = Vec::with_capacity(p.calls);
        for (i, &(a, b)) in strata.iter().enumerate() {
            for _ in 0..per[i] {
                let day = p
                    .from
                    .checked_add(jiff::Span::new().days(rng.random_range(0..days)))
                    .map_err(|e| invalid(e.to_string(), e.to_string()))?;
                let (open, close) = windows[a];
                planned.push((day, rng.random_range(open..close), a, b));
            }
        }
        planned.sort();
        let mut n = existing
            .iter()
            .filter_map(|c| c.reference().strip_prefix("TC-")?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        let mut d: Vec<Draft> = Vec::new();
        for (day, minute, a, b) in planned {
            n += 1;
            let e = EntityId::new(Kind::TestCall, TestCall::record_id(engagement, n));
            d.extend([
                create(&e),
                set(&e, None, F::Engagement, engagement),
                set(&e, None, F::Campaign, campaign),
                set(&e, None, F::Slot, slots[a].as_str()),
                set(&e, None, F::Service, services[b].as_str()),
                set(&e, None, F::PlannedOn, day),
                set(&e, None, F::PlannedAt, format!("{:02}:{:02}", minute / 60, minute % 60)),
            ]);
        }
        self.commit(d)?;
        Ok(self
            .test_calls(engagement)?
            .into_iter()
            .filter(|c| c.campaign == campaign)
            .collect())
    }

    /// Record a call as made. `id` is `TC-001` or `ENGAGEMENT/TC-001`.
    pub fn record_test_call(&self, engagement: &str, id: &str, o: &CallOutcome) -> Result<TestCall> {
        self.require_identity()?;
        let full = if id.contains('/') {
            id.to_string()
        } else {
            format!("{engagement}/{id}")
        };
        let cur = match self.store().record(&EntityId::new(Kind::TestCall, full.clone()))? {
            Some(r) if !r.deleted => r,
            _ => {
                return Err(AppError::NotFound {
                    what: "test call",
                    id: full,
                });
            }
        };
        let call = TestCall::from_record(&cur)?;
        if call.engagement != engagement {
            return Err(AppError::NotFound {
                what: "test call",
                id: full,
            });
        }
        if let (Some(at), false) = (&call.called_at, o.again) {
            let (r, by) = (call.reference(), &call.caller);
            return Err(invalid(
                format!("{r} was recorded at {at} by {by}: give --again to replace that result"),
                format!("{r} 已于 {at} 由 {by} 记录：如需替换该结果，请加 --again"),
            ));
        }
        let answered = [o.ivr_to_agent, o.identified, o.correct];
        if !o.connected && (answered.iter().any(Option::is_some) || o.wait_s.is_some()) {
            return Err(invalid(
                format!(
                    "{}: a call that did not get through has no IVR, agent, answer or wait to judge: leave them out",
                    call.reference()
                ),
                format!(
                    "{}：未接通的电话无从评价 IVR、座席、答复与等待时长：请不要填写这些项",
                    call.reference()
                ),
            ));
        }
        if let Some(w) = o.wait_s
            && !(0..=86_400).contains(&w)
        {
            return Err(invalid(
                format!("the wait is 0 to 86,400 seconds, not {w}"),
                format!("等待时长为 0 至 86,400 秒，不能是 {w}"),
            ));
        }
        let at = match o.called_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                let t = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s).map_err(|_| {
                    let s = crate::text::visible(s).into_owned();
                    invalid(
                        format!("called at `{s}` must be YYYY-MM-DD HH:MM"),
                        format!("拨打时间 `{s}` 必须是 YYYY-MM-DD HH:MM"),
                    )
                })?;
                t.strftime("%Y-%m-%d %H:%M").to_string()
            }
            None => jiff::Zoned::now().strftime("%Y-%m-%d %H:%M").to_string(),
        };
        let e = EntityId::new(Kind::TestCall, full.clone());
        let mut d = Vec::new();
        let c = Some(&cur);
        set_if_changed(&mut d, &e, c, F::CalledAt, at.into());
        set_if_changed(&mut d, &e, c, F::Caller, self.identity().actor.as_str().into());
        set_if_changed(&mut d, &e, c, F::Connected, o.connected.into());
        set_if_changed(&mut d, &e, c, F::IvrToAgent, o.ivr_to_agent.into());
        set_if_changed(&mut d, &e, c, F::Identified, o.identified.into());
        set_if_changed(&mut d, &e, c, F::Correct, o.correct.into());
        set_if_changed(&mut d, &e, c, F::WaitS, o.wait_s.into());
        if let Some(n) = &o.notes {
            set_if_changed(&mut d, &e, c, F::Notes, Value::from(n.trim()));
        }
        self.commit(d)?;
        Ok(TestCall::from_record(&self.record(Kind::TestCall, &full)?)?)
    }

    /// The rates of a campaign (or of every campaign), each with its Wilson
    /// 95% interval.
    pub fn test_call_summary(&self, engagement: &str, campaign: Option<&str>) -> Result<CallSummary> {
        self.engagement(engagement)?;
        let calls: Vec<TestCall> = self
            .test_calls(engagement)?
            .into_iter()
            .filter(|c| campaign.is_none_or(|x| c.campaign == x))
            .collect();
        if let Some(x) = campaign
            && calls.is_empty()
        {
            let x = crate::text::visible(x).into_owned();
            return Err(invalid(
                format!("{engagement} has no test-call campaign `{x}` (`cscaudit testcall list` shows them)"),
                format!("{engagement} 没有测试批次 `{x}`（`cscaudit testcall list` 列出全部）"),
            ));
        }
        Ok(summarise(engagement, campaign, &calls))
    }

    /// Attach a campaign's summary as evidence (to an indicator when given).
    pub fn attach_test_call_summary(&self, s: &CallSummary, indicator: Option<&str>) -> Result<String> {
        if s.calls == 0 {
            return Err(invalid(
                format!(
                    "{}: no test call was made yet: there is nothing to attach",
                    s.engagement
                ),
                format!("{}：尚未拨打任何测试电话：没有可附上的内容", s.engagement),
            ));
        }
        let json =
            serde_json::to_vec_pretty(s).map_err(|e| AppError::Invalid(crate::message::Msg::same(e.to_string())))?;
        let name = format!("testcalls-{}.json", s.campaign.as_deref().unwrap_or("all"));
        let ev = self.attach_evidence_bytes(
            &s.engagement,
            &name,
            &json,
            "test-call campaign: rates with Wilson 95% intervals",
            indicator,
            None,
        )?;
        Ok(ev.sha256)
    }
}

/// Test calls in order: TC-1000 after TC-999 (by number, then by id).
pub fn sort_calls(calls: &mut [TestCall]) {
    let n = |c: &TestCall| c.reference().strip_prefix("TC-").and_then(|n| n.parse::<u64>().ok());
    calls.sort_by(|a, b| (n(a), &a.id).cmp(&(n(b), &b.id)));
}

/// The summary of a set of calls.
pub fn summarise(engagement: &str, campaign: Option<&str>, calls: &[TestCall]) -> CallSummary {
    let made: Vec<&TestCall> = calls.iter().filter(|c| c.made()).collect();
    let rate = |m: Measure| {
        let asked: Vec<bool> = made
            .iter()
            .filter(|c| !m.needs_connection() || c.connected == Some(true))
            .filter_map(|c| c.measure(m))
            .collect();
        let (n, yes) = (asked.len() as u64, asked.iter().filter(|x| **x).count() as u64);
        let ci = wilson(yes, n);
        Rate {
            asked: n,
            yes,
            rate: pct(yes, n),
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
        }
    };
    let waits: Vec<i64> = made.iter().filter_map(|c| c.wait_s).collect();
    let mut by_slot: BTreeMap<String, Stratum> = BTreeMap::new();
    let mut by_service: BTreeMap<String, Stratum> = BTreeMap::new();
    for c in calls {
        for s in [
            by_slot.entry(c.slot.clone()).or_default(),
            by_service.entry(c.service.clone()).or_default(),
        ] {
            s.planned += 1;
            s.made += u64::from(c.made());
            s.connected += u64::from(c.connected == Some(true));
            s.correct += u64::from(c.correct == Some(true));
        }
    }
    CallSummary {
        schema: "cscaudit.testcalls/1",
        engagement: engagement.to_string(),
        campaign: campaign.map(str::to_string),
        planned: calls.len() as u64,
        calls: made.len() as u64,
        connected: rate(Measure::Connected),
        ivr_to_agent: rate(Measure::IvrToAgent),
        identified: rate(Measure::Identified),
        correct: rate(Measure::Correct),
        wait_mean_s: (!waits.is_empty()).then(|| waits.iter().sum::<i64>() as f64 / waits.len() as f64),
        wait_max_s: waits.iter().copied().max(),
        by_slot,
        by_service,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_read_and_bad_ones_refused() {
        assert_eq!(slot_minutes("09:00-12:30").unwrap(), (540, 750));
        assert_eq!(slot_minutes("18:00-24:00").unwrap(), (1080, 1440));
        for bad in ["12:00-09:00", "9-12", "09:00", "25:00-26:00", "09:00-09:00"] {
            assert!(slot_minutes(bad).is_err(), "{bad}");
        }
    }
}
