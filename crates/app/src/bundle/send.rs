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

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| AppError::Io {
        path: path.to_path_buf(),
        source,
    })
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
    // The addressee's key before anything is signed: no key, nothing sent.
    let to = addressee.map(str::to_string);
    let contacts = app.auditee_contacts(engagement)?;
    let key = contacts
        .iter()
        .find(|m| to.as_deref().is_none_or(|a| a == m.actor))
        .and_then(|m| m.key.clone().filter(|k| !k.trim().is_empty()));
    let (addressee, items) = app.open_requests(engagement, addressee)?;
    let shown = crate::text::visible(&addressee).into_owned();
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
    write(&xlsx, &requests_xlsx(&head, &items, today)?)?;
    write(&html, requests_html(&head, &items, today).as_bytes())?;
    Ok(Sent {
        addressee,
        items: items.len(),
        bundle,
        xlsx,
        html,
    })
}
