//! Python versions (PEP 440), through astral's `pep440_rs`.
//!
//! Traps (PEP 440 has many, `pep440_rs` handles them; listed so callers know):
//! - Order within a release: `1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0a1.post1 < 1.0b1 <
//!   1.0rc1 < 1.0 < 1.0+local < 1.0.post1.dev1 < 1.0.post1`.
//! - Normalization: case-insensitive, `-`/`_`/`.` separators interchangeable, alternate
//!   spellings (`alpha`→`a`, `c`/`pre`/`preview`→`rc`, `rev`/`r`→`post`), implicit numbers
//!   (`1.0a` = `1.0a0`), `1.0-1` = `1.0.post1`, a leading `v` and surrounding whitespace.
//! - Trailing zeros in the release don't count: `1.0 == 1.0.0`; an epoch wins over all:
//!   `1!0.1 > 2.0`.
//! - Local versions (`1.0+ubuntu.1`) sort after their public version, segment by
//!   segment, numbers above strings. Specifiers ignore the local part unless the
//!   specifier has one.
//! - Specifier matching has its own rules (pre-release exclusion, `<1.0` excluding
//!   `1.0rc1`, `>1.0` excluding `1.0.post1`); see [`crate::satisfies`].

use crate::{Scheme, VersionParseError};

/// A PEP 440 version (`pep440_rs::Version`): `Ord + FromStr + Display`, normalized.
///
/// ```
/// use version::Pep440Version;
/// let v = |s: &str| s.parse::<Pep440Version>().unwrap();
/// assert!(v("1.0.dev1") < v("1.0a1"));
/// assert_eq!(v("1.0-1"), v("1.0.post1"));
/// assert_eq!(v("1.0RC1").to_string(), "1.0rc1");
/// ```
pub type Pep440Version = pep440_rs::Version;

/// Parse a PEP 440 version, with our error type.
pub(crate) fn parse(input: &str) -> Result<Pep440Version, VersionParseError> {
    input
        .parse::<Pep440Version>()
        .map_err(|e| VersionParseError::new(Scheme::Pep440, input, e.to_string()))
}
