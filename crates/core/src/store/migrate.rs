//! Schema migrations. A migration from N to N+1 runs inside `Store::open`
//! before anything else is written, then the new schema is stamped.
//! 1 → 2: the summary indexes are built from the stored records.
//! 2 → 3: the open-by-date indexes and the per-engagement counters are built
//! from the stored records.
//! 3 → 4: the retired indexes' keys removed, the per-day counters built.

use super::codec::SCHEMA_VERSION;

/// What to do with a database stamped `found`.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    Fresh,
    Current,
    /// Steps to run, oldest first.
    Upgrade(Vec<u16>),
    TooNew(u16),
}

pub fn plan(found: Option<u16>) -> Plan {
    match found {
        None => Plan::Fresh,
        Some(v) if v == SCHEMA_VERSION => Plan::Current,
        Some(v) if v > SCHEMA_VERSION => Plan::TooNew(v),
        Some(v) => Plan::Upgrade((v + 1..=SCHEMA_VERSION).collect()),
    }
}
