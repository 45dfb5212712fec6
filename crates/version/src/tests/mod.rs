//! Table tests: ordered pairs per scheme, taken from each ecosystem's own tests and docs.
//!
//! Each `data/<scheme>.txt` line is `A OP B` with OP one of `<`, `=`, `>`; `#` starts a
//! comment. Every row is checked both ways (antisymmetry).

use std::cmp::Ordering;

use crate::{compare, Scheme};

mod garbage;
mod osv;
mod parse;
mod specs;

/// Parse a table file into `(a, b, ordering)` rows.
pub(crate) fn rows(data: &str) -> Vec<(&str, &str, Ordering)> {
    data.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "bad table row {l:?}");
            let ord = match parts[1] {
                "<" => Ordering::Less,
                "=" | "==" => Ordering::Equal,
                ">" => Ordering::Greater,
                op => panic!("bad operator {op:?} in row {l:?}"),
            };
            (parts[0], parts[2], ord)
        })
        .collect()
}

/// Check every row of a table both ways; report all failures at once.
pub(crate) fn check_table(scheme: Scheme, data: &str) -> usize {
    let rows = rows(data);
    let mut failures = Vec::new();
    for (a, b, want) in &rows {
        match (compare(scheme, a, b), compare(scheme, b, a)) {
            (Ok(got), Ok(rev)) => {
                if got != *want {
                    failures.push(format!("{a} vs {b}: want {want:?}, got {got:?}"));
                }
                if rev != want.reverse() {
                    failures.push(format!(
                        "{b} vs {a}: want {:?}, got {rev:?}",
                        want.reverse()
                    ));
                }
            }
            (Err(e), _) | (_, Err(e)) => failures.push(format!("{a} vs {b}: {e}")),
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

/// Check that a list of versions (one per line) is strictly increasing, every pair.
pub(crate) fn check_sorted(scheme: Scheme, data: &str) -> usize {
    let versions: Vec<&str> = data
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    let mut failures = Vec::new();
    let mut count = 0;
    for (i, a) in versions.iter().enumerate() {
        for b in &versions[i + 1..] {
            count += 1;
            match (compare(scheme, a, b), compare(scheme, b, a)) {
                (Ok(Ordering::Less), Ok(Ordering::Greater)) => {}
                (Ok(x), Ok(y)) => failures.push(format!("{a} vs {b}: got {x:?}/{y:?}")),
                (Err(e), _) | (_, Err(e)) => failures.push(format!("{a} vs {b}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{scheme}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}

/// Validates dpkg ordering against dpkg's and Debian policy's cases.
#[test]
fn dpkg_table() {
    assert!(check_table(Scheme::Dpkg, include_str!("data/dpkg.txt")) > 100);
}

/// Validates apk ordering against apk-tools' test/version.data.
#[test]
fn apk_table() {
    assert!(check_table(Scheme::Apk, include_str!("data/apk.txt")) > 500);
}

/// Validates rpm ordering against rpm's tests/rpmvercmp.at and EVR cases.
#[test]
fn rpm_table() {
    assert!(check_table(Scheme::Rpm, include_str!("data/rpm.txt")) > 80);
}

/// Validates SemVer (lenient) ordering against semver.org's precedence rules.
#[test]
fn semver_table() {
    assert!(check_table(Scheme::Semver, include_str!("data/semver.txt")) > 20);
}

/// Validates Cargo (strict SemVer) ordering.
#[test]
fn cargo_table() {
    assert!(check_table(Scheme::Cargo, include_str!("data/cargo.txt")) > 15);
}

/// Validates npm ordering against node-semver's comparisons and equality fixtures.
#[test]
fn npm_table() {
    assert!(check_table(Scheme::Npm, include_str!("data/npm.txt")) > 80);
}

/// Validates Go ordering against golang.org/x/mod's semver tests, pseudo-versions and Go releases.
#[test]
fn go_table() {
    assert!(check_table(Scheme::Go, include_str!("data/go.txt")) > 250);
}

/// Validates PEP 440 ordering against packaging's sorted VERSIONS list (every pair).
#[test]
fn pep440_sorted() {
    assert!(check_sorted(Scheme::Pep440, include_str!("data/pep440_sorted.txt")) > 4000);
}

/// Validates PEP 440 normalization and ordering rows.
#[test]
fn pep440_table() {
    assert!(check_table(Scheme::Pep440, include_str!("data/pep440.txt")) > 80);
}

/// Validates Maven ordering against Maven's ComparableVersionTest.
#[test]
fn maven_table() {
    assert!(check_table(Scheme::Maven, include_str!("data/maven.txt")) > 500);
}

/// Validates RubyGems ordering against RubyGems' test_gem_version.rb.
#[test]
fn rubygems_table() {
    assert!(check_table(Scheme::RubyGems, include_str!("data/rubygems.txt")) > 40);
}

/// Validates sorted lists (every pair) for SemVer-based schemes, RubyGems, dpkg and rpm.
#[test]
fn sorted_lists() {
    let semver = include_str!("data/semver_sorted.txt");
    let n = check_sorted(Scheme::Npm, semver)
        + check_sorted(Scheme::Cargo, semver)
        + check_sorted(Scheme::Semver, semver)
        + check_sorted(Scheme::Go, semver)
        + check_sorted(Scheme::RubyGems, include_str!("data/rubygems_sorted.txt"))
        + check_sorted(Scheme::Dpkg, include_str!("data/dpkg_sorted.txt"))
        + check_sorted(Scheme::Rpm, include_str!("data/rpm_sorted.txt"));
    assert!(n > 3000);
}

/// Validates the generic CPE rule against its documented cases (numbers by value, missing
/// parts as zero, pre-release words first, other letters after).
#[test]
fn cpe_table() {
    assert!(check_table(Scheme::Cpe, include_str!("data/cpe.txt")) > 35);
}
