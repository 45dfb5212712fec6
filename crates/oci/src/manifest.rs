//! Manifest and index documents, the media types shipshape accepts, and platform selection.
//!
//! Traps this module handles:
//! * Docker and OCI name the same documents differently (manifest list vs image index,
//!   `rootfs.diff.tar.gzip` vs `layer.v1.tar+gzip`); both are accepted.
//! * A document's type may come from the HTTP `Content-Type`, from its own `mediaType`
//!   field, or from neither (old OCI layouts); [`detect_kind`] falls back to its shape.
//! * Indexes nest (an index may point at another index), and BuildKit adds attestation
//!   manifests with platform `unknown/unknown` that must never be picked.
//! * `arm64` without a variant means `arm64/v8`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::image::{Image, ImageConfig, ImageIdentity, Layer, Platform};
use crate::BlobSource;

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";

/// Layer media types shipshape can read, with the compression each implies.
const LAYER_TYPES: &[&str] = &[
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
];

/// The `Accept` header for manifest requests: every manifest and index type we read.
pub(crate) const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Largest manifest, index or config document read into memory.
pub(crate) const MAX_DOCUMENT: u64 = 16 * 1024 * 1024;

/// Whether `media_type` is a layer type shipshape can read.
pub fn is_layer_media_type(media_type: &str) -> bool {
    LAYER_TYPES.contains(&media_type)
}

/// A content descriptor: what a manifest or index says about one blob.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: Digest,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub platform: Option<DescPlatform>,
}

/// A platform as written in an index (`os.version` and friends are ignored).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct DescPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl DescPlatform {
    pub(crate) fn to_platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone().filter(|v| !v.is_empty()),
        }
    }
}

/// An image manifest (OCI or Docker schema 2).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An image index or Docker manifest list.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// What kind of document some manifest bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Manifest,
    Index,
}

/// Decide whether `bytes` is a manifest or an index, from the transport's media type
/// (`hint`, e.g. `Content-Type`), the document's own `mediaType`, or its shape.
/// Returns the kind and the effective media type.
pub(crate) fn detect_kind(
    bytes: &[u8],
    hint: Option<&str>,
    what: &str,
) -> Result<(Kind, String), Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
        #[serde(default)]
        config: Option<serde_json::Value>,
        #[serde(default)]
        schema_version: Option<u32>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|source| {
        Error::new(ErrorKind::Json {
            what: what.to_string(),
            source,
        })
    })?;
    // Content-Type from registries may carry parameters or be generic JSON.
    let hint = hint
        .map(|h| h.split(';').next().unwrap_or("").trim().to_string())
        .filter(|h| !h.is_empty() && h != "application/json" && h != "text/plain");
    let media_type = probe.media_type.clone().or(hint);
    match media_type.as_deref() {
        Some(OCI_MANIFEST) | Some(DOCKER_MANIFEST) => {
            Ok((Kind::Manifest, media_type.unwrap_or_default()))
        }
        Some(OCI_INDEX) | Some(DOCKER_MANIFEST_LIST) => {
            Ok((Kind::Index, media_type.unwrap_or_default()))
        }
        Some(other) => Err(Error::new(ErrorKind::UnsupportedMediaType {
            media_type: other.to_string(),
            what: what.to_string(),
        })),
        None if probe.schema_version == Some(1) => {
            Err(Error::new(ErrorKind::UnsupportedMediaType {
                media_type: "application/vnd.docker.distribution.manifest.v1+json".into(),
                what: format!("{what} (Docker schema 1 manifests are not supported)"),
            }))
        }
        None if probe.manifests.is_some() => Ok((Kind::Index, OCI_INDEX.to_string())),
        None if probe.config.is_some() => Ok((Kind::Manifest, OCI_MANIFEST.to_string())),
        None => Err(Error::new(ErrorKind::UnsupportedMediaType {
            media_type: String::new(),
            what: format!("{what} (neither a manifest nor an index)"),
        })),
    }
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|source| {
        Error::new(ErrorKind::Json {
            what: what.to_string(),
            source,
        })
    })
}

/// Fetches manifest documents for index traversal: returns the bytes, verified against the
/// descriptor's digest.
pub(crate) trait ManifestFetcher {
    fn fetch_manifest(&self, desc: &Descriptor, what: &str) -> Result<Vec<u8>, Error>;
}

/// A manifest chosen from an index (or given directly).
pub(crate) struct Selected {
    pub manifest: Manifest,
    pub digest: Digest,
    pub media_type: String,
    /// The platform recorded in the index descriptor that led here, if any.
    pub platform: Option<Platform>,
}

/// Normalize a variant for comparison: arm64 without a variant is v8.
fn norm_variant(p: &Platform) -> Option<String> {
    match (&p.variant, p.architecture.as_str()) {
        (Some(v), _) => Some(v.clone()),
        (None, "arm64") => Some("v8".into()),
        _ => None,
    }
}

/// Whether `candidate` satisfies `wanted`: os and architecture equal, and the variant equal
/// when `wanted` names one.
pub(crate) fn platform_matches(wanted: &Platform, candidate: &Platform) -> bool {
    if wanted.os != candidate.os || wanted.architecture != candidate.architecture {
        return false;
    }
    match norm_variant(wanted) {
        None => true,
        Some(v) => norm_variant(candidate).as_deref() == Some(v.as_str()),
    }
}

/// Whether a descriptor in an index is an attestation or other non-image entry.
fn is_attestation(d: &Descriptor) -> bool {
    d.annotations.contains_key("vnd.docker.reference.type")
        || d.platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

/// Pick the descriptor for `wanted` among an index's entries.
pub(crate) fn select_platform<'a>(
    manifests: &'a [Descriptor],
    wanted: &Platform,
    reference: &str,
) -> Result<&'a Descriptor, Error> {
    let images: Vec<&Descriptor> = manifests.iter().filter(|d| !is_attestation(d)).collect();
    if let Some(d) = images.iter().find(|d| {
        d.platform
            .as_ref()
            .is_some_and(|p| platform_matches(wanted, &p.to_platform()))
    }) {
        return Ok(d);
    }
    // An index with a single entry that carries no platform is just a wrapper.
    if images.len() == 1 && images[0].platform.is_none() {
        return Ok(images[0]);
    }
    let available: Vec<String> = images
        .iter()
        .map(|d| match &d.platform {
            Some(p) => p.to_platform().to_string(),
            None => format!("{} (no platform)", d.digest),
        })
        .collect();
    Err(Error::new(ErrorKind::PlatformNotFound {
        reference: reference.to_string(),
        platform: wanted.to_string(),
        available: if available.is_empty() {
            "none".into()
        } else {
            available.join(", ")
        },
    }))
}

/// Follow `bytes` (a manifest or an index) down to one image manifest for `wanted`.
pub(crate) fn select_manifest(
    fetcher: &dyn ManifestFetcher,
    bytes: Vec<u8>,
    hint: Option<&str>,
    digest: Digest,
    wanted: &Platform,
    reference: &str,
) -> Result<Selected, Error> {
    let mut bytes = bytes;
    let mut hint = hint.map(str::to_string);
    let mut digest = digest;
    let mut platform = None;
    // Real images nest at most once or twice; the bound stops cycles.
    for _ in 0..8 {
        let what = format!("manifest {digest} of {reference}");
        let (kind, media_type) = detect_kind(&bytes, hint.as_deref(), &what)?;
        match kind {
            Kind::Manifest => {
                let manifest: Manifest = parse_json(&bytes, &what)?;
                return Ok(Selected {
                    manifest,
                    digest,
                    media_type,
                    platform,
                });
            }
            Kind::Index => {
                let what = format!("index {digest} of {reference}");
                let index: Index = parse_json(&bytes, &what)?;
                let desc = select_platform(&index.manifests, wanted, reference)?;
                check_manifest_type(&desc.media_type, &what)?;
                platform = desc.platform.as_ref().map(DescPlatform::to_platform);
                bytes = fetcher.fetch_manifest(desc, &format!("manifest {}", desc.digest))?;
                hint = Some(desc.media_type.clone()).filter(|m| !m.is_empty());
                digest = desc.digest.clone();
            }
        }
    }
    Err(Error::new(ErrorKind::NotAnImage {
        path: reference.into(),
        format: "image index".into(),
        why: "indexes nest too deeply (more than 8 levels)".into(),
    }))
}

/// A descriptor's media type must be a manifest or index type (or absent).
pub(crate) fn check_manifest_type(media_type: &str, what: &str) -> Result<(), Error> {
    match media_type {
        "" | OCI_MANIFEST | DOCKER_MANIFEST | OCI_INDEX | DOCKER_MANIFEST_LIST => Ok(()),
        other => Err(Error::new(ErrorKind::UnsupportedMediaType {
            media_type: other.to_string(),
            what: what.to_string(),
        })),
    }
}

/// Check the manifest's config and layer media types, then read the config with
/// `read_config` (which must verify the digest) and assemble the [`Image`].
pub(crate) fn assemble(
    name: String,
    reference: Option<String>,
    selected: Selected,
    read_config: impl FnOnce(&Descriptor) -> Result<Vec<u8>, Error>,
    source: Box<dyn BlobSource>,
) -> Result<Image, Error> {
    let Selected {
        manifest,
        digest,
        media_type,
        platform,
    } = selected;
    let what = format!("manifest {digest} of {name}");
    match manifest.config.media_type.as_str() {
        "" | OCI_CONFIG | DOCKER_CONFIG => {}
        other => {
            return Err(Error::new(ErrorKind::UnsupportedMediaType {
                media_type: other.to_string(),
                what: format!("config of {what} (not a container image)"),
            }))
        }
    }
    for (i, l) in manifest.layers.iter().enumerate() {
        if !is_layer_media_type(&l.media_type) {
            return Err(Error::new(ErrorKind::UnsupportedMediaType {
                media_type: l.media_type.clone(),
                what: format!("layer {}/{} of {what}", i + 1, manifest.layers.len()),
            }));
        }
    }
    let config_bytes = read_config(&manifest.config)?;
    let config = ImageConfig::from_json(
        &config_bytes,
        &format!("config {} of {name}", manifest.config.digest),
    )?;
    let layers = pair_layers(
        manifest
            .layers
            .iter()
            .map(|d| (d.digest.clone(), d.media_type.clone(), d.size))
            .collect(),
        &config,
        &name,
    )?;
    let platform = platform.or_else(|| config_platform(&config));
    Ok(Image {
        identity: ImageIdentity::new(
            name,
            reference,
            Some(&digest),
            Some(&manifest.config.digest),
            platform.as_ref(),
        ),
        manifest_media_type: Some(media_type),
        annotations: manifest.annotations,
        config,
        layers,
        source,
    })
}

/// The platform an image config declares.
pub(crate) fn config_platform(config: &ImageConfig) -> Option<Platform> {
    match (&config.os, &config.architecture) {
        (Some(os), Some(arch)) if !os.is_empty() && !arch.is_empty() => Some(Platform {
            os: os.clone(),
            architecture: arch.clone(),
            variant: config.variant.clone().filter(|v| !v.is_empty()),
        }),
        _ => None,
    }
}

/// Pair blob descriptors with the config's diff_ids by position.
pub(crate) fn pair_layers(
    blobs: Vec<(Digest, String, Option<u64>)>,
    config: &ImageConfig,
    name: &str,
) -> Result<Vec<Layer>, Error> {
    if blobs.len() != config.diff_ids.len() {
        return Err(Error::new(ErrorKind::NotAnImage {
            path: name.into(),
            format: "image".into(),
            why: format!(
                "the manifest lists {} layers but the config's rootfs.diff_ids has {}",
                blobs.len(),
                config.diff_ids.len()
            ),
        }));
    }
    Ok(blobs
        .into_iter()
        .zip(config.diff_ids.iter())
        .map(|((digest, media_type, size), diff_id)| Layer {
            digest,
            diff_id: Some(diff_id.clone()),
            media_type,
            size,
        })
        .collect())
}

/// Verify `bytes` against `digest`, naming `what` on mismatch.
pub(crate) fn verify_bytes(bytes: &[u8], digest: &Digest, what: &str) -> Result<(), Error> {
    use sha2::Digest as _;
    let actual = match digest.algorithm() {
        "sha512" => format!("sha512:{}", hex::encode(sha2::Sha512::digest(bytes))),
        _ => format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes))),
    };
    if actual != digest.as_str() {
        return Err(Error::new(ErrorKind::DigestMismatch {
            what: what.to_string(),
            expected: digest.clone(),
            actual,
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(p: Option<(&str, &str, Option<&str>)>) -> Descriptor {
        Descriptor {
            media_type: OCI_MANIFEST.into(),
            digest: Digest::sha256_of(format!("{p:?}").as_bytes()),
            size: None,
            annotations: BTreeMap::new(),
            platform: p.map(|(os, a, v)| DescPlatform {
                os: os.into(),
                architecture: a.into(),
                variant: v.map(str::to_string),
            }),
        }
    }

    /// Validates os/arch/variant matching, arm64 defaults and PlatformNotFound listing.
    #[test]
    fn platform_selection() {
        let list = vec![
            desc(Some(("linux", "amd64", None))),
            desc(Some(("linux", "arm", Some("v7")))),
            desc(Some(("linux", "arm64", None))),
            desc(Some(("unknown", "unknown", None))),
        ];
        let pick = |s: &str| select_platform(&list, &s.parse().unwrap(), "img");
        assert!(pick("linux/amd64").is_ok());
        assert!(pick("linux/arm/v7").is_ok());
        assert!(pick("linux/arm64/v8").is_ok());
        assert!(pick("linux/arm").is_ok());
        let err = pick("linux/arm/v6").unwrap_err();
        match err.kind() {
            ErrorKind::PlatformNotFound { available, .. } => {
                assert_eq!(available, "linux/amd64, linux/arm/v7, linux/arm64")
            }
            k => panic!("{k:?}"),
        }
        assert!(pick("windows/amd64").is_err());
    }

    /// Validates media type detection from hint, field and shape.
    #[test]
    fn kinds() {
        let m = br#"{"schemaVersion":2,"config":{"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},"layers":[]}"#;
        assert_eq!(detect_kind(m, None, "x").unwrap().0, Kind::Manifest);
        assert_eq!(
            detect_kind(br#"{"manifests":[]}"#, None, "x").unwrap().0,
            Kind::Index
        );
        let e = detect_kind(m, Some("application/vnd.example+json"), "x").unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::UnsupportedMediaType { .. }));
        assert!(detect_kind(br#"{"schemaVersion":1}"#, None, "x").is_err());
    }
}
