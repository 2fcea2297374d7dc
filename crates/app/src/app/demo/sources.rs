//! The demo's other records, so a newcomer sees every source feed its
//! indicator: a complaint log (PE-03, PE-02), a satisfaction survey (PE-01),
//! the online-chat session log (CH-03), the recording index matched to the
//! demo's call records (QU-04), and a mystery-shopping campaign of
//! test calls, most of them made. Generated with a fixed seed, read
//! back through the same readers `metrics --source` uses, recorded through
//! the app with the figures as evidence.

use super::super::sources as record;
use super::super::{App, AppError, Result};
use crate::analytics::{complaints, recordings, records::SourceFile, sessions, survey};
use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CHANNELS: [&str; 4] = ["电话", "手机银行", "在线客服", "网点"];

/// Write the files into `dir` (beside the demo's call records `calls`) and
/// record each figure in `engagement`.
pub(super) fn seed(app: &App, engagement: &str, dir: &Path, calls: &Path, period_end: Date) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(20_261_207);
    let start = period_end - jiff::Span::new().days(27);
    let write = |name: &str, text: String| -> Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| AppError::Io {
            path: path.clone(),
            source: e,
        })?;
        Ok(path)
    };
    let invalid = |e: String| AppError::Invalid(crate::message::Msg::same(e));

    // Complaints: about 12% decided late.
    let mut text = String::from("received,channel,category,closed,extension,handler,id\n");
    for i in 0..240u32 {
        let received = start + jiff::Span::new().days(rng.random_range(0..24));
        let late = rng.random_bool(0.12);
        let days = if late {
            rng.random_range(16..29)
        } else {
            rng.random_range(1..15)
        };
        let closed = received + jiff::Span::new().days(days);
        let closed = if closed > period_end {
            String::new()
        } else {
            closed.to_string()
        };
        let ch = CHANNELS[rng.random_range(0..CHANNELS.len())];
        let cat = ["信用卡", "借记卡", "贷款", "理财"][rng.random_range(0..4)];
        let _ = writeln!(text, "{received},{ch},{cat},{closed},,h{:02},TS-{i:04}", i % 9);
    }
    let path = write("投诉台账.csv", text)?;
    let mut f = complaints::read(
        &[path],
        &complaints::builtin("generic").expect("built in"),
        &complaints::Params {
            clock: complaints::Clock::cbirc(period_end),
            from: None,
            to: None,
            handled: Some(1_250_000),
        },
    )
    .map_err(invalid)?;
    short_names(&mut f.read.files);
    app.record_source(engagement, "PE-03", record::complaint_figures(&f)?)?;
    app.record_source(engagement, "PE-02", record::complaint_figures(&f)?)?;

    // Survey: 1,500 responses on 1–5, almost all satisfied.
    let mut text = String::from("contact,channel,time,score\n");
    for i in 0..1500u32 {
        let day = start + jiff::Span::new().days(rng.random_range(0..28));
        let r: f64 = rng.random();
        let score = if r < 0.006 {
            1
        } else if r < 0.010 {
            2
        } else if r < 0.014 {
            3
        } else if r < 0.30 {
            4
        } else {
            5
        };
        let ch = CHANNELS[rng.random_range(0..CHANNELS.len())];
        let _ = writeln!(
            text,
            "C{i:05},{ch},{day} {:02}:{:02}:00,{score}",
            rng.random_range(8..21),
            rng.random_range(0..60)
        );
    }
    let path = write("满意度调查.csv", text)?;
    let mut f = survey::read(
        &[path],
        &survey::builtin("generic").expect("built in"),
        &survey::Params::default(),
    )
    .map_err(invalid)?;
    short_names(&mut f.read.files);
    app.record_source(engagement, "PE-01", record::survey_figures(&f)?)?;

    // Online chat and e-mail: first replies in about a minute, most closed within the day.
    let mut text = String::from("id,channel,created,first_reply,closed,abandoned,customer\n");
    let at = |t: jiff::civil::DateTime| t.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let as_of = period_end.to_datetime(jiff::civil::Time::midnight()) + jiff::Span::new().days(1);
    for i in 0..3000u32 {
        let created = start.to_datetime(jiff::civil::Time::midnight())
            + jiff::Span::new().seconds(rng.random_range(0..27 * 86_400i64));
        let ch = if rng.random_bool(0.8) {
            "在线客服"
        } else {
            "电子邮件"
        };
        if rng.random_bool(0.04) {
            let gone = created + jiff::Span::new().seconds(rng.random_range(10..200i64));
            let _ = writeln!(text, "S{i:05},{ch},{},,{},是,", at(created), at(gone));
            continue;
        }
        let wait = (-45.0 * (1.0 - rng.random::<f64>()).ln()) as i64;
        let reply = created + jiff::Span::new().seconds(wait);
        let took = (-20_000.0 * (1.0 - rng.random::<f64>()).ln()) as i64;
        let closed = reply + jiff::Span::new().seconds(took);
        let closed = if closed > as_of { String::new() } else { at(closed) };
        let who = rng.random_range(0..2600u32);
        let _ = writeln!(text, "S{i:05},{ch},{},{},{closed},,K{who:05}", at(created), at(reply));
    }
    let path = write("在线会话.csv", text)?;
    let mut f = sessions::read(
        &[path],
        &sessions::builtin("generic").expect("built in"),
        &sessions::Params {
            reply_within: 60,
            handle_within: 24,
            as_of,
            from: None,
            to: None,
            repeat_days: 7,
        },
    )
    .map_err(invalid)?;
    short_names(&mut f.read.files);
    app.record_source(engagement, "CH-03", record::session_figures(&f)?)?;

    // The recording index: every answered call but a few (a disk outage).
    let mut text = String::from("vru+line,call_id,duration\n");
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(calls)
        .map_err(|e| invalid(e.to_string()))?;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| invalid(e.to_string()))?;
        let (line, id, outcome, secs) = (&rec[0], &rec[1], &rec[12], &rec[15]);
        if outcome == "AGENT" && !rng.random_bool(0.004) {
            let _ = writeln!(text, "{line},{id},{}", secs.parse::<u32>().unwrap_or(0).max(1));
        }
    }
    let index = write("录音索引.csv", text)?;
    let mut f = recordings::read(
        &[index],
        &[calls.to_path_buf()],
        &recordings::builtin("anonymous-bank").expect("built in"),
    )
    .map_err(invalid)?;
    short_names(&mut f.index_files);
    short_names(&mut f.call_files);
    app.record_source(engagement, "QU-04", record::recording_figures(&f)?)?;

    // A mystery-shopping campaign: 24 calls planned over the last two
    // weeks, 18 made so far.
    let calls = app.plan_test_calls(
        engagement,
        &crate::app::testcall::CampaignPlan {
            campaign: "神秘访客-第三季度".into(),
            calls: 24,
            slots: ["09:00-12:00", "12:00-14:00", "14:00-18:00", "18:00-21:00"]
                .map(String::from)
                .to_vec(),
            services: ["信用卡", "借记卡", "转账汇款"].map(String::from).to_vec(),
            from: period_end - jiff::Span::new().days(13),
            to: period_end,
            seed: 2026,
        },
    )?;
    for c in calls.iter().take(18) {
        let connected = rng.random_bool(0.9);
        let judge = |rng: &mut ChaCha8Rng, p: f64| connected.then(|| rng.random_bool(p));
        let outcome = crate::app::testcall::CallOutcome {
            called_at: c.planned_on.map(|d| format!("{d} {}", c.planned_at)),
            connected,
            ivr_to_agent: judge(&mut rng, 0.95),
            identified: judge(&mut rng, 0.85),
            correct: judge(&mut rng, 0.8),
            wait_s: connected.then(|| rng.random_range(5..90)),
            notes: None,
            again: false,
        };
        app.record_test_call(engagement, &c.id, &outcome)?;
    }
    Ok(())
}

/// The evidence names the files by their own names, not the temporary folder.
fn short_names(files: &mut [SourceFile]) {
    for f in files {
        if let Some(name) = Path::new(&f.path).file_name() {
            f.path = name.to_string_lossy().into_owned();
        }
    }
}

/// The people of the demo's QA round.
pub(super) struct QaPeople {
    pub lead: super::super::Identity,
    pub rater_a: super::super::Identity,
    pub rater_b: super::super::Identity,
}

/// A QA re-scoring round in the signed history: the lead draws 30 of 600
/// recordings (stratified by team), two auditors score each blind on the
/// catalogue's scorecard (sealed, then revealed), the lead reconciles the
/// pass/fail disagreements, and the reconciled pass rate becomes QU-01.
pub(super) fn seed_qa(app: &mut App, engagement: &str, p: &QaPeople) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(32_312);
    let mut frame = String::from("recording,team\n");
    for i in 0..600u32 {
        let _ = writeln!(
            frame,
            "REC-{:04},{}",
            3 * i + 1,
            ["信用卡组", "借记卡组", "综合组"][(i % 3) as usize]
        );
    }
    app.act_as(p.lead.clone());
    let card = app.qa_scorecard(engagement)?.card();
    let (_, reviews) = app.plan_qa(
        engagement,
        &crate::app::qa::QaPlan {
            round: "录音复核-第三季度".into(),
            frame: frame.into_bytes(),
            frame_name: "录音清单.csv".into(),
            n: 30,
            seed: 2026,
            id_column: None,
            strata: Some("team".into()),
            plain: false,
            rater_a: p.rater_a.actor.clone(),
            rater_b: p.rater_b.actor.clone(),
            reconciler: p.lead.actor.clone(),
        },
    )?;
    // What each contact deserves, then each rater's reading of it.
    let truth: Vec<Vec<u32>> = reviews
        .iter()
        .map(|_| {
            card.items
                .iter()
                .map(
                    |i| match (i.fatal, rng.random_bool(if i.fatal { 0.04 } else { 0.25 })) {
                        (true, true) => 0,
                        (true, false) | (false, false) => i.points,
                        (false, true) => i.points - rng.random_range(1..=i.points.min(5)),
                    },
                )
                .collect()
        })
        .collect();
    let read = |rng: &mut ChaCha8Rng, t: &[u32]| -> Vec<u32> {
        card.items
            .iter()
            .zip(t)
            .map(|(i, &s)| match (i.fatal, rng.random_bool(0.06)) {
                (true, true) => {
                    if s == 0 {
                        i.points
                    } else {
                        0
                    }
                }
                (false, true) => s.saturating_sub(rng.random_range(1..=3)),
                _ => s,
            })
            .collect()
    };
    let scores_a: Vec<Vec<u32>> = truth.iter().map(|t| read(&mut rng, t)).collect();
    let scores_b: Vec<Vec<u32>> = truth.iter().map(|t| read(&mut rng, t)).collect();
    app.act_as(p.rater_a.clone());
    for (r, s) in reviews.iter().zip(&scores_a) {
        app.score_qa(engagement, &r.id, s)?;
    }
    app.act_as(p.rater_b.clone());
    for (r, s) in reviews.iter().zip(&scores_b) {
        app.score_qa(engagement, &r.id, s)?;
    }
    app.act_as(p.rater_a.clone());
    app.reveal_qa(engagement)?;
    app.act_as(p.lead.clone());
    for (i, r) in app.qa_reviews(engagement)?.iter().enumerate() {
        if r.disagree() == Some(true) {
            app.reconcile_qa(engagement, &r.id, &truth[i], Some("复听录音后裁定"))?;
        }
    }
    app.record_qa(engagement, None, "QU-01")?;
    Ok(())
}
