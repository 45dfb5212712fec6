//! The scan's hard failures.

/// A scan could not be completed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The advisory store could not be read.
    #[error("cannot read the vulnerability database while {doing}")]
    Store {
        /// What was being looked up (`looking up openssl in Debian:12`).
        doing: String,
        /// The store's error.
        #[source]
        err: Box<vulndb::StoreError>,
    },
    /// The Dockerfile given with `--file` cannot be aligned with the image (no such stage).
    #[error("--file {file}")]
    Dockerfile {
        /// The Dockerfile, as given.
        file: String,
        /// Why.
        #[source]
        err: crate::attribution::AttributionError,
    },
    /// `--exclude-base` was asked for, but nothing tells which layers are the base image's.
    #[error("--exclude-base: cannot tell which layers are the base image's (give --file DOCKERFILE, or --base-image IMAGE)")]
    NoBaseLayers,
}
