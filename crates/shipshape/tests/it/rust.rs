//! Rust binaries in a real image: the rust test image (tests/images/rust) holds a program
//! built by the build script with `cargo auditable` from crates.io crates (smallvec 1.6.0 has
//! a RustSec advisory) and the same program built with plain cargo, both at an unowned path.
//! The expected crates (rust.crates.tsv) come from the crate's Cargo.lock through
//! `cargo metadata`; the expected findings from this file's own reading of the real RustSec
//! advisory files in `$SHIPSHAPE_VULNDATA` (never copied into the project).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

/// The rust image as an OCI layout target.
fn rust_target(images: &Images) -> String {
    images.oci_target("RUST")
}

fn dockerfile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/rust/Dockerfile")
}

/// The 1-based line numbers of the Dockerfile's `COPY` instructions.
fn copy_lines() -> Vec<usize> {
    std::fs::read_to_string(dockerfile())
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("COPY "))
        .map(|(i, _)| i + 1)
        .collect()
}

/// (name, version, source) rows of rust.crates.tsv.
fn expected_crates(images: &Images) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = images
        .tsv("RUST_CRATES_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    rows.sort();
    rows
}

/// A database imported from the real RustSec advisory database, or `None` (skipped) when
/// `$SHIPSHAPE_VULNDATA` is not set. Returns the temporary directory, the database path and
/// the archive.
fn rustsec_db() -> Option<(tempfile::TempDir, String, PathBuf)> {
    let Some(feeds) = std::env::var_os("SHIPSHAPE_VULNDATA").map(PathBuf::from) else {
        missing("SHIPSHAPE_VULNDATA (a folder holding rustsec-advisory-db.tar.gz)");
        return None;
    };
    let archive = feeds.join("rustsec-advisory-db.tar.gz");
    assert!(archive.is_file(), "{} is missing", archive.display());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rustsec.db").display().to_string();
    import_offline(&db, archive.to_str().unwrap());
    Some((dir, db, archive))
}

/// This test's own reading of RustSec advisory files: for each crates.io crate of `crates`,
/// the ids of the advisories under `crates/<name>/` whose TOML front matter leaves its
/// version affected (not matched by any `patched` or `unaffected` requirement, compared with
/// the `semver` crate as Cargo does), not withdrawn, not informational other than `unsound`,
/// and not limited to operating systems other than Linux. Rows: (crate, version, id).
fn rustsec_expected(
    archive: &Path,
    crates: &[(String, String, String)],
) -> BTreeSet<(String, String, String)> {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut found = BTreeSet::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // <top>/crates/<crate>/RUSTSEC-*.md
        let [.., dir, name, file] = &parts[..] else {
            continue;
        };
        if dir != "crates" || !file.starts_with("RUSTSEC-") || !file.ends_with(".md") {
            continue;
        }
        let Some((_, version, _)) = crates
            .iter()
            .find(|(n, _, source)| n == name && source == "crates.io")
        else {
            continue;
        };
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let front = text
            .split_once("```toml")
            .and_then(|(_, rest)| rest.split_once("```"))
            .map(|(front, _)| front)
            .expect("TOML front matter");
        let doc: toml::Table = toml::from_str(front).unwrap();
        let advisory = doc["advisory"].as_table().unwrap();
        if advisory.contains_key("withdrawn") {
            continue;
        }
        if let Some(kind) = advisory.get("informational").and_then(|v| v.as_str()) {
            if kind != "unsound" {
                continue;
            }
        }
        let os: Vec<&str> = doc
            .get("affected")
            .and_then(|a| a.get("os"))
            .and_then(|o| o.as_array())
            .map(|o| o.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if !os.is_empty() && !os.contains(&"linux") {
            continue;
        }
        let installed = semver::Version::parse(version).unwrap();
        let versions = doc.get("versions").and_then(|v| v.as_table());
        let reqs = ["patched", "unaffected"]
            .iter()
            .filter_map(|k| versions.and_then(|v| v.get(*k)).and_then(|r| r.as_array()))
            .flatten()
            .map(|r| semver::VersionReq::parse(r.as_str().unwrap()).unwrap());
        let safe = reqs.into_iter().any(|r| r.matches(&installed));
        if !safe {
            let id = advisory["id"].as_str().unwrap().to_string();
            found.insert((name.clone(), version.clone(), id));
        }
    }
    found
}

/// Validates that the SBOM of the rust image lists exactly the crates of the binary's
/// Cargo.lock that are in it (rust.crates.tsv: normal dependencies for this platform, so
/// not winapi or hermit-abi), as `pkg:cargo` purls read from the cargo-auditable binary,
/// credited to the layer of its `COPY` with that step as `created_by`; the binary's own
/// crate keeps its `local` origin; the binary built without cargo-auditable is a `I012`
/// diagnostic and no package.
#[test]
fn cargo_crates_of_the_rust_image() {
    let Some(images) = Images::load() else { return };
    let target = rust_target(&images);
    let out = shipshape(&["sbom", &target, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sbom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bin = images.var("RUST_AUDITABLE_BIN");
    let plain = images.var("RUST_PLAIN_BIN");

    let expected = expected_crates(&images);
    assert!(
        expected.contains(&("smallvec".into(), "1.6.0".into(), "crates.io".into())),
        "{expected:?}"
    );
    assert!(
        !expected.iter().any(|(n, _, _)| n == "winapi"),
        "{expected:?}"
    );
    let cargo: Vec<&Value> = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "cargo")
        .collect();
    let mut got: Vec<(String, String, String)> = cargo
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let origin = p["origin"].as_str().unwrap_or("crates.io").to_string();
            (s("name"), s("version"), origin)
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    for p in &cargo {
        let (name, version) = (p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
        assert_eq!(p["purl"], format!("pkg:cargo/{name}@{version}"), "{p}");
        assert_eq!(p["db_path"], bin, "{p}");
        assert_eq!(p["introduced"]["layer_index"], 1, "{p}");
        let created_by = p["introduced"]["created_by"].as_str().unwrap_or_default();
        assert!(
            created_by.contains("COPY") && created_by.contains("/opt/rust-app/bin/rust-app"),
            "{p}"
        );
    }
    // The binary's own crate depends on the crates its Cargo.toml names.
    let root = cargo
        .iter()
        .find(|p| p["origin"] == "local")
        .expect("the binary's own crate");
    assert_eq!(root["name"], "shipshape-rust-fixture");
    let depends: Vec<&str> = root["depends"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.as_str())
        .collect();
    assert!(depends.contains(&"smallvec@1.6.0"), "{depends:?}");

    let diags: Vec<(&str, &str)> = sbom["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default();
    let rust_diags: Vec<&(&str, &str)> = diags
        .iter()
        .filter(|(_, m)| m.contains("/opt/rust-app/"))
        .collect();
    assert_eq!(rust_diags.len(), 1, "{diags:?}");
    assert_eq!(rust_diags[0].0, "I012");
    assert!(
        rust_diags[0].1.contains(&format!("/{plain}"))
            && rust_diags[0].1.contains("without cargo-auditable"),
        "{rust_diags:?}"
    );
    let err = stderr(&out);
    assert!(err.contains("warning[I012]"), "{err}");
}

/// Validates matching on the real image against the real RustSec database: the crates.io
/// findings are exactly the advisories this test's own reading of the same files gives
/// (smallvec 1.6.0's RUSTSEC-2021-0003 among them, as CVE-2021-25900 with its RustSec and
/// GHSA ids), each with the Dockerfile line of the `COPY` that brought the binary and the
/// path binary's crate > crate; atty's unmaintained advisory is `S009`, not a finding; the
/// binary's own crate is not looked up.
#[test]
fn rustsec_findings_of_the_rust_image() {
    let Some(images) = Images::load() else { return };
    let Some((_dir, db, archive)) = rustsec_db() else {
        return;
    };
    let crates = expected_crates(&images);
    let expected = rustsec_expected(&archive, &crates);
    assert!(
        expected.contains(&(
            "smallvec".into(),
            "1.6.0".into(),
            "RUSTSEC-2021-0003".into()
        )),
        "{expected:?}"
    );

    let target = rust_target(&images);
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &target,
        "--json",
        "--recommend-limit",
        "0",
        "-f",
        dockerfile().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<&Value> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["packageManager"] == "cargo")
        .collect();
    let got: BTreeSet<(String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["packageName"].as_str().unwrap().to_string(),
                f["version"].as_str().unwrap().to_string(),
                rustsec_id(f),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(findings.len(), expected.len(), "one finding per advisory");

    let copy = copy_lines();
    for f in &findings {
        assert_eq!(f["dockerfileLine"], copy[0], "{f}");
        let from: Vec<&str> = f["from"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.as_str())
            .collect();
        let pkg = format!(
            "{}@{}",
            f["packageName"].as_str().unwrap(),
            f["version"].as_str().unwrap()
        );
        assert_eq!(from.len(), 3, "{from:?}");
        assert_eq!(from[1], "shipshape-rust-fixture@0.1.0");
        assert_eq!(from[2], pkg);
    }
    let smallvec = findings
        .iter()
        .find(|f| rustsec_id(f) == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(smallvec["id"], "CVE-2021-25900", "{smallvec}");
    assert_eq!(smallvec["nearestFixedInVersion"], "1.6.1");
    assert!(smallvec["identifiers"]["ALIAS"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "GHSA-43w2-9j62-hq99"));

    let diags = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let s009: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "S009")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        s009.len() == 1 && s009[0].contains("atty 0.2.14: RUSTSEC-2024-0375 (unmaintained)"),
        "{diags:?}"
    );
    assert!(
        diags.iter().any(|d| d["code"] == "S002"
            && d["message"]
                .as_str()
                .is_some_and(|m| m
                    .starts_with("1 packages not checked: not from their ecosystem's registry"))),
        "{diags:?}"
    );
}

/// The RustSec id of a finding: its id or one of its aliases.
fn rustsec_id(f: &Value) -> String {
    std::iter::once(&f["id"])
        .chain(f["identifiers"]["ALIAS"].as_array().into_iter().flatten())
        .filter_map(|v| v.as_str())
        .find(|id| id.starts_with("RUSTSEC-"))
        .unwrap_or("-")
        .to_string()
}

/// Validates the cargo packages in CycloneDX (purls, the origin property) and SPDX (purl
/// references); that `scan sbom:` of the CycloneDX document finds the same advisories as
/// the image scan (the binary's own crate still not looked up); and that `diff` from the
/// base image lists the crates as added with the smallvec finding as new.
#[test]
fn rust_sboms_recheck_and_diff() {
    let Some(images) = Images::load() else { return };
    let Some((dir, db, _)) = rustsec_db() else {
        return;
    };
    let target = rust_target(&images);
    let crates = expected_crates(&images);

    let out = shipshape(&["sbom", &target, "--format", "cyclonedx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let purls: BTreeSet<String> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|p| p.starts_with("pkg:cargo/"))
        .map(str::to_string)
        .collect();
    let want: BTreeSet<String> = crates
        .iter()
        .map(|(n, v, _)| format!("pkg:cargo/{n}@{v}"))
        .collect();
    assert_eq!(purls, want);
    let root = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "shipshape-rust-fixture")
        .unwrap();
    assert!(root["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "shipshape:package:origin" && p["value"] == "local"));
    let bom_path = dir.path().join("rust.cdx.json");
    std::fs::write(&bom_path, &out.stdout).unwrap();

    let out = shipshape(&["sbom", &target, "--format", "spdx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let spdx_purls: BTreeSet<String> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["referenceType"] == "purl")
        .filter_map(|r| r["referenceLocator"].as_str().map(str::to_string))
        .filter(|p| p.starts_with("pkg:cargo/"))
        .collect();
    assert_eq!(spdx_purls, want);

    let scan_ids = |t: &str| -> BTreeSet<(String, String)> {
        let out = shipshape(&[
            "--db",
            &db,
            "--offline",
            "scan",
            t,
            "--json",
            "--recommend-limit",
            "0",
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["packageManager"] == "cargo")
            .map(|v| {
                (
                    v["packageName"].as_str().unwrap().to_string(),
                    v["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let from_image = scan_ids(&target);
    let from_sbom = scan_ids(&format!("sbom:{}", bom_path.display()));
    assert!(!from_image.is_empty());
    assert_eq!(from_sbom, from_image);

    let base = images.oci_target("BASE");
    let out = shipshape(&["--db", &db, "--offline", "diff", &base, &target, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let added: BTreeSet<(String, String)> = d["packages"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "cargo")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = crates
        .iter()
        .map(|(n, v, _)| (n.clone(), v.clone()))
        .collect();
    assert_eq!(added, want);
    assert!(
        d["vulnerabilities"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "CVE-2021-25900" && f["binaryName"] == "smallvec"),
        "{}",
        d["vulnerabilities"]
    );
}
