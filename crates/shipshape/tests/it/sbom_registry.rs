//! `shipshape sbom` against real OCI registries (CNCF distribution) on loopback: open, basic
//! auth and bearer-token auth, each holding the app and base test images.

use crate::support::*;

fn app_manifest_digest(images: &Images) -> String {
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(images.path("APP_OCI_DIR").join("index.json")).unwrap(),
    )
    .unwrap();
    index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A docker config dir holding credentials for `registry`.
pub(crate) fn docker_config(registry: &str, user: &str, password: &str) -> tempfile::TempDir {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let auth = {
        let raw = format!("{user}:{password}");
        // base64 by hand keeps the test free of another dependency.
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b = raw.as_bytes();
        let mut s = String::new();
        for c in b.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= c.len() {
                    s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    s.push('=');
                }
            }
        }
        s
    };
    let mut f = std::fs::File::create(dir.path().join("config.json")).unwrap();
    write!(f, r#"{{"auths":{{"{registry}":{{"auth":"{auth}"}}}}}}"#).unwrap();
    dir
}

/// Validates that an image pulled from a registry, by tag and by digest, gives exactly the
/// packages dpkg-query lists, with layer provenance.
#[test]
fn sbom_from_open_registry_by_tag_and_digest() {
    let Some(images) = Images::load() else { return };
    let Some(reg) = registry("SHIPSHAPE_TEST_REGISTRY") else {
        return;
    };
    let expected = dpkg_rows(&images, "APP_DPKG_TSV");
    let by_tag = sbom_json(&format!("{reg}/test/app:1"), &[]);
    assert_eq!(package_rows(&by_tag), expected);
    assert_eq!(
        by_tag["image"]["manifest_digest"],
        app_manifest_digest(&images).as_str()
    );
    let git = by_tag["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "git")
        .unwrap();
    assert_eq!(git["introduced"]["layer_index"], 1);

    let by_digest = sbom_json(
        &format!("{reg}/test/app@{}", app_manifest_digest(&images)),
        &[],
    );
    assert_eq!(package_rows(&by_digest), expected);
    let base = sbom_json(&format!("{reg}/test/debian:12"), &[]);
    assert_eq!(package_rows(&base), dpkg_rows(&images, "BASE_DPKG_TSV"));
}

/// Validates basic-auth and token-auth registries with credentials from docker config.json,
/// and that wrong or missing credentials are a clear error with exit code 2.
#[test]
fn sbom_from_registries_with_auth() {
    let Some(images) = Images::load() else { return };
    let expected = dpkg_rows(&images, "APP_DPKG_TSV");
    let user = std::env::var("SHIPSHAPE_TEST_REGISTRY_USER").unwrap_or_else(|_| "shipshape".into());
    let password = std::env::var("SHIPSHAPE_TEST_REGISTRY_PASSWORD")
        .unwrap_or_else(|_| "test-password".into());
    for var in [
        "SHIPSHAPE_TEST_AUTH_REGISTRY",
        "SHIPSHAPE_TEST_TOKEN_REGISTRY",
    ] {
        let Some(reg) = registry(var) else { continue };
        let target = format!("{reg}/test/app:1");
        let good = docker_config(&reg, &user, &password);
        let sbom = sbom_json(&target, &[("DOCKER_CONFIG", good.path().to_str().unwrap())]);
        assert_eq!(package_rows(&sbom), expected, "{var}");

        let bad = docker_config(&reg, &user, "wrong-password");
        let out = shipshape_env(
            &["sbom", &target],
            &[("DOCKER_CONFIG", bad.path().to_str().unwrap())],
        );
        assert_eq!(out.status.code(), Some(2), "{var}: {}", stderr(&out));
        assert!(stderr(&out).contains(&reg), "{var}: {}", stderr(&out));
        assert!(
            stderr(&out).to_lowercase().contains("denied") || stderr(&out).contains("401"),
            "{var}: {}",
            stderr(&out)
        );

        let none = tempfile::tempdir().unwrap();
        let out = shipshape_env(
            &["sbom", &target],
            &[("DOCKER_CONFIG", none.path().to_str().unwrap())],
        );
        assert_eq!(out.status.code(), Some(2), "{var}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{var}: no partial SBOM on error");
    }
}

/// Validates registry errors: unknown tag (404 with MANIFEST_UNKNOWN) and unknown repository.
#[test]
fn registry_errors_name_the_image() {
    let Some(reg) = registry("SHIPSHAPE_TEST_REGISTRY") else {
        return;
    };
    for target in [
        format!("{reg}/test/app:no-such-tag"),
        format!("{reg}/no/such-repo:1"),
    ] {
        let out = shipshape(&["sbom", &target]);
        assert_eq!(out.status.code(), Some(2), "{target}");
        let err = stderr(&out);
        assert!(
            err.contains(&target) && err.contains("404"),
            "{target}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    // Nothing listens on port 1.
    let out = shipshape(&["sbom", "127.0.0.1:1/test/app:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("127.0.0.1:1"), "{}", stderr(&out));
}
