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

#[cfg(test)]
mod tests {
    use crate::manifest::{OCI_INDEX, OCI_MANIFEST};
    use crate::testutil::*;
    use crate::{Digest, Error, ErrorKind, Platform, ResolveOptions, Target};

    fn resolve(t: &str) -> Result<crate::Image, Error> {
        Target::parse(t)?.resolve(&ResolveOptions {
            platform: Some("linux/amd64".parse().unwrap()),
            ..Default::default()
        })
    }

    fn inner(e: &std::io::Error) -> &ErrorKind {
        e.get_ref()
            .and_then(|e| e.downcast_ref::<Error>())
            .map(Error::kind)
            .unwrap()
    }

    /// Validates an oci-dir resolves by tag and streams a layer that matches its bytes.
    #[test]
    fn oci_dir_resolves_and_streams() {
        let d = tempfile::tempdir().unwrap();
        let img = simple_image(b"ID=debian\n", "amd64");
        write_layout(d.path(), &img, "v1");
        let t = format!("oci-dir:{}:v1", d.path().display());
        let image = resolve(&t).unwrap();
        assert_eq!(image.identity.name, t);
        assert_eq!(image.layers.len(), 1);
        assert_eq!(image.layers[0].digest, Digest::sha256_of(&img.layer));
        assert_eq!(image.layers[0].diff_id, Some(Digest::sha256_of(&img.layer)));
        assert_eq!(image.layers[0].size, Some(img.layer.len() as u64));
        assert_eq!(
            image.identity.manifest_digest,
            Some(Digest::sha256_of(&img.manifest).to_string())
        );
        assert_eq!(image.manifest_media_type.as_deref(), Some(OCI_MANIFEST));
        assert_eq!(
            image.identity.config_digest,
            Some(Digest::sha256_of(&img.config).to_string())
        );
        assert_eq!(
            image.annotations,
            map(&[(
                "org.opencontainers.image.base.name",
                "docker.io/library/debian:12"
            )])
        );
        assert_eq!(image.config.labels, map(&[("a", "b")]));
        assert_eq!(image.identity.platform.as_deref(), Some("linux/amd64"));
        assert_eq!(read_layer(&image, 0).unwrap(), img.layer);
        // Without a tag, the only image is picked; `oci:` is an alias.
        let image = resolve(&format!("oci:{}", d.path().display())).unwrap();
        assert_eq!(image.layers.len(), 1);
    }

    /// Validates layers can be streamed from several threads at once.
    #[test]
    fn parallel_layer_reads() {
        let d = tempfile::tempdir().unwrap();
        let img = simple_image(b"ID=alpine\n", "amd64");
        write_layout(d.path(), &img, "v1");
        let out = d.path().join("img.tar");
        let layout = d.path().join("layout");
        std::fs::create_dir(&layout).unwrap();
        write_layout(&layout, &img, "v1");
        tar_dir(&layout, &out);
        let image = resolve(&format!("oci-archive:{}", out.display())).unwrap();
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| read_layer(&image, 0).unwrap()))
                .collect();
            for h in hs {
                assert_eq!(h.join().unwrap(), img.layer);
            }
        });
    }

    /// Validates a nested index is followed to the requested platform, and a missing
    /// platform lists what is available.
    #[test]
    fn platform_from_nested_index() {
        let d = tempfile::tempdir().unwrap();
        let amd = simple_image(b"amd64", "amd64");
        let arm = simple_image(b"arm64", "arm64");
        for i in [&amd, &arm] {
            put_blob(d.path(), &i.layer);
            put_blob(d.path(), &i.config);
            put_blob(d.path(), &i.manifest);
        }
        let inner_index = index_json(&[
            (OCI_MANIFEST, &amd.manifest, Some("linux/amd64"), None),
            (OCI_MANIFEST, &arm.manifest, Some("linux/arm64/v8"), None),
        ]);
        put_blob(d.path(), &inner_index);
        std::fs::write(
            d.path().join("index.json"),
            index_json(&[(OCI_INDEX, &inner_index, None, Some("multi"))]),
        )
        .unwrap();
        let target = Target::parse(&format!("oci-dir:{}:multi", d.path().display())).unwrap();
        let pick = |p: &str| {
            target.resolve(&ResolveOptions {
                platform: Some(p.parse::<Platform>().unwrap()),
                ..Default::default()
            })
        };
        let image = pick("linux/arm64").unwrap();
        assert_eq!(
            image.identity.manifest_digest,
            Some(Digest::sha256_of(&arm.manifest).to_string())
        );
        assert_eq!(image.identity.platform.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(read_layer(&image, 0).unwrap(), arm.layer);
        let image = pick("linux/amd64").unwrap();
        assert_eq!(read_layer(&image, 0).unwrap(), amd.layer);
        let err = pick("linux/s390x").unwrap_err();
        match err.kind() {
            ErrorKind::PlatformNotFound {
                platform,
                available,
                ..
            } => {
                assert_eq!(platform, "linux/s390x");
                assert_eq!(available, "linux/amd64, linux/arm64/v8");
            }
            k => panic!("{k:?}"),
        }
    }

    /// Validates oci-archive resolves from a tar of a layout, by ref name.
    #[test]
    fn oci_archive_resolves() {
        let d = tempfile::tempdir().unwrap();
        let layout = d.path().join("layout");
        std::fs::create_dir(&layout).unwrap();
        let img = simple_image(b"ID=ubuntu\n", "amd64");
        write_layout(&layout, &img, "docker.io/library/ubuntu:24.04");
        let out = d.path().join("img.tar");
        tar_dir(&layout, &out);
        for t in [
            format!("oci-archive:{}", out.display()),
            format!("oci-archive:{}:24.04", out.display()),
            format!("oci-archive:{}:ubuntu:24.04", out.display()),
            format!(
                "oci-archive:{}:docker.io/library/ubuntu:24.04",
                out.display()
            ),
        ] {
            let image = resolve(&t).unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(read_layer(&image, 0).unwrap(), img.layer, "{t}");
        }
        let err = resolve(&format!("oci-archive:{}:nope", out.display())).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NotFound { .. }), "{err}");
        assert!(
            err.to_string().contains("docker.io/library/ubuntu:24.04"),
            "{err}"
        );
    }

    /// Validates a tampered layer fails with DigestMismatch naming image and layer.
    #[test]
    fn tampered_layer_is_detected() {
        let d = tempfile::tempdir().unwrap();
        let img = simple_image(b"ID=debian\n", "amd64");
        write_layout(d.path(), &img, "v1");
        let digest = Digest::sha256_of(&img.layer);
        let mut bad = img.layer.clone();
        bad[600] ^= 1;
        std::fs::write(d.path().join("blobs/sha256").join(digest.hex()), &bad).unwrap();
        let t = format!("oci-dir:{}", d.path().display());
        let image = resolve(&t).unwrap();
        let err = read_layer(&image, 0).unwrap_err();
        match inner(&err) {
            ErrorKind::DigestMismatch { what, expected, .. } => {
                assert_eq!(expected, &digest);
                assert!(what.contains(&t) && what.contains("layer 1/1"), "{what}");
            }
            k => panic!("{k:?}"),
        }
    }

    /// Validates a tampered config or manifest is refused at resolve time.
    #[test]
    fn tampered_config_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let img = simple_image(b"x", "amd64");
        write_layout(d.path(), &img, "v1");
        let digest = Digest::sha256_of(&img.config);
        let mut bad = img.config.clone();
        bad[2] ^= 1;
        std::fs::write(d.path().join("blobs/sha256").join(digest.hex()), &bad).unwrap();
        let err = resolve(&format!("oci-dir:{}", d.path().display())).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::DigestMismatch { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("config"), "{err}");
    }

    /// Validates missing layer and config blobs are MissingBlob errors.
    #[test]
    fn missing_blobs() {
        for which in ["layer", "config"] {
            let d = tempfile::tempdir().unwrap();
            let img = simple_image(b"x", "amd64");
            write_layout(d.path(), &img, "v1");
            let blob = if which == "layer" {
                &img.layer
            } else {
                &img.config
            };
            let digest = Digest::sha256_of(blob);
            std::fs::remove_file(d.path().join("blobs/sha256").join(digest.hex())).unwrap();
            let err = resolve(&format!("oci-dir:{}", d.path().display())).unwrap_err();
            match err.kind() {
                ErrorKind::MissingBlob {
                    digest: dg, what, ..
                } => {
                    assert_eq!(dg, &digest);
                    assert!(what.contains(which), "{what}");
                }
                k => panic!("{which}: {k:?}"),
            }
        }
    }

    /// Validates files that are not layouts are NotAnImage naming the path.
    #[test]
    fn not_an_image() {
        let d = tempfile::tempdir().unwrap();
        let random = d.path().join("random.bin");
        std::fs::write(
            &random,
            (0..5000u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let empty = d.path().join("empty.tar");
        write_tar(&empty, &[]);
        let other = d.path().join("other.tar");
        write_tar(&other, &[("hello.txt".into(), b"hi".to_vec())]);
        let zero = d.path().join("zero.tar");
        std::fs::write(&zero, b"").unwrap();
        let emptydir = d.path().join("emptydir");
        std::fs::create_dir(&emptydir).unwrap();
        for (t, p) in [
            (format!("oci-archive:{}", random.display()), &random),
            (format!("oci-archive:{}", empty.display()), &empty),
            (format!("oci-archive:{}", other.display()), &other),
            (format!("oci-archive:{}", zero.display()), &zero),
            (format!("oci-dir:{}", emptydir.display()), &emptydir),
        ] {
            let err = resolve(&t).unwrap_err();
            match err.kind() {
                ErrorKind::NotAnImage { path, .. } => assert_eq!(path, p, "{t}"),
                k => panic!("{t}: {k:?}"),
            }
            assert!(err.to_string().contains(&p.display().to_string()), "{err}");
        }
    }

    /// Validates an unknown layer media type is UnsupportedMediaType naming the layer.
    #[test]
    fn unknown_layer_media_type() {
        let d = tempfile::tempdir().unwrap();
        let mut img = simple_image(b"x", "amd64");
        img.manifest = manifest_json(&img.config, &[(&img.layer, "application/vnd.example.blob")]);
        write_layout(d.path(), &img, "v1");
        let err = resolve(&format!("oci-dir:{}", d.path().display())).unwrap_err();
        match err.kind() {
            ErrorKind::UnsupportedMediaType { media_type, what } => {
                assert_eq!(media_type, "application/vnd.example.blob");
                assert!(what.contains("layer 1/1"), "{what}");
            }
            k => panic!("{k:?}"),
        }
    }

    /// Validates a layer count that differs from diff_ids is an error naming the image.
    #[test]
    fn layer_count_mismatch() {
        let d = tempfile::tempdir().unwrap();
        let mut img = simple_image(b"x", "amd64");
        img.config = config_json(&[], "amd64");
        img.manifest = manifest_json(
            &img.config,
            &[(&img.layer, "application/vnd.oci.image.layer.v1.tar")],
        );
        write_layout(d.path(), &img, "v1");
        let t = format!("oci-dir:{}", d.path().display());
        let err = resolve(&t).unwrap_err();
        assert!(
            err.to_string().contains(&t) && err.to_string().contains("diff_ids"),
            "{err}"
        );
    }
}
