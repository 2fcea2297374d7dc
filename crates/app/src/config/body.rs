//! The certification body's own settings, in `<config>/body.toml`: the
//! person-days calculator, the rotation warning, and the CNCA workbook's
//! template. A missing file gives the shipped defaults; a bad file is an
//! error that names the line (nothing is guessed).
//!
//! ```toml
//! # after how many consecutive audits of one client an auditor is flagged
//! rotation_after = 3
//! # the body's own CNCA template (its sheet names, headings, column order)
//! cnca_template = "/path/to/认证信息报送模板.xlsx"
//! approval_no = "CNCA-R-2019-000"
//! name = "某认证有限公司"
//!
//! [person_days]
//! extra_site = 0.5      # each site beyond the first
//! remote_factor = 1.0   # FS02 (remote): times the table's days
//! [[person_days.rows]]
//! agents_up_to = 50
//! stage1 = 0.5
//! stage2 = 1.5
//! surveillance = 1.0
//! recertification = 1.5
//! follow_up = 0.5
//! ```

use super::Paths;
use crate::model::body::AuditMode;
use crate::model::engagement::EngagementKind;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One row of the calculator: centres up to `agents_up_to` agents.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaysRow {
    pub agents_up_to: u32,
    pub stage1: f64,
    pub stage2: f64,
    pub surveillance: f64,
    pub recertification: f64,
    #[serde(default = "half")]
    pub follow_up: f64,
}

fn half() -> f64 {
    0.5
}

fn one() -> f64 {
    1.0
}

/// The person-days calculator.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaysTable {
    /// Days added for each site beyond the first.
    #[serde(default = "half")]
    pub extra_site: f64,
    /// FS02 (remote) days are the table's times this.
    #[serde(default = "one")]
    pub remote_factor: f64,
    /// By centre size, smallest first; a centre larger than the last row
    /// takes the last row.
    pub rows: Vec<DaysRow>,
}

impl Default for DaysTable {
    /// Provisional figures, to be replaced by the body's own table.
    fn default() -> Self {
        let row = |agents_up_to, stage1, stage2, surveillance, recertification| DaysRow {
            agents_up_to,
            stage1,
            stage2,
            surveillance,
            recertification,
            follow_up: 0.5,
        };
        DaysTable {
            extra_site: 0.5,
            remote_factor: 1.0,
            rows: vec![
                row(50, 0.5, 1.5, 1.0, 1.5),
                row(150, 1.0, 2.0, 1.0, 2.0),
                row(500, 1.0, 3.0, 1.5, 2.5),
                row(u32::MAX, 1.5, 4.0, 2.0, 3.5),
            ],
        }
    }
}

/// What the calculator gives for one audit, and how.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calculated {
    pub days: f64,
    /// The rule applied, in words (English then Chinese).
    pub basis_en: String,
    pub basis_zh: String,
}

impl DaysTable {
    /// Days for an audit of `kind` of a centre of `agents` agents at
    /// `sites` sites, made `mode`; `None` for a self-assessment (no body
    /// time) or an empty table. Rounded up to half days, at least half a
    /// day per site.
    pub fn calculate(&self, kind: EngagementKind, agents: u32, sites: u32, mode: AuditMode) -> Option<Calculated> {
        let row = self
            .rows
            .iter()
            .find(|r| agents <= r.agents_up_to)
            .or_else(|| self.rows.last())?;
        let base = match kind {
            EngagementKind::SelfAssessment => return None,
            EngagementKind::Stage1 => row.stage1,
            EngagementKind::Stage2 => row.stage2,
            EngagementKind::Surveillance => row.surveillance,
            EngagementKind::Recertification => row.recertification,
            EngagementKind::FollowUp => row.follow_up,
        };
        let sites = sites.max(1);
        let extra = f64::from(sites - 1) * self.extra_site;
        let factor = if mode == AuditMode::Remote {
            self.remote_factor
        } else {
            1.0
        };
        let raw = (base + extra) * factor;
        let days = ((raw * 2.0).ceil() / 2.0).max(0.5 * f64::from(sites));
        let size = if row.agents_up_to == u32::MAX {
            "any size".to_string()
        } else {
            format!("up to {} agents", row.agents_up_to)
        };
        let size_zh = if row.agents_up_to == u32::MAX {
            "不限规模".to_string()
        } else {
            format!("不超过 {} 座席", row.agents_up_to)
        };
        Some(Calculated {
            days,
            basis_en: format!(
                "body table: {agents} agents ({size}), {} {base} d + {} extra site(s) × {} d, {} × {factor} = {days} d",
                kind.as_str(),
                sites - 1,
                self.extra_site,
                mode.as_str()
            ),
            basis_zh: format!(
                "机构人日表：{agents} 座席（{size_zh}），{} {base} 人日 + 增加场所 {} 个 × {} 人日，{} × {factor} = {days} 人日",
                kind.zh(),
                sites - 1,
                self.extra_site,
                mode.as_str()
            ),
        })
    }
}

/// The body's settings.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyConfig {
    /// Flag an auditor allocated to more than this many consecutive audits
    /// of one client (rotation; 0: never).
    #[serde(default = "three")]
    pub rotation_after: u32,
    /// The body's own CNCA workbook template (.xlsx), whose sheet names,
    /// headings and column order the monthly report keeps.
    #[serde(default)]
    pub cnca_template: Option<PathBuf>,
    /// The body's CNCA approval number (机构批准号, e.g. CNCA-R-2019-000).
    #[serde(default)]
    pub approval_no: Option<String>,
    /// The body's name, as printed on certificates.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub person_days: DaysTable,
}

fn three() -> u32 {
    3
}

impl Default for BodyConfig {
    fn default() -> Self {
        BodyConfig {
            rotation_after: 3,
            cnca_template: None,
            approval_no: None,
            name: None,
            person_days: DaysTable::default(),
        }
    }
}

impl BodyConfig {
    pub fn file(paths: &Paths) -> PathBuf {
        paths.config_dir.join("body.toml")
    }

    /// `<config>/body.toml`, or the defaults when there is none.
    pub fn load(paths: &Paths) -> Result<BodyConfig, crate::message::Msg> {
        let file = Self::file(paths);
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BodyConfig::default()),
            Err(e) => {
                let f = file.display();
                return Err(crate::msg!("{f}: {e}", "{f}：{e}"));
            }
        };
        Self::parse(&text, &file.display().to_string())
    }

    pub fn parse(text: &str, name: &str) -> Result<BodyConfig, crate::message::Msg> {
        let c: BodyConfig = toml::from_str(text).map_err(|e| {
            let e = crate::text::visible(&e.to_string()).into_owned();
            crate::msg!("{name}: {e}", "{name}：{e}")
        })?;
        let mut last = 0u32;
        for r in &c.person_days.rows {
            let days = [r.stage1, r.stage2, r.surveillance, r.recertification, r.follow_up];
            if days.iter().any(|d| !d.is_finite() || *d < 0.0 || *d > 365.0) || r.agents_up_to < last {
                let n = r.agents_up_to;
                return Err(crate::msg!(
                    "{name}: the person-days row for up to {n} agents is out of order or has a day count outside 0–365",
                    "{name}：不超过 {n} 座席的人日行顺序有误，或人日不在 0–365 之间"
                ));
            }
            last = r.agents_up_to;
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calculator_takes_the_row_by_size_and_adds_sites() {
        let t = DaysTable::default();
        let c = t.calculate(EngagementKind::Stage2, 120, 2, AuditMode::OnSite).unwrap();
        assert_eq!(c.days, 2.5);
        assert!(c.basis_en.contains("up to 150 agents"), "{}", c.basis_en);
        assert_eq!(
            t.calculate(EngagementKind::Stage2, 9000, 1, AuditMode::Both)
                .unwrap()
                .days,
            4.0
        );
        assert!(
            t.calculate(EngagementKind::SelfAssessment, 10, 1, AuditMode::OnSite)
                .is_none()
        );
        let bad = BodyConfig::parse(
            "[person_days]\nrows = [{ agents_up_to = 5, stage1 = -1, stage2 = 1, surveillance = 1, recertification = 1 }]",
            "b",
        );
        assert!(bad.is_err());
        let typo = BodyConfig::parse("rotation = 2", "body.toml").unwrap_err();
        assert!(typo.en.contains("unknown field"), "{}", typo.en);
    }
}
