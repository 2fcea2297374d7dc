//! Agreement between two raters who scored the same items blind: observed
//! agreement, Cohen's κ, and for integer scores the quadratic-weighted κ,
//! with the items they disagree on.
//!
//! κ = (pₒ − pₑ) ÷ (1 − pₑ), pₑ from each rater's own label shares. The
//! weighted κ = 1 − Σ w·O ÷ Σ w·E with w = (i − j)² over the positions i, j
//! of the labels in their sorted list (the labels either rater used), as
//! scikit-learn's `cohen_kappa_score(weights="quadratic")` computes it. When
//! chance agreement is total (both raters gave one and the same label to
//! everything) κ is undefined and reported as none.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A rating: pass/fail, or an integer score.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Rating {
    Score(i64),
    Label(String),
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rating::Score(n) => write!(f, "{n}"),
            Rating::Label(s) => f.write_str(s),
        }
    }
}

/// Words read as pass and as fail (case aside).
const PASS: &[&str] = &["pass", "passed", "p", "ok", "yes", "y", "合格", "通过", "是"];
const FAIL: &[&str] = &["fail", "failed", "f", "no", "n", "不合格", "不通过", "否"];

fn rating(s: &str) -> Option<Rating> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(Rating::Score(n));
    }
    let l = s.to_lowercase();
    if PASS.contains(&l.as_str()) {
        Some(Rating::Label("pass".into()))
    } else if FAIL.contains(&l.as_str()) {
        Some(Rating::Label("fail".into()))
    } else {
        None
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Disagreement {
    pub item: String,
    pub rater_a: Rating,
    pub rater_b: Rating,
}

/// The agreement figures (JSON schema `cscaudit.agreement/1`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Agreement {
    pub schema: &'static str,
    pub items: u64,
    pub agreed: u64,
    pub observed_agreement: f64,
    pub expected_agreement: f64,
    pub kappa: Option<f64>,
    /// Quadratic-weighted κ (integer scores only).
    pub weighted_kappa: Option<f64>,
    /// The labels either rater used, sorted.
    pub labels: Vec<Rating>,
    /// rater A's label → rater B's label → items.
    pub table: BTreeMap<String, BTreeMap<String, u64>>,
    pub disagreements: Vec<Disagreement>,
    /// The ratings file, by its hash (when read from one).
    pub file: Option<super::records::SourceFile>,
    /// Pass/fail ratings: disagreements settled by a third person (the
    /// file's `reconciled` column), those still unsettled, the items that
    /// pass in the end, and the reconciled pass rate (percent; none while
    /// any item is unsettled).
    pub reconciled: u64,
    pub unresolved: u64,
    pub passed: Option<u64>,
    pub pass_rate: Option<f64>,
}

/// Compute the agreement of paired ratings.
pub fn agreement(pairs: &[(String, Rating, Rating)]) -> Result<Agreement, String> {
    if pairs.is_empty() {
        return Err("no rated item".into());
    }
    let scores = pairs
        .iter()
        .all(|(_, a, b)| matches!((a, b), (Rating::Score(_), Rating::Score(_))));
    let labels_only = pairs
        .iter()
        .all(|(_, a, b)| matches!((a, b), (Rating::Label(_), Rating::Label(_))));
    if !scores && !labels_only {
        return Err("the ratings mix pass/fail and scores: give one or the other".into());
    }
    let mut labels: Vec<Rating> = pairs.iter().flat_map(|(_, a, b)| [a.clone(), b.clone()]).collect();
    labels.sort();
    labels.dedup();
    let k = labels.len();
    let at = |r: &Rating| labels.binary_search(r).expect("a label of the list");
    let mut o = vec![vec![0f64; k]; k];
    for (_, a, b) in pairs {
        o[at(a)][at(b)] += 1.0;
    }
    let n = pairs.len() as f64;
    let rows: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k).map(|j| o.iter().map(|r| r[j]).sum()).collect();
    let agreed: f64 = (0..k).map(|i| o[i][i]).sum();
    let po = agreed / n;
    let pe: f64 = (0..k).map(|i| rows[i] * cols[i]).sum::<f64>() / (n * n);
    let kappa = (pe < 1.0).then(|| (po - pe) / (1.0 - pe));
    let weighted_kappa = if scores {
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..k {
            for j in 0..k {
                let w = ((i as f64) - (j as f64)).powi(2);
                num += w * o[i][j];
                den += w * rows[i] * cols[j] / n;
            }
        }
        (den > 0.0).then(|| 1.0 - num / den)
    } else {
        None
    };
    let mut table: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (_, a, b) in pairs {
        *table
            .entry(a.to_string())
            .or_default()
            .entry(b.to_string())
            .or_default() += 1;
    }
    Ok(Agreement {
        schema: "cscaudit.agreement/1",
        items: pairs.len() as u64,
        agreed: agreed as u64,
        observed_agreement: po,
        expected_agreement: pe,
        kappa,
        weighted_kappa,
        labels,
        table,
        disagreements: pairs
            .iter()
            .filter(|(_, a, b)| a != b)
            .map(|(item, a, b)| Disagreement {
                item: item.clone(),
                rater_a: a.clone(),
                rater_b: b.clone(),
            })
            .collect(),
        file: None,
        reconciled: 0,
        unresolved: 0,
        passed: None,
        pass_rate: None,
    })
}

/// The final rating of each item: the two raters' when they agree, else
/// the third person's (`settled`); then the pass rate, for pass/fail.
pub fn settle(a: &mut Agreement, pairs: &[(String, Rating, Rating)], settled: &[Option<Rating>]) {
    let pass = Rating::Label("pass".into());
    let fail = Rating::Label("fail".into());
    if !a.labels.iter().all(|l| *l == pass || *l == fail) {
        return;
    }
    let mut passed = 0;
    for ((_, ra, rb), s) in pairs.iter().zip(settled) {
        let last = match (ra == rb, s) {
            (_, Some(s)) => {
                a.reconciled += u64::from(ra != rb);
                s
            }
            (true, None) => ra,
            (false, None) => {
                a.unresolved += 1;
                continue;
            }
        };
        passed += u64::from(*last == pass);
    }
    if a.unresolved == 0 {
        a.passed = Some(passed);
        a.pass_rate = super::records::pct(passed, a.items);
    }
}

/// The most items a ratings file may hold (a QA sample is hundreds).
pub const MAX_ITEMS: usize = 1_000_000;

/// Read a ratings CSV (`item,rater_a,rater_b`, a header first; the columns
/// found by those names, else the first three) and compute the agreement.
/// A row that does not read is an error naming its line: a κ over the rows
/// that happened to read would not be the sample's.
pub fn from_csv(path: &Path, encoding: Option<&str>) -> Result<Agreement, String> {
    let shown = crate::text::visible(&path.display().to_string()).into_owned();
    let enc = super::calls::encoding_named(encoding)?;
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let input: Box<dyn std::io::Read> = match enc {
        None => Box::new(file),
        Some(e) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .build(file),
        ),
    };
    let utf8 = |e: csv::Error| {
        let hint = if enc.is_none() && e.to_string().contains("invalid utf-8") {
            " (not UTF-8: a GB18030/GBK file reads with --encoding gb18030)"
        } else {
            ""
        };
        format!("{e}{hint}")
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = rdr.headers().map_err(|e| format!("{shown}: {}", utf8(e)))?.clone();
    if header.len() < 3 {
        return Err(format!(
            "{shown}: the header has {} column(s): a ratings file has item, rater_a, rater_b separated by commas",
            header.len()
        ));
    }
    let find = |name: &str, default: usize| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
            .unwrap_or(default)
    };
    let (ci, ca, cb) = (find("item", 0), find("rater_a", 1), find("rater_b", 2));
    let cr = header.iter().position(|h| h.trim().eq_ignore_ascii_case("reconciled"));
    let mut settled = Vec::new();
    let mut pairs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        let rec = rec.map_err(|e| format!("{shown}: line {line}: {}", utf8(e)))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: usize| rec.get(c).map(str::trim).unwrap_or("");
        let item = crate::text::visible(get(ci)).into_owned();
        let read = |c: usize, who: &str| {
            rating(get(c)).ok_or_else(|| {
                format!(
                    "{shown}: line {line}: {who} `{}` is neither pass/fail nor a whole number",
                    crate::text::visible(get(c))
                )
            })
        };
        let (a, b) = (read(ca, "rater_a")?, read(cb, "rater_b")?);
        if item.is_empty() {
            return Err(format!("{shown}: line {line}: no item"));
        }
        if !seen.insert(item.clone()) {
            return Err(format!("{shown}: line {line}: item `{item}` is rated twice"));
        }
        if pairs.len() == MAX_ITEMS {
            return Err(format!("{shown}: more than {MAX_ITEMS} items"));
        }
        let third = match cr.map(get).unwrap_or("") {
            "" => None,
            v => Some(rating(v).ok_or_else(|| {
                format!(
                    "{shown}: line {line}: reconciled `{}` is neither pass/fail nor a whole number",
                    crate::text::visible(v)
                )
            })?),
        };
        settled.push(third);
        pairs.push((item, a, b));
    }
    let mut a = agreement(&pairs).map_err(|e| format!("{shown}: {e}"))?;
    settle(&mut a, &pairs, &settled);
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    use sha2::Digest;
    a.file = Some(super::records::SourceFile {
        path: shown,
        sha256: format!("{:x}", sha2::Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
    });
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[(&str, &str)]) -> Vec<(String, Rating, Rating)> {
        v.iter()
            .enumerate()
            .map(|(i, (a, b))| (i.to_string(), rating(a).unwrap(), rating(b).unwrap()))
            .collect()
    }

    #[test]
    fn kappa_by_hand() {
        // 10 items: 4 pass/pass, 3 fail/fail, 2 pass/fail, 1 fail/pass.
        // po = 0.7; A passes 6/10, B 5/10; pe = .6*.5 + .4*.5 = .5; κ = 0.4.
        let mut v = vec![("pass", "pass"); 4];
        v.extend([("fail", "fail"); 3]);
        v.extend([("pass", "fail"); 2]);
        v.push(("fail", "pass"));
        let a = agreement(&p(&v)).unwrap();
        assert!((a.observed_agreement - 0.7).abs() < 1e-12);
        assert!((a.kappa.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(a.weighted_kappa, None);
        assert_eq!(a.disagreements.len(), 3);
        // One label for everything: κ undefined.
        let same = agreement(&p(&[("合格", "pass"), ("pass", "通过")])).unwrap();
        assert_eq!(same.kappa, None);
        assert!(agreement(&p(&[("pass", "3")])).is_err());
    }
}
