//! Signed changes: your identity names your ssh key, every commit is signed
//! with it, and a teammate's changes are verified against the keys the
//! engagement's lead registered before they are merged (`crate::crypto::sign`).
//!
//! The rules, for one engagement:
//! - A member's key is registered by the engagement's creator or a lead (a
//!   `key` field on the member record). The key in force for a batch is the
//!   one most recently registered at or before the batch's clock; a batch
//!   that registers its own author's key is checked against that key.
//! - A change by a member who had a key at the time must be in a batch that
//!   verifies with that key. A change by a member who had no key then is
//!   accepted and shown as unsigned (history from before signing).
//! - On this copy, you cannot write as a member whose registered key is not
//!   yours: `identity set li.min` on another laptop does not make you li.min.
//!
//! Length: identity, keys, signing of commits and their verification share the
//! key handling.

use super::{App, AppError, Result};
use crate::crypto::sign::BatchSignature;
use crate::crypto::sign::{SignedBatch, Signer, fingerprint_of, op_hash, parse_public};
use crate::model::engagement::Role;
use crate::model::fields::{FieldName, MemberField as MF};
use crate::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId, Value, sort_ops};
use crate::store::Draft;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::model::engagement::REVOKED;

/// The identity's key as found when the database was opened.
#[derive(Clone, Debug, Default)]
pub(crate) enum KeyState {
    #[default]
    None,
    Ready(Arc<Signer>),
    /// Named but unusable (moved, unreadable): commits are refused, not left unsigned.
    Broken {
        path: PathBuf,
        why: String,
    },
}

impl KeyState {
    pub(crate) fn load(path: Option<&str>) -> KeyState {
        match path.filter(|p| !p.is_empty()) {
            None => KeyState::None,
            Some(p) => {
                let path = PathBuf::from(p);
                match Signer::load(&path) {
                    Ok(s) => KeyState::Ready(Arc::new(s)),
                    Err(why) => KeyState::Broken { path, why },
                }
            }
        }
    }
}

/// How a stored change is proven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signature {
    /// In a batch whose signature verifies with the author's registered key.
    Verified { fingerprint: String },
    /// Made before its author had a key (or on a copy without one).
    Unsigned,
    /// A signature is stored but does not verify with any key registered for
    /// the author (should not happen: imports check it; shown, not hidden).
    Invalid { why: String },
}

/// What [`App::verify_ops`] found: the batches to keep, and the counts.
#[derive(Debug, Default)]
pub struct Verified {
    pub signed: usize,
    pub unsigned: usize,
    pub batches: Vec<SignedBatch>,
}

/// A member's key registrations, oldest first: (clock, key or None when removed).
type KeyEvents = Vec<(Hlc, Option<String>)>;

fn refused(en: String, zh: String) -> AppError {
    AppError::Invalid(crate::message::Msg::new(en, zh))
}

impl App {
    /// Name the private key that signs your changes (`None`: stop signing).
    /// Returns the key's fingerprint.
    pub fn set_identity_key(&mut self, path: Option<&Path>) -> Result<Option<String>> {
        let Some(path) = path else {
            self.store().meta_set("identity/key", &String::new())?;
            self.key_path = None;
            self.key = std::sync::OnceLock::from(KeyState::None);
            return Ok(None);
        };
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let signer = Signer::load(&path).map_err(|why| {
            let why = crate::text::visible(&why).into_owned();
            refused(why.clone(), format!("无法使用该密钥：{why}"))
        })?;
        let fp = signer.fingerprint();
        let stored = path.to_string_lossy().into_owned();
        self.store().meta_set("identity/key", &stored)?;
        self.key_path = Some(stored);
        self.key = std::sync::OnceLock::from(KeyState::Ready(Arc::new(signer)));
        Ok(Some(fp))
    }

    /// Write as another actor of this process's keyring (the demo's team).
    pub(crate) fn act_as(&mut self, who: super::Identity) {
        if let Some(k) = self.keyring.get(&who.actor) {
            self.key = std::sync::OnceLock::from(KeyState::Ready(k.clone()));
        }
        self.identity = who;
    }

    /// Hold `signer` for `actor` (see [`App::act_as`]).
    pub(crate) fn hold_key(&mut self, actor: &str, signer: Signer) {
        self.keyring.insert(actor.to_string(), Arc::new(signer));
    }

    /// The identity's key, read from its file the first time it is needed.
    fn key_state(&self) -> &KeyState {
        self.key.get_or_init(|| KeyState::load(self.key_path.as_deref()))
    }

    /// Why this identity's changes to `engagement` would be refused for
    /// their signature (`None`: they sign as the team expects): the team
    /// signs and you are not on it, have no key here, or a key other than
    /// the one registered for you.
    pub fn signing_problem(&self, engagement: &str) -> Result<Option<crate::message::Msg>> {
        if let Some(m) = self.read_only_notice() {
            return Ok(Some(m));
        }
        let team = self.held_team(engagement)?;
        if !team.signs() {
            return Ok(None);
        }
        let me = self.identity.actor.clone();
        if let KeyState::Broken { path, .. } = self.key_state() {
            let p = crate::text::visible(&path.display().to_string()).into_owned();
            return Ok(Some(crate::msg!(
                "your key {p} cannot be used: your changes to {engagement} cannot be signed",
                "您的密钥 {p} 无法使用：您对 {engagement} 的更改无法签名"
            )));
        }
        let Some(m) = team.members.get(&me) else {
            return Ok(Some(crate::msg!(
                "{me} is not on the team of {engagement}: you can read it, not change it",
                "{me} 不在 {engagement} 审核组中：只能查看，不能更改"
            )));
        };
        if m.left {
            return Ok(Some(crate::msg!(
                "{me} has left the team of {engagement}: you can read it, not change it",
                "{me} 已离开 {engagement} 审核组：只能查看，不能更改"
            )));
        }
        let mine = self.signing_key().map(|s| s.public().clone());
        match (&m.key, mine) {
            (None, _) => Ok(Some(crate::msg!(
                "the team of {engagement} signs and no key is registered for {me}: ask the lead to register yours",
                "{engagement} 审核组的更改须签名，但 {me} 没有登记公钥：请组长登记您的公钥"
            ))),
            (Some(_), None) => Ok(Some(crate::msg!(
                "no signing key: your changes to {engagement} cannot be saved (`identity key PATH`, or the identity form)",
                "没有签名密钥：您对 {engagement} 的更改无法保存（`identity key 路径`，或身份表单）"
            ))),
            (Some(reg), Some(k)) => {
                let same = parse_public(reg).is_ok_and(|r| r.key_data() == k.key_data());
                Ok((!same).then(|| {
                    let fp = fingerprint_of(&k);
                    crate::msg!(
                        "your key {fp} is not the one registered for {me} in {engagement}: your changes cannot be saved",
                        "您的密钥 {fp} 不是 {engagement} 中为 {me} 登记的公钥：您的更改无法保存"
                    )
                }))
            }
        }
    }

    /// The key that signs this copy's changes, when one is named and usable.
    pub fn signing_key(&self) -> Option<&Signer> {
        match self.key_state() {
            KeyState::Ready(s) => Some(s),
            _ => None,
        }
    }

    /// The key named but unusable, and why.
    pub fn signing_key_problem(&self) -> Option<(PathBuf, String)> {
        match self.key_state() {
            KeyState::Broken { path, why } => Some((path.clone(), why.clone())),
            _ => None,
        }
    }

    /// The engagement a commit writes to, as far as its drafts tell.
    fn engagement_of_drafts(&self, drafts: &[Draft]) -> Result<Option<String>> {
        let Some(first) = drafts.first() else {
            return Ok(None);
        };
        if let Some(p) = self.decision_scope(first)? {
            return Ok(Some(p));
        }
        if let Some(e) = first.entity.engagement_in_id() {
            return Ok(Some(e.to_string()));
        }
        for d in drafts.iter().filter(|d| d.entity == first.entity) {
            if let Change::Set { field, value } = &d.change
                && field == "engagement"
            {
                return Ok(value.text().map(str::to_string));
            }
        }
        self.engagement_of_entity(&first.entity)
    }

    /// Where a decision on an engagement is recorded: in the engagement's
    /// programme, when this copy holds that programme (otherwise the draft
    /// stays with its engagement, and the rules refuse it there, saying why).
    fn decision_scope(&self, d: &Draft) -> Result<Option<String>> {
        let Change::Set { field, .. } = &d.change else {
            return Ok(None);
        };
        if d.entity.kind != Kind::Engagement || !crate::model::authority::is_decision_field(field) {
            return Ok(None);
        }
        let programme = self
            .store()
            .record(&d.entity)?
            .and_then(|r| r.opt_text(crate::model::fields::EngagementField::Programme))
            .filter(|p| !p.is_empty());
        match programme {
            Some(p) if p != d.entity.id && self.is_programme(&p)? => Ok(Some(p)),
            _ => Ok(None),
        }
    }

    /// Drafts grouped by the engagement they belong to (first appearance
    /// first, each group in draft order); `None` for records of no engagement.
    pub(crate) fn group_by_engagement(&self, drafts: Vec<Draft>) -> Result<Vec<(Option<String>, Vec<Draft>)>> {
        let mut of: HashMap<EntityId, Option<String>> = HashMap::new();
        // An engagement field set in this commit names a new record's engagement.
        for d in &drafts {
            if let Change::Set { field, value } = &d.change
                && field == "engagement"
                && d.entity.engagement_in_id().is_none()
            {
                of.entry(d.entity.clone())
                    .or_insert_with(|| value.text().map(str::to_string));
            }
        }
        let mut groups: Vec<(Option<String>, Vec<Draft>)> = Vec::new();
        for d in drafts {
            if let Some(p) = self.decision_scope(&d)? {
                match groups.iter_mut().find(|(e, _)| e.as_deref() == Some(p.as_str())) {
                    Some((_, g)) => g.push(d),
                    None => groups.push((Some(p), vec![d])),
                }
                continue;
            }
            let eng = match of.get(&d.entity) {
                Some(e) => e.clone(),
                None => {
                    let e = self.engagement_of_entity(&d.entity)?;
                    of.insert(d.entity.clone(), e.clone());
                    e
                }
            };
            match groups.iter_mut().find(|(e, _)| *e == eng) {
                Some((_, g)) => g.push(d),
                None => groups.push((eng, vec![d])),
            }
        }
        Ok(groups)
    }

    /// The team of an engagement as this copy holds it (for the rules).
    pub(crate) fn held_team(&self, engagement: &str) -> Result<crate::model::authority::Team> {
        let creator = self.creator_of(engagement)?;
        let records = self.store().records(Kind::Member, &format!("{engagement}/"))?;
        Ok(crate::model::authority::Team::from_records(creator, &records))
    }

    /// Refuse a local commit that no other copy would accept
    /// ([`crate::model::authority`]): judged against the state held.
    pub(crate) fn authorize_local(&self, engagement: &str, genesis: bool, drafts: &[Draft]) -> Result<()> {
        use crate::model::authority::{Batch, Past, Team, authorize};
        struct Held<'a> {
            app: &'a App,
            team: Team,
        }
        impl Past for Held<'_> {
            fn team(&self) -> &Team {
                &self.team
            }
            fn record(&mut self, e: &EntityId) -> Option<crate::model::ops::Record> {
                self.app.store().record(e).ok().flatten()
            }
            fn elsewhere(&mut self, e: &EntityId) -> Option<crate::model::ops::Record> {
                self.app.store().record(e).ok().flatten()
            }
            fn team_elsewhere(&mut self, engagement: &str) -> Team {
                self.app.held_team(engagement).unwrap_or_default()
            }
        }
        let me = self.identity.actor.clone();
        let ops: Vec<Op> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| Op {
                id: OpId {
                    actor: me.clone(),
                    seq: i as u64 + 1,
                },
                hlc: Hlc::default(),
                entity: d.entity.clone(),
                change: d.change.clone(),
                base: d.base.clone(),
            })
            .collect();
        let mut held = Held {
            app: self,
            team: if genesis {
                Team::default()
            } else {
                self.held_team(engagement)?
            },
        };
        let programme = if genesis {
            drafts
                .iter()
                .any(|d| d.entity == EntityId::new(Kind::Programme, engagement) && d.change == Change::Create)
        } else {
            self.is_programme(engagement)?
        };
        let scope_genesis = if genesis { None } else { self.genesis_of(engagement)? };
        let b = Batch {
            engagement,
            author: &me,
            genesis,
            programme,
            scope_genesis: scope_genesis.as_deref(),
        };
        authorize(&b, &ops, &mut held).map_err(|r| AppError::Rule(crate::message::Msg::new(r.en, r.zh)))
    }

    /// What a new batch of `engagement` names: the engagement, its genesis
    /// (`None` when these drafts create it), and the heads held as parents.
    pub(crate) fn batch_header(
        &self,
        engagement: &str,
        drafts: &[Draft],
    ) -> Result<(String, Option<String>, Vec<crate::crypto::sign::Head>)> {
        let heads: Vec<_> = self.store().heads(engagement)?.into_values().collect();
        let genesis = match self.store().genesis(engagement)? {
            Some(g) => Some(g),
            None => {
                let creates = drafts.iter().any(|d| {
                    d.change == Change::Create
                        && (d.entity == EntityId::new(Kind::Engagement, engagement)
                            || d.entity == EntityId::new(Kind::Programme, engagement))
                });
                if creates {
                    None
                } else {
                    // An engagement created before batches named their
                    // genesis: named by its creating operation, which every
                    // copy that holds it agrees on.
                    Some(self.legacy_genesis(engagement)?)
                }
            }
        };
        Ok((engagement.to_string(), genesis, heads))
    }

    /// The genesis of an engagement whose history predates format-2
    /// batches: SHA-256 of a fixed header, its name and its creating
    /// operation's hash.
    pub(crate) fn legacy_genesis(&self, engagement: &str) -> Result<String> {
        use sha2::Digest;
        let h = self.store().history(&EntityId::new(Kind::Engagement, engagement))?;
        let create = h.iter().find(|o| o.change == Change::Create);
        let mut d = sha2::Sha256::new();
        d.update(b"cscaudit legacy genesis\n");
        d.update(engagement.as_bytes());
        d.update(b"\n");
        if let Some(op) = create {
            d.update(op_hash(op).0);
        }
        Ok(hex::encode(d.finalize()))
    }

    /// The engagement a stored record belongs to (by its id, or its `engagement` field).
    fn engagement_of_entity(&self, e: &EntityId) -> Result<Option<String>> {
        if let Some(eng) = e.engagement_in_id() {
            return Ok(Some(eng.to_string()));
        }
        Ok(self
            .store()
            .record(e)?
            .and_then(|r| r.get_raw("engagement").and_then(Value::text).map(str::to_string)))
    }

    /// The key to sign a commit with; refuses when you would write as a
    /// member whose registered key is not yours.
    pub(crate) fn signer_for(&self, drafts: &[Draft]) -> Result<Option<Arc<Signer>>> {
        if let KeyState::Broken { path, why } = self.key_state() {
            let (p, why) = (
                crate::text::visible(&path.display().to_string()).into_owned(),
                crate::text::visible(why).into_owned(),
            );
            return Err(refused(
                format!(
                    "your identity signs with {p}, which cannot be used ({why}); nothing was saved. Name your key again with `cscaudit identity key PATH`"
                ),
                format!(
                    "您的身份使用 {p} 签名，但该密钥无法使用（{why}）；未保存任何内容。请用 `cscaudit identity key 路径` 重新指定密钥"
                ),
            ));
        }
        let mine = self.signing_key().map(|s| s.public().clone());
        let eng_of = self.engagement_of_drafts(drafts)?;
        if let Some(eng) = &eng_of
            && let Some(m) = self
                .store()
                .record(&EntityId::new(Kind::Member, format!("{eng}/{}", self.identity.actor)))?
            && m.get_raw(MF::Key.name()).and_then(Value::text) == Some(REVOKED)
        {
            let (actor, eng) = (self.identity.actor.clone(), crate::text::visible(eng).into_owned());
            return Err(refused(
                format!("{actor} has left the team of {eng} (the lead revoked the key); nothing was saved"),
                format!("{actor} 已离开 {eng} 审核组（组长已吊销其密钥）；未保存任何内容"),
            ));
        }
        if let Some(eng) = eng_of
            && let Some(m) = self
                .store()
                .record(&EntityId::new(Kind::Member, format!("{eng}/{}", self.identity.actor)))?
            && let Some(registered) = m
                .get_raw(MF::Key.name())
                .and_then(Value::text)
                .filter(|k| !k.is_empty())
            && let Ok(registered) = parse_public(registered)
            && mine.as_ref().map(|k| k.key_data()) != Some(registered.key_data())
        {
            let (actor, fp) = (self.identity.actor.clone(), fingerprint_of(&registered));
            let eng = crate::text::visible(&eng).into_owned();
            let yours = match &mine {
                Some(k) => format!("this copy signs with {}", fingerprint_of(k)),
                None => "this copy has no key".to_string(),
            };
            let yours_zh = match &mine {
                Some(k) => format!("本机使用 {} 签名", fingerprint_of(k)),
                None => "本机没有密钥".to_string(),
            };
            return Err(refused(
                format!(
                    "{actor}'s changes to {eng} must be signed with the key registered for {actor} ({fp}); {yours}. Nothing was saved. Name your private key with `cscaudit identity key PATH`, or ask the lead to register your key"
                ),
                format!(
                    "{actor} 对 {eng} 的更改必须用为其登记的密钥（{fp}）签名；{yours_zh}。未保存任何内容。请用 `cscaudit identity key 路径` 指定您的私钥，或请组长登记您的公钥"
                ),
            ));
        }
        Ok(match self.key_state() {
            KeyState::Ready(s) => Some(s.clone()),
            _ => None,
        })
    }

    /// Register (or replace) a member's signing key: the lead's decision.
    /// A member leaves the team (lead only): their key is revoked, so
    /// changes they make from now on are refused by every copy, and
    /// encrypted bundles and remotes are no longer sealed to them. What
    /// they already received stays with them.
    pub fn remove_member(&self, engagement: &str, actor: &str) -> Result<crate::model::engagement::Member> {
        self.require_identity()?;
        self.require_lead(engagement)?;
        let shown = crate::text::visible(actor).into_owned();
        if actor == self.identity.actor {
            return Err(refused(
                format!("you cannot remove yourself from {engagement}; another lead can"),
                format!("不能将自己移出 {engagement}；请由另一位组长操作"),
            ));
        }
        let e = EntityId::new(Kind::Member, format!("{engagement}/{actor}"));
        let Some(cur) = self.store().record(&e)? else {
            return Err(AppError::NotFound {
                what: "member",
                id: shown,
            });
        };
        if cur.get_raw(MF::Key.name()).and_then(Value::text) == Some(REVOKED) {
            return Err(refused(
                format!("{shown} has already left {engagement}"),
                format!("{shown} 已离开 {engagement}"),
            ));
        }
        let mut d = Vec::new();
        super::set_if_changed(&mut d, &e, Some(&cur), MF::Key, REVOKED.into());
        self.commit(d)?;
        Ok(crate::model::engagement::Member::from_record(
            &self.record(Kind::Member, &e.id)?,
        )?)
    }

    pub fn set_member_key(&self, engagement: &str, actor: &str, key: &str) -> Result<crate::model::engagement::Member> {
        self.require_identity()?;
        let text = member_key(actor, key)?;
        self.require_lead(engagement)?;
        let e = EntityId::new(Kind::Member, format!("{engagement}/{actor}"));
        let cur = self.record(Kind::Member, &e.id)?;
        let mut d = Vec::new();
        super::set_if_changed(&mut d, &e, Some(&cur), MF::Key, text.into());
        self.commit(d)?;
        Ok(crate::model::engagement::Member::from_record(
            &self.record(Kind::Member, &e.id)?,
        )?)
    }

    /// Record (or clear) the last day a member's auditor registration is
    /// valid. An expired registration does not count towards the
    /// two-registered-auditors rule. Lead only once the team signs.
    pub fn set_registration_until(
        &self,
        engagement: &str,
        actor: &str,
        until: Option<jiff::civil::Date>,
    ) -> Result<crate::model::engagement::Member> {
        self.set_registration(engagement, actor, Some(until), None)
    }

    /// Record a member's registration validity (`Some(None)` clears it) and
    /// level (intern, auditor, senior) in one commit; `None` leaves each as
    /// it is. Lead only once the team signs.
    pub fn set_registration(
        &self,
        engagement: &str,
        actor: &str,
        until: Option<Option<jiff::civil::Date>>,
        level: Option<crate::model::engagement::Level>,
    ) -> Result<crate::model::engagement::Member> {
        self.require_identity()?;
        if self.team(engagement)?.iter().any(|m| m.key.is_some()) {
            self.require_lead(engagement)?;
        }
        let e = EntityId::new(Kind::Member, format!("{engagement}/{actor}"));
        let cur = self.record(Kind::Member, &e.id)?;
        let mut d = Vec::new();
        if let Some(until) = until {
            super::set_if_changed(&mut d, &e, Some(&cur), MF::RegistrationUntil, until.into());
        }
        if let Some(level) = level {
            super::set_if_changed(&mut d, &e, Some(&cur), MF::Level, level.as_str().into());
        }
        self.commit(d)?;
        Ok(crate::model::engagement::Member::from_record(
            &self.record(Kind::Member, &e.id)?,
        )?)
    }

    /// Refuse team changes by anyone but the creator or a lead.
    pub(crate) fn require_lead(&self, engagement: &str) -> Result<()> {
        let me = self.identity.actor.clone();
        let creator = self.creator_of(engagement)?;
        let lead = self.member(engagement, &me).is_some_and(|m| m.role == Role::Lead);
        if creator.as_deref() != Some(me.as_str()) && !lead {
            return Err(refused(
                format!(
                    "only the engagement's lead changes the team and registers signing keys; {me} is not the lead of {engagement}"
                ),
                format!("只有审核组长可以更改审核组和登记签名公钥；{me} 不是 {engagement} 的组长"),
            ));
        }
        Ok(())
    }

    /// Who created an engagement (the author of its first operation).
    pub(crate) fn creator_of(&self, engagement: &str) -> Result<Option<String>> {
        // Recorded with the genesis batch (one read); the engagement's
        // history only for engagements from before.
        if let Some(c) = self.store().genesis_creator(engagement)? {
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

    /// How a stored change is proven (for history).
    pub fn signature_of(&self, op: &Op) -> Result<Signature> {
        Ok(self
            .signatures_of(std::slice::from_ref(op))?
            .pop()
            .unwrap_or(Signature::Unsigned))
    }

    /// [`App::signature_of`] for many changes: the team's keys are read once
    /// per engagement and each batch is decoded and verified once (a
    /// generated batch lists thousands of hashes; a record's history has
    /// several changes from it).
    pub fn signatures_of(&self, ops: &[Op]) -> Result<Vec<Signature>> {
        let mut events: HashMap<String, HashMap<String, KeyEvents>> = HashMap::new();
        // Batches met so far, with what their signature proved.
        let mut batches: Vec<(SignedBatch, std::result::Result<String, Option<String>>)> = Vec::new();
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            let (actor, seq) = (op.id.actor.as_str(), op.id.seq);
            let i = match batches.iter().position(|(b, _)| b.actor == actor && b.covers(seq)) {
                Some(i) => i,
                None => {
                    let Some(b) = self.store().signed_batch(actor, seq)?.filter(|b| b.is_signed()) else {
                        out.push(Signature::Unsigned);
                        continue;
                    };
                    // A format-2 batch names its engagement.
                    let eng = if b.v >= 2 {
                        Some(b.engagement.clone())
                    } else {
                        self.engagement_of_entity(&op.entity)?
                    };
                    let Some(eng) = eng else {
                        out.push(Signature::Unsigned);
                        continue;
                    };
                    if !events.contains_key(&eng) {
                        let ev = self.key_events(&eng, &[])?;
                        events.insert(eng.clone(), ev);
                    }
                    let keys = events[&eng].get(actor).map(|v| v.as_slice()).unwrap_or_default();
                    let keys: Vec<&str> = keys.iter().filter_map(|(_, k)| k.as_deref()).collect();
                    let proved = self.verify_cached(&b, &keys);
                    batches.push((b, proved));
                    batches.len() - 1
                }
            };
            let (b, proved) = &batches[i];
            out.push(if b.hash_of(seq) != Some(b.hash_op(op)) {
                Signature::Invalid {
                    why: "the change differs from what was signed".into(),
                }
            } else {
                match proved {
                    Ok(fingerprint) => Signature::Verified {
                        fingerprint: fingerprint.clone(),
                    },
                    Err(Some(why)) => Signature::Invalid { why: why.clone() },
                    Err(None) => Signature::Unsigned,
                }
            });
        }
        Ok(out)
    }

    /// [`verify_any`] remembered for the last batches verified: up to 1,024
    /// of them, holding at most 262,144 op hashes (16 MB) between them. A
    /// finding's history is often a batch per edit: with 16 kept, moving
    /// through the demo's findings verified most of them again on every key.
    fn verify_cached(&self, b: &SignedBatch, keys: &[&str]) -> std::result::Result<String, Option<String>> {
        const KEPT: usize = 1024;
        const KEPT_HASHES: usize = 1 << 18;
        let same = |p: &Proof| p.batch == *b && p.keys.iter().map(String::as_str).eq(keys.iter().copied());
        if let Some(p) = self
            .proofs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|p| same(p))
        {
            return p.proved.clone();
        }
        let proved = verify_any(b, keys.iter().copied());
        let mut kept = self.proofs.lock().unwrap_or_else(|e| e.into_inner());
        let mut held: usize = kept.iter().map(|p| p.batch.hashes.len()).sum();
        while !kept.is_empty() && (kept.len() >= KEPT || held + b.hashes.len() > KEPT_HASHES) {
            held -= kept.pop_front().map_or(0, |p| p.batch.hashes.len());
        }
        kept.push_back(Proof {
            batch: b.clone(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            proved: proved.clone(),
        });
        proved
    }

    /// How a format-2 batch held here is proven, by itself: its signature
    /// against every key its author had registered in its engagement (the
    /// head-office index checks each op's hash against it as it reads the
    /// log). `None` for a format-1 batch, which names no engagement.
    pub(crate) fn batch_proof(&self, b: &SignedBatch) -> Result<Option<Signature>> {
        if !b.is_signed() {
            return Ok(Some(Signature::Unsigned));
        }
        if b.v < 2 {
            return Ok(None);
        }
        let events = self.key_events(&b.engagement, &[])?;
        let keys = events.get(b.actor.as_str()).map(|v| v.as_slice()).unwrap_or_default();
        let keys: Vec<&str> = keys.iter().filter_map(|(_, k)| k.as_deref()).collect();
        Ok(Some(match self.verify_cached(b, &keys) {
            Ok(fingerprint) => Signature::Verified { fingerprint },
            Err(Some(why)) => Signature::Invalid { why },
            Err(None) => Signature::Unsigned,
        }))
    }

    /// Every op of one record with how it is proven, in log order.
    pub fn entity_history_signed(&self, e: &EntityId) -> Result<Vec<(Op, Signature)>> {
        let ops = self.store().history(e)?;
        let sigs = self.signatures_of(&ops)?;
        Ok(ops.into_iter().zip(sigs).collect())
    }

    /// Every member's key registrations in `engagement`, from this copy's log
    /// and `incoming` ops, keeping only those made by the creator or a lead.
    /// An unauthorised registration among `incoming` is refused.
    fn key_events(&self, engagement: &str, incoming: &[Op]) -> Result<HashMap<String, KeyEvents>> {
        let prefix = format!("{engagement}/");
        let mut ops: Vec<Op> = Vec::new();
        let mut seen: HashSet<OpId> = HashSet::new();
        let mut creator = self.creator_of(engagement)?;
        for m in self.store().records(Kind::Member, &prefix)? {
            for op in self.store().history(&m.entity)? {
                if seen.insert(op.id.clone()) {
                    ops.push(op);
                }
            }
        }
        for op in incoming {
            if op.entity.kind == Kind::Engagement && op.entity.id == engagement && op.change == Change::Create {
                creator.get_or_insert_with(|| op.id.actor.clone());
            }
            if op.entity.kind == Kind::Member && op.entity.id.starts_with(&prefix) && seen.insert(op.id.clone()) {
                ops.push(op.clone());
            }
        }
        sort_ops(&mut ops);
        // Roles as they end up (a lead's authority is judged on the team as merged).
        let mut role: HashMap<&str, &str> = HashMap::new();
        for op in &ops {
            if let Change::Set { field, value } = &op.change
                && field == MF::Role.name()
                && let Some(actor) = op.entity.id.strip_prefix(&prefix)
            {
                role.insert(actor, value.text().unwrap_or(""));
            }
        }
        // The creator and the leads change the team and its keys.
        let may_change_team =
            |setter: &str| creator.as_deref() == Some(setter) || role.get(setter) == Some(&Role::Lead.as_str());
        let incoming_ids: HashSet<&OpId> = incoming.iter().map(|o| &o.id).collect();
        let mut events: HashMap<String, KeyEvents> = HashMap::new();
        for op in &ops {
            let Change::Set { field, value } = &op.change else {
                continue;
            };
            if field != MF::Key.name() {
                continue;
            }
            let Some(member) = op.entity.id.strip_prefix(&prefix) else {
                continue;
            };
            let setter = op.id.actor.as_str();
            if !may_change_team(setter) {
                if incoming_ids.contains(&op.id) {
                    let (s, m) = (crate::text::visible(setter), crate::text::visible(member));
                    return Err(refused(
                        format!("`{s}` changed the signing key of `{m}` but is not the lead of {engagement}"),
                        format!("`{s}` 更改了 `{m}` 的签名公钥，但其不是 {engagement} 的组长"),
                    ));
                }
                continue;
            }
            let key = match value {
                Value::Text(t) if !t.is_empty() => Some(t.clone()),
                _ => None,
            };
            events.entry(member.to_string()).or_default().push((op.hlc, key));
        }
        // Once the team signs, only the creator or a lead adds members or
        // changes roles (or anyone could add a keyless name to write as).
        if !events.is_empty() {
            for op in incoming.iter().filter(|o| o.entity.kind == Kind::Member) {
                let team_change = match &op.change {
                    Change::Create => true,
                    Change::Set { field, .. } => field == MF::Role.name(),
                    _ => false,
                };
                let setter = op.id.actor.as_str();
                if team_change && !may_change_team(setter) && op.entity.id.starts_with(&prefix) {
                    let (s, m) = (crate::text::visible(setter), crate::text::visible(&op.entity.id));
                    return Err(refused(
                        format!("`{s}` changed the team ({m}) but is not the lead of {engagement}"),
                        format!("`{s}` 更改了审核组（{m}），但其不是 {engagement} 的组长"),
                    ));
                }
            }
        }
        Ok(events)
    }

    /// Check a teammate's operations for `engagement` against the team's
    /// keys (see the module's rules). Ops this copy already holds are not
    /// checked again. Refuses, naming the actor and the reason, when any
    /// change is not proven; nothing is written either way.
    pub fn verify_ops(&self, engagement: &str, ops: &[Op], batches: Vec<SignedBatch>) -> Result<Verified> {
        let mut by_actor: HashMap<&str, Vec<&SignedBatch>> = HashMap::new();
        for b in &batches {
            by_actor.entry(b.actor.as_str()).or_default().push(b);
        }
        for v in by_actor.values_mut() {
            v.sort_by_key(|b| b.first);
        }
        let events = self.key_events(engagement, ops)?;
        let key_at = |actor: &str, t: Hlc| -> Option<&str> {
            let ev = events.get(actor)?;
            ev.iter().rev().find(|(h, _)| *h <= t).and_then(|(_, k)| k.as_deref())
        };
        let mut held: HashMap<&str, crate::store::SeqSet> = HashMap::new();
        // Batch index → (earliest clock among its fresh ops, its fresh ops).
        let mut used: BTreeMap<(String, u64), (Hlc, Vec<&Op>)> = BTreeMap::new();
        let mut out = Verified::default();
        for op in ops {
            let actor = op.id.actor.as_str();
            if !held.contains_key(actor) {
                held.insert(actor, self.store().seen(actor)?);
            }
            if held.get(actor).is_some_and(|s| s.contains(op.id.seq)) {
                continue;
            }
            let shown = crate::text::visible(&op.id.to_string()).into_owned();
            let who = crate::text::visible(actor).into_owned();
            if key_at(actor, op.hlc) == Some(REVOKED) {
                let e = crate::text::visible(engagement).into_owned();
                return Err(refused(
                    format!(
                        "{who}'s change {shown} was made after {who} left the team of {e} (the lead revoked their key); it is refused"
                    ),
                    format!("{who} 的更改 {shown} 是在其离开 {e} 审核组（组长已吊销其密钥）之后做出的，已拒绝"),
                ));
            }
            let batch = by_actor.get(actor).and_then(|v| {
                let i = v.partition_point(|b| b.first <= op.id.seq);
                i.checked_sub(1).map(|i| v[i]).filter(|b| b.covers(op.id.seq))
            });
            match batch {
                Some(b) => {
                    if b.hash_of(op.id.seq) != Some(op_hash(op)) {
                        return Err(refused(
                            format!("{who}'s change {shown} is not what {who} signed (it was altered)"),
                            format!("{who} 的更改 {shown} 与其签名的内容不符（已被篡改）"),
                        ));
                    }
                    let e = used.entry((b.actor.clone(), b.first)).or_insert((op.hlc, Vec::new()));
                    e.0 = e.0.min(op.hlc);
                    e.1.push(op);
                }
                None => {
                    if key_at(actor, op.hlc).is_some() {
                        return Err(refused(
                            format!("{who}'s change {shown} is not signed, but {who} has a registered signing key"),
                            format!("{who} 的更改 {shown} 未签名，但 {who} 已登记签名公钥"),
                        ));
                    }
                    out.unsigned += 1;
                }
            }
        }
        for ((actor, first), (t, fresh)) in &used {
            let b = by_actor
                .get(actor.as_str())
                .and_then(|v| v.iter().find(|b| b.first == *first))
                .copied()
                .expect("batch indexed above");
            let who = crate::text::visible(actor).into_owned();
            // The key in force then, or one this batch registers for its author.
            let mut candidates: Vec<&str> = key_at(actor, *t).into_iter().collect();
            for op in fresh {
                if op.entity.kind == Kind::Member
                    && op.entity.id == format!("{engagement}/{actor}")
                    && let Change::Set { field, value } = &op.change
                    && field == MF::Key.name()
                    && let Some(k) = value.text()
                    && events
                        .get(actor.as_str())
                        .is_some_and(|ev| ev.iter().any(|(_, e)| e.as_deref() == Some(k)))
                {
                    candidates.push(k);
                }
            }
            if candidates.is_empty() {
                // No key registered for the author then: nothing to prove against.
                out.unsigned += fresh.len();
                continue;
            }
            if let Err(why) = verify_any(b, candidates.iter().copied()) {
                let why = crate::text::visible(&why.unwrap_or_default()).into_owned();
                let (a, l) = (b.first, b.last());
                return Err(refused(
                    format!("{who}'s changes {who}#{a}–{l} are refused: {why}"),
                    format!("{who} 的更改 {who}#{a}–{l} 被拒绝：{why}"),
                ));
            }
            out.signed += fresh.len();
            out.batches.push(b.clone());
        }
        Ok(out)
    }

    /// The sequence numbers of `actor` this copy holds.
    pub fn held_seqs(&self, actor: &str) -> Result<crate::store::SeqSet> {
        Ok(self.store().seen(actor)?)
    }

    /// A digest of every operation this copy holds (see
    /// [`crate::store::Store::held_digest`]).
    pub fn held_digest(&self) -> Result<String> {
        Ok(self.store().held_digest()?)
    }

    /// Keep what a sync left beside the database (see
    /// [`crate::store::Store::keep_quiet_sync`]).
    pub(crate) fn keep_quiet_sync(&self, bytes: &[u8]) -> bool {
        self.store().keep_quiet_sync(bytes)
    }

    /// The batch holding `actor#seq`, if any.
    pub fn batch_covering(&self, actor: &str, seq: u64) -> Result<Option<SignedBatch>> {
        Ok(self.store().signed_batch(actor, seq)?)
    }

    /// The signed batches that prove any of `ops` (for a bundle).
    pub fn batches_for(&self, ops: &[Op]) -> Result<Vec<SignedBatch>> {
        let mut sets: HashMap<&str, crate::store::SeqSet> = HashMap::new();
        for op in ops {
            sets.entry(op.id.actor.as_str()).or_default().insert(op.id.seq);
        }
        let mut out = Vec::new();
        for b in self.store().signed_batches() {
            let b = b?;
            if sets
                .get(b.actor.as_str())
                .is_some_and(|s| s.intersects(b.first, b.last()))
            {
                out.push(b);
            }
        }
        Ok(out)
    }
}

/// A member's public key as the team record keeps it (OpenSSH, no comment),
/// or why `text` is not one.
pub(crate) fn member_key(actor: &str, text: &str) -> Result<String> {
    let key = parse_public(text).map_err(|why| {
        let why = crate::text::visible(&why).into_owned();
        refused(format!("the key for {actor}: {why}"), format!("{actor} 的公钥：{why}"))
    })?;
    Ok(crate::crypto::sign::openssh_text(&key))
}

/// What [`verify_any`] said of a batch with these keys.
pub(crate) struct Proof {
    batch: SignedBatch,
    keys: Vec<String>,
    proved: std::result::Result<String, Option<String>>,
}

/// Whether `b` is signed by one of `keys` (OpenSSH text): the fingerprint of
/// the one that verifies, or why none does (`None`: there was no key).
fn verify_any<'k>(b: &SignedBatch, keys: impl Iterator<Item = &'k str>) -> std::result::Result<String, Option<String>> {
    let mut why = None;
    for text in keys {
        match parse_public(text).and_then(|k| b.verify(&k).map(|()| k)) {
            Ok(k) => return Ok(fingerprint_of(&k)),
            Err(w) => why = Some(w),
        }
    }
    Err(why)
}
