//! NVD CVE API 2.0 JSON: CVSS metrics by CVE id, used to fill in severities that other feeds
//! do not give.
//!
//! Reads `vulnerabilities[].cve` with `id`, `published`, `lastModified`, `descriptions` and
//! `metrics.cvssMetricV40/V31/V30/V2`. Each metric's vector is scored with the `cvss` crate;
//! where the vector does not parse, NVD's own `baseScore`/`baseSeverity` are kept. Primary
//! metrics come before secondary ones, newer CVSS versions before older.

use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{null_default, ImportReport, Imported};
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
        Ok(NvdRecord {
            cve: c.id,
            severities,
            description,
            published: c.published,
            last_modified: c.last_modified,
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
