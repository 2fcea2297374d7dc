//! Engagements, teams, assessments and evidence.
//!
//! Length: engagement, team, assessment and evidence use cases share their
//! validation helpers; to be split by record kind if it grows.

use super::{App, AppError, Result, create, link, set, set_if_changed};
use crate::model::assessment::{Assessment, AssessmentResult, Workflow};
use crate::model::catalog::Catalog;
use crate::model::engagement::{Engagement, EngagementKind, Member, Role};
use crate::model::evidence::{Evidence, media_type_for};
use crate::model::fields::{AssessmentField as AF, EngagementField as EF, EvidenceField as VF, MemberField as MF, Rel};
use crate::model::ops::{EntityId, Kind, Value};
use jiff::civil::Date;
use std::path::Path;

#[derive(Clone, Debug)]
pub struct NewEngagement {
    /// Leave empty to generate `E<yyyymmdd>-<initials><n>`.
    pub id: Option<String>,
    pub title: String,
    pub auditee: String,
    pub site: String,
    pub kind: EngagementKind,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
}

/// What to record on an assessment; `None` fields are left unchanged.
#[derive(Clone, Debug, Default)]
pub struct AssessmentInput {
    pub result: Option<AssessmentResult>,
    pub score: Option<f64>,
    pub measured: Option<f64>,
    pub method: Option<String>,
    pub notes: Option<String>,
    pub workflow: Option<Workflow>,
}

/// What is wrong with a stored evidence file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceProblem {
    Missing,
    Unreadable,
    Altered,
}

impl EvidenceProblem {
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (EvidenceProblem::Missing, false) => "missing from the evidence folder",
            (EvidenceProblem::Missing, true) => "证据文件夹中缺失",
            (EvidenceProblem::Unreadable, false) => "cannot be read",
            (EvidenceProblem::Unreadable, true) => "无法读取",
            (EvidenceProblem::Altered, false) => "altered: its bytes no longer match the hash",
            (EvidenceProblem::Altered, true) => "已被改动：内容与哈希不符",
        }
    }
}

/// A file streamed into the evidence folder and hashed, not yet recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct StagedFile {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// What can be checked at once about a file to attach: it is a regular file
/// (a link may point at a secret such as /etc/shadow; a FIFO or device never
/// ends). Checked without following links or opening. Returns its size.
pub fn check_evidence_file(file: &Path) -> Result<u64> {
    let p = file.display().to_string();
    let meta = std::fs::symlink_metadata(file).map_err(|source| AppError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        return Err(AppError::Invalid(crate::msg!(
            "{p} is a symbolic link; attach the file it points to, by its own path",
            "{p} 是符号链接；请用其指向的文件本身的路径添加"
        )));
    }
    if !meta.is_file() {
        return Err(AppError::Invalid(crate::msg!(
            "{p} is not a regular file (a folder, FIFO or device); only files can be evidence",
            "{p} 不是普通文件（文件夹、FIFO 或设备）；只有文件可以作为证据"
        )));
    }
    Ok(meta.len())
}

/// Open a file to attach as evidence: never through a symbolic link
/// (`O_NOFOLLOW`), without blocking on a FIFO, and checked as a regular file
/// on the handle opened (`fstat`), so what was checked is what is read —
/// swapping a link in between the check and the read cannot redirect it.
pub fn open_evidence_file(file: &Path) -> Result<std::fs::File> {
    let p = file.display().to_string();
    let io = |source| AppError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = match o.open(file) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(AppError::Invalid(crate::msg!(
                "{p} is a symbolic link; attach the file it points to, by its own path",
                "{p} 是符号链接；请用其指向的文件本身的路径添加"
            )));
        }
        Err(e) => return Err(io(e)),
    };
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(AppError::Invalid(crate::msg!(
            "{p} is not a regular file (a folder, FIFO or device); only files can be evidence",
            "{p} 不是普通文件（文件夹、FIFO 或设备）；只有文件可以作为证据"
        )));
    }
    Ok(f)
}

/// Stream a file into the evidence folder, hashing it (bounded memory,
/// whatever its size). Needs no database: the TUI runs it on a worker
/// thread; `progress` gets the bytes so far and `false` cancels
/// ([`AppError::Cancelled`], the partial copy removed).
pub fn stage_evidence_file(
    evidence_dir: &Path,
    file: &Path,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Result<StagedFile> {
    let mut f = open_evidence_file(file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".into());
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let watch = |n: u64| {
        let go = progress(n);
        if !go {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        go
    };
    match crate::store::stream_into(evidence_dir, &mut f, &watch) {
        Ok((sha256, size)) => Ok(StagedFile { name, sha256, size }),
        Err(_) if cancelled.load(std::sync::atomic::Ordering::Relaxed) => Err(AppError::Cancelled),
        Err(e) => Err(e.into()),
    }
}

impl App {
    /// Create an engagement on a catalogue and add the creator as lead.
    pub fn create_engagement(&self, new: NewEngagement, catalog: &Catalog, catalog_src: &str) -> Result<Engagement> {
        let (id, d) = self.engagement_drafts(new, catalog, catalog_src, self.certificate())?;
        self.commit(d)?;
        self.engagement(&id)
    }

    /// The id and the changes that create an engagement with you as its lead
    /// (registration `lead_certificate`), not yet committed.
    pub(crate) fn engagement_drafts(
        &self,
        new: NewEngagement,
        catalog: &Catalog,
        catalog_src: &str,
        lead_certificate: Option<&str>,
    ) -> Result<(String, Vec<crate::store::Draft>)> {
        self.require_identity()?;
        if new.auditee.trim().is_empty() {
            return Err(AppError::Invalid(crate::msg!(
                "the auditee's name is required",
                "必须填写受审核方名称"
            )));
        }
        if let (Some(a), Some(b)) = (new.period_start, new.period_end)
            && b < a
        {
            return Err(AppError::Invalid(crate::msg!(
                "the period ends ({b}) before it starts ({a})",
                "评价期间的结束日期（{b}）早于开始日期（{a}）"
            )));
        }
        let id = match new.id {
            Some(id) => {
                super::validate_actor(&id).map_err(|_| {
                    AppError::Invalid(crate::msg!(
                        "engagement id `{id}` may use letters, digits, `.`, `-`, `_` only",
                        "审核项目编号 `{id}` 只能使用字母、数字、`.`、`-`、`_`"
                    ))
                })?;
                if self.store().record(&EntityId::new(Kind::Engagement, &id))?.is_some() {
                    return Err(AppError::Invalid(crate::msg!(
                        "an engagement `{id}` already exists",
                        "审核项目 `{id}` 已存在"
                    )));
                }
                id
            }
            None => loop {
                let n = self
                    .store()
                    .next_counter(&format!("engagement/{}", self.identity().initials))?;
                let id = format!("E{}-{}{}", self.today().strftime("%Y%m%d"), self.identity().initials, n);
                if self.store().record(&EntityId::new(Kind::Engagement, &id))?.is_none() {
                    break id;
                }
            },
        };
        self.remember_catalog(catalog_src, catalog)?;
        let e = EntityId::new(Kind::Engagement, &id);
        let title = if new.title.trim().is_empty() {
            new.auditee.clone()
        } else {
            new.title
        };
        let mut d = vec![
            create(&e),
            set(&e, None, EF::Title, title),
            set(&e, None, EF::Auditee, new.auditee),
            set(&e, None, EF::Site, new.site),
            set(&e, None, EF::Kind, new.kind.as_str()),
            set(&e, None, EF::CatalogId, catalog.id.clone()),
            set(&e, None, EF::CatalogVersion, catalog.version.clone()),
        ];
        if !catalog_src.trim().is_empty() {
            d.push(set(&e, None, EF::CatalogSha256, super::catalog_sha256(catalog_src)));
        }
        if let Some(s) = new.period_start {
            d.push(set(&e, None, EF::PeriodStart, s));
        }
        if let Some(s) = new.period_end {
            d.push(set(&e, None, EF::PeriodEnd, s));
        }
        // The creator is the lead, with their signing key: one commit, so the
        // engagement's first batch proves who made it.
        let me = self.identity().clone();
        let key = self.signing_key().map(|s| s.public_openssh());
        d.extend(self.member_drafts(
            &id,
            &[],
            &me.actor,
            &me.name,
            &me.initials,
            Role::Lead,
            lead_certificate,
            key.as_deref(),
        )?);
        Ok((id, d))
    }

    /// Add a team member, or update their role, name or certificate number.
    pub fn add_member(
        &self,
        engagement: &str,
        actor: &str,
        name: &str,
        initials: &str,
        role: Role,
        certificate_no: Option<&str>,
    ) -> Result<Member> {
        self.add_member_keyed(engagement, actor, name, initials, role, certificate_no, None)
    }

    /// [`App::add_member`] with the member's ssh public key (OpenSSH text),
    /// registered in the same commit. Only the lead registers keys; once the
    /// team signs, only the lead changes the team.
    #[allow(clippy::too_many_arguments)]
    pub fn add_member_keyed(
        &self,
        engagement: &str,
        actor: &str,
        name: &str,
        initials: &str,
        role: Role,
        certificate_no: Option<&str>,
        key: Option<&str>,
    ) -> Result<Member> {
        self.engagement(engagement)?;
        if self.member(engagement, actor).is_none_or(|m| m.role != role) {
            self.require_no_conflict(engagement, actor, role)?;
        }
        let team = self.team(engagement)?;
        let signed = team.iter().any(|m| m.key.is_some());
        if key.is_some() || signed {
            self.require_lead(engagement)?;
        }
        let d = self.member_drafts(engagement, &team, actor, name, initials, role, certificate_no, key)?;
        self.commit(d)?;
        Ok(Member::from_record(
            &self.record(Kind::Member, &format!("{engagement}/{actor}"))?,
        )?)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn member_drafts(
        &self,
        engagement: &str,
        team: &[Member],
        actor: &str,
        name: &str,
        initials: &str,
        role: Role,
        certificate_no: Option<&str>,
        key: Option<&str>,
    ) -> Result<Vec<crate::store::Draft>> {
        super::validate_actor(actor)?;
        super::validate_initials(initials)?;
        if let Some(other) = team.iter().find(|m| m.initials == initials && m.actor != actor) {
            let who = &other.actor;
            return Err(AppError::Invalid(crate::msg!(
                "initials {initials} are already used by {who} in this engagement; references must stay unique",
                "缩写 {initials} 已被本项目的 {who} 使用；编号必须保持唯一"
            )));
        }
        let key = key.map(|k| super::signing::member_key(actor, k)).transpose()?;
        let e = EntityId::new(Kind::Member, format!("{engagement}/{actor}"));
        let cur = self.store().record(&e)?;
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(&e));
        }
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Engagement, engagement.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Actor, actor.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Name, name.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Initials, initials.into());
        set_if_changed(&mut d, &e, cur.as_ref(), MF::Role, role.as_str().into());
        let cert = certificate_no.map(str::trim).filter(|c| !c.is_empty());
        set_if_changed(
            &mut d,
            &e,
            cur.as_ref(),
            MF::CertificateNo,
            cert.map(str::to_string).into(),
        );
        if let Some(k) = key {
            set_if_changed(&mut d, &e, cur.as_ref(), MF::Key, k.into());
        }
        Ok(d)
    }

    fn assessment_entity(
        &self,
        engagement: &str,
        indicator: &str,
    ) -> Result<(EntityId, Option<crate::model::ops::Record>)> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        if cat.indicator(indicator).is_none() {
            let c = &cat.id;
            return Err(AppError::Invalid(crate::msg!(
                "no indicator `{indicator}` in catalogue {c}",
                "指标目录 {c} 中没有指标 `{indicator}`"
            )));
        }
        let e = EntityId::new(Kind::Assessment, Assessment::record_id(engagement, indicator));
        let cur = self.store().record(&e)?;
        Ok((e, cur))
    }

    fn assessment_base(
        engagement: &str,
        indicator: &str,
        e: &EntityId,
        cur: Option<&crate::model::ops::Record>,
    ) -> Vec<super::Draft> {
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(e));
            d.push(set(e, None, AF::Engagement, engagement));
            d.push(set(e, None, AF::Indicator, indicator));
        }
        d
    }

    /// Assign an indicator to a team member (or unassign with `None`).
    /// Assign several indicators at once (one commit: all or none; one undo).
    /// Returns how many changed.
    pub fn assign_indicators(&self, engagement: &str, indicators: &[String], assignee: Option<&str>) -> Result<usize> {
        if let Some(a) = assignee
            && self.member(engagement, a).is_none()
        {
            return Err(AppError::Invalid(crate::msg!(
                "{a} is not a member of engagement {engagement}",
                "{a} 不是审核项目 {engagement} 的成员"
            )));
        }
        let mut d = Vec::new();
        let mut changed = 0;
        for indicator in indicators {
            let (e, cur) = self.assessment_entity(engagement, indicator)?;
            let before = d.len();
            let mut base = Self::assessment_base(engagement, indicator, &e, cur.as_ref());
            set_if_changed(
                &mut base,
                &e,
                cur.as_ref(),
                AF::Assignee,
                assignee.map(str::to_string).into(),
            );
            d.extend(base);
            changed += usize::from(d.len() > before);
        }
        self.commit(d)?;
        Ok(changed)
    }

    pub fn assign_indicator(&self, engagement: &str, indicator: &str, assignee: Option<&str>) -> Result<Assessment> {
        if let Some(a) = assignee
            && self.member(engagement, a).is_none()
        {
            return Err(AppError::Invalid(crate::msg!(
                "{a} is not a member of engagement {engagement}",
                "{a} 不是审核项目 {engagement} 的成员"
            )));
        }
        let (e, cur) = self.assessment_entity(engagement, indicator)?;
        let mut d = Self::assessment_base(engagement, indicator, &e, cur.as_ref());
        set_if_changed(
            &mut d,
            &e,
            cur.as_ref(),
            AF::Assignee,
            assignee.map(str::to_string).into(),
        );
        self.commit(d)?;
        self.assessment(engagement, indicator)
    }

    /// Record a result, score, measured value, method or notes for an indicator.
    pub fn record_assessment(&self, engagement: &str, indicator: &str, input: AssessmentInput) -> Result<Assessment> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        if let Some(s) = input.score
            && !(s.is_finite() && (0.0..=cat.score_scale).contains(&s))
        {
            let scale = cat.score_scale;
            return Err(AppError::Invalid(crate::msg!(
                "score {s} is outside the catalogue's scale 0–{scale}",
                "得分 {s} 超出目录的分值范围 0–{scale}"
            )));
        }
        if let Some(m) = input.measured {
            // The same check the TUI's form makes: a percentage 0–100, no
            // negative durations or counts, yes/no as 1/0.
            use crate::model::input::{InputProblem as P, check_measured};
            let ind = cat.indicator(indicator).ok_or_else(|| AppError::NotFound {
                what: "indicator",
                id: indicator.to_string(),
            })?;
            if let Err(p) = check_measured(ind, m, cat.score_scale) {
                return Err(AppError::Invalid(match p {
                    P::OutOfRange { min, max, .. } => crate::msg!(
                        "the measured value {m} of {indicator} is outside {min}–{max}",
                        "{indicator} 的实测值 {m} 超出 {min}–{max}"
                    ),
                    P::Negative(_) => crate::msg!(
                        "the measured value {m} of {indicator} cannot be negative",
                        "{indicator} 的实测值 {m} 不能为负数"
                    ),
                    P::NotYesNo(_) => crate::msg!(
                        "{indicator} is measured yes or no (1 or 0), not {m}",
                        "{indicator} 的实测值为是或否（1 或 0），而非 {m}"
                    ),
                    _ => crate::msg!("the measured value must be a finite number", "实测值必须是有限数值"),
                }));
            }
        }
        let (e, cur) = self.assessment_entity(engagement, indicator)?;
        let mut d = Self::assessment_base(engagement, indicator, &e, cur.as_ref());
        let c = cur.as_ref();
        if let Some(r) = input.result {
            set_if_changed(&mut d, &e, c, AF::Result, r.as_str().into());
            // A recorded result moves the workflow along unless told otherwise.
            if input.workflow.is_none() && r != AssessmentResult::NotAssessed {
                let wf = c.map(|r| r.text(AF::Workflow)).unwrap_or_default();
                if wf.is_empty() || wf == Workflow::Todo.as_str() {
                    set_if_changed(&mut d, &e, c, AF::Workflow, Workflow::InProgress.as_str().into());
                }
            }
        }
        if let Some(s) = input.score {
            set_if_changed(&mut d, &e, c, AF::Score, Value::Float(s));
        }
        if let Some(m) = input.measured {
            set_if_changed(&mut d, &e, c, AF::Measured, Value::Float(m));
        }
        if let Some(m) = input.method {
            set_if_changed(&mut d, &e, c, AF::Method, m.into());
        }
        if let Some(n) = input.notes {
            set_if_changed(&mut d, &e, c, AF::Notes, n.into());
        }
        if let Some(w) = input.workflow {
            set_if_changed(&mut d, &e, c, AF::Workflow, w.as_str().into());
        }
        self.commit(d)?;
        self.assessment(engagement, indicator)
    }

    /// Write an indicator's notes from a form that opened showing `opened`.
    /// When someone else changed them since (an import, a sync, another
    /// process), nothing is saved: [`AppError::Changed`] says who, and
    /// carries their text, so the form can show it and the next save is a
    /// choice (keep mine, take theirs, or a merge typed by hand).
    pub fn record_notes_since(
        &self,
        engagement: &str,
        indicator: &str,
        notes: &str,
        opened: &str,
    ) -> Result<Assessment> {
        let e = EntityId::new(Kind::Assessment, Assessment::record_id(engagement, indicator));
        // The record read once: its notes now and who wrote them.
        let rec = self.store().record(&e)?;
        let now = match &rec {
            Some(r) => Assessment::from_record(r)?,
            None => Assessment::unassessed(engagement, indicator),
        };
        if now.notes != opened && now.notes != notes {
            let by = rec
                .as_ref()
                .and_then(|r| r.base_of_raw("notes"))
                .map(|o| o.actor)
                .unwrap_or_default();
            let (i, who) = (
                crate::text::visible(indicator).into_owned(),
                crate::text::visible(&by).into_owned(),
            );
            return Err(AppError::Changed {
                message: crate::msg!(
                    "{who} changed the notes of {i} since this form opened; nothing was saved. The form keeps what you typed and shows theirs below: save again to keep yours, Esc to keep theirs, or edit to merge",
                    "自打开此表单后 {who} 修改了 {i} 的备注；本次未保存。表单保留您输入的内容，并在下方显示对方的版本：再次保存则保留您的版本，Esc 保留对方的版本，或编辑后合并"
                ),
                theirs: now.notes,
            });
        }
        self.record_assessment(
            engagement,
            indicator,
            AssessmentInput {
                notes: Some(notes.to_string()),
                ..Default::default()
            },
        )
    }

    pub fn assessment(&self, engagement: &str, indicator: &str) -> Result<Assessment> {
        let e = EntityId::new(Kind::Assessment, Assessment::record_id(engagement, indicator));
        Ok(match self.store().record(&e)? {
            Some(r) => Assessment::from_record(&r)?,
            None => Assessment::unassessed(engagement, indicator),
        })
    }

    /// Every indicator of the engagement's catalogue with its assessment (or a blank one).
    pub fn assessments(&self, engagement: &str) -> Result<Vec<Assessment>> {
        let eng = self.engagement(engagement)?;
        let cat = self.catalog_for(&eng)?;
        let stored: std::collections::HashMap<String, Assessment> = self
            .store()
            .records(Kind::Assessment, &format!("{engagement}/"))?
            .iter()
            .map(|r| Assessment::from_record(r).map(|a| (a.indicator.clone(), a)))
            .collect::<std::result::Result<_, _>>()?;
        Ok(cat
            .indicators
            .iter()
            .map(|i| {
                stored
                    .get(&i.id)
                    .cloned()
                    .unwrap_or_else(|| Assessment::unassessed(engagement, &i.id))
            })
            .collect())
    }

    /// Store a file as evidence (bytes in the blob folder) and link it to an
    /// indicator's assessment and/or a finding.
    pub fn attach_evidence(
        &self,
        engagement: &str,
        file: &Path,
        note: &str,
        indicator: Option<&str>,
        finding: Option<&str>,
    ) -> Result<Evidence> {
        check_evidence_file(file)?;
        self.require_writable()?;
        self.engagement(engagement)?;
        if let Some(fr) = finding {
            self.entity_in(engagement, Kind::Finding, fr)?;
        }
        let staged = stage_evidence_file(self.store().blobs_dir(), file, &|_| true)?;
        self.record_staged_evidence(engagement, &staged, note, indicator, finding)
    }

    /// The folder evidence files are streamed into ([`stage_evidence_file`]).
    pub fn evidence_dir(&self) -> std::path::PathBuf {
        self.store().blobs_dir().to_path_buf()
    }

    /// Record a file already streamed into the evidence folder.
    pub fn record_staged_evidence(
        &self,
        engagement: &str,
        staged: &StagedFile,
        note: &str,
        indicator: Option<&str>,
        finding: Option<&str>,
    ) -> Result<Evidence> {
        self.engagement(engagement)?;
        if let Some(fr) = finding {
            self.entity_in(engagement, Kind::Finding, fr)?;
        }
        if !self.store().blob_path(&staged.sha256).is_file() {
            let name = &staged.name;
            return Err(AppError::Invalid(crate::msg!(
                "the evidence file {name} is no longer in the evidence folder; attach it again",
                "证据文件 {name} 已不在证据文件夹中；请重新添加"
            )));
        }
        self.record_evidence(
            engagement,
            &staged.name,
            &staged.sha256,
            staged.size,
            note,
            indicator,
            finding,
        )
    }

    pub fn attach_evidence_bytes(
        &self,
        engagement: &str,
        name: &str,
        bytes: &[u8],
        note: &str,
        indicator: Option<&str>,
        finding: Option<&str>,
    ) -> Result<Evidence> {
        self.engagement(engagement)?;
        if let Some(f) = finding {
            self.entity_in(engagement, Kind::Finding, f)?;
        }
        let sha = self.store().put_blob(bytes)?;
        self.record_evidence(engagement, name, &sha, bytes.len() as u64, note, indicator, finding)
    }

    /// The evidence record and its links, for a blob already stored.
    #[allow(clippy::too_many_arguments)]
    fn record_evidence(
        &self,
        engagement: &str,
        name: &str,
        sha: &str,
        size: u64,
        note: &str,
        indicator: Option<&str>,
        finding: Option<&str>,
    ) -> Result<Evidence> {
        let sha = sha.to_string();
        let e = EntityId::new(Kind::Evidence, Evidence::record_id(engagement, &sha));
        let cur = self.store().record(&e)?;
        let mut d = Vec::new();
        if cur.is_none() {
            d.push(create(&e));
            d.push(set(&e, None, VF::Engagement, engagement));
            d.push(set(&e, None, VF::Sha256, sha.clone()));
            d.push(set(&e, None, VF::Name, name));
            d.push(set(&e, None, VF::Size, Value::Int(size as i64)));
            d.push(set(&e, None, VF::MediaType, media_type_for(name)));
            d.push(set(&e, None, VF::CapturedBy, self.identity().actor.clone()));
            d.push(set(&e, None, VF::CapturedAt, jiff::Timestamp::now().to_string()));
        }
        // The same file attached again keeps its first note; a second note is added to it.
        if !note.is_empty() {
            let old = cur.as_ref().map(|r| r.text(VF::Note)).unwrap_or_default();
            let merged = if old.is_empty() || old == note || old.split("\n").any(|l| l == note) {
                if old.is_empty() { note.to_string() } else { old }
            } else {
                format!("{old}\n{note}")
            };
            set_if_changed(&mut d, &e, cur.as_ref(), VF::Note, merged.into());
        }
        if let Some(ind) = indicator {
            let (ae, acur) = self.assessment_entity(engagement, ind)?;
            d.extend(Self::assessment_base(engagement, ind, &ae, acur.as_ref()));
            d.push(link(&ae, Rel::Evidence, &sha));
        }
        if let Some(f) = finding {
            d.push(link(
                &self.entity_in(engagement, Kind::Finding, f)?,
                Rel::Evidence,
                &sha,
            ));
        }
        self.commit(d)?;
        Ok(Evidence::from_record(&self.record(Kind::Evidence, &e.id)?))
    }

    /// One evidence file of an engagement by its sha256, if stored.
    pub fn evidence_item(&self, engagement: &str, sha256: &str) -> Result<Option<Evidence>> {
        let e = EntityId::new(Kind::Evidence, Evidence::record_id(engagement, sha256));
        Ok(self
            .store()
            .record(&e)?
            .filter(|r| !r.deleted)
            .map(|r| Evidence::from_record(&r)))
    }

    /// Write an evidence file out: to `dest`, or into it when it is a folder
    /// (under the file's own name). The bytes are checked against their
    /// sha256 while copied; an existing file is kept unless `overwrite`.
    /// `sha` may be a unique prefix (as `evidence list` shows).
    pub fn export_evidence(
        &self,
        engagement: &str,
        sha: &str,
        dest: &Path,
        overwrite: bool,
    ) -> Result<std::path::PathBuf> {
        let all = self.evidence(engagement)?;
        // A hash or its beginning; else the file's name exactly.
        let mut hits: Vec<&Evidence> = all.iter().filter(|e| e.sha256.starts_with(sha)).collect();
        if hits.is_empty() {
            hits = all.iter().filter(|e| e.name == sha).collect();
        }
        let ev = match hits.as_slice() {
            [one] => *one,
            [] => {
                return Err(AppError::NotFound {
                    what: "evidence",
                    id: sha.to_string(),
                });
            }
            _ => {
                let n = hits.len();
                return Err(AppError::Invalid(crate::msg!(
                    "`{sha}` names {n} evidence files; give (more of) the hash",
                    "`{sha}` 对应 {n} 个证据文件；请给出（更长的）哈希"
                )));
            }
        };
        // The stored name is the user's: only its last component is used.
        let name = Path::new(&ev.name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != ".." && n != ".")
            .unwrap_or_else(|| ev.sha256.clone());
        let target = if dest.is_dir() {
            dest.join(name)
        } else {
            dest.to_path_buf()
        };
        let t = target.display().to_string();
        if target.exists() && !overwrite {
            return Err(AppError::Invalid(crate::msg!(
                "{t} exists; choose another path or overwrite it (--force)",
                "{t} 已存在；请换一个路径或覆盖（--force）"
            )));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| AppError::Io { path, source }
        };
        let src_path = self.store().blob_path(&ev.sha256);
        let mut src = std::fs::File::open(&src_path).map_err(io(&src_path))?;
        let tmp = target.with_file_name(format!(
            ".{}.cscaudit-tmp",
            target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ));
        let result = (|| -> Result<()> {
            let mut out = std::fs::File::create(&tmp).map_err(io(&tmp))?;
            let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = std::io::Read::read(&mut src, &mut buf).map_err(io(&src_path))?;
                if n == 0 {
                    break;
                }
                sha2::Digest::update(&mut hasher, &buf[..n]);
                std::io::Write::write_all(&mut out, &buf[..n]).map_err(io(&tmp))?;
            }
            out.sync_all().map_err(io(&tmp))?;
            if hex::encode(sha2::Digest::finalize(hasher)) != ev.sha256 {
                let id = ev.sha256.clone();
                return Err(AppError::Invalid(crate::msg!(
                    "the stored evidence file {id} does not match its hash (damaged); nothing was written",
                    "存储的证据文件 {id} 与其哈希不符（已损坏）；未写出任何内容"
                )));
            }
            std::fs::rename(&tmp, &target).map_err(io(&target))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map(|_| target)
    }

    /// Re-hash every evidence file of an engagement: those missing from the
    /// evidence folder or no longer matching their hash (streamed).
    pub fn verify_evidence(&self, engagement: &str) -> Result<Vec<(Evidence, EvidenceProblem)>> {
        let mut bad = Vec::new();
        for ev in self.evidence(engagement)? {
            let path = self.store().blob_path(&ev.sha256);
            let Ok(mut f) = std::fs::File::open(&path) else {
                bad.push((ev, EvidenceProblem::Missing));
                continue;
            };
            let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
            if std::io::copy(&mut f, &mut hasher).is_err() {
                bad.push((ev, EvidenceProblem::Unreadable));
                continue;
            }
            if hex::encode(sha2::Digest::finalize(hasher)) != ev.sha256 {
                bad.push((ev, EvidenceProblem::Altered));
            }
        }
        Ok(bad)
    }

    pub fn evidence(&self, engagement: &str) -> Result<Vec<Evidence>> {
        Ok(self
            .store()
            .records(Kind::Evidence, &format!("{engagement}/"))?
            .iter()
            .map(Evidence::from_record)
            .collect())
    }
}
