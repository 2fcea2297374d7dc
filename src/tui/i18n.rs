//! UI message tables in English and 简体中文. Every string the TUI shows that is
//! not user data comes from here.

use crate::config::Lang;

macro_rules! labels {
    ($($id:ident => $en:literal, $zh:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Label { $($id),+ }
        impl Label {
            pub fn t(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Label::$id, Lang::En) => $en, (Label::$id, Lang::Zh) => $zh,)+
                }
            }
        }
        #[cfg(test)]
        pub const ALL: &[Label] = &[$(Label::$id),+];
    };
}

labels! {
    App => "cscaudit", "cscaudit";
    Dashboard => "Dashboard", "总览";
    Checklist => "Checklist", "检查表";
    Findings => "Findings", "发现项";
    Remediation => "Remediation", "整改跟踪";
    Portfolio => "Portfolio", "认证项目";
    CarriedFindings => "Carried from earlier audits", "延续自以往审核的发现项";
    Plan => "Plan", "自评估计划";
    PlanTitle => "Plan · {pct} · {done}/{n} done · {late} late", "自评估计划 · {pct} · 完成 {done}/{n} · 逾期 {late}";
    NoPlan => "No plan yet: `cscaudit plan init -e {id}` lays out the five standard milestones (understand the standard → plan → collect and analyse data → assess gaps → improvement plan).", "尚无计划：`cscaudit plan init -e {id}` 生成五个标准里程碑（学习标准 → 制定计划 → 收集与分析数据 → 差距评估 → 改进计划）。";
    Calls => "Calls by hour", "分时话务";
    ColProgramme => "Programme", "认证方案";
    ColClient => "Client", "客户";
    ColNow => "Now", "当前审核";
    ColCertificate => "Certificate", "证书";
    ColUntil => "Valid until", "有效期至";
    ColNextAudit => "Next audit", "下次审核";
    ColMajors => "Majors", "严重";
    ColOverdueActions => "Overdue", "逾期";
    PortfolioEmpty => "No certification programme yet.\nStart one with `cscaudit engagement create --programme ID …`; `--follows PREV` continues it (stage 2, surveillance, recertification).", "还没有认证方案。\n用 `cscaudit engagement create --programme 编号 …` 开始一个；`--follows 上一次` 接续（第二阶段、监督、再认证）。";
    PortfolioKeys => "Enter opens its current engagement · filter words: major, overdue, expired", "回车打开其当前审核项目 · 筛选词：严重、逾期、过期";
    Chain => "Engagements", "审核历程";
    Issued => "issued", "发证";
    ValidUntil => "valid until", "有效期至";
    SurveillanceDue => "surveillance due", "监督审核到期";
    CallsNone => "No call-record figures in this engagement yet.\nIn the checklist, select a call-centre indicator (AC-01 … AC-04) and press M with an ACD call-record file, or run `cscaudit metrics FILE --record all -e ENGAGEMENT`. The figures by hour of day then show here.", "本审核项目还没有话单数据。\n在检查表中选中话务指标（AC-01 … AC-04），按 M 选择 ACD 话单文件；或运行 `cscaudit metrics 文件 --record all -e 审核项目`。随后此处按时段显示各项数据。";
    ServiceLevelByHour => "Service level by hour of day", "分时段服务水平";
    AbandonmentByHour => "Abandonment by hour of day", "分时段放弃率";
    Target => "target", "目标";
    NoTarget => "no target in the catalogue", "目录未设目标";
    BelowTarget => "below it {hours}: {n} h, {pct} of calls", "未达标 {hours}：{n} 小时，占呼入量 {pct}";
    EveryHourMeets => "every hour meets it", "各时段均达标";
    FiguresFrom => "From", "数据来源";
    OfferedCalls => "offered", "呼入";
    Provisional => "provisional catalogue", "暂定目录";
    Auditee => "Auditee", "受审核方";
    Kind => "Kind", "类型";
    Period => "Period", "评价期间";
    Site => "Site", "地点";
    Team => "Team", "审核组";
    Catalogue => "Catalogue", "指标目录";
    NoCertificate => "no certificate", "无证书";
    LeftTeam => "left the team", "已离队";
    Certified => "certified", "持证";
    Progress => "Progress and score", "进度与得分";
    Overall => "Overall", "总体";
    Score => "score", "得分";
    Assessed => "assessed", "已评估";
    FindingsByGrade => "Findings by grade × status", "发现项（等级 × 状态）";
    RemediationAtAGlance => "Remediation at a glance", "整改概况";
    Overdue => "overdue", "已逾期";
    Due7 => "due ≤ 7 days", "7 天内到期";
    Due30 => "due ≤ 30 days", "30 天内到期";
    Verified => "verified", "已验证";
    AwaitingVerification => "awaiting verification", "待验证";
    OldestOverdue => "Oldest overdue", "逾期最久";
    NothingOverdue => "Nothing is overdue.", "没有逾期事项。";
    ColId => "ID", "编号";
    ColName => "Indicator", "指标";
    ColResult => "Result", "结论";
    ColMeasured => "Value / target", "实测 / 目标";
    ColAssignee => "Assignee", "负责人";
    ColWorkflow => "Status", "状态";
    ColFindings => "F", "项";
    ColRef => "Ref", "编号";
    ColGrade => "Grade", "等级";
    ColTitle => "Title", "标题";
    ColIndicator => "Ind.", "指标";
    ColRaisedBy => "Raised by", "提出人";
    ColDue => "Due", "期限";
    ColActions => "Act.", "措施";
    ColFinding => "Finding", "发现项";
    ColAction => "Action", "纠正措施";
    ColOwner => "Owner", "责任人";
    ColDays => "Days", "天数";
    ColProgress => "Done", "进度";
    Definition => "Definition", "定义";
    EvidenceToAsk => "Evidence to ask for", "应索取的证据";
    Notes => "Notes", "备注";
    Method => "Method", "方法";
    Evidence => "Evidence", "证据";
    LinkedFindings => "Findings", "相关发现项";
    History => "History", "历史";
    Statement => "Statement", "事实描述";
    Criterion => "Criterion", "依据";
    AuditeeResponse => "Auditee response", "受审核方回复";
    RootCause => "Root cause", "根本原因";
    Correction => "Correction", "纠正";
    Actions => "Corrective actions", "纠正措施";
    CompletionEvidence => "Completion evidence", "完成证据";
    Verification => "Verification", "验证";
    Effective => "effective", "有效";
    NotEffective => "not effective", "无效";
    None_ => "none", "无";
    Filter => "filter", "筛选";
    Sort => "sort", "排序";
    Walk => "walk-through", "逐项检查";
    WalkMine => "walk-through (mine)", "逐项检查（我的）";
    WalkDone => "Every indicator in the walk is assessed.", "逐项检查已全部完成。";
    ViewAll => "all", "全部";
    ViewOverdue => "overdue", "已逾期";
    ViewDue7 => "due ≤ 7 d", "7 天内";
    ViewDue30 => "due ≤ 30 d", "30 天内";
    ViewByOwner => "by owner", "按责任人";
    ViewAwaiting => "awaiting verification", "待验证";
    Help => "Help", "帮助";
    HelpHint => "type to filter · Enter runs · Esc closes", "输入以筛选 · 回车执行 · Esc 关闭";
    Palette => "Command", "命令";
    PaletteHint => "type a command · Enter runs · Esc closes", "输入命令 · 回车执行 · Esc 关闭";
    Confirm => "Confirm", "确认";
    ConfirmHint => "y / Enter: yes · n / Esc: no", "y / 回车：是 · n / Esc：否";
    Error => "Error", "错误";
    ErrorHint => "Enter or Esc closes", "回车或 Esc 关闭";
    Synced => "Result", "结果";
    Welcome => "Welcome to cscaudit", "欢迎使用 cscaudit";
    WelcomeBody => "There is no engagement in this database yet.\n\n  n   create an engagement here\n  I   join one: import a teammate's findings bundle (.zip)\n  i   say who you are (your id and initials sign what you record)\n\nor open the demo engagement from the command line:\n  cscaudit demo\n\nPress q to quit.", "当前数据库中还没有审核项目。\n\n  n   在此新建审核项目\n  I   加入审核项目：导入同事的发现项数据包（.zip）\n  i   设置身份（您的标识和缩写为您记录的内容署名）\n\n或在命令行中打开示例项目：\n  cscaudit demo\n\n按 q 退出。";
    TooSmall => "Terminal too small", "终端窗口太小";
    Need => "need", "至少需要";
    Engagements => "Engagements", "审核项目";
    Actor => "actor", "用户";
    KeysNext => "next keys", "后续按键";
    Recorded => "recorded", "已记录";
    ConfirmAssess => "Record {indicator} as {result}?", "将 {indicator} 记录为“{result}”？";
    Loading => "Loading…", "加载中…";
    WaitingForDatabase => "Waiting for another cscaudit process to let go of the database…", "正在等待另一个 cscaudit 进程释放数据库…";
    RegistrationExpired => "⚠ expired {no}", "⚠ 已过期 {no}";
    RegistrationExpires => "⚠ {n} d left {no}", "⚠ 剩 {n} 天 {no}";
    PreviousAudits => "Earlier audits (trend, oldest first)", "以往审核（趋势，由早到近）";
    Undone => "Undone:", "已撤销：";
    Cancelling => "Cancelling…", "正在取消……";
    Cancelled => "Cancelled; nothing was recorded", "已取消；未记录任何内容";
    Busy => "Other work is still running (Esc cancels it)", "另一项工作仍在进行（Esc 可取消）";
    EscCancels => "Esc cancels", "Esc 取消";
    Tasks => "Tasks", "任务";
    TasksHint => "Enter: result · Esc: cancel the running one, then close · q: close", "Enter：查看结果 · Esc：取消进行中的任务，再按关闭 · q：关闭";
    NoTasks => "Nothing has run yet: export (x), import (I), sync (S) and recomputing run here while you work on.", "尚无任务：导出（x）、导入（I）、同步（S）和复算会在此运行，期间可继续工作。";
    TaskRunning => "running", "进行中";
    TaskDone => "done", "完成";
    TaskFailed => "failed", "失败";
    Unread => "new", "条新消息";
    DatabaseBusy => "{what} is using the database: this waits until it ends (T shows it; Esc cancels it)", "{what}正在使用数据库：请等它结束（T 查看；Esc 取消）";
    Marked => "marked (A assigns)", "已标记（A 分配）";
    NotApplicableShort => "n/a", "不适用";
    RecordAnyway => "Record these figures anyway?", "仍要记录这些数据吗？";
    NoConflicts => "No conflicting edits", "没有冲突的修改";
    ConflictsTitle => "Conflicts", "冲突";
    ConflictsHint => "Enter keep current · o take the other · Esc", "Enter 保留当前值 · o 改用另一值 · Esc";
    NeedsEngagement => "No engagement open yet: create one, or import a teammate's bundle", "尚未打开审核项目：请新建，或导入同事的数据包";
    NeedsIndicator => "Select an indicator first (a row, not a group)", "请先选择一个指标（指标行，而非分组）";
    NothingMatches => "Nothing matches the filter (Esc clears it)", "没有符合筛选条件的项（按 Esc 清除筛选）";
    NothingSelected => "Nothing selected here", "此处没有选中的项";
    ActionsClosed => "Corrective actions are added once the finding is issued and until it is verified", "纠正措施只能在发现项开具后、验证前添加";
    NeedsFinding => "Select a finding first", "请先选择一个发现项";
    NeedsAction => "Select a corrective action first", "请先选择一项纠正措施";
    NeedsProgramme => "Select a certification programme first", "请先选择一个认证项目";
    VerifyNeedsCompleted => "Only a completed action can be verified: update it to completed first", "只有已完成的措施才能验证：请先将其更新为“已完成”";
    TestCallsMade => "of {n} test calls made", "/ {n} 通测试电话已拨打";
    AllTestCallsMade => "Every planned test call is recorded (`cscaudit testcall record ID --again …` replaces a result)", "计划的测试电话均已记录（`cscaudit testcall record 编号 --again …` 可替换结果）";
    NoQaRound => "No QA round planned: `cscaudit qa plan --round NAME --frame RECORDINGS.csv --n N --rater-a A --rater-b B --reconciler C`", "尚未安排质检复核：`cscaudit qa plan --round 名称 --frame 录音清单.csv --n 数量 --rater-a 甲 --rater-b 乙 --reconciler 丙`";
    NothingToScore => "Nothing for you to score: no review names you as a rater, or you have sealed every one (R reveals them once the other rater has sealed)", "没有需要您评分的复核：没有复核指定您为评分人，或您已全部封存（另一评分人封存后按 R 揭示）";
    QaRevealed => "Revealed {n}; {waiting} wait for the other rater's seal; {elsewhere} sealed on another copy (reveal them there)", "已揭示 {n} 条；{waiting} 条等待另一评分人封存；{elsewhere} 条在其他副本上封存（请在该副本上揭示）";
    QaNothingHere => "Nothing for you to do on {id}: you are not a rater whose scores are still to come, nor its reconciler with a disagreement open", "{id} 没有需要您处理的：您不是尚未揭示评分的评分人，也不是有待裁定不一致的裁定人";
    AuditPlanTitle => "Audit plan", "审核计划";
    AuditPlanHint => "↑↓ · Esc", "↑↓ · Esc";
    NoAuditPlan => "No audit plan yet: `cscaudit audit-plan set --mode FS01 …`, then `cscaudit audit-plan activity …`", "尚无审核计划：先 `cscaudit audit-plan set --mode FS01 …`，再 `cscaudit audit-plan activity …`";
    CheckIn => "Check-in", "签到";
    Reminders => "Reminders", "提醒";
    RequestsTitle => "Evidence requests", "资料请求";
    NoRequests => "None yet: a drafts one", "尚无：按 a 起草";
    NoAuditeeContact => "The team has no auditee contact to send requests to: add one (a on the dashboard, role auditee-contact)", "审核组中没有受审核方联络人可接收资料请求：请先添加（总览页按 a，角色为受审核方联络人）";
    RequestsHint => "a draft · s send · Enter answer or judge · Esc close", "a 起草 · s 发出 · Enter 答复或审阅 · Esc 关闭";
    RequestsHintAuditee => "Enter answer · Esc close", "Enter 答复 · Esc 关闭";
    RequestsAuditorsOnly => "Only the lead or an auditor drafts and sends requests", "只有审核组长或审核员可以起草和发出资料请求";
    ColNumber => "No.", "编号";
    ColRequest => "Request", "请求内容";
    ColStatus => "Status", "状态";
    ColAnswer => "Answer", "答复";
    RequestsAwaiting => "{n} awaiting the auditee, {s} to review", "{n} 项待受审核方答复，{s} 项待审阅";
    NotRecorded => "not recorded", "未记录";
    PersonDaysLine => "{p} person-days planned, {a} spent", "计划 {p} 人日，实际 {a} 人日";
    MeetingLine => "{n} present, {ph} photo(s)", "{n}人·{ph}照片";
    ColDate => "Date", "日期";
    ColTime => "Time", "时间";
    ColActivity => "Activity", "审核活动";
    ColPlace => "Place", "地点";
    ColAuditors => "Auditors", "审核人员";
    QaRoundTitle => "QA round", "质检复核批次";
    QaRoundHint => "Enter score / settle · Esc", "Enter 评分 / 裁定 · Esc";
    QaSealed => "sealed", "已封存";
    QaPass => "pass", "合格";
    QaFail => "fail", "不合格";
    QaToSettle => "to settle", "待裁定";
    QaWaiting => "waiting", "待评";
    NothingToReconcile => "No disagreement waits for you to reconcile", "没有等待您裁定的评分不一致";
    QaLine => "of {n} QA reviews in · κ {kappa} · {open} to settle", "/ {n} 质检复核已评 · κ {kappa} · {open} 待裁定";
    NoTestCalls => "No test calls planned: `cscaudit testcall plan --campaign NAME --calls N --services A,B --from D --to D`", "尚未安排测试电话：`cscaudit testcall plan --campaign 名称 --calls 数量 --services 业务1,业务2 --from 日期 --to 日期`";
    NoPlanShort => "No plan yet: `cscaudit plan init -e ENGAGEMENT` lays out the milestones", "尚无计划：`cscaudit plan init -e 审核项目` 生成里程碑";
    OneJobAtATime => "Another job is running: one at a time (T shows it; Esc there cancels it)", "另一项任务正在进行：一次只能运行一项（T 查看；在其中按 Esc 取消）";
    NoEvidence => "No evidence here yet (a attaches a file)", "此处尚无证据（按 a 添加文件）";
    EvidenceTitle => "Evidence", "证据";
    EvidenceHint => "Enter open · w write out · Esc", "Enter 打开 · w 导出 · Esc";
    JobPanicked => "The work failed unexpectedly (a crash report is in the data folder); nothing was recorded", "工作意外失败（数据文件夹中有崩溃报告）；未记录任何内容";
    FilterUnknown => "not understood:", "无法识别：";
    FormHint => "Tab next field · Enter next / save · Ctrl-S save · Esc cancel", "Tab 下一项 · Enter 下一项／保存 · Ctrl-S 保存 · Esc 取消";
    FormHintLines => "Enter new line · Ctrl-G $EDITOR · Tab next · Ctrl-S save · Esc cancel", "Enter 换行 · Ctrl-G 外部编辑器 · Tab 下一项 · Ctrl-S 保存 · Esc 取消";
    EditorFailed => "The editor did not run", "外部编辑器未能运行";
    NoEditor => "Set $VISUAL or $EDITOR to edit in your own editor", "请设置 $VISUAL 或 $EDITOR 以使用外部编辑器";
    ChoiceHint => "← → choose", "← → 选择";
    MovesTitle => "Move", "变更状态";
    MovesHint => "↑↓ choose · Enter · Esc", "↑↓ 选择 · Enter · Esc";
    Days => "d", "天";
    Left => "left", "剩余";
    Today => "today", "今天";
    NoMatches => "no matches", "无匹配项";
    Items => "items", "项";
    ConfigProblem => "config", "配置";
    SourcePrompt => "The {source} (generic layout) to recompute this indicator from, over the evaluation period", "用于复算此指标的{source}（通用格式，按评价期间）";
    MetricsPrompt => "Call-record file to recompute this indicator from", "用于复算此指标的话单文件";
    InputHint => "Enter accepts · Esc cancels", "回车确认 · Esc 取消";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages() {
        for m in ALL {
            assert!(!m.t(Lang::En).is_empty(), "{m:?}");
            assert!(!m.t(Lang::Zh).is_empty(), "{m:?}");
        }
    }
}
