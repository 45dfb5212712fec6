//! `shipshape sbom` finds the Python distributions pip installed in the real app image, and
//! credits them to the pip step; those Debian's python3-* packages installed stay debs.

use serde_json::Value;

use crate::support::*;

/// PEP 503 normalisation, as purls spell pypi names.
fn pep503(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .split(['-', '_', '.'])
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&part);
    }
    out
}

/// The Python packages of an SBOM.
fn python(sbom: &Value) -> Vec<&Value> {
    sbom["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["type"] == "python")
        .collect()
}

/// Validates that every local form of the app image lists exactly the distributions whose
/// dist-info the pip step left in `usr/local/lib/python3*/dist-packages` (app.python.tsv,
/// read from their METADATA by scripts/test-images/build.sh), with pypi
/// purls, credited to the layer of the `pip install` step; that Debian's own pip, setuptools
/// and wheel (dist-info and egg-info owned by python3-* debs) are not listed as PyPI
/// packages; and that requirements become dependency edges.
#[test]
fn pip_installed_distributions_in_every_local_format() {
    let Some(images) = Images::load() else { return };
    let mut expected: Vec<(String, String, String)> = images
        .tsv("APP_PYTHON_TSV")
        .into_iter()
        .map(|r| {
            let purl = format!("pkg:pypi/{}@{}", pep503(&r[0]), r[1]);
            (r[0].clone(), r[1].clone(), purl)
        })
        .collect();
    expected.sort();
    assert!(
        expected
            .iter()
            .any(|(n, v, _)| n == "Jinja2" && v == "2.11.2")
            && expected
                .iter()
                .any(|(n, v, _)| n == "urllib3" && v == "1.26.4")
            && expected
                .iter()
                .any(|(n, v, _)| n == "requests" && v == "2.25.1"),
        "the app image pins Jinja2 2.11.2, urllib3 1.26.4 and requests 2.25.1: {expected:?}"
    );
    // The layer the pip step made: history rows are (layer index or "-", created_by).
    let history = images.tsv("APP_HISTORY_TSV");
    let (pip_layer, pip_step) = history
        .iter()
        .filter(|r| r[0] != "-" && r[1].contains("pip install"))
        .map(|r| (r[0].parse::<u64>().expect("layer index"), r[1].clone()))
        .next()
        .expect("a pip install step in the app image's history");

    let p = |k: &str| images.path(&format!("APP_{k}")).display().to_string();
    let image_targets = [
        format!("docker-archive:{}", p("DOCKER_ARCHIVE")),
        format!("oci-archive:{}", p("OCI_ARCHIVE")),
        format!("oci-dir:{}", p("OCI_DIR")),
    ];
    let rootfs = format!("dir:{}", p("ROOTFS"));
    for target in image_targets.iter().chain([&rootfs]) {
        let sbom = sbom_json(target, &[]);
        let found = python(&sbom);
        let mut rows: Vec<(String, String, String)> = found
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    p["version"].as_str().unwrap_or_default().to_string(),
                    p["purl"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        rows.sort();
        assert_eq!(rows, expected, "{target}");
        for p in &found {
            let name = &p["name"];
            let db = p["db_path"].as_str().unwrap_or_default();
            assert!(
                db.contains("/dist-packages/") && db.ends_with(".dist-info/METADATA"),
                "{target}: {name} read from {db}"
            );
            assert!(
                !db.starts_with("usr/lib/python3/dist-packages/"),
                "{target}: {name} is Debian's, owned by a python3-* deb"
            );
            if *target == rootfs {
                assert!(p.get("introduced").is_none(), "{target}: {name}");
            } else {
                let intro = &p["introduced"];
                assert_eq!(intro["layer_index"], pip_layer, "{target}: {name}");
                assert_eq!(intro["created_by"], pip_step.as_str(), "{target}: {name}");
                assert_eq!(
                    intro["layer_digest"], sbom["layers"][pip_layer as usize]["digest"],
                    "{target}: {name}"
                );
            }
        }
        let requests = found
            .iter()
            .find(|p| p["name"] == "requests")
            .expect("requests");
        assert_eq!(
            requests["depends"],
            serde_json::json!(["certifi", "chardet", "idna", "urllib3"]),
            "{target}"
        );
        let jinja = found
            .iter()
            .find(|p| p["name"] == "Jinja2")
            .expect("Jinja2");
        assert_eq!(
            jinja["depends"],
            serde_json::json!(["MarkupSafe"]),
            "{target}"
        );
        // Debian's pip stays the deb python3-pip, not a PyPI pip.
        let packages = sbom["packages"].as_array().expect("packages");
        assert!(
            packages
                .iter()
                .any(|p| p["type"] == "deb" && p["name"] == "python3-pip"),
            "{target}"
        );
        for name in ["pip", "setuptools", "wheel"] {
            assert!(
                !found.iter().any(|p| p["name"] == name),
                "{target}: {name} is owned by a python3-* deb"
            );
        }
        assert_eq!(
            sbom["diagnostics"].as_array().map_or(0, Vec::len),
            0,
            "{target}: {}",
            sbom["diagnostics"]
        );
    }
}
