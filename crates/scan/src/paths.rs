//! Dependency paths: which top-level packages pull a vulnerable package in, and how.
//!
//! The graph has one node per installed package and an edge from each package to the
//! packages it depends on, as [`Inventory::dependencies`] resolves its `depends` names (same
//! package type; of a name installed for several architectures, the dependent's own or an
//! architecture-independent one; `name:any` as `name`), the edges the SBOMs write too. A
//! package is *top-level* when apt marked it manually installed (`manual == Some(true)`);
//! when the image has no marks for it (`None`), when nothing depends on it. Paths run from a
//! top-level package down to the vulnerable one and are found by a breadth-first search
//! over the reversed edges, so the shortest come first.
//!
//! Traps:
//! * dpkg graphs have cycles (`libc6` ↔ `libgcc-s1`, `perl` ↔ `perl-base`): a path never
//!   visits a package twice.
//! * The number of paths grows exponentially with depth (everything reaches `libc6`), so
//!   enumeration stops after [`crate::ScanOptions::path_cap`] partial paths and says so;
//!   the set of top-level packages is computed separately and exactly.
//! * The search stops at a top-level package: a manually installed package that another
//!   package also depends on introduces what is below it, and is not itself "introduced".
//! * A package that no top-level package reaches (an auto-installed orphan, or a cycle
//!   nothing else depends on) is its own top-level package.

use std::collections::VecDeque;

use inventory::{Inventory, PackageId};

/// The dependency graph of an inventory's packages.
#[derive(Debug)]
pub struct Graph {
    dependents: Vec<Vec<usize>>,
    top: Vec<bool>,
}

/// The paths from top-level packages to one package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathSet {
    /// Top-level packages that reach the package, nearest first (ties in the order of the
    /// packages in between, by name).
    pub introduced_through: Vec<PackageId>,
    /// The shortest paths found, each top-level first, the package last (at most the
    /// number asked for).
    pub shown: Vec<Vec<PackageId>>,
    /// Paths found beyond [`Self::shown`].
    pub more: usize,
    /// The enumeration hit its cap: [`Self::more`] is a lower bound.
    pub truncated: bool,
}

impl Graph {
    /// Builds the graph of `inv`'s packages.
    pub fn new(inv: &Inventory) -> Graph {
        let packages = &inv.packages;
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        for (from, targets) in inv.dependencies().iter() {
            for to in targets {
                dependents[to.index()].push(from.index());
            }
        }
        for d in &mut dependents {
            // Deterministic order: by name, then version, then position.
            d.sort_by(|&a, &b| {
                (&packages[a].name, &packages[a].version, a).cmp(&(
                    &packages[b].name,
                    &packages[b].version,
                    b,
                ))
            });
            d.dedup();
        }
        let top = packages
            .iter()
            .enumerate()
            .map(|(i, p)| match p.manual {
                Some(manual) => manual,
                None => dependents[i].is_empty(),
            })
            .collect();
        Graph { dependents, top }
    }

    /// Whether package `id` is top-level.
    pub fn is_top(&self, id: PackageId) -> bool {
        self.top.get(id.index()).copied().unwrap_or(false)
    }

    /// The paths to package `target`: all top-level packages that reach it, the `shown`
    /// shortest paths, and the count of the others, enumerating at most `cap` partial
    /// paths.
    pub fn paths(&self, target: PackageId, shown: usize, cap: usize) -> PathSet {
        let target = target.index();
        if target >= self.top.len() {
            return PathSet::default();
        }
        // Exact set of reachable top-level packages, with BFS parents for a fallback path.
        let mut parent: Vec<Option<usize>> = vec![None; self.top.len()];
        let mut seen = vec![false; self.top.len()];
        let mut tops = Vec::new();
        let mut queue = VecDeque::from([target]);
        seen[target] = true;
        while let Some(n) = queue.pop_front() {
            if self.top[n] {
                tops.push(n);
                continue;
            }
            for &d in &self.dependents[n] {
                if !seen[d] {
                    seen[d] = true;
                    parent[d] = Some(n);
                    queue.push_back(d);
                }
            }
        }
        let ids = |v: Vec<usize>| -> Vec<PackageId> { v.into_iter().map(PackageId).collect() };
        if tops.is_empty() {
            return PathSet {
                introduced_through: vec![PackageId(target)],
                shown: vec![vec![PackageId(target)]],
                more: 0,
                truncated: false,
            };
        }

        // Enumerate simple paths upward, shortest first.
        let mut found: Vec<Vec<usize>> = Vec::new();
        let mut total = 0usize;
        let mut expanded = 0usize;
        let mut truncated = false;
        let mut partial: VecDeque<Vec<usize>> = VecDeque::from([vec![target]]);
        while let Some(path) = partial.pop_front() {
            let Some(&head) = path.last() else { continue };
            if self.top[head] {
                total += 1;
                if found.len() < shown {
                    found.push(path.iter().rev().copied().collect());
                }
                continue;
            }
            expanded += 1;
            if expanded > cap {
                truncated = true;
                break;
            }
            for &d in &self.dependents[head] {
                if !path.contains(&d) {
                    let mut next = path.clone();
                    next.push(d);
                    partial.push_back(next);
                }
            }
        }
        if found.is_empty() {
            // The cap cut the search before any path ended: use the BFS tree's path.
            let mut p = vec![tops[0]];
            let mut n = tops[0];
            while let Some(c) = parent[n] {
                p.push(c);
                n = c;
            }
            found.push(p);
            total = total.max(1);
        }
        PathSet {
            introduced_through: ids(tops),
            more: total.saturating_sub(found.len()),
            shown: found.into_iter().map(ids).collect(),
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inventory::{Package, PackageType};

    fn pkg(name: &str, depends: &[&str], manual: Option<bool>) -> Package {
        Package {
            package_type: Some(PackageType::Deb),
            name: name.into(),
            version: "1".into(),
            depends: depends.iter().map(|s| (*s).to_owned()).collect(),
            manual,
            ..Package::default()
        }
    }

    fn names(pkgs: &[Package], ids: &[PackageId]) -> Vec<String> {
        ids.iter().map(|i| pkgs[i.index()].name.clone()).collect()
    }

    fn graph(pkgs: &[Package]) -> Graph {
        Graph::new(&Inventory {
            packages: pkgs.to_vec(),
            ..Inventory::default()
        })
    }

    /// Validates that without marks the packages nothing depends on are top-level, and
    /// that paths come shortest first.
    #[test]
    fn unmarked_roots_and_shortest_first() {
        let pkgs = vec![
            pkg("curl", &["libcurl4"], None),
            pkg("git", &["libcurl3-gnutls", "perl"], None),
            pkg("libcurl3-gnutls", &["libssl3"], None),
            pkg("libcurl4", &["libssl3"], None),
            pkg("libssl3", &["libc6"], None),
            pkg("libc6", &[], None),
            pkg("perl", &[], None),
        ];
        let g = graph(&pkgs);
        let p = g.paths(PackageId(4), 3, 100);
        // Equally near: in the order of the packages in between (libcurl3-gnutls first).
        assert_eq!(names(&pkgs, &p.introduced_through), ["git", "curl"]);
        assert_eq!(p.shown.len(), 2);
        assert_eq!(
            names(&pkgs, &p.shown[0]),
            ["git", "libcurl3-gnutls", "libssl3"]
        );
        assert_eq!(names(&pkgs, &p.shown[1]), ["curl", "libcurl4", "libssl3"]);
        assert_eq!((p.more, p.truncated), (0, false));
        let top = g.paths(PackageId(0), 3, 100);
        assert_eq!(names(&pkgs, &top.shown[0]), ["curl"]);
    }

    /// Validates that apt's manual marks decide what is top-level, even for packages
    /// others depend on.
    #[test]
    fn manual_marks() {
        let pkgs = vec![
            pkg("git", &["libcurl3-gnutls"], Some(true)),
            pkg("libcurl3-gnutls", &["libssl3"], Some(true)),
            pkg("libssl3", &[], Some(false)),
            pkg("orphan", &["libssl3"], Some(false)),
        ];
        let g = graph(&pkgs);
        let p = g.paths(PackageId(2), 3, 100);
        // libcurl3-gnutls is manual: the search stops there; the orphan reaches nothing.
        assert_eq!(names(&pkgs, &p.introduced_through), ["libcurl3-gnutls"]);
        assert_eq!(names(&pkgs, &p.shown[0]), ["libcurl3-gnutls", "libssl3"]);
        // An auto package nothing manual reaches is its own top-level package.
        let o = g.paths(PackageId(3), 3, 100);
        assert_eq!(names(&pkgs, &o.shown[0]), ["orphan"]);
    }

    /// Validates that cycles terminate, including a cycle nothing else depends on.
    #[test]
    fn cycles() {
        let pkgs = vec![
            pkg("app", &["perl"], None),
            pkg("perl", &["perl-base"], None),
            pkg("perl-base", &["perl"], None),
            pkg("a", &["b"], None),
            pkg("b", &["a"], None),
        ];
        let g = graph(&pkgs);
        let p = g.paths(PackageId(2), 3, 100);
        assert_eq!(names(&pkgs, &p.shown[0]), ["app", "perl", "perl-base"]);
        assert_eq!(p.more, 0);
        let lone = g.paths(PackageId(3), 3, 100);
        assert_eq!(names(&pkgs, &lone.introduced_through), ["a"]);
        assert_eq!(names(&pkgs, &lone.shown[0]), ["a"]);
    }

    /// Validates that paths follow the inventory's resolution: with libc6 installed for two
    /// architectures, each dependent reaches the libc6 of its own architecture.
    #[test]
    fn multiarch_dependencies() {
        let arch = |mut p: Package, a: &str| {
            p.arch = Some(a.into());
            p
        };
        let pkgs = vec![
            arch(pkg("app", &["libc6"], None), "amd64"),
            arch(pkg("libc6", &[], None), "amd64"),
            arch(pkg("libc6", &[], None), "i386"),
            arch(pkg("tool", &["libc6:any"], None), "i386"),
        ];
        let g = graph(&pkgs);
        assert_eq!(
            names(&pkgs, &g.paths(PackageId(1), 3, 100).shown[0]),
            ["app", "libc6"]
        );
        let i386 = g.paths(PackageId(2), 3, 100);
        assert_eq!(names(&pkgs, &i386.introduced_through), ["tool"]);
        assert_eq!(names(&pkgs, &i386.shown[0]), ["tool", "libc6"]);
        assert!(!g.is_top(PackageId(2)));
    }

    /// Validates "and N more": five top-level packages reach the target, three are shown.
    #[test]
    fn and_n_more_and_cap() {
        let mut pkgs: Vec<Package> = (1..=5)
            .map(|i| pkg(&format!("tool{i}"), &["mid"], None))
            .collect();
        pkgs.push(pkg("mid", &["libz"], None));
        pkgs.push(pkg("libz", &[], None));
        let g = graph(&pkgs);
        let p = g.paths(PackageId(6), 3, 100);
        assert_eq!(p.introduced_through.len(), 5);
        assert_eq!(p.shown.len(), 3);
        assert_eq!(names(&pkgs, &p.shown[0]), ["tool1", "mid", "libz"]);
        assert_eq!((p.more, p.truncated), (2, false));
        // A cap of one expansion still yields a path, flagged as truncated.
        let capped = g.paths(PackageId(6), 3, 1);
        assert!(capped.truncated);
        assert_eq!(capped.introduced_through.len(), 5);
        assert_eq!(names(&pkgs, &capped.shown[0]), ["tool1", "mid", "libz"]);
    }
}
