//! `shipshape sbom` on the real images built by scripts/test-images/build.sh.

use serde_json::Value;

use crate::support::*;

/// Validates that the SBOM of every local form of both images lists exactly the packages
/// `dpkg-query -W` lists for the image's root filesystem.
#[test]
fn sbom_equals_dpkg_query_in_every_local_format() {
    let Some(images) = Images::load() else { return };
    for (prefix, tsv) in [("APP", "APP_DPKG_TSV"), ("BASE", "BASE_DPKG_TSV")] {
        let expected = dpkg_rows(&images, tsv);
        assert!(
            expected.len() > 80,
            "{tsv} has only {} rows",
            expected.len()
        );
        let p = |k: &str| images.path(&format!("{prefix}_{k}")).display().to_string();
        let targets = [
            format!("docker-archive:{}", p("DOCKER_ARCHIVE")),
            format!("oci-archive:{}", p("OCI_ARCHIVE")),
            format!("oci-dir:{}", p("OCI_DIR")),
            format!(
                "oci-dir:{}:{}",
                p("OCI_DIR"),
                images.var(&format!("{prefix}_OCI_TAG"))
            ),
            format!("dir:{}", p("ROOTFS")),
        ];
        for target in &targets {
            let sbom = sbom_json(target, &[]);
            assert_eq!(package_rows(&sbom), expected, "{target}");
            assert_eq!(sbom["os"]["id"], "debian", "{target}");
            assert_eq!(sbom["os"]["version_id"], "12", "{target}");
            assert_eq!(
                sbom["diagnostics"].as_array().map_or(0, Vec::len),
                0,
                "{target}: {}",
                sbom["diagnostics"]
            );
        }
    }
}

/// Validates provenance against the real dpkg state before and after every build step:
/// each package is credited to the layer from which it is present without a gap, packages
/// the RUN apt-get step installed or upgraded name that step.
#[test]
fn packages_are_attributed_to_the_step_that_installed_them() {
    let Some(images) = Images::load() else { return };
    let expected: Vec<(String, String, usize)> = images
        .tsv("APP_LAYERS_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].parse().unwrap()))
        .collect();
    let history = images.tsv("APP_HISTORY_TSV");
    let layer_steps: Vec<&str> = history
        .iter()
        .filter(|r| r[0] != "-")
        .map(|r| r[1].as_str())
        .collect();
    assert!(
        layer_steps.len() >= 4,
        "the app image has {} layers",
        layer_steps.len()
    );
    let upgraded = images.tsv("APP_UPGRADED_TSV");
    assert!(
        !upgraded.is_empty(),
        "the app image upgrades no base package"
    );

    for target in [
        format!(
            "docker-archive:{}",
            images.path("APP_DOCKER_ARCHIVE").display()
        ),
        format!("oci-dir:{}", images.path("APP_OCI_DIR").display()),
    ] {
        let sbom = sbom_json(&target, &[]);
        let packages: Vec<&Value> = sbom["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["type"] == "deb")
            .collect();
        assert_eq!(packages.len(), expected.len(), "{target}");
        let mut run_step = 0;
        for (name, version, layer) in &expected {
            let p = packages
                .iter()
                .find(|p| p["name"] == name.as_str() && p["version"] == version.as_str())
                .unwrap_or_else(|| panic!("{target}: {name} {version} missing"));
            let intro = &p["introduced"];
            assert_eq!(intro["layer_index"], *layer, "{target}: {name} {version}");
            assert_eq!(intro["created_by"], layer_steps[*layer], "{target}: {name}");
            assert_eq!(
                intro["layer_digest"], sbom["layers"][*layer]["digest"],
                "{target}: {name}"
            );
            if *layer == 1 {
                run_step += 1;
                assert!(
                    layer_steps[1].contains("apt-get install"),
                    "{}",
                    layer_steps[1]
                );
            }
        }
        assert!(
            run_step > 20,
            "{target}: only {run_step} packages from the RUN apt-get step"
        );
        for row in &upgraded {
            let (name, new) = (&row[0], &row[2]);
            let p = packages
                .iter()
                .find(|p| p["name"] == name.as_str())
                .unwrap();
            assert_eq!(
                p["version"],
                new.as_str(),
                "{target}: {name} is the upgraded version"
            );
            assert_eq!(
                p["introduced"]["layer_index"], 1,
                "{target}: the upgrade of {name} belongs to the RUN step"
            );
        }
    }
}

/// Validates CycloneDX 1.6 and SPDX 2.3 output of a real image against the official
/// schemas, with one component per package and purls per the purl spec.
#[test]
fn cyclonedx_and_spdx_of_a_real_image_validate() {
    let Some(images) = Images::load() else { return };
    let target = format!("oci-archive:{}", images.path("APP_OCI_ARCHIVE").display());
    let expected = dpkg_rows(&images, "APP_DPKG_TSV");
    // The debs and the distributions pip installed (see sbom_python.rs).
    let installed = expected.len() + images.tsv("APP_PYTHON_TSV").len();
    let dir = tempfile::tempdir().unwrap();

    let cdx_path = dir.path().join("bom.cdx.json");
    let out = shipshape(&[
        "sbom",
        &target,
        "--format",
        "cyclonedx",
        "--output",
        cdx_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "--output writes nothing to stdout");
    let bom: Value = serde_json::from_slice(&std::fs::read(&cdx_path).unwrap()).unwrap();
    assert_valid("bom-1.6.SNAPSHOT.schema.json", &bom);
    let libs: Vec<&Value> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .collect();
    assert_eq!(libs.len(), installed);
    let ssl = libs
        .iter()
        .find(|c| c["name"] == "libssl3")
        .expect("libssl3 in the app image");
    let purl = ssl["purl"].as_str().unwrap();
    assert!(purl.starts_with("pkg:deb/debian/libssl3@"), "{purl}");
    assert!(
        purl.contains("arch=amd64") || purl.contains("arch=arm64"),
        "{purl}"
    );
    assert!(
        purl.contains("distro=debian-12") && purl.contains("upstream=openssl"),
        "{purl}"
    );

    let out = shipshape(&["sbom", &target, "--format", "spdx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("spdx-schema.json", &spdx);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    let with_purl = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["externalRefs"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["referenceType"] == "purl"))
        })
        .count();
    assert_eq!(
        with_purl, installed,
        "one SPDX package with a purl per installed package"
    );
}
