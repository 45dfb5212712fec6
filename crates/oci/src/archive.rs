//! `docker-archive:` — the output of `docker save`, buildah, podman and skopeo.
//!
//! `manifest.json` lists images as `{Config, RepoTags, Layers}`. Layers are named in one of
//! three ways: `<hex>.tar` (podman, skopeo), `<id>/layer.tar` (legacy docker, possibly a
//! symlink to a duplicate) and `blobs/sha256/<hex>` (docker 25+, which also writes an OCI
//! `index.json`). Layers are usually uncompressed tars, so their digest is the config's
//! diff_id; a compressed one is hashed once at resolve time (streamed, not buffered).
//! Nothing is extracted: the outer tar is indexed once and members are read by seeking.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::image::{BlobSource, Image, ImageConfig};
use crate::manifest::{self, MAX_DOCUMENT};
use crate::target::Reference;
use crate::tarindex::{Span, TarIndex};

const FORMAT: &str = "docker-archive";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Layer blobs of a docker archive by digest.
struct ArchiveBlobs {
    tar: Arc<TarIndex>,
    spans: HashMap<Digest, Span>,
    name: String,
}

impl BlobSource for ArchiveBlobs {
    fn open(&self, digest: &Digest, what: &str) -> Result<Box<dyn Read + Send>, Error> {
        let span = self.spans.get(digest).ok_or_else(|| {
            Error::new(ErrorKind::MissingBlob {
                digest: digest.clone(),
                what: what.to_string(),
                source_name: self.name.clone(),
            })
        })?;
        Ok(Box::new(self.tar.open_span(*span)?))
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// The digest a member's name promises (`blobs/sha256/<hex>`, `<hex>.json`, `<hex>.tar`).
fn digest_from_name(name: &str) -> Option<Digest> {
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return format!("{alg}:{hex}").parse().ok();
    }
    let base = name.rsplit('/').next()?;
    let hex = base
        .strip_suffix(".json")
        .or_else(|| base.strip_suffix(".tar"))?;
    format!("sha256:{hex}").parse().ok()
}

fn tag_matches(repo_tag: &str, wanted: &str) -> bool {
    if repo_tag == wanted {
        return true;
    }
    match (Reference::parse(repo_tag), Reference::parse(wanted)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Media type implied by a layer's first bytes.
fn sniff_media_type(magic: &[u8]) -> &'static str {
    if magic.starts_with(&[0x1f, 0x8b]) {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        "application/vnd.oci.image.layer.v1.tar+zstd"
    } else {
        "application/vnd.oci.image.layer.v1.tar"
    }
}

/// Resolve `docker-archive:FILE[:repo:tag]`.
pub(crate) fn resolve(path: &Path, wanted: Option<&str>, name: String) -> Result<Image, Error> {
    let tar = TarIndex::open(path, FORMAT)?;
    let not_image = |why: String| {
        Error::new(ErrorKind::NotAnImage {
            path: path.to_path_buf(),
            format: FORMAT.into(),
            why,
        })
    };
    if tar.is_empty() {
        return Err(not_image("the archive is empty".into()));
    }
    if tar.get("manifest.json").is_none() {
        let why = if tar.get("repositories").is_some() {
            "it has only a legacy `repositories` file and no manifest.json (pre-1.10 docker save)"
        } else if tar.get("index.json").is_some() {
            "it has index.json but no manifest.json; scan it as oci-archive:"
        } else {
            "manifest.json is missing"
        };
        return Err(not_image(why.into()));
    }
    let bytes = tar.read_small("manifest.json", MAX_DOCUMENT, FORMAT)?;
    let entries: Vec<Entry> = manifest::parse_json(&bytes, &format!("manifest.json of {name}"))?;
    let all_tags = || {
        let tags: Vec<&str> = entries
            .iter()
            .flat_map(|e| e.repo_tags.iter().flatten().map(String::as_str))
            .collect();
        if tags.is_empty() {
            format!("{} untagged images", entries.len())
        } else {
            tags.join(", ")
        }
    };
    let entry = match wanted {
        Some(w) => entries
            .iter()
            .find(|e| e.repo_tags.iter().flatten().any(|t| tag_matches(t, w)))
            .ok_or_else(|| {
                Error::new(ErrorKind::NotFound {
                    what: format!("image {w:?}"),
                    source_name: name.clone(),
                    available: all_tags(),
                })
            })?,
        None => match entries.as_slice() {
            [] => return Err(not_image("manifest.json lists no images".into())),
            [only] => only,
            _ => {
                return Err(Error::new(ErrorKind::NotFound {
                    what: "an image to scan (the archive holds several; add :REPO:TAG)".into(),
                    source_name: name.clone(),
                    available: all_tags(),
                }))
            }
        },
    };

    // Config: verified when its name is its digest.
    let config_name = crate::tarindex::normalize(&entry.config);
    let config_bytes = match tar.get(&config_name) {
        Some(span) => {
            crate::tarindex::read_capped(tar.open_span(span)?, MAX_DOCUMENT, path, &config_name)?
        }
        None => {
            return Err(match digest_from_name(&config_name) {
                Some(digest) => Error::new(ErrorKind::MissingBlob {
                    digest,
                    what: "config".into(),
                    source_name: name.clone(),
                }),
                None => not_image(format!("config {config_name} is missing")),
            })
        }
    };
    let config_digest = Digest::sha256_of(&config_bytes);
    if let Some(named) = digest_from_name(&config_name) {
        manifest::verify_bytes(
            &config_bytes,
            &named,
            &format!("config {config_name} of {name}"),
        )?;
    }
    let config = ImageConfig::from_json(&config_bytes, &format!("config {config_name} of {name}"))?;
    if entry.layers.len() != config.diff_ids.len() {
        return Err(not_image(format!(
            "manifest.json lists {} layers but the config's rootfs.diff_ids has {}",
            entry.layers.len(),
            config.diff_ids.len()
        )));
    }

    let count = entry.layers.len();
    let mut blobs = Vec::with_capacity(count);
    let mut spans = HashMap::new();
    for (i, (layer_name, diff_id)) in entry.layers.iter().zip(&config.diff_ids).enumerate() {
        let what = format!("layer {}/{count} ({layer_name})", i + 1);
        let layer_name = crate::tarindex::normalize(layer_name);
        let span = tar.get(&layer_name).ok_or_else(|| {
            Error::new(ErrorKind::MissingBlob {
                digest: digest_from_name(&layer_name).unwrap_or_else(|| diff_id.clone()),
                what: what.clone(),
                source_name: name.clone(),
            })
        })?;
        let mut magic = [0u8; 4];
        let n = tar.peek(span, &mut magic)?;
        let media_type = sniff_media_type(&magic[..n]);
        let digest = match layer_name.strip_prefix("blobs/") {
            Some(_) => digest_from_name(&layer_name)
                .ok_or_else(|| not_image(format!("{layer_name} is not named by a digest")))?,
            None if media_type == "application/vnd.oci.image.layer.v1.tar" => diff_id.clone(),
            None => hash_span(&tar, span)?,
        };
        spans.insert(digest.clone(), span);
        blobs.push((digest, media_type.to_string(), Some(span.size)));
    }
    let layers = manifest::pair_layers(blobs, &config, &name)?;

    // Docker 25+ archives also carry the OCI manifest; find it by its config digest.
    let mut manifest_digest = None;
    let mut manifest_media_type = None;
    let mut annotations = Default::default();
    if let Some(found) = oci_manifest_for(&tar, &config_digest) {
        manifest_digest = Some(found.0);
        manifest_media_type = Some(found.1);
        annotations = found.2;
    }
    let platform = manifest::config_platform(&config);
    Ok(Image {
        name: name.clone(),
        reference: None,
        manifest_digest,
        manifest_media_type,
        annotations,
        config_digest: Some(config_digest),
        config,
        layers,
        platform,
        source: Box::new(ArchiveBlobs {
            tar: Arc::new(tar),
            spans,
            name,
        }),
    })
}

/// sha256 of a member, streamed.
fn hash_span(tar: &TarIndex, span: Span) -> Result<Digest, Error> {
    use sha2::Digest as _;
    let mut r = tar.open_span(span)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).map_err(|source| {
            Error::new(ErrorKind::Io {
                path: tar.path().to_path_buf(),
                source,
            })
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    format!("sha256:{}", hex::encode(h.finalize())).parse()
}

type Found = (Digest, String, std::collections::BTreeMap<String, String>);

/// The OCI manifest (from `index.json`) whose config is `config_digest`, if any. Best
/// effort: anything unreadable just means no manifest digest is reported.
fn oci_manifest_for(tar: &TarIndex, config_digest: &Digest) -> Option<Found> {
    let bytes = tar.read_small("index.json", MAX_DOCUMENT, FORMAT).ok()?;
    let index: manifest::Index = serde_json::from_slice(&bytes).ok()?;
    let mut queue: Vec<manifest::Descriptor> = index.manifests;
    let mut seen = 0;
    while let Some(desc) = queue.pop() {
        seen += 1;
        if seen > 64 {
            return None;
        }
        let blob = format!("blobs/{}/{}", desc.digest.algorithm(), desc.digest.hex());
        let bytes = tar.read_small(&blob, MAX_DOCUMENT, FORMAT).ok()?;
        if manifest::verify_bytes(&bytes, &desc.digest, "manifest").is_err() {
            continue;
        }
        match manifest::detect_kind(&bytes, Some(&desc.media_type), "manifest") {
            Ok((manifest::Kind::Manifest, mt)) => {
                let m: manifest::Manifest = serde_json::from_slice(&bytes).ok()?;
                if &m.config.digest == config_digest {
                    return Some((desc.digest, mt, m.annotations));
                }
            }
            Ok((manifest::Kind::Index, _)) => {
                let i: manifest::Index = serde_json::from_slice(&bytes).ok()?;
                queue.extend(i.manifests);
            }
            Err(_) => {}
        }
    }
    None
}
