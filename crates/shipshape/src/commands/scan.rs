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
        Some(path) => scan::Policy::load(path)?,
        None => {
            let default = std::path::Path::new(scan::policy::DEFAULT_FILE);
            if default.is_file() {
                scan::Policy::load(default)?
            } else {
                scan::Policy::default()
            }
        }
    };
    let vex = args
        .vex
        .iter()
        .map(|p| scan::Vex::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    // So is the Dockerfile.
    let dockerfile = match &args.dockerfile {
        Some(path) => Some(read_dockerfile(path, &args.build_args)?),
        None => None,
    };
    let inv = crate::target::inventory(&args.target, printer)?;
    let db = vulndb::resolve_path(global.db.as_deref());
    let known = super::known::KnownImages::beside(&db);
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
    let mut report = super::scan_inventory(&inv, &store)
        .with_context(|| format!("cannot scan {}", args.target.target))?;
    scan::apply_policy(&mut report, &inv, &policy, &vex, scan::policy::today());
    report.target_file = args.dockerfile.as_ref().map(|p| p.display().to_string());
    dockerfile_aware(
        &mut report,
        &inv,
        dockerfile.as_ref(),
        args,
        given_base.as_ref(),
        known_base.as_ref(),
    )?;
    // Better base images: only when the base image is known by name (--recommend-limit 0:
    // not at all).
    if let Some(base) = report
        .docker
        .base_image
        .clone()
        .filter(|_| args.recommend_limit > 0)
    {
        let opts = super::advice::AdviceOptions::from_scan(global, args, &db, printer);
        report.docker.base_image_remediation = Some(super::advice::recommend(&base, &store, &opts));
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

/// Which layers are the base image's and which Dockerfile instruction made each of the
/// others; `--exclude-base`.
fn dockerfile_aware(
    report: &mut scan::Report,
    inv: &inventory::Inventory,
    dockerfile: Option<&dockerfile::Dockerfile>,
    args: &ScanArgs,
    given_base: Option<&inventory::Inventory>,
    known_base: Option<&inventory::Inventory>,
) -> Result<()> {
    let attribution = match (dockerfile, &args.dockerfile) {
        (Some(df), Some(path)) => Some(
            scan::attribution::attribute(&inv.image, &inv.layers, df, args.stage.as_deref())
                .with_context(|| format!("--file {}", path.display()))?,
        ),
        _ => None,
    };
    if let Some(a) = &attribution {
        report
            .diagnostics
            .extend(a.warnings.iter().map(|w| scan::ScanDiagnostic {
                code: scan::diagnostics::DOCKERFILE_MISMATCH.code.to_owned(),
                message: w.clone(),
            }));
    }
    // A --base-image whose layers are this image's bottom layers names the base; else the
    // usual order (Dockerfile, annotations, labels, an image scanned before, history).
    let named = match (&args.base_image, given_base) {
        (Some(given), Some(b)) => {
            let named = scan::base::named(inv, b);
            if named.is_none() {
                report.diagnostics.push(scan::ScanDiagnostic {
                    code: scan::diagnostics::BASE_IMAGE_MISMATCH.code.to_owned(),
                    message: format!(
                        "--base-image {given}: its {} layers are not the bottom layers of {}; ignored",
                        b.layers.len(),
                        inv.image.name
                    ),
                });
            }
            named
        }
        _ => None,
    };
    let base = named.or_else(|| {
        scan::base::detect(
            inv,
            dockerfile
                .zip(attribution.as_ref())
                .map(|(df, a)| (df, args.stage.as_deref(), a)),
            known_base,
        )
    });
    if args.exclude_base && base.as_ref().and_then(|b| b.layers).is_none() {
        anyhow::bail!(
            "--exclude-base: cannot tell which layers are the base image's (give --file DOCKERFILE, or --base-image IMAGE)"
        );
    }
    scan::base::apply(
        report,
        base.as_ref(),
        attribution.as_ref(),
        args.exclude_base,
    );
    Ok(())
}
