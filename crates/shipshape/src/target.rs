//! From what the user typed to an inventory.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::TargetArgs;
use crate::printer::Printer;
use crate::progress::LayerBar;

/// Resolve the target and take its inventory.
pub fn inventory(args: &TargetArgs, printer: &Printer) -> Result<inventory::Inventory> {
    let target = oci::Target::parse(&args.target)?;
    // A stored SBOM is read without an image (and without a progress bar).
    if let oci::Target::Sbom(file) = &target {
        let inv = inventory::inventory_sbom(file)?;
        for d in &inv.diagnostics {
            printer.warning(&d.code, &d.message);
        }
        return Ok(inv);
    }
    let mut opts = inventory::Options::default();
    let bar = printer
        .show_progress()
        .then(|| Arc::new(LayerBar::new(&args.target)));
    if let Some(b) = &bar {
        opts.progress = Some(b.clone());
    }
    let result = match &target {
        oci::Target::Dir(path) => inventory::inventory_rootfs(path, &opts),
        _ => inventory::inventory_image(&resolve(&target, args)?, &opts),
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

/// Open an image target (not `dir:` or `sbom:`): its manifest and config, no layer read yet.
fn resolve(target: &oci::Target, args: &TargetArgs) -> Result<oci::Image> {
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
    target
        .resolve(&resolve)
        .with_context(|| format!("cannot open image {}", args.target))
}

/// The image's identity and layers (digests and diff_ids) from its manifest and config
/// alone, without reading a layer: what telling a base image by its layers needs. A root
/// filesystem or an SBOM has no layers.
pub fn layers(args: &TargetArgs) -> Result<inventory::Inventory> {
    let named = |name: &str| inventory::ImageInfo {
        identity: oci::ImageIdentity {
            name: name.to_owned(),
            ..Default::default()
        },
        ..Default::default()
    };
    let target = oci::Target::parse(&args.target)?;
    if let oci::Target::Dir(_) | oci::Target::Sbom(_) = target {
        return Ok(inventory::Inventory::of_layers(named(&args.target), []));
    }
    let image = resolve(&target, args)?;
    Ok(inventory::inventory_layers(&image))
}
