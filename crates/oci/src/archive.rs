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
use crate::image::{BlobSource, Image, ImageConfig, ImageIdentity};
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
        identity: ImageIdentity::new(
            name.clone(),
            None,
            manifest_digest.as_ref(),
            Some(&config_digest),
            platform.as_ref(),
        ),
        manifest_media_type,
        annotations,
        config,
        layers,
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::testutil::*;
    use crate::{Digest, Error, ErrorKind, ResolveOptions, Target};

    fn resolve(t: &str) -> Result<crate::Image, Error> {
        Target::parse(t)?.resolve(&ResolveOptions::default())
    }

    /// A tar with regular members and symlinks (`(name, None, Some(target))`).
    type Member<'a> = (&'a str, Option<&'a [u8]>, Option<&'a str>);

    fn write_members(out: &Path, members: &[Member<'_>]) {
        let f = std::fs::File::create(out).unwrap();
        let mut b = tar::Builder::new(f);
        for (name, data, link) in members {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            match (data, link) {
                (Some(data), _) => {
                    h.set_size(data.len() as u64);
                    h.set_cksum();
                    b.append_data(&mut h, name, *data).unwrap();
                }
                (None, Some(link)) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    b.append_link(&mut h, name, link).unwrap();
                }
                _ => unreachable!(),
            }
        }
        b.finish().unwrap();
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
        layers: Vec<Vec<u8>>,
        config: Vec<u8>,
    }

    /// A legacy `docker save` archive: `<id>/layer.tar`, the second layer a symlink to the
    /// first (docker writes duplicates that way), `<hex>.json` config.
    fn legacy() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let l1 = layer_tar(&[("etc/os-release", b"ID=debian\n")]);
        let diff = Digest::sha256_of(&l1);
        let config = config_json(&[diff.clone(), diff.clone()], "amd64");
        let cfg_name = format!("{}.json", Digest::sha256_of(&config).hex());
        let manifest = serde_json::json!([{
            "Config": cfg_name,
            "RepoTags": ["app:1"],
            "Layers": ["aaa/layer.tar", "bbb/layer.tar"],
        }])
        .to_string();
        let path = dir.path().join("app.tar");
        write_members(
            &path,
            &[
                ("aaa/VERSION", Some(b"1.0"), None),
                ("aaa/layer.tar", Some(&l1), None),
                ("bbb/layer.tar", None, Some("../aaa/layer.tar")),
                (&cfg_name, Some(&config), None),
                ("manifest.json", Some(manifest.as_bytes()), None),
                ("repositories", Some(b"{}"), None),
            ],
        );
        Fixture {
            _dir: dir,
            path,
            layers: vec![l1.clone(), l1],
            config,
        }
    }

    /// Validates a legacy docker save archive resolves and streams layers (incl. a
    /// symlinked duplicate) whose digest is the diff_id.
    #[test]
    fn legacy_docker_save() {
        let f = legacy();
        let t = format!("docker-archive:{}", f.path.display());
        let image = resolve(&t).unwrap();
        assert_eq!(image.identity.name, t);
        assert_eq!(
            image.identity.config_digest,
            Some(Digest::sha256_of(&f.config).to_string())
        );
        assert_eq!(image.layers.len(), 2);
        for (i, l) in image.layers.iter().enumerate() {
            assert_eq!(l.digest, Digest::sha256_of(&f.layers[i]));
            assert_eq!(l.diff_id.as_ref(), Some(&l.digest));
            assert_eq!(l.media_type, "application/vnd.oci.image.layer.v1.tar");
            assert_eq!(read_layer(&image, i).unwrap(), f.layers[i]);
        }
        assert_eq!(image.identity.platform.as_deref(), Some("linux/amd64"));
        // By name, short or fully qualified.
        for name in ["app:1", "docker.io/library/app:1"] {
            let t = format!("docker-archive:{}:{name}", f.path.display());
            assert!(resolve(&t).is_ok(), "{t}");
        }
        let err = resolve(&format!("docker-archive:{}:app:2", f.path.display())).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NotFound { .. }), "{err}");
        assert!(err.to_string().contains("app:1"), "{err}");
    }

    /// Validates a podman/skopeo archive (`<hex>.tar` layers) with a compressed layer: its
    /// digest is the file's sha256 and it streams verified.
    #[test]
    fn hex_named_layers_and_compressed_layer() {
        let dir = tempfile::tempdir().unwrap();
        let plain = layer_tar(&[("a", b"1")]);
        // Only the magic matters here: oci does not decompress.
        let gz: Vec<u8> = [&[0x1f, 0x8b, 8, 0][..], &b"pretend-gzip-stream"[..]].concat();
        let gz_diff = Digest::sha256_of(b"the uncompressed tar");
        let config = config_json(&[Digest::sha256_of(&plain), gz_diff.clone()], "arm64");
        let cfg_name = format!("{}.json", Digest::sha256_of(&config).hex());
        let n1 = format!("{}.tar", Digest::sha256_of(&plain).hex());
        let n2 = format!("{}.tar", gz_diff.hex());
        let manifest =
            serde_json::json!([{"Config": cfg_name, "RepoTags": null, "Layers": [n1, n2]}]);
        let path = dir.path().join("p.tar");
        write_tar(
            &path,
            &[
                (n1.clone(), plain.clone()),
                (n2.clone(), gz.clone()),
                (cfg_name.clone(), config.clone()),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let image = resolve(&format!("docker-archive:{}", path.display())).unwrap();
        assert_eq!(image.layers[1].digest, Digest::sha256_of(&gz));
        assert_eq!(image.layers[1].diff_id, Some(gz_diff));
        assert_eq!(
            image.layers[1].media_type,
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
        assert_eq!(read_layer(&image, 0).unwrap(), plain);
        assert_eq!(read_layer(&image, 1).unwrap(), gz);
    }

    /// Validates a docker 25+ archive (blobs/sha256 + index.json + manifest.json) reports
    /// the OCI manifest digest and verifies blob-named layers.
    #[test]
    fn docker25_archive() {
        let dir = tempfile::tempdir().unwrap();
        let img = simple_image(b"ID=debian\n", "amd64");
        let blob = |b: &[u8]| format!("blobs/sha256/{}", Digest::sha256_of(b).hex());
        let manifest = serde_json::json!([{
            "Config": blob(&img.config), "RepoTags": ["x:latest"], "Layers": [blob(&img.layer)],
        }]);
        let index = index_json(&[(
            crate::manifest::OCI_MANIFEST,
            &img.manifest,
            None,
            Some("x:latest"),
        )]);
        let path = dir.path().join("d.tar");
        write_tar(
            &path,
            &[
                (blob(&img.layer), img.layer.clone()),
                (blob(&img.config), img.config.clone()),
                (blob(&img.manifest), img.manifest.clone()),
                ("index.json".into(), index),
                (
                    "oci-layout".into(),
                    br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
                ),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let image = resolve(&format!("docker-archive:{}", path.display())).unwrap();
        assert_eq!(
            image.identity.manifest_digest,
            Some(Digest::sha256_of(&img.manifest).to_string())
        );
        assert_eq!(read_layer(&image, 0).unwrap(), img.layer);
    }

    /// Validates a several-image archive needs a name.
    #[test]
    fn several_images_need_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let img = simple_image(b"x", "amd64");
        let cfg = format!("{}.json", Digest::sha256_of(&img.config).hex());
        let l = format!("{}.tar", Digest::sha256_of(&img.layer).hex());
        let manifest = serde_json::json!([
            {"Config": cfg, "RepoTags": ["a:1"], "Layers": [l]},
            {"Config": cfg, "RepoTags": ["b:1"], "Layers": [l]},
        ]);
        let path = dir.path().join("m.tar");
        write_tar(
            &path,
            &[
                (l.clone(), img.layer.clone()),
                (cfg.clone(), img.config.clone()),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let err = resolve(&format!("docker-archive:{}", path.display())).unwrap_err();
        assert!(err.to_string().contains("a:1, b:1"), "{err}");
        assert!(resolve(&format!("docker-archive:{}:b:1", path.display())).is_ok());
    }

    /// Validates a tampered layer fails on reading with DigestMismatch naming image and layer.
    #[test]
    fn tampered_layer() {
        let dir = tempfile::tempdir().unwrap();
        let img = simple_image(b"x", "amd64");
        let cfg = format!("{}.json", Digest::sha256_of(&img.config).hex());
        let manifest = serde_json::json!([{"Config": cfg, "Layers": ["l/layer.tar"]}]);
        let mut bad = img.layer.clone();
        bad[700] ^= 0x55;
        let path = dir.path().join("t.tar");
        write_tar(
            &path,
            &[
                ("l/layer.tar".into(), bad),
                (cfg, img.config.clone()),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let t = format!("docker-archive:{}", path.display());
        let image = resolve(&t).unwrap();
        let err = read_layer(&image, 0).unwrap_err();
        let kind = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<Error>())
            .map(Error::kind)
            .unwrap();
        match kind {
            ErrorKind::DigestMismatch { what, .. } => {
                assert!(what.contains(&t) && what.contains("layer 1/1"), "{what}")
            }
            k => panic!("{k:?}"),
        }
    }

    /// Validates a config whose content does not match its hex name is refused, and a
    /// missing layer is MissingBlob.
    #[test]
    fn tampered_config_and_missing_layer() {
        let dir = tempfile::tempdir().unwrap();
        let img = simple_image(b"x", "amd64");
        let cfg = format!("{}.json", Digest::sha256_of(b"other").hex());
        let manifest = serde_json::json!([{"Config": cfg, "Layers": ["l/layer.tar"]}]);
        let path = dir.path().join("c.tar");
        write_tar(
            &path,
            &[
                ("l/layer.tar".into(), img.layer.clone()),
                (cfg, img.config.clone()),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let err = resolve(&format!("docker-archive:{}", path.display())).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::DigestMismatch { .. }),
            "{err}"
        );

        let cfg = format!("{}.json", Digest::sha256_of(&img.config).hex());
        let manifest = serde_json::json!([{"Config": cfg, "Layers": ["l/layer.tar"]}]);
        write_tar(
            &path,
            &[
                (cfg, img.config.clone()),
                ("manifest.json".into(), manifest.to_string().into_bytes()),
            ],
        );
        let err = resolve(&format!("docker-archive:{}", path.display())).unwrap_err();
        match err.kind() {
            ErrorKind::MissingBlob { what, .. } => assert!(what.contains("l/layer.tar"), "{what}"),
            k => panic!("{k:?}"),
        }
    }

    /// Validates random bytes, empty tars, tars without manifest.json and compressed
    /// archives are NotAnImage naming the path.
    #[test]
    fn not_an_image() {
        let d = tempfile::tempdir().unwrap();
        let random = d.path().join("random.bin");
        std::fs::write(
            &random,
            (0..3000u32)
                .map(|i| (i * 31 % 256) as u8)
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let empty = d.path().join("empty.tar");
        write_tar(&empty, &[]);
        let other = d.path().join("other.tar");
        write_tar(&other, &[("x.txt".into(), b"hi".to_vec())]);
        let gz = d.path().join("img.tar.gz");
        std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
        for p in [&random, &empty, &other, &gz] {
            let err = resolve(&format!("docker-archive:{}", p.display())).unwrap_err();
            match err.kind() {
                ErrorKind::NotAnImage { path, .. } => assert_eq!(path, p),
                k => panic!("{}: {k:?}", p.display()),
            }
            assert!(err.to_string().contains(&p.display().to_string()), "{err}");
        }
    }
}
