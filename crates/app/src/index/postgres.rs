//! The index in PostgreSQL: rows go in with COPY into a temporary table,
//! then one upsert per table (millions of rows without a round trip each).

use super::{Changes, Sink, TABLES, Ty, Val, sink_err};
use crate::app::Result;
use std::collections::HashSet;
use std::io::Write;

pub(crate) struct Postgres {
    db: postgres::Client,
}

fn sql_type(t: Ty) -> &'static str {
    match t {
        Ty::Text => "text",
        Ty::Date => "date",
        Ty::Int => "bigint",
        Ty::Bool => "boolean",
    }
}

/// A value in COPY's text format: `\N` for null, `\\`, tab, newline and
/// carriage return escaped.
fn copy_field(v: &Val, out: &mut Vec<u8>) {
    match v {
        Val::Null => out.extend_from_slice(b"\\N"),
        Val::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Val::Bool(b) => out.extend_from_slice(if *b { b"t" } else { b"f" }),
        Val::Text(s) => {
            for b in s.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
    }
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres> {
        let db = postgres::Client::connect(url, postgres::NoTls).map_err(|e| sink_err("connect", e))?;
        Ok(Postgres { db })
    }
}

impl Sink for Postgres {
    fn prepare(&mut self, rebuild: bool) -> Result<()> {
        self.db
            .batch_execute(&super::schema(rebuild, sql_type))
            .map_err(|e| sink_err("create the tables", e))
    }

    fn indexed(&mut self) -> Result<HashSet<String>> {
        let rows = self
            .db
            .query("SELECT id FROM batches", &[])
            .map_err(|e| sink_err("read", e))?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    fn begin(&mut self) -> Result<()> {
        self.db.batch_execute("BEGIN").map_err(|e| sink_err("write", e))
    }

    fn commit(&mut self) -> Result<()> {
        self.db.batch_execute("COMMIT").map_err(|e| sink_err("commit", e))
    }

    fn put(&mut self, changes: &Changes) -> Result<()> {
        let tx = &mut self.db;
        for t in TABLES {
            if let Some(ids) = changes.deletes.get(t.name) {
                tx.execute(&format!("DELETE FROM {} WHERE id = ANY($1)", t.name), &[ids])
                    .map_err(|e| sink_err("write", e))?;
            }
            let Some(rows) = changes.upserts.get(t.name) else {
                continue;
            };
            if rows.is_empty() {
                continue;
            }
            let names: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
            let stage = format!("stage_{}", t.name);
            tx.batch_execute(&format!(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; TRUNCATE {stage}",
                t.name
            ))
            .map_err(|e| sink_err("write", e))?;
            {
                let mut w = tx
                    .copy_in(&format!("COPY {stage} ({}) FROM STDIN", names.join(", ")))
                    .map_err(|e| sink_err("write", e))?;
                let mut buf = Vec::with_capacity(1 << 20);
                for row in rows {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            buf.push(b'\t');
                        }
                        copy_field(v, &mut buf);
                    }
                    buf.push(b'\n');
                    if buf.len() >= 1 << 20 {
                        w.write_all(&buf).map_err(|e| sink_err("write", e))?;
                        buf.clear();
                    }
                }
                w.write_all(&buf).map_err(|e| sink_err("write", e))?;
                w.finish().map_err(|e| sink_err("write", e))?;
            }
            let cols = names.join(", ");
            tx.batch_execute(&super::upsert(t, &format!("SELECT {cols} FROM {stage}")))
                .map_err(|e| sink_err("write", e))?;
        }
        Ok(())
    }
}
