//! The report model: what a scan found, as data a renderer prints and a gate reads.
//!
//! Field names are camelCase and, where `snyk container test --json` has the same idea,
//! Snyk's own (`vulnerabilities[].packageName`, `nearestFixedInVersion`, `fixedIn`, `from`,
//! `identifiers.CVE`, `cvssScore`, `CVSSv3`, `dockerfileInstruction`; `ok`,
//! `dependencyCount`, `uniqueCount`, `packageManager`, `summary`, `projectName`, `path`,
//! `platform`, `docker.baseImage`), so jq pipelines written for Snyk keep working. Fields
//! Snyk does not have (status, severitySource, exploit data, layer, dependency paths) use
//! names of our own.
//!
//! Traps:
//! * Snyk's `packageName` is the *source* package (`curl`) and `name` is
//!   `source/binary` (`curl/libcurl4`), or just the binary name when both are the same.
//!   [`Finding::binary_name`] keeps the installed package's own name.
//! * Snyk writes one vulnerability entry per dependency path; shipshape writes one
//!   [`Finding`] per (vulnerability, installed package) and puts the paths inside it
//!   ([`Finding::from`] is the first, [`Finding::paths`] the shortest few).
//! * A finding is an advisory (or several that are aliases of each other) applied to one
//!   installed package with a [`FindingStatus`]; "not affected" never becomes a finding.
//! * A finding names its package by [`Finding::package`], an id into the scanned
//!   [`inventory::Inventory`]: renderers read the package there and never look it up again
//!   by name, version or purl (two packages may share all three). The id is not part of the
//!   JSON (Snyk has no such field), so a report read back from JSON has none.
//! * [`Finding::package_type`] is the typed [`PackageType`], written as its purl type
//!   (`pypi`, not the inventory JSON's `python`), as the report always wrote it.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use inventory::{PackageId, PackageType};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) mod json;

/// How bad a vulnerability is, ordered `Unknown < Low < Medium < High < Critical`.
///
/// Serialized lower case (`"high"`), as Snyk does. `Unknown` means no source rated it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No feed, CVSS vector or NVD record rated it.
    Unknown,
    /// Low (also Debian's `unimportant` and CVSS "none").
    Low,
    /// Medium (also "moderate").
    Medium,
    /// High (also "important").
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Unknown,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name (`high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity of a qualitative rating; CVSS "none" counts as low.
    pub fn from_rating(rating: vulndb::Rating) -> Severity {
        match rating {
            vulndb::Rating::None | vulndb::Rating::Low => Severity::Low,
            vulndb::Rating::Medium => Severity::Medium,
            vulndb::Rating::High => Severity::High,
            vulndb::Rating::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not one of `unknown`, `low`, `medium`, `high`, `critical`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?} (expected one of low, medium, high, critical)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Reads a severity name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

/// Where a finding's [`Severity`] came from.
///
/// Serialized as one string: the vendor's name (`"debian"`, `"ubuntu"`), `"cvss"` (a CVSS
/// vector in the advisory), `"nvd"` (NVD's scoring of the CVE) or `"none"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum SeveritySource {
    /// The distribution's or vendor's own rating (Debian urgency, Ubuntu priority).
    Vendor(String),
    /// A CVSS vector carried by the advisory.
    Cvss,
    /// NVD's CVSS scoring of the CVE.
    Nvd,
    /// Nothing rated it: the severity is [`Severity::Unknown`].
    None,
}

impl From<SeveritySource> for String {
    fn from(s: SeveritySource) -> String {
        match s {
            SeveritySource::Vendor(v) => v,
            SeveritySource::Cvss => "cvss".into(),
            SeveritySource::Nvd => "nvd".into(),
            SeveritySource::None => "none".into(),
        }
    }
}

impl From<String> for SeveritySource {
    fn from(s: String) -> SeveritySource {
        match s.as_str() {
            "cvss" => SeveritySource::Cvss,
            "nvd" => SeveritySource::Nvd,
            "none" | "" => SeveritySource::None,
            _ => SeveritySource::Vendor(s),
        }
    }
}

/// The state of the fix for one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// A fixed version newer than the installed one exists
    /// ([`Finding::nearest_fixed_in_version`]).
    Fixed,
    /// Affected, and no fix is available yet.
    NotFixed,
    /// Affected, and the vendor has said it will not fix it in this release (Debian
    /// `<no-dsa>`/`<ignored>`).
    WillNotFix,
    /// Affected, and the release is out of support (Debian urgency `end-of-life`).
    EndOfLife,
}

impl FindingStatus {
    /// The kebab-case name (`not-fixed`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Fixed => "fixed",
            FindingStatus::NotFixed => "not-fixed",
            FindingStatus::WillNotFix => "will-not-fix",
            FindingStatus::EndOfLife => "end-of-life",
        }
    }
}

/// Identifiers of a vulnerability, grouped like Snyk's `identifiers` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifiers {
    /// CVE ids, sorted.
    #[serde(rename = "CVE")]
    pub cve: Vec<String>,
    /// CWE ids (`CWE-787`), sorted, where a feed gives them.
    #[serde(rename = "CWE")]
    pub cwe: Vec<String>,
    /// Every other id the vulnerability is known by (`GHSA-…`, `PYSEC-…`,
    /// `DEBIAN-CVE-…`, `DSA-…`), sorted, without [`Finding::id`].
    #[serde(rename = "ALIAS")]
    pub alias: Vec<String>,
}

/// One advisory record that contributed to a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisoryRef {
    /// The advisory id in the store (`DEBIAN-CVE-2024-6387`, `PYSEC-2021-66`).
    pub id: String,
    /// The feed it was imported from (`debian`, `osv-pypi`).
    pub source: String,
    /// The ecosystem it matched in (`Debian:12`, `PyPI`).
    pub ecosystem: String,
}

/// A link about the vulnerability (Snyk's `references[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The feed's reference type (`ADVISORY`, `FIX`, `WEB`, …).
    pub title: String,
    /// The URL.
    pub url: String,
}

/// Exploit data for the vulnerability's CVEs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExploitData {
    /// Listed in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
    /// When CISA added it (`2024-07-09`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev_date_added: Option<String>,
    /// CISA's remediation due date for federal agencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev_due_date: Option<String>,
    /// CISA says it is known to be used in ransomware campaigns.
    #[serde(default)]
    pub known_ransomware: bool,
    /// EPSS probability of exploitation in the next 30 days (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<f32>,
    /// EPSS percentile (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss_percentile: Option<f32>,
}

/// The image layer that introduced the vulnerable package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerRef {
    /// Position in the image, 0 = bottom.
    pub index: usize,
    /// The layer's blob digest.
    pub digest: String,
    /// The layer's diff_id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// The image history's `created_by` for the step that made the layer, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// One step of [`Finding::upgrade_path`], aligned with [`Finding::from`]: `false` where that
/// element needs no change, `"name@version"` where it must be upgraded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UpgradeStep {
    /// `false`: keep this element.
    Keep(bool),
    /// Upgrade this element to `name@version`.
    To(String),
}

/// One vulnerability in one installed package: advisory + installed package + status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The primary id: the CVE when there is one, else a GHSA, else the advisory's id.
    pub id: String,
    /// One-line title (the advisory summary, else the first line of its details).
    pub title: String,
    /// The longer description, as the feed wrote it (Markdown for OSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The severity, see [`SeveritySource`] for where it came from.
    pub severity: Severity,
    /// Where [`Self::severity`] came from.
    pub severity_source: SeveritySource,
    /// The vendor's own label when the severity came from it (`unimportant`, `medium*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_severity: Option<String>,
    /// The CVSS base score (advisory's vector, else NVD's), whatever rated the severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f32>,
    /// The CVSS vector [`Self::cvss_score`] was computed from (v4, v3 or v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    /// The CVSS v3 vector, when one is known (Snyk's `CVSSv3`).
    #[serde(rename = "CVSSv3", default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<String>,
    /// CVE, CWE and alias ids.
    pub identifiers: Identifiers,
    /// The advisory records that matched, one per store id.
    pub advisories: Vec<AdvisoryRef>,
    /// A page about the vulnerability (the feed's advisory link, else osv.dev).
    pub url: String,
    /// Links from every matched advisory, deduplicated by URL.
    pub references: Vec<Link>,

    /// The installed package, in the inventory the report was made from; `None` when the
    /// finding was read back from JSON (the id is not written) or made without an
    /// inventory. Renderers given that inventory read the package through it.
    #[serde(skip)]
    pub package: Option<PackageId>,
    /// Snyk's `packageName`: the source package for OS packages (`curl`), the package
    /// name for language packages.
    pub package_name: String,
    /// Snyk's `name`: `source/binary` (`curl/libcurl4`) when the two differ, else the name.
    pub name: String,
    /// The installed package's own name (`libcurl4`).
    pub binary_name: String,
    /// The installed version, as the package manager shows it (epoch included).
    pub version: String,
    /// The package type, written as its purl type (`deb`, `apk`, `rpm`, `pypi`, …).
    #[serde(with = "purl_type")]
    pub package_type: PackageType,
    /// Snyk's per-vulnerability `packageManager`: `debian:12`, `alpine:3.19`, or the
    /// language package type (`pypi`).
    pub package_manager: String,
    /// The OSV ecosystem the package was matched in (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// The package URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purl: String,

    /// The state of the fix.
    pub status: FindingStatus,
    /// The smallest fixed version greater than the installed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest_fixed_in_version: Option<String>,
    /// Every fixed version the matching advisories name, in version order.
    pub fixed_in: Vec<String>,
    /// The vulnerable ranges that matched, where the feed gives ranges of its own rather
    /// than OSV events: NVD CPE matches of unmanaged runtimes, as the CPE and its bounds
    /// (`cpe:2.3:a:f5:nginx:*:*:*:*:open_source:*:*:* >=1.5.13, <1.26.2`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerable_ranges: Vec<String>,
    /// A fix exists for the installed line ([`Self::nearest_fixed_in_version`] is set).
    pub is_upgradable: bool,
    /// Aligned with [`Self::from`]; see [`UpgradeStep`]. Empty when not upgradable.
    pub upgrade_path: Vec<UpgradeStep>,

    /// The first dependency path, Snyk-style: the image root first
    /// (`docker-image|debian@12`), then each package as `name@version` from the
    /// top-level package down to the vulnerable one, names written as in [`Self::name`].
    pub from: Vec<String>,
    /// The top-level packages that pull the vulnerable package in (`git@1:2.39.2-1.1`),
    /// nearest first.
    pub introduced_through: Vec<String>,
    /// Up to [`ScanOptions::shown_paths`](crate::ScanOptions::shown_paths) shortest paths,
    /// each from a top-level package down to the vulnerable one (no image root).
    pub paths: Vec<Vec<String>>,
    /// How many further paths exist ("and N more").
    pub more_paths: usize,
    /// The path search hit its cap, so [`Self::more_paths`] is a lower bound.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paths_truncated: bool,

    /// The layer that introduced the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// The build step that introduced the package, as a Dockerfile instruction read from
    /// the history (`RUN apt-get install -y git`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_instruction: Option<String>,
    /// The line of that instruction in the Dockerfile given with `--file` (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_line: Option<usize>,
    /// The base image that brought the package, when known (filled in by Dockerfile-aware
    /// enrichment; `None` from [`crate::scan`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_base_image: Option<String>,

    /// For Go findings: whether the functions the Go vulnerability database lists for it
    /// are in the binary ([`crate::symbols`]); `None` for other ecosystems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerable_symbols: Option<crate::symbols::VulnerableSymbols>,

    /// KEV and EPSS data.
    pub exploit_data: ExploitData,
    /// When the advisory was first published (earliest among the matched ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_time: Option<String>,
    /// When the vulnerability was disclosed (NVD's publication of the CVE, else
    /// [`Self::publication_time`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure_time: Option<String>,
    /// When the advisory last changed (latest among the matched ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modification_time: Option<String>,
}

impl Finding {
    /// The deterministic report order: severity descending, then package, version and id.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        other
            .severity
            .cmp(&self.severity)
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.version.cmp(&other.version))
            .then_with(|| self.id.cmp(&other.id))
            .then_with(|| self.ecosystem.cmp(&other.ecosystem))
    }
}

#[cfg(test)]
impl Finding {
    /// A finding for tests: vulnerability `id` in the Debian 12 package `binary`, built from
    /// `source`, at `version`. Rated by nothing (unknown severity), not fixed, linked to no
    /// package of an inventory, with no paths, layer, Dockerfile step or exploit data; set
    /// what a test is about with struct update syntax.
    pub(crate) fn deb(id: &str, source: &str, binary: &str, version: &str) -> Finding {
        Finding {
            id: id.into(),
            title: String::new(),
            description: None,
            severity: Severity::Unknown,
            severity_source: SeveritySource::None,
            vendor_severity: None,
            cvss_score: None,
            cvss_vector: None,
            cvss_v3: None,
            identifiers: Identifiers::default(),
            advisories: Vec::new(),
            url: String::new(),
            references: Vec::new(),
            package: None,
            package_name: source.into(),
            name: if source == binary {
                binary.into()
            } else {
                format!("{source}/{binary}")
            },
            binary_name: binary.into(),
            version: version.into(),
            package_type: PackageType::Deb,
            package_manager: "debian:12".into(),
            ecosystem: "Debian:12".into(),
            purl: String::new(),
            status: FindingStatus::NotFixed,
            nearest_fixed_in_version: None,
            fixed_in: Vec::new(),
            vulnerable_ranges: Vec::new(),
            is_upgradable: false,
            upgrade_path: Vec::new(),
            from: Vec::new(),
            introduced_through: Vec::new(),
            paths: Vec::new(),
            more_paths: 0,
            paths_truncated: false,
            layer: None,
            dockerfile_instruction: None,
            dockerfile_line: None,
            docker_base_image: None,
            vulnerable_symbols: None,
            exploit_data: ExploitData::default(),
            publication_time: None,
            disclosure_time: None,
            modification_time: None,
        }
    }

    /// This finding, fixed in `version`: its nearest and only fixed version.
    pub(crate) fn with_fix(self, version: &str) -> Finding {
        Finding {
            status: FindingStatus::Fixed,
            nearest_fixed_in_version: Some(version.into()),
            fixed_in: vec![version.into()],
            is_upgradable: true,
            ..self
        }
    }
}

/// A [`PackageType`] written as its purl type (`pypi`), the name reports have always used,
/// rather than the inventory JSON's variant name (`python`).
pub(crate) mod purl_type {
    use super::*;

    /// Writes the purl type.
    pub(crate) fn serialize<S: Serializer>(t: &PackageType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    /// Reads a purl type; an unknown one is an error.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PackageType, D::Error> {
        let s = String::deserialize(d)?;
        PackageType::from_purl_type(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown package type {s:?}")))
    }
}

/// Finding counts by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityCounts {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
    /// Findings no source rated.
    pub unknown: usize,
}

impl SeverityCounts {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            *c.slot(f.severity) += 1;
        }
        c
    }

    fn slot(&mut self, s: Severity) -> &mut usize {
        match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Unknown => &mut self.unknown,
        }
    }

    /// The count for one severity.
    pub fn get(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Unknown => self.unknown,
        }
    }

    /// All findings.
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.unknown
    }
}

/// The operating system, as the report header shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OsSummary {
    /// os-release `ID` (`debian`).
    pub id: String,
    /// `VERSION_ID` (`12`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// The OSV ecosystem(s) its packages were matched in (`Debian:12`); empty when the
    /// distribution has no feed shipshape knows.
    pub ecosystems: Vec<String>,
}

/// The image, as the report header shows it: the JSON writes its identity as Snyk's `path`
/// (the name), `platform` and `image` (`name`, `reference`, `manifestDigest`, `imageId`,
/// `layerCount`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSummary {
    /// Which image: the target as given (`debian:12`), its reference, digests, platform.
    pub identity: inventory::ImageIdentity,
    /// Number of layers.
    pub layer_count: usize,
}

/// Snyk's `docker` object: the base image and what it brings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerInfo {
    /// The base image (`debian:12`), when known (Dockerfile-aware enrichment fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    /// The base image's manifest digest, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image_digest: Option<String>,
    /// How the base image was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image_source: Option<BaseImageSource>,
    /// How many of the image's layers (from the bottom) the base image made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_layer_count: Option<usize>,
    /// Findings whose package the base layers brought, by severity (counted before
    /// `--exclude-base` hides them): the "Base Image / Vulnerabilities / Severity" table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image_vulnerabilities: Option<SeverityCounts>,
    /// Findings hidden by `--exclude-base`; written only when it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_base_count: Option<usize>,
    /// Better base images, when advice was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image_remediation: Option<crate::advice::BaseImageRemediation>,
}

/// How the base image of a scan was found, most reliable first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseImageSource {
    /// The final stage's `FROM` in the Dockerfile given with `--file`.
    Dockerfile,
    /// The `org.opencontainers.image.base.name` manifest annotation.
    Annotation,
    /// The `org.opencontainers.image.base.name` config label.
    Label,
    /// The image's bottom layers are the layers of the image given with `--base-image`.
    DiffIds,
    /// Guessed from the history (the last layer before the first build-tool step).
    History,
}

/// The advisory database the scan read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseInfo {
    /// The file.
    pub path: String,
    /// When it was built (RFC 3339), from its metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built_at: Option<String>,
    /// Older than `vulndb::update::STALE_AFTER` (or of unknown age): findings may be
    /// missing. Set by [`crate::check_database_age`]; written only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

/// A problem that did not stop the scan but makes it less complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanDiagnostic {
    /// Stable code (`S001`), see [`crate::diagnostics`].
    pub code: String,
    /// What happened, naming the package, advisory or OS.
    pub message: String,
}

/// Everything a scan found in one target: the value renderers print and gates read.
///
/// Its JSON (camelCase, in Snyk's names and order) writes `path`, `platform` and
/// `image` from [`Report::image`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// No findings (Snyk's `ok`).
    pub ok: bool,
    /// The findings, in [`Finding::report_order`].
    pub vulnerabilities: Vec<Finding>,
    /// Packages tested against the database.
    pub dependency_count: usize,
    /// Distinct vulnerability ids among the findings.
    pub unique_count: usize,
    /// The OS package manager (`deb`, `apk`, `rpm`), else the first language package
    /// type found; `None` for an empty image.
    pub package_manager: Option<String>,
    /// Snyk's summary line: `"No known vulnerabilities"` or `"N vulnerable dependency
    /// paths"`, N counting every path of every finding.
    pub summary: String,
    /// Findings by severity.
    pub severity_counts: SeverityCounts,
    /// The Dockerfile given with `--file`, as given (Snyk's `targetFile`).
    pub target_file: Option<String>,
    /// `docker-image|<repository>` (Snyk's `projectName`).
    pub project_name: String,
    /// The operating system.
    pub os: Option<OsSummary>,
    /// The image: its identity (Snyk's `path` is its name) and layer count.
    pub image: ImageSummary,
    /// Base image facts.
    pub docker: DockerInfo,
    /// The advisory database.
    pub database: DatabaseInfo,
    /// Problems met along the way.
    pub diagnostics: Vec<ScanDiagnostic>,
    /// Findings hidden by an ignore rule or a VEX statement, in report order, each with
    /// what hid it; they count for nothing above (not in `ok`, counts or gates).
    pub suppressed: Vec<Suppressed>,
    /// `suppressed.len()`, written only when non-zero.
    pub suppressed_count: usize,
}

/// What kind of document hid a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionSource {
    /// An ignore rule of a `.shipshape.yaml` policy.
    Policy,
    /// An OpenVEX statement.
    Vex,
}

/// The ignore rule or VEX statement that hid a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionRule {
    /// Policy or VEX.
    pub source: SuppressionSource,
    /// The policy or VEX file, as given.
    pub file: String,
    /// Position of the rule in `ignore:` or of the statement in `statements`, from 1.
    pub index: usize,
    /// The rule's `id`, or the statement's vulnerability name.
    pub id: String,
    /// The rule's reason (policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule's expiry date, `YYYY-MM-DD` (policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The statement's status, `not_affected` or `fixed` (VEX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The statement's justification (VEX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The statement's impact statement (VEX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// A finding hidden by a policy or VEX, with what hid it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    /// The finding, as it would have been reported.
    pub finding: Finding,
    /// The rule or statement that hid it.
    pub rule: SuppressionRule,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates severity order, names and parsing.
    #[test]
    fn severity_order_and_names() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Unknown);
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>().unwrap(), s);
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        let err = "severe".parse::<Severity>().unwrap_err();
        assert!(err.to_string().contains("\"severe\""), "{err}");
    }

    /// Validates that the severity source is one string in JSON.
    #[test]
    fn severity_source_json() {
        for (s, j) in [
            (SeveritySource::Vendor("debian".into()), "debian"),
            (SeveritySource::Cvss, "cvss"),
            (SeveritySource::Nvd, "nvd"),
            (SeveritySource::None, "none"),
        ] {
            let v = serde_json::to_value(&s).unwrap();
            assert_eq!(v, j);
            assert_eq!(serde_json::from_value::<SeveritySource>(v).unwrap(), s);
        }
    }

    /// Validates that the package type is written as its purl type and read back, and that
    /// the link to the inventory's package is not written.
    #[test]
    fn finding_package_json() {
        let f = Finding {
            package: Some(PackageId(3)),
            package_type: PackageType::Python,
            ..Finding::deb("CVE-1", "jinja2", "jinja2", "2.11.2")
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["packageType"], "pypi");
        assert!(v.get("package").is_none(), "{v}");
        let back: Finding = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, Finding { package: None, ..f });
        let mut wrong = v;
        wrong["packageType"] = "python".into();
        let err = serde_json::from_value::<Finding>(wrong).unwrap_err();
        assert!(err.to_string().contains("unknown package type"), "{err}");
    }

    /// Validates the status names and the upgrade path's mixed JSON.
    #[test]
    fn status_and_upgrade_json() {
        assert_eq!(
            serde_json::to_value(FindingStatus::WillNotFix).unwrap(),
            "will-not-fix"
        );
        assert_eq!(
            serde_json::to_value(FindingStatus::NotFixed).unwrap(),
            FindingStatus::NotFixed.as_str()
        );
        let path = vec![UpgradeStep::Keep(false), UpgradeStep::To("a@2".into())];
        assert_eq!(serde_json::to_string(&path).unwrap(), r#"[false,"a@2"]"#);
    }
}
