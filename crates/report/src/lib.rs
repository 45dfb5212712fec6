//! Renderers: turn an inventory (and later a scan report) into CycloneDX, SPDX, native JSON
//! and text. Placeholder, being written.
#![deny(missing_docs)]
