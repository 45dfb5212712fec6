//! Packagist (Composer) versions, ordered the way OSV orders the Packagist ecosystem: PHP's
//! `version_compare` on the version with a leading `v` removed.
//!
//! Why this order and not Composer's own (`composer/semver`) or SemVer: the advisories come
//! from OSV, whose Packagist ranges are evaluated by OSV with `version_compare` rules; the
//! same rules here give the same answers. SemVer rejects the four-part versions (`1.2.3.4`)
//! and `v` tags (`v6.4.3`) that Composer packages use, and reads `-p1` (a patch level, newer)
//! as a pre-release (older).
//!
//! The rules (php-src `ext/standard/versioning.c`, as OSV applies them):
//! - a leading `v` is dropped (`v6.4.3 == 6.4.3`);
//! - `-`, `_` and `+` become `.`, and a `.` is put between a digit and a non-digit, so
//!   `4.3.2RC1` is `4.3.2.RC.1`; the result is split at `.`;
//! - parts compare left to right: numbers as numbers; other parts by rank,
//!   any other string < `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < a number (`#`)
//!   < `pl` = `p` (exact, case-sensitive names, as OSV matches them);
//! - when one version runs out of parts: if the other continues with a number, the longer
//!   one is newer (`1.0 < 1.0.0`, `6.4.3 < 6.4.3.1`); otherwise the rest of the longer one is
//!   compared against a number (`1.0.0-RC1 < 1.0.0 < 1.0.0-p1`).
//!
//! Traps:
//! - `1.0` and `1.0.0` are *not* equal (PHP's rule): compare the `version` Composer writes
//!   (the tag, `6.4.3` or `v6.4.3`), which is the form advisories use, not
//!   `version_normalized` (`6.4.3.0`), which is always four parts and would sort after the
//!   advisory's `6.4.3`.
//! - branch versions (`dev-main`, `1.x-dev`) are not releases; they parse, and `dev-main`
//!   sorts before every release.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A Packagist version.
///
/// ```
/// use version::PackagistVersion;
/// let v = |s: &str| s.parse::<PackagistVersion>().unwrap();
/// assert_eq!(v("v6.4.3"), v("6.4.3"));
/// assert!(v("1.0.0-RC1") < v("1.0.0"));
/// assert!(v("1.0.0") < v("1.0.0-p1"));
/// assert!(v("6.4.3") < v("6.4.3.1"));
/// ```
#[derive(Debug, Clone)]
pub struct PackagistVersion {
    raw: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Digits without leading zeros (empty for zero).
    Num(String),
    /// A special form's rank (`dev` 0 … `pl` 5); -1 for any other string.
    Special(i8),
}

/// The rank of a number among the special forms (`#`).
const NUMBER_RANK: i8 = 4;

fn rank(s: &str) -> i8 {
    match s {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "RC" | "rc" => 3,
        "#" => NUMBER_RANK,
        "pl" | "p" => 5,
        _ => -1,
    }
}

fn part(s: &str) -> Part {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        Part::Num(s.trim_start_matches('0').to_owned())
    } else {
        Part::Special(rank(s))
    }
}

fn cmp_part(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Num(a), Part::Num(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Part::Special(a), Part::Special(b)) => a.cmp(b),
        (Part::Num(_), Part::Special(b)) => NUMBER_RANK.cmp(b),
        (Part::Special(a), Part::Num(_)) => a.cmp(&NUMBER_RANK),
    }
}

/// `php_slices_compare`: the parts pairwise, then the longer one's rest.
fn cmp_parts(a: &[Part], b: &[Part]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp_part(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    let number = [Part::Special(NUMBER_RANK)];
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => match &a[b.len()] {
            Part::Num(_) => Ordering::Greater,
            Part::Special(_) => cmp_parts(&a[b.len()..], &number),
        },
        Ordering::Less => match &b[a.len()] {
            Part::Num(_) => Ordering::Less,
            Part::Special(_) => cmp_parts(&number, &b[a.len()..]),
        },
    }
}

/// `php_canonicalize_version`, split at `.`.
fn canonical_parts(s: &str) -> Vec<Part> {
    let mut out = String::with_capacity(s.len() * 2);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let c = if matches!(c, '-' | '_' | '+') { '.' } else { c };
        if let Some(p) = prev {
            let boundary = c != '.' && p != '.' && (p.is_ascii_digit() != c.is_ascii_digit());
            if boundary {
                out.push('.');
            }
        }
        out.push(c);
        prev = Some(c);
    }
    out.split('.').map(part).collect()
}

impl FromStr for PackagistVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| VersionParseError::new(Scheme::Packagist, input, reason);
        let rest = input.strip_prefix('v').unwrap_or(input);
        if rest.is_empty() {
            return Err(err("empty version"));
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("whitespace or control characters"));
        }
        Ok(PackagistVersion {
            raw: input.to_owned(),
            parts: canonical_parts(rest),
        })
    }
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
    }
}

impl PartialOrd for PackagistVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PackagistVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PackagistVersion {}

impl fmt::Display for PackagistVersion {
    /// The version as it was written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> PackagistVersion {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Validates the examples of PHP's `version_compare` documentation and php-src's
    /// `version_compare` tests (ext/standard/tests/versioning/version_compare.phpt), as
    /// orderings: each row is `a`, `b` and `version_compare(a, b)`.
    #[test]
    fn php_version_compare_table() {
        use Ordering::*;
        for (a, b, want) in [
            ("5.2", "5.2.0", Less),
            ("5.2.0", "5.2.0", Equal),
            ("5.3.0-dev", "5.3.0", Less),
            ("5.3.0", "5.3.0-dev", Greater),
            ("4.3.2RC1", "4.3.2", Less),
            ("4.3.2RC1", "4.3.2.RC.1", Equal),
            ("1.0.0-alpha", "1.0.0-a", Equal),
            ("1.0.0beta", "1.0.0b", Equal),
            ("1.0.0RC", "1.0.0rc", Equal),
            ("1.0.0-dev", "1.0.0-alpha", Less),
            ("1.0.0-alpha", "1.0.0-beta", Less),
            ("1.0.0-beta", "1.0.0-RC", Less),
            ("1.0.0-RC", "1.0.0", Less),
            ("1.0.0", "1.0.0-pl1", Less),
            ("1.0.0-p1", "1.0.0-pl1", Equal),
            ("1.0.0-foo", "1.0.0-dev", Less),
            ("1.0.0-RC1", "1.0.0-RC2", Less),
            ("1.0.0-RC2", "1.0.0-RC10", Less),
            ("1.0", "1.0.1", Less),
            ("1.0.1", "1.0", Greater),
            ("1.10", "1.9", Greater),
            ("1-0", "1.0", Equal),
            ("1_0", "1.0", Equal),
            ("1+0", "1.0", Equal),
        ] {
            assert_eq!(v(a).cmp(&v(b)), want, "version_compare({a:?}, {b:?})");
            assert_eq!(
                v(b).cmp(&v(a)),
                want.reverse(),
                "version_compare({b:?}, {a:?})"
            );
        }
    }

    /// Validates the Composer forms: `v` tags equal their plain tags, four-part versions
    /// sort after their three-part prefix, and OSV-style fixed versions order as expected.
    #[test]
    fn composer_forms() {
        assert_eq!(v("v6.4.3"), v("6.4.3"));
        assert_eq!(v("v2.5.1").to_string(), "v2.5.1");
        assert!(v("6.4.2") < v("v6.4.3"));
        assert!(v("6.4.3") < v("6.4.3.1"));
        assert!(v("7.4.2") < v("7.4.3"));
        assert!(v("6.5.5") < v("6.5.6"));
        assert!(v("7.0.0-beta1") < v("7.0.0"));
        assert!(v("7.0.0-RC1") > v("7.0.0-beta2"));
        assert!(v("dev-main") < v("0"));
        assert!(v("0") < v("0.0.1"));
        assert!(v("1.x-dev") < v("1.0.0"));
    }

    /// Validates what is rejected, and that huge numbers compare without overflow.
    #[test]
    fn invalid_and_huge() {
        for s in ["", "v", "1.0 ", "1.\t0", "1\n"] {
            assert!(s.parse::<PackagistVersion>().is_err(), "{s:?}");
        }
        assert!(v("99999999999999999999999") < v("100000000000000000000000"));
    }
}
