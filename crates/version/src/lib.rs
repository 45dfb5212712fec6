//! Exact version ordering and range evaluation, one module per version scheme.
//!
//! This crate owns the rules by which ecosystems order their versions (dpkg, apk, rpm,
//! SemVer, npm, PEP 440, Maven, RubyGems, Go, Cargo) and the evaluation of OSV range
//! events and native version specifiers against a version. It does no I/O and knows
//! nothing about packages, advisories or images: callers bring strings and a [`Scheme`].
//!
//! # Brief overview
//!
//! - [`Scheme`] names a set of rules; [`Scheme::for_ecosystem`] maps OSV ecosystem names.
//! - [`compare`] orders two version strings in a scheme.
//! - Parsed types per scheme implement `Ord + FromStr + Display`: [`DpkgVersion`],
//!   [`ApkVersion`], [`RpmVersion`], [`SemverVersion`] (SemVer, npm, Cargo), [`GoVersion`],
//!   [`Pep440Version`], [`MavenVersion`], [`GemVersion`].
//! - [`affected`] and [`Range`] evaluate OSV range [`Event`]s exactly as the OSV schema's
//!   evaluation algorithm does.
//! - [`satisfies`] checks a version against a native specifier: npm ranges, Cargo
//!   requirements, PEP 440 specifiers, RubyGems requirements, Maven ranges.
//! - Errors name the scheme and the input: [`VersionParseError`].
//!
//! # Example
//!
//! ```
//! use std::cmp::Ordering;
//! use version::{compare, Scheme};
//!
//! assert_eq!(compare(Scheme::Dpkg, "1:0.9", "2.0").unwrap(), Ordering::Greater);
//! assert_eq!(compare(Scheme::Rpm, "1.0~rc1", "1.0").unwrap(), Ordering::Less);
//! ```
#![deny(missing_docs)]

mod apk;
mod dpkg;
mod error;
mod go;
mod maven;
mod npm;
mod osv;
mod parsed;
mod pep440;
mod rpm;
mod rubygems;
mod scheme;
mod semantic;
mod spec;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;

pub use apk::ApkVersion;
pub use dpkg::DpkgVersion;
pub use error::{SpecError, VersionParseError};
pub use go::GoVersion;
pub use maven::MavenVersion;
pub use osv::{affected, Event, Range};
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
