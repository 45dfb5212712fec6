//! The Debian tracker's `data/CVE/list` and DSA/DLA list importer, against fixtures written
//! in that format (`tests/fixtures/debian/CVE-list`, `DSA-list`), and — when
//! `SHIPSHAPE_VULNDATA` is set — against the real sample in the shared data folder.

#![allow(clippy::print_stderr)]

use std::path::PathBuf;

use vulndb::import::debian_text::{self, DebianTextImporter};
use vulndb::{Advisory, Status};

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/debian")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn get<'a>(items: &'a [Advisory], id: &str) -> &'a Advisory {
    items
        .iter()
        .find(|a| a.id.as_str() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

/// (status, fixed versions, vendor severity) of one package in one release.
fn state(adv: &Advisory, eco: &str, pkg: &str) -> Option<(Status, Vec<String>, Option<String>)> {
    adv.affected
        .iter()
        .find(|a| a.ecosystem.as_str() == eco && a.package == pkg)
        .map(|a| {
            (
                a.status,
                a.fixed_versions().into_iter().map(str::to_owned).collect(),
                a.vendor_severity.clone(),
            )
        })
}

#[test]
fn cve_list_statuses_and_fallback() {
    let imported =
        debian_text::import_cve_list("debian-list", fixture("CVE-list").as_bytes()).unwrap();
    let r = &imported.report;
    // 0001-0004 and 0008; 0005 (RESERVED) and 0006 (NOT-FOR-US) have no packages; 0007 is broken.
    assert_eq!((r.records, r.skipped), (5, 1), "{r:?}");
    assert!(r.errors[0].record.contains("CVE-2025-0007"), "{r:?}");
    let items = &imported.items;

    let a = get(items, "DEBIAN-CVE-2025-0001");
    assert_eq!(a.aliases, ["CVE-2025-0001"]);
    assert_eq!(a.related, ["DSA-9001-1", "DLA-8001-1"]);
    assert!(a.details.as_deref().unwrap().starts_with("Heap overflow"));
    assert_eq!(
        state(a, "Debian:unstable", "libfoo"),
        Some((Status::Fixed, vec!["2.4-3".into()], None))
    );
    // No [bookworm] line: the unstable line is the fallback.
    assert_eq!(state(a, "Debian:12", "libfoo").unwrap().1, ["2.4-3"]);
    assert_eq!(
        state(a, "Debian:11", "libfoo").unwrap().0,
        Status::WillNotFix
    );
    assert_eq!(
        state(a, "Debian:10", "libfoo").unwrap().0,
        Status::EndOfLife
    );
    let bookworm = a
        .affected
        .iter()
        .find(|x| x.ecosystem.as_str() == "Debian:12")
        .unwrap();
    assert_eq!(
        bookworm.ecosystem_specific.as_ref().unwrap()["inferred_from"],
        "unstable"
    );
    assert_eq!(
        bookworm.database_specific.as_ref().unwrap()["debianbug"],
        1000001
    );

    let b = get(items, "DEBIAN-CVE-2025-0002");
    assert_eq!(state(b, "Debian:12", "bar").unwrap().0, Status::NotAffected);
    assert!(vulndb::matches(b, "Debian:12", "bar", "4.0-1")
        .unwrap()
        .is_none());
    assert!(vulndb::matches(b, "Debian:11", "bar", "4.0-1")
        .unwrap()
        .is_some());

    let c = get(items, "DEBIAN-CVE-2025-0003");
    assert_eq!(
        state(c, "Debian:12", "baz"),
        Some((Status::NotFixedYet, vec![], Some("unimportant".into())))
    );

    let d = get(items, "DEBIAN-CVE-2025-0004");
    assert_eq!(state(d, "Debian:12", "qux").unwrap().0, Status::WillNotFix);
    assert_eq!(
        state(d, "Debian:11", "qux").unwrap().2.as_deref(),
        Some("low")
    );
    // <removed> in unstable: no entry there, nor inferred ones.
    assert!(state(d, "Debian:unstable", "libqux").is_none());
    assert!(state(d, "Debian:11", "libqux").is_none());
    assert_eq!(
        state(d, "Debian:12", "libqux").unwrap().1,
        ["1.0-1+deb12u1"]
    );
    assert_eq!(
        state(d, "Debian:13", "libqux").unwrap().0,
        Status::NotFixedYet
    );

    let e = get(items, "DEBIAN-CVE-2025-0008");
    assert_eq!(state(e, "Debian:unstable", "sidpkg").unwrap().1, ["1.2-1"]);
}

#[test]
fn announcements_refine_the_fallback() {
    let mut imp = DebianTextImporter::new("debian-text");
    imp.add_cve_list(&fixture("CVE-list"));
    imp.add_announcement_list(&fixture("DSA-list"));
    let imported = imp.finish();
    assert_eq!(imported.report.records, 5 + 3);
    let a = get(&imported.items, "DEBIAN-CVE-2025-0001");
    // The DSA's bookworm version replaces the inferred unstable one …
    assert_eq!(
        state(a, "Debian:12", "libfoo").unwrap().1,
        ["2.2-1+deb12u1"]
    );
    assert!(vulndb::matches(a, "Debian:12", "libfoo", "2.2-1+deb12u1")
        .unwrap()
        .is_none());
    assert!(vulndb::matches(a, "Debian:12", "libfoo", "2.2-1")
        .unwrap()
        .is_some());
    // … but never an explicit [release] line of the CVE list.
    assert_eq!(
        state(a, "Debian:11", "libfoo").unwrap().0,
        Status::WillNotFix
    );
    // A CVE only named by an announcement still gets an advisory.
    let o = get(&imported.items, "DEBIAN-CVE-2025-0099");
    assert_eq!(o.related, ["DSA-9002-1"]);
    assert_eq!(state(o, "Debian:12", "other").unwrap().1, ["3.0-1+deb12u1"]);
}

#[test]
fn other_documents_fail_the_feed() {
    assert!(debian_text::import_cve_list("x", &b"{\"json\": true}"[..]).is_err());
    assert!(debian_text::import_announcement_list("x", &b"CVE-2025-0001 (x)\n"[..]).is_err());
    assert!(debian_text::import_cve_list("x", &b"\xff\xfe"[..]).is_err());
}

/// The real tracker sample: every expected outcome listed in vulndata/README.md (bookworm).
#[test]
fn real_sample_when_available() {
    let Some(dir) = std::env::var_os("SHIPSHAPE_VULNDATA").map(PathBuf::from) else {
        eprintln!("SKIPPED: SHIPSHAPE_VULNDATA is not set");
        return;
    };
    let read = |n: &str| std::fs::read_to_string(dir.join("debian").join(n)).unwrap();
    let mut imp = DebianTextImporter::new("debian-text");
    imp.add_cve_list(&read("sample-tracker-CVE-list.txt"));
    imp.add_announcement_list(&read("sample-tracker-DSA-list.txt"));
    let imported = imp.finish();
    assert_eq!(imported.report.skipped, 0, "{:?}", imported.report);
    let items = &imported.items;
    for (cve, pkg, fixed) in [
        ("CVE-2024-6387", "openssh", "1:9.2p1-2+deb12u3"),
        ("CVE-2023-4911", "glibc", "2.36-9+deb12u3"),
        ("CVE-2024-2961", "glibc", "2.36-9+deb12u6"),
        ("CVE-2023-38545", "curl", "7.88.1-10+deb12u4"),
        ("CVE-2024-28085", "util-linux", "2.38.1-5+deb12u1"),
        ("CVE-2024-45490", "expat", "2.5.0-1+deb12u1"),
    ] {
        let a = get(items, &format!("DEBIAN-{cve}"));
        assert_eq!(state(a, "Debian:12", pkg).unwrap().1, [fixed], "{cve}");
    }
    let s = |cve: &str, pkg: &str| {
        state(get(items, &format!("DEBIAN-{cve}")), "Debian:12", pkg).unwrap()
    };
    assert_eq!(s("CVE-2024-3094", "xz-utils").0, Status::NotAffected);
    assert_eq!(s("CVE-2023-50495", "ncurses").0, Status::WillNotFix);
    assert_eq!(s("CVE-2023-45853", "zlib").0, Status::WillNotFix);
    assert_eq!(s("CVE-2022-0563", "util-linux").0, Status::NotFixedYet);
    assert_eq!(
        s("CVE-2022-0563", "util-linux").2.as_deref(),
        Some("unimportant")
    );
    assert_eq!(s("CVE-2011-3374", "apt").0, Status::NotFixedYet);
    assert_eq!(s("CVE-2011-3374", "apt").2.as_deref(), Some("unimportant"));
}
