//! Runtimes matched against NVD CPE ranges: real CVE records in NVD CVE API 2.0 format
//! (vulndb's `tests/fixtures/nvd/runtimes.json`) imported into a store, and an inventory of
//! runtimes as the `runtimes` analyzer reports them.

use inventory::{ImageIdentity, ImageInfo, Inventory, OsInfo, Package, PackageType};
use vulndb::import::nvd;
use vulndb::{SourceMeta, Store};

use crate::{scan, FindingStatus, ScanOptions, Severity, SeveritySource};

const NVD: &str = include_str!("../../../vulndb/tests/fixtures/nvd/runtimes.json");

fn runtime(name: &str, version: &str, cpes: &[(&str, &str)]) -> Package {
    Package {
        package_type: Some(PackageType::Binary),
        name: name.into(),
        version: version.into(),
        cpes: cpes
            .iter()
            .map(|(v, p)| format!("cpe:2.3:a:{v}:{p}:{version}:*:*:*:*:*:*:*"))
            .collect(),
        db_path: format!("usr/local/bin/{name}"),
        purl: format!("pkg:generic/{name}@{version}"),
        ..Package::default()
    }
}

/// Validates matching runtimes by CPE: each finding is the CVE whose NVD range includes the
/// installed version, rated by NVD's CVSS, with the range and `versionEndExcluding` as the
/// nearest fix; a CVE naming both nginx CPEs is one finding; a Windows-only CVE and ranges
/// that end at the installed version give nothing; a Debian package of the same name is
/// never matched against NVD; a version the CPE rule cannot read is `S003`.
#[test]
fn runtimes_match_nvd_cpe_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut b = Store::build_beside(&path).unwrap();
    b.add_nvd(
        &SourceMeta::named("nvd"),
        &nvd::import("nvd", NVD.as_bytes()).unwrap(),
    )
    .unwrap();
    b.commit().unwrap();
    let store = Store::open(&path).unwrap();

    let inv = Inventory {
        image: ImageInfo {
            identity: ImageIdentity {
                name: "runtimes:1".into(),
                ..Default::default()
            },
            ..ImageInfo::default()
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            source_file: "etc/os-release".into(),
            ..OsInfo::default()
        }),
        packages: vec![
            Package {
                package_type: Some(PackageType::Deb),
                name: "nginx".into(),
                version: "1.22.1-9+deb12u1".into(),
                db_path: "var/lib/dpkg/status".into(),
                ..Package::default()
            },
            runtime("nginx", "1.22.1", &[("f5", "nginx"), ("nginx", "nginx")]),
            runtime("node", "18.20.4", &[("nodejs", "node.js")]),
            runtime("php", "8.2.12", &[("php", "php")]),
            runtime("python", "3.11.2", &[("python", "python")]),
            runtime("redis", "*", &[("redis", "redis")]),
        ],
        ..Inventory::default()
    };
    let report = scan(&inv, &store, &ScanOptions::default()).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = report
        .vulnerabilities
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.id.as_str(),
                f.nearest_fixed_in_version.as_deref(),
            )
        })
        .collect();
    let mut got = got;
    got.sort();
    assert_eq!(
        got,
        [
            ("nginx", "CVE-2024-7347", Some("1.26.2")),
            ("node", "CVE-2025-23085", Some("18.20.6")),
            ("python", "CVE-2023-24329", Some("3.11.4")),
        ]
    );
    let node = report
        .vulnerabilities
        .iter()
        .find(|f| f.name == "node")
        .unwrap();
    assert_eq!(node.severity, Severity::Medium);
    assert_eq!(node.severity_source, SeveritySource::Nvd);
    assert_eq!(node.cvss_score, Some(5.9));
    assert_eq!(node.status, FindingStatus::Fixed);
    assert_eq!(node.ecosystem, "NVD");
    assert_eq!(node.package_type, PackageType::Binary);
    assert_eq!(node.package_manager, "generic");
    assert_eq!(node.purl, "pkg:generic/node@18.20.4");
    assert_eq!(node.url, "https://nvd.nist.gov/vuln/detail/CVE-2025-23085");
    assert_eq!(
        node.vulnerable_ranges,
        ["cpe:2.3:a:nodejs:node.js:*:*:*:*:lts:*:*:* >=18.0.0, <18.20.6"]
    );
    assert!(node.title.contains("memory leak"), "{}", node.title);
    assert_eq!(node.fixed_in, ["18.20.6"]);
    let nginx = report
        .vulnerabilities
        .iter()
        .find(|f| f.name == "nginx")
        .unwrap();
    assert_eq!(nginx.package_type, PackageType::Binary);
    assert_eq!(nginx.severity, Severity::Medium);
    let s003: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "S003")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(s003.len(), 1, "{:?}", report.diagnostics);
    assert!(s003[0].contains("redis *"), "{}", s003[0]);
    assert!(s003[0].contains("CVE-2024-31449"), "{}", s003[0]);
}

/// Validates that a database without NVD CPE matches says so for runtimes (`S006`), rather
/// than reporting them clean in silence.
#[test]
fn no_cpe_data_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    Store::build_beside(&path).unwrap().commit().unwrap();
    let store = Store::open(&path).unwrap();
    let inv = Inventory {
        packages: vec![runtime("node", "18.20.4", &[("nodejs", "node.js")])],
        ..Inventory::default()
    };
    let report = scan(&inv, &store, &ScanOptions::default()).unwrap();
    assert!(report.vulnerabilities.is_empty());
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no advisories for NVD")),
        "{:?}",
        report.diagnostics
    );
}
