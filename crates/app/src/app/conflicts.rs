//! Concurrent edits of one field, after merging teammates' work: the lead
//! keeps the value that won or picks the other one. Either way it is a new
//! operation (it travels in the next bundle like any change).

use super::{App, AppError, Result};
use crate::model::engagement::Role;
use crate::model::ops::{Change, Conflict, EntityId, Kind};
use crate::store::Draft;

/// Which value of a conflict stays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    /// The value that won (the later write).
    Current,
    /// The value it overwrote.
    Other,
}

impl App {
    /// Open conflicts of one record (by reference or id), optionally one field.
    pub fn conflicts_of(&self, id: &str, field: Option<&str>) -> Result<Vec<Conflict>> {
        // A finding or action reference means its record (`ZW-001` → `E1/ZW-001`).
        let mut named: Vec<EntityId> = Vec::new();
        for k in [Kind::Finding, Kind::Action] {
            match self.entity_of(k, id) {
                Ok(e) => named.push(e),
                Err(AppError::NotFound { .. }) => {}
                // Several engagements have it: say so rather than "no conflict".
                Err(e) => return Err(e),
            }
        }
        Ok(self
            .conflicts()?
            .into_iter()
            .filter(|c| (c.entity.id == id || named.contains(&c.entity)) && field.is_none_or(|f| c.field == f))
            .collect())
    }

    /// Settle a conflict: keep the current value or put the other one back.
    /// Only the engagement's lead may.
    pub fn resolve_conflict(&self, id: &str, field: &str, keep: Keep) -> Result<Conflict> {
        self.require_identity()?;
        let Some(c) = self.conflicts_of(id, Some(field))?.into_iter().next() else {
            return Err(AppError::NotFound {
                what: "conflict",
                id: format!("{id} {field}"),
            });
        };
        let rec = self.record(c.entity.kind, &c.entity.id)?;
        let engagement = match c.entity.kind {
            Kind::Finding | Kind::Action => rec.text(crate::model::fields::FindingField::Engagement),
            _ => c.entity.id.split('/').next().unwrap_or_default().to_string(),
        };
        self.require_role(
            &engagement,
            &[Role::Lead],
            ("settle conflicts (the lead does)", "处理冲突（由审核组长处理）"),
        )?;
        let mut d = Vec::new();
        if keep == Keep::Other {
            d.push(Draft {
                entity: c.entity.clone(),
                change: Change::Set {
                    field: c.field.clone(),
                    value: c.loser_value.clone(),
                },
                base: rec.base_of_raw(&c.field),
            });
        }
        d.push(Draft {
            entity: c.entity.clone(),
            change: Change::Resolve {
                field: c.field.clone(),
                loser: c.loser.clone(),
            },
            base: None,
        });
        self.commit(d)?;
        Ok(c)
    }
}
