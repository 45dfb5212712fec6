//! The version schemes and the OSV ecosystem names that use them.

use std::fmt;
use std::str::FromStr;

/// A version scheme: one set of rules for ordering versions and reading specifiers.
///
/// Several ecosystems share a scheme (Debian and Ubuntu use [`Scheme::Dpkg`]; Red Hat,
/// AlmaLinux, Rocky Linux, SUSE and Mageia use [`Scheme::Rpm`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// Debian `deb-version(7)`: `[epoch:]upstream[-revision]`, `~` sorts first.
    Dpkg,
    /// Alpine apk-tools: `1.2.3a_rc1_p2-r4`.
    Apk,
    /// RPM `rpmvercmp` over `[epoch:]version[-release]`, with `~` and `^`.
    Rpm,
    /// Semantic Versioning 2.0.0, lenient about a leading `v` and missing minor/patch;
    /// specifiers use npm's range syntax.
    Semver,
    /// npm's node-semver: SemVer 2.0.0 versions, node-semver ranges.
    Npm,
    /// Python's PEP 440 (the version specification of packaging.python.org).
    Pep440,
    /// Maven's `ComparableVersion` and version ranges.
    Maven,
    /// RubyGems `Gem::Version` and `Gem::Requirement`.
    RubyGems,
    /// Go modules (`v1.2.3`, `+incompatible`, pseudo-versions) and Go releases (`go1.21rc2`).
    Go,
    /// Cargo: SemVer 2.0.0 with Cargo's requirement syntax (`semver` crate).
    Cargo,
    /// NuGet (`NuGet.Versioning`): up to four numeric parts, SemVer 2.0.0 pre-release
    /// labels compared case-insensitively.
    NuGet,
    /// Packagist (Composer): PHP's `version_compare` as OSV applies it, leading `v` dropped.
    Packagist,
    /// Upstream release versions as NVD's CPE ranges name them: dotted numbers compared
    /// numerically, then letter suffixes, pre-release words (`rc`, `beta`) first (see
    /// [`CpeVersion`](crate::CpeVersion)). No OSV ecosystem uses it.
    Cpe,
}

impl Scheme {
    /// Every scheme, in declaration order.
    pub const ALL: [Scheme; 13] = [
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Semver,
        Scheme::Npm,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::Go,
        Scheme::Cargo,
        Scheme::NuGet,
        Scheme::Packagist,
        Scheme::Cpe,
    ];

    /// The scheme used by an OSV ecosystem name such as `Debian:12`, `Alpine:v3.19`,
    /// `Red Hat`, `PyPI` or `crates.io`.
    ///
    /// Only the part before the first `:` counts, case-insensitively. NuGet and Packagist
    /// have their own schemes; Hex and Pub are mapped to [`Scheme::Semver`], which is close
    /// but not exact for them.
    ///
    /// ```
    /// use version::Scheme;
    /// assert_eq!(Scheme::for_ecosystem("Debian:12"), Some(Scheme::Dpkg));
    /// assert_eq!(Scheme::for_ecosystem("Rocky Linux:9"), Some(Scheme::Rpm));
    /// assert_eq!(Scheme::for_ecosystem("PyPI"), Some(Scheme::Pep440));
    /// assert_eq!(Scheme::for_ecosystem("Hackage"), None);
    /// ```
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or("").trim();
        let base = base.to_ascii_lowercase();
        let scheme = match base.as_str() {
            "debian" | "ubuntu" => Scheme::Dpkg,
            "alpine" | "wolfi" | "chainguard" | "alpaquita" | "bellsoft hardened containers" => {
                Scheme::Apk
            }
            "red hat" | "almalinux" | "rocky linux" | "suse" | "opensuse" | "mageia"
            | "openeuler" | "photon os" | "azure linux" | "cbl-mariner" | "oracle linux" => {
                Scheme::Rpm
            }
            "npm" => Scheme::Npm,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "rubygems" => Scheme::RubyGems,
            "go" => Scheme::Go,
            "crates.io" => Scheme::Cargo,
            "nuget" => Scheme::NuGet,
            "packagist" => Scheme::Packagist,
            "hex" | "pub" => Scheme::Semver,
            // Not an OSV ecosystem: shipshape's name for NVD CPE ranges (unmanaged runtimes).
            "nvd" => Scheme::Cpe,
            _ => return None,
        };
        Some(scheme)
    }

    /// The short lowercase name used by [`Display`](fmt::Display) and [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Semver => "semver",
            Scheme::Npm => "npm",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::Go => "go",
            Scheme::Cargo => "cargo",
            Scheme::NuGet => "nuget",
            Scheme::Packagist => "packagist",
            Scheme::Cpe => "cpe",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scheme name that [`Scheme::from_str`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown version scheme {0:?} (expected one of dpkg, apk, rpm, semver, npm, pep440, maven, rubygems, go, cargo, nuget, packagist, cpe)")]
pub struct UnknownScheme(pub String);

impl FromStr for Scheme {
    type Err = UnknownScheme;

    /// Reads a scheme's [`name`](Scheme::name), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| scheme.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownScheme(s.to_owned()))
    }
}
