//! Which files the OS package manager owns, so that language analyzers do not report again
//! what an OS package installed (design: "Files owned by an OS package are not matched again
//! as language packages"). Debian's `python3-requests` puts
//! `usr/lib/python3/dist-packages/requests-2.28.1.egg-info` on disk; it is the deb
//! `python3-requests`, matched against Debian's feed, not a PyPI `requests`.
//!
//! Sources, each listing paths without a leading `/` once read here:
//! * dpkg `var/lib/dpkg/info/*.list` (and `PKG:ARCH.list` for multi-arch packages): one
//!   absolute path per line, directories included (`/usr/lib/python3/dist-packages/x.dist-info`);
//! * distroless `var/lib/dpkg/status.d/*.md5sums`: `MD5  relative/path` per line, files only;
//! * apk `lib/apk/db/installed` (and apk-tools 3's `usr/lib/apk/db/installed`): `F:dir` lines,
//!   each followed by `R:name` lines for the files in that directory;
//! * rpm databases (sqlite, Berkeley DB, NDB; the one the rpm analyzer reads): each header's
//!   BASENAMES, DIRNAMES and DIRINDEXES (`rpm::owned_paths`), so a Fedora `python3-*` rpm's
//!   metadata is the rpm's, not a PyPI package. The database is buffered once for all
//!   analyzers (the walk keeps one copy per path, under the largest cap asked for it).

use std::collections::{BTreeSet, HashSet};

use crate::{Analysis, FileSet, Package};

const DPKG_INFO: &str = "var/lib/dpkg/info/";
const DPKG_STATUS_D: &str = "var/lib/dpkg/status.d/";
const APK_DBS: [&str; 2] = ["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// The largest package-manager file list buffered for ownership. Real `.list` files reach a
/// few MiB (kernel headers, texlive); bigger ones are skipped with a diagnostic, and the
/// files they list are then taken as unowned.
pub(crate) const MAX_LIST_SIZE: u64 = 8 * 1024 * 1024;

/// The cap for one file read here, for analyzers that also want files of their own: an rpm
/// database is as big as the rpm analyzer allows, a file list [`MAX_LIST_SIZE`].
pub(crate) fn max_size_of(path: &str) -> u64 {
    if super::rpm::is_database(path) {
        super::rpm::MAX_DB_SIZE
    } else {
        MAX_LIST_SIZE
    }
}

/// Whether `path` is one of the file lists read here. Suffix and prefix checks only: this
/// runs on every entry of every layer.
pub(crate) fn wants(path: &str) -> bool {
    if let Some(name) = path.strip_prefix(DPKG_INFO) {
        return name.len() > ".list".len() && name.ends_with(".list") && !name.contains('/');
    }
    if let Some(name) = path.strip_prefix(DPKG_STATUS_D) {
        return name.len() > ".md5sums".len() && name.ends_with(".md5sums") && !name.contains('/');
    }
    APK_DBS.contains(&path) || super::rpm::is_database(path)
}

/// Paths owned by OS packages, restricted to those a caller cares about.
#[derive(Debug, Default)]
pub(crate) struct Owned {
    paths: HashSet<String>,
}

impl Owned {
    /// Read every file list in `files`, keeping only paths for which `relevant` holds
    /// (a cheap substring test such as "contains `.dist-info`" keeps the set small).
    pub(crate) fn read(files: &FileSet, relevant: impl Fn(&str) -> bool) -> Owned {
        let mut paths = HashSet::new();
        let mut keep = |p: &str| {
            let p = p.trim().trim_start_matches('/').trim_end_matches('/');
            if !p.is_empty() && relevant(p) {
                paths.insert(p.to_string());
            }
        };
        for (path, data) in files {
            if !wants(path) {
                continue;
            }
            let text = String::from_utf8_lossy(data);
            if path.starts_with(DPKG_INFO) {
                text.lines().for_each(&mut keep);
            } else if path.starts_with(DPKG_STATUS_D) {
                // `d41d8cd98f00b204e9800998ecf8427e  usr/lib/python3/dist-packages/x/METADATA`
                for line in text.lines() {
                    if let Some((_, p)) = line.trim_start().split_once(char::is_whitespace) {
                        keep(p);
                    }
                }
            } else if APK_DBS.contains(&path.as_str()) {
                let mut dir = "";
                for line in text.lines() {
                    if let Some(d) = line.strip_prefix("F:") {
                        dir = d;
                        keep(d);
                    } else if let Some(f) = line.strip_prefix("R:") {
                        if dir.is_empty() {
                            keep(f);
                        } else {
                            keep(&format!("{dir}/{f}"));
                        }
                    } else if line.trim().is_empty() {
                        dir = "";
                    }
                }
            }
        }
        super::rpm::owned_paths(files, &relevant, &mut paths);
        Owned { paths }
    }

    /// Whether an OS package owns `path` (relative, no leading `/`).
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.paths.contains(path)
    }
}

/// Keep, of each package's dependency names, those naming another installed package (sorted,
/// deduplicated), and return the packages: language manifests list what a package asks for,
/// and only what is installed is an edge of the image's dependency graph.
pub(crate) fn link_installed(found: Vec<(Package, Vec<String>)>) -> Vec<Package> {
    let installed: HashSet<String> = found.iter().map(|(p, _)| p.name.clone()).collect();
    found
        .into_iter()
        .map(|(mut p, deps)| {
            let deps: BTreeSet<String> = deps
                .into_iter()
                .filter(|d| *d != p.name && installed.contains(d))
                .collect();
            p.depends = deps.into_iter().collect();
            p
        })
        .collect()
}

/// The analysis of a language whose installed packages are one manifest file each (npm's
/// `package.json`, a gem's `.gemspec`): every file `is_manifest` selects that no OS package
/// owns is read — `read` gives the package and the dependency names it asks for, `None`
/// for a file that is no package, or a warning — then the dependencies are linked among
/// the installed packages. `relevant` keeps the ownership set small (see [`Owned::read`]).
pub(crate) fn analyze_manifests(
    files: &FileSet,
    is_manifest: impl Fn(&str) -> bool,
    relevant: impl Fn(&str) -> bool,
    read: impl Fn(&str, &[u8]) -> Result<Option<(Package, Vec<String>)>, String>,
) -> Analysis {
    let mut result = Analysis::default();
    let mut manifests = files.iter().filter(|(p, _)| is_manifest(p)).peekable();
    if manifests.peek().is_none() {
        return result;
    }
    let owned = Owned::read(files, relevant);
    let mut found = Vec::new();
    for (path, data) in manifests {
        if owned.contains(path) {
            continue;
        }
        match read(path, data) {
            Ok(Some(f)) => found.push(f),
            Ok(None) => {}
            Err(w) => result.warnings.push(w),
        }
    }
    result.packages.extend(link_installed(found));
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Validates the declared file lists, with near misses.
    #[test]
    fn wants_file_lists() {
        assert!(wants("var/lib/dpkg/info/python3-requests.list"));
        assert!(wants("var/lib/dpkg/info/libc6:amd64.list"));
        assert!(wants("var/lib/dpkg/status.d/python3-requests.md5sums"));
        assert!(wants("lib/apk/db/installed"));
        assert!(wants("usr/lib/apk/db/installed"));
        assert!(!wants("var/lib/dpkg/info/python3-requests.md5sums"));
        assert!(!wants("var/lib/dpkg/info/python3-requests.postinst"));
        assert!(!wants("var/lib/dpkg/info/.list"));
        assert!(!wants("var/lib/dpkg/info/x/y.list"));
        assert!(!wants("var/lib/dpkg/status.d/python3-requests"));
        assert!(!wants("var/lib/dpkg/status"));
        assert!(!wants("srv/var/lib/dpkg/info/x.list"));
        assert!(!wants("lib/apk/db/installed.new"));
    }

    /// Validates reading dpkg lists, distroless md5sums and apk F:/R: entries.
    #[test]
    fn reads_each_source() {
        let files: FileSet = [
            (
                "var/lib/dpkg/info/python3-requests.list",
                "/.\n/usr\n/usr/lib/python3/dist-packages/requests-2.28.1.egg-info\n/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\n/usr/lib/python3/dist-packages/requests/__init__.py\n",
            ),
            (
                "var/lib/dpkg/status.d/python3-six.md5sums",
                "0123456789abcdef0123456789abcdef  usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n",
            ),
            (
                "lib/apk/db/installed",
                "P:py3-idna\nV:3.6-r0\nF:usr/lib/python3.11/site-packages/idna-3.6.dist-info\nR:METADATA\nR:RECORD\nF:usr/lib/python3.11/site-packages/idna\nR:core.py\n\nP:other\nR:stray.egg-info\n",
            ),
            ("var/lib/dpkg/status", "Package: x\n"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), Arc::new(t.as_bytes().to_vec())))
        .collect();
        let owned = Owned::read(&files, |p| p.contains("-info"));
        for p in [
            "usr/lib/python3/dist-packages/requests-2.28.1.egg-info",
            "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO",
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            "usr/lib/python3.11/site-packages/idna-3.6.dist-info",
            "usr/lib/python3.11/site-packages/idna-3.6.dist-info/METADATA",
            "stray.egg-info",
        ] {
            assert!(owned.contains(p), "{p}");
        }
        assert!(
            !owned.contains("usr/lib/python3/dist-packages/requests/__init__.py"),
            "irrelevant paths are not kept"
        );
        assert!(!owned.contains("usr/lib/python3.11/site-packages/idna/core.py"));
        assert!(Owned::read(&FileSet::new(), |_| true).paths.is_empty());
    }
}
