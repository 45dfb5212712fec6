//! Pushing and pulling OCI artifacts over the distribution API.
//!
//! Push: each blob (config, then layers) is checked with `HEAD /v2/<repo>/blobs/<digest>` and,
//! when absent, uploaded monolithically: `POST /v2/<repo>/blobs/uploads/` gives a `Location`
//! (relative or absolute, possibly with its own query such as `_state=…`), then
//! `PUT <location>&digest=<digest>` streams the file. The manifest goes last, with
//! `PUT /v2/<repo>/manifests/<tag>`. The bearer token is requested for
//! `repository:<repo>:pull,push`.
//!
//! Pull: the manifest is fetched and verified, must be an OCI image manifest of the expected
//! `artifactType` (or config media type), and the config blob is fetched and verified; layers
//! stream lazily through [`PulledArtifact::open_layer`].

use std::sync::Arc;

use super::client::{Client, SendData};
use super::{get_manifest, header, new_client, read_small, verify_small, RegistryBlobs};
use crate::artifact::{ArtifactSpec, BlobContent, BlobSpec, PulledArtifact, PulledDescriptor};
use crate::artifact::{EMPTY_JSON, EMPTY_MEDIA_TYPE};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::manifest::{self, Descriptor, OCI_INDEX, OCI_MANIFEST};
use crate::target::{Reference, ResolveOptions};

fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

/// Push `artifact` to `reference` (by tag, `latest` when none; by digest when the reference
/// has one, which must then be the manifest's digest). Returns the manifest digest.
///
/// Blobs already in the repository are not uploaded again. Errors name the registry,
/// repository and HTTP status ([`ErrorKind::Registry`], [`ErrorKind::Unauthorized`]).
pub fn push_artifact(
    reference: &Reference,
    artifact: &ArtifactSpec,
    opts: &ResolveOptions,
) -> Result<Digest, Error> {
    let client = new_client(reference, opts);
    let repository = reference.repository.as_str();
    let scope = push_scope(repository);
    let manifest = artifact.manifest_bytes();
    let manifest_digest = Digest::sha256_of(&manifest);
    let target = match (&reference.digest, &reference.tag) {
        (Some(d), _) => {
            if *d != manifest_digest {
                return Err(Error::new(ErrorKind::DigestMismatch {
                    what: format!("manifest to push to {reference}"),
                    expected: d.clone(),
                    actual: manifest_digest.to_string(),
                }));
            }
            d.to_string()
        }
        (None, Some(t)) => t.clone(),
        (None, None) => "latest".to_string(),
    };
    let config = artifact.config_blob();
    for blob in std::iter::once(&config).chain(artifact.layers.iter()) {
        push_blob(&client, repository, &scope, blob)?;
    }
    client.request(
        "PUT",
        &format!("/v2/{repository}/manifests/{target}"),
        &[("Content-Type", OCI_MANIFEST)],
        &SendData::Bytes(&manifest),
        repository,
        &scope,
    )?;
    Ok(manifest_digest)
}

/// Upload one blob unless the repository already has it.
fn push_blob(client: &Client, repository: &str, scope: &str, blob: &BlobSpec) -> Result<(), Error> {
    let blob_path = format!("/v2/{repository}/blobs/{}", blob.digest);
    match client.request("HEAD", &blob_path, &[], &SendData::Empty, repository, scope) {
        Ok(_) => return Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::Registry { status: 404, .. }) => {}
        Err(e) => return Err(e),
    }
    let resp = client.request(
        "POST",
        &format!("/v2/{repository}/blobs/uploads/"),
        &[("Content-Length", "0")],
        &SendData::Empty,
        repository,
        scope,
    )?;
    let location = header(&resp, "location").ok_or_else(|| {
        Error::new(ErrorKind::Registry {
            registry: client.registry.clone(),
            status: resp.status().as_u16(),
            url: format!("/v2/{repository}/blobs/uploads/"),
            message: "upload started without a Location header".into(),
            codes: Vec::new(),
        })
    })?;
    let put_url = with_digest(&location, &blob.digest);
    let size = blob.size.to_string();
    let headers = [
        ("Content-Type", "application/octet-stream"),
        ("Content-Length", size.as_str()),
    ];
    let body = match &blob.content {
        BlobContent::Bytes(b) => SendData::Bytes(b),
        BlobContent::File(p) => {
            // A file that changed since its digest was computed would be rejected by the
            // registry anyway; checking the length first gives a clearer error.
            let len = std::fs::metadata(p)
                .map_err(|source| {
                    Error::new(ErrorKind::Io {
                        path: p.clone(),
                        source,
                    })
                })?
                .len();
            if len != blob.size {
                return Err(Error::new(ErrorKind::SizeMismatch {
                    what: format!("blob {} to push ({})", blob.digest, p.display()),
                    expected: blob.size,
                    actual: len,
                }));
            }
            SendData::File(p)
        }
    };
    client.request("PUT", &put_url, &headers, &body, repository, scope)?;
    Ok(())
}

/// `location` (relative or absolute) with `digest=<digest>` added to its query.
pub(crate) fn with_digest(location: &str, digest: &Digest) -> String {
    // Keep the registry's own query (`_state=…`) as sent; only the digest parameter is
    // appended, percent-encoded. A fragment is never meaningful here.
    let base = location.split('#').next().unwrap_or(location);
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("digest", digest.as_str())
        .finish();
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{base}{sep}{encoded}")
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactManifest {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    artifact_type: Option<String>,
    config: PulledDescriptor,
    #[serde(default)]
    layers: Vec<PulledDescriptor>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

/// Pull the artifact at `reference` (tag, `latest` when none, or digest), checking it is an
/// OCI image manifest whose `artifactType` (or, when that is absent, config media type) is
/// `expected_artifact_type`. The manifest and config are verified; layers are streamed
/// later with [`PulledArtifact::open_layer`] or [`PulledArtifact::copy_layer`].
///
/// A normal container image, an index or another artifact type fails with
/// [`ErrorKind::UnsupportedMediaType`] naming what was found.
pub fn pull_artifact(
    reference: &Reference,
    expected_artifact_type: &str,
    opts: &ResolveOptions,
) -> Result<PulledArtifact, Error> {
    let client = Arc::new(new_client(reference, opts));
    let repository = reference.repository.as_str();
    let name = reference.to_string();
    let top_ref = match (&reference.digest, &reference.tag) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) => t.clone(),
        (None, None) => "latest".to_string(),
    };
    let what = format!("manifest {top_ref} of {name}");
    let fetched = get_manifest(&client, repository, &top_ref, &what)?;
    let manifest_digest = match &reference.digest {
        Some(d) => {
            manifest::verify_bytes(&fetched.bytes, d, &what)?;
            d.clone()
        }
        None => {
            if let Some(h) = fetched.header_digest.as_deref() {
                if let Ok(h) = h.parse::<Digest>() {
                    manifest::verify_bytes(
                        &fetched.bytes,
                        &h,
                        &format!("{what} (Docker-Content-Digest)"),
                    )?;
                }
            }
            Digest::sha256_of(&fetched.bytes)
        }
    };
    let not_ours = |found: &str, detail: &str| {
        Error::new(ErrorKind::UnsupportedMediaType {
            media_type: found.to_string(),
            what: format!("{name}, which is not a {expected_artifact_type} artifact{detail}"),
        })
    };
    let (kind, media_type) =
        manifest::detect_kind(&fetched.bytes, fetched.content_type.as_deref(), &what)?;
    if kind == manifest::Kind::Index || media_type == OCI_INDEX {
        return Err(not_ours(&media_type, " (it is an image index)"));
    }
    let m: ArtifactManifest = manifest::parse_json(&fetched.bytes, &what)?;
    let doc_type = m.media_type.as_deref().unwrap_or(&media_type);
    if doc_type != OCI_MANIFEST {
        return Err(not_ours(doc_type, " (it is not an OCI image manifest)"));
    }
    let artifact_type = match m.artifact_type.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => m.config.media_type.clone(),
    };
    if artifact_type != expected_artifact_type {
        let detail =
            if artifact_type == manifest::OCI_CONFIG || artifact_type == manifest::DOCKER_CONFIG {
                " (it is a container image)"
            } else {
                ""
            };
        return Err(not_ours(&artifact_type, detail));
    }
    let config_bytes = if m.config.media_type == EMPTY_MEDIA_TYPE
        && m.config.digest == Digest::sha256_of(EMPTY_JSON)
    {
        EMPTY_JSON.to_vec()
    } else {
        let desc = Descriptor {
            media_type: m.config.media_type.clone(),
            digest: m.config.digest.clone(),
            size: Some(m.config.size),
            annotations: Default::default(),
            platform: None,
        };
        let what = format!("config {} of {name}", desc.digest);
        let resp = client
            .get(
                &format!("/v2/{repository}/blobs/{}", desc.digest),
                None,
                repository,
            )
            .map_err(|e| match e.kind() {
                ErrorKind::Registry { status: 404, .. } => Error::new(ErrorKind::MissingBlob {
                    digest: desc.digest.clone(),
                    what: "config".into(),
                    source_name: name.clone(),
                }),
                _ => e,
            })?;
        let bytes = read_small(&client, resp, &what)?;
        verify_small(&bytes, &desc, &what)?;
        bytes
    };
    Ok(PulledArtifact {
        blobs: Box::new(RegistryBlobs {
            client,
            repository: repository.to_string(),
            name: name.clone(),
        }),
        name,
        manifest_digest,
        artifact_type,
        config: m.config,
        config_bytes,
        layers: m.layers,
        annotations: m.annotations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates the digest parameter is added to relative and absolute Locations, with and
    /// without an existing query.
    #[test]
    fn digest_added_to_location() {
        let d = Digest::sha256_of(b"x");
        let enc = format!("digest=sha256%3A{}", d.hex());
        assert_eq!(
            with_digest("/v2/a/blobs/uploads/u1", &d),
            format!("/v2/a/blobs/uploads/u1?{enc}")
        );
        assert_eq!(
            with_digest("/v2/a/blobs/uploads/u1?_state=abc%3D", &d),
            format!("/v2/a/blobs/uploads/u1?_state=abc%3D&{enc}")
        );
        assert_eq!(
            with_digest("http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=s", &d),
            format!("http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=s&{enc}")
        );
        assert_eq!(
            with_digest("https://r.example/up/u1?", &d),
            format!("https://r.example/up/u1?{enc}")
        );
    }
}
