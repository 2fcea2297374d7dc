//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod tui;

use cscaudit::app::{App, NewEngagement};
use cscaudit::model::catalog::{Catalog, EMBEDDED_GBT32312};
use cscaudit::model::engagement::{EngagementKind, Role};

/// A fresh app on a real sled database in a temp folder, acting as `zw` (lead).
pub fn app_in(dir: &std::path::Path) -> App {
    let mut app = App::open(dir).expect("open");
    app.set_identity("zw", "张伟", "ZW").unwrap();
    app
}

/// Create an engagement of `kind` with zw as lead (certificate) and lm as auditor.
pub fn engagement(app: &App, kind: EngagementKind, certified: bool) -> String {
    let e = app
        .create_engagement(
            NewEngagement {
                id: Some("E1".into()),
                title: "测试 / test".into(),
                auditee: "某银行客服中心".into(),
                site: String::new(),
                kind,
                period_start: None,
                period_end: None,
            },
            &Catalog::embedded(),
            EMBEDDED_GBT32312,
        )
        .unwrap();
    if certified {
        app.add_member(&e.id, "zw", "张伟", "ZW", Role::Lead, Some("CCAA-1"))
            .unwrap();
        app.add_member(&e.id, "lm", "李敏", "LM", Role::Auditor, Some("CCAA-2"))
            .unwrap();
    }
    e.id
}
