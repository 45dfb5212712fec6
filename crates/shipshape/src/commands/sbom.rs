//! `shipshape sbom TARGET`: the inventory as CycloneDX, SPDX or native JSON.

use anyhow::Result;

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
    super::write_output(args.output.as_deref(), |out| {
        report::render_sbom(&inv, format, out, &opts)?;
        Ok(())
    })?;
    Ok(ExitStatus::Success)
}
