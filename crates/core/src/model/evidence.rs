//! Evidence metadata. The bytes live in a content-addressed blob folder.

use super::fields::EvidenceField as F;
use super::ops::Record;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub sha256: String,
    pub engagement: String,
    pub name: String,
    pub size: u64,
    pub media_type: String,
    pub captured_by: String,
    pub captured_at: String,
    pub note: String,
}

impl Evidence {
    pub fn record_id(engagement: &str, sha256: &str) -> String {
        format!("{engagement}/{sha256}")
    }
    pub fn from_record(r: &Record) -> Evidence {
        Evidence {
            sha256: r.text(F::Sha256),
            engagement: r.text(F::Engagement),
            name: r.text(F::Name),
            size: r.int(F::Size).unwrap_or(0).max(0) as u64,
            media_type: r.text(F::MediaType),
            captured_by: r.text(F::CapturedBy),
            captured_at: r.text(F::CapturedAt),
            note: r.text(F::Note),
        }
    }
}

/// A media type guessed from the file name (enough for reports and bundles).
pub fn media_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
