//! Alpine package versions, ordered as apk-tools' `version.c` does.
//!
//! Traps:
//! - The grammar is Gentoo's: `digits{.digits}[letter]{_suffix[digits]}[-rN]`, e.g.
//!   `1.2.3a_rc1_p2-r4`. Pre-release suffixes `_alpha < _beta < _pre < _rc` sort before
//!   the bare version; post-release suffixes `_cvs < _svn < _git < _hg < _p` after it.
//! - Once the leading tokens are equal, the version whose next token *kind* comes earlier
//!   in `digit < letter < suffix < revision < end` is the greater one. So
//!   `1.2.3_rc1 < 1.2.3 < 1.2.3-r1 < 1.2.3_p1`: a `_p` suffix outranks a `-r` revision
//!   (apk's data: `1.8.5 < 1.8.5_p2`, `4.5_p1 < 4.5_p1-r1`).
//! - A component after a dot that starts with `0` is compared by its count of leading
//!   zeros first (more zeros sort lower), then by the rest: `1.02 < 1.1`, `1.00 < 1.0`;
//!   apk-tools gives `-(number of zeros)` as the value of that token.
//!   The first component is always numeric (`006 > 1.0.0`).
//! - When one version runs out, the longer one is greater unless its next token is a
//!   pre-release suffix: `1.0 < 1.0.1`, `1.0_rc1 < 1.0`, `1 < 1.0`.
//! - Letters must be lowercase and follow digits (`1.0a`); anything else makes the rest
//!   of the string "invalid", and apk-tools then compares only the tokens before it. We
//!   keep that behaviour for ordering (apk's test data has `1.0 < 1.0bc`) and expose
//!   [`ApkVersion::is_valid`] for apk's own validity check.
//! - Numbers are compared as numbers of any length (apk-tools 2 used a C `int` and
//!   overflowed on `_pre20191002222144`; apk-tools 3 does not).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// A parsed Alpine package version.
///
/// ```
/// use version::ApkVersion;
/// let v = |s: &str| s.parse::<ApkVersion>().unwrap();
/// assert!(v("1.2.3_rc1") < v("1.2.3"));
/// assert!(v("1.2.3") < v("1.2.3-r1"));
/// assert!(v("1.2.3-r1") < v("1.2.3_p1"));
/// ```
#[derive(Debug, Clone)]
pub struct ApkVersion {
    raw: String,
}

impl ApkVersion {
    /// Whether apk-tools' `apk_version_validate` accepts this version. Invalid versions
    /// can still be ordered, the way apk-tools orders them.
    pub fn is_valid(&self) -> bool {
        let mut t = Tokens::new(&self.raw);
        loop {
            match t.next_token() {
                None => return t.kind == Kind::End,
                Some(_) => continue,
            }
        }
    }

    /// The version as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl FromStr for ApkVersion {
    type Err = VersionParseError;

    /// Accepts any string that starts with a digit and has no whitespace or control
    /// characters; see [`ApkVersion::is_valid`] for apk's stricter check.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let err = |reason: &str| VersionParseError::new(Scheme::Apk, input, reason);
        if s.is_empty() {
            return Err(err("empty version"));
        }
        if !s.as_bytes()[0].is_ascii_digit() {
            return Err(err("version does not start with a digit"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("whitespace or control character in version"));
        }
        Ok(ApkVersion { raw: s.to_owned() })
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(&self.raw, &other.raw)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

/// Token kinds in apk-tools' order (the order matters: it is compared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
}

/// A token's value. Numbers keep their digits (leading zeros stripped) so that any length
/// compares correctly; `Small` holds apk's small signed values (letters, suffix ranks,
/// negative leading-zero counts).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value<'a> {
    Small(i64),
    Number(&'a [u8]),
}

impl Value<'_> {
    fn is_negative(&self) -> bool {
        matches!(self, Value::Small(n) if *n < 0)
    }
}

impl Ord for Value<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Small values are at most 255 in magnitude; a Number with more than 18 digits
        // is bigger than any of them.
        fn big(n: &[u8]) -> Option<i64> {
            if n.len() > 18 {
                None
            } else {
                Some(n.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
            }
        }
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Value::Small(a), Value::Small(b)) => a.cmp(b),
            (Value::Small(a), Value::Number(b)) => match big(b) {
                Some(b) => a.cmp(&b),
                None => Ordering::Less,
            },
            (Value::Number(a), Value::Small(b)) => match big(a) {
                Some(a) => a.cmp(b),
                None => Ordering::Greater,
            },
        }
    }
}

impl PartialOrd for Value<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

#[derive(Clone, Copy)]
struct Tokens<'a> {
    s: &'a [u8],
    pos: usize,
    kind: Kind,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens {
            s: s.as_bytes(),
            pos: 0,
            kind: Kind::Digit,
        }
    }

    fn rest(&self) -> &'a [u8] {
        &self.s[self.pos..]
    }

    /// apk-tools' `next_token`: classify the separator at the cursor and skip it.
    fn advance_kind(&mut self) {
        let rest = self.rest();
        let mut n = Kind::Invalid;
        if rest.is_empty() || rest[0] == 0 {
            n = Kind::End;
        } else if matches!(self.kind, Kind::Digit | Kind::DigitOrZero)
            && rest[0].is_ascii_lowercase()
        {
            n = Kind::Letter;
        } else if self.kind == Kind::Letter && rest[0].is_ascii_digit() {
            n = Kind::Digit;
        } else if self.kind == Kind::Suffix && rest[0].is_ascii_digit() {
            n = Kind::SuffixNo;
        } else {
            match rest[0] {
                b'.' => n = Kind::DigitOrZero,
                b'_' => n = Kind::Suffix,
                b'-' => {
                    if rest.len() > 1 && rest[1] == b'r' {
                        n = Kind::RevisionNo;
                        self.pos += 1;
                    } else {
                        n = Kind::Invalid;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        if n < self.kind
            && !((n == Kind::DigitOrZero && self.kind == Kind::Digit)
                || (n == Kind::Suffix && self.kind == Kind::SuffixNo)
                || (n == Kind::Digit && self.kind == Kind::Letter))
        {
            n = Kind::Invalid;
        }
        self.kind = n;
    }

    /// apk-tools' `get_token`: the value of the token at the cursor, then the kind of the
    /// next one in `self.kind`. `None` when the current kind is already end or invalid
    /// (apk returns 0 there, or -1 for invalid; callers handle both).
    fn next_token(&mut self) -> Option<Value<'a>> {
        if matches!(self.kind, Kind::End | Kind::Invalid) {
            return None;
        }
        let rest = self.rest();
        if rest.is_empty() {
            self.kind = Kind::End;
            return Some(Value::Small(0));
        }
        let mut next_kind = None;
        let (value, len) = match self.kind {
            Kind::DigitOrZero if rest[0] == b'0' => {
                let zeros = rest.iter().take_while(|&&b| b == b'0').count();
                next_kind = Some(Kind::Digit);
                (Value::Small(-(zeros as i64)), zeros)
            }
            Kind::DigitOrZero | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
                let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                let digits = &rest[..len];
                let start = digits.iter().take_while(|&&b| b == b'0').count();
                (Value::Number(&digits[start..]), len)
            }
            Kind::Letter => (Value::Small(i64::from(rest[0])), 1),
            Kind::Suffix => {
                if let Some(i) = PRE_SUFFIXES
                    .iter()
                    .position(|s| rest.starts_with(s.as_bytes()))
                {
                    (
                        Value::Small(i as i64 - PRE_SUFFIXES.len() as i64),
                        PRE_SUFFIXES[i].len(),
                    )
                } else if let Some(i) = POST_SUFFIXES
                    .iter()
                    .position(|s| rest.starts_with(s.as_bytes()))
                {
                    (Value::Small(i as i64), POST_SUFFIXES[i].len())
                } else {
                    self.kind = Kind::Invalid;
                    return Some(Value::Small(-1));
                }
            }
            Kind::Invalid | Kind::End => unreachable!("checked above"),
        };
        self.pos += len;
        if self.rest().is_empty() {
            self.kind = Kind::End;
        } else if let Some(k) = next_kind {
            self.kind = k;
        } else {
            self.advance_kind();
        }
        Some(value)
    }
}

/// apk-tools' `apk_version_compare_blob_fuzzy` without fuzziness.
fn compare(a: &str, b: &str) -> Ordering {
    let mut ta = Tokens::new(a);
    let mut tb = Tokens::new(b);
    let mut av = Value::Small(0);
    let mut bv = Value::Small(0);
    while ta.kind == tb.kind && !matches!(ta.kind, Kind::End | Kind::Invalid) && av == bv {
        av = ta.next_token().unwrap_or(Value::Small(0));
        bv = tb.next_token().unwrap_or(Value::Small(0));
    }
    match av.cmp(&bv) {
        Ordering::Equal => {}
        other => return other,
    }
    if ta.kind == tb.kind {
        return Ordering::Equal;
    }
    // The non-terminating version is greater unless its next token is a pre-release suffix.
    if ta.kind == Kind::Suffix {
        let mut peek = ta;
        if peek.next_token().is_some_and(|v| v.is_negative()) {
            return Ordering::Less;
        }
    }
    if tb.kind == Kind::Suffix {
        let mut peek = tb;
        if peek.next_token().is_some_and(|v| v.is_negative()) {
            return Ordering::Greater;
        }
    }
    // A later token kind (closer to the end) means fewer components: lower.
    tb.kind.cmp(&ta.kind)
}
