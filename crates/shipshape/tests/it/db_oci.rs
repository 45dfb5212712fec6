//! `shipshape db push` / `db pull` through a real OCI registry on loopback.

use std::path::Path;

use crate::support::*;

const RECORD: &str = r#"{"id": "PYSEC-2021-66", "aliases": ["CVE-2020-28493"],
  "summary": "ReDoS in jinja2 urlize",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#;

fn db_args<'a>(db: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--db", db.to_str().unwrap(), "db"];
    v.extend_from_slice(rest);
    v
}

fn status(db: &Path) -> serde_json::Value {
    let out = shipshape(&db_args(db, &["status", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Validates a push/pull round trip of a built database through the open registry: the
/// pulled database has the same sources and counts, and a failed pull keeps the old file.
#[test]
fn push_and_pull_round_trip() {
    let Some(reg) = registry("SHIPSHAPE_TEST_REGISTRY") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("PYSEC-2021-66.json");
    std::fs::write(&record, RECORD).unwrap();
    let src = dir.path().join("src.db");
    let out = shipshape(&db_args(&src, &["import", record.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));

    let reference = format!("{reg}/shipshape/db:test");
    let out = shipshape(&db_args(&src, &["push", &reference, "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let pushed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(pushed["manifestDigest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));

    let dst = dir.path().join("dst.db");
    let out = shipshape(&db_args(&dst, &["pull", &reference, "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let pulled: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pulled["manifestDigest"], pushed["manifestDigest"]);
    assert_eq!(
        std::fs::read(&src).unwrap(),
        std::fs::read(&dst).unwrap(),
        "byte-identical database"
    );
    let (a, b) = (status(&src), status(&dst));
    assert_eq!(a["counts"], b["counts"]);
    assert_eq!(a["sources"], b["sources"]);

    // Pulling a container image (.ci/run pushes test/app:1) fails and leaves the database alone.
    let out = shipshape(&db_args(&dst, &["pull", &format!("{reg}/test/app:1")]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("artifact"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&src).unwrap(), std::fs::read(&dst).unwrap());
    let out = shipshape(&db_args(
        &dst,
        &["pull", &format!("{reg}/shipshape/db:missing")],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    let out = shipshape(&[
        "--offline",
        "--db",
        dst.to_str().unwrap(),
        "db",
        "pull",
        &reference,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--offline"), "{}", stderr(&out));
}
