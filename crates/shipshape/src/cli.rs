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

    /// The vulnerability database file (default: $SHIPSHAPE_DB, else
    /// $XDG_CACHE_HOME/shipshape/db/shipshape.db).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Never use the network (database downloads fail instead).
    #[arg(long, global = true)]
    pub offline: bool,

    /// The config file (default: $XDG_CONFIG_HOME/shipshape/config.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test an image for known vulnerabilities, like `docker scan` / `snyk container test`.
    Scan(ScanArgs),
    /// List what is inside an image: OS and language packages, each with the layer and build step that added it.
    Sbom(SbomArgs),
    /// Build, import, inspect, push and pull the local vulnerability database.
    Db(DbArgs),
    /// Compare two images: packages and vulnerabilities added, removed and changed, like
    /// `docker scout compare`.
    ///
    /// FROM is the image compared from (the old build, the dev stage, the base image) and TO
    /// the image compared to; both take every target form `scan` takes (registry reference,
    /// docker-archive:, oci-archive:, oci-dir:, dir:, sbom:) and are scanned against the same
    /// database. A package is identified by its type, name and architecture: "added" is only in
    /// TO, "removed" only in FROM, "changed" on both at different versions. A vulnerability is
    /// identified by its id and the package it is reported in (`curl/libcurl4`): "added" is
    /// only in TO, "removed" only in FROM; one still present after its package's version
    /// changed is listed as "still present" and is not new.
    ///
    /// Exit codes: 0 done (and, with --fail-on-new, nothing new at or above the severity), 1
    /// TO has a vulnerability at or above --fail-on-new that FROM does not have, 2 error.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the configured feeds and rebuild the database (swapped in atomically).
    Update(DbUpdateArgs),
    /// Import local files, directories, .tar.gz archives or URLs into the database.
    Import(DbImportArgs),
    /// Show the database's age, sources and record counts.
    Status(DbStatusArgs),
    /// Push the database to a registry as an OCI artifact (for mirrors and air-gapped sites).
    Push(DbTransferArgs),
    /// Pull a database pushed with `db push` and swap it in atomically.
    Pull(DbTransferArgs),
}

#[derive(Debug, Args)]
pub struct DbTransferArgs {
    /// The artifact reference, e.g. registry.example:5000/security/shipshape-db:1.
    #[arg(value_name = "REF")]
    pub reference: String,

    /// Allow plain HTTP to this registry (host[:port]); loopback registries are always allowed.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,

    /// Print the result as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DbImportArgs {
    /// Files, directories, .tar.gz archives or http(s) URLs.
    #[arg(required = true, value_name = "PATH|URL")]
    pub inputs: Vec<String>,

    /// The feed format of every input (detected from content and name by default).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new([
        "osv-zip", "osv", "rustsec", "debian-json", "debian-cve-list", "debian-dsa-list",
        "alpine-json", "alpine-yaml", "kev", "epss", "nvd",
    ]))]
    pub kind: Option<String>,

    /// Start from an empty database instead of keeping the existing database's other sources.
    #[arg(long)]
    pub replace: bool,

    /// Print the summary as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DbStatusArgs {
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `shipshape diff FROM TO`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The image compared from: NAME[:TAG|@DIGEST], docker-archive:FILE,
    /// oci-archive:FILE[:REF], oci-dir:DIR[:REF], dir:ROOTFS or sbom:FILE.
    #[arg(value_name = "FROM")]
    pub from: String,

    /// The image compared to, in the same forms.
    #[arg(value_name = "TO")]
    pub to: String,

    /// Platform to pick from multi-platform images, for both (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Allow plain HTTP to this registry (host[:port]); loopback registries are always allowed.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,

    /// Output format: `table` (text tables) or `json` (fields documented in the README).
    #[arg(long, default_value = "table", value_name = "FORMAT",
          value_parser = clap::builder::PossibleValuesParser::new(["table", "json"]))]
    pub format: String,

    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write the diff to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when TO has a vulnerability at or above this severity that FROM does not
    /// have (unknown severities never count).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on_new: Option<GateSeverity>,
}

/// How to find and read an image.
#[derive(Clone, Debug, Args)]
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

/// Report formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Human text in the shape of `docker scan` (colour on a terminal).
    Table,
    /// JSON with the field names of `snyk container test --json`.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// CycloneDX 1.6 with a vulnerabilities section.
    Cyclonedx,
}

/// Severity levels for the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GateSeverity {
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

impl From<GateSeverity> for scan::Severity {
    fn from(g: GateSeverity) -> scan::Severity {
        match g {
            GateSeverity::Low => scan::Severity::Low,
            GateSeverity::Medium => scan::Severity::Medium,
            GateSeverity::High => scan::Severity::High,
            GateSeverity::Critical => scan::Severity::Critical,
        }
    }
}

/// Which findings count for the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GateFailOn {
    /// Every finding at or above the threshold.
    All,
    /// Only findings that an upgrade fixes.
    Upgradable,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Report format. (`-f` is --file, as in `docker scan`.)
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,

    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 only when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = GateSeverity::Low)]
    pub severity_threshold: GateSeverity,

    /// Which findings count for the exit code.
    #[arg(long, value_enum, default_value_t = GateFailOn::All)]
    pub fail_on: GateFailOn,

    /// Findings without a fixed version do not fail the build (they are still reported).
    #[arg(long)]
    pub ignore_unfixed: bool,

    /// Ignore rules (YAML); default: .shipshape.yaml in the current directory, if present.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// An OpenVEX document whose not_affected/fixed statements hide findings (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// The Dockerfile the image was built from: names the base image and the instruction
    /// that introduced each package.
    #[arg(long = "file", short = 'f', value_name = "DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,

    /// The build stage the image was built with (`docker build --target`); default: the
    /// Dockerfile's last stage.
    #[arg(long = "target", value_name = "STAGE", requires = "dockerfile")]
    pub stage: Option<String>,

    /// A build argument the image was built with, to expand the Dockerfile (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE", requires = "dockerfile")]
    pub build_args: Vec<String>,

    /// Hide findings whose package came from the base image's layers (the JSON keeps how
    /// many were hidden).
    #[arg(long)]
    pub exclude_base: bool,

    /// Drop Go findings whose vulnerable functions (as the Go vulnerability database lists
    /// them) are not in the binary; findings whose symbols are unknown stay.
    #[arg(long)]
    pub go_symbols_only: bool,

    /// The base image (any target form): when its layers are the image's bottom layers it
    /// names the base, over the Dockerfile's FROM and the image's annotations (S008 when
    /// they are not); also used for base image recommendations.
    #[arg(long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// Scan at most N candidate tags of the base image's repository for recommendations
    /// (0 turns base image advice off).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub recommend_limit: usize,
}
