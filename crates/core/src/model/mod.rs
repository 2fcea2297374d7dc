//! Pure domain types and rules: no IO, no terminal, no database.

pub mod action;
pub mod assessment;
pub mod authority;
pub mod batch;
pub mod body;
pub mod canon;
pub mod catalog;
pub mod engagement;
pub mod evidence;
pub mod fields;
pub mod finding;
pub mod input;
pub mod ops;
pub mod plan;
pub mod policy;
pub mod qa;
pub mod record;
pub mod request;
pub mod rules;
pub mod scoring;
pub mod testcall;

/// A string that does not name any value of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a valid {what} (expected one of: {})", expected.join(", "))]
pub struct ParseEnumError {
    pub what: &'static str,
    pub found: String,
    pub expected: Vec<&'static str>,
}
