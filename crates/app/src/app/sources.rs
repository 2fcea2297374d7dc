//! Recording a record source's figure (complaints, survey, sessions,
//! recordings) as an indicator's measured value, with the figures attached
//! as evidence. Which figure an indicator takes is its catalogue metric:
//! a source offers the metrics it can compute, and an indicator whose
//! metric is not among them is refused with the list.

use super::analytics::named_inputs;
use super::{App, AppError, AssessmentInput, Result};
use crate::analytics::{agentstates, agreement, complaints, outages, recordings, sessions, survey};
use crate::message::Msg;
use crate::model::assessment::Assessment;

/// One metric a source's figures give: its catalogue id, the value (or why
/// there is none), and the sentence the method records.
pub struct Offered {
    pub metric: &'static str,
    pub value: std::result::Result<f64, Msg>,
    pub what: String,
}

/// A source's figures, ready to record.
pub struct SourceFigures<'a> {
    /// `complaints`, `survey`… (the `--source` that computed them).
    pub source: &'static str,
    /// What the source is, in both languages, for the refusal.
    pub named: (&'static str, &'static str),
    pub schema: &'static str,
    /// The figures' JSON (attached as evidence).
    pub json: Vec<u8>,
    /// The input files (path, sha256).
    pub files: Vec<(&'a str, &'a str)>,
    pub offered: Vec<Offered>,
    /// Further evidence: (file name, bytes, note), e.g. the unmatched calls.
    pub more: Vec<(String, Vec<u8>, &'static str)>,
}

impl App {
    /// Record `indicator`'s measured value from a source's figures.
    pub fn record_source(&self, engagement: &str, indicator: &str, s: SourceFigures) -> Result<Assessment> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let ind = cat.indicator(indicator).ok_or_else(|| AppError::NotFound {
            what: "indicator",
            id: indicator.to_string(),
        })?;
        let metric = ind.metric.as_deref().unwrap_or("");
        let Some(o) = s.offered.into_iter().find(|o| o.metric == metric) else {
            let ids: Vec<&str> = offered_ids(s.source).to_vec();
            let ids = ids.join(", ");
            let (en, zh) = s.named;
            let metric = if metric.is_empty() { "none" } else { metric };
            return Err(AppError::Invalid(crate::msg!(
                "{indicator} is not measured from {en} (its catalogue metric is {metric}; {en} gives {ids})",
                "{indicator} 不是由{zh}计算的指标（其目录度量为 {metric}；{zh}可计算 {ids}）"
            )));
        };
        let measured = o.value.map_err(AppError::Invalid)?;
        let inputs = named_inputs(s.files.iter().copied());
        let command = match s.source {
            "qa" => "cscaudit qa".to_string(),
            other => format!("cscaudit metrics --source {other}"),
        };
        let method = format!(
            "{}; inputs: {}; computed by {command} ({})",
            o.what,
            inputs.join(", "),
            s.schema
        );
        self.record_assessment(
            engagement,
            indicator,
            AssessmentInput {
                measured: Some(measured),
                method: Some(method),
                ..Default::default()
            },
        )?;
        let short = s.files.first().map(|f| crate::text::head(f.1, 12)).unwrap_or("none");
        self.attach_evidence_bytes(
            engagement,
            &format!("{}-{indicator}-{short}.json", s.source),
            &s.json,
            &format!("{} figures recomputed from the centre's records", s.source),
            Some(indicator),
            None,
        )?;
        for (name, bytes, note) in s.more {
            self.attach_evidence_bytes(engagement, &name, &bytes, note, Some(indicator), None)?;
        }
        self.assessment(engagement, indicator)
    }
}

/// The metrics each source gives (for the refusal, whatever the figures).
fn offered_ids(source: &str) -> &'static [&'static str] {
    match source {
        "complaints" => &["complaint_timeliness", "complaint_rate"],
        "survey" => &["csat"],
        "sessions" => &["nonphone_timeliness", "first_reply_sl", "fcr"],
        "recordings" => &["recording_completeness"],
        "outages" => &["availability"],
        "agent-states" => &["occupancy", "adherence"],
        "qa" => &["qa_pass_rate"],
        _ => &[],
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(|e| AppError::Invalid(Msg::same(e.to_string())))
}

fn files(f: &[crate::analytics::records::SourceFile]) -> Vec<(&str, &str)> {
    f.iter().map(|f| (f.path.as_str(), f.sha256.as_str())).collect()
}

/// A complaint log: timeliness (PE-03) and the rate per 10,000 (PE-02).
pub fn complaint_figures(f: &complaints::ComplaintFigures) -> Result<SourceFigures<'_>> {
    let [l, e, a] = f.limits_days;
    Ok(SourceFigures {
        source: "complaints",
        named: ("a complaint log", "投诉台账"),
        schema: f.schema,
        json: json(f)?,
        files: files(&f.read.files),
        offered: vec![
            Offered {
                metric: "complaint_timeliness",
                value: f.timely_pct.filter(|_| f.complaints > 0).ok_or_else(|| {
                    crate::msg!(
                        "no complaint was decided yet: timeliness has nothing to count",
                        "尚无已办结或已超期的投诉：及时率无从计算"
                    )
                }),
                what: format!(
                    "complaint handling timeliness = timely {} ÷ decided {} (closed within {l} d, {e} d when extended, {a} d when approved; open past its days at {} counts as not timely)",
                    f.timely, f.decided, f.as_of
                ),
            },
            Offered {
                metric: "complaint_rate",
                value: f
                    .rate_per_10k
                    .filter(|_| f.complaints + f.out_of_range > 0)
                    .ok_or_else(|| {
                        crate::msg!(
                            "the complaint rate needs the contacts handled in the period: give --handled N",
                            "投诉率需要同期服务总量：请给出 --handled N"
                        )
                    }),
                what: format!(
                    "complaint rate = {} complaints ÷ {} contacts handled × 10,000",
                    f.complaints,
                    f.handled.unwrap_or(0)
                ),
            },
        ],
        more: Vec::new(),
    })
}

/// A survey export: CSAT (PE-01).
pub fn survey_figures(f: &survey::SurveyFigures) -> Result<SourceFigures<'_>> {
    let s = f.scale;
    let ci = match (f.ci_low, f.ci_high) {
        (Some(lo), Some(hi)) => format!("; Wilson 95% interval {lo:.2}–{hi:.2} %"),
        _ => String::new(),
    };
    Ok(SourceFigures {
        source: "survey",
        named: ("a survey export", "满意度调查结果"),
        schema: f.schema,
        json: json(f)?,
        files: files(&f.read.files),
        offered: vec![Offered {
            metric: "csat",
            value: f
                .csat
                .ok_or_else(|| crate::msg!("no survey response to count", "没有可计数的调查结果")),
            what: format!(
                "customer satisfaction = satisfied {} ÷ responses {} (score {} or more on {}–{}){ci}",
                f.satisfied, f.responses, s.satisfied, s.min, s.max
            ),
        }],
        more: Vec::new(),
    })
}

/// A session log: non-phone handling timeliness (CH-03) and the
/// first-reply service level.
pub fn session_figures(f: &sessions::SessionFigures) -> Result<SourceFigures<'_>> {
    Ok(SourceFigures {
        source: "sessions",
        named: ("a session log", "非电话会话日志"),
        schema: f.schema,
        json: json(f)?,
        files: files(&f.read.files),
        offered: vec![
            Offered {
                metric: "nonphone_timeliness",
                value: f.nonphone_timeliness.ok_or_else(|| {
                    crate::msg!(
                        "no session was closed or past its hours yet: timeliness has nothing to count",
                        "尚无已办结或已超时的会话：及时率无从计算"
                    )
                }),
                what: format!(
                    "non-phone handling timeliness = closed within {} h {} ÷ decided {} (open past its hours at {} counts as late; abandoned sessions left out)",
                    f.handle_within_h, f.handled_in_time, f.decided, f.as_of
                ),
            },
            Offered {
                metric: "first_reply_sl",
                value: f
                    .first_reply_sl
                    .ok_or_else(|| crate::msg!("no session to count", "没有可计数的会话")),
                what: format!(
                    "first-reply service level = first agent reply within {} s {} ÷ sessions offered {} (abandoned ones count against)",
                    f.reply_within_s, f.first_reply_within, f.sessions
                ),
            },
            Offered {
                metric: "fcr",
                value: f.fcr.ok_or_else(|| {
                    crate::msg!(
                        "no session names its customer: first-contact resolution needs a customer column",
                        "会话未标明客户：首次解决率需要客户列"
                    )
                }),
                what: format!(
                    "first-contact resolution = 1 − sessions followed by the same customer's within {} days {} ÷ sessions with a customer {} (customers matched by a keyed hash, never kept)",
                    f.repeat_days, f.repeat_contacts, f.with_customer
                ),
            },
        ],
        more: Vec::new(),
    })
}

/// A recording index matched to the call records: completeness (QU-04),
/// with the unmatched calls as a CSV beside the figures.
pub fn recording_figures(f: &recordings::RecordingFigures) -> Result<SourceFigures<'_>> {
    let mut all = files(&f.index_files);
    all.extend(files(&f.call_files));
    let short = f
        .index_files
        .first()
        .map(|x| crate::text::head(&x.sha256, 12).to_string())
        .unwrap_or_default();
    let more = if f.unmatched_calls.is_empty() {
        Vec::new()
    } else {
        vec![(
            format!("recordings-unmatched-{short}.csv"),
            unmatched_csv(f),
            "answered calls with no recording in the index",
        )]
    };
    Ok(SourceFigures {
        source: "recordings",
        named: ("a recording index", "录音索引"),
        schema: f.schema,
        json: json(f)?,
        files: all,
        offered: vec![Offered {
            metric: "recording_completeness",
            value: f
                .completeness
                .ok_or_else(|| crate::msg!("no answered call to match", "没有可匹配的人工接听呼叫")),
            what: format!(
                "recording completeness = answered calls with a recording {} ÷ answered calls {} ({} without, listed in the evidence)",
                f.matched, f.answered, f.unmatched
            ),
        }],
        more,
    })
}

/// An outage log: system availability (TR-01).
pub fn outage_figures(f: &outages::OutageFigures) -> Result<SourceFigures<'_>> {
    Ok(SourceFigures {
        source: "outages",
        named: ("an outage log", "故障记录"),
        schema: f.schema,
        json: json(f)?,
        files: files(&f.read.files),
        offered: vec![Offered {
            metric: "availability",
            value: f
                .availability
                .ok_or_else(|| crate::msg!("no scheduled service time in the period", "期间内没有计划服务时间")),
            what: format!(
                "availability = 1 − unplanned downtime {} s ÷ scheduled service time {} s ({} to {}, service hours {}; overlapping outages counted once, {} planned outages left out)",
                f.downtime_s, f.scheduled_s, f.from, f.to, f.service_window, f.planned
            ),
        }],
        more: Vec::new(),
    })
}

/// An agent-state log (and a schedule): occupancy (OP-01) and schedule
/// adherence (OP-02).
pub fn agent_figures(f: &agentstates::AgentFigures) -> Result<SourceFigures<'_>> {
    let mut files = files(&f.read.files);
    let adherence = match &f.adherence {
        None => Err(crate::msg!(
            "schedule adherence needs the schedule: give --schedule FILE",
            "排班遵从率需要排班表：请给出 --schedule 文件"
        )),
        Some(a) => {
            files.extend(a.schedule.files.iter().map(|f| (f.path.as_str(), f.sha256.as_str())));
            a.adherence.ok_or_else(|| {
                crate::msg!(
                    "no scheduled time in the period: adherence has nothing to count",
                    "期间内没有排班时间：遵从率无从计算"
                )
            })
        }
    };
    let period = match (&f.from, &f.to) {
        (None, None) => "the whole log".to_string(),
        (a, b) => format!(
            "{} to {}",
            a.as_deref().unwrap_or("the start"),
            b.as_deref().unwrap_or("the end")
        ),
    };
    let adherence_what = f.adherence.as_ref().map_or(String::new(), |a| {
        format!(
            "schedule adherence = time in adherence {} s ÷ scheduled time {} s of {} agents ({period}; on the phones when scheduled so, off them in breaks, lunch, training and meetings)",
            a.in_adherence_s, a.scheduled_s, a.scheduled_agents
        )
    });
    Ok(SourceFigures {
        source: "agent-states",
        named: ("an agent-state log", "座席状态记录"),
        schema: f.schema,
        json: json(f)?,
        files,
        offered: vec![
            Offered {
                metric: "occupancy",
                value: f.occupancy.ok_or_else(|| {
                    crate::msg!(
                        "no agent was handling or available in the period",
                        "期间内没有座席处于处理或空闲状态"
                    )
                }),
                what: format!(
                    "occupancy = handling {} s ÷ (handling + available {} s) of {} agents ({period}; utilisation, handling ÷ logged in, is {})",
                    f.handling_s,
                    f.available_s,
                    f.agents,
                    f.utilisation.map_or("undefined".to_string(), |u| format!("{u:.2} %"))
                ),
            },
            Offered {
                metric: "adherence",
                value: adherence,
                what: adherence_what,
            },
        ],
        more: Vec::new(),
    })
}

/// The unmatched calls as CSV: a BOM for Excel and WPS, and every cell made
/// safe (control characters visible, a would-be formula quoted).
fn unmatched_csv(f: &recordings::RecordingFigures) -> Vec<u8> {
    use crate::report::csv::cell;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(["call", "date", "agent"]);
    for u in &f.unmatched_calls {
        let _ = w.write_record([cell(&u.call), cell(&u.date), cell(&u.agent)]);
    }
    w.into_inner().unwrap_or_default()
}

/// Two auditors' re-scoring, settled: the QA pass rate (QU-01), with the
/// ratings file beside the figures.
pub fn qa_figures<'a>(a: &'a agreement::Agreement, ratings: &[u8]) -> Result<SourceFigures<'a>> {
    let files = a.file.iter().map(|f| (f.path.as_str(), f.sha256.as_str())).collect();
    let name = a
        .file
        .as_ref()
        .and_then(|f| std::path::Path::new(&f.path).file_name())
        .map_or("ratings.csv".to_string(), |n| n.to_string_lossy().into_owned());
    let kappa = a.kappa.map_or("undefined".to_string(), |k| format!("{k:.4}"));
    Ok(SourceFigures {
        source: "qa",
        named: ("a QA re-scoring", "质检复核"),
        schema: a.schema,
        json: json(a)?,
        files,
        offered: vec![Offered {
            metric: "qa_pass_rate",
            value: a.pass_rate.ok_or_else(|| {
                if a.unresolved > 0 {
                    let n = a.unresolved;
                    crate::msg!(
                        "{n} disagreements are not reconciled: a third person fills the reconciled column first",
                        "{n} 项评分不一致尚未裁定：请第三人先填写 reconciled 列"
                    )
                } else {
                    crate::msg!("the pass rate needs pass/fail ratings", "合格率需要合格/不合格评分")
                }
            }),
            what: format!(
                "QA pass rate = passed {} ÷ re-scored {} (two auditors blind; {} of {} disagreements reconciled by a third person; Cohen's kappa {kappa})",
                a.passed.unwrap_or(0),
                a.items,
                a.reconciled,
                a.disagreements.len()
            ),
        }],
        more: vec![(
            name,
            ratings.to_vec(),
            "the two auditors' ratings and the reconciliation",
        )],
    })
}

/// A source's figures computed with the generic layout and the defaults
/// the CLI uses, over an engagement's evaluation period: what the TUI
/// records from one file it is given.
#[derive(Debug)]
pub enum Computed {
    Complaints(Box<complaints::ComplaintFigures>),
    Survey(Box<survey::SurveyFigures>),
    Sessions(Box<sessions::SessionFigures>),
    Outages(Box<outages::OutageFigures>),
    Agents(Box<agentstates::AgentFigures>),
}

impl Computed {
    /// The figures, ready to record.
    pub fn figures(&self) -> Result<SourceFigures<'_>> {
        match self {
            Computed::Complaints(f) => complaint_figures(f),
            Computed::Survey(f) => survey_figures(f),
            Computed::Sessions(f) => session_figures(f),
            Computed::Outages(f) => outage_figures(f),
            Computed::Agents(f) => agent_figures(f),
        }
    }
}

/// The source that computes `metric` from one file in its generic layout
/// (none for the call metrics, read as call records, and for those that
/// need a second file: recording completeness, adherence, the QA pass rate).
pub fn single_file_source(metric: &str) -> Option<&'static str> {
    match metric {
        "complaint_timeliness" | "complaint_rate" => Some("complaints"),
        "csat" => Some("survey"),
        "nonphone_timeliness" | "first_reply_sl" | "fcr" => Some("sessions"),
        "availability" => Some("outages"),
        "occupancy" => Some("agent-states"),
        _ => None,
    }
}

/// Compute `source` from `file` in the generic layout, over the period
/// `from`–`to` (open ends: the whole file; an outage log needs both), with
/// open complaints and sessions judged at `today`.
pub fn compute_generic(
    source: &str,
    file: &std::path::Path,
    from: Option<jiff::civil::Date>,
    to: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
) -> Result<Computed> {
    let files = [file.to_path_buf()];
    let bad = |e: String| AppError::Invalid(Msg::same(crate::text::visible(&e).into_owned()));
    let generic = "generic";
    Ok(match source {
        "complaints" => {
            let p = complaints::Params {
                clock: complaints::Clock::cbirc(today),
                from,
                to,
                handled: None,
            };
            let m = complaints::builtin(generic).expect("built in");
            Computed::Complaints(Box::new(complaints::read(&files, &m, &p).map_err(bad)?))
        }
        "survey" => {
            let m = survey::builtin(generic).expect("built in");
            let p = survey::Params {
                scale: Some(m.scale),
                from,
                to,
                handled: None,
            };
            Computed::Survey(Box::new(survey::read(&files, &m, &p).map_err(bad)?))
        }
        "sessions" => {
            let p = sessions::Params {
                reply_within: 60,
                handle_within: 24,
                as_of: today.to_datetime(jiff::civil::Time::MAX),
                from,
                to,
                repeat_days: 7,
            };
            let m = sessions::builtin(generic).expect("built in");
            Computed::Sessions(Box::new(sessions::read(&files, &m, &p).map_err(bad)?))
        }
        "outages" => {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(AppError::Invalid(crate::msg!(
                    "availability is measured over the engagement's evaluation period: set its period first",
                    "可用率按审核项目的评价期间计算：请先设定评价期间"
                )));
            };
            let p = outages::Params {
                from,
                to,
                open: jiff::civil::Time::midnight(),
                close: None,
            };
            let m = outages::builtin(generic).expect("built in");
            Computed::Outages(Box::new(outages::read(&files, &m, &p).map_err(bad)?))
        }
        "agent-states" => {
            let p = agentstates::Params { from, to };
            let m = agentstates::builtin(generic).expect("built in");
            Computed::Agents(Box::new(agentstates::read(&files, None, &m, &p).map_err(bad)?))
        }
        other => {
            return Err(AppError::Invalid(Msg::same(format!(
                "{other} is not a source read from one file"
            ))));
        }
    })
}
