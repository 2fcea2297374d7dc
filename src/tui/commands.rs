//! The command registry: every command the TUI can run, with its name and
//! descriptions. Help, the palette and the status-bar hints are all generated
//! from this table and the active keymap.

use crate::config::Lang;

/// Where a binding applies; also the keymap file's section names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    Global,
    Dashboard,
    Checklist,
    Findings,
    Remediation,
    Portfolio,
    Calls,
    Help,
    Palette,
}

impl KeyContext {
    pub const ALL: [KeyContext; 9] = [
        KeyContext::Global,
        KeyContext::Dashboard,
        KeyContext::Checklist,
        KeyContext::Findings,
        KeyContext::Remediation,
        KeyContext::Portfolio,
        KeyContext::Calls,
        KeyContext::Help,
        KeyContext::Palette,
    ];
    pub fn name(self) -> &'static str {
        match self {
            KeyContext::Global => "global",
            KeyContext::Dashboard => "dashboard",
            KeyContext::Checklist => "checklist",
            KeyContext::Findings => "findings",
            KeyContext::Remediation => "remediation",
            KeyContext::Portfolio => "portfolio",
            KeyContext::Calls => "calls",
            KeyContext::Help => "help",
            KeyContext::Palette => "palette",
        }
    }
    pub fn from_name(s: &str) -> Option<KeyContext> {
        KeyContext::ALL.into_iter().find(|c| c.name() == s)
    }
}

macro_rules! commands {
    ($($id:ident => $name:literal, [$($ctx:ident),*], $en:literal, $zh:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($id),+ }
        pub const COMMANDS: &[CommandInfo] = &[
            $(CommandInfo { cmd: Cmd::$id, name: $name, contexts: &[$(KeyContext::$ctx),*], en: $en, zh: $zh }),+
        ];
    };
}

#[derive(Debug)]
pub struct CommandInfo {
    pub cmd: Cmd,
    pub name: &'static str,
    /// Contexts where the command makes sense (Global: everywhere).
    pub contexts: &'static [KeyContext],
    pub en: &'static str,
    pub zh: &'static str,
}

impl CommandInfo {
    pub fn describe(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }
    pub fn applies_in(&self, ctx: KeyContext) -> bool {
        self.contexts.contains(&KeyContext::Global) || self.contexts.contains(&ctx)
    }
}

commands! {
    Quit => "quit", [Global], "Quit", "退出";
    Help => "help", [Global], "Show keys and commands", "显示按键与命令";
    Palette => "palette", [Global], "Open the command palette", "打开命令面板";
    PaneDashboard => "pane.dashboard", [Global], "Go to the dashboard", "切换到总览";
    PaneChecklist => "pane.checklist", [Global], "Go to the checklist", "切换到检查表";
    PaneFindings => "pane.findings", [Global], "Go to the findings", "切换到发现项";
    PaneRemediation => "pane.remediation", [Global], "Go to remediation", "切换到整改跟踪";
    PanePortfolio => "pane.portfolio", [Global], "Go to the portfolio of certification programmes", "切换到认证项目总览";
    PaneCalls => "pane.calls", [Global], "Go to call figures by hour of day", "切换到分时段话务指标";
    PaneNext => "pane.next", [Global], "Next pane", "下一个窗格";
    PanePrev => "pane.prev", [Global], "Previous pane", "上一个窗格";
    Down => "cursor.down", [Global], "Move down", "下移";
    Up => "cursor.up", [Global], "Move up", "上移";
    Top => "cursor.top", [Global], "Go to the first row", "移到第一行";
    Bottom => "cursor.bottom", [Global], "Go to the last row", "移到最后一行";
    PageDown => "cursor.page_down", [Global], "Page down", "向下翻页";
    PageUp => "cursor.page_up", [Global], "Page up", "向上翻页";
    Open => "open", [Checklist, Findings, Remediation, Portfolio], "Open details / expand (portfolio: the programme's current engagement)", "打开详情 / 展开（认证项目：打开其当前审核项目）";
    Back => "back", [Global], "Close details, popup or filter", "关闭详情、弹窗或筛选";
    Filter => "filter", [Checklist, Findings, Remediation, Portfolio], "Filter the list (/)", "筛选列表";
    ClearFilter => "filter.clear", [Checklist, Findings, Remediation, Portfolio], "Clear the filter", "清除筛选";
    Expand => "tree.expand", [Checklist], "Expand the group", "展开分组";
    Collapse => "tree.collapse", [Checklist], "Collapse the group", "折叠分组";
    ExpandAll => "tree.expand_all", [Checklist], "Expand every group", "展开全部分组";
    CollapseAll => "tree.collapse_all", [Checklist], "Collapse every group", "折叠全部分组";
    WalkNext => "walk.next", [Checklist], "Next indicator not yet assessed", "下一个未评估指标";
    WalkPrev => "walk.prev", [Checklist], "Previous indicator not yet assessed", "上一个未评估指标";
    WalkMine => "walk.mine", [Checklist], "Walk only indicators assigned to me", "仅逐项检查分配给我的指标";
    AssessDone => "assess.done", [Checklist], "Mark the indicator's work done (again: back to in progress)", "将指标工作状态标为完成（再按：退回进行中）";
    AssessConforming => "assess.conforming", [Checklist], "Record: conforming", "记录：符合";
    AssessPartially => "assess.partially", [Checklist], "Record: partially conforming", "记录：部分符合";
    AssessNonconforming => "assess.nonconforming", [Checklist], "Record: nonconforming", "记录：不符合";
    AssessNotApplicable => "assess.not_applicable", [Checklist], "Record: not applicable", "记录：不适用";
    RecordMetrics => "assess.metrics", [Checklist], "Recompute from the centre's records (calls, complaints, survey, sessions, outages, agent states)", "由中心的记录复算（话单、投诉、满意度、会话、故障、座席状态）";
    SortNext => "sort.next", [Findings, Remediation, Portfolio], "Sort by the next column", "按下一列排序";
    SortReverse => "sort.reverse", [Findings, Remediation, Portfolio], "Reverse the sort order", "反转排序";
    FilterOverdue => "filter.overdue", [Findings], "Show only overdue findings", "仅显示逾期发现项";
    ViewNext => "view.next", [Remediation], "Next preset view", "下一个预设视图";
    ViewPrev => "view.prev", [Remediation], "Previous preset view", "上一个预设视图";
    ToggleLanguage => "language.toggle", [Global], "Switch language (中文 / English)", "切换语言（中文 / English）";
    SwitchEngagement => "engagement.switch", [Global], "Switch engagement", "切换审核项目";
    Refresh => "refresh", [Global], "Reload from the database", "从数据库重新加载";
    Undo => "undo", [Global], "Undo your last change (as a new change)", "撤销您的上一次更改（记为新的更改）";
    IdentityEdit => "identity.edit", [Dashboard], "Say who you are", "设置身份";
    EngagementNew => "engagement.new", [Dashboard], "Create an engagement", "新建审核项目";
    EngagementFollow => "engagement.follow", [Dashboard, Portfolio], "Start the next audit of the programme (stage 2, follow-up, surveillance…), carrying open findings", "开始认证方案的下一次审核（第二阶段、跟踪、监督……），延续未关闭的发现项";
    BundleExport => "bundle.export", [Dashboard], "Export a findings bundle for a teammate", "导出发现项数据包（交给同事）";
    BundleImport => "bundle.import", [Dashboard], "Import a teammate's findings bundle", "导入同事的发现项数据包";
    Sync => "sync", [Dashboard], "Sync with the team (git remote)", "与团队同步（git 远程仓库）";
    Conflicts => "conflicts", [Dashboard], "Conflicting edits from teammates (keep or take the other)", "同事间的冲突修改（保留或改用另一值）";
    MemberAdd => "member.add", [Dashboard], "Add or edit a team member", "添加或编辑审核组成员";
    PlanUpdate => "plan.update", [Dashboard], "Report progress on a milestone of the plan", "更新计划里程碑的进度";
    TestCallRecord => "testcall.record", [Dashboard], "Record a test call of the mystery-shopping campaign", "记录神秘访客测试电话";
    QaScore => "qa.score", [Dashboard], "Score a QA review blind (sealed until the other rater's is in)", "盲评质检复核录音（另一评分人封存前仅封存）";
    QaView => "qa.view", [Dashboard], "The QA round: every review, who has sealed, the scores once out", "质检复核批次：每条复核、封存情况、揭示后的评分";
    AuditPlanView => "plan.view", [Dashboard], "The audit plan: mode, person-days, the agenda and the opening and closing meetings (check-in)", "审核计划：审核方式、人日、日程安排及首末次会议签到";
    RequestsView => "requests.view", [Dashboard], "Evidence requests to the auditee: draft (a), send (s), answer or judge (Enter)", "向受审核方的资料请求：起草（a）、发出（s）、答复或审阅（Enter）";
    QaReveal => "qa.reveal", [Dashboard], "Reveal your sealed QA scores whose other rater has sealed", "揭示另一评分人已封存的本人质检评分";
    QaReconcile => "qa.reconcile", [Dashboard], "Settle a QA disagreement (the round's reconciler)", "裁定质检评分不一致（复核批次的裁定人）";
    AssessValue => "assess.value", [Checklist], "Record the measured value", "记录实测值";
    AssessNotes => "assess.notes", [Checklist], "Write notes", "编写备注";
    EvidenceAdd => "evidence.add", [Checklist], "Attach an evidence file", "添加证据文件";
    MarkToggle => "mark.toggle", [Checklist], "Mark or unmark the indicator (to assign several)", "标记或取消标记指标（用于批量分配）";
    Assign => "assess.assign", [Checklist], "Assign the marked indicators (or this one)", "分配已标记（或当前）指标";
    EvidenceOpen => "evidence.open", [Checklist, Findings], "Open or write out an evidence file", "打开或导出证据文件";
    FindingRaise => "finding.raise", [Checklist, Findings], "Raise a finding", "提出发现项";
    FindingEdit => "finding.edit", [Findings], "Edit the finding (its grade while a draft)", "编辑发现项（草稿可改等级）";
    FindingMove => "finding.move", [Findings], "Move the finding through its lifecycle", "变更发现项状态";
    ActionAdd => "action.add", [Findings], "Add a corrective action", "添加纠正措施";
    ActionUpdate => "action.update", [Remediation], "Update status, progress, evidence", "更新状态、进度、证据";
    ActionVerify => "action.verify", [Remediation], "Verify the action (effective or not)", "验证措施（是否有效）";
    Tasks => "tasks", [Global], "Tasks: running and finished work (export, import, sync…) and its results", "任务：正在进行和已完成的工作（导出、导入、同步……）及其结果";
}

/// Other words a user may search for a command by (help and palette): the
/// moves a finding's lifecycle offers are all behind `finding.move`.
pub fn aliases(cmd: Cmd) -> &'static str {
    match cmd {
        Cmd::FindingMove => {
            "issue respond response accept reject withdraw reopen close verify lifecycle status 签发 回复 答复 接受 驳回 撤回 重新打开 关闭 验证 状态"
        }
        Cmd::ActionVerify => "verify effective ineffective close 验证 有效 无效",
        Cmd::ActionUpdate => "progress done status evidence 进度 完成 状态 证据",
        Cmd::Tasks => "jobs progress cancel inbox notifications 进度 取消 通知 消息",
        Cmd::Sync => "git remote push pull 推送 拉取",
        Cmd::BundleExport => "zip send share 发送 共享",
        Cmd::BundleImport => "zip receive merge 接收 合并",
        Cmd::Undo => "revert 恢复",
        Cmd::Conflicts => "merge resolve 合并 解决",
        _ => "",
    }
}

pub fn info(cmd: Cmd) -> &'static CommandInfo {
    COMMANDS
        .iter()
        .find(|c| c.cmd == cmd)
        .expect("every command is registered")
}

pub fn by_name(name: &str) -> Option<Cmd> {
    COMMANDS.iter().find(|c| c.name == name).map(|c| c.cmd)
}
