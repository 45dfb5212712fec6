//! What shipshape remembers between runs, in a directory beside the vulnerability database.
//!
//! This crate owns the on-disk shape of those memories and nothing else: [`JsonCache`]
//! keeps small JSON documents under a string key (the base image advice keeps each
//! candidate's severity counts there, keyed by image and database build), and
//! [`KnownImages`] remembers registry images by their layers so that a later scan can name
//! the base image of an image built on one of them.
//!
//! It does not know what the keys mean (the caller builds them, so a change of meaning is
//! a change of key) nor how a scan runs. Everything here is best effort: a cache that
//! cannot be read or written only costs a rescan, so reads return `None` and writes return
//! nothing; entries are written to a temporary file and renamed in, so a reader never sees
//! half of one.
#![deny(missing_docs)]

mod known;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use known::KnownImages;

/// JSON documents kept under string keys in one directory, one file each, named by the
/// SHA-256 of the key.
#[derive(Clone, Debug)]
pub struct JsonCache {
    dir: PathBuf,
}

impl JsonCache {
    /// The cache in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> JsonCache {
        JsonCache { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`.
    pub fn file_of(&self, key: &str) -> PathBuf {
        let hex = hex::encode(Sha256::digest(key.as_bytes()));
        self.dir.join(format!("{hex}.json"))
    }

    /// The document stored under `key`, if there is one and it reads as a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.file_of(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores `value` under `key` (best effort).
    pub fn put<T: Serialize>(&self, key: &str, value: &T) {
        if let Ok(bytes) = serde_json::to_vec(value) {
            write_atomic(&self.file_of(key), &bytes);
        }
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`; nothing
/// is left behind when a step fails.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_ok() {
        return;
    }
    let _ = std::fs::remove_file(&tmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates a round trip, a miss, a document of another shape, a corrupt file and an
    /// unwritable directory: only the round trip answers, and nothing panics.
    #[test]
    fn json_cache_round_trip_and_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = JsonCache::new(dir.path().join("c"));
        assert_eq!(cache.get::<Vec<u32>>("k"), None);
        cache.put("k", &vec![1u32, 2]);
        assert_eq!(cache.get::<Vec<u32>>("k"), Some(vec![1, 2]));
        assert_eq!(cache.get::<String>("k"), None);
        assert_eq!(cache.get::<Vec<u32>>("other"), None);
        std::fs::write(cache.file_of("k"), b"{").unwrap();
        assert_eq!(cache.get::<Vec<u32>>("k"), None);
        // File names are the key's SHA-256: no key can name a path.
        let f = cache.file_of("../../etc/passwd");
        assert_eq!(f.parent(), Some(cache.dir()));
        // No temporary file is left.
        let names: Vec<String> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // A directory that cannot be created (a file is in the way) only misses.
        let blocked = JsonCache::new(cache.file_of("k").join("sub"));
        blocked.put("k", &1u32);
        assert_eq!(blocked.get::<u32>("k"), None);
    }
}
