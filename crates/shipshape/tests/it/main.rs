//! Integration tests of the `shipshape` binary, one module per command or theme.
//!
//! Tests that need real images, registries or root read the environment that `.ci/run`
//! sets up (see `support.rs`); without it they print why they are skipped, and with
//! `SHIPSHAPE_REQUIRE_IMAGE_TESTS=1` (as in CI) they fail instead.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod advice;
mod cli;
mod db;
mod db_oci;
mod diff;
mod dotnet_php;
mod example_output;
mod examples;
mod java;
mod runtimes;
mod rust;
mod sbom_errors;
mod sbom_images;
mod sbom_python;
mod sbom_registry;
mod scan;
mod scan_dockerfile;
mod scan_policy;
mod scan_pypa;
mod scan_sbom;
mod support;
