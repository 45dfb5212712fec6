//! Go versions: module versions (golang.org/x/mod/semver) and Go releases (`go1.21rc2`).
//!
//! Traps:
//! - Module versions are SemVer with a `v` prefix; OSV writes them without it, so the
//!   prefix is optional here. `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`
//!   (but not with a pre-release or build suffix: `v1.2-pre` is invalid).
//! - `+incompatible` is build metadata and, like all build metadata, ignored in ordering:
//!   `v2.0.0+incompatible == v2.0.0`.
//! - Pseudo-versions (`v0.0.0-20210101000000-abcdef123456`,
//!   `v1.2.4-0.20210101000000-abcdef123456`) are ordinary pre-releases, so they sort
//!   before the release they precede and by timestamp among themselves.
//! - Go releases are named `go1.21.3`, `go1.21rc2`, `go1.21beta1`, `go1.21` and `go1`.
//!   We read them as `1.21.3`, `1.21.0-rc.2`, `1.21.0-beta.1`, `1.21.0` and `1.0.0`,
//!   as OSV's Go standard library entries do. (Go's own `gover` orders the language
//!   version `1.21` before `1.21rc1`; we follow the feeds instead.)

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::semantic::{parse_with, SemverVersion};
use crate::{Scheme, VersionParseError};

/// A Go module or Go release version.
///
/// ```
/// use version::GoVersion;
/// let v = |s: &str| s.parse::<GoVersion>().unwrap();
/// assert!(v("v0.0.0-20210101000000-abcdef123456") < v("v0.0.1"));
/// assert!(v("go1.21rc2") < v("go1.21.0"));
/// assert_eq!(v("go1.21"), v("1.21.0"));
/// ```
#[derive(Debug, Clone)]
pub struct GoVersion {
    raw: String,
    semver: SemverVersion,
}

impl GoVersion {
    /// The version as SemVer (`go1.21rc2` → `1.21.0-rc.2`).
    pub fn semver(&self) -> &SemverVersion {
        &self.semver
    }
}

impl FromStr for GoVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let err = |reason: &str| VersionParseError::new(Scheme::Go, input, reason);
        let semver = if let Some(release) = s.strip_prefix("go") {
            parse_release(release).ok_or_else(|| err("not a Go release name like go1.21.3"))?
        } else {
            let v = s.strip_prefix('v').unwrap_or(s);
            let core_end = v.find(['-', '+']).unwrap_or(v.len());
            let dots = v[..core_end].matches('.').count();
            let full = match dots {
                2 => v.to_owned(),
                _ if core_end != v.len() => {
                    return Err(err("shorthand version with a pre-release or build suffix"))
                }
                1 => format!("{v}.0"),
                _ => format!("{v}.0.0"),
            };
            parse_with(Scheme::Go, input, &full)?
        };
        Ok(GoVersion {
            raw: s.to_owned(),
            semver,
        })
    }
}

/// `1.21.3`, `1.21rc2`, `1.21beta1`, `1.21`, `1` → SemVer.
fn parse_release(s: &str) -> Option<SemverVersion> {
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (nums, pre) = s.split_at(num_end);
    let parts: Vec<&str> = nums.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut full: Vec<&str> = parts.clone();
    while full.len() < 3 {
        full.push("0");
    }
    let mut text = full.join(".");
    if !pre.is_empty() {
        let kind_end = pre.find(|c: char| c.is_ascii_digit())?;
        let (kind, n) = pre.split_at(kind_end);
        if !matches!(kind, "rc" | "beta" | "alpha") || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text = format!("{text}-{kind}.{n}");
    }
    semver::Version::parse(&text).ok().map(SemverVersion)
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.semver.cmp(&other.semver)
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}
