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

    fn finding(severity: Severity, status: FindingStatus) -> Finding {
        let f = Finding {
            severity,
            status,
            ..Finding::deb("CVE-2024-0001", "p", "p", "1")
        };
        if status == FindingStatus::Fixed {
            f.with_fix("2")
        } else {
            f
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
