//! Audit sampling: sample sizes (attribute, hypergeometric, proportion),
//! evaluation of results (upper deviation limit), and reproducible draws.
//!
//! Formulas and reference values: `../shared/REFERENCE.md` §4.

use rand::SeedableRng;
use rand::seq::index::sample as sample_indices;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Hypergeometric, Normal};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SamplingError {
    #[error("{0}")]
    Invalid(String),
}

fn check_rate(name: &str, v: f64) -> Result<(), SamplingError> {
    if v.is_finite() && v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        Err(SamplingError::Invalid(format!(
            "{name} must be between 0 and 1 exclusive (e.g. 0.05 for 5%), found {v}"
        )))
    }
}

/// Expected deviations allowed in a sample of n at rate `epdr`: ceil(n·EPDR),
/// with a tolerance so that 100 × 0.01 is 1, not 2.
fn allowed(n: u64, epdr: f64) -> u64 {
    (n as f64 * epdr - 1e-9).ceil().max(0.0) as u64
}

/// Attribute sampling for tests of controls: the smallest n with
/// BinomCDF(k(n); n, TDR) ≤ β, k(n) = ceil(n · EPDR).
pub fn attribute_size(beta: f64, tdr: f64, epdr: f64) -> Result<u64, SamplingError> {
    check_rate("risk", beta)?;
    check_rate("tolerable deviation rate", tdr)?;
    if !(epdr.is_finite() && (0.0..tdr).contains(&epdr)) {
        return Err(SamplingError::Invalid(format!(
            "expected deviation rate must be ≥ 0 and below the tolerable rate {tdr}, found {epdr}"
        )));
    }
    if epdr == 0.0 {
        // Closed form for zero expected deviations.
        return Ok((beta.ln() / (1.0 - tdr).ln() - 1e-9).ceil() as u64);
    }
    for n in 1..=100_000u64 {
        let k = allowed(n, epdr);
        if k >= n {
            continue;
        }
        let b = Binomial::new(tdr, n).map_err(|e| SamplingError::Invalid(e.to_string()))?;
        if b.cdf(k) <= beta {
            return Ok(n);
        }
    }
    Err(SamplingError::Invalid(
        "no sample size up to 100,000 meets that risk".into(),
    ))
}

/// Finite population (hypergeometric), k acceptable deviations: the smallest n
/// with P(X ≤ k) ≤ β when the population of N holds ceil(TDR·N) deviations.
pub fn hypergeometric_size(population: u64, beta: f64, tdr: f64, k: u64) -> Result<u64, SamplingError> {
    check_rate("risk", beta)?;
    check_rate("tolerable deviation rate", tdr)?;
    if population == 0 {
        return Err(SamplingError::Invalid("the population must not be empty".into()));
    }
    let defects = ((tdr * population as f64) - 1e-9).ceil() as u64;
    for n in (k + 1)..=population {
        let h = Hypergeometric::new(population, defects, n).map_err(|e| SamplingError::Invalid(e.to_string()))?;
        if h.cdf(k) <= beta {
            return Ok(n);
        }
    }
    Ok(population)
}

/// Two-sided z for a confidence level.
fn z_for(confidence: f64) -> Result<f64, SamplingError> {
    check_rate("confidence", confidence)?;
    let normal = Normal::new(0.0, 1.0).map_err(|e| SamplingError::Invalid(e.to_string()))?;
    Ok(normal.inverse_cdf(1.0 - (1.0 - confidence) / 2.0))
}

/// Estimating a rate to ±E: n0 = z²p(1−p)/E², with finite-population correction.
pub fn proportion_size(confidence: f64, margin: f64, p: f64, population: Option<u64>) -> Result<u64, SamplingError> {
    check_rate("margin", margin)?;
    check_rate("expected proportion", p)?;
    let z = z_for(confidence)?;
    let n0 = z * z * p * (1.0 - p) / (margin * margin);
    let n = match population {
        Some(big_n) if big_n > 0 => n0 / (1.0 + (n0 - 1.0) / big_n as f64),
        _ => n0,
    };
    Ok((n - 1e-9).ceil() as u64)
}

/// The upper deviation limit p_U with BinomCDF(k; n, p_U) = β (Clopper–Pearson),
/// found by bisection to 1e-12.
pub fn upper_deviation_limit(n: u64, k: u64, beta: f64) -> Result<f64, SamplingError> {
    check_rate("risk", beta)?;
    if n == 0 || k > n {
        return Err(SamplingError::Invalid(format!(
            "deviations ({k}) must not exceed the sample size ({n}), which must be > 0"
        )));
    }
    if k == n {
        return Ok(1.0);
    }
    let cdf = |p: f64| Binomial::new(p, n).map(|b| b.cdf(k)).unwrap_or(0.0);
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) > beta {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    Ok((lo + hi) / 2.0)
}

/// Published tables print the upper limit rounded *up* to one decimal of a percent.
pub fn table_rounded_percent(p: f64) -> f64 {
    (p * 1000.0 - 1e-9).ceil() / 10.0
}

#[derive(Debug, Serialize)]
pub struct Evaluation {
    pub n: u64,
    pub deviations: u64,
    pub risk: f64,
    pub sample_rate: f64,
    pub upper_limit: f64,
    pub upper_limit_percent_table: f64,
}

pub fn evaluate(n: u64, k: u64, beta: f64) -> Result<Evaluation, SamplingError> {
    let u = upper_deviation_limit(n, k, beta)?;
    Ok(Evaluation {
        n,
        deviations: k,
        risk: beta,
        sample_rate: k as f64 / n as f64,
        upper_limit: u,
        upper_limit_percent_table: table_rounded_percent(u),
    })
}

/// A sample drawn from a frame of ids.
#[derive(Debug, Serialize)]
pub struct Draw {
    pub seed: u64,
    pub frame_sha256: String,
    pub frame_size: usize,
    pub n: usize,
    pub strata: Option<String>,
    /// Per stratum (or "all"): the population and sample counts.
    pub allocation: BTreeMap<String, (usize, usize)>,
    /// The selected rows, in frame order: (1-based row number, id).
    pub selected: Vec<(usize, String)>,
}

/// Draw `n` ids from a frame reproducibly (ChaCha20 seeded with `seed`).
/// `rows` are (id, stratum) in frame order. With strata, n is allocated in
/// proportion to stratum sizes (largest remainders), each stratum drawn alone.
pub fn draw(
    rows: &[(String, Option<String>)],
    frame_bytes: &[u8],
    n: usize,
    seed: u64,
    strata: Option<&str>,
) -> Result<Draw, SamplingError> {
    if n == 0 || n > rows.len() {
        return Err(SamplingError::Invalid(format!(
            "cannot draw {n} from a frame of {} rows",
            rows.len()
        )));
    }
    let sha = hex::encode(Sha256::digest(frame_bytes));
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, s)) in rows.iter().enumerate() {
        let key = if strata.is_some() {
            s.clone().unwrap_or_default()
        } else {
            "all".into()
        };
        groups.entry(key).or_default().push(i);
    }
    // Largest-remainder allocation.
    let total = rows.len() as f64;
    let mut alloc: Vec<(String, usize, f64)> = groups
        .iter()
        .map(|(k, v)| {
            let exact = n as f64 * v.len() as f64 / total;
            (k.clone(), exact.floor() as usize, exact - exact.floor())
        })
        .collect();
    let mut left = n - alloc.iter().map(|a| a.1).sum::<usize>();
    let mut order: Vec<usize> = (0..alloc.len()).collect();
    order.sort_by(|&a, &b| alloc[b].2.total_cmp(&alloc[a].2).then(alloc[a].0.cmp(&alloc[b].0)));
    for &i in order.iter().cycle().take(order.len() * 2) {
        if left == 0 {
            break;
        }
        if alloc[i].1 < groups[&alloc[i].0].len() {
            alloc[i].1 += 1;
            left -= 1;
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut chosen = Vec::with_capacity(n);
    let mut allocation = BTreeMap::new();
    for (key, take, _) in &alloc {
        let members = &groups[key];
        allocation.insert(key.clone(), (members.len(), *take));
        for j in sample_indices(&mut rng, members.len(), *take) {
            chosen.push(members[j]);
        }
    }
    chosen.sort_unstable();
    Ok(Draw {
        seed,
        frame_sha256: sha,
        frame_size: rows.len(),
        n,
        strata: strata.map(str::to_string),
        allocation,
        selected: chosen.into_iter().map(|i| (i + 1, rows[i].0.clone())).collect(),
    })
}

/// The ids (and strata) of a sampling frame: a CSV with a header (comma or
/// tab; the id column by name, else the first), or one id per line.
pub fn read_frame(
    bytes: &[u8],
    plain: bool,
    id_col: Option<&str>,
    strata: Option<&str>,
) -> Result<Vec<(String, Option<String>)>, String> {
    if plain {
        if strata.is_some() {
            return Err("--strata needs a CSV frame with a header".into());
        }
        let text = std::str::from_utf8(bytes).map_err(|_| "the frame is not UTF-8 text".to_string())?;
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| (l.to_string(), None))
            .collect());
    }
    let delim = if bytes.split(|&b| b == b'\n').next().is_some_and(|h| h.contains(&b'\t')) {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).from_reader(bytes);
    let header = rdr.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                format!(
                    "no column `{name}` in the header ({})",
                    header.iter().collect::<Vec<_>>().join(", ")
                )
            })
    };
    let id = match id_col {
        Some(c) => col(c)?,
        None => 0,
    };
    let st = strata.map(col).transpose()?;
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("row {}: {e}", i + 2))?;
        let v = rec.get(id).unwrap_or("").trim().to_string();
        if v.is_empty() {
            return Err(format!("row {} has an empty id", i + 2));
        }
        rows.push((v, st.and_then(|s| rec.get(s)).map(|s| s.trim().to_string())));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_sizes_match_published_tables() {
        assert_eq!(attribute_size(0.05, 0.05, 0.0).unwrap(), 59);
        assert_eq!(attribute_size(0.05, 0.04, 0.01).unwrap(), 156);
        assert_eq!(attribute_size(0.05, 0.05, 0.02).unwrap(), 181);
        assert_eq!(attribute_size(0.10, 0.07, 0.03).unwrap(), 94);
        assert_eq!(attribute_size(0.10, 0.08, 0.04).unwrap(), 98);
        // Zero acceptance at 99% confidence / 95% reliability.
        assert_eq!(attribute_size(0.01, 0.05, 0.0).unwrap(), 90);
        assert!(attribute_size(0.05, 0.05, 0.06).is_err());
        assert!(attribute_size(1.5, 0.05, 0.0).is_err());
    }

    #[test]
    fn hypergeometric_sizes() {
        assert_eq!(hypergeometric_size(100, 0.05, 0.05, 0).unwrap(), 45);
        assert_eq!(hypergeometric_size(500, 0.05, 0.05, 0).unwrap(), 56);
        assert_eq!(hypergeometric_size(1000, 0.05, 0.05, 0).unwrap(), 57);
        assert_eq!(hypergeometric_size(10_000, 0.05, 0.05, 0).unwrap(), 59);
        assert_eq!(hypergeometric_size(100_000, 0.05, 0.05, 0).unwrap(), 59);
    }

    #[test]
    fn proportion_sizes() {
        assert_eq!(proportion_size(0.95, 0.05, 0.5, None).unwrap(), 385);
        assert_eq!(proportion_size(0.95, 0.05, 0.5, Some(1000)).unwrap(), 278);
    }

    #[test]
    fn upper_deviation_limits() {
        let e = evaluate(150, 3, 0.05).unwrap();
        assert!((e.upper_limit * 100.0 - 5.09).abs() < 0.005, "{}", e.upper_limit);
        assert_eq!(e.upper_limit_percent_table, 5.1);
        let e = evaluate(150, 6, 0.05).unwrap();
        assert!((e.upper_limit * 100.0 - 7.74).abs() < 0.005, "{}", e.upper_limit);
        assert_eq!(e.upper_limit_percent_table, 7.8);
        // The defining equation holds at the limit.
        let b = Binomial::new(e.upper_limit, 150).unwrap();
        assert!((b.cdf(6) - 0.05).abs() < 1e-9);
        assert!(evaluate(10, 11, 0.05).is_err());
    }

    #[test]
    fn draws_are_reproducible_and_stratified() {
        let rows: Vec<(String, Option<String>)> = (0..1000)
            .map(|i| {
                (
                    format!("REC-{i:04}"),
                    Some(if i % 4 == 0 { "投诉".into() } else { "咨询".into() }),
                )
            })
            .collect();
        let a = draw(&rows, b"frame", 60, 42, None).unwrap();
        let b = draw(&rows, b"frame", 60, 42, None).unwrap();
        assert_eq!(a.selected, b.selected);
        assert_eq!(a.selected.len(), 60);
        let c = draw(&rows, b"frame", 60, 43, None).unwrap();
        assert_ne!(a.selected, c.selected);
        let s = draw(&rows, b"frame", 60, 42, Some("type")).unwrap();
        assert_eq!(s.allocation["投诉"], (250, 15));
        assert_eq!(s.allocation["咨询"], (750, 45));
        let mut ids: Vec<_> = s.selected.iter().map(|x| &x.1).collect();
        ids.dedup();
        assert_eq!(ids.len(), 60);
        assert!(draw(&rows, b"frame", 1001, 1, None).is_err());
    }
}
