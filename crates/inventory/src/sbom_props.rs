//! The names under which shipshape's SBOMs record what their formats have no field for, in
//! one place for the writers (`report`'s CycloneDX and SPDX documents) and the `sbom:` reader
//! ([`crate::sbom_input`]), so that a document written today reads back tomorrow.

/// CycloneDX `properties` names (`shipshape:<subject>:<fact>`).
pub mod cyclonedx {
    /// The image reference as given (`docker.io/library/debian:12`).
    pub const IMAGE_REFERENCE: &str = "shipshape:image:reference";
    /// The manifest digest.
    pub const IMAGE_MANIFEST_DIGEST: &str = "shipshape:image:manifest_digest";
    /// The config digest (the image id).
    pub const IMAGE_CONFIG_DIGEST: &str = "shipshape:image:config_digest";
    /// The platform (`linux/amd64`).
    pub const IMAGE_PLATFORM: &str = "shipshape:image:platform";
    /// Prefix of one image label; the label key follows.
    pub const IMAGE_LABEL_PREFIX: &str = "shipshape:image:label:";
    /// The OS codename (`bookworm`).
    pub const OS_CODENAME: &str = "shipshape:os:codename";
    /// The OS `ID_LIKE` list, space separated.
    pub const OS_ID_LIKE: &str = "shipshape:os:id_like";
    /// The package type (`deb`, `pypi`, …).
    pub const PACKAGE_TYPE: &str = "shipshape:package:type";
    /// The architecture.
    pub const PACKAGE_ARCH: &str = "shipshape:package:arch";
    /// The source package name.
    pub const PACKAGE_SOURCE_NAME: &str = "shipshape:package:source_name";
    /// The source package version.
    pub const PACKAGE_SOURCE_VERSION: &str = "shipshape:package:source_version";
    /// The source rpm file name.
    pub const PACKAGE_SOURCE_RPM: &str = "shipshape:package:source_rpm";
    /// The package database file it was read from.
    pub const PACKAGE_DB_PATH: &str = "shipshape:package:db_path";
    /// How the analyzer identified the package (`Package::found_by`), when recorded.
    pub const PACKAGE_FOUND_BY: &str = "shipshape:package:found_by";
    /// A CPE of the package beyond the first (which is the component's `cpe`), one
    /// property each (unmanaged runtimes: `cpe:2.3:a:nginx:nginx:…` after `f5:nginx`).
    pub const PACKAGE_CPE: &str = "shipshape:package:cpe";
    /// Where the package came from when not its ecosystem's registry (`Package::origin`:
    /// `local`, `git`, …); such a package is not matched.
    pub const PACKAGE_ORIGIN: &str = "shipshape:package:origin";
    /// `true` for a development dependency (`Package::dev`); absent otherwise.
    pub const PACKAGE_DEV: &str = "shipshape:package:dev";
    /// apt's manual mark, or NuGet's "a project depends on it directly" (`true` or `false`).
    pub const PACKAGE_MANUAL: &str = "shipshape:package:manual";
    /// Index of the layer that introduced the package (0 = bottom).
    pub const LAYER_INDEX: &str = "shipshape:layer:index";
    /// Digest of that layer's blob.
    pub const LAYER_DIGEST: &str = "shipshape:layer:digest";
    /// Its diff_id.
    pub const LAYER_DIFF_ID: &str = "shipshape:layer:diff_id";
    /// The build step that made it.
    pub const LAYER_CREATED_BY: &str = "shipshape:layer:created_by";
}

/// The text forms of a package's SPDX `sourceInfo` and `comment`:
/// `acquired package info from DB; source package NAME [VERSION]; source rpm FILE` and
/// `introduced in layer N (DIGEST), diff_id D, created by: STEP`.
pub mod spdx {
    /// Opens `sourceInfo`; the database path follows.
    pub const SOURCE_INFO_DB: &str = "acquired package info from ";
    /// Separates the parts of `sourceInfo`.
    pub const SOURCE_INFO_SEPARATOR: &str = "; ";
    /// Opens the source package part: name, then ` version` when known.
    pub const SOURCE_PACKAGE: &str = "source package ";
    /// Opens the source rpm part.
    pub const SOURCE_RPM: &str = "source rpm ";
    /// Opens `comment`: the layer index, then ` (DIGEST)`.
    pub const COMMENT_LAYER: &str = "introduced in layer ";
    /// Opens the diff_id part of `comment`.
    pub const COMMENT_DIFF_ID: &str = ", diff_id ";
    /// Opens the build step part of `comment`, which runs to the end.
    pub const COMMENT_CREATED_BY: &str = ", created by: ";
}
