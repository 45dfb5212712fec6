//! The vulnerability report as JSON: serde of [`scan::Report`], pretty-printed.
//!
//! The report is already shaped like `snyk container test --json` (`vulnerabilities[]` with
//! `packageName`, `version`, `severity`, `title`, `nearestFixedInVersion`,
//! `dockerfileInstruction`, …; `ok`, `dependencyCount`, `uniqueCount`, `summary`,
//! `docker.baseImage`), so this module adds nothing: what `scan` returned is what the user
//! and the exit gate see.

use scan::Report;

/// The report as pretty-printed JSON, without a trailing newline.
pub fn to_vec(report: &Report) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec_pretty(report)
}
