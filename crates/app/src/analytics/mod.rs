//! Evidence analytics: indicator values recomputed from a centre's own call
//! records, and reproducible audit sampling plans.

pub mod agentstates;
pub mod agreement;
pub mod aql;
pub mod calls;
pub mod complaints;
pub mod generate;
pub mod metrics;
pub mod outages;
pub mod recordings;
pub mod records;
pub mod sampling;
pub mod sessions;
pub mod survey;
