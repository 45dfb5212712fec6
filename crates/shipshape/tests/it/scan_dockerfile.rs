//! Dockerfile-aware `shipshape scan`: `--file`, `--exclude-base`, base image detection, on
//! real images built by scripts/test-images/build.sh from the Dockerfiles under
//! tests/images/. Expected layers come from the build script's own walk of the dpkg state
//! after each layer; expected instructions from reading the Dockerfile here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::*;

/// The repository root (tests/images lives there).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The layer-making instructions of a single-stage Dockerfile, in order, as
/// (first line, instruction on one line with whitespace collapsed). Read independently of
/// the project's parser: continuation lines joined, comments and blank lines skipped.
fn layer_instructions(dockerfile: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(dockerfile).unwrap();
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if cur.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        let (start, mut acc) = cur.take().unwrap_or((i + 1, String::new()));
        if trimmed.starts_with('#') {
            cur = Some((start, acc));
            continue;
        }
        let (body, more) = match trimmed.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        acc.push(' ');
        acc.push_str(body);
        if more {
            cur = Some((start, acc));
        } else {
            let one = acc.split_whitespace().collect::<Vec<_>>().join(" ");
            let kw = one
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            if matches!(kw.as_str(), "RUN" | "COPY" | "ADD") {
                out.push((start, one));
            }
        }
    }
    out
}

/// The (source package, source version) of the deb package `bin` in a native SBOM.
fn source_of(sbom: &Value, bin: &str) -> (String, String) {
    let p = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == bin && p["type"] == "deb")
        .unwrap_or_else(|| panic!("{bin} not in the SBOM"));
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    (s("source_name"), s("source_version"))
}

/// The line and text of the first `FROM` of a Dockerfile, read here.
fn from_line(dockerfile: &Path) -> (usize, String) {
    let text = std::fs::read_to_string(dockerfile).unwrap();
    text.lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
        .map(|(i, l)| (i + 1, l.split_whitespace().collect::<Vec<_>>().join(" ")))
        .unwrap()
}

fn installed_rows(images: &Images, key: &str) -> BTreeMap<String, (String, usize)> {
    images
        .tsv(key)
        .into_iter()
        .map(|r| (r[0].clone(), (r[1].clone(), r[2].parse().unwrap())))
        .collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: String,
    target: String,
    dockerfile: PathBuf,
    /// binary package → (version, expected layer)
    layers: BTreeMap<String, (String, usize)>,
}

/// The app image (FROM the bookworm base; RUN apt, COPY, RUN pip) with advisories on a base
/// package, an installed package, a base package the apt step upgraded, and a pip package.
fn app_fixture() -> Option<Fixture> {
    let images = Images::load()?;
    let target = format!(
        "oci-dir:{}:{}",
        images.path("APP_OCI_DIR").display(),
        images.var("APP_OCI_TAG")
    );
    let layers = installed_rows(&images, "APP_LAYERS_TSV");
    let upgraded = images.tsv("APP_UPGRADED_TSV");
    let sbom = sbom_json(&target, &[]);
    let source = |bin: &str| source_of(&sbom, bin);
    // A base package the app did not touch, the app's curl, and an upgraded base package.
    let (zlib_src, zlib_ver) = source("zlib1g");
    assert_eq!(layers["zlib1g"].1, 0, "zlib1g comes from the base");
    let (curl_src, curl_ver) = source("libcurl4");
    let up_bin = &upgraded[0][0];
    let (up_src, up_ver) = source(up_bin);
    let release = |fixed: String, urgency: &str, ver: &str| {
        json!({"status": "resolved", "fixed_version": fixed, "urgency": urgency,
            "repositories": {"bookworm": ver}})
    };
    let tracker = json!({
        zlib_src: {"CVE-2099-0101": {"description": "zlib: base image issue", "scope": "remote",
            "releases": {"bookworm": release(format!("{zlib_ver}+fix1"), "high", &zlib_ver)}}},
        curl_src: {"CVE-2099-0102": {"description": "curl: added by the apt step", "scope": "remote",
            "releases": {"bookworm": release(format!("{curl_ver}+fix1"), "high", &curl_ver)}}},
        up_src: {"CVE-2099-0103": {"description": "upgraded by the apt step, still vulnerable", "scope": "remote",
            "releases": {"bookworm": release(format!("{up_ver}+fix1"), "medium", &up_ver)}}},
    });
    let osv = json!({"id": "PYSEC-2099-11", "summary": "Jinja2 issue from the pip step",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]});
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db").display().to_string();
    for (name, doc, kind) in [
        ("tracker.json", &tracker, "debian-json"),
        ("PYSEC-2099-11.json", &osv, "osv"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
        import_feed(&db, kind, path.to_str().unwrap());
    }
    Some(Fixture {
        _dir: dir,
        db,
        target,
        dockerfile: repo_root().join("tests/images/app/Dockerfile"),
        layers,
    })
}

fn scan_json(f: &Fixture, extra: &[&str]) -> (Value, std::process::Output) {
    scan_target_json(f, &f.target, extra)
}

/// `scan TARGET --json` offline against the fixture's database; exit 0 or 1.
fn scan_target_json(f: &Fixture, target: &str, extra: &[&str]) -> (Value, std::process::Output) {
    let mut args = vec!["--db", &f.db, "--offline", "scan", target, "--json"];
    args.extend_from_slice(extra);
    let out = shipshape(&args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), out)
}

/// The layer of a finding's package, from the build script's expectation (pip packages are
/// in the last RUN's layer: the pip step is the image's top layer).
fn expected_layer(f: &Fixture, v: &Value) -> usize {
    let bin = v["binaryName"].as_str().unwrap();
    match f.layers.get(bin) {
        Some((_, l)) => *l,
        None => {
            assert_eq!(v["packageManager"], "pypi", "{v}");
            3
        }
    }
}

/// Validates that with `--file` every finding names the base image or the Dockerfile
/// instruction (as written, with its line) that really installed the package; an upgraded
/// base package counts as the upgrading step's; text says it the docker-scan way.
#[test]
fn findings_name_the_instruction_or_the_base_image() {
    let Some(f) = app_fixture() else { return };
    let steps = layer_instructions(&f.dockerfile);
    assert_eq!(steps.len(), 3, "{steps:?}");
    let file = f.dockerfile.to_str().unwrap();
    let (report, _) = scan_json(&f, &["--file", file]);
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulns.iter().map(|v| v["id"].as_str().unwrap()).collect();
    for id in [
        "CVE-2099-0101",
        "CVE-2099-0102",
        "CVE-2099-0103",
        "PYSEC-2099-11",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(report["targetFile"], file);
    assert_eq!(
        report["docker"]["baseImage"],
        "localhost/test/debian:bookworm"
    );
    assert_eq!(report["docker"]["baseImageSource"], "dockerfile");
    assert_eq!(report["docker"]["baseLayerCount"], 1);
    let mut base_high = 0;
    for v in vulns {
        let layer = expected_layer(&f, v);
        assert_eq!(v["layer"]["index"], layer, "{v}");
        if layer == 0 {
            base_high += usize::from(v["severity"] == "high");
            assert_eq!(
                v["dockerBaseImage"], "localhost/test/debian:bookworm",
                "{v}"
            );
            // Its instruction is the FROM, with its line.
            let (line, text) = from_line(&f.dockerfile);
            assert_eq!(v["dockerfileInstruction"], text.as_str(), "{v}");
            assert_eq!(v["dockerfileLine"], line, "{v}");
        } else {
            let (line, text) = &steps[layer - 1];
            assert_eq!(v["dockerfileInstruction"], text.as_str(), "{v}");
            assert_eq!(v["dockerfileLine"], *line, "{v}");
            assert!(v.get("dockerBaseImage").is_none(), "{v}");
        }
    }
    assert_eq!(
        report["docker"]["baseImageVulnerabilities"]["high"], base_high,
        "the base table counts the base findings"
    );
    // The upgraded base package is the apt step's.
    let up = vulns.iter().find(|v| v["id"] == "CVE-2099-0103").unwrap();
    assert_eq!(up["layer"]["index"], 1);
    assert!(up["dockerfileInstruction"]
        .as_str()
        .unwrap()
        .starts_with("RUN apt-get update"));

    // Text: the same facts, docker-scan wording.
    let out = shipshape(&[
        "--db",
        &f.db,
        "--offline",
        "scan",
        &f.target,
        "--file",
        file,
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("Introduced by your base image (localhost/test/debian:bookworm)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Introduced in your Dockerfile by `{}`",
            steps[0].1
        )),
        "{text}"
    );
    assert!(text.contains("Target file:"), "{text}");
}

/// Validates `--exclude-base`: exactly the findings of the user's layers remain, the JSON
/// says how many were hidden, and the gate counts only what is shown.
#[test]
fn exclude_base_keeps_exactly_the_users_findings() {
    let Some(f) = app_fixture() else { return };
    let file = f.dockerfile.to_str().unwrap();
    let (all, _) = scan_json(&f, &["--file", file]);
    let (shown, _) = scan_json(&f, &["--file", file, "--exclude-base"]);
    let key = |v: &Value| format!("{}|{}", v["id"], v["name"]);
    let all_v = all["vulnerabilities"].as_array().unwrap();
    let expect: Vec<String> = all_v
        .iter()
        .filter(|v| expected_layer(&f, v) > 0)
        .map(key)
        .collect();
    let hidden = all_v.len() - expect.len();
    assert!(hidden > 0 && !expect.is_empty());
    let got: Vec<String> = shown["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert_eq!(got, expect);
    assert_eq!(shown["docker"]["excludedBaseCount"], hidden);
    let total: u64 = ["critical", "high", "medium", "low", "unknown"]
        .iter()
        .map(|s| shown["severityCounts"][s].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, expect.len());
    assert_eq!(
        shown["docker"]["baseImageVulnerabilities"],
        all["docker"]["baseImageVulnerabilities"]
    );
}

/// Validates the guide's jq pipeline on `--file --exclude-base --json`.
#[test]
fn guide_jq_pipeline() {
    let Some(f) = app_fixture() else { return };
    let steps = layer_instructions(&f.dockerfile);
    let file = f.dockerfile.to_str().unwrap();
    let (_, out) = scan_json(&f, &["--file", file, "--exclude-base"]);
    let Some(rows) = jq(GUIDE_JQ, &out.stdout) else {
        return;
    };
    let rows = rows.as_array().unwrap();
    // Only the curl advisory is high, fixed, and from a user layer (zlib's is the base's).
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["packageName"], "curl", "{r}");
        assert_eq!(r["dockerfileInstruction"], steps[0].1.as_str(), "{r}");
    }
}

/// Validates that a Dockerfile the image was not built from is reported (S007) and
/// attributes nothing, instead of naming wrong lines.
#[test]
fn mismatched_dockerfile_is_a_warning_not_a_wrong_attribution() {
    let Some(f) = app_fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("Dockerfile");
    std::fs::write(
        &other,
        "FROM localhost/test/debian:bookworm\nRUN apt-get update && apt-get install -y nginx\nCOPY site /srv\nRUN echo done\n",
    )
    .unwrap();
    let (report, out) = scan_json(&f, &["--file", other.to_str().unwrap()]);
    let diags = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        diags.iter().any(|d| d["code"] == "S007"),
        "{diags:?}\n{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("S007"), "{}", stderr(&out));
    for v in report["vulnerabilities"].as_array().unwrap() {
        assert!(v.get("dockerfileLine").is_none(), "{v}");
        let instr = v["dockerfileInstruction"].as_str().unwrap_or_default();
        assert!(
            !instr.contains("nginx") && !instr.contains("echo done"),
            "{v}"
        );
    }
}

/// Validates the errors: an unreadable or invalid Dockerfile, an unknown --target stage,
/// and --exclude-base on an image whose base cannot be told apart — each exit 2, naming it.
#[test]
fn bad_dockerfile_inputs() {
    let Some(f) = app_fixture() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Dockerfile.bad");
    std::fs::write(&bad, "FROM debian:12\nRUNN apt-get install -y curl\n").unwrap();
    let huge = dir.path().join("Dockerfile.huge");
    let mut big = b"FROM debian:12\n".to_vec();
    big.resize(5 << 20, b'#');
    std::fs::write(&huge, big).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--file".into(), huge.display().to_string()],
            "more than a Dockerfile can be",
        ),
        (
            vec![
                "--file".into(),
                dir.path().join("nope").display().to_string(),
            ],
            "cannot read the Dockerfile",
        ),
        (vec!["--file".into(), bad.display().to_string()], "line 2"),
        (
            vec![
                "--file".into(),
                f.dockerfile.display().to_string(),
                "--target".into(),
                "nosuchstage".into(),
            ],
            "nosuchstage",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["--db", &f.db, "--offline", "scan", &f.target];
        args.extend(extra.iter().map(String::as_str));
        let out = shipshape(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{extra:?}: {}", stderr(&out));
    }
}

/// Validates base detection without a Dockerfile, rule by rule, on the same image in
/// different containers: the OCI layout carries buildah's base annotations; a
/// docker-archive has none, so `--base-image` (leading diff_ids) answers, and without it the
/// history (buildah's `FROM` comment). Each way hides exactly the base layer's findings.
#[test]
fn base_image_without_a_dockerfile() {
    let Some(f) = app_fixture() else { return };
    let Some(images) = Images::load() else { return };
    let archive = format!(
        "docker-archive:{}",
        images.path("APP_DOCKER_ARCHIVE").display()
    );
    let base = format!(
        "oci-dir:{}:{}",
        images.path("BASE_OCI_DIR").display(),
        images.var("BASE_OCI_TAG")
    );
    let (with_file, _) = scan_json(&f, &["--file", f.dockerfile.to_str().unwrap()]);
    let hidden = with_file["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| expected_layer(&f, v) == 0)
        .count();
    assert!(hidden > 0);
    let cases: Vec<(String, Vec<String>, &str)> = vec![
        (f.target.clone(), vec![], "annotation"),
        (
            archive.clone(),
            vec!["--base-image".into(), base.clone()],
            "diff-ids",
        ),
        (archive.clone(), vec![], "history"),
    ];
    for (target, extra, source) in cases {
        let mut args = vec!["--exclude-base"];
        args.extend(extra.iter().map(String::as_str));
        let (r, out) = scan_target_json(&f, &target, &args);
        assert!(out.status.code() == Some(1), "{source}: {}", stderr(&out));
        assert_eq!(r["docker"]["baseImageSource"], source, "{source}");
        assert_eq!(r["docker"]["baseLayerCount"], 1, "{source}");
        assert_eq!(r["docker"]["excludedBaseCount"], hidden, "{source}");
        if source != "diff-ids" {
            assert_eq!(
                r["docker"]["baseImage"], "localhost/test/debian:bookworm",
                "{source}"
            );
        }
        for v in r["vulnerabilities"].as_array().unwrap() {
            assert!(expected_layer(&f, v) > 0, "{source}: {v}");
        }
    }
    // A root filesystem has no layers: --exclude-base cannot work and says so.
    let rootfs = format!("dir:{}", images.path("APP_ROOTFS").display());
    let out = shipshape(&[
        "--db",
        &f.db,
        "--offline",
        "scan",
        &rootfs,
        "--exclude-base",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--exclude-base"), "{}", stderr(&out));
}

/// The guide-shaped image (FROM test/debian:11.6; RUN apt with an ARG over several lines,
/// WORKDIR, COPY, RUN apt with a same-version reinstall) with advisories on a base package,
/// a package the first RUN installed, a base package it upgraded, the second RUN's curl and
/// the package it reinstalled. Expected layers: the build script's dpkg walk, moved up to
/// the last layer that wrote the package's dpkg file list (guide.touched.tsv).
fn guide_fixture() -> Option<Fixture> {
    let images = Images::load()?;
    if images.get("GUIDE_OCI_DIR").is_none() {
        missing("the guide image (rebuild the test images with scripts/test-images/build.sh)");
        return None;
    }
    let target = format!(
        "oci-dir:{}:{}",
        images.path("GUIDE_OCI_DIR").display(),
        images.var("GUIDE_OCI_TAG")
    );
    let mut layers = installed_rows(&images, "GUIDE_LAYERS_TSV");
    for r in images.tsv("GUIDE_TOUCHED_TSV") {
        let l: usize = r[1].parse().unwrap();
        let e = layers.get_mut(&r[0]).unwrap();
        e.1 = e.1.max(l);
    }
    let reinstalled = images.var("GUIDE_REINSTALLED").to_string();
    assert!(layers[&reinstalled].1 > 0);
    let upgraded = images.tsv("GUIDE_UPGRADED_TSV");
    let sbom = sbom_json(&target, &[]);
    let source = |bin: &str| source_of(&sbom, bin);
    let mut tracker = serde_json::Map::new();
    let picks = [
        ("zlib1g", "high", 0),
        ("git", "high", 1),
        (upgraded[0][0].as_str(), "high", 1),
        ("curl", "high", 3),
        (reinstalled.as_str(), "high", 3),
    ];
    for (i, (bin, urgency, layer)) in picks.iter().enumerate() {
        assert_eq!(layers[*bin].1, *layer, "{bin}");
        let (src, ver) = source(bin);
        tracker.insert(
            src.clone(),
            json!({format!("CVE-2099-02{i:02}"): {"description": format!("{src}: test issue"), "scope": "remote",
                "releases": {"bullseye": {"status": "resolved", "fixed_version": format!("{ver}+fix1"),
                    "urgency": urgency, "repositories": {"bullseye": ver}}}}}),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db").display().to_string();
    let path = dir.path().join("tracker.json");
    std::fs::write(&path, serde_json::to_vec(&tracker).unwrap()).unwrap();
    import_feed(&db, "debian-json", path.to_str().unwrap());
    Some(Fixture {
        _dir: dir,
        db,
        target,
        dockerfile: repo_root().join(images.var("GUIDE_DOCKERFILE")),
        layers,
    })
}

/// Validates, on the guide-shaped image, that every finding names the instruction that
/// really installed, upgraded or reinstalled its package (or the base image), and that the
/// guide's jq pipeline over `--file --exclude-base --json` returns exactly the user's
/// high, fixable findings with their `dockerfileInstruction` as written.
#[test]
fn guide_image_attribution_and_jq_pipeline() {
    let Some(f) = guide_fixture() else { return };
    let steps = layer_instructions(&f.dockerfile);
    assert_eq!(steps.len(), 3, "{steps:?}");
    // Layer n (n ≥ 1) was made by the n-th layer-making instruction.
    let file = f.dockerfile.to_str().unwrap();
    let (all, _) = scan_json(&f, &["--file", file]);
    assert_eq!(all["docker"]["baseImage"], "localhost/test/debian:11.6");
    assert_eq!(all["docker"]["baseLayerCount"], 1);
    let vulns = all["vulnerabilities"].as_array().unwrap();
    assert!(vulns.len() >= 5, "{vulns:?}");
    let mut expect_rows = Vec::new();
    for v in vulns {
        let layer = f.layers[v["binaryName"].as_str().unwrap()].1;
        assert_eq!(v["layer"]["index"], layer, "{v}");
        if layer == 0 {
            assert_eq!(v["dockerBaseImage"], "localhost/test/debian:11.6", "{v}");
            let (line, text) = from_line(&f.dockerfile);
            assert_eq!(v["dockerfileInstruction"], text.as_str(), "{v}");
            assert_eq!(v["dockerfileLine"], line, "{v}");
        } else {
            let (line, text) = &steps[layer - 1];
            assert_eq!(v["dockerfileInstruction"], text.as_str(), "{v}");
            assert_eq!(v["dockerfileLine"], *line, "{v}");
            if v["severity"] == "high" && v["nearestFixedInVersion"].is_string() {
                expect_rows.push(json!({
                    "packageName": v["packageName"],
                    "dockerfileInstruction": text,
                    "title": v["title"],
                    "severity": "high",
                    "version": v["version"],
                    "nearestFixedInVersion": v["nearestFixedInVersion"],
                }));
            }
        }
    }
    // The instructions really are the guide's: the ARG stays as written.
    assert!(steps[0].1.contains("$APT_FLAGS") && steps[0].1.contains("git vim-tiny"));
    assert!(steps[2].1.contains("--reinstall"));

    let (shown, out) = scan_json(&f, &["--file", file, "--exclude-base"]);
    let Some(rows) = jq(GUIDE_JQ, &out.stdout) else {
        return;
    };
    assert_eq!(rows, Value::Array(expect_rows.clone()));
    // git (first RUN), the upgraded library (first RUN), curl and the reinstalled package
    // (second RUN): four user findings; the base's zlib is hidden.
    let instrs: std::collections::BTreeSet<&str> = expect_rows
        .iter()
        .map(|r| r["dockerfileInstruction"].as_str().unwrap())
        .collect();
    assert_eq!(
        instrs,
        [steps[0].1.as_str(), steps[2].1.as_str()]
            .into_iter()
            .collect()
    );
    assert!(expect_rows.len() >= 4, "{expect_rows:?}");
    assert!(shown["docker"]["excludedBaseCount"].as_u64().unwrap() >= 1);
}

/// Validates a multi-stage build: `--target dev` and the default (last) stage `prod` each
/// attribute through the stage chain (the shared `base` stage's RUN, then the stage's own
/// instructions); the wrong stage for an image is a mismatch warning, not a wrong answer.
#[test]
fn multistage_targets() {
    let Some(images) = Images::load() else { return };
    if images.get("MULTISTAGE_DEV_OCI_DIR").is_none() {
        missing("the multistage images (rebuild with scripts/test-images/build.sh)");
        return;
    }
    let dockerfile = repo_root().join(images.var("MULTISTAGE_DOCKERFILE"));
    let file = dockerfile.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("test.db").display().to_string();
    // ca-certificates comes from the shared `base` stage's RUN, git from dev's own RUN.
    let dev_pkgs: BTreeMap<String, String> = images
        .tsv("MULTISTAGE_DEV_DPKG_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut doc = serde_json::Map::new();
    for (i, name) in ["ca-certificates", "git"].iter().enumerate() {
        let ver = &dev_pkgs[*name];
        doc.insert(
            name.to_string(),
            json!({format!("CVE-2099-03{i:02}"): {"description": format!("{name}: test issue"), "scope": "remote",
                "releases": {"bookworm": {"status": "resolved", "fixed_version": format!("{ver}+fix1"),
                    "urgency": "high", "repositories": {"bookworm": ver}}}}}),
        );
    }
    let steps: Vec<(usize, String)> = {
        // (line, text) of the three RUNs/COPYs that matter, read from the file here.
        let text = std::fs::read_to_string(&dockerfile).unwrap();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| !l.trim_start().starts_with('#') && l.contains(needle))
                .map(|i| i + 1)
                .unwrap_or_else(|| panic!("{needle}"))
        };
        vec![
            (line_of("ca-certificates &&"), "ca-certificates".into()),
            (line_of("git make"), "git make".into()),
        ]
    };
    let tracker = dir.path().join("tracker.json");
    std::fs::write(&tracker, serde_json::to_vec(&doc).unwrap()).unwrap();
    import_feed(&db, "debian-json", tracker.to_str().unwrap());
    for (prefix, stage, layers) in [
        ("MULTISTAGE_DEV", Some("dev"), 4),
        ("MULTISTAGE_PROD", None, 3),
    ] {
        let target = format!(
            "oci-dir:{}:{}",
            images.path(&format!("{prefix}_OCI_DIR")).display(),
            images.var(&format!("{prefix}_OCI_TAG"))
        );
        let mut args = vec![
            "--db",
            &db,
            "--offline",
            "scan",
            &target,
            "--json",
            "--file",
            file,
        ];
        if let Some(s) = stage {
            args.extend(["--target", s]);
        }
        let out = shipshape(&args);
        let r: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        assert_eq!(
            r["docker"]["baseImage"], "localhost/test/debian:bookworm",
            "{prefix}"
        );
        assert_eq!(r["docker"]["baseLayerCount"], 1, "{prefix}");
        assert_eq!(r["image"]["layerCount"], layers, "{prefix}");
        let diags = r["diagnostics"].as_array().cloned().unwrap_or_default();
        assert!(
            !diags.iter().any(|d| d["code"] == "S007"),
            "{prefix}: {diags:?}"
        );
        let vulns = r["vulnerabilities"].as_array().unwrap();
        for v in vulns {
            // RUN lines start one line before the package list line.
            let (line, _) = steps
                .iter()
                .find(|(_, pkgs)| pkgs.contains(v["packageName"].as_str().unwrap()))
                .unwrap_or_else(|| panic!("{v}"));
            assert_eq!(v["dockerfileLine"], line - 1, "{prefix}: {v}");
            assert!(
                v["dockerfileInstruction"]
                    .as_str()
                    .unwrap()
                    .starts_with("RUN apt-get update"),
                "{v}"
            );
        }
        let names: std::collections::BTreeSet<&str> = vulns
            .iter()
            .map(|v| v["packageName"].as_str().unwrap())
            .collect();
        let want: &[&str] = if stage.is_some() {
            &["ca-certificates", "git"]
        } else {
            &["ca-certificates"]
        };
        assert_eq!(names, want.iter().copied().collect(), "{prefix}");
        // The other stage's Dockerfile view does not fit this image.
        let other = if stage.is_some() { "prod" } else { "dev" };
        let out = shipshape(&[
            "--db",
            &db,
            "--offline",
            "scan",
            &target,
            "--json",
            "--file",
            file,
            "--target",
            other,
        ]);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        let diags = r["diagnostics"].as_array().cloned().unwrap_or_default();
        assert!(
            diags.iter().any(|d| d["code"] == "S007"),
            "{prefix} as {other}: {diags:?}"
        );
    }
}

/// Validates "a base image scanned before": the app as a docker-archive (no annotations)
/// names its base from the history until the base image has been scanned from the registry;
/// from then on its leading layers name it (`diff-ids`), and `--exclude-base` hides exactly
/// the base layer's findings.
#[test]
fn base_image_scanned_before() {
    let Some(f) = app_fixture() else { return };
    let Some(reg) = registry("SHIPSHAPE_TEST_REGISTRY") else {
        return;
    };
    let Some(images) = Images::load() else { return };
    let archive = format!(
        "docker-archive:{}",
        images.path("APP_DOCKER_ARCHIVE").display()
    );
    let scan = |target: &str, extra: &[&str]| scan_target_json(&f, target, extra).0;
    let before = scan(&archive, &[]);
    assert_eq!(before["docker"]["baseImageSource"], "history");
    let base_ref = format!("{reg}/test/debian:bookworm");
    scan(&base_ref, &[]);
    let after = scan(&archive, &["--exclude-base"]);
    assert_eq!(after["docker"]["baseImageSource"], "diff-ids");
    assert_eq!(after["docker"]["baseImage"], base_ref.as_str());
    assert_eq!(after["docker"]["baseLayerCount"], 1);
    let hidden = before["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| expected_layer(&f, v) == 0)
        .count();
    assert_eq!(after["docker"]["excludedBaseCount"], hidden);
}

/// Validates that `--base-image` names the base over the image's own annotation when its
/// layers are the image's bottom layers, and that one that is not the base is reported
/// (S008) and ignored, the annotation answering instead.
#[test]
fn base_image_flag_wins_only_when_it_is_the_base() {
    let Some(f) = app_fixture() else { return };
    let Some(images) = Images::load() else { return };
    let Some(bullseye) = images.get("BULLSEYE_OCI_DIR") else {
        missing("the bullseye base image (rebuild with scripts/test-images/build.sh)");
        return;
    };
    let base = format!(
        "oci-dir:{}:{}",
        images.path("BASE_OCI_DIR").display(),
        images.var("BASE_OCI_TAG")
    );
    let (r, _) = scan_json(&f, &["--base-image", &base]);
    assert_eq!(r["docker"]["baseImageSource"], "diff-ids");
    assert_eq!(r["docker"]["baseImage"], base.as_str());
    let other = format!(
        "oci-dir:{}:{}",
        images.dir.join(bullseye).display(),
        images.var("BULLSEYE_OCI_TAG")
    );
    let (r, out) = scan_json(&f, &["--base-image", &other]);
    assert_eq!(r["docker"]["baseImageSource"], "annotation");
    assert_eq!(r["docker"]["baseImage"], "localhost/test/debian:bookworm");
    let diags = r["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(diags.iter().any(|d| d["code"] == "S008"), "{diags:?}");
    assert!(stderr(&out).contains("S008"), "{}", stderr(&out));
}

/// Validates base image advice against registries that need credentials (basic auth and
/// bearer tokens, credentials from the docker config as for the scan itself): the tags of
/// test/debian are listed there (`bookworm` and `12`, one image), so the advice is a real
/// answer (the current base is the best there is), not a skip.
#[test]
fn advice_through_authenticated_registries() {
    let Some(f) = app_fixture() else { return };
    let user = std::env::var("SHIPSHAPE_TEST_REGISTRY_USER").unwrap_or_else(|_| "shipshape".into());
    let password = std::env::var("SHIPSHAPE_TEST_REGISTRY_PASSWORD")
        .unwrap_or_else(|_| "test-password".into());
    for var in [
        "SHIPSHAPE_TEST_AUTH_REGISTRY",
        "SHIPSHAPE_TEST_TOKEN_REGISTRY",
    ] {
        let Some(reg) = registry(var) else { continue };
        let config = crate::sbom_registry::docker_config(&reg, &user, &password);
        let base = format!("{reg}/test/debian:bookworm");
        let out = shipshape_env(
            &[
                "--db",
                &f.db,
                "scan",
                &format!("{reg}/test/app:1"),
                "--base-image",
                &base,
                "--json",
            ],
            &[("DOCKER_CONFIG", config.path().to_str().unwrap())],
        );
        assert_eq!(out.status.code(), Some(1), "{var}: {}", stderr(&out));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["docker"]["baseImage"], base.as_str(), "{var}");
        let advice = &r["docker"]["baseImageRemediation"];
        assert_eq!(advice["code"], "NO_REMEDIATION", "{var}: {advice}");
        let text = advice["advice"].to_string();
        assert!(text.contains("most secure version"), "{var}: {advice}");
    }
}
