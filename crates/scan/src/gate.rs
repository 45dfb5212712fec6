//! Gates: whether a report should fail a build, so the binary only maps this to exit codes.
//!
//! A finding counts when its severity is at or above the threshold, when it is upgradable
//! if only upgradable findings fail the gate, and when it has a fix if unfixed findings are
//! ignored. `Unknown` sorts below `Low`: a `low` threshold does not fail on unrated
//! findings; a threshold of `unknown` fails on every finding.

use serde::{Deserialize, Serialize};

use crate::model::{Finding, FindingStatus, Report, Severity};

/// Which findings may fail the gate (`--fail-on`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Every finding at or above the threshold.
    #[default]
    All,
    /// Only findings with a fixed version to upgrade to.
    Upgradable,
}

/// Whether one finding counts against the gate.
pub fn counts(f: &Finding, threshold: Severity, fail_on: FailOn, ignore_unfixed: bool) -> bool {
    f.severity >= threshold
        && (fail_on == FailOn::All || f.is_upgradable)
        && (!ignore_unfixed || f.status == FindingStatus::Fixed)
}

/// Whether any finding of `report` is at or above `threshold` under the gate's rules.
pub fn exceeds(
    report: &Report,
    threshold: Severity,
    fail_on: FailOn,
    ignore_unfixed: bool,
) -> bool {
    report
        .vulnerabilities
        .iter()
        .any(|f| counts(f, threshold, fail_on, ignore_unfixed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SeveritySource;

    fn finding(severity: Severity, status: FindingStatus) -> Finding {
        let fixed = status == FindingStatus::Fixed;
        Finding {
            id: "CVE-2024-0001".into(),
            title: String::new(),
            description: None,
            severity,
            severity_source: SeveritySource::None,
            vendor_severity: None,
            cvss_score: None,
            cvss_vector: None,
            cvss_v3: None,
            identifiers: Default::default(),
            advisories: vec![],
            url: String::new(),
            references: vec![],
            package_name: "p".into(),
            name: "p".into(),
            binary_name: "p".into(),
            version: "1".into(),
            package_type: "deb".into(),
            package_manager: "debian:12".into(),
            ecosystem: "Debian:12".into(),
            purl: String::new(),
            status,
            nearest_fixed_in_version: fixed.then(|| "2".into()),
            fixed_in: vec![],
            is_upgradable: fixed,
            upgrade_path: vec![],
            from: vec![],
            introduced_through: vec![],
            paths: vec![],
            more_paths: 0,
            paths_truncated: false,
            layer: None,
            dockerfile_instruction: None,
            dockerfile_line: None,
            docker_base_image: None,
            exploit_data: Default::default(),
            publication_time: None,
            disclosure_time: None,
            modification_time: None,
        }
    }

    /// Validates each gate rule on single findings, and that unknown sorts below low.
    #[test]
    fn gate_rules() {
        let unknown = finding(Severity::Unknown, FindingStatus::NotFixed);
        assert!(!counts(&unknown, Severity::Low, FailOn::All, false));
        assert!(counts(&unknown, Severity::Unknown, FailOn::All, false));
        let high_fixed = finding(Severity::High, FindingStatus::Fixed);
        assert!(counts(
            &high_fixed,
            Severity::High,
            FailOn::Upgradable,
            true
        ));
        assert!(!counts(&high_fixed, Severity::Critical, FailOn::All, false));
        let high_wnf = finding(Severity::High, FindingStatus::WillNotFix);
        assert!(counts(&high_wnf, Severity::Medium, FailOn::All, false));
        assert!(!counts(
            &high_wnf,
            Severity::Medium,
            FailOn::Upgradable,
            false
        ));
        assert!(!counts(&high_wnf, Severity::Medium, FailOn::All, true));
        let report = Report {
            vulnerabilities: vec![unknown, high_wnf],
            ..Report::default()
        };
        assert!(exceeds(&report, Severity::High, FailOn::All, false));
        assert!(!exceeds(&report, Severity::High, FailOn::All, true));
    }
}
