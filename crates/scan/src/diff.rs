//! Comparing two images: which packages and which findings one has that the other has not.
//!
//! [`diff`] takes the inventory and scan report of a "from" image (the older build, the dev
//! stage, the base) and of a "to" image (the newer build, the prod stage, the app) and says:
//!
//! * **Packages** added (only in *to*), removed (only in *from*) and changed (the same
//!   package at another version). A package's identity is its type, its own (binary) name
//!   and its architecture: `libssl3` and `openssl` are different packages even though one is
//!   built from the other, and `libc6:amd64` and `libc6:i386` are two packages. When one
//!   identity is installed at several versions (two copies of a Python distribution in two
//!   site-packages), the versions both sides have are unchanged, and the rest are paired in
//!   version order as changed, the surplus counting as added or removed. A package whose
//!   architecture changed (`amd64` → `all`) while keeping its name and type is "changed"
//!   when it is the only one of its name on each side.
//! * **Findings** added and removed, keyed by vulnerability id, package type and package
//!   name as the report writes it (`curl/libcurl4`). A finding whose package stays vulnerable
//!   across a version change is "changed", not added: it is not new in *to*, and the gate of
//!   `--fail-on-new` ignores it. Several findings under one key pair by version, like
//!   packages.
//!
//! Both reports must come from the same database (the same file, built at the same time);
//! otherwise a finding could be "new" only because the advisories changed, and [`diff`]
//! refuses with [`DiffError::DatabaseMismatch`].
//!
//! The JSON field names (camelCase) are part of shipshape's interface; see [`ImageDiff`].

use std::cmp::Ordering;
use std::collections::BTreeMap;

use inventory::{ImageIdentity, Inventory, Package, PackageType};
use serde::{Deserialize, Serialize};
use version::Scheme;

use crate::{Finding, FindingStatus, Report, Severity, SeverityCounts};

/// Why two scans cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// The two reports were made against different databases (or different builds of one).
    #[error(
        "the two scans used different vulnerability databases ({from} and {to}); \
         scan both images against the same database"
    )]
    DatabaseMismatch {
        /// The *from* report's database, as `PATH (built AT)`.
        from: String,
        /// The *to* report's database, as `PATH (built AT)`.
        to: String,
    },
}

/// One side of the comparison: which image, and its totals.
///
/// Its JSON writes the image's identity first, as `path` (the name as given), `reference`,
/// `manifestDigest`, `imageId` (the config digest) and `platform`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffSide {
    /// Which image (the target as given, `oci-dir:app.oci:1`; reference, digests, platform).
    #[serde(flatten, with = "side_identity")]
    pub image: ImageIdentity,
    /// The operating system's `PRETTY_NAME`, else `ID VERSION_ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Installed packages (OS and language).
    pub package_count: usize,
    /// Findings (after any policy or VEX the caller applied).
    pub vulnerability_count: usize,
    /// Findings by severity.
    pub severity_counts: SeverityCounts,
}

/// A diff side's image identity under its JSON names.
mod side_identity {
    use std::borrow::Cow;

    use inventory::ImageIdentity;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::json::{borrowed, owned};

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Side<'a> {
        path: Cow<'a, str>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manifest_digest: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_id: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        platform: Option<Cow<'a, str>>,
    }

    pub(super) fn serialize<S: Serializer>(id: &ImageIdentity, s: S) -> Result<S::Ok, S::Error> {
        Side {
            path: Cow::Borrowed(&id.name),
            reference: borrowed(&id.reference),
            manifest_digest: borrowed(&id.manifest_digest),
            image_id: borrowed(&id.config_digest),
            platform: borrowed(&id.platform),
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ImageIdentity, D::Error> {
        let side = Side::deserialize(d)?;
        Ok(ImageIdentity {
            name: side.path.into_owned(),
            reference: owned(side.reference),
            manifest_digest: owned(side.manifest_digest),
            config_digest: owned(side.image_id),
            platform: owned(side.platform),
        })
    }
}

impl DiffSide {
    /// The side's facts from its inventory and report.
    pub fn of(inv: &Inventory, report: &Report) -> DiffSide {
        let os = inv
            .os
            .as_ref()
            .map(|o| match (&o.pretty_name, &o.version_id) {
                (Some(p), _) => p.clone(),
                (None, Some(v)) => format!("{} {v}", o.id),
                (None, None) => o.id.clone(),
            });
        DiffSide {
            image: report.image.identity.clone(),
            os,
            package_count: inv.packages.len(),
            vulnerability_count: report.vulnerabilities.len(),
            severity_counts: report.severity_counts.clone(),
        }
    }
}

/// A package on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffPackage {
    /// The package type (`deb`, `apk`, `rpm`, `pypi`, …; `unknown` when not known).
    #[serde(rename = "type")]
    pub package_type: String,
    /// The package's own name (`libssl3`).
    pub name: String,
    /// The version (rpm epoch included).
    pub version: String,
    /// The architecture, when the package manager records one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The source package (`openssl`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The package URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purl: String,
}

impl DiffPackage {
    fn of(p: &Package) -> DiffPackage {
        DiffPackage {
            package_type: type_name(p.package_type).to_owned(),
            name: p.name.clone(),
            version: p.full_version(),
            arch: p.arch.clone(),
            source_name: p.source_name.clone(),
            purl: p.purl.clone(),
        }
    }
}

/// Which way a version moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionChange {
    /// *to* is newer.
    Upgrade,
    /// *to* is older.
    Downgrade,
    /// The same version written differently (`1.01` and `1.1` in dpkg), or only the
    /// architecture changed.
    Equivalent,
    /// The versions could not be ordered (unknown package type or unparsable version).
    Unknown,
}

/// A package present on both sides at different versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageChange {
    /// The package type.
    #[serde(rename = "type")]
    pub package_type: String,
    /// The package's own name.
    pub name: String,
    /// The architecture in *to*.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The architecture in *from*, written only when it differs from [`Self::arch`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_arch: Option<String>,
    /// The source package in *to*, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The version in *from*.
    pub from_version: String,
    /// The version in *to*.
    pub to_version: String,
    /// Upgrade, downgrade, …, by the package type's version rules.
    pub change: VersionChange,
}

/// How the packages differ.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDiff {
    /// Only in *to*, sorted by name (ignoring case), type, arch and version.
    pub added: Vec<DiffPackage>,
    /// Only in *from*, in the same order.
    pub removed: Vec<DiffPackage>,
    /// On both sides at different versions, sorted by name (ignoring case), type and arch.
    pub changed: Vec<PackageChange>,
    /// On both sides at the same version.
    pub unchanged_count: usize,
}

/// A finding, as the diff shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffFinding {
    /// The vulnerability id (`CVE-2024-0727`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// The state of the fix.
    pub status: FindingStatus,
    /// Snyk's `packageName`: the source package for OS packages.
    pub package_name: String,
    /// Snyk's `name`: `source/binary` when they differ (`curl/libcurl4`).
    pub name: String,
    /// The installed package's own name (`libcurl4`).
    pub binary_name: String,
    /// The package type, written as its purl type (`deb`, `pypi`, …).
    #[serde(with = "crate::model::purl_type")]
    pub package_type: PackageType,
    /// The installed version (in *to* for changed findings).
    pub version: String,
    /// The smallest fixed version above the installed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest_fixed_in_version: Option<String>,
    /// A page about the vulnerability.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

impl DiffFinding {
    fn of(f: &Finding) -> DiffFinding {
        DiffFinding {
            id: f.id.clone(),
            title: f.title.clone(),
            severity: f.severity,
            status: f.status,
            package_name: f.package_name.clone(),
            name: f.name.clone(),
            binary_name: f.binary_name.clone(),
            package_type: f.package_type,
            version: f.version.clone(),
            nearest_fixed_in_version: f.nearest_fixed_in_version.clone(),
            url: f.url.clone(),
        }
    }

    /// The order the diff lists findings in: severity descending, then name, id, version.
    pub fn diff_order(&self, other: &DiffFinding) -> Ordering {
        other
            .severity
            .cmp(&self.severity)
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.id.cmp(&other.id))
            .then_with(|| self.version.cmp(&other.version))
    }
}

/// A finding on both sides whose package's version changed: still vulnerable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingChange {
    /// The finding as in *to* (its `version` is the *to* version).
    #[serde(flatten)]
    pub finding: DiffFinding,
    /// The package's version in *from*.
    pub from_version: String,
}

/// How the findings differ.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingDiff {
    /// Only in *to* (new), severity descending.
    pub added: Vec<DiffFinding>,
    /// Only in *from* (gone: fixed by an upgrade or left with a removed package).
    pub removed: Vec<DiffFinding>,
    /// On both sides, in a package whose version changed.
    pub changed: Vec<FindingChange>,
    /// On both sides at the same package version.
    pub unchanged_count: usize,
}

/// The comparison of two images. As JSON:
///
/// ```json
/// {"from": {"path", "reference"?, "manifestDigest"?, "imageId"?, "platform"?, "os"?,
///           "packageCount", "vulnerabilityCount", "severityCounts": {critical, high, medium, low, unknown}},
///  "to": {…},
///  "packages": {"added": [{"type", "name", "version", "arch"?, "sourceName"?, "purl"?}],
///               "removed": […],
///               "changed": [{"type", "name", "arch"?, "fromArch"?, "sourceName"?,
///                            "fromVersion", "toVersion", "change"}],
///               "unchangedCount"},
///  "vulnerabilities": {"added": [{"id", "title", "severity", "status", "packageName", "name",
///                                 "binaryName", "packageType", "version",
///                                 "nearestFixedInVersion"?, "url"?}],
///                      "removed": […],
///                      "changed": [{…, "fromVersion"}],
///                      "unchangedCount"}}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageDiff {
    /// The image compared from (A).
    pub from: DiffSide,
    /// The image compared to (B).
    pub to: DiffSide,
    /// Package changes from A to B.
    pub packages: PackageDiff,
    /// Finding changes from A to B.
    pub vulnerabilities: FindingDiff,
}

impl ImageDiff {
    /// The added findings at or above `threshold` (the `--fail-on-new` gate). Findings of
    /// unknown severity are below every threshold.
    pub fn new_at_or_above(&self, threshold: Severity) -> Vec<&DiffFinding> {
        self.vulnerabilities
            .added
            .iter()
            .filter(|f| f.severity != Severity::Unknown && f.severity >= threshold)
            .collect()
    }
}

/// Compares image A (`from`) with image B (`to`), each as its inventory and the report of
/// scanning it.
///
/// # Errors
///
/// [`DiffError::DatabaseMismatch`] when the reports come from different databases.
pub fn diff(
    from_inv: &Inventory,
    from_report: &Report,
    to_inv: &Inventory,
    to_report: &Report,
) -> Result<ImageDiff, DiffError> {
    let (a, b) = (&from_report.database, &to_report.database);
    if a.path != b.path || a.built_at != b.built_at {
        let show = |d: &crate::DatabaseInfo| match &d.built_at {
            Some(t) => format!("{} (built {t})", d.path),
            None => d.path.clone(),
        };
        return Err(DiffError::DatabaseMismatch {
            from: show(a),
            to: show(b),
        });
    }
    Ok(ImageDiff {
        from: DiffSide::of(from_inv, from_report),
        to: DiffSide::of(to_inv, to_report),
        packages: diff_packages(from_inv, to_inv),
        vulnerabilities: diff_findings(from_report, to_report),
    })
}

fn type_name(t: Option<PackageType>) -> &'static str {
    t.map_or("unknown", PackageType::as_str)
}

fn scheme(t: Option<PackageType>) -> Option<Scheme> {
    Some(match t? {
        PackageType::Deb => Scheme::Dpkg,
        PackageType::Apk => Scheme::Apk,
        PackageType::Rpm => Scheme::Rpm,
        PackageType::Python => Scheme::Pep440,
        PackageType::Npm => Scheme::Npm,
        PackageType::Gem => Scheme::RubyGems,
        PackageType::Cargo => Scheme::Cargo,
        PackageType::Golang => Scheme::Go,
        PackageType::Maven => Scheme::Maven,
        PackageType::NuGet => Scheme::NuGet,
        PackageType::Composer => Scheme::Packagist,
        PackageType::Binary => Scheme::Cpe,
    })
}

/// Orders two versions of a package type; unknown types and bad versions fall back to
/// string order (for pairing only; [`VersionChange::Unknown`] says so in the result).
fn version_cmp(t: Option<PackageType>, a: &str, b: &str) -> Option<Ordering> {
    scheme(t).and_then(|s| version::compare(s, a, b).ok())
}

/// Pairs the items of one identity across the two sides: equal versions first (returned as a
/// count), then the rest in version order; the surplus is removed (from `a`) or added (from
/// `b`).
struct Paired<T> {
    same: usize,
    changed: Vec<(T, T)>,
    removed: Vec<T>,
    added: Vec<T>,
}

fn pair<T>(
    mut a: Vec<T>,
    mut b: Vec<T>,
    version: impl Fn(&T) -> &str,
    order: impl Fn(&str, &str) -> Ordering,
) -> Paired<T> {
    let mut same = 0;
    let mut i = 0;
    while i < a.len() {
        if let Some(j) = b.iter().position(|y| version(y) == version(&a[i])) {
            b.swap_remove(j);
            a.swap_remove(i);
            same += 1;
        } else {
            i += 1;
        }
    }
    a.sort_by(|x, y| order(version(x), version(y)));
    b.sort_by(|x, y| order(version(x), version(y)));
    let n = a.len().min(b.len());
    let removed = a.split_off(n);
    let added = b.split_off(n);
    Paired {
        same,
        changed: a.into_iter().zip(b).collect(),
        removed,
        added,
    }
}

type PackageKey = (String, String, String);

fn group_packages(inv: &Inventory) -> BTreeMap<PackageKey, Vec<&Package>> {
    let mut map: BTreeMap<PackageKey, Vec<&Package>> = BTreeMap::new();
    for p in &inv.packages {
        let key = (
            type_name(p.package_type).to_owned(),
            p.name.clone(),
            p.arch.clone().unwrap_or_default(),
        );
        map.entry(key).or_default().push(p);
    }
    map
}

fn change_of(t: Option<PackageType>, from: &str, to: &str) -> VersionChange {
    match version_cmp(t, from, to) {
        Some(Ordering::Less) => VersionChange::Upgrade,
        Some(Ordering::Greater) => VersionChange::Downgrade,
        Some(Ordering::Equal) => VersionChange::Equivalent,
        None => VersionChange::Unknown,
    }
}

fn package_change(a: &Package, b: &Package) -> PackageChange {
    let (from_version, to_version) = (a.full_version(), b.full_version());
    let change = if from_version == to_version {
        VersionChange::Equivalent
    } else {
        change_of(b.package_type, &from_version, &to_version)
    };
    PackageChange {
        package_type: type_name(b.package_type).to_owned(),
        name: b.name.clone(),
        arch: b.arch.clone(),
        from_arch: (a.arch != b.arch).then(|| a.arch.clone()).flatten(),
        source_name: b.source_name.clone(),
        from_version,
        to_version,
        change,
    }
}

/// The package half of [`diff`].
pub fn diff_packages(from: &Inventory, to: &Inventory) -> PackageDiff {
    let a = group_packages(from);
    let mut b = group_packages(to);
    let mut out = PackageDiff::default();
    let mut removed: Vec<&Package> = Vec::new();
    let mut added: Vec<&Package> = Vec::new();
    for (key, olds) in a {
        let news = b.remove(&key).unwrap_or_default();
        let t = olds.first().and_then(|p| p.package_type);
        let versions_a: Vec<(String, &Package)> =
            olds.into_iter().map(|p| (p.full_version(), p)).collect();
        let versions_b: Vec<(String, &Package)> =
            news.into_iter().map(|p| (p.full_version(), p)).collect();
        let p = pair(
            versions_a,
            versions_b,
            |(v, _)| v.as_str(),
            |x, y| version_cmp(t, x, y).unwrap_or_else(|| x.cmp(y)),
        );
        out.unchanged_count += p.same;
        out.changed.extend(
            p.changed
                .into_iter()
                .map(|((_, x), (_, y))| package_change(x, y)),
        );
        removed.extend(p.removed.into_iter().map(|(_, x)| x));
        added.extend(p.added.into_iter().map(|(_, y)| y));
    }
    added.extend(b.into_values().flatten());

    // An architecture change (`amd64` → `all`): the only package of its type and name on
    // each side that is left over.
    let by_name = |ps: &[&Package]| {
        let mut m: BTreeMap<(String, String), usize> = BTreeMap::new();
        for p in ps {
            *m.entry((type_name(p.package_type).to_owned(), p.name.clone()))
                .or_default() += 1;
        }
        m
    };
    let (ra, rb) = (by_name(&removed), by_name(&added));
    let (mut arch_moved, rest): (Vec<&Package>, Vec<&Package>) =
        removed.into_iter().partition(|p| {
            let k = (type_name(p.package_type).to_owned(), p.name.clone());
            ra.get(&k) == Some(&1) && rb.get(&k) == Some(&1)
        });
    removed = rest;
    arch_moved.sort_by_key(|p| (type_name(p.package_type), p.name.clone()));
    for old in arch_moved {
        if let Some(i) = added
            .iter()
            .position(|p| p.package_type == old.package_type && p.name == old.name)
        {
            let new = added.swap_remove(i);
            if old.full_version() == new.full_version() && old.arch == new.arch {
                out.unchanged_count += 1;
            } else {
                out.changed.push(package_change(old, new));
            }
        } else {
            removed.push(old);
        }
    }

    out.added = added.into_iter().map(DiffPackage::of).collect();
    out.removed = removed.into_iter().map(DiffPackage::of).collect();
    let pkg_order = |x: &DiffPackage, y: &DiffPackage| {
        (
            x.name.to_lowercase(),
            &x.name,
            &x.package_type,
            &x.arch,
            &x.version,
        )
            .cmp(&(
                y.name.to_lowercase(),
                &y.name,
                &y.package_type,
                &y.arch,
                &y.version,
            ))
    };
    out.added.sort_by(pkg_order);
    out.removed.sort_by(pkg_order);
    out.changed.sort_by(|x, y| {
        (
            x.name.to_lowercase(),
            &x.name,
            &x.package_type,
            &x.arch,
            &x.from_version,
        )
            .cmp(&(
                y.name.to_lowercase(),
                &y.name,
                &y.package_type,
                &y.arch,
                &y.from_version,
            ))
    });
    out
}

/// (id, purl type, name): the purl type's name, so keys order as they always have.
type FindingKey = (String, &'static str, String);

fn group_findings(report: &Report) -> BTreeMap<FindingKey, Vec<&Finding>> {
    let mut map: BTreeMap<FindingKey, Vec<&Finding>> = BTreeMap::new();
    for f in &report.vulnerabilities {
        map.entry((f.id.clone(), f.package_type.as_str(), f.name.clone()))
            .or_default()
            .push(f);
    }
    map
}

/// The finding half of [`diff`]: keyed by (id, package type, package name as reported).
pub fn diff_findings(from: &Report, to: &Report) -> FindingDiff {
    let a = group_findings(from);
    let mut b = group_findings(to);
    let mut out = FindingDiff::default();
    for (key, olds) in a {
        let news = b.remove(&key).unwrap_or_default();
        let scheme = olds
            .first()
            .and_then(|f| Scheme::for_ecosystem(&f.ecosystem));
        let p = pair(
            olds,
            news,
            |f| f.version.as_str(),
            |x, y| {
                scheme
                    .and_then(|s| version::compare(s, x, y).ok())
                    .unwrap_or_else(|| x.cmp(y))
            },
        );
        out.unchanged_count += p.same;
        out.changed
            .extend(p.changed.into_iter().map(|(x, y)| FindingChange {
                finding: DiffFinding::of(y),
                from_version: x.version.clone(),
            }));
        out.removed
            .extend(p.removed.into_iter().map(DiffFinding::of));
        out.added.extend(p.added.into_iter().map(DiffFinding::of));
    }
    out.added
        .extend(b.into_values().flatten().map(DiffFinding::of));
    out.added.sort_by(DiffFinding::diff_order);
    out.removed.sort_by(DiffFinding::diff_order);
    out.changed.sort_by(|x, y| x.finding.diff_order(&y.finding));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatabaseInfo, SeveritySource};

    fn deb(name: &str, version: &str, arch: &str, source: Option<&str>) -> Package {
        Package {
            package_type: Some(PackageType::Deb),
            name: name.into(),
            version: version.into(),
            arch: Some(arch.into()),
            source_name: source.map(Into::into),
            db_path: "var/lib/dpkg/status".into(),
            ..Package::default()
        }
    }

    fn pypi(name: &str, version: &str) -> Package {
        Package {
            package_type: Some(PackageType::Python),
            name: name.into(),
            version: version.into(),
            db_path: format!("usr/lib/python3/dist-packages/{name}-{version}.dist-info/METADATA"),
            ..Package::default()
        }
    }

    fn inv(packages: Vec<Package>) -> Inventory {
        Inventory {
            packages,
            ..Inventory::default()
        }
    }

    fn finding(id: &str, source: &str, binary: &str, version: &str, sev: Severity) -> Finding {
        Finding {
            title: format!("{id} in {source}"),
            severity: sev,
            severity_source: SeveritySource::Vendor("debian".into()),
            ..Finding::deb(id, source, binary, version).with_fix("99")
        }
    }

    fn report(path: &str, findings: Vec<Finding>) -> Report {
        Report {
            severity_counts: SeverityCounts::of(&findings),
            vulnerabilities: findings,
            image: crate::ImageSummary {
                identity: inventory::ImageIdentity {
                    name: path.into(),
                    ..Default::default()
                },
                layer_count: 0,
            },
            database: DatabaseInfo {
                path: "db/shipshape.db".into(),
                built_at: Some("2026-11-28T00:00:00Z".into()),
                stale: false,
            },
            ..Report::default()
        }
    }

    fn names(ps: &[DiffPackage]) -> Vec<(&str, &str)> {
        ps.iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect()
    }

    /// Validates added, removed, changed (with direction) and unchanged packages, and that
    /// binaries of one source package are separate packages.
    #[test]
    fn packages_added_removed_changed() {
        let a = inv(vec![
            deb("libssl3", "3.0.11-1~deb12u2", "amd64", Some("openssl")),
            deb("openssl", "3.0.11-1~deb12u2", "amd64", None),
            deb("zlib1g", "1:1.2.13.dfsg-1", "amd64", Some("zlib")),
            deb("vim-tiny", "2:9.0.1378-2", "amd64", Some("vim")),
            deb("tzdata", "2024a-0+deb12u1", "all", None),
        ]);
        let b = inv(vec![
            deb("libssl3", "3.0.13-1~deb12u1", "amd64", Some("openssl")),
            deb("openssl", "3.0.11-1~deb12u2", "amd64", None),
            deb("zlib1g", "1:1.2.13.dfsg-1", "amd64", Some("zlib")),
            deb("curl", "7.88.1-10+deb12u5", "amd64", None),
            deb("tzdata", "2023c-5+deb12u1", "all", None),
        ]);
        let d = diff_packages(&a, &b);
        assert_eq!(names(&d.added), [("curl", "7.88.1-10+deb12u5")]);
        assert_eq!(names(&d.removed), [("vim-tiny", "2:9.0.1378-2")]);
        assert_eq!(d.removed[0].source_name.as_deref(), Some("vim"));
        let changed: Vec<_> = d
            .changed
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.from_version.as_str(),
                    c.to_version.as_str(),
                    c.change,
                )
            })
            .collect();
        assert_eq!(
            changed,
            [
                (
                    "libssl3",
                    "3.0.11-1~deb12u2",
                    "3.0.13-1~deb12u1",
                    VersionChange::Upgrade
                ),
                (
                    "tzdata",
                    "2024a-0+deb12u1",
                    "2023c-5+deb12u1",
                    VersionChange::Downgrade
                ),
            ]
        );
        assert_eq!(d.unchanged_count, 2);
    }

    /// Validates that several installed versions of one name pair by version: shared ones
    /// are unchanged, the rest pair in version order, the surplus is added.
    #[test]
    fn multiple_versions_of_one_name() {
        let a = inv(vec![pypi("urllib3", "1.26.4"), pypi("urllib3", "2.0.7")]);
        let b = inv(vec![
            pypi("urllib3", "2.2.2"),
            pypi("urllib3", "1.26.4"),
            pypi("urllib3", "1.26.19"),
        ]);
        let d = diff_packages(&a, &b);
        assert_eq!(d.unchanged_count, 1);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            (
                d.changed[0].from_version.as_str(),
                d.changed[0].to_version.as_str()
            ),
            ("2.0.7", "1.26.19")
        );
        assert_eq!(d.changed[0].change, VersionChange::Downgrade);
        assert_eq!(names(&d.added), [("urllib3", "2.2.2")]);
        assert!(d.removed.is_empty());
        assert_eq!(d.added[0].package_type, "pypi");
    }

    /// Validates that architecture is part of the identity (multiarch), and that a lone
    /// package whose architecture changed is "changed", not removed and added.
    #[test]
    fn architecture_identity() {
        let a = inv(vec![
            deb("libc6", "2.36-9+deb12u4", "amd64", Some("glibc")),
            deb("libc6", "2.36-9+deb12u4", "i386", Some("glibc")),
            deb("fonts-x", "1.0-1", "amd64", None),
        ]);
        let b = inv(vec![
            deb("libc6", "2.36-9+deb12u7", "amd64", Some("glibc")),
            deb("fonts-x", "1.0-2", "all", None),
        ]);
        let d = diff_packages(&a, &b);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].arch.as_deref(), Some("i386"));
        assert!(d.added.is_empty());
        let fonts = d.changed.iter().find(|c| c.name == "fonts-x").unwrap();
        assert_eq!(fonts.from_arch.as_deref(), Some("amd64"));
        assert_eq!(fonts.arch.as_deref(), Some("all"));
        assert_eq!(fonts.change, VersionChange::Upgrade);
        let libc = d.changed.iter().find(|c| c.name == "libc6").unwrap();
        assert_eq!(libc.from_arch, None);
        assert_eq!(d.unchanged_count, 0);
    }

    /// Validates findings added, removed, changed (package upgraded but still vulnerable)
    /// and unchanged, the order, the side totals and the --fail-on-new gate.
    #[test]
    fn findings_and_gate() {
        let a = report(
            "app:1",
            vec![
                finding("CVE-1", "openssl", "libssl3", "3.0.11-1", Severity::High),
                finding("CVE-2", "openssl", "libssl3", "3.0.11-1", Severity::Medium),
                finding("CVE-3", "zlib", "zlib1g", "1.2.13", Severity::Low),
                finding("CVE-4", "vim", "vim-tiny", "9.0", Severity::Critical),
            ],
        );
        let b = report(
            "app:2",
            vec![
                finding("CVE-2", "openssl", "libssl3", "3.0.13-1", Severity::Medium),
                finding("CVE-3", "zlib", "zlib1g", "1.2.13", Severity::Low),
                finding("CVE-5", "curl", "libcurl4", "7.88.1", Severity::Medium),
                finding("CVE-6", "curl", "curl", "7.88.1", Severity::Unknown),
                finding("CVE-5", "curl", "curl", "7.88.1", Severity::Medium),
            ],
        );
        let d = diff(&inv(Vec::new()), &a, &inv(Vec::new()), &b).unwrap();
        let ids = |fs: &[DiffFinding]| -> Vec<(String, String)> {
            fs.iter().map(|f| (f.id.clone(), f.name.clone())).collect()
        };
        assert_eq!(
            ids(&d.vulnerabilities.added),
            [
                ("CVE-5".to_owned(), "curl".to_owned()),
                ("CVE-5".to_owned(), "curl/libcurl4".to_owned()),
                ("CVE-6".to_owned(), "curl".to_owned()),
            ]
        );
        assert_eq!(
            ids(&d.vulnerabilities.removed),
            [
                ("CVE-4".to_owned(), "vim/vim-tiny".to_owned()),
                ("CVE-1".to_owned(), "openssl/libssl3".to_owned()),
            ]
        );
        assert_eq!(d.vulnerabilities.changed.len(), 1);
        let c = &d.vulnerabilities.changed[0];
        assert_eq!(
            (
                c.finding.id.as_str(),
                c.from_version.as_str(),
                c.finding.version.as_str()
            ),
            ("CVE-2", "3.0.11-1", "3.0.13-1")
        );
        assert_eq!(d.vulnerabilities.unchanged_count, 1);
        assert_eq!(
            (d.from.image.name.as_str(), d.to.image.name.as_str()),
            ("app:1", "app:2")
        );
        assert_eq!(d.from.severity_counts.critical, 1);
        assert_eq!(d.to.severity_counts.medium, 3);
        assert_eq!(d.to.vulnerability_count, 5);

        assert_eq!(d.new_at_or_above(Severity::Low).len(), 2);
        assert_eq!(d.new_at_or_above(Severity::Medium).len(), 2);
        assert!(d.new_at_or_above(Severity::High).is_empty());
        // A removed critical is not new.
        assert!(d.new_at_or_above(Severity::Critical).is_empty());
    }

    /// Validates that the same finding in two installed versions of one package pairs by
    /// version rather than being reported as new.
    #[test]
    fn duplicate_finding_keys_pair_by_version() {
        let mut f1 = finding("CVE-7", "jinja2", "jinja2", "2.11.2", Severity::High);
        f1.package_type = PackageType::Python;
        f1.ecosystem = "PyPI".into();
        let mut f2 = f1.clone();
        f2.version = "3.0.0".into();
        let mut f3 = f1.clone();
        f3.version = "3.1.0".into();
        let a = report("a", vec![f1.clone(), f2]);
        let b = report("b", vec![f3, f1]);
        let d = diff_findings(&a, &b);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.unchanged_count, 1);
        assert_eq!(d.changed[0].from_version, "3.0.0");
        assert_eq!(d.changed[0].finding.version, "3.1.0");
    }

    /// Validates that reports from different databases are refused, naming both.
    #[test]
    fn database_mismatch_is_an_error() {
        let a = report("a", Vec::new());
        let mut b = report("b", Vec::new());
        b.database.built_at = Some("2026-11-29T00:00:00Z".into());
        let err = diff(&inv(Vec::new()), &a, &inv(Vec::new()), &b).unwrap_err();
        assert!(matches!(err, DiffError::DatabaseMismatch { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("2026-11-28") && msg.contains("2026-11-29"),
            "{msg}"
        );
    }

    /// Validates the documented camelCase JSON field names.
    #[test]
    fn json_field_names() {
        let a = inv(vec![deb("a", "1", "amd64", None)]);
        let b = inv(vec![
            deb("a", "2", "amd64", None),
            deb("b", "1", "all", Some("bsrc")),
        ]);
        let ra = report("a", Vec::new());
        let rb = report(
            "b",
            vec![finding("CVE-9", "bsrc", "b", "1", Severity::High)],
        );
        let d = diff(&a, &ra, &b, &rb).unwrap();
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["from"]["packageCount"], 1);
        assert_eq!(v["to"]["severityCounts"]["high"], 1);
        assert_eq!(v["to"]["vulnerabilityCount"], 1);
        assert_eq!(v["packages"]["added"][0]["type"], "deb");
        assert_eq!(v["packages"]["added"][0]["sourceName"], "bsrc");
        assert_eq!(v["packages"]["changed"][0]["fromVersion"], "1");
        assert_eq!(v["packages"]["changed"][0]["toVersion"], "2");
        assert_eq!(v["packages"]["changed"][0]["change"], "upgrade");
        assert_eq!(v["packages"]["unchangedCount"], 0);
        let f = &v["vulnerabilities"]["added"][0];
        assert_eq!(f["id"], "CVE-9");
        assert_eq!(f["packageName"], "bsrc");
        assert_eq!(f["name"], "bsrc/b");
        assert_eq!(f["nearestFixedInVersion"], "99");
        assert_eq!(f["severity"], "high");
        assert_eq!(v["vulnerabilities"]["unchangedCount"], 0);
        let back: ImageDiff = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
    }

    /// Validates a side's JSON: the identity first, under the side's names, in order.
    #[test]
    fn side_json_names_the_image() {
        let side = DiffSide {
            image: ImageIdentity {
                name: "app:1".into(),
                reference: Some("docker.io/library/app:1".into()),
                manifest_digest: Some("sha256:m".into()),
                config_digest: Some("sha256:c".into()),
                platform: Some("linux/amd64".into()),
            },
            os: Some("Debian GNU/Linux 12 (bookworm)".into()),
            package_count: 2,
            ..DiffSide::default()
        };
        let text = serde_json::to_string(&side).unwrap();
        assert_eq!(
            text,
            "{\"path\":\"app:1\",\"reference\":\"docker.io/library/app:1\",\
             \"manifestDigest\":\"sha256:m\",\"imageId\":\"sha256:c\",\
             \"platform\":\"linux/amd64\",\"os\":\"Debian GNU/Linux 12 (bookworm)\",\
             \"packageCount\":2,\"vulnerabilityCount\":0,\"severityCounts\":{\"critical\":0,\
             \"high\":0,\"medium\":0,\"low\":0,\"unknown\":0}}"
        );
        assert_eq!(serde_json::from_str::<DiffSide>(&text).unwrap(), side);
        let bare = serde_json::to_value(DiffSide::default()).unwrap();
        assert_eq!(bare["path"], "");
        assert!(bare.get("reference").is_none() && bare.get("platform").is_none());
    }
}
