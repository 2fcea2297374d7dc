//! The index in an SQLite file (the embedded default).

use super::{Changes, Sink, TABLES, Ty, Val, sink_err};
use crate::app::Result;
use std::collections::HashSet;

pub(crate) struct Sqlite {
    db: rusqlite::Connection,
}

fn sql_type(t: Ty) -> &'static str {
    match t {
        // ISO dates compare as text (`due < date('now')`).
        Ty::Text | Ty::Date => "TEXT",
        Ty::Int | Ty::Bool => "INTEGER",
    }
}

impl Sqlite {
    pub fn open(path: &std::path::Path) -> Result<Sqlite> {
        let db = rusqlite::Connection::open(path).map_err(|e| sink_err("open", e))?;
        db.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(|e| sink_err("open", e))?;
        Ok(Sqlite { db })
    }
}

impl rusqlite::types::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(Value::Null),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Val::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
        })
    }
}

impl Sink for Sqlite {
    fn prepare(&mut self, rebuild: bool) -> Result<()> {
        self.db
            .execute_batch(&super::schema(rebuild, sql_type))
            .map_err(|e| sink_err("create the tables", e))
    }

    fn indexed(&mut self) -> Result<HashSet<String>> {
        let mut st = self
            .db
            .prepare("SELECT id FROM batches")
            .map_err(|e| sink_err("read", e))?;
        let ids = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| sink_err("read", e))?
            .collect::<rusqlite::Result<HashSet<String>>>()
            .map_err(|e| sink_err("read", e))?;
        Ok(ids)
    }

    fn begin(&mut self) -> Result<()> {
        self.db.execute_batch("BEGIN").map_err(|e| sink_err("write", e))
    }

    fn commit(&mut self) -> Result<()> {
        self.db.execute_batch("COMMIT").map_err(|e| sink_err("commit", e))
    }

    fn put(&mut self, changes: &Changes) -> Result<()> {
        let tx = &self.db;
        for t in TABLES {
            if let Some(ids) = changes.deletes.get(t.name) {
                let mut st = tx
                    .prepare(&format!("DELETE FROM {} WHERE id = ?1", t.name))
                    .map_err(|e| sink_err("write", e))?;
                for id in ids {
                    st.execute([id]).map_err(|e| sink_err("write", e))?;
                }
            }
            let Some(rows) = changes.upserts.get(t.name) else {
                continue;
            };
            let marks: Vec<String> = (1..=t.cols.len()).map(|i| format!("?{i}")).collect();
            let sql = super::upsert(t, &format!("VALUES ({})", marks.join(", ")));
            let mut st = tx.prepare(&sql).map_err(|e| sink_err("write", e))?;
            for row in rows {
                st.execute(rusqlite::params_from_iter(row.iter()))
                    .map_err(|e| sink_err("write", e))?;
            }
        }
        Ok(())
    }
}
