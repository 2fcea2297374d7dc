//! Certification programmes as the body's own signed record: a programme
//! has a genesis of its own and a team (its lead, who names the team, and
//! its decision makers). The certification decision and the certificate's
//! status on any of its engagements are recorded in the programme's batches,
//! by its decision makers, and every copy judges them against the
//! programme's causal past ([`crate::model::authority`]) — an audit team's
//! lead cannot name who decides on their own audit.

use super::{App, AppError, Result, create};
use crate::model::engagement::{Member, Role};
use crate::model::fields::ProgrammeField as PF;
use crate::model::ops::{EntityId, Kind, Value};
use serde::Serialize;

fn refused(en: String, zh: String) -> AppError {
    AppError::Rule(crate::message::Msg::new(en, zh))
}

/// A programme as this copy holds it.
#[derive(Clone, Debug, Serialize)]
pub struct Programme {
    pub id: String,
    pub title: String,
    pub client: String,
    /// The client's unified social credit code (统一社会信用代码).
    pub client_code: String,
    /// Who created it (its first lead).
    pub creator: Option<String>,
    pub team: Vec<Member>,
    /// The engagements held here that name it.
    pub engagements: Vec<String>,
}

impl Programme {
    /// The members who may decide (decision makers who have not left).
    pub fn decision_makers(&self) -> impl Iterator<Item = &Member> {
        self.team
            .iter()
            .filter(|m| m.role == Role::DecisionMaker && !m.has_left())
    }
}

impl App {
    /// Create programme `id` with you as its lead (and, with `decide`, as
    /// one of its decision makers), your signing key registered in the same
    /// batch: its genesis.
    pub fn create_programme(&self, id: &str, title: &str, client: &str, decide: bool) -> Result<Programme> {
        self.require_identity()?;
        super::validate_actor(id).map_err(|_| {
            AppError::Invalid(crate::msg!(
                "programme id `{id}` may use letters, digits, `.`, `-`, `_` only",
                "认证方案编号 `{id}` 只能使用字母、数字、`.`、`-`、`_`"
            ))
        })?;
        if self.is_programme(id)? || self.genesis_of(id)?.is_some() {
            return Err(AppError::Invalid(crate::msg!(
                "`{id}` is already the name of a programme or engagement held here",
                "`{id}` 已是本机某认证方案或审核项目的名称"
            )));
        }
        let e = EntityId::new(Kind::Programme, id);
        let mut d = vec![create(&e)];
        d.push(super::set(&e, None, PF::Title, title.trim()));
        if !client.trim().is_empty() {
            d.push(super::set(&e, None, PF::Client, client.trim()));
        }
        let me = self.identity().clone();
        // A programme always signs: an unsigned one could be written by anyone.
        let Some(key) = self.signing_key().map(|s| s.public_openssh()) else {
            return Err(refused(
                "a programme is signed from its first batch: name your private key first (`cscaudit identity key PATH`)".into(),
                "认证方案从第一批更改起即须签名：请先指定您的私钥（`cscaudit identity key 路径`）".into(),
            ));
        };
        let key = Some(key);
        let role = if decide { Role::DecisionMaker } else { Role::Lead };
        d.extend(self.member_drafts(id, &[], &me.actor, &me.name, &me.initials, role, None, key.as_deref())?);
        self.commit(d)?;
        self.programme(id)
    }

    /// Name a member of programme `programme` (lead only): a decision maker
    /// or another lead, with their signing key.
    pub fn add_programme_member(
        &self,
        programme: &str,
        actor: &str,
        name: &str,
        initials: &str,
        role: Role,
        key: Option<&str>,
    ) -> Result<Member> {
        self.require_identity()?;
        self.programme(programme)?;
        if !matches!(role, Role::Lead | Role::DecisionMaker | Role::TechnicalReviewer) {
            let r = role.as_str();
            return Err(AppError::Invalid(crate::msg!(
                "a programme's team has leads, decision makers and technical reviewers, not `{r}`",
                "认证方案人员只有负责人、认证决定人员和技术评审人员，不能是 `{r}`"
            )));
        }
        self.require_lead(programme)?;
        if key.is_none() {
            return Err(AppError::Invalid(crate::msg!(
                "a member of a programme signs: give their public key (`--key FILE`)",
                "认证方案人员须签名：请提供其公钥（`--key 文件`）"
            )));
        }
        let team = self.team(programme)?;
        let d = self.member_drafts(programme, &team, actor, name, initials, role, None, key)?;
        self.commit(d)?;
        Ok(Member::from_record(
            &self.record(Kind::Member, &format!("{programme}/{actor}"))?,
        )?)
    }

    /// Record the client's unified social credit code (18 characters, upper
    /// case, no spaces, as CNCA's platform takes it). Lead only.
    pub fn set_client_code(&self, programme: &str, code: &str) -> Result<Programme> {
        self.require_identity()?;
        self.programme(programme)?;
        self.require_lead(programme)?;
        let code = crate::text::cnca_code(code);
        if code.len() != 18 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            let c = crate::text::visible(&code).into_owned();
            return Err(AppError::Invalid(crate::msg!(
                "`{c}` is not a unified social credit code (18 letters and digits)",
                "`{c}` 不是统一社会信用代码（18 位字母和数字）"
            )));
        }
        let e = EntityId::new(Kind::Programme, programme);
        let cur = self.record(Kind::Programme, programme)?;
        let mut d = Vec::new();
        super::set_if_changed(&mut d, &e, Some(&cur), PF::ClientCode, code.into());
        self.commit(d)?;
        self.programme(programme)
    }

    /// The genesis of the programme `engagement` is bound to, if bound.
    pub fn programme_bound(&self, engagement: &str) -> Result<Option<String>> {
        Ok(self
            .store()
            .record(&EntityId::new(Kind::Engagement, engagement))?
            .and_then(|r| r.opt_text(crate::model::fields::EngagementField::ProgrammeGenesis))
            .filter(|g| !g.is_empty()))
    }

    /// The operations of a programme's record and team (what travels with
    /// each of its engagements' bundles), read from their histories.
    pub fn programme_ops(&self, id: &str) -> Result<Vec<crate::model::ops::Op>> {
        let mut ops = self.store().history(&EntityId::new(Kind::Programme, id))?;
        for m in self.store().records(Kind::Member, &format!("{id}/"))? {
            ops.extend(self.store().history(&m.entity)?);
        }
        for i in self.store().records(Kind::Interest, &format!("{id}/"))? {
            ops.extend(self.store().history(&i.entity)?);
        }
        Ok(ops)
    }

    /// A programme held here.
    pub fn programme(&self, id: &str) -> Result<Programme> {
        let Some(r) = self
            .store()
            .record(&EntityId::new(Kind::Programme, id))?
            .filter(|r| !r.deleted)
        else {
            return Err(AppError::NotFound {
                what: "programme",
                id: crate::text::visible(id).into_owned(),
            });
        };
        self.programme_from(&r, &self.engagements()?)
    }

    /// Every programme held here, by id (the engagements read once for all).
    pub fn programmes(&self) -> Result<Vec<Programme>> {
        let engagements = self.engagements()?;
        let mut out = Vec::new();
        for r in self.store().records(Kind::Programme, "")? {
            if !r.deleted {
                out.push(self.programme_from(&r, &engagements)?);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// A programme from its record, with those of `engagements` that name it.
    fn programme_from(
        &self,
        r: &crate::model::ops::Record,
        engagements: &[crate::model::engagement::Engagement],
    ) -> Result<Programme> {
        let id = r.entity.id.as_str();
        let text = |f: PF| {
            r.get_raw(crate::model::fields::FieldName::name(f))
                .and_then(Value::text)
                .unwrap_or_default()
                .to_string()
        };
        Ok(Programme {
            id: id.to_string(),
            title: text(PF::Title),
            client: text(PF::Client),
            client_code: text(PF::ClientCode),
            creator: self.creator_of(id)?,
            team: self.team(id)?,
            engagements: engagements
                .iter()
                .filter(|e| e.programme.as_deref() == Some(id))
                .map(|e| e.id.clone())
                .collect(),
        })
    }

    /// Refused unless you may record a decision on `engagement`: it names a
    /// programme held here, and you are one of its decision makers (said
    /// before anything is written, with the command that fixes it).
    pub(crate) fn require_decision_maker(&self, engagement: &crate::model::engagement::Engagement) -> Result<()> {
        self.require_programme_role(engagement, false)
    }

    /// [`App::require_decision_maker`], or with `review` a technical
    /// reviewer or decision maker (who may record the technical review).
    pub(crate) fn require_programme_role(
        &self,
        engagement: &crate::model::engagement::Engagement,
        review: bool,
    ) -> Result<()> {
        let me = self.identity().actor.clone();
        let eng = &engagement.id;
        let Some(p) = engagement.programme.as_deref() else {
            return Err(refused(
                format!(
                    "{eng} belongs to no programme: a certification decision is made by a decision maker of the engagement's programme. Its lead names it (`cscaudit engagement programme PROGRAMME -e {eng}`); the body creates the programme (`cscaudit programme create PROGRAMME`)"
                ),
                format!(
                    "{eng} 不属于任何认证方案：认证决定由审核项目所属认证方案的认证决定人员作出。由组长指定方案（`cscaudit engagement programme 方案编号 -e {eng}`），由认证机构创建方案（`cscaudit programme create 方案编号`）"
                ),
            ));
        };
        if !self.is_programme(p)? {
            return Err(refused(
                format!(
                    "programme {p} is not held here: decisions on {eng} are recorded in it. Import or sync it from the body, or create it (`cscaudit programme create {p}`)"
                ),
                format!(
                    "本机没有认证方案 {p}：{eng} 的认证决定记录在该方案中。请从认证机构导入或同步，或创建它（`cscaudit programme create {p}`）"
                ),
            ));
        }
        let bound = self.programme_bound(eng)?;
        if bound.is_none() || bound != self.genesis_of(p)? {
            return Err(refused(
                format!(
                    "{eng} names programme {p} but is not bound to the programme held here: its lead runs `cscaudit engagement programme {p} -e {eng}` (with the programme imported or synced); nothing was recorded"
                ),
                format!(
                    "{eng} 写明了认证方案 {p}，但未绑定本机的该方案：请组长在导入或同步该方案后运行 `cscaudit engagement programme {p} -e {eng}`；未记录任何内容"
                ),
            ));
        }
        let team = self.held_team(p)?;
        let role = team.active(&me).and_then(|m| m.role);
        if review && !matches!(role, Some(Role::DecisionMaker | Role::TechnicalReviewer)) {
            return Err(refused(
                format!(
                    "{me} is neither a technical reviewer nor a decision maker of programme {p}: its lead names them (`cscaudit programme add-member {p} ACTOR --role technical-reviewer --key FILE`); nothing was recorded"
                ),
                format!(
                    "{me} 不是认证方案 {p} 的技术评审人员或认证决定人员：由方案负责人指定（`cscaudit programme add-member {p} 用户 --role technical-reviewer --key 公钥文件`）；未记录任何内容"
                ),
            ));
        }
        let is_dm = review || role == Some(Role::DecisionMaker);
        if !is_dm {
            return Err(refused(
                format!(
                    "{me} is not a decision maker of programme {p}: its lead names them (`cscaudit programme add-member {p} ACTOR --role decision-maker --key FILE`); nothing was recorded"
                ),
                format!(
                    "{me} 不是认证方案 {p} 的认证决定人员：由方案负责人指定（`cscaudit programme add-member {p} 用户 --role decision-maker --key 公钥文件`）；未记录任何内容"
                ),
            ));
        }
        Ok(())
    }
}
