//! The SBOM reader against fixtures from shipshape, syft and trivy of one Debian image.

use super::*;
use crate::model::{Package, PackageType};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sbom")
        .join(name)
}

/// (name, version, arch) of every package of the base image, from dpkg-query.
fn expected() -> Vec<(String, String, String)> {
    std::fs::read_to_string(fixture("debian-bookworm.dpkg.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].into(), f[1].into(), f[2].into())
        })
        .collect()
}

fn check(name: &str) -> Inventory {
    let inv = inventory_sbom(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut got: Vec<(String, String, String)> = inv
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.package_type, Some(PackageType::Deb), "{name}: {}", p.name);
            assert!(p.purl.starts_with("pkg:deb/debian/"), "{}", p.purl);
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let mut want = expected();
    want.sort();
    assert_eq!(want.len(), 88);
    assert_eq!(got, want, "{name}");
    assert!(inv.diagnostics.is_empty(), "{name}: {:?}", inv.diagnostics);
    let os = inv.os.as_ref().expect("os");
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref()),
        ("debian", Some("12")),
        "{name}"
    );
    inv
}

fn pkg<'a>(inv: &'a Inventory, name: &str) -> &'a Package {
    inv.packages.iter().find(|p| p.name == name).unwrap()
}

/// Validates shipshape's own CycloneDX: packages, sources, layers, depends, image.
#[test]
fn shipshape_cyclonedx() {
    let inv = check("shipshape.cdx.json");
    assert_eq!(
        inv.image.identity.name,
        "docker-archive:debian-bookworm.docker.tar"
    );
    let z = pkg(&inv, "zlib1g");
    assert_eq!(z.source_name.as_deref(), Some("zlib"));
    assert_eq!(z.db_path, "var/lib/dpkg/status");
    let intro = z.introduced.as_ref().unwrap();
    assert_eq!(intro.layer_index, 0);
    assert!(intro.created_by.as_deref().unwrap().contains("debootstrap"));
    assert_eq!(inv.layers.len(), 1);
    let bash = pkg(&inv, "bash");
    assert_eq!(bash.source_version.as_deref(), Some("5.2.15-2"));
    assert!(pkg(&inv, "adduser").depends.contains(&"passwd".to_string()));
    assert_eq!(
        inv.os.as_ref().unwrap().codename.as_deref(),
        Some("bookworm")
    );
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

/// Validates shipshape's own SPDX: sources and layers from sourceInfo and comment.
#[test]
fn shipshape_spdx() {
    let inv = check("shipshape.spdx.json");
    assert_eq!(
        inv.image.identity.name,
        "docker-archive:debian-bookworm.docker.tar"
    );
    let z = pkg(&inv, "zlib1g");
    assert_eq!(z.source_name.as_deref(), Some("zlib"));
    assert_eq!(z.source_version.as_deref(), Some("1:1.2.13.dfsg-1"));
    assert_eq!(z.introduced.as_ref().unwrap().layer_index, 0);
    assert!(pkg(&inv, "adduser").depends.contains(&"passwd".to_string()));
}

/// Validates syft's CycloneDX: `syft:metadata:source`, layer ids without an order.
#[test]
fn syft_cyclonedx() {
    let inv = check("syft.cdx.json");
    assert_eq!(pkg(&inv, "libc6").source_name.as_deref(), Some("glibc"));
    assert_eq!(pkg(&inv, "zlib1g").source_name.as_deref(), Some("zlib"));
    assert!(!pkg(&inv, "adduser").depends.is_empty());
}

/// Validates syft's SPDX: the purl `upstream` qualifier, DEPENDENCY_OF edges.
#[test]
fn syft_spdx() {
    let inv = check("syft.spdx.json");
    assert_eq!(pkg(&inv, "zlib1g").source_name.as_deref(), Some("zlib"));
    assert!(pkg(&inv, "coreutils")
        .depends
        .contains(&"libattr1".to_string()));
}

/// Validates trivy's CycloneDX: epoch qualifier, Src* properties, DiffID layer order.
#[test]
fn trivy_cyclonedx() {
    let inv = check("trivy.cdx.json");
    let z = pkg(&inv, "zlib1g");
    assert_eq!(z.version, "1:1.2.13.dfsg-1");
    assert_eq!(z.source_name.as_deref(), Some("zlib"));
    assert_eq!(z.source_version.as_deref(), Some("1:1.2.13.dfsg-1"));
    assert_eq!(z.introduced.as_ref().unwrap().layer_index, 0);
    assert_eq!(inv.layers.len(), 1);
    assert_eq!(
        inv.image.identity.reference.as_deref(),
        Some("localhost/test/debian:bookworm")
    );
}

/// Validates the purl → package mapping on every type, encoding and qualifier.
#[test]
fn purls() {
    let p = Purl::parse(
        "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2",
    )
    .unwrap();
    let pk = p.to_package().unwrap();
    assert_eq!(pk.version, "5.2.15-2+b13");
    assert_eq!(pk.source_name.as_deref(), Some("bash"));
    assert_eq!(pk.source_version.as_deref(), Some("5.2.15-2"));
    assert_eq!(distro(&p).unwrap().version_id.as_deref(), Some("12"));
    let rpm = Purl::parse("pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1")
        .unwrap()
        .to_package()
        .unwrap();
    assert_eq!((rpm.epoch, rpm.version.as_str()), (Some(1), "3.0.7-24.el9"));
    let cases = [
        (
            "pkg:npm/%40babel/core@7.24.0",
            PackageType::Npm,
            "@babel/core",
        ),
        (
            "pkg:golang/github.com/Azure/x@v1.0.0",
            PackageType::Golang,
            "github.com/Azure/x",
        ),
        (
            "pkg:maven/org.apache.commons/commons-text@1.9",
            PackageType::Maven,
            "org.apache.commons:commons-text",
        ),
        ("pkg:pypi/jinja2@2.11.2", PackageType::Python, "jinja2"),
        ("pkg:gem/rails@7.0.0", PackageType::Gem, "rails"),
        ("pkg:cargo/serde@1.0.0", PackageType::Cargo, "serde"),
        (
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
            PackageType::Apk,
            "musl",
        ),
    ];
    for (s, t, n) in cases {
        let p = Purl::parse(s).unwrap().to_package().unwrap();
        assert_eq!((p.package_type, p.name.as_str()), (Some(t), n), "{s}");
    }
    let generic = Purl::parse("pkg:generic/foo@1")
        .unwrap()
        .to_package()
        .unwrap();
    assert_eq!(generic.package_type, Some(PackageType::Binary));
    assert!(Purl::parse("pkg:hex/foo@1").unwrap().to_package().is_none());
    assert!(Purl::parse("not a purl").is_none());
}

/// Validates the skip diagnostic, nested components and the error for non-SBOM JSON.
#[test]
fn skips_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.json");
    std::fs::write(
        &f,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
          {"type":"library","name":"a","purl":"pkg:pypi/a@1","components":[
            {"type":"library","name":"b","purl":"pkg:npm/b@2"}]},
          {"type":"file","name":"x"},
          {"type":"library","name":"g","purl":"pkg:hex/g@1"},
          {"type":"library","name":"n"}]}"#,
    )
    .unwrap();
    let inv = inventory_sbom(&f).unwrap();
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(inv.diagnostics.len(), 1);
    assert_eq!(inv.diagnostics[0].code, "I005");
    assert_eq!(
        inv.diagnostics[0].message,
        "3 SBOM components skipped: 2 without a purl, 1 of type hex"
    );
    std::fs::write(&f, r#"{"hello":1}"#).unwrap();
    let e = inventory_sbom(&f).unwrap_err().to_string();
    assert!(e.contains("bom.json") && e.contains("neither"), "{e}");
    std::fs::write(&f, "{").unwrap();
    let e = inventory_sbom(&f).unwrap_err().to_string();
    assert!(e.contains("bom.json") && e.contains("not JSON"), "{e}");
    let e = inventory_sbom(&dir.path().join("missing.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.json"), "{e}");
}

/// Validates that a crate's origin (a Rust binary's own crate) reads back from shipshape's
/// CycloneDX properties, so an `sbom:` re-check does not match it either.
#[test]
fn cargo_origin_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.json");
    std::fs::write(
        &f,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"library","name":"app","version":"0.1.0","purl":"pkg:cargo/app@0.1.0",
           "properties":[
             {"name":"shipshape:package:type","value":"cargo"},
             {"name":"shipshape:package:db_path","value":"usr/local/bin/app"},
             {"name":"shipshape:package:origin","value":"local"}]},
          {"type":"library","name":"smallvec","version":"1.6.0","purl":"pkg:cargo/smallvec@1.6.0"}]}"#,
    )
    .unwrap();
    let inv = inventory_sbom(&f).unwrap();
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.package_type, p.name.as_str(), p.origin.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(PackageType::Cargo), "app", Some("local")),
            (Some(PackageType::Cargo), "smallvec", None)
        ]
    );
}

/// Validates that a Maven component's group, artifact, `db_path` and `found_by` read back
/// from shipshape's CycloneDX properties.
#[test]
fn maven_found_by_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.json");
    std::fs::write(
        &f,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"library","name":"jackson-databind","group":"com.fasterxml.jackson.core",
           "version":"2.12.6","purl":"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.6",
           "properties":[
             {"name":"shipshape:package:type","value":"maven"},
             {"name":"shipshape:package:db_path","value":"app/app.jar!/BOOT-INF/lib/jackson-databind-2.12.6.jar"},
             {"name":"shipshape:package:found_by","value":"pom.properties"}]}]}"#,
    )
    .unwrap();
    let inv = inventory_sbom(&f).unwrap();
    let p = &inv.packages[0];
    assert_eq!(p.package_type, Some(PackageType::Maven));
    assert_eq!(p.name, "com.fasterxml.jackson.core:jackson-databind");
    assert_eq!(
        p.db_path,
        "app/app.jar!/BOOT-INF/lib/jackson-databind-2.12.6.jar"
    );
    assert_eq!(p.found_by.as_deref(), Some("pom.properties"));
}

/// Validates that one purl at two database paths (the same Composer package in two vendor
/// trees) stays two packages, each with its dev flag, while a purl repeated at one path
/// (or without a path, as other producers write it) is folded.
#[test]
fn same_purl_at_two_paths_stays_two() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.json");
    let c = |r: &str, path: Option<&str>, dev: bool| {
        let mut props =
            vec![serde_json::json!({"name": "shipshape:package:type", "value": "composer"})];
        if let Some(p) = path {
            props.push(serde_json::json!({"name": "shipshape:package:db_path", "value": p}));
        }
        if dev {
            props.push(serde_json::json!({"name": "shipshape:package:dev", "value": "true"}));
        }
        serde_json::json!({"type": "library", "bom-ref": r, "name": "log", "group": "psr",
            "version": "1.1.3", "purl": "pkg:composer/psr/log@1.1.3", "properties": props})
    };
    let a = "srv/a/vendor/composer/installed.json";
    let b = "srv/b/vendor/composer/installed.json";
    let bom = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        c("1", Some(a), false), c("2", Some(b), true), c("3", Some(a), false),
        c("4", None, false), c("5", None, false)]});
    std::fs::write(&f, bom.to_string()).unwrap();
    let inv = inventory_sbom(&f).unwrap();
    let got: Vec<(&str, &str, bool)> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.db_path.as_str(), p.dev))
        .collect();
    assert_eq!(
        got,
        [
            ("psr/log", a, false),
            ("psr/log", b, true),
            ("psr/log", "", false)
        ]
    );
}

/// Validates that an unmanaged runtime reads back with its CPEs: CycloneDX's `cpe` and
/// shipshape's (or syft's) further CPE properties, SPDX's `cpe23Type` references; other
/// packages' CPEs (syft guesses some for every package) are not kept.
#[test]
fn runtime_cpes_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.json");
    std::fs::write(
        &f,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"library","name":"nginx","version":"1.22.1","purl":"pkg:generic/nginx@1.22.1",
           "cpe":"cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*",
           "properties":[{"name":"shipshape:package:cpe","value":"cpe:2.3:a:nginx:nginx:1.22.1:*:*:*:*:*:*:*"}]},
          {"type":"library","name":"jinja2","version":"2.11.2","purl":"pkg:pypi/jinja2@2.11.2",
           "cpe":"cpe:2.3:a:palletsprojects:jinja2:2.11.2:*:*:*:*:*:*:*"}]}"#,
    )
    .unwrap();
    let inv = inventory_sbom(&f).unwrap();
    let by_name = |n: &str| inv.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(
        by_name("nginx").cpes,
        [
            "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:nginx:nginx:1.22.1:*:*:*:*:*:*:*"
        ]
    );
    assert_eq!(by_name("nginx").package_type, Some(PackageType::Binary));
    assert!(by_name("jinja2").cpes.is_empty());
    std::fs::write(
        &f,
        r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[
          {"SPDXID":"SPDXRef-node","name":"node","versionInfo":"18.20.4","externalRefs":[
            {"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:generic/node@18.20.4"},
            {"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:nodejs:node.js:18.20.4:*:*:*:*:*:*:*"}]}]}"#,
    )
    .unwrap();
    let inv = inventory_sbom(&f).unwrap();
    assert_eq!(
        inv.packages[0].cpes,
        ["cpe:2.3:a:nodejs:node.js:18.20.4:*:*:*:*:*:*:*"]
    );
}
