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
}
