//! Store tests: round trip, queries, errors on foreign files, atomic replacement.

use std::path::Path;

use vulndb::import::{alpine, debian, epss, kev, nvd, osv};
use vulndb::{Rating, SourceMeta, Status, Store, StoreError, SCHEMA_VERSION};

use crate::{fixture, open};

/// Builds a database from every fixture feed at `path` (via build_beside).
fn build_all(path: &Path) {
    let mut b = Store::build_beside(path).unwrap();
    let go = osv::import_json("osv-go", open("osv/GO-2023-1571.json")).unwrap();
    b.add_advisories(&SourceMeta::named("osv-go"), &go).unwrap();
    let dir = osv::import_dir("osv-mixed", &fixture("osv/dir")).unwrap();
    b.add_advisories(&SourceMeta::named("osv-mixed"), &dir)
        .unwrap();
    let pypi = osv::import_yaml("osv-pypi", open("osv/yaml/PYSEC-2021-66.yaml")).unwrap();
    b.add_advisories(&SourceMeta::named("osv-pypi"), &pypi)
        .unwrap();
    let deb = debian::import("debian", open("debian/tracker.json")).unwrap();
    let meta = SourceMeta {
        name: "debian".into(),
        url: Some("https://security-tracker.debian.org/tracker/data/json".into()),
        fetched_at: Some("2024-07-10T12:00:00Z".into()),
        etag: Some("\"abc\"".into()),
        last_modified: None,
    };
    b.add_advisories(&meta, &deb).unwrap();
    for (name, imp) in [
        (
            "alpine",
            alpine::import_json("alpine", open("alpine/v3.19-main.json")).unwrap(),
        ),
        (
            "alpine",
            alpine::import_yaml("alpine", open("alpine/v3.11-main.yaml")).unwrap(),
        ),
    ] {
        b.add_advisories(&SourceMeta::named(name), &imp).unwrap();
    }
    b.add_nvd(
        &SourceMeta::named("nvd"),
        &nvd::import("nvd", open("nvd/cves.json")).unwrap(),
    )
    .unwrap();
    b.add_kev(
        &SourceMeta::named("kev"),
        &kev::import("kev", open("kev/kev.json")).unwrap(),
    )
    .unwrap();
    let (scores, info) = epss::import("epss", open("epss/epss.csv")).unwrap();
    b.add_epss(&SourceMeta::named("epss"), &scores, &info)
        .unwrap();
    assert_eq!(b.commit().unwrap(), path);
}

/// Validates import → store → query returns advisories equal to what was imported.
#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db/shipshape.db");
    build_all(&path);
    let store = Store::open(&path).unwrap();

    let go = osv::import_json("osv-go", open("osv/GO-2023-1571.json")).unwrap();
    assert_eq!(store.advisories_for("Go", "stdlib").unwrap(), go.items);
    assert_eq!(
        store.advisories_for("Go", "golang.org/x/net").unwrap(),
        go.items
    );
    assert_eq!(
        store.advisory("GO-2023-1571").unwrap().as_ref(),
        Some(&go.items[0])
    );
    assert_eq!(store.advisory("GO-1999-0000").unwrap(), None);

    let pypi = osv::import_yaml("osv-pypi", open("osv/yaml/PYSEC-2021-66.yaml")).unwrap();
    assert_eq!(
        store.advisories_for("PyPI", "Jinja2").unwrap(),
        pypi.items,
        "PEP 503 lookup"
    );
    let zope = store.advisories_for("PyPI", "zope_interface").unwrap();
    assert_eq!(zope[0].id.as_str(), "PYSEC-2022-1");

    let deb = store.advisories_for("Debian:12", "openssh").unwrap();
    assert_eq!(deb.len(), 1);
    assert_eq!(deb[0].id.as_str(), "DEBIAN-CVE-2024-6387");
    assert!(
        store
            .advisories_for("Debian:12", "OpenSSH")
            .unwrap()
            .is_empty(),
        "Debian names are exact"
    );
    assert_eq!(
        store
            .advisories_for("Debian:10", "util-linux")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .advisories_for("Debian:12", "util-linux")
            .unwrap()
            .len(),
        2
    );
}

/// Validates that the same advisory from two Alpine branches is merged into one.
#[test]
fn merges_same_id_across_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    build_all(&path);
    let store = Store::open(&path).unwrap();
    let a = store.advisory("ALPINE-CVE-2022-1292").unwrap().unwrap();
    let ecos: Vec<_> = a.affected.iter().map(|x| x.ecosystem.as_str()).collect();
    assert_eq!(ecos, ["Alpine:v3.19", "Alpine:v3.11"]);
    assert!(a.affected.iter().all(|x| x.status == Status::NotAffected));
    assert_eq!(a.aliases, ["CVE-2022-1292"]);
    assert_eq!(
        store
            .advisories_for("Alpine:v3.11", "openssl")
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store
            .advisories_for("Alpine:v3.19", "openssl")
            .unwrap()
            .len(),
        4
    );
}

/// Validates aliases in both directions, KEV, EPSS, NVD severity and status.
#[test]
fn enrichment_queries_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    build_all(&path);
    let store = Store::open(&path).unwrap();

    assert_eq!(
        store.aliases_of("CVE-2024-6387").unwrap(),
        ["DEBIAN-CVE-2024-6387"]
    );
    assert_eq!(
        store.aliases_of("GO-2023-1571").unwrap(),
        ["CVE-2022-41723", "GHSA-vvpx-j8f3-3w6h"]
    );
    assert_eq!(
        store.aliases_of("CVE-2022-1292").unwrap(),
        ["ALPINE-CVE-2022-1292"]
    );

    let k = store.kev("CVE-2021-44228").unwrap().unwrap();
    assert!(k.known_ransomware);
    assert_eq!(store.kev("CVE-2000-0001").unwrap(), None);
    let e = store.epss("CVE-2024-6387").unwrap().unwrap();
    assert!((e.epss - 0.84527).abs() < 1e-6 && (e.percentile - 0.98565).abs() < 1e-6);
    assert_eq!(store.epss("CVE-2000-0001").unwrap(), None);
    let s = store.nvd_severity("CVE-2024-6387").unwrap().unwrap();
    assert_eq!((s.score, s.rating), (Some(9.8), Some(Rating::Critical)));
    assert_eq!(
        store
            .nvd("CVE-2014-0160")
            .unwrap()
            .unwrap()
            .severities
            .len(),
        2
    );
    assert_eq!(
        store.meta("epss.model_version").unwrap().as_deref(),
        Some("v2023.03.01")
    );

    let st = store.status().unwrap();
    assert_eq!(st.schema_version, SCHEMA_VERSION);
    assert!(st.built_at.is_some());
    let names: Vec<_> = st.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "alpine",
            "debian",
            "epss",
            "kev",
            "nvd",
            "osv-go",
            "osv-mixed",
            "osv-pypi"
        ]
    );
    let alpine = &st.sources[0];
    assert_eq!(
        (alpine.record_count, alpine.skipped_count),
        (5, 2),
        "counts add up over files"
    );
    let debian = &st.sources[1];
    assert_eq!(debian.etag.as_deref(), Some("\"abc\""));
    assert_eq!((debian.record_count, debian.skipped_count), (5, 2));
    assert_eq!(st.counts.kev, 2);
    assert_eq!(st.counts.epss, 3);
    assert_eq!(st.counts.nvd, 3);
    assert_eq!(st.counts.advisories, 1 + 3 + 1 + 5 + 10);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["counts"]["kev"], 2);
}

/// Validates that the file is readable with plain SQL: readable columns beside the JSON.
#[test]
fn readable_with_plain_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    build_all(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (severity, score, summary): (String, f64, String) = conn
        .query_row(
            "SELECT severity, score, summary FROM advisories WHERE id = 'GO-2023-1571'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((severity.as_str(), score), ("high", 7.5));
    assert!(summary.starts_with("Denial of service"));
    let fixed: String = conn
        .query_row(
            "SELECT fixed FROM affected WHERE ecosystem = 'Debian:12' AND package = 'openssh'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fixed, "1:9.2p1-2+deb12u3");
}

/// Validates clear errors for a missing file, an empty file, a non-SQLite file, someone
/// else's SQLite file and a database of another schema version.
#[test]
fn open_rejects_what_is_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    assert!(matches!(
        Store::open(&missing),
        Err(StoreError::NotFound { .. })
    ));

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Store::open(&empty),
        Err(StoreError::NotADatabase { .. })
    ));

    let text = dir.path().join("text.db");
    std::fs::write(
        &text,
        "this is not a database, just text that is long enough\n".repeat(100),
    )
    .unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("text.db") && err.to_string().contains("not an SQLite file"));

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let err = Store::open(&foreign).unwrap_err();
    assert!(matches!(err, StoreError::NotOurs { .. }), "{err:?}");

    let old = dir.path().join("old.db");
    Store::create(&old).unwrap().commit().unwrap();
    Store::open(&old).unwrap();
    rusqlite::Connection::open(&old)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let err = Store::open(&old).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SchemaVersion {
                found: 99,
                expected: SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

/// Validates that `Store::create` refuses to overwrite, and that abort removes its file.
#[test]
fn create_refuses_existing_and_abort_removes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let b = Store::create(&path).unwrap();
    assert!(path.exists());
    assert!(matches!(
        Store::create(&path),
        Err(StoreError::Exists { .. })
    ));
    b.abort().unwrap();
    assert!(!path.exists());
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Validates build_beside + commit: the old file is untouched until the rename, an already
/// open store keeps answering from the old data, and no temporary file is left.
#[test]
fn build_beside_commit_swaps_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    let mut b = Store::build_beside(&path).unwrap();
    let kev1 = kev::import("kev", open("kev/kev.json")).unwrap();
    b.add_kev(&SourceMeta::named("kev"), &kev1).unwrap();
    b.commit().unwrap();
    let old = Store::open(&path).unwrap();
    let before = std::fs::read(&path).unwrap();

    let mut b = Store::build_beside(&path).unwrap();
    let temp = b.path().to_owned();
    assert_eq!(
        temp,
        dir.path()
            .join(format!("shipshape.db.tmp-{}", std::process::id()))
    );
    let go = osv::import_json("osv-go", open("osv/GO-2023-1571.json")).unwrap();
    b.add_advisories(&SourceMeta::named("osv-go"), &go).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "old file untouched while building"
    );
    assert!(old.kev("CVE-2021-44228").unwrap().is_some());
    b.commit().unwrap();

    assert_eq!(dir_entries(dir.path()), ["shipshape.db"]);
    let new = Store::open(&path).unwrap();
    assert_eq!(new.advisories_for("Go", "stdlib").unwrap().len(), 1);
    assert_eq!(
        new.kev("CVE-2021-44228").unwrap(),
        None,
        "a build replaces, not appends"
    );
    // The store opened before the swap still reads the old file.
    assert!(old.kev("CVE-2021-44228").unwrap().is_some());
    assert!(old.advisories_for("Go", "stdlib").unwrap().is_empty());
}

/// Validates that abort (and drop) leave the old database untouched and still answering.
#[test]
fn abort_and_drop_leave_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    let mut b = Store::build_beside(&path).unwrap();
    b.add_kev(
        &SourceMeta::named("kev"),
        &kev::import("kev", open("kev/kev.json")).unwrap(),
    )
    .unwrap();
    b.commit().unwrap();
    let before = std::fs::read(&path).unwrap();

    let mut b = Store::build_beside(&path).unwrap();
    let go = osv::import_json("osv-go", open("osv/GO-2023-1571.json")).unwrap();
    b.add_advisories(&SourceMeta::named("osv-go"), &go).unwrap();
    // The next feed fails as a whole: the update is abandoned.
    assert!(kev::import("kev", &b"<html>"[..]).is_err());
    b.abort().unwrap();
    assert_eq!(dir_entries(dir.path()), ["shipshape.db"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let store = Store::open(&path).unwrap();
    assert!(store.kev("CVE-2021-44228").unwrap().is_some());

    {
        let mut b = Store::build_beside(&path).unwrap();
        b.add_advisories(&SourceMeta::named("osv-go"), &go).unwrap();
        // Dropped without commit, as on an error path.
    }
    assert_eq!(dir_entries(dir.path()), ["shipshape.db"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(store.kev("CVE-2021-44228").unwrap().is_some());
}

/// Validates lookups plus `matches` on the stored fixtures: fixed, not affected, will not fix.
#[test]
fn stored_advisories_match_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipshape.db");
    build_all(&path);
    let store = Store::open(&path).unwrap();
    let hits = |eco: &str, pkg: &str, v: &str| -> Vec<String> {
        store
            .advisories_for(eco, pkg)
            .unwrap()
            .iter()
            .filter(|a| vulndb::matches(a, eco, pkg, v).unwrap().is_some())
            .map(|a| a.id.to_string())
            .collect()
    };
    assert_eq!(
        hits("Debian:12", "openssh", "1:9.2p1-2+deb12u2"),
        ["DEBIAN-CVE-2024-6387"]
    );
    assert!(hits("Debian:12", "openssh", "1:9.2p1-2+deb12u3").is_empty());
    assert!(
        hits("Debian:11", "openssh", "1:8.4p1-5+deb11u3").is_empty(),
        "fixed_version 0"
    );
    assert_eq!(
        hits("Debian:12", "zlib", "1:1.2.13.dfsg-1"),
        ["DEBIAN-CVE-2023-45853"]
    );
    assert_eq!(hits("Go", "stdlib", "go1.20.0"), ["GO-2023-1571"]);
    assert!(hits("Go", "stdlib", "go1.20.1").is_empty());
    assert_eq!(hits("PyPI", "Jinja2", "2.11.2"), ["PYSEC-2021-66"]);
    assert_eq!(
        hits("Alpine:v3.19", "openssl", "3.1.4-r2"),
        ["ALPINE-CVE-2023-6129", "ALPINE-CVE-2023-6237"]
    );
    assert!(
        hits("Alpine:v3.19", "openssl", "3.1.4-r0").contains(&"ALPINE-CVE-2023-5678".to_owned())
    );
    assert!(hits("npm", "left-pad", "1.0.0").is_empty(), "withdrawn");
    assert_eq!(
        hits("crates.io", "example-crate", "0.3.2"),
        ["RUSTSEC-2021-0001"]
    );
    assert!(
        hits("crates.io", "example-crate", "0.3.3").is_empty(),
        "last_affected is inclusive"
    );
}
