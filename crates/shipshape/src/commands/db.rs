//! `shipshape db update|import|status`: keep the local vulnerability database current.
#![allow(clippy::print_stdout)]

use std::cell::RefCell;
use std::io::Write;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vulndb::update::{self, Fetch, SourceKind, UpdateConfig, UpdateOptions, UpdateSummary};

use super::ExitStatus;
use crate::cli::{
    DbArgs, DbCommand, DbImportArgs, DbStatusArgs, DbTransferArgs, DbUpdateArgs, GlobalArgs,
};
use crate::printer::Printer;

pub fn run(global: &GlobalArgs, args: &DbArgs, printer: &Printer) -> Result<ExitStatus> {
    let db = vulndb::resolve_path(global.db.as_deref());
    match &args.command {
        DbCommand::Update(a) => update_cmd(global, &db, a, printer),
        DbCommand::Import(a) => import_cmd(global, &db, a, printer),
        DbCommand::Status(a) => status_cmd(&db, a, printer),
        DbCommand::Push(a) => transfer_cmd(global, &db, a, true, printer),
        DbCommand::Pull(a) => transfer_cmd(global, &db, a, false, printer),
    }
}

/// `db push REF` / `db pull REF`: the database as an OCI artifact.
fn transfer_cmd(
    global: &GlobalArgs,
    db: &std::path::Path,
    args: &DbTransferArgs,
    push: bool,
    printer: &Printer,
) -> Result<ExitStatus> {
    let verb = if push { "push" } else { "pull" };
    if global.offline {
        anyhow::bail!("db {verb} needs the network, and --offline forbids it");
    }
    let reference = oci::Reference::parse(&args.reference)
        .with_context(|| format!("db {verb}: bad reference"))?;
    let opts = oci::ResolveOptions {
        insecure_registries: args.insecure_registry.clone(),
        ..Default::default()
    };
    let info = if push {
        vulndb::distribution::push_db(db, &reference, &opts)
            .with_context(|| format!("cannot push {} to {}", db.display(), args.reference))?
    } else {
        vulndb::distribution::pull_db(&reference, db, &opts)
            .with_context(|| format!("cannot pull {} into {}", args.reference, db.display()))?
    };
    let summary = json!({
        "reference": args.reference,
        "database": db.display().to_string(),
        "manifestDigest": info.manifest_digest.to_string(),
        "layerDigest": info.layer_digest.to_string(),
        "compressedSize": info.compressed_size,
        "databaseSize": info.db_size,
        "schemaVersion": info.schema_version,
        "builtAt": info.built_at,
    });
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        printer.info(&format!(
            "{} {} {} ({}, {} bytes compressed, built {})",
            if push { "pushed" } else { "pulled" },
            db.display(),
            if push { "to" } else { "from" },
            format_args!("{}@{}", args.reference, info.manifest_digest),
            info.compressed_size,
            info.built_at.as_deref().unwrap_or("at an unknown time"),
        ));
    }
    Ok(ExitStatus::Success)
}

/// Loads the `[db]` configuration: `--config FILE` (must exist) or the default file.
pub fn config(global: &GlobalArgs) -> Result<UpdateConfig> {
    let (file, explicit) = match &global.config {
        Some(p) => (Some(p.clone()), true),
        None => (update::default_config_path(), false),
    };
    Ok(UpdateConfig::load(file.as_deref(), explicit, &|k| {
        std::env::var(k).ok()
    })?)
}

/// A bar per download, drawn only on a terminal.
struct Bar {
    bar: RefCell<Option<ProgressBar>>,
    enabled: bool,
}

impl Bar {
    fn new(enabled: bool) -> Bar {
        Bar {
            bar: RefCell::new(None),
            enabled,
        }
    }
    fn finish(&self) {
        if let Some(b) = self.bar.borrow_mut().take() {
            b.finish_and_clear();
        }
    }
}

impl update::Progress for Bar {
    fn source_started(&self, name: &str, _url: &str) {
        self.finish();
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::new_spinner();
        let style = ProgressStyle::with_template("{spinner} {msg} {bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(name.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *self.bar.borrow_mut() = Some(bar);
    }
    fn download_started(&self, total: Option<u64>) {
        if let (Some(b), Some(t)) = (self.bar.borrow().as_ref(), total) {
            b.set_length(t);
            let style = ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            b.set_style(style);
        }
    }
    fn downloaded(&self, n: u64) {
        if let Some(b) = self.bar.borrow().as_ref() {
            b.inc(n);
        }
    }
    fn source_finished(&self, _outcome: &update::SourceOutcome) {
        self.finish();
    }
}

fn print_summary(summary: &UpdateSummary, json: bool, printer: &Printer) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        serde_json::to_writer_pretty(&mut out, summary)?;
        writeln!(out)?;
    } else {
        for s in &summary.sources {
            let how = match &s.fetch {
                Fetch::Downloaded { bytes } => format!("downloaded {bytes} bytes"),
                Fetch::NotModified => "not modified".to_string(),
                Fetch::Local => "local".to_string(),
            };
            writeln!(
                out,
                "{:<28} {:<26} records {:>8}  skipped {:>5}",
                s.name, how, s.report.records, s.report.skipped
            )?;
        }
        writeln!(out, "database: {}", summary.path.display())?;
    }
    for s in &summary.sources {
        if s.report.skipped > 0 {
            let first = s
                .report
                .errors
                .iter()
                .take(3)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            printer.warning(
                "db-skipped-records",
                &format!(
                    "{}: skipped {} malformed record(s): {first}",
                    s.name, s.report.skipped
                ),
            );
        }
    }
    Ok(())
}

fn update_cmd(
    global: &GlobalArgs,
    db: &std::path::Path,
    args: &DbUpdateArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let config = config(global)?;
    let bar = Bar::new(printer.show_progress());
    let opts = UpdateOptions {
        offline: global.offline,
        cache_dir: None,
        progress: &bar,
    };
    let result = update::update(db, &config, &opts);
    bar.finish();
    let summary = result.with_context(|| {
        format!(
            "database update failed; the database at {} is unchanged",
            db.display()
        )
    })?;
    print_summary(&summary, args.json, printer)?;
    Ok(ExitStatus::Success)
}

fn import_cmd(
    global: &GlobalArgs,
    db: &std::path::Path,
    args: &DbImportArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let config = config(global)?;
    let bar = Bar::new(printer.show_progress());
    let opts = UpdateOptions {
        offline: global.offline,
        cache_dir: None,
        progress: &bar,
    };
    let options = update::ImportOptions {
        kind: args.kind.as_deref().and_then(SourceKind::parse),
        replace: args.replace,
    };
    let result = update::import(db, &args.inputs, &options, &config, &opts);
    bar.finish();
    let summary = result.with_context(|| {
        format!(
            "database import failed; the database at {} is unchanged",
            db.display()
        )
    })?;
    print_summary(&summary, args.json, printer)?;
    Ok(ExitStatus::Success)
}

fn status_cmd(db: &std::path::Path, args: &DbStatusArgs, printer: &Printer) -> Result<ExitStatus> {
    let store = vulndb::Store::open(db)?;
    let status = store.status()?;
    let age = status.built_at.as_deref().and_then(update::age_of);
    let stale = age.is_none_or(|a| a > update::STALE_AFTER);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let sources: Vec<_> = status
            .sources
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "url": s.url,
                    "fetched_at": s.fetched_at,
                    "etag": s.etag,
                    "last_modified": s.last_modified,
                    "records": s.record_count,
                    "skipped": s.skipped_count,
                    "built_at": s.built_at,
                })
            })
            .collect();
        let doc = json!({
            "path": status.path,
            "schema_version": status.schema_version,
            "built_at": status.built_at,
            "age_seconds": age.map(|a| a.as_secs()),
            "stale": stale,
            "sources": sources,
            "counts": status.counts,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        writeln!(out, "database:       {}", status.path.display())?;
        writeln!(out, "schema version: {}", status.schema_version)?;
        writeln!(
            out,
            "built at:       {}{}",
            status.built_at.as_deref().unwrap_or("unknown"),
            age.map(|a| format!(" ({})", human_age(a)))
                .unwrap_or_default()
        )?;
        let c = &status.counts;
        writeln!(
            out,
            "records:        {} advisories, {} affected packages, {} aliases, {} KEV, {} EPSS, {} NVD",
            c.advisories, c.affected, c.aliases, c.kev, c.epss, c.nvd
        )?;
        writeln!(out, "sources:")?;
        for s in &status.sources {
            writeln!(
                out,
                "  {:<28} records {:>8}  skipped {:>5}  fetched {}  {}{}",
                s.name,
                s.record_count,
                s.skipped_count,
                s.fetched_at.as_deref().unwrap_or("-"),
                s.url.as_deref().unwrap_or("-"),
                s.etag
                    .as_deref()
                    .map(|e| format!("  etag {e}"))
                    .unwrap_or_default()
            )?;
        }
    }
    drop(out);
    if stale {
        printer.warning(
            "db-stale",
            &format!(
                "the vulnerability database is {}; run `shipshape db update`",
                age.map(|a| format!("{} old", human_age(a)))
                    .unwrap_or_else(|| "of unknown age".into())
            ),
        );
    }
    Ok(ExitStatus::Success)
}

fn human_age(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s} seconds"),
        120..=7199 => format!("{} minutes", s / 60),
        7200..=172_799 => format!("{} hours", s / 3600),
        _ => format!("{} days", s / 86400),
    }
}
