//! The rpm analyzer: installed packages from rpm's database, in any of its three backends.
//!
//! rpm stores one *header blob* per installed package ([`header`]) in a database whose format
//! changed over the years: Berkeley DB hash (`Packages`, [`bdb`]), NDB (`Packages.db`, SUSE,
//! [`ndb`]) and SQLite (`rpmdb.sqlite`, [`sqlite`]), under `var/lib/rpm/` or
//! `usr/lib/sysimage/rpm/`. When an image holds several (a stale `Packages` left after a
//! conversion), the newest format wins: sqlite, then NDB, then Berkeley DB.
//!
//! Why hand-written: there is no maintained Rust crate that reads rpm header blobs, Berkeley
//! DB hash files or rpm's NDB format (the usual readers are C librpm/libdb and Go's
//! knqyf263/go-rpmdb). The formats are small and stable, so the readers here follow rpm's and
//! libdb's published layouts with bounds checks on every offset. SQLite is read with rusqlite.
//!
//! Traps:
//! * `version` is `VERSION-RELEASE`; the epoch is separate and absent when the tag is absent.
//! * `gpg-pubkey` entries are imported signing keys, not packages; they are skipped.
//! * Requirements name capabilities (`libc.so.6()(64bit)`, `/bin/sh`, `rpmlib(...)`); they
//!   are resolved to installed packages through provides and, for paths, file lists.
//! * File lists (BASENAMES, DIRNAMES, DIRINDEXES: file `i` is
//!   `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`; rpm < 4.0 wrote OLDFILENAMES instead) also
//!   tell the language analyzers which metadata an rpm installed ([`owned_paths`], used by
//!   `owned.rs`), so Fedora's `python3-*` is not reported again as PyPI packages. The counts
//!   must agree and every directory index must be in range; a header whose list does not is
//!   a warning here (once, by this analyzer), and its files are taken as unowned.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use std::collections::{BTreeMap, BTreeSet};

use header::Header;

use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_PACKAGER: u32 = 1015;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_PROVIDENAME: u32 = 1047;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_REQUIRENAME: u32 = 1049;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

/// The database files, newest format first; within a format the `usr/lib/sysimage` location
/// (where `var/lib/rpm` points on current distributions) comes first.
const DB_PATHS: [(&str, Backend); 6] = [
    ("usr/lib/sysimage/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("var/lib/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("usr/lib/sysimage/rpm/Packages.db", Backend::Ndb),
    ("var/lib/rpm/Packages.db", Backend::Ndb),
    ("usr/lib/sysimage/rpm/Packages", Backend::Bdb),
    ("var/lib/rpm/Packages", Backend::Bdb),
];

/// The largest rpm database buffered (for this analyzer and the ownership checks).
pub(crate) const MAX_DB_SIZE: u64 = 512 * 1024 * 1024;

/// Whether `path` is one of the rpm databases read.
pub(crate) fn is_database(path: &str) -> bool {
    DB_PATHS.iter().any(|(p, _)| *p == path)
}

/// Add to `out` the files (paths without the leading `/`) that the installed rpms own, of
/// those `relevant` keeps, from the database the analyzer reads (the newest format that is
/// readable). Headers that cannot be read add nothing; the analyzer reports them.
pub(crate) fn owned_paths(
    files: &FileSet,
    relevant: &dyn Fn(&str) -> bool,
    out: &mut std::collections::HashSet<String>,
) {
    for (path, backend) in DB_PATHS {
        let Some(bytes) = files.get(path) else {
            continue;
        };
        let Ok(blobs) = read_blobs(backend, bytes) else {
            continue;
        };
        for blob in &blobs.blobs {
            let Ok(h) = Header::parse(blob) else {
                continue;
            };
            let _ = for_each_file(&h, |f| {
                let f = f.trim_start_matches('/').trim_end_matches('/');
                if !f.is_empty() && relevant(f) {
                    out.insert(f.to_string());
                }
            });
        }
        return;
    }
}

/// One of rpm's database formats.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Ndb,
    Bdb,
}

/// Header blobs read from a database, and per-record problems met.
#[derive(Debug, Default)]
struct Blobs {
    blobs: Vec<Vec<u8>>,
    warnings: Vec<String>,
}

/// The rpm analyzer (Red Hat, Fedora, CentOS, Rocky, Alma, SUSE, Amazon Linux, Mariner).
pub struct Rpm;

impl Analyzer for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        DB_PATHS.iter().any(|(p, _)| *p == path)
    }

    fn max_file_size(&self) -> u64 {
        MAX_DB_SIZE
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        let mut warnings = Vec::new();
        let mut first_error = None;
        for (path, backend) in DB_PATHS {
            let Some(bytes) = files.get(path) else {
                continue;
            };
            match read_db(path, backend, bytes) {
                Ok(mut analysis) => {
                    // An older database that failed before this one is worth a mention.
                    if let Some(e) = first_error {
                        warnings.push(format!("{e}; used {path} instead"));
                    }
                    warnings.append(&mut analysis.warnings);
                    analysis.warnings = warnings;
                    return Ok(analysis);
                }
                Err(e) if first_error.is_none() => first_error = Some(e),
                Err(e) => warnings.push(e.to_string()),
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(Analysis::default()),
        }
    }
}

/// The header blobs of one database file.
fn read_blobs(backend: Backend, bytes: &[u8]) -> Result<Blobs, String> {
    match backend {
        Backend::Sqlite => sqlite::read(bytes),
        Backend::Ndb => ndb::read(bytes),
        Backend::Bdb => bdb::read(bytes),
    }
}

/// Read one database file into an analysis.
fn read_db(path: &str, backend: Backend, bytes: &[u8]) -> Result<Analysis, AnalyzeError> {
    let blobs = read_blobs(backend, bytes).map_err(|message| AnalyzeError {
        path: path.to_string(),
        message,
    })?;
    let mut warnings: Vec<String> = blobs
        .warnings
        .into_iter()
        .map(|w| format!("{path}: {w}"))
        .collect();
    let mut parsed = Vec::new();
    for (i, blob) in blobs.blobs.iter().enumerate() {
        match Header::parse(blob).and_then(|h| Raw::from_header(&h, path).map(|r| (h, r))) {
            Ok((_, None)) => {}
            Ok((h, Some(raw))) => {
                if let Err(e) = for_each_file(&h, |_| {}) {
                    warnings.push(format!(
                        "{path}: {}: file list unreadable ({e}); its files are not known as owned",
                        raw.package.name
                    ));
                }
                parsed.push((h, raw))
            }
            Err(e) => warnings.push(format!("{path}: record {i}: {e}")),
        }
    }
    if parsed.is_empty() && !blobs.blobs.is_empty() && !warnings.is_empty() {
        return Err(AnalyzeError {
            path: path.to_string(),
            message: format!("no readable package header ({})", warnings.join("; ")),
        });
    }
    let packages = resolve(parsed);
    Ok(Analysis {
        packages,
        os: None,
        warnings,
        ..Default::default()
    })
}

/// A package as read from its header, before dependencies are resolved.
struct Raw {
    package: Package,
    requires: Vec<String>,
    provides: Vec<String>,
}

impl Raw {
    /// Read the package fields; `None` for `gpg-pubkey` pseudo-packages.
    fn from_header(h: &Header<'_>, path: &str) -> Result<Option<Raw>, String> {
        let name = h
            .string(TAG_NAME)?
            .filter(|n| !n.is_empty())
            .ok_or("no NAME")?;
        if name == "gpg-pubkey" {
            return Ok(None);
        }
        let version = h
            .string(TAG_VERSION)?
            .ok_or_else(|| format!("{name}: no VERSION"))?;
        let release = h
            .string(TAG_RELEASE)?
            .ok_or_else(|| format!("{name}: no RELEASE"))?;
        let none = |s: Option<String>| s.filter(|s| !s.is_empty() && s != "(none)");
        let source_rpm = none(h.string(TAG_SOURCERPM)?);
        let (source_name, source_version) = match source_rpm.as_deref().and_then(split_source_rpm) {
            Some((n, v)) => (Some(n), Some(v)),
            None => (None, None),
        };
        let maintainer = none(h.string(TAG_PACKAGER)?).or(none(h.string(TAG_VENDOR)?));
        let package = Package {
            package_type: Some(PackageType::Rpm),
            name,
            version: format!("{version}-{release}"),
            epoch: h.int32(TAG_EPOCH)?.map(u64::from),
            arch: none(h.string(TAG_ARCH)?),
            source_name,
            source_version,
            source_rpm,
            licenses: none(h.string(TAG_LICENSE)?).into_iter().collect(),
            maintainer,
            db_path: path.to_string(),
            ..Default::default()
        };
        Ok(Some(Raw {
            package,
            requires: h.string_array(TAG_REQUIRENAME)?,
            provides: h.string_array(TAG_PROVIDENAME)?,
        }))
    }
}

/// Call `f` with each file path a header installs (`DIRNAMES[DIRINDEXES[i]] +
/// BASENAMES[i]`, or OLDFILENAMES in headers of rpm < 4.0), after checking that the counts
/// agree and every index is in range (nothing is called for an inconsistent list).
fn for_each_file(h: &Header<'_>, mut f: impl FnMut(&str)) -> Result<(), String> {
    let base = h.string_array(TAG_BASENAMES)?;
    if base.is_empty() {
        for name in h.string_array(TAG_OLDFILENAMES)? {
            f(&name);
        }
        return Ok(());
    }
    let dirs = h.string_array(TAG_DIRNAMES)?;
    let idx = h.int32_array(TAG_DIRINDEXES)?;
    if base.len() != idx.len() {
        return Err(format!(
            "{} BASENAMES but {} DIRINDEXES",
            base.len(),
            idx.len()
        ));
    }
    if let Some(bad) = idx.iter().find(|&&i| i as usize >= dirs.len()) {
        return Err(format!(
            "directory index {bad} out of range ({} DIRNAMES)",
            dirs.len()
        ));
    }
    let mut path = String::new();
    for (b, i) in base.iter().zip(idx) {
        path.clear();
        path.push_str(&dirs[i as usize]);
        path.push_str(b);
        f(&path);
    }
    Ok(())
}

/// The file paths a header installs.
fn file_paths(h: &Header<'_>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for_each_file(h, |p| out.push(p.to_string()))?;
    Ok(out)
}

/// `openssl-3.0.7-24.el9.src.rpm` → (`openssl`, `3.0.7-24.el9`).
fn split_source_rpm(s: &str) -> Option<(String, String)> {
    let stem = s.strip_suffix(".rpm")?;
    let stem = stem.rsplit_once('.').map_or(stem, |(a, _arch)| a);
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name.to_string(), format!("{version}-{release}")))
}

/// Turn requirements into the names of installed packages that satisfy them.
fn resolve(parsed: Vec<(Header<'_>, Raw)>) -> Vec<Package> {
    let mut providers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, r) in &parsed {
        let name = r.package.name.as_str();
        providers.entry(name).or_default().insert(name);
        for p in &r.provides {
            providers.entry(p.as_str()).or_default().insert(name);
        }
    }
    // Paths required but not provided explicitly are looked up in the file lists.
    let wanted: BTreeSet<&str> = parsed
        .iter()
        .flat_map(|(_, r)| r.requires.iter())
        .filter(|q| q.starts_with('/') && !providers.contains_key(q.as_str()))
        .map(String::as_str)
        .collect();
    let mut owners: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    if !wanted.is_empty() {
        for (h, r) in &parsed {
            // An unreadable list was reported once, in `read_db`.
            for f in file_paths(h).unwrap_or_default() {
                if wanted.contains(f.as_str()) {
                    owners.entry(f).or_default().insert(r.package.name.as_str());
                }
            }
        }
    }
    let mut out: Vec<Package> = parsed
        .iter()
        .map(|(_, r)| {
            let mut deps = BTreeSet::new();
            for q in r.requires.iter().filter(|q| !q.starts_with("rpmlib(")) {
                let found = providers.get(q.as_str()).or_else(|| owners.get(q.as_str()));
                for &d in found.into_iter().flatten() {
                    if d != r.package.name {
                        deps.insert(d.to_string());
                    }
                }
            }
            let mut p = r.package.clone();
            p.depends = deps.into_iter().collect();
            p
        })
        .collect();
    out.sort_by(|a, b| (&a.name, &a.version, &a.arch).cmp(&(&b.name, &b.version, &b.arch)));
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod owned_tests;
