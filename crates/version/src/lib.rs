//! Exact version ordering and range evaluation, one module per version scheme.
//!
//! This crate owns the rules by which ecosystems order their versions (dpkg, apk, rpm,
//! SemVer, npm, PEP 440, Maven, RubyGems, Go, Cargo, NuGet, Packagist) and the evaluation of OSV range
//! events and native version specifiers against a version. Beside them it keeps two naming
//! facts that the crates above it share: Python distribution names as PEP 503 compares them
//! ([`pep503`]) and Debian/Ubuntu release codenames with their numbers ([`distro`]). It does
//! no I/O and knows nothing about packages, advisories or images: callers bring strings and
//! a [`Scheme`].
//!
//! # Brief overview
//!
//! - [`Scheme`] names a set of rules; [`Scheme::for_ecosystem`] maps OSV ecosystem names.
//! - [`compare`] orders two version strings in a scheme.
//! - Parsed types per scheme implement `Ord + FromStr + Display`: [`DpkgVersion`],
//!   [`ApkVersion`], [`RpmVersion`], [`SemverVersion`] (SemVer, npm, Cargo), [`GoVersion`],
//!   [`Pep440Version`], [`MavenVersion`], [`GemVersion`], [`NuGetVersion`],
//!   [`PackagistVersion`], [`CpeVersion`] (the generic rule
//!   for upstream versions in NVD CPE ranges).
//! - [`affected`] and [`Range`] evaluate OSV range [`Event`]s exactly as the OSV schema's
//!   evaluation algorithm does.
//! - [`satisfies`] checks a version against a native specifier: npm ranges, Cargo
//!   requirements, PEP 440 specifiers, RubyGems requirements, Maven ranges.
//! - [`pep503::normalize`] spells a Python name the way PEP 503 compares it;
//!   [`distro::RELEASES`] maps codenames to release numbers (`bookworm` → `12`).
//! - Errors name the scheme and the input: [`VersionParseError`].
//!
//! # Example
//!
//! ```
//! use std::cmp::Ordering;
//! use version::{affected, compare, satisfies, Event, Scheme};
//!
//! assert_eq!(compare(Scheme::Dpkg, "1:0.9", "2.0").unwrap(), Ordering::Greater);
//! assert_eq!(compare(Scheme::Rpm, "1.0~rc1", "1.0").unwrap(), Ordering::Less);
//!
//! let scheme = Scheme::for_ecosystem("Alpine:v3.19").unwrap();
//! let events = [Event::Introduced("0".into()), Event::Fixed("3.1.4-r6".into())];
//! assert!(affected(scheme, "3.1.4-r5", &events).unwrap());
//! assert!(!affected(scheme, "3.1.4-r6", &events).unwrap());
//!
//! assert!(satisfies(Scheme::Npm, "4.17.20", "<4.17.21").unwrap());
//! ```
//!
//! # Choices
//!
//! - **`semver`** (dtolnay) parses SemVer 2.0.0 for Cargo, npm, Go and the lenient
//!   scheme, and evaluates Cargo requirements: it is Cargo's own implementation, so it is
//!   exact for crates.io. Its `Ord` breaks ties on build metadata, which SemVer ignores,
//!   so [`SemverVersion`] orders by `(major, minor, patch, pre)` itself.
//! - **`pep440_rs`** (astral, the PEP 440 code behind uv) parses, normalizes and orders
//!   Python versions and parses specifiers; it builds offline from crates.io with no
//!   native code. Two rules are added on top, following pypa/packaging: the default
//!   pre-release exclusion of specifier sets, and `<V` accepting pre-releases of V's
//!   release when V is itself a pre-release (`3.0.0a7` is in `<3.0.0a8`; `pep440_rs`
//!   0.7 says no).
//! - **node-semver ranges are hand-written** (`npm.rs`), ported from node-semver 7's
//!   desugaring and checked against its own fixtures. The `node-semver` crate (2.2) was
//!   evaluated and rejected: it panics (`unreachable!`) on the valid range `~x` and
//!   rejects `||`.
//! - **dpkg, apk, rpm, Maven, RubyGems and Go are hand-written**: each is a short,
//!   well-specified algorithm (dpkg's `verrevcmp`, apk-tools' `version.c`, rpm's
//!   `rpmvercmp`, Maven's `ComparableVersion`, `Gem::Version`, `x/mod/semver`) and no
//!   crate implements them exactly with numbers of any size and without panics. Each
//!   module lists its scheme's traps and is tested with the reference implementation's
//!   own test data.
//! - **NuGet and Packagist are hand-written** too (`nuget.rs`, `packagist.rs`): NuGet's
//!   order is SemVer 2.0.0 with four numeric parts and case-insensitive labels, which the
//!   `semver` crate cannot parse; Packagist follows PHP's `version_compare` as OSV applies
//!   it (so OSV's Packagist ranges mean here what they mean to OSV), not Composer's
//!   `composer/semver` nor SemVer, which rejects `v6.4.3` and `1.2.3.4`. Native
//!   specifiers for both are plain comparators (`>= 1.0, < 2.0`); NuGet's interval
//!   notation and Composer constraints are not read.
//! - **Epochs**: a missing dpkg or rpm epoch is `0`, as dpkg and rpm treat it; rpm's
//!   "missing release matches any release" is offered separately
//!   ([`RpmVersion::cmp_ignoring_missing`]) because it is not an order.
//! - **Errors, not guesses**: a version that its scheme cannot read is an error naming
//!   the scheme and input. Callers decide whether that means "unknown" or "skip".
#![deny(missing_docs)]

mod apk;
mod cpe;
pub mod distro;
mod dpkg;
mod error;
mod go;
mod maven;
mod npm;
mod nuget;
mod osv;
mod packagist;
mod parsed;
mod pep440;
pub mod pep503;
mod rpm;
mod rubygems;
mod scheme;
mod semantic;
mod spec;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;

pub use apk::ApkVersion;
pub use cpe::CpeVersion;
pub use dpkg::DpkgVersion;
pub use error::{SpecError, VersionParseError};
pub use go::GoVersion;
pub use maven::MavenVersion;
pub use nuget::NuGetVersion;
pub use osv::{affected, Event, Range};
pub use packagist::PackagistVersion;
pub use pep440::Pep440Version;
pub use rpm::{rpmvercmp, RpmVersion};
pub use rubygems::GemVersion;
pub use scheme::{Scheme, UnknownScheme};
pub use semantic::SemverVersion;
pub use spec::{satisfies, satisfies_with, Prereleases};

/// Order two versions by the rules of `scheme`.
///
/// Equal means "the same version" in that scheme, which need not be the same string
/// (`1.01` and `1.1` in dpkg).
///
/// # Errors
///
/// A [`VersionParseError`] naming the scheme and the first version that is invalid.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionParseError> {
    let a = parsed::Parsed::parse(scheme, a)?;
    let b = parsed::Parsed::parse(scheme, b)?;
    Ok(a.cmp_same(&b))
}
