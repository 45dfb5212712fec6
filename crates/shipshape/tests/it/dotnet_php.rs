//! .NET and PHP applications in a real image: the dotnet-php test image
//! (tests/images/dotnet-php) holds an app's `ShopApi.deps.json` under /app/shopapi, a
//! Composer 2 tree under /srv/php/shop and a Composer 1 tree under /srv/php/legacy, and
//! Debian's php-horde-css-parser, whose own installed.json belongs to the deb.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::*;

/// The image as an OCI layout target.
fn target(images: &Images) -> String {
    images.oci_target("DOTNET_PHP")
}

fn dockerfile() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/images/dotnet-php/Dockerfile")
}

/// The 1-based line of the Dockerfile instruction that starts with `prefix`.
fn line_of(prefix: &str) -> usize {
    let text = std::fs::read_to_string(dockerfile()).unwrap();
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in the Dockerfile"))
        + 1
}

type Row = (String, String, String, String);

/// (db_path, name, version, dev flag) of the packages of type `ty` of a native SBOM.
fn rows(sbom: &Value, ty: &str) -> BTreeSet<Row> {
    sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == ty)
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let dev = if p["dev"] == true { "dev" } else { "-" };
            (s("db_path"), s("name"), s("version"), dev.to_string())
        })
        .collect()
}

/// The build script's NuGet rows (jq over every library of type package), as [`rows`].
fn expected_nuget(images: &Images) -> BTreeSet<Row> {
    images
        .tsv("DOTNET_PHP_NUGET_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), "-".into()))
        .collect()
}

/// The build script's Composer rows (jq over both forms, dpkg-owned files left out).
fn expected_composer(images: &Images) -> BTreeSet<Row> {
    images
        .tsv("DOTNET_PHP_COMPOSER_TSV")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect()
}

/// An OSV database with GHSA-5crp-9r3c-p9vr (Newtonsoft.Json before 13.0.1) and
/// GHSA-cwmx-hcrq-mhc3 (guzzlehttp/guzzle before 6.5.6, and 7.0.0 to 7.4.3), written here
/// in the published OSV format and imported with `db import`.
fn database(dir: &std::path::Path) -> String {
    let db = dir.join("db").display().to_string();
    let records = [
        serde_json::json!({
            "schema_version": "1.4.0", "id": "GHSA-5crp-9r3c-p9vr",
            "modified": "2024-01-03T22:04:41Z", "published": "2022-06-22T15:08:47Z",
            "aliases": ["CVE-2024-21907"],
            "summary": "Improper Handling of Exceptional Conditions in Newtonsoft.Json",
            "severity": [{"type": "CVSS_V3",
                "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
            "affected": [{"package": {"ecosystem": "NuGet", "name": "Newtonsoft.Json"},
                "ranges": [{"type": "ECOSYSTEM",
                    "events": [{"introduced": "0"}, {"fixed": "13.0.1"}]}]}],
            "database_specific": {"cwe_ids": ["CWE-755"], "severity": "HIGH"}
        }),
        serde_json::json!({
            "schema_version": "1.4.0", "id": "GHSA-cwmx-hcrq-mhc3",
            "modified": "2023-09-18T12:00:00Z", "published": "2022-05-25T19:30:00Z",
            "aliases": ["CVE-2022-29248"],
            "summary": "Cross-domain cookie leakage in Guzzle",
            "severity": [{"type": "CVSS_V3",
                "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:H/A:N"}],
            "affected": [
                {"package": {"ecosystem": "Packagist", "name": "guzzlehttp/guzzle"},
                 "ranges": [{"type": "ECOSYSTEM",
                    "events": [{"introduced": "0"}, {"fixed": "6.5.6"}]}]},
                {"package": {"ecosystem": "Packagist", "name": "guzzlehttp/guzzle"},
                 "ranges": [{"type": "ECOSYSTEM",
                    "events": [{"introduced": "7.0.0"}, {"fixed": "7.4.3"}]}]}],
            "database_specific": {"cwe_ids": ["CWE-200", "CWE-565"], "severity": "HIGH"}
        }),
    ];
    for r in records {
        let path = dir.join(format!("{}.json", r["id"].as_str().unwrap()));
        std::fs::write(&path, r.to_string()).unwrap();
        import_feed(&db, "osv", path.to_str().unwrap());
    }
    db
}

/// Validates that the SBOM lists exactly the NuGet packages of the deps.json (libraries of
/// type package; the projects are not packages) and the Composer packages of both
/// installed.json forms (dev packages flagged), as the build script read them with jq; that
/// each carries its purl and the layer of the COPY that brought it; and that the
/// installed.json Debian's php-horde-css-parser ships is that deb's, not Composer packages.
#[test]
fn sbom_lists_nuget_and_composer_packages() {
    let Some(images) = Images::load() else { return };
    let sbom = sbom_json(&target(&images), &[]);
    let nuget = expected_nuget(&images);
    let composer = expected_composer(&images);
    assert!(
        nuget.len() >= 8 && composer.len() >= 20,
        "{nuget:?} {composer:?}"
    );
    assert_eq!(rows(&sbom, "nuget"), nuget);
    assert_eq!(rows(&sbom, "composer"), composer);

    // Layers: 0 base, 1 apt, 2 COPY shopapi, 3 COPY shop (Composer 2), 4 COPY legacy.
    // A name@version both trees hold (psr/http-message 1.0.1, ralouphie/getallheaders 3.0.3)
    // is credited per tree: 3 in the shop tree, 4 in the legacy one.
    for p in sbom["packages"].as_array().unwrap() {
        let (name, version) = (p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
        let purl = p["purl"].as_str().unwrap();
        let db_path = p["db_path"].as_str().unwrap();
        let layer = &p["introduced"]["layer_index"];
        match p["type"].as_str().unwrap() {
            "nuget" => {
                assert_eq!(purl, format!("pkg:nuget/{name}@{version}"), "{p}");
                assert_eq!(*layer, 2, "{p}");
            }
            "composer" => {
                assert_eq!(purl, format!("pkg:composer/{name}@{version}"), "{p}");
                let want = if db_path.starts_with("srv/php/shop/") {
                    3
                } else {
                    4
                };
                assert_eq!(*layer, want, "{p}");
            }
            _ => {}
        }
    }
    let owned = images.tsv("DOTNET_PHP_OWNED_TSV");
    assert!(!owned.is_empty());
    for r in &owned {
        assert!(
            !sbom["packages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["db_path"] == r[0].as_str()),
            "{} is {}'s, yet read as packages",
            r[0],
            r[1]
        );
        assert!(
            package_rows(&sbom).iter().any(|(n, _, _)| *n == r[1]),
            "deb {} missing",
            r[1]
        );
    }

    // The deps.json's projects are the roots: a package a project needs directly is
    // top-level, the rest are not.
    let manual = |name: &str| {
        sbom["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["type"] == "nuget" && p["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))["manual"]
            .clone()
    };
    assert_eq!(manual("Newtonsoft.Json.Bson"), true);
    assert_eq!(manual("Swashbuckle.AspNetCore"), true);
    assert_eq!(manual("Newtonsoft.Json"), false);
}

/// Validates that CycloneDX and SPDX carry the nuget and composer purls of every package,
/// CycloneDX also the dev flag and the dependency edge Newtonsoft.Json.Bson >
/// Newtonsoft.Json; and that `sbom sbom:FILE` reads the CycloneDX back to the same rows.
#[test]
fn cyclonedx_spdx_and_sbom_input() {
    let Some(images) = Images::load() else { return };
    let t = target(&images);
    let native = sbom_json(&t, &[]);
    let purls = |ty: &str| -> BTreeSet<String> {
        native["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["type"] == ty)
            .map(|p| p["purl"].as_str().unwrap().to_string())
            .collect()
    };
    let expected: BTreeSet<String> = purls("nuget").union(&purls("composer")).cloned().collect();

    let dir = tempfile::tempdir().unwrap();
    let cdx_path = dir.path().join("bom.cdx.json");
    let out = shipshape(&[
        "sbom",
        &t,
        "--format",
        "cyclonedx",
        "--output",
        cdx_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bom: Value = serde_json::from_slice(&std::fs::read(&cdx_path).unwrap()).unwrap();
    let components = bom["components"].as_array().unwrap();
    let cdx_purls: BTreeSet<String> = components
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|p| p.starts_with("pkg:nuget/") || p.starts_with("pkg:composer/"))
        .map(str::to_string)
        .collect();
    assert_eq!(cdx_purls, expected);
    let dev: BTreeSet<&str> = components
        .iter()
        .filter(|c| {
            c["properties"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "shipshape:package:dev" && p["value"] == "true")
            })
        })
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        dev,
        BTreeSet::from(["hamcrest/hamcrest-php", "mockery/mockery"])
    );
    let bom_ref = |purl_start: &str| {
        components
            .iter()
            .find(|c| {
                c["purl"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(purl_start))
            })
            .unwrap_or_else(|| panic!("{purl_start}"))["bom-ref"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (bson, json) = (
        bom_ref("pkg:nuget/Newtonsoft.Json.Bson@"),
        bom_ref("pkg:nuget/Newtonsoft.Json@"),
    );
    assert!(
        bom["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["ref"] == bson.as_str()
                && d["dependsOn"]
                    .as_array()
                    .is_some_and(|on| on.iter().any(|r| r == json.as_str()))),
        "no edge {bson} > {json}"
    );

    let out = shipshape(&["sbom", &t, "--format", "spdx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let spdx_purls: BTreeSet<String> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["referenceType"] == "purl")
        .filter_map(|r| r["referenceLocator"].as_str().map(str::to_string))
        .filter(|p| p.starts_with("pkg:nuget/") || p.starts_with("pkg:composer/"))
        .collect();
    assert_eq!(spdx_purls, expected);

    let back = sbom_json(&format!("sbom:{}", cdx_path.display()), &[]);
    for ty in ["nuget", "composer"] {
        assert_eq!(rows(&back, ty), rows(&native, ty), "{ty}");
    }
}

/// Validates `scan` with a database built from OSV records in the published format: the
/// Newtonsoft.Json finding with its fixed version, its dependency path (through the package
/// the project references) and, with `--file`, the COPY line of the Dockerfile; the two
/// guzzle findings, each with the fixed version of its own range; and the same findings
/// when the image's CycloneDX SBOM is scanned instead (`sbom:`).
#[test]
fn scan_finds_newtonsoft_json_and_guzzle() {
    let Some(images) = Images::load() else { return };
    let t = target(&images);
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let df = dockerfile();
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &t,
        "--json",
        "--recommend-limit",
        "0",
        "-f",
        df.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let key = |v: &Value| {
        (
            v["id"].as_str().unwrap().to_string(),
            v["packageName"].as_str().unwrap().to_string(),
            v["version"].as_str().unwrap().to_string(),
            v["nearestFixedInVersion"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    let found: BTreeSet<_> = vulns
        .iter()
        .filter(|v| v["packageManager"] == "nuget" || v["packageManager"] == "composer")
        .map(key)
        .collect();
    let s = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        found,
        BTreeSet::from([
            s("CVE-2024-21907", "Newtonsoft.Json", "12.0.3", "13.0.1"),
            s("CVE-2022-29248", "guzzlehttp/guzzle", "7.4.2", "7.4.3"),
            s("CVE-2022-29248", "guzzlehttp/guzzle", "6.5.5", "6.5.6"),
        ])
    );
    let nj = vulns.iter().find(|v| v["id"] == "CVE-2024-21907").unwrap();
    assert_eq!(nj["severity"], "high");
    let from: Vec<&str> = nj["from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        from[1..],
        ["Newtonsoft.Json.Bson@1.0.2", "Newtonsoft.Json@12.0.3"],
        "{from:?}"
    );
    assert_eq!(nj["dockerfileLine"], line_of("COPY shopapi/"), "{nj}");
    assert_eq!(nj["dockerfileInstruction"], "COPY shopapi/ /app/shopapi/");
    let legacy = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2022-29248" && v["version"] == "6.5.5")
        .unwrap();
    assert_eq!(
        legacy["dockerfileLine"],
        line_of("COPY php/legacy/"),
        "{legacy}"
    );

    // The same findings from the image's CycloneDX SBOM.
    let cdx = dir.path().join("bom.cdx.json");
    let out = shipshape(&[
        "sbom",
        &t,
        "--format",
        "cyclonedx",
        "--output",
        cdx.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = shipshape(&[
        "--db",
        &db,
        "--offline",
        "scan",
        &format!("sbom:{}", cdx.display()),
        "--json",
        "--recommend-limit",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found_again: BTreeSet<_> = again["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["packageManager"] == "nuget" || v["packageManager"] == "composer")
        .map(key)
        .collect();
    assert_eq!(found_again, found);
}

/// Validates `diff` for these packages: from the base image every NuGet and Composer
/// package is added and the three findings are new; from the image to its own SBOM with
/// Newtonsoft.Json raised to 13.0.1, the package is an upgrade (NuGet's order) and its
/// finding is gone.
#[test]
fn diff_adds_and_upgrades_nuget_packages() {
    let Some(images) = Images::load() else { return };
    let t = target(&images);
    let base = images.oci_target("BASE");
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let diff_json = |from: &str, to: &str| -> Value {
        let out = shipshape(&["--db", &db, "--offline", "diff", from, to, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let d = diff_json(&base, &t);
    let added: BTreeSet<(String, String)> = d["packages"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "nuget" || p["type"] == "composer")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = expected_nuget(&images)
        .into_iter()
        .chain(expected_composer(&images))
        .map(|(_, n, v, _)| (n, v))
        .collect();
    assert_eq!(added, expected);
    let new: BTreeSet<(String, String)> = d["vulnerabilities"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "CVE-2024-21907" || v["id"] == "CVE-2022-29248")
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        new,
        BTreeSet::from([
            ("CVE-2022-29248".to_string(), "6.5.5".to_string()),
            ("CVE-2022-29248".to_string(), "7.4.2".to_string()),
            ("CVE-2024-21907".to_string(), "12.0.3".to_string()),
        ])
    );

    // The image's own SBOM, with Newtonsoft.Json upgraded to 13.0.1.
    let out = shipshape(&["sbom", &t, "--format", "cyclonedx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut bom: Value = serde_json::from_str(&text).unwrap();
    let mut patched = 0;
    for c in bom["components"].as_array_mut().unwrap() {
        if c["purl"] == "pkg:nuget/Newtonsoft.Json@12.0.3" {
            c["version"] = "13.0.1".into();
            c["purl"] = "pkg:nuget/Newtonsoft.Json@13.0.1".into();
            patched += 1;
        }
    }
    assert_eq!(patched, 1);
    let upgraded = dir.path().join("upgraded.cdx.json");
    std::fs::write(&upgraded, bom.to_string()).unwrap();
    let d = diff_json(&t, &format!("sbom:{}", upgraded.display()));
    let changed: Vec<&Value> = d["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "nuget")
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0]["name"], "Newtonsoft.Json");
    assert_eq!(changed[0]["fromVersion"], "12.0.3");
    assert_eq!(changed[0]["toVersion"], "13.0.1");
    assert_eq!(changed[0]["change"], "upgrade");
    assert!(d["vulnerabilities"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == "CVE-2024-21907"));
}
