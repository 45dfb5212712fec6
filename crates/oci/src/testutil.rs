//! Fixture builders for tests: real tars, OCI layouts and docker archives with real digests.

use std::collections::BTreeMap;
use std::path::Path;

use crate::manifest::{OCI_CONFIG, OCI_INDEX, OCI_MANIFEST};
use crate::Digest;

/// An uncompressed layer tar holding `files`.
pub(crate) fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A config document whose diff_ids are `diff_ids`.
pub(crate) fn config_json(diff_ids: &[Digest], arch: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin"], "Labels": {"a": "b"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "ADD rootfs /"}, {"created_by": "ENV X=1", "empty_layer": true}],
    }))
    .unwrap()
}

/// An OCI manifest for `config` and `layers` (bytes and media type).
pub(crate) fn manifest_json(config: &[u8], layers: &[(&[u8], &str)]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": Digest::sha256_of(config), "size": config.len()},
        "layers": layers.iter().map(|(b, mt)| serde_json::json!({
            "mediaType": mt, "digest": Digest::sha256_of(b), "size": b.len()
        })).collect::<Vec<_>>(),
        "annotations": {"org.opencontainers.image.base.name": "docker.io/library/debian:12"},
    }))
    .unwrap()
}

/// An index document over (media type, bytes, platform, annotations) entries.
/// An index entry: media type, document bytes, platform, ref name.
pub(crate) type IndexEntry<'a> = (&'a str, &'a [u8], Option<&'a str>, Option<&'a str>);

pub(crate) fn index_json(entries: &[IndexEntry<'_>]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": entries.iter().map(|(mt, b, platform, refname)| {
            let mut d = serde_json::json!({"mediaType": mt, "digest": Digest::sha256_of(b), "size": b.len()});
            if let Some(p) = platform {
                let p: crate::Platform = p.parse().unwrap();
                d["platform"] = serde_json::to_value(&p).unwrap();
            }
            if let Some(r) = refname {
                d["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": r});
            }
            d
        }).collect::<Vec<_>>(),
    }))
    .unwrap()
}

/// Write `blob` into `dir/blobs/sha256/`.
pub(crate) fn put_blob(dir: &Path, blob: &[u8]) -> Digest {
    let d = Digest::sha256_of(blob);
    let p = dir.join("blobs/sha256");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join(d.hex()), blob).unwrap();
    d
}

/// A one-image layout: returns (layer bytes, layer digest).
pub(crate) struct SimpleImage {
    pub layer: Vec<u8>,
    pub config: Vec<u8>,
    pub manifest: Vec<u8>,
}

pub(crate) fn simple_image(content: &[u8], arch: &str) -> SimpleImage {
    let layer = layer_tar(&[("etc/os-release", content)]);
    let config = config_json(&[Digest::sha256_of(&layer)], arch);
    let manifest = manifest_json(
        &config,
        &[(&layer, "application/vnd.oci.image.layer.v1.tar")],
    );
    SimpleImage {
        layer,
        config,
        manifest,
    }
}

/// Write an OCI layout with one image tagged `tag` into `dir`.
pub(crate) fn write_layout(dir: &Path, img: &SimpleImage, tag: &str) {
    put_blob(dir, &img.layer);
    put_blob(dir, &img.config);
    put_blob(dir, &img.manifest);
    std::fs::write(
        dir.join("index.json"),
        index_json(&[(OCI_MANIFEST, &img.manifest, None, Some(tag))]),
    )
    .unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

/// Tar the files named `members` (in-memory) into `out`.
pub(crate) fn write_tar(out: &Path, members: &[(String, Vec<u8>)]) {
    let f = std::fs::File::create(out).unwrap();
    let mut b = tar::Builder::new(f);
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.finish().unwrap();
}

/// Tar a whole directory tree into `out`, names relative to `dir`.
pub(crate) fn tar_dir(dir: &Path, out: &Path) {
    let f = std::fs::File::create(out).unwrap();
    let mut b = tar::Builder::new(f);
    b.append_dir_all(".", dir).unwrap();
    b.finish().unwrap();
}

/// Read a layer to the end, verifying it.
pub(crate) fn read_layer(img: &crate::Image, i: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    img.open_layer(i).unwrap().read_to_end(&mut out)?;
    Ok(out)
}

/// Annotations helper.
pub(crate) fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
