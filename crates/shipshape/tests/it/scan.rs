//! `shipshape scan` on the real app image with advisories written here, in the published
//! formats, naming packages really in the image at versions just above and just below the
//! installed ones.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::*;

pub(crate) struct Setup {
    _dir: tempfile::TempDir,
    pub(crate) db: String,
    pub(crate) target: String,
}

fn installed(sbom: &Value, name: &str) -> (String, String, String) {
    let p = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name}"));
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    (s("source_name"), s("source_version"), s("version"))
}

/// Builds a database from a Debian tracker JSON and an OSV record made for this image.
pub(crate) fn setup() -> Option<Setup> {
    let images = Images::load()?;
    let target = format!(
        "docker-archive:{}",
        images.path("APP_DOCKER_ARCHIVE").display()
    );
    let sbom = sbom_json(&target, &[]);
    let (curl_src, curl_ver, _) = installed(&sbom, "libcurl4");
    let (zlib_src, _, _) = installed(&sbom, "zlib1g");
    let (git_src, _, _) = installed(&sbom, "git");
    let tracker = json!({
        curl_src.clone(): {
            "CVE-2099-0001": {"description": "curl: heap overflow just fixed above", "scope": "remote",
                "releases": {"bookworm": {"status": "resolved", "fixed_version": format!("{curl_ver}+test1"), "urgency": "high",
                    "repositories": {"bookworm": curl_ver}}}},
            "CVE-2099-0002": {"description": "curl: fixed before this version", "scope": "remote",
                "releases": {"bookworm": {"status": "resolved", "fixed_version": "7.0.0-1", "urgency": "high",
                    "repositories": {"bookworm": curl_ver}}}}
        },
        zlib_src: {
            "CVE-2099-0003": {"description": "zlib: not fixed yet", "scope": "local",
                "releases": {"bookworm": {"status": "open", "urgency": "unimportant", "repositories": {}}}}
        },
        git_src: {
            "CVE-2099-0004": {"description": "git: minor issue", "scope": "local",
                "releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored",
                    "repositories": {}}}}
        }
    });
    let osv = json!({"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0005"], "summary": "Jinja2 sandbox escape",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "urllib3"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.26.4"}]}]}]});
    let dir = tempfile::tempdir().unwrap();
    let tracker_path = dir.path().join("tracker.json");
    std::fs::write(&tracker_path, serde_json::to_vec(&tracker).unwrap()).unwrap();
    let osv_path = dir.path().join("PYSEC-2099-1.json");
    std::fs::write(&osv_path, serde_json::to_vec(&osv).unwrap()).unwrap();
    let db = dir.path().join("test.db").display().to_string();
    for (path, kind) in [(&tracker_path, "debian-json"), (&osv_path, "osv")] {
        import_feed(&db, kind, path.to_str().unwrap());
    }
    Some(Setup {
        _dir: dir,
        db,
        target,
    })
}

pub(crate) fn scan(s: &Setup, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--db", &s.db, "--offline", "scan", &s.target];
    args.extend_from_slice(extra);
    shipshape(&args)
}

/// Validates the exact findings, statuses and fixed versions in JSON, the attribution to the
/// RUN step, and the exit codes of the severity gate.
#[test]
fn findings_statuses_and_gates() {
    let Some(s) = setup() else { return };
    let out = scan(&s, &["--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String, String, String)> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
            (
                s("id"),
                v["binaryName"]
                    .as_str()
                    .or(v["packageName"].as_str())
                    .unwrap_or("-")
                    .to_string(),
                s("status"),
                s("nearestFixedInVersion"),
            )
        })
        .collect();
    got.sort();
    let sbom = sbom_json(&s.target, &[]);
    let (_, curl_ver, _) = installed(&sbom, "libcurl4");
    let fixed = format!("{curl_ver}+test1");
    let binaries = |source: &str| -> Vec<String> {
        sbom["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["source_name"] == source)
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mut expected: Vec<(String, String, String, String)> = Vec::new();
    for (id, source, status, fix) in [
        ("CVE-2099-0001", "curl", "fixed", fixed.as_str()),
        ("CVE-2099-0003", "zlib", "not-fixed", "-"),
        ("CVE-2099-0004", "git", "will-not-fix", "-"),
    ] {
        let names = binaries(source);
        assert!(!names.is_empty(), "no binary package of {source}");
        for b in names {
            expected.push((id.into(), b, status.into(), fix.into()));
        }
    }
    expected.push((
        "CVE-2099-0005".into(),
        "Jinja2".into(),
        "fixed".into(),
        "2.11.3".into(),
    ));
    expected.sort();
    assert_eq!(got, expected);

    let v = report["vulnerabilities"].as_array().unwrap();
    let jinja = v.iter().find(|v| v["id"] == "CVE-2099-0005").unwrap();
    assert_eq!(jinja["severity"], "critical");
    assert!(jinja["identifiers"]["ALIAS"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "PYSEC-2099-1"));
    assert!(jinja["dockerfileInstruction"]
        .as_str()
        .unwrap()
        .contains("pip install"));
    let curl = v.iter().find(|v| v["id"] == "CVE-2099-0001").unwrap();
    assert_eq!(curl["severity"], "high");
    assert!(curl["dockerfileInstruction"]
        .as_str()
        .unwrap()
        .contains("apt-get install"));
    assert!(
        curl["from"].as_array().unwrap().len() >= 2,
        "{}",
        curl["from"]
    );
    let zlib = v.iter().find(|v| v["id"] == "CVE-2099-0003").unwrap();
    assert_eq!(zlib["severity"], "low");

    // Gates: critical (Jinja2) fails at every threshold; upgradable still has it.
    assert_eq!(
        scan(&s, &["--json", "--severity-threshold", "critical"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        scan(&s, &["--json", "--fail-on", "upgradable"])
            .status
            .code(),
        Some(1)
    );
    let out = scan(
        &s,
        &[
            "--severity-threshold",
            "critical",
            "-q",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate does not depend on the format"
    );
}

/// Validates the text report's blocks and summary, and that --ignore-unfixed and a
/// threshold above every finding pass the gate.
#[test]
fn text_report_and_passing_gates() {
    let Some(s) = setup() else { return };
    let out = scan(&s, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("✗ Critical severity vulnerability found in Jinja2"),
        "{text}"
    );
    assert!(text.contains("Fixed in: 2.11.3"), "{text}");
    assert!(text.contains("Status: will not fix"), "{text}");
    assert!(text.contains("Package manager:   deb"), "{text}");
    assert!(
        text.contains("Tested ") && text.contains(" dependencies for known issues, found "),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when piped");

    // Only the unfixed zlib and git findings are low; with them ignored and the threshold at
    // high, the gate still fails on curl (high) and Jinja2 (critical)...
    assert_eq!(
        scan(&s, &["--ignore-unfixed", "--severity-threshold", "high"])
            .status
            .code(),
        Some(1)
    );
    // ...and a database with only the unfixed Debian findings passes with --ignore-unfixed.
    let dir = tempfile::tempdir().unwrap();
    let tracker = json!({"git": {"CVE-2099-0004": {"description": "git: minor", "scope": "local",
        "releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored", "repositories": {}}}}}});
    let path = dir.path().join("tracker.json");
    std::fs::write(&path, serde_json::to_vec(&tracker).unwrap()).unwrap();
    let db = dir.path().join("only-unfixed.db").display().to_string();
    import_feed(&db, "debian-json", path.to_str().unwrap());
    let base = ["--db", db.as_str(), "--offline", "scan", s.target.as_str()];
    let run = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        shipshape(&a).status.code()
    };
    assert_eq!(run(&[]), Some(1));
    assert_eq!(run(&["--ignore-unfixed"]), Some(0));
    assert_eq!(run(&["--severity-threshold", "medium"]), Some(0));
}

/// Validates the documented jq pipeline on our JSON.
#[test]
fn jq_pipeline() {
    let Some(s) = setup() else { return };
    let out = scan(&s, &["--json"]);
    let Some(rows) = jq(GUIDE_JQ, &out.stdout) else {
        return;
    };
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["packageName"], "curl", "{r}");
        assert_eq!(r["severity"], "high");
        assert!(r["nearestFixedInVersion"]
            .as_str()
            .unwrap()
            .ends_with("+test1"));
        assert!(r["dockerfileInstruction"]
            .as_str()
            .unwrap()
            .contains("apt-get install"));
        assert!(r["title"].as_str().is_some() && r["version"].as_str().is_some());
    }
}

/// Validates that SARIF and CycloneDX reports of the real image are written to --output and
/// validate against the SARIF 2.1.0 and CycloneDX 1.6 schemas.
#[test]
fn sarif_and_cyclonedx_outputs() {
    let Some(s) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (fmt, file) in [("sarif", "r.sarif"), ("cyclonedx", "r.cdx.json")] {
        let path = dir.path().join(file);
        let out = scan(&s, &["--format", fmt, "--output", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{fmt}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        let doc: Value = serde_json::from_slice(&std::fs::read(Path::new(&path)).unwrap()).unwrap();
        if fmt == "sarif" {
            assert_valid_by_ref("sarif-schema-2.1.0.json", &doc);
            assert_eq!(doc["version"], "2.1.0");
            assert!(doc["runs"][0]["results"].as_array().unwrap().len() >= 4);
        } else {
            assert_valid("bom-1.6.SNAPSHOT.schema.json", &doc);
            assert_eq!(doc["specVersion"], "1.6");
            assert!(doc["vulnerabilities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["id"] == "CVE-2099-0005"));
        }
    }
}

/// Validates that --offline without a database is a clear error (exit 2).
#[test]
fn offline_without_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = shipshape(&[
        "--db",
        db.to_str().unwrap(),
        "--offline",
        "scan",
        &format!("dir:{}", dir.path().display()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("none.db"), "{}", stderr(&out));
}
