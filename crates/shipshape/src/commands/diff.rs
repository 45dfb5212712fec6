//! `shipshape diff FROM TO`: inventory both images, scan both against one database, compare,
//! render, and gate on new vulnerabilities.

use anyhow::{Context, Result};

use super::ExitStatus;
use crate::cli::{DiffArgs, GlobalArgs, TargetArgs};
use crate::printer::Printer;

pub fn run(global: &GlobalArgs, args: &DiffArgs, printer: &Printer) -> Result<ExitStatus> {
    let side = |target: &str| TargetArgs {
        target: target.to_owned(),
        platform: args.platform.clone(),
        insecure_registry: args.insecure_registry.clone(),
    };
    let from_inv = crate::target::inventory(&side(&args.from), printer)
        .with_context(|| format!("FROM image {}", args.from))?;
    let to_inv = crate::target::inventory(&side(&args.to), printer)
        .with_context(|| format!("TO image {}", args.to))?;

    let db = vulndb::resolve_path(global.db.as_deref());
    let store = super::open_database(global, &db, printer)?;
    let scanner = scan::Scanner::new(&store);
    let now = time::OffsetDateTime::now_utc();
    let from_report = scanner
        .scan(&scan::ScanRequest::new(&from_inv, now))
        .with_context(|| format!("cannot scan the FROM image {}", args.from))?;
    let to_report = scanner
        .scan(&scan::ScanRequest::new(&to_inv, now))
        .with_context(|| format!("cannot scan the TO image {}", args.to))?;

    // Database staleness is said once; other diagnostics name their image.
    let mut seen = std::collections::BTreeSet::new();
    for (label, report) in [(&args.from, &from_report), (&args.to, &to_report)] {
        for d in &report.diagnostics {
            let message = if d.code == scan::diagnostics::STALE_DATABASE.code {
                d.message.clone()
            } else {
                format!("{label}: {}", d.message)
            };
            if seen.insert((d.code.clone(), message.clone())) {
                printer.warning(&d.code, &message);
            }
        }
    }

    let diff = scan::diff(&from_inv, &from_report, &to_inv, &to_report)?;
    let format = if args.json || args.format == "json" {
        report::DiffFormat::Json
    } else {
        report::DiffFormat::Text
    };
    let color = super::stdout_color(args.output.as_deref());
    super::write_output(args.output.as_deref(), |out| {
        report::render_diff(&diff, format, out, color)?;
        Ok(())
    })?;

    let Some(gate) = args.fail_on_new else {
        return Ok(ExitStatus::Success);
    };
    let threshold = scan::Severity::from(gate);
    let new = diff.new_at_or_above(threshold);
    if new.is_empty() {
        return Ok(ExitStatus::Success);
    }
    printer.info(&format!(
        "{} new {} at or above {threshold} in {}",
        new.len(),
        if new.len() == 1 {
            "vulnerability"
        } else {
            "vulnerabilities"
        },
        args.to
    ));
    Ok(ExitStatus::Failure)
}
