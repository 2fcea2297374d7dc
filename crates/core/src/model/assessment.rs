//! Assessments: the result of one indicator in one engagement.

use super::engagement::string_enum;
use super::fields::{AssessmentField as F, Rel};
use super::ops::{Record, RecordError};
use serde::{Deserialize, Serialize};

string_enum!(
    AssessmentResult {
        NotAssessed = "not-assessed" / "未评估",
        Conforming = "conforming" / "符合",
        Partially = "partially" / "部分符合",
        Nonconforming = "nonconforming" / "不符合",
        NotApplicable = "not-applicable" / "不适用",
    }
);

string_enum!(
    Workflow {
        Todo = "to-do" / "待办",
        InProgress = "in-progress" / "进行中",
        InReview = "in-review" / "待复核",
        Done = "done" / "完成",
    }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub engagement: String,
    pub indicator: String,
    pub result: AssessmentResult,
    /// Optional explicit score on the catalogue's scale.
    pub score: Option<f64>,
    pub measured: Option<f64>,
    /// How the measured value was obtained (variant, parameters, input hash).
    pub method: String,
    pub notes: String,
    pub evidence: Vec<String>,
    pub assignee: Option<String>,
    pub workflow: Workflow,
}

impl Assessment {
    pub fn record_id(engagement: &str, indicator: &str) -> String {
        format!("{engagement}/{indicator}")
    }
    pub fn unassessed(engagement: &str, indicator: &str) -> Assessment {
        Assessment {
            engagement: engagement.into(),
            indicator: indicator.into(),
            result: AssessmentResult::NotAssessed,
            score: None,
            measured: None,
            method: String::new(),
            notes: String::new(),
            evidence: Vec::new(),
            assignee: None,
            workflow: Workflow::Todo,
        }
    }
    pub fn from_record(r: &Record) -> Result<Assessment, RecordError> {
        Ok(Assessment {
            engagement: r.text(F::Engagement),
            indicator: r.text(F::Indicator),
            result: r.enum_or(F::Result, AssessmentResult::NotAssessed)?,
            score: r.float(F::Score),
            measured: r.float(F::Measured),
            method: r.text(F::Method),
            notes: r.text(F::Notes),
            evidence: r.linked(Rel::Evidence),
            assignee: r.opt_text(F::Assignee),
            workflow: r.enum_or(F::Workflow, Workflow::Todo)?,
        })
    }
}
