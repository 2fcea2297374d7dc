//! Every teammate's change passes here, from a bundle or a ref: each batch is
//! judged on its own against the engagement state of its causal past (its
//! parents), never against the latest state or its own contents. A refused
//! batch is reported (author, numbers, reason) and nothing of it is applied;
//! good batches are merged.
//!
//! The causal past of a batch is read off its parents: each names an actor's
//! last batch the author had seen, and an actor's batches of one engagement
//! form a chain, so an operation `actor#seq` of the engagement is in the past
//! exactly when `seq` is at most the parent's number for `actor` (a vector
//! clock). History from before batches named their parents (format 1) is in
//! every batch's past.
//!
//! Length: the one gate for a teammate's operations: the causal past and every
//! per-batch check together, so there is no path around them.

use super::{App, Result};
use crate::crypto::sign::BatchSignature;
use crate::crypto::sign::{Head, SignedBatch, op_hash, parse_public};
use crate::message::Msg;
use crate::model::authority::{self, Past, Team};
use crate::model::engagement::REVOKED;
use crate::model::fields::{FieldName, MemberField as MF};
use crate::model::ops::{Change, EntityId, Kind, Op, Record, Value, sort_ops};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// How far ahead of this machine's clock a teammate's clock may run. Clocks
/// only order concurrent edits; a clock far ahead would stamp every later
/// change of everyone who syncs (a change made "in 2099" always wins), so a
/// batch beyond it is refused. One day covers a laptop set to the wrong
/// time zone by hand, not a clock moved to win.
pub const MAX_SKEW_MS: u64 = 24 * 3600 * 1000;

/// Sequence numbers stop here (2^53: exact in every JSON reader); a batch
/// past it is refused, so nobody can push an author's own numbering to the
/// end of its range.
pub const MAX_SEQ: u64 = 1 << 53;

/// A batch refused, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub author: String,
    pub first: u64,
    pub last: u64,
    pub reason: Msg,
    /// Refused for now: what it follows has not arrived yet (a later sync
    /// or import may accept it); otherwise refused for good.
    pub waiting: bool,
}

impl Refused {
    fn of(b: &SignedBatch, reason: Msg, waiting: bool) -> Refused {
        Refused {
            author: b.actor.clone(),
            first: b.first,
            last: b.last(),
            reason,
            waiting,
        }
    }
    pub fn line(&self, lang: crate::config::Lang) -> String {
        let (a, f, l) = (crate::text::visible(&self.author), self.first, self.last);
        let range = if f == l {
            format!("{a}#{f}")
        } else {
            format!("{a}#{f}–{l}")
        };
        format!("{range}: {}", self.reason.get(lang))
    }
}

/// Ops and batches of other scopes, by scope ([`App::split_scopes`]).
pub type Carried = BTreeMap<String, (Vec<Op>, Vec<SignedBatch>)>;

/// What [`App::ingest_carried`] took and refused.
#[derive(Debug, Default)]
pub struct CarriedReport {
    pub merged: crate::store::MergeReport,
    pub signed: usize,
    pub unsigned: usize,
    pub refused: Vec<Refused>,
}

/// What [`App::judge_batches`] decided.
#[derive(Debug, Default)]
pub struct Judged {
    /// The ops of accepted batches (in log order) and the batches.
    pub ops: Vec<Op>,
    pub batches: Vec<SignedBatch>,
    pub refused: Vec<Refused>,
    /// Ops already held, as received.
    pub known: usize,
    pub signed: usize,
    pub unsigned: usize,
    /// An accepted batch created the engagement here.
    pub genesis: bool,
    /// Batches held here that an accepted removal refuses: taken back.
    pub retract: Vec<SignedBatch>,
    /// Ids of batches refused by a removal (remembered).
    pub removed: Vec<String>,
}

fn msg(en: String, zh: String) -> Msg {
    Msg::new(en, zh)
}

/// The vector clock of a batch: per actor, the last number in its past.
type Clock = BTreeMap<String, u64>;

fn clock_of(b: &SignedBatch) -> Clock {
    b.parents.iter().map(|p| (p.actor.clone(), p.seq)).collect()
}

/// The state of the causal past of one batch.
struct CausalPast<'a> {
    app: &'a App,
    team: Team,
    clock: &'a Clock,
    accepted: &'a HashMap<EntityId, Vec<Op>>,
    history: &'a mut HashMap<EntityId, Vec<Op>>,
    batched: &'a mut HashMap<(String, u64), bool>,
}

impl CausalPast<'_> {
    fn in_past(&mut self, op: &Op) -> bool {
        in_past(self.app, self.batched, self.clock, op)
    }
}

/// Whether a held op is in the past of a batch with `clock`: an op of a
/// format-2 batch when its number is within the clock, an older one always.
fn in_past(app: &App, batched: &mut HashMap<(String, u64), bool>, clock: &Clock, op: &Op) -> bool {
    if clock.get(&op.id.actor).is_some_and(|s| op.id.seq <= *s) {
        return true;
    }
    let key = (op.id.actor.clone(), op.id.seq);
    let v2 = *batched.entry(key).or_insert_with(|| {
        app.store()
            .signed_batch(&op.id.actor, op.id.seq)
            .ok()
            .flatten()
            .is_some_and(|b| b.v >= 2)
    });
    !v2
}

impl Past for CausalPast<'_> {
    fn team(&self) -> &Team {
        &self.team
    }
    fn record(&mut self, e: &EntityId) -> Option<Record> {
        if !self.history.contains_key(e) {
            let h = self.app.store().history(e).unwrap_or_default();
            self.history.insert(e.clone(), h);
        }
        let mut ops: Vec<Op> = Vec::new();
        for op in self.history[e].clone() {
            if self.in_past(&op) {
                ops.push(op);
            }
        }
        if let Some(acc) = self.accepted.get(e) {
            ops.extend(
                acc.iter()
                    .filter(|o| self.clock.get(&o.id.actor).is_some_and(|s| o.id.seq <= *s))
                    .cloned(),
            );
        }
        if ops.is_empty() {
            return None;
        }
        Some(Record::fold(e.clone(), &ops))
    }
    fn elsewhere(&mut self, e: &EntityId) -> Option<Record> {
        self.app.store().record(e).ok().flatten()
    }
    fn team_elsewhere(&mut self, engagement: &str) -> Team {
        self.app.held_team(engagement).unwrap_or_default()
    }
}

impl App {
    /// Split off what arrived with an engagement's changes but belongs to
    /// another scope (its programme's team and decisions): the ops of each
    /// batch go with the batch's scope. Returns the engagement's own ops and
    /// batches, and the others by scope.
    pub fn split_scopes(main: &str, ops: Vec<Op>, batches: Vec<SignedBatch>) -> (Vec<Op>, Vec<SignedBatch>, Carried) {
        let mut carried: Carried = BTreeMap::new();
        let mut own_batches = Vec::new();
        let mut ranges: HashMap<&str, Vec<(u64, u64, String)>> = HashMap::new();
        for b in &batches {
            if b.v >= 2 && b.engagement != main {
                ranges
                    .entry(b.actor.as_str())
                    .or_default()
                    .push((b.first, b.last(), b.engagement.clone()));
            }
        }
        let mut own_ops = Vec::new();
        for op in ops {
            let scope = ranges
                .get(op.id.actor.as_str())
                .and_then(|rs| rs.iter().find(|(f, l, _)| *f <= op.id.seq && op.id.seq <= *l))
                .map(|(_, _, s)| s.clone());
            match scope {
                Some(s) => carried.entry(s).or_default().0.push(op),
                None => own_ops.push(op),
            }
        }
        drop(ranges);
        for b in batches {
            if b.v >= 2 && b.engagement != main {
                carried.entry(b.engagement.clone()).or_default().1.push(b);
            } else {
                own_batches.push(b);
            }
        }
        (own_ops, own_batches, carried)
    }

    /// Judge and apply what came along with `main`'s changes for other
    /// scopes: only its programme's (named by `main` as held now) is taken;
    /// anything else is refused and reported. Call after `main`'s own
    /// changes are applied (a decision needs its engagement held).
    pub fn ingest_carried(&self, main: &str, carried: Carried) -> Result<CarriedReport> {
        let mut report = CarriedReport::default();
        let held = self.store().record(&EntityId::new(Kind::Engagement, main))?;
        let text = |f: &str| {
            held.as_ref()
                .and_then(|r| r.get_raw(f).and_then(Value::text))
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let (programme, bound) = (text("programme"), text("programme_genesis"));
        for (scope, (ops, batches)) in carried {
            // Only the programme the engagement is bound to (by genesis):
            // another one under its name is never taken in.
            // (Before the engagement is bound, its programme's record and
            // team come in by name, so that its lead can bind it; decisions
            // on it wait for the binding.)
            let other = batches
                .iter()
                .find(|b| bound.as_deref().is_some_and(|g| g != b.genesis_id().as_str()));
            if programme.as_deref() != Some(scope.as_str()) || other.is_some() {
                let s = crate::text::visible(&scope).into_owned();
                for b in &batches {
                    report.refused.push(Refused::of(
                        b,
                        msg(
                            format!(
                                "a batch of {s}, which is neither {main} nor the programme {main} is bound to (by its genesis)"
                            ),
                            format!("属于 {s} 的批次，既不是 {main}，也不是 {main} 所绑定（按创建批次）的认证方案"),
                        ),
                        false,
                    ));
                }
                continue;
            }
            let judged = self.judge_batches(&scope, ops, batches)?;
            report.signed += judged.signed;
            report.unsigned += judged.unsigned;
            report.refused.extend(judged.refused.iter().cloned());
            report.merged.add(&self.apply_judged(judged)?);
        }
        Ok(report)
    }

    /// The operations of `all` a scope's refs carry: an engagement's own
    /// (by record), and for a programme also those in its batches (the
    /// decisions it records on its engagements).
    pub fn scope_ops(&self, all: &[Op], scope: &str, programme: bool) -> Result<Vec<Op>> {
        let mut out = crate::bundle::engagement_ops_of(all, scope);
        if programme {
            let mut ranges: Vec<(String, u64, u64)> = Vec::new();
            for m in self.team(scope)? {
                for b in self.store().batches_of_actor(&m.actor)? {
                    if b.engagement == scope {
                        ranges.push((b.actor.clone(), b.first, b.last()));
                    }
                }
            }
            let held: HashSet<(String, u64)> = out.iter().map(|o| (o.id.actor.clone(), o.id.seq)).collect();
            out.extend(
                all.iter()
                    .filter(|o| {
                        ranges
                            .iter()
                            .any(|(a, f, l)| *a == o.id.actor && *f <= o.id.seq && o.id.seq <= *l)
                            && !held.contains(&(o.id.actor.clone(), o.id.seq))
                    })
                    .cloned(),
            );
            sort_ops(&mut out);
        }
        Ok(out)
    }

    /// Whether `scope` is a certification programme held here (its
    /// batches hold its team and its decisions).
    pub fn is_programme(&self, scope: &str) -> Result<bool> {
        Ok(self
            .store()
            .record(&EntityId::new(Kind::Programme, scope))?
            .is_some_and(|r| !r.deleted))
    }

    /// The genesis this copy holds for `engagement`: recorded with its
    /// first format-2 batch, or (an engagement from before) its legacy one.
    pub fn genesis_of(&self, engagement: &str) -> Result<Option<String>> {
        if let Some(g) = self.store().genesis(engagement)? {
            return Ok(Some(g));
        }
        if self
            .store()
            .record(&EntityId::new(Kind::Engagement, engagement))?
            .is_some()
        {
            return Ok(Some(self.legacy_genesis(engagement)?));
        }
        Ok(None)
    }

    /// The last batch of each author held for `engagement` (what the next
    /// batch names as its parents).
    pub fn heads_of(&self, engagement: &str) -> Result<Vec<Head>> {
        Ok(self.store().heads(engagement)?.into_values().collect())
    }

    /// Who created an engagement, as its genesis held here tells.
    fn creator_by_genesis(&self, engagement: &str, genesis: &str) -> Result<Option<String>> {
        if self.store().genesis(engagement)?.as_deref() == Some(genesis)
            && let Some(c) = self.store().genesis_creator(engagement)?
        {
            return Ok(Some(c));
        }
        // An engagement's creating op, or a programme's.
        for kind in [Kind::Engagement, Kind::Programme] {
            let h = self.store().history(&EntityId::new(kind, engagement))?;
            if let Some(o) = h.iter().find(|o| o.change == Change::Create) {
                return Ok(Some(o.id.actor.clone()));
            }
        }
        Ok(None)
    }

    /// Judge a teammate's batches of `engagement` (module doc); nothing is
    /// written. `ops` are the operations received (any order); an op in no
    /// batch, or in a batch of format 1, is refused.
    pub fn judge_batches(&self, engagement: &str, ops: Vec<Op>, batches: Vec<SignedBatch>) -> Result<Judged> {
        let mut out = Judged::default();
        let now = crate::store::now_ms();
        // Ops by id; ops held already (same content) are known.
        // Per author, by number: a B-tree gives its memory back as a
        // batch's ops are taken out (a map of a million ops would keep its
        // whole table to the end).
        let mut by_id: HashMap<String, BTreeMap<u64, Op>> = HashMap::new();
        let mut seen_sets: HashMap<String, crate::store::SeqSet> = HashMap::new();
        // Two different changes under one number: the copy that came second
        // is refused, whichever batch (held or not) claims the number.
        let mut doubled: Vec<Op> = Vec::new();
        for op in ops {
            let of_actor = match by_id.get_mut(&op.id.actor) {
                Some(m) => m,
                None => by_id.entry(op.id.actor.clone()).or_default(),
            };
            match of_actor.entry(op.id.seq) {
                std::collections::btree_map::Entry::Occupied(e) => {
                    if *e.get() != op {
                        doubled.push(op);
                    }
                }
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(op);
                }
            }
        }
        for op in doubled {
            out.refused.push(Refused {
                author: op.id.actor.clone(),
                first: op.id.seq,
                last: op.id.seq,
                waiting: false,
                reason: msg(
                    "a second, different change under the same number (an altered copy)".into(),
                    "同一序号下的第二项不同更改（被改动的副本）".into(),
                ),
            });
        }
        // Ranges first, joined once below: inserting numbers one by one into
        // a sorted set is quadratic on batches that arrive out of order.
        let mut covered_ranges: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
        let mut pending: Vec<SignedBatch> = Vec::new();
        let refuse = |out: &mut Judged, b: &SignedBatch, reason: Msg| out.refused.push(Refused::of(b, reason, false));
        // 1. Each batch on its own: format, engagement, numbers, content.
        let mut ids_seen: HashSet<String> = HashSet::new();
        for b in batches {
            let ranges = match covered_ranges.get_mut(&b.actor) {
                Some(r) => r,
                None => covered_ranges.entry(b.actor.clone()).or_default(),
            };
            ranges.push((b.first, b.last().min(b.first.saturating_add(b.hashes.len() as u64))));
            if b.v < 2 {
                refuse(
                    &mut out,
                    &b,
                    msg(
                        "made by an earlier cscaudit (batches of format 1 name no parents); ask its author to update cscaudit and send it again".into(),
                        "由早期版本的 cscaudit 生成（第 1 版批次未记录其前序批次）；请作者升级 cscaudit 后重新发送".into(),
                    ),
                );
                continue;
            }
            if b.engagement != engagement {
                let e = crate::text::visible(&b.engagement).into_owned();
                refuse(
                    &mut out,
                    &b,
                    msg(
                        format!("a batch of engagement {e}, not {engagement}"),
                        format!("属于审核项目 {e} 的批次，而非 {engagement}"),
                    ),
                );
                continue;
            }
            if !ids_seen.insert(b.id()) {
                continue;
            }
            let hex64 = |h: &str| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
            let well_formed = crate::app::validate_actor(&b.actor).is_ok()
                && crate::app::validate_actor(&b.engagement).is_ok()
                && (b.genesis.is_empty() || hex64(&b.genesis))
                && b.parents
                    .iter()
                    .all(|p| crate::app::validate_actor(&p.actor).is_ok() && hex64(&p.hash));
            if !well_formed {
                refuse(
                    &mut out,
                    &b,
                    msg(
                        "its header is not well formed (an author, parent or genesis that no cscaudit writes)".into(),
                        "其批次头格式不正确（作者、前序批次或创建批次不合规范）".into(),
                    ),
                );
                continue;
            }
            if b.hashes.is_empty()
                || b.first == 0
                || b.last() >= MAX_SEQ
                || b.first.checked_add(b.hashes.len() as u64).is_none()
            {
                refuse(
                    &mut out,
                    &b,
                    msg(
                        format!("its sequence numbers are out of range (1 to {MAX_SEQ})"),
                        format!("其序号超出范围（1 至 {MAX_SEQ}）"),
                    ),
                );
                continue;
            }
            if let Some(held) = self.store().batch_at(&b.actor, b.first)? {
                if held.id() == b.id() {
                    out.known += b.hashes.len();
                } else {
                    refuse(
                        &mut out,
                        &b,
                        msg(
                            format!(
                                "this copy holds another batch by {} with the same numbers: two people use the actor id {}, or it was altered",
                                b.actor, b.actor
                            ),
                            format!(
                                "本机已有 {} 的另一批同序号更改：两人使用了同一用户标识 {}，或内容被改动",
                                b.actor, b.actor
                            ),
                        ),
                    );
                }
                continue;
            }
            // Numbers are the author's own across engagements: a batch whose
            // numbers this copy already holds (for other changes) is not
            // merged — the held ones would silently win here and lose
            // elsewhere.
            if !seen_sets.contains_key(&b.actor) {
                seen_sets.insert(b.actor.clone(), self.store().seen(&b.actor)?);
            }
            if seen_sets[&b.actor].intersects(b.first, b.last()) {
                refuse(
                    &mut out,
                    &b,
                    msg(
                        format!(
                            "its numbers are already used here by other changes of {}: the same id writes on two copies, or the batch was forged",
                            b.actor
                        ),
                        format!(
                            "其序号在本机已被 {} 的其他更改使用：同一标识在两处写入，或批次被伪造",
                            b.actor
                        ),
                    ),
                );
                continue;
            }
            if b.parents.iter().any(|p| p.actor == b.actor && p.seq >= b.first) {
                refuse(
                    &mut out,
                    &b,
                    msg(
                        "its numbers do not follow its author's previous batch".into(),
                        "其序号未接续作者的上一批次".into(),
                    ),
                );
                continue;
            }
            pending.push(b);
        }
        let covered: HashMap<String, crate::store::SeqSet> = covered_ranges
            .into_iter()
            .map(|(a, r)| (a, crate::store::SeqSet::from_ranges(r)))
            .collect();
        // Ops in no batch (or only in refused ones) are not applied.
        let mut stray: BTreeMap<String, (u64, u64, usize)> = BTreeMap::new();
        for (actor, seq) in by_id.iter().flat_map(|(a, m)| m.keys().map(move |s| (a, s))) {
            if covered.get(actor).is_some_and(|c| c.contains(*seq)) {
                continue;
            }
            if !seen_sets.contains_key(actor) {
                seen_sets.insert(actor.clone(), self.store().seen(actor)?);
            }
            if seen_sets[actor].contains(*seq) {
                out.known += 1;
                continue;
            }
            let e = stray.entry(actor.clone()).or_insert((u64::MAX, 0, 0));
            e.0 = e.0.min(*seq);
            e.1 = e.1.max(*seq);
            e.2 += 1;
        }
        for (actor, (first, last, n)) in stray {
            out.refused.push(Refused {
                author: actor,
                first,
                last,
                waiting: false,
                reason: msg(
                    format!("{n} changes in no signed batch (made by an earlier cscaudit, or cut out of their batch)"),
                    format!("{n} 项更改不属于任何批次（由早期版本生成，或被从批次中截出）"),
                ),
            });
        }
        // 2. Each batch's ops: all there (or held), as hashed, clocks sane.
        let mut ready: Vec<(SignedBatch, Vec<Op>)> = Vec::new();
        'batch: for b in pending {
            let mut mine = Vec::with_capacity(b.hashes.len());
            for (i, h) in b.hashes.iter().enumerate() {
                let seq = b.first + i as u64;
                let op = match by_id.get_mut(&b.actor).and_then(|m| m.remove(&seq)) {
                    Some(op) => op,
                    None => {
                        refuse(
                            &mut out,
                            &b,
                            msg(
                                format!("change {}#{seq} of the batch is missing", b.actor),
                                format!("批次中的更改 {}#{seq} 缺失", b.actor),
                            ),
                        );
                        continue 'batch;
                    }
                };
                if op_hash(&op) != *h {
                    refuse(
                        &mut out,
                        &b,
                        msg(
                            format!("change {}#{seq} is not what its author signed (altered)", b.actor),
                            format!("更改 {}#{seq} 与作者签名的内容不符（已被篡改）", b.actor),
                        ),
                    );
                    continue 'batch;
                }
                if op.hlc.wall_ms > now.saturating_add(MAX_SKEW_MS) {
                    let ahead = (op.hlc.wall_ms - now) / 3_600_000;
                    refuse(
                        &mut out,
                        &b,
                        msg(
                            format!(
                                "its clock is {ahead} hours ahead of this computer's; clocks may run at most 24 hours ahead (a clock far ahead would win every later edit of everyone). Check the date on the author's computer, and on this one"
                            ),
                            format!(
                                "其时钟比本机快 {ahead} 小时；最多允许快 24 小时（时钟过快会压过此后所有人的修改）。请检查作者电脑和本机的日期"
                            ),
                        ),
                    );
                    continue 'batch;
                }
                if let Err((en, zh)) = crate::bundle::check_op_names(&op) {
                    refuse(&mut out, &b, msg(en, zh));
                    continue 'batch;
                }
                mine.push(op);
            }
            ready.push((b, mine));
        }
        // 3. In causal order (parents first), each against its past.
        self.judge_in_order(engagement, ready, &mut out)?;
        // 4. A removal accepted now refuses the removed member's batches it
        // had not seen: those accepted just now, and those held already.
        self.apply_removals(engagement, &mut out)?;
        sort_ops(&mut out.ops);
        Ok(out)
    }

    fn judge_in_order(&self, engagement: &str, ready: Vec<(SignedBatch, Vec<Op>)>, out: &mut Judged) -> Result<()> {
        let ids: Vec<String> = ready.iter().map(|(b, _)| b.id()).collect();
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        // Kahn's order over the incoming batches.
        let mut waiting: Vec<usize> = vec![0; ready.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); ready.len()];
        for (i, (b, _)) in ready.iter().enumerate() {
            for p in &b.parents {
                if let Some(&j) = index.get(p.hash.as_str()) {
                    waiting[i] += 1;
                    children[j].push(i);
                }
            }
        }
        let mut queue: BTreeSet<(String, u64, usize)> = ready
            .iter()
            .enumerate()
            .filter(|(i, _)| waiting[*i] == 0)
            .map(|(i, (b, _))| (b.actor.clone(), b.first, i))
            .collect();
        let mut state = Judging::default();
        let mut slots: Vec<Option<(SignedBatch, Vec<Op>)>> = ready.into_iter().map(Some).collect();
        let mut done = vec![false; slots.len()];
        while let Some(first) = queue.pop_first() {
            let i = first.2;
            done[i] = true;
            let (b, ops) = slots[i].take().expect("each batch once");
            let id = ids[i].clone();
            match self.judge_one(engagement, &b, &ops, &mut state)? {
                Ok(()) => {
                    state.accept(&b, id, &ops);
                    if b.is_signed() {
                        out.signed += ops.len();
                    } else {
                        out.unsigned += ops.len();
                    }
                    out.genesis |= b.is_genesis();
                    out.ops.extend(ops);
                    out.batches.push(b);
                }
                Err((reason, waiting)) => {
                    if waiting {
                        state.waiting.insert(id.clone());
                    }
                    if state.removed.contains(&id) {
                        out.removed.push(id.clone());
                    }
                    state.refused.insert(id);
                    out.refused.push(Refused::of(&b, reason, waiting));
                }
            }
            for &c in &children[i] {
                waiting[c] -= 1;
                if waiting[c] == 0
                    && let Some((cb, _)) = &slots[c]
                {
                    queue.insert((cb.actor.clone(), cb.first, c));
                }
            }
        }
        // Batches in a cycle of parents (only a forgery makes one).
        for (i, slot) in slots.into_iter().enumerate() {
            if let Some((b, _)) = slot
                && !done[i]
            {
                out.refused.push(Refused::of(
                    &b,
                    msg(
                        "its parents form a cycle (forged)".into(),
                        "其前序批次构成循环（伪造）".into(),
                    ),
                    false,
                ));
            }
        }
        Ok(())
    }

    /// One batch against its causal past. `Ok(Err(why))`: refused.
    fn judge_one(
        &self,
        engagement: &str,
        b: &SignedBatch,
        ops: &[Op],
        st: &mut Judging,
    ) -> Result<std::result::Result<(), (Msg, bool)>> {
        let who = crate::text::visible(&b.actor).into_owned();
        // Genesis: one engagement per name.
        self.load_held(engagement, st)?;
        let held = st.held.clone().unwrap_or_default();
        let held_genesis = st.genesis.clone().or(held.genesis.clone());
        if b.is_genesis() {
            if let Some(g) = &held_genesis
                && *g != b.id()
            {
                let mine = st
                    .creator
                    .clone()
                    .or(held.creator.clone())
                    .unwrap_or_else(|| "?".into());
                return Ok(Err(refuse_for_good(msg(
                    format!(
                        "another engagement that is also named {engagement}: this one was created by {who}, the one held here by {mine}. They are different engagements and are never merged"
                    ),
                    format!(
                        "另一个同名审核项目 {engagement}：该项目由 {who} 创建，本机的由 {mine} 创建。两者是不同的审核项目，不会合并"
                    ),
                ))));
            }
        } else {
            match &held_genesis {
                None => {
                    return Ok(Err(refuse_waiting(msg(
                        format!(
                            "this copy does not hold engagement {engagement} (its creating batch): import a complete bundle of it first"
                        ),
                        format!("本机没有审核项目 {engagement}（缺少其创建批次）：请先导入其完整数据包"),
                    ))));
                }
                Some(g) if *g != b.genesis => {
                    return Ok(Err(refuse_for_good(msg(
                        format!(
                            "it belongs to another engagement that is also named {engagement} (created elsewhere); it is never merged into this one"
                        ),
                        format!("它属于另一个同名的审核项目 {engagement}（在别处创建），不会并入本项目"),
                    ))));
                }
                Some(_) => {}
            }
        }
        // Parents: each held or accepted here, by hash.
        let clock = clock_of(b);
        for p in &b.parents {
            if st.waiting.contains(&p.hash) {
                return Ok(Err(refuse_waiting(msg(
                    format!("it follows {}#{}, which waits for what it follows", p.actor, p.seq),
                    format!("它接续的 {}#{} 仍在等待其前序更改", p.actor, p.seq),
                ))));
            }
            // A parent refused for good (a removed member's batch that its
            // author's teammates had already built on): this batch is judged
            // on its own, as on every copy.
            if st.refused.contains(&p.hash) || self.store().meta_get::<bool>(&refused_key(&p.hash))?.is_some() {
                continue;
            }
            let parent_clock = match st.accepted_batches.get(&p.hash) {
                Some(c) => Some(c.clone()),
                None => self
                    .store()
                    .signed_batch(&p.actor, p.seq)?
                    .filter(|h| h.v >= 2 && h.last() == p.seq && h.id() == p.hash)
                    .map(|h| clock_of(&h)),
            };
            let Some(parent_clock) = parent_clock else {
                // A batch of a removed member that the remover had not seen
                // is refused wherever it goes: no need to wait for it.
                if let Some(limit) = self.removal_limit(engagement, &p.actor, st)?
                    && p.seq > limit
                {
                    continue;
                }
                return Ok(Err(refuse_waiting(msg(
                    format!(
                        "it follows {}#{}, which this copy does not hold (or holds with other content): sync or import the missing changes first",
                        p.actor, p.seq
                    ),
                    format!(
                        "它接续的 {}#{} 本机没有（或内容不同）：请先同步或导入缺失的更改",
                        p.actor, p.seq
                    ),
                ))));
            };
            let mut short = false;
            for (a, s) in &parent_clock {
                if a != &p.actor && clock.get(a).is_none_or(|mine| mine < s) {
                    // What a removed member wrote past their removal counts
                    // as seen by nobody (every copy refuses it).
                    let gone = self
                        .removal_limit(engagement, a, st)?
                        .is_some_and(|limit| clock.get(a).copied().unwrap_or(0) >= limit);
                    short |= !gone;
                }
            }
            if short {
                return Ok(Err(refuse_for_good(msg(
                    "its parents do not name all that its parents had seen (forged)".into(),
                    "其前序批次信息不完整（伪造）".into(),
                ))));
            }
        }
        // Removed: refused unless the removal saw this batch.
        if let Some(limit) = self.removal_limit(engagement, &b.actor, st)?
            && b.last() > limit
        {
            st.removed.push(b.id());
            return Ok(Err(refuse_for_good(msg(
                format!("{who} was removed from the team, and this batch was not seen by the lead who removed them"),
                format!("{who} 已被移出审核组，且移出其的组长未曾见过此批次"),
            ))));
        }
        // The author's own chain: no fork, no reuse.
        let own_head = match st.heads.get(&b.actor) {
            Some(h) => Some(h.seq),
            None => held.heads.get(&b.actor).map(|h| h.seq),
        };
        if let Some(h) = own_head
            && clock.get(&b.actor).copied().unwrap_or(0) < h
        {
            return Ok(Err(refuse_for_good(msg(
                format!(
                    "it was made without {who}'s own earlier changes (up to #{h}): the actor id {who} is used on two copies at once, or by two people"
                ),
                format!(
                    "它的生成未包含 {who} 自己先前的更改（至 #{h}）：用户标识 {who} 同时在两台电脑上使用，或被两人使用"
                ),
            ))));
        }
        // The team then.
        let creator = if b.is_genesis() {
            Some(b.actor.clone())
        } else {
            st.creator.clone().or(held.creator.clone())
        };
        if !b.is_genesis()
            && let Some(c) = &creator
            && !clock.contains_key(c)
            && held.recorded
        {
            return Ok(Err(refuse_for_good(msg(
                "it names no parent from the engagement's creator (not made from this engagement)".into(),
                "其前序批次不含项目创建者的批次（并非基于本项目生成）".into(),
            ))));
        }
        let team = if b.is_genesis() {
            Team {
                creator: creator.clone(),
                members: BTreeMap::new(),
            }
        } else {
            self.team_at(engagement, creator.clone(), &clock, st)?
        };
        // A finding or action held here in another engagement is never
        // touched (two engagements that both number a finding ZW-001).
        for op in ops {
            if matches!(op.entity.kind, Kind::Finding | Kind::Action)
                && let Some(r) = self.store().record(&op.entity)?
                && let Some(other) = r.get_raw("engagement").and_then(Value::text)
                && other != engagement
            {
                let (id, other) = (
                    crate::text::visible(&op.entity.id).into_owned(),
                    crate::text::visible(other).into_owned(),
                );
                return Ok(Err(refuse_for_good(if op.entity.engagement_in_id().is_some() {
                    msg(
                        format!("{id} is a record of engagement {other}: a change of {engagement} cannot touch it"),
                        format!("{id} 属于审核项目 {other}：{engagement} 的更改不能触及它"),
                    )
                } else {
                    // A reference written before references were per
                    // engagement, by two engagements.
                    msg(
                        format!(
                            "{id} is held here as a record of engagement {other}; a record of the same reference in {engagement} is refused rather than overwriting it (written before references were per engagement: ask its author to raise it again)"
                        ),
                        format!(
                            "{id} 在本机属于审核项目 {other}；{engagement} 中同编号的记录被拒绝，以免覆盖（该编号写于编号按审核项目区分之前：请作者重新提出）"
                        ),
                    )
                })));
            }
        }
        // The rules.
        let mut past = CausalPast {
            app: self,
            team: team.clone(),
            clock: &clock,
            accepted: &st.accepted_ops,
            history: &mut st.history,
            batched: &mut st.batched,
        };
        let programme = if b.is_genesis() {
            ops.iter()
                .any(|o| o.entity == EntityId::new(Kind::Programme, engagement) && o.change == Change::Create)
        } else {
            if st.held_programme.is_none() {
                st.held_programme = Some(self.is_programme(engagement)?);
            }
            st.programme || st.held_programme == Some(true)
        };
        // A programme always signs (its creator registers a key in its genesis).
        if programme && !b.is_signed() {
            return Ok(Err(refuse_for_good(msg(
                format!("it is not signed, and programme {engagement} signs every change"),
                format!("未签名，而认证方案 {engagement} 的每项更改都须签名"),
            ))));
        }
        let scope_genesis = (!b.is_genesis()).then_some(b.genesis.as_str());
        let batch = authority::Batch {
            engagement,
            author: &b.actor,
            genesis: b.is_genesis(),
            programme,
            scope_genesis,
        };
        if let Err(r) = authority::authorize(&batch, ops, &mut past) {
            return Ok(Err((Msg::new(r.en, r.zh), r.waiting)));
        }
        // The signature.
        let own_key_set = |b_ops: &[Op]| -> Vec<String> {
            b_ops
                .iter()
                .filter(|o| o.entity == EntityId::new(Kind::Member, format!("{engagement}/{}", b.actor)))
                .filter_map(|o| match &o.change {
                    Change::Set { field, value } if field == MF::Key.name() => value.text().map(str::to_string),
                    _ => None,
                })
                .filter(|k| !k.is_empty() && k != REVOKED)
                .collect()
        };
        // The key in force then; only an author who had none (the creator in
        // the genesis, a lead before any key) proves a batch with the key it
        // registers for itself — never a second key beside a registered one.
        let mut keys: Vec<String> = team.key_of(&b.actor).map(str::to_string).into_iter().collect();
        if keys.is_empty() && (b.is_genesis() || team.is_lead(&b.actor)) {
            keys.extend(own_key_set(ops));
        }
        if st.held_team.is_none() {
            st.held_team = Some(self.held_team(engagement)?);
        }
        // Unsigned batches exist only while the team has never registered a
        // key: once this copy holds one, none is taken (backdated or not).
        if !b.is_signed() && st.held_team.as_ref().is_some_and(Team::signs) {
            return Ok(Err(refuse_for_good(msg(
                format!("it is not signed, and the team of {engagement} signs its changes"),
                format!("未签名，而 {engagement} 审核组的更改须签名"),
            ))));
        }
        let signs = team.signs() || !keys.is_empty();
        if keys.is_empty() {
            // No key then; but a key registered since makes unsigned changes
            // by that actor (backdated to before it) worthless.
            let now_key = st
                .held_team
                .as_ref()
                .and_then(|t| t.key_of(&b.actor))
                .map(str::to_string);
            let now_key = now_key.or_else(|| st.keys_now.get(&b.actor).cloned());
            if let Some(k) = now_key {
                keys.push(k);
            } else if signs {
                return Ok(Err(refuse_for_good(msg(
                    format!("the team of {engagement} signs its changes and {who} had no registered key"),
                    format!("{engagement} 审核组的更改须签名，而 {who} 当时没有登记的公钥"),
                ))));
            } else {
                return Ok(Ok(()));
            }
        }
        if !b.is_signed() {
            return Ok(Err(refuse_for_good(msg(
                format!("it is not signed, but {who} has a registered signing key"),
                format!("未签名，但 {who} 已登记签名公钥"),
            ))));
        }
        let mut why = String::new();
        for k in &keys {
            match parse_public(k).and_then(|k| b.verify(&k)) {
                Ok(()) => return Ok(Ok(())),
                Err(w) => why = w,
            }
        }
        let why = crate::text::visible(&why).into_owned();
        Ok(Err(refuse_for_good(msg(
            format!("its signature does not verify: {why}"),
            format!("签名验证失败：{why}"),
        ))))
    }

    fn apply_removals(&self, engagement: &str, out: &mut Judged) -> Result<()> {
        let mut limits: Vec<(String, u64)> = Vec::new();
        for op in &out.ops {
            if let (Kind::Member, Change::Set { field, value }) = (op.entity.kind, &op.change)
                && field == MF::Key.name()
                && value.text() == Some(REVOKED)
                && let Some(m) = op.entity.id.strip_prefix(&format!("{engagement}/"))
                && let Some(b) = out
                    .batches
                    .iter()
                    .find(|b| b.actor == op.id.actor && b.covers(op.id.seq))
            {
                let seen = b.parents.iter().find(|p| p.actor == m).map_or(0, |p| p.seq);
                limits.push((m.to_string(), seen));
            }
        }
        for (m, limit) in limits {
            let beyond = |b: &SignedBatch| b.actor == m && b.engagement == engagement && b.last() > limit;
            let dropped: Vec<SignedBatch> = out.batches.iter().filter(|b| beyond(b)).cloned().collect();
            if !dropped.is_empty() {
                out.batches.retain(|b| !beyond(b));
                out.ops
                    .retain(|o| !dropped.iter().any(|b| b.actor == o.id.actor && b.covers(o.id.seq)));
                for b in dropped {
                    out.removed.push(b.id());
                    out.refused.push(Refused::of(&b, msg(
                            format!("{m} was removed from the team, and this batch was not seen by the lead who removed them"),
                            format!("{m} 已被移出审核组，且移出其的组长未曾见过此批次"),
                        ), false));
                }
            }
            for b in self.store().batches_of_actor(&m)? {
                if beyond(&b) && !out.retract.iter().any(|r| r.id() == b.id()) {
                    out.removed.push(b.id());
                    out.refused.push(Refused::of(
                        &b,
                        msg(
                            format!(
                                "held here, taken back: {m} was removed from the team by a lead who had not seen it"
                            ),
                            format!("本机已有，现撤回：移出 {m} 的组长未曾见过此批次"),
                        ),
                        false,
                    ));
                    out.retract.push(b);
                }
            }
        }
        Ok(())
    }

    /// Apply what [`App::judge_batches`] decided: batches a removal refuses
    /// are taken back, the accepted ones merged, the refused-by-removal
    /// remembered.
    pub fn apply_judged(&self, judged: Judged) -> Result<crate::store::MergeReport> {
        self.store().retract(&judged.retract)?;
        for id in &judged.removed {
            self.store().meta_set(&refused_key(id), &true)?;
        }
        let retracted = judged.retract.iter().map(|b| b.hashes.len()).sum::<usize>();
        let mut report = self.merge_signed(judged.ops, judged.batches)?;
        report.retracted = retracted;
        Ok(report)
    }

    /// The team of `engagement` in the past given by `clock`.
    fn team_at(&self, engagement: &str, creator: Option<String>, clock: &Clock, st: &mut Judging) -> Result<Team> {
        let prefix = format!("{engagement}/");
        self.load_member_ops(engagement, st)?;
        let mut ops: Vec<Op> = Vec::new();
        for op in st.member_ops.clone().unwrap_or_default() {
            if in_past(self, &mut st.batched, clock, &op) {
                ops.push(op);
            }
        }
        ops.extend(
            st.accepted_member_ops
                .iter()
                .filter(|o| o.entity.id.starts_with(&prefix))
                .filter(|o| clock.get(&o.id.actor).is_some_and(|s| o.id.seq <= *s))
                .cloned(),
        );
        sort_ops(&mut ops);
        let mut records: BTreeMap<EntityId, Record> = BTreeMap::new();
        for op in &ops {
            records
                .entry(op.entity.clone())
                .or_insert_with(|| Record::empty(op.entity.clone()))
                .apply(op);
        }
        Ok(Team::from_records(creator, records.values()))
    }

    fn load_held(&self, engagement: &str, st: &mut Judging) -> Result<()> {
        if st.held.is_none() {
            let genesis = self.genesis_of(engagement)?;
            let creator = match &genesis {
                Some(g) => self.creator_by_genesis(engagement, g)?,
                None => None,
            };
            st.held = Some(HeldEngagement {
                recorded: self.store().genesis(engagement)?.is_some(),
                genesis,
                creator,
                heads: self.store().heads(engagement)?,
            });
        }
        Ok(())
    }

    /// Every held op of the engagement's member records, read once.
    fn load_member_ops(&self, engagement: &str, st: &mut Judging) -> Result<()> {
        if st.member_ops.is_none() {
            let mut all = Vec::new();
            for m in self.store().records(Kind::Member, &format!("{engagement}/"))? {
                all.extend(self.store().history(&m.entity)?);
            }
            st.member_ops = Some(all);
        }
        Ok(())
    }

    /// The last number of `actor`'s changes that the lead who removed them
    /// had seen (`None`: not removed).
    fn removal_limit(&self, engagement: &str, actor: &str, st: &mut Judging) -> Result<Option<u64>> {
        let e = EntityId::new(Kind::Member, format!("{engagement}/{actor}"));
        self.load_member_ops(engagement, st)?;
        let mut removals: Vec<(String, u64)> = Vec::new();
        let held = st
            .member_ops
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|o| o.entity == e);
        for op in held.chain(st.accepted_ops.get(&e).into_iter().flatten()) {
            if let Change::Set { field, value } = &op.change
                && field == MF::Key.name()
                && value.text() == Some(REVOKED)
            {
                removals.push((op.id.actor.clone(), op.id.seq));
            }
        }
        let mut limit: Option<u64> = None;
        for (by, seq) in removals {
            let clock = match st.accepted_clock_of(&by, seq) {
                Some(c) => Some(c),
                None => self
                    .store()
                    .signed_batch(&by, seq)?
                    .filter(|b| b.v >= 2)
                    .map(|b| clock_of(&b)),
            };
            // A removal from before batches named parents saw everything held.
            let seen = match clock {
                Some(c) => c.get(actor).copied().unwrap_or(0),
                None => self.store().seen(actor)?.max().unwrap_or(0),
            };
            limit = Some(limit.map_or(seen, |l: u64| l.min(seen)));
        }
        Ok(limit)
    }
}

fn refused_key(id: &str) -> String {
    format!("refused-batch/{id}")
}

fn refuse_waiting(m: Msg) -> (Msg, bool) {
    (m, true)
}

fn refuse_for_good(m: Msg) -> (Msg, bool) {
    (m, false)
}

/// The engagement as this copy holds it before the ingest: its genesis
/// (recorded, or the legacy one), whether one is recorded, its creator and
/// each author's last batch.
#[derive(Clone, Default)]
struct HeldEngagement {
    genesis: Option<String>,
    recorded: bool,
    creator: Option<String>,
    heads: crate::store::Heads,
}

/// What judging has accepted so far (earlier batches count for later ones).
#[derive(Default)]
struct Judging {
    genesis: Option<String>,
    /// The genesis accepted in this ingest created a programme.
    programme: bool,
    /// Whether this copy held the scope as a programme (read once).
    held_programme: Option<bool>,
    /// The author of a genesis accepted in this ingest.
    creator: Option<String>,
    /// What this copy holds of the engagement, read once.
    held: Option<HeldEngagement>,
    /// Accepted batch id → its clock.
    accepted_batches: HashMap<String, Clock>,
    accepted_list: Vec<(String, u64, u64, Clock)>,
    accepted_ops: HashMap<EntityId, Vec<Op>>,
    /// The member records' ops among them (the team is folded per batch).
    accepted_member_ops: Vec<Op>,
    refused: HashSet<String>,
    /// Refused only until what they follow arrives.
    waiting: HashSet<String>,
    /// Refused by a removal (kept, so batches built on them are judged on their own).
    removed: Vec<String>,
    heads: HashMap<String, Head>,
    keys_now: HashMap<String, String>,
    member_ops: Option<Vec<Op>>,
    /// The team as this copy holds it (read once).
    held_team: Option<Team>,
    history: HashMap<EntityId, Vec<Op>>,
    batched: HashMap<(String, u64), bool>,
}

impl Judging {
    fn accept(&mut self, b: &SignedBatch, id: String, ops: &[Op]) {
        if b.is_genesis() {
            self.genesis = Some(id.clone());
            self.creator = Some(b.actor.clone());
            self.programme = ops.iter().any(|o| {
                o.entity == EntityId::new(Kind::Programme, b.engagement.as_str()) && o.change == Change::Create
            });
        }
        let mut clock = clock_of(b);
        clock.insert(b.actor.clone(), b.last());
        self.accepted_list
            .push((b.actor.clone(), b.first, b.last(), clock_of(b)));
        self.accepted_batches.insert(id.clone(), clock);
        self.heads.insert(
            b.actor.clone(),
            Head {
                actor: b.actor.clone(),
                seq: b.last(),
                hash: id,
            },
        );
        for op in ops {
            if let (Kind::Member, Change::Set { field, value }) = (op.entity.kind, &op.change)
                && field == MF::Key.name()
                && let Some((_, actor)) = op.entity.id.split_once('/')
                && let Value::Text(k) = value
                && !k.is_empty()
                && k != REVOKED
            {
                self.keys_now.insert(actor.to_string(), k.clone());
            }
            if op.entity.kind == Kind::Member {
                self.accepted_member_ops.push(op.clone());
            }
            self.accepted_ops.entry(op.entity.clone()).or_default().push(op.clone());
        }
    }

    /// The clock of the accepted batch holding `actor#seq`.
    fn accepted_clock_of(&self, actor: &str, seq: u64) -> Option<Clock> {
        self.accepted_list
            .iter()
            .find(|(a, f, l, _)| a == actor && *f <= seq && seq <= *l)
            .map(|(_, _, _, c)| c.clone())
    }
}
