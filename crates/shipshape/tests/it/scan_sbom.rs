//! `shipshape scan sbom:FILE` and `shipshape sbom sbom:FILE`: stored SBOMs of the base image
//! (by shipshape, syft and trivy; `scripts/fixtures/sbom.sh`) re-checked without the image.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

/// Every SBOM fixture of the base image.
const FIXTURES: &[&str] = &[
    "shipshape.cdx.json",
    "shipshape.spdx.json",
    "syft.cdx.json",
    "syft.spdx.json",
    "trivy.cdx.json",
];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../inventory/tests/fixtures/sbom")
}

fn target(name: &str) -> String {
    format!("sbom:{}", fixtures().join(name).display())
}

/// A database made from the committed Debian tracker fixture (one zlib advisory fixed at
/// `1:1.2.13.dfsg-1+test1`; the image has `1:1.2.13.dfsg-1`).
fn database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db").display().to_string();
    let tracker = fixtures().join("debian-tracker.json");
    import_feed(&db, "debian-json", tracker.to_str().unwrap());
    (dir, db)
}

/// (id, package, installed version, nearest fixed version) of every finding of a scan.
fn findings(db: &str, target: &str) -> Vec<(String, String, String, String)> {
    let out = shipshape(&["--db", db, "--offline", "scan", target, "--json"]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{target}: {}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<_> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
            (
                s("id"),
                v["binaryName"]
                    .as_str()
                    .or(v["packageName"].as_str())
                    .unwrap_or("-")
                    .to_string(),
                s("version"),
                s("nearestFixedInVersion"),
            )
        })
        .collect();
    got.sort();
    got
}

/// Validates that each stored SBOM gives exactly the zlib finding, and, with the test
/// images, that scanning the image itself gives the same.
#[test]
fn scan_finds_what_the_image_scan_finds() {
    let (_dir, db) = database();
    let want = vec![(
        "CVE-2099-0101".to_string(),
        "zlib1g".to_string(),
        "1:1.2.13.dfsg-1".to_string(),
        "1:1.2.13.dfsg-1+test1".to_string(),
    )];
    for f in FIXTURES {
        assert_eq!(findings(&db, &target(f)), want, "{f}");
    }
    if let Some(images) = Images::load() {
        let image = format!(
            "docker-archive:{}",
            images.path("BASE_DOCKER_ARCHIVE").display()
        );
        assert_eq!(findings(&db, &image), want, "{image}");
    }
}

/// Validates that `sbom sbom:FILE --format json` keeps the 88 packages, their sources and
/// the OS.
#[test]
fn sbom_round_trips() {
    for f in FIXTURES {
        let out = shipshape(&["sbom", &target(f), "--format", "json"]);
        assert!(out.status.success(), "{f}: {}", stderr(&out));
        let inv: Value = serde_json::from_slice(&out.stdout).unwrap();
        let packages = inv["packages"].as_array().unwrap();
        assert_eq!(packages.len(), 88, "{f}");
        assert!(packages.iter().all(|p| p["type"] == "deb"), "{f}");
        let zlib = packages.iter().find(|p| p["name"] == "zlib1g").unwrap();
        assert_eq!(zlib["source_name"], "zlib", "{f}");
        assert_eq!(inv["os"]["id"], "debian", "{f}");
        assert_eq!(inv["os"]["version_id"], "12", "{f}");
    }
    // Our own CycloneDX, read back and written again, names the same packages.
    let out = shipshape(&[
        "sbom",
        &target("shipshape.cdx.json"),
        "--format",
        "cyclonedx",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    let original: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("shipshape.cdx.json")).unwrap())
            .unwrap();
    let purls = |bom: &Value| {
        let mut v: Vec<String> = bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["purl"].as_str().map(String::from))
            .collect();
        v.sort();
        v
    };
    assert_eq!(purls(&again), purls(&original));
}

/// Validates that a JSON file that is no SBOM, a file that is not JSON and a missing file
/// exit 2 with an error naming the file.
#[test]
fn bad_sboms_exit_2_naming_the_file() {
    let (_db_dir, db) = database();
    let dir = tempfile::tempdir().unwrap();
    let not_sbom = dir.path().join("not-an-sbom.json");
    std::fs::write(&not_sbom, r#"{"hello": "world"}"#).unwrap();
    let not_json = dir.path().join("garbage.json");
    std::fs::write(&not_json, "<html>").unwrap();
    let missing = dir.path().join("missing.json");
    for (path, why) in [
        (&not_sbom, "neither a CycloneDX"),
        (&not_json, "not JSON"),
        (&missing, "missing.json"),
    ] {
        let t = format!("sbom:{}", path.display());
        for args in [
            vec!["--db", &db, "--offline", "scan", &t],
            vec!["sbom", &t, "--format", "json"],
        ] {
            let out = shipshape(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.contains(why), "{err}");
        }
    }
}
