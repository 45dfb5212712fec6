//! Scenario tests: small inventories built in code against small stores built from feed
//! records written in their published formats (Debian tracker JSON, OSV, Alpine secdb, NVD
//! 2.0, KEV, EPSS) through `vulndb`'s importers.

use inventory::{ImageIdentity, ImageInfo, Introduced, Inventory, OsInfo, Package, PackageType};
use vulndb::import::{alpine, debian, epss, kev, nvd, osv};
use vulndb::{SourceMeta, Store};

use crate::{
    exceeds, scan, FailOn, Finding, FindingStatus, Report, ScanOptions, Severity, SeveritySource,
};

mod dotnet_php;

enum Feed<'a> {
    Debian(&'a str),
    Osv(&'a str),
    Alpine(&'a str),
    Nvd(&'a str),
    Kev(&'a str),
    Epss(&'a str),
    /// RustSec advisory files: (file name, Markdown with TOML front matter).
    Rustsec(&'a [(&'a str, &'a str)]),
}

fn store(feeds: &[Feed<'_>]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    let mut b = Store::build_beside(&path).unwrap();
    for (i, f) in feeds.iter().enumerate() {
        let name = format!("feed{i}");
        let meta = SourceMeta::named(&name);
        match f {
            Feed::Debian(s) => {
                let imported = debian::import("debian", s.as_bytes()).unwrap();
                assert_eq!(imported.report.skipped, 0, "{:?}", imported.report);
                b.add_advisories(&meta, &imported).unwrap();
            }
            Feed::Osv(s) => {
                let imported = osv::import_json(&name, s.as_bytes()).unwrap();
                assert_eq!(imported.report.skipped, 0, "{:?}", imported.report);
                b.add_advisories(&meta, &imported).unwrap();
            }
            Feed::Alpine(s) => {
                let imported = alpine::import_json(&name, s.as_bytes()).unwrap();
                assert_eq!(imported.report.skipped, 0, "{:?}", imported.report);
                b.add_advisories(&meta, &imported).unwrap();
            }
            Feed::Nvd(s) => b
                .add_nvd(&meta, &nvd::import("nvd", s.as_bytes()).unwrap())
                .unwrap(),
            Feed::Kev(s) => b
                .add_kev(&meta, &kev::import("kev", s.as_bytes()).unwrap())
                .unwrap(),
            Feed::Epss(s) => {
                let (imported, info) = epss::import("epss", s.as_bytes()).unwrap();
                b.add_epss(&meta, &imported, &info).unwrap();
            }
            Feed::Rustsec(files) => {
                let mut imp = vulndb::import::rustsec::RustsecImporter::new(&name);
                for (file, text) in files.iter() {
                    imp.add_file(file, text.as_bytes());
                }
                let imported = imp.finish();
                assert_eq!(imported.report.skipped, 0, "{:?}", imported.report);
                b.add_advisories(&meta, &imported).unwrap();
            }
        }
    }
    b.commit().unwrap();
    let store = Store::open(&path).unwrap();
    (dir, store)
}

fn deb(name: &str, version: &str, source: Option<(&str, &str)>) -> Package {
    Package {
        package_type: Some(PackageType::Deb),
        name: name.into(),
        version: version.into(),
        source_name: source.map(|s| s.0.into()),
        source_version: source
            .map(|s| s.1.into())
            .filter(|v: &String| !v.is_empty()),
        db_path: "var/lib/dpkg/status".into(),
        ..Package::default()
    }
}

fn image(name: &str, os: (&str, &str), packages: Vec<Package>) -> Inventory {
    Inventory {
        image: ImageInfo {
            identity: ImageIdentity {
                name: name.into(),
                platform: Some("linux/amd64".into()),
                ..Default::default()
            },
            ..ImageInfo::default()
        },
        os: Some(OsInfo {
            id: os.0.into(),
            version_id: Some(os.1.into()),
            source_file: "etc/os-release".into(),
            ..OsInfo::default()
        }),
        packages,
        ..Inventory::default()
    }
}

fn run(inv: &Inventory, store: &Store) -> Report {
    scan(inv, store, &ScanOptions::default()).unwrap()
}

fn find<'r>(r: &'r Report, binary: &str, id: &str) -> &'r Finding {
    r.vulnerabilities
        .iter()
        .find(|f| f.binary_name == binary && f.id == id)
        .unwrap_or_else(|| panic!("no {id} in {binary}: {:#?}", keys(r)))
}

fn keys(r: &Report) -> Vec<(String, String)> {
    r.vulnerabilities
        .iter()
        .map(|f| (f.binary_name.clone(), f.id.clone()))
        .collect()
}

/// Debian tracker records for openssl, zlib and curl, at versions just above, at and just
/// below the installed ones, plus releases and states that must not match.
const TRACKER: &str = r#"{
  "openssl": {
    "CVE-2024-0001": {"description": "openssl: fixed just above the installed version",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u3",
        "urgency": "medium"}}},
    "CVE-2024-0002": {"description": "openssl: fixed in exactly the installed version",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u2",
        "urgency": "high"}}},
    "CVE-2024-0003": {"description": "openssl: fixed just below the installed version",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.11-1~deb12u1",
        "urgency": "high"}}},
    "CVE-2024-0004": {"description": "openssl: bookworm never had the code",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "0",
        "urgency": "not yet assigned"},
        "bullseye": {"status": "open", "urgency": "high"}}}
  },
  "libssl3": {
    "CVE-2024-0005": {"description": "keyed by the binary name: must not match",
      "releases": {"bookworm": {"status": "open", "urgency": "high"}}}
  },
  "zlib": {
    "CVE-2023-45853": {"description": "MiniZip in zlib through 1.3 has an integer overflow.",
      "releases": {"bookworm": {"status": "open", "urgency": "unimportant",
        "nodsa": "contrib/minizip not built", "nodsa_reason": ""}}},
    "CVE-2024-0006": {"description": "zlib: open, urgency not yet assigned",
      "releases": {"bookworm": {"status": "open", "urgency": "not yet assigned"}}},
    "CVE-2024-0007": {"description": "zlib: undetermined",
      "releases": {"bookworm": {"status": "undetermined"}}}
  },
  "curl": {
    "CVE-2024-0008": {"description": "curl: open in bookworm",
      "releases": {"bookworm": {"status": "open", "urgency": "low"}}},
    "CVE-2024-0009": {"description": "curl: only bullseye is affected",
      "releases": {"bullseye": {"status": "open", "urgency": "high"}}}
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

fn bookworm() -> Inventory {
    image(
        "debian:12",
        ("debian", "12"),
        vec![
            deb("libssl3", "3.0.11-1~deb12u2", Some(("openssl", ""))),
            deb("openssl", "3.0.11-1~deb12u2", None),
            deb("zlib1g", "1:1.2.13.dfsg-1", Some(("zlib", ""))),
            deb("curl", "7.88.1-10+deb12u5", None),
        ],
    )
}

/// Validates Debian matching: source package and version, statuses, nearest fixed
/// versions, `fixed_version "0"`, other releases, and binary-name records.
#[test]
fn debian_source_packages_and_statuses() {
    let (_d, store) = store(&[Feed::Debian(TRACKER), Feed::Nvd(NVD)]);
    let r = run(&bookworm(), &store);
    let mut got = keys(&r);
    got.sort();
    let want: Vec<(String, String)> = [
        ("curl", "CVE-2024-0008"),
        ("libssl3", "CVE-2024-0001"),
        ("openssl", "CVE-2024-0001"),
        ("zlib1g", "CVE-2023-45853"),
        ("zlib1g", "CVE-2024-0006"),
    ]
    .iter()
    .map(|(a, b)| ((*a).into(), (*b).into()))
    .collect();
    assert_eq!(got, want);

    let f = find(&r, "libssl3", "CVE-2024-0001");
    assert_eq!(f.status, FindingStatus::Fixed);
    assert_eq!(
        f.nearest_fixed_in_version.as_deref(),
        Some("3.0.11-1~deb12u3")
    );
    assert_eq!(f.fixed_in, ["3.0.11-1~deb12u3"]);
    assert!(f.is_upgradable);
    assert_eq!(
        (f.package_name.as_str(), f.name.as_str()),
        ("openssl", "openssl/libssl3")
    );
    assert_eq!(f.ecosystem, "Debian:12");
    assert_eq!(f.package_manager, "debian:12");
    assert_eq!(f.title, "openssl: fixed just above the installed version");
    assert_eq!(
        f.url,
        "https://security-tracker.debian.org/tracker/CVE-2024-0001"
    );
    assert_eq!(f.identifiers.cve, ["CVE-2024-0001"]);
    assert_eq!(f.identifiers.alias, ["DEBIAN-CVE-2024-0001"]);
    // Vendor urgency beats NVD's CVSS; the score is still reported.
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_source, SeveritySource::Vendor("debian".into()));
    assert_eq!(f.cvss_score, Some(7.5));
    assert_eq!(
        f.disclosure_time.as_deref(),
        Some("2024-01-01T00:00:00.000")
    );
    let o = find(&r, "openssl", "CVE-2024-0001");
    assert_eq!(
        (o.package_name.as_str(), o.name.as_str()),
        ("openssl", "openssl")
    );

    let wnf = find(&r, "zlib1g", "CVE-2023-45853");
    assert_eq!(wnf.status, FindingStatus::WillNotFix);
    assert_eq!(wnf.nearest_fixed_in_version, None);
    assert!(wnf.fixed_in.is_empty() && !wnf.is_upgradable && wnf.upgrade_path.is_empty());
    assert_eq!(wnf.severity, Severity::Low, "unimportant is low");
    assert_eq!(wnf.vendor_severity.as_deref(), Some("unimportant"));

    // "not yet assigned" falls through to NVD.
    let open = find(&r, "zlib1g", "CVE-2024-0006");
    assert_eq!(open.status, FindingStatus::NotFixed);
    assert_eq!(open.severity, Severity::Critical);
    assert_eq!(open.severity_source, SeveritySource::Nvd);
    assert_eq!(
        open.cvss_v3.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );

    assert_eq!(r.dependency_count, 4);
    assert_eq!(r.unique_count, 4);
    assert_eq!(r.package_manager.as_deref(), Some("deb"));
    assert_eq!(r.project_name, "docker-image|debian");
    assert_eq!(r.severity_counts.critical, 1);
    assert_eq!(r.severity_counts.total(), 5);
    assert!(!r.ok);
    assert_eq!(r.summary, "5 vulnerable dependency paths");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

/// Validates that a Debian point release (`12.5`) and the source version of a binNMU are
/// used: the binary's `+b1` must not hide the fix.
#[test]
fn debian_point_release_and_binnmu() {
    let (_d, store) = store(&[Feed::Debian(TRACKER)]);
    let mut inv = image(
        "debian:12.5",
        ("debian", "12.5"),
        vec![deb(
            "libssl3",
            "3.0.11-1~deb12u3+b1",
            Some(("openssl", "3.0.11-1~deb12u2")),
        )],
    );
    let r = run(&inv, &store);
    assert_eq!(keys(&r), [("libssl3".into(), "CVE-2024-0001".into())]);
    assert_eq!(r.os.as_ref().unwrap().ecosystems, ["Debian:12"]);
    // The same image claiming Debian 11 sees only bullseye's records.
    inv.os.as_mut().unwrap().version_id = Some("11".into());
    let r = run(&inv, &store);
    assert_eq!(keys(&r), [("libssl3".into(), "CVE-2024-0004".into())]);
}

/// OSV records for PyPI Jinja2 (PYSEC and GHSA, aliases of one CVE) and a Debian DSA that
/// aliases a tracker CVE, plus a DSA naming two CVEs.
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
   "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-28493"}]},
  {"id": "PYSEC-2099-1", "details": "no fix, no severity",
   "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}]}]}]},
  {"id": "DSA-5600-1", "aliases": ["CVE-2024-0001"], "summary": "openssl security update",
   "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u3"}]}]}]},
  {"id": "DSA-5601-1", "aliases": ["CVE-2024-0008", "CVE-2024-0010"], "summary": "curl update",
   "affected": [{"package": {"ecosystem": "Debian:12", "name": "curl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "7.88.1-10+deb12u6"}]}]}]}
]"#;

fn python(name: &str, version: &str) -> Package {
    Package {
        package_type: Some(PackageType::Python),
        name: name.into(),
        version: version.into(),
        db_path: format!("usr/lib/python3/site-packages/{name}-{version}.dist-info/METADATA"),
        ..Package::default()
    }
}

/// Validates alias merging: PYSEC + GHSA + CVE are one PyPI finding (PEP 503 names:
/// `Jinja2` finds `jinja2`), DEBIAN-CVE + DSA one Debian finding, and a DSA naming two CVEs
/// joins nothing and, its CVEs not all found otherwise, stands alone.
#[test]
fn aliases_merge_into_one_finding() {
    let (_d, store) = store(&[Feed::Debian(TRACKER), Feed::Osv(OSV)]);
    let mut inv = bookworm();
    inv.packages.push(python("Jinja2", "2.11.2"));
    let r = run(&inv, &store);

    let j = find(&r, "Jinja2", "CVE-2020-28493");
    assert_eq!(j.identifiers.cve, ["CVE-2020-28493"]);
    assert_eq!(
        j.identifiers.alias,
        ["GHSA-g3rq-g295-4j3m", "PYSEC-2021-66"]
    );
    assert_eq!(j.identifiers.cwe, ["CWE-400"]);
    let ids: Vec<&str> = j.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["GHSA-g3rq-g295-4j3m", "PYSEC-2021-66"]);
    assert_eq!(
        j.title,
        "Regular Expression Denial of Service (ReDoS) in Jinja2"
    );
    assert_eq!(j.nearest_fixed_in_version.as_deref(), Some("2.11.3"));
    assert_eq!(
        (j.severity, &j.severity_source),
        (Severity::Medium, &SeveritySource::Cvss)
    );
    assert_eq!(j.cvss_score, Some(5.3));
    assert_eq!(
        (j.ecosystem.as_str(), j.package_manager.as_str()),
        ("PyPI", "pypi")
    );
    assert_eq!(j.package_name, "Jinja2");
    assert_eq!(j.publication_time.as_deref(), Some("2021-02-01T21:15:00Z"));
    assert_eq!(j.modification_time.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(j.url, "https://nvd.nist.gov/vuln/detail/CVE-2020-28493");
    let jinja: Vec<_> = r
        .vulnerabilities
        .iter()
        .filter(|f| f.binary_name == "Jinja2")
        .collect();
    assert_eq!(jinja.len(), 2, "{:?}", keys(&r));

    // No CVE, no severity anywhere: its own id, unknown.
    let bare = find(&r, "Jinja2", "PYSEC-2099-1");
    assert_eq!(
        (bare.severity, &bare.severity_source),
        (Severity::Unknown, &SeveritySource::None)
    );
    assert_eq!(bare.status, FindingStatus::NotFixed);
    assert_eq!(bare.url, "https://osv.dev/vulnerability/PYSEC-2099-1");

    let s = find(&r, "libssl3", "CVE-2024-0001");
    assert_eq!(s.identifiers.alias, ["DEBIAN-CVE-2024-0001", "DSA-5600-1"]);
    assert_eq!(s.advisories.len(), 2);
    assert_eq!(s.title, "openssl security update");
    assert_eq!(
        r.vulnerabilities
            .iter()
            .filter(|f| f.binary_name == "libssl3")
            .count(),
        1
    );

    // DSA-5601-1 names CVE-2024-0008 and CVE-2024-0010; 0010 has no record of its own.
    let c = find(&r, "curl", "CVE-2024-0008");
    assert_eq!(c.advisories.len(), 1);
    assert_eq!(c.status, FindingStatus::NotFixed);
    let dsa = find(&r, "curl", "DSA-5601-1");
    assert_eq!(dsa.identifiers.cve, ["CVE-2024-0008", "CVE-2024-0010"]);
    assert_eq!(
        dsa.nearest_fixed_in_version.as_deref(),
        Some("7.88.1-10+deb12u6")
    );
}

/// Validates that a many-CVE advisory whose CVEs all have findings of their own adds no
/// duplicate.
#[test]
fn covered_multi_cve_advisory_is_not_repeated() {
    let tracker = r#"{"curl": {
      "CVE-2024-0008": {"releases": {"bookworm": {"status": "open", "urgency": "low"}}},
      "CVE-2024-0010": {"releases": {"bookworm": {"status": "open", "urgency": "low"}}}}}"#;
    let (_d, store) = store(&[Feed::Debian(tracker), Feed::Osv(OSV)]);
    let r = run(&bookworm(), &store);
    let mut got: Vec<_> = keys(&r).into_iter().filter(|k| k.0 == "curl").collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("curl".to_owned(), "CVE-2024-0008".to_owned()),
            ("curl".to_owned(), "CVE-2024-0010".to_owned())
        ]
    );
}

/// Validates Alpine: the origin package (`openssl` for `libcrypto3`), the binary version,
/// the `v3.19` branch only, and secdb's `0` (not affected).
#[test]
fn alpine_origin_matching() {
    let v319 = r#"{"distroversion": "v3.19", "reponame": "main", "packages": [
      {"pkg": {"name": "openssl", "secfixes": {
        "3.1.4-r6": ["CVE-2024-0727"],
        "3.1.4-r5": ["CVE-2023-6237"],
        "3.1.4-r4": ["CVE-2023-6129"],
        "0": ["CVE-2022-1292"]}}},
      {"pkg": {"name": "libcrypto3", "secfixes": {"9.9.9-r0": ["CVE-2099-0001"]}}}]}"#;
    let v318 = r#"{"distroversion": "v3.18", "reponame": "main", "packages": [
      {"pkg": {"name": "openssl", "secfixes": {"3.1.9-r0": ["CVE-2099-0002"]}}}]}"#;
    let (_d, store) = store(&[Feed::Alpine(v319), Feed::Alpine(v318)]);
    let crypto = Package {
        package_type: Some(PackageType::Apk),
        name: "libcrypto3".into(),
        version: "3.1.4-r5".into(),
        source_name: Some("openssl".into()),
        db_path: "lib/apk/db/installed".into(),
        ..Package::default()
    };
    let inv = image("alpine:3.19", ("alpine", "3.19.1"), vec![crypto]);
    let r = run(&inv, &store);
    assert_eq!(keys(&r), [("libcrypto3".into(), "CVE-2024-0727".into())]);
    let f = &r.vulnerabilities[0];
    assert_eq!(f.nearest_fixed_in_version.as_deref(), Some("3.1.4-r6"));
    assert_eq!(f.name, "openssl/libcrypto3");
    assert_eq!(
        (f.ecosystem.as_str(), f.package_manager.as_str()),
        ("Alpine:v3.19", "alpine:3.19")
    );
    assert_eq!(f.identifiers.alias, ["ALPINE-CVE-2024-0727"]);
    assert_eq!(r.package_manager.as_deref(), Some("apk"));
}

/// Validates dependency paths from apt's manual marks: introduced-through, up to three
/// shortest paths with "and N more", the Snyk `from` with the image root, the upgrade
/// path, and the layer and Dockerfile instruction of the package.
#[test]
fn dependency_paths_and_provenance() {
    let tracker = r#"{"curl": {"CVE-2024-0011": {"description": "curl: heap overflow",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "7.88.1-10+deb12u8",
      "urgency": "high"}}}}}"#;
    let (_d, store) = store(&[Feed::Debian(tracker)]);
    let with = |mut p: Package, deps: &[&str], manual: bool| {
        p.depends = deps.iter().map(|d| (*d).to_owned()).collect();
        p.manual = Some(manual);
        p
    };
    let mut lib = with(
        deb("libcurl3-gnutls", "7.88.1-10+deb12u5", Some(("curl", ""))),
        &["libc6"],
        false,
    );
    lib.introduced = Some(Introduced {
        layer_index: 1,
        layer_digest: "sha256:bbb".into(),
        diff_id: Some("sha256:ddd".into()),
        created_by: Some("RUN /bin/sh -c apt-get install -y git # buildkit".into()),
    });
    let mut pkgs = vec![
        with(
            deb("git", "1:2.39.2-1.1", None),
            &["libcurl3-gnutls", "perl"],
            true,
        ),
        with(deb("perl", "5.36.0-7", None), &["libcurl3-gnutls"], false),
        lib,
        with(deb("libc6", "2.36-9", Some(("glibc", ""))), &[], false),
    ];
    for i in 1..=4 {
        pkgs.push(with(
            deb(&format!("tool{i}"), "1.0-1", None),
            &["libcurl3-gnutls"],
            true,
        ));
    }
    let inv = image("registry.example/app:v1", ("debian", "12"), pkgs);
    let r = run(&inv, &store);
    assert_eq!(r.vulnerabilities.len(), 1);
    let f = &r.vulnerabilities[0];
    assert_eq!(
        f.introduced_through,
        [
            "git@1:2.39.2-1.1",
            "tool1@1.0-1",
            "tool2@1.0-1",
            "tool3@1.0-1",
            "tool4@1.0-1"
        ]
    );
    let lib = "curl/libcurl3-gnutls@7.88.1-10+deb12u5";
    assert_eq!(f.paths.len(), 3);
    assert_eq!(f.paths[0], ["git@1:2.39.2-1.1", lib]);
    assert_eq!(f.paths[1], ["tool1@1.0-1", lib]);
    // git > lib, tool1..4 > lib, git > perl > lib: six paths, three shown.
    assert_eq!((f.more_paths, f.paths_truncated), (3, false));
    assert_eq!(
        f.from,
        [
            "docker-image|registry.example/app@v1",
            "git@1:2.39.2-1.1",
            lib
        ]
    );
    assert_eq!(
        serde_json::to_value(&f.upgrade_path).unwrap(),
        serde_json::json!([false, false, "curl/libcurl3-gnutls@7.88.1-10+deb12u8"])
    );
    let layer = f.layer.as_ref().unwrap();
    assert_eq!(
        (layer.index, layer.diff_id.as_deref()),
        (1, Some("sha256:ddd"))
    );
    assert_eq!(
        f.dockerfile_instruction.as_deref(),
        Some("RUN apt-get install -y git")
    );
    assert_eq!(r.summary, "6 vulnerable dependency paths");
}

/// Validates KEV and EPSS enrichment by CVE.
#[test]
fn exploit_data() {
    let kev_doc = r#"{"vulnerabilities": [{"cveID": "CVE-2024-0001", "vendorProject": "OpenSSL",
      "product": "OpenSSL", "vulnerabilityName": "x", "dateAdded": "2024-02-01",
      "shortDescription": "x", "requiredAction": "x", "dueDate": "2024-02-22",
      "knownRansomwareCampaignUse": "Known", "notes": ""}]}"#;
    let epss_doc = "#model_version:v2023.03.01,score_date:2024-07-10T00:00:00+0000\n\
                    cve,epss,percentile\nCVE-2024-0001,0.5,0.9\n";
    let (_d, store) = store(&[
        Feed::Debian(TRACKER),
        Feed::Kev(kev_doc),
        Feed::Epss(epss_doc),
    ]);
    let r = run(&bookworm(), &store);
    let e = &find(&r, "libssl3", "CVE-2024-0001").exploit_data;
    assert!(e.kev && e.known_ransomware);
    assert_eq!(e.kev_date_added.as_deref(), Some("2024-02-01"));
    assert_eq!((e.epss, e.epss_percentile), (Some(0.5), Some(0.9)));
    let none = &find(&r, "curl", "CVE-2024-0008").exploit_data;
    assert!(!none.kev && none.epss.is_none());
    let off = ScanOptions {
        exploit_data: false,
        ..ScanOptions::default()
    };
    let r = scan(&bookworm(), &store, &off).unwrap();
    assert!(!find(&r, "libssl3", "CVE-2024-0001").exploit_data.kev);
}

/// Validates the report order (severity descending, then package, version, id) and that
/// two scans give the same report.
#[test]
fn deterministic_order() {
    let (_d, store) = store(&[Feed::Debian(TRACKER), Feed::Nvd(NVD), Feed::Osv(OSV)]);
    let mut inv = bookworm();
    inv.packages.push(python("Jinja2", "2.11.2"));
    inv.packages.reverse();
    let a = run(&inv, &store);
    let b = run(&inv, &store);
    assert_eq!(a, b);
    let order: Vec<(Severity, String, String)> = a
        .vulnerabilities
        .iter()
        .map(|f| (f.severity, f.name.clone(), f.id.clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    assert_eq!(order, sorted);
    assert_eq!(order[0].0, Severity::Critical);
    assert_eq!(order.last().map(|o| o.0), Some(Severity::Unknown));
}

/// Validates the gates: threshold, `--fail-on upgradable` and `--ignore-unfixed`.
#[test]
fn gates() {
    let (_d, store) = store(&[Feed::Debian(TRACKER), Feed::Nvd(NVD)]);
    let r = run(&bookworm(), &store);
    // critical: zlib CVE-2024-0006 (not fixed); medium: openssl CVE-2024-0001 (fixed).
    assert!(exceeds(&r, Severity::Critical, FailOn::All, false));
    assert!(!exceeds(&r, Severity::Critical, FailOn::Upgradable, false));
    assert!(!exceeds(&r, Severity::Critical, FailOn::All, true));
    assert!(exceeds(&r, Severity::Medium, FailOn::Upgradable, false));
    assert!(exceeds(&r, Severity::Medium, FailOn::All, true));
    assert!(!exceeds(&r, Severity::High, FailOn::All, true));
    let empty = Report::default();
    assert!(!exceeds(&empty, Severity::Unknown, FailOn::All, false));
}

/// Validates soft failures: no feed for the OS (S001) and versions that do not parse (S003)
/// are reported, not silently dropped; a language package is still matched.
#[test]
fn diagnostics_for_unmatched_packages() {
    let (_d, store) = store(&[Feed::Osv(OSV)]);
    let mut inv = image(
        "x:1",
        ("plan9", "4"),
        vec![
            deb("libc6", "2.36-9", None),
            python("Jinja2", "not a version!"),
            python("jinja2", "2.11.2"),
            Package {
                name: "mystery".into(),
                version: "1".into(),
                ..Package::default()
            },
        ],
    );
    let r = run(&inv, &store);
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["S003", "S001", "S002"], "{:?}", r.diagnostics);
    assert!(r.diagnostics[1].message.contains("plan9 4"));
    assert!(
        r.diagnostics[0].message.starts_with(
            "Jinja2 not a version!: 3 advisories skipped \
             (GHSA-g3rq-g295-4j3m, PYSEC-2021-66, PYSEC-2099-1): "
        ),
        "{}",
        r.diagnostics[0].message
    );
    assert_eq!(r.dependency_count, 2);
    assert!(r.vulnerabilities.iter().any(|f| f.id == "CVE-2020-28493"));
    assert_eq!(r.package_manager.as_deref(), Some("deb"));
    inv.os = None;
    assert!(run(&inv, &store).diagnostics[1]
        .message
        .contains("unrecognised OS"));
}

/// Validates the JSON field names a Snyk jq pipeline reads.
#[test]
fn json_field_names() {
    let (_d, store) = store(&[Feed::Debian(TRACKER), Feed::Nvd(NVD)]);
    let v = serde_json::to_value(run(&bookworm(), &store)).unwrap();
    for key in [
        "ok",
        "vulnerabilities",
        "dependencyCount",
        "uniqueCount",
        "packageManager",
        "summary",
        "projectName",
        "path",
        "platform",
        "docker",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let f = v["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "fixed")
        .unwrap();
    for key in [
        "id",
        "title",
        "severity",
        "severitySource",
        "cvssScore",
        "CVSSv3",
        "identifiers",
        "packageName",
        "name",
        "version",
        "nearestFixedInVersion",
        "fixedIn",
        "status",
        "from",
        "upgradePath",
        "isUpgradable",
        "introducedThrough",
        "exploitData",
    ] {
        assert!(f.get(key).is_some(), "missing vulnerabilities[].{key}: {f}");
    }
    assert_eq!(f["identifiers"]["CVE"][0], "CVE-2024-0001");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["severitySource"], "debian");
    let unfixed = &v["vulnerabilities"][0];
    assert_eq!(unfixed["identifiers"]["CVE"][0], "CVE-2024-0006");
    assert!(unfixed.get("nearestFixedInVersion").is_none());
}

/// Validates the version just at the fix for a language package: Jinja2 2.11.3 has only
/// the advisory without a fix.
#[test]
fn pypi_at_the_fixed_version() {
    let (_d, store) = store(&[Feed::Osv(OSV)]);
    let inv = image("py:1", ("debian", "12"), vec![python("jinja2", "2.11.3")]);
    let r = run(&inv, &store);
    assert_eq!(keys(&r), [("jinja2".into(), "PYSEC-2099-1".into())]);
    assert_eq!(
        r.vulnerabilities[0].from,
        ["docker-image|py@1", "jinja2@2.11.3"]
    );
    assert_eq!(r.package_manager.as_deref(), Some("pypi"));
}

/// Validates Ubuntu: the LTS spelling of the ecosystem, the source package, and Ubuntu's
/// own priority as the vendor severity.
#[test]
fn ubuntu_lts_ecosystem() {
    let ubuntu = r#"{"id": "UBUNTU-CVE-2024-2511", "upstream": ["CVE-2024-2511"],
      "details": "Unbounded memory growth with session handling in TLSv1.3",
      "severity": [{"type": "Ubuntu", "score": "low"},
                   {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
      "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
          {"fixed": "3.0.2-0ubuntu1.15"}]}]}]}"#;
    let (_d, store) = store(&[Feed::Osv(ubuntu)]);
    let mut lib = deb("libssl3", "3.0.2-0ubuntu1.14", Some(("openssl", "")));
    let inv = image("ubuntu:22.04", ("ubuntu", "22.04"), vec![lib.clone()]);
    let r = run(&inv, &store);
    let f = find(&r, "libssl3", "UBUNTU-CVE-2024-2511");
    assert_eq!(f.ecosystem, "Ubuntu:22.04:LTS");
    assert_eq!(f.package_manager, "ubuntu:22.04");
    assert_eq!(
        f.nearest_fixed_in_version.as_deref(),
        Some("3.0.2-0ubuntu1.15")
    );
    assert_eq!(
        (f.severity, &f.severity_source),
        (Severity::Low, &SeveritySource::Vendor("ubuntu".into()))
    );
    assert_eq!(f.cvss_score, Some(7.5));
    lib.version = "3.0.2-0ubuntu1.15".into();
    let inv = image("ubuntu:22.04", ("ubuntu", "22.04"), vec![lib]);
    assert!(run(&inv, &store).ok);
}

/// Validates the best-effort rpm path: an AlmaLinux record naming the binary rpm, compared
/// on the epoch-qualified version.
#[test]
fn almalinux_binary_rpm_with_epoch() {
    let alsa = r#"{"id": "ALSA-2024:0310", "related": ["CVE-2023-5678"],
      "summary": "Moderate: openssl security update",
      "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
          {"fixed": "1:3.0.7-25.el9_3"}]}]}]}"#;
    let (_d, store) = store(&[Feed::Osv(alsa)]);
    let rpm = |version: &str| Package {
        package_type: Some(PackageType::Rpm),
        name: "openssl-libs".into(),
        version: version.into(),
        epoch: Some(1),
        source_name: Some("openssl".into()),
        db_path: "var/lib/rpm/rpmdb.sqlite".into(),
        ..Package::default()
    };
    let inv = image(
        "almalinux:9",
        ("almalinux", "9.3"),
        vec![rpm("3.0.7-24.el9")],
    );
    let r = run(&inv, &store);
    let f = find(&r, "openssl-libs", "ALSA-2024:0310");
    assert_eq!(
        f.nearest_fixed_in_version.as_deref(),
        Some("1:3.0.7-25.el9_3")
    );
    assert_eq!(f.name, "openssl/openssl-libs");
    let inv = image(
        "almalinux:9",
        ("almalinux", "9.3"),
        vec![rpm("3.0.7-25.el9_3")],
    );
    assert!(run(&inv, &store).ok);
}

/// Validates Debian's end-of-life urgency: a finding with status end-of-life whose
/// severity falls through to the next source.
#[test]
fn debian_end_of_life() {
    let tracker = r#"{"zlib": {"CVE-2024-0012": {"description": "old release",
      "releases": {"buster": {"status": "open", "urgency": "end-of-life"}}}}}"#;
    let (_d, store) = store(&[Feed::Debian(tracker)]);
    let inv = image(
        "debian:10",
        ("debian", "10"),
        vec![deb("zlib1g", "1:1.2.11.dfsg-1", Some(("zlib", "")))],
    );
    let r = run(&inv, &store);
    let f = find(&r, "zlib1g", "CVE-2024-0012");
    assert_eq!(f.status, FindingStatus::EndOfLife);
    assert_eq!(
        (f.severity, &f.severity_source),
        (Severity::Unknown, &SeveritySource::None)
    );
}

/// Validates that a database with nothing for an ecosystem the image needs says so (S006)
/// instead of a silent clean result, while a covered ecosystem with no match stays quiet.
#[test]
fn empty_feed_is_reported() {
    let tracker = r#"{"zlib": {"CVE-2024-0013": {"description": "x",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-1", "urgency": "low"}}}}}"#;
    let (_d, store) = store(&[Feed::Debian(tracker)]);
    let inv = image(
        "app:1",
        ("debian", "12"),
        vec![
            deb("zlib1g", "1:1.2.13.dfsg-1", Some(("zlib", ""))),
            python("Jinja2", "2.11.2"),
            python("idna", "2.10"),
        ],
    );
    let r = run(&inv, &store);
    assert!(r.vulnerabilities.is_empty());
    let codes: Vec<(&str, &str)> = r
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(codes[0].0, crate::diagnostics::EMPTY_FEED.code);
    assert!(
        codes[0].1.contains("PyPI") && codes[0].1.contains("2 packages"),
        "{codes:?}"
    );
}

/// Validates matching at scale: 10,000 packages against 3,000 advisories give exactly the
/// 5,000 expected findings. Its speed is measured by `examples/match_bench.rs`.
#[test]
fn matching_ten_thousand_packages() {
    let mut tracker = serde_json::Map::new();
    for s in 0..1000 {
        let mut issues = serde_json::Map::new();
        for k in 0..3 {
            issues.insert(
                format!("CVE-2024-{:05}", s * 3 + k),
                serde_json::json!({"releases": {"bookworm": {"status": "resolved",
                    "fixed_version": format!("1.{k}-1"), "urgency": "medium"}}}),
            );
        }
        tracker.insert(format!("src{s}"), serde_json::Value::Object(issues));
    }
    let doc = serde_json::Value::Object(tracker).to_string();
    let (_d, store) = store(&[Feed::Debian(&doc)]);
    let packages: Vec<Package> = (0..10_000)
        .map(|i| {
            let mut p = deb(
                &format!("bin{i}"),
                "1.1-1",
                Some((&format!("src{}", i % 2000), "")),
            );
            p.depends = vec![format!("bin{}", (i + 1) % 10_000), "bin0".into()];
            p
        })
        .collect();
    let inv = image("big:1", ("debian", "12"), packages);
    let r = run(&inv, &store);
    assert_eq!(r.dependency_count, 10_000);
    assert_eq!(r.vulnerabilities.len(), 5_000);
}

/// An OSV Maven record as GitHub publishes it (jackson-databind, CVE-2020-36518): two ranges.
const OSV_MAVEN: &str = r#"[
  {"id": "GHSA-57j2-w4cx-62h2", "modified": "2024-03-15T00:00:00Z", "published": "2022-03-12T00:00:36Z",
   "aliases": ["CVE-2020-36518"],
   "summary": "Deeply nested json in jackson-databind",
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
   "affected": [
     {"package": {"ecosystem": "Maven", "name": "com.fasterxml.jackson.core:jackson-databind"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.12.6.1"}]}]},
     {"package": {"ecosystem": "Maven", "name": "com.fasterxml.jackson.core:jackson-databind"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.13.0"}, {"fixed": "2.13.2.1"}]}]}]}
]"#;

fn maven(name: &str, version: &str, db_path: &str) -> Package {
    Package {
        package_type: Some(PackageType::Maven),
        name: name.into(),
        version: version.into(),
        db_path: db_path.into(),
        ..Package::default()
    }
}

/// Validates Maven matching with Maven's version order: 2.12.6 is before the fix 2.12.6.1,
/// 2.13.0-rc1 is before 2.13.0 (so in neither range), 2.13.2.1 is the fix; a nested jar's
/// finding has the path outer jar > inner jar.
#[test]
fn maven_with_maven_version_order() {
    let (_d, store) = store(&[Feed::Osv(OSV_MAVEN)]);
    let jd = "com.fasterxml.jackson.core:jackson-databind";
    let mut app = maven("com.example:demo", "0.0.1", "app/app.jar");
    app.depends = vec![jd.into()];
    let inv = image(
        "java:1",
        ("debian", "12"),
        vec![
            app,
            maven(
                jd,
                "2.12.6",
                "app/app.jar!/BOOT-INF/lib/jackson-databind-2.12.6.jar",
            ),
            maven(jd, "2.13.0-rc1", "opt/a/jackson-databind-2.13.0-rc1.jar"),
            maven(jd, "2.13.2.1", "opt/b/jackson-databind-2.13.2.1.jar"),
        ],
    );
    let r = run(&inv, &store);
    assert_eq!(keys(&r), [(jd.into(), "CVE-2020-36518".into())]);
    let f = &r.vulnerabilities[0];
    assert_eq!(f.version, "2.12.6");
    assert_eq!(f.nearest_fixed_in_version.as_deref(), Some("2.12.6.1"));
    assert_eq!(
        (f.ecosystem.as_str(), f.package_manager.as_str()),
        ("Maven", "maven")
    );
    assert_eq!(
        f.from,
        [
            "docker-image|java@1",
            "com.example:demo@0.0.1",
            "com.fasterxml.jackson.core:jackson-databind@2.12.6"
        ]
    );
}

/// RustSec advisories written for these tests in the advisory-db layout: one with a GHSA
/// alias (and no CVE), an `unmaintained` one, and an `unsound` one limited to Windows.
const RUSTSEC: &[(&str, &str)] = &[
    (
        "crates/tinyvec-like/RUSTSEC-2099-0001.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "tinyvec-like"
date = "2099-01-02"
url = "https://example.org/tinyvec-like/issues/1"
aliases = ["GHSA-2099-abcd-wxyz"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

[versions]
patched = [">= 1.6.1"]
unaffected = ["< 1.0.0"]
```

# Buffer overflow in insert_many

Writes past the end of its buffer.
"#,
    ),
    (
        "crates/ttycheck/RUSTSEC-2099-0002.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2099-0002"
package = "ttycheck"
date = "2099-02-01"
informational = "unmaintained"

[versions]
patched = []
```

# ttycheck is unmaintained
"#,
    ),
    (
        "crates/ttycheck/RUSTSEC-2099-0003.md",
        r#"```toml
[advisory]
id = "RUSTSEC-2099-0003"
package = "ttycheck"
date = "2099-02-02"
informational = "unsound"

[affected]
os = ["windows"]

[versions]
patched = []
```

# Unaligned read on Windows
"#,
    ),
];

/// The GHSA record of the first RustSec advisory, as GitHub publishes it in OSV.
const OSV_GHSA_CRATE: &str = r#"[
  {"id": "GHSA-2099-abcd-wxyz", "modified": "2099-01-03T00:00:00Z", "published": "2099-01-03T00:00:00Z",
   "aliases": ["RUSTSEC-2099-0001"],
   "summary": "tinyvec-like buffer overflow",
   "affected": [
     {"package": {"ecosystem": "crates.io", "name": "tinyvec-like"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"fixed": "1.6.1"}]}]}]}
]"#;

fn cargo(name: &str, version: &str, origin: Option<&str>, depends: &[&str]) -> Package {
    Package {
        package_type: Some(PackageType::Cargo),
        name: name.into(),
        version: version.into(),
        db_path: "opt/app/bin/app".into(),
        origin: origin.map(Into::into),
        depends: depends.iter().map(|d| d.to_string()).collect(),
        ..Package::default()
    }
}

/// Validates crates.io matching: a RustSec advisory and its GHSA record are one finding
/// with both ids, on the crates.io crate only (not on the binary's own crate of the same
/// name, which is `S002`), with the path binary > crate; an unmaintained advisory is no
/// finding but `S009`; an unsound Windows-only one is nothing in a Linux image.
#[test]
fn crates_io_rustsec_and_ghsa_are_one_finding() {
    let (_d, store) = store(&[Feed::Rustsec(RUSTSEC), Feed::Osv(OSV_GHSA_CRATE)]);
    let inv = image(
        "rusty:1",
        ("debian", "12"),
        vec![
            cargo(
                "app",
                "0.1.0",
                Some("local"),
                &["tinyvec-like@1.6.0", "ttycheck@0.2.14"],
            ),
            cargo("tinyvec-like", "1.6.0", None, &[]),
            cargo("ttycheck", "0.2.14", None, &[]),
            cargo("tinyvec-like", "1.2.0", Some("git"), &[]),
            cargo("tinyvec-like", "1.6.1", None, &[]),
        ],
    );
    let r = run(&inv, &store);
    assert_eq!(r.vulnerabilities.len(), 1, "{:#?}", keys(&r));
    let f = &r.vulnerabilities[0];
    assert_eq!(
        (f.binary_name.as_str(), f.version.as_str()),
        ("tinyvec-like", "1.6.0")
    );
    let mut ids: Vec<&str> = std::iter::once(f.id.as_str())
        .chain(f.identifiers.alias.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["GHSA-2099-abcd-wxyz", "RUSTSEC-2099-0001"]);
    assert_eq!(f.advisories.len(), 2);
    assert_eq!(f.nearest_fixed_in_version.as_deref(), Some("1.6.1"));
    assert_eq!(
        (f.ecosystem.as_str(), f.package_manager.as_str()),
        ("crates.io", "cargo")
    );
    assert_eq!(
        f.from,
        ["docker-image|rusty@1", "app@0.1.0", "tinyvec-like@1.6.0"]
    );
    let diag = |code: &str| {
        r.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        diag("S009"),
        ["1 informational RustSec advisories are not findings: ttycheck 0.2.14: RUSTSEC-2099-0002 (unmaintained)"]
    );
    assert!(
        diag("S002")
            .iter()
            .any(|m| m.starts_with("2 packages not checked: not from their ecosystem's registry")),
        "{:?}",
        r.diagnostics
    );
    // Without a platform (a `dir:` target) the Windows-only unsound advisory is reported.
    let mut unknown = inv.clone();
    unknown.image.identity.platform = None;
    let r = run(&unknown, &store);
    assert!(
        keys(&r).contains(&("ttycheck".into(), "RUSTSEC-2099-0003".into())),
        "{:?}",
        keys(&r)
    );
}

/// OSV Go records as the Go vulnerability database publishes them: a stdlib record listing
/// `net/http` symbols (with a method), a stdlib record listing `crypto/tls` symbols, a
/// stdlib record with no symbols, and a module record with a pseudo-version and
/// `+incompatible` ranges, plus its GHSA alias (no symbols).
const OSV_GO: &str = r#"[
  {"id": "GO-2099-0001", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "aliases": ["CVE-2099-1001"], "summary": "Request smuggling in net/http",
   "affected": [{"package": {"ecosystem": "Go", "name": "stdlib"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.19.9"},
       {"introduced": "1.20.0-0"}, {"fixed": "1.20.4"}]}],
     "ecosystem_specific": {"imports": [{"path": "net/http",
       "symbols": ["Server.Serve", "ListenAndServe"]}]}}]},
  {"id": "GO-2099-0002", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "aliases": ["CVE-2099-1002"], "summary": "Panic in crypto/tls",
   "affected": [{"package": {"ecosystem": "Go", "name": "stdlib"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.19.10"}]}],
     "ecosystem_specific": {"imports": [{"path": "crypto/tls",
       "symbols": ["Conn.Handshake", "Dial"]}]}}]},
  {"id": "GO-2099-0003", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "aliases": ["CVE-2099-1003"], "summary": "Toolchain flaw",
   "affected": [{"package": {"ecosystem": "Go", "name": "stdlib"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.19.0"}, {"fixed": "1.19.12"}]}]}]},
  {"id": "GO-2099-0004", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "aliases": ["CVE-2099-1004", "GHSA-xxxx-yyyy-zzzz"], "summary": "Quadratic parsing",
   "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.17.0"}]}],
     "ecosystem_specific": {"imports": [{"path": "golang.org/x/net/html"}]}}]},
  {"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "aliases": ["CVE-2099-1004"], "summary": "Quadratic parsing",
   "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.17.0"}]}]}]},
  {"id": "GO-2099-0005", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
   "summary": "Flaw in an incompatible major",
   "affected": [{"package": {"ecosystem": "Go", "name": "github.com/docker/docker"},
     "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "20.10.11+incompatible"}]}],
     "ecosystem_specific": {"imports": [{"path": "github.com/docker/docker/pkg/archive",
       "symbols": ["Untar"]}]}}]}
]"#;

fn golang(name: &str, version: &str, symbols: Option<&[&str]>) -> Package {
    Package {
        package_type: Some(PackageType::Golang),
        name: name.into(),
        version: version.into(),
        db_path: "app/server".into(),
        symbols: symbols.map(|s| {
            let mut v: Vec<String> = s.iter().map(|x| x.to_string()).collect();
            v.sort();
            v
        }),
        ..Package::default()
    }
}

/// Validates Go matching: stdlib at the Go version against SEMVER ranges without `v`,
/// `v`-prefixed module versions, a pseudo-version before its release, `+incompatible`
/// versions, a `(devel)` main module never matched, the path main module > dependency, and
/// the vulnerable-symbol check: `present` (a method found), `absent` (symbols listed, none
/// there), `unknown` (none listed; symbols not read), an import listed without symbols
/// matched by any function of that package, and `--go-symbols-only` dropping only `absent`.
#[test]
fn go_modules_stdlib_and_vulnerable_symbols() {
    let (_d, store) = store(&[Feed::Osv(OSV_GO)]);
    let mut main = golang("example.com/app", "(devel)", Some(&["main.main"]));
    main.depends = vec![
        "stdlib".into(),
        "golang.org/x/net".into(),
        "github.com/docker/docker".into(),
    ];
    let inv = image(
        "app:1",
        ("debian", "12"),
        vec![
            main,
            golang(
                "stdlib",
                "1.19.8",
                Some(&[
                    "net/http.Server.Serve",
                    "net/http.Header.Get",
                    "fmt.Println",
                ]),
            ),
            golang(
                "golang.org/x/net",
                "v0.0.0-20230101000000-abcdef123456",
                Some(&["golang.org/x/net/html.Parse"]),
            ),
            golang("github.com/docker/docker", "v20.10.7+incompatible", None),
            // Not affected: at the fixed versions.
            golang("golang.org/x/net", "v0.17.0", Some(&[])),
            golang("github.com/docker/docker", "v20.10.11+incompatible", None),
        ],
    );
    let r = run(&inv, &store);
    let got: Vec<(String, String, String, &str)> = r
        .vulnerabilities
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                f.version.clone(),
                f.id.clone(),
                f.vulnerable_symbols.as_ref().unwrap().status.as_str(),
            )
        })
        .collect();
    let mut got = got;
    got.sort();
    let s = |a: &str, b: &str, c: &str, d: &'static str| (a.into(), b.into(), c.into(), d);
    assert_eq!(
        got,
        [
            s(
                "github.com/docker/docker",
                "v20.10.7+incompatible",
                "GO-2099-0005",
                "unknown"
            ),
            s(
                "golang.org/x/net",
                "v0.0.0-20230101000000-abcdef123456",
                "CVE-2099-1004",
                "present"
            ),
            s("stdlib", "1.19.8", "CVE-2099-1001", "present"),
            s("stdlib", "1.19.8", "CVE-2099-1002", "absent"),
            s("stdlib", "1.19.8", "CVE-2099-1003", "unknown"),
        ]
    );
    let http = find(&r, "stdlib", "CVE-2099-1001");
    let v = http.vulnerable_symbols.as_ref().unwrap();
    assert_eq!(v.found, ["net/http.Server.Serve"]);
    assert_eq!(
        v.listed,
        ["net/http.ListenAndServe", "net/http.Server.Serve"]
    );
    assert_eq!(http.nearest_fixed_in_version.as_deref(), Some("1.19.9"));
    assert_eq!(
        http.from,
        [
            "docker-image|app@1",
            "example.com/app@(devel)",
            "stdlib@1.19.8"
        ]
    );
    let net = find(&r, "golang.org/x/net", "CVE-2099-1004");
    assert_eq!(
        net.vulnerable_symbols.as_ref().unwrap().found,
        ["golang.org/x/net/html.Parse"]
    );
    assert_eq!(net.advisories.len(), 2, "GO and GHSA records merged");
    let json = serde_json::to_value(http).unwrap();
    assert_eq!(json["vulnerableSymbols"]["status"], "present");
    assert_eq!(
        json["vulnerableSymbols"]["found"][0],
        "net/http.Server.Serve"
    );

    let only = scan(
        &inv,
        &store,
        &ScanOptions {
            go_symbols_only: true,
            ..ScanOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<&str> = only.vulnerabilities.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(only.vulnerabilities.len(), 4, "{ids:?}");
    assert!(!ids.contains(&"CVE-2099-1002"));
}
