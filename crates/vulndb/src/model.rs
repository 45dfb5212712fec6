//! The advisory model: what a feed says about a vulnerability, shaped like OSV.
//!
//! Every importer converts its feed into these types, and the store keeps them as JSON. The
//! shape follows the [OSV schema](https://ossf.github.io/osv-schema/) so that OSV records
//! round-trip with little loss; distribution feeds (Debian tracker, Alpine secdb) map onto it
//! the way OSV's own Debian and Alpine exports do (`DEBIAN-CVE-…`, `ALPINE-CVE-…` ids with the
//! CVE as an alias, ecosystem `Debian:12`, `Alpine:v3.19`).
//!
//! Traps worth knowing:
//! * Range events are OSV's: `introduced` is inclusive, `fixed` and `limit` are exclusive,
//!   `last_affected` is inclusive. `introduced: "0"` means "since the first version".
//! * Dates are kept as the feed wrote them (RFC 3339 for OSV and NVD, plain dates for KEV).
//! * [`Status`] belongs to one affected package in one ecosystem: the same CVE can be fixed
//!   in `Debian:12` and never fixed in `Debian:11`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::normalize::normalize_package;

/// An advisory identifier such as `GO-2023-1571`, `PYSEC-2021-66` or `DEBIAN-CVE-2024-6387`.
///
/// Validated at construction: not empty, no whitespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdvisoryId(String);

impl AdvisoryId {
    /// Validates and wraps an identifier.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
        let id = id.into();
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(InvalidId(id));
        }
        Ok(Self(id))
    }

    /// The identifier as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `CVE-YYYY-NNNN…` identifiers.
    pub fn is_cve(&self) -> bool {
        is_cve(&self.0)
    }
}

/// True when `s` looks like `CVE-YYYY-NNNN…`.
pub(crate) fn is_cve(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let mut parts = rest.splitn(2, '-');
    let year = parts.next().unwrap_or_default();
    let num = parts.next().unwrap_or_default();
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && num.len() >= 4
        && num.bytes().all(|b| b.is_ascii_digit())
}

impl TryFrom<String> for AdvisoryId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, InvalidId> {
        Self::new(s)
    }
}

impl From<AdvisoryId> for String {
    fn from(id: AdvisoryId) -> String {
        id.0
    }
}

impl fmt::Display for AdvisoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier (advisory id or ecosystem) that is empty or contains whitespace.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid identifier {0:?}: it must be non-empty and contain no whitespace")]
pub struct InvalidId(pub String);

/// An OSV ecosystem, optionally with a release: `Go`, `PyPI`, `Debian:12`, `Alpine:v3.19`.
///
/// The part before the first `:` is the ecosystem [`name`](Self::name), the rest the
/// [`release`](Self::release).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ecosystem(String);

impl Ecosystem {
    /// Validates and wraps an ecosystem string (not empty, no whitespace around it).
    pub fn new(s: impl Into<String>) -> Result<Self, InvalidId> {
        let s = s.into();
        if s.is_empty() || s.trim() != s {
            return Err(InvalidId(s));
        }
        Ok(Self(s))
    }

    /// An ecosystem with a release, e.g. `with_release("Debian", "12")` is `Debian:12`.
    pub fn with_release(name: &str, release: &str) -> Result<Self, InvalidId> {
        Self::new(format!("{name}:{release}"))
    }

    /// The full string, e.g. `Debian:12`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ecosystem name without the release, e.g. `Debian`.
    pub fn name(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(n, _)| n)
    }

    /// The release, e.g. `12` for `Debian:12`; `None` for `PyPI`.
    pub fn release(&self) -> Option<&str> {
        self.0.split_once(':').map(|(_, r)| r)
    }

    /// The package name as the store keys it: PEP 503 for PyPI, lower case where the
    /// ecosystem is case-insensitive, as is elsewhere. See [`crate::normalize_package`].
    pub fn normalize_package(&self, package: &str) -> String {
        normalize_package(self.name(), package)
    }
}

impl TryFrom<String> for Ecosystem {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, InvalidId> {
        Self::new(s)
    }
}

impl From<Ecosystem> for String {
    fn from(e: Ecosystem) -> String {
        e.0
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One advisory: a vulnerability as one feed describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The feed's identifier.
    pub id: AdvisoryId,
    /// Other identifiers for the same vulnerability (CVE, GHSA, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Identifiers of closely related but different vulnerabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Longer description (Markdown in OSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severities the feed gives for the whole advisory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<Severity>,
    /// Affected packages, one entry per (ecosystem, package).
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// When the advisory was first published, as the feed wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the advisory last changed, as the feed wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// When the advisory was withdrawn; a withdrawn advisory must not produce findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// The name of the feed this advisory was imported from (e.g. `osv-go`, `debian`).
    pub source: String,
}

impl Advisory {
    /// The highest rating among the advisory's and its affected packages' severities.
    pub fn max_rating(&self) -> Option<Rating> {
        self.severities
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severities.iter()))
            .filter_map(|s| s.rating)
            .max()
    }

    /// The highest numeric score among the advisory's and its affected packages' severities.
    pub fn max_score(&self) -> Option<f32> {
        self.severities
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severities.iter()))
            .filter_map(|s| s.score)
            .fold(None, |m: Option<f32>, s| Some(m.map_or(s, |m| m.max(s))))
    }

    /// The CVE identifiers of this advisory: its id if it is one, and its CVE aliases.
    pub fn cves(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if self.id.is_cve() {
            out.push(self.id.as_str());
        }
        out.extend(
            self.aliases
                .iter()
                .map(String::as_str)
                .filter(|a| is_cve(a)),
        );
        out
    }
}

/// A severity statement: a CVSS vector with its computed base score, or a vendor's label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// Which scoring system.
    pub kind: SeverityKind,
    /// The CVSS vector, or the vendor's label (e.g. Debian's `unimportant`).
    pub vector_or_label: String,
    /// The base score: computed from the vector for CVSS, as given otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// The qualitative rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Who assigned it, where the feed says (e.g. NVD's `nvd@nist.gov`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The scoring system of a [`Severity`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityKind {
    /// CVSS v2.0.
    CvssV2,
    /// CVSS v3.0 or v3.1.
    CvssV3,
    /// CVSS v4.0.
    CvssV4,
    /// A vendor's own scale, named (e.g. `debian`, `ubuntu`, `ghsa`).
    Vendor(String),
}

/// A qualitative severity rating, ordered from `None` to `Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// No impact (CVSS 0.0).
    None,
    /// Low.
    Low,
    /// Medium (called "moderate" by some vendors).
    Medium,
    /// High (called "important" by some vendors).
    High,
    /// Critical.
    Critical,
}

impl Rating {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }

    /// Reads a label as vendors write it (`LOW`, `Moderate`, `important`, `unimportant`, …).
    /// Unknown labels such as Debian's `not yet assigned` give `None`.
    pub fn from_label(label: &str) -> Option<Rating> {
        match label
            .trim()
            .trim_end_matches('*')
            .to_ascii_lowercase()
            .as_str()
        {
            "none" => Some(Rating::None),
            "low" | "negligible" | "unimportant" => Some(Rating::Low),
            "medium" | "moderate" => Some(Rating::Medium),
            "high" | "important" => Some(Rating::High),
            "critical" => Some(Rating::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One affected package in one ecosystem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Where the package lives, with the release for distributions (`Debian:12`).
    pub ecosystem: Ecosystem,
    /// The package name as the feed writes it (a source package for Debian, an origin
    /// package for Alpine, a module path for Go).
    pub package: String,
    /// The package URL, where the feed gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Affected version ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The state of the fix for this package in this ecosystem.
    pub status: Status,
    /// Per-package severities (OSV `affected[].severity`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severities: Vec<Severity>,
    /// The vendor's own severity or urgency label (Debian `urgency`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_severity: Option<String>,
    /// OSV `ecosystem_specific`, or feed details such as Debian's codename and `nodsa` note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    /// OSV `database_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

impl Affected {
    /// The package name as the store keys it (see [`Ecosystem::normalize_package`]).
    pub fn normalized_package(&self) -> String {
        self.ecosystem.normalize_package(&self.package)
    }

    /// The fixed versions named by this entry's version ranges, in order (`GIT` ranges name
    /// commits, not versions, and are left out).
    pub fn fixed_versions(&self) -> Vec<&str> {
        self.ranges
            .iter()
            .filter(|r| r.kind != RangeKind::Git)
            .flat_map(|r| r.events.iter())
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The state of the fix for one affected package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A fixed version exists (see the ranges' `fixed` events).
    Fixed,
    /// Affected and no fix is available yet.
    NotFixedYet,
    /// Affected and the vendor says it will not fix it in this release.
    WillNotFix,
    /// The vendor says this package/release is not affected.
    NotAffected,
    /// The release is out of support.
    EndOfLife,
    /// The feed does not say (e.g. Debian `undetermined`).
    Unknown,
}

impl Status {
    /// The snake_case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::NotFixedYet => "not_fixed_yet",
            Status::WillNotFix => "will_not_fix",
            Status::NotAffected => "not_affected",
            Status::EndOfLife => "end_of_life",
            Status::Unknown => "unknown",
        }
    }
}

/// A version range: a list of events in one version scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// How to compare the versions in the events.
    pub kind: RangeKind,
    /// The repository, for `Git` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, in the order the feed gave them.
    pub events: Vec<Event>,
}

/// How the versions of a [`Range`] compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeKind {
    /// The ecosystem's own version scheme (dpkg for Debian, apk for Alpine, PEP 440 for PyPI).
    Ecosystem,
    /// Semantic Versioning 2.0.
    Semver,
    /// Git commits.
    Git,
}

/// A range event, as in OSV. Serialized as `{"introduced": "1.0"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The first affected version (inclusive); `"0"` means all versions from the start.
    Introduced(String),
    /// The first version with the fix (exclusive upper bound).
    Fixed(String),
    /// The last affected version (inclusive upper bound).
    LastAffected(String),
    /// An exclusive upper limit on the range (mostly for git ranges).
    Limit(String),
}

/// A link with its OSV reference type (`ADVISORY`, `FIX`, `WEB`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The reference type, as the feed wrote it.
    pub kind: String,
    /// The URL.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_parts() {
        let e = Ecosystem::new("Debian:12").unwrap();
        assert_eq!(e.name(), "Debian");
        assert_eq!(e.release(), Some("12"));
        let e = Ecosystem::new("PyPI").unwrap();
        assert_eq!((e.name(), e.release()), ("PyPI", None));
        assert!(Ecosystem::new("").is_err());
        assert!(Ecosystem::new(" Go").is_err());
    }

    #[test]
    fn advisory_id_validation() {
        assert!(AdvisoryId::new("GO-2023-1571").is_ok());
        assert!(AdvisoryId::new("").is_err());
        assert!(AdvisoryId::new("CVE 1").is_err());
        assert!(AdvisoryId::new("CVE-2021-44228").unwrap().is_cve());
        assert!(!AdvisoryId::new("CVE-21-1").unwrap().is_cve());
    }

    #[test]
    fn events_serialize_like_osv() {
        let json = serde_json::to_string(&Event::Introduced("0".into())).unwrap();
        assert_eq!(json, r#"{"introduced":"0"}"#);
        let json = serde_json::to_string(&Event::LastAffected("1".into())).unwrap();
        assert_eq!(json, r#"{"last_affected":"1"}"#);
    }

    #[test]
    fn rating_labels() {
        assert_eq!(Rating::from_label("MODERATE"), Some(Rating::Medium));
        assert_eq!(Rating::from_label("low**"), Some(Rating::Low));
        assert_eq!(Rating::from_label("not yet assigned"), None);
        assert!(Rating::Critical > Rating::High);
    }
}
