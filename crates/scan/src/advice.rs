//! Base image advice: which tags of the base image's repository would bring fewer
//! vulnerabilities. (Being built: tag parsing, candidate selection and ranking.)

use serde::{Deserialize, Serialize};

use crate::model::SeverityCounts;

/// Snyk's `docker.baseImageRemediation`: a code, the advice as text lines, and (ours) the
/// candidates with their counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseImageRemediation {
    /// `REMEDIATION_AVAILABLE`, `NO_REMEDIATION` or `SKIPPED`.
    pub code: String,
    /// The advice as Snyk writes it: text lines, some bold.
    #[serde(default)]
    pub advice: Vec<AdviceLine>,
    /// The current base image's own counts, when scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<SeverityCounts>,
}

/// One line of advice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdviceLine {
    /// The text.
    pub message: String,
    /// Printed in bold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
}
