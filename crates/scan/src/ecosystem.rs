//! Which feed a package is looked up in, under which name, at which version, compared how.
//!
//! Traps (each one a false positive or negative when got wrong):
//! * **OS packages match only their distribution's feed for that release.** A Debian 12
//!   image is matched in `Debian:12` and nowhere else: not in `Debian:11`, not in Ubuntu's
//!   feed, and never against upstream (NVD CPE) ranges, whose versions mean nothing for a
//!   patched distribution package.
//! * **Debian keys on the source package and its version.** The tracker writes `openssl`,
//!   not `libssl3`, and versions of the source upload: a binNMU binary `1.2-3+b1` is source
//!   `1.2-3`. So Debian and Ubuntu look up `source_name` (else `name`) and compare
//!   `source_version` (else `version`) with dpkg rules.
//! * **The Debian release is the major version.** `VERSION_ID` is `12` but
//!   `debian_version` says `12.5`; testing and sid have no number at all (`trixie/sid`), so
//!   the codename is mapped (`trixie` → `13`).
//! * **Alpine keys on the origin package but the binary version.** secdb writes `openssl`
//!   for `libcrypto3`; apk binaries of one origin share its version. The branch is
//!   `v<major>.<minor>` (`3.19.1` → `Alpine:v3.19`).
//! * **Ubuntu LTS releases are `Ubuntu:22.04:LTS` in OSV** but plain `Ubuntu:23.10`
//!   otherwise; both spellings are looked up.
//! * **rpm distributions are best effort.** AlmaLinux and Rocky Linux OSV records name binary
//!   rpms, others source rpms, so both names are looked up, compared with rpm rules on the
//!   epoch-qualified version. The ecosystem names follow the OSV schema's list and have not
//!   been checked against real images; Red Hat's own OSV ecosystems carry product suffixes
//!   (`Red Hat:enterprise_linux:9::appstream`) that an exact lookup cannot find, so RHEL and
//!   CentOS images are reported as having no feed rather than matched badly.
//! * **Unmanaged runtimes match NVD's CPE ranges**, looked up by the `vendor:product` of
//!   their CPEs and compared with the generic CPE rule ([`Scheme::Cpe`]); they have no OSV
//!   ecosystem. OS packages never do (above).
//! * **A Go module at `(devel)` has no version** (a main module built from a checkout): it
//!   is listed, never matched.
//! * **Language packages match their ecosystem** (`PyPI`, `npm`, …, from
//!   [`language_ecosystem`]: OSV's names are this crate's business, not the inventory's);
//!   names are normalized by the store (PEP 503 for PyPI: `Jinja2` is `jinja2`; NuGet ids
//!   and Packagist `vendor/name`s in lower case, since both registries treat names
//!   case-insensitively and OSV spells NuGet ids as the registry displays them,
//!   `Newtonsoft.Json`). Composer versions are compared as Composer writes `version`
//!   (`v6.4.3`, the tag), not `version_normalized` (see `version::PackagistVersion`).

use inventory::{OsInfo, Package, PackageType};
use version::distro::{self, Distro};
use version::Scheme;

/// The feed of an image's operating system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsFeed {
    /// The OSV ecosystems to look OS packages up in (`["Debian:12"]`).
    pub ecosystems: Vec<String>,
    /// Snyk's per-vulnerability package manager label (`debian:12`, `alpine:3.19`).
    pub label: String,
    /// How OS package versions compare.
    pub scheme: Scheme,
}

/// Where and how to look one package up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Candidate ecosystems, each with its release (`Debian:12`).
    pub ecosystems: Vec<String>,
    /// Names to look up, in order (source name first for OS packages).
    pub names: Vec<String>,
    /// The version to compare (the source version for Debian).
    pub version: String,
    /// The comparison rules.
    pub scheme: Scheme,
    /// Snyk's per-vulnerability package manager label.
    pub label: String,
}

/// Why a package could not be looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unqueryable {
    /// An OS package, but the OS is unknown or has no feed shipshape knows.
    NoOsFeed,
    /// A package type with no OSV ecosystem (or no type at all).
    NoEcosystem,
    /// An empty version: nothing to compare.
    NoVersion,
    /// A language package that did not come from its ecosystem's registry
    /// ([`Package::origin`]: the Rust binary's own crate, a git or path dependency): the
    /// registry's advisories are about another package of that name.
    NotFromRegistry,
}

fn numeric_parts(v: &str) -> Vec<&str> {
    v.split(['.', '_', '-', '/'])
        .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

fn debian_release(os: &OsInfo) -> Option<String> {
    let from_version = os.version_id.as_deref().and_then(|v| {
        let parts = numeric_parts(v.trim());
        parts.first().map(|s| (*s).to_owned())
    });
    if from_version.is_some() {
        return from_version;
    }
    // `trixie/sid` in debian_version, or only a codename in os-release.
    let codename = os
        .codename
        .clone()
        .or_else(|| {
            os.version_id
                .as_deref()
                .and_then(|v| v.split('/').next())
                .map(str::to_owned)
        })?
        .trim()
        .to_ascii_lowercase();
    let release =
        distro::release(Distro::Debian, &codename).map_or(codename.as_str(), |r| r.version);
    release
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| release.to_owned())
        .filter(|r| !r.is_empty())
}

fn major_minor(version_id: Option<&str>) -> Option<(String, Option<String>)> {
    let parts = numeric_parts(version_id?.trim());
    let major = (*parts.first()?).to_owned();
    Some((major, parts.get(1).map(|s| (*s).to_owned())))
}

/// The feed for an operating system, or `None` when shipshape knows none for it.
pub fn os_feed(os: &OsInfo) -> Option<OsFeed> {
    let id = os.id.trim().to_ascii_lowercase();
    let version_id = os.version_id.as_deref();
    let feed = |ecosystems: Vec<String>, label: String, scheme| {
        Some(OsFeed {
            ecosystems,
            label,
            scheme,
        })
    };
    match id.as_str() {
        "debian" => {
            let r = debian_release(os)?;
            feed(
                vec![format!("Debian:{r}")],
                format!("debian:{r}"),
                Scheme::Dpkg,
            )
        }
        "ubuntu" => {
            let (major, minor) = major_minor(version_id)?;
            let v = format!("{major}.{}", minor.unwrap_or_else(|| "04".into()));
            feed(
                vec![format!("Ubuntu:{v}"), format!("Ubuntu:{v}:LTS")],
                format!("ubuntu:{v}"),
                Scheme::Dpkg,
            )
        }
        "alpine" => {
            let (major, minor) = major_minor(version_id)?;
            let v = format!("{major}.{}", minor?);
            feed(
                vec![format!("Alpine:v{v}")],
                format!("alpine:{v}"),
                Scheme::Apk,
            )
        }
        "wolfi" => feed(vec!["Wolfi".into()], "wolfi".into(), Scheme::Apk),
        "chainguard" => feed(vec!["Chainguard".into()], "chainguard".into(), Scheme::Apk),
        "almalinux" => {
            let (major, _) = major_minor(version_id)?;
            feed(
                vec![format!("AlmaLinux:{major}")],
                format!("almalinux:{major}"),
                Scheme::Rpm,
            )
        }
        "rocky" => {
            let (major, _) = major_minor(version_id)?;
            feed(
                vec![format!("Rocky Linux:{major}")],
                format!("rocky:{major}"),
                Scheme::Rpm,
            )
        }
        "opensuse-leap" => {
            let v = version_id?.trim();
            feed(
                vec![format!("openSUSE:Leap {v}")],
                format!("opensuse-leap:{v}"),
                Scheme::Rpm,
            )
        }
        "sles" => {
            let (major, minor) = major_minor(version_id)?;
            let name = match minor.as_deref() {
                None | Some("0") => format!("SUSE:Linux Enterprise Server {major}"),
                Some(sp) => format!("SUSE:Linux Enterprise Server {major} SP{sp}"),
            };
            feed(
                vec![name],
                format!("sles:{}", version_id?.trim()),
                Scheme::Rpm,
            )
        }
        "mageia" => {
            let v = version_id?.trim();
            feed(
                vec![format!("Mageia:{v}")],
                format!("mageia:{v}"),
                Scheme::Rpm,
            )
        }
        _ => None,
    }
}

/// The OSV ecosystem of a language package type (`PyPI`, `npm`, `RubyGems`, `crates.io`,
/// `Go`, `Maven`, `NuGet`, `Packagist`); `None` for OS packages, whose ecosystem depends on the distribution and
/// release (`Debian:12`, see [`os_feed`]), which the type alone does not say.
pub fn language_ecosystem(t: PackageType) -> Option<&'static str> {
    match t {
        PackageType::Deb | PackageType::Apk | PackageType::Rpm => None,
        PackageType::Python => Some("PyPI"),
        PackageType::Npm => Some("npm"),
        PackageType::Gem => Some("RubyGems"),
        PackageType::Cargo => Some("crates.io"),
        PackageType::Golang => Some("Go"),
        PackageType::Maven => Some("Maven"),
        PackageType::NuGet => Some("NuGet"),
        PackageType::Composer => Some("Packagist"),
        PackageType::Binary => None,
    }
}

/// The pseudo-ecosystem of NVD CPE matches, in which unmanaged runtimes
/// ([`PackageType::Binary`]) are looked up by `vendor:product`.
pub const NVD_CPE: &str = "NVD";

/// `vendor:product` of each CPE of `pkg`, without repeats, in order.
fn cpe_products(pkg: &Package) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in pkg.cpes.iter().filter_map(|c| vulndb::cpe::Cpe23::parse(c)) {
        let key = format!("{}:{}", c.vendor, c.product);
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// Where to look `pkg` up, given the image's OS feed.
pub fn query(pkg: &Package, feed: Option<&OsFeed>) -> Result<Query, Unqueryable> {
    if pkg.version.trim().is_empty() {
        return Err(Unqueryable::NoVersion);
    }
    let Some(ptype) = pkg.package_type else {
        return Err(Unqueryable::NoEcosystem);
    };
    // A Go main module built from a checkout, or a module replaced by a local directory:
    // no version to compare.
    if ptype == PackageType::Golang && pkg.version.trim() == "(devel)" {
        return Err(Unqueryable::NoVersion);
    }
    if ptype.is_os() {
        let feed = feed.ok_or(Unqueryable::NoOsFeed)?;
        let source = pkg
            .source_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(&pkg.name)
            .to_owned();
        let (names, version) = match ptype {
            PackageType::Deb => (
                vec![source],
                pkg.source_version
                    .clone()
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| pkg.version.clone()),
            ),
            PackageType::Rpm => {
                let mut names = vec![source];
                if names[0] != pkg.name {
                    names.push(pkg.name.clone());
                }
                (names, pkg.full_version())
            }
            // apk and anything else the OS owns: origin name, binary version.
            _ => (vec![source], pkg.version.clone()),
        };
        return Ok(Query {
            ecosystems: feed.ecosystems.clone(),
            names,
            version,
            scheme: feed.scheme,
            label: feed.label.clone(),
        });
    }
    if ptype == PackageType::Binary {
        // Unmanaged runtimes have no OSV ecosystem: NVD's CPE ranges, by vendor:product,
        // compared with the generic CPE rule.
        let names = cpe_products(pkg);
        if names.is_empty() {
            return Err(Unqueryable::NoEcosystem);
        }
        return Ok(Query {
            ecosystems: vec![NVD_CPE.to_owned()],
            names,
            version: pkg.version.clone(),
            scheme: Scheme::Cpe,
            label: ptype.as_str().to_owned(),
        });
    }
    let ecosystem = language_ecosystem(ptype).ok_or(Unqueryable::NoEcosystem)?;
    if pkg.origin.is_some() {
        return Err(Unqueryable::NotFromRegistry);
    }
    let scheme = Scheme::for_ecosystem(ecosystem).ok_or(Unqueryable::NoEcosystem)?;
    Ok(Query {
        ecosystems: vec![ecosystem.to_owned()],
        names: vec![pkg.name.clone()],
        version: pkg.version.clone(),
        scheme,
        label: ptype.as_str().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version: Option<&str>, codename: Option<&str>) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: version.map(Into::into),
            codename: codename.map(Into::into),
            ..OsInfo::default()
        }
    }

    /// Validates the OSV ecosystem of every package type: language types have one, OS types
    /// none of their own.
    #[test]
    fn language_ecosystems() {
        let all = [
            (PackageType::Deb, None),
            (PackageType::Apk, None),
            (PackageType::Rpm, None),
            (PackageType::Python, Some("PyPI")),
            (PackageType::Npm, Some("npm")),
            (PackageType::Gem, Some("RubyGems")),
            (PackageType::Cargo, Some("crates.io")),
            (PackageType::Golang, Some("Go")),
            (PackageType::Maven, Some("Maven")),
            (PackageType::NuGet, Some("NuGet")),
            (PackageType::Composer, Some("Packagist")),
        ];
        for (t, eco) in all {
            assert_eq!(language_ecosystem(t), eco, "{t:?}");
            assert_eq!(t.is_os(), eco.is_none(), "{t:?}");
        }
        assert_eq!(language_ecosystem(PackageType::Binary), None);
    }

    /// Validates the OS → ecosystem table, including Debian's point releases and sid.
    #[test]
    fn os_ecosystems() {
        let cases = [
            (os("debian", Some("12"), None), Some(vec!["Debian:12"])),
            (os("debian", Some("12.5"), None), Some(vec!["Debian:12"])),
            (
                os("debian", Some("trixie/sid"), None),
                Some(vec!["Debian:13"]),
            ),
            (
                os("debian", None, Some("bookworm")),
                Some(vec!["Debian:12"]),
            ),
            (os("debian", None, None), None),
            (
                os("ubuntu", Some("22.04"), Some("jammy")),
                Some(vec!["Ubuntu:22.04", "Ubuntu:22.04:LTS"]),
            ),
            (
                os("alpine", Some("3.19.1"), None),
                Some(vec!["Alpine:v3.19"]),
            ),
            (
                os("alpine", Some("3.20.0_alpha20240329"), None),
                Some(vec!["Alpine:v3.20"]),
            ),
            (os("alpine", Some("3"), None), None),
            (
                os("almalinux", Some("9.3"), None),
                Some(vec!["AlmaLinux:9"]),
            ),
            (os("rocky", Some("8.9"), None), Some(vec!["Rocky Linux:8"])),
            (os("rhel", Some("9.3"), None), None),
            (os("raspbian", Some("11"), None), None),
        ];
        for (o, want) in cases {
            let got = os_feed(&o).map(|f| f.ecosystems);
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(got, want, "{o:?}");
        }
    }

    /// Validates that Debian uses the source name and version, Alpine the origin and the
    /// binary version, rpm both names, and PyPI its ecosystem.
    #[test]
    fn queries_per_type() {
        let deb_feed = os_feed(&os("debian", Some("12"), None)).unwrap();
        let libssl = Package {
            package_type: Some(PackageType::Deb),
            name: "libssl3".into(),
            version: "3.0.11-1~deb12u2+b1".into(),
            source_name: Some("openssl".into()),
            source_version: Some("3.0.11-1~deb12u2".into()),
            ..Package::default()
        };
        let q = query(&libssl, Some(&deb_feed)).unwrap();
        assert_eq!(q.names, ["openssl"]);
        assert_eq!(q.version, "3.0.11-1~deb12u2");
        assert_eq!((q.scheme, q.label.as_str()), (Scheme::Dpkg, "debian:12"));
        assert_eq!(query(&libssl, None), Err(Unqueryable::NoOsFeed));

        let apk_feed = os_feed(&os("alpine", Some("3.19.1"), None)).unwrap();
        let libcrypto = Package {
            package_type: Some(PackageType::Apk),
            name: "libcrypto3".into(),
            version: "3.1.4-r5".into(),
            source_name: Some("openssl".into()),
            ..Package::default()
        };
        let q = query(&libcrypto, Some(&apk_feed)).unwrap();
        assert_eq!(
            (q.names[0].as_str(), q.version.as_str()),
            ("openssl", "3.1.4-r5")
        );

        let rpm_feed = os_feed(&os("almalinux", Some("9.3"), None)).unwrap();
        let rpm = Package {
            package_type: Some(PackageType::Rpm),
            name: "openssl-libs".into(),
            version: "3.0.7-24.el9".into(),
            epoch: Some(1),
            source_name: Some("openssl".into()),
            ..Package::default()
        };
        let q = query(&rpm, Some(&rpm_feed)).unwrap();
        assert_eq!(q.names, ["openssl", "openssl-libs"]);
        assert_eq!(q.version, "1:3.0.7-24.el9");

        let jinja = Package {
            package_type: Some(PackageType::Python),
            name: "Jinja2".into(),
            version: "2.11.2".into(),
            ..Package::default()
        };
        let q = query(&jinja, None).unwrap();
        assert_eq!(q.ecosystems, ["PyPI"]);
        assert_eq!((q.scheme, q.label.as_str()), (Scheme::Pep440, "pypi"));

        let node = Package {
            package_type: Some(PackageType::Binary),
            name: "node".into(),
            version: "20.13.1".into(),
            cpes: vec![
                "cpe:2.3:a:nodejs:node.js:20.13.1:*:*:*:*:*:*:*".into(),
                "cpe:2.3:a:NodeJS:Node.js:20.13.1:*:*:*:*:*:*:*".into(),
                "not a cpe".into(),
            ],
            ..Package::default()
        };
        let q = query(&node, None).unwrap();
        assert_eq!(q.ecosystems, [NVD_CPE]);
        assert_eq!(q.names, ["nodejs:node.js"]);
        assert_eq!((q.scheme, q.label.as_str()), (Scheme::Cpe, "generic"));
        let no_cpe = Package {
            cpes: Vec::new(),
            ..node
        };
        assert_eq!(query(&no_cpe, None), Err(Unqueryable::NoEcosystem));

        let untyped = Package {
            name: "x".into(),
            version: "1".into(),
            ..Package::default()
        };
        assert_eq!(query(&untyped, None), Err(Unqueryable::NoEcosystem));
    }

    /// Validates that a crate from crates.io is queried in `crates.io` with Cargo's rules,
    /// and one from elsewhere (a binary's own crate, a git dependency) not at all.
    #[test]
    fn crates_from_elsewhere_are_not_queried() {
        let smallvec = Package {
            package_type: Some(PackageType::Cargo),
            name: "smallvec".into(),
            version: "1.6.0".into(),
            ..Package::default()
        };
        let q = query(&smallvec, None).unwrap();
        assert_eq!(q.ecosystems, ["crates.io"]);
        assert_eq!((q.scheme, q.label.as_str()), (Scheme::Cargo, "cargo"));
        for origin in ["local", "git", "registry"] {
            let fork = Package {
                origin: Some(origin.into()),
                ..smallvec.clone()
            };
            assert_eq!(query(&fork, None), Err(Unqueryable::NotFromRegistry));
        }
    }
}
