//! shipshape's native SBOM JSON: the inventory as it is, under a schema version.
//!
//! This is serde of [`Inventory`] with a header: `schemaVersion` (bumped on any incompatible
//! change), the tool, then `image`, `os` (`null` when not recognised), `layers`, `packages`
//! (each with its `introduced` layer provenance) and `diagnostics`. Every key is always
//! present, so consumers need no existence checks.

use inventory::{Diagnostic, ImageInfo, Inventory, LayerInfo, OsInfo, Package};
use serde::Serialize;

use crate::{Context, Error, RenderOptions, TOOL_NAME};

/// The version of the native SBOM layout.
pub const SCHEMA_VERSION: u32 = 1;

/// The native SBOM document, borrowing from the inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sbom<'a> {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What wrote it.
    pub tool: Tool,
    /// The scanned image.
    pub image: &'a ImageInfo,
    /// The OS, when recognised.
    pub os: Option<&'a OsInfo>,
    /// Layers, bottom first.
    pub layers: &'a [LayerInfo],
    /// Installed packages with their provenance.
    pub packages: &'a [Package],
    /// Problems met while taking the inventory.
    pub diagnostics: &'a [Diagnostic],
}

/// The tool that wrote a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `shipshape`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Builds the native SBOM for an inventory.
pub fn sbom<'a>(inv: &'a Inventory, opts: &RenderOptions) -> Result<Sbom<'a>, Error> {
    Ok(build(inv, &opts.context()?))
}

pub(crate) fn build<'a>(inv: &'a Inventory, ctx: &Context) -> Sbom<'a> {
    Sbom {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME.into(),
            version: ctx.tool_version.clone(),
        },
        image: &inv.image,
        os: inv.os.as_ref(),
        layers: &inv.layers,
        packages: &inv.packages,
        diagnostics: &inv.diagnostics,
    }
}
