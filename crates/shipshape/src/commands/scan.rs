//! `shipshape scan TARGET`: inventory, match against the database, report, gate.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use super::ExitStatus;
use crate::cli::{GateFailOn, GlobalArgs, ScanArgs, ScanFormat};
use crate::printer::Printer;

pub fn run(global: &GlobalArgs, args: &ScanArgs, printer: &Printer) -> Result<ExitStatus> {
    // Policy and VEX files are read first: a typo fails fast, before the image is pulled.
    let policy = match &args.policy {
        Some(path) => read_policy(path)?,
        None => {
            let default = Path::new(scan::policy::DEFAULT_FILE);
            if default.is_file() {
                read_policy(default)?
            } else {
                scan::Policy::default()
            }
        }
    };
    let vex = args
        .vex
        .iter()
        .map(|p| scan::Vex::parse(&p.display().to_string(), &read_text(p)?).map_err(Into::into))
        .collect::<Result<Vec<_>>>()?;
    // So is the Dockerfile.
    let dockerfile = match &args.dockerfile {
        Some(path) => Some(read_dockerfile(path, &args.build_args)?),
        None => None,
    };
    let inv = crate::target::inventory(&args.target, printer)?;
    let db = vulndb::resolve_path(global.db.as_deref());
    let known = cache::KnownImages::new(vulndb::update::cache_dir_for(&db).join("known-images"));
    // The base image the user names: its layers (manifest and config, no layer read) are
    // what tells it; else an image scanned before whose layers are this image's bottom ones.
    let given_base = match &args.base_image {
        Some(base) => {
            let base_args = crate::cli::TargetArgs {
                target: base.clone(),
                ..args.target.clone()
            };
            Some(
                crate::target::layers(&base_args)
                    .with_context(|| format!("--base-image {base}"))?,
            )
        }
        None => None,
    };
    let known_base = match &given_base {
        Some(b) => {
            known.record(b);
            None
        }
        None => known.base_of(&inv),
    };
    known.record(&inv);

    let store = super::open_database(global, &db, printer)?;
    let scanner = scan::Scanner::new(&store);
    let request = scan::ScanRequest {
        policy: Some(&policy),
        vex: &vex,
        docker: Some(scan::DockerContext {
            dockerfile: dockerfile
                .as_ref()
                .zip(args.dockerfile.as_ref())
                .map(|(df, path)| (df, path.display().to_string())),
            stage: args.stage.as_deref(),
            given_base: args.base_image.clone().zip(given_base.as_ref()),
            known_base: known_base.as_ref(),
            exclude_base: args.exclude_base,
        }),
        options: scan::ScanOptions {
            go_symbols_only: args.go_symbols_only,
            ..Default::default()
        },
        ..scan::ScanRequest::new(&inv, time::OffsetDateTime::now_utc())
    };
    let mut report = super::run_scan(&scanner, &request, &args.target.target)?;
    // Better base images: only when the base image is known by name (--recommend-limit 0:
    // not at all).
    if let Some(base) = report
        .docker
        .base_image
        .clone()
        .filter(|_| args.recommend_limit > 0)
    {
        report.docker.base_image_remediation = Some(super::advice::recommend(
            &base, scanner, global, args, &db, printer,
        ));
    }
    let format = match (args.json, args.format) {
        (true, _) | (_, ScanFormat::Json) => report::ReportFormat::Json,
        (_, ScanFormat::Table) => report::ReportFormat::Table,
        (_, ScanFormat::Sarif) => report::ReportFormat::Sarif,
        (_, ScanFormat::Cyclonedx) => report::ReportFormat::CycloneDx,
    };
    // The text report prints its own diagnostics after the summary.
    if format != report::ReportFormat::Table || args.output.is_some() {
        for d in &report.diagnostics {
            printer.warning(&d.code, &d.message);
        }
    }
    let ropts = report::ReportOptions {
        color: super::stdout_color(args.output.as_deref()),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        ..Default::default()
    };
    super::write_output(args.output.as_deref(), |out| {
        report::render_report(&report, &inv, format, out, &ropts)?;
        Ok(())
    })?;

    let threshold = scan::Severity::from(args.severity_threshold);
    let fail_on = match args.fail_on {
        GateFailOn::All => scan::FailOn::All,
        GateFailOn::Upgradable => scan::FailOn::Upgradable,
    };
    Ok(
        if scan::exceeds(&report, threshold, fail_on, args.ignore_unfixed) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}

/// A policy or VEX file's text; the error names the file.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn read_policy(path: &Path) -> Result<scan::Policy> {
    Ok(scan::Policy::parse(
        &path.display().to_string(),
        &read_text(path)?,
    )?)
}

/// The largest `--file` read.
const MAX_DOCKERFILE: u64 = 4 << 20;

/// Read and parse `--file`, with `--build-arg`s.
fn read_dockerfile(path: &Path, build_args: &[String]) -> Result<dockerfile::Dockerfile> {
    let mut args = BTreeMap::new();
    for a in build_args {
        let (k, v) = a
            .split_once('=')
            .with_context(|| format!("--build-arg {a}: expected NAME=VALUE"))?;
        args.insert(k.to_owned(), v.to_owned());
    }
    // A Dockerfile is text a person wrote: anything this large is not one, and reading it
    // whole could exhaust memory.
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read the Dockerfile {}", path.display()))?
        .len();
    if size > MAX_DOCKERFILE {
        anyhow::bail!(
            "{} is {size} bytes, more than a Dockerfile can be ({MAX_DOCKERFILE} bytes at most)",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the Dockerfile {}", path.display()))?;
    dockerfile::Dockerfile::parse_with_build_args(&text, &args)
        .with_context(|| format!("cannot parse the Dockerfile {}", path.display()))
}
