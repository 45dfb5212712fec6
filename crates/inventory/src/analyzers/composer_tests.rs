//! Tests of the Composer analyzer: both forms of the test image's installed.json files,
//! dev packages, provides, ownership and bad input.

use std::sync::Arc;

use super::*;

/// Composer 2's object form, from the dotnet-php test image: guzzle 7.4.2 and its
/// dependencies, two dev packages.
const SHOP: &str =
    include_str!("../../../../tests/images/dotnet-php/php/shop/vendor/composer/installed.json");
/// Composer 1's array form, from the same image: guzzle 6.5.5, monolog, symfony polyfills
/// with `v` tags.
const LEGACY: &str =
    include_str!("../../../../tests/images/dotnet-php/php/legacy/vendor/composer/installed.json");

fn files(entries: &[(&str, &[u8])]) -> FileSet {
    entries
        .iter()
        .map(|(p, d)| (p.to_string(), Arc::new(d.to_vec())))
        .collect()
}

/// (name, version, depends, dev) of each package, sorted by name.
fn rows(a: &Analysis) -> Vec<(String, String, String, bool)> {
    let mut r: Vec<_> = a
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.package_type, Some(PackageType::Composer));
            (
                p.name.clone(),
                p.version.clone(),
                p.depends.join(" "),
                p.dev,
            )
        })
        .collect();
    r.sort();
    r
}

fn row(name: &str, version: &str, depends: &str, dev: bool) -> (String, String, String, bool) {
    (name.into(), version.into(), depends.into(), dev)
}

/// Validates the Composer 2 form: every package with its `version` as written (`v` tags
/// kept), dependencies among the installed packages only (platform requirements dropped),
/// dev packages flagged, licences and the first author read, `db_path` the file.
#[test]
fn composer_2_object_form() {
    let path = "srv/php/shop/vendor/composer/installed.json";
    let a = Composer
        .analyze(&files(&[(path, SHOP.as_bytes())]))
        .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a),
        [
            row(
                "guzzlehttp/guzzle",
                "7.4.2",
                "guzzlehttp/promises guzzlehttp/psr7 psr/http-client symfony/deprecation-contracts",
                false
            ),
            row("guzzlehttp/promises", "1.5.1", "", false),
            row(
                "guzzlehttp/psr7",
                "2.2.1",
                "psr/http-factory psr/http-message ralouphie/getallheaders",
                false
            ),
            row("hamcrest/hamcrest-php", "v2.0.1", "", true),
            row("mockery/mockery", "1.5.0", "hamcrest/hamcrest-php", true),
            row("psr/http-client", "1.0.1", "psr/http-message", false),
            row("psr/http-factory", "1.0.1", "psr/http-message", false),
            row("psr/http-message", "1.0.1", "", false),
            row("ralouphie/getallheaders", "3.0.3", "", false),
            row("symfony/deprecation-contracts", "v3.0.1", "", false),
        ]
    );
    let guzzle = a
        .packages
        .iter()
        .find(|p| p.name == "guzzlehttp/guzzle")
        .unwrap();
    assert_eq!(guzzle.licenses, ["MIT"]);
    assert_eq!(guzzle.maintainer.as_deref(), Some("Graham Campbell"));
    assert!(a
        .packages
        .iter()
        .all(|p| p.db_path == path && p.found_by.is_none() && p.manual.is_none()));
}

/// Validates the Composer 1 form: the top-level array, `v` tags kept, nothing marked dev
/// (the form does not say).
#[test]
fn composer_1_array_form() {
    let path = "srv/php/legacy/vendor/composer/installed.json";
    let a = Composer
        .analyze(&files(&[(path, LEGACY.as_bytes())]))
        .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a),
        [
            row(
                "guzzlehttp/guzzle",
                "6.5.5",
                "guzzlehttp/promises guzzlehttp/psr7 symfony/polyfill-intl-idn",
                false
            ),
            row("guzzlehttp/promises", "v1.3.1", "", false),
            row(
                "guzzlehttp/psr7",
                "1.6.1",
                "psr/http-message ralouphie/getallheaders",
                false
            ),
            row("monolog/monolog", "1.25.1", "psr/log", false),
            row("psr/http-message", "1.0.1", "", false),
            row("psr/log", "1.1.3", "", false),
            row("ralouphie/getallheaders", "3.0.3", "", false),
            row(
                "symfony/polyfill-intl-idn",
                "v1.17.0",
                "symfony/polyfill-mbstring symfony/polyfill-php72",
                false
            ),
            row("symfony/polyfill-mbstring", "v1.17.0", "", false),
            row("symfony/polyfill-php72", "v1.17.0", "", false),
        ]
    );
}

/// Validates requirements met through `provide` and `replace`, lower-cased names,
/// `version_normalized` as the fallback, and a `license` string.
#[test]
fn provides_replaces_and_fallbacks() {
    let doc = r#"{"packages": [
        {"name": "Acme/App-Kit", "version_normalized": "2.0.0.0", "license": "GPL-2.0-or-later",
         "require": {"PSR/Log-Implementation": "^1", "acme/polyfill": "*", "php": ">=8"}},
        {"name": "monolog/monolog", "version": "2.9.1", "provide": {"psr/log-implementation": "1.0"}},
        {"name": "acme/everything", "version": "1.0.0", "replace": {"acme/polyfill": "self.version"}}
    ], "dev": false, "dev-package-names": []}"#;
    let a = Composer
        .analyze(&files(&[(
            "vendor/composer/installed.json",
            doc.as_bytes(),
        )]))
        .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a),
        [
            row(
                "acme/app-kit",
                "2.0.0.0",
                "acme/everything monolog/monolog",
                false
            ),
            row("acme/everything", "1.0.0", "", false),
            row("monolog/monolog", "2.9.1", "", false),
        ]
    );
    let kit = a
        .packages
        .iter()
        .find(|p| p.name == "acme/app-kit")
        .unwrap();
    assert_eq!(kit.licenses, ["GPL-2.0-or-later"]);
}

/// Validates the paths read, and near misses.
#[test]
fn wants_installed_json() {
    for p in [
        "srv/app/vendor/composer/installed.json",
        "vendor/composer/installed.json",
        "composer/installed.json",
        "var/lib/dpkg/info/php-guzzlehttp-psr7.list",
    ] {
        assert!(Composer.wants(p), "{p}");
    }
    for p in [
        "srv/app/vendor/composer/installed.php",
        "srv/app/composer.lock",
        "srv/app/vendor/xcomposer/installed.json",
        "srv/app/installed.json",
    ] {
        assert!(!Composer.wants(p), "{p}");
    }
}

/// Validates that an installed.json an OS package owns is the OS package's.
#[test]
fn owned_installed_json_is_the_os_packages() {
    let owned = "usr/share/php/vendor/composer/installed.json";
    let list = format!("/usr/share/php\n/{owned}\n");
    let a = Composer
        .analyze(&files(&[
            (owned, SHOP.as_bytes()),
            (
                "srv/php/legacy/vendor/composer/installed.json",
                LEGACY.as_bytes(),
            ),
            ("var/lib/dpkg/info/php-fixture.list", list.as_bytes()),
        ]))
        .unwrap();
    assert!(a
        .packages
        .iter()
        .all(|p| p.db_path == "srv/php/legacy/vendor/composer/installed.json"));
    assert_eq!(a.packages.len(), 10);
}

/// Validates that bad input is a warning naming the file, never a panic.
#[test]
fn bad_input_is_a_warning() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (doc, warnings, packages) in [
        ("{nope", 1, 0),
        (r#"{"packages": {}}"#, 1, 0),
        ("42", 1, 0),
        (deep.as_str(), 1, 0),
        (
            r#"[{"name": "a/b"}, {"version": "1.0"}, 7, {"name": "c/d", "version": "1.0",
               "require": ["x"], "license": 3, "authors": "me"}]"#,
            3,
            1,
        ),
    ] {
        let path = "x/vendor/composer/installed.json";
        let a = Composer.analyze(&files(&[(path, doc.as_bytes())])).unwrap();
        assert_eq!(a.warnings.len(), warnings, "{doc:.40}: {:?}", a.warnings);
        assert!(a
            .warnings
            .iter()
            .all(|w| w.starts_with(&format!("/{path}: "))));
        assert_eq!(a.packages.len(), packages);
    }
}
