//! The command line itself: help text and usage errors.

use crate::support::*;

/// Validates the top-level help (snapshot).
#[test]
fn help() {
    let out = shipshape(&["--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!(stdout(&out));
}

/// Validates `sbom --help` (snapshot).
#[test]
fn sbom_help() {
    let out = shipshape(&["sbom", "--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!(stdout(&out));
}

/// Validates that usage errors exit with 2.
#[test]
fn usage_errors_exit_2() {
    let out = shipshape(&["sbom"]);
    assert_eq!(out.status.code(), Some(2));
    let out = shipshape(&["sbom", "dir:/", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("xml"));
    let out = shipshape(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    let out = shipshape(&["scan", "dir:/", "--severity-threshold", "urgent"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("urgent"), "{}", stderr(&out));
}

/// Validates a bad --platform value is refused before any work.
#[test]
fn bad_platform() {
    let out = shipshape(&[
        "sbom",
        "docker-archive:/nonexistent.tar",
        "--platform",
        "linux",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("platform"), "{}", stderr(&out));
}

/// Validates `db --help` and its subcommands' help (snapshots).
#[test]
fn db_help() {
    for sub in ["", "update", "import", "status", "push", "pull"] {
        let args: Vec<&str> = ["db", sub, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let out = shipshape(&args);
        assert!(out.status.success(), "db {sub} --help");
        insta::assert_snapshot!(format!("db_{sub}_help"), stdout(&out));
    }
}

/// Validates `scan --help` (snapshot).
#[test]
fn scan_help() {
    let out = shipshape(&["scan", "--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!(stdout(&out));
}

/// Validates `diff --help` (snapshot).
#[test]
fn diff_help() {
    let out = shipshape(&["diff", "--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!(stdout(&out));
}
