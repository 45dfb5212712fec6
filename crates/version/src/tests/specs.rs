//! Native specifiers: node-semver's range fixtures, packaging's specifier tests,
//! RubyGems requirements, Maven ranges, Cargo requirements and plain comparators.

use crate::{satisfies, satisfies_with, Prereleases, Scheme};

/// Check `(spec, version, expected)` rows; an error counts as "not satisfied" only where
/// `errors_are_false` (node-semver's `satisfies` returns false for invalid input).
fn check(
    scheme: Scheme,
    prereleases: Prereleases,
    rows: &[(&str, &str, bool)],
    errors_are_false: bool,
) -> usize {
    let mut failures = Vec::new();
    for (spec, version, want) in rows {
        match satisfies_with(scheme, version, spec, prereleases) {
            Ok(got) if got == *want => {}
            Ok(got) => failures.push(format!("{version:?} in {spec:?}: want {want}, got {got}")),
            Err(_) if errors_are_false && !want => {}
            Err(e) => failures.push(format!("{version:?} in {spec:?}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{scheme}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    rows.len()
}

/// npm/node-semver test/fixtures/range-include.js (rows without `loose` or
/// `includePrerelease`).
const NPM_INCLUDE: &[(&str, &str, bool)] = &[
    ("1.0.0 - 2.0.0", "1.2.3", true),
    ("^1.2.3+build", "1.2.3", true),
    ("^1.2.3+build", "1.3.0", true),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3", true),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2", true),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha", true),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3", true),
    ("1.0.0", "1.0.0", true),
    (">=*", "0.2.4", true),
    ("", "1.0.0", true),
    ("*", "1.2.3", true),
    ("*", "v1.2.3", true),
    (">=1.0.0", "1.0.0", true),
    (">=1.0.0", "1.0.1", true),
    (">=1.0.0", "1.1.0", true),
    (">1.0.0", "1.0.1", true),
    (">1.0.0", "1.1.0", true),
    ("<=2.0.0", "2.0.0", true),
    ("<=2.0.0", "1.9999.9999", true),
    ("<=2.0.0", "0.2.9", true),
    ("<2.0.0", "1.9999.9999", true),
    ("<2.0.0", "0.2.9", true),
    (">= 1.0.0", "1.0.0", true),
    (">=  1.0.0", "1.0.1", true),
    (">=   1.0.0", "1.1.0", true),
    ("> 1.0.0", "1.0.1", true),
    (">  1.0.0", "1.1.0", true),
    ("<=   2.0.0", "2.0.0", true),
    ("<= 2.0.0", "1.9999.9999", true),
    ("<=  2.0.0", "0.2.9", true),
    ("<    2.0.0", "1.9999.9999", true),
    ("<\t2.0.0", "0.2.9", true),
    (">=0.1.97", "v0.1.97", true),
    (">=0.1.97", "0.1.97", true),
    ("0.1.20 || 1.2.4", "1.2.4", true),
    (">=0.2.3 || <0.0.1", "0.0.0", true),
    (">=0.2.3 || <0.0.1", "0.2.3", true),
    (">=0.2.3 || <0.0.1", "0.2.4", true),
    ("||", "1.3.4", true),
    ("2.x.x", "2.1.3", true),
    ("1.2.x", "1.2.3", true),
    ("1.2.x || 2.x", "2.1.3", true),
    ("1.2.x || 2.x", "1.2.3", true),
    ("x", "1.2.3", true),
    ("2.*.*", "2.1.3", true),
    ("1.2.*", "1.2.3", true),
    ("1.2.* || 2.*", "2.1.3", true),
    ("1.2.* || 2.*", "1.2.3", true),
    ("*", "1.2.3", true),
    ("2", "2.1.2", true),
    ("2.3", "2.3.1", true),
    ("~0.0.1", "0.0.1", true),
    ("~0.0.1", "0.0.2", true),
    ("~x", "0.0.9", true),
    ("~2", "2.0.9", true),
    ("~2.4", "2.4.0", true),
    ("~2.4", "2.4.5", true),
    ("~>3.2.1", "3.2.2", true),
    ("~1", "1.2.3", true),
    ("~>1", "1.2.3", true),
    ("~> 1", "1.2.3", true),
    ("~1.0", "1.0.2", true),
    ("~ 1.0", "1.0.2", true),
    ("~ 1.0.3", "1.0.12", true),
    (">=1", "1.0.0", true),
    (">= 1", "1.0.0", true),
    ("<1.2", "1.1.1", true),
    ("< 1.2", "1.1.1", true),
    ("~v0.5.4-pre", "0.5.5", true),
    ("~v0.5.4-pre", "0.5.4", true),
    ("=0.7.x", "0.7.2", true),
    ("<=0.7.x", "0.7.2", true),
    (">=0.7.x", "0.7.2", true),
    ("<=0.7.x", "0.6.2", true),
    ("~1.2.1 >=1.2.3", "1.2.3", true),
    ("~1.2.1 =1.2.3", "1.2.3", true),
    ("~1.2.1 1.2.3", "1.2.3", true),
    ("~1.2.1 >=1.2.3 1.2.3", "1.2.3", true),
    ("~1.2.1 1.2.3 >=1.2.3", "1.2.3", true),
    (">=1.2.1 1.2.3", "1.2.3", true),
    ("1.2.3 >=1.2.1", "1.2.3", true),
    (">=1.2.3 >=1.2.1", "1.2.3", true),
    (">=1.2.1 >=1.2.3", "1.2.3", true),
    (">=1.2", "1.2.8", true),
    ("^1.2.3", "1.8.1", true),
    ("^0.1.2", "0.1.2", true),
    ("^0.1", "0.1.2", true),
    ("^0.0.1", "0.0.1", true),
    ("^1.2", "1.4.2", true),
    ("^1.2 ^1", "1.4.2", true),
    ("^1.2.3-alpha", "1.2.3-pre", true),
    ("^1.2.0-alpha", "1.2.0-pre", true),
    ("^0.0.1-alpha", "0.0.1-beta", true),
    ("^0.0.1-alpha", "0.0.1", true),
    ("^0.1.1-alpha", "0.1.1-beta", true),
    ("^x", "1.2.3", true),
    ("x - 1.0.0", "0.9.7", true),
    ("x - 1.x", "0.9.7", true),
    ("1.0.0 - x", "1.9.7", true),
    ("1.x - x", "1.9.7", true),
    ("<=7.x", "7.9.9", true),
];

/// npm/node-semver test/fixtures/range-exclude.js (rows without `loose` or
/// `includePrerelease`; invalid input never satisfies).
const NPM_EXCLUDE: &[(&str, &str, bool)] = &[
    ("1.0.0 - 2.0.0", "2.2.3", false),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2", false),
    ("1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha", false),
    ("^1.2.3+build", "2.0.0", false),
    ("^1.2.3+build", "1.2.0", false),
    ("^1.2.3", "1.2.3-pre", false),
    ("^1.2", "1.2.0-pre", false),
    (">1.2", "1.3.0-beta", false),
    ("<=1.2.3", "1.2.3-beta", false),
    ("^1.2.3", "1.2.3-beta", false),
    ("=0.7.x", "0.7.0-asdf", false),
    (">=0.7.x", "0.7.0-asdf", false),
    ("1.0.0", "1.0.1", false),
    (">=1.0.0", "0.0.0", false),
    (">=1.0.0", "0.0.1", false),
    (">=1.0.0", "0.1.0", false),
    (">1.0.0", "0.0.1", false),
    (">1.0.0", "0.1.0", false),
    ("<=2.0.0", "3.0.0", false),
    ("<=2.0.0", "2.9999.9999", false),
    ("<=2.0.0", "2.2.9", false),
    ("<2.0.0", "2.9999.9999", false),
    ("<2.0.0", "2.2.9", false),
    (">=0.1.97", "v0.1.93", false),
    (">=0.1.97", "0.1.93", false),
    ("0.1.20 || 1.2.4", "1.2.3", false),
    (">=0.2.3 || <0.0.1", "0.0.3", false),
    (">=0.2.3 || <0.0.1", "0.2.2", false),
    ("2.x.x", "1.1.3", false),
    ("2.x.x", "3.1.3", false),
    ("1.2.x", "1.3.3", false),
    ("1.2.x || 2.x", "3.1.3", false),
    ("1.2.x || 2.x", "1.1.3", false),
    ("2.*.*", "1.1.3", false),
    ("2.*.*", "3.1.3", false),
    ("1.2.*", "1.3.3", false),
    ("1.2.* || 2.*", "3.1.3", false),
    ("1.2.* || 2.*", "1.1.3", false),
    ("2", "1.1.2", false),
    ("2.3", "2.4.1", false),
    ("~0.0.1", "0.1.0-alpha", false),
    ("~0.0.1", "0.1.0", false),
    ("~2.4", "2.5.0", false),
    ("~2.4", "2.3.9", false),
    ("~>3.2.1", "3.3.2", false),
    ("~>3.2.1", "3.2.0", false),
    ("~1", "0.2.3", false),
    ("~>1", "2.2.3", false),
    ("~1.0", "1.1.0", false),
    ("<1", "1.0.0", false),
    (">=1.2", "1.1.1", false),
    ("~v0.5.4-beta", "0.5.4-alpha", false),
    ("=0.7.x", "0.8.2", false),
    (">=0.7.x", "0.6.2", false),
    ("<0.7.x", "0.7.2", false),
    ("<1.2.3", "1.2.3-beta", false),
    ("=1.2.3", "1.2.3-beta", false),
    (">1.2", "1.2.8", false),
    ("^0.0.1", "0.0.2-alpha", false),
    ("^0.0.1", "0.0.2", false),
    ("^1.2.3", "2.0.0-alpha", false),
    ("^1.2.3", "1.2.2", false),
    ("^1.2", "1.1.9", false),
    ("*", "v1.2.3-foo", false),
    ("*", "not a version", false),
    (">=2", "glorp", false),
    ("^1.0.0", "2.0.0-rc1", false),
];

/// node-semver fixture rows with `{ includePrerelease: true }`.
const NPM_INCLUDE_PRERELEASE: &[(&str, &str, bool)] = &[
    ("2.x", "2.0.0-pre.0", true),
    ("2.x", "2.1.0-pre.0", true),
    ("*", "1.0.0-rc1", true),
    ("^1.0.0-0", "1.0.1-rc1", true),
    ("^1.0.0-rc2", "1.0.1-rc1", true),
    ("^1.0.0", "1.0.1-rc1", true),
    ("^1.0.0", "1.1.0-rc1", true),
    ("2.x", "3.0.0-pre.0", false),
    ("^1.0.0", "1.0.0-rc1", false),
    ("^1.2.3-rc2", "2.0.0", false),
    ("^1.0.0", "2.0.0-rc1", false),
];

/// Validates npm ranges against node-semver's include and exclude fixtures.
#[test]
fn npm_ranges() {
    let d = Prereleases::EcosystemDefault;
    let n = check(Scheme::Npm, d, NPM_INCLUDE, false)
        + check(Scheme::Npm, d, NPM_EXCLUDE, true)
        + check(
            Scheme::Npm,
            Prereleases::Include,
            NPM_INCLUDE_PRERELEASE,
            false,
        );
    assert!(n > 170);
}

/// Validates that an invalid npm range is an error, not a panic or a silent false.
#[test]
fn npm_invalid_ranges() {
    for spec in [
        ">=01.2.3", "^1.2.3.4", "blerg", "1.2.3 - ", ">=1.2.3-", "~1.2.3+",
    ] {
        assert!(satisfies(Scheme::Npm, "1.2.3", spec).is_err(), "{spec:?}");
    }
}

/// pypa/packaging tests/test_specifiers.py `test_specifiers` (with `prereleases=True`).
const PEP440_PRERELEASES_TRUE: &[(&str, &str, bool)] = &[
    ("==2", "2.0", true),
    ("==2.0", "2.0", true),
    ("==2.0.0", "2.0", true),
    ("==2", "2.0+deadbeef", true),
    ("==2.0", "2.0+deadbeef", true),
    ("==2.0.0", "2.0+deadbeef", true),
    ("==2+deadbeef", "2.0+deadbeef", true),
    ("==2.0+deadbeef", "2.0+deadbeef", true),
    ("==2.0.0+deadbeef", "2.0+deadbeef", true),
    ("==2.0.0+deadbeef.00", "2.0+deadbeef.0", true),
    ("==2.*", "2.dev1", true),
    ("==2.*", "2a1", true),
    ("==2.*", "2a1.post1", true),
    ("==2.*", "2b1", true),
    ("==2.*", "2b1.dev1", true),
    ("==2.*", "2c1", true),
    ("==2.*", "2c1.post1.dev1", true),
    ("==2.0.*", "2c1.post1.dev1", true),
    ("==2.*", "2rc1", true),
    ("==2.0.*", "2rc1", true),
    ("==2.*", "2", true),
    ("==2.0.*", "2", true),
    ("==2.0.0.*", "2", true),
    ("==0!2.*", "2", true),
    ("==2.*", "0!2", true),
    ("==2.*", "2.0", true),
    ("==2.*", "2.0.0", true),
    ("==2.0.*", "2.0.0.0", true),
    ("==2.1.*", "2.1+local.version", true),
    ("!=2", "2.1", true),
    ("!=2.0", "2.1", true),
    ("!=2", "2.0.1", true),
    ("!=2.0", "2.0.1", true),
    ("!=2.0.0", "2.0.1", true),
    ("!=2.0+deadbeef", "2.0", true),
    ("!=3.*", "2.0", true),
    ("!=2.0.*", "2.1", true),
    ("!=2.0.0.*", "3", true),
    ("!=2.0.*", "2.1.0.0", true),
    (">=2", "2.0", true),
    (">=2.0", "2.0", true),
    (">=2.0.0", "2.0", true),
    (">=2", "2.0.post1", true),
    (">=2", "2.0.post1.dev1", true),
    (">=2", "3", true),
    (">=3.0.0a7", "3.0.0a8", true),
    ("<=2", "2.0", true),
    ("<=2.0", "2.0", true),
    ("<=2.0.0", "2.0", true),
    ("<=2", "2.0.dev1", true),
    ("<=2", "2.0a1", true),
    ("<=2", "2.0a1.dev1", true),
    ("<=2", "2.0b1", true),
    ("<=2", "2.0b1.post1", true),
    ("<=2", "2.0c1", true),
    ("<=2", "2.0c1.post1.dev1", true),
    ("<=2", "2.0rc1", true),
    ("<=2", "1", true),
    ("<=3.0.0a8", "3.0.0a7", true),
    (">2", "3", true),
    (">2.0", "2.1", true),
    (">2", "2.0.1", true),
    (">2", "2.1.post1", true),
    (">2", "2.1+local.version", true),
    (">3.0.0a7", "3.0.0a8", true),
    ("<2", "1", true),
    ("<2.1", "2.0", true),
    ("<2.1", "2.0.dev0", true),
    ("<3.0.0a8", "3.0.0a7", true),
    ("~=1.0", "1", true),
    ("~=1.0", "1.0.1", true),
    ("~=1.0", "1.1", true),
    ("~=1.0", "1.9999999", true),
    ("~=1.0a1", "1.1", true),
    ("~=2022.01.01", "2022.01.01", true),
    ("~=2!1.0", "2!1.0", true),
    ("==2!1.*", "2!1.0", true),
    ("==2!1.0", "2!1.0", true),
    ("!=1.0", "2!1.0", true),
    ("==2!1.0.0.0.*", "2!1.0.0", true),
    ("==2!1.0.*", "2!1.0.0", true),
    ("==2!1.*", "2!1.0.0", true),
    ("!=2!1.0", "1.0", true),
    ("<=2!0.1", "1.0", true),
    (">=2.0", "2!1.0", true),
    ("<2!0.1", "1.0", true),
    (">2.0", "2!1.0", true),
    (">2.0dev", "2.0.5", true),
    ("==2", "2.1", false),
    ("==2.0", "2.1", false),
    ("==2.0.0", "2.1", false),
    ("==2.0+deadbeef", "2.0", false),
    ("==3.*", "2.0", false),
    ("==2.0.*", "2.1", false),
    ("==2.0.0.*", "3", false),
    ("==2.0.*", "2.1.0.0", false),
    ("!=2", "2.0", false),
    ("!=2.0", "2.0", false),
    ("!=2.0.0", "2.0", false),
    ("!=2", "2.0+deadbeef", false),
    ("!=2.0", "2.0+deadbeef", false),
    ("!=2.0.0", "2.0+deadbeef", false),
    ("!=2+deadbeef", "2.0+deadbeef", false),
    ("!=2.0+deadbeef", "2.0+deadbeef", false),
    ("!=2.0.0+deadbeef", "2.0+deadbeef", false),
    ("!=2.0.0+deadbeef.00", "2.0+deadbeef.0", false),
    ("!=2.*", "2.dev1", false),
    ("!=2.*", "2a1", false),
    ("!=2.*", "2a1.post1", false),
    ("!=2.*", "2b1", false),
    ("!=2.*", "2b1.dev1", false),
    ("!=2.*", "2c1", false),
    ("!=2.*", "2c1.post1.dev1", false),
    ("!=2.0.*", "2c1.post1.dev1", false),
    ("!=2.*", "2rc1", false),
    ("!=2.0.*", "2rc1", false),
    ("!=2.*", "2", false),
    ("!=2.0.*", "2", false),
    ("!=2.0.0.*", "2", false),
    ("!=2.*", "2.0", false),
    ("!=2.*", "2.0.0", false),
    ("!=2.0.*", "2.0.0.0", false),
    (">=2", "2.0.dev1", false),
    (">=2", "2.0a1", false),
    (">=2", "2.0a1.dev1", false),
    (">=2", "2.0b1", false),
    (">=2", "2.0b1.post1", false),
    (">=2", "2.0c1", false),
    (">=2", "2.0c1.post1.dev1", false),
    (">=2", "2.0rc1", false),
    (">=2", "1", false),
    ("<=2", "2.0.post1", false),
    ("<=2", "2.0.post1.dev1", false),
    ("<=2", "3", false),
    (">2", "1", false),
    (">2", "2.0.dev1", false),
    (">2", "2.0a1", false),
    (">2", "2.0a1.post1", false),
    (">2", "2.0b1", false),
    (">2", "2.0b1.dev1", false),
    (">2", "2.0c1", false),
    (">2", "2.0c1.post1.dev1", false),
    (">2", "2.0rc1", false),
    (">2", "2.0", false),
    (">2", "2.0.post1", false),
    (">2", "2.0.post1.dev1", false),
    (">2", "2.0+local.version", false),
    ("<2", "2.0.dev1", false),
    ("<2", "2.0a1", false),
    ("<2", "2.0a1.post1", false),
    ("<2", "2.0b1", false),
    ("<2", "2.0b2.dev1", false),
    ("<2", "2.0c1", false),
    ("<2", "2.0c1.post1.dev1", false),
    ("<2", "2.0rc1", false),
    ("<2", "2.0", false),
    ("<2", "2.post1", false),
    ("<2", "2.post1.dev1", false),
    ("<2", "3", false),
    ("~=1.0", "2.0", false),
    ("~=1.0.0", "1.1.0", false),
    ("~=1.0.0", "1.1.post1", false),
    ("~=2!1.0", "1.0", false),
    ("~=1.0", "2!1.0", false),
    ("==1.0", "2!1.0", false),
    ("==2!1.0", "1.0", false),
    ("==1.0.0.*", "2!1.0", false),
    ("==2!1.0.0.*", "1.0", false),
    ("==1.*", "2!1.0", false),
    ("==2!1.*", "1.0", false),
    ("!=2!1.0", "2!1.0", false),
];

/// packaging's default pre-release handling (`prereleases=None`, as in packaging ≤ 24):
/// a pre-release matches only when an inclusive specifier names a pre-release.
const PEP440_DEFAULT: &[(&str, &str, bool)] = &[
    (">=1.0", "2.0rc1", false),
    (">=1.0", "2.0.dev1", false),
    (">=1.0", "2.0", true),
    (">=1.0", "1.0.post1", true),
    (">=1.0a1", "2.0rc1", true),
    ("==2.0.*", "2.0.dev1", false),
    ("==2.0rc1", "2.0rc1", true),
    ("~=2.0rc1", "2.0rc2", true),
    ("<=2.0rc1", "1.5a1", true),
    (">1.0a1", "1.5a1", false),
    ("!=1.0a1", "1.5a1", false),
    (">=1.0,<2.0", "1.5", true),
    (">=1.0,<2.0", "2.0", false),
    (">=1.0,!=1.3.*,<2", "1.3.4", false),
    (">=1.0,!=1.3.*,<2", "1.4.2", true),
    ("~=2.2", "2.3", true),
    ("~=2.2", "3.0", false),
    ("~=2.2.0", "2.2.5", true),
    ("~=2.2.0", "2.3.0", false),
    ("==1.0+abc.5", "1.0+abc.5", true),
    ("==1.0", "1.0+abc.5", true),
    ("===1.0", "1.0", true),
    ("===1.0", "1.0.0", false),
    ("<3.1", "3.1.dev0", false),
    ("<3.1", "3.0.dev0", false),
    (" >= 1.0 , < 2.0 ", "1.5", true),
];

/// Validates PEP 440 specifiers against packaging's tests and default pre-release rule.
#[test]
fn pep440_specifiers() {
    let n = check(
        Scheme::Pep440,
        Prereleases::Include,
        PEP440_PRERELEASES_TRUE,
        false,
    ) + check(
        Scheme::Pep440,
        Prereleases::EcosystemDefault,
        PEP440_DEFAULT,
        false,
    );
    assert!(n > 190);
    for spec in ["=>1.0", "~=1", "==1.0.*.5", "1.0", ">=1.0,,<2"] {
        assert!(satisfies(Scheme::Pep440, "1.0", spec).is_err(), "{spec:?}");
    }
}

/// RubyGems requirements (rubygems/rubygems test_gem_requirement.rb and Gem::Requirement docs).
const GEM: &[(&str, &str, bool)] = &[
    ("= 1.0", "1.0", true),
    ("= 1.0", "1.0.0", true),
    ("= 1.0", "1.1", false),
    ("1.0", "1.0", true),
    ("!= 1.0", "1.1", true),
    ("!= 1.0", "1.0", false),
    ("> 1.0", "1.1", true),
    ("> 1.0", "1.0", false),
    ("< 1.0", "0.9", true),
    ("< 1.0", "1.0", false),
    (">= 1.0", "1.0", true),
    (">= 1.0", "0.9", false),
    ("<= 1.0", "1.0", true),
    ("<= 1.0", "1.1", false),
    ("~> 1.4", "1.4", true),
    ("~> 1.4", "1.5", true),
    ("~> 1.4", "1.9.9", true),
    ("~> 1.4", "2.0", false),
    ("~> 1.4", "1.3", false),
    ("~> 1.4.4", "1.4.4", true),
    ("~> 1.4.4", "1.4.5", true),
    ("~> 1.4.4", "1.5", false),
    ("~> 1.4.4", "1.4.3", false),
    ("~> 2.1", "2.1.9", true),
    ("~> 2.1.3", "2.1.9", true),
    ("~> 2.1.3", "2.2.0", false),
    ("~> 1", "1.9", true),
    ("~> 1", "2.0", false),
    ("~> 1.0.a", "1.0.0", true),
    ("~> 1.0.a", "1.0.b", true),
    ("~> 1.0.a", "1.1", true), // bump(1.0.a) is 2
    ("~> 1.0.a", "2.0", false),
    ("~> 2.0.0.rc1", "2.0.0", true),
    ("~> 2.0.0.rc1", "2.0.1", true),
    ("~> 2.0.0.rc1", "2.1.0", false),
    (">= 1.0, < 3", "2.9", true),
    (">= 1.0, < 3", "3.0", false),
    (">= 1.0.a", "1.0.a", true),
    (">= 1.0", "2.0.a", true),
    ("> 0.1", "0.1.a", false),
    ("", "0.0.1", true),
    ("~>1.2", "1.2.7", true),
];

/// Validates RubyGems requirements.
#[test]
fn rubygems_requirements() {
    assert!(check(Scheme::RubyGems, Prereleases::EcosystemDefault, GEM, false) > 40);
    for spec in ["~> ", ">> 1.0", "~> 1.0, junk"] {
        assert!(
            satisfies(Scheme::RubyGems, "1.0", spec).is_err(),
            "{spec:?}"
        );
    }
}

/// Maven version ranges (Maven's VersionRangeTest and the POM reference).
const MAVEN: &[(&str, &str, bool)] = &[
    ("[1.0,2.0)", "1.0", true),
    ("[1.0,2.0)", "1.5", true),
    ("[1.0,2.0)", "2.0", false),
    ("[1.0,2.0)", "0.9", false),
    ("[1.0,2.0]", "2.0", true),
    ("(1.0,2.0)", "1.0", false),
    ("(1.0,2.0)", "1.0.1", true),
    ("(,1.0]", "1.0", true),
    ("(,1.0]", "0.1", true),
    ("(,1.0]", "1.0.1", false),
    ("(,1.0)", "1.0", false),
    ("(,1.0)", "1.0-SNAPSHOT", true),
    ("[1.0,)", "1.0", true),
    ("[1.0,)", "99", true),
    ("[1.0,)", "0.9", false),
    ("[1.5]", "1.5", true),
    ("[1.5]", "1.5.0", true),
    ("[1.5]", "1.5.1", false),
    ("(,1.0],[1.2,)", "1.1", false),
    ("(,1.0],[1.2,)", "1.0", true),
    ("(,1.0],[1.2,)", "1.2", true),
    ("(,1.1),(1.1,)", "1.1", false),
    ("(,1.1),(1.1,)", "1.2", true),
    ("[1.0,2.0)", "2.0-SNAPSHOT", true),
    ("[1.0,2.0)", "2.0-alpha-1", true),
    ("[1.0, 2.0)", "1.5", true),
    ("[2.13.0,2.13.4.2)", "2.13.4", true),
    ("[2.13.0,2.13.4.2)", "2.13.4.2", false),
    ("1.0", "1.0", true),
    ("1.0", "1.0.0", true),
    ("1.0", "1.1", false),
];

/// Validates Maven ranges, and that malformed ranges are errors.
#[test]
fn maven_ranges() {
    assert!(check(Scheme::Maven, Prereleases::EcosystemDefault, MAVEN, false) > 30);
    for spec in [
        "[1.0",
        "(1.0)",
        "[2.0,1.0]",
        "[1.0,2.0),",
        "[1.0,2.0) 3.0",
        "[1,2,3]",
        "",
    ] {
        assert!(satisfies(Scheme::Maven, "1.0", spec).is_err(), "{spec:?}");
    }
}

/// Cargo requirements through the `semver` crate (Cargo's own rules).
const CARGO: &[(&str, &str, bool)] = &[
    ("^1.2.3", "1.2.3", true),
    ("^1.2.3", "1.9.0", true),
    ("^1.2.3", "2.0.0", false),
    ("1.2.3", "1.3.0", true),
    ("^0.2.3", "0.2.9", true),
    ("^0.2.3", "0.3.0", false),
    ("^0.0.3", "0.0.4", false),
    ("~1.2.3", "1.2.9", true),
    ("~1.2.3", "1.3.0", false),
    ("=1.2.3", "1.2.3", true),
    (">=1.0, <1.5", "1.4.9", true),
    (">=1.0, <1.5", "1.5.0", false),
    ("*", "3.0.0", true),
    ("1.*", "1.9.0", true),
    (">=1.0.0", "2.0.0-alpha", false),
    (">=1.0.0-alpha", "1.0.0-beta", true),
    (">=1.0.0-alpha", "1.0.1-beta", false),
];

/// Validates Cargo requirements.
#[test]
fn cargo_requirements() {
    assert!(check(Scheme::Cargo, Prereleases::EcosystemDefault, CARGO, false) > 15);
}

/// Plain comparators for dpkg, apk, rpm and Go.
#[test]
fn plain_comparators() {
    let rows: &[(Scheme, &str, &str, bool)] = &[
        (Scheme::Dpkg, ">= 1.0-1, << 1.0-2", "1.0-1+deb12u1", true),
        (Scheme::Dpkg, "<< 2.36-9+deb12u7", "2.36-9+deb12u7", false),
        (Scheme::Dpkg, "<= 2.36-9+deb12u7", "2.36-9+deb12u7", true),
        (Scheme::Dpkg, ">> 1:0", "2.0", false),
        (Scheme::Dpkg, "= 1.0", "1.0-0", true),
        (Scheme::Dpkg, "1.0", "1.0", true),
        (Scheme::Apk, "< 1.2.3-r1", "1.2.3", true),
        (Scheme::Apk, ">= 1.2.3_rc1", "1.2.3_beta2", false),
        (Scheme::Rpm, ">= 0:1.0-1.el9, < 1:0", "1.5-3.el9", true),
        (Scheme::Rpm, "!= 1.0-1", "1.0-1", false),
        (
            Scheme::Go,
            ">= v1.2.0, < v1.3.0",
            "v1.2.9+incompatible",
            true,
        ),
        (Scheme::Go, "== go1.21.0", "1.21.0", true),
    ];
    for (scheme, spec, version, want) in rows {
        assert_eq!(
            satisfies(*scheme, version, spec).unwrap(),
            *want,
            "{scheme} {version} {spec}"
        );
    }
    assert!(satisfies(Scheme::Dpkg, "1.0", "").is_err());
    assert!(satisfies(Scheme::Dpkg, "1.0", ">= ").is_err());
    assert!(satisfies(Scheme::Dpkg, "1.0", ">= !!").is_err());
}
