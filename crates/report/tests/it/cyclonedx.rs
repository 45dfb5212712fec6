//! CycloneDX 1.6 output.

use std::collections::HashSet;

use report::{render_sbom, Format, RenderOptions};
use serde_json::Value;

use crate::common::{assert_golden, assert_valid, render, sample_inventory};

const SCHEMA: &str = "bom-1.6.SNAPSHOT.schema.json";

fn component<'a>(bom: &'a Value, bom_ref: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == bom_ref)
        .unwrap_or_else(|| panic!("no component {bom_ref}"))
}

fn property<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

fn depends_on(bom: &Value, bom_ref: &str) -> Vec<String> {
    bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == bom_ref)
        .unwrap_or_else(|| panic!("no dependency entry for {bom_ref}"))["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Validates the sample BOM against the official CycloneDX 1.6 schema.
#[test]
fn validates_against_schema() {
    let (_, bom) = render(&sample_inventory(), Format::CycloneDx);
    assert_valid(SCHEMA, &bom);
}

/// Validates that an empty inventory (a `dir:` target with nothing found) still validates.
#[test]
fn empty_inventory_validates() {
    let (_, bom) = render(&inventory::Inventory::default(), Format::CycloneDx);
    assert_valid(SCHEMA, &bom);
    assert_eq!(bom["components"], serde_json::json!([]));
}

/// Validates the header, the image and OS components and the tool.
#[test]
fn header_image_and_os() {
    let (_, bom) = render(&sample_inventory(), Format::CycloneDx);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["version"], 1);
    assert_eq!(
        bom["serialNumber"],
        "urn:uuid:6f1c9a3e-2b4d-4e8f-9a01-23456789abcd"
    );
    assert_eq!(bom["metadata"]["timestamp"], "2024-05-06T07:08:09Z");
    let tool = &bom["metadata"]["tools"]["components"][0];
    assert_eq!(tool["type"], "application");
    assert_eq!(tool["name"], "shipshape");
    assert_eq!(tool["version"], "0.1.0");
    let image = &bom["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example:5000/team/app:1.4.2");
    assert_eq!(image["version"], format!("sha256:{:064x}", 0xabc));
    assert_eq!(
        image["bom-ref"],
        "image:registry.example:5000/team/app:1.4.2"
    );
    let os = component(&bom, "os:debian@12");
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");
    assert_eq!(os["description"], "Debian GNU/Linux 12 (bookworm)");
}

/// Validates purls, versions (with epochs), bom-refs, licences and provenance properties.
#[test]
fn packages_map_to_components() {
    let inv = sample_inventory();
    let (_, bom) = render(&inv, Format::CycloneDx);
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs.len(),
        refs.iter().collect::<HashSet<_>>().len(),
        "{refs:?}"
    );
    assert_eq!(refs.len(), inv.packages.len() + 1);

    let bsdutils = component(
        &bom,
        "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12",
    );
    assert_eq!(bsdutils["type"], "library");
    assert_eq!(bsdutils["version"], "1:2.38.1-5+deb12u1");
    assert_eq!(bsdutils["purl"], bsdutils["bom-ref"]);
    assert_eq!(
        bsdutils["licenses"],
        serde_json::json!([{"expression": "MIT OR Apache-2.0"}])
    );
    assert_eq!(property(bsdutils, "shipshape:package:type"), Some("deb"));
    assert_eq!(
        property(bsdutils, "shipshape:package:source_name"),
        Some("util-linux")
    );
    assert_eq!(
        property(bsdutils, "shipshape:package:source_version"),
        Some("2.38.1-5+deb12u1")
    );
    assert_eq!(
        property(bsdutils, "shipshape:package:db_path"),
        Some("var/lib/dpkg/status")
    );
    assert_eq!(property(bsdutils, "shipshape:layer:index"), Some("1"));
    assert_eq!(
        property(bsdutils, "shipshape:layer:digest"),
        Some(inv.layers[1].digest.as_str())
    );
    assert_eq!(
        property(bsdutils, "shipshape:layer:diff_id"),
        inv.layers[1].diff_id.as_deref()
    );
    assert!(property(bsdutils, "shipshape:layer:created_by")
        .unwrap()
        .contains("apt-get install"));

    let openssl = component(
        &bom,
        "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.3",
    );
    assert_eq!(openssl["version"], "1:3.0.7-24.el9");
    assert_eq!(
        openssl["supplier"]["name"],
        "Red Hat, Inc. <http://bugzilla.redhat.com/bugzilla>"
    );
    assert_eq!(
        property(openssl, "shipshape:package:source_rpm"),
        Some("openssl-3.0.7-24.el9.src.rpm")
    );

    let libc6 = component(
        &bom,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
    );
    assert_eq!(
        libc6["licenses"],
        serde_json::json!([{"license": {"name": "GPL-2+"}}, {"license": {"name": "LGPL-2.1"}}])
    );
}

/// Validates that a package recorded twice gets two distinct bom-refs with the same purl.
#[test]
fn duplicate_purls_get_distinct_refs() {
    let (_, bom) = render(&sample_inventory(), Format::CycloneDx);
    let purl = "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1";
    let first = component(&bom, purl);
    let second = component(&bom, &format!("{purl}&package-id=2"));
    assert_eq!(first["purl"], purl);
    assert_eq!(second["purl"], purl);
}

/// Validates the dependency graph: every ref exists, names resolve within the same package
/// type and architecture, unknown names are dropped, and the image reaches everything.
#[test]
fn dependencies_resolve() {
    let (_, bom) = render(&sample_inventory(), Format::CycloneDx);
    let mut known: HashSet<String> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap().to_string())
        .collect();
    let image = bom["metadata"]["component"]["bom-ref"].as_str().unwrap();
    known.insert(image.to_string());
    for d in bom["dependencies"].as_array().unwrap() {
        assert!(known.contains(d["ref"].as_str().unwrap()), "{d}");
        for t in d["dependsOn"].as_array().unwrap() {
            assert!(known.contains(t.as_str().unwrap()), "{d}");
        }
    }
    let libc6 = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12";
    let libgcc = "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12";
    let bsdutils = "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12";
    let musl = "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1";
    let openssl = "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.3";
    // libsystemd0 is not installed: dropped; libc6 resolves to the amd64 one only.
    assert_eq!(depends_on(&bom, bsdutils), vec![libc6]);
    // gcc-12-base is not installed; the libc6 <-> libgcc-s1 cycle is kept.
    assert_eq!(depends_on(&bom, libgcc), vec![libc6]);
    assert_eq!(depends_on(&bom, libc6), vec![libgcc]);
    // apk's busybox names libc6, which only deb provides: dropped.
    assert_eq!(
        depends_on(
            &bom,
            "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1"
        ),
        vec![musl]
    );
    // rpm's openssl-libs names libc6 too: not an rpm, dropped.
    assert!(depends_on(&bom, openssl).is_empty());
    let top = depends_on(&bom, image);
    assert_eq!(top[0], "os:debian@12");
    assert!(top.contains(&bsdutils.to_string()));
    assert!(top.contains(&openssl.to_string()));
    assert!(!top.contains(&libc6.to_string()));
    assert!(!top.contains(&musl.to_string()));
}

/// Validates that fixed options give byte-identical output, equal to the golden file.
#[test]
fn deterministic_golden() {
    let inv = sample_inventory();
    let (a, _) = render(&inv, Format::CycloneDx);
    let (b, _) = render(&inv, Format::CycloneDx);
    assert_eq!(a, b);
    assert_golden("sample.cdx.json", &a);
}

/// Validates that without fixed options each document gets its own serial number.
#[test]
fn default_options_are_unique() {
    let inv = sample_inventory();
    let serial = || {
        let mut out = Vec::new();
        render_sbom(&inv, Format::CycloneDx, &mut out, &RenderOptions::default()).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_valid(SCHEMA, &v);
        v["serialNumber"].as_str().unwrap().to_string()
    };
    assert_ne!(serial(), serial());
}

/// Validates that the schema check really rejects a BOM that mixes a named licence and an
/// expression, so a passing validation means something.
#[test]
#[should_panic(expected = "bom-1.6")]
fn schema_rejects_mixed_licences() {
    let (_, mut bom) = render(&sample_inventory(), Format::CycloneDx);
    bom["components"][1]["licenses"] =
        serde_json::json!([{"license": {"name": "GPL-2+"}}, {"expression": "MIT"}]);
    assert_valid(SCHEMA, &bom);
}

/// Validates that how a Maven package was found is the `shipshape:package:found_by`
/// property, and that packages without it have none.
#[test]
fn found_by_property() {
    let mut inv = sample_inventory();
    let purl = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.6";
    inv.packages.push(inventory::Package {
        package_type: Some(inventory::PackageType::Maven),
        name: "com.fasterxml.jackson.core:jackson-databind".into(),
        version: "2.12.6".into(),
        db_path: "app/app.jar!/BOOT-INF/lib/jackson-databind-2.12.6.jar".into(),
        found_by: Some("pom.properties".into()),
        purl: purl.into(),
        ..Default::default()
    });
    let (_, bom) = render(&inv, Format::CycloneDx);
    assert_valid(SCHEMA, &bom);
    let found: Vec<_> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| property(c, "shipshape:package:found_by").map(|v| (c["purl"].as_str(), v)))
        .collect();
    assert_eq!(found, [(Some(purl), "pom.properties")]);
}
