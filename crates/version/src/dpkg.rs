//! Debian package versions, ordered as `deb-version(7)` and dpkg's `verrevcmp` do.
//!
//! Traps:
//! - The form is `[epoch:]upstream[-revision]`. The epoch wins over everything:
//!   `1:0.9 > 2.0`.
//! - The revision is what follows the *last* hyphen, and the epoch what precedes the
//!   *first* colon, so the upstream part may itself hold `-` and `:` (`0:1-2:3-4` has
//!   upstream `1-2:3` and revision `4`).
//! - A missing revision equals the revision `0`, and a missing epoch equals `0`.
//! - Strings alternate non-digit and digit runs. In non-digit runs `~` sorts before
//!   everything, even the end of the string (`1.0~rc1 < 1.0`, `1.0~~ < 1.0~`); letters
//!   sort before all other characters (`1.0a < 1.0+`, `1.0a < 1.0.`); otherwise ASCII
//!   order. Digit runs compare as numbers, so leading zeros don't count (`1.01 == 1.1`).
//! - The end of a string sorts after `~` but before any other character:
//!   `1.0 < 1.0+deb12u1`, `1.0 < 1.0a`.
//! - Parsing is as strict as dpkg's `parseversion`: an upstream version that doesn't start
//!   with a digit, or characters outside `[A-Za-z0-9.+~:-]` (upstream) and `[A-Za-z0-9.+~]`
//!   (revision), are rejected, as dpkg rejects them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A parsed Debian version.
///
/// Equality follows ordering: `1.01` equals `1.1`, and `0:1.0-0` equals `1.0`.
///
/// ```
/// use version::DpkgVersion;
/// let a: DpkgVersion = "2.36-9+deb12u4".parse().unwrap();
/// let b: DpkgVersion = "2.36-9+deb12u7".parse().unwrap();
/// assert!(a < b);
/// ```
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: u32,
    upstream: String,
    revision: String,
    has_epoch: bool,
}

impl DpkgVersion {
    /// The epoch, `0` when absent.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision, empty when absent.
    pub fn revision(&self) -> &str {
        &self.revision
    }
}

fn err(input: &str, reason: &str) -> VersionParseError {
    VersionParseError::new(Scheme::Dpkg, input, reason)
}

impl FromStr for DpkgVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        if s.is_empty() {
            return Err(err(input, "empty version"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(err(input, "embedded whitespace"));
        }
        let (epoch, has_epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(err(input, "empty epoch"));
                }
                if !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(input, "epoch is not a number"));
                }
                let epoch: u32 = e
                    .parse()
                    .ok()
                    .filter(|&n: &u32| n <= i32::MAX as u32)
                    .ok_or_else(|| err(input, "epoch is too big"))?;
                if rest.is_empty() {
                    return Err(err(input, "nothing after the epoch's colon"));
                }
                (epoch, true, rest)
            }
            None => (0, false, s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err(input, "empty upstream version"));
        }
        if !upstream.as_bytes()[0].is_ascii_digit() {
            return Err(err(input, "upstream version does not start with a digit"));
        }
        if let Some(c) = upstream
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
        {
            return Err(err(
                input,
                &format!("invalid character {c:?} in upstream version"),
            ));
        }
        if let Some(c) = revision
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
        {
            return Err(err(input, &format!("invalid character {c:?} in revision")));
        }
        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
            has_epoch,
        })
    }
}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has_epoch {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.upstream)?;
        if !self.revision.is_empty() {
            write!(f, "-{}", self.revision)?;
        }
        Ok(())
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

/// dpkg's `order()`: the weight of one byte in a non-digit run (`0` is the end).
fn order(c: u8) -> i32 {
    if c.is_ascii_digit() {
        0
    } else if c.is_ascii_alphabetic() {
        i32::from(c)
    } else if c == b'~' {
        -1
    } else if c != 0 {
        i32::from(c) + 256
    } else {
        0
    }
}

/// dpkg's `verrevcmp`, byte for byte.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |i: usize| a.get(i).copied().unwrap_or(0);
    let bt = |j: usize| b.get(j).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while at(i) != 0 || bt(j) != 0 {
        while (at(i) != 0 && !at(i).is_ascii_digit()) || (bt(j) != 0 && !bt(j).is_ascii_digit()) {
            let (ac, bc) = (order(at(i)), order(bt(j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(i) == b'0' {
            i += 1;
        }
        while bt(j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(i).is_ascii_digit() && bt(j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if at(i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if bt(j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}
