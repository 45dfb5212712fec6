//! Errors that stop an inventory as a whole.

/// Why an inventory could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Resolving or reading the image failed.
    #[error(transparent)]
    Image(#[from] oci::Error),
    /// A layer could not be read as a tar stream.
    #[error("{layer}: {message}")]
    Layer {
        /// Which layer (`layer 2/4 (sha256:…) of docker-archive:app.tar`).
        layer: String,
        /// What went wrong.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<std::io::Error>,
    },
    /// A root filesystem directory could not be read.
    #[error("cannot read root filesystem {path}: {message}")]
    Rootfs {
        /// The directory.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A stored SBOM could not be read as one.
    #[error("cannot read SBOM {path}: {message}")]
    Sbom {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}
