//! The monthly CNCA report from the signed history: audit plans with audit
//! dates in the month, audit results and decisions in the month,
//! certificates issued or changed in the month — each row cleaned as the
//! platform takes it, and only rows new or changed since they were last
//! reported (a per-row "reported in" state kept on this copy). National ID
//! numbers are opened here, from this copy's encrypted store, and written
//! into this workbook only.

use super::{App, AppError, Result};
use crate::config::body::BodyConfig;
use crate::message::Msg;
use crate::model::engagement::{EngagementKind, Member, Role};
use crate::report::cnca::{self, CERT_SHEET, PLAN_SHEET, RESULT_SHEET, Template};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;

/// A row of one sheet: values by heading (cleaned), and its identity.
#[derive(Clone, Debug, Serialize)]
pub struct CncaRow {
    pub sheet: &'static str,
    /// `plan/ENGAGEMENT`, `result/ENGAGEMENT` or `cert/NUMBER`.
    pub key: String,
    pub values: BTreeMap<String, String>,
    pub hash: String,
    /// `new`, `changed` (reported before with other values) or `again`
    /// (unchanged, included with `--all`).
    pub state: &'static str,
}

/// A month's report.
#[derive(Clone, Debug, Serialize)]
pub struct CncaReport {
    /// `YYYY-MM`.
    pub month: String,
    pub template: Template,
    pub rows: Vec<CncaRow>,
    /// Rows of the month already reported as they are (left out).
    pub unchanged: usize,
    /// What the rows lack, or the template has that cscaudit does not fill.
    pub missing: Vec<Msg>,
    /// The platform's deadline: the 10th of the next month.
    pub due: Date,
}

/// Columns that are empty when nothing happened (no status change, no
/// decision on a stage 1 or a surveillance): not asked for.
const OPTIONAL: &[&str] = &[
    "状态变更日期",
    "状态变更原因",
    "技术评审日期",
    "认证决定日期",
    "认证决定",
    "证书编号",
];

/// What this copy remembers of a reported row.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Reported {
    month: String,
    hash: String,
}

fn reported_key(row_key: &str) -> String {
    format!("cnca/{row_key}")
}

/// The Chinese part of "张伟 Zhang Wei" (the whole name when it has none).
fn zh_name(name: &str) -> String {
    let cjk: String = name
        .split_whitespace()
        .filter(|w| !w.is_ascii())
        .collect::<Vec<_>>()
        .join(" ");
    if cjk.is_empty() { name.to_string() } else { cjk }
}

fn in_month(d: Option<Date>, first: Date, last: Date) -> bool {
    d.is_some_and(|d| d >= first && d <= last)
}

fn hash_of(values: &BTreeMap<String, String>) -> String {
    let mut h = sha2::Sha256::new();
    for (k, v) in values {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

impl App {
    /// The report for `year`-`month`: rows new or changed since last
    /// reported (every row of the month with `all`).
    pub fn cnca_report(&self, year: i16, month: i8, body: &BodyConfig, all: bool) -> Result<CncaReport> {
        let first = Date::new(year, month, 1).map_err(|_| {
            AppError::Invalid(crate::msg!(
                "{year}-{month} is not a month",
                "{year}-{month} 不是有效的月份"
            ))
        })?;
        let last = first.last_of_month();
        let due = last
            .checked_add(jiff::Span::new().days(10))
            .map_err(|_| AppError::Invalid(Msg::same("month out of range")))?;
        let template = match &body.cnca_template {
            Some(p) => cnca::Template::from_xlsx(p)?,
            None => Template::shipped(),
        };
        let approval = body.approval_no.clone().unwrap_or_default();
        let mut candidates: Vec<(CncaRow, bool)> = Vec::new();
        let mut id_cache: BTreeMap<String, Option<String>> = BTreeMap::new();
        // An ID kept here but sealed to another key is missing, and said so.
        let mut unopened: Vec<String> = Vec::new();
        let mut id_of = |actor: &str| -> Result<Option<String>> {
            if let Some(v) = id_cache.get(actor) {
                return Ok(v.clone());
            }
            let v = match self.national_id(actor) {
                Ok(v) => v,
                Err(AppError::Rule(_)) => {
                    unopened.push(actor.to_string());
                    None
                }
                Err(e) => return Err(e),
            };
            id_cache.insert(actor.to_string(), v.clone());
            Ok(v)
        };
        for eng in self.engagements()? {
            if eng.kind == EngagementKind::SelfAssessment {
                continue;
            }
            let (client, code) = match eng.programme.as_deref().map(|p| self.programme(p)) {
                Some(Ok(p)) => (
                    if p.client.is_empty() {
                        eng.auditee.clone()
                    } else {
                        p.client
                    },
                    p.client_code,
                ),
                _ => (eng.auditee.clone(), String::new()),
            };
            let standard = self
                .catalog_for(&eng)
                .ok()
                .and_then(|c| c.standard.clone())
                .unwrap_or_else(|| eng.catalog_id.clone());
            let plan = self.audit_plan(&eng.id)?;
            // Everyone who audited, including members who left since.
            let team: Vec<Member> = self.team(&eng.id)?;
            let base = |v: &mut BTreeMap<String, String>| {
                v.insert("机构批准号".into(), approval.clone());
                v.insert("组织名称".into(), client.clone());
                v.insert("统一社会信用代码".into(), code.clone());
                v.insert("认证依据".into(), standard.clone());
            };
            let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
            // The audit plan.
            {
                let mut v = BTreeMap::new();
                base(&mut v);
                v.insert("认证范围".into(), eng.scope.clone());
                v.insert("审核类型".into(), eng.kind.zh().into());
                v.insert(
                    "审核方式".into(),
                    plan.mode.map(|m| m.as_str().to_string()).unwrap_or_default(),
                );
                v.insert("审核开始日期".into(), date(plan.from));
                v.insert("审核结束日期".into(), date(plan.to));
                let days = self.person_days_of(plan.clone(), body, true)?;
                v.insert(
                    "审核人日数".into(),
                    days.planned.map(|d| d.to_string()).unwrap_or_default(),
                );
                let sites = if plan.sites.is_empty() {
                    eng.site.clone()
                } else {
                    plan.sites.join("；")
                };
                v.insert("审核场所".into(), sites);
                let leads: Vec<&Member> = team.iter().filter(|m| m.role == Role::Lead).collect();
                let others: Vec<&Member> = team
                    .iter()
                    .filter(|m| matches!(m.role, Role::Auditor | Role::TechnicalExpert))
                    .collect();
                let names = |ms: &[&Member]| ms.iter().map(|m| zh_name(&m.name)).collect::<Vec<_>>().join("、");
                let mut ids = |ms: &[&Member]| -> Result<String> {
                    let mut out = Vec::new();
                    for m in ms {
                        out.push(id_of(&m.actor)?.unwrap_or_default());
                    }
                    Ok(if out.iter().any(String::is_empty) {
                        String::new()
                    } else {
                        out.join(";")
                    })
                };
                v.insert("审核组长姓名".into(), names(&leads));
                v.insert("审核组长证件号码".into(), ids(&leads)?);
                v.insert("审核组成员姓名".into(), names(&others));
                v.insert("审核组成员证件号码".into(), ids(&others)?);
                let event = in_month(plan.from, first, last) || in_month(plan.to, first, last);
                candidates.push((self.row(PLAN_SHEET, format!("plan/{}", eng.id), v)?, event));
            }
            // The audit's result and the decision on it.
            {
                let mut v = BTreeMap::new();
                base(&mut v);
                v.insert("审核类型".into(), eng.kind.zh().into());
                v.insert("审核开始日期".into(), date(plan.from));
                v.insert("审核结束日期".into(), date(plan.to.or(eng.closed_on)));
                v.insert("技术评审日期".into(), date(eng.review.as_ref().and_then(|r| r.on)));
                v.insert("认证决定日期".into(), date(eng.decision.as_ref().and_then(|d| d.on)));
                v.insert(
                    "认证决定".into(),
                    eng.decision
                        .as_ref()
                        .map(|d| d.outcome.zh().to_string())
                        .unwrap_or_default(),
                );
                v.insert(
                    "证书编号".into(),
                    eng.certificate.as_ref().map(|c| c.number.clone()).unwrap_or_default(),
                );
                let decided = matches!(
                    eng.kind,
                    EngagementKind::Stage2 | EngagementKind::Recertification | EngagementKind::FollowUp
                );
                let event = if decided {
                    in_month(eng.decision.as_ref().and_then(|d| d.on), first, last)
                } else {
                    in_month(eng.closed_on, first, last)
                };
                if event || eng.decision.is_some() || eng.closed_on.is_some() {
                    candidates.push((self.row(RESULT_SHEET, format!("result/{}", eng.id), v)?, event));
                }
            }
            // The certificate.
            if let Some(c) = &eng.certificate {
                let mut v = BTreeMap::new();
                base(&mut v);
                v.insert("证书编号".into(), c.number.clone());
                v.insert("认证范围".into(), c.scope.clone());
                v.insert("颁证日期".into(), c.issued.to_string());
                v.insert("证书到期日期".into(), c.valid_until.to_string());
                v.insert("证书状态".into(), c.status_on(last).zh().into());
                let status_on = c.status_on;
                v.insert("状态变更日期".into(), date(status_on));
                v.insert("状态变更原因".into(), c.status_reason.clone());
                let event = in_month(Some(c.issued), first, last) || in_month(status_on, first, last);
                if c.issued <= last {
                    candidates.push((self.row(CERT_SHEET, format!("cert/{}", c.number), v)?, event));
                }
            }
        }
        let month_text = format!("{year:04}-{month:02}");
        let mut rows = Vec::new();
        let mut unchanged = 0;
        for (mut row, event) in candidates {
            let before: Option<Reported> = self.store().meta_get(&reported_key(&row.key))?;
            let changed = before.as_ref().is_some_and(|b| b.hash != row.hash);
            let same = before.as_ref().is_some_and(|b| b.hash == row.hash);
            row.state = match (&before, changed) {
                (None, _) => "new",
                (Some(_), true) => "changed",
                (Some(_), false) => "again",
            };
            let take = changed || (event && before.is_none()) || (event && same && all);
            if take {
                rows.push(row);
            } else if event && same {
                unchanged += 1;
            }
        }
        let mut missing = Vec::new();
        unopened.sort();
        unopened.dedup();
        if !unopened.is_empty() {
            let list = crate::text::visible(&unopened.join(", ")).into_owned();
            missing.push(crate::msg!(
                "the ID numbers of {list} are kept here sealed to another key: they are left empty",
                "{list} 的身份证号码在本机以其他密钥加密，无法打开：相应单元格留空"
            ));
        }
        for s in &template.sheets {
            for h in &s.headings {
                let known = [PLAN_SHEET, CERT_SHEET, RESULT_SHEET].contains(&s.name.as_str())
                    && rows
                        .iter()
                        .filter(|r| r.sheet == s.name)
                        .all(|r| r.values.contains_key(h));
                if !known && rows.iter().any(|r| r.sheet == s.name) {
                    let (n, h) = (s.name.clone(), h.clone());
                    missing.push(crate::msg!(
                        "{n}: cscaudit does not fill the column {h}; fill it in before uploading",
                        "{n}：cscaudit 不填写“{h}”列，上传前请补填"
                    ));
                }
            }
        }
        for r in &rows {
            let Some(s) = template.sheet(r.sheet) else { continue };
            let empty: Vec<&str> = s
                .headings
                .iter()
                .filter(|h| !OPTIONAL.contains(&h.as_str()))
                .filter(|h| r.values.get(h.as_str()).is_some_and(|v| v.is_empty()))
                .map(String::as_str)
                .collect();
            if !empty.is_empty() {
                let (sheet, key, list) = (r.sheet, r.key.clone(), empty.join("、"));
                missing.push(crate::msg!("{sheet} {key}: no {list}", "{sheet} {key}：缺少 {list}"));
            }
        }
        Ok(CncaReport {
            month: month_text,
            template,
            rows,
            unchanged,
            missing,
            due,
        })
    }

    fn row(&self, sheet: &'static str, key: String, values: BTreeMap<String, String>) -> Result<CncaRow> {
        let values: BTreeMap<String, String> = values
            .into_iter()
            .map(|(h, v)| {
                let c = cnca::clean(&h, &v);
                (h, c)
            })
            .collect();
        let hash = hash_of(&values);
        Ok(CncaRow {
            sheet,
            key,
            values,
            hash,
            state: "new",
        })
    }

    /// Remember every row of `r` as reported in its month.
    pub fn mark_cnca_reported(&self, r: &CncaReport) -> Result<()> {
        for row in &r.rows {
            self.store().meta_set(
                &reported_key(&row.key),
                &Reported {
                    month: r.month.clone(),
                    hash: row.hash.clone(),
                },
            )?;
        }
        Ok(())
    }

    /// The workbook of a report.
    pub fn cnca_workbook(&self, r: &CncaReport) -> Result<Vec<u8>> {
        let rows = |sheet: &str| -> Vec<Vec<String>> {
            let Some(s) = r.template.sheet(sheet) else {
                return Vec::new();
            };
            r.rows
                .iter()
                .filter(|row| row.sheet == sheet)
                .map(|row| {
                    s.headings
                        .iter()
                        .map(|h| row.values.get(h).cloned().unwrap_or_default())
                        .collect()
                })
                .collect()
        };
        cnca::workbook(&r.template, &rows)
    }
}

impl CncaReport {
    /// The report with every ID number masked but its last four characters
    /// (what `--json` prints: the numbers go into the workbook only).
    pub fn masked(&self) -> CncaReport {
        let mut r = self.clone();
        for row in &mut r.rows {
            for (h, v) in row.values.iter_mut() {
                if h.contains("证件号码") {
                    *v = v
                        .split(';')
                        .map(|id| {
                            let n = id.chars().count();
                            let tail: String = id.chars().skip(n.saturating_sub(4)).collect();
                            format!("{}{tail}", "*".repeat(n.saturating_sub(4)))
                        })
                        .collect::<Vec<_>>()
                        .join(";");
                }
            }
        }
        r
    }
}
