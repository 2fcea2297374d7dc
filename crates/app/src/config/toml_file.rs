//! One way to read the TOML files users write (config, keymaps, themes,
//! catalogues, call-record mappings): read safely, parse keeping every key's
//! and value's span (`toml::de::DeTable`), and report any problem as one
//! [`ConfigError`] with file:line:column that names the key it is about.

use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A problem located in a file the user wrote.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    /// A problem with the file as a whole (unreadable, not a file).
    pub fn whole(file: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.display().to_string(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

/// Largest settings file read (a keymap or a theme is a few KiB; a catalogue
/// of thousands of indicators a few MiB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Line and column (1-based, in characters) of a byte offset.
pub fn position(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |p| before[p + 1..].chars().count())
        + 1;
    (line, col)
}

/// Read a user's file: `Ok(None)` when it does not exist. A directory, a FIFO
/// or a device (never opened, so nothing blocks), a file too large, or text
/// that is not UTF-8 is an error naming the file.
pub fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ConfigError::whole(path, format!("cannot read: {e}"))),
    };
    if meta.is_dir() {
        return Err(ConfigError::whole(path, "is a directory, not a file"));
    }
    if !meta.is_file() {
        return Err(ConfigError::whole(
            path,
            "is not a regular file (a FIFO, socket or device?)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ConfigError::whole(
            path,
            format!(
                "is {} bytes, more than the {} bytes a settings file may have",
                meta.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| ConfigError::whole(path, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        ConfigError::whole(
            path,
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// A parsed TOML document with the span of every key and value.
pub struct Doc<'i> {
    pub file: String,
    pub src: &'i str,
    pub root: DeTable<'i>,
}

pub type Entry<'a, 'i> = (&'a Spanned<toml::de::DeString<'i>>, &'a Spanned<DeValue<'i>>);

impl<'i> Doc<'i> {
    pub fn parse(src: &'i str, file: &str) -> Result<Doc<'i>, ConfigError> {
        // The recovering parser keeps the keys around a syntax error, so the
        // message can name the key whose value is broken.
        let (table, errors) = DeTable::parse_recoverable(src);
        let doc = Doc {
            file: file.to_string(),
            src,
            root: table.into_inner(),
        };
        match errors.first() {
            None => Ok(doc),
            Some(e) => {
                let at = e.span().map_or(0, |s| s.start);
                let message = e.message().trim().to_string();
                let message = match doc.key_at(at).or_else(|| doc.key_on_line_before(at)) {
                    Some(k) => format!("field `{k}`: {message}"),
                    None => message,
                };
                Err(doc.error(at, message))
            }
        }
    }

    /// A problem at a byte offset of this file.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        error_at(self.src, &self.file, offset, message.into())
    }

    /// Top-level entries in file order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_, 'i>> {
        self.root.iter()
    }

    /// Deserialize one value; a type error names the key and points at the value.
    pub fn value<T: DeserializeOwned>(&self, key: &str, v: &Spanned<DeValue<'i>>) -> Result<T, ConfigError> {
        let span = v.span();
        T::deserialize(toml::de::ValueDeserializer::from(v.clone())).map_err(|e| {
            let at = e.span().map_or(span.start, |s| s.start);
            let inner = key_at(&self.root, at).unwrap_or_else(|| key.to_string());
            self.error(at, format!("field `{inner}`: {}", e.message().trim()))
        })
    }

    /// The last key that starts on the same line before `offset` (a broken
    /// value's span may end before the parser notices the problem).
    fn key_on_line_before(&self, offset: usize) -> Option<String> {
        fn walk(t: &DeTable<'_>, prefix: &str, offset: usize, best: &mut Option<(usize, String)>) {
            for (k, v) in t.iter() {
                let name = if prefix.is_empty() {
                    k.get_ref().to_string()
                } else {
                    format!("{prefix}.{}", k.get_ref())
                };
                let start = k.span().start;
                if start <= offset && best.as_ref().is_none_or(|(b, _)| start >= *b) {
                    *best = Some((start, name.clone()));
                }
                match v.get_ref() {
                    DeValue::Table(inner) => walk(inner, &name, offset, best),
                    DeValue::Array(a) => {
                        for item in a.iter() {
                            if let DeValue::Table(inner) = item.get_ref() {
                                walk(inner, &name, offset, best);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut best = None;
        walk(&self.root, "", offset, &mut best);
        let (start, name) = best?;
        let end = offset.min(self.src.len());
        (start <= end && !self.src.get(start..end)?.contains('\n')).then_some(name)
    }

    /// The dotted key whose value contains `offset` (innermost), if any.
    pub fn key_at(&self, offset: usize) -> Option<String> {
        key_at(&self.root, offset)
    }
}

fn error_at(src: &str, file: &str, offset: usize, message: String) -> ConfigError {
    let (line, column) = position(src, offset);
    ConfigError {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// The innermost dotted key at `offset`. Table headers span only `[name]`,
/// so tables are always searched by their children's spans.
fn key_at(table: &DeTable<'_>, offset: usize) -> Option<String> {
    let hit = |span: Range<usize>| span.contains(&offset) || (span.is_empty() && span.start == offset);
    for (k, v) in table.iter() {
        let here = k.get_ref().to_string();
        if hit(k.span()) {
            return Some(here);
        }
        let inner = match v.get_ref() {
            DeValue::Table(t) => key_at(t, offset),
            DeValue::Array(a) => a.iter().find_map(|item| match item.get_ref() {
                DeValue::Table(t) => key_at(t, offset),
                _ => None,
            }),
            _ => None,
        };
        if let Some(inner) = inner {
            return Some(format!("{here}.{inner}"));
        }
        if hit(v.span()) {
            return Some(here);
        }
    }
    None
}

/// Parse a whole file into `T`: a syntax or type error is located and names
/// the key it is about.
pub fn deserialize<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, ConfigError> {
    let doc = Doc::parse(src, file)?;
    toml::from_str::<T>(src).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().to_string();
        let message = match doc.key_at(at) {
            Some(k) if !message.contains("field `") && !message.contains(&format!("`{k}`")) => {
                format!("field `{k}`: {message}")
            }
            _ => message,
        };
        doc.error(at, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(position("a\n中文x", 8), (2, 3));
        assert_eq!(position("a\n中文x", 7), (2, 2)); // inside a character: its start
        assert_eq!(position("", 5), (1, 1));
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        name: String,
        inner: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        days: u32,
    }

    #[test]
    fn type_errors_name_the_nested_key_and_its_line() {
        let src = "name = \"x\"\n\n[inner]\ndays = \"many\"\n";
        let e = deserialize::<T>(src, "f.toml").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (4, "f.toml"));
        assert!(e.message.contains("inner.days"), "{}", e.message);
        let e = deserialize::<T>("name = \n", "f.toml").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn one_value_at_a_time() {
        let doc = Doc::parse("a = 1\nb = \"two\"\n", "f.toml").unwrap();
        let mut got = Vec::new();
        for (k, v) in doc.entries() {
            got.push((
                k.get_ref().to_string(),
                doc.value::<u32>(k.get_ref(), v).map_err(|e| e.line),
            ));
        }
        assert_eq!(got, vec![("a".into(), Ok(1)), ("b".into(), Err(2))]);
    }

    #[test]
    fn directories_fifos_and_bad_bytes_are_errors_and_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("absent.toml")).unwrap(), None);
        assert!(read(dir.path()).unwrap_err().message.contains("directory"));
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, b"a = \"\xff\xfe\"\n").unwrap();
        assert!(read(&bad).unwrap_err().message.contains("UTF-8"));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo.toml");
            let ok = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                assert!(read(&fifo).unwrap_err().message.contains("not a regular file"));
            }
        }
    }
}
