//! `shipshape scan` with ignore policies, VEX documents and a stale database, on the real app
//! image with the advisories of `scan.rs` (Jinja2's CVE-2099-0005 is the only critical one).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::scan::{scan, setup, Setup};
use crate::support::*;

/// `scan` run from `cwd`, where a default `.shipshape.yaml` may be.
fn scan_in(s: &Setup, cwd: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["--db", &s.db, "--offline", "scan", &s.target])
        .args(extra)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_CONFIG")
        .output()
        .expect("run shipshape")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

fn ids(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    let f = if key == "suppressed" {
                        &v["finding"]
                    } else {
                        v
                    };
                    f["id"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

const CRITICAL: &[&str] = &["--severity-threshold", "critical"];

/// Validates that an ignore rule (by alias and package) hides the only critical finding, so
/// the critical gate passes; the JSON keeps it under `suppressed` with the reason, the counts
/// drop it, and the text summary says one finding was suppressed. The default
/// `.shipshape.yaml` of the working directory is read the same way.
#[test]
fn policy_hides_and_flips_the_gate() {
    let Some(s) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    let before = scan_in(&s, dir.path(), &[&["--json"], CRITICAL].concat());
    assert_eq!(before.status.code(), Some(1), "{}", stderr(&before));
    let before = json_of(&before);
    assert_eq!(before["severityCounts"]["critical"], 1);
    assert!(before.get("suppressed").is_none());

    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "version: 1\nignore:\n  - id: PYSEC-2099-1\n    package: Jinja2\n    reason: \"templates are ours, never user input\"\n    expires: 2999-12-31\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out = scan_in(
        &s,
        dir.path(),
        &[&["--json", "--policy", p], CRITICAL].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json_of(&out);
    assert!(!ids(&r, "vulnerabilities").contains(&"CVE-2099-0005".to_string()));
    assert_eq!(ids(&r, "suppressed"), ["CVE-2099-0005"]);
    assert_eq!(r["suppressedCount"], 1);
    assert_eq!(r["severityCounts"]["critical"], 0);
    assert_eq!(
        r["vulnerabilities"].as_array().unwrap().len() + 1,
        before["vulnerabilities"].as_array().unwrap().len()
    );
    let rule = &r["suppressed"][0]["rule"];
    assert_eq!(
        rule,
        &json!({"source": "policy", "file": p, "index": 1, "id": "PYSEC-2099-1",
            "reason": "templates are ours, never user input", "expires": "2999-12-31"})
    );
    // Lower findings still fail the default gate.
    assert_eq!(
        scan_in(&s, dir.path(), &["--policy", p, "-q"])
            .status
            .code(),
        Some(1)
    );

    let text = scan_in(&s, dir.path(), &["--policy", p]);
    assert!(
        stdout(&text).contains("1 findings suppressed by policy or VEX (see --json)."),
        "{}",
        stdout(&text)
    );
    assert!(!stdout(&text).contains("Jinja2@"), "{}", stdout(&text));

    // The same file as ./.shipshape.yaml, without --policy.
    std::fs::copy(&policy, dir.path().join(".shipshape.yaml")).unwrap();
    let out = scan_in(&s, dir.path(), &[&["--json"], CRITICAL].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json_of(&out)["suppressed"][0]["rule"]["file"],
        ".shipshape.yaml"
    );
}

/// Validates that an expired rule hides nothing, keeps the exit code, and warns with S004
/// naming the rule and file.
#[test]
fn expired_rule_keeps_the_finding_and_warns() {
    let Some(s) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("old.yaml");
    std::fs::write(
        &policy,
        "version: 1\nignore:\n  - id: CVE-2099-0005\n    reason: accepted last year\n    expires: 2020-01-31\n",
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let out = scan(&s, &[&["--json", "--policy", p], CRITICAL].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json_of(&out);
    assert!(ids(&r, "vulnerabilities").contains(&"CVE-2099-0005".to_string()));
    assert!(r.get("suppressed").is_none());
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "warning[S004]: ignore rule 1 for CVE-2099-0005 in {p} expired on 2020-01-31"
        )),
        "{err}"
    );
    assert!(r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "S004"));
}

/// Validates that an OpenVEX not_affected statement for Jinja2's purl (qualifiers dropped)
/// hides the finding with its justification, and that an `affected` one does not.
#[test]
fn vex_not_affected_hides() {
    let Some(s) = setup() else { return };
    let r = json_of(&scan(&s, &["--json"]));
    let jinja = r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2099-0005")
        .unwrap();
    let purl = jinja["purl"].as_str().unwrap();
    let bare = purl.split('?').next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vex = |status: &str, extra: Value| {
        let mut st = json!({"vulnerability": {"name": "CVE-2099-0005"},
            "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": format!("{bare}?foo=bar")}]}],
            "status": status});
        st.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let doc = json!({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:x",
            "author": "t", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
            "statements": [st]});
        let path = dir.path().join(format!("{status}.vex.json"));
        std::fs::write(&path, doc.to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let na = vex(
        "not_affected",
        json!({"justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "the sandbox is never used"}),
    );
    let out = scan(&s, &[&["--json", "--vex", &na], CRITICAL].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(ids(&r, "suppressed"), ["CVE-2099-0005"]);
    let rule = &r["suppressed"][0]["rule"];
    assert_eq!(rule["source"], "vex");
    assert_eq!(rule["status"], "not_affected");
    assert_eq!(rule["justification"], "vulnerable_code_not_in_execute_path");
    assert_eq!(rule["statement"], "the sandbox is never used");

    let aff = vex("affected", json!({"action_statement": "upgrade"}));
    let out = scan(&s, &[&["--json", "--vex", &aff], CRITICAL].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Both documents: the later (affected) statement wins.
    let out = scan(
        &s,
        &[&["--json", "--vex", &na, "--vex", &aff], CRITICAL].concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// Validates that a missing policy or VEX file and a malformed VEX document exit 2 naming
/// the file.
#[test]
fn bad_policy_or_vex_exit_2() {
    let Some(s) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--policy", "--vex"] {
        let out = scan_in(&s, dir.path(), &[flag, "missing.yaml"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("cannot read missing.yaml"),
            "{flag}: {}",
            stderr(&out)
        );
    }

    std::fs::write(
        dir.path().join("bad.yaml"),
        "version: 1\nignore:\n  - id: CVE-1\n",
    )
    .unwrap();
    let out = scan_in(&s, dir.path(), &["--policy", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid policy bad.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("no `reason`"), "{}", stderr(&out));

    std::fs::write(dir.path().join("bad.vex.json"), "{\"statements\": [").unwrap();
    let out = scan_in(&s, dir.path(), &["--vex", "bad.vex.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid VEX document bad.vex.json"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

/// Validates that a database built 30 days ago gives the S005 warning with the fix, and
/// `database.stale: true` in the JSON; a fresh one gives neither.
#[test]
fn stale_database_warns() {
    let Some(s) = setup() else { return };
    let fresh = scan(&s, &["--json"]);
    assert!(!stderr(&fresh).contains("S005"), "{}", stderr(&fresh));
    assert!(json_of(&fresh)["database"].get("stale").is_none());

    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    std::fs::copy(&s.db, &old).unwrap();
    let conn = rusqlite::Connection::open(&old).unwrap();
    let n = conn
        .execute(
            "UPDATE meta SET value = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days') WHERE key = 'built_at'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let out = shipshape(&[
        "--db",
        old.to_str().unwrap(),
        "--offline",
        "scan",
        &s.target,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning[S005]"), "{err}");
    assert!(err.contains("30 days old"), "{err}");
    assert!(err.contains("run `shipshape db update`"), "{err}");
    assert_eq!(json_of(&out)["database"]["stale"], true);
    // The table report says it too, after the summary.
    let out = shipshape(&[
        "--db",
        old.to_str().unwrap(),
        "--offline",
        "scan",
        &s.target,
    ]);
    assert!(stdout(&out).contains("Warning (S005)"), "{}", stdout(&out));
}
