//! `shipshape diff FROM TO`: inventory both images, scan both against one database, compare,
//! render, and gate on new vulnerabilities.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use vulndb::update;

use super::ExitStatus;
use crate::cli::{DiffArgs, GateSeverity, GlobalArgs, TargetArgs};
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

    let store = open_database(global, printer)?;
    let from_report = scan_inventory(&from_inv, &store)
        .with_context(|| format!("cannot scan the FROM image {}", args.from))?;
    let to_report = scan_inventory(&to_inv, &store)
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
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    super::write_output(args.output.as_deref(), |out| {
        report::render_diff(&diff, format, out, color)?;
        Ok(())
    })?;

    let Some(gate) = args.fail_on_new else {
        return Ok(ExitStatus::Success);
    };
    let threshold = match gate {
        GateSeverity::Low => scan::Severity::Low,
        GateSeverity::Medium => scan::Severity::Medium,
        GateSeverity::High => scan::Severity::High,
        GateSeverity::Critical => scan::Severity::Critical,
    };
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

/// The database of `scan`, resolved from `--db`.
fn open_database(global: &GlobalArgs, printer: &Printer) -> Result<vulndb::Store> {
    let db = vulndb::resolve_path(global.db.as_deref());
    super::open_database(global, &db, printer)
}

/// The matching steps of `scan`: match, then flag a stale database.
fn scan_inventory(inv: &inventory::Inventory, store: &vulndb::Store) -> Result<scan::Report> {
    let mut report = scan::scan(inv, store, &scan::ScanOptions::default())?;
    let age = report.database.built_at.as_deref().and_then(update::age_of);
    scan::check_database_age(&mut report, age);
    Ok(report)
}
