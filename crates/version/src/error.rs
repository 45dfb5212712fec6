//! Errors: a version or a specifier that a scheme cannot read.

use crate::Scheme;

/// A version string that is not valid in its scheme.
///
/// The message names the scheme, the input and what was wrong, e.g.
/// `invalid dpkg version "1:": empty upstream version`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {input:?}: {reason}")]
pub struct VersionParseError {
    scheme: Scheme,
    input: String,
    reason: String,
}

impl VersionParseError {
    pub(crate) fn new(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        Self {
            scheme,
            input: input.to_owned(),
            reason: reason.into(),
        }
    }

    /// The scheme the version was read as.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The version string as given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why the version was rejected.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A native specifier (`^1.2 || >=3`, `>=1.0,!=1.3.*`, `[1.0,2.0)`, …) that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The candidate version, or a version inside the specifier, is invalid.
    #[error(transparent)]
    Version(#[from] VersionParseError),
    /// The specifier's syntax is invalid for its scheme.
    #[error("invalid {scheme} version specifier {input:?}: {reason}")]
    Syntax {
        /// The scheme whose syntax was expected.
        scheme: Scheme,
        /// The specifier as given.
        input: String,
        /// What was wrong.
        reason: String,
    },
}

impl SpecError {
    pub(crate) fn syntax(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        SpecError::Syntax {
            scheme,
            input: input.to_owned(),
            reason: reason.into(),
        }
    }
}
