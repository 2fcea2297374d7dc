//! The published JSON schemas stay equal to what the code generates, and
//! every shipped keymap, theme and catalogue validates against its schema
//! (while files the loaders refuse do not).

use cscaudit::cli::config::schemas;
use std::path::{Path, PathBuf};

fn root(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn schema(name: &str) -> jsonschema::Validator {
    let (_, s) = schemas().into_iter().find(|(n, _)| *n == name).unwrap();
    jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

fn as_json(path: &Path) -> serde_json::Value {
    let src = std::fs::read_to_string(path).unwrap();
    toml::from_str(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(v: &jsonschema::Validator, path: &Path) -> Vec<String> {
    v.iter_errors(&as_json(path)).map(|e| e.to_string()).collect()
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn committed_schemas_match_the_code() {
    for (name, s) in schemas() {
        let committed = std::fs::read_to_string(root("schemas").join(name))
            .unwrap_or_else(|e| panic!("schemas/{name}: {e} (run `cscaudit config schema --out schemas`)"));
        let generated = serde_json::to_string_pretty(&s).unwrap() + "\n";
        assert_eq!(
            committed, generated,
            "schemas/{name} is stale: run `cscaudit config schema --out schemas`"
        );
    }
}

#[test]
fn every_shipped_file_validates_against_its_schema() {
    for (dir, name, min) in [
        ("keymaps", "keymap.schema.json", 2),
        ("themes", "theme.schema.json", 3),
        ("catalogs", "catalog.schema.json", 1),
    ] {
        let v = schema(name);
        let all = files(dir);
        assert!(all.len() >= min, "{dir}");
        for p in all {
            let errors = check(&v, &p);
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        }
    }
    let fixtures = root("tests/fixtures");
    for (file, name) in [
        ("config/good-keymap.toml", "keymap.schema.json"),
        ("config/good-theme.toml", "theme.schema.json"),
        ("catalogs/minimal.toml", "catalog.schema.json"),
    ] {
        let errors = check(&schema(name), &fixtures.join(file));
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn files_the_loaders_refuse_fail_the_schema_too() {
    let fixtures = root("tests/fixtures");
    for (file, name) in [
        ("config/bad-keymap-unknown-command.toml", "keymap.schema.json"),
        ("config/bad-keymap-section.toml", "keymap.schema.json"),
        ("config/bad-theme-field.toml", "theme.schema.json"),
        ("config/bad-theme-modifier.toml", "theme.schema.json"),
        ("catalogs/bad-unit.toml", "catalog.schema.json"),
        ("catalogs/bad-unknown-field.toml", "catalog.schema.json"),
        ("catalogs/bad-missing-field.toml", "catalog.schema.json"),
    ] {
        assert!(
            !check(&schema(name), &fixtures.join(file)).is_empty(),
            "{file} passed its schema"
        );
    }
}

#[test]
fn config_files_validate_and_out_of_range_policies_do_not() {
    let v = schema("config.schema.json");
    let good: serde_json::Value = toml::from_str(
        "language = \"zh-CN\"\nkeymap = \"emacs\"\ntheme = \"light\"\nascii_borders = true\nmouse = false\n\n[policy]\nclosure_days = 60\nobservations_due = true\n",
    )
    .unwrap();
    let errors: Vec<String> = v.iter_errors(&good).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    for bad in [
        "[policy]\nclosure_days = 8000000\n",
        "language = \"fr\"\n",
        "colour = 1\n",
        "mouse = \"yes\"\n",
    ] {
        let value: serde_json::Value = toml::from_str(bad).unwrap();
        assert!(!v.is_valid(&value), "{bad:?} passed");
    }
}
