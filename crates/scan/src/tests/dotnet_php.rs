//! NuGet and Packagist matching against OSV records written here in the published format
//! (GitHub's advisories as OSV exports them): NuGet's four-part versions and
//! case-insensitive ids, Packagist's tags, and the dependency paths the deps.json gives.

use super::*;

/// GHSA-5crp-9r3c-p9vr (CVE-2024-21907): Newtonsoft.Json before 13.0.1, and
/// GHSA-cwmx-hcrq-mhc3 (CVE-2022-29248): guzzlehttp/guzzle before 6.5.6 and from 7.0.0
/// before 7.4.3, as OSV publishes them (ranges, aliases, CVSS; text shortened).
const OSV_NUGET_PACKAGIST: &str = r#"[
  {"schema_version": "1.4.0", "id": "GHSA-5crp-9r3c-p9vr", "modified": "2024-01-03T22:04:41Z",
   "published": "2022-06-22T15:08:47Z", "aliases": ["CVE-2024-21907"],
   "summary": "Improper Handling of Exceptional Conditions in Newtonsoft.Json",
   "details": "Newtonsoft.Json prior to version 13.0.1 is vulnerable to Insecure Defaults due to improper handling of expressions with high nesting level that lead to StackOverFlow exception or high CPU and RAM usage.",
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
   "affected": [
     {"package": {"ecosystem": "NuGet", "name": "Newtonsoft.Json"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "13.0.1"}]}],
      "database_specific": {"source": "https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/2022/06/GHSA-5crp-9r3c-p9vr/GHSA-5crp-9r3c-p9vr.json"}}],
   "references": [{"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-5crp-9r3c-p9vr"}],
   "database_specific": {"cwe_ids": ["CWE-755"], "severity": "HIGH", "github_reviewed": true}},
  {"schema_version": "1.4.0", "id": "GHSA-cwmx-hcrq-mhc3", "modified": "2023-09-18T12:00:00Z",
   "published": "2022-05-25T19:30:00Z", "aliases": ["CVE-2022-29248"],
   "summary": "Cross-domain cookie leakage in Guzzle",
   "details": "Previous version of Guzzle contain a vulnerability with the cookie middleware: it is not checked if the cookie domain equals the domain of the server which sets the cookie via the Set-Cookie header.",
   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:H/A:N"}],
   "affected": [
     {"package": {"ecosystem": "Packagist", "name": "guzzlehttp/guzzle"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "6.5.6"}]}]},
     {"package": {"ecosystem": "Packagist", "name": "guzzlehttp/guzzle"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "7.0.0"}, {"fixed": "7.4.3"}]}]}],
   "references": [{"type": "WEB", "url": "https://github.com/guzzle/guzzle/security/advisories/GHSA-cwmx-hcrq-mhc3"}],
   "database_specific": {"cwe_ids": ["CWE-200", "CWE-565"], "severity": "HIGH", "github_reviewed": true}}
]"#;

fn pkg(t: PackageType, name: &str, version: &str, db_path: &str) -> Package {
    Package {
        package_type: Some(t),
        name: name.into(),
        version: version.into(),
        db_path: db_path.into(),
        ..Package::default()
    }
}

/// Validates NuGet matching: 12.0.3 (and 12.0.3.1, a four-part version) is before the fix
/// 13.0.1, 13.0.1.0 equals it; an id spelled in another case still matches; the finding of
/// the transitive copy has the path direct package > vulnerable package and the fix.
#[test]
fn nuget_newtonsoft_json() {
    let (_d, store) = store(&[Feed::Osv(OSV_NUGET_PACKAGIST)]);
    let deps = "app/ShopApi.deps.json";
    let mut bson = pkg(PackageType::NuGet, "Newtonsoft.Json.Bson", "1.0.2", deps);
    bson.depends = vec!["Newtonsoft.Json".into()];
    bson.manual = Some(true);
    let mut json = pkg(PackageType::NuGet, "Newtonsoft.Json", "12.0.3", deps);
    json.manual = Some(false);
    let inv = image(
        "dotnet:1",
        ("debian", "12"),
        vec![
            bson,
            json,
            pkg(
                PackageType::NuGet,
                "newtonsoft.json",
                "12.0.3.1",
                "b/B.deps.json",
            ),
            pkg(
                PackageType::NuGet,
                "Newtonsoft.Json",
                "13.0.1.0",
                "c/C.deps.json",
            ),
            pkg(
                PackageType::NuGet,
                "Newtonsoft.Json",
                "13.0.3",
                "d/D.deps.json",
            ),
        ],
    );
    let r = run(&inv, &store);
    let mut got: Vec<(&str, &str, &str)> = r
        .vulnerabilities
        .iter()
        .map(|f| (f.id.as_str(), f.package_name.as_str(), f.version.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("CVE-2024-21907", "Newtonsoft.Json", "12.0.3"),
            ("CVE-2024-21907", "newtonsoft.json", "12.0.3.1"),
        ]
    );
    let f = find(&r, "Newtonsoft.Json", "CVE-2024-21907");
    assert_eq!(f.nearest_fixed_in_version.as_deref(), Some("13.0.1"));
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        (f.ecosystem.as_str(), f.package_manager.as_str()),
        ("NuGet", "nuget")
    );
    assert_eq!(f.identifiers.alias, ["GHSA-5crp-9r3c-p9vr"]);
    assert_eq!(
        f.from,
        [
            "docker-image|dotnet@1",
            "Newtonsoft.Json.Bson@1.0.2",
            "Newtonsoft.Json@12.0.3"
        ]
    );
}

/// Validates Packagist matching in OSV's Packagist order: 7.4.2 is in the 7.x range, 6.5.5
/// in the 6.x one, each with its own fixed version; 7.4.3 and 6.5.8 are fixed; a dev
/// package is matched like any other.
#[test]
fn packagist_guzzle() {
    let (_d, store) = store(&[Feed::Osv(OSV_NUGET_PACKAGIST)]);
    let shop = "srv/php/shop/vendor/composer/installed.json";
    let legacy = "srv/php/legacy/vendor/composer/installed.json";
    let g = "guzzlehttp/guzzle";
    let mut dev = pkg(
        PackageType::Composer,
        g,
        "7.0.1",
        "srv/php/tools/vendor/composer/installed.json",
    );
    dev.dev = true;
    let inv = image(
        "php:1",
        ("debian", "12"),
        vec![
            pkg(PackageType::Composer, g, "7.4.2", shop),
            pkg(PackageType::Composer, g, "6.5.5", legacy),
            pkg(
                PackageType::Composer,
                g,
                "7.4.3",
                "a/vendor/composer/installed.json",
            ),
            pkg(
                PackageType::Composer,
                g,
                "6.5.8",
                "b/vendor/composer/installed.json",
            ),
            dev,
        ],
    );
    let r = run(&inv, &store);
    let mut got: Vec<(&str, Option<&str>)> = r
        .vulnerabilities
        .iter()
        .map(|f| {
            assert_eq!(f.id, "CVE-2022-29248");
            assert_eq!(
                (f.ecosystem.as_str(), f.package_manager.as_str()),
                ("Packagist", "composer")
            );
            (f.version.as_str(), f.nearest_fixed_in_version.as_deref())
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("6.5.5", Some("6.5.6")),
            ("7.0.1", Some("7.4.3")),
            ("7.4.2", Some("7.4.3")),
        ]
    );
}
