//! Command-line flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Container image security scanner: what is inside an image, where each package came from.
#[derive(Debug, Parser)]
#[command(name = "shipshape", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print no progress and no warnings, only results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List what is inside an image (OS packages with the layer and build step that added them).
    Sbom(SbomArgs),
}

/// How to find and read an image.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The image: NAME[:TAG|@DIGEST] in a registry, docker-archive:FILE, oci-archive:FILE[:REF],
    /// oci-dir:DIR[:REF], or dir:ROOTFS.
    pub target: String,

    /// Platform to pick from a multi-platform image, as os/arch[/variant] (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Allow plain HTTP to this registry (host[:port]); loopback registries are always allowed.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,
}

/// SBOM formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
    /// shipshape's own JSON, with layer provenance and diagnostics.
    Json,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub format: SbomFormat,

    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
