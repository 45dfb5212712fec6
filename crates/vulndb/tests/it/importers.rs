//! Importer tests: one fixture per published format, plus malformed records and feeds.

use std::io::{Cursor, Write};

use vulndb::import::{alpine, debian, epss, kev, nvd, osv};
use vulndb::{Advisory, Event, ImportError, Rating, SeverityKind, Status, MAX_KEPT_ERRORS};

use crate::{fixture, open};

fn by_id<'a>(items: &'a [Advisory], id: &str) -> &'a Advisory {
    items
        .iter()
        .find(|a| a.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

/// Validates a single OSV JSON record: ids, aliases, CVSS score, ranges, ecosystem_specific.
#[test]
fn osv_json_single_record() {
    let imp = osv::import_json("osv-go", open("osv/GO-2023-1571.json")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (1, 0));
    let a = &imp.items[0];
    assert_eq!(a.id.as_str(), "GO-2023-1571");
    assert_eq!(a.source, "osv-go");
    assert_eq!(a.aliases, ["CVE-2022-41723", "GHSA-vvpx-j8f3-3w6h"]);
    assert_eq!(a.severities[0].kind, SeverityKind::CvssV3);
    assert_eq!(a.severities[0].score, Some(7.5));
    assert_eq!(a.severities[0].rating, Some(Rating::High));
    assert_eq!(a.affected.len(), 2);
    let std = &a.affected[0];
    assert_eq!(
        (std.ecosystem.as_str(), std.package.as_str()),
        ("Go", "stdlib")
    );
    assert_eq!(std.status, Status::Fixed);
    assert_eq!(std.fixed_versions(), ["1.19.6", "1.20.1"]);
    assert_eq!(
        std.ranges[0].events[2],
        Event::Introduced("1.20.0-0".into())
    );
    assert!(std.ecosystem_specific.as_ref().unwrap()["imports"].is_array());
    assert_eq!(a.references.len(), 2);
    assert_eq!(a.cves(), ["CVE-2022-41723"]);
}

/// Validates a directory import: JSON, arrays, YAML, nested folders; malformed files are
/// skipped and counted with their names, non-record files ignored.
#[test]
fn osv_directory() {
    let imp = osv::import_dir("osv-mixed", &fixture("osv/dir")).unwrap();
    let ids: Vec<_> = imp.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["PYSEC-2022-1", "RUSTSEC-2021-0001", "GHSA-xxxx-yyyy-zzzz"]
    );
    assert_eq!(imp.report.records, 3);
    assert_eq!(imp.report.skipped, 2);
    let records: Vec<_> = imp
        .report
        .errors
        .iter()
        .map(|e| e.record.as_str())
        .collect();
    assert_eq!(records, ["bad-event.json (BAD-0001)", "broken.json"]);
    assert!(
        imp.report.errors[0].message.contains("exactly one"),
        "{:?}",
        imp.report.errors
    );
    assert!(imp.report.errors[1].message.contains("not valid JSON"));

    let rust = by_id(&imp.items, "RUSTSEC-2021-0001");
    assert!(rust.aliases.is_empty(), "null aliases read as empty");
    assert_eq!(
        rust.affected[0].status,
        Status::NotFixedYet,
        "last_affected only: no fix"
    );
    assert_eq!(
        rust.affected[0].purl.as_deref(),
        Some("pkg:cargo/example-crate")
    );
    assert_eq!(rust.severities[0].kind, SeverityKind::CvssV4);
    assert_eq!(rust.severities[0].score, Some(9.3));
    let ghsa = by_id(&imp.items, "GHSA-xxxx-yyyy-zzzz");
    assert_eq!(ghsa.withdrawn.as_deref(), Some("2024-02-01T00:00:00Z"));
    assert_eq!(ghsa.severities[0].kind, SeverityKind::CvssV2);
    assert_eq!(ghsa.severities[0].score, Some(7.5));
    assert_eq!(
        ghsa.affected[0].ranges[1].repo.as_deref(),
        Some("https://github.com/example/left-pad")
    );
    let pysec = by_id(&imp.items, "PYSEC-2022-1");
    assert_eq!(pysec.affected[0].normalized_package(), "zope-interface");
}

/// Validates an OSV record in YAML (the PyPA advisory-database form), with unquoted versions.
#[test]
fn osv_yaml_record() {
    let imp = osv::import_yaml("osv-pypi", open("osv/yaml/PYSEC-2021-66.yaml")).unwrap();
    assert_eq!(imp.report.records, 1);
    let a = &imp.items[0];
    assert_eq!(a.id.as_str(), "PYSEC-2021-66");
    assert_eq!(a.affected[0].fixed_versions(), ["2.11.3"]);
    assert_eq!(a.affected[0].versions, ["2.11.1", "2.11.2"]);
    assert_eq!(a.published.as_deref(), Some("2021-02-01T20:15:00Z"));
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
    buf.into_inner()
}

/// Validates the `all.zip` export: every JSON entry is a record, bad entries are skipped.
#[test]
fn osv_zip_export() {
    let go = std::fs::read(fixture("osv/GO-2023-1571.json")).unwrap();
    let rust = std::fs::read(fixture("osv/dir/RUSTSEC-2021-0001.json")).unwrap();
    let bytes = zip_of(&[
        ("GO-2023-1571.json", &go),
        ("RUSTSEC-2021-0001.json", &rust),
        ("BROKEN.json", b"{\"id\": "),
        ("notes.txt", b"ignored"),
    ]);
    let imp = osv::import_zip("osv-all", Cursor::new(bytes)).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (2, 1));
    assert_eq!(imp.report.errors[0].record, "BROKEN.json");
}

/// Validates that a truncated zip fails the whole feed, naming the source.
#[test]
fn osv_truncated_zip_fails_the_feed() {
    let go = std::fs::read(fixture("osv/GO-2023-1571.json")).unwrap();
    let bytes = zip_of(&[("GO-2023-1571.json", &go)]);
    let err = osv::import_zip("osv-go", Cursor::new(&bytes[..bytes.len() / 2])).unwrap_err();
    assert!(matches!(err, ImportError::Zip { .. }), "{err:?}");
    assert_eq!(err.feed(), "osv-go");
    assert!(err.to_string().contains("osv-go"), "{err}");
}

/// Validates that a feed that is not JSON fails as a whole, for every JSON importer.
#[test]
fn not_json_fails_the_feed() {
    let html = b"<html><body>502 Bad Gateway</body></html>";
    let errs = [
        osv::import_json("osv", &html[..]).unwrap_err(),
        debian::import("debian", &html[..]).unwrap_err(),
        alpine::import_json("alpine", &html[..]).unwrap_err(),
        nvd::import("nvd", &html[..]).unwrap_err(),
        kev::import("kev", &html[..]).unwrap_err(),
    ];
    for (err, name) in errs.iter().zip(["osv", "debian", "alpine", "nvd", "kev"]) {
        assert!(matches!(err, ImportError::Parse { .. }), "{err:?}");
        assert_eq!(err.feed(), name);
        assert!(
            err.to_string()
                .starts_with(&format!("{name}: input is not a valid")),
            "{err}"
        );
    }
    let err = epss::import("epss", &html[..]).unwrap_err();
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(cause.contains("cve,epss,percentile"), "{cause}");
}

/// Validates the Debian tracker mapping: resolved, fixed_version "0", open, no-dsa, ignored,
/// postponed, end-of-life, undetermined, unimportant; malformed issues are skipped.
#[test]
fn debian_tracker() {
    let imp = debian::import("debian", open("debian/tracker.json")).unwrap();
    assert_eq!(imp.report.records, 5);
    assert_eq!(imp.report.skipped, 2);
    let skipped: Vec<_> = imp
        .report
        .errors
        .iter()
        .map(|e| e.record.as_str())
        .collect();
    assert_eq!(
        skipped,
        ["util-linux/CVE-2099-0001", "util-linux/CVE-2099-0002"]
    );
    assert!(imp.report.errors[0]
        .message
        .contains("unknown status \"bogus\""));

    let find = |id: &str, eco: &str| {
        let a = by_id(&imp.items, id);
        a.affected
            .iter()
            .find(|x| x.ecosystem.as_str() == eco)
            .unwrap()
            .clone()
    };
    let ssh = by_id(&imp.items, "DEBIAN-CVE-2024-6387");
    assert_eq!(ssh.aliases, ["CVE-2024-6387"]);
    assert!(ssh.details.as_deref().unwrap().starts_with("regreSSHion"));
    let f = find("DEBIAN-CVE-2024-6387", "Debian:12");
    assert_eq!(f.package, "openssh");
    assert_eq!(f.status, Status::Fixed);
    assert_eq!(f.fixed_versions(), ["1:9.2p1-2+deb12u3"]);
    assert_eq!(f.vendor_severity.as_deref(), Some("high"));
    assert_eq!(
        f.ecosystem_specific.as_ref().unwrap()["codename"],
        "bookworm"
    );
    assert_eq!(f.database_specific.as_ref().unwrap()["debianbug"], 1074904);
    assert_eq!(
        find("DEBIAN-CVE-2024-6387", "Debian:11").status,
        Status::NotAffected
    );
    assert_eq!(
        find("DEBIAN-CVE-2024-6387", "Debian:unstable").status,
        Status::Fixed
    );

    let ncurses = find("DEBIAN-CVE-2023-50495", "Debian:12");
    assert_eq!(ncurses.status, Status::WillNotFix, "no-dsa");
    assert_eq!(
        ncurses.ecosystem_specific.as_ref().unwrap()["nodsa"],
        "Minor issue"
    );
    assert_eq!(
        find("DEBIAN-CVE-2023-50495", "Debian:13").status,
        Status::Fixed
    );

    let zlib = find("DEBIAN-CVE-2023-45853", "Debian:12");
    assert_eq!(zlib.status, Status::WillNotFix, "ignored");
    assert_eq!(zlib.vendor_severity.as_deref(), Some("unimportant"));
    assert_eq!(
        find("DEBIAN-CVE-2023-45853", "Debian:11").status,
        Status::NotFixedYet,
        "postponed"
    );

    let chfn = find("DEBIAN-CVE-2022-0563", "Debian:12");
    assert_eq!(chfn.status, Status::NotFixedYet);
    assert_eq!(chfn.ranges[0].events, [Event::Introduced("0".into())]);
    assert_eq!(
        find("DEBIAN-CVE-2022-0563", "Debian:10").status,
        Status::EndOfLife
    );
    assert_eq!(
        find("DEBIAN-CVE-2024-28085", "Debian:13").status,
        Status::Unknown,
        "undetermined"
    );
}

/// Validates Alpine secdb JSON: fixed versions, "0" as not affected, several ids per line,
/// a package without a name skipped.
#[test]
fn alpine_secdb_json() {
    let imp = alpine::import_json("alpine", open("alpine/v3.19-main.json")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (3, 1));
    assert_eq!(
        imp.report.errors[0].record, "packages[2]",
        "no name to show"
    );
    let a = by_id(&imp.items, "ALPINE-CVE-2023-6237");
    assert_eq!(a.aliases, ["CVE-2023-6237"]);
    let aff = &a.affected[0];
    assert_eq!(
        (aff.ecosystem.as_str(), aff.package.as_str()),
        ("Alpine:v3.19", "openssl")
    );
    assert_eq!(aff.status, Status::Fixed);
    assert_eq!(aff.fixed_versions(), ["3.1.4-r3"]);
    assert_eq!(aff.ecosystem_specific.as_ref().unwrap()["reponame"], "main");
    let na = by_id(&imp.items, "ALPINE-CVE-2022-1292");
    assert_eq!(na.affected[0].status, Status::NotAffected);
    assert!(na.affected[0].ranges.is_empty());
    assert_eq!(imp.items.len(), 7);
}

/// Validates Alpine secdb YAML: an integer `0` key, a prose suffix, a malformed package.
#[test]
fn alpine_secdb_yaml() {
    let imp = alpine::import_yaml("alpine", open("alpine/v3.11-main.yaml")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (2, 1));
    assert_eq!(imp.report.errors[0].record, "packages[2] (broken)");
    assert_eq!(
        by_id(&imp.items, "ALPINE-CVE-2022-1292").affected[0].status,
        Status::NotAffected
    );
    let musl = by_id(&imp.items, "ALPINE-CVE-2020-28928");
    assert_eq!(musl.affected[0].ecosystem.as_str(), "Alpine:v3.11");
    assert_eq!(musl.affected[0].fixed_versions(), ["1.1.24-r2"]);
    assert_eq!(imp.items.len(), 4);
}

/// Validates NVD 2.0: primary metric first, v2 rating from the metric level, a vector that
/// does not parse keeps NVD's own score, a non-CVE id is skipped.
#[test]
fn nvd_cve_api() {
    let imp = nvd::import("nvd", open("nvd/cves.json")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (3, 1));
    let ssh = &imp.items[0];
    assert_eq!(ssh.cve, "CVE-2024-6387");
    assert_eq!(ssh.severities[0].source.as_deref(), Some("nvd@nist.gov"));
    assert_eq!(ssh.severities[0].score, Some(9.8));
    assert_eq!(ssh.severities[1].rating, Some(Rating::High));
    assert!(ssh.description.as_deref().unwrap().contains("OpenSSH"));
    let hb = &imp.items[1];
    assert_eq!(hb.severities[0].kind, SeverityKind::CvssV2);
    assert_eq!(hb.severities[0].rating, Some(Rating::Medium));
    assert_eq!(hb.severities[1].kind, SeverityKind::CvssV4);
    let bad = &imp.items[2];
    assert_eq!(bad.severities[0].score, Some(7.5));
    assert_eq!(bad.severities[0].rating, Some(Rating::High));
}

/// Validates the KEV catalog: fields, ransomware flag, an entry without cveID skipped.
#[test]
fn kev_catalog() {
    let imp = kev::import("kev", open("kev/kev.json")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (2, 1));
    let log4j = &imp.items[0];
    assert_eq!(log4j.cve, "CVE-2021-44228");
    assert_eq!(
        (log4j.date_added.as_str(), log4j.due_date.as_str()),
        ("2021-12-10", "2021-12-24")
    );
    assert!(log4j.known_ransomware);
    assert!(!imp.items[1].known_ransomware);
}

/// Validates EPSS CSV with its comment line; out-of-range, non-CVE and unparsable rows skipped.
#[test]
fn epss_csv() {
    let (imp, info) = epss::import("epss", open("epss/epss.csv")).unwrap();
    assert_eq!(info.model_version.as_deref(), Some("v2023.03.01"));
    assert_eq!(info.score_date.as_deref(), Some("2024-07-10T00:00:00+0000"));
    assert_eq!((imp.report.records, imp.report.skipped), (3, 3));
    assert_eq!(imp.items[1].cve, "CVE-2021-44228");
    assert!((imp.items[1].epss - 0.97565).abs() < 1e-6);
    // Without the comment line (older files).
    let (imp, info) =
        epss::import("epss", &b"cve,epss,percentile\nCVE-2020-0001,0.5,0.5\n"[..]).unwrap();
    assert_eq!((imp.report.records, info.model_version), (1, None));
}

/// Validates that only the first MAX_KEPT_ERRORS record errors are kept, but all are counted.
#[test]
fn record_errors_are_capped() {
    let records: Vec<String> = (0..25)
        .map(|i| format!(r#"{{"id": "X-{i}", "affected": 5}}"#))
        .collect();
    let doc = format!("[{}]", records.join(","));
    let imp = osv::import_json("osv", doc.as_bytes()).unwrap();
    assert_eq!(imp.report.skipped, 25);
    assert_eq!(imp.report.errors.len(), MAX_KEPT_ERRORS);
    assert_eq!(imp.report.errors[0].record, "input[0] (X-0)");
}

/// Validates RustSec Markdown advisories: front matter, requirement sets turned into OSV
/// events, informational advisories, a bad requirement skipped, toolchain advisories left out.
#[test]
fn rustsec_directory() {
    use vulndb::import::rustsec;
    let imp = rustsec::import_dir("rustsec", &fixture("rustsec")).unwrap();
    assert_eq!((imp.report.records, imp.report.skipped), (2, 1));
    assert!(imp.report.errors[0].record.contains("RUSTSEC-2099-0001"));
    let sv = by_id(&imp.items, "RUSTSEC-2021-0003");
    assert_eq!(
        sv.summary.as_deref(),
        Some("Buffer overflow in insert_many")
    );
    assert_eq!(sv.severities[0].rating, Some(Rating::Critical));
    let aff = &sv.affected[0];
    assert_eq!(
        (aff.ecosystem.as_str(), aff.package.as_str()),
        ("crates.io", "smallvec-like")
    );
    assert_eq!(
        aff.ranges[0].events,
        [
            Event::Introduced("0.3.2".into()),
            Event::Fixed("0.6.14".into()),
            Event::Introduced("0.7.0".into()),
            Event::Fixed("1.6.1".into()),
        ]
    );
    assert!(aff.ecosystem_specific.as_ref().unwrap()["functions"].is_object());
    let old = by_id(&imp.items, "RUSTSEC-2020-0016");
    assert_eq!(old.affected[0].status, Status::NotFixedYet);
    assert_eq!(
        old.affected[0].database_specific.as_ref().unwrap()["informational"],
        "unmaintained"
    );
}
