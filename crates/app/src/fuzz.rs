//! Entry points for fuzzing: each takes arbitrary bytes and must never
//! panic, hang or grow without bound, whatever it is given. `fuzz/` runs
//! them under cargo-fuzz (libFuzzer, nightly); `tests/fuzz_smoke.rs` runs
//! them on stable over the corpus and random bytes, in `cargo test`.

use crate::analytics::calls::{Mapping, is_anonymous_bank_header, parse_anonymous_bank};

/// A mapping like a bank's own export (tests/fixtures/calls/mapping.toml).
const MAPPING: &str = r#"
delimiter = ";"
[columns]
date = "通话日期"
time = "进线时间"
queued = "排队开始"
wait = "等待时长"
talk = "通话时长"
outcome = "结果"
agent = "坐席工号"
[formats]
date = "%Y/%m/%d"
time = "%H:%M:%S"
duration = "hms"
[outcomes]
answered = ["接通"]
abandoned = ["放弃"]
ignored = ["无效"]
"#;

/// Call records: every line through the Anonymous Bank parser, and the bytes
/// as a mapped CSV export (header and rows).
pub fn call_records(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        let _ = is_anonymous_bank_header(line);
        let _ = parse_anonymous_bank(line);
    }
    static PARSED: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    let mapping = PARSED.get_or_init(|| Mapping::parse(MAPPING, "fuzz").expect("the built-in mapping parses"));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(true)
        .from_reader(data);
    let Ok(header) = rdr.headers().cloned() else { return };
    let Ok(reader) = mapping.resolve(&header) else { return };
    let mut rec = csv::StringRecord::new();
    while let Ok(true) = rdr.read_record(&mut rec) {
        let _ = reader.call(&rec);
    }
}

/// The TOML loaders: config.toml, a catalogue, a call-record mapping; all
/// from the same text (the binary's `fuzz::config` adds the TUI's keymap and theme).
pub fn config(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let _ = crate::config::Settings::parse(src, "fuzz.toml");
    let _ = crate::config::parse_catalog(src, "fuzz.toml");
    let _ = Mapping::parse(src, "fuzz.toml");
}

/// Stored bytes as the store decodes them (a damaged database), and a line of
/// a bundle's `ops.jsonl` as import parses it.
pub fn op_decode(data: &[u8]) {
    use crate::model::ops::Op;
    use crate::model::record::Record;
    let _ = crate::store::codec::decode::<Record>(data);
    let _ = crate::store::codec::decode::<Vec<Op>>(data);
    let _ = crate::store::codec::decode::<crate::store::SeqSet>(data);
    let _ = crate::store::codec::decode::<crate::model::ops::Hlc>(data);
    if let Ok(op) = serde_json::from_slice::<Op>(data) {
        // What import does with a parsed op before anything is written.
        let _ = crate::bundle::check_op_names(&op);
        let _ = crate::text::visible(&op.entity.to_string());
        let mut r = Record::empty(op.entity.clone());
        r.apply(&op);
    }
}

/// The bytes as a findings bundle imported into a database (which must stay
/// openable, and unchanged when the import is refused).
pub fn bundle(data: &[u8]) {
    use std::sync::{Mutex, OnceLock};
    static DB: OnceLock<Mutex<(tempfile_dir::Dir, crate::app::App)>> = OnceLock::new();
    let db = DB.get_or_init(|| {
        let dir = tempfile_dir::Dir::new();
        let mut app = crate::app::App::open(&dir.0.join("db")).expect("a temp database opens");
        app.set_identity("fuzz", "Fuzz", "FZ").expect("identity");
        Mutex::new((dir, app))
    });
    let guard = db.lock().unwrap_or_else(|e| e.into_inner());
    let file = guard.0.0.join("bundle.zip");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let _ = crate::bundle::import(&guard.1, &file);
}

/// A temporary folder without a dev-dependency (removed at exit is not
/// needed: the fuzzer's process is short-lived in tests, and the OS temp
/// folder is cleaned by the system).
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!(
                "cscaudit-fuzz-{}-{}",
                std::process::id(),
                jiff::Timestamp::now().as_nanosecond()
            ));
            std::fs::create_dir_all(&p).expect("a temp folder");
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
