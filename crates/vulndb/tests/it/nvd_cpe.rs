//! NVD CPE configurations: the vulnerable `cpeMatch` entries of real CVE records
//! (`tests/fixtures/nvd/runtimes.json`, NVD CVE API 2.0 format), stored by (vendor, product)
//! and queried by installed version.

use vulndb::import::nvd;
use vulndb::{SourceMeta, Store};

use crate::open;

/// Validates what the importer keeps of each record's configurations: vulnerable entries
/// with their bounds, editions ignored; a configuration that only applies on Windows left
/// out; the record's CVSS kept either way.
#[test]
fn imports_vulnerable_cpe_matches() {
    let imp = nvd::import("nvd", open("nvd/runtimes.json")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (11, 0));
    let rec = |id: &str| imp.items.iter().find(|r| r.cve == id).unwrap();
    let node = rec("CVE-2025-23085");
    assert_eq!(node.cpe_ranges.len(), 4);
    let first = &node.cpe_ranges[0];
    assert_eq!(
        (first.vendor.as_str(), first.product.as_str()),
        ("nodejs", "node.js")
    );
    assert_eq!(first.version, None);
    assert_eq!(first.start_including.as_deref(), Some("18.0.0"));
    assert_eq!(first.fixed(), Some("18.20.6"));
    assert_eq!(first.describe(), ">=18.0.0, <18.20.6");
    // "node.js on Windows" and "PHP-CGI on Windows": not for Linux images.
    assert!(rec("CVE-2025-23084").cpe_ranges.is_empty());
    assert!(rec("CVE-2024-4577").cpe_ranges.is_empty());
    assert_eq!(rec("CVE-2024-4577").severities[0].score, Some(9.8));
    // An exact version without bounds.
    let nginx = rec("CVE-2024-7347");
    let exact = nginx
        .cpe_ranges
        .iter()
        .find(|r| r.version.is_some())
        .unwrap();
    assert_eq!(exact.version.as_deref(), Some("1.27.0"));
    assert_eq!(exact.describe(), "=1.27.0");
}

/// Validates the configuration rules on records written here: a negated node is skipped,
/// a non-vulnerable platform entry is never a product, an `AND` with a Linux platform keeps
/// its vulnerable entries, and a criteria that is not a CPE 2.3 string skips the record.
#[test]
fn configuration_rules() {
    let doc = r#"{"vulnerabilities": [
      {"cve": {"id": "CVE-2099-0001", "configurations": [
        {"operator": "AND", "nodes": [
          {"operator": "OR", "cpeMatch": [{"vulnerable": true,
            "criteria": "cpe:2.3:a:redis:redis:*:*:*:*:*:*:*:*", "versionEndExcluding": "7.2.6"}]},
          {"operator": "OR", "cpeMatch": [{"vulnerable": false,
            "criteria": "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*"}]}]},
        {"nodes": [{"operator": "OR", "negate": true, "cpeMatch": [{"vulnerable": true,
            "criteria": "cpe:2.3:a:redis:redis:7.2.6:*:*:*:*:*:*:*"}]}]}]}},
      {"cve": {"id": "CVE-2099-0002", "configurations": [{"nodes": [{"cpeMatch": [
            {"vulnerable": true, "criteria": "cpe:/a:redis:redis:7.0"}]}]}]}},
      {"cve": {"id": "CVE-2099-0003", "configurations": null}}
    ]}"#;
    let imp = nvd::import("nvd", doc.as_bytes()).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (2, 1));
    assert!(imp.report.errors[0].to_string().contains("cpe:/a:redis"));
    let ranges = &imp.items[0].cpe_ranges;
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    assert_eq!(ranges[0].product, "redis");
    assert!(imp.items[1].cpe_ranges.is_empty());
}

/// Validates the store: matches are found by (vendor, product) whatever the case, and the
/// query returns exactly the CVEs whose range includes the version, at the boundaries too
/// (nginx 1.22.1 is the fix of CVE-2022-41741, inside CVE-2024-7347's range).
#[test]
fn store_queries_by_product_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut b = Store::build_beside(&path).unwrap();
    b.add_nvd(
        &SourceMeta::named("nvd"),
        &nvd::import("nvd", open("nvd/runtimes.json")).unwrap(),
    )
    .unwrap();
    b.commit().unwrap();
    let store = Store::open(&path).unwrap();
    assert!(store.has_cpe_ranges().unwrap());
    assert_eq!(store.status().unwrap().counts.nvd_cpe, 27);
    let cves = |vendor: &str, product: &str, version: &str| -> Vec<(String, Option<String>)> {
        let m = store.cpe_matches(vendor, product, version).unwrap();
        assert!(m.not_comparable.is_empty());
        m.matched
            .into_iter()
            .map(|r| (r.cve, r.end_excluding))
            .collect()
    };
    let one = |cve: &str, fixed: &str| vec![(cve.to_owned(), Some(fixed.to_owned()))];
    assert_eq!(
        cves("f5", "nginx", "1.22.1"),
        one("CVE-2024-7347", "1.26.2")
    );
    assert_eq!(
        cves("f5", "nginx", "1.22.0").len(),
        2,
        "both nginx CVEs below 1.22.1"
    );
    assert_eq!(
        cves("F5", "NGINX", "1.27.0"),
        vec![("CVE-2024-7347".to_owned(), None)]
    );
    assert!(cves("f5", "nginx", "1.27.1").is_empty());
    assert_eq!(
        cves("nodejs", "node.js", "18.20.4"),
        one("CVE-2025-23085", "18.20.6")
    );
    assert_eq!(
        cves("nodejs", "node.js", "v20.12.0"),
        vec![
            ("CVE-2024-27983".to_owned(), Some("20.12.1".to_owned())),
            ("CVE-2025-23085".to_owned(), Some("20.18.2".to_owned())),
        ]
    );
    assert_eq!(
        cves("python", "python", "3.11.2"),
        one("CVE-2023-24329", "3.11.4")
    );
    assert!(cves("python", "python", "3.11.4").is_empty());
    assert_eq!(
        cves("python", "python", "3.11.4rc1"),
        one("CVE-2023-24329", "3.11.4")
    );
    assert_eq!(
        cves("redis", "redis", "7.0.15"),
        one("CVE-2024-31449", "7.2.6")
    );
    assert_eq!(
        cves("busybox", "busybox", "1.35.0"),
        one("CVE-2022-48174", "1.36.0")
    );
    assert_eq!(
        cves("golang", "go", "1.19.8"),
        one("CVE-2023-29400", "1.19.9")
    );
    assert_eq!(
        cves("ruby-lang", "ruby", "3.1.2"),
        one("CVE-2024-27282", "3.1.5")
    );
    assert!(cves("php", "php", "8.2.12").is_empty(), "Windows-only");
    assert!(
        cves("nodejs", "node", "18.20.4").is_empty(),
        "another product"
    );
    let bad = store.cpe_matches("nodejs", "node.js", "*").unwrap();
    assert!(bad.matched.is_empty());
    assert_eq!(bad.not_comparable.len(), 7);
}
