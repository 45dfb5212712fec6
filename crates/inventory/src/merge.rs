//! Applying layers in order: placeholder, being written.
use crate::{Error, Inventory};

/// Inventory options.
#[derive(Clone, Debug, Default)]
pub struct Options {}

/// Progress callbacks.
pub trait Progress: Send + Sync {}

/// Walk an image.
pub fn inventory_image(_image: &oci::Image, _opts: &Options) -> Result<Inventory, Error> {
    Ok(Inventory::default())
}

/// Walk a root filesystem.
pub fn inventory_rootfs(_path: &std::path::Path, _opts: &Options) -> Result<Inventory, Error> {
    Ok(Inventory::default())
}
