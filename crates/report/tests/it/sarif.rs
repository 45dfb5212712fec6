//! SARIF 2.1.0 output.

use report::ReportFormat;
use serde_json::Value;

use crate::common::{assert_golden, assert_valid_by_ref};
use crate::scan_fixture::{clean, render, scanned, scanned_twice_installed};

const SCHEMA: &str = "sarif-schema-2.1.0.json";

/// Validates against the official SARIF schema, formats included, without checking the
/// schema itself against the JSON Schema meta-schema: that check rejects `run.language`'s
/// pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` (a lone `]`, which only ECMA-262's
/// Annex B allows), an erratum of the published file that no SARIF document can trip over.
fn assert_valid(doc: &Value) {
    assert_valid_by_ref(SCHEMA, doc);
}

fn sarif(report: &scan::Report, inv: &inventory::Inventory) -> (String, Value) {
    let text = render(report, inv, ReportFormat::Sarif, false);
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

/// Validates the log against the official SARIF 2.1.0 schema, with and without findings.
#[test]
fn validates_against_schema() {
    let (inv, report) = scanned();
    assert_valid(&sarif(&report, &inv).1);
    let (inv, report) = clean();
    let (_, v) = sarif(&report, &inv);
    assert_valid(&v);
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
}

/// Validates that the schema check rejects a level SARIF does not know, so a passing
/// validation means something.
#[test]
#[should_panic(expected = "sarif-schema-2.1.0")]
fn schema_rejects_unknown_level() {
    let (inv, report) = scanned();
    let (_, mut v) = sarif(&report, &inv);
    v["runs"][0]["results"][0]["level"] = "high".into();
    assert_valid(&v);
}

/// Validates the URIs the log writes: `$schema` and `informationUri` absolute, artifact
/// locations relative paths inside the image (or the image name).
#[test]
fn uris_are_references() {
    let (inv, report) = scanned();
    let (_, v) = sarif(&report, &inv);
    assert!(v["$schema"].as_str().unwrap().starts_with("https://"));
    for r in v["runs"][0]["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains(' '),
            "{uri}"
        );
    }
}

/// Validates the golden file.
#[test]
fn golden() {
    let (inv, report) = scanned();
    assert_golden("scan.sarif", &sarif(&report, &inv).0);
}

/// Validates the driver, one rule per vulnerability id and one result per finding, levels,
/// messages, locations and fingerprints.
#[test]
fn rules_and_results() {
    let (inv, report) = scanned();
    let (_, v) = sarif(&report, &inv);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "shipshape");
    assert_eq!(driver["version"], "0.1.0");
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.vulnerabilities.len());
    assert_eq!(rules.len(), report.unique_count);
    for (r, f) in results.iter().zip(&report.vulnerabilities) {
        assert_eq!(r["ruleId"], f.id.as_str());
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], f.id.as_str());
        let want = match f.severity {
            scan::Severity::Critical | scan::Severity::High => "error",
            scan::Severity::Medium => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], want, "{}", f.id);
        let fqn = &r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"];
        assert_eq!(fqn, f.purl.as_str());
        assert!(r["partialFingerprints"]["vulnerabilityPackage/v1"]
            .as_str()
            .unwrap()
            .starts_with(&f.id));
    }

    let curl = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2024-0011")
        .unwrap();
    assert_eq!(
        curl["message"]["text"],
        "curl/libcurl3-gnutls@7.88.1-10+deb12u5 is affected by CVE-2024-0011 (high severity); \
         fixed in 7.88.1-10+deb12u8."
    );
    assert_eq!(
        curl["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );
    let jinja = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2020-28493")
        .unwrap();
    assert_eq!(
        jinja["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/lib/python3/site-packages/Jinja2-2.11.2.dist-info/METADATA"
    );
    let minizip = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2023-45853")
        .unwrap();
    assert!(minizip["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("; the vendor will not fix it."));

    // The critical NVD-rated rule carries its CVSS score as a string for GitHub.
    let critical = rules.iter().find(|r| r["id"] == "CVE-2024-0006").unwrap();
    assert_eq!(critical["properties"]["security-severity"], "9.8");
    assert_eq!(critical["defaultConfiguration"]["level"], "error");
    assert_eq!(
        critical["helpUri"],
        "https://security-tracker.debian.org/tracker/CVE-2024-0006"
    );
    let tags = critical["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&"security".into()) && tags.contains(&"critical".into()));
    let redos = rules.iter().find(|r| r["id"] == "CVE-2020-28493").unwrap();
    assert!(redos["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&"CWE-400".into()));
}

/// Validates that a finding matched to a Dockerfile line (`--file`) is located first at
/// that line of the Dockerfile, then at its package database, and still validates.
#[test]
fn dockerfile_line_is_the_first_location() {
    let (inv, mut report) = scanned();
    report.target_file = Some("docker/Dockerfile".into());
    report.vulnerabilities[0].dockerfile_line = Some(7);
    let (_, v) = sarif(&report, &inv);
    assert_valid(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let first = &results[0]["locations"];
    assert_eq!(
        first[0]["physicalLocation"]["artifactLocation"]["uri"],
        "docker/Dockerfile"
    );
    assert_eq!(first[0]["physicalLocation"]["region"]["startLine"], 7);
    assert_eq!(first[1]["logicalLocations"][0]["kind"], "package");
    // Findings without a line keep the package database as their only location.
    assert!(results.len() > 1);
    for r in &results[1..] {
        assert_eq!(r["locations"].as_array().unwrap().len(), 1, "{r}");
    }
}

/// Validates that each result is located at its own package's database file, even when two
/// packages share a name, version and purl; a finding with no link to a package (a report
/// read back from JSON) is located at the image.
#[test]
fn locates_the_linked_package() {
    let (inv, report) = scanned_twice_installed();
    let uris = |report: &scan::Report| -> Vec<String> {
        let (_, v) = sarif(report, &inv);
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "CVE-2020-28493")
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                loc.as_str().unwrap().to_owned()
            })
            .collect()
    };
    let mut got = uris(&report);
    got.sort();
    assert_eq!(
        got,
        [
            "opt/venv/lib/python3.11/site-packages/Jinja2-2.11.2.dist-info/METADATA",
            "usr/lib/python3/site-packages/Jinja2-2.11.2.dist-info/METADATA",
        ]
    );

    let text = serde_json::to_string(&report).unwrap();
    let back: scan::Report = serde_json::from_str(&text).unwrap();
    assert_eq!(uris(&back), [inv.image.identity.name.as_str(); 2]);
}
