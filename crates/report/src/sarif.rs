//! SARIF 2.1.0, for code-scanning dashboards.
//!
//! One run. `tool.driver.rules` holds one rule per vulnerability id, in the order the ids
//! first appear among the findings (so the most severe first): its short description is the
//! title, its full description the advisory's text, `helpUri` the advisory page, and
//! `properties` carry `security-severity` (the CVSS score, as GitHub reads it) and `tags`.
//! `results` holds one result per finding, in report order: level `error` for critical and
//! high, `warning` for medium, `note` for low and unknown; the message names the package,
//! the vulnerability and the fix; the location is the package database the package was
//! read from (or the image name when the inventory has no such path), with the package's
//! purl as a logical location, preceded by the Dockerfile and line that introduced the
//! package when the scan was given the Dockerfile; `partialFingerprints` identify the finding across runs by
//! vulnerability, ecosystem and package, not version, so an upgrade that is still affected
//! stays the same alert.
//!
//! Traps: GitHub ignores results without a physical location and wants a region, so each
//! has `startLine: 1`; `security-severity` is a string, not a number; a rule's
//! `defaultConfiguration.level` is that of the first (most severe) finding of its id.

use std::collections::HashMap;

use inventory::Inventory;
use scan::{Finding, FindingStatus, Report, Severity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::TOOL_NAME;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";

/// The schema URI written as `$schema`.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The page `tool.driver.informationUri` points to.
pub const INFORMATION_URI: &str = "https://github.com/shipshape-dev/shipshape";

/// A SARIF log (the subset shipshape writes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// [`SARIF_SCHEMA`].
    #[serde(rename = "$schema")]
    pub schema: String,
    /// [`SARIF_VERSION`].
    pub version: String,
    /// Exactly one run.
    pub runs: Vec<Run>,
}

/// One run of the tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// shipshape and its rules.
    pub tool: Tool,
    /// One result per finding.
    pub results: Vec<SarifResult>,
    /// The scanned image: `image`, `platform`, `dependencyCount`, `summary`.
    pub properties: Map<String, Value>,
}

/// `tool`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// shipshape.
    pub driver: Driver,
}

/// `tool.driver`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `shipshape`.
    pub name: String,
    /// The shipshape version.
    pub version: String,
    /// [`INFORMATION_URI`].
    pub information_uri: String,
    /// One rule per vulnerability id.
    pub rules: Vec<Rule>,
}

/// A plain-text message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// A rule: one vulnerability id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The vulnerability id (`CVE-2024-0011`).
    pub id: String,
    /// The title.
    pub short_description: Message,
    /// The advisory's description, else the title.
    pub full_description: Message,
    /// The advisory page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Title, description and link, for dashboards that show rule help.
    pub help: Message,
    /// The level of the most severe finding of this id.
    pub default_configuration: Configuration,
    /// `security-severity`, `tags`.
    pub properties: Map<String, Value>,
}

/// `reportingConfiguration`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The vulnerability id.
    pub rule_id: String,
    /// The index of the rule in `tool.driver.rules`.
    pub rule_index: usize,
    /// `error`, `warning` or `note`.
    pub level: String,
    /// "`pkg@ver` is affected by `id`; fixed in …".
    pub message: Message,
    /// Where the package is.
    pub locations: Vec<Location>,
    /// Stable identity of the finding across runs.
    pub partial_fingerprints: Map<String, Value>,
    /// Package, status and provenance facts.
    pub properties: Map<String, Value>,
}

/// A location: the package database file and the package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The package database file (or the image).
    pub physical_location: PhysicalLocation,
    /// The package, by purl (none for a Dockerfile location).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

/// `physicalLocation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The Dockerfile line; line 1 for a package database, which has no line for a package
    /// that dashboards could use.
    pub region: Region,
}

/// `artifactLocation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactLocation {
    /// A relative path inside the image (`var/lib/dpkg/status`), or the image name.
    pub uri: String,
}

/// `region`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1.
    pub start_line: u32,
}

/// `logicalLocation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// The installed package's name.
    pub name: String,
    /// The purl, else `name@version`.
    pub fully_qualified_name: String,
    /// `package`.
    pub kind: String,
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// Builds the SARIF log for a scan report; `inv` gives each package's database path.
pub fn build(report: &Report, inv: &Inventory, tool_version: &str) -> Log {
    let mut rules: Vec<Rule> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::with_capacity(report.vulnerabilities.len());
    for f in &report.vulnerabilities {
        let rule_index = *index.entry(f.id.as_str()).or_insert_with(|| {
            rules.push(rule(f));
            rules.len() - 1
        });
        results.push(result(f, rule_index, inv, report));
    }
    let mut properties = Map::new();
    properties.insert("image".into(), report.image.identity.name.clone().into());
    if let Some(p) = &report.image.identity.platform {
        properties.insert("platform".into(), p.clone().into());
    }
    properties.insert("dependencyCount".into(), report.dependency_count.into());
    properties.insert("uniqueCount".into(), report.unique_count.into());
    properties.insert("summary".into(), report.summary.clone().into());
    Log {
        schema: SARIF_SCHEMA.into(),
        version: SARIF_VERSION.into(),
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME.into(),
                    version: tool_version.into(),
                    information_uri: INFORMATION_URI.into(),
                    rules,
                },
            },
            results,
            properties,
        }],
    }
}

fn rule(f: &Finding) -> Rule {
    let full = f
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or(&f.title);
    let mut help = format!("{}: {}", f.id, f.title);
    if full != f.title {
        help.push_str(&format!("\n\n{full}"));
    }
    if !f.url.is_empty() {
        help.push_str(&format!("\n\n{}", f.url));
    }
    let mut properties = Map::new();
    if let Some(score) = f.cvss_score {
        properties.insert("security-severity".into(), format!("{score:.1}").into());
    }
    let tags: Vec<Value> = ["security", "vulnerability", f.severity.as_str()]
        .into_iter()
        .map(Value::from)
        .chain(f.identifiers.cwe.iter().cloned().map(Value::from))
        .collect();
    properties.insert("tags".into(), tags.into());
    Rule {
        id: f.id.clone(),
        short_description: Message {
            text: f.title.clone(),
        },
        full_description: Message {
            text: full.to_string(),
        },
        help_uri: Some(f.url.clone()).filter(|u| !u.is_empty()),
        help: Message { text: help },
        default_configuration: Configuration {
            level: level(f.severity).into(),
        },
        properties,
    }
}

fn result(f: &Finding, rule_index: usize, inv: &Inventory, report: &Report) -> SarifResult {
    let fix = match (f.status, &f.nearest_fixed_in_version) {
        (FindingStatus::Fixed, Some(v)) => format!("fixed in {v}"),
        (FindingStatus::WillNotFix, _) => "the vendor will not fix it".into(),
        (FindingStatus::EndOfLife, _) => "the release is end of life".into(),
        _ => "no fix available yet".into(),
    };
    let text = format!(
        "{}@{} is affected by {} ({} severity); {fix}.",
        f.name, f.version, f.id, f.severity
    );
    let db_path = package_db_path(f, inv);
    let uri = db_path.unwrap_or(&report.image.identity.name).to_string();
    let fqn = if f.purl.is_empty() {
        format!("{}@{}", f.binary_name, f.version)
    } else {
        f.purl.clone()
    };
    let mut fingerprints = Map::new();
    fingerprints.insert(
        "vulnerabilityPackage/v1".into(),
        format!("{}|{}|{}", f.id, f.ecosystem, f.binary_name).into(),
    );
    let mut properties = Map::new();
    let mut put = |k: &str, v: Value| {
        properties.insert(k.into(), v);
    };
    put("packageName", f.package_name.clone().into());
    put("installedName", f.binary_name.clone().into());
    put("version", f.version.clone().into());
    put("severity", f.severity.as_str().into());
    put("status", f.status.as_str().into());
    if let Some(v) = &f.nearest_fixed_in_version {
        put("nearestFixedInVersion", v.clone().into());
    }
    if let Some(s) = f.cvss_score {
        put("cvssScore", format!("{s:.1}").into());
    }
    if let Some(v) = &f.cvss_vector {
        put("cvssVector", v.clone().into());
    }
    if let Some(d) = &f.dockerfile_instruction {
        put("dockerfileInstruction", d.clone().into());
    }
    if let Some(b) = &f.docker_base_image {
        put("baseImage", b.clone().into());
    }
    if let Some(l) = &f.layer {
        put("layerDigest", l.digest.clone().into());
    }
    SarifResult {
        rule_id: f.id.clone(),
        rule_index,
        level: level(f.severity).into(),
        message: Message { text },
        locations: dockerfile_location(f, report)
            .into_iter()
            .chain([Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri },
                    region: Region { start_line: 1 },
                },
                logical_locations: vec![LogicalLocation {
                    name: f.binary_name.clone(),
                    fully_qualified_name: fqn,
                    kind: "package".into(),
                }],
            }])
            .collect(),
        partial_fingerprints: fingerprints,
        properties,
    }
}

/// The Dockerfile line that introduced the finding's package, when the scan was given the
/// Dockerfile (`--file`) and matched it: dashboards then annotate that line.
fn dockerfile_location(f: &Finding, report: &Report) -> Option<Location> {
    let (file, line) = (report.target_file.as_ref()?, f.dockerfile_line?);
    Some(Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: file.clone() },
            region: Region {
                start_line: u32::try_from(line).unwrap_or(u32::MAX),
            },
        },
        logical_locations: Vec::new(),
    })
}

/// The database path of the finding's package ([`Finding::package`]) in the inventory.
fn package_db_path<'a>(f: &Finding, inv: &'a Inventory) -> Option<&'a str> {
    f.package
        .and_then(|id| inv.package(id))
        .map(|p| p.db_path.as_str())
        .filter(|d| !d.is_empty())
}
