//! Typed errors: each names the input that failed and why.

use std::path::PathBuf;

use crate::Digest;

/// An error from resolving or reading an image.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl Error {
    /// Wrap a kind.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

/// The ways resolving or reading an image can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A digest string is malformed or uses an unsupported algorithm.
    #[error("invalid digest {digest:?}: {why}")]
    InvalidDigest {
        /// The text given.
        digest: String,
        /// Why it was rejected.
        why: String,
    },
    /// A target or image reference could not be parsed.
    #[error("invalid target {target:?}: {why}")]
    InvalidTarget {
        /// The text given.
        target: String,
        /// Why it was rejected.
        why: String,
    },
    /// A blob's content does not hash to the digest that names it.
    #[error("digest mismatch in {what}: expected {expected}, content hashes to {actual}")]
    DigestMismatch {
        /// The blob (layer, config, manifest) and its source.
        what: String,
        /// The digest the manifest or index promised.
        expected: Digest,
        /// The digest of the bytes actually read.
        actual: String,
    },
    /// A blob is longer or shorter than its descriptor says.
    #[error("size mismatch in {what}: descriptor says {expected} bytes, read {actual}")]
    SizeMismatch {
        /// The blob and its source.
        what: String,
        /// Size from the descriptor.
        expected: u64,
        /// Bytes read.
        actual: u64,
    },
    /// Reading a local file failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A local file or directory is not an image of the expected kind.
    #[error("{} is not a valid {format}: {why}", path.display())]
    NotAnImage {
        /// The file or directory.
        path: PathBuf,
        /// What it was expected to be (`docker-archive`, `OCI layout`, …).
        format: String,
        /// What is wrong with it.
        why: String,
    },
    /// A blob named by a manifest is not present in the archive, layout or registry.
    #[error("blob {digest} ({what}) is missing from {source_name}")]
    MissingBlob {
        /// The digest.
        digest: Digest,
        /// Which blob (config, layer N).
        what: String,
        /// Where it was looked for.
        source_name: String,
    },
    /// A manifest or index uses a media type shipshape does not understand.
    #[error("unsupported media type {media_type:?} in {what}")]
    UnsupportedMediaType {
        /// The media type.
        media_type: String,
        /// Where it appeared.
        what: String,
    },
    /// JSON (manifest, index, config) is malformed.
    #[error("malformed {what}: {source}")]
    Json {
        /// Which document.
        what: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// No manifest in an index matches the requested platform.
    #[error("{reference} has no image for platform {platform} (available: {available})")]
    PlatformNotFound {
        /// The image.
        reference: String,
        /// Requested.
        platform: String,
        /// What the index offers.
        available: String,
    },
    /// A tag or name was not found in an archive or layout.
    #[error("{what} not found in {source_name} (available: {available})")]
    NotFound {
        /// What was looked for.
        what: String,
        /// Where.
        source_name: String,
        /// What is there.
        available: String,
    },
    /// The registry refused the credentials or demanded some.
    #[error("registry {registry} denied access to {repository}: {message}")]
    Unauthorized {
        /// Registry host.
        registry: String,
        /// Repository.
        repository: String,
        /// The registry's own message (OCI error codes when it sent them).
        message: String,
    },
    /// The registry answered with an error status.
    #[error("registry {registry} answered {status} for {url}: {message}")]
    Registry {
        /// Registry host.
        registry: String,
        /// HTTP status.
        status: u16,
        /// Request URL.
        url: String,
        /// The registry's error codes and messages, when it sent them.
        message: String,
        /// OCI error codes from the envelope (`MANIFEST_UNKNOWN`, `DENIED`, …).
        codes: Vec<String>,
    },
    /// The registry could not be reached.
    #[error("cannot reach registry {registry}: {message}")]
    Network {
        /// Registry host.
        registry: String,
        /// Transport error.
        message: String,
    },
    /// Plain HTTP was needed but not allowed.
    #[error("registry {registry} is not on loopback; plain HTTP is refused (pass --insecure-registry {registry} to allow it)")]
    InsecureRefused {
        /// Registry host.
        registry: String,
    },
    /// Reading credentials from docker config or a credential helper failed.
    #[error("credentials for {registry}: {message}")]
    Credentials {
        /// Registry host.
        registry: String,
        /// What failed.
        message: String,
    },
}
