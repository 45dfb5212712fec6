//! Dependency edges between the packages of an inventory, resolved once from the names in
//! [`Package::depends`].
//!
//! Analyzers record dependencies as names (`Depends: libc6`). Dependency paths (`scan`) and
//! both SBOM formats (`report`) need them as links to packages, so a name is looked up among
//! the packages of the same type, here and nowhere else. Traps:
//! - a name may be installed for two architectures (`libc6:amd64` and `libc6:i386`): prefer the
//!   dependent's own architecture or an architecture-independent one (`all`, `noarch`), and
//!   only fall back to every candidate when none of those exists;
//! - dpkg may qualify a name (`python3:any`): try the part before the colon;
//! - names nothing provides are dropped (virtual packages, or a package removed later);
//! - a package never depends on itself;
//! - one Rust binary may hold two versions of a crate (`bitflags` 1 and 2), and two binaries
//!   the same crate: its analyzer writes `name@version`, which resolves to that version only,
//!   and of several candidates the ones read from the dependent's own file (`db_path`) are
//!   preferred (so a Go main module depends on its own binary's modules);
//! - dependency cycles are normal (`libc6` ↔ `libgcc-s1`), so "nobody depends on it" alone may
//!   leave packages unreachable from the image: [`Dependencies::roots`] adds those too.

use std::collections::{BTreeSet, HashMap};

use crate::model::{Inventory, Package, PackageId, PackageType};

/// For each package of an inventory, the packages it depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dependencies {
    edges: Vec<Vec<PackageId>>,
}

impl Inventory {
    /// Resolves every package's [`Package::depends`] names to packages of this inventory.
    pub fn dependencies(&self) -> Dependencies {
        Dependencies::resolve(&self.packages)
    }
}

impl Dependencies {
    fn resolve(packages: &[Package]) -> Dependencies {
        let mut by_name: HashMap<(Option<PackageType>, &str), Vec<usize>> = HashMap::new();
        for (i, p) in packages.iter().enumerate() {
            by_name
                .entry((p.package_type, p.name.as_str()))
                .or_default()
                .push(i);
        }
        let edges = packages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut out = BTreeSet::new();
                for dep in &p.depends {
                    let (dep, version) = split_version(dep.trim());
                    let found = by_name.get(&(p.package_type, dep)).or_else(|| {
                        dep.split_once(':')
                            .and_then(|(bare, _)| by_name.get(&(p.package_type, bare)))
                    });
                    if let Some(candidates) = found {
                        let candidates: Vec<usize> = match version {
                            Some(v) => candidates
                                .iter()
                                .copied()
                                .filter(|&c| packages[c].version == v)
                                .collect(),
                            None => candidates.clone(),
                        };
                        out.extend(pick(p, &candidates, packages));
                    }
                }
                out.remove(&i);
                out.into_iter().map(PackageId).collect()
            })
            .collect();
        Dependencies { edges }
    }

    /// The packages `id` depends on, sorted by id; empty for an id out of range.
    pub fn of(&self, id: PackageId) -> &[PackageId] {
        self.edges.get(id.0).map_or(&[], Vec::as_slice)
    }

    /// Every package with the packages it depends on, in package order.
    pub fn iter(&self) -> impl Iterator<Item = (PackageId, &[PackageId])> {
        self.edges
            .iter()
            .enumerate()
            .map(|(i, e)| (PackageId(i), e.as_slice()))
    }

    /// The packages the image itself should point at: those nothing depends on, then one
    /// member of each group that is still unreachable (a cycle nobody else depends on),
    /// sorted by id.
    pub fn roots(&self) -> Vec<PackageId> {
        let edges = &self.edges;
        let n = edges.len();
        let mut depended = vec![false; n];
        for targets in edges {
            for t in targets {
                depended[t.0] = true;
            }
        }
        let mut roots: Vec<usize> = (0..n).filter(|&i| !depended[i]).collect();
        let mut reached = vec![false; n];
        let visit = |start: usize, reached: &mut Vec<bool>| {
            let mut stack = vec![start];
            while let Some(i) = stack.pop() {
                if !reached[i] {
                    reached[i] = true;
                    stack.extend(edges[i].iter().map(|t| t.0));
                }
            }
        };
        for &r in &roots {
            visit(r, &mut reached);
        }
        for i in 0..n {
            if !reached[i] {
                roots.push(i);
                visit(i, &mut reached);
            }
        }
        roots.sort_unstable();
        roots.into_iter().map(PackageId).collect()
    }
}

/// `name@version` → (`name`, the version); anything else is a name alone. An npm scope
/// (`@types/node`) is not a version: the name before `@` must not be empty.
fn split_version(dep: &str) -> (&str, Option<&str>) {
    match dep.rsplit_once('@') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => (name, Some(version)),
        _ => (dep, None),
    }
}

/// Narrows same-name candidates to those read from the dependent's own file, then to the
/// dependent's architecture, when that is possible.
fn pick(from: &Package, candidates: &[usize], packages: &[Package]) -> Vec<usize> {
    if candidates.len() < 2 {
        return candidates.to_vec();
    }
    let same_file: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&c| packages[c].db_path == from.db_path)
        .collect();
    let candidates = if same_file.is_empty() {
        candidates
    } else {
        &same_file[..]
    };
    if candidates.len() < 2 {
        return candidates.to_vec();
    }
    let fits = |c: &usize| {
        let arch = packages[*c].arch.as_deref();
        arch == from.arch.as_deref() || matches!(arch, Some("all" | "noarch"))
    };
    let narrowed: Vec<usize> = candidates.iter().copied().filter(fits).collect();
    if narrowed.is_empty() {
        candidates.to_vec()
    } else {
        narrowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, arch: &str, depends: &[&str]) -> Package {
        Package {
            package_type: Some(PackageType::Deb),
            name: name.into(),
            version: "1".into(),
            arch: Some(arch.into()),
            depends: depends.iter().map(|d| d.to_string()).collect(),
            ..Package::default()
        }
    }

    fn ids(v: &[usize]) -> Vec<PackageId> {
        v.iter().copied().map(PackageId).collect()
    }

    /// Validates resolution by name, architecture preference and dropping unknown names.
    #[test]
    fn resolves_names() {
        let inv = Inventory {
            packages: vec![
                pkg(
                    "app",
                    "amd64",
                    &["libc6", "virtual-thing", "python3:any", "app"],
                ),
                pkg("libc6", "amd64", &[]),
                pkg("libc6", "i386", &[]),
                pkg("python3", "amd64", &["libc6"]),
                pkg("tool", "i386", &["libc6"]),
            ],
            ..Inventory::default()
        };
        let deps = inv.dependencies();
        let edges: Vec<Vec<PackageId>> = deps.iter().map(|(_, e)| e.to_vec()).collect();
        assert_eq!(
            edges,
            vec![ids(&[1, 3]), ids(&[]), ids(&[]), ids(&[1]), ids(&[2])]
        );
        assert_eq!(deps.of(PackageId(0)), ids(&[1, 3]));
        assert!(deps.of(PackageId(9)).is_empty());
        assert_eq!(deps.roots(), ids(&[0, 4]));
    }

    /// Validates that a cycle nothing else depends on still gets a root.
    #[test]
    fn cycles_stay_reachable() {
        let inv = Inventory {
            packages: vec![
                pkg("a", "amd64", &["b"]),
                pkg("b", "amd64", &["a"]),
                pkg("c", "amd64", &[]),
            ],
            ..Inventory::default()
        };
        assert_eq!(inv.dependencies().roots(), ids(&[0, 2]));
    }

    /// Validates `name@version` (one version of two) and the preference for the dependent's
    /// own file (two Rust binaries with the same crate).
    #[test]
    fn versions_and_files() {
        let cargo = |name: &str, version: &str, file: &str, depends: &[&str]| Package {
            package_type: Some(PackageType::Cargo),
            name: name.into(),
            version: version.into(),
            db_path: file.into(),
            depends: depends.iter().map(|d| d.to_string()).collect(),
            ..Package::default()
        };
        let inv = Inventory {
            packages: vec![
                cargo(
                    "app",
                    "0.1.0",
                    "usr/bin/app",
                    &["bitflags@2.4.0", "log@0.4.20"],
                ),
                cargo("bitflags", "1.3.2", "usr/bin/app", &[]),
                cargo("bitflags", "2.4.0", "usr/bin/app", &[]),
                cargo("log", "0.4.20", "usr/bin/app", &[]),
                cargo("log", "0.4.20", "usr/bin/other", &[]),
                cargo(
                    "other",
                    "1.0.0",
                    "usr/bin/other",
                    &["log@0.4.20", "gone@1.0.0"],
                ),
            ],
            ..Inventory::default()
        };
        let deps = inv.dependencies();
        assert_eq!(deps.of(PackageId(0)), ids(&[2, 3]));
        assert_eq!(deps.of(PackageId(5)), ids(&[4]));
        assert_eq!(split_version("@types/node"), ("@types/node", None));
        assert_eq!(split_version("a@"), ("a@", None));
    }

    /// Validates that the types do not mix: a Python `six` is not the Debian `six`.
    #[test]
    fn same_type_only() {
        let mut py = pkg("app", "amd64", &["six"]);
        py.package_type = Some(PackageType::Python);
        let inv = Inventory {
            packages: vec![py, pkg("six", "all", &[])],
            ..Inventory::default()
        };
        assert!(inv.dependencies().of(PackageId(0)).is_empty());
    }

    /// Validates that a Go main module depends on the modules of its own binary when two
    /// binaries hold the same module at different versions.
    #[test]
    fn go_modules_of_the_same_binary() {
        let go = |name: &str, version: &str, bin: &str, depends: &[&str]| Package {
            package_type: Some(PackageType::Golang),
            name: name.into(),
            version: version.into(),
            db_path: bin.into(),
            depends: depends.iter().map(|d| d.to_string()).collect(),
            ..Package::default()
        };
        let inv = Inventory {
            packages: vec![
                go(
                    "example.com/a",
                    "(devel)",
                    "usr/bin/a",
                    &["golang.org/x/net"],
                ),
                go("golang.org/x/net", "v0.7.0", "usr/bin/a", &[]),
                go(
                    "example.com/b",
                    "(devel)",
                    "usr/bin/b",
                    &["golang.org/x/net"],
                ),
                go("golang.org/x/net", "v0.17.0", "usr/bin/b", &[]),
            ],
            ..Inventory::default()
        };
        let deps = inv.dependencies();
        assert_eq!(deps.of(PackageId(0)), ids(&[1]));
        assert_eq!(deps.of(PackageId(2)), ids(&[3]));
    }
}
