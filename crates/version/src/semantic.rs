//! Semantic Versioning 2.0.0 versions, read strictly (Cargo), as npm reads them, or leniently.
//!
//! Traps:
//! - Build metadata (`+build.5`) is ignored for precedence: `1.0.0+a == 1.0.0+b`. The
//!   `semver` crate's own `Ord` breaks ties on build metadata, so [`SemverVersion`] does
//!   not use it.
//! - A pre-release sorts before its release (`1.0.0-rc.1 < 1.0.0`); identifiers compare
//!   numerically when both are numeric, numeric before alphanumeric, and a longer list
//!   wins when all shared identifiers are equal (`1.0.0-alpha < 1.0.0-alpha.1`).
//! - Leading zeros are invalid in numeric parts (`01.0.0`, `1.0.0-01`).
//! - npm accepts a leading `v` (`v1.2.3`) and, in its loose mode, `=`; we accept both.
//! - The lenient reading ([`Scheme::Semver`]) also accepts a missing minor or patch
//!   (`1`, `1.2` → `1.0.0`, `1.2.0`), as Packagist, NuGet and many feeds write them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A SemVer 2.0.0 version, ordered by precedence (build metadata ignored).
///
/// [`FromStr`] is strict SemVer (Cargo's rules); see [`SemverVersion::parse_npm`] and
/// [`SemverVersion::parse_lenient`] for the other readings.
///
/// ```
/// use version::SemverVersion;
/// let v = |s: &str| s.parse::<SemverVersion>().unwrap();
/// assert!(v("1.0.0-alpha.1") < v("1.0.0-alpha.beta"));
/// assert_eq!(v("1.0.0+build.1"), v("1.0.0+build.2"));
/// ```
#[derive(Debug, Clone)]
pub struct SemverVersion(pub(crate) semver::Version);

impl SemverVersion {
    /// The underlying `semver` crate version.
    pub fn as_semver(&self) -> &semver::Version {
        &self.0
    }

    /// Read a version as npm does: surrounding whitespace, a leading `v` or `=` allowed.
    ///
    /// # Errors
    ///
    /// When the rest is not SemVer 2.0.0.
    pub fn parse_npm(input: &str) -> Result<Self, VersionParseError> {
        let s = input.trim().trim_start_matches(['=', 'v', 'V']).trim();
        parse_with(Scheme::Npm, input, s)
    }

    /// Read a version leniently: a leading `v`, and missing minor or patch, allowed.
    ///
    /// # Errors
    ///
    /// When the result is not SemVer 2.0.0.
    pub fn parse_lenient(input: &str) -> Result<Self, VersionParseError> {
        let s = input.trim().trim_start_matches(['=', 'v', 'V']);
        let core_end = s.find(['-', '+']).unwrap_or(s.len());
        let (core, rest) = s.split_at(core_end);
        let dots = core.matches('.').count();
        let padded = match dots {
            0 if !core.is_empty() => format!("{core}.0.0{rest}"),
            1 => format!("{core}.0{rest}"),
            _ => s.to_owned(),
        };
        parse_with(Scheme::Semver, input, &padded)
    }

    fn key(&self) -> (u64, u64, u64, &semver::Prerelease) {
        (self.0.major, self.0.minor, self.0.patch, &self.0.pre)
    }

    /// Whether this is a pre-release (`1.0.0-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }
}

pub(crate) fn parse_with(
    scheme: Scheme,
    input: &str,
    s: &str,
) -> Result<SemverVersion, VersionParseError> {
    semver::Version::parse(s)
        .map(SemverVersion)
        .map_err(|e| VersionParseError::new(scheme, input, e.to_string()))
}

impl FromStr for SemverVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse_with(Scheme::Cargo, input, input)
    }
}

impl fmt::Display for SemverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Ord for SemverVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for SemverVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemverVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemverVersion {}
