//! CycloneDX 1.6 with a `vulnerabilities` section.

use std::collections::HashSet;

use report::{render_sbom, Format, ReportFormat};
use serde_json::{json, Value};

use crate::common::{assert_golden, assert_valid};
use crate::scan_fixture::{clean, options, render, scanned, scanned_twice_installed};

const SCHEMA: &str = "bom-1.6.SNAPSHOT.schema.json";

fn bom(report: &scan::Report, inv: &inventory::Inventory) -> (String, Value) {
    let text = render(report, inv, ReportFormat::CycloneDx, false);
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

fn vuln<'a>(bom: &'a Value, id: &str) -> &'a Value {
    bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no vulnerability {id}"))
}

/// Validates against the official CycloneDX 1.6 schema, with and without findings.
#[test]
fn validates_against_schema() {
    let (inv, report) = scanned();
    assert_valid(SCHEMA, &bom(&report, &inv).1);
    let (inv, report) = clean();
    let (_, v) = bom(&report, &inv);
    assert_valid(SCHEMA, &v);
    assert_eq!(v["vulnerabilities"], json!([]));
}

/// Validates that the schema check rejects an unknown affected-version status, so a passing
/// validation means something.
#[test]
#[should_panic(expected = "bom-1.6")]
fn schema_rejects_unknown_status() {
    let (inv, report) = scanned();
    let (_, mut v) = bom(&report, &inv);
    v["vulnerabilities"][0]["affects"][0]["versions"][0]["status"] = "vulnerable".into();
    assert_valid(SCHEMA, &v);
}

/// Validates the golden file.
#[test]
fn golden() {
    let (inv, report) = scanned();
    assert_golden("scan.cdx.json", &bom(&report, &inv).0);
}

/// Validates that the SBOM part is exactly the SBOM `render_sbom` writes.
#[test]
fn sbom_part_is_the_sbom() {
    let (inv, report) = scanned();
    let (_, mut v) = bom(&report, &inv);
    v.as_object_mut().unwrap().remove("vulnerabilities");
    let mut out = Vec::new();
    render_sbom(
        &inv,
        Format::CycloneDx,
        &mut out,
        &options(false).render_options(),
    )
    .unwrap();
    let sbom: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v, sbom);
}

/// Validates one entry per finding, each affecting an existing component, with ratings,
/// CWEs, recommendation, advisories, dates and the will-not-fix analysis.
#[test]
fn vulnerabilities_map_findings() {
    let (inv, report) = scanned();
    let (_, v) = bom(&report, &inv);
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), report.vulnerabilities.len());
    let components: HashSet<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let mut refs = HashSet::new();
    for (x, f) in vulns.iter().zip(&report.vulnerabilities) {
        assert_eq!(x["id"], f.id.as_str());
        let affected = x["affects"][0]["ref"].as_str().unwrap();
        assert!(components.contains(affected), "{affected}");
        assert_eq!(affected, f.purl);
        assert_eq!(
            x["affects"][0]["versions"],
            json!([{"version": f.version, "status": "affected"}])
        );
        assert!(refs.insert(x["bom-ref"].as_str().unwrap().to_string()));
        assert!(!components.contains(x["bom-ref"].as_str().unwrap()));
    }

    let curl = vuln(&v, "CVE-2024-0011");
    assert_eq!(
        curl["recommendation"],
        "Upgrade libcurl3-gnutls to 7.88.1-10+deb12u8"
    );
    assert_eq!(
        curl["ratings"],
        json!([{"source": {"name": "debian"}, "severity": "high", "method": "other",
                "justification": "high"}])
    );
    assert_eq!(curl["source"]["name"], "debian");
    assert_eq!(
        curl["source"]["url"],
        "https://security-tracker.debian.org/tracker/CVE-2024-0011"
    );
    assert!(curl.get("analysis").is_none());

    let zlib = vuln(&v, "CVE-2024-0006");
    let cvss = zlib["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "CVSSv31")
        .unwrap();
    assert_eq!(cvss["score"], 9.8);
    assert_eq!(cvss["severity"], "critical");
    assert_eq!(
        cvss["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert!(zlib.get("recommendation").is_none());
    assert!(zlib.get("analysis").is_none());

    let minizip = vuln(&v, "CVE-2023-45853");
    assert_eq!(minizip["analysis"]["response"], json!(["will_not_fix"]));
    assert_eq!(minizip["ratings"][0]["severity"], "low");
    assert_eq!(minizip["ratings"][0]["justification"], "unimportant");

    let jinja = vuln(&v, "CVE-2020-28493");
    assert_eq!(jinja["cwes"], json!([400]));
    assert_eq!(jinja["recommendation"], "Upgrade Jinja2 to 2.11.3");
    assert_eq!(jinja["published"], "2021-02-01T21:15:00Z");
    assert_eq!(jinja["updated"], "2024-01-01T00:00:00Z");
    let ids: Vec<&str> = jinja["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"GHSA-g3rq-g295-4j3m") && ids.contains(&"PYSEC-2021-66"));
    assert!(jinja["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["url"] == "https://nvd.nist.gov/vuln/detail/CVE-2020-28493"));
}

/// Validates that a finding matched to a Dockerfile carries its instruction, line and base
/// image as properties, and the document still validates.
#[test]
fn dockerfile_properties() {
    let (inv, mut report) = scanned();
    let f = &mut report.vulnerabilities[0];
    f.dockerfile_instruction = Some("RUN apt-get install -y curl".into());
    f.dockerfile_line = Some(4);
    f.docker_base_image = None;
    let id = f.id.clone();
    let (_, v) = bom(&report, &inv);
    assert_valid(SCHEMA, &v);
    let props = vuln(&v, &id)["properties"].as_array().unwrap().clone();
    let get = |name: &str| {
        props
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        get("shipshape:finding:dockerfile_instruction"),
        Some(json!("RUN apt-get install -y curl"))
    );
    assert_eq!(get("shipshape:finding:dockerfile_line"), Some(json!("4")));
    assert_eq!(get("shipshape:finding:base_image"), None);
}

/// Validates that each finding affects its own package's component, even when two packages
/// share a purl (the second component's bom-ref gets `package-id=2`), and that a report read
/// back from JSON, which has no links to packages, names the purl instead.
#[test]
fn affects_the_linked_package() {
    let (inv, report) = scanned_twice_installed();
    let (_, v) = bom(&report, &inv);
    let affected = |v: &Value| -> Vec<String> {
        v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["id"] == "CVE-2020-28493")
            .map(|x| x["affects"][0]["ref"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut got = affected(&v);
    got.sort();
    assert_eq!(
        got,
        [
            "pkg:pypi/jinja2@2.11.2",
            "pkg:pypi/jinja2@2.11.2?package-id=2"
        ]
    );

    let text = serde_json::to_string(&report).unwrap();
    let back: scan::Report = serde_json::from_str(&text).unwrap();
    let (_, v) = bom(&back, &inv);
    assert_eq!(
        affected(&v),
        ["pkg:pypi/jinja2@2.11.2", "pkg:pypi/jinja2@2.11.2"]
    );
}
