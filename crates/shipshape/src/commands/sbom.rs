//! `shipshape sbom TARGET`: the inventory as CycloneDX, SPDX or native JSON.

use std::io::Write;

use anyhow::{Context, Result};

use super::ExitStatus;
use crate::cli::{SbomArgs, SbomFormat};
use crate::printer::Printer;

pub fn run(args: &SbomArgs, printer: &Printer) -> Result<ExitStatus> {
    let inv = crate::target::inventory(&args.target, printer)?;
    let format = match args.format {
        SbomFormat::Cyclonedx => report::Format::CycloneDx,
        SbomFormat::Spdx => report::Format::Spdx,
        SbomFormat::Json => report::Format::Json,
    };
    let opts = report::RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        timestamp: None,
        uuid: None,
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            report::render_sbom(&inv, format, &mut out, &opts)?;
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            report::render_sbom(&inv, format, &mut out, &opts)?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}
