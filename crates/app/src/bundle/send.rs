//! Sending evidence requests to the auditee's contact: the drafts are
//! opened (signed), then the engagement's bundle is written encrypted to
//! the addressee's registered key (and yours), with the request list
//! beside it as Excel and HTML for reading without cscaudit.

use super::{ExportOptions, ExportReport, export};
use crate::app::{App, AppError, Result};
use crate::crypto::seal::{To, recipient};
use crate::report::requests::{ListHead, requests_html, requests_xlsx};
use std::path::{Path, PathBuf};

/// What `send` wrote.
#[derive(Debug)]
pub struct Sent {
    pub addressee: String,
    /// Items awaiting the addressee's answer (sent now or before).
    pub items: usize,
    pub bundle: ExportReport,
    pub xlsx: PathBuf,
    pub html: PathBuf,
}

impl Sent {
    /// Who has how many items to answer, and where the list is (CLI and TUI).
    pub fn line(&self, lang: crate::config::Lang) -> String {
        let (n, who) = (self.items, crate::text::visible(&self.addressee));
        let shown = |p: &Path| crate::text::visible(&p.display().to_string()).into_owned();
        let (x, h) = (shown(&self.xlsx), shown(&self.html));
        match lang {
            crate::config::Lang::Zh => format!("{n} 条资料请求待 {who} 答复；清单：{x}、{h}"),
            crate::config::Lang::En => format!("{n} request(s) await {who}'s answer; the list: {x}, {h}"),
        }
    }

    /// The bundle written and [`Sent::line`], in one line.
    pub fn summary(&self, lang: crate::config::Lang) -> String {
        format!("{} · {}", self.bundle.summary(lang), self.line(lang))
    }
}

/// Send `engagement`'s requests to `addressee` (default: its only auditee
/// contact) into the folder `out`.
pub fn send_requests(
    app: &App,
    engagement: &str,
    addressee: Option<&str>,
    out: &Path,
    lang: crate::config::Lang,
) -> Result<Sent> {
    // The addressee and their key before anything is signed: no usable
    // key, nothing opened and nothing written.
    let addressee = app.addressee(engagement, addressee)?;
    let shown = crate::text::visible(&addressee).into_owned();
    let key = app
        .auditee_contacts(engagement)?
        .into_iter()
        .find(|m| m.actor == addressee)
        .and_then(|m| m.key.filter(|k| !k.trim().is_empty()));
    let Some(key) = key else {
        return Err(AppError::Invalid(crate::msg!(
            "{shown} has no registered key: register it (`cscaudit engagement member-key`) so the bundle can be encrypted to them",
            "{shown} 没有登记密钥：请先登记（`cscaudit engagement member-key`），才能将数据包加密发给其"
        )));
    };
    let mut keys = vec![recipient(&key).map_err(|e| AppError::Invalid(crate::message::Msg::same(e)))?];
    if let Some(k) = app.signing_key()
        && let Ok(r) = recipient(&k.public_openssh())
    {
        keys.push(r);
    }
    let (addressee, items) = app.open_requests(engagement, Some(&addressee))?;
    std::fs::create_dir_all(out).map_err(|source| AppError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let today = app.today();
    let stem = format!("requests-{engagement}-{addressee}-{today}");
    // Ids may hold anything a user typed: the file name holds none of it raw.
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let bundle = export(
        app,
        engagement,
        &out.join(format!("{stem}.zip")),
        &ExportOptions {
            lang,
            encrypt: Some(std::sync::Arc::new(To::Recipients(keys))),
            ..Default::default()
        },
    )?;
    let eng = app.engagement(engagement)?;
    let head = ListHead {
        engagement,
        auditee: &eng.auditee,
        addressee: &addressee,
        sender: &app.identity().actor,
        sent_on: today,
    };
    let (xlsx, html) = (out.join(format!("{stem}.xlsx")), out.join(format!("{stem}.html")));
    super::write_whole(&xlsx, &requests_xlsx(&head, &items, today)?)?;
    super::write_whole(&html, requests_html(&head, &items, today).as_bytes())?;
    Ok(Sent {
        addressee,
        items: items.len(),
        bundle,
        xlsx,
        html,
    })
}
