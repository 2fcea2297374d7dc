//! The fuzz entry points (`cscaudit::fuzz`, run for millions of inputs by
//! cargo-fuzz in `fuzz/`) on stable, in `cargo test`: every seed file of the
//! fixtures, then mutations of them and random bytes (proptest). Nothing may
//! panic. `FUZZ_SMOKE_CASES` sets the number of random cases per target.

use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn cases() -> u32 {
    std::env::var("FUZZ_SMOKE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// A seed with bytes flipped, cut and repeated: close to valid input, where
/// parsers break.
fn mutate(seed: &[u8], flips: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(at, b) in flips {
        if !v.is_empty() {
            let i = at % v.len();
            v[i] ^= b;
        }
    }
    v.truncate(cut.min(v.len()));
    v
}

#[test]
fn every_seed_passes_every_entry_point() {
    for seed in fixtures("calls") {
        cscaudit::fuzz::call_records(&seed);
    }
    for dir in ["config", "catalogs"] {
        for seed in fixtures(dir) {
            cscaudit::fuzz::config(&seed);
        }
    }
    cscaudit::fuzz::config(include_bytes!("../catalogs/gbt32312-2015.toml"));
    cscaudit::fuzz::config(include_bytes!("../keymaps/default.toml"));
    cscaudit::fuzz::config(include_bytes!("../themes/default.toml"));
    cscaudit::fuzz::op_decode(b"");
    // Crashes cargo-fuzz found, kept as regressions (named by their target).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let seed = std::fs::read(&p).unwrap();
        if name.starts_with("call_records-") {
            cscaudit::fuzz::call_records(&seed);
        } else {
            cscaudit::fuzz::op_decode(&seed);
        }
    }
    cscaudit::fuzz::bundle(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn call_records_never_panic(seed in 0usize..4, flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8), cut in any::<usize>(), junk in prop::collection::vec(any::<u8>(), 0..256)) {
        let seeds = fixtures("calls");
        let mut data = mutate(&seeds[seed % seeds.len()][..4096.min(seeds[seed % seeds.len()].len())], &flips, cut);
        data.extend_from_slice(&junk);
        cscaudit::fuzz::call_records(&data);
    }

    #[test]
    fn config_loaders_never_panic(seed in 0usize..32, flips in prop::collection::vec((any::<usize>(), 1u8..=255), 0..6), cut in any::<usize>()) {
        let mut seeds = fixtures("config");
        seeds.extend(fixtures("catalogs"));
        let data = mutate(&seeds[seed % seeds.len()], &flips, cut);
        cscaudit::fuzz::config(&data);
    }

    #[test]
    fn op_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        cscaudit::fuzz::op_decode(&bytes);
    }

    #[test]
    fn op_json_never_panics(actor in "[a-z.]{0,12}", seq in any::<u64>(), kind in 0u8..8, id in "\\PC{0,16}", field in "\\PC{0,12}", text in "\\PC{0,40}") {
        let line = format!(
            r#"{{"id":{{"actor":{a:?},"seq":{seq}}},"hlc":{{"wall_ms":1,"counter":0}},"entity":{{"kind":{kind},"id":{id:?}}},"change":{{"Set":{{"field":{field:?},"value":{{"Text":{text:?}}}}}}},"base":null}}"#,
            a = actor
        );
        cscaudit::fuzz::op_decode(line.as_bytes());
    }
}
