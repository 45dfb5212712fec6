//! Integration tests for `vulndb`: importers against fixtures written in each published
//! format (`tests/fixtures/…`), and the store.

mod importers;
mod nvd_cpe;
mod store;

use std::path::PathBuf;

/// The path of a fixture file or directory.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Opens a fixture file.
pub fn open(rel: &str) -> std::fs::File {
    std::fs::File::open(fixture(rel)).unwrap()
}
