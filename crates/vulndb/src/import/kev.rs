//! The CISA Known Exploited Vulnerabilities catalog JSON.
//!
//! Reads `vulnerabilities[]` with `cveID`, `vendorProject`, `product`, `vulnerabilityName`,
//! `dateAdded`, `dueDate`, `knownRansomwareCampaignUse` (`Known` or `Unknown`),
//! `shortDescription`, `requiredAction` and `notes`. Dates are kept as written (`YYYY-MM-DD`).

use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{ImportReport, Imported};
use crate::error::ImportError;
use crate::model::is_cve;

/// One catalog entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// The CVE id.
    pub cve: String,
    /// The vendor or project.
    pub vendor_project: String,
    /// The product.
    pub product: String,
    /// CISA's name for the vulnerability.
    pub vulnerability_name: String,
    /// When CISA added it to the catalog.
    pub date_added: String,
    /// The remediation due date for US federal agencies.
    pub due_date: String,
    /// Whether it is known to be used in ransomware campaigns.
    pub known_ransomware: bool,
    /// CISA's short description.
    pub short_description: String,
    /// What CISA says to do.
    pub required_action: String,
    /// Notes (links), if any.
    pub notes: String,
}

#[derive(Deserialize)]
struct RawDoc {
    vulnerabilities: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    vendor_project: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    vulnerability_name: String,
    date_added: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: String,
    #[serde(default)]
    short_description: String,
    #[serde(default)]
    required_action: String,
    #[serde(default)]
    notes: String,
}

impl TryFrom<RawEntry> for KevEntry {
    type Error = String;
    fn try_from(r: RawEntry) -> Result<KevEntry, String> {
        if !is_cve(&r.cve_id) {
            return Err(format!("{:?} is not a CVE id", r.cve_id));
        }
        Ok(KevEntry {
            cve: r.cve_id,
            vendor_project: r.vendor_project,
            product: r.product,
            vulnerability_name: r.vulnerability_name,
            date_added: r.date_added,
            due_date: r.due_date,
            known_ransomware: r
                .known_ransomware_campaign_use
                .eq_ignore_ascii_case("known"),
            short_description: r.short_description,
            required_action: r.required_action,
            notes: r.notes,
        })
    }
}

/// Imports the catalog JSON.
pub fn import(feed: &str, mut reader: impl Read) -> Result<Imported<KevEntry>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    let doc: RawDoc = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "CISA KEV JSON", e))?;
    let mut report = ImportReport::new(feed);
    let mut items = Vec::with_capacity(doc.vulnerabilities.len());
    for (i, raw) in doc.vulnerabilities.into_iter().enumerate() {
        let converted = serde_json::from_str::<RawEntry>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(KevEntry::try_from);
        match converted {
            Ok(e) => {
                report.records += 1;
                items.push(e);
            }
            Err(e) => report.skip(format!("vulnerabilities[{i}]"), e),
        }
    }
    Ok(Imported { items, report })
}
