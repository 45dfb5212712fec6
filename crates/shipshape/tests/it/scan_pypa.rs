//! The app image's pinned old Python packages scanned with a database imported from the
//! real PyPA advisory database (OSV YAML, as published). The feed snapshot is read from
//! `$SHIPSHAPE_VULNDATA` (a folder of published feeds, never copied into the project);
//! `.ci/run` points it at the workplace's copy.

use crate::support::*;

/// Validates that Jinja2 2.11.2, urllib3 1.26.4, requests 2.25.1 and idna 2.10 get exactly
/// their known PyPA advisories with the right fixed versions.
#[test]
fn pinned_python_packages_against_real_pypa_records() {
    let Some(images) = Images::load() else { return };
    let Some(feeds) = std::env::var_os("SHIPSHAPE_VULNDATA").map(std::path::PathBuf::from) else {
        missing("SHIPSHAPE_VULNDATA (a folder holding pypa-advisory-database.tar.gz)");
        return;
    };
    let archive = feeds.join("pypa-advisory-database.tar.gz");
    assert!(archive.is_file(), "{} is missing", archive.display());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pypa.db");
    let db = db.to_str().unwrap();
    import_offline(db, archive.to_str().unwrap());

    let target = format!(
        "docker-archive:{}",
        images.path("APP_DOCKER_ARCHIVE").display()
    );
    let out = shipshape(&["--offline", "--db", db, "scan", &target, "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            v["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:pypi/"))
        })
        .map(|v| {
            let pysec = v["identifiers"]["ALIAS"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a.as_str())
                .find(|a| a.starts_with("PYSEC-"))
                .unwrap_or("-")
                .to_string();
            format!(
                "{} {} {} {} {}",
                v["name"].as_str().unwrap(),
                v["version"].as_str().unwrap(),
                v["id"].as_str().unwrap(),
                pysec,
                v["nearestFixedInVersion"].as_str().unwrap_or("-")
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "Jinja2 2.11.2 CVE-2020-28493 PYSEC-2021-66 2.11.3",
            "idna 2.10 CVE-2024-3651 PYSEC-2024-60 3.7",
            "requests 2.25.1 CVE-2023-32681 PYSEC-2023-74 2.31.0",
            "urllib3 1.26.4 CVE-2021-33503 PYSEC-2021-108 1.26.5",
            "urllib3 1.26.4 CVE-2023-43804 PYSEC-2023-192 1.26.17",
            "urllib3 1.26.4 CVE-2023-45803 PYSEC-2023-212 1.26.18",
        ]
    );
    let jinja = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Jinja2")
        .unwrap();
    assert!(jinja["dockerfileInstruction"]
        .as_str()
        .unwrap()
        .contains("pip install"));
}
