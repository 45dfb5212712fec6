//! OSV range event evaluation.

use crate::{affected, Event, Range, Scheme};

fn intro(v: &str) -> Event {
    Event::Introduced(v.to_owned())
}
fn fixed(v: &str) -> Event {
    Event::Fixed(v.to_owned())
}
fn last(v: &str) -> Event {
    Event::LastAffected(v.to_owned())
}
fn limit(v: &str) -> Event {
    Event::Limit(v.to_owned())
}

/// Check each `(version, expected)` against one range.
fn check(scheme: Scheme, events: &[Event], cases: &[(&str, bool)]) -> usize {
    for (version, want) in cases {
        let got = affected(scheme, version, events).unwrap();
        assert_eq!(got, *want, "{scheme} {version} in {events:?}");
    }
    cases.len()
}

/// Validates `introduced: 0` plus `fixed`: everything before the fix.
#[test]
fn introduced_zero_and_fixed() {
    let events = [intro("0"), fixed("2.36-9+deb12u7")];
    check(
        Scheme::Dpkg,
        &events,
        &[
            ("2.28-10", true),
            ("2.36-9+deb12u4", true),
            ("2.36-9+deb12u6", true),
            ("2.36-9+deb12u7", false),
            ("2.36-9+deb12u8", false),
            ("2.37-1", false),
            ("1:2.0", false),
            ("0", true),
        ],
    );
}

/// Validates several introduced/fixed pairs: only the gaps are unaffected.
#[test]
fn multiple_pairs() {
    let events = [
        intro("1.0.0"),
        fixed("1.0.5"),
        intro("1.1.0"),
        fixed("1.1.3"),
        intro("2.0.0"),
    ];
    check(
        Scheme::Semver,
        &events,
        &[
            ("0.9.9", false),
            ("1.0.0", true),
            ("1.0.4", true),
            ("1.0.5", false),
            ("1.0.9", false),
            ("1.1.0-rc.1", false),
            ("1.1.0", true),
            ("1.1.2", true),
            ("1.1.3", false),
            ("1.9.9", false),
            ("2.0.0-beta.1", false),
            ("2.0.0", true),
            ("99.0.0", true),
        ],
    );
}

/// Validates `last_affected`: inclusive, so the version itself is affected.
#[test]
fn last_affected_is_inclusive() {
    let events = [intro("1.0"), last("1.4")];
    check(
        Scheme::Pep440,
        &events,
        &[
            ("0.9", false),
            ("1.0", true),
            ("1.4", true),
            ("1.4.0", true),
            ("1.4+local", false), // a local version sorts above its public version
            ("1.4.post1", false),
            ("1.5a1", false),
            ("2.0", false),
        ],
    );
}

/// Validates `limit`: versions at or above every limit are never affected.
#[test]
fn limit_caps_the_range() {
    let events = [intro("0"), limit("1.2.0")];
    check(
        Scheme::Npm,
        &events,
        &[
            ("0.0.1", true),
            ("1.1.9", true),
            ("1.2.0", false),
            ("3.0.0", false),
        ],
    );
    // A limit of "*" does not cap anything.
    let events = [intro("1.0.0"), limit("*")];
    check(Scheme::Npm, &events, &[("0.5.0", false), ("9.0.0", true)]);
    // Several limits: below any one of them is enough.
    let events = [intro("0"), limit("1.0.0"), limit("2.0.0")];
    check(Scheme::Npm, &events, &[("1.5.0", true), ("2.0.0", false)]);
}

/// Validates that events are sorted by version before evaluation.
#[test]
fn unsorted_events() {
    let events = [
        fixed("1.2.3-r2"),
        intro("2.0.0-r0"),
        fixed("2.0.4-r0"),
        intro("1.0.0-r0"),
    ];
    check(
        Scheme::Apk,
        &events,
        &[
            ("0.9-r0", false),
            ("1.0.0-r0", true),
            ("1.2.3-r1", true),
            ("1.2.3-r2", false),
            ("1.9_rc1-r0", false),
            ("2.0.0-r0", true),
            ("2.0.3-r9", true),
            ("2.0.4-r0", false),
            ("2.0.4_p1-r0", false),
        ],
    );
}

/// Validates back-to-back ranges: a fix and an introduction at the same version.
#[test]
fn touching_ranges() {
    let events = [intro("1.0"), fixed("2.0"), intro("2.0"), fixed("3.0")];
    check(
        Scheme::Maven,
        &events,
        &[
            ("1.5", true),
            ("2.0", true),
            ("2.5", true),
            ("3.0", false),
            ("3.0-SNAPSHOT", true),
        ],
    );
}

/// Validates rpm EVRs with epochs, as Red Hat and AlmaLinux feeds write them.
#[test]
fn rpm_epochs() {
    let events = [intro("0"), fixed("1:3.0.7-27.el9")];
    check(
        Scheme::Rpm,
        &events,
        &[
            ("1:3.0.7-24.el9", true),
            ("3.0.7-30.el9", true), // no epoch = epoch 0 < 1
            ("1:3.0.7-27.el9", false),
            ("1:3.0.7-27.el9_2", false),
        ],
    );
}

/// Validates Go pseudo-versions and the standard library's release names.
#[test]
fn go_versions() {
    let events = [intro("0"), fixed("0.17.0")];
    check(
        Scheme::Go,
        &events,
        &[
            ("v0.0.0-20230522175609-2e198f4a06a1", true),
            ("v0.16.0", true),
            ("v0.17.0", false),
        ],
    );
    let events = [intro("1.21.0-0"), fixed("1.21.5")];
    check(
        Scheme::Go,
        &events,
        &[
            ("go1.20.12", false),
            ("go1.21rc2", true),
            ("go1.21.4", true),
            ("go1.21.5", false),
        ],
    );
}

/// Validates that `Range` delegates to `affected` and that bad versions are errors.
#[test]
fn range_type_and_errors() {
    let range = Range::new(vec![intro("0"), fixed("1.0")]);
    assert_eq!(range.events().len(), 2);
    assert!(range.affected(Scheme::RubyGems, "0.9").unwrap());
    assert!(!range.affected(Scheme::RubyGems, "1.0").unwrap());
    let err = range
        .affected(Scheme::RubyGems, "not a version")
        .unwrap_err();
    assert_eq!(err.scheme(), Scheme::RubyGems);
    assert_eq!(err.input(), "not a version");
    assert!(err.to_string().contains("rubygems"), "{err}");
    let bad = [intro("0"), fixed("###")];
    assert!(affected(Scheme::Dpkg, "1.0", &bad).is_err());
    // No events, or no introduced event: nothing is affected.
    assert!(!affected(Scheme::Dpkg, "1.0", &[]).unwrap());
    assert!(!affected(Scheme::Dpkg, "1.0", &[fixed("2.0")]).unwrap());
}

/// Validates OSV NuGet ranges in NuGet's order (GHSA-5crp-9r3c-p9vr, Newtonsoft.Json before
/// 13.0.1): four-part and two-part versions, pre-releases of the fix, labels in any case.
#[test]
fn nuget_ranges() {
    let events = [intro("0"), fixed("13.0.1")];
    check(
        Scheme::NuGet,
        &events,
        &[
            ("12.0.3", true),
            ("12.0.3.1", true),
            ("13.0", true),
            ("13.0.1-beta1", true),
            ("13.0.1-BETA2", true),
            ("13.0.1", false),
            ("13.0.1.0", false),
            ("13.0.1+sha.1", false),
            ("13.0.2", false),
        ],
    );
    let pair = [
        intro("4.0.0"),
        fixed("4.5.2"),
        intro("5.0.0-rc.1"),
        last("5.0.1"),
    ];
    check(
        Scheme::NuGet,
        &pair,
        &[
            ("3.9.9.9", false),
            ("4.0", true),
            ("4.5.1.9", true),
            ("4.5.2", false),
            ("5.0.0-preview.1", false),
            ("5.0.0-RC.1", true),
            ("5.0.1", true),
            ("5.0.1.1", false),
        ],
    );
}

/// Validates OSV Packagist ranges in OSV's Packagist order (GHSA-cwmx-hcrq-mhc3,
/// guzzlehttp/guzzle before 6.5.6 and 7.0.0 to 7.4.3; symfony-style `v` tags).
#[test]
fn packagist_ranges() {
    let events = [intro("0"), fixed("6.5.6"), intro("7.0.0"), fixed("7.4.3")];
    check(
        Scheme::Packagist,
        &events,
        &[
            ("6.5.5", true),
            ("v6.5.5", true),
            ("6.5.6", false),
            ("6.5.8", false),
            ("7.0.0-beta1", false),
            ("7.0.0", true),
            ("7.4.2", true),
            ("v7.4.2", true),
            ("7.4.3", false),
            ("7.4.3.1", false),
            ("7.5.0", false),
        ],
    );
}
