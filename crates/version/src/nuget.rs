//! NuGet package versions, ordered as NuGet's `NuGet.Versioning` (`VersionComparer.Default`)
//! orders them.
//!
//! Form: `MAJOR[.MINOR[.PATCH[.REVISION]]][-RELEASE][+METADATA]`.
//!
//! Traps:
//! - Up to four numeric parts; missing ones are 0, so `1.0 == 1.0.0 == 1.0.0.0` and `1`
//!   is `1.0.0.0`. Leading zeros are allowed in them and mean nothing (`1.01 == 1.1`).
//! - The fourth part (`Revision`) counts: `4.5.0.1 > 4.5.0`.
//! - Pre-release labels follow SemVer 2.0.0 (dot-separated identifiers, numeric ones compare
//!   as numbers and before alphanumeric ones, more identifiers win when the others are equal)
//!   with one difference: alphanumeric identifiers compare case-insensitively
//!   (`1.0.0-BETA == 1.0.0-beta`), as NuGet compares them with `OrdinalIgnoreCase`.
//! - A release sorts after its pre-releases: `1.0.0-rc.1 < 1.0.0`.
//! - Build metadata (`+sha.abc`) is ignored when ordering.
//! - NuGet rejects a leading `v` (`v1.0.0`); so does this reader: an error, not a guess.
//!   Neither `*.deps.json` files nor OSV NuGet records write one.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A NuGet version.
///
/// ```
/// use version::NuGetVersion;
/// let v = |s: &str| s.parse::<NuGetVersion>().unwrap();
/// assert_eq!(v("1.0"), v("1.0.0.0"));
/// assert!(v("1.0.0-rc.1") < v("1.0.0"));
/// assert!(v("13.0.1") > v("12.0.3"));
/// assert_eq!(v("1.0.0-BETA+abc"), v("1.0.0-beta"));
/// ```
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    raw: String,
    /// Major, minor, patch, revision, as decimal digits without leading zeros.
    numbers: [String; 4],
    /// Pre-release identifiers (empty for a release).
    release: Vec<String>,
}

/// Decimal digits without leading zeros (`""` for zero), compared by length then digits.
fn strip_zeros(d: &str) -> String {
    d.trim_start_matches('0').to_owned()
}

fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// SemVer's identifier order with NuGet's case-insensitive strings.
fn cmp_identifier(a: &str, b: &str) -> Ordering {
    let num = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match (num(a), num(b)) {
        (true, true) => cmp_digits(&strip_zeros(a), &strip_zeros(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
    }
}

impl NuGetVersion {
    /// Whether this version has a pre-release label.
    pub fn is_prerelease(&self) -> bool {
        !self.release.is_empty()
    }
}

impl FromStr for NuGetVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| VersionParseError::new(Scheme::NuGet, input, reason);
        let (rest, metadata) = match input.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (input, None),
        };
        if let Some(m) = metadata {
            if !m.split('.').all(is_identifier) {
                return Err(err("invalid build metadata"));
            }
        }
        let (core, label) = match rest.split_once('-') {
            Some((c, l)) => (c, Some(l)),
            None => (rest, None),
        };
        let release: Vec<String> = match label {
            Some(l) => {
                if !l.split('.').all(is_identifier) {
                    return Err(err("invalid pre-release label"));
                }
                l.split('.').map(str::to_owned).collect()
            }
            None => Vec::new(),
        };
        if core.is_empty() {
            return Err(err("empty version"));
        }
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 {
            return Err(err("more than four numeric parts"));
        }
        let mut numbers: [String; 4] = Default::default();
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("numeric parts must be digits"));
            }
            *slot = strip_zeros(part);
        }
        Ok(NuGetVersion {
            raw: input.to_owned(),
            numbers,
            release,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.numbers.iter().zip(&other.numbers) {
            let o = cmp_digits(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        match (self.release.is_empty(), other.release.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.release.iter().zip(&other.release) {
            let o = cmp_identifier(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        self.release.len().cmp(&other.release.len())
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

impl fmt::Display for NuGetVersion {
    /// The version as it was written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NuGetVersion {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Validates the ordering examples of NuGet's package versioning documentation
    /// ("Pre-release versions", "Normalized version numbers") and of SemVer 2.0.0 §11.
    #[test]
    fn documented_order() {
        // NuGet docs: "1.0.1-alpha < 1.0.1-beta < 1.0.1-rc < 1.0.1" style chains, with
        // SemVer 2.0.0's own example list.
        let sorted = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1-alpha",
            "1.0.1-beta",
            "1.0.1-rc",
            "1.0.1",
            "1.0.2",
            "2.0",
            "13.0.1",
        ];
        for w in sorted.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    /// Validates the documented equalities: missing parts are zero, leading zeros do not
    /// count, labels ignore case, metadata is ignored.
    #[test]
    fn documented_equalities() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0", "1.0.0.0"),
            ("1", "1.0.0.0"),
            ("1.01", "1.1"),
            ("1.00", "1.0.0"),
            ("1.0.01.0", "1.0.1"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-Rc.1", "1.0.0-rc.1"),
            ("1.0.0+abc", "1.0.0"),
            ("1.0.0-beta+git.sha.5", "1.0.0-beta"),
            ("1.0.0-beta.01", "1.0.0-beta.1"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
        assert_ne!(v("1.0.0.1"), v("1.0.0"));
        assert_eq!(v("4.5.0-preview1.1").to_string(), "4.5.0-preview1.1");
    }

    /// Validates what NuGet rejects.
    #[test]
    fn invalid() {
        for s in [
            "",
            "v1.0.0",
            "1.0.0.0.0",
            "1..0",
            "1.0.",
            ".1",
            "1.0-",
            "1.0-beta..1",
            "1.0+",
            "1.0+a+b",
            "1.0-beta_1",
            "a.b",
            " 1.0",
            "-1.0",
        ] {
            assert!(s.parse::<NuGetVersion>().is_err(), "{s:?}");
        }
    }

    /// Validates numbers of any size compare without overflow.
    #[test]
    fn huge_numbers() {
        assert!(v("99999999999999999999999.0") < v("100000000000000000000000.0"));
        assert!(v("1.0.0-99999999999999999999") < v("1.0.0-100000000000000000000"));
    }
}
