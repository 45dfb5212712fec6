//! One parsed version of any scheme, so a candidate is parsed once and compared many times.

use std::cmp::Ordering;

use crate::{
    pep440, ApkVersion, CpeVersion, DpkgVersion, GemVersion, GoVersion, MavenVersion, NuGetVersion,
    PackagistVersion, Pep440Version, RpmVersion, Scheme, SemverVersion, VersionParseError,
};

/// A version parsed by the rules of its scheme. Two values compare only within a scheme.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    Dpkg(DpkgVersion),
    Apk(ApkVersion),
    Rpm(RpmVersion),
    Semver(SemverVersion),
    Go(GoVersion),
    Pep440(Pep440Version),
    Maven(MavenVersion),
    RubyGems(GemVersion),
    NuGet(NuGetVersion),
    Packagist(PackagistVersion),
    Cpe(CpeVersion),
}

impl Parsed {
    pub(crate) fn parse(scheme: Scheme, s: &str) -> Result<Parsed, VersionParseError> {
        Ok(match scheme {
            Scheme::Dpkg => Parsed::Dpkg(s.parse()?),
            Scheme::Apk => Parsed::Apk(s.parse()?),
            Scheme::Rpm => Parsed::Rpm(s.parse()?),
            Scheme::Semver => Parsed::Semver(SemverVersion::parse_lenient(s)?),
            Scheme::Npm => Parsed::Semver(SemverVersion::parse_npm(s)?),
            Scheme::Cargo => Parsed::Semver(s.parse()?),
            Scheme::Go => Parsed::Go(s.parse()?),
            Scheme::Pep440 => Parsed::Pep440(pep440::parse(s)?),
            Scheme::Maven => Parsed::Maven(s.parse()?),
            Scheme::RubyGems => Parsed::RubyGems(s.parse()?),
            Scheme::NuGet => Parsed::NuGet(s.parse()?),
            Scheme::Packagist => Parsed::Packagist(s.parse()?),
            Scheme::Cpe => Parsed::Cpe(s.parse()?),
        })
    }

    /// Order two versions of the same scheme.
    pub(crate) fn cmp_same(&self, other: &Parsed) -> Ordering {
        match (self, other) {
            (Parsed::Dpkg(a), Parsed::Dpkg(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Semver(a), Parsed::Semver(b)) => a.cmp(b),
            (Parsed::Go(a), Parsed::Go(b)) => a.cmp(b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::Packagist(a), Parsed::Packagist(b)) => a.cmp(b),
            (Parsed::Cpe(a), Parsed::Cpe(b)) => a.cmp(b),
            _ => unreachable!("versions of one scheme are parsed into one variant"),
        }
    }
}
