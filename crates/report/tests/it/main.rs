//! Integration tests of the SBOM renderers: schema validation against the official
//! CycloneDX 1.6 and SPDX 2.3 JSON schemas, field mapping, and golden files.

mod common;
mod cyclonedx;
mod json;
mod spdx;
