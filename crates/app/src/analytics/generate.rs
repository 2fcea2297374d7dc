//! A generator of realistic synthetic call records in the Anonymous Bank 1999
//! layout, for benchmarks: diurnal arrivals, IVR time, queueing with waits that
//! grow with the hour's load, caller patience (abandons), log-normal talk times,
//! a few phantom records. Deterministic for a given seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// Relative call volume per hour of day (shape of a bank centre's day).
const PROFILE: [f64; 24] = [
    0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 2.5, 6.0, 7.5, 8.0, 7.5, 6.5, 6.5, 7.0, 7.5, 7.5, 6.5, 5.0, 4.5, 3.5, 3.0,
    2.5, 1.5,
];

fn hms(s: u32) -> String {
    let s = s % 86_400;
    format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

fn exp(rng: &mut impl Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// The centre a generator imitates: its first day, calls a day, and how
/// long the queue gets at the busiest hour.
#[derive(Clone, Debug)]
pub struct Shape {
    pub start: jiff::civil::Date,
    pub per_day: u64,
    /// Extra mean wait (seconds) of a queued call at full load; a better
    /// staffed centre has less (90 is the benchmarks' congested centre).
    pub peak_wait_s: f64,
    /// Mean time a caller waits in the queue before hanging up.
    pub patience_s: f64,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            start: jiff::civil::date(1999, 1, 1),
            per_day: 27_000,
            peak_wait_s: 90.0,
            patience_s: 150.0,
        }
    }
}

/// Write a header and `n` records; returns the number written.
pub fn write_anonymous_bank(w: &mut impl Write, n: u64, seed: u64) -> std::io::Result<u64> {
    write_shaped(w, n, seed, &Shape::default())
}

/// [`write_anonymous_bank`] for a centre of the given shape.
pub fn write_shaped(w: &mut impl Write, n: u64, seed: u64, shape: &Shape) -> std::io::Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    writeln!(
        w,
        "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
    )?;
    let total: f64 = PROFILE.iter().sum();
    let cumulative: Vec<f64> = PROFILE
        .iter()
        .scan(0.0, |acc, p| {
            *acc += p / total;
            Some(*acc)
        })
        .collect();
    let per_day = shape.per_day.max(1);
    let servers = [
        "MICHAL", "BASCH", "ANAT", "YITZ", "DORIT", "SHARON", "MORIAH", "AVI", "ZOHARI", "IDIT",
    ];
    let mut day = shape.start;
    for i in 0..n {
        if i > 0 && i % per_day == 0 {
            day = day.tomorrow().unwrap_or(day);
        }
        let u: f64 = rng.random();
        let hour = cumulative.iter().position(|&c| u <= c).unwrap_or(23) as u32;
        let load = PROFILE[hour as usize] / 8.0;
        let arrival = hour * 3600 + rng.random_range(0..3600);
        let vru_time = 3 + exp(&mut rng, 6.0) as u32;
        let vru_exit = arrival + vru_time;
        let phantom = rng.random::<f64>() < 0.008;
        let ivr_hang = !phantom && rng.random::<f64>() < 0.04;
        let queued = !phantom && !ivr_hang && rng.random::<f64>() < 0.5 + 0.3 * load;
        let wait = if queued {
            exp(&mut rng, 10.0 + shape.peak_wait_s * load * load) as u32
        } else {
            0
        };
        let patience = exp(&mut rng, shape.patience_s) as u32;
        let abandoned = queued && patience < wait;
        let (outcome, q_time) = if phantom {
            ("PHANTOM", 0)
        } else if ivr_hang {
            ("HANG", 0)
        } else if abandoned {
            ("HANG", patience)
        } else {
            ("AGENT", wait)
        };
        let q_start = if queued { vru_exit } else { 0 };
        let q_exit = if queued { vru_exit + q_time } else { 0 };
        let served = outcome == "AGENT";
        let talk = if served {
            (60.0 * (0.9 * rng.random::<f64>() + exp(&mut rng, 1.2)).exp()).min(7200.0) as u32
        } else {
            0
        };
        let ser_start = if served { vru_exit + q_time } else { 0 };
        let server = if served && rng.random::<f64>() > 0.02 {
            servers[rng.random_range(0..servers.len())]
        } else {
            "NO_SERVER"
        };
        writeln!(
            w,
            "AA{:04}\t{}\t{}\t{}\tPS\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            i % 10_000,
            1_000_000 + i,
            if rng.random::<f64>() < 0.4 {
                0
            } else {
                rng.random_range(1_000_000..99_999_999u32)
            },
            rng.random_range(0..3),
            day.strftime("%y%m%d"),
            hms(arrival),
            hms(vru_exit),
            vru_time,
            hms(q_start),
            hms(q_exit),
            q_time,
            outcome,
            hms(ser_start),
            hms(if served { ser_start + talk } else { 0 }),
            talk,
            server
        )?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::calls::parse_anonymous_bank;

    #[test]
    fn generated_rows_parse_and_look_like_a_centre() {
        let mut buf = Vec::new();
        write_anonymous_bank(&mut buf, 5000, 1).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let calls: Vec<_> = text
            .lines()
            .skip(1)
            .map(|l| parse_anonymous_bank(l.as_bytes()).unwrap())
            .collect();
        assert_eq!(calls.len(), 5000);
        let answered = calls
            .iter()
            .filter(|c| c.outcome == crate::analytics::calls::Outcome::Answered)
            .count();
        assert!((3500..4900).contains(&answered), "{answered}");
        let queued = calls.iter().filter(|c| c.queued).count();
        assert!(queued > 1500 && queued < 4500, "{queued}");
        let mut again = Vec::new();
        write_anonymous_bank(&mut again, 5000, 1).unwrap();
        assert_eq!(text.as_bytes(), again.as_slice());
    }
}
