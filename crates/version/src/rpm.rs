//! RPM versions: `rpmvercmp` over `[epoch:]version[-release]`.
//!
//! Traps:
//! - Only ASCII letters and digits matter; every other character (except `~` and `^`)
//!   is a separator, and separators of any kind and length are equal: `2.0 == 2_0`,
//!   `a+ == a_`. Non-ASCII characters are separators too.
//! - Segments are maximal runs of digits or of letters. A digit segment beats a letter
//!   segment (`10.1a > 10.a`, `xyz.4 < 8`); digit segments compare numerically, leading
//!   zeros ignored (`10.0001 == 10.1`); letter segments compare as strings.
//! - `~` sorts before anything, even the end: `1.0~rc1 < 1.0`.
//! - `^` sorts after the end but before any further segment: `1.0^post1 > 1.0`,
//!   `1.0^ < 1.0.1`.
//! - When one side runs out, the longer one wins: `6.0.rc1 > 6.0` (unlike dpkg and
//!   semver, a letter segment is not a pre-release in rpm).
//! - Epoch policy: a missing epoch is `0`, as rpm itself treats it (`rpmverCmp`) and as
//!   OSV's Red Hat, AlmaLinux and Rocky feeds write it (`0:1.2-3.el9`). A missing release
//!   sorts before every release here, so [`RpmVersion`] is totally ordered; rpm's own
//!   dependency check instead lets a missing release match any release, which
//!   [`RpmVersion::cmp_ignoring_missing`] offers (together with ignoring a missing epoch).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A parsed RPM EVR (epoch, version, release).
///
/// ```
/// use version::RpmVersion;
/// let v = |s: &str| s.parse::<RpmVersion>().unwrap();
/// assert!(v("1.0~beta") < v("1.0"));
/// assert!(v("1.0^post") > v("1.0"));
/// assert!(v("1.0^") < v("1.0.1"));
/// assert!(v("1:1.0-1.el9") > v("2.0-1.el9"));
/// ```
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: Option<u64>,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    /// The epoch as written, if any.
    pub fn epoch(&self) -> Option<u64> {
        self.epoch
    }

    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release part, if any.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }

    /// Compare as rpm compares a dependency against a package: a missing epoch or release
    /// on either side is not compared. This is not a total order (`1.0` equals both
    /// `1.0-1` and `1.0-2`); use it for "does this fixed version apply" questions where a
    /// feed omits the epoch or release, never for sorting.
    pub fn cmp_ignoring_missing(&self, other: &Self) -> Ordering {
        let epoch = match (self.epoch, other.epoch) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => Ordering::Equal,
        };
        epoch
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                _ => Ordering::Equal,
            })
    }
}

impl FromStr for RpmVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let err = |reason: &str| VersionParseError::new(Scheme::Rpm, input, reason);
        if s.is_empty() {
            return Err(err("empty version"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("whitespace or control character in version"));
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = if s.as_bytes().get(digits) == Some(&b':') {
            if digits == 0 {
                return Err(err("empty epoch"));
            }
            let epoch = s[..digits]
                .parse::<u64>()
                .map_err(|_| err("epoch is too big"))?;
            (Some(epoch), &s[digits + 1..])
        } else {
            (None, s)
        };
        if rest.contains(':') {
            return Err(err("epoch is not a number"));
        }
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => {
                if r.is_empty() {
                    return Err(err("empty release"));
                }
                (v, Some(r.to_owned()))
            }
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(err("empty version part"));
        }
        Ok(RpmVersion {
            epoch,
            version: version.to_owned(),
            release,
        })
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .unwrap_or(0)
            .cmp(&other.epoch.unwrap_or(0))
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

/// rpm's `rpmvercmp` (rpmio/rpmvercmp.c), for one version or release string.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    while i < a.len() || j < b.len() {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        // Tilde: sorts before everything, even the end.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // Caret: sorts after the end, before anything else.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let isnum = a[i].is_ascii_digit();
        let class = |c: &u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let ea = i + a[i..].iter().take_while(|c| class(c)).count();
        let eb = j + b[j..].iter().take_while(|c| class(c)).count();
        // `b` has a segment of the other type here.
        if eb == j {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut sa, mut sb) = (&a[i..ea], &b[j..eb]);
        let rc = if isnum {
            while sa.len() > 1 && sa[0] == b'0' {
                sa = &sa[1..];
            }
            while sb.len() > 1 && sb[0] == b'0' {
                sb = &sb[1..];
            }
            sa.len().cmp(&sb.len()).then_with(|| sa.cmp(sb))
        } else {
            sa.cmp(sb)
        };
        if rc != Ordering::Equal {
            return rc;
        }
        i = ea;
        j = eb;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}
