//! Tests of rpm file ownership: the file lists of the fixture databases against rpm's own
//! listing, every language analyzer skipping metadata an rpm owns, the shared real
//! databases, and inconsistent file lists.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::sync::Arc;

use super::header::tests::{blob, s};
use super::*;
use crate::analyzers::{Composer, DotNet, Gem, Java, Npm, Python};

/// The ownership fixtures (scripts/fixtures/rpmdb-owned.sh): one rpm in each format.
const FIXTURES: [(&str, &str); 3] = [
    ("rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"),
    ("Packages", "var/lib/rpm/Packages"),
    ("Packages.db", "usr/lib/sysimage/rpm/Packages.db"),
];

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rpm-owned");
    std::fs::read(dir.join(name)).unwrap()
}

fn owned(files: &FileSet, relevant: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = HashSet::new();
    owned_paths(files, relevant, &mut out);
    out.into_iter().collect()
}

/// Validates the file list read from each format against `rpm -qal` on the same database.
#[test]
fn file_lists_match_rpm_in_all_formats() {
    let expected: BTreeSet<String> = String::from_utf8(fixture("files.txt"))
        .unwrap()
        .lines()
        .map(|l| l.trim_start_matches('/').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(expected.len() >= 12, "{expected:?}");
    for (file, path) in FIXTURES {
        let mut files = FileSet::new();
        files.insert(path.into(), Arc::new(fixture(file)));
        assert_eq!(owned(&files, &|_| true), expected, "{file}");
        let a = Rpm.analyze(&files).unwrap();
        assert!(a.warnings.is_empty(), "{file}: {:?}", a.warnings);
        assert_eq!(a.packages.len(), 1);
        assert_eq!(owned(&files, &|p| p.ends_with(".jar")).len(), 1, "{file}");
    }
}

/// A minimal zip holding one pom.properties: a jar the java analyzer reads.
fn jar() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "META-INF/maven/com.example/shipfix/pom.properties",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(b"groupId=com.example\nartifactId=shipfix\nversion=1.0\n")
        .unwrap();
    w.finish().unwrap().into_inner()
}

/// Validates that every language analyzer skips the metadata the rpm owns, in each database
/// format, and still reports the same metadata at a path no package owns.
#[test]
fn language_analyzers_skip_rpm_owned_metadata() {
    let metadata: Vec<(&str, Vec<u8>)> = vec![
        (
            "usr/lib/python3.12/site-packages/shipfix-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: shipfix\nVersion: 1.0\n".to_vec(),
        ),
        (
            "usr/lib/node_modules/shipfix/package.json",
            br#"{"name": "shipfix", "version": "1.0.0"}"#.to_vec(),
        ),
        (
            "usr/share/gems/specifications/shipfix-1.0.gemspec",
            b"Gem::Specification.new do |s|\n  s.name = \"shipfix\".freeze\n  s.version = \"1.0\"\nend\n"
                .to_vec(),
        ),
        ("usr/share/java/shipfix-1.0.jar", jar()),
        (
            "usr/lib/shipfix/Shipfix.deps.json",
            br#"{"libraries": {"Shipfix/1.0.0": {"type": "package"}}}"#.to_vec(),
        ),
        (
            "usr/share/shipfix/vendor/composer/installed.json",
            br#"[{"name": "shipfix/shipfix", "version": "1.0.0"}]"#.to_vec(),
        ),
    ];
    let analyzers: Vec<Box<dyn Analyzer>> = vec![
        Box::new(Python),
        Box::new(Npm),
        Box::new(Gem),
        Box::new(Java),
        Box::new(DotNet),
        Box::new(Composer),
    ];
    for (file, db_path) in FIXTURES {
        let mut files = FileSet::new();
        files.insert(db_path.into(), Arc::new(fixture(file)));
        for (path, data) in &metadata {
            files.insert(path.to_string(), Arc::new(data.clone()));
            files.insert(format!("opt/{path}"), Arc::new(data.clone()));
        }
        for a in &analyzers {
            assert!(a.wants(db_path), "{} does not read {db_path}", a.name());
            assert_eq!(a.max_size_of(db_path), MAX_DB_SIZE, "{}", a.name());
            // What the walk gives the analyzer: wanted files as they are, picked ones as
            // its `reduce` left them.
            let view: FileSet = files
                .iter()
                .filter_map(|(p, d)| {
                    let head = &d[..d.len().min(crate::analyzer::HEAD_LEN)];
                    if a.wants(p) {
                        Some((p.clone(), d.clone()))
                    } else if a.picks(p, 0o644, head) {
                        a.reduce(p, d).map(|r| (p.clone(), Arc::new(r)))
                    } else {
                        None
                    }
                })
                .collect();
            let got = a.analyze(&view).unwrap();
            let paths: Vec<&str> = got.packages.iter().map(|p| p.db_path.as_str()).collect();
            assert_eq!(paths.len(), 1, "{} with {file}: {paths:?}", a.name());
            assert!(
                paths[0].starts_with("opt/"),
                "{} with {file}: {paths:?}",
                a.name()
            );
        }
    }
}

/// Validates the shared real databases' file lists, when `SHIPSHAPE_SHARED_TESTDATA` points
/// at them: every header's list is consistent (no warning from the analyzer, checked in
/// tests.rs), and files Debian's rpm 4.18 lists for them (`rpm -ql` on the same databases;
/// it cannot read NDB) are owned here too.
#[test]
fn shared_real_databases_own_their_files() {
    let Ok(dir) = std::env::var("SHIPSHAPE_SHARED_TESTDATA") else {
        #[allow(clippy::print_stdout)]
        {
            println!("notice: SHIPSHAPE_SHARED_TESTDATA not set, skipping real rpm databases");
        }
        return;
    };
    let dir = std::path::Path::new(&dir).join("rpmdb");
    for (case, file, path, owned_files) in [
        (
            "cbl-mariner-2.0",
            "rpmdb.sqlite",
            "var/lib/rpm/rpmdb.sqlite",
            &[
                "bin/bash",
                "etc/os-release",
                "usr/lib/python3.9/site-packages",
            ][..],
        ),
        (
            "libuuid-el8",
            "Packages",
            "var/lib/rpm/Packages",
            &[
                "usr/lib64/libuuid.so.1",
                "usr/share/licenses/libuuid/COPYING",
            ][..],
        ),
        (
            "sle15-bci",
            "Packages.db",
            "usr/lib/sysimage/rpm/Packages.db",
            &[][..],
        ),
    ] {
        let mut files = FileSet::new();
        files.insert(
            path.into(),
            Arc::new(std::fs::read(dir.join(case).join(file)).unwrap()),
        );
        let all = owned(&files, &|_| true);
        assert!(all.len() > 5, "{case}: {all:?}");
        for f in owned_files {
            assert!(all.contains(*f), "{case}: {f} not owned");
        }
        assert!(!all.iter().any(|p| p.starts_with('/') || p.ends_with('/')));
    }
}

/// A sqlite rpm database holding `blobs`, written with rusqlite (rpm's own schema:
/// `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`).
fn sqlite_db(blobs: &[Vec<u8>]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpmdb.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
        [],
    )
    .unwrap();
    for b in blobs {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
            .unwrap();
    }
    drop(conn);
    std::fs::read(&path).unwrap()
}

/// A header with a name, version, release and the given file-list entries.
fn package(name: &str, files: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut e = vec![s(1000, name), s(1001, "1.0"), s(1002, "1")];
    e.extend(files.iter().cloned());
    blob(&e)
}

fn strings(tag: u32, v: &[&str]) -> (u32, u32, u32, Vec<u8>) {
    let mut d = Vec::new();
    for x in v {
        d.extend_from_slice(x.as_bytes());
        d.push(0);
    }
    (tag, 8, v.len() as u32, d)
}

fn ints(tag: u32, v: &[u32]) -> (u32, u32, u32, Vec<u8>) {
    (
        tag,
        4,
        v.len() as u32,
        v.iter().flat_map(|i| i.to_be_bytes()).collect(),
    )
}

/// Validates that inconsistent file lists (counts that disagree, an index out of range, a
/// count larger than the data) are one warning each from the analyzer, own nothing, and do
/// not hide the other packages' files; OLDFILENAMES of old headers are read.
#[test]
fn inconsistent_file_lists() {
    let good = package(
        "good",
        &[
            strings(TAG_BASENAMES, &["a.py", "b.py"]),
            strings(TAG_DIRNAMES, &["/usr/lib/x/", "/usr/lib/y/"]),
            ints(TAG_DIRINDEXES, &[0, 1]),
        ],
    );
    let counts = package(
        "counts",
        &[
            strings(TAG_BASENAMES, &["c.py", "d.py"]),
            strings(TAG_DIRNAMES, &["/usr/lib/z/"]),
            ints(TAG_DIRINDEXES, &[0]),
        ],
    );
    let range = package(
        "range",
        &[
            strings(TAG_BASENAMES, &["e.py"]),
            strings(TAG_DIRNAMES, &["/usr/lib/z/"]),
            ints(TAG_DIRINDEXES, &[7]),
        ],
    );
    let huge = package(
        "huge",
        &[
            (TAG_BASENAMES, 8, u32::MAX, b"f.py\0".to_vec()),
            strings(TAG_DIRNAMES, &["/usr/lib/z/"]),
            ints(TAG_DIRINDEXES, &[0]),
        ],
    );
    let old = package("old", &[strings(TAG_OLDFILENAMES, &["/usr/lib/old/g.py"])]);
    let mut files = FileSet::new();
    files.insert(
        "var/lib/rpm/rpmdb.sqlite".into(),
        Arc::new(sqlite_db(&[good, counts, range, huge, old])),
    );
    let a = Rpm.analyze(&files).unwrap();
    assert_eq!(a.packages.len(), 5);
    assert_eq!(a.warnings.len(), 3, "{:?}", a.warnings);
    for (w, name) in a.warnings.iter().zip(["counts", "range", "huge"]) {
        assert!(
            w.starts_with(&format!(
                "var/lib/rpm/rpmdb.sqlite: {name}: file list unreadable"
            )),
            "{w}"
        );
    }
    assert_eq!(
        owned(&files, &|_| true),
        ["usr/lib/old/g.py", "usr/lib/x/a.py", "usr/lib/y/b.py"]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
}
