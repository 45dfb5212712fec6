//! A scan report made by the real pipeline: a small Debian 12 image with a Python package,
//! scanned with `scan::scan` against a store imported by `vulndb`'s importers from records
//! in the published formats (Debian tracker JSON, NVD 2.0, OSV).
//!
//! It holds every case the renderers must show: critical, high, medium and low findings; a
//! fix, no fix yet, and the vendor's "will not fix"; five top-level packages and six paths
//! to one vulnerable package ("and 3 more"); a Dockerfile step from the image history; base
//! image attribution (set here as the Dockerfile-aware enrichment will set it); and a
//! package known only by its layer.

use inventory::{ImageIdentity, ImageInfo, Introduced, Inventory, OsInfo, Package, PackageType};
use report::{render_report, ReportFormat, ReportOptions};
use scan::{Report, ScanOptions};
use vulndb::import::{debian, nvd, osv};
use vulndb::{SourceMeta, Store};

const TRACKER: &str = r#"{
  "curl": {
    "CVE-2024-0011": {"description": "curl: heap buffer overflow in the cookie parser",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "7.88.1-10+deb12u8",
        "urgency": "high"}}}
  },
  "openssl": {
    "CVE-2024-0001": {"description": "openssl: PKCS12 NULL pointer dereference",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u3",
        "urgency": "medium"}}}
  },
  "zlib": {
    "CVE-2023-45853": {"description": "MiniZip in zlib through 1.3 has an integer overflow.",
      "releases": {"bookworm": {"status": "open", "urgency": "unimportant",
        "nodsa": "contrib/minizip not built", "nodsa_reason": ""}}},
    "CVE-2024-0006": {"description": "zlib: inflate out-of-bounds write",
      "releases": {"bookworm": {"status": "open", "urgency": "not yet assigned"}}}
  }
}"#;

const NVD: &str = r#"{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [
  {"cve": {"id": "CVE-2024-0006", "published": "2024-01-02T03:04:05.000",
    "descriptions": [{"lang": "en", "value": "NVD's description of CVE-2024-0006."}],
    "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
      "cvssData": {"version": "3.1",
        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "baseScore": 9.8, "baseSeverity": "CRITICAL"}}]}}},
  {"cve": {"id": "CVE-2024-0001", "published": "2024-01-01T00:00:00.000",
    "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
      "cvssData": {"version": "3.1",
        "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "baseScore": 7.5, "baseSeverity": "HIGH"}}]}}}
]}"#;

const OSV: &str = r#"[
  {"id": "PYSEC-2021-66", "modified": "2021-03-01T00:00:00Z", "published": "2021-02-01T21:15:00Z",
   "aliases": ["CVE-2020-28493", "GHSA-g3rq-g295-4j3m"],
   "details": "This affects the package jinja2 from 0.0.0 and before 2.11.3. ReDoS.",
   "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]},
  {"id": "GHSA-g3rq-g295-4j3m", "modified": "2024-01-01T00:00:00Z", "published": "2021-03-19T21:14:00Z",
   "aliases": ["CVE-2020-28493"],
   "summary": "Regular Expression Denial of Service (ReDoS) in Jinja2",
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
   "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}],
     "database_specific": {"cwe_ids": ["CWE-400"]}}],
   "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-28493"}]}
]"#;

/// The base image the enrichment step would name.
pub const BASE_IMAGE: &str = "debian:12";

fn store(dir: &std::path::Path) -> Store {
    let path = dir.join("shipshape.db");
    let mut b = Store::build_beside(&path).unwrap();
    let imported = debian::import("debian", TRACKER.as_bytes()).unwrap();
    assert_eq!(imported.report.skipped, 0);
    b.add_advisories(&SourceMeta::named("debian"), &imported)
        .unwrap();
    let imported = osv::import_json("osv-pypi", OSV.as_bytes()).unwrap();
    assert_eq!(imported.report.skipped, 0);
    b.add_advisories(&SourceMeta::named("osv-pypi"), &imported)
        .unwrap();
    b.add_nvd(
        &SourceMeta::named("nvd"),
        &nvd::import("nvd", NVD.as_bytes()).unwrap(),
    )
    .unwrap();
    b.commit().unwrap();
    Store::open(&path).unwrap()
}

fn layer(index: usize, created_by: Option<&str>) -> Option<Introduced> {
    Some(Introduced {
        layer_index: index,
        layer_digest: format!("sha256:{index:064x}"),
        diff_id: Some(format!("sha256:{:064x}", index + 0xd1ff)),
        created_by: created_by.map(Into::into),
    })
}

fn deb(name: &str, version: &str, source: Option<&str>, deps: &[&str], manual: bool) -> Package {
    Package {
        package_type: Some(PackageType::Deb),
        name: name.into(),
        version: version.into(),
        arch: Some("amd64".into()),
        source_name: source.map(Into::into),
        depends: deps.iter().map(|d| (*d).to_owned()).collect(),
        manual: Some(manual),
        db_path: "var/lib/dpkg/status".into(),
        purl: format!(
            "pkg:deb/debian/{name}@{}?arch=amd64&distro=debian-12",
            version.replace(':', "%3A").replace('+', "%2B")
        ),
        introduced: layer(1, Some("RUN /bin/sh -c apt-get install -y git # buildkit")),
        ..Package::default()
    }
}

/// The image: Debian 12 with git and four tools over libcurl3-gnutls (installed by a
/// `RUN`), libssl3 and zlib1g from the base layer, and Jinja2 in a layer without history.
pub fn inventory() -> Inventory {
    let base = |mut p: Package| {
        p.introduced = layer(0, Some("/bin/sh -c #(nop) ADD file:4b03b5f5 in / "));
        p
    };
    let mut packages = vec![
        deb(
            "git",
            "1:2.39.2-1.1",
            None,
            &["libcurl3-gnutls", "perl"],
            true,
        ),
        deb("perl", "5.36.0-7", None, &["libcurl3-gnutls"], false),
        deb(
            "libcurl3-gnutls",
            "7.88.1-10+deb12u5",
            Some("curl"),
            &["libc6"],
            false,
        ),
        base(deb("libc6", "2.36-9", Some("glibc"), &[], false)),
        base(deb(
            "libssl3",
            "3.0.11-1~deb12u2",
            Some("openssl"),
            &[],
            true,
        )),
        base(deb("zlib1g", "1:1.2.13.dfsg-1", Some("zlib"), &[], true)),
    ];
    for i in 1..=4 {
        packages.push(deb(
            &format!("tool{i}"),
            "1.0-1",
            None,
            &["libcurl3-gnutls"],
            true,
        ));
    }
    packages.push(Package {
        package_type: Some(PackageType::Python),
        name: "Jinja2".into(),
        version: "2.11.2".into(),
        db_path: "usr/lib/python3/site-packages/Jinja2-2.11.2.dist-info/METADATA".into(),
        purl: "pkg:pypi/jinja2@2.11.2".into(),
        introduced: layer(2, None),
        ..Package::default()
    });
    Inventory {
        image: ImageInfo {
            identity: ImageIdentity {
                name: "registry.example/team/app:1.4".into(),
                reference: Some("registry.example/team/app:1.4".into()),
                platform: Some("linux/amd64".into()),
                ..Default::default()
            },
            ..ImageInfo::default()
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            source_file: "etc/os-release".into(),
            ..OsInfo::default()
        }),
        packages,
        ..Inventory::default()
    }
}

/// The inventory and its scan report, with base-image attribution for the base layer.
pub fn scanned() -> (Inventory, Report) {
    let inv = inventory();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut report = scan::scan(&inv, &store, &ScanOptions::default()).unwrap();
    fix_database(&mut report);
    // What the Dockerfile-aware enrichment will do: name the base image, and attribute the
    // findings of its layers to it.
    report.docker.base_image = Some(BASE_IMAGE.into());
    for f in &mut report.vulnerabilities {
        if f.layer.as_ref().is_some_and(|l| l.index == 0) {
            f.docker_base_image = Some(BASE_IMAGE.into());
        }
    }
    (inv, report)
}

/// [`inventory`] with Jinja2 recorded a second time, from another `site-packages`: two
/// packages with one name, version and purl, and its scan report. Findings must name their
/// own package, not the first that looks the same.
pub fn scanned_twice_installed() -> (Inventory, Report) {
    let mut inv = inventory();
    let mut again = inv
        .packages
        .iter()
        .find(|p| p.name == "Jinja2")
        .cloned()
        .unwrap();
    again.db_path = "opt/venv/lib/python3.11/site-packages/Jinja2-2.11.2.dist-info/METADATA".into();
    inv.packages.push(again);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut report = scan::scan(&inv, &store, &ScanOptions::default()).unwrap();
    fix_database(&mut report);
    (inv, report)
}

/// A scan of the same image against an empty store: nothing found.
pub fn clean() -> (Inventory, Report) {
    let inv = inventory();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    let mut b = Store::build_beside(&path).unwrap();
    // Feeds that cover the image's ecosystems but name none of its packages: a clean result,
    // not an empty database (which scan reports as S006).
    let tracker = br#"{"not-installed": {"CVE-2099-9999": {"description": "elsewhere",
        "releases": {"bookworm": {"status": "open", "urgency": "low", "repositories": {}}}}}}"#;
    let imported = debian::import("debian", &tracker[..]).unwrap();
    b.add_advisories(&SourceMeta::named("debian"), &imported)
        .unwrap();
    let record = br#"{"id": "PYSEC-2099-9999", "affected": [{"package": {"ecosystem": "PyPI",
        "name": "not-installed"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
    let imported = osv::import_json("osv-pypi", &record[..]).unwrap();
    b.add_advisories(&SourceMeta::named("osv-pypi"), &imported)
        .unwrap();
    b.commit().unwrap();
    let store = Store::open(&path).unwrap();
    let mut report = scan::scan(&inv, &store, &ScanOptions::default()).unwrap();
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    fix_database(&mut report);
    (inv, report)
}

/// The store lives in a temporary directory and is stamped with the build time: pin both so
/// golden files stay put.
fn fix_database(report: &mut Report) {
    report.database.path = "shipshape.db".into();
    report.database.built_at = Some("2024-05-06T00:00:00Z".into());
}

/// The fixed options every deterministic vulnerability report renders with.
pub fn options(color: bool) -> ReportOptions {
    ReportOptions::fixed(
        "0.1.0",
        "2024-05-06T07:08:09Z",
        "6f1c9a3e-2b4d-4e8f-9a01-23456789abcd",
    )
    .unwrap()
    .with_color(color)
}

/// Renders `report` in `format` with [`options`].
pub fn render(report: &Report, inv: &Inventory, format: ReportFormat, color: bool) -> String {
    let mut out = Vec::new();
    render_report(report, inv, format, &mut out, &options(color)).unwrap();
    String::from_utf8(out).unwrap()
}
