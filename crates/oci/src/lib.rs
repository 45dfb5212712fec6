//! Container images as shipshape sees them: where they come from and what they are made of.
//!
//! This crate owns image references, the OCI distribution client (tokens, basic auth, docker
//! `config.json` credentials and helpers, indexes and `--platform`, tag lists, artifact push
//! and pull), docker-archive and OCI archive/layout readers, and layer byte streams whose
//! digests are verified while they are read. Every image source resolves to the same
//! [`Image`]: manifest, config (history, labels, `rootfs.diff_ids`) and lazily opened layers.
//! (A `dir:` root filesystem is parsed as a [`Target`] too, but it is not an image: the
//! `inventory` crate walks it.)
//!
//! It does not know what is inside a layer: decompression, tar walking and package databases
//! belong to the `inventory` crate.
//!
//! # Brief overview
//! * [`Target`] parses what the user typed (`debian:12`, `docker-archive:F`, `oci-dir:D:tag`, …).
//! * [`Image`] is the resolved image; [`Image::open_layer`] streams one layer's blob.
//! * [`ImageIdentity`] says which image it is (name, reference, digests, platform), for
//!   every later stage to carry.
//! * [`Digest`] is a validated `algorithm:hex` content address.
//! * [`Error`] says which input failed and why.
//! * [`list_tags`] lists a registry repository's tags; [`manifest`] names the media types.
//! * [`push_artifact`] and [`pull_artifact`] move non-image content ([`artifact`]) through a
//!   registry as an OCI artifact (shipshape's vulnerability database).
//!
//! # Choices
//! * `ureq` (blocking, rustls): the pipeline is synchronous and layer streams must be plain
//!   [`std::io::Read`] values that rayon workers can pull; an async client would need a
//!   runtime only for this.
//! * `tar` only indexes outer archives (`entries_with_seek`, `raw_file_position`); members
//!   are read by seeking fresh file handles, so several threads stream layers at once.
//! * The bearer-token and `WWW-Authenticate` handling is hand-written (about 100 lines):
//!   the registry clients on crates.io are async.
//!
//! # Example
//! ```
//! let target = oci::Target::parse("debian:12").unwrap();
//! assert_eq!(target.to_string(), "debian:12");
//! let oci::Target::Registry(r) = target else { unreachable!() };
//! assert_eq!(r.to_string(), "docker.io/library/debian:12");
//! ```
#![deny(missing_docs)]

mod archive;
pub mod artifact;
mod credentials;
mod digest;
mod error;
mod image;
mod layout;
pub mod manifest;
mod registry;
mod target;
mod tarindex;
#[cfg(test)]
mod testutil;

pub use artifact::{ArtifactSpec, BlobSpec, PulledArtifact};
pub use digest::{Digest, VerifyingReader};
pub use error::{Error, ErrorKind};
pub use image::{BlobSource, History, Image, ImageConfig, ImageIdentity, Layer, Platform};
pub use registry::{list_tags, pull_artifact, push_artifact};
pub use target::{Reference, ResolveOptions, Target};
