//! Declared licences, as both SBOM formats need them.
//!
//! Package managers declare licences in their own words: Debian copyright files say `GPL-2+`,
//! apk and rpm mostly use SPDX expressions (`MIT OR Apache-2.0`), older rpms say `GPLv2+`.
//! Both formats must only call something an SPDX expression when it is one, so each declared
//! licence is checked with the `spdx` crate, strictly (case-sensitive identifiers from the SPDX
//! licence list, `AND`/`OR`/`WITH` only), but deprecated identifiers such as `GPL-2.0+` are
//! accepted because SPDX 2.3 documents still allow them, and so is the `+` ("or later")
//! suffix on GPL identifiers (`GPL-2.0+`), which the SPDX expression grammar allows after
//! any licence identifier.

use spdx::ParseMode;

/// Strict SPDX parsing that still accepts deprecated identifiers.
const MODE: ParseMode = ParseMode {
    allow_deprecated: true,
    allow_postfix_plus_on_gpl: true,
    ..ParseMode::STRICT
};

/// Whether `s` is a valid SPDX licence expression.
pub(crate) fn is_spdx_expression(s: &str) -> bool {
    !s.trim().is_empty() && spdx::Expression::parse_mode(s.trim(), MODE).is_ok()
}

/// Joins expressions with `AND`, parenthesising compound ones, or `None` for none.
pub(crate) fn and_all<S: AsRef<str>>(exprs: &[S]) -> Option<String> {
    match exprs {
        [] => None,
        [one] => Some(one.as_ref().trim().to_string()),
        many => Some(
            many.iter()
                .map(|e| {
                    let e = e.as_ref().trim();
                    if e.contains(char::is_whitespace) {
                        format!("({e})")
                    } else {
                        e.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates which declared licences count as SPDX expressions.
    #[test]
    fn classifies_licences() {
        for ok in [
            "MIT",
            "MIT OR Apache-2.0",
            "GPL-2.0-or-later",
            "GPL-2.0+",
            "GPL-3.0-only WITH GCC-exception-3.1",
            "LicenseRef-foo",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in ["GPL-2+", "GPLv2+", "mit", "public-domain", "", "MIT OR"] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }

    /// Validates that compound expressions are parenthesised when joined.
    #[test]
    fn joins_with_and() {
        assert_eq!(and_all::<&str>(&[]), None);
        assert_eq!(and_all(&["MIT"]).unwrap(), "MIT");
        assert_eq!(
            and_all(&["MIT OR Apache-2.0", "Zlib"]).unwrap(),
            "(MIT OR Apache-2.0) AND Zlib"
        );
        assert!(is_spdx_expression(
            &and_all(&["MIT OR Apache-2.0", "Zlib"]).unwrap()
        ));
    }
}
