//! Error types: feed-level import failures, per-record problems, and store failures.
//!
//! A feed that cannot be read as a whole (not JSON, not a zip, a missing file) is an
//! [`ImportError`] naming the source and the file or entry. A single malformed record is not:
//! it is skipped, counted in [`crate::ImportReport`] and kept as a [`RecordError`] (the first
//! few only).

use std::io;
use std::path::PathBuf;

/// A feed could not be read as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Reading the input failed.
    #[error("{feed}: cannot read {what}")]
    Io {
        /// The source name.
        feed: String,
        /// The file, entry or stream.
        what: String,
        /// The I/O error.
        #[source]
        err: io::Error,
    },
    /// The input is not valid JSON (or does not have the feed's top-level shape).
    #[error("{feed}: {what} is not a valid {format} document")]
    Parse {
        /// The source name.
        feed: String,
        /// The file, entry or stream.
        what: String,
        /// The expected format (`OSV JSON`, `Debian tracker JSON`, …).
        format: &'static str,
        /// What the parser said.
        #[source]
        err: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The zip archive is unreadable (truncated, not a zip).
    #[error("{feed}: {what} is not a readable zip archive")]
    Zip {
        /// The source name.
        feed: String,
        /// The archive.
        what: String,
        /// What the zip reader said.
        #[source]
        err: zip::result::ZipError,
    },
}

impl ImportError {
    /// The name of the source that failed.
    pub fn feed(&self) -> &str {
        match self {
            ImportError::Io { feed, .. }
            | ImportError::Parse { feed, .. }
            | ImportError::Zip { feed, .. } => feed,
        }
    }

    pub(crate) fn parse(
        feed: &str,
        what: &str,
        format: &'static str,
        err: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        ImportError::Parse {
            feed: feed.to_owned(),
            what: what.to_owned(),
            format,
            err: err.into(),
        }
    }

    pub(crate) fn io(feed: &str, what: &str, err: io::Error) -> Self {
        ImportError::Io {
            feed: feed.to_owned(),
            what: what.to_owned(),
            err,
        }
    }
}

/// One malformed record that was skipped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{record}: {message}")]
pub struct RecordError {
    /// The record: its id where known, else the file or entry name and position.
    pub record: String,
    /// What was wrong with it.
    pub message: String,
}

/// The store could not be created, opened, written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// There is no database at the path.
    #[error("no vulnerability database at {path}")]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// `Store::create` refuses to overwrite an existing file.
    #[error("{path} already exists; not overwriting it")]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// The file is not an SQLite database at all.
    #[error("{path} is not a shipshape vulnerability database (not an SQLite file)")]
    NotADatabase {
        /// The path.
        path: PathBuf,
    },
    /// The file is an SQLite database, but not one written by shipshape.
    #[error("{path} is an SQLite database but not a shipshape vulnerability database")]
    NotOurs {
        /// The path.
        path: PathBuf,
    },
    /// The file was written with another schema version.
    #[error(
        "{path} has database schema version {found}, this shipshape reads version {expected}; \
         rebuild it (`shipshape db update`)"
    )]
    SchemaVersion {
        /// The path.
        path: PathBuf,
        /// The version in the file.
        found: i64,
        /// The version this build reads.
        expected: i64,
    },
    /// An SQLite operation failed.
    #[error("{path}: database error while {doing}")]
    Sqlite {
        /// The path.
        path: PathBuf,
        /// What was being done.
        doing: String,
        /// SQLite's error.
        #[source]
        err: rusqlite::Error,
    },
    /// A file-system operation failed (creating the directory, fsync, rename, removal).
    #[error("{path}: cannot {doing}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done.
        doing: String,
        /// The I/O error.
        #[source]
        err: io::Error,
    },
    /// A stored advisory's JSON could not be read back.
    #[error("{path}: stored advisory {id} is unreadable")]
    Corrupt {
        /// The path.
        path: PathBuf,
        /// The advisory id.
        id: String,
        /// The JSON error.
        #[source]
        err: serde_json::Error,
    },
}

/// A range could not be evaluated for a version.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// No version scheme is known for the ecosystem.
    #[error("{advisory}: no version scheme for ecosystem {ecosystem:?}")]
    UnknownScheme {
        /// The advisory id.
        advisory: String,
        /// The ecosystem.
        ecosystem: String,
    },
    /// The queried version or a version in the advisory's ranges is invalid in the scheme.
    #[error("{advisory}: cannot compare {package} {version}")]
    Version {
        /// The advisory id.
        advisory: String,
        /// The package.
        package: String,
        /// The queried version.
        version: String,
        /// The version crate's error.
        #[source]
        err: Box<version::VersionParseError>,
    },
}
