//! OCI artifacts: non-image content (shipshape's vulnerability database) stored in a registry
//! as an OCI image manifest with its own `artifactType`, so any registry can hold it and any
//! mirroring tool can copy it like an image.
//!
//! The manifest follows the OCI image spec 1.1 artifact guidance: `artifactType` names the
//! content; the config is either the empty descriptor (`application/vnd.oci.empty.v1+json`,
//! the two bytes `{}`) or a small JSON blob of the artifact's own media type; layers are the
//! payload files, each with an `org.opencontainers.image.title` annotation.
//!
//! [`push_artifact`](crate::push_artifact) uploads an [`ArtifactSpec`];
//! [`pull_artifact`](crate::pull_artifact) fetches and checks the manifest and returns a
//! [`PulledArtifact`] whose layers stream through a [`VerifyingReader`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, ErrorKind};
use crate::manifest::OCI_MANIFEST;

/// Media type of the OCI empty descriptor's blob (`{}`).
pub const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The empty JSON blob, `{}`.
pub const EMPTY_JSON: &[u8] = b"{}";
/// The `org.opencontainers.image.title` annotation (a layer's file name).
pub const ANNOTATION_TITLE: &str = "org.opencontainers.image.title";
/// The `org.opencontainers.image.created` annotation (RFC 3339).
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";

/// A blob to upload: its media type, where its bytes are, and their digest and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobSpec {
    /// The descriptor's media type.
    pub media_type: String,
    /// The digest of the content.
    pub digest: Digest,
    /// The content length in bytes.
    pub size: u64,
    /// Where the content comes from.
    pub content: BlobContent,
    /// Descriptor annotations (`org.opencontainers.image.title` for layers).
    pub annotations: BTreeMap<String, String>,
}

/// Where a blob's bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobContent {
    /// Small content held in memory (config documents).
    Bytes(Vec<u8>),
    /// A file, streamed when uploaded.
    File(PathBuf),
}

impl BlobSpec {
    /// A blob from bytes in memory.
    pub fn from_bytes(media_type: &str, bytes: Vec<u8>) -> BlobSpec {
        BlobSpec {
            media_type: media_type.to_string(),
            digest: Digest::sha256_of(&bytes),
            size: bytes.len() as u64,
            content: BlobContent::Bytes(bytes),
            annotations: BTreeMap::new(),
        }
    }

    /// A blob from a file: reads it once to compute its sha256 digest and size.
    pub fn from_file(media_type: &str, path: &Path) -> Result<BlobSpec, Error> {
        let io_err = |source| {
            Error::new(ErrorKind::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let mut f = File::open(path).map_err(io_err)?;
        let mut hasher = HashingWriter::default();
        let size = io::copy(&mut f, &mut hasher).map_err(io_err)?;
        Ok(BlobSpec {
            media_type: media_type.to_string(),
            digest: hasher.digest(),
            size,
            content: BlobContent::File(path.to_path_buf()),
            annotations: BTreeMap::new(),
        })
    }

    /// The same blob with an `org.opencontainers.image.title` annotation.
    pub fn with_title(mut self, title: &str) -> BlobSpec {
        self.annotations
            .insert(ANNOTATION_TITLE.to_string(), title.to_string());
        self
    }

    fn descriptor(&self) -> serde_json::Value {
        let mut d = serde_json::json!({
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": self.size,
        });
        if !self.annotations.is_empty() {
            d["annotations"] = serde_json::json!(self.annotations);
        }
        d
    }
}

/// A writer that only hashes (sha256) and counts what is written.
#[derive(Default)]
pub struct HashingWriter {
    hasher: Sha256,
    written: u64,
}

impl HashingWriter {
    /// The sha256 digest of everything written.
    pub fn digest(&self) -> Digest {
        let hex = hex::encode(self.hasher.clone().finalize());
        // A sha256 hex string is always a valid digest.
        Digest::try_from(format!("sha256:{hex}")).unwrap_or_else(|_| Digest::sha256_of(b""))
    }

    /// Bytes written.
    pub fn written(&self) -> u64 {
        self.written
    }
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What to push: an artifact type, an optional config blob, layers and annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactSpec {
    /// The manifest's `artifactType` (e.g. `application/vnd.shipshape.db.v1`).
    pub artifact_type: String,
    /// A config blob of the artifact's own media type; `None` uses the OCI empty descriptor.
    pub config: Option<BlobSpec>,
    /// The payload blobs.
    pub layers: Vec<BlobSpec>,
    /// Manifest annotations (`org.opencontainers.image.created`, …).
    pub annotations: BTreeMap<String, String>,
}

impl ArtifactSpec {
    /// An artifact of `artifact_type` with no config, layers or annotations yet.
    pub fn new(artifact_type: &str) -> ArtifactSpec {
        ArtifactSpec {
            artifact_type: artifact_type.to_string(),
            config: None,
            layers: Vec::new(),
            annotations: BTreeMap::new(),
        }
    }

    /// The config blob: the given one, or the OCI empty descriptor's `{}`.
    pub fn config_blob(&self) -> BlobSpec {
        self.config
            .clone()
            .unwrap_or_else(|| BlobSpec::from_bytes(EMPTY_MEDIA_TYPE, EMPTY_JSON.to_vec()))
    }

    /// The OCI image manifest for this artifact, as the bytes that will be pushed.
    pub fn manifest_bytes(&self) -> Vec<u8> {
        let mut m = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": self.artifact_type,
            "config": self.config_blob().descriptor(),
            "layers": self.layers.iter().map(BlobSpec::descriptor).collect::<Vec<_>>(),
        });
        if !self.annotations.is_empty() {
            m["annotations"] = serde_json::json!(self.annotations);
        }
        // Serializing a `Value` cannot fail.
        serde_json::to_vec(&m).unwrap_or_default()
    }
}

/// A descriptor as read from a pulled manifest.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PulledDescriptor {
    /// Media type.
    #[serde(default)]
    pub media_type: String,
    /// Digest.
    pub digest: Digest,
    /// Size in bytes.
    pub size: u64,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A pulled artifact: the checked manifest and config; layers are streamed on demand.
pub struct PulledArtifact {
    /// The reference it was pulled from, as text.
    pub name: String,
    /// The manifest's digest (verified).
    pub manifest_digest: Digest,
    /// The artifact type (`artifactType`, or the config media type when that is absent).
    pub artifact_type: String,
    /// The config descriptor.
    pub config: PulledDescriptor,
    /// The config blob (verified; `{}` for the empty descriptor).
    pub config_bytes: Vec<u8>,
    /// The layer descriptors.
    pub layers: Vec<PulledDescriptor>,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
    pub(crate) blobs: Box<dyn crate::BlobSource>,
}

impl std::fmt::Debug for PulledArtifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PulledArtifact")
            .field("name", &self.name)
            .field("manifest_digest", &self.manifest_digest)
            .field("artifact_type", &self.artifact_type)
            .field("config", &self.config)
            .field("layers", &self.layers)
            .field("annotations", &self.annotations)
            .finish_non_exhaustive()
    }
}

impl PulledArtifact {
    /// The index of the first layer of `media_type`.
    pub fn layer_of_type(&self, media_type: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.media_type == media_type)
    }

    /// Open layer `index` as a stream whose digest and size are checked at its end (see
    /// [`VerifyingReader`]).
    pub fn open_layer(&self, index: usize) -> Result<VerifyingReader<Box<dyn Read + Send>>, Error> {
        let desc = self.layers.get(index).ok_or_else(|| {
            Error::new(ErrorKind::NotFound {
                what: format!("layer {index}"),
                source_name: self.name.clone(),
                available: format!("{} layers", self.layers.len()),
            })
        })?;
        let what = format!("layer {index} ({}) of {}", desc.media_type, self.name);
        let inner = self.blobs.open(&desc.digest, &what)?;
        Ok(VerifyingReader::new(
            inner,
            desc.digest.clone(),
            Some(desc.size),
            what,
        ))
    }

    /// Stream layer `index` into `out`, verifying its digest and size. Returns the bytes
    /// copied. On a mismatch the error is [`ErrorKind::DigestMismatch`] or
    /// [`ErrorKind::SizeMismatch`] and `out` holds unverified bytes the caller must discard.
    pub fn copy_layer(&self, index: usize, out: &mut dyn Write) -> Result<u64, Error> {
        let mut reader = self.open_layer(index)?;
        let registry = self.name.clone();
        let n = io::copy(&mut reader, out).map_err(|e| stream_error(e, &registry))?;
        reader.finish().map_err(|e| stream_error(e, &registry))?;
        Ok(n)
    }
}

/// Turn an I/O error from a verifying stream back into the typed error it carries, or a
/// network error.
pub fn stream_error(e: io::Error, registry: &str) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Some(inner) = e.into_inner() {
            if let Ok(err) = inner.downcast::<Error>() {
                return *err;
            }
        }
        return Error::new(ErrorKind::Network {
            registry: registry.to_string(),
            message: "stream failed".into(),
        });
    }
    Error::new(ErrorKind::Network {
        registry: registry.to_string(),
        message: format!("reading a blob: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates the manifest shape: media type, artifactType, empty config descriptor,
    /// layer descriptor with title, created annotation.
    #[test]
    fn manifest_with_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.zst");
        std::fs::write(&path, b"payload").unwrap();
        let layer = BlobSpec::from_file("application/x-test", &path)
            .unwrap()
            .with_title("db.zst");
        assert_eq!(layer.digest, Digest::sha256_of(b"payload"));
        assert_eq!(layer.size, 7);
        let mut spec = ArtifactSpec::new("application/vnd.example.v1");
        spec.layers.push(layer);
        spec.annotations
            .insert(ANNOTATION_CREATED.into(), "2026-01-01T00:00:00Z".into());
        let m: serde_json::Value = serde_json::from_slice(&spec.manifest_bytes()).unwrap();
        assert_eq!(m["schemaVersion"], 2);
        assert_eq!(m["mediaType"], OCI_MANIFEST);
        assert_eq!(m["artifactType"], "application/vnd.example.v1");
        assert_eq!(m["config"]["mediaType"], EMPTY_MEDIA_TYPE);
        assert_eq!(
            m["config"]["digest"],
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(m["config"]["size"], 2);
        assert!(m["config"].get("annotations").is_none());
        assert_eq!(m["layers"][0]["mediaType"], "application/x-test");
        assert_eq!(m["layers"][0]["size"], 7);
        assert_eq!(
            m["layers"][0]["digest"],
            Digest::sha256_of(b"payload").as_str()
        );
        assert_eq!(m["layers"][0]["annotations"][ANNOTATION_TITLE], "db.zst");
        assert_eq!(m["annotations"][ANNOTATION_CREATED], "2026-01-01T00:00:00Z");
    }

    /// Validates a config blob of the artifact's own media type replaces the empty one.
    #[test]
    fn manifest_with_config_blob() {
        let mut spec = ArtifactSpec::new("application/vnd.example.v1");
        spec.config = Some(BlobSpec::from_bytes(
            "application/vnd.example.config.v1+json",
            br#"{"a":1}"#.to_vec(),
        ));
        let m: serde_json::Value = serde_json::from_slice(&spec.manifest_bytes()).unwrap();
        assert_eq!(
            m["config"]["mediaType"],
            "application/vnd.example.config.v1+json"
        );
        assert_eq!(m["config"]["size"], 7);
        assert_eq!(m["layers"], serde_json::json!([]));
        assert!(m.get("annotations").is_none());
        assert_eq!(spec.config_blob().size, 7);
    }

    /// Validates the hashing writer against `Digest::sha256_of`.
    #[test]
    fn hashing_writer() {
        let mut w = HashingWriter::default();
        w.write_all(b"hel").unwrap();
        w.write_all(b"lo").unwrap();
        assert_eq!(w.digest(), Digest::sha256_of(b"hello"));
        assert_eq!(w.written(), 5);
    }
}
