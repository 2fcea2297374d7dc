//! Opening forms from the current selection, and the moves menu.

use super::*;
use crate::app::{MoveKind, MoveText};
use crate::model::action::ActionStatus;
use crate::model::engagement::{EngagementKind, Role};
use crate::model::finding::Grade;
use crate::tui::forms::{Choice, Field, Form, FormKind};

fn choices<T: Copy>(all: &[T], value: impl Fn(T) -> &'static str, zh: impl Fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|x| Choice::new(value(*x), value(*x), zh(*x))).collect()
}

fn yes_no(yes_first: bool) -> Vec<Choice> {
    let (y, n) = (Choice::new("yes", "yes", "是"), Choice::new("no", "no", "否"));
    if yes_first { vec![y, n] } else { vec![n, y] }
}

impl State {
    fn open(&mut self, form: Form) -> Option<Effect> {
        self.popup = Some(Popup::Form(Box::new(form)));
        None
    }

    /// Open the identity form (the first screen of a new user).
    pub fn ask_identity(&mut self) {
        self.open_identity();
    }

    pub(super) fn open_identity(&mut self) -> Option<Effect> {
        self.open(Form::new(
            FormKind::Identity,
            ("Who are you?", "您是谁？"),
            vec![
                Field::line("actor", "Id (letters, digits, . - _)", "标识（字母、数字、. - _）", "").required(),
                Field::line("name", "Name", "姓名", "").required(),
                Field::line(
                    "initials",
                    "Initials (prefix your references)",
                    "缩写（用作编号前缀）",
                    "",
                )
                .required(),
                Field::line(
                    "certificate",
                    "Auditor certificate no. (if any)",
                    "审核员证书编号（如有）",
                    "",
                ),
                Field::line(
                    "key",
                    "Private key that signs (ssh ed25519; Tab completes; empty: unsigned)",
                    "签名私钥（ssh ed25519；Tab 补全；留空则不签名）",
                    "",
                )
                .path(),
            ],
        ))
    }

    pub(super) fn open_engagement(&mut self) -> Option<Effect> {
        self.open(Form::new(
            FormKind::Engagement,
            ("New engagement", "新建审核项目"),
            vec![
                Field::line("auditee", "Auditee", "受审核方", "").required(),
                Field::line("site", "Site", "地点", ""),
                Field::choice(
                    "kind",
                    "Kind",
                    "类型",
                    choices(EngagementKind::ALL, |k| k.as_str(), |k| k.zh()),
                    2,
                ),
                Field::line("from", "Period from (YYYY-MM-DD)", "评价期间起（YYYY-MM-DD）", ""),
                Field::line("to", "Period to (YYYY-MM-DD)", "评价期间止（YYYY-MM-DD）", ""),
                Field::line(
                    "catalog",
                    "Catalogue file (empty: built-in GB/T 32312)",
                    "指标目录文件（留空：内置 GB/T 32312）",
                    "",
                ),
            ],
        ))
    }

    /// The next engagement of the programme: its kind (the usual next one
    /// first), an id and the period; team, catalogue and open findings carry.
    /// From the portfolio, it follows the selected programme's current one.
    pub(super) fn open_follow(&mut self) -> Option<Effect> {
        use crate::model::engagement::EngagementKind as K;
        let prev = if self.pane == Pane::Portfolio {
            self.selected_programme()?.current.clone()
        } else {
            self.data.as_ref()?.engagement.id.clone()
        };
        let kind = self
            .data
            .as_ref()
            .and_then(|d| d.engagements.iter().find(|e| e.id == prev))
            .map(|e| e.kind);
        let next = match kind {
            Some(K::SelfAssessment) => K::Stage1,
            Some(K::Stage1) => K::Stage2,
            Some(K::Stage2) => K::FollowUp,
            _ => K::Surveillance,
        };
        let kinds = [K::Stage1, K::Stage2, K::FollowUp, K::Surveillance, K::Recertification];
        let at = kinds.iter().position(|k| *k == next).unwrap_or(0);
        self.open(Form::new(
            FormKind::Follow { prev: prev.clone() },
            (&format!("Next audit after {prev}"), &format!("{prev} 之后的下一次审核")),
            vec![
                Field::choice("kind", "Kind", "类型", choices(&kinds, |k| k.as_str(), |k| k.zh()), at),
                Field::line("id", "Id (empty: generated)", "编号（留空：自动生成）", ""),
                Field::line("from", "Period from (YYYY-MM-DD)", "评价期间起（YYYY-MM-DD）", ""),
                Field::line("to", "Period to (YYYY-MM-DD)", "评价期间止（YYYY-MM-DD）", ""),
            ],
        ))
    }

    /// Progress on a milestone: which one (the first not done offered first),
    /// percent done, done or not, a note.
    pub(super) fn open_milestone(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        if d.milestones.is_empty() {
            let id = d.engagement.id.clone();
            self.error(crate::tui::i18n::Label::NoPlan.t(self.lang).replace("{id}", &id));
            return None;
        }
        let opts: Vec<Choice> = d
            .milestones
            .iter()
            .map(|m| {
                let n = m.id.rsplit('/').next().unwrap_or_default();
                Choice::new(
                    &m.id,
                    &format!("{n} {} ({}%)", m.phase.label(false), m.progress),
                    &format!("{n} {}（{}%）", m.phase.label(true), m.progress),
                )
            })
            .collect();
        let today = d.today;
        let at = d
            .milestones
            .iter()
            .position(|m| m.state(today) != crate::model::plan::MilestoneState::Done)
            .unwrap_or(0);
        let progress = d.milestones[at].progress.to_string();
        self.open(Form::new(
            FormKind::Milestone,
            ("Report progress on the plan", "更新计划进度"),
            vec![
                Field::choice("milestone", "Milestone", "里程碑", opts, at),
                Field::line("progress", "Progress (0–100 %)", "进度（0–100 %）", &progress),
                Field::choice("done", "Done", "已完成", yes_no(false), 0),
                Field::line("note", "Note", "备注", ""),
            ],
        ))
    }

    /// Where to write a bundle (export), or which bundle to read (import).
    pub(super) fn open_bundle(&mut self, export: bool) -> Option<Effect> {
        if export {
            let d = self.data.as_ref()?;
            let file = format!("./{}-{}-{}.zip", d.engagement.id, d.me, d.today.strftime("%Y%m%d"));
            self.open(Form::new(
                FormKind::ExportBundle,
                ("Export a findings bundle", "导出发现项数据包"),
                vec![
                    Field::line("path", "Write to (Tab completes)", "导出到（Tab 补全）", &file)
                        .required()
                        .path(),
                    Field::choice("evidence", "Evidence files", "证据文件", yes_no(true), 0),
                ],
            ))
        } else {
            self.open(Form::new(
                FormKind::ImportBundle,
                ("Import a teammate's findings bundle", "导入同事的发现项数据包"),
                vec![
                    Field::line("path", "Bundle (.zip, Tab completes)", "数据包（.zip，Tab 补全）", "")
                        .required()
                        .path(),
                    Field::line(
                        "passphrase",
                        "Passphrase (only for a bundle encrypted to one)",
                        "口令（仅用于以口令加密的数据包）",
                        "",
                    )
                    .secret(),
                ],
            ))
        }
    }

    /// Assign the marked indicators, or the selected one, to a team member.
    pub(super) fn open_assign(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let indicators: Vec<String> = if self.checklist.marked.is_empty() {
            vec![self.selected_indicator()?.to_string()]
        } else {
            self.checklist.marked.iter().cloned().collect()
        };
        let mut options = vec![Choice::new("", "nobody", "不分配")];
        options.extend(
            d.team
                .iter()
                .filter(|m| m.role.is_auditor() || m.role == Role::TechnicalExpert)
                .map(|m| {
                    let label = format!("{} {}", m.actor, m.name);
                    Choice::new(&m.actor, &label, &label)
                }),
        );
        let n = indicators.len();
        let title = if n == 1 {
            (
                format!("{} · assign", indicators[0]),
                format!("{} · 分配", indicators[0]),
            )
        } else {
            (format!("assign {n} indicators"), format!("分配 {n} 个指标"))
        };
        let current = d
            .assessments
            .get(&indicators[0])
            .and_then(|a| a.assignee.as_deref())
            .and_then(|a| options.iter().position(|c| c.value == a))
            .unwrap_or(0);
        self.open(Form::new(
            FormKind::Assign { indicators },
            (&title.0, &title.1),
            vec![Field::choice("assignee", "Assignee", "负责人", options, current)],
        ))
    }

    pub(super) fn open_member(&mut self) -> Option<Effect> {
        self.open(Form::new(
            FormKind::Member,
            ("Add a team member", "添加审核组成员"),
            vec![
                Field::line("actor", "Id", "标识", "").required(),
                Field::line("name", "Name", "姓名", "").required(),
                Field::line("initials", "Initials", "缩写", "").required(),
                Field::choice(
                    "role",
                    "Role",
                    "角色",
                    choices(Role::ALL, |r| r.as_str(), |r| r.zh()),
                    1,
                ),
                Field::line("certificate", "Auditor certificate no.", "审核员证书编号", ""),
                Field::line(
                    "key",
                    "Signing key (ssh .pub file, Tab completes; empty: unchanged)",
                    "签名公钥（ssh .pub 文件，Tab 补全；留空不变）",
                    "",
                )
                .path(),
            ],
        ))
    }

    pub(super) fn open_raise(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let indicator = if self.pane == Pane::Checklist {
            self.selected_indicator().map(str::to_string)
        } else {
            None
        };
        let zh = self.lang.is_zh();
        // Pre-filled from the indicator: its name and the measured value against the target.
        let (title, statement, criterion) = match indicator.as_deref().and_then(|i| d.catalog.indicator(i)) {
            Some(ind) => {
                let measured = d.assessments.get(&ind.id).and_then(|a| a.measured);
                let statement = match (measured, ind.target) {
                    (Some(m), Some(t)) => format!(
                        "{} {} ({} {})",
                        ind.name(zh),
                        ind.unit.format(m, zh),
                        self.lang.pick("target", "目标"),
                        ind.unit.format(t, zh)
                    ),
                    (Some(m), None) => format!("{} {}", ind.name(zh), ind.unit.format(m, zh)),
                    _ => String::new(),
                };
                let criterion = format!("{} {}: {}", self.lang.pick("Indicator", "指标"), ind.id, ind.name(zh));
                (ind.name(zh).to_string(), statement, criterion)
            }
            None => Default::default(),
        };
        let grades = choices(Grade::ALL, |g| g.as_str(), |g| g.zh());
        self.open(Form::new(
            FormKind::RaiseFinding { indicator },
            ("Raise a finding", "提出发现项"),
            vec![
                Field::choice("grade", "Grade", "等级", grades, 1),
                Field::line("title", "Title", "标题", &title).required(),
                Field::lines(
                    "statement",
                    "Statement (what was seen)",
                    "事实描述（观察到的情况）",
                    &statement,
                ),
                Field::line("criterion", "Criterion", "依据", &criterion),
                Field::lines("evidence_note", "Evidence note", "证据说明", ""),
                Field::choice("issue", "Issue now", "立即开具", yes_no(false), 0),
            ],
        ))
    }

    /// Edit the selected finding: grade (a draft only), title, statement,
    /// criterion, evidence note.
    pub(super) fn open_edit_finding(&mut self) -> Option<Effect> {
        let f = self.selected_finding()?;
        let title = (format!("{} · edit", f.reference), format!("{} · 编辑", f.reference));
        let mut fields = Vec::new();
        if f.status == crate::model::finding::FindingStatus::Draft {
            let at = Grade::ALL.iter().position(|g| *g == f.grade).unwrap_or(0);
            fields.push(Field::choice(
                "grade",
                "Grade (a draft's only)",
                "等级（仅草稿可改）",
                choices(Grade::ALL, |g| g.as_str(), |g| g.zh()),
                at,
            ));
        }
        fields.extend([
            Field::line("title", "Title", "标题", &f.title).required(),
            Field::lines(
                "statement",
                "Statement (what was seen)",
                "事实描述（观察到的情况）",
                &f.statement,
            ),
            Field::line("criterion", "Criterion", "依据", &f.criterion),
            Field::lines("evidence_note", "Evidence note", "证据说明", &f.evidence_note),
        ]);
        self.open(Form::new(
            FormKind::EditFinding { opened: Box::new(f) },
            (&title.0, &title.1),
            fields,
        ))
    }

    /// Ask the app which moves the selected finding allows.
    pub(super) fn offer_moves(&mut self) -> Option<Effect> {
        let r = self.selected_finding()?.reference.clone();
        Some(Effect::OfferMoves(r))
    }

    /// The moves menu, or its refusal when nothing can happen now.
    pub(super) fn show_moves(&mut self, reference: String, moves: Vec<MoveKind>) {
        if moves.is_empty() {
            let text = format!(
                "{reference}: {}",
                self.lang.pick("no move is possible now", "当前没有可执行的状态变更")
            );
            self.error(text);
        } else {
            self.popup = Some(Popup::Moves {
                reference,
                moves,
                selected: 0,
            });
        }
    }

    /// A move was chosen: ask for its text, or confirm it.
    pub(super) fn choose_move(&mut self, reference: String, kind: MoveKind) -> Option<Effect> {
        let zh = self.lang.is_zh();
        let title = (kind.label(false), kind.label(true));
        match kind.asks() {
            MoveText::Nothing => {
                let target = kind.target().label(zh);
                let message = format!("{reference}: {} → {target}?", kind.label(zh));
                self.popup = Some(Popup::Confirm {
                    message,
                    effect: Effect::Submit {
                        kind: FormKind::Move { reference, kind },
                        values: Vec::new(),
                        confirmed: true,
                    },
                });
                None
            }
            MoveText::Response => self.open(Form::new(
                FormKind::Move { reference, kind },
                title,
                vec![
                    Field::lines("root_cause", "Root cause", "根本原因", ""),
                    Field::lines("correction", "Correction", "纠正", ""),
                ],
            )),
            MoveText::Reason => self.open(Form::new(
                FormKind::Move { reference, kind },
                title,
                vec![Field::lines("reason", "Reason", "原因", "")],
            )),
        }
    }

    pub(super) fn open_add_action(&mut self) -> Option<Effect> {
        let f = self.selected_finding()?.reference.clone();
        self.open(Form::new(
            FormKind::AddAction { finding: f },
            ("Add a corrective action", "添加纠正措施"),
            vec![
                Field::lines("description", "Description", "措施", "").required(),
                Field::line(
                    "owner",
                    "Owner (auditee person or unit)",
                    "责任人（受审核方人员或部门）",
                    "",
                )
                .required(),
                Field::line(
                    "due",
                    "Due (2026-12-31, +30d, +2w; empty: closure due)",
                    "期限（2026-12-31、+30d、+2w；留空：关闭期限）",
                    "",
                ),
            ],
        ))
    }

    pub(super) fn open_update_action(&mut self) -> Option<Effect> {
        let a = self.selected_action()?.clone();
        // Only the statuses this action can move to (verification has its own form).
        let mut statuses = vec![a.status];
        statuses.extend(ActionStatus::ALL.iter().copied().filter(|s| {
            *s != a.status
                && !matches!(s, ActionStatus::Effective | ActionStatus::Ineffective)
                && crate::model::action::check_transition(a.status, *s).is_ok()
        }));
        self.open(Form::new(
            FormKind::UpdateAction { id: a.id.clone() },
            ("Update the corrective action", "更新纠正措施"),
            vec![
                Field::choice(
                    "status",
                    "Status",
                    "状态",
                    choices(&statuses, |s| s.as_str(), |s| s.zh()),
                    0,
                ),
                Field::line("progress", "Progress %", "进度 %", &a.progress.to_string()),
                Field::lines(
                    "completion_evidence",
                    "Completion evidence",
                    "完成证据",
                    &a.completion_evidence,
                ),
                Field::line(
                    "file",
                    "Evidence file, if any (Tab completes)",
                    "证据文件（可选，Tab 补全）",
                    "",
                )
                .path(),
                Field::line(
                    "due",
                    "Due (2026-12-31, +30d, +2w)",
                    "期限（2026-12-31、+30d、+2w）",
                    &a.due.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        ))
    }

    pub(super) fn open_verify_action(&mut self) -> Option<Effect> {
        let a = self.selected_action()?.id.clone();
        let verdict = vec![
            Choice::new("effective", "effective", "有效"),
            Choice::new(
                "ineffective",
                "not effective (reopens the action)",
                "无效（措施重新打开）",
            ),
        ];
        self.open(Form::new(
            FormKind::VerifyAction { id: a },
            ("Verify the corrective action", "验证纠正措施"),
            vec![
                Field::choice("verdict", "Verdict", "结论", verdict, 0),
                Field::lines("note", "What was checked", "验证说明", "").required(),
            ],
        ))
    }

    pub(super) fn open_measured(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let ind = d.catalog.indicator(self.selected_indicator()?)?;
        let zh = self.lang.is_zh();
        let current = d
            .assessments
            .get(&ind.id)
            .and_then(|a| a.measured)
            .map(|m| {
                if ind.unit == crate::model::catalog::Unit::YesNo {
                    ind.unit.format(m, zh)
                } else {
                    format!("{m}")
                }
            })
            .unwrap_or_default();
        let label_en: &'static str = match ind.unit {
            crate::model::catalog::Unit::Percent => "Measured value (0–100 %)",
            crate::model::catalog::Unit::YesNo => "Measured value (yes / no)",
            crate::model::catalog::Unit::Seconds => "Measured value (seconds)",
            _ => "Measured value",
        };
        let label_zh: &'static str = match ind.unit {
            crate::model::catalog::Unit::Percent => "实测值（0–100 %）",
            crate::model::catalog::Unit::YesNo => "实测值（是 / 否）",
            crate::model::catalog::Unit::Seconds => "实测值（秒）",
            _ => "实测值",
        };
        let title = (
            format!("{} · {}", ind.id, ind.name(false)),
            format!("{} · {}", ind.id, ind.name(true)),
        );
        let method = d.assessments.get(&ind.id).map(|a| a.method.clone()).unwrap_or_default();
        let mut form = Form::new(
            FormKind::Measured {
                indicator: ind.id.clone(),
            },
            (&title.0, &title.1),
            vec![
                Field::line("value", label_en, label_zh, &current).required(),
                Field::line("method", "Method", "方法", &method),
            ],
        );
        form.focus = 0;
        self.open(form)
    }

    /// The evidence of the selected indicator (checklist) or finding: one
    /// opens at once, several are offered in a list (Enter opens, w writes out).
    pub(super) fn choose_evidence(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let shas: Vec<String> = match self.pane {
            Pane::Checklist => self
                .selected_indicator()
                .and_then(|i| d.assessments.get(i))
                .map(|a| a.evidence.clone())
                .unwrap_or_default(),
            Pane::Findings => self.selected_finding().map(|f| f.evidence.clone()).unwrap_or_default(),
            _ => Vec::new(),
        };
        let items: Vec<(String, String)> = shas
            .into_iter()
            .map(|sha| {
                let name = d.evidence.get(&sha).map(|e| e.name.clone()).unwrap_or_default();
                (sha, name)
            })
            .collect();
        if items.is_empty() {
            self.say(crate::tui::i18n::Label::NoEvidence.t(self.lang));
            return None;
        }
        self.popup = Some(Popup::Evidence { items, selected: 0 });
        None
    }

    /// Ask where to write an evidence file out (the current folder by default).
    pub(super) fn open_export_evidence(&mut self, sha256: String, name: &str) -> Option<Effect> {
        let title = (format!("write out {name}"), format!("导出 {name}"));
        let file = std::path::Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.open(Form::new(
            FormKind::ExportEvidence { sha256 },
            (&title.0, &title.1),
            vec![
                Field::line(
                    "path",
                    "Write to (Tab completes)",
                    "导出到（Tab 补全）",
                    &format!("./{file}"),
                )
                .required()
                .path(),
            ],
        ))
    }

    pub(super) fn open_evidence(&mut self) -> Option<Effect> {
        let ind = self.selected_indicator()?.to_string();
        let title = (format!("{ind} · attach evidence"), format!("{ind} · 添加证据"));
        self.open(Form::new(
            FormKind::Evidence { indicator: ind },
            (&title.0, &title.1),
            vec![
                Field::line("path", "File path (Tab completes)", "文件路径（Tab 补全）", "")
                    .required()
                    .path(),
                Field::line("note", "Note", "说明", ""),
            ],
        ))
    }

    pub(super) fn open_notes(&mut self) -> Option<Effect> {
        let d = self.data.as_ref()?;
        let ind = d.catalog.indicator(self.selected_indicator()?)?;
        let notes = d.assessments.get(&ind.id).map(|a| a.notes.clone()).unwrap_or_default();
        let title = (format!("{} · notes", ind.id), format!("{} · 备注", ind.id));
        self.open(Form::new(
            FormKind::Notes {
                indicator: ind.id.clone(),
                opened: notes.clone(),
            },
            (&title.0, &title.1),
            vec![Field::lines("notes", "Notes", "备注", &notes)],
        ))
    }
}
