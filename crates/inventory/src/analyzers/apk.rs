//! The apk analyzer: installed packages from Alpine's `lib/apk/db/installed`.
//!
//! The installed database is text: one record per package, records separated by blank lines,
//! each line `X:value` with a one-letter key (`P` name, `V` version, `A` arch, `o` origin,
//! `L` licence, `m` maintainer, `D` dependencies, `p` provides; file lines `F`/`R`/`a`/`Z`,
//! checksums and the rest are ignored).
//!
//! Traps:
//! * `D:` names capabilities, not packages: `so:libc.musl-x86_64.so.1`, `cmd:sh`, `pc:zlib`,
//!   `/bin/sh`, plain names with constraints (`musl>=1.2`, `busybox=1.36.1-r15`, `zlib~1.3`)
//!   and conflicts (`!foo`). They are resolved through the names and `p:` provides of the
//!   installed packages; conflicts and unresolved names are dropped.
//! * `p:` entries carry versions (`so:libz.so.1=1.3`), stripped for lookup.
//! * apk-tools 3 moved the database to `usr/lib/apk/db/installed`; it honours the old location
//!   when it exists, and so does this analyzer when both are present.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// The database locations, in the order apk-tools prefers them.
const DB_PATHS: [&str; 2] = ["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// The apk analyzer (Alpine, Wolfi, Chainguard, postmarketOS).
pub struct Apk;

impl Analyzer for Apk {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        DB_PATHS.contains(&path)
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        let Some((path, bytes)) = DB_PATHS
            .iter()
            .find_map(|p| files.get(*p).map(|b| (*p, b.as_slice())))
        else {
            return Ok(Analysis::default());
        };
        parse(path, bytes)
    }
}

/// One record, as read.
#[derive(Default)]
struct Record {
    package: Package,
    depends: Vec<String>,
    provides: Vec<String>,
    /// Line number of the record's first line, for warnings.
    line: usize,
}

/// The capability a dependency or provides entry names, without version or constraint
/// (`musl>=1.2` → `musl`, `so:libz.so.1=1.3` → `so:libz.so.1`); `None` for conflicts.
fn capability(entry: &str) -> Option<&str> {
    if entry.starts_with('!') {
        return None;
    }
    let end = entry.find(['=', '<', '>', '~', '@']).unwrap_or(entry.len());
    let name = &entry[..end];
    (!name.is_empty()).then_some(name)
}

/// Parse a whole installed database.
fn parse(path: &str, bytes: &[u8]) -> Result<Analysis, AnalyzeError> {
    let text = String::from_utf8_lossy(bytes);
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    let mut warnings = Vec::new();
    let mut field_lines = 0usize;
    let mut other_lines = 0usize;
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            records.extend(current.take());
            continue;
        }
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| k.len() == 1) else {
            other_lines += 1;
            continue;
        };
        field_lines += 1;
        let r = current.get_or_insert_with(|| Record {
            line: i + 1,
            ..Default::default()
        });
        let p = &mut r.package;
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match key {
            "P" => p.name = value.to_string(),
            "V" => p.version = value.to_string(),
            "A" => p.arch = some(value),
            "o" => p.source_name = some(value),
            "L" => p.licenses = some(value).into_iter().collect(),
            "m" => p.maintainer = some(value),
            "D" => r.depends = value.split_whitespace().map(str::to_string).collect(),
            "p" => r.provides = value.split_whitespace().map(str::to_string).collect(),
            _ => {}
        }
    }
    records.extend(current.take());
    if field_lines == 0 && other_lines > 0 {
        return Err(AnalyzeError {
            path: path.to_string(),
            message: "not an apk installed database (no `X:value` lines)".into(),
        });
    }
    let records: Vec<Record> = records
        .into_iter()
        .filter(|r| {
            let ok = !r.package.name.is_empty() && !r.package.version.is_empty();
            if !ok {
                warnings.push(format!(
                    "{path}: record at line {} has no P: name or V: version; skipped",
                    r.line
                ));
            }
            ok
        })
        .collect();
    if other_lines > 0 {
        warnings.push(format!("{path}: {other_lines} malformed line(s) ignored"));
    }

    let mut providers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &records {
        let name = r.package.name.as_str();
        providers.entry(name).or_default().insert(name);
        for p in r.provides.iter().filter_map(|p| capability(p)) {
            providers.entry(p).or_default().insert(name);
        }
    }
    let mut packages: Vec<Package> = records
        .iter()
        .map(|r| {
            let mut deps = BTreeSet::new();
            for cap in r.depends.iter().filter_map(|d| capability(d)) {
                for &d in providers.get(cap).into_iter().flatten() {
                    if d != r.package.name {
                        deps.insert(d.to_string());
                    }
                }
            }
            let mut p = r.package.clone();
            p.package_type = Some(PackageType::Apk);
            p.depends = deps.into_iter().collect();
            p.db_path = path.to_string();
            p
        })
        .collect();
    packages.sort_by(|a, b| (&a.name, &a.version, &a.arch).cmp(&(&b.name, &b.version, &b.arch)));
    Ok(Analysis {
        packages,
        os: None,
        warnings,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn analyze(path: &str, text: &[u8]) -> Result<Analysis, AnalyzeError> {
        let mut files = FileSet::new();
        files.insert(path.to_string(), Arc::new(text.to_vec()));
        Apk.analyze(&files)
    }

    fn fixture() -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read(dir.join("tests/fixtures/apk/alpine-3.19/installed")).unwrap()
    }

    /// Validates names, versions, arches, origins and resolved dependencies of the
    /// Alpine 3.19 fixture.
    #[test]
    fn alpine_3_19() {
        let a = analyze("lib/apk/db/installed", &fixture()).unwrap();
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        let got: Vec<(&str, &str, &str, &str, Vec<&str>)> = a
            .packages
            .iter()
            .map(|p| {
                assert_eq!(p.arch.as_deref(), Some("x86_64"));
                assert_eq!(p.package_type, Some(PackageType::Apk));
                assert_eq!(p.db_path, "lib/apk/db/installed");
                assert_eq!(p.epoch, None);
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.source_name.as_deref().unwrap(),
                    p.licenses[0].as_str(),
                    p.depends.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let musl = "1.2.4_git20230717-r4";
        let bb = "1.36.1-r15";
        let ssl = "3.1.4-r2";
        let gpl = "GPL-2.0-only";
        let expected: Vec<(&str, &str, &str, &str, Vec<&str>)> = vec![
            (
                "alpine-baselayout",
                "3.4.3-r2",
                "alpine-baselayout",
                gpl,
                vec!["alpine-baselayout-data", "busybox-binsh"],
            ),
            (
                "alpine-baselayout-data",
                "3.4.3-r2",
                "alpine-baselayout",
                gpl,
                vec![],
            ),
            ("alpine-keys", "2.4-r1", "alpine-keys", "MIT", vec![]),
            (
                "apk-tools",
                "2.14.0-r5",
                "apk-tools",
                gpl,
                vec![
                    "ca-certificates-bundle",
                    "libcrypto3",
                    "libssl3",
                    "musl",
                    "zlib",
                ],
            ),
            ("busybox", bb, "busybox", gpl, vec!["musl"]),
            ("busybox-binsh", bb, "busybox", gpl, vec!["busybox"]),
            (
                "ca-certificates-bundle",
                "20230506-r0",
                "ca-certificates",
                "MPL-2.0 AND MIT",
                vec![],
            ),
            (
                "libc-utils",
                "0.7.2-r5",
                "libc-dev",
                "BSD-2-Clause AND BSD-3-Clause",
                vec!["musl-utils"],
            ),
            ("libcrypto3", ssl, "openssl", "Apache-2.0", vec!["musl"]),
            (
                "libssl3",
                ssl,
                "openssl",
                "Apache-2.0",
                vec!["libcrypto3", "musl"],
            ),
            ("musl", musl, "musl", "MIT", vec![]),
            (
                "musl-utils",
                musl,
                "musl",
                "MIT AND BSD-2-Clause AND GPL-2.0-or-later",
                vec!["musl", "scanelf"],
            ),
            ("scanelf", "1.3.7-r2", "pax-utils", gpl, vec!["musl"]),
            (
                "ssl_client",
                bb,
                "busybox",
                gpl,
                vec!["libcrypto3", "libssl3", "musl"],
            ),
            ("zlib", "1.3-r2", "zlib", "Zlib", vec!["musl"]),
        ];
        assert_eq!(got, expected);
        let musl = a.packages.iter().find(|p| p.name == "musl").unwrap();
        assert_eq!(
            musl.maintainer.as_deref(),
            Some("Timo Teräs <timo.teras@iki.fi>")
        );
    }

    /// Validates the declared paths (old and apk-tools 3 locations) and near misses.
    #[test]
    fn wants_paths() {
        assert!(Apk.wants("lib/apk/db/installed"));
        assert!(Apk.wants("usr/lib/apk/db/installed"));
        for p in [
            "lib/apk/db/installed.old",
            "/lib/apk/db/installed",
            "lib/apk/db/triggers",
            "lib/apk/db",
            "var/lib/apk/db/installed",
            "etc/apk/world",
        ] {
            assert!(!Apk.wants(p), "{p}");
        }
    }

    /// Validates that the legacy location wins when both exist, and the new one is read alone.
    #[test]
    fn both_locations() {
        let mut files = FileSet::new();
        files.insert(
            "usr/lib/apk/db/installed".into(),
            Arc::new(b"P:new\nV:1-r0\n".to_vec()),
        );
        let a = Apk.analyze(&files).unwrap();
        assert_eq!(a.packages[0].db_path, "usr/lib/apk/db/installed");
        files.insert(
            "lib/apk/db/installed".into(),
            Arc::new(b"P:old\nV:1-r0\n".to_vec()),
        );
        let a = Apk.analyze(&files).unwrap();
        assert_eq!(a.packages.len(), 1);
        assert_eq!(a.packages[0].name, "old");
        assert!(Apk.analyze(&FileSet::new()).unwrap().packages.is_empty());
    }

    /// Validates conflicts, constraints, unresolved names, CRLF and records missing fields.
    #[test]
    fn dependency_forms_and_bad_records() {
        let db = b"P:a\r\nV:1-r0\r\nD:!c b>=2 pc:zlib so:missing.so.1 cmd:x~1 a d@edge\r\n\r\n\
P:b\nV:2-r0\np:pc:zlib=1.3 cmd:x=2\n\nP:c\nV:1-r0\n\nV:9-r0\nA:x86_64\n\n\n\nP:d\nV:1-r0\n";
        let a = analyze("lib/apk/db/installed", db).unwrap();
        let names: Vec<_> = a.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        assert_eq!(a.packages[0].depends, ["b", "d"]);
        assert_eq!(a.packages[0].version, "1-r0");
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(a.warnings[0].starts_with("lib/apk/db/installed: record at line 12"));
    }

    /// Validates that garbage is an error, an empty file is empty, and truncations of the
    /// fixture never panic.
    #[test]
    fn hostile_input() {
        assert!(analyze("lib/apk/db/installed", b"\x00\xff\xfegarbage\x01\n\x02").is_err());
        assert!(analyze("lib/apk/db/installed", b"")
            .unwrap()
            .packages
            .is_empty());
        let bytes = fixture();
        let mut seed: u64 = 7;
        for _ in 0..300 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let cut = (seed >> 33) as usize % bytes.len();
            let _ = analyze("lib/apk/db/installed", &bytes[..cut]);
            let mut bad = bytes.clone();
            bad[cut] = (seed >> 20) as u8;
            let _ = analyze("lib/apk/db/installed", &bad);
        }
    }
}
