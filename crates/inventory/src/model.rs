//! The inventory model: packages, the OS, layers and where each package came from.

use serde::{Deserialize, Serialize};

/// Which package manager owns a package; also its purl type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    /// Debian packages (dpkg).
    Deb,
    /// Alpine packages (apk).
    Apk,
    /// RPM packages.
    Rpm,
    /// Python distributions (pip: `*.dist-info`, `*.egg-info`); purl type `pypi`.
    Python,
    /// npm packages (`node_modules/*/package.json`).
    Npm,
    /// RubyGems (`specifications/*.gemspec`).
    Gem,
    /// Rust crates (Cargo).
    Cargo,
    /// Go modules; `name` is the module path (`github.com/x/y`).
    Golang,
    /// Maven artifacts; `name` is `group:artifact`, as OSV writes it.
    Maven,
    /// NuGet packages (.NET `*.deps.json` libraries of type `package`); `name` is the
    /// package id as the manifest spells it (`Newtonsoft.Json`).
    #[serde(rename = "nuget")]
    NuGet,
    /// Composer packages (PHP `vendor/composer/installed.json`); `name` is `vendor/name`.
    Composer,
    /// A runtime installed outside any package manager (`/usr/local/bin/node`), known by
    /// a version string or version file and its CPEs; purl type `generic`.
    Binary,
}

impl PackageType {
    /// Every package type, in declaration order.
    pub const ALL: [PackageType; 12] = [
        PackageType::Deb,
        PackageType::Apk,
        PackageType::Rpm,
        PackageType::Python,
        PackageType::Npm,
        PackageType::Gem,
        PackageType::Cargo,
        PackageType::Golang,
        PackageType::Maven,
        PackageType::NuGet,
        PackageType::Composer,
        PackageType::Binary,
    ];

    /// The type whose purl type ([`Self::as_str`]) is `s` (`pypi` → [`PackageType::Python`]).
    pub fn from_purl_type(s: &str) -> Option<PackageType> {
        PackageType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The purl type and the name users know (`deb`, `apk`, `rpm`, `pypi`, `npm`, `gem`,
    /// `cargo`, `golang`, `maven`, `nuget`, `composer`, `generic`).
    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Deb => "deb",
            PackageType::Apk => "apk",
            PackageType::Rpm => "rpm",
            PackageType::Python => "pypi",
            PackageType::Npm => "npm",
            PackageType::Gem => "gem",
            PackageType::Cargo => "cargo",
            PackageType::Golang => "golang",
            PackageType::Maven => "maven",
            PackageType::NuGet => "nuget",
            PackageType::Composer => "composer",
            PackageType::Binary => "generic",
        }
    }

    /// Whether the operating system's package manager owns packages of this type.
    pub fn is_os(self) -> bool {
        matches!(self, PackageType::Deb | PackageType::Apk | PackageType::Rpm)
    }
}

/// One installed package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Owning package manager.
    #[serde(rename = "type")]
    pub package_type: Option<PackageType>,
    /// Package name (`libssl3`).
    pub name: String,
    /// Version as the package manager shows it, epoch included for dpkg
    /// (`1:2.39.2-1.1`); for rpm `VERSION-RELEASE` without the epoch (see `epoch`).
    pub version: String,
    /// rpm epoch, when the header has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Architecture (`amd64`, `x86_64`, `all`, `noarch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Source package name (dpkg `Source`, apk origin, rpm source rpm name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source package version, when it differs or is known (dpkg `Source: x (ver)`,
    /// rpm source rpm version-release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// The raw source rpm file name (`openssl-3.0.7-24.el9.src.rpm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_rpm: Option<String>,
    /// Licences as declared (SPDX expressions where the package manager uses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Names of packages this one depends on (dpkg Depends/Pre-Depends alternatives
    /// flattened to the first installed one, apk `D:` names and provides resolved).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// For dpkg: false when apt marked it auto-installed, true when installed on request,
    /// `None` when apt keeps no marks for the image. For NuGet: true when a project of the
    /// deps.json depends on it directly, false when only other packages need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<bool>,
    /// Installed as a development dependency (Composer's `dev-package-names`): still in the
    /// image and matched like any other package, but flagged so users can tell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Maintainer or packager, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    /// The package database file this package was read from (`var/lib/dpkg/status`); for
    /// language packages, the metadata file
    /// (`usr/lib/python3/site-packages/Jinja2-2.11.2.dist-info/METADATA`).
    pub db_path: String,
    /// How an analyzer that has several ways to identify a package found this one: for
    /// Maven, `pom.properties`, `MANIFEST.MF` or `file name` (where the version came from);
    /// for Go, `go version` (stdlib), `main module`, `dep` or `replace of PATH@VERSION`.
    /// `None` for the others, which have one way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_by: Option<String>,
    /// Where a language package came from when that is not its ecosystem's public registry:
    /// for a crate in a Rust binary, cargo-auditable's `source` (`local` for the binary's own
    /// package and path dependencies, `git`, `registry` for another registry). Such a package
    /// is listed but not matched against the registry's advisories, which are about the
    /// registry's package of that name. `None`: the registry (or not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// CPE 2.3 names of the package (`cpe:2.3:a:nodejs:node.js:20.13.1:*:*:*:*:*:*:*`),
    /// by which it is matched against NVD; set for unmanaged runtimes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    /// The functions this package contributes to the binary it was read from, when they
    /// were read (Go: `net/http.Server.Serve`, `net/http.ListenAndServe`, govulncheck's
    /// spelling); `None` when unknown. Kept for the vulnerable-symbol check of a scan and
    /// not written to SBOMs (thousands of names per binary).
    #[serde(skip)]
    pub symbols: Option<Vec<String>>,
    /// Package URL (filled in by the merge, once the OS is known).
    #[serde(default)]
    pub purl: String,
    /// Which layer introduced it (filled in by the merge; `None` for `dir:` targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<Introduced>,
}

impl Package {
    /// The version with the rpm epoch in front when there is one (`1:3.0.7-24.el9`).
    pub fn full_version(&self) -> String {
        match self.epoch {
            Some(e) if e > 0 => format!("{e}:{}", self.version),
            _ => self.version.clone(),
        }
    }
}

/// The layer a package was introduced in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Introduced {
    /// Index into [`Inventory::layers`] (0 = bottom).
    pub layer_index: usize,
    /// The layer's blob digest.
    pub layer_digest: String,
    /// The layer's diff_id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// The history `created_by` of the step that made the layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// The operating system the image is built on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// Family shipshape matches by (`debian`, `ubuntu`, `alpine`, `rhel`, `centos`, …):
    /// os-release `ID`.
    pub id: String,
    /// `VERSION_ID` (`12`, `3.19.1`, `9.3`); for Debian without one, from `debian_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// The file the facts were read from.
    pub source_file: String,
}

/// One layer of the scanned image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// Position, 0 = bottom.
    pub index: usize,
    /// Blob digest.
    pub digest: String,
    /// Uncompressed digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// Blob size, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// History `created_by` of the step that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// A problem that did not stop the inventory but makes it less complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code (`I001`), see [`crate::diagnostics`].
    pub code: String,
    /// What happened, naming the layer and path.
    pub message: String,
}

/// Facts about the image itself, for the report header.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// Which image it is, as the source said (written inline: `name`, `reference`,
    /// `manifest_digest`, `config_digest`, `platform`).
    #[serde(flatten)]
    pub identity: oci::ImageIdentity,
    /// Image labels.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Manifest annotations (`org.opencontainers.image.base.name`, …).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub annotations: std::collections::BTreeMap<String, String>,
    /// The config's history, every entry in order (empty-layer ones included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
}

/// One entry of the image config's `history`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The command that made the step (`/bin/sh -c apt-get install …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Free comment (BuildKit writes `buildkit.dockerfile.v0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer (ENV, CMD, …).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// Everything shipshape found in one target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The image (or rootfs) scanned.
    pub image: ImageInfo,
    /// The OS, when recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    /// Layers, bottom first (empty for `dir:` targets).
    pub layers: Vec<LayerInfo>,
    /// Installed packages, sorted by type, name, version, arch.
    pub packages: Vec<Package>,
    /// Problems met along the way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Inventory {
    /// An image known only by its identity and its layers (from its manifest and config, or
    /// a record of them), without reading a layer: no OS, no packages. Telling a base image
    /// by its layers needs no more. The layers are numbered in the order given, bottom first.
    pub fn of_layers(image: ImageInfo, layers: impl IntoIterator<Item = LayerInfo>) -> Inventory {
        Inventory {
            image,
            layers: layers
                .into_iter()
                .enumerate()
                .map(|(index, l)| LayerInfo { index, ..l })
                .collect(),
            ..Inventory::default()
        }
    }
}

impl LayerInfo {
    /// A layer known by its diff_id alone (no blob digest, size or history).
    pub fn of_diff_id(diff_id: String) -> LayerInfo {
        LayerInfo {
            index: 0,
            digest: String::new(),
            diff_id: Some(diff_id),
            size: None,
            created_by: None,
        }
    }
}

/// A package of one [`Inventory`]: its index in [`Inventory::packages`].
///
/// It links a scan finding, a dependency edge or a path to the package itself, so nothing
/// has to find a package again by name, version or purl. It means something only for the
/// inventory it was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageId(pub usize);

impl PackageId {
    /// The index in [`Inventory::packages`].
    pub fn index(self) -> usize {
        self.0
    }
}

impl Inventory {
    /// The package `id` names; `None` when it is out of range (an id of another inventory).
    pub fn package(&self, id: PackageId) -> Option<&Package> {
        self.packages.get(id.0)
    }

    /// Every package with its id, in order.
    pub fn packages_with_ids(&self) -> impl Iterator<Item = (PackageId, &Package)> {
        self.packages
            .iter()
            .enumerate()
            .map(|(i, p)| (PackageId(i), p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates the JSON names and purl types of every package type, and which the OS owns.
    #[test]
    fn package_type_names() {
        let all = [
            (PackageType::Deb, "deb", "deb", None),
            (PackageType::Apk, "apk", "apk", None),
            (PackageType::Rpm, "rpm", "rpm", None),
            (PackageType::Python, "python", "pypi", Some("PyPI")),
            (PackageType::Npm, "npm", "npm", Some("npm")),
            (PackageType::Gem, "gem", "gem", Some("RubyGems")),
            (PackageType::Cargo, "cargo", "cargo", Some("crates.io")),
            (PackageType::Golang, "golang", "golang", Some("Go")),
            (PackageType::Maven, "maven", "maven", Some("Maven")),
            (PackageType::NuGet, "nuget", "nuget", Some("NuGet")),
            (
                PackageType::Composer,
                "composer",
                "composer",
                Some("Packagist"),
            ),
            (PackageType::Binary, "binary", "generic", Some("NVD CPE")),
        ];
        for (t, json, purl, eco) in all {
            assert_eq!(serde_json::to_value(t).unwrap(), json);
            assert_eq!(t.as_str(), purl);
            assert_eq!(t.is_os(), eco.is_none());
        }
    }

    /// Validates that every type is listed once and read back from its purl type.
    #[test]
    fn package_types_from_purl_types() {
        for t in PackageType::ALL {
            assert_eq!(PackageType::from_purl_type(t.as_str()), Some(t));
        }
        let names: std::collections::BTreeSet<_> =
            PackageType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), PackageType::ALL.len());
        assert_eq!(PackageType::from_purl_type("python"), None);
        assert_eq!(PackageType::from_purl_type(""), None);
    }

    /// Validates that an id finds its package and an out-of-range id finds nothing.
    #[test]
    fn package_ids() {
        let inv = Inventory {
            packages: vec![Package {
                name: "a".into(),
                ..Package::default()
            }],
            ..Inventory::default()
        };
        assert_eq!(
            inv.package(PackageId(0)).map(|p| p.name.as_str()),
            Some("a")
        );
        assert_eq!(inv.package(PackageId(1)), None);
        let ids: Vec<_> = inv.packages_with_ids().map(|(id, _)| id).collect();
        assert_eq!(ids, [PackageId(0)]);
    }
}
