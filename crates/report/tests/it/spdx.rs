//! SPDX 2.3 output.

use std::collections::HashSet;

use report::Format;
use serde_json::Value;

use crate::common::{assert_golden, assert_valid, render, sample_inventory};

const SCHEMA: &str = "spdx-schema.json";

/// Validates the sample document against the official SPDX 2.3 JSON schema.
#[test]
fn validates_against_schema() {
    let (_, doc) = render(&sample_inventory(), Format::Spdx);
    assert_valid(SCHEMA, &doc);
}

/// Validates that an empty inventory still gives a valid document describing the image.
#[test]
fn empty_inventory_validates() {
    let (_, doc) = render(&inventory::Inventory::default(), Format::Spdx);
    assert_valid(SCHEMA, &doc);
    assert_eq!(doc["packages"].as_array().unwrap().len(), 1);
}

/// Validates that the schema check really rejects a bad SPDX ID, so passing means something.
#[test]
#[should_panic(expected = "spdx-schema")]
fn schema_rejects_bad_ids() {
    let (_, mut doc) = render(&sample_inventory(), Format::Spdx);
    doc["packages"][1]["SPDXID"] = "SPDXRef-libstdc++6:amd64".into();
    assert_valid(SCHEMA, &doc);
}

fn package<'a>(doc: &'a Value, purl: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["externalRefs"][0]["referenceLocator"] == purl)
        .unwrap_or_else(|| panic!("no package {purl}"))
}

/// Validates the header, the image package and DESCRIBES.
#[test]
fn header_and_image() {
    let (_, doc) = render(&sample_inventory(), Format::Spdx);
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "registry.example:5000/team/app:1.4.2");
    assert_eq!(
        doc["documentNamespace"],
        "https://shipshape.dev/spdxdocs/registry.example-5000-team-app-1.4.2-6f1c9a3e-2b4d-4e8f-9a01-23456789abcd"
    );
    assert_eq!(doc["creationInfo"]["created"], "2024-05-06T07:08:09Z");
    assert_eq!(doc["creationInfo"]["creators"][0], "Tool: shipshape-0.1.0");
    let image = &doc["packages"][0];
    assert_eq!(image["SPDXID"], "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["versionInfo"], format!("sha256:{:064x}", 0xabc));
    let rels = doc["relationships"].as_array().unwrap();
    assert_eq!(
        rels[0],
        serde_json::json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"})
    );
}

/// Validates SPDX IDs: allowed characters only, unique, distinct for two architectures.
#[test]
fn ids_are_sanitised_and_unique() {
    let (_, doc) = render(&sample_inventory(), Format::Spdx);
    let ids: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "{ids:?}"
    );
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").unwrap();
        assert!(
            rest.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    assert!(ids.contains(&"SPDXRef-Package-deb-libc6-2.36-9-deb12u4-amd64"));
    assert!(ids.contains(&"SPDXRef-Package-deb-libc6-2.36-9-deb12u4-i386"));
    assert!(ids.contains(&"SPDXRef-Package-deb-bsdutils-1-2.38.1-5-deb12u1-amd64"));
    // busybox is recorded twice: the second one gets a suffix.
    assert!(ids.contains(&"SPDXRef-Package-apk-busybox-1.36.1-r15-x86-64"));
    assert!(ids.contains(&"SPDXRef-Package-apk-busybox-1.36.1-r15-x86-64-2"));
}

/// Validates versions, purls, suppliers, provenance comments and licences.
#[test]
fn packages_map_fields() {
    let (_, doc) = render(&sample_inventory(), Format::Spdx);
    let openssl = package(
        &doc,
        "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.3",
    );
    assert_eq!(openssl["versionInfo"], "1:3.0.7-24.el9");
    assert_eq!(openssl["downloadLocation"], "NOASSERTION");
    assert_eq!(openssl["filesAnalyzed"], false);
    assert_eq!(openssl["licenseConcluded"], "NOASSERTION");
    assert_eq!(openssl["licenseDeclared"], "Apache-2.0");
    assert_eq!(
        openssl["externalRefs"][0]["referenceCategory"],
        "PACKAGE-MANAGER"
    );
    assert_eq!(openssl["externalRefs"][0]["referenceType"], "purl");
    assert_eq!(
        openssl["supplier"],
        "Organization: Red Hat, Inc. (http://bugzilla.redhat.com/bugzilla)"
    );
    let comment = openssl["comment"].as_str().unwrap();
    assert!(
        comment.starts_with("introduced in layer 1 (sha256:"),
        "{comment}"
    );
    assert!(comment.contains("apt-get install"), "{comment}");

    let bsdutils = package(
        &doc,
        "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12",
    );
    assert_eq!(bsdutils["versionInfo"], "1:2.38.1-5+deb12u1");
    assert_eq!(bsdutils["licenseDeclared"], "MIT OR Apache-2.0");
    assert_eq!(bsdutils["supplier"], "NOASSERTION");
    assert!(bsdutils["sourceInfo"]
        .as_str()
        .unwrap()
        .contains("source package util-linux 2.38.1-5+deb12u1"));

    let libc6 = package(
        &doc,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
    );
    assert_eq!(libc6["licenseDeclared"], "LicenseRef-GPL-2- AND LGPL-2.1");
    let extracted = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    let gpl = extracted
        .iter()
        .find(|e| e["licenseId"] == "LicenseRef-GPL-2-")
        .unwrap();
    assert_eq!(gpl["extractedText"], "GPL-2+");
    // Defined once even though libc6 for two architectures declares it.
    assert_eq!(
        extracted
            .iter()
            .filter(|e| e["extractedText"] == "GPL-2+")
            .count(),
        1
    );
    // Every LicenseRef used is defined.
    let defined: HashSet<&str> = extracted
        .iter()
        .map(|e| e["licenseId"].as_str().unwrap())
        .collect();
    for p in doc["packages"].as_array().unwrap() {
        for word in p["licenseDeclared"]
            .as_str()
            .unwrap()
            .split([' ', '(', ')'])
        {
            if word.starts_with("LicenseRef-") {
                assert!(defined.contains(word), "{word} undefined");
            }
        }
    }
}

/// Validates CONTAINS for every package and DEPENDS_ON resolved by name, type and arch.
#[test]
fn relationships() {
    let inv = sample_inventory();
    let (_, doc) = render(&inv, Format::Spdx);
    let rels: Vec<(String, String, String)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["spdxElementId"].as_str().unwrap().to_string(),
                r["relationshipType"].as_str().unwrap().to_string(),
                r["relatedSpdxElement"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let contains = rels.iter().filter(|r| r.1 == "CONTAINS").count();
    assert_eq!(contains, inv.packages.len() + 1);
    let has = |a: &str, k: &str, b: &str| rels.iter().any(|r| r.0 == a && r.1 == k && r.2 == b);
    assert!(has("SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem"));
    assert!(has(
        "SPDXRef-Package-deb-bsdutils-1-2.38.1-5-deb12u1-amd64",
        "DEPENDS_ON",
        "SPDXRef-Package-deb-libc6-2.36-9-deb12u4-amd64"
    ));
    assert!(!has(
        "SPDXRef-Package-deb-bsdutils-1-2.38.1-5-deb12u1-amd64",
        "DEPENDS_ON",
        "SPDXRef-Package-deb-libc6-2.36-9-deb12u4-i386"
    ));
    let ids: HashSet<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    for r in &rels {
        assert!(
            r.0 == "SPDXRef-DOCUMENT" || ids.contains(r.0.as_str()),
            "{r:?}"
        );
        assert!(ids.contains(r.2.as_str()), "{r:?}");
    }
}

/// Validates deterministic output against the golden file.
#[test]
fn deterministic_golden() {
    let inv = sample_inventory();
    let (a, _) = render(&inv, Format::Spdx);
    let (b, _) = render(&inv, Format::Spdx);
    assert_eq!(a, b);
    assert_golden("sample.spdx.json", &a);
}
