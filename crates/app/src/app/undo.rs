//! Undo: the user's own last change is reversed by a new, compensating
//! commit — it shows in history and travels to teammates like any change;
//! nothing is ever deleted from the log.

use super::{App, AppError, Result};
use crate::model::ops::{Change, Op, Value};
use crate::store::Draft;

/// What an undo did.
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// Records the undone commit had touched.
    pub records: Vec<String>,
    /// Compensating operations written.
    pub ops: usize,
}

impl App {
    /// Undo the acting user's most recent commit on this copy.
    pub fn undo_last(&self) -> Result<Undone> {
        let me = self.identity().actor.clone();
        let mut batches = self.store().batches(&me)?;
        let Some(batch) = batches.pop() else {
            return Err(AppError::Rule(crate::msg!(
                "nothing of yours to undo on this copy",
                "此副本中没有您可撤销的更改"
            )));
        };
        if batch.entities.is_empty() {
            return Err(AppError::Rule(crate::msg!(
                "your last change touched too many records to undo",
                "您的上一次更改涉及的记录太多，无法撤销"
            )));
        }
        // The team and its keys change only by the commands that say so.
        if batch.entities.iter().any(|e| e.kind == crate::model::ops::Kind::Member) {
            return Err(AppError::Rule(crate::msg!(
                "your last change was to a team (a member, a role or a key); undo does not change a team: use `cscaudit engagement remove-member`, `add-member` or `member-key`",
                "您的上一次更改涉及审核组（成员、角色或公钥）；撤销不会更改审核组：请使用 `cscaudit engagement remove-member`、`add-member` 或 `member-key`"
            )));
        }
        let in_batch = |o: &Op| o.id.actor == me && (batch.first..=batch.last).contains(&o.id.seq);
        let mut drafts = Vec::new();
        let mut records = Vec::new();
        for entity in &batch.entities {
            let history = self.store().history(entity)?;
            let current = self.store().record(entity)?;
            records.push(entity.reference().to_string());
            let mine: Vec<&Op> = history.iter().filter(|o| in_batch(o)).collect();
            for op in mine.iter().rev() {
                match &op.change {
                    Change::Set { field, .. } => {
                        // Refuse to overwrite someone's later change to the same field.
                        let now = current.as_ref().and_then(|r| r.fields.get(field));
                        // (Later changes by the user themself, earlier undos among them, are fine.)
                        if let Some(f) = now
                            && f.op.actor != me
                        {
                            let (by, id) = (f.op.actor.clone(), entity.id.clone());
                            return Err(AppError::Rule(crate::msg!(
                                "{id}: `{field}` was changed since by {by}; undo would overwrite it",
                                "{id}：`{field}` 之后已被 {by} 修改；撤销会覆盖该修改"
                            )));
                        }
                        let before = history
                            .iter()
                            .take_while(|o| o.id != op.id)
                            .filter(|o| !in_batch(o))
                            .filter_map(|o| match &o.change {
                                Change::Set { field: f, value } if f == field => Some(value.clone()),
                                _ => None,
                            })
                            .last()
                            .unwrap_or(Value::Null);
                        if !drafts.iter().any(|d: &Draft| {
                            d.entity == *entity && matches!(&d.change, Change::Set { field: f, .. } if f == field)
                        }) {
                            drafts.push(Draft {
                                entity: entity.clone(),
                                change: Change::Set {
                                    field: field.clone(),
                                    value: before,
                                },
                                base: current.as_ref().and_then(|r| r.base_of_raw(field)),
                            });
                        }
                    }
                    Change::Link { rel, target } => drafts.push(Draft {
                        entity: entity.clone(),
                        change: Change::Unlink {
                            rel: rel.clone(),
                            target: target.clone(),
                        },
                        base: None,
                    }),
                    Change::Unlink { rel, target } => drafts.push(Draft {
                        entity: entity.clone(),
                        change: Change::Link {
                            rel: rel.clone(),
                            target: target.clone(),
                        },
                        base: None,
                    }),
                    Change::Create => drafts.push(Draft {
                        entity: entity.clone(),
                        change: Change::Tombstone,
                        base: None,
                    }),
                    Change::Tombstone => {
                        let id = entity.id.clone();
                        return Err(AppError::Rule(crate::msg!(
                            "{id} was deleted; a deletion cannot be undone",
                            "{id} 已删除；删除无法撤销"
                        )));
                    }
                    Change::Resolve { .. } => {}
                }
            }
        }
        // Creating a record and setting its fields undoes to a tombstone alone.
        let dead: Vec<_> = drafts
            .iter()
            .filter(|d| d.change == Change::Tombstone)
            .map(|d| d.entity.clone())
            .collect();
        drafts.retain(|d| d.change == Change::Tombstone || !dead.contains(&d.entity));
        let n = drafts.len();
        self.commit(drafts)?;
        // The compensating commit is not itself offered for undo, and the undone one is gone.
        self.store().set_batches(&me, &batches)?;
        Ok(Undone { records, ops: n })
    }
}
