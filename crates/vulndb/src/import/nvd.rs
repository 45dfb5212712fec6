//! NVD CVE API 2.0 JSON: CVSS metrics by CVE id, used to fill in severities that other feeds
//! do not give.
//!
//! Reads `vulnerabilities[].cve` with `id`, `published`, `lastModified`, `descriptions` and
//! `metrics.cvssMetricV40/V31/V30/V2`. Each metric's vector is scored with the `cvss` crate;
//! where the vector does not parse, NVD's own `baseScore`/`baseSeverity` are kept. Primary
//! metrics come before secondary ones, newer CVSS versions before older.
//!
//! `configurations[].nodes[].cpeMatch[]` give the affected products: each entry marked
//! `vulnerable` becomes a [`CpeRange`] (criteria and version bounds), stored by (vendor,
//! product) for unmanaged runtimes. A configuration that restricts the CVE to running on
//! Windows or macOS (`AND` with only such operating systems as non-vulnerable entries) is
//! left out: images are Linux. Rules and simplifications: [`crate::cpe`].

use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{null_default, ImportReport, Imported};
use crate::cpe::CpeRange;
use crate::error::ImportError;
use crate::model::{is_cve, Rating, Severity, SeverityKind};
use crate::score::cvss_severity;

/// NVD's scoring for one CVE.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NvdRecord {
    /// The CVE id.
    pub cve: String,
    /// The CVSS severities NVD lists, primary first, newest CVSS version first.
    pub severities: Vec<Severity>,
    /// The English description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When NVD published the CVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When NVD last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The vulnerable `cpeMatch` entries of its configurations. Stored in their own table
    /// (by vendor and product), not in this record's JSON.
    #[serde(skip)]
    pub cpe_ranges: Vec<CpeRange>,
}

#[derive(Deserialize)]
struct RawDoc {
    vulnerabilities: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct RawItem {
    cve: RawCve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCve {
    id: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    descriptions: Vec<RawDescription>,
    #[serde(default)]
    metrics: RawMetrics,
    #[serde(default, deserialize_with = "null_default")]
    configurations: Vec<RawConfiguration>,
}

#[derive(Deserialize)]
struct RawConfiguration {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    nodes: Vec<RawNode>,
}

/// Operating system vendors whose systems are never a container image's (Linux) platform.
const NOT_LINUX: [&str; 2] = ["microsoft", "apple"];

impl RawConfiguration {
    /// Whether this configuration says "runs on Windows or macOS" (an `AND` whose
    /// non-vulnerable entries are all operating systems of those vendors): it cannot apply
    /// to a Linux image.
    fn only_on_other_platforms(&self) -> bool {
        if !self
            .operator
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("AND"))
        {
            return false;
        }
        let mut platforms = self
            .nodes
            .iter()
            .flat_map(|n| &n.cpe_match)
            .filter(|m| !m.vulnerable)
            .peekable();
        platforms.peek().is_some()
            && platforms.all(|m| {
                crate::cpe::Cpe23::parse(&m.criteria)
                    .is_some_and(|c| c.part == "o" && NOT_LINUX.contains(&c.vendor.as_str()))
            })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNode {
    #[serde(default)]
    negate: bool,
    #[serde(default, deserialize_with = "null_default")]
    cpe_match: Vec<RawCpeMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCpeMatch {
    #[serde(default)]
    vulnerable: bool,
    criteria: String,
    #[serde(default)]
    version_start_including: Option<String>,
    #[serde(default)]
    version_start_excluding: Option<String>,
    #[serde(default)]
    version_end_including: Option<String>,
    #[serde(default)]
    version_end_excluding: Option<String>,
}

#[derive(Deserialize)]
struct RawDescription {
    lang: String,
    value: String,
}

#[derive(Default, Deserialize)]
struct RawMetrics {
    #[serde(default, rename = "cvssMetricV40", deserialize_with = "null_default")]
    v40: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV31", deserialize_with = "null_default")]
    v31: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV30", deserialize_with = "null_default")]
    v30: Vec<RawMetric>,
    #[serde(default, rename = "cvssMetricV2", deserialize_with = "null_default")]
    v2: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetric {
    #[serde(default)]
    source: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    cvss_data: RawCvssData,
    /// CVSS v2 metrics carry the rating here rather than in `cvssData`.
    #[serde(default)]
    base_severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvssData {
    vector_string: String,
    #[serde(default)]
    base_score: Option<f32>,
    #[serde(default)]
    base_severity: Option<String>,
}

impl TryFrom<RawCve> for NvdRecord {
    type Error = String;
    fn try_from(c: RawCve) -> Result<NvdRecord, String> {
        if !is_cve(&c.id) {
            return Err(format!("{:?} is not a CVE id", c.id));
        }
        let m = c.metrics;
        let mut metrics: Vec<(SeverityKind, RawMetric)> = Vec::new();
        for (kind, list) in [
            (SeverityKind::CvssV4, m.v40),
            (SeverityKind::CvssV3, m.v31),
            (SeverityKind::CvssV3, m.v30),
            (SeverityKind::CvssV2, m.v2),
        ] {
            metrics.extend(list.into_iter().map(|x| (kind.clone(), x)));
        }
        // Stable sort: primary first, keeping version order within each group.
        metrics.sort_by_key(|(_, x)| x.kind.as_deref() != Some("Primary"));
        let severities = metrics
            .into_iter()
            .map(|(kind, x)| {
                let label = x.base_severity.or(x.cvss_data.base_severity);
                let mut s = cvss_severity(&x.cvss_data.vector_string).unwrap_or(Severity {
                    kind,
                    vector_or_label: x.cvss_data.vector_string,
                    score: x.cvss_data.base_score,
                    rating: label.as_deref().and_then(Rating::from_label),
                    source: None,
                });
                s.source = x.source;
                s
            })
            .collect();
        let description = c
            .descriptions
            .into_iter()
            .find(|d| d.lang == "en")
            .map(|d| d.value);
        let mut cpe_ranges: Vec<CpeRange> = Vec::new();
        let matches = c
            .configurations
            .into_iter()
            .filter(|conf| !conf.only_on_other_platforms())
            .flat_map(|conf| conf.nodes)
            .filter(|node| !node.negate)
            .flat_map(|node| node.cpe_match)
            .filter(|m| m.vulnerable);
        for m in matches {
            let bounds = [
                m.version_start_including,
                m.version_start_excluding,
                m.version_end_including,
                m.version_end_excluding,
            ];
            let range = CpeRange::new(&c.id, &m.criteria, bounds)
                .ok_or_else(|| format!("{:?} is not a CPE 2.3 string", m.criteria))?;
            if !cpe_ranges.contains(&range) {
                cpe_ranges.push(range);
            }
        }
        Ok(NvdRecord {
            cve: c.id,
            severities,
            description,
            published: c.published,
            last_modified: c.last_modified,
            cpe_ranges,
        })
    }
}

/// Imports one NVD CVE API 2.0 response or feed file.
pub fn import(feed: &str, mut reader: impl Read) -> Result<Imported<NvdRecord>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    let doc: RawDoc = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "NVD CVE API 2.0 JSON", e))?;
    let mut report = ImportReport::new(feed);
    let mut items = Vec::with_capacity(doc.vulnerabilities.len());
    for (i, raw) in doc.vulnerabilities.into_iter().enumerate() {
        let converted = serde_json::from_str::<RawItem>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(|item| NvdRecord::try_from(item.cve));
        match converted {
            Ok(r) => {
                report.records += 1;
                items.push(r);
            }
            Err(e) => report.skip(format!("vulnerabilities[{i}]"), e),
        }
    }
    Ok(Imported { items, report })
}
