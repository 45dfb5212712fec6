//! Go binaries: the modules a Go executable was built from, read from its build info, and
//! the names of the Go functions it contains, read from its pclntab.
//!
//! The walk hands every executable (ELF, Mach-O, PE) to [`GoBinary::reduce`], which keeps
//! only what this analyzer needs: the Go version, the module text `go version -m` prints,
//! the function names, and any problem met (a binary without Go build info is dropped).
//! [`GoBinary::analyze`] then makes packages of it (all `pkg:golang`):
//! * `stdlib` at the Go version (`go1.19.8` → `1.19.8`, `go1.21rc2` → `1.21.0-rc.2`, as
//!   OSV's Go standard library entries write them; a `X:boringcrypto` experiment suffix is
//!   dropped), `found_by` `go version`;
//! * the main module (`mod` line) at its version, `(devel)` when it was built from a
//!   checkout: that is "unknown" and never matched; `found_by` `main module`;
//! * each `dep` at its version, `found_by` `dep`. A module with a `=>` replacement is
//!   reported as the replacement, the code that is in the binary (as trivy and syft do),
//!   with `found_by` `replace of PATH@VERSION` recording the original; a replacement by a
//!   local directory (no version) keeps the original path at `(devel)`, unknown.
//!
//! The main module depends on every other module and on `stdlib` (dependency paths
//! `example.com/app > golang.org/x/net`). Every package's `db_path` is the binary's path.
//!
//! Each package keeps the functions of its own packages ([`crate::Package::symbols`]:
//! `net/http.Server.Serve`), so a scan can tell whether the symbols an advisory names are in
//! the binary: a function belongs to the module whose path is the longest prefix of its
//! package path, to `stdlib` when its package path's first element has no dot (`net/http`,
//! `vendor/golang.org/x/net/…`, `internal/…`), and `main` to the main module.
//!
//! Binaries an OS package owns (`/usr/bin/…` of a Debian package) are the OS package's, as
//! with jars: Debian builds them with its own patched toolchain and libraries, so the
//! versions in their build info do not show Debian's backported fixes, and the OS feed
//! matches the package that installed them.
//!
//! Traps, each a diagnostic and never a panic or an unbounded allocation: a truncated or
//! overflowing varint, a length past the end of the file or over a cap, a pointer outside
//! every segment (`GO_BUILDINFO_CORRUPT`); a pclntab whose offsets or counts do not fit
//! (`GO_PCLNTAB_CORRUPT`, the packages are still reported, their symbols unknown).

mod buildinfo;
mod pclntab;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::owned::Owned;
use crate::diagnostics::{GO_BUILDINFO_CORRUPT, GO_PCLNTAB_CORRUPT};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads Go binaries.
pub struct GoBinary;

/// What [`GoBinary::reduce`] keeps of one executable, as JSON.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Reduced {
    /// The Go version as written (`go1.19.8`); `None` when the build info did not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go: Option<String>,
    /// The module text between its sentinels.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modinfo: String,
    /// Why the build info did not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buildinfo_error: Option<String>,
    /// Function names by package path, when the pclntab read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Why the pclntab did not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols_error: Option<String>,
}

/// Reads the executable `data`: `None` when it has no Go build info.
pub(crate) fn reduce_binary(data: &[u8]) -> Option<Reduced> {
    let file = object::File::parse(data).ok();
    let mut out = Reduced::default();
    match buildinfo::read(data, file.as_ref()) {
        Ok(raw) => {
            out.go = Some(raw.go_version);
            out.modinfo = raw.modinfo;
        }
        Err(buildinfo::BuildInfoError::NotFound) => return None,
        Err(e) => out.buildinfo_error = Some(e.to_string()),
    }
    match pclntab::functions(data, file.as_ref()) {
        Ok(s) => out.symbols = Some(s),
        Err(e) => out.symbols_error = Some(e.to_string()),
    }
    Some(out)
}

/// The Go version as OSV writes stdlib versions (`go1.19.8` → `1.19.8`); `None` for a
/// development toolchain (`devel go1.22-…`) or text that is not a Go release.
pub(crate) fn stdlib_version(go: &str) -> Option<String> {
    let release = go.split_whitespace().next()?;
    if !release.starts_with("go") {
        return None;
    }
    let v: version::GoVersion = release.parse().ok()?;
    Some(v.semver().to_string())
}

/// Whether the package path `pkg` belongs to the module `module`.
fn in_module(pkg: &str, module: &str) -> bool {
    pkg == module
        || (pkg.len() > module.len()
            && pkg.starts_with(module)
            && pkg.as_bytes()[module.len()] == b'/')
}

/// Whether `pkg` is a standard library package (no dot in its first path element).
fn is_std(pkg: &str) -> bool {
    pkg != "main" && !pkg.split('/').next().unwrap_or(pkg).contains('.')
}

/// The packages of one binary at `path`, from its reduced form.
pub(crate) fn packages_of(path: &str, r: &Reduced, result: &mut Analysis) {
    if let Some(e) = &r.buildinfo_error {
        result
            .diagnostics
            .push((GO_BUILDINFO_CORRUPT, format!("/{path}: {e}; skipped")));
        return;
    }
    let Some(go) = &r.go else { return };
    if let Some(e) = &r.symbols_error {
        result.diagnostics.push((
            GO_PCLNTAB_CORRUPT,
            format!("/{path}: {e}; the vulnerable-symbol check says unknown for this binary"),
        ));
    }
    let (info, problems) = buildinfo::parse_modinfo(&r.modinfo);
    for p in problems {
        result
            .warnings
            .push(format!("/{path}: Go module information {p}"));
    }
    let golang = |name: &str, version: &str, found_by: String| Package {
        package_type: Some(PackageType::Golang),
        name: name.to_string(),
        version: version.to_string(),
        db_path: path.to_string(),
        found_by: Some(found_by),
        ..Default::default()
    };
    let mut own: Vec<Package> = Vec::new();
    match stdlib_version(go) {
        Some(v) => own.push(golang("stdlib", &v, "go version".into())),
        None => result.warnings.push(format!(
            "/{path}: Go version {go:?} is not a release; stdlib not reported"
        )),
    }
    for dep in &info.deps {
        let p = match dep.replace.as_deref() {
            Some(r) if !r.version.is_empty() => golang(
                &r.path,
                &r.version,
                format!("replace of {}@{}", dep.path, dep.version),
            ),
            Some(r) => golang(
                &dep.path,
                "(devel)",
                format!("replace of {}@{} by {}", dep.path, dep.version, r.path),
            ),
            None => golang(&dep.path, &dep.version, "dep".into()),
        };
        if p.name.is_empty() || p.version.is_empty() {
            result.warnings.push(format!(
                "/{path}: Go module line without a path or version; skipped"
            ));
            continue;
        }
        own.push(p);
    }
    if let Some(main) = info.main.as_ref().filter(|m| !m.path.is_empty()) {
        let version = if main.version.is_empty() {
            "(devel)"
        } else {
            main.version.as_str()
        };
        let mut p = golang(&main.path, version, "main module".into());
        p.depends = own
            .iter()
            .map(|d| d.name.clone())
            .filter(|n| *n != main.path)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        own.push(p);
    }
    if let Some(symbols) = &r.symbols {
        let main = info.main.as_ref().map(|m| m.path.as_str());
        // Module paths, longest first, so the longest prefix wins.
        let mut modules: Vec<(usize, &str)> = own
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name != "stdlib")
            .map(|(i, p)| (i, p.name.as_str()))
            .collect();
        modules.sort_by_key(|(_, m)| std::cmp::Reverse(m.len()));
        let std_index = own.iter().position(|p| p.name == "stdlib");
        let main_index = main.and_then(|m| own.iter().position(|p| p.name == m));
        let mut lists: Vec<Vec<String>> = vec![Vec::new(); own.len()];
        for (pkg, syms) in symbols {
            let owner = modules
                .iter()
                .find(|(_, m)| in_module(pkg, m))
                .map(|(i, _)| *i)
                .or(if pkg == "main" { main_index } else { None })
                .or(if is_std(pkg) { std_index } else { None });
            if let Some(i) = owner {
                lists[i].extend(syms.iter().map(|s| format!("{pkg}.{s}")));
            }
        }
        for (p, mut list) in own.iter_mut().zip(lists) {
            list.sort();
            list.dedup();
            p.symbols = Some(list);
        }
    }
    result.packages.append(&mut own);
}

/// Whether a file in the analyzer's view is a picked binary (not an OS file list).
fn is_binary_entry(path: &str) -> bool {
    !super::owned::wants(path)
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let binaries: HashSet<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| is_binary_entry(p))
        .collect();
    if binaries.is_empty() {
        return result;
    }
    let owned = Owned::read(files, |p| binaries.contains(p));
    for (path, data) in files {
        if !binaries.contains(path.as_str()) || owned.contains(path) {
            continue;
        }
        match serde_json::from_slice::<Reduced>(data) {
            Ok(r) => packages_of(path, &r, &mut result),
            Err(e) => result
                .warnings
                .push(format!("/{path}: unreadable reduced Go build info ({e})")),
        }
    }
    result
}

impl Analyzer for GoBinary {
    fn name(&self) -> &'static str {
        "gobinary"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        super::owned::wants(path)
    }

    fn max_size_of(&self, _path: &str) -> u64 {
        super::owned::MAX_LIST_SIZE
    }

    fn picks(&self, _path: &str, mode: u32, head: &[u8]) -> bool {
        super::executable::format(mode, head).is_some()
    }

    fn reduce(&self, _path: &str, data: &[u8]) -> Option<Vec<u8>> {
        let r = reduce_binary(data)?;
        serde_json::to_vec(&r).ok()
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

#[cfg(test)]
mod tests;
