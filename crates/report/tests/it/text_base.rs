//! The base image part of the text summary: `Target file:`, the base image's own table,
//! the `--exclude-base` line and the recommendations from `docker.baseImageRemediation`.

use report::ReportFormat;
use scan::advice::{self, Candidate, Group};
use scan::{Report, SeverityCounts};

use crate::common::assert_golden;
use crate::scan_fixture::{render, scanned};

fn counts(critical: usize, high: usize, medium: usize, low: usize) -> SeverityCounts {
    SeverityCounts {
        critical,
        high,
        medium,
        low,
        unknown: 0,
    }
}

fn candidate(image: &str, group: Group, counts: SeverityCounts) -> Candidate {
    Candidate {
        image: image.into(),
        tags: vec![image.rsplit(':').next().unwrap_or_default().into()],
        digest: None,
        group,
        counts,
    }
}

/// The fixture report with a Dockerfile, the base image's counts (its own findings, counted
/// from the report) and recommendations in every group.
fn with_advice() -> (inventory::Inventory, Report) {
    let (inv, mut report) = scanned();
    report.target_file = Some("Dockerfile".into());
    let base: Vec<_> = report
        .vulnerabilities
        .iter()
        .filter(|f| f.docker_base_image.is_some())
        .cloned()
        .collect();
    report.docker.base_image_vulnerabilities = Some(SeverityCounts::of(&base));
    report.docker.base_image_remediation = Some(advice::remediation(
        counts(0, 12, 40, 60),
        vec![
            candidate("debian:12.11", Group::Minor, counts(0, 2, 10, 30)),
            candidate("debian:12", Group::Minor, counts(0, 3, 10, 30)),
            candidate("debian:13.1", Group::Major, counts(0, 0, 1, 2)),
            candidate("debian:12.11-slim", Group::Alternative, counts(0, 1, 3, 5)),
            // Worse than the current: left out.
            candidate("debian:12-worse", Group::Alternative, counts(1, 0, 0, 0)),
        ],
        vec!["3 candidate tags not looked at (--recommend-limit 4)".into()],
    ));
    (inv, report)
}

/// Validates the summary against its golden file, and its parts in the guide's order.
#[test]
fn recommendations_golden() {
    let (inv, report) = with_advice();
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert_golden("scan.base.txt", &text);
    let summary = &text[text.find("Package manager:").unwrap()..];
    // The base image's own scan (the advice's `current`), the same measure as the
    // candidates, rather than the findings of this image's base layers.
    let base = report
        .docker
        .base_image_remediation
        .as_ref()
        .and_then(|r| r.current.clone())
        .unwrap();
    assert_ne!(
        Some(&base),
        report.docker.base_image_vulnerabilities.as_ref()
    );
    let base_row = format!(
        "debian:12   {:<17}{}",
        base.total(),
        advice::severity_text(&base)
    );
    let expected = [
        "Package manager:   deb\n",
        "Target file:       Dockerfile\n",
        "Base image:        debian:12\n",
        "issues.\n\nBase Image  Vulnerabilities  Severity\n",
        &base_row,
        "\n\nRecommendations for base image upgrade:\n\nMinor upgrades\n",
        "debian:12.11  42               2 high, 10 medium, 30 low\n\
         debian:12     43               3 high, 10 medium, 30 low\n\n\
         Major upgrades\n",
        "debian:13.1  3                0 high, 1 medium, 2 low\n\nAlternative image types\n",
        "debian:12.11-slim  9                1 high, 3 medium, 5 low\n",
        "\nNote: 3 candidate tags not looked at (--recommend-limit 4)\n",
    ];
    let mut at = 0;
    for want in expected {
        let found = summary[at..]
            .find(want)
            .unwrap_or_else(|| panic!("missing {want:?} after byte {at} in\n{summary}"));
        at += found + want.len();
    }
    assert!(!text.contains("12-worse"), "{text}");
}

/// The advice the text prints is the advice the JSON holds, line for line.
#[test]
fn text_and_json_hold_the_same_advice() {
    let (inv, report) = with_advice();
    let text = render(&report, &inv, ReportFormat::Table, false);
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, &inv, ReportFormat::Json, false)).unwrap();
    let advice = json["docker"]["baseImageRemediation"]["advice"]
        .as_array()
        .unwrap();
    assert_eq!(
        json["docker"]["baseImageRemediation"]["code"],
        "REMEDIATION_AVAILABLE"
    );
    assert_eq!(advice.len(), 8);
    for a in advice {
        let message = a["message"].as_str().unwrap();
        assert!(text.contains(&format!("{message}\n")), "{message:?}");
    }
}

/// Bold advice lines (heading, group titles) are bold only with colour.
#[test]
fn bold_titles_with_colour() {
    let (inv, report) = with_advice();
    let colored = render(&report, &inv, ReportFormat::Table, true);
    for title in [advice::HEADING, "Minor upgrades", "Alternative image types"] {
        assert!(
            colored.contains(&format!("\x1b[1m{title}\x1b[0m\n")),
            "{title}"
        );
    }
    let plain = render(&report, &inv, ReportFormat::Table, false);
    assert!(!plain.contains('\x1b'));
}

/// Nothing better: the "most secure" sentence; skipped: the note; `--exclude-base`: how many
/// findings it hid.
#[test]
fn most_secure_skipped_and_excluded() {
    let (inv, mut report) = with_advice();
    report.docker.base_image_remediation = Some(advice::remediation(
        counts(0, 1, 0, 0),
        vec![candidate("debian:13", Group::Major, counts(0, 1, 0, 0))],
        vec![],
    ));
    report.docker.excluded_base_count = Some(7);
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(
        text.contains(&format!(
            "\n\n7 issues introduced by the base image hidden by --exclude-base.\n\n{}\n",
            advice::MOST_SECURE
        )),
        "{text}"
    );
    assert!(!text.contains("Recommendations"), "{text}");

    report.docker.base_image_remediation = Some(advice::skipped(
        "--offline: base image recommendations need the registry",
    ));
    report.docker.excluded_base_count = None;
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(
        text.contains(
            "\nBase image recommendations skipped: --offline: base image recommendations need the registry\n"
        ),
        "{text}"
    );
    assert!(!text.contains("hidden by --exclude-base"), "{text}");
}

/// Without a base image or advice, the summary ends at the "Tested" line as before.
#[test]
fn nothing_without_base_information() {
    let (inv, report) = scanned();
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(!text.contains("Base Image "), "{text}");
    assert!(!text.contains("Target file:"), "{text}");
}

/// Validates that the `Base image:` line says how the base image was found, for every
/// source, and only the name when the source is not known.
#[test]
fn base_image_line_says_how_it_was_found() {
    let (inv, mut report) = scanned();
    report.docker.base_image = Some("debian:12".into());
    let line = |r: &Report| {
        render(r, &inv, ReportFormat::Table, false)
            .lines()
            .find(|l| l.starts_with("Base image:"))
            .map(str::to_owned)
            .unwrap()
    };
    report.docker.base_image_source = None;
    assert!(line(&report).ends_with(" debian:12"), "{}", line(&report));
    for (source, how) in [
        (scan::BaseImageSource::Dockerfile, "(from the Dockerfile)"),
        (
            scan::BaseImageSource::Annotation,
            "(from the image's base annotation)",
        ),
        (
            scan::BaseImageSource::Label,
            "(from the image's base label)",
        ),
        (
            scan::BaseImageSource::DiffIds,
            "(its layers are this image's bottom layers)",
        ),
        (
            scan::BaseImageSource::History,
            "(guessed from the image history)",
        ),
    ] {
        report.docker.base_image_source = Some(source);
        assert!(
            line(&report).ends_with(&format!("debian:12 {how}")),
            "{}",
            line(&report)
        );
    }
}

/// Validates the base-image line of a finding: with the base's name as the guide prints it,
/// and without a parenthesis when the history told the base layers but not the name.
#[test]
fn finding_from_an_unnamed_base() {
    let (inv, mut report) = scanned();
    report.vulnerabilities[0].docker_base_image = Some("debian:12".into());
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(
        text.contains("  Introduced by your base image (debian:12)\n"),
        "{text}"
    );
    report.vulnerabilities[0].docker_base_image = Some(scan::base::UNNAMED_BASE.into());
    let text = render(&report, &inv, ReportFormat::Table, false);
    assert!(text.contains("  Introduced by your base image\n"), "{text}");
    assert!(!text.contains("(base image)"), "{text}");
}
