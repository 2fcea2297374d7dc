//! Use cases: one function per user intent. The CLI and the TUI both call these;
//! nothing else writes to the store. Each function validates, turns the intent
//! into ops, commits them (durably) and returns the result.
//!
//! Length: the core every use case module builds on (open, commit, identity,
//! clock, errors).

mod analytics;
pub mod body;
pub mod cnca;
mod conflicts;
pub mod cycle;
pub mod demo;
pub mod diagnostics;
pub mod digest;
mod engagement;
mod error;
mod ingest;
pub use ingest::{Carried, CarriedReport, Judged, MAX_SEQ, MAX_SKEW_MS, Refused};
pub(crate) mod finding;
pub mod plan;
pub mod programme;
pub(crate) mod remediation;
mod remotes;
mod sealing;
mod session;
pub use session::trim_heap;
pub mod pseudonym;
pub mod qa;
pub mod request;
mod signing;
pub mod sources;
pub mod status;
pub mod testcall;
mod undo;

pub use analytics::{CallProfile, HourSeries, MetricTarget, RecordedMetrics, compute_metrics};
pub use conflicts::Keep;
pub use diagnostics::DoctorReport;
pub use engagement::{
    AssessmentInput, EvidenceProblem, NewEngagement, StagedFile, check_evidence_file, stage_evidence_file,
};
pub use error::{AppError, Result, io_zh};
pub use finding::{FindingMove, MoveKind, MoveText, NewFinding, rebase_opened};
pub use plan::{MilestoneUpdate, NewMilestone, Plan};
pub use remediation::{ActionUpdate, NewAction};
pub use remotes::{GitoliteConf, Remote};
pub use signing::{REVOKED, Signature, Verified};
pub use undo::Undone;

use crate::crypto::sign::BatchSignature;
use crate::model::action::CorrectiveAction;
use crate::model::catalog::Catalog;
use crate::model::engagement::{Engagement, Member};
use crate::model::fields::{Field, Rel};
use crate::model::finding::Finding;
use crate::model::ops::{Change, EntityId, Kind, Op, Record, Value};
use crate::model::policy::DuePolicy;
use crate::store::{Draft, MergeReport, Store};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Who is typing: the local actor, used as the author of every op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub actor: String,
    pub name: String,
    pub initials: String,
}

impl Identity {
    fn from_env() -> Identity {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "auditor".into());
        let actor: String = user
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        let actor = if actor.is_empty() { "auditor".to_string() } else { actor };
        let initials = actor
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .take(2)
            .collect::<String>()
            .to_uppercase();
        Identity {
            name: actor.clone(),
            initials: if initials.is_empty() { "AU".into() } else { initials },
            actor,
        }
    }
}

pub fn validate_initials(s: &str) -> Result<()> {
    if (1..=4).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(AppError::Invalid(crate::msg!(
            "initials `{s}` must be 1 to 4 capital letters A–Z (they prefix finding references)",
            "缩写 `{s}` 必须是 1 到 4 个大写字母 A–Z（用作发现项编号前缀）"
        )))
    }
}

/// SHA-256 (hex) of a catalogue's source: its identity.
pub fn catalog_sha256(src: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(src.as_bytes()))
}

/// Where an engagement's catalogue source is kept.
fn catalog_key(e: &Engagement) -> String {
    match &e.catalog_sha256 {
        Some(sha) => format!("catalog-sha/{sha}"),
        None => format!("catalog/{}@{}", e.catalog_id, e.catalog_version),
    }
}

pub fn validate_actor(s: &str) -> Result<()> {
    if !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        Ok(())
    } else {
        Err(AppError::Invalid(crate::msg!(
            "actor id `{s}` must be 1 to 64 letters, digits, `.`, `-` or `_`",
            "用户标识 `{s}` 必须是 1 到 64 个字母、数字、`.`、`-` 或 `_`"
        )))
    }
}

pub struct App {
    /// `None` while released (the TUI lets other processes in between its operations).
    store: Option<Store>,
    /// The data folder, to open the store again after a release.
    dir: Option<std::path::PathBuf>,
    /// Release the store between operations (set by the TUI).
    sharing: bool,
    /// The database files' (length, modified) when last released, to notice
    /// changes made by other processes.
    seen_files: Option<(u64, std::time::SystemTime)>,
    pub(crate) identity: Identity,
    /// Whether the user has said who they are (`identity set`); until then the
    /// identity is a guess from the environment and nothing may be created.
    identity_chosen: bool,
    /// The user's auditor certificate number, if any (kept beside the identity).
    certificate: Option<String>,
    /// The private key file that signs this copy's commits (`identity key`),
    /// as stored; read only when first needed (not at every open: the TUI
    /// opens the store for each operation).
    key_path: Option<String>,
    key: std::sync::OnceLock<signing::KeyState>,
    /// Keys of several actors this process writes as (the demo's team).
    keyring: std::collections::HashMap<String, std::sync::Arc<crate::crypto::sign::Signer>>,
    pub policy: DuePolicy,
    /// The certification body's settings (body.toml): the person-days
    /// calculator, rotation, the CNCA template.
    pub body: crate::config::body::BodyConfig,
    today: Date,
    /// Parsed catalogues by `id@version`: every use case needs one, and
    /// parsing the TOML each time was most of the cost of recording a result.
    catalogs: std::sync::Mutex<std::collections::HashMap<String, Catalog>>,
    /// Records this process's commits touched since `take_touched` (the TUI
    /// reads just these again after a save).
    /// `None` once more than [`TOUCHED_MAX`] were touched (read everything again).
    touched: std::sync::Mutex<Option<Vec<EntityId>>>,
    /// Signed batches verified lately, with the keys tried and the outcome
    /// (a pure function of the two): a history shown again, or another op of
    /// the same commit, does not hash and verify the batch again (a bulk
    /// commit's batch lists thousands of operations).
    proofs: std::sync::Mutex<std::collections::VecDeque<signing::Proof>>,
    /// The engagement being worked on (the CLI's `-e`, the TUI's open one):
    /// a bare finding or action reference is looked for there first.
    context: std::sync::Mutex<Option<String>>,
    /// Asks the user for a passphrase (set by the caller: the CLI on the
    /// terminal, the TUI from a form); `CSCAUDIT_PASSPHRASE` comes first.
    ask: Option<crate::crypto::seal::Ask>,
    /// A wall clock of the caller's for new operations (tests), else the system's.
    wall: Option<crate::store::WallClock>,
}

/// Beyond this many touched records, a reader loads everything again.
const TOUCHED_MAX: usize = 4096;

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("identity", &self.identity)
            .finish()
    }
}

/// Today's date: `CSCAUDIT_TODAY` (YYYY-MM-DD, for reproducible runs) or the local date.
pub fn today() -> Date {
    std::env::var("CSCAUDIT_TODAY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| jiff::Zoned::now().date())
}

impl App {
    pub fn open(data_dir: &Path) -> Result<App> {
        let mut app = Self::with_store(Store::open(data_dir)?)?;
        app.dir = Some(data_dir.to_path_buf());
        Ok(app)
    }

    pub fn with_store(store: Store) -> Result<App> {
        let chosen = store.meta_get::<Identity>("identity")?;
        let identity_chosen = chosen.is_some();
        let certificate = store
            .meta_get::<String>("identity/certificate")?
            .filter(|c| !c.is_empty());
        let identity = chosen.unwrap_or_else(Identity::from_env);
        let key_path = store.meta_get::<String>("identity/key")?.filter(|p| !p.is_empty());
        Ok(App {
            key_path,
            key: Default::default(),
            keyring: Default::default(),
            store: Some(store),
            dir: None,
            sharing: false,
            seen_files: None,
            identity,
            identity_chosen,
            certificate,
            policy: DuePolicy::default(),
            body: Default::default(),
            today: today(),
            catalogs: Default::default(),
            touched: std::sync::Mutex::new(Some(Vec::new())),
            proofs: std::sync::Mutex::new(std::collections::VecDeque::new()),
            context: std::sync::Mutex::new(None),
            ask: None,
            wall: None,
        })
    }

    /// Stamp new operations from `wall` (ms since the epoch) instead of the
    /// system clock: tests move time by hand rather than sleep.
    pub fn set_wall_clock(&mut self, wall: Option<crate::store::WallClock>) {
        if let Some(s) = self.store.as_mut() {
            s.set_wall_clock(wall.clone());
        }
        self.wall = wall;
    }

    /// How this app asks the user for a passphrase (none: only
    /// `CSCAUDIT_PASSPHRASE` is read).
    pub fn set_secret_prompt(&mut self, ask: Option<crate::crypto::seal::Ask>) {
        self.ask = ask;
    }

    /// `CSCAUDIT_PASSPHRASE`, else the caller's prompt.
    pub(crate) fn asker(&self) -> crate::crypto::seal::Ask {
        let inner = self.ask.clone();
        std::sync::Arc::new(move |prompt: &str| {
            if let Ok(p) = std::env::var("CSCAUDIT_PASSPHRASE") {
                return Some(age::secrecy::SecretString::from(p));
            }
            inner.as_ref().and_then(|ask| ask(prompt))
        })
    }

    /// The store, for the use cases in this crate only (this module, and
    /// the head-office index that reads it): the CLI and the TUI go through
    /// the use cases.
    pub(crate) fn store(&self) -> &Store {
        // The TUI acquires before every operation; reaching this released is a bug.
        self.store
            .as_ref()
            .expect("the store is acquired before every operation")
    }

    /// How many operations the log holds.
    pub fn op_count(&self) -> usize {
        self.store().op_count()
    }

    /// The whole log in order (for bundles and comparisons between copies).
    pub fn all_ops(&self) -> Result<Vec<Op>> {
        Ok(self.store().all_ops()?)
    }

    /// Open conflicts (concurrent writes to one field) across the database.
    pub fn conflicts(&self) -> Result<Vec<crate::model::ops::Conflict>> {
        Ok(self.store().conflicts()?)
    }

    /// When the two sides of a conflict were written (wall-clock ms of each
    /// op, from the record's history; None if the op is not held).
    pub fn conflict_times(&self, c: &crate::model::ops::Conflict) -> Result<(Option<u64>, Option<u64>)> {
        let ops = self.store().history(&c.entity)?;
        let at = |id: &crate::model::ops::OpId| ops.iter().find(|o| &o.id == id).map(|o| o.hlc.wall_ms);
        Ok((at(&c.winner), at(&c.loser)))
    }

    /// Every op that touched one record, in log order.
    pub fn entity_history(&self, e: &EntityId) -> Result<Vec<Op>> {
        Ok(self.store().history(e)?)
    }

    /// Record ids in a secondary index of an engagement, optionally for one value.
    pub fn indexed(&self, tag: crate::store::IndexTag, engagement: &str, value: Option<&str>) -> Result<Vec<String>> {
        Ok(self.store().index_ids(tag, engagement, value)?)
    }

    /// The bytes of an evidence file, checked against its hash.
    pub fn evidence_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        Ok(self.store().read_blob(sha256)?)
    }

    /// Where an evidence file's bytes are kept.
    pub fn evidence_path(&self, sha256: &str) -> std::path::PathBuf {
        self.store().blob_path(sha256)
    }
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
    pub fn today(&self) -> Date {
        self.today
    }
    pub fn set_today(&mut self, d: Date) {
        self.today = d;
    }

    /// Who this copy of the database writes as (actor id, display name, initials).
    pub fn set_identity(&mut self, actor: &str, name: &str, initials: &str) -> Result<()> {
        validate_actor(actor)?;
        validate_initials(initials)?;
        let id = Identity {
            actor: actor.into(),
            name: name.into(),
            initials: initials.into(),
        };
        self.store().meta_set("identity", &id)?;
        self.identity = id;
        self.identity_chosen = true;
        Ok(())
    }

    /// The user's auditor certificate number (used when they create an engagement).
    pub fn set_certificate(&mut self, certificate: Option<&str>) -> Result<()> {
        let c = certificate.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        self.store()
            .meta_set("identity/certificate", &c.clone().unwrap_or_default())?;
        self.certificate = c;
        Ok(())
    }

    pub fn certificate(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// Whether the user has said who they are.
    pub fn identity_is_set(&self) -> bool {
        self.identity_chosen
    }

    /// Refuse work that records an author until the user has said who they are.
    pub(crate) fn require_identity(&self) -> Result<()> {
        if self.identity_chosen {
            Ok(())
        } else {
            Err(AppError::Invalid(crate::msg!(
                "say who you are first: `cscaudit identity set ID --name NAME --initials XY` (your id and initials mark everything you record)",
                "请先设置身份：`cscaudit identity set 标识 --name 姓名 --initials XY`（您记录的一切都以此署名）"
            )))
        }
    }

    /// Commit drafts as this identity: one batch per engagement touched,
    /// each naming the engagement's genesis and the heads held (its
    /// parents), signed with the identity's key when it has one.
    pub(crate) fn commit(&self, drafts: Vec<Draft>) -> Result<Vec<Op>> {
        let signer = self.signer_for(&drafts)?;
        let groups = self.group_by_engagement(drafts)?;
        let mut headers = Vec::with_capacity(groups.len());
        for (eng, drafts) in &groups {
            headers.push(match eng {
                Some(eng) => {
                    let h = self.batch_header(eng, drafts)?;
                    // The rules every copy applies to this batch, applied here first.
                    self.authorize_local(eng, h.1.is_none(), drafts)?;
                    Some(h)
                }
                None => None,
            });
        }
        let make = |i: usize, ops: &[Op]| -> std::result::Result<Option<crate::crypto::sign::SignedBatch>, String> {
            let Some((eng, genesis, parents)) = &headers[i] else {
                return Ok(None);
            };
            let b = crate::crypto::sign::SignedBatch::unsigned(eng, genesis.as_deref(), parents.clone(), ops)?;
            match &signer {
                Some(s) => b.sign_with(s).map(Some),
                None => Ok(Some(b)),
            }
        };
        let groups = groups.into_iter().map(|(_, d)| d).collect();
        let ops = self.store().commit_batches(&self.identity.actor, groups, &make)?;
        self.note_touched(ops.iter().map(|op| &op.entity));
        Ok(ops)
    }

    /// Remember records written (for [`App::take_touched`]).
    fn note_touched<'a>(&self, entities: impl Iterator<Item = &'a EntityId>) {
        let mut guard = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(touched) = guard.as_mut() {
            for e in entities {
                if touched.last() != Some(e) {
                    touched.push(e.clone());
                }
                if touched.len() > TOUCHED_MAX {
                    *guard = None;
                    return;
                }
            }
        }
    }

    /// The records committed to since the last call, in commit order
    /// (repeats possible), and forget them; `None` when there were too many
    /// to be worth reading one by one.
    pub fn take_touched(&self) -> Option<Vec<EntityId>> {
        self.touched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(Vec::new())
    }

    /// Records another app on this database touched (a worker's import or
    /// sync), to be read again like this app's own; `None`: too many.
    pub fn hand_touched(&self, touched: Option<Vec<EntityId>>) {
        match touched {
            Some(t) => self.note_touched(t.iter()),
            None => *self.touched.lock().unwrap_or_else(|p| p.into_inner()) = None,
        }
    }

    /// Merge a teammate's ops (from a findings bundle). The records they
    /// name count as touched, like a commit's (a reader patches them in).
    pub fn merge_ops(&self, ops: Vec<Op>) -> Result<MergeReport> {
        self.merge_signed(ops, Vec::new())
    }

    /// [`App::merge_ops`], keeping the signed batches [`App::verify_ops`] accepted.
    pub fn merge_signed(&self, ops: Vec<Op>, batches: Vec<crate::crypto::sign::SignedBatch>) -> Result<MergeReport> {
        let entities: Vec<EntityId> = ops
            .iter()
            .map(|op| &op.entity)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .take(TOUCHED_MAX + 1)
            .cloned()
            .collect();
        let report = self.store().merge_signed(ops, batches)?;
        if report.applied > 0 {
            self.note_touched(entities.iter());
        }
        Ok(report)
    }

    pub(crate) fn record(&self, kind: Kind, id: &str) -> Result<Record> {
        if !matches!(kind, Kind::Finding | Kind::Action) {
            return self.record_exact(kind, id);
        }
        self.resolve(kind, id)?.ok_or_else(|| AppError::NotFound {
            what: kind.name(),
            id: id.to_string(),
        })
    }

    /// Work on `engagement` from now on: a bare finding or action reference
    /// (`ZW-001`) means the one of this engagement when it has one.
    pub fn set_context(&self, engagement: Option<&str>) {
        *self.context.lock().unwrap_or_else(|p| p.into_inner()) = engagement.map(str::to_string);
    }

    /// A record by its exact id, as an index, a link or another record
    /// names it (no reference resolution).
    pub(crate) fn record_exact(&self, kind: Kind, id: &str) -> Result<Record> {
        self.store()
            .record(&EntityId::new(kind, id))?
            .filter(|r| !r.deleted)
            .ok_or_else(|| AppError::NotFound {
                what: kind.name(),
                id: id.to_string(),
            })
    }

    /// A finding by its exact record id (a carried link, an index entry).
    pub fn finding_by_id(&self, id: &str) -> Result<Finding> {
        Ok(Finding::from_record(&self.record_exact(Kind::Finding, id)?)?)
    }

    /// A live finding or action record and the engagement it names (`None`
    /// when there is no such record, or it names none: a change to one whose
    /// creation was taken back is not what anyone means by its reference).
    fn live(&self, e: &EntityId) -> Result<Option<(Record, String)>> {
        Ok(self.store().record(e)?.filter(|r| !r.deleted).and_then(|r| {
            let eng = r.get_raw("engagement").and_then(Value::text)?.to_string();
            Some((r, eng))
        }))
    }

    /// The record of a finding or action reference within `engagement`:
    /// `ZW-001` is `ENGAGEMENT/ZW-001`, or a bare `ZW-001` written before
    /// references were per engagement whose engagement this is.
    fn in_engagement(&self, engagement: &str, kind: Kind, reference: &str) -> Result<Option<Record>> {
        let scoped = EntityId::new(kind, crate::model::ops::scoped_id(engagement, reference));
        if let Some((r, _)) = self.live(&scoped)? {
            return Ok(Some(r));
        }
        if let Some((r, _)) = self
            .live(&EntityId::new(kind, reference))?
            .filter(|(_, eng)| eng == engagement)
        {
            return Ok(Some(r));
        }
        // A finding of an earlier audit this one carries is worked on from here.
        if kind == Kind::Finding
            && let Some(e) = self.store().record(&EntityId::new(Kind::Engagement, engagement))?
        {
            for id in e.linked(crate::model::fields::Rel::Carries) {
                if crate::model::ops::short_reference(&id) == reference
                    && let Some((r, _)) = self.live(&EntityId::new(Kind::Finding, id))?
                {
                    return Ok(Some(r));
                }
            }
        }
        Ok(None)
    }

    /// [`App::entity_of`] within one engagement: a reference of another
    /// engagement is not found.
    pub(crate) fn entity_in(&self, engagement: &str, kind: Kind, id: &str) -> Result<EntityId> {
        let reference = match id.split_once('/') {
            Some((e, r)) if e == engagement => Some(r),
            Some(_) => None,
            None => Some(id),
        };
        let found = match reference {
            Some(r) => self.in_engagement(engagement, kind, r)?,
            None => None,
        };
        found.map(|r| r.entity).ok_or_else(|| AppError::NotFound {
            what: kind.name(),
            id: id.to_string(),
        })
    }

    /// The record id a reference names (see [`App::resolve`]); for other
    /// kinds, and for an `E1/ZW-001` that names nothing held, the id itself.
    pub(crate) fn entity_of(&self, kind: Kind, id: &str) -> Result<EntityId> {
        if !matches!(kind, Kind::Finding | Kind::Action) {
            return Ok(EntityId::new(kind, id));
        }
        match self.resolve(kind, id)? {
            Some(r) => Ok(r.entity),
            None if id.contains('/') => Ok(EntityId::new(kind, id)),
            None => Err(AppError::NotFound {
                what: kind.name(),
                id: id.to_string(),
            }),
        }
    }

    /// The live record a finding or action reference names. References are
    /// unique within an engagement: `E1/ZW-001` names one (also a bare
    /// ZW-001 of E1 written before references were per engagement); a bare
    /// `ZW-001` means the one of the engagement worked on (`-e`, the TUI's
    /// open one), else the only one any engagement has — and when several
    /// have it, the error lists them.
    fn resolve(&self, kind: Kind, id: &str) -> Result<Option<Record>> {
        if let Some((eng, reference)) = id.split_once('/') {
            return self.in_engagement(eng, kind, reference);
        }
        let context = self.context.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(eng) = context
            && let Some(r) = self.in_engagement(&eng, kind, id)?
        {
            return Ok(Some(r));
        }
        let mut found: Vec<(Record, String)> = Vec::new();
        found.extend(self.live(&EntityId::new(kind, id))?);
        for eng in self.store().records(Kind::Engagement, "")? {
            let e = EntityId::new(kind, crate::model::ops::scoped_id(&eng.entity.id, id));
            found.extend(self.live(&e)?);
        }
        if found.len() <= 1 {
            return Ok(found.pop().map(|(r, _)| r));
        }
        let names = found
            .iter()
            .map(|(_, eng)| crate::model::ops::scoped_id(eng, id))
            .collect::<Vec<_>>()
            .join(", ");
        let names = crate::text::visible(&names).into_owned();
        Err(AppError::Invalid(crate::msg!(
            "{id} is in several engagements ({names}): write it as ENGAGEMENT/{id}, or put `-e ENGAGEMENT` before the command",
            "{id} 存在于多个审核项目中（{names}）：请写作 审核项目/{id}，或在命令前加 `-e 审核项目`"
        )))
    }

    // ------------------------------------------------------------- catalogues

    /// Keep a catalogue's source in the database so the engagement stays readable anywhere.
    pub(crate) fn remember_catalog(&self, src: &str, cat: &Catalog) -> Result<()> {
        // By content: a different file under the same id and version is
        // another catalogue and never replaces one held.
        if src.trim().is_empty() {
            return Ok(());
        }
        self.store()
            .meta_set(&format!("catalog-sha/{}", catalog_sha256(src)), &src.to_string())?;
        let key = format!("catalog/{}@{}", cat.id, cat.version);
        if self.store().meta_get::<String>(&key)?.is_none() {
            self.store().meta_set(&key, &src.to_string())?;
        }
        Ok(())
    }

    /// Refuse a catalogue source that is not the one `ops` name for
    /// `engagement` (by content hash), when they name one.
    pub(crate) fn check_catalog_named(&self, engagement: &str, ops: &[Op], src: &str) -> Result<()> {
        let named = ops.iter().find_map(|o| match &o.change {
            Change::Set { field, value }
                if o.entity == EntityId::new(Kind::Engagement, engagement)
                    && field
                        == crate::model::fields::FieldName::name(
                            crate::model::fields::EngagementField::CatalogSha256,
                        ) =>
            {
                value.text().map(str::to_string)
            }
            _ => None,
        });
        if let Some(named) = named
            && named != catalog_sha256(src)
        {
            let got = catalog_sha256(src);
            return Err(AppError::Invalid(crate::msg!(
                "the catalogue that came with {engagement} (SHA-256 {got}) is not the one the engagement was created with ({named}); it is refused",
                "随 {engagement} 传来的指标目录（SHA-256 {got}）不是该项目创建时所用的目录（{named}），已拒绝"
            )));
        }
        Ok(())
    }

    /// The catalogue source an engagement was created with (travels in
    /// bundles): by its content hash, or (an engagement from before) by id
    /// and version.
    pub fn catalog_source(&self, e: &Engagement) -> Result<Option<String>> {
        Ok(self.store().meta_get::<String>(&catalog_key(e))?)
    }

    /// The catalogue an engagement was created with.
    pub fn catalog_for(&self, e: &Engagement) -> Result<Catalog> {
        let key = catalog_key(e);
        let mut cache = self.catalogs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&key) {
            return Ok(c.clone());
        }
        let cat = match self.store().meta_get::<String>(&key)? {
            Some(src) => crate::config::parse_catalog(&src, &key)?,
            None => {
                let c = crate::config::embedded_catalog();
                if c.id != e.catalog_id {
                    return Err(AppError::NotFound {
                        what: "catalogue",
                        id: key,
                    });
                }
                c
            }
        };
        cache.insert(key, cat.clone());
        Ok(cat)
    }

    // ------------------------------------------------------------- queries

    pub fn engagements(&self) -> Result<Vec<Engagement>> {
        Ok(self
            .store()
            .records(Kind::Engagement, "")?
            .iter()
            .map(Engagement::from_record)
            .collect::<std::result::Result<_, _>>()?)
    }

    pub fn engagement(&self, id: &str) -> Result<Engagement> {
        Ok(Engagement::from_record(&self.record(Kind::Engagement, id)?)?)
    }

    /// The engagement to act on: the given id, or the only / most recent one.
    pub fn resolve_engagement(&self, id: Option<&str>) -> Result<Engagement> {
        if let Some(id) = id {
            return self.engagement(id);
        }
        // The engagement worked on (`-e` before the command).
        let context = self.context.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(id) = context {
            return self.engagement(&id);
        }
        let mut all = self.store().records(Kind::Engagement, "")?;
        all.sort_by_key(|r| r.created);
        let last = all.last().ok_or_else(|| {
            AppError::Invalid(crate::msg!(
                "there is no engagement yet: create one with `cscaudit engagement create` or try `cscaudit demo`",
                "还没有审核项目：请用 `cscaudit engagement create` 新建，或试试 `cscaudit demo`"
            ))
        })?;
        Ok(Engagement::from_record(last)?)
    }

    pub fn team(&self, engagement: &str) -> Result<Vec<Member>> {
        Ok(self
            .store()
            .records(Kind::Member, &format!("{engagement}/"))?
            .iter()
            .map(Member::from_record)
            .collect::<std::result::Result<_, _>>()?)
    }

    pub fn member(&self, engagement: &str, actor: &str) -> Option<Member> {
        self.team(engagement).ok()?.into_iter().find(|m| m.actor == actor)
    }

    /// Display name of an actor in an engagement (falls back to the id).
    pub fn display_name(&self, engagement: &str, actor: &str) -> String {
        self.member(engagement, actor)
            .map(|m| m.name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| actor.to_string())
    }

    pub fn findings(&self, engagement: &str) -> Result<Vec<Finding>> {
        self.findings_with(engagement, |f| f, |f| &f.reference)
    }

    /// The engagement's findings, each made into a `T` as soon as it is
    /// decoded (on the decoding threads when the kind is scanned), so the
    /// decoded findings are never all held at once; sorted by `reference`.
    pub fn findings_with<T: Send>(
        &self,
        engagement: &str,
        convert: impl Fn(Finding) -> T + Sync,
        reference: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        if self.mostly_this_engagement("f", self.count_of(engagement, "f")? as usize)? {
            // One sequential scan decoded on every core beats a lookup per
            // finding when the engagement holds most of them.
            out = self.scan_engagement(
                Kind::Finding,
                crate::model::fields::FindingField::Engagement,
                engagement,
                |r| Finding::from_record(r).map(&convert),
            )?;
        } else {
            let ids = self
                .store()
                .index_ids(crate::store::IndexTag::FindingSummary, engagement, None)?;
            out.reserve_exact(ids.len());
            for id in ids {
                out.push(convert(Finding::from_record(&self.record_exact(Kind::Finding, &id)?)?));
            }
        }
        // A scan is in key order already (then this is one pass).
        out.sort_by(|a, b| reference(a).cmp(reference(b)));
        Ok(out)
    }

    /// Every record of a kind whose `field` names this engagement, converted,
    /// in one scan of the kind decoded on every core (the first record that
    /// does not convert is the error).
    fn scan_engagement<T: Send>(
        &self,
        kind: Kind,
        field: impl crate::model::fields::FieldName + Sync,
        engagement: &str,
        convert: impl Fn(&Record) -> std::result::Result<T, crate::model::record::RecordError> + Sync,
    ) -> Result<Vec<T>> {
        let failed = std::sync::Mutex::new(None);
        let out = self.store().records_map(kind, "", |r| {
            if r.text(field) != engagement {
                return None;
            }
            convert(r)
                .map_err(|e| {
                    failed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e)
                        .clone()
                })
                .ok()
        })?;
        match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e.into()),
            None => Ok(out),
        }
    }

    /// How many records of an engagement the store's counters hold under
    /// `tag` ("f" findings by grade and status, "a" actions by status and
    /// owner).
    fn count_of(&self, engagement: &str, tag: &str) -> Result<u64> {
        let prefix = format!("{tag}{}", crate::store::SUMMARY_SEP);
        Ok(self
            .store()
            .counts(engagement)?
            .into_iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, n)| n)
            .sum())
    }

    /// Whether `n` records of an engagement are at least a quarter of all of
    /// that kind (counted by the store's counters under `tag`: "f" findings,
    /// "a" actions), so one scan of them all is the cheaper read.
    fn mostly_this_engagement(&self, tag: &str, n: usize) -> Result<bool> {
        if n < 512 {
            return Ok(false);
        }
        Ok(n as u64 * 4 >= self.store().count_all(tag)?)
    }

    /// Every finding of an engagement matching a status and/or grade, in
    /// reference order, handed to `each` one at a time as it is read (the
    /// first lines of 100,000 come at once): matched on the summary index,
    /// only the matches decoded. `each` returns false to stop.
    pub fn each_finding_where(
        &self,
        engagement: &str,
        status: Option<crate::model::finding::FindingStatus>,
        grade: Option<crate::model::finding::Grade>,
        each: &mut dyn FnMut(Finding) -> Result<bool>,
    ) -> Result<()> {
        // An engagement holding most findings: the records in id (reference)
        // order, one at a time, so the first lines need only their records.
        if self.mostly_this_engagement("f", self.count_of(engagement, "f")? as usize)? {
            let want = engagement.to_string();
            return self.store().each_record(Kind::Finding, "", |r| -> Result<bool> {
                if r.text(crate::model::fields::FindingField::Engagement) != want {
                    return Ok(true);
                }
                let f = Finding::from_record(&r)?;
                if grade.is_some_and(|g| f.grade != g) || status.is_some_and(|s| f.status != s) {
                    return Ok(true);
                }
                each(f)
            });
        }
        let mut ids: Vec<String> = Vec::new();
        for (value, id) in self
            .store()
            .index_entries(crate::store::IndexTag::FindingSummary, engagement)?
        {
            // A summary that does not read is kept: the record decides below.
            match crate::app::status::light_finding(engagement, id.clone(), &value) {
                Some(f) if grade.is_some_and(|g| f.grade != g) || status.is_some_and(|s| f.status != s) => {}
                _ => ids.push(id),
            }
        }
        ids.sort_unstable();
        for id in ids {
            let f = Finding::from_record(&self.record_exact(Kind::Finding, &id)?)?;
            if grade.is_some_and(|g| f.grade != g) || status.is_some_and(|s| f.status != s) {
                continue;
            }
            if !each(f)? {
                break;
            }
        }
        Ok(())
    }

    /// Findings with a status and/or grade, in reference order: matched on
    /// the summary index, only the matches decoded.
    pub fn findings_where(
        &self,
        engagement: &str,
        status: Option<crate::model::finding::FindingStatus>,
        grade: Option<crate::model::finding::Grade>,
    ) -> Result<Vec<Finding>> {
        if status.is_none() && grade.is_none() {
            return self.findings(engagement);
        }
        let mut out = Vec::new();
        self.each_finding_where(engagement, status, grade, &mut |f| {
            out.push(f);
            Ok(true)
        })?;
        Ok(out)
    }

    pub fn finding(&self, reference: &str) -> Result<Finding> {
        Ok(Finding::from_record(&self.record(Kind::Finding, reference)?)?)
    }

    /// An engagement's actions by due date (none last), then id.
    pub fn actions(&self, engagement: &str) -> Result<Vec<CorrectiveAction>> {
        if self.mostly_this_engagement("a", self.count_of(engagement, "a")? as usize)? {
            // One scan decoded on every core (in id order), then sorted:
            // no index read, no lookups.
            let mut all = self.scan_engagement(
                Kind::Action,
                crate::model::fields::ActionField::Engagement,
                engagement,
                CorrectiveAction::from_record,
            )?;
            all.sort_by(|a, b| {
                (a.due.is_none(), a.due)
                    .cmp(&(b.due.is_none(), b.due))
                    .then_with(|| a.id.cmp(&b.id))
            });
            return Ok(all);
        }
        // The summary index's value is `status␟due␟owner`, due "~" when none.
        let mut keyed: Vec<(String, String)> = self
            .store()
            .index_entries(crate::store::IndexTag::ActionSummary, engagement)?
            .into_iter()
            .map(|(value, id)| {
                (
                    value.split(crate::store::SUMMARY_SEP).nth(1).unwrap_or("~").to_string(),
                    id,
                )
            })
            .collect();
        keyed.sort_unstable();
        let mut out = Vec::with_capacity(keyed.len());
        for (_, id) in keyed {
            out.push(CorrectiveAction::from_record(&self.record_exact(Kind::Action, &id)?)?);
        }
        Ok(out)
    }

    pub fn actions_of(&self, finding: &Finding) -> Result<Vec<CorrectiveAction>> {
        let ids = self.store().index_ids(
            crate::store::IndexTag::ActionFinding,
            &finding.engagement,
            Some(&finding.entity),
        )?;
        ids.iter()
            .map(|id| Ok(CorrectiveAction::from_record(&self.record_exact(Kind::Action, id)?)?))
            .collect()
    }

    /// The history of any record named by a human reference: a finding ref,
    /// an action id, an engagement id, or `ENGAGEMENT/INDICATOR`.
    pub fn history(&self, reference: &str) -> Result<(EntityId, Vec<Op>)> {
        for kind in [
            Kind::Finding,
            Kind::Action,
            Kind::Engagement,
            Kind::Assessment,
            Kind::Member,
            Kind::Evidence,
            Kind::Milestone,
            Kind::TestCall,
        ] {
            let e = match self.entity_of(kind, reference) {
                Ok(e) => e,
                Err(AppError::NotFound { .. }) => continue,
                Err(other) => return Err(other),
            };
            if self.store().record(&e)?.is_some() {
                let ops = self.store().history(&e)?;
                return Ok((e, ops));
            }
        }
        Err(AppError::NotFound {
            what: "record",
            id: reference.to_string(),
        })
    }
}

/// A `Set` draft with the base taken from the current record.
pub(crate) fn set<F: Field>(entity: &EntityId, current: Option<&Record>, field: F, value: impl Into<Value>) -> Draft {
    let value = value.into();
    debug_assert_eq!(entity.kind, F::KIND, "{field:?} is not a field of {entity}");
    debug_assert!(field.ty().accepts(&value), "{field:?} cannot hold {value:?}");
    Draft {
        entity: entity.clone(),
        change: Change::Set {
            field: field.name().into(),
            value,
        },
        base: current.and_then(|r| r.base_of(field)),
    }
}

pub(crate) fn create(entity: &EntityId) -> Draft {
    Draft {
        entity: entity.clone(),
        change: Change::Create,
        base: None,
    }
}

pub(crate) fn link(entity: &EntityId, rel: Rel, target: &str) -> Draft {
    Draft {
        entity: entity.clone(),
        change: Change::Link {
            rel: rel.name().into(),
            target: target.into(),
        },
        base: None,
    }
}

/// Push a `Set` only when the value differs from the stored one.
pub(crate) fn set_if_changed<F: Field>(
    out: &mut Vec<Draft>,
    entity: &EntityId,
    current: Option<&Record>,
    field: F,
    value: Value,
) {
    let old = current.and_then(|r| r.fields.get(field.name())).map(|f| &f.value);
    if old != Some(&value) && !(old.is_none() && value == Value::Null) {
        out.push(set(entity, current, field, value));
    }
}
