//! The README's run command on the shipped example, offline.

use std::path::Path;

use crate::support::*;

/// Validates the README's example run: the advisory set imports offline and the scan of the
/// example root filesystem finds exactly the expected issues and exits 1.
#[test]
fn readme_example_runs_offline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("example.db");
    let db = db.to_str().unwrap();
    let adv = root.join("advisories");
    let mut files: Vec<String> = std::fs::read_dir(&adv)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".json"))
        .collect();
    files.sort();
    let mut args = vec!["--offline", "--db", db, "db", "import", "--replace"];
    args.extend(files.iter().map(String::as_str));
    let out = shipshape(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let target = format!("dir:{}", root.join("rootfs").display());
    let out = shipshape(&["--offline", "--db", db, "scan", &target, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["id"].as_str().unwrap(),
                v["name"].as_str().unwrap(),
                v["severity"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "CVE-2020-28493 Jinja2 medium",
            "CVE-2023-3817 openssl low",
            "CVE-2023-3817 openssl/libssl3 low",
            "CVE-2023-38545 curl high",
            "CVE-2023-45853 zlib/zlib1g low",
            "CVE-2023-4911 glibc/libc6 high",
            "CVE-2023-5678 openssl unknown",
            "CVE-2023-5678 openssl/libssl3 unknown",
        ]
    );
}
