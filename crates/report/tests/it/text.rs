//! The `docker scan`-shaped text report.

use report::ReportFormat;

use crate::common::assert_golden;
use crate::scan_fixture::{clean, render, scanned};

/// Validates the plain text report against its golden file, and the lines users look for.
#[test]
fn plain_golden_and_lines() {
    let (inv, report) = scanned();
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert_golden("scan.txt", &text);
    assert!(!text.contains('\x1b'), "no colour when colour is off");
    for want in [
        "✗ High severity vulnerability found in curl/libcurl3-gnutls\n",
        "  Introduced through: git@1:2.39.2-1.1, tool1@1.0-1, tool2@1.0-1, tool3@1.0-1, tool4@1.0-1\n",
        "  From: git@1:2.39.2-1.1 > curl/libcurl3-gnutls@7.88.1-10+deb12u5\n",
        "  and 3 more...\n",
        "  Introduced in your Dockerfile by `RUN apt-get install -y git`\n",
        "  Fixed in: 7.88.1-10+deb12u8\n",
        "  Introduced by your base image (debian:12)\n",
        "  Status: will not fix\n",
        "  Status: no fix available yet\n",
        "  Image layer: 2 (sha256:",
        "Package manager:   deb\n",
        "Project name:      docker-image|registry.example/team/app\n",
        "Docker image:      registry.example/team/app:1.4\n",
        "Platform:          linux/amd64\n",
        "Base image:        debian:12\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let tested = format!(
        "Tested {} dependencies for known issues, found {} issues.\n",
        report.dependency_count,
        report.vulnerabilities.len()
    );
    assert!(text.ends_with(&tested), "{text}");
    // One block per finding, in the report's order.
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("✗ ")).collect();
    assert_eq!(heads.len(), report.vulnerabilities.len());
    for (h, f) in heads.iter().zip(&report.vulnerabilities) {
        assert!(h.ends_with(&format!(" found in {}", f.name)), "{h}");
    }
}

/// Validates the coloured report: its golden file, and each severity's colour on the block's
/// first line only.
#[test]
fn colour_golden() {
    let (inv, report) = scanned();
    let text = render(&report, &inv, ReportFormat::Table, true);
    assert_golden("scan.color.txt", &text);
    for (sev, code) in [
        ("Critical", "\x1b[1;35m"),
        ("High", "\x1b[31m"),
        ("Medium", "\x1b[33m"),
        ("Low", "\x1b[34m"),
    ] {
        let line = format!("{code}✗ {sev} severity vulnerability found in ");
        assert!(text.contains(&line), "no {sev} line in\n{text}");
    }
    let plain = render(&report, &inv, ReportFormat::Table, false);
    let stripped = text
        .replace("\x1b[1;35m", "")
        .replace("\x1b[31m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[34m", "")
        .replace("\x1b[0m", "");
    assert_eq!(stripped, plain);
}

/// Validates the all-clear line when nothing is found.
#[test]
fn no_issues() {
    let (inv, report) = clean();
    assert!(report.ok);
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(!text.contains('✗'), "{text}");
    assert!(
        text.ends_with(&format!(
            "✓ Tested {} dependencies for known issues, no vulnerable paths found.\n",
            report.dependency_count
        )),
        "{text}"
    );
    let colored = render(&report, &inv, ReportFormat::Table, true);
    assert!(colored.contains("\x1b[32m✓ Tested"), "{colored}");
}
