//! The error type of the renderers.

use crate::{Format, ReportFormat};

/// What went wrong while rendering a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A format name that is not one of `cyclonedx`, `spdx` or `json`.
    #[error("unknown SBOM format {given:?} (expected cyclonedx, spdx or json)")]
    UnknownFormat {
        /// The name as given.
        given: String,
    },
    /// A fixed timestamp that is not RFC 3339.
    #[error("invalid timestamp {given:?}: expected RFC 3339 such as 2024-01-02T03:04:05Z")]
    InvalidTimestamp {
        /// The timestamp as given.
        given: String,
        /// Why it did not parse.
        source: time::error::Parse,
    },
    /// A fixed document UUID that does not parse.
    #[error("invalid document UUID {given:?}")]
    InvalidUuid {
        /// The UUID as given.
        given: String,
        /// Why it did not parse.
        source: uuid::Error,
    },
    /// The timestamp could not be formatted (a year outside 0000–9999).
    #[error("could not format the document timestamp")]
    FormatTimestamp(#[source] time::error::Format),
    /// The document could not be serialised.
    #[error("could not serialise the {format} SBOM")]
    Serialize {
        /// The format being written.
        format: Format,
        /// The serialiser's error.
        source: serde_json::Error,
    },
    /// Writing to the output failed.
    #[error("could not write the {format} SBOM")]
    Write {
        /// The format being written.
        format: Format,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A report format name that is not one of `table`, `json`, `sarif` or `cyclonedx`.
    #[error("unknown report format {given:?} (expected table, json, sarif or cyclonedx)")]
    UnknownReportFormat {
        /// The name as given.
        given: String,
    },
    /// A vulnerability report could not be serialised.
    #[error("could not serialise the {format} vulnerability report")]
    SerializeReport {
        /// The format being written.
        format: ReportFormat,
        /// The serialiser's error.
        source: serde_json::Error,
    },
    /// Writing a vulnerability report to the output failed.
    #[error("could not write the {format} vulnerability report")]
    WriteReport {
        /// The format being written.
        format: ReportFormat,
        /// The I/O error.
        source: std::io::Error,
    },
}
