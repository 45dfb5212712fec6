//! From what the user typed to an inventory.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::TargetArgs;
use crate::printer::Printer;
use crate::progress::LayerBar;

/// Resolve the target and take its inventory.
pub fn inventory(args: &TargetArgs, printer: &Printer) -> Result<inventory::Inventory> {
    // `sbom:FILE`: a stored CycloneDX or SPDX JSON SBOM, read without the image.
    if let Some(file) = args.target.strip_prefix("sbom:") {
        let inv = inventory::inventory_sbom(std::path::Path::new(file))?;
        for d in &inv.diagnostics {
            printer.warning(&d.code, &d.message);
        }
        return Ok(inv);
    }
    let target = oci::Target::parse(&args.target)?;
    let mut opts = inventory::Options::default();
    let bar = printer
        .show_progress()
        .then(|| Arc::new(LayerBar::new(&args.target)));
    if let Some(b) = &bar {
        opts.progress = Some(b.clone());
    }
    let result = match &target {
        oci::Target::Dir(path) => inventory::inventory_rootfs(path, &opts),
        _ => {
            let platform = args
                .platform
                .as_deref()
                .map(str::parse::<oci::Platform>)
                .transpose()
                .context("--platform")?;
            let resolve = oci::ResolveOptions {
                platform,
                insecure_registries: args.insecure_registry.clone(),
                ..Default::default()
            };
            let image = target
                .resolve(&resolve)
                .with_context(|| format!("cannot open image {}", args.target))?;
            inventory::inventory_image(&image, &opts)
        }
    };
    if let Some(b) = &bar {
        b.finish();
    }
    let inv = result.with_context(|| format!("cannot read image {}", args.target))?;
    for d in &inv.diagnostics {
        printer.warning(&d.code, &d.message);
    }
    Ok(inv)
}
