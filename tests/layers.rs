//! The layers as crates, kept so: `cargo metadata` shows the three crates
//! and their edges; the binary (cli, tui) lists neither the store's crate
//! nor sled and never names the store in its code; the core crate names no
//! cryptography and no UI; the app crate no UI. (deny.toml's bans refuse the
//! same edges in `cargo deny check`.)

use std::collections::BTreeMap;
use std::path::Path;

/// Each workspace package's name and the names of all it depends on
/// (normal, dev and build dependencies alike).
fn packages() -> BTreeMap<String, Vec<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn the_crates_depend_on_each_other_only_downwards() {
    let p = packages();
    let names: Vec<&str> = p.keys().map(String::as_str).collect();
    assert_eq!(names, ["cscaudit", "cscaudit-app", "cscaudit-core"]);
    let has = |pkg: &str, dep: &str| p[pkg].iter().any(|d| d == dep);
    // The binary reaches the store through the use cases only.
    assert!(has("cscaudit", "cscaudit-app"));
    for banned in ["cscaudit-core", "sled", "bincode"] {
        assert!(!has("cscaudit", banned), "the binary lists {banned}");
    }
    assert!(has("cscaudit-app", "cscaudit-core"));
    for ui in ["ratatui", "crossterm", "ratatui-textarea", "indicatif", "signal-hook"] {
        assert!(!has("cscaudit-app", ui), "the app crate lists {ui}");
        assert!(!has("cscaudit-core", ui), "the core crate lists {ui}");
    }
    for crypto in ["ssh-key", "age", "gix", "cscaudit-app"] {
        assert!(!has("cscaudit-core", crypto), "the core crate lists {crypto}");
    }
    assert!(has("cscaudit-core", "sled"));
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    out
}

#[test]
fn the_binary_never_names_the_store_and_the_core_never_names_crypto() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code = |text: &str| -> String {
        // Comments may mention sled (what it does); code may not.
        text.lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut looked = 0;
    for dir in ["src/cli", "src/tui"] {
        for (path, text) in sources(&root.join(dir)) {
            let text = code(&text);
            for word in ["store::", "sled::", "cscaudit_core"] {
                assert!(!text.contains(word), "{} names `{word}`", path.display());
            }
            looked += 1;
        }
    }
    assert!(looked > 20, "the binary's sources were read ({looked})");
    for (path, text) in sources(&root.join("crates/core/src")) {
        let text = code(&text);
        for word in ["crypto::", "ssh_key", "age::", "ratatui", "crossterm"] {
            assert!(!text.contains(word), "{} names `{word}`", path.display());
        }
    }
}
