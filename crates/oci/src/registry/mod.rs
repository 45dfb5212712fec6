//! Images in registries, over the OCI distribution API.
//!
//! Manifests are fetched with an `Accept` for every manifest and index type we read, and
//! verified: against the reference's digest when pulled by digest, else against the
//! registry's `Docker-Content-Digest`. Indexes are followed to the requested platform. The
//! config blob is fetched and verified; layers are streamed lazily, one GET per
//! [`Image::open_layer`](crate::Image::open_layer), never buffered.

mod auth;
mod client;
mod push;

use std::io::Read;
use std::sync::Arc;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::image::{BlobSource, Image, Platform};
use crate::manifest::{self, Descriptor, ManifestFetcher, MANIFEST_ACCEPT, MAX_DOCUMENT};
use crate::target::{Reference, ResolveOptions};

use client::Client;
pub use push::{pull_artifact, push_artifact};

fn new_client(reference: &Reference, opts: &ResolveOptions) -> Client {
    Client::new(
        &reference.registry,
        &opts.insecure_registries,
        opts.docker_config_dir.clone(),
    )
}

/// Read a small response body (manifest, config) with a size cap.
fn read_small(
    client: &Client,
    mut resp: ureq::http::Response<ureq::Body>,
    what: &str,
) -> Result<Vec<u8>, Error> {
    resp.body_mut()
        .with_config()
        .limit(MAX_DOCUMENT)
        .read_to_vec()
        .map_err(|e| {
            Error::new(ErrorKind::Network {
                registry: client.registry.clone(),
                message: format!("reading {what}: {e}"),
            })
        })
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

struct Fetched {
    bytes: Vec<u8>,
    content_type: Option<String>,
    header_digest: Option<String>,
}

fn get_manifest(
    client: &Client,
    repository: &str,
    reference: &str,
    what: &str,
) -> Result<Fetched, Error> {
    let resp = client.get(
        &format!("/v2/{repository}/manifests/{reference}"),
        Some(MANIFEST_ACCEPT),
        repository,
    )?;
    let content_type = header(&resp, "content-type");
    let header_digest = header(&resp, "docker-content-digest");
    let bytes = read_small(client, resp, what)?;
    Ok(Fetched {
        bytes,
        content_type,
        header_digest,
    })
}

struct Fetcher<'a> {
    client: &'a Client,
    repository: &'a str,
    name: &'a str,
}

impl ManifestFetcher for Fetcher<'_> {
    fn fetch_manifest(&self, desc: &Descriptor, what: &str) -> Result<Vec<u8>, Error> {
        let what = format!("{what} of {}", self.name);
        let f = get_manifest(self.client, self.repository, desc.digest.as_str(), &what)?;
        verify_small(&f.bytes, desc, &what)?;
        Ok(f.bytes)
    }
}

fn verify_small(bytes: &[u8], desc: &Descriptor, what: &str) -> Result<(), Error> {
    manifest::verify_bytes(bytes, &desc.digest, what)?;
    if let Some(size) = desc.size {
        if size != bytes.len() as u64 {
            return Err(Error::new(ErrorKind::SizeMismatch {
                what: what.to_string(),
                expected: size,
                actual: bytes.len() as u64,
            }));
        }
    }
    Ok(())
}

/// Layer blobs streamed from the registry.
struct RegistryBlobs {
    client: Arc<Client>,
    repository: String,
    name: String,
}

impl BlobSource for RegistryBlobs {
    fn open(&self, digest: &Digest, what: &str) -> Result<Box<dyn Read + Send>, Error> {
        let path = format!("/v2/{}/blobs/{digest}", self.repository);
        match self.client.get(&path, None, &self.repository) {
            Ok(resp) => Ok(Box::new(resp.into_body().into_reader())),
            Err(e) => match e.kind() {
                ErrorKind::Registry { status: 404, .. } => {
                    Err(Error::new(ErrorKind::MissingBlob {
                        digest: digest.clone(),
                        what: what.to_string(),
                        source_name: self.name.clone(),
                    }))
                }
                _ => Err(e),
            },
        }
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// Resolve a registry reference into an [`Image`].
pub(crate) fn resolve(
    reference: &Reference,
    name: String,
    opts: &ResolveOptions,
) -> Result<Image, Error> {
    let client = Arc::new(new_client(reference, opts));
    let platform = opts.platform.clone().unwrap_or_else(Platform::host);
    let repository = reference.repository.as_str();
    let top_ref = match (&reference.digest, &reference.tag) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) => t.clone(),
        (None, None) => "latest".to_string(),
    };
    let what = format!("manifest {top_ref} of {name}");
    let fetched = get_manifest(&client, repository, &top_ref, &what)?;
    let computed = Digest::sha256_of(&fetched.bytes);
    let digest = match &reference.digest {
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
            computed
        }
    };
    let fetcher = Fetcher {
        client: &client,
        repository,
        name: &name,
    };
    let selected = manifest::select_manifest(
        &fetcher,
        fetched.bytes,
        fetched.content_type.as_deref(),
        digest,
        &platform,
        &name,
    )?;
    let source = Box::new(RegistryBlobs {
        client: client.clone(),
        repository: repository.to_string(),
        name: name.clone(),
    });
    manifest::assemble(
        name.clone(),
        Some(reference.to_string()),
        selected,
        |desc| {
            let what = format!("config {} of {name}", desc.digest);
            let path = format!("/v2/{repository}/blobs/{}", desc.digest);
            let resp = client
                .get(&path, None, repository)
                .map_err(|e| match e.kind() {
                    ErrorKind::Registry { status: 404, .. } => Error::new(ErrorKind::MissingBlob {
                        digest: desc.digest.clone(),
                        what: "config".into(),
                        source_name: name.clone(),
                    }),
                    _ => e,
                })?;
            let bytes = read_small(&client, resp, &what)?;
            verify_small(&bytes, desc, &what)?;
            Ok(bytes)
        },
        source,
    )
}

/// List the tags of `reference`'s repository, following `Link` pagination.
///
/// Uses the same scheme, auth and credential rules as [`Target::resolve`](crate::Target::resolve).
pub fn list_tags(reference: &Reference, opts: &ResolveOptions) -> Result<Vec<String>, Error> {
    #[derive(serde::Deserialize)]
    struct TagList {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    let client = new_client(reference, opts);
    let repository = reference.repository.as_str();
    let mut path = format!("/v2/{repository}/tags/list?n=1000");
    let mut tags = Vec::new();
    // The bound stops a registry that links pages in a circle.
    for _ in 0..10_000 {
        let resp = client.get(&path, Some("application/json"), repository)?;
        let link = header(&resp, "link");
        let what = format!("tag list of {reference}");
        let bytes = read_small(&client, resp, &what)?;
        let page: TagList = manifest::parse_json(&bytes, &what)?;
        tags.extend(page.tags.unwrap_or_default());
        match link.as_deref().and_then(next_link) {
            Some(next) => path = next,
            None => return Ok(tags),
        }
    }
    Ok(tags)
}

/// The path and query of a `Link: <…>; rel="next"` header.
fn next_link(header: &str) -> Option<String> {
    for part in header.split(',') {
        let (target, params) = part.split_once(';').unwrap_or((part, ""));
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            continue;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        if target.starts_with('/') {
            return Some(target.to_string());
        }
        let url = url::Url::parse(target).ok()?;
        let mut out = url.path().to_string();
        if let Some(q) = url.query() {
            out.push('?');
            out.push_str(q);
        }
        return Some(out);
    }
    None
}

#[cfg(test)]
mod tests;
