//! The Snyk-compatible JSON report.

use report::ReportFormat;
use serde_json::{json, Value};

use crate::common::assert_golden;
use crate::scan_fixture::{render, scanned};

/// Validates that the JSON is the report itself, pretty-printed, equal to the golden file;
/// only the links to the inventory's packages are not written, so they do not come back.
#[test]
fn serde_of_the_report() {
    let (inv, report) = scanned();
    let text = render(&report, &inv, ReportFormat::Json, false);
    assert_golden("scan.json", &text);
    let back: scan::Report = serde_json::from_str(&text).unwrap();
    assert!(report.vulnerabilities.iter().all(|f| f.package.is_some()));
    assert!(back.vulnerabilities.iter().all(|f| f.package.is_none()));
    let mut unlinked = report.clone();
    for f in &mut unlinked.vulnerabilities {
        f.package = None;
    }
    assert_eq!(back, unlinked);
}

/// Validates the fields of the documented jq pipeline:
/// `[.vulnerabilities[] | select(.nearestFixedInVersion) | select(.severity == "high")
/// | {packageName, dockerfileInstruction, title, severity, version, nearestFixedInVersion}]`.
#[test]
fn jq_pipeline_fields() {
    let (inv, report) = scanned();
    let v: Value = serde_json::from_str(&render(&report, &inv, ReportFormat::Json, false)).unwrap();
    let keys = [
        "packageName",
        "dockerfileInstruction",
        "title",
        "severity",
        "version",
        "nearestFixedInVersion",
    ];
    let got: Vec<Value> = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["nearestFixedInVersion"].is_null())
        .filter(|f| f["severity"] == "high")
        .map(|f| {
            keys.iter()
                .map(|k| (k.to_string(), f[*k].clone()))
                .collect::<serde_json::Map<_, _>>()
                .into()
        })
        .collect();
    assert_eq!(
        got,
        vec![json!({
            "packageName": "curl",
            "dockerfileInstruction": "RUN apt-get install -y git",
            "title": "curl: heap buffer overflow in the cookie parser",
            "severity": "high",
            "version": "7.88.1-10+deb12u5",
            "nearestFixedInVersion": "7.88.1-10+deb12u8",
        })]
    );
    for key in [
        "ok",
        "dependencyCount",
        "uniqueCount",
        "packageManager",
        "summary",
        "platform",
        "projectName",
        "path",
    ] {
        assert!(!v[key].is_null(), "no {key}");
    }
    assert_eq!(v["docker"]["baseImage"], "debian:12");
    let first = &v["vulnerabilities"][0];
    for key in ["id", "identifiers", "fixedIn", "from", "cvssScore", "name"] {
        assert!(!first[key].is_null(), "no vulnerabilities[0].{key}");
    }
}
