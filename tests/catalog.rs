//! Every catalogue file loads; every bad fixture fails with its expected message.

use cscaudit::config::load_catalog_file;
use std::path::Path;

#[test]
fn every_file_in_catalogs_loads() {
    let mut n = 0;
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogs")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let c = load_catalog_file(&p).unwrap_or_else(|e| panic!("{e}"));
            assert!(!c.indicators.is_empty());
            n += 1;
        }
    }
    assert!(n >= 1);
    assert_eq!(cscaudit::config::embedded_catalog().indicators.len(), 27);
}

#[test]
fn minimal_organisation_catalogue_loads() {
    let c = load_catalog_file(&fixture("minimal.toml")).unwrap();
    assert_eq!(c.id, "org-internal");
    assert!(!c.provisional);
    assert_eq!(c.indicator("SL20").unwrap().target, Some(85.0));
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalogs")
        .join(name)
}

#[test]
fn bad_catalogues_name_line_column_and_field() {
    // (file, line, column, substring of the message)
    let cases = [
        ("bad-unknown-field.toml", 12, 1, "unknown field `colour`"),
        (
            "bad-duplicate-id.toml",
            26,
            6,
            "field `id`: duplicate indicator id `A1`",
        ),
        ("bad-unknown-group.toml", 15, 9, "field `group`: unknown group `nope`"),
        ("bad-metric.toml", 21, 10, "field `metric`: unknown metric `happiness`"),
        ("bad-weight.toml", 20, 10, "field `weight`: must be a number ≥ 0"),
        (
            "bad-unit.toml",
            18,
            8,
            "field `indicator.unit`: unknown variant `furlongs`",
        ),
        ("bad-missing-field.toml", 13, 1, "missing field `direction`"),
        ("bad-syntax.toml", 17, 13, "field `indicator.name_en`"),
        ("bad-parent.toml", 12, 10, "field `parent`: unknown group `ghost`"),
    ];
    for (file, line, column, needle) in cases {
        let e = load_catalog_file(&fixture(file)).expect_err(file);
        assert_eq!((e.line, e.column), (line, column), "{file}: {e}");
        assert!(e.message.contains(needle), "{file}: {e}");
        assert!(e.to_string().starts_with(&fixture(file).display().to_string()), "{e}");
    }
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = load_catalog_file(Path::new("/nonexistent/catalog.toml")).unwrap_err();
    assert!(e.message.contains("cannot read file"), "{e}");
}
