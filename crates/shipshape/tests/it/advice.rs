//! Base image recommendations end to end: the test images' `test/debian` repository (11.6,
//! the updated 11.11 under three tags, its slim variant under three, 12 under three, 12-slim
//! under two) pushed into a registry this test starts on loopback, advisories written for
//! the packages really installed in each image, and `scan --base-image`.
//!
//! The fixture advisories (Debian tracker JSON, bullseye and bookworm) are chosen from each
//! image's SBOM among source packages with a single binary, so every advisory is one finding
//! per image that has the package:
//!
//! | advisory                                   | 11.6 | 11.11 | 11-slim | 12 | 12-slim |
//! |--------------------------------------------|------|-------|---------|----|---------|
//! | high, fixed in 11.11's version (×U, U≤2)   | U    |       |         |    |         |
//! | medium, open, package the slim image drops | 1    | 1     |         |    |         |
//! | low, open, package in every bullseye image | 1    | 1     | 1       |    |         |
//! | high, open, package in both bookworm ones  |      |       |         | 1  | 1       |
//!
//! so for 11.6 the better images are 11.11 (minor), 12 (major) and 11-slim (alternative);
//! 11.11-slim is the most secure of its own candidates (12-slim has a high).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::support::*;

/// A registry started by `scripts/registry.sh` for this test, stopped on drop.
struct Registry {
    dir: tempfile::TempDir,
    addr: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/registry.sh")
}

impl Registry {
    fn start() -> Option<Registry> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(script())
            .args(["start", dir.path().to_str().unwrap()])
            .output()
            .expect("run scripts/registry.sh");
        if !out.status.success() {
            missing(&format!(
                "a registry from scripts/registry.sh start ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            return None;
        }
        let addr = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(Registry { dir, addr })
    }

    fn push(&self, src: &Path, dest: &str) {
        let out = Command::new(script())
            .args([
                "push",
                self.dir.path().to_str().unwrap(),
                src.to_str().unwrap(),
                dest,
            ])
            .output()
            .expect("run scripts/registry.sh push");
        assert!(
            out.status.success(),
            "push {} {dest}: {}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .args(["stop", self.dir.path().to_str().unwrap()])
            .output();
    }
}

/// An image of the test set: its SBOM's deb packages.
struct Img {
    /// source name → binary packages installed from it.
    by_source: BTreeMap<String, Vec<(String, String)>>,
}

impl Img {
    fn load(images: &Images, prefix: &str) -> Img {
        let target = format!(
            "oci-dir:{}:{}",
            images.path(&format!("{prefix}_OCI_DIR")).display(),
            images.var(&format!("{prefix}_OCI_TAG"))
        );
        let sbom = sbom_json(&target, &[]);
        let mut by_source: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for p in sbom["packages"].as_array().unwrap() {
            if p["type"] != "deb" {
                continue;
            }
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let src = Some(s("source_name"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| s("name"));
            by_source
                .entry(src)
                .or_default()
                .push((s("name"), s("version")));
        }
        Img { by_source }
    }

    /// The single binary of `source`, if exactly one is installed.
    fn single(&self, source: &str) -> Option<&(String, String)> {
        match self.by_source.get(source).map(Vec::as_slice) {
            Some([one]) => Some(one),
            _ => None,
        }
    }
}

fn counts(v: &Value) -> [u64; 5] {
    ["critical", "high", "medium", "low", "unknown"].map(|k| v[k].as_u64().unwrap_or(u64::MAX))
}

struct Fixture {
    registry: Registry,
    _dir: tempfile::TempDir,
    db: String,
    /// The guide image's Dockerfile, relative to the repository.
    guide_dockerfile: String,
    /// Expected counts by tag (critical, high, medium, low, unknown).
    expected: BTreeMap<&'static str, [u64; 5]>,
}

impl Fixture {
    fn reference(&self, tag: &str) -> String {
        format!("{}/test/debian:{tag}", self.registry.addr)
    }

    fn scan(&self, target: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["--db", &self.db, "scan", target];
        args.extend_from_slice(extra);
        shipshape(&args)
    }

    fn scan_json(&self, target: &str, extra: &[&str]) -> Value {
        let mut args = extra.to_vec();
        args.push("--json");
        let out = self.scan(target, &args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "scan {target}: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("scan {target}: {e}"))
    }
}

fn setup() -> Option<Fixture> {
    let images = Images::load()?;
    let tags_tsv = images.dir.join("registry-tags.tsv");
    if !tags_tsv.is_file() {
        missing(&format!(
            "{} (test images with the test/debian tags; rebuild with scripts/test-images/build.sh)",
            tags_tsv.display()
        ));
        return None;
    }
    let registry = Registry::start()?;
    for row in read_tsv(&tags_tsv) {
        if row[1].starts_with("test/debian:") || row[1] == "test/guide:1" {
            registry.push(&images.dir.join(&row[0]), &row[1]);
        }
    }

    let old = Img::load(&images, "BULLSEYE_OLD");
    let new = Img::load(&images, "BULLSEYE");
    let slim = Img::load(&images, "BULLSEYE_SLIM");
    let bookworm = Img::load(&images, "BASE");
    let bookworm_slim = Img::load(&images, "BOOKWORM_SLIM");

    // Sources upgraded from 11.6 to 11.11, one binary in each.
    let upgraded: Vec<(&String, String)> = old
        .by_source
        .keys()
        .filter_map(|src| {
            let (a, b) = (old.single(src)?, new.single(src)?);
            (a.0 == b.0 && a.1 != b.1).then(|| (src, b.1.clone()))
        })
        .take(2)
        .collect();
    assert!(
        !upgraded.is_empty(),
        "no single-binary source upgraded in 11.11"
    );
    let single_in = |src: &str, imgs: &[&Img]| imgs.iter().all(|i| i.single(src).is_some());
    let dropped = new
        .by_source
        .keys()
        .find(|src| {
            single_in(src, &[&old, &new])
                && !slim.by_source.contains_key(*src)
                && !upgraded.iter().any(|(u, _)| u == src)
        })
        .expect("a single-binary source in 11.6 and 11.11 that the slim image drops");
    let common = slim
        .by_source
        .keys()
        .find(|src| {
            single_in(src, &[&old, &new, &slim])
                && !upgraded.iter().any(|(u, _)| u == src)
                && *src != dropped
        })
        .expect("a single-binary source in every bullseye image");
    let in_bookworm = bookworm_slim
        .by_source
        .keys()
        .find(|src| single_in(src, &[&bookworm, &bookworm_slim]))
        .expect("a single-binary source in both bookworm images");

    let mut tracker = serde_json::Map::new();
    let mut add = |src: &str, id: String, release: &str, entry: Value| {
        let e = tracker.entry(src.to_string()).or_insert_with(|| json!({}));
        e[id] = json!({"description": format!("{src}: fixture advisory"), "scope": "local",
            "releases": {release: entry}});
    };
    for (i, (src, fixed)) in upgraded.iter().enumerate() {
        add(
            src,
            format!("CVE-2099-10{i:02}"),
            "bullseye",
            json!({"status": "resolved", "fixed_version": fixed, "urgency": "high",
                "repositories": {"bullseye": fixed}}),
        );
    }
    let open = |urgency: &str| json!({"status": "open", "urgency": urgency, "repositories": {}});
    add(dropped, "CVE-2099-1100".into(), "bullseye", open("medium"));
    add(common, "CVE-2099-1200".into(), "bullseye", open("low"));
    add(
        in_bookworm,
        "CVE-2099-1300".into(),
        "bookworm",
        open("high"),
    );

    let dir = tempfile::tempdir().unwrap();
    let tracker_path = dir.path().join("tracker.json");
    std::fs::write(&tracker_path, serde_json::to_vec(&tracker).unwrap()).unwrap();
    let db = dir.path().join("advice.db").display().to_string();
    import_feed(&db, "debian-json", tracker_path.to_str().unwrap());

    let u = upgraded.len() as u64;
    let expected = BTreeMap::from([
        ("11.6", [0, u, 1, 1, 0]),
        ("11.11", [0, 0, 1, 1, 0]),
        ("11.11-slim", [0, 0, 0, 1, 0]),
        ("12.11", [0, 1, 0, 0, 0]),
        ("12-slim", [0, 1, 0, 0, 0]),
    ]);
    Some(Fixture {
        registry,
        _dir: dir,
        db,
        guide_dockerfile: images.var("GUIDE_DOCKERFILE").to_string(),
        expected,
    })
}

/// The guide image FROM 11.6 (scanned with its Dockerfile): 11.11 (minor), 12 (major) and 11-slim (alternative) are
/// recommended, each shown once under its most specific tag with every alias, with the
/// counts a scan of that tag alone reports; the text report prints the same advice. Then
/// the best image is told it is the most secure, and `--recommend-limit 1` scans one.
#[test]
fn recommendations_from_a_registry() {
    let Some(fx) = setup() else { return };

    // Each image scanned alone reports the designed counts.
    for (tag, want) in &fx.expected {
        let r = fx.reference(tag);
        let alone = fx.scan_json(&r, &["--recommend-limit", "0"]);
        assert_eq!(counts(&alone["severityCounts"]), *want, "{r}");
    }

    // The guide image as its Dockerfile says, FROM 11.6 in the registry under test (the
    // image's own annotation names the builder's local `localhost/test/debian:11.6`).
    let app = format!("{}/test/guide:1", fx.registry.addr);
    let base = fx.reference("11.6");
    let dockerfile = fx._dir.path().join("Dockerfile");
    let original = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(&fx.guide_dockerfile);
    let text = std::fs::read_to_string(&original).unwrap();
    assert!(
        text.contains("\nFROM localhost/test/debian:11.6\n"),
        "{text}"
    );
    let text = text.replace(
        "\nFROM localhost/test/debian:11.6\n",
        &format!("\nFROM {base}\n"),
    );
    std::fs::write(&dockerfile, text).unwrap();
    let file = dockerfile.to_str().unwrap();
    let report = fx.scan_json(&app, &["--file", file]);
    assert_eq!(
        report["docker"]["baseImage"],
        base.as_str(),
        "{:#}",
        report["docker"]
    );
    let rem = &report["docker"]["baseImageRemediation"];
    assert_eq!(rem["code"], "REMEDIATION_AVAILABLE", "{rem:#}");
    assert_eq!(counts(&rem["current"]), fx.expected["11.6"], "{rem:#}");
    let got: Vec<(String, String, Vec<String>, [u64; 5])> = rem["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["group"].as_str().unwrap().to_string(),
                c["image"].as_str().unwrap().to_string(),
                c["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
                counts(&c["counts"]),
            )
        })
        .collect();
    let want = |group: &str, tag: &str, tags: &[&str]| {
        (
            group.to_string(),
            fx.reference(tag),
            tags.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            fx.expected[tag],
        )
    };
    assert_eq!(
        got,
        [
            want("minor", "11.11", &["11.11", "11", "bullseye"]),
            want("major", "12.11", &["12.11", "12", "bookworm"]),
            want(
                "alternative",
                "11.11-slim",
                &["11.11-slim", "11-slim", "bullseye-slim"]
            ),
        ],
        "{rem:#}"
    );
    // Ranked: every candidate beats the current base, critical first, then high…
    for c in rem["candidates"].as_array().unwrap() {
        assert!(counts(&c["counts"]) < fx.expected["11.6"], "{c}");
    }
    // The digests are the ones the registry serves for those tags.
    let alone = fx.scan_json(&fx.reference("bullseye"), &["--recommend-limit", "0"]);
    assert_eq!(
        rem["candidates"][0]["digest"], alone["image"]["manifestDigest"],
        "{alone:#}"
    );

    // The current base and the three candidates are cached beside the database, and the
    // text run below reads its counts from there.
    let cached = std::fs::read_dir(fx._dir.path().join("cache/base-advice"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(cached, 4);

    // The text report prints the same advice.
    let out = fx.scan(&app, &["--file", file]);
    let text = stdout(&out);
    for line in rem["advice"].as_array().unwrap() {
        let message = line["message"].as_str().unwrap();
        assert!(
            text.contains(&format!("{message}\n")),
            "{message:?} in\n{text}"
        );
    }
    let row = |tag: &str| {
        let c = fx.expected[tag];
        format!("{}  {}", fx.reference(tag), c.iter().sum::<u64>())
    };
    assert!(
        text.contains("Recommendations for base image upgrade:\n\nMinor upgrades\n"),
        "{text}"
    );
    for tag in ["11.11", "12.11", "11.11-slim"] {
        assert!(text.contains(&row(tag)), "{} in\n{text}", row(tag));
    }

    // The best of its line: nothing to recommend.
    let best = fx.reference("11.11-slim");
    let report = fx.scan_json(&best, &["--base-image", &best]);
    let rem = &report["docker"]["baseImageRemediation"];
    assert_eq!(rem["code"], "NO_REMEDIATION", "{rem:#}");
    assert_eq!(
        rem["advice"][0]["message"],
        "According to our scan, you are currently using the most secure version of the selected base image"
    );
    assert!(rem.get("candidates").is_none(), "{rem:#}");
    let text = stdout(&fx.scan(&best, &["--base-image", &best]));
    assert!(
        text.contains("\nAccording to our scan, you are currently using the most secure version of the selected base image\n"),
        "{text}"
    );

    // A limit of one scans one image and says what it left.
    let report = fx.scan_json(&base, &["--base-image", &base, "--recommend-limit", "1"]);
    let rem = &report["docker"]["baseImageRemediation"];
    let candidates = rem["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 1, "{rem:#}");
    assert_eq!(candidates[0]["group"], "minor", "{rem:#}");
    assert_eq!(counts(&candidates[0]["counts"]), fx.expected["11.11"]);
    let notes: Vec<&str> = rem["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"2 more candidate images not scanned (--recommend-limit 1)"),
        "{notes:?}"
    );
}

/// `--offline` skips the advice with a note and never touches a registry: the image and
/// the base are read from OCI layouts.
#[test]
fn offline_skips_with_a_note() {
    let Some(images) = Images::load() else { return };
    if !images.dir.join("registry-tags.tsv").is_file() {
        missing("the test images with the test/debian tags (scripts/test-images/build.sh)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tracker = dir.path().join("tracker.json");
    std::fs::write(&tracker, b"{}").unwrap();
    let db = dir.path().join("advice.db").display().to_string();
    import_feed(&db, "debian-json", tracker.to_str().unwrap());
    let target = |p: &str| {
        format!(
            "oci-dir:{}:{}",
            images.path(&format!("{p}_OCI_DIR")).display(),
            images.var(&format!("{p}_OCI_TAG"))
        )
    };
    let (app, base) = (target("GUIDE"), target("BULLSEYE_OLD"));
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &app,
        "--base-image",
        &base,
        "--json",
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rem = &report["docker"]["baseImageRemediation"];
    assert_eq!(rem["code"], "SKIPPED", "{report:#}");
    assert_eq!(
        rem["notes"],
        json!(["--offline: base image recommendations need the registry"])
    );
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &app,
        "--base-image",
        &base,
    ]);
    assert!(
        stdout(&out).contains(
            "\nBase image recommendations skipped: --offline: base image recommendations need the registry\n"
        ),
        "{}",
        stdout(&out)
    );
}
