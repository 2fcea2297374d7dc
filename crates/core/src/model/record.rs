//! A materialised record: the fold of one entity's ops (last writer wins per
//! field, concurrent writes kept as conflicts), and its typed accessors.

use super::fields::{FieldName, Rel};
use super::ops::{Change, EntityId, Hlc, Op, OpId, Value};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stored record whose field this build cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entity}: field `{field}` {}", match .found {
    Some(v) => format!("holds `{v}`, which is not a valid {}", .what),
    None => "is missing".to_string(),
})]
pub struct RecordError {
    pub entity: EntityId,
    pub field: &'static str,
    pub found: Option<String>,
    pub what: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    pub value: Value,
    pub op: OpId,
    pub hlc: Hlc,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkState {
    pub present: bool,
    pub op: OpId,
}

/// Two writes to one field whose bases do not chain: the later (in log order)
/// wins, the other is kept here for the lead to confirm or override.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub entity: EntityId,
    pub field: String,
    pub winner: OpId,
    pub winner_value: Value,
    pub loser: OpId,
    pub loser_value: Value,
    /// Set by a `Resolve` op: the lead confirmed the outcome.
    pub resolved_by: Option<OpId>,
}

/// A materialised record: the fold of its ops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub entity: EntityId,
    pub created: Option<Hlc>,
    pub created_by: Option<String>,
    pub updated: Hlc,
    pub fields: BTreeMap<String, FieldState>,
    pub links: BTreeMap<String, BTreeMap<String, LinkState>>,
    pub deleted: bool,
    pub conflicts: Vec<Conflict>,
    pub op_count: u32,
}

impl Record {
    pub fn empty(entity: EntityId) -> Self {
        Record {
            entity,
            created: None,
            created_by: None,
            updated: Hlc::default(),
            fields: BTreeMap::new(),
            links: BTreeMap::new(),
            deleted: false,
            conflicts: Vec::new(),
            op_count: 0,
        }
    }

    /// Fold a set of ops (any order; sorted here) into a record.
    pub fn fold(entity: EntityId, ops: &[Op]) -> Self {
        let mut sorted: Vec<&Op> = ops.iter().filter(|o| o.entity == entity).collect();
        sorted.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        sorted.dedup_by(|a, b| a.id == b.id);
        let mut r = Record::empty(entity);
        for op in sorted {
            r.apply(op);
        }
        r
    }

    /// Apply one op that is later in log order than every op applied so far.
    pub fn apply(&mut self, op: &Op) {
        self.op_count += 1;
        self.updated = self.updated.max(op.hlc);
        if self.deleted {
            return;
        }
        match &op.change {
            Change::Create => {
                if self.created.is_none() {
                    self.created = Some(op.hlc);
                    self.created_by = Some(op.id.actor.clone());
                }
            }
            Change::Set { field, value } => {
                if let Some(prev) = self.fields.get(field) {
                    let chains = op.base.as_ref() == Some(&prev.op);
                    if !chains && prev.value != *value {
                        self.conflicts.push(Conflict {
                            entity: self.entity.clone(),
                            field: field.clone(),
                            winner: op.id.clone(),
                            winner_value: value.clone(),
                            loser: prev.op.clone(),
                            loser_value: prev.value.clone(),
                            resolved_by: None,
                        });
                    }
                }
                self.fields.insert(
                    field.clone(),
                    FieldState {
                        value: value.clone(),
                        op: op.id.clone(),
                        hlc: op.hlc,
                    },
                );
            }
            Change::Link { rel, target } | Change::Unlink { rel, target } => {
                let present = matches!(op.change, Change::Link { .. });
                self.links.entry(rel.clone()).or_default().insert(
                    target.clone(),
                    LinkState {
                        present,
                        op: op.id.clone(),
                    },
                );
            }
            Change::Tombstone => self.deleted = true,
            Change::Resolve { field, loser } => {
                for c in self.conflicts.iter_mut() {
                    if &c.field == field && &c.loser == loser && c.resolved_by.is_none() {
                        c.resolved_by = Some(op.id.clone());
                    }
                }
            }
        }
    }

    /// The value of a field, by its stored name (also names this build does not know).
    pub fn get_raw(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|f| &f.value).filter(|v| **v != Value::Null)
    }
    pub fn get(&self, field: impl FieldName) -> Option<&Value> {
        self.get_raw(field.name())
    }
    pub fn text(&self, field: impl FieldName) -> String {
        self.get(field).and_then(Value::text).unwrap_or_default().to_string()
    }
    pub fn opt_text(&self, field: impl FieldName) -> Option<String> {
        self.get(field).and_then(Value::text).map(str::to_string)
    }
    pub fn date(&self, field: impl FieldName) -> Option<Date> {
        self.get(field).and_then(Value::date)
    }
    pub fn float(&self, field: impl FieldName) -> Option<f64> {
        self.get(field).and_then(Value::float)
    }
    pub fn int(&self, field: impl FieldName) -> Option<i64> {
        self.get(field).and_then(Value::int)
    }
    pub fn bool(&self, field: impl FieldName) -> Option<bool> {
        self.get(field).and_then(Value::bool)
    }
    /// An enumerated field: absent gives `default`; a value this build cannot
    /// read is an error naming the record, never a silent default.
    pub fn enum_or<T>(&self, field: impl FieldName, default: T) -> Result<T, RecordError>
    where
        T: std::str::FromStr<Err = super::ParseEnumError>,
    {
        match self.get(field) {
            None => Ok(default),
            Some(v) => self.parse_enum(field, v),
        }
    }
    /// An enumerated field that every record of its kind has.
    pub fn enum_req<T>(&self, field: impl FieldName) -> Result<T, RecordError>
    where
        T: std::str::FromStr<Err = super::ParseEnumError>,
    {
        match self.get(field) {
            None => Err(RecordError {
                entity: self.entity.clone(),
                field: field.name(),
                found: None,
                what: "value",
            }),
            Some(v) => self.parse_enum(field, v),
        }
    }
    fn parse_enum<T>(&self, field: impl FieldName, v: &Value) -> Result<T, RecordError>
    where
        T: std::str::FromStr<Err = super::ParseEnumError>,
    {
        let text = v.text().unwrap_or_default();
        text.parse::<T>().map_err(|e| RecordError {
            entity: self.entity.clone(),
            field: field.name(),
            found: Some(text.to_string()),
            what: e.what,
        })
    }
    pub fn linked(&self, rel: Rel) -> Vec<String> {
        self.links
            .get(rel.name())
            .map(|m| m.iter().filter(|(_, s)| s.present).map(|(t, _)| t.clone()).collect())
            .unwrap_or_default()
    }
    /// The op id of the latest write to `field` (the `base` for the next write).
    pub fn base_of(&self, field: impl FieldName) -> Option<OpId> {
        self.base_of_raw(field.name())
    }
    /// The same by the stored name (also names this build does not know).
    pub fn base_of_raw(&self, field: &str) -> Option<OpId> {
        self.fields.get(field).map(|f| f.op.clone())
    }
    /// Fields this build does not know (written by a newer version): kept, shown raw.
    pub fn unknown_fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        let kind = self.entity.kind;
        self.fields
            .iter()
            .filter(move |(k, _)| super::fields::label(kind, k, false).is_none())
            .map(|(k, f)| (k.as_str(), &f.value))
    }
    pub fn open_conflicts(&self) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(|c| c.resolved_by.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ops::Kind;

    fn op(actor: &str, seq: u64, wall: u64, change: Change, base: Option<OpId>) -> Op {
        Op {
            id: OpId {
                actor: actor.into(),
                seq,
            },
            hlc: Hlc {
                wall_ms: wall,
                counter: 0,
            },
            entity: EntityId::new(Kind::Finding, "ZW-001"),
            change,
            base,
        }
    }
    fn set(field: &str, v: &str) -> Change {
        Change::Set {
            field: field.into(),
            value: v.into(),
        }
    }

    #[test]
    fn last_writer_wins_and_concurrent_writes_conflict() {
        let e = EntityId::new(Kind::Finding, "ZW-001");
        let a1 = op("zw", 1, 10, Change::Create, None);
        let a2 = op("zw", 2, 11, set("title", "A"), None);
        let b1 = op("lm", 1, 12, set("title", "B"), None);
        let r = Record::fold(e.clone(), &[b1.clone(), a2.clone(), a1.clone()]);
        assert_eq!(r.get_raw("title"), Some(&Value::from("B")));
        assert_eq!(r.open_conflicts().count(), 1);
        // A write that saw B's value chains; the lead's Resolve closes the conflict.
        let a3 = op("zw", 3, 13, set("title", "C"), Some(b1.id.clone()));
        let r = Record::fold(e.clone(), &[a1.clone(), a2.clone(), b1.clone(), a3.clone()]);
        assert_eq!(r.get_raw("title"), Some(&Value::from("C")));
        assert_eq!(r.open_conflicts().count(), 1);
        let res = op(
            "zw",
            4,
            14,
            Change::Resolve {
                field: "title".into(),
                loser: a2.id.clone(),
            },
            None,
        );
        let r = Record::fold(e, &[a1, a2, b1, a3, res]);
        assert_eq!(r.open_conflicts().count(), 0);
        assert_eq!(r.conflicts.len(), 1);
    }

    #[test]
    fn hlc_ticks_monotonically() {
        let h = Hlc {
            wall_ms: 100,
            counter: 3,
        };
        assert_eq!(
            h.tick(50),
            Hlc {
                wall_ms: 100,
                counter: 4
            }
        );
        assert_eq!(
            h.tick(200),
            Hlc {
                wall_ms: 200,
                counter: 0
            }
        );
        assert!(h.tick(100) > h);
    }
}
