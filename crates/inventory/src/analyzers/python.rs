//! Installed Python distributions: the core metadata pip and setuptools leave in
//! `site-packages` (or Debian's `dist-packages`).
//!
//! Read, each directly inside a `site-packages` or `dist-packages` directory:
//! * `NAME-VERSION.dist-info/METADATA` (wheels, modern pip);
//! * `NAME-VERSION.egg-info/PKG-INFO` and the single-file `NAME-VERSION.egg-info`
//!   (setuptools, `setup.py install`, most Debian `python3-*` packages);
//! * `NAME-VERSION.egg/EGG-INFO/PKG-INFO` (zipped-egg installs unpacked by easy_install).
//!
//! Traps:
//! * core metadata is an email header block (PEP 566 / core metadata spec): fields repeat
//!   (`Classifier`, `Requires-Dist`), values continue on lines starting with whitespace (a
//!   line of only spaces is such a continuation), and the first empty line starts the long
//!   description, which is not read;
//! * the licence is `License-Expression` (metadata 2.4, SPDX) when present, else `License`
//!   unless it is empty, `UNKNOWN` or a whole licence text pasted over several lines, else the
//!   last part of each `License :: …` classifier;
//! * `Requires-Dist` is a PEP 508 requirement (`idna (<3,>=2.5)`,
//!   `PySocks!=1.5.7,>=1.5.6; extra == "socks"`): only its name is kept, and requirements
//!   of an extra are dropped (no file records which extras an install asked for; urllib3's
//!   `secure` extra would otherwise make it the parent of an unrelated `certifi`). As with
//!   dpkg's `Depends`, a requirement becomes a dependency edge only when a distribution of
//!   that (PEP 503-normalised) name is installed, and the edge names it as it spells itself,
//!   so markers that do not apply leave no dangling edges;
//! * distributions whose metadata an OS package owns (Debian's `python3-requests`, Alpine's
//!   `py3-idna`) are skipped: they are OS packages, matched against the distribution's feed
//!   (see `owned.rs`);
//! * vendored metadata deeper inside a package (`setuptools/_vendor/x.dist-info`) and
//!   `pip install --target DIR` trees outside `site-packages` are not installed distributions
//!   on `sys.path`, and are not read.

use std::collections::{BTreeMap, BTreeSet};

use version::pep503;

use super::owned::{self, Owned};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads installed Python distributions.
pub struct Python;

/// How a wanted metadata file sits on disk; `dist` is the path of the `.dist-info`,
/// `.egg-info` or `.egg` entry that names the distribution.
#[derive(Debug, PartialEq, Eq)]
struct Metadata<'a> {
    dist: &'a str,
}

/// The last `/`-separated component of `path` and what comes before it.
fn split_last(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((dir, base)) => (dir, base),
        None => ("", path),
    }
}

/// Whether `dir` is a `site-packages` or `dist-packages` directory.
fn is_packages_dir(dir: &str) -> bool {
    let base = split_last(dir).1;
    base == "site-packages" || base == "dist-packages"
}

/// Whether `dist` (a path) is an entry named `suffix`-something directly inside a packages
/// directory, with a non-empty name before the suffix.
fn in_packages_dir(dist: &str, suffix: &str) -> bool {
    let (dir, base) = split_last(dist);
    base.len() > suffix.len() && base.ends_with(suffix) && is_packages_dir(dir)
}

/// Classify `path` as a metadata file this analyzer reads. Suffix checks only, no
/// allocation: `wants` calls this on every entry of every layer.
fn metadata(path: &str) -> Option<Metadata<'_>> {
    if let Some(dist) = path.strip_suffix("/METADATA") {
        return in_packages_dir(dist, ".dist-info").then_some(Metadata { dist });
    }
    if let Some(dir) = path.strip_suffix("/PKG-INFO") {
        if in_packages_dir(dir, ".egg-info") {
            return Some(Metadata { dist: dir });
        }
        let egg = dir.strip_suffix("/EGG-INFO")?;
        return in_packages_dir(egg, ".egg").then_some(Metadata { dist: egg });
    }
    if path.ends_with(".egg-info") && in_packages_dir(path, ".egg-info") {
        return Some(Metadata { dist: path });
    }
    None
}

/// The header fields of a core metadata file, lower-cased name → values in order.
fn headers(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Only an empty line ends the headers: a folded value keeps its blank lines as
        // lines of whitespace (`License: …\n        \n        …`).
        if line.is_empty() {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(v) = last
                .as_ref()
                .and_then(|k| out.get_mut(k))
                .and_then(|vs| vs.last_mut())
            {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) if !k.is_empty() && !k.contains(' ') => {
                let k = k.to_ascii_lowercase();
                out.entry(k.clone()).or_default().push(v.trim().to_string());
                last = Some(k);
            }
            // Not a header line: the headers ended without a blank line (bad metadata).
            _ => break,
        }
    }
    out
}

/// The name of a PEP 508 requirement (`PySocks!=1.5.7,>=1.5.6; extra == "socks"` →
/// `PySocks`), or `None` when it does not start with a valid name.
fn requirement_name(req: &str) -> Option<&str> {
    let req = req.trim_start();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = req[..end].trim_end_matches(['-', '_', '.']);
    (!name.is_empty()).then_some(name)
}

/// Whether a requirement applies only when an extra was asked for
/// (`PySocks>=1.5.6; extra == "socks"`). Which extras an install asked for is not recorded
/// anywhere in the metadata, so such requirements are no edges.
fn needs_extra(req: &str) -> bool {
    req.split_once(';')
        .is_some_and(|(_, marker)| marker.contains("extra"))
}

/// The licences declared, per the order in the module docs.
fn licenses(h: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let first = |k: &str| {
        h.get(k)
            .and_then(|v| v.first())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("UNKNOWN"))
    };
    if let Some(e) = first("license-expression") {
        return vec![e.to_string()];
    }
    if let Some(l) = first("license").filter(|l| !l.contains('\n') && l.len() <= 200) {
        return vec![l.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for c in h.get("classifier").into_iter().flatten() {
        let mut parts = c.split("::").map(str::trim);
        if parts.next() != Some("License") {
            continue;
        }
        if let Some(l) = parts
            .last()
            .filter(|l| *l != "OSI Approved" && !l.is_empty())
        {
            if !out.iter().any(|o| o == l) {
                out.push(l.to_string());
            }
        }
    }
    out
}

/// One distribution, with the requirement names still unresolved.
struct Found {
    package: Package,
    requires: Vec<String>,
}

/// Read one metadata file. `Err` is a warning naming the file.
fn read(path: &str, data: &[u8]) -> Result<Found, String> {
    let text = String::from_utf8_lossy(data);
    let h = headers(&text);
    let get = |k: &str| {
        h.get(k)
            .and_then(|v| v.first())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let name = get("name").ok_or_else(|| format!("/{path}: no Name field; skipped"))?;
    let version =
        get("version").ok_or_else(|| format!("/{path}: {name} has no Version; skipped"))?;
    let requires = h
        .get("requires-dist")
        .into_iter()
        .flatten()
        .filter(|r| !needs_extra(r))
        .filter_map(|r| requirement_name(r))
        .map(str::to_string)
        .collect();
    Ok(Found {
        package: Package {
            package_type: Some(PackageType::Python),
            name,
            version,
            licenses: licenses(&h),
            maintainer: get("maintainer").or_else(|| get("author")),
            db_path: path.to_string(),
            ..Default::default()
        },
        requires,
    })
}

impl Analyzer for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        metadata(path).is_some() || owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        // METADATA carries the long description (a README, rarely above 1 MiB); the OS
        // file lists read for ownership are the larger files here.
        owned::MAX_LIST_SIZE
    }

    fn max_size_of(&self, path: &str) -> u64 {
        // An rpm database read for ownership gets the rpm analyzer's cap.
        owned::max_size_of(path)
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        let mut result = Analysis::default();
        let mut wanted = files
            .iter()
            .filter_map(|(p, d)| metadata(p).map(|m| (p.as_str(), m.dist, d)))
            .peekable();
        if wanted.peek().is_none() {
            return Ok(result);
        }
        let owned = Owned::read(files, |p| p.contains("-info") || p.contains(".egg"));
        let mut found = Vec::new();
        for (path, dist, data) in wanted {
            if owned.contains(dist) || owned.contains(path) {
                continue;
            }
            match read(path, data) {
                Ok(f) => found.push(f),
                Err(w) => result.warnings.push(w),
            }
        }
        let installed: BTreeMap<String, String> = found
            .iter()
            .map(|f| (pep503::normalize(&f.package.name), f.package.name.clone()))
            .collect();
        for f in found {
            let mut p = f.package;
            let own = pep503::normalize(&p.name);
            let deps: BTreeSet<String> = f
                .requires
                .iter()
                .map(|r| pep503::normalize(r))
                .filter(|r| *r != own)
                .filter_map(|r| installed.get(&r).cloned())
                .collect();
            p.depends = deps.into_iter().collect();
            result.packages.push(p);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const SITE: &str = "usr/local/lib/python3.11/site-packages";

    /// METADATA as pip 23 writes it for requests 2.25.1 (Metadata-Version 2.1), headers
    /// verbatim from the published wheel, description shortened.
    const REQUESTS: &str = "Metadata-Version: 2.1
Name: requests
Version: 2.25.1
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
Author: Kenneth Reitz
Author-email: me@kennethreitz.org
License: Apache 2.0
Project-URL: Documentation, https://requests.readthedocs.io
Project-URL: Source, https://github.com/psf/requests
Platform: UNKNOWN
Classifier: Development Status :: 5 - Production/Stable
Classifier: Intended Audience :: Developers
Classifier: Natural Language :: English
Classifier: License :: OSI Approved :: Apache Software License
Classifier: Programming Language :: Python
Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*
Description-Content-Type: text/markdown
Requires-Dist: chardet (<5,>=3.0.2)
Requires-Dist: idna (<3,>=2.5)
Requires-Dist: urllib3 (<1.27,>=1.21.1)
Requires-Dist: certifi (>=2017.4.17)
Provides-Extra: security
Requires-Dist: pyOpenSSL (>=0.14) ; extra == 'security'
Requires-Dist: cryptography (>=1.3.4) ; extra == 'security'
Provides-Extra: socks
Requires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'
Requires-Dist: win-inet-pton ; (sys_platform == \"win32\" and python_version == \"2.7\") and extra == 'socks'

# Requests

Name: not-a-header
**Requests** is a simple, yet elegant HTTP library.
";

    /// Jinja2 2.11.2: BSD-3-Clause in `License`, `MarkupSafe` in a different case.
    const JINJA2: &str = "Metadata-Version: 2.1
Name: Jinja2
Version: 2.11.2
Summary: A very fast and expressive template engine.
Home-page: https://palletsprojects.com/p/jinja/
Author: Armin Ronacher
Author-email: armin.ronacher@active-4.com
Maintainer: Pallets
Maintainer-email: contact@palletsprojects.com
License: BSD-3-Clause
Classifier: License :: OSI Approved :: BSD License
Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*
Description-Content-Type: text/x-rst
Requires-Dist: markupsafe (>=0.23)
Provides-Extra: i18n
Requires-Dist: Babel (>=0.8) ; extra == 'i18n'

Jinja
=====
";

    /// MarkupSafe 1.1.1: `License: BSD-3-Clause`.
    const MARKUPSAFE: &str =
        "Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 1.1.1\nLicense: BSD-3-Clause\n";

    /// A Debian-style egg-info PKG-INFO (setuptools 66.1.1 in bookworm), Metadata 2.1,
    /// `License: UNKNOWN`, licence from classifiers.
    const SETUPTOOLS: &str = "Metadata-Version: 2.1
Name: setuptools
Version: 66.1.1
Summary: Easily download, build, install, upgrade, and uninstall Python packages
Home-page: https://github.com/pypa/setuptools
Author: Python Packaging Authority
Author-email: distutils-sig@python.org
License: UNKNOWN
Classifier: Development Status :: 5 - Production/Stable
Classifier: Intended Audience :: Developers
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=3.7
";

    fn set(files: &[(String, &str)]) -> FileSet {
        files
            .iter()
            .map(|(p, t)| (p.clone(), Arc::new(t.as_bytes().to_vec())))
            .collect()
    }

    /// Validates the declared paths, with near misses.
    #[test]
    fn wants() {
        for yes in [
            "usr/local/lib/python3.11/site-packages/requests-2.25.1.dist-info/METADATA",
            "usr/local/lib/python3.11/dist-packages/Jinja2-2.11.2.dist-info/METADATA",
            "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA",
            "opt/venv/lib/python3.12/site-packages/x-1.0.dist-info/METADATA",
            "usr/lib/python3/dist-packages/setuptools-66.1.1.egg-info/PKG-INFO",
            "usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info",
            "usr/lib/python3.6/site-packages/foo-1.0-py3.6.egg/EGG-INFO/PKG-INFO",
            "site-packages/x-1.0.dist-info/METADATA",
            // Ownership lists.
            "var/lib/dpkg/info/python3-requests.list",
            "lib/apk/db/installed",
        ] {
            assert!(Python.wants(yes), "{yes}");
        }
        for no in [
            "usr/local/lib/python3.11/site-packages/requests-2.25.1.dist-info/RECORD",
            "usr/local/lib/python3.11/site-packages/requests-2.25.1.dist-info/METADATA.bak",
            "usr/local/lib/python3.11/site-packages/requests-2.25.1.dist-info/sub/METADATA",
            "usr/local/lib/python3.11/site-packages/METADATA",
            "usr/local/lib/python3.11/site-packages/.dist-info/METADATA",
            "usr/lib/python3/dist-packages/setuptools/_vendor/packaging-24.0.dist-info/METADATA",
            "app/libs/requests-2.25.1.dist-info/METADATA",
            "usr/lib/python3/my-site-packages/x-1.0.dist-info/METADATA",
            "usr/lib/python3/dist-packages/setuptools-66.1.1.egg-info/requires.txt",
            "usr/lib/python3/dist-packages/x.egg-info/sub/PKG-INFO",
            "usr/lib/python3/dist-packages/x-1.0.egg/PKG-INFO",
            "usr/lib/python3/dist-packages/.egg-info",
            "usr/src/setuptools-66.1.1/PKG-INFO",
            "usr/lib/python3/dist-packages/x-1.0.dist-info",
            "var/lib/dpkg/status",
            "METADATA",
        ] {
            assert!(!Python.wants(no), "{no}");
        }
    }

    /// Validates fields, licences, PEP 508 names and resolution of dependencies to the
    /// installed distributions, whatever their spelling.
    #[test]
    fn dist_info_metadata() {
        let files = set(&[
            (
                format!("{SITE}/requests-2.25.1.dist-info/METADATA"),
                REQUESTS,
            ),
            (format!("{SITE}/Jinja2-2.11.2.dist-info/METADATA"), JINJA2),
            (
                format!("{SITE}/MarkupSafe-1.1.1.dist-info/METADATA"),
                MARKUPSAFE,
            ),
            (
                format!("{SITE}/idna-2.10.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: idna\nVersion: 2.10\nLicense: BSD-like\n",
            ),
            (
                format!("{SITE}/PySocks-1.7.1.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: PySocks\nVersion: 1.7.1\nLicense: BSD\n",
            ),
            (format!("{SITE}/requests-2.25.1.dist-info/RECORD"), "x"),
        ]);
        let r = Python.analyze(&files).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let by = |n: &str| r.packages.iter().find(|p| p.name == n).unwrap();
        let req = by("requests");
        assert_eq!(req.version, "2.25.1");
        assert_eq!(req.package_type, Some(PackageType::Python));
        assert_eq!(req.licenses, ["Apache 2.0"]);
        assert_eq!(req.maintainer.as_deref(), Some("Kenneth Reitz"));
        assert_eq!(
            req.db_path,
            format!("{SITE}/requests-2.25.1.dist-info/METADATA")
        );
        assert_eq!(
            req.depends,
            ["idna"],
            "installed requirements only, none of an extra (PySocks is installed)"
        );
        let j = by("Jinja2");
        assert_eq!(j.version, "2.11.2");
        assert_eq!(j.licenses, ["BSD-3-Clause"]);
        assert_eq!(j.maintainer.as_deref(), Some("Pallets"));
        assert_eq!(
            j.depends,
            ["MarkupSafe"],
            "markupsafe resolves to MarkupSafe"
        );
        assert_eq!(r.packages.len(), 5);
    }

    /// Validates the licence order: License-Expression, then a usable License, then
    /// classifiers; multi-line licence texts are not taken as a licence name.
    #[test]
    fn license_sources() {
        let h = headers("Name: a\nLicense-Expression: MIT OR Apache-2.0\nLicense: MIT\n");
        assert_eq!(licenses(&h), ["MIT OR Apache-2.0"]);
        let h = headers(SETUPTOOLS);
        assert_eq!(licenses(&h), ["MIT License"]);
        let h = headers(
            "Name: a\nLicense: Copyright (c) 2020 Someone\n        \n        Permission is hereby granted\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: Public Domain\n",
        );
        assert_eq!(licenses(&h), ["MIT License", "Public Domain"]);
        assert!(licenses(&headers("Name: a\nLicense: \n")).is_empty());
    }

    /// Validates the egg-info forms: directory PKG-INFO, single-file egg-info, EGG-INFO.
    #[test]
    fn egg_info_forms() {
        let dp = "usr/lib/python3/dist-packages";
        let files = set(&[
            (format!("{dp}/setuptools-66.1.1.egg-info/PKG-INFO"), SETUPTOOLS),
            (
                format!("{dp}/python_apt-2.6.0.egg-info"),
                "Metadata-Version: 1.1\nName: python-apt\nVersion: 2.6.0\nSummary: Python bindings for APT\nLicense: GNU GPL\nPlatform: posix\n",
            ),
            (
                format!("{dp}/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO"),
                "Metadata-Version: 1.0\r\nName: foo\r\nVersion: 1.0\r\n",
            ),
        ]);
        let r = Python.analyze(&files).unwrap();
        let got: Vec<_> = r
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.db_path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "foo",
                    "1.0",
                    "usr/lib/python3/dist-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO"
                ),
                (
                    "python-apt",
                    "2.6.0",
                    "usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info"
                ),
                (
                    "setuptools",
                    "66.1.1",
                    "usr/lib/python3/dist-packages/setuptools-66.1.1.egg-info/PKG-INFO"
                ),
            ]
        );
    }

    /// Validates that metadata an OS package owns (dpkg .list with the directory, dpkg
    /// .list with a single-file egg-info, distroless md5sums, apk F:/R:) is not reported.
    #[test]
    fn os_owned_distributions_are_skipped() {
        let dp = "usr/lib/python3/dist-packages";
        let alp = "usr/lib/python3.11/site-packages";
        let files = set(&[
            (format!("{dp}/requests-2.28.1.egg-info/PKG-INFO"), "Name: requests\nVersion: 2.28.1\n"),
            (format!("{dp}/python_apt-2.6.0.egg-info"), "Name: python-apt\nVersion: 2.6.0\n"),
            (format!("{dp}/six-1.16.0.dist-info/METADATA"), "Name: six\nVersion: 1.16.0\n"),
            (format!("{alp}/idna-3.6.dist-info/METADATA"), "Name: idna\nVersion: 3.6\n"),
            (format!("{SITE}/requests-2.25.1.dist-info/METADATA"), REQUESTS),
            (
                "var/lib/dpkg/info/python3-requests.list".into(),
                "/.\n/usr/lib/python3/dist-packages/requests-2.28.1.egg-info\n/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\n",
            ),
            (
                "var/lib/dpkg/info/python3-apt.list".into(),
                "/usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info\n",
            ),
            (
                "var/lib/dpkg/status.d/python3-six.md5sums".into(),
                "0123456789abcdef0123456789abcdef  usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n",
            ),
            (
                "lib/apk/db/installed".into(),
                "P:py3-idna\nV:3.6-r0\nF:usr/lib/python3.11/site-packages/idna-3.6.dist-info\nR:METADATA\n",
            ),
        ]);
        let r = Python.analyze(&files).unwrap();
        let got: Vec<_> = r
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("requests", "2.25.1")]);
    }

    /// Validates that broken metadata is a warning naming the file, never a panic, and
    /// that ownership lists alone yield nothing.
    #[test]
    fn malformed() {
        let files = set(&[
            (
                format!("{SITE}/a-1.dist-info/METADATA"),
                "Metadata-Version: 2.1\nVersion: 1\n",
            ),
            (format!("{SITE}/b-1.dist-info/METADATA"), "Name: b\n"),
            (format!("{SITE}/c-1.dist-info/METADATA"), ""),
            ("var/lib/dpkg/info/x.list".into(), "/usr\n"),
        ]);
        let mut files = files;
        files.insert(
            format!("{SITE}/d-1.dist-info/METADATA"),
            Arc::new(vec![0xff, 0xfe, 0x00, b'\n']),
        );
        let r = Python.analyze(&files).unwrap();
        assert!(r.packages.is_empty());
        assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
        assert!(
            r.warnings[0].contains("a-1.dist-info/METADATA"),
            "{:?}",
            r.warnings
        );
        assert!(
            r.warnings[1].contains("b has no Version"),
            "{:?}",
            r.warnings
        );
        let only_lists = set(&[("var/lib/dpkg/info/x.list".into(), "/usr\n")]);
        let r = Python.analyze(&only_lists).unwrap();
        assert!(r.packages.is_empty() && r.warnings.is_empty());
    }

    /// Validates PEP 508 name extraction.
    #[test]
    fn requirement_names() {
        for (req, name) in [
            ("chardet (<5,>=3.0.2)", Some("chardet")),
            (
                "PySocks!=1.5.7,>=1.5.6; extra == \"socks\"",
                Some("PySocks"),
            ),
            ("requests[security]>=2.8.1", Some("requests")),
            ("zope.interface", Some("zope.interface")),
            ("name @ https://example.org/x.whl", Some("name")),
            ("  spaced ; python_version < '3.8'", Some("spaced")),
            ("(bad)", None),
            ("", None),
        ] {
            assert_eq!(requirement_name(req), name, "{req}");
        }
        assert!(needs_extra("PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'"));
        assert!(needs_extra(
            "win-inet-pton ; (sys_platform == \"win32\") and extra == 'socks'"
        ));
        assert!(!needs_extra("idna (<3,>=2.5)"));
        assert!(!needs_extra(
            "importlib-metadata ; python_version < \"3.8\""
        ));
    }
}
