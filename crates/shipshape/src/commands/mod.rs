//! One module per subcommand; each returns how the process should exit.

mod advice;
mod db;
mod diff;
mod sbom;
mod scan;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::printer::Printer;

/// The process outcome: 0 success, 1 findings at or above the gate, 2 usage or runtime error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing to report at or above the gate.
    Success,
    /// Findings at or above the gate.
    Failure,
    /// The command could not do its job.
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

pub fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    match cli.command {
        Command::Scan(args) => scan::run(&cli.global, &args, printer),
        Command::Sbom(args) => sbom::run(&args, printer),
        Command::Db(args) => db::run(&cli.global, &args, printer),
        Command::Diff(args) => diff::run(&cli.global, &args, printer),
    }
}

/// Render into `--output FILE` when given, else standard output, buffered and flushed; write
/// errors name the file.
pub fn write_output(
    output: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            render(&mut out)?;
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// The database steps of `scan` and `diff`: build the database at `db` when it is missing
/// (unless offline), then open it.
pub(crate) fn open_database(
    global: &GlobalArgs,
    db: &std::path::Path,
    printer: &Printer,
) -> Result<vulndb::Store> {
    use vulndb::update::{self, UpdateOptions};
    let config = db::config(global)?;
    let opts = UpdateOptions {
        offline: global.offline,
        ..Default::default()
    };
    if let update::Ensured::Updated(_) =
        update::ensure_database(db, &config, &opts).with_context(|| {
            format!(
                "no vulnerability database at {} (run `shipshape db update`, or `db import` offline)",
                db.display()
            )
        })?
    {
        printer.info(&format!(
            "built the vulnerability database at {}",
            db.display()
        ));
    }
    vulndb::Store::open(db).with_context(|| format!("cannot open the database {}", db.display()))
}

/// Run one scan request; a failure to read the store names the target, a Dockerfile or
/// `--exclude-base` problem speaks for itself.
pub(crate) fn run_scan(
    scanner: &::scan::Scanner<'_>,
    request: &::scan::ScanRequest<'_>,
    target: &str,
) -> Result<::scan::Report> {
    scanner.scan(request).map_err(|e| match e {
        ::scan::ScanError::Store { .. } => {
            anyhow::Error::new(e).context(format!("cannot scan {target}"))
        }
        other => other.into(),
    })
}

/// Whether a report written to standard output (no `--output`) is coloured: only on a
/// terminal, and not when `NO_COLOR` is set.
pub(crate) fn stdout_color(output: Option<&Path>) -> bool {
    use std::io::IsTerminal;
    output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
