//! dpkg's database: `var/lib/dpkg/status`, distroless `var/lib/dpkg/status.d/*`, and apt's
//! `var/lib/apt/extended_states` auto-installed marks.
//!
//! Traps:
//! * only paragraphs whose `Status` ends in `installed` are installed packages; `config-files`
//!   (removed, not purged) and `half-installed` are not;
//! * `Source: openssl (3.0.11-1~deb12u2)` carries the source version when it differs from
//!   the binary version (binNMUs, `+b1`); without it the source version is the binary's;
//! * distroless `status.d/` holds one file per package, named after it, plus `*.md5sums`
//!   files that are not control data; these files have no `Status` field;
//! * `Depends` alternatives (`a | b`) are satisfied by the first installed one, directly or
//!   through `Provides`; architecture qualifiers (`:any`, `:amd64`) are not part of the name;
//! * field names are case-insensitive and values continue on lines starting with space or tab.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::{Analysis, AnalyzeError, Analyzer, FileSet, Package, PackageType};

/// Reads dpkg status databases.
pub struct Dpkg;

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const EXTENDED_STATES: &str = "var/lib/apt/extended_states";

/// One deb822 paragraph: lower-cased field name → value (continuation lines joined by `\n`).
type Paragraph = BTreeMap<String, String>;

/// Split deb822 text into paragraphs.
pub(crate) fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut cur = Paragraph::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            last = None;
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(k) = &last {
                if let Some(v) = cur.get_mut(k) {
                    v.push('\n');
                    v.push_str(line.trim());
                }
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            cur.insert(k.clone(), v.trim().to_string());
            last = Some(k);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `name (>= 1.0) | other:any` → `[["name"], ["other"]]`-style groups of plain names.
fn relation_groups(field: &str) -> Vec<Vec<String>> {
    field
        .split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let name = alt
                        .trim()
                        .split(|c: char| c.is_whitespace() || c == '(' || c == '[' || c == '<')
                        .next()?;
                    let name = name.split(':').next()?;
                    (!name.is_empty()).then(|| name.to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

fn package_from(
    p: &Paragraph,
    db_path: &str,
    require_status: bool,
) -> Result<Option<Package>, String> {
    let name = p
        .get("package")
        .filter(|n| !n.is_empty())
        .ok_or("record without a Package field")?;
    if require_status || p.contains_key("status") {
        let status = p.get("status").map(String::as_str).unwrap_or("");
        if status.split_whitespace().nth(2) != Some("installed") {
            return Ok(None);
        }
    }
    let version = p
        .get("version")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("package {name} has no Version"))?;
    let (source_name, source_version) = match p.get("source") {
        Some(s) => {
            let mut it = s.splitn(2, ' ');
            let sn = it.next().unwrap_or(name).trim().to_string();
            let sv = it
                .next()
                .map(|v| {
                    v.trim()
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .trim()
                        .to_string()
                })
                .filter(|v| !v.is_empty());
            (sn, sv.unwrap_or_else(|| version.clone()))
        }
        None => (name.clone(), version.clone()),
    };
    Ok(Some(Package {
        package_type: Some(PackageType::Deb),
        name: name.clone(),
        version: version.clone(),
        arch: p.get("architecture").cloned(),
        source_name: Some(source_name),
        source_version: Some(source_version),
        maintainer: p.get("maintainer").cloned(),
        db_path: db_path.to_string(),
        ..Default::default()
    }))
}

impl Analyzer for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
    }
    fn version(&self) -> u32 {
        1
    }
    fn wants(&self, path: &str) -> bool {
        if path == STATUS || path == EXTENDED_STATES {
            return true;
        }
        match path.strip_prefix(STATUS_D) {
            Some(name) => !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums"),
            None => false,
        }
    }
    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        let mut result = Analysis::default();
        // (package, paragraph) pairs with their depends fields.
        let mut found: Vec<(Package, Vec<Vec<String>>, Vec<String>)> = Vec::new();
        for (path, data) in files {
            if path == EXTENDED_STATES {
                continue;
            }
            let text = std::str::from_utf8(data).map_err(|e| AnalyzeError {
                path: path.clone(),
                message: format!("not UTF-8 text ({e}); not a dpkg status file"),
            })?;
            let distroless = path != STATUS;
            for (i, para) in paragraphs(text).iter().enumerate() {
                match package_from(para, path, !distroless) {
                    Ok(Some(pkg)) => {
                        let mut deps = Vec::new();
                        for f in ["pre-depends", "depends"] {
                            if let Some(v) = para.get(f) {
                                deps.extend(relation_groups(v));
                            }
                        }
                        let provides = para
                            .get("provides")
                            .map(|v| relation_groups(v).into_iter().flatten().collect())
                            .unwrap_or_default();
                        found.push((pkg, deps, provides));
                    }
                    Ok(None) => {}
                    Err(e) => result
                        .warnings
                        .push(format!("/{path}: record {}: {e}; skipped", i + 1)),
                }
            }
        }
        let installed: HashSet<&str> = found.iter().map(|(p, _, _)| p.name.as_str()).collect();
        let mut providers: HashMap<&str, &str> = HashMap::new();
        for (p, _, provides) in &found {
            for v in provides {
                providers.entry(v.as_str()).or_insert(p.name.as_str());
            }
        }
        let resolved: Vec<Vec<String>> = found
            .iter()
            .map(|(p, groups, _)| {
                let mut deps: Vec<String> = groups
                    .iter()
                    .filter_map(|g| {
                        g.iter().find_map(|alt| {
                            if installed.contains(alt.as_str()) {
                                Some(alt.clone())
                            } else {
                                providers.get(alt.as_str()).map(|s| s.to_string())
                            }
                        })
                    })
                    .filter(|d| d != &p.name)
                    .collect();
                deps.sort();
                deps.dedup();
                deps
            })
            .collect();
        let marks = files.get(EXTENDED_STATES).map(|d| {
            let text = String::from_utf8_lossy(d);
            paragraphs(&text)
                .into_iter()
                .filter_map(|p| {
                    let auto = p
                        .get("auto-installed")
                        .map(|v| v.trim() == "1")
                        .unwrap_or(false);
                    Some((
                        (p.get("package")?.clone(), p.get("architecture").cloned()),
                        auto,
                    ))
                })
                .collect::<HashMap<_, _>>()
        });
        for ((mut pkg, _, _), deps) in found.into_iter().zip(resolved) {
            pkg.depends = deps;
            if let Some(marks) = &marks {
                let auto = marks
                    .get(&(pkg.name.clone(), pkg.arch.clone()))
                    .or_else(|| marks.get(&(pkg.name.clone(), None)))
                    .copied()
                    .unwrap_or(false);
                pkg.manual = Some(!auto);
            }
            result.packages.push(pkg);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const STATUS_TEXT: &str = "\
Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6208
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Description: GNU C Library: Shared libraries

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Provides: libgcc1 (= 1:12.2.0-14)
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)

Package: gcc-12-base
Status: install ok installed
Architecture: amd64
Source: gcc-12
Version: 12.2.0-14

Package: git
Status: install ok installed
Architecture: amd64
Version: 1:2.39.2-1.1
Pre-Depends: libc6 (>= 2.34)
Depends: libcurl3-gnutls | libcurl4:any, libgcc1, perl:any (>= 5.6)

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: libfoo1
Status: install ok installed
Architecture: amd64
Source: foo (1.2-3)
Version: 1.2-3+b1
";

    fn set(files: &[(&str, &str)]) -> FileSet {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), Arc::new(t.as_bytes().to_vec())))
            .collect()
    }

    /// Validates the paths declared, with near misses.
    #[test]
    fn wants() {
        assert!(Dpkg.wants("var/lib/dpkg/status"));
        assert!(Dpkg.wants("var/lib/dpkg/status.d/base-files"));
        assert!(Dpkg.wants("var/lib/apt/extended_states"));
        assert!(!Dpkg.wants("var/lib/dpkg/status-old"));
        assert!(!Dpkg.wants("var/lib/dpkg/status.d/base-files.md5sums"));
        assert!(!Dpkg.wants("var/lib/dpkg/status.d/"));
        assert!(!Dpkg.wants("var/lib/dpkg/status.d/x/y"));
        assert!(!Dpkg.wants("usr/var/lib/dpkg/status"));
    }

    /// Validates installed-only, source fields, dependency resolution and apt marks.
    #[test]
    fn status_file() {
        let files = set(&[
            (STATUS, STATUS_TEXT),
            (EXTENDED_STATES, "Package: libfoo1\nArchitecture: amd64\nAuto-Installed: 1\n\nPackage: libssl3\nArchitecture: amd64\nAuto-Installed: 0\n"),
        ]);
        let r = Dpkg.analyze(&files).unwrap();
        let names: Vec<_> = r.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "libssl3",
                "libc6",
                "libgcc-s1",
                "gcc-12-base",
                "git",
                "libfoo1"
            ]
        );
        let by = |n: &str| r.packages.iter().find(|p| p.name == n).unwrap();
        let ssl = by("libssl3");
        assert_eq!(
            (ssl.source_name.as_deref(), ssl.source_version.as_deref()),
            (Some("openssl"), Some("3.0.11-1~deb12u2"))
        );
        assert_eq!(ssl.depends, ["libc6"]);
        assert_eq!(ssl.manual, Some(true));
        let foo = by("libfoo1");
        assert_eq!(
            (foo.source_name.as_deref(), foo.source_version.as_deref()),
            (Some("foo"), Some("1.2-3"))
        );
        assert_eq!(foo.manual, Some(false));
        assert_eq!(
            by("git").depends,
            ["libc6", "libgcc-s1"],
            "alternatives and Provides resolve to installed packages"
        );
        assert_eq!(by("git").version, "1:2.39.2-1.1");
        assert_eq!(
            by("git").manual,
            Some(true),
            "absent from extended_states means manual"
        );
        assert_eq!(by("libgcc-s1").source_version.as_deref(), Some("12.2.0-14"));
    }

    /// Validates distroless status.d files (no Status field) and skipping of broken records.
    #[test]
    fn distroless_status_d() {
        let files = set(&[
            (
                "var/lib/dpkg/status.d/base-files",
                "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
            ),
            (
                "var/lib/dpkg/status.d/libc6",
                "Package: libc6\nVersion: 2.36-9+deb12u4\nSource: glibc\nArchitecture: amd64\n",
            ),
            ("var/lib/dpkg/status.d/broken", "Version: 1\n"),
        ]);
        let r = Dpkg.analyze(&files).unwrap();
        assert_eq!(r.packages.len(), 2);
        assert_eq!(r.packages[0].manual, None);
        assert_eq!(r.warnings.len(), 1);
        assert!(
            r.warnings[0].contains("status.d/broken"),
            "{:?}",
            r.warnings
        );
    }

    /// Validates that binary garbage is an error naming the file, not a panic.
    #[test]
    fn garbage() {
        let mut files = FileSet::new();
        files.insert(STATUS.into(), Arc::new(vec![0xff, 0xfe, 0x00, 0x80]));
        let e = Dpkg.analyze(&files).unwrap_err();
        assert_eq!(e.path, STATUS);
    }
}
