//! Call-record metrics against the real Anonymous Bank data: January against
//! the provider-derived oracle, February and the shipped excerpt against an
//! independent computation written here, a mapped CSV export, bad rows.

use cscaudit::analytics::calls::Mapping;
use cscaudit::analytics::metrics::{self, Format, MetricsReport, Params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/anonymous-bank-1999")
        .join(name);
    if !p.is_file() {
        // CI sets CSCAUDIT_REQUIRE_FIXTURES=1: there a missing fixture is a failure, not a skip.
        if std::env::var_os("CSCAUDIT_REQUIRE_FIXTURES").is_some_and(|v| v == "1") {
            panic!(
                "{} is absent and CSCAUDIT_REQUIRE_FIXTURES=1: the real-data tests need ../shared/fixtures",
                p.display()
            );
        }
        eprintln!(
            "SKIPPED: {} is absent (the full months live in ../shared/fixtures)",
            p.display()
        );
        return None;
    }
    // Verify against SHA256SUMS before use.
    let sums = std::fs::read_to_string(p.with_file_name("SHA256SUMS")).expect("SHA256SUMS beside the fixture");
    let want = sums
        .lines()
        .find(|l| l.ends_with(name))
        .and_then(|l| l.split_whitespace().next())
        .expect("listed");
    let got = hex::encode(Sha256::digest(std::fs::read(&p).unwrap()));
    assert_eq!(got, want, "{name} does not match SHA256SUMS");
    Some(p)
}

fn local(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calls")
        .join(name)
}

fn run(files: &[PathBuf], format: &Format, params: &Params) -> MetricsReport {
    metrics::compute(
        files,
        format,
        params,
        Some(&cscaudit::config::embedded_catalog()),
        &|_| true,
    )
    .unwrap()
}

fn value(r: &MetricsReport, metric: &str, variant: &str) -> f64 {
    r.overall.find(metric, Some(variant)).and_then(|f| f.value).unwrap()
}

#[test]
fn january_matches_the_oracle_exactly() {
    let Some(jan) = shared("january.txt") else { return };
    let oracle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(jan.with_file_name("expected-january.json")).unwrap()).unwrap();
    let e = &oracle["january"];
    let r = run(std::slice::from_ref(&jan), &Format::AnonymousBank, &Params::default());
    let i = &r.inputs[0];
    let c = &r.overall.counts;
    let n = |k: &str| e[k].as_u64().unwrap();
    assert_eq!(i.sha256, e["sha256"].as_str().unwrap());
    assert_eq!(i.bytes, n("bytes"));
    assert_eq!(i.rows, n("records"));
    assert_eq!(i.malformed, n("malformed"));
    assert_eq!(c.ignored, n("phantom"));
    assert_eq!(c.answered, n("agent"));
    assert_eq!(c.answered_queued, n("agent_queued"));
    assert_eq!(c.answered_without_queue, n("agent_noqueue"));
    assert_eq!(c.abandoned_queue, n("hang_queue"));
    assert_eq!(c.abandoned_ivr, n("hang_vru"));
    assert_eq!(c.abandoned_queue_short, n("hang_queue_le5"));
    assert_eq!(c.abandoned_queue_within_t, n("hang_queue_le20"));
    assert_eq!(c.answered_within_t, n("agent_le20"));
    assert_eq!(c.answered_not_served, n("agent_no_server"));

    let close = |got: f64, key: &str| {
        let want = e[key].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{key}: got {got}, want {want}");
    };
    close(value(&r, "abandon_rate", "all-abandons"), "abandon_rate_queue");
    close(value(&r, "abandon_rate", "excl-short"), "abandon_rate_excl_short5");
    close(value(&r, "asa", "all-answered"), "asa_all_answered");
    close(value(&r, "asa", "queued-answered"), "asa_queued_answered");
    close(r.overall.mean_wait_abandoned.value.unwrap(), "mean_wait_abandoned");
    close(value(&r, "service_level", "sl-neg"), "sl20_neg");
    close(value(&r, "service_level", "sl-answered"), "sl20_ignore_all_abn");
    close(value(&r, "service_level", "sl-ignore"), "sl20_ignore_abn_within");
    close(value(&r, "service_level", "sl-pos"), "sl20_pos");
    close(value(&r, "service_level", "sl-short"), "sl20_excl_short5");
    close(r.overall.talk.mean_answered.unwrap(), "mean_ser_time_agent");
    close(r.overall.talk.mean_served.unwrap(), "mean_ser_time_with_server");
    close(r.overall.talk.median_served.unwrap(), "median_ser_time_with_server");
    close(r.overall.talk.share_under_10s_answered.unwrap(), "frac_ser_lt10_agent");
    close(r.overall.answered_without_wait.value.unwrap(), "frac_answered_no_wait");
    // The catalogue's AC-02 uses SL-neg; the report says so.
    let ac02 = r.catalog.iter().find(|l| l.indicator == "AC-02").unwrap();
    assert_eq!(ac02.variant.as_deref(), Some("sl-neg"));
    // Per day sums to the whole.
    let offered: u64 = r.by_day.iter().map(|d| d.figures.counts.offered).sum();
    assert_eq!(offered, c.offered);
    // The data have no records on 11 and 12 January: count the days independently.
    let text = std::fs::read_to_string(&jan).unwrap();
    let days: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(5))
        .collect();
    assert_eq!(r.by_day.len(), days.len());
    let by_hour: u64 = r.by_hour.iter().map(|h| h.figures.counts.answered).sum();
    assert_eq!(by_hour, c.answered);
}

/// An independent computation, deliberately simple: split on whitespace,
/// count with the definitions of expected-january.json.
struct Indep {
    rows: u64,
    phantom: u64,
    agent: u64,
    agent_le_t: u64,
    hang_q: u64,
    hang_q_le_t: u64,
    hang_q_le_short: u64,
    hang_vru: u64,
    wait_agent: u64,
    talks_served: Vec<u64>,
    days: std::collections::BTreeMap<String, u64>,
}

fn independent(text: &str, t: u64, short: u64) -> Indep {
    let mut s = Indep {
        rows: 0,
        phantom: 0,
        agent: 0,
        agent_le_t: 0,
        hang_q: 0,
        hang_q_le_t: 0,
        hang_q_le_short: 0,
        hang_vru: 0,
        wait_agent: 0,
        talks_served: vec![],
        days: Default::default(),
    };
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 17 {
            continue;
        }
        s.rows += 1;
        let queued = f[9] != "0:00:00";
        let q: u64 = f[11].parse().unwrap();
        match f[12] {
            "PHANTOM" => s.phantom += 1,
            "AGENT" => {
                s.agent += 1;
                s.wait_agent += q;
                if q <= t {
                    s.agent_le_t += 1;
                }
                if f[16] != "NO_SERVER" {
                    s.talks_served.push(f[15].parse().unwrap());
                }
                *s.days.entry(f[5].to_string()).or_default() += 1;
            }
            "HANG" if queued => {
                s.hang_q += 1;
                if q <= t {
                    s.hang_q_le_t += 1;
                }
                if q <= short {
                    s.hang_q_le_short += 1;
                }
                *s.days.entry(f[5].to_string()).or_default() += 1;
            }
            "HANG" => s.hang_vru += 1,
            other => panic!("unexpected outcome {other}"),
        }
    }
    s
}

fn compare(report: &MetricsReport, s: &Indep) {
    let c = &report.overall.counts;
    assert_eq!(report.inputs.iter().map(|i| i.rows).sum::<u64>(), s.rows);
    assert_eq!(c.ignored, s.phantom);
    assert_eq!(c.answered, s.agent);
    assert_eq!(c.answered_within_t, s.agent_le_t);
    assert_eq!(c.abandoned_queue, s.hang_q);
    assert_eq!(c.abandoned_queue_within_t, s.hang_q_le_t);
    assert_eq!(c.abandoned_queue_short, s.hang_q_le_short);
    assert_eq!(c.abandoned_ivr, s.hang_vru);
    let (a, ab) = (s.agent as f64, s.hang_q as f64);
    let near = |x: f64, y: f64| assert!((x - y).abs() < 1e-12, "{x} vs {y}");
    near(value(report, "service_level", "sl-neg"), s.agent_le_t as f64 / (a + ab));
    near(
        value(report, "service_level", "sl-ignore"),
        s.agent_le_t as f64 / (a + ab - s.hang_q_le_t as f64),
    );
    near(
        value(report, "service_level", "sl-pos"),
        (s.agent_le_t + s.hang_q_le_t) as f64 / (a + ab),
    );
    near(value(report, "service_level", "sl-answered"), s.agent_le_t as f64 / a);
    near(
        value(report, "service_level", "sl-short"),
        s.agent_le_t as f64 / (a + ab - s.hang_q_le_short as f64),
    );
    near(value(report, "asa", "all-answered"), s.wait_agent as f64 / a);
    near(value(report, "abandon_rate", "all-abandons"), ab / (a + ab));
    let mut talks = s.talks_served.clone();
    talks.sort_unstable();
    let m = talks.len();
    let median = if m % 2 == 1 {
        talks[m / 2] as f64
    } else {
        (talks[m / 2 - 1] + talks[m / 2]) as f64 / 2.0
    };
    assert_eq!(report.overall.talk.median_served, Some(median));
    let p90 = talks[((0.9 * m as f64).ceil() as usize).clamp(1, m) - 1] as f64;
    assert_eq!(report.overall.talk.p90_served, Some(p90));
    assert_eq!(report.by_day.len(), s.days.len());
    for d in &report.by_day {
        let key = format!("{}{}{}", &d.date[2..4], &d.date[5..7], &d.date[8..10]);
        assert_eq!(d.figures.counts.offered, s.days[&key], "{}", d.date);
    }
}

#[test]
fn february_agrees_with_an_independent_computation() {
    let Some(feb) = shared("february.txt") else { return };
    let text = std::fs::read_to_string(&feb).unwrap();
    for (t, short) in [(20, 5), (30, 3), (10, 10)] {
        let params = Params {
            threshold_s: t as u32,
            short_abandon_s: short as u32,
            ..Params::default()
        };
        let r = run(std::slice::from_ref(&feb), &Format::AnonymousBank, &params);
        compare(&r, &independent(&text, t, short));
        assert_eq!(r.params.threshold_s, t as u32);
    }
}

#[test]
fn shipped_excerpt_agrees_with_an_independent_computation() {
    let p = local("january-excerpt.txt");
    let text = std::fs::read_to_string(&p).unwrap();
    let r = run(&[p], &Format::AnonymousBank, &Params::default());
    compare(&r, &independent(&text, 20, 5));
    assert_eq!(r.inputs[0].rows, 3000);
}

#[test]
fn a_mapped_csv_export_gives_the_same_figures() {
    let src = std::fs::read_to_string(local("mapping.toml")).unwrap();
    let mapping = Mapping::parse(&src, "mapping.toml").unwrap();
    let csv = run(
        &[local("acd-export.csv")],
        &Format::Csv(Box::new(mapping)),
        &Params::default(),
    );
    let ab = run(
        &[local("january-excerpt.txt")],
        &Format::AnonymousBank,
        &Params::default(),
    );
    assert_eq!(csv.overall, ab.overall);
    assert_eq!(csv.by_day.len(), ab.by_day.len());
    assert_eq!(
        csv.by_hour.iter().map(|h| h.hour).collect::<Vec<_>>(),
        ab.by_hour.iter().map(|h| h.hour).collect::<Vec<_>>()
    );
    assert_eq!(csv.inputs[0].malformed, 0);
}

#[test]
fn a_bad_mapping_names_file_line_and_field() {
    let e = Mapping::parse("delimiter = \";\"\n[columns]\ndate = \"d\"\nwait = 5\n", "m.toml").unwrap_err();
    assert_eq!((e.line, e.column), (4, 8));
    assert!(e.message.contains("field `columns.wait`"), "{e}");
}

#[test]
fn bad_rows_are_counted_and_reported_by_line() {
    let r = run(&[local("bad-rows.txt")], &Format::AnonymousBank, &Params::default());
    let i = &r.inputs[0];
    assert_eq!(i.rows, 8);
    assert_eq!(i.malformed, 4);
    let lines: Vec<u64> = i.bad_rows.iter().map(|b| b.line).collect();
    assert_eq!(lines, vec![4, 6, 7, 9]);
    assert!(i.bad_rows[0].reason.contains("4 fields"));
    assert!(i.bad_rows[1].reason.contains("BUSY"));
    assert!(i.bad_rows[2].reason.contains("vru_entry"));
    assert!(i.bad_rows[3].reason.contains("991301"));
    assert_eq!(r.overall.counts.records, 4, "good rows still count");
}

#[test]
fn date_range_filters_rows() {
    let p = local("january-excerpt.txt");
    let all = run(std::slice::from_ref(&p), &Format::AnonymousBank, &Params::default());
    let first = &all.by_day[0];
    let day = first.date.replace('-', "").parse::<u32>().unwrap();
    let one = run(
        &[p],
        &Format::AnonymousBank,
        &Params {
            from: Some(day),
            to: Some(day),
            ..Params::default()
        },
    );
    assert_eq!(one.overall.counts.offered, first.figures.counts.offered);
    assert_eq!(one.by_day.len(), 1);
    assert!(one.inputs[0].out_of_range > 0);
}

#[test]
fn chunked_parallel_reading_matches_a_single_pass_on_a_large_file() {
    // 40 copies of the excerpt (≈ 4 MB+, several chunks) give 40× every count.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(local("january-excerpt.txt")).unwrap();
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let mut big = text.lines().next().unwrap().to_string() + "\n";
    for _ in 0..40 {
        big.push_str(&body);
    }
    let path = dir.path().join("big.txt");
    std::fs::write(&path, &big).unwrap();
    let one = run(
        &[local("january-excerpt.txt")],
        &Format::AnonymousBank,
        &Params::default(),
    );
    let many = run(&[path], &Format::AnonymousBank, &Params::default());
    assert!(many.inputs[0].bytes > 4 << 20);
    assert_eq!(many.overall.counts.answered, 40 * one.overall.counts.answered);
    assert_eq!(
        many.overall.counts.abandoned_queue_short,
        40 * one.overall.counts.abandoned_queue_short
    );
    assert_eq!(
        value(&many, "service_level", "sl-neg"),
        value(&one, "service_level", "sl-neg")
    );
    assert_eq!(many.inputs[0].sha256, hex::encode(Sha256::digest(big.as_bytes())));
}

#[test]
fn a_file_without_line_ends_is_malformed_rows_not_unbounded_memory() {
    // 10 MiB with no newline: one line, too long to keep, so one malformed
    // row; as not one row is a call, the file is refused (no figures of
    // zero calls).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob.bin");
    std::fs::write(&path, vec![b'x'; 10 << 20]).unwrap();
    let err = metrics::compute(&[path], &Format::AnonymousBank, &Params::default(), None, &|_| true).unwrap_err();
    assert!(err.contains("its one row could not be read as anonymous-bank"), "{err}");
    // One good row among them: figures, and the rest counted malformed.
    let mixed = dir.path().join("mixed.txt");
    let mut bytes = vec![b'x'; 5 << 20];
    bytes.extend_from_slice(
        b"\nAA0101\t1\t0\t2\tPS\t990101\t6:55:20\t6:55:26\t6\t6:55:26\t6:55:43\t17\tAGENT\t6:55:43\t6:56:37\t54\tX\n",
    );
    std::fs::write(&mixed, &bytes).unwrap();
    let r = run(&[mixed], &Format::AnonymousBank, &Params::default());
    let i = &r.inputs[0];
    assert_eq!((i.rows, i.malformed), (2, 1));
    assert_eq!(i.bad_rows[0].line, 1);
    assert_eq!(r.overall.counts.records, 1);
}

/// Long work stops when its progress callback says so: the error says
/// cancelled (the TUI's Esc), and the app maps it to `AppError::Cancelled`.
#[test]
fn computing_metrics_stops_when_cancelled() {
    let files = [local("january-excerpt.txt")];
    let err = metrics::compute(&files, &Format::AnonymousBank, &Params::default(), None, &|_| false).unwrap_err();
    assert!(err.contains(metrics::CANCELLED), "{err}");
    let cat = cscaudit::config::embedded_catalog();
    let app_err = cscaudit::app::compute_metrics(&cat, &files, &Format::AnonymousBank, &Params::default(), &|_| false)
        .unwrap_err();
    assert!(matches!(app_err, cscaudit::app::AppError::Cancelled), "{app_err:?}");
    // And runs to the end when it does not.
    assert!(
        cscaudit::app::compute_metrics(&cat, &files, &Format::AnonymousBank, &Params::default(), &|_| true).is_ok()
    );
}
