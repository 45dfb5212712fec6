//! Java archives: `.jar .war .ear .jpi .hpi .par .sar` files, read as zips, Maven packages
//! from what is inside.
//!
//! In each archive, in this order:
//! * every `META-INF/maven/GROUP/ARTIFACT/pom.properties` is one package (`groupId`,
//!   `artifactId`, `version`; a missing group or artifact is taken from the directory names,
//!   as Debian's maven-repo-helper leaves `groupId` out of some); a shaded ("uber") jar
//!   holds several;
//! * otherwise the main section of `META-INF/MANIFEST.MF` (`Implementation-Vendor-Id` as the
//!   group, `Implementation-Version`, `Bundle-Version` or `Specification-Version` as the
//!   version; lines over 72 bytes continue on lines starting with a space);
//! * otherwise, or for what the manifest lacks, the file name (`commons-text-1.9.jar`): the
//!   version starts after the last `-` followed by a digit.
//!
//! Which of the three found it is the package's `found_by` (`pom.properties`, `MANIFEST.MF`,
//! `file name`: where the version came from), the CycloneDX property
//! `shipshape:package:found_by`.
//!
//! A package is named `GROUP:ARTIFACT` (as OSV writes Maven names), or `ARTIFACT` alone when no
//! group is known (such a package is listed but matches no Maven advisory).
//!
//! Archives inside archives (Spring Boot `BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar` in a war,
//! jars in an ear or in jars) are read from memory; their packages' `db_path` is the outer
//! path, `!/`, the inner path (`app/app.jar!/BOOT-INF/lib/x.jar`), and the outer archive's
//! packages depend on them.
//!
//! Traps, each a diagnostic rather than a panic or a huge allocation (see [`Limits`]):
//! * zip bombs: an entry is read through a cap, whatever size its header declares, and each
//!   outer archive has a budget of decompressed bytes;
//! * nesting: at most [`Limits::depth`] archives deep;
//! * entry names that escape the archive (`../x.jar`, `/x.jar`) are skipped;
//! * truncated or corrupt zips and entries;
//! * archives an OS package owns (Debian's `libjackson2-databind-java`) are the OS package's,
//!   see `owned.rs`.

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use super::owned::Owned;
use crate::diagnostics::{ARCHIVE_CORRUPT, ARCHIVE_LIMIT, ARCHIVE_UNSAFE_NAME};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads Java archives.
pub struct Java;

/// The file name endings of Java archives, lower case.
const EXTENSIONS: [&str; 7] = [".jar", ".war", ".ear", ".jpi", ".hpi", ".par", ".sar"];

/// The largest archive in a layer that is read (buffered whole); bigger ones are skipped with
/// a diagnostic by the layer walk.
pub(crate) const MAX_ARCHIVE_SIZE: u64 = 256 * 1024 * 1024;

/// Safety limits for reading one archive found in the image.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// How many archives deep nested archives are read (the outer archive is depth 0).
    depth: usize,
    /// The most entries an archive may have.
    entries: usize,
    /// The largest decompressed nested archive read into memory.
    nested: u64,
    /// The largest decompressed metadata file (`pom.properties`, `MANIFEST.MF`).
    metadata: u64,
    /// Decompressed bytes read in all, per archive in the image, nested ones included.
    total: u64,
}

const LIMITS: Limits = Limits {
    depth: 4,
    entries: 100_000,
    nested: 64 * 1024 * 1024,
    metadata: 1024 * 1024,
    total: 512 * 1024 * 1024,
};

/// Whether `path` names a Java archive. No allocation: this runs on every entry of every layer.
fn is_archive(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    EXTENSIONS.iter().any(|ext| {
        name.len() > ext.len()
            && name.is_char_boundary(name.len() - ext.len())
            && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
    })
}

/// Whether a name inside an archive escapes it: absolute, a drive, a `..` component, a NUL.
fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\0')
        || name.get(1..2) == Some(":")
        || name.split(['/', '\\']).any(|c| c == "..")
}

/// `key=value` (or `key: value`) pairs of a Java properties file, comments skipped.
fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let at = l.find(['=', ':'])?;
            Some((l[..at].trim(), l[at + 1..].trim()))
        })
        .collect()
}

/// The main section of a manifest as `(name, value)`, continuation lines joined.
fn manifest_main(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some((_, v)) = out.last_mut() {
                v.push_str(more);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// Artifact and version from an archive's file name (`guava-31.1-jre.jar`).
fn from_file_name(path: &str) -> Option<(&str, &str)> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let at = stem
        .match_indices('-')
        .map(|(i, _)| i)
        .rfind(|&i| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?;
    let (artifact, version) = (&stem[..at], &stem[at + 1..]);
    (!artifact.is_empty()).then_some((artifact, version))
}

fn maven(
    group: Option<&str>,
    artifact: &str,
    version: &str,
    db_path: &str,
    found_by: &str,
) -> Package {
    let name = match group.filter(|g| !g.is_empty()) {
        Some(g) => format!("{g}:{artifact}"),
        None => artifact.to_string(),
    };
    Package {
        package_type: Some(PackageType::Maven),
        name,
        version: version.to_string(),
        db_path: db_path.to_string(),
        found_by: Some(found_by.to_string()),
        ..Default::default()
    }
}

/// The one package a manifest and the file name give, when there is a name and a version.
fn from_manifest(manifest: Option<&str>, db_path: &str) -> Option<Package> {
    let fields = manifest.map(manifest_main).unwrap_or_default();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, v)| n.eq_ignore_ascii_case(k) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let file = from_file_name(db_path);
    let symbolic = get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
    let artifact = file
        .map(|(a, _)| a)
        .or(symbolic)
        .or(get("Implementation-Title"))
        .or(get("Specification-Title"))?;
    let (version, found_by) = match get("Implementation-Version")
        .or(get("Bundle-Version"))
        .or(get("Specification-Version"))
    {
        Some(v) => (v, "MANIFEST.MF"),
        None => (file?.1, "file name"),
    };
    let group = get("Implementation-Vendor-Id");
    Some(maven(group, artifact, version, db_path, found_by))
}

/// What reading one archive in the image accumulates.
struct Reader<'a> {
    limits: &'a Limits,
    /// Decompressed bytes still allowed for this archive in the image.
    budget: u64,
    packages: Vec<Package>,
    warnings: Vec<String>,
    diagnostics: Vec<(&'static str, String)>,
}

impl Reader<'_> {
    /// Read entry `i`, at most `cap` decompressed bytes; `None` after a diagnostic.
    fn entry(
        &mut self,
        zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
        i: usize,
        path: &str,
        cap: u64,
    ) -> Option<Vec<u8>> {
        let name = zip.name_for_index(i).unwrap_or("?").to_string();
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                self.diagnostics.push((
                    ARCHIVE_CORRUPT,
                    format!("/{path}!/{name}: unreadable entry ({e}); skipped"),
                ));
                return None;
            }
        };
        let cap = cap.min(self.budget);
        if file.size() > cap {
            self.diagnostics.push((
                ARCHIVE_LIMIT,
                format!(
                    "/{path}!/{name}: declares {} bytes, over the {cap}-byte limit; skipped",
                    file.size()
                ),
            ));
            return None;
        }
        let mut data = Vec::with_capacity(file.size() as usize);
        if let Err(e) = file.by_ref().take(cap + 1).read_to_end(&mut data) {
            self.diagnostics.push((
                ARCHIVE_CORRUPT,
                format!("/{path}!/{name}: corrupt or truncated entry ({e}); skipped"),
            ));
            return None;
        }
        if data.len() as u64 > cap {
            self.budget = self.budget.saturating_sub(data.len() as u64);
            self.diagnostics.push((
                ARCHIVE_LIMIT,
                format!(
                    "/{path}!/{name}: decompresses to more than {cap} bytes (a zip bomb?); skipped"
                ),
            ));
            return None;
        }
        self.budget -= data.len() as u64;
        Some(data)
    }

    /// Read the archive `data` at `path` (`a.jar` or `a.jar!/lib/b.jar`), `depth` archives
    /// deep; returns the names of its own packages, for the enclosing archive's edges.
    fn archive(&mut self, path: &str, data: &[u8], depth: usize) -> Vec<String> {
        let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(z) => z,
            Err(e) => {
                self.diagnostics.push((
                    ARCHIVE_CORRUPT,
                    format!("/{path}: not a readable zip ({e}); skipped"),
                ));
                return Vec::new();
            }
        };
        if zip.len() > self.limits.entries {
            self.diagnostics.push((
                ARCHIVE_LIMIT,
                format!(
                    "/{path}: {} entries, over the limit of {}; skipped",
                    zip.len(),
                    self.limits.entries
                ),
            ));
            return Vec::new();
        }
        let mut poms = Vec::new();
        let mut manifest = None;
        let mut nested = Vec::new();
        let mut unsafe_names = Vec::new();
        for i in 0..zip.len() {
            let Some(name) = zip.name_for_index(i) else {
                continue;
            };
            if unsafe_name(name) {
                unsafe_names.push(name.to_string());
            } else if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
                poms.push(i);
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                manifest = Some(i);
            } else if is_archive(name) {
                nested.push((i, name.to_string()));
            }
        }
        if let Some(first) = unsafe_names.first() {
            self.diagnostics.push((
                ARCHIVE_UNSAFE_NAME,
                format!(
                    "/{path}: {} entry name(s) escape the archive (first: {first}); skipped",
                    unsafe_names.len()
                ),
            ));
        }

        let mut own = Vec::new();
        for i in poms {
            let Some(data) = self.entry(&mut zip, i, path, self.limits.metadata) else {
                continue;
            };
            let text = String::from_utf8_lossy(&data);
            let props = properties(&text);
            let get = |k: &str| {
                props
                    .iter()
                    .find(|(n, v)| *n == k && !v.is_empty())
                    .map(|(_, v)| *v)
            };
            // Debian's maven-repo-helper leaves out `groupId` in some jars; the directory
            // names the group and artifact (META-INF/maven/GROUP/ARTIFACT/pom.properties).
            let entry = zip.name_for_index(i).unwrap_or_default().to_string();
            let mut dirs = entry.split('/').skip(2);
            let (dir_group, dir_artifact) = (dirs.next(), dirs.next());
            let group = get("groupId").or(dir_group.filter(|g| !g.is_empty()));
            let artifact = get("artifactId").or(dir_artifact.filter(|a| !a.is_empty()));
            match (group, artifact, get("version")) {
                (Some(g), Some(a), Some(v)) => {
                    own.push(maven(Some(g), a, v, path, "pom.properties"))
                }
                _ => self.warnings.push(format!(
                    "/{path}!/{}: no groupId, artifactId or version; skipped",
                    zip.name_for_index(i).unwrap_or("?")
                )),
            }
        }
        if own.is_empty() {
            let text = manifest
                .and_then(|i| self.entry(&mut zip, i, path, self.limits.metadata))
                .map(|d| String::from_utf8_lossy(&d).into_owned());
            own.extend(from_manifest(text.as_deref(), path));
        }

        let mut inner_names = BTreeSet::new();
        for (i, name) in nested {
            let inner_path = format!("{path}!/{name}");
            if depth >= self.limits.depth {
                self.diagnostics.push((
                    ARCHIVE_LIMIT,
                    format!(
                        "/{inner_path}: nested more than {} archives deep; skipped",
                        self.limits.depth
                    ),
                ));
                continue;
            }
            let Some(data) = self.entry(&mut zip, i, path, self.limits.nested) else {
                continue;
            };
            inner_names.extend(self.archive(&inner_path, &data, depth + 1));
        }

        let names = own.iter().map(|p| p.name.clone()).collect();
        for mut p in own {
            p.depends = inner_names
                .iter()
                .filter(|n| **n != p.name)
                .cloned()
                .collect();
            self.packages.push(p);
        }
        names
    }
}

/// What reading one archive found, as the walk keeps it ([`Analyzer::reduce`]): a few
/// hundred bytes per archive instead of the archive.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Found {
    packages: Vec<FoundPackage>,
    warnings: Vec<String>,
    diagnostics: Vec<(String, String)>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct FoundPackage {
    name: String,
    version: String,
    db_path: String,
    found_by: Option<String>,
    depends: Vec<String>,
}

/// Read one archive of the image at `path`.
fn read(path: &str, data: &[u8], limits: &Limits) -> Found {
    let mut reader = Reader {
        limits,
        budget: limits.total,
        packages: Vec::new(),
        warnings: Vec::new(),
        diagnostics: Vec::new(),
    };
    reader.archive(path, data, 0);
    Found {
        packages: reader
            .packages
            .into_iter()
            .map(|p| FoundPackage {
                name: p.name,
                version: p.version,
                db_path: p.db_path,
                found_by: p.found_by,
                depends: p.depends,
            })
            .collect(),
        warnings: reader.warnings,
        diagnostics: reader
            .diagnostics
            .into_iter()
            .map(|(c, m)| (c.to_string(), m))
            .collect(),
    }
}

/// The diagnostic codes this analyzer uses, to map kept ones back to `&'static str`.
fn code(c: &str) -> &'static str {
    [ARCHIVE_CORRUPT, ARCHIVE_LIMIT, ARCHIVE_UNSAFE_NAME]
        .into_iter()
        .find(|k| *k == c)
        .unwrap_or(ARCHIVE_CORRUPT)
}

fn reduce(path: &str, data: &[u8], limits: &Limits) -> Option<Vec<u8>> {
    serde_json::to_vec(&read(path, data, limits)).ok()
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let mut archives = files.iter().filter(|(p, _)| is_archive(p)).peekable();
    if archives.peek().is_none() {
        return result;
    }
    let owned = Owned::read(files, is_archive);
    for (path, kept) in archives {
        if owned.contains(path) {
            continue;
        }
        let found: Found = match serde_json::from_slice(kept) {
            Ok(f) => f,
            Err(e) => {
                result.diagnostics.push((
                    ARCHIVE_CORRUPT,
                    format!("/{path}: what the layer walk kept is unreadable ({e}); skipped"),
                ));
                continue;
            }
        };
        result
            .packages
            .extend(found.packages.into_iter().map(|p| Package {
                package_type: Some(PackageType::Maven),
                name: p.name,
                version: p.version,
                db_path: p.db_path,
                found_by: p.found_by,
                depends: p.depends,
                ..Default::default()
            }));
        result.warnings.extend(found.warnings);
        result
            .diagnostics
            .extend(found.diagnostics.into_iter().map(|(c, m)| (code(&c), m)));
    }
    result
}

impl Analyzer for Java {
    fn name(&self) -> &'static str {
        "java"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, path: &str) -> bool {
        // The archives themselves are picked (read in the walk, only their packages kept).
        super::owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        super::owned::MAX_LIST_SIZE
    }

    fn picks(&self, path: &str, _mode: u32, _head: &[u8]) -> bool {
        is_archive(path)
    }

    fn max_pick_size(&self) -> u64 {
        MAX_ARCHIVE_SIZE
    }

    fn reduce(&self, path: &str, data: &[u8]) -> Option<Vec<u8>> {
        reduce(path, data, &LIMITS)
    }

    fn max_size_of(&self, path: &str) -> u64 {
        // An rpm database read for ownership gets the rpm analyzer's cap.
        super::owned::max_size_of(path)
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

#[cfg(test)]
#[path = "java_tests.rs"]
mod tests;
