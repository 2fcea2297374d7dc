//! `status` without opening the database when nothing changed: the last
//! output is kept beside the database with what it depended on — the
//! number of operations the database acknowledged (the `committed`
//! watermark, rewritten and synced by every commit and merge, and only
//! ever growing), today's date, the due-date policy, the engagement asked
//! for, the language and the options. When all of these match, the kept
//! output is printed (a few milliseconds instead of opening sled);
//! otherwise it is computed, printed and kept. The cache is only a copy:
//! any problem reading or writing it falls back to computing.

use std::path::Path;

const FILE: &str = "status-cache";

/// What a `status` output depends on, as one line.
pub(super) fn key(data_dir: &Path, policy: &impl std::fmt::Debug, parts: &[&str]) -> Option<String> {
    let ops = std::fs::read_to_string(data_dir.join("committed")).ok()?;
    let ops: u64 = ops.trim().parse().ok()?;
    // The database file's length: a truncated or missing one is never
    // answered from the copy (opening it says what is wrong). (Its time
    // is no help: sled writes the file each time it opens it.)
    let db = std::fs::metadata(data_dir.join("db").join("db")).ok()?;
    Some(format!(
        "cscaudit {} · ops {ops} · db {} · today {} · {policy:?} · {}",
        db.len(),
        env!("CARGO_PKG_VERSION"),
        crate::app::today(),
        parts.join(" · ")
    ))
}

/// The kept output for `key`, if it is the one kept.
pub(super) fn get(data_dir: &Path, key: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(data_dir.join(FILE)).ok()?;
    let nl = bytes.iter().position(|b| *b == b'\n')?;
    (&bytes[..nl] == key.as_bytes()).then(|| bytes[nl + 1..].to_vec())
}

/// Keep `output` for `key` (written whole, then renamed into place).
pub(super) fn put(data_dir: &Path, key: &str, output: &[u8]) {
    let tmp = data_dir.join(format!("{FILE}.{}.partial", std::process::id()));
    let mut bytes = Vec::with_capacity(key.len() + 1 + output.len());
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(output);
    if std::fs::write(&tmp, &bytes).is_err() || std::fs::rename(&tmp, data_dir.join(FILE)).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_kept_output_is_returned_only_for_its_key() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("db")).unwrap();
        std::fs::write(d.path().join("db").join("db"), "x").unwrap();
        std::fs::write(d.path().join("committed"), "00000000000000000042\n").unwrap();
        let k = super::key(d.path(), &1, &["DEMO-S2", "zh"]).unwrap();
        assert!(k.contains("ops 42") && k.contains("DEMO-S2"));
        assert_eq!(super::get(d.path(), &k), None);
        super::put(d.path(), &k, "状态\n".as_bytes());
        assert_eq!(super::get(d.path(), &k).as_deref(), Some("状态\n".as_bytes()));
        // One more operation: the kept output no longer answers.
        std::fs::write(d.path().join("committed"), "00000000000000000043\n").unwrap();
        let k2 = super::key(d.path(), &1, &["DEMO-S2", "zh"]).unwrap();
        assert_eq!(super::get(d.path(), &k2), None);
        assert_eq!(
            super::key(&d.path().join("nothing"), &1, &[]),
            None,
            "no watermark, no cache"
        );
    }
}
