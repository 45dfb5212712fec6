//! Unmanaged runtimes in a real image: the runtimes test image (tests/images/runtimes) holds
//! node, python, php, ruby, nginx, redis, busybox, Go's VERSION, a JDK's release file,
//! postgres and httpd copied out of real Debian packages into paths no package owns, and
//! apt's own nginx at /usr/sbin/nginx (a deb, not a runtime). The build script recorded the
//! version of each deb (runtimes.runtimes.tsv).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

fn target(images: &Images) -> String {
    images.oci_target("RUNTIMES")
}

fn dockerfile() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/runtimes/Dockerfile")
}

fn nvd_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vulndb/tests/fixtures/nvd/runtimes.json")
}

/// The main CPE vendor:product of each runtime, as docs/architecture.md's table says.
fn main_cpe(name: &str) -> &'static str {
    match name {
        "node" => "nodejs:node.js",
        "python" => "python:python",
        "java" => "oracle:openjdk",
        "go" => "golang:go",
        "php" => "php:php",
        "ruby" => "ruby-lang:ruby",
        "nginx" => "f5:nginx",
        "httpd" => "apache:http_server",
        "redis" => "redis:redis",
        "postgresql" => "postgresql:postgresql",
        "busybox" => "busybox:busybox",
        other => panic!("no runtime {other}"),
    }
}

/// The 1-based lines of the Dockerfile's instructions starting with `prefix` in its last stage.
fn lines_of(prefix: &str) -> Vec<usize> {
    let text = std::fs::read_to_string(dockerfile()).unwrap();
    let last_from = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("FROM "))
        .map(|(i, _)| i)
        .last()
        .unwrap();
    text.lines()
        .enumerate()
        .filter(|(i, l)| *i > last_from && l.starts_with(prefix))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Validates that the SBOM lists exactly the runtimes the build script recorded (name,
/// path, the upstream version of the deb each was copied from), each `pkg:generic` with its
/// CPE at that version, credited to the COPY layer that put it there; that apt's nginx is
/// the deb `nginx` and not a runtime; and that CycloneDX and SPDX carry the CPEs.
#[test]
fn runtime_packages_of_the_runtimes_image() {
    let Some(images) = Images::load() else { return };
    let target = target(&images);
    let sbom = sbom_json(&target, &[]);
    let mut expected: Vec<[String; 3]> = images
        .tsv("RUNTIMES_TSV")
        .into_iter()
        .map(|r| [r[0].clone(), r[1].clone(), r[2].clone()])
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 11, "{expected:?}");
    assert_eq!(
        package_fields(&sbom, "binary", ["name", "db_path", "version"]),
        expected
    );

    let packages = sbom["packages"].as_array().unwrap();
    for p in packages.iter().filter(|p| p["type"] == "binary") {
        let name = p["name"].as_str().unwrap();
        let version = p["version"].as_str().unwrap();
        assert_eq!(p["purl"], format!("pkg:generic/{name}@{version}"), "{p}");
        let cpe = format!("cpe:2.3:a:{}:{version}:*:*:*:*:*:*:*", main_cpe(name));
        assert_eq!(p["cpes"][0], cpe.as_str(), "{p}");
        // Layer 2 copied /usr/local, layer 3 /opt (0 base, 1 apt).
        let path = p["db_path"].as_str().unwrap();
        let layer = if path.starts_with("opt/") { 3 } else { 2 };
        assert_eq!(p["introduced"]["layer_index"], layer, "{p}");
        let created_by = p["introduced"]["created_by"].as_str().unwrap();
        assert!(created_by.contains("COPY"), "{created_by}");
    }
    // apt's nginx is the deb's.
    assert!(packages
        .iter()
        .any(|p| p["type"] == "deb" && p["name"] == "nginx"));
    assert!(!packages
        .iter()
        .any(|p| p["type"] == "binary" && p["db_path"] == "usr/sbin/nginx"));

    let out = shipshape(&["sbom", &target, "--format", "cyclonedx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let nginx = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:generic/nginx@"))
        })
        .expect("nginx in CycloneDX");
    let version = nginx["version"].as_str().unwrap();
    assert_eq!(
        nginx["cpe"],
        format!("cpe:2.3:a:f5:nginx:{version}:*:*:*:*:*:*:*")
    );
    assert!(nginx["properties"].as_array().unwrap().iter().any(|p| {
        p["name"] == "shipshape:package:cpe"
            && p["value"] == format!("cpe:2.3:a:nginx:nginx:{version}:*:*:*:*:*:*:*")
    }));

    let out = shipshape(&["sbom", &target, "--format", "spdx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let node = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "node")
        .expect("node in SPDX");
    let refs = node["externalRefs"].as_array().unwrap();
    assert!(refs.iter().any(|r| r["referenceCategory"] == "SECURITY"
        && r["referenceType"] == "cpe23Type"
        && r["referenceLocator"]
            .as_str()
            .is_some_and(|l| l.starts_with("cpe:2.3:a:nodejs:node.js:"))));
}

/// Versions as number tuples: every version in the fixture and the image is dotted numbers.
fn numbers(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap()).collect()
}

/// The CVEs the NVD fixture gives each runtime of the image, read independently of
/// shipshape: each vulnerable `cpeMatch` of the runtime's main CPE, in a configuration that
/// is not restricted to Windows, whose bounds include the version (numbers compared as
/// tuples; the fixture's exact-version entries compared as strings).
fn expected_findings(rows: &[Vec<String>]) -> BTreeSet<(String, String, Option<String>)> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(nvd_fixture()).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for row in rows {
        let (name, version) = (row[0].as_str(), row[2].as_str());
        let prefix = format!("cpe:2.3:a:{}:", main_cpe(name));
        let v = numbers(version);
        for item in doc["vulnerabilities"].as_array().unwrap() {
            let cve = item["cve"]["id"].as_str().unwrap();
            for conf in item["cve"]["configurations"].as_array().unwrap() {
                let windows = conf["nodes"].as_array().unwrap().iter().any(|n| {
                    n["cpeMatch"].as_array().unwrap().iter().any(|m| {
                        m["criteria"]
                            .as_str()
                            .unwrap()
                            .starts_with("cpe:2.3:o:microsoft:windows")
                    })
                });
                if windows {
                    continue;
                }
                for node in conf["nodes"].as_array().unwrap() {
                    for m in node["cpeMatch"].as_array().unwrap() {
                        let criteria = m["criteria"].as_str().unwrap();
                        if m["vulnerable"] != true || !criteria.starts_with(&prefix) {
                            continue;
                        }
                        let exact = criteria[prefix.len()..].split(':').next().unwrap();
                        let bound = |k: &str| m[k].as_str().map(numbers);
                        let inside = if exact != "*" {
                            exact == version
                        } else {
                            bound("versionStartIncluding").is_none_or(|s| v >= s)
                                && bound("versionEndExcluding").is_none_or(|e| v < e)
                        };
                        if inside {
                            let fixed = m["versionEndExcluding"].as_str().map(String::from);
                            out.insert((name.to_owned(), cve.to_owned(), fixed));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Validates `scan` against a database built from the NVD fixture (real CVE records, NVD
/// CVE API 2.0 format): the runtimes' findings are exactly the CVEs an independent reading
/// of the fixture gives for the recorded versions, each with its fixed version, NVD's
/// severity and the range; with `--file`, the Dockerfile line of the COPY that brought
/// the runtime; apt's nginx gets no NVD finding.
#[test]
fn runtime_findings_from_nvd_cpe_ranges() {
    let Some(images) = Images::load() else { return };
    let rows = images.tsv("RUNTIMES_TSV");
    let expected = expected_findings(&rows);
    assert!(expected.len() >= 3, "{expected:?}");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db").display().to_string();
    import_feed(&db, "nvd", nvd_fixture().to_str().unwrap());
    let dockerfile = dockerfile();
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &target(&images),
        "--json",
        "--recommend-limit",
        "0",
        "-f",
        dockerfile.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<&Value> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ecosystem"] == "NVD")
        .collect();
    let got: BTreeSet<(String, String, Option<String>)> = findings
        .iter()
        .map(|f| {
            (
                f["packageName"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
                f["nearestFixedInVersion"].as_str().map(String::from),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(findings.len(), expected.len(), "one finding per CVE");

    let copies = lines_of("COPY ");
    assert_eq!(copies.len(), 2);
    for f in &findings {
        assert_eq!(f["packageManager"], "generic", "{f}");
        assert_ne!(f["severity"], "unknown", "{f}");
        assert_eq!(f["severitySource"], "nvd", "{f}");
        assert!(f["vulnerableRanges"][0].as_str().is_some(), "{f}");
        let path_in_opt = rows
            .iter()
            .any(|r| r[0] == f["packageName"].as_str().unwrap() && r[1].starts_with("opt/"));
        let line = if path_in_opt { copies[1] } else { copies[0] };
        assert_eq!(f["dockerfileLine"], line, "{f}");
        assert!(f["dockerfileInstruction"]
            .as_str()
            .is_some_and(|i| i.starts_with("COPY --from=debs")));
    }
    // The deb nginx is matched against Debian's feed only (absent here), never NVD.
    assert!(!report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["packageManager"] != "generic"));
}
