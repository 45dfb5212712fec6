//! Dependency edges between packages, by index into [`Inventory::packages`].
//!
//! The inventory records dependencies as names (`Depends: libc6`). Both SBOM formats need them
//! as references to packages in the document, so a name is looked up among the packages of
//! the same type. Traps:
//! - a name may be installed for two architectures (`libc6:amd64` and `libc6:i386`): prefer the
//!   dependent's own architecture or an architecture-independent one (`all`, `noarch`), and
//!   only fall back to every candidate when none of those exists;
//! - dpkg may qualify a name (`python3:any`): try the part before the colon;
//! - names nothing provides are dropped (virtual packages, or a package removed later);
//! - dependency cycles are normal (`libc6` ↔ `libgcc-s1`), so "nobody depends on it" alone may
//!   leave packages unreachable from the image: those are added as roots too.

use std::collections::{BTreeSet, HashMap};

use inventory::{Inventory, Package};

/// For each package, the sorted indices of the packages it depends on.
pub(crate) fn depends(inv: &Inventory) -> Vec<Vec<usize>> {
    let mut by_name: HashMap<(Option<inventory::PackageType>, &str), Vec<usize>> = HashMap::new();
    for (i, p) in inv.packages.iter().enumerate() {
        by_name
            .entry((p.package_type, p.name.as_str()))
            .or_default()
            .push(i);
    }
    inv.packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut out = BTreeSet::new();
            for dep in &p.depends {
                let dep = dep.trim();
                let found = by_name.get(&(p.package_type, dep)).or_else(|| {
                    dep.split_once(':')
                        .and_then(|(bare, _)| by_name.get(&(p.package_type, bare)))
                });
                if let Some(candidates) = found {
                    out.extend(pick(p, candidates, &inv.packages));
                }
            }
            out.remove(&i);
            out.into_iter().collect()
        })
        .collect()
}

/// Narrows same-name candidates to the dependent's architecture when that is possible.
fn pick(from: &Package, candidates: &[usize], packages: &[Package]) -> Vec<usize> {
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

/// The packages the image itself should point at: those nothing depends on, then one member
/// of each group that is still unreachable (a cycle nobody else depends on), in order.
pub(crate) fn roots(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut depended = vec![false; n];
    for targets in edges {
        for &t in targets {
            depended[t] = true;
        }
    }
    let mut roots: Vec<usize> = (0..n).filter(|&i| !depended[i]).collect();
    let mut reached = vec![false; n];
    let visit = |start: usize, reached: &mut Vec<bool>| {
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if !reached[i] {
                reached[i] = true;
                stack.extend(edges[i].iter().copied());
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
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use inventory::PackageType;

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
        let edges = depends(&inv);
        assert_eq!(edges, vec![vec![1, 3], vec![], vec![], vec![1], vec![2]]);
        assert_eq!(roots(&edges), vec![0, 4]);
    }

    /// Validates that a cycle nothing else depends on still gets a root.
    #[test]
    fn cycles_stay_reachable() {
        let edges = vec![vec![1], vec![0], vec![]];
        assert_eq!(roots(&edges), vec![0, 2]);
    }
}
