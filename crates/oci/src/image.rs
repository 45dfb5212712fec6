//! The resolved image model shared by every source.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::digest::{Digest, VerifyingReader};
use crate::error::{Error, ErrorKind};

/// Where an image's blobs are read from (an archive, a layout, a registry).
///
/// Implementations open one blob as a raw byte stream; [`Image::open_layer`] wraps it in a
/// [`VerifyingReader`]. They must be usable from several threads at once, since layers are
/// walked in parallel.
pub trait BlobSource: Send + Sync {
    /// Open the blob `digest`; `what` names it for error messages.
    fn open(&self, digest: &Digest, what: &str) -> Result<Box<dyn Read + Send>, Error>;
    /// A short name of the source for messages (`docker-archive:app.tar`).
    fn describe(&self) -> String;
}

/// An OS/architecture pair with an optional variant, as in `linux/arm64/v8`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// Operating system (`linux`).
    pub os: String,
    /// CPU architecture in GOARCH terms (`amd64`, `arm64`).
    pub architecture: String,
    /// Architecture variant (`v8`, `v7`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this binary runs on, in GOARCH terms.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        let variant = (architecture == "arm64").then(|| "v8".to_string());
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || {
            Error::new(ErrorKind::InvalidTarget {
                target: s.to_string(),
                why: "platform must be os/arch or os/arch/variant".into(),
            })
        };
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: Some(v.to_string()),
            }),
            _ => Err(bad()),
        }
    }
}

/// One entry of the image config's `history`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// When the step ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The command that made the layer (`/bin/sh -c apt-get install …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Author, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Free comment (BuildKit writes `buildkit.dockerfile.v0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer (ENV, CMD, …).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// The parts of an image config shipshape uses; `raw` keeps the whole document.
#[derive(Clone, Debug, Default)]
pub struct ImageConfig {
    /// `architecture`.
    pub architecture: Option<String>,
    /// `os`.
    pub os: Option<String>,
    /// `variant`.
    pub variant: Option<String>,
    /// `created`.
    pub created: Option<String>,
    /// `config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `config.Env`.
    pub env: Vec<String>,
    /// `history`, in order, `empty_layer` entries included.
    pub history: Vec<History>,
    /// `rootfs.diff_ids`, in layer order.
    pub diff_ids: Vec<Digest>,
    /// The whole config document.
    pub raw: serde_json::Value,
}

impl ImageConfig {
    /// Parse an image config document; `what` names it for errors.
    pub fn from_json(bytes: &[u8], what: &str) -> Result<ImageConfig, Error> {
        #[derive(Deserialize)]
        struct Inner {
            #[serde(rename = "Labels", default)]
            labels: Option<BTreeMap<String, String>>,
            #[serde(rename = "Env", default)]
            env: Option<Vec<String>>,
        }
        #[derive(Deserialize)]
        struct RootFs {
            #[serde(default)]
            diff_ids: Vec<Digest>,
        }
        #[derive(Deserialize)]
        struct Doc {
            architecture: Option<String>,
            os: Option<String>,
            variant: Option<String>,
            created: Option<String>,
            #[serde(default)]
            config: Option<Inner>,
            #[serde(default)]
            history: Option<Vec<History>>,
            rootfs: Option<RootFs>,
        }
        let json = |source| {
            Error::new(ErrorKind::Json {
                what: what.to_string(),
                source,
            })
        };
        let raw: serde_json::Value = serde_json::from_slice(bytes).map_err(json)?;
        let doc: Doc = serde_json::from_value(raw.clone()).map_err(json)?;
        let (labels, env) = match doc.config {
            Some(c) => (c.labels.unwrap_or_default(), c.env.unwrap_or_default()),
            None => Default::default(),
        };
        Ok(ImageConfig {
            architecture: doc.architecture,
            os: doc.os,
            variant: doc.variant,
            created: doc.created,
            labels,
            env,
            history: doc.history.unwrap_or_default(),
            diff_ids: doc.rootfs.map(|r| r.diff_ids).unwrap_or_default(),
            raw,
        })
    }
}

/// One layer as the manifest describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Digest of the blob as stored (compressed, for registries and OCI layouts).
    pub digest: Digest,
    /// Digest of the uncompressed tar (from the config's `rootfs.diff_ids`).
    pub diff_id: Option<Digest>,
    /// Media type from the manifest. For docker-archive layers, which have no manifest,
    /// it is inferred from the blob's first bytes (`…layer.v1.tar`, `+gzip` or `+zstd`).
    pub media_type: String,
    /// Blob size from the descriptor, when known.
    pub size: Option<u64>,
}

/// Which image this is: the target as the user gave it and, where the source tells, its
/// registry reference, manifest and config digests and platform.
///
/// One type from the source to the renderers: [`Image`] produces it, the inventory keeps it,
/// scan reports and image diffs carry it, and each output writes it under its own names
/// (serde here gives the native SBOM's: `name`, `reference`, `manifest_digest`,
/// `config_digest`, `platform`).
///
/// Digests and the platform are text (`sha256:…`, `linux/arm64/v8`), as every document
/// writes them: an identity read back from an SBOM or a cache holds what that document said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageIdentity {
    /// The target as the user gave it (`debian:12`, `docker-archive:app.tar`).
    pub name: String,
    /// Fully qualified reference for registry images (`docker.io/library/debian:12`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Digest of the manifest, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the config blob: the image ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// The platform of the selected manifest, `os/arch[/variant]` ([`Platform`]'s text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

impl ImageIdentity {
    /// The identity of an image resolved from `name` (the target as given).
    pub fn new(
        name: String,
        reference: Option<String>,
        manifest_digest: Option<&Digest>,
        config_digest: Option<&Digest>,
        platform: Option<&Platform>,
    ) -> ImageIdentity {
        ImageIdentity {
            name,
            reference,
            manifest_digest: manifest_digest.map(Digest::to_string),
            config_digest: config_digest.map(Digest::to_string),
            platform: platform.map(Platform::to_string),
        }
    }
}

/// A resolved image: manifest facts, config and lazily opened layers.
pub struct Image {
    /// Name, reference, manifest and config digests, platform.
    pub identity: ImageIdentity,
    /// Media type of the manifest.
    pub manifest_media_type: Option<String>,
    /// Manifest annotations (e.g. `org.opencontainers.image.base.name`).
    pub annotations: BTreeMap<String, String>,
    /// The parsed config.
    pub config: ImageConfig,
    /// Layers, bottom first.
    pub layers: Vec<Layer>,
    /// Where blobs come from.
    pub source: Box<dyn BlobSource>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("identity", &self.identity)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl Image {
    /// A name for layer `index` in messages: `layer 3/4 (sha256:…) of docker-archive:app.tar`.
    pub fn layer_label(&self, index: usize) -> String {
        let digest = self
            .layers
            .get(index)
            .map(|l| l.digest.to_string())
            .unwrap_or_default();
        format!(
            "layer {}/{} ({digest}) of {}",
            index + 1,
            self.layers.len(),
            self.identity.name
        )
    }

    /// Open layer `index` as a stream of its stored bytes (compressed or not), verified
    /// against the layer's digest and size as it is read.
    pub fn open_layer(&self, index: usize) -> Result<VerifyingReader<Box<dyn Read + Send>>, Error> {
        let layer = self.layers.get(index).ok_or_else(|| {
            Error::new(ErrorKind::NotFound {
                what: format!("layer {index}"),
                source_name: self.identity.name.clone(),
                available: format!("{} layers", self.layers.len()),
            })
        })?;
        let what = self.layer_label(index);
        let reader = self.source.open(&layer.digest, &what)?;
        Ok(VerifyingReader::new(
            reader,
            layer.digest.clone(),
            layer.size,
            what,
        ))
    }
}
