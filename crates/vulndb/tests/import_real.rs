//! `vulndb::update::import` on the real advisory archives in `$SHIPSHAPE_VULNDATA` (see
//! `shared/vulndata/README.md`): the `.tar.gz` files are walked entry by entry and the known
//! answers hold. Skipped when the variable is not set.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;

use vulndb::update::{self, ImportOptions, UpdateConfig, UpdateOptions};

#[test]
fn real_archives_import_and_answer() {
    let Some(dir) = std::env::var_os("SHIPSHAPE_VULNDATA").map(PathBuf::from) else {
        eprintln!("SKIPPED: SHIPSHAPE_VULNDATA is not set");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("real.db");
    let inputs: Vec<String> = [
        "golang-vulndb-osv.tar.gz",
        "pypa-advisory-database.tar.gz",
        "rustsec-advisory-db.tar.gz",
        "alpine-secdb-yaml-v3.3-v3.11.tar.gz",
    ]
    .iter()
    .map(|f| dir.join(f).to_string_lossy().into_owned())
    .collect();
    let summary = update::import(
        &db,
        &inputs,
        &ImportOptions::default(),
        &UpdateConfig::default(),
        &UpdateOptions {
            offline: true,
            ..UpdateOptions::default()
        },
    )
    .unwrap();
    let records: Vec<usize> = summary.sources.iter().map(|s| s.report.records).collect();
    assert_eq!(records[0], 4291, "Go vulndb OSV records");
    assert_eq!(records[1], 2661, "PyPA advisories");
    assert!(records[2] > 1000, "RustSec crate advisories");
    assert!(records[3] > 1000, "Alpine secfixes");

    let store = vulndb::Store::open(&db).unwrap();
    let hits: Vec<String> = store
        .advisories_for("PyPI", "Jinja2")
        .unwrap()
        .iter()
        .filter(|a| {
            vulndb::matches(a, "PyPI", "jinja2", "2.11.2")
                .unwrap()
                .is_some()
        })
        .map(|a| a.id.to_string())
        .collect();
    assert!(hits.contains(&"PYSEC-2021-66".to_string()), "{hits:?}");
    let go: Vec<String> = store
        .advisories_for("Go", "stdlib")
        .unwrap()
        .iter()
        .filter(|a| {
            vulndb::matches(a, "Go", "stdlib", "1.20.1")
                .unwrap_or(None)
                .is_some()
        })
        .map(|a| a.id.to_string())
        .filter(|id| id.starts_with("GO-2023-"))
        .collect();
    assert!(go.len() >= 3, "{go:?}");
}
