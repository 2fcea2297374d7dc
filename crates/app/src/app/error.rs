//! Errors of the use cases, and their words in zh-CN and English.

use crate::config::CatalogError;
use crate::message::Msg;
use crate::model::action::IllegalActionTransition;
use crate::model::engagement::TeamRuleError;
use crate::model::finding::IllegalFindingTransition;
use crate::model::ops::RecordError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", store_message(.0).en)]
    Store(#[from] StoreError),
    #[error("no {what} `{id}`")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Finding(#[from] IllegalFindingTransition),
    #[error(transparent)]
    Action(#[from] IllegalActionTransition),
    #[error(transparent)]
    Team(#[from] TeamRuleError),
    #[error("{0}")]
    Rule(Msg),
    #[error("{0}")]
    Invalid(Msg),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("{}: {source}", .path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The user stopped long work (metrics, hashing) before it ended.
    #[error("cancelled")]
    Cancelled,
    /// A form's text was changed by someone else since it opened: nothing
    /// was saved; `theirs` is the text there now.
    #[error("{message}")]
    Changed { message: Msg, theirs: String },
}

/// An operating-system error in Chinese words, the OS's own text after it
/// (the common kinds; anything else keeps the OS's text alone).
pub use crate::store::{is_disk_full, is_read_only};

/// A path to show for a disk problem: a temporary file's folder, not its
/// name (which means nothing to the user).
fn shown_path(path: &std::path::Path) -> std::path::PathBuf {
    match (path.file_name(), path.parent()) {
        (Some(n), Some(parent)) if n.to_string_lossy().starts_with('.') => parent.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

fn read_only(path: &std::path::Path) -> Msg {
    let p = shown_path(path);
    let p = p.display();
    crate::msg!(
        "{p} is on a read-only disk: nothing was saved. Copy the folder to a writable disk and open it there with --data-dir",
        "{p} 位于只读磁盘上：未保存任何内容。请将该文件夹复制到可写磁盘，并用 --data-dir 打开"
    )
}

/// The disk is full: what happened and what to do, in both languages.
fn disk_full(path: &std::path::Path) -> Msg {
    let p = shown_path(path);
    let p = p.display();
    crate::msg!(
        "the disk is full ({p}); nothing was saved. Free some space and try again: everything saved before is kept",
        "磁盘已满（{p}）；本次未保存任何内容。请释放空间后重试：此前保存的内容都在"
    )
}

pub fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let words = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有访问权限",
        K::AlreadyExists => "已存在",
        K::StorageFull => "磁盘已满",
        K::QuotaExceeded => "超出磁盘配额",
        K::ReadOnlyFilesystem => "文件系统只读",
        K::IsADirectory => "这是文件夹",
        K::NotADirectory => "不是文件夹",
        K::InvalidData => "数据无效",
        K::UnexpectedEof => "文件意外结束",
        K::Interrupted => "操作被中断",
        K::TimedOut => "超时",
        K::FileTooLarge => "文件过大",
        K::ResourceBusy => "资源被占用",
        _ => return e.to_string(),
    };
    format!("{words}（{e}）")
}

pub type Result<T> = std::result::Result<T, AppError>;

fn kind_zh(what: &str) -> &str {
    match what {
        "finding" => "发现项",
        "action" => "纠正措施",
        "engagement" => "审核项目",
        "assessment" => "评估记录",
        "member" => "成员",
        "evidence" => "证据",
        "indicator" => "指标",
        "catalogue" => "指标目录",
        "record" => "记录",
        other => other,
    }
}

impl AppError {
    /// Whether another cscaudit process holds the database (waiting may help).
    pub fn is_locked(&self) -> bool {
        matches!(self, AppError::Store(StoreError::Locked { .. }))
    }

    /// The error as a sentence in the given language.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Rule(m) | AppError::Invalid(m) => m.clone(),
            AppError::Store(e) => store_message(e),
            AppError::NotFound { what, id } => {
                let what_zh = kind_zh(what);
                crate::msg!("no {what} `{id}`", "找不到{what_zh} `{id}`")
            }
            AppError::Finding(t) => {
                let (g, f, to) = (t.grade.zh(), t.from.zh(), t.to.zh());
                Msg::new(t.to_string(), format!("{g}发现项不能从“{f}”变为“{to}”"))
            }
            AppError::Action(t) => {
                let (f, to) = (t.from.zh(), t.to.zh());
                Msg::new(t.to_string(), format!("纠正措施不能从“{f}”变为“{to}”"))
            }
            AppError::Team(t) => {
                let (k, n) = (t.kind.zh(), t.certified);
                Msg::new(
                    t.to_string(),
                    format!(
                        "{k}在审核组至少有两名注册有效的审核员之前不能开具发现项（目前 {n} 名{}）",
                        t.expired_text(true)
                    ),
                )
            }
            AppError::Record(r) => {
                let (entity, field) = (&r.entity, r.field);
                match &r.found {
                    Some(v) => {
                        let what = r.what;
                        let what_zh = crate::model::engagement::human_name_zh(what);
                        crate::msg!(
                            "{entity}: field `{field}` holds `{v}`, which is not a valid {what} (written by a newer cscaudit?)",
                            "{entity}：字段 `{field}` 的值 `{v}` 不是有效的{what_zh}（由更新版本的 cscaudit 写入？）"
                        )
                    }
                    None => crate::msg!("{entity}: field `{field}` is missing", "{entity}：缺少字段 `{field}`"),
                }
            }
            AppError::Io { path, source } if is_disk_full(source) => disk_full(path),
            AppError::Io { path, source } if is_read_only(source) => read_only(path),
            AppError::Io { path, source } => {
                let (p, zh) = (path.display(), io_zh(source));
                crate::msg!("{p}: {source}", "{p}：{zh}")
            }
            AppError::Cancelled => crate::msg!("cancelled", "已取消"),
            AppError::Changed { message, .. } => message.clone(),
            AppError::Catalog(_) => Msg::same(self.to_string()),
        }
    }
}

/// A store error as a sentence in both languages.
fn store_message(e: &StoreError) -> Msg {
    {
        match e {
            StoreError::Locked { path } => {
                let p = path.display();
                crate::msg!(
                    "the database {p} is in use by another cscaudit process; close it first",
                    "数据库 {p} 正被另一个 cscaudit 进程使用；请先关闭它"
                )
            }
            StoreError::NewerSchema { path, found, supported } => {
                let p = path.display();
                crate::msg!(
                    "the database {p} was written by a newer cscaudit (schema {found}, this build supports {supported}); nothing was changed — upgrade cscaudit to open it",
                    "数据库 {p} 由更新版本的 cscaudit 写入（架构 {found}，本版本支持 {supported}）；未作任何更改，请升级 cscaudit"
                )
            }
            StoreError::Corrupt { path, what } => {
                let p = path.display();
                crate::msg!(
                    "the database {p} is damaged: {what}. Nothing was changed; restore the folder from a backup or take the work back from a teammate's bundle",
                    "数据库 {p} 已损坏：{what}。未作任何更改；请从备份恢复该文件夹，或从同事的数据包取回工作"
                )
            }
            StoreError::Lost { path, recorded, held } => {
                let p = path.display();
                crate::msg!(
                    "the database {p} holds {held} operations but had acknowledged {recorded}: it lost changes (a truncated or damaged file, or an old copy). Nothing was changed; rebuild it from the signed log (`cscaudit doctor --rebuild`, with `--from URL` for a remote), restore the folder from a backup, or take the work back from a teammate's bundle",
                    "数据库 {p} 现有 {held} 项操作，但此前已确认 {recorded} 项：数据已丢失（文件被截断、损坏或是旧副本）。未作任何更改；请从签名日志重建（`cscaudit doctor --rebuild`，远程仓库加 `--from 地址`），从备份恢复该文件夹，或从同事的数据包取回工作"
                )
            }
            StoreError::Sled { path, .. } | StoreError::Io { path, .. } if e.os_error().is_some_and(is_disk_full) => {
                disk_full(path)
            }
            StoreError::Sled { path, .. } | StoreError::Io { path, .. } if e.os_error().is_some_and(is_read_only) => {
                read_only(path)
            }
            StoreError::ReadOnly {
                path,
                why: crate::store::NoRoom::DiskFull,
            } => {
                let p = shown_path(path);
                let p = p.display();
                crate::msg!(
                    "the disk is full ({p}): your data is open to read only, and this change was not saved. Free some space and open cscaudit again: everything saved before is kept",
                    "磁盘已满（{p}）：数据以只读方式打开，本次更改未保存。请释放空间后重新打开 cscaudit：此前保存的内容都在"
                )
            }
            StoreError::ReadOnly { path, .. } => {
                let p = shown_path(path);
                let p = p.display();
                crate::msg!(
                    "{p} is on a read-only disk: your data is open to read only, and this change was not saved. Copy the folder to a writable disk and open it there with --data-dir",
                    "{p} 位于只读磁盘上：数据以只读方式打开，本次更改未保存。请将该文件夹复制到可写磁盘，并用 --data-dir 打开"
                )
            }
            StoreError::Sled { path, source } => {
                let p = path.display();
                crate::msg!("database error at {p}: {source}", "数据库 {p} 出错：{source}")
            }
            StoreError::Io { path, source } => {
                let (p, zh) = (path.display(), io_zh(source));
                crate::msg!("{p}: {source}", "{p}：{zh}")
            }
            StoreError::Codec(c) => crate::msg!("stored data cannot be read: {c}", "存储的数据无法读取：{c}"),
            StoreError::Interrupted => crate::msg!("stopped; nothing was changed", "已停止；未做任何更改"),
            StoreError::CopyDiffers { path } => {
                let p = path.display();
                crate::msg!(
                    "the compacted copy at {p} did not read back equal to the database; it was removed and nothing was changed",
                    "{p} 处的压缩副本与数据库读回不一致；副本已删除，未做任何更改"
                )
            }
            StoreError::Sign(why) => {
                let why = crate::text::visible(why);
                crate::msg!(
                    "your change could not be signed, so it was not saved: {why}",
                    "您的更改无法签名，因此未保存：{why}"
                )
            }
        }
    }
}

/// A broken audit rule in words, about `subject` (a finding or action reference).
pub(crate) fn violation(subject: &str, v: &crate::model::rules::Violation) -> AppError {
    use crate::model::rules::Violation as V;
    let m = match v {
        V::NoTitle => return AppError::Invalid(crate::msg!("a finding needs a title", "发现项必须有标题")),
        V::NoStatement => {
            return AppError::Invalid(crate::msg!(
                "a nonconformity needs a statement of what was seen",
                "不符合项必须写明观察到的事实"
            ));
        }
        V::NoRootCause => {
            return AppError::Invalid(crate::msg!(
                "the response to a nonconformity needs a root cause",
                "对不符合项的回复必须包含根本原因"
            ));
        }
        V::ActionIncomplete => {
            return AppError::Invalid(crate::msg!(
                "a corrective action needs a description and an owner",
                "纠正措施必须有描述和责任人"
            ));
        }
        V::ProgressOver100(p) => {
            return AppError::Invalid(crate::msg!("progress {p}% is over 100%", "进度 {p}% 超过 100%"));
        }
        V::NoLiveAction => crate::msg!(
            "{subject} has no corrective action yet: add one before accepting the plan",
            "{subject} 尚无纠正措施：请先添加再接受计划"
        ),
        V::OpenActions(open) => {
            let open = open.join(", ");
            crate::msg!(
                "{subject} still has open corrective actions: {open}",
                "{subject} 仍有未完成的纠正措施：{open}"
            )
        }
        V::ActionsNotEffective(pending) => {
            let (pending_en, pending_zh) = if pending.is_empty() {
                ("none exist".to_string(), "尚无措施".to_string())
            } else {
                (pending.join(", "), pending.join(", "))
            };
            crate::msg!(
                "{subject} can be verified only when every corrective action is verified effective (pending: {pending_en})",
                "只有全部纠正措施验证有效后，{subject} 才能验证（待验证：{pending_zh}）"
            )
        }
        V::ActionsClosedFor(status) => {
            let (st_en, st_zh) = (status.as_str(), status.zh());
            crate::msg!(
                "{subject} is {st_en}: corrective actions can be added once it is issued and until it is verified",
                "{subject} 状态为{st_zh}：纠正措施只能在开具后、验证前添加"
            )
        }
        V::OwnerVerifies(owner) => crate::msg!(
            "{subject} is owned by {owner}: its owner cannot verify it",
            "{subject} 的责任人是 {owner}：责任人不能验证自己的措施"
        ),
        V::VerifyByUpdate => crate::msg!(
            "use verify to record whether an action was effective",
            "请用“验证”记录措施是否有效"
        ),
    };
    AppError::Rule(m)
}
