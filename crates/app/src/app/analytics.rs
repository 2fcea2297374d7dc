//! Recording recomputed metrics as checklist evidence.

use super::{App, AppError, AssessmentInput, Result};
use crate::analytics::metrics::{self, Format, MetricsReport, Params};
use crate::message::Msg;
use crate::model::assessment::Assessment;
use crate::model::catalog::Unit;
use std::path::PathBuf;

/// Which indicators a metrics run records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricTarget {
    /// One indicator by id.
    One(String),
    /// Every indicator of the catalogue whose metric the call records give.
    All,
}

/// What a metrics run computed and recorded.
#[derive(Debug)]
pub struct RecordedMetrics {
    pub report: MetricsReport,
    /// The report as JSON (attached as evidence to each recorded indicator).
    pub json: Vec<u8>,
    pub recorded: Vec<Assessment>,
}

/// Compute the figures of call-record files against a catalogue. Needs no
/// database, so the TUI runs it on a worker thread; `progress` gets the bytes
/// read and stops the work by returning `false` ([`AppError::Cancelled`]).
pub fn compute_metrics(
    catalog: &crate::model::catalog::Catalog,
    files: &[PathBuf],
    format: &Format,
    params: &Params,
    progress: metrics::Progress,
) -> Result<MetricsReport> {
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let watch = |n: u64| {
        let go = progress(n);
        if !go {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        go
    };
    metrics::compute(files, format, params, Some(catalog), &watch).map_err(|e| {
        if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
            AppError::Cancelled
        } else {
            AppError::Invalid(Msg::same(e))
        }
    })
}

impl App {
    /// A warning when the call records cover days outside the engagement's
    /// evaluation period (figures of another period would be recorded as
    /// this audit's); `None` when all days are inside or no period is set.
    pub fn metrics_outside_period(&self, engagement: &str, report: &MetricsReport) -> Result<Option<Msg>> {
        let eng = self.engagement(engagement)?;
        let (start, end) = (eng.period_start, eng.period_end);
        if start.is_none() && end.is_none() {
            return Ok(None);
        }
        let days: Vec<jiff::civil::Date> = report.by_day.iter().filter_map(|d| d.date.parse().ok()).collect();
        let outside = days
            .iter()
            .filter(|d| start.is_some_and(|s| **d < s) || end.is_some_and(|e| **d > e))
            .count();
        if outside == 0 {
            return Ok(None);
        }
        let (total, first, last) = (
            days.len(),
            days.iter().min().map(|d| d.to_string()).unwrap_or_default(),
            days.iter().max().map(|d| d.to_string()).unwrap_or_default(),
        );
        let period = format!(
            "{} – {}",
            start.map(|d| d.to_string()).unwrap_or_else(|| "…".into()),
            end.map(|d| d.to_string()).unwrap_or_else(|| "…".into())
        );
        Ok(Some(crate::msg!(
            "{outside} of {total} days of call records ({first} – {last}) fall outside the evaluation period {period}",
            "话单中 {total} 天里有 {outside} 天（{first} – {last}）不在评价期间 {period} 内"
        )))
    }

    /// The whole use case: compute the figures from call-record files, keep the
    /// report as JSON evidence, and record the measured values of the target
    /// indicators. The CLI (`metrics --record`) calls this; the TUI computes on
    /// a worker thread ([`compute_metrics`]) and then calls [`App::record_metrics`].
    pub fn measure_and_record(
        &self,
        engagement: &str,
        target: MetricTarget,
        files: &[PathBuf],
        format: &Format,
        params: &Params,
        progress: metrics::Progress,
    ) -> Result<RecordedMetrics> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let report = compute_metrics(&cat, files, format, params, progress)?;
        self.record_metrics(engagement, target, report)
    }

    /// Record computed figures: the measured values of the target indicators,
    /// with the report kept as JSON evidence.
    pub fn record_metrics(
        &self,
        engagement: &str,
        target: MetricTarget,
        report: MetricsReport,
    ) -> Result<RecordedMetrics> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let json = serde_json::to_vec_pretty(&report).map_err(|e| AppError::Invalid(Msg::same(e.to_string())))?;
        let targets: Vec<String> = match target {
            MetricTarget::One(id) => vec![id],
            MetricTarget::All => cat
                .indicators
                .iter()
                .filter(|i| {
                    i.metric
                        .as_deref()
                        .is_some_and(|m| report.overall.find(m, i.variant.as_deref()).is_some())
                })
                .map(|i| i.id.clone())
                .collect(),
        };
        let mut recorded = Vec::with_capacity(targets.len());
        for ind in targets {
            recorded.push(self.record_metric(engagement, &ind, &report, &json)?);
        }
        Ok(RecordedMetrics { report, json, recorded })
    }

    /// Record the figure of `report` that matches the indicator's metric and
    /// variant as its measured value (with variant, parameters and input hashes
    /// in the method), and attach the report JSON as evidence.
    fn record_metric(
        &self,
        engagement: &str,
        indicator: &str,
        report: &MetricsReport,
        json: &[u8],
    ) -> Result<Assessment> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let ind = cat.indicator(indicator).ok_or_else(|| AppError::NotFound {
            what: "indicator",
            id: indicator.to_string(),
        })?;
        let metric = ind.metric.as_deref().ok_or_else(|| {
            AppError::Invalid(crate::msg!(
                "indicator {indicator} has no metric that call records can compute",
                "指标 {indicator} 没有可由话单计算的公式"
            ))
        })?;
        let fig = report.overall.find(metric, ind.variant.as_deref()).ok_or_else(|| {
            let variant = ind.variant.as_deref().map(|v| format!(" ({v})")).unwrap_or_default();
            AppError::Invalid(crate::msg!(
                "the call records do not give {metric}{variant} (needed by {indicator})",
                "话单无法给出 {metric}{variant}（{indicator} 需要）"
            ))
        })?;
        if let Some(t) = ind.threshold_s
            && t != report.params.threshold_s
        {
            let used = report.params.threshold_s;
            return Err(AppError::Invalid(crate::msg!(
                "{indicator} is defined with T = {t} s but the report used T = {used} s; run metrics with --threshold {t}",
                "{indicator} 按 T = {t} 秒定义，但报告使用 T = {used} 秒；请用 --threshold {t} 重新计算"
            )));
        }
        let value = fig.value.ok_or_else(|| {
            AppError::Invalid(crate::msg!(
                "{metric} has no calls to compute from",
                "{metric} 没有可计算的呼叫"
            ))
        })?;
        let measured = if ind.unit == Unit::Percent {
            value * 100.0
        } else {
            value
        };
        let inputs = named_inputs(report.inputs.iter().map(|i| (i.path.as_str(), i.sha256.as_str())));
        let method = format!(
            "{metric} {} = {} ({}/{}); T={}s within ≤, τ={}s{}; inputs: {}; computed by cscaudit metrics ({})",
            fig.variant,
            fig.formula,
            fig.numerator,
            fig.denominator,
            report.params.threshold_s,
            report.params.short_abandon_s,
            match (report.params.from, report.params.to) {
                (None, None) => String::new(),
                (f, t) => format!(
                    ", dates {}–{}",
                    f.map(|d| d.to_string()).unwrap_or_default(),
                    t.map(|d| d.to_string()).unwrap_or_default()
                ),
            },
            inputs.join(", "),
            report.schema
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
        let short = report
            .inputs
            .first()
            .map(|i| crate::text::head(&i.sha256, 12))
            .unwrap_or("none");
        self.attach_evidence_bytes(
            engagement,
            &format!("metrics-{indicator}-{short}.json"),
            json,
            &format!("{metric} {} recomputed from call records", fig.variant),
            Some(indicator),
            None,
        )?;
        self.assessment(engagement, indicator)
    }
}

/// Input files as a recorded method names them: `file.csv sha256:…` (the
/// file's name, not the folder it was read from).
pub(super) fn named_inputs<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    files
        .map(|(path, sha)| {
            let name = std::path::Path::new(path)
                .file_name()
                .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
            format!("{name} sha256:{sha}")
        })
        .collect()
}

/// One series by hour of day (service level or abandonment), as the
/// catalogue's indicator defines it.
#[derive(Clone, Debug, serde::Serialize, PartialEq)]
pub struct HourSeries {
    /// The catalogue indicator whose metric and variant this is (`AC-02`).
    pub indicator: Option<String>,
    pub variant: String,
    /// The indicator's target in percent and direction, if it has one.
    pub target: Option<f64>,
    pub higher_is_better: bool,
    /// Over the whole report, in percent.
    pub overall: Option<f64>,
    /// Per hour 0–23 with calls offered, in percent.
    pub by_hour: Vec<(u8, Option<f64>)>,
}

impl HourSeries {
    /// Whether a value (percent) misses the target; `None` without a target.
    pub fn misses(&self, v: f64) -> Option<bool> {
        let t = self.target?;
        Some(if self.higher_is_better { v < t } else { v > t })
    }
    /// The hours whose value misses the target.
    pub fn failing_hours(&self) -> Vec<u8> {
        self.by_hour
            .iter()
            .filter(|(_, v)| v.and_then(|v| self.misses(v)) == Some(true))
            .map(|(h, _)| *h)
            .collect()
    }
}

/// Service level and abandonment by hour of day from the most recent
/// call-record report attached to an engagement (what `metrics --record` and
/// the checklist's `M` attach), so an auditor sees when the centre fails.
#[derive(Clone, Debug, serde::Serialize, PartialEq)]
pub struct CallProfile {
    /// The evidence file the figures come from, and when it was captured.
    pub evidence: String,
    pub sha256: String,
    pub captured_at: String,
    pub threshold_s: u64,
    /// First and last day of the calls (`by_day`).
    pub days: Option<(String, String)>,
    pub offered: u64,
    /// Calls offered per hour with any.
    pub offered_by_hour: Vec<(u8, u64)>,
    pub service_level: HourSeries,
    pub abandonment: HourSeries,
}

/// The figure of `variant` in a figures object's `group` list (as a percent).
fn figure_pct(figures: &serde_json::Value, group: &str, variant: &str) -> Option<f64> {
    figures[group]
        .as_array()?
        .iter()
        .find(|f| f["variant"].as_str() == Some(variant))
        .and_then(|f| f["value"].as_f64())
        .map(|v| v * 100.0)
}

impl App {
    /// The hourly profile of the most recent call-record report attached to
    /// the engagement (`None` when none is attached). A report that is not
    /// readable as `cscaudit.metrics/1` JSON is passed over.
    pub fn call_profile(&self, engagement: &str) -> Result<Option<CallProfile>> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let mut reports: Vec<_> = self
            .evidence(engagement)?
            .into_iter()
            .filter(|e| e.name.starts_with("metrics-") && e.name.ends_with(".json"))
            .collect();
        // Newest first; ties by name so the choice does not depend on order.
        reports.sort_by(|a, b| b.captured_at.cmp(&a.captured_at).then(b.name.cmp(&a.name)));
        for ev in reports {
            let Ok(bytes) = self.evidence_bytes(&ev.sha256) else {
                continue;
            };
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                continue;
            };
            if v["schema"].as_str() != Some(metrics::SCHEMA) {
                continue;
            }
            // The hours with calls offered, read once: (hour, calls, figures).
            let hours: Vec<(u8, u64, &serde_json::Value)> = v["by_hour"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| {
                    let n = h["counts"]["offered"].as_u64().filter(|n| *n > 0)?;
                    let hour = u8::try_from(h["hour"].as_u64()?).ok().filter(|h| *h < 24)?;
                    Some((hour, n, h))
                })
                .collect();
            let series = |metric: &str, group: &str, default: &str| -> HourSeries {
                let ind = cat.indicators.iter().find(|i| i.metric.as_deref() == Some(metric));
                let variant = ind
                    .and_then(|i| i.variant.clone())
                    .unwrap_or_else(|| default.to_string());
                HourSeries {
                    indicator: ind.map(|i| i.id.clone()),
                    target: ind.and_then(|i| i.target),
                    higher_is_better: ind.is_none_or(|i| i.direction == crate::model::catalog::Direction::Higher),
                    overall: figure_pct(&v["overall"], group, &variant),
                    by_hour: hours
                        .iter()
                        .map(|(hour, _, h)| (*hour, figure_pct(h, group, &variant)))
                        .collect(),
                    variant,
                }
            };
            let days = v["by_day"].as_array().and_then(|d| {
                let date = |x: Option<&serde_json::Value>| x.and_then(|x| x["date"].as_str()).map(str::to_string);
                Some((date(d.first())?, date(d.last())?))
            });
            let offered_by_hour = hours.iter().map(|(hour, n, _)| (*hour, *n)).collect();
            let mut abandonment = series("abandon_rate", "abandonment", "all-abandons");
            // Lower is better for abandonment whatever the catalogue omits.
            abandonment.higher_is_better = false;
            return Ok(Some(CallProfile {
                evidence: ev.name.clone(),
                sha256: ev.sha256.clone(),
                captured_at: ev.captured_at.clone(),
                threshold_s: v["params"]["threshold_s"].as_u64().unwrap_or(0),
                days,
                offered: v["overall"]["counts"]["offered"].as_u64().unwrap_or(0),
                offered_by_hour,
                service_level: series("service_level", "service_level", "sl-neg"),
                abandonment,
            }));
        }
        Ok(None)
    }
}

impl App {
    /// Record a complaint log's figure as an indicator's measured value: the
    /// timeliness (PE-03, metric complaint_timeliness) or the rate per 10,000
    /// contacts (PE-02, complaint_rate, which needs the contacts handled).
    pub fn record_complaints(
        &self,
        engagement: &str,
        indicator: &str,
        figures: &crate::analytics::complaints::ComplaintFigures,
    ) -> Result<Assessment> {
        self.record_source(engagement, indicator, super::sources::complaint_figures(figures)?)
    }
}
