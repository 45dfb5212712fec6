//! OCI image layouts, as a directory (`oci-dir:`) or a tar of one (`oci-archive:`).
//!
//! `index.json` lists manifests; the one to scan is picked by its
//! `org.opencontainers.image.ref.name` annotation (also matched as the tag part of a full
//! name, as containerd and skopeo write `docker.io/library/x:tag`), or is the only one,
//! then nested indexes are followed to the requested platform. Blobs live at
//! `blobs/<alg>/<hex>`.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind};
use crate::image::{BlobSource, Image, Platform};
use crate::manifest::{self, Descriptor, Index, ManifestFetcher, MAX_DOCUMENT};
use crate::tarindex::{read_capped, TarIndex};

/// The reference-name annotation on index entries.
pub(crate) const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Where a layout's files are: a directory or an indexed tar.
#[derive(Debug)]
pub(crate) enum Store {
    Dir(PathBuf),
    Tar(TarIndex),
}

impl Store {
    fn path(&self) -> &Path {
        match self {
            Store::Dir(p) => p,
            Store::Tar(t) => t.path(),
        }
    }

    fn format(&self) -> &'static str {
        match self {
            Store::Dir(_) => "OCI layout directory",
            Store::Tar(_) => "oci-archive",
        }
    }

    fn blob_name(digest: &Digest) -> String {
        format!("blobs/{}/{}", digest.algorithm(), digest.hex())
    }

    fn exists(&self, name: &str) -> bool {
        match self {
            Store::Dir(p) => p.join(name).is_file(),
            Store::Tar(t) => t.get(name).is_some(),
        }
    }

    /// Open a file of the layout, `None` when it is absent.
    fn open(&self, name: &str) -> Result<Option<Box<dyn Read + Send>>, Error> {
        match self {
            Store::Dir(p) => {
                let path = p.join(name);
                match File::open(&path) {
                    Ok(f) => Ok(Some(Box::new(f))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(Error::new(ErrorKind::Io { path, source })),
                }
            }
            Store::Tar(t) => match t.get(name) {
                Some(span) => Ok(Some(Box::new(t.open_span(span)?))),
                None => Ok(None),
            },
        }
    }

    fn read_small(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        match self.open(name)? {
            Some(r) => Ok(Some(read_capped(r, MAX_DOCUMENT, self.path(), name)?)),
            None => Ok(None),
        }
    }

    /// Read a small blob, verifying its digest; MissingBlob when absent.
    fn read_blob(
        &self,
        desc: &Descriptor,
        what: &str,
        source_name: &str,
    ) -> Result<Vec<u8>, Error> {
        let bytes = self
            .read_small(&Self::blob_name(&desc.digest))?
            .ok_or_else(|| {
                Error::new(ErrorKind::MissingBlob {
                    digest: desc.digest.clone(),
                    what: what.to_string(),
                    source_name: source_name.to_string(),
                })
            })?;
        let what = format!("{what} of {source_name}");
        manifest::verify_bytes(&bytes, &desc.digest, &what)?;
        if let Some(size) = desc.size {
            if size != bytes.len() as u64 {
                return Err(Error::new(ErrorKind::SizeMismatch {
                    what,
                    expected: size,
                    actual: bytes.len() as u64,
                }));
            }
        }
        Ok(bytes)
    }
}

/// A layout's blobs, shared by the resolved image.
struct LayoutBlobs {
    store: Arc<Store>,
    name: String,
}

impl BlobSource for LayoutBlobs {
    fn open(&self, digest: &Digest, what: &str) -> Result<Box<dyn Read + Send>, Error> {
        self.store.open(&Store::blob_name(digest))?.ok_or_else(|| {
            Error::new(ErrorKind::MissingBlob {
                digest: digest.clone(),
                what: what.to_string(),
                source_name: self.name.clone(),
            })
        })
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

struct Fetcher<'a> {
    store: &'a Store,
    name: &'a str,
}

impl ManifestFetcher for Fetcher<'_> {
    fn fetch_manifest(&self, desc: &Descriptor, what: &str) -> Result<Vec<u8>, Error> {
        self.store.read_blob(desc, what, self.name)
    }
}

/// Resolve `oci-dir:DIR[:ref]`.
pub(crate) fn resolve_dir(
    dir: &Path,
    tag: Option<&str>,
    name: String,
    platform: &Platform,
) -> Result<Image, Error> {
    if !dir.is_dir() {
        let why = if dir.exists() {
            "it is not a directory"
        } else {
            "it does not exist"
        };
        return Err(Error::new(ErrorKind::NotAnImage {
            path: dir.to_path_buf(),
            format: "OCI layout directory".into(),
            why: why.into(),
        }));
    }
    resolve_store(Store::Dir(dir.to_path_buf()), tag, name, platform)
}

/// Resolve `oci-archive:FILE[:ref]`.
pub(crate) fn resolve_archive(
    file: &Path,
    tag: Option<&str>,
    name: String,
    platform: &Platform,
) -> Result<Image, Error> {
    let index = TarIndex::open(file, "oci-archive")?;
    resolve_store(Store::Tar(index), tag, name, platform)
}

/// Whether an index entry's ref name matches what the user asked for.
fn ref_matches(annotation: &str, wanted: &str) -> bool {
    if annotation == wanted {
        return true;
    }
    // `docker.io/library/debian:12` written by containerd/skopeo matches `12` and `debian:12`.
    let last_slash = annotation.rfind('/').map(|i| i + 1).unwrap_or(0);
    let tail = &annotation[last_slash..];
    tail == wanted || tail.rsplit_once(':').is_some_and(|(_, t)| t == wanted)
}

pub(crate) fn resolve_store(
    store: Store,
    tag: Option<&str>,
    name: String,
    platform: &Platform,
) -> Result<Image, Error> {
    let not_image = |why: String| {
        Error::new(ErrorKind::NotAnImage {
            path: store.path().to_path_buf(),
            format: store.format().to_string(),
            why,
        })
    };
    let index_bytes = store.read_small("index.json")?.ok_or_else(|| {
        let why = if matches!(&store, Store::Tar(t) if t.is_empty()) {
            "the archive is empty".to_string()
        } else {
            "index.json is missing".to_string()
        };
        not_image(why)
    })?;
    if store.exists("oci-layout") {
        if let Some(layout) = store.read_small("oci-layout")? {
            let v: serde_json::Value =
                manifest::parse_json(&layout, &format!("oci-layout of {name}"))?;
            if v.get("imageLayoutVersion")
                .and_then(|v| v.as_str())
                .is_none()
            {
                return Err(not_image("oci-layout has no imageLayoutVersion".into()));
            }
        }
    }
    let index: Index = manifest::parse_json(&index_bytes, &format!("index.json of {name}"))?;
    let fetcher = Fetcher {
        store: &store,
        name: &name,
    };
    let named: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|d| d.annotations.contains_key(REF_NAME))
        .collect();
    let available = || {
        let names: Vec<&str> = named
            .iter()
            .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
            .collect();
        if names.is_empty() {
            format!("{} unnamed manifests", index.manifests.len())
        } else {
            names.join(", ")
        }
    };
    let (bytes, hint, digest) = match tag {
        Some(tag) => {
            let desc = index
                .manifests
                .iter()
                .find(|d| d.annotations.get(REF_NAME).is_some_and(|a| a == tag))
                .or_else(|| {
                    index.manifests.iter().find(|d| {
                        d.annotations
                            .get(REF_NAME)
                            .is_some_and(|a| ref_matches(a, tag))
                    })
                })
                .ok_or_else(|| {
                    Error::new(ErrorKind::NotFound {
                        what: format!("reference {tag:?}"),
                        source_name: name.clone(),
                        available: available(),
                    })
                })?;
            manifest::check_manifest_type(&desc.media_type, &format!("index.json of {name}"))?;
            let what = format!("manifest {}", desc.digest);
            (
                fetcher.fetch_manifest(desc, &what)?,
                Some(desc.media_type.clone()),
                desc.digest.clone(),
            )
        }
        None if index.manifests.is_empty() => {
            return Err(not_image("index.json lists no manifests".into()))
        }
        None if index.manifests.len() == 1 => {
            let desc = &index.manifests[0];
            manifest::check_manifest_type(&desc.media_type, &format!("index.json of {name}"))?;
            let what = format!("manifest {}", desc.digest);
            (
                fetcher.fetch_manifest(desc, &what)?,
                Some(desc.media_type.clone()),
                desc.digest.clone(),
            )
        }
        None if named.len() > 1 => {
            return Err(Error::new(ErrorKind::NotFound {
                what: "an image to scan (the layout holds several; add :REF)".into(),
                source_name: name.clone(),
                available: available(),
            }))
        }
        // Several unnamed entries: treat index.json itself as a platform index.
        None => (
            index_bytes.clone(),
            Some(manifest::OCI_INDEX.to_string()),
            Digest::sha256_of(&index_bytes),
        ),
    };
    let hint = hint.filter(|h| !h.is_empty());
    let selected =
        manifest::select_manifest(&fetcher, bytes, hint.as_deref(), digest, platform, &name)?;
    // Every layer must be present before we promise an image.
    for (i, l) in selected.manifest.layers.iter().enumerate() {
        if !store.exists(&Store::blob_name(&l.digest)) {
            return Err(Error::new(ErrorKind::MissingBlob {
                digest: l.digest.clone(),
                what: format!("layer {}/{}", i + 1, selected.manifest.layers.len()),
                source_name: name.clone(),
            }));
        }
    }
    let store = Arc::new(store);
    let source = Box::new(LayoutBlobs {
        store: store.clone(),
        name: name.clone(),
    });
    manifest::assemble(
        name.clone(),
        None,
        selected,
        |desc| store.read_blob(desc, "config", &name),
        source,
    )
}
