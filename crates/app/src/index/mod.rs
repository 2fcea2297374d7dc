//! The head-office index (`cscaudit index`): the signed logs of every
//! engagement and programme this copy holds, folded into SQL tables that
//! head office can query across all clients — `programmes`, `engagements`,
//! `certificates`, `findings`, `actions`, `members` — each row naming the
//! batch it came from (the batch of the record's latest change), beside a
//! `batches` ledger of every batch indexed with how its signature verified.
//!
//! Incremental: only batches not in the ledger are read, and only the
//! records they touch are written again; a second run adds nothing.
//! Idempotent (upserts keyed by record), rebuildable from nothing
//! (`rebuild`), one transaction per run. Never a write path back: the
//! index is read from the database and nothing flows the other way.
//!
//! Two targets share the tables: SQLite (a file, embedded) and PostgreSQL.

mod postgres;
mod sqlite;

use crate::app::{App, AppError, Result, Signature};
use crate::crypto::sign::SignedBatch;
use crate::model::ops::{EntityId, Kind, Op};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Where the index goes.
#[derive(Clone, Debug)]
pub enum Target {
    Sqlite(std::path::PathBuf),
    /// A libpq-style URL or key=value string (`postgresql://user@host/db`,
    /// `host=/run/postgresql dbname=audits`).
    Postgres(String),
}

/// A column's SQL type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Text,
    Int,
    Date,
    Bool,
}

/// A table of the index: its name and columns; the first column, `id`, is
/// its key.
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: &'static [(&'static str, Ty)],
}

use Ty::*;

/// Every table, in the order they are written.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "batches",
        cols: &[
            ("id", Text),
            ("scope", Text),
            ("actor", Text),
            ("first_seq", Int),
            ("last_seq", Int),
            ("ops", Int),
            ("signature", Text),
            ("fingerprint", Text),
        ],
    },
    Table {
        name: "programmes",
        cols: &[
            ("id", Text),
            ("title", Text),
            ("client", Text),
            ("client_code", Text),
            ("creator", Text),
            ("current_engagement", Text),
            ("engagements", Int),
            ("batch", Text),
        ],
    },
    Table {
        name: "engagements",
        cols: &[
            ("id", Text),
            ("programme", Text),
            ("kind", Text),
            ("title", Text),
            ("auditee", Text),
            ("period_start", Date),
            ("period_end", Date),
            ("closed_on", Date),
            ("decision", Text),
            ("decided_on", Date),
            ("created_by", Text),
            ("batch", Text),
        ],
    },
    Table {
        name: "certificates",
        cols: &[
            ("id", Text),
            ("engagement", Text),
            ("programme", Text),
            ("number", Text),
            ("scope", Text),
            ("issued", Date),
            ("valid_until", Date),
            ("status", Text),
            ("batch", Text),
        ],
    },
    Table {
        name: "findings",
        cols: &[
            ("id", Text),
            ("engagement", Text),
            ("reference", Text),
            ("grade", Text),
            ("status", Text),
            ("title", Text),
            ("raised_by", Text),
            ("raised_on", Date),
            ("closure_due", Date),
            ("closed_on", Date),
            ("batch", Text),
        ],
    },
    Table {
        name: "actions",
        cols: &[
            ("id", Text),
            ("engagement", Text),
            ("finding", Text),
            ("owner", Text),
            ("due", Date),
            ("status", Text),
            ("progress", Int),
            ("completed_on", Date),
            ("batch", Text),
        ],
    },
    Table {
        name: "members",
        cols: &[
            ("id", Text),
            ("scope", Text),
            ("actor", Text),
            ("name", Text),
            ("role", Text),
            ("key_fingerprint", Text),
            ("has_left", Bool),
            ("registration_until", Date),
            ("batch", Text),
        ],
    },
];

/// The tables (and the indexes the README's queries use), dropped first
/// when `rebuild`; `sql_type` names each column type in the target's SQL.
pub(crate) fn schema(rebuild: bool, sql_type: fn(Ty) -> &'static str) -> String {
    let mut sql = String::new();
    for t in TABLES {
        if rebuild {
            sql.push_str(&format!("DROP TABLE IF EXISTS {};\n", t.name));
        }
        let cols: Vec<String> = t
            .cols
            .iter()
            .enumerate()
            .map(|(i, (c, ty))| {
                let key = if i == 0 { " PRIMARY KEY" } else { "" };
                format!("{c} {}{key}", sql_type(*ty))
            })
            .collect();
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS {} ({});\n",
            t.name,
            cols.join(", ")
        ));
    }
    sql.push_str(
        "CREATE INDEX IF NOT EXISTS findings_engagement ON findings (engagement);\n\
         CREATE INDEX IF NOT EXISTS actions_due ON actions (due);\n\
         CREATE INDEX IF NOT EXISTS members_actor ON members (actor);\n",
    );
    sql
}

/// `INSERT INTO t (cols) <rows> ON CONFLICT (id) DO UPDATE …`: `rows` is
/// a `VALUES (…)` or a `SELECT …` giving every column in order.
pub(crate) fn upsert(t: &Table, rows: &str) -> String {
    let names: Vec<&str> = t.cols.iter().map(|(c, _)| *c).collect();
    let sets: Vec<String> = names[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
    format!(
        "INSERT INTO {} ({}) {rows} ON CONFLICT (id) DO UPDATE SET {}",
        t.name,
        names.join(", "),
        sets.join(", ")
    )
}

/// A value of a row (dates are `YYYY-MM-DD` text).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

/// Text as the tables hold it: without NUL (PostgreSQL's text refuses it).
fn text(s: &str) -> Val {
    Val::Text(s.replace('\0', ""))
}

/// A date as `YYYY-MM-DD`; none before year 1 (no SQL date type holds it).
fn opt_date(d: Option<jiff::civil::Date>) -> Val {
    d.filter(|d| d.year() >= 1)
        .map_or(Val::Null, |d| Val::Text(d.to_string()))
}

fn opt_text(s: Option<&str>) -> Val {
    s.map_or(Val::Null, text)
}

/// What one run writes: rows to put (by table), ids to delete (by table).
#[derive(Default)]
pub(crate) struct Changes {
    pub upserts: BTreeMap<&'static str, Vec<Vec<Val>>>,
    pub deletes: BTreeMap<&'static str, Vec<String>>,
}

/// A target the index is written to: one transaction per run, rows put
/// in slices (a million findings are never all held at once).
pub(crate) trait Sink {
    /// Create the tables that are missing (dropping them all first when `rebuild`).
    fn prepare(&mut self, rebuild: bool) -> Result<()>;
    /// The ids in the `batches` ledger.
    fn indexed(&mut self) -> Result<HashSet<String>>;
    fn begin(&mut self) -> Result<()>;
    /// Write a slice of the run's changes (inside the transaction).
    fn put(&mut self, changes: &Changes) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
}

/// Rows held before they are put.
const SLICE: usize = 50_000;

/// What a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct IndexReport {
    /// Batches held here in all, and those indexed by this run.
    pub batches_held: usize,
    pub batches_new: usize,
    /// Of the new ones: signatures that verified with the author's
    /// registered key, and changes made without a key (a batch that does
    /// not verify fails the run: see [`index`]).
    pub verified: usize,
    pub unsigned: usize,
    /// Rows written (inserted or updated) by table, and rows deleted.
    pub rows: BTreeMap<String, usize>,
    pub deleted: usize,
    pub seconds: f64,
}

impl IndexReport {
    pub fn batches_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.batches_new as f64 / self.seconds
        } else {
            0.0
        }
    }
}

fn sink_err(what: &str, e: impl std::fmt::Display) -> AppError {
    let e = crate::text::visible(&e.to_string()).into_owned();
    // The step in the reader's language.
    let zh = match what {
        "open" => "打开",
        "connect" => "连接",
        "create the tables" => "建表",
        "read" => "读取",
        "commit" => "提交",
        _ => "写入",
    };
    AppError::Invalid(crate::msg!("the index: {what}: {e}", "索引：{zh}：{e}"))
}

/// A batch as the index sees it: a signed one, or one change made
/// without a key (the ledger's `unsigned:` rows).
struct Unit {
    id: String,
    scope: String,
    actor: String,
    first: u64,
    last: u64,
    /// A batch not in the ledger yet: itself, to check each op against.
    fresh: Option<SignedBatch>,
}

/// What the signature of a new batch came to.
enum Proof {
    Verified(String),
    Unsigned,
    Refused(String),
    /// A format-1 batch: proven through its first op read.
    Pending,
}

/// The steps of a run, as `progress` hears them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Verifying,
    Writing,
}

impl Step {
    pub fn words(self) -> crate::message::Msg {
        match self {
            Step::Verifying => crate::msg!("verifying signatures", "正在核验签名"),
            Step::Writing => crate::msg!("reading the records and writing rows", "正在读取记录并写入"),
        }
    }
}

/// Index everything this copy holds into `target`; `progress` hears each step.
pub fn index(app: &App, target: &Target, rebuild: bool, progress: &dyn Fn(Step)) -> Result<IndexReport> {
    let started = std::time::Instant::now();
    let mut sink: Box<dyn Sink> = match target {
        Target::Sqlite(p) => Box::new(sqlite::Sqlite::open(p)?),
        Target::Postgres(url) => Box::new(postgres::Postgres::connect(url)?),
    };
    // One transaction from the start: a failed --rebuild leaves the old tables.
    sink.begin()?;
    sink.prepare(rebuild)?;
    let known = sink.indexed()?;
    // Every batch held; the new ones kept to check their ops against.
    let mut units: Vec<Unit> = Vec::new();
    let mut held_ops = 0u64;
    for b in app.store().signed_batches() {
        let b = b?;
        held_ops += b.last() - b.first + 1;
        let id = b.id();
        let fresh = !known.contains(&id);
        units.push(Unit {
            id,
            scope: b.engagement.clone(),
            actor: b.actor.clone(),
            first: b.first,
            last: b.last(),
            fresh: fresh.then_some(b),
        });
    }
    let mut report = IndexReport {
        batches_held: units.len(),
        ..Default::default()
    };
    // Changes made without a key are not in any batch.
    let loose = held_ops != app.op_count() as u64 || known.iter().any(|k| k.starts_with("unsigned:"));
    if !loose && units.iter().all(|u| u.fresh.is_none()) {
        sink.commit()?;
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }
    // Which batch holds each op: per actor, by first seq.
    let mut by_actor: HashMap<String, Vec<(u64, u64, usize)>> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        by_actor
            .entry(unit.actor.clone())
            .or_default()
            .push((unit.first, unit.last, u));
    }
    for v in by_actor.values_mut() {
        v.sort_unstable();
    }
    let unit_of = |op: &Op| -> Option<usize> {
        let v = by_actor.get(op.id.actor.as_str())?;
        let i = v.partition_point(|(f, _, _)| *f <= op.id.seq).checked_sub(1)?;
        let (f, l, u) = v[i];
        (f <= op.id.seq && op.id.seq <= l).then_some(u)
    };
    // The new batches' signatures, each against its author's keys.
    progress(Step::Verifying);
    let mut proofs: HashMap<usize, Proof> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        let Some(b) = &unit.fresh else { continue };
        let proof = match app.batch_proof(b)? {
            Some(Signature::Verified { fingerprint }) => Proof::Verified(fingerprint),
            Some(Signature::Unsigned) => Proof::Unsigned,
            Some(Signature::Invalid { why }) => Proof::Refused(why),
            None => Proof::Pending,
        };
        proofs.insert(u, proof);
    }
    // A batch that does not verify: nothing is written (the records it
    // touched hold its changes too), and the run says which.
    refuse_if_any(&units, &proofs)?;
    // One pass over the records: each op of a new batch checked against
    // what was signed; each record a new batch touched written again.
    progress(Step::Writing);
    let mut changes = Changes::default();
    let mut ops_in: HashMap<usize, i64> = HashMap::new();
    let mut loose_new: BTreeMap<String, (String, String, u64)> = BTreeMap::new();
    let mut programmes: BTreeMap<String, Val> = BTreeMap::new();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut deleted = 0;
    let flush = |changes: &mut Changes, sink: &mut Box<dyn Sink>, rows: &mut BTreeMap<String, usize>| -> Result<()> {
        for (t, r) in &changes.upserts {
            *rows.entry(t.to_string()).or_default() += r.len();
        }
        sink.put(changes)?;
        *changes = Changes::default();
        Ok(())
    };
    app.store().for_each_record_ops(|ops: Vec<Op>| -> Result<()> {
        let mut touched = false;
        for op in &ops {
            let Some(u) = unit_of(op) else {
                let id = format!("unsigned:{}:{}", op.id.actor, op.id.seq);
                if !known.contains(&id) {
                    let scope = op.entity.id.split('/').next().unwrap_or_default().to_string();
                    loose_new.insert(id, (scope, op.id.actor.clone(), op.id.seq));
                    touched = true;
                }
                continue;
            };
            let Some(proof) = proofs.get_mut(&u) else { continue };
            if let Proof::Pending = proof {
                *proof = match app.signatures_of(std::slice::from_ref(op))?.pop() {
                    Some(Signature::Verified { fingerprint }) => Proof::Verified(fingerprint),
                    Some(Signature::Invalid { why }) => Proof::Refused(why),
                    _ => Proof::Unsigned,
                };
            }
            if let Proof::Refused(_) = proof {
                continue;
            }
            if let Some(b) = &units[u].fresh
                && b.is_signed()
                && b.hash_of(op.id.seq) != Some(b.hash_op(op))
            {
                *proof = Proof::Refused("a change differs from what was signed (altered)".into());
                continue;
            }
            *ops_in.entry(u).or_default() += 1;
            touched = true;
        }
        let Some(last) = ops.last().filter(|_| touched) else {
            return Ok(());
        };
        let e = &last.entity;
        let batch = match unit_of(last) {
            Some(u) => text(&units[u].id),
            None => Val::Text(format!("unsigned:{}:{}", last.id.actor, last.id.seq)),
        };
        if e.kind == Kind::Programme {
            programmes.insert(e.id.clone(), batch);
            return Ok(());
        }
        match rows_of(app, e, batch.clone(), &mut changes)? {
            Written::Deleted => deleted += 1,
            // Its programme's row counts its engagements and names the current one.
            Written::Row { programme: Some(p) } => {
                programmes.entry(p).or_insert(batch);
            }
            Written::Row { programme: None } => {}
        }
        if changes.upserts.values().map(Vec::len).sum::<usize>() >= SLICE {
            flush(&mut changes, &mut sink, &mut rows)?;
        }
        Ok(())
    })?;
    if !programmes.is_empty() {
        let lines: HashMap<String, crate::app::cycle::PortfolioLine> =
            app.portfolio()?.into_iter().map(|l| (l.programme.clone(), l)).collect();
        let mut records: HashMap<String, crate::app::programme::Programme> =
            app.programmes()?.into_iter().map(|p| (p.id.clone(), p)).collect();
        for (id, batch) in programmes {
            let record = records.remove(&id);
            let line = lines.get(&id);
            if record.is_none() && line.is_none() {
                changes.deletes.entry("programmes").or_default().push(id);
                deleted += 1;
                continue;
            }
            let client = record
                .as_ref()
                .map(|p| p.client.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| line.map(|l| l.client.clone()))
                .unwrap_or_default();
            changes.upserts.entry("programmes").or_default().push(vec![
                text(&id),
                text(record.as_ref().map_or("", |p| p.title.as_str())),
                text(&client),
                text(record.as_ref().map_or("", |p| p.client_code.as_str())),
                opt_text(record.as_ref().and_then(|p| p.creator.as_deref())),
                opt_text(line.map(|l| l.current.as_str())),
                Val::Int(line.map_or(0, |l| l.engagements.len() as i64)),
                batch,
            ]);
        }
    }
    // An op that differs from what its batch signed: the transaction is
    // dropped, so nothing of this run is written.
    refuse_if_any(&units, &proofs)?;
    flush(&mut changes, &mut sink, &mut rows)?;
    // The ledger: every new batch.
    let mut ledger = Vec::new();
    for (u, proof) in &proofs {
        let unit = &units[*u];
        let (state, fingerprint) = match proof {
            Proof::Verified(f) => ("verified", Some(f.as_str())),
            Proof::Unsigned | Proof::Pending => ("unsigned", None),
            // `refuse_if_any` ended the run before the ledger.
            Proof::Refused(_) => continue,
        };
        if state == "verified" {
            report.verified += 1;
        } else {
            report.unsigned += 1;
        }
        ledger.push(vec![
            text(&unit.id),
            text(&unit.scope),
            text(&unit.actor),
            Val::Int(unit.first as i64),
            Val::Int(unit.last as i64),
            Val::Int(ops_in.get(u).copied().unwrap_or(0)),
            text(state),
            opt_text(fingerprint),
        ]);
    }
    for (id, (scope, actor, seq)) in loose_new {
        report.unsigned += 1;
        ledger.push(vec![
            Val::Text(id),
            Val::Text(scope),
            Val::Text(actor),
            Val::Int(seq as i64),
            Val::Int(seq as i64),
            Val::Int(1),
            text("unsigned"),
            Val::Null,
        ]);
    }
    report.batches_new = ledger.len();
    changes.upserts.insert("batches", ledger);
    sink.put(&changes)?;
    sink.commit()?;
    report.rows = rows;
    report.deleted = deleted;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Refuse the run when any new batch was refused, naming each (the
/// transaction is dropped with the sink: nothing is written).
fn refuse_if_any(units: &[Unit], proofs: &HashMap<usize, Proof>) -> Result<()> {
    let mut bad: Vec<String> = proofs
        .iter()
        .filter_map(|(u, p)| match p {
            Proof::Refused(why) => {
                let who = crate::text::visible(&units[*u].actor).into_owned();
                let why = crate::text::visible(why).into_owned();
                Some(format!("{} ({who}): {why}", units[*u].id))
            }
            _ => None,
        })
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    bad.sort();
    let list = bad.join("; ");
    Err(AppError::Invalid(crate::msg!(
        "the index: a batch held here does not verify, so nothing was written (run `cscaudit doctor`): {list}",
        "索引：本机所存批次未通过核验，未写入任何内容（请运行 `cscaudit doctor`）：{list}"
    )))
}

/// What [`rows_of`] wrote for a record.
enum Written {
    /// Its rows (an engagement's names its programme).
    Row { programme: Option<String> },
    /// Its deletion.
    Deleted,
}

/// The rows of one record, or its deletion, by its kind.
fn rows_of(app: &App, e: &EntityId, batch: Val, out: &mut Changes) -> Result<Written> {
    use crate::model::action::CorrectiveAction;
    use crate::model::engagement::{Engagement, Member};
    use crate::model::finding::Finding;
    let table = match e.kind {
        Kind::Engagement => "engagements",
        Kind::Finding => "findings",
        Kind::Action => "actions",
        Kind::Member => "members",
        _ => return Ok(Written::Row { programme: None }),
    };
    let rec = app.store().record(e)?.filter(|r| !r.deleted);
    let Some(rec) = rec else {
        out.deletes.entry(table).or_default().push(e.id.clone());
        if e.kind == Kind::Engagement {
            out.deletes.entry("certificates").or_default().push(e.id.clone());
        }
        return Ok(Written::Deleted);
    };
    let mut named = None;
    let mut put = |t: &'static str, row: Vec<Val>| out.upserts.entry(t).or_default().push(row);
    match e.kind {
        Kind::Engagement => {
            let g = Engagement::from_record(&rec)?;
            named = g.programme.clone().filter(|p| !p.is_empty());
            let programme = opt_text(named.as_deref());
            put(
                table,
                vec![
                    text(&g.id),
                    programme.clone(),
                    text(g.kind.as_str()),
                    text(&g.title),
                    text(&g.auditee),
                    opt_date(g.period_start),
                    opt_date(g.period_end),
                    opt_date(g.closed_on),
                    opt_text(g.decision.as_ref().map(|d| d.outcome.as_str())),
                    opt_date(g.decision.as_ref().and_then(|d| d.on)),
                    text(&g.created_by),
                    batch.clone(),
                ],
            );
            match &g.certificate {
                Some(c) => put(
                    "certificates",
                    vec![
                        text(&g.id),
                        text(&g.id),
                        programme,
                        text(&c.number),
                        text(&c.scope),
                        opt_date(Some(c.issued)),
                        opt_date(Some(c.valid_until)),
                        text(c.status.as_str()),
                        batch,
                    ],
                ),
                None => out.deletes.entry("certificates").or_default().push(g.id.clone()),
            }
        }
        Kind::Finding => {
            let f = Finding::from_record(&rec)?;
            put(
                table,
                vec![
                    text(&e.id),
                    text(&f.engagement),
                    text(&f.reference),
                    text(f.grade.as_str()),
                    text(f.status.as_str()),
                    text(&f.title),
                    text(&f.raised_by),
                    opt_date(f.raised_on),
                    opt_date(f.closure_due),
                    opt_date(f.closed_on),
                    batch,
                ],
            );
        }
        Kind::Action => {
            let a = CorrectiveAction::from_record(&rec)?;
            put(
                table,
                vec![
                    text(&e.id),
                    text(&a.engagement),
                    text(&a.finding),
                    text(&a.owner),
                    opt_date(a.due),
                    text(a.status.as_str()),
                    Val::Int(i64::from(a.progress)),
                    opt_date(a.completed_on),
                    batch,
                ],
            );
        }
        Kind::Member => {
            let m = Member::from_record(&rec)?;
            let fp = m
                .key
                .as_deref()
                .filter(|_| !m.has_left())
                .and_then(crate::crypto::sign::fingerprint_of_text);
            let scope = e.id.rsplit_once('/').map_or("", |(s, _)| s);
            put(
                table,
                vec![
                    text(&e.id),
                    text(scope),
                    text(&m.actor),
                    text(&m.name),
                    text(m.role.as_str()),
                    opt_text(fp.as_deref()),
                    Val::Bool(m.has_left()),
                    opt_date(m.registration_until),
                    batch,
                ],
            );
        }
        _ => {}
    }
    Ok(Written::Row { programme: named })
}
