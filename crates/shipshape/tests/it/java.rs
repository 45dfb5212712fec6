//! Java archives in a real image: the JVM test image (tests/images/jvm) holds jars copied out
//! of real Debian packages into /app (plain, shaded, Spring Boot nested, war, name-only),
//! while the same jars under /usr/share/java belong to their Debian packages.

use serde_json::Value;

use crate::support::*;

/// The JVM image as an OCI layout target.
fn jvm_target(images: &Images) -> String {
    images.oci_target("JVM")
}

/// (db_path, name, version) of every Maven package of a native SBOM, sorted.
fn maven_rows(sbom: &Value) -> Vec<(String, String, String)> {
    package_fields(sbom, "maven", ["db_path", "name", "version"])
        .into_iter()
        .map(|[p, n, v]| (p, n, v))
        .collect()
}

/// Validates that the SBOM of the JVM image lists exactly the Maven packages the build
/// script read from the archives under /app with Python's zipfile (jvm.maven.tsv: one per
/// pom.properties, nested archives opened, the name-only jar by its file name), as
/// `GROUP:ARTIFACT` with `pkg:maven` purls, credited to the layer of the step that
/// assembled /app; that the jars of /usr/share/java stay their Debian packages; and that
/// the outer archive depends on the archive nested in it.
#[test]
fn maven_packages_of_the_jvm_image() {
    let Some(images) = Images::load() else { return };
    let target = jvm_target(&images);
    let sbom = sbom_json(&target, &[]);
    let mut expected: Vec<(String, String, String)> = images
        .tsv("JVM_MAVEN_TSV")
        .into_iter()
        .map(|r| {
            let name = if r[1] == "-" {
                r[2].clone()
            } else {
                format!("{}:{}", r[1], r[2])
            };
            (r[0].clone(), name, r[3].clone())
        })
        .collect();
    expected.sort();
    assert!(expected.len() >= 8, "{expected:?}");
    assert_eq!(maven_rows(&sbom), expected);

    let packages = sbom["packages"].as_array().unwrap();
    let maven: Vec<&Value> = packages.iter().filter(|p| p["type"] == "maven").collect();
    // The step that copied the jars into /app is layer 2 (0 base, 1 apt, 2 assemble).
    for p in &maven {
        assert_eq!(p["introduced"]["layer_index"], 2, "{p}");
        let name = p["name"].as_str().unwrap();
        let version = p["version"].as_str().unwrap();
        let purl = p["purl"].as_str().unwrap();
        match name.split_once(':') {
            Some((group, artifact)) => assert_eq!(
                purl,
                format!("pkg:maven/{group}/{artifact}@{version}"),
                "{p}"
            ),
            None => assert!(purl.starts_with("pkg:maven/"), "{p}"),
        }
    }
    // Nothing under /usr/share/java is a Maven package: Debian's packages own those files.
    assert!(maven
        .iter()
        .all(|p| p["db_path"].as_str().unwrap().starts_with("app/")));
    let debs: Vec<&str> = packages
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for deb in [
        "libjackson2-databind-java",
        "libcommons-lang3-java",
        "libslf4j-java",
    ] {
        assert!(debs.contains(&deb), "{deb} missing: {debs:?}");
    }
    // The Spring Boot jar's own package, if it has one, depends on its nested jar; the
    // nested one is reachable in CycloneDX's dependency graph from the image either way.
    let bom = {
        let out = shipshape(&["sbom", &target, "--format", "cyclonedx"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let nested = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:maven/org.slf4j/slf4j-simple@"))
        })
        .expect("the nested slf4j-simple jar in CycloneDX");
    let nested_ref = nested["bom-ref"].as_str().unwrap();
    assert!(
        bom["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["dependsOn"]
                .as_array()
                .is_some_and(|on| on.iter().any(|r| r == nested_ref))),
        "nothing depends on {nested_ref}"
    );
}

/// Validates matching on the real image: an OSV Maven record (written here in the published
/// format) for jackson-databind below a fixed version above the installed one gives one
/// finding on the copy under /app, with its fixed version, and with `--file` the Dockerfile
/// line of the step that put it there; the Debian package of the same jar is not matched as
/// Maven.
#[test]
fn jackson_databind_finding_with_its_dockerfile_line() {
    let Some(images) = Images::load() else { return };
    let installed = images
        .tsv("JVM_MAVEN_TSV")
        .into_iter()
        .find(|r| r[2] == "jackson-databind")
        .expect("jackson-databind in jvm.maven.tsv")[3]
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db").display().to_string();
    let osv = dir.path().join("GHSA-test-jackson.json");
    let fixed = format!("{installed}.99");
    std::fs::write(
        &osv,
        serde_json::json!({
            "id": "GHSA-test-jackson", "modified": "2024-01-01T00:00:00Z",
            "published": "2024-01-01T00:00:00Z", "aliases": ["CVE-2099-0001"],
            "summary": "jackson-databind deserialization flaw",
            "severity": [{"type": "CVSS_V3",
                "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "Maven",
                "name": "com.fasterxml.jackson.core:jackson-databind"},
              "ranges": [{"type": "ECOSYSTEM",
                "events": [{"introduced": "2.0.0"}, {"fixed": fixed}]}]}]
        })
        .to_string(),
    )
    .unwrap();
    import_feed(&db, "osv", osv.to_str().unwrap());
    let target = jvm_target(&images);
    let dockerfile =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/jvm/Dockerfile");
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &target,
        "--json",
        "--recommend-limit",
        "0",
        "-f",
        dockerfile.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<&Value> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "CVE-2099-0001")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = findings[0];
    assert_eq!(
        f["packageName"],
        "com.fasterxml.jackson.core:jackson-databind"
    );
    assert_eq!(f["version"], installed.as_str());
    assert_eq!(f["nearestFixedInVersion"], fixed.as_str());
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["packageManager"], "maven");
    // The second RUN of the Dockerfile assembled /app.
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    let run_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("RUN "))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(f["dockerfileLine"], run_lines[1], "{f}");
    assert!(f["dockerfileInstruction"]
        .as_str()
        .is_some_and(|i| i.starts_with("RUN set -eu; J=/usr/share/java;")));
    assert!(f.get("dockerBaseImage").is_none(), "{f}");
}
