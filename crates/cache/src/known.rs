//! Images scanned before, remembered by their layers, so that a later scan of an image built
//! FROM one of them can name its base image without a Dockerfile or annotations.
//!
//! Each registry image `scan` reads is recorded as one small JSON file
//! `<cache>/known-images/<first diff_id>/<manifest digest>.json` holding its reference and
//! diff_ids. Looking up an image reads only the directory of its own first diff_id and keeps
//! the longest record whose diff_ids are a proper prefix of the image's. Everything here is
//! best effort: a cache that cannot be read or written only means the base is not named
//! this way.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One remembered image.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    reference: String,
    manifest_digest: Option<String>,
    diff_ids: Vec<String>,
}

/// The store of remembered images under `dir`.
#[derive(Clone, Debug)]
pub struct KnownImages {
    dir: PathBuf,
}

/// The hex part of a digest, safe as a file name.
fn hex(digest: &str) -> Option<&str> {
    let h = digest.split_once(':').map_or(digest, |(_, h)| h);
    (!h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())).then_some(h)
}

fn diff_ids(inv: &inventory::Inventory) -> Option<Vec<String>> {
    inv.layers.iter().map(|l| l.diff_id.clone()).collect()
}

impl KnownImages {
    /// The store in `dir` (beside the database: its cache directory's `known-images`).
    pub fn new(dir: impl Into<PathBuf>) -> KnownImages {
        KnownImages { dir: dir.into() }
    }

    /// Remember a registry image (one with a reference and a manifest digest).
    pub fn record(&self, inv: &inventory::Inventory) {
        let (Some(reference), Some(digest)) = (
            &inv.image.identity.reference,
            &inv.image.identity.manifest_digest,
        ) else {
            return;
        };
        let Some(ids) = diff_ids(inv).filter(|ids| !ids.is_empty()) else {
            return;
        };
        let (Some(first), Some(name)) = (hex(&ids[0]), hex(digest)) else {
            return;
        };
        let file = self.dir.join(first).join(format!("{name}.json"));
        let record = Record {
            reference: reference.clone(),
            manifest_digest: Some(digest.clone()),
            diff_ids: ids,
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            crate::write_atomic(&file, &json);
        }
    }

    /// The remembered image whose layers are the most of `inv`'s bottom layers (a proper
    /// prefix), as an inventory holding only its name, digest and layers.
    pub fn base_of(&self, inv: &inventory::Inventory) -> Option<inventory::Inventory> {
        let ids = diff_ids(inv)?;
        let dir = self.dir.join(hex(ids.first()?)?);
        let mut best: Option<Record> = None;
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(r) = serde_json::from_slice::<Record>(&bytes) else {
                continue;
            };
            let proper_prefix = r.diff_ids.len() < ids.len() && ids.starts_with(&r.diff_ids);
            if proper_prefix
                && best
                    .as_ref()
                    .is_none_or(|b| r.diff_ids.len() > b.diff_ids.len())
            {
                best = Some(r);
            }
        }
        let r = best?;
        let image = inventory::ImageInfo {
            identity: inventory::ImageIdentity {
                name: r.reference.clone(),
                reference: Some(r.reference),
                manifest_digest: r.manifest_digest,
                ..Default::default()
            },
            ..Default::default()
        };
        Some(inventory::Inventory::of_layers(
            image,
            r.diff_ids.into_iter().map(inventory::LayerInfo::of_diff_id),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(reference: &str, digest: &str, ids: &[&str]) -> inventory::Inventory {
        inventory::Inventory {
            image: inventory::ImageInfo {
                identity: inventory::ImageIdentity {
                    name: reference.into(),
                    reference: Some(reference.into()),
                    manifest_digest: Some(digest.into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            layers: ids
                .iter()
                .enumerate()
                .map(|(index, d)| inventory::LayerInfo {
                    index,
                    digest: format!("sha256:{d}"),
                    diff_id: Some(format!("sha256:{d}")),
                    size: None,
                    created_by: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Validates that the longest proper prefix wins, the image itself never does, an image
    /// with another bottom layer finds nothing, and a corrupt record is skipped.
    #[test]
    fn longest_proper_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let known = KnownImages::new(dir.path().join("known-images"));
        known.record(&image("r/debian:12", "sha256:d1", &["aa"]));
        known.record(&image("r/python:3", "sha256:d2", &["aa", "bb"]));
        known.record(&image("r/other:1", "sha256:d3", &["aa", "cc"]));
        let app = image("r/app:1", "sha256:d4", &["aa", "bb", "ee"]);
        known.record(&app);
        std::fs::write(dir.path().join("known-images/aa/broken.json"), b"{").unwrap();
        let base = known.base_of(&app).unwrap();
        assert_eq!(base.image.identity.reference.as_deref(), Some("r/python:3"));
        assert_eq!(base.layers.len(), 2);
        // The base image scanned again finds its own base, not itself.
        let py = image("r/python:3", "sha256:d2", &["aa", "bb"]);
        assert_eq!(
            known
                .base_of(&py)
                .unwrap()
                .image
                .identity
                .reference
                .as_deref(),
            Some("r/debian:12")
        );
        assert!(known
            .base_of(&image("r/x:1", "sha256:d5", &["ff", "bb"]))
            .is_none());
        // Images without a reference (archives, rootfs) are not remembered.
        let mut local = image("oci-dir:x", "sha256:d6", &["ff"]);
        local.image.identity.reference = None;
        known.record(&local);
        assert!(!dir.path().join("known-images/ff").exists());
    }
}
