//! Upstream release versions as NVD's CPE ranges write them (`20.13.1`, `1.22.1`,
//! `3.11.4rc1`, `1.1.1k`, `3.1.2p20`): one generic rule, because a CPE names products of
//! every kind and NVD does not say which version scheme each uses.
//!
//! The rule ([`Scheme::Cpe`]):
//! 1. A leading `v`/`V` before a digit is dropped (`v20.13.1` is `20.13.1`).
//! 2. The version is split into tokens: runs of ASCII digits (numbers) and runs of ASCII
//!    letters (words). Every other character (`.`, `-`, `_`, `+`, `~`, …) only separates.
//! 3. Tokens are compared pairwise, left to right:
//!    * two numbers by value, of any length (`1.22.1` < `1.22.10`, `20.13.1` < `20.14.0`);
//!    * a number is greater than a word (`1.0.1` > `1.0rc1`, `1.0.1` > `1.0a`);
//!    * two words: pre-release words (`dev` < `alpha`/`a` < `beta`/`b` < `pre`/`preview`
//!      < `rc`/`c`) order among themselves and below any other word; other words compare
//!      case-insensitively by their bytes.
//! 4. When one side runs out, the other's rest decides: zeros are nothing (`1.0` = `1.0.0`);
//!    a pre-release word makes it smaller (`3.11.4rc1` < `3.11.4`); any other word or a
//!    non-zero number makes it greater (`1.1.1k` > `1.1.1`, `3.1.2p20` > `3.1.2`).
//!
//! A word is a pre-release word when it is `dev`, `alpha`, `beta`, `pre`, `preview` or `rc`,
//! or when it is `a`, `b` or `c` directly followed by a number (`3.12.0a1`); a letter alone
//! at the end is a post-release (`1.1.1a`, OpenSSL's letter releases).
//!
//! Traps: this is not SemVer (`1.0.0-1` is a post-release here, SemVer says pre-release) and
//! not dpkg or rpm; it is meant only for the upstream versions NVD ranges name, and the
//! versions shipshape reads out of unmanaged runtimes. A version with no digit and no letter
//! (`*`, `-`, empty) is an error: NVD's `*` and `-` mean "any" and "none" and are handled by
//! the range evaluation, not compared.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::{Scheme, VersionParseError};

/// One token of a [`CpeVersion`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Digits without leading zeros (`"0"` for zero).
    Number(String),
    /// Letters, lower-cased; with its rank when it is a pre-release word.
    Word(String, Option<u8>),
}

impl Token {
    fn is_zero(&self) -> bool {
        matches!(self, Token::Number(n) if n == "0")
    }

    fn is_prerelease(&self) -> bool {
        matches!(self, Token::Word(_, Some(_)))
    }
}

/// The rank of a pre-release word, or `None` for an ordinary word. `followed_by_digit` says
/// whether a number follows directly (`a1`).
fn prerelease_rank(word: &str, followed_by_digit: bool) -> Option<u8> {
    match word {
        "dev" => Some(0),
        "alpha" => Some(1),
        "a" if followed_by_digit => Some(1),
        "beta" => Some(2),
        "b" if followed_by_digit => Some(2),
        "pre" | "preview" => Some(3),
        "rc" => Some(4),
        "c" if followed_by_digit => Some(4),
        _ => None,
    }
}

fn cmp_numbers(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn cmp_tokens(a: &Token, b: &Token) -> Ordering {
    match (a, b) {
        (Token::Number(x), Token::Number(y)) => cmp_numbers(x, y),
        (Token::Number(_), Token::Word(..)) => Ordering::Greater,
        (Token::Word(..), Token::Number(_)) => Ordering::Less,
        (Token::Word(x, rx), Token::Word(y, ry)) => match (rx, ry) {
            (Some(p), Some(q)) => p.cmp(q),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => x.cmp(y),
        },
    }
}

/// How the rest of a longer version compares with nothing: `Greater` when it adds a
/// release part, `Less` when it starts a pre-release, `Equal` for zeros only.
fn rest_vs_nothing(rest: &[Token]) -> Ordering {
    for t in rest {
        if t.is_zero() {
            continue;
        }
        return if t.is_prerelease() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    Ordering::Equal
}

/// An upstream version compared by the generic CPE rule (see the module documentation).
#[derive(Debug, Clone)]
pub struct CpeVersion {
    original: String,
    tokens: Vec<Token>,
}

impl CpeVersion {
    /// The version as given.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

impl FromStr for CpeVersion {
    type Err = VersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| VersionParseError::new(Scheme::Cpe, input, reason);
        let s = input.trim();
        let b = s.as_bytes();
        let s = match b {
            [b'v' | b'V', d, ..] if d.is_ascii_digit() => &s[1..],
            _ => s,
        };
        let b = s.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let digits = s[start..i].trim_start_matches('0');
                let n = if digits.is_empty() { "0" } else { digits };
                tokens.push(Token::Number(n.to_owned()));
            } else if b[i].is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = s[start..i].to_ascii_lowercase();
                let next_digit = b.get(i).is_some_and(u8::is_ascii_digit);
                let rank = prerelease_rank(&word, next_digit);
                tokens.push(Token::Word(word, rank));
            } else if b[i].is_ascii() {
                i += 1;
            } else {
                return Err(err("only ASCII letters, digits and separators are allowed"));
            }
        }
        if tokens.is_empty() {
            return Err(err("no digits or letters"));
        }
        Ok(CpeVersion {
            original: input.to_owned(),
            tokens,
        })
    }
}

impl Ord for CpeVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.tokens, &other.tokens);
        for (x, y) in a.iter().zip(b.iter()) {
            let o = cmp_tokens(x, y);
            if o != Ordering::Equal {
                return o;
            }
        }
        let n = a.len().min(b.len());
        match a.len().cmp(&b.len()) {
            Ordering::Equal => Ordering::Equal,
            Ordering::Greater => rest_vs_nothing(&a[n..]),
            Ordering::Less => rest_vs_nothing(&b[n..]).reverse(),
        }
    }
}

impl PartialOrd for CpeVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CpeVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for CpeVersion {}

impl fmt::Display for CpeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates that versions that are not versions are errors naming the input.
    #[test]
    fn rejects_non_versions() {
        for bad in ["", "*", "-", " . ", "1.2é"] {
            let e = bad.parse::<CpeVersion>().unwrap_err();
            assert_eq!(e.scheme(), Scheme::Cpe);
            assert_eq!(e.input(), bad);
        }
        assert_eq!(
            "v20.13.1".parse::<CpeVersion>().unwrap().as_str(),
            "v20.13.1"
        );
    }
}
