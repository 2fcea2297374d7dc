//! Acceptance sampling by attributes, GB/T 2828.1 (= ISO 2859-1): sample size
//! code letters (Table 1) and single sampling plans for normal inspection
//! (Table 2-A), including the arrow rule, which changes the sample size too.
//!
//! Table 2-A has a regular structure: moving one code letter down multiplies n
//! by about 1.6, as does moving one AQL column right, so plans with the same
//! Ac lie on anti-diagonals (letter index + AQL index). Ac along the diagonals:
//! 0, ↑, ↓, 1, 2, 3, 5, 7, 10, 14, 21 — "↑"/"↓" cells send the user to the
//! first plan above/below in the same AQL column. Supported here for AQL
//! 0.010–10 (percent nonconforming), which is what a QA lot of calls uses.

use serde::Serialize;

pub const LETTERS: [char; 16] = [
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R',
];
pub const SAMPLE_SIZES: [u64; 16] = [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000];
pub const AQLS: [f64; 16] = [
    0.010, 0.015, 0.025, 0.040, 0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0, 6.5, 10.0,
];

/// Upper bounds of the lot-size ranges of Table 1.
const LOT_MAX: [u64; 15] = [
    8,
    15,
    25,
    50,
    90,
    150,
    280,
    500,
    1200,
    3200,
    10_000,
    35_000,
    150_000,
    500_000,
    u64::MAX,
];

/// Table 1: code letters per inspection level, one string per level, one
/// letter per lot-size range.
const TABLE1: [(&str, &str); 7] = [
    ("S-1", "AAAABBBBCCCCDDD"),
    ("S-2", "AAABBBCCCDDDEEE"),
    ("S-3", "AABBCCDDEEFFGGH"),
    ("S-4", "AABCCDEEFGGHJJK"),
    ("I", "AABCCDEFGHJKLMN"),
    ("II", "ABCDEFGHJKLMNPQ"),
    ("III", "BCDEFGHJKLMNPQR"),
];

/// Ac on the anti-diagonal `letter + aql` (index 14 holds the first "0 1").
fn cell(letter: usize, aql: usize) -> Cell {
    match letter + aql {
        s if s < 14 => Cell::Down,
        14 => Cell::Plan(0),
        15 => Cell::Up,
        16 => Cell::Down,
        17 => Cell::Plan(1),
        18 => Cell::Plan(2),
        19 => Cell::Plan(3),
        20 => Cell::Plan(5),
        21 => Cell::Plan(7),
        22 => Cell::Plan(10),
        23 => Cell::Plan(14),
        24 => Cell::Plan(21),
        _ => Cell::Up,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    Plan(u64),
    Up,
    Down,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AqlPlan {
    pub lot_size: u64,
    pub level: String,
    pub aql: f64,
    /// The letter Table 1 gives for the lot.
    pub code_letter: char,
    /// The letter whose plan is used after following arrows.
    pub plan_letter: char,
    pub sample_size: u64,
    pub accept: u64,
    pub reject: u64,
    /// The sample is the whole lot (sample size ≥ lot size).
    pub hundred_percent: bool,
    pub arrows_followed: Vec<char>,
}

pub fn code_letter(lot_size: u64, level: &str) -> Result<char, String> {
    if lot_size < 2 {
        return Err(format!("lot size {lot_size} is below Table 1's smallest range (2–8)"));
    }
    let norm = level.trim().to_ascii_uppercase().replace("G-", "");
    let row = TABLE1
        .iter()
        .find(|(name, _)| *name == norm)
        .ok_or_else(|| format!("inspection level `{level}` is not one of S-1, S-2, S-3, S-4, I, II, III"))?;
    let idx = LOT_MAX.iter().position(|&m| lot_size <= m).unwrap_or(14);
    Ok(row.1.as_bytes()[idx] as char)
}

/// The single sampling plan for normal inspection.
pub fn plan(lot_size: u64, level: &str, aql: f64) -> Result<AqlPlan, String> {
    let letter = code_letter(lot_size, level)?;
    let j = AQLS.iter().position(|&a| (a - aql).abs() < 1e-9).ok_or_else(|| {
        format!(
            "AQL {aql} is not a preferred value of Table 2-A in 0.010–10 ({})",
            AQLS.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut i = LETTERS.iter().position(|&l| l == letter).unwrap_or(0);
    let mut arrows = Vec::new();
    let accept = loop {
        match cell(i, j) {
            Cell::Plan(ac) => break ac,
            Cell::Down if i + 1 < LETTERS.len() => {
                arrows.push('↓');
                i += 1;
            }
            // Row R has no row below: its "↓" between 0 and 1 takes the next plan on the row (Ac 1).
            Cell::Down => break 1,
            Cell::Up if i > 0 => {
                arrows.push('↑');
                i -= 1;
            }
            Cell::Up => return Err("no plan above row A for that AQL".into()),
        }
        if arrows.len() > 32 {
            return Err("arrows did not lead to a plan".into());
        }
    };
    let n = SAMPLE_SIZES[i];
    Ok(AqlPlan {
        lot_size,
        level: level.to_string(),
        aql,
        code_letter: letter,
        plan_letter: LETTERS[i],
        sample_size: n.min(lot_size),
        accept,
        reject: accept + 1,
        hundred_percent: n >= lot_size,
        arrows_followed: arrows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_1_code_letters() {
        assert_eq!(code_letter(3000, "II").unwrap(), 'K');
        assert_eq!(code_letter(8, "II").unwrap(), 'A');
        assert_eq!(code_letter(9, "II").unwrap(), 'B');
        assert_eq!(code_letter(600_000, "III").unwrap(), 'R');
        assert_eq!(code_letter(600_000, "S-1").unwrap(), 'D');
        assert_eq!(code_letter(1000, "I").unwrap(), 'G');
        assert!(code_letter(1, "II").is_err());
        assert!(code_letter(100, "IV").is_err());
    }

    #[test]
    fn table_2a_known_plans() {
        // Lot 1201–3200, level II → K (125): the common AQL column.
        let p = |lot, aql| plan(lot, "II", aql).unwrap();
        let k = |lot, aql| {
            let x = p(lot, aql);
            (x.plan_letter, x.sample_size, x.accept, x.reject)
        };
        assert_eq!(k(3000, 2.5), ('K', 125, 7, 8));
        assert_eq!(k(3000, 4.0), ('K', 125, 10, 11));
        assert_eq!(k(3000, 1.0), ('K', 125, 3, 4));
        assert_eq!(k(3000, 0.65), ('K', 125, 2, 3));
        assert_eq!(k(3000, 0.40), ('K', 125, 1, 2));
        assert_eq!(k(3000, 0.10), ('K', 125, 0, 1));
        assert_eq!(k(1000, 2.5), ('J', 80, 5, 6));
        assert_eq!(k(5000, 2.5), ('L', 200, 10, 11));
        assert_eq!(k(20_000, 1.0), ('M', 315, 7, 8));
        assert_eq!(k(20_000, 4.0), ('M', 315, 21, 22));
        // M at 6.5 is past 21/22: "↑" to L (200).
        assert_eq!(k(20_000, 6.5), ('L', 200, 21, 22));
    }

    #[test]
    fn arrows_change_the_sample_size() {
        // D (8) at 2.5 is "↑": use C's plan, n = 5, Ac 0.
        let up = plan(40, "II", 2.5).unwrap();
        assert_eq!(
            (up.code_letter, up.plan_letter, up.sample_size, up.accept),
            ('D', 'C', 5, 0)
        );
        assert_eq!(up.arrows_followed, vec!['↑']);
        // D at 4.0 is "↓": use E's plan, n = 13, Ac 1.
        let down = plan(40, "II", 4.0).unwrap();
        assert_eq!(
            (down.plan_letter, down.sample_size, down.accept, down.reject),
            ('E', 13, 1, 2)
        );
        // K at 0.15 is "↑" → J (80) at 0.15 = 0/1; K at 0.25 is "↓" → L (200) at 0.25 = 1/2.
        assert_eq!(plan(3000, "II", 0.15).unwrap().sample_size, 80);
        let l = plan(3000, "II", 0.25).unwrap();
        assert_eq!((l.sample_size, l.accept), (200, 1));
        // A at 0.010 follows "↓" all the way to Q (1250, 0/1): more than the lot, so 100%.
        let tiny = plan(5, "II", 0.010).unwrap();
        assert_eq!(tiny.plan_letter, 'Q');
        assert!(tiny.hundred_percent);
        assert_eq!(tiny.sample_size, 5);
        // K at 10 is 21/22; L at 10 is beyond it → "↑" to K (125).
        assert_eq!(plan(3000, "II", 10.0).unwrap().accept, 21);
        let hi = plan(5000, "II", 10.0).unwrap();
        assert_eq!((hi.plan_letter, hi.sample_size, hi.accept), ('K', 125, 21));
        assert!(plan(3000, "II", 3.0).is_err());
    }
}
